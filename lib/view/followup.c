/* followup.c - the follow-up table (see followup.h). The layout copies the
 * seeds' tables: section per project, kind sub-headings, the target as the
 * plan printed it (target_text) and the value with its unit; a preliminary
 * figure is marked 速報値 as the documents do. Markdown cells escape | and
 * newlines; CSV goes through pw_report_csv_field. */
#include "followup.h"

#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "err.h"
#include "explain_ja.h"
#include "fy.h"
#include "history.h"
#include "html.h"
#include "msg.h"
#include "pdf.h"
#include "report.h"
#include "xlsx_report.h"

static const char *const followup_format_names[] = {"csv", "md", "html", "xlsx", "pdf"};
#define FU_NFORMATS 5

int pw_followup_format_parse(const char *s, enum pw_followup_format *out)
{
    const char *const *names = followup_format_names;
    for (int i = 0; i < FU_NFORMATS; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum pw_followup_format)i;
            return 0;
        }
    return PW_EINVAL;
}

const char *pw_followup_format_name(enum pw_followup_format f)
{
    return (unsigned)f < FU_NFORMATS ? followup_format_names[f] : "?";
}

const char *pw_followup_format_ctype(enum pw_followup_format f)
{
    return f == PW_FOLLOWUP_CSV  ? "text/csv; charset=utf-8"
           : f == PW_FOLLOWUP_MD ? "text/markdown; charset=utf-8"
           : f == PW_FOLLOWUP_XLSX
               ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
           : f == PW_FOLLOWUP_PDF ? "application/pdf"
                                  : "text/html; charset=utf-8";
}

char *pw_followup_fy_name(int fy, char *buf, size_t n)
{
    if (fy == 2019)
        snprintf(buf, n, "令和元年度");
    else if (fy > 2019)
        snprintf(buf, n, "令和%d年度", fy - 2018);
    else
        snprintf(buf, n, "FY%d", fy);
    return buf;
}

void pw_followup_ack_window(int fy, int64_t *from_ns, int64_t *to_ns)
{
    const int64_t jst = 9 * 3600, ns = INT64_C(1000000000);
    *from_ns = ((int64_t)pw_fy_first_day(fy) * 86400 - jst) * ns;
    *to_ns = INT64_MAX;
}

static const char *fu_kind_heading(enum pw_kind k)
{
    switch (k) {
    case PW_KIND_OUTCOME: return "＜アウトカム＞ outcome";
    case PW_KIND_OUTPUT: return "＜アウトプット＞ output";
    default: return "＜モニタリング指標＞ monitoring";
    }
}

char *pw_followup_number(int64_t v, char *buf, size_t n)
{
    char d[PW_DEC_BUFSZ];
    pw_dec_format(v, d, sizeof d);
    const char *p = d;
    size_t k = 0, digits = 0;
    if (*p == '-' && k + 1 < n)
        buf[k++] = *p++;
    while (p[digits] >= '0' && p[digits] <= '9')
        digits++;
    for (size_t i = 0; i < digits && k + 2 < n; i++) {
        if (i > 0 && (digits - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = p[i];
    }
    snprintf(buf + k, n - k, "%s", p + digits);
    return buf;
}

const char *pw_followup_target(const struct pw_indicator *ind, const struct pw_eval *ev,
                               char *buf, size_t n)
{
    char v[PW_DEC_BUFSZ + 16];
    if (ind->target_text && ind->target_text[0])
        return ind->target_text;
    if (ind->target.type == PW_TARGET_NONE)
        return "-";
    snprintf(buf, n, "%s%s", pw_followup_number(ev->target, v, sizeof v), ind->unit);
    return buf;
}

static const char *fu_value(const struct pw_followup_row *r, char *buf, size_t n)
{
    char v[PW_DEC_BUFSZ + 16];
    if (!r->ev.has_actual)
        return "-";
    snprintf(buf, n, "%s%s%s", pw_followup_number(r->ev.actual, v, sizeof v), r->ind->unit,
             r->ev.preliminary ? "（速報値）" : "");
    return buf;
}

/* The grade the document prints: the secretariat's when it assessed the
 * year, else the rule's. */
static const char *fu_grade(const struct pw_followup_row *r, char *buf)
{
    char g = pw_eval_grade_shown(&r->ev, &r->as);
    buf[0] = g == 'A' || g == 'B' ? g : '-';
    buf[1] = '\0';
    return buf;
}

/* The assessment's words for 進捗の詳細: "事務局評価 A（計算上 B）: REASON
 * (BY)", into buf; "" when none applies. */
static const char *fu_assessed(const struct pw_followup_row *r, char *buf, size_t n)
{
    buf[0] = '\0';
    if (pw_assessment_applies(&r->as, &r->ev))
        snprintf(buf, n, "事務局評価 %c（計算上 %c）: %s%s%s%s", r->as.grade, r->ev.grade,
                 r->as.reason, r->as.by[0] ? " (" : "", r->as.by, r->as.by[0] ? ")" : "");
    return buf;
}

/* Details. Japanese (the default) as the seeds write 進捗の詳細: the
 * explanation, then the acknowledgement reasons (要因分析), then the
 * secretariat's assessment; English as before: the assessment, the reasons,
 * then the explanation. */
static const char *fu_details(const struct pw_followup_row *r, char *buf, size_t n)
{
    char as[PW_ASSESS_REASON_MAX + PW_ASSESS_BY_MAX + 64], ja[PW_EXPLAIN_MAX];
    int ack = r->ack && r->ack[0];
    fu_assessed(r, as, sizeof as);
    if (r->lang == PW_LANG_EN)
        snprintf(buf, n, "%s%s%s%s%s%s", as, as[0] ? " / " : "", ack ? "要因分析: " : "",
                 ack ? r->ack : "", ack ? " / " : "", r->ev.explanation);
    else
        snprintf(buf, n, "%s%s%s%s%s", pw_explain_ja(r->ind, &r->ev, ja, sizeof ja),
                 ack ? " / 要因分析: " : "", ack ? r->ack : "", as[0] ? " / " : "", as);
    return buf;
}

/* 進捗の詳細 as HTML, in the order of fu_details. */
static void fu_html_details(FILE *out, const struct pw_followup_row *r)
{
    char as[PW_ASSESS_REASON_MAX + PW_ASSESS_BY_MAX + 64], ja[PW_EXPLAIN_MAX];
    int en = r->lang == PW_LANG_EN;
    if (!en)
        pw_html_text(out, pw_explain_ja(r->ind, &r->ev, ja, sizeof ja));
    if (fu_assessed(r, as, sizeof as)[0] && en) {
        fputs("<span class=\"assessed\">", out);
        pw_html_text(out, as);
        fputs("</span> ", out);
    }
    if (r->ack && r->ack[0]) {
        fputs("<span class=\"ack\">要因分析: ", out);
        pw_html_text(out, r->ack);
        fputs("</span>", out);
    }
    if (en)
        pw_html_text(out, r->ev.explanation);
    else if (as[0]) {
        fputs(" <span class=\"assessed\">", out);
        pw_html_text(out, as);
        fputs("</span>", out);
    }
}

/* Calls back for each section: project (NULL = plan-wide) in plan order. */
static int fu_in_section(const struct pw_followup_row *r, const struct pw_plan *plan,
                         const struct pw_project *pj)
{
    return r->ind->plan == plan && r->ind->project == pj;
}

static void fu_md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

static void fu_section_name(FILE *out, const struct pw_project *pj, int html)
{
    const char *name = pj ? pj->name : "計画全体";
    const char *en = pj ? pj->name_en : "Plan-wide indicators";
    if (html) {
        pw_html_text(out, name);
        if (en && en[0]) {
            fputs("<span class=\"en\" lang=\"en\">", out);
            pw_html_text(out, en);
            fputs("</span>", out);
        }
    } else {
        fputs(name, out);
        if (en && en[0])
            fprintf(out, " (%s)", en);
    }
}

/* The text formats (csv, md, html); opts is never NULL. */
static int fu_write_text(FILE *out, const struct pw_plan *plan, int fy,
                         const struct pw_followup_row *rows, size_t n, enum pw_followup_format fmt,
                         const struct pw_followup_opts *opts)
{
    char fyname[32], end[11], tgt[96], val[96], grade[2], det[3200], title[400];
    if (fmt != PW_FOLLOWUP_CSV && fmt != PW_FOLLOWUP_MD && fmt != PW_FOLLOWUP_HTML)
        return PW_EINVAL;
    pw_followup_fy_name(fy, fyname, sizeof fyname);
    pw_day_format(pw_fy_first_day(fy + 1) - 1, end);
    pw_followup_title(plan, fy, rows, n, opts->known_day, title, sizeof title);
    if (fmt == PW_FOLLOWUP_CSV && opts->bom)
        fputs("\xEF\xBB\xBF", out);
    /* a title row only when the title says more than the header row: a
     * plain year's CSV stays one header row and its rows */
    if (fmt == PW_FOLLOWUP_CSV &&
        (pw_followup_interim(fy, rows, n, opts->known_day) || fy == plan->last_fy)) {
        pw_report_csv_field(out, title);
        fputc('\n', out);
    }
    if (fmt == PW_FOLLOWUP_CSV)
        fprintf(out, "プロジェクト,区分,指標ID,指標,達成目標,%s末の数値,進捗,進捗の詳細\n", fyname);
    else if (fmt == PW_FOLLOWUP_MD)
        fprintf(out, "# %s\n\nFY%d (%s末 = %s); 進捗: A 順調に進捗している, B 進捗が不十分\n",
                title, fy, fyname, end);
    else {
        pw_html_page_open(out, title);
        fputs("<h1>", out);
        pw_html_text(out, title);
        fprintf(out, "</h1>\n<p class=\"legend\">FY%d (%s末 = %s) · 進捗: A 順調に進捗している"
                     " (on track), B 進捗が不十分 (insufficient)</p>\n",
                fy, fyname, end);
    }
    /* plan-wide first, then each project of the plan in its order */
    for (size_t p = 0; p <= plan->nprojects; p++) {
        const struct pw_project *pj = p == 0 ? NULL : &plan->projects[p - 1];
        int any = 0;
        for (size_t i = 0; i < n && !any; i++)
            any = fu_in_section(&rows[i], plan, pj);
        if (!any)
            continue;
        if (fmt == PW_FOLLOWUP_MD) {
            fputs("\n## ", out);
            fu_section_name(out, pj, 0);
            fputc('\n', out);
        } else if (fmt == PW_FOLLOWUP_HTML) {
            fputs("<h2>", out);
            fu_section_name(out, pj, 1);
            fputs("</h2>\n", out);
        }
        int kind = -1;
        for (size_t i = 0; i < n; i++) {
            const struct pw_followup_row *r = &rows[i];
            if (!fu_in_section(r, plan, pj))
                continue;
            const char *target = pw_followup_target(r->ind, &r->ev, tgt, sizeof tgt);
            const char *value = fu_value(r, val, sizeof val);
            const char *details = fu_details(r, det, sizeof det);
            fu_grade(r, grade);
            if ((int)r->ind->kind != kind) {
                if (fmt == PW_FOLLOWUP_MD)
                    fprintf(out, "\n### %s\n\n| 指標 | 達成目標 | %s末の数値 | 進捗 | 進捗の詳細 |\n"
                                 "|---|---|---:|:---:|---|\n",
                            fu_kind_heading(r->ind->kind), fyname);
                else if (fmt == PW_FOLLOWUP_HTML) {
                    if (kind >= 0)
                        fputs("</tbody></table>\n", out);
                    fprintf(out, "<h3>%s</h3>\n<table class=\"rows followup\"><thead><tr>"
                                 "<th>指標 <span class=\"en\">indicator</span></th>"
                                 "<th>達成目標 <span class=\"en\">target</span></th>"
                                 "<th>%s末の数値 <span class=\"en\">value at FY end</span></th>"
                                 "<th>進捗 <span class=\"en\">grade</span></th>"
                                 "<th>進捗の詳細 <span class=\"en\">details</span></th>%s"
                                 "</tr></thead><tbody>\n",
                            fu_kind_heading(r->ind->kind), fyname,
                            r->chart ? "<th>推移 <span class=\"en\">progress</span></th>" : "");
                }
                kind = (int)r->ind->kind;
            }
            if (fmt == PW_FOLLOWUP_CSV) {
                pw_report_csv_field(out, pj ? pj->name : "計画全体");
                fprintf(out, ",%s,%s,", pw_kind_name(r->ind->kind), r->ind->id);
                pw_report_csv_field(out, r->ind->name);
                fputc(',', out);
                pw_report_csv_field(out, target);
                fputc(',', out);
                pw_report_csv_field(out, value);
                fprintf(out, ",%s,", grade);
                pw_report_csv_field(out, details);
                fputc('\n', out);
            } else if (fmt == PW_FOLLOWUP_MD) {
                fputs("| ", out);
                fu_md_cell(out, r->ind->name);
                if (r->ind->name_en[0]) {
                    fputs(" (", out);
                    fu_md_cell(out, r->ind->name_en);
                    fputc(')', out);
                }
                fputs(" | ", out);
                fu_md_cell(out, target);
                fputs(" | ", out);
                fu_md_cell(out, value);
                fprintf(out, " | %s | ", grade);
                fu_md_cell(out, details);
                fputs(" |\n", out);
            } else {
                fprintf(out, "<tr data-id=\"%s\" data-grade=\"%s\"%s><td data-label=\"指標\">",
                        r->ind->id, grade, r->ind->parent ? " class=\"sub\"" : "");
                pw_html_indicator_name(out, r->ind);
                fputs("</td><td data-label=\"達成目標\">", out);
                pw_html_text(out, target);
                fputs("</td><td class=\"num\" data-label=\"数値\">", out);
                pw_html_text(out, value);
                fputs("</td><td data-label=\"進捗\">", out);
                pw_html_status(out, r->ev.status, grade[0]);
                fputs("</td><td class=\"details\" data-label=\"詳細\">", out);
                fu_html_details(out, r);
                fputs("</td>", out);
                if (r->chart) {
                    fputs("<td data-label=\"推移\">", out);
                    pw_chart_svg(out, r->chart);
                    fputs("</td>", out);
                }
                fputs("</tr>\n", out);
            }
        }
        if (fmt == PW_FOLLOWUP_HTML && kind >= 0)
            fputs("</tbody></table>\n", out);
    }
    if (fmt == PW_FOLLOWUP_HTML)
        pw_html_page_close(out);
    return ferror(out) ? PW_EIO : 0;
}

int pw_followup_write_opts(FILE *out, const struct pw_plan *plan, int fy,
                           const struct pw_followup_row *rows, size_t n,
                           enum pw_followup_format fmt, const struct pw_followup_opts *opts)
{
    static const struct pw_followup_opts defaults = {0};
    char title[400];
    if (!opts)
        opts = &defaults;
    if (fmt == PW_FOLLOWUP_XLSX || fmt == PW_FOLLOWUP_PDF)
        pw_followup_title(plan, fy, rows, n, opts->known_day, title, sizeof title);
    if (fmt == PW_FOLLOWUP_XLSX)
        return pw_xlsx_report_write(out, plan, fy, title, rows, n);
    if (fmt == PW_FOLLOWUP_PDF) {
        /* the printable HTML page, printed: charts and all */
        char *html = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&html, &len);
        int rc = mem ? fu_write_text(mem, plan, fy, rows, n, PW_FOLLOWUP_HTML, opts) : PW_ENOMEM;
        if (mem && fclose(mem) && !rc)
            rc = PW_ENOMEM;
        if (!rc)
            rc = pw_pdf_from_html(out, html, len, opts->renderer, opts->timeout_ms);
        free(html);
        return rc;
    }
    return fu_write_text(out, plan, fy, rows, n, fmt, opts);
}

int pw_followup_write(FILE *out, const struct pw_plan *plan, int fy,
                      const struct pw_followup_row *rows, size_t n, enum pw_followup_format fmt)
{
    return pw_followup_write_opts(out, plan, fy, rows, n, fmt, NULL);
}

int pw_followup_interim(int fy, const struct pw_followup_row *rows, size_t n, int32_t known_day)
{
    int32_t last = pw_fy_first_day(fy + 1) - 1, due = last;
    if (!known_day)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int32_t d = pw_due_day(rows[i].ind, fy);
        if (d > due)
            due = d;
    }
    return known_day <= last || known_day < due;
}

char *pw_followup_title(const struct pw_plan *plan, int fy, const struct pw_followup_row *rows,
                        size_t n, int32_t known_day, char *buf, size_t len)
{
    char fyname[32], day[11];
    pw_followup_fy_name(fy, fyname, sizeof fyname);
    if (pw_followup_interim(fy, rows, n, known_day))
        snprintf(buf, len, "%s %s フォローアップ（途中経過、%s 時点）", plan->name, fyname,
                 pw_day_format(known_day, day));
    else
        snprintf(buf, len, "%s %s フォローアップ%s", plan->name, fyname,
                 fy == plan->last_fy ? "（最終結果）" : "");
    return buf;
}

const char *pw_followup_value(const struct pw_followup_row *r, char *buf, size_t n)
{
    return fu_value(r, buf, n);
}

const char *pw_followup_grade(const struct pw_followup_row *r, char *buf)
{
    return fu_grade(r, buf);
}

const char *pw_followup_details(const struct pw_followup_row *r, char *buf, size_t n)
{
    return fu_details(r, buf, n);
}

const char *pw_followup_kind_heading(enum pw_kind k)
{
    return fu_kind_heading(k);
}

int pw_followup_charts(struct pw_followup_row *rows, size_t n, const struct pw_history *hist,
                       int32_t as_of, struct pw_chart **charts)
{
    struct pw_chart *c = calloc(n + 1, sizeof *c);
    *charts = c;
    if (!c)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        const struct pw_obs *obs = pw_history_get(hist, rows[i].ind, &k);
        pw_chart_build(&c[i], rows[i].ind, obs, k, as_of);
        rows[i].chart = &c[i];
    }
    return 0;
}

int pw_followup_rows_from_reply(const struct pw_catalog *cat, Planwatch__V1__StatusRow *const *in,
                         size_t n, struct pw_followup_row **rows, size_t *nrows, const char **bad)
{
    struct pw_status_row *st = NULL;
    size_t k = 0;
    int rc = pw_msg_status_rows(cat, in, n, &st, &k, bad);
    if (rc)
        return rc;
    struct pw_followup_row *f = calloc(k + 1, sizeof *f);
    for (size_t i = 0; f && i < k; i++) {
        f[i].ind = st[i].ind;
        f[i].ev = st[i].ev;
        f[i].as = st[i].as;
    }
    free(st);
    if (!f)
        return PW_ENOMEM;
    *rows = f;
    *nrows = k;
    return 0;
}

int pw_followup_acks(struct pw_followup_row *rows, size_t n, Planwatch__V1__Ack *const *acks,
                     size_t n_acks, int fy, int64_t known_at, char ***out)
{
    int64_t from, to;
    char **a = calloc(n + 1, sizeof *a);
    *out = a;
    if (!a)
        return PW_ENOMEM;
    pw_followup_ack_window(fy, &from, &to);
    if (known_at > 0 && known_at < to)
        to = known_at;
    for (size_t i = 0; i < n; i++)
        rows[i].ack = a[i] = pw_msg_ack_reasons(acks, n_acks, rows[i].ind->id, from, to);
    return 0;
}
