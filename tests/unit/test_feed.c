/* test_feed.c - CSV and JSON feeds: what parses into which row, every
 * PW_EFEED_* rejection with its exact row and column, partial success and
 * pw_feed_validate on its own. The catalog is a small inline plan FY2020-2024;
 * "today" is 2025-06-01 unless a test says otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>
#include <unistd.h>

#include "catalog.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "feed.h"
#include "file.h"
#include "fy.h"
#include "template.h"
#include "text.h"
#include "unit_support.h"

#include <jansson.h>

#include <xlsxwriter.h>

static const char cat_yaml[] = "version: 1\n"
                               "plans:\n"
                               "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024}\n"
                               "indicators:\n"
                               "  - id: cum\n"
                               "    plan: p2\n"
                               "    name: 累計\n"
                               "    kind: output\n"
                               "    unit: 件\n"
                               "    reporting: cumulative\n"
                               "    source: s\n"
                               "    target: {type: cumulative, value: 25}\n"
                               "  - id: pct\n"
                               "    plan: p2\n"
                               "    name: 割合\n"
                               "    kind: outcome\n"
                               "    unit: \"%\"\n"
                               "    reporting: annual\n"
                               "    source: s\n"
                               "    target: {type: ratio, value: 50}\n"
                               "  - id: ann\n"
                               "    plan: p2\n"
                               "    name: 単年度\n"
                               "    kind: output\n"
                               "    unit: 件\n"
                               "    reporting: annual\n"
                               "    source: s\n"
                               "    target: {type: annual, value: 3}\n"
                               "  - id: prev\n"
                               "    plan: p2\n"
                               "    name: 前年度平均\n"
                               "    kind: output\n"
                               "    unit: 件\n"
                               "    reporting: annual\n"
                               "    source: s\n"
                               "    target: {type: prev_average, years: 3}\n";

#define HDR "indicator_id,fiscal_year,value,basis,preliminary,as_of,note,update_id\n"

static int32_t today(void)
{
    return pw_day_from_ymd(2025, 6, 1);
}

static int setup(void **state)
{
    struct pw_catalog *c = NULL;
    if (ut_catalog_load(&c, "feed-test.yaml", cat_yaml))
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct pw_catalog *c = *state;
    pw_catalog_close(&c);
    return 0;
}

static struct pw_feed *parse_n(const struct pw_catalog *cat, const char *text, size_t len,
                               enum pw_feed_format fmt, int32_t day)
{
    struct pw_feed *f = NULL;
    assert_int_equal(pw_feed_parse(&f, cat, "t.feed", text, len, fmt, day), 0);
    assert_non_null(f);
    return f;
}

static struct pw_feed *parse(void **state, const char *text, enum pw_feed_format fmt)
{
    return parse_n(*state, text, strlen(text), fmt, today());
}

static void dump_errors(const struct pw_feed *f)
{
    char buf[700];
    for (size_t i = 0; i < pw_feed_nerrors(f); i++)
        print_message("  %s\n", pw_diag_format(pw_feed_error(f, i), "row", buf, sizeof buf));
}

/* What a parse left behind, copied so the feed can be closed before any
 * assertion fails (a failing test should not also leak). */
struct outcome {
    size_t nerrors, nrows, nrejected;
    struct pw_diag first; /* code 0: no error */
};

static struct outcome outcome_of(const struct pw_feed *f)
{
    struct outcome o = {pw_feed_nerrors(f), pw_feed_nrows(f), pw_feed_nrejected(f), {0}};
    if (o.nerrors)
        o.first = *pw_feed_error(f, 0);
    return o;
}

/* Asserts exactly one error: code at row, in field (NULL: any). */
static void check_one(const struct outcome *o, int code, int row, const char *field)
{
    const struct pw_diag *d = &o->first;
    if (o->nerrors != 1 || d->code != code || d->line != row ||
        (field && strcmp(d->field, field) != 0)) {
        char buf[700];
        print_message("want %s at row %d field '%s', got %zu error(s), the first: %s\n",
                      pw_errname(code), row, field ? field : "*", o->nerrors,
                      o->nerrors ? pw_diag_format(d, "row", buf, sizeof buf) : "-");
    }
    assert_int_equal(o->nerrors, 1);
    assert_int_equal(d->code, code);
    assert_int_equal(d->line, row);
    if (field)
        assert_string_equal(d->field, field);
    assert_string_equal(d->file, "t.feed");
    assert_true(d->msg[0] != '\0');
}

static void expect_one(const struct pw_feed *f, int code, int row, const char *field)
{
    struct outcome o = outcome_of(f);
    check_one(&o, code, row, field);
    assert_null(pw_feed_error(f, 1));
}

/* Parses text and asserts its only data row is rejected with code at row. */
static void row_err(void **state, const char *text, enum pw_feed_format fmt, int row, int code,
                    const char *field)
{
    struct pw_feed *f = parse(state, text, fmt);
    struct outcome o = outcome_of(f);
    pw_feed_close(&f);
    check_one(&o, code, row, field);
    assert_int_equal(o.nrows, 0);
    assert_int_equal(o.nrejected, 1);
}

/* One CSV data row under the full header (so it is row 2). */
static void csv_row_err(void **state, const char *line, int code, const char *field)
{
    char buf[4096];
    snprintf(buf, sizeof buf, HDR "%s\n", line);
    row_err(state, buf, PW_FEED_CSV, 2, code, field);
}

/* One JSON object in an array (row 1). */
static void json_row_err(void **state, const char *obj, int code, const char *field)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "[%s]", obj);
    row_err(state, buf, PW_FEED_JSON, 1, code, field);
}

/* ---- CSV happy paths ------------------------------------------------------- */

static void test_csv_all_columns(void **state)
{
    /* columns in any order, header names case- and space-insensitive */
    static const char csv[] =
        "value,note,Indicator_ID,as_of, fiscal_year ,update_id,preliminary,basis\n"
        "12,first,cum,2023-03-31,2022,u-1,false,cumulative\n"
        "\"1,443\",\"a, b\",cum,,令和4,,true,annual\n"
        "5,,cum,,R4,,1,\n"
        "１２,,cum,,FY2022,x.y:z_1,0,累計\n"
        "7.25,,pct,,２０２２,,速報値,単年度\n"
        "8,  spaced  ,ann,2025-05-31,令和6年度,,確定値,\n";
    struct pw_feed *f = parse(state, csv, PW_FEED_CSV);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrejected(f), 0);
    assert_int_equal(pw_feed_nrows(f), 6);
    assert_null(pw_feed_row(f, 6));

    const struct pw_feed_row *r = pw_feed_row(f, 0);
    assert_int_equal(r->row, 2);
    assert_string_equal(r->indicator_id, "cum");
    assert_int_equal(r->fy, 2022);
    assert_int_equal(r->value, PW_DEC(12));
    assert_int_equal(r->basis, PW_BASIS_CUMULATIVE);
    assert_int_equal(r->preliminary, 0);
    assert_int_equal(r->as_of, pw_day_from_ymd(2023, 3, 31));
    assert_string_equal(r->note, "first");
    assert_string_equal(r->update_id, "u-1");

    r = pw_feed_row(f, 1);
    assert_int_equal(r->row, 3);
    assert_int_equal(r->value, PW_DEC(1443)); /* thousands separator, quoted */
    assert_string_equal(r->note, "a, b");     /* comma inside quotes */
    assert_int_equal(r->fy, 2022);            /* 令和4 */
    assert_int_equal(r->basis, PW_BASIS_ANNUAL);
    assert_int_equal(r->preliminary, 1);
    assert_int_equal(r->as_of, PW_NO_DAY);
    assert_string_equal(r->update_id, "");

    r = pw_feed_row(f, 2);
    assert_int_equal(r->fy, 2022); /* R4 */
    assert_int_equal(r->preliminary, 1);
    assert_int_equal(r->basis, -1); /* empty: the indicator's own basis */
    assert_string_equal(r->note, "");

    r = pw_feed_row(f, 3);
    assert_int_equal(r->value, PW_DEC(12)); /* full-width digits */
    assert_int_equal(r->fy, 2022);          /* FY2022 */
    assert_int_equal(r->basis, PW_BASIS_CUMULATIVE);
    assert_int_equal(r->preliminary, 0);
    assert_string_equal(r->update_id, "x.y:z_1");

    r = pw_feed_row(f, 4);
    assert_string_equal(r->indicator_id, "pct");
    assert_int_equal(r->value, PW_DEC(29) / 4);
    assert_int_equal(r->fy, 2022); /* full-width year */
    assert_int_equal(r->preliminary, 1);
    assert_int_equal(r->basis, PW_BASIS_ANNUAL);

    r = pw_feed_row(f, 5);
    assert_int_equal(r->fy, 2024);
    assert_string_equal(r->note, "spaced"); /* trimmed */
    assert_int_equal(r->preliminary, 0);
    assert_int_equal(r->as_of, pw_day_from_ymd(2025, 5, 31));
    pw_feed_close(&f);
    assert_null(f);
    pw_feed_close(&f);
    pw_feed_close(NULL);
}

/* Rows are numbered as a spreadsheet shows them: header = 1, blank lines
 * count, CRLF is one line break, a BOM is not data. */
static void test_csv_bom_crlf_blank_lines(void **state)
{
    static const char crlf[] = "\xEF\xBB\xBF"
                               "indicator_id,fiscal_year,value\r\n"
                               "\r\n"
                               "cum,2022,1\r\n"
                               "\r\n"
                               "\r\n"
                               "cum,2022\r\n"
                               "cum,2023,4";
    struct pw_feed *f = parse(state, crlf, PW_FEED_CSV);
    expect_one(f, PW_EFEED_FIELDS, 6, "");
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_nrejected(f), 1);
    assert_int_equal(pw_feed_row(f, 0)->row, 3);
    assert_int_equal(pw_feed_row(f, 1)->row, 7);
    assert_int_equal(pw_feed_row(f, 1)->value, PW_DEC(4)); /* no final newline */
    pw_feed_close(&f);

    static const char lf[] = "\n"
                             "indicator_id,fiscal_year,value\n"
                             "cum,2022,1\n"
                             "\n"
                             "cum,2022,1,9\n";
    f = parse(state, lf, PW_FEED_CSV);
    expect_one(f, PW_EFEED_FIELDS, 5, "");
    assert_int_equal(pw_feed_row(f, 0)->row, 3);
    pw_feed_close(&f);

    /* a quoted line break stays inside its field and counts once */
    static const char quoted[] = "indicator_id,fiscal_year,value,note\n"
                                 "cum,2022,1,\"line one\nline two, \"\"quoted\"\"\"\n"
                                 "cum,2022,1\n";
    f = parse(state, quoted, PW_FEED_CSV);
    expect_one(f, PW_EFEED_FIELDS, 3, "");
    assert_int_equal(pw_feed_nrows(f), 1);
    assert_string_equal(pw_feed_row(f, 0)->note, "line one\nline two, \"quoted\"");
    pw_feed_close(&f);

    /* a header alone is a valid, empty feed */
    f = parse(state, "indicator_id,fiscal_year,value\n", PW_FEED_CSV);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 0);
    pw_feed_close(&f);
}

/* ---- encodings ---------------------------------------------------------------- */

/* Converts UTF-8 text with iconv; returns a malloc'd buffer or NULL if
 * iconv rejects the input. */
static char *convert(const char *to, const char *from, const char *in, size_t len, size_t *outlen)
{
    iconv_t cd = iconv_open(to, from);
    assert_true(cd != (iconv_t)-1);
    size_t cap = len * 4 + 4, left = cap, ileft = len;
    char *out = malloc(cap), *op = out, *ip = (char *)in;
    assert_non_null(out);
    size_t rc = iconv(cd, &ip, &ileft, &op, &left);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        free(out);
        return NULL;
    }
    *outlen = cap - left;
    return out;
}

static void test_cp932(void **state)
{
    static const char utf8[] = "indicator_id,fiscal_year,value,note\n"
                               "cum,令和4年度,3,速報値（暫定）です\n";
    size_t len = 0;
    char *sjis = convert("CP932", "UTF-8", utf8, strlen(utf8), &len);
    assert_non_null(sjis);
    assert_true(len < strlen(utf8)); /* really two bytes a character, not UTF-8 */
    struct pw_feed *f = parse_n(*state, sjis, len, PW_FEED_AUTO, today());
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 1);
    assert_int_equal(pw_feed_row(f, 0)->fy, 2022);
    assert_int_equal(pw_feed_row(f, 0)->value, PW_DEC(3));
    assert_string_equal(pw_feed_row(f, 0)->note, "速報値（暫定）です"); /* back in UTF-8 */
    pw_feed_close(&f);
    free(sjis);
}

/* Bytes that are neither UTF-8 nor CP932 reject the rows holding them, one by
 * one, naming the column and the byte; the other rows go through. */
static void test_encoding_rejected(void **state)
{
    static const char bad[] = "indicator_id,fiscal_year,value\ncum,2022,\xff\xff\xff\n";
    size_t len = 0;
    /* 0xFF is neither a UTF-8 byte nor a CP932 lead or single byte */
    assert_null(convert("UTF-8", "CP932", bad, strlen(bad), &len));
    struct pw_feed *f = parse(state, bad, PW_FEED_CSV);
    expect_one(f, PW_EFEED_ENCODING, 2, "value");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "(\\xff) at byte 1 of the field: "
                                                     "'\\xff\\xff\\xff'"));
    assert_int_equal(pw_feed_nrows(f), 0);
    pw_feed_close(&f);

    /* a CP932 lead byte cut off at the end of the feed: that row alone */
    static const char cut[] = "indicator_id,fiscal_year,value\ncum,2022,1\n\x82";
    assert_null(convert("UTF-8", "CP932", cut, strlen(cut), &len));
    f = parse(state, cut, PW_FEED_AUTO);
    expect_one(f, PW_EFEED_ENCODING, 3, "indicator_id");
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);
}

/* A CP932 file with one byte CP932 cannot read: that row alone is rejected,
 * the other rows (Japanese included) are read as CP932. */
static void test_cp932_one_bad_row(void **state)
{
    static const char utf8[] = "indicator_id,fiscal_year,value,note\n"
                               "cum,令和4年度,3,速報値です\n"
                               "cum,令和5年度,4,確定値\n";
    size_t len = 0;
    char *sjis = convert("CP932", "UTF-8", utf8, strlen(utf8), &len);
    assert_non_null(sjis);
    char *bad = malloc(len + 32);
    assert_non_null(bad);
    memcpy(bad, sjis, len);
    static const char row[] = "cum,R6,5,x\xff\n";
    memcpy(bad + len, row, sizeof row - 1);
    struct pw_feed *f = parse_n(*state, bad, len + sizeof row - 1, PW_FEED_AUTO, today());
    free(bad);
    free(sjis);
    dump_errors(f);
    expect_one(f, PW_EFEED_ENCODING, 4, "note");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "'x\\xff'"));
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_string_equal(pw_feed_row(f, 0)->note, "速報値です");
    assert_int_equal(pw_feed_row(f, 1)->fy, 2023);
    pw_feed_close(&f);
}

/* Invalid UTF-8 at row 3, column 2: only row 3 is rejected, with the column
 * and the byte; a file that is mostly UTF-8 is not misread as CP932. */
static void test_encoding_one_row(void **state)
{
    static const char csv[] = "indicator_id,fiscal_year,value,note\n"
                              "cum,2022,1,速報値\n"
                              "cum,20\xff"
                              "23,2,\n"
                              "cum,2023,3,確定値\n"
                              "cum,2024,4,caf\xe9\n";
    struct pw_feed *f = parse(state, csv, PW_FEED_CSV);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 2);
    const struct pw_diag *d = pw_feed_error(f, 0);
    assert_int_equal(d->code, PW_EFEED_ENCODING);
    assert_int_equal(d->line, 3);
    assert_string_equal(d->field, "fiscal_year");
    assert_non_null(strstr(d->msg, "at byte 3 of the field: '20\\xff23'"));
    d = pw_feed_error(f, 1);
    assert_int_equal(d->line, 5);
    assert_string_equal(d->field, "note");
    assert_non_null(strstr(d->msg, "'caf\\xe9'"));
    assert_true(pw_text_utf8(d->msg, strlen(d->msg)));
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_nrejected(f), 2);
    assert_string_equal(pw_feed_row(f, 0)->note, "速報値");
    assert_string_equal(pw_feed_row(f, 1)->note, "確定値");
    pw_feed_close(&f);

    /* the same in a header: an unknown column, shown escaped */
    f = parse(state, "indicator_id,fiscal_year,val\xffue\ncum,2022,1\n", PW_FEED_CSV);
    assert_int_equal(pw_feed_error(f, 0)->code, PW_EFEED_HEADER);
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "'val\\xffue'"));
    pw_feed_close(&f);
}

/* A NUL inside a field: that row is rejected naming its column, the value
 * shown whole (escaped), not cut at the NUL; the other rows go through. */
static void test_csv_nul(void **state)
{
    static const char csv[] = "indicator_id,fiscal_year,value,note\n"
                              "cum,2022,1,ok\n"
                              "cum,2023,2,ab\0cd\x1b[31m\n"
                              "cum,20\0"
                              "24,3,\n"
                              "cum,2024,4,\n";
    struct pw_feed *f = parse_n(*state, csv, sizeof csv - 1, PW_FEED_CSV, today());
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 2);
    const struct pw_diag *d = pw_feed_error(f, 0);
    assert_int_equal(d->code, PW_EFEED_VALUE);
    assert_int_equal(d->line, 3);
    assert_string_equal(d->field, "note");
    assert_non_null(strstr(d->msg, "a NUL byte at byte 3 of the field: 'ab\\x00cd\\x1b[31m'"));
    d = pw_feed_error(f, 1);
    assert_int_equal(d->line, 4);
    assert_string_equal(d->field, "fiscal_year");
    assert_non_null(strstr(d->msg, "'20\\x0024'"));
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_row(f, 0)->row, 2);
    assert_int_equal(pw_feed_row(f, 1)->row, 5);
    assert_int_equal(pw_feed_nrejected(f), 2);
    pw_feed_close(&f);
}

/* What a reason quotes back is escaped and cut at PW_TEXT_ECHO_MAX bytes. */
static void test_echo_escaped(void **state)
{
    char csv[2048], big[900];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(csv, sizeof csv, "indicator_id,fiscal_year,value\n"
                              "cum,\x1b[31mFY\xC2\x9B,1\n"
                              "cum,%s,1\n",
             big);
    struct pw_feed *f = parse(state, csv, PW_FEED_CSV);
    assert_int_equal(pw_feed_nerrors(f), 2);
    const struct pw_diag *d = pw_feed_error(f, 0);
    assert_int_equal(d->code, PW_EFEED_FY);
    assert_non_null(strstr(d->msg, "'\\x1b[31mFY\\u009b' is not a fiscal year"));
    assert_true(pw_text_clean(d->msg, strlen(d->msg)));
    d = pw_feed_error(f, 1);
    const char *q = strchr(d->msg, '\''), *e = strstr(d->msg, "…'");
    assert_non_null(q);
    assert_non_null(e);
    assert_int_equal((size_t)(e - q - 1) + strlen("…"), PW_TEXT_ECHO_MAX);
    pw_feed_close(&f);

    /* a JSON key (the field) and a value with control characters */
    f = parse(state,
              "[{\"indicator_id\": \"cum\", \"fiscal_year\": \"\\u001b]0;x\\u0007\", \"value\": 1},"
              " {\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1, \"\\u001bk\": 1}]",
              PW_FEED_JSON);
    assert_int_equal(pw_feed_nerrors(f), 2);
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "'\\x1b]0;x\\x07'"));
    assert_string_equal(pw_feed_error(f, 1)->field, "\\x1bk");
    pw_feed_close(&f);
}

/* The line and column jansson gives for text, read as a whole. */
static void jansson_where(const char *text, int *line, int *col)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    assert_null(v);
    *line = e.line;
    *col = e.column;
}

#define JROW(fy, v) "{\"indicator_id\": \"cum\", \"fiscal_year\": " #fy ", \"value\": " #v "}"

/* A syntax error in element 4 of 6: rows 1-3 (and 5-6, which can still be
 * told apart) go through, row 4 is rejected with the file's line and column
 * as jansson gives them for the whole text. */
static void test_json_syntax_element(void **state)
{
    static const char doc[] = "[\n  " JROW(2020, 1) ",\n  " JROW(2021, 2) ",\n  " JROW(2022, 3)
                              ",\n  {\"indicator_id\": \"cum\", \"fiscal_year\": 2023 \"value\": 4},\n  "
                              JROW(2023, 5) ",\n  " JROW(2024, 6) "\n]\n";
    char want[64];
    int line, col;
    jansson_where(doc, &line, &col);
    snprintf(want, sizeof want, "(line %d, column %d)", line, col);
    assert_int_equal(line, 5);
    struct pw_feed *f = parse(state, doc, PW_FEED_JSON);
    dump_errors(f);
    expect_one(f, PW_EFEED_SYNTAX, 4, "");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, want));
    assert_int_equal(pw_feed_nrows(f), 5);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pw_feed_row(f, (size_t)i)->row, i + 1);
    assert_int_equal(pw_feed_row(f, 3)->row, 5);
    assert_int_equal(pw_feed_row(f, 4)->value, PW_DEC(6));
    assert_int_equal(pw_feed_nrejected(f), 1);
    pw_feed_close(&f);

    /* the same inside {"updates": [...]}, on one line, with an invalid byte */
    f = parse(state, "{\"updates\": [" JROW(2020, 1) ", {\"indicator_id\": \"c\xffm\"}, "
                     JROW(2021, 2) "]}", PW_FEED_JSON);
    dump_errors(f);
    expect_one(f, PW_EFEED_SYNTAX, 2, "");
    assert_true(pw_text_clean(pw_feed_error(f, 0)->msg, strlen(pw_feed_error(f, 0)->msg)));
    assert_int_equal(pw_feed_nrows(f), 2);
    pw_feed_close(&f);

    /* jansson quotes the bad token: the reason shows it escaped */
    f = parse(state, "[" JROW(2020, 1) ", \x1b[31m]", PW_FEED_JSON);
    dump_errors(f);
    expect_one(f, PW_EFEED_SYNTAX, 2, "");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "\\x1b"));
    assert_true(pw_text_clean(pw_feed_error(f, 0)->msg, strlen(pw_feed_error(f, 0)->msg)));
    pw_feed_close(&f);

    /* an empty element, and a row that is a NUL escape */
    f = parse(state, "[" JROW(2020, 1) ",, {\"indicator_id\": \"a\\u0000b\"}, " JROW(2021, 2) "]",
              PW_FEED_JSON);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 2);
    assert_int_equal(pw_feed_error(f, 0)->line, 2);
    assert_int_equal(pw_feed_error(f, 1)->line, 3);
    assert_non_null(strstr(pw_feed_error(f, 1)->msg, "malformed JSON: a NUL (\\u0000) in a string"));
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_row(f, 1)->row, 4);
    pw_feed_close(&f);
}

/* Where elements cannot be told apart any more, the rest is one error at the
 * row where it happened; the rows before it are kept. */
static void test_json_syntax_structural(void **state)
{
    static const char unterminated[] =
        "[" JROW(2020, 1) ",\n" JROW(2021, 2) ",\n{\"indicator_id\": \"cum, \"fiscal_year\": 2022,\n"
        JROW(2023, 4) "]";
    struct pw_feed *f = parse(state, unterminated, PW_FEED_JSON);
    dump_errors(f);
    expect_one(f, PW_EFEED_SYNTAX, 3, "");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "this and later rows were not read"));
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "(line 3,"));
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_nrejected(f), 1);
    pw_feed_close(&f);

    /* brackets that do not match */
    f = parse(state, "[" JROW(2020, 1) ", {\"indicator_id\": [\"cum\"}, " JROW(2021, 2) "]",
              PW_FEED_JSON);
    dump_errors(f);
    expect_one(f, PW_EFEED_SYNTAX, 2, "");
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);

    /* a file cut off after a complete row: that row is not trusted */
    f = parse(state, "[" JROW(2020, 1) ", " JROW(2021, 2), PW_FEED_JSON);
    dump_errors(f);
    expect_one(f, PW_EFEED_SYNTAX, 2, "");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "the text ends inside the array"));
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);

    /* text after the array, a wrapper that does not close: the rows are kept */
    f = parse(state, "[" JROW(2020, 1) "] x", PW_FEED_JSON);
    expect_one(f, PW_EFEED_SYNTAX, 0, "");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "unexpected text (line 1,"));
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);
    f = parse(state, "{\"updates\": [" JROW(2020, 1) "]", PW_FEED_JSON);
    expect_one(f, PW_EFEED_SYNTAX, 0, "");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "'}' expected"));
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);

    /* before the array: nothing to keep, the file's error */
    f = parse(state, "{\"updates\" [" JROW(2020, 1) "]}", PW_FEED_JSON);
    expect_one(f, PW_EFEED_SYNTAX, 0, "");
    assert_int_equal(pw_feed_nrows(f), 0);
    pw_feed_close(&f);
    f = parse(state, "{\"rows\": [" JROW(2020, 1) ",]}", PW_FEED_JSON);
    expect_one(f, PW_EFEED_HEADER, 0, "rows");
    pw_feed_close(&f);
}

/* ---- JSON happy paths ------------------------------------------------------- */

static void check_json_rows(const struct pw_feed *f)
{
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 3);
    const struct pw_feed_row *r = pw_feed_row(f, 0);
    assert_int_equal(r->row, 1);
    assert_string_equal(r->indicator_id, "cum");
    assert_int_equal(r->fy, 2022);
    assert_int_equal(r->value, PW_DEC(12));
    assert_int_equal(r->basis, PW_BASIS_CUMULATIVE);
    assert_int_equal(r->preliminary, 1);
    assert_int_equal(r->as_of, pw_day_from_ymd(2023, 3, 31));
    assert_string_equal(r->note, "n");
    assert_string_equal(r->update_id, "x:1");
    r = pw_feed_row(f, 1);
    assert_int_equal(r->row, 2);
    assert_int_equal(r->fy, 2022);
    assert_int_equal(r->value, PW_DEC(1443));
    assert_int_equal(r->preliminary, 0);
    assert_int_equal(r->basis, -1);
    assert_int_equal(r->as_of, PW_NO_DAY);
    assert_string_equal(r->note, "");
    assert_string_equal(r->update_id, "");
    r = pw_feed_row(f, 2);
    assert_int_equal(r->row, 3);
    assert_string_equal(r->indicator_id, "pct");
    assert_int_equal(r->fy, 2023);
    assert_int_equal(r->value, PW_DEC(465) / 10);
}

#define JSON_ROWS                                                                              \
    "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 12, \"basis\": "            \
    "\"cumulative\", \"preliminary\": true, \"as_of\": \"2023-03-31\", \"note\": \"n\", "      \
    "\"update_id\": \"x:1\"},\n"                                                               \
    " {\"indicator_id\": \"cum\", \"fiscal_year\": \"令和4\", \"value\": \"1,443\", "        \
    "\"preliminary\": false, \"note\": null, \"as_of\": null, \"basis\": null, \"update_id\": " \
    "null},\n"                                                                                 \
    " {\"value\": 46.5, \"fiscal_year\": \"FY2023\", \"indicator_id\": \"pct\"}"

static void test_json_ok(void **state)
{
    struct pw_feed *f = parse(state, "[" JSON_ROWS "]", PW_FEED_JSON);
    check_json_rows(f);
    pw_feed_close(&f);
    f = parse(state, "{\"updates\": [" JSON_ROWS "]}", PW_FEED_JSON);
    check_json_rows(f);
    pw_feed_close(&f);
    /* the format is recognised from the first non-blank byte */
    f = parse(state, " \r\n\t[" JSON_ROWS "]", PW_FEED_AUTO);
    check_json_rows(f);
    pw_feed_close(&f);
    f = parse(state, "\xEF\xBB\xBF{\"updates\": []}", PW_FEED_AUTO);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 0);
    pw_feed_close(&f);
    f = parse(state, "indicator_id,fiscal_year,value\ncum,2022,1\n", PW_FEED_AUTO);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);
}

/* ---- header errors ---------------------------------------------------------- */

static void test_err_header(void **state)
{
    /* an unusable header rejects every data row, with one error */
    struct pw_feed *f = parse(state,
                              "indicator_id,fiscal_year,value,colour\n"
                              "cum,2022,1,red\n"
                              "cum,2023,1,red\n",
                              PW_FEED_CSV);
    expect_one(f, PW_EFEED_HEADER, 1, "");
    assert_int_equal(pw_feed_nrows(f), 0);
    assert_int_equal(pw_feed_nrejected(f), 2);
    pw_feed_close(&f);

    f = parse(state, "\nindicator_id,value,fiscal_year,value\ncum,1,2022,1\n", PW_FEED_CSV);
    expect_one(f, PW_EFEED_HEADER, 2, "value");
    assert_int_equal(pw_feed_nrejected(f), 1);
    pw_feed_close(&f);

    f = parse(state, "indicator_id,value,note\ncum,1,x\n", PW_FEED_CSV);
    expect_one(f, PW_EFEED_HEADER, 1, "fiscal_year");
    pw_feed_close(&f);

    f = parse(state, "", PW_FEED_CSV);
    expect_one(f, PW_EFEED_HEADER, 0, "");
    pw_feed_close(&f);

    char wide[400] = "indicator_id,fiscal_year,value";
    for (int i = 0; i < 30; i++)
        strcat(wide, ",note");
    f = parse(state, wide, PW_FEED_CSV);
    expect_one(f, PW_EFEED_HEADER, 1, "");
    pw_feed_close(&f);

    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1, "
                        "\"colour\": \"red\"}",
                 PW_EFEED_HEADER, "colour");

    f = parse(state, "{\"updates\": [], \"extra\": 1}", PW_FEED_JSON);
    expect_one(f, PW_EFEED_HEADER, 0, "extra");
    pw_feed_close(&f);
    f = parse(state, "{\"rows\": []}", PW_FEED_JSON);
    expect_one(f, PW_EFEED_HEADER, 0, "rows");
    pw_feed_close(&f);
}

/* ---- row errors, CSV and JSON ------------------------------------------------ */

static void test_err_fields(void **state)
{
    csv_row_err(state, "cum,2022,1", PW_EFEED_FIELDS, "");
    csv_row_err(state, "cum,2022,1,,,,,,extra", PW_EFEED_FIELDS, "");
}

static void test_err_missing(void **state)
{
    csv_row_err(state, ",2022,1,,,,,", PW_EFEED_MISSING, "indicator_id");
    csv_row_err(state, "  ,2022,1,,,,,", PW_EFEED_MISSING, "indicator_id");
    csv_row_err(state, "cum,,1,,,,,", PW_EFEED_MISSING, "fiscal_year");
    csv_row_err(state, "cum,2022,,,,,,", PW_EFEED_MISSING, "value");
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022}", PW_EFEED_MISSING,
                 "value");
    json_row_err(state, "{\"indicator_id\": null, \"fiscal_year\": 2022, \"value\": 1}",
                 PW_EFEED_MISSING, "indicator_id");
}

static void test_err_id(void **state)
{
    csv_row_err(state, "nope,2022,1,,,,,", PW_EFEED_ID, "indicator_id");
    /* CUM (case only) is accepted with a warning: test_id_case_warning */
    json_row_err(state, "{\"indicator_id\": \"nope\", \"fiscal_year\": 2022, \"value\": 1}",
                 PW_EFEED_ID, "indicator_id");
}

static void test_err_fy(void **state)
{
    csv_row_err(state, "cum,20x2,1,,,,,", PW_EFEED_FY, "fiscal_year");
    csv_row_err(state, "cum,平成30,1,,,,,", PW_EFEED_FY, "fiscal_year");
    csv_row_err(state, "cum,1900,1,,,,,", PW_EFEED_FY, "fiscal_year");
    csv_row_err(state, "cum,2019,1,,,,,", PW_EFEED_FY, "fiscal_year"); /* before the window */
    csv_row_err(state, "cum,2025,1,,,,,", PW_EFEED_FY, "fiscal_year"); /* after it */
    /* prev_average reads the 3 years before the window: FY2017 is allowed */
    csv_row_err(state, "prev,2016,1,,,,,", PW_EFEED_FY, "fiscal_year");
    struct pw_feed *f = parse(state, HDR "prev,2017,1,,,,,\n", PW_FEED_CSV);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022.5, \"value\": 1}",
                 PW_EFEED_FY, "fiscal_year");

    /* a fiscal year that has not started yet: FY2023 on 2023-03-31 */
    static const char next[] = HDR "cum,2022,1,,,,,\ncum,2023,1,,,,,\n";
    f = parse_n(*state, next, strlen(next), PW_FEED_CSV, pw_day_from_ymd(2023, 3, 31));
    expect_one(f, PW_EFEED_FY, 3, "fiscal_year");
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);
    f = parse_n(*state, next, strlen(next), PW_FEED_CSV, pw_day_from_ymd(2023, 4, 1));
    assert_int_equal(pw_feed_nerrors(f), 0);
    pw_feed_close(&f);
}

static void test_err_value(void **state)
{
    csv_row_err(state, "cum,2022,abc,,,,,", PW_EFEED_VALUE, "value");
    csv_row_err(state, "cum,2022,1.2.3,,,,,", PW_EFEED_VALUE, "value");
    csv_row_err(state, "cum,2022,\"1,44\",,,,,", PW_EFEED_VALUE, "value");
    csv_row_err(state, "cum,2022,1.1234567,,,,,", PW_EFEED_VALUE, "value"); /* 7 decimals */
    csv_row_err(state, "cum,2022,-1,,,,,", PW_EFEED_VALUE, "value");
    csv_row_err(state, "pct,2022,100.000001,,,,,", PW_EFEED_VALUE, "value");
    csv_row_err(state, "pct,2022,101,,,,,", PW_EFEED_VALUE, "value");
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": true}",
                 PW_EFEED_VALUE, "value");
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": -2}",
                 PW_EFEED_VALUE, "value");
    /* the edges that are allowed */
    struct pw_feed *f = parse(state, HDR "pct,2022,100,,,,,\npct,2022,0,,,,,\n"
                                         "cum,2022,1.123456,,,,,\ncum,2022,1.1234560,,,,,\n",
                              PW_FEED_CSV);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 4);
    assert_int_equal(pw_feed_row(f, 2)->value, 1123456);
    pw_feed_close(&f);
}

/* A JSON number is a double: a 7th decimal must be rejected as in CSV, not
 * rounded away (regression: it used to be accepted as 1.123457). */
static void test_json_real_decimals(void **state)
{
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1.1234567}",
                 PW_EFEED_VALUE, "value");
}

/* A huge JSON real is rejected as out of range (regression: "%.6f" of 1e300
 * used to overflow a 64-byte buffer and read out of bounds). */
static void test_json_huge_real(void **state)
{
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1e300}",
                 PW_EFEED_VALUE, "value");
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": -1e13}",
                 PW_EFEED_VALUE, "value");
}

static void test_err_basis_bool(void **state)
{
    csv_row_err(state, "cum,2022,1,monthly,,,,", PW_EFEED_BASIS, "basis");
    csv_row_err(state, "cum,2022,1,,maybe,,,", PW_EFEED_BOOL, "preliminary");
    csv_row_err(state, "cum,2022,1,,2,,,", PW_EFEED_BOOL, "preliminary");
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1, "
                        "\"basis\": 1}",
                 PW_EFEED_BASIS, "basis");
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1, "
                        "\"preliminary\": \"perhaps\"}",
                 PW_EFEED_BOOL, "preliminary");

    int v = 7;
    assert_int_equal(pw_feed_parse_basis("", &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(pw_feed_parse_basis("Annual", &v), 0);
    assert_int_equal(v, PW_BASIS_ANNUAL);
    assert_int_equal(pw_feed_parse_basis("累計", &v), 0);
    assert_int_equal(v, PW_BASIS_CUMULATIVE);
    assert_int_equal(pw_feed_parse_basis("total", &v), PW_EFEED_BASIS);
    assert_int_equal(pw_feed_parse_bool("", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pw_feed_parse_bool("TRUE", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(pw_feed_parse_bool("確定値", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pw_feed_parse_bool("速報", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(pw_feed_parse_bool("ok", &v), PW_EFEED_BOOL);
}

static void test_err_date(void **state)
{
    csv_row_err(state, "cum,2022,1,,,2025-02-30,,", PW_EFEED_DATE, "as_of");
    csv_row_err(state, "cum,2022,1,,,2023/03/31,,", PW_EFEED_DATE, "as_of");
    csv_row_err(state, "cum,2024,1,,,2025-06-02,,", PW_EFEED_DATE, "as_of"); /* tomorrow */
    csv_row_err(state, "cum,2022,1,,,2022-03-31,,", PW_EFEED_DATE, "as_of"); /* before FY2022 */
    struct pw_feed *f = parse(state, HDR "cum,2022,1,,,2022-04-01,,\ncum,2024,1,,,2025-06-01,,\n",
                              PW_FEED_CSV);
    assert_int_equal(pw_feed_nerrors(f), 0); /* the first day of the FY, and today */
    assert_int_equal(pw_feed_nrows(f), 2);
    pw_feed_close(&f);
}

static void test_err_toolong(void **state)
{
    char note[PW_NOTE_MAX + 2], row[2200];
    memset(note, 'n', sizeof note - 1);
    note[sizeof note - 1] = '\0'; /* 513 bytes */
    snprintf(row, sizeof row, "cum,2022,1,,,,%s,", note);
    csv_row_err(state, row, PW_EFEED_TOOLONG, "note");
    /* a note reaches terminals: no escape sequence (line breaks may be: see above) */
    csv_row_err(state, "cum,2022,1,,,,\"red \x1b[31malert\",", PW_EFEED_VALUE, "note");
    csv_row_err(state, "cum,2022,1,,,,\"delete\x7f\",", PW_EFEED_VALUE, "note");
    json_row_err(state, "{\"indicator_id\":\"cum\",\"fiscal_year\":2022,\"value\":1,"
                        "\"note\":\"bell\\u0007\"}", PW_EFEED_VALUE, "note");
    note[PW_NOTE_MAX] = '\0'; /* 512 bytes: allowed */
    snprintf(row, sizeof row, HDR "cum,2022,1,,,,%s,\n", note);
    struct pw_feed *f = parse(state, row, PW_FEED_CSV);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(strlen(pw_feed_row(f, 0)->note), PW_NOTE_MAX);
    pw_feed_close(&f);

    char big[PW_FEED_FIELD_MAX + 2];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0'; /* 1025 bytes */
    snprintf(row, sizeof row, "cum,2022,%s,,,,,", big);
    csv_row_err(state, row, PW_EFEED_TOOLONG, "value");
    memset(big, 'x', sizeof big - 1);
    snprintf(row, sizeof row, "cum,2022,1,,,,,%s", big);
    csv_row_err(state, row, PW_EFEED_TOOLONG, "update_id");

    char id[PW_ID_MAX + 2];
    memset(id, 'a', sizeof id - 1);
    id[sizeof id - 1] = '\0'; /* 65 bytes */
    snprintf(row, sizeof row, "%s,2022,1,,,,,", id);
    csv_row_err(state, row, PW_EFEED_TOOLONG, "indicator_id");
}

static void test_err_update_id(void **state)
{
    csv_row_err(state, "cum,2022,1,,,,,bad id!", PW_EFEED_UPDATE_ID, "update_id");
    csv_row_err(state, "cum,2022,1,,,,,更新1", PW_EFEED_UPDATE_ID, "update_id");
    char uid[PW_UPDATE_ID_MAX + 2], row[200];
    memset(uid, 'u', sizeof uid - 1);
    uid[sizeof uid - 1] = '\0'; /* 65 bytes */
    snprintf(row, sizeof row, "cum,2022,1,,,,,%s", uid);
    csv_row_err(state, row, PW_EFEED_UPDATE_ID, "update_id");
    assert_int_equal(pw_feed_parse_update_id(uid), PW_EFEED_UPDATE_ID);
    uid[PW_UPDATE_ID_MAX] = '\0';
    assert_int_equal(pw_feed_parse_update_id(uid), 0);
    assert_int_equal(pw_feed_parse_update_id("2025-06-01T09:00:00.1_a"), 0);
    assert_int_equal(pw_feed_parse_update_id("a/b"), PW_EFEED_UPDATE_ID);
}

static void test_err_syntax(void **state)
{
    /* a quote inside an unquoted field: the rows before it are kept, the rest unread */
    struct pw_feed *f = parse(state,
                              "indicator_id,fiscal_year,value\n"
                              "cum,2022,1\n"
                              "\n"
                              "cum,2023,2\n"
                              "cum,20\"24,3\n"
                              "cum,2024,4\n",
                              PW_FEED_CSV);
    expect_one(f, PW_EFEED_SYNTAX, 5, "");
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_row(f, 1)->value, PW_DEC(2));
    pw_feed_close(&f);

    /* a quote that never closes swallows the rest of the feed */
    f = parse(state,
              "indicator_id,fiscal_year,value\n"
              "cum,2022,1\n"
              "cum,2023,\"2\n"
              "cum,2024,4\n",
              PW_FEED_CSV);
    expect_one(f, PW_EFEED_SYNTAX, 3, "");
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);

    /* text after a closing quote */
    f = parse(state, HDR "cum,2022,\"1\"x,,,,,\n", PW_FEED_CSV);
    expect_one(f, PW_EFEED_SYNTAX, 2, "");
    assert_int_equal(pw_feed_nrows(f), 0);
    pw_feed_close(&f);

    /* the row is the element; the line and column the file's */
    f = parse(state, "[{\"indicator_id\": \"cum\",\n \"value\": }]", PW_FEED_JSON);
    expect_one(f, PW_EFEED_SYNTAX, 1, "");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "(line 2, column 11)"));
    assert_int_equal(pw_feed_nrows(f), 0);
    pw_feed_close(&f);
    f = parse(state, "[{\"value\": 1, \"value\": 2}]", PW_FEED_JSON); /* duplicate key */
    expect_one(f, PW_EFEED_SYNTAX, 1, "");
    pw_feed_close(&f);
    f = parse(state, "{}", PW_FEED_JSON);
    expect_one(f, PW_EFEED_SYNTAX, 0, "");
    pw_feed_close(&f);
    f = parse(state, "\"rows\"", PW_FEED_JSON); /* no array: the file's error */
    expect_one(f, PW_EFEED_SYNTAX, 0, "");
    pw_feed_close(&f);

    /* a row that is not an object is rejected alone */
    f = parse(state,
              "[1, {\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1}, "
              "[\"cum\", 2022, 1]]",
              PW_FEED_JSON);
    assert_int_equal(pw_feed_nerrors(f), 2);
    assert_int_equal(pw_feed_error(f, 0)->code, PW_EFEED_SYNTAX);
    assert_int_equal(pw_feed_error(f, 0)->line, 1);
    assert_int_equal(pw_feed_error(f, 1)->code, PW_EFEED_SYNTAX);
    assert_int_equal(pw_feed_error(f, 1)->line, 3);
    assert_int_equal(pw_feed_nrows(f), 1);
    assert_int_equal(pw_feed_row(f, 0)->row, 2);
    assert_int_equal(pw_feed_nrejected(f), 2);
    pw_feed_close(&f);

    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": [1]}",
                 PW_EFEED_SYNTAX, "value");
    json_row_err(state, "{\"indicator_id\": \"cum\", \"fiscal_year\": {}, \"value\": 1}",
                 PW_EFEED_SYNTAX, "fiscal_year");
}

/* PW_FEED_MAX_ROWS + 2 data rows: the first MAX_ROWS are kept, one error
 * names the first row over the limit, and the rest count as rejected. */
static void test_err_toomany(void **state)
{
    static const char hdr[] = "indicator_id,fiscal_year,value\n", line[] = "cum,2022,1\n";
    size_t n = PW_FEED_MAX_ROWS + 2, len = strlen(hdr) + n * strlen(line);
    char *csv = malloc(len + 1), *p = csv;
    assert_non_null(csv);
    memcpy(p, hdr, strlen(hdr));
    p += strlen(hdr);
    for (size_t i = 0; i < n; i++, p += strlen(line))
        memcpy(p, line, strlen(line));
    *p = '\0';
    struct pw_feed *f = parse_n(*state, csv, len, PW_FEED_CSV, today());
    expect_one(f, PW_EFEED_TOOMANY, PW_FEED_MAX_ROWS + 2, "");
    assert_int_equal(pw_feed_nrows(f), PW_FEED_MAX_ROWS);
    assert_int_equal(pw_feed_nrejected(f), 2);
    pw_feed_close(&f);
    free(csv);

    static const char obj[] = "{\"indicator_id\":\"cum\",\"fiscal_year\":2022,\"value\":1},";
    len = 1 + n * strlen(obj) + 1;
    char *json = malloc(len + 1);
    assert_non_null(json);
    p = json;
    *p++ = '[';
    for (size_t i = 0; i < n; i++, p += strlen(obj))
        memcpy(p, obj, strlen(obj));
    p[-1] = ']';
    *p = '\0';
    f = parse_n(*state, json, strlen(json), PW_FEED_JSON, today());
    expect_one(f, PW_EFEED_TOOMANY, PW_FEED_MAX_ROWS + 1, "");
    assert_int_equal(pw_feed_nrows(f), PW_FEED_MAX_ROWS);
    assert_int_equal(pw_feed_nrejected(f), 2);
    pw_feed_close(&f);
    free(json);
}

/* ---- partial success, no catalog, validation -------------------------------- */

static void test_partial_success(void **state)
{
    struct pw_feed *f = parse(state,
                              "indicator_id,fiscal_year,value,as_of\n"
                              "cum,2022,1,\n"
                              "nope,2022,1,\n"
                              "cum,2022,abc,\n"
                              "pct,2023,55.5,2024-03-31\n"
                              "ann,2024,2\n"
                              "ann,2024,3,\n",
                              PW_FEED_CSV);
    assert_int_equal(pw_feed_nrows(f), 3);
    assert_int_equal(pw_feed_nrejected(f), 3);
    assert_int_equal(pw_feed_nerrors(f), 3);
    static const struct {
        int code, row;
    } want[] = {{PW_EFEED_ID, 3}, {PW_EFEED_VALUE, 4}, {PW_EFEED_FIELDS, 6}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pw_feed_error(f, i)->code, want[i].code);
        assert_int_equal(pw_feed_error(f, i)->line, want[i].row);
    }
    assert_int_equal(pw_feed_row(f, 0)->row, 2);
    assert_int_equal(pw_feed_row(f, 1)->row, 5);
    assert_int_equal(pw_feed_row(f, 2)->row, 7);
    pw_feed_close(&f);

    /* JSON: the same */
    f = parse(state,
              "{\"updates\": [{\"indicator_id\": \"cum\", \"fiscal_year\": 2022, \"value\": 1},"
              " {\"indicator_id\": \"cum\", \"fiscal_year\": 2030, \"value\": 1},"
              " {\"indicator_id\": \"ann\", \"fiscal_year\": \"R6\", \"value\": \"3\"}]}",
              PW_FEED_JSON);
    expect_one(f, PW_EFEED_FY, 2, "fiscal_year");
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_nrejected(f), 1);
    pw_feed_close(&f);
}

static void test_no_catalog(void **state)
{
    (void)state;
    static const char csv[] = "indicator_id,fiscal_year,value,as_of\n"
                              "nope,1999,-5,2199-01-01\n"
                              "cum,abc,1,\n";
    struct pw_feed *f = parse_n(NULL, csv, strlen(csv), PW_FEED_CSV, today());
    /* only the text forms are checked: the unknown id, the year outside any
     * window, the negative value and the future date all pass */
    expect_one(f, PW_EFEED_FY, 3, "fiscal_year");
    assert_int_equal(pw_feed_nrows(f), 1);
    const struct pw_feed_row *r = pw_feed_row(f, 0);
    assert_string_equal(r->indicator_id, "nope");
    assert_int_equal(r->fy, 1999);
    assert_int_equal(r->value, -PW_DEC(5));
    assert_int_equal(r->as_of, pw_day_from_ymd(2199, 1, 1));
    pw_feed_close(&f);
}

static void test_validate(void **state)
{
    const struct pw_catalog *cat = *state;
    struct pw_feed_row r;
    memset(&r, 0, sizeof r);
    r.row = 7;
    strcpy(r.indicator_id, "cum");
    r.fy = 2022;
    r.value = PW_DEC(3);
    r.basis = -1;
    r.as_of = PW_NO_DAY;
    r.note = "";
    const struct pw_indicator *ind = NULL;
    struct pw_diag d;
    int32_t t = today();
    assert_int_equal(pw_feed_validate(cat, &r, t, "direct", &ind, &d), 0);
    assert_ptr_equal(ind, pw_catalog_find(cat, "cum"));
    assert_int_equal(pw_feed_validate(cat, &r, t, "direct", NULL, NULL), 0);

    struct {
        const char *id;
        int fy;
        int64_t value;
        int32_t as_of, today;
        int code;
        const char *field;
    } cases[] = {
        {"nope", 2022, 0, PW_NO_DAY, t, PW_EFEED_ID, "indicator_id"},
        {"cum", 2019, 0, PW_NO_DAY, t, PW_EFEED_FY, "fiscal_year"},
        {"cum", 2025, 0, PW_NO_DAY, t, PW_EFEED_FY, "fiscal_year"},
        {"cum", 2023, 0, PW_NO_DAY, pw_day_from_ymd(2023, 3, 31), PW_EFEED_FY, "fiscal_year"},
        {"prev", 2016, 0, PW_NO_DAY, t, PW_EFEED_FY, "fiscal_year"},
        {"cum", 2022, -1, PW_NO_DAY, t, PW_EFEED_VALUE, "value"},
        {"pct", 2022, PW_DEC(100) + 1, PW_NO_DAY, t, PW_EFEED_VALUE, "value"},
        {"cum", 2022, 0, t + 1, t, PW_EFEED_DATE, "as_of"},
        {"cum", 2022, 0, pw_day_from_ymd(2022, 3, 31), t, PW_EFEED_DATE, "as_of"},
        {"cum", 2022, 0, pw_day_from_ymd(2022, 4, 1), t, 0, ""},
        {"cum", 2022, 0, t, t, 0, ""},
        {"pct", 2022, PW_DEC(100), PW_NO_DAY, t, 0, ""},
        {"prev", 2017, 0, PW_NO_DAY, t, 0, ""},
        {"cum", 2023, 0, PW_NO_DAY, pw_day_from_ymd(2023, 4, 1), 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strcpy(r.indicator_id, cases[i].id);
        r.fy = cases[i].fy;
        r.value = cases[i].value;
        r.as_of = cases[i].as_of;
        memset(&d, 0, sizeof d);
        ind = (const struct pw_indicator *)(const void *)&d; /* must stay on failure */
        int rc = pw_feed_validate(cat, &r, cases[i].today, "direct", &ind, &d);
        if (rc != cases[i].code)
            print_error("case %zu: want %s, got %s: %s\n", i, pw_errname(cases[i].code),
                        pw_errname(rc), d.msg);
        assert_int_equal(rc, cases[i].code);
        if (rc) {
            assert_int_equal(d.code, rc);
            assert_int_equal(d.line, 7);
            assert_string_equal(d.file, "direct");
            assert_string_equal(d.field, cases[i].field);
            assert_ptr_equal(ind, &d);
        } else {
            assert_ptr_equal(ind, pw_catalog_find(cat, cases[i].id));
        }
    }
}

/* ---- files ---------------------------------------------------------------- */

static void test_sample_file(void **state)
{
    (void)state;
    struct pw_catalog *def = NULL;
    struct pw_feed *f = NULL;
    struct pw_diag d;
    assert_int_equal(pw_catalog_load_default(&def, &d), 0);
    assert_int_equal(pw_feed_parse_file(&f, def, PW_SOURCE_DIR "/catalog/feeds/plan2-fy2022.csv",
                                        pw_day_from_ymd(2026, 11, 21), &d),
                     0);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrejected(f), 0);
    assert_int_equal(pw_feed_nrows(f), 49);
    const struct pw_feed_row *r = pw_feed_row(f, 0);
    assert_string_equal(r->indicator_id, "p2-pj1-nonclinical-poc");
    assert_int_equal(r->fy, 2022);
    assert_int_equal(r->value, PW_DEC(128));
    assert_int_equal(r->basis, PW_BASIS_CUMULATIVE);
    assert_null(pw_feed_error(f, 0));
    pw_feed_close(&f);

    memset(&d, 0, sizeof d);
    f = NULL;
    assert_int_equal(pw_feed_parse_file(&f, def, PW_SOURCE_DIR "/catalog/feeds/missing.csv",
                                        pw_day_from_ymd(2026, 11, 21), &d),
                     PW_EIO);
    assert_null(f);
    assert_int_equal(d.code, PW_EIO);
    assert_string_equal(d.file, PW_SOURCE_DIR "/catalog/feeds/missing.csv");
    pw_catalog_close(&def);
}


/* ---- issue 14: the template's headers, full-width years, ids, .xlsx ------ */

static void test_ja_headers(void **state)
{
    /* the template's headers; 指標名 and 単位 are read and ignored */
    static const char csv[] = "\xEF\xBB\xBF指標ID,指標名,単位,年度,区分,値,速報値,時点,備考\r\n"
                              "cum,累計,件,令和4年度,累計,12,速報値,2023-03-31,メモ\r\n"
                              "ann,単年度,件,令和4年度,単年度,3,,,\r\n";
    struct pw_feed *f = parse(state, csv, PW_FEED_CSV);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 2);
    const struct pw_feed_row *r = pw_feed_row(f, 0);
    assert_string_equal(r->indicator_id, "cum");
    assert_int_equal(r->fy, 2022);
    assert_int_equal(r->value, PW_DEC(12));
    assert_int_equal(r->basis, PW_BASIS_CUMULATIVE);
    assert_int_equal(r->preliminary, 1);
    assert_int_equal(r->as_of, pw_day_from_ymd(2023, 3, 31));
    assert_string_equal(r->note, "メモ");
    assert_int_equal(pw_feed_row(f, 1)->basis, PW_BASIS_ANNUAL);
    pw_feed_close(&f);
    /* JSON takes the same names */
    f = parse(state, "[{\"指標ID\": \"cum\", \"年度\": \"令和4\", \"値\": 5, \"指標名\": \"x\"}]",
              PW_FEED_JSON);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 1);
    pw_feed_close(&f);
    /* an unknown Japanese header is still unknown */
    f = parse(state, "指標ID,年度,数値\ncum,2022,1\n", PW_FEED_CSV);
    expect_one(f, PW_EFEED_HEADER, 1, "");
    pw_feed_close(&f);
}

static void test_fullwidth_years(void **state)
{
    static const char *const spell[] = {"ＦＹ２０２２", "ｆｙ２０２２", "令和４年度", "令和４",
                                        "Ｒ４",         "ｒ４",         "２０２２",   "FY２０２２",
                                        "　令和４年度　", "R4年度"};
    for (size_t i = 0; i < sizeof spell / sizeof *spell; i++) {
        int fy = 0;
        if (pw_fy_parse(spell[i], &fy) != 0 || fy != 2022)
            print_message("'%s' -> %d\n", spell[i], fy);
        assert_int_equal(pw_fy_parse(spell[i], &fy), 0);
        assert_int_equal(fy, 2022);
    }
    int fy;
    assert_int_equal(pw_fy_parse("ＦＹ２０２", &fy), PW_ESYNTAX);
    assert_int_equal(pw_fy_parse("Ｒ０", &fy), PW_ERANGE);
    struct pw_feed *f = parse(state, "indicator_id,fiscal_year,value\ncum,ＦＹ２０２２,1\n"
                                     "cum,Ｒ３,1\n", PW_FEED_CSV);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_row(f, 0)->fy, 2022);
    assert_int_equal(pw_feed_row(f, 1)->fy, 2021);
    pw_feed_close(&f);
}

static void test_did_you_mean(void **state)
{
    struct pw_feed *f = parse(state, "indicator_id,fiscal_year,value\nannn,2022,1\n", PW_FEED_CSV);
    expect_one(f, PW_EFEED_ID, 2, "indicator_id");
    assert_non_null(strstr(pw_feed_error(f, 0)->msg, "did you mean ann?"));
    pw_feed_close(&f);
    /* nothing close: no suggestion */
    f = parse(state, "indicator_id,fiscal_year,value\nsomething-else,2022,1\n", PW_FEED_CSV);
    expect_one(f, PW_EFEED_ID, 2, "indicator_id");
    assert_null(strstr(pw_feed_error(f, 0)->msg, "did you mean"));
    pw_feed_close(&f);
    /* the built-in catalog: the example */
    struct pw_catalog *cat = NULL;
    struct pw_diag d;
    char buf[300];
    assert_int_equal(pw_catalog_load_default(&cat, &d), 0);
    assert_string_equal(pw_feed_suggest(cat, "p3-out01-licencing", buf, sizeof buf),
                        "p3-out01-licensing");
    pw_catalog_close(&cat);
}

static void test_id_case_warning(void **state)
{
    struct pw_feed *f = parse(state, "indicator_id,fiscal_year,value\nCUM,2022,1\ncum,2021,1\n",
                              PW_FEED_CSV);
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_string_equal(pw_feed_row(f, 0)->indicator_id, "cum");
    assert_int_equal(pw_feed_nwarnings(f), 1);
    const struct pw_diag *w = pw_feed_warning(f, 0);
    assert_int_equal(w->code, PW_WFEED_IDCASE);
    assert_int_equal(w->line, 2);
    assert_string_equal(w->field, "indicator_id");
    assert_non_null(strstr(w->msg, "'CUM' read as cum"));
    assert_null(pw_feed_warning(f, 1));
    pw_feed_close(&f);
    /* validation on its own (ingest) takes it too */
    struct pw_feed_row r = {.row = 1, .fy = 2022, .value = 1, .basis = -1, .as_of = PW_NO_DAY};
    const struct pw_indicator *ind = NULL;
    struct pw_diag d;
    strcpy(r.indicator_id, "Cum");
    assert_int_equal(pw_feed_validate(*state, &r, today(), "x", &ind, &d), 0);
    assert_string_equal(ind->id, "cum");
}

/* Writes a workbook (shared strings, or inline strings in constant-memory
 * mode) with the given header and rows (NULL cell: empty; a cell starting
 * with '#' is written as the number after it) and returns its bytes. */
static char *xlsx_make(int inline_strings, const char *const *cells, int ncols, int nrows,
                       size_t *len)
{
    char path[] = "/tmp/test_feed-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lxw_workbook_options opt = {.constant_memory = inline_strings ? LXW_TRUE : LXW_FALSE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "data");
    workbook_add_worksheet(wb, "other");
    for (int r = 0; r < nrows; r++)
        for (int c = 0; c < ncols; c++) {
            const char *t = cells[r * ncols + c];
            if (!t)
                continue;
            if (t[0] == '#')
                worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, strtod(t + 1, NULL), NULL);
            else
                worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, t, NULL);
        }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    char *buf = NULL;
    struct pw_diag d;
    assert_int_equal(pw_file_read(path, 1u << 24, &buf, len, &d), 0);
    unlink(path);
    return buf;
}

static void test_xlsx(void **state)
{
    static const char *const cells[] = {
        "指標ID", "年度",      "値",     "区分", "時点",   "備考",
        "cum",    "令和4年度", "#12",    "累計", "#44834", NULL, /* 2022-09-30 as a date serial */
        NULL,     NULL,        NULL,     NULL,   NULL,     NULL, /* a blank row */
        "ann",    "FY2022",    "#0.1",   NULL,   NULL,     "x",
        "pct",    "２０２２",  "#1e-3",  NULL,   "2023-03-31", NULL,
        "cum",    "2019",      "#1",     NULL,   NULL,     NULL,
    };
    for (int mode = 0; mode < 2; mode++) {
        size_t len;
        char *x = xlsx_make(mode, cells, 6, 6, &len);
        struct pw_feed *f = parse_n(*state, x, len, PW_FEED_AUTO, today());
        free(x);
        struct outcome o = outcome_of(f);
        dump_errors(f);
        assert_int_equal(o.nrows, 4 - 1);
        check_one(&o, PW_EFEED_FY, 6, "fiscal_year"); /* rows as the sheet numbers them */
        const struct pw_feed_row *r = pw_feed_row(f, 0);
        assert_string_equal(r->indicator_id, "cum");
        assert_int_equal(r->fy, 2022);
        assert_int_equal(r->value, PW_DEC(12));
        assert_int_equal(r->as_of, pw_day_from_ymd(2022, 9, 30));
        assert_int_equal(pw_feed_row(f, 1)->value, 100000); /* 0.1 */
        assert_string_equal(pw_feed_row(f, 1)->note, "x");
        assert_int_equal(pw_feed_row(f, 2)->value, 1000);   /* 0.001 */
        assert_int_equal(pw_feed_row(f, 2)->row, 5);
        pw_feed_close(&f);
    }
    /* not a workbook: a zip signature and garbage */
    struct pw_feed *f = parse_n(*state, "PK\x03\x04garbage", 11, PW_FEED_AUTO, today());
    assert_int_equal(pw_feed_nrows(f), 0);
    assert_int_equal(pw_feed_error(f, 0)->code, PW_EFEED_SYNTAX);
    pw_feed_close(&f);
}

/* A cell longer than the reader keeps is cut before a character, so the row
 * is too long, not "not UTF-8"; a C1 control in a cell is echoed escaped. */
static void test_xlsx_long_cell(void **state)
{
    char *note = malloc(3 * 2000 + 1);
    assert_non_null(note);
    for (int i = 0; i < 2000; i++)
        memcpy(note + 3 * i, "あ", 3);
    note[3 * 2000] = '\0';
    const char *cells[] = {
        "指標ID", "年度",           "値", "備考",
        "cum",    "2022",           "#1", note,
        "cum",    "20\xC2\x9B" "22", "#2", NULL,
        "cum",    "2023",           "#3", NULL,
    };
    for (int mode = 0; mode < 2; mode++) {
        size_t len;
        char *x = xlsx_make(mode, cells, 4, 4, &len);
        struct pw_feed *f = parse_n(*state, x, len, PW_FEED_AUTO, today());
        free(x);
        dump_errors(f);
        assert_int_equal(pw_feed_nerrors(f), 2);
        assert_int_equal(pw_feed_error(f, 0)->code, PW_EFEED_TOOLONG);
        assert_string_equal(pw_feed_error(f, 0)->field, "note");
        assert_int_equal(pw_feed_error(f, 1)->code, PW_EFEED_FY);
        assert_non_null(strstr(pw_feed_error(f, 1)->msg, "'20\\u009b22'"));
        assert_int_equal(pw_feed_nrows(f), 1);
        pw_feed_close(&f);
    }
    free(note);
}

/* The template's round trip in the library: render, fill 値, parse. */
static void test_template_roundtrip(void **state)
{
    const struct pw_indicator *inds[] = {pw_catalog_find(*state, "cum"),
                                         pw_catalog_find(*state, "ann")};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(pw_template_render(inds, 2, 2022, PW_TEMPLATE_CSV, &out, &len), 0);
    assert_memory_equal(out, "\xEF\xBB\xBF指標ID,指標名,単位,年度,区分,値,速報値,時点,備考\r\n",
                        strlen("\xEF\xBB\xBF指標ID,指標名,単位,年度,区分,値,速報値,時点,備考\r\n"));
    assert_non_null(strstr(out, "cum,累計,件,令和4年度,累計,,,,\r\n"));
    assert_non_null(strstr(out, "ann,単年度,件,令和4年度,単年度,,,,\r\n"));
    /* unfilled: every row says its value is missing */
    struct pw_feed *f = parse_n(*state, out, len, PW_FEED_AUTO, today());
    assert_int_equal(pw_feed_nrejected(f), 2);
    assert_int_equal(pw_feed_error(f, 0)->code, PW_EFEED_MISSING);
    pw_feed_close(&f);
    char filled[1024], *p = filled;
    for (const char *q = out; *q; q++) {
        *p++ = *q;
        if (*q == ',' && strncmp(q + 1, ",,,\r\n", 5) == 0)
            *p++ = '7'; /* the 値 column */
    }
    *p = '\0';
    free(out);
    f = parse_n(*state, filled, strlen(filled), PW_FEED_AUTO, today());
    dump_errors(f);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_int_equal(pw_feed_nrows(f), 2);
    assert_int_equal(pw_feed_row(f, 1)->value, PW_DEC(7));
    assert_int_equal(pw_feed_row(f, 1)->basis, PW_BASIS_ANNUAL);
    pw_feed_close(&f);
    /* the xlsx's first sheet carries the same header and rows */
    assert_int_equal(pw_template_render(inds, 2, 2022, PW_TEMPLATE_XLSX, &out, &len), 0);
    f = parse_n(*state, out, len, PW_FEED_AUTO, today());
    free(out);
    assert_int_equal(pw_feed_nrejected(f), 2);
    assert_int_equal(pw_feed_error(f, 0)->code, PW_EFEED_MISSING);
    assert_string_equal(pw_feed_error(f, 0)->field, "value");
    pw_feed_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_all_columns),
        cmocka_unit_test(test_csv_bom_crlf_blank_lines),
        cmocka_unit_test(test_cp932),
        cmocka_unit_test(test_encoding_rejected),
        cmocka_unit_test(test_encoding_one_row),
        cmocka_unit_test(test_cp932_one_bad_row),
        cmocka_unit_test(test_csv_nul),
        cmocka_unit_test(test_echo_escaped),
        cmocka_unit_test(test_json_syntax_element),
        cmocka_unit_test(test_json_syntax_structural),
        cmocka_unit_test(test_xlsx_long_cell),
        cmocka_unit_test(test_json_ok),
        cmocka_unit_test(test_err_header),
        cmocka_unit_test(test_err_fields),
        cmocka_unit_test(test_err_missing),
        cmocka_unit_test(test_err_id),
        cmocka_unit_test(test_err_fy),
        cmocka_unit_test(test_err_value),
        cmocka_unit_test(test_json_real_decimals),
        cmocka_unit_test(test_json_huge_real),
        cmocka_unit_test(test_err_basis_bool),
        cmocka_unit_test(test_err_date),
        cmocka_unit_test(test_err_toolong),
        cmocka_unit_test(test_err_update_id),
        cmocka_unit_test(test_err_syntax),
        cmocka_unit_test(test_err_toomany),
        cmocka_unit_test(test_partial_success),
        cmocka_unit_test(test_no_catalog),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_sample_file),
        cmocka_unit_test(test_ja_headers),
        cmocka_unit_test(test_fullwidth_years),
        cmocka_unit_test(test_did_you_mean),
        cmocka_unit_test(test_id_case_warning),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_template_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
