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

#include "alert.h"
#include "cfg.h"
#include "err.h"
#include "log.h"
#include "msg.h"
#include "pidfile.h"
#include "vec.h"
#include "zap.h"
#include "zsock.h"

static const struct pw_service_use svc_shared[] = {
    {PW_SERVICE_CATALOG, "comma-separated catalog YAML files; \"\" = the store's catalog (QUERY_CATALOG)"},
    {PW_SERVICE_CLOCK, "today for evaluation: \"\" wall clock (JST), YYYY-MM-DD fixed, file:PATH"},
    {PW_SERVICE_LOG_LEVEL, NULL},
    {PW_SERVICE_METRICS, NULL},
    {PW_SERVICE_INSECURE, NULL},
    {PW_SERVICE_INSECURE_ANYWHERE, NULL},
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
        {"publish", PW_CFG_STR, "tcp://127.0.0.1:7606", 0, 0, "where alerts are published (PUB bind)",
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
        {"public-url", PW_CFG_STR, "", 0, 0,
         "the web door's public URL: notifications link to PUBLIC_URL/indicator/ID",
         &a->public_url, 0},
        {"smtp-url", PW_CFG_STR, "", 0, 0,
         "email subscriptions go through this server: smtp://host:587 (STARTTLS) or smtps://host:465",
         &a->wh_cfg.smtp_url, 0},
        {"smtp-starttls", PW_CFG_INT, "1", 0, 1,
         "smtp://: 1 refuses to send unless the server upgrades to TLS (STARTTLS); 0 sends in the clear",
         &a->smtp_starttls, 0},
        {"smtp-user", PW_CFG_STR, "", 0, 0, "SMTP AUTH user (\"\": no AUTH)", &a->wh_cfg.smtp_user, 0},
        {"smtp-password-file", PW_CFG_STR, "", 0, 0,
         "file holding the SMTP AUTH password (else PLANWATCH_SMTP_PASSWORD; never logged)",
         &a->smtp_password_file, 0},
        {"mail-from", PW_CFG_STR, "planwatch@localhost", 0, 0, "the emails' sender address",
         &a->wh_cfg.mail_from, 0},
        {"alertmanager-resolve-timeout-ms", PW_CFG_INT, "300000", 3000, 86400000,
         "the Alertmanagers' resolve_timeout: open alerts are re-posted every third of it",
         &a->am_resolve_ms, 0},
    };
    const struct pw_service_def def = {
        "alert", "Publishes an Alert whenever an indicator's status changes.",
        own, sizeof own / sizeof own[0], svc_shared, sizeof svc_shared / sizeof svc_shared[0]};
    return pw_service_start(&def, &a->common, argc, argv, &a->clock);
}


static void svc_heartbeat(struct alert_svc *a)
{
    Planwatch__V1__Heartbeat hb = PLANWATCH__V1__HEARTBEAT__INIT;
    hb.service = (char *)"alert";
    hb.seq = a->published;
    /* "applied" to a reader of the heartbeat means its outcome is visible:
     * an update applied whose transitions still wait in the outbox is not
     * yet in the store's alert state (alert_outbox_settle) */
    alert_outbox_settle(a);
    hb.applied_seq = a->settled_seq;
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
    size_t failed = 0;
    for (size_t i = 0; a->notify && i < alert_notify_nsubs(a->notify); i++)
        failed += alert_notify_sub_at(a->notify, i)->failed != 0;
    pw_metric_set(a->m.subs_failed, (double)failed);
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
        {&m->subs_failed_total, C, "subscriptions_failed_total", NULL, "Subscriptions marked failed after a permanent refusal (HTTP 4xx other than 408/429)."},
        {&m->subs_failed, G, "subscriptions_failed", NULL, "Subscriptions currently failed: nothing is sent to them, their notifications wait."},
    };
    for (int i = 0; i < PW_STATUS_COUNT; i++)
        status[i] = pw_status_name((enum pw_status)i);
    if (pw_metrics_open(&a->metrics))
        return PW_ENOMEM;
    struct pw_metrics *r = a->metrics;
    static const char *const results[] = {"delivered", "retry", "failed"};
    if (pw_metrics_add_family(r, C, "planwatch_alert_alerts_published_total", "status", status,
                              PW_STATUS_COUNT, "Alerts published, by the indicator's new status.",
                              m->alerts) ||
        pw_metrics_add_family(r, C, "planwatch_alert_delivery_attempts_total", "result", results, 3,
                              "Delivery attempts (webhook, Alertmanager, chat, email) by result: "
                              "delivered, failed and retried, failed for good.",
                              m->attempts) ||
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

/* The SMTP password: --smtp-password-file (first line), else the
 * environment's PLANWATCH_SMTP_PASSWORD; kept out of the settings table so
 * the start-up line never prints it. */
static int svc_smtp_password(struct alert_svc *a)
{
    const char *env = getenv("PLANWATCH_SMTP_PASSWORD");
    if (!a->smtp_password_file[0]) {
        if (env && !(a->smtp_password = strdup(env)))
            return PW_ENOMEM;
        return 0;
    }
    FILE *f = fopen(a->smtp_password_file, "r");
    char line[512] = "";
    if (!f || !fgets(line, sizeof line, f)) {
        pw_error("msg=\"cannot read the SMTP password file\" path=\"%s\" err=\"%s\"",
                 a->smtp_password_file, f ? "empty" : strerror(errno));
        if (f)
            fclose(f);
        return PW_EINVAL;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    a->smtp_password = strdup(line);
    memset(line, 0, sizeof line);
    return a->smtp_password ? 0 : PW_ENOMEM;
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
    if (a->common.catalog[0] && (rc = alert_sync_catalog_files(a)))
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
    pw_sec_insecure_anywhere(a->sec, a->common.insecure_anywhere);
    a->fmt.public_url = a->public_url;
    a->fmt.reg = pw_sec_registry(a->sec);
    /* subscribe before the snapshot, so nothing committed in between is missed */
    if ((rc = pw_zsock_new(a->ctx, ZMQ_SUB, PW_STREAM_HWM, &a->sub)) ||
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
        (rc = pw_sec_bind(a->sec, a->pub, PW_ZAP_ALERTS, a->publish_ep)))
        return rc;
    if ((rc = pw_client_open_curve(a->ctx, a->store_ep, pw_sec_keys(a->sec), store_pub, &a->store)))
        return rc;
    if ((rc = alert_notify_open(&a->notify)))
        return rc;
    if ((rc = svc_smtp_password(a)))
        return rc;
    a->wh_cfg.smtp_starttls = (int)a->smtp_starttls;
    a->wh_cfg.smtp_password = a->smtp_password;
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
    alert_group_free(a);
    alert_webhook_close(&a->wh);
    if (a->smtp_password) {
        memset(a->smtp_password, 0, strlen(a->smtp_password));
        free(a->smtp_password);
        a->smtp_password = NULL;
    }
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
        alert_sync_run(a, now);
    return svc_schedule(a);
}

static int svc_on_admin(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct alert_svc *a = arg;
    int64_t now = pw_now_ms();
    a->t_admin = 0;
    if (a->started && a->admin_due && now >= a->next_admin && alert_sync_admin(a))
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
        alert_sync_eval_all(a, "timer");
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
        alert_outbox_flush(a, now);
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
        alert_outbox_record(a, now);
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
    alert_refresh_tick(arg); /* by the service's clock: a moved clock re-posts at once */
    alert_health_tick(arg);
    alert_group_tick(arg);
    return svc_schedule(arg);
}

/* Before the start-up the SUB is not polled: the snapshot covers what it holds. */
static int svc_on_updates(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    alert_sync_drain(arg);
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

