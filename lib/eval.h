/* eval.h - evaluates one indicator against its target at an as-of date.
 *
 * Input is the indicator's update history (every revision, oldest first);
 * for each fiscal year the latest revision known at the as-of date counts.
 * Single-year ("annual") figures are cumulated, cumulative figures are taken
 * as they are. Every comparison that decides a status or a grade is done in
 * exact rational arithmetic, so 6 of a pro-rated 6 is A. Pure functions: no
 * allocation, no I/O, thread-safe. */
#ifndef PW_EVAL_H
#define PW_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "fy.h"

#define PW_NO_DAY INT32_MIN

/* One revision of one fiscal year's figure. */
struct pw_obs {
    int fy;
    int64_t value;          /* pw_dec */
    enum pw_basis basis;
    int preliminary;        /* the plan's 速報値 */
    int32_t as_of;          /* day the figure describes, or PW_NO_DAY */
};

enum pw_status {
    PW_STATUS_NO_TARGET,    /* monitoring only */
    PW_STATUS_NO_DATA,      /* a target, but no usable figure yet */
    PW_STATUS_ON_TRACK,     /* actual meets expected */
    PW_STATUS_AT_RISK,      /* below expected by at most the at-risk margin */
    PW_STATUS_BEHIND,       /* below expected by more than the margin */
    PW_STATUS_ACHIEVED,     /* the final target is already reached */
};
#define PW_STATUS_COUNT 6

struct pw_eval {
    enum pw_status status;
    char grade;              /* 'A' (actual meets expected), 'B', or '-' (no data/target) */
    int32_t as_of;
    int data_fy;             /* fiscal year of the latest figure used (0: none) */
    int preliminary;         /* that figure is preliminary */
    int has_actual, has_expected, has_ratio, has_run_rate, has_projected;
    int64_t actual;          /* pw_dec (an average for rolling_average), rounded */
    int64_t expected;        /* pw_dec, rounded for display; decisions use the exact value */
    int64_t target;          /* the number the target names (final total, rate or level) */
    double ratio;            /* actual / expected (display only) */
    int64_t run_rate;        /* per remaining year, to still reach the final target */
    int64_t projected;       /* value at the window end at the current pace */
    int years_used;          /* rolling_average: years reported in the average ... */
    int years_wanted;        /* ... out of this many */
    struct pw_share share;   /* elapsed share of the target window at as_of */
    char explanation[384];   /* e.g. "FY2022 (3/5): expected ≥ 12 of 20, actual 5 → B, short by 7" */
};

/* Evaluates ind at the end of day as_of from obs[0..n) (oldest first; obs
 * for fiscal years after as_of, or describing a later day, are ignored).
 * Returns 0, or PW_EINVAL for NULL arguments. */
int pw_eval_indicator(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                      int32_t as_of, struct pw_eval *out);

/* The same decisions without the explanation text (explanation is ""):
 * for sweeps over many indicators where only a changed status needs words.
 * Every other field is identical to pw_eval_indicator's. */
int pw_eval_status(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                   int32_t as_of, struct pw_eval *out);

/* "ON_TRACK", "AT_RISK", ... (never NULL). */
const char *pw_status_name(enum pw_status s);
/* Parses a status name. Returns 0 or PW_EINVAL. */
int pw_status_parse(const char *s, enum pw_status *out);

#endif
