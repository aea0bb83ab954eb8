/* ts_msg.h - for the tests of the hand-written readers (wirepack.h): two
 * decoded messages hold the same values when protobuf-c packs them to the
 * same bytes (every field, unknown fields included, in field order).
 * Header-only: the unit tests and the fuzz targets share no library. */
#ifndef TS_MSG_H
#define TS_MSG_H

#include <protobuf-c/protobuf-c.h>
#include <stdlib.h>
#include <string.h>

static inline int ts_msg_same(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    size_t na = protobuf_c_message_get_packed_size(a), nb = protobuf_c_message_get_packed_size(b);
    if (a->descriptor != b->descriptor || na != nb)
        return 0;
    uint8_t *pa = malloc(na ? na : 1), *pb = malloc(nb ? nb : 1);
    int same = pa && pb && protobuf_c_message_pack(a, pa) == na &&
               protobuf_c_message_pack(b, pb) == nb && memcmp(pa, pb, na) == 0;
    free(pa);
    free(pb);
    return same;
}

#endif
