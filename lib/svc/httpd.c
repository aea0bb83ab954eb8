/* httpd.c - libmicrohttpd in the service's reactor (see httpd.h).
 *
 * MHD is started without MHD_USE_INTERNAL_POLLING_THREAD: it never blocks
 * and never runs on its own. pw_httpd_attach is a reactor hook: its sockets
 * come out of MHD_get_fdset2 as fd_sets and go into the poll as fd items,
 * MHD's own timer bounds the wait, and MHD_run (a zero-timeout pass over
 * its sockets) does the work after every poll. A connection limit
 * bounds the number of sockets, a per-address one keeps a single client
 * from taking them all; idle connections are closed after 10 s. MHD's
 * messages (nearly all about one client: a refused connection, a
 * malformed request) go to the service log, at most HTTP_LOG_PER_MIN
 * lines a minute (ratelog.h). MHD sets SO_REUSEADDR itself (a
 * restarted service rebinds at once); SO_REUSEPORT is never set, so a taken
 * port is an error. */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "err.h"
#include "log.h"
#include "ratelog.h"
#include "reactor.h"
#include "zsock.h"

#define HTTP_IDLE_S 10
/* Log lines a minute that anyone reaching the port can cause. */
#define HTTP_LOG_PER_MIN 10

struct pw_httpd {
    struct MHD_Daemon *d;
    pw_httpd_handler handler;
    void *arg;
    int port;
    struct pw_reactor *r;
    int hook;       /* its reactor hook (http_hook_prepare) */
    struct pw_ratelog log;
};

static void http_log(void *cls, const char *fmt, va_list ap)
{
    struct pw_httpd *h = cls;
    if (!pw_ratelog_allow(&h->log, pw_now_ms()))
        return;
    char buf[300];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    /* what MHD says when the per-address or the overall limit is reached */
    if (strstr(buf, "connection limit"))
        pw_warn("msg=\"connection refused\" reason=\"connection limit reached: %d from one "
                "address or %d in all\"", PW_HTTPD_PER_ADDRESS_MAX, PW_HTTPD_CONN_MAX);
    else
        pw_warn("msg=\"http\" detail=\"%s\"", pw_log_safe(buf));
}

static enum MHD_Result http_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version,
                                   const char *upload_data, size_t *upload_data_size,
                                   void **con_cls)
{
    struct pw_httpd *h = cls;
    static int first;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) { /* headers only so far: answer once the request is whole */
        *con_cls = &first;
        return MHD_YES;
    }
    if (*upload_data_size) { /* a body is not expected: read and ignore it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct pw_httpd_reply r = {500, "text/plain; charset=utf-8", NULL, 0};
    int rc = h->handler(h->arg, method, url, &r);
    if (rc) {
        free(r.body);
        r.status = 500;
        r.content_type = "text/plain; charset=utf-8";
        r.body = strdup("internal error\n");
        r.len = r.body ? strlen(r.body) : 0;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r.len, r.body ? r.body : (void *)"",
                                        r.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type);
    enum MHD_Result q = MHD_queue_response(conn, r.status, resp);
    MHD_destroy_response(resp);
    return q;
}

static int http_hook_prepare(void *arg, zmq_pollitem_t *items, int max, long *timeout_ms);
static int http_hook_dispatch(void *arg, const zmq_pollitem_t *items, int n);

/* "HOST:PORT", "*:PORT", ":PORT" -> sockaddr. Returns 0 or PW_EINVAL. */
static int http_parse_addr(const char *addr, struct sockaddr_in *sa)
{
    const char *colon = addr ? strrchr(addr, ':') : NULL;
    char host[64];
    if (!colon || (size_t)(colon - addr) >= sizeof host)
        return PW_EINVAL;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
        return PW_EINVAL;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!host[0] || !strcmp(host, "*"))
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return PW_EINVAL;
    return 0;
}

int pw_httpd_open(struct pw_httpd **out, struct pw_reactor *r, const char *addr,
                  pw_httpd_handler handler, void *arg)
{
    struct sockaddr_in sa;
    if (!r)
        return PW_EINVAL;
    if (http_parse_addr(addr, &sa)) {
        pw_error("msg=\"not an HTTP listen address (HOST:PORT, *:PORT or :PORT)\" addr=\"%s\"",
                 addr ? addr : "");
        return PW_EINVAL;
    }
    struct pw_httpd *h = calloc(1, sizeof *h);
    if (!h)
        return PW_ENOMEM;
    h->handler = handler;
    h->arg = arg;
    h->r = r;
    pw_ratelog_init(&h->log, "HTTP messages", HTTP_LOG_PER_MIN);
    h->d = MHD_start_daemon(MHD_USE_ERROR_LOG, 0, NULL, NULL, http_answer, h,
                            MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)PW_HTTPD_CONN_MAX,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PW_HTTPD_PER_ADDRESS_MAX,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_S, MHD_OPTION_END);
    if (!h->d) {
        pw_error("msg=\"cannot listen for HTTP\" addr=\"%s\" err=\"%s\"", addr, strerror(errno));
        free(h);
        return PW_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : ntohs(sa.sin_port);
    int rc = pw_reactor_hook(r, PW_HTTPD_CONN_MAX + 2, http_hook_prepare, http_hook_dispatch, h,
                             &h->hook);
    if (rc) {
        MHD_stop_daemon(h->d);
        free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void pw_httpd_close(struct pw_httpd **hp)
{
    if (!hp || !*hp)
        return;
    pw_reactor_remove((*hp)->r, (*hp)->hook);
    MHD_stop_daemon((*hp)->d);
    pw_ratelog_flush(&(*hp)->log, pw_now_ms() + 60000); /* what the last minute left out */
    free(*hp);
    *hp = NULL;
}

int pw_httpd_port(const struct pw_httpd *h)
{
    return h ? h->port : 0;
}

static int http_prepare(void *arg, zmq_pollitem_t *items, int max, long *timeout_ms)
{
    struct MHD_Daemon *d = arg;
    fd_set rs, ws, es;
    MHD_socket maxfd = 0;
    int n = 0;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_ZERO(&es);
    if (MHD_get_fdset2(d, &rs, &ws, &es, &maxfd, FD_SETSIZE) == MHD_YES)
        for (int fd = 0; fd <= maxfd && n < max; fd++) {
            short ev = (short)((FD_ISSET(fd, &rs) ? ZMQ_POLLIN : 0) |
                               (FD_ISSET(fd, &ws) ? ZMQ_POLLOUT : 0) |
                               (FD_ISSET(fd, &es) ? ZMQ_POLLERR : 0));
            if (ev)
                items[n++] = (zmq_pollitem_t){NULL, fd, ev, 0};
        }
    MHD_UNSIGNED_LONG_LONG to;
    if (MHD_get_timeout(d, &to) == MHD_YES && to < (MHD_UNSIGNED_LONG_LONG)*timeout_ms)
        *timeout_ms = (long)to;
    return n;
}

/* Every turn, ready or not: a connection resumed by a callback of this turn
 * (an upstream answer) is only served by a pass of MHD_run, and with
 * nothing to do MHD_run is one zero-timeout select. */
static int http_dispatch(void *arg, const zmq_pollitem_t *items, int n)
{
    (void)items, (void)n;
    MHD_run(arg);
    return 0;
}

int pw_httpd_attach(struct pw_reactor *r, struct MHD_Daemon *d, int max_sockets, int *id)
{
    if (!r || !d || max_sockets < 1)
        return PW_EINVAL;
    return pw_reactor_hook(r, max_sockets, http_prepare, http_dispatch, d, id);
}

/* pw_httpd_open's own hook: MHD's, and a wake-up for the line that says
 * how many of a minute's messages were not logged. */
static int http_hook_prepare(void *arg, zmq_pollitem_t *items, int max, long *timeout_ms)
{
    struct pw_httpd *h = arg;
    int n = http_prepare(h->d, items, max, timeout_ms);
    int64_t now = pw_now_ms(), due = pw_ratelog_flush(&h->log, now);
    if (due != INT64_MAX) {
        long left = due > now ? (long)(due - now) : 0;
        if (*timeout_ms < 0 || left < *timeout_ms)
            *timeout_ms = left;
    }
    return n;
}

static int http_hook_dispatch(void *arg, const zmq_pollitem_t *items, int n)
{
    struct pw_httpd *h = arg;
    return http_dispatch(h->d, items, n);
}
