/* http_dashboard.c - GET /: the dashboard, rendered on the server as one
 * self-contained HTML page (no scripts, no external assets: it works offline
 * and prints). It answers "by how much" at a glance: per plan and project,
 * every indicator is a row with target, expected, actual, the gap to the
 * checkpoint judged (in its unit and in %), a status badge (colour, symbol
 * and words) and an inline SVG chart, and links to its own page
 * (http_indicator.c). GET parameters filter (grade, plan, project, office,
 * alert kind) and sort (gap, id, project); ?known_at= shows what was known
 * then; every link and form carries as_of, known_at and lang. The open
 * alerts come first (badges by kind; an acknowledgement older than the
 * indicator's latest figures is marked stale), the heat map of indicators x
 * fiscal years with their grades last (alone: ?view=heatmap). Rows, gaps, heat map and charts come
 * from the same evaluation of the chart cache (every stored update, brought
 * up to date from the store before each page), so they never disagree.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "dash.h"
#include "dec.h"
#include "explain_ja.h"
#include "err.h"
#include "followup.h"
#include "fy.h"
#include "html.h"
#include "http.h"
#include "http_session.h"
#include "http_auth.h"
#include "msg.h"
#include "registry.h"
#include "report.h"

/* ---- the dashboard --------------------------------------------------------- */

/* The secretariat's assessment of one indicator (fiscal year in as.fy). */
struct db_assessed {
    const struct pw_indicator *ind;
    struct pw_assessment as;
};

struct db_req {
    struct http_view v;
    char plan[PW_ID_MAX + 1], project[PW_ID_MAX + 1], office[PW_ID_MAX + 1];
    const struct pw_principal *office_p; /* ?office=: its write scope; NULL: every office */
    char grade;                  /* ?grade=: 'A', 'B', '-' or 0 (every grade) */
    int kind;                    /* ?kind=: an AlertKind the row has open, or -1 */
    enum pw_dash_sort sort;      /* ?sort= */
    int heat_only;               /* ?view=heatmap: the heat map alone, on one screen */
    int stale;                   /* the cache could not be brought up to date */
    struct db_assessed *as;      /* the current assessments (owned); NULL: none or not known */
    size_t nas;
};

static const char *const db_kind_names[] = {"status", "overdue", "forecast"};

static void db_req_free(void *p)
{
    struct db_req *d = p;
    if (d)
        free(d->as);
    free(d);
}

/* The filters but the view's own parameters, as href pairs; over: one
 * filter replaced (key, value) or NULL. */
static void db_href(FILE *out, const struct db_req *d, const char *key, const char *value)
{
    char g[2] = {d->grade, 0};
    const char *kv[] = {"plan", d->plan, "project", d->project, "office", d->office,
                        "grade", g, "kind", d->kind >= 0 ? db_kind_names[d->kind] : "",
                        "sort", d->sort != PW_DASH_SORT_PROJECT ? pw_dash_sort_name(d->sort) : "",
                        "view", d->heat_only ? "heatmap" : "", NULL};
    for (size_t i = 0; key && kv[i]; i += 2)
        if (strcmp(kv[i], key) == 0)
            kv[i + 1] = value;
    http_view_href(out, &d->v, "/", kv);
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

/* The assessment of ind's fiscal year fy, or NULL. */
static const struct pw_assessment *db_assessed_fy(const struct db_req *d,
                                                  const struct pw_indicator *ind, int fy)
{
    for (size_t i = 0; i < d->nas; i++)
        if (d->as[i].ind == ind && d->as[i].as.fy == fy)
            return &d->as[i].as;
    return NULL;
}

/* ind has an open alert of kind (in q). */
static int db_has_alert(const Planwatch__V1__QueryReply *q, const struct pw_indicator *ind,
                        int kind)
{
    for (size_t i = 0; q && i < q->n_alerts; i++)
        if (q->alerts[i]->indicator_id && strcmp(q->alerts[i]->indicator_id, ind->id) == 0 &&
            (int)q->alerts[i]->kind == kind)
            return 1;
    return 0;
}

/* Plan, project and office: the filters that need no evaluation. */
static int db_match(const struct db_req *d, const struct pw_indicator *ind)
{
    return (!d->plan[0] || strcmp(d->plan, ind->plan->id) == 0) &&
           (!d->project[0] || strcmp(d->project, pw_indicator_project_id(ind)) == 0) &&
           (!d->office_p || pw_principal_may_write(d->office_p, ind));
}

/* The grade and alert-kind filters, on an evaluated row. */
static int db_match_row(const struct db_req *d, const struct pw_dash_row *row,
                        const Planwatch__V1__QueryReply *alerts)
{
    char g = row->grade == 'A' || row->grade == 'B' ? row->grade : '-';
    return (!d->grade || d->grade == g) && (d->kind < 0 || db_has_alert(alerts, row->ind, d->kind));
}

static void db_select(FILE *out, const char *name, const char *label, const char *const *opts,
                      const char *cur)
{
    fprintf(out, "<label>%s<select name=\"%s\">", label, name);
    for (size_t i = 0; opts[i]; i += 2) {
        fprintf(out, "<option value=\"%s\"%s>", opts[i], strcmp(opts[i], cur) ? "" : " selected");
        pw_html_text(out, opts[i + 1]);
        fputs("</option>", out);
    }
    fputs("</select></label>", out);
}

static void db_form(FILE *out, const struct http *h, const struct db_req *d)
{
    char day[11], g[2] = {d->grade, 0};
    fprintf(out, "<form class=\"asof\" method=\"get\" action=\"/\">"
                 "<label>評価日 as of<input type=\"date\" name=\"as_of\" value=\"%s\" required>"
                 "</label><label>既知時点 known at<input type=\"text\" name=\"known_at\" "
                 "placeholder=\"YYYY-MM-DD\" size=\"12\" value=\"",
            pw_day_format(d->v.as_of, day));
    pw_html_text(out, d->v.known_at_s);
    fputs("\"></label><label>計画 plan<select name=\"plan\"><option value=\"\">すべて all</option>",
          out);
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
    fputs("</select></label><label>担当 office<input type=\"text\" name=\"office\" size=\"8\" "
          "value=\"",
          out);
    pw_html_text(out, d->office);
    fputs("\"></label>", out);
    static const char *const grades[] = {"", "すべて all", "A", "A 順調", "B", "B 進捗が不十分",
                                         "-", "- 評価なし ungraded", NULL};
    db_select(out, "grade", "進捗 grade", grades, g);
    static const char *const kinds[] = {"", "すべて all", "status", "進捗 status",
                                        "overdue", "未報告 overdue", "forecast", "見通し forecast",
                                        NULL};
    db_select(out, "kind", "アラート alert", kinds, d->kind >= 0 ? db_kind_names[d->kind] : "");
    static const char *const sorts[] = {"project", "プロジェクト順 project", "gap",
                                        "差の大きい順 gap", "id", "ID順 id", NULL};
    db_select(out, "sort", "並べ替え sort", sorts, pw_dash_sort_name(d->sort));
    static const char *const langs[] = {"ja", "日本語", "en", "English", NULL};
    db_select(out, "lang", "説明 language", langs, pw_lang_name(d->v.lang));
    if (d->heat_only)
        fputs("<input type=\"hidden\" name=\"view\" value=\"heatmap\">", out);
    fputs("<button type=\"submit\">表示 show</button></form>\n", out);
}

/* One-click filters and sorts: the current page with one filter changed. */
static void db_quick(FILE *out, const struct db_req *d)
{
    static const struct {
        const char *key, *value, *words;
    } q[] = {{"grade", "", "すべて all"},     {"grade", "B", "B のみ B only"},
             {"grade", "A", "A のみ A only"}, {"kind", "forecast", "見通し注意 forecasts"},
             {"kind", "overdue", "未報告 overdue"}, {"sort", "gap", "差の大きい順 by gap"},
             {"sort", "id", "ID順 by id"},     {"sort", "", "プロジェクト順 by project"}};
    char g[2] = {d->grade, 0};
    fputs("<p class=\"quick\">", out);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        const char *cur = strcmp(q[i].key, "grade") == 0  ? g
                          : strcmp(q[i].key, "kind") == 0 ? (d->kind >= 0 ? db_kind_names[d->kind] : "")
                          : d->sort != PW_DASH_SORT_PROJECT ? pw_dash_sort_name(d->sort)
                                                            : "";
        fprintf(out, "<a data-quick=\"%s=%s\" class=\"%s\" href=\"", q[i].key, q[i].value,
                strcmp(cur, q[i].value) ? "" : "on");
        db_href(out, d, q[i].key, q[i].value);
        fprintf(out, "\">%s</a>", q[i].words);
    }
    fputs("</p>\n", out);
}

/* CSV and report links for what is shown. */
static void db_downloads(FILE *out, const struct http *h, const struct db_req *d)
{
    char fy[12], fyname[32];
    /* the follow-up of the last fiscal year ended by the end of as_of */
    int last = pw_fy_of(d->v.as_of + 1) - 1;
    snprintf(fy, sizeof fy, "%d", last);
    fputs("<p class=\"legend noprint\" id=\"downloads\">ダウンロード downloads: <a href=\"", out);
    const char *kv[] = {"plan", d->plan, "project", d->project, "format", "csv", NULL};
    http_view_href(out, &d->v, "/api/v1/status", kv);
    fputs("\">状況 CSV status</a>", out);
    for (size_t i = 0; i < pw_catalog_nplans(h->cat); i++) {
        const struct pw_plan *p = pw_catalog_plan(h->cat, i);
        if (d->plan[0] && strcmp(d->plan, p->id))
            continue;
        int y = last > p->last_fy ? p->last_fy : last;
        if (y < p->first_fy)
            continue;
        snprintf(fy, sizeof fy, "%d", y);
        static const char *const fmts[] = {"html", "xlsx", "csv"};
        fprintf(out, " · %s %s フォローアップ report:", p->id,
                pw_followup_fy_name(y, fyname, sizeof fyname));
        for (size_t k = 0; k < 3; k++) {
            const char *rk[] = {"plan", p->id, "fy", fy, "format", fmts[k], NULL};
            fputs(" <a href=\"", out);
            http_view_href(out, &d->v, "/api/v1/report", rk);
            fprintf(out, "\">%s</a>", fmts[k]);
        }
    }
    fputs("</p>\n", out);
}

/* The rows of one request: every indicator the filters keep, evaluated. */
struct db_rows {
    struct pw_dash_row *v;
    size_t n;
};

/* Whether alert a is shown: its indicator is among the rows the filters
 * keep (an indicator the catalog does not know: only without filters), and
 * its kind is the one asked for. */
static int db_alert_shown(const struct http *h, const struct db_req *d, const struct db_rows *rows,
                          const Planwatch__V1__Alert *a)
{
    const struct pw_indicator *ind = a->indicator_id ? pw_catalog_find(h->cat, a->indicator_id)
                                                     : NULL;
    if (d->kind >= 0 && (int)a->kind != d->kind)
        return 0;
    if (!ind)
        return !d->plan[0] && !d->project[0] && !d->office_p && !d->grade;
    for (size_t i = 0; i < rows->n; i++)
        if (rows->v[i].ind == ind)
            return 1;
    return 0;
}

static void db_alerts(FILE *out, const struct http *h, const struct db_req *d,
                      const Planwatch__V1__QueryReply *q, const struct pw_history *hist,
                      const struct db_rows *rows)
{
    if (!q) {
        fputs("<section id=\"alerts\"><h2>未解決のアラート <span class=\"en\">open alerts</span>"
              "</h2><p role=\"alert\">The store did not list the alerts; try again.</p></section>\n",
              out);
        return;
    }
    size_t shown = 0;
    for (size_t i = 0; i < q->n_alerts; i++)
        if (db_alert_shown(h, d, rows, q->alerts[i]))
            shown++;
    fprintf(out, "<section id=\"alerts\"><h2>未解決のアラート (%zu) <span class=\"en\">open alerts"
                 "</span></h2>\n",
            shown);
    fputs(shown ? "<ul class=\"alerts\">\n" : "<p>なし none</p>\n", out);
    for (size_t i = 0; i < q->n_alerts; i++)
        if (db_alert_shown(h, d, rows, q->alerts[i]))
            http_alert_item(out, h, &d->v, q->alerts[i], q->acks, q->n_acks, hist);
    if (shown)
        fputs("</ul>\n", out);
    fputs("</section>\n", out);
}

static void db_dec(FILE *out, int has, int64_t v, const char *unit)
{
    char b[PW_DEC_BUFSZ + 16];
    if (!has)
        fputs("-", out);
    else {
        pw_html_text(out, pw_dash_number(v, b, sizeof b));
        pw_html_text(out, unit);
    }
}

static void db_gap(FILE *out, const struct pw_dash_row *row)
{
    char b[PW_DASH_GAP_BUFSZ];
    fprintf(out, "<td class=\"gap\" data-label=\"差\"><span class=\"%s\">",
            !row->gap.has ? "" : row->gap.diff < 0 ? "gap-neg" : "gap-pos");
    /* a gap between two percentages is in points, not in per cent */
    pw_html_text(out, pw_dash_gap_format(&row->gap, row->ind->percent ? "ポイント" : row->ind->unit,
                                         b, sizeof b));
    fputs("</span></td>", out);
}

static void db_head(FILE *out, int flat)
{
    fprintf(out, "<table class=\"rows dashboard\"><thead><tr>"
                 "<th>指標 <span class=\"en\">indicator</span></th>%s"
                 "<th>目標 <span class=\"en\">target</span></th>"
                 "<th>期待値 <span class=\"en\">expected</span></th>"
                 "<th>実績 <span class=\"en\">actual</span></th>"
                 "<th>差 <span class=\"en\">gap</span></th>"
                 "<th>進捗 <span class=\"en\">status</span></th>"
                 "<th>推移 <span class=\"en\">progress</span></th>"
                 "<th>説明 <span class=\"en\">explanation</span></th></tr></thead><tbody>\n",
            flat ? "<th>計画・プロジェクト <span class=\"en\">plan · project</span></th>" : "");
}

static void db_row(FILE *out, const struct db_req *d, const struct pw_dash_row *row,
                   const struct pw_chart *c, const struct pw_chart *prev,
                   const struct pw_assessment *as, int flat)
{
    const struct pw_indicator *ind = row->ind;
    const struct pw_eval *e = &row->ev;
    char tb[120], ja[PW_EXPLAIN_MAX];
    fprintf(out, "<tr data-id=\"%s\" data-status=\"%s\" data-grade=\"%c\"%s><td data-label=\"指標\">",
            ind->id, pw_status_name(e->status), row->grade, ind->parent ? " class=\"sub\"" : "");
    fputs("<a class=\"ind\" href=\"", out);
    http_indicator_href(out, &d->v, ind);
    fputs("\">", out);
    pw_html_indicator_name(out, ind);
    fputs("</a>", out);
    if (ind->predecessor) { /* plan lineage: the same indicator in an earlier plan */
        fprintf(out, "<span class=\"predecessor\" data-predecessor=\"%s\">前計画 predecessor: ",
                ind->predecessor->id);
        pw_html_text(out, ind->predecessor->id);
        fputs("（", out);
        pw_html_text(out, ind->predecessor->plan->name);
        fputs("）</span>", out);
    }
    fputs("</td>", out);
    if (flat) {
        fputs("<td data-label=\"計画\">", out);
        pw_html_text(out, ind->plan->id);
        fputs(" · ", out);
        pw_html_text(out, ind->project ? ind->project->name : "計画全体");
        fputs("</td>", out);
    }
    fputs("<td data-label=\"目標\">", out);
    pw_html_text(out, pw_followup_target(ind, e, tb, sizeof tb));
    fputs("</td><td class=\"num\" data-label=\"期待値\">", out);
    db_dec(out, e->has_expected, e->expected, ind->unit);
    fputs("</td><td class=\"num\" data-label=\"実績\">", out);
    db_dec(out, e->has_actual, e->actual, ind->unit);
    if (e->preliminary)
        fputs("（速報値）", out);
    fputs("</td>", out);
    db_gap(out, row);
    fputs("<td data-label=\"進捗\">", out);
    pw_html_status(out, e->status, row->grade);
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
    pw_html_text(out, pw_explain(ind, e, d->v.lang, ja, sizeof ja));
    fputs("</td></tr>\n", out);
}

static int db_collect(const struct http *h, const struct db_req *d, const struct pw_history *hist,
                      const Planwatch__V1__QueryReply *alerts, struct db_rows *rows)
{
    size_t cap = pw_catalog_count(h->cat);
    rows->n = 0;
    if (!(rows->v = calloc(cap ? cap : 1, sizeof *rows->v)))
        return PW_ENOMEM;
    for (size_t i = 0; i < cap; i++) {
        const struct pw_indicator *ind = pw_catalog_at(h->cat, i);
        if (!db_match(d, ind))
            continue;
        size_t n;
        const struct pw_obs *obs = pw_history_get(hist, ind, &n);
        struct pw_dash_row *row = &rows->v[rows->n];
        row->ind = ind;
        pw_eval_indicator(ind, obs, n, d->v.as_of, &row->ev);
        row->grade = pw_eval_grade_shown(&row->ev, db_assessed(d, ind, &row->ev));
        if (row->grade != 'A' && row->grade != 'B')
            row->grade = '-';
        pw_dash_gap(ind, &row->ev, &row->gap);
        if (db_match_row(d, row, alerts))
            rows->n++;
    }
    pw_dash_sort_rows(rows->v, rows->n, d->sort);
    return 0;
}

static void db_write_row(FILE *out, const struct db_req *d, const struct pw_history *hist,
                         const struct pw_dash_row *row, int flat)
{
    const struct pw_indicator *ind = row->ind;
    size_t n;
    const struct pw_obs *obs = pw_history_get(hist, ind, &n);
    struct pw_chart c, prev;
    pw_chart_build(&c, ind, obs, n, d->v.as_of);
    if (ind->predecessor) {
        size_t pn;
        const struct pw_obs *po = pw_history_get(hist, ind->predecessor, &pn);
        pw_chart_build(&prev, ind->predecessor, po, pn, d->v.as_of);
    }
    db_row(out, d, row, &c, ind->predecessor ? &prev : NULL, db_assessed(d, ind, &c.now), flat);
}

/* Whether plan p has ended at as_of: every one of its indicators is judged
 * at its window's final checkpoint (the evaluation decides, as everywhere). */
static int db_plan_closed(const struct http *h, const struct pw_history *hist,
                          const struct pw_plan *p, int32_t as_of)
{
    int any = 0;
    for (size_t i = 0; i < pw_catalog_count(h->cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(h->cat, i);
        if (ind->plan != p)
            continue;
        size_t n;
        const struct pw_obs *obs = pw_history_get(hist, ind, &n);
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

/* The grouped layout (sort=project): per plan (running ones first, then the
 * final results of ended ones) and project. */
static void db_grouped(FILE *out, const struct http *h, const struct db_req *d,
                       const struct pw_history *hist, const struct db_rows *rows, size_t *count,
                       size_t *fin)
{
    for (int closed = 0; closed < 2; closed++)
        for (size_t i = 0; i < pw_catalog_nplans(h->cat); i++) {
            const struct pw_plan *p = pw_catalog_plan(h->cat, i);
            if ((d->plan[0] && strcmp(d->plan, p->id)) ||
                db_plan_closed(h, hist, p, d->v.as_of) != closed)
                continue;
            fprintf(out, "<section class=\"plan%s\" data-plan=\"%s\"><h2>", closed ? " closed" : "",
                    p->id);
            pw_html_text(out, p->name);
            if (closed) {
                char fyname[32];
                fprintf(out, " 最終結果（%s末）",
                        pw_followup_fy_name(p->last_fy, fyname, sizeof fyname));
            }
            fputs("<span class=\"en\" lang=\"en\">", out);
            pw_html_text(out, p->name_en);
            fprintf(out, " (FY%d–%d)%s</span></h2>\n", p->first_fy, p->last_fy,
                    closed ? " final results: the plan has ended" : "");
            for (size_t k = 0; k <= p->nprojects; k++) {
                const struct pw_project *pj = k == 0 ? NULL : &p->projects[k - 1];
                int open = 0;
                for (size_t r = 0; r < rows->n; r++) {
                    const struct pw_dash_row *row = &rows->v[r];
                    if (row->ind->plan != p || row->ind->project != pj)
                        continue;
                    if (!open) {
                        fputs("<h3>", out);
                        pw_html_text(out, pj ? pj->name : "計画全体");
                        fputs("<span class=\"en\" lang=\"en\">", out);
                        pw_html_text(out, pj ? pj->name_en : "Plan-wide indicators");
                        fputs("</span></h3>\n", out);
                        db_head(out, 0);
                        open = 1;
                    }
                    (closed ? fin : count)[row->ev.status]++;
                    db_write_row(out, d, hist, row, 0);
                }
                if (open)
                    fputs("</tbody></table>\n", out);
            }
            fputs("</section>\n", out);
        }
}

/* The heat map: per plan, each indicator shown x each fiscal year of the
 * plan, the grade its follow-up table of that year gives. */
static void db_heatmap(FILE *out, const struct http *h, const struct db_req *d,
                       const struct pw_history *hist, const struct db_rows *rows)
{
    char fyname[32], b[PW_DEC_BUFSZ + 16];
    fputs("<section id=\"heatmap\"><h2>年度別の進捗 ヒートマップ<span class=\"en\" lang=\"en\">"
          "grades by fiscal year (the follow-up tables of every year)</span></h2>\n",
          out);
    for (size_t i = 0; i < pw_catalog_nplans(h->cat); i++) {
        const struct pw_plan *p = pw_catalog_plan(h->cat, i);
        int any = 0;
        for (size_t r = 0; r < rows->n && !any; r++)
            any = rows->v[r].ind->plan == p;
        if (!any)
            continue;
        fprintf(out, "<h3>");
        pw_html_text(out, p->name);
        fputs("</h3><table class=\"heat\" data-plan=\"", out);
        pw_html_text(out, p->id);
        fputs("\"><thead><tr><th>指標 indicator</th>", out);
        for (int fy = p->first_fy; fy <= p->last_fy; fy++) {
            fprintf(out, "<th>%s<span class=\"en\">FY%d</span></th>",
                    pw_followup_fy_name(fy, fyname, sizeof fyname), fy);
        }
        fputs("</tr></thead><tbody>\n", out);
        const struct pw_project *pj = NULL;
        int first = 1;
        for (size_t r = 0; r < rows->n; r++) {
            const struct pw_indicator *ind = rows->v[r].ind;
            if (ind->plan != p)
                continue;
            if (first || ind->project != pj) { /* names repeat across projects */
                pj = ind->project;
                first = 0;
                fprintf(out, "<tr class=\"proj\"><th colspan=\"%d\">", p->last_fy - p->first_fy + 2);
                pw_html_text(out, pj ? pj->name : "計画全体");
                fputs("</th></tr>\n", out);
            }
            struct pw_dash_cell cells[PW_WINDOW_MAX * 4];
            size_t n;
            const struct pw_obs *obs = pw_history_get(hist, ind, &n);
            if (p->last_fy - p->first_fy >= PW_WINDOW_MAX * 4 ||
                pw_dash_cells(ind, obs, n, d->v.as_of, PW_KNOWN_ALL, p->first_fy, p->last_fy,
                              cells))
                continue;
            fprintf(out, "<tr data-heat=\"%s\"><td class=\"name\"><a class=\"ind\" href=\"", ind->id);
            http_indicator_href(out, &d->v, ind);
            fputs("\">", out);
            pw_html_text(out, ind->name);
            fputs("</a></td>", out);
            for (int fy = p->first_fy; fy <= p->last_fy; fy++) {
                const struct pw_dash_cell *c = &cells[fy - p->first_fy];
                /* the grade that year's follow-up table prints: the
                 * secretariat's when it assessed the year (marked ※) */
                const struct pw_assessment *as = c->state == PW_DASH_CELL_JUDGED
                                                     ? db_assessed_fy(d, ind, fy)
                                                     : NULL;
                char g = as ? as->grade : c->grade;
                const char *cls = c->state == PW_DASH_CELL_FUTURE ? "g-future"
                                  : c->state == PW_DASH_CELL_NONE ? "g-none"
                                  : g == 'A'                      ? "g-A"
                                  : g == 'B'                      ? "g-B"
                                                                  : "g-none";
                fprintf(out, "<td class=\"%s\" data-fy=\"%d\" data-grade=\"%c\"%s title=\"FY%d",
                        cls, fy, c->state == PW_DASH_CELL_JUDGED ? g : '-',
                        as ? " data-assessed=\"1\"" : "", fy);
                if (c->has_actual) {
                    fputs(": ", out);
                    db_dec(out, 1, c->actual, ind->unit);
                }
                if (as)
                    fprintf(out, ", 事務局評価 %c (計算上 %c)", as->grade, c->grade);
                fputs("\">", out);
                if (c->state == PW_DASH_CELL_JUDGED) {
                    fprintf(out, "%c%s<span class=\"en\">", g, as ? "※" : "");
                    pw_html_text(out, pw_dash_number(c->actual, b, sizeof b));
                    fputs("</span>", out);
                } else
                    fputs(c->state == PW_DASH_CELL_FUTURE ? "" : "–", out);
                fputs("</td>", out);
            }
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
    }
    fputs("<p class=\"legend\">A 順調 · B 進捗が不十分 · ※ 事務局評価 assessed by the secretariat · "
          "– 数値なし no figure for that year · 空欄 not ended yet</p></section>\n",
          out);
}

static void db_render(struct http *h, struct http_req *r, const Planwatch__V1__QueryReply *alerts)
{
    const struct db_req *d = http_req_state(r);
    char *buf = NULL;
    size_t len = 0, count[PW_STATUS_COUNT] = {0}, fin[PW_STATUS_COUNT] = {0};
    struct pw_history *then = NULL; /* at ?known_at=: what was known then */
    struct db_rows rows = {NULL, 0};
    const struct pw_history *hist = h->hist;
    if (d->v.known_at && pw_history_copy_known(h->hist, d->v.known_at, &then) == 0)
        hist = then;
    FILE *out = open_memstream(&buf, &len);
    if (!out || (d->v.known_at && !then) || db_collect(h, d, hist, alerts, &rows)) {
        if (out)
            fclose(out);
        free(buf);
        free(rows.v);
        pw_history_close(&then);
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    http_page_open(out, h, r, &d->v, "planwatch 進捗ダッシュボード",
                   "医療分野研究開発推進計画 進捗ダッシュボード", "planwatch progress dashboard");
    db_form(out, h, d);
    db_quick(out, d);
    fprintf(out, "<p class=\"legend\">格納済み seq %llu"
                 "<i style=\"border-color:#6e7781;border-top-style:dashed\"></i>計画 plan (each "
                 "fiscal-year end)"
                 "<i style=\"border-color:#1a7f37\"></i>実績 actual"
                 "<i style=\"border-color:#1a7f37;border-top-style:dotted\"></i>見通し at current pace"
                 " · ○ 期待値 expected at the checkpoint judged (評価時点) · 差 gap = 実績 − 期待値 "
                 "(actual − expected at that checkpoint)</p>\n",
            (unsigned long long)h->hist_seq);
    db_downloads(out, h, d);
    if (d->stale)
        fputs("<p role=\"alert\" class=\"st st-at-risk\">The store is not reachable: figures as "
              "last seen.</p>\n",
              out);
    if (!d->heat_only)
        db_alerts(out, h, d, alerts, hist, &rows);
    /* the rows first into their own buffer: the tallies above them need them */
    char *body = NULL;
    size_t blen = 0;
    FILE *rf = open_memstream(&body, &blen);
    if (rf && d->heat_only)
        ; /* the heat map alone */
    else if (rf && d->sort == PW_DASH_SORT_PROJECT)
        db_grouped(rf, h, d, hist, &rows, count, fin);
    else if (rf) {
        fprintf(rf, "<section class=\"sorted\" data-sort=\"%s\"><h2>並べ替え sorted by %s</h2>\n",
                pw_dash_sort_name(d->sort), pw_dash_sort_name(d->sort));
        db_head(rf, 1);
        for (size_t i = 0; i < rows.n; i++) {
            count[rows.v[i].ev.status]++;
            db_write_row(rf, d, hist, &rows.v[i], 1);
        }
        fputs("</tbody></table></section>\n", rf);
    }
    if (rf) {
        db_heatmap(rf, h, d, hist, &rows);
        fclose(rf);
    }
    if (!d->heat_only) {
        db_tally(out, "summary", "指標 indicators", count);
        db_tally(out, "final-summary", "最終結果 final results of ended plans", fin);
    }
    if (body)
        fwrite(body, 1, blen, out);
    free(body);
    pw_html_page_close(out);
    fclose(out);
    free(rows.v);
    pw_history_close(&then);
    if (!rf) { /* a part of the page could not be made: out of memory */
        free(buf);
        buf = NULL;
    }
    http_page_send(r, buf, len, d->stale);
}

static void db_alerts_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    db_render(h, r, http_page_reply(rc, type, m));
}

/* The current assessments into d->as (none when the store did not list
 * them: the rule's grades still show), then the alerts. */
static void db_assess_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    struct db_req *d = http_req_state(r);
    const Planwatch__V1__QueryReply *q = http_page_reply(rc, type, m);
    if (q && q->n_assessments &&
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
    q.known_at_ns = d->v.known_at;
    http_up_query(h, &q, db_assess_done, r);
}

/* The page the dashboard answers while the catalog is not loaded. */
static void db_no_catalog(struct http *h, struct http_req *r)
{
    static const char page[] =
        "<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><title>planwatch</title>"
        "<p role=\"alert\">The store's catalog is not loaded yet (store not reachable). "
        "Reload in a few seconds.</p></html>\n";
    http_catalog_load(h);
    http_req_respond(r, MHD_HTTP_SERVICE_UNAVAILABLE, "text/html; charset=utf-8", page,
                     sizeof page - 1, "Retry-After: 5");
}

void http_dashboard_get(struct http *h, struct http_req *r)
{
    const char *plan = http_req_arg(r, "plan"), *project = http_req_arg(r, "project"),
               *office = http_req_arg(r, "office"), *grade = http_req_arg(r, "grade"),
               *kind = http_req_arg(r, "kind"), *sort = http_req_arg(r, "sort"),
               *view = http_req_arg(r, "view");
    struct db_req *d;
    if (!h->cat) {
        db_no_catalog(h, r);
        return;
    }
    if (!(d = calloc(1, sizeof *d))) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    http_req_set_state(r, d, db_req_free);
    if (http_view_parse(h, r, &d->v))
        return;
    d->kind = -1;
    const char *bad = NULL;
    if (plan && (strlen(plan) > PW_ID_MAX || (plan[0] && !pw_catalog_find_plan(h->cat, plan))))
        bad = "plan is a plan id of the catalog";
    else if (project && strlen(project) > PW_ID_MAX)
        bad = "project is a project id of the catalog";
    else if (grade && pw_dash_grade_parse(grade, &d->grade))
        bad = "grade is A, B or - (ungraded)";
    else if (sort && pw_dash_sort_parse(sort, &d->sort))
        bad = "sort is project, gap or id";
    else if (office && (strlen(office) > PW_ID_MAX ||
                        (office[0] && !(d->office_p = http_auth_principal(h->auth, office)))))
        bad = "office is an office of the registry";
    else if (view && view[0] && strcmp(view, "heatmap"))
        bad = "view is heatmap (or empty: the whole dashboard)";
    else if (kind && kind[0]) {
        for (int k = 0; k < 3; k++)
            if (strcmp(kind, db_kind_names[k]) == 0)
                d->kind = k;
        if (d->kind < 0)
            bad = "kind is status, overdue or forecast";
    }
    if (bad) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, bad);
        return;
    }
    d->heat_only = view && view[0];
    snprintf(d->plan, sizeof d->plan, "%s", plan ? plan : "");
    snprintf(d->project, sizeof d->project, "%s", project ? project : "");
    snprintf(d->office, sizeof d->office, "%s", office ? office : "");
    http_hist_refresh(h, r, db_after_refresh);
}
