/* main.c - planwatch-alert: follows the store's committed updates (SUB, plus
 * snapshots from the store's ROUTER per the gap rule of docs/pipeline.md),
 * re-evaluates the affected indicator on every update and all of them every
 * --interval-ms, records each status change in the store (AlertState) and
 * only then publishes the Alert. Does not evaluate anything the store does
 * not hold, and never publishes an alert whose state the store has not
 * recorded. Single-threaded: one reactor (lib/svc/reactor.h); store calls are blocking
 * with --query-timeout-ms. Exit: 0 after SIGTERM/SIGINT, 1 when it cannot
 * run (bind, lock, zmq), 2 for a bad configuration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert_notify.h"
#include "alert_state.h"
#include "alert_webhook.h"
#include "catalog.h"
#include "cfg.h"
#include "service.h"
#include "client.h"
#include "clock.h"
#include "err.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "pidfile.h"
#include "reactor.h"
#include "sec.h"
#include "vec.h"
#include "zap.h"
#include "zsock.h"

#define ALERT_SNAPSHOT_LIMIT 5000   /* updates per snapshot chunk */
#define ALERT_RETRY_MS 1000         /* store unavailable: retry this often */
#define ALERT_DRAIN_MAX 1000        /* SUB messages per loop turn, so timers still run */
#define ALERT_CATALOG_FILES 32      /* --catalog a.yaml,b.yaml,... */
#define ALERT_LOG_EVERY 30          /* repeated store failures: log one in this many */
#define ALERT_WEBHOOK_ITEMS (2 * ALERT_WEBHOOK_SOCKETS) /* curl's sockets, with room to spare */

/* The alert service's series (README "Metrics"); handles borrowed from the registry. */
struct alert_metrics {
    struct pw_metric *alerts[PW_STATUS_COUNT]; /* published, by new status */
    struct pw_metric *applied, *resyncs, *ready, *applied_seq, *alert_seq, *outbox;
    struct pw_metric *eval_seconds, *flush_seconds;
};

struct alert_svc {
    /* configuration: strings point into argv, the environment or the defaults */
    const char *store_ep, *updates_ep, *publish_ep, *data_dir;
    long interval_ms, heartbeat_ms, query_timeout_ms;
    struct alert_webhook_cfg wh_cfg;
    struct pw_service_settings common; /* catalog, clock, keys, ... */
    struct pw_metrics *metrics;
    struct alert_metrics m;
    struct pw_httpd *http;
    /* resources, released in reverse order by svc_close */
    int pid_fd;
    void *ctx, *sub, *pub;
    struct pw_client *store;
    struct pw_sec *sec;             /* CURVE keys, registry, ZAP (or --insecure) */
    struct pw_catalog *cat;
    struct alert_state *st;
    struct alert_notify *notify;    /* subscriptions, acks, silences (the store's) */
    struct alert_webhook *wh;       /* deliveries in flight or waiting */
    struct pw_clock clock;
    /* progress */
    int started;                    /* snapshot and AlertState loaded */
    int resync;                     /* gap seen: snapshot after the applied seq is due */
    unsigned failures;              /* consecutive failed sync attempts (log throttling) */
    unsigned flush_failures;        /* consecutive failed AlertState PUTs (log throttling) */
    struct alert_state_list outbox; /* decided in memory, not yet recorded in the store */
    uint64_t published;             /* last alert seq published (the heartbeat's seq) */
    char evaluated[11];             /* as-of day of the last full evaluation ("" before) */
    int admin_due;                  /* the store announced a change of subscriptions/acks/silences */
    unsigned store_restarted;       /* heartbeats below the applied seq (logged once) */
    unsigned record_failures;       /* consecutive failed delivery-log PUTs (log throttling) */
    /* when each step is due (monotonic ms), and its one-shot timer (0: not armed) */
    int64_t next_eval, next_sync, next_flush, next_admin, next_record;
    struct pw_reactor *loop;
    int t_sync, t_eval, t_flush, t_admin, t_record;
    int sub_id;                     /* the SUB's registration: polled once started */
};

static const struct pw_service_use svc_shared[] = {
    {PW_SERVICE_CATALOG, "comma-separated catalog YAML files; \"\" = the store's catalog (QUERY_CATALOG)"},
    {PW_SERVICE_CLOCK, "today for evaluation: \"\" wall clock (JST), YYYY-MM-DD fixed, file:PATH"},
    {PW_SERVICE_LOG_LEVEL, NULL},
    {PW_SERVICE_METRICS, NULL},
    {PW_SERVICE_INSECURE, NULL},
    {PW_SERVICE_SECRET_KEY, NULL},
    {PW_SERVICE_REGISTRY, "office registry YAML: which keys may subscribe to alerts (subscribe: true)"},
    {PW_SERVICE_STORE_KEY, "the store's public key file (store.key), to query and subscribe to it over CURVE"},
};

/* The settings (pw_service_start): -1 to go on, else the exit status. */
static int svc_config(struct alert_svc *a, int argc, char **argv)
{
    const struct pw_cfg own[] = {
        {"store", PW_CFG_STR, "tcp://127.0.0.1:7604", 0, 0,
         "the store's query endpoint (ROUTER): snapshots, AlertState, catalog", &a->store_ep, 0},
        {"updates", PW_CFG_STR, "tcp://127.0.0.1:7605", 0, 0,
         "the store's publisher of committed updates and heartbeats (PUB)", &a->updates_ep, 0},
        {"publish", PW_CFG_STR, "tcp://*:7606", 0, 0, "where alerts are published (PUB bind)",
         &a->publish_ep, 0},
        {"interval-ms", PW_CFG_INT, "60000", 10, 86400000,
         "re-evaluate every indicator this often (a due day passing moves the checkpoint)", &a->interval_ms, 0},
        {"heartbeat-ms", PW_CFG_INT, "1000", 10, 60000, "publish [hb.alert] this often",
         &a->heartbeat_ms, 0},
        {"query-timeout-ms", PW_CFG_INT, "2000", 10, 600000,
         "wait this long for each store reply before retrying", &a->query_timeout_ms, 0},
        {"data-dir", PW_CFG_STR, "", 0, 0,
         "if set, hold DIR/alert.pid so two alert services on one dir are refused", &a->data_dir, 0},
        {"webhook-timeout-ms", PW_CFG_INT, "5000", 100, 600000,
         "a webhook POST that takes longer failed (and is retried)", &a->wh_cfg.timeout_ms, 0},
        {"webhook-attempts", PW_CFG_INT, "8", 1, 100,
         "attempts per webhook delivery before it is given up", &a->wh_cfg.max_attempts, 0},
        {"webhook-backoff-ms", PW_CFG_INT, "1000", 1, 3600000,
         "delay before the first retry; it doubles with every attempt", &a->wh_cfg.backoff_ms, 0},
        {"webhook-backoff-max-ms", PW_CFG_INT, "300000", 1, 86400000,
         "the retry delay stops doubling here", &a->wh_cfg.backoff_max_ms, 0},
    };
    const struct pw_service_def def = {
        "alert", "Publishes an Alert whenever an indicator's status changes.",
        own, sizeof own / sizeof own[0], svc_shared, sizeof svc_shared / sizeof svc_shared[0]};
    return pw_service_start(&def, &a->common, argc, argv, &a->clock);
}

static void svc_log_diag(const char *what, int rc, const struct pw_diag *d)
{
    pw_error("msg=\"%s\" file=\"%s\" line=%d field=\"%s\" reason=\"%s\" code=%s", what, d->file,
             d->line, d->field, d->msg, pw_errname(rc));
}

/* --catalog a.yaml,b.yaml: loaded once at start-up; an error is a bad configuration. */
static int svc_catalog_files(struct alert_svc *a)
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
static int svc_admin_load(struct alert_svc *a)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET;
    int rc = pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r);
    if (rc)
        return rc;
    pw_info("msg=\"subscriptions loaded\" admin_seq=%llu subscriptions=%zu acks=%zu silences=%zu",
            (unsigned long long)r->admin_seq, r->n_subscriptions, r->n_acks, r->n_silences);
    alert_notify_load(a->notify, r); /* takes r */
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
        rc = alert_webhook_add(a->wh, d->alert_seq, d->subscription_id, d->alert_id ? d->alert_id : "",
                               sub ? sub->url : "", sub ? sub->secret : NULL,
                               d->event ? d->event : "", (const char *)d->body.data, d->body.len,
                               d->attempts);
    }
    if (!rc && r->n_deliveries)
        pw_info("msg=\"pending deliveries resumed\" n=%zu", r->n_deliveries);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    alert_webhook_prune(a->wh, rc ? svc_keep_none : svc_keep_sub, a->notify);
    return rc;
}

static void svc_eval_all(struct alert_svc *a, const char *why)
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
static void svc_sync(struct alert_svc *a, int64_t now)
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
        if ((rc = svc_admin_load(a)) || (rc = svc_deliveries_load(a)))
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
    svc_eval_all(a, "sync");
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

/* Appends to *dels a pending Delivery of al for every subscription that
 * receives it (body and event malloc'd; the caller frees them). */
static int svc_deliveries_for(struct alert_svc *a, const Planwatch__V1__Alert *al,
                              const struct pw_indicator *ind, int64_t now_ns,
                              Planwatch__V1__Delivery **dels, size_t *nd, size_t *cap)
{
    char event[48];
    snprintf(event, sizeof event, "%s.%s", pw_msg_kind_name(al->kind),
             pw_msg_event_name(al->event));
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub_at(a->notify, i);
        if (!alert_notify_match(sub, al))
            continue;
        if (pw_vec_grow((void **)dels, cap, *nd + 1, sizeof **dels))
            return PW_ENOMEM;
        Planwatch__V1__Delivery *d = &(*dels)[*nd];
        char *body = NULL;
        size_t len = 0;
        planwatch__v1__delivery__init(d);
        if (alert_notify_body(al, ind, sub->id, &body, &len) || !(d->event = strdup(event))) {
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
static void svc_record(struct alert_svc *a, int64_t now)
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
    alert_webhook_outcomes_clear(a->wh);
}

/* Records the outbox in the store (AlertState records, the history of every
 * published transition and the webhook deliveries it owes, in one store
 * transaction), then publishes its alerts in order and hands the deliveries
 * to the webhook sender. If the store does not confirm, nothing is
 * published and the whole outbox is retried later (the PUT is idempotent:
 * the same records again). */
static void svc_flush(struct alert_svc *a, int64_t now)
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
                    rc = svc_deliveries_for(a, ptrs[k], t->ind, t_ns, &dels, &nd, &dcap);
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
        if (alert_webhook_add(a->wh, dels[i].alert_seq, dels[i].subscription_id, dels[i].alert_id,
                              sub ? sub->url : "", sub ? sub->secret : NULL, dels[i].event,
                              (const char *)dels[i].body.data, dels[i].body.len, 0))
            pw_error("msg=\"delivery not queued (out of memory); resumed at the next start\" "
                     "alert_seq=%llu subscription=%llu",
                     (unsigned long long)dels[i].alert_seq,
                     (unsigned long long)dels[i].subscription_id);
    }
    if (a->outbox.n > np)
        pw_info("msg=\"records updated silently\" n=%zu", a->outbox.n - np);
    alert_state_list_clear(&a->outbox);
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

/* Reads what the SUB holds, without blocking; one bad message affects only itself. */
static void svc_drain(struct alert_svc *a)
{
    for (int k = 0; k < ALERT_DRAIN_MAX && !pw_zsock_stop; k++) {
        struct pw_frames fr;
        Planwatch__V1__MsgType type = PLANWATCH__V1__MSG_TYPE__MSG_UNSPECIFIED;
        ProtobufCMessage *m = NULL;
        char topic[128] = "";
        int rc = pw_zsock_recv_msg(a->sub, &fr, ZMQ_DONTWAIT, &type, &m);
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
            if (rc == PW_EZMQ)
                pw_error("msg=\"receive failed\" socket=updates");
            return;
        }
        if (rc) {
            pw_warn("msg=\"dropped message\" topic=\"%s\" code=%s", topic, pw_errname(rc));
        } else if (fr.n != 2) {
            pw_warn("msg=\"dropped message\" reason=\"expected [topic][envelope]\" frames=%d",
                    fr.n);
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
        if (m)
            protobuf_c_message_free_unpacked(m, NULL);
        pw_frames_close(&fr);
    }
}

static void svc_heartbeat(struct alert_svc *a)
{
    Planwatch__V1__Heartbeat hb = PLANWATCH__V1__HEARTBEAT__INIT;
    hb.service = (char *)"alert";
    hb.seq = a->published;
    hb.applied_seq = a->st ? alert_state_applied_seq(a->st) : 0;
    hb.resyncs = a->st ? alert_state_resyncs(a->st) : 0;
    hb.ready = a->started && !a->resync;
    hb.admin_seq = a->notify ? alert_notify_admin_seq(a->notify) : 0;
    /* a watcher (or a test) knows a day was judged and everything it raised is out */
    hb.evaluated = a->outbox.n == 0 ? a->evaluated : (char *)"";
    int rc = pw_zsock_publish(a->pub, "hb.alert", PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base);
    if (rc)
        pw_warn("msg=\"heartbeat not published\" code=%s", pw_errname(rc));
}

static void svc_metrics_scrape(void *arg)
{
    struct alert_svc *a = arg;
    pw_metric_set(a->m.resyncs, a->st ? (double)alert_state_resyncs(a->st) : 0);
    pw_metric_set(a->m.ready, a->started && !a->resync);
    pw_metric_set(a->m.applied_seq, a->st ? (double)alert_state_applied_seq(a->st) : 0);
    pw_metric_set(a->m.alert_seq, (double)a->published);
    pw_metric_set(a->m.outbox, (double)a->outbox.n);
}

/* The registry and its series; the HTTP endpoint when --metrics is set. */
static int svc_metrics_open(struct alert_svc *a)
{
    struct alert_metrics *m = &a->m;
    const char *status[PW_STATUS_COUNT];
    const enum pw_metric_type C = PW_METRIC_COUNTER, G = PW_METRIC_GAUGE, H = PW_METRIC_HISTOGRAM;
    const struct pw_metric_def defs[] = {
        {&m->applied, C, "updates_applied_total", NULL, "Store updates applied from the subscription (snapshots not counted)."},
        {&m->resyncs, C, "resyncs_total", NULL, "Resynchronisations from the store after a gap."},
        {&m->ready, G, "ready", NULL, "1 when started and not resynchronising."},
        {&m->applied_seq, G, "applied_seq", NULL, "Last store seq applied."},
        {&m->alert_seq, G, "alert_seq", NULL, "Last alert seq published."},
        {&m->outbox, G, "outbox_transitions", NULL, "Status changes decided but not yet recorded in the store and published."},
        {&m->eval_seconds, H, "eval_seconds", NULL, "Time to re-evaluate every indicator."},
        {&m->flush_seconds, H, "flush_seconds", NULL, "Time to record status changes in the store and publish their alerts."},
    };
    for (int i = 0; i < PW_STATUS_COUNT; i++)
        status[i] = pw_status_name((enum pw_status)i);
    if (pw_metrics_open(&a->metrics))
        return PW_ENOMEM;
    struct pw_metrics *r = a->metrics;
    if (pw_metrics_add_family(r, C, "planwatch_alert_alerts_published_total", "status", status,
                              PW_STATUS_COUNT, "Alerts published, by the indicator's new status.",
                              m->alerts) ||
        pw_metrics_add_table(r, "planwatch_alert_", defs, sizeof defs / sizeof defs[0]))
        return PW_ENOMEM;
    pw_metrics_on_scrape(r, svc_metrics_scrape, a);
    if (!a->common.metrics[0])
        return 0;
    int rc = pw_httpd_open(&a->http, a->loop, a->common.metrics, pw_metrics_http, r);
    if (rc == 0)
        pw_info("msg=\"metrics served\" addr=\"%s\" metrics_port=%d", a->common.metrics,
                pw_httpd_port(a->http));
    return rc;
}

static int svc_open(struct alert_svc *a)
{
    int rc;
    if ((rc = pw_reactor_open(&a->loop)) || (rc = svc_metrics_open(a)))
        return rc;
    if (a->data_dir[0]) {
        long holder = 0;
        rc = pw_pidfile_lock(a->data_dir, "alert", &a->pid_fd, &holder);
        if (rc == PW_ELOCKED) {
            pw_error("msg=\"another alert service holds the data dir\" dir=\"%s\" holder_pid=%ld "
                     "code=%s",
                     a->data_dir, holder, pw_errname(rc));
            return rc;
        }
        if (rc) {
            pw_error("msg=\"cannot lock the data dir\" dir=\"%s\" code=%s err=\"%s\"", a->data_dir,
                     pw_errname(rc), strerror(errno));
            return rc;
        }
    }
    if (a->common.catalog[0] && (rc = svc_catalog_files(a)))
        return rc;
    a->ctx = zmq_ctx_new();
    if (!a->ctx) {
        pw_error("msg=\"zmq_ctx_new failed\" err=\"%s\"", zmq_strerror(errno));
        return PW_EZMQ;
    }
    char store_pub[PW_KEY_Z85_LEN + 1];
    if ((rc = pw_sec_open(a->ctx, a->common.insecure, a->common.secret_key, a->common.registry,
                          a->cat, &a->sec)) ||
        (rc = pw_sec_metrics(a->sec, a->metrics, "planwatch_alert_")) ||
        (rc = pw_sec_peer_key(a->sec, a->common.store_key, "--store-key", store_pub)))
        return rc;
    /* subscribe before the snapshot, so nothing committed in between is missed */
    if ((rc = pw_zsock_new(a->ctx, ZMQ_SUB, 0, &a->sub)) ||
        (rc = pw_sec_client(a->sec, a->sub, store_pub)) ||
        (rc = pw_zsock_connect(a->sub, a->updates_ep)))
        return rc;
    if (zmq_setsockopt(a->sub, ZMQ_SUBSCRIBE, "update.", 7) ||
        zmq_setsockopt(a->sub, ZMQ_SUBSCRIBE, "hb.", 3) ||
        zmq_setsockopt(a->sub, ZMQ_SUBSCRIBE, "admin.", 6)) {
        pw_error("msg=\"cannot subscribe\" err=\"%s\"", zmq_strerror(errno));
        return PW_EZMQ;
    }
    if ((rc = pw_zsock_new(a->ctx, ZMQ_PUB, 0, &a->pub)) ||
        (rc = pw_sec_server(a->sec, a->pub, PW_ZAP_ALERTS)) ||
        (rc = pw_zsock_bind(a->pub, a->publish_ep)))
        return rc;
    if ((rc = pw_client_open_curve(a->ctx, a->store_ep, pw_sec_keys(a->sec), store_pub, &a->store)))
        return rc;
    if ((rc = alert_notify_open(&a->notify)))
        return rc;
    if ((rc = alert_webhook_open(&a->wh, &a->wh_cfg))) {
        pw_error("msg=\"cannot set up webhook delivery\" code=%s", pw_errname(rc));
        return rc;
    }
    return 0;
}

static void svc_close(struct alert_svc *a)
{
    if (a->outbox.n)
        pw_warn("msg=\"exiting with unrecorded transitions\" n=%zu "
                "note=\"re-derived from the store at the next start\"",
                a->outbox.n);
    if (a->wh && alert_webhook_queued(a->wh))
        pw_info("msg=\"webhook deliveries left pending\" n=%zu note=\"resumed at the next start\"",
                alert_webhook_queued(a->wh));
    alert_webhook_close(&a->wh);
    alert_notify_close(&a->notify);
    alert_state_list_free(&a->outbox);
    pw_httpd_close(&a->http);
    pw_metrics_close(&a->metrics);
    alert_state_close(&a->st);
    pw_catalog_close(&a->cat);
    pw_client_close(&a->store);
    pw_zsock_close(&a->pub);
    pw_zsock_close(&a->sub);
    pw_sec_close(&a->sec);
    pw_reactor_close(&a->loop);
    if (a->ctx)
        zmq_ctx_term(a->ctx);
    a->ctx = NULL;
    if (a->data_dir && a->data_dir[0])
        pw_pidfile_unlock(a->pid_fd, a->data_dir, "alert");
    a->pid_fd = -1;
}

/* ---- the loop: each step of the service is a one-shot timer armed while
 * the step has work (svc_schedule, after every callback) at the time the
 * step said (next_*: a failed store call retries a second later, and new
 * work does not cut that short); a timer re-checks its step when it fires. */

static int svc_schedule(struct alert_svc *a);

static int svc_on_sync(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct alert_svc *a = arg;
    int64_t now = pw_now_ms();
    a->t_sync = 0;
    if ((!a->started || a->resync) && now >= a->next_sync)
        svc_sync(a, now);
    return svc_schedule(a);
}

static int svc_on_admin(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct alert_svc *a = arg;
    int64_t now = pw_now_ms();
    a->t_admin = 0;
    if (a->started && a->admin_due && now >= a->next_admin && svc_admin_load(a))
        a->next_admin = now + ALERT_RETRY_MS;
    return svc_schedule(a);
}

static int svc_on_eval(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct alert_svc *a = arg;
    int64_t now = pw_now_ms();
    a->t_eval = 0;
    if (a->started && now >= a->next_eval) {
        svc_eval_all(a, "timer");
        a->next_eval = now + a->interval_ms;
    }
    return svc_schedule(a);
}

static int svc_on_flush(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct alert_svc *a = arg;
    int64_t now = pw_now_ms();
    a->t_flush = 0;
    if (a->outbox.n && now >= a->next_flush && !pw_zsock_stop)
        svc_flush(a, now);
    return svc_schedule(a);
}

static int svc_on_record(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct alert_svc *a = arg;
    int64_t now = pw_now_ms();
    size_t nout;
    a->t_record = 0;
    alert_webhook_outcomes(a->wh, &nout);
    if (nout && now >= a->next_record && !pw_zsock_stop)
        svc_record(a, now);
    return svc_schedule(a);
}

/* Arms *id for at (monotonic ms) when the step has work and is not armed. */
static int svc_arm(struct alert_svc *a, int *id, int work, int64_t at, pw_reactor_fn fn)
{
    if (!work || *id)
        return 0;
    int64_t delay = at - pw_now_ms();
    return pw_reactor_timer(a->loop, delay > 0 ? delay : 0, 0, fn, a, id);
}

static int svc_schedule(struct alert_svc *a)
{
    size_t nout;
    alert_webhook_outcomes(a->wh, &nout);
    if (svc_arm(a, &a->t_sync, !a->started || a->resync, a->next_sync, svc_on_sync) ||
        svc_arm(a, &a->t_admin, a->started && a->admin_due, a->next_admin, svc_on_admin) ||
        svc_arm(a, &a->t_eval, a->started, a->next_eval, svc_on_eval) ||
        svc_arm(a, &a->t_flush, a->outbox.n != 0, a->next_flush, svc_on_flush) ||
        svc_arm(a, &a->t_record, nout != 0, a->next_record, svc_on_record)) {
        pw_error("msg=\"cannot schedule (out of memory)\"");
        return PW_ENOMEM;
    }
    return 0;
}

static int svc_on_hb_timer(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    svc_heartbeat(arg);
    return 0;
}

/* Before the start-up the SUB is not polled: the snapshot covers what it holds. */
static int svc_on_updates(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    svc_drain(arg);
    return svc_schedule(arg);
}

/* Webhooks: curl's sockets and its timer (and the retry schedule) each turn. */
static int svc_webhook_prepare(void *arg, zmq_pollitem_t *items, int max, long *timeout_ms)
{
    struct alert_svc *a = arg;
    long wt = alert_webhook_timeout(a->wh, pw_now_ms());
    if (wt >= 0 && wt < *timeout_ms)
        *timeout_ms = wt;
    return (int)alert_webhook_pollitems(a->wh, items, (size_t)max);
}

static int svc_webhook_dispatch(void *arg, const zmq_pollitem_t *items, int n)
{
    struct alert_svc *a = arg;
    alert_webhook_run(a->wh, items, (size_t)n, pw_now_ms());
    return svc_schedule(a); /* outcomes to record */
}

static int svc_run(struct alert_svc *a)
{
    int64_t now = pw_now_ms();
    a->next_sync = now;
    a->next_eval = now + a->interval_ms;
    a->next_flush = now;
    a->next_admin = now;
    a->next_record = now;
    if (pw_sec_zap_register(a->sec, a->loop) || /* subscribers' handshakes first */
        pw_reactor_socket(a->loop, a->sub, 0, svc_on_updates, a, &a->sub_id) ||
        pw_reactor_hook(a->loop, ALERT_WEBHOOK_ITEMS, svc_webhook_prepare, svc_webhook_dispatch,
                        a, NULL) ||
        svc_schedule(a) ||
        pw_reactor_timer(a->loop, 0, a->heartbeat_ms, svc_on_hb_timer, a, NULL))
        return PW_ENOMEM;
    return pw_reactor_run(a->loop);
}

int main(int argc, char **argv)
{
    struct alert_svc a;
    memset(&a, 0, sizeof a);
    a.pid_fd = -1;
    int rc = svc_config(&a, argc, argv);
    if (rc >= 0)
        return rc; /* --help, or a bad setting */
    rc = svc_open(&a);
    if (rc == 0)
        rc = svc_run(&a);
    svc_close(&a);
    if (rc == 0) {
        pw_info("msg=\"stopped\"");
        return 0;
    }
    /* a catalog that does not load is a configuration error, like a bad flag */
    if (rc == PW_EINVAL || (rc <= PW_ECAT_YAML && rc >= PW_ECAT_VERSION))
        return 2;
    return 1;
}
