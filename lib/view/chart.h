/* chart.h - an indicator's progress as a small inline SVG chart: its path
 * (the value judged at each checkpoint, a fiscal-year end, that has a
 * figure) against the plan's line (k/N of the target at the end of year k,
 * the planned trajectory's milestones, or the level or per-year rate that
 * must hold), the final target, where the current pace leads by the window
 * end, and what the checkpoint judged expects.
 *
 * Two steps: pw_chart_build samples the evaluation (libplanwatch's own
 * pw_eval_indicator, so the chart never disagrees with the table), and
 * pw_chart_svg draws it. Pure functions; the chart is a plain value. Used by
 * the HTTP dashboard and `planwatch report --format html`. */
#ifndef PW_CHART_H
#define PW_CHART_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog.h"
#include "eval.h"

#define PW_CHART_MAX (PW_WINDOW_MAX + 2)

struct pw_chart_pt {
    int32_t day;    /* end of this day */
    int64_t v;      /* pw_dec */
};

struct pw_chart {
    const struct pw_indicator *ind;    /* borrowed */
    int32_t x0, x1;                    /* the window: the day before it starts .. its last day */
    int32_t as_of;
    int flow;                          /* per-year values (annual-type targets), not a path */
    struct pw_chart_pt plan[PW_CHART_MAX];
    size_t nplan;
    struct pw_chart_pt actual[PW_CHART_MAX];
    size_t nactual;
    int has_projection;                /* at the current pace: checkpoint value -> window end */
    struct pw_chart_pt projection[2];
    int has_final;                     /* the final value to reach (cumulative, level, trajectory) */
    int64_t final;
    int has_expected;                  /* what the checkpoint judged expects (now.cp) */
    int64_t expected;
    struct pw_eval now;                /* the evaluation at as_of */
};

/* Samples ind's evaluation from obs[0..n) (its revisions, oldest first:
 * only those known at as_of count) into *c. Returns 0, PW_EINVAL or
 * PW_ENOMEM. */
int pw_chart_build(struct pw_chart *c, const struct pw_indicator *ind, const struct pw_obs *obs,
                   size_t n, int32_t as_of);

/* Writes c as an <svg class="chart"> element (about 240 x 80 CSS pixels,
 * scalable) with a <title> and an aria-label saying the same in words. */
void pw_chart_svg(FILE *out, const struct pw_chart *c);

/* The burn-down view of a stock target that grows towards its final value
 * (cumulative, level, trajectory; not lower-is-better), as an SLO burn
 * chart reads: the best single-year gain on record sets the least value
 * that still reaches the target at each fiscal-year end (need(y) = final -
 * best x (last_fy - y)), and the first fiscal year whose value (known, or at
 * the current pace beyond the checkpoint) is below that line is the year
 * after which even the best year on record, every year, could no longer
 * reach the target. */
struct pw_chart_burn {
    int applies;                       /* a growing stock target with a gain on record */
    int64_t best;                      /* the best gain in one fiscal year (pw_dec, per year) */
    int best_fy;                       /* the fiscal year it ended (the first such) */
    struct pw_chart_pt need[PW_CHART_MAX]; /* the least value at each fiscal-year end */
    size_t nneed;
    int lost_fy;                       /* 0: still reachable (on the figures and the pace) */
    int lost_known;                    /* lost_fy is on the figures (1) or on the pace (0) */
};

/* Computes c's burn view into *b (b->applies 0 when it does not apply).
 * Returns 0 or PW_EINVAL. */
int pw_chart_burn(const struct pw_chart *c, struct pw_chart_burn *b);

/* Writes c as a large chart for an indicator's own page (<svg
 * class="chart-big">, 760 x 340 viewBox units): a value axis with labelled
 * ticks, every fiscal-year end (the checkpoints) labelled, each year's figure
 * written beside its point, the ideal line (the plan's), the final target,
 * the projection at the current pace, the expected value at the checkpoint
 * judged (and the secretariat's grade when assessed is 'A' or 'B'), and
 * b's line and lost year when b applies (b may be NULL). A legend and the
 * <title> say the same in words. */
void pw_chart_svg_big(FILE *out, const struct pw_chart *c, const struct pw_chart_burn *b,
                      char assessed);

#endif
