/* test_chart.c - progress charts: the plan's line at year ends is the exact
 * pro-rated target, the path follows the evaluation (figures known at the
 * as-of date only), per-year models plot per-year values against a level,
 * and the SVG carries the lines and says the same in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "chart.h"
#include "dec.h"
#include "fy.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024, projects: [{id: pj2, name: 機器}]}\n"
    "indicators:\n"
    "  - {id: c, plan: p2, project: pj2, name: 承認件数, kind: outcome, unit: 件,\n"
    "     reporting: cumulative, source: s, target: {type: cumulative, value: 20}}\n"
    "  - {id: a, plan: p2, name: 治験数, kind: output, unit: 件, reporting: annual, source: s,\n"
    "     target: {type: annual, value: 360}}\n"
    "  - {id: m, plan: p2, name: 監視, kind: monitoring, unit: 件, reporting: cumulative,\n"
    "     source: s, target: {type: none}}\n"
    "  - {id: x, plan: p2, name: X, kind: output, unit: '\"/><x>', reporting: cumulative,\n"
    "     source: s, target: {type: cumulative, value: 20}}\n";

static struct pw_catalog *cat;

static int setup(void **state)
{
    (void)state;
    const char *names[] = {"t.yaml"}, *bufs[] = {yaml};
    size_t lens[] = {sizeof yaml - 1};
    struct pw_diag d = {0};
    int rc = pw_catalog_load_buffers(&cat, names, bufs, lens, 1, &d);
    if (rc)
        fprintf(stderr, "%s: %s\n", d.field, d.msg);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}

static char *svg(const struct pw_chart *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    pw_chart_svg(f, c);
    fclose(f);
    return buf;
}

static void test_cumulative_path(void **state)
{
    (void)state;
    const struct pw_indicator *ind = pw_catalog_find(cat, "c");
    struct pw_obs obs[] = {
        {2022, PW_DEC(5), PW_BASIS_CUMULATIVE, 0, pw_day_from_ymd(2023, 3, 31), 0, 0},
        /* known only later: never on a chart drawn at 2023-03-31 */
        {2023, PW_DEC(9), PW_BASIS_CUMULATIVE, 0, pw_day_from_ymd(2024, 3, 31), 0, 0},
    };
    struct pw_chart c;
    assert_int_equal(pw_chart_build(&c, ind, obs, 2, pw_day_from_ymd(2023, 3, 31)), 0);
    assert_int_equal(c.nplan, 6);
    assert_int_equal(c.plan[0].day, pw_day_from_ymd(2020, 3, 31));
    assert_int_equal(c.plan[0].v, 0);
    assert_int_equal(c.plan[3].day, pw_day_from_ymd(2023, 3, 31));
    assert_int_equal(c.plan[3].v, PW_DEC(12)); /* 3/5 of 20 */
    assert_int_equal(c.plan[5].v, PW_DEC(20));
    assert_int_equal(c.nactual, 2);            /* the start, then FY2022's 5 */
    assert_int_equal(c.actual[0].v, 0);
    assert_int_equal(c.actual[1].day, pw_day_from_ymd(2023, 3, 31));
    assert_int_equal(c.actual[1].v, PW_DEC(5));
    assert_true(c.has_final);
    assert_int_equal(c.final, PW_DEC(20));
    assert_true(c.has_expected);
    assert_int_equal(c.expected, PW_DEC(12));
    assert_true(c.has_projection);
    assert_int_equal(c.projection[1].day, pw_day_from_ymd(2025, 3, 31));
    assert_int_equal(c.projection[1].v, 8333333); /* 5 at 3/5: on pace for 8.33 */
    assert_int_equal(c.now.status, PW_STATUS_BEHIND);

    char *s = svg(&c);
    assert_non_null(strstr(s, "<svg class=\"chart\""));
    assert_non_null(strstr(s, "class=\"plan\""));
    assert_non_null(strstr(s, "class=\"actual\" stroke=\"#cf222e\""));
    assert_non_null(strstr(s, "class=\"projection\""));
    assert_non_null(strstr(s, "aria-label=\"actual 5件, expected 12件, target 20件, on pace for "
                              "8.333333件 (FY2020–2024, checkpoint FY2022, as of 2023-03-31)\""));
    assert_non_null(strstr(s, "目標 20"));
    assert_non_null(strstr(s, "</svg>"));

    /* months later, before FY2023's figure is due, the chart judges the same
     * checkpoint: nothing is pro-rated to the day */
    struct pw_chart later;
    assert_int_equal(pw_chart_build(&later, ind, obs, 1, pw_day_from_ymd(2023, 12, 6)), 0);
    assert_int_equal(later.expected, PW_DEC(12));
    assert_int_equal(later.nactual, 2);
    assert_int_equal(later.projection[0].day, pw_day_from_ymd(2023, 3, 31));
    assert_int_equal(later.now.status, PW_STATUS_BEHIND);
    char *t = svg(&later);
    assert_non_null(strstr(t, "actual 5件, expected 12件, target 20件"));
    free(t);
    free(s);
}

static void test_annual_per_year(void **state)
{
    (void)state;
    const struct pw_indicator *ind = pw_catalog_find(cat, "a");
    struct pw_obs obs[] = {{2021, PW_DEC(380), PW_BASIS_ANNUAL, 0, PW_NO_DAY, 0, 0},
                           {2022, PW_DEC(300), PW_BASIS_ANNUAL, 0, PW_NO_DAY, 0, 0}};
    struct pw_chart c;
    assert_int_equal(pw_chart_build(&c, ind, obs, 2, pw_day_from_ymd(2023, 3, 31)), 0);
    assert_true(c.flow);
    assert_false(c.has_final);
    assert_false(c.has_projection);
    assert_int_equal(c.nplan, 2); /* the rate, across the window */
    assert_int_equal(c.plan[0].v, PW_DEC(360));
    assert_int_equal(c.plan[1].v, PW_DEC(360));
    assert_int_equal(c.nactual, 2); /* one point per reported year */
    assert_int_equal(c.actual[0].v, PW_DEC(380));
    assert_int_equal(c.actual[1].v, PW_DEC(300));
    char *s = svg(&c);
    assert_non_null(strstr(s, "actual 300件, expected 360件 (FY2020–2024"));
    assert_null(strstr(s, "目標"));
    free(s);
}

static void test_monitoring_and_empty(void **state)
{
    (void)state;
    const struct pw_indicator *ind = pw_catalog_find(cat, "m");
    struct pw_chart c;
    assert_int_equal(pw_chart_build(&c, ind, NULL, 0, pw_day_from_ymd(2023, 3, 31)), 0);
    assert_int_equal(c.nplan, 0);
    assert_int_equal(c.nactual, 0);
    char *s = svg(&c);
    assert_non_null(strstr(s, "no figure yet"));
    free(s);
    assert_int_not_equal(pw_chart_build(NULL, ind, NULL, 0, 0), 0);
}

/* Catalog text (a unit) inside the SVG's attributes is escaped. */
static void test_unit_escaped(void **state)
{
    (void)state;
    const struct pw_indicator *ind = pw_catalog_find(cat, "x");
    assert_non_null(ind);
    struct pw_chart c;
    assert_int_equal(pw_chart_build(&c, ind, NULL, 0, pw_day_from_ymd(2023, 3, 31)), 0);
    char *s = svg(&c);
    assert_non_null(strstr(s, "target 20&quot;/&gt;&lt;x&gt; (FY2020"));
    assert_null(strstr(s, "<x>"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cumulative_path),
        cmocka_unit_test(test_annual_per_year),
        cmocka_unit_test(test_monitoring_and_empty),
        cmocka_unit_test(test_unit_escaped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
