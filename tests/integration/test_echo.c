/* test_echo.c - text from outside never reaches the terminal raw (README
 * "Limits"): a feed whose indicator id carries an escape sequence (ESC[31m),
 * a NUL and a byte that is not UTF-8 goes through the real CLI, ingest and
 * store. The row ingest rejects comes back with the id escaped in its reason,
 * the rows the CLI rejects name their row and column with the value escaped,
 * the good row is stored, and no output of `planwatch feed` (table, csv,
 * json) holds a control character or a byte that is not UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "text.h"

static struct hs_cluster cl;
static char feed_path[600];

/* Runs the CLI, asserts its exit status; *out and *err: what it printed
 * (caller frees). */
static void cli(int want, const char *const *args, char **out, char **err)
{
    int rc = hs_cli(&cl, out, err, args);
    if (rc != want) {
        hs_dump_logs(&cl);
        fail_msg("planwatch %s: exit %d, expected %d: %s%s", args[0], rc, want, *out, *err);
    }
}

/* Printable: UTF-8 without control characters but line breaks. */
static void assert_printable(const char *what, const char *s)
{
    for (const char *p = s; *p; p++)
        if (*p != '\n' && !pw_text_clean(p, 1) && (unsigned char)*p < 0x80)
            fail_msg("%s holds control character 0x%02x at %zu: %s", what, (unsigned char)*p,
                     (size_t)(p - s), s);
    if (!pw_text_clean(s, strlen(s)))
        fail_msg("%s is not clean UTF-8: %s", what, s);
}

static int setup(void **state)
{
    (void)state;
    hs_init(&cl, "echo", "2026-12-06");
    hs_start(&cl, HS_STORE);
    hs_start(&cl, HS_INGEST);
    static const char csv[] = "indicator_id,fiscal_year,value,note\n"
                              "\x1b[31mp3-out01-licensing,2025,1,\n"
                              "p3-out01-licensing,2025,158,速報値\n"
                              "p3-out01-licensing,2025,2,ab\0cd\x1b[2J\n"
                              "p3-out01-licensing,2025,3,caf\xe9\n";
    snprintf(feed_path, sizeof feed_path, "%s/echo.csv", cl.dir);
    FILE *f = fopen(feed_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(csv, 1, sizeof csv - 1, f), sizeof csv - 1);
    assert_int_equal(fclose(f), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_fini(&cl);
    return 0;
}

static void test_feed_table(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    const char *args[] = {"feed", feed_path, NULL};
    cli(1, args, &out, &err);
    assert_printable("stdout", out);
    assert_printable("stderr", err);
    /* ingest's reason, the id escaped */
    assert_non_null(strstr(out, "row 2: indicator_id: no indicator '\\x1b[31mp3-out01-licensing'"));
    /* the CLI's own: row, column, the value whole */
    assert_non_null(strstr(out, "row 4: note: a NUL byte at byte 3 of the field: "
                                "'ab\\x00cd\\x1b[2J' [PW_EFEED_VALUE]"));
    assert_non_null(strstr(out, "row 5: note: a byte that is not UTF-8 (\\xe9) at byte 4 of the "
                                "field: 'caf\\xe9' [PW_EFEED_ENCODING]"));
    assert_non_null(strstr(out, "1 accepted, 0 duplicates, 3 rejected"));
    free(out);
    free(err);
}

static void test_feed_csv_json(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    const char *csv[] = {"feed", feed_path, "--format", "csv", NULL};
    cli(1, csv, &out, &err);
    assert_printable("csv", out);
    assert_printable("stderr", err);
    /* the id column as the file had it, escaped */
    assert_non_null(strstr(out, ",2,\\x1b[31mp3-out01-licensing,"));
    assert_non_null(strstr(out, ",3,p3-out01-licensing,"));
    free(out);
    free(err);
    const char *json[] = {"feed", feed_path, "--format", "json", NULL};
    cli(1, json, &out, &err);
    assert_printable("json", out);
    assert_non_null(strstr(out, "no indicator '\\\\x1b[31mp3-out01-licensing'"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_table),
        cmocka_unit_test(test_feed_csv_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
