/* alert_rules.c - the forecast condition (see alert_rules.h).
 * The forecast measures the value reached at an earlier year by evaluating
 * the indicator at the end of that year with pw_eval_indicator on a copy of
 * the history in which every figure known today counts (their as_of cleared),
 * so the pace uses today's knowledge of the past, revisions included, and
 * the cumulation rules stay those of eval.c. */
#include "alert_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "err.h"
#include "fy.h"

/* Value reached at the end of fiscal year fy from the known figures up to
 * it: *value and the FY of the figure it comes from (0: none). */
static int rules_value_at(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                          int32_t today, int fy, int64_t *value, int *data_fy)
{
    struct pw_obs *cp = n ? malloc(n * sizeof *cp) : NULL;
    size_t k = 0;
    struct pw_eval ev;
    if (n && !cp)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (obs[i].fy > fy || (obs[i].as_of != PW_NO_DAY && obs[i].as_of > today))
            continue;
        cp[k] = obs[i];
        cp[k++].as_of = PW_NO_DAY;
    }
    int rc = pw_eval_indicator(ind, cp, k, pw_fy_first_day(fy + 1) - 1, &ev);
    free(cp);
    if (rc)
        return rc;
    *value = ev.actual;
    *data_fy = ev.has_actual ? ev.data_fy : 0;
    return 0;
}

int alert_rules_forecast(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                         const struct pw_eval *ev, int32_t today, struct alert_rules_forecast *out)
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
        int rc = rules_value_at(ind, obs, n, today, b, &bv, &bfy);
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
