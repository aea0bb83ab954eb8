/* test_cfg.c - service settings: defaults < PLANWATCH_<NAME> (shared) <
 * PLANWATCH_<SERVICE>_<NAME> < --flags, and every refusal (bad or
 * out-of-range number, bad boolean, unknown option, missing value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfg.h"
#include "err.h"

static const char *dir, *clock_s;
static long port;
static int flag;

static const struct pw_cfg table[] = {
    {"data-dir", PW_CFG_STR, "/var/lib/x", 0, 0, "where", &dir, 0},
    {"clock", PW_CFG_STR, "", 0, 0, "today", &clock_s, 1},
    {"port", PW_CFG_INT, "7600", 1, 65535, "port", &port, 0},
    {"insecure", PW_CFG_BOOL, "false", 0, 0, "no CURVE", &flag, 0},
};
#define N (sizeof table / sizeof table[0])

static int load(int argc, char **argv)
{
    FILE *out = tmpfile();
    assert_non_null(out);
    int rc = pw_cfg_load(table, N, argc, argv, "planwatch-test", "a test", out);
    fclose(out);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("PLANWATCH_TEST_PORT");
    unsetenv("PLANWATCH_CLOCK");
    unsetenv("PLANWATCH_TEST_CLOCK");
    unsetenv("PLANWATCH_TEST_INSECURE");
    return 0;
}

static void test_parse_words(void **state)
{
    (void)state;
    static const char *const yes[] = {"1", "true", "YES", "on", "On"};
    static const char *const no[] = {"0", "False", "no", "OFF"};
    int b = -1;
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(pw_cfg_parse_bool(yes[i], &b), 0);
        assert_int_equal(b, 1);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(pw_cfg_parse_bool(no[i], &b), 0);
        assert_int_equal(b, 0);
    }
    assert_int_equal(pw_cfg_parse_bool("maybe", &b), PW_EINVAL);
    assert_int_equal(pw_cfg_parse_bool("", &b), PW_EINVAL);
    long v = 7;
    assert_int_equal(pw_cfg_parse_long("42", 1, 100, &v), 0);
    assert_int_equal(v, 42);
    static const char *const bad[] = {"", "x", "4x", "101", "0", "99999999999999999999"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(pw_cfg_parse_long(bad[i], 1, 100, &v), PW_EINVAL);
    assert_int_equal(v, 42); /* untouched on refusal */
}

static void test_precedence(void **state)
{
    (void)state;
    char *argv0[] = {"planwatch-test", NULL};
    assert_int_equal(load(1, argv0), 0);
    assert_string_equal(dir, "/var/lib/x");
    assert_int_equal(port, 7600);
    assert_int_equal(flag, 0);
    setenv("PLANWATCH_CLOCK", "2026-01-01", 1); /* shared */
    setenv("PLANWATCH_TEST_PORT", "7700", 1);
    setenv("PLANWATCH_TEST_INSECURE", "on", 1);
    assert_int_equal(load(1, argv0), 0);
    assert_string_equal(clock_s, "2026-01-01");
    assert_int_equal(port, 7700);
    assert_int_equal(flag, 1);
    setenv("PLANWATCH_TEST_CLOCK", "2027-01-01", 1); /* the service's own wins */
    char *argv1[] = {"planwatch-test", "--port=7800", "--data-dir", "/d", "--insecure=off", NULL};
    assert_int_equal(load(5, argv1), 0);
    assert_string_equal(clock_s, "2027-01-01");
    assert_int_equal(port, 7800);
    assert_string_equal(dir, "/d");
    assert_int_equal(flag, 0);
    char *argv2[] = {"planwatch-test", "--insecure", NULL}; /* a bare boolean flag */
    assert_int_equal(load(2, argv2), 0);
    assert_int_equal(flag, 1);
}

static void test_refusals(void **state)
{
    (void)state;
    char *help[] = {"planwatch-test", "--help", NULL};
    assert_int_equal(load(2, help), 1);
    char *version[] = {"planwatch-test", "--port=7", "--version", NULL};
    assert_int_equal(load(3, version), PW_CFG_VERSION); /* the caller prints it */
    char *bad[][3] = {{"planwatch-test", "--port=0", NULL},
                      {"planwatch-test", "--port=seven", NULL},
                      {"planwatch-test", "--insecure=perhaps", NULL},
                      {"planwatch-test", "--no-such=1", NULL},
                      {"planwatch-test", "--port", NULL},
                      {"planwatch-test", "stray", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(load(2, bad[i]), PW_EINVAL);
    char *argv0[] = {"planwatch-test", NULL};
    setenv("PLANWATCH_TEST_PORT", "70000", 1);
    assert_int_equal(load(1, argv0), PW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_parse_words, teardown),
        cmocka_unit_test_teardown(test_precedence, teardown),
        cmocka_unit_test_teardown(test_refusals, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
