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

#include "err.h"
#include "http_auth.h"
#include "log.h"
#include "users.h"


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
    if (code == PW_ENOTFOUND)
        return MHD_HTTP_NOT_FOUND;
    if (code == PW_EFEED_TOOMANY)
        return MHD_HTTP_CONTENT_TOO_LARGE;
    if (code == PW_EINVAL || code == PW_ETOOBIG || code == PW_ERANGE || code == PW_ESYNTAX || code == PW_EWIRE ||
        code == PW_EVERSION || (code <= PW_EFEED_ENCODING && code >= PW_EFEED_SCOPE))
        return MHD_HTTP_BAD_REQUEST;
    return MHD_HTTP_SERVICE_UNAVAILABLE;
}

void http_req_error(struct http_req *r, unsigned status, int code, const char *message)
{
    json_t *o = json_pack("{s:s, s:I, s:s, s:s}", "status", "ERROR", "http_status", (json_int_t)status,
                          "code", code ? pw_errname(code) : "", "message", message ? message : "");
    char *body = o ? json_dumps(o, JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    const char *extra = NULL;
    if (status == MHD_HTTP_UNAUTHORIZED)
        extra = "WWW-Authenticate: Bearer realm=\"planwatch\"";
    else if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        extra = "Retry-After: 5";
    char line[2048];
    int n = body ? snprintf(line, sizeof line, "%s\n", body) : 0;
    /* no body (message not UTF-8, or no memory) or too long: without the
     * message, which is the only part that can fail (docs/openapi.yaml, Error) */
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
