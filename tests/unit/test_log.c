/* test_log.c - the logfmt logger: the line's fixed fields (ts, level, svc),
 * the threshold, free text as the message, pw_log_quote's quoting,
 * escaping and cutting, and one line per event however long or odd the
 * text. (test_text.c checks that values from outside cannot forge a line.) */
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
#include "unit_support.h"

/* pw_log_quote(in) into a buffer of n bytes gives want. */
struct quote_case {
    const char *in;
    size_t n;
    const char *want;
};

static void check_quotes(const struct quote_case *c, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char buf[256];
        assert_true(c[i].n <= sizeof buf);
        assert_ptr_equal(pw_log_quote(c[i].in, buf, c[i].n), buf);
        assert_string_equal(buf, c[i].want);
    }
}

static void test_quote(void **state)
{
    (void)state;
    static const struct quote_case cases[] = {
        {"committed", 64, "committed"},
        {"/var/lib/planwatch", 64, "/var/lib/planwatch"},
        {"遺伝子治療", 64, "遺伝子治療"},
        {"back\\slash", 64, "back\\slash"}, /* bare: no need */
        {"", 64, "\"\""},
        {NULL, 64, "\"\""},
        {"two words", 64, "\"two words\""},
        {"a=b", 64, "\"a=b\""},
        {"say \"hi\"", 64, "\"say \\\"hi\\\"\""},
        {"q\" and \\", 64, "\"q\\\" and \\\\\""},
        {"line\nbreak\r\tx", 64, "\"line\\nbreak\\r\\tx\""},
        {"esc\x1b[2J\x7f", 64, "\"esc\\u001b[2J\\u007f\""},
    };
    check_quotes(cases, sizeof cases / sizeof cases[0]);
}

static void test_quote_cut(void **state)
{
    (void)state;
    /* never half an escape, never half a character, always the closing quote */
    static const struct quote_case cases[] = {
        {"abcdefghij", 8, "abcdefg"},
        {"a b c d e f", 8, "\"a b c\""},
        {"\"\"\"\"\"", 7, "\"\\\"\\\"\""},
        {"\"\"\"\"\"", 6, "\"\\\"\""},
        {"あいう", 7, "あい"},
        {"あいう", 5, "あ"},
        {"あ い", 8, "\"あ \""},
        {"x y", 3, "\"\""},
        {"abc", 2, ""},
    };
    check_quotes(cases, sizeof cases / sizeof cases[0]);
}

static void log_fields(void)
{
    pw_log_init("store", PW_LOG_INFO);
    pw_info("msg=\"committed\" n=12 seq=40");
}

static void test_line_fields(void **state)
{
    (void)state;
    char *out = ut_capture_stderr(log_fields);
    /* ts=2026-12-06T05:00:00.123Z: 3 + 24 characters */
    assert_int_equal(strncmp(out, "ts=", 3), 0);
    assert_int_equal(strlen(out), 27 + strlen(" level=info svc=store msg=\"committed\" n=12 seq=40\n"));
    int y, mo, d, h, mi, s, ms;
    char z = 0;
    assert_int_equal(sscanf(out, "ts=%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms, &z), 8);
    assert_int_equal(z, 'Z');
    assert_true(y >= 2024 && mo >= 1 && mo <= 12 && ms >= 0 && ms <= 999);
    assert_string_equal(out + 27, " level=info svc=store msg=\"committed\" n=12 seq=40\n");
    free(out);
}

static void log_levels(void)
{
    pw_log_init("alert", PW_LOG_WARN);
    pw_debug("msg=\"hidden debug\"");
    pw_info("msg=\"hidden info\"");
    pw_warn("msg=\"w\"");
    pw_error("msg=\"e\" code=%s", "PW_EIO");
    pw_log_init("alert", PW_LOG_DEBUG);
    pw_debug("msg=\"d\"");
}

static void test_levels(void **state)
{
    (void)state;
    char *out = ut_capture_stderr(log_levels);
    assert_null(strstr(out, "hidden"));
    assert_non_null(strstr(out, " level=warn svc=alert msg=\"w\"\n"));
    assert_non_null(strstr(out, " level=error svc=alert msg=\"e\" code=PW_EIO\n"));
    assert_non_null(strstr(out, " level=debug svc=alert msg=\"d\"\n"));
    free(out);
    enum pw_log_level l;
    assert_int_equal(pw_log_level_parse("WARN", &l), 0);
    assert_int_equal(l, PW_LOG_WARN);
    assert_int_not_equal(pw_log_level_parse("verbose", &l), 0);
}

static void log_odd(void)
{
    char q[128], big[5000];
    pw_log_init("http", PW_LOG_INFO);
    /* text that is not key=value pairs is the message, quoted */
    pw_info("plain words, \"quoted\" = odd");
    /* a value from outside, quoted where it needs it */
    pw_info("msg=\"listening\" dir=%s", pw_log_quote("/srv/my data/\"x\"", q, sizeof q));
    /* a line longer than the buffer stays one line */
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pw_info("msg=\"big\" v=%s", big);
    pw_info("msg=\"after\"");
}

static void test_free_text_quoted_and_long(void **state)
{
    (void)state;
    char *out = ut_capture_stderr(log_odd);
    size_t lines = 0;
    for (char *c = out; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 4);
    assert_non_null(strstr(out, " svc=http msg=\"plain words, \\\"quoted\\\" = odd\"\n"));
    assert_non_null(strstr(out, " msg=\"listening\" dir=\"/srv/my data/\\\"x\\\"\"\n"));
    char *big = strstr(out, "msg=\"big\"");
    assert_non_null(big);
    assert_true(strchr(big, '\n') - big < 2048);
    assert_non_null(strstr(out, " msg=\"after\"\n"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_quote_cut),
        cmocka_unit_test(test_line_fields),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_free_text_quoted_and_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
