/* updpack.c - IndicatorUpdate's encoding by hand (see updpack.h). The
 * generic encoder walks the descriptor and dispatches on each field's type
 * twice per message (size, then pack): about 2,500 instructions an update,
 * where writing the 16 fields straight takes a few hundred. The layout below
 * follows planwatch.proto; updpack_known() refuses anything else. */
#include "updpack.h"

#include <string.h>

#define UPD_NFIELDS 16

/* The message is the one this file was written for, without unknown fields. */
static int updpack_known(const Planwatch__V1__IndicatorUpdate *u)
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

size_t pw_updpack_size(const Planwatch__V1__IndicatorUpdate *u)
{
    if (!updpack_known(u))
        return planwatch__v1__indicator_update__get_packed_size(u);
    return upd_str_size(u->update_id) + upd_str_size(u->indicator_id) +
           upd_var_size(upd_i32(u->fiscal_year)) + upd_var_size(upd_zigzag(u->value_micros)) +
           upd_var_size(upd_i32((int32_t)u->basis)) + (u->preliminary ? 2 : 0) +
           upd_str_size(u->as_of) + upd_str_size(u->office) + upd_str_size(u->note) +
           upd_var_size((uint64_t)u->received_ns) + upd_var_size(u->seq) +
           upd_var_size(u->ingest_epoch) + upd_var_size(u->ingest_seq) +
           upd_var_size(upd_i32(u->row)) + (u->retracted ? 3 : 0) + (u->id_derived ? 3 : 0);
}

size_t pw_updpack_pack(const Planwatch__V1__IndicatorUpdate *u, uint8_t *out)
{
    if (!updpack_known(u))
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
