/* test_metrics.c - the metrics registry (exact Prometheus text, grouping,
 * histogram buckets, registration errors) and the HTTP server driven by a
 * real reactor, as the services drive it: a real TCP client on
 * loopback gets the metrics, a 404 and a 405; bad and taken addresses are
 * refused with their codes; one address holds at most
 * PW_HTTPD_PER_ADDRESS_MAX connections, and a flood of refusals logs at
 * most 10 lines a minute. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "httpd.h"
#include "metrics.h"
#include "reactor.h"
#include "zsock.h"
#include "unit_support.h"

static char *render(struct pw_metrics *m)
{
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(pw_metrics_render(m, &buf, &len), 0);
    assert_int_equal(strlen(buf), len);
    return buf;
}

static void test_counter_gauge_text(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    assert_int_equal(pw_metrics_open(&m), 0);
    struct pw_metric *acc = pw_metrics_add(m, PW_METRIC_COUNTER, "pw_rows_total",
                                           "status=\"accepted\"", "Rows answered.");
    struct pw_metric *g = pw_metrics_add(m, PW_METRIC_GAUGE, "pw_depth", "", "Queue depth.");
    /* registered later, rendered with its name's group */
    struct pw_metric *rej = pw_metrics_add(m, PW_METRIC_COUNTER, "pw_rows_total",
                                           "status=\"rejected\"", "Rows answered.");
    assert_non_null(acc);
    assert_non_null(g);
    assert_non_null(rej);
    pw_metric_inc(acc, 3);
    pw_metric_inc(acc, 2);
    pw_metric_inc(rej, 1);
    pw_metric_set(g, 0.25);
    char *t = render(m);
    assert_string_equal(t, "# HELP pw_rows_total Rows answered.\n"
                           "# TYPE pw_rows_total counter\n"
                           "pw_rows_total{status=\"accepted\"} 5\n"
                           "pw_rows_total{status=\"rejected\"} 1\n"
                           "# HELP pw_depth Queue depth.\n"
                           "# TYPE pw_depth gauge\n"
                           "pw_depth 0.25\n");
    free(t);
    pw_metric_set(g, 1234567890);
    pw_metric_set(acc, 7); /* a counter mirrored from elsewhere */
    t = render(m);
    assert_non_null(strstr(t, "pw_depth 1234567890\n"));
    assert_non_null(strstr(t, "pw_rows_total{status=\"accepted\"} 7\n"));
    free(t);
    assert_int_equal(pw_metric_count(acc), 7);
    assert_int_equal(pw_metric_count(g), 1234567890);
    pw_metrics_close(&m);
    assert_null(m);
    pw_metrics_close(&m); /* NULL is fine */
}

static void test_histogram_text(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    assert_int_equal(pw_metrics_open(&m), 0);
    struct pw_metric *h =
        pw_metrics_add(m, PW_METRIC_HISTOGRAM, "pw_commit_seconds", "", "Commit time.");
    assert_non_null(h);
    pw_metric_observe(h, 0.0004); /* first bucket */
    pw_metric_observe(h, 0.003);  /* le=0.005 */
    pw_metric_observe(h, 0.005);  /* bounds are inclusive */
    pw_metric_observe(h, 60);     /* only +Inf */
    char *t = render(m);
    assert_non_null(strstr(t, "# TYPE pw_commit_seconds histogram\n"));
    assert_non_null(strstr(t, "pw_commit_seconds_bucket{le=\"0.0005\"} 1\n"));
    assert_non_null(strstr(t, "pw_commit_seconds_bucket{le=\"0.0025\"} 1\n"));
    assert_non_null(strstr(t, "pw_commit_seconds_bucket{le=\"0.005\"} 3\n"));
    assert_non_null(strstr(t, "pw_commit_seconds_bucket{le=\"10\"} 3\n"));
    assert_non_null(strstr(t, "pw_commit_seconds_bucket{le=\"+Inf\"} 4\n"));
    assert_non_null(strstr(t, "pw_commit_seconds_sum 60.008"));
    assert_non_null(strstr(t, "pw_commit_seconds_count 4\n"));
    assert_int_equal(pw_metric_count(h), 4);
    free(t);
    /* labels and le together */
    struct pw_metric *q = pw_metrics_add(m, PW_METRIC_HISTOGRAM, "pw_query_seconds",
                                         "kind=\"status\"", "Query time.");
    pw_metric_observe(q, 0.02);
    t = render(m);
    assert_non_null(strstr(t, "pw_query_seconds_bucket{kind=\"status\",le=\"0.025\"} 1\n"));
    assert_non_null(strstr(t, "pw_query_seconds_count{kind=\"status\"} 1\n"));
    free(t);
    pw_metrics_close(&m);
}

static void test_registration_errors(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    assert_int_equal(pw_metrics_open(&m), 0);
    assert_null(pw_metrics_add(m, PW_METRIC_COUNTER, "", "", "x"));
    assert_null(pw_metrics_add(m, PW_METRIC_COUNTER, "9lives", "", "x"));
    assert_null(pw_metrics_add(m, PW_METRIC_COUNTER, "has-dash", "", "x"));
    assert_null(pw_metrics_add(NULL, PW_METRIC_COUNTER, "ok", "", "x"));
    assert_non_null(pw_metrics_add(m, PW_METRIC_COUNTER, "ok_total", "", "x"));
    assert_null(pw_metrics_add(m, PW_METRIC_GAUGE, "ok_total", "a=\"b\"", "x")); /* type clash */
    /* NULL handles are no-ops */
    pw_metric_inc(NULL, 1);
    pw_metric_set(NULL, 1);
    pw_metric_observe(NULL, 1);
    assert_int_equal(pw_metric_count(NULL), 0);
    /* wrong-type updates do nothing */
    struct pw_metric *g = pw_metrics_add(m, PW_METRIC_GAUGE, "g", "", "x");
    pw_metric_inc(g, 5);
    pw_metric_observe(g, 5);
    assert_int_equal(pw_metric_count(g), 0);
    pw_metrics_close(&m);
}

static void test_tables_and_families(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    struct pw_metric *a = NULL, *b = NULL, *bad = (struct pw_metric *)&a, *fam[2];
    static const char *const vals[2] = {"ok", "failed"};
    assert_int_equal(pw_metrics_open(&m), 0);
    const struct pw_metric_def defs[] = {
        {&a, PW_METRIC_COUNTER, "a_total", NULL, "A."},
        {&b, PW_METRIC_GAUGE, "b", "x=\"1\"", "B."},
    };
    assert_int_equal(pw_metrics_add_table(m, "pw_", defs, 2), 0);
    assert_int_equal(pw_metrics_add_family(m, PW_METRIC_COUNTER, "pw_runs_total", "result", vals, 2,
                                           "Runs.", fam), 0);
    pw_metric_inc(a, 1);
    pw_metric_set(b, 2);
    pw_metric_inc(fam[1], 3);
    char *t = render(m);
    assert_non_null(strstr(t, "pw_a_total 1\n"));
    assert_non_null(strstr(t, "pw_b{x=\"1\"} 2\n"));
    assert_non_null(strstr(t, "pw_runs_total{result=\"ok\"} 0\npw_runs_total{result=\"failed\"} 3\n"));
    free(t);
    /* a row that cannot register is NULL, the others still are, and the call says so */
    const struct pw_metric_def worse[] = {{&bad, PW_METRIC_COUNTER, "no-dash", NULL, "x"},
                                          {&b, PW_METRIC_COUNTER, "c_total", NULL, "C."}};
    assert_int_equal(pw_metrics_add_table(m, "pw_", worse, 2), PW_ENOMEM);
    assert_null(bad);
    assert_non_null(b);
    pw_metrics_close(&m);
}

static int scrapes;
static void on_scrape(void *arg)
{
    scrapes++;
    pw_metric_set(arg, scrapes);
}

static void test_on_scrape(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    assert_int_equal(pw_metrics_open(&m), 0);
    struct pw_metric *g = pw_metrics_add(m, PW_METRIC_GAUGE, "pw_scrapes", "", "Scrapes.");
    pw_metrics_on_scrape(m, on_scrape, g);
    scrapes = 0;
    free(render(m));
    char *t = render(m);
    assert_non_null(strstr(t, "pw_scrapes 2\n"));
    free(t);
    pw_metrics_close(&m);
}

struct get_ctx {
    int fd;
    char *out;
    size_t len, cap;
};

static int get_read(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)id;
    (void)revents;
    struct get_ctx *g = arg;
    ssize_t n = read(g->fd, g->out + g->len, g->cap - g->len - 1);
    if (n <= 0)
        pw_reactor_stop(r); /* the server closed: the answer is whole */
    else
        g->len += (size_t)n;
    return 0;
}

static int get_deadline(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)id;
    (void)revents;
    (void)arg;
    pw_reactor_stop(r);
    return 0;
}

/* A TCP connection to h, connected (the kernel's backlog holds it until the
 * server's next turn accepts it). */
static int raw_connect(const struct pw_httpd *h)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)pw_httpd_port(h));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* One HTTP request to port, answered while the reactor drives the server
 * the way a service's does (the client socket is one more fd of it). */
static char *http_get(struct pw_reactor *r, struct pw_httpd *h, const char *request)
{
    int fd = raw_connect(h);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    struct get_ctx g = {fd, calloc(1, 65536), 0, 65536};
    int rid, tid;
    assert_int_equal(pw_reactor_fd(r, fd, ZMQ_POLLIN, get_read, &g, &rid), 0);
    assert_int_equal(pw_reactor_timer(r, 10000, 0, get_deadline, NULL, &tid), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    pw_reactor_remove(r, rid);
    pw_reactor_remove(r, tid);
    close(fd);
    g.out[g.len] = '\0';
    return g.out;
}

static void test_http_in_poll_loop(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    struct pw_httpd *h = NULL;
    struct pw_reactor *loop = NULL;
    assert_int_equal(pw_metrics_open(&m), 0);
    assert_int_equal(pw_reactor_open(&loop), 0);
    struct pw_metric *c = pw_metrics_add(m, PW_METRIC_COUNTER, "pw_updates_total", "", "Updates.");
    pw_metric_inc(c, 42);
    assert_int_equal(pw_httpd_open(&h, loop, "127.0.0.1:0", pw_metrics_http, m), 0);
    assert_true(pw_httpd_port(h) > 0);

    char *r = http_get(loop, h, "GET /metrics HTTP/1.0\r\n\r\n");
    assert_non_null(strstr(r, "HTTP/1.1 200 OK"));
    assert_non_null(strstr(r, "text/plain; version=0.0.4"));
    assert_non_null(strstr(r, "\r\n\r\n# HELP pw_updates_total Updates.\n"));
    assert_non_null(strstr(r, "pw_updates_total 42\n"));
    free(r);
    r = http_get(loop, h, "GET /other HTTP/1.0\r\n\r\n");
    assert_non_null(strstr(r, " 404 "));
    free(r);
    r = http_get(loop, h, "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
    assert_non_null(strstr(r, " 405 "));
    free(r);
    r = http_get(loop, h, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(r, "HTTP/1.1 200"));
    free(r);

    /* the port is taken now */
    char addr[32];
    struct pw_httpd *h2 = NULL;
    snprintf(addr, sizeof addr, "127.0.0.1:%d", pw_httpd_port(h));
    assert_int_equal(pw_httpd_open(&h2, loop, addr, pw_metrics_http, m), PW_EIO);
    assert_null(h2);
    pw_httpd_close(&h);
    assert_null(h);
    pw_reactor_close(&loop);
    pw_metrics_close(&m);
}


#define FLOOD 15

static struct pw_reactor *flood_loop;
static struct pw_httpd *flood_h;
static int flood_refused;

/* FLOOD more requests from the address that holds its limit. */
static void flood(void)
{
    flood_refused = 0;
    for (int i = 0; i < FLOOD; i++) {
        char *r = http_get(flood_loop, flood_h, "GET /metrics HTTP/1.0\r\n\r\n");
        flood_refused += r[0] == '\0'; /* closed without a word */
        free(r);
    }
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p++)
        n++;
    return n;
}

/* PW_HTTPD_PER_ADDRESS_MAX connections from one address are held; the
 * next is closed unanswered, and so is every one of a flood, with at most
 * 10 log lines; once the held ones close, the address is served again. */
static void test_http_per_address(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    assert_int_equal(pw_metrics_open(&m), 0);
    assert_int_equal(pw_reactor_open(&flood_loop), 0);
    assert_int_equal(pw_httpd_open(&flood_h, flood_loop, "127.0.0.1:0", pw_metrics_http, m), 0);
    int held[PW_HTTPD_PER_ADDRESS_MAX];
    for (int i = 0; i < PW_HTTPD_PER_ADDRESS_MAX; i++)
        held[i] = raw_connect(flood_h);
    char *out = ut_capture_stderr(flood);
    assert_int_equal(flood_refused, FLOOD);
    assert_true(count_of(out, "msg=\"connection refused\"") >= 1);
    if (count_of(out, "level=") > 10)
        fail_msg("more than 10 lines in a minute:\n%s", out);
    free(out);
    for (int i = 0; i < PW_HTTPD_PER_ADDRESS_MAX; i++)
        close(held[i]);
    /* served again once the server has seen the closes */
    int served = 0;
    for (int i = 0; i < 50 && !served; i++) {
        char *r = http_get(flood_loop, flood_h, "GET /metrics HTTP/1.0\r\n\r\n");
        served = strstr(r, "HTTP/1.1 200") != NULL;
        free(r);
    }
    assert_true(served);
    pw_httpd_close(&flood_h);
    pw_reactor_close(&flood_loop);
    pw_metrics_close(&m);
}

static void test_http_bad_addresses(void **state)
{
    (void)state;
    struct pw_httpd *h = NULL;
    struct pw_reactor *loop = NULL;
    assert_int_equal(pw_reactor_open(&loop), 0);
    static const char *bad[] = {"", "9100", "localhost:9100", "1.2.3.4:", "1.2.3.4:70000",
                                "1.2.3.4:-1", "1.2.3.4:9x", "::1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pw_httpd_open(&h, loop, bad[i], pw_metrics_http, NULL), PW_EINVAL);
    assert_int_equal(pw_httpd_open(&h, loop, NULL, pw_metrics_http, NULL), PW_EINVAL);
    assert_int_equal(pw_httpd_open(&h, NULL, ":0", pw_metrics_http, NULL), PW_EINVAL);
    assert_null(h);
    assert_int_equal(pw_httpd_attach(loop, NULL, 1, NULL), PW_EINVAL);
    /* the calls a service with metrics off makes accept the NULL server */
    assert_int_equal(pw_httpd_port(NULL), 0);
    pw_httpd_close(&h);
    /* ":PORT" and "*:PORT" mean every interface */
    assert_int_equal(pw_httpd_open(&h, loop, ":0", pw_metrics_http, NULL), 0);
    pw_httpd_close(&h);
    assert_int_equal(pw_httpd_open(&h, loop, "*:0", pw_metrics_http, NULL), 0);
    pw_httpd_close(&h);
    pw_reactor_close(&loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_gauge_text), cmocka_unit_test(test_histogram_text),
        cmocka_unit_test(test_registration_errors), cmocka_unit_test(test_on_scrape),
        cmocka_unit_test(test_tables_and_families),
        cmocka_unit_test(test_http_in_poll_loop),   cmocka_unit_test(test_http_bad_addresses),
        cmocka_unit_test(test_http_per_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
