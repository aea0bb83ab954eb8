/* dash.h - what the dashboard computes beside the evaluation, so that it
 * answers "by how much" at a glance: the gap between the actual figure and
 * what the checkpoint judged expects (in the indicator's unit and in %),
 * figures in the house format, the grade of every fiscal year (the heat map:
 * the follow-up tables of every year on one screen), sorting of rows, and
 * instants in the configured time zone.
 *
 * Nothing here decides a status or a grade: those come from pw_eval (the
 * one place that judges); this module only reads its results. Pure
 * functions but pw_dash_time (the process's time zone, TZ). */
#ifndef PW_DASH_H
#define PW_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "eval.h"

/* A figure as the dashboard prints it: at most two decimals (rounded half
 * away from zero, as the explanations print them) with thousands
 * separators (pw_followup_number): "219.04", "1,443". buf: at least
 * PW_DEC_BUFSZ + 16 bytes. Returns buf. */
char *pw_dash_number(int64_t v, char *buf, size_t n);

/* The gap at the checkpoint judged, signed so that negative is behind the
 * plan whichever way the target points (lower_better: expected - actual). */
struct pw_dash_gap {
    int has;            /* the evaluation has both an actual and an expected value */
    int64_t diff;       /* pw_dec: actual - expected (lower_better: expected - actual) */
    int has_pct;        /* expected is not 0 */
    int64_t pct;        /* pw_dec percent of |expected|, rounded to 0.1 */
};

/* The gap of e (an evaluation of ind) into *g (zeroed when e has no actual
 * or no expected value). Returns 0 or PW_EINVAL (NULL arguments). */
int pw_dash_gap(const struct pw_indicator *ind, const struct pw_eval *e, struct pw_dash_gap *g);

/* "−7件 (−58.3%)", "+2件 (+10%)", "±0件 (0%)", or "-" without a gap, into buf
 * (at least PW_DASH_GAP_BUFSZ). unit: the indicator's (may be NULL). */
#define PW_DASH_GAP_BUFSZ 128
char *pw_dash_gap_format(const struct pw_dash_gap *g, const char *unit, char *buf, size_t n);

/* One row of the dashboard. */
struct pw_dash_row {
    const struct pw_indicator *ind;  /* borrowed */
    struct pw_eval ev;
    char grade;                      /* the grade shown (the secretariat's when it applies) */
    struct pw_dash_gap gap;
};

enum pw_dash_sort {
    PW_DASH_SORT_PROJECT,   /* catalog order, grouped by plan and project (the default) */
    PW_DASH_SORT_GAP,       /* most behind first (by gap %, then gap, then id); no gap last */
    PW_DASH_SORT_ID,        /* by indicator id */
};

/* Parses "project", "gap" or "id" ("" is project). Returns 0 or PW_EINVAL. */
int pw_dash_sort_parse(const char *s, enum pw_dash_sort *out);
/* "project", "gap" or "id" (static). */
const char *pw_dash_sort_name(enum pw_dash_sort s);

/* Sorts rows[0..n) by s (stable: equal rows keep their order). */
void pw_dash_sort_rows(struct pw_dash_row *rows, size_t n, enum pw_dash_sort s);

/* The grade filter: "A", "B" or "-" (ungraded) -> *out. "" is none (0).
 * Returns 0 or PW_EINVAL. */
int pw_dash_grade_parse(const char *s, char *out);

/* One cell of the heat map: ind judged at the end of fiscal year fy from
 * the revisions of obs[0..n) known at known_at (PW_KNOWN_ALL: every one), as
 * the follow-up table of that year judges it. */
struct pw_dash_cell {
    int fy;
    int state;              /* PW_DASH_CELL_* */
    char grade;             /* 'A', 'B' or '-' */
    enum pw_status status;
    int has_actual;
    int64_t actual;
};
#define PW_DASH_CELL_FUTURE 0   /* the year has not ended at as_of */
#define PW_DASH_CELL_JUDGED 1   /* judged at that year's end (grade, status, actual) */
#define PW_DASH_CELL_NONE 2     /* ended, but no figure for that year (or no target) */

/* The cells of ind for the fiscal years first..last into cells[0..last-first]
 * (the caller's array of last - first + 1), at as_of. Returns 0 or PW_EINVAL
 * (NULL arguments, last < first, or more than PW_WINDOW_MAX * 4 years). */
int pw_dash_cells(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                  int32_t as_of, int64_t known_at, int first, int last,
                  struct pw_dash_cell *cells);

/* The instant ns (Unix ns) in the process's time zone (TZ) as
 * "YYYY-MM-DD HH:MM ZONE" into buf (at least 48 bytes); "-" for ns <= 0.
 * Returns buf. */
char *pw_dash_time(int64_t ns, char *buf, size_t n);

/* The value for TZ that shows zone: zone itself when the system knows it
 * (tzdata, or a POSIX rule such as "JST-9"); "Asia/Tokyo" (and "" : the
 * default) fall back to "JST-9" where tzdata is not installed, so the page
 * still shows JST. Returns 0 and *out (static or zone), or PW_EINVAL: an
 * unknown zone name. */
int pw_dash_tz_resolve(const char *zone, const char **out);

#endif
