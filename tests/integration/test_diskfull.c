/* test_diskfull.c - the store's promises about its disk, checked at the
 * system-call level with the LD_PRELOAD shim (tests/shim/pw_shim.c):
 *  - disk full: while every write and sync of the LMDB file fails with
 *    ENOSPC, each row of a batch is answered at once (not after the
 *    3000 ms ack timeout) with PW_EDISKFULL and the reason, none ACCEPTED;
 *    `planwatch health store` says not ready and why; the metrics count it.
 *    Once space is back the store says ready by itself (its probe), the
 *    refused rows are accepted when resent, and everything accepted before
 *    is still there with its seq, also after a restart;
 *  - sync before ack: for each accepted row, the LMDB write holding it, then
 *    the sync of the file (fdatasync) and the meta page's O_DSYNC write,
 *    then the ack carrying it to ingest, in that order;
 *  - recorded before published: while the store is down (stopped), and
 *    while it cannot record the alert service's transitions (its disk is
 *    full), not one alert is published; once it can, each is published
 *    exactly once; and its heartbeat counts an update as applied only
 *    once the status change it caused is recorded. */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "zsock.h"

#define IND "p3-pj1-out01-licensing"

static void update(Planwatch__V1__IndicatorUpdate *u, const char *uid, int64_t v)
{
    planwatch__v1__indicator_update__init(u);
    u->update_id = (char *)uid;
    u->indicator_id = IND;
    u->fiscal_year = 2025;
    u->value_micros = v;
    u->basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    u->as_of = "2026-03-31";
}

/* Feeds rows uid prefix-1..n (values base+k) as one batch; the reply. */
static Planwatch__V1__FeedReply *feed(struct pw_client *cl, const char *prefix, size_t n,
                                      int64_t base)
{
    Planwatch__V1__IndicatorUpdate u[8], *p[8];
    char uid[8][64];
    assert_true(n <= 8);
    for (size_t k = 0; k < n; k++) {
        snprintf(uid[k], sizeof uid[k], "%s-%zu", prefix, k + 1);
        update(&u[k], uid[k], (base + (int64_t)k) * 1000000);
        p[k] = &u[k];
    }
    Planwatch__V1__FeedReply *r = hs_feed_rows(cl, "test-office", p, n, 20000);
    assert_non_null(r);
    assert_int_equal(r->n_results, n);
    return r;
}

static size_t history(struct hs_cluster *c, struct pw_client *st, uint64_t *seqs, size_t max)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = IND;
    Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
    size_t n = r->n_updates;
    for (size_t i = 0; i < n && i < max; i++)
        seqs[i] = r->updates[i]->seq;
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return n;
}

/* `planwatch health store`: its exit status, stdout in *out (caller frees). */
static int health_of(struct hs_cluster *c, const char *svc, char **out)
{
    char *err = NULL;
    const char *args[] = {"health", svc, NULL};
    int rc = hs_cli(c, out, &err, args);
    free(err);
    return rc;
}

static int health(struct hs_cluster *c, char **out)
{
    return health_of(c, "store", out);
}

/* Waits (60 s) until `planwatch health svc` exits with want; its last stdout. */
static char *health_wait(struct hs_cluster *c, const char *svc, int want)
{
    char *out = NULL;
    int64_t end = pw_now_ms() + 60000;
    int rc;
    while ((rc = health_of(c, svc, &out)) != want && pw_now_ms() < end) {
        free(out); /* each probe is a CLI run: paced by its own round trip */
        out = NULL;
    }
    if (rc != want)
        fail_msg("planwatch health %s: exit %d, not %d: %s", svc, rc, want, out);
    return out;
}

/* Waits (60 s) until the HTTP door's /api/v1/health answers status. */
static void http_health_wait(struct hs_cluster *c, int want)
{
    int64_t end = pw_now_ms() + 60000;
    int status = 0;
    char *body = NULL;
    do {
        free(body);
        body = hs_scrape(c->http_port, "/api/v1/health", &status);
        if (status != want) {
            struct pollfd none;
            poll(&none, 0, 50); /* paced polling of a readiness probe, not a sync */
        }
    } while (status != want && pw_now_ms() < end);
    if (status != want)
        fail_msg("/api/v1/health: %d, not %d: %s", status, want, body ? body : "");
    if (want == 503)
        assert_non_null(strstr(body, "\"store\": false"));
    free(body);
}

static void test_disk_full(void **state)
{
    (void)state;
    struct hs_cluster c;
    char ctl[300], metrics[64], *out = NULL;
    hs_init(&c, "diskfull", "2026-06-30");
    snprintf(ctl, sizeof ctl, "%s/disk-is-full", c.dir);
    int mport = hs_free_port();
    snprintf(metrics, sizeof metrics, "--metrics=127.0.0.1:%d", mport);
    c.extra[HS_STORE][0] = metrics;
    hs_shim(&c, HS_STORE, ctl, NULL, NULL);
    hs_start(&c, HS_STORE);
    hs_start(&c, HS_INGEST);
    hs_start_http(&c);
    struct pw_client *in = hs_client(&c, HS_INGEST, NULL), *st = hs_client(&c, HS_STORE, NULL);

    /* before: three rows stored */
    Planwatch__V1__FeedReply *r = feed(in, "df-before", 3, 10);
    uint64_t before[3];
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(r->results[k]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
        before[k] = r->results[k]->seq;
    }
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    /* in seq order, as history lists them (a batch's rows may commit in any order) */
    for (size_t i = 1; i < 3; i++)
        for (size_t j = i; j > 0 && before[j - 1] > before[j]; j--) {
            uint64_t t = before[j];
            before[j] = before[j - 1];
            before[j - 1] = t;
        }
    assert_int_equal(health(&c, &out), 0);
    free(out);

    /* the disk fills up: every row PW_EDISKFULL with the reason, at once */
    FILE *f = fopen(ctl, "w");
    assert_non_null(f);
    fclose(f);
    int64_t t0 = pw_now_ms();
    r = feed(in, "df-full", 3, 20);
    int64_t took = pw_now_ms() - t0;
    for (size_t k = 0; k < 3; k++) {
        const Planwatch__V1__RowResult *x = r->results[k];
        if (x->status == PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED)
            fail_msg("row %zu answered ACCEPTED although its commit failed", k + 1);
        assert_int_equal(x->status, PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE);
        assert_int_equal(x->code, PW_EDISKFULL);
        assert_non_null(strstr(x->reason, "the store's disk is full"));
        assert_int_equal(x->seq, 0);
    }
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    /* the ack timeout would have taken 3000 ms */
    if (took >= 2500)
        fail_msg("the disk-full answer took %lld ms (the ack timeout is 3000 ms)", (long long)took);

    /* health: answering, not ready, and why */
    assert_int_equal(health(&c, &out), 1);
    assert_non_null(strstr(out, "not ready"));
    assert_non_null(strstr(out, "disk is full"));
    free(out);
    /* ingest hears it in the store's heartbeat: it cannot accept figures either */
    out = health_wait(&c, "ingest", 1);
    assert_non_null(strstr(out, "the store is not ready: the store's disk is full"));
    free(out);
    http_health_wait(&c, 503);
    assert_true(hs_scrape_metric(mport, "planwatch_store_disk_full_total") > 0);
    assert_true(hs_scrape_metric(mport, "planwatch_store_disk_full") == 1);
    assert_true(hs_scrape_metric(mport, "planwatch_store_updates_disk_full_total") >= 3);
    assert_true(hs_log_has(&c, "store", "disk full"));
    /* nothing of the refused batch became visible */
    uint64_t seqs[16];
    assert_int_equal(history(&c, st, seqs, 16), 3);

    /* space is back: ready again by itself, without a feed (the probe) */
    assert_int_equal(unlink(ctl), 0);
    int64_t end = pw_now_ms() + 60000;
    int rc;
    while ((rc = health(&c, &out)) != 0 && pw_now_ms() < end)
        free(out); /* each probe is a CLI run: paced by its own round trip */
    free(out);
    assert_int_equal(rc, 0);
    assert_true(hs_scrape_metric(mport, "planwatch_store_disk_full") == 0);
    free(health_wait(&c, "ingest", 0));
    http_health_wait(&c, 200);

    /* the refused rows go through when resent; the earlier ones are duplicates */
    r = feed(in, "df-full", 3, 20);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(r->results[k]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    r = feed(in, "df-before", 3, 10);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(r->results[k]->status, PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE);
        assert_true(r->results[k]->seq == before[0] || r->results[k]->seq == before[1] ||
                    r->results[k]->seq == before[2]);
    }
    planwatch__v1__feed_reply__free_unpacked(r, NULL);

    /* nothing lost, also across a restart */
    assert_int_equal(history(&c, st, seqs, 16), 6);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(seqs[k], before[k]);
    pw_client_close(&st);
    assert_int_equal(hs_stop(&c, HS_STORE, SIGTERM), 0);
    hs_start(&c, HS_STORE);
    st = hs_client(&c, HS_STORE, NULL);
    assert_int_equal(history(&c, st, seqs, 16), 6);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(seqs[k], before[k]);
    pw_client_close(&st);
    pw_client_close(&in);
    hs_fini(&c);
}

/* Index of the first line at or after from that holds every needle, or -1. */
static long find_line(char **lines, long n, long from, const char *a, const char *b)
{
    for (long i = from < 0 ? 0 : from; i < n; i++)
        if (strstr(lines[i], a) && (!b || strstr(lines[i], b)))
            return i;
    return -1;
}

static void test_sync_before_ack(void **state)
{
    (void)state;
    struct hs_cluster c;
    char log[300];
    hs_init(&c, "syncack", "2026-06-30");
    snprintf(log, sizeof log, "%s/shim.log", c.dir);
    hs_shim(&c, HS_STORE, NULL, log, "synck-");
    hs_start(&c, HS_STORE);
    hs_start(&c, HS_INGEST);
    struct pw_client *in = hs_client(&c, HS_INGEST, NULL);
    enum { N = 5 };
    for (int k = 0; k < N; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "synck-b%d", k);
        Planwatch__V1__FeedReply *r = feed(in, prefix, 1, 30 + k);
        assert_int_equal(r->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
        planwatch__v1__feed_reply__free_unpacked(r, NULL);
    }
    pw_client_close(&in);

    /* the record, one event a line */
    char *text = hs_read_file(log, NULL), *save = NULL, *lines[4096];
    long n = 0;
    for (char *l = strtok_r(text, "\n", &save); l && n < 4096; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    char ack[32];
    snprintf(ack, sizeof ack, "send port=%d ", c.port[2]);
    for (int k = 0; k < N; k++) {
        char mark[40];
        snprintf(mark, sizeof mark, " synck-b%d-1", k);
        long w = find_line(lines, n, 0, "write dsync=0", mark);
        long a = find_line(lines, n, 0, ack, mark);
        if (w < 0 || a < 0)
            fail_msg("row %d: no LMDB write (%ld) or no ack (%ld) carrying it in the record", k, w,
                     a);
        long s = find_line(lines, n, w, "sync ", NULL);
        long m = find_line(lines, n, s, "write dsync=1", NULL);
        if (s < 0 || s > a)
            fail_msg("row %d: acknowledged (line %ld) before the LMDB file was synced (%ld)", k + 1,
                     a + 1, s + 1);
        if (m < 0 || m > a)
            fail_msg("row %d: acknowledged (line %ld) before the meta page reached the disk "
                     "(%ld)", k + 1, a + 1, m + 1);
        assert_true(w < s && s < m && m < a);
    }
    free(text);
    hs_fini(&c);
}

/* Alerts received on sub so far: each seq counted in seen[seq] (< max). */
static size_t drain_alerts(void *sub, unsigned *seen, size_t max, int wait_ms)
{
    size_t n = 0;
    int64_t end = pw_now_ms() + wait_ms;
    for (;;) {
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        long left = (long)(end - pw_now_ms());
        if (zmq_poll(&it, 1, left > 0 ? left : 0) <= 0)
            return n;
        struct pw_frames fr;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        if (pw_zsock_recv_msg(sub, &fr, ZMQ_DONTWAIT, &t, &m) == 0 &&
            t == PLANWATCH__V1__MSG_TYPE__MSG_ALERT) {
            uint64_t seq = ((Planwatch__V1__Alert *)m)->seq;
            seen[seq < max ? seq : max - 1]++;
            n++;
        }
        if (m)
            protobuf_c_message_free_unpacked(m, NULL);
        pw_frames_close(&fr);
    }
}

static void test_alerts_wait_for_the_store(void **state)
{
    (void)state;
    struct hs_cluster c;
    char ctl[300], *out = NULL, *err = NULL;
    hs_init(&c, "alertheld", "2026-03-31");
    snprintf(ctl, sizeof ctl, "%s/disk-is-full", c.dir);
    hs_shim(&c, HS_STORE, ctl, NULL, NULL);
    hs_start(&c, HS_STORE);
    hs_start(&c, HS_INGEST);
    hs_start(&c, HS_ALERT);
    const char *args[] = {"feed", hs_src("catalog/feeds/plan3-fy2025.csv"), NULL};
    if (hs_cli(&c, &out, &err, args) != 0)
        fail_msg("feed: %s%s", out, err);
    free(out);
    free(err);
    struct pw_client *st = hs_client(&c, HS_STORE, NULL);
    uint64_t base = 0, after = 0;
    assert_true(hs_alert_evaluated(&c, hs_store_seq(&c, st), 0, "2026-03-31", &base, 60000) >= 0);
    pw_client_close(&st);

    /* a subscriber, listening once a heartbeat came through */
    void *sub = NULL;
    assert_int_equal(pw_zsock_new(c.ctx, ZMQ_SUB, 0, &sub), 0);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    assert_int_equal(pw_zsock_connect(sub, c.ep_alerts), 0);
    zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&it, 1, 60000), 1);

    /* the store is down (stopped: its queries time out) while 2026-07-01
     * makes never-reported indicators overdue: nothing is published until
     * it is back and has recorded them, then each alert once */
    enum { MAX = 4096 };
    unsigned *seen = calloc(MAX, sizeof *seen);
    assert_non_null(seen);
    assert_int_equal(kill(c.pid[HS_STORE], SIGSTOP), 0);
    hs_set_clock(&c, "2026-07-01");
    int held = hs_log_wait(&c, "alert", "alert state not recorded, alerts held", 60000);
    size_t early = drain_alerts(sub, seen, MAX, 2000);
    assert_int_equal(kill(c.pid[HS_STORE], SIGCONT), 0);
    if (!held)
        fail_msg("the alert service did not try to record a transition with the store down");
    if (early)
        fail_msg("%zu alerts published while the store was down", early);
    uint64_t mid = 0;
    assert_true(hs_alert_evaluated(&c, 0, 0, "2026-07-01", &mid, 60000) >= 0);
    assert_true(mid > base && mid < MAX - 1);
    size_t got = 0;
    int64_t end = pw_now_ms() + 60000;
    while (got < mid - base && pw_now_ms() < end)
        got += drain_alerts(sub, seen, MAX, 500);
    got += drain_alerts(sub, seen, MAX, 500); /* and nothing more comes */
    for (uint64_t q = base + 1; q <= mid; q++)
        if (seen[q] != 1)
            fail_msg("alert seq %llu published %u times", (unsigned long long)q, seen[q]);
    assert_int_equal(got, mid - base);
    base = mid;

    /* the store cannot record; a deadline passes: p3-out16 goes BEHIND */
    FILE *f = fopen(ctl, "w");
    assert_non_null(f);
    fclose(f);
    hs_set_clock(&c, "2027-07-01");
    if (!hs_log_wait(&c, "store", "disk full", 60000))
        fail_msg("the alert service did not try to record a transition");
    /* for 3 s of retries: nothing on the wire, and the heartbeat says the
     * day's judgement is not finished */
    early = drain_alerts(sub, seen, MAX, 3000);
    if (early)
        fail_msg("%zu alerts published while the store could not record them", early);
    assert_true(hs_alert_evaluated(&c, 0, 0, "2027-07-01", NULL, 500) < 0);
    assert_true(hs_log_has(&c, "alert", "alert state not recorded, alerts held"));

    /* space is back: recorded, then published, each exactly once */
    assert_int_equal(unlink(ctl), 0);
    assert_true(hs_alert_evaluated(&c, 0, 0, "2027-07-01", &after, 60000) >= 0);
    assert_true(after > base && after < MAX - 1);
    got = 0;
    end = pw_now_ms() + 60000;
    while (got < after - base && pw_now_ms() < end)
        got += drain_alerts(sub, seen, MAX, 500);
    got += drain_alerts(sub, seen, MAX, 500); /* and nothing more comes */
    for (uint64_t q = base + 1; q <= after; q++)
        if (seen[q] != 1)
            fail_msg("alert seq %llu published %u times", (unsigned long long)q, seen[q]);
    assert_int_equal(got, after - base);

    /* applied means recorded: the alert service paused, a figure that
     * lifts p3-out16 (BEHIND) to 771 of 750 committed meanwhile, the disk
     * full when it resumes. It applies the figure but cannot record the
     * change, and its heartbeat must not say the figure's seq is applied
     * (a reader would find the store's alert state without it); once
     * space is back it does, and the state is the fresh judgement */
    struct pw_client *in = hs_client(&c, HS_INGEST, NULL);
    st = hs_client(&c, HS_STORE, NULL);
    Planwatch__V1__IndicatorUpdate u, *pu = &u;
    planwatch__v1__indicator_update__init(&u);
    u.update_id = "settle-1";
    u.indicator_id = "p3-out16-bio-manufacturing-trainees";
    u.fiscal_year = 2026;
    u.value_micros = 500 * 1000000LL;
    u.basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    u.as_of = "2027-03-31";
    int held_before = hs_log_count(&c, "alert", "alert state not recorded, alerts held");
    assert_int_equal(kill(c.pid[HS_ALERT], SIGSTOP), 0);
    Planwatch__V1__FeedReply *r = hs_feed_rows(in, "test-office", &pu, 1, 20000);
    assert_non_null(r);
    assert_int_equal(r->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    uint64_t fig = r->results[0]->seq;
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    f = fopen(ctl, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(kill(c.pid[HS_ALERT], SIGCONT), 0);
    if (!hs_log_wait_count(&c, "alert", "alert state not recorded, alerts held", held_before + 1,
                           60000))
        fail_msg("the alert service did not try to record p3-out16's change");
    /* every heartbeat for 2 s (10 of them) says less than fig */
    assert_true(hs_alert_converged(&c, fig, 2000) < 0);
    assert_int_equal(unlink(ctl), 0);
    assert_true(hs_alert_converged(&c, fig, 60000) >= 0);
    assert_true(hs_assert_alert_state_fresh(&c, st, "2027-07-01") > 100);
    pw_client_close(&in);
    pw_client_close(&st);
    free(seen);
    pw_zsock_close(&sub);
    hs_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_sync_before_ack),
        cmocka_unit_test(test_alerts_wait_for_the_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
