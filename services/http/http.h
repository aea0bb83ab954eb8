/* http.h - planwatch-http's state and the interfaces between its modules:
 *   main.c           configuration, the one zmq_poll loop (libmicrohttpd's
 *                    sockets polled as plain fds: external select), timers
 *   http_server.c    requests: routing, bodies, suspend/resume, responses
 *   http_up.c        asynchronous calls to ingest and the store (DEALER,
 *                    correlated by batch_id / request_id, with deadlines)
 *   http_auth.c      bearer tokens -> office and its read/write scopes;
 *                    the users file
 *   http_session.c   session cookies, CSRF, the caller's rights
 *   http_signin.c    GET/POST /signin, POST /signout
 *   http_feed.c      POST /api/v1/feeds: CSV/JSON -> FeedBatch -> import summary;
 *                    POST /api/v1/retractions: one retract row, the same way
 *   http_act.c       acting: the alerts and subscriptions pages and their API
 *   http_upload.c    the upload page: preview, import, retract; multipart feeds
 *   http_form.c      forms and the page shell the acting pages share
 *   http_read.c      GET /api/v1/status, history, alerts, report, health
 *   http_dashboard.c GET /: the server-rendered dashboard
 *   http_page.c      what every page shares (its parameters, header, alert items)
 *   http_indicator.c GET /indicator/{id}: one indicator's own page
 *   http_openapi.c   GET /api/v1/openapi.yaml: docs/openapi.yaml, compiled in
 *   http_template.c  GET /api/v1/template: an office's feed template (csv, xlsx)
 *   http_metrics.c   the Prometheus series served on --metrics
 * Single-threaded: every callback runs on the loop's thread. A request that
 * waits for an upstream answer is suspended (MHD_suspend_connection) and
 * resumed when the answer or its deadline arrives. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "catalog.h"
#include "clock.h"
#include "feed.h"
#include "explain_ja.h"
#include "history.h"
#include "http_req.h"
#include "planwatch.pb-c.h"

/* the media type of an .xlsx workbook (feeds in, templates out) */
#define HTTP_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

struct MHD_Daemon;
struct http_srv;
struct http_up;
struct http_auth;
struct http_req;
struct http_hist_waiter;
struct http_metrics;
struct pw_metrics;

struct http {
    struct pw_clock clock;
    struct pw_catalog *cat;          /* NULL until loaded (--catalog, or the store's) */
    int cat_loading;                 /* a QUERY_CATALOG is in flight */
    struct pw_history *hist;         /* every stored update up to hist_seq (charts) */
    uint64_t hist_seq;
    uint64_t *ind_seq;               /* per catalog index: the store seq of its latest
                                        update in the cache (0: none) */
    int hist_loading;                /* a snapshot refresh is in flight */
    struct http_hist_waiter *hist_waiters; /* requests waiting for the refresh */
    struct http_up *ingest, *store;
    struct http_auth *auth;
    struct http_sessions *sessions; /* signed-in users' cookies (http_session.c) */
    struct pw_pwcheck *pwcheck;      /* sign-in password checks, off the loop */
    struct MHD_Daemon *mhd;
    struct http_srv *srv;            /* http_server.c: TLS, connections and their deadlines */
    struct http_req *live;           /* every request not yet completed */
    int read_auth;                   /* GETs need a token with read scope */
    long max_body, max_rows, ingest_timeout_ms, store_timeout_ms;
    uint64_t next_id;                /* correlation ids */
    uint64_t requests, feeds, rows_accepted, rows_rejected;
    char pdf_renderer[4096];         /* report format=pdf: chromium, found at start-up;
                                        "": not offered (415) */
    struct http_metrics *metrics;    /* NULL: not counted (http_metrics.c) */
};

/* ---- http_up.c: one upstream service ------------------------------------- */

/* The answer of a call: rc 0 and the reply (type, msg: freed by http_up after
 * the callback returns; MSG_ERROR when the service refused the request), or
 * rc PW_EUNAVAILABLE (no answer by the deadline, or
 * the service is not connected), PW_ESHUTDOWN (the service is stopping). */
typedef void (*http_up_done)(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                             const ProtobufCMessage *msg);

/* Connects a DEALER to endpoint (ZMQ_IMMEDIATE: nothing queues for a peer
 * that is not there). name labels log lines. Returns 0 and *out or PW_EZMQ /
 * PW_ENOMEM. */
struct pw_sec;
int http_up_open(struct http_up **out, void *ctx, const char *endpoint, const char *name,
                 const struct pw_sec *sec, const char *server_pub);
void http_up_close(struct http_up **u);
void *http_up_socket(const struct http_up *u);

/* Sends msg (whose batch_id or request_id is id) and calls done(h, arg, ...)
 * exactly once: on the answer, at now + timeout_ms, or at shutdown. When the
 * send fails at once, done is called before this returns. */
void http_up_call(struct http *h, struct http_up *u, const char *id, Planwatch__V1__MsgType type,
                  const ProtobufCMessage *msg, long timeout_ms, http_up_done done, void *arg);

/* A store query with a fresh request_id (q->request_id is set by this). */
void http_up_query(struct http *h, Planwatch__V1__Query *q, http_up_done done, void *arg);

/* Reads every waiting answer and dispatches it; pongs update readiness. */
void http_up_drain(struct http *h, struct http_up *u);
/* Expires calls past their deadline; pings every second. Returns the next
 * deadline (ms, pw_now_ms clock), or INT64_MAX. */
int64_t http_up_tick(struct http *h, struct http_up *u, int64_t now);
/* Answers every call PW_ESHUTDOWN (stopping). */
void http_up_fail_all(struct http *h, struct http_up *u);
/* The service answered a ping (ready) within the last 3 seconds. */
int http_up_ready(const struct http_up *u, int64_t now);

/* ---- http_server.c: requests --------------------------------------------- */

/* The door's own defences (settings of main.c). */
struct http_server_opts {
    const char *tls_cert, *tls_key; /* PEM files, both or neither ("" or NULL: plain HTTP) */
    long per_address_max;           /* connections at once from one address */
    long deadline_ms;               /* a request not whole by then: its connection is cut */
};

/* Starts libmicrohttpd on listen ("HOST:PORT", "*:PORT") in external-select
 * mode with suspend/resume, with TLS when o names a certificate and key.
 * Returns 0, or (logged) PW_EINVAL (bad listen, one TLS file without the
 * other, no TLS in libmicrohttpd), PW_EKEY_PERM (a key file group or others
 * may read), PW_EIO (cannot listen or read a file; a pair GnuTLS refuses),
 * PW_ETOOBIG, PW_ENOMEM. */
int http_server_start(struct http *h, const char *listen, const struct http_server_opts *o);
/* Whether it serves TLS. */
int http_server_tls(const struct http *h);
/* Connections refused at a limit (per address or in all) and cut at the
 * request deadline since the start (0 when not started): /metrics. */
void http_server_counts(const struct http *h, uint64_t *refused, uint64_t *cut);
/* Cuts the connections whose request is past its deadline; returns the
 * next deadline (ms, pw_now_ms clock) or INT64_MAX. Every loop turn. */
int64_t http_server_tick(struct http *h, int64_t now);
/* Answers every live request 503 and stops the daemon. */
void http_server_stop(struct http *h);

/* ---- handlers ------------------------------------------------------------ */

void http_feed_post(struct http *h, struct http_req *r);
/* The import summary of a feed (the JSON object POST /api/v1/feeds answers
 * with, borrowed for the call) handed to a page instead: it must answer r.
 * arg: http_feed_start's. */
struct json_t;
typedef void (*http_feed_render)(struct http_req *r, unsigned status, struct json_t *summary,
                                 void *arg);
/* Runs body[0..len) (borrowed for the call) in fmt as POST /api/v1/feeds
 * does, for the request's office and scope (http_feed.c). dry_run 1: nothing
 * is stored; with render, validated here against the catalog (ingest is not
 * asked). render NULL: the JSON answer; else render gets the summary. arg
 * is owned from now on: arg_free(arg) when the request is done (also on
 * failure). Errors before a summary exists (400 dry_run, 413, 503 no
 * catalog, out of memory) are JSON errors. Sets r's state. */
void http_feed_start(struct http *h, struct http_req *r, const char *body, size_t len,
                     enum pw_feed_format fmt, int dry_run, http_feed_render render, void *arg,
                     void (*arg_free)(void *));
/* http_act.c: the routes of acting (README "Acting in the browser"):
 * /upload, /alerts, /subscriptions (pages with forms), POST
 * /api/v1/alerts/{id}/ack, /api/v1/silences[/{id}/lift],
 * /api/v1/subscriptions[/{id}], and multipart feeds. precheck: checks that
 * need no body for those routes; returns 1 when the route is one of them
 * and r was answered or may go on, 0 to leave r to the router's own checks
 * (any other route, and these pages' GETs: the read right). route: answers
 * r and returns 1 when the route is one of them, else 0. */
int http_act_precheck(struct http *h, struct http_req *r);
int http_act_route(struct http *h, struct http_req *r);
/* http_upload.c: GET /upload (the forms, en: English), POST /upload (a
 * form f: preview, import, retract), and POST /api/v1/feeds with
 * Content-Type multipart/form-data (the part "file": CSV, JSON or xlsx by
 * its type or name; optionally "dry_run"). */
struct http_form;
void http_upload_page(struct http *h, struct http_req *r, int en);
void http_upload_post(struct http *h, struct http_req *r, const struct http_form *f, int en);
void http_upload_feed_multipart(struct http *h, struct http_req *r);
/* POST /api/v1/retractions: {"indicator_id", "fiscal_year"} sent as a one-row
 * feed with retract true (the router checked what POST /api/v1/feeds needs). */
void http_feed_retract(struct http *h, struct http_req *r);
void http_read_status(struct http *h, struct http_req *r);
void http_read_history(struct http *h, struct http_req *r, const char *id);
void http_read_alerts(struct http *h, struct http_req *r);
void http_read_report(struct http *h, struct http_req *r);
/* POST /api/v1/reports (the report of GET /api/v1/report, kept by the store;
 * the router checked the manage right), GET /api/v1/reports, GET
 * /api/v1/reports/{id} (the stored bytes). */
void http_read_publish(struct http *h, struct http_req *r);
void http_read_reports(struct http *h, struct http_req *r);
void http_read_published(struct http *h, struct http_req *r, const char *id);
/* POST /api/v1/assessments (JSON {indicator_id, fiscal_year, grade, reason,
 * by, withdraw}; the manage right is checked before) and GET (the current
 * ones, ?known_at=; ?history=true every record). */
void http_read_assess(struct http *h, struct http_req *r);
void http_read_assessments(struct http *h, struct http_req *r);
void http_read_health(struct http *h, struct http_req *r);
/* GET /api/v1/template?office=&fy=&format=csv|xlsx: the feed template of the
 * rows the office owes (http_template.c; pw_template). */
void http_template_get(struct http *h, struct http_req *r);
void http_dashboard_get(struct http *h, struct http_req *r);
/* GET /indicator/{id}: the indicator's page (id: at most PW_ID_MAX bytes). */
void http_indicator_get(struct http *h, struct http_req *r, const char *id);

/* ---- what every page shares (http_page.c) --------------------------------- */

/* The parameters every page carries in its forms and links. */
struct http_view {
    int32_t as_of;          /* ?as_of= (default: today by the service's clock) */
    int64_t known_at;       /* ?known_at= as Unix ns; 0: every revision */
    char known_at_s[64];    /* ... as given ("" when none) */
    enum pw_lang lang;      /* ?lang= (default ja) */
};

/* Reads ?as_of=, ?known_at= and ?lang= into *v. Returns 0, or answers 400
 * naming the bad parameter and returns PW_EINVAL. */
int http_view_parse(struct http *h, struct http_req *r, struct http_view *v);

/* Writes an href (HTML-escaped, values percent-encoded): path?as_of=..
 * [&known_at=..][&lang=en] then the pairs kv[0]=kv[1], ... up to a NULL key
 * (pairs with an empty or NULL value are left out; kv may be NULL). */
void http_view_href(FILE *out, const struct http_view *v, const char *path,
                    const char *const *kv);

/* The href of ind's own page (/indicator/ID with v's parameters). */
void http_indicator_href(FILE *out, const struct http_view *v, const struct pw_indicator *ind);

/* Opens a page: the shell (pw_html_page_open), then the one header every
 * page has (title, navigation, the signed-in user, the time zone and as-of
 * it is shown at). */
void http_page_open(FILE *out, struct http *h, const struct http_req *r, const struct http_view *v, const char *title, const char *h1,
                    const char *h1_en);

/* Answers r with the page buf[0..len) (made in a memstream, already
 * closed): 503 with Retry-After when stale (the figures are not loaded
 * yet), else 200; a 500 when buf is NULL (out of memory). Frees buf. */
void http_page_send(struct http_req *r, char *buf, size_t len, int stale);

/* The store's answer as a QueryReply without an error code, else NULL (a
 * page then shows what it has without it). */
const Planwatch__V1__QueryReply *http_page_reply(int rc, Planwatch__V1__MsgType type,
                                                 const ProtobufCMessage *m);

/* One open alert as an <li>: its kind's badge, the indicator (linked to its
 * page), the summary, when it was raised, and each acknowledgement of it
 * from acks[0..nacks), marked stale when ind's figures in hist changed after
 * it was recorded (hist may be NULL: none marked). */
struct pw_history;
void http_alert_item(FILE *out, const struct http *h, const struct http_view *v,
                     const Planwatch__V1__Alert *a, Planwatch__V1__Ack *const *acks, size_t nacks,
                     const struct pw_history *hist);
void http_openapi_get(struct http *h, struct http_req *r);
/* GET /signin (the form), POST /signin (a session cookie, 303 to next),
 * POST /signout (CSRF; clears the cookie); and the 303 to the form that a
 * browser gets where reading needs a session (http_signin.c). */
void http_signin_get(struct http *h, struct http_req *r);
void http_signin_post(struct http *h, struct http_req *r);
void http_signout_post(struct http *h, struct http_req *r);
void http_signin_redirect(struct http *h, struct http_req *r);

/* ---- http_metrics.c: Prometheus series ----------------------------------- */

/* Registers the door's series (h->metrics). Returns 0 or PW_ENOMEM. */
int http_metrics_open(struct http *h);
void http_metrics_close(struct http *h);
/* The registry to serve (pw_metrics_http), NULL before open. */
struct pw_metrics *http_metrics_registry(const struct http *h);
/* A request ends (answered, or its client gone): counts it by route and
 * status and observes its latency from r->t0. */
void http_metrics_done(struct http *h, const struct http_req *r);

/* ---- catalog and the chart cache (http_read.c) ---------------------------- */

/* Asks the store for its catalog unless loaded or in flight. */
void http_catalog_load(struct http *h);
/* Brings the chart cache up to the store's last seq, then calls
 * then(h, r, rc) (rc 0, or PW_EUNAVAILABLE with the cache as it was). */
void http_hist_refresh(struct http *h, struct http_req *r,
                       void (*then)(struct http *, struct http_req *, int));

#endif
