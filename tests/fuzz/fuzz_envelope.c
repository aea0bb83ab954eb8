/* fuzz_envelope.c - fuzz target: any bytes as a received message body.
 * pw_envelope_read checks version and type and decodes the payload with the
 * descriptor of every MsgType; what decodes is then taken through the
 * conversions the services apply to received messages (an update or a
 * batch's rows into feed rows, status rows into evaluations, topics), as a
 * service would, and freed; the same bytes are also decoded into an arena
 * (pw_envelope_read_with), as ingest and the store decode what they drain.
 * Every update and FeedReply that decodes is also encoded by hand
 * (wirepack.h) and by protobuf-c, and the bytes must match; a StoreAck or
 * FeedBatch the hand decoders take must read the same with protobuf-c. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "envelope.h"
#include "err.h"
#include "fuzz.h"
#include "msg.h"
#include "wirepack.h"
#include "../support/ts_msg.h"

static void fuzz_update(const Planwatch__V1__IndicatorUpdate *u)
{
    struct pw_feed_row r;
    struct pw_diag d;
    pw_msg_row_from_update(&r, u, "fuzz", &d);
    pw_msg_same_figure(u, u);
    /* ingest's hand encoder writes protobuf-c's bytes (wirepack.h); a
     * difference is a bug in it, which the fuzzer sees as a crash */
    size_t n = planwatch__v1__indicator_update__get_packed_size(u);
    uint8_t *want = malloc(n ? n : 1), *got = malloc(n ? n : 1);
    if (want && got &&
        (pw_wirepack_update_size(u) != n || planwatch__v1__indicator_update__pack(u, want) != n ||
         pw_wirepack_update_pack(u, got) != n || memcmp(want, got, n) != 0))
        abort();
    free(want);
    free(got);
}

static void fuzz_status_row(const Planwatch__V1__StatusRow *row)
{
    struct pw_eval e;
    if (row)
        pw_msg_eval_from_row(&e, row);
}

/* ingest reads the store's acks by hand when they have the store's shape
 * (wirepack.h): what it takes, protobuf-c must read the same */
static void fuzz_store_ack(const uint8_t *data, size_t size)
{
    struct pw_arena *arena = NULL;
    Planwatch__V1__StoreAck *mine = NULL;
    if (pw_arena_open(&arena))
        return;
    if (pw_wirepack_read_store_ack(data, size, arena, &mine) == 0) {
        Planwatch__V1__MsgType type;
        ProtobufCMessage *m = NULL;
        if (pw_envelope_read(data, size, &type, &m) != 0 ||
            type != PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK ||
            !ts_msg_same(&mine->base, m))
            abort();
        protobuf_c_message_free_unpacked(m, NULL);
    }
    pw_arena_close(&arena);
}

/* ingest reads offices' batches by hand in pw_envelope_pack's shape: what
 * it takes, protobuf-c must read the same (and without unknown fields) */
static void fuzz_feed_batch(const uint8_t *data, size_t size)
{
    struct pw_arena *arena = NULL;
    Planwatch__V1__FeedBatch *mine = NULL;
    if (pw_arena_open(&arena))
        return;
    if (pw_wirepack_read_feed_batch(data, size, arena, &mine) == 0) {
        Planwatch__V1__MsgType type;
        ProtobufCMessage *m = NULL;
        if (pw_envelope_read(data, size, &type, &m) != 0 ||
            type != PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH)
            abort();
        if (!ts_msg_same(&mine->base, m))
            abort();
        protobuf_c_message_free_unpacked(m, NULL);
    }
    pw_arena_close(&arena);
}

/* the store and the alert service read UpdateBatches by hand (fields of an
 * update in any order, the last winning): what they take, protobuf-c must
 * read the same, and each slice must decode to its update */
static void fuzz_update_batch(const uint8_t *data, size_t size)
{
    struct pw_arena *arena = NULL;
    Planwatch__V1__UpdateBatch *mine = NULL;
    struct pw_packed *raw = NULL;
    if (pw_arena_open(&arena))
        return;
    if (pw_wirepack_read_update_batch(data, size, arena, &mine, &raw) == 0) {
        Planwatch__V1__MsgType type;
        ProtobufCMessage *m = NULL;
        if (pw_envelope_read(data, size, &type, &m) != 0 ||
            type != PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH)
            abort();
        const Planwatch__V1__UpdateBatch *b = (const Planwatch__V1__UpdateBatch *)m;
        if (mine->n_updates != b->n_updates)
            abort();
        for (size_t i = 0; i < b->n_updates; i++) {
            Planwatch__V1__IndicatorUpdate *one =
                planwatch__v1__indicator_update__unpack(NULL, raw[i].len, raw[i].data);
            if (!one || !ts_msg_same(&mine->updates[i]->base, &b->updates[i]->base) ||
                !ts_msg_same(&one->base, &b->updates[i]->base))
                abort();
            planwatch__v1__indicator_update__free_unpacked(one, NULL);
        }
        protobuf_c_message_free_unpacked(m, NULL);
    }
    pw_arena_close(&arena);
}

/* A hand encoder of whole envelopes (wirepack.h) must write
 * pw_envelope_pack's bytes; a difference is a bug the fuzzer sees as a
 * crash. */
typedef int (*fuzz_packer)(const ProtobufCMessage *m, uint8_t **buf, size_t *len);

static int fuzz_pack_ack(const ProtobufCMessage *m, uint8_t **buf, size_t *len)
{
    return pw_wirepack_store_ack((const Planwatch__V1__StoreAck *)m, buf, len);
}

static int fuzz_pack_reply(const ProtobufCMessage *m, uint8_t **buf, size_t *len)
{
    return pw_wirepack_feed_reply((const Planwatch__V1__FeedReply *)m, buf, len);
}

static void fuzz_packs_alike(Planwatch__V1__MsgType type, const ProtobufCMessage *m,
                             fuzz_packer pack)
{
    uint8_t *want = NULL, *got = NULL;
    size_t nwant = 0, ngot = 0;
    if (pw_envelope_pack(type, m, &want, &nwant) == 0 && pack(m, &got, &ngot) == 0 &&
        (ngot != nwant || memcmp(want, got, nwant) != 0))
        abort();
    free(want);
    free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_store_ack(data, size);
    fuzz_feed_batch(data, size);
    fuzz_update_batch(data, size);
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    struct pw_arena *arena = NULL;
    if (pw_arena_open(&arena) == 0) {
        ProtobufCAllocator a;
        pw_envelope_arena_allocator(&a, arena);
        pw_envelope_read_with(data, size, &type, &m, &a);
        pw_arena_close(&arena); /* frees whatever decoded */
        m = NULL;
    }
    if (pw_envelope_read(data, size, &type, &m) != 0)
        return 0;
    switch (type) {
    case PLANWATCH__V1__MSG_TYPE__MSG_UPDATE:
        fuzz_update((const Planwatch__V1__IndicatorUpdate *)m);
        break;
    case PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH: {
        const Planwatch__V1__UpdateBatch *b = (const Planwatch__V1__UpdateBatch *)m;
        for (size_t i = 0; i < b->n_updates; i++)
            fuzz_update(b->updates[i]);
        break;
    }
    case PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH: {
        const Planwatch__V1__FeedBatch *b = (const Planwatch__V1__FeedBatch *)m;
        for (size_t i = 0; i < b->n_rows; i++)
            fuzz_update(b->rows[i]);
        break;
    }
    case PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK:
        /* the store's hand encoder of acks writes pw_envelope_pack's bytes */
        fuzz_packs_alike(type, m, fuzz_pack_ack);
        break;
    case PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY:
        /* ingest's hand encoder of replies writes pw_envelope_pack's bytes */
        fuzz_packs_alike(type, m, fuzz_pack_reply);
        break;
    case PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY: {
        const Planwatch__V1__QueryReply *r = (const Planwatch__V1__QueryReply *)m;
        for (size_t i = 0; i < r->n_rows; i++)
            fuzz_status_row(r->rows[i]);
        for (size_t i = 0; i < r->n_updates; i++)
            fuzz_update(r->updates[i]);
        break;
    }
    case PLANWATCH__V1__MSG_TYPE__MSG_ALERT:
        fuzz_status_row(((const Planwatch__V1__Alert *)m)->row);
        break;
    default:
        break;
    }
    /* what decodes re-encodes: the services echo and forward decoded messages */
    uint8_t *buf = NULL;
    size_t len = 0;
    if (pw_envelope_pack(type, m, &buf, &len) == 0) {
        Planwatch__V1__MsgType t2;
        ProtobufCMessage *m2 = NULL;
        if (pw_envelope_read(buf, len, &t2, &m2) == 0)
            protobuf_c_message_free_unpacked(m2, NULL);
        free(buf);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
