/* test_followup.c - the follow-up table: the seeds' columns and sections
 * (plan-wide first, then projects; kind sub-headings), targets as printed,
 * values with units, thousands separators and 速報値, acknowledgement
 * reasons in the details, exact CSV lines, Markdown escaping and the HTML
 * page with charts; unknown formats are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "chart.h"
#include "dec.h"
#include "err.h"
#include "followup.h"
#include "fy.h"
#include "unit_support.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p3, name: 第3期計画, start_fy: 2025, end_fy: 2029,\n"
    "     projects: [{id: pj1, name: 医薬品プロジェクト, name_en: Drugs}]}\n"
    "indicators:\n"
    "  - {id: w, plan: p3, name: 支援数, name_en: 'Support | count', kind: output, unit: 件,\n"
    "     reporting: annual, source: s, target_text: '360件/年', target: {type: annual, value: 360}}\n"
    "  - {id: x, plan: p3, project: pj1, name: 導出件数, kind: outcome, unit: 件,\n"
    "     reporting: cumulative, source: s, target: {type: cumulative, value: 650}}\n"
    "  - {id: y, plan: p3, project: pj1, name: 非臨床PoC, kind: output, unit: 件,\n"
    "     reporting: cumulative, source: s, target: {type: none}}\n";

static struct pw_catalog *cat;
static struct pw_followup_row rows[3];

static int setup(void **state)
{
    (void)state;
    if (ut_catalog_load(&cat, "t.yaml", yaml))
        return -1;
    int32_t end = pw_day_from_ymd(2026, 3, 31);
    struct pw_obs w = {2025, PW_DEC(1443), PW_BASIS_ANNUAL, 1, end, 0, 0};
    struct pw_obs x = {2025, PW_DEC(100), PW_BASIS_CUMULATIVE, 0, end, 0, 0};
    rows[0].ind = pw_catalog_find(cat, "w");
    pw_eval_indicator(rows[0].ind, &w, 1, end, &rows[0].ev);
    rows[1].ind = pw_catalog_find(cat, "x");
    pw_eval_indicator(rows[1].ind, &x, 1, end, &rows[1].ev);
    rows[1].ack = "公募の遅れ, 次年度に回復";
    rows[2].ind = pw_catalog_find(cat, "y");
    pw_eval_indicator(rows[2].ind, NULL, 0, end, &rows[2].ev);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}

static char *render(enum pw_followup_format fmt, int rc_want)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(pw_followup_write(f, pw_catalog_find_plan(cat, "p3"), 2025, rows, 3, fmt),
                     rc_want);
    fclose(f);
    return buf;
}

static void test_csv(void **state)
{
    (void)state;
    /* Japanese by default: 進捗の詳細 in the seeds' register, then 要因分析 */
    char *s = render(PW_FOLLOWUP_CSV, 0);
    assert_string_equal(
        s, "プロジェクト,区分,指標ID,指標,達成目標,令和7年度末の数値,進捗,進捗の詳細\n"
           "計画全体,output,w,支援数,360件/年,\"1,443件（速報値）\",A,"
           "\"令和7年度は1,443件（速報値、年度目標360件以上、達成率401%）。順調。"
           "次は令和8年度に360件以上（期限2027-06-30）。\"\n"
           "医薬品プロジェクト,outcome,x,導出件数,650件,100件,B,"
           "\"令和7年度末時点で累計100件（目標650件、令和7年度末の目安130件、達成率77%）。遅れ。"
           "目安に30件不足。目標650件の達成には残り年平均137.5件が必要（現在のペースでは"
           "令和11年度末に500件）。次は令和8年度末に260件（あと160件、期限2027-06-30）。"
           " / 要因分析: 公募の遅れ, 次年度に回復\"\n"
           "医薬品プロジェクト,output,y,非臨床PoC,-,-,-,数値はまだない。目標なし（モニタリング指標）。\n");
    free(s);
    /* English on request: the evaluation's explanation, reasons first */
    for (int i = 0; i < 3; i++)
        rows[i].lang = PW_LANG_EN;
    s = render(PW_FOLLOWUP_CSV, 0);
    for (int i = 0; i < 3; i++)
        rows[i].lang = PW_LANG_JA;
    assert_string_equal(
        s, "プロジェクト,区分,指標ID,指標,達成目標,令和7年度末の数値,進捗,進捗の詳細\n"
           "計画全体,output,w,支援数,360件/年,\"1,443件（速報値）\",A,"
           "\"FY2025: expected ≥ 360 per year, actual 1443 → A, ahead by 1083 (preliminary); "
           "next: FY2026 needs ≥ 360, due 2027-06-30\"\n"
           "医薬品プロジェクト,outcome,x,導出件数,650件,100件,B,"
           "\"要因分析: 公募の遅れ, 次年度に回復 / FY2025 (1/5): expected ≥ 130 of 650, actual "
           "100 → B, short by 30; needs 137.5/yr to reach 650, on pace for 500; next: FY2026 "
           "(2/5) needs ≥ 260 (160 more), due 2027-06-30\"\n"
           "医薬品プロジェクト,output,y,非臨床PoC,-,-,-,monitoring only: no figure yet\n");
    free(s);
}

static void test_md(void **state)
{
    (void)state;
    char *s = render(PW_FOLLOWUP_MD, 0);
    assert_non_null(strstr(s, "# 第3期計画 令和7年度 フォローアップ\n"));
    /* the plan's last year is its final results */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(pw_followup_write(f, pw_catalog_find_plan(cat, "p3"), 2029, rows, 3,
                                       PW_FOLLOWUP_MD), 0);
    fclose(f);
    assert_non_null(strstr(buf, "# 第3期計画 令和11年度 フォローアップ（最終結果）\n"));
    free(buf);
    char *wide = strstr(s, "## 計画全体 (Plan-wide indicators)");
    char *pj = strstr(s, "## 医薬品プロジェクト (Drugs)");
    assert_non_null(wide);
    assert_non_null(pj);
    assert_true(wide < pj);
    assert_non_null(strstr(s, "### ＜アウトカム＞ outcome"));
    assert_non_null(strstr(s, "| 指標 | 達成目標 | 令和7年度末の数値 | 進捗 | 進捗の詳細 |"));
    assert_non_null(strstr(s, "| 支援数 (Support \\| count) | 360件/年 | 1,443件（速報値） | A |"));
    free(s);
}

static void test_html(void **state)
{
    (void)state;
    struct pw_chart c;
    int32_t end = pw_day_from_ymd(2026, 3, 31);
    struct pw_obs x = {2025, PW_DEC(100), PW_BASIS_CUMULATIVE, 0, end, 0, 0};
    pw_chart_build(&c, rows[1].ind, &x, 1, end);
    rows[1].chart = &c;
    char *s = render(PW_FOLLOWUP_HTML, 0);
    rows[1].chart = NULL;
    assert_non_null(strstr(s, "<!doctype html>"));
    assert_non_null(strstr(s, "<tr data-id=\"x\" data-grade=\"B\">"));
    assert_non_null(strstr(s, "<span class=\"st st-behind\">✕ B 遅れ behind</span>"));
    assert_non_null(strstr(s, "<span class=\"ack\">要因分析: 公募の遅れ, 次年度に回復</span>"));
    assert_non_null(strstr(s, "<svg class=\"chart\""));
    assert_non_null(strstr(s, "Support | count")); /* no Markdown escaping in HTML */
    free(s);
}

/* The reasons a report gives are those recorded by its known-at instant:
 * regenerated as it was known, it says what it said then. */
static void test_acks_known_at(void **state)
{
    (void)state;
    int64_t from, to;
    pw_followup_ack_window(2025, &from, &to);
    Planwatch__V1__Ack a1 = PLANWATCH__V1__ACK__INIT, a2 = PLANWATCH__V1__ACK__INIT;
    a1.indicator_id = "x", a1.by = "pj1", a1.reason = "公募の遅れ", a1.time_ns = from + 1000;
    a2.indicator_id = "x", a2.by = "pj1", a2.reason = "後から追記", a2.time_ns = from + 2000;
    Planwatch__V1__Ack *acks[] = {&a1, &a2};
    struct pw_followup_row r[1] = {{.ind = pw_catalog_find(cat, "x")}};
    char **out = NULL;
    assert_int_equal(pw_followup_acks(r, 1, acks, 2, 2025, 0, &out), 0);
    assert_non_null(strstr(out[0], "後から追記"));
    free(out[0]);
    free(out);
    assert_int_equal(pw_followup_acks(r, 1, acks, 2, 2025, from + 1500, &out), 0);
    assert_non_null(strstr(out[0], "公募の遅れ"));
    assert_null(strstr(out[0], "後から追記"));
    free(out[0]);
    free(out);
}

static void test_formats_and_names(void **state)
{
    (void)state;
    enum pw_followup_format f;
    char b[32];
    assert_int_equal(pw_followup_format_parse("html", &f), 0);
    assert_int_equal(f, PW_FOLLOWUP_HTML);
    assert_int_equal(pw_followup_format_parse("table", &f), PW_EINVAL);
    free(render((enum pw_followup_format)7, PW_EINVAL));
    assert_string_equal(pw_followup_fy_name(2024, b, sizeof b), "令和6年度");
    assert_string_equal(pw_followup_fy_name(2019, b, sizeof b), "令和元年度");
    assert_string_equal(pw_followup_fy_name(2018, b, sizeof b), "FY2018");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_acks_known_at),
        cmocka_unit_test(test_md),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_formats_and_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
