/* ingest_metrics.c - ingest's Prometheus series (names and meanings in
 * README "Metrics"): rows received and how they were answered, updates
 * published, the queues waiting for the store, and the latency an office
 * sees from its batch arriving to each row's durable acknowledgement.
 * Queue gauges are read at each scrape. */
#include <stdio.h>

#include "err.h"
#include "ingest.h"
#include "map.h"
#include "metrics.h"
#include "zsock.h"

static void ingest_metrics_scrape(void *arg)
{
    struct ingest *g = arg;
    pw_metric_set(g->m.pending, (double)pw_map_count(g->pending));
    pw_metric_set(g->m.open_batches, (double)ingest_batch_open_count(g));
    pw_metric_set(g->m.store_up, ingest_store_up(g, pw_now_ms()));
}

int ingest_metrics_open(struct ingest *g)
{
    static const char *status[6] = {NULL, "accepted", "duplicate", "rejected", "unavailable", "valid"};
    struct pw_metrics *r = NULL;
    struct ingest_metrics *m = &g->m;
    if (pw_metrics_open(&r))
        return PW_ENOMEM;
    g->metrics = r;
#define ADD(t, name, help) pw_metrics_add(r, t, "planwatch_ingest_" name, "", help)
    m->received = ADD(PW_METRIC_COUNTER, "rows_received_total", "Rows received in offices' feed batches.");
    m->batches = ADD(PW_METRIC_COUNTER, "batches_total", "Feed batches received.");
    for (int i = 1; i < 6; i++) {
        char label[32];
        snprintf(label, sizeof label, "status=\"%s\"", status[i]);
        m->answered[i] = pw_metrics_add(r, PW_METRIC_COUNTER, "planwatch_ingest_rows_answered_total",
                                        label, "Rows answered to offices, by status.");
    }
    m->published = ADD(PW_METRIC_COUNTER, "updates_published_total", "Updates published to the store (first sends and retransmissions).");
    m->retransmitted = ADD(PW_METRIC_COUNTER, "updates_retransmitted_total", "Updates republished because the store had not acknowledged them yet.");
    m->pending = ADD(PW_METRIC_GAUGE, "pending_updates", "Updates published and waiting for the store's acknowledgement.");
    m->open_batches = ADD(PW_METRIC_GAUGE, "open_batches", "Office batches waiting for the store.");
    m->store_up = ADD(PW_METRIC_GAUGE, "store_up", "1 when the store was heard within --store-timeout-ms.");
    m->ack_seconds = ADD(PW_METRIC_HISTOGRAM, "ack_seconds", "From a batch's arrival to the store's durable acknowledgement of each of its rows.");
    m->batch_seconds = ADD(PW_METRIC_HISTOGRAM, "batch_seconds", "From a batch's arrival to its reply.");
#undef ADD
    pw_metrics_on_scrape(r, ingest_metrics_scrape, g);
    return 0;
}
