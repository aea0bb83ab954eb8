/* alert_rules.c - the forecast condition (see alert_rules.h).
 * The forecast measures the value reached at an earlier year by evaluating
 * the indicator at the end of that year (pw_eval), so the pace uses today's
 * knowledge of the past, revisions included, and the cumulation rules stay
 * those of eval.c. */
#include "alert_rules.h"

#include <stdio.h>
#include <string.h>

#include "dec.h"
#include "err.h"
#include "fy.h"

/* Value reached at the end of fiscal year fy from the figures up to it
 * (every revision known today counts: the pace uses today's knowledge of the
 * past): *value and the FY of the figure it comes from (0: none). */
static int rules_value_at(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                          int fy, int64_t *value, int *data_fy)
{
    struct pw_eval ev;
    /* judged at the end of fy, nothing later can count */
    int rc = pw_eval_status(ind, obs, n, pw_fy_first_day(fy + 1) - 1, &ev);
    if (rc)
        return rc;
    *value = ev.actual;
    *data_fy = ev.has_actual ? ev.data_fy : 0;
    return 0;
}

int alert_rules_forecast(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                         const struct pw_eval *ev, struct alert_rules_forecast *out)
{
    const struct pw_target *t = &ind->target;
    int64_t final = 0, start = t->type == PW_TARGET_LEVEL ? t->baseline : 0;
    if (ind->forecast_years <= 0 ||
        (t->type != PW_TARGET_CUMULATIVE && t->type != PW_TARGET_LEVEL) ||
        ev->status != PW_STATUS_ON_TRACK || !ev->has_actual || ev->data_fy < t->first_fy ||
        ev->data_fy >= t->last_fy || !pw_target_final(t, &final))
        return 0;
    int y = ev->data_fy, b = y - ind->forecast_years, bfy = 0;
    int64_t bv = start;
    if (b >= t->first_fy) {
        int rc = rules_value_at(ind, obs, n, b, &bv, &bfy);
        if (rc)
            return rc;
        if (!bfy)
            bv = start; /* nothing reported before: the pace runs from the window start */
    }
    if (!bfy)
        bfy = t->first_fy - 1;
    int span = y - bfy, left = t->last_fy - y;
    /* projected = to + (to - from) * left / span, exact until the comparison */
    __int128 num = (__int128)ev->actual * span + ((__int128)ev->actual - bv) * left;
    __int128 fin = (__int128)final * span;
    int short_of = t->lower_better ? num > fin : num < fin;
    if (!short_of)
        return 0;
    memset(out, 0, sizeof *out);
    out->from_fy = bfy;
    out->to_fy = y;
    out->from_value = bv;
    out->to_value = ev->actual;
    out->pace = pw_dec_round_q((__int128)ev->actual - bv, span);
    out->projected = pw_dec_round_q(num, span);
    out->final = final;
    out->run_rate = ev->run_rate;
    out->has_run_rate = ev->has_run_rate;
    char p[PW_DEC_BUFSZ], j[PW_DEC_BUFSZ], f[PW_DEC_BUFSZ], r[PW_DEC_BUFSZ];
    const char *unit = ind->percent ? "%" : "";
    char from[24];
    if (bfy < t->first_fy)
        snprintf(from, sizeof from, "the window start");
    else
        snprintf(from, sizeof from, "FY%d", bfy);
    int len = snprintf(out->summary, sizeof out->summary,
                       "projected shortfall: at the pace from %s to FY%d (%s%s/yr), %s%s of %s%s "
                       "by FY%d",
                       from, y, pw_dec_format_q(out->pace, 1, 2, p, sizeof p), unit,
                       pw_dec_format_q(out->projected, 1, 2, j, sizeof j), unit,
                       pw_dec_format_q(final, 1, 2, f, sizeof f), unit, t->last_fy);
    if (out->has_run_rate && len > 0 && (size_t)len < sizeof out->summary)
        snprintf(out->summary + len, sizeof out->summary - (size_t)len,
                 "; needs %s%s/yr from now to reach it",
                 pw_dec_format_q(out->run_rate, 1, 2, r, sizeof r), unit);
    return 1;
}
