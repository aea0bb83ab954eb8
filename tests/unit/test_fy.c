/* test_fy.c - the plan calendar: dates, fiscal years, 令和, elapsed share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "fy.h"

static int32_t day(const char *s)
{
    int32_t d = 0;
    assert_int_equal(pw_day_parse(s, &d), 0);
    return d;
}

static void test_days(void **state)
{
    (void)state;
    char b[11];
    assert_int_equal(pw_day_from_ymd(1970, 1, 1), 0);
    assert_int_equal(day("2024-03-01") - day("2024-02-28"), 2); /* leap year */
    assert_int_equal(day("2025-03-01") - day("2025-02-28"), 1);
    assert_string_equal(pw_day_format(day("2026-11-21"), b), "2026-11-21");
    for (int32_t d = day("1999-12-25"); d < day("2001-01-05"); d++) {
        int y, m, dd;
        pw_day_to_ymd(d, &y, &m, &dd);
        assert_int_equal(pw_day_from_ymd(y, m, dd), d);
    }
    int32_t x = 7;
    static const char *bad[] = {"2025-02-29", "2025-13-01", "2025-1-01", "2025/01/01",
                                "2025-01-01x", "", "20250101"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pw_day_parse(bad[i], &x), PW_ESYNTAX);
    assert_int_equal(pw_day_parse("1850-01-01", &x), PW_ERANGE);
    assert_int_equal(x, 7);
}

static void test_fy_parse(void **state)
{
    (void)state;
    int fy = 0;
    struct {
        const char *s;
        int fy;
    } ok[] = {{"2025", 2025}, {"FY2025", 2025}, {"fy2020", 2020}, {"令和7", 2025},
              {"令和7年度", 2025}, {"令和元年度", 2019}, {"R7", 2025}, {"r2", 2020},
              {"令和１０年度", 2028}, {"２０２４", 2024}, {" 2024 ", 2024}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(pw_fy_parse(ok[i].s, &fy), 0);
        assert_int_equal(fy, ok[i].fy);
    }
    static const char *bad[] = {"", "25", "20255", "令和", "R", "平成30", "FY", "2025年",
                                "R2025", "7年度"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pw_fy_parse(bad[i], &fy), PW_ESYNTAX);
    assert_int_equal(pw_fy_parse("1900", &fy), PW_ERANGE);
    assert_int_equal(pw_fy_parse("令和0", &fy), PW_ERANGE);
}

static void test_fy_of(void **state)
{
    (void)state;
    assert_int_equal(pw_fy_of(day("2025-03-31")), 2024);
    assert_int_equal(pw_fy_of(day("2025-04-01")), 2025);
    assert_int_equal(pw_fy_of(day("2026-01-15")), 2025);
    assert_int_equal(pw_fy_days(2023), 366); /* contains 2024-02-29 */
    assert_int_equal(pw_fy_days(2024), 365);
    assert_int_equal(pw_fy_first_day(2025), day("2025-04-01"));
}

/* k/N exactly at the end of year k, whatever the year lengths */
static void test_share_exact(void **state)
{
    (void)state;
    struct pw_share s;
    for (int k = 1; k <= 5; k++) {
        pw_fy_share(2020, 2024, pw_fy_first_day(2020 + k) - 1, &s);
        assert_int_equal(s.years, 5);
        assert_true(s.num * 5 == s.den * k);
    }
    pw_fy_share(2025, 2029, day("2026-03-31"), &s);
    assert_true(s.num * 5 == s.den * 1);
    pw_fy_share(2024, 2028, day("2026-03-31"), &s); /* 50 over FY2024-28 -> 20 */
    assert_true(s.num * 5 == s.den * 2);
}

static void test_share_partial(void **state)
{
    (void)state;
    struct pw_share s;
    /* 2025-04-01: the first day of the window counts as elapsed */
    pw_fy_share(2025, 2029, day("2025-04-01"), &s);
    assert_true(s.num == 1 && s.den == 5 * 365);
    /* the middle of FY2023 (366 days): 3 years + 183/366 */
    pw_fy_share(2020, 2024, day("2023-09-30"), &s);
    assert_true(s.den == 5 * 366);
    assert_true(s.num == 3 * 366 + 183);
    /* before and after the window */
    pw_fy_share(2025, 2029, day("2025-03-31"), &s);
    assert_true(s.num == 0);
    pw_fy_share(2020, 2024, day("2030-01-01"), &s);
    assert_true(s.num == s.den);
    int64_t n, d;
    pw_fy_year_share(2025, day("2025-09-30"), &n, &d);
    assert_true(n == 183 && d == 365);
    pw_fy_year_share(2025, day("2024-10-01"), &n, &d);
    assert_true(n == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days),          cmocka_unit_test(test_fy_parse),
        cmocka_unit_test(test_fy_of),         cmocka_unit_test(test_share_exact),
        cmocka_unit_test(test_share_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
