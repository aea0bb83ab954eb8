/* wirepack.c - IndicatorUpdate and FeedReply encoded by hand (see
 * wirepack.h). protobuf-c spends about 2,500 instructions on an update and
 * 1,900 on a row of a reply, where writing the fields straight takes a few
 * hundred. The layouts below follow planwatch.proto; the *_known()
 * checks send anything else to protobuf-c. */
#include "wirepack.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "err.h"

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
    /* Envelope{version = 1, type = 2, payload = 3}: zero values and an
     * empty payload left out, as protobuf-c does */
    size_t elen = upd_var_size(PW_PROTO_VERSION) + upd_var_size(upd_i32((int32_t)type)) +
                  (plen ? 1 + upd_vsize(plen) + plen : 0);
    uint8_t *out = malloc(elen ? elen : 1), *o = out;
    if (!out) {
        if (rs != stack)
            free(rs);
        return PW_ENOMEM;
    }
    o = upd_var_put(o, 1 << 3, PW_PROTO_VERSION);
    o = upd_var_put(o, 2 << 3, upd_i32((int32_t)type));
    if (plen) {
        *o++ = 3 << 3 | 2;
        o = upd_vput(o, plen);
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
