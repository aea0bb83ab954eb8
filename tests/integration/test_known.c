/* test_known.c - the two times and published reports end to end (README
 * "Known-at and published reports"), with the real services and the HTTP
 * door on loopback and the clock moved through its file (instants, no
 * sleeps): a 速報値 is fed, the FY2025 report published (CLI and HTTP), the
 * clock moved, the 確報値 fed with an as_of after the fiscal year's end; the
 * published reports come back byte for byte, one regenerated with
 * --known-at the publication instant equals them and shows the 速報値, and
 * status and history at a known-at instant (CLI and HTTP) see only what had
 * arrived by then. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"

#define IND "p3-out05-pediatric-plans"
#define PUBLISHED_AT "2026-05-01T12:00:00+09:00"

static struct hs_cluster cl;

/* Runs the CLI; asserts its exit status; returns its stdout (caller frees). */
static char *cli(int want, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(&cl, &out, &err, args);
    if (rc != want)
        fail_msg("planwatch %s: exit %d, expected %d: %s%s", args[0], rc, want, out, err);
    free(err);
    return out;
}

static void feed(const char *name, const char *csv)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", cl.dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(csv, f);
    assert_int_equal(fclose(f), 0);
    const char *args[] = {"feed", path, NULL};
    free(cli(0, args));
}

static struct hs_resp get(const char *path)
{
    struct hs_resp r = hs_curl(&cl, "GET", path, NULL, NULL, NULL, NULL, 0);
    if (r.status != 200)
        fail_msg("GET %s: HTTP %ld: %.400s", path, r.status, r.body);
    return r;
}

/* The line of status --format csv for IND. */
static char *status_line(const char *csv)
{
    const char *p = strstr(csv, "\n" IND ",");
    assert_non_null(p);
    const char *e = strchr(p + 1, '\n');
    return strndup(p + 1, e ? (size_t)(e - p - 1) : strlen(p + 1));
}

static void test_publish_then_confirm(void **state)
{
    (void)state;
    feed("prelim.csv", "indicator_id,fiscal_year,value,basis,preliminary,as_of\n" IND
                       ",2024,22,annual,false,2025-03-31\n" IND ",2025,29,annual,true,2026-03-31\n");
    const char *rep[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "md", NULL};
    char *before = cli(0, rep);
    assert_non_null(strstr(before, "| 51件（速報値） |")); /* FY2024-25 cumulative: 22 + 29 */
    const char *pub[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "md", "--publish",
                         "--by", "田中", NULL};
    char *id = cli(0, pub);
    assert_string_equal(id, "1\n");
    /* over HTTP: the admin token has manage: true; a read-only one may not publish */
    struct hs_resp r = hs_curl(&cl, "POST", "/api/v1/reports?plan=p3&fy=2025&format=csv",
                               HS_TOK_READER, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 403);
    hs_curl_free(&r);
    r = hs_curl(&cl, "POST", "/api/v1/reports?plan=p3&fy=2025&format=csv", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 401);
    hs_curl_free(&r);
    r = hs_curl(&cl, "POST", "/api/v1/reports?plan=p3&fy=2025&format=csv&by=secretariat",
                HS_TOK_ADMIN, NULL, NULL, NULL, 0);
    if (r.status != 201)
        fail_msg("publish: HTTP %ld: %s", r.status, r.body);
    assert_non_null(strstr(r.body, "\"id\": 2"));
    hs_curl_free(&r);
    struct hs_resp csv_before = get("/api/v1/report?plan=p3&fy=2025&format=csv");

    /* later: the 確報値, confirmed after the fiscal year's end */
    hs_set_clock(&cl, "2026-07-15T10:00:00+09:00");
    feed("confirmed.csv", "indicator_id,fiscal_year,value,basis,preliminary,as_of\n" IND
                          ",2025,31,annual,false,2026-06-30\n");
    char *now = cli(0, rep);
    assert_null(strstr(now, "51件（速報値）"));
    assert_non_null(strstr(now, "| 53件 |"));
    assert_string_not_equal(now, before);

    /* the published report, byte for byte, both ways and through HTTP */
    const char *get1[] = {"reports", "get", "1", NULL};
    char *kept = cli(0, get1);
    assert_string_equal(kept, before);
    const char *get1b[] = {"report", "--published", "1", NULL};
    char *kept2 = cli(0, get1b);
    assert_string_equal(kept2, before);
    r = get("/api/v1/reports/1");
    assert_string_equal(r.body, before);
    assert_non_null(strstr(r.ctype, "text/markdown"));
    hs_curl_free(&r);
    r = get("/api/v1/reports/2");
    assert_string_equal(r.body, csv_before.body);
    assert_non_null(strstr(r.ctype, "text/csv"));
    hs_curl_free(&r);
    r = hs_curl(&cl, "GET", "/api/v1/reports/9", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 404);
    hs_curl_free(&r);
    const char *get9[] = {"reports", "get", "9", NULL};
    free(cli(1, get9));

    /* regenerated at the publication instant: the same bytes, the 速報値 */
    const char *regen[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "md",
                           "--known-at", PUBLISHED_AT, NULL};
    char *again = cli(0, regen);
    assert_string_equal(again, before);
    r = get("/api/v1/report?plan=p3&fy=2025&format=csv&known_at=2026-05-01T03:00:00Z");
    assert_string_equal(r.body, csv_before.body);
    hs_curl_free(&r);

    /* the list */
    const char *list[] = {"reports", "--plan", "p3", "--format", "csv", NULL};
    char *l = cli(0, list);
    assert_non_null(strstr(l, "\n1,p3,2025,md,2026-03-31,2026-05-01T03:00:00.000Z,2026-05-01T03:00:00.000Z,田中,"));
    assert_non_null(strstr(l, "\n2,p3,2025,csv,2026-03-31,"));
    assert_non_null(strstr(l, ",secretariat,admin,"));
    r = get("/api/v1/reports?plan=p3");
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "reports")), 2);
    json_decref(doc);
    hs_curl_free(&r);
    free(l);
    free(again);
    free(kept2);
    free(kept);
    free(now);
    free(id);
    free(before);
    hs_curl_free(&csv_before);
}

/* status and history at a known-at instant, CLI and HTTP alike */
static void test_status_history_known_at(void **state)
{
    (void)state;
    const char *st_then[] = {"status", "--plan", "p3", "--format", "csv", "--known-at", "2026-05-01",
                             NULL};
    const char *st_now[] = {"status", "--plan", "p3", "--format", "csv", NULL};
    char *then = cli(0, st_then), *now = cli(0, st_now);
    char *lt = status_line(then), *ln = status_line(now);
    assert_non_null(strstr(lt, ",51,"));
    assert_non_null(strstr(ln, ",53,"));
    struct hs_resp r = get("/api/v1/status?plan=p3&format=csv&known_at=2026-05-01");
    assert_string_equal(r.body, then);
    hs_curl_free(&r);
    r = get("/api/v1/status?plan=p3&format=csv");
    assert_string_equal(r.body, now);
    hs_curl_free(&r);
    r = hs_curl(&cl, "GET", "/api/v1/status?known_at=yesterday", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    hs_curl_free(&r);

    const char *h_then[] = {"history", IND, "--format", "csv", "--known-at",
                            "2026-07-15T00:59:59Z", NULL};
    const char *h_now[] = {"history", IND, "--format", "csv", NULL};
    char *hthen = cli(0, h_then), *hnow = cli(0, h_now);
    assert_null(strstr(hthen, ",2025,31,"));
    assert_non_null(strstr(hthen, ",2025,29,"));
    assert_non_null(strstr(hnow, ",2025,31,"));
    r = get("/api/v1/indicators/" IND "/history?format=csv&known_at=2026-07-15T00:59:59Z");
    assert_string_equal(r.body, hthen);
    hs_curl_free(&r);
    r = get("/api/v1/indicators/" IND "/history?format=csv&known_at=2026-07-15T01:00:00Z");
    assert_string_equal(r.body, hnow);
    hs_curl_free(&r);
    const char *bad[] = {"status", "--known-at", "2026-13-01", NULL};
    free(cli(2, bad));
    free(hthen);
    free(hnow);
    free(lt);
    free(ln);
    free(then);
    free(now);
}

static int setup(void **state)
{
    (void)state;
    hs_curl_start(&cl, "known", PUBLISHED_AT, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_then_confirm),
        cmocka_unit_test(test_status_history_known_at),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
