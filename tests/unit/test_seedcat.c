/* test_seedcat.c - the plan-3 catalog holds every figure the seed publishes.
 *  - always: the number of plan-3 entries per project equals
 *    tests/golden/plan3-catalog-counts.csv, and a sample of values per
 *    project in catalog/feeds/plan3-fy2025.csv is the seed's;
 *  - when the seed is present (../shared/seeds beside the source tree;
 *    skipped without it): every plan-3 entry's first cited seed line exists
 *    and prints the entry's FY2025 sample value, and per project the figures
 *    printed on the cited lines (N件 / N%, outside note cells) are the
 *    golden seed_figures: every figure has its entry but the golden
 *    unlabeled_figures (PJ5 line 646 prints two figures without a label). */
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
#include "eval.h"
#include "feed.h"
#include "fy.h"
#include "history.h"

#define SEED_NAME "002_45e24f04a4324398.txt"
#define SEED_PATH PW_SOURCE_DIR "/../shared/seeds/" SEED_NAME
#define SEED_LINES_MAX 4000
#define NPROJ 9 /* "all" + pj1..pj8 */

static struct pw_catalog *cat;
static struct pw_history *feed;

/* The sample feed in a fresh history, or NULL (a row it refuses is printed). */
static struct pw_history *load_feed(const char *path)
{
    struct pw_history *h = NULL;
    struct pw_feed *f = NULL;
    struct pw_diag d = {0};
    if (pw_history_open(&h, cat) ||
        pw_feed_parse_file(&f, cat, path, pw_day_from_ymd(2026, 11, 21), &d)) {
        fprintf(stderr, "%s: %s\n", path, d.msg);
        pw_history_close(&h);
        return NULL;
    }
    int bad = pw_feed_nerrors(f) > 0;
    for (size_t i = 0; i < pw_feed_nerrors(f); i++)
        fprintf(stderr, "%s row %d %s: %s\n", path, pw_feed_error(f, i)->line,
                pw_feed_error(f, i)->field, pw_feed_error(f, i)->msg);
    for (size_t i = 0; i < pw_feed_nrows(f) && !bad; i++) {
        const struct pw_feed_row *r = pw_feed_row(f, i);
        const struct pw_indicator *ind = pw_catalog_find(cat, r->indicator_id);
        struct pw_obs o = {r->fy, r->value, r->basis < 0 ? ind->reporting : (enum pw_basis)r->basis,
                           r->preliminary, r->as_of, 0, r->retract};
        bad = pw_history_add(h, ind, &o) != 0;
    }
    pw_feed_close(&f);
    if (bad)
        pw_history_close(&h);
    return h;
}

static int setup(void **state)
{
    (void)state;
    const char *paths[] = {PW_SOURCE_DIR "/catalog/plan2.yaml", PW_SOURCE_DIR "/catalog/plan3.yaml"};
    struct pw_diag d = {0};
    int rc = pw_catalog_load_files(&cat, paths, 2, &d);
    if (rc) {
        fprintf(stderr, "%s:%d %s: %s\n", d.file, d.line, d.field, d.msg);
        return rc;
    }
    feed = load_feed(PW_SOURCE_DIR "/catalog/feeds/plan3-fy2025.csv");
    return feed ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pw_history_close(&feed);
    pw_catalog_close(&cat);
    return 0;
}

/* Index of the project ("all" = 0, "pjN" = N), or -1. */
static int proj_index(const char *id)
{
    if (strcmp(id, "all") == 0)
        return 0;
    if (strncmp(id, "pj", 2) == 0 && id[2] >= '1' && id[2] <= '8' && id[3] == '\0')
        return id[2] - '0';
    return -1;
}

/* The FY2025 sample value of ind, or 0 with *has = 0. */
static int64_t fy2025(const struct pw_indicator *ind, int *has)
{
    size_t n = 0;
    const struct pw_obs *o = pw_history_get(feed, ind, &n);
    *has = 0;
    for (size_t i = 0; i < n; i++)
        if (o[i].fy == 2025) {
            *has = 1;
            return o[i].value;
        }
    return 0;
}

/* The first seed line ind cites in SEED_NAME, or 0. */
static int first_line(const struct pw_indicator *ind)
{
    const char *p = strstr(ind->source, SEED_NAME ":");
    return p ? atoi(p + sizeof SEED_NAME) : 0;
}

static void test_counts(void **state)
{
    (void)state;
    int count[NPROJ] = {0};
    const struct pw_plan *p3 = pw_catalog_find_plan(cat, "p3");
    assert_non_null(p3);
    for (size_t i = 0; i < pw_catalog_count(cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        if (ind->plan != p3)
            continue;
        int k = proj_index(pw_indicator_project_id(ind));
        assert_true(k >= 0);
        count[k]++;
    }
    FILE *fp = fopen(PW_SOURCE_DIR "/tests/golden/plan3-catalog-counts.csv", "r");
    assert_non_null(fp);
    char line[256], pj[16];
    int rows = 0, entries;
    assert_non_null(fgets(line, sizeof line, fp)); /* header */
    while (fgets(line, sizeof line, fp)) {
        assert_int_equal(sscanf(line, "%15[^,],%d", pj, &entries), 2);
        int k = proj_index(pj);
        assert_true(k >= 0);
        if (count[k] != entries)
            print_error("%s: %d plan-3 entries, golden %d\n", pj, count[k], entries);
        assert_int_equal(count[k], entries);
        rows++;
    }
    fclose(fp);
    assert_int_equal(rows, NPROJ);
}

/* A sample of each project's transcribed figures, as the seed prints them. */
static void test_sample_values(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        int64_t value;
    } sample[] = {
        {"p3-pj1-out01-disease-cancer", PW_DEC(20)},
        {"p3-pj1-approvals-drugs-antibody", PW_DEC(3)},
        {"p3-pj1-all-papers", PW_DEC(2944)},
        {"p3-pj1-researchers-male", PW_DEC(89)},
        {"p3-pj2-out01-joint-rd", PW_DEC(23)},
        {"p3-pj2-approvals-devices-therapeutic", PW_DEC(9)},
        {"p3-pj2-product-launches", PW_DEC(11)},
        {"p3-pj3-out03-new-calls", PW_DEC(22) + PW_DEC(1) / 2},
        {"p3-pj3-approvals-regenerative", PW_DEC(4)},
        {"p3-pj3-researchers-female", PW_DEC(59) / 10},
        {"p3-pj4-out01-disease-infectious", PW_DEC(11)},
        {"p3-pj4-out02-company-trials-intl", PW_DEC(3)},
        {"p3-pj4-all-papers", PW_DEC(1834)},
        {"p3-pj5-out01-license", PW_DEC(14)},
        {"p3-pj5-approvals-ivd", PW_DEC(3)},
        {"p3-pj5-guidelines", PW_DEC(51)},
        {"p3-pj6-out01-disease-psych-neuro", PW_DEC(4)},
        {"p3-pj6-approvals-overseas", PW_DEC(3)},
        {"p3-pj6-top10-papers", PW_DEC(279)},
        {"p3-pj7-out02-investigator-trials", PW_DEC(24)},
        {"p3-pj7-approvals-drugs-small-molecule", PW_DEC(1)},
        {"p3-pj7-all-papers", PW_DEC(135)},
        {"p3-pj8-out01-joint-rd", PW_DEC(2)},
        {"p3-pj8-out03-new-calls", PW_DEC(1) / 2},
        {"p3-pj8-researchers-male", PW_DEC(936) / 10},
        {"p3-mon-approvals-drugs-small-molecule", PW_DEC(3)},
        {"p3-mon-approvals-devices-diagnostic", PW_DEC(6)},
        {"p3-mon-oc02-clinical-guidelines", PW_DEC(71)},
        {"p3-mon-oc03-general-devices", PW_DEC(13)},
        {"p3-mon-oc03-software", PW_DEC(6)},
    };
    for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++) {
        const struct pw_indicator *ind = pw_catalog_find(cat, sample[i].id);
        if (!ind)
            print_error("no indicator %s\n", sample[i].id);
        assert_non_null(ind);
        assert_int_equal(ind->kind, PW_KIND_MONITORING);
        assert_int_equal(ind->target.type, PW_TARGET_NONE);
        int has;
        int64_t v = fy2025(ind, &has);
        if (!has || v != sample[i].value)
            print_error("%s: FY2025 sample value %lld, want %lld\n", sample[i].id, (long long)v,
                        (long long)sample[i].value);
        assert_true(has);
        assert_true(v == sample[i].value);
    }
    /* the うち breakdowns hang under what they break down */
    assert_string_equal(pw_catalog_find(cat, "p3-pj1-approvals-drugs-antibody")->parent->id,
                        "p3-pj1-approvals-drugs");
    assert_string_equal(pw_catalog_find(cat, "p3-mon-oc03-software")->parent->id,
                        "p3-oc03-product-launches");
}

/* v as the seed prints it: thousands separated by ',' ("2,944", "46.5"). */
static void seed_number(int64_t v, char *out, size_t n)
{
    char b[PW_DEC_BUFSZ];
    pw_dec_format(v, b, sizeof b);
    size_t ilen = strcspn(b, "."), k = 0;
    for (size_t i = 0; b[i] && k + 2 < n; i++) {
        if (i > 0 && i < ilen && (ilen - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = b[i];
    }
    out[k] = '\0';
}

/* Whether line prints the number s on its own ("89" matches "89.0%" but not "189"). */
static int prints_number(const char *line, const char *s)
{
    size_t len = strlen(s);
    for (const char *p = strstr(line, s); p; p = strstr(p + 1, s)) {
        char before = p > line ? p[-1] : ' ', after;
        const char *q = p + len;
        if (strchr(s, '.') == NULL && q[0] == '.' && q[1] == '0')
            for (q++; *q == '0'; q++)
                ;
        after = *q;
        if ((before >= '0' && before <= '9') || before == ',' || before == '.')
            continue;
        if ((after >= '0' && after <= '9') || (after == ',' && q[1] >= '0' && q[1] <= '9'))
            continue;
        return 1;
    }
    return 0;
}

/* The figures a seed line prints: N件 and N% outside note cells (a
 * tab-separated cell with a 。), not counting "Top1%" / "Top10%". */
static int seed_figures(const char *line)
{
    int k = 0;
    char *copy = strdup(line), *save = NULL;
    assert_non_null(copy);
    for (char *cell = strtok_r(copy, "\t", &save); cell; cell = strtok_r(NULL, "\t", &save)) {
        if (strstr(cell, "。"))
            continue;
        for (char *p = cell; *p; p++) {
            if (!(*p >= '0' && *p <= '9') || (p > cell && ((p[-1] >= '0' && p[-1] <= '9') ||
                                                         p[-1] == ',' || p[-1] == '.')))
                continue;
            if (p - cell >= 3 && strncmp(p - 3, "Top", 3) == 0)
                continue;
            char *q = p;
            while ((*q >= '0' && *q <= '9') || *q == ',' || *q == '.')
                q++;
            while (*q == ' ')
                q++;
            if (strncmp(q, "件", strlen("件")) == 0 || *q == '%')
                k++;
        }
    }
    free(copy);
    return k;
}

static void test_against_seed(void **state)
{
    (void)state;
    FILE *fp = fopen(SEED_PATH, "r");
    if (!fp) {
        fprintf(stderr, "%s absent: the seed checks are skipped\n", SEED_PATH);
        skip();
    }
    static char *lines[SEED_LINES_MAX + 1];
    char buf[65536];
    int nlines = 0;
    while (nlines < SEED_LINES_MAX && fgets(buf, sizeof buf, fp)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        lines[++nlines] = strdup(buf);
        assert_non_null(lines[nlines]);
    }
    fclose(fp);

    const struct pw_plan *p3 = pw_catalog_find_plan(cat, "p3");
    static unsigned char cited[NPROJ][SEED_LINES_MAX + 1];
    int entries[NPROJ] = {0}, checked = 0;
    for (size_t i = 0; i < pw_catalog_count(cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        if (ind->plan != p3)
            continue;
        int k = proj_index(pw_indicator_project_id(ind)), ln = first_line(ind);
        if (ln < 1 || ln > nlines)
            print_error("%s cites %s:%d, which the seed does not have\n", ind->id, SEED_NAME, ln);
        assert_true(ln >= 1 && ln <= nlines);
        cited[k][ln] = 1;
        entries[k]++;
        int has;
        int64_t v = fy2025(ind, &has);
        if (!has)
            continue; /* no FY2025 figure printed (e.g. jRCT access, "-") */
        char num[64];
        seed_number(v, num, sizeof num);
        if (!prints_number(lines[ln], num))
            print_error("%s = %s, but %s:%d does not print it\n", ind->id, num, SEED_NAME, ln);
        assert_true(prints_number(lines[ln], num));
        checked++;
    }
    assert_true(checked > 300);

    /* per project: every figure of the cited lines has its entry */
    FILE *g = fopen(PW_SOURCE_DIR "/tests/golden/plan3-catalog-counts.csv", "r");
    assert_non_null(g);
    char row[256], pj[16], fig[16], unl[16];
    int want_entries;
    assert_non_null(fgets(row, sizeof row, g));
    while (fgets(row, sizeof row, g)) {
        assert_int_equal(sscanf(row, "%15[^,],%d,%15[^,],%15[^,\r\n]", pj, &want_entries, fig, unl),
                         4);
        int k = proj_index(pj);
        if (k == 0)
            continue; /* plan-wide lines carry targets and analyses: no figure count */
        int figures = 0;
        for (int ln = 1; ln <= nlines; ln++)
            if (cited[k][ln])
                figures += seed_figures(lines[ln]);
        if (figures != atoi(fig) || figures - entries[k] != atoi(unl))
            print_error("%s: the cited seed lines print %d figures, %d entries (golden %s, %s "
                        "unlabeled)\n",
                        pj, figures, entries[k], fig, unl);
        assert_int_equal(figures, atoi(fig));
        assert_int_equal(figures - entries[k], atoi(unl));
    }
    fclose(g);
    for (int ln = 1; ln <= nlines; ln++)
        free(lines[ln]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_sample_values),
        cmocka_unit_test(test_against_seed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
