/* test_metrics.c - the metrics registry (exact Prometheus text, grouping,
 * histogram buckets, registration errors) and the HTTP server driven by a
 * real zmq_poll loop, as the services drive it: a real TCP client on
 * loopback gets the metrics, a 404 and a 405; bad and taken addresses are
 * refused with their codes. */
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
#include "zsock.h"

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

/* One HTTP request to port, answered while this loop drives the server the
 * way a service does (its items plus the client socket in one zmq_poll). */
static char *http_get(struct pw_httpd *h, const char *request)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)pw_httpd_port(h));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    size_t len = 0, cap = 65536;
    char *out = calloc(1, cap);
    int64_t end = pw_now_ms() + 10000;
    for (int done = 0; !done && pw_now_ms() < end;) {
        zmq_pollitem_t items[PW_HTTPD_POLL_MAX + 1];
        long wait = 1000;
        int n = pw_httpd_poll_items(h, items, PW_HTTPD_POLL_MAX, &wait);
        items[n] = (zmq_pollitem_t){NULL, fd, ZMQ_POLLIN, 0};
        assert_true(zmq_poll(items, n + 1, wait) >= 0);
        pw_httpd_poll_run(h, items, n);
        if (items[n].revents & ZMQ_POLLIN) {
            ssize_t r = read(fd, out + len, cap - len - 1);
            if (r <= 0)
                done = 1;
            else
                len += (size_t)r;
        }
    }
    close(fd);
    out[len] = '\0';
    return out;
}

static void test_http_in_poll_loop(void **state)
{
    (void)state;
    struct pw_metrics *m = NULL;
    struct pw_httpd *h = NULL;
    assert_int_equal(pw_metrics_open(&m), 0);
    struct pw_metric *c = pw_metrics_add(m, PW_METRIC_COUNTER, "pw_updates_total", "", "Updates.");
    pw_metric_inc(c, 42);
    assert_int_equal(pw_httpd_open(&h, "127.0.0.1:0", pw_metrics_http, m), 0);
    assert_true(pw_httpd_port(h) > 0);

    char *r = http_get(h, "GET /metrics HTTP/1.0\r\n\r\n");
    assert_non_null(strstr(r, "HTTP/1.1 200 OK"));
    assert_non_null(strstr(r, "text/plain; version=0.0.4"));
    assert_non_null(strstr(r, "\r\n\r\n# HELP pw_updates_total Updates.\n"));
    assert_non_null(strstr(r, "pw_updates_total 42\n"));
    free(r);
    r = http_get(h, "GET /other HTTP/1.0\r\n\r\n");
    assert_non_null(strstr(r, " 404 "));
    free(r);
    r = http_get(h, "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
    assert_non_null(strstr(r, " 405 "));
    free(r);
    r = http_get(h, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(r, "HTTP/1.1 200"));
    free(r);

    /* the port is taken now */
    char addr[32];
    struct pw_httpd *h2 = NULL;
    snprintf(addr, sizeof addr, "127.0.0.1:%d", pw_httpd_port(h));
    assert_int_equal(pw_httpd_open(&h2, addr, pw_metrics_http, m), PW_EIO);
    assert_null(h2);
    pw_httpd_close(&h);
    assert_null(h);
    pw_metrics_close(&m);
}

static void test_http_bad_addresses(void **state)
{
    (void)state;
    struct pw_httpd *h = NULL;
    static const char *bad[] = {"", "9100", "localhost:9100", "1.2.3.4:", "1.2.3.4:70000",
                                "1.2.3.4:-1", "1.2.3.4:9x", "::1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pw_httpd_open(&h, bad[i], pw_metrics_http, NULL), PW_EINVAL);
    assert_int_equal(pw_httpd_open(&h, NULL, pw_metrics_http, NULL), PW_EINVAL);
    assert_null(h);
    /* every call accepts the NULL server of a service with metrics off */
    zmq_pollitem_t it[1];
    long wait = 5;
    assert_int_equal(pw_httpd_poll_items(NULL, it, 1, &wait), 0);
    assert_int_equal(wait, 5);
    pw_httpd_poll_run(NULL, it, 0);
    assert_int_equal(pw_httpd_port(NULL), 0);
    pw_httpd_close(&h);
    /* ":PORT" and "*:PORT" mean every interface */
    assert_int_equal(pw_httpd_open(&h, ":0", pw_metrics_http, NULL), 0);
    pw_httpd_close(&h);
    assert_int_equal(pw_httpd_open(&h, "*:0", pw_metrics_http, NULL), 0);
    pw_httpd_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_gauge_text), cmocka_unit_test(test_histogram_text),
        cmocka_unit_test(test_registration_errors), cmocka_unit_test(test_on_scrape),
        cmocka_unit_test(test_tables_and_families),
        cmocka_unit_test(test_http_in_poll_loop),   cmocka_unit_test(test_http_bad_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
