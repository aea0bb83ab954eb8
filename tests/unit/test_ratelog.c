/* test_ratelog.c - the per-minute log budget (ratelog.h): the first
 * per_min events of a minute are logged, the rest counted; the minute's end
 * logs one line with the count and starts a fresh budget; a quiet minute
 * logs nothing and asks for no wake-up. The clock is the test's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "ratelog.h"
#include "unit_support.h"

static struct pw_ratelog rl;
static int allowed;
static int64_t next_due;

/* 3 a minute; 10 events at t = 1000..1009 ms. */
static void burst(void)
{
    pw_ratelog_init(&rl, "connection refusals", 3);
    allowed = 0;
    for (int i = 0; i < 10; i++)
        allowed += pw_ratelog_allow(&rl, 1000 + i);
    next_due = pw_ratelog_flush(&rl, 30000); /* mid-minute: nothing yet */
}

static void minute_over(void)
{
    next_due = pw_ratelog_flush(&rl, 61000);
}

static void test_budget(void **state)
{
    (void)state;
    pw_log_init("test", PW_LOG_INFO);
    char *out = ut_capture_stderr(burst);
    assert_int_equal(allowed, 3);
    assert_string_equal(out, "");
    assert_int_equal(next_due, 61000); /* the owner's poll wakes for the line */
    free(out);
    out = ut_capture_stderr(minute_over);
    assert_non_null(strstr(out, "msg=\"connection refusals not logged\" count=7 window_s=60"));
    assert_int_equal(next_due, INT64_MAX);
    free(out);
    /* a new minute: a fresh budget */
    assert_int_equal(pw_ratelog_allow(&rl, 61001), 1);
    /* a quiet end: no line */
    out = ut_capture_stderr(minute_over);
    assert_string_equal(out, "");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
