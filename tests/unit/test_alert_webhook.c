/* test_alert_webhook.c - webhook delivery without a receiver
 * (alert_webhook.c, linked from pw_alert): the HMAC-SHA256 signature
 * (RFC 4231 test case 2), the doubling capped backoff, bad configurations,
 * a refused connection retried then given up with one outcome per attempt,
 * one delivery at a time per subscription, and unsubscribed deliveries
 * dropped. The loop is driven with zmq_poll exactly as the service does. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "alert_webhook.h"
#include "ts_proc.h"
#include "zsock.h"
#include "err.h"

static void test_sign(void **state)
{
    (void)state;
    char sig[80];
    const char *data = "what do ya want for nothing?";
    assert_true(sodium_init() >= 0); /* the service's start-up does it */
    alert_webhook_sign("Jefe", data, strlen(data), sig);
    assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_open_and_backoff(void **state)
{
    (void)state;
    struct alert_webhook *w = NULL;
    struct alert_webhook_cfg bad = {1000, 0, 100, 1000};
    assert_int_equal(alert_webhook_open(&w, &bad), PW_EINVAL);
    assert_int_equal(alert_webhook_open(NULL, &bad), PW_EINVAL);
    assert_null(w);
    struct alert_webhook_cfg cfg = {1000, 5, 100, 350};
    assert_int_equal(alert_webhook_open(&w, &cfg), 0);
    assert_int_equal(alert_webhook_backoff(w, 1), 100);
    assert_int_equal(alert_webhook_backoff(w, 2), 200);
    assert_int_equal(alert_webhook_backoff(w, 3), 350);
    assert_int_equal(alert_webhook_backoff(w, 30), 350);
    assert_int_equal(alert_webhook_timeout(w, pw_now_ms()), -1); /* nothing queued */
    alert_webhook_close(&w);
    assert_null(w);
    alert_webhook_close(&w);
}

/* A loopback port nobody listens on. */
static int closed_port(void)
{
    int port = ts_proc_free_port();
    assert_true(port > 0);
    return port;
}

/* Drives w until it has `want` outcomes (deadline 10 s). */
static void drive(struct alert_webhook *w, size_t want)
{
    int64_t end = pw_now_ms() + 10000;
    size_t n = 0;
    while (alert_webhook_outcomes(w, &n), n < want) {
        assert_true(pw_now_ms() < end);
        zmq_pollitem_t it[16];
        size_t k = alert_webhook_pollitems(w, it, 16);
        long t = alert_webhook_timeout(w, pw_now_ms());
        zmq_poll(it, (int)k, t < 0 || t > 200 ? 200 : t);
        alert_webhook_run(w, it, k, pw_now_ms());
    }
}

static int keep_none(void *arg, uint64_t sub)
{
    (void)arg;
    (void)sub;
    return 0;
}

static void test_refused_retried_then_given_up(void **state)
{
    (void)state;
    struct alert_webhook *w = NULL;
    struct alert_webhook_cfg cfg = {2000, 3, 20, 40};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", closed_port());
    assert_int_equal(alert_webhook_open(&w, &cfg), 0);
    assert_int_equal(alert_webhook_add(w, 5, 1, "x:5", url, "k", "status.opened", "{}", 2, 0), 0);
    assert_int_equal(alert_webhook_add(w, 6, 1, "x:5", url, NULL, "status.resolved", "{}", 2, 0), 0);
    drive(w, 3);
    size_t n;
    const struct alert_webhook_outcome *o = alert_webhook_outcomes(w, &n);
    /* seq 5 alone (one at a time per subscription): attempts 1, 2 pending, 3 failed */
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(o[i].alert_seq, 5);
        assert_int_equal(o[i].attempt, i + 1);
        assert_int_equal(o[i].http, 0);
        assert_false(o[i].ok);
        assert_true(o[i].error[0] != '\0');
        assert_int_equal(o[i].state, i < 2 ? 0 : 2);
        assert_string_equal(o[i].event, "status.opened");
    }
    assert_true(o[1].next_ns > o[1].time_ns);
    alert_webhook_outcomes_clear(w);
    assert_int_equal(alert_webhook_queued(w), 1); /* seq 6 is next */
    /* unsubscribed: dropped with a FAILED outcome and no attempt */
    alert_webhook_prune(w, keep_none, NULL);
    o = alert_webhook_outcomes(w, &n);
    assert_int_equal(n, 1);
    assert_int_equal(o[0].alert_seq, 6);
    assert_int_equal(o[0].state, 2);
    assert_string_equal(o[0].error, "unsubscribed");
    assert_int_equal(alert_webhook_queued(w), 0);
    alert_webhook_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_open_and_backoff),
        cmocka_unit_test(test_refused_retried_then_given_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
