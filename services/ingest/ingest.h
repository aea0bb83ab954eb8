/* ingest.h - the ingest service's state, shared by main.c (sockets, loop,
 * config) and ingest_batch.c (batches awaiting the store's acks). */
#ifndef INGEST_H
#define INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "clock.h"
#include "map.h"
#include "planwatch.pb-c.h"
#include "registry.h"
#include "sec.h"
#include "zsock.h"

struct ingest_batch;
struct ingest_pending;
struct pw_arena;
struct pw_metrics;
struct pw_metric;
struct pw_httpd;

/* ingest's series (README "Metrics"); handles borrowed from ingest.metrics. */
struct ingest_metrics {
    struct pw_metric *received, *batches;
    struct pw_metric *answered[6];      /* by RowStatus: accepted .. valid (index = status) */
    struct pw_metric *published, *retransmitted, *messages;
    struct pw_metric *pending, *open_batches, *store_up;
    struct pw_metric *ack_seconds, *batch_seconds;
};

struct ingest {
    struct pw_catalog *cat;
    struct pw_clock clock;
    void *router, *pub, *pull;
    struct pw_sec *sec;                 /* CURVE keys, registry, ZAP (or --insecure) */
    uint64_t epoch, seq;                /* publish stream identity and sequence */
    struct pw_map *pending;             /* update_id -> struct ingest_pending (borrows its id) */
    struct ingest_pending *plist;       /* all pending, for retransmission */
    struct ingest_pending *pspare;      /* freed entries kept for reuse (ingest_batch.c) */
    size_t nspare;
    struct ingest_batch *blist;         /* open batches, for deadlines */
    struct pw_arena *ack_arena;         /* decodes the store's messages; reset per message */
    int64_t store_seen_ms;              /* last message from the store (0: never) */
    char store_not_ready[400];          /* its last heartbeat's not_ready ("": ready) */
    long ack_timeout_ms, retransmit_ms, store_timeout_ms;
    uint64_t received, accepted, duplicates, rejected, unavailable, retransmitted;
    struct pw_metrics *metrics;         /* owned */
    struct ingest_metrics m;
    struct pw_httpd *http;               /* metrics endpoint; NULL when --metrics is "" */
};

/* Creates g->metrics and registers every series of g->m (ingest_metrics.c).
 * Returns 0 or PW_ENOMEM. */
int ingest_metrics_open(struct ingest *g);

/* Open batches (waiting for the store), for the queue-depth gauge. */
size_t ingest_batch_open_count(const struct ingest *g);

/* Whether the store has been heard from recently. */
int ingest_store_up(const struct ingest *g, int64_t now);

/* Handles one FeedBatch from the office whose routing frames are fr (all
 * but the last): validates, answers at once what it can, publishes the
 * rest and keeps them pending. who is the office the batch is written for
 * (pw_principal_feeder: the sending office, or the registered office the
 * HTTP door sends for; NULL when --insecure): its id is the office stored
 * with every row, and a row outside its write scope is rejected
 * (PW_EFEED_SCOPE); insecure, the batch's own office field is stored. b must
 * be decoded into *arena (ingest_serve_one does): fields of its rows are
 * repointed in place, never freed one by one. The batch takes *arena over
 * and sets it NULL (its reply borrows the request's ids until it is sent);
 * out of memory before that, *arena stays the caller's. Never fails:
 * problems become row results. */
void ingest_batch_take(struct ingest *g, struct pw_frames *fr, Planwatch__V1__FeedBatch *b,
                       struct pw_arena **arena, const struct pw_principal *who);

/* Applies the store's acknowledgements. */
void ingest_batch_ack(struct ingest *g, const Planwatch__V1__StoreAck *ack);

/* Timers: republishes pending updates older than retransmit_ms and answers
 * batches past their deadline (unconfirmed rows: ROW_UNAVAILABLE). */
void ingest_batch_tick(struct ingest *g, int64_t now);

/* Frees every batch, pending update and spare entry (shutdown). */
void ingest_batch_free_all(struct ingest *g);

#endif
