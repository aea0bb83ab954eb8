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

#include "diag.h"
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

static const char *esc(const char *s, size_t n, size_t cap)
{
    static char buf[512];
    assert_true(cap <= sizeof buf);
    return pw_text_escape(s, n, buf, cap);
}
#define ESC(lit, cap) esc(lit, sizeof lit - 1, cap)

/* Echoed text: control characters and invalid bytes escaped, Japanese kept,
 * cut with "…" at the buffer's end without splitting a character or an escape. */
static void test_escape(void **state)
{
    (void)state;
    assert_string_equal(ESC("", 16), "");
    assert_string_equal(ESC("plain 遺伝子治療 R7", 64), "plain 遺伝子治療 R7");
    assert_string_equal(ESC("red \x1b[31mX", 64), "red \\x1b[31mX");
    assert_string_equal(ESC("a\0b", 64), "a\\x00b"); /* a NUL shown, not the end */
    assert_string_equal(ESC("t\tn\nr\r", 64), "t\\tn\\nr\\r");
    assert_string_equal(ESC("del\x7f bel\a", 64), "del\\x7f bel\\x07");
    assert_string_equal(ESC("csi\xC2\x9B" "2J", 64), "csi\\u009b2J");
    assert_string_equal(ESC("rlo\xE2\x80\xAEtxt ls\xE2\x80\xA8", 64), "rlo\\u202etxt ls\\u2028");
    assert_string_equal(ESC("caf\xE9", 64), "caf\\xe9");
    assert_string_equal(ESC("\xC0\xAF \xED\xA0\x80 \xE3\x81", 64),
                        "\\xc0\\xaf \\xed\\xa0\\x80 \\xe3\\x81");
    assert_string_equal(ESC("\xC2\xA0nbsp \xF0\x9F\x93\x88", 64), "\xC2\xA0nbsp \xF0\x9F\x93\x88");
    assert_string_equal(ESC("back\\slash", 64), "back\\slash");
    /* cut: the whole result (with the "…") fits cap - 1 bytes */
    assert_string_equal(ESC("abcdefgh", 9), "abcdefgh");
    assert_string_equal(ESC("abcdefghi", 9), "abcde…");
    assert_string_equal(ESC("ab\x1b", 8), "ab\\x1b");
    assert_string_equal(ESC("ab\x1b" "c", 7), "ab…"); /* the escape is not split */
    assert_string_equal(ESC("遺伝子治療", 10), "遺伝…"); /* nor a character */
    assert_string_equal(ESC("遺伝子", 10), "遺伝子");
    assert_string_equal(ESC("abcdef", 4), "…");
    assert_string_equal(ESC("abcdef", 3), "");
    /* NULL with length 0 is the empty text */
    char b[8];
    assert_string_equal(pw_text_escape(NULL, 0, b, sizeof b), "");
    /* the worst case: every byte an escape */
    char in[PW_TEXT_ECHO_MAX], out[4 * PW_TEXT_ECHO_MAX + 1];
    memset(in, 0x1b, sizeof in);
    pw_text_escape(in, sizeof in, out, sizeof out);
    assert_int_equal(strlen(out), 4 * PW_TEXT_ECHO_MAX);
    assert_true(pw_text_clean(out, strlen(out)));
}

/* At most max bytes of the text, cut before a whole character, "…" when
 * anything was left out (by max or by the buffer). */
/* Every byte value at every place of a word and of the tail: printable
 * ASCII is copied as it is, anything else is noticed (escaped: the text
 * changes), whether it falls in the 8-byte steps of the scan or after. */
static void test_escape_every_byte(void **state)
{
    (void)state;
    char in[20], out[128];
    for (int b = 0; b < 256; b++)
        for (size_t at = 0; at < sizeof in - 1; at++) {
            memset(in, 'a', sizeof in - 1);
            in[sizeof in - 1] = '\0';
            in[at] = (char)b;
            pw_text_escape(in, sizeof in - 1, out, sizeof out);
            int plain = b >= 0x20 && b < 0x7f;
            if (plain != (memcmp(out, in, sizeof in) == 0))
                fail_msg("byte 0x%02x at %zu: %s", b, at, plain ? "escaped" : "not escaped");
        }
}

static void test_escape_cut(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(pw_text_escape_cut("abcdef", 6, 6, b, sizeof b), "abcdef");
    assert_string_equal(pw_text_escape_cut("abcdef", 6, 4, b, sizeof b), "abcd…");
    assert_string_equal(pw_text_escape_cut("ab日本", 8, 4, b, sizeof b), "ab…"); /* not half of 日 */
    assert_string_equal(pw_text_escape_cut("ab日本", 8, 5, b, sizeof b), "ab日…");
    assert_string_equal(pw_text_escape_cut("a\x1b\xff", 3, 2, b, sizeof b), "a\\x1b…");
    assert_string_equal(pw_text_escape_cut("abcdef", 6, 0, b, sizeof b), "…");
    assert_string_equal(pw_text_escape_cut(NULL, 0, 4, b, sizeof b), "");
    /* the buffer cuts first: one "…", never two */
    assert_string_equal(pw_text_escape_cut("abcdefghij", 10, 8, b, 8), "abcd…");
}

/* Every diagnostic's file, field and reason are escaped and cut with "…". */
static void test_diag_escaped(void **state)
{
    (void)state;
    struct pw_diag d;
    char long_reason[1000];
    memset(long_reason, 'r', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = '\0';
    pw_diag_set(&d, PW_EFEED_VALUE, "f\x1b.csv", 2, "k\x9b", "why \x1b[2J %s", long_reason);
    assert_string_equal(d.file, "f\\x1b.csv");
    assert_string_equal(d.field, "k\\x9b");
    assert_memory_equal(d.msg, "why \\x1b[2J rrr", strlen("why \\x1b[2J rrr"));
    assert_true(strlen(d.msg) == sizeof d.msg - 1 || strlen(d.msg) == sizeof d.msg - 2 ||
                strlen(d.msg) == sizeof d.msg - 3);
    assert_non_null(strstr(d.msg, "…"));
    assert_true(pw_text_clean(d.msg, strlen(d.msg)));
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
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_escape_every_byte),
        cmocka_unit_test(test_escape_cut),
        cmocka_unit_test(test_diag_escaped),
        cmocka_unit_test(test_log_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
