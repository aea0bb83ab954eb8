/* metrics.c - Prometheus registry and text rendering (see metrics.h).
 *
 * Series live in an arena (their addresses never move, so handles stay
 * valid) and are listed in an array kept grouped by name: a new series is
 * inserted after the last one of its name, so HELP/TYPE are written once
 * per name as the format requires. Counters are exact integers; gauges and
 * histogram sums are doubles. */
#include "metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "err.h"
#include "httpd.h"
#include "service.h"
#include "vec.h"

const double pw_metrics_buckets[PW_METRICS_NBUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

struct pw_metric {
    enum pw_metric_type type;
    const char *name, *labels, *help;
    uint64_t count;                          /* counter value / observations */
    double value;                            /* gauge value / sum of observations */
    uint64_t buckets[PW_METRICS_NBUCKETS];   /* observations <= bound (not cumulative) */
};

struct pw_metrics {
    struct pw_arena *arena;
    struct pw_metric **v;
    size_t n, cap;
    void (*on_scrape)(void *);
    void *scrape_arg;
};

int pw_metrics_open(struct pw_metrics **out)
{
    struct pw_metrics *m = calloc(1, sizeof *m);
    if (!m || pw_arena_open(&m->arena)) {
        free(m);
        return PW_ENOMEM;
    }
    *out = m;
    return 0;
}

void pw_metrics_close(struct pw_metrics **mp)
{
    if (!mp || !*mp)
        return;
    pw_arena_close(&(*mp)->arena);
    free((*mp)->v);
    free(*mp);
    *mp = NULL;
}

static int metrics_name_ok(const char *s)
{
    if (!s || !*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == ':'))
            return 0;
    return 1;
}

struct pw_metric *pw_metrics_add(struct pw_metrics *m, enum pw_metric_type type, const char *name,
                                 const char *labels, const char *help)
{
    if (!m || !metrics_name_ok(name))
        return NULL;
    labels = labels ? labels : "";
    help = help ? help : "";
    size_t at = m->n;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i]->name, name) == 0) {
            if (m->v[i]->type != type)
                return NULL;
            at = i + 1;
        }
    if (pw_vec_grow((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v))
        return NULL;
    struct pw_metric *x = pw_arena_alloc(m->arena, sizeof *x);
    if (!x || !(x->name = pw_arena_strndup(m->arena, name, strlen(name))) ||
        !(x->labels = pw_arena_strndup(m->arena, labels, strlen(labels))) ||
        !(x->help = pw_arena_strndup(m->arena, help, strlen(help))))
        return NULL;
    x->type = type;
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof *m->v);
    m->v[at] = x;
    m->n++;
    return x;
}

int pw_metrics_add_table(struct pw_metrics *m, const char *prefix, const struct pw_metric_def *defs,
                         size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char name[160];
        if (snprintf(name, sizeof name, "%s%s", prefix, defs[i].name) >= (int)sizeof name)
            name[0] = '\0'; /* not a valid name: the row fails */
        *defs[i].out = pw_metrics_add(m, defs[i].type, name, defs[i].labels, defs[i].help);
        if (!*defs[i].out)
            rc = PW_ENOMEM;
    }
    return rc;
}

int pw_metrics_add_family(struct pw_metrics *m, enum pw_metric_type type, const char *name,
                          const char *label, const char *const *values, size_t n,
                          const char *help, struct pw_metric **out)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char labels[160];
        snprintf(labels, sizeof labels, "%s=\"%s\"", label, values[i]);
        if (!(out[i] = pw_metrics_add(m, type, name, labels, help)))
            rc = PW_ENOMEM;
    }
    return rc;
}

void pw_metric_inc(struct pw_metric *x, uint64_t n)
{
    if (x && x->type == PW_METRIC_COUNTER)
        x->count += n;
}

void pw_metric_set(struct pw_metric *x, double v)
{
    if (!x)
        return;
    if (x->type == PW_METRIC_GAUGE)
        x->value = v;
    else if (x->type == PW_METRIC_COUNTER && v >= 0 && v < 18446744073709551616.0)
        x->count = (uint64_t)v;
}

void pw_metric_observe(struct pw_metric *x, double v)
{
    if (!x || x->type != PW_METRIC_HISTOGRAM || isnan(v))
        return;
    x->count++;
    x->value += v;
    for (int i = 0; i < PW_METRICS_NBUCKETS; i++)
        if (v <= pw_metrics_buckets[i]) {
            x->buckets[i]++;
            break;
        }
}

uint64_t pw_metric_count(const struct pw_metric *x)
{
    if (!x)
        return 0;
    if (x->type == PW_METRIC_GAUGE)
        return x->value > 0 && x->value < 18446744073709551616.0 ? (uint64_t)x->value : 0;
    return x->count;
}

void pw_metrics_on_scrape(struct pw_metrics *m, void (*cb)(void *arg), void *arg)
{
    if (!m)
        return;
    m->on_scrape = cb;
    m->scrape_arg = arg;
}

/* An output buffer that remembers running out of memory. */
struct metrics_out {
    char *buf;
    size_t len, cap;
    int oom;
};

static void out_printf(struct metrics_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out_printf(struct metrics_out *o, const char *fmt, ...)
{
    if (o->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->oom = 1;
            return;
        }
        if (o->len + (size_t)n < o->cap) {
            o->len += (size_t)n;
            return;
        }
        if (pw_vec_grow((void **)&o->buf, &o->cap, o->len + (size_t)n + 1, 1)) {
            o->oom = 1;
            return;
        }
    }
}

/* Prometheus floats: integers without a fraction, +Inf/-Inf/NaN by name. */
static void out_value(struct metrics_out *o, double v)
{
    if (isnan(v))
        out_printf(o, "NaN");
    else if (isinf(v))
        out_printf(o, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        out_printf(o, "%.0f", v);
    else
        out_printf(o, "%.17g", v);
}

/* name{labels[,extra]} */
static void out_series(struct metrics_out *o, const struct pw_metric *x, const char *suffix,
                       const char *extra)
{
    int l = x->labels[0] != 0, e = extra && extra[0];
    out_printf(o, "%s%s%s%s%s%s%s ", x->name, suffix, l || e ? "{" : "", x->labels,
               l && e ? "," : "", e ? extra : "", l || e ? "}" : "");
}

static void out_help(struct metrics_out *o, const struct pw_metric *x)
{
    static const char *types[] = {"counter", "gauge", "histogram"};
    out_printf(o, "# HELP %s ", x->name);
    for (const char *c = x->help; *c; c++) /* the format escapes \ and newline in help */
        out_printf(o, "%s", *c == '\\' ? "\\\\" : *c == '\n' ? "\\n" : (char[2]){*c, 0});
    out_printf(o, "\n# TYPE %s %s\n", x->name, types[x->type]);
}

/* Every registry's series plus, for a scrape, planwatch_build_info: a
 * constant of the binary, not a series a service registers or updates. */
static int metrics_render(struct pw_metrics *m, int build_info, char **buf, size_t *len)
{
    struct metrics_out o = {0};
    if (pw_vec_grow((void **)&o.buf, &o.cap, 4096, 1))
        return PW_ENOMEM;
    o.buf[0] = '\0';
    if (m->on_scrape)
        m->on_scrape(m->scrape_arg);
    for (size_t i = 0; i < m->n; i++) {
        const struct pw_metric *x = m->v[i];
        if (i == 0 || strcmp(m->v[i - 1]->name, x->name) != 0)
            out_help(&o, x);
        if (x->type == PW_METRIC_COUNTER) {
            out_series(&o, x, "", NULL);
            out_printf(&o, "%llu\n", (unsigned long long)x->count);
        } else if (x->type == PW_METRIC_GAUGE) {
            out_series(&o, x, "", NULL);
            out_value(&o, x->value);
            out_printf(&o, "\n");
        } else {
            uint64_t cum = 0;
            char le[48];
            for (int b = 0; b < PW_METRICS_NBUCKETS; b++) {
                cum += x->buckets[b];
                snprintf(le, sizeof le, "le=\"%g\"", pw_metrics_buckets[b]);
                out_series(&o, x, "_bucket", le);
                out_printf(&o, "%llu\n", (unsigned long long)cum);
            }
            out_series(&o, x, "_bucket", "le=\"+Inf\"");
            out_printf(&o, "%llu\n", (unsigned long long)x->count);
            out_series(&o, x, "_sum", NULL);
            out_value(&o, x->value);
            out_printf(&o, "\n");
            out_series(&o, x, "_count", NULL);
            out_printf(&o, "%llu\n", (unsigned long long)x->count);
        }
    }
    if (build_info)
        out_printf(&o,
                   "# HELP planwatch_build_info The version and git commit this binary was "
                   "built from.\n# TYPE planwatch_build_info gauge\n"
                   "planwatch_build_info{version=\"%s\",commit=\"%s\"} 1\n",
                   pw_service_version, pw_service_commit);
    if (o.oom) {
        free(o.buf);
        return PW_ENOMEM;
    }
    *buf = o.buf;
    *len = o.len;
    return 0;
}

int pw_metrics_render(struct pw_metrics *m, char **buf, size_t *len)
{
    return metrics_render(m, 0, buf, len);
}

int pw_metrics_http(void *arg, const char *method, const char *url, struct pw_httpd_reply *r)
{
    static const char not_found[] = "not found: metrics are at /metrics\n";
    static const char not_allowed[] = "only GET and HEAD\n";
    const char *text = NULL;
    r->content_type = "text/plain; charset=utf-8";
    if (strcmp(url, "/metrics") != 0) {
        r->status = 404;
        text = not_found;
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        r->status = 405;
        text = not_allowed;
    }
    if (text) {
        r->len = strlen(text);
        r->body = strdup(text);
        return r->body ? 0 : PW_ENOMEM;
    }
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return metrics_render(arg, 1, &r->body, &r->len);
}

double pw_metrics_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
