/* metrics.h - a service's Prometheus metrics: counters, gauges and latency
 * histograms in one registry, rendered in the Prometheus text exposition
 * format 0.0.4 (served over HTTP by lib/http.h; names in README "Metrics").
 *
 * Series are registered once at start-up and updated on the hot path by
 * handle (an add or a store: no lookup, no allocation, no lock). Handles
 * are valid until the registry is closed; every update function accepts a
 * NULL handle and does nothing, so a service whose registration failed (out
 * of memory) keeps running unobserved. Not thread-safe: one registry per
 * service, used from its single poll loop. */
#ifndef PW_METRICS_H
#define PW_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct pw_httpd_reply;

enum pw_metric_type { PW_METRIC_COUNTER, PW_METRIC_GAUGE, PW_METRIC_HISTOGRAM };

struct pw_metrics;
struct pw_metric;

/* Upper bounds (seconds) of every histogram's buckets, then +Inf: 0.5 ms
 * to 10 s, which covers a commit's fsync as well as a status evaluation. */
#define PW_METRICS_NBUCKETS 14
extern const double pw_metrics_buckets[PW_METRICS_NBUCKETS];

/* Creates an empty registry. Returns 0 and *out (caller closes), or PW_ENOMEM. */
int pw_metrics_open(struct pw_metrics **out);
/* Frees the registry and every series; accepts NULL, nulls *m. */
void pw_metrics_close(struct pw_metrics **m);

/* Registers one series: name is a Prometheus metric name
 * ([a-zA-Z_:][a-zA-Z0-9_:]*; counters end in _total by convention),
 * labels "" or label pairs as they appear between the braces
 * (`status="BEHIND"`), help one line of text. Series of one name share its
 * type and help and are rendered together. Strings are copied. Returns the
 * handle, or NULL when out of memory, the name is not valid, or the name is
 * already registered with another type (all programmer errors but the first). */
struct pw_metric *pw_metrics_add(struct pw_metrics *m, enum pw_metric_type type, const char *name,
                                 const char *labels, const char *help);

/* A registration table's row: the series prefix+name{labels} goes to *out. */
struct pw_metric_def {
    struct pw_metric **out;
    enum pw_metric_type type;
    const char *name;    /* appended to the table's prefix */
    const char *labels;  /* NULL or "" for none */
    const char *help;
};

/* Registers defs[0..n), each name prefixed with prefix (e.g.
 * "planwatch_store_"; at most 128 bytes together). Every row is tried; a row
 * that fails leaves its *out NULL. Returns 0, or PW_ENOMEM when any row failed. */
int pw_metrics_add_table(struct pw_metrics *m, const char *prefix, const struct pw_metric_def *defs,
                         size_t n);

/* Registers one series per label value, name{label="values[i]"} into
 * out[i] (i < n). Returns 0, or PW_ENOMEM when any failed (its out[i] NULL). */
int pw_metrics_add_family(struct pw_metrics *m, enum pw_metric_type type, const char *name,
                          const char *label, const char *const *values, size_t n,
                          const char *help, struct pw_metric **out);

/* Counter: adds n. */
void pw_metric_inc(struct pw_metric *x, uint64_t n);
/* Gauge: sets v. Counter: sets v when it mirrors a count kept elsewhere
 * (which must itself never decrease). */
void pw_metric_set(struct pw_metric *x, double v);
/* Histogram: records one observation of v seconds. */
void pw_metric_observe(struct pw_metric *x, double v);
/* Counter or histogram: how many (increments / observations) so far; gauge:
 * its value truncated. 0 for NULL. For tests and log lines. */
uint64_t pw_metric_count(const struct pw_metric *x);

/* Called at the start of every render, so that gauges computed from state
 * (queue depths, map usage) are fresh. One callback per registry; arg is
 * borrowed. */
void pw_metrics_on_scrape(struct pw_metrics *m, void (*cb)(void *arg), void *arg);

/* Renders every series into a new malloc'd, NUL-terminated buffer *buf of
 * *len bytes (caller frees). Returns 0 or PW_ENOMEM. */
int pw_metrics_render(struct pw_metrics *m, char **buf, size_t *len);

/* An HTTP handler (lib/http.h) serving the registry arg: GET or HEAD
 * /metrics -> 200 text/plain; version=0.0.4, the registry's series and
 * planwatch_build_info{version="…",commit="…"} 1 (lib/svc/service.h);
 * another path -> 404; another method -> 405. */
int pw_metrics_http(void *arg, const char *method, const char *url, struct pw_httpd_reply *r);

/* Monotonic seconds, for measuring latencies. */
double pw_metrics_now(void);

#endif
