/* vec.h - growing a malloc'd array: the one place that doubles capacities,
 * so every module's "append" is two lines and overflow is checked once. */
#ifndef PW_VEC_H
#define PW_VEC_H

#include <stddef.h>

/* Makes *p (an array of elem-byte items with *cap slots) hold at least need
 * items, doubling from 16. On success *p and *cap may change; on PW_ENOMEM
 * (or a size overflow) both are untouched. Returns 0 or PW_ENOMEM. */
int pw_vec_grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
