/* store_sessions.c - sessions signed out on one replica of the HTTP door,
 * for every replica (README "Sign-out"). A cookie carries everything a
 * replica needs to accept it; what it cannot say is that someone signed
 * out. QUERY_SESSION_REVOKE records that under the next revocation seq,
 * in one durable transaction that also forgets the oldest records whose
 * sessions have expired; QUERY_SESSIONS_REVOKED gives the records after a
 * seq that have not expired, which each replica asks for every second or
 * so. Nothing else of the store changes (no admin seq: the alert service
 * does not care). Rights are checked by main.c (the door's key). */
#include <string.h>
#include <time.h>

#include "arena.h"
#include "err.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "text.h"

#define SESSIONS_LIFE_MAX (30 * 86400) /* the door's --session-minutes at most (43,200) */
#define SESSIONS_PRUNE_MAX 64 /* expired records forgotten per revocation */
#define SESSIONS_LIST_MAX 4096 /* records per answer: the replica asks again after the last */

static void ses_fail(Planwatch__V1__QueryReply *r, int code, const char *why)
{
    r->code = code;
    r->error = (char *)why;
}

struct ses_scan {
    struct store_list *l;
    uint64_t after;
    int64_t now;
    unsigned char (*expired)[8]; /* keys of expired records (prune) */
    size_t nexpired, max;
};

/* A record's expiry (0 when it does not decode: forgotten like an expired one). */
static int64_t ses_expires(const void *val, size_t vlen)
{
    Planwatch__V1__SessionRevocation *v =
        planwatch__v1__session_revocation__unpack(NULL, vlen, val);
    int64_t e = v ? v->expires_s : 0; /* unreadable: forgotten like an expired one */
    planwatch__v1__session_revocation__free_unpacked(v, NULL);
    return e;
}

/* The expired records, wherever they are (a sign-out comes at any point of
 * a session's life), up to SESSIONS_PRUNE_MAX a revocation. */
static int ses_prune_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct ses_scan *x = arg;
    if (x->nexpired == x->max)
        return 1; /* stop: the next revocation goes on */
    if (klen == 8 && ses_expires(val, vlen) <= x->now)
        memcpy(x->expired[x->nexpired++], key, 8);
    return 0;
}

static void ses_revoke(struct store *s, const Planwatch__V1__Query *q,
                       Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    const Planwatch__V1__SessionRevocation *in = q->revocation;
    int64_t now = (int64_t)time(NULL);
    if (!in || in->session_id.len != PW_SESSION_ID_BYTES)
        return ses_fail(r, PW_EINVAL, "revocation: a session id of 16 bytes");
    if (in->expires_s <= 0 || in->expires_s > now + SESSIONS_LIFE_MAX)
        return ses_fail(r, PW_EINVAL,
                        "revocation: expires_s (Unix seconds) missing or more than 30 days ahead");
    size_t ul = in->user ? strlen(in->user) : 0;
    if (ul > PW_USER_NAME_MAX || (ul && !pw_text_clean(in->user, ul)))
        return ses_fail(r, PW_EINVAL, "revocation: user at most 64 bytes of clean text");
    if (in->expires_s <= now) {
        r->id = store_db_meta(s->db, "revoke_seq"); /* refused anyway by every replica */
        return;
    }
    unsigned char(*expired)[8] = pw_arena_alloc(a, SESSIONS_PRUNE_MAX * 8);
    struct store_db_op *ops = pw_arena_alloc(a, (SESSIONS_PRUNE_MAX + 2) * sizeof *ops);
    unsigned char *key = pw_arena_alloc(a, 8), *seqv = pw_arena_alloc(a, 8);
    if (!expired || !ops || !key || !seqv)
        return ses_fail(r, PW_ENOMEM, "out of memory");
    struct ses_scan x = {.now = now, .expired = expired, .max = SESSIONS_PRUNE_MAX};
    int rc = store_db_each(s->db, STORE_T_REVOKED, NULL, 0, 0, ses_prune_cb, &x);
    if (rc < 0)
        return ses_fail(r, rc, pw_strerror(rc));
    Planwatch__V1__SessionRevocation rec = *in;
    rec.seq = store_db_meta(s->db, "revoke_seq") + 1;
    store_db_put_be64(key, rec.seq);
    store_db_put_be64(seqv, rec.seq);
    size_t k = 0;
    ops[k++] = (struct store_db_op){.table = STORE_T_REVOKED, .key = key, .klen = 8,
                                    .msg = &rec.base};
    ops[k++] = (struct store_db_op){.table = STORE_T_META, .key = "revoke_seq", .klen = 10,
                                    .val = seqv, .vlen = 8};
    for (size_t i = 0; i < x.nexpired; i++)
        ops[k++] = (struct store_db_op){.table = STORE_T_REVOKED, .key = expired[i], .klen = 8,
                                        .del = 1};
    if ((rc = store_db_write(s->db, ops, k)))
        return ses_fail(r, rc, pw_strerror(rc));
    r->id = rec.seq;
    pw_info("msg=\"session revoked\" user=\"%.128s\" revoke_seq=%llu forgotten=%zu",
            in->user ? in->user : "", (unsigned long long)rec.seq, x.nexpired);
}

static int ses_list_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct ses_scan *x = arg;
    if (x->l->n >= SESSIONS_LIST_MAX)
        return 1;
    /* the key is the seq: those seen already are skipped undecoded */
    if (klen != 8 || store_db_read_be64(key) <= x->after)
        return 0;
    int rc = store_list_unpack(x->l, &planwatch__v1__session_revocation__descriptor, val, vlen);
    if (!rc && ((Planwatch__V1__SessionRevocation *)x->l->v[x->l->n - 1])->expires_s <= x->now)
        x->l->n--; /* expired: refused everywhere anyway */
    return rc;
}

static void ses_revoked(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    struct store_list l = {.arena = a};
    struct ses_scan x = {.l = &l, .after = q->after_seq, .now = (int64_t)time(NULL)};
    /* the table holds only what has not expired yet (and what the next
     * revocation forgets): a few per signed-out session's life */
    int rc = store_db_each(s->db, STORE_T_REVOKED, NULL, 0, 0, ses_list_cb, &x);
    if (rc < 0)
        return ses_fail(r, rc, pw_strerror(rc));
    r->revocations = (Planwatch__V1__SessionRevocation **)l.v;
    r->n_revocations = l.n;
    r->id = store_db_meta(s->db, "revoke_seq");
}

int store_sessions_answer(struct store *s, const Planwatch__V1__Query *q,
                          Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    switch (q->kind) {
    case PLANWATCH__V1__QUERY_KIND__QUERY_SESSION_REVOKE: ses_revoke(s, q, r, arena); return 1;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SESSIONS_REVOKED: ses_revoked(s, q, r, arena); return 1;
    default: return 0;
    }
}
