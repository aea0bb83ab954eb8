/* test_sanity.c - the correction rules of the domain: sanity warnings
 * (pw_sanity_check), a retracted latest revision is no figure (pw_eval),
 * the feed's retract column and the update id of a retraction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit_support.h"

#include "catalog.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "feed.h"
#include "feedid.h"
#include "history.h"
#include "sanity.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p3, name: 第3期, start_fy: 2025, end_fy: 2029}\n"
    "indicators:\n"
    "  - {id: total, plan: p3, name: t, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: cumulative, value: 650}}\n"
    "  - {id: part, plan: p3, name: u, kind: output, unit: 件, reporting: cumulative,"
    "     parent: total, source: t, target: {type: none}}\n"
    "  - {id: lvl, plan: p3, name: l, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: level, value: 70, baseline: 30}}\n"
    "  - {id: pct, plan: p3, name: r, kind: output, unit: '%', reporting: cumulative,"
    "     source: t, target: {type: ratio, value: 75}}\n";

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

static struct pw_obs ob(int fy, int64_t v, int retracted)
{
    struct pw_obs o = {.fy = fy, .value = PW_DEC(v), .basis = PW_BASIS_CUMULATIVE,
                       .as_of = PW_NO_DAY, .retracted = retracted};
    return o;
}

static const struct pw_indicator *ind(const char *id)
{
    const struct pw_indicator *i = pw_catalog_find(cat, id);
    assert_non_null(i);
    return i;
}

static void add(struct pw_history *h, const char *id, struct pw_obs o)
{
    assert_int_equal(pw_history_add(h, ind(id), &o), 0);
}

static void test_subtotal_and_decrease(void **state)
{
    (void)state;
    struct pw_history *h = NULL;
    struct pw_diag w[PW_SANITY_MAX];
    assert_int_equal(pw_history_open(&h, cat), 0);
    struct pw_obs o = ob(2025, 500, 0);
    assert_int_equal(pw_sanity_check(h, ind("part"), &o, w), 0); /* no parent figure yet */
    add(h, "total", ob(2025, 123, 0));
    assert_int_equal(pw_sanity_check(h, ind("part"), &o, w), 1);
    assert_int_equal(w[0].code, PW_WFEED_SUBTOTAL);
    assert_string_equal(w[0].field, "value");
    assert_string_equal(w[0].msg,
                        "500 is a part (うち) of total, whose FY2025 figure is 123: the part is larger");
    o = ob(2025, 123, 0); /* equal to the parent: fine */
    assert_int_equal(pw_sanity_check(h, ind("part"), &o, w), 0);
    /* a cumulative count below the previous year's */
    o = ob(2026, 100, 0);
    assert_int_equal(pw_sanity_check(h, ind("total"), &o, w), 1);
    assert_int_equal(w[0].code, PW_WFEED_DECREASE);
    assert_string_equal(w[0].msg,
                        "a cumulative count of 100 is below FY2025's 123: a cumulative total cannot fall");
    assert_string_equal(w[0].file, "");
    assert_int_equal(w[0].line, 0);
    o = ob(2026, 123, 0);
    assert_int_equal(pw_sanity_check(h, ind("total"), &o, w), 0);
    /* an annual figure is not a cumulative count */
    o = ob(2026, 100, 0);
    o.basis = PW_BASIS_ANNUAL;
    assert_int_equal(pw_sanity_check(h, ind("total"), &o, w), 0);
    /* levels and ratios may fall */
    add(h, "lvl", ob(2025, 40, 0));
    add(h, "pct", ob(2025, 80, 0));
    o = ob(2026, 35, 0);
    assert_int_equal(pw_sanity_check(h, ind("lvl"), &o, w), 0);
    assert_int_equal(pw_sanity_check(h, ind("pct"), &o, w), 0);
    /* a retracted previous year is no figure; a retraction warns of nothing */
    add(h, "total", ob(2025, 0, 1));
    o = ob(2026, 100, 0);
    assert_int_equal(pw_sanity_check(h, ind("total"), &o, w), 0);
    o = ob(2025, 500, 0);
    assert_int_equal(pw_sanity_check(h, ind("part"), &o, w), 0);
    o = ob(2026, 0, 1);
    assert_int_equal(pw_sanity_check(h, ind("total"), &o, w), 0);
    pw_history_close(&h);
}

/* The latest revision counts; a retracted one leaves the year without a
 * figure, and the previous revision counts again once it is reverted. */
static void test_eval_retracted(void **state)
{
    (void)state;
    struct pw_eval e;
    struct pw_obs o[] = {ob(2025, 158, 0), ob(2025, 0, 1), ob(2025, 158, 0)};
    assert_int_equal(pw_eval_indicator(ind("total"), o, 1, ut_day("2026-04-01"), &e), 0);
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_int_equal(e.cp.fy, 2025);
    assert_int_equal(pw_eval_indicator(ind("total"), o, 2, ut_day("2026-04-01"), &e), 0);
    assert_int_equal(e.status, PW_STATUS_NO_DATA); /* no figure: before its due day, no checkpoint */
    assert_int_equal(e.cp.fy, 0);
    assert_int_equal(pw_eval_indicator(ind("total"), o, 2, ut_day("2026-07-01"), &e), 0);
    assert_int_equal(e.cp.fy, 2025); /* overdue again */
    assert_false(e.has_actual && e.actual == PW_DEC(158));
    assert_int_equal(pw_eval_indicator(ind("total"), o, 3, ut_day("2026-04-01"), &e), 0);
    assert_int_equal(e.status, PW_STATUS_ON_TRACK);
    assert_int_equal(e.actual, PW_DEC(158));
}

static void test_feed_retract_column(void **state)
{
    (void)state;
    static const char csv[] = "indicator_id,fiscal_year,value,retract\n"
                              "total,2025,,true\n"
                              "total,2025,5,false\n"
                              "total,2025,,false\n"
                              "total,2025,1,maybe\n";
    struct pw_feed *f = NULL;
    assert_int_equal(pw_feed_parse(&f, cat, "t.csv", csv, strlen(csv), PW_FEED_CSV,
                                   ut_day("2026-06-01")),
                     0);
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_row(f, 0)->retract, 1);
    assert_int_equal(pw_feed_row(f, 0)->value, 0);
    assert_int_equal(pw_feed_row(f, 1)->retract, 0);
    assert_int_equal(pw_feed_nerrors(f), 2);
    assert_int_equal(pw_feed_error(f, 0)->code, PW_EFEED_MISSING);
    assert_int_equal(pw_feed_error(f, 1)->code, PW_EFEED_BOOL);
    assert_string_equal(pw_feed_error(f, 1)->field, "retract");
    /* a retraction's id differs from the figure's; a figure's id is as before */
    char a[PW_FEEDID_BUFSZ], b[PW_FEEDID_BUFSZ];
    struct pw_feed_row r = *pw_feed_row(f, 0);
    pw_feedid_row("pj2", &r, a);
    r.retract = 0;
    pw_feedid_row("pj2", &r, b);
    assert_string_not_equal(a, b);
    pw_feed_close(&f);
    static const char json[] = "[{\"indicator_id\": \"total\", \"fiscal_year\": 2025, \"retract\": true}]";
    assert_int_equal(pw_feed_parse(&f, cat, "t.json", json, strlen(json), PW_FEED_JSON,
                                   ut_day("2026-06-01")),
                     0);
    assert_int_equal(pw_feed_nrows(f), 1);
    assert_int_equal(pw_feed_row(f, 0)->retract, 1);
    pw_feed_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subtotal_and_decrease),
        cmocka_unit_test(test_eval_retracted),
        cmocka_unit_test(test_feed_retract_column),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
