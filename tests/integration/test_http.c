/* test_http.c - planwatch-http against the real store, ingest and alert
 * services, driven with a real HTTP client (libcurl): every status code of
 * the feed API (401, 403, 413, 415, 400, 409, 503, 200), dry runs that store
 * nothing, partial success with per-row conflicts, a 2xx only once the rows
 * are in the store, resends that change nothing; the read API equals the
 * CLI's output; the follow-up report carries acknowledgement reasons; and a
 * headless Chromium loads the dashboard, whose rendered DOM shows the sample
 * data's rows and grades, and saves a screenshot in the build directory. */
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "hs_curl.h"

/* One request. body NULL: GET, else POST. */
static struct hs_resp call(struct hs_cluster *c, const char *path, const char *token,
                           const char *ctype, const char *body, size_t len)
{
    return hs_curl(c, body ? "POST" : "GET", path, token, ctype, NULL, body, len);
}

static struct hs_resp post_csv(struct hs_cluster *c, const char *path, const char *token,
                               const char *csv)
{
    return call(c, path, token, "text/csv", csv, strlen(csv));
}

/* import_count.<what> of a summary */
static long count_of(const struct hs_resp *r, const char *what)
{
    json_error_t e;
    json_t *doc = json_loads(r->body, 0, &e);
    if (!doc)
        fail_msg("not JSON (%s): %.300s", e.text, r->body);
    long v = (long)json_integer_value(json_object_get(json_object_get(doc, "import_count"), what));
    json_decref(doc);
    return v;
}

static struct hs_cluster cl;

static int setup(void **state)
{
    (void)state;
    static const char *const flags[] = {"--max-rows=200", "--max-body-bytes=65536",
                                        "--ingest-timeout-ms=8000", NULL};
    hs_curl_start(&cl, "http", "2026-03-31", flags);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    return 0;
}

/* SIGHUP: the door re-reads its registry; a new office's token counts at
 * once; a broken file is refused with file:line and the old one stays. */
static void test_reload(void **state)
{
    (void)state;
    static const char one[] = "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2022,5\n";
    char path[300], tmp[320], hex[65];
    unsigned char md[crypto_hash_sha256_BYTES];
    snprintf(path, sizeof path, "%s/http-registry.yaml", cl.dir);
    snprintf(tmp, sizeof tmp, "%s.new", path);
    struct hs_resp r = post_csv(&cl, "/api/v1/feeds", "late-token", one);
    hs_curl_expect(&r, 401);
    free(r.body);
    /* the same file plus a read-only office "late", swapped in whole */
    size_t len = 0;
    char *old = hs_read_file(path, &len);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    crypto_hash_sha256(md, (const unsigned char *)"late-token", strlen("late-token"));
    fprintf(f, "%s  - id: late\n    token_sha256: %s\n    read: true\n", old,
            sodium_bin2hex(hex, sizeof hex, md, sizeof md));
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(tmp, 0644), 0);
    assert_int_equal(rename(tmp, path), 0);
    assert_int_equal(kill(cl.http_pid, SIGHUP), 0);
    assert_true(hs_log_wait(&cl, "http", "registry reloaded", 10000));
    r = post_csv(&cl, "/api/v1/feeds", "late-token", one); /* known now, but may not write */
    hs_curl_expect(&r, 403);
    free(r.body);
    /* a broken file: refused, with file:line; the registry in force stays */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: 1\noffices: [\n  - {id: x\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(kill(cl.http_pid, SIGHUP), 0);
    assert_true(hs_log_wait(&cl, "http", "registry reload refused", 10000));
    assert_true(hs_log_has(&cl, "http", "http-registry.yaml:3"));
    r = post_csv(&cl, "/api/v1/feeds", "late-token", one);
    hs_curl_expect(&r, 403);
    free(r.body);
    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_READER, one);
    hs_curl_expect(&r, 403);
    free(r.body);
    /* put the original back for the tests after this one */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(old, f);
    assert_int_equal(fclose(f), 0);
    free(old);
}

/* 401 without or with an unknown token, 403 for a read-only one, 415, 413
 * (bytes and rows), 400 for a body that is not a feed and a bad dry_run;
 * nothing reaches the store. */
static void test_refusals(void **state)
{
    (void)state;
    static const char one[] = "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2022,5\n";
    struct hs_resp r = post_csv(&cl, "/api/v1/feeds", NULL, one);
    hs_curl_expect(&r, 401);
    assert_non_null(strstr(r.headers, "WWW-Authenticate: Bearer"));
    free(r.body);
    r = post_csv(&cl, "/api/v1/feeds", "wrong", one);
    hs_curl_expect(&r, 401);
    free(r.body);
    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_READER, one);
    hs_curl_expect(&r, 403);
    free(r.body);
    r = call(&cl, "/api/v1/feeds", HS_TOK_ADMIN, "application/xml", one, strlen(one));
    hs_curl_expect(&r, 415);
    free(r.body);
    r = call(&cl, "/api/v1/feeds", HS_TOK_ADMIN, NULL, one, strlen(one));
    hs_curl_expect(&r, 415);
    free(r.body);
    size_t big = 70000;
    char *huge = malloc(big + 1);
    memset(huge, 'x', big);
    huge[big] = '\0';
    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN, huge);
    hs_curl_expect(&r, 413);
    assert_non_null(strstr(r.body, "PW_ETOOBIG"));
    free(r.body);
    free(huge);
    char *many = malloc(300 * 64);
    strcpy(many, "indicator_id,fiscal_year,value\n");
    for (int i = 0; i < 250; i++)
        strcat(many, "p2-pj2-class34-approvals,2022,5\n");
    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN, many);
    hs_curl_expect(&r, 413);
    assert_non_null(strstr(r.body, "PW_EFEED_TOOMANY"));
    free(r.body);
    free(many);
    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN, "no,such,columns\n1,2,3\n");
    hs_curl_expect(&r, 400);
    assert_non_null(strstr(r.body, "PW_EFEED_HEADER"));
    free(r.body);
    r = call(&cl, "/api/v1/feeds", HS_TOK_ADMIN, "application/json", "{\"updates\": [", 13);
    hs_curl_expect(&r, 400);
    free(r.body);
    r = post_csv(&cl, "/api/v1/feeds?dry_run=maybe", HS_TOK_ADMIN, one);
    hs_curl_expect(&r, 400);
    free(r.body);
    r = call(&cl, "/api/v1/feeds", HS_TOK_ADMIN, NULL, NULL, 0);
    hs_curl_expect(&r, 405);
    free(r.body);
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(cl.ctx, cl.ep_store, &st), 0);
    assert_int_equal(hs_store_seq(&cl, st), 0);
    pw_client_close(&st);
}

/* A dry run validates (a bad row is a conflict) and stores nothing; the
 * real run stores, answering only once the rows are in the store; a resend
 * is all "unchanged"; JSON bodies work the same. */
static void test_feed_dry_run_and_store(void **state)
{
    (void)state;
    size_t len;
    char *csv = hs_read_file(hs_src("catalog/feeds/plan2-fy2022.csv"), &len);
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(cl.ctx, cl.ep_store, &st), 0);
    struct hs_resp r = post_csv(&cl, "/api/v1/feeds?dry_run=true", HS_TOK_ADMIN, csv);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "\"dry_run\": true"));
    assert_int_equal(count_of(&r, "accepted"), 49);
    free(r.body);
    assert_int_equal(hs_store_seq(&cl, st), 0);

    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN, csv);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "\"status\": \"SUCCESS\""));
    assert_int_equal(count_of(&r, "accepted"), 49);
    free(r.body);
    /* the 200 came after the commit: the rows are there at once */
    assert_true(hs_store_seq(&cl, st) >= 49);

    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN, csv);
    hs_curl_expect(&r, 200);
    assert_int_equal(count_of(&r, "accepted"), 0);
    assert_int_equal(count_of(&r, "unchanged"), 49);
    free(r.body);
    free(csv);

    static const char js[] =
        "{\"updates\": [{\"indicator_id\": \"p3-out11-core-hospital-trials\", \"fiscal_year\": "
        "2025, \"value\": 379}]}";
    r = call(&cl, "/api/v1/feeds?dry_run=1", HS_TOK_ADMIN, "application/json", js, strlen(js));
    hs_curl_expect(&r, 200);
    assert_int_equal(count_of(&r, "accepted"), 1);
    free(r.body);
    r = call(&cl, "/api/v1/feeds", HS_TOK_ADMIN, "application/json; charset=utf-8", js, strlen(js));
    hs_curl_expect(&r, 200);
    assert_int_equal(count_of(&r, "accepted"), 1);
    free(r.body);
    pw_client_close(&st);
}

/* Partial success: good rows stored, the rest listed with row, column and
 * reason (409); rows of other offices' indicators are refused (403 when
 * none is in scope); the same figure twice in one body is sent once. */
static void test_feed_partial(void **state)
{
    (void)state;
    static const char mixed[] =
        "indicator_id,fiscal_year,value,as_of\n"
        "p2-pj2-healthcare-demos,2023,25,2024-03-31\n"
        "p2-pj2-nonclinical-poc,FY2019,3,\n"
        "p2-pj2-healthcare-demos,2023,25,2024-03-31\n"
        "p2-pj1-clinical-poc,2023,33,2024-03-31\n"
        "p2-pj2-class34-approvals,2023,abc,\n";
    struct hs_resp r = post_csv(&cl, "/api/v1/feeds", HS_TOK_PJ2, mixed);
    hs_curl_expect(&r, 409);
    assert_non_null(strstr(r.body, "\"status\": \"WARNING\""));
    assert_int_equal(count_of(&r, "accepted"), 1);
    assert_int_equal(count_of(&r, "unchanged"), 1); /* row 4 = row 2 */
    assert_int_equal(count_of(&r, "rejected"), 3);
    json_t *doc = json_loads(r.body, 0, NULL);
    json_t *conf = json_object_get(doc, "conflicts");
    int seen_scope = 0, seen_fy = 0, seen_value = 0;
    for (size_t i = 0; i < json_array_size(conf); i++) {
        json_t *c = json_array_get(conf, i);
        const char *code = json_string_value(json_object_get(c, "code"));
        int row = (int)json_integer_value(json_object_get(c, "row"));
        const char *col = json_string_value(json_object_get(c, "column"));
        seen_scope |= row == 5 && !strcmp(code, "PW_EFORBIDDEN") && !strcmp(col, "indicator_id");
        seen_fy |= row == 3 && !strcmp(code, "PW_EFEED_FY") && !strcmp(col, "fiscal_year");
        seen_value |= row == 6 && !strcmp(code, "PW_EFEED_VALUE") && !strcmp(col, "value");
    }
    assert_true(seen_scope && seen_fy && seen_value);
    json_decref(doc);
    free(r.body);

    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_PJ2,
                 "indicator_id,fiscal_year,value\np3-out11-core-hospital-trials,2025,1\n");
    hs_curl_expect(&r, 403);
    assert_non_null(strstr(r.body, "PW_EFORBIDDEN"));
    free(r.body);
}

/* The read API: status (CSV byte-identical to `planwatch status`, JSON),
 * history, alerts; 400 / 404 for bad parameters. */
static void test_read_api(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    const char *args[] = {"status", "--as-of", "2023-03-31", "--plan", "p2", "--format", "csv", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, args), 0);
    struct hs_resp r = call(&cl, "/api/v1/status?as_of=2023-03-31&plan=p2&format=csv", NULL, NULL,
                         NULL, 0);
    hs_curl_expect(&r, 200);
    assert_string_equal(r.body, out);
    assert_non_null(strstr(r.body, "p2-pj2-class34-approvals,pj2,"));
    free(r.body);
    free(out);
    free(err);
    r = call(&cl, "/api/v1/status?as_of=2023-03-31&project=pj2", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_true(json_array_size(doc) > 5);
    json_decref(doc);
    free(r.body);
    r = call(&cl, "/api/v1/status?as_of=2023-02-30", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 400);
    free(r.body);
    r = call(&cl, "/api/v1/status?plan=p9", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 400);
    free(r.body);
    r = call(&cl, "/api/v1/indicators/p2-pj2-class34-approvals/history?format=csv", NULL, NULL,
             NULL, 0);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "seq,fiscal_year,value,basis"));
    assert_non_null(strstr(r.body, ",2022,5,cumulative,false,2023-03-31,admin,"));
    free(r.body);
    r = call(&cl, "/api/v1/indicators/no-such/history", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 404);
    free(r.body);
    r = call(&cl, "/nowhere", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 404);
    free(r.body);
    r = call(&cl, "/api/v1/alerts?plan=p2", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "\"alerts\""));
    free(r.body);
    /* the store refuses an over-long filter: its reason comes back as a 400
     * (the refusal is matched to the request, not left to time out as a 503) */
    char url[400];
    snprintf(url, sizeof url, "/api/v1/alerts?indicator=%0200d", 7);
    r = call(&cl, url, NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 400);
    assert_non_null(strstr(r.body, "PW_ETOOBIG"));
    assert_non_null(strstr(r.body, "indicator_id"));
    free(r.body);
}

/* An acknowledged alert: its reason is in the dashboard's alert list and in
 * the follow-up report (CLI and HTTP), whose rows have the seed layout. */
static void test_report_and_dashboard(void **state)
{
    (void)state;
    /* on 2023-03-31 plan 2 is running and class34 is BEHIND at FY2022 (on
     * the cluster's 2026-03-31 plan 2 has ended: final, no alert open) */
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(cl.ctx, cl.ep_store, &st), 0);
    hs_set_clock(&cl, "2023-03-31");
    assert_true(hs_alert_evaluated(&cl, hs_store_seq(&cl, st), 0, "2023-03-31", NULL, 20000) >= 0);
    char id[160] = "";
    for (int tries = 0; tries < 100 && !id[0]; tries++) {
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
        q.indicator_id = "p2-pj2-class34-approvals";
        Planwatch__V1__QueryReply *rep = hs_query(&cl, st, &q);
        for (size_t i = 0; i < rep->n_alerts; i++)
            if (rep->alerts[i]->kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS)
                snprintf(id, sizeof id, "%s", rep->alerts[i]->alert_id);
        planwatch__v1__query_reply__free_unpacked(rep, NULL);
        if (!id[0])
            hs_alert_converged(&cl, 0, 1000); /* the next alert heartbeat */
    }
    assert_true(id[0]);
    Planwatch__V1__Ack ack = PLANWATCH__V1__ACK__INIT;
    ack.alert_id = id;
    ack.by = "pj2-secretariat";
    ack.reason = "承認審査の長期化";
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ACK;
    q.ack = &ack;
    planwatch__v1__query_reply__free_unpacked(hs_query(&cl, st, &q), NULL);
    pw_client_close(&st);

    char *out = NULL, *err = NULL;
    const char *args[] = {"report", "--plan", "p2", "--fy", "R4", "--format", "csv", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, args), 0);
    assert_non_null(strstr(out, "プロジェクト,区分,指標ID,指標,達成目標,令和4年度末の数値,進捗,"
                                "進捗の詳細\n"));
    /* 進捗の詳細 in Japanese by default, then the 要因分析 */
    const char *row = strstr(out, "医療機器・ヘルスケアプロジェクト,outcome,p2-pj2-class34-approvals,"
                                  "クラスⅢ・Ⅳ医療機器の薬事承認件数,20件,5件,B,");
    assert_non_null(row);
    assert_non_null(strstr(row, "令和4年度末時点で累計5件（目標20件、令和4年度末の目安12件、達成率42%）"));
    assert_non_null(strstr(out, " / 要因分析: 承認審査の長期化 (pj2-secretariat, "));
    struct hs_resp r = call(&cl, "/api/v1/report?plan=p2&fy=2022&format=csv", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    assert_string_equal(r.body, out);
    free(r.body);
    free(out);
    free(err);
    r = call(&cl, "/api/v1/report?plan=p2&fy=2022", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "<svg class=\"chart\""));
    free(r.body);
    /* lang=en: the evaluation's English explanation, the reasons first */
    r = call(&cl, "/api/v1/report?plan=p2&fy=2022&format=csv&lang=en", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, ",20件,5件,B,\"要因分析: 承認審査の長期化 (pj2-secretariat, "));
    assert_non_null(strstr(r.body, "FY2022 (3/5): expected ≥ 12 of 20, actual 5 → B"));
    free(r.body);
    r = call(&cl, "/api/v1/report?plan=p2&fy=2022&lang=fr", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 400);
    free(r.body);
    r = call(&cl, "/?as_of=2023-03-31&plan=p2&lang=en", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "FY2022 (3/5): expected ≥ 12 of 20, actual 5 → B"));
    free(r.body);

    r = call(&cl, "/?as_of=2023-03-31&plan=p2", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    assert_non_null(strstr(r.body, "<tr data-id=\"p2-pj2-class34-approvals\" data-status=\"BEHIND\" "
                                   "data-grade=\"B\">"));
    assert_non_null(strstr(r.body, "確認済 acknowledged: 承認審査の長期化 (pj2-secretariat"));
    assert_null(strstr(r.body, "<script"));
    assert_non_null(strstr(r.body, "令和4年度末時点で累計5件（目標20件、令和4年度末の目安12件、"));
    free(r.body);
    /* on 2026-12-06 plan 2 has ended: its final results stand apart, after
     * the running plan 3, with their own tally */
    r = call(&cl, "/?as_of=2026-12-06", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    char *running = strstr(r.body, "<section class=\"plan\" data-plan=\"p3\">");
    char *closed = strstr(r.body, "<section class=\"plan closed\" data-plan=\"p2\">");
    assert_non_null(running);
    assert_non_null(closed);
    assert_true(running < closed);
    assert_non_null(strstr(closed, "最終結果（令和6年度末）"));
    assert_non_null(strstr(r.body, "<p id=\"final-summary\">"));
    assert_null(strstr(r.body, "data-plan=\"p3\" class=\"plan closed\""));
    free(r.body);
    r = call(&cl, "/?as_of=2023-03-31", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    assert_null(strstr(r.body, "plan closed"));
    free(r.body);
    r = call(&cl, "/?as_of=yesterday", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 400);
    free(r.body);

    /* bad report parameters are 400, never a crash (an empty plan once was) */
    static const char *const bad[] = {"/api/v1/report?plan=&fy=2022", "/api/v1/report?fy=2022",
                                      "/api/v1/report?plan=p9&fy=2022",
                                      "/api/v1/report?plan=p2&fy=soon",
                                      "/api/v1/report?plan=p2&fy=2022&format=docx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = call(&cl, bad[i], NULL, NULL, NULL, 0);
        hs_curl_expect(&r, 400);
        free(r.body);
    }
    r = call(&cl, "/api/v1/health", NULL, NULL, NULL, 0); /* still serving */
    hs_curl_expect(&r, 200);
    free(r.body);
    hs_set_clock(&cl, "2026-03-31");
    assert_true(hs_alert_evaluated(&cl, 0, 0, "2026-03-31", NULL, 20000) >= 0);
}

/* Headless Chromium renders the dashboard served by the running services:
 * the DOM has every p2 row with its grade, and a screenshot is saved. */
static void test_dashboard_in_chromium(void **state)
{
    (void)state;
    if (access("/usr/bin/chromium", X_OK) != 0) {
        fprintf(stderr, "chromium not installed (scripts/deps.sh installs it): skipped\n");
        skip();
    }
    char cmd[2048], shot[400], dom[400];
    snprintf(shot, sizeof shot, "%s/dashboard.png", PW_BINARY_DIR);
    snprintf(dom, sizeof dom, "%s/chromium.dom", cl.dir);
    /* the flags a root user needs in a sandbox without network (README) */
    const char *flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                        "--disable-background-networking --disable-component-update "
                        "--disable-sync --disable-dev-shm-usage --hide-scrollbars";
    snprintf(cmd, sizeof cmd,
             "timeout 90 chromium %s --user-data-dir=%s/chromium-a --dump-dom "
             "'%s/?as_of=2023-03-31&plan=p2' > %s 2>/dev/null",
             flags, cl.dir, cl.http_url, dom);
    assert_int_equal(system(cmd), 0);
    size_t len;
    char *html = hs_read_file(dom, &len);
    /* the rows and grades of the sample data as the browser parsed them */
    assert_non_null(strstr(html, "data-id=\"p2-pj2-class34-approvals\" data-status=\"BEHIND\" "
                                 "data-grade=\"B\""));
    assert_non_null(strstr(html, "data-id=\"p2-pj1-nonclinical-poc\" data-status=\"ACHIEVED\" "
                                 "data-grade=\"A\""));
    size_t rows = 0;
    for (const char *p = html; (p = strstr(p, "<tr data-id=\"p2-")); p++)
        rows++;
    assert_int_equal(rows, 50); /* every indicator of plan 2 */
    assert_non_null(strstr(html, "<svg class=\"chart\""));
    free(html);
    unlink(shot);
    snprintf(cmd, sizeof cmd,
             "timeout 90 chromium %s --user-data-dir=%s/chromium-b --window-size=1280,2000 "
             "--screenshot=%s '%s/?as_of=2023-03-31&plan=p2' >/dev/null 2>&1",
             flags, cl.dir, shot, cl.http_url);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(access(shot, R_OK), 0);
    fprintf(stderr, "dashboard screenshot: %s\n", shot);
}

/* The store down: a feed is answered 503 (resend) and so are reads. */
/* The latest FY2025 cell of `planwatch history ID --format csv`: the value
 * column of the row marked latest, or "" (caller frees). */
static char *latest_2025(const char *id)
{
    char *out = NULL, *err = NULL, *cell = NULL;
    const char *args[] = {"history", id, "--format", "csv", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, args), 0);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char seq[24], v[40];
        size_t len = strlen(line);
        if (sscanf(line, "%23[^,],2025,%39[^,],", seq, v) == 2 && len > 5 &&
            strcmp(line + len - 5, ",true") == 0) {
            free(cell);
            cell = strdup(v);
        }
    }
    free(out);
    free(err);
    return cell ? cell : strdup("");
}

static void post_json_expect(const char *js, long status, const char *count, long n)
{
    struct hs_resp r = call(&cl, "/api/v1/feeds", HS_TOK_ADMIN, "application/json", js, strlen(js));
    hs_curl_expect(&r, status);
    if (count)
        assert_int_equal(count_of(&r, count), n);
    free(r.body);
}

static void expect_latest(const char *id, const char *want)
{
    char *v = latest_2025(id);
    assert_string_equal(v, want);
    free(v);
}

/* Corrections: a resend of the latest figure is unchanged, a revert to an
 * earlier one is a new revision, a retraction leaves no figure; one file
 * through the HTTP door and the CLI (same office) is stored once; a うち
 * figure above its parent's is stored with a warning in both doors. */
static void test_corrections(void **state)
{
    (void)state;
    const char *id = "p3-out07-venture-adoptions";
    char js[300];
#define ROW(v) (snprintf(js, sizeof js, "[{\"indicator_id\": \"%s\", \"fiscal_year\": 2025, " \
                         "\"value\": %s}]", id, v), js)
    post_json_expect(ROW("67"), 200, "accepted", 1);
    post_json_expect(ROW("500"), 200, "accepted", 1);
    expect_latest(id, "500");
    post_json_expect(ROW("67"), 200, "accepted", 1); /* a revert: a new revision */
    expect_latest(id, "67");
    post_json_expect(ROW("67"), 200, "unchanged", 1); /* the latest already */
    snprintf(js, sizeof js,
             "[{\"indicator_id\": \"%s\", \"fiscal_year\": 2025, \"retract\": true}]", id);
    post_json_expect(js, 200, "accepted", 1);
    expect_latest(id, "retracted");
    post_json_expect(js, 200, "unchanged", 1);
    post_json_expect(ROW("67"), 200, "accepted", 1); /* sent again after the retraction */
    expect_latest(id, "67");
#undef ROW

    /* a file through the HTTP door, then through the CLI as the same office */
    char path[300];
    snprintf(path, sizeof path, "%s/both.csv", cl.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("indicator_id,fiscal_year,value\n"
          "p3-out01-licensing,2025,123\n"
          "p3-pj1-out01-licensing,2025,500\n", f);
    assert_int_equal(fclose(f), 0);
    size_t len;
    char *csv = hs_read_file(path, &len);
    struct hs_resp r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN, csv);
    hs_curl_expect(&r, 200);
    assert_int_equal(count_of(&r, "accepted"), 2);
    assert_non_null(strstr(r.body, "PW_WFEED_SUBTOTAL"));
    free(r.body);
    free(csv);
    char *out = NULL, *err = NULL;
    const char *args[] = {"feed", path, "--office", "admin", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, args), 0);
    assert_non_null(strstr(out, "0 accepted, 2 duplicates"));
    free(out);
    free(err);
    /* a new figure through the CLI: the warning, and exit status 0 */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("indicator_id,fiscal_year,value\np3-pj1-out01-licensing,2025,400\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(hs_cli(&cl, &out, &err, args), 0);
    assert_non_null(strstr(err, "warning: "));
    assert_non_null(strstr(err, "row 2: value: "));
    assert_non_null(strstr(err, "[PW_WFEED_SUBTOTAL]"));
    free(out);
    free(err);
}

/* "actual@data_fy" of indicator id in a status JSON document (an array of
 * rows): "none" when the row has no figure, "" when id is not there. */
static void status_cell(const char *js, const char *id, char *out, size_t n)
{
    json_error_t e;
    json_t *doc = json_loads(js, 0, &e), *row;
    size_t i;
    if (!json_is_array(doc))
        fail_msg("status is not a JSON array (%s): %.300s", e.text, js);
    snprintf(out, n, "%s", "");
    json_array_foreach(doc, i, row)
    {
        json_t *a = json_object_get(row, "actual");
        if (strcmp(json_string_value(json_object_get(row, "id")), id) != 0)
            continue;
        if (json_is_null(a) || !a)
            snprintf(out, n, "none");
        else
            snprintf(out, n, "%g@%lld", json_number_value(a),
                     (long long)json_integer_value(json_object_get(row, "data_fy")));
    }
    json_decref(doc);
}

/* What `planwatch status` and GET /api/v1/status say of id. */
static void expect_status(const char *id, const char *want)
{
    char *out = NULL, *err = NULL, cell[64];
    const char *args[] = {"status", "--plan", "p3", "--as-of", "2026-03-31", "--format", "json", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, args), 0);
    status_cell(out, id, cell, sizeof cell);
    assert_string_equal(cell, want);
    free(out);
    free(err);
    struct hs_resp r = call(&cl, "/api/v1/status?plan=p3&as_of=2026-03-31", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 200);
    status_cell(r.body, id, cell, sizeof cell);
    assert_string_equal(cell, want);
    free(r.body);
}

/* Runs the CLI; expects exit status rc and needle in its stdout (and, when
 * given, err_needle in its stderr). */
static void cli_expect(const char *const *args, int rc, const char *needle, const char *err_needle)
{
    char *out = NULL, *err = NULL;
    int got = hs_cli(&cl, &out, &err, args);
    if (got != rc || (needle && !strstr(out, needle)) || (err_needle && !strstr(err, err_needle)))
        fail_msg("planwatch %s: exit %d (expected %d): %s%s", args[0], got, rc, out, err);
    free(out);
    free(err);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Revert and retract through each door, as status shows them: a revert
 * makes the earlier figure the latest again, a retraction leaves the year
 * unreported (status: no figure at the FY2025 checkpoint), a figure sent
 * again restores it; a cumulative count below the previous year's is stored with
 * PW_WFEED_DECREASE in both doors' replies. */
static void test_retract_doors(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/retract.csv", cl.dir);
    const char *feed[] = {"feed", path, NULL};
    /* the CLI: p3-out05 (cumulative target over annual figures) */
    const char *id = "p3-out05-pediatric-plans";
    write_file(path, "indicator_id,fiscal_year,value\n"
                     "p3-out05-pediatric-plans,2024,22\np3-out05-pediatric-plans,2025,67\n");
    cli_expect(feed, 0, "2 accepted", NULL);
    write_file(path, "indicator_id,fiscal_year,value\np3-out05-pediatric-plans,2025,500\n");
    cli_expect(feed, 0, "1 accepted", NULL);
    expect_status(id, "522@2025");
    write_file(path, "indicator_id,fiscal_year,value\np3-out05-pediatric-plans,2025,67\n");
    cli_expect(feed, 0, "1 accepted", NULL); /* a revert */
    expect_latest(id, "67");
    expect_status(id, "89@2025");
    const char *retract[] = {"retract", id, "--fy", "2025", NULL};
    cli_expect(retract, 0, "retract: 1 accepted, 0 duplicates", NULL);
    expect_latest(id, "retracted");
    expect_status(id, "none"); /* FY2025 is the checkpoint: unreported */
    cli_expect(retract, 0, "retract: 0 accepted, 1 duplicates", NULL);
    const char *nothing[] = {"retract", "p3-out06-orphan-approvals", "--fy", "R6", NULL};
    cli_expect(nothing, 1, "[PW_EFEED_RETRACT]", NULL);
    const char *usage[] = {"retract", id, NULL};
    cli_expect(usage, 2, "", "--fy");
    cli_expect(feed, 0, "1 accepted", NULL); /* 67 again: restored */
    expect_latest(id, "67");
    expect_status(id, "89@2025");

    /* the HTTP door: p3-out06 */
    id = "p3-out06-orphan-approvals";
    post_json_expect("[{\"indicator_id\": \"p3-out06-orphan-approvals\", \"fiscal_year\": 2024, "
                     "\"value\": 30}, {\"indicator_id\": \"p3-out06-orphan-approvals\", "
                     "\"fiscal_year\": 2025, \"value\": 45}]",
                     200, "accepted", 2);
    expect_status(id, "75@2025");
    post_json_expect("[{\"indicator_id\": \"p3-out06-orphan-approvals\", \"fiscal_year\": 2025, "
                     "\"value\": 500}]",
                     200, "accepted", 1);
    expect_status(id, "530@2025");
    post_json_expect("[{\"indicator_id\": \"p3-out06-orphan-approvals\", \"fiscal_year\": 2025, "
                     "\"value\": 45}]",
                     200, "accepted", 1); /* a revert */
    expect_latest(id, "45");
    expect_status(id, "75@2025");
    static const char rj[] = "{\"indicator_id\": \"p3-out06-orphan-approvals\", \"fiscal_year\": 2025}";
    struct hs_resp r = call(&cl, "/api/v1/retractions", HS_TOK_ADMIN, "application/json", rj,
                            strlen(rj));
    hs_curl_expect(&r, 200);
    assert_int_equal(count_of(&r, "accepted"), 1);
    free(r.body);
    expect_latest(id, "retracted");
    expect_status(id, "none");
    r = call(&cl, "/api/v1/retractions", HS_TOK_ADMIN, "application/json", rj, strlen(rj));
    hs_curl_expect(&r, 200);
    assert_int_equal(count_of(&r, "unchanged"), 1);
    free(r.body);
    post_json_expect("[{\"indicator_id\": \"p3-out06-orphan-approvals\", \"fiscal_year\": 2025, "
                     "\"value\": 45}]",
                     200, "accepted", 1);
    expect_status(id, "75@2025");

    /* a cumulative count that falls: stored, with a warning in each door */
    write_file(path, "indicator_id,fiscal_year,value,basis\n"
                     "p3-out05-pediatric-plans,2024,40,cumulative\n"
                     "p3-out05-pediatric-plans,2025,35,cumulative\n");
    cli_expect(feed, 0, "2 accepted", "[PW_WFEED_DECREASE]");
    r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN,
                 "indicator_id,fiscal_year,value,basis\n"
                 "p3-out06-orphan-approvals,2024,80,cumulative\n"
                 "p3-out06-orphan-approvals,2025,70,cumulative\n");
    hs_curl_expect(&r, 200);
    assert_int_equal(count_of(&r, "accepted"), 2);
    json_t *doc = json_loads(r.body, 0, NULL);
    json_t *w = json_array_get(json_object_get(doc, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w, "code")), "PW_WFEED_DECREASE");
    assert_int_equal(json_integer_value(json_object_get(w, "row")), 3);
    json_decref(doc);
    free(r.body);
}

static void test_store_down(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&cl, HS_STORE, SIGTERM), 0);
    struct hs_resp r = post_csv(&cl, "/api/v1/feeds", HS_TOK_ADMIN,
                             "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2024,9\n");
    hs_curl_expect(&r, 503);
    assert_non_null(strstr(r.headers, "Retry-After:"));
    assert_int_equal(count_of(&r, "unavailable"), 1);
    free(r.body);
    r = call(&cl, "/api/v1/status", NULL, NULL, NULL, 0);
    hs_curl_expect(&r, 503);
    free(r.body);
    hs_start(&cl, HS_STORE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_feed_dry_run_and_store),
        cmocka_unit_test(test_feed_partial),
        cmocka_unit_test(test_read_api),
        cmocka_unit_test(test_report_and_dashboard),
        cmocka_unit_test(test_dashboard_in_chromium),
        cmocka_unit_test(test_corrections),
        cmocka_unit_test(test_retract_doors),
        cmocka_unit_test(test_store_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
