/* ingest_batch.c - office batches and the updates they wait for.
 *
 * A batch is answered once every row is resolved: rejected by validation,
 * or confirmed by the store's ack (accepted / duplicate / refused), or timed
 * out (unavailable). A valid row becomes a *pending* update keyed by
 * update_id; two batches carrying the same update_id (an office resending
 * while the first try is still in flight) wait on the same pending entry,
 * so the update is published once and both hear the same seq: the first
 * to send it hears ACCEPTED, the others DUPLICATE (pending_resolve). Pending
 * updates are republished every retransmit_ms until acked: the PUB/SUB leg
 * may drop, the store deduplicates. Each update is packed once; the new
 * updates of one office batch go out as one UpdateBatch message, and so do
 * the retransmissions of one timer turn (pending_publish). All strings a
 * reply holds live in the batch's arena, which is the arena the office's
 * request was decoded into: the reply borrows the request's ids, copies
 * only what comes from elsewhere (the store's acks, formatted reasons) and
 * shares one static "" for every empty field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "eval.h"
#include "feed.h"
#include "feedid.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "wirepack.h"
#include "vec.h"
#include "ingest.h"

struct ingest_waiter {
    struct ingest_batch *b;
    size_t row;
};

/* One allocation per pending update: the struct, its id and its packed
 * IndicatorUpdate (data[]), with room for the first waiter inline (most
 * updates have exactly one); a second waiter moves them to a malloc'd array.
 * g->pending borrows update_id as its key. */
struct ingest_pending {
    struct ingest_pending *prev, *next; /* g->plist; next also links g->pspare */
    size_t cap;                         /* bytes of data[] */
    const char *update_id;              /* in data[]; also the map's key */
    const uint8_t *upd;                 /* in data[]: the packed IndicatorUpdate, built once */
    size_t upd_len;
    struct ingest_waiter *w;            /* &w0 while capw is 1 */
    size_t nw, capw;
    int64_t sent_ms;
    struct ingest_waiter w0;
    char data[];                        /* update_id, NUL, the packed update */
};

struct ingest_batch {
    struct ingest_batch *prev, *next;
    struct pw_arena *arena;             /* the request's, taken over: holds req and every reply string */
    struct pw_frames route;             /* routing frames of the office's request */
    char *batch_id;
    Planwatch__V1__RowResult *res;
    size_t n, unresolved;
    int64_t deadline_ms;
    double t0;                          /* arrival (pw_metrics_now), for latencies */
};

int ingest_store_up(const struct ingest *g, int64_t now)
{
    return g->store_seen_ms > 0 && now - g->store_seen_ms < g->store_timeout_ms;
}

/* A copy of s in the batch's arena; empty strings share a static "" (the
 * reply is only packed, never written to). */
static char *batch_str(struct ingest_batch *b, const char *s)
{
    if (!s || !s[0])
        return (char *)"";
    char *c = pw_arena_strndup(b->arena, s, strlen(s));
    return c ? c : (char *)"";
}

/* s itself when it lives in the batch's arena (the request's fields) or
 * as long as the process (the catalog's ids). */
static char *batch_ref(const char *s)
{
    return (char *)(s ? s : "");
}

/* Adds one warning of ingest's own to row i (arena-allocated; out of memory
 * loses the warning, never the row). */
static void batch_add_warning(struct ingest_batch *b, size_t i, int code, const char *field,
                              const char *reason)
{
    Planwatch__V1__RowResult *r = &b->res[i];
    Planwatch__V1__RowWarning *w = pw_arena_alloc(b->arena, sizeof *w);
    Planwatch__V1__RowWarning **p = pw_arena_alloc(b->arena, (r->n_warnings + 1) * sizeof *p);
    if (!w || !p)
        return;
    planwatch__v1__row_warning__init(w);
    w->code = code;
    w->field = batch_str(b, field);
    w->reason = batch_str(b, reason);
    for (size_t k = 0; k < r->n_warnings; k++)
        p[k] = r->warnings[k];
    p[r->n_warnings] = w;
    r->warnings = p;
    r->n_warnings++;
}

static void batch_set(struct ingest_batch *b, size_t i, Planwatch__V1__RowStatus st, int code,
                      const char *field, const char *reason, uint64_t seq)
{
    Planwatch__V1__RowResult *r = &b->res[i];
    r->status = st;
    r->code = code;
    r->field = batch_str(b, field);
    r->reason = batch_str(b, reason);
    r->seq = seq;
}

static void batch_unlink(struct ingest *g, struct ingest_batch *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else if (g->blist == b)
        g->blist = b->next;
    if (b->next)
        b->next->prev = b->prev;
    b->prev = b->next = NULL;
}

static void batch_free(struct ingest_batch *b)
{
    pw_frames_close(&b->route);
    pw_arena_close(&b->arena);
    free(b);
}

/* Sends the reply with its tallies and frees the batch. */
static void batch_reply(struct ingest *g, struct ingest_batch *b)
{
    Planwatch__V1__FeedReply rep = PLANWATCH__V1__FEED_REPLY__INIT;
    Planwatch__V1__RowResult **ptrs = pw_arena_alloc(b->arena, (b->n ? b->n : 1) * sizeof *ptrs);
    uint32_t by[6] = {0}; /* rows by RowStatus (1..5; anything else counts as unavailable) */
    rep.batch_id = b->batch_id;
    for (size_t i = 0; ptrs && i < b->n; i++) {
        unsigned st = (unsigned)b->res[i].status;
        ptrs[i] = &b->res[i];
        by[st >= 1 && st <= 5 ? st : PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE]++;
        rep.warned += b->res[i].n_warnings > 0;
    }
    rep.accepted = by[PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED];
    rep.duplicates = by[PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE];
    rep.rejected = by[PLANWATCH__V1__ROW_STATUS__ROW_REJECTED];
    rep.unavailable = by[PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE];
    rep.valid = by[PLANWATCH__V1__ROW_STATUS__ROW_VALID];
    rep.results = ptrs;
    rep.n_results = ptrs ? b->n : 0;
    g->accepted += rep.accepted;
    g->duplicates += rep.duplicates;
    g->rejected += rep.rejected;
    g->unavailable += rep.unavailable;
    for (unsigned st = 1; st <= 5; st++)
        if (by[st])
            pw_metric_inc(g->m.answered[st], by[st]);
    pw_metric_observe(g->m.batch_seconds, pw_metrics_now() - b->t0);
    uint8_t *buf;
    size_t len;
    int rc = pw_wirepack_feed_reply(&rep, &buf, &len); /* protobuf-c's bytes, by hand */
    if (!rc)
        rc = pw_zsock_send_packed(g->router, &b->route, b->route.n, buf, len, ZMQ_DONTWAIT);
    pw_info("msg=\"batch answered\" batch=%s rows=%zu accepted=%u duplicates=%u rejected=%u "
            "unavailable=%u valid=%u%s",
            b->batch_id, b->n, rep.accepted, rep.duplicates, rep.rejected, rep.unavailable,
            rep.valid, rc ? " reply=dropped" : "");
    batch_free(b);
}

/* Freed entries are kept for the next batch's updates, whose sizes are
 * alike: a batch's entries are all freed at once by its acks and all made
 * at once by the next batch, the pattern malloc is slowest at (a third of
 * ingest's allocation cost went there). data[] is rounded up to
 * INGEST_SPARE_ROUND bytes; entries larger than INGEST_SPARE_BIG are never
 * kept, nor more than INGEST_SPARE_MAX of them (at most 1 MiB held). */
#define INGEST_SPARE_ROUND 64
#define INGEST_SPARE_BIG 1024
#define INGEST_SPARE_MAX 1024

/* An uninitialised entry with room for need bytes of data[], or NULL. */
static struct ingest_pending *pending_alloc(struct ingest *g, size_t need)
{
    struct ingest_pending *p = g->pspare;
    if (p) {
        g->pspare = p->next;
        g->nspare--;
        if (p->cap >= need)
            return p;
        free(p); /* too small: the spares follow the sizes of the day */
    }
    size_t cap = (need + INGEST_SPARE_ROUND - 1) / INGEST_SPARE_ROUND * INGEST_SPARE_ROUND;
    p = malloc(sizeof *p + cap);
    if (p)
        p->cap = cap;
    return p;
}

/* Keeps p, linked nowhere and waited on by nobody, as a spare (or frees it). */
static void pending_spare(struct ingest *g, struct ingest_pending *p)
{
    if (p->cap <= INGEST_SPARE_BIG && g->nspare < INGEST_SPARE_MAX) {
        p->next = g->pspare;
        g->pspare = p;
        g->nspare++;
    } else
        free(p);
}

/* Frees p, already out of g->pending (pending_free takes it out). */
static void pending_release(struct ingest *g, struct ingest_pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else if (g->plist == p)
        g->plist = p->next;
    if (p->next)
        p->next->prev = p->prev;
    if (p->w != &p->w0)
        free(p->w);
    pending_spare(g, p);
}

static void pending_free(struct ingest *g, struct ingest_pending *p)
{
    pw_map_del(g->pending, p->update_id);
    pending_release(g, p);
}

/* Most updates gathered for one publication (an office batch holds at most
 * 10,000 rows; a retransmission turn may gather more). */
#define INGEST_PUBLISH_MAX 10000

/* (Re)sends ps[0..n) as UpdateBatch messages on topic "updates" (of at most
 * PW_STREAM_MSG_BYTES each), the same bytes each time: a retransmission
 * carries its first ingest seq, which is all the store needs (it
 * deduplicates by update id). */
static void pending_publish(struct ingest *g, struct ingest_pending **ps, size_t n, int64_t now)
{
    struct pw_packed items[256];
    for (size_t at = 0; at < n;) {
        size_t k = n - at < INGEST_PUBLISH_MAX ? n - at : INGEST_PUBLISH_MAX, msgs = 0;
        struct pw_packed *it = k <= 256 ? items : malloc(k * sizeof *it);
        int rc = it ? 0 : PW_ENOMEM;
        for (size_t i = 0; !rc && i < k; i++) {
            ps[at + i]->sent_ms = now;
            it[i].data = ps[at + i]->upd;
            it[i].len = ps[at + i]->upd_len;
        }
        if (!rc)
            rc = pw_zsock_publish_items(g->pub, "updates", it, k, &msgs);
        if (it != items)
            free(it);
        pw_metric_inc(g->m.messages, msgs);
        if (rc) /* the retransmission timer tries again */
            pw_debug("msg=\"publish failed\" updates=%zu err=%s", k, pw_errname(rc));
        else
            pw_metric_inc(g->m.published, k);
        at += k;
    }
}

/* Makes row i of b wait for update u, creating the pending entry if it is
 * the first to ask; a new entry is added to fresh[*nfresh] for the caller
 * to publish. Returns 0 or PW_ENOMEM. */
static int pending_wait(struct ingest *g, struct ingest_batch *b, size_t i,
                        Planwatch__V1__IndicatorUpdate *u, struct ingest_pending **fresh,
                        size_t *nfresh)
{
    /* The entry is made before the lookup, so that the map is searched once
     * (pw_map_add); an update already pending (a resend in flight, a
     * repeated derived row) costs a size computation and a spare. */
    size_t idlen = strlen(u->update_id);
    u->ingest_epoch = g->epoch;
    u->ingest_seq = g->seq + 1; /* taken only if the entry is new */
    size_t len = pw_wirepack_update_size(u); /* protobuf-c's bytes, encoded by hand */
    struct ingest_pending *p = pending_alloc(g, idlen + 1 + len), *had = NULL;
    if (!p)
        return PW_ENOMEM;
    size_t cap = p->cap;
    memset(p, 0, sizeof *p);
    p->cap = cap;
    memcpy(p->data, u->update_id, idlen + 1);
    p->update_id = p->data;
    if (pw_map_add(g->pending, p->update_id, p, (void **)&had)) {
        pending_spare(g, p);
        return PW_ENOMEM;
    }
    if (!had) {
        p->upd = (const uint8_t *)p->data + idlen + 1;
        p->upd_len = pw_wirepack_update_pack(u, (uint8_t *)p->data + idlen + 1);
        p->w = &p->w0;
        p->capw = 1;
        g->seq++;
        p->next = g->plist;
        if (g->plist)
            g->plist->prev = p;
        g->plist = p;
        fresh[(*nfresh)++] = p;
    } else {
        pending_spare(g, p);
        p = had;
        if (p->nw == p->capw) {
            /* another batch (or a repeated derived row) waits on it too */
            size_t capw = p->capw * 2;
            struct ingest_waiter *w = p->w == &p->w0 ? malloc(capw * sizeof *w)
                                                     : realloc(p->w, capw * sizeof *w);
            if (!w)
                return PW_ENOMEM;
            if (p->w == &p->w0)
                w[0] = p->w0;
            p->w = w;
            p->capw = capw;
        }
    }
    p->w[p->nw].b = b;
    p->w[p->nw].row = i;
    p->nw++;
    return 0;
}

void ingest_batch_take(struct ingest *g, struct pw_frames *fr, Planwatch__V1__FeedBatch *req,
                       struct pw_arena **arena, const struct pw_principal *who)
{
    int64_t now = pw_now_ms();
    int32_t today = pw_clock_today(&g->clock);
    int store_up = ingest_store_up(g, now);
    struct ingest_batch *b = calloc(1, sizeof *b);
    struct pw_map *seen = NULL;
    struct ingest_pending **fresh = NULL; /* created by this batch: published together */
    size_t nfresh = 0;
    int rc;
    const char *source = req->source && req->source[0] ? req->source : "feed";
    if (!b || pw_map_open_borrowed(&seen))
        goto oom;
    b->arena = *arena; /* req and every string it holds now live as long as b */
    *arena = NULL;
    /* keep the routing frames: the reply may be sent long after fr is gone */
    for (int k = 0; k < fr->n - 1; k++) {
        zmq_msg_init(&b->route.f[k]);
        zmq_msg_copy(&b->route.f[k], &fr->f[k]);
        b->route.n++;
    }
    b->batch_id = batch_ref(req->batch_id);
    b->t0 = pw_metrics_now();
    b->n = req->n_rows;
    b->res = pw_arena_alloc(b->arena, (b->n ? b->n : 1) * sizeof *b->res);
    fresh = pw_arena_alloc(b->arena, (b->n ? b->n : 1) * sizeof *fresh);
    if (!b->res || !fresh)
        goto oom;
    /* presized: the batch's ids never rehash it (failing only costs that) */
    (void)pw_map_reserve(seen, b->n);
    g->received += b->n;
    pw_metric_inc(g->m.received, b->n);
    pw_metric_inc(g->m.batches, 1);
    for (size_t i = 0; i < b->n; i++) {
        Planwatch__V1__IndicatorUpdate *u = req->rows[i];
        Planwatch__V1__RowResult *r = &b->res[i];
        struct pw_feed_row row;
        struct pw_diag d = {0};
        const struct pw_indicator *ind = NULL;
        planwatch__v1__row_result__init(r);
        r->row = u->row ? u->row : (int32_t)(i + 1);
        r->update_id = batch_ref(u->update_id);
        r->indicator_id = batch_ref(u->indicator_id);
        if (pw_msg_row_from_update(&row, u, source, &d) ||
            pw_feed_validate(g->cat, &row, today, source, &ind, &d)) {
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED, d.code, d.field, d.msg, 0);
            continue;
        }
        char why[320];
        if (strcmp(row.indicator_id, ind->id) != 0) {
            /* differs in case only (pw_feed_validate took it): stored under
             * the catalog's id, and the office is told */
            snprintf(why, sizeof why, "'%s' read as %s (ids are lower-case)", row.indicator_id,
                     ind->id);
            batch_add_warning(b, i, PW_WFEED_IDCASE, "indicator_id", why);
            memcpy(row.indicator_id, ind->id, strlen(ind->id) + 1);
            u->indicator_id = (char *)ind->id;
            r->indicator_id = batch_ref(ind->id);
        }
        if ((rc = pw_principal_check_write(who, ind, why, sizeof why))) {
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED, rc, "indicator_id", why, 0);
            continue;
        }
        /* A row without an id gets one derived from the office we
         * authenticated and the figure, whichever door it came through, so
         * one file through the CLI and the HTTP door is stored once. The
         * same figure twice in a batch shares one pending update. */
        u->id_derived = !row.update_id[0];
        if (u->id_derived) {
            char uid[PW_FEEDID_BUFSZ];
            if (!pw_feedid_row(pw_principal_office(who, req->office), &row, uid))
                goto oom;
            u->update_id = batch_str(b, uid);
            r->update_id = u->update_id;
        }
        /* seen borrows the id: it lives in the request's or the batch's arena */
        void *first;
        if (pw_map_add(seen, u->update_id, r, &first))
            goto oom;
        if (first && !u->id_derived) {
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED, PW_EFEED_DUPROW, "update_id",
                      "the same update_id appears earlier in this batch", 0);
            continue;
        } /* a repeated derived row is answered like its first occurrence */
        if (req->dry_run) {
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_VALID, 0, "", "", 0);
            continue;
        }
        if (!store_up) {
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE, PW_EUNAVAILABLE, "",
                      "the store is not reachable; nothing was stored: resend later", 0);
            continue;
        }
        /* the figure as stored: the office is the authenticated sender
         * (pw_principal_office). The time it became known is the store's,
         * appended to these bytes at the commit (pw_wirepack_update_stamp):
         * none is sent, so the record holds it once. The request lives in an
         * arena freed as a whole: pointing a field at another string needs
         * no restoring. */
        u->office = (char *)pw_principal_office(who, req->office);
        u->received_ns = 0;
        u->seq = 0;
        if ((rc = pending_wait(g, b, i, u, fresh, &nfresh)))
            goto oom;
        b->unresolved++;
    }
    pw_map_close(&seen);
    pending_publish(g, fresh, nfresh, now);
    if (b->unresolved == 0) {
        batch_reply(g, b);
        return;
    }
    b->deadline_ms = now + g->ack_timeout_ms;
    b->next = g->blist;
    if (g->blist)
        g->blist->prev = b;
    g->blist = b;
    return;
oom:
    /* rows already waiting keep their pending entries; the batch itself is
     * dropped and the office's timeout makes it resend */
    pw_error("msg=\"out of memory taking a batch\"");
    pw_map_close(&seen);
    if (fresh)
        pending_publish(g, fresh, nfresh, now);
    if (b && b->unresolved == 0)
        batch_free(b);
    else if (b) {
        /* the rows the loop never reached are answered UNAVAILABLE at the
         * deadline like the rest (ingest_batch_tick): each needs a
         * RowResult to be looked up and packed */
        for (size_t k = 0; k < b->n; k++)
            if (!b->res[k].base.descriptor)
                planwatch__v1__row_result__init(&b->res[k]);
        b->deadline_ms = now;
        b->next = g->blist;
        if (g->blist)
            g->blist->prev = b;
        g->blist = b;
    }
}

/* Copies the store's warnings of a row into the batch's arena, after the
 * ones ingest gave it (batch_add_warning). */
static void batch_warn(struct ingest_batch *b, size_t i, const Planwatch__V1__AckItem *it)
{
    Planwatch__V1__RowResult *r = &b->res[i];
    size_t n = it->n_warnings, had = r->n_warnings;
    Planwatch__V1__RowWarning *w = n ? pw_arena_alloc(b->arena, n * sizeof *w) : NULL;
    Planwatch__V1__RowWarning **p = n ? pw_arena_alloc(b->arena, (had + n) * sizeof *p) : NULL;
    if (!w || !p)
        return; /* out of memory: the row's fate stands, its warnings are lost */
    for (size_t k = 0; k < had; k++)
        p[k] = r->warnings[k];
    for (size_t k = 0; k < n; k++) {
        planwatch__v1__row_warning__init(&w[k]);
        w[k].code = it->warnings[k]->code;
        w[k].field = batch_str(b, it->warnings[k]->field);
        w[k].reason = batch_str(b, it->warnings[k]->reason);
        p[had + k] = &w[k];
    }
    r->warnings = p;
    r->n_warnings = had + n;
}

/* Resolves every waiter of p (already taken out of g->pending) with the
 * store's answer at now (pw_metrics_now), then frees p. A
 * row stored anew is ACCEPTED for the batch that sent it first (w[0]: the
 * waiters are in arrival order) and DUPLICATE for every other batch that
 * sent the same update while it was in flight, as if it had come after the
 * commit; within one batch a repeated derived row is answered like its
 * first occurrence. */
static void pending_resolve(struct ingest *g, struct ingest_pending *p,
                            const Planwatch__V1__AckItem *it, double now)
{
    char why[160];
    const struct ingest_batch *first = p->nw ? p->w[0].b : NULL;
    for (size_t k = 0; k < p->nw; k++) {
        struct ingest_batch *b = p->w[k].b;
        size_t i = p->w[k].row;
        pw_metric_observe(g->m.ack_seconds, now - b->t0);
        if (it->code == 0) {
            batch_set(b, i,
                      it->duplicate || b != first ? PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE
                                                  : PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED,
                      0, "", "", it->seq);
            batch_warn(b, i, it);
        } else if (it->code == PW_EFEED_RETRACT)
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED, it->code, "retract",
                      it->reason && it->reason[0] ? it->reason : "nothing to retract", 0);
        else if (it->code == PW_ECONFLICT) {
            snprintf(why, sizeof why,
                     "update_id already stored with a different figure (seq %llu): a correction "
                     "needs a new update_id",
                     (unsigned long long)it->seq);
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED, it->code, "update_id", why,
                      it->seq);
        } else if (it->code == PW_EFEED_ID || it->code == PW_EFEED_UPDATE_ID)
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED, it->code, "indicator_id",
                      "the store refused it (its catalog differs from ingest's?)", 0);
        else
            batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE, it->code, "",
                      it->reason && it->reason[0] ? it->reason : "the store could not commit it", 0);
        if (--b->unresolved == 0) {
            batch_unlink(g, b);
            batch_reply(g, b);
        }
    }
    p->nw = 0;
    pending_release(g, p);
}

void ingest_batch_ack(struct ingest *g, const Planwatch__V1__StoreAck *ack)
{
    double now = ack->n_items ? pw_metrics_now() : 0; /* one reading per message */
    for (size_t i = 0; i < ack->n_items; i++) {
        const Planwatch__V1__AckItem *it = ack->items[i];
        /* taken out of the map at once: one lookup */
        struct ingest_pending *p = it->update_id ? pw_map_del(g->pending, it->update_id) : NULL;
        if (p) /* else: a late or repeated ack for something already answered */
            pending_resolve(g, p, it, now);
    }
}

/* Detaches row i of b from its pending entry (the batch gave up on it). */
static void pending_detach(struct ingest *g, struct ingest_batch *b, size_t i)
{
    struct ingest_pending *p = pw_map_get(g->pending, b->res[i].update_id);
    if (!p)
        return;
    for (size_t k = 0; k < p->nw; k++)
        if (p->w[k].b == b && p->w[k].row == i) {
            /* keep arrival order: w[0] is the batch that asked first */
            memmove(&p->w[k], &p->w[k + 1], (p->nw - k - 1) * sizeof *p->w);
            p->nw--;
            break;
        }
    /* nobody waits any more: stop retransmitting (the office will resend) */
    if (p->nw == 0)
        pending_free(g, p);
}

void ingest_batch_tick(struct ingest *g, int64_t now)
{
    struct ingest_pending **due = NULL;
    size_t ndue = 0, cap = 0;
    for (struct ingest_pending *p = g->plist; p; p = p->next)
        if (now - p->sent_ms >= g->retransmit_ms) {
            if (pw_vec_grow((void **)&due, &cap, ndue + 1, sizeof *due)) {
                pending_publish(g, &p, 1, now); /* out of memory: one at a time */
            } else
                due[ndue++] = p;
            g->retransmitted++;
            pw_metric_inc(g->m.retransmitted, 1);
        }
    pending_publish(g, due, ndue, now);
    free(due);
    struct ingest_batch *b = g->blist;
    while (b) {
        struct ingest_batch *next = b->next;
        if (now >= b->deadline_ms) {
            char why[160];
            snprintf(why, sizeof why,
                     "the store did not confirm within %ld ms; resend the batch (the same "
                     "update ids never create duplicates)",
                     g->ack_timeout_ms);
            for (size_t i = 0; i < b->n; i++)
                if (b->res[i].status == PLANWATCH__V1__ROW_STATUS__ROW_UNSPECIFIED) {
                    pending_detach(g, b, i);
                    batch_set(b, i, PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE, PW_EUNAVAILABLE,
                              "", why, 0);
                }
            batch_unlink(g, b);
            batch_reply(g, b);
        }
        b = next;
    }
}

void ingest_batch_free_all(struct ingest *g)
{
    while (g->plist) {
        g->plist->nw = 0;
        pending_free(g, g->plist);
    }
    while (g->pspare) {
        struct ingest_pending *p = g->pspare;
        g->pspare = p->next;
        free(p);
    }
    g->nspare = 0;
    while (g->blist) {
        struct ingest_batch *b = g->blist;
        batch_unlink(g, b);
        batch_free(b);
    }
}

size_t ingest_batch_open_count(const struct ingest *g)
{
    size_t n = 0;
    for (const struct ingest_batch *b = g->blist; b; b = b->next)
        n++;
    return n;
}
