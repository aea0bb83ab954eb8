/* test_template.c - the office's template workflow through the real
 * services (store, ingest, alert, planwatch-http on loopback): GET
 * /api/v1/template and `planwatch template` give the same rows; the
 * template with its 値 column filled in feeds as it is, as CSV and as
 * .xlsx, offline (`status --feed`) and through ingest (`planwatch feed`,
 * POST /api/v1/feeds), and status shows the values. The services' clock is 2026-03-31; office
 * pj2 (write scope: project p2.pj2) owes its FY2024 (令和6年度) figures. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"

static struct hs_cluster cl;
static const char id[] = "p2-pj2-class34-approvals";

static int setup(void **state)
{
    (void)state;
    hs_curl_start(&cl, "template", "2026-03-31", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    return 0;
}

static void write_bytes(const char *path, const char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The "actual@data_fy" of id in `planwatch status ... --format json`
 * (extra: more arguments, NULL-terminated), "none" without a figure. */
static void expect_cli_status(const char *const *extra, const char *want)
{
    const char *args[16] = {"status", "--plan", "p2", "--as-of", "2025-03-31", "--format", "json"};
    size_t k = 7;
    for (size_t i = 0; extra && extra[i]; i++)
        args[k++] = extra[i];
    args[k] = NULL;
    char *out = NULL, *err = NULL, cell[64] = "";
    int rc = hs_cli(&cl, &out, &err, args);
    json_t *doc = json_loads(out, 0, NULL), *row;
    size_t i;
    json_array_foreach(doc, i, row)
    {
        json_t *a = json_object_get(row, "actual");
        if (strcmp(json_string_value(json_object_get(row, "id")), id) != 0)
            continue;
        if (!a || json_is_null(a))
            snprintf(cell, sizeof cell, "none");
        else
            snprintf(cell, sizeof cell, "%g@%lld", json_number_value(a),
                     (long long)json_integer_value(json_object_get(row, "data_fy")));
    }
    json_decref(doc);
    if (rc != 0 || strcmp(cell, want) != 0)
        fail_msg("status: exit %d, %s is '%s', expected '%s': %.400s", rc, id, cell, want, err);
    free(out);
    free(err);
}

static void cli_ok(const char *const *args, const char *err_needle)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(&cl, &out, &err, args);
    if (rc != 0 || (err_needle && !strstr(err, err_needle)))
        fail_msg("planwatch %s: exit %d: %s%s", args[0], rc, out, err);
    free(out);
    free(err);
}

/* The CSV template with value in every row's 値 column (the comma before
 * the last three empty columns). Caller frees. */
static char *fill_csv(const char *t, const char *value)
{
    char *out = malloc(strlen(t) * 2 + 64), *p = out;
    assert_non_null(out);
    for (; *t; t++) {
        *p++ = *t;
        if (*t == ',' && strncmp(t + 1, ",,,\r\n", 5) == 0) {
            memcpy(p, value, strlen(value));
            p += strlen(value);
        }
    }
    *p = '\0';
    return out;
}

/* Writes the .xlsx template b[0..n) to path with value in the 値 column
 * (F) of every data row: the first sheet's XML rewritten with libzip. */
static void fill_xlsx(const char *path, const char *b, size_t n, const char *value)
{
    static const char part[] = "xl/worksheets/sheet1.xml";
    write_bytes(path, b, n);
    int ze = 0;
    zip_t *z = zip_open(path, 0, &ze);
    assert_non_null(z);
    zip_stat_t st;
    assert_int_equal(zip_stat(z, part, 0, &st), 0);
    char *xml = calloc(1, st.size + 1);
    zip_file_t *f = zip_fopen(z, part, 0);
    assert_non_null(f);
    assert_int_equal(zip_fread(f, xml, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    char *out = malloc(st.size * 2 + 4096), *o = out;
    const char *p = xml, *row;
    int r = 0;
    while ((row = strstr(p, "</row>"))) {
        memcpy(o, p, (size_t)(row - p));
        o += row - p;
        if (++r > 1) /* row 1 is the header */
            o += sprintf(o, "<c r=\"F%d\"><v>%s</v></c>", r, value);
        memcpy(o, "</row>", 6);
        o += 6;
        p = row + 6;
    }
    strcpy(o, p);
    assert_true(r > 1);
    zip_source_t *src = zip_source_buffer(z, out, strlen(out), 0);
    assert_non_null(src);
    assert_true(zip_file_add(z, part, src, ZIP_FL_OVERWRITE) >= 0);
    assert_int_equal(zip_close(z), 0);
    free(out);
    free(xml);
}

static void test_template_csv(void **state)
{
    (void)state;
    char path[300], cli_path[300], reg[300];
    /* R6 in full width, as an office may type it */
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/template?office=pj2&fy=%EF%BC%B2%EF%BC%96",
                               NULL, NULL, NULL, NULL, 0);
    if (r.status != 200)
        fail_msg("HTTP %ld: %.400s", r.status, r.body);
    assert_string_equal(r.ctype, "text/csv; charset=utf-8");
    assert_non_null(strstr(r.headers, "template-pj2-FY2024.csv"));
    assert_memory_equal(r.body, "\xEF\xBB\xBF指標ID,指標名,単位,年度,区分,値,速報値,時点,備考\r\n",
                        strlen("\xEF\xBB\xBF指標ID,指標名,単位,年度,区分,値,速報値,時点,備考\r\n"));
    assert_non_null(strstr(r.body, "\r\np2-pj2-class34-approvals,"));
    assert_non_null(strstr(r.body, ",令和6年度,累計,,,,\r\n"));
    assert_null(strstr(r.body, "p2-pj1-")); /* outside pj2's scope */

    /* the CLI, offline from the same registry, writes the same bytes */
    snprintf(reg, sizeof reg, "%s/http-registry.yaml", cl.dir);
    snprintf(cli_path, sizeof cli_path, "%s/tpl-cli.csv", cl.dir);
    const char *tpl[] = {"template", "--office", "pj2", "--fy", "令和6年度", "--registry", reg,
                         "--out", cli_path, NULL};
    cli_ok(tpl, "rows for office 'pj2', FY2024");
    size_t len;
    char *cli_csv = hs_read_file(cli_path, &len);
    assert_int_equal(len, r.len);
    assert_memory_equal(cli_csv, r.body, len);
    free(cli_csv);

    /* unfilled it is refused row by row: the value is what is owed */
    snprintf(path, sizeof path, "%s/tpl.csv", cl.dir);
    write_bytes(path, r.body, r.len);
    const char *offline[] = {"--feed", path, NULL};
    char *out = NULL, *err = NULL;
    const char *st[] = {"status", "--feed", path, NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, st), 1);
    assert_non_null(strstr(err, "value: required, but empty [PW_EFEED_MISSING]"));
    free(out);
    free(err);

    char *filled = fill_csv(r.body, "7");
    write_bytes(path, filled, strlen(filled));
    free(filled);
    hs_curl_free(&r);
    expect_cli_status(offline, "7@2024");
    expect_cli_status(NULL, "none"); /* nothing stored yet */
    const char *feed[] = {"feed", path, NULL};
    cli_ok(feed, NULL);
    expect_cli_status(NULL, "7@2024");
}

static void test_template_xlsx(void **state)
{
    (void)state;
    char path[300];
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/template?office=pj2&fy=2024&format=xlsx",
                               NULL, NULL, NULL, NULL, 0);
    if (r.status != 200)
        fail_msg("HTTP %ld: %.400s", r.status, r.body);
    assert_string_equal(r.ctype, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_memory_equal(r.body, "PK\x03\x04", 4);
    snprintf(path, sizeof path, "%s/tpl.xlsx", cl.dir);
    fill_xlsx(path, r.body, r.len, "9");
    const char *offline[] = {"--feed", path, NULL};
    expect_cli_status(offline, "9@2024");
    const char *feed[] = {"feed", path, NULL};
    cli_ok(feed, NULL);
    expect_cli_status(NULL, "9@2024");
    /* the same workbook with 10 through the HTTP door */
    size_t len;
    fill_xlsx(path, r.body, r.len, "10");
    hs_curl_free(&r);
    char *x = hs_read_file(path, &len);
    r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_PJ2,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL, x, len);
    free(x);
    if (r.status != 200)
        fail_msg("POST xlsx: HTTP %ld: %.400s", r.status, r.body);
    hs_curl_free(&r);
    expect_cli_status(NULL, "10@2024");
    /* a case-only slip is taken, with a warning from ingest */
    snprintf(path, sizeof path, "%s/case.csv", cl.dir);
    static const char csv[] = "指標ID,年度,値\nP2-PJ2-CLASS34-APPROVALS,ＦＹ２０２４,11\n";
    write_bytes(path, csv, strlen(csv));
    cli_ok(feed, "[PW_WFEED_IDCASE]");
    expect_cli_status(NULL, "11@2024");
    /* the HTTP door checks a case-only slip's scope like the exact id's */
    static const char other[] = "指標ID,年度,値\nP3-OUT01-LICENSING,2025,1\n";
    r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_PJ2, "text/csv", NULL, other,
                strlen(other));
    if (!r.body || !strstr(r.body, "PW_EFORBIDDEN"))
        fail_msg("POST outside the scope: HTTP %ld: %.400s", r.status, r.body);
    hs_curl_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_csv),
        cmocka_unit_test(test_template_xlsx),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
