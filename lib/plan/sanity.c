/* sanity.c - sanity warnings on new figures (see sanity.h). Figures of
 * different bases are not compared: an annual うち figure says nothing
 * about a cumulative parent. */
#include "sanity.h"

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

size_t pw_sanity_check(const struct pw_history *h, const struct pw_indicator *ind,
                       const struct pw_obs *o, struct pw_diag out[PW_SANITY_MAX])
{
    size_t n = 0;
    char a[40], b[40];
    if (o->retracted)
        return 0;
    const struct pw_obs *p = ind->parent ? sanity_latest(h, ind->parent, o->fy) : NULL;
    if (p && p->basis == o->basis && o->value > p->value)
        pw_diag_set(&out[n++], PW_WFEED_SUBTOTAL, "", 0, "value",
                    "%s is a part (うち) of %s, whose FY%d figure is %s: the part is larger",
                    pw_dec_format(o->value, a, sizeof a), ind->parent->id, o->fy,
                    pw_dec_format(p->value, b, sizeof b));
    const struct pw_obs *q =
        o->basis == PW_BASIS_CUMULATIVE && sanity_count(ind) ? sanity_latest(h, ind, o->fy - 1)
                                                              : NULL;
    if (q && q->basis == PW_BASIS_CUMULATIVE && o->value < q->value)
        pw_diag_set(&out[n++], PW_WFEED_DECREASE, "", 0, "value",
                    "a cumulative count of %s is below FY%d's %s: a cumulative total cannot fall",
                    pw_dec_format(o->value, a, sizeof a), o->fy - 1,
                    pw_dec_format(q->value, b, sizeof b));
    return n;
}
