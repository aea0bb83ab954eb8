/* test_clock.c - the injectable clock (lib/plan/clock.c): the wall clock, a
 * fixed day (the wall clock's time of day within it, never going back), a
 * fixed instant, a file re-read at each use with either form (the last good
 * value kept when it goes bad), the instant and known-at parsers and their
 * error codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "err.h"
#include "fy.h"
#include "unit_support.h"

#define SEC INT64_C(1000000000)

static void test_parse_instant(void **state)
{
    (void)state;
    int64_t ns = 0, z = 0;
    assert_int_equal(pw_clock_parse_instant("2026-05-01T12:00:00+09:00", &ns), 0);
    assert_int_equal(pw_clock_parse_instant("2026-05-01T03:00:00Z", &z), 0);
    assert_true(ns == z);
    assert_true(z == (int64_t)ut_day("2026-05-01") * 86400 * SEC + 3 * 3600 * SEC);
    assert_int_equal(pw_clock_parse_instant("2026-05-01T03:00:00.25Z", &ns), 0);
    assert_true(ns == z + SEC / 4);
    assert_int_equal(pw_clock_parse_instant("2026-04-30T22:00:00-05:00", &ns), 0);
    assert_true(ns == z);
    assert_int_equal(pw_clock_parse_instant("2026-05-01T03:00:00", &ns), PW_ESYNTAX); /* no zone */
    assert_int_equal(pw_clock_parse_instant("2026-05-01 03:00:00Z", &ns), PW_ESYNTAX);
    assert_int_equal(pw_clock_parse_instant("2026-05-01T3:00:00Z", &ns), PW_ESYNTAX);
    assert_int_equal(pw_clock_parse_instant("2026-05-01T03:00:00.Z", &ns), PW_ESYNTAX);
    assert_int_equal(pw_clock_parse_instant("2026-05-01T24:00:00Z", &ns), PW_ERANGE);
    assert_int_not_equal(pw_clock_parse_instant("2026-02-30T00:00:00Z", &ns), 0); /* pw_day_parse's code */
    assert_int_equal(pw_clock_parse_instant("2026-05-01T00:00:00+15:00", &ns), PW_ERANGE);
    assert_int_equal(pw_clock_parse_instant(NULL, &ns), PW_ESYNTAX);
}

static void test_parse_known_at(void **state)
{
    (void)state;
    int64_t ns = 0;
    assert_int_equal(pw_clock_parse_known_at("2026-05-01", &ns), 0); /* the end of that day, JST */
    assert_true(ns == pw_day_end_ns(ut_day("2026-05-01")));
    assert_int_equal(pw_day_of_ns(ns), ut_day("2026-05-01"));
    assert_int_equal(pw_clock_parse_known_at("2026-05-01T12:00:00+09:00", &ns), 0);
    assert_int_not_equal(pw_clock_parse_known_at("2026-13-01", &ns), 0);
    assert_int_equal(pw_clock_parse_known_at("yesterday", &ns), PW_ESYNTAX);
}

static void test_kinds(void **state)
{
    (void)state;
    struct pw_clock c;
    assert_int_equal(pw_clock_init(&c, ""), 0);
    assert_int_equal(pw_clock_today(&c), pw_day_today());
    /* a day: that day, time advancing from the wall clock, never backwards */
    assert_int_equal(pw_clock_init(&c, "2026-07-01"), 0);
    assert_int_equal(pw_clock_today(&c), ut_day("2026-07-01"));
    int64_t a = pw_clock_now_ns(&c), b = pw_clock_now_ns(&c);
    assert_int_equal(pw_day_of_ns(a), ut_day("2026-07-01"));
    assert_true(b > a);
    /* an instant: fixed */
    assert_int_equal(pw_clock_init(&c, "2026-07-01T23:30:00Z"), 0);
    assert_int_equal(pw_clock_today(&c), ut_day("2026-07-02")); /* 08:30 JST */
    assert_true(pw_clock_now_ns(&c) == pw_clock_now_ns(&c));
    assert_int_equal(pw_clock_init(&c, "2026-07-01T23:30:00"), PW_EINVAL);
    assert_int_equal(pw_clock_init(&c, "tomorrow"), PW_EINVAL);
    assert_int_equal(pw_clock_init(&c, "file:"), PW_EINVAL);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/pw-clock-XXXXXX", path[64], spec[80];
    struct pw_clock c;
    int64_t ns;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/clock", dir);
    snprintf(spec, sizeof spec, "file:%s", path);
    assert_int_equal(pw_clock_init(&c, spec), 0);
    assert_int_equal(pw_clock_today(&c), pw_day_today()); /* no file yet: the wall clock */
    write_file(path, "2026-03-31\n");
    assert_int_equal(pw_clock_today(&c), ut_day("2026-03-31"));
    assert_int_equal(pw_day_of_ns(pw_clock_now_ns(&c)), ut_day("2026-03-31"));
    write_file(path, "2026-05-01T12:00:00+09:00\n");
    assert_int_equal(pw_clock_parse_instant("2026-05-01T03:00:00Z", &ns), 0);
    assert_true(pw_clock_now_ns(&c) == ns);
    assert_int_equal(pw_clock_today(&c), ut_day("2026-05-01"));
    write_file(path, "garbage\n"); /* the last good value stays */
    assert_true(pw_clock_now_ns(&c) == ns);
    write_file(path, "2026-04-30\n"); /* a day again: moving back is the test's right */
    assert_int_equal(pw_day_of_ns(pw_clock_now_ns(&c)), ut_day("2026-04-30"));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(pw_clock_today(&c), ut_day("2026-04-30"));
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_instant),
        cmocka_unit_test(test_parse_known_at),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
