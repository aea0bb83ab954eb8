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
#include "err.h"
#include "followup.h"
#include "fy.h"
#include "unit_support.h"

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
    return ut_catalog_load(&cat, "t.yaml", yaml);
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
                              "8.33件 (FY2020–2024, checkpoint FY2022, as of 2023-03-31)\""));
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

/* The burn view: the best year on record sets the last-chance line; the
 * first year below it (on the figures, or on the pace) is the lost one. */
static void test_burn(void **state)
{
    (void)state;
    const struct pw_indicator *ind = pw_catalog_find(cat, "c");
    int32_t day = pw_day_from_ymd(2023, 3, 31);
    struct pw_chart c;
    struct pw_chart_burn b;
    /* 4 by FY2021 (2 a year from the start), 5 by FY2022: best 2 a year;
     * FY2021 needs 20 - 2 x 3 = 14: lost on the figures after FY2021 */
    struct pw_obs lost[] = {{2021, PW_DEC(4), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0},
                            {2022, PW_DEC(5), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}};
    assert_int_equal(pw_chart_build(&c, ind, lost, 2, day), 0);
    assert_int_equal(pw_chart_burn(&c, &b), 0);
    assert_true(b.applies);
    assert_int_equal(b.best, PW_DEC(2));
    assert_int_equal(b.best_fy, 2021);
    assert_int_equal(b.lost_fy, 2021);
    assert_true(b.lost_known);
    assert_int_equal(b.need[b.nneed - 1].v, PW_DEC(20)); /* the window end: the target */
    assert_int_equal(b.need[b.nneed - 2].v, PW_DEC(18));

    /* 8 then 12: 4 a year, exactly on the line; the pace (20 by FY2024) keeps it */
    struct pw_obs ok[] = {{2021, PW_DEC(8), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0},
                          {2022, PW_DEC(12), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}};
    assert_int_equal(pw_chart_build(&c, ind, ok, 2, day), 0);
    assert_int_equal(pw_chart_burn(&c, &b), 0);
    assert_true(b.applies);
    assert_int_equal(b.best, PW_DEC(4));
    assert_int_equal(b.lost_fy, 0);
    assert_int_equal(b.nneed, 6); /* FY2019's end (0) to FY2024's (20) */
    assert_int_equal(b.need[0].v, 0);

    /* 1 then 11: best 10 a year, but at the pace so far (11 in 3 years)
     * FY2024 ends at 18.33: lost after FY2024 on the pace, not the figures */
    struct pw_obs pace[] = {{2021, PW_DEC(1), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0},
                            {2022, PW_DEC(11), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}};
    assert_int_equal(pw_chart_build(&c, ind, pace, 2, day), 0);
    assert_int_equal(pw_chart_burn(&c, &b), 0);
    assert_int_equal(b.best, PW_DEC(10));
    assert_int_equal(b.best_fy, 2022);
    assert_int_equal(b.lost_fy, 2024);
    assert_false(b.lost_known);

    /* per-year targets, monitoring and no gain on record: no burn view */
    assert_int_equal(pw_chart_build(&c, pw_catalog_find(cat, "a"), NULL, 0, day), 0);
    assert_int_equal(pw_chart_burn(&c, &b), 0);
    assert_false(b.applies);
    assert_int_equal(pw_chart_build(&c, ind, NULL, 0, day), 0);
    assert_int_equal(pw_chart_burn(&c, &b), 0);
    assert_false(b.applies);
    assert_int_equal(pw_chart_burn(NULL, &b), PW_EINVAL);
}

/* The large chart: labelled value axis, every year end named, each
 * figure written at its point, target, plan, expected and the burn view. */
static void test_big_chart(void **state)
{
    (void)state;
    const struct pw_indicator *ind = pw_catalog_find(cat, "c");
    struct pw_obs obs[] = {{2021, PW_DEC(4), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0},
                           {2022, PW_DEC(5), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}};
    struct pw_chart c;
    struct pw_chart_burn b;
    assert_int_equal(pw_chart_build(&c, ind, obs, 2, pw_day_from_ymd(2023, 3, 31)), 0);
    assert_int_equal(pw_chart_burn(&c, &b), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    pw_chart_svg_big(f, &c, &b, 'A');
    fclose(f);
    assert_non_null(strstr(buf, "<svg class=\"chart-big\""));
    /* 0, 5, 10, 15, 20 (and 25 above the target) on the value axis */
    assert_non_null(strstr(buf, "text-anchor=\"end\">0</text>"));
    assert_non_null(strstr(buf, "text-anchor=\"end\">20</text>"));
    assert_non_null(strstr(buf, "text-anchor=\"end\">25</text>"));
    for (int fy = 2019; fy <= 2024; fy++) {
        char name[32], tick[64];
        snprintf(tick, sizeof tick, ">%s末</text>", pw_followup_fy_name(fy, name, sizeof name));
        assert_non_null(strstr(buf, tick));
    }
    assert_non_null(strstr(buf, ">4件</text>"));
    assert_non_null(strstr(buf, ">5件</text>"));
    assert_non_null(strstr(buf, ">目標 20件</text>"));
    assert_non_null(strstr(buf, "class=\"plan\""));
    assert_non_null(strstr(buf, "期待値 12件 · 事務局評価 A</text>"));
    assert_non_null(strstr(buf, "class=\"burn\""));
    assert_non_null(strstr(buf, "令和3年度末で到達不能</text>"));
    assert_non_null(strstr(buf, "class=\"checkpoint judged\""));
    free(buf);
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
        cmocka_unit_test(test_burn),
        cmocka_unit_test(test_big_chart),
        cmocka_unit_test(test_annual_per_year),
        cmocka_unit_test(test_monitoring_and_empty),
        cmocka_unit_test(test_unit_escaped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
