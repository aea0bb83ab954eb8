/* test_history.c - the revisions in memory (lib/plan/history.c): evaluation
 * of the whole catalog at a known-at instant (a revision counts once it had
 * arrived; feed rows, known_ns 0, always), and the copy of what was known at
 * an instant, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dec.h"
#include "err.h"
#include "eval.h"
#include "fy.h"
#include "history.h"
#include "unit_support.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p2, name: 第2期, start_fy: 2020, end_fy: 2024}\n"
    "indicators:\n"
    "  - {id: cum20, plan: p2, name: c, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: cumulative, value: 20}}\n"
    "  - {id: other, plan: p2, name: o, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: cumulative, value: 10}}\n";

static struct pw_obs ob(int fy, int64_t v, int prelim, const char *as_of, int64_t known_ns)
{
    struct pw_obs o;
    memset(&o, 0, sizeof o);
    o.fy = fy;
    o.value = PW_DEC(v);
    o.basis = PW_BASIS_CUMULATIVE;
    o.preliminary = prelim;
    o.as_of = ut_day(as_of);
    o.known_ns = known_ns;
    return o;
}

static void test_known_at(void **state)
{
    (void)state;
    struct pw_catalog *cat = NULL;
    struct pw_history *h = NULL, *then = NULL;
    struct pw_status_row *rows = NULL;
    size_t n = 0, k = 0;
    assert_int_equal(ut_catalog_load(&cat, "t.yaml", yaml), 0);
    assert_int_equal(pw_history_open(&h, cat), 0);
    const struct pw_indicator *ind = pw_catalog_find(cat, "cum20");
    const struct pw_indicator *other = pw_catalog_find(cat, "other");
    int64_t may = pw_day_end_ns(ut_day("2025-05-01")), july = pw_day_end_ns(ut_day("2025-07-15"));
    struct pw_obs prelim = ob(2024, 10, 1, "2025-03-31", may - 1000);
    struct pw_obs confirmed = ob(2024, 12, 0, "2025-06-30", july - 1000); /* 確報値, later */
    struct pw_obs feed_row = ob(2024, 4, 0, "2025-03-31", 0);            /* always known */
    assert_int_equal(pw_history_add(h, ind, &prelim), 0);
    assert_int_equal(pw_history_add(h, ind, &confirmed), 0);
    assert_int_equal(pw_history_add(h, other, &feed_row), 0);
    int32_t fy_end = ut_day("2025-03-31");

    assert_int_equal(pw_history_eval_all(h, fy_end, may, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_ptr_equal(rows[0].ind, ind);
    assert_true(rows[0].ev.actual == PW_DEC(10)); /* the 速報値 */
    assert_true(rows[0].ev.preliminary);
    assert_true(rows[1].ev.actual == PW_DEC(4));
    free(rows);

    assert_int_equal(pw_history_eval_all(h, fy_end, PW_KNOWN_ALL, &rows, &n), 0);
    assert_true(rows[0].ev.actual == PW_DEC(12)); /* confirmed after the FY: still FY2024's */
    assert_false(rows[0].ev.preliminary);
    free(rows);

    assert_int_equal(pw_history_eval_all(h, fy_end, may - 1001, &rows, &n), 0);
    assert_int_equal(rows[0].ev.status, PW_STATUS_NO_DATA); /* nothing had arrived */
    assert_true(rows[1].ev.actual == PW_DEC(4));
    free(rows);

    assert_int_equal(pw_history_copy_known(h, may, &then), 0);
    const struct pw_obs *v = pw_history_get(then, ind, &k);
    assert_int_equal(k, 1);
    assert_true(v[0].value == PW_DEC(10));
    pw_history_get(then, other, &k);
    assert_int_equal(k, 1);
    pw_history_close(&then);
    assert_null(then);
    pw_history_close(&h);
    pw_catalog_close(&cat);
}

/* The latest revision of each fiscal year replaces the one before; the
 * judgement with every revision known is the same as with all of them. */
static void test_put_latest(void **state)
{
    (void)state;
    struct pw_catalog *cat = NULL;
    struct pw_history *all = NULL, *latest = NULL;
    assert_int_equal(ut_catalog_load(&cat, "t.yaml", yaml), 0);
    assert_int_equal(pw_history_open(&all, cat), 0);
    assert_int_equal(pw_history_open(&latest, cat), 0);
    const struct pw_indicator *ind = pw_catalog_find(cat, "cum20");
    struct pw_obs seq[] = {ob(2020, 3, 1, "2021-03-31", 0), ob(2021, 7, 0, "2022-03-31", 0),
                           ob(2020, 4, 0, "2021-03-31", 0), ob(2022, 9, 0, "2023-03-31", 0),
                           ob(2021, 8, 0, "2022-03-31", 0), ob(2022, 2, 0, "2023-03-31", 0)};
    seq[5].retracted = 1; /* FY2022 withdrawn: the year has no figure */
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++) {
        assert_int_equal(pw_history_add(all, ind, &seq[i]), 0);
        assert_int_equal(pw_history_put_latest(latest, ind, &seq[i]), 0);
        struct pw_eval a, b;
        int32_t day = ut_day("2024-06-30");
        size_t na, nb;
        const struct pw_obs *oa = pw_history_get(all, ind, &na);
        const struct pw_obs *ob_ = pw_history_get(latest, ind, &nb);
        assert_int_equal(pw_eval_status(ind, oa, na, day, &a), 0);
        assert_int_equal(pw_eval_status(ind, ob_, nb, day, &b), 0);
        assert_int_equal(a.status, b.status);
        assert_true(a.actual == b.actual);
        assert_int_equal(a.cp.fy, b.cp.fy);
    }
    size_t k;
    const struct pw_obs *v = pw_history_get(latest, ind, &k);
    assert_int_equal(k, 3); /* one per fiscal year */
    assert_true(v[0].value == PW_DEC(4) && v[1].value == PW_DEC(8) && v[2].retracted);
    pw_history_close(&all);
    pw_history_close(&latest);
    pw_catalog_close(&cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_latest),
        cmocka_unit_test(test_known_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
