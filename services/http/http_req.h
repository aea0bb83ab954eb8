/* http_req.h - the request API of planwatch-http's handlers (http_req.c).
 * struct http_req's fields belong to http_req.c and the router
 * (http_server.c); handlers use the functions. */
#ifndef PW_HTTP_REQ_H
#define PW_HTTP_REQ_H

#include <microhttpd.h>
#include <stddef.h>

#include "session.h"

struct http;
struct http_conn;
struct http_office;
struct pw_indicator;

struct http_req {
    struct http *h;
    struct MHD_Connection *conn;
    char method[16];
    char *path;
    char *body;
    size_t len, cap;
    int too_big;
    const struct http_office *office; /* the token's office, or a signed-in member's */
    const struct pw_user *user;       /* signed in with a session cookie, or NULL */
    struct pw_session session;        /* that session (valid when user is set) */
    int csrf_checked;                 /* X-CSRF-Token carried this session's token */
    char csrf[PW_SESSION_CSRF_LEN + 1]; /* this session's CSRF token ("" without one) */
    int dispatched, suspended, done;
    unsigned status;
    char *resp;
    size_t resp_len;
    char ctype[128];
    char extra[1024]; /* header lines "Name: value", '\n' between */
    void *state;
    void (*free_state)(void *);
    struct http_conn *cs;   /* its connection's deadline (http_server.c), NULL: untracked */
    double t0;                       /* arrival (pw_metrics_now): latency metrics */
    struct http_req *prev, *next;
};

/* What a query parameter of a route must be (an empty value is left to the
 * handler: most read it as absent). */
enum http_param_kind {
    HTTP_PARAM_ONE_OF,   /* one of allowed: "csv, json" */
    HTTP_PARAM_BOOL,     /* pw_cfg_parse_bool's words */
    HTTP_PARAM_DATE,     /* YYYY-MM-DD */
    HTTP_PARAM_KNOWN_AT, /* pw_clock_parse_known_at ("+" sent unencoded arrives as " ") */
    HTTP_PARAM_FY,       /* pw_fy_parse */
};
struct http_param {
    const char *name; /* NULL ends a list */
    enum http_param_kind kind;
    const char *allowed; /* HTTP_PARAM_ONE_OF: the values, ", "-separated */
};

/* What a handler may read of its request. */
const char *http_req_arg(struct http_req *r, const char *name);      /* ?name=, or NULL */
const char *http_req_header(struct http_req *r, const char *name);   /* or NULL */
const char *http_req_path(const struct http_req *r);
const char *http_req_body(const struct http_req *r, size_t *len);
/* The office of the request's bearer token or signed-in member; a
 * signed-in user without office: the user's name; else NULL. */
const char *http_req_office(const struct http_req *r);
/* That office may write ind. */
int http_req_may_write(const struct http_req *r, const struct pw_indicator *ind);
/* Per-request state of its handler (freed with free_fn when the request is done). */
void http_req_set_state(struct http_req *r, void *state, void (*free_fn)(void *));
void *http_req_state(const struct http_req *r);

/* Sets the response (body copied; ctype e.g. "application/json"). May be
 * called while the request is suspended: it is resumed. extra_header:
 * "Name: value" (several separated by '\n', at most 1023 bytes) or NULL. */
void http_req_respond(struct http_req *r, unsigned status, const char *ctype, const char *body,
                      size_t len, const char *extra_header);
/* A JSON error body {"status":"ERROR","http_status":N,"code":"PW_E...","message":...}. */
void http_req_error(struct http_req *r, unsigned status, int code, const char *message);
/* The HTTP status for a planwatch error code a service answered with: the
 * caller's fault (4xx) or the system's (503, retry). */
unsigned http_status_of(int code);
/* Checks every query parameter of r: each name and value UTF-8 without
 * control characters (so %00 or %FF never reach a handler), and those named
 * in spec (may be NULL) of their kind. On the first bad one answers 400
 * PW_EINVAL naming the parameter and what it may be, and returns 1; else 0. */
int http_req_check_args(struct http_req *r, const struct http_param *spec);
/* The client prefers CSV (?format=csv, or Accept: text/csv), JSON otherwise. */
int http_req_wants_csv(struct http_req *r);

/* Queues the response set by http_req_respond on the connection (the
 * router, once the request is done). */
enum MHD_Result http_req_queue(struct http_req *r);

#endif
