/* store_metrics.c - the store's Prometheus series (names and meanings in
 * README "Metrics"): what was stored, refused and published, commit and
 * query latencies, the LMDB map's size and how full it is, the data format,
 * backups. Gauges that describe state (seq, map usage) are read at each
 * scrape. */
#include "err.h"
#include "metrics.h"
#include "store.h"

static void store_metrics_scrape(void *arg)
{
    struct store *s = arg;
    size_t map = 0, used = 0, max = store_db_max_map(s->db);
    store_db_usage(s->db, &map, &used);
    pw_metric_set(s->m.seq, (double)store_db_last_seq(s->db));
    pw_metric_set(s->m.data_format, (double)store_db_format(s->db));
    pw_metric_set(s->m.map_bytes, (double)map);
    pw_metric_set(s->m.used_bytes, (double)used);
    pw_metric_set(s->m.max_map_bytes, (double)max);
    pw_metric_set(s->m.map_usage, max ? (double)used / (double)max : 0);
    uint64_t failed = 0;
    pw_metric_set(s->m.disk_full, store_db_disk_full(s->db, &failed) ? 1 : 0);
    pw_metric_set(s->m.disk_full_total, (double)failed);
}

int store_metrics_open(struct store *s)
{
    static const char *const kinds[STORE_QUERY_KINDS] = {
        "unspecified", "latest",  "history",       "catalog",   "status",
        "snapshot",    "alert_state_get", "alert_state_put", "subscribe", "unsubscribe",
        "subscriptions", "ack",   "silence",       "alerts",    "admin_get",
        "delivery_put", "deliveries", "backup",    "other"};
    static const char *const results[2] = {"ok", "failed"};
    struct store_metrics *m = &s->m;
    struct pw_metric *backups[2];
    const enum pw_metric_type C = PW_METRIC_COUNTER, G = PW_METRIC_GAUGE, H = PW_METRIC_HISTOGRAM;
    const struct pw_metric_def defs[] = {
        {&m->stored, C, "updates_stored_total", NULL, "Updates committed durably with a new seq."},
        {&m->duplicate, C, "updates_duplicate_total", NULL, "Updates whose update_id was already stored (resends)."},
        {&m->refused, C, "updates_refused_total", NULL, "Updates refused: unknown indicator, bad id, or an id reused for another figure."},
        {&m->map_full, C, "updates_map_full_total", NULL, "Updates not stored because the LMDB map is full at --max-map-mb."},
        {&m->published, C, "updates_published_total", NULL, "Committed updates published to subscribers."},
        {&m->messages, C, "update_messages_total", NULL, "Messages carrying them: one UpdateBatch per drain and (plan, project) run."},
        {&m->commits, C, "commits_total", NULL, "Durable LMDB write transactions (group commits)."},
        {&m->commit_seconds, H, "commit_seconds", NULL, "Time to write and fsync one group commit."},
        {&m->commit_updates, G, "commit_updates", NULL, "Updates drained into the last group commit (how far ingest's stream was queued)."},
        {&m->query_seconds, H, "query_seconds", NULL, "Time to answer one query."},
        {&m->seq, G, "seq", NULL, "Last store sequence number assigned."},
        {&m->data_format, G, "data_format", NULL, "Format of the data in LMDB (older data is upgraded at start)."},
        {&m->map_bytes, G, "lmdb_map_bytes", NULL, "Current LMDB map size (grows by doubling up to the maximum)."},
        {&m->used_bytes, G, "lmdb_used_bytes", NULL, "Bytes of the LMDB map in use (last page used)."},
        {&m->max_map_bytes, G, "lmdb_max_map_bytes", NULL, "Largest the LMDB map may grow to (--max-map-mb)."},
        {&m->map_usage, G, "lmdb_map_usage_ratio", NULL, "lmdb_used_bytes / lmdb_max_map_bytes: at 1 new updates are refused."},
        {&m->backup_bytes, G, "last_backup_bytes", NULL, "Size of the last backup written."},
        {&m->disk_full, G, "disk_full", NULL, "1 while the last durable write failed because the disk is full (the store says not ready)."},
        {&m->disk_full_total, C, "disk_full_total", NULL, "Durable writes (commits, probes) that failed because the disk is full (ENOSPC)."},
        {&m->disk_full_updates, C, "updates_disk_full_total", NULL, "Updates not stored because the disk was full (answered PW_EDISKFULL)."},
    };
    if (pw_metrics_open(&s->metrics))
        return PW_ENOMEM;
    int rc = pw_metrics_add_table(s->metrics, "planwatch_store_", defs, sizeof defs / sizeof defs[0]);
    rc |= pw_metrics_add_family(s->metrics, C, "planwatch_store_queries_total", "kind", kinds,
                                STORE_QUERY_KINDS, "Queries answered, by kind.", m->queries);
    rc |= pw_metrics_add_family(s->metrics, C, "planwatch_store_backups_total", "result", results, 2,
                                "Backups (planwatch backup), by result.", backups);
    m->backups_ok = backups[0];
    m->backups_failed = backups[1];
    pw_metrics_on_scrape(s->metrics, store_metrics_scrape, s);
    return rc ? PW_ENOMEM : 0;
}

void store_metrics_batch(struct store *s, const struct store_put *puts, size_t n, double seconds)
{
    uint64_t stored = 0, dup = 0, full = 0, disk = 0, refused = 0;
    for (size_t i = 0; i < n; i++) {
        if (puts[i].result == 0)
            stored++;
        else if (puts[i].result == 1)
            dup++;
        else if (puts[i].result == PW_EMAPFULL)
            full++;
        else if (puts[i].result == PW_EDISKFULL)
            disk++;
        else
            refused++;
    }
    pw_metric_inc(s->m.stored, stored);
    pw_metric_inc(s->m.duplicate, dup);
    pw_metric_inc(s->m.map_full, full);
    pw_metric_inc(s->m.disk_full_updates, disk);
    pw_metric_inc(s->m.refused, refused);
    pw_metric_set(s->m.commit_updates, (double)n);
    if (seconds >= 0) {
        pw_metric_inc(s->m.commits, 1);
        pw_metric_observe(s->m.commit_seconds, seconds);
    }
}
