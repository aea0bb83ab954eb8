/* alert.h - planwatch-alert's state, shared by its files:
 *   main.c          settings, start and stop, the reactor's callbacks, metrics
 *   alert_sync.c    the store: catalog, snapshot, recorded states, admin and
 *                   deliveries at start-up and on resync; the update stream
 *   alert_outbox.c  transitions recorded in the store, then published and
 *                   handed to the webhooks; the delivery log
 * The engine itself (alert_state, alert_rules, alert_notify, alert_webhook)
 * is the pw_alert library. */
#ifndef ALERT_H
#define ALERT_H

#include <stdint.h>

#include "alert_format.h"
#include "alert_notify.h"
#include "alert_state.h"
#include "alert_webhook.h"
#include "catalog.h"
#include "clock.h"
#include "client.h"
#include "httpd.h"
#include "metrics.h"
#include "reactor.h"
#include "sec.h"
#include "service.h"

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
    struct pw_metric *subs_failed_total, *subs_failed;
    struct pw_metric *attempts[3]; /* delivery attempts by result: delivered, retry, failed */
};

#define ALERT_FAILING_MAX 32         /* subscriptions refused for good, not yet recorded */

/* A subscription the receiver refused for good, to be marked failed. */
struct alert_failing {
    uint64_t sub_id;
    char reason[32];                /* "HTTP 405" */
};

/* A subscription seen failed: when someone resumes it, its DELIVERY alert
 * is resolved, then its waiting deliveries are sent. */
struct alert_failed {
    uint64_t sub_id;
    int resolved;                   /* resolution recorded, backlog not queued yet */
};

struct alert_svc {
    /* configuration: strings point into argv, the environment or the defaults */
    const char *store_ep, *updates_ep, *publish_ep, *data_dir;
    long interval_ms, heartbeat_ms, query_timeout_ms;
    struct alert_webhook_cfg wh_cfg;
    const char *public_url;         /* links in the bodies (--public-url) */
    long am_resolve_ms;             /* the Alertmanagers' resolve_timeout: open alerts are
                                       re-posted every third of it (by the service's clock) */
    struct alert_format_ctx fmt;    /* public URL and registry for the bodies */
    int64_t refresh_due_ns;         /* clock instant of the next re-post (0: at once) */
    const char *smtp_password_file; /* --smtp-password-file */
    char *smtp_password;            /* read from it or PLANWATCH_SMTP_PASSWORD; never logged */
    long smtp_starttls;
    unsigned mail_warned;           /* "no --smtp-url" said once */
    struct alert_group *groups;     /* held transitions per grouping subscription */
    size_t ngroups, groups_cap;
    struct alert_failing failing[ALERT_FAILING_MAX];
    size_t nfailing;
    struct alert_failed failed[ALERT_FAILING_MAX];
    size_t nfailed;
    uint64_t health_seq;            /* a seq taken for a DELIVERY alert and not yet recorded:
                                       the next one reuses it while nothing came after it */
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
    uint64_t settled_seq;           /* applied seq whose transitions are all recorded and
                                     * published (the heartbeat's applied_seq) */
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

/* alert_sync.c */
/* --catalog a.yaml,b.yaml: loaded once at start-up; 0, or an error (a bad configuration). */
int alert_sync_catalog_files(struct alert_svc *a);
/* Start-up (catalog, snapshot, AlertState, admin, deliveries, first
 * evaluation) or a resync; a failure is retried a second later. */
void alert_sync_run(struct alert_svc *a, int64_t now);
/* Reloads subscriptions, acks and silences after the store announced a change. */
int alert_sync_admin(struct alert_svc *a);
/* Evaluates every indicator today; the transitions go to the outbox. */
void alert_sync_eval_all(struct alert_svc *a, const char *why);
/* Applies what the store's publisher sent (updates, heartbeats) per the gap rule. */
void alert_sync_drain(struct alert_svc *a);

/* alert_refresh.c */
/* Re-posts the open alerts to every Alertmanager subscription when the
 * service's clock has passed refresh_due_ns (called every heartbeat). */
void alert_refresh_tick(struct alert_svc *a);

/* alert_channel.c */
/* The body subscription sub's delivery of al carries (JSON, Alertmanager,
 * chat, or the whole email), malloc'd in *out (caller frees). Returns 0,
 * PW_EINVAL (unknown format) or PW_ENOMEM. */
int alert_channel_body(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                       const Planwatch__V1__Alert *al, const struct pw_indicator *ind, char **out,
                       size_t *len);
/* Queues a delivery the way sub's channel goes (NULL sub: a webhook to "",
 * pruned as unsubscribed). Without --smtp-url an email stays pending in the
 * store (0, logged once). Returns 0 or PW_ENOMEM. */
int alert_channel_add(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                      uint64_t alert_seq, uint64_t sub_id, const char *alert_id,
                      const char *event, const char *body, size_t len, uint32_t attempts);

/* alert_group.c */
struct alert_group;
/* Holds d (of the outbox's alert msgs[0..n) with its seq) when sub groups
 * its transitions: 1 held, 0 not grouped (queue it), PW_ENOMEM. */
int alert_group_hold(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                     const Planwatch__V1__Delivery *d, const struct alert_state_msg *msgs, size_t n);
/* Sends the groups whose wait (and interval) the service's clock has passed. */
void alert_group_tick(struct alert_svc *a);
void alert_group_free(struct alert_svc *a);

/* alert_health.c */
/* Counts the attempts (metrics) and notes the subscriptions that outcomes
 * show refused for good. */
void alert_health_outcomes(struct alert_svc *a, const struct alert_webhook_outcome *o, size_t n);
/* Marks them failed in the store and raises their DELIVERY alerts (when no
 * decided transition waits); retried every heartbeat. */
void alert_health_tick(struct alert_svc *a);

/* alert_outbox.c */
/* Records the outbox in the store, then publishes its alerts and queues their deliveries. */
void alert_outbox_flush(struct alert_svc *a, int64_t now);
/* Appends to *dels (cap: its room, pw_vec_grow) a pending Delivery of al
 * for every subscription that receives it; about (a subscription id, 0:
 * none): al is that subscription's own DELIVERY alert, not sent to it nor
 * to other failed ones. Body and event malloc'd (the caller frees them).
 * Returns 0 or PW_ENOMEM. */
int alert_outbox_deliveries(struct alert_svc *a, const Planwatch__V1__Alert *al,
                            const struct pw_indicator *ind, int64_t now_ns, uint64_t about,
                            Planwatch__V1__Delivery **dels, size_t *nd, size_t *cap);
/* The heartbeat's applied_seq catches up with the applied updates once
 * every transition they caused is recorded (the outbox is empty). */
void alert_outbox_settle(struct alert_svc *a);
/* Records webhook delivery outcomes (the delivery log) in the store. */
void alert_outbox_record(struct alert_svc *a, int64_t now);

#endif
