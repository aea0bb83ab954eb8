/* alert_outbox.c - from decision to publication (see alert.h): the outbox's
 * transitions are recorded in the store first (AlertState, the alert
 * history and the deliveries they owe, one transaction), only then
 * published and handed to the webhooks; delivery outcomes go back to the
 * store's delivery log. A failed PUT changes nothing and is retried. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cfg.h"
#include "err.h"
#include "log.h"
#include "msg.h"
#include "pidfile.h"
#include "vec.h"
#include "zap.h"
#include "zsock.h"

/* Appends to *dels a pending Delivery of al for every subscription that
 * receives it (body and event malloc'd; the caller frees them). */
int alert_outbox_deliveries(struct alert_svc *a, const Planwatch__V1__Alert *al,
                            const struct pw_indicator *ind, int64_t now_ns, uint64_t about,
                            Planwatch__V1__Delivery **dels, size_t *nd, size_t *cap)
{
    char event[48];
    snprintf(event, sizeof event, "%s.%s", pw_msg_kind_name(al->kind),
             pw_msg_event_name(al->event));
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub_at(a->notify, i);
        if (!alert_notify_match(sub, al) || !alert_format_known(sub->format) ||
            (about && (sub->id == about || sub->failed)))
            continue;
        if (pw_vec_grow((void **)dels, cap, *nd + 1, sizeof **dels))
            return PW_ENOMEM;
        Planwatch__V1__Delivery *d = &(*dels)[*nd];
        char *body = NULL;
        size_t len = 0;
        planwatch__v1__delivery__init(d);
        if (alert_channel_body(a, sub, al, ind, &body, &len) || !(d->event = strdup(event))) {
            free(body);
            return PW_ENOMEM;
        }
        d->alert_seq = al->seq;
        d->subscription_id = sub->id;
        d->state = PLANWATCH__V1__DELIVERY_STATE__DELIVERY_PENDING;
        d->next_ns = now_ns;
        d->body.data = (uint8_t *)body;
        d->body.len = len;
        d->alert_id = al->alert_id;
        d->updated_ns = now_ns;
        (*nd)++;
    }
    return 0;
}

/* Records the webhook outcomes (the delivery log and each delivery's new
 * state) in the store; kept and retried when the store does not answer. */
void alert_outbox_record(struct alert_svc *a, int64_t now)
{
    size_t n;
    const struct alert_webhook_outcome *o = alert_webhook_outcomes(a->wh, &n);
    Planwatch__V1__Delivery *d = calloc(n, sizeof *d), **dp = calloc(n, sizeof *dp);
    Planwatch__V1__DeliveryAttempt *t = calloc(n, sizeof *t), **tp = calloc(n, sizeof *tp);
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    size_t nt = 0;
    int rc = PW_ENOMEM;
    if (d && dp && t && tp) {
        for (size_t i = 0; i < n; i++) {
            planwatch__v1__delivery__init(&d[i]);
            d[i].alert_seq = o[i].alert_seq;
            d[i].subscription_id = o[i].sub_id;
            d[i].state = (Planwatch__V1__DeliveryState)o[i].state;
            d[i].attempts = o[i].attempt;
            d[i].next_ns = o[i].next_ns;
            d[i].body.data = (uint8_t *)o[i].body;
            d[i].body.len = o[i].body_len;
            d[i].alert_id = o[i].alert_id;
            d[i].event = o[i].event;
            d[i].last_http = o[i].http;
            d[i].last_error = (char *)o[i].error;
            d[i].updated_ns = pw_now_ns();
            dp[i] = &d[i];
            if (o[i].attempt == 0 || o[i].time_ns == 0)
                continue; /* dropped without an attempt of its own */
            planwatch__v1__delivery_attempt__init(&t[nt]);
            t[nt].alert_seq = o[i].alert_seq;
            t[nt].subscription_id = o[i].sub_id;
            t[nt].attempt = o[i].attempt;
            t[nt].time_ns = o[i].time_ns;
            t[nt].http_status = o[i].http;
            t[nt].error = (char *)o[i].error;
            t[nt].duration_ms = o[i].duration_ms;
            t[nt].ok = o[i].ok;
            t[nt].alert_id = o[i].alert_id;
            t[nt].url = o[i].url;
            tp[nt] = &t[nt];
            nt++;
        }
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERY_PUT;
        q.deliveries = dp;
        q.n_deliveries = n;
        q.attempts = tp;
        q.n_attempts = nt;
        rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    }
    free(d);
    free(dp);
    free(t);
    free(tp);
    if (rc) {
        if (rc != PW_ESHUTDOWN && a->record_failures++ % ALERT_LOG_EVERY == 0)
            pw_warn("msg=\"delivery log not recorded, kept\" n=%zu code=%s", n, pw_errname(rc));
        a->next_record = now + ALERT_RETRY_MS;
        return;
    }
    a->record_failures = 0;
    alert_health_outcomes(a, o, n); /* permanent refusals: the subscription is marked failed */
    alert_webhook_outcomes_clear(a->wh);
}

/* Records the outbox in the store (AlertState records, the history of every
 * published transition and the webhook deliveries it owes, in one store
 * transaction), then publishes its alerts in order and hands the deliveries
 * to the webhook sender. If the store does not confirm, nothing is
 * published and the whole outbox is retried later (the PUT is idempotent:
 * the same records again). */
void alert_outbox_flush(struct alert_svc *a, int64_t now)
{
    struct alert_state_records recs;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    double t0 = pw_metrics_now();
    struct alert_state_msg *msgs = NULL;
    Planwatch__V1__Alert **ptrs = NULL;
    Planwatch__V1__Delivery *dels = NULL, **dptrs = NULL;
    size_t np = 0, nd = 0, dcap = 0;
    for (size_t i = 0; i < a->outbox.n; i++)
        np += a->outbox.v[i].publish != 0;
    int rc = alert_state_records_build(&recs, &a->outbox);
    if (rc == 0 && np && (!(msgs = calloc(np, sizeof *msgs)) || !(ptrs = calloc(np, sizeof *ptrs))))
        rc = PW_ENOMEM;
    if (rc == 0) {
        int64_t t_ns = pw_now_ns();
        int32_t today = pw_clock_today(&a->clock);
        for (size_t i = 0, k = 0; i < a->outbox.n && rc == 0; i++)
            if (a->outbox.v[i].publish) {
                const struct alert_state_transition *t = &a->outbox.v[i];
                alert_state_build_alert(t, t_ns, &msgs[k]);
                ptrs[k] = &msgs[k].alert;
                if (!alert_notify_mute(a->notify, ptrs[k], t->figures_seq, today))
                    rc = alert_outbox_deliveries(a, ptrs[k], t->ind, t_ns, 0, &dels, &nd, &dcap);
                k++;
            }
        if (rc == 0 && nd && !(dptrs = calloc(nd, sizeof *dptrs)))
            rc = PW_ENOMEM;
        for (size_t i = 0; rc == 0 && i < nd; i++)
            dptrs[i] = &dels[i];
    }
    if (rc == 0) {
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_PUT;
        q.alert_states = recs.ptrs;
        q.n_alert_states = recs.n;
        q.alerts = ptrs;
        q.n_alerts = np;
        q.deliveries = dptrs;
        q.n_deliveries = nd;
        rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    }
    alert_state_records_free(&recs);
    if (rc) {
        /* held, never dropped: recorded before published. A refusal (not
         * an unreachable store) needs an operator: said as an error */
        if (rc != PW_ESHUTDOWN && a->flush_failures++ % ALERT_LOG_EVERY == 0)
            pw_log(rc == PW_EUNAVAILABLE ? PW_LOG_WARN : PW_LOG_ERROR,
                   "msg=\"alert state not recorded, alerts held\" pending=%zu code=%s "
                   "attempts=%u retry_ms=%d",
                   a->outbox.n, pw_errname(rc), a->flush_failures, ALERT_RETRY_MS);
        a->next_flush = now + ALERT_RETRY_MS;
        goto out;
    }
    a->flush_failures = 0;
    for (size_t k = 0; k < np; k++) {
        const Planwatch__V1__Alert *al = &msgs[k].alert;
        char topic[3 * PW_ID_MAX + 16];
        const struct pw_indicator *ind = pw_catalog_find(a->cat, al->indicator_id);
        pw_msg_topic(topic, sizeof topic, "alert", ind);
        rc = pw_zsock_publish(a->pub, topic, PLANWATCH__V1__MSG_TYPE__MSG_ALERT, &al->base);
        if (rc) /* recorded but not sent: subscribers see the seq gap */
            pw_error("msg=\"alert not published\" alert_seq=%llu code=%s",
                     (unsigned long long)al->seq, pw_errname(rc));
        a->published = al->seq;
        pw_metric_inc(a->m.alerts[(unsigned)al->status < PW_STATUS_COUNT ? al->status : PW_STATUS_NO_DATA], 1);
        pw_info("msg=\"transition\" indicator=%s kind=%s event=%s from=%s to=%s alert_seq=%llu "
                "alert_id=%s severity=%s update_seq=%llu",
                al->indicator_id, pw_msg_kind_name(al->kind), pw_msg_event_name(al->event),
                pw_status_name((enum pw_status)al->previous), pw_status_name((enum pw_status)al->status),
                (unsigned long long)al->seq, al->alert_id, pw_msg_severity_name(al->severity, 0),
                (unsigned long long)al->update_seq);
    }
    for (size_t i = 0; i < nd; i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub(a->notify, dels[i].subscription_id);
        if (sub && sub->failed)
            continue; /* recorded pending: it waits until subscribed again */
        int held = alert_group_hold(a, sub, &dels[i], msgs, np);
        if (held > 0)
            continue; /* goes with the others of its group (alert_group.c) */
        if (held < 0)
            pw_warn("msg=\"delivery not grouped (out of memory): sent alone\" alert_seq=%llu",
                    (unsigned long long)dels[i].alert_seq);
        if (alert_channel_add(a, sub, dels[i].alert_seq, dels[i].subscription_id, dels[i].alert_id,
                              dels[i].event, (const char *)dels[i].body.data, dels[i].body.len, 0))
            pw_error("msg=\"delivery not queued (out of memory); resumed at the next start\" "
                     "alert_seq=%llu subscription=%llu",
                     (unsigned long long)dels[i].alert_seq,
                     (unsigned long long)dels[i].subscription_id);
    }
    if (a->outbox.n > np)
        pw_info("msg=\"records updated silently\" n=%zu", a->outbox.n - np);
    alert_state_list_clear(&a->outbox);
    alert_outbox_settle(a);
    pw_metric_observe(a->m.flush_seconds, pw_metrics_now() - t0);
out:
    for (size_t i = 0; i < nd; i++) {
        free(dels[i].body.data);
        free(dels[i].event);
    }
    free(dels);
    free(dptrs);
    free(msgs);
    free(ptrs);
}

void alert_outbox_settle(struct alert_svc *a)
{
    if (a->st && a->outbox.n == 0)
        a->settled_seq = alert_state_applied_seq(a->st);
}
