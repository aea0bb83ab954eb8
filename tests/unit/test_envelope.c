/* test_envelope.c - the wire envelope: decoding is bounded by the message's
 * size, whatever allocator decodes it. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_rows_refused),
        cmocka_unit_test(test_largest_real_batch_fits),
        cmocka_unit_test(test_refusals_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
