/* alert_health.c - a subscription whose receiver refuses for good (HTTP 4xx
 * other than 408 and 429: 404, 405, 410 ...; a mail server's SMTP 5xx) is not left to lose message
 * after message with a WARN line each (see alert.h). The first permanent
 * refusal marks it failed in the store and raises its own alert, kind
 * DELIVERY (CRITICAL), recorded in the history and published on the alert
 * stream like any other, and delivered to the other subscriptions that
 * receive it (no plan/project/indicator filter: the secretariat's), in the
 * same store transaction: `planwatch alerts` lists it open while the
 * subscription stays failed, `watch` prints it, the metrics count it. From
 * then on nothing is sent to it; its notifications keep being recorded as
 * pending deliveries (`subscriptions` counts them), so none is dropped
 * quietly. The alert takes the next alert seq, so it is raised only when
 * no decided transition is waiting (seqs are published in order). When
 * someone resumes it (planwatch subscriptions --resume), its DELIVERY alert
 * is resolved (same alert id, recorded, published and delivered like the
 * opening one), then its waiting deliveries are read back from the store
 * and sent, oldest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "err.h"
#include "log.h"
#include "msg.h"
#include "zsock.h"

/* 4xx other than 408 (timeout) and 429 (slow down): the receiver will not take it. */
static int health_permanent(const struct alert_webhook_outcome *o)
{
    if (o->state != PLANWATCH__V1__DELIVERY_STATE__DELIVERY_FAILED)
        return 0;
    if (o->smtp) /* the mail server's 5xx: no such mailbox, relay refused, ... */
        return o->http >= 500 && o->http < 600;
    return o->http >= 400 && o->http < 500 && o->http != 408 && o->http != 429;
}

void alert_health_outcomes(struct alert_svc *a, const struct alert_webhook_outcome *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (o[i].attempt && o[i].time_ns) /* an attempt of its own (not a drop) */
            pw_metric_inc(a->m.attempts[o[i].state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_DELIVERED
                                            ? 0
                                        : o[i].state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_PENDING
                                            ? 1
                                            : 2],
                          1);
        if (!health_permanent(&o[i]))
            continue;
        size_t k = 0;
        while (k < a->nfailing && a->failing[k].sub_id != o[i].sub_id)
            k++;
        if (k < a->nfailing || a->nfailing == ALERT_FAILING_MAX)
            continue; /* already noted (or the rest waits for the next refusal) */
        a->failing[k].sub_id = o[i].sub_id;
        snprintf(a->failing[k].reason, sizeof a->failing[k].reason, "%s %d",
                 o[i].smtp ? "SMTP" : "HTTP", o[i].http);
        a->nfailing++;
    }
}

static void health_forget(struct alert_svc *a, size_t k)
{
    a->failing[k] = a->failing[--a->nfailing];
}

/* One subscription's DELIVERY alert: opened (CRITICAL) when its receiver
 * refused for good, reason given (the store marks the subscription failed
 * in the same transaction); resolved (INFO, the same alert id, which the
 * caller checked the store kept) once someone resumed it, reason NULL.
 * Recorded with what the subscriptions that receive it are owed, then
 * published. Its seq is a->health_seq when that one was taken and not
 * recorded and nothing came after it. Returns 0 or why (retried). */
static int health_alert(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                        const char *reason)
{
    Planwatch__V1__Alert al = PLANWATCH__V1__ALERT__INIT;
    Planwatch__V1__Subscription why = PLANWATCH__V1__SUBSCRIPTION__INIT;
    Planwatch__V1__Alert *alp[1] = {&al};
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    char id[64], name[300], summary[384];
    const char *to = sub->email && sub->email[0] ? sub->email : sub->url ? sub->url : "";
    if (!a->health_seq || a->health_seq != alert_state_last_alert_seq(a->st))
        a->health_seq = alert_state_take_alert_seq(a->st);
    if (reason)
        snprintf(id, sizeof id, "subscription-%llu:%llu", (unsigned long long)sub->id,
                 (unsigned long long)a->health_seq);
    else
        snprintf(id, sizeof id, "%s", sub->failed_alert_id);
    snprintf(name, sizeof name, "購読 %llu の配信 (%.200s)", (unsigned long long)sub->id, to);
    if (reason)
        snprintf(summary, sizeof summary,
                 "subscription %llu refused for good (%s from %.200s): nothing more is sent to "
                 "it; its notifications wait as pending deliveries until it is subscribed again",
                 (unsigned long long)sub->id, reason, to);
    else
        snprintf(summary, sizeof summary,
                 "subscription %llu resumed (%.200s): it is sent to again, its waiting "
                 "notifications first, oldest first",
                 (unsigned long long)sub->id, to);
    al.alert_id = id;
    al.seq = a->health_seq;
    al.indicator_id = (char *)"";
    al.plan = (char *)"";
    al.project = (char *)"";
    al.name = name;
    al.kind = PLANWATCH__V1__ALERT_KIND__ALERT_KIND_DELIVERY;
    al.event = reason ? PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED
                      : PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED;
    al.severity = reason ? PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL
                         : PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
    al.previous_severity = reason ? PLANWATCH__V1__SEVERITY__SEVERITY_INFO
                                  : PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    al.status = PLANWATCH__V1__STATUS__STATUS_NO_DATA;
    al.previous = PLANWATCH__V1__STATUS__STATUS_NO_DATA;
    al.summary = summary;
    al.time_ns = pw_now_ns();
    /* the other subscriptions that receive it (the secretariat's) are owed it */
    Planwatch__V1__Delivery *dels = NULL, **dp = NULL;
    size_t nd = 0, cap = 0;
    int rc = alert_outbox_deliveries(a, &al, NULL, al.time_ns, sub->id, &dels, &nd, &cap);
    if (!rc && nd && !(dp = calloc(nd, sizeof *dp)))
        rc = PW_ENOMEM;
    for (size_t i = 0; !rc && i < nd; i++)
        dp[i] = &dels[i];
    if (reason) {
        why.failed_reason = (char *)reason;
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTION_FAILED;
        q.id = sub->id;
        q.subscription = &why;
    } else {
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_PUT;
    }
    q.alerts = alp;
    q.n_alerts = 1;
    q.deliveries = dp;
    q.n_deliveries = nd;
    if (!rc)
        rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    for (size_t i = 0; !rc && i < nd; i++)
        if (alert_channel_add(a, alert_notify_sub(a->notify, dels[i].subscription_id), al.seq,
                              dels[i].subscription_id, id, dels[i].event,
                              (const char *)dels[i].body.data, dels[i].body.len, 0))
            pw_error("msg=\"delivery not queued (out of memory); resumed at the next start\" "
                     "alert_seq=%llu subscription=%llu",
                     (unsigned long long)al.seq, (unsigned long long)dels[i].subscription_id);
    for (size_t i = 0; i < nd; i++) {
        free(dels[i].body.data);
        free(dels[i].event);
    }
    free(dels);
    free(dp);
    if (rc)
        return rc;
    a->health_seq = 0; /* recorded: the next one takes a new seq */
    rc = pw_zsock_publish(a->pub, "alert.delivery", PLANWATCH__V1__MSG_TYPE__MSG_ALERT, &al.base);
    if (rc)
        pw_error("msg=\"alert not published\" alert_seq=%llu code=%s",
                 (unsigned long long)al.seq, pw_errname(rc));
    a->published = al.seq;
    if (!reason) {
        pw_info("msg=\"subscription resumed; its delivery alert resolved\" subscription=%llu "
                "alert_id=%s alert_seq=%llu",
                (unsigned long long)sub->id, id, (unsigned long long)al.seq);
        return 0;
    }
    pw_metric_inc(a->m.subs_failed_total, 1);
    pw_error("msg=\"subscription failed permanently; its notifications wait\" subscription=%llu "
             "reason=\"%s\" alert_id=%s",
             (unsigned long long)sub->id, reason, id);
    alert_webhook_drop(a->wh, sub->id); /* they stay pending in the store */
    a->admin_due = 1;                    /* the store announced it too */
    return 0;
}

/* Queues the pending deliveries of a resumed subscription. Returns 0 or an
 * error (retried at the next heartbeat). */
static int health_resume(struct alert_svc *a, const Planwatch__V1__Subscription *sub)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    size_t n = 0;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERIES;
    int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    if (rc)
        return rc;
    alert_webhook_drop(a->wh, sub->id); /* none should be queued; never twice */
    for (size_t i = 0; i < r->n_deliveries && !rc; i++) {
        const Planwatch__V1__Delivery *d = r->deliveries[i];
        if (d->subscription_id != sub->id)
            continue;
        rc = alert_channel_add(a, sub, d->alert_seq, d->subscription_id,
                               d->alert_id ? d->alert_id : "", d->event ? d->event : "",
                               (const char *)d->body.data, d->body.len, 0);
        n++;
    }
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    if (rc)
        alert_webhook_drop(a->wh, sub->id); /* all or nothing: the retry queues them again */
    else
        pw_info("msg=\"subscription resumed; waiting deliveries queued\" subscription=%llu n=%zu",
                (unsigned long long)sub->id, n);
    return rc;
}

/* Resumed subscriptions get their delivery alert resolved, then their
 * waiting deliveries; failed ones are noted. Returns 0, or why not (the
 * next heartbeat tries again, and nothing else of the tick runs before:
 * one seq waits for one alert at a time). */
static int health_watch(struct alert_svc *a)
{
    for (size_t k = 0; k < a->nfailed;) {
        struct alert_failed *f = &a->failed[k];
        const Planwatch__V1__Subscription *sub = alert_notify_sub(a->notify, f->sub_id);
        if (sub && !sub->failed) {
            if (!f->resolved) {
                if (a->outbox.n)
                    return PW_EUNAVAILABLE; /* decided transitions go first */
                /* the store keeps the opening alert's id; without one
                 * there is nothing to resolve */
                int rc = sub->failed_alert_id && sub->failed_alert_id[0]
                             ? health_alert(a, sub, NULL)
                             : 0;
                if (rc)
                    return rc;
                f->resolved = 1;
            }
            int rc = health_resume(a, sub);
            if (rc)
                return rc;
        }
        if (!sub || !sub->failed) {
            *f = a->failed[--a->nfailed];
            continue;
        }
        k++;
    }
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub_at(a->notify, i);
        size_t k = 0;
        while (k < a->nfailed && a->failed[k].sub_id != sub->id)
            k++;
        if (sub->failed && k == a->nfailed && k < ALERT_FAILING_MAX)
            a->failed[a->nfailed++] = (struct alert_failed){sub->id, 0};
    }
    return 0;
}

void alert_health_tick(struct alert_svc *a)
{
    if (a->started && a->notify && health_watch(a))
        return;
    for (size_t k = 0; k < a->nfailing;) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub(a->notify, a->failing[k].sub_id);
        if (!sub || sub->failed) {
            health_forget(a, k); /* unsubscribed, or already marked */
            continue;
        }
        if (!a->started || a->outbox.n)
            return; /* decided transitions go first */
        int rc = health_alert(a, sub, a->failing[k].reason);
        if (rc) {
            if (rc != PW_ESHUTDOWN)
                pw_warn("msg=\"failed subscription not recorded, retrying\" subscription=%llu "
                        "code=%s",
                        (unsigned long long)a->failing[k].sub_id, pw_errname(rc));
            return;
        }
        health_forget(a, k);
    }
}
