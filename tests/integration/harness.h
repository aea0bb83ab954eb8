/* harness.h - integration test support: starts the real planwatch services
 * on loopback with a temporary data dir (through tests/support, asserting
 * with cmocka), waits for readiness with a deadline (a Ping answered
 * ready, never a bare sleep), kills them (SIGTERM or SIGKILL) and restarts
 * them, and runs the real CLI capturing its output.
 * Every child's stderr goes to a log file in the temp dir, printed when a
 * test fails. Not thread-safe except hs_feed_rows/hs_call (one client per
 * thread). */
#ifndef HARNESS_H
#define HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"
#include "feed.h"
#include "planwatch.pb-c.h"
#include "ts_cluster.h"

enum hs_svc { HS_STORE = TS_STORE, HS_INGEST = TS_INGEST, HS_ALERT = TS_ALERT, HS_NSVC = TS_NSVC };

struct hs_cluster {
    char dir[256];                 /* temp dir: data, logs, clock file */
    int port[TS_CLUSTER_PORTS];    /* 7601..7606 equivalents */
    char ep_ingest[TS_CLUSTER_EP_LEN], ep_store[TS_CLUSTER_EP_LEN],
        ep_alerts[TS_CLUSTER_EP_LEN]; /* client-side endpoints */
    pid_t pid[HS_NSVC];
    int restarts[HS_NSVC];
    char clock_spec[300];          /* "" or "file:DIR/clock" */
    const char *extra[HS_NSVC][8]; /* extra --flag=value per service */
    char env[HS_NSVC][6][600];     /* extra NAME=VALUE in a service's environment (hs_shim) */
    void *ctx;
    int secure;                    /* 0: every service runs --insecure (the default) */
    const char *cli_as;            /* secure: whose key hs_cli uses (default "harness") */
    /* planwatch-http (started only by the tests that use it: hs_start_http) */
    pid_t http_pid;
    int http_port;
    char http_url[64];             /* "http://127.0.0.1:PORT" */
    const char *http_extra[8];     /* extra --flag=value */
};

/* Creates the temp dir and picks free ports. clock: a YYYY-MM-DD to start
 * the services' clock file with, or NULL for the wall clock. */
void hs_init(struct hs_cluster *c, const char *name, const char *clock);
/* Secure mode (call before starting anything): the services run with CURVE
 * and the registry DIR/keys/registry.yaml. `planwatch keygen` makes key
 * pairs in DIR/keys for store, ingest, alert, "harness" (read, subscribe:
 * the harness's own probes and hs_cli's default identity) and each name in
 * names (NULL-terminated); the registry lists the services and the harness
 * until hs_registry adds offices. Without it every service runs --insecure
 * and PLANWATCH_INSECURE=1 is set in the test's environment (hs_init), so
 * every CLI a test runs talks plain text too. */
void hs_secure(struct hs_cluster *c, const char *const *names);
/* The Z85 public key of a name given to hs_secure (or a service's). */
const char *hs_pub(struct hs_cluster *c, const char *name);
/* Path of DIR/keys/NAME.key_secret (secret) or NAME.key. */
const char *hs_key_path(struct hs_cluster *c, const char *name, int secret);
/* Rewrites the registry: services, the harness, then offices_yaml (entries
 * of the offices: list, e.g. "  - {id: a, key: \"...\", read: true}\n"). */
void hs_registry(struct hs_cluster *c, const char *offices_yaml);
/* A client of ingest or the store (HS_INGEST / HS_STORE): over CURVE as
 * `as` (a name given to hs_secure) when secure, else plain. Asserts. */
struct pw_client *hs_client(struct hs_cluster *c, enum hs_svc s, const char *as);

/* Service s runs with the LD_PRELOAD shim (tests/shim/pw_shim.c) from its
 * next start: while the file enospc exists (NULL: never) its LMDB file's
 * writes and syncs fail with ENOSPC; log (NULL: none) receives the ordered
 * record of syncs, LMDB writes and sends carrying tokens that start with
 * mark. Under ASan the runtime's link-order check is turned off (the shim
 * comes first; it reaches the sanitizer's functions through RTLD_NEXT). */
void hs_shim(struct hs_cluster *c, enum hs_svc s, const char *enospc, const char *log,
             const char *mark);

/* Stops every service (SIGTERM, asserting a clean exit 0) and removes the
 * temp dir unless the test failed (PW_KEEP_TMP set). */
void hs_fini(struct hs_cluster *c);

/* Starts a service and waits (deadline 20 s) until it is ready. */
void hs_start(struct hs_cluster *c, enum hs_svc s);
/* Starts a service without waiting. */
void hs_spawn(struct hs_cluster *c, enum hs_svc s);
/* Waits until ready; returns 0 or -1 after deadline_ms. */
int hs_wait_ready(struct hs_cluster *c, enum hs_svc s, int deadline_ms);
/* Sends sig and waits for the exit (SIGTERM: at most 5 s, the shutdown
 * promise); returns the exit status, 128+signal, or -1 if it did not exit. */
int hs_stop(struct hs_cluster *c, enum hs_svc s, int sig);
/* Waits (deadline_ms) for a service to exit by itself, e.g. one that
 * refuses to start; returns its exit status, 128+signal, or -1 (then it is
 * still running and still the cluster's). */
int hs_wait_exited(struct hs_cluster *c, enum hs_svc s, int deadline_ms);

/* Starts planwatch-http against the cluster's ingest and store (with the
 * cluster's clock and http_extra flags) and waits (20 s) until GET
 * /api/v1/health answers 200 (the store's catalog is loaded). */
void hs_start_http(struct hs_cluster *c);
/* Stops it (SIGTERM: within 5 s); returns the exit status or -1. */
int hs_stop_http(struct hs_cluster *c);

/* Moves the services' clock (file clock) to day. */
void hs_set_clock(struct hs_cluster *c, const char *day);

/* Runs build/cli/planwatch with args (NULL-terminated) and the cluster's
 * endpoints in the environment; stdout/stderr are returned in malloc'd
 * strings (caller frees). Returns the exit status. */
int hs_cli(struct hs_cluster *c, char **out, char **err, const char *const *args);
/* The same with stdout written to the file path (binary output: xlsx, pdf)
 * and stderr the test's own. Returns the exit status. */
int hs_cli_file(struct hs_cluster *c, const char *path, const char *const *args);

/* One store query (kind + fields already in q). Asserts success. */
Planwatch__V1__QueryReply *hs_query(struct hs_cluster *c, struct pw_client *cl,
                                    Planwatch__V1__Query *q);

/* Sends rows[0..n) as one FeedBatch via cl and returns the reply (caller
 * frees), or NULL if ingest did not answer within timeout_ms. */
Planwatch__V1__FeedReply *hs_feed_rows(struct pw_client *cl, const char *office,
                                       Planwatch__V1__IndicatorUpdate **rows, size_t n,
                                       int timeout_ms);

/* Waits (deadline_ms) for an alert heartbeat that is ready and has applied
 * store seq >= seq. Returns the heartbeat's resync count, or -1. */
long hs_alert_converged(struct hs_cluster *c, uint64_t seq, int deadline_ms);
/* The same, also waiting until the alert service has loaded the store's
 * subscriptions/acks/silences up to admin_seq (the heartbeat's admin_seq). */
long hs_alert_admin(struct hs_cluster *c, uint64_t seq, uint64_t admin_seq, int deadline_ms);

/* The same, also waiting until the alert service has judged every indicator
 * at day (YYYY-MM-DD, NULL: any) and published all it raised; *alert_seq
 * (may be NULL) is then its last alert seq. */
long hs_alert_evaluated(struct hs_cluster *c, uint64_t seq, uint64_t admin_seq, const char *day,
                        uint64_t *alert_seq, int deadline_ms);

/* Asserts that the alert service's recorded state (AlertState in the
 * store) equals a fresh evaluation of the store at day: same status for
 * every indicator. Returns the number of indicators compared. */
size_t hs_assert_alert_state_fresh(struct hs_cluster *c, struct pw_client *st, const char *day);

/* The store's last seq. */
uint64_t hs_store_seq(struct hs_cluster *c, struct pw_client *st);

/* ---- the alert service's subscribers' view (test_webhooks, test_notify) ----
 * Each fails the test (after printing the logs) instead of returning an error. */
struct hs_http;
/* hs_cli asserting the exit status want; returns stdout (caller frees). */
char *hs_cli_want(struct hs_cluster *c, int want, const char *const *args);
/* The store's admin_seq (subscriptions, acks, silences). */
uint64_t hs_admin_seq(struct hs_cluster *c, struct pw_client *st);
/* Waits (deadline_ms) until the alert service applied every stored update
 * and loaded every subscription / ack / silence change. */
void hs_settle(struct hs_cluster *c, struct pw_client *st, int deadline_ms);
/* `planwatch subscribe --webhook url extra...` (extra NULL-terminated, at
 * most 20, or NULL), then hs_settle; returns the subscription's id. */
uint64_t hs_subscribe(struct hs_cluster *c, struct pw_client *st, const char *url,
                      const char *const *extra, int deadline_ms);
/* Feeds one figure (ind, FY2025, value, as of 2026-03-31) through the CLI
 * from a file DIR/feed-N.csv, then hs_settle. */
void hs_feed_figure(struct hs_cluster *c, struct pw_client *st, const char *ind,
                    const char *value, int deadline_ms);
/* Three alert heartbeats pass (each 1 s at most): anything in flight has landed. */
void hs_quiet_period(struct hs_cluster *c);
/* Deliveries the store holds for subscription sub and alert alert_seq (0:
 * any): how many, and in *delivered (may be NULL) how many were delivered. */
size_t hs_deliveries(struct hs_cluster *c, struct pw_client *st, uint64_t sub,
                     uint64_t alert_seq, size_t *delivered);
/* hs_http_wait asserting that n requests to path came within deadline_ms. */
void hs_http_expect(struct hs_cluster *c, struct hs_http *h, const char *path, size_t n,
                    int deadline_ms);

/* The whole file at path (malloc'd, NUL-terminated, caller frees); *len
 * its size when len is not NULL. Fails the test when it cannot be read. */
char *hs_read_file(const char *path, size_t *len);

/* Path of a built binary or a source file. */
const char *hs_bin(const char *name);
const char *hs_src(const char *rel);

/* A free TCP port on loopback (for extra listeners such as --metrics). */
int hs_free_port(void);

/* GET http://127.0.0.1:port/path with a 10 s deadline. Returns the body
 * (malloc'd, caller frees) and *status, or NULL if nothing answered. */
char *hs_scrape(int port, const char *path, int *status);

/* The value of the series `series` (name{labels} exactly as rendered) in a
 * Prometheus text body; fails the test when it is not there. */
double hs_metric(const char *body, const char *series);

/* hs_metric of a fresh GET /metrics on port (which must answer 200). */
double hs_scrape_metric(int port, const char *series);

/* Whether service svc's log ("store", "http", ...) holds text (a fixed
 * string). hs_log_wait: waits up to ms for it,
 * polling the log every 50 ms; 1 when it came. hs_log_count: how many
 * lines hold it; hs_log_wait_count: waits up to ms until at least n do. */
int hs_log_has(struct hs_cluster *c, const char *svc, const char *text);
int hs_log_wait(struct hs_cluster *c, const char *svc, const char *text, int ms);
int hs_log_count(struct hs_cluster *c, const char *svc, const char *text);
int hs_log_wait_count(struct hs_cluster *c, const char *svc, const char *text, int n, int ms);

/* Prints the last lines of every service log (on failure). */
void hs_dump_logs(struct hs_cluster *c);

/* ---- a webhook receiver: a tiny HTTP/1.1 server on loopback in a thread ----
 * It records every request (path, the X-Planwatch-* headers, body) and
 * answers each with the status set by hs_http_status (200 at start), then
 * closes the connection. hs_http_down closes the listening socket (clients
 * get "connection refused"), hs_http_up listens again on the same port.
 * The calls are thread-safe against the server thread. */
#define HS_HTTP_MAX 512
struct hs_http_req {
    char path[128];
    char event[64];         /* X-Planwatch-Event */
    char delivery[64];      /* X-Planwatch-Delivery */
    char signature[96];     /* X-Planwatch-Signature ("" when absent) */
    char wh_id[64];         /* webhook-id (Standard Webhooks) */
    char wh_timestamp[24];  /* webhook-timestamp */
    char wh_signature[160]; /* webhook-signature ("" when absent) */
    char content_type[64];
    char *body;             /* NUL-terminated */
    size_t len;
    int answered;           /* the status it was answered with */
};
struct hs_http;
/* Starts listening on a free loopback port. */
struct hs_http *hs_http_start(void);
/* Stops the thread and frees everything (requests included). */
void hs_http_stop(struct hs_http *h);
/* "http://127.0.0.1:PORT" + path into buf. */
const char *hs_http_url(struct hs_http *h, const char *path, char *buf, size_t n);
void hs_http_status(struct hs_http *h, int status);
void hs_http_down(struct hs_http *h);
void hs_http_up(struct hs_http *h);
/* Requests received so far (to path, or all when path is NULL). */
size_t hs_http_count(struct hs_http *h, const char *path);
/* Waits until hs_http_count(path) >= n; returns 0, or -1 after deadline_ms. */
int hs_http_wait(struct hs_http *h, const char *path, size_t n, int deadline_ms);
/* The k-th request to path (NULL: any), oldest first: a copy the caller
 * frees with hs_http_req_free; asserts it exists. */
struct hs_http_req hs_http_get(struct hs_http *h, const char *path, size_t k);
void hs_http_req_free(struct hs_http_req *r);

#endif
