/* store_db.h - planwatch's durable store: every revision of every figure in
 * LMDB, never overwritten, indexed by update id and by (indicator, fiscal
 * year), plus the alert service's recorded states.
 *
 * The only module that includes lmdb.h: LMDB codes are mapped to PW_E* here.
 * Single writer (the store's main loop); no transaction outlives a call, so
 * callers never hold LMDB state across poll iterations. Updates cross this
 * interface as protobuf messages; values handed to callbacks are valid only
 * during the callback. Layout: docs/pipeline.md "Store". */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "planwatch.pb-c.h"

struct store_db;

/* Opens (creating) the environment in dir with an initial map of map_mb
 * MiB; the map doubles on demand up to max_mb. Returns 0 and *out, or
 * PW_EDB (logged) / PW_ENOMEM. */
int store_db_open(struct store_db **out, const char *dir, size_t map_mb, size_t max_mb);
void store_db_close(struct store_db **db);

/* One update of a group commit. In: u (borrowed; u->seq is set when it is
 * stored). Out: result 0 = stored as new seq, 1 = duplicate of seq (same
 * update id, same figure), or a PW_E* code (PW_ECONFLICT: same id,
 * different figure).*/
struct store_put {
    Planwatch__V1__IndicatorUpdate *u;
    int result;
    uint64_t seq;
};

/* Writes puts[0..n) in ONE durable transaction (commit = fsync). On
 * PW_EMAPFULL the map is grown and the whole batch retried; if it cannot
 * grow, every put gets result PW_EMAPFULL and nothing is written. Returns 0
 * (per-put results set) or the PW_E* code that failed the transaction. */
int store_db_put_batch(struct store_db *db, struct store_put *puts, size_t n);

/* Last seq ever assigned (0 for an empty store). */
uint64_t store_db_last_seq(struct store_db *db);

/* Calls cb for every stored update with seq > after_seq in seq order, at
 * most limit of them (0: no limit). *more is set when updates remain.
 * A non-zero return from cb stops the scan and is returned. */
typedef int (*store_db_update_cb)(void *arg, const Planwatch__V1__IndicatorUpdate *u);
int store_db_scan(struct store_db *db, uint64_t after_seq, size_t limit, store_db_update_cb cb,
                  void *arg, int *more);

/* Every revision of one indicator, by fiscal year then seq. */
int store_db_history(struct store_db *db, const char *indicator_id, store_db_update_cb cb,
                     void *arg);

/* The latest revision of every (indicator, fiscal year). */
int store_db_latest(struct store_db *db, store_db_update_cb cb, void *arg);

/* Alert states: every record, and the highest alert seq recorded. */
typedef int (*store_db_alert_cb)(void *arg, const Planwatch__V1__AlertState *s);
int store_db_alert_get(struct store_db *db, store_db_alert_cb cb, void *arg, uint64_t *alert_seq);
/* Replaces the records of states[0..n) in one durable transaction. */
int store_db_alert_put(struct store_db *db, Planwatch__V1__AlertState *const *states, size_t n);

/* Map size and bytes in use, for logs and metrics. */
void store_db_usage(struct store_db *db, size_t *map_bytes, size_t *used_bytes);

/* The largest the map may grow to (--max-map-mb), in bytes. */
size_t store_db_max_map(const struct store_db *db);

/* Writes a consistent, compacted copy of the whole environment (one read
 * transaction: every committed update up to *seq, nothing half-written) to
 * dir/data.mdb, creating dir and its parents (0750) if needed. The copy is written to
 * dir/data.mdb.partial, fsync'd and renamed, so a dir/data.mdb that exists
 * is always complete; restoring is starting a store on a directory holding
 * it. dir must be absolute. Out: *seq, the last seq the copy holds, and
 * *bytes, its size. Returns 0; PW_EINVAL (dir is not absolute, or already
 * holds a data.mdb: back up into a new or empty directory); PW_EIO (cannot
 * create or write; logged); PW_EDB. Blocks the caller for the copy's
 * duration (readers of the environment are not blocked). */
int store_db_backup(struct store_db *db, const char *dir, uint64_t *seq, uint64_t *bytes);

#endif
