/* test_limits.c - every input limit of README "Limits" with its exact code:
 * not-a-number values (NaN, Inf, exponents) in CSV and JSON, the numeric
 * bounds of a received update, the fiscal-year window and its tolerance
 * (only the reference years a prev_average reads, before the window; none
 * after), as_of in the future, a FeedBatch's row count and text lengths, a
 * Query's texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "dec.h"
#include "err.h"
#include "feed.h"
#include "fy.h"
#include "msg.h"

static struct pw_catalog *cat;
static int32_t today;

static int setup(void **state)
{
    (void)state;
    today = pw_day_from_ymd(2026, 6, 30);
    return pw_catalog_load_default(&cat, NULL);
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}

/* The one error of a one-row feed. */
static void feed_err(const char *text, int code, const char *field)
{
    struct pw_feed *f = NULL;
    assert_int_equal(pw_feed_parse(&f, cat, "t", text, strlen(text), PW_FEED_AUTO, today), 0);
    if (pw_feed_nerrors(f) != 1 || pw_feed_error(f, 0)->code != code)
        fail_msg("%s: want %s, got %zu errors (%s: %s)", text, pw_errname(code), pw_feed_nerrors(f),
                 pw_feed_nerrors(f) ? pw_errname(pw_feed_error(f, 0)->code) : "-",
                 pw_feed_nerrors(f) ? pw_feed_error(f, 0)->msg : "");
    assert_string_equal(pw_feed_error(f, 0)->field, field);
    assert_int_equal(pw_feed_nrows(f), 0);
    pw_feed_close(&f);
}

static void test_not_a_number(void **state)
{
    (void)state;
    static const char *const bad[] = {"NaN", "nan", "Inf", "-inf", "Infinity", "1e3", "1e400",
                                      "0x10", "１e2", "--1"};
    char text[200];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "indicator_id,fiscal_year,value\np3-oc01-approvals,2025,%s\n",
                 bad[i]);
        feed_err(text, PW_EFEED_VALUE, "value");
        snprintf(text, sizeof text,
                 "[{\"indicator_id\": \"p3-oc01-approvals\", \"fiscal_year\": 2025, \"value\": \"%s\"}]",
                 bad[i]);
        feed_err(text, PW_EFEED_VALUE, "value");
    }
    /* JSON has no NaN; a number too large for a double is malformed JSON */
    feed_err("[{\"indicator_id\": \"p3-oc01-approvals\", \"fiscal_year\": 2025, \"value\": NaN}]",
             PW_EFEED_SYNTAX, "");
    feed_err("[{\"indicator_id\": \"p3-oc01-approvals\", \"fiscal_year\": 2025, \"value\": 1e400}]",
             PW_EFEED_SYNTAX, "");
    /* finite but beyond 10^12, or more than 6 decimals */
    feed_err("[{\"indicator_id\": \"p3-oc01-approvals\", \"fiscal_year\": 2025, \"value\": 1e13}]",
             PW_EFEED_VALUE, "value");
    feed_err("indicator_id,fiscal_year,value\np3-oc01-approvals,2025,1000000000001\n",
             PW_EFEED_VALUE, "value");
    feed_err("indicator_id,fiscal_year,value\np3-oc01-approvals,2025,-0.5\n", PW_EFEED_VALUE,
             "value");
}

static void test_fy_window_tolerance(void **state)
{
    (void)state;
    struct pw_diag d;
    struct pw_feed_row r;
    const struct pw_indicator *ind = NULL, *prev = NULL;
    /* an indicator of plan 3 (FY2025-2029) and one with a prev_average target */
    for (size_t i = 0; i < pw_catalog_count(cat); i++) {
        const struct pw_indicator *x = pw_catalog_at(cat, i);
        if (!ind && !strcmp(x->id, "p3-oc01-approvals"))
            ind = x;
        if (!prev && x->target.type == PW_TARGET_PREV_AVERAGE)
            prev = x;
    }
    assert_non_null(ind);
    memset(&r, 0, sizeof r);
    r.as_of = PW_NO_DAY;
    r.note = "";
    r.basis = -1;
    snprintf(r.indicator_id, sizeof r.indicator_id, "%s", ind->id);
    int first, last;
    pw_indicator_fy_range(ind, &first, &last);
    assert_int_equal(first, ind->target.first_fy);
    r.fy = first - 1; /* no tolerance before a plain window */
    assert_int_equal(pw_feed_validate(cat, &r, pw_day_from_ymd(2031, 1, 1), "t", NULL, &d), PW_EFEED_FY);
    r.fy = last + 1; /* none after it */
    assert_int_equal(pw_feed_validate(cat, &r, pw_day_from_ymd(2031, 1, 1), "t", NULL, &d), PW_EFEED_FY);
    r.fy = first;
    assert_int_equal(pw_feed_validate(cat, &r, pw_day_from_ymd(2031, 1, 1), "t", NULL, &d), 0);
    r.fy = 2026; /* FY2026 has not started on 2026-03-31 */
    assert_int_equal(pw_feed_validate(cat, &r, pw_day_from_ymd(2026, 3, 31), "t", NULL, &d), PW_EFEED_FY);
    r.fy = 2025; /* as_of in the future */
    r.as_of = pw_day_from_ymd(2026, 7, 1);
    assert_int_equal(pw_feed_validate(cat, &r, today, "t", NULL, &d), PW_EFEED_DATE);
    r.as_of = today;
    assert_int_equal(pw_feed_validate(cat, &r, today, "t", NULL, &d), 0);
    if (prev) { /* the reference years before the window are the tolerance */
        snprintf(r.indicator_id, sizeof r.indicator_id, "%s", prev->id);
        r.as_of = PW_NO_DAY;
        pw_indicator_fy_range(prev, &first, &last);
        assert_int_equal(first, prev->target.first_fy - (prev->target.years + prev->target.lag - 1));
        r.fy = first;
        assert_int_equal(pw_feed_validate(cat, &r, pw_day_from_ymd(2031, 1, 1), "t", NULL, &d), 0);
        r.fy = first - 1;
        assert_int_equal(pw_feed_validate(cat, &r, pw_day_from_ymd(2031, 1, 1), "t", NULL, &d), PW_EFEED_FY);
    }
}

static void test_update_bounds(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    struct pw_feed_row r;
    struct pw_diag d;
    char note[PW_NOTE_MAX + 2], id[PW_ID_MAX + 2];
    u.update_id = "u1";
    u.indicator_id = "p3-oc01-approvals";
    u.fiscal_year = 2025;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), 0);
    u.value_micros = PW_DEC_MAX + 1;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_VALUE);
    u.value_micros = INT64_MIN;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_VALUE);
    u.value_micros = -1; /* parsed, then refused by validation: counts are not negative */
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), 0);
    assert_int_equal(pw_feed_validate(cat, &r, today, "t", NULL, &d), PW_EFEED_VALUE);
    u.value_micros = 0;
    u.fiscal_year = PW_FY_MAX + 1;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_FY);
    u.fiscal_year = 2025;
    u.basis = (Planwatch__V1__Basis)7;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_BASIS);
    u.basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    memset(note, 'n', sizeof note - 1);
    note[sizeof note - 1] = '\0';
    u.note = note;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_TOOLONG);
    u.note = "";
    memset(id, 'i', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    u.indicator_id = id;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_TOOLONG);
    u.indicator_id = "p3-oc01-approvals";
    u.update_id = "has space";
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_UPDATE_ID);
    u.update_id = "u1";
    u.as_of = "2026-02-30";
    assert_int_equal(pw_msg_row_from_update(&r, &u, "t", &d), PW_EFEED_DATE);
}

static void test_batch_and_query(void **state)
{
    (void)state;
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    struct pw_diag d;
    char big[PW_SOURCE_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(pw_msg_check_batch(&b, &d), 0);
    b.n_rows = PW_BATCH_MAX_ROWS; /* the count alone is checked */
    assert_int_equal(pw_msg_check_batch(&b, &d), 0);
    b.n_rows = PW_BATCH_MAX_ROWS + 1;
    assert_int_equal(pw_msg_check_batch(&b, &d), PW_EFEED_TOOMANY);
    assert_string_equal(d.field, "rows");
    b.n_rows = 1;
    big[PW_BATCH_ID_MAX + 1] = '\0';
    b.batch_id = big;
    assert_int_equal(pw_msg_check_batch(&b, &d), PW_EFEED_TOOLONG);
    assert_string_equal(d.field, "batch_id");
    big[PW_BATCH_ID_MAX] = '\0';
    assert_int_equal(pw_msg_check_batch(&b, &d), 0);
    b.batch_id = "b";
    memset(big, 'x', sizeof big - 1);
    b.source = big;
    assert_int_equal(pw_msg_check_batch(&b, &d), PW_EFEED_TOOLONG);
    assert_string_equal(d.field, "source");
    b.source = "s";
    big[PW_OFFICE_MAX + 1] = '\0';
    b.office = big;
    assert_int_equal(pw_msg_check_batch(&b, &d), PW_EFEED_TOOLONG);
    assert_string_equal(d.field, "office");
    big[PW_OFFICE_MAX] = '\0';
    assert_int_equal(pw_msg_check_batch(&b, &d), 0);

    assert_int_equal(pw_msg_check_query(&q, &d), 0);
    big[PW_QUERY_TEXT_MAX + 1] = '\0';
    memset(big, 'q', PW_QUERY_TEXT_MAX + 1);
    char **fields[] = {&q.indicator_id, &q.as_of, &q.plan, &q.project, &q.request_id};
    static const char *const names[] = {"indicator_id", "as_of", "plan", "project", "request_id"};
    for (size_t i = 0; i < 5; i++) {
        *fields[i] = big;
        assert_int_equal(pw_msg_check_query(&q, &d), PW_ETOOBIG);
        assert_string_equal(d.field, names[i]);
        *fields[i] = "";
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_number),
        cmocka_unit_test(test_fy_window_tolerance),
        cmocka_unit_test(test_update_bounds),
        cmocka_unit_test(test_batch_and_query),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
