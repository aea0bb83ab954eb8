/* history.c - per-indicator revision lists (see history.h). One growable
 * array per indicator, indexed by the indicator's catalog position. */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "vec.h"

struct hist_list {
    struct pw_obs *v;
    size_t n, cap;
};

struct pw_history {
    const struct pw_catalog *cat;
    struct hist_list *lists;
};

int pw_history_open(struct pw_history **out, const struct pw_catalog *cat)
{
    struct pw_history *h = calloc(1, sizeof *h);
    size_t n = pw_catalog_count(cat);
    if (!h)
        return PW_ENOMEM;
    h->cat = cat;
    h->lists = calloc(n ? n : 1, sizeof *h->lists);
    if (!h->lists) {
        free(h);
        return PW_ENOMEM;
    }
    *out = h;
    return 0;
}

void pw_history_clear(struct pw_history *h)
{
    size_t n = pw_catalog_count(h->cat);
    for (size_t i = 0; i < n; i++)
        h->lists[i].n = 0;
}

void pw_history_close(struct pw_history **hp)
{
    if (!hp || !*hp)
        return;
    size_t n = pw_catalog_count((*hp)->cat);
    for (size_t i = 0; i < n; i++)
        free((*hp)->lists[i].v);
    free((*hp)->lists);
    free(*hp);
    *hp = NULL;
}

int pw_history_add(struct pw_history *h, const struct pw_indicator *ind, const struct pw_obs *o)
{
    struct hist_list *l = &h->lists[ind->index];
    if (pw_vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return PW_ENOMEM;
    l->v[l->n++] = *o;
    return 0;
}

int pw_history_put_latest(struct pw_history *h, const struct pw_indicator *ind,
                          const struct pw_obs *o)
{
    struct hist_list *l = &h->lists[ind->index];
    for (size_t i = l->n; i > 0; i--)
        if (l->v[i - 1].fy == o->fy) {
            l->v[i - 1] = *o;
            return 0;
        }
    return pw_history_add(h, ind, o);
}

const struct pw_obs *pw_history_get(const struct pw_history *h, const struct pw_indicator *ind,
                                    size_t *n)
{
    const struct hist_list *l = &h->lists[ind->index];
    *n = l->n;
    return l->v;
}

int pw_history_eval_all(const struct pw_history *h, int32_t as_of, int64_t known_at,
                        struct pw_status_row **rows, size_t *n)
{
    size_t count = pw_catalog_count(h->cat);
    struct pw_status_row *r = calloc(count ? count : 1, sizeof *r);
    if (!r)
        return PW_ENOMEM;
    for (size_t i = 0; i < count; i++) {
        r[i].ind = pw_catalog_at(h->cat, i);
        pw_eval_known(r[i].ind, h->lists[i].v, h->lists[i].n, as_of, known_at, &r[i].ev);
    }
    *rows = r;
    *n = count;
    return 0;
}

int pw_history_copy_known(const struct pw_history *h, int64_t known_at, struct pw_history **out)
{
    struct pw_history *c = NULL;
    size_t count = pw_catalog_count(h->cat);
    if (pw_history_open(&c, h->cat))
        return PW_ENOMEM;
    for (size_t i = 0; i < count; i++) {
        const struct hist_list *l = &h->lists[i];
        for (size_t k = 0; k < l->n; k++)
            if (l->v[k].known_ns <= known_at &&
                pw_history_add(c, pw_catalog_at(h->cat, i), &l->v[k])) {
                pw_history_close(&c);
                return PW_ENOMEM;
            }
    }
    *out = c;
    return 0;
}
