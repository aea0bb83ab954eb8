/* html.c - shared HTML pieces (see html.h). The stylesheet is one string so
 * a page is a single self-contained file; the layout turns table rows into
 * cards on narrow screens (phones) with each cell labelled from data-label. */
#include "html.h"

#include <string.h>

#include "explain_ja.h"

void pw_html_text(FILE *out, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

static const char html_css[] =
    ":root{--fg:#1b1f24;--muted:#59636e;--line:#d0d7de;--bg:#fff;--head:#f6f8fa}"
    "*{box-sizing:border-box}"
    "body{margin:0 auto;max-width:1280px;padding:12px 16px;color:var(--fg);background:var(--bg);"
    "font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",\"Hiragino Sans\",\"Noto Sans CJK JP\","
    "\"Yu Gothic\",Meiryo,sans-serif}"
    "h1{font-size:1.35em;margin:.2em 0 .4em}h2{font-size:1.15em;margin:1.4em 0 .3em}"
    "h3{font-size:1em;margin:1em 0 .3em;color:var(--muted)}"
    ".en{display:block;color:var(--muted);font-size:.85em}"
    "table{border-collapse:collapse;width:100%;margin:.3em 0 1em}"
    "th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}"
    "th{background:var(--head);font-weight:600;font-size:.9em}"
    "td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
    "td.details{font-size:.88em;color:var(--muted);max-width:34em}"
    ".st{display:inline-block;padding:1px 7px;border-radius:4px;font-weight:600;font-size:.88em;"
    "white-space:nowrap;border:1px solid transparent}"
    ".st-achieved{background:#d1f0dc;color:#0b5323;border-color:#7cc494}"
    ".st-on-track{background:#dcf3e3;color:#116329;border-color:#8fd3a5}"
    ".st-at-risk{background:#fff1c2;color:#7a4d00;border-color:#e3b341}"
    ".st-behind{background:#ffdcd7;color:#8e1519;border-color:#f19a92}"
    ".st-no-data{background:#eef1f4;color:#424a53;border-color:#c4ccd4}"
    ".st-no-target{background:#eef1f4;color:#424a53;border-color:#c4ccd4}"
    "svg.chart{display:block;width:240px;max-width:100%;height:auto}"
    "svg.chart-big{display:block;width:100%;max-width:900px;height:auto;margin:.5em 0}"
    ".st-warn{background:#fff1c2;color:#7a4d00;border-color:#d4a72c}"
    "a{color:#0969da}a.ind{color:inherit;text-decoration:none}a.ind:hover span[lang=ja]{"
    "text-decoration:underline}"
    "nav.top{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.9em;margin:.2em 0 .6em}"
    ".gap-neg{color:#8e1519;font-weight:600}.gap-pos{color:#116329}"
    "td.gap{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}"
    ".quick{display:flex;flex-wrap:wrap;gap:6px;margin:.2em 0 .8em;font-size:.9em}"
    ".quick a{border:1px solid var(--line);border-radius:12px;padding:1px 10px;text-decoration:none}"
    ".quick a.on{background:#0969da;color:#fff;border-color:#0969da}"
    "table.heat{width:auto;display:block;overflow-x:auto}table.heat td,table.heat th{text-align:center;padding:3px 8px}"
    "table.heat td.name{text-align:left;max-width:28em}"
    "table.heat tr.proj th{text-align:left;background:#fff;color:var(--muted);padding-top:10px}"
    "td.g-A{background:#d1f0dc;color:#0b5323;font-weight:700}"
    "td.g-B{background:#ffdcd7;color:#8e1519;font-weight:700}"
    "td.g-none{background:#f6f8fa;color:#6e7781}td.g-future{color:#afb8c1}"
    ".ack.stale{color:#7a4d00}.ack.stale b{font-weight:600}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:.4em 0}"
    "dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}"
    "form.asof{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:.4em 0 1em}"
    "form.asof label{display:flex;flex-direction:column;font-size:.85em;color:var(--muted)}"
    "form.asof input,form.asof select,form.asof button{font:inherit;padding:4px 6px}"
    ".legend{font-size:.85em;color:var(--muted)}"
    ".legend i{display:inline-block;width:18px;height:0;border-top:2px solid;margin:0 4px 3px 10px;"
    "vertical-align:middle}"
    "ul.alerts{padding-left:1.2em}ul.alerts li{margin:.2em 0}"
    ".ack{display:block;font-size:.88em;color:var(--muted)}"
    "@media (max-width:720px){"
    "table.rows thead{display:none}"
    "table.rows tr{display:block;border:1px solid var(--line);border-radius:6px;margin:0 0 10px;"
    "padding:4px 0}"
    "table.rows td{display:flex;gap:8px;border:0;padding:3px 10px;text-align:left}"
    "table.rows td::before{content:attr(data-label);flex:0 0 6.5em;color:var(--muted);"
    "font-size:.85em}"
    "table.rows td.num{justify-content:flex-start}"
    "td.details{max-width:none}}"
    "@media print{form.asof,nav.top,.quick,.noprint{display:none}"
    "body{max-width:none;font-size:10.5pt}a{color:inherit;text-decoration:none}"
    "tr,li,svg{break-inside:avoid}h2{break-after:avoid}"
    "td.g-A,td.g-B,.st{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

void pw_html_page_open(FILE *out, const char *title)
{
    pw_html_page_open_lang(out, title, "ja");
}

void pw_html_page_open_lang(FILE *out, const char *title, const char *lang)
{
    fprintf(out, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                 "<title>",
            strcmp(lang, "en") == 0 ? "en" : "ja");
    pw_html_text(out, title);
    fprintf(out, "</title><style>%s</style></head>\n<body>\n", html_css);
}

void pw_html_page_close(FILE *out)
{
    fputs("</body></html>\n", out);
}

static const char *const html_classes[PW_STATUS_COUNT] = {
    "st-no-target", "st-no-data", "st-on-track", "st-at-risk", "st-behind", "st-achieved"};
/* a symbol per status, so the badge reads without colour too */
static const char *const html_symbols[PW_STATUS_COUNT] = {"·", "?", "✓", "▲", "✕", "★"};

const char *pw_html_status_class(enum pw_status s)
{
    return (unsigned)s < PW_STATUS_COUNT ? html_classes[s] : "st-no-data";
}

const char *pw_html_status_words(enum pw_status s)
{
    return pw_explain_status_both(s);
}

void pw_html_status(FILE *out, enum pw_status s, char grade)
{
    const char *sym = (unsigned)s < PW_STATUS_COUNT ? html_symbols[s] : "?";
    fprintf(out, "<span class=\"st %s\">%s ", pw_html_status_class(s), sym);
    if (grade == 'A' || grade == 'B')
        fprintf(out, "%c ", grade);
    fprintf(out, "%s</span>", pw_html_status_words(s));
}

void pw_html_alert_badge(FILE *out, enum pw_html_alert_kind kind, enum pw_status s, char grade)
{
    if (kind == PW_HTML_ALERT_OVERDUE)
        fputs("<span class=\"st st-warn\" data-kind=\"overdue\">！ 未報告 overdue</span>", out);
    else if (kind == PW_HTML_ALERT_FORECAST)
        fputs("<span class=\"st st-warn\" data-kind=\"forecast\">▲ 見通し注意 forecast</span>",
              out);
    else
        pw_html_status(out, s, grade);
}

const char *pw_html_grade_words(char grade)
{
    return grade == 'A' ? "順調に進捗している" : grade == 'B' ? "進捗が不十分" : "";
}

void pw_html_indicator_name(FILE *out, const struct pw_indicator *ind)
{
    fputs("<span lang=\"ja\">", out);
    pw_html_text(out, ind->name);
    fputs("</span>", out);
    if (ind->name_en && ind->name_en[0]) {
        fputs("<span class=\"en\" lang=\"en\">", out);
        pw_html_text(out, ind->name_en);
        fputs("</span>", out);
    }
}
