/* test_golden.c - the acceptance tests from the seeds: the plans' catalogs
 * with the sample feeds must give the grades the documents imply.
 *  - plan 2 at 2023-03-31 (FY2022 feed) and 2025-03-31 (FY2024 feed):
 *    tests/golden/plan2-expected.csv, worked out by hand with the linear rule;
 *  - plan 3 at 2026-03-31 (FY2025 feed) against the document's own A/B
 *    column: tests/golden/plan3-expected.csv, where every row whose
 *    document grade differs from the linear rule names the difference, and
 *    the grade shown (computed, or the secretariat's assessment from
 *    catalog/feeds/plan3-fy2025-assessments.csv) is EVERY grade printed;
 *  - the same grades on every day until the next checkpoint, and plan 2's
 *    final results on any day after it ended. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assess.h"
#include "catalog.h"
#include "dec.h"
#include "eval.h"
#include "feed.h"
#include "fy.h"
#include "history.h"
#include "unit_support.h"

static struct pw_catalog *cat;

static int setup(void **state)
{
    (void)state;
    const char *paths[] = {PW_SOURCE_DIR "/catalog/plan2.yaml", PW_SOURCE_DIR "/catalog/plan3.yaml"};
    struct pw_diag d = {0};
    int rc = pw_catalog_load_files(&cat, paths, 2, &d);
    if (rc)
        fprintf(stderr, "%s:%d %s: %s\n", d.file, d.line, d.field, d.msg);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}

/* Splits a CSV line without quoted fields into at most n fields; fields
 * the line does not have are "". */
static int split(char *line, char **f, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        f[i] = "";
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; k < n; k++) {
        f[k] = p;
        char *c = strchr(p, ',');
        if (!c)
            return k + 1;
        *c = '\0';
        p = c + 1;
    }
    return k;
}

static void test_plan2(void **state)
{
    (void)state;
    FILE *fp = fopen(PW_SOURCE_DIR "/tests/golden/plan2-expected.csv", "r");
    assert_non_null(fp);
    struct pw_history *h22 = ut_feed_history(cat, PW_SOURCE_DIR "/catalog/feeds/plan2-fy2022.csv");
    struct pw_history *h24 = ut_feed_history(cat, PW_SOURCE_DIR "/catalog/feeds/plan2-fy2024.csv");
    char line[1024], *f[8] = {0};
    int rows = 0, bs = 0;
    assert_non_null(fgets(line, sizeof line, fp)); /* header */
    while (fgets(line, sizeof line, fp)) {
        /* indicator_id,as_of,target,expected,actual,grade,status */
        assert_int_equal(split(line, f, 8), 7);
        const struct pw_indicator *ind = pw_catalog_find(cat, f[0]);
        assert_non_null(ind);
        int32_t as_of;
        assert_int_equal(pw_day_parse(f[1], &as_of), 0);
        struct pw_history *h = pw_fy_of(as_of) == 2022 ? h22 : h24;
        size_t n;
        const struct pw_obs *o = pw_history_get(h, ind, &n);
        struct pw_eval e;
        assert_int_equal(pw_eval_indicator(ind, o, n, as_of, &e), 0);
        int64_t expected, actual;
        assert_int_equal(pw_dec_parse(f[3], strlen(f[3]), &expected), 0);
        assert_int_equal(pw_dec_parse(f[4], strlen(f[4]), &actual), 0);
        if (e.expected != expected || e.actual != actual || e.grade != f[5][0] ||
            strcmp(pw_status_name(e.status), f[6]) != 0)
            fail_msg("%s at %s: got %s grade %c (%s), golden %s grade %s", f[0], f[1],
                     pw_status_name(e.status), e.grade, e.explanation, f[6], f[5]);
        rows++;
        bs += e.grade == 'B';
    }
    fclose(fp);
    assert_true(rows >= 70);
    assert_true(bs == 7); /* 3 at FY2022, 4 at FY2024: see the golden file */
    pw_history_close(&h22);
    pw_history_close(&h24);
}

static void test_plan3(void **state)
{
    (void)state;
    FILE *fp = fopen(PW_SOURCE_DIR "/tests/golden/plan3-expected.csv", "r");
    assert_non_null(fp);
    struct pw_history *h = ut_feed_history(cat, PW_SOURCE_DIR "/catalog/feeds/plan3-fy2025.csv");
    int32_t as_of = pw_day_from_ymd(2026, 3, 31);
    char line[2048], *f[4] = {0};
    int rows = 0, differ = 0, assessed = 0;
    struct pw_assess_rec *as = NULL;
    size_t nas = 0;
    struct pw_diag d = {0};
    FILE *af = fopen(PW_SOURCE_DIR "/catalog/feeds/plan3-fy2025-assessments.csv", "r");
    assert_non_null(af);
    if (pw_assess_read(af, "plan3-fy2025-assessments.csv", cat, &as, &nas, &d))
        fail_msg("assessments: line %d %s: %s", d.line, d.field, d.msg);
    fclose(af);
    assert_non_null(fgets(line, sizeof line, fp));
    while (fgets(line, sizeof line, fp)) {
        /* indicator_id,doc_grade,linear_grade,note (the note may hold commas) */
        assert_true(split(line, f, 4) >= 3);
        const struct pw_indicator *ind = pw_catalog_find(cat, f[0]);
        assert_non_null(ind);
        size_t n;
        const struct pw_obs *o = pw_history_get(h, ind, &n);
        struct pw_eval e;
        assert_int_equal(pw_eval_indicator(ind, o, n, as_of, &e), 0);
        if (e.grade != f[2][0])
            fail_msg("%s: planwatch grade %c (%s), linear rule by hand %s", f[0], e.grade,
                     e.explanation, f[2]);
        if (strcmp(f[1], f[2]) != 0) {
            /* the document departs from the linear rule: the reason is written down */
            assert_true(strlen(f[3]) > 10);
            differ++;
        }
        const struct pw_assess_rec *a = pw_assess_find(as, nas, ind->id, 2025);
        char shown = pw_eval_grade_shown(&e, a ? &a->as : NULL);
        if (shown != f[1][0])
            fail_msg("%s: shown grade %c (computed %c%s), the document prints %s", f[0], shown,
                     e.grade, a ? ", assessed" : "", f[1]);
        assessed += a && pw_assessment_applies(&a->as, &e);
        rows++;
    }
    fclose(fp);
    free(as);
    assert_int_equal(assessed, 2); /* 16) and 19), both assessed A with their seed lines */
    assert_int_equal(rows, 21);  /* output indicators 1)-21) */
    assert_int_equal(differ, 2); /* 16) holistic A; 19) no numeric target */
    pw_history_close(&h);
}

/* The golden calendar: the plan-3 FY2025 figures judged on every day from
 * 2026-03-31 to 2027-06-30 give the grades of plan3-expected.csv (the
 * linear-rule column: 16 and 19 are the secretariat's own assessment); the
 * day after FY2026's deadline, with no FY2026 figure, every output is overdue
 * and judged at the FY2026 checkpoint (stock targets on their FY2025 figure,
 * per-year ones without a grade). */
static void test_plan3_calendar(void **state)
{
    (void)state;
    FILE *fp = fopen(PW_SOURCE_DIR "/tests/golden/plan3-expected.csv", "r");
    assert_non_null(fp);
    struct pw_history *h = ut_feed_history(cat, PW_SOURCE_DIR "/catalog/feeds/plan3-fy2025.csv");
    char line[2048], *f[4] = {0};
    const struct pw_indicator *inds[32];
    char grades[32];
    int n = 0;
    assert_non_null(fgets(line, sizeof line, fp));
    while (fgets(line, sizeof line, fp) && n < 32) {
        assert_true(split(line, f, 4) >= 3);
        assert_non_null(inds[n] = pw_catalog_find(cat, f[0]));
        grades[n++] = f[2][0];
    }
    fclose(fp);
    assert_int_equal(n, 21);
    int32_t first = pw_day_from_ymd(2026, 3, 31), last = pw_day_from_ymd(2027, 6, 30);
    int days = 0;
    for (int32_t d = first; d <= last; d++, days++)
        for (int i = 0; i < n; i++) {
            size_t k;
            const struct pw_obs *o = pw_history_get(h, inds[i], &k);
            struct pw_eval e;
            assert_int_equal(pw_eval_status(inds[i], o, k, d, &e), 0);
            /* 14) has no FY2025 figure: not judged until its deadline, then overdue */
            int none = k == 0, late = d > pw_due_day(inds[i], 2025);
            int fy_ok = e.cp.fy == (none && !late ? 0 : 2025);
            if (e.grade != grades[i] || !fy_ok || e.cp.overdue != (none && late)) {
                char b[11];
                pw_eval_indicator(inds[i], o, k, d, &e);
                fail_msg("%s on %s: grade %c (%s), golden %c", inds[i]->id, pw_day_format(d, b),
                         e.grade, e.explanation, grades[i]);
            }
        }
    assert_int_equal(days, 457);
    int32_t after = pw_day_from_ymd(2027, 7, 1);
    int graded = 0, ungraded = 0;
    for (int i = 0; i < n; i++) {
        size_t k;
        const struct pw_obs *o = pw_history_get(h, inds[i], &k);
        struct pw_eval e;
        assert_int_equal(pw_eval_indicator(inds[i], o, k, after, &e), 0);
        assert_int_equal(e.cp.fy, 2026);
        assert_true(e.cp.overdue);
        assert_non_null(strstr(e.explanation, "FY2026 figure was due 2027-06-30"));
        enum pw_target_type ty = inds[i]->target.type;
        int stock = ty == PW_TARGET_CUMULATIVE || ty == PW_TARGET_LEVEL ||
                    ty == PW_TARGET_TRAJECTORY || ty == PW_TARGET_RATIO;
        if ((e.grade != '-') != (stock && k > 0))
            fail_msg("%s on 2027-07-01: grade %c (%s)", inds[i]->id, e.grade, e.explanation);
        graded += e.grade != '-';
        ungraded += e.grade == '-';
    }
    /* the 13 cumulative, level and trajectory targets, on their stale figure */
    assert_int_equal(graded, 13);
    /* annual (14) among them), above_baseline, the averages and 19) */
    assert_int_equal(ungraded, 8);
    pw_history_close(&h);
}

/* Plan 2 ended with FY2024: on any day after, its results are the final
 * FY2024 ones of plan2-expected.csv, labelled final, with nothing overdue
 * for a later year. */
static void test_plan2_closed(void **state)
{
    (void)state;
    FILE *fp = fopen(PW_SOURCE_DIR "/tests/golden/plan2-expected.csv", "r");
    assert_non_null(fp);
    struct pw_history *h = ut_feed_history(cat, PW_SOURCE_DIR "/catalog/feeds/plan2-fy2024.csv");
    char line[1024], *f[8] = {0};
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, fp));
    while (fgets(line, sizeof line, fp)) {
        assert_int_equal(split(line, f, 8), 7);
        if (strcmp(f[1], "2025-03-31") != 0)
            continue;
        const struct pw_indicator *ind = pw_catalog_find(cat, f[0]);
        assert_non_null(ind);
        size_t n;
        const struct pw_obs *o = pw_history_get(h, ind, &n);
        for (int32_t d = pw_day_from_ymd(2025, 3, 31); d <= pw_day_from_ymd(2031, 3, 31); d += 7) {
            struct pw_eval e;
            assert_int_equal(pw_eval_status(ind, o, n, d, &e), 0);
            assert_true(e.cp.final);
            assert_int_equal(e.cp.fy, 2024);
            assert_false(e.cp.overdue);
            if (e.grade != f[5][0] || strcmp(pw_status_name(e.status), f[6]) != 0)
                fail_msg("%s: %s grade %c, golden %s %s", f[0], pw_status_name(e.status),
                         e.grade, f[6], f[5]);
        }
        struct pw_eval e;
        assert_int_equal(pw_eval_indicator(ind, o, n, pw_day_from_ymd(2026, 12, 6), &e), 0);
        assert_true(strncmp(e.explanation, "final FY2024", 12) == 0);
        rows++;
    }
    fclose(fp);
    assert_true(rows >= 35);
    pw_history_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan2),
        cmocka_unit_test(test_plan3),
        cmocka_unit_test(test_plan3_calendar),
        cmocka_unit_test(test_plan2_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
