/* ingest_metrics.c - ingest's Prometheus series (names and meanings in
 * README "Metrics"): rows received and how they were answered, updates
 * published, the queues waiting for the store, and the latency an office
 * sees from its batch arriving to each row's durable acknowledgement.
 * Queue gauges are read at each scrape. */
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
    /* index = RowStatus: 1 accepted .. 5 valid */
    static const char *const status[5] = {"accepted", "duplicate", "rejected", "unavailable", "valid"};
    struct ingest_metrics *m = &g->m;
    const enum pw_metric_type C = PW_METRIC_COUNTER, G = PW_METRIC_GAUGE, H = PW_METRIC_HISTOGRAM;
    const struct pw_metric_def defs[] = {
        {&m->received, C, "rows_received_total", NULL, "Rows received in offices' feed batches."},
        {&m->batches, C, "batches_total", NULL, "Feed batches received."},
        {&m->published, C, "updates_published_total", NULL, "Updates published to the store (first sends and retransmissions)."},
        {&m->messages, C, "update_messages_total", NULL, "Messages published on the update stream: one UpdateBatch per office batch and per retransmission turn."},
        {&m->retransmitted, C, "updates_retransmitted_total", NULL, "Updates republished because the store had not acknowledged them yet."},
        {&m->pending, G, "pending_updates", NULL, "Updates published and waiting for the store's acknowledgement."},
        {&m->open_batches, G, "open_batches", NULL, "Office batches waiting for the store."},
        {&m->store_up, G, "store_up", NULL, "1 when the store was heard within --store-timeout-ms."},
        {&m->ack_seconds, H, "ack_seconds", NULL, "From a batch's arrival to the store's durable acknowledgement of each of its rows."},
        {&m->batch_seconds, H, "batch_seconds", NULL, "From a batch's arrival to its reply."},
    };
    if (pw_metrics_open(&g->metrics))
        return PW_ENOMEM;
    int rc = pw_metrics_add_table(g->metrics, "planwatch_ingest_", defs, sizeof defs / sizeof defs[0]);
    rc |= pw_metrics_add_family(g->metrics, C, "planwatch_ingest_rows_answered_total", "status",
                                status, 5, "Rows answered to offices, by status.", m->answered + 1);
    pw_metrics_on_scrape(g->metrics, ingest_metrics_scrape, g);
    return rc ? PW_ENOMEM : 0;
}
