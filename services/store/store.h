/* store.h - the store service's state, shared by its main loop (main.c) and
 * its query handlers (store_query.c). One struct, owned by main(). */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "clock.h"
#include "history.h"
#include "planwatch.pb-c.h"
#include "sec.h"
#include "store_db.h"

struct store_catalog_file {
    char *name;
    char *yaml;
    size_t len;
};

/* The store's series (README "Metrics"); handles borrowed from s->metrics. */
#define STORE_QUERY_KINDS 19 /* QueryKind values 0..17, and 18 for any other */
struct store_metrics {
    struct pw_metric *stored, *duplicate, *refused, *map_full, *published, *messages;
    struct pw_metric *commits, *commit_seconds, *commit_updates;
    struct pw_metric *queries[STORE_QUERY_KINDS], *query_seconds;
    struct pw_metric *seq, *data_format, *map_bytes, *used_bytes, *max_map_bytes, *map_usage;
    struct pw_metric *backups_ok, *backups_failed, *backup_bytes;
    struct pw_metric *disk_full, *disk_full_total, *disk_full_updates;
};

struct pw_metrics;
struct pw_httpd;

struct store {
    struct store_db *db;
    struct pw_catalog *cat;
    struct store_catalog_file *files;   /* the catalog texts served on QUERY_CATALOG */
    size_t nfiles;
    struct pw_history *hist;            /* every stored update, for status snapshots */
    struct pw_clock clock;
    void *sub, *ack, *router, *pub;
    struct pw_sec *sec;                 /* CURVE keys, registry, ZAP (or --insecure) */
    uint64_t stored, duplicates, refused, queries, published;
    uint64_t ingest_epoch, ingest_seq;  /* to notice gaps in ingest's stream */
    uint64_t admin_seq;                 /* changes to subscriptions/acks/silences (meta) */
    struct pw_metrics *metrics;         /* owned; NULL only if out of memory at start */
    struct store_metrics m;
    struct pw_httpd *http;               /* metrics endpoint; NULL when --metrics is "" */
    const char *asker;                   /* the identity of the query being answered (its
                                            registry id; NULL insecure): set around
                                            store_query_answer */
    int asker_service;                   /* ... and it is a planwatch service */
    int asker_full;                      /* ... and sees subscriptions' destinations whole
                                            (manage: true, a service, or insecure) */
    const char *backup_dir;              /* --backup-dir ("": backups off); borrowed */
};

/* Creates s->metrics and registers every series of s->m (store_metrics.c).
 * Returns 0 or PW_ENOMEM. */
int store_metrics_open(struct store *s);

/* Counts one drained batch's results (puts[0..n), after the commit);
 * seconds: the commit's duration, < 0 when nothing was written. */
void store_metrics_batch(struct store *s, const struct store_put *puts, size_t n, double seconds);


/* Answers one query into *reply, allocating from arena (freed by the caller
 * after the reply is sent). Never fails: errors go in reply->code/error. */
struct pw_arena;
void store_query_answer(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *reply, struct pw_arena *arena);

/* A growing array of message pointers in an arena (replies' repeated fields). */
struct store_list {
    struct pw_arena *arena;
    void **v;
    size_t n, cap;
};
/* Appends m. Returns 0 or PW_ENOMEM. */
int store_list_push(struct store_list *l, void *m);
/* Decodes a stored message val[0..len) into the arena and appends it.
 * Returns 0, PW_EDB (does not decode) or PW_ENOMEM. */
int store_list_unpack(struct store_list *l, const ProtobufCMessageDescriptor *d, const void *val,
                      size_t len);

/* store_alerts.c: the alert side (docs/pipeline.md "Alert subscriptions").
 * store_alerts_init reads the admin seq at start-up (0 or PW_EDB);
 * store_alerts_answer answers QUERY_ALERT_STATE_PUT and QUERY_SUBSCRIBE ..
 * QUERY_DELIVERIES (returns 1), or returns 0 for any other kind. A change to
 * subscriptions, acks or silences bumps admin_seq in the same transaction
 * and publishes [admin.<what>][AdminNotice] on the store's PUB. */
int store_alerts_init(struct store *s);
int store_alerts_answer(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *r, struct pw_arena *arena);

/* store_reports.c: published reports. Answers QUERY_REPORT_PUBLISH (the
 * record gets the next id, the store's clock, catalog digest and s->asker),
 * QUERY_REPORTS (bodies left out; q->plan filters) and QUERY_REPORT_GET
 * (q->id; PW_ENOTFOUND) and returns 1, or returns 0 for any other kind. */
int store_reports_answer(struct store *s, const Planwatch__V1__Query *q,
                         Planwatch__V1__QueryReply *r, struct pw_arena *arena);

/* store_sessions.c: sessions signed out on one replica of the HTTP door.
 * Answers QUERY_SESSION_REVOKE (the record under the next revocation seq,
 * reply.id; expired ones forgotten in the same transaction) and
 * QUERY_SESSIONS_REVOKED (those after q->after_seq not expired) and returns
 * 1, or returns 0 for any other kind. */
int store_sessions_answer(struct store *s, const Planwatch__V1__Query *q,
                          Planwatch__V1__QueryReply *r, struct pw_arena *arena);

/* Commits ops[0..n) plus admin_seq + 1 in one transaction (ops must have
 * room for n + 1), then announces [admin.<what>] on the PUB (store_alerts.c).
 * Returns 0 or store_db_write's error (nothing written). */
int store_admin_write(struct store *s, struct store_db_op *ops, size_t n, const char *what,
                      struct pw_arena *a);

/* store_assess.c: the secretariat's assessments (README "The secretariat's
 * assessment"). Answers QUERY_ASSESS (a record with the store's clock and
 * s->asker, announced as admin.assessments; PW_EINVAL for a bad record,
 * PW_ENOTFOUND withdrawing none) and QUERY_ASSESSMENTS (q->history: every
 * record; else the current ones known at q->known_at_ns) and returns 1, or
 * returns 0 for any other kind. */
int store_assess_answer(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *r, struct pw_arena *arena);

/* The current assessments known at known_at (Unix ns; PW_KNOWN_ALL: every
 * record) into r->assessments (arena). Returns 0, PW_ENOMEM or PW_EDB. */
int store_assess_current(struct store *s, int64_t known_at, Planwatch__V1__QueryReply *r,
                         struct pw_arena *arena);

/* Sets rows[i].as of rows[0..n) from assessments a[0..na) (the current
 * ones): the one of each row's indicator and checkpoint, else none. */
struct pw_status_row;
void store_assess_attach(struct pw_status_row *rows, size_t n,
                         Planwatch__V1__Assessment *const *a, size_t na);

#endif
