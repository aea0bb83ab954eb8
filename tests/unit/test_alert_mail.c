/* test_alert_mail.c - the email of an alert (alert_mail.c, linked from
 * pw_alert): RFC 2047 subjects (plain ASCII untouched; Japanese in
 * encoded-words of at most 75 characters, cut on character boundaries,
 * that decode back to the text), and a message that is 7-bit with CRLF
 * lines, both alternatives, and the 要因分析 only when given. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alert_mail.h"
#include "dec.h"
#include "err.h"

static char *decode_words(const char *v)
{
    char *out = calloc(1, strlen(v) + 1);
    size_t k = 0;
    for (const char *p = v; (p = strstr(p, "=?UTF-8?B?"));) {
        p += 10;
        const char *e = strstr(p, "?=");
        size_t bin = 0;
        assert_non_null(e);
        assert_int_equal(sodium_base642bin((unsigned char *)out + k, strlen(v) - k, p,
                                           (size_t)(e - p), NULL, &bin, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        k += bin;
        p = e + 2;
    }
    return out;
}

static void test_header_encode(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    char *s = alert_mail_header_encode("plain subject");
    assert_string_equal(s, "plain subject");
    free(s);
    const char *ja = "【planwatch】遅れ 権利譲渡契約・実施許諾契約・共同研究開発契約件数（シーズの企業導出件数） "
                     "令和7年度末 100/130";
    s = alert_mail_header_encode(ja);
    /* every word within 75 characters, folded with CRLF SP */
    for (char *p = s, *e; p && *p; p = e ? e + 3 : NULL) {
        e = strstr(p, "\r\n ");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        assert_true(n <= 75);
        assert_true(strncmp(p, "=?UTF-8?B?", 10) == 0);
    }
    char *d = decode_words(s);
    assert_string_equal(d, ja); /* no character was cut in two */
    free(d);
    free(s);
}

static void test_build(void **state)
{
    (void)state;
    Planwatch__V1__Alert a = PLANWATCH__V1__ALERT__INIT;
    Planwatch__V1__StatusRow row = PLANWATCH__V1__STATUS_ROW__INIT;
    a.alert_id = "x1:7";
    a.seq = 7;
    a.indicator_id = "x1";
    a.name = "論文数（Top1%論文）";
    a.status = PLANWATCH__V1__STATUS__STATUS_BEHIND;
    a.event = PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED;
    a.severity = PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    a.summary = "FY2025 (1/5): expected >= 120, actual 86 <short>";
    a.time_ns = INT64_C(1790000000123000000);
    row.checkpoint_fy = 2025;
    row.has_actual = 1;
    row.actual_micros = PW_DEC(86);
    row.has_expected = 1;
    row.expected_micros = PW_DEC(120);
    a.row = &row;
    struct alert_format_ctx ctx = {.public_url = "https://pw.example.jp"};
    struct alert_mail_in in = {"planwatch@example.jp", "a@example.jp", 3, NULL, NULL,
                               INT64_C(1790000000123000000)};
    char *m = NULL;
    size_t len = 0;
    assert_int_equal(alert_mail_build(&a, NULL, &ctx, &in, &m, &len), 0);
    assert_int_equal(len, strlen(m));
    for (size_t i = 0; i < len; i++) {
        assert_true((unsigned char)m[i] < 0x80); /* 7-bit */
        if (m[i] == '\n')
            assert_true(i > 0 && m[i - 1] == '\r'); /* CRLF lines */
    }
    assert_non_null(strstr(m, "From: planwatch <planwatch@example.jp>\r\n"));
    assert_non_null(strstr(m, "To: <a@example.jp>\r\n"));
    assert_non_null(strstr(m, "Date: Mon, 21 Sep 2026 14:13:20 +0000\r\n"));
    assert_non_null(strstr(m, "Message-ID: <planwatch.7.3@example.jp>\r\n"));
    assert_non_null(strstr(m, "Content-Type: multipart/alternative; boundary=\"planwatch-7-3\""));
    assert_non_null(strstr(m, "Content-Type: text/plain; charset=UTF-8"));
    assert_non_null(strstr(m, "Content-Type: text/html; charset=UTF-8"));
    assert_non_null(strstr(m, "\r\n--planwatch-7-3--\r\n"));
    char *subj = strstr(m, "Subject: ");
    assert_non_null(subj);
    char *end = strstr(subj, "\r\nDate:");
    *end = '\0';
    char *d = decode_words(subj);
    assert_string_equal(d, "【planwatch】遅れ 論文数（Top1%論文） 令和7年度末 86/120");
    free(d);
    free(m);
    /* with the answer: the 要因分析 in both parts (base64: decode the text part) */
    in.reason = "審査の遅れ";
    in.reason_by = "田中";
    assert_int_equal(alert_mail_build(&a, NULL, &ctx, &in, &m, &len), 0);
    char *p = strstr(m, "charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    assert_non_null(p);
    p += strlen("charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    char *e = strstr(p, "\r\n--");
    unsigned char text[8192];
    size_t bin = 0;
    assert_int_equal(sodium_base642bin(text, sizeof text - 1, p, (size_t)(e - p), "\r\n", &bin,
                                       NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    text[bin] = 0;
    assert_non_null(strstr((char *)text, "要因分析: 審査の遅れ（田中）"));
    assert_non_null(strstr((char *)text, "指標のページ: https://pw.example.jp/indicator/x1"));
    free(m);
    in.to = "";
    assert_int_equal(alert_mail_build(&a, NULL, &ctx, &in, &m, &len), PW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_encode),
        cmocka_unit_test(test_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
