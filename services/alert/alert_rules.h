/* alert_rules.h - the alert condition that is not the plan's rule: a
 * projected shortfall. A pure function of an indicator, its update history
 * and its evaluation: no state, no I/O, no clock of its own, so a replay at any date
 * gives the same answer. alert_state.c turns its answers into opened /
 * updated / resolved transitions. Checkpoint, overdue, final and grade are
 * the domain library's (pw_eval, eval.h): the alert service never decides
 * them itself.
 *
 * Forecast. "At the current pace" is the pace of the last `forecast` years
 * reported (catalog key, default 1; 0 turns it off): the change of the
 * value reached between the end of an earlier reported year (or the window
 * start) and the latest figure, per year. Projected to the window end, it
 * is a shortfall when it misses the final target (cumulative and level
 * targets; lower-is-better targets the other way round). The condition holds
 * only while the indicator is ON_TRACK (grade A): once it is AT_RISK or
 * BEHIND its status alert says the same thing, formally. The run-rate still
 * needed per remaining year is pw_eval's run_rate. */
#ifndef ALERT_RULES_H
#define ALERT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "eval.h"

struct alert_rules_forecast {
    int from_fy;         /* pace measured from the end of this FY (first_fy - 1: window start) */
    int to_fy;           /* ... to the latest figure's FY */
    int64_t from_value;  /* pw_dec: value reached at from_fy (the start value before the window) */
    int64_t to_value;    /* pw_dec: value reached at to_fy (ev->actual) */
    int64_t pace;        /* pw_dec per year, rounded */
    int64_t projected;   /* pw_dec: value at the end of the window at that pace, rounded */
    int64_t final;       /* the final target */
    int64_t run_rate;    /* pw_dec per remaining year still needed (ev->run_rate) */
    int has_run_rate;
    char summary[256];   /* "at the FY2024–FY2025 pace of 80/yr: 520 of 650 by FY2029; needs ..." */
};

/* Whether ind, evaluated as ev from obs[0..n), is on
 * track but projected short of its final target at the recent pace. Returns
 * 1 with *out filled, 0 when not (forecast off, not a cumulative/level
 * target, not ON_TRACK, no figure, the window's last year already reported,
 * or the projection reaches the target), or PW_ENOMEM. */
int alert_rules_forecast(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                         const struct pw_eval *ev, struct alert_rules_forecast *out);

#endif
