/* dash.c - the dashboard's figures (see dash.h). The gap reads the
 * evaluation's rounded actual and expected values, never the rule: a row's
 * gap and its grade come from the same pw_eval. Percentages are exact
 * rationals rounded once for display. */
#include "dash.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dec.h"
#include "err.h"
#include "followup.h"
#include "fy.h"

char *pw_dash_number(int64_t v, char *buf, size_t n)
{
    const int64_t cent = PW_DEC_SCALE / 100;
    v = (v < 0 ? v - cent / 2 : v + cent / 2) / cent * cent;
    return pw_followup_number(v, buf, n);
}

int pw_dash_gap(const struct pw_indicator *ind, const struct pw_eval *e, struct pw_dash_gap *g)
{
    if (!ind || !e || !g)
        return PW_EINVAL;
    memset(g, 0, sizeof *g);
    if (!e->has_actual || !e->has_expected || e->status == PW_STATUS_NO_TARGET)
        return 0;
    g->has = 1;
    g->diff = ind->target.lower_better ? e->expected - e->actual : e->actual - e->expected;
    if (e->expected != 0) {
        __int128 den = e->expected < 0 ? -(__int128)e->expected : e->expected;
        g->has_pct = 1;
        /* in pw_dec percent, rounded to 0.1 % */
        int64_t p = pw_dec_round_q((__int128)g->diff * 100 * PW_DEC_SCALE, den);
        const int64_t tenth = PW_DEC_SCALE / 10;
        g->pct = (p < 0 ? p - tenth / 2 : p + tenth / 2) / tenth * tenth;
    }
    return 0;
}

char *pw_dash_gap_format(const struct pw_dash_gap *g, const char *unit, char *buf, size_t n)
{
    char a[PW_DEC_BUFSZ + 16], p[PW_DEC_BUFSZ + 16];
    if (!g || !g->has) {
        snprintf(buf, n, "-");
        return buf;
    }
    /* the sign always shown ("+2", "−7": U+2212, as printed tables do) */
    const char *sign = g->diff > 0 ? "+" : g->diff < 0 ? "−" : "±";
    pw_dash_number(g->diff < 0 ? -g->diff : g->diff, a, sizeof a);
    if (g->has_pct) {
        pw_followup_number(g->pct < 0 ? -g->pct : g->pct, p, sizeof p);
        snprintf(buf, n, "%s%s%s (%s%s%%)", sign, a, unit ? unit : "",
                 g->pct > 0 ? "+" : g->pct < 0 ? "−" : "", p);
    } else
        snprintf(buf, n, "%s%s%s", sign, a, unit ? unit : "");
    return buf;
}

static const char *const dash_sort_names[] = {"project", "gap", "id"};

int pw_dash_sort_parse(const char *s, enum pw_dash_sort *out)
{
    if (!s || !out)
        return PW_EINVAL;
    if (!s[0]) {
        *out = PW_DASH_SORT_PROJECT;
        return 0;
    }
    for (size_t i = 0; i < sizeof dash_sort_names / sizeof dash_sort_names[0]; i++)
        if (strcmp(s, dash_sort_names[i]) == 0) {
            *out = (enum pw_dash_sort)i;
            return 0;
        }
    return PW_EINVAL;
}

const char *pw_dash_sort_name(enum pw_dash_sort s)
{
    return (unsigned)s < sizeof dash_sort_names / sizeof dash_sort_names[0] ? dash_sort_names[s]
                                                                             : "project";
}

/* Sort keys; ties fall back to catalog order (index), which makes qsort
 * stable in effect. */
static int dash_cmp_index(const struct pw_dash_row *a, const struct pw_dash_row *b)
{
    return (a->ind->index > b->ind->index) - (a->ind->index < b->ind->index);
}

static int dash_cmp_gap(const void *pa, const void *pb)
{
    const struct pw_dash_row *a = pa, *b = pb;
    if (a->gap.has != b->gap.has)
        return b->gap.has - a->gap.has; /* rows with a gap first */
    if (a->gap.has) {
        if (a->gap.has_pct != b->gap.has_pct)
            return b->gap.has_pct - a->gap.has_pct;
        int64_t x = a->gap.has_pct ? a->gap.pct : a->gap.diff;
        int64_t y = b->gap.has_pct ? b->gap.pct : b->gap.diff;
        if (x != y)
            return (x > y) - (x < y);
    }
    int c = strcmp(a->ind->id, b->ind->id);
    return c ? c : dash_cmp_index(a, b);
}

static int dash_cmp_id(const void *pa, const void *pb)
{
    const struct pw_dash_row *a = pa, *b = pb;
    int c = strcmp(a->ind->id, b->ind->id);
    return c ? c : dash_cmp_index(a, b);
}

static int dash_cmp_project(const void *pa, const void *pb)
{
    return dash_cmp_index(pa, pb); /* the catalog lists by plan and project */
}

void pw_dash_sort_rows(struct pw_dash_row *rows, size_t n, enum pw_dash_sort s)
{
    if (!rows || n < 2)
        return;
    qsort(rows, n, sizeof *rows,
          s == PW_DASH_SORT_GAP ? dash_cmp_gap : s == PW_DASH_SORT_ID ? dash_cmp_id
                                                                     : dash_cmp_project);
}

int pw_dash_grade_parse(const char *s, char *out)
{
    if (!s || !out)
        return PW_EINVAL;
    if (!s[0])
        *out = 0;
    else if ((s[0] == 'A' || s[0] == 'B' || s[0] == '-') && !s[1])
        *out = s[0];
    else if ((s[0] == 'a' || s[0] == 'b') && !s[1])
        *out = (char)toupper((unsigned char)s[0]);
    else
        return PW_EINVAL;
    return 0;
}

int pw_dash_cells(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                  int32_t as_of, int64_t known_at, int first, int last,
                  struct pw_dash_cell *cells)
{
    if (!ind || !cells || (n && !obs) || last < first || last - first >= PW_WINDOW_MAX * 4)
        return PW_EINVAL;
    for (int fy = first; fy <= last; fy++) {
        struct pw_dash_cell *c = &cells[fy - first];
        int32_t end = pw_fy_first_day(fy + 1) - 1;
        memset(c, 0, sizeof *c);
        c->fy = fy;
        c->grade = '-';
        c->status = PW_STATUS_NO_DATA;
        if (end > as_of) {
            c->state = PW_DASH_CELL_FUTURE;
            continue;
        }
        struct pw_eval e;
        c->state = PW_DASH_CELL_NONE;
        if (fy < ind->target.first_fy || fy > ind->target.last_fy ||
            pw_eval_known(ind, obs, n, end, known_at, &e))
            continue;
        /* judged at that year's end on that year's own figure, as the
         * follow-up table of the year does; an older figure judged again
         * (overdue) is no figure for this year */
        if (e.cp.fy != fy || !e.has_actual || e.data_fy != fy)
            continue;
        c->state = PW_DASH_CELL_JUDGED;
        c->grade = e.grade;
        c->status = e.status;
        c->has_actual = 1;
        c->actual = e.actual;
    }
    return 0;
}

char *pw_dash_time(int64_t ns, char *buf, size_t n)
{
    struct tm tm;
    time_t s = (time_t)(ns / INT64_C(1000000000));
    if (ns <= 0 || !localtime_r(&s, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M %Z", &tm))
        snprintf(buf, n, "-");
    return buf;
}

int pw_dash_tz_resolve(const char *zone, const char **out)
{
    char path[512];
    const char *dir = getenv("TZDIR");
    if (!out)
        return PW_EINVAL;
    if (!zone || !zone[0])
        zone = "Asia/Tokyo";
    if (zone[0] == ':') { /* glibc's own form (":/etc/localtime") */
        *out = zone;
        return 0;
    }
    if (strstr(zone, "..") || strlen(zone) > 200)
        return PW_EINVAL;
    snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", zone);
    if (access(path, R_OK) == 0) {
        *out = zone;
        return 0;
    }
    if (strcmp(zone, "Asia/Tokyo") == 0 || strcmp(zone, "JST") == 0) {
        *out = "JST-9"; /* Japan has no summer time: a fixed rule is exact */
        return 0;
    }
    if (strcmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0) {
        *out = "UTC0";
        return 0;
    }
    /* a POSIX rule: letters then an offset ("JST-9", "CET-1CEST") */
    const char *p = zone;
    size_t letters = 0;
    while (isalpha((unsigned char)*p))
        p++, letters++;
    if (letters >= 3 && (*p == '-' || *p == '+' || isdigit((unsigned char)*p))) {
        *out = zone;
        return 0;
    }
    return PW_EINVAL;
}
