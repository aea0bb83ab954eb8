/* test_formats.c - the report formats people paste (README "HTTP door,
 * dashboard and the follow-up report"), through the real CLI and
 * planwatch-http with the seeds' FY2025 figures on 2026-12-06: the xlsx
 * opens (read back with unzip: its sheets, a project and an indicator name,
 * 158, an A) and can be published; the CSV starts with a UTF-8 BOM unless
 * --no-bom / bom=false; the PDF starts with %PDF- (skipped with a message
 * without chromium); the FY2026 report on 2026-12-06 says 途中経過 and its
 * as-of, in every format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"
#include "pdf.h"

static struct hs_cluster cl;

/* Runs the CLI; asserts its exit status; returns its stdout (caller frees). */
static char *cli(int want, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(&cl, &out, &err, args);
    if (rc != want)
        fail_msg("planwatch %s: exit %d, expected %d: %s%s", args[0], rc, want, out, err);
    free(err);
    return out;
}

/* Runs the CLI with its stdout in the file path (binary formats); asserts
 * exit status 0. */
static void cli_file(const char *const *args, const char *path)
{
    int st = hs_cli_file(&cl, path, args);
    if (st != 0)
        fail_msg("planwatch %s > %s: exit %d", args[0], path, st);
}

/* `unzip -p path entry` (caller frees). */
static char *unzip_entry(const char *path, const char *entry)
{
    char cmd[1200], *out = NULL;
    size_t len = 0;
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s'", path, entry);
    FILE *p = popen(cmd, "r"), *m = open_memstream(&out, &len);
    assert_non_null(p);
    assert_non_null(m);
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0)
        fwrite(buf, 1, k, m);
    if (pclose(p) != 0)
        fail_msg("%s failed", cmd);
    fclose(m);
    return out;
}

static void save(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void check_workbook(const char *path)
{
    char *wb = unzip_entry(path, "xl/workbook.xml");
    char *sum = strstr(wb, "name=\"集計\""), *all = strstr(wb, "name=\"計画全体\""),
         *pj1 = strstr(wb, "name=\"医薬品プロジェクト\""), *data = strstr(wb, "name=\"データ\"");
    if (!(sum && all && pj1 && data && sum < all && all < pj1 && pj1 < data))
        fail_msg("sheets: %s", wb);
    char *ss = unzip_entry(path, "xl/sharedStrings.xml");
    assert_non_null(strstr(ss, "権利譲渡契約・実施許諾契約・共同研究開発契約件数"));
    assert_non_null(strstr(ss, "<t>158件</t>"));
    assert_non_null(strstr(ss, "<t>A</t>"));
    assert_non_null(strstr(ss, "<t>進捗の詳細</t>"));
    free(ss);
    free(wb);
}

static void test_xlsx(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/report.xlsx", cl.dir);
    const char *args[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "xlsx", NULL};
    cli_file(args, path);
    check_workbook(path);

    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/report?plan=p3&fy=2025&format=xlsx", NULL,
                               NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "spreadsheetml.sheet"));
    assert_true(r.len > 4 && memcmp(r.body, "PK\3\4", 4) == 0);
    snprintf(path, sizeof path, "%s/http.xlsx", cl.dir);
    save(path, r.body, r.len);
    hs_curl_free(&r);
    check_workbook(path);

    /* published: kept byte for byte and served as xlsx */
    const char *pub[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "xlsx",
                         "--publish", "--by", "田中", NULL};
    char *id = cli(0, pub);
    char url[80];
    snprintf(url, sizeof url, "/api/v1/reports/%ld", strtol(id, NULL, 10));
    free(id);
    r = hs_curl(&cl, "GET", url, NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "spreadsheetml.sheet"));
    snprintf(path, sizeof path, "%s/published.xlsx", cl.dir);
    save(path, r.body, r.len);
    hs_curl_free(&r);
    check_workbook(path);
}

static void test_csv_bom(void **state)
{
    (void)state;
    const char *bom[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "csv", NULL};
    char *out = cli(0, bom);
    assert_memory_equal(out, "\xEF\xBB\xBFプロジェクト,", 3 + strlen("プロジェクト,"));
    assert_non_null(strstr(out, ",p3-out01-licensing,"));
    free(out);
    const char *nobom[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "csv",
                           "--no-bom", NULL};
    out = cli(0, nobom);
    assert_true(strncmp(out, "プロジェクト,", strlen("プロジェクト,")) == 0);
    free(out);
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/report?plan=p3&fy=2025&format=csv", NULL,
                               NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "\xEF\xBB\xBF", 3);
    hs_curl_free(&r);
    r = hs_curl(&cl, "GET", "/api/v1/report?plan=p3&fy=2025&format=csv&bom=false", NULL, NULL,
                NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.body, "プロジェクト,", strlen("プロジェクト,")) == 0);
    hs_curl_free(&r);
    r = hs_curl(&cl, "GET", "/api/v1/report?plan=p3&fy=2025&format=csv&bom=maybe", NULL, NULL,
                NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    hs_curl_free(&r);
}

static void test_interim(void **state)
{
    (void)state;
    static const char *const fmts[] = {"md", "html", "csv"};
    for (size_t i = 0; i < 3; i++) {
        const char *args[] = {"report", "--plan", "p3", "--fy", "2026", "--format", fmts[i], NULL};
        char *out = cli(0, args);
        if (!strstr(out, "フォローアップ（途中経過、2026-12-06 時点）"))
            fail_msg("--format %s: no 途中経過: %.300s", fmts[i], out);
        free(out);
    }
    /* FY2025 is over and its figures were due 2026-06-30: no mark */
    const char *done[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "md", NULL};
    char *out = cli(0, done);
    assert_null(strstr(out, "途中経過"));
    free(out);
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/report?plan=p3&fy=2026&format=md", NULL,
                               NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "（途中経過、2026-12-06 時点）"));
    hs_curl_free(&r);
    /* plan 2 ended with FY2024: its report is the final one */
    r = hs_curl(&cl, "GET", "/api/v1/report?plan=p2&fy=2024&format=md", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "フォローアップ（最終結果）\n"));
    hs_curl_free(&r);
}

static void test_pdf(void **state)
{
    (void)state;
    char found[4096], path[600];
    if (!pw_pdf_find(found, sizeof found)) {
        print_message("test_pdf: skipped: no chromium on this machine (README: the PDF needs "
                      "chromium and fonts-noto-cjk)\n");
        skip();
        return;
    }
    snprintf(path, sizeof path, "%s/report.pdf", cl.dir);
    const char *args[] = {"report", "--plan", "p3", "--fy", "2025", "--format", "pdf", NULL};
    cli_file(args, path);
    size_t len = 0;
    char *pdf = hs_read_file(path, &len);
    assert_non_null(pdf);
    assert_true(len > 1000);
    assert_memory_equal(pdf, "%PDF-", 5);
    free(pdf);
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/report?plan=p3&fy=2025&format=pdf", NULL,
                               NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.ctype, "application/pdf");
    assert_memory_equal(r.body, "%PDF-", 5);
    hs_curl_free(&r);
}

static int setup(void **state)
{
    (void)state;
    hs_curl_start(&cl, "formats", "2026-12-06", NULL);
    const char *args[] = {"feed", hs_src("catalog/feeds/plan3-fy2025.csv"), NULL};
    free(cli(0, args));
    const char *p2[] = {"feed", hs_src("catalog/feeds/plan2-fy2024.csv"), NULL};
    free(cli(0, p2));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_csv_bom),
        cmocka_unit_test(test_interim),
        cmocka_unit_test(test_pdf),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
