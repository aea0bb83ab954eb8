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
    char a[PW_DEC_BUFSZ];
    fprintf(out, "%s%s", what, pw_dec_format(v, a, sizeof a));
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
    char a[PW_DEC_BUFSZ];
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
                CH_R + 3, y + 3, pw_dec_format(c->final, a, sizeof a));
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
