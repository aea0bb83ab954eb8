/* test_alert_webhook.c - webhook delivery without a receiver
 * (alert_webhook.c, linked from pw_alert): the HMAC-SHA256 signature
 * (RFC 4231 test case 2) and the Standard Webhooks one with a receiver's
 * replay check, the doubling capped backoff, bad configurations,
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

/* Standard Webhooks: id, timestamp and body signed together; a receiver's
 * check accepts the delivery within the tolerance, refuses it replayed
 * later (old timestamp) or altered (body, id or timestamp changed). */
static void test_sign_std(void **state)
{
    (void)state;
    char sig[ALERT_WEBHOOK_SIG_STD_LEN], two[2 * ALERT_WEBHOOK_SIG_STD_LEN + 8], ts[24];
    const char *body = "{\"alert_id\":\"x:1\"}";
    size_t len = strlen(body);
    int64_t t = 1674087231;
    assert_true(sodium_init() >= 0);
    /* the key of a whsec_ secret is its decoded bytes: "whsec_" + base64("Jefe")
     * signs as the plain secret "Jefe" does */
    char a[ALERT_WEBHOOK_SIG_STD_LEN], b[ALERT_WEBHOOK_SIG_STD_LEN];
    assert_int_equal(alert_webhook_sign_std("whsec_SmVmZQ==", "m1", t, body, len, a, sizeof a), 0);
    assert_int_equal(alert_webhook_sign_std("Jefe", "m1", t, body, len, b, sizeof b), 0);
    assert_string_equal(a, b);
    /* the value is HMAC-SHA256(key, "m1.1674087231." body), base64 */
    unsigned char mac[32];
    char expect[ALERT_WEBHOOK_SIG_STD_LEN] = "v1,", msg[128];
    snprintf(msg, sizeof msg, "m1.%lld.%s", (long long)t, body);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)"Jefe", 4);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(expect + 3, sizeof expect - 3, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    assert_string_equal(b, expect);

    assert_int_equal(alert_webhook_sign_std("s3cret", "93.2", t, body, len, sig, sizeof sig), 0);
    snprintf(ts, sizeof ts, "%lld", (long long)t);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", ts, sig, body, len, t + 10, 300), 0);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", ts, sig, body, len, t - 299, 300), 0);
    /* replayed 6 minutes later: authentic, but stale */
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", ts, sig, body, len, t + 360, 300),
                     PW_ERANGE);
    /* the replayer cannot refresh the timestamp: the signature covers it */
    char ts2[24];
    snprintf(ts2, sizeof ts2, "%lld", (long long)t + 360);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", ts2, sig, body, len, t + 360, 300),
                     PW_EDENIED);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.3", ts, sig, body, len, t, 300),
                     PW_EDENIED);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", ts, sig, body, len - 1, t, 300),
                     PW_EDENIED);
    assert_int_equal(alert_webhook_verify_std("other", "93.2", ts, sig, body, len, t, 300),
                     PW_EDENIED);
    /* several signatures (key rotation): one match suffices */
    snprintf(two, sizeof two, "v1,AAAA %s", sig);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", ts, two, body, len, t, 300), 0);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", "", sig, body, len, t, 300),
                     PW_EINVAL);
    assert_int_equal(alert_webhook_verify_std("s3cret", "93.2", "12x", sig, body, len, t, 300),
                     PW_EINVAL);
}

static void test_open_and_backoff(void **state)
{
    (void)state;
    struct alert_webhook *w = NULL;
    struct alert_webhook_cfg bad = {.timeout_ms = 1000, .max_attempts = 0, .backoff_ms = 100, .backoff_max_ms = 1000};
    assert_int_equal(alert_webhook_open(&w, &bad), PW_EINVAL);
    assert_int_equal(alert_webhook_open(NULL, &bad), PW_EINVAL);
    assert_null(w);
    struct alert_webhook_cfg cfg = {.timeout_ms = 1000, .max_attempts = 5, .backoff_ms = 100, .backoff_max_ms = 350};
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
    struct alert_webhook_cfg cfg = {.timeout_ms = 2000, .max_attempts = 3, .backoff_ms = 20, .backoff_max_ms = 40};
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
        cmocka_unit_test(test_sign_std),
        cmocka_unit_test(test_open_and_backoff),
        cmocka_unit_test(test_refused_retried_then_given_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
