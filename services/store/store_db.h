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
 * during the callback. Layout: docs/pipeline.md "Store".
 *
 * The layout carries a format number (meta "format"); opening upgrades older
 * data in place, one durable step per format, and refuses newer data. */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "planwatch.pb-c.h"

struct pw_arena;
struct pw_indicator;

/* The data format this binary writes, kept in meta "format" (u64 BE).
 *   1  the first release's layout, which did not record its format: an
 *      environment holding tables but no "format" key is format 1
 *   2  the same layout with the format recorded
 * A layout change raises it and adds its step to store_db.c's upgrade table. */
#define STORE_DB_FORMAT 4

struct store_db;

typedef int (*store_db_update_cb)(void *arg, const Planwatch__V1__IndicatorUpdate *u);

/* Opens (creating) the environment in dir with an initial map of map_mb
 * MiB; the map doubles on demand up to max_mb. A new environment is created
 * at STORE_DB_FORMAT; an older one is upgraded in place first, one format at
 * a time, each step in its own durable transaction and logged ("data format
 * upgraded" from= to=), so an interrupted upgrade resumes at the next open.
 * Then reads the whole log once to build the indexes, calling load(arg, u)
 * for every stored update in seq order (load may be NULL). Returns 0 and
 * *out (untouched on failure), or PW_EFORMAT (the data is of a newer format
 * than STORE_DB_FORMAT: logged with both numbers, nothing written), PW_EDB
 * (logged; also an unreadable "format" value), PW_EIO (cannot create dir),
 * PW_EMAPFULL (an upgrade step does not fit max_mb), PW_ENOMEM or load's
 * non-zero result. */
int store_db_open(struct store_db **out, const char *dir, size_t map_mb, size_t max_mb,
                  store_db_update_cb load, void *arg);
void store_db_close(struct store_db **db);

/* The data format of the open environment (STORE_DB_FORMAT once open). */
uint64_t store_db_format(const struct store_db *db);

/* The upgrade table, so a test can check it: the format upgrade step i
 * (0-based) produces, or 0 past the last step. Step i takes format i+1 to
 * i+2 and the last one reaches STORE_DB_FORMAT. */
uint64_t store_db_upgrade_to(size_t i);

/* One update of a group commit. In: u (borrowed; u->seq is set when it is
 * stored). Out: result 0 = stored as new seq, 1 = duplicate of seq (same
 * update id, same figure: always for an explicit id; for a derived one
 * (u->id_derived) while that revision is the latest of its indicator and
 * fiscal year, or when u is ingest's retransmission of it — else a revert,
 * stored anew), or a PW_E* code (PW_ECONFLICT: same id, different figure;
 * PW_EFEED_RETRACT: a retraction of a fiscal year whose latest revision is
 * no figure). packed/len: the record as written to LMDB (with its seq), in
 * the arena given to store_db_put_batch, for the committed-update stream to
 * send the same bytes; NULL when not stored or without an arena. */
struct store_put {
    Planwatch__V1__IndicatorUpdate *u;
    int result;
    uint64_t seq;
    const struct pw_indicator *ind; /* the caller's; store_db does not use it */
    const uint8_t *raw;             /* u as received (packed by ingest), or NULL: */
    size_t raw_len;                 /* the record is raw stamped, not packed anew */
    const uint8_t *packed;
    size_t len;
};

/* Writes puts[0..n) in ONE durable transaction (commit = fsync). On
 * PW_EMAPFULL the map is grown and the whole batch retried; if it cannot
 * grow, every put gets result PW_EMAPFULL and nothing is written. When the
 * disk is full (ENOSPC from a write or the sync) every put gets result
 * PW_EDISKFULL and nothing is written; the next call simply tries again.
 * Each record is packed once: into arena (if not NULL) and copied into its
 * page, so that the caller can publish the same bytes (puts[i].packed).
 * Returns 0 (per-put results set) or the PW_E* code that failed the
 * transaction. */
int store_db_put_batch(struct store_db *db, struct store_put *puts, size_t n,
                       struct pw_arena *arena);

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

/* ---- keyed tables for the alert side (store_alerts.c gives them meaning) ----
 * Values are packed protobuf messages (or raw bytes for meta); keys are
 * built by the caller (big-endian numbers where order matters). */
enum store_table {
    STORE_T_ALERTS,      /* indicator_id -> AlertState */
    STORE_T_META,        /* name -> u64 BE ("format", "alert_seq", "admin_seq", "sub_id",
                          * "silence_id", "report_id", "assess_id", "probe"; "format" belongs to
                          * store_db: never write it) */
    STORE_T_ALERT_LOG,   /* alert seq (u64 BE) -> Alert, every published transition */
    STORE_T_ALERT_IDS,   /* alert_id -> u64 BE seq of its latest transition */
    STORE_T_SUBS,        /* subscription id (u64 BE) -> Subscription */
    STORE_T_ACKS,        /* alert_id \0 time (u64 BE) -> Ack */
    STORE_T_SILENCES,    /* silence id (u64 BE) -> Silence */
    STORE_T_DELIVERIES,  /* alert seq, subscription id (u64 BE each) -> Delivery */
    STORE_T_ATTEMPTS,    /* alert seq, subscription id, attempt (u64 BE each) -> DeliveryAttempt */
    STORE_T_REPORTS,     /* report id (u64 BE) -> PublishedReport (store_reports.c) */
    STORE_T_ASSESSMENTS, /* indicator_id \0 fiscal year (u32 BE) received_ns, record id
                          * (u64 BE each) -> Assessment, every record kept (store_assess.c) */
    STORE_T_REVOKED,     /* revocation seq (u64 BE) -> SessionRevocation (store_sessions.c) */
    STORE_T_COUNT
};

/* One write of store_db_write: put (msg packed, or val[0..vlen) raw) or delete. */
struct store_db_op {
    enum store_table table;
    const void *key;
    size_t klen;
    const ProtobufCMessage *msg; /* NULL: val/vlen is the value */
    const void *val;
    size_t vlen;
    int del;                     /* delete key (absent is fine) */
};

/* Applies ops[0..n) in ONE durable transaction (growing the map when full).
 * Returns 0, PW_EINVAL (a key of 0 or more than 511 bytes), PW_EMAPFULL,
 * PW_EDISKFULL (ENOSPC) or PW_EDB; nothing is written on failure. */
int store_db_write(struct store_db *db, const struct store_db_op *ops, size_t n);

/* A key/value handed to a callback: valid only during the call. A non-zero
 * return stops the iteration and is returned. */
typedef int (*store_db_kv_cb)(void *arg, const void *key, size_t klen, const void *val,
                              size_t vlen);

/* Calls cb for every key of table t starting with prefix[0..plen) (plen 0:
 * all), in key order, or in reverse order when reverse is set, in one read
 * transaction. Returns 0, cb's non-zero return, or PW_EDB. */
int store_db_each(struct store_db *db, enum store_table t, const void *prefix, size_t plen,
                  int reverse, store_db_kv_cb cb, void *arg);

/* Calls cb with the value of key. Returns 0, PW_ENOTFOUND, cb's return or PW_EDB. */
int store_db_get(struct store_db *db, enum store_table t, const void *key, size_t klen,
                 store_db_kv_cb cb, void *arg);

/* Whether the last durable write (put_batch, write, probe) failed for a
 * full disk; *count (may be NULL): how many such writes failed since open.
 * Any successful durable write clears it. A write after a failed one first
 * reopens the environment if LMDB declared it unusable (MDB_PANIC). */
int store_db_disk_full(const struct store_db *db, uint64_t *count);

/* A small durable write (meta "probe" = value): can the store commit now?
 * Returns 0 or store_db_write's error (PW_EDISKFULL while the disk is full). */
int store_db_probe(struct store_db *db, uint64_t value);

/* A u64 from meta (0 when absent). */
uint64_t store_db_meta(struct store_db *db, const char *name);

/* Big-endian u64 keys. */
void store_db_put_be64(unsigned char *p, uint64_t v);
uint64_t store_db_read_be64(const unsigned char *p);

/* Map size and bytes in use, and the in-memory index size, for logs and
 * metrics. */
void store_db_usage(struct store_db *db, size_t *map_bytes, size_t *used_bytes);
size_t store_db_index_bytes(struct store_db *db);

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
