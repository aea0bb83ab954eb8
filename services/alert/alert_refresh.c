/* alert_refresh.c - keeps Alertmanager's view of planwatch's open alerts
 * alive (see alert.h). Alertmanager ends an alert that was not posted again
 * within its resolve_timeout, so every third of --alertmanager-resolve-
 * timeout-ms, by the service's clock (tests move a file clock, nothing here
 * sleeps), the open alerts (QUERY_ALERTS: the latest transition of each) go
 * again, one POST per Alertmanager subscription, to the ones whose filters
 * they pass and that no silence covers. A refresh is not a delivery: one
 * attempt, nothing recorded; the next one follows a third later. */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "err.h"
#include "fy.h"
#include "log.h"

/* Re-posts to one subscription the open alerts it receives. */
static void refresh_sub(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                        Planwatch__V1__QueryReply *r, int32_t today)
{
    const Planwatch__V1__Alert **als = calloc(r->n_alerts ? r->n_alerts : 1, sizeof *als);
    const struct pw_indicator **inds = calloc(r->n_alerts ? r->n_alerts : 1, sizeof *inds);
    size_t n = 0;
    char *body = NULL;
    size_t len = 0;
    if (!als || !inds)
        goto out;
    for (size_t i = 0; i < r->n_alerts; i++) {
        Planwatch__V1__Alert *al = r->alerts[i];
        if (!alert_notify_match(sub, al))
            continue;
        /* a silence quiets the Alertmanager too (its alert then expires there);
         * an acknowledgement does not: the alert is still open */
        alert_notify_mute(a->notify, al, 0, today);
        if (al->silenced)
            continue;
        als[n] = al;
        inds[n++] = a->cat ? pw_catalog_find(a->cat, al->indicator_id) : NULL;
    }
    if (n && alert_format_alertmanager(als, inds, n, 1, &a->fmt, &body, &len) == 0 &&
        alert_webhook_add(a->wh, 0, sub->id, "", sub->url, sub->secret, "refresh", body, len, 0))
        pw_warn("msg=\"alertmanager refresh not queued (out of memory)\" subscription=%llu",
                (unsigned long long)sub->id);
    else if (n)
        pw_debug("msg=\"alertmanager refresh\" subscription=%llu alerts=%zu",
                 (unsigned long long)sub->id, n);
out:
    free(body);
    free(als);
    free(inds);
}

void alert_refresh_tick(struct alert_svc *a)
{
    if (!a->started || !a->notify || !a->wh)
        return;
    int64_t now = pw_clock_now_ns(&a->clock), every = a->am_resolve_ms / 3 * 1000000;
    if (a->refresh_due_ns && now < a->refresh_due_ns)
        return;
    size_t nam = 0;
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *s = alert_notify_sub_at(a->notify, i);
        nam += s->format && !strcmp(s->format, ALERT_FORMAT_ALERTMANAGER) && !s->failed;
    }
    if (!nam) {
        a->refresh_due_ns = 0; /* the first one subscribed is refreshed at once */
        return;
    }
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    if (rc) {
        if (rc != PW_ESHUTDOWN)
            pw_warn("msg=\"alertmanager refresh: open alerts not read, next heartbeat\" code=%s",
                    pw_errname(rc));
        return;
    }
    int32_t today = pw_clock_today(&a->clock);
    a->fmt.reg = pw_sec_registry(a->sec);
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *s = alert_notify_sub_at(a->notify, i);
        if (s->format && !strcmp(s->format, ALERT_FORMAT_ALERTMANAGER) && !s->failed)
            refresh_sub(a, s, r, today);
    }
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    a->refresh_due_ns = now + every;
}
