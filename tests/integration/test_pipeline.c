/* test_pipeline.c - ingest + store with real processes, sockets and LMDB:
 * the seeds' sample feeds go through and the store's status equals the
 * library's own evaluation; resends are idempotent, corrections are new
 * revisions, an id reused for another figure is refused; a store that is
 * down gives a clear "unavailable" and nothing half-done; garbage and
 * wrong-version messages get clean errors while the services keep serving;
 * a second store on the same data dir is refused; a large batch goes down
 * the update streams in messages of bounded size. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "dec.h"
#include "envelope.h"
#include "err.h"
#include "eval.h"
#include "feed.h"
#include "fy.h"
#include "harness.h"
#include "history.h"
#include "msg.h"
#include "zsock.h"

/* A feed file's rows as wire updates with ids "<tag>:<row>". */
struct rows {
    struct pw_feed *feed;
    Planwatch__V1__IndicatorUpdate *u;
    Planwatch__V1__IndicatorUpdate **p;
    char (*ids)[80];
    char (*as_of)[11];
    size_t n;
};

static void rows_load(struct rows *r, const char *rel, const char *tag)
{
    struct pw_diag d = {0};
    memset(r, 0, sizeof *r);
    assert_int_equal(pw_feed_parse_file(&r->feed, NULL, hs_src(rel), pw_day_from_ymd(2026, 11, 21), &d), 0);
    assert_int_equal(pw_feed_nerrors(r->feed), 0);
    r->n = pw_feed_nrows(r->feed);
    r->u = calloc(r->n, sizeof *r->u);
    r->p = calloc(r->n, sizeof *r->p);
    r->ids = calloc(r->n, sizeof *r->ids);
    r->as_of = calloc(r->n, sizeof *r->as_of);
    for (size_t i = 0; i < r->n; i++) {
        const struct pw_feed_row *fr = pw_feed_row(r->feed, i);
        pw_msg_update_from_row(&r->u[i], fr, r->as_of[i]);
        snprintf(r->ids[i], sizeof r->ids[i], "%s:%d", tag, fr->row);
        r->u[i].update_id = r->ids[i];
        r->p[i] = &r->u[i];
    }
}

static void rows_free(struct rows *r)
{
    pw_feed_close(&r->feed);
    free(r->u);
    free(r->p);
    free(r->ids);
    free(r->as_of);
}

static int setup(void **state)
{
    struct hs_cluster *c = calloc(1, sizeof *c);
    hs_init(c, "pipeline", "2026-03-31");
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    hs_fini(*state);
    free(*state);
    return 0;
}

static size_t count_status(const Planwatch__V1__FeedReply *r, Planwatch__V1__RowStatus st)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_results; i++)
        k += r->results[i]->status == st;
    return k;
}

/* The sample feeds go through; the store's status snapshot at 2025-03-31
 * and 2026-03-31 equals the library's evaluation of the same rows. */
static void test_sample_feeds_status(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *in = NULL, *st = NULL;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    assert_int_equal(pw_client_open(c->ctx, c->ep_ingest, &in), 0);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);

    static const char *files[] = {"catalog/feeds/plan2-fy2022.csv", "catalog/feeds/plan2-fy2024.csv",
                                  "catalog/feeds/plan3-fy2025.csv"};
    struct pw_catalog *cat = NULL;
    struct pw_history *h = NULL;
    assert_int_equal(pw_catalog_load_default(&cat, NULL), 0);
    assert_int_equal(pw_history_open(&h, cat), 0);
    size_t total = 0;
    for (int f = 0; f < 3; f++) {
        struct rows r;
        char tag[8];
        snprintf(tag, sizeof tag, "f%d", f);
        rows_load(&r, files[f], tag);
        Planwatch__V1__FeedReply *rep = hs_feed_rows(in, "office-a", r.p, r.n, 15000);
        assert_non_null(rep);
        assert_int_equal(rep->accepted, r.n);
        assert_int_equal(count_status(rep, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED), r.n);
        for (size_t i = 0; i < rep->n_results; i++)
            assert_true(rep->results[i]->seq > 0);
        planwatch__v1__feed_reply__free_unpacked(rep, NULL);
        for (size_t i = 0; i < r.n; i++) {
            const struct pw_indicator *ind = pw_catalog_find(cat, r.u[i].indicator_id);
            struct pw_obs o;
            pw_msg_obs_from_update(&o, &r.u[i], ind);
            assert_int_equal(pw_history_add(h, ind, &o), 0);
        }
        total += r.n;
        rows_free(&r);
    }

    static const char *days[] = {"2023-03-31", "2025-03-31", "2026-03-31"};
    for (int d = 0; d < 3; d++) {
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_STATUS;
        q.as_of = (char *)days[d];
        Planwatch__V1__QueryReply *rep = hs_query(c, st, &q);
        assert_int_equal(rep->seq, total);
        struct pw_status_row *rows = NULL;
        size_t n = 0;
        int32_t day;
        pw_day_parse(days[d], &day);
        assert_int_equal(pw_history_eval_all(h, day, PW_KNOWN_ALL, &rows, &n), 0);
        assert_int_equal(rep->n_rows, n);
        for (size_t i = 0; i < n; i++) {
            struct pw_eval e;
            assert_string_equal(rep->rows[i]->indicator_id, rows[i].ind->id);
            assert_int_equal(pw_msg_eval_from_row(&e, rep->rows[i]), 0);
            assert_int_equal(e.status, rows[i].ev.status);
            assert_int_equal(e.grade, rows[i].ev.grade);
            assert_true(e.expected == rows[i].ev.expected && e.actual == rows[i].ev.actual);
            assert_string_equal(e.explanation, rows[i].ev.explanation);
        }
        free(rows);
        planwatch__v1__query_reply__free_unpacked(rep, NULL);
    }
    /* the class III/IV approvals row the seeds make an example of */
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = "p2-pj2-class34-approvals";
    Planwatch__V1__QueryReply *hr = hs_query(c, st, &q);
    assert_int_equal(hr->n_updates, 2); /* FY2022 and FY2024 */
    assert_int_equal(hr->updates[0]->fiscal_year, 2022);
    assert_true(hr->updates[0]->value_micros == PW_DEC(5));
    assert_string_equal(hr->updates[0]->office, "office-a");
    assert_true(hr->updates[0]->received_ns > 0);
    planwatch__v1__query_reply__free_unpacked(hr, NULL);

    pw_history_close(&h);
    pw_catalog_close(&cat);
    pw_client_close(&in);
    pw_client_close(&st);
}

static Planwatch__V1__IndicatorUpdate mk(const char *uid, const char *id, int fy, int64_t v)
{
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    u.update_id = (char *)uid;
    u.indicator_id = (char *)id;
    u.fiscal_year = fy;
    u.value_micros = v;
    u.row = 1;
    return u;
}

static size_t history_len(struct hs_cluster *c, struct pw_client *st, const char *id)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = (char *)id;
    Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
    size_t n = r->n_updates;
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return n;
}

/* Resending a batch yields one stored copy; a correction is a second
 * revision and the status uses it; an id reused for another figure is
 * refused and nothing is overwritten. */
static void test_idempotence_and_corrections(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *in = NULL, *st = NULL;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    assert_int_equal(pw_client_open(c->ctx, c->ep_ingest, &in), 0);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    const char *id = "p3-out11-core-hospital-trials";
    Planwatch__V1__IndicatorUpdate u = mk("u-1", id, 2025, PW_DEC(340));
    Planwatch__V1__IndicatorUpdate *p = &u;

    Planwatch__V1__FeedReply *r1 = hs_feed_rows(in, "o", &p, 1, 10000);
    assert_non_null(r1);
    assert_int_equal(r1->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    uint64_t seq = r1->results[0]->seq;
    Planwatch__V1__FeedReply *r2 = hs_feed_rows(in, "o", &p, 1, 10000);
    assert_non_null(r2);
    assert_int_equal(r2->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE);
    assert_int_equal(r2->results[0]->seq, seq);
    assert_int_equal(history_len(c, st, id), 1);

    /* 340 < 360 per year: AT_RISK; the correction to 379 puts it on track */
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_STATUS;
    q.as_of = "2026-03-31";
    q.plan = "p3";
    Planwatch__V1__QueryReply *s1 = hs_query(c, st, &q);
    int found = 0;
    for (size_t i = 0; i < s1->n_rows; i++)
        if (!strcmp(s1->rows[i]->indicator_id, id)) {
            assert_int_equal(s1->rows[i]->status, PLANWATCH__V1__STATUS__STATUS_AT_RISK);
            found = 1;
        }
    assert_true(found);
    Planwatch__V1__IndicatorUpdate fix = mk("u-2", id, 2025, PW_DEC(379));
    p = &fix;
    Planwatch__V1__FeedReply *r3 = hs_feed_rows(in, "o", &p, 1, 10000);
    assert_int_equal(r3->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    assert_int_equal(r3->results[0]->seq, seq + 1);
    assert_int_equal(history_len(c, st, id), 2);
    Planwatch__V1__QueryReply *s2 = hs_query(c, st, &q);
    for (size_t i = 0; i < s2->n_rows; i++)
        if (!strcmp(s2->rows[i]->indicator_id, id))
            assert_int_equal(s2->rows[i]->status, PLANWATCH__V1__STATUS__STATUS_ON_TRACK);

    /* the same id for a different figure: refused, not overwritten */
    Planwatch__V1__IndicatorUpdate bad = mk("u-1", id, 2025, PW_DEC(999));
    p = &bad;
    Planwatch__V1__FeedReply *r4 = hs_feed_rows(in, "o", &p, 1, 10000);
    assert_int_equal(r4->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED);
    assert_int_equal(r4->results[0]->code, PW_ECONFLICT);
    assert_int_equal(history_len(c, st, id), 2);

    /* two rows with the same id in one batch: the second is rejected */
    Planwatch__V1__IndicatorUpdate a = mk("u-3", id, 2025, PW_DEC(1)), b = mk("u-3", id, 2025, PW_DEC(1));
    Planwatch__V1__IndicatorUpdate *ab[] = {&a, &b};
    Planwatch__V1__FeedReply *r5 = hs_feed_rows(in, "o", ab, 2, 10000);
    assert_int_equal(r5->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    assert_int_equal(r5->results[1]->status, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED);
    assert_int_equal(r5->results[1]->code, PW_EFEED_DUPROW);

    planwatch__v1__feed_reply__free_unpacked(r1, NULL);
    planwatch__v1__feed_reply__free_unpacked(r2, NULL);
    planwatch__v1__feed_reply__free_unpacked(r3, NULL);
    planwatch__v1__feed_reply__free_unpacked(r4, NULL);
    planwatch__v1__feed_reply__free_unpacked(r5, NULL);
    planwatch__v1__query_reply__free_unpacked(s1, NULL);
    planwatch__v1__query_reply__free_unpacked(s2, NULL);
    pw_client_close(&in);
    pw_client_close(&st);
}

/* With the store down, rows are answered UNAVAILABLE and nothing is stored;
 * once it is up the same batch goes through. Validation still answers. */
static void test_store_down(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *in = NULL, *st = NULL;
    hs_spawn(c, HS_INGEST);
    assert_int_equal(pw_client_open(c->ctx, c->ep_ingest, &in), 0);
    Planwatch__V1__IndicatorUpdate good = mk("d-1", "p3-out11-core-hospital-trials", 2025, PW_DEC(10));
    Planwatch__V1__IndicatorUpdate unknown = mk("d-2", "no-such-indicator", 2025, PW_DEC(10));
    Planwatch__V1__IndicatorUpdate *rows[] = {&good, &unknown};
    Planwatch__V1__FeedReply *r = hs_feed_rows(in, "o", rows, 2, 20000);
    assert_non_null(r);
    assert_int_equal(r->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE);
    assert_int_equal(r->results[0]->code, PW_EUNAVAILABLE);
    assert_int_equal(r->results[1]->status, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED);
    assert_int_equal(r->results[1]->code, PW_EFEED_ID);
    assert_string_equal(r->results[1]->field, "indicator_id");
    planwatch__v1__feed_reply__free_unpacked(r, NULL);

    hs_start(c, HS_STORE);
    assert_int_equal(hs_wait_ready(c, HS_INGEST, 20000), 0);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    assert_int_equal(history_len(c, st, "p3-out11-core-hospital-trials"), 0);
    r = hs_feed_rows(in, "o", rows, 1, 10000);
    assert_int_equal(r->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    assert_int_equal(history_len(c, st, "p3-out11-core-hospital-trials"), 1);
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    pw_client_close(&in);
    pw_client_close(&st);
}

/* The update stream in the shapes the store's hand reader leaves to
 * protobuf-c: a single IndicatorUpdate (MSG_UPDATE) and an UpdateBatch whose
 * update carries a field this release does not know (a newer ingest's). The
 * store stores and acks both, stamped with its seq and time, and the
 * unknown field is kept. The test stands in for ingest: it publishes on
 * ingest's update endpoint and takes the acks on its inbox. */
static void test_store_takes_other_shapes(void **state)
{
    struct hs_cluster *c = *state;
    hs_start(c, HS_STORE);
    void *pub = NULL, *pull = NULL;
    char ep[64];
    assert_int_equal(pw_zsock_new(c->ctx, ZMQ_PUB, 0, &pub), 0);
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", c->port[1]);
    assert_int_equal(zmq_bind(pub, ep), 0);
    assert_int_equal(pw_zsock_new(c->ctx, ZMQ_PULL, 0, &pull), 0);
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", c->port[2]);
    assert_int_equal(zmq_bind(pull, ep), 0);

    const char *ids[2] = {"p3-out11-core-hospital-trials", "p3-pj1-out01-licensing"};
    Planwatch__V1__IndicatorUpdate one = mk("shape:1", ids[0], 2025, PW_DEC(340));
    uint8_t *single = NULL, *batch = NULL;
    size_t nsingle = 0, nbatch = 0;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE, &one.base, &single,
                                      &nsingle),
                     0);
    Planwatch__V1__IndicatorUpdate two = mk("shape:2", ids[1], 2025, PW_DEC(3));
    uint8_t upd[256];
    size_t ulen = planwatch__v1__indicator_update__pack(&two, upd);
    upd[ulen++] = 0x98; /* field 99, a varint: 7 */
    upd[ulen++] = 0x06;
    upd[ulen++] = 0x07;
    struct pw_packed item = {upd, ulen};
    assert_int_equal(pw_envelope_pack_items(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, 1, &item, 1,
                                            &batch, &nbatch),
                     0);
    /* resent until both are acked: the first ones may go before the store's
     * subscription reaches the publisher; resends are duplicates */
    uint64_t seq[2] = {0, 0};
    int rcvtimeo = 200;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    for (int tries = 0; tries < 300 && (!seq[0] || !seq[1]); tries++) {
        assert_int_equal(zmq_send(pub, "updates", 7, ZMQ_SNDMORE), 7);
        assert_int_equal(zmq_send(pub, single, nsingle, 0), (int)nsingle);
        assert_int_equal(zmq_send(pub, "updates", 7, ZMQ_SNDMORE), 7);
        assert_int_equal(zmq_send(pub, batch, nbatch, 0), (int)nbatch);
        struct pw_frames fr;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        while (pw_zsock_recv_msg(pull, &fr, 0, &t, &m) == 0) {
            const Planwatch__V1__StoreAck *a = (const Planwatch__V1__StoreAck *)m;
            /* the inbox also gets the store's heartbeats */
            for (size_t i = 0; t == PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK && i < a->n_items; i++) {
                assert_int_equal(a->items[i]->code, 0);
                int k = strcmp(a->items[i]->update_id, "shape:1") == 0 ? 0 : 1;
                assert_true(a->items[i]->seq > 0);
                seq[k] = a->items[i]->seq;
            }
            protobuf_c_message_free_unpacked(m, NULL);
            pw_frames_close(&fr);
        }
        pw_frames_close(&fr);
    }
    assert_true(seq[0] > 0 && seq[1] > 0);
    /* each stored once, stamped, the unknown field kept */
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    for (int k = 0; k < 2; k++) {
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
        q.indicator_id = (char *)ids[k];
        Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
        assert_int_equal(r->n_updates, 1);
        const Planwatch__V1__IndicatorUpdate *u = r->updates[0];
        assert_int_equal(u->seq, seq[k]);
        assert_true(u->received_ns > 0);
        assert_true(u->value_micros == (k ? PW_DEC(3) : PW_DEC(340)));
        assert_int_equal(u->base.n_unknown_fields, k);
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    }
    pw_client_close(&st);
    free(single);
    free(batch);
    pw_zsock_close(&pub);
    pw_zsock_close(&pull);
}

/* A subscriber of ep on topic, listening once it got a heartbeat (hb). */
static void *stream_sub(struct hs_cluster *c, int port, const char *topic, const char *hb)
{
    void *sub = NULL;
    char ep[64];
    assert_int_equal(pw_zsock_new(c->ctx, ZMQ_SUB, 0, &sub), 0);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, strlen(topic));
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, hb, strlen(hb));
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    assert_int_equal(pw_zsock_connect(sub, ep), 0);
    for (;;) {
        struct pw_frames fr;
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        assert_int_equal(zmq_poll(&it, 1, 20000), 1);
        assert_int_equal(pw_zsock_recv(sub, &fr, 0), 0);
        int is_hb = fr.n == 2 && zmq_msg_size(&fr.f[0]) == strlen(hb) &&
                    !memcmp(zmq_msg_data(&fr.f[0]), hb, strlen(hb));
        pw_frames_close(&fr);
        if (is_hb)
            return sub;
    }
}

/* Reads UpdateBatch messages from sub until want updates came: each at
 * most PW_STREAM_MSG_BYTES of items (plus the envelope's few bytes);
 * seqs, when asked for, contiguous from first. Returns the messages. */
static size_t stream_read(void *sub, size_t want, uint64_t first)
{
    size_t got = 0, msgs = 0;
    while (got < want) {
        struct pw_frames fr;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        assert_int_equal(zmq_poll(&it, 1, 20000), 1);
        assert_int_equal(pw_zsock_recv_msg(sub, &fr, 0, &t, &m), 0);
        size_t len;
        pw_frames_body(&fr, &len);
        if (t == PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH) {
            const Planwatch__V1__UpdateBatch *b = (const Planwatch__V1__UpdateBatch *)m;
            if (len > PW_STREAM_MSG_BYTES + 16)
                fail_msg("a message of %zu bytes (%zu updates)", len, b->n_updates);
            for (size_t i = 0; i < b->n_updates; i++, got++)
                if (first)
                    assert_int_equal(b->updates[i]->seq, first + got);
            msgs++;
        }
        protobuf_c_message_free_unpacked(m, NULL);
        pw_frames_close(&fr);
    }
    return msgs;
}

/* A large batch goes down the update streams in messages of at most
 * PW_STREAM_MSG_BYTES (what bounds a slow peer's queue in bytes), every
 * update once and in order. */
static void test_streams_cut_messages(void **state)
{
    struct hs_cluster *c = *state;
    enum { N = 2000 };
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    void *from_ingest = stream_sub(c, c->port[1], "updates", "hb.ingest");
    void *from_store = stream_sub(c, c->port[4], "update.", "hb.store");
    struct pw_client *in = NULL;
    assert_int_equal(pw_client_open(c->ctx, c->ep_ingest, &in), 0);
    Planwatch__V1__IndicatorUpdate *u = calloc(N, sizeof *u), **p = calloc(N, sizeof *p);
    char (*uid)[32] = calloc(N, sizeof *uid);
    for (size_t i = 0; i < N; i++) {
        snprintf(uid[i], sizeof uid[i], "cut:%zu", i);
        u[i] = mk(uid[i], "p3-out11-core-hospital-trials", 2025, PW_DEC((int64_t)i));
        u[i].note = "a revision of the same figure, long enough to weigh on the message size";
        p[i] = &u[i];
    }
    Planwatch__V1__FeedReply *r = hs_feed_rows(in, "o", p, N, 60000);
    assert_non_null(r);
    assert_int_equal(count_status(r, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED), N);
    uint64_t first = r->results[0]->seq;
    for (size_t i = 0; i < N; i++)
        if (r->results[i]->seq < first)
            first = r->results[i]->seq;
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    /* about 200 bytes an update: 400 KB, so several messages each way */
    assert_true(stream_read(from_ingest, N, 0) >= 4);
    assert_true(stream_read(from_store, N, first) >= 4);
    pw_client_close(&in);
    pw_zsock_close(&from_ingest);
    pw_zsock_close(&from_store);
    free(u);
    free(p);
    free(uid);
}

/* Garbage, truncated and wrong-version messages get an error reply and the
 * service keeps serving; a second store on the same data dir is refused. */
static void test_bad_messages_and_second_store(void **state)
{
    struct hs_cluster *c = *state;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    static const char *eps[2];
    eps[0] = c->ep_ingest;
    eps[1] = c->ep_store;
    for (int e = 0; e < 2; e++) {
        void *d = NULL;
        assert_int_equal(pw_zsock_new(c->ctx, ZMQ_DEALER, 0, &d), 0);
        assert_int_equal(pw_zsock_connect(d, eps[e]), 0);
        /* garbage */
        assert_int_equal(zmq_send(d, "\xff\x00garbage", 9, 0), 9);
        /* an envelope of version 2 */
        Planwatch__V1__Envelope env = PLANWATCH__V1__ENVELOPE__INIT;
        uint8_t buf[64];
        env.version = 2;
        env.type = PLANWATCH__V1__MSG_TYPE__MSG_PING;
        size_t len = planwatch__v1__envelope__pack(&env, buf);
        assert_int_equal(zmq_send(d, buf, len, 0), (int)len);
        int expect[2] = {PW_EWIRE, PW_EVERSION};
        for (int k = 0; k < 2; k++) {
            struct pw_frames fr;
            Planwatch__V1__MsgType t;
            ProtobufCMessage *m = NULL;
            int rcvtimeo = 5000;
            zmq_setsockopt(d, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
            assert_int_equal(pw_zsock_recv_msg(d, &fr, 0, &t, &m), 0);
            assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_ERROR);
            assert_int_equal(((Planwatch__V1__ErrorReply *)m)->code, expect[k]);
            protobuf_c_message_free_unpacked(m, NULL);
            pw_frames_close(&fr);
        }
        pw_zsock_close(&d);
    }
    /* still serving */
    assert_int_equal(hs_wait_ready(c, HS_STORE, 5000), 0);
    assert_int_equal(hs_wait_ready(c, HS_INGEST, 5000), 0);

    /* a second store on the same data dir exits with status 1 and says why */
    struct hs_cluster twin = *c;
    twin.pid[HS_STORE] = 0;
    for (int i = 0; i < 6; i++)
        twin.port[i] = c->port[i] + 0; /* same dir; ports do not matter: it stops before */
    hs_spawn(&twin, HS_STORE);
    int rc = hs_stop(&twin, HS_STORE, 0);
    assert_int_equal(rc, 1);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "grep -q 'another store is running on this data dir' %s/store.log", c->dir);
    assert_int_equal(system(cmd), 0);

    /* the same for the alert service */
    hs_start(c, HS_ALERT);
    twin.pid[HS_ALERT] = 0;
    hs_spawn(&twin, HS_ALERT);
    assert_int_equal(hs_stop(&twin, HS_ALERT, 0), 1);
    snprintf(cmd, sizeof cmd, "grep -q 'PW_ELOCKED' %s/alert.log", c->dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sample_feeds_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotence_and_corrections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_down, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_takes_other_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streams_cut_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_messages_and_second_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
