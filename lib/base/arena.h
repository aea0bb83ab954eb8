/* arena.h - a bump allocator for data that lives and dies together (a loaded
 * catalog, a parsed feed). One pw_arena_free releases everything. Not
 * thread-safe; allocations are 16-byte aligned. */
#ifndef PW_ARENA_H
#define PW_ARENA_H

#include <stddef.h>

struct pw_arena;

/* Creates an empty arena. Returns 0 or PW_ENOMEM; *out untouched on failure. */
int pw_arena_open(struct pw_arena **out);

/* Frees every block and the arena; accepts NULL, nulls *a. */
void pw_arena_close(struct pw_arena **a);

/* Releases everything allocated so far but keeps the newest block (up to
 * 1 MiB) for what comes next: an arena reused per message then costs no
 * malloc once warm. Pointers obtained before are invalid afterwards. */
void pw_arena_reset(struct pw_arena *a);

/* Returns n zeroed bytes owned by the arena, or NULL if out of memory. */
void *pw_arena_alloc(struct pw_arena *a, size_t n);
/* Like pw_arena_alloc without the zeroing: the bytes hold whatever they
 * held. For callers that write every byte before reading it (protobuf-c's
 * unpacking: pw_envelope_arena_allocator), where zeroing was a tenth of a
 * decode's cost. */
void *pw_arena_alloc_raw(struct pw_arena *a, size_t n);

/* Copies s[0..len) plus a NUL into the arena. Returns NULL if out of memory. */
char *pw_arena_strndup(struct pw_arena *a, const char *s, size_t len);

/* Total bytes obtained from malloc (for metrics and tests). */
size_t pw_arena_size(const struct pw_arena *a);

#endif
