/* httpd.h - a small HTTP server (libmicrohttpd) run by a service's
 * reactor (reactor.h): no thread of its own. MHD is started in "external
 * select" mode and added to the reactor by pw_httpd_attach, the one bridge
 * between MHD and the reactor (planwatch-http's own daemon uses it too).
 * Every request is answered synchronously by one handler callback (a
 * Prometheus scrape, a health probe): nothing that blocks.
 *
 * pw_httpd_close and pw_httpd_port accept a NULL server (the feature is
 * off). Not thread-safe. */
#ifndef PW_HTTPD_H
#define PW_HTTPD_H

#include <stddef.h>

/* At most this many connections at once (so that the poll is bounded),
 * and this many from one address (a scraper holds one; a client opening
 * more cannot take every slot from the others). More are refused (closed
 * at once, logged at most 10 lines a minute). */
#define PW_HTTPD_CONN_MAX 16
#define PW_HTTPD_PER_ADDRESS_MAX 4

struct MHD_Daemon;
struct pw_reactor;

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
 * which), and serves from reactor r (borrowed: close the server before the
 * reactor). handler and arg are borrowed for the server's life. Returns 0
 * and *out (caller closes), PW_EINVAL (addr is not of that form, no r),
 * PW_EIO (cannot listen, e.g. the port is taken; logged) or PW_ENOMEM. */
int pw_httpd_open(struct pw_httpd **out, struct pw_reactor *r, const char *addr,
                  pw_httpd_handler handler, void *arg);

/* Leaves the reactor, stops listening, closes every connection and frees;
 * accepts NULL, nulls *h. */
void pw_httpd_close(struct pw_httpd **h);

/* The port listened on (0 for NULL). */
int pw_httpd_port(const struct pw_httpd *h);

/* Adds MHD daemon d (started without MHD_USE_INTERNAL_POLLING_THREAD) to
 * reactor r: before every poll its sockets (at most max_sockets of them:
 * its connection limit, plus its listening socket and its wake-up fd) join
 * the poll and its next timeout bounds the wait; after every poll MHD_run
 * does its work (so a connection resumed by a callback of that turn is
 * served in that turn). d is borrowed: remove *id
 * (pw_reactor_remove) before stopping d. Returns 0 and *id, PW_EINVAL (no
 * r or d, max_sockets < 1) or PW_ENOMEM. */
int pw_httpd_attach(struct pw_reactor *r, struct MHD_Daemon *d, int max_sockets, int *id);

#endif
