/* http_req.h - the request API of planwatch-http's handlers (http_req.c).
 * struct http_req's fields belong to http_req.c and the router
 * (http_server.c); handlers use the functions. */
#ifndef PW_HTTP_REQ_H
#define PW_HTTP_REQ_H

#include <microhttpd.h>
#include <stddef.h>

struct http;
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
    const struct http_office *office;
    int dispatched, suspended, done;
    unsigned status;
    char *resp;
    size_t resp_len;
    char ctype[128];
    char extra[256];
    void *state;
    void (*free_state)(void *);
    double t0;                       /* arrival (pw_metrics_now): latency metrics */
    struct http_req *prev, *next;
};

/* What a handler may read of its request. */
const char *http_req_arg(struct http_req *r, const char *name);      /* ?name=, or NULL */
const char *http_req_header(struct http_req *r, const char *name);   /* or NULL */
const char *http_req_path(const struct http_req *r);
const char *http_req_body(const struct http_req *r, size_t *len);
/* The office of the request's bearer token, or NULL (none / unknown). */
const char *http_req_office(const struct http_req *r);
/* That office may write ind. */
int http_req_may_write(const struct http_req *r, const struct pw_indicator *ind);
/* Per-request state of its handler (freed with free_fn when the request is done). */
void http_req_set_state(struct http_req *r, void *state, void (*free_fn)(void *));
void *http_req_state(const struct http_req *r);

/* Sets the response (body copied; ctype e.g. "application/json"). May be
 * called while the request is suspended: it is resumed. extra_header:
 * "Name: value" or NULL. */
void http_req_respond(struct http_req *r, unsigned status, const char *ctype, const char *body,
                      size_t len, const char *extra_header);
/* A JSON error body {"status":"ERROR","http_status":N,"code":"PW_E...","message":...}. */
void http_req_error(struct http_req *r, unsigned status, int code, const char *message);
/* The HTTP status for a planwatch error code a service answered with: the
 * caller's fault (4xx) or the system's (503, retry). */
unsigned http_status_of(int code);
/* The client prefers CSV (?format=csv, or Accept: text/csv), JSON otherwise. */
int http_req_wants_csv(struct http_req *r);

/* Queues the response set by http_req_respond on the connection (the
 * router, once the request is done). */
enum MHD_Result http_req_queue(struct http_req *r);

#endif
