/* test_eval.c - every target model and every status, at exact boundaries.
 * Indicators come from an inline catalog loaded by the real loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_support.h"

#include "catalog.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "fy.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p2, name: 第2期, start_fy: 2020, end_fy: 2024}\n"
    "  - {id: p3, name: 第3期, start_fy: 2025, end_fy: 2029}\n"
    "indicators:\n"
    "  - {id: cum20, plan: p2, name: c, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: cumulative, value: 20}}\n"
    "  - {id: cum650, plan: p3, name: c, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: cumulative, value: 650}}\n"
    "  - {id: cum50, plan: p3, name: c, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: cumulative, value: 50, window: [2024, 2028]}}\n"
    "  - {id: ann360, plan: p3, name: a, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: annual, value: 360}}\n"
    "  - {id: lvl70, plan: p3, name: l, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: level, value: 70, baseline: 30, window: [2025, 2028]}}\n"
    "  - {id: pct75, plan: p2, name: r, kind: output, unit: '%', reporting: cumulative,"
    "     source: t, target: {type: ratio, value: 75}}\n"
    "  - {id: avg250, plan: p3, name: r, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: rolling_average, value: 250, years: 3}}\n"
    "  - {id: gt1225, plan: p3, name: g, kind: output, unit: 名, reporting: annual,"
    "     source: t, target: {type: above_baseline, value: 1225}}\n"
    "  - {id: prev3, plan: p3, name: p, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: prev_average, years: 3}}\n"
    "  - {id: prev3b, plan: p3, name: p, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: prev_average, years: 3, lag: 2, baseline: 1365}}\n"
    "  - {id: traj, plan: p3, name: t, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: trajectory, window: [2025, 2028],"
    "     milestones: {2025: 0, 2026: 3, 2027: 6, 2028: 10}}}\n"
    "  - {id: mon, plan: p3, name: m, kind: monitoring, unit: 件, reporting: annual,"
    "     source: t, target: {type: none}}\n"
    "  - {id: monr, plan: p3, name: m, kind: monitoring, unit: 件, reporting: annual,"
    "     must_report: true, source: t, target: {type: none}}\n"
    "  - {id: mar, plan: p3, name: m, kind: output, unit: 件, reporting: annual,"
    "     deadline: \"03-31\", source: t, target: {type: annual, value: 10}}\n"
    "  - {id: down, plan: p3, name: d, kind: outcome, unit: 日, reporting: cumulative,"
    "     source: t, target: {type: level, value: 50, baseline: 100, better: lower,"
    "     window: [2025, 2028]}}\n"
    "  - {id: cap, plan: p3, name: d, kind: outcome, unit: 件, reporting: annual,"
    "     source: t, at_risk_margin: 20,"
    "     target: {type: cumulative, value: 10, better: lower}}\n";

static struct pw_catalog *cat;

static int setup(void **state)
{
    (void)state;
    return ut_catalog_load(&cat, "test.yaml", yaml);
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}


static struct pw_obs ob(int fy, const char *v, enum pw_basis b)
{
    struct pw_obs o = {.fy = fy, .basis = b, .as_of = PW_NO_DAY};
    assert_int_equal(pw_dec_parse(v, strlen(v), &o.value), 0);
    return o;
}

static struct pw_eval ev(const char *id, const struct pw_obs *o, size_t n, const char *as_of)
{
    struct pw_eval e;
    const struct pw_indicator *ind = pw_catalog_find(cat, id);
    assert_non_null(ind);
    assert_int_equal(pw_eval_indicator(ind, o, n, ut_day(as_of), &e), 0);
    return e;
}

#define C PW_BASIS_CUMULATIVE
#define A PW_BASIS_ANNUAL

/* 650 over FY2025-29 -> 130 expected at the end of FY2025 */
static void test_cumulative_prorated(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2025, "158", A)};
    struct pw_eval e = ev("cum650", o, 1, "2026-03-31");
    assert_true(e.expected == PW_DEC(130));
    assert_true(e.actual == PW_DEC(158));
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_int_equal(e.grade, 'A');
    /* 50 over FY2024-28 -> 20 at the end of FY2025, single years cumulated */
    struct pw_obs p[] = {ob(2024, "22", A), ob(2025, "29", A)};
    e = ev("cum50", p, 2, "2026-03-31");
    assert_true(e.expected == PW_DEC(20));
    assert_true(e.actual == PW_DEC(51));
    assert_int_equal(e.status, PW_STATUS_ACHIEVED); /* 51 >= the final 50 */
}

/* the seeds' own example line, and exact boundaries */
static void test_cumulative_boundaries(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2022, "5", C)};
    struct pw_eval e = ev("cum20", o, 1, "2023-03-31");
    assert_int_equal(e.grade, 'B');
    assert_int_equal(e.status, PW_STATUS_BEHIND);
    assert_true(e.expected == PW_DEC(12));
    assert_non_null(strstr(e.explanation, "FY2022 (3/5): expected ≥ 12 of 20, actual 5 → B, short by 7"));
    /* 12 of a pro-rated 12: A, no floating point miss */
    o[0] = ob(2022, "12", C);
    e = ev("cum20", o, 1, "2023-03-31");
    assert_int_equal(e.grade, 'A');
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    /* exactly 90% of expected is still AT_RISK; a hair below is BEHIND */
    o[0] = ob(2022, "10.8", C);
    e = ev("cum20", o, 1, "2023-03-31");
    assert_int_equal(e.status, PW_STATUS_AT_RISK);
    assert_int_equal(e.grade, 'B');
    o[0] = ob(2022, "10.799999", C);
    e = ev("cum20", o, 1, "2023-03-31");
    assert_int_equal(e.status, PW_STATUS_BEHIND);
    /* reaching the final target is ACHIEVED */
    o[0] = ob(2022, "20", C);
    e = ev("cum20", o, 1, "2023-03-31");
    assert_int_equal(e.status, PW_STATUS_ACHIEVED);
    assert_int_equal(e.grade, 'A');
}

/* Nothing moves by the clock alone between checkpoints: the day after a
 * fiscal year's end, half a year on and on its figure's due day the
 * judgement is the FY2022 one; the day after FY2023's deadline with no
 * figure it is overdue and its stale 12 is judged at the FY2023 checkpoint. */
static void test_cumulative_checkpoints(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2022, "12", C)};
    struct pw_eval a = ev("cum20", o, 1, "2023-03-31");
    assert_int_equal(a.status, PW_STATUS_ON_TRACK);
    static const char *same[] = {"2023-04-01", "2023-09-30", "2024-03-31", "2024-06-30"};
    for (size_t d = 0; d < 4; d++) {
        struct pw_eval b = ev("cum20", o, 1, same[d]);
        assert_int_equal(b.status, PW_STATUS_ON_TRACK);
        assert_true(b.expected == a.expected);
        assert_int_equal(b.cp.fy, 2022);
        assert_false(b.cp.overdue);
        assert_string_equal(b.explanation, a.explanation);
    }
    assert_non_null(strstr(a.explanation, "; next: FY2023 (4/5) needs ≥ 16 (4 more), due 2024-06-30"));
    struct pw_eval c = ev("cum20", o, 1, "2024-07-01");
    assert_int_equal(c.cp.fy, 2023);
    assert_true(c.cp.overdue);
    assert_false(c.cp.never);
    assert_true(c.expected == PW_DEC(16));
    assert_int_equal(c.status, PW_STATUS_BEHIND);
    assert_int_equal(c.grade, 'B');
    assert_int_equal(c.data_fy, 2022);
    assert_non_null(strstr(c.explanation, "FY2023 (4/5): expected ≥ 16 of 20, actual 12 → B"));
    assert_non_null(strstr(c.explanation, "(latest figure FY2022)"));
    assert_non_null(strstr(c.explanation, "the FY2023 figure was due 2024-06-30 and has not arrived"));
    /* a FY2023 figure that arrives before its deadline moves the checkpoint
     * as soon as it is known */
    struct pw_obs p[] = {ob(2022, "12", C), ob(2023, "17", C)};
    p[1].known_ns = pw_day_end_ns(ut_day("2024-05-10")) - 1000;
    struct pw_eval d;
    const struct pw_indicator *c20 = pw_catalog_find(cat, "cum20");
    assert_int_equal(pw_eval_known(c20, p, 2, ut_day("2024-05-09"),
                                   pw_day_end_ns(ut_day("2024-05-09")), &d), 0);
    assert_int_equal(d.cp.fy, 2022);
    assert_int_equal(pw_eval_known(c20, p, 2, ut_day("2024-05-10"),
                                   pw_day_end_ns(ut_day("2024-05-10")), &d), 0);
    assert_int_equal(d.cp.fy, 2023);
    assert_int_equal(d.status, PW_STATUS_ON_TRACK);
    /* known_at looks back: on 2024-05-10, what was known on 2024-05-09 */
    assert_int_equal(pw_eval_known(c20, p, 2, ut_day("2024-05-10"),
                                   pw_day_end_ns(ut_day("2024-05-09")), &d), 0);
    assert_int_equal(d.cp.fy, 2022);
    /* a figure for a year that has not ended does not move it */
    struct pw_obs q[] = {ob(2022, "12", C), ob(2023, "13", C)};
    q[1].as_of = ut_day("2023-12-01");
    struct pw_eval e = ev("cum20", q, 2, "2024-01-15");
    assert_int_equal(e.cp.fy, 2022);
    assert_true(e.actual == PW_DEC(12));
}

/* The checkpoint calendar: due days, overdue, never reported, windows that
 * start before the plan, monitoring, the final checkpoint. */
static void test_checkpoint_calendar(void **state)
{
    (void)state;
    char b[11];
    const struct pw_indicator *c = pw_catalog_find(cat, "cum650");
    assert_string_equal(pw_day_format(pw_due_day(c, 2025), b), "2026-06-30");
    assert_string_equal(pw_day_format(pw_due_day(pw_catalog_find(cat, "mar"), 2025), b),
                        "2027-03-31"); /* a January-March deadline is in the next calendar year */
    struct pw_checkpoint cp;
    /* nothing ended yet, then nothing due yet: no checkpoint */
    assert_int_equal(pw_checkpoint_find(c, NULL, 0, ut_day("2026-03-30"), PW_KNOWN_ALL, &cp), 0);
    assert_int_equal(cp.fy, 0);
    assert_int_equal(cp.next_fy, 2025);
    assert_int_equal(pw_checkpoint_find(c, NULL, 0, ut_day("2026-06-30"), PW_KNOWN_ALL, &cp), 0);
    assert_int_equal(cp.fy, 0);
    struct pw_eval e = ev("cum650", NULL, 0, "2026-06-30");
    assert_int_equal(e.status, PW_STATUS_NO_DATA);
    assert_string_equal(e.explanation,
                        "no checkpoint yet: FY2025 (1/5) is judged from its figure, due 2026-06-30");
    /* the day after: never reported */
    assert_int_equal(pw_checkpoint_find(c, NULL, 0, ut_day("2026-07-01"), PW_KNOWN_ALL, &cp), 0);
    assert_int_equal(cp.fy, 2025);
    assert_true(cp.overdue && cp.never);
    assert_int_equal(cp.due, ut_day("2026-06-30"));
    e = ev("cum650", NULL, 0, "2026-07-01");
    assert_int_equal(e.status, PW_STATUS_NO_DATA);
    assert_non_null(strstr(e.explanation, "never reported: the FY2025 figure was due 2026-06-30"));
    /* a figure that arrives late: overdue until it is known, then not */
    struct pw_obs late[] = {ob(2026, "300", A)};
    late[0].known_ns = pw_day_end_ns(ut_day("2027-08-01")) - 1000;
    assert_int_equal(pw_checkpoint_find(c, late, 1, ut_day("2027-07-15"),
                                        pw_day_end_ns(ut_day("2027-07-15")), &cp), 0);
    assert_true(cp.overdue && cp.never);
    assert_int_equal(cp.fy, 2026);
    assert_int_equal(pw_checkpoint_find(c, late, 1, ut_day("2027-08-01"),
                                        pw_day_end_ns(ut_day("2027-08-01")), &cp), 0);
    assert_false(cp.overdue);
    /* a window that starts before the plan (FY2024-28 in plan 3) is first
     * judged at the end of the plan's first year, as year 2 of 5 */
    struct pw_obs r6[] = {ob(2024, "22", A)};
    e = ev("cum50", r6, 1, "2025-09-30");
    assert_int_equal(e.cp.fy, 0);
    assert_int_equal(e.status, PW_STATUS_NO_DATA);
    assert_non_null(strstr(e.explanation, "FY2025 (2/5)"));
    e = ev("cum50", r6, 1, "2026-07-01");
    assert_int_equal(e.cp.fy, 2025);
    assert_int_equal(e.cp.k, 2);
    assert_true(e.expected == PW_DEC(20));
    assert_true(e.cp.overdue);
    /* monitoring only owes nothing unless the catalog says it must report */
    assert_int_equal(pw_checkpoint_find(pw_catalog_find(cat, "mon"), NULL, 0, ut_day("2030-01-01"), PW_KNOWN_ALL, &cp), 0);
    assert_false(cp.overdue);
    assert_int_equal(pw_checkpoint_find(pw_catalog_find(cat, "monr"), NULL, 0, ut_day("2030-01-01"), PW_KNOWN_ALL, &cp), 0);
    assert_true(cp.overdue);
    /* the window's last checkpoint is final: a met target is ACHIEVED, no next */
    struct pw_obs f[] = {ob(2024, "75", C)};
    e = ev("pct75", f, 1, "2025-03-31");
    assert_true(e.cp.final);
    assert_int_equal(e.status, PW_STATUS_ACHIEVED);
    assert_int_equal(e.cp.next_fy, 0);
    assert_non_null(strstr(e.explanation, "final FY2024: expected ≥ 75%, actual 75% → A"));
    assert_null(strstr(e.explanation, "next"));
    /* years after the plan ended: still the final FY2024 result, not "FY2026" */
    struct pw_obs g[] = {ob(2024, "10", C)};
    e = ev("cum20", g, 1, "2026-12-06");
    assert_true(e.cp.final);
    assert_int_equal(e.cp.fy, 2024);
    assert_int_equal(e.status, PW_STATUS_BEHIND);
    assert_false(e.has_run_rate);
    assert_string_equal(e.explanation, "final FY2024 (5/5): expected ≥ 20 of 20, actual 10 → B, short by 10");
    assert_int_equal(pw_checkpoint_find(NULL, NULL, 0, 0, PW_KNOWN_ALL, &cp), PW_EINVAL);
}

/* A 確報値 confirmed after its fiscal year ended (as_of 2025-06-30 for FY2024)
 * is the FY2024 figure: it counts at the FY2024 checkpoint, also in the
 * report that looks at 2025-03-31. */
static void test_confirmed_later(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2023, "8", C), ob(2024, "12", C)};
    o[1].as_of = ut_day("2025-06-30");
    struct pw_eval e = ev("cum20", o, 2, "2025-03-31");
    assert_int_equal(e.cp.fy, 2024);
    assert_int_equal(e.data_fy, 2024);
    assert_true(e.actual == PW_DEC(12));
    assert_int_equal(pw_day_of_ns(pw_day_end_ns(ut_day("2025-06-30"))), ut_day("2025-06-30"));
    assert_int_equal(pw_day_of_ns(pw_day_end_ns(ut_day("2025-06-30")) + 1), ut_day("2025-07-01"));
}

static void test_cumulative_history_rules(void **state)
{
    (void)state;
    /* the latest revision of a fiscal year wins */
    struct pw_obs o[] = {ob(2022, "5", C), ob(2022, "13", C)};
    struct pw_eval e = ev("cum20", o, 2, "2023-03-31");
    assert_true(e.actual == PW_DEC(13));
    /* a figure for a year not ended at the as-of date is not judged */
    struct pw_obs p[] = {ob(2021, "8", C), ob(2022, "13", C)};
    p[1].as_of = ut_day("2023-03-31");
    e = ev("cum20", p, 2, "2023-03-30");
    assert_true(e.actual == PW_DEC(8));
    assert_int_equal(e.data_fy, 2021);
    /* figures for fiscal years after the as-of date are ignored */
    e = ev("cum20", p, 2, "2022-03-31");
    assert_true(e.actual == PW_DEC(8));
    /* cumulative then single-year figures: 8 by FY2021, +4 in FY2022 */
    struct pw_obs q[] = {ob(2021, "8", C), ob(2022, "4", A)};
    e = ev("cum20", q, 2, "2023-03-31");
    assert_true(e.actual == PW_DEC(12));
    /* run rate to the end and projection at the current pace */
    struct pw_obs r[] = {ob(2022, "6", C)};
    e = ev("cum20", r, 1, "2023-03-31");
    assert_true(e.has_run_rate && e.run_rate == PW_DEC(7)); /* (20-6)/2 */
    assert_true(e.has_projected && e.projected == PW_DEC(10)); /* 6 / (3/5) */
}

static void test_annual(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2025, "379", A)};
    struct pw_eval e = ev("ann360", o, 1, "2026-03-31");
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_true(e.expected == PW_DEC(360));
    o[0] = ob(2025, "360", A);
    assert_int_equal(ev("ann360", o, 1, "2026-03-31").grade, 'A');
    o[0] = ob(2025, "330", A);
    assert_int_equal(ev("ann360", o, 1, "2026-03-31").status, PW_STATUS_AT_RISK);
    o[0] = ob(2025, "300", A);
    assert_int_equal(ev("ann360", o, 1, "2026-03-31").status, PW_STATUS_BEHIND);
    /* never pro-rated: mid-year nothing is judged; a year's figure is judged
     * against the whole year's rate, however long after */
    o[0] = ob(2025, "181", A);
    e = ev("ann360", o, 1, "2025-09-30");
    assert_int_equal(e.status, PW_STATUS_NO_DATA);
    assert_int_equal(e.grade, '-');
    e = ev("ann360", o, 1, "2026-09-30");
    assert_int_equal(e.grade, 'B');
    assert_int_equal(e.cp.fy, 2025);
    /* a year's figure missing after its deadline: overdue, no grade */
    o[0] = ob(2025, "379", A);
    e = ev("ann360", o, 1, "2027-07-01");
    assert_int_equal(e.cp.fy, 2026);
    assert_int_equal(e.status, PW_STATUS_NO_DATA);
    assert_int_equal(e.grade, '-');
    assert_non_null(strstr(e.explanation, "no grade: the FY2026 figure was due 2027-06-30"));
    /* a cumulative report gives a single year only with the year before */
    struct pw_obs c[] = {ob(2025, "379", C), ob(2026, "700", C)};
    e = ev("ann360", c, 2, "2027-03-31");
    assert_true(e.actual == PW_DEC(321));
    assert_int_equal(e.data_fy, 2026);
    assert_int_equal(ev("ann360", NULL, 0, "2026-03-31").status, PW_STATUS_NO_DATA);
}

static void test_level(void **state)
{
    (void)state;
    /* 30 -> 70 by the end of FY2028: 40 at the end of FY2025 */
    struct pw_obs o[] = {ob(2025, "43", C)};
    struct pw_eval e = ev("lvl70", o, 1, "2026-03-31");
    assert_true(e.expected == PW_DEC(40));
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    o[0] = ob(2025, "36", C);
    assert_int_equal(ev("lvl70", o, 1, "2026-03-31").status, PW_STATUS_AT_RISK);
    o[0] = ob(2025, "35.9", C);
    assert_int_equal(ev("lvl70", o, 1, "2026-03-31").status, PW_STATUS_BEHIND);
    o[0] = ob(2025, "70", C);
    assert_int_equal(ev("lvl70", o, 1, "2026-03-31").status, PW_STATUS_ACHIEVED);
    /* single-year increments start from the baseline */
    struct pw_obs a[] = {ob(2025, "13", A)};
    a[0].basis = A;
    e = ev("lvl70", a, 1, "2026-03-31");
    assert_true(e.actual == PW_DEC(43));
}

static void test_ratio(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2022, "75", C)};
    struct pw_eval e = ev("pct75", o, 1, "2023-03-31");
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_true(e.expected == PW_DEC(75));
    assert_non_null(strstr(e.explanation, "expected ≥ 75%"));
    o[0] = ob(2022, "67.5", C);
    assert_int_equal(ev("pct75", o, 1, "2023-03-31").status, PW_STATUS_AT_RISK);
    o[0] = ob(2022, "67.4", C);
    assert_int_equal(ev("pct75", o, 1, "2023-03-31").status, PW_STATUS_BEHIND);
    /* a ratio is ACHIEVED only at the final checkpoint: it must hold until the end */
    o[0] = ob(2023, "100", C);
    assert_int_equal(ev("pct75", o, 1, "2024-03-31").status, PW_STATUS_ON_TRACK);
    o[0] = ob(2024, "100", C);
    assert_int_equal(ev("pct75", o, 1, "2025-03-31").status, PW_STATUS_ACHIEVED);
}

static void test_rolling_average(void **state)
{
    (void)state;
    /* one year reported: the average of that year, and the report says so */
    struct pw_obs o[] = {ob(2025, "324", A)};
    struct pw_eval e = ev("avg250", o, 1, "2026-03-31");
    assert_int_equal(e.grade, 'A');
    assert_int_equal(e.years_used, 1);
    assert_int_equal(e.years_wanted, 3);
    assert_non_null(strstr(e.explanation, "1 of 3 years reported"));
    /* three years: (200 + 250 + 300) / 3 = 250 -> A exactly */
    struct pw_obs p[] = {ob(2025, "200", A), ob(2026, "250", A), ob(2027, "300", A)};
    e = ev("avg250", p, 3, "2028-03-31");
    assert_true(e.actual == PW_DEC(250));
    assert_int_equal(e.grade, 'A');
    assert_int_equal(e.years_used, 3);
    /* a fourth year drops the first out of the window of 3 */
    struct pw_obs q[] = {ob(2025, "900", A), ob(2026, "200", A), ob(2027, "250", A),
                         ob(2028, "290", A)};
    e = ev("avg250", q, 4, "2029-03-31");
    assert_true(e.actual == pw_dec_round_q(PW_DEC(740), 3)); /* (200+250+290)/3 */
    assert_int_equal(e.grade, 'B');
}

static void test_above_baseline(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2025, "1404", A)};
    assert_int_equal(ev("gt1225", o, 1, "2026-03-31").grade, 'A');
    o[0] = ob(2025, "1225", A); /* "more than": equal is not enough */
    struct pw_eval e = ev("gt1225", o, 1, "2026-03-31");
    assert_int_equal(e.grade, 'B');
    assert_int_equal(e.status, PW_STATUS_AT_RISK);
    assert_non_null(strstr(e.explanation, "expected > 1225"));
    o[0] = ob(2025, "1225.000001", A);
    assert_int_equal(ev("gt1225", o, 1, "2026-03-31").grade, 'A');
}

static void test_prev_average(void **state)
{
    (void)state;
    /* FY2028 >= average of FY2025-27 = 200 */
    struct pw_obs o[] = {ob(2025, "100", A), ob(2026, "200", A), ob(2027, "300", A),
                         ob(2028, "200", A)};
    struct pw_eval e = ev("prev3", o, 4, "2029-03-31");
    assert_true(e.expected == PW_DEC(200));
    assert_int_equal(e.grade, 'A');
    o[3] = ob(2028, "199", A);
    assert_int_equal(ev("prev3", o, 4, "2029-03-31").status, PW_STATUS_AT_RISK);
    /* reference years missing and no baseline: no verdict */
    struct pw_obs p[] = {ob(2025, "500", A)};
    assert_int_equal(ev("prev3", p, 1, "2026-03-31").status, PW_STATUS_NO_DATA);
    /* with the catalog baseline (R3-R5 average 1,365 for FY2025) */
    struct pw_obs q[] = {ob(2025, "1443", A)};
    e = ev("prev3b", q, 1, "2026-03-31");
    assert_true(e.expected == PW_DEC(1365));
    assert_int_equal(e.grade, 'A');
    assert_non_null(strstr(e.explanation, "average of FY2021–2023, catalog baseline"));
    /* history reported before the window takes precedence over the baseline */
    struct pw_obs r[] = {ob(2021, "1000", A), ob(2022, "1000", A), ob(2023, "1600", A),
                         ob(2025, "1199", A)};
    e = ev("prev3b", r, 4, "2026-03-31");
    assert_true(e.expected == PW_DEC(1200));
    assert_int_equal(e.grade, 'B');
}

static void test_trajectory(void **state)
{
    (void)state;
    /* 0 trials in FY2025 while facilities are built: 0 of 0 is A */
    struct pw_obs o[] = {ob(2025, "0", C)};
    struct pw_eval e = ev("traj", o, 1, "2026-03-31");
    assert_true(e.expected == 0);
    assert_int_equal(e.grade, 'A');
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_false(e.has_projected);
    /* mid-FY2026 it is still the FY2025 milestone that is judged */
    e = ev("traj", o, 1, "2026-09-30");
    assert_true(e.expected == 0);
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_non_null(strstr(e.explanation, "next: FY2026 (2/4) needs ≥ 3 (3 more), due 2027-06-30"));
    struct pw_obs p[] = {ob(2025, "0", C), ob(2026, "3", C)};
    e = ev("traj", p, 2, "2027-03-31");
    assert_true(e.expected == PW_DEC(3));
    assert_int_equal(e.grade, 'A');
    struct pw_obs q[] = {ob(2027, "10", C)};
    assert_int_equal(ev("traj", q, 1, "2028-03-31").status, PW_STATUS_ACHIEVED);
}

static void test_no_target(void **state)
{
    (void)state;
    struct pw_obs o[] = {ob(2025, "70", A)};
    struct pw_eval e = ev("mon", o, 1, "2026-03-31");
    assert_int_equal(e.status, PW_STATUS_NO_TARGET);
    assert_int_equal(e.grade, '-');
    assert_true(e.has_actual && e.actual == PW_DEC(70));
    assert_false(e.has_expected);
    e = ev("mon", NULL, 0, "2026-03-31");
    assert_int_equal(e.status, PW_STATUS_NO_TARGET);
    assert_false(e.has_actual);
}

static void test_lower_is_better(void **state)
{
    (void)state;
    /* 100 -> 50 by the end of FY2028: 87.5 at the end of FY2025 */
    struct pw_obs o[] = {ob(2025, "80", C)};
    struct pw_eval e = ev("down", o, 1, "2026-03-31");
    assert_true(e.expected == 87500000);
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_non_null(strstr(e.explanation, "expected ≤ 87.5"));
    o[0] = ob(2025, "96.25", C); /* 10% over is still AT_RISK */
    assert_int_equal(ev("down", o, 1, "2026-03-31").status, PW_STATUS_AT_RISK);
    o[0] = ob(2025, "96.26", C);
    assert_int_equal(ev("down", o, 1, "2026-03-31").status, PW_STATUS_BEHIND);
    o[0] = ob(2025, "50", C);
    assert_int_equal(ev("down", o, 1, "2026-03-31").status, PW_STATUS_ACHIEVED);
    /* a lower-is-better cumulative cap is never ACHIEVED early; margin 20% */
    struct pw_obs c[] = {ob(2025, "1", A)};
    assert_int_equal(ev("cap", c, 1, "2026-03-31").status, PW_STATUS_ON_TRACK);
    c[0] = ob(2025, "2.4", A); /* expected 2, +20% */
    assert_int_equal(ev("cap", c, 1, "2026-03-31").status, PW_STATUS_AT_RISK);
    c[0] = ob(2025, "2.5", A);
    assert_int_equal(ev("cap", c, 1, "2026-03-31").status, PW_STATUS_BEHIND);
}

static void test_no_data_and_names(void **state)
{
    (void)state;
    struct pw_eval e = ev("cum20", NULL, 0, "2023-03-31");
    assert_int_equal(e.status, PW_STATUS_NO_DATA);
    assert_int_equal(e.grade, '-');
    enum pw_status s;
    for (int i = 0; i < PW_STATUS_COUNT; i++) {
        assert_int_equal(pw_status_parse(pw_status_name((enum pw_status)i), &s), 0);
        assert_int_equal(s, i);
    }
    assert_int_equal(pw_status_parse("GREEN", &s), PW_EINVAL);
    assert_int_equal(pw_eval_indicator(NULL, NULL, 0, 0, &e), PW_EINVAL);
}

/* The status-only evaluation decides exactly as the full one, for every
 * model and every status, without writing the explanation. */
static void test_status_only_agrees(void **state)
{
    (void)state;
    static const char *values[] = {"0", "5", "10.8", "12", "20", "100", "379", "1225", "1443"};
    static const char *days[] = {"2023-03-31", "2023-09-30", "2026-03-31", "2026-10-01", "2031-01-01"};
    for (size_t i = 0; i < pw_catalog_count(cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
            for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
                int fy = ind->target.first_fy + (int)(v % 3);
                struct pw_obs o[] = {ob(fy, values[v], ind->reporting),
                                     ob(fy + 1, values[(v + 1) % 9], ind->reporting)};
                struct pw_eval full, fast;
                assert_int_equal(pw_eval_indicator(ind, o, 2, ut_day(days[d]), &full), 0);
                assert_int_equal(pw_eval_status(ind, o, 2, ut_day(days[d]), &fast), 0);
                assert_int_equal(fast.status, full.status);
                assert_int_equal(fast.grade, full.grade);
                assert_true(fast.expected == full.expected && fast.actual == full.actual);
                assert_true(fast.has_expected == full.has_expected && fast.has_actual == full.has_actual);
                assert_true(fast.run_rate == full.run_rate && fast.projected == full.projected);
                assert_int_equal(fast.data_fy, full.data_fy);
                assert_string_equal(fast.explanation, "");
                assert_true(full.explanation[0] != '\0');
            }
    }
}

/* The secretariat's assessment: it applies to the checkpoint it names only;
 * an assessed A shows and keeps no status alert open, an assessed B changes
 * nothing the rule alerts on, and a final result alerts in no case. */
static void test_assessed(void **state)
{
    (void)state;
    struct pw_eval e;
    memset(&e, 0, sizeof e);
    e.status = PW_STATUS_AT_RISK;
    e.grade = 'B';
    e.cp.fy = 2025;
    struct pw_assessment a = {.fy = 2025, .grade = 'A'};
    assert_true(pw_eval_alerting(&e));
    assert_true(pw_eval_alerting_assessed(&e, NULL));
    assert_int_equal(pw_eval_grade_shown(&e, NULL), 'B');
    assert_true(pw_assessment_applies(&a, &e));
    assert_int_equal(pw_eval_grade_shown(&e, &a), 'A');
    assert_false(pw_eval_alerting_assessed(&e, &a));
    a.fy = 2024; /* another year's judgement says nothing about this one */
    assert_false(pw_assessment_applies(&a, &e));
    assert_int_equal(pw_eval_grade_shown(&e, &a), 'B');
    assert_true(pw_eval_alerting_assessed(&e, &a));
    a.fy = 2025;
    a.grade = 'B';
    assert_true(pw_eval_alerting_assessed(&e, &a));
    a.grade = 'x'; /* not a grade: ignored */
    assert_false(pw_assessment_applies(&a, &e));
    a.grade = 'A';
    e.cp.fy = 0; /* nothing judged yet */
    assert_false(pw_assessment_applies(&a, &e));
    e.cp.fy = 2025;
    e.cp.final = 1;
    assert_false(pw_eval_alerting_assessed(&e, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cumulative_prorated),
        cmocka_unit_test(test_cumulative_boundaries),
        cmocka_unit_test(test_cumulative_checkpoints),
        cmocka_unit_test(test_checkpoint_calendar),
        cmocka_unit_test(test_cumulative_history_rules),
        cmocka_unit_test(test_confirmed_later),
        cmocka_unit_test(test_annual),
        cmocka_unit_test(test_level),
        cmocka_unit_test(test_ratio),
        cmocka_unit_test(test_rolling_average),
        cmocka_unit_test(test_above_baseline),
        cmocka_unit_test(test_prev_average),
        cmocka_unit_test(test_trajectory),
        cmocka_unit_test(test_no_target),
        cmocka_unit_test(test_lower_is_better),
        cmocka_unit_test(test_no_data_and_names),
        cmocka_unit_test(test_status_only_agrees),
        cmocka_unit_test(test_assessed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
