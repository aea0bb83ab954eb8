/* chart.c - progress charts (see chart.h). The plan's line is computed from
 * the target itself at fiscal-year ends (year k of N: k/N of the way), the
 * checkpoints where the plan's rule judges, so straight segments between
 * them are only a guide for the eye; the actual path is the value judged at
 * each checkpoint that has a figure, as known today. Where the
 * indicator should be is marked at the checkpoint judged, never pro-rated to
 * the day. Colours follow the status, and the SVG's title and aria-label say
 * in words what the lines show (the chart is never the only carrier of a fact). */
#include "chart.h"

#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "err.h"
#include "fy.h"
#include "dash.h"
#include "followup.h"
#include "html.h"

/* Chart geometry (viewBox units): the plot area and the axis labels below. */
#define CH_W 240.0
#define CH_H 84.0
#define CH_L 4.0
#define CH_R 200.0
#define CH_T 8.0
#define CH_B 66.0

static int32_t ch_fy_end(int fy)
{
    return pw_fy_first_day(fy + 1) - 1;
}

static void ch_add(struct pw_chart_pt *v, size_t *n, int32_t day, int64_t val)
{
    if (*n > 0 && v[*n - 1].day == day) {
        v[*n - 1].v = val; /* the as-of date fell on a year end */
        return;
    }
    if (*n < PW_CHART_MAX) {
        v[*n].day = day;
        v[*n].v = val;
        (*n)++;
    }
}

static int ch_is_flow(enum pw_target_type t)
{
    return t == PW_TARGET_ANNUAL || t == PW_TARGET_ABOVE_BASELINE ||
           t == PW_TARGET_ROLLING_AVERAGE || t == PW_TARGET_PREV_AVERAGE;
}

/* The plan's line for the stock models and the rates. */
static void ch_plan(struct pw_chart *c, const struct pw_target *t)
{
    int years = t->last_fy - t->first_fy + 1;
    switch (t->type) {
    case PW_TARGET_CUMULATIVE:
    case PW_TARGET_LEVEL: {
        int64_t s0 = t->type == PW_TARGET_LEVEL ? t->baseline : 0;
        ch_add(c->plan, &c->nplan, c->x0, s0);
        for (int k = 1; k <= years; k++)
            ch_add(c->plan, &c->nplan, ch_fy_end(t->first_fy + k - 1),
                   s0 + pw_dec_round_q((__int128)(t->value - s0) * k, years));
        break;
    }
    case PW_TARGET_TRAJECTORY:
        ch_add(c->plan, &c->nplan, c->x0, t->start);
        for (int k = 0; k < years && k < PW_WINDOW_MAX; k++)
            ch_add(c->plan, &c->nplan, ch_fy_end(t->first_fy + k), t->milestones[k]);
        break;
    case PW_TARGET_RATIO:
    case PW_TARGET_ANNUAL:
    case PW_TARGET_ABOVE_BASELINE:
    case PW_TARGET_ROLLING_AVERAGE:
        ch_add(c->plan, &c->nplan, c->x0, t->value);
        ch_add(c->plan, &c->nplan, c->x1, t->value);
        break;
    case PW_TARGET_PREV_AVERAGE:
        if (t->has_baseline) {
            ch_add(c->plan, &c->nplan, c->x0, t->baseline);
            ch_add(c->plan, &c->nplan, c->x1, t->baseline);
        }
        break;
    case PW_TARGET_NONE:
        break;
    }
}

int pw_chart_build(struct pw_chart *c, const struct pw_indicator *ind, const struct pw_obs *obs,
                   size_t n, int32_t as_of)
{
    if (!c || !ind || (n && !obs))
        return PW_EINVAL;
    const struct pw_target *t = &ind->target;
    memset(c, 0, sizeof *c);
    c->ind = ind;
    c->as_of = as_of;
    c->x0 = pw_fy_first_day(t->first_fy) - 1;
    c->x1 = ch_fy_end(t->last_fy);
    c->flow = ch_is_flow(t->type);
    pw_eval_indicator(ind, obs, n, as_of, &c->now);
    if (t->type != PW_TARGET_PREV_AVERAGE || t->has_baseline)
        ch_plan(c, t);
    c->has_final = pw_target_final(t, &c->final);
    c->has_expected = c->now.has_expected;
    c->expected = c->now.expected;

    int stock = !c->flow && t->type != PW_TARGET_RATIO && t->type != PW_TARGET_NONE;
    int last = t->type == PW_TARGET_NONE ? pw_fy_of(as_of) - 1 : c->now.cp.fy;
    if (last > t->last_fy)
        last = t->last_fy;
    for (int fy = t->first_fy; fy <= last; fy++) {
        int32_t d = ch_fy_end(fy);
        struct pw_eval e;
        pw_eval_indicator(ind, obs, n, d, &e);
        if (!e.has_actual || e.data_fy != fy)
            continue;
        if (stock && c->nactual == 0) /* the path starts where the plan starts */
            ch_add(c->actual, &c->nactual, c->x0, c->nplan ? c->plan[0].v : 0);
        ch_add(c->actual, &c->nactual, d, e.actual);
        if (t->type == PW_TARGET_PREV_AVERAGE && e.has_expected && fy == last && !t->has_baseline) {
            ch_add(c->plan, &c->nplan, c->x0, e.target);
            ch_add(c->plan, &c->nplan, c->x1, e.target);
        }
    }
    if (c->now.has_projected && c->now.has_actual && c->now.cp.end < c->x1) {
        c->has_projection = 1;
        c->projection[0].day = c->now.cp.end;
        c->projection[0].v = c->now.actual;
        c->projection[1].day = c->x1;
        c->projection[1].v = c->now.projected;
    }
    return 0;
}

/* ---- drawing --------------------------------------------------------------- */

struct ch_scale {
    double x0, x1, ymax;
};

static double ch_x(const struct ch_scale *s, int32_t day)
{
    double f = (day - s->x0) / (s->x1 - s->x0);
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    return CH_L + f * (CH_R - CH_L);
}

static double ch_y(const struct ch_scale *s, int64_t v)
{
    double f = pw_dec_to_double(v) / s->ymax;
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    return CH_B - f * (CH_B - CH_T);
}

static void ch_max(double *m, int64_t v)
{
    double d = pw_dec_to_double(v);
    if (d > *m)
        *m = d;
}

static const char *ch_colour(enum pw_status s)
{
    switch (s) {
    case PW_STATUS_ACHIEVED:
    case PW_STATUS_ON_TRACK: return "#1a7f37";
    case PW_STATUS_AT_RISK: return "#9a6700";
    case PW_STATUS_BEHIND: return "#cf222e";
    default: return "#57606a";
    }
}

static void ch_polyline(FILE *out, const struct ch_scale *s, const struct pw_chart_pt *p, size_t n,
                        const char *attrs)
{
    fputs("<polyline fill=\"none\" points=\"", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", ch_x(s, p[i].day), ch_y(s, p[i].v));
    fprintf(out, "\" %s/>", attrs);
}

/* ", expected 12件": a figure and its unit (catalog text: escaped). */
static void ch_figure(FILE *out, const char *what, int64_t v, const char *unit)
{
    char a[PW_DEC_BUFSZ + 16];
    /* the house format, as the tables around the chart print figures */
    fprintf(out, "%s%s", what, pw_dash_number(v, a, sizeof a));
    pw_html_text(out, unit ? unit : "");
}

/* "actual 5, expected 12, target 20 (FY2020–2024, as of 2023-03-31)" */
static void ch_words(FILE *out, const struct pw_chart *c)
{
    char day[11];
    const struct pw_eval *e = &c->now;
    const char *unit = c->ind->unit;
    if (e->has_actual)
        ch_figure(out, "actual ", e->actual, unit);
    else
        fputs("no figure yet", out);
    if (e->has_expected)
        ch_figure(out, ", expected ", e->expected, unit);
    if (c->has_final)
        ch_figure(out, ", target ", c->final, unit);
    if (c->has_projection)
        ch_figure(out, ", on pace for ", c->projection[1].v, unit);
    if (e->cp.fy)
        fprintf(out, " (FY%d–%d, %s FY%d, as of %s)", c->ind->target.first_fy,
                c->ind->target.last_fy, e->cp.final ? "final" : "checkpoint", e->cp.fy,
                pw_day_format(c->as_of, day));
    else
        fprintf(out, " (FY%d–%d, as of %s)", c->ind->target.first_fy, c->ind->target.last_fy,
                pw_day_format(c->as_of, day));
}

void pw_chart_svg(FILE *out, const struct pw_chart *c)
{
    struct ch_scale s = {(double)c->x0, (double)c->x1, 0};
    char a[PW_DEC_BUFSZ + 16];
    for (size_t i = 0; i < c->nplan; i++)
        ch_max(&s.ymax, c->plan[i].v);
    for (size_t i = 0; i < c->nactual; i++)
        ch_max(&s.ymax, c->actual[i].v);
    if (c->has_final)
        ch_max(&s.ymax, c->final);
    if (c->has_projection)
        ch_max(&s.ymax, c->projection[1].v);
    if (c->has_expected)
        ch_max(&s.ymax, c->expected);
    s.ymax = s.ymax > 0 ? s.ymax * 1.08 : 1.0;
    if (s.x1 <= s.x0)
        s.x1 = s.x0 + 1;
    const char *col = ch_colour(c->now.status);

    fprintf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                 "role=\"img\" aria-label=\"",
            CH_W, CH_H);
    ch_words(out, c);
    fputs("\"><title>", out);
    ch_words(out, c);
    fputs("</title>", out);
    /* axis, year ticks and the as-of line */
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#8c959f\" stroke-width=\"1\"/>",
            CH_L, CH_B, CH_R, CH_B);
    for (int fy = c->ind->target.first_fy; fy <= c->ind->target.last_fy + 1; fy++) {
        double x = ch_x(&s, pw_fy_first_day(fy) - 1);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d7de\" stroke-width=\"1\"/>",
                x, CH_B, x, CH_B + 3);
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"#59636e\">FY%d</text>", CH_L,
            CH_B + 13, c->ind->target.first_fy);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"#59636e\" text-anchor=\"end\">FY%d</text>",
            CH_R, CH_B + 13, c->ind->target.last_fy);
    if (c->as_of > c->x0 && c->as_of < c->x1) {
        double x = ch_x(&s, c->as_of);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#afb8c1\" "
                     "stroke-width=\"1\" stroke-dasharray=\"1 2\"/>",
                x, CH_T - 4, x, CH_B);
    }
    if (c->has_final) {
        double y = ch_y(&s, c->final);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#8c959f\" "
                     "stroke-width=\"1\" stroke-dasharray=\"2 2\"/>",
                CH_L, y, CH_R, y);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"#59636e\">目標 %s</text>",
                CH_R + 3, y + 3, pw_dash_number(c->final, a, sizeof a));
    }
    if (c->nplan > 1)
        ch_polyline(out, &s, c->plan, c->nplan,
                    "class=\"plan\" stroke=\"#6e7781\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"");
    char attrs[160];
    if (c->has_projection) {
        snprintf(attrs, sizeof attrs,
                 "class=\"projection\" stroke=\"%s\" stroke-width=\"1.5\" "
                 "stroke-dasharray=\"1.5 2.5\"",
                 col);
        ch_polyline(out, &s, c->projection, 2, attrs);
    }
    if (c->nactual > 0) {
        snprintf(attrs, sizeof attrs, "class=\"actual\" stroke=\"%s\" stroke-width=\"%s\"", col,
                 c->flow ? "1" : "2.2");
        if (c->nactual > 1)
            ch_polyline(out, &s, c->actual, c->nactual, attrs);
        for (size_t i = 0; i < c->nactual; i++)
            if (!(i == 0 && !c->flow && c->actual[0].day == c->x0))
                fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"/>",
                        ch_x(&s, c->actual[i].day), ch_y(&s, c->actual[i].v), col);
    }
    if (c->has_expected && c->now.cp.fy) { /* at the checkpoint judged */
        fprintf(out, "<circle class=\"expected\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\" fill=\"#fff\" "
                     "stroke=\"#24292f\" stroke-width=\"1.2\"/>",
                ch_x(&s, c->now.cp.end), ch_y(&s, c->expected));
    }
    fputs("</svg>", out);
}

/* ---- the burn-down view ---------------------------------------------------- */

/* The fiscal year whose end is day (x0, the day before the window: the
 * year before its first). */
static int ch_fy_of_end(int32_t day)
{
    return pw_fy_of(day);
}

int pw_chart_burn(const struct pw_chart *c, struct pw_chart_burn *b)
{
    if (!c || !b || !c->ind)
        return PW_EINVAL;
    const struct pw_target *t = &c->ind->target;
    memset(b, 0, sizeof *b);
    if (c->flow || !c->has_final || t->lower_better || c->nactual < 2 ||
        (t->type != PW_TARGET_CUMULATIVE && t->type != PW_TARGET_LEVEL &&
         t->type != PW_TARGET_TRAJECTORY))
        return 0;
    int64_t s0 = c->nplan ? c->plan[0].v : 0;
    if (c->final <= s0)
        return 0;
    /* the best gain per year between consecutive figures on record (a gap
     * of several years counts as its average per year) */
    for (size_t i = 1; i < c->nactual; i++) {
        int years = ch_fy_of_end(c->actual[i].day) - ch_fy_of_end(c->actual[i - 1].day);
        if (years <= 0)
            continue;
        int64_t gain = pw_dec_round_q((__int128)(c->actual[i].v - c->actual[i - 1].v), years);
        if (gain > b->best) {
            b->best = gain;
            b->best_fy = ch_fy_of_end(c->actual[i].day);
        }
    }
    if (b->best <= 0)
        return 0;
    b->applies = 1;
    for (int fy = t->first_fy - 1; fy <= t->last_fy; fy++) {
        __int128 need = (__int128)c->final - (__int128)b->best * (t->last_fy - fy);
        if (need < s0)
            continue;
        ch_add(b->need, &b->nneed, fy < t->first_fy ? c->x0 : ch_fy_end(fy), (int64_t)need);
    }
    for (int fy = t->first_fy; fy <= t->last_fy && !b->lost_fy; fy++) {
        int32_t end = ch_fy_end(fy);
        int have = 0, known = 0;
        __int128 v = 0;
        for (size_t i = 0; i < c->nactual; i++)
            if (c->actual[i].day == end) {
                v = c->actual[i].v;
                have = known = 1;
            }
        if (!have && c->has_projection && end > c->projection[0].day) {
            const struct pw_chart_pt *p = c->projection;
            v = p[0].v + (__int128)(p[1].v - p[0].v) * (end - p[0].day) / (p[1].day - p[0].day);
            have = 1;
        }
        __int128 need = (__int128)c->final - (__int128)b->best * (t->last_fy - fy);
        if (have && v < need) {
            b->lost_fy = fy;
            b->lost_known = known;
        }
    }
    return 0;
}

/* ---- the large chart ----------------------------------------------------- */

#define BG_W 760.0
#define BG_H 340.0
#define BG_L 72.0
#define BG_R 620.0
#define BG_T 22.0
#define BG_B 270.0

struct bg_scale {
    double x0, x1, ymin, ymax;
};

static double bg_x(const struct bg_scale *s, int32_t day)
{
    double f = (day - s->x0) / (s->x1 - s->x0);
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return BG_L + f * (BG_R - BG_L);
}

static double bg_y(const struct bg_scale *s, int64_t v)
{
    double f = (pw_dec_to_double(v) - s->ymin) / (s->ymax - s->ymin);
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return BG_B - f * (BG_B - BG_T);
}

/* A tick step of 1, 2, 2.5 or 5 x 10^k giving about five ticks. */
static double bg_step(double span)
{
    double raw = span / 5, p = 1;
    while (p * 10 <= raw)
        p *= 10;
    while (p > raw && p > 1e-6)
        p /= 10;
    static const double m[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * p >= raw)
            return m[i] * p;
    return 10 * p;
}

static int64_t bg_dec(double v)
{
    double d = v * (double)PW_DEC_SCALE;
    return (int64_t)(d < 0 ? d - 0.5 : d + 0.5);
}

static void bg_num(FILE *out, int64_t v, const char *unit)
{
    char b[PW_DEC_BUFSZ + 16];
    pw_html_text(out, pw_dash_number(v, b, sizeof b));
    pw_html_text(out, unit ? unit : "");
}

static void bg_line(FILE *out, double x1, double y1, double x2, double y2, const char *attrs)
{
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>", x1, y1, x2, y2,
            attrs);
}

static void bg_poly(FILE *out, const struct bg_scale *s, const struct pw_chart_pt *p, size_t n,
                    const char *attrs)
{
    fputs("<polyline fill=\"none\" points=\"", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", bg_x(s, p[i].day), bg_y(s, p[i].v));
    fprintf(out, "\" %s/>", attrs);
}

static void bg_span1(double *lo, double *hi, int64_t v)
{
    double d = pw_dec_to_double(v);
    *lo = d < *lo ? d : *lo;
    *hi = d > *hi ? d : *hi;
}

static void bg_span(double *lo, double *hi, const struct pw_chart_pt *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bg_span1(lo, hi, p[i].v);
}

void pw_chart_svg_big(FILE *out, const struct pw_chart *c, const struct pw_chart_burn *b,
                      char assessed)
{
    const struct pw_target *t = &c->ind->target;
    const char *unit = c->ind->unit, *col = ch_colour(c->now.status);
    struct bg_scale s = {(double)c->x0, (double)c->x1, 0, 0};
    char fyn[32];
    double lo = 0, hi = 0;
    int burn = b && b->applies;
    bg_span(&lo, &hi, c->plan, c->nplan);
    bg_span(&lo, &hi, c->actual, c->nactual);
    if (c->has_final)
        bg_span1(&lo, &hi, c->final);
    if (c->has_projection)
        bg_span1(&lo, &hi, c->projection[1].v);
    if (c->has_expected)
        bg_span1(&lo, &hi, c->expected);
    if (hi <= lo)
        hi = lo + 1;
    double step = bg_step(hi - lo);
    s.ymin = lo < 0 ? -step * (double)(long long)(-lo / step + 0.999999) : 0;
    s.ymax = step * (double)(long long)(hi / step + 0.999999);
    if (s.ymax < hi * 1.04)
        s.ymax += step;
    if (s.x1 <= s.x0)
        s.x1 = s.x0 + 1;

    fprintf(out, "<svg class=\"chart-big\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f "
                 "%.0f\" role=\"img\" aria-label=\"",
            BG_W, BG_H);
    ch_words(out, c);
    fputs("\"><title>", out);
    ch_words(out, c);
    fputs("</title><g font-size=\"11\" fill=\"#59636e\">", out);
    /* the value axis: a labelled gridline per tick */
    for (int i = 0; i <= 40; i++) {
        double v = s.ymin + step * i;
        if (v > s.ymax + step / 1000)
            break;
        int64_t dv = bg_dec(v);
        double y = bg_y(&s, dv);
        bg_line(out, BG_L, y, BG_R, y, "stroke=\"#eaeef2\" stroke-width=\"1\"");
        fprintf(out, "<text class=\"ytick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", BG_L - 6,
                y + 4);
        bg_num(out, dv, "");
        fputs("</text>", out);
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\">", 4.0, BG_T - 8);
    pw_html_text(out, unit && unit[0] ? unit : "");
    fputs(c->flow ? "（各年度）" : t->type == PW_TARGET_CUMULATIVE ? "（累計・年度末）" : "（年度末）",
          out);
    fputs("</text>", out);
    bg_line(out, BG_L, BG_B, BG_R, BG_B, "stroke=\"#8c959f\" stroke-width=\"1\"");
    bg_line(out, BG_L, BG_T, BG_L, BG_B, "stroke=\"#8c959f\" stroke-width=\"1\"");
    /* every fiscal-year end is a checkpoint: a tick and its name */
    for (int fy = t->first_fy - 1; fy <= t->last_fy; fy++) {
        int32_t end = ch_fy_end(fy);
        double x = bg_x(&s, end);
        int judged = c->now.cp.fy == fy;
        bg_line(out, x, BG_T, x, BG_B + 4,
                judged ? "class=\"checkpoint judged\" stroke=\"#24292f\" stroke-width=\"1\" "
                         "stroke-dasharray=\"3 3\""
                       : "class=\"checkpoint\" stroke=\"#d0d7de\" stroke-width=\"1\"");
        fprintf(out, "<text class=\"xtick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s末</text>",
                x, BG_B + 17, pw_followup_fy_name(fy, fyn, sizeof fyn));
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">FY%d</text>",
                x, BG_B + 30, fy);
        if (judged)
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#24292f\">"
                         "評価時点 checkpoint</text>",
                    x, BG_T - 8);
    }
    if (c->as_of > c->x0 && c->as_of < c->x1) {
        double x = bg_x(&s, c->as_of);
        bg_line(out, x, BG_T, x, BG_B,
                "class=\"asof\" stroke=\"#afb8c1\" stroke-width=\"1\" stroke-dasharray=\"1 3\"");
    }
    if (c->has_final) {
        double y = bg_y(&s, c->final);
        bg_line(out, BG_L, y, BG_R, y,
                "class=\"target\" stroke=\"#0969da\" stroke-width=\"1.2\" stroke-dasharray=\"6 3\"");
        fprintf(out, "<text class=\"target\" x=\"%.1f\" y=\"%.1f\" fill=\"#0969da\">目標 ",
                BG_R + 6, y + 4);
        bg_num(out, c->final, unit);
        fputs("</text>", out);
    }
    if (c->nplan > 1) {
        bg_poly(out, &s, c->plan, c->nplan,
                "class=\"plan\" stroke=\"#6e7781\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"");
        const struct pw_chart_pt *p = &c->plan[c->nplan - 1];
        if (!c->has_final || p->v != c->final) {
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">計画 ", BG_R + 6, bg_y(&s, p->v) + 4);
            bg_num(out, p->v, unit);
            fputs("</text>", out);
        }
    }
    if (burn && b->nneed > 1) {
        bg_poly(out, &s, b->need, b->nneed,
                "class=\"burn\" stroke=\"#cf222e\" stroke-width=\"1\" stroke-dasharray=\"2 4\"");
        const struct pw_chart_pt *p = &b->need[0];
        fprintf(out, "<text class=\"burn\" x=\"%.1f\" y=\"%.1f\" fill=\"#cf222e\" "
                     "font-size=\"10\">到達可能な下限</text>",
                bg_x(&s, p->day) + 4, bg_y(&s, p->v) - 6);
    }
    if (burn && b->lost_fy) {
        double x = bg_x(&s, ch_fy_end(b->lost_fy));
        bg_line(out, x, BG_T, x, BG_B, "class=\"lost\" stroke=\"#cf222e\" stroke-width=\"2\"");
        fprintf(out, "<text class=\"lost\" x=\"%.1f\" y=\"%.1f\" fill=\"#cf222e\" "
                     "text-anchor=\"%s\">%s末で到達不能%s</text>",
                x + (x > BG_R - 120 ? -4 : 4), BG_T + 12, x > BG_R - 120 ? "end" : "start",
                pw_followup_fy_name(b->lost_fy, fyn, sizeof fyn),
                b->lost_known ? "" : "（現ペース）");
    }
    char attrs[200];
    if (c->has_projection) {
        snprintf(attrs, sizeof attrs,
                 "class=\"projection\" stroke=\"%s\" stroke-width=\"1.8\" stroke-dasharray=\"2 3\"",
                 col);
        bg_poly(out, &s, c->projection, 2, attrs);
        fprintf(out, "<text class=\"projection\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">見通し ",
                BG_R + 6, bg_y(&s, c->projection[1].v) + (c->has_final &&
                    c->projection[1].v < c->final ? 14 : -6), col);
        bg_num(out, c->projection[1].v, unit);
        fputs("</text>", out);
    }
    if (c->nactual > 0) {
        snprintf(attrs, sizeof attrs, "class=\"actual\" stroke=\"%s\" stroke-width=\"2.5\"", col);
        if (c->nactual > 1 && !c->flow)
            bg_poly(out, &s, c->actual, c->nactual, attrs);
        for (size_t i = 0; i < c->nactual; i++) {
            if (i == 0 && !c->flow && c->actual[0].day == c->x0)
                continue;
            double x = bg_x(&s, c->actual[i].day), y = bg_y(&s, c->actual[i].v);
            if (c->flow) /* per-year values: a bar from the axis */
                fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.1f\" "
                             "fill=\"%s\" opacity=\".35\"/>",
                        x - 7, y, BG_B - y, col);
            fprintf(out, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>"
                         "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                         "font-weight=\"600\" fill=\"#1b1f24\">",
                    x, y, col, x, y - 9);
            bg_num(out, c->actual[i].v, unit);
            fputs("</text>", out);
        }
    }
    if (c->has_expected && c->now.cp.fy) {
        double x = bg_x(&s, c->now.cp.end), y = bg_y(&s, c->expected);
        fprintf(out, "<circle class=\"expected\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#fff\" "
                     "stroke=\"#24292f\" stroke-width=\"1.5\"/><text class=\"expected\" "
                     "x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"#24292f\">期待値 ",
                x, y, x + (x > BG_R - 100 ? -9 : 9), y + 16, x > BG_R - 100 ? "end" : "start");
        bg_num(out, c->expected, unit);
        if (assessed == 'A' || assessed == 'B')
            fprintf(out, " · 事務局評価 %c", assessed);
        fputs("</text>", out);
    }
    /* the legend, in words as well as strokes */
    double ly = BG_H - 14, lx = BG_L;
    struct {
        const char *dash, *colour, *words;
        int show;
    } leg[] = {
        {"", col, "実績 actual", c->nactual > 0},
        {"5 3", "#6e7781", "計画線 ideal", c->nplan > 1},
        {"6 3", "#0969da", "目標 target", c->has_final},
        {"2 3", col, "見通し projection", c->has_projection},
        {"2 4", "#cf222e", "到達可能な下限 last chance", burn && b->nneed > 1},
    };
    for (size_t i = 0; i < sizeof leg / sizeof leg[0]; i++) {
        if (!leg[i].show)
            continue;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                     "stroke-width=\"2\"%s%s%s/><text x=\"%.1f\" y=\"%.1f\">%s</text>",
                lx, ly - 4, lx + 22, ly - 4, leg[i].colour, leg[i].dash[0] ? " stroke-dasharray=\"" : "",
                leg[i].dash, leg[i].dash[0] ? "\"" : "", lx + 26, ly, leg[i].words);
        lx += 26 + 8.0 * (double)strlen(leg[i].words) * 0.62 + 18;
    }
    fputs("</g></svg>", out);
}
