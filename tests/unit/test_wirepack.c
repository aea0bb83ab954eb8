/* test_wirepack.c - the hand encoders of IndicatorUpdate and of the
 * FeedReply envelope write exactly the bytes protobuf-c writes
 * (pw_envelope_pack for the reply), for random messages with every field
 * empty, small, large or negative; they hand unknown fields to protobuf-c;
 * the hand decoder of StoreAck reads what protobuf-c reads from every ack
 * the store can write, and of damaged ones accepts only what protobuf-c
 * reads the same way (the rest it leaves to protobuf-c); and the messages
 * still have the fields they were written for (a field added to
 * planwatch.proto fails here until wirepack.c learns it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "envelope.h"
#include "err.h"
#include "msg.h"
#include "wirepack.h"
#include "../support/ts_msg.h"

static uint64_t rng_state = UINT64_C(0x853c49e6748fea9b);

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* 0, a small value, a large one, the extremes, or anything. */
static uint64_t rnd_u64(void)
{
    switch (rng() % 6) {
    case 0:
        return 0;
    case 1:
        return rng() % 200;
    case 2:
        return rng() % 100000;
    case 3:
        return UINT64_MAX;
    case 4:
        return (uint64_t)INT64_MIN;
    default:
        return rng();
    }
}

static int32_t rnd_i32(void)
{
    switch (rng() % 5) {
    case 0:
        return 0;
    case 1:
        return (int32_t)(rng() % 3000);
    case 2:
        return -(int32_t)(rng() % 3000);
    case 3:
        return rng() % 2 ? INT32_MIN : INT32_MAX;
    default:
        return (int32_t)(uint32_t)rng();
    }
}

/* NULL, "", or 1-300 bytes (none NUL; lengths across the 1- and 2-byte
 * length prefixes). */
static char *rnd_str(char *buf)
{
    switch (rng() % 4) {
    case 0:
        return NULL;
    case 1:
        buf[0] = '\0';
        return buf;
    default: {
        size_t n = 1 + rng() % 300;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(1 + rng() % 255);
        buf[n] = '\0';
        return buf;
    }
    }
}

static void assert_same_bytes(const Planwatch__V1__IndicatorUpdate *u)
{
    static uint8_t want[4096], got[4096];
    size_t n = planwatch__v1__indicator_update__get_packed_size(u);
    assert_true(n <= sizeof want);
    assert_int_equal(pw_wirepack_update_size(u), n);
    assert_int_equal(planwatch__v1__indicator_update__pack(u, want), n);
    memset(got, 0xa5, sizeof got);
    assert_int_equal(pw_wirepack_update_pack(u, got), n);
    assert_memory_equal(got, want, n);
    assert_int_equal(got[n], 0xa5); /* nothing written past the size */
}

static void random_updates_pack_alike(void **state)
{
    (void)state;
    static char s[5][400];
    for (int k = 0; k < 20000; k++) {
        Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
        u.update_id = rnd_str(s[0]);
        u.indicator_id = rnd_str(s[1]);
        u.fiscal_year = rnd_i32();
        u.value_micros = (int64_t)rnd_u64();
        u.basis = (Planwatch__V1__Basis)(rng() % 4 ? rng() % 3 : (uint64_t)rnd_i32());
        u.preliminary = (protobuf_c_boolean)(rng() % 3);
        u.as_of = rnd_str(s[2]);
        u.office = rnd_str(s[3]);
        u.note = rnd_str(s[4]);
        u.received_ns = (int64_t)rnd_u64();
        u.seq = rnd_u64();
        u.ingest_epoch = rnd_u64();
        u.ingest_seq = rnd_u64();
        u.row = rnd_i32();
        u.retracted = (protobuf_c_boolean)(rng() % 3);
        u.id_derived = (protobuf_c_boolean)(rng() % 3);
        assert_same_bytes(&u);
    }
}

/* Everything empty, then one field at a time set. */
static void each_field_alone(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    assert_same_bytes(&u);
    assert_int_equal(pw_wirepack_update_size(&u), 0);
    Planwatch__V1__IndicatorUpdate v = u;
    v.retracted = 1;
    assert_same_bytes(&v);
    v = u;
    v.id_derived = 1;
    assert_same_bytes(&v);
    v = u;
    v.fiscal_year = -1;
    assert_same_bytes(&v);
    assert_int_equal(pw_wirepack_update_size(&v), 11); /* tag + 10-byte sign extension */
    v = u;
    v.value_micros = INT64_MIN;
    assert_same_bytes(&v);
    v = u;
    v.note = "速報値";
    assert_same_bytes(&v);
}

/* Unknown fields (a newer sender's) are kept: protobuf-c packs those. */
static void unknown_fields_go_to_protobuf_c(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    uint8_t buf[256];
    u.update_id = "u-1";
    u.fiscal_year = 2026;
    size_t n = planwatch__v1__indicator_update__pack(&u, buf);
    buf[n++] = 0x98; /* field 99, varint: tag 792 = 0x98 0x06 */
    buf[n++] = 0x06;
    buf[n++] = 0x2a;
    Planwatch__V1__IndicatorUpdate *d = planwatch__v1__indicator_update__unpack(NULL, n, buf);
    assert_non_null(d);
    assert_int_equal(d->base.n_unknown_fields, 1);
    assert_int_equal(pw_wirepack_update_size(d), n);
    assert_same_bytes(d);
    planwatch__v1__indicator_update__free_unpacked(d, NULL);
}

/* The shape wirepack.c encodes: number, name and type of every field, in
 * the descriptor's (number) order. */
static void the_message_has_the_fields_wirepack_knows(void **state)
{
    (void)state;
    static const struct {
        unsigned id;
        const char *name;
        ProtobufCType type;
    } want[] = {
        {1, "update_id", PROTOBUF_C_TYPE_STRING},  {2, "indicator_id", PROTOBUF_C_TYPE_STRING},
        {3, "fiscal_year", PROTOBUF_C_TYPE_INT32}, {4, "value_micros", PROTOBUF_C_TYPE_SINT64},
        {5, "basis", PROTOBUF_C_TYPE_ENUM},        {6, "preliminary", PROTOBUF_C_TYPE_BOOL},
        {7, "as_of", PROTOBUF_C_TYPE_STRING},      {8, "office", PROTOBUF_C_TYPE_STRING},
        {9, "note", PROTOBUF_C_TYPE_STRING},       {10, "received_ns", PROTOBUF_C_TYPE_INT64},
        {11, "seq", PROTOBUF_C_TYPE_UINT64},       {12, "ingest_epoch", PROTOBUF_C_TYPE_UINT64},
        {13, "ingest_seq", PROTOBUF_C_TYPE_UINT64}, {14, "row", PROTOBUF_C_TYPE_INT32},
        {50, "retracted", PROTOBUF_C_TYPE_BOOL},   {51, "id_derived", PROTOBUF_C_TYPE_BOOL},
    };
    const ProtobufCMessageDescriptor *d = &planwatch__v1__indicator_update__descriptor;
    assert_int_equal(d->n_fields, sizeof want / sizeof *want);
    for (size_t i = 0; i < d->n_fields; i++) {
        assert_int_equal(d->fields[i].id, want[i].id);
        assert_string_equal(d->fields[i].name, want[i].name);
        assert_int_equal(d->fields[i].type, want[i].type);
        assert_int_equal(d->fields[i].label, PROTOBUF_C_LABEL_NONE);
    }
}

static void assert_same_reply(const Planwatch__V1__FeedReply *r)
{
    uint8_t *want = NULL, *got = NULL;
    size_t nwant = 0, ngot = 0;
    assert_int_equal(
        pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY, &r->base, &want, &nwant), 0);
    assert_int_equal(pw_wirepack_feed_reply(r, &got, &ngot), 0);
    assert_int_equal(ngot, nwant);
    assert_memory_equal(got, want, nwant);
    free(want);
    free(got);
}

static void random_replies_pack_alike(void **state)
{
    (void)state;
    enum { MAXR = 100, MAXW = 3 };
    static char s[MAXR][4][400], ws[MAXR][MAXW][2][400], bid[400];
    static Planwatch__V1__RowResult res[MAXR];
    static Planwatch__V1__RowResult *rp[MAXR];
    static Planwatch__V1__RowWarning w[MAXR][MAXW];
    static Planwatch__V1__RowWarning *wp[MAXR][MAXW];
    for (int k = 0; k < 2000; k++) {
        Planwatch__V1__FeedReply r = PLANWATCH__V1__FEED_REPLY__INIT;
        r.batch_id = rnd_str(bid);
        r.n_results = k % 50 == 0 ? MAXR : rng() % 12; /* past the 64 sizes kept on the stack */
        r.results = rp;
        for (size_t i = 0; i < r.n_results; i++) {
            planwatch__v1__row_result__init(&res[i]);
            rp[i] = &res[i];
            res[i].row = rnd_i32();
            res[i].update_id = rnd_str(s[i][0]);
            res[i].status = (Planwatch__V1__RowStatus)(rng() % 6);
            res[i].code = rnd_i32();
            res[i].field = rnd_str(s[i][1]);
            res[i].reason = rnd_str(s[i][2]);
            res[i].seq = rnd_u64();
            res[i].indicator_id = rnd_str(s[i][3]);
            res[i].n_warnings = rng() % (MAXW + 1);
            res[i].warnings = wp[i];
            for (size_t j = 0; j < res[i].n_warnings; j++) {
                planwatch__v1__row_warning__init(&w[i][j]);
                wp[i][j] = &w[i][j];
                w[i][j].code = rnd_i32();
                w[i][j].field = rnd_str(ws[i][j][0]);
                w[i][j].reason = rnd_str(ws[i][j][1]);
            }
        }
        r.accepted = (uint32_t)rnd_u64();
        r.duplicates = (uint32_t)rnd_u64();
        r.rejected = (uint32_t)rnd_u64();
        r.unavailable = (uint32_t)rnd_u64();
        r.valid = (uint32_t)rnd_u64();
        r.warned = (uint32_t)rnd_u64();
        assert_same_reply(&r);
    }
    Planwatch__V1__FeedReply empty = PLANWATCH__V1__FEED_REPLY__INIT;
    assert_same_reply(&empty); /* an empty payload is left out of the envelope */
}

/* A reply decoded with unknown fields (in a row) is packed by protobuf-c. */
static void reply_with_unknown_fields(void **state)
{
    (void)state;
    Planwatch__V1__RowResult res = PLANWATCH__V1__ROW_RESULT__INIT, *rp = &res;
    Planwatch__V1__FeedReply r = PLANWATCH__V1__FEED_REPLY__INIT;
    uint8_t buf[256];
    res.update_id = "u-1";
    res.status = PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED;
    r.results = &rp;
    r.n_results = 1;
    r.accepted = 1;
    size_t n = planwatch__v1__feed_reply__pack(&r, buf);
    /* a row result of one unknown varint field 99 = 7 */
    buf[n++] = 2 << 3 | 2;
    buf[n++] = 3;
    buf[n++] = 0x98;
    buf[n++] = 0x06;
    buf[n++] = 7;
    Planwatch__V1__FeedReply *d = planwatch__v1__feed_reply__unpack(NULL, n, buf);
    assert_non_null(d);
    assert_int_equal(d->n_results, 2);
    assert_int_equal(d->results[1]->base.n_unknown_fields, 1);
    assert_same_reply(d);
    planwatch__v1__feed_reply__free_unpacked(d, NULL);
}

struct want_field {
    unsigned id;
    const char *name;
    ProtobufCType type;
    ProtobufCLabel label;
};

static void assert_shape(const ProtobufCMessageDescriptor *d, const struct want_field *want,
                         size_t n)
{
    assert_int_equal(d->n_fields, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(d->fields[i].id, want[i].id);
        assert_string_equal(d->fields[i].name, want[i].name);
        assert_int_equal(d->fields[i].type, want[i].type);
        assert_int_equal(d->fields[i].label, want[i].label);
    }
}

/* The shapes the reply encoder writes: FeedReply, RowResult, RowWarning and
 * the Envelope around them. */
static void the_reply_has_the_fields_wirepack_knows(void **state)
{
    (void)state;
    const ProtobufCLabel N = PROTOBUF_C_LABEL_NONE, R = PROTOBUF_C_LABEL_REPEATED;
    const struct want_field reply[] = {
        {1, "batch_id", PROTOBUF_C_TYPE_STRING, N},  {2, "results", PROTOBUF_C_TYPE_MESSAGE, R},
        {3, "accepted", PROTOBUF_C_TYPE_UINT32, N},  {4, "duplicates", PROTOBUF_C_TYPE_UINT32, N},
        {5, "rejected", PROTOBUF_C_TYPE_UINT32, N},  {6, "unavailable", PROTOBUF_C_TYPE_UINT32, N},
        {7, "valid", PROTOBUF_C_TYPE_UINT32, N},     {50, "warned", PROTOBUF_C_TYPE_UINT32, N},
    };
    const struct want_field result[] = {
        {1, "row", PROTOBUF_C_TYPE_INT32, N},          {2, "update_id", PROTOBUF_C_TYPE_STRING, N},
        {3, "status", PROTOBUF_C_TYPE_ENUM, N},        {4, "code", PROTOBUF_C_TYPE_INT32, N},
        {5, "field", PROTOBUF_C_TYPE_STRING, N},       {6, "reason", PROTOBUF_C_TYPE_STRING, N},
        {7, "seq", PROTOBUF_C_TYPE_UINT64, N},         {8, "indicator_id", PROTOBUF_C_TYPE_STRING, N},
        {50, "warnings", PROTOBUF_C_TYPE_MESSAGE, R},
    };
    const struct want_field warning[] = {
        {1, "code", PROTOBUF_C_TYPE_INT32, N},
        {2, "field", PROTOBUF_C_TYPE_STRING, N},
        {3, "reason", PROTOBUF_C_TYPE_STRING, N},
    };
    const struct want_field envelope[] = {
        {1, "version", PROTOBUF_C_TYPE_UINT32, N},
        {2, "type", PROTOBUF_C_TYPE_ENUM, N},
        {3, "payload", PROTOBUF_C_TYPE_BYTES, N},
    };
    assert_shape(&planwatch__v1__feed_reply__descriptor, reply, sizeof reply / sizeof *reply);
    assert_shape(&planwatch__v1__row_result__descriptor, result, sizeof result / sizeof *result);
    assert_shape(&planwatch__v1__row_warning__descriptor, warning,
                 sizeof warning / sizeof *warning);
    assert_shape(&planwatch__v1__envelope__descriptor, envelope,
                 sizeof envelope / sizeof *envelope);
}

/* buf damaged 8 ways (7 with a byte changed, one cut short), each read by
 * both (a read_*_both below), buf restored after each: how many of them
 * the hand decoder took. */
static int read_damaged(uint8_t *buf, size_t len, struct pw_arena *arena,
                        int (*both)(const uint8_t *, size_t, struct pw_arena *))
{
    int taken = 0;
    for (int d = 0; d < 8 && len; d++) {
        size_t at = rng() % len, cut = len;
        uint8_t was = buf[at];
        if (d == 7)
            cut = at; /* cut short */
        else
            buf[at] = (uint8_t)rng();
        pw_arena_reset(arena);
        taken += both(buf, cut, arena);
        buf[at] = was;
    }
    return taken;
}

/* What a hand reader returned (rc, mine) for buf: 1 when it took it, and
 * then protobuf-c reads the same message of type; 0 when it left it. */
static int read_alike(int rc, const ProtobufCMessage *mine, const uint8_t *buf, size_t len,
                      Planwatch__V1__MsgType want)
{
    assert_true(rc == 0 || rc == PW_EWIRE);
    if (rc)
        return 0;
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read(buf, len, &type, &m), 0);
    assert_int_equal(type, want);
    assert_true(ts_msg_same(mine, m));
    protobuf_c_message_free_unpacked(m, NULL);
    return 1;
}

/* Decodes an ack both ways (read_alike). */
static int read_both(const uint8_t *buf, size_t len, struct pw_arena *arena)
{
    Planwatch__V1__StoreAck *mine = NULL;
    int rc = pw_wirepack_read_store_ack(buf, len, arena, &mine);
    return read_alike(rc, rc ? NULL : &mine->base, buf, len, PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK);
}

/* Every ack the store can write (random ones, packed by protobuf-c) is read
 * by hand, the same; each of them damaged (a byte changed, cut short) is
 * either read the same as protobuf-c does or left to it. */
static void store_acks_read_alike(void **state)
{
    (void)state;
    enum { MAXI = 80, MAXW = 3 };
    static char s[MAXI][2][400], ws[MAXI][MAXW][2][400];
    static Planwatch__V1__AckItem it[MAXI], *ip[MAXI];
    static Planwatch__V1__RowWarning w[MAXI][MAXW], *wp[MAXI][MAXW];
    struct pw_arena *arena = NULL;
    assert_int_equal(pw_arena_open(&arena), 0);
    int taken = 0, damaged_taken = 0;
    for (int k = 0; k < 3000; k++) {
        Planwatch__V1__StoreAck a = PLANWATCH__V1__STORE_ACK__INIT;
        a.n_items = rng() % 10 == 0 ? MAXI : rng() % 6;
        a.items = ip;
        a.ingest_epoch = rnd_u64();
        for (size_t i = 0; i < a.n_items; i++) {
            planwatch__v1__ack_item__init(&it[i]);
            ip[i] = &it[i];
            it[i].update_id = rnd_str(s[i][0]);
            it[i].seq = rnd_u64();
            it[i].duplicate = (protobuf_c_boolean)(rng() % 2);
            it[i].code = rnd_i32();
            it[i].reason = rnd_str(s[i][1]);
            it[i].n_warnings = rng() % (MAXW + 1);
            it[i].warnings = wp[i];
            for (size_t j = 0; j < it[i].n_warnings; j++) {
                planwatch__v1__row_warning__init(&w[i][j]);
                wp[i][j] = &w[i][j];
                w[i][j].code = rnd_i32();
                w[i][j].field = rnd_str(ws[i][j][0]);
                w[i][j].reason = rnd_str(ws[i][j][1]);
            }
        }
        uint8_t *buf = NULL;
        size_t len = 0;
        assert_int_equal(
            pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK, &a.base, &buf, &len), 0);
        /* the store's hand encoder writes the same bytes */
        uint8_t *mine = NULL;
        size_t mlen = 0;
        assert_int_equal(pw_wirepack_store_ack(&a, &mine, &mlen), 0);
        assert_int_equal(mlen, len);
        assert_memory_equal(mine, buf, len);
        free(mine);
        pw_arena_reset(arena);
        assert_int_equal(read_both(buf, len, arena), 1);
        taken++;
        damaged_taken += read_damaged(buf, len, arena, read_both);
        free(buf);
    }
    assert_int_equal(taken, 3000);
    assert_true(damaged_taken > 0); /* a changed value byte still reads */
    pw_arena_close(&arena);
}

/* What the store does not write is left to protobuf-c: an unknown field,
 * fields out of order, another message type. */
static void other_shapes_go_to_protobuf_c(void **state)
{
    (void)state;
    struct pw_arena *arena = NULL;
    Planwatch__V1__StoreAck *ack = NULL;
    assert_int_equal(pw_arena_open(&arena), 0);
    /* Envelope{1, STORE_ACK, StoreAck{items: [AckItem{update_id "a", 99: 7}]}} */
    uint8_t t = (uint8_t)PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK;
    uint8_t unknown[] = {0x08, 0x01, 0x10, t, 0x1a, 0x08, 0x0a, 0x06, 0x0a, 0x01, 'a', 0x98, 0x06, 0x07};
    assert_int_equal(pw_wirepack_read_store_ack(unknown, sizeof unknown, arena, &ack), PW_EWIRE);
    /* AckItem{seq 5, update_id "a"}: out of order */
    uint8_t order[] = {0x08, 0x01, 0x10, t, 0x1a, 0x07, 0x0a, 0x05, 0x10, 0x05, 0x0a, 0x01, 'a'};
    assert_int_equal(pw_wirepack_read_store_ack(order, sizeof order, arena, &ack), PW_EWIRE);
    /* AckItem{duplicate 2}: a bool the store does not write */
    uint8_t dup[] = {0x08, 0x01, 0x10, t, 0x1a, 0x04, 0x0a, 0x02, 0x18, 0x02};
    assert_int_equal(pw_wirepack_read_store_ack(dup, sizeof dup, arena, &ack), PW_EWIRE);
    /* a heartbeat */
    Planwatch__V1__Heartbeat hb = PLANWATCH__V1__HEARTBEAT__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base, &buf, &len), 0);
    assert_int_equal(pw_wirepack_read_store_ack(buf, len, arena, &ack), PW_EWIRE);
    free(buf);
    assert_null(ack);
    /* the well-formed one of the first: taken */
    uint8_t ok[] = {0x08, 0x01, 0x10, t, 0x1a, 0x07, 0x0a, 0x05, 0x0a, 0x01, 'a', 0x10, 0x05};
    assert_int_equal(pw_wirepack_read_store_ack(ok, sizeof ok, arena, &ack), 0);
    assert_int_equal(ack->n_items, 1);
    assert_string_equal(ack->items[0]->update_id, "a");
    assert_int_equal(ack->items[0]->seq, 5);
    pw_arena_close(&arena);
}

static int read_batch_both(const uint8_t *buf, size_t len, struct pw_arena *arena)
{
    Planwatch__V1__FeedBatch *mine = NULL;
    int rc = pw_wirepack_read_feed_batch(buf, len, arena, &mine);
    return read_alike(rc, rc ? NULL : &mine->base, buf, len,
                      PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH);
}

static void random_update(Planwatch__V1__IndicatorUpdate *u, char (*s)[400])
{
    planwatch__v1__indicator_update__init(u);
    u->update_id = rnd_str(s[0]);
    u->indicator_id = rnd_str(s[1]);
    u->fiscal_year = rnd_i32();
    u->value_micros = (int64_t)rnd_u64();
    u->basis = (Planwatch__V1__Basis)(rng() % 4 ? rng() % 3 : (uint64_t)rnd_i32());
    u->preliminary = (protobuf_c_boolean)(rng() % 2);
    u->as_of = rnd_str(s[2]);
    u->office = rnd_str(s[3]);
    u->note = rnd_str(s[4]);
    u->received_ns = (int64_t)rnd_u64();
    u->seq = rnd_u64();
    u->ingest_epoch = rnd_u64();
    u->ingest_seq = rnd_u64();
    u->row = rnd_i32();
    u->retracted = (protobuf_c_boolean)(rng() % 2);
    u->id_derived = (protobuf_c_boolean)(rng() % 2);
}

/* Every FeedBatch pw_envelope_pack writes is read by hand, the same; damaged
 * ones are read the same as protobuf-c does or left to it. */
static void feed_batches_read_alike(void **state)
{
    (void)state;
    enum { MAXR = 60 };
    static char s[MAXR][5][400], bs[3][400];
    static Planwatch__V1__IndicatorUpdate u[MAXR], *up[MAXR];
    struct pw_arena *arena = NULL;
    assert_int_equal(pw_arena_open(&arena), 0);
    int damaged_taken = 0;
    for (int k = 0; k < 2000; k++) {
        Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
        b.batch_id = rnd_str(bs[0]);
        b.office = rnd_str(bs[1]);
        b.source = rnd_str(bs[2]);
        b.dry_run = (protobuf_c_boolean)(rng() % 2);
        b.n_rows = rng() % 10 == 0 ? MAXR : rng() % 5;
        b.rows = up;
        for (size_t i = 0; i < b.n_rows; i++) {
            random_update(&u[i], s[i]);
            up[i] = &u[i];
        }
        uint8_t *buf = NULL;
        size_t len = 0;
        assert_int_equal(
            pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, &buf, &len), 0);
        pw_arena_reset(arena);
        assert_int_equal(read_batch_both(buf, len, arena), 1);
        damaged_taken += read_damaged(buf, len, arena, read_batch_both);
        free(buf);
    }
    assert_true(damaged_taken > 0);
    /* a row with an unknown field (a newer sender's) goes to protobuf-c,
     * which keeps it */
    uint8_t t = (uint8_t)PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH;
    uint8_t unknown[] = {0x08, 0x01, 0x10, t,    0x1a, 0x08, 0x22, 0x06,
                         0x0a, 0x01, 'a',  0x98, 0x06, 0x07}; /* row {update_id "a", 99: 7} */
    Planwatch__V1__FeedBatch *fb = NULL;
    assert_int_equal(pw_wirepack_read_feed_batch(unknown, sizeof unknown, arena, &fb), PW_EWIRE);
    assert_null(fb);
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read(unknown, sizeof unknown, &type, &m), 0);
    assert_int_equal(((Planwatch__V1__FeedBatch *)m)->rows[0]->base.n_unknown_fields, 1);
    protobuf_c_message_free_unpacked(m, NULL);
    unknown[sizeof unknown - 3] = 0x10; /* 99: 7 -> seq (2): 6, then a stray 7: still not ours */
    assert_int_equal(pw_wirepack_read_feed_batch(unknown, sizeof unknown, arena, &fb), PW_EWIRE);
    /* more rows than a batch may hold: left to protobuf-c (and refused later) */
    size_t nrows = PW_BATCH_MAX_ROWS + 1, plen = 2 * nrows;
    uint8_t *big = malloc(plen + 16), *o = big;
    assert_non_null(big);
    *o++ = 0x08, *o++ = 0x01, *o++ = 0x10, *o++ = t, *o++ = 0x1a;
    size_t v = plen;
    for (; v >= 0x80; v >>= 7)
        *o++ = (uint8_t)(v | 0x80);
    *o++ = (uint8_t)v;
    for (size_t i = 0; i < nrows; i++)
        *o++ = 0x22, *o++ = 0x00; /* an empty row */
    assert_int_equal(pw_wirepack_read_feed_batch(big, (size_t)(o - big), arena, &fb), PW_EWIRE);
    assert_int_equal(pw_envelope_read(big, (size_t)(o - big), &type, &m), 0);
    assert_int_equal(((Planwatch__V1__FeedBatch *)m)->n_rows, nrows);
    protobuf_c_message_free_unpacked(m, NULL);
    free(big);
    pw_arena_close(&arena);
}

static int read_updates_both(const uint8_t *buf, size_t len, struct pw_arena *arena)
{
    Planwatch__V1__UpdateBatch *mine = NULL;
    struct pw_packed *raw = NULL;
    int rc = pw_wirepack_read_update_batch(buf, len, arena, &mine, &raw);
    assert_true(rc == 0 || rc == PW_EWIRE);
    if (rc)
        return 0;
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_envelope_read(buf, len, &type, &m), 0);
    assert_int_equal(type, PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH);
    Planwatch__V1__UpdateBatch *theirs = (Planwatch__V1__UpdateBatch *)m;
    assert_int_equal(mine->n_updates, theirs->n_updates);
    for (size_t i = 0; i < mine->n_updates; i++) {
        assert_true(ts_msg_same(&mine->updates[i]->base, &theirs->updates[i]->base));
        /* each slice is that update's bytes */
        Planwatch__V1__IndicatorUpdate *one =
            planwatch__v1__indicator_update__unpack(NULL, raw[i].len, raw[i].data);
        assert_non_null(one);
        assert_true(ts_msg_same(&one->base, &theirs->updates[i]->base));
        planwatch__v1__indicator_update__free_unpacked(one, NULL);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return 1;
}

/* Every UpdateBatch as ingest and the store write it is read by hand, the
 * same as protobuf-c reads it: updates packed in order, and updates with
 * the store's stamp appended (fields out of order, received_ns twice);
 * damaged ones are read the same or left to protobuf-c. */
static void update_batches_read_alike(void **state)
{
    (void)state;
    enum { MAXU = 40 };
    static char s[MAXU][5][400];
    static Planwatch__V1__IndicatorUpdate u[MAXU];
    static uint8_t packed[MAXU][2400];
    struct pw_packed items[MAXU];
    struct pw_arena *arena = NULL;
    assert_int_equal(pw_arena_open(&arena), 0);
    int damaged_taken = 0;
    for (int k = 0; k < 2000; k++) {
        size_t n = rng() % 10 == 0 ? MAXU : rng() % 5;
        for (size_t i = 0; i < n; i++) {
            random_update(&u[i], s[i]);
            uint8_t one[2400];
            size_t len = pw_wirepack_update_pack(&u[i], one);
            if (k % 2) /* as the store writes and publishes it */
                len = pw_wirepack_update_stamp(one, len, (int64_t)rnd_u64(), rnd_u64(), packed[i]);
            else
                memcpy(packed[i], one, len);
            items[i] = (struct pw_packed){packed[i], len};
        }
        uint8_t *buf = NULL;
        size_t len = 0;
        assert_int_equal(pw_envelope_pack_items(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, 1,
                                                items, n, &buf, &len),
                         0);
        pw_arena_reset(arena);
        assert_int_equal(read_updates_both(buf, len, arena), 1);
        damaged_taken += read_damaged(buf, len, arena, read_updates_both);
        free(buf);
    }
    assert_true(damaged_taken > 0);
    /* an update with an unknown field goes to protobuf-c, which keeps it */
    uint8_t t = (uint8_t)PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH;
    uint8_t unknown[] = {0x08, 0x01, 0x10, t, 0x1a, 0x08, 0x0a, 0x06,
                         0x0a, 0x01, 'a',  0x98, 0x06, 0x07}; /* {update_id "a", 99: 7} */
    Planwatch__V1__UpdateBatch *ub = NULL;
    assert_int_equal(pw_wirepack_read_update_batch(unknown, sizeof unknown, arena, &ub, NULL),
                     PW_EWIRE);
    assert_null(ub);
    pw_arena_close(&arena);
}

static void the_ack_has_the_fields_wirepack_knows(void **state)
{
    (void)state;
    const ProtobufCLabel N = PROTOBUF_C_LABEL_NONE, R = PROTOBUF_C_LABEL_REPEATED;
    const struct want_field ack[] = {
        {1, "items", PROTOBUF_C_TYPE_MESSAGE, R},
        {2, "ingest_epoch", PROTOBUF_C_TYPE_UINT64, N},
    };
    const struct want_field item[] = {
        {1, "update_id", PROTOBUF_C_TYPE_STRING, N}, {2, "seq", PROTOBUF_C_TYPE_UINT64, N},
        {3, "duplicate", PROTOBUF_C_TYPE_BOOL, N},   {4, "code", PROTOBUF_C_TYPE_INT32, N},
        {5, "reason", PROTOBUF_C_TYPE_STRING, N},    {50, "warnings", PROTOBUF_C_TYPE_MESSAGE, R},
    };
    const struct want_field batch[] = {
        {1, "batch_id", PROTOBUF_C_TYPE_STRING, N}, {2, "office", PROTOBUF_C_TYPE_STRING, N},
        {3, "source", PROTOBUF_C_TYPE_STRING, N},   {4, "rows", PROTOBUF_C_TYPE_MESSAGE, R},
        {5, "dry_run", PROTOBUF_C_TYPE_BOOL, N},
    };
    assert_shape(&planwatch__v1__feed_batch__descriptor, batch, sizeof batch / sizeof *batch);
    assert_shape(&planwatch__v1__store_ack__descriptor, ack, sizeof ack / sizeof *ack);
    assert_shape(&planwatch__v1__ack_item__descriptor, item, sizeof item / sizeof *item);
}

/* The comparison the checks above rely on tells one differing field. */
static void test_same_tells(void **state)
{
    (void)state;
    Planwatch__V1__IndicatorUpdate a = PLANWATCH__V1__INDICATOR_UPDATE__INIT, b = a;
    a.update_id = b.update_id = "u";
    a.seq = 7;
    b.seq = 7;
    assert_true(ts_msg_same(&a.base, &b.base));
    b.seq = 8;
    assert_false(ts_msg_same(&a.base, &b.base));
    b.seq = 7;
    b.note = "x";
    assert_false(ts_msg_same(&a.base, &b.base));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_tells),
        cmocka_unit_test(random_updates_pack_alike),
        cmocka_unit_test(each_field_alone),
        cmocka_unit_test(unknown_fields_go_to_protobuf_c),
        cmocka_unit_test(the_message_has_the_fields_wirepack_knows),
        cmocka_unit_test(random_replies_pack_alike),
        cmocka_unit_test(reply_with_unknown_fields),
        cmocka_unit_test(the_reply_has_the_fields_wirepack_knows),
        cmocka_unit_test(store_acks_read_alike),
        cmocka_unit_test(other_shapes_go_to_protobuf_c),
        cmocka_unit_test(the_ack_has_the_fields_wirepack_knows),
        cmocka_unit_test(feed_batches_read_alike),
        cmocka_unit_test(update_batches_read_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
