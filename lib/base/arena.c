/* arena.c - bump allocator (see arena.h). Blocks grow geometrically up to
 * 1 MiB; a request larger than a block gets a block of its own. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

struct pw_arena_block {
    struct pw_arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct pw_arena {
    struct pw_arena_block *head;
    size_t total;
};

int pw_arena_open(struct pw_arena **out)
{
    struct pw_arena *a = calloc(1, sizeof *a);
    if (!a)
        return PW_ENOMEM;
    *out = a;
    return 0;
}

void pw_arena_close(struct pw_arena **ap)
{
    if (!ap || !*ap)
        return;
    struct pw_arena_block *b = (*ap)->head;
    while (b) {
        struct pw_arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(*ap);
    *ap = NULL;
}

void pw_arena_reset(struct pw_arena *a)
{
    struct pw_arena_block *keep = a->head;
    if (keep && keep->size > (1u << 20))
        keep = NULL; /* a block of a single large request: not worth keeping */
    struct pw_arena_block *b = keep ? keep->next : a->head;
    while (b) {
        struct pw_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = keep;
    a->total = 0;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
        a->total = sizeof *keep + keep->size;
    }
}

void *pw_arena_alloc_raw(struct pw_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct pw_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = b ? b->size * 2 : 4096;
        if (size > (1u << 20))
            size = 1u << 20;
        if (size < n)
            size = n;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->total += sizeof *b + size;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *pw_arena_alloc(struct pw_arena *a, size_t n)
{
    void *p = pw_arena_alloc_raw(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *pw_arena_strndup(struct pw_arena *a, const char *s, size_t len)
{
    char *p = pw_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

size_t pw_arena_size(const struct pw_arena *a)
{
    return a->total;
}
