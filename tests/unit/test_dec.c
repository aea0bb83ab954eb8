/* test_dec.c - exact decimals: parsing what offices type, formatting,
 * rounding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dec.h"
#include "err.h"

static int64_t parse_ok(const char *s)
{
    int64_t v = -1;
    assert_int_equal(pw_dec_parse(s, strlen(s), &v), 0);
    return v;
}

static void test_parse_forms(void **state)
{
    (void)state;
    assert_true(parse_ok("0") == 0);
    assert_true(parse_ok("25") == PW_DEC(25));
    assert_true(parse_ok("46.5") == 46500000);
    assert_true(parse_ok("10.73") == 10730000);
    assert_true(parse_ok("-3.25") == -3250000);
    assert_true(parse_ok("+7") == PW_DEC(7));
    assert_true(parse_ok(" 12 ") == PW_DEC(12));
    assert_true(parse_ok("1,443") == PW_DEC(1443));
    assert_true(parse_ok("1,200,000") == PW_DEC(1200000));
    assert_true(parse_ok("0.000001") == 1);
    assert_true(parse_ok("1.50000000") == 1500000); /* zeros past 6 decimals are harmless */
    assert_true(parse_ok("\xEF\xBC\x95") == PW_DEC(5)); /* full-width ５ */
    assert_true(parse_ok("１２３") == PW_DEC(123));
}

static void test_parse_errors(void **state)
{
    (void)state;
    int64_t v = 42;
    static const char *bad[] = {"", " ", "abc", "1.2.3", "1,44", "1,4444", ",1", "1.", ".5",
                                "5件", "--1", "1e3", "12 3", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pw_dec_parse(bad[i], strlen(bad[i]), &v), PW_ESYNTAX);
        assert_true(v == 42); /* untouched on failure */
    }
    assert_int_equal(pw_dec_parse("1.0000001", 9, &v), PW_ERANGE);
    assert_int_equal(pw_dec_parse("1000000000001", 13, &v), PW_ERANGE);
    assert_int_equal(pw_dec_parse("99999999999999999999999", 23, &v), PW_ERANGE);
    assert_int_equal(pw_dec_parse("1000000000000", 13, &v), 0);
    assert_true(v == PW_DEC_MAX);
}

static void test_format(void **state)
{
    (void)state;
    char b[PW_DEC_BUFSZ];
    assert_string_equal(pw_dec_format(PW_DEC(12), b, sizeof b), "12");
    assert_string_equal(pw_dec_format(46500000, b, sizeof b), "46.5");
    assert_string_equal(pw_dec_format(-1, b, sizeof b), "-0.000001");
    assert_string_equal(pw_dec_format(0, b, sizeof b), "0");
    assert_string_equal(pw_dec_format(50000, b, sizeof b), "0.05");
    assert_string_equal(pw_dec_format(INT64_MIN, b, sizeof b), "-9223372036854.775808");
    char small[4];
    assert_string_equal(pw_dec_format(PW_DEC(12345), small, sizeof small), "123");
    /* 20 x 3/5 = 12 exactly; 10 x 2/3 rounds to 6.67 */
    assert_string_equal(pw_dec_format_q((__int128)PW_DEC(20) * 3, 5, 2, b, sizeof b), "12");
    assert_string_equal(pw_dec_format_q((__int128)PW_DEC(10) * 2, 3, 2, b, sizeof b), "6.67");
    assert_string_equal(pw_dec_format_q((__int128)PW_DEC(-10) * 2, 3, 2, b, sizeof b), "-6.67");
    assert_string_equal(pw_dec_format_q(PW_DEC(1) / 1000, 1, 2, b, sizeof b), "0");
    assert_true(pw_dec_round_q(PW_DEC(10), 3) == 3333333);
    assert_true(pw_dec_round_q(5, 2) == 3);   /* half away from zero */
    assert_true(pw_dec_round_q(-5, 2) == -3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
