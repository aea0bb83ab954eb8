/* test_replies.c - what ingest and the store answer to requests that are
 * not what they should be, on the ZeroMQ side (README "Limits"):
 *  - an over-long batch_id or request_id (10 MiB) is refused and echoed cut
 *    to 128 bytes and "…"; an id holding control characters or bytes that
 *    are not UTF-8 is echoed escaped (\xHH, \uHHHH: pw_text_escape), never raw;
 *  - a message of more than 8 frames gets an error reply naming the reason
 *    (it was dropped unanswered before), and the service keeps serving;
 *  - the same batch sent twice at once by two connections of one office is
 *    answered ACCEPTED once and DUPLICATE once per row, with the same seq,
 *    and stored once (the second arrives while the first is in flight: the
 *    store is stopped with SIGSTOP until ingest holds both). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"
#include "err.h"
#include "harness.h"
#include "msg.h"
#include "zsock.h"

#define IND "p3-pj1-out01-licensing"

static int setup(void **state)
{
    struct hs_cluster *c = calloc(1, sizeof *c);
    static char metrics[64];
    hs_init(c, "replies", "2026-06-30");
    snprintf(metrics, sizeof metrics, "--metrics=127.0.0.1:%d", hs_free_port());
    c->extra[HS_INGEST][0] = metrics;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    hs_fini(*state);
    free(*state);
    return 0;
}

static void *dealer(struct hs_cluster *c, const char *ep)
{
    void *d = NULL;
    int timeo = 20000;
    assert_int_equal(pw_zsock_new(c->ctx, ZMQ_DEALER, 0, &d), 0);
    zmq_setsockopt(d, ZMQ_RCVTIMEO, &timeo, sizeof timeo);
    assert_int_equal(pw_zsock_connect(d, ep), 0);
    return d;
}

/* Sends msg as one frame; the reply (caller frees) and its type. */
static ProtobufCMessage *call(void *d, Planwatch__V1__MsgType type, const ProtobufCMessage *msg,
                              Planwatch__V1__MsgType *t)
{
    assert_int_equal(pw_zsock_send(d, NULL, 0, type, msg, 0), 0);
    struct pw_frames fr;
    ProtobufCMessage *m = NULL;
    int rc = pw_zsock_recv_msg(d, &fr, 0, t, &m);
    pw_frames_close(&fr);
    if (rc)
        fail_msg("no readable reply: %s", pw_errname(rc));
    return m;
}

/* An ErrorReply to msg: asserts the code, returns the echoed id (copied). */
static char *error_of(void *d, Planwatch__V1__MsgType type, const ProtobufCMessage *msg, int code)
{
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = call(d, type, msg, &t);
    assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_ERROR);
    Planwatch__V1__ErrorReply *e = (Planwatch__V1__ErrorReply *)m;
    assert_int_equal(e->code, code);
    char *id = strdup(e->request_id);
    protobuf_c_message_free_unpacked(m, NULL);
    return id;
}

/* No byte of s is a control character (C0, DEL) or the ESC of a sequence. */
static void assert_printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fail_msg("raw control character 0x%02x echoed in \"%s\"", *p, s);
}

static void test_echo_cut_and_escaped(void **state)
{
    struct hs_cluster *c = *state;
    void *in = dealer(c, c->ep_ingest), *st = dealer(c, c->ep_store);
    size_t big = 10u << 20;
    char *id = malloc(big + 1);
    assert_non_null(id);
    memset(id, 'a', big);
    id[big] = '\0';

    /* 10 MiB batch_id: refused, echoed as 128 bytes and "…" */
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    b.batch_id = id;
    char *echo = error_of(in, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, PW_EFEED_TOOLONG);
    assert_int_equal(strlen(echo), PW_BATCH_ID_MAX + strlen("…"));
    assert_memory_equal(echo, id, PW_BATCH_ID_MAX);
    assert_string_equal(echo + PW_BATCH_ID_MAX, "…");
    free(echo);

    /* the same as a query's request_id */
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_LATEST;
    q.request_id = id;
    echo = error_of(st, PLANWATCH__V1__MSG_TYPE__MSG_QUERY, &q.base, PW_ETOOBIG);
    assert_int_equal(strlen(echo), PW_BATCH_ID_MAX + strlen("…"));
    assert_string_equal(echo + PW_BATCH_ID_MAX, "…");
    free(echo);

    /* an ESC sequence and a byte that is not UTF-8: escaped, not echoed raw */
    b.batch_id = "b\x1b[2J\xff-\xe6\x97\xa5";
    echo = error_of(in, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, PW_EFEED_ENCODING);
    assert_string_equal(echo, "b\\x1b[2J\\xff-\xe6\x97\xa5");
    assert_printable(echo);
    free(echo);
    q.request_id = "q\x07\x1b]0;title\x07";
    Planwatch__V1__MsgType t;
    Planwatch__V1__QueryReply *r =
        (Planwatch__V1__QueryReply *)call(st, PLANWATCH__V1__MSG_TYPE__MSG_QUERY, &q.base, &t);
    assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY);
    assert_string_equal(r->request_id, "q\\x07\\x1b]0;title\\x07");
    protobuf_c_message_free_unpacked(&r->base, NULL);

    /* a 200-byte id of 3-byte characters is cut before a character */
    char jp[220] = "";
    for (int k = 0; k < 66; k++)
        strcat(jp, "\xe6\x97\xa5");
    b.batch_id = jp;
    echo = error_of(in, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, PW_EFEED_TOOLONG);
    assert_int_equal(strlen(echo), 126 + strlen("…")); /* 42 characters, then "…" */
    assert_memory_equal(echo, jp, 126);
    assert_string_equal(echo + 126, "…");
    free(echo);

    free(id);
    pw_zsock_close(&in);
    pw_zsock_close(&st);
}

/* Sends n frames (the last a Ping) and returns the ErrorReply's reason. */
static char *too_many_frames(void *d, int n)
{
    Planwatch__V1__Ping p = PLANWATCH__V1__PING__INIT;
    uint8_t *buf;
    size_t len;
    p.from = "frames";
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_PING, &p.base, &buf, &len), 0);
    for (int i = 0; i < n - 1; i++)
        assert_int_equal(zmq_send(d, "x", 1, ZMQ_SNDMORE), 1);
    assert_int_equal(zmq_send(d, buf, len, 0), (int)len);
    free(buf);
    struct pw_frames fr;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    int rc = pw_zsock_recv_msg(d, &fr, 0, &t, &m);
    pw_frames_close(&fr);
    if (rc)
        fail_msg("%d frames: no reply (%s)", n, pw_errname(rc));
    assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_ERROR);
    Planwatch__V1__ErrorReply *e = (Planwatch__V1__ErrorReply *)m;
    assert_int_equal(e->code, PW_EWIRE);
    char *why = strdup(e->reason);
    protobuf_c_message_free_unpacked(m, NULL);
    return why;
}

static void test_too_many_frames(void **state)
{
    struct hs_cluster *c = *state;
    void *d[2] = {dealer(c, c->ep_ingest), dealer(c, c->ep_store)};
    for (int k = 0; k < 2; k++) {
        /* 8 frames with the routing frame: 7 from the client */
        char *why = too_many_frames(d[k], 8);
        assert_non_null(strstr(why, "more than 8 frames"));
        free(why);
        why = too_many_frames(d[k], 100);
        assert_non_null(strstr(why, "more than 8 frames"));
        free(why);
        /* and it keeps serving */
        Planwatch__V1__Ping p = PLANWATCH__V1__PING__INIT;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = call(d[k], PLANWATCH__V1__MSG_TYPE__MSG_PING, &p.base, &t);
        assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_PONG);
        protobuf_c_message_free_unpacked(m, NULL);
        pw_zsock_close(&d[k]);
    }
}

static double ingest_metric(struct hs_cluster *c, const char *series)
{
    int port = atoi(strrchr(c->extra[HS_INGEST][0], ':') + 1);
    return hs_scrape_metric(port, series);
}

static void test_same_batch_twice_at_once(void **state)
{
    struct hs_cluster *c = *state;
    enum { N = 3 };
    Planwatch__V1__IndicatorUpdate u[N], *rows[N];
    char uid[N][32];
    for (int k = 0; k < N; k++) {
        planwatch__v1__indicator_update__init(&u[k]);
        snprintf(uid[k], sizeof uid[k], "twice-%d", k);
        u[k].update_id = uid[k];
        u[k].indicator_id = IND;
        u[k].fiscal_year = 2025;
        u[k].value_micros = (k + 1) * 1000000;
        u[k].basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
        u[k].as_of = "2026-03-31";
        rows[k] = &u[k];
    }
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    b.batch_id = "twice";
    b.office = "test-office";
    b.source = "test";
    b.rows = rows;
    b.n_rows = N;
    void *d[2] = {dealer(c, c->ep_ingest), dealer(c, c->ep_ingest)};
    /* the store holds still until ingest has taken both batches: the
     * second arrives while the first is in flight */
    assert_int_equal(kill(c->pid[HS_STORE], SIGSTOP), 0);
    for (int k = 0; k < 2; k++)
        assert_int_equal(pw_zsock_send(d[k], NULL, 0, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH,
                                       &b.base, 0),
                         0);
    int64_t end = pw_now_ms() + 60000;
    while (ingest_metric(c, "planwatch_ingest_open_batches") < 2 && pw_now_ms() < end)
        ; /* each scrape is a round trip to ingest: paced by it */
    int held = ingest_metric(c, "planwatch_ingest_open_batches") >= 2;
    assert_int_equal(kill(c->pid[HS_STORE], SIGCONT), 0);
    assert_true(held);

    size_t accepted[N] = {0}, duplicate[N] = {0};
    uint64_t seq[N] = {0};
    for (int k = 0; k < 2; k++) {
        struct pw_frames fr;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        assert_int_equal(pw_zsock_recv_msg(d[k], &fr, 0, &t, &m), 0);
        pw_frames_close(&fr);
        assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY);
        Planwatch__V1__FeedReply *r = (Planwatch__V1__FeedReply *)m;
        assert_int_equal(r->n_results, N);
        for (int i = 0; i < N; i++) {
            const Planwatch__V1__RowResult *x = r->results[i];
            accepted[i] += x->status == PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED;
            duplicate[i] += x->status == PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE;
            assert_true(x->seq > 0);
            if (seq[i])
                assert_int_equal(x->seq, seq[i]);
            seq[i] = x->seq;
        }
        protobuf_c_message_free_unpacked(m, NULL);
        pw_zsock_close(&d[k]);
    }
    for (int i = 0; i < N; i++) {
        if (accepted[i] != 1 || duplicate[i] != 1)
            fail_msg("row %d: %zu ACCEPTED and %zu DUPLICATE (want one of each)", i + 1,
                     accepted[i], duplicate[i]);
    }
    /* stored once */
    struct pw_client *st = hs_client(c, HS_STORE, NULL);
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = IND;
    Planwatch__V1__QueryReply *h = hs_query(c, st, &q);
    assert_int_equal(h->n_updates, N);
    planwatch__v1__query_reply__free_unpacked(h, NULL);
    pw_client_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_cut_and_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_batch_twice_at_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
