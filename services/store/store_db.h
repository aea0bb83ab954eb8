/* store_db.h - planwatch's durable store: every revision of every figure in
 * an append-only LMDB log keyed by seq, never overwritten, plus the alert
 * service's recorded states. The indexes (update id -> seq, indicator ->
 * revisions) are kept in memory (store_index) and rebuilt from the log when
 * the store opens, so every durable write is an append.
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

typedef int (*store_db_update_cb)(void *arg, const Planwatch__V1__IndicatorUpdate *u);

/* Opens (creating) the environment in dir with an initial map of map_mb
 * MiB; the map doubles on demand up to max_mb. Reads the whole log once to
 * build the indexes, calling load(arg, u) for every stored update in seq
 * order (load may be NULL). Returns 0 and *out, or PW_EDB (logged) /
 * PW_ENOMEM / load's non-zero result. */
int store_db_open(struct store_db **out, const char *dir, size_t map_mb, size_t max_mb,
                  store_db_update_cb load, void *arg);
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
int store_db_scan(struct store_db *db, uint64_t after_seq, size_t limit, store_db_update_cb cb,
                  void *arg, int *more);

/* Every revision of one indicator, in seq order. */
int store_db_history(struct store_db *db, const char *indicator_id, store_db_update_cb cb,
                     void *arg);

/* The latest revision of every (indicator, fiscal year), by indicator id
 * then fiscal year. */
int store_db_latest(struct store_db *db, store_db_update_cb cb, void *arg);

/* Alert states: every record, and the highest alert seq recorded. */
typedef int (*store_db_alert_cb)(void *arg, const Planwatch__V1__AlertState *s);
int store_db_alert_get(struct store_db *db, store_db_alert_cb cb, void *arg, uint64_t *alert_seq);
/* Replaces the records of states[0..n) in one durable transaction. */
int store_db_alert_put(struct store_db *db, Planwatch__V1__AlertState *const *states, size_t n);

/* Map size and bytes in use, and the in-memory index size, for logs and
 * metrics. */
void store_db_usage(struct store_db *db, size_t *map_bytes, size_t *used_bytes);
size_t store_db_index_bytes(struct store_db *db);

#endif
