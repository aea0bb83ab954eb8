/* test_lineage.c - plan lineage through the real CLI: plan 2's and plan 3's
 * sample feeds go through ingest into the store, and `planwatch history ID
 * --lineage` prints the series across both plans, oldest first, every
 * revision marked with its plan and each fiscal year judged by its own plan;
 * the dashboard row of such an indicator names its predecessor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static struct hs_cluster cl;

/* Runs the CLI; asserts its exit status; returns its stdout (caller frees). */
static char *cli(int want, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(&cl, &out, &err, args);
    if (rc != want) {
        hs_dump_logs(&cl);
        fail_msg("planwatch %s: exit %d, expected %d: %s%s", args[0], rc, want, out, err);
    }
    free(err);
    return out;
}

static int setup(void **state)
{
    (void)state;
    hs_init(&cl, "lineage", "2026-12-06");
    hs_start(&cl, HS_STORE);
    hs_start(&cl, HS_INGEST);
    static const char *const feeds[] = {"catalog/feeds/plan2-fy2022.csv",
                                        "catalog/feeds/plan2-fy2024.csv",
                                        "catalog/feeds/plan3-fy2025.csv"};
    for (size_t i = 0; i < sizeof feeds / sizeof feeds[0]; i++) {
        const char *args[] = {"feed", hs_src(feeds[i]), NULL};
        free(cli(0, args));
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_fini(&cl);
    return 0;
}

static void test_lineage_history(void **state)
{
    (void)state;
    const char *args[] = {"history", "p3-pj1-nonclinical-poc", "--lineage", NULL};
    char *out = cli(0, args);
    /* oldest plan first */
    const char *h2 = strstr(out, "== plan p2 "), *h3 = strstr(out, "== plan p3 ");
    if (!h2 || !h3 || h2 > h3)
        fail_msg("lineage sections missing or out of order:\n%s", out);
    print_message("%s", out);
    assert_non_null(strstr(out, "p3-pj1-nonclinical-poc: lineage over 2 plans"));
    assert_non_null(strstr(h2, "p2-pj1-nonclinical-poc 非臨床POCの取得件数"));
    /* each revision with its plan: plan 2's FY2022 and FY2024 figures, plan 3's FY2025 one */
    assert_non_null(strstr(h2, "  PLAN  "));
    const char *r22 = strstr(h2, " p2    "), *r25 = strstr(h3, " p3    ");
    assert_non_null(r22);
    assert_true(r22 < h3);
    const char *v22 = strstr(r22, "FY2022"), *v24 = strstr(r22, "FY2024");
    assert_non_null(v22);
    assert_non_null(v24);
    assert_true(v24 < h3);
    assert_non_null(strstr(v22, " 128  cumulative"));
    assert_non_null(strstr(v24, " 214  cumulative"));
    assert_non_null(r25);
    assert_non_null(strstr(r25, "FY2025"));
    assert_non_null(strstr(r25, " 70  annual"));
    /* each point judged by its own plan: plan 2's target, plan 3's monitoring row */
    const char *j22 = strstr(out, "plan p2 judges FY2022: "), *j24 = strstr(out, "plan p2 judges FY2024: ");
    const char *j25 = strstr(out, "plan p3 judges FY2025: NO_TARGET -");
    if (!j22 || !j24 || !j25)
        fail_msg("judgements missing:\n%s", out);
    assert_true(j22 < h3 && j24 < h3 && j25 > h3);
    assert_null(strstr(out, "plan p3 judges FY2024"));
    assert_null(strstr(out, "plan p2 judges FY2025"));
    free(out);

    /* without a predecessor: one plan; plain history is unchanged */
    const char *one[] = {"history", "p3-pj2-pmda-consultations", "--lineage", NULL};
    out = cli(0, one);
    assert_non_null(strstr(out, "lineage over 1 plan,"));
    free(out);
    const char *plain[] = {"history", "p3-pj1-nonclinical-poc", NULL};
    out = cli(0, plain);
    assert_null(strstr(out, "PLAN"));
    assert_null(strstr(out, "FY2024"));
    free(out);

    /* the dashboard row names its predecessor */
    hs_start_http(&cl);
    int st = 0;
    char *page = hs_scrape(cl.http_port, "/", &st);
    assert_non_null(page);
    assert_int_equal(st, 200);
    const char *row = strstr(page, "<tr data-id=\"p3-pj1-nonclinical-poc\"");
    if (!row)
        fail_msg("no dashboard row for p3-pj1-nonclinical-poc");
    const char *end = strstr(row, "</tr>"), *label = strstr(row, "data-predecessor=\"p2-pj1-nonclinical-poc\"");
    assert_non_null(label);
    assert_true(end && label < end);
    /* and draws the earlier plan's series beside this one's, judged by its own plan */
    const char *lineage = strstr(row, "<div class=\"lineage\">");
    assert_true(lineage && lineage < end);
    const char *svg = strstr(lineage, "<svg class=\"chart\"");
    assert_true(svg && svg < end);
    const char *judged = strstr(svg, "(FY2020–2024, final FY2024");
    assert_true(judged && judged < end);
    free(page);
    assert_int_equal(hs_stop_http(&cl), 0);

    /* the errors: table only, an unknown id */
    const char *csv[] = {"history", "p3-pj1-nonclinical-poc", "--lineage", "--format", "csv", NULL};
    free(cli(2, csv));
    const char *unknown[] = {"history", "p3-no-such", "--lineage", NULL};
    free(cli(1, unknown));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lineage_history),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
