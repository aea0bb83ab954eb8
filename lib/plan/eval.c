/* eval.c - checkpoints, target models and evaluation (see eval.h).
 *
 * Two families of models, both judged at the checkpoint (a period end):
 *  - stock models (cumulative, level, trajectory, ratio) compare the value
 *    reached by the latest figure up to the checkpoint with what the target
 *    expects at it (k/N of the way for year k of N);
 *  - flow models (annual, above_baseline, rolling_average, prev_average)
 *    compare the checkpoint year's single-year value with the year's rate.
 * Quantities are exact fractions (struct ev_q, micro-units / den) compared
 * by cross-multiplication in __int128; rounding happens only for display. */
#include "eval.h"

#include <stdarg.h>
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

int pw_status_behind(enum pw_status s)
{
    return s == PW_STATUS_AT_RISK || s == PW_STATUS_BEHIND;
}

int pw_eval_alerting(const struct pw_eval *e)
{
    return pw_status_behind(e->status) && !e->cp.final;
}

int pw_assessment_applies(const struct pw_assessment *a, const struct pw_eval *e)
{
    return a && a->fy && e->cp.fy == a->fy && (a->grade == 'A' || a->grade == 'B');
}

char pw_eval_grade_shown(const struct pw_eval *e, const struct pw_assessment *a)
{
    return pw_assessment_applies(a, e) ? a->grade : e->grade;
}

int pw_eval_alerting_assessed(const struct pw_eval *e, const struct pw_assessment *a)
{
    return pw_eval_alerting(e) && !(pw_assessment_applies(a, e) && a->grade == 'A');
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

/* ---- checkpoints ---------------------------------------------------------- */

/* Last day of reporting period fy. Periods are fiscal years today; this is
 * the one place that says so for the judgement. */
static int32_t ev_period_end(int fy)
{
    return pw_fy_first_day(fy + 1) - 1;
}

/* Whether revision o had arrived by known_at. */
static int ev_known(const struct pw_obs *o, int64_t known_at)
{
    return o->known_ns <= known_at;
}

int32_t pw_due_day(const struct pw_indicator *ind, int fy)
{
    /* FY fy+1 runs 1 April fy+1 .. 31 March fy+2 */
    int year = ind->deadline_month >= 4 ? fy + 1 : fy + 2;
    return pw_day_from_ymd(year, ind->deadline_month, ind->deadline_day);
}

int pw_checkpoint_find(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                       int32_t as_of, int64_t known_at, struct pw_checkpoint *out)
{
    if (!ind || !out || (n > 0 && !obs))
        return PW_EINVAL;
    const struct pw_target *t = &ind->target;
    unsigned char have[PW_WINDOW_MAX] = {0};
    /* per fiscal year, whether its latest known revision is a figure (1)
     * or a retraction (2): a retracted year has nothing */
    unsigned char st[PW_FY_MAX - PW_FY_MIN + 1] = {0};
    int any = 0, latest = 0, lo = PW_FY_MAX + 1, hi = PW_FY_MIN - 1;
    for (size_t i = 0; i < n; i++)
        if (ev_known(&obs[i], known_at) && obs[i].fy >= PW_FY_MIN && obs[i].fy <= PW_FY_MAX) {
            st[obs[i].fy - PW_FY_MIN] = obs[i].retracted ? 2 : 1;
            lo = obs[i].fy < lo ? obs[i].fy : lo;
            hi = obs[i].fy > hi ? obs[i].fy : hi;
        }
    for (int y = lo; y <= hi; y++) { /* the years seen, not all 210 */
        if (st[y - PW_FY_MIN] != 1)
            continue;
        any = 1;
        latest = y;
        if (y >= t->first_fy && y <= t->last_fy)
            have[y - t->first_fy] = 1;
    }
    /* a window that starts before the plan is first judged in the plan */
    int first = t->first_fy;
    if (ind->plan && ind->plan->first_fy > first && ind->plan->first_fy <= t->last_fy)
        first = ind->plan->first_fy;
    memset(out, 0, sizeof *out);
    out->years = t->last_fy - t->first_fy + 1;
    for (int y = t->last_fy; y >= first; y--) {
        if (ev_period_end(y) > as_of)
            continue; /* not ended: its figures do not move the checkpoint */
        if (have[y - t->first_fy] || as_of > pw_due_day(ind, y)) {
            out->fy = y;
            break;
        }
    }
    if (out->fy) {
        out->end = ev_period_end(out->fy);
        out->due = pw_due_day(ind, out->fy);
        out->k = out->fy - t->first_fy + 1;
        out->final = out->fy == t->last_fy;
        /* a figure for a later year (a cumulative one covers it) is not chased */
        out->overdue = ind->must_report && as_of > out->due && latest < out->fy;
        out->never = out->overdue && !any;
    }
    int next = out->fy ? out->fy + 1 : first;
    if (next <= t->last_fy) {
        out->next_fy = next;
        out->next_end = ev_period_end(next);
        out->next_due = pw_due_day(ind, next);
    }
    return 0;
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

/* Fills s with the figures known at known_at for fiscal years up to hi. */
static void ev_fill(struct ev_series *s, const struct pw_indicator *ind, const struct pw_obs *obs,
                    size_t n, int64_t known_at, int hi)
{
    int first, last;
    pw_indicator_fy_range(ind, &first, &last);
    memset(s, 0, sizeof *s);
    s->lo = first;
    s->hi = last < hi ? last : hi;
    if (s->hi - s->lo >= EV_SLOTS)
        s->hi = s->lo + EV_SLOTS - 1;
    for (size_t i = 0; i < n; i++) {
        const struct pw_obs *o = &obs[i];
        if (o->fy < s->lo || o->fy > s->hi)
            continue;
        if (!ev_known(o, known_at))
            continue; /* had not arrived at the known-at instant */
        int k = o->fy - s->lo;
        s->have[k] = !o->retracted; /* the latest counts: a retraction leaves no figure */
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

/* ---- explanation helpers ------------------------------------------------ */

/* "3/5" for year k of N (k = 0: none yet). */
static void ev_share_text(int k, int years, char *buf, size_t n)
{
    snprintf(buf, n, "%d/%d", k, years);
}

static const char *ev_unit(const struct pw_indicator *ind)
{
    return ind->percent ? "%" : "";
}

/* Appends printf-style text to e's explanation. */
__attribute__((format(printf, 2, 3))) static void ev_say(struct pw_eval *e, const char *fmt, ...)
{
    size_t len = strlen(e->explanation);
    if (len + 1 >= sizeof e->explanation)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->explanation + len, sizeof e->explanation - len, fmt, ap);
    va_end(ap);
}

/* "FY2025 (1/5): " or "final FY2024 (5/5): " (no share for the flow models). */
static void ev_header(struct pw_eval *e, int share)
{
    char sh[32];
    ev_share_text(e->cp.k, e->cp.years, sh, sizeof sh);
    if (share)
        ev_say(e, "%sFY%d (%s): ", e->cp.final ? "final " : "", e->cp.fy, sh);
    else
        ev_say(e, "%sFY%d: ", e->cp.final ? "final " : "", e->cp.fy);
}

/* Appends "→ A, short by 7" / ", ahead by 3". */
static void ev_verdict(struct pw_eval *e, struct ev_q act, struct ev_q exp, int lower,
                       const char *unit)
{
    char d[PW_DEC_BUFSZ];
    struct ev_q diff = ev_q(act.n * exp.d - exp.n * act.d, act.d * exp.d);
    if (diff.n < 0)
        diff.n = -diff.n;
    const char *word = NULL;
    int c = ev_cmp(act, exp);
    if (c != 0)
        word = lower ? (c > 0 ? "over by" : "under by") : (c < 0 ? "short by" : "ahead by");
    if (word)
        ev_say(e, " → %c, %s %s%s", e->grade, word, ev_fmt(diff, d), unit);
    else
        ev_say(e, " → %c", e->grade);
}

/* "; the FY2026 figure was due 2027-06-30 and has not arrived" */
static void ev_overdue_text(struct pw_eval *e)
{
    char d[11];
    if (e->cp.never)
        ev_say(e, "; never reported: the FY%d figure was due %s", e->cp.fy,
               pw_day_format(e->cp.due, d));
    else if (e->cp.overdue)
        ev_say(e, "; the FY%d figure was due %s and has not arrived", e->cp.fy,
               pw_day_format(e->cp.due, d));
}

/* What the next checkpoint needs: "; next: FY2026 (2/5) needs ≥ 260 (102 more), due 2027-06-30". */
static void ev_next_text(struct pw_eval *e, const struct pw_indicator *ind, struct ev_q act)
{
    const struct pw_target *t = &ind->target;
    char d[11], x[PW_DEC_BUFSZ], m[PW_DEC_BUFSZ], sh[32];
    const char *unit = ev_unit(ind);
    if (!e->cp.next_fy)
        return;
    pw_day_format(e->cp.next_due, d);
    if (!e->has_next) {
        ev_say(e, "; next: FY%d, due %s", e->cp.next_fy, d);
        return;
    }
    if (t->type == PW_TARGET_ANNUAL || t->type == PW_TARGET_ABOVE_BASELINE) {
        const char *op = t->type == PW_TARGET_ABOVE_BASELINE ? (t->lower_better ? "<" : ">")
                                                             : (t->lower_better ? "≤" : "≥");
        ev_say(e, "; next: FY%d needs %s %s%s, due %s", e->cp.next_fy, op,
               ev_fmt(ev_q(e->next_expected, 1), x), unit, d);
        return;
    }
    ev_share_text(e->cp.next_fy - t->first_fy + 1, e->cp.years, sh, sizeof sh);
    struct ev_q nx = ev_q(e->next_expected, 1);
    struct ev_q diff = ev_q(nx.n * act.d - act.n, act.d);
    int lower = t->lower_better;
    if (lower)
        diff.n = -diff.n;
    if (diff.n > 0)
        ev_say(e, "; next: FY%d (%s) needs %s %s%s (%s%s %s), due %s", e->cp.next_fy, sh,
               lower ? "≤" : "≥", ev_fmt(nx, x), unit, ev_fmt(diff, m), unit,
               lower ? "less" : "more", d);
    else
        ev_say(e, "; next: FY%d (%s) needs %s %s%s (already met), due %s", e->cp.next_fy, sh,
               lower ? "≤" : "≥", ev_fmt(nx, x), unit, d);
}

/* ---- status ------------------------------------------------------------- */

/* Sets status and grade from act vs exp. strict: the target is "more than".
 * At the final checkpoint a met target is ACHIEVED. */
static void ev_judge(struct pw_eval *e, const struct pw_indicator *ind, struct ev_q act,
                     struct ev_q exp, int strict, int achieved)
{
    const struct pw_target *t = &ind->target;
    int c = ev_cmp(act, exp);
    int met = t->lower_better ? (strict ? c < 0 : c <= 0) : (strict ? c > 0 : c >= 0);
    e->grade = met ? 'A' : 'B';
    if (achieved || (met && e->cp.final))
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

/* What a stock target expects at the end of window year k (1..N). */
static struct ev_q ev_stock_expected(const struct pw_target *t, int k, int years)
{
    switch (t->type) {
    case PW_TARGET_CUMULATIVE:
        return ev_q((__int128)t->value * k, years);
    case PW_TARGET_LEVEL:
        return ev_q((__int128)t->baseline * years + (__int128)(t->value - t->baseline) * k, years);
    case PW_TARGET_TRAJECTORY: {
        int64_t num, den;
        pw_target_milestone(t, t->first_fy + k - 1, &num, &den);
        return ev_q(num, den);
    }
    default: /* ratio */
        return ev_q(t->value, 1);
    }
}

static void ev_stock(struct pw_eval *e, const struct pw_indicator *ind,
                     const struct ev_series *s, int text)
{
    const struct pw_target *t = &ind->target;
    char a[PW_DEC_BUFSZ], x[PW_DEC_BUFSZ], f[PW_DEC_BUFSZ], g[PW_DEC_BUFSZ];
    int y = ev_latest_stock(s, t->first_fy);
    int k = e->cp.k, years = e->cp.years;
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
        ev_header(e, t->type != PW_TARGET_RATIO);
        ev_say(e, "no figure for FY%d–%d", t->first_fy, e->cp.fy);
        ev_overdue_text(e);
        return;
    }
    e->data_fy = y;
    e->preliminary = s->prelim[y - s->lo];
    const char *ge = t->lower_better ? "≤" : "≥";
    const char *unit = ev_unit(ind);
    struct ev_q act, exp = ev_stock_expected(t, k, years);
    if (t->type == PW_TARGET_RATIO) {
        act = ev_q(s->v[y - s->lo], 1);
        ev_judge(e, ind, act, exp, 0, 0);
        if (!text)
            return;
        ev_header(e, 0);
        ev_say(e, "expected %s %s%s, actual %s%s", ge, ev_fmt(exp, x), unit, ev_fmt(act, a), unit);
        ev_verdict(e, act, exp, t->lower_better, unit);
    } else {
        act = ev_q(ev_cum(s, t->first_fy, y, start), 1);
        int reached = t->lower_better ? act.n <= final : act.n >= final;
        int achieved = reached && (!t->lower_better || t->type != PW_TARGET_CUMULATIVE);
        ev_judge(e, ind, act, exp, 0, achieved);
        /* run-rate still needed per remaining year, and where this pace leads */
        if (k < years && e->status != PW_STATUS_ACHIEVED) {
            __int128 gap = (__int128)final - act.n;
            if (t->lower_better ? gap > 0 : gap < 0)
                gap = 0;
            e->run_rate = pw_dec_round_q(gap, years - k);
            e->has_run_rate = 1;
        }
        /* a trajectory is not linear: its pace says nothing about the end */
        if (k > 0 && k < years && t->type != PW_TARGET_TRAJECTORY) {
            e->projected = pw_dec_round_q((__int128)start * k + (act.n - start) * years, k);
            e->has_projected = 1;
        }
        if (e->cp.next_fy && e->status != PW_STATUS_ACHIEVED) {
            e->next_expected = ev_round(ev_stock_expected(t, k + 1, years));
            e->has_next = 1;
        }
        if (!text)
            return;
        ev_header(e, 1);
        if (e->status == PW_STATUS_ACHIEVED)
            ev_say(e, "target %s%s reached, actual %s%s → A", ev_fmt(ev_q(final, 1), f), unit,
                   ev_fmt(act, a), unit);
        else if (t->type == PW_TARGET_LEVEL)
            ev_say(e, "expected %s %s%s (%s → %s by FY%d), actual %s%s", ge, ev_fmt(exp, x), unit,
                   ev_fmt(ev_q(t->baseline, 1), f), ev_fmt(ev_q(final, 1), g), t->last_fy,
                   ev_fmt(act, a), unit);
        else if (t->type == PW_TARGET_TRAJECTORY)
            ev_say(e, "expected %s %s%s on the planned trajectory to %s by FY%d, actual %s%s", ge,
                   ev_fmt(exp, x), unit, ev_fmt(ev_q(final, 1), f), t->last_fy, ev_fmt(act, a),
                   unit);
        else
            ev_say(e, "expected %s %s of %s%s, actual %s%s", ge, ev_fmt(exp, x),
                   ev_fmt(ev_q(final, 1), f), unit, ev_fmt(act, a), unit);
        if (e->status != PW_STATUS_ACHIEVED)
            ev_verdict(e, act, exp, t->lower_better, unit);
        if (e->has_run_rate && !e->has_projected)
            ev_say(e, "; needs %s%s/yr to reach %s", ev_fmt(ev_q(e->run_rate, 1), a), unit,
                   ev_fmt(ev_q(final, 1), f));
        else if (e->has_run_rate)
            ev_say(e, "; needs %s%s/yr to reach %s, on pace for %s",
                   ev_fmt(ev_q(e->run_rate, 1), a), unit, ev_fmt(ev_q(final, 1), f),
                   ev_fmt(ev_q(e->projected, 1), x));
    }
    if (y < e->cp.fy)
        ev_say(e, " (latest figure FY%d%s)", y, e->preliminary ? ", preliminary" : "");
    else if (e->preliminary)
        ev_say(e, " (preliminary)");
    ev_overdue_text(e);
    ev_next_text(e, ind, act);
}

/* ---- flow models -------------------------------------------------------- */

static void ev_flow_model(struct pw_eval *e, const struct pw_indicator *ind,
                          const struct ev_series *s, int text)
{
    const struct pw_target *t = &ind->target;
    char a[PW_DEC_BUFSZ], x[PW_DEC_BUFSZ], d[11];
    int y = e->cp.fy;
    int64_t v = 0;
    const char *unit = ev_unit(ind);
    int strict = t->type == PW_TARGET_ABOVE_BASELINE;
    const char *ge = strict ? (t->lower_better ? "<" : ">") : (t->lower_better ? "≤" : "≥");
    e->target = t->type == PW_TARGET_PREV_AVERAGE ? t->baseline : t->value;
    if (!ev_flow(s, t->first_fy, y, &v)) {
        /* a per-year target has no grade without its year's figure */
        e->status = PW_STATUS_NO_DATA;
        if (!text)
            return;
        ev_header(e, 0);
        if (e->cp.overdue)
            ev_say(e, "no grade: the FY%d figure was due %s and has not arrived%s", y,
                   pw_day_format(e->cp.due, d), e->cp.never ? " (never reported)" : "");
        else
            ev_say(e, "no single-year figure for FY%d (a cumulative figure needs the year before)",
                   y);
        return;
    }
    e->data_fy = y;
    e->preliminary = s->prelim[y - s->lo];
    struct ev_q act, exp;
    if (t->type == PW_TARGET_ROLLING_AVERAGE) {
        __int128 sum = 0;
        int count = 0;
        for (int fy = y - t->years + 1; fy <= y; fy++) {
            int64_t fv;
            if (fy < t->first_fy || !ev_flow(s, t->first_fy, fy, &fv))
                continue;
            sum += fv;
            count++;
        }
        e->years_used = count;
        e->years_wanted = t->years;
        act = ev_q(sum, count);
        exp = ev_q(t->value, 1);
        ev_judge(e, ind, act, exp, 0, 0);
        if (!text)
            return;
        ev_header(e, 0);
        ev_say(e, "%d-year average expected %s %s%s, actual %s%s (%d of %d years reported)",
               t->years, ge, ev_fmt(exp, x), unit, ev_fmt(act, a), unit, count, t->years);
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
            ev_header(e, 0);
            ev_say(e, "reference years FY%d–%d not reported and no baseline in the catalog", r0,
                   r1);
            return;
        }
        if (!ok) {
            sum = (__int128)t->baseline * t->years;
            src = "catalog baseline";
        }
        exp = ev_q(sum, t->years);
        e->target = pw_dec_round_q(sum, t->years);
        ev_judge(e, ind, act, exp, 0, 0);
        if (!text)
            return;
        ev_header(e, 0);
        ev_say(e, "expected %s %s%s (average of FY%d–%d, %s), actual %s%s", ge, ev_fmt(exp, x),
               unit, r0, r1, src, ev_fmt(act, a), unit);
    } else { /* annual, above_baseline */
        act = ev_q(v, 1);
        exp = ev_q(t->value, 1);
        ev_judge(e, ind, act, exp, strict, 0);
        e->has_next = e->cp.next_fy != 0;
        e->next_expected = e->has_next ? t->value : 0;
        if (!text)
            return;
        ev_header(e, 0);
        ev_say(e, "expected %s %s%s per year, actual %s%s", ge, ev_fmt(exp, x), unit,
               ev_fmt(act, a), unit);
    }
    ev_verdict(e, act, exp, t->lower_better, unit);
    if (e->preliminary)
        ev_say(e, " (preliminary)");
    ev_next_text(e, ind, act);
}

/* ---- monitoring only and before the first checkpoint --------------------- */

static void ev_none(struct pw_eval *e, const struct pw_indicator *ind, const struct ev_series *s,
                    int text)
{
    char a[PW_DEC_BUFSZ];
    int y = ev_latest_stock(s, s->lo);
    e->status = PW_STATUS_NO_TARGET;
    if (!y) {
        if (text)
            snprintf(e->explanation, sizeof e->explanation, "monitoring only: no figure yet");
        if (text && e->cp.overdue)
            ev_overdue_text(e);
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
    ev_overdue_text(e);
}

/* No period of the window has been judged yet. */
static void ev_not_yet(struct pw_eval *e, const struct pw_indicator *ind, int text)
{
    char d[11], sh[32];
    e->status = PW_STATUS_NO_DATA;
    if (!text || !e->cp.next_fy)
        return;
    ev_share_text(e->cp.next_fy - ind->target.first_fy + 1, e->cp.years, sh, sizeof sh);
    ev_say(e, "no checkpoint yet: FY%d (%s) is judged from its figure, due %s", e->cp.next_fy, sh,
           pw_day_format(e->cp.next_due, d));
}

static int ev_run(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                  int32_t as_of, int64_t known_at, int text, struct pw_eval *out)
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
    pw_checkpoint_find(ind, obs, n, as_of, known_at, &out->cp);
    out->share.num = out->cp.k;
    out->share.den = out->cp.years;
    out->share.years = out->cp.years;
    if (ind->target.type == PW_TARGET_NONE) {
        ev_fill(&s, ind, obs, n, known_at, pw_fy_of(as_of));
        ev_none(out, ind, &s, text);
        return 0;
    }
    if (!out->cp.fy) {
        ev_not_yet(out, ind, text);
        return 0;
    }
    ev_fill(&s, ind, obs, n, known_at, out->cp.fy);
    switch (ind->target.type) {
    case PW_TARGET_CUMULATIVE:
    case PW_TARGET_LEVEL:
    case PW_TARGET_TRAJECTORY:
    case PW_TARGET_RATIO:
        ev_stock(out, ind, &s, text);
        break;
    default: /* annual, above_baseline, rolling_average, prev_average */
        ev_flow_model(out, ind, &s, text);
        break;
    }
    return 0;
}

int pw_eval_known(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                  int32_t as_of, int64_t known_at, struct pw_eval *out)
{
    return ev_run(ind, obs, n, as_of, known_at, 1, out);
}

int pw_eval_indicator(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                      int32_t as_of, struct pw_eval *out)
{
    return ev_run(ind, obs, n, as_of, PW_KNOWN_ALL, 1, out);
}

int pw_eval_status(const struct pw_indicator *ind, const struct pw_obs *obs, size_t n,
                   int32_t as_of, struct pw_eval *out)
{
    return ev_run(ind, obs, n, as_of, PW_KNOWN_ALL, 0, out);
}
