/* test_assess.c - the secretariat's assessment end to end (README "The
 * secretariat's assessment"), with the real services and the HTTP door on
 * loopback: with the plan-3 FY2025 sample feed, output 16) is AT_RISK with
 * an open status alert; an assessed A (CLI) shows beside the computed grade
 * in status, the follow-up report and the dashboard and closes the alert
 * with one notice; a token without manage is refused; a known-at before the
 * assessment does not see it; withdrawing it opens the alert again; the
 * sample assessments file loads once. Waits on the alert heartbeats (admin
 * seq, evaluated day), never sleeps. */
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

#define IND "p3-out16-bio-manufacturing-trainees"
#define DAY "2026-05-01"

static struct hs_cluster cl;

static char *cli(int want, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(&cl, &out, &err, args);
    if (rc != want)
        fail_msg("planwatch %s: exit %d, expected %d: %s%s", args[0], rc, want, out, err);
    free(err);
    return out;
}

/* The store's admin seq (what the alert service must have loaded). */
static uint64_t admin_seq(void)
{
    struct pw_client *st = hs_client(&cl, HS_STORE, NULL);
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESSMENTS;
    Planwatch__V1__QueryReply *r = hs_query(&cl, st, &q);
    uint64_t v = r->admin_seq;
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    pw_client_close(&st);
    return v;
}

/* Waits until the alert service has loaded every assessment and judged DAY
 * with all it raised published. */
static void settle(void)
{
    if (hs_alert_evaluated(&cl, 0, admin_seq(), DAY, NULL, 30000) < 0)
        fail_msg("the alert service did not settle");
}

static int open_alert(void)
{
    const char *args[] = {"alerts", "--open", "--plan", "p3", "--format", "csv", NULL};
    char *out = cli(0, args);
    int open = strstr(out, IND) != NULL;
    free(out);
    return open;
}

/* The line of `status --format csv` for IND (caller frees). */
static char *status_line(const char *known_at)
{
    const char *args[] = {"status", "--plan", "p3", "--format", "csv", "--known-at", known_at, NULL};
    if (!known_at)
        args[5] = NULL;
    char *out = cli(0, args);
    const char *p = strstr(out, "\n" IND ",");
    assert_non_null(p);
    const char *e = strchr(p + 1, '\n');
    char *line = strndup(p + 1, e ? (size_t)(e - p - 1) : strlen(p + 1));
    free(out);
    return line;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

static void test_assess_quiets_and_shows(void **state)
{
    (void)state;
    const char *feed[] = {"feed", hs_src("catalog/feeds/plan3-fy2025.csv"), NULL};
    free(cli(0, feed));
    settle();
    assert_true(open_alert());
    char *before = status_line(NULL);
    assert_non_null(strstr(before, ",AT_RISK,B,"));
    assert_true(ends_with(before, ",,,"));

    /* only the manage right records one */
    static const char body[] = "{\"indicator_id\": \"" IND "\", \"fiscal_year\": 2025, "
                               "\"grade\": \"A\", \"reason\": \"x\"}";
    struct hs_resp r = hs_curl(&cl, "POST", "/api/v1/assessments", HS_TOK_READER,
                               "application/json", NULL, body, strlen(body));
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "PW_EFORBIDDEN"));
    hs_curl_free(&r);

    /* recorded later the same day: a known-at before it does not see it */
    hs_set_clock(&cl, DAY "T12:00:00+09:00");
    const char *as[] = {"assess", IND, "--fy", "2025", "--grade", "A", "--reason",
                        "総合的に勘案, 研修を実施", "--by", "事務局", NULL};
    free(cli(0, as));
    settle();
    assert_false(open_alert());
    const char *hist[] = {"alerts", "--history", "--plan", "p3", "--format", "csv", NULL};
    char *h = cli(0, hist);
    assert_non_null(strstr(h, "assessed A by 事務局"));
    free(h);

    char *after = status_line(NULL);
    assert_non_null(strstr(after, ",AT_RISK,B,")); /* the rule's grade stays */
    assert_true(ends_with(after, ",A,\"総合的に勘案, 研修を実施\",事務局"));
    char *then = status_line(DAY "T11:00:00+09:00");
    assert_string_equal(then, before);
    const char *table[] = {"status", "--plan", "p3", NULL};
    char *t = cli(0, table);
    assert_non_null(strstr(t, "事務局評価 A（計算上 B）: ")); /* a table is Japanese by default */
    free(t);
    const char *table_en[] = {"status", "--plan", "p3", "--lang", "en", "--wide", NULL};
    t = cli(0, table_en);
    assert_non_null(strstr(t, "A (assessed; computed B: "));
    free(t);
    const char *rep[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "csv", NULL};
    char *report = cli(0, rep);
    /* Japanese: the explanation, then the secretariat's assessment */
    assert_non_null(strstr(report, " / 事務局評価 A（計算上 B）: 総合的に勘案, 研修を実施 (事務局)\""));
    free(report);
    r = hs_curl(&cl, "GET", "/?plan=p3", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "data-id=\"" IND "\" data-status=\"AT_RISK\" data-grade=\"A\""));
    assert_non_null(strstr(r.body, "事務局評価 assessed A (計算上 computed B): 総合的に勘案"));
    hs_curl_free(&r);

    /* withdrawn: the rule's grade stands and the alert opens again */
    const char *wd[] = {"assess", IND, "--fy", "2025", "--withdraw", "--by", "事務局", NULL};
    free(cli(0, wd));
    settle();
    assert_true(open_alert());
    char *back = status_line(NULL);
    assert_true(ends_with(back, ",,,"));
    free(cli(1, wd)); /* nothing left to withdraw */

    /* the seeds' own assessments, loaded once */
    const char *file[] = {"assess", "--file", hs_src("catalog/feeds/plan3-fy2025-assessments.csv"),
                          NULL};
    char *o1 = cli(0, file), *o2 = cli(0, file);
    assert_non_null(strstr(o1, IND " FY2025: assessed A by 事務局\n"));
    assert_non_null(strstr(o2, "(already recorded)"));
    settle();
    assert_false(open_alert());
    r = hs_curl(&cl, "GET", "/api/v1/assessments?history=true", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "assessments")), 4);
    json_decref(doc);
    hs_curl_free(&r);
    free(o1);
    free(o2);
    free(back);
    free(then);
    free(after);
    free(before);
}

static int setup(void **state)
{
    (void)state;
    hs_curl_start(&cl, "assess", DAY "T10:00:00+09:00", NULL);
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
        cmocka_unit_test(test_assess_quiets_and_shows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
