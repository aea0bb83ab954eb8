/* http_req.c - one HTTP request as the handlers see it: its arguments,
 * headers, body and office, the handler's state, and the response, which
 * may be set long after the request arrived (a suspended request is
 * resumed). The router (http_server.c) and the handlers (http_read.c,
 * http_feed.c, http_dashboard.c, http_openapi.c) both depend on this
 * module and on nothing of each other's. */
#include "http_req.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "clock.h"
#include "err.h"
#include "fy.h"
#include "http_auth.h"
#include "log.h"
#include "users.h"
#include "text.h"


const char *http_req_arg(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_req_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_req_path(const struct http_req *r)
{
    return r->path;
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
    *len = r->len;
    return r->body ? r->body : "";
}

const char *http_req_office(const struct http_req *r)
{
    /* a signed-in user without an office (secretariat, viewer) is
     * recorded under its own name */
    if (!r->office && r->user)
        return r->user->name;
    return r->office ? http_auth_name(r->office) : NULL;
}

int http_req_may_write(const struct http_req *r, const struct pw_indicator *ind)
{
    return http_auth_may_write(r->office, ind);
}


void http_req_set_state(struct http_req *r, void *state, void (*free_fn)(void *))
{
    r->state = state;
    r->free_state = free_fn;
}

void *http_req_state(const struct http_req *r)
{
    return r->state;
}

struct req_check {
    const struct http_param *spec;
    char why[300];
};

/* Text a query may carry: UTF-8, and no control character at all (unlike
 * a note, a parameter has no business holding a tab or a line break). */
static int req_clean(const char *s, size_t n)
{
    if (!s)
        return 1;
    if (!pw_text_clean(s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return 0;
    return 1;
}

/* Whether v is one of list "a, b, c". */
static int req_one_of(const char *list, const char *v)
{
    size_t vl = strlen(v);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == vl && strncmp(p, v, n) == 0)
            return 1;
        p += n;
        p += strspn(p, ", ");
    }
    return 0;
}

/* Why v is not a value of param p, or NULL when it is. */
static const char *req_bad_value(const struct http_param *p, const char *v, char *buf, size_t n)
{
    int32_t day;
    int64_t ns;
    int fy, b;
    char k[64];
    switch (p->kind) {
    case HTTP_PARAM_ONE_OF:
        if (req_one_of(p->allowed, v))
            return NULL;
        snprintf(buf, n, "%s must be one of: %s", p->name, p->allowed);
        return buf;
    case HTTP_PARAM_BOOL:
        if (!pw_cfg_parse_bool(v, &b))
            return NULL;
        snprintf(buf, n, "%s must be true or false", p->name);
        return buf;
    case HTTP_PARAM_DATE:
        if (!pw_day_parse(v, &day))
            return NULL;
        snprintf(buf, n, "%s must be a date YYYY-MM-DD", p->name);
        return buf;
    case HTTP_PARAM_KNOWN_AT:
        if (strlen(v) < sizeof k) {
            snprintf(k, sizeof k, "%s", v);
            for (char *q = strchr(k, ' '); q; q = strchr(q, ' '))
                *q = '+';
            if (!pw_clock_parse_known_at(k, &ns) && ns > 0)
                return NULL;
        }
        snprintf(buf, n, "%s must be an instant YYYY-MM-DDTHH:MM:SS+09:00 (or Z) or a date "
                 "YYYY-MM-DD", p->name);
        return buf;
    case HTTP_PARAM_FY:
        if (!pw_fy_parse(v, &fy))
            return NULL;
        snprintf(buf, n, "%s must be a fiscal year (2025, FY2025, 令和7, R7)", p->name);
        return buf;
    }
    return NULL;
}

static enum MHD_Result req_check_one(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct req_check *c = cls;
    char buf[240];
    const char *why;
    if (!req_clean(key, key_size)) {
        snprintf(c->why, sizeof c->why,
                 "a query parameter's name is not UTF-8 text or holds a control character");
        return MHD_NO;
    }
    if (!req_clean(value, value_size)) {
        /* the name is clean text; a long one is not repeated */
        if (key_size <= 64)
            snprintf(c->why, sizeof c->why,
                     "query parameter %s is not UTF-8 text or holds a control character (e.g. %%00)",
                     key);
        else
            snprintf(c->why, sizeof c->why,
                     "a query parameter's value is not UTF-8 text or holds a control character");
        return MHD_NO;
    }
    if (!value || !value_size)
        return MHD_YES;
    for (const struct http_param *p = c->spec; p && p->name; p++)
        if (strcmp(p->name, key) == 0 && (why = req_bad_value(p, value, buf, sizeof buf))) {
            snprintf(c->why, sizeof c->why, "%s", why);
            return MHD_NO;
        }
    return MHD_YES;
}

int http_req_check_args(struct http_req *r, const struct http_param *spec)
{
    struct req_check c = {spec, ""};
    MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, req_check_one, &c);
    if (!c.why[0])
        return 0;
    http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, c.why);
    return 1;
}

int http_req_wants_csv(struct http_req *r)
{
    const char *f = http_req_arg(r, "format");
    if (f)
        return strcmp(f, "csv") == 0;
    const char *acc = http_req_header(r, MHD_HTTP_HEADER_ACCEPT);
    return acc && strstr(acc, "text/csv") != NULL;
}

void http_req_respond(struct http_req *r, unsigned status, const char *ctype, const char *body,
                      size_t len, const char *extra_header)
{
    if (r->done)
        return;
    free(r->resp);
    r->resp = malloc(len ? len : 1);
    if (r->resp) {
        memcpy(r->resp, body, len);
        r->resp_len = len;
        r->status = status;
        snprintf(r->ctype, sizeof r->ctype, "%s", ctype);
    } else { /* nothing sensible to say: an empty 503 */
        r->resp_len = 0;
        r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
        snprintf(r->ctype, sizeof r->ctype, "text/plain");
    }
    snprintf(r->extra, sizeof r->extra, "%s", extra_header ? extra_header : "");
    r->done = 1;
    if (r->suspended) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
    }
}

unsigned http_status_of(int code)
{
    if (code == PW_EDENIED || code == PW_EFORBIDDEN || code == PW_EFEED_SCOPE)
        return MHD_HTTP_FORBIDDEN;
    if (code == PW_EUNAUTHORIZED)
        return MHD_HTTP_UNAUTHORIZED;
    if (code == PW_ENOTFOUND)
        return MHD_HTTP_NOT_FOUND;
    if (code == PW_EFEED_TOOMANY)
        return MHD_HTTP_CONTENT_TOO_LARGE;
    if (code == PW_EINVAL || code == PW_ETOOBIG || code == PW_ERANGE || code == PW_ESYNTAX || code == PW_EWIRE ||
        code == PW_EVERSION || (code <= PW_EFEED_ENCODING && code >= PW_EFEED_SCOPE))
        return MHD_HTTP_BAD_REQUEST;
    return MHD_HTTP_SERVICE_UNAVAILABLE;
}

/* message as JSON can carry it: a byte that starts no valid UTF-8 sequence
 * (a handler quoting 64 bytes of a value may cut a character) becomes '?',
 * and at most n - 1 bytes are kept, never half a character. */
static void req_message(char *out, size_t n, const char *message)
{
    size_t len = strlen(message), k = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)message[i];
        size_t w = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (w > len - i || !pw_text_utf8(message + i, w))
            w = 0; /* not a character: one byte, replaced */
        if (k + (w ? w : 1) >= n)
            break;
        if (w)
            memcpy(out + k, message + i, w);
        else
            out[k] = '?';
        k += w ? w : 1;
        i += w ? w : 1;
    }
    out[k] = '\0';
}

void http_req_error(struct http_req *r, unsigned status, int code, const char *message)
{
    char msg[1024];
    req_message(msg, sizeof msg, message ? message : "");
    json_t *o = json_pack("{s:s, s:I, s:s, s:s}", "status", "ERROR", "http_status", (json_int_t)status,
                          "code", code ? pw_errname(code) : "", "message", msg);
    char *body = o ? json_dumps(o, JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    const char *extra = NULL;
    if (status == MHD_HTTP_UNAUTHORIZED)
        extra = "WWW-Authenticate: Bearer realm=\"planwatch\"";
    else if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        extra = "Retry-After: 5";
    char line[2048];
    int n = body ? snprintf(line, sizeof line, "%s\n", body) : 0;
    /* no body (no memory) or too long (a message of control characters,
     * each \\u00XX): without the message (docs/openapi.yaml, Error) */
    if (!body || n >= (int)sizeof line)
        n = snprintf(line, sizeof line,
                     "{\"status\": \"ERROR\", \"http_status\": %u, \"code\": \"%s\"}\n", status,
                     code ? pw_errname(code) : "");
    http_req_respond(r, status, "application/json", line, (size_t)n, extra);
    free(body);
}

enum MHD_Result http_req_queue(struct http_req *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* the extra header lines (Set-Cookie beside Location, ...) */
    for (const char *line = r->extra; *line;) {
        char name[64];
        size_t ll = strcspn(line, "\n");
        const char *colon = memchr(line, ':', ll);
        size_t nl = colon ? (size_t)(colon - line) : 0;
        if (colon && nl < sizeof name) {
            char value[sizeof r->extra];
            const char *v = colon + 1 + strspn(colon + 1, " ");
            size_t vl = ll - (size_t)(v - line);
            memcpy(name, line, nl);
            name[nl] = '\0';
            memcpy(value, v, vl);
            value[vl] = '\0';
            MHD_add_response_header(resp, name, value);
        }
        line += ll + (line[ll] == '\n');
    }
    enum MHD_Result ok = MHD_queue_response(r->conn, r->status, resp);
    MHD_destroy_response(resp);
    pw_debug("msg=\"answered\" method=%s path=%s status=%u bytes=%zu", r->method, r->path,
             r->status, r->resp_len);
    return ok;
}
