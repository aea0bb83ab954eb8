/* httpd.h - a small HTTP server (libmicrohttpd) run inside a service's own
 * zmq_poll loop: no thread of its own. MHD is started in "external select"
 * mode; pw_httpd_poll_items lends its sockets to the caller's zmq_pollitem_t
 * array (as .fd items) and shortens the poll timeout to MHD's next timer,
 * and pw_httpd_poll_run lets MHD do its work once the poll returns. Every
 * request is answered synchronously by one handler callback (a Prometheus
 * scrape, a health probe): nothing that blocks.
 *
 * Every function accepts a NULL server (the feature is off) and does
 * nothing, so a service needs no "if enabled" around its loop. Not
 * thread-safe. */
#ifndef PW_HTTPD_H
#define PW_HTTPD_H

#include <stddef.h>
#include <zmq.h>

/* At most this many connections at once (so that the poll array is
 * bounded): one listening socket plus PW_HTTPD_CONN_MAX items. */
#define PW_HTTPD_CONN_MAX 16
#define PW_HTTPD_POLL_MAX (PW_HTTPD_CONN_MAX + 1)

/* What a handler answers. body is malloc'd by the handler, or NULL for
 * none; the server takes ownership of it whatever the handler returns. */
struct pw_httpd_reply {
    unsigned status;          /* e.g. 200, 404 */
    const char *content_type; /* static string */
    char *body;
    size_t len;
};

/* Answers one request: method ("GET", ...) and url (path, no query) are
 * valid during the call. Fills r and returns 0, or returns a PW_E* code and
 * the server answers 500 (the handler still may have set r->body: it is
 * freed). */
typedef int (*pw_httpd_handler)(void *arg, const char *method, const char *url,
                               struct pw_httpd_reply *r);

struct pw_httpd;

/* Listens on addr, "HOST:PORT" with HOST an IPv4 address, "*" or "" for
 * every interface (":9100"); PORT 0 picks a free port (pw_httpd_port tells
 * which). handler and arg are borrowed for the server's life. Returns 0
 * and *out (caller closes), PW_EINVAL (addr is not of that form) or PW_EIO
 * (cannot listen, e.g. the port is taken; logged). */
int pw_httpd_open(struct pw_httpd **out, const char *addr, pw_httpd_handler handler, void *arg);

/* Stops listening, closes every connection and frees; accepts NULL, nulls *h. */
void pw_httpd_close(struct pw_httpd **h);

/* The port listened on (0 for NULL). */
int pw_httpd_port(const struct pw_httpd *h);

/* Writes up to max poll items (sockets MHD waits on, with the events it
 * wants) to items and lowers *timeout_ms (if >= 0, else sets it) to MHD's
 * next timer. Returns the number of items written (0 for NULL). */
int pw_httpd_poll_items(struct pw_httpd *h, zmq_pollitem_t *items, int max, long *timeout_ms);

/* After zmq_poll: lets MHD accept, read, answer and time out connections
 * when any of items[0..n) is ready or its timer is due. */
void pw_httpd_poll_run(struct pw_httpd *h, const zmq_pollitem_t *items, int n);

#endif
