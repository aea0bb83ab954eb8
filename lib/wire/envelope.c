/* envelope.c - Envelope encoding (see envelope.h). */
#include "envelope.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"

static const ProtobufCMessageDescriptor *env_descriptor(Planwatch__V1__MsgType t)
{
    switch (t) {
    case PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH:
        return &planwatch__v1__feed_batch__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY:
        return &planwatch__v1__feed_reply__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_UPDATE:
        return &planwatch__v1__indicator_update__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK:
        return &planwatch__v1__store_ack__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_ALERT:
        return &planwatch__v1__alert__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_QUERY:
        return &planwatch__v1__query__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY:
        return &planwatch__v1__query_reply__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT:
        return &planwatch__v1__heartbeat__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_PING:
        return &planwatch__v1__ping__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_PONG:
        return &planwatch__v1__pong__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_ERROR:
        return &planwatch__v1__error_reply__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_ADMIN_NOTICE:
        return &planwatch__v1__admin_notice__descriptor;
    case PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH:
        return &planwatch__v1__update_batch__descriptor;
    default:
        return NULL;
    }
}

int pw_envelope_pack(Planwatch__V1__MsgType type, const ProtobufCMessage *msg, uint8_t **buf,
                     size_t *len)
{
    /* small payloads (nearly all of them) are packed on the stack: one
     * allocation per message, the buffer handed to ZeroMQ */
    uint8_t stack[2048];
    size_t plen = protobuf_c_message_get_packed_size(msg);
    uint8_t *payload = plen <= sizeof stack ? stack : malloc(plen);
    if (!payload)
        return PW_ENOMEM;
    protobuf_c_message_pack(msg, payload);
    Planwatch__V1__Envelope env = PLANWATCH__V1__ENVELOPE__INIT;
    env.version = PW_PROTO_VERSION;
    env.type = type;
    env.payload.data = payload;
    env.payload.len = plen;
    size_t elen = planwatch__v1__envelope__get_packed_size(&env);
    uint8_t *out = malloc(elen ? elen : 1);
    if (!out) {
        if (payload != stack)
            free(payload);
        return PW_ENOMEM;
    }
    planwatch__v1__envelope__pack(&env, out);
    if (payload != stack)
        free(payload);
    *buf = out;
    *len = elen;
    return 0;
}

/* protobuf varints (base 128, low groups first) */
static size_t env_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *env_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

size_t pw_envelope_items_fit(uint32_t field, const struct pw_packed *items, size_t n,
                             size_t max)
{
    uint64_t key = ((uint64_t)field << 3) | 2;
    size_t k = 0, bytes = 0;
    while (k < n) {
        bytes += env_varint_len(key) + env_varint_len(items[k].len) + items[k].len;
        if (k && bytes > max)
            break;
        k++;
    }
    return k;
}

int pw_envelope_pack_items(Planwatch__V1__MsgType type, uint32_t field,
                           const struct pw_packed *items, size_t n, uint8_t **buf, size_t *len)
{
    /* the payload: for each item, key (field, length-delimited), length, bytes */
    uint64_t key = ((uint64_t)field << 3) | 2;
    size_t plen = 0;
    for (size_t i = 0; i < n; i++) {
        plen += env_varint_len(key) + env_varint_len(items[i].len) + items[i].len;
        if (plen > PW_MSG_MAX_BYTES)
            return PW_ETOOBIG;
    }
    /* Envelope: version = 1 (varint), type = 2 (varint), payload = 3 (bytes) */
    size_t elen = 1 + env_varint_len(PW_PROTO_VERSION) + 1 + env_varint_len((uint64_t)type) + 1 +
                  env_varint_len(plen) + plen;
    uint8_t *out = malloc(elen), *p = out;
    if (!out)
        return PW_ENOMEM;
    *p++ = (1 << 3) | 0;
    p = env_varint(p, PW_PROTO_VERSION);
    *p++ = (2 << 3) | 0;
    p = env_varint(p, (uint64_t)type);
    *p++ = (3 << 3) | 2;
    p = env_varint(p, plen);
    for (size_t i = 0; i < n; i++) {
        p = env_varint(p, key);
        p = env_varint(p, items[i].len);
        if (items[i].len)
            memcpy(p, items[i].data, items[i].len);
        p += items[i].len;
    }
    *buf = out;
    *len = (size_t)(p - out);
    return 0;
}

/* protobuf-c initialises every message it allocates and fills every array
 * and string: arena memory needs no zeroing first. */
static void *env_arena_alloc(void *data, size_t size)
{
    return pw_arena_alloc_raw(data, size);
}

static void env_arena_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr;
}

void pw_envelope_arena_allocator(ProtobufCAllocator *out, struct pw_arena *arena)
{
    out->alloc = env_arena_alloc;
    out->free = env_arena_free;
    out->allocator_data = arena;
}

int pw_envelope_read(const void *buf, size_t len, Planwatch__V1__MsgType *type,
                     ProtobufCMessage **msg)
{
    return pw_envelope_read_with(buf, len, type, msg, NULL);
}

/* Decoding memory is bounded by the message's size: protobuf-c allocates a
 * struct per repeated element before anything can count them, so 2-byte
 * empty rows would otherwise cost ~100 bytes each (a 64 MiB frame: ~6 GB). */
struct env_budget {
    ProtobufCAllocator *inner; /* NULL: malloc */
    size_t left;
    int spent; /* an allocation was refused */
};

static void *env_budget_alloc(void *data, size_t size)
{
    struct env_budget *b = data;
    if (size > b->left) {
        b->spent = 1;
        return NULL;
    }
    b->left -= size;
    return b->inner ? b->inner->alloc(b->inner->allocator_data, size) : malloc(size);
}

static void env_budget_free(void *data, void *ptr)
{
    struct env_budget *b = data;
    if (b->inner)
        b->inner->free(b->inner->allocator_data, ptr);
    else
        free(ptr);
}

const char *pw_envelope_why(int rc)
{
    switch (rc) {
    case PW_EVERSION:
        return "unsupported protocol version (planwatch speaks version 1)";
    case PW_ETOOBIG:
        return "the message would decode to far more memory than its size (too many rows?): "
               "refused unread";
    case PW_EWIRE:
        return "not a planwatch message";
    default:
        return pw_strerror(rc);
    }
}

size_t pw_envelope_budget(size_t len)
{
    return PW_DECODE_BUDGET_RATIO * len + PW_DECODE_BUDGET_BASE;
}

/* Reads a varint at *p (< end); 0 or -1 when it is cut or longer than 10 bytes. */
static int env_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t c = *(*p)++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return 0;
    }
    return -1;
}

/* The envelope as every planwatch sender writes it: version, type, payload,
 * each once and in that order. Returns 0 with the payload pointing into
 * buf (no copy), or -1 for any other layout (protobuf-c then reads it). */
static int env_read_header(const uint8_t *p, size_t len, uint64_t *version, uint64_t *type,
                           const uint8_t **payload, size_t *plen)
{
    const uint8_t *end = p + len;
    uint64_t n;
    *version = *type = 0;
    *payload = p;
    *plen = 0;
    if (p < end && *p == ((1 << 3) | 0) && (++p, env_get_varint(&p, end, version)))
        return -1;
    if (p < end && *p == ((2 << 3) | 0) && (++p, env_get_varint(&p, end, type)))
        return -1;
    if (p < end && *p == ((3 << 3) | 2)) {
        p++;
        if (env_get_varint(&p, end, &n) || n > (uint64_t)(end - p))
            return -1;
        *payload = p;
        *plen = (size_t)n;
        p += n;
    }
    return p == end ? 0 : -1;
}

int pw_envelope_read_with(const void *buf, size_t len, Planwatch__V1__MsgType *type,
                          ProtobufCMessage **msg, ProtobufCAllocator *a)
{
    if (len > PW_MSG_MAX_BYTES)
        return PW_EWIRE;
    uint64_t version, t;
    const uint8_t *payload;
    size_t plen;
    Planwatch__V1__Envelope *env = NULL;
    /* the usual layout is read in place: the payload is decoded from the
     * received frame, not from a copy */
    if (env_read_header(buf, len, &version, &t, &payload, &plen)) {
        if (!(env = planwatch__v1__envelope__unpack(NULL, len, buf)))
            return PW_EWIRE;
        version = env->version;
        t = (uint64_t)env->type;
        payload = env->payload.data;
        plen = env->payload.len;
    }
    int rc = 0;
    *type = (Planwatch__V1__MsgType)t;
    if (version != PW_PROTO_VERSION) {
        rc = PW_EVERSION;
    } else {
        const ProtobufCMessageDescriptor *d = t <= INT32_MAX ? env_descriptor(*type) : NULL;
        struct env_budget b = {a, pw_envelope_budget(len), 0};
        ProtobufCAllocator ba = {env_budget_alloc, env_budget_free, &b};
        ProtobufCMessage *m = d ? protobuf_c_message_unpack(d, &ba, plen, payload) : NULL;
        if (!m)
            rc = b.spent ? PW_ETOOBIG : PW_EWIRE;
        else
            *msg = m;
    }
    if (env)
        planwatch__v1__envelope__free_unpacked(env, NULL);
    return rc;
}
