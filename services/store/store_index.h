/* store_index.h - the store's secondary indexes, kept in memory and
 * rebuilt from the LMDB log (`updates`, keyed by seq) at start-up:
 *  - update id -> seq (dedup): a hash of the id -> seq table; a hash hit
 *    is confirmed by the caller against the stored record, so collisions
 *    cost a read, never a wrong answer; a derived id may name several
 *    revisions (a revert stores its figure again);
 *  - indicator -> its revisions (seq, fiscal year), in seq order (history,
 *    latest view).
 * Keeping them out of LMDB makes every durable write an append (no
 * scattered B-tree pages per commit); the log stays the only truth.
 * Single-threaded; insertions since a mark can be undone (a failed commit). */
#ifndef STORE_INDEX_H
#define STORE_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct store_index;

struct store_rev {
    uint64_t seq;
    int32_t fy;
};

/* Returns 0 and *out, or PW_ENOMEM. */
int store_index_open(struct store_index **out);
void store_index_close(struct store_index **ix);

/* Adds a stored update. Returns 0 or PW_ENOMEM (nothing added). */
int store_index_add(struct store_index *ix, const char *update_id, const char *indicator_id,
                    int32_t fy, uint64_t seq);

/* Makes room for n more adds without rehashing (call before a write
 * transaction). Returns 0 or PW_ENOMEM. */
int store_index_reserve(struct store_index *ix, size_t n);

/* Asks the processor for update_id's slot of the id table ahead of
 * store_index_uid: the table is far larger than the caches, and a commit
 * looks up a thousand random ids one after the other. */
void store_index_prefetch(const struct store_index *ix, const char *update_id);

/* Seqs whose update id hashes like update_id: calls cb(arg, seq) for each
 * until cb returns non-zero, which is returned (0 when none matched). */
int store_index_uid(const struct store_index *ix, const char *update_id,
                    int (*cb)(void *arg, uint64_t seq), void *arg);

/* The revisions of one indicator in seq order (NULL, *n = 0 if none);
 * valid until the next add or rollback. */
const struct store_rev *store_index_revs(const struct store_index *ix, const char *indicator_id,
                                         size_t *n);

/* The seq of the latest revision of (indicator_id, fy), or 0 when there is
 * none. Scans the indicator's revisions from the newest. */
uint64_t store_index_latest(const struct store_index *ix, const char *indicator_id, int32_t fy);

/* Calls cb for every indicator with revisions (order unspecified). */
void store_index_each(const struct store_index *ix,
                      void (*cb)(void *arg, const char *indicator_id, const struct store_rev *r,
                                 size_t n),
                      void *arg);

/* Undo log for one write transaction: store_index_mark() remembers the
 * state, store_index_rollback() removes everything added since (in reverse
 * order), store_index_commit() makes the additions final. The id table only
 * grows between transactions: an add that would need a rehash while the
 * undo log is open fails with PW_ENOMEM (the caller rolls back, commits
 * nothing, retries after store_index_commit). */
size_t store_index_mark(const struct store_index *ix);
void store_index_rollback(struct store_index *ix, size_t mark);
void store_index_commit(struct store_index *ix);

/* Entries and approximate heap bytes, for logs and metrics. */
size_t store_index_count(const struct store_index *ix);
size_t store_index_bytes(const struct store_index *ix);

/* Slots of the id table: at least twice the entries once reserve() has
 * succeeded, so that probes stay short. Each slot is a hash and a seq. */
size_t store_index_capacity(const struct store_index *ix);

#endif
