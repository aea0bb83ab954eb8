/* eval.h - judges one indicator against its target at an as-of date, by the
 * plan's own rule: at checkpoints, never pro-rated to the day.
 *
 * Checkpoints. An indicator is judged at the ends of the reporting periods
 * (today: the fiscal years) of its target window, from the plan's first year
 * on (a window that starts before the plan is first judged at the end of the
 * plan's first year). Figures for a period are due by the indicator's
 * deadline in the next fiscal year. At an as-of date D the checkpoint is the
 * latest period end <= D for which a figure is known at D, or whose deadline
 * has passed by D. So between a period's end and its deadline nothing moves
 * by the clock alone; a figure for a period that has not ended does not move
 * it; once a deadline passes with no figure the indicator is overdue and
 * judged at the new checkpoint: a stock target (cumulative, level,
 * trajectory, ratio) on its stale figure, a per-year target not at all
 * (NO_DATA, grade '-'). The window's last checkpoint is final.
 *
 * Input is the indicator's update history (every revision, oldest first);
 * for each fiscal year the latest revision known at the as-of date counts
 * (a retracted one: the year has no figure).
 * Single-year ("annual") figures are cumulated, cumulative figures are taken
 * as they are. Every comparison that decides a status or a grade is done in
 * exact rational arithmetic, so 6 of a pro-rated 6 is A. Pure functions: no
 * allocation, no I/O, thread-safe. This module is the one place that decides
 * checkpoint, overdue, final and grade: the store, the CLI, the reports and
 * the alert service all ask it. */
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
    int32_t as_of;          /* day the figure describes, or PW_NO_DAY: within its fiscal
                               year, or later for a figure confirmed later (確報値), which
                               is still that year's figure */
    int64_t known_ns;       /* when it became known (the store's received instant, Unix
                               ns); 0: known always (feed files) */
    int retracted;          /* a retraction: while it is the latest revision of its
                               fiscal year, that year has no figure (value unused) */
};

/* A known-at instant that admits every revision. */
#define PW_KNOWN_ALL INT64_MAX

enum pw_status {
    PW_STATUS_NO_TARGET,    /* monitoring only */
    PW_STATUS_NO_DATA,      /* a target, but no usable figure yet */
    PW_STATUS_ON_TRACK,     /* actual meets expected */
    PW_STATUS_AT_RISK,      /* below expected by at most the at-risk margin */
    PW_STATUS_BEHIND,       /* below expected by more than the margin */
    PW_STATUS_ACHIEVED,     /* the final target is already reached */
};
#define PW_STATUS_COUNT 6

/* Where an indicator stands in its calendar at an as-of date. */
struct pw_checkpoint {
    int fy;             /* period (fiscal year) whose end is judged; 0: none yet */
    int32_t end;        /* its last day */
    int32_t due;        /* the day its figures are due */
    int k, years;       /* it is period k (1..years) of the target window */
    int overdue;        /* its due day has passed and no figure for it (or later) is known;
                           only for indicators that must report */
    int never;          /* overdue, and no figure at all is known */
    int final;          /* the window's last period: the result is final */
    int next_fy;        /* the next checkpoint, 0 when final */
    int32_t next_end, next_due;
};

/* The day figures for fiscal year fy are due for ind (its deadline in FY fy+1). */
int32_t pw_due_day(const struct pw_indicator *ind, int fy);

/* The checkpoint of ind at the end of day as_of from the revisions of
 * obs[0..n) known at known_at (Unix ns; PW_KNOWN_ALL: every one; any order;
 * NULL obs with n = 0 is allowed). Returns 0 or PW_EINVAL. */
int pw_checkpoint_find(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                       int32_t as_of, int64_t known_at, struct pw_checkpoint *out);

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
    struct pw_checkpoint cp; /* the checkpoint judged (cp.fy = 0: none yet, NO_DATA) */
    int has_next;            /* stock targets before the final checkpoint: */
    int64_t next_expected;   /* ... what the next checkpoint expects (pw_dec, rounded) */
    struct pw_share share;   /* elapsed share of the target window at the checkpoint (k/N) */
    char explanation[512];   /* e.g. "FY2022 (3/5): expected ≥ 12 of 20, actual 5 → B, short by 7" */
};

/* The secretariat's assessment of one fiscal year of an indicator: a grade
 * decided beside the plan's rule ("総合的に勘案"), with why and who. It never
 * changes the evaluation; views show it next to the computed grade. */
#define PW_ASSESS_REASON_MAX 1024 /* bytes with the NUL; the store refuses longer */
#define PW_ASSESS_BY_MAX 128
struct pw_assessment {
    int fy;                 /* the fiscal year assessed; 0: no assessment */
    char grade;             /* 'A' or 'B' */
    char reason[PW_ASSESS_REASON_MAX];
    char by[PW_ASSESS_BY_MAX];
};

/* One indicator and its evaluation: a row of every status view. */
struct pw_status_row {
    const struct pw_indicator *ind;   /* borrowed */
    struct pw_eval ev;
    struct pw_assessment as;          /* as.fy = 0: none recorded for the checkpoint */
};

/* Two times. as_of picks the checkpoint (which period ends are judged);
 * known_at picks the revisions (those that had arrived by then). A figure's
 * own as_of only describes it: a FY2024 figure confirmed on 2025-06-30
 * counts at the FY2024 checkpoint.
 *
 * Evaluates ind at the end of day as_of from the revisions of obs[0..n)
 * known at known_at (oldest first: for each fiscal year the last one known
 * counts; obs for periods after the checkpoint are not judged). */
int pw_eval_known(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                  int32_t as_of, int64_t known_at, struct pw_eval *out);

/* pw_eval_known with every revision known (PW_KNOWN_ALL).
 * Returns 0, or PW_EINVAL for NULL arguments. */
int pw_eval_indicator(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                      int32_t as_of, struct pw_eval *out);

/* The same decisions without the explanation text (explanation is ""):
 * for sweeps over many indicators where only a changed status needs words.
 * Every other field is identical to pw_eval_indicator's. */
int pw_eval_status(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                   int32_t as_of, struct pw_eval *out);

/* Whether s is behind the plan's rule (AT_RISK or BEHIND). */
int pw_status_behind(enum pw_status s);

/* Whether e keeps a status alert open: behind the rule, and not a final
 * result (an ended window's result is final and alerts no more). The one
 * rule the alert service, the store and the CLI share. */
int pw_eval_alerting(const struct pw_eval *e);

/* Whether a (NULL: none) assesses the checkpoint e judged (a->fy = e->cp.fy):
 * an assessment of another fiscal year says nothing about this one. */
int pw_assessment_applies(const struct pw_assessment *a, const struct pw_eval *e);

/* The grade a report prints: the assessed one when it applies, else the
 * computed e->grade. */
char pw_eval_grade_shown(const struct pw_eval *e, const struct pw_assessment *a);

/* pw_eval_alerting, except that an assessed A of the checkpoint judged keeps
 * no status alert open: the secretariat has judged that year on track
 * (an assessed B changes nothing; the rule already alerts). a may be NULL. */
int pw_eval_alerting_assessed(const struct pw_eval *e, const struct pw_assessment *a);

/* "ON_TRACK", "AT_RISK", ... (never NULL). */
const char *pw_status_name(enum pw_status s);
/* Parses a status name. Returns 0 or PW_EINVAL. */
int pw_status_parse(const char *s, enum pw_status *out);

#endif
