/* history.h - every indicator's update history in memory, in arrival order,
 * and evaluation of the whole catalog from it. The offline CLI fills one
 * from feed files; the store and the alert service fill one from LMDB.
 * Borrows the catalog (must outlive it). Not thread-safe. */
#ifndef PW_HISTORY_H
#define PW_HISTORY_H

#include <stddef.h>

#include "catalog.h"
#include "eval.h"

struct pw_history;

/* Returns 0 and *out (caller closes), or PW_ENOMEM. */
int pw_history_open(struct pw_history **out, const struct pw_catalog *cat);
void pw_history_close(struct pw_history **h);

/* Appends a revision of ind's figure (copied). Returns 0 or PW_ENOMEM. */
int pw_history_add(struct pw_history *h, const struct pw_indicator *ind, const struct pw_obs *o);

/* Keeps o as the latest revision of its fiscal year: replaces the one held
 * for o->fy, or appends. For a holder that judges only with every revision
 * known (the alert service): for each fiscal year the last revision counts,
 * so the judgement is the same, and its cost no longer grows with the
 * revisions an indicator has had. Returns 0 or PW_ENOMEM. */
int pw_history_put_latest(struct pw_history *h, const struct pw_indicator *ind,
                          const struct pw_obs *o);

/* Drops every revision (the catalog stays). */
void pw_history_clear(struct pw_history *h);

/* ind's revisions, oldest first; valid until the next add/clear. */
const struct pw_obs *pw_history_get(const struct pw_history *h, const struct pw_indicator *ind,
                                    size_t *n);

/* Evaluates every indicator at as_of from the revisions known at known_at
 * (Unix ns; PW_KNOWN_ALL: every one; pw_eval_known), in catalog order, into
 * a new array *rows of *n entries (caller frees with free()). Returns 0 or
 * PW_ENOMEM. */
int pw_history_eval_all(const struct pw_history *h, int32_t as_of, int64_t known_at,
                        struct pw_status_row **rows, size_t *n);

/* A new history *out (caller closes) with h's revisions known at known_at
 * (known_ns <= known_at), in the same order: what was known then, e.g. for
 * the charts of a report regenerated at a past instant. Returns 0 or
 * PW_ENOMEM. */
int pw_history_copy_known(const struct pw_history *h, int64_t known_at, struct pw_history **out);

#endif
