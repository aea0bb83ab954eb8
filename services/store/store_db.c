/* store_db.c - LMDB layout and transactions (see store_db.h).
 *
 * Keys are big-endian so that memcmp order is numeric order: `updates` is
 * keyed by seq and written with MDB_APPEND, so a commit touches the tail
 * of one B-tree however many indicators and offices there are. Values are
 * the packed IndicatorUpdate exactly as stored, so a read returns the bytes
 * written. Dedup and history go through store_index (memory), rebuilt here
 * from the log at open, after the data format is checked and upgraded. */
#include "store_db.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "err.h"
#include "log.h"
#include "msg.h"
#include "store_index.h"
#include "vec.h"
#include "wirepack.h"

struct store_db {
    MDB_env *env;
    MDB_dbi updates, alerts, meta;
    MDB_dbi tables[STORE_T_COUNT]; /* store_table -> dbi (alerts and meta included) */
    uint64_t last_seq;
    uint64_t format;               /* data format (STORE_DB_FORMAT once open) */
    size_t map_bytes, max_bytes;
    struct store_index *ix;
    char *dir;                     /* owned: to reopen the environment after a panic */
    int disk_full;                 /* the last durable write failed with ENOSPC */
    uint64_t disk_full_count;      /* writes failed so since open */
};

static int db_err(int mrc, const char *what)
{
    if (mrc == MDB_MAP_FULL)
        return PW_EMAPFULL;
    if (mrc == ENOSPC || mrc == EDQUOT) {
        /* a full disk is an answer, not a storage fault: the transaction
         * was aborted whole, nothing half-written is referenced */
        pw_warn("msg=\"disk full\" op=%s err=\"%s\"", what, mdb_strerror(mrc));
        return PW_EDISKFULL;
    }
    pw_error("msg=\"lmdb error\" op=%s err=\"%s\"", what, mdb_strerror(mrc));
    return mrc == ENOMEM ? PW_ENOMEM : PW_EDB;
}

static void db_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

static uint64_t db_get_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Unpacks a log record (caller frees). */
static Planwatch__V1__IndicatorUpdate *db_unpack(const MDB_val *v)
{
    return planwatch__v1__indicator_update__unpack(NULL, v->mv_size, v->mv_data);
}

static int db_grow(struct store_db *db);

static const char db_format_key[] = "format";

/* The data format, read before anything is created or written: meta's
 * "format"; without one, 1 when the environment holds any table (the first
 * release created every table at its first open and recorded no format),
 * else 0: a new environment. */
static int db_format_read(MDB_txn *txn, uint64_t *format)
{
    MDB_dbi main, meta;
    MDB_cursor *cur;
    MDB_val k = {sizeof db_format_key - 1, (void *)db_format_key}, v;
    int mrc = mdb_dbi_open(txn, "meta", 0, &meta);
    if (!mrc)
        mrc = mdb_get(txn, meta, &k, &v);
    if (!mrc) {
        *format = v.mv_size == 8 ? db_get_be64(v.mv_data) : 0;
        if (*format == 0) {
            pw_error("msg=\"unreadable data format in meta\" size=%zu", v.mv_size);
            return PW_EDB;
        }
        return 0;
    }
    if (mrc != MDB_NOTFOUND)
        return db_err(mrc, "read_format");
    if ((mrc = mdb_dbi_open(txn, NULL, 0, &main)) || (mrc = mdb_cursor_open(txn, main, &cur)))
        return db_err(mrc, "read_format");
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    mdb_cursor_close(cur);
    if (mrc && mrc != MDB_NOTFOUND)
        return db_err(mrc, "read_format");
    *format = mrc == 0 ? 1 : 0;
    return 0;
}

static int db_format_put(struct store_db *db, MDB_txn *txn, uint64_t format)
{
    unsigned char vb[8];
    MDB_val k = {sizeof db_format_key - 1, (void *)db_format_key}, v = {8, vb};
    db_be64(vb, format);
    int mrc = mdb_put(txn, db->meta, &k, &v, 0);
    return mrc ? db_err(mrc, "put_format") : 0;
}

/* One upgrade step: turns data of format to-1 into format to inside txn,
 * its own write transaction (every table is open; the caller records the
 * new format in the same transaction, so a step is applied whole or not at
 * all and an interrupted upgrade resumes at the next open). */
struct db_upgrade {
    uint64_t to;
    int (*step)(struct store_db *db, MDB_txn *txn);
};

/* 1 -> 2: the layout is unchanged; recording the format is the whole step. */
static int db_upgrade_2(struct store_db *db, MDB_txn *txn)
{
    (void)db;
    (void)txn;
    return 0;
}

/* db_upgrades[i] takes format i+1 to i+2. A layout change raises
 * STORE_DB_FORMAT and appends its step; a released step is never edited,
 * since data written by that release goes through it. */
/* 2 -> 3: revisions may be retractions or carry ingest-derived ids, and
 * the reports and assessments tables exist. Nothing old needs converting
 * (old revisions are figures; the tables are created empty at open); the
 * bump is what keeps a format-2 store from reading a retraction as a figure. */
static int db_upgrade_3(struct store_db *db, MDB_txn *txn)
{
    (void)db;
    (void)txn;
    return 0;
}

/* 3 -> 4: a silence may be lifted (Silence.lifted_ns), a subscription may be
 * an email or another format, failed, or grouped (Subscription 70-77), and
 * the alert history may hold delivery alerts. Nothing old needs converting
 * (absent fields mean what they meant); the bump keeps a format-3 store
 * from muting by a lifted silence or posting an email subscription's
 * empty URL. */
static int db_upgrade_4(struct store_db *db, MDB_txn *txn)
{
    (void)db;
    (void)txn;
    return 0;
}

static const struct db_upgrade db_upgrades[] = {
    {2, db_upgrade_2},
    {3, db_upgrade_3},
    {4, db_upgrade_4},
};
_Static_assert(sizeof db_upgrades / sizeof db_upgrades[0] == STORE_DB_FORMAT - 1,
               "one upgrade step per format after 1");

uint64_t store_db_upgrade_to(size_t i)
{
    /* a step without a function would stop every upgrade through it */
    size_t n = sizeof db_upgrades / sizeof db_upgrades[0];
    return i < n && db_upgrades[i].step ? db_upgrades[i].to : 0;
}

static int db_upgrade_attempt(struct store_db *db, const struct db_upgrade *u)
{
    MDB_txn *txn;
    int mrc = mdb_txn_begin(db->env, NULL, 0, &txn), rc;
    if (mrc)
        return db_err(mrc, "txn_begin");
    if ((rc = u->step(db, txn)) || (rc = db_format_put(db, txn, u->to))) {
        mdb_txn_abort(txn);
        return rc;
    }
    if ((mrc = mdb_txn_commit(txn)))
        return db_err(mrc, "commit");
    return 0;
}

/* Brings db->format up to STORE_DB_FORMAT, one durable step at a time. */
static int db_upgrade(struct store_db *db)
{
    while (db->format < STORE_DB_FORMAT) {
        const struct db_upgrade *u = &db_upgrades[db->format - 1];
        int rc = db_upgrade_attempt(db, u);
        if (rc == PW_EMAPFULL && !(rc = db_grow(db)))
            continue;
        if (rc) {
            pw_error("msg=\"data format upgrade failed\" from=%llu to=%llu err=%s",
                     (unsigned long long)db->format, (unsigned long long)u->to, pw_errname(rc));
            return rc;
        }
        pw_info("msg=\"data format upgraded\" from=%llu to=%llu", (unsigned long long)db->format,
                (unsigned long long)u->to);
        db->format = u->to;
    }
    return 0;
}

/* Opens (creating) every table in txn. Returns 0 or db_err's code. */
static int db_open_tables(struct store_db *db, MDB_txn *txn)
{
    int mrc;
    if ((mrc = mdb_dbi_open(txn, "updates", MDB_CREATE, &db->updates)) ||
        (mrc = mdb_dbi_open(txn, "alerts", MDB_CREATE, &db->alerts)) ||
        (mrc = mdb_dbi_open(txn, "meta", MDB_CREATE, &db->meta)) ||
        (mrc = mdb_dbi_open(txn, "alert_log", MDB_CREATE, &db->tables[STORE_T_ALERT_LOG])) ||
        (mrc = mdb_dbi_open(txn, "alert_ids", MDB_CREATE, &db->tables[STORE_T_ALERT_IDS])) ||
        (mrc = mdb_dbi_open(txn, "subs", MDB_CREATE, &db->tables[STORE_T_SUBS])) ||
        (mrc = mdb_dbi_open(txn, "acks", MDB_CREATE, &db->tables[STORE_T_ACKS])) ||
        (mrc = mdb_dbi_open(txn, "silences", MDB_CREATE, &db->tables[STORE_T_SILENCES])) ||
        (mrc = mdb_dbi_open(txn, "deliveries", MDB_CREATE, &db->tables[STORE_T_DELIVERIES])) ||
        (mrc = mdb_dbi_open(txn, "attempts", MDB_CREATE, &db->tables[STORE_T_ATTEMPTS])) ||
        /* added after format 2 without a format bump: a new table changes nothing
         * of the others, an older store never opens it, and an older data dir
         * simply gets it empty here */
        (mrc = mdb_dbi_open(txn, "reports", MDB_CREATE, &db->tables[STORE_T_REPORTS])) ||
        (mrc = mdb_dbi_open(txn, "assessments", MDB_CREATE,
                            &db->tables[STORE_T_ASSESSMENTS])) ||
        (mrc = mdb_dbi_open(txn, "revoked", MDB_CREATE, &db->tables[STORE_T_REVOKED]))) {
        return db_err(mrc, "dbi_open");
    }
    db->tables[STORE_T_ALERTS] = db->alerts;
    db->tables[STORE_T_META] = db->meta;
    return 0;
}

int store_db_open(struct store_db **out, const char *dir, size_t map_mb, size_t max_mb,
                  store_db_update_cb load, void *arg)
{
    struct store_db *db = calloc(1, sizeof *db);
    MDB_txn *txn = NULL;
    int mrc, rc = PW_EDB;
    if (!db)
        return PW_ENOMEM;
    db->map_bytes = map_mb << 20;
    db->max_bytes = (max_mb < map_mb ? map_mb : max_mb) << 20;
    if (!(db->dir = strdup(dir))) {
        free(db);
        return PW_ENOMEM;
    }
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        pw_error("msg=\"cannot create data dir\" dir=%s err=\"%s\"", dir, strerror(errno));
        free(db->dir);
        free(db);
        return PW_EIO;
    }
    if ((mrc = mdb_env_create(&db->env)) || (mrc = mdb_env_set_maxdbs(db->env, 16)) ||
        (mrc = mdb_env_set_mapsize(db->env, db->map_bytes)) ||
        /* MDB_NOTLS: a read transaction may run inside another's callback
         * (QUERY_ALERTS reads each open alert's acks while scanning states);
         * without it LMDB refuses the second with MDB_BAD_RSLOT */
        (mrc = mdb_env_open(db->env, dir, MDB_NOTLS, 0640))) {
        rc = db_err(mrc, "env_open");
        goto fail;
    }
    /* an existing environment may already be larger than asked */
    MDB_envinfo info;
    mdb_env_info(db->env, &info);
    db->map_bytes = info.me_mapsize;
    if ((mrc = mdb_txn_begin(db->env, NULL, 0, &txn))) {
        rc = db_err(mrc, "txn_begin");
        goto fail;
    }
    /* checked before any table is created: newer data is left as it is */
    if ((rc = db_format_read(txn, &db->format)))
        goto fail;
    if (db->format > STORE_DB_FORMAT) {
        pw_error("msg=\"the data is of a newer format than this planwatch-store reads: use a newer "
                 "planwatch-store (nothing was changed)\" data_dir=%s format=%llu supported=%d",
                 dir, (unsigned long long)db->format, STORE_DB_FORMAT);
        rc = PW_EFORMAT;
        goto fail;
    }
    if ((rc = db_open_tables(db, txn)))
        goto fail;
    if (db->format == 0) {
        if ((rc = db_format_put(db, txn, STORE_DB_FORMAT)))
            goto fail;
        db->format = STORE_DB_FORMAT;
    }
    mrc = mdb_txn_commit(txn);
    txn = NULL;
    if (mrc) {
        rc = db_err(mrc, "commit");
        goto fail;
    }
    if ((rc = db_upgrade(db)))
        goto fail;
    /* one pass over the log: the indexes, the last seq, the caller's view */
    MDB_cursor *cur;
    MDB_val k, v;
    if ((rc = store_index_open(&db->ix)))
        goto fail;
    if ((mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn))) {
        rc = db_err(mrc, "txn_begin");
        goto fail;
    }
    if ((mrc = mdb_cursor_open(txn, db->updates, &cur))) {
        rc = db_err(mrc, "cursor_open");
        goto fail;
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && !rc;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Planwatch__V1__IndicatorUpdate *u = db_unpack(&v);
        if (!u || k.mv_size != 8) {
            rc = PW_EDB;
            pw_error("msg=\"unreadable record in the log\" size=%zu", v.mv_size);
            break;
        }
        db->last_seq = db_get_be64(k.mv_data);
        if ((rc = store_index_reserve(db->ix, 1)) ||
            (rc = store_index_add(db->ix, u->update_id, u->indicator_id, u->fiscal_year,
                                  db->last_seq)))
            store_index_rollback(db->ix, 0);
        else
            store_index_commit(db->ix);
        if (!rc && load)
            rc = load(arg, u);
        planwatch__v1__indicator_update__free_unpacked(u, NULL);
    }
    mdb_cursor_close(cur);
    if (rc)
        goto fail;
    mdb_txn_abort(txn);
    *out = db;
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    if (db->env)
        mdb_env_close(db->env);
    store_index_close(&db->ix);
    free(db->dir);
    free(db);
    return rc;
}

void store_db_close(struct store_db **dbp)
{
    if (!dbp || !*dbp)
        return;
    if ((*dbp)->env)
        mdb_env_close((*dbp)->env);
    store_index_close(&(*dbp)->ix);
    free((*dbp)->dir);
    free(*dbp);
    *dbp = NULL;
}

uint64_t store_db_format(const struct store_db *db)
{
    return db->format;
}

uint64_t store_db_last_seq(struct store_db *db)
{
    return db->last_seq;
}

/* Looks up a stored update by seq (unpacked: caller frees). */
static int db_get_update(struct store_db *db, MDB_txn *txn, uint64_t seq,
                         Planwatch__V1__IndicatorUpdate **out)
{
    unsigned char kb[8];
    MDB_val k = {8, kb}, v;
    db_be64(kb, seq);
    int mrc = mdb_get(txn, db->updates, &k, &v);
    if (mrc)
        return mrc == MDB_NOTFOUND ? PW_ENOTFOUND : db_err(mrc, "get_update");
    *out = planwatch__v1__indicator_update__unpack(NULL, v.mv_size, v.mv_data);
    return *out ? 0 : PW_EDB;
}

/* Finds a stored update with this id (hash hits confirmed on the record). */
struct db_uid_find {
    struct store_db *db;
    MDB_txn *txn;
    const char *update_id;
    Planwatch__V1__IndicatorUpdate *found;  /* unpacked: caller frees */
    int rc;
};

static int db_uid_check(void *arg, uint64_t seq)
{
    struct db_uid_find *f = arg;
    Planwatch__V1__IndicatorUpdate *u = NULL;
    int rc = db_get_update(f->db, f->txn, seq, &u);
    if (rc) {
        f->rc = rc;
        return 1;
    }
    /* the newest revision with the id: a revert stores a derived id again */
    if (strcmp(u->update_id, f->update_id) == 0 && (!f->found || u->seq > f->found->seq)) {
        if (f->found)
            planwatch__v1__indicator_update__free_unpacked(f->found, NULL);
        f->found = u;
        return 0;
    }
    planwatch__v1__indicator_update__free_unpacked(u, NULL);
    return 0; /* a hash collision or an older revision: keep looking */
}

/* Whether u, whose id is stored as f, is a duplicate of it. An explicit id
 * names one update: always. A derived id names a figure: while that figure
 * is the latest of its (indicator, fiscal year), or when u is ingest's
 * retransmission of the very publication stored (it may have been
 * superseded since, by a later row of the same batch or another office);
 * else u is a revert, stored as a new revision. */
static int db_is_duplicate(struct store_db *db, const Planwatch__V1__IndicatorUpdate *f,
                           const Planwatch__V1__IndicatorUpdate *u)
{
    if (!u->id_derived)
        return 1;
    if (u->ingest_epoch && u->ingest_epoch == f->ingest_epoch && u->ingest_seq == f->ingest_seq)
        return 1;
    return store_index_latest(db->ix, u->indicator_id, u->fiscal_year) == f->seq;
}

/* A retraction needs a figure to withdraw: the latest revision of its
 * fiscal year exists and is not itself a retraction. Returns 0,
 * PW_EFEED_RETRACT or a read error. */
static int db_check_retract(struct store_db *db, MDB_txn *txn,
                            const Planwatch__V1__IndicatorUpdate *u)
{
    uint64_t seq = store_index_latest(db->ix, u->indicator_id, u->fiscal_year);
    if (!seq)
        return PW_EFEED_RETRACT;
    Planwatch__V1__IndicatorUpdate *l = NULL;
    int rc = db_get_update(db, txn, seq, &l);
    if (rc)
        return rc;
    rc = l->retracted ? PW_EFEED_RETRACT : 0;
    planwatch__v1__indicator_update__free_unpacked(l, NULL);
    return rc;
}

/* Begins a read transaction; MDB_PANIC while the environment is closed
 * (a reopen after a failed write failed too: the next write retries). */
static int db_begin_read(struct store_db *db, MDB_txn **txn)
{
    return db->env ? mdb_txn_begin(db->env, NULL, MDB_RDONLY, txn) : MDB_PANIC;
}

/* Closes and reopens the environment: after a failed write of its meta page
 * (the disk filled up at the wrong moment) LMDB answers every transaction
 * with MDB_PANIC until it is reopened. The indexes in memory stay: the
 * failed transaction was rolled back from them, and reopening reads the
 * last meta page that did reach the disk. Returns 0 or db_err's code (the
 * environment is then closed and the next write tries again). */
static int db_reopen(struct store_db *db)
{
    MDB_txn *txn = NULL;
    int mrc, rc;
    if (db->env)
        mdb_env_close(db->env);
    db->env = NULL;
    if ((mrc = mdb_env_create(&db->env)) || (mrc = mdb_env_set_maxdbs(db->env, 16)) ||
        (mrc = mdb_env_set_mapsize(db->env, db->map_bytes)) ||
        (mrc = mdb_env_open(db->env, db->dir, MDB_NOTLS, 0640)) ||
        (mrc = mdb_txn_begin(db->env, NULL, 0, &txn))) {
        rc = db_err(mrc, "reopen");
        goto fail;
    }
    if ((rc = db_open_tables(db, txn)))
        goto fail;
    if ((mrc = mdb_txn_commit(txn))) {
        txn = NULL;
        rc = db_err(mrc, "reopen_commit");
        goto fail;
    }
    pw_info("msg=\"environment reopened\" seq=%llu", (unsigned long long)db->last_seq);
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    if (db->env)
        mdb_env_close(db->env);
    db->env = NULL;
    return rc;
}

/* Begins a write transaction, reopening the environment first when it is
 * closed or LMDB has declared it unusable (MDB_PANIC). */
static int db_begin_write(struct store_db *db, MDB_txn **txn)
{
    int rc;
    if (!db->env && (rc = db_reopen(db)))
        return rc;
    int mrc = mdb_txn_begin(db->env, NULL, 0, txn);
    if (mrc == MDB_PANIC) {
        pw_warn("msg=\"lmdb panic after a failed write: reopening the environment\"");
        if ((rc = db_reopen(db)))
            return rc;
        mrc = mdb_txn_begin(db->env, NULL, 0, txn);
    }
    return mrc ? db_err(mrc, "txn_begin") : 0;
}

/* Notes the outcome of a durable write for store_db_disk_full. */
static int db_outcome(struct store_db *db, int rc)
{
    if (rc == PW_EDISKFULL) {
        db->disk_full = 1;
        db->disk_full_count++;
    } else if (rc == 0 && db->disk_full) {
        pw_info("msg=\"disk space is back: commits succeed again\"");
        db->disk_full = 0;
    }
    return rc;
}

/* One attempt at writing the batch; MDB_MAP_FULL surfaces as PW_EMAPFULL.
 * The index changes of a failed attempt are rolled back. */
static int db_put_attempt(struct store_db *db, struct store_put *puts, size_t n,
                          struct pw_arena *arena)
{
    MDB_txn *txn;
    size_t mark = store_index_mark(db->ix);
    int rc = store_index_reserve(db->ix, n), mrc;
    if (rc || (rc = db_begin_write(db, &txn)))
        return rc;
    uint64_t seq = db->last_seq;
    /* the id table's slots a few updates ahead, so that their cache misses
     * overlap instead of coming one by one */
    enum { AHEAD = 8 };
    for (size_t i = 0; i < n && i < AHEAD; i++)
        store_index_prefetch(db->ix, puts[i].u->update_id);
    for (size_t i = 0; i < n && !rc; i++) {
        struct store_put *p = &puts[i];
        if (i + AHEAD < n)
            store_index_prefetch(db->ix, puts[i + AHEAD].u->update_id);
        Planwatch__V1__IndicatorUpdate *u = p->u;
        struct db_uid_find f = {db, txn, u->update_id, NULL, 0};
        p->seq = 0;
        p->packed = NULL;
        p->len = 0;
        store_index_uid(db->ix, u->update_id, db_uid_check, &f);
        if (f.rc) {
            if (f.found)
                planwatch__v1__indicator_update__free_unpacked(f.found, NULL);
            rc = f.rc;
            break;
        }
        if (f.found) {
            /* a resend: a duplicate or a revert; another figure, a conflict */
            int same = pw_msg_same_figure(f.found, u);
            int dup = same && db_is_duplicate(db, f.found, u);
            p->seq = f.found->seq;
            planwatch__v1__indicator_update__free_unpacked(f.found, NULL);
            if (!same || dup) {
                p->result = same ? 1 : PW_ECONFLICT;
                continue;
            }
            p->seq = 0;
        }
        if (u->retracted) {
            int r = db_check_retract(db, txn, u);
            if (r == PW_EFEED_RETRACT) {
                p->result = r;
                continue;
            }
            if ((rc = r))
                break;
        }
        u->seq = ++seq;
        /* ingest's bytes with the store's time and seq appended decode as u
         * (pw_wirepack_update_stamp): the update is not packed a second time */
        size_t len = p->raw ? pw_wirepack_update_stamp_size(p->raw_len, u->received_ns, u->seq)
                            : planwatch__v1__indicator_update__get_packed_size(u);
        unsigned char kb[8];
        db_be64(kb, seq);
        MDB_val k = {8, kb}, v = {len, NULL};
        /* MDB_RESERVE: no intermediate copy but the one the caller publishes
         * (packing costs ten times the copy) */
        uint8_t *b = arena ? pw_arena_alloc_raw(arena, len ? len : 1) : NULL; /* written whole */
        if ((mrc = mdb_put(txn, db->updates, &k, &v, MDB_APPEND | MDB_RESERVE))) {
            rc = db_err(mrc, "put_update");
            break;
        }
        uint8_t *to = b ? b : v.mv_data;
        if (p->raw)
            pw_wirepack_update_stamp(p->raw, p->raw_len, u->received_ns, u->seq, to);
        else
            planwatch__v1__indicator_update__pack(u, to);
        if (b) {
            memcpy(v.mv_data, b, len);
            p->packed = b;
            p->len = len;
        }
        if ((rc = store_index_add(db->ix, u->update_id, u->indicator_id, u->fiscal_year, seq)))
            break;
        p->result = 0;
        p->seq = seq;
    }
    if (rc) {
        mdb_txn_abort(txn);
        store_index_rollback(db->ix, mark);
        return rc;
    }
    if ((mrc = mdb_txn_commit(txn))) {
        store_index_rollback(db->ix, mark);
        return db_err(mrc, "commit");
    }
    store_index_commit(db->ix);
    db->last_seq = seq;
    return 0;
}

static int db_grow(struct store_db *db)
{
    if (db->map_bytes >= db->max_bytes)
        return PW_EMAPFULL;
    size_t want = db->map_bytes * 2 > db->max_bytes ? db->max_bytes : db->map_bytes * 2;
    int mrc = mdb_env_set_mapsize(db->env, want);
    if (mrc)
        return db_err(mrc, "set_mapsize");
    pw_info("msg=\"map grown\" from_mb=%zu to_mb=%zu", db->map_bytes >> 20, want >> 20);
    db->map_bytes = want;
    return 0;
}

int store_db_put_batch(struct store_db *db, struct store_put *puts, size_t n,
                       struct pw_arena *arena)
{
    for (;;) {
        int rc = db_outcome(db, db_put_attempt(db, puts, n, arena));
        if (rc == PW_EDISKFULL) {
            for (size_t i = 0; i < n; i++) {
                puts[i].u->seq = 0;
                puts[i].seq = 0;
                puts[i].packed = NULL;
                puts[i].result = PW_EDISKFULL;
            }
            return 0;
        }
        if (rc != PW_EMAPFULL)
            return rc;
        for (size_t i = 0; i < n; i++) {
            puts[i].u->seq = 0;
            puts[i].seq = 0;
            puts[i].packed = NULL;
        }
        if (db_grow(db)) {
            pw_error("msg=\"store full\" map_mb=%zu max_mb=%zu n=%zu", db->map_bytes >> 20,
                     db->max_bytes >> 20, n);
            for (size_t i = 0; i < n; i++)
                puts[i].result = PW_EMAPFULL;
            return 0;
        }
    }
}

/* Unpacks v and hands it to cb. */
static int db_emit(const MDB_val *v, store_db_update_cb cb, void *arg)
{
    Planwatch__V1__IndicatorUpdate *u =
        planwatch__v1__indicator_update__unpack(NULL, v->mv_size, v->mv_data);
    if (!u)
        return PW_EDB;
    int rc = cb(arg, u);
    planwatch__v1__indicator_update__free_unpacked(u, NULL);
    return rc;
}

int store_db_scan(struct store_db *db, uint64_t after_seq, size_t limit, store_db_update_cb cb,
                  void *arg, int *more)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    unsigned char kb[8];
    MDB_val k = {8, kb}, v;
    int rc = 0, mrc;
    *more = 0;
    if ((mrc = db_begin_read(db, &txn)))
        return db_err(mrc, "txn_begin");
    if ((mrc = mdb_cursor_open(txn, db->updates, &cur))) {
        mdb_txn_abort(txn);
        return db_err(mrc, "cursor_open");
    }
    db_be64(kb, after_seq + 1);
    size_t count = 0;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (limit && count == limit) {
            *more = 1;
            break;
        }
        if ((rc = db_emit(&v, cb, arg)))
            break;
        count++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

/* Emits the records of seqs[0..n) in order, in one read transaction. */
static int db_emit_seqs(struct store_db *db, const uint64_t *seqs, size_t n,
                        store_db_update_cb cb, void *arg)
{
    MDB_txn *txn;
    int rc = 0, mrc;
    if ((mrc = db_begin_read(db, &txn)))
        return db_err(mrc, "txn_begin");
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char kb[8];
        MDB_val k = {8, kb}, v;
        db_be64(kb, seqs[i]);
        if ((mrc = mdb_get(txn, db->updates, &k, &v)))
            rc = db_err(mrc, "get_update");
        else
            rc = db_emit(&v, cb, arg);
    }
    mdb_txn_abort(txn);
    return rc;
}

int store_db_history(struct store_db *db, const char *indicator_id, store_db_update_cb cb,
                     void *arg)
{
    size_t n;
    const struct store_rev *r = store_index_revs(db->ix, indicator_id, &n);
    uint64_t *seqs = malloc((n ? n : 1) * sizeof *seqs);
    if (!seqs)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        seqs[i] = r[i].seq;
    int rc = db_emit_seqs(db, seqs, n, cb, arg);
    free(seqs);
    return rc;
}

/* (indicator, fiscal year, latest seq) rows for store_db_latest */
struct db_latest {
    const char *id;
    int32_t fy;
    uint64_t seq;
};

struct db_latest_list {
    struct db_latest *v;
    size_t n, cap;
    int rc;
};

static void db_latest_collect(void *arg, const char *id, const struct store_rev *r, size_t n)
{
    struct db_latest_list *l = arg;
    for (size_t i = 0; i < n && !l->rc; i++) {
        /* this indicator's rows are the tail of the list; revisions come in
         * seq order, so a later one replaces the same FY's */
        int found = 0;
        for (size_t j = l->n; j > 0 && l->v[j - 1].id == id; j--)
            if (l->v[j - 1].fy == r[i].fy) {
                l->v[j - 1].seq = r[i].seq;
                found = 1;
                break;
            }
        if (found)
            continue;
        if (pw_vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) {
            l->rc = PW_ENOMEM;
            return;
        }
        l->v[l->n].id = id;
        l->v[l->n].fy = r[i].fy;
        l->v[l->n].seq = r[i].seq;
        l->n++;
    }
}

static int db_latest_cmp(const void *a, const void *b)
{
    const struct db_latest *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->fy > y->fy) - (x->fy < y->fy);
}

int store_db_latest(struct store_db *db, store_db_update_cb cb, void *arg)
{
    struct db_latest_list l = {0};
    store_index_each(db->ix, db_latest_collect, &l);
    int rc = l.rc;
    uint64_t *seqs = rc ? NULL : malloc((l.n ? l.n : 1) * sizeof *seqs);
    if (!rc && !seqs)
        rc = PW_ENOMEM;
    if (!rc) {
        if (l.n) /* an empty store: l.v is NULL, which qsort may not be given */
            qsort(l.v, l.n, sizeof *l.v, db_latest_cmp);
        for (size_t i = 0; i < l.n; i++)
            seqs[i] = l.v[i].seq;
        rc = db_emit_seqs(db, seqs, l.n, cb, arg);
    }
    free(seqs);
    free(l.v);
    return rc;
}

static const char db_alert_seq_key[] = "alert_seq";

/* The highest alert seq ever recorded (kept in meta: a record may later be
 * replaced by one with a lower or zero seq, the maximum must never drop). */
static uint64_t db_alert_seq(struct store_db *db, MDB_txn *txn)
{
    MDB_val k = {sizeof db_alert_seq_key - 1, (void *)db_alert_seq_key}, v;
    if (mdb_get(txn, db->meta, &k, &v) == 0 && v.mv_size == 8)
        return db_get_be64(v.mv_data);
    return 0;
}

int store_db_alert_get(struct store_db *db, store_db_alert_cb cb, void *arg, uint64_t *alert_seq)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    int rc = 0, mrc;
    *alert_seq = 0;
    if ((mrc = db_begin_read(db, &txn)))
        return db_err(mrc, "txn_begin");
    *alert_seq = db_alert_seq(db, txn);
    if ((mrc = mdb_cursor_open(txn, db->alerts, &cur))) {
        mdb_txn_abort(txn);
        return db_err(mrc, "cursor_open");
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Planwatch__V1__AlertState *s =
            planwatch__v1__alert_state__unpack(NULL, v.mv_size, v.mv_data);
        if (!s) {
            rc = PW_EDB;
            break;
        }
        if (s->alert_seq > *alert_seq)
            *alert_seq = s->alert_seq;
        rc = cb ? cb(arg, s) : 0;
        planwatch__v1__alert_state__free_unpacked(s, NULL);
        if (rc)
            break;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

void store_db_put_be64(unsigned char *p, uint64_t v)
{
    db_be64(p, v);
}

uint64_t store_db_read_be64(const unsigned char *p)
{
    return db_get_be64(p);
}

static int db_write_attempt(struct store_db *db, const struct store_db_op *ops, size_t n)
{
    MDB_txn *txn;
    int mrc, rc = db_begin_write(db, &txn);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct store_db_op *o = &ops[i];
        if (o->klen == 0 || o->klen > 511 || (unsigned)o->table >= STORE_T_COUNT) {
            rc = PW_EINVAL;
            break;
        }
        MDB_dbi dbi = db->tables[o->table];
        MDB_val k = {o->klen, (void *)o->key};
        if (o->del) {
            mrc = mdb_del(txn, dbi, &k, NULL);
            if (mrc && mrc != MDB_NOTFOUND)
                rc = db_err(mrc, "del");
            continue;
        }
        size_t len = o->msg ? protobuf_c_message_get_packed_size(o->msg) : o->vlen;
        MDB_val v = {len, NULL};
        /* MDB_RESERVE: pack straight into the page */
        if ((mrc = mdb_put(txn, dbi, &k, &v, MDB_RESERVE))) {
            rc = db_err(mrc, "put");
            break;
        }
        if (o->msg)
            protobuf_c_message_pack(o->msg, v.mv_data);
        else if (len)
            memcpy(v.mv_data, o->val, len);
    }
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    if ((mrc = mdb_txn_commit(txn)))
        return db_err(mrc, "commit");
    return 0;
}

int store_db_write(struct store_db *db, const struct store_db_op *ops, size_t n)
{
    for (;;) {
        int rc = db_outcome(db, db_write_attempt(db, ops, n));
        if (rc != PW_EMAPFULL)
            return rc;
        if (db_grow(db))
            return PW_EMAPFULL;
    }
}

size_t store_db_index_bytes(struct store_db *db)
{
    return store_index_bytes(db->ix);
}

int store_db_each(struct store_db *db, enum store_table t, const void *prefix, size_t plen,
                  int reverse, store_db_kv_cb cb, void *arg)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    int rc = 0, mrc;
    if ((unsigned)t >= STORE_T_COUNT)
        return PW_EINVAL;
    if ((mrc = db_begin_read(db, &txn)))
        return db_err(mrc, "txn_begin");
    if ((mrc = mdb_cursor_open(txn, db->tables[t], &cur))) {
        mdb_txn_abort(txn);
        return db_err(mrc, "cursor_open");
    }
    if (reverse) {
        /* the last key with the prefix: position after it, then step back */
        unsigned char end[520];
        size_t elen = plen;
        int past = 0;
        if (plen) {
            memcpy(end, prefix, plen);
            while (elen > 0 && end[elen - 1] == 0xff)
                elen--;
            if (elen > 0) {
                end[elen - 1]++;
                k.mv_size = elen;
                k.mv_data = end;
                past = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) == 0;
            }
        }
        mrc = past ? mdb_cursor_get(cur, &k, &v, MDB_PREV) : mdb_cursor_get(cur, &k, &v, MDB_LAST);
    } else {
        k.mv_size = plen;
        k.mv_data = (void *)prefix;
        mrc = plen ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
                   : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    for (; mrc == 0; mrc = mdb_cursor_get(cur, &k, &v, reverse ? MDB_PREV : MDB_NEXT)) {
        if (k.mv_size < plen || (plen && memcmp(k.mv_data, prefix, plen) != 0))
            break;
        if ((rc = cb(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size)))
            break;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

int store_db_get(struct store_db *db, enum store_table t, const void *key, size_t klen,
                 store_db_kv_cb cb, void *arg)
{
    MDB_txn *txn;
    MDB_val k = {klen, (void *)key}, v;
    if ((unsigned)t >= STORE_T_COUNT || klen == 0 || klen > 511)
        return PW_EINVAL;
    int mrc = db_begin_read(db, &txn), rc;
    if (mrc)
        return db_err(mrc, "txn_begin");
    mrc = mdb_get(txn, db->tables[t], &k, &v);
    if (mrc == MDB_NOTFOUND)
        rc = PW_ENOTFOUND;
    else if (mrc)
        rc = db_err(mrc, "get");
    else
        rc = cb(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
    mdb_txn_abort(txn);
    return rc;
}

static int db_meta_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    if (vlen == 8)
        *(uint64_t *)arg = db_get_be64(val);
    return 0;
}

uint64_t store_db_meta(struct store_db *db, const char *name)
{
    uint64_t v = 0;
    store_db_get(db, STORE_T_META, name, strlen(name), db_meta_cb, &v);
    return v;
}

void store_db_usage(struct store_db *db, size_t *map_bytes, size_t *used_bytes)
{
    MDB_envinfo info;
    MDB_stat st;
    if (!db->env) { /* closed until the next write reopens it */
        *map_bytes = db->map_bytes;
        *used_bytes = 0;
        return;
    }
    mdb_env_info(db->env, &info);
    mdb_env_stat(db->env, &st);
    *map_bytes = info.me_mapsize;
    *used_bytes = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
}

size_t store_db_max_map(const struct store_db *db)
{
    return db->max_bytes;
}

/* fsync a directory so that a rename in it is durable. */
static int db_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int store_db_backup(struct store_db *db, const char *dir, uint64_t *seq, uint64_t *bytes)
{
    char final[4096], partial[4112];
    struct stat st;
    int fd = -1, rc = PW_EIO, mrc;
    if (!dir || dir[0] != '/')
        return PW_EINVAL;
    if (snprintf(final, sizeof final, "%s/data.mdb", dir) >= (int)sizeof final)
        return PW_EINVAL;
    snprintf(partial, sizeof partial, "%s.partial", final);
    /* mkdir -p: every missing parent, then dir */
    for (char *p = strchr(final + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        int bad = mkdir(final, 0750) != 0 && errno != EEXIST;
        *p = '/';
        if (bad) {
            pw_error("msg=\"backup: cannot create dir\" dir=\"%s\" err=\"%s\"", dir,
                     strerror(errno));
            return PW_EIO;
        }
    }
    if (stat(final, &st) == 0)
        return PW_EINVAL;
    fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        pw_error("msg=\"backup: cannot create file\" path=\"%s\" err=\"%s\"", partial,
                 strerror(errno));
        return PW_EIO;
    }
    /* single writer: nothing commits while the copy runs, so last_seq is
     * exactly what the copy's read transaction sees */
    uint64_t at = db->last_seq;
    if (!db->env)
        mrc = MDB_PANIC;
    else
        mrc = mdb_env_copyfd2(db->env, fd, MDB_CP_COMPACT);
    if (mrc) {
        pw_error("msg=\"backup: copy failed\" path=\"%s\" err=\"%s\"", partial, mdb_strerror(mrc));
        rc = mrc == ENOSPC || mrc == EIO ? PW_EIO : PW_EDB;
        goto fail;
    }
    if (fsync(fd) != 0 || fstat(fd, &st) != 0) {
        pw_error("msg=\"backup: cannot sync\" path=\"%s\" err=\"%s\"", partial, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    if (rename(partial, final) != 0 || db_sync_dir(dir) != 0) {
        pw_error("msg=\"backup: cannot rename\" path=\"%s\" err=\"%s\"", final, strerror(errno));
        goto fail;
    }
    *seq = at;
    *bytes = (uint64_t)st.st_size;
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(partial);
    return rc;
}

int store_db_disk_full(const struct store_db *db, uint64_t *count)
{
    if (count)
        *count = db->disk_full_count;
    return db->disk_full;
}

int store_db_probe(struct store_db *db, uint64_t value)
{
    unsigned char v[8];
    db_be64(v, value);
    struct store_db_op op = {STORE_T_META, "probe", 5, NULL, v, 8, 0};
    return store_db_write(db, &op, 1);
}
