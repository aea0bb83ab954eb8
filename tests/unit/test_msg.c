/* test_msg.c - msg.c's echo of ids from outside (pw_msg_echo): cut to
 * PW_BATCH_ID_MAX bytes before a character with "…", escaped by the one
 * rule of pw_text_escape (control characters \xHH or \t \n \r, C1 and
 * bidi controls \uHHHH, bytes that are not UTF-8 \xHH); never more than
 * the buffer. And the values a row's reasons quote: escaped, never cut
 * inside a character. The ZeroMQ topics (pw_msg_topic): prefix, plan,
 * project ("all" for a plan-wide indicator) and indicator joined by ".",
 * cut as snprintf cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "err.h"
#include "msg.h"
#include "text.h"

static void test_echo(void **state)
{
    (void)state;
    char buf[PW_MSG_ECHO_BUF], big[300];
    assert_string_equal(pw_msg_echo(NULL, buf, sizeof buf), "");
    assert_string_equal(pw_msg_echo("batch-2026.04:01", buf, sizeof buf), "batch-2026.04:01");
    assert_string_equal(pw_msg_echo("日本語のid", buf, sizeof buf), "日本語のid");
    assert_string_equal(pw_msg_echo("a\x1b[31mb", buf, sizeof buf), "a\\x1b[31mb");
    assert_string_equal(pw_msg_echo("a\\b\tc\r\n", buf, sizeof buf), "a\\b\\tc\\r\\n");
    assert_string_equal(pw_msg_echo("\xff\xfe", buf, sizeof buf), "\\xff\\xfe");
    assert_string_equal(pw_msg_echo("x\xc2\x85y\x7f", buf, sizeof buf), "x\\u0085y\\x7f");
    assert_string_equal(pw_msg_echo("rlo\xe2\x80\xae", buf, sizeof buf), "rlo\\u202e");
    assert_string_equal(pw_msg_echo("\xe6\x97", buf, sizeof buf), "\\xe6\\x97"); /* cut short */
    memset(big, 'a', 200);
    big[200] = '\0';
    assert_int_equal(strlen(pw_msg_echo(big, buf, sizeof buf)), PW_BATCH_ID_MAX + strlen("…"));
    assert_string_equal(buf + PW_BATCH_ID_MAX, "…");
    /* exactly the limit: not cut */
    big[PW_BATCH_ID_MAX] = '\0';
    assert_int_equal(strlen(pw_msg_echo(big, buf, sizeof buf)), PW_BATCH_ID_MAX);
    /* a character across the limit is left out whole: 127 bytes, then "…" */
    memset(big, 'a', PW_BATCH_ID_MAX - 1);
    memcpy(big + PW_BATCH_ID_MAX - 1, "日本", sizeof "日本");
    pw_msg_echo(big, buf, sizeof buf);
    assert_int_equal(strlen(buf), PW_BATCH_ID_MAX - 1 + strlen("…"));
    assert_string_equal(buf + PW_BATCH_ID_MAX - 1, "…");
    /* 128 control characters: 512 bytes of escapes, within PW_MSG_ECHO_BUF */
    memset(big, 0x01, PW_BATCH_ID_MAX + 10);
    big[PW_BATCH_ID_MAX + 10] = '\0';
    assert_int_equal(strlen(pw_msg_echo(big, buf, sizeof buf)), 4 * PW_BATCH_ID_MAX + strlen("…"));
    /* a small buffer is never overrun */
    char small[8];
    memset(small, 'z', sizeof small);
    pw_msg_echo("\x1b\x1b\x1b", small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    assert_string_equal(small, "\\x1b…");
}

/* A reason quotes a bad update_id or as_of escaped and cut whole
 * characters (it once printed 40 raw bytes: an ESC, or half a character). */
static void test_row_quotes(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u;
    struct pw_feed_row r;
    struct pw_diag d;
    planwatch__v1__indicator_update__init(&u);
    u.indicator_id = "c1";
    u.fiscal_year = 2024;
    u.update_id = "bad\x1b[2J id";
    assert_int_equal(pw_msg_row_from_update(&r, &u, "f", &d), PW_EFEED_UPDATE_ID);
    assert_non_null(strstr(d.msg, "'bad\\x1b[2J id' is not"));
    /* 13 x 3-byte characters (39 bytes), then 20 more: cut after a whole one */
    u.update_id = NULL;
    u.as_of = "あいうえおかきくけこさしすせそたちつてと";
    assert_int_equal(pw_msg_row_from_update(&r, &u, "f", &d), PW_EFEED_DATE);
    assert_non_null(strstr(d.msg, "'あいうえおかきくけこさしすせそたちつてと' is not a date"));
    char longer[200] = "";
    for (int i = 0; i < 30; i++)
        strcat(longer, "日");
    u.as_of = longer;
    assert_int_equal(pw_msg_row_from_update(&r, &u, "f", &d), PW_EFEED_DATE);
    assert_true(pw_text_clean(d.msg, strlen(d.msg)));
    assert_non_null(strstr(d.msg, "日…' is not a date"));
}

/* Destinations shown to one who may only read: scheme and host of a URL,
 * first character and domain of an address; "" stays "". */
static void test_redact(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(pw_msg_redact_url("https://hooks.slack.com/services/T0/B0/xyz", b, sizeof b),
                        "https://hooks.slack.com/…");
    assert_string_equal(pw_msg_redact_url("http://127.0.0.1:9", b, sizeof b), "http://127.0.0.1:9");
    assert_string_equal(pw_msg_redact_url("http://h.example?token=1", b, sizeof b),
                        "http://h.example/…");
    assert_string_equal(pw_msg_redact_url("https://user:t0ken@hooks.example/x", b, sizeof b),
                        "https://hooks.example/…");
    assert_string_equal(pw_msg_redact_url("https://t0ken@hooks.example", b, sizeof b),
                        "https://hooks.example/…");
    assert_string_equal(pw_msg_redact_url("", b, sizeof b), "");
    assert_string_equal(pw_msg_redact_url(NULL, b, sizeof b), "");
    assert_string_equal(pw_msg_redact_url("http://a-very-long-host-name.example.jp/x", b, 16),
                        "http://a-very-l"); /* cut to fit */
    assert_string_equal(pw_msg_redact_email("jimukyoku@example.jp", b, sizeof b), "j…@example.jp");
    assert_string_equal(pw_msg_redact_email("事務局@example.jp", b, sizeof b), "事…@example.jp");
    assert_string_equal(pw_msg_redact_email("@example.jp", b, sizeof b), "…");
    assert_string_equal(pw_msg_redact_email("nobody", b, sizeof b), "…");
    assert_string_equal(pw_msg_redact_email("", b, sizeof b), "");
}

static void test_topic(void **state)
{
    (void)state;
    const struct pw_plan plan = {.id = "p3"};
    const struct pw_project proj = {.id = "p3-out11", .plan = &plan};
    const struct pw_indicator in_proj = {.id = "p3-out11-core", .plan = &plan, .project = &proj},
                              whole = {.id = "p3-kpi", .plan = &plan};
    char buf[64], want[64];
    pw_msg_topic(buf, sizeof buf, "update", &in_proj);
    assert_string_equal(buf, "update.p3.p3-out11.p3-out11-core");
    pw_msg_topic(buf, sizeof buf, "alert", &whole);
    assert_string_equal(buf, "alert.p3.all.p3-kpi");
    /* every cut, byte for byte as snprintf makes it; never past n */
    for (size_t n = 0; n <= sizeof buf; n++) {
        memset(buf, 'z', sizeof buf);
        memset(want, 'z', sizeof want);
        pw_msg_topic(buf, n, "update", &in_proj);
        snprintf(want, n, "%s.%s.%s.%s", "update", "p3", "p3-out11", "p3-out11-core");
        assert_memory_equal(buf, want, sizeof buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_topic),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_row_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
