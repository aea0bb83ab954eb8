/* test_text.c - text from outside: UTF-8 and control characters are checked
 * where it enters (file rows, wire rows, batch fields) and logs stay one
 * line per event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "log.h"
#include "msg.h"
#include "text.h"

static int clean(const char *s)
{
    return pw_text_clean(s, strlen(s));
}

static void test_utf8_and_controls(void **state)
{
    (void)state;
    assert_true(clean(""));
    assert_true(clean("plain text; 遺伝子治療 5件 (R7年度)"));
    assert_true(clean("\xF0\x9F\x93\x88 emoji"));
    assert_true(clean("\xC2\xA0nbsp")); /* U+00A0: C2 but not C1 */
    assert_false(clean("esc \x1b[2J"));
    assert_true(clean("line\r\nbreak\tand tab")); /* a note may span lines */
    assert_false(clean("bell \a"));
    assert_false(clean("del \x7f"));
    assert_false(clean("c1 csi \xC2\x9B"));
    assert_true(pw_text_utf8("c1 csi \xC2\x9B", 9));
    assert_false(pw_text_utf8("\xC0\xAF", 2));         /* overlong '/' */
    assert_false(pw_text_utf8("\xED\xA0\x80", 3));     /* a surrogate */
    assert_false(pw_text_utf8("\xF4\x90\x80\x80", 4)); /* beyond U+10FFFF */
    assert_false(pw_text_utf8("cut \xE3\x81", 6));     /* truncated */
    assert_false(clean("latin-1 caf\xE9"));
}

/* Wire rows and batch fields get the file rows' checks. */
static void test_wire_checks(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    u.update_id = "u-1";
    u.indicator_id = "p3-x";
    u.fiscal_year = 2025;
    u.note = "fine";
    struct pw_feed_row r;
    struct pw_diag d;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "feed", &d), 0);
    u.note = "\x1b]0;owned\x07";
    assert_int_equal(pw_msg_row_from_update(&r, &u, "feed", &d), PW_EFEED_VALUE);
    assert_string_equal(d.field, "note");
    u.note = "caf\xE9";
    assert_int_equal(pw_msg_row_from_update(&r, &u, "feed", &d), PW_EFEED_ENCODING);
    assert_string_equal(d.field, "note");

    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    b.batch_id = "b-1";
    b.source = "月次.csv";
    assert_int_equal(pw_msg_check_batch(&b, &d), 0);
    b.batch_id = "b-1\x1b[1A\x1b[2K";
    assert_int_equal(pw_msg_check_batch(&b, &d), PW_EFEED_VALUE);
    assert_string_equal(d.field, "batch_id");
    b.batch_id = "b-1";
    b.office = "pj\x1b";
    assert_int_equal(pw_msg_check_batch(&b, &d), PW_EFEED_VALUE);
    assert_string_equal(d.field, "office");
}

/* A value with a line break or a quote cannot forge a log line. */
static void test_log_one_line(void **state)
{
    (void)state;
    char path[] = "/tmp/pw-test-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    char v[] = "x\"\ny=1";
    pw_log_init("test", PW_LOG_INFO);
    pw_info("msg=\"one\" value=\"%s\"", pw_log_safe(v));
    pw_info("msg=\"two\" raw=%s", "a\nb\x1b");
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    char buf[1024];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    assert_true(n > 0);
    buf[n] = '\0';
    size_t lines = 0;
    for (ssize_t i = 0; i < n; i++)
        lines += buf[i] == '\n';
    assert_int_equal(lines, 2);
    assert_non_null(strstr(buf, "value=\"x??y=1\""));
    assert_non_null(strstr(buf, "raw=a\\nb?")); /* the newline escaped, not a line */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_and_controls),
        cmocka_unit_test(test_wire_checks),
        cmocka_unit_test(test_log_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
