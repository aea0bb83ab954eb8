/* map.h - a string-keyed hash map (open addressing, linear probing) for
 * in-memory indexes on hot paths (ingest's pending updates by update id).
 * Values are borrowed pointers. Keys are copied (pw_map_open) or borrowed
 * from the caller (pw_map_open_borrowed: no allocation per entry, for keys
 * that already live as long as their entry). Not thread-safe. */
#ifndef PW_MAP_H
#define PW_MAP_H

#include <stddef.h>
#include <stdint.h>

struct pw_map;

/* A map that copies each key on insertion and frees the copy when the entry
 * goes. Returns 0 and *out (caller closes), or PW_ENOMEM (*out untouched). */
int pw_map_open(struct pw_map **out);
/* A map that keeps the caller's key pointers: each key must stay valid and
 * unchanged while its entry is in the map (until pw_map_del of that key,
 * pw_map_close, or a pw_map_put of an equal key, which keeps the newer
 * pointer). The map never frees a key. Returns 0 and *out (caller closes),
 * or PW_ENOMEM (*out untouched). */
int pw_map_open_borrowed(struct pw_map **out);
/* Frees the map and its key copies (not the values, nor borrowed keys);
 * accepts NULL and nulls *m. */
void pw_map_close(struct pw_map **m);

/* Makes room for n entries in all, so that inserting up to n keys does not
 * rehash (nor allocate, for a borrowed map). Never shrinks. Returns 0, or
 * PW_ENOMEM with the map unchanged and still usable. */
int pw_map_reserve(struct pw_map *m, size_t n);

/* Returns the value stored under key, or NULL. */
void *pw_map_get(const struct pw_map *m, const char *key);
/* Stores value under key (replacing any). Returns 0 or PW_ENOMEM (the map
 * unchanged). */
int pw_map_put(struct pw_map *m, const char *key, void *value);
/* Stores value under key unless key is there already: then *found is its
 * value and nothing changes; else *found is NULL. One lookup where
 * pw_map_get + pw_map_put take two. Returns 0 or PW_ENOMEM (the map
 * unchanged, *found NULL). */
int pw_map_add(struct pw_map *m, const char *key, void *value, void **found);
/* Removes key; returns its value or NULL. */
void *pw_map_del(struct pw_map *m, const char *key);
size_t pw_map_count(const struct pw_map *m);

/* Calls cb(arg, key, value) for every entry, in no particular order; the
 * map must not change during the walk. */
void pw_map_each(const struct pw_map *m, void (*cb)(void *arg, const char *key, void *value),
                 void *arg);

/* The hash of string s the map uses (8 bytes at a time, well mixed in its
 * low bits): for tables of other shapes keyed by strings. */
uint64_t pw_map_hash(const char *s);

#endif
