/* test_http_metrics.c - planwatch-http serves Prometheus metrics on
 * --metrics like every service: its build (planwatch_build_info), requests
 * counted by route pattern and HTTP status (a probe of a path that does not
 * exist counts under route "other", never under its own path), their
 * latency by route, and whether the store answers and its catalog is loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "service.h"

static int get(int port, const char *path)
{
    int status = 0;
    char *body = hs_scrape(port, path, &status);
    assert_non_null(body);
    free(body);
    return status;
}

static void test_http_metrics(void **state)
{
    (void)state;
    struct hs_cluster c;
    memset(&c, 0, sizeof c);
    hs_init(&c, "httpmetrics", "2026-03-31");
    hs_start(&c, HS_STORE);
    hs_start(&c, HS_INGEST);
    int mport = hs_free_port();
    char flag[40];
    snprintf(flag, sizeof flag, "--metrics=127.0.0.1:%d", mport);
    c.http_extra[0] = flag;
    hs_start_http(&c); /* returns once GET /api/v1/health answered 200 */

    assert_int_equal(get(c.http_port, "/"), 200);
    assert_int_equal(get(c.http_port, "/"), 200);
    assert_int_equal(get(c.http_port, "/api/v1/indicators/p2-pj2-class34-approvals/history"), 200);
    assert_int_equal(get(c.http_port, "/no/such/page-1"), 404);
    assert_int_equal(get(c.http_port, "/no/such/page-2"), 404);

    int status = 0;
    char *m = hs_scrape(mport, "/metrics", &status);
    assert_non_null(m);
    assert_int_equal(status, 200);
    char info[160];
    snprintf(info, sizeof info, "\nplanwatch_build_info{version=\"%s\",commit=\"%s\"} 1\n",
             pw_service_version, pw_service_commit);
    assert_non_null(strstr(m, info));
    assert_int_equal(hs_metric(m, "planwatch_http_requests_total{route=\"/\",status=\"200\"}"), 2);
    assert_int_equal(hs_metric(m, "planwatch_http_requests_total{route=\"/api/v1/indicators/{id}/history\",status=\"200\"}"), 1);
    assert_int_equal(hs_metric(m, "planwatch_http_requests_total{route=\"other\",status=\"404\"}"), 2);
    assert_true(hs_metric(m, "planwatch_http_requests_total{route=\"/api/v1/health\",status=\"200\"}") >= 1);
    assert_null(strstr(m, "page-1")); /* a probed path never becomes a series */
    assert_non_null(strstr(m, "# TYPE planwatch_http_requests_total counter\n"));
    assert_non_null(strstr(m, "# TYPE planwatch_http_request_seconds histogram\n"));
    assert_int_equal(hs_metric(m, "planwatch_http_request_seconds_count{route=\"/\"}"), 2);
    assert_true(hs_metric(m, "planwatch_http_request_seconds_sum{route=\"/\"}") > 0);
    assert_int_equal(hs_metric(m, "planwatch_http_store_up"), 1);
    assert_int_equal(hs_metric(m, "planwatch_http_catalog_loaded"), 1);
    assert_int_equal(hs_metric(m, "planwatch_http_requests_in_flight"), 0);
    assert_int_equal(hs_metric(m, "planwatch_http_signin_checks_waiting"), 0);
    free(m);
    /* only /metrics there */
    assert_int_equal(get(mport, "/"), 404);

    assert_int_equal(hs_stop_http(&c), 0);
    hs_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
