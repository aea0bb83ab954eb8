/* store_index.c - in-memory indexes over the update log (see
 * store_index.h). The id table is open addressing with linear probing over
 * (hash, seq) pairs: 16 bytes per update, no per-entry allocation. Removal
 * happens only in strict reverse order of insertion (rollback), which
 * restores the exact previous table without tombstones. */
#include "store_index.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "map.h"
#include "vec.h"

struct ix_slot {
    uint64_t hash; /* never 0 in a used slot */
    uint64_t seq;  /* 0: empty */
};

struct ix_revs {
    struct store_rev *v;
    size_t n, cap;
};

/* one entry of the undo log: the slot filled and the list appended to */
struct ix_undo {
    size_t slot;
    struct ix_revs *revs;
};

struct store_index {
    struct ix_slot *slots;
    size_t cap, used;
    struct pw_map *by_ind; /* indicator id -> struct ix_revs (owned) */
    struct ix_undo *undo;
    size_t nundo, undo_cap;
    size_t rev_bytes;
};

static uint64_t ix_hash(const char *s)
{
    uint64_t h = pw_map_hash(s);
    return h ? h : 1; /* 0 marks an empty slot */
}

int store_index_open(struct store_index **out)
{
    struct store_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return PW_ENOMEM;
    ix->cap = 1024;
    ix->slots = calloc(ix->cap, sizeof *ix->slots);
    if (!ix->slots || pw_map_open(&ix->by_ind)) {
        free(ix->slots);
        free(ix);
        return PW_ENOMEM;
    }
    *out = ix;
    return 0;
}

static void ix_free_revs(void *arg, const char *key, void *value)
{
    (void)arg;
    (void)key;
    struct ix_revs *r = value;
    free(r->v);
    free(r);
}

void store_index_close(struct store_index **ixp)
{
    if (!ixp || !*ixp)
        return;
    struct store_index *ix = *ixp;
    pw_map_each(ix->by_ind, ix_free_revs, NULL);
    pw_map_close(&ix->by_ind);
    free(ix->slots);
    free(ix->undo);
    free(ix);
    *ixp = NULL;
}

static size_t ix_place(struct ix_slot *slots, size_t cap, uint64_t hash)
{
    size_t i = (size_t)hash & (cap - 1);
    while (slots[i].seq)
        i = (i + 1) & (cap - 1);
    return i;
}

/* Doubles the table. Only between batches (nothing to roll back): slot
 * numbers in the undo log would not survive a rehash. */
static int ix_grow(struct store_index *ix)
{
    size_t cap = ix->cap * 2;
    struct ix_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return PW_ENOMEM;
    for (size_t i = 0; i < ix->cap; i++)
        if (ix->slots[i].seq)
            s[ix_place(s, cap, ix->slots[i].hash)] = ix->slots[i];
    free(ix->slots);
    ix->slots = s;
    ix->cap = cap;
    return 0;
}

int store_index_reserve(struct store_index *ix, size_t n)
{
    while ((ix->used + n) * 2 > ix->cap)
        if (ix->nundo || ix_grow(ix))
            return PW_ENOMEM;
    return 0;
}

int store_index_add(struct store_index *ix, const char *update_id, const char *indicator_id,
                    int32_t fy, uint64_t seq)
{
    /* keep the load under 1/2; with an undo log open, grow before it fills */
    if ((ix->used + 1) * 2 > ix->cap) {
        if (ix->nundo) {
            if (ix->used + 1 >= ix->cap - 1)
                return PW_ENOMEM; /* cannot rehash mid-batch: the batch fails, retried */
        } else if (ix_grow(ix)) {
            return PW_ENOMEM;
        }
    }
    struct ix_revs *r = pw_map_get(ix->by_ind, indicator_id);
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r || pw_map_put(ix->by_ind, indicator_id, r)) {
            free(r);
            return PW_ENOMEM;
        }
    }
    size_t old_cap = r->cap;
    if (pw_vec_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v) ||
        pw_vec_grow((void **)&ix->undo, &ix->undo_cap, ix->nundo + 1, sizeof *ix->undo))
        return PW_ENOMEM;
    ix->rev_bytes += (r->cap - old_cap) * sizeof *r->v;
    uint64_t h = ix_hash(update_id);
    size_t slot = ix_place(ix->slots, ix->cap, h);
    ix->slots[slot].hash = h;
    ix->slots[slot].seq = seq;
    ix->used++;
    r->v[r->n].seq = seq;
    r->v[r->n].fy = fy;
    r->n++;
    ix->undo[ix->nundo].slot = slot;
    ix->undo[ix->nundo].revs = r;
    ix->nundo++;
    return 0;
}

void store_index_prefetch(const struct store_index *ix, const char *update_id)
{
    __builtin_prefetch(&ix->slots[ix_hash(update_id) & (ix->cap - 1)]);
}

int store_index_uid(const struct store_index *ix, const char *update_id,
                    int (*cb)(void *arg, uint64_t seq), void *arg)
{
    uint64_t h = ix_hash(update_id);
    for (size_t i = (size_t)h & (ix->cap - 1); ix->slots[i].seq; i = (i + 1) & (ix->cap - 1))
        if (ix->slots[i].hash == h) {
            int rc = cb(arg, ix->slots[i].seq);
            if (rc)
                return rc;
        }
    return 0;
}

const struct store_rev *store_index_revs(const struct store_index *ix, const char *indicator_id,
                                         size_t *n)
{
    const struct ix_revs *r = pw_map_get(ix->by_ind, indicator_id);
    *n = r ? r->n : 0;
    return r ? r->v : NULL;
}

uint64_t store_index_latest(const struct store_index *ix, const char *indicator_id, int32_t fy)
{
    size_t n;
    const struct store_rev *r = store_index_revs(ix, indicator_id, &n);
    for (size_t i = n; i > 0; i--)
        if (r[i - 1].fy == fy)
            return r[i - 1].seq;
    return 0;
}

struct ix_each {
    void (*cb)(void *arg, const char *indicator_id, const struct store_rev *r, size_t n);
    void *arg;
};

static void ix_each_one(void *arg, const char *key, void *value)
{
    struct ix_each *e = arg;
    const struct ix_revs *r = value;
    if (r->n)
        e->cb(e->arg, key, r->v, r->n);
}

void store_index_each(const struct store_index *ix,
                      void (*cb)(void *arg, const char *indicator_id, const struct store_rev *r,
                                 size_t n),
                      void *arg)
{
    struct ix_each e = {cb, arg};
    pw_map_each(ix->by_ind, ix_each_one, &e);
}

size_t store_index_mark(const struct store_index *ix)
{
    return ix->nundo;
}

void store_index_rollback(struct store_index *ix, size_t mark)
{
    while (ix->nundo > mark) {
        struct ix_undo *u = &ix->undo[--ix->nundo];
        ix->slots[u->slot].seq = 0;
        ix->slots[u->slot].hash = 0;
        ix->used--;
        u->revs->n--;
    }
}

void store_index_commit(struct store_index *ix)
{
    ix->nundo = 0;
    if (ix->used * 2 > ix->cap)
        ix_grow(ix); /* failure is fine: the next add retries */
}

size_t store_index_count(const struct store_index *ix)
{
    return ix->used;
}

size_t store_index_capacity(const struct store_index *ix)
{
    return ix->cap;
}

size_t store_index_bytes(const struct store_index *ix)
{
    return ix->cap * sizeof *ix->slots + ix->rev_bytes + ix->undo_cap * sizeof *ix->undo;
}
