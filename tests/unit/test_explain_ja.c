/* test_explain_ja.c - the Japanese explanation of every target model and
 * state against exact strings (cumulative, annual, above_baseline, level,
 * ratio, rolling and previous-years averages, trajectory, overdue stale and
 * per-year overdue, final achieved and not, no checkpoint yet, monitoring),
 * the status words, --lang parsing, and the golden check: plan 3 FY2025 and
 * plan 2 FY2024 rows from the sample feeds say the value and the target as
 * the seeds print them (累計158件（目標650件…, 1,443件). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "dec.h"
#include "diag.h"
#include "err.h"
#include "eval.h"
#include "explain_ja.h"
#include "feed.h"
#include "fy.h"
#include "history.h"
#include "unit_support.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p3, name: 第3期計画, start_fy: 2025, end_fy: 2029}\n"
    "  - {id: p2, name: 第2期計画, start_fy: 2020, end_fy: 2024}\n"
    "indicators:\n"
    "  - {id: cum, plan: p3, name: 導出件数, kind: output, unit: 件, reporting: cumulative,\n"
    "     source: s, target: {type: cumulative, value: 650}}\n"
    "  - {id: ann, plan: p3, name: 治験数, kind: output, unit: 件, reporting: annual,\n"
    "     source: s, target: {type: annual, value: 360}}\n"
    "  - {id: abv, plan: p3, name: 修了者数, kind: output, unit: 名, reporting: annual,\n"
    "     source: s, target: {type: above_baseline, value: 1225}}\n"
    "  - {id: lvl, plan: p3, name: 拠点数, kind: output, unit: 拠点, reporting: cumulative,\n"
    "     source: s, target: {type: level, value: 20, baseline: 10, window: [2025, 2029]}}\n"
    "  - {id: rat, plan: p3, name: 割合, kind: output, unit: '%', reporting: cumulative,\n"
    "     source: s, target: {type: ratio, value: 75}}\n"
    "  - {id: roll, plan: p3, name: 導出件数及び支援数, kind: output, unit: 件, reporting: annual,\n"
    "     source: s, target: {type: rolling_average, value: 250, years: 3}}\n"
    "  - {id: prev, plan: p3, name: 支援数, kind: output, unit: 件, reporting: annual,\n"
    "     source: s, target: {type: prev_average, years: 3, lag: 1, baseline: 1000}}\n"
    "  - {id: traj, plan: p3, name: FIH試験, kind: output, unit: 件, reporting: cumulative,\n"
    "     source: s, target: {type: trajectory, milestones: {2025: 0, 2028: 10}, window: [2025, 2028]}}\n"
    "  - {id: mon, plan: p3, name: 論文数, kind: monitoring, unit: 件, reporting: annual,\n"
    "     source: s, target: {type: none}}\n"
    "  - {id: fin, plan: p2, name: 承認件数, kind: output, unit: 件, reporting: cumulative,\n"
    "     source: s, target: {type: cumulative, value: 20}}\n";

static struct pw_catalog *cat;

static int setup(void **state)
{
    (void)state;
    return ut_catalog_load(&cat, "t.yaml", yaml);
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}

/* Evaluates indicator id on day as_of from obs[0..n) and checks the
 * Japanese explanation is exactly want. */
static void check(const char *id, const struct pw_obs *obs, size_t n, const char *as_of,
                  const char *want)
{
    const struct pw_indicator *ind = pw_catalog_find(cat, id);
    struct pw_eval e;
    char buf[PW_EXPLAIN_MAX];
    assert_non_null(ind);
    assert_int_equal(pw_eval_indicator(ind, obs, n, ut_day(as_of), &e), 0);
    pw_explain_ja(ind, &e, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "%s: got  %s\n%s: want %s\n", id, buf, id, want);
    assert_string_equal(buf, want);
    /* English is the evaluation's own explanation */
    assert_string_equal(pw_explain(ind, &e, PW_LANG_EN, buf, sizeof buf), e.explanation);
}

static struct pw_obs obs(int fy, int v, enum pw_basis b)
{
    struct pw_obs o = {fy, PW_DEC(v), b, 0, PW_NO_DAY, 0, 0};
    return o;
}
#define CUM PW_BASIS_CUMULATIVE
#define ANN PW_BASIS_ANNUAL

static void test_words(void **state)
{
    (void)state;
    enum pw_lang l = PW_LANG_EN;
    assert_string_equal(pw_explain_status_ja(PW_STATUS_ON_TRACK), "順調");
    assert_string_equal(pw_explain_status_ja(PW_STATUS_AT_RISK), "要注意");
    assert_string_equal(pw_explain_status_ja(PW_STATUS_BEHIND), "遅れ");
    assert_string_equal(pw_explain_status_ja(PW_STATUS_ACHIEVED), "達成");
    assert_string_equal(pw_explain_status_ja(PW_STATUS_NO_DATA), "データなし");
    assert_string_equal(pw_explain_status_ja(PW_STATUS_NO_TARGET), "目標なし");
    assert_string_equal(pw_explain_status_ja((enum pw_status)99), "?");
    assert_string_equal(pw_explain_status(PW_STATUS_BEHIND, PW_LANG_EN), "BEHIND");
    assert_string_equal(pw_explain_status_both(PW_STATUS_BEHIND), "遅れ behind");
    assert_int_equal(pw_lang_parse("ja", &l), 0);
    assert_int_equal(l, PW_LANG_JA);
    assert_int_equal(pw_lang_parse("en", &l), 0);
    assert_int_equal(l, PW_LANG_EN);
    assert_int_equal(pw_lang_parse("jp", &l), PW_EINVAL);
    assert_int_equal(l, PW_LANG_EN);
    assert_string_equal(pw_lang_name(PW_LANG_JA), "ja");
}

static void test_cumulative_on_track(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 158, CUM)};
    check("cum", o, 1, "2026-12-06",
          "令和7年度末時点で累計158件（目標650件、令和7年度末の目安130件、"
          "達成率122%）。順調。次は令和8年度末に260件（あと102件、"
          "期限2027-06-30）。");
}

static void test_cumulative_behind(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 100, CUM)};
    check("cum", o, 1, "2026-03-31",
          "令和7年度末時点で累計100件（目標650件、令和7年度末の目安130件、"
          "達成率77%）。遅れ。目安に30件不足。目標650件の達成には残り年平均137.5件が必要（現在のペースでは令和11年度末に500件）"
          "。次は令和8年度末に260件（あと160件、期限2027-06-30）"
          "。");
}

static void test_cumulative_achieved(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 700, CUM)};
    check("cum", o, 1, "2026-12-06",
          "令和7年度末時点で累計700件（目標650件）。達成。次の評価は令和8年度末（期限2027-06-30）"
          "。");
}

static void test_overdue_stale(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 158, CUM)};
    check("cum", o, 1, "2027-07-01",
          "令和8年度末時点で累計158件（令和7年度の数値、目標650件、"
          "令和8年度末の目安260件、達成率61%）。遅れ。目安に102件不足。"
          "目標650件の達成には残り年平均164件が必要（現在のペースでは令和11年度末に395件）"
          "。令和8年度の数値は期限2027-06-30を過ぎても未着。"
          "次は令和9年度末に390件（あと232件、期限2028-06-30）"
          "。");
}

static void test_never_reported(void **state)
{
    (void)state;
    check("cum", NULL, 0, "2026-07-01",
          "令和7年度末時点で数値なし（令和7年度に報告なし）。令和7年度の数値は期限2026-06-30を過ぎても未報告（一度も報告なし）"
          "。データなし。");
}

static void test_final_not_achieved(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2024, 10, CUM)};
    check("fin", o, 1, "2026-12-06",
          "最終：令和6年度末時点で累計10件（目標20件、達成率50%）"
          "。遅れ。目標に10件不足。");
}

static void test_final_achieved(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2024, 25, CUM)};
    check("fin", o, 1, "2026-12-06",
          "最終：令和6年度末時点で累計25件（目標20件）。達成。");
}

static void test_annual(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 1443, ANN)};
    check("ann", o, 1, "2026-12-06",
          "令和7年度は1,443件（年度目標360件以上、達成率401%）"
          "。順調。次は令和8年度に360件以上（期限2027-06-30）"
          "。");
}

static void test_annual_preliminary_behind(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 300, ANN)};
    o[0].preliminary = 1;
    check("ann", o, 1, "2026-12-06",
          "令和7年度は300件（速報値、年度目標360件以上、達成率83%）"
          "。遅れ。目標に60件不足。次は令和8年度に360件以上（期限2027-06-30）"
          "。");
}

static void test_annual_overdue(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 379, ANN)};
    check("ann", o, 1, "2027-07-01",
          "令和8年度の数値が期限2027-06-30を過ぎても未着のため評価なし。"
          "データなし。");
}

static void test_above_baseline(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 1404, ANN)};
    check("abv", o, 1, "2026-12-06",
          "令和7年度は1,404名（年度目標1,225名超、達成率115%）"
          "。順調。次は令和8年度に1,225名超（期限2027-06-30）"
          "。");
}

static void test_level(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 16, CUM)};
    check("lvl", o, 1, "2026-12-06",
          "令和7年度末時点で16拠点（目標20拠点、基準10拠点、"
          "令和7年度末の目安12拠点、達成率133%）。順調。次は令和8年度末に14拠点（達成済み、"
          "期限2027-06-30）。");
}

static void test_ratio(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 83, CUM)};
    check("rat", o, 1, "2026-12-06",
          "令和7年度末時点で83%（目標75%以上、達成率111%）"
          "。順調。次の評価は令和8年度末（期限2027-06-30）"
          "。");
}

static void test_rolling_average(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 324, ANN)};
    check("roll", o, 1, "2026-12-06",
          "令和7年度までの3年平均は324件（3年度中1年度の報告、"
          "目標は平均250件以上、達成率130%）。順調。次の評価は令和8年度末（期限2027-06-30）"
          "。");
}

static void test_prev_average(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 1443, ANN)};
    check("prev", o, 1, "2026-12-06",
          "令和7年度は1,443件（目標は令和4～6年度の平均1,000件以上、"
          "達成率144%）。順調。次の評価は令和8年度末（期限2027-06-30）"
          "。");
}

static void test_trajectory(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 0, CUM)};
    check("traj", o, 1, "2026-12-06",
          "令和7年度末時点で累計0件（目標10件、計画上の令和7年度末の目安0件）"
          "。順調。次は令和8年度末に3.33件（あと3.33件、期限2027-06-30）"
          "。");
}

static void test_no_checkpoint_yet(void **state)
{
    (void)state;
    check("cum", NULL, 0, "2026-01-01",
          "評価時点前：最初の評価は令和7年度末（5年中1年目）の数値で行う（期限2026-06-30）"
          "。データなし。");
}

static void test_monitoring(void **state)
{
    (void)state;
    struct pw_obs o[] = {obs(2025, 5585, ANN)};
    check("mon", o, 1, "2026-12-06",
          "令和7年度は5,585件。目標なし（モニタリング指標）。");
}

static void test_monitoring_no_figure(void **state)
{
    (void)state;
    check("mon", NULL, 0, "2026-12-06",
          "数値はまだない。目標なし（モニタリング指標）。");
}

/* The golden check: rows of the seeds' tables from the sample feeds, in
 * the seeds' wording of the value and the target (002:49 158件 of 650;
 * 002:57 1,443件; 002:58 379件 of 360件/年; 002:88 16拠点; 000: クラスⅢ・Ⅳ
 * 20件 / 10件, 非臨床POC 25件 / 214件, 新モダリティ 75% / 83.0%). */
static void seed_row(const struct pw_catalog *real, const struct pw_history *h, const char *id,
                     const char *as_of, const char *want)
{
    const struct pw_indicator *ind = pw_catalog_find(real, id);
    size_t k = 0;
    struct pw_eval e;
    char buf[PW_EXPLAIN_MAX];
    assert_non_null(ind);
    const struct pw_obs *o = pw_history_get(h, ind, &k);
    assert_int_equal(pw_eval_indicator(ind, o, k, ut_day(as_of), &e), 0);
    pw_explain_ja(ind, &e, buf, sizeof buf);
    if (!strstr(buf, want))
        fprintf(stderr, "%s: %s\n  lacks %s\n", id, buf, want);
    assert_non_null(strstr(buf, want));
}

static void test_golden_seeds(void **state)
{
    (void)state;
    const char *paths[] = {PW_SOURCE_DIR "/catalog/plan2.yaml", PW_SOURCE_DIR "/catalog/plan3.yaml"};
    struct pw_catalog *real = NULL;
    struct pw_diag d = {0};
    assert_int_equal(pw_catalog_load_files(&real, paths, 2, &d), 0);
    struct pw_history *h3 = ut_feed_history(real, PW_SOURCE_DIR "/catalog/feeds/plan3-fy2025.csv");
    seed_row(real, h3, "p3-out01-licensing", "2026-03-31",
             "令和7年度末時点で累計158件（目標650件、令和7年度末の目安130件、達成率122%）。順調。");
    seed_row(real, h3, "p3-out10-bridging-seeds", "2026-03-31", "令和7年度は1,443件（");
    seed_row(real, h3, "p3-out11-core-hospital-trials", "2026-03-31",
             "令和7年度は379件（年度目標360件以上、達成率105%）。順調。");
    seed_row(real, h3, "p3-out15-dual-use-sites", "2026-03-31", "令和7年度末時点で16拠点（");
    pw_history_close(&h3);
    struct pw_history *h2 = ut_feed_history(real, PW_SOURCE_DIR "/catalog/feeds/plan2-fy2024.csv");
    seed_row(real, h2, "p2-pj2-class34-approvals", "2025-03-31",
             "最終：令和6年度末時点で累計10件（目標20件、達成率50%）。遅れ。目標に10件不足。");
    seed_row(real, h2, "p2-pj1-nonclinical-poc", "2025-03-31",
             "最終：令和6年度末時点で累計214件（目標25件）。達成。");
    seed_row(real, h2, "p2-pj1-new-modality-share", "2025-03-31", "83%（目標75%以上");
    pw_history_close(&h2);
    pw_catalog_close(&real);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_golden_seeds),
        cmocka_unit_test(test_cumulative_on_track),
        cmocka_unit_test(test_cumulative_behind),
        cmocka_unit_test(test_cumulative_achieved),
        cmocka_unit_test(test_overdue_stale),
        cmocka_unit_test(test_never_reported),
        cmocka_unit_test(test_final_not_achieved),
        cmocka_unit_test(test_final_achieved),
        cmocka_unit_test(test_annual),
        cmocka_unit_test(test_annual_preliminary_behind),
        cmocka_unit_test(test_annual_overdue),
        cmocka_unit_test(test_above_baseline),
        cmocka_unit_test(test_level),
        cmocka_unit_test(test_ratio),
        cmocka_unit_test(test_rolling_average),
        cmocka_unit_test(test_prev_average),
        cmocka_unit_test(test_trajectory),
        cmocka_unit_test(test_no_checkpoint_yet),
        cmocka_unit_test(test_monitoring),
        cmocka_unit_test(test_monitoring_no_figure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
