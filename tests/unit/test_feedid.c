/* test_feedid.c - derived update ids: an explicit id is kept; a derived one
 * is the fixed UUID v5 of the canonical text (a wire contract: the value is
 * pinned), changes with the office and with every field of the figure, and
 * repeated ids within a feed point at their first row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "eval.h"
#include "feed.h"
#include "feedid.h"
#include "fy.h"

static struct pw_feed_row row(void)
{
    struct pw_feed_row r;
    memset(&r, 0, sizeof r);
    r.row = 2;
    strcpy(r.indicator_id, "p2-pj2-class34-approvals");
    r.fy = 2022;
    r.value = 5000000;
    r.basis = -1;
    r.as_of = pw_day_from_ymd(2023, 3, 31);
    r.note = "";
    return r;
}

static void test_explicit_id_kept(void **state)
{
    (void)state;
    struct pw_feed_row r = row();
    char buf[PW_FEEDID_BUFSZ];
    strcpy(r.update_id, "pj2:2022:v1");
    assert_string_equal(pw_feedid_row("pj2", &r, buf), "pj2:2022:v1");
}

static void test_derived_id_pinned(void **state)
{
    (void)state;
    struct pw_feed_row r = row();
    char a[PW_FEEDID_BUFSZ], b[PW_FEEDID_BUFSZ];
    pw_feedid_row("pj2", &r, a);
    /* the contract (checked against an independent UUID v5: Python uuid.uuid5) */
    assert_string_equal(a, "6c39dd62-621a-58ec-9432-b517cbb9fcea");
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '5'); /* version 5 */
    assert_string_equal(pw_feedid_row("pj2", &r, b), a);
    assert_string_not_equal(pw_feedid_row("pj3", &r, b), a);
    r.value++;
    assert_string_not_equal(pw_feedid_row("pj2", &r, b), a);
    r = row();
    r.preliminary = 1;
    assert_string_not_equal(pw_feedid_row("pj2", &r, b), a);
    r = row();
    r.basis = PW_BASIS_CUMULATIVE;
    assert_string_not_equal(pw_feedid_row("pj2", &r, b), a);
    r = row();
    r.note = "速報値";
    assert_string_not_equal(pw_feedid_row("pj2", &r, b), a);
    r = row();
    r.as_of = PW_NO_DAY;
    assert_string_not_equal(pw_feedid_row("pj2", &r, b), a);
}

static void test_assign_repeats(void **state)
{
    (void)state;
    static const char csv[] = "indicator_id,fiscal_year,value,update_id\n"
                              "a,2022,5,\n"
                              "b,2022,5,x1\n"
                              "a,2022,5,\n"
                              "c,2023,1,x1\n"
                              "a,2022,6,\n";
    struct pw_feed *f = NULL;
    assert_int_equal(pw_feed_parse(&f, NULL, "t.csv", csv, sizeof csv - 1, PW_FEED_CSV,
                                   pw_day_from_ymd(2026, 1, 1)),
                     0);
    assert_int_equal(pw_feed_nrows(f), 5);
    char uid[5][PW_FEEDID_BUFSZ];
    size_t first[5];
    assert_int_equal(pw_feedid_assign(f, "o", uid, first), 0);
    assert_int_equal(first[0], 0);
    assert_int_equal(first[1], 1);
    assert_int_equal(first[2], 0); /* the same figure again */
    assert_int_equal(first[3], 1); /* x1 reused */
    assert_int_equal(first[4], 4); /* a corrected figure: a new id */
    assert_string_equal(uid[3], "x1");
    pw_feed_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explicit_id_kept),
        cmocka_unit_test(test_derived_id_pinned),
        cmocka_unit_test(test_assign_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
