/* test_xlsx_report.c - the follow-up report's other formats: the workbook
 * (read back with libzip: its sheets 集計 / one per project / データ, a
 * project and an indicator name, a value, the A and B cells with their
 * fills), the CSV's byte-order mark (and without it), the 途中経過 title
 * with its as-of in every format and （最終結果） for the plan's last year,
 * the PDF (%PDF-, skipped without chromium) and an absent renderer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "catalog.h"
#include "dec.h"
#include "err.h"
#include "followup.h"
#include "fy.h"
#include "pdf.h"
#include "xlsx_report.h"
#include "unit_support.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p3, name: 第3期計画, start_fy: 2025, end_fy: 2029,\n"
    "     projects: [{id: pj1, name: 医薬品プロジェクト}]}\n"
    "indicators:\n"
    "  - {id: w, plan: p3, name: 支援数, kind: output, unit: 件,\n"
    "     reporting: annual, source: s, target: {type: annual, value: 360}}\n"
    "  - {id: x, plan: p3, project: pj1, name: 導出件数, kind: outcome, unit: 件,\n"
    "     reporting: cumulative, source: s, target: {type: cumulative, value: 650}}\n"
    "  - {id: y, plan: p3, project: pj1, name: 非臨床PoC, kind: output, unit: 件,\n"
    "     reporting: cumulative, source: s, target: {type: cumulative, value: 650}}\n";

static struct pw_catalog *cat;
static const struct pw_plan *plan;
static struct pw_followup_row rows[3];

static int setup(void **state)
{
    (void)state;
    if (ut_catalog_load(&cat, "t.yaml", yaml))
        return -1;
    plan = pw_catalog_find_plan(cat, "p3");
    int32_t end = pw_day_from_ymd(2026, 3, 31);
    struct pw_obs w = {2025, PW_DEC(1443), PW_BASIS_ANNUAL, 0, end, 0, 0};
    struct pw_obs x = {2025, PW_DEC(158), PW_BASIS_CUMULATIVE, 0, end, 0, 0};
    struct pw_obs y = {2025, PW_DEC(100), PW_BASIS_CUMULATIVE, 0, end, 0, 0};
    const struct pw_obs *obs[] = {&w, &x, &y};
    const char *ids[] = {"w", "x", "y"};
    for (int i = 0; i < 3; i++) {
        rows[i].ind = pw_catalog_find(cat, ids[i]);
        pw_eval_indicator(rows[i].ind, obs[i], 1, end, &rows[i].ev);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}

static char *render(int fy, enum pw_followup_format fmt, const struct pw_followup_opts *o,
                    size_t *len, int rc_want)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(pw_followup_write_opts(f, plan, fy, rows, 3, fmt, o), rc_want);
    assert_int_equal(fclose(f), 0);
    if (len)
        *len = n;
    return buf;
}

/* The entry name of the zip in data[0..len) as a string (caller frees). */
static char *zip_entry(const char *data, size_t len, const char *name)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    assert_non_null(src);
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    assert_non_null(z);
    zip_stat_t st;
    assert_int_equal(zip_stat(z, name, 0, &st), 0);
    char *out = calloc(1, (size_t)st.size + 1);
    zip_file_t *zf = zip_fopen(z, name, 0);
    assert_non_null(zf);
    assert_int_equal(zip_fread(zf, out, st.size), (zip_int64_t)st.size);
    zip_fclose(zf);
    zip_close(z); /* frees src */
    zip_error_fini(&ze);
    return out;
}

static void test_xlsx(void **state)
{
    (void)state;
    size_t len;
    struct pw_followup_opts o = {.known_day = pw_day_from_ymd(2026, 12, 6)};
    char *x = render(2025, PW_FOLLOWUP_XLSX, &o, &len, 0);
    assert_true(len > 4 && memcmp(x, "PK\3\4", 4) == 0);
    char *wb = zip_entry(x, len, "xl/workbook.xml");
    char *s1 = strstr(wb, "name=\"集計\""), *s2 = strstr(wb, "name=\"計画全体\""),
         *s3 = strstr(wb, "name=\"医薬品プロジェクト\""), *s4 = strstr(wb, "name=\"データ\"");
    assert_true(s1 && s2 && s3 && s4 && s1 < s2 && s2 < s3 && s3 < s4);
    char *ss = zip_entry(x, len, "xl/sharedStrings.xml");
    assert_non_null(strstr(ss, "<t>第3期計画 令和7年度 フォローアップ</t>"));
    assert_non_null(strstr(ss, "<t>導出件数</t>"));
    assert_non_null(strstr(ss, "<t>158件</t>"));
    assert_non_null(strstr(ss, "<t>進捗の詳細</t>"));
    assert_non_null(strstr(ss, "<t>令和7年度末の数値</t>"));
    assert_non_null(strstr(ss, "<t>A</t>"));
    assert_non_null(strstr(ss, "<t>B</t>"));
    /* the fills: Excel's good (green) and bad (red) */
    char *styles = zip_entry(x, len, "xl/styles.xml");
    assert_non_null(strstr(styles, "FFC6EFCE"));
    assert_non_null(strstr(styles, "FFFFC7CE"));
    /* the data sheet (sheet 4) holds the numbers: 158 judged, 130 expected */
    char *data = zip_entry(x, len, "xl/worksheets/sheet4.xml");
    assert_non_null(strstr(data, "<v>158</v>"));
    assert_non_null(strstr(data, "<v>130</v>"));
    assert_non_null(strstr(data, "<v>2025</v>"));
    /* the summary counts: plan-wide 1 indicator (A); the project 2 (1 A, 1 B) */
    char *sum = zip_entry(x, len, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sum, "<v>2</v>"));
    free(sum);
    free(data);
    free(styles);
    free(ss);
    free(wb);
    free(x);
}

static void test_csv_bom(void **state)
{
    (void)state;
    struct pw_followup_opts o = {.bom = 1};
    char *s = render(2025, PW_FOLLOWUP_CSV, &o, NULL, 0);
    assert_memory_equal(s, "\xEF\xBB\xBF" "プロジェクト,区分,", 3 + strlen("プロジェクト,区分,"));
    free(s);
    o.bom = 0;
    s = render(2025, PW_FOLLOWUP_CSV, &o, NULL, 0);
    assert_true(strncmp(s, "プロジェクト,区分,", strlen("プロジェクト,区分,")) == 0);
    free(s);
    s = render(2025, PW_FOLLOWUP_CSV, NULL, NULL, 0); /* the library's default: none */
    assert_true((unsigned char)s[0] != 0xEF);
    free(s);
}

static void test_interim_and_final(void **state)
{
    (void)state;
    char title[400];
    /* FY2026 on 2026-12-06: the year is running */
    assert_true(pw_followup_interim(2026, rows, 3, pw_day_from_ymd(2026, 12, 6)));
    /* FY2025 on 2026-05-01: over, but its figures are due 2026-06-30 */
    assert_true(pw_followup_interim(2025, rows, 3, pw_day_from_ymd(2026, 5, 1)));
    assert_false(pw_followup_interim(2025, rows, 3, pw_day_from_ymd(2026, 6, 30)));
    assert_false(pw_followup_interim(2025, rows, 3, 0));
    pw_followup_title(plan, 2026, rows, 3, pw_day_from_ymd(2026, 12, 6), title, sizeof title);
    assert_string_equal(title, "第3期計画 令和8年度 フォローアップ（途中経過、2026-12-06 時点）");
    struct pw_followup_opts o = {.bom = 1, .known_day = pw_day_from_ymd(2026, 12, 6)};
    static const enum pw_followup_format fmts[] = {PW_FOLLOWUP_CSV, PW_FOLLOWUP_MD,
                                                   PW_FOLLOWUP_HTML};
    for (size_t i = 0; i < 3; i++) {
        char *s = render(2026, fmts[i], &o, NULL, 0);
        assert_non_null(strstr(s, "（途中経過、2026-12-06 時点）"));
        free(s);
    }
    char *csv = render(2026, PW_FOLLOWUP_CSV, &o, NULL, 0);
    assert_true(strncmp(csv, "\xEF\xBB\xBF第3期計画 令和8年度 フォローアップ（途中経過",
                        strlen("\xEF\xBB\xBF第3期計画 令和8年度 フォローアップ（途中経過")) == 0);
    free(csv);
    size_t len;
    char *x = render(2026, PW_FOLLOWUP_XLSX, &o, &len, 0);
    char *ss = zip_entry(x, len, "xl/sharedStrings.xml");
    assert_non_null(strstr(ss, "（途中経過、2026-12-06 時点）"));
    free(ss);
    free(x);
    /* the plan's last year, after its figures were due: 最終結果 */
    o.known_day = pw_day_from_ymd(2030, 7, 1);
    char *md = render(2029, PW_FOLLOWUP_MD, &o, NULL, 0);
    assert_non_null(strstr(md, "# 第3期計画 令和11年度 フォローアップ（最終結果）\n"));
    free(md);
    csv = render(2029, PW_FOLLOWUP_CSV, &o, NULL, 0);
    assert_non_null(strstr(csv, "フォローアップ（最終結果）\nプロジェクト,"));
    free(csv);
}

static void test_pdf(void **state)
{
    (void)state;
    char found[4096];
    if (!pw_pdf_find(found, sizeof found)) {
        skip(); /* no chromium: README says the PDF needs it */
        return;
    }
    size_t len;
    struct pw_followup_opts o = {.known_day = pw_day_from_ymd(2026, 12, 6)};
    char *p = render(2025, PW_FOLLOWUP_PDF, &o, &len, 0);
    assert_true(len > 1000);
    assert_memory_equal(p, "%PDF-", 5);
    free(p);
    /* a renderer that is not there */
    o.renderer = "/nonexistent/chromium";
    char *none = render(2025, PW_FOLLOWUP_PDF, &o, &len, PW_EUNAVAILABLE);
    assert_int_equal(len, 0);
    free(none);
}

static void test_formats(void **state)
{
    (void)state;
    enum pw_followup_format f;
    assert_int_equal(pw_followup_format_parse("xlsx", &f), 0);
    assert_int_equal(f, PW_FOLLOWUP_XLSX);
    assert_int_equal(pw_followup_format_parse("pdf", &f), 0);
    assert_string_equal(pw_followup_format_name(PW_FOLLOWUP_PDF), "pdf");
    assert_string_equal(pw_followup_format_ctype(PW_FOLLOWUP_PDF), "application/pdf");
    assert_non_null(strstr(pw_followup_format_ctype(PW_FOLLOWUP_XLSX), "spreadsheetml"));
    assert_int_equal(pw_followup_format_parse("docx", &f), PW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx),  cmocka_unit_test(test_csv_bom),
        cmocka_unit_test(test_interim_and_final), cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
