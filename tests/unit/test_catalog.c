/* test_catalog.c - the YAML catalog loader: what a valid catalog turns into,
 * and every PW_ECAT_* error with its exact line and field path. Catalogs are
 * small inline YAML texts; line numbers are found by searching the text, so
 * a test names the line it means ("value: abc") instead of counting. */
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
#include "err.h"
#include "msg.h"

/* A plan p2 (FY2020-2024, projects pj1 and pj2) and the "indicators:" key;
 * the indicators follow. */
#define HEAD                                                                                   \
    "version: 1\n"                                                                             \
    "plans:\n"                                                                                 \
    "  - id: p2\n"                                                                             \
    "    name: 第２期計画\n"                                                               \
    "    start_fy: 2020\n"                                                                     \
    "    end_fy: 2024\n"                                                                       \
    "    projects:\n"                                                                          \
    "      - id: pj1\n"                                                                        \
    "        name: 医薬品\n"                                                                \
    "      - id: pj2\n"                                                                        \
    "        name: 医療機器\n"                                                             \
    "indicators:\n"

/* An indicator of plan p2, everything but its target. */
#define IND(id)                                                                                \
    "  - id: " id "\n"                                                                         \
    "    plan: p2\n"                                                                           \
    "    name: N\n"                                                                            \
    "    kind: output\n"                                                                       \
    "    unit: 件\n"                                                                           \
    "    reporting: cumulative\n"                                                              \
    "    source: s\n"

#define CUM "    target: {type: cumulative, value: 25}\n"

/* Loads one buffer named "t.yaml". diag is cleared first so a code left at
 * 0 shows the loader did not fill it. */
static int load1(struct pw_catalog **out, const char *yaml, struct pw_diag *d)
{
    const char *names[] = {"t.yaml"};
    const char *bufs[] = {yaml};
    size_t lens[] = {strlen(yaml)};
    memset(d, 0, sizeof *d);
    return pw_catalog_load_buffers(out, names, bufs, lens, 1, d);
}

/* 1-based line of the nth (1-based) occurrence of needle in text; 0 if absent. */
static int line_nth(const char *text, const char *needle, int nth)
{
    const char *hit = NULL;
    for (int i = 0; i < nth; i++)
        if (!(hit = strstr(hit ? hit + 1 : text, needle)))
            return 0;
    int line = 1;
    for (const char *p = text; p < hit; p++)
        line += *p == '\n';
    return line;
}

static int line_of(const char *text, const char *needle)
{
    return line_nth(text, needle, 1);
}

/* Loads yaml and asserts it fails with code at line, naming field, with
 * *out untouched. line -1 means "don't check the line". */
static void expect_err(const char *yaml, int code, int line, const char *field)
{
    static int sentinel;
    struct pw_catalog *c = (struct pw_catalog *)(void *)&sentinel;
    struct pw_diag d;
    int rc = load1(&c, yaml, &d);
    if (rc != code || d.code != code || (line >= 0 && d.line != line) ||
        (field && strcmp(d.field, field) != 0))
        print_error("want %s line %d field '%s'; got rc %s diag %s line %d field '%s': %s\n"
                    "--- yaml ---\n%s\n",
                    pw_errname(code), line, field ? field : "*", pw_errname(rc),
                    pw_errname(d.code), d.line, d.field, d.msg, yaml);
    int loaded = c != (struct pw_catalog *)(void *)&sentinel;
    if (loaded)
        pw_catalog_close(&c); /* a wrongly accepted catalog must not leak */
    assert_int_equal(rc, code);
    assert_int_equal(d.code, code);
    assert_false(loaded); /* *out untouched on failure */
    assert_string_equal(d.file, "t.yaml");
    assert_true(d.msg[0] != '\0');
    if (line >= 0)
        assert_int_equal(d.line, line);
    if (field)
        assert_string_equal(d.field, field);
}

/* ---- a valid catalog ---------------------------------------------------- */

static const char valid_yaml[] =
    HEAD
    "  - id: cum\n"
    "    plan: p2\n"
    "    project: pj1\n"
    "    name: 非臨床POCの取得件数\n"
    "    name_en: Non-clinical POCs\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: cumulative\n"
    "    source: \"a.txt:1, b.txt:2\"\n"
    "    target_text: 25件\n"
    "    note: a note\n"
    "    target: {type: cumulative, value: 25}\n"
    "  - id: ann\n"
    "    plan: p2\n"
    "    project: pj2\n"
    "    name: 単年度\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: annual\n"
    "    deadline: \"09-30\"\n"
    "    at_risk_margin: 5.5\n"
    "    source: s\n"
    "    target:\n"
    "      type: annual\n"
    "      value: 3\n"
    "      window: [2021, 2023]\n"
    "      better: lower\n"
    "  - id: lvl\n"
    "    plan: p2\n"
    "    name: 水準\n"
    "    kind: outcome\n"
    "    unit: \"%\"\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target: {type: level, value: 80, baseline: 50.25}\n"
    "  - id: rat\n"
    "    plan: p2\n"
    "    name: 比率\n"
    "    kind: outcome\n"
    "    unit: ％\n"
    "    reporting: annual\n"
    "    source: s\n"
    "    target: {type: ratio, value: 46.5, window: [令和3, 令和6年度]}\n"
    "  - id: roll\n"
    "    plan: p2\n"
    "    name: 平均\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: annual\n"
    "    source: s\n"
    "    target: {type: rolling_average, value: 10, years: 3}\n"
    "  - id: above\n"
    "    plan: p2\n"
    "    name: 基準超\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: annual\n"
    "    source: s\n"
    "    target: {type: above_baseline, value: 100}\n"
    "  - id: prev\n"
    "    plan: p2\n"
    "    name: 前年平均\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: annual\n"
    "    source: s\n"
    "    target: {type: prev_average, years: 3, lag: 2, baseline: 7}\n"
    "  - id: prev1\n"
    "    plan: p2\n"
    "    name: 前年平均1\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: annual\n"
    "    source: s\n"
    "    target: {type: prev_average, years: 2}\n"
    "  - id: traj\n"
    "    plan: p2\n"
    "    name: 計画値\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target:\n"
    "      type: trajectory\n"
    "      start: 0.5\n"
    "      milestones: {2020: 1, 2021: 2, 令和4: 4, 2023: 8, 2024: 16}\n"
    "  - id: mon\n"
    "    plan: p2\n"
    "    parent: cum\n"
    "    name: うち海外\n"
    "    kind: monitoring\n"
    "    unit: 件\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target: {type: none}\n"
    "  - id: p3-x\n"
    "    plan: p3\n"
    "    name: 第３期\n"
    "    kind: output\n"
    "    unit: 件\n"
    "    reporting: cumulative\n"
    "    source: s\n"
    "    target: {type: cumulative, value: 12}\n";

/* plan p3 lives in its own file and uses 令和 years */
static const char p3_yaml[] = "version: 1\n"
                              "plans:\n"
                              "  - id: p3\n"
                              "    name: 第３期計画\n"
                              "    start_fy: 令和7\n"
                              "    end_fy: 令和11年度\n";

static int load_valid(struct pw_catalog **c)
{
    /* p3 first: an indicator needs its plan loaded already */
    const char *names[] = {"p3.yaml", "t.yaml"};
    const char *bufs[] = {p3_yaml, valid_yaml};
    size_t lens[] = {strlen(p3_yaml), strlen(valid_yaml)};
    struct pw_diag d;
    memset(&d, 0, sizeof d);
    int rc = pw_catalog_load_buffers(c, names, bufs, lens, 2, &d);
    if (rc)
        print_error("%s:%d: %s: %s\n", d.file, d.line, d.field, d.msg);
    return rc;
}

static void test_valid_plans(void **state)
{
    (void)state;
    struct pw_catalog *c = NULL;
    assert_int_equal(load_valid(&c), 0);
    assert_non_null(c);
    assert_int_equal(pw_catalog_count(c), 11);
    assert_int_equal(pw_catalog_nplans(c), 2);

    const struct pw_plan *p3 = pw_catalog_plan(c, 0), *p2 = pw_catalog_plan(c, 1);
    assert_null(pw_catalog_plan(c, 2));
    assert_string_equal(p3->id, "p3");
    assert_int_equal(p3->first_fy, 2025); /* 令和7 */
    assert_int_equal(p3->last_fy, 2029);  /* 令和11年度 */
    assert_int_equal(p3->nprojects, 0);
    assert_string_equal(p3->name_en, "");
    assert_string_equal(p2->id, "p2");
    assert_string_equal(p2->name, "第２期計画");
    assert_int_equal(p2->first_fy, 2020);
    assert_int_equal(p2->last_fy, 2024);
    assert_int_equal(p2->nprojects, 2);
    assert_string_equal(p2->projects[0].id, "pj1");
    assert_string_equal(p2->projects[1].name, "医療機器");
    assert_ptr_equal(p2->projects[1].plan, p2);
    assert_ptr_equal(pw_catalog_find_plan(c, "p2"), p2);
    assert_ptr_equal(pw_catalog_find_plan(c, "p3"), p3);
    assert_null(pw_catalog_find_plan(c, "p4"));

    /* load order and lookup by id agree */
    for (size_t i = 0; i < pw_catalog_count(c); i++) {
        const struct pw_indicator *ind = pw_catalog_at(c, i);
        assert_int_equal(ind->index, i);
        assert_ptr_equal(pw_catalog_find(c, ind->id), ind);
        assert_string_equal(ind->file, "t.yaml");
    }
    assert_null(pw_catalog_at(c, pw_catalog_count(c)));
    assert_null(pw_catalog_find(c, "nope"));
    assert_null(pw_catalog_find(c, "cu"));
    assert_null(pw_catalog_find(c, NULL));

    const struct pw_indicator *x = pw_catalog_find(c, "p3-x");
    assert_ptr_equal(x->plan, p3);
    assert_null(x->project);
    assert_int_equal(x->target.first_fy, 2025); /* window defaults to its plan's */
    assert_int_equal(x->target.last_fy, 2029);
    pw_catalog_close(&c);
    assert_null(c);
}

static void test_valid_indicators(void **state)
{
    (void)state;
    struct pw_catalog *c = NULL;
    assert_int_equal(load_valid(&c), 0);
    const struct pw_plan *p2 = pw_catalog_find_plan(c, "p2");

    const struct pw_indicator *cum = pw_catalog_find(c, "cum");
    assert_string_equal(cum->name, "非臨床POCの取得件数");
    assert_string_equal(cum->name_en, "Non-clinical POCs");
    assert_string_equal(cum->unit, "件");
    assert_string_equal(cum->source, "a.txt:1, b.txt:2");
    assert_string_equal(cum->target_text, "25件");
    assert_string_equal(cum->note, "a note");
    assert_ptr_equal(cum->plan, p2);
    assert_ptr_equal(cum->project, &p2->projects[0]);
    assert_string_equal(pw_indicator_project_id(cum), "pj1");
    assert_null(cum->parent);
    assert_int_equal(cum->kind, PW_KIND_OUTPUT);
    assert_int_equal(cum->reporting, PW_BASIS_CUMULATIVE);
    assert_int_equal(cum->line, line_of(valid_yaml, "- id: cum"));
    /* defaults: margin 10 %, figures due 06-30 */
    assert_int_equal(cum->at_risk_margin, PW_DEC(10));
    assert_int_equal(cum->deadline_month, 6);
    assert_int_equal(cum->deadline_day, 30);
    assert_int_equal(cum->percent, 0);
    assert_int_equal(cum->target.type, PW_TARGET_CUMULATIVE);
    assert_int_equal(cum->target.value, PW_DEC(25));
    assert_int_equal(cum->target.lower_better, 0);
    assert_int_equal(cum->target.first_fy, 2020);
    assert_int_equal(cum->target.last_fy, 2024);
    int64_t fin = 0;
    assert_int_equal(pw_target_final(&cum->target, &fin), 1);
    assert_int_equal(fin, PW_DEC(25));

    const struct pw_indicator *ann = pw_catalog_find(c, "ann");
    assert_ptr_equal(ann->project, &p2->projects[1]);
    assert_string_equal(pw_indicator_project_id(ann), "pj2");
    assert_string_equal(ann->name_en, ""); /* absent optional strings are "" */
    assert_string_equal(ann->target_text, "");
    assert_string_equal(ann->note, "");
    assert_int_equal(ann->reporting, PW_BASIS_ANNUAL);
    assert_int_equal(ann->deadline_month, 9); /* per-indicator overrides */
    assert_int_equal(ann->deadline_day, 30);
    assert_int_equal(ann->at_risk_margin, PW_DEC(11) / 2);
    assert_int_equal(ann->target.type, PW_TARGET_ANNUAL);
    assert_int_equal(ann->target.value, PW_DEC(3));
    assert_int_equal(ann->target.lower_better, 1);
    assert_int_equal(ann->target.first_fy, 2021); /* explicit window */
    assert_int_equal(ann->target.last_fy, 2023);
    assert_int_equal(pw_target_final(&ann->target, &fin), 0);

    const struct pw_indicator *lvl = pw_catalog_find(c, "lvl");
    assert_string_equal(pw_indicator_project_id(lvl), "all");
    assert_null(lvl->project);
    assert_int_equal(lvl->kind, PW_KIND_OUTCOME);
    assert_int_equal(lvl->percent, 1);
    assert_int_equal(lvl->target.type, PW_TARGET_LEVEL);
    assert_int_equal(lvl->target.value, PW_DEC(80));
    assert_int_equal(lvl->target.baseline, PW_DEC(50) + PW_DEC_SCALE / 4);
    assert_int_equal(lvl->target.has_baseline, 1);
    assert_int_equal(pw_target_final(&lvl->target, &fin), 1);
    assert_int_equal(fin, PW_DEC(80));

    const struct pw_indicator *rat = pw_catalog_find(c, "rat");
    assert_int_equal(rat->percent, 1); /* full-width ％ too */
    assert_int_equal(rat->target.type, PW_TARGET_RATIO);
    assert_int_equal(rat->target.value, PW_DEC(465) / 10);
    assert_int_equal(rat->target.first_fy, 2021); /* window in 令和 years */
    assert_int_equal(rat->target.last_fy, 2024);

    const struct pw_indicator *roll = pw_catalog_find(c, "roll");
    assert_int_equal(roll->target.type, PW_TARGET_ROLLING_AVERAGE);
    assert_int_equal(roll->target.value, PW_DEC(10));
    assert_int_equal(roll->target.years, 3);

    const struct pw_indicator *above = pw_catalog_find(c, "above");
    assert_int_equal(above->target.type, PW_TARGET_ABOVE_BASELINE);
    assert_int_equal(above->target.value, PW_DEC(100));

    const struct pw_indicator *prev = pw_catalog_find(c, "prev");
    assert_int_equal(prev->target.type, PW_TARGET_PREV_AVERAGE);
    assert_int_equal(prev->target.years, 3);
    assert_int_equal(prev->target.lag, 2);
    assert_int_equal(prev->target.baseline, PW_DEC(7));
    assert_int_equal(prev->target.has_baseline, 1);
    const struct pw_indicator *prev1 = pw_catalog_find(c, "prev1");
    assert_int_equal(prev1->target.years, 2);
    assert_int_equal(prev1->target.lag, 1); /* default */
    assert_int_equal(prev1->target.has_baseline, 0);

    const struct pw_indicator *traj = pw_catalog_find(c, "traj");
    assert_int_equal(traj->target.type, PW_TARGET_TRAJECTORY);
    assert_int_equal(traj->target.start, PW_DEC_SCALE / 2);
    static const int64_t ms[] = {1, 2, 4, 8, 16};
    for (int i = 0; i < 5; i++)
        assert_int_equal(traj->target.milestones[i], PW_DEC(ms[i]));
    assert_int_equal(pw_target_final(&traj->target, &fin), 1);
    assert_int_equal(fin, PW_DEC(16));

    const struct pw_indicator *mon = pw_catalog_find(c, "mon");
    assert_int_equal(mon->kind, PW_KIND_MONITORING);
    assert_int_equal(mon->target.type, PW_TARGET_NONE);
    assert_ptr_equal(mon->parent, cum);
    assert_int_equal(pw_target_final(&mon->target, &fin), 0);

    /* the years a feed may report: prev_average reads years + lag - 1 before */
    int first = 0, last = 0;
    pw_indicator_fy_range(cum, &first, &last);
    assert_int_equal(first, 2020);
    assert_int_equal(last, 2024);
    pw_indicator_fy_range(ann, &first, &last);
    assert_int_equal(first, 2021);
    assert_int_equal(last, 2023);
    pw_indicator_fy_range(prev, &first, &last);
    assert_int_equal(first, 2020 - (3 + 2 - 1));
    assert_int_equal(last, 2024);
    pw_indicator_fy_range(prev1, &first, &last);
    assert_int_equal(first, 2020 - (2 + 1 - 1));

    pw_catalog_close(&c);
}

static void test_names(void **state)
{
    (void)state;
    enum pw_basis b = PW_BASIS_ANNUAL;
    assert_string_equal(pw_kind_name(PW_KIND_MONITORING), "monitoring");
    assert_string_equal(pw_basis_name(PW_BASIS_CUMULATIVE), "cumulative");
    assert_string_equal(pw_target_type_name(PW_TARGET_PREV_AVERAGE), "prev_average");
    assert_string_equal(pw_target_type_name(PW_TARGET_TRAJECTORY), "trajectory");
    assert_string_equal(pw_target_type_name((enum pw_target_type)99), "?");
    assert_int_equal(pw_basis_parse("cumulative", &b), 0);
    assert_int_equal(b, PW_BASIS_CUMULATIVE);
    assert_int_equal(pw_basis_parse("yearly", &b), PW_EINVAL);
    assert_int_equal(b, PW_BASIS_CUMULATIVE);
}

/* defaults: apply to the file that sets them, not to the next file */
static void test_defaults_per_file(void **state)
{
    (void)state;
    static const char a[] = "version: 1\n"
                            "defaults: {at_risk_margin: 20, deadline: \"07-31\", forecast: 2}\n"
                            "plans:\n"
                            "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024}\n"
                            "indicators:\n" IND("a1") CUM IND("a2")
                            "    at_risk_margin: 0\n"
                            "    forecast: 0\n"
                            "    deadline: \"12-31\"\n" CUM;
    static const char b[] = "version: 1\nindicators:\n" IND("b1") CUM;
    const char *names[] = {"a.yaml", "b.yaml"};
    const char *bufs[] = {a, b};
    size_t lens[] = {strlen(a), strlen(b)};
    struct pw_catalog *c = NULL;
    struct pw_diag d;
    assert_int_equal(pw_catalog_load_buffers(&c, names, bufs, lens, 2, &d), 0);
    const struct pw_indicator *a1 = pw_catalog_find(c, "a1"), *a2 = pw_catalog_find(c, "a2"),
                              *b1 = pw_catalog_find(c, "b1");
    assert_int_equal(a1->at_risk_margin, PW_DEC(20));
    assert_int_equal(a1->deadline_month, 7);
    assert_int_equal(a1->deadline_day, 31);
    assert_int_equal(a2->at_risk_margin, 0);
    assert_int_equal(a2->deadline_month, 12);
    assert_int_equal(b1->at_risk_margin, PW_DEC(10));
    assert_int_equal(b1->deadline_month, 6);
    assert_int_equal(b1->deadline_day, 30);
    assert_int_equal(a1->forecast_years, 2);
    assert_int_equal(a2->forecast_years, 0);
    assert_int_equal(b1->forecast_years, 1); /* the default: the last year's pace */
    assert_string_equal(b1->file, "b.yaml");
    assert_ptr_equal(b1->plan, a1->plan); /* a plan of an earlier file is visible */
    pw_catalog_close(&c);
    /* forecast reads the pace of 0 (off) to 5 years */
    static const char bad[] = "version: 1\n"
                              "defaults: {forecast: 6}\n";
    const char *bn[] = {"bad.yaml"}, *bb[] = {bad};
    size_t bl[] = {strlen(bad)};
    assert_int_equal(pw_catalog_load_buffers(&c, bn, bb, bl, 1, &d), PW_ECAT_VALUE);
    assert_string_equal(d.field, "defaults.forecast");
    assert_null(c);
}

/* ---- PW_ECAT_YAML, PW_ECAT_VERSION --------------------------------------- */

static void test_err_yaml(void **state)
{
    (void)state;
    /* the bracket never closes: libyaml notices at the end of the text */
    expect_err("version: 1\nplans: [\n  {id: p2}\n", PW_ECAT_YAML, 4, "");
    static const char tab[] = "version: 1\nplans:\n\t- id: p2\n";
    expect_err(tab, PW_ECAT_YAML, line_of(tab, "\t"), "");
}

static void test_err_version(void **state)
{
    (void)state;
    expect_err("# a comment\nversion: 2\nplans: []\n", PW_ECAT_VERSION, 2, "version");
    expect_err("plans: []\n", PW_ECAT_MISSING, 1, "version");
    expect_err("version: one\n", PW_ECAT_TYPE, 1, "version");
    expect_err("version: 1.5\n", PW_ECAT_VALUE, 1, "version");
}

/* ---- PW_ECAT_KEY ---------------------------------------------------------- */

static void test_err_key(void **state)
{
    (void)state;
    static const char top[] = HEAD IND("a") CUM "colour: red\n";
    expect_err(top, PW_ECAT_KEY, line_of(top, "colour"), "");

    static const char plan[] = "version: 1\n"
                               "plans:\n"
                               "  - id: p2\n"
                               "    name: P\n"
                               "    budget: 10\n"
                               "    start_fy: 2020\n"
                               "    end_fy: 2024\n";
    expect_err(plan, PW_ECAT_KEY, 5, "plans[0]");

    static const char proj[] = "version: 1\n"
                               "plans:\n"
                               "  - id: p2\n"
                               "    name: P\n"
                               "    start_fy: 2020\n"
                               "    end_fy: 2024\n"
                               "    projects:\n"
                               "      - id: pj1\n"
                               "        name: X\n"
                               "      - id: pj2\n"
                               "        name: Y\n"
                               "        budget: 3\n";
    expect_err(proj, PW_ECAT_KEY, 12, "plans[0].projects[1]");

    static const char ind[] = HEAD IND("a") CUM IND("b") "    colour: red\n" CUM;
    expect_err(ind, PW_ECAT_KEY, line_of(ind, "colour"), "indicators[1]");

    static const char tgt[] = HEAD IND("a") "    target:\n"
                                            "      type: cumulative\n"
                                            "      value: 5\n"
                                            "      colour: red\n";
    expect_err(tgt, PW_ECAT_KEY, line_of(tgt, "colour"), "indicators[0].target");

    /* a known key the target type does not use */
    static const char yrs[] = HEAD IND("a") "    target:\n"
                                            "      type: cumulative\n"
                                            "      value: 5\n"
                                            "      years: 3\n";
    expect_err(yrs, PW_ECAT_KEY, line_of(yrs, "years"), "indicators[0].target.years");
    static const char ms[] = HEAD IND("a") "    target:\n"
                                           "      type: level\n"
                                           "      value: 5\n"
                                           "      milestones: {2020: 1}\n";
    expect_err(ms, PW_ECAT_KEY, line_of(ms, "milestones"), "indicators[0].target.milestones");
    static const char lag[] = HEAD IND("a") "    target: {type: rolling_average, value: 5, "
                                            "years: 2, lag: 1}\n";
    expect_err(lag, PW_ECAT_KEY, line_of(lag, "lag"), "indicators[0].target.lag");
}

/* "value" on a target type that has none. Regression tests: cat_load_target
 * used to start its "unused key" loop past "value", so on a none target it
 * returned PW_ECAT_KEY without filling the diag, and on prev_average and
 * trajectory targets it accepted the value silently. */
static void test_err_key_value_on_none_target(void **state)
{
    (void)state;
    static const char none[] = HEAD IND("a") "    target:\n"
                                             "      type: none\n"
                                             "      value: 5\n";
    expect_err(none, PW_ECAT_KEY, line_of(none, "value: 5"), "indicators[0].target.value");
}

static void test_err_key_value_on_prev_average_target(void **state)
{
    (void)state;
    static const char prev[] = HEAD IND("a") "    target:\n"
                                             "      type: prev_average\n"
                                             "      years: 3\n"
                                             "      value: 5\n";
    expect_err(prev, PW_ECAT_KEY, line_of(prev, "value: 5"), "indicators[0].target.value");
}

static void test_err_key_value_on_trajectory_target(void **state)
{
    (void)state;
    static const char traj[] = HEAD IND("a") "    target:\n"
                                             "      type: trajectory\n"
                                             "      value: 5\n"
                                             "      milestones: {2020: 1, 2021: 2, 2022: 3, "
                                             "2023: 4, 2024: 5}\n";
    expect_err(traj, PW_ECAT_KEY, line_of(traj, "value: 5"), "indicators[0].target.value");
}

/* A plan that states only some milestones: the others lie on the straight
 * line between stated ones, exactly; must_report defaults by kind. */
static void test_sparse_milestones_and_must_report(void **state)
{
    (void)state;
    static const char y[] = HEAD IND("a") "    target:\n"
                                          "      type: trajectory\n"
                                          "      milestones: {2021: 0, 2024: 10}\n"
                                          "  - {id: m, plan: p2, name: M, kind: monitoring, unit: 件,"
                                          " reporting: annual, source: s, target: {type: none}}\n"
                                          "  - {id: r, plan: p2, name: M, kind: monitoring, unit: 件,"
                                          " reporting: annual, source: s, must_report: true,"
                                          " target: {type: none}}\n"
                                          "  - {id: q, plan: p2, name: Q, kind: output, unit: 件,"
                                          " reporting: annual, source: s, must_report: false,"
                                          " target: {type: none}}\n";
    struct pw_catalog *c = NULL;
    struct pw_diag d;
    assert_int_equal(load1(&c, y, &d), 0);
    const struct pw_target *t = &pw_catalog_find(c, "a")->target;
    int64_t num, den;
    pw_target_milestone(t, 2020, &num, &den); /* from start 0 to 0 */
    assert_true(num == 0);
    pw_target_milestone(t, 2022, &num, &den); /* 0 + 10 x 1/3 */
    assert_true(num * 3 == PW_DEC(10) * den);
    pw_target_milestone(t, 2023, &num, &den);
    assert_true(num * 3 == PW_DEC(20) * den);
    assert_int_equal(t->milestones[1], PW_DEC(0));
    assert_int_equal(t->milestones[2], 3333333); /* rounded for display only */
    assert_int_equal(t->milestone_stated[2], 0);
    assert_int_equal(t->milestone_stated[4], 1);
    assert_int_equal(pw_catalog_find(c, "a")->must_report, 1);
    assert_int_equal(pw_catalog_find(c, "m")->must_report, 0);
    assert_int_equal(pw_catalog_find(c, "r")->must_report, 1);
    assert_int_equal(pw_catalog_find(c, "q")->must_report, 0);
    pw_catalog_close(&c);
    static const char bad[] = HEAD IND("a") CUM "    must_report: maybe\n";
    expect_err(bad, PW_ECAT_VALUE, line_of(bad, "must_report"), "indicators[0].must_report");
}

/* ---- PW_ECAT_MISSING ------------------------------------------------------ */

static void test_err_missing(void **state)
{
    (void)state;
    static const char noname[] = HEAD IND("a") CUM "  - id: b\n"
                                                   "    plan: p2\n"
                                                   "    kind: output\n"
                                                   "    unit: 件\n"
                                                   "    reporting: cumulative\n"
                                                   "    source: s\n" CUM;
    /* a missing key is reported at the map that lacks it */
    expect_err(noname, PW_ECAT_MISSING, line_of(noname, "- id: b"), "indicators[1].name");

    static const char notarget[] = HEAD IND("a");
    expect_err(notarget, PW_ECAT_MISSING, line_of(notarget, "- id: a"), "indicators[0].target");

    static const char traj[] = HEAD IND("a") "    target:\n"
                                             "      type: trajectory\n"
                                             "      milestones:\n"
                                             "        2020: 1\n"
                                             "        2021: 2\n"
                                             "        2023: 4\n";
    /* the window end must be stated; the years between may be left out */
    expect_err(traj, PW_ECAT_MISSING, line_of(traj, "2020: 1"),
               "indicators[0].target.milestones");
    static const char nomilestones[] = HEAD IND("a") "    target: {type: trajectory}\n";
    expect_err(nomilestones, PW_ECAT_MISSING, line_of(nomilestones, "target:"),
               "indicators[0].target.milestones");

    static const char novalue[] = HEAD IND("a") "    target: {type: annual}\n";
    expect_err(novalue, PW_ECAT_MISSING, line_of(novalue, "target:"),
               "indicators[0].target.value");
    static const char noyears[] = HEAD IND("a") "    target: {type: rolling_average, value: 2}\n";
    expect_err(noyears, PW_ECAT_MISSING, line_of(noyears, "target:"),
               "indicators[0].target.years");
    static const char notype[] = HEAD IND("a") "    target: {value: 2}\n";
    expect_err(notype, PW_ECAT_MISSING, line_of(notype, "target:"), "indicators[0].target.type");

    static const char noend[] = "version: 1\n"
                                "plans:\n"
                                "  - id: p2\n"
                                "    name: P\n"
                                "    start_fy: 2020\n";
    expect_err(noend, PW_ECAT_MISSING, 3, "plans[0].end_fy");

    expect_err("", PW_ECAT_MISSING, 0, "");
    expect_err("# only a comment\n", PW_ECAT_MISSING, 0, "");
}

/* ---- PW_ECAT_TYPE --------------------------------------------------------- */

static void test_err_type(void **state)
{
    (void)state;
    static const char abc[] = HEAD IND("a") "    target:\n"
                                            "      type: cumulative\n"
                                            "      value: abc\n";
    expect_err(abc, PW_ECAT_TYPE, line_of(abc, "value: abc"), "indicators[0].target.value");

    static const char plans_map[] = "version: 1\n"
                                    "plans:\n"
                                    "  id: p2\n"
                                    "  name: P\n";
    expect_err(plans_map, PW_ECAT_TYPE, 3, "plans");

    static const char inds_scalar[] = "version: 1\nindicators: none\n";
    expect_err(inds_scalar, PW_ECAT_TYPE, 2, "indicators");

    static const char name_list[] = HEAD "  - id: a\n"
                                         "    plan: p2\n"
                                         "    name: [x, y]\n";
    expect_err(name_list, PW_ECAT_TYPE, line_of(name_list, "[x, y]"), "indicators[0].name");

    static const char window[] = HEAD IND("a") "    target: {type: cumulative, value: 1, "
                                               "window: 2020}\n";
    expect_err(window, PW_ECAT_TYPE, line_of(window, "target:"), "indicators[0].target.window");

    static const char root_list[] = "- version: 1\n";
    expect_err(root_list, PW_ECAT_TYPE, 1, "");
}

/* ---- PW_ECAT_VALUE -------------------------------------------------------- */

static void test_err_value(void **state)
{
    (void)state;
    static const char id[] = HEAD "  - id: P2 X\n"
                                  "    plan: p2\n";
    expect_err(id, PW_ECAT_VALUE, line_of(id, "P2 X"), "indicators[0].id");

    static const char plan_id[] = "version: 1\n"
                                  "plans:\n"
                                  "  - id: p2.x\n"
                                  "    name: P\n";
    expect_err(plan_id, PW_ECAT_VALUE, 3, "plans[0].id");

    static const char kind[] = HEAD "  - id: a\n"
                                    "    plan: p2\n"
                                    "    name: N\n"
                                    "    kind: input\n";
    expect_err(kind, PW_ECAT_VALUE, line_of(kind, "kind"), "indicators[0].kind");

    static const char type[] = HEAD IND("a") "    target:\n"
                                             "      type: linear\n";
    expect_err(type, PW_ECAT_VALUE, line_of(type, "linear"), "indicators[0].target.type");

    static const char pct[] = HEAD "  - id: a\n"
                                   "    plan: p2\n"
                                   "    name: N\n"
                                   "    kind: outcome\n"
                                   "    unit: \"%\"\n"
                                   "    reporting: annual\n"
                                   "    source: s\n"
                                   "    target:\n"
                                   "      type: ratio\n"
                                   "      value: 150\n";
    expect_err(pct, PW_ECAT_VALUE, line_of(pct, "150"), "indicators[0].target.value");

    static const char neg[] = HEAD IND("a") "    target:\n"
                                            "      type: cumulative\n"
                                            "      value: -1\n";
    expect_err(neg, PW_ECAT_VALUE, line_of(neg, "value: -1"), "indicators[0].target.value");

    static const char decimals[] = HEAD IND("a") "    target:\n"
                                                 "      type: cumulative\n"
                                                 "      value: 1.1234567\n";
    expect_err(decimals, PW_ECAT_VALUE, line_of(decimals, "1.12"), "indicators[0].target.value");

    static const char deadline[] = HEAD IND("a") "    deadline: \"13-01\"\n" CUM;
    expect_err(deadline, PW_ECAT_VALUE, line_of(deadline, "13-01"), "indicators[0].deadline");
    static const char feb29[] = "version: 1\ndefaults:\n  deadline: \"02-29\"\n";
    expect_err(feb29, PW_ECAT_VALUE, 3, "defaults.deadline");

    static const char margin[] = HEAD IND("a") "    at_risk_margin: 120\n" CUM;
    expect_err(margin, PW_ECAT_VALUE, line_of(margin, "120"), "indicators[0].at_risk_margin");
    static const char dmargin[] = "version: 1\ndefaults: {at_risk_margin: -1}\n";
    expect_err(dmargin, PW_ECAT_VALUE, 2, "defaults.at_risk_margin");

    static const char window[] = HEAD IND("a") "    target:\n"
                                               "      type: cumulative\n"
                                               "      value: 1\n"
                                               "      window: [2025, 2020]\n";
    expect_err(window, PW_ECAT_VALUE, line_of(window, "window"), "indicators[0].target.window");
    static const char window3[] = HEAD IND("a") "    target:\n"
                                                "      type: cumulative\n"
                                                "      value: 1\n"
                                                "      window: [2020, 2021, 2022]\n";
    expect_err(window3, PW_ECAT_VALUE, line_of(window3, "window"),
               "indicators[0].target.window");

    static const char all[] = "version: 1\n"
                              "plans:\n"
                              "  - id: p2\n"
                              "    name: P\n"
                              "    start_fy: 2020\n"
                              "    end_fy: 2024\n"
                              "    projects:\n"
                              "      - id: all\n"
                              "        name: X\n";
    expect_err(all, PW_ECAT_VALUE, 8, "plans[0].projects[0].id");

    static const char plan_span[] = "version: 1\n"
                                    "plans:\n"
                                    "  - id: p2\n"
                                    "    name: P\n"
                                    "    start_fy: 2024\n"
                                    "    end_fy: 2020\n";
    expect_err(plan_span, PW_ECAT_VALUE, 6, "plans[0].end_fy");
    static const char reiwa0[] = "version: 1\n"
                                 "plans:\n"
                                 "  - id: p2\n"
                                 "    name: P\n"
                                 "    start_fy: 平成30\n"
                                 "    end_fy: 2024\n";
    expect_err(reiwa0, PW_ECAT_VALUE, 5, "plans[0].start_fy");

    static const char years[] = HEAD IND("a") "    target: {type: prev_average, years: 0}\n";
    expect_err(years, PW_ECAT_VALUE, line_of(years, "target:"), "indicators[0].target.years");

    static const char outside[] = HEAD IND("a") "    target:\n"
                                                "      type: trajectory\n"
                                                "      window: [2020, 2021]\n"
                                                "      milestones: {2020: 1, 2021: 2, 2022: 3}\n";
    expect_err(outside, PW_ECAT_VALUE, line_of(outside, "milestones"),
               "indicators[0].target.milestones");

    static const char empty_name[] = HEAD "  - id: a\n"
                                          "    plan: p2\n"
                                          "    name: \"\"\n";
    expect_err(empty_name, PW_ECAT_VALUE, line_of(empty_name, "name: \"\""), "indicators[0].name");
}

/* ---- PW_ECAT_DUP ---------------------------------------------------------- */

static void test_err_dup(void **state)
{
    (void)state;
    static const char ids[] = HEAD IND("a") CUM IND("b") CUM IND("a") CUM;
    struct pw_catalog *c = NULL;
    struct pw_diag d;
    char first[32];
    expect_err(ids, PW_ECAT_DUP, line_nth(ids, "- id: a", 2), "id");
    assert_int_equal(load1(&c, ids, &d), PW_ECAT_DUP);
    snprintf(first, sizeof first, "t.yaml:%d", line_of(ids, "- id: a"));
    assert_non_null(strstr(d.msg, first)); /* and names where the first one is */

    /* across two files the later file is blamed (qsort leaves equal ids in any order) */
    static const char one[] = HEAD IND("b") CUM IND("z") CUM;
    static const char two[] = "version: 1\nindicators:\n" IND("z") CUM;
    const char *names[] = {"one.yaml", "two.yaml"};
    const char *bufs[] = {one, two};
    size_t lens[] = {strlen(one), strlen(two)};
    memset(&d, 0, sizeof d);
    assert_int_equal(pw_catalog_load_buffers(&c, names, bufs, lens, 2, &d), PW_ECAT_DUP);
    assert_null(c);
    assert_int_equal(d.code, PW_ECAT_DUP);
    assert_string_equal(d.file, "two.yaml");
    assert_int_equal(d.line, 3);
    assert_string_equal(d.field, "id");
    assert_non_null(strstr(d.msg, "one.yaml"));

    static const char key[] = HEAD "  - id: a\n"
                                   "    plan: p2\n"
                                   "    name: N\n"
                                   "    name: M\n";
    expect_err(key, PW_ECAT_DUP, line_of(key, "name: M"), "indicators[0]");

    static const char plans[] = "version: 1\n"
                                "plans:\n"
                                "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024}\n"
                                "  - {id: p3, name: Q, start_fy: 2025, end_fy: 2029}\n"
                                "  - {id: p2, name: R, start_fy: 2025, end_fy: 2029}\n";
    expect_err(plans, PW_ECAT_DUP, 5, "plans[2].id");

    /* the same plan id in a second file is a duplicate too */
    static const char p2b[] = "version: 1\n"
                              "plans:\n"
                              "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024}\n";
    static const char p2a[] = HEAD IND("a") CUM;
    const char *bufs2[] = {p2a, p2b};
    size_t lens2[] = {strlen(p2a), strlen(p2b)};
    assert_int_equal(pw_catalog_load_buffers(&c, names, bufs2, lens2, 2, &d), PW_ECAT_DUP);
    assert_string_equal(d.file, "two.yaml");
    assert_string_equal(d.field, "plans[0].id");

    static const char projs[] = "version: 1\n"
                                "plans:\n"
                                "  - id: p2\n"
                                "    name: P\n"
                                "    start_fy: 2020\n"
                                "    end_fy: 2024\n"
                                "    projects:\n"
                                "      - {id: pj1, name: X}\n"
                                "      - {id: pj1, name: Y}\n";
    expect_err(projs, PW_ECAT_DUP, 9, "plans[0].projects[1].id");

    static const char ms[] = HEAD IND("a") "    target:\n"
                                           "      type: trajectory\n"
                                           "      window: [2020, 2021]\n"
                                           "      milestones: {2020: 1, 令和2: 1, 2021: 2}\n";
    expect_err(ms, PW_ECAT_DUP, line_of(ms, "milestones"), "indicators[0].target.milestones");
}

/* ---- PW_ECAT_REF ---------------------------------------------------------- */

static void test_err_ref(void **state)
{
    (void)state;
    static const char plan[] = HEAD "  - id: a\n"
                                    "    plan: p9\n"
                                    "    name: N\n"
                                    "    kind: output\n"
                                    "    unit: 件\n"
                                    "    reporting: cumulative\n"
                                    "    source: s\n" CUM;
    expect_err(plan, PW_ECAT_REF, line_of(plan, "p9"), "indicators[0].plan");

    /* resolved after loading: reported at the indicator's "- id:" line */
    static const char proj[] = HEAD IND("a") CUM IND("b") "    project: pj9\n" CUM;
    expect_err(proj, PW_ECAT_REF, line_of(proj, "- id: b"), "project");

    static const char parent[] = HEAD IND("a") CUM IND("b") "    parent: zz\n" CUM;
    expect_err(parent, PW_ECAT_REF, line_of(parent, "- id: b"), "parent");

    static const char other[] = "version: 1\n"
                                "plans:\n"
                                "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024}\n"
                                "  - {id: p3, name: Q, start_fy: 2025, end_fy: 2029}\n"
                                "indicators:\n" IND("a") CUM
                                "  - id: b\n"
                                "    plan: p3\n"
                                "    parent: a\n"
                                "    name: N\n"
                                "    kind: output\n"
                                "    unit: 件\n"
                                "    reporting: cumulative\n"
                                "    source: s\n" CUM;
    expect_err(other, PW_ECAT_REF, line_of(other, "- id: b"), "parent");

    /* a project of another plan */
    static const char proj_other[] =
        "version: 1\n"
        "plans:\n"
        "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024, projects: [{id: pj1, name: X}]}\n"
        "  - {id: p3, name: Q, start_fy: 2025, end_fy: 2029, projects: [{id: pj7, name: Y}]}\n"
        "indicators:\n" IND("a") "    project: pj7\n" CUM;
    expect_err(proj_other, PW_ECAT_REF, line_of(proj_other, "- id: a"), "project");

    static const char cycle[] = HEAD IND("a") "    parent: b\n" CUM IND("b") "    parent: a\n" CUM;
    expect_err(cycle, PW_ECAT_REF, line_of(cycle, "- id: a"), "parent");
    static const char self[] = HEAD IND("a") "    parent: a\n" CUM;
    expect_err(self, PW_ECAT_REF, line_of(self, "- id: a"), "parent");
}

/* ---- plan lineage (`predecessor`) ----------------------------------------- */

/* Plans p2 (FY2020-24) and p3 (FY2025-29); an indicator "IND3(id)" of p3. */
#define HEAD23                                                                                 \
    "version: 1\n"                                                                             \
    "plans:\n"                                                                                 \
    "  - {id: p2, name: P, start_fy: 2020, end_fy: 2024}\n"                                    \
    "  - {id: p3, name: Q, start_fy: 2025, end_fy: 2029}\n"                                    \
    "indicators:\n"
#define IND3(id)                                                                               \
    "  - id: " id "\n"                                                                         \
    "    plan: p3\n"                                                                           \
    "    name: N\n"                                                                            \
    "    kind: monitoring\n"                                                                   \
    "    unit: 件\n"                                                                           \
    "    reporting: annual\n"                                                                  \
    "    source: s\n"
#define NONE "    target: {type: none}\n"

static void test_lineage(void **state)
{
    (void)state;
    struct pw_catalog *c = NULL;
    struct pw_diag d;
    static const char ok[] = HEAD23 IND("a") CUM IND3("b") "    predecessor: a\n" NONE IND3("c") NONE;
    assert_int_equal(load1(&c, ok, &d), 0);
    assert_ptr_equal(pw_catalog_find(c, "b")->predecessor, pw_catalog_find(c, "a"));
    assert_null(pw_catalog_find(c, "a")->predecessor);
    assert_null(pw_catalog_find(c, "c")->predecessor);
    pw_catalog_close(&c);

    /* an unknown id */
    static const char unknown[] = HEAD23 IND("a") CUM IND3("b") "    predecessor: zz\n" NONE;
    expect_err(unknown, PW_ECAT_REF, line_of(unknown, "- id: b"), "predecessor");
    /* the same plan, or a later one */
    static const char same[] = HEAD23 IND3("a") NONE IND3("b") "    predecessor: a\n" NONE;
    expect_err(same, PW_ECAT_REF, line_of(same, "- id: b"), "predecessor");
    static const char later[] = HEAD23 IND("a") "    predecessor: b\n" CUM IND3("b") NONE;
    expect_err(later, PW_ECAT_REF, line_of(later, "- id: a"), "predecessor");
    /* cycles, through two plans and onto itself */
    static const char cycle[] =
        HEAD23 IND("a") "    predecessor: b\n" CUM IND3("b") "    predecessor: a\n" NONE;
    expect_err(cycle, PW_ECAT_REF, line_of(cycle, "- id: a"), "predecessor");
    static const char self[] = HEAD23 IND3("b") "    predecessor: b\n" NONE;
    expect_err(self, PW_ECAT_REF, line_of(self, "- id: b"), "predecessor");
    /* not an id */
    static const char bad[] = HEAD23 IND("a") CUM IND3("b") "    predecessor: A B\n" NONE;
    expect_err(bad, PW_ECAT_VALUE, -1, NULL);

    /* the shipped catalogs: plan 3 continues plan-2 indicators */
    const char *paths[] = {PW_SOURCE_DIR "/catalog/plan2.yaml",
                           PW_SOURCE_DIR "/catalog/plan3.yaml"};
    assert_int_equal(pw_catalog_load_files(&c, paths, 2, &d), 0);
    assert_ptr_equal(pw_catalog_find(c, "p3-pj1-nonclinical-poc")->predecessor,
                     pw_catalog_find(c, "p2-pj1-nonclinical-poc"));
    assert_ptr_equal(pw_catalog_find(c, "p3-pj5-biomarkers")->predecessor,
                     pw_catalog_find(c, "p2-pj4-biomarkers"));
    pw_catalog_close(&c);
}

/* ---- files, the built-in catalog, digest, close --------------------------- */

static void test_files(void **state)
{
    (void)state;
    struct pw_catalog *c = NULL, *def = NULL;
    struct pw_diag d;
    memset(&d, 0, sizeof d);
    const char *missing[] = {PW_SOURCE_DIR "/catalog/no-such-plan.yaml"};
    assert_int_equal(pw_catalog_load_files(&c, missing, 1, &d), PW_EIO);
    assert_null(c);
    assert_int_equal(d.code, PW_EIO);
    assert_string_equal(d.file, missing[0]);

    const char *paths[] = {PW_SOURCE_DIR "/catalog/plan2.yaml",
                           PW_SOURCE_DIR "/catalog/plan3.yaml"};
    memset(&d, 0, sizeof d);
    assert_int_equal(pw_catalog_load_files(&c, paths, 2, &d), 0);
    assert_true(pw_catalog_count(c) > 100);
    assert_int_equal(pw_catalog_nplans(c), 2);
    assert_non_null(pw_catalog_find_plan(c, "p2"));
    assert_non_null(pw_catalog_find_plan(c, "p3"));
    assert_non_null(pw_catalog_find(c, "p2-pj1-nonclinical-poc"));
    assert_string_equal(pw_catalog_find(c, "p2-pj1-nonclinical-poc")->file, paths[0]);

    /* a missing second file fails the whole load */
    const char *half[] = {paths[0], missing[0]};
    struct pw_catalog *h = NULL;
    assert_int_equal(pw_catalog_load_files(&h, half, 2, &d), PW_EIO);
    assert_null(h);

    assert_int_equal(pw_catalog_load_default(&def, &d), 0);
    assert_int_equal(pw_catalog_count(def), pw_catalog_count(c));
    assert_int_equal(pw_catalog_nplans(def), 2);
    /* the same bytes: the same digest */
    assert_true(pw_catalog_digest(def) == pw_catalog_digest(c));
    pw_catalog_close(&def);
    pw_catalog_close(&c);
}

static void test_digest(void **state)
{
    (void)state;
    static const char y[] = HEAD IND("a") CUM;
    struct pw_catalog *a = NULL, *b = NULL, *x = NULL;
    struct pw_diag d;
    assert_int_equal(load1(&a, y, &d), 0);
    assert_int_equal(load1(&b, y, &d), 0);
    assert_true(pw_catalog_digest(a) == pw_catalog_digest(b));
    char *z = strdup(y);
    assert_non_null(z);
    strstr(z, "value: 25")[8] = '6'; /* one byte: 25 -> 26 */
    assert_int_equal(load1(&x, z, &d), 0);
    assert_int_equal(pw_catalog_find(x, "a")->target.value, PW_DEC(26));
    assert_true(pw_catalog_digest(x) != pw_catalog_digest(a));
    free(z);
    pw_catalog_close(&x);
    pw_catalog_close(&b);
    pw_catalog_close(&a);
}

/* The catalog a store's QUERY_CATALOG reply carries: every file of it; an
 * empty file (NULL bytes on the wire) or no file is a clean error. */
static void test_from_reply(void **state)
{
    (void)state;
    static const char yaml[] = HEAD IND("a") CUM;
    Planwatch__V1__CatalogFile f = PLANWATCH__V1__CATALOG_FILE__INIT, *fp = &f;
    Planwatch__V1__QueryReply r = PLANWATCH__V1__QUERY_REPLY__INIT;
    struct pw_catalog *c = NULL;
    struct pw_diag d;
    assert_int_equal(pw_msg_catalog_load(&r, &c, &d), PW_ENOTFOUND);
    assert_null(c);
    r.catalog = &fp;
    r.n_catalog = 1;
    f.name = "plan.yaml";
    f.yaml.data = (uint8_t *)yaml;
    f.yaml.len = sizeof yaml - 1;
    assert_int_equal(pw_msg_catalog_load(&r, &c, &d), 0);
    assert_non_null(pw_catalog_find(c, "a"));
    pw_catalog_close(&c);
    f.yaml.data = NULL;
    f.yaml.len = 0;
    int rc = pw_msg_catalog_load(&r, &c, &d);
    assert_true(rc < 0);
    assert_null(c);
    assert_string_equal(d.file, "plan.yaml");
}

static void test_close(void **state)
{
    (void)state;
    struct pw_catalog *c = NULL;
    struct pw_diag d;
    pw_catalog_close(NULL);
    pw_catalog_close(&c); /* a NULL catalog */
    assert_int_equal(load1(&c, HEAD IND("a") CUM, &d), 0);
    pw_catalog_close(&c);
    assert_null(c);
    pw_catalog_close(&c); /* twice via the pointer */
    assert_null(c);
    /* an empty list of files is an empty catalog */
    assert_int_equal(pw_catalog_load_buffers(&c, NULL, NULL, NULL, 0, &d), 0);
    assert_int_equal(pw_catalog_count(c), 0);
    assert_null(pw_catalog_find(c, "a"));
    pw_catalog_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_plans),
        cmocka_unit_test(test_valid_indicators),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_defaults_per_file),
        cmocka_unit_test(test_err_yaml),
        cmocka_unit_test(test_err_version),
        cmocka_unit_test(test_err_key),
        cmocka_unit_test(test_err_key_value_on_none_target),
        cmocka_unit_test(test_err_key_value_on_prev_average_target),
        cmocka_unit_test(test_err_key_value_on_trajectory_target),
        cmocka_unit_test(test_sparse_milestones_and_must_report),
        cmocka_unit_test(test_err_missing),
        cmocka_unit_test(test_err_type),
        cmocka_unit_test(test_err_value),
        cmocka_unit_test(test_err_dup),
        cmocka_unit_test(test_err_ref),
        cmocka_unit_test(test_lineage),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_from_reply),
        cmocka_unit_test(test_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
