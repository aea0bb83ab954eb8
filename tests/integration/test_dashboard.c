/* test_dashboard.c - the dashboard answers at a glance, against the real
 * services with plan 2's FY2022 sample figures on 2023-03-31: ?grade=B
 * keeps only B rows; every number is in the house format (no 6-decimal
 * values); the gap to the checkpoint in the unit and in %; filters and
 * sorts; as_of, known_at and lang carried by every link; times in JST; the
 * heat map has one cell per indicator and fiscal year with its grade; an
 * indicator's page has a chart with labelled axes and per-year labels, the
 * burn view, and its download and report links; a forecast alert's badge
 * is a warning, never "A 順調"; an acknowledgement made before newer
 * figures is shown as stale. Headless Chromium saves screenshots of the
 * dashboard and an indicator page in the build directory. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"

static struct hs_cluster cl;

static struct hs_resp get(const char *path)
{
    return hs_curl(&cl, "GET", path, NULL, NULL, NULL, NULL, 0);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* The part of a dashboard before its heat map (the rows), copied. */
static char *rows_part(const char *page)
{
    const char *heat = strstr(page, "<section id=\"heatmap\">");
    assert_non_null(heat);
    return strndup(page, (size_t)(heat - page));
}

/* The <li> of the alert whose data-alert is id, copied (caller frees), or NULL. */
static char *alert_item(const char *page, const char *id)
{
    char key[200];
    snprintf(key, sizeof key, "<li data-alert=\"%s\"", id);
    const char *p = strstr(page, key), *e = p ? strstr(p, "</li>") : NULL;
    return p && e ? strndup(p, (size_t)(e - p)) : NULL;
}

/* The id of an open alert of kind on ind (NULL: any indicator) into id. */
static int find_alert(int kind, const char *ind, char *id, size_t n)
{
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(cl.ctx, cl.ep_store, &st), 0);
    id[0] = '\0';
    for (int tries = 0; tries < 60 && !id[0]; tries++) {
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
        q.indicator_id = (char *)(ind ? ind : "");
        Planwatch__V1__QueryReply *rep = hs_query(&cl, st, &q);
        for (size_t i = 0; i < rep->n_alerts && !id[0]; i++)
            if ((int)rep->alerts[i]->kind == kind)
                snprintf(id, n, "%s", rep->alerts[i]->alert_id);
        planwatch__v1__query_reply__free_unpacked(rep, NULL);
        if (!id[0])
            hs_alert_converged(&cl, 0, 1000); /* the next alert heartbeat */
    }
    pw_client_close(&st);
    return id[0] != 0;
}

static void assert_house_numbers(const char *page);

static int setup(void **state)
{
    (void)state;
    hs_curl_start(&cl, "dash", "2023-03-31", NULL);
    size_t len;
    char *csv = hs_read_file(hs_src("catalog/feeds/plan2-fy2022.csv"), &len);
    struct hs_resp r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, csv,
                               len);
    hs_curl_expect(&r, 200);
    free(r.body);
    free(csv);
    /* a forecast: 7 of 10 licences by FY2022 is on track (6 expected), but
     * the last year's pace (6 -> 7) reaches only 9 by FY2024 */
    static const char slow[] = "indicator_id,fiscal_year,value\n"
                               "p2-pj1-dd-network-licensing,2021,6\n";
    r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, slow,
                sizeof slow - 1);
    hs_curl_expect(&r, 200);
    free(r.body);
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(cl.ctx, cl.ep_store, &st), 0);
    assert_true(hs_alert_evaluated(&cl, hs_store_seq(&cl, st), 0, "2023-03-31", NULL, 60000) >= 0);
    pw_client_close(&st);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    return 0;
}

/* grade=B: only B rows (and some); numbers in the house format; the gap. */
static void test_filter_and_numbers(void **state)
{
    (void)state;
    struct hs_resp r = get("/?as_of=2023-03-31&plan=p2&grade=B");
    hs_curl_expect(&r, 200);
    size_t rows = 0;
    char *part = rows_part(r.body);
    for (const char *p = part; (p = strstr(p, "<tr data-id=\"")); p++, rows++) {
        const char *g = strstr(p, "data-grade=\""), *end = strchr(p, '>');
        if (!g || g > end || g[12] != 'B')
            fail_msg("a row that is not B: %.160s", p);
    }
    assert_true(rows > 0);
    free(part);
    /* the alerts listed are those of the rows kept: no forecast (an A) */
    assert_true(count(r.body, "<li data-alert=") > 0);
    assert_int_equal(count(r.body, "data-kind=\"forecast\"><span"), 0);
    for (const char *p = r.body; (p = strstr(p, "<li data-alert=")); p++) {
        const char *end = strstr(p, "</li>"), *b = strstr(p, "st-behind"), *a = strstr(p, "st-at-risk");
        if (!((b && b < end) || (a && a < end)))
            fail_msg("an alert of a row that is not B: %.200s", p);
    }
    /* the one-click filter is marked as on */
    assert_non_null(strstr(r.body, "data-quick=\"grade=B\" class=\"on\""));
    free(r.body);

    r = get("/?as_of=2023-03-31&plan=p2");
    hs_curl_expect(&r, 200);
    part = rows_part(r.body);
    assert_int_equal(count(part, "<tr data-id=\"p2-"), 50);
    assert_int_equal(count(part, "data-grade=\"B\">"), 3);
    free(part);
    /* the gap of class34 at FY2022: 5 of an expected 12 */
    const char *row = strstr(r.body, "<tr data-id=\"p2-pj2-class34-approvals\"");
    assert_non_null(row);
    const char *gap = strstr(row, "<td class=\"gap\"");
    assert_non_null(gap);
    assert_non_null(strstr(gap, "−7件 (−58.3%)"));
    assert_true(gap < strstr(row, "</tr>"));
    assert_house_numbers(r.body);
    /* FY2022 ended with 2023-03-31: its follow-up report is offered */
    assert_non_null(strstr(r.body, "href=\"/api/v1/report?as_of=2023-03-31&amp;plan=p2&amp;fy=2022&amp;"
                                   "format=xlsx\""));
    free(r.body);

    /* sort=gap: the most behind first, in one table */
    r = get("/?as_of=2023-03-31&plan=p2&sort=gap");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "<section class=\"sorted\" data-sort=\"gap\">"));
    const char *first = strstr(r.body, "<tr data-id=\"");
    assert_non_null(first);
    assert_non_null(strstr(first, "data-grade=\"B\""));
    assert_true(strstr(first, "data-grade=\"B\"") < strstr(first, "</tr>"));
    free(r.body);
    /* office: pj2's scope is project p2.pj2 */
    r = get("/?as_of=2023-03-31&office=pj2");
    hs_curl_expect(&r, 200);
    assert_true(count(r.body, "<tr data-id=\"p2-pj2-") > 0);
    assert_int_equal(count(r.body, "<tr data-id=\"p2-pj1-"), 0);
    assert_int_equal(count(r.body, "<tr data-id=\"p3-"), 0);
    free(r.body);
    static const char *const bad[] = {"/?grade=C", "/?sort=size", "/?kind=weather",
                                      "/?office=nobody", "/?known_at=soon", "/?lang=fr"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = get(bad[i]);
        hs_curl_expect(&r, 400);
        free(r.body);
    }
}

/* as_of, known_at and lang in the form and in every link; JST times. */
static void test_carry_and_times(void **state)
{
    (void)state;
    struct hs_resp r = get("/?as_of=2023-03-31&plan=p2&known_at=2030-01-01&lang=en");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "name=\"known_at\" placeholder=\"YYYY-MM-DD\" size=\"12\" "
                                   "value=\"2030-01-01\""));
    assert_non_null(strstr(r.body, "<option value=\"en\" selected>"));
    /* every link the page makes to itself, an indicator page or the API */
    size_t links = 0;
    for (const char *p = r.body; (p = strstr(p, "href=\"/")); p++) {
        const char *end = strchr(p + 6, '"');
        char href[600];
        snprintf(href, sizeof href, "%.*s", (int)(end - p - 6), p + 6);
        if (strncmp(href, "/alerts", 7) == 0 || strncmp(href, "/upload", 7) == 0 ||
            strncmp(href, "/subscriptions", 14) == 0 ||
            strcmp(href, "/api/v1/openapi.yaml") == 0)
            continue;
        links++;
        if (!strstr(href, "as_of=2023-03-31") || !strstr(href, "known_at=2030-01-01") ||
            !strstr(href, "lang=en"))
            fail_msg("a link without as_of, known_at or lang: %s", href);
    }
    assert_true(links > 100);
    assert_non_null(strstr(r.body, "href=\"/indicator/p2-pj2-class34-approvals?as_of=2023-03-31"
                                   "&amp;known_at=2030-01-01&amp;lang=en\""));
    /* the known-at instant and the page's time, in JST */
    assert_non_null(strstr(r.body, "2030-01-01 23:59 JST"));
    const char *shown = strstr(r.body, "表示 shown <time>");
    assert_non_null(shown);
    assert_non_null(strstr(shown, " JST</time>"));
    assert_null(strstr(r.body, " UTC"));
    free(r.body);
}

/* The heat map: a cell per indicator and fiscal year, with its grade. */
static void test_heatmap(void **state)
{
    (void)state;
    struct hs_resp r = get("/?as_of=2023-03-31&plan=p2");
    hs_curl_expect(&r, 200);
    const char *heat = strstr(r.body, "<section id=\"heatmap\">");
    assert_non_null(heat);
    size_t inds = count(heat, "<tr data-heat=\"p2-");
    assert_int_equal(inds, 50);
    for (int fy = 2020; fy <= 2024; fy++) {
        char cell[40];
        snprintf(cell, sizeof cell, "data-fy=\"%d\"", fy);
        assert_int_equal(count(heat, cell), inds);
    }
    const char *row = strstr(heat, "<tr data-heat=\"p2-pj2-class34-approvals\">");
    assert_non_null(row);
    assert_non_null(strstr(row, "<td class=\"g-B\" data-fy=\"2022\" data-grade=\"B\""));
    /* FY2023 has not ended on 2023-03-31 */
    assert_non_null(strstr(row, "<td class=\"g-future\" data-fy=\"2023\""));
    free(r.body);
    /* alone, as its own page: no rows, every plan, links keep the view */
    r = get("/?as_of=2023-03-31&view=heatmap&lang=en");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "<table class=\"heat\" data-plan=\"p2\">"));
    assert_non_null(strstr(r.body, "<table class=\"heat\" data-plan=\"p3\">"));
    assert_null(strstr(r.body, "<tr data-id="));
    assert_non_null(strstr(r.body, "<input type=\"hidden\" name=\"view\" value=\"heatmap\">"));
    assert_non_null(strstr(r.body, "grade=B&amp;view=heatmap\""));
    free(r.body);
    r = get("/?view=table");
    hs_curl_expect(&r, 400);
    free(r.body);
}

/* An indicator's own page: axes with values, each year labelled, links. */
static void test_indicator_page(void **state)
{
    (void)state;
    struct hs_resp r = get("/indicator/p2-pj2-class34-approvals?as_of=2023-03-31");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "<svg class=\"chart-big\""));
    assert_true(count(r.body, "<text class=\"ytick\"") >= 3);
    assert_non_null(strstr(r.body, ">20</text>"));          /* a value-axis label */
    assert_non_null(strstr(r.body, ">令和4年度末</text>")); /* a checkpoint label */
    assert_non_null(strstr(r.body, "<text class=\"value\""));
    assert_non_null(strstr(r.body, ">5件</text>"));         /* FY2022's figure on its point */
    assert_non_null(strstr(r.body, ">目標 20件</text>"));
    assert_non_null(strstr(r.body, "class=\"plan\""));
    assert_non_null(strstr(r.body, "class=\"expected\""));
    assert_non_null(strstr(r.body, "id=\"burn\""));
    assert_non_null(strstr(r.body, "−7件 (−58.3%)"));
    assert_non_null(strstr(r.body, "href=\"/api/v1/indicators/p2-pj2-class34-approvals/history"
                                   "?as_of=2023-03-31&amp;format=csv\""));
    assert_non_null(strstr(r.body, "href=\"/api/v1/report?as_of=2023-03-31&amp;plan=p2&amp;"
                                   "fy=2022&amp;format=html\""));
    assert_non_null(strstr(r.body, "<section id=\"revisions\">"));
    assert_non_null(strstr(r.body, "<tr data-fy=\"2022\" data-grade=\"B\">"));
    assert_non_null(strstr(r.body, " JST</time>"));
    free(r.body);
    r = get("/indicator/no-such-thing");
    hs_curl_expect(&r, 404);
    free(r.body);
    r = get("/indicator/p2-pj2-class34-approvals?as_of=never");
    hs_curl_expect(&r, 400);
    free(r.body);
}

/* A forecast alert wears a warning, never the on-track badge. */
static void test_forecast_badge(void **state)
{
    (void)state;
    char id[200];
    assert_true(find_alert(PLANWATCH__V1__ALERT_KIND__ALERT_KIND_FORECAST, NULL, id, sizeof id));
    struct hs_resp r = get("/?as_of=2023-03-31");
    hs_curl_expect(&r, 200);
    char *li = alert_item(r.body, id);
    assert_non_null(li);
    assert_non_null(strstr(li, "data-kind=\"forecast\""));
    assert_non_null(strstr(li, "<span class=\"st st-warn\" data-kind=\"forecast\">"));
    assert_null(strstr(li, "順調"));
    assert_null(strstr(li, "st-on-track"));
    free(li);
    free(r.body);
    /* its indicator's page says the recent pace's projection too: 9 of 10 */
    r = get("/indicator/p2-pj1-dd-network-licensing?as_of=2023-03-31");
    hs_curl_expect(&r, 200);
    const char *fc = strstr(r.body, "<p class=\"legend\" id=\"forecast\">");
    assert_non_null(fc);
    assert_non_null(strstr(fc, "では FY2024末に 9件"));
    free(r.body);
    /* kind=forecast keeps the forecast alerts only */
    r = get("/?as_of=2023-03-31&kind=forecast");
    hs_curl_expect(&r, 200);
    assert_int_equal(count(r.body, "<li data-alert="), count(r.body, "data-kind=\"forecast\"><span"));
    free(r.body);
}

/* An acknowledgement, then newer figures: shown as an answer to the old ones. */
static void test_stale_ack(void **state)
{
    (void)state;
    char id[200];
    const char *ind = "p2-pj2-class34-approvals";
    assert_true(find_alert(PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS, ind, id, sizeof id));
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(cl.ctx, cl.ep_store, &st), 0);
    Planwatch__V1__Ack ack = PLANWATCH__V1__ACK__INIT;
    ack.alert_id = id;
    ack.by = "pj2-secretariat";
    ack.reason = "承認審査の長期化";
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ACK;
    q.ack = &ack;
    planwatch__v1__query_reply__free_unpacked(hs_query(&cl, st, &q), NULL);
    struct hs_resp r = get("/?as_of=2023-03-31&plan=p2");
    hs_curl_expect(&r, 200);
    char *li = alert_item(r.body, id);
    assert_non_null(li);
    assert_non_null(strstr(li, "<span class=\"ack\">確認済 acknowledged: 承認審査の長期化"));
    assert_non_null(strstr(li, " JST)"));
    assert_null(strstr(li, "data-stale"));
    free(li);
    free(r.body);
    /* known at the day before: the acknowledgement had not been made */
    r = get("/?as_of=2023-03-31&plan=p2&known_at=2023-03-30");
    hs_curl_expect(&r, 200);
    li = alert_item(r.body, id);
    assert_non_null(li);
    assert_null(strstr(li, "承認審査の長期化"));
    assert_non_null(strstr(li, "未確認 not acknowledged"));
    free(li);
    free(r.body);

    /* a corrected FY2022 figure arrives after the acknowledgement */
    static const char fix[] = "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2022,6\n";
    r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, fix,
                sizeof fix - 1);
    hs_curl_expect(&r, 200);
    free(r.body);
    assert_true(hs_alert_evaluated(&cl, hs_store_seq(&cl, st), 0, "2023-03-31", NULL, 60000) >= 0);
    pw_client_close(&st);
    r = get("/?as_of=2023-03-31&plan=p2");
    hs_curl_expect(&r, 200);
    li = alert_item(r.body, id);
    assert_non_null(li);
    assert_non_null(strstr(li, "<span class=\"ack stale\" data-stale=\"1\"><b>前回の数値への確認"));
    assert_null(strstr(li, "<span class=\"ack\">確認済"));
    free(li);
    free(r.body);
    /* the indicator's page says the same */
    r = get("/indicator/p2-pj2-class34-approvals?as_of=2023-03-31");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "data-stale=\"1\""));
    assert_true(count(r.body, "<tr data-fy=\"2022\"") >= 2); /* both revisions listed */
    free(r.body);
}

/* No number the page prints has more than two decimals (attribute values
 * of the SVG geometry have at most one); fails with a sample of the text. */
static void assert_house_numbers(const char *page)
{
    regex_t re;
    regmatch_t m;
    assert_int_equal(regcomp(&re, "[0-9]\\.[0-9]{3,}", REG_EXTENDED), 0);
    int found = regexec(&re, page, 1, &m, 0) == 0;
    regfree(&re);
    if (found)
        fail_msg("a long decimal in the page: %.60s", page + (m.rm_so > 20 ? m.rm_so - 20 : 0));
}

/* A rolling average of 4, 2 and 2 is 2.666666...: printed 2.67 件 in the
 * row, its chart and the indicator's page (plan 3, on 2027-07-01). */
static void test_long_decimals(void **state)
{
    (void)state;
    hs_set_clock(&cl, "2027-07-01");
    static const char riken[] = "indicator_id,fiscal_year,value,basis\n"
                                "p3-out17-riken-seeds,2024,4,annual\n"
                                "p3-out17-riken-seeds,2025,2,annual\n"
                                "p3-out17-riken-seeds,2026,2,annual\n";
    struct hs_resp r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, riken,
                               sizeof riken - 1);
    hs_curl_expect(&r, 200);
    free(r.body);
    r = get("/?as_of=2027-07-01&plan=p3");
    hs_curl_expect(&r, 200);
    const char *row = strstr(r.body, "<tr data-id=\"p3-out17-riken-seeds\"");
    assert_non_null(row);
    assert_non_null(strstr(row, "2.67件"));
    assert_house_numbers(r.body);
    free(r.body);
    r = get("/indicator/p3-out17-riken-seeds?as_of=2027-07-01");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "2.67件"));
    assert_house_numbers(r.body);
    free(r.body);
    hs_set_clock(&cl, "2023-03-31");
}

/* The secretariat's assessment shows on the indicator's page, in its facts
 * and on the chart at the checkpoint it assesses (last: an assessed A
 * closes the status alert). */
static void test_assessment_shown(void **state)
{
    (void)state;
    static const char body[] = "{\"indicator_id\": \"p2-pj2-healthcare-demos\", \"fiscal_year\": "
                               "2022, \"grade\": \"A\", \"reason\": \"実証の前倒し\", \"by\": "
                               "\"事務局\"}";
    struct hs_resp r = hs_curl(&cl, "POST", "/api/v1/assessments", HS_TOK_ADMIN, "application/json",
                               NULL, body, sizeof body - 1);
    if (r.status != 200 && r.status != 201)
        fail_msg("HTTP %ld: %.400s", r.status, r.body);
    free(r.body);
    r = get("/indicator/p2-pj2-healthcare-demos?as_of=2023-03-31");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "<dt>事務局評価 assessed</dt><dd class=\"assessed\">A（計算上 "
                                   "computed B）: 実証の前倒し (事務局)</dd>"));
    assert_non_null(strstr(r.body, "期待値 21件 · 事務局評価 A</text>"));
    assert_non_null(strstr(r.body, "<section id=\"assessments\">"));
    assert_non_null(strstr(r.body, "FY2022: A — 実証の前倒し (事務局, <time>"));
    free(r.body);
    /* the dashboard's grade filter goes by the grade shown */
    r = get("/?as_of=2023-03-31&plan=p2&grade=A&project=pj2");
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "<tr data-id=\"p2-pj2-healthcare-demos\" data-status=\"BEHIND\" "
                                   "data-grade=\"A\">"));
    free(r.body);
    /* and the heat map prints the grade of that year's follow-up: A, marked */
    r = get("/?as_of=2023-03-31&view=heatmap&plan=p2");
    hs_curl_expect(&r, 200);
    const char *row = strstr(r.body, "<tr data-heat=\"p2-pj2-healthcare-demos\">");
    assert_non_null(row);
    assert_non_null(strstr(row, "<td class=\"g-A\" data-fy=\"2022\" data-grade=\"A\" "
                                "data-assessed=\"1\""));
    free(r.body);
}

/* planwatch-http refuses a time zone it does not know, before listening. */
static void test_bad_tz(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s --tz=Nowhere/Atlantis --listen=127.0.0.1:1 --insecure "
                              ">%s/tz.log 2>&1", hs_bin("http"), cl.dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 2);
    snprintf(cmd, sizeof cmd, "%s/tz.log", cl.dir);
    size_t len;
    char *log = hs_read_file(cmd, &len);
    assert_non_null(strstr(log, "--tz is not a time zone this system knows"));
    free(log);
}

/* Headless Chromium renders both pages; the screenshots are kept. */
static void test_screenshots(void **state)
{
    (void)state;
    if (access("/usr/bin/chromium", X_OK) != 0) {
        fprintf(stderr, "chromium not installed (scripts/deps.sh installs it): skipped\n");
        skip();
    }
    static const struct {
        const char *file, *path, *size;
    } shots[] = {
        {"dashboard-p2.png", "/?as_of=2023-03-31&plan=p2", "1400,2400"},
        {"dashboard-heatmap.png", "/?as_of=2023-03-31&view=heatmap", "1400,2000"},
        {"dashboard-b-only.png", "/?as_of=2023-03-31&grade=B&sort=gap", "1400,1800"},
        {"indicator-class34.png", "/indicator/p2-pj2-class34-approvals?as_of=2023-03-31",
         "1200,2000"},
        {"indicator-forecast.png", "/indicator/p2-pj1-dd-network-licensing?as_of=2023-03-31",
         "1200,1400"},
        {"indicator-ratio.png", "/indicator/p2-pj1-new-modality-share?as_of=2023-03-31",
         "1200,1000"},
    };
    const char *flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                        "--disable-background-networking --disable-component-update "
                        "--disable-sync --disable-dev-shm-usage --hide-scrollbars";
    for (size_t i = 0; i < sizeof shots / sizeof shots[0]; i++) {
        char cmd[2048], shot[400];
        snprintf(shot, sizeof shot, "%s/%s", PW_BINARY_DIR, shots[i].file);
        unlink(shot);
        snprintf(cmd, sizeof cmd,
                 "timeout 90 chromium %s --user-data-dir=%s/chromium-%zu --window-size=%s "
                 "--screenshot=%s '%s%s' >/dev/null 2>&1",
                 flags, cl.dir, i, shots[i].size, shot, cl.http_url, shots[i].path);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(access(shot, R_OK), 0);
        fprintf(stderr, "screenshot: %s\n", shot);
        /* the page itself beside it (self-contained: it opens offline) */
        struct hs_resp r = get(shots[i].path);
        hs_curl_expect(&r, 200);
        snprintf(shot + strlen(shot) - 4, 6, ".html");
        FILE *f = fopen(shot, "w");
        assert_non_null(f);
        fwrite(r.body, 1, r.len, f);
        assert_int_equal(fclose(f), 0);
        free(r.body);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_and_numbers),
        cmocka_unit_test(test_carry_and_times),
        cmocka_unit_test(test_heatmap),
        cmocka_unit_test(test_indicator_page),
        cmocka_unit_test(test_forecast_badge),
        cmocka_unit_test(test_screenshots),
        cmocka_unit_test(test_stale_ack),
        cmocka_unit_test(test_long_decimals),
        cmocka_unit_test(test_assessment_shown),
        cmocka_unit_test(test_bad_tz),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
