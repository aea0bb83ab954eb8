/* sanity.h - sanity warnings on a new figure: it is stored all the same,
 * and the reply says why it looks wrong (README "Feeds"). Two rules:
 *  - PW_WFEED_SUBTOTAL: a うち figure (an indicator with a parent) above
 *    its parent's latest figure for the same fiscal year, on the same basis;
 *  - PW_WFEED_DECREASE: a cumulative count below the indicator's latest
 *    cumulative figure for the previous fiscal year (counts only: not a
 *    percentage, not a ratio or level target, which may fall).
 * A retracted latest revision is no figure. Pure: reads the history (the
 * revisions stored before this one), allocates nothing. */
#ifndef PW_SANITY_H
#define PW_SANITY_H

#include <stddef.h>

#include "diag.h"
#include "eval.h"
#include "history.h"

#define PW_SANITY_MAX 2 /* at most one warning per rule */

/* Checks o, a new revision of ind (not yet in h), against h. Fills
 * out[0..n) (code PW_WFEED_*, field, reason; file and line empty) and
 * returns n (0 when nothing looks wrong or o is a retraction). */
size_t pw_sanity_check(const struct pw_history *h, const struct pw_indicator *ind,
                       const struct pw_obs *o, struct pw_diag out[PW_SANITY_MAX]);

#endif
