/* test_envelope.c - the wire envelope: decoding is bounded by the message's
 * size, whatever allocator decodes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "envelope.h"
#include "err.h"
#include "msg.h"
#include "wirepack.h"

/* A FeedBatch of n copies of row, packed. */
static uint8_t *batch_of(Planwatch__V1__IndicatorUpdate *row, size_t n, size_t *len)
{
    Planwatch__V1__IndicatorUpdate **rows = calloc(n, sizeof *rows);
    assert_non_null(rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = row;
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    b.rows = rows;
    b.n_rows = n;
    uint8_t *buf = NULL;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, &buf, len), 0);
    free(rows);
    return buf;
}

/* Empty rows cost 2 bytes on the wire and a whole struct decoded: the
 * decode is refused (PW_ETOOBIG) with malloc and with an arena alike. */
static void test_empty_rows_refused(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate empty = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    size_t len, n = 400000;
    uint8_t *buf = batch_of(&empty, n, &len);
    assert_true(n * sizeof empty > pw_envelope_budget(len)); /* the premise */
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read(buf, len, &type, &m), PW_ETOOBIG);
    assert_null(m);
    struct pw_arena *arena = NULL;
    ProtobufCAllocator a;
    assert_int_equal(pw_arena_open(&arena), 0);
    pw_envelope_arena_allocator(&a, arena);
    assert_int_equal(pw_envelope_read_with(buf, len, &type, &m, &a), PW_ETOOBIG);
    assert_null(m);
    pw_arena_close(&arena);
    assert_string_equal(pw_errname(PW_ETOOBIG), "PW_ETOOBIG");
    assert_non_null(strstr(pw_envelope_why(PW_ETOOBIG), "too many rows"));
    free(buf);
}

/* The largest real batch, of the smallest real rows, fits the budget. */
static void test_largest_real_batch_fits(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    u.update_id = "u";
    u.indicator_id = "i";
    u.fiscal_year = 2025;
    u.value_micros = 1;
    size_t len;
    uint8_t *buf = batch_of(&u, PW_BATCH_MAX_ROWS, &len);
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read(buf, len, &type, &m), 0);
    assert_int_equal(type, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH);
    Planwatch__V1__FeedBatch *b = (Planwatch__V1__FeedBatch *)m;
    assert_int_equal(b->n_rows, PW_BATCH_MAX_ROWS);
    assert_string_equal(b->rows[PW_BATCH_MAX_ROWS - 1]->indicator_id, "i");
    protobuf_c_message_free_unpacked(m, NULL);
    free(buf);
}

/* Garbage and a foreign version are told apart from an oversized decode. */
static void test_refusals_named(void **state)
{
    (void)state;
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read("\xff\x00garbage", 9, &type, &m), PW_EWIRE);
    Planwatch__V1__Envelope env = PLANWATCH__V1__ENVELOPE__INIT;
    env.version = PW_PROTO_VERSION + 1;
    env.type = PLANWATCH__V1__MSG_TYPE__MSG_PING;
    uint8_t buf[64];
    size_t len = planwatch__v1__envelope__pack(&env, buf);
    assert_int_equal(pw_envelope_read(buf, len, &type, &m), PW_EVERSION);
    assert_int_equal(type, PLANWATCH__V1__MSG_TYPE__MSG_PING);
    assert_string_not_equal(pw_envelope_why(PW_EWIRE), pw_envelope_why(PW_EVERSION));
    assert_string_not_equal(pw_envelope_why(PW_EWIRE), pw_envelope_why(PW_ETOOBIG));
}

/* The usual layout (version, type, payload) is read in place; any other
 * valid protobuf layout still reads the same (fields in another order, a
 * field repeated: the last wins), and a cut one is refused. */
static void test_read_layouts(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    u.update_id = "u-1";
    u.indicator_id = "p1-out01";
    u.fiscal_year = 2025;
    uint8_t pl[64], buf[128];
    size_t plen = planwatch__v1__indicator_update__pack(&u, pl), n = 0;
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    /* payload, type, version, version again */
    buf[n++] = (3 << 3) | 2;
    buf[n++] = (uint8_t)plen;
    memcpy(buf + n, pl, plen);
    n += plen;
    buf[n++] = (2 << 3) | 0;
    buf[n++] = PLANWATCH__V1__MSG_TYPE__MSG_UPDATE;
    buf[n++] = (1 << 3) | 0;
    buf[n++] = 7;
    buf[n++] = (1 << 3) | 0;
    buf[n++] = PW_PROTO_VERSION;
    assert_int_equal(pw_envelope_read(buf, n, &type, &m), 0);
    assert_int_equal(type, PLANWATCH__V1__MSG_TYPE__MSG_UPDATE);
    assert_string_equal(((Planwatch__V1__IndicatorUpdate *)m)->indicator_id, "p1-out01");
    protobuf_c_message_free_unpacked(m, NULL);
    /* the usual layout, whole and then cut at every byte */
    Planwatch__V1__Envelope env = PLANWATCH__V1__ENVELOPE__INIT;
    env.version = PW_PROTO_VERSION;
    env.type = PLANWATCH__V1__MSG_TYPE__MSG_UPDATE;
    env.payload.data = pl;
    env.payload.len = plen;
    n = planwatch__v1__envelope__pack(&env, buf);
    assert_int_equal(pw_envelope_read(buf, n, &type, &m), 0);
    assert_int_equal(((Planwatch__V1__IndicatorUpdate *)m)->fiscal_year, 2025);
    protobuf_c_message_free_unpacked(m, NULL);
    for (size_t cut = 1; cut < n; cut++) {
        m = NULL;
        int rc = pw_envelope_read(buf, cut, &type, &m);
        if (cut == 4) { /* version and type whole, no payload: an empty update */
            assert_int_equal(rc, 0);
            protobuf_c_message_free_unpacked(m, NULL);
            continue;
        }
        assert_true(rc == PW_EWIRE || rc == PW_EVERSION);
        assert_null(m);
    }
}

/* The store stamps each update's bytes (as ingest packed them) with its
 * received time and seq by appending them: the stamped bytes decode to the
 * update with those two fields set and all else equal. */
static void test_stamp(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u[2], *up[2] = {&u[0], &u[1]};
    for (int i = 0; i < 2; i++) {
        planwatch__v1__indicator_update__init(&u[i]);
        u[i].update_id = i ? "u-2" : "u-1";
        u[i].indicator_id = "p1-out01";
        u[i].fiscal_year = 2025 + i;
        u[i].value_micros = -1500000;
        u[i].received_ns = 111; /* ingest's: the store's replaces it */
        u[i].ingest_seq = 7 + (uint64_t)i;
    }
    uint8_t packed[2][256];
    struct pw_packed it[2];
    for (size_t i = 0; i < 2; i++) {
        it[i].len = planwatch__v1__indicator_update__pack(up[i], packed[i]);
        it[i].data = packed[i];
    }
    for (size_t i = 0; i < 2; i++) {
        int64_t at = INT64_C(1765000000123456789);
        uint64_t seq = UINT64_C(1) << 40 | i;
        uint8_t out[256];
        size_t sz = pw_wirepack_update_stamp_size(it[i].len, at, seq);
        assert_true(sz <= sizeof out);
        assert_int_equal(pw_wirepack_update_stamp(it[i].data, it[i].len, at, seq, out), sz);
        Planwatch__V1__IndicatorUpdate *d = planwatch__v1__indicator_update__unpack(NULL, sz, out);
        assert_non_null(d);
        assert_string_equal(d->update_id, u[i].update_id);
        assert_int_equal(d->fiscal_year, u[i].fiscal_year);
        assert_int_equal(d->value_micros, -1500000);
        assert_int_equal(d->ingest_seq, u[i].ingest_seq);
        assert_int_equal(d->received_ns, at);
        assert_int_equal(d->seq, seq);
        /* the same as packing the stamped update anew */
        u[i].received_ns = at;
        u[i].seq = seq;
        assert_true(pw_msg_same_figure(d, &u[i]));
        planwatch__v1__indicator_update__free_unpacked(d, NULL);
    }
}

/* An UpdateBatch built from updates packed once decodes to the same
 * updates, in order, field for field; the envelope is the one
 * pw_envelope_pack makes of the same UpdateBatch, byte for byte. */
static void test_pack_items(void **state)
{
    (void)state;
    enum { N = 300 }; /* lengths and counts past one varint byte */
    Planwatch__V1__IndicatorUpdate u[N], *up[N];
    uint8_t *packed[N];
    struct pw_packed items[N];
    char ids[N][48];
    for (size_t i = 0; i < N; i++) {
        planwatch__v1__indicator_update__init(&u[i]);
        snprintf(ids[i], sizeof ids[i], "00000000-0000-4000-8000-%012zu", i);
        u[i].update_id = ids[i];
        u[i].indicator_id = "p3-out11";
        u[i].fiscal_year = 2025;
        u[i].value_micros = (int64_t)i * 1000000 - 7;
        u[i].note = i % 2 ? "note" : "";
        u[i].ingest_seq = i + 1;
        u[i].ingest_epoch = 0xfedcba9876543210ull;
        items[i].len = planwatch__v1__indicator_update__get_packed_size(&u[i]);
        packed[i] = malloc(items[i].len);
        assert_non_null(packed[i]);
        planwatch__v1__indicator_update__pack(&u[i], packed[i]);
        items[i].data = packed[i];
        up[i] = &u[i];
    }
    uint8_t *buf = NULL, *ref = NULL;
    size_t len = 0, rlen = 0;
    assert_int_equal(pw_envelope_pack_items(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, 1, items, N,
                                            &buf, &len),
                     0);
    Planwatch__V1__UpdateBatch ub = PLANWATCH__V1__UPDATE_BATCH__INIT;
    ub.updates = up;
    ub.n_updates = N;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, &ub.base, &ref, &rlen), 0);
    assert_int_equal(len, rlen);
    assert_memory_equal(buf, ref, len);
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read(buf, len, &type, &m), 0);
    assert_int_equal(type, PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH);
    Planwatch__V1__UpdateBatch *got = (Planwatch__V1__UpdateBatch *)m;
    assert_int_equal(got->n_updates, N);
    for (size_t i = 0; i < N; i++) {
        assert_string_equal(got->updates[i]->update_id, ids[i]);
        assert_int_equal(got->updates[i]->value_micros, u[i].value_micros);
        assert_int_equal(got->updates[i]->ingest_seq, i + 1);
        assert_string_equal(got->updates[i]->note, u[i].note);
        free(packed[i]);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    free(buf);
    free(ref);
}

/* Cutting a run for the streams: as many items as fit in max bytes of
 * items (key, length, bytes each), at least one, none of nothing. */
static void test_items_fit(void **state)
{
    (void)state;
    static uint8_t big[300];
    struct pw_packed it[4] = {{big, 100}, {big, 100}, {big, 200}, {big, 10}};
    /* each of 100 bytes takes 1 + 1 + 100; the one of 200 takes 1 + 2 + 200 */
    assert_int_equal(pw_envelope_items_fit(1, it, 4, 204), 2);
    assert_int_equal(pw_envelope_items_fit(1, it, 4, 203), 1);
    assert_int_equal(pw_envelope_items_fit(1, it, 4, 407), 3);
    assert_int_equal(pw_envelope_items_fit(1, it, 4, 10000), 4);
    assert_int_equal(pw_envelope_items_fit(1, it + 2, 2, 50), 1); /* too big: alone */
    assert_int_equal(pw_envelope_items_fit(1, it, 0, 50), 0);
    /* what fits packs into an envelope whose items take at most max */
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(pw_envelope_pack_items(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, 1, it,
                                            pw_envelope_items_fit(1, it, 4, 204), &buf, &len),
                     0);
    assert_true(len <= 204 + 16);
    free(buf);
}

/* No items: an empty UpdateBatch, still a valid envelope. */
static void test_pack_items_empty(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(
        pw_envelope_pack_items(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, 1, NULL, 0, &buf, &len), 0);
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read(buf, len, &type, &m), 0);
    assert_int_equal(((Planwatch__V1__UpdateBatch *)m)->n_updates, 0);
    protobuf_c_message_free_unpacked(m, NULL);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_rows_refused),
        cmocka_unit_test(test_largest_real_batch_fits),
        cmocka_unit_test(test_refusals_named),
        cmocka_unit_test(test_read_layouts),
        cmocka_unit_test(test_stamp),
        cmocka_unit_test(test_pack_items),
        cmocka_unit_test(test_pack_items_empty),
        cmocka_unit_test(test_items_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
