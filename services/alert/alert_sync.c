/* alert_sync.c - planwatch-alert and the store (see alert.h): what it loads
 * at start-up and again on a resync (catalog, snapshot of the updates,
 * recorded AlertStates, subscriptions/acks/silences, owed deliveries), and
 * the committed-update stream applied per the gap rule (lib/wire/seqtrack). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "arena.h"
#include "cfg.h"
#include "err.h"
#include "log.h"
#include "msg.h"
#include "pidfile.h"
#include "vec.h"
#include "wirepack.h"
#include "zap.h"
#include "zsock.h"

static void svc_log_diag(const char *what, int rc, const struct pw_diag *d)
{
    pw_error("msg=\"%s\" file=\"%s\" line=%d field=\"%s\" reason=\"%s\" code=%s", what, d->file,
             d->line, d->field, d->msg, pw_errname(rc));
}

/* --catalog a.yaml,b.yaml: loaded once at start-up; an error is a bad configuration. */
int alert_sync_catalog_files(struct alert_svc *a)
{
    const char *paths[ALERT_CATALOG_FILES];
    size_t n = 0;
    struct pw_diag d = {0};
    int rc = 0;
    char *list = strdup(a->common.catalog), *save = NULL;
    if (!list)
        return PW_ENOMEM;
    for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (n == ALERT_CATALOG_FILES) {
            pw_error("msg=\"too many catalog files\" max=%d", ALERT_CATALOG_FILES);
            rc = PW_EINVAL;
            goto out;
        }
        paths[n++] = p;
    }
    if (n == 0) {
        pw_error("msg=\"--catalog names no file\" catalog=\"%s\"", a->common.catalog);
        rc = PW_EINVAL;
        goto out;
    }
    rc = pw_catalog_load_files(&a->cat, paths, n, &d);
    if (rc)
        svc_log_diag("catalog does not load", rc, &d);
    else
        pw_info("msg=\"catalog loaded\" from=files files=%zu indicators=%zu digest=%016llx", n,
                pw_catalog_count(a->cat), (unsigned long long)pw_catalog_digest(a->cat));
out:
    free(list);
    return rc;
}

/* QUERY_CATALOG: the catalog the store runs with, so both evaluate alike. */
static int svc_catalog_from_store(struct alert_svc *a)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    struct pw_diag d = {0};
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_CATALOG;
    int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    if (rc)
        return rc;
    if ((rc = pw_msg_catalog_load(r, &a->cat, &d)))
        svc_log_diag("the store's catalog does not load", rc, &d);
    else
        pw_info("msg=\"catalog loaded\" from=store files=%zu indicators=%zu digest=%016llx",
                r->n_catalog, pw_catalog_count(a->cat),
                (unsigned long long)pw_catalog_digest(a->cat));
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return rc;
}

/* Every update after the applied seq, in chunks until `more` is false. A
 * failure keeps what was applied: the retry continues from there. */
static int svc_snapshot(struct alert_svc *a)
{
    uint64_t from = alert_state_applied_seq(a->st), store_seq = 0;
    size_t total = 0, unknown = 0, chunks = 0;
    for (;;) {
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        Planwatch__V1__QueryReply *r = NULL;
        uint64_t before = alert_state_applied_seq(a->st);
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SNAPSHOT;
        q.after_seq = before;
        q.limit = ALERT_SNAPSHOT_LIMIT;
        int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
        if (rc)
            return rc;
        size_t added = 0, unk = 0;
        rc = alert_state_load(a->st, r->updates, r->n_updates, &added, &unk);
        int more = r->more;
        store_seq = r->seq;
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        total += added;
        unknown += unk;
        chunks++;
        if (rc) {
            pw_error("msg=\"snapshot not applied\" code=%s", pw_errname(rc));
            return rc;
        }
        if (!more)
            break;
        if (alert_state_applied_seq(a->st) == before) {
            /* `more` without progress would loop forever: the next gap check retries */
            pw_warn("msg=\"snapshot chunk made no progress\" after_seq=%llu store_seq=%llu",
                    (unsigned long long)before, (unsigned long long)store_seq);
            break;
        }
    }
    pw_info("msg=\"snapshot loaded\" n=%zu chunks=%zu from_seq=%llu seq=%llu store_seq=%llu", total,
            chunks, (unsigned long long)from, (unsigned long long)alert_state_applied_seq(a->st),
            (unsigned long long)store_seq);
    if (unknown)
        pw_warn("msg=\"updates for indicators not in the catalog\" n=%zu", unknown);
    return 0;
}

/* QUERY_ALERT_STATE_GET: what was last recorded, so a restart neither repeats
 * nor misses a change, and alert seqs continue. */
static int svc_restore(struct alert_svc *a)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    size_t ignored = 0;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_GET;
    int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    if (rc)
        return rc;
    rc = alert_state_restore(a->st, r->alert_states, r->n_alert_states, r->alert_seq, &ignored);
    if (rc == 0) {
        a->published = alert_state_last_alert_seq(a->st);
        pw_info("msg=\"alert state restored\" n=%zu alert_seq=%llu ignored=%zu",
                r->n_alert_states, (unsigned long long)a->published, ignored);
    }
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return rc;
}

static int svc_keep_sub(void *arg, uint64_t sub_id)
{
    return alert_notify_sub(arg, sub_id) != NULL;
}

/* QUERY_ADMIN_GET: subscriptions (with their secrets), acks and silences.
 * Deliveries queued for subscriptions that are gone are dropped. */
int alert_sync_admin(struct alert_svc *a)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET;
    int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    if (rc)
        return rc;
    pw_info("msg=\"subscriptions loaded\" admin_seq=%llu subscriptions=%zu acks=%zu silences=%zu "
            "assessments=%zu",
            (unsigned long long)r->admin_seq, r->n_subscriptions, r->n_acks, r->n_silences,
            r->n_assessments);
    /* an assessed A closes its checkpoint's status alert: judged again at once
     * once started (at start-up the first evaluation follows) */
    if ((rc = alert_state_assessments(a->st, r->assessments, r->n_assessments))) {
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        return rc;
    }
    alert_notify_load(a->notify, r); /* takes r */
    if (a->started)
        alert_sync_eval_all(a, "assessments");
    alert_webhook_prune(a->wh, svc_keep_sub, a->notify);
    a->admin_due = 0;
    return 0;
}

static int svc_keep_none(void *arg, uint64_t sub_id)
{
    (void)arg;
    (void)sub_id;
    return 0;
}

/* QUERY_DELIVERIES: what was owed when the service last stopped. All or
 * nothing (it runs before anything else is queued): the start-up retry
 * would queue a partial list twice. */
static int svc_deliveries_load(struct alert_svc *a)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERIES;
    int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->n_deliveries && !rc; i++) {
        const Planwatch__V1__Delivery *d = r->deliveries[i];
        const Planwatch__V1__Subscription *sub = alert_notify_sub(a->notify, d->subscription_id);
        if (sub && sub->failed)
            continue; /* a failed subscription's wait (alert_health.c) */
        rc = alert_channel_add(a, sub, d->alert_seq, d->subscription_id,
                               d->alert_id ? d->alert_id : "", d->event ? d->event : "",
                               (const char *)d->body.data, d->body.len, d->attempts);
    }
    if (!rc && r->n_deliveries)
        pw_info("msg=\"pending deliveries resumed\" n=%zu", r->n_deliveries);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    alert_webhook_prune(a->wh, rc ? svc_keep_none : svc_keep_sub, a->notify);
    return rc;
}

void alert_sync_eval_all(struct alert_svc *a, const char *why)
{
    size_t before = a->outbox.n;
    int32_t day = pw_clock_today(&a->clock);
    double t0 = pw_metrics_now();
    int rc = alert_state_eval_all(a->st, day, &a->outbox);
    pw_metric_observe(a->m.eval_seconds, pw_metrics_now() - t0);
    char buf[11];
    pw_day_format(day, buf);
    if (rc)
        pw_error("msg=\"evaluation failed\" why=%s code=%s", why, pw_errname(rc));
    pw_debug("msg=\"evaluated\" why=%s as_of=%s transitions=%zu", why, buf,
             a->outbox.n - before);
    if (!rc)
        memcpy(a->evaluated, buf, sizeof a->evaluated);
}

/* Start-up (catalog, snapshot, AlertState, first evaluation) or a resync
 * (snapshot after the applied seq, evaluation). Failures retry in a second. */
void alert_sync_run(struct alert_svc *a, int64_t now)
{
    int rc = 0;
    const char *step = "catalog";
    if (!a->cat && (rc = svc_catalog_from_store(a)))
        goto fail;
    step = "state";
    if (!a->st && (rc = alert_state_open(&a->st, a->cat)))
        goto fail;
    step = "snapshot";
    if ((rc = svc_snapshot(a)))
        goto fail;
    if (!a->started) {
        step = "alert state";
        if ((rc = svc_restore(a)))
            goto fail;
        step = "subscriptions";
        if ((rc = alert_sync_admin(a)) || (rc = svc_deliveries_load(a)))
            goto fail;
        a->started = 1;
        pw_reactor_events(a->loop, a->sub_id, ZMQ_POLLIN);
        pw_info("msg=\"ready\" applied_seq=%llu alert_seq=%llu",
                (unsigned long long)alert_state_applied_seq(a->st),
                (unsigned long long)a->published);
        pw_service_ready(); /* systemd: READY=1, as the Pong (started, not resyncing) */
    }
    a->resync = 0;
    a->failures = 0;
    alert_sync_eval_all(a, "sync");
    a->next_eval = now + a->interval_ms;
    return;
fail:
    if (rc == PW_ESHUTDOWN)
        return;
    if (a->failures++ % ALERT_LOG_EVERY == 0)
        pw_warn("msg=\"store not available, retrying\" step=\"%s\" store=%s code=%s attempts=%u "
                "retry_ms=%d",
                step, a->store_ep, pw_errname(rc), a->failures, ALERT_RETRY_MS);
    a->next_sync = now + ALERT_RETRY_MS;
}

static void svc_need_resync(struct alert_svc *a, const char *reason, uint64_t seen)
{
    if (a->resync)
        return;
    a->resync = 1;
    a->next_sync = pw_now_ms();
    alert_state_count_resync(a->st);
    pw_info("msg=\"resync\" reason=%s from_seq=%llu seen_seq=%llu resyncs=%llu", reason,
            (unsigned long long)alert_state_applied_seq(a->st), (unsigned long long)seen,
            (unsigned long long)alert_state_resyncs(a->st));
}

static void svc_on_update(struct alert_svc *a, const Planwatch__V1__IndicatorUpdate *u)
{
    enum pw_seq_verdict v = PW_SEQ_SKIP;
    size_t idx = 0;
    int rc = alert_state_apply(a->st, u, &v, &idx);
    if (rc == PW_ENOTFOUND) {
        pw_warn("msg=\"update for an indicator not in the catalog\" indicator=\"%.64s\" seq=%llu",
                u->indicator_id ? u->indicator_id : "", (unsigned long long)u->seq);
        return;
    }
    if (rc) {
        pw_warn("msg=\"update dropped\" seq=%llu code=%s", (unsigned long long)u->seq,
                pw_errname(rc));
        return;
    }
    if (v == PW_SEQ_GAP) {
        svc_need_resync(a, "gap", u->seq);
    } else if (v == PW_SEQ_SKIP) {
        pw_debug("msg=\"update already applied\" seq=%llu", (unsigned long long)u->seq);
    } else {
        pw_metric_inc(a->m.applied, 1);
        rc = alert_state_eval(a->st, idx, pw_clock_today(&a->clock), &a->outbox);
        if (rc)
            pw_error("msg=\"evaluation failed\" indicator=%s code=%s", u->indicator_id,
                     pw_errname(rc));
    }
}

static void svc_on_heartbeat(struct alert_svc *a, const Planwatch__V1__Heartbeat *hb)
{
    if (!hb->service || strcmp(hb->service, "store") != 0)
        return; /* another publisher on the same stream: not our sequence */
    switch (alert_state_heartbeat(a->st, hb->seq)) {
    case PW_SEQ_GAP:
        svc_need_resync(a, "heartbeat", hb->seq);
        break;
    case PW_SEQ_RESTART: /* nothing here undoes what was applied: said once */
        if (!a->store_restarted++)
            pw_error("msg=\"the store announces less than was applied: its data was replaced; "
                     "restart the alert service\" seq=%llu applied_seq=%llu",
                     (unsigned long long)hb->seq,
                     (unsigned long long)alert_state_applied_seq(a->st));
        break;
    default:
        break;
    }
    if (hb->admin_seq != alert_notify_admin_seq(a->notify))
        a->admin_due = 1; /* a notice was missed, or is on its way */
}

/* Reads what the SUB holds, without blocking; one bad message affects only
 * itself. Each message (a whole UpdateBatch) is decoded into one arena,
 * released at once: nothing of it is kept (alert_state_apply copies). */
void alert_sync_drain(struct alert_svc *a)
{
    for (int k = 0; k < ALERT_DRAIN_MAX && !pw_zsock_stop; k++) {
        struct pw_frames fr;
        Planwatch__V1__MsgType type = PLANWATCH__V1__MSG_TYPE__MSG_UNSPECIFIED;
        ProtobufCMessage *m = NULL;
        char topic[128] = "";
        struct pw_arena *arena = NULL;
        ProtobufCAllocator alloc;
        if (pw_arena_open(&arena)) {
            pw_error("msg=\"out of memory\" socket=updates");
            return; /* the SUB keeps the messages for the next turn */
        }
        pw_envelope_arena_allocator(&alloc, arena);
        int rc = pw_zsock_recv(a->sub, &fr, ZMQ_DONTWAIT);
        if (!rc) {
            size_t blen;
            const void *body = pw_frames_body(&fr, &blen);
            /* the store's UpdateBatch is read by hand (wirepack.h), the rest
             * and anything it leaves by protobuf-c */
            Planwatch__V1__UpdateBatch *ub = NULL;
            if (pw_wirepack_read_update_batch(body, blen, arena, &ub, NULL) == 0) {
                type = PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH;
                m = &ub->base;
            } else
                rc = pw_envelope_read_with(body, blen, &type, &m, &alloc);
        }
        if (fr.n >= 2) {
            size_t len = zmq_msg_size(&fr.f[0]);
            if (len >= sizeof topic)
                len = sizeof topic - 1;
            memcpy(topic, zmq_msg_data(&fr.f[0]), len);
            topic[len] = '\0';
            pw_log_safe(topic);
        }
        if (rc == PW_EUNAVAILABLE || rc == PW_ESHUTDOWN || rc == PW_EZMQ) {
            pw_frames_close(&fr);
            pw_arena_close(&arena);
            if (rc == PW_EZMQ)
                pw_error("msg=\"receive failed\" socket=updates");
            return;
        }
        if (rc) {
            pw_warn("msg=\"dropped message\" topic=\"%s\" code=%s", topic, pw_errname(rc));
        } else if (fr.n != 2) {
            pw_warn("msg=\"dropped message\" reason=\"expected [topic][envelope]\" frames=%d",
                    fr.n);
        } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH) {
            /* the store's committed updates, one message per drain and
             * (plan, project) run, in seq order: each checked on its own */
            const Planwatch__V1__UpdateBatch *ub = (const Planwatch__V1__UpdateBatch *)m;
            for (size_t i = 0; i < ub->n_updates; i++)
                svc_on_update(a, ub->updates[i]);
        } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_UPDATE) {
            svc_on_update(a, (const Planwatch__V1__IndicatorUpdate *)m);
        } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT) {
            svc_on_heartbeat(a, (const Planwatch__V1__Heartbeat *)m);
        } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_ADMIN_NOTICE) {
            if (((const Planwatch__V1__AdminNotice *)m)->admin_seq != alert_notify_admin_seq(a->notify))
                a->admin_due = 1;
        } else {
            pw_warn("msg=\"dropped message\" topic=\"%s\" reason=\"unexpected type\" type=%d", topic,
                    (int)type);
        }
        pw_arena_close(&arena); /* m and everything it points to */
        pw_frames_close(&fr);
        alert_outbox_settle(a); /* nothing to record: applied is settled */
    }
}
