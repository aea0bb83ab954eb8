/* test_webhooks.c - alert subscriptions end to end: the real store, ingest
 * and alert services, the real CLI, and a real HTTP receiver on loopback
 * (harness.c). Shows exactly one webhook per transition (opened, updated,
 * resolved) with a valid HMAC signature; filters honoured; retries after
 * HTTP 500 and while the receiver is down, then one delivery once it is back,
 * all in the delivery log; acknowledged alerts quiet until new figures;
 * silences mute until their date; time travel: nothing moves between
 * checkpoints, an overdue alert the day after a deadline, and judgement at
 * the next checkpoint on a stale figure. Waits are on conditions with deadlines, never bare sleeps. */
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "zsock.h"

#define IND "p3-out01-licensing" /* cumulative 650 over FY2025-2029: 130 a year */
#define NEVER "p3-out02-clinical-trials"
#define WAIT_MS 60000 /* generous: a loaded 2-core CI machine, never a sleep */

struct fx {
    struct hs_cluster c;
    struct hs_http *http;
    struct pw_client *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_true(sodium_init() >= 0); /* assert_signed's HMACs */
    hs_init(&f->c, "webhooks", "2026-03-31");
    f->c.extra[HS_ALERT][0] = "--webhook-backoff-ms=100";
    f->c.extra[HS_ALERT][1] = "--webhook-backoff-max-ms=300";
    f->c.extra[HS_ALERT][2] = "--webhook-attempts=50";
    f->c.extra[HS_ALERT][3] = "--webhook-timeout-ms=3000";
    hs_start(&f->c, HS_STORE);
    hs_start(&f->c, HS_INGEST);
    hs_start(&f->c, HS_ALERT);
    assert_int_equal(pw_client_open(f->c.ctx, f->c.ep_store, &f->st), 0);
    f->http = hs_http_start();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    pw_client_close(&f->st);
    hs_fini(&f->c);
    hs_http_stop(f->http);
    free(f);
    return 0;
}

/* Runs the CLI; asserts the exit status; returns stdout (caller frees). */
static char *cli(struct fx *f, int want, const char *const *args)
{
    return hs_cli_want(&f->c, want, args);
}

/* Waits until the alert service applied every stored update and loaded
 * every subscription / ack / silence change. */
static void settle(struct fx *f)
{
    hs_settle(&f->c, f->st, WAIT_MS);
}

static uint64_t subscribe(struct fx *f, const char *path, const char *const *extra)
{
    char url[128];
    return hs_subscribe(&f->c, f->st, hs_http_url(f->http, path, url, sizeof url), extra,
                        WAIT_MS);
}

/* Feeds one figure of IND-like indicators for FY2025 through the CLI. */
static void feed(struct fx *f, const char *ind, const char *value)
{
    hs_feed_figure(&f->c, f->st, ind, value, WAIT_MS);
}

/* The alert history of one indicator (caller frees). */
static Planwatch__V1__QueryReply *history(struct fx *f, const char *ind)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    q.history = 1;
    q.indicator_id = (char *)ind;
    return hs_query(&f->c, f->st, &q);
}

/* Waits until ind's history holds n transitions of `kind`; returns the last. */
static Planwatch__V1__QueryReply *wait_transitions(struct fx *f, const char *ind, int kind,
                                                   size_t n)
{
    int64_t end = pw_now_ms() + WAIT_MS;
    for (;;) {
        Planwatch__V1__QueryReply *r = history(f, ind);
        size_t k = 0;
        for (size_t i = 0; i < r->n_alerts; i++)
            k += (int)r->alerts[i]->kind == kind;
        if (k >= n)
            return r;
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        if (pw_now_ms() > end) {
            hs_dump_logs(&f->c);
            fail_msg("%s: fewer than %zu transitions of kind %d", ind, n, kind);
        }
        hs_alert_converged(&f->c, 0, 1000); /* paced by the alert heartbeats */
    }
}

static const Planwatch__V1__Alert *last_alert(const Planwatch__V1__QueryReply *r, int kind)
{
    const Planwatch__V1__Alert *a = NULL;
    for (size_t i = 0; i < r->n_alerts; i++)
        if ((int)r->alerts[i]->kind == kind)
            a = r->alerts[i];
    assert_non_null(a);
    return a;
}

/* Every delivery the store holds for subscription sub (state counts). */
static size_t deliveries(struct fx *f, uint64_t sub, size_t *delivered, uint64_t alert_seq)
{
    return hs_deliveries(&f->c, f->st, sub, alert_seq, delivered);
}

/* Waits until the receiver got n requests on path. */
static void wait_http(struct fx *f, const char *path, size_t n)
{
    hs_http_expect(&f->c, f->http, path, n, WAIT_MS);
}

/* A few alert heartbeats pass (each 200 ms): anything in flight has landed. */
static void quiet_period(struct fx *f)
{
    hs_quiet_period(&f->c);
}

/* Moves the clock and waits until the alert service has judged that day and
 * published everything it raised (its heartbeat says so). */
static void move_clock(struct fx *f, const char *day)
{
    hs_set_clock(&f->c, day);
    if (hs_alert_evaluated(&f->c, 0, 0, day, NULL, WAIT_MS) < 0) {
        hs_dump_logs(&f->c);
        fail_msg("the alert service did not judge %s", day);
    }
}

static json_t *body_of(const struct hs_http_req *q)
{
    json_error_t e;
    json_t *j = json_loads(q->body, 0, &e);
    if (!j)
        fail_msg("webhook body is not JSON: %s (%s)", e.text, q->body);
    return j;
}

static const char *js(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static void assert_signed(const struct hs_http_req *q, const char *secret)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char want[96] = "sha256=";
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)q->body, q->len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(want + 7, sizeof want - 7, mac, sizeof mac);
    assert_string_equal(q->signature, want);
}

/* opened -> updated -> resolved: one POST each to the matching subscribers,
 * signed when a secret was given; a subscriber of another indicator hears
 * nothing, one of CRITICAL alerts hears the opening and its update. */
static void test_lifecycle_and_filters(void **state)
{
    struct fx *f = *state;
    const char *s1x[] = {"--indicator", IND, "--secret", "s3cr3t", NULL};
    const char *s2x[] = {"--indicator", NEVER, "--severity", "info", NULL};
    const char *s3x[] = {"--plan", "p3", "--severity", "critical", NULL};
    uint64_t s1 = subscribe(f, "/s1", s1x), s2 = subscribe(f, "/s2", s2x),
             s3 = subscribe(f, "/s3", s3x);
    const char *la[] = {"subscriptions", NULL};
    char *out = cli(f, 0, la);
    assert_null(strstr(out, "s3cr3t")); /* never shown */
    assert_non_null(strstr(out, "/s1"));
    free(out);

    feed(f, IND, "100"); /* 100 of the 130 expected: BEHIND */
    wait_http(f, "/s1", 1);
    wait_http(f, "/s3", 1);
    feed(f, IND, "125"); /* a correction: AT_RISK */
    wait_http(f, "/s1", 2);
    wait_http(f, "/s3", 2); /* it was CRITICAL before */
    feed(f, IND, "140"); /* on track: resolved */
    wait_http(f, "/s1", 3);
    quiet_period(f);

    const char *events[] = {"status.opened", "status.updated", "status.resolved"};
    const char *sev[] = {"critical", "warning", "info"};
    char first_id[128] = "";
    for (size_t k = 0; k < 3; k++) {
        struct hs_http_req q = hs_http_get(f->http, "/s1", k);
        assert_string_equal(q.event, events[k]);
        assert_signed(&q, "s3cr3t");
        json_t *b = body_of(&q);
        assert_string_equal(js(b, "severity"), sev[k]);
        assert_string_equal(js(json_object_get(b, "indicator"), "id"), IND);
        if (k == 0)
            snprintf(first_id, sizeof first_id, "%s", js(b, "alert_id"));
        assert_string_equal(js(b, "alert_id"), first_id); /* one alert, three transitions */
        char want[64];
        snprintf(want, sizeof want, "%lld.%llu", (long long)json_integer_value(json_object_get(b, "seq")),
                 (unsigned long long)s1);
        assert_string_equal(q.delivery, want);
        json_decref(b);
        hs_http_req_free(&q);
    }
    struct hs_http_req q = hs_http_get(f->http, "/s1", 0);
    json_t *b = body_of(&q);
    assert_string_equal(js(b, "status"), "BEHIND");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "evaluation"), "actual")),
                     100);
    json_decref(b);
    hs_http_req_free(&q);

    /* exactly one per transition: the receiver and the store agree */
    size_t ok = 0;
    assert_int_equal(hs_http_count(f->http, "/s1"), 3);
    assert_int_equal(deliveries(f, s1, &ok, 0), 3);
    assert_int_equal(ok, 3);
    assert_int_equal(hs_http_count(f->http, "/s3"), 2);
    assert_int_equal(deliveries(f, s3, NULL, 0), 2);
    assert_int_equal(hs_http_count(f->http, "/s2"), 0);
    assert_int_equal(deliveries(f, s2, NULL, 0), 0);

    /* the history lists the transitions and the deliveries */
    const char *hist[] = {"alerts", "--history", "--indicator", IND, NULL};
    out = cli(f, 0, hist);
    assert_non_null(strstr(out, "CRITICAL status opened BEHIND"));
    assert_non_null(strstr(out, "INFO status resolved ON_TRACK"));
    assert_non_null(strstr(out, "delivered (HTTP 200"));
    free(out);
    const char *open[] = {"alerts", "--indicator", IND, NULL};
    out = cli(f, 0, open);
    assert_non_null(strstr(out, "0 open alerts"));
    free(out);
}

/* HTTP 500, then connection refused, a kill -9 of the alert service, then
 * the receiver is back: retried with backoff across the restart and
 * delivered once; every attempt is in the delivery log. */
static void test_retries_until_back(void **state)
{
    struct fx *f = *state;
    hs_http_status(f->http, 500);
    const char *x[] = {"--indicator", IND, NULL};
    uint64_t s1 = subscribe(f, "/r", x);
    feed(f, IND, "100");
    wait_http(f, "/r", 2); /* two 500s */
    hs_http_down(f->http);
    /* wait until an attempt against the closed port is logged */
    int64_t end = pw_now_ms() + WAIT_MS;
    int refused = 0;
    while (!refused) {
        Planwatch__V1__QueryReply *r = history(f, IND);
        for (size_t i = 0; i < r->n_attempts; i++)
            refused |= r->attempts[i]->http_status == 0 && !r->attempts[i]->ok;
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        if (!refused && pw_now_ms() > end)
            fail_msg("no attempt while the receiver was down");
        if (!refused)
            hs_alert_converged(&f->c, 0, 1000);
    }
    /* the alert service dies meanwhile: the pending delivery is resumed from the store */
    assert_int_equal(hs_stop(&f->c, HS_ALERT, SIGKILL), 128 + SIGKILL);
    hs_start(&f->c, HS_ALERT);
    size_t before = hs_http_count(f->http, "/r");
    hs_http_status(f->http, 200);
    hs_http_up(f->http);
    wait_http(f, "/r", before + 1);
    quiet_period(f);
    size_t n = hs_http_count(f->http, "/r");
    assert_int_equal(n, before + 1); /* delivered once, then nothing more */
    struct hs_http_req first = hs_http_get(f->http, "/r", 0), last = hs_http_get(f->http, "/r", n - 1);
    assert_int_equal(first.answered, 500);
    assert_int_equal(last.answered, 200);
    assert_string_equal(first.delivery, last.delivery); /* the same delivery, retried */
    assert_string_equal(first.body, last.body);
    hs_http_req_free(&first);
    hs_http_req_free(&last);
    size_t ok = 0;
    assert_int_equal(deliveries(f, s1, &ok, 0), 1);
    assert_int_equal(ok, 1);

    Planwatch__V1__QueryReply *r = history(f, IND);
    size_t h500 = 0, down = 0, good = 0;
    for (size_t i = 0; i < r->n_attempts; i++) {
        const Planwatch__V1__DeliveryAttempt *t = r->attempts[i];
        h500 += t->http_status == 500;
        down += t->http_status == 0;
        good += t->ok != 0;
        assert_int_equal(t->attempt, i + 1);
    }
    assert_true(h500 >= 2);
    assert_true(down >= 1);
    assert_int_equal(good, 1);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    const char *hist[] = {"alerts", "--history", "--format", "csv", NULL};
    char *out = cli(f, 0, hist);
    assert_non_null(strstr(out, "failed (HTTP 500"));
    assert_non_null(strstr(out, "delivered (HTTP 200"));
    free(out);
}

/* An acknowledged alert stays quiet when time makes it worse (the next
 * checkpoint passes with no new figure), speaks again when new figures
 * arrive; a silence mutes until its date. */
static void test_ack_and_silence(void **state)
{
    struct fx *f = *state;
    const char *x[] = {"--indicator", IND, NULL};
    uint64_t s1 = subscribe(f, "/a", x);
    feed(f, IND, "125"); /* AT_RISK: opened */
    wait_http(f, "/a", 1);
    Planwatch__V1__QueryReply *r = wait_transitions(f, IND, 0, 1);
    char id[128];
    snprintf(id, sizeof id, "%s", last_alert(r, 0)->alert_id);
    planwatch__v1__query_reply__free_unpacked(r, NULL);

    const char *bad[] = {"ack", "p3-out01-licensing:999999", "--by", "田中", "--reason", "x", NULL};
    free(cli(f, 1, bad));
    const char *ack[] = {"ack", id, "--by", "田中", "--reason", "審査の遅れ。来年度に回復見込み", NULL};
    char *out = cli(f, 0, ack);
    assert_non_null(strstr(out, "acknowledged by 田中"));
    free(out);
    settle(f);

    /* FY2026's deadline passes with no figure: judged at FY2026 on the stale
     * 125, AT_RISK -> BEHIND, recorded, not sent; the overdue report is news */
    move_clock(f, "2027-07-01");
    r = wait_transitions(f, IND, 0, 2);
    const Planwatch__V1__Alert *a = last_alert(r, 0);
    assert_string_equal(a->alert_id, id);
    assert_int_equal(a->status, PLANWATCH__V1__STATUS__STATUS_BEHIND);
    assert_true(a->acknowledged);
    assert_int_equal(deliveries(f, s1, NULL, a->seq), 0);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    wait_http(f, "/a", 2);
    struct hs_http_req q = hs_http_get(f->http, "/a", 1);
    assert_string_equal(q.event, "overdue.opened");
    hs_http_req_free(&q);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/a"), 2);
    const char *open[] = {"alerts", "--indicator", IND, NULL};
    out = cli(f, 0, open);
    assert_non_null(strstr(out, "acknowledged by 田中: 審査の遅れ。来年度に回復見込み"));
    free(out);

    /* new figures: the acknowledgement no longer covers it */
    feed(f, IND, "126");
    wait_http(f, "/a", 3);
    q = hs_http_get(f->http, "/a", 2);
    assert_string_equal(q.event, "status.updated");
    hs_http_req_free(&q);

    /* a silence until 2027-09-01 mutes the resolution */
    const char *sil[] = {"silence", "--indicator", IND, "--until", "2027-09-01", "--comment",
                         "集計中", "--by", "事務局", NULL};
    out = cli(f, 0, sil);
    assert_non_null(strstr(out, "muted until 2027-09-01"));
    free(out);
    settle(f);
    feed(f, IND, "260"); /* FY2026's 260 reached: resolved, silenced */
    r = wait_transitions(f, IND, 0, 4);
    a = last_alert(r, 0);
    assert_int_equal(a->event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
    assert_true(a->silenced);
    assert_int_equal(deliveries(f, s1, NULL, a->seq), 0);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    /* the silence ended before FY2027's deadline: 260 of 390 opens, sent,
     * and the overdue report moves to FY2027 */
    move_clock(f, "2028-07-01");
    wait_http(f, "/a", 5);
    q = hs_http_get(f->http, "/a", 3);
    assert_string_equal(q.event, "status.opened");
    hs_http_req_free(&q);
    q = hs_http_get(f->http, "/a", 4);
    assert_string_equal(q.event, "overdue.updated");
    hs_http_req_free(&q);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/a"), 5);
    const char *hist[] = {"alerts", "--history", "--indicator", IND, NULL};
    out = cli(f, 0, hist);
    assert_non_null(strstr(out, "[acknowledged]"));
    assert_non_null(strstr(out, "[silenced]"));
    assert_non_null(strstr(out, "acknowledged by 田中"));
    assert_non_null(strstr(out, "muted until 2027-09-01 by 事務局: 集計中"));
    free(out);
}

/* No new data: on track at the end of FY2025 and on every day until FY2026's
 * deadline (nothing is pro-rated to the day); the never-reported indicator
 * overdue the day after FY2025's 06-30 deadline; the day after FY2026's, the
 * reporting one is overdue too and judged at FY2026 on its stale figure. */
static void test_time_travel(void **state)
{
    struct fx *f = *state;
    const char *x1[] = {"--indicator", IND, NULL};
    const char *x2[] = {"--indicator", NEVER, NULL};
    subscribe(f, "/t1", x1);
    subscribe(f, "/t2", x2);
    feed(f, IND, "130"); /* exactly the 130 of FY2025: on track (an INFO notice) */
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/t1"), 0);

    move_clock(f, "2026-06-01"); /* between checkpoints: nothing moves */
    move_clock(f, "2026-06-30"); /* the deadline day itself: still in time */
    assert_int_equal(hs_http_count(f->http, "/t1"), 0);
    assert_int_equal(hs_http_count(f->http, "/t2"), 0);
    move_clock(f, "2026-07-01");
    wait_http(f, "/t2", 1);
    struct hs_http_req q = hs_http_get(f->http, "/t2", 0);
    assert_string_equal(q.event, "overdue.opened");
    json_t *b = body_of(&q);
    json_t *od = json_object_get(b, "overdue");
    assert_int_equal(json_integer_value(json_object_get(od, "fiscal_year")), 2025);
    assert_string_equal(js(od, "due"), "2026-06-30");
    assert_non_null(strstr(js(b, "summary"), "never reported"));
    json_decref(b);
    hs_http_req_free(&q);
    move_clock(f, "2027-03-31");
    move_clock(f, "2027-06-30");
    assert_int_equal(hs_http_count(f->http, "/t2"), 1);
    assert_int_equal(hs_http_count(f->http, "/t1"), 0); /* IND reported FY2025: on track */

    move_clock(f, "2027-07-01");
    wait_http(f, "/t1", 2);
    q = hs_http_get(f->http, "/t1", 0);
    b = body_of(&q);
    assert_string_equal(js(b, "previous_status"), "ON_TRACK");
    assert_string_equal(js(b, "status"), "BEHIND");
    assert_string_equal(js(b, "event"), "opened");
    assert_int_equal(json_integer_value(json_object_get(b, "update_seq")), 0); /* time did it */
    assert_non_null(strstr(js(b, "summary"), "FY2026 (2/5): expected ≥ 260 of 650, actual 130"));
    json_decref(b);
    hs_http_req_free(&q);
    q = hs_http_get(f->http, "/t1", 1);
    assert_string_equal(q.event, "overdue.opened");
    hs_http_req_free(&q);
    wait_http(f, "/t2", 2);
    q = hs_http_get(f->http, "/t2", 1);
    assert_string_equal(q.event, "overdue.updated");
    hs_http_req_free(&q);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/t1"), 2);
    assert_int_equal(hs_http_count(f->http, "/t2"), 2);
}

/* Runs the CLI expecting a refusal: exit status and the code in stderr. */
static void refused(struct fx *f, int want, const char *code, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(&f->c, &out, &err, args);
    if (rc != want || (code && !strstr(err, code)))
        fail_msg("planwatch %s: exit %d (want %d), stderr: %s", args[0], rc, want, err);
    free(out);
    free(err);
}

/* What the store refuses, with the documented codes. */
static void test_refusals(void **state)
{
    struct fx *f = *state;
    const char *a1[] = {"subscribe", "--webhook", "ftp://example/x", NULL};
    refused(f, 1, "PW_EINVAL", a1);
    const char *a2[] = {"subscribe", "--webhook", "http://127.0.0.1:1/x", "--indicator", "nope", NULL};
    refused(f, 1, "PW_ENOTFOUND", a2);
    const char *a3[] = {"unsubscribe", "999", NULL};
    refused(f, 1, "PW_ENOTFOUND", a3);
    const char *a4[] = {"silence", "--plan", "p3", "--until", "2026-03-31", "--comment", "x", NULL};
    refused(f, 1, "PW_EINVAL", a4); /* not after today (the store's clock) */
    const char *a5[] = {"ack", "x:1", "--by", "me", NULL};
    refused(f, 2, "--reason", a5); /* usage */
    const char *a6[] = {"ack", "x:1", "--by", "me", "--reason", "r", NULL};
    refused(f, 1, "PW_ENOTFOUND", a6);
    const char *a7[] = {"silence", "--until", "2027-01-01", "--comment", "x", NULL};
    refused(f, 2, "--plan", a7);
    assert_int_equal(hs_admin_seq(&f->c, f->st), 0); /* nothing was changed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_until_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_and_silence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_travel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
