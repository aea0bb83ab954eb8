/* map.h - a string-keyed hash map (open addressing, linear probing) for
 * in-memory indexes on hot paths (ingest's pending updates by update id).
 * Keys are copied; values are borrowed pointers. Not thread-safe. */
#ifndef PW_MAP_H
#define PW_MAP_H

#include <stddef.h>

struct pw_map;

/* Returns 0 and *out (caller closes), or PW_ENOMEM. */
int pw_map_open(struct pw_map **out);
/* Frees the map and its key copies (not the values); accepts NULL. */
void pw_map_close(struct pw_map **m);

/* Returns the value stored under key, or NULL. */
void *pw_map_get(const struct pw_map *m, const char *key);
/* Stores value under key (replacing any). Returns 0 or PW_ENOMEM. */
int pw_map_put(struct pw_map *m, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void *pw_map_del(struct pw_map *m, const char *key);
size_t pw_map_count(const struct pw_map *m);

/* Calls cb(arg, key, value) for every entry, in no particular order; the
 * map must not change during the walk. */
void pw_map_each(const struct pw_map *m, void (*cb)(void *arg, const char *key, void *value),
                 void *arg);

#endif
