/* sanity.c - sanity warnings on new figures (see sanity.h). Figures of
 * different bases are not compared: an annual うち figure says nothing
 * about a cumulative parent. */
#include "sanity.h"

#include <string.h>

#include "dec.h"
#include "err.h"

/* The latest revision of fy in h for ind, or NULL when there is none or it
 * is a retraction. Scans from the newest: the year looked for is usually
 * among the last revisions. */
static const struct pw_obs *sanity_latest(const struct pw_history *h,
                                          const struct pw_indicator *ind, int fy)
{
    size_t n;
    const struct pw_obs *obs = pw_history_get(h, ind, &n);
    for (size_t i = n; i > 0; i--)
        if (obs[i - 1].fy == fy)
            return obs[i - 1].retracted ? NULL : &obs[i - 1];
    return NULL;
}

static int sanity_count(const struct pw_indicator *ind)
{
    return !ind->percent && ind->target.type != PW_TARGET_RATIO &&
           ind->target.type != PW_TARGET_LEVEL;
}

/* A warning's reason, composed piece by piece: the store checks every row
 * it stores, and printf was a sixth of its instructions where the rows draw
 * warnings. Cut at the end (the reasons here are far shorter). */
struct sanity_msg {
    char b[256];
    size_t n;
};

static void sm_put(struct sanity_msg *m, const char *s)
{
    size_t k = strlen(s);
    if (k > sizeof m->b - m->n)
        k = sizeof m->b - m->n;
    memcpy(m->b + m->n, s, k);
    m->n += k;
}

static void sm_dec(struct sanity_msg *m, int64_t v)
{
    char t[40];
    sm_put(m, pw_dec_format(v, t, sizeof t));
}

static void sm_fy(struct sanity_msg *m, int fy)
{
    sm_put(m, "FY");
    sm_dec(m, (int64_t)fy * PW_DEC_SCALE); /* a whole number: no decimals */
}

size_t pw_sanity_check(const struct pw_history *h, const struct pw_indicator *ind,
                       const struct pw_obs *o, struct pw_diag out[PW_SANITY_MAX])
{
    size_t n = 0;
    if (o->retracted)
        return 0;
    const struct pw_obs *p = ind->parent ? sanity_latest(h, ind->parent, o->fy) : NULL;
    if (p && p->basis == o->basis && o->value > p->value) {
        struct sanity_msg m = {.n = 0};
        sm_dec(&m, o->value);
        sm_put(&m, " is a part (うち) of ");
        sm_put(&m, ind->parent->id);
        sm_put(&m, ", whose ");
        sm_fy(&m, o->fy);
        sm_put(&m, " figure is ");
        sm_dec(&m, p->value);
        sm_put(&m, ": the part is larger");
        pw_diag_set_msg(&out[n++], PW_WFEED_SUBTOTAL, "value", m.b, m.n);
    }
    const struct pw_obs *q =
        o->basis == PW_BASIS_CUMULATIVE && sanity_count(ind) ? sanity_latest(h, ind, o->fy - 1)
                                                              : NULL;
    if (q && q->basis == PW_BASIS_CUMULATIVE && o->value < q->value) {
        struct sanity_msg m = {.n = 0};
        sm_put(&m, "a cumulative count of ");
        sm_dec(&m, o->value);
        sm_put(&m, " is below ");
        sm_fy(&m, o->fy - 1);
        sm_put(&m, "'s ");
        sm_dec(&m, q->value);
        sm_put(&m, ": a cumulative total cannot fall");
        pw_diag_set_msg(&out[n++], PW_WFEED_DECREASE, "value", m.b, m.n);
    }
    return n;
}
