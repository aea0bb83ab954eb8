/* envelope.h - the planwatch wire format: every message body is an Envelope
 * {version, type, payload}. pw_envelope_read checks the version and the type
 * before it decodes the payload with the descriptor the type names, so an
 * unknown version or a garbage frame is a clean error, never a guess. */
#ifndef PW_ENVELOPE_H
#define PW_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "planwatch.pb-c.h"

#define PW_PROTO_VERSION 1
#define PW_MSG_MAX_BYTES (64u << 20) /* ZMQ_MAXMSGSIZE on every socket */
/* Decoding a message of len bytes may allocate at most
 * RATIO * len + BASE bytes; the largest real ones (a 10,000-row batch of
 * minimal rows, a status reply) need well under half of it. */
#define PW_DECODE_BUDGET_RATIO 4u
#define PW_DECODE_BUDGET_BASE (16u << 20)

/* Encodes msg as the payload of an Envelope of the given type into a new
 * malloc'd buffer *buf of *len bytes (caller frees). Returns 0 or PW_ENOMEM. */
int pw_envelope_pack(Planwatch__V1__MsgType type, const ProtobufCMessage *msg, uint8_t **buf,
                     size_t *len);

/* An already packed message (e.g. an IndicatorUpdate packed once, kept for
 * retransmission). */
struct pw_packed {
    const uint8_t *data;
    size_t len;
};

/* The streams of batches (ingest's updates, the store's committed updates)
 * cut a run of items into messages of at most PW_STREAM_MSG_BYTES of items
 * (pw_envelope_items_fit), and their sockets hold at most PW_STREAM_HWM
 * messages per peer: ZeroMQ counts messages, so a peer that does not keep
 * up costs at most about 64 MiB on each side, then misses messages (the
 * gap rule resynchronises it) instead of growing the sender's memory. */
#define PW_STREAM_MSG_BYTES (64u << 10)
#define PW_STREAM_HWM 1024

/* How many of items[0..n), from the first, one message of at most max
 * bytes of items carries: at least one (an item larger than max goes
 * alone), 0 only when n is 0. */
size_t pw_envelope_items_fit(uint32_t field, const struct pw_packed *items, size_t n,
                             size_t max);

/* Encodes an Envelope of the given type whose payload is a message with
 * the n packed items as its repeated message field `field` (e.g.
 * UpdateBatch.updates = 1), into a new malloc'd buffer *buf of *len bytes
 * (caller frees): each item is copied once, never decoded or re-encoded.
 * Returns 0, PW_ENOMEM, or PW_ETOOBIG (more than PW_MSG_MAX_BYTES). */
int pw_envelope_pack_items(Planwatch__V1__MsgType type, uint32_t field,
                           const struct pw_packed *items, size_t n, uint8_t **buf, size_t *len);

/* Decodes buf[0..len): sets *type and *msg (the payload, decoded with the
 * descriptor of its type; caller frees with protobuf_c_message_free_unpacked).
 * Returns 0, PW_EVERSION (version is not PW_PROTO_VERSION; *type is still
 * set when readable), PW_ETOOBIG (the payload would decode to more than
 * pw_envelope_budget(len) bytes: refused before it is) or PW_EWIRE (not an
 * envelope, unknown type, payload does not decode). */
int pw_envelope_read(const void *buf, size_t len, Planwatch__V1__MsgType *type,
                     ProtobufCMessage **msg);

/* The same, decoding the payload with allocator a (e.g. an arena, so a
 * whole drained batch is released at once; NULL: malloc). The caller
 * releases *msg as a requires. */
int pw_envelope_read_with(const void *buf, size_t len, Planwatch__V1__MsgType *type,
                          ProtobufCMessage **msg, ProtobufCAllocator *a);

/* The reason to give a peer whose message pw_envelope_read refused with rc. */
const char *pw_envelope_why(int rc);

/* The most bytes decoding a message of len bytes may allocate. */
size_t pw_envelope_budget(size_t len);

/* A protobuf-c allocator drawing from a pw_arena (freeing is a no-op:
 * closing the arena frees everything). a must outlive its uses. */
struct pw_arena;
void pw_envelope_arena_allocator(ProtobufCAllocator *out, struct pw_arena *arena);

#endif
