/* test_dash.c - the dashboard's figures: the house number format (two
 * decimals at most, thousands separators), the gap at the checkpoint judged
 * (sign by the target's direction, % of the expected value), sorting and
 * the grade filter, the heat map's cell per fiscal year (judged at that
 * year's end, only what was known), times in the configured zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "catalog.h"
#include "dash.h"
#include "dec.h"
#include "err.h"
#include "fy.h"
#include "unit_support.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024, projects: [{id: pj2, name: 機器}]}\n"
    "indicators:\n"
    "  - {id: c, plan: p2, project: pj2, name: 承認件数, kind: outcome, unit: 件,\n"
    "     reporting: cumulative, source: s, target: {type: cumulative, value: 20}}\n"
    "  - {id: low, plan: p2, name: 待ち日数, kind: outcome, unit: 日, reporting: cumulative,\n"
    "     source: s, target: {type: level, value: 60, baseline: 100, better: lower}}\n"
    "  - {id: m, plan: p2, name: 監視, kind: monitoring, unit: 件, reporting: cumulative,\n"
    "     source: s, target: {type: none}}\n";

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

static void test_number(void **state)
{
    (void)state;
    char b[PW_DEC_BUFSZ + 16];
    assert_string_equal(pw_dash_number(219041096, b, sizeof b), "219.04"); /* not 219.041096 */
    assert_string_equal(pw_dash_number(PW_DEC(1443), b, sizeof b), "1,443");
    assert_string_equal(pw_dash_number(46500000, b, sizeof b), "46.5");
    assert_string_equal(pw_dash_number(5000, b, sizeof b), "0.01");    /* half away from zero */
    assert_string_equal(pw_dash_number(-1005000, b, sizeof b), "-1.01");
    assert_string_equal(pw_dash_number(PW_DEC(1234567) + 4999, b, sizeof b), "1,234,567");
    assert_string_equal(pw_dash_number(0, b, sizeof b), "0");
}

static void test_gap(void **state)
{
    (void)state;
    const struct pw_indicator *c = pw_catalog_find(cat, "c"), *low = pw_catalog_find(cat, "low");
    struct pw_obs obs[] = {{2022, PW_DEC(5), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}};
    struct pw_eval e;
    struct pw_dash_gap g;
    char b[PW_DASH_GAP_BUFSZ];
    assert_int_equal(pw_eval_indicator(c, obs, 1, pw_day_from_ymd(2023, 3, 31), &e), 0);
    assert_int_equal(pw_dash_gap(c, &e, &g), 0);
    assert_true(g.has);
    assert_int_equal(g.diff, PW_DEC(-7)); /* 5 of an expected 12 */
    assert_true(g.has_pct);
    assert_int_equal(g.pct, -58300000);   /* -58.333... rounded to -58.3 */
    assert_string_equal(pw_dash_gap_format(&g, "件", b, sizeof b), "−7件 (−58.3%)");

    /* ahead of the plan */
    struct pw_obs ahead[] = {{2022, PW_DEC(15), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}};
    assert_int_equal(pw_eval_indicator(c, ahead, 1, pw_day_from_ymd(2023, 3, 31), &e), 0);
    assert_int_equal(pw_dash_gap(c, &e, &g), 0);
    assert_string_equal(pw_dash_gap_format(&g, "件", b, sizeof b), "+3件 (+25%)");

    /* lower is better: above the expected level is behind (negative) */
    struct pw_obs slow[] = {{2022, PW_DEC(90), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}};
    assert_int_equal(pw_eval_indicator(low, slow, 1, pw_day_from_ymd(2023, 3, 31), &e), 0);
    assert_true(e.has_expected);
    assert_int_equal(pw_dash_gap(low, &e, &g), 0);
    assert_true(g.has);
    assert_true(g.diff < 0);
    assert_int_equal(g.diff, e.expected - e.actual);

    /* no figure, or monitoring only: no gap */
    assert_int_equal(pw_eval_indicator(c, NULL, 0, pw_day_from_ymd(2023, 3, 31), &e), 0);
    assert_int_equal(pw_dash_gap(c, &e, &g), 0);
    assert_false(g.has);
    assert_string_equal(pw_dash_gap_format(&g, "件", b, sizeof b), "-");
    assert_int_equal(pw_dash_gap(NULL, &e, &g), PW_EINVAL);
    /* expected 0: the difference only */
    g = (struct pw_dash_gap){1, PW_DEC(2), 0, 0};
    assert_string_equal(pw_dash_gap_format(&g, "件", b, sizeof b), "+2件");
    g = (struct pw_dash_gap){1, 0, 1, 0};
    assert_string_equal(pw_dash_gap_format(&g, "件", b, sizeof b), "±0件 (0%)");
}

static void test_sort_and_filter(void **state)
{
    (void)state;
    const struct pw_indicator *c = pw_catalog_find(cat, "c"), *low = pw_catalog_find(cat, "low"),
                              *m = pw_catalog_find(cat, "m");
    struct pw_dash_row rows[3];
    memset(rows, 0, sizeof rows);
    rows[0].ind = m;                                    /* no gap */
    rows[1].ind = c;
    rows[1].gap = (struct pw_dash_gap){1, PW_DEC(-1), 1, PW_DEC(-10)};
    rows[2].ind = low;
    rows[2].gap = (struct pw_dash_gap){1, PW_DEC(-9), 1, PW_DEC(-50)};
    pw_dash_sort_rows(rows, 3, PW_DASH_SORT_GAP);
    assert_ptr_equal(rows[0].ind, low); /* the most behind first */
    assert_ptr_equal(rows[1].ind, c);
    assert_ptr_equal(rows[2].ind, m);   /* no gap last */
    pw_dash_sort_rows(rows, 3, PW_DASH_SORT_ID);
    assert_string_equal(rows[0].ind->id, "c");
    assert_string_equal(rows[1].ind->id, "low");
    assert_string_equal(rows[2].ind->id, "m");
    pw_dash_sort_rows(rows, 3, PW_DASH_SORT_PROJECT); /* catalog order */
    assert_ptr_equal(rows[0].ind, c);
    assert_ptr_equal(rows[1].ind, low);
    assert_ptr_equal(rows[2].ind, m);

    enum pw_dash_sort s;
    assert_int_equal(pw_dash_sort_parse("gap", &s), 0);
    assert_int_equal(s, PW_DASH_SORT_GAP);
    assert_int_equal(pw_dash_sort_parse("", &s), 0);
    assert_int_equal(s, PW_DASH_SORT_PROJECT);
    assert_int_equal(pw_dash_sort_parse("size", &s), PW_EINVAL);
    assert_string_equal(pw_dash_sort_name(PW_DASH_SORT_ID), "id");
    char g = 'x';
    assert_int_equal(pw_dash_grade_parse("B", &g), 0);
    assert_int_equal(g, 'B');
    assert_int_equal(pw_dash_grade_parse("a", &g), 0);
    assert_int_equal(g, 'A');
    assert_int_equal(pw_dash_grade_parse("-", &g), 0);
    assert_int_equal(g, '-');
    assert_int_equal(pw_dash_grade_parse("", &g), 0);
    assert_int_equal(g, 0);
    assert_int_equal(pw_dash_grade_parse("C", &g), PW_EINVAL);
    assert_int_equal(pw_dash_grade_parse("AB", &g), PW_EINVAL);
}

static void test_cells(void **state)
{
    (void)state;
    const struct pw_indicator *c = pw_catalog_find(cat, "c");
    /* FY2021: 4 (expected 8: B); FY2022: 14 (expected 12: A), known only
     * from 2023-05-01 (Unix ns) */
    int64_t may = ((int64_t)pw_day_from_ymd(2023, 5, 1) * 86400) * INT64_C(1000000000);
    struct pw_obs obs[] = {{2021, PW_DEC(4), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0},
                           {2022, PW_DEC(14), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, may, 0}};
    struct pw_dash_cell cells[6];
    int32_t day = pw_day_from_ymd(2023, 6, 1);
    assert_int_equal(pw_dash_cells(c, obs, 2, day, PW_KNOWN_ALL, 2019, 2024, cells), 0);
    assert_int_equal(cells[0].state, PW_DASH_CELL_NONE);   /* FY2019: before the window */
    assert_int_equal(cells[1].state, PW_DASH_CELL_NONE);   /* FY2020: no figure */
    assert_int_equal(cells[2].state, PW_DASH_CELL_JUDGED); /* FY2021 */
    assert_int_equal(cells[2].grade, 'B');
    assert_int_equal(cells[2].actual, PW_DEC(4));
    assert_int_equal(cells[3].state, PW_DASH_CELL_JUDGED); /* FY2022 */
    assert_int_equal(cells[3].grade, 'A');
    assert_int_equal(cells[3].status, PW_STATUS_ON_TRACK);
    assert_int_equal(cells[4].state, PW_DASH_CELL_FUTURE); /* FY2023 has not ended */
    assert_int_equal(cells[5].state, PW_DASH_CELL_FUTURE);
    assert_int_equal(cells[4].fy, 2023);
    /* known at 2023-04-30: FY2022's figure had not arrived */
    assert_int_equal(pw_dash_cells(c, obs, 2, day, may - 1, 2019, 2024, cells), 0);
    assert_int_equal(cells[3].state, PW_DASH_CELL_NONE);
    assert_int_equal(cells[2].grade, 'B');
    assert_int_equal(pw_dash_cells(c, obs, 2, day, PW_KNOWN_ALL, 2024, 2019, cells), PW_EINVAL);
    assert_int_equal(pw_dash_cells(NULL, obs, 2, day, PW_KNOWN_ALL, 2019, 2024, cells), PW_EINVAL);
}

static void test_time_zone(void **state)
{
    (void)state;
    char b[48];
    const char *tz = NULL;
    assert_int_equal(pw_dash_tz_resolve("", &tz), 0); /* the default: Japan */
    assert_true(strcmp(tz, "Asia/Tokyo") == 0 || strcmp(tz, "JST-9") == 0);
    setenv("TZ", tz, 1);
    tzset();
    /* 2023-03-31T15:30:00Z is 2023-04-01 00:30 in Japan */
    int64_t ns = ((int64_t)pw_day_from_ymd(2023, 3, 31) * 86400 + 15 * 3600 + 30 * 60) *
                 INT64_C(1000000000);
    assert_string_equal(pw_dash_time(ns, b, sizeof b), "2023-04-01 00:30 JST");
    assert_string_equal(pw_dash_time(0, b, sizeof b), "-");
    assert_int_equal(pw_dash_tz_resolve("UTC", &tz), 0);
    setenv("TZ", tz, 1);
    tzset();
    assert_string_equal(pw_dash_time(ns, b, sizeof b), "2023-03-31 15:30 UTC");
    assert_int_equal(pw_dash_tz_resolve("JST-9", &tz), 0);
    assert_string_equal(tz, "JST-9");
    assert_int_equal(pw_dash_tz_resolve("Nowhere/Atlantis", &tz), PW_EINVAL);
    assert_int_equal(pw_dash_tz_resolve("../../etc/passwd", &tz), PW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number),         cmocka_unit_test(test_gap),
        cmocka_unit_test(test_sort_and_filter), cmocka_unit_test(test_cells),
        cmocka_unit_test(test_time_zone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
