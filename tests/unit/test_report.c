/* test_report.c - status and catalog reports as table, CSV and JSON: exact
 * CSV lines (RFC 4180 quoting), JSON that parses back with jansson, display
 * widths of Japanese text and write errors. Output goes to open_memstream
 * buffers so the tests compare bytes, not screens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "catalog.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "fy.h"
#include "explain_ja.h"
#include "report.h"
#include "unit_support.h"

#define STATUS_HEADER                                                                          \
    "id,project,name,as_of,target,expected,actual,ratio,status,grade,explanation,checkpoint_fy,"  \
    "final,overdue,assessed_grade,assessment_reason,assessed_by"

static const char cat_yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - id: p2\n"
    "    name: P\n"
    "    start_fy: 2020\n"
    "    end_fy: 2024\n"
    "    projects: [{id: pj1, name: 医薬品}]\n"
    "indicators:\n"
    "  - id: c1\n"
    "    plan: p2\n"
    "    project: pj1\n"
    "    name: \"非臨床POC, 件数\"\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target: {type: cumulative, value: 25}\n"
    "  - id: r1\n"
    "    plan: p2\n"
    "    name: '比率 \"速報\"'\n"
    "    kind: outcome\n"
    "    unit: \"%\"\n"
    "    reporting: annual\n"
    "    source: s\n"
    "    target: {type: ratio, value: 50}\n"
    "  - id: m1\n"
    "    plan: p2\n"
    "    parent: c1\n"
    "    name: うち海外\n"
    "    kind: monitoring\n"
    "    unit: 件\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target: {type: none}\n"
    "  - id: pv\n"
    "    plan: p2\n"
    "    name: 前年度平均\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: annual\n"
    "    source: s\n"
    "    target: {type: prev_average, years: 3, baseline: 7.5}\n"
    "  - id: tj\n"
    "    plan: p2\n"
    "    name: 再生・細胞医療・遺伝子治療プロジェクトにおける計画値の達成状況\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target: {type: trajectory, window: [2020, 2021], milestones: {2020: 2, 2021: 5}}\n";

static int setup(void **state)
{
    struct pw_catalog *c = NULL;
    if (ut_catalog_load(&c, "report-test.yaml", cat_yaml))
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

/* An in-memory FILE; finish() closes it and returns the text (caller frees). */
struct mem {
    FILE *f;
    char *buf;
    size_t len;
};

static void mem_open(struct mem *m)
{
    m->buf = NULL;
    m->len = 0;
    m->f = open_memstream(&m->buf, &m->len);
    assert_non_null(m->f);
}

static char *mem_finish(struct mem *m)
{
    assert_int_equal(fclose(m->f), 0);
    m->f = NULL;
    return m->buf;
}

/* pw_report_csv_field(s) as a string (caller frees). */
static char *csv_field(const char *s)
{
    struct mem m;
    mem_open(&m);
    pw_report_csv_field(m.f, s);
    return mem_finish(&m);
}

/* The nth (0-based) line of text, without its newline (caller frees). */
static char *line_at(const char *text, int n)
{
    for (int i = 0; i < n && text; i++)
        if ((text = strchr(text, '\n')))
            text++;
    assert_non_null(text);
    const char *end = strchr(text, '\n');
    size_t len = end ? (size_t)(end - text) : strlen(text);
    char *out = malloc(len + 1);
    assert_non_null(out);
    memcpy(out, text, len);
    out[len] = '\0';
    return out;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* ---- small pieces ---------------------------------------------------------- */

static void test_format_parse(void **state)
{
    (void)state;
    enum pw_format f = PW_FMT_JSON;
    assert_int_equal(pw_format_parse("table", &f), 0);
    assert_int_equal(f, PW_FMT_TABLE);
    assert_int_equal(pw_format_parse("csv", &f), 0);
    assert_int_equal(f, PW_FMT_CSV);
    assert_int_equal(pw_format_parse("json", &f), 0);
    assert_int_equal(f, PW_FMT_JSON);
    static const char *bad[] = {"", "CSV", "xml", "json ", "tab"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pw_format_parse(bad[i], &f), PW_EINVAL);
        assert_int_equal(f, PW_FMT_JSON); /* untouched */
    }
}

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(pw_report_width(""), 0);
    assert_int_equal(pw_report_width("abc"), 3);
    assert_int_equal(pw_report_width("非臨床"), 6);
    assert_int_equal(pw_report_width("非臨床POC"), 9);
    assert_int_equal(pw_report_width("POC 3件"), 7);
    assert_int_equal(pw_report_width("ＡＢ１"), 6);   /* full-width forms */
    assert_int_equal(pw_report_width("ｱｲｳ"), 3);     /* half-width katakana */
    assert_int_equal(pw_report_width("한국"), 4);     /* Hangul */
    assert_int_equal(pw_report_width("café"), 4);     /* 2-byte UTF-8, narrow */
    assert_int_equal(pw_report_width("第２期・（案）"), 14);
    assert_int_equal(pw_report_width("\xe9"), 1);     /* a broken byte counts as one */
}

static void test_csv_field(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"非臨床POC", "非臨床POC"},
        {" spaced ", " spaced "},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\r", "\"cr\r\""},
        {"件数, 累計", "\"件数, 累計\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = csv_field(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

/* ---- the catalog report ---------------------------------------------------- */

static void test_catalog_csv(void **state)
{
    struct mem m;
    mem_open(&m);
    assert_int_equal(pw_report_catalog(m.f, *state, PW_FMT_CSV), 0);
    char *out = mem_finish(&m);
    static const char want[] =
        "id,plan,project,name,kind,unit,target_type,target,window_start_fy,window_end_fy\n"
        "c1,p2,pj1,\"非臨床POC, 件数\",output,件,cumulative,25,2020,2024\n"
        "r1,p2,all,\"比率 \"\"速報\"\"\",outcome,%,ratio,50,2020,2024\n"
        "m1,p2,all,うち海外,monitoring,件,none,,2020,2024\n"
        "pv,p2,all,前年度平均,output,件,prev_average,7.5,2020,2024\n"
        "tj,p2,all,再生・細胞医療・遺伝子治療プロジェクトにおける計画値の達成状況,output,件,"
        "trajectory,5,2020,2021\n";
    assert_string_equal(out, want);
    free(out);
}

static void test_catalog_json_table(void **state)
{
    struct mem m;
    mem_open(&m);
    assert_int_equal(pw_report_catalog(m.f, *state, PW_FMT_JSON), 0);
    char *out = mem_finish(&m);
    json_error_t err;
    json_t *root = json_loads(out, 0, &err);
    if (!root)
        print_error("%s at line %d\n%s\n", err.text, err.line, out);
    assert_non_null(root);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), 5);
    json_t *c1 = json_array_get(root, 0), *r1 = json_array_get(root, 1),
           *m1 = json_array_get(root, 2), *pv = json_array_get(root, 3);
    assert_string_equal(json_string_value(json_object_get(c1, "id")), "c1");
    assert_string_equal(json_string_value(json_object_get(c1, "plan")), "p2");
    assert_string_equal(json_string_value(json_object_get(c1, "project")), "pj1");
    assert_string_equal(json_string_value(json_object_get(c1, "name")), "非臨床POC, 件数");
    assert_string_equal(json_string_value(json_object_get(c1, "target_type")), "cumulative");
    assert_int_equal(json_integer_value(json_object_get(c1, "target")), 25);
    assert_int_equal(json_integer_value(json_object_get(c1, "window_start_fy")), 2020);
    assert_int_equal(json_integer_value(json_object_get(c1, "window_end_fy")), 2024);
    assert_string_equal(json_string_value(json_object_get(c1, "reporting")), "cumulative");
    assert_null(json_object_get(c1, "parent"));
    assert_string_equal(json_string_value(json_object_get(r1, "name")), "比率 \"速報\"");
    assert_string_equal(json_string_value(json_object_get(r1, "unit")), "%");
    assert_true(json_is_null(json_object_get(m1, "target")));
    assert_string_equal(json_string_value(json_object_get(m1, "parent")), "c1");
    assert_string_equal(json_string_value(json_object_get(m1, "project")), "all");
    assert_true(json_is_real(json_object_get(pv, "target")));
    assert_true(json_real_value(json_object_get(pv, "target")) == 7.5);
    json_decref(root);
    free(out);

    mem_open(&m);
    assert_int_equal(pw_report_catalog(m.f, *state, PW_FMT_TABLE), 0);
    out = mem_finish(&m);
    assert_int_equal(count_lines(out), 6); /* the header row, then the 5 indicators */
    char *hd = line_at(out, 0);
    assert_int_equal(strncmp(hd, "ID  ", 4), 0);
    assert_non_null(strstr(hd, "TARGET  WINDOW"));
    free(hd);
    char *l0 = line_at(out, 1), *l4 = line_at(out, 5);
    assert_int_equal(strncmp(l0, "c1 ", 3), 0);
    assert_non_null(strstr(l0, "cumulative"));
    assert_non_null(strstr(l0, "FY2020–2024"));
    assert_non_null(strstr(l4, "FY2020–2021"));
    assert_non_null(strstr(l4, "…")); /* the 60-column name is cut to 50 */
    free(l0);
    free(l4);
    free(out);
}

/* ---- the status report ------------------------------------------------------ */

/* c1 (5 of 25 behind: 10 at 3/5 of the window), r1 (60 % against 50 %),
 * m1 (monitoring, no data) and tj (2021: 6 against 5), all at 2023-03-31. */
static size_t status_rows(const struct pw_catalog *cat, struct pw_status_row *rows)
{
    int32_t at = pw_day_from_ymd(2023, 3, 31);
    struct {
        const char *id;
        struct pw_obs obs;
        size_t nobs;
    } in[] = {
        {"c1", {2022, PW_DEC(10), PW_BASIS_CUMULATIVE, 0, at, 0, 0}, 1},
        {"r1", {2022, PW_DEC(60), PW_BASIS_ANNUAL, 1, at, 0, 0}, 1},
        {"m1", {0, 0, PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}, 0},
        {"tj", {2021, PW_DEC(6), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0}, 1},
    };
    for (size_t i = 0; i < 4; i++) {
        rows[i].ind = pw_catalog_find(cat, in[i].id);
        memset(&rows[i].as, 0, sizeof rows[i].as);
        assert_non_null(rows[i].ind);
        assert_int_equal(pw_eval_indicator(rows[i].ind, &in[i].obs, in[i].nobs, at, &rows[i].ev),
                         0);
    }
    assert_int_equal(rows[0].ev.status, PW_STATUS_BEHIND);
    assert_int_equal(rows[1].ev.status, PW_STATUS_ON_TRACK);
    assert_int_equal(rows[2].ev.status, PW_STATUS_NO_TARGET);
    assert_int_equal(rows[3].ev.status, PW_STATUS_ACHIEVED);
    return 4;
}

static void test_status_csv(void **state)
{
    struct pw_status_row rows[4];
    size_t n = status_rows(*state, rows);
    struct mem m;
    mem_open(&m);
    assert_int_equal(pw_report_status(m.f, rows, n, PW_FMT_CSV), 0);
    char *out = mem_finish(&m);
    assert_int_equal(count_lines(out), 5);
    char *l[5];
    for (int i = 0; i < 5; i++)
        l[i] = line_at(out, i);
    assert_string_equal(l[0], STATUS_HEADER);
    /* the name holds a comma: quoted; so does the explanation */
    static const char c1[] = "c1,pj1,\"非臨床POC, 件数\",2023-03-31,25,15,10,0.67,BEHIND,B,"
                             "\"FY2022 (3/5): expected ≥ 15 of 25, actual 10 → B, short by 5";
    assert_int_equal(strncmp(l[1], c1, strlen(c1)), 0);
    assert_non_null(strstr(l[1], "due 2024-06-30\",2022,false,false"));
    static const char r1[] = "r1,all,\"比率 \"\"速報\"\"\",2023-03-31,50,50,60,1.20,ON_TRACK,A,";
    assert_int_equal(strncmp(l[2], r1, strlen(r1)), 0);
    char *expl = csv_field(rows[1].ev.explanation);
    assert_int_equal(strncmp(l[2] + strlen(r1), expl, strlen(expl)), 0);
    assert_string_equal(l[2] + strlen(r1) + strlen(expl), ",2022,false,false,,,");
    free(expl);
    assert_string_equal(l[3], "m1,all,うち海外,2023-03-31,,,,,NO_TARGET,-,"
                              "monitoring only: no figure yet,2021,false,false,,,");
    static const char tj[] = "tj,all,";
    assert_int_equal(strncmp(l[4], tj, strlen(tj)), 0);
    assert_non_null(strstr(l[4], ",2023-03-31,5,5,6,1.20,ACHIEVED,A,"));
    assert_non_null(strstr(l[4], ",2021,true,false")); /* its window's final checkpoint */
    for (int i = 0; i < 5; i++)
        free(l[i]);
    free(out);

    /* no rows: the header alone */
    mem_open(&m);
    assert_int_equal(pw_report_status(m.f, rows, 0, PW_FMT_CSV), 0);
    out = mem_finish(&m);
    assert_string_equal(out, STATUS_HEADER "\n");
    free(out);
}

/* The secretariat's assessment of c1's checkpoint (FY2022) shows beside the
 * computed grade in every format; one of another year shows nowhere. */
static void test_status_assessed(void **state)
{
    struct pw_status_row rows[4];
    size_t n = status_rows(*state, rows);
    rows[0].as.fy = 2022;
    rows[0].as.grade = 'A';
    snprintf(rows[0].as.reason, sizeof rows[0].as.reason, "総合的に勘案, 過程を評価");
    snprintf(rows[0].as.by, sizeof rows[0].as.by, "事務局");
    rows[1].as.fy = 2021; /* not r1's checkpoint: ignored */
    rows[1].as.grade = 'B';
    for (int fmt = 0; fmt < 3; fmt++) {
        struct mem m;
        mem_open(&m);
        assert_int_equal(pw_report_status(m.f, rows, n, (enum pw_format)fmt), 0);
        char *out = mem_finish(&m);
        if (fmt == PW_FMT_TABLE) {
            assert_non_null(strstr(out, "A (assessed; computed B: FY2022 (3/5)"));
            assert_non_null(strstr(out, " — 総合的に勘案, 過程を評価, 事務局)"));
            assert_null(strstr(out, "computed A"));
        } else if (fmt == PW_FMT_CSV) {
            assert_non_null(strstr(out, ",2022,false,false,A,\"総合的に勘案, 過程を評価\",事務局\n"));
            assert_null(strstr(out, ",B,,\n"));
        } else {
            json_t *root = json_loads(out, 0, NULL);
            assert_non_null(root);
            json_t *c1 = json_array_get(root, 0), *r1 = json_array_get(root, 1);
            assert_string_equal(json_string_value(json_object_get(c1, "grade")), "B");
            assert_string_equal(json_string_value(json_object_get(c1, "assessed_grade")), "A");
            assert_string_equal(json_string_value(json_object_get(c1, "assessed_by")), "事務局");
            assert_int_equal(json_integer_value(json_object_get(c1, "assessed_fy")), 2022);
            assert_true(json_is_null(json_object_get(r1, "assessed_grade")));
            json_decref(root);
        }
        free(out);
    }
}

static void test_status_json(void **state)
{
    struct pw_status_row rows[4];
    size_t n = status_rows(*state, rows);
    struct mem m;
    mem_open(&m);
    assert_int_equal(pw_report_status(m.f, rows, n, PW_FMT_JSON), 0);
    char *out = mem_finish(&m);
    json_error_t err;
    json_t *root = json_loads(out, 0, &err);
    if (!root)
        print_error("%s at line %d\n%s\n", err.text, err.line, out);
    assert_non_null(root);
    assert_int_equal(json_array_size(root), 4);
    static const char *ids[] = {"c1", "r1", "m1", "tj"};
    static const char *status[] = {"BEHIND", "ON_TRACK", "NO_TARGET", "ACHIEVED"};
    static const char *grade[] = {"B", "A", "-", "A"};
    for (size_t i = 0; i < 4; i++) {
        json_t *o = json_array_get(root, i);
        assert_string_equal(json_string_value(json_object_get(o, "id")), ids[i]);
        assert_string_equal(json_string_value(json_object_get(o, "status")), status[i]);
        assert_string_equal(json_string_value(json_object_get(o, "grade")), grade[i]);
        assert_string_equal(json_string_value(json_object_get(o, "as_of")), "2023-03-31");
        assert_string_equal(json_string_value(json_object_get(o, "explanation")),
                            rows[i].ev.explanation);
    }
    json_t *c1 = json_array_get(root, 0), *r1 = json_array_get(root, 1),
           *m1 = json_array_get(root, 2);
    assert_string_equal(json_string_value(json_object_get(c1, "project")), "pj1");
    assert_string_equal(json_string_value(json_object_get(c1, "name")), "非臨床POC, 件数");
    assert_int_equal(json_integer_value(json_object_get(c1, "target")), 25);
    assert_int_equal(json_integer_value(json_object_get(c1, "expected")), 15);
    assert_int_equal(json_integer_value(json_object_get(c1, "actual")), 10);
    assert_true(json_real_value(json_object_get(c1, "ratio")) > 0.666 &&
                json_real_value(json_object_get(c1, "ratio")) < 0.667);
    assert_int_equal(json_integer_value(json_object_get(c1, "data_fy")), 2022);
    assert_int_equal(json_integer_value(json_object_get(c1, "checkpoint_fy")), 2022);
    assert_true(json_is_false(json_object_get(c1, "final")));
    assert_true(json_is_false(json_object_get(c1, "overdue")));
    assert_string_equal(json_string_value(json_object_get(c1, "due")), "2023-06-30");
    assert_int_equal(json_integer_value(json_object_get(c1, "next_fy")), 2023);
    assert_string_equal(json_string_value(json_object_get(c1, "next_due")), "2024-06-30");
    assert_true(json_is_true(json_object_get(json_array_get(root, 3), "final")));
    assert_true(json_is_null(json_object_get(json_array_get(root, 3), "next_fy")));
    assert_true(json_is_false(json_object_get(c1, "preliminary")));
    assert_true(json_is_true(json_object_get(r1, "preliminary")));
    assert_string_equal(json_string_value(json_object_get(r1, "name")), "比率 \"速報\"");
    assert_true(json_is_null(json_object_get(m1, "target")));
    assert_true(json_is_null(json_object_get(m1, "actual")));
    assert_true(json_is_null(json_object_get(m1, "ratio")));
    assert_true(json_is_null(json_object_get(m1, "data_fy")));
    assert_string_equal(json_string_value(json_object_get(m1, "parent")), "c1");
    json_decref(root);
    free(out);
}

static void test_status_table(void **state)
{
    struct pw_status_row rows[4];
    size_t n = status_rows(*state, rows);
    struct mem m;
    mem_open(&m);
    assert_int_equal(pw_report_status(m.f, rows, n, PW_FMT_TABLE), 0);
    char *out = mem_finish(&m);
    /* running targets, their tally; then the final results apart, theirs */
    assert_int_equal(count_lines(out), 1 + 3 + 2 + 2 + 1 + 1 + 2);
    char *hdr = line_at(out, 0);
    assert_int_equal(strncmp(hdr, "ID  G  STATUS", 13), 0);
    free(hdr);
    /* every explanation starts in the same display column, whatever the
     * name's width: names are padded or cut by width, not by bytes */
    static const int at[] = {1, 2, 3, 9};
    size_t col = 0;
    for (int i = 0; i < 4; i++) {
        char *l = line_at(out, at[i]);
        assert_int_equal(strncmp(l, rows[i].ind->id, 2), 0);
        assert_true(l[4] == rows[i].ev.grade);
        char *e = strstr(l, rows[i].ev.explanation);
        assert_non_null(e);
        *e = '\0';
        if (i == 0)
            col = pw_report_width(l);
        assert_int_equal(pw_report_width(l), col);
        free(l);
    }
    char *tj = line_at(out, 9);
    assert_non_null(strstr(tj, "…")); /* the long name is cut */
    assert_non_null(strstr(tj, "final FY2021"));
    free(tj);
    char *tally = line_at(out, 5);
    assert_string_equal(tally, "3 indicators: NO_TARGET 1 ON_TRACK 1 BEHIND 1");
    free(tally);
    char *head = line_at(out, 7);
    assert_string_equal(head, "final results (target window over):");
    free(head);
    tally = line_at(out, 11);
    assert_string_equal(tally, "1 final results: ACHIEVED 1");
    free(tally);
    free(out);
}

/* Every line of out fits in width display columns. */
static void assert_fits(const char *out, size_t width)
{
    for (int i = 0; i < count_lines(out); i++) {
        char *l = line_at(out, i);
        if (pw_report_width(l) > width)
            fprintf(stderr, "%zu columns: %s\n", pw_report_width(l), l);
        assert_true(pw_report_width(l) <= width);
        free(l);
    }
}

/* $COLUMNS=80: no line longer than 80 display columns, long text cut with
 * …; --wide: every explanation and name whole; Japanese words and headings. */
static void test_table_width(void **state)
{
    struct pw_status_row rows[4];
    size_t n = status_rows(*state, rows);
    for (int lang = 0; lang < 2; lang++) {
        for (size_t width = 60; width <= 120; width += 20) {
            struct pw_report_opts o = {(enum pw_lang)lang, width, 0};
            struct mem m;
            mem_open(&m);
            assert_int_equal(pw_report_status_opts(m.f, rows, n, PW_FMT_TABLE, &o), 0);
            char *out = mem_finish(&m);
            assert_fits(out, width);
            assert_non_null(strstr(out, "…"));
            free(out);
            mem_open(&m);
            assert_int_equal(pw_report_catalog_opts(m.f, *state, PW_FMT_TABLE, &o), 0);
            out = mem_finish(&m);
            assert_fits(out, width);
            free(out);
        }
        struct pw_report_opts o = {(enum pw_lang)lang, 80, 1};
        struct mem m;
        mem_open(&m);
        assert_int_equal(pw_report_status_opts(m.f, rows, n, PW_FMT_TABLE, &o), 0);
        char *out = mem_finish(&m);
        assert_null(strstr(out, "…"));
        for (size_t i = 0; i < n; i++) {
            char ja[PW_EXPLAIN_MAX];
            assert_non_null(strstr(out, rows[i].ind->name));
            assert_non_null(strstr(out, pw_explain(rows[i].ind, &rows[i].ev, (enum pw_lang)lang,
                                                   ja, sizeof ja)));
        }
        if (lang == PW_LANG_JA) {
            assert_int_equal(strncmp(out, "ID  進捗  状況", strlen("ID  進捗  状況")), 0);
            assert_non_null(strstr(out, "  遅れ  "));
            assert_non_null(strstr(out, "指標 3件: 目標なし 1 順調 1 遅れ 1"));
            assert_non_null(strstr(out, "最終結果（目標期間終了）:"));
        }
        free(out);
        mem_open(&m);
        assert_int_equal(pw_report_catalog_opts(m.f, *state, PW_FMT_TABLE, &o), 0);
        out = mem_finish(&m);
        assert_null(strstr(out, "…")); /* the 60-column name is whole */
        free(out);
    }
}

/* csv and json carry the explanation in the language asked for; every
 * other column stays a machine word. */
static void test_status_lang_csv(void **state)
{
    struct pw_status_row rows[4];
    size_t n = status_rows(*state, rows);
    struct pw_report_opts o = {PW_LANG_JA, 0, 0};
    char ja[PW_EXPLAIN_MAX];
    struct mem m;
    mem_open(&m);
    assert_int_equal(pw_report_status_opts(m.f, rows, n, PW_FMT_CSV, &o), 0);
    char *out = mem_finish(&m);
    assert_non_null(strstr(out, pw_explain_ja(rows[0].ind, &rows[0].ev, ja, sizeof ja)));
    assert_non_null(strstr(out, ",BEHIND,B,"));
    assert_null(strstr(out, rows[0].ev.explanation));
    free(out);
}

/* /dev/full accepts the open and fails every write. */
static void test_write_errors(void **state)
{
    struct pw_status_row rows[4];
    size_t n = status_rows(*state, rows);
    static const enum pw_format fmts[] = {PW_FMT_TABLE, PW_FMT_CSV, PW_FMT_JSON};
    for (size_t i = 0; i < 3; i++) {
        FILE *f = fopen("/dev/full", "w");
        if (!f)
            skip();
        setvbuf(f, NULL, _IONBF, 0);
        assert_int_equal(pw_report_status(f, rows, n, fmts[i]), PW_EIO);
        fclose(f);
        f = fopen("/dev/full", "w");
        assert_non_null(f);
        setvbuf(f, NULL, _IONBF, 0);
        assert_int_equal(pw_report_catalog(f, *state, fmts[i]), PW_EIO);
        fclose(f);
    }
}


/* Text from the store reaches a table or CSV escaped (pw_text_escape): a
 * catalog name and unit, an assessment's reason and name, an office, an
 * update id and a note holding ESC sequences, BEL or a bidi override come
 * out as \xHH / \uHHHH, the Japanese around them as it is. */
static const char esc_yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024}\n"
    "indicators:\n"
    "  - id: e1\n"
    "    plan: p2\n"
    "    name: \"医薬品\\e[2J件数\\u202Eお\"\n"
    "    kind: output\n"
    "    unit: \"件\\a\"\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target: {type: cumulative, value: 25}\n";

/* No raw control character (but line ends) in text. */
static void assert_no_controls(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            fail_msg("raw control 0x%02x in: %s", *p, text);
    assert_null(strstr(text, "\xE2\x80\xAE"));
}

static void test_outside_text_escaped(void **state)
{
    (void)state;
    struct pw_catalog *c = NULL;
    assert_int_equal(ut_catalog_load(&c, "esc.yaml", esc_yaml), 0);
    struct pw_status_row row;
    memset(&row, 0, sizeof row);
    row.ind = pw_catalog_find(c, "e1");
    assert_non_null(row.ind);
    struct pw_obs obs = {2022, PW_DEC(10), PW_BASIS_CUMULATIVE, 0, PW_NO_DAY, 0, 0};
    int32_t at = pw_day_from_ymd(2023, 3, 31);
    assert_int_equal(pw_eval_indicator(row.ind, &obs, 1, at, &row.ev), 0);
    row.as.fy = row.ev.cp.fy;
    row.as.grade = row.ev.grade == 'A' ? 'B' : 'A';
    snprintf(row.as.reason, sizeof row.as.reason, "総合的に\x1b]0;title\x07勘案");
    snprintf(row.as.by, sizeof row.as.by, "事務局\x1b[m");
    const struct pw_report_opts wide = {PW_LANG_JA, 0, 1};
    for (int fmt = 0; fmt < 2; fmt++) { /* table, CSV */
        struct mem m;
        mem_open(&m);
        assert_int_equal(pw_report_status_opts(m.f, &row, 1, (enum pw_format)fmt, &wide), 0);
        char *out = mem_finish(&m);
        assert_no_controls(out);
        assert_non_null(strstr(out, "医薬品\\x1b[2J件数\\u202eお"));
        assert_non_null(strstr(out, "総合的に\\x1b]0;title\\x07勘案"));
        assert_non_null(strstr(out, "事務局\\x1b[m"));
        free(out);
        mem_open(&m);
        assert_int_equal(pw_report_catalog_opts(m.f, c, (enum pw_format)fmt, &wide), 0);
        out = mem_finish(&m);
        assert_no_controls(out);
        assert_non_null(strstr(out, "医薬品\\x1b[2J件数\\u202eお"));
        if (fmt == PW_FMT_CSV)
            assert_non_null(strstr(out, ",件\\x07,"));
        free(out);
    }
    /* the revision history's office, update id and note */
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT, *up = &u;
    u.seq = 1;
    u.fiscal_year = 2022;
    u.as_of = "2023-03-31";
    u.office = "事務局\x1b[31m";
    u.update_id = "u-1";
    u.note = "速報値\x1b[2J\r\n再集計中\xc2\x9b";
    struct mem m;
    mem_open(&m);
    assert_int_equal(pw_report_history(m.f, "e1", &up, 1, PW_FMT_CSV), 0);
    char *out = mem_finish(&m);
    assert_no_controls(out);
    assert_int_equal(count_lines(out), 2); /* the note's line break is shown, not made */
    assert_non_null(strstr(out, ",2023-03-31,事務局\\x1b[31m,"));
    assert_non_null(strstr(out, ",u-1,速報値\\x1b[2J\\r\\n再集計中\\u009b,true\n"));
    free(out);
    pw_catalog_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_csv_field),
        cmocka_unit_test(test_catalog_csv),
        cmocka_unit_test(test_catalog_json_table),
        cmocka_unit_test(test_status_csv),
        cmocka_unit_test(test_status_json),
        cmocka_unit_test(test_status_assessed),
        cmocka_unit_test(test_status_table),
        cmocka_unit_test(test_table_width),
        cmocka_unit_test(test_status_lang_csv),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_outside_text_escaped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
