/* http_dashboard.c - GET /: the dashboard, rendered on the server as one
 * self-contained HTML page (no scripts, no external assets: it works offline
 * and prints). Per plan and project, every indicator is a row with target,
 * expected, actual, a status badge (colour, symbol and words) and an inline
 * SVG chart of its path against the plan's line; the open alerts with their
 * acknowledgement reasons come first; a GET form picks the as-of date, plan
 * and project. Rows and charts come from the same evaluation of the chart
 * cache (every stored update, brought up to date from the store before each
 * page), so a row can never disagree with its chart. The secretariat's
 * current assessments (asked of the store per page) show beside the
 * computed grade of the checkpoint they assess. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "dec.h"
#include "explain_ja.h"
#include "err.h"
#include "followup.h"
#include "fy.h"
#include "html.h"
#include "http.h"
#include "http_session.h"
#include "msg.h"
#include "report.h"

/* The secretariat's assessment of one indicator (fiscal year in as.fy). */
struct db_assessed {
    const struct pw_indicator *ind;
    struct pw_assessment as;
};

struct db_req {
    int32_t as_of;
    char plan[PW_ID_MAX + 1], project[PW_ID_MAX + 1];
    int stale;                   /* the cache could not be brought up to date */
    struct db_assessed *as;      /* the current assessments (owned); NULL: none or not known */
    size_t nas;
    enum pw_lang lang;           /* ?lang=: the explanations' language (default ja) */
};

static void db_req_free(void *p)
{
    struct db_req *d = p;
    if (d)
        free(d->as);
    free(d);
}

/* The assessment of ind's checkpoint judged in e, or NULL. */
static const struct pw_assessment *db_assessed(const struct db_req *d,
                                               const struct pw_indicator *ind,
                                               const struct pw_eval *e)
{
    for (size_t i = 0; i < d->nas; i++)
        if (d->as[i].ind == ind && pw_assessment_applies(&d->as[i].as, e))
            return &d->as[i].as;
    return NULL;
}

static int db_match(const struct db_req *d, const struct pw_indicator *ind)
{
    return (!d->plan[0] || strcmp(d->plan, ind->plan->id) == 0) &&
           (!d->project[0] || strcmp(d->project, pw_indicator_project_id(ind)) == 0);
}

static void db_form(FILE *out, const struct http *h, const struct db_req *d)
{
    char day[11];
    fprintf(out, "<form class=\"asof\" method=\"get\" action=\"/\">"
                 "<label>評価日 as of<input type=\"date\" name=\"as_of\" value=\"%s\" required>"
                 "</label><label>計画 plan<select name=\"plan\"><option value=\"\">すべて all"
                 "</option>",
            pw_day_format(d->as_of, day));
    for (size_t i = 0; i < pw_catalog_nplans(h->cat); i++) {
        const struct pw_plan *p = pw_catalog_plan(h->cat, i);
        fprintf(out, "<option value=\"%s\"%s>", p->id, strcmp(p->id, d->plan) ? "" : " selected");
        pw_html_text(out, p->name);
        fputs("</option>", out);
    }
    fputs("</select></label><label>プロジェクト project<select name=\"project\">"
          "<option value=\"\">すべて all</option>",
          out);
    fprintf(out, "<option value=\"all\"%s>計画全体 plan-wide</option>",
            strcmp(d->project, "all") ? "" : " selected");
    for (size_t i = 0; i < pw_catalog_nplans(h->cat); i++) {
        const struct pw_plan *p = pw_catalog_plan(h->cat, i);
        for (size_t k = 0; k < p->nprojects; k++) {
            const struct pw_project *pj = &p->projects[k];
            if (d->plan[0] && strcmp(d->plan, p->id))
                continue;
            fprintf(out, "<option value=\"%s\"%s>%s ", pj->id,
                    strcmp(pj->id, d->project) ? "" : " selected", p->id);
            pw_html_text(out, pj->name);
            fputs("</option>", out);
        }
    }
    fputs("</select></label><button type=\"submit\">表示 show</button></form>\n", out);
}

static void db_alerts(FILE *out, const struct http *h, const Planwatch__V1__QueryReply *q)
{
    char t[32];
    if (!q) {
        fputs("<section id=\"alerts\"><h2>未解決のアラート <span class=\"en\">open alerts</span>"
              "</h2><p role=\"alert\">The store did not list the alerts; try again.</p></section>\n",
              out);
        return;
    }
    fprintf(out, "<section id=\"alerts\"><h2>未解決のアラート (%zu) <span class=\"en\">open alerts"
                 "</span></h2>\n",
            q->n_alerts);
    if (q->n_alerts == 0)
        fputs("<p>なし none</p>\n", out);
    else
        fputs("<ul class=\"alerts\">\n", out);
    for (size_t i = 0; i < q->n_alerts; i++) {
        const Planwatch__V1__Alert *a = q->alerts[i];
        const struct pw_indicator *ind = a->indicator_id ? pw_catalog_find(h->cat, a->indicator_id)
                                                         : NULL;
        fputs("<li data-alert=\"", out);
        pw_html_text(out, a->alert_id);
        fputs("\">", out);
        pw_html_status(out, (enum pw_status)a->status,
                       a->row && a->row->grade ? a->row->grade[0] : '-');
        fputs(" <b>", out);
        pw_html_text(out, ind ? ind->name : a->indicator_id);
        fputs("</b> ", out);
        pw_html_text(out, a->summary);
        int acked = 0;
        for (size_t k = 0; k < q->n_acks; k++) {
            const Planwatch__V1__Ack *ak = q->acks[k];
            if (!a->alert_id || !ak->alert_id || strcmp(a->alert_id, ak->alert_id))
                continue;
            acked = 1;
            fputs("<span class=\"ack\">確認済 acknowledged: ", out);
            pw_html_text(out, ak->reason);
            fputs(" (", out);
            pw_html_text(out, ak->by);
            fprintf(out, ", %s)</span>", pw_msg_time(ak->time_ns, t, sizeof t));
        }
        if (!acked)
            fputs("<span class=\"ack\">未確認 not acknowledged</span>", out);
        fputs("</li>\n", out);
    }
    if (q->n_alerts)
        fputs("</ul>\n", out);
    fputs("</section>\n", out);
}

static void db_dec(FILE *out, int has, int64_t v, const char *unit)
{
    char b[PW_DEC_BUFSZ + 16];
    if (!has)
        fputs("-", out);
    else {
        pw_followup_number(v, b, sizeof b);
        pw_html_text(out, b);
        pw_html_text(out, unit);
    }
}

static void db_row(FILE *out, const struct pw_indicator *ind, const struct pw_chart *c,
                   const struct pw_chart *prev, const struct pw_assessment *as, enum pw_lang lang)
{
    const struct pw_eval *e = &c->now;
    char tb[120], g = pw_eval_grade_shown(e, as), ja[PW_EXPLAIN_MAX];
    fprintf(out, "<tr data-id=\"%s\" data-status=\"%s\" data-grade=\"%c\"%s><td data-label=\"指標\">",
            ind->id, pw_status_name(e->status), g, ind->parent ? " class=\"sub\"" : "");
    pw_html_indicator_name(out, ind);
    if (ind->predecessor) { /* plan lineage: the same indicator in an earlier plan */
        fprintf(out, "<span class=\"predecessor\" data-predecessor=\"%s\">前計画 predecessor: ",
                ind->predecessor->id);
        pw_html_text(out, ind->predecessor->id);
        fputs("（", out);
        pw_html_text(out, ind->predecessor->plan->name);
        fputs("）</span>", out);
    }
    fputs("</td><td data-label=\"目標\">", out);
    pw_html_text(out, pw_followup_target(ind, e, tb, sizeof tb));
    fputs("</td><td class=\"num\" data-label=\"期待値\">", out);
    db_dec(out, e->has_expected, e->expected, ind->unit);
    fputs("</td><td class=\"num\" data-label=\"実績\">", out);
    db_dec(out, e->has_actual, e->actual, ind->unit);
    if (e->preliminary)
        fputs("（速報値）", out);
    fputs("</td><td data-label=\"進捗\">", out);
    pw_html_status(out, e->status, g);
    fputs("</td><td data-label=\"推移\">", out);
    pw_chart_svg(out, c);
    if (prev) { /* the series before this plan, judged by its own plan's rule */
        fputs("<div class=\"lineage\">前計画 earlier plan ", out);
        pw_html_text(out, prev->ind->plan->name);
        fputs("<br>", out);
        pw_chart_svg(out, prev);
        fputs("</div>", out);
    }
    fputs("</td><td class=\"details\" data-label=\"説明\">", out);
    if (as) { /* both grades side by side: the secretariat's, then the rule's */
        fprintf(out, "<span class=\"assessed\">事務局評価 assessed %c (計算上 computed %c): ",
                as->grade, e->grade);
        pw_html_text(out, as->reason);
        fputs(" (", out);
        pw_html_text(out, as->by);
        fputs(")</span> ", out);
    }
    pw_html_text(out, pw_explain(ind, e, lang, ja, sizeof ja));
    fputs("</td></tr>\n", out);
}

static void db_section(FILE *out, struct http *h, const struct db_req *d, const struct pw_plan *p,
                       const struct pw_project *pj, size_t *count)
{
    int open = 0;
    for (size_t i = 0; i < pw_catalog_count(h->cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(h->cat, i);
        if (ind->plan != p || ind->project != pj || !db_match(d, ind))
            continue;
        if (!open) {
            fputs("<h3>", out);
            pw_html_text(out, pj ? pj->name : "計画全体");
            fputs("<span class=\"en\" lang=\"en\">", out);
            pw_html_text(out, pj ? pj->name_en : "Plan-wide indicators");
            fputs("</span></h3>\n<table class=\"rows dashboard\"><thead><tr>"
                  "<th>指標 <span class=\"en\">indicator</span></th>"
                  "<th>目標 <span class=\"en\">target</span></th>"
                  "<th>期待値 <span class=\"en\">expected</span></th>"
                  "<th>実績 <span class=\"en\">actual</span></th>"
                  "<th>進捗 <span class=\"en\">status</span></th>"
                  "<th>推移 <span class=\"en\">progress</span></th>"
                  "<th>説明 <span class=\"en\">explanation</span></th></tr></thead><tbody>\n",
                  out);
            open = 1;
        }
        size_t n;
        const struct pw_obs *obs = pw_history_get(h->hist, ind, &n);
        struct pw_chart c, prev;
        pw_chart_build(&c, ind, obs, n, d->as_of);
        count[c.now.status]++;
        if (ind->predecessor) {
            size_t pn;
            const struct pw_obs *po = pw_history_get(h->hist, ind->predecessor, &pn);
            pw_chart_build(&prev, ind->predecessor, po, pn, d->as_of);
        }
        db_row(out, ind, &c, ind->predecessor ? &prev : NULL, db_assessed(d, ind, &c.now),
               d->lang);
    }
    if (open)
        fputs("</tbody></table>\n", out);
}

/* Whether plan p has ended at as_of: every one of its indicators is judged
 * at its window's final checkpoint (the evaluation decides, as everywhere). */
static int db_plan_closed(struct http *h, const struct pw_plan *p, int32_t as_of)
{
    int any = 0;
    for (size_t i = 0; i < pw_catalog_count(h->cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(h->cat, i);
        if (ind->plan != p)
            continue;
        size_t n;
        const struct pw_obs *obs = pw_history_get(h->hist, ind, &n);
        struct pw_eval e;
        if (pw_eval_status(ind, obs, n, as_of, &e) || !e.cp.final)
            return 0;
        any = 1;
    }
    return any;
}

/* "<p id=ID>N what: status n ...</p>", nothing when there are none. */
static void db_tally(FILE *out, const char *id, const char *what, const size_t *count)
{
    size_t total = 0;
    for (int s = 0; s < PW_STATUS_COUNT; s++)
        total += count[s];
    if (!total && strcmp(id, "summary") != 0)
        return;
    fprintf(out, "<p id=\"%s\">%zu %s:", id, total, what);
    for (int s = 0; s < PW_STATUS_COUNT; s++)
        if (count[s]) {
            fputc(' ', out);
            pw_html_status(out, (enum pw_status)s, 0);
            fprintf(out, " %zu", count[s]);
        }
    fputs("</p>\n", out);
}

static void db_render(struct http *h, struct http_req *r, const Planwatch__V1__QueryReply *alerts)
{
    const struct db_req *d = http_req_state(r);
    char *buf = NULL, day[11];
    size_t len = 0, count[PW_STATUS_COUNT] = {0};
    FILE *out = open_memstream(&buf, &len);
    if (!out) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    pw_html_page_open(out, "planwatch 進捗ダッシュボード");
    http_session_bar(out, h, r);
    fputs("<h1>医療分野研究開発推進計画 進捗ダッシュボード<span class=\"en\" lang=\"en\">planwatch "
          "progress dashboard</span></h1>\n",
          out);
    fputs("<nav class=\"legend\"><a href=\"/alerts\">アラート alerts</a> · <a href=\"/upload\">取り込み upload</a> · <a href=\"/subscriptions\">通知先 webhooks</a></nav>\n", out);
    db_form(out, h, d);
    fprintf(out, "<p class=\"legend\">%s 時点 (end of day) · 格納済み seq %llu"
                 "<i style=\"border-color:#6e7781;border-top-style:dashed\"></i>計画 plan (each "
                 "fiscal-year end)"
                 "<i style=\"border-color:#1a7f37\"></i>実績 actual"
                 "<i style=\"border-color:#1a7f37;border-top-style:dotted\"></i>見通し at current pace"
                 " · ○ 期待値 expected at the checkpoint judged (評価時点)</p>\n",
            pw_day_format(d->as_of, day), (unsigned long long)h->hist_seq);
    if (d->stale)
        fputs("<p role=\"alert\" class=\"st st-at-risk\">The store is not reachable: figures as "
              "last seen.</p>\n",
              out);
    db_alerts(out, h, alerts);
    /* the rows first into their own buffer: the tallies above them need
     * them; running plans first, then the final results of ended ones */
    char *rows = NULL;
    size_t rlen = 0, fin[PW_STATUS_COUNT] = {0};
    FILE *rf = open_memstream(&rows, &rlen);
    for (int closed = 0; closed < 2; closed++)
        for (size_t i = 0; rf && i < pw_catalog_nplans(h->cat); i++) {
            const struct pw_plan *p = pw_catalog_plan(h->cat, i);
            if ((d->plan[0] && strcmp(d->plan, p->id)) || db_plan_closed(h, p, d->as_of) != closed)
                continue;
            fprintf(rf, "<section class=\"plan%s\" data-plan=\"%s\"><h2>", closed ? " closed" : "",
                    p->id);
            pw_html_text(rf, p->name);
            if (closed) {
                char fyname[32];
                fprintf(rf, " 最終結果（%s末）",
                        pw_followup_fy_name(p->last_fy, fyname, sizeof fyname));
            }
            fputs("<span class=\"en\" lang=\"en\">", rf);
            pw_html_text(rf, p->name_en);
            fprintf(rf, " (FY%d–%d)%s</span></h2>\n", p->first_fy, p->last_fy,
                    closed ? " final results: the plan has ended" : "");
            db_section(rf, h, d, p, NULL, closed ? fin : count);
            for (size_t k = 0; k < p->nprojects; k++)
                db_section(rf, h, d, p, &p->projects[k], closed ? fin : count);
            fputs("</section>\n", rf);
        }
    if (rf)
        fclose(rf);
    db_tally(out, "summary", "指標 indicators", count);
    db_tally(out, "final-summary", "最終結果 final results of ended plans", fin);
    if (rows)
        fwrite(rows, 1, rlen, out);
    free(rows);
    pw_html_page_close(out);
    fclose(out);
    if (!rf || !buf)
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
    else
        http_req_respond(r, d->stale ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK,
                         "text/html; charset=utf-8", buf, len, d->stale ? "Retry-After: 5" : NULL);
    free(buf);
}

static void db_alerts_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    const Planwatch__V1__QueryReply *q = NULL;
    if (!rc && type == PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY &&
        !((const Planwatch__V1__QueryReply *)m)->code)
        q = (const Planwatch__V1__QueryReply *)m;
    db_render(h, r, q);
}

/* The current assessments into d->as (none when the store did not list
 * them: the rule's grades still show), then the alerts. */
static void db_assess_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    struct db_req *d = http_req_state(r);
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    if (!rc && type == PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY && !q->code && q->n_assessments &&
        (d->as = calloc(q->n_assessments, sizeof *d->as))) {
        for (size_t i = 0; i < q->n_assessments; i++) {
            const Planwatch__V1__Assessment *a = q->assessments[i];
            d->as[d->nas].ind = a->indicator_id ? pw_catalog_find(h->cat, a->indicator_id) : NULL;
            pw_msg_assessment_from(&d->as[d->nas].as, a);
            d->nas += d->as[d->nas].ind && d->as[d->nas].as.fy;
        }
    }
    Planwatch__V1__Query aq = PLANWATCH__V1__QUERY__INIT;
    aq.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    aq.plan = d->plan;
    aq.project = d->project;
    http_up_query(h, &aq, db_alerts_done, r);
}

static void db_after_refresh(struct http *h, struct http_req *r, int rc)
{
    struct db_req *d = http_req_state(r);
    d->stale = rc != 0;
    if (d->stale) {
        db_render(h, r, NULL);
        return;
    }
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESSMENTS;
    http_up_query(h, &q, db_assess_done, r);
}

void http_dashboard_get(struct http *h, struct http_req *r)
{
    const char *as_of = http_req_arg(r, "as_of"), *plan = http_req_arg(r, "plan"),
               *project = http_req_arg(r, "project"), *lang = http_req_arg(r, "lang");
    struct db_req *d;
    if (!h->cat) {
        static const char page[] =
            "<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><title>planwatch</title>"
            "<p role=\"alert\">The store's catalog is not loaded yet (store not reachable). "
            "Reload in a few seconds.</p></html>\n";
        http_catalog_load(h);
        http_req_respond(r, MHD_HTTP_SERVICE_UNAVAILABLE, "text/html; charset=utf-8", page,
                         sizeof page - 1, "Retry-After: 5");
        return;
    }
    if (!(d = calloc(1, sizeof *d))) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    http_req_set_state(r, d, db_req_free);
    d->as_of = pw_clock_today(&h->clock);
    if ((as_of && as_of[0] && pw_day_parse(as_of, &d->as_of)) ||
        (plan && (strlen(plan) > PW_ID_MAX || (plan[0] && !pw_catalog_find_plan(h->cat, plan)))) ||
        (project && strlen(project) > PW_ID_MAX) ||
        (lang && lang[0] && pw_lang_parse(lang, &d->lang))) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "as_of is a date YYYY-MM-DD; plan and project are catalog ids; lang is ja "
                       "or en");
        return;
    }
    snprintf(d->plan, sizeof d->plan, "%s", plan ? plan : "");
    snprintf(d->project, sizeof d->project, "%s", project ? project : "");
    http_hist_refresh(h, r, db_after_refresh);
}
