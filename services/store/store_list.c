/* store_list.c - a growing array of protobuf messages in an arena: the
 * repeated fields of a query's answer, shared by store_query.c and
 * store_alerts.c (see store.h). Decoding goes through the arena's
 * allocator, so an answer is freed in one go with its arena. */
#include <string.h>

#include "arena.h"
#include "err.h"
#include "store.h"

static void *list_alloc(void *data, size_t size)
{
    return pw_arena_alloc(data, size);
}

static void list_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr; /* the arena frees everything at once */
}

int store_list_push(struct store_list *l, void *m)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        void **nv = pw_arena_alloc(l->arena, cap * sizeof *nv);
        if (!nv)
            return PW_ENOMEM;
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = m;
    return 0;
}

int store_list_unpack(struct store_list *l, const ProtobufCMessageDescriptor *d, const void *val,
                      size_t len)
{
    ProtobufCAllocator a = {list_alloc, list_free, l->arena};
    ProtobufCMessage *c = protobuf_c_message_unpack(d, &a, len, val);
    return c ? store_list_push(l, c) : PW_EDB;
}
