/* http_server.c - libmicrohttpd glue: one struct http_req (http_req.c) per
 * request, bodies collected up to --max-body-bytes, routing to the
 * handlers, and responses that may be set long after the request arrived
 * (the request is suspended while an upstream call is in flight and
 * resumed by http_req_respond). Checks that
 * need no body (token, write scope at all, content type, declared length)
 * are answered before the body is read, so a refused upload is not
 * transferred. Runs in external-select mode on the service loop's thread.
 * The door's own defences live here too: TLS (GnuTLS through
 * libmicrohttpd), a per-address connection limit, a deadline by which each
 * request must have arrived whole (a trickling client keeps no slot), and
 * refusal log lines limited to 10 a minute. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "err.h"
#include "file.h"
#include "http.h"
#include "http_auth.h"
#include "http_req.h"
#include "http_session.h"
#include "log.h"
#include "metrics.h"
#include "ratelog.h"
#include "zsock.h"

/* Connection-level log lines (refusals, cut clients, libmicrohttpd's own
 * complaints about a client) per minute: anyone who reaches the port can
 * cause them as fast as they like; the rest are counted (as ZAP's). */
#define SRV_LOG_PER_MIN 10
/* Connections at once, every address together. */
#define SRV_CONN_MAX 200
/* A TLS certificate or key file larger than this is not one. */
#define SRV_PEM_MAX (1u << 20)

/* One open connection: when its current request began (the connection
 * opened, or its previous answer was sent). */
struct http_conn {
    struct http_conn *prev, *next;
    int64_t start_ms;
    int fd;
    int busy; /* its request arrived whole (or was answered): no deadline */
    int cut;  /* shut down at the deadline; libmicrohttpd closes it next */
};

struct http_srv {
    struct http_conn *conns;
    long deadline_ms;
    unsigned per_address;
    char *cert, *key;   /* PEM (TLS), NULL: plain HTTP */
    size_t key_len;
    struct pw_ratelog log; /* connection log lines: SRV_LOG_PER_MIN a minute */
    uint64_t refused, cut; /* connections refused at a limit / cut at the deadline */
};

/* Whether this connection event gets its own log line. */
static int srv_log_allowed(struct http_srv *s)
{
    return pw_ratelog_allow(&s->log, pw_now_ms());
}

static struct http_conn *srv_conn(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The token of "Authorization: Bearer TOKEN". */
static const char *srv_token(struct http_req *r)
{
    const char *a = http_req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!a || strncasecmp(a, "Bearer ", 7) != 0)
        return NULL;
    a += 7;
    while (*a == ' ')
        a++;
    return a;
}

static int srv_is(const struct http_req *r, const char *method)
{
    return strcmp(r->method, method) == 0;
}

/* Readable without a token even with --read-auth: the readiness probe (load
 * balancers carry no token) and the API's description (it holds no data). */
static int srv_public(const char *path)
{
    return strcmp(path, "/api/v1/health") == 0 || strcmp(path, "/api/v1/openapi.yaml") == 0;
}

/* /signin and /signout (http_signin.c): open without a token; a POST
 * keeps its form body. 1 when r is one of them (answered if refused). */
static int srv_signin(struct http_req *r)
{
    int in = strcmp(r->path, "/signin") == 0, out = strcmp(r->path, "/signout") == 0;
    if ((in && !srv_is(r, "GET") && !srv_is(r, "HEAD") && !srv_is(r, "POST")) ||
        (out && !srv_is(r, "POST")))
        http_req_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, PW_EINVAL,
                       in ? "GET the sign-in form, POST it" : "POST /signout (with csrf)");
    return in || out;
}

/* A browser (it asks for HTML) is sent to the sign-in form; an API client
 * hears 401. */
static int srv_browser(struct http_req *r)
{
    const char *acc = http_req_header(r, MHD_HTTP_HEADER_ACCEPT);
    return acc && strstr(acc, "text/html") != NULL;
}

/* Checks that need no body; answers the request when one fails. */
static void srv_precheck(struct http *h, struct http_req *r)
{
    const char *token = srv_token(r);
    r->office = token ? http_auth_find(h->auth, token) : NULL;
    if (!token) /* a bearer token wins: no cookie (and no CSRF) for automation */
        http_session_identify(h, r);
    if (srv_signin(r))
        return;
    if (http_act_precheck(h, r)) /* acting: uploads, alerts, silences, subscriptions */
        return;
    /* a signed-in browser's state-changing call carries the CSRF token
     * (X-CSRF-Token; form handlers check their csrf field themselves) */
    int csrf_bad = r->user && srv_is(r, "POST") && !http_req_csrf_ok(r, NULL);
    /* a retraction is a one-row feed: the same checks */
    int is_retract = strcmp(r->path, "/api/v1/retractions") == 0;
    int is_feed = is_retract || strcmp(r->path, "/api/v1/feeds") == 0;
    int is_assess = strcmp(r->path, "/api/v1/assessments") == 0;
    if ((is_assess || strcmp(r->path, "/api/v1/reports") == 0) && srv_is(r, "POST")) {
        /* publishing keeps a report for good, an assessment overrides the
         * rule's grade: the registry's manage right */
        if (!r->office && !r->user)
            http_req_error(r, MHD_HTTP_UNAUTHORIZED, PW_EUNAUTHORIZED,
                           token ? "unknown token"
                                 : is_assess ? "assessing needs a bearer token (Authorization: Bearer ...)"
                                 : "publishing needs a bearer token (Authorization: Bearer ...)");
        else if (csrf_bad)
            http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN, "missing or wrong X-CSRF-Token");
        else if (!http_req_may_manage(r))
            http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN,
                           r->user ? "managing is the secretariat's (users file: role: secretariat)"
                           : is_assess ? "this token may not record assessments (registry: manage: true)"
                                       : "this token may not publish reports (registry: manage: true)");
        return;
    }
    if (is_feed && !srv_is(r, "POST")) {
        http_req_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, PW_EINVAL,
                       is_retract ? "POST a retraction here" : "POST a feed here");
        return;
    }
    if (!is_feed) {
        if (!srv_is(r, "GET") && !srv_is(r, "HEAD"))
            http_req_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, PW_EINVAL,
                           "only GET here (POST /api/v1/feeds, /api/v1/retractions, "
                           "/api/v1/reports, /api/v1/assessments)");
        else if (h->read_auth && !srv_public(r->path) && !http_req_may_read(r) && !token &&
                 srv_browser(r))
            http_signin_redirect(h, r);
        else if (h->read_auth && !srv_public(r->path) && !http_req_may_read(r))
            http_req_error(r, r->office ? MHD_HTTP_FORBIDDEN : MHD_HTTP_UNAUTHORIZED,
                           r->office ? PW_EFORBIDDEN : PW_EUNAUTHORIZED,
                           r->office ? "this token may not read"
                           : token   ? "unknown token"
                                     : "reading needs a bearer token (Authorization: Bearer ...)");
        return;
    }
    if (csrf_bad) {
        http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN, "missing or wrong X-CSRF-Token");
        return;
    }
    if (!r->office) {
        if (r->user) /* signed in, but not as a member of an office */
            http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN, "your role may not write feeds");
        else
            http_req_error(r, MHD_HTTP_UNAUTHORIZED, PW_EUNAUTHORIZED,
                           token ? "unknown token"
                                 : "feeds need a bearer token (Authorization: Bearer ...)");
        return;
    }
    if (!http_auth_may_write_any(r->office)) {
        http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN, "this token may not write feeds");
        return;
    }
    const char *ct = http_req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || (strncasecmp(ct, "application/json", 16) != 0 &&
                (is_retract || (strncasecmp(ct, "text/csv", 8) != 0 &&
                                strncasecmp(ct, "multipart/form-data", 19) != 0 &&
                                strncasecmp(ct, HTTP_XLSX_TYPE, strlen(HTTP_XLSX_TYPE)) != 0)))) {
        http_req_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, PW_EINVAL,
                       is_retract ? "send Content-Type: application/json"
                                  : "send Content-Type: text/csv, application/json, "
                                    "multipart/form-data or " HTTP_XLSX_TYPE);
        return;
    }
    const char *cl = http_req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > (unsigned long long)h->max_body) {
        char why[160];
        snprintf(why, sizeof why, "the body is larger than %ld bytes: split the feed", h->max_body);
        http_req_error(r, MHD_HTTP_CONTENT_TOO_LARGE, PW_ETOOBIG, why);
    }
}

/* The query parameters each route reads that have a closed set of values
 * (ids are the handlers' to check against the catalog). */
static const struct http_param srv_p_dashboard[] = {
    {"as_of", HTTP_PARAM_DATE, NULL}, {"lang", HTTP_PARAM_ONE_OF, "ja, en"}, {NULL, 0, NULL}};
static const struct http_param srv_p_status[] = {{"as_of", HTTP_PARAM_DATE, NULL},
                                                 {"known_at", HTTP_PARAM_KNOWN_AT, NULL},
                                                 {"format", HTTP_PARAM_ONE_OF, "csv, json"},
                                                 {NULL, 0, NULL}};
static const struct http_param srv_p_history[] = {{"known_at", HTTP_PARAM_KNOWN_AT, NULL},
                                                  {"format", HTTP_PARAM_ONE_OF, "csv, json"},
                                                  {NULL, 0, NULL}};
static const struct http_param srv_p_report[] = {
    {"fy", HTTP_PARAM_FY, NULL},
    {"format", HTTP_PARAM_ONE_OF, "csv, md, html, xlsx, pdf"},
    {"bom", HTTP_PARAM_BOOL, NULL},
    {"lang", HTTP_PARAM_ONE_OF, "ja, en"},
    {"known_at", HTTP_PARAM_KNOWN_AT, NULL},
    {NULL, 0, NULL}};
static const struct http_param srv_p_assessments[] = {{"known_at", HTTP_PARAM_KNOWN_AT, NULL},
                                                      {"history", HTTP_PARAM_ONE_OF, "true, false"},
                                                      {NULL, 0, NULL}};
static const struct http_param srv_p_template[] = {
    {"fy", HTTP_PARAM_FY, NULL}, {"format", HTTP_PARAM_ONE_OF, "csv, xlsx"}, {NULL, 0, NULL}};
static const struct http_param srv_p_feed[] = {
    {"dry_run", HTTP_PARAM_ONE_OF, "true, false, 1, 0"}, {NULL, 0, NULL}};

static const struct http_param *srv_params(const struct http_req *r)
{
    const char *p = r->path;
    size_t n = strlen(p);
    if (!strcmp(p, "/") || !strcmp(p, "/index.html"))
        return srv_p_dashboard;
    if (!strcmp(p, "/api/v1/status"))
        return srv_p_status;
    if (!strncmp(p, "/api/v1/indicators/", 19) && n > 27 && !strcmp(p + n - 8, "/history"))
        return srv_p_history;
    if (!strcmp(p, "/api/v1/report") || (!strcmp(p, "/api/v1/reports") && srv_is(r, "POST")))
        return srv_p_report;
    if (!strcmp(p, "/api/v1/assessments") && !srv_is(r, "POST"))
        return srv_p_assessments;
    if (!strcmp(p, "/api/v1/template"))
        return srv_p_template;
    if (!strcmp(p, "/api/v1/feeds") || !strcmp(p, "/api/v1/retractions"))
        return srv_p_feed;
    return NULL;
}

static void srv_route(struct http *h, struct http_req *r)
{
    const char *p = r->path;
    static const char hist_prefix[] = "/api/v1/indicators/";
    if (http_act_route(h, r))
        return;
    if (strcmp(p, "/api/v1/feeds") == 0 || strcmp(p, "/api/v1/retractions") == 0) {
        if (r->too_big) {
            char why[160];
            snprintf(why, sizeof why, "the body is larger than %ld bytes: split the feed",
                     h->max_body);
            http_req_error(r, MHD_HTTP_CONTENT_TOO_LARGE, PW_ETOOBIG, why);
        } else {
            h->feeds++;
            if (strcmp(p, "/api/v1/feeds") == 0)
                http_feed_post(h, r);
            else
                http_feed_retract(h, r);
        }
    } else if (strcmp(p, "/") == 0 || strcmp(p, "/index.html") == 0) {
        http_dashboard_get(h, r);
    } else if (strcmp(p, "/signin") == 0) {
        if (srv_is(r, "POST"))
            http_signin_post(h, r);
        else
            http_signin_get(h, r);
    } else if (strcmp(p, "/signout") == 0) {
        http_signout_post(h, r);
    } else if (strncmp(p, "/indicator/", 11) == 0) {
        if (strlen(p + 11) == 0 || strlen(p + 11) > PW_ID_MAX || strchr(p + 11, '/'))
            http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, "no such indicator");
        else
            http_indicator_get(h, r, p + 11);
    } else if (strcmp(p, "/api/v1/status") == 0) {
        http_read_status(h, r);
    } else if (strcmp(p, "/api/v1/alerts") == 0) {
        http_read_alerts(h, r);
    } else if (strcmp(p, "/api/v1/report") == 0) {
        http_read_report(h, r);
    } else if (strcmp(p, "/api/v1/reports") == 0) {
        if (srv_is(r, "POST"))
            http_read_publish(h, r);
        else
            http_read_reports(h, r);
    } else if (strcmp(p, "/api/v1/assessments") == 0) {
        if (srv_is(r, "POST"))
            http_read_assess(h, r);
        else
            http_read_assessments(h, r);
    } else if (strncmp(p, "/api/v1/reports/", 16) == 0) {
        http_read_published(h, r, p + 16);
    } else if (strcmp(p, "/api/v1/health") == 0) {
        http_read_health(h, r);
    } else if (strcmp(p, "/api/v1/template") == 0) {
        http_template_get(h, r);
    } else if (strcmp(p, "/api/v1/openapi.yaml") == 0) {
        http_openapi_get(h, r);
    } else if (strncmp(p, hist_prefix, sizeof hist_prefix - 1) == 0 &&
               strlen(p) > sizeof hist_prefix - 1 + 8 &&
               strcmp(p + strlen(p) - 8, "/history") == 0) {
        char id[PW_ID_MAX + 1];
        size_t len = strlen(p) - (sizeof hist_prefix - 1) - 8;
        if (len == 0 || len > PW_ID_MAX || memchr(p + sizeof hist_prefix - 1, '/', len)) {
            http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, "no such indicator");
            return;
        }
        memcpy(id, p + sizeof hist_prefix - 1, len);
        id[len] = '\0';
        http_read_history(h, r, id);
    } else {
        http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND,
                       "no such page: see / and /api/v1/{feeds,retractions,status,alerts,report,reports,assessments,"
                       "health,template,indicators/ID/history}, described in /api/v1/openapi.yaml");
    }
}

static enum MHD_Result srv_access(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct http *h = cls;
    struct http_req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r || !(r->path = strdup(url))) {
            free(r);
            return MHD_NO;
        }
        r->h = h;
        r->conn = conn;
        r->t0 = pw_metrics_now();
        snprintf(r->method, sizeof r->method, "%s", method);
        r->next = h->live;
        if (h->live)
            h->live->prev = r;
        h->live = r;
        *con_cls = r;
        h->requests++;
        r->cs = srv_conn(conn);
        srv_precheck(h, r);
        if (!r->done)
            http_req_check_args(r, srv_params(r));
        /* a refusal is sent before any body is read */
        if (r->done && r->cs)
            r->cs->busy = 1;
        return r->done ? http_req_queue(r) : MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        /* only a feed (the one POST precheck lets through) keeps its body;
         * a GET's is read and dropped, never buffered */
        if (r->done || r->too_big || !srv_is(r, "POST"))
            return MHD_YES;
        if (r->len + n > (size_t)r->h->max_body) {
            r->too_big = 1;
            free(r->body);
            r->body = NULL;
            r->len = r->cap = 0;
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = (r->len + n + 1) * 2;
            char *nb = realloc(r->body, cap);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    if (r->cs)
        r->cs->busy = 1; /* whole: what remains is ours to answer */
    if (!r->done && !r->dispatched) {
        r->dispatched = 1;
        srv_route(h, r);
    }
    if (r->done)
        return http_req_queue(r);
    r->suspended = 1;
    MHD_suspend_connection(conn);
    return MHD_YES;
}

static void srv_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct http *h = cls;
    struct http_req *r = *con_cls;
    struct http_conn *c = srv_conn(conn);
    if (c) { /* a next request on this connection has its own deadline */
        c->busy = 0;
        c->start_ms = pw_now_ms();
    }
    if (!r)
        return;
    http_metrics_done(h, r);
    if (r->prev)
        r->prev->next = r->next;
    else
        h->live = r->next;
    if (r->next)
        r->next->prev = r->prev;
    if (r->free_state)
        r->free_state(r->state);
    free(r->body);
    free(r->resp);
    free(r->path);
    free(r);
    *con_cls = NULL;
}

/* libmicrohttpd's messages are nearly all about one client (a refused
 * connection, a failed TLS handshake, a malformed request): rate-limited. */
static void srv_log(void *cls, const char *fmt, va_list ap)
{
    struct http *h = cls;
    struct http_srv *s = h->srv;
    char buf[300];
    vsnprintf(buf, sizeof buf, fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    /* what it says when the per-address or the overall limit is reached */
    int limit = strstr(buf, "connection limit") != NULL;
    if (limit && s)
        s->refused++;
    if (s && !srv_log_allowed(s))
        return;
    if (limit)
        pw_warn("msg=\"connection refused\" reason=\"connection limit reached: "
                "--max-conns-per-address (%u) or %d in all\"",
                s ? s->per_address : 0, SRV_CONN_MAX);
    else
        pw_warn("msg=\"libmicrohttpd\" what=\"%s\"", pw_log_safe(buf));
}

static void srv_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode code)
{
    struct http *h = cls;
    struct http_srv *s = h->srv;
    struct http_conn *c = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!(c = calloc(1, sizeof *c)))
            return; /* untracked: only the idle timeout applies to it */
        c->fd = ci ? ci->connect_fd : -1;
        c->start_ms = pw_now_ms();
        c->next = s->conns;
        if (s->conns)
            s->conns->prev = c;
        s->conns = c;
        *socket_context = c;
        return;
    }
    if (!c)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
    *socket_context = NULL;
}

int64_t http_server_tick(struct http *h, int64_t now)
{
    struct http_srv *s = h->srv;
    int64_t next = INT64_MAX;
    if (!s)
        return next;
    for (struct http_conn *c = s->conns; c; c = c->next) {
        if (c->busy || c->cut || c->fd < 0)
            continue;
        int64_t end = c->start_ms + s->deadline_ms;
        if (end > now) {
            next = end < next ? end : next;
            continue;
        }
        /* libmicrohttpd's timeout is an idle one, which every trickled
         * byte resets: a shut-down socket reads as closed, and it closes
         * the connection (and frees its request) on its next pass */
        shutdown(c->fd, SHUT_RDWR);
        c->cut = 1;
        s->cut++;
        if (srv_log_allowed(s))
            pw_warn("msg=\"connection cut: its request did not arrive in time\" deadline_ms=%ld",
                    s->deadline_ms);
    }
    int64_t flush = pw_ratelog_flush(&s->log, now);
    return flush < next ? flush : next;
}

/* Reads a PEM file into *out (NUL-terminated, caller frees); a key file
 * group or others may read is refused, as a CURVE secret key file is. */
static int srv_read_pem(const char *path, const char *flag, int secret, char **out, size_t *len)
{
    struct stat st;
    struct pw_diag d = {0};
    char msg[600], name[300];
    snprintf(name, sizeof name, "%s", path);
    pw_log_safe(name);
    if (stat(path, &st) != 0) {
        pw_error("msg=\"cannot read the TLS file\" flag=%s file=\"%s\" err=\"%s\"", flag, name,
                 strerror(errno));
        return PW_EIO;
    }
    if (secret && (st.st_mode & (S_IRWXG | S_IRWXO))) {
        pw_error("msg=\"TLS key file is accessible by group or others: chmod 600 it\" flag=%s "
                 "file=\"%s\" mode=%03o code=%s",
                 flag, name, (unsigned)(st.st_mode & 0777), pw_errname(PW_EKEY_PERM));
        return PW_EKEY_PERM;
    }
    int rc = pw_file_read(path, SRV_PEM_MAX, out, len, &d);
    if (rc) {
        pw_error("msg=\"cannot read the TLS file\" flag=%s %s", flag,
                 pw_diag_format(&d, NULL, msg, sizeof msg));
        return rc;
    }
    return 0;
}

/* TLS from settings: both files or neither. */
static int srv_tls(struct http_srv *s, const struct http_server_opts *o)
{
    int cert = o->tls_cert && o->tls_cert[0], key = o->tls_key && o->tls_key[0];
    size_t len;
    if (!cert && !key)
        return 0;
    if (!cert || !key) {
        pw_error("msg=\"TLS needs both --tls-cert and --tls-key (or neither, for plain HTTP)\" "
                 "missing=%s", cert ? "--tls-key" : "--tls-cert");
        return PW_EINVAL;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        pw_error("msg=\"this libmicrohttpd was built without TLS (GnuTLS): --tls-cert cannot "
                 "be served; install Debian's libmicrohttpd12 or build it with GnuTLS\"");
        return PW_EINVAL;
    }
    int rc = srv_read_pem(o->tls_key, "--tls-key", 1, &s->key, &s->key_len);
    if (!rc)
        rc = srv_read_pem(o->tls_cert, "--tls-cert", 0, &s->cert, &len);
    return rc;
}

static void srv_free(struct http_srv **sp)
{
    struct http_srv *s = *sp;
    if (!s)
        return;
    if (s->key)
        explicit_bzero(s->key, s->key_len);
    free(s->key);
    free(s->cert);
    free(s);
    *sp = NULL;
}

int http_server_start(struct http *h, const char *listen, const struct http_server_opts *o)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    const char *colon = strrchr(listen, ':');
    char host[64];
    long port = colon ? strtol(colon + 1, NULL, 10) : 0;
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    if (!colon || port <= 0 || port > 65535 || hl >= sizeof host) {
        pw_error("msg=\"--listen is not HOST:PORT\" listen=%s", listen);
        return PW_EINVAL;
    }
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (strcmp(host, "*") == 0 || hl == 0)
        sa.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
                       &sa.sin_addr) != 1) {
        pw_error("msg=\"--listen host is not an IPv4 address\" listen=%s", listen);
        return PW_EINVAL;
    }
    sa.sin_port = htons((uint16_t)port);
    if (!(h->srv = calloc(1, sizeof *h->srv)))
        return PW_ENOMEM;
    h->srv->deadline_ms = o->deadline_ms;
    pw_ratelog_init(&h->srv->log, "connection refusals", SRV_LOG_PER_MIN);
    h->srv->per_address = (unsigned)o->per_address_max;
    int rc = srv_tls(h->srv, o);
    if (rc) {
        srv_free(&h->srv);
        return rc;
    }
    /* the PEM text is read by GnuTLS during the start */
    struct MHD_OptionItem tls[] = {{MHD_OPTION_HTTPS_MEM_KEY, 0, h->srv->key},
                                   {MHD_OPTION_HTTPS_MEM_CERT, 0, h->srv->cert},
                                   {MHD_OPTION_END, 0, NULL}};
    unsigned flags = MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | (h->srv->key ? MHD_USE_TLS : 0);
    h->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL,
                              NULL, srv_access, h, MHD_OPTION_EXTERNAL_LOGGER, srv_log, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_NOTIFY_COMPLETED, srv_completed, h,
                              MHD_OPTION_NOTIFY_CONNECTION, srv_conn_notify, h,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)SRV_CONN_MAX,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->per_address_max,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                              MHD_OPTION_ARRAY, h->srv->key ? tls : tls + 2, MHD_OPTION_END);
    if (!h->mhd) {
        /* with TLS most likely a certificate and key GnuTLS does not take */
        pw_error("msg=\"cannot listen%s\" listen=%s", h->srv->key ?
                 " (or the TLS certificate and key are not a PEM pair GnuTLS accepts)" : "",
                 listen);
        srv_free(&h->srv);
        return PW_EIO;
    }
    return 0;
}

void http_server_counts(const struct http *h, uint64_t *refused, uint64_t *cut)
{
    *refused = h->srv ? h->srv->refused : 0;
    *cut = h->srv ? h->srv->cut : 0;
}

int http_server_tls(const struct http *h)
{
    return h->srv && h->srv->key;
}

void http_server_stop(struct http *h)
{
    if (!h->mhd)
        return;
    /* every suspended request gets an answer and is resumed: libmicrohttpd
     * must not be stopped with suspended connections */
    for (struct http_req *r = h->live; r; r = r->next)
        if (!r->done)
            http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, PW_ESHUTDOWN,
                           "the service is stopping; resend (safe: the same update ids never "
                           "create duplicates)");
    /* give the resumed requests their answers */
    for (int i = 0; i < 20 && h->live; i++)
        MHD_run(h->mhd);
    MHD_stop_daemon(h->mhd);
    h->mhd = NULL;
    pw_info("msg=\"connections\" refused_at_limit=%llu cut_at_deadline=%llu",
            (unsigned long long)h->srv->refused, (unsigned long long)h->srv->cut);
    srv_free(&h->srv);
}
