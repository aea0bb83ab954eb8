/* test_updpack.c - the hand encoder of IndicatorUpdate writes exactly the
 * bytes protobuf-c writes, for random messages with every field empty,
 * small, large or negative; it hands unknown fields to protobuf-c; and the
 * message still has the 16 fields it was written for (a field added to
 * planwatch.proto fails here until updpack.c learns it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "updpack.h"

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
    assert_int_equal(pw_updpack_size(u), n);
    assert_int_equal(planwatch__v1__indicator_update__pack(u, want), n);
    memset(got, 0xa5, sizeof got);
    assert_int_equal(pw_updpack_pack(u, got), n);
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
    assert_int_equal(pw_updpack_size(&u), 0);
    Planwatch__V1__IndicatorUpdate v = u;
    v.retracted = 1;
    assert_same_bytes(&v);
    v = u;
    v.id_derived = 1;
    assert_same_bytes(&v);
    v = u;
    v.fiscal_year = -1;
    assert_same_bytes(&v);
    assert_int_equal(pw_updpack_size(&v), 11); /* tag + 10-byte sign extension */
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
    assert_int_equal(pw_updpack_size(d), n);
    assert_same_bytes(d);
    planwatch__v1__indicator_update__free_unpacked(d, NULL);
}

/* The shape updpack.c encodes: number, name and type of every field, in
 * the descriptor's (number) order. */
static void the_message_has_the_fields_updpack_knows(void **state)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_updates_pack_alike),
        cmocka_unit_test(each_field_alone),
        cmocka_unit_test(unknown_fields_go_to_protobuf_c),
        cmocka_unit_test(the_message_has_the_fields_updpack_knows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
