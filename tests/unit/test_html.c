/* test_html.c - shared HTML pieces: escaping of every special character,
 * status badges that carry words and a symbol besides the colour class,
 * alert badges by kind, names with their English line, and a page shell
 * without external assets that prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"

static char *buf;
static size_t len;

static FILE *mem(void)
{
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    return f;
}

static void test_escape(void **state)
{
    (void)state;
    FILE *f = mem();
    pw_html_text(f, "<a href=\"x\">'&'</a> 医療");
    pw_html_text(f, NULL);
    fclose(f);
    assert_string_equal(buf, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; 医療");
    free(buf);
}

static void test_status_badges(void **state)
{
    (void)state;
    FILE *f = mem();
    pw_html_status(f, PW_STATUS_BEHIND, 'B');
    fputc('|', f);
    pw_html_status(f, PW_STATUS_NO_DATA, '-');
    fclose(f);
    assert_string_equal(buf, "<span class=\"st st-behind\">✕ B 遅れ behind</span>|"
                             "<span class=\"st st-no-data\">? データなし no data</span>");
    free(buf);
    assert_string_equal(pw_html_status_class(PW_STATUS_ON_TRACK), "st-on-track");
    assert_string_equal(pw_html_status_words(PW_STATUS_AT_RISK), "要注意 at risk");
    assert_string_equal(pw_html_status_class((enum pw_status)99), "st-no-data");
    assert_string_equal(pw_html_grade_words('A'), "順調に進捗している");
    assert_string_equal(pw_html_grade_words('B'), "進捗が不十分");
    assert_string_equal(pw_html_grade_words('-'), "");
}

/* An alert's badge says its kind: a forecast or an overdue report is a
 * warning even when the indicator is on track (A) today. */
static void test_alert_badges(void **state)
{
    (void)state;
    FILE *f = mem();
    pw_html_alert_badge(f, PW_HTML_ALERT_FORECAST, PW_STATUS_ON_TRACK, 'A');
    fputc('|', f);
    pw_html_alert_badge(f, PW_HTML_ALERT_OVERDUE, PW_STATUS_NO_DATA, '-');
    fputc('|', f);
    pw_html_alert_badge(f, PW_HTML_ALERT_STATUS, PW_STATUS_BEHIND, 'B');
    fclose(f);
    assert_string_equal(buf, "<span class=\"st st-warn\" data-kind=\"forecast\">▲ 見通し注意 "
                             "forecast</span>|<span class=\"st st-warn\" data-kind=\"overdue\">！ "
                             "未報告 overdue</span>|<span class=\"st st-behind\">✕ B 遅れ behind</span>");
    assert_null(strstr(buf, "順調"));
    free(buf);
    /* the print stylesheet hides the forms and keeps the badges' colours */
    f = mem();
    pw_html_page_open(f, "t");
    fclose(f);
    assert_non_null(strstr(buf, "@media print{form.asof,nav.top,.quick,.noprint{display:none}"));
    assert_non_null(strstr(buf, "print-color-adjust:exact"));
    free(buf);
}

static void test_name_and_page(void **state)
{
    (void)state;
    struct pw_indicator ind;
    memset(&ind, 0, sizeof ind);
    ind.name = "薬事承認件数";
    ind.name_en = "Approvals <new>";
    FILE *f = mem();
    pw_html_indicator_name(f, &ind);
    fclose(f);
    assert_string_equal(buf, "<span lang=\"ja\">薬事承認件数</span>"
                             "<span class=\"en\" lang=\"en\">Approvals &lt;new&gt;</span>");
    free(buf);
    ind.name_en = "";
    f = mem();
    pw_html_indicator_name(f, &ind);
    pw_html_page_open(f, "a & b");
    pw_html_page_close(f);
    fclose(f);
    assert_null(strstr(buf, "class=\"en\""));
    assert_non_null(strstr(buf, "<title>a &amp; b</title>"));
    assert_non_null(strstr(buf, "name=\"viewport\""));
    assert_null(strstr(buf, "<link"));   /* no external stylesheet */
    assert_null(strstr(buf, "<script")); /* nor scripts */
    assert_non_null(strstr(buf, "</body></html>"));
    assert_non_null(strstr(buf, "<html lang=\"ja\">"));
    free(buf);
}

/* A page in English says so; anything but "en" is Japanese. */
static void test_page_lang(void **state)
{
    (void)state;
    FILE *f = mem();
    pw_html_page_open_lang(f, "Alerts", "en");
    fclose(f);
    assert_non_null(strstr(buf, "<html lang=\"en\">"));
    assert_non_null(strstr(buf, "<title>Alerts</title>"));
    free(buf);
    f = mem();
    pw_html_page_open_lang(f, "x", "fr\"><script>");
    fclose(f);
    assert_non_null(strstr(buf, "<html lang=\"ja\">"));
    assert_null(strstr(buf, "<script"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_status_badges),
        cmocka_unit_test(test_alert_badges),
        cmocka_unit_test(test_name_and_page),
        cmocka_unit_test(test_page_lang),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
