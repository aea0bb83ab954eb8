/* updpack.h - IndicatorUpdate encoded by hand: the same bytes as
 * protobuf-c's pack (fields in number order, proto3 zero values left out,
 * unknown fields last), in a tenth of its instructions, for the paths that
 * encode one message per update (ingest's pending updates). It knows the 16
 * fields of planwatch.v1.IndicatorUpdate; a message whose descriptor has
 * another shape, or that carries unknown fields, is handed to protobuf-c.
 * tests/unit/test_updpack.c compares both encoders and fails when the
 * message changes. Pure functions: no allocation, thread-safe. */
#ifndef PW_UPDPACK_H
#define PW_UPDPACK_H

#include <stddef.h>
#include <stdint.h>

#include "planwatch.pb-c.h"

/* The encoded size of u, equal to
 * planwatch__v1__indicator_update__get_packed_size(u). */
size_t pw_updpack_size(const Planwatch__V1__IndicatorUpdate *u);

/* Encodes u into out, which has room for pw_updpack_size(u) bytes; returns
 * the bytes written (that size), the bytes
 * planwatch__v1__indicator_update__pack writes. */
size_t pw_updpack_pack(const Planwatch__V1__IndicatorUpdate *u, uint8_t *out);

#endif
