/* map.c - open-addressing string map (see map.h). Deletion leaves a
 * tombstone; the table is rebuilt when live + dead slots pass 70%. A
 * borrowed map stores the caller's key pointers: it differs from a copying
 * map only in never calling strdup/free on a key. */
#include "map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct map_slot {
    char *key;       /* NULL: empty; MAP_DEAD: deleted */
    void *value;
    uint64_t hash;
};

static char map_dead_key;
#define MAP_DEAD (&map_dead_key)

struct pw_map {
    struct map_slot *slots;
    size_t cap, live, dead;
    int borrowed;                       /* keys are the caller's (pw_map_open_borrowed) */
};

/* Eight bytes at a time (a multiply and a shift per word, murmur3's
 * finaliser at the end): ids of 36 bytes hash in a fifth of the
 * instructions of a byte-at-a-time hash. In-memory only, so the byte order
 * of the words does not matter. */
uint64_t pw_map_hash(const char *s)
{
    size_t n = strlen(s);
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
    }
    if (n) {
        w = 0;
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)(unsigned char)s[i] << (8 * i);
        h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
    }
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static int map_open(struct pw_map **out, int borrowed)
{
    struct pw_map *m = calloc(1, sizeof *m);
    if (!m)
        return PW_ENOMEM;
    m->cap = 64;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return PW_ENOMEM;
    }
    m->borrowed = borrowed;
    *out = m;
    return 0;
}

int pw_map_open(struct pw_map **out)
{
    return map_open(out, 0);
}

int pw_map_open_borrowed(struct pw_map **out)
{
    return map_open(out, 1);
}

void pw_map_close(struct pw_map **mp)
{
    if (!mp || !*mp)
        return;
    struct pw_map *m = *mp;
    for (size_t i = 0; !m->borrowed && i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != MAP_DEAD)
            free(m->slots[i].key);
    free(m->slots);
    free(m);
    *mp = NULL;
}

static struct map_slot *map_find(const struct pw_map *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct map_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != MAP_DEAD && s->hash == h && strcmp(s->key, key) == 0)
            return s;
    }
}

void *pw_map_get(const struct pw_map *m, const char *key)
{
    struct map_slot *s = map_find(m, key, pw_map_hash(key));
    return s ? s->value : NULL;
}

static int map_resize(struct pw_map *m, size_t cap)
{
    struct map_slot *old = m->slots;
    size_t ocap = m->cap;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots) {
        m->slots = old;
        return PW_ENOMEM;
    }
    m->cap = cap;
    m->dead = 0;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key || old[i].key == MAP_DEAD)
            continue;
        size_t j = old[i].hash & (cap - 1);
        while (m->slots[j].key)
            j = (j + 1) & (cap - 1);
        m->slots[j] = old[i];
    }
    free(old);
    return 0;
}

int pw_map_reserve(struct pw_map *m, size_t n)
{
    if (n > SIZE_MAX / 20)
        return PW_ENOMEM;
    if ((n + m->dead) * 10 <= m->cap * 7)
        return 0;
    size_t cap = m->cap;
    while (n * 10 > cap * 7)
        cap *= 2;
    return map_resize(m, cap); /* at the same size it clears the tombstones */
}

/* Inserts key (absent: the caller looked) with hash h. */
static int map_insert(struct pw_map *m, const char *key, uint64_t h, void *value)
{
    if ((m->live + m->dead + 1) * 10 > m->cap * 7) {
        size_t cap = m->cap;
        while ((m->live + 1) * 10 > cap * 5)
            cap *= 2;
        if (map_resize(m, cap))
            return PW_ENOMEM;
    }
    char *k = m->borrowed ? (char *)key : strdup(key);
    if (!k)
        return PW_ENOMEM;
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].key && m->slots[i].key != MAP_DEAD)
        i = (i + 1) & mask;
    if (m->slots[i].key == MAP_DEAD)
        m->dead--;
    m->slots[i].key = k;
    m->slots[i].value = value;
    m->slots[i].hash = h;
    m->live++;
    return 0;
}

int pw_map_put(struct pw_map *m, const char *key, void *value)
{
    uint64_t h = pw_map_hash(key);
    struct map_slot *s = map_find(m, key, h);
    if (s) {
        if (m->borrowed) /* the newer pointer is the one its owner keeps alive */
            s->key = (char *)key;
        s->value = value;
        return 0;
    }
    return map_insert(m, key, h, value);
}

int pw_map_add(struct pw_map *m, const char *key, void *value, void **found)
{
    uint64_t h = pw_map_hash(key);
    struct map_slot *s = map_find(m, key, h);
    *found = s ? s->value : NULL;
    return s ? 0 : map_insert(m, key, h, value);
}

void *pw_map_del(struct pw_map *m, const char *key)
{
    struct map_slot *s = map_find(m, key, pw_map_hash(key));
    if (!s)
        return NULL;
    void *v = s->value;
    if (!m->borrowed)
        free(s->key);
    s->key = MAP_DEAD;
    s->value = NULL;
    m->live--;
    m->dead++;
    return v;
}

size_t pw_map_count(const struct pw_map *m)
{
    return m->live;
}

void pw_map_each(const struct pw_map *m, void (*cb)(void *arg, const char *key, void *value),
                 void *arg)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != MAP_DEAD)
            cb(arg, m->slots[i].key, m->slots[i].value);
}
