/* http_metrics.c - planwatch-http's Prometheus series (names and meanings in
 * README "Metrics"), served on --metrics like every service's: requests by
 * route and status, their latency by route, requests in flight, whether
 * ingest and the store answer, the feed rows the door passed on, and the
 * connections its defences refused (a limit) or cut (the deadline).
 *
 * A route is the path's pattern ("/api/v1/indicators/{id}/history"), never
 * the path itself, so a scanner probing random paths adds one series
 * ("other"), not one per path. A (route, status) series is registered the
 * first time it is seen: the statuses a door answers are a handful of the
 * fixed list below (anything else counts as "other"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http.h"
#include "http_req.h"
#include "metrics.h"
#include "pwcheck.h"
#include "zsock.h"

static const char *const route_names[] = {
    "/", "/api/v1/feeds", "/api/v1/retractions", "/api/v1/status", "/api/v1/alerts",
    "/api/v1/report", "/api/v1/reports", "/api/v1/reports/{id}", "/api/v1/assessments",
    "/api/v1/health", "/api/v1/template", "/api/v1/openapi.yaml",
    "/api/v1/indicators/{id}/history", "other"};
#define ROUTES (sizeof route_names / sizeof route_names[0])

static const unsigned status_codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 406,
                                        409, 413, 415, 429, 500, 502, 503, 504};
#define STATUSES (sizeof status_codes / sizeof status_codes[0] + 1) /* + "other" */

struct http_metrics {
    struct pw_metrics *reg;
    struct pw_metric *requests[ROUTES][STATUSES]; /* NULL until first seen */
    struct pw_metric *seconds[ROUTES];
    struct pw_metric *in_flight, *store_up, *ingest_up, *catalog_loaded, *signin_checks;
    struct pw_metric *feed_requests, *rows_accepted, *rows_rejected;
    struct pw_metric *conns_refused, *conns_cut;
};

static size_t route_of(const char *p)
{
    static const char hist[] = "/api/v1/indicators/";
    if (strcmp(p, "/index.html") == 0)
        return 0;
    for (size_t i = 0; i + 1 < ROUTES; i++)
        if (!strchr(route_names[i], '{') && strcmp(p, route_names[i]) == 0)
            return i;
    if (strncmp(p, "/api/v1/reports/", 16) == 0 && p[16])
        return 7;
    if (strncmp(p, hist, sizeof hist - 1) == 0 && strlen(p) > sizeof hist - 1 + 8 &&
        strcmp(p + strlen(p) - 8, "/history") == 0)
        return 12;
    return ROUTES - 1;
}

static size_t status_of(unsigned status)
{
    for (size_t i = 0; i < STATUSES - 1; i++)
        if (status_codes[i] == status)
            return i;
    return STATUSES - 1;
}

static void http_metrics_scrape(void *arg)
{
    struct http *h = arg;
    struct http_metrics *m = h->metrics;
    size_t live = 0;
    for (const struct http_req *r = h->live; r; r = r->next)
        live++;
    int64_t now = pw_now_ms();
    pw_metric_set(m->in_flight, (double)live);
    pw_metric_set(m->store_up, h->store && http_up_ready(h->store, now) ? 1 : 0);
    pw_metric_set(m->ingest_up, h->ingest && http_up_ready(h->ingest, now) ? 1 : 0);
    pw_metric_set(m->catalog_loaded, h->cat ? 1 : 0);
    pw_metric_set(m->signin_checks, h->pwcheck ? (double)pw_pwcheck_queued(h->pwcheck) : 0);
    /* counts the door keeps anyway (its stopping log line): mirrored */
    pw_metric_set(m->feed_requests, (double)h->feeds);
    pw_metric_set(m->rows_accepted, (double)h->rows_accepted);
    pw_metric_set(m->rows_rejected, (double)h->rows_rejected);
    uint64_t refused, cut;
    http_server_counts(h, &refused, &cut);
    pw_metric_set(m->conns_refused, (double)refused);
    pw_metric_set(m->conns_cut, (double)cut);
}

int http_metrics_open(struct http *h)
{
    const enum pw_metric_type C = PW_METRIC_COUNTER, G = PW_METRIC_GAUGE;
    struct http_metrics *m = calloc(1, sizeof *m);
    if (!m || pw_metrics_open(&m->reg)) {
        free(m);
        return PW_ENOMEM;
    }
    h->metrics = m;
    const struct pw_metric_def defs[] = {
        {&m->in_flight, G, "requests_in_flight", NULL, "Requests received and not yet answered (waiting for ingest or the store)."},
        {&m->store_up, G, "store_up", NULL, "1 when the store answered a ping within the last 3 seconds."},
        {&m->ingest_up, G, "ingest_up", NULL, "1 when ingest answered a ping within the last 3 seconds."},
        {&m->catalog_loaded, G, "catalog_loaded", NULL, "1 once the store's catalog is loaded (reads can be answered)."},
        {&m->signin_checks, G, "signin_checks_waiting", NULL, "Sign-in password checks waiting or running (at --signin-checks, sign-ins hear 503)."},
        {&m->feed_requests, C, "feed_requests_total", NULL, "Feed and retraction requests passed to the handlers."},
        {&m->rows_accepted, C, "rows_accepted_total", NULL, "Feed rows stored or unchanged, as answered to offices."},
        {&m->rows_rejected, C, "rows_rejected_total", NULL, "Feed rows refused, as answered to offices."},
        {&m->conns_refused, C, "connections_refused_total", NULL, "Connections refused at a limit (--max-conns-per-address, or 200 in all)."},
        {&m->conns_cut, C, "connections_cut_total", NULL, "Connections cut because their request did not arrive whole by the deadline."},
    };
    int rc = pw_metrics_add_table(m->reg, "planwatch_http_", defs, sizeof defs / sizeof defs[0]);
    rc |= pw_metrics_add_family(m->reg, PW_METRIC_HISTOGRAM, "planwatch_http_request_seconds",
                                "route", route_names, ROUTES,
                                "From a request's arrival to its answer, by route.", m->seconds);
    pw_metrics_on_scrape(m->reg, http_metrics_scrape, h);
    return rc ? PW_ENOMEM : 0;
}

void http_metrics_close(struct http *h)
{
    if (!h->metrics)
        return;
    pw_metrics_close(&h->metrics->reg);
    free(h->metrics);
    h->metrics = NULL;
}

struct pw_metrics *http_metrics_registry(const struct http *h)
{
    return h->metrics ? h->metrics->reg : NULL;
}

void http_metrics_done(struct http *h, const struct http_req *r)
{
    struct http_metrics *m = h->metrics;
    if (!m)
        return;
    size_t ri = route_of(r->path), si = status_of(r->status);
    if (!m->requests[ri][si]) {
        char labels[128], code[16];
        if (si < STATUSES - 1)
            snprintf(code, sizeof code, "%u", status_codes[si]);
        else
            snprintf(code, sizeof code, "other");
        snprintf(labels, sizeof labels, "route=\"%s\",status=\"%s\"", route_names[ri], code);
        /* out of memory: this series stays uncounted, the door serves on */
        m->requests[ri][si] = pw_metrics_add(m->reg, PW_METRIC_COUNTER, "planwatch_http_requests_total",
                                             labels, "Requests answered, by route and HTTP status.");
    }
    pw_metric_inc(m->requests[ri][si], 1);
    if (r->t0 > 0)
        pw_metric_observe(m->seconds[ri], pw_metrics_now() - r->t0);
}
