/* test_alert_rules.c - the forecast condition of the alert service
 * (alert_rules.c, linked from pw_alert): the recent pace against the
 * final target, the `forecast` catalog key. Overdue and due days are the
 * domain library's (test_eval.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_support.h"

#include "alert_rules.h"
#include "dec.h"
#include "err.h"
#include "fy.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p3, name: 第3期, start_fy: 2025, end_fy: 2029}\n"
    "indicators:\n"
    "  - {id: cum, plan: p3, name: 累計, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: cumulative, value: 100}}\n"
    "  - {id: two, plan: p3, name: 二年, kind: output, unit: 件, reporting: cumulative,"
    "     forecast: 2, source: t, target: {type: cumulative, value: 100}}\n"
    "  - {id: off, plan: p3, name: 無, kind: output, unit: 件, reporting: cumulative,"
    "     forecast: 0, source: t, target: {type: cumulative, value: 100}}\n"
    "  - {id: lvl, plan: p3, name: 水準, kind: output, unit: 拠点, reporting: cumulative,"
    "     source: t, target: {type: level, value: 20, baseline: 10}}\n"
    "  - {id: low, plan: p3, name: 低, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: cumulative, value: 100, better: lower}}\n"
    "  - {id: mar, plan: p3, name: 三月, kind: output, unit: 件, reporting: annual,"
    "     deadline: \"03-31\", source: t, target: {type: annual, value: 10}}\n";

static struct pw_catalog *cat;

static int setup(void **state)
{
    (void)state;
    return ut_catalog_load(&cat, "rules.yaml", yaml);
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}


static const struct pw_indicator *ind(const char *id)
{
    const struct pw_indicator *i = pw_catalog_find(cat, id);
    assert_non_null(i);
    return i;
}

static struct pw_obs obs(int fy, int64_t units_x10, const char *as_of)
{
    struct pw_obs o = {fy, units_x10 * (PW_DEC_SCALE / 10), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0};
    if (as_of)
        o.as_of = ut_day(as_of);
    return o;
}

static void eval_at(const struct pw_indicator *i, const struct pw_obs *o, size_t n, const char *d,
                    struct pw_eval *ev)
{
    assert_int_equal(pw_eval_indicator(i, o, n, ut_day(d), ev), 0);
}

static void test_forecast_recent_pace(void **state)
{
    (void)state;
    /* 30 by FY2025 (expected 20), 45 by FY2026 (expected 40): on track, but the
     * last year added 15: 45 + 3 x 15 = 90 of 100 */
    struct pw_obs o[2] = {obs(2025, 300, NULL), obs(2026, 450, NULL)};
    struct pw_eval ev;
    struct alert_rules_forecast f;
    eval_at(ind("cum"), o, 2, "2027-03-31", &ev);
    assert_int_equal(ev.status, PW_STATUS_ON_TRACK);
    assert_int_equal(alert_rules_forecast(ind("cum"), o, 2, &ev, &f), 1);
    assert_int_equal(f.from_fy, 2025);
    assert_int_equal(f.to_fy, 2026);
    assert_int_equal(f.pace, PW_DEC(15));
    assert_int_equal(f.projected, PW_DEC(90));
    assert_int_equal(f.final, PW_DEC(100));
    assert_true(f.has_run_rate);
    assert_int_equal(f.run_rate, ev.run_rate); /* (100 - 45) / 3 */
    assert_string_equal(f.summary, "projected shortfall: at the pace from FY2025 to FY2026 (15/yr), "
                                   "90 of 100 by FY2029; needs 18.33/yr from now to reach it");
    /* over two years (from the window start) the pace is 22.5: no shortfall */
    eval_at(ind("two"), o, 2, "2027-03-31", &ev);
    assert_int_equal(alert_rules_forecast(ind("two"), o, 2, &ev, &f), 0);
    /* forecast: 0 turns it off */
    eval_at(ind("off"), o, 2, "2027-03-31", &ev);
    assert_int_equal(alert_rules_forecast(ind("off"), o, 2, &ev, &f), 0);
    /* a later revision of FY2025 (known today) changes the pace: 40 -> 45 is 5/yr */
    struct pw_obs r[3] = {obs(2025, 300, NULL), obs(2026, 450, NULL), obs(2025, 400, "2027-01-10")};
    eval_at(ind("cum"), r, 3, "2027-03-31", &ev);
    assert_int_equal(alert_rules_forecast(ind("cum"), r, 3, &ev, &f), 1);
    assert_int_equal(f.pace, PW_DEC(5));
    assert_int_equal(f.projected, PW_DEC(60));
}

static void test_forecast_not_applicable(void **state)
{
    (void)state;
    struct pw_eval ev;
    struct alert_rules_forecast f;
    /* one year at 20 of 100: exactly on pace from the window start */
    struct pw_obs one = obs(2025, 200, NULL);
    eval_at(ind("cum"), &one, 1, "2026-03-31", &ev);
    assert_int_equal(ev.status, PW_STATUS_ON_TRACK);
    assert_int_equal(alert_rules_forecast(ind("cum"), &one, 1, &ev, &f), 0);
    /* behind: the status alert speaks, not the forecast */
    struct pw_obs low = obs(2025, 100, NULL);
    eval_at(ind("cum"), &low, 1, "2026-03-31", &ev);
    assert_int_equal(ev.status, PW_STATUS_BEHIND);
    assert_int_equal(alert_rules_forecast(ind("cum"), &low, 1, &ev, &f), 0);
    /* no figure: nothing to project */
    eval_at(ind("cum"), NULL, 0, "2026-03-31", &ev);
    assert_int_equal(alert_rules_forecast(ind("cum"), NULL, 0, &ev, &f), 0);
    /* annual targets have no final value */
    struct pw_obs a = {2025, PW_DEC(12), PW_BASIS_ANNUAL, 0, PW_NO_DAY, 0, 0};
    eval_at(ind("mar"), &a, 1, "2026-03-31", &ev);
    assert_int_equal(alert_rules_forecast(ind("mar"), &a, 1, &ev, &f), 0);
}

static void test_forecast_level_and_lower(void **state)
{
    (void)state;
    struct pw_eval ev;
    struct alert_rules_forecast f;
    /* level 10 -> 20: 13 then 14.5 (expected 12, 14): +1.5/yr reaches 19 */
    struct pw_obs o[2] = {obs(2025, 130, NULL), obs(2026, 145, NULL)};
    eval_at(ind("lvl"), o, 2, "2027-03-31", &ev);
    assert_int_equal(ev.status, PW_STATUS_ON_TRACK);
    assert_int_equal(alert_rules_forecast(ind("lvl"), o, 2, &ev, &f), 1);
    assert_int_equal(f.projected, PW_DEC(19));
    assert_int_equal(f.pace, PW_DEC(3) / 2);
    /* at most 100 in total: 10 then 35 is on track (<= 40) but heads for 110 */
    struct pw_obs l[2] = {obs(2025, 100, NULL), obs(2026, 350, NULL)};
    eval_at(ind("low"), l, 2, "2027-03-31", &ev);
    assert_int_equal(ev.status, PW_STATUS_ON_TRACK);
    assert_int_equal(alert_rules_forecast(ind("low"), l, 2, &ev, &f), 1);
    assert_int_equal(f.projected, PW_DEC(110));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_recent_pace),
        cmocka_unit_test(test_forecast_not_applicable),
        cmocka_unit_test(test_forecast_level_and_lower),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
