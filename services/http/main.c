/* main.c - planwatch-http: the HTTP door (docs/pipeline.md, README "HTTP").
 *
 * Offices POST feeds (CSV or JSON) with a bearer token; they go to ingest as
 * FeedBatches and are answered with an import summary once ingest answers,
 * i.e. after the store's durable commit. Anyone allowed to read gets the
 * read API (status, history, alerts, the follow-up report) and the
 * dashboard, all answered from the store. One reactor, no threads:
 * libmicrohttpd runs in external-select mode and joins it through
 * pw_httpd_attach beside the two DEALERs; requests waiting for ingest or the store
 * are suspended, not blocking anything. The catalog is the store's own
 * (QUERY_CATALOG), so this door never disagrees with the evaluation. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "cfg.h"
#include "dash.h"
#include "service.h"
#include "err.h"
#include "http.h"
#include "http_auth.h"
#include "http_session.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "pdf.h"
#include "pwcheck.h"
#include "reactor.h"
#include "sec.h"
#include "zsock.h"

/* The settings (strings point into argv, the environment or the defaults). */
struct http_cfg {
    const char *listen, *ingest, *store, *tz, *users, *session_key, *tls_cert, *tls_key;
    int read_auth, cookie_secure;
    long session_minutes, signin_checks;
    long max_body, max_rows, ingest_timeout_ms, store_timeout_ms, per_address, deadline_s;
    struct pw_service_settings common; /* clock, keys, registry, ... */
};

static const struct pw_service_use http_shared[] = {
    {PW_SERVICE_REGISTRY, "office registry: the offices' token_sha256 and write scopes (\"\": no writes)"},
    {PW_SERVICE_CLOCK, "today for the dashboard and feed dates: \"\" wall clock, YYYY-MM-DD, or file:PATH"},
    {PW_SERVICE_LOG_LEVEL, NULL},
    {PW_SERVICE_METRICS, NULL},
    {PW_SERVICE_INSECURE, "no CURVE towards ingest and the store (local development only)"},
    {PW_SERVICE_SECRET_KEY, "this service's secret key file (planwatch keygen http: http.key_secret; a service in the registry)"},
    {PW_SERVICE_INGEST_KEY, NULL},
    {PW_SERVICE_STORE_KEY, NULL},
};

/* Reads c's settings (pw_service_start): -1 to go on, else the exit status. */
static int http_config(struct http_cfg *c, int argc, char **argv, struct pw_clock *clock)
{
    const struct pw_cfg own[] = {
        {"listen", PW_CFG_STR, "127.0.0.1:7607", 0, 0, "HTTP address HOST:PORT (* = every IPv4 address)", &c->listen, 0},
        {"ingest", PW_CFG_STR, "tcp://127.0.0.1:7601", 0, 0, "ingest's office endpoint (feeds go there)", &c->ingest, 0},
        {"store", PW_CFG_STR, "tcp://127.0.0.1:7604", 0, 0, "the store's query endpoint (catalog, status, history, alerts)", &c->store, 0},
        {"read-auth", PW_CFG_BOOL, "false", 0, 0, "reading (dashboard, GET /api/v1/...) needs a token with scope read", &c->read_auth, 0},
        {"users", PW_CFG_STR, "", 0, 0, "users file: who signs in with a password (planwatch user add; \"\": nobody)", &c->users, 0},
        {"session-key", PW_CFG_STR, "", 0, 0, "file of >= 32 secret bytes signing session cookies, the same for every replica (\"\": a random key per process)", &c->session_key, 0},
        {"session-minutes", PW_CFG_INT, "480", 5, 43200, "a session's life after sign-in", &c->session_minutes, 0},
        {"signin-checks", PW_CFG_INT, "64", 1, 1024, "sign-in password checks that may wait at once (argon2id, ~0.1 s each, off the loop); beyond: 503 Retry-After: 1", &c->signin_checks, 0},
        {"cookie-secure", PW_CFG_BOOL, "false", 0, 0, "every session cookie says Secure (behind a TLS proxy; under TLS here it always does)", &c->cookie_secure, 0},
        {"max-body-bytes", PW_CFG_INT, "8388608", 1024, 67108864, "largest feed body; larger: 413", &c->max_body, 0},
        /* one request is one FeedBatch: never more rows than ingest takes (PW_BATCH_MAX_ROWS) */
        {"max-rows", PW_CFG_INT, "10000", 1, PW_BATCH_MAX_ROWS, "most rows per feed request; more: 413", &c->max_rows, 0},
        {"ingest-timeout-ms", PW_CFG_INT, "10000", 100, 600000, "answer 503 when ingest has not answered a feed by then", &c->ingest_timeout_ms, 0},
        {"tz", PW_CFG_STR, "", 0, 0, "time zone of the times the pages show (\"\": TZ, else Asia/Tokyo)", &c->tz, 0},
        {"store-timeout-ms", PW_CFG_INT, "5000", 100, 600000, "answer 503 when the store has not answered a query by then", &c->store_timeout_ms, 0},
        {"tls-cert", PW_CFG_STR, "", 0, 0, "TLS: the server's certificate chain (PEM); with --tls-key, HTTPS instead of HTTP", &c->tls_cert, 0},
        {"tls-key", PW_CFG_STR, "", 0, 0, "TLS: the certificate's private key (PEM, mode 600: refused if group or others may read it)", &c->tls_key, 0},
        {"max-conns-per-address", PW_CFG_INT, "32", 1, 200, "connections at once from one client address (200 in all); more are refused", &c->per_address, 0},
        {"request-deadline-s", PW_CFG_INT, "30", 1, 3600, "a request's headers and body must have arrived by then (from the connection's start or its previous answer), else the connection is cut", &c->deadline_s, 0},
    };
    const struct pw_service_def def = {
        "http",
        "The HTTP door: offices POST feeds (CSV/JSON) with a bearer token and hear an import "
        "summary after the store's commit; the read API and the dashboard answer from the store.",
        own, sizeof own / sizeof own[0], http_shared, sizeof http_shared / sizeof http_shared[0]};
    return pw_service_start(&def, &c->common, argc, argv, clock);
}

/* The most sockets libmicrohttpd can hand out (its fd_set's size). */
#define HTTP_MHD_SOCKETS FD_SETSIZE

static int http_on_ingest(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct http *h = arg;
    http_up_drain(h, h->ingest);
    return 0;
}

static int http_on_store(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct http *h = arg;
    http_up_drain(h, h->store);
    return 0;
}

/* Until the store has answered once: ask for its catalog every second. */
static int http_on_catalog(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)revents;
    struct http *h = arg;
    if (h->cat)
        return pw_reactor_remove(r, id);
    http_catalog_load(h);
    return 0;
}

/* Sessions signed out on other replicas: the store is asked every second. */
static int http_on_sessions(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    http_session_poll(arg);
    return 0;
}

/* Upstream calls get deadlines whenever a request starts one: expire and
 * ping each turn, and wait no longer than the nearest deadline. */
static int http_up_prepare(void *arg, zmq_pollitem_t *items, int max, long *timeout_ms)
{
    (void)items, (void)max;
    struct http *h = arg;
    int64_t now = pw_now_ms();
    int64_t a = http_up_tick(h, h->ingest, now), b = http_up_tick(h, h->store, now);
    int64_t c = http_server_tick(h, now);
    int64_t wait = (a < b ? a : b) - now;
    if (c - now < wait)
        wait = c - now;
    if (wait < *timeout_ms)
        *timeout_ms = wait > 0 ? (long)wait : 0;
    return 0;
}

/* Dispatch order: the DEALERs' answers, the deadlines, then libmicrohttpd
 * (which then sends the answers just resumed). */
/* SIGHUP: the offices' tokens and scopes from the registry file again; a
 * file that does not load is logged with file:line and the old one stays. */
static int http_on_reload(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct http *h = arg;
    struct pw_diag d = {0};
    char msg[600];
    if (http_auth_reload(h->auth, &d))
        pw_error("msg=\"registry reload refused: the old registry stays\" %s",
                 pw_diag_format(&d, NULL, msg, sizeof msg));
    else
        pw_info("msg=\"registry reloaded\" offices=%zu users=%zu", http_auth_count(h->auth),
                http_auth_user_count(h->auth));
    return 0;
}

static int http_register(struct http *h, struct pw_reactor *r, int *mhd_id)
{
    if (pw_reactor_socket(r, http_up_socket(h->ingest), ZMQ_POLLIN, http_on_ingest, h, NULL) ||
        pw_reactor_socket(r, http_up_socket(h->store), ZMQ_POLLIN, http_on_store, h, NULL) ||
        pw_reactor_hook(r, 0, http_up_prepare, NULL, h, NULL) ||
        pw_reactor_timer(r, 0, 1000, http_on_catalog, h, NULL) ||
        pw_reactor_timer(r, 0, 1000, http_on_sessions, h, NULL))
        return PW_ENOMEM;
    return pw_httpd_attach(r, h->mhd, HTTP_MHD_SOCKETS, mhd_id);
}

int main(int argc, char **argv)
{
    struct http h;
    struct pw_sec *sec = NULL;
    char ingest_pub[PW_KEY_Z85_LEN + 1], store_pub[PW_KEY_Z85_LEN + 1];
    struct pw_diag d = {0};
    char msg[600];
    void *ctx = NULL;
    struct pw_reactor *loop = NULL;
    struct pw_httpd *metrics_http = NULL;
    int mhd_id = 0, status = 1;
    struct http_cfg cfg;
    memset(&h, 0, sizeof h);
    int rc = http_config(&cfg, argc, argv, &h.clock);
    if (rc >= 0)
        return rc;
    h.read_auth = cfg.read_auth;
    /* the pages show times in this zone (the logs stay in UTC) */
    const char *tz = NULL, *env_tz = getenv("TZ");
    if (cfg.tz[0]) {
        if (pw_dash_tz_resolve(cfg.tz, &tz)) {
            pw_error("msg=\"--tz is not a time zone this system knows\" tz=\"%.64s\"", cfg.tz);
            return 2;
        }
    } else if (pw_dash_tz_resolve(env_tz ? env_tz : "", &tz)) {
        /* an inherited TZ is not this service's setting: the default, said once */
        pw_warn("msg=\"TZ is not a time zone this system knows: pages show Asia/Tokyo\" "
                "tz=\"%.64s\"", env_tz);
        pw_dash_tz_resolve("", &tz);
    }
    setenv("TZ", tz, 1);
    tzset();
    h.max_body = cfg.max_body;
    h.max_rows = cfg.max_rows;
    h.ingest_timeout_ms = cfg.ingest_timeout_ms;
    h.store_timeout_ms = cfg.store_timeout_ms;
    if ((rc = http_auth_open(&h.auth, cfg.common.registry, &d))) {
        pw_error("msg=\"office registry rejected\" %s", pw_diag_format(&d, NULL, msg, sizeof msg));
        goto done;
    }
    if (cfg.users[0] && (rc = http_auth_open_users(h.auth, cfg.users, &d))) {
        pw_error("msg=\"users file rejected\" %s", pw_diag_format(&d, NULL, msg, sizeof msg));
        goto done;
    }
    int random_key = 0;
    if ((rc = http_sessions_open(&h.sessions, cfg.session_key, cfg.session_minutes * 60,
                                 cfg.cookie_secure, &random_key, &d))) {
        pw_error("msg=\"session key rejected\" %s", pw_diag_format(&d, NULL, msg, sizeof msg));
        goto done;
    }
    if (random_key && cfg.users[0])
        pw_warn("msg=\"no --session-key: sessions are signed with a random key of this process; "
                "they end when it restarts and other replicas do not accept them\"");
    /* beyond loopback: without --read-auth anyone who reaches the address
     * reads what the door serves (office names, ack reasons, reports);
     * without TLS tokens and answers cross the network in clear */
    int tls = cfg.tls_cert[0] || cfg.tls_key[0];
    if (strncmp(cfg.listen, "127.", 4) != 0 && strncmp(cfg.listen, "localhost:", 10) != 0 &&
        strncmp(cfg.listen, "[::1]:", 6) != 0) {
        if (!cfg.read_auth)
            pw_warn("msg=\"listening beyond loopback without --read-auth: anyone who reaches this "
                    "address reads office names, ack reasons and reports%s\" listen=%s",
                    tls ? "" : " (plain HTTP, no TLS)", cfg.listen);
        if (!tls)
            pw_warn("msg=\"listening beyond loopback without TLS: bearer tokens and answers "
                    "cross the network in clear (--tls-cert, --tls-key)\" listen=%s", cfg.listen);
    }
    const struct http_server_opts sopts = {cfg.tls_cert, cfg.tls_key, cfg.per_address,
                                           cfg.deadline_s * 1000};
    if (pw_reactor_open(&loop) || !(ctx = zmq_ctx_new()) ||
        pw_sec_open(ctx, cfg.common.insecure, cfg.common.secret_key, NULL, NULL, &sec) ||
        pw_sec_peer_key(sec, cfg.common.ingest_key, "--ingest-key", ingest_pub) ||
        pw_sec_peer_key(sec, cfg.common.store_key, "--store-key", store_pub) ||
        http_up_open(&h.ingest, ctx, cfg.ingest, "ingest", sec, ingest_pub) ||
        http_up_open(&h.store, ctx, cfg.store, "store", sec, store_pub) ||
        pw_pwcheck_open(&h.pwcheck, loop, NULL, (size_t)cfg.signin_checks) ||
        http_server_start(&h, cfg.listen, &sopts) || http_register(&h, loop, &mhd_id) ||
        http_metrics_open(&h))
        goto done;
    /* Prometheus on its own address, like every service (not the door's) */
    if (cfg.common.metrics[0] && pw_httpd_open(&metrics_http, loop, cfg.common.metrics,
                                               pw_metrics_http, http_metrics_registry(&h)))
        goto done;
    /* format=pdf is offered only when a renderer is there now */
    if (!pw_pdf_find(h.pdf_renderer, sizeof h.pdf_renderer))
        h.pdf_renderer[0] = '\0';
    pw_info("msg=\"ready\" listen=%s tls=%s offices=%zu users=%zu pdf_renderer=\"%s\" metrics_port=%d",
            cfg.listen, http_server_tls(&h) ? "on" : "off", http_auth_count(h.auth),
            http_auth_user_count(h.auth), h.pdf_renderer[0] ? h.pdf_renderer : "none",
            pw_httpd_port(metrics_http));
    pw_service_ready(); /* systemd: READY=1 once it listens */

    pw_reactor_on_reload(loop, http_on_reload, &h);
    rc = pw_reactor_run(loop);
    pw_info("msg=\"stopping\" requests=%llu feeds=%llu rows_accepted=%llu rows_rejected=%llu",
            (unsigned long long)h.requests, (unsigned long long)h.feeds,
            (unsigned long long)h.rows_accepted, (unsigned long long)h.rows_rejected);
    status = rc ? 1 : 0; /* a poll error (logged) is not a clean stop */
done:
    /* every waiting request is answered (503: resend, safe) before the end */
    pw_pwcheck_close(&h.pwcheck); /* sign-ins still waiting hear 503 */
    if (h.ingest)
        http_up_fail_all(&h, h.ingest);
    if (h.store)
        http_up_fail_all(&h, h.store);
    if (mhd_id)
        pw_reactor_remove(loop, mhd_id); /* before the daemon stops */
    http_server_stop(&h);
    pw_httpd_close(&metrics_http);
    http_metrics_close(&h);
    http_up_close(&h.ingest);
    http_up_close(&h.store);
    pw_sec_close(&sec);
    if (ctx)
        zmq_ctx_term(ctx);
    pw_reactor_close(&loop);
    pw_history_close(&h.hist);
    free(h.ind_seq);
    pw_catalog_close(&h.cat);
    http_sessions_close(&h.sessions);
    http_auth_close(&h.auth);
    return status;
}
