/* store_metrics.c - the store's Prometheus series (names and meanings in
 * README "Metrics"): what was stored, refused and published, commit and
 * query latencies, the LMDB map's size and how full it is, backups. Gauges
 * that describe state (seq, map usage) are read at each scrape. */
#include <stdio.h>

#include "err.h"
#include "metrics.h"
#include "store.h"

static void store_metrics_scrape(void *arg)
{
    struct store *s = arg;
    size_t map = 0, used = 0, max = store_db_max_map(s->db);
    store_db_usage(s->db, &map, &used);
    pw_metric_set(s->m.seq, (double)store_db_last_seq(s->db));
    pw_metric_set(s->m.map_bytes, (double)map);
    pw_metric_set(s->m.used_bytes, (double)used);
    pw_metric_set(s->m.max_map_bytes, (double)max);
    pw_metric_set(s->m.map_usage, max ? (double)used / (double)max : 0);
}

int store_metrics_open(struct store *s)
{
    static const char *kinds[STORE_QUERY_KINDS] = {
        "unspecified", "latest",  "history",       "catalog",   "status",
        "snapshot",    "alert_state_get", "alert_state_put", "subscribe", "unsubscribe",
        "subscriptions", "ack",   "silence",       "alerts",    "admin_get",
        "delivery_put", "deliveries", "backup",    "other"};
    struct pw_metrics *r = NULL;
    struct store_metrics *m = &s->m;
    if (pw_metrics_open(&r))
        return PW_ENOMEM;
    s->metrics = r;
#define C(name, help) pw_metrics_add(r, PW_METRIC_COUNTER, "planwatch_store_" name, "", help)
#define G(name, help) pw_metrics_add(r, PW_METRIC_GAUGE, "planwatch_store_" name, "", help)
#define H(name, help) pw_metrics_add(r, PW_METRIC_HISTOGRAM, "planwatch_store_" name, "", help)
    m->stored = C("updates_stored_total", "Updates committed durably with a new seq.");
    m->duplicate = C("updates_duplicate_total", "Updates whose update_id was already stored (resends).");
    m->refused = C("updates_refused_total", "Updates refused: unknown indicator, bad id, or an id reused for another figure.");
    m->map_full = C("updates_map_full_total", "Updates not stored because the LMDB map is full at --max-map-mb.");
    m->published = C("updates_published_total", "Committed updates published to subscribers.");
    m->commits = C("commits_total", "Durable LMDB write transactions (group commits).");
    m->commit_seconds = H("commit_seconds", "Time to write and fsync one group commit.");
    m->commit_updates = G("commit_updates", "Updates drained into the last group commit (how far ingest's stream was queued).");
    for (int k = 0; k < STORE_QUERY_KINDS; k++) {
        char label[48];
        snprintf(label, sizeof label, "kind=\"%s\"", kinds[k]);
        m->queries[k] = pw_metrics_add(r, PW_METRIC_COUNTER, "planwatch_store_queries_total", label,
                                       "Queries answered, by kind.");
    }
    m->query_seconds = H("query_seconds", "Time to answer one query.");
    m->seq = G("seq", "Last store sequence number assigned.");
    m->map_bytes = G("lmdb_map_bytes", "Current LMDB map size (grows by doubling up to the maximum).");
    m->used_bytes = G("lmdb_used_bytes", "Bytes of the LMDB map in use (last page used).");
    m->max_map_bytes = G("lmdb_max_map_bytes", "Largest the LMDB map may grow to (--max-map-mb).");
    m->map_usage = G("lmdb_map_usage_ratio", "lmdb_used_bytes / lmdb_max_map_bytes: at 1 new updates are refused.");
    m->backups_ok = pw_metrics_add(r, PW_METRIC_COUNTER, "planwatch_store_backups_total", "result=\"ok\"", "Backups (planwatch backup), by result.");
    m->backups_failed = pw_metrics_add(r, PW_METRIC_COUNTER, "planwatch_store_backups_total", "result=\"failed\"", "Backups (planwatch backup), by result.");
    m->backup_bytes = G("last_backup_bytes", "Size of the last backup written.");
#undef C
#undef G
#undef H
    pw_metrics_on_scrape(r, store_metrics_scrape, s);
    return 0;
}

void store_metrics_batch(struct store *s, const struct store_put *puts, size_t n, double seconds)
{
    uint64_t stored = 0, dup = 0, full = 0, refused = 0;
    for (size_t i = 0; i < n; i++) {
        if (puts[i].result == 0)
            stored++;
        else if (puts[i].result == 1)
            dup++;
        else if (puts[i].result == PW_EMAPFULL)
            full++;
        else
            refused++;
    }
    pw_metric_inc(s->m.stored, stored);
    pw_metric_inc(s->m.duplicate, dup);
    pw_metric_inc(s->m.map_full, full);
    pw_metric_inc(s->m.refused, refused);
    pw_metric_set(s->m.commit_updates, (double)n);
    if (seconds >= 0) {
        pw_metric_inc(s->m.commits, 1);
        pw_metric_observe(s->m.commit_seconds, seconds);
    }
}
