/* http_indicator.c - GET /indicator/{id}: one indicator's own page, linked
 * from every row of the dashboard. Server-rendered, no scripts, prints. It
 * shows where the indicator stands at the checkpoint judged (expected,
 * actual, the gap in its unit and in %, the status and the secretariat's
 * assessment), a large chart read like an SLO burn chart (the actual path
 * against the ideal line, every year's figure labelled, the target, the
 * projection, and the fiscal year after which even the best year on record
 * could no longer reach the target: pw_chart_burn), the grade of every
 * fiscal year, every stored revision with when it became known, the open
 * alerts with their acknowledgements (stale ones marked) and the
 * assessments recorded, and the CSV and report downloads. Everything is
 * evaluated from the same chart cache as the dashboard; ?as_of=,
 * ?known_at= and ?lang= work as there and are carried by every link. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "dash.h"
#include "dec.h"
#include "err.h"
#include "explain_ja.h"
#include "followup.h"
#include "fy.h"
#include "html.h"
#include "http.h"
#include "msg.h"

struct ip_req {
    struct http_view v;
    const struct pw_indicator *ind;
    int stale;                              /* the cache could not be brought up to date */
    Planwatch__V1__QueryReply *assessments; /* every record of ind (owned copy), or NULL */
};

static void ip_req_free(void *p)
{
    struct ip_req *s = p;
    if (s && s->assessments)
        planwatch__v1__query_reply__free_unpacked(s->assessments, NULL);
    free(s);
}

static void ip_num(FILE *out, int has, int64_t v, const char *unit)
{
    char b[PW_DEC_BUFSZ + 16];
    if (!has) {
        fputs("-", out);
        return;
    }
    pw_html_text(out, pw_dash_number(v, b, sizeof b));
    pw_html_text(out, unit);
}

/* The current assessment of the checkpoint e judged (the latest record of
 * that fiscal year, unless withdrawn), into *as; 0 when none. */
static int ip_assessed(const struct ip_req *s, const struct pw_eval *e, struct pw_assessment *as)
{
    const Planwatch__V1__Assessment *cur = NULL;
    memset(as, 0, sizeof *as);
    for (size_t i = 0; s->assessments && i < s->assessments->n_assessments; i++) {
        const Planwatch__V1__Assessment *a = s->assessments->assessments[i];
        if (a->indicator_id && strcmp(a->indicator_id, s->ind->id) == 0 &&
            a->fiscal_year == e->cp.fy && (!s->v.known_at || a->received_ns <= s->v.known_at) &&
            (!cur || a->received_ns >= cur->received_ns))
            cur = a;
    }
    if (!cur || cur->withdrawn)
        return 0;
    pw_msg_assessment_from(as, cur);
    return pw_assessment_applies(as, e);
}

/* The burn view in words. */
static void ip_burn_words(FILE *out, const struct pw_chart *c, const struct pw_chart_burn *b)
{
    char fyname[32], bf[32];
    const char *unit = c->ind->unit;
    fputs("<p class=\"burn\" id=\"burn\">", out);
    if (!b->applies) {
        fputs("到達可能性の線は、累計・水準で伸びる目標に、年度ごとの増加が記録されてから引けます"
              "。<span class=\"en\">The last-chance line needs a growing stock target and a "
              "year's gain on record.</span></p>\n",
              out);
        return;
    }
    fputs("過去最高の年間増加 ", out);
    ip_num(out, 1, b->best, unit);
    fprintf(out, "（%s）を毎年続けても、", pw_followup_fy_name(b->best_fy, bf, sizeof bf));
    if (b->lost_fy) {
        fprintf(out, "<b data-lost-fy=\"%d\">%s末以降は目標 ", b->lost_fy,
                pw_followup_fy_name(b->lost_fy, fyname, sizeof fyname));
        ip_num(out, 1, c->final, unit);
        fprintf(out, " に届きません</b>%s。", b->lost_known ? "（実績による）" : "（現在のペースが続く場合）");
        fprintf(out, "<span class=\"en\">Even the best year on record (%s) every year could no "
                     "longer reach the target after FY%d%s.</span>",
                pw_dash_number(b->best, bf, sizeof bf), b->lost_fy,
                b->lost_known ? " (on the figures)" : " (at the current pace)");
    } else {
        fputs("<b data-lost-fy=\"0\">目標 ", out);
        ip_num(out, 1, c->final, unit);
        fputs(" にはまだ届き得ます</b>（赤い点線が各年度末の下限）。<span class=\"en\">The target "
              "is still within reach: the red dotted line is the least value at each year end "
              "from which the best year on record still reaches it.</span>",
              out);
    }
    fputs("</p>\n", out);
}

static void ip_facts(FILE *out, const struct ip_req *s, const struct pw_chart *c,
                     const struct pw_assessment *as, int assessed)
{
    const struct pw_indicator *ind = s->ind;
    const struct pw_eval *e = &c->now;
    char tb[120], fyname[32], day[11], ja[PW_EXPLAIN_MAX], gb[PW_DASH_GAP_BUFSZ];
    struct pw_dash_gap gap;
    char g = pw_eval_grade_shown(e, assessed ? as : NULL);
    pw_dash_gap(ind, e, &gap);
    fputs("<dl class=\"facts\">", out);
    fputs("<dt>進捗 status</dt><dd>", out);
    pw_html_status(out, e->status, g);
    if (e->cp.fy)
        fprintf(out, " — %s末の評価 judged at the end of FY%d (%d/%d)%s",
                pw_followup_fy_name(e->cp.fy, fyname, sizeof fyname), e->cp.fy, e->cp.k,
                e->cp.years, e->cp.final ? " 最終 final" : "");
    fputs("</dd><dt>目標 target</dt><dd>", out);
    pw_html_text(out, pw_followup_target(ind, e, tb, sizeof tb));
    fprintf(out, " <span class=\"en\">(%s, FY%d–%d)</span></dd>",
            pw_target_type_name(ind->target.type), ind->target.first_fy, ind->target.last_fy);
    fputs("<dt>期待値 expected</dt><dd class=\"num\" id=\"expected\">", out);
    ip_num(out, e->has_expected, e->expected, ind->unit);
    fputs("</dd><dt>実績 actual</dt><dd class=\"num\" id=\"actual\">", out);
    ip_num(out, e->has_actual, e->actual, ind->unit);
    if (e->preliminary)
        fputs("（速報値）", out);
    fprintf(out, "</dd><dt>差 gap</dt><dd id=\"gap\" class=\"%s\">",
            !gap.has ? "" : gap.diff < 0 ? "gap-neg" : "gap-pos");
    pw_html_text(out, pw_dash_gap_format(&gap, ind->percent ? "ポイント" : ind->unit, gb, sizeof gb));
    fputs("</dd>", out);
    if (c->has_projection) {
        fputs("<dt>見通し projection</dt><dd>", out);
        ip_num(out, 1, c->projection[1].v, ind->unit);
        fprintf(out, "（FY%d末、現在のペース at the current pace）</dd>", ind->target.last_fy);
    }
    if (e->has_run_rate) {
        fputs("<dt>必要なペース needed pace</dt><dd>", out);
        ip_num(out, 1, e->run_rate, ind->unit);
        fputs(" / 年 per remaining year</dd>", out);
    }
    if (e->cp.next_fy)
        fprintf(out, "<dt>次の評価 next checkpoint</dt><dd>FY%d（数値の期限 due %s）</dd>",
                e->cp.next_fy, pw_day_format(e->cp.next_due, day));
    if (assessed) {
        fprintf(out, "<dt>事務局評価 assessed</dt><dd class=\"assessed\">%c（計算上 computed %c）: ",
                as->grade, e->grade);
        pw_html_text(out, as->reason);
        fputs(" (", out);
        pw_html_text(out, as->by);
        fputs(")</dd>", out);
    }
    fputs("<dt>説明 explanation</dt><dd>", out);
    pw_html_text(out, pw_explain(ind, e, s->v.lang, ja, sizeof ja));
    fputs("</dd><dt>ID</dt><dd><code>", out);
    pw_html_text(out, ind->id);
    fprintf(out, "</code> · %s · %s · 単位 ", pw_kind_name(ind->kind),
            pw_basis_name(ind->reporting));
    pw_html_text(out, ind->unit);
    fputs("</dd></dl>\n", out);
}

/* Each fiscal year of the window: its figure, what its end expected, the
 * gap and the grade (the follow-up table of that year), with its report. */
static void ip_years(FILE *out, const struct ip_req *s, const struct pw_obs *obs, size_t n)
{
    const struct pw_indicator *ind = s->ind;
    char fyname[32], fy_s[12], gb[PW_DASH_GAP_BUFSZ];
    fputs("<section id=\"years\"><h2>年度ごとの評価 <span class=\"en\">each fiscal year</span>"
          "</h2><table class=\"rows\"><thead><tr><th>年度 FY</th><th>実績 actual</th>"
          "<th>期待値 expected</th><th>差 gap</th><th>進捗 grade</th><th>報告 report</th></tr>"
          "</thead><tbody>\n",
          out);
    for (int fy = ind->target.first_fy; fy <= ind->target.last_fy; fy++) {
        int32_t end = pw_fy_first_day(fy + 1) - 1;
        if (end > s->v.as_of)
            break;
        struct pw_eval e;
        struct pw_dash_gap gap;
        if (pw_eval_status(ind, obs, n, end, &e))
            continue;
        int own = e.cp.fy == fy && e.has_actual && e.data_fy == fy;
        pw_dash_gap(ind, &e, &gap);
        fprintf(out, "<tr data-fy=\"%d\" data-grade=\"%c\"><td data-label=\"年度\">%s "
                     "<span class=\"en\">FY%d</span></td><td class=\"num\" data-label=\"実績\">",
                fy, own ? e.grade : '-', pw_followup_fy_name(fy, fyname, sizeof fyname), fy);
        ip_num(out, own, e.actual, ind->unit);
        fputs("</td><td class=\"num\" data-label=\"期待値\">", out);
        ip_num(out, own && e.has_expected, e.expected, ind->unit);
        fputs("</td><td class=\"gap\" data-label=\"差\">", out);
        pw_html_text(out, own ? pw_dash_gap_format(&gap, ind->percent ? "ポイント" : ind->unit, gb, sizeof gb) : "-");
        fputs("</td><td data-label=\"進捗\">", out);
        if (own)
            pw_html_status(out, e.status, e.grade);
        else
            fputs("数値なし no figure", out);
        snprintf(fy_s, sizeof fy_s, "%d", fy);
        const char *kv[] = {"plan", ind->plan->id, "fy", fy_s, "format", "html", NULL};
        fputs("</td><td data-label=\"報告\"><a href=\"", out);
        http_view_href(out, &s->v, "/api/v1/report", kv);
        fprintf(out, "\">%s フォローアップ</a></td></tr>\n", fyname);
    }
    fputs("</tbody></table></section>\n", out);
}

/* Every stored revision, oldest first, with when it became known. */
static void ip_revisions(FILE *out, const struct ip_req *s, const struct pw_obs *obs, size_t n)
{
    char t[48], day[11];
    fprintf(out, "<section id=\"revisions\"><h2>改訂履歴 (%zu) <span class=\"en\">revisions, "
                 "oldest first</span></h2>\n",
            n);
    if (!n) {
        fputs("<p>まだ数値がありません no figure yet</p></section>\n", out);
        return;
    }
    fputs("<table class=\"rows\"><thead><tr><th>年度 FY</th><th>値 value</th><th>区分 basis</th>"
          "<th>時点 as of</th><th>受信 known at</th><th></th></tr></thead><tbody>\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const struct pw_obs *o = &obs[i];
        int later = s->v.known_at && o->known_ns > s->v.known_at;
        fprintf(out, "<tr data-fy=\"%d\"%s><td data-label=\"年度\">FY%d</td><td class=\"num\" "
                     "data-label=\"値\">",
                o->fy, later ? " class=\"later\"" : "", o->fy);
        if (o->retracted)
            fputs("取り下げ retracted", out);
        else
            ip_num(out, 1, o->value, s->ind->unit);
        fprintf(out, "%s</td><td data-label=\"区分\">%s</td><td data-label=\"時点\">%s</td>"
                     "<td data-label=\"受信\"><time>%s</time></td><td>%s</td></tr>\n",
                o->preliminary ? "（速報値）" : "", pw_basis_name(o->basis),
                o->as_of == PW_NO_DAY ? "-" : pw_day_format(o->as_of, day),
                o->known_ns ? pw_dash_time(o->known_ns, t, sizeof t) : "-",
                later ? "known_at より後 not yet known then" : "");
    }
    fputs("</tbody></table></section>\n", out);
}

static void ip_assessments(FILE *out, const struct ip_req *s)
{
    char t[48];
    size_t n = 0, all = s->assessments ? s->assessments->n_assessments : 0;
    for (size_t i = 0; i < all; i++)
        n += s->assessments->assessments[i]->indicator_id &&
             strcmp(s->assessments->assessments[i]->indicator_id, s->ind->id) == 0;
    fputs("<section id=\"assessments\"><h2>事務局評価の記録 <span class=\"en\">assessments "
          "recorded</span></h2>\n",
          out);
    if (!n) {
        fputs("<p>なし none</p></section>\n", out);
        return;
    }
    fputs("<ul>", out);
    for (size_t i = 0; i < all; i++) {
        const Planwatch__V1__Assessment *a = s->assessments->assessments[i];
        if (!a->indicator_id || strcmp(a->indicator_id, s->ind->id))
            continue;
        fprintf(out, "<li>FY%d: %s", a->fiscal_year, a->withdrawn ? "取り消し withdrawn" : "");
        pw_html_text(out, a->withdrawn ? "" : a->grade);
        fputs(" — ", out);
        pw_html_text(out, a->reason);
        fputs(" (", out);
        pw_html_text(out, a->by);
        fprintf(out, ", <time>%s</time>)</li>", pw_dash_time(a->received_ns, t, sizeof t));
    }
    fputs("</ul></section>\n", out);
}

static void ip_render(struct http *h, struct http_req *r, const Planwatch__V1__QueryReply *alerts)
{
    struct ip_req *s = http_req_state(r);
    const struct pw_indicator *ind = s->ind;
    struct pw_history *then = NULL;
    const struct pw_history *hist = h->hist;
    char *buf = NULL, title[400], path[PW_ID_MAX + 48];
    size_t len = 0, n = 0, nall = 0;
    if (s->v.known_at && pw_history_copy_known(h->hist, s->v.known_at, &then) == 0)
        hist = then;
    FILE *out = (!s->v.known_at || then) ? open_memstream(&buf, &len) : NULL;
    if (!out) {
        pw_history_close(&then);
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    const struct pw_obs *obs = pw_history_get(hist, ind, &n);
    const struct pw_obs *all = pw_history_get(h->hist, ind, &nall);
    struct pw_chart c;
    struct pw_chart_burn b;
    struct pw_assessment as;
    pw_chart_build(&c, ind, obs, n, s->v.as_of);
    pw_chart_burn(&c, &b);
    int assessed = ip_assessed(s, &c.now, &as);

    snprintf(title, sizeof title, "%s — planwatch", ind->name);
    http_page_open(out, h, r, &s->v, title, ind->name, ind->name_en && ind->name_en[0] ? ind->name_en
                                                                                 : ind->id);
    fputs("<p class=\"legend\"><a href=\"", out);
    const char *kv[] = {"plan", ind->plan->id, "project", pw_indicator_project_id(ind), NULL};
    http_view_href(out, &s->v, "/", kv);
    fputs("\">← ", out);
    pw_html_text(out, ind->plan->name);
    fputs(" · ", out);
    pw_html_text(out, ind->project ? ind->project->name : "計画全体");
    fputs("</a></p>\n", out);
    if (s->stale)
        fputs("<p role=\"alert\" class=\"st st-at-risk\">The store is not reachable: figures as "
              "last seen.</p>\n",
              out);
    ip_facts(out, s, &c, &as, assessed);
    /* a forecast alert projects at the recent pace (the catalog's forecast
     * years), the chart at the pace since the window began: say both */
    for (size_t i = 0; alerts && i < alerts->n_alerts; i++) {
        const Planwatch__V1__Alert *a = alerts->alerts[i];
        if (a->kind != PLANWATCH__V1__ALERT_KIND__ALERT_KIND_FORECAST || !a->has_forecast)
            continue;
        fputs("<p class=\"legend\" id=\"forecast\">▲ 見通し注意: 最近のペース（年 ", out);
        ip_num(out, 1, a->pace_micros, ind->unit);
        fprintf(out, "）では FY%d末に ", ind->target.last_fy);
        ip_num(out, 1, a->forecast_micros, ind->unit);
        fputs("（グラフの見通しは計画開始からのペース）<span class=\"en\">forecast at the recent "
              "pace; the chart's projection uses the pace since the window began</span></p>\n",
              out);
        break;
    }
    fputs("<section id=\"chart\"><h2>推移 <span class=\"en\">progress against the ideal line"
          "</span></h2>\n",
          out);
    pw_chart_svg_big(out, &c, &b, assessed ? as.grade : 0);
    ip_burn_words(out, &c, &b);
    fputs("</section>\n", out);
    ip_years(out, s, obs, n);

    fprintf(out, "<section id=\"alerts\"><h2>未解決のアラート <span class=\"en\">open alerts</span>"
                 "</h2>\n");
    if (!alerts)
        fputs("<p role=\"alert\">The store did not list the alerts; try again.</p>\n", out);
    else if (!alerts->n_alerts)
        fputs("<p>なし none</p>\n", out);
    else {
        fputs("<ul class=\"alerts\">\n", out);
        for (size_t i = 0; i < alerts->n_alerts; i++)
            http_alert_item(out, h, &s->v, alerts->alerts[i], alerts->acks, alerts->n_acks, hist);
        fputs("</ul>\n", out);
    }
    fprintf(out, "<p class=\"legend noprint\"><a href=\"/alerts?indicator=%s\">アラートの操作 "
                 "manage alerts</a></p></section>\n",
            ind->id);
    ip_assessments(out, s);
    ip_revisions(out, s, all, nall);

    /* downloads: the same data as files */
    snprintf(path, sizeof path, "/api/v1/indicators/%s/history", ind->id);
    fputs("<section id=\"downloads\"><h2>ダウンロード <span class=\"en\">downloads</span></h2>"
          "<ul><li><a href=\"",
          out);
    const char *csv[] = {"format", "csv", NULL};
    http_view_href(out, &s->v, path, csv);
    fputs("\">改訂履歴 CSV revisions</a> · <a href=\"", out);
    http_view_href(out, &s->v, path, NULL);
    fputs("\">JSON</a></li><li><a href=\"", out);
    const char *st[] = {"plan", ind->plan->id, "project", pw_indicator_project_id(ind),
                        "format", "csv", NULL};
    http_view_href(out, &s->v, "/api/v1/status", st);
    fputs("\">プロジェクトの状況 CSV status</a></li>", out);
    if (c.now.cp.fy) {
        char fy_s[12], fyname[32];
        snprintf(fy_s, sizeof fy_s, "%d", c.now.cp.fy);
        static const char *const fmts[] = {"html", "xlsx", "csv", "md"};
        fprintf(out, "<li>%s フォローアップ report:",
                pw_followup_fy_name(c.now.cp.fy, fyname, sizeof fyname));
        for (size_t k = 0; k < 4; k++) {
            const char *rk[] = {"plan", ind->plan->id, "fy", fy_s, "format", fmts[k], NULL};
            fputs(" <a href=\"", out);
            http_view_href(out, &s->v, "/api/v1/report", rk);
            fprintf(out, "\">%s</a>", fmts[k]);
        }
        fputs("</li>", out);
    }
    fputs("</ul></section>\n", out);
    pw_html_page_close(out);
    fclose(out);
    pw_history_close(&then);
    http_page_send(r, buf, len, s->stale);
}

static void ip_alerts_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    ip_render(h, r, http_page_reply(rc, type, m));
}

/* Keeps the assessment records (a copy: the reply is freed after this),
 * then asks for the indicator's alerts. */
static void ip_assess_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    struct ip_req *s = http_req_state(r);
    if (http_page_reply(rc, type, m)) {
        size_t len = protobuf_c_message_get_packed_size(m);
        uint8_t *b = malloc(len ? len : 1);
        if (b) {
            protobuf_c_message_pack(m, b);
            s->assessments = planwatch__v1__query_reply__unpack(NULL, len, b);
            free(b);
        }
    }
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    q.indicator_id = (char *)s->ind->id;
    http_up_query(h, &q, ip_alerts_done, r);
}

static void ip_after_refresh(struct http *h, struct http_req *r, int rc)
{
    struct ip_req *s = http_req_state(r);
    s->stale = rc != 0;
    if (s->stale) {
        ip_render(h, r, NULL);
        return;
    }
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESSMENTS;
    q.indicator_id = (char *)s->ind->id;
    q.history = 1;
    http_up_query(h, &q, ip_assess_done, r);
}

void http_indicator_get(struct http *h, struct http_req *r, const char *id)
{
    struct ip_req *s;
    if (!h->cat) {
        http_catalog_load(h);
        http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, PW_EUNAVAILABLE,
                       "the store's catalog is not loaded yet (store not reachable); try again");
        return;
    }
    const struct pw_indicator *ind = pw_catalog_find(h->cat, id);
    if (!ind) {
        http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, "no such indicator in the catalog");
        return;
    }
    if (!(s = calloc(1, sizeof *s))) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    http_req_set_state(r, s, ip_req_free);
    if (http_view_parse(h, r, &s->v))
        return;
    s->ind = ind;
    http_hist_refresh(h, r, ip_after_refresh);
}
