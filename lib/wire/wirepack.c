/* wirepack.c - IndicatorUpdate and FeedReply encoded by hand, StoreAck
 * and FeedBatch decoded by hand (see wirepack.h). protobuf-c spends about
 * 2,500 instructions on an update and 1,900 on a row of a reply, where
 * writing the fields straight takes a few hundred; its generic decoder
 * costs as much per row. The layouts below follow planwatch.proto. The
 * encoders send any other message shape to protobuf-c; the readers (wp_rd)
 * take only protobuf-c's own canonical output and report anything else,
 * which their callers then decode with protobuf-c. */
#include "wirepack.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "envelope.h"
#include "err.h"
#include "msg.h"

#define UPD_NFIELDS 16
#define REPLY_NFIELDS 8
#define RESULT_NFIELDS 9
#define WARNING_NFIELDS 3
#define ENVELOPE_NFIELDS 3

/* The message is the one this file was written for, without unknown fields. */
static int wirepack_known(const Planwatch__V1__IndicatorUpdate *u)
{
    return u->base.descriptor == &planwatch__v1__indicator_update__descriptor &&
           planwatch__v1__indicator_update__descriptor.n_fields == UPD_NFIELDS &&
           u->base.n_unknown_fields == 0;
}

static size_t upd_vsize(uint64_t v)
{
    size_t n = 1;
    for (; v >= 0x80; v >>= 7)
        n++;
    return n;
}

static uint8_t *upd_vput(uint8_t *o, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        *o++ = (uint8_t)(v | 0x80);
    *o++ = (uint8_t)v;
    return o;
}

/* int32 and enum values go out as the 64-bit sign extension (10 bytes
 * when negative), as protobuf-c writes them. */
static uint64_t upd_i32(int32_t v)
{
    return (uint64_t)(int64_t)v;
}

static uint64_t upd_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* A string field: absent when NULL or "" (proto3). tag is one byte. */
static size_t upd_str_size(const char *s)
{
    if (!s || !s[0])
        return 0;
    size_t n = strlen(s);
    return 1 + upd_vsize(n) + n;
}

static uint8_t *upd_str_put(uint8_t *o, uint8_t tag, const char *s)
{
    if (!s || !s[0])
        return o;
    size_t n = strlen(s);
    *o++ = tag;
    o = upd_vput(o, n);
    memcpy(o, s, n);
    return o + n;
}

/* A varint field with a one-byte tag: absent when zero. */
static size_t upd_var_size(uint64_t v)
{
    return v ? 1 + upd_vsize(v) : 0;
}

static uint8_t *upd_var_put(uint8_t *o, uint8_t tag, uint64_t v)
{
    if (!v)
        return o;
    *o++ = tag;
    return upd_vput(o, v);
}

size_t pw_wirepack_update_size(const Planwatch__V1__IndicatorUpdate *u)
{
    if (!wirepack_known(u))
        return planwatch__v1__indicator_update__get_packed_size(u);
    return upd_str_size(u->update_id) + upd_str_size(u->indicator_id) +
           upd_var_size(upd_i32(u->fiscal_year)) + upd_var_size(upd_zigzag(u->value_micros)) +
           upd_var_size(upd_i32((int32_t)u->basis)) + (u->preliminary ? 2 : 0) +
           upd_str_size(u->as_of) + upd_str_size(u->office) + upd_str_size(u->note) +
           upd_var_size((uint64_t)u->received_ns) + upd_var_size(u->seq) +
           upd_var_size(u->ingest_epoch) + upd_var_size(u->ingest_seq) +
           upd_var_size(upd_i32(u->row)) + (u->retracted ? 3 : 0) + (u->id_derived ? 3 : 0);
}

size_t pw_wirepack_update_pack(const Planwatch__V1__IndicatorUpdate *u, uint8_t *out)
{
    if (!wirepack_known(u))
        return planwatch__v1__indicator_update__pack(u, out);
    uint8_t *o = out;
    o = upd_str_put(o, 1 << 3 | 2, u->update_id);
    o = upd_str_put(o, 2 << 3 | 2, u->indicator_id);
    o = upd_var_put(o, 3 << 3, upd_i32(u->fiscal_year));
    o = upd_var_put(o, 4 << 3, upd_zigzag(u->value_micros));
    o = upd_var_put(o, 5 << 3, upd_i32((int32_t)u->basis));
    if (u->preliminary) {
        *o++ = 6 << 3;
        *o++ = 1;
    }
    o = upd_str_put(o, 7 << 3 | 2, u->as_of);
    o = upd_str_put(o, 8 << 3 | 2, u->office);
    o = upd_str_put(o, 9 << 3 | 2, u->note);
    o = upd_var_put(o, 10 << 3, (uint64_t)u->received_ns);
    o = upd_var_put(o, 11 << 3, u->seq);
    o = upd_var_put(o, 12 << 3, u->ingest_epoch);
    o = upd_var_put(o, 13 << 3, u->ingest_seq);
    o = upd_var_put(o, 14 << 3, upd_i32(u->row));
    /* fields 50 and 51: two-byte tags (50 << 3 = 400 = 0x90 0x03) */
    if (u->retracted) {
        *o++ = 0x90;
        *o++ = 0x03;
        *o++ = 1;
    }
    if (u->id_derived) {
        *o++ = 0x98;
        *o++ = 0x03;
        *o++ = 1;
    }
    return (size_t)(o - out);
}

/* The store's stamp: received_ns (10) and seq (11), both varints with a
 * one-byte tag, written even when zero (they must override raw's). */
size_t pw_wirepack_update_stamp_size(size_t raw_len, int64_t received_ns, uint64_t seq)
{
    return raw_len + 1 + upd_vsize((uint64_t)received_ns) + 1 + upd_vsize(seq);
}

size_t pw_wirepack_update_stamp(const uint8_t *raw, size_t raw_len, int64_t received_ns,
                                uint64_t seq, uint8_t *out)
{
    if (raw_len)
        memcpy(out, raw, raw_len);
    uint8_t *o = out + raw_len;
    *o++ = 10 << 3;
    o = upd_vput(o, (uint64_t)received_ns); /* int64: negative as 10 bytes, like protobuf */
    *o++ = 11 << 3;
    o = upd_vput(o, seq);
    return (size_t)(o - out);
}

/* A new buffer *out for Envelope{version = 1, type = 2, payload = 3} with
 * a payload of plen bytes (zero values and an empty payload left out, as
 * protobuf-c does), its header written: returns where the payload goes, or
 * NULL when out of memory. */
static uint8_t *wp_envelope_start(Planwatch__V1__MsgType type, size_t plen, uint8_t **out)
{
    size_t elen = upd_var_size(PW_PROTO_VERSION) + upd_var_size(upd_i32((int32_t)type)) +
                  (plen ? 1 + upd_vsize(plen) + plen : 0);
    uint8_t *o = *out = malloc(elen ? elen : 1);
    if (!o)
        return NULL;
    o = upd_var_put(o, 1 << 3, PW_PROTO_VERSION);
    o = upd_var_put(o, 2 << 3, upd_i32((int32_t)type));
    if (plen) {
        *o++ = 3 << 3 | 2;
        o = upd_vput(o, plen);
    }
    return o;
}

/* ---- FeedReply ---------------------------------------------------------- */

static int reply_warning_known(const Planwatch__V1__RowWarning *w)
{
    return w->base.descriptor == &planwatch__v1__row_warning__descriptor &&
           w->base.n_unknown_fields == 0;
}

static size_t reply_warning_size(const Planwatch__V1__RowWarning *w)
{
    return upd_var_size(upd_i32(w->code)) + upd_str_size(w->field) + upd_str_size(w->reason);
}

/* The size of result r, or SIZE_MAX when it (or a warning) is not the
 * message this file knows. */
static size_t reply_result_size(const Planwatch__V1__RowResult *r)
{
    if (r->base.descriptor != &planwatch__v1__row_result__descriptor || r->base.n_unknown_fields)
        return SIZE_MAX;
    size_t n = upd_var_size(upd_i32(r->row)) + upd_str_size(r->update_id) +
               upd_var_size(upd_i32((int32_t)r->status)) + upd_var_size(upd_i32(r->code)) +
               upd_str_size(r->field) + upd_str_size(r->reason) + upd_var_size(r->seq) +
               upd_str_size(r->indicator_id);
    for (size_t k = 0; k < r->n_warnings; k++) {
        if (!reply_warning_known(r->warnings[k]))
            return SIZE_MAX;
        size_t w = reply_warning_size(r->warnings[k]);
        n += 2 + upd_vsize(w) + w; /* field 50: a two-byte tag */
    }
    return n;
}

static uint8_t *reply_result_put(uint8_t *o, const Planwatch__V1__RowResult *r, size_t size)
{
    *o++ = 2 << 3 | 2; /* FeedReply.results */
    o = upd_vput(o, size);
    o = upd_var_put(o, 1 << 3, upd_i32(r->row));
    o = upd_str_put(o, 2 << 3 | 2, r->update_id);
    o = upd_var_put(o, 3 << 3, upd_i32((int32_t)r->status));
    o = upd_var_put(o, 4 << 3, upd_i32(r->code));
    o = upd_str_put(o, 5 << 3 | 2, r->field);
    o = upd_str_put(o, 6 << 3 | 2, r->reason);
    o = upd_var_put(o, 7 << 3, r->seq);
    o = upd_str_put(o, 8 << 3 | 2, r->indicator_id);
    for (size_t k = 0; k < r->n_warnings; k++) {
        const Planwatch__V1__RowWarning *w = r->warnings[k];
        *o++ = 0x92; /* 50 << 3 | 2 = 402 */
        *o++ = 0x03;
        o = upd_vput(o, reply_warning_size(w));
        o = upd_var_put(o, 1 << 3, upd_i32(w->code));
        o = upd_str_put(o, 2 << 3 | 2, w->field);
        o = upd_str_put(o, 3 << 3 | 2, w->reason);
    }
    return o;
}

int pw_wirepack_feed_reply(const Planwatch__V1__FeedReply *r, uint8_t **buf, size_t *len)
{
    const Planwatch__V1__MsgType type = PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY;
    if (r->base.descriptor != &planwatch__v1__feed_reply__descriptor ||
        r->base.n_unknown_fields ||
        planwatch__v1__feed_reply__descriptor.n_fields != REPLY_NFIELDS ||
        planwatch__v1__row_result__descriptor.n_fields != RESULT_NFIELDS ||
        planwatch__v1__row_warning__descriptor.n_fields != WARNING_NFIELDS ||
        planwatch__v1__envelope__descriptor.n_fields != ENVELOPE_NFIELDS)
        return pw_envelope_pack(type, &r->base, buf, len);
    /* each result's size, needed twice (the total, its length prefix) */
    size_t stack[64];
    size_t *rs = r->n_results <= 64 ? stack : malloc(r->n_results * sizeof *rs);
    if (!rs)
        return PW_ENOMEM;
    size_t plen = upd_str_size(r->batch_id);
    for (size_t i = 0; i < r->n_results; i++) {
        rs[i] = reply_result_size(r->results[i]);
        if (rs[i] == SIZE_MAX) {
            if (rs != stack)
                free(rs);
            return pw_envelope_pack(type, &r->base, buf, len);
        }
        plen += 1 + upd_vsize(rs[i]) + rs[i];
    }
    plen += upd_var_size(r->accepted) + upd_var_size(r->duplicates) + upd_var_size(r->rejected) +
            upd_var_size(r->unavailable) + upd_var_size(r->valid) +
            (r->warned ? 2 + upd_vsize(r->warned) : 0);
    uint8_t *out = NULL, *o = wp_envelope_start(type, plen, &out);
    if (!o) {
        if (rs != stack)
            free(rs);
        return PW_ENOMEM;
    }
    o = upd_str_put(o, 1 << 3 | 2, r->batch_id);
    for (size_t i = 0; i < r->n_results; i++)
        o = reply_result_put(o, r->results[i], rs[i]);
    o = upd_var_put(o, 3 << 3, r->accepted);
    o = upd_var_put(o, 4 << 3, r->duplicates);
    o = upd_var_put(o, 5 << 3, r->rejected);
    o = upd_var_put(o, 6 << 3, r->unavailable);
    o = upd_var_put(o, 7 << 3, r->valid);
    if (r->warned) {
        *o++ = 0x90; /* 50 << 3 = 400 */
        *o++ = 0x03;
        o = upd_vput(o, r->warned);
    }
    if (rs != stack)
        free(rs);
    *buf = out;
    *len = (size_t)(o - out);
    return 0;
}

/* ---- StoreAck ----------------------------------------------------------- */

/* The size of item it, or SIZE_MAX when it (or a warning) is not the
 * message this file knows. */
static size_t ack_item_size(const Planwatch__V1__AckItem *it)
{
    if (it->base.descriptor != &planwatch__v1__ack_item__descriptor || it->base.n_unknown_fields)
        return SIZE_MAX;
    size_t n = upd_str_size(it->update_id) + upd_var_size(it->seq) +
               upd_var_size(it->duplicate ? 1 : 0) + upd_var_size(upd_i32(it->code)) +
               upd_str_size(it->reason);
    for (size_t k = 0; k < it->n_warnings; k++) {
        if (!reply_warning_known(it->warnings[k]))
            return SIZE_MAX;
        size_t w = reply_warning_size(it->warnings[k]);
        n += 2 + upd_vsize(w) + w; /* field 50: a two-byte tag */
    }
    return n;
}

static uint8_t *ack_item_put(uint8_t *o, const Planwatch__V1__AckItem *it, size_t size)
{
    *o++ = 1 << 3 | 2; /* StoreAck.items */
    o = upd_vput(o, size);
    o = upd_str_put(o, 1 << 3 | 2, it->update_id);
    o = upd_var_put(o, 2 << 3, it->seq);
    o = upd_var_put(o, 3 << 3, it->duplicate ? 1 : 0);
    o = upd_var_put(o, 4 << 3, upd_i32(it->code));
    o = upd_str_put(o, 5 << 3 | 2, it->reason);
    for (size_t k = 0; k < it->n_warnings; k++) {
        const Planwatch__V1__RowWarning *w = it->warnings[k];
        *o++ = 0x92; /* 50 << 3 | 2 = 402 */
        *o++ = 0x03;
        o = upd_vput(o, reply_warning_size(w));
        o = upd_var_put(o, 1 << 3, upd_i32(w->code));
        o = upd_str_put(o, 2 << 3 | 2, w->field);
        o = upd_str_put(o, 3 << 3 | 2, w->reason);
    }
    return o;
}

int pw_wirepack_store_ack(const Planwatch__V1__StoreAck *a, uint8_t **buf, size_t *len)
{
    const Planwatch__V1__MsgType type = PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK;
    if (a->base.descriptor != &planwatch__v1__store_ack__descriptor ||
        a->base.n_unknown_fields || planwatch__v1__store_ack__descriptor.n_fields != 2 ||
        planwatch__v1__ack_item__descriptor.n_fields != 6 ||
        planwatch__v1__row_warning__descriptor.n_fields != WARNING_NFIELDS ||
        planwatch__v1__envelope__descriptor.n_fields != ENVELOPE_NFIELDS)
        return pw_envelope_pack(type, &a->base, buf, len);
    /* each item's size, needed twice (the total, its length prefix) */
    size_t stack[64];
    size_t *is = a->n_items <= 64 ? stack : malloc(a->n_items * sizeof *is);
    if (!is)
        return PW_ENOMEM;
    size_t plen = 0;
    for (size_t i = 0; i < a->n_items; i++) {
        is[i] = ack_item_size(a->items[i]);
        if (is[i] == SIZE_MAX) {
            if (is != stack)
                free(is);
            return pw_envelope_pack(type, &a->base, buf, len);
        }
        plen += 1 + upd_vsize(is[i]) + is[i];
    }
    plen += upd_var_size(a->ingest_epoch);
    uint8_t *out = NULL, *o = wp_envelope_start(type, plen, &out);
    if (!o) {
        if (is != stack)
            free(is);
        return PW_ENOMEM;
    }
    for (size_t i = 0; i < a->n_items; i++)
        o = ack_item_put(o, a->items[i], is[i]);
    o = upd_var_put(o, 2 << 3, a->ingest_epoch);
    if (is != stack)
        free(is);
    *buf = out;
    *len = (size_t)(o - out);
    return 0;
}

/* ---- Readers ------------------------------------------------------------ */

/* A reader over one message's bytes. Any surprise sets bad: the caller
 * then hands the whole envelope to protobuf-c. */
struct wp_rd {
    const uint8_t *p, *end;
    struct pw_arena *arena;
    size_t budget;                      /* bytes still allowed (pw_envelope_budget) */
    int bad, nomem;
};

static uint64_t rd_varint(struct wp_rd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << (shift < 64 ? shift : 63); /* bits past 64 drop */
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1; /* more than 10 bytes */
    return 0;
}

/* A length-delimited field's bytes: [*start, *start + n). */
static size_t rd_len(struct wp_rd *r, const uint8_t **start)
{
    uint64_t n = rd_varint(r);
    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        return 0;
    }
    *start = r->p;
    r->p += n;
    return (size_t)n;
}

static void *rd_alloc(struct wp_rd *r, size_t n)
{
    if (n > r->budget) {
        r->bad = 1;
        return NULL;
    }
    r->budget -= n;
    void *p = pw_arena_alloc_raw(r->arena, n);
    if (!p)
        r->nomem = r->bad = 1;
    return p;
}

static char *rd_str(struct wp_rd *r)
{
    const uint8_t *s = NULL;
    size_t n = rd_len(r, &s);
    char *c = r->bad ? NULL : rd_alloc(r, n + 1);
    if (!c)
        return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

/* A bool as the store writes it: one byte, 0 or 1. */
static protobuf_c_boolean rd_bool(struct wp_rd *r)
{
    if (r->p >= r->end || *r->p > 1) {
        r->bad = 1;
        return 0;
    }
    return *r->p++;
}

/* The next tag: its field number (0 at the end), checking the wire type
 * and that fields come in order (a repeated field may repeat). */
static unsigned rd_tag(struct wp_rd *r, unsigned *last, unsigned repeated)
{
    if (r->p >= r->end)
        return 0;
    unsigned field, wire;
    if (!(*r->p & 0x80)) {
        field = *r->p >> 3;
        wire = *r->p & 7;
        r->p++;
    } else if (r->end - r->p >= 2 && !(r->p[1] & 0x80) && r->p[1]) { /* fields 16-2047 */
        unsigned tag = (unsigned)(r->p[0] & 0x7f) | (unsigned)r->p[1] << 7;
        field = tag >> 3;
        wire = tag & 7;
        r->p += 2;
    } else {
        r->bad = 1; /* a longer or padded tag: not protobuf-c's */
        return 0;
    }
    if (field == 0 || field < *last || (field == *last && field != repeated)) {
        r->bad = 1;
        return 0;
    }
    *last = field;
    return field << 3 | wire;
}

static void ack_warning(struct wp_rd *r, Planwatch__V1__RowWarning *w)
{
    unsigned last = 0, t;
    planwatch__v1__row_warning__init(w);
    while (!r->bad && (t = rd_tag(r, &last, 0)) != 0) {
        switch (t) {
        case 1 << 3:
            w->code = (int32_t)(uint32_t)rd_varint(r);
            break;
        case 2 << 3 | 2:
            w->field = rd_str(r);
            break;
        case 3 << 3 | 2:
            w->reason = rd_str(r);
            break;
        default:
            r->bad = 1;
        }
    }
}

static void ack_item(struct wp_rd *r, Planwatch__V1__AckItem *it)
{
    unsigned last = 0, t;
    size_t nw = 0;
    planwatch__v1__ack_item__init(it);
    /* count the warnings first: they are the last field, so the rest is read */
    const uint8_t *at = r->p;
    while (!r->bad && (t = rd_tag(r, &last, 50)) != 0) {
        if (t == (50u << 3 | 2)) {
            const uint8_t *s = NULL;
            rd_len(r, &s);
            nw++;
            continue;
        }
        switch (t) {
        case 1 << 3 | 2:
            it->update_id = rd_str(r);
            break;
        case 2 << 3:
            it->seq = rd_varint(r);
            break;
        case 3 << 3:
            it->duplicate = rd_bool(r);
            break;
        case 4 << 3:
            it->code = (int32_t)(uint32_t)rd_varint(r);
            break;
        case 5 << 3 | 2:
            it->reason = rd_str(r);
            break;
        default:
            r->bad = 1;
        }
    }
    if (r->bad || !nw)
        return;
    it->warnings = rd_alloc(r, nw * sizeof *it->warnings);
    Planwatch__V1__RowWarning *w = rd_alloc(r, nw * sizeof *w);
    if (!it->warnings || !w)
        return;
    it->n_warnings = nw;
    /* the second pass reads only the warnings */
    struct wp_rd sub = *r;
    sub.p = at;
    last = 0;
    size_t k = 0;
    while (!sub.bad && (t = rd_tag(&sub, &last, 50)) != 0) {
        const uint8_t *s = NULL;
        size_t n;
        if (t == (50u << 3 | 2)) {
            n = rd_len(&sub, &s);
            struct wp_rd wr = sub;
            wr.p = s;
            wr.end = s + n;
            it->warnings[k] = &w[k];
            ack_warning(&wr, &w[k]);
            sub.budget = wr.budget;
            sub.bad |= wr.bad;
            sub.nomem |= wr.nomem;
            k++;
        } else if ((t & 7) == 2)
            rd_len(&sub, &s);
        else
            rd_varint(&sub);
    }
    r->budget = sub.budget;
    r->bad |= sub.bad;
    r->nomem |= sub.nomem;
}

/* The Envelope as pw_envelope_pack writes it: version 1, the type, then
 * the payload to the end (left out when empty). Returns 0 or PW_EWIRE. */
static int wp_envelope(struct wp_rd *r, Planwatch__V1__MsgType type, const uint8_t **pl,
                       size_t *plen)
{
    unsigned last = 0;
    if (rd_tag(r, &last, 0) != (1 << 3) || rd_varint(r) != PW_PROTO_VERSION ||
        rd_tag(r, &last, 0) != (2 << 3) || rd_varint(r) != (uint64_t)type || r->bad)
        return PW_EWIRE;
    if (r->p < r->end) {
        if (rd_tag(r, &last, 0) != (3 << 3 | 2))
            return PW_EWIRE;
        *plen = rd_len(r, pl);
        if (r->bad || r->p != r->end)
            return PW_EWIRE;
    }
    return 0;
}

int pw_wirepack_read_store_ack(const void *buf, size_t len, struct pw_arena *arena,
                               Planwatch__V1__StoreAck **ack)
{
    if (len > PW_MSG_MAX_BYTES || planwatch__v1__store_ack__descriptor.n_fields != 2 ||
        planwatch__v1__ack_item__descriptor.n_fields != 6 ||
        planwatch__v1__row_warning__descriptor.n_fields != WARNING_NFIELDS ||
        planwatch__v1__envelope__descriptor.n_fields != ENVELOPE_NFIELDS)
        return PW_EWIRE;
    struct wp_rd r = {buf, (const uint8_t *)buf + len, arena, pw_envelope_budget(len), 0, 0};
    const uint8_t *pl = NULL;
    size_t plen = 0;
    unsigned last;
    if (wp_envelope(&r, PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK, &pl, &plen))
        return PW_EWIRE;
    /* StoreAck: items (1) repeated, ingest_epoch (2); count the items first */
    struct wp_rd m = r;
    m.p = pl;
    m.end = pl ? pl + plen : NULL;
    size_t n = 0;
    uint64_t epoch = 0;
    unsigned t;
    last = 0;
    while (!m.bad && (t = rd_tag(&m, &last, 1)) != 0) {
        const uint8_t *s = NULL;
        if (t == (1 << 3 | 2)) {
            rd_len(&m, &s);
            n++;
        } else if (t == (2 << 3))
            epoch = rd_varint(&m);
        else
            m.bad = 1;
    }
    if (m.bad)
        return PW_EWIRE;
    Planwatch__V1__StoreAck *a = rd_alloc(&m, sizeof *a);
    Planwatch__V1__AckItem **items = n ? rd_alloc(&m, n * sizeof *items) : NULL;
    Planwatch__V1__AckItem *it = n ? rd_alloc(&m, n * sizeof *it) : NULL;
    if (!a || (n && (!items || !it)))
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    planwatch__v1__store_ack__init(a);
    a->ingest_epoch = epoch;
    a->items = items;
    a->n_items = n;
    m.p = pl;
    last = 0;
    for (size_t k = 0; k < n && !m.bad;) {
        const uint8_t *s = NULL;
        t = rd_tag(&m, &last, 1);
        if (t != (1 << 3 | 2)) {
            rd_varint(&m); /* ingest_epoch, read above */
            continue;
        }
        size_t ilen = rd_len(&m, &s);
        struct wp_rd ir = m;
        ir.p = s;
        ir.end = s + ilen;
        items[k] = &it[k];
        ack_item(&ir, &it[k]);
        m.budget = ir.budget;
        m.bad |= ir.bad;
        m.nomem |= ir.nomem;
        k++;
    }
    if (m.bad)
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    *ack = a;
    return 0;
}

/* ---- FeedBatch ---------------------------------------------------------- */

/* One IndicatorUpdate. ordered: its fields in number order, each once (as
 * protobuf-c writes it); else in any order, a field's last occurrence
 * winning, as protobuf reads it (the store appends its received time and
 * seq to ingest's bytes: pw_wirepack_update_stamp). */
static void feed_row(struct wp_rd *r, Planwatch__V1__IndicatorUpdate *u, int ordered)
{
    unsigned last = 0, t;
    planwatch__v1__indicator_update__init(u);
    for (;;) {
        if (!ordered)
            last = 0; /* any order: rd_tag checks nothing but the tag */
        if (r->bad || (t = rd_tag(r, &last, 0)) == 0)
            break;
        switch (t) {
        case 1 << 3 | 2:
            u->update_id = rd_str(r);
            break;
        case 2 << 3 | 2:
            u->indicator_id = rd_str(r);
            break;
        case 3 << 3:
            u->fiscal_year = (int32_t)(uint32_t)rd_varint(r);
            break;
        case 4 << 3: {
            uint64_t v = rd_varint(r);
            u->value_micros = (int64_t)((v >> 1) ^ (~(v & 1) + 1)); /* zigzag */
            break;
        }
        case 5 << 3:
            u->basis = (Planwatch__V1__Basis)(int32_t)(uint32_t)rd_varint(r);
            break;
        case 6 << 3:
            u->preliminary = rd_bool(r);
            break;
        case 7 << 3 | 2:
            u->as_of = rd_str(r);
            break;
        case 8 << 3 | 2:
            u->office = rd_str(r);
            break;
        case 9 << 3 | 2:
            u->note = rd_str(r);
            break;
        case 10 << 3:
            u->received_ns = (int64_t)rd_varint(r);
            break;
        case 11 << 3:
            u->seq = rd_varint(r);
            break;
        case 12 << 3:
            u->ingest_epoch = rd_varint(r);
            break;
        case 13 << 3:
            u->ingest_seq = rd_varint(r);
            break;
        case 14 << 3:
            u->row = (int32_t)(uint32_t)rd_varint(r);
            break;
        case 50 << 3:
            u->retracted = rd_bool(r);
            break;
        case 51 << 3:
            u->id_derived = rd_bool(r);
            break;
        default:
            r->bad = 1;
        }
    }
}

int pw_wirepack_read_feed_batch(const void *buf, size_t len, struct pw_arena *arena,
                                Planwatch__V1__FeedBatch **batch)
{
    if (len > PW_MSG_MAX_BYTES || planwatch__v1__feed_batch__descriptor.n_fields != 5 ||
        planwatch__v1__indicator_update__descriptor.n_fields != UPD_NFIELDS ||
        planwatch__v1__envelope__descriptor.n_fields != ENVELOPE_NFIELDS)
        return PW_EWIRE;
    struct wp_rd r = {buf, (const uint8_t *)buf + len, arena, pw_envelope_budget(len), 0, 0};
    const uint8_t *pl = NULL;
    size_t plen = 0;
    if (wp_envelope(&r, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &pl, &plen))
        return PW_EWIRE;
    /* FeedBatch: batch_id, office, source, rows (repeated), dry_run; the
     * rows are counted first, the rest read on the way */
    struct wp_rd m = r;
    m.p = pl;
    m.end = pl ? pl + plen : NULL;
    Planwatch__V1__FeedBatch *b = rd_alloc(&m, sizeof *b);
    if (!b)
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    planwatch__v1__feed_batch__init(b);
    size_t n = 0;
    unsigned last = 0, t;
    const uint8_t *rows = NULL;
    while (!m.bad && (t = rd_tag(&m, &last, 4)) != 0) {
        const uint8_t *s = NULL;
        switch (t) {
        case 1 << 3 | 2:
            b->batch_id = rd_str(&m);
            break;
        case 2 << 3 | 2:
            b->office = rd_str(&m);
            break;
        case 3 << 3 | 2:
            b->source = rd_str(&m);
            break;
        case 4 << 3 | 2:
            if (!n)
                rows = m.p - 1; /* at the first row's tag */
            rd_len(&m, &s);
            n++;
            break;
        case 5 << 3:
            b->dry_run = rd_bool(&m);
            break;
        default:
            m.bad = 1;
        }
    }
    /* more rows than a batch may hold: protobuf-c decodes it (within its
     * budget) and pw_msg_check_batch refuses it, as before */
    if (m.bad || n > PW_BATCH_MAX_ROWS)
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    Planwatch__V1__IndicatorUpdate **rp = n ? rd_alloc(&m, n * sizeof *rp) : NULL;
    Planwatch__V1__IndicatorUpdate *u = n ? rd_alloc(&m, n * sizeof *u) : NULL;
    if (n && (!rp || !u))
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    b->rows = rp;
    b->n_rows = n;
    /* the rows are consecutive (a repeated field may not be interleaved) */
    m.p = rows;
    for (size_t k = 0; k < n && !m.bad; k++) {
        const uint8_t *s = NULL;
        m.p++; /* the tag, 4 << 3 | 2 */
        size_t rlen = rd_len(&m, &s);
        struct wp_rd rr = m;
        rr.p = s;
        rr.end = s + rlen;
        rp[k] = &u[k];
        feed_row(&rr, &u[k], 1);
        m.budget = rr.budget;
        m.bad |= rr.bad;
        m.nomem |= rr.nomem;
    }
    if (m.bad)
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    *batch = b;
    return 0;
}

/* ---- UpdateBatch -------------------------------------------------------- */

int pw_wirepack_read_update_batch(const void *buf, size_t len, struct pw_arena *arena,
                                  Planwatch__V1__UpdateBatch **ub, struct pw_packed **raw)
{
    if (len > PW_MSG_MAX_BYTES || planwatch__v1__update_batch__descriptor.n_fields != 1 ||
        planwatch__v1__indicator_update__descriptor.n_fields != UPD_NFIELDS ||
        planwatch__v1__envelope__descriptor.n_fields != ENVELOPE_NFIELDS)
        return PW_EWIRE;
    struct wp_rd r = {buf, (const uint8_t *)buf + len, arena, pw_envelope_budget(len), 0, 0};
    const uint8_t *pl = NULL;
    size_t plen = 0, n = 0;
    if (wp_envelope(&r, PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, &pl, &plen))
        return PW_EWIRE;
    /* UpdateBatch: updates (1) repeated, nothing else; counted first */
    struct wp_rd m = r;
    m.p = pl;
    m.end = pl ? pl + plen : NULL;
    unsigned last = 0, t;
    while (!m.bad && (t = rd_tag(&m, &last, 1)) != 0) {
        const uint8_t *s = NULL;
        if (t != (1 << 3 | 2))
            m.bad = 1;
        else
            rd_len(&m, &s);
        n++;
    }
    if (m.bad)
        return PW_EWIRE;
    Planwatch__V1__UpdateBatch *b = rd_alloc(&m, sizeof *b);
    Planwatch__V1__IndicatorUpdate **up = n ? rd_alloc(&m, n * sizeof *up) : NULL;
    Planwatch__V1__IndicatorUpdate *u = n ? rd_alloc(&m, n * sizeof *u) : NULL;
    struct pw_packed *sl = n && raw ? rd_alloc(&m, n * sizeof *sl) : NULL;
    if (!b || (n && (!up || !u || (raw && !sl))))
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    planwatch__v1__update_batch__init(b);
    b->updates = up;
    b->n_updates = n;
    m.p = pl;
    last = 0;
    for (size_t k = 0; k < n && !m.bad; k++) {
        const uint8_t *s = NULL;
        rd_tag(&m, &last, 1);
        size_t ulen = rd_len(&m, &s);
        struct wp_rd ur = m;
        ur.p = s;
        ur.end = s + ulen;
        up[k] = &u[k];
        feed_row(&ur, &u[k], 0);
        if (sl)
            sl[k] = (struct pw_packed){s, ulen};
        m.budget = ur.budget;
        m.bad |= ur.bad;
        m.nomem |= ur.nomem;
    }
    if (m.bad)
        return m.nomem ? PW_ENOMEM : PW_EWIRE;
    *ub = b;
    if (raw)
        *raw = sl;
    return 0;
}
