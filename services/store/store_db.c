/* store_db.c - LMDB layout and transactions (see store_db.h).
 *
 * Keys are big-endian so that memcmp order is numeric order: `updates` is
 * keyed by seq and written with MDB_APPEND (the write path stays an append
 * however many indicators there are); `by_ind` orders revisions by
 * indicator, fiscal year, seq. Values in `updates` are the packed
 * IndicatorUpdate exactly as stored, so a read returns the bytes written. */
#include "store_db.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "log.h"
#include "msg.h"

struct store_db {
    MDB_env *env;
    MDB_dbi updates, by_uid, by_ind, latest, alerts, meta;
    MDB_dbi tables[STORE_T_COUNT]; /* store_table -> dbi (alerts and meta included) */
    uint64_t last_seq;
    size_t map_bytes, max_bytes;
};

#define DB_IND_KEY_MAX (64 + 1 + 2 + 8)

static int db_err(int mrc, const char *what)
{
    if (mrc == MDB_MAP_FULL)
        return PW_EMAPFULL;
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

/* indicator_id \0 fy(u16 BE) [seq(u64 BE)] */
static size_t db_ind_key(unsigned char *k, const char *id, int fy, int with_seq, uint64_t seq)
{
    size_t n = strlen(id);
    if (n > 64)
        n = 64;
    memcpy(k, id, n);
    k[n] = 0;
    k[n + 1] = (unsigned char)((unsigned)fy >> 8);
    k[n + 2] = (unsigned char)((unsigned)fy & 0xff);
    if (!with_seq)
        return n + 3;
    db_be64(k + n + 3, seq);
    return n + 11;
}

int store_db_open(struct store_db **out, const char *dir, size_t map_mb, size_t max_mb)
{
    struct store_db *db = calloc(1, sizeof *db);
    MDB_txn *txn = NULL;
    int mrc, rc = PW_EDB;
    if (!db)
        return PW_ENOMEM;
    db->map_bytes = map_mb << 20;
    db->max_bytes = (max_mb < map_mb ? map_mb : max_mb) << 20;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        pw_error("msg=\"cannot create data dir\" dir=%s err=\"%s\"", dir, strerror(errno));
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
    if ((mrc = mdb_txn_begin(db->env, NULL, 0, &txn)) ||
        (mrc = mdb_dbi_open(txn, "updates", MDB_CREATE, &db->updates)) ||
        (mrc = mdb_dbi_open(txn, "by_uid", MDB_CREATE, &db->by_uid)) ||
        (mrc = mdb_dbi_open(txn, "by_ind", MDB_CREATE, &db->by_ind)) ||
        (mrc = mdb_dbi_open(txn, "latest", MDB_CREATE, &db->latest)) ||
        (mrc = mdb_dbi_open(txn, "alerts", MDB_CREATE, &db->alerts)) ||
        (mrc = mdb_dbi_open(txn, "meta", MDB_CREATE, &db->meta)) ||
        (mrc = mdb_dbi_open(txn, "alert_log", MDB_CREATE, &db->tables[STORE_T_ALERT_LOG])) ||
        (mrc = mdb_dbi_open(txn, "alert_ids", MDB_CREATE, &db->tables[STORE_T_ALERT_IDS])) ||
        (mrc = mdb_dbi_open(txn, "subs", MDB_CREATE, &db->tables[STORE_T_SUBS])) ||
        (mrc = mdb_dbi_open(txn, "acks", MDB_CREATE, &db->tables[STORE_T_ACKS])) ||
        (mrc = mdb_dbi_open(txn, "silences", MDB_CREATE, &db->tables[STORE_T_SILENCES])) ||
        (mrc = mdb_dbi_open(txn, "deliveries", MDB_CREATE, &db->tables[STORE_T_DELIVERIES])) ||
        (mrc = mdb_dbi_open(txn, "attempts", MDB_CREATE, &db->tables[STORE_T_ATTEMPTS]))) {
        rc = db_err(mrc, "dbi_open");
        goto fail;
    }
    db->tables[STORE_T_ALERTS] = db->alerts;
    db->tables[STORE_T_META] = db->meta;
    /* the last seq is the last key of `updates` */
    MDB_cursor *cur;
    MDB_val k, v;
    if ((mrc = mdb_cursor_open(txn, db->updates, &cur))) {
        rc = db_err(mrc, "cursor_open");
        goto fail;
    }
    if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == 8)
        db->last_seq = db_get_be64(k.mv_data);
    mdb_cursor_close(cur);
    if ((mrc = mdb_txn_commit(txn))) {
        txn = NULL;
        rc = db_err(mrc, "commit");
        goto fail;
    }
    *out = db;
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    if (db->env)
        mdb_env_close(db->env);
    free(db);
    return rc;
}

void store_db_close(struct store_db **dbp)
{
    if (!dbp || !*dbp)
        return;
    mdb_env_close((*dbp)->env);
    free(*dbp);
    *dbp = NULL;
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

/* One attempt at writing the batch; MDB_MAP_FULL surfaces as PW_EMAPFULL. */
static int db_put_attempt(struct store_db *db, struct store_put *puts, size_t n)
{
    MDB_txn *txn;
    int mrc = mdb_txn_begin(db->env, NULL, 0, &txn);
    if (mrc)
        return db_err(mrc, "txn_begin");
    uint64_t seq = db->last_seq;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        struct store_put *p = &puts[i];
        Planwatch__V1__IndicatorUpdate *u = p->u;
        MDB_val uk = {strlen(u->update_id), u->update_id}, uv;
        p->seq = 0;
        mrc = mdb_get(txn, db->by_uid, &uk, &uv);
        if (mrc == 0 && uv.mv_size == 8) {
            /* a resend: same figure is a duplicate, another figure a conflict */
            Planwatch__V1__IndicatorUpdate *old = NULL;
            p->seq = db_get_be64(uv.mv_data);
            rc = db_get_update(db, txn, p->seq, &old);
            if (rc)
                break;
            p->result = pw_msg_same_figure(old, u) ? 1 : PW_ECONFLICT;
            planwatch__v1__indicator_update__free_unpacked(old, NULL);
            continue;
        }
        if (mrc != MDB_NOTFOUND) {
            rc = db_err(mrc, "get_uid");
            break;
        }
        u->seq = ++seq;
        size_t len = planwatch__v1__indicator_update__get_packed_size(u);
        unsigned char kb[8], ik[DB_IND_KEY_MAX], lk[DB_IND_KEY_MAX];
        db_be64(kb, seq);
        MDB_val k = {8, kb}, v = {len, NULL};
        /* MDB_RESERVE: pack straight into the page, no intermediate copy */
        if ((mrc = mdb_put(txn, db->updates, &k, &v, MDB_APPEND | MDB_RESERVE))) {
            rc = db_err(mrc, "put_update");
            break;
        }
        planwatch__v1__indicator_update__pack(u, v.mv_data);
        MDB_val sv = {8, kb};
        MDB_val ikv = {db_ind_key(ik, u->indicator_id, u->fiscal_year, 1, seq), ik}, empty = {0, ""};
        MDB_val lkv = {db_ind_key(lk, u->indicator_id, u->fiscal_year, 0, 0), lk};
        if ((mrc = mdb_put(txn, db->by_uid, &uk, &sv, MDB_NOOVERWRITE)) ||
            (mrc = mdb_put(txn, db->by_ind, &ikv, &empty, 0)) ||
            (mrc = mdb_put(txn, db->latest, &lkv, &sv, 0))) {
            rc = db_err(mrc, "put_index");
            break;
        }
        p->result = 0;
        p->seq = seq;
    }
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    if ((mrc = mdb_txn_commit(txn)))
        return db_err(mrc, "commit");
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

int store_db_put_batch(struct store_db *db, struct store_put *puts, size_t n)
{
    for (;;) {
        int rc = db_put_attempt(db, puts, n);
        if (rc != PW_EMAPFULL)
            return rc;
        for (size_t i = 0; i < n; i++) {
            puts[i].u->seq = 0;
            puts[i].seq = 0;
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
    if ((mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)))
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

/* Iterates dbi's keys starting with prefix; cb gets the seq each points to. */
static int db_scan_index(struct store_db *db, MDB_dbi dbi, const unsigned char *prefix,
                         size_t plen, int seq_in_key, store_db_update_cb cb, void *arg)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k = {plen, (void *)prefix}, v;
    int rc = 0, mrc;
    if ((mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)))
        return db_err(mrc, "txn_begin");
    if ((mrc = mdb_cursor_open(txn, dbi, &cur))) {
        mdb_txn_abort(txn);
        return db_err(mrc, "cursor_open");
    }
    for (mrc = plen ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
         mrc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        const unsigned char *sp = seq_in_key ? (const unsigned char *)k.mv_data + k.mv_size - 8
                                             : (const unsigned char *)v.mv_data;
        if ((seq_in_key ? k.mv_size : v.mv_size) < 8)
            continue;
        unsigned char kb[8];
        memcpy(kb, sp, 8);
        MDB_val uk = {8, kb}, uv;
        if ((mrc = mdb_get(txn, db->updates, &uk, &uv))) {
            rc = db_err(mrc, "get_update");
            break;
        }
        if ((rc = db_emit(&uv, cb, arg)))
            break;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

int store_db_history(struct store_db *db, const char *indicator_id, store_db_update_cb cb,
                     void *arg)
{
    unsigned char prefix[70];
    size_t n = strlen(indicator_id);
    if (n == 0 || n > 64)
        return PW_ENOTFOUND;
    memcpy(prefix, indicator_id, n);
    prefix[n] = 0; /* the NUL keeps "a-1" from matching "a-10" */
    return db_scan_index(db, db->by_ind, prefix, n + 1, 1, cb, arg);
}

int store_db_latest(struct store_db *db, store_db_update_cb cb, void *arg)
{
    return db_scan_index(db, db->latest, NULL, 0, 0, cb, arg);
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
    if ((mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)))
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
    int mrc = mdb_txn_begin(db->env, NULL, 0, &txn), rc = 0;
    if (mrc)
        return db_err(mrc, "txn_begin");
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
        int rc = db_write_attempt(db, ops, n);
        if (rc != PW_EMAPFULL)
            return rc;
        if (db_grow(db))
            return PW_EMAPFULL;
    }
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
    if ((mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)))
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
    int mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn), rc;
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
    mdb_env_info(db->env, &info);
    mdb_env_stat(db->env, &st);
    *map_bytes = info.me_mapsize;
    *used_bytes = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
}
