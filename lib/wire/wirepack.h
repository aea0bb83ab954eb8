/* wirepack.h - the two messages ingest encodes per row, encoded by hand:
 * IndicatorUpdate (one per pending update) and the FeedReply envelope (one
 * RowResult per row); and the one it decodes per row (the store's
 * StoreAck), decoded by hand when it has the shape the store writes. The bytes are protobuf-c's (fields in number order,
 * proto3 zero values left out, repeated elements each written), in a
 * fraction of its instructions: the generic encoder walks the descriptor
 * and dispatches on every field's type, twice (size, then pack). The
 * functions know the fields of planwatch.proto as they are; a message whose
 * descriptor has another shape, or that carries unknown fields, is handed
 * to protobuf-c. tests/unit/test_wirepack.c compares both encoders and
 * fails when one of these messages changes; the envelope fuzz target
 * compares them on everything it decodes. No state; thread-safe. */
#ifndef PW_WIREPACK_H
#define PW_WIREPACK_H

#include <stddef.h>
#include <stdint.h>

#include "planwatch.pb-c.h"

/* The encoded size of u, equal to
 * planwatch__v1__indicator_update__get_packed_size(u). */
size_t pw_wirepack_update_size(const Planwatch__V1__IndicatorUpdate *u);

/* Encodes u into out, which has room for pw_wirepack_update_size(u)
 * bytes; returns the bytes written (that size): the bytes
 * planwatch__v1__indicator_update__pack writes. */
size_t pw_wirepack_update_pack(const Planwatch__V1__IndicatorUpdate *u, uint8_t *out);

/* Encodes Envelope{MSG_FEED_REPLY, r} into a new malloc'd buffer *buf of
 * *len bytes (caller frees, or hands it to pw_zsock_send_packed): the bytes
 * pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY, r) gives.
 * Returns 0 or PW_ENOMEM (*buf untouched). */
int pw_wirepack_feed_reply(const Planwatch__V1__FeedReply *r, uint8_t **buf, size_t *len);

/* An IndicatorUpdate packed as `raw` (by ingest), stamped by the store:
 * raw followed by received_ns (field 10) and seq (field 11). A decoder takes
 * the last occurrence of a field, so the result decodes as raw with those
 * two set, without packing the update again. Writes into out (room for
 * pw_wirepack_update_stamp_size bytes; not overlapping raw); returns the
 * bytes written. */
size_t pw_wirepack_update_stamp_size(size_t raw_len, int64_t received_ns, uint64_t seq);
size_t pw_wirepack_update_stamp(const uint8_t *raw, size_t raw_len, int64_t received_ns,
                                uint64_t seq, uint8_t *out);

/* The same for Envelope{MSG_STORE_ACK, a} (the store's answer to a drain):
 * the bytes pw_envelope_pack writes. */
int pw_wirepack_store_ack(const Planwatch__V1__StoreAck *a, uint8_t **buf, size_t *len);

/* Decodes buf[0..len), an Envelope{MSG_STORE_ACK, StoreAck} as the store
 * writes it (protobuf-c's canonical encoding: fields in number order, each
 * at most once but the repeated ones, known fields only, bools 0 or 1),
 * into arena: *ack and every item, warning and string it holds live in the
 * arena. The values are those protobuf-c would decode. Anything else --
 * another type or version, unknown or reordered fields, bad bytes, more
 * than pw_envelope_budget(len) bytes to allocate (as this reader counts)
 * -- returns PW_EWIRE with *ack untouched and leaves it to
 * pw_envelope_read_with, which then answers as it always did; PW_ENOMEM
 * when the arena is out of memory. */
struct pw_arena;
int pw_wirepack_read_store_ack(const void *buf, size_t len, struct pw_arena *arena,
                               Planwatch__V1__StoreAck **ack);

/* The same for Envelope{MSG_FEED_BATCH, FeedBatch} as pw_envelope_pack
 * writes it (the CLI and the HTTP door send that): *batch and its rows in
 * arena, or PW_EWIRE (left to pw_envelope_read_with: unknown fields of a
 * newer sender are kept there; more than PW_BATCH_MAX_ROWS rows) or
 * PW_ENOMEM. */
int pw_wirepack_read_feed_batch(const void *buf, size_t len, struct pw_arena *arena,
                                Planwatch__V1__FeedBatch **batch);

/* The same for Envelope{MSG_UPDATE_BATCH, UpdateBatch} (ingest's update
 * stream, the store's committed-update stream): each update's fields may
 * come in any order, a field's last occurrence winning (the store appends
 * its stamp: pw_wirepack_update_stamp). With raw not NULL, *raw gets an
 * arena array of n_updates slices of buf, each update's bytes as received
 * (buf must then outlive their use). PW_EWIRE: another message, unknown
 * fields, a bool other than 0/1... (left to pw_envelope_read_with);
 * PW_ENOMEM. */
struct pw_packed;
int pw_wirepack_read_update_batch(const void *buf, size_t len, struct pw_arena *arena,
                                  Planwatch__V1__UpdateBatch **ub, struct pw_packed **raw);

#endif
