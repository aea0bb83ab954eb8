/* http_server.c - libmicrohttpd glue: one struct http_req (http_req.c) per
 * request, bodies collected up to --max-body-bytes, routing to the
 * handlers, and responses that may be set long after the request arrived
 * (the request is suspended while an upstream call is in flight and
 * resumed by http_req_respond). Checks that
 * need no body (token, write scope at all, content type, declared length)
 * are answered before the body is read, so a refused upload is not
 * transferred. Runs in external-select mode on the service loop's thread. */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "http.h"
#include "http_auth.h"
#include "http_req.h"
#include "log.h"

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

/* Checks that need no body; answers the request when one fails. */
static void srv_precheck(struct http *h, struct http_req *r)
{
    const char *token = srv_token(r);
    r->office = token ? http_auth_find(h->auth, token) : NULL;
    /* a retraction is a one-row feed: the same checks */
    int is_retract = strcmp(r->path, "/api/v1/retractions") == 0;
    int is_feed = is_retract || strcmp(r->path, "/api/v1/feeds") == 0;
    int is_assess = strcmp(r->path, "/api/v1/assessments") == 0;
    if ((is_assess || strcmp(r->path, "/api/v1/reports") == 0) && srv_is(r, "POST")) {
        /* publishing keeps a report for good, an assessment overrides the
         * rule's grade: the registry's manage right */
        if (!r->office)
            http_req_error(r, MHD_HTTP_UNAUTHORIZED, PW_EINVAL,
                           token ? "unknown token"
                                 : is_assess ? "assessing needs a bearer token (Authorization: Bearer ...)"
                                 : "publishing needs a bearer token (Authorization: Bearer ...)");
        else if (!http_auth_may_manage(r->office))
            http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EDENIED,
                           is_assess ? "this token may not record assessments (registry: manage: true)"
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
        else if (h->read_auth && !srv_public(r->path) && !http_auth_may_read(r->office))
            http_req_error(r, r->office ? MHD_HTTP_FORBIDDEN : MHD_HTTP_UNAUTHORIZED,
                           PW_EINVAL,
                           r->office ? "this token may not read"
                                     : "reading needs a bearer token (Authorization: Bearer ...)");
        return;
    }
    if (!r->office) {
        http_req_error(r, MHD_HTTP_UNAUTHORIZED, PW_EINVAL,
                       token ? "unknown token" : "feeds need a bearer token (Authorization: Bearer ...)");
        return;
    }
    if (!http_auth_may_write_any(r->office)) {
        http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EINVAL, "this token may not write feeds");
        return;
    }
    const char *ct = http_req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || (strncasecmp(ct, "application/json", 16) != 0 &&
                (is_retract || (strncasecmp(ct, "text/csv", 8) != 0 &&
                                strncasecmp(ct, HTTP_XLSX_TYPE, strlen(HTTP_XLSX_TYPE)) != 0)))) {
        http_req_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, PW_EINVAL,
                       is_retract ? "send Content-Type: application/json"
                                  : "send Content-Type: text/csv, application/json or " HTTP_XLSX_TYPE);
        return;
    }
    const char *cl = http_req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > (unsigned long long)h->max_body) {
        char why[160];
        snprintf(why, sizeof why, "the body is larger than %ld bytes: split the feed", h->max_body);
        http_req_error(r, MHD_HTTP_CONTENT_TOO_LARGE, PW_ETOOBIG, why);
    }
}

static void srv_route(struct http *h, struct http_req *r)
{
    const char *p = r->path;
    static const char hist_prefix[] = "/api/v1/indicators/";
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
        snprintf(r->method, sizeof r->method, "%s", method);
        r->next = h->live;
        if (h->live)
            h->live->prev = r;
        h->live = r;
        *con_cls = r;
        h->requests++;
        srv_precheck(h, r);
        /* a refusal is sent before any body is read */
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
    (void)conn;
    (void)toe;
    struct http *h = cls;
    struct http_req *r = *con_cls;
    if (!r)
        return;
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

static void srv_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[300];
    vsnprintf(buf, sizeof buf, fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    pw_warn("msg=\"libmicrohttpd\" what=\"%s\"", buf);
}

int http_server_start(struct http *h, const char *listen)
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
    h->mhd = MHD_start_daemon(MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, (uint16_t)port, NULL,
                              NULL, srv_access, h, MHD_OPTION_EXTERNAL_LOGGER, srv_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_NOTIFY_COMPLETED, srv_completed, h,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)200,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    if (!h->mhd) {
        pw_error("msg=\"cannot listen\" listen=%s", listen);
        return PW_EIO;
    }
    return 0;
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
}
