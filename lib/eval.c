/* eval.c - target models and evaluation (see eval.h).
 *
 * Two families of models:
 *  - stock models (cumulative, level, trajectory, ratio) compare the value
 *    reached by the latest figure with what the target expects at the as-of
 *    date; the expectation rises day by day through the window;
 *  - flow models (annual, above_baseline, rolling_average, prev_average)
 *    compare single-year values with a per-year rate, the current year's
 *    rate pro-rated by the days elapsed in it.
 * Quantities are exact fractions (struct ev_q, micro-units / den) compared
 * by cross-multiplication in __int128; rounding happens only for display. */
#include "eval.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dec.h"
#include "err.h"

#define EV_SLOTS 48 /* window (<= 20) + reference years before it (<= 20) */

/* n / d in micro-units, d > 0 */
struct ev_q {
    __int128 n, d;
};

static struct ev_q ev_q(__int128 n, __int128 d)
{
    struct ev_q q = {n, d};
    return q;
}

static int ev_cmp(struct ev_q a, struct ev_q b)
{
    __int128 l = a.n * b.d, r = b.n * a.d;
    return (l > r) - (l < r);
}

static int64_t ev_round(struct ev_q q)
{
    return pw_dec_round_q(q.n, q.d);
}

static char *ev_fmt(struct ev_q q, char *buf)
{
    return pw_dec_format_q(q.n, q.d, 2, buf, PW_DEC_BUFSZ);
}

static const char *ev_status_names[PW_STATUS_COUNT] = {
    "NO_TARGET", "NO_DATA", "ON_TRACK", "AT_RISK", "BEHIND", "ACHIEVED"};

const char *pw_status_name(enum pw_status s)
{
    return (unsigned)s < PW_STATUS_COUNT ? ev_status_names[s] : "?";
}

int pw_status_parse(const char *s, enum pw_status *out)
{
    for (int i = 0; i < PW_STATUS_COUNT; i++)
        if (strcmp(s, ev_status_names[i]) == 0) {
            *out = (enum pw_status)i;
            return 0;
        }
    return PW_EINVAL;
}

/* The latest eligible revision of each fiscal year in [lo, lo + EV_SLOTS). */
struct ev_series {
    int lo, hi;
    unsigned char have[EV_SLOTS];
    unsigned char prelim[EV_SLOTS];
    enum pw_basis basis[EV_SLOTS];
    int64_t v[EV_SLOTS];
};

static int ev_has(const struct ev_series *s, int fy)
{
    return fy >= s->lo && fy <= s->hi && s->have[fy - s->lo];
}

static void ev_fill(struct ev_series *s, const struct pw_indicator *ind, const struct pw_obs *obs,
                    size_t n, int32_t as_of)
{
    int first, last, now = pw_fy_of(as_of);
    pw_indicator_fy_range(ind, &first, &last);
    memset(s, 0, sizeof *s);
    s->lo = first;
    s->hi = last < now ? last : now;
    if (s->hi - s->lo >= EV_SLOTS)
        s->hi = s->lo + EV_SLOTS - 1;
    for (size_t i = 0; i < n; i++) {
        const struct pw_obs *o = &obs[i];
        if (o->fy < s->lo || o->fy > s->hi)
            continue;
        if (o->as_of != PW_NO_DAY && o->as_of > as_of)
            continue; /* not yet known at the as-of date */
        int k = o->fy - s->lo;
        s->have[k] = 1;
        s->v[k] = o->value;
        s->basis[k] = o->basis;
        s->prelim[k] = (unsigned char)(o->preliminary != 0);
    }
}

/* Value reached by the end of fiscal year fy (stock view), starting from
 * `start` at the window start. A year without a figure adds nothing. */
static int64_t ev_cum(const struct ev_series *s, int first_fy, int fy, int64_t start)
{
    int64_t c = start;
    for (int y = first_fy; y <= fy; y++) {
        if (!ev_has(s, y))
            continue;
        int k = y - s->lo;
        c = s->basis[k] == PW_BASIS_CUMULATIVE ? s->v[k] : c + s->v[k];
    }
    return c;
}

/* Single-year value of fiscal year fy (flow view). A cumulative figure gives
 * one only when the year before it is known too (or fy opens the window). */
static int ev_flow(const struct ev_series *s, int first_fy, int fy, int64_t *out)
{
    if (!ev_has(s, fy))
        return 0;
    int k = fy - s->lo;
    if (s->basis[k] == PW_BASIS_ANNUAL) {
        *out = s->v[k];
        return 1;
    }
    if (fy == first_fy) {
        *out = s->v[k];
        return 1;
    }
    if (fy < first_fy || !ev_has(s, fy - 1))
        return 0;
    *out = s->v[k] - ev_cum(s, first_fy, fy - 1, 0);
    return 1;
}

/* Latest fiscal year in [first, hi] with a figure (stock) / a flow value. */
static int ev_latest_stock(const struct ev_series *s, int first)
{
    for (int y = s->hi; y >= first && y >= s->lo; y--)
        if (ev_has(s, y))
            return y;
    return 0;
}

static int ev_latest_flow(const struct ev_series *s, int first, int64_t *v)
{
    for (int y = s->hi; y >= first && y >= s->lo; y--)
        if (ev_flow(s, first, y, v))
            return y;
    return 0;
}

/* ---- explanation helpers ------------------------------------------------ */

static void ev_share_text(const struct pw_share *sh, char *buf, size_t n)
{
    __int128 k = (__int128)sh->num * sh->years;
    if (k % sh->den == 0)
        snprintf(buf, n, "%lld/%d", (long long)(k / sh->den), sh->years);
    else {
        char d[PW_DEC_BUFSZ];
        pw_dec_format_q(k * PW_DEC_SCALE, sh->den, 2, d, sizeof d);
        snprintf(buf, n, "%s/%d", d, sh->years);
    }
}

static const char *ev_unit(const struct pw_indicator *ind)
{
    return ind->percent ? "%" : "";
}

/* Appends "→ A, short by 7" / ", ahead by 3" to buf. */
static void ev_verdict(char *buf, size_t n, const struct pw_eval *e, struct ev_q act,
                       struct ev_q exp, int lower, const char *unit)
{
    size_t len = strlen(buf);
    char d[PW_DEC_BUFSZ];
    struct ev_q diff = ev_q(act.n * exp.d - exp.n * act.d, act.d * exp.d);
    if (diff.n < 0)
        diff.n = -diff.n;
    const char *word = NULL;
    int c = ev_cmp(act, exp);
    if (c != 0)
        word = lower ? (c > 0 ? "over by" : "under by") : (c < 0 ? "short by" : "ahead by");
    if (word)
        snprintf(buf + len, n - len, " → %c, %s %s%s", e->grade, word, ev_fmt(diff, d), unit);
    else
        snprintf(buf + len, n - len, " → %c", e->grade);
}

/* ---- status ------------------------------------------------------------- */

/* Sets status and grade from act vs exp. strict: the target is "more than". */
static void ev_judge(struct pw_eval *e, const struct pw_indicator *ind, struct ev_q act,
                     struct ev_q exp, int strict, int achieved)
{
    const struct pw_target *t = &ind->target;
    int c = ev_cmp(act, exp);
    int met = t->lower_better ? (strict ? c < 0 : c <= 0) : (strict ? c > 0 : c >= 0);
    e->grade = met ? 'A' : 'B';
    if (achieved)
        e->status = PW_STATUS_ACHIEVED;
    else if (met)
        e->status = PW_STATUS_ON_TRACK;
    else {
        /* within the margin: act >= exp x (100 - m)/100 (or <= exp x (100 + m)/100) */
        __int128 hundred = PW_DEC(100);
        __int128 f = t->lower_better ? hundred + ind->at_risk_margin
                                     : hundred - ind->at_risk_margin;
        struct ev_q thr = ev_q(exp.n * f, exp.d * hundred);
        int ct = ev_cmp(act, thr);
        int near = t->lower_better ? ct <= 0 : ct >= 0;
        e->status = near ? PW_STATUS_AT_RISK : PW_STATUS_BEHIND;
    }
    e->has_ratio = exp.n != 0;
    if (e->has_ratio)
        e->ratio = (double)(act.n * exp.d) / (double)(exp.n * act.d);
    e->actual = ev_round(act);
    e->expected = ev_round(exp);
    e->has_actual = e->has_expected = 1;
}

/* ---- stock models ------------------------------------------------------- */

static void ev_stock(struct pw_eval *e, const struct pw_indicator *ind,
                     const struct ev_series *s, int32_t as_of, int text)
{
    const struct pw_target *t = &ind->target;
    char sh[32], a[PW_DEC_BUFSZ], x[PW_DEC_BUFSZ], f[PW_DEC_BUFSZ], g[PW_DEC_BUFSZ];
    int now = pw_fy_of(as_of);
    int y = ev_latest_stock(s, t->first_fy);
    int64_t start = t->type == PW_TARGET_LEVEL        ? t->baseline
                    : t->type == PW_TARGET_TRAJECTORY ? t->start
                                                      : 0;
    int64_t final = 0;
    pw_target_final(t, &final);
    e->target = t->type == PW_TARGET_RATIO ? t->value : final;
    if (!y) {
        e->status = PW_STATUS_NO_DATA;
        if (!text)
            return;
        ev_share_text(&e->share, sh, sizeof sh);
        snprintf(e->explanation, sizeof e->explanation,
                 "FY%d (%s): no figure for FY%d–%d reported by %s", now, sh, t->first_fy,
                 t->last_fy, pw_day_format(as_of, a));
        return;
    }
    e->data_fy = y;
    e->preliminary = s->prelim[y - s->lo];
    const char *ge = t->lower_better ? "≤" : "≥";
    const char *unit = ev_unit(ind);
    struct ev_q act, exp;
    if (t->type == PW_TARGET_RATIO) {
        act = ev_q(s->v[y - s->lo], 1);
        exp = ev_q(t->value, 1);
        ev_judge(e, ind, act, exp, 0, 0);
        if (!text)
            return;
        snprintf(e->explanation, sizeof e->explanation, "FY%d: expected %s %s%s, actual %s%s",
                 now, ge, ev_fmt(exp, x), unit, ev_fmt(act, a), unit);
    } else {
        act = ev_q(ev_cum(s, t->first_fy, y, start), 1);
        const struct pw_share *w = &e->share;
        if (t->type == PW_TARGET_CUMULATIVE) {
            exp = ev_q((__int128)t->value * w->num, w->den);
        } else if (t->type == PW_TARGET_LEVEL) {
            exp = ev_q((__int128)t->baseline * w->den + (__int128)(t->value - t->baseline) * w->num,
                       w->den);
        } else { /* trajectory: milestones interpolated within the current year */
            if (now < t->first_fy) {
                exp = ev_q(t->start, 1);
            } else if (now > t->last_fy) {
                exp = ev_q(final, 1);
            } else {
                int k = now - t->first_fy;
                int64_t prev = k == 0 ? t->start : t->milestones[k - 1], cur = t->milestones[k];
                int64_t yn, yd;
                pw_fy_year_share(now, as_of, &yn, &yd);
                exp = ev_q((__int128)prev * yd + (__int128)(cur - prev) * yn, yd);
            }
        }
        int reached = t->lower_better ? act.n <= final : act.n >= final;
        int achieved = reached && (!t->lower_better || t->type != PW_TARGET_CUMULATIVE);
        ev_judge(e, ind, act, exp, 0, achieved);
        /* run-rate still needed, and where the current pace leads */
        __int128 left = (__int128)(w->den - w->num) * w->years; /* remaining years x den */
        if (left > 0 && !achieved) {
            __int128 gap = (__int128)final - act.n;
            if (t->lower_better ? gap > 0 : gap < 0)
                gap = 0;
            e->run_rate = pw_dec_round_q(gap * w->den, left);
            e->has_run_rate = 1;
        }
        /* a trajectory is not linear: its pace says nothing about the end */
        if (w->num > 0 && w->num < w->den && t->type != PW_TARGET_TRAJECTORY) {
            e->projected = pw_dec_round_q((__int128)start * w->num + (act.n - start) * w->den,
                                          w->num);
            e->has_projected = 1;
        }
        if (!text)
            return;
        ev_share_text(&e->share, sh, sizeof sh);
        if (achieved)
            snprintf(e->explanation, sizeof e->explanation,
                     "FY%d (%s): target %s%s reached, actual %s%s", now, sh,
                     ev_fmt(ev_q(final, 1), f), unit, ev_fmt(act, a), unit);
        else if (t->type == PW_TARGET_LEVEL)
            snprintf(e->explanation, sizeof e->explanation,
                     "FY%d (%s): expected %s %s%s (%s → %s by FY%d), actual %s%s", now, sh, ge,
                     ev_fmt(exp, x), unit, ev_fmt(ev_q(t->baseline, 1), f),
                     ev_fmt(ev_q(final, 1), g), t->last_fy, ev_fmt(act, a), unit);
        else if (t->type == PW_TARGET_TRAJECTORY)
            snprintf(e->explanation, sizeof e->explanation,
                     "FY%d (%s): expected %s %s%s on the planned trajectory to %s by FY%d, "
                     "actual %s%s",
                     now, sh, ge, ev_fmt(exp, x), unit, ev_fmt(ev_q(final, 1), f), t->last_fy,
                     ev_fmt(act, a), unit);
        else
            snprintf(e->explanation, sizeof e->explanation,
                     "FY%d (%s): expected %s %s of %s%s, actual %s%s", now, sh, ge,
                     ev_fmt(exp, x), ev_fmt(ev_q(final, 1), f), unit, ev_fmt(act, a), unit);
    }
    if (e->status == PW_STATUS_ACHIEVED)
        strncat(e->explanation, " → A", sizeof e->explanation - strlen(e->explanation) - 1);
    else
        ev_verdict(e->explanation, sizeof e->explanation, e, act, exp, t->lower_better, unit);
    size_t len = strlen(e->explanation);
    if (e->has_run_rate && !e->has_projected)
        snprintf(e->explanation + len, sizeof e->explanation - len, "; needs %s%s/yr to reach %s",
                 ev_fmt(ev_q(e->run_rate, 1), a), unit, ev_fmt(ev_q(final, 1), f));
    else if (e->has_run_rate)
        snprintf(e->explanation + len, sizeof e->explanation - len,
                 "; needs %s%s/yr to reach %s, on pace for %s", ev_fmt(ev_q(e->run_rate, 1), a),
                 unit, ev_fmt(ev_q(final, 1), f), ev_fmt(ev_q(e->projected, 1), x));
    len = strlen(e->explanation);
    if (y < now && y > 0)
        snprintf(e->explanation + len, sizeof e->explanation - len, " (latest figure FY%d%s)", y,
                 e->preliminary ? ", preliminary" : "");
    else if (e->preliminary)
        snprintf(e->explanation + len, sizeof e->explanation - len, " (preliminary)");
}

/* ---- flow models -------------------------------------------------------- */

static void ev_flow_model(struct pw_eval *e, const struct pw_indicator *ind,
                          const struct ev_series *s, int32_t as_of, int text)
{
    const struct pw_target *t = &ind->target;
    char a[PW_DEC_BUFSZ], x[PW_DEC_BUFSZ], r[PW_DEC_BUFSZ], frac[48] = "";
    int now = pw_fy_of(as_of);
    int64_t v = 0;
    int y = ev_latest_flow(s, t->first_fy, &v);
    const char *unit = ev_unit(ind);
    int strict = t->type == PW_TARGET_ABOVE_BASELINE;
    const char *ge = strict ? (t->lower_better ? "<" : ">") : (t->lower_better ? "≤" : "≥");
    e->target = t->type == PW_TARGET_PREV_AVERAGE ? t->baseline : t->value;
    if (!y) {
        e->status = PW_STATUS_NO_DATA;
        if (!text)
            return;
        snprintf(e->explanation, sizeof e->explanation,
                 "FY%d: no single-year figure for FY%d–%d reported by %s", now, t->first_fy,
                 t->last_fy, pw_day_format(as_of, a));
        return;
    }
    e->data_fy = y;
    e->preliminary = s->prelim[y - s->lo];
    int64_t yn, yd;
    pw_fy_year_share(y, as_of, &yn, &yd);
    if (text && yn < yd)
        snprintf(frac, sizeof frac, " (%s of the year)",
                 pw_dec_format_q((__int128)yn * PW_DEC_SCALE, yd, 2, r, sizeof r));
    struct ev_q act, exp;
    if (t->type == PW_TARGET_ROLLING_AVERAGE) {
        /* sum of reported years vs rate x years (the current one pro-rated) */
        __int128 sum = 0;
        int count = 0, full = 0;
        for (int fy = y - t->years + 1; fy <= y; fy++) {
            int64_t fv;
            if (fy < t->first_fy || !ev_flow(s, t->first_fy, fy, &fv))
                continue;
            sum += fv;
            count++;
            full += fy != y;
        }
        e->years_used = count;
        e->years_wanted = t->years;
        act = ev_q(sum, count);
        exp = ev_q((__int128)t->value * ((__int128)full * yd + yn), (__int128)yd * count);
        ev_judge(e, ind, act, exp, 0, 0);
        if (!text)
            return;
        snprintf(e->explanation, sizeof e->explanation,
                 "FY%d%s: %d-year average expected %s %s%s, actual %s%s (%d of %d years reported)",
                 y, frac, t->years, ge, ev_fmt(exp, x), unit, ev_fmt(act, a), unit, count, t->years);
    } else if (t->type == PW_TARGET_PREV_AVERAGE) {
        int r0 = y - t->lag - t->years + 1, r1 = y - t->lag, ok = 1;
        __int128 sum = 0;
        for (int fy = r0; fy <= r1 && ok; fy++) {
            int64_t fv;
            ok = ev_flow(s, t->first_fy, fy, &fv);
            sum += fv;
        }
        act = ev_q(v, 1);
        const char *src = "reported";
        if (!ok && !t->has_baseline) {
            e->status = PW_STATUS_NO_DATA;
            if (!text)
                return;
            snprintf(e->explanation, sizeof e->explanation,
                     "FY%d: reference years FY%d–%d not reported and no baseline in the catalog",
                     y, r0, r1);
            return;
        }
        if (!ok) {
            sum = (__int128)t->baseline * t->years;
            src = "catalog baseline";
        }
        exp = ev_q(sum * yn, (__int128)t->years * yd);
        e->target = pw_dec_round_q(sum, t->years);
        ev_judge(e, ind, act, exp, 0, 0);
        if (!text)
            return;
        snprintf(e->explanation, sizeof e->explanation,
                 "FY%d%s: expected %s %s%s (average of FY%d–%d, %s), actual %s%s", y, frac, ge,
                 ev_fmt(exp, x), unit, r0, r1, src, ev_fmt(act, a), unit);
    } else { /* annual, above_baseline */
        act = ev_q(v, 1);
        exp = ev_q((__int128)t->value * yn, yd);
        ev_judge(e, ind, act, exp, strict, 0);
        if (!text)
            return;
        if (yn < yd)
            snprintf(e->explanation, sizeof e->explanation,
                     "FY%d%s: expected %s %s of %s%s per year, actual %s%s", y, frac, ge,
                     ev_fmt(exp, x), ev_fmt(ev_q(t->value, 1), r), unit, ev_fmt(act, a), unit);
        else
            snprintf(e->explanation, sizeof e->explanation,
                     "FY%d: expected %s %s%s per year, actual %s%s", y, ge, ev_fmt(exp, x), unit,
                     ev_fmt(act, a), unit);
    }
    ev_verdict(e->explanation, sizeof e->explanation, e, act, exp, t->lower_better, unit);
    size_t len = strlen(e->explanation);
    if (y < now)
        snprintf(e->explanation + len, sizeof e->explanation - len, " (latest figure FY%d%s)", y,
                 e->preliminary ? ", preliminary" : "");
    else if (e->preliminary)
        snprintf(e->explanation + len, sizeof e->explanation - len, " (preliminary)");
}

/* ---- monitoring only ---------------------------------------------------- */

static void ev_none(struct pw_eval *e, const struct pw_indicator *ind, const struct ev_series *s,
                    int text)
{
    char a[PW_DEC_BUFSZ];
    int y = ev_latest_stock(s, s->lo);
    e->status = PW_STATUS_NO_TARGET;
    if (!y) {
        if (text)
            snprintf(e->explanation, sizeof e->explanation, "monitoring only: no figure yet");
        return;
    }
    int64_t v = ind->reporting == PW_BASIS_CUMULATIVE ? ev_cum(s, s->lo, y, 0)
                                                      : s->v[y - s->lo];
    e->data_fy = y;
    e->preliminary = s->prelim[y - s->lo];
    e->actual = v;
    e->has_actual = 1;
    if (!text)
        return;
    snprintf(e->explanation, sizeof e->explanation, "monitoring only: FY%d figure %s%s%s", y,
             ev_fmt(ev_q(v, 1), a), ev_unit(ind), e->preliminary ? " (preliminary)" : "");
}

static int ev_run(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                  int32_t as_of, int text, struct pw_eval *out)
{
    if (!ind || !out || (n > 0 && !obs))
        return PW_EINVAL;
    struct ev_series s;
    /* not memset: the explanation buffer is most of the struct and the
     * status-only path never writes it */
    memset(out, 0, offsetof(struct pw_eval, explanation));
    out->explanation[0] = '\0';
    out->as_of = as_of;
    out->grade = '-';
    pw_fy_share(ind->target.first_fy, ind->target.last_fy, as_of, &out->share);
    ev_fill(&s, ind, obs, n, as_of);
    switch (ind->target.type) {
    case PW_TARGET_NONE:
        ev_none(out, ind, &s, text);
        break;
    case PW_TARGET_CUMULATIVE:
    case PW_TARGET_LEVEL:
    case PW_TARGET_TRAJECTORY:
    case PW_TARGET_RATIO:
        ev_stock(out, ind, &s, as_of, text);
        break;
    case PW_TARGET_ANNUAL:
    case PW_TARGET_ABOVE_BASELINE:
    case PW_TARGET_ROLLING_AVERAGE:
    case PW_TARGET_PREV_AVERAGE:
        ev_flow_model(out, ind, &s, as_of, text);
        break;
    }
    return 0;
}

int pw_eval_indicator(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                      int32_t as_of, struct pw_eval *out)
{
    return ev_run(ind, obs, n, as_of, 1, out);
}

int pw_eval_status(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                   int32_t as_of, struct pw_eval *out)
{
    return ev_run(ind, obs, n, as_of, 0, out);
}
