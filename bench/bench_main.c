/* bench_main.c - `planwatch-bench [all|ingest|latency|alert|eval|query]
 * [--dir DIR] [--quick]`: the performance figures of planwatch on this
 * machine, each beside the raw limit of its building blocks measured in the
 * same run, as a Markdown table (README "Performance"); `planwatch-bench
 * instr`: the instructions per durable update of each service and of the
 * raw pipeline, counted by callgrind. Run by hand from a release build;
 * never by the test suite. */
#include <glob.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert_state.h"
#include "arena.h"
#include "bench.h"
#include "bench_raw.h"
#include "catalog.h"
#include "client.h"
#include "dec.h"
#include "envelope.h"
#include "err.h"
#include "fy.h"
#include "history.h"
#include "zsock.h"

static const char *bench_dir = "bench-data";
static int quick;

/* ---- offices ----------------------------------------------------------- */

/* Indicators a bench office may write for FY2025 (window holds it, not %). */
static size_t bench_indicators(const char **ids, size_t max)
{
    struct pw_catalog *cat = NULL;
    static char store[256][PW_ID_MAX + 1];
    size_t n = 0;
    if (pw_catalog_load_default(&cat, NULL))
        return 0;
    for (size_t i = 0; i < pw_catalog_count(cat) && n < max && n < 256; i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        int first, last;
        pw_indicator_fy_range(ind, &first, &last);
        if (first <= 2025 && last >= 2025 && !ind->percent) {
            snprintf(store[n], sizeof store[n], "%s", ind->id);
            ids[n] = store[n];
            n++;
        }
    }
    pw_catalog_close(&cat);
    return n;
}

struct office {
    struct bench_cluster *c;
    int id, batch;
    double until;
    long max_rows, max_batches; /* max_batches 0: no limit */
    const char **ids;
    size_t nids;
    _Atomic long *rows_done;
    long accepted, requests;
    int failed;
    char tag[32];
};

static void *office_run(void *arg)
{
    struct office *o = arg;
    struct pw_client *cl = NULL;
    Planwatch__V1__IndicatorUpdate *u = calloc((size_t)o->batch, sizeof *u);
    Planwatch__V1__IndicatorUpdate **p = calloc((size_t)o->batch, sizeof *p);
    char (*uid)[48] = calloc((size_t)o->batch, sizeof *uid);
    struct pw_arena *arena = NULL;
    ProtobufCAllocator alloc;
    if (!u || !p || !uid || pw_arena_open(&arena) ||
        pw_client_open(o->c->ctx, o->c->ep_ingest, &cl)) {
        o->failed = 1;
        goto done;
    }
    pw_envelope_arena_allocator(&alloc, arena);
    for (int i = 0; i < o->batch; i++) {
        planwatch__v1__indicator_update__init(&u[i]);
        u[i].update_id = uid[i];
        u[i].fiscal_year = 2025;
        u[i].basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
        u[i].row = i + 2;
        p[i] = &u[i];
    }
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    b.batch_id = o->tag;
    b.office = o->tag;
    b.source = "bench";
    b.rows = p;
    b.n_rows = (size_t)o->batch;
    unsigned seed = (unsigned)o->id * 7919u + 1;
    long seqno = 0;
    while (bench_now() < o->until && atomic_load(o->rows_done) < o->max_rows &&
           (o->max_batches == 0 || o->requests < o->max_batches)) {
        for (int i = 0; i < o->batch; i++) {
            bench_uuid(uid[i], o->tag, (uint64_t)seqno++);
            u[i].indicator_id = (char *)o->ids[(size_t)rand_r(&seed) % o->nids];
            u[i].value_micros = PW_DEC(rand_r(&seed) % 1000);
        }
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        /* the reply (a result per row) is decoded into an arena, as an
         * office's client would: the bench's own cost stays small */
        pw_arena_reset(arena);
        if (pw_client_call_with(cl, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, 30000, &t,
                                &m, &alloc)) {
            o->failed = 1;
            break;
        }
        o->requests++;
        if (t == PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY) {
            Planwatch__V1__FeedReply *r = (Planwatch__V1__FeedReply *)m;
            o->accepted += r->accepted;
            atomic_fetch_add(o->rows_done, (long)r->accepted);
            if (r->accepted != (uint32_t)o->batch && !o->failed) {
                fprintf(stderr, "bench: %u of %d rows accepted (rejected %u, unavailable %u)\n",
                        r->accepted, o->batch, r->rejected, r->unavailable);
                o->failed = 1;
            }
        }
    }
done:
    pw_arena_close(&arena);
    pw_client_close(&cl);
    free(u);
    free(p);
    free(uid);
    return NULL;
}

static long office_batches; /* batches per office, 0: no limit */
static long offices_accepted; /* rows accepted in the last bench_offices */

/* Runs `clients` offices sending batches of `batch` rows, closed loop, for
 * `secs` seconds or until max_rows are accepted (or each office has sent
 * office_batches). Returns accepted rows/s. */
static double bench_offices(struct bench_cluster *c, int clients, int batch, double secs,
                            long max_rows, const char *run)
{
    const char *ids[256];
    size_t nids = bench_indicators(ids, 256);
    struct office o[64];
    pthread_t th[64];
    _Atomic long done = 0;
    double t0 = bench_now();
    for (int k = 0; k < clients; k++) {
        o[k] = (struct office){.c = c, .id = k, .batch = batch, .until = t0 + secs,
                               .max_rows = max_rows, .max_batches = office_batches, .ids = ids, .nids = nids, .rows_done = &done};
        snprintf(o[k].tag, sizeof o[k].tag, "%s-%d", run, k);
        pthread_create(&th[k], NULL, office_run, &o[k]);
    }
    long total = 0;
    int failed = 0;
    for (int k = 0; k < clients; k++) {
        pthread_join(th[k], NULL);
        total += o[k].accepted;
        failed |= o[k].failed;
    }
    double el = bench_now() - t0;
    offices_accepted = total;
    if (failed)
        fprintf(stderr, "bench: an office saw failures (run %s)\n", run);
    return (double)total / el;
}

/* ---- scenarios --------------------------------------------------------- */

static double peak_single; /* single-row requests/s at best concurrency */

static void scen_ingest_once(void);
static int ingest_batch_only; /* ingest --batch B: only that batch size */
static int ingest_repeat = 1;  /* ingest --repeat N: raw and planwatch N times */
/* updates through the raw pipeline: about as long as one planwatch
 * measurement (4 s), so that both see the same stretch of a shared machine */
static long raw_rows = 2000000;

static void scen_ingest(void)
{
    for (int r = 0; r < ingest_repeat; r++)
        scen_ingest_once();
}

static void scen_ingest_once(void)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/raw-pipeline", bench_dir);
    long rawn = quick ? 100000 : raw_rows;
    double raw = bench_raw_pipeline(dir, rawn, 1000);
    struct bench_cluster c;
    if (bench_cluster_init(&c, bench_dir, "ingest") || bench_cluster_start(&c, 0, NULL)) {
        fprintf(stderr, "bench: cluster did not start\n");
        return;
    }
    static const int batches[] = {1, 100, 1000}, clients[] = {1, 4, 16};
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < 3; k++) {
            if (ingest_batch_only && batches[b] != ingest_batch_only)
                continue;
            char name[96], run[32];
            snprintf(run, sizeof run, "i%d-%d", batches[b], clients[k]);
            double secs = quick ? 2 : 4;
            double r = bench_offices(&c, clients[k], batches[b], secs, 2000000, run);
            if (batches[b] == 1 && r > peak_single)
                peak_single = r;
            snprintf(name, sizeof name, "durable ingest, batch %d, %d office%s", batches[b],
                     clients[k], clients[k] > 1 ? "s" : "");
            int target = batches[b] == 1000;
            bench_row(name, r, raw, "updates/s", target ? ">= 50% of raw" : "",
                      target ? raw > 0 && r >= raw * 0.5 : -1);
        }
    bench_cluster_stop(&c);
}

/* Open-loop single-row requests at `rate`/s for `secs`: latencies in ms. */
static size_t bench_paced(struct bench_cluster *c, double rate, double secs, double *lat,
                          size_t max)
{
    void *d = NULL;
    const char *ids[256];
    size_t nids = bench_indicators(ids, 256), sent = 0, got = 0;
    if (pw_zsock_new(c->ctx, ZMQ_DEALER, 100000, &d) || pw_zsock_connect(d, c->ep_ingest))
        return 0;
    double *t_sent = calloc(max, sizeof *t_sent);
    double t0 = bench_now();
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT, *p = &u;
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    char uid[48], bid[24];
    u.update_id = uid;
    u.fiscal_year = 2025;
    u.basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    u.row = 2;
    b.batch_id = bid;
    b.office = "paced";
    b.rows = &p;
    b.n_rows = 1;
    unsigned seed = 42;
    while (t_sent && (got < sent || sent == 0 || bench_now() < t0 + secs) && bench_now() < t0 + secs + 10) {
        double now = bench_now();
        if (sent < max && now < t0 + secs && now >= t0 + (double)sent / rate) {
            bench_uuid(uid, "paced", sent);
            snprintf(bid, sizeof bid, "%zu", sent);
            u.indicator_id = (char *)ids[(size_t)rand_r(&seed) % nids];
            u.value_micros = PW_DEC(rand_r(&seed) % 1000);
            t_sent[sent] = bench_now();
            if (pw_zsock_send(d, NULL, 0, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, 0) == 0)
                sent++;
            continue;
        }
        double next = t0 + (double)sent / rate;
        long wait = now < t0 + secs ? (long)((next - now) * 1000) : 100;
        zmq_pollitem_t it = {d, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, wait < 0 ? 0 : wait);
        while (1) {
            struct pw_frames fr;
            Planwatch__V1__MsgType t;
            ProtobufCMessage *m = NULL;
            if (pw_zsock_recv_msg(d, &fr, ZMQ_DONTWAIT, &t, &m)) {
                pw_frames_close(&fr);
                break;
            }
            if (t == PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY) {
                size_t i = (size_t)atol(((Planwatch__V1__FeedReply *)m)->batch_id);
                if (i < sent)
                    lat[got++] = (bench_now() - t_sent[i]) * 1000;
            }
            protobuf_c_message_free_unpacked(m, NULL);
            pw_frames_close(&fr);
        }
    }
    free(t_sent);
    pw_zsock_close(&d);
    return got;
}

static void scen_latency(void)
{
    double r50, r99, r999;
    bench_raw_rtt(quick ? 20000 : 50000, &r50, &r99, &r999);
    struct bench_cluster c;
    if (bench_cluster_init(&c, bench_dir, "latency") || bench_cluster_start(&c, 0, NULL))
        return;
    if (peak_single <= 0) /* not measured in this run: measure it now */
        for (int k = 1; k <= 16; k *= 4) {
            char run[16];
            snprintf(run, sizeof run, "peak%d", k); /* fresh ids per run */
            double r = bench_offices(&c, k, 1, 2, 1000000, run);
            if (r > peak_single)
                peak_single = r;
        }
    double rate = peak_single * 0.10, secs = quick ? 5 : 10;
    size_t max = (size_t)(rate * secs) + 100;
    double *lat = calloc(max, sizeof *lat);
    size_t n = bench_paced(&c, rate, secs, lat, max);
    bench_sort(lat, n);
    char name[96];
    snprintf(name, sizeof name, "office ack latency p50 at %.0f/s (10%% of peak)", rate);
    bench_row(name, bench_pct(lat, n, 50), r50 / 1000, "ms", "", -1);
    snprintf(name, sizeof name, "office ack latency p99 at %.0f/s", rate);
    bench_row(name, bench_pct(lat, n, 99), r99 / 1000, "ms", "< 5 ms", bench_pct(lat, n, 99) < 5);
    snprintf(name, sizeof name, "office ack latency p99.9 at %.0f/s", rate);
    bench_row(name, bench_pct(lat, n, 99.9), r999 / 1000, "ms", "", -1);
    free(lat);
    bench_cluster_stop(&c);
}

static void scen_alert(void)
{
    char dir[600];
    double r50, r99, r999;
    snprintf(dir, sizeof dir, "%s/raw-commit", bench_dir);
    double commit = bench_raw_commit(dir, 2000);
    bench_raw_rtt(20000, &r50, &r99, &r999);
    struct bench_cluster c;
    if (bench_cluster_init(&c, bench_dir, "alert") || bench_cluster_start(&c, 1, "2026-03-31"))
        return;
    void *sub = NULL;
    struct pw_client *cl = NULL;
    pw_zsock_new(c.ctx, ZMQ_SUB, 0, &sub);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "alert.p3.all.p3-out11", 21);
    pw_zsock_connect(sub, c.ep_alerts);
    pw_client_open(c.ctx, c.ep_ingest, &cl);
    int n = quick ? 100 : 300;
    double *lat = calloc((size_t)n, sizeof *lat);
    int got = 0;
    /* 379 is on track for "360 per year", 100 is behind: each update flips it */
    for (int i = 0; i < n + 5; i++) {
        Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT, *p = &u;
        char uid[48];
        snprintf(uid, sizeof uid, "flip-%d-%d", (int)getpid(), i);
        u.update_id = uid;
        u.indicator_id = "p3-out11-core-hospital-trials";
        u.fiscal_year = 2025;
        u.value_micros = PW_DEC(i % 2 ? 379 : 100);
        u.row = 2;
        Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
        b.batch_id = uid;
        b.office = "flip";
        b.rows = &p;
        b.n_rows = 1;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        double t0 = bench_now();
        if (pw_client_call(cl, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, 10000, &t, &m))
            break;
        protobuf_c_message_free_unpacked(m, NULL);
        /* wait for the alert this update causes */
        for (;;) {
            zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
            if (zmq_poll(&it, 1, 5000) <= 0)
                break;
            struct pw_frames fr;
            Planwatch__V1__MsgType at;
            ProtobufCMessage *am = NULL;
            int rc = pw_zsock_recv_msg(sub, &fr, ZMQ_DONTWAIT, &at, &am);
            pw_frames_close(&fr);
            if (rc)
                continue;
            int ours = at == PLANWATCH__V1__MSG_TYPE__MSG_ALERT &&
                       ((Planwatch__V1__Alert *)am)->status ==
                           (i % 2 ? PLANWATCH__V1__STATUS__STATUS_ON_TRACK
                                  : PLANWATCH__V1__STATUS__STATUS_BEHIND);
            protobuf_c_message_free_unpacked(am, NULL);
            if (ours) {
                if (i >= 5) /* warm-up first */
                    lat[got++] = (bench_now() - t0) * 1000;
                break;
            }
        }
    }
    bench_sort(lat, (size_t)got);
    double floor_ms = (2 * r50 + commit) / 1000;
    bench_row("update -> alert published p50 (office send to SUB receive)", bench_pct(lat, (size_t)got, 50),
              floor_ms, "ms", "", -1);
    bench_row("update -> alert published p99", bench_pct(lat, (size_t)got, 99), floor_ms, "ms",
              "< 10 ms", bench_pct(lat, (size_t)got, 99) < 10);
    free(lat);
    pw_client_close(&cl);
    pw_zsock_close(&sub);
    bench_cluster_stop(&c);
}

/* A synthetic catalog of n indicators of mixed target types, 5 FYs each. */
static char *eval_catalog(size_t n, size_t *len)
{
    static const char *targets[] = {
        "{type: cumulative, value: 650}",
        "{type: annual, value: 360}",
        "{type: level, value: 70, baseline: 30, window: [2025, 2028]}",
        "{type: rolling_average, value: 250, years: 3}",
        "{type: trajectory, window: [2025, 2029], milestones: {2025: 0, 2026: 3, 2027: 6, 2028: 10, 2029: 12}}",
        "{type: none}"};
    size_t cap = 256 + n * 200, k = 0;
    char *y = malloc(cap);
    if (!y)
        return NULL;
    k += (size_t)snprintf(y + k, cap - k,
                          "version: 1\nplans:\n  - {id: p, name: bench, start_fy: 2025, end_fy: 2029}\nindicators:\n");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(y + k, cap - k,
                              "  - {id: i%zu, plan: p, name: n, kind: output, unit: x, reporting: "
                              "annual, source: s, target: %s}\n",
                              i, targets[i % 6]);
    *len = k;
    return y;
}

static void scen_eval(void)
{
    static const size_t sizes[] = {1000, 10000, 100000};
    int32_t day = pw_day_from_ymd(2030, 3, 31);
    for (int s = 0; s < 3; s++) {
        size_t len, n = sizes[s];
        char *y = eval_catalog(n, &len);
        const char *names[] = {"bench.yaml"}, *bufs[] = {y};
        struct pw_catalog *cat = NULL;
        struct alert_state *st = NULL;
        if (!y || pw_catalog_load_buffers(&cat, names, bufs, &len, 1, NULL) ||
            alert_state_open(&st, cat)) {
            fprintf(stderr, "bench: synthetic catalog did not load\n");
            free(y);
            return;
        }
        /* 5 fiscal years of history per indicator, as the store would send */
        uint64_t seq = 0;
        for (int fy = 2025; fy <= 2029; fy++)
            for (size_t i = 0; i < n; i++) {
                Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
                char id[16];
                snprintf(id, sizeof id, "i%zu", i);
                u.indicator_id = id;
                u.update_id = id;
                u.fiscal_year = fy;
                u.value_micros = PW_DEC((int64_t)(i % 400));
                u.basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
                u.seq = ++seq;
                enum pw_seq_verdict v;
                size_t idx;
                alert_state_apply(st, &u, &v, &idx);
            }
        struct alert_state_list tl = {0};
        alert_state_eval_all(st, day, &tl); /* first pass records the state */
        alert_state_list_clear(&tl);
        int reps = n >= 100000 ? 5 : 20;
        double *t = calloc((size_t)reps, sizeof *t);
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            alert_state_eval_all(st, day + r % 2, &tl);
            t[r] = (bench_now() - t0) * 1000;
            alert_state_list_clear(&tl);
        }
        bench_sort(t, (size_t)reps);
        char name[96];
        snprintf(name, sizeof name, "alert full re-evaluation, %zu indicators x 5 FYs", n);
        bench_row(name, bench_pct(t, (size_t)reps, 50), 0, "ms",
                  n == 100000 ? "< 100 ms" : "", n == 100000 ? bench_pct(t, (size_t)reps, 50) < 100 : -1);
        free(t);
        alert_state_list_free(&tl);
        alert_state_close(&st);
        pw_catalog_close(&cat);
        free(y);
    }
}

static void scen_query(void)
{
    double r50, r99, r999;
    bench_raw_rtt(20000, &r50, &r99, &r999);
    struct bench_cluster c;
    if (bench_cluster_init(&c, bench_dir, "query") || bench_cluster_start(&c, 1, NULL))
        return;
    long target = quick ? 200000 : 1000000;
    double t0 = bench_now();
    double rate = bench_offices(&c, 4, 1000, 600, target, "load");
    fprintf(stderr, "bench: loaded %ld updates in %.1f s (%.0f/s)\n", target, bench_now() - t0, rate);
    /* the queries and the heaps are measured once the alert service has
     * applied every update, not while it catches up (its queue would count
     * in its heap and its work would slow the store's answers) */
    double t1 = bench_now();
    const struct ts_alert_want want = {(uint64_t)offices_accepted, 0, NULL};
    if (ts_cluster_alert_wait(c.ctx, c.ep_alerts, NULL, NULL, &want, NULL, 600000) < 0)
        fprintf(stderr, "bench: the alert service did not report every update applied\n");
    bench_row("alert service caught up after the last ack", bench_now() - t1, 0, "s", "", -1);
    struct pw_client *cl = NULL;
    pw_client_open(c.ctx, c.ep_store, &cl);
    static const Planwatch__V1__QueryKind kinds[] = {PLANWATCH__V1__QUERY_KIND__QUERY_STATUS,
                                                     PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY};
    static const char *names[] = {"status snapshot", "history of one indicator"};
    for (int k = 0; k < 2; k++) {
        int n = k == 0 ? 50 : 100;
        double *v = calloc((size_t)n, sizeof *v);
        for (int i = 0; i < n; i++) {
            Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
            Planwatch__V1__QueryReply *r = NULL;
            q.kind = kinds[k];
            q.indicator_id = "p3-out11-core-hospital-trials";
            double q0 = bench_now();
            if (pw_client_query(cl, &q, 60000, &r) == 0)
                planwatch__v1__query_reply__free_unpacked(r, NULL);
            v[i] = (bench_now() - q0) * 1000;
        }
        bench_sort(v, (size_t)n);
        char name[96];
        snprintf(name, sizeof name, "store query p50, %s, %ld updates", names[k], target);
        bench_row(name, bench_pct(v, (size_t)n, 50), r50 / 1000, "ms", "", -1);
        snprintf(name, sizeof name, "store query p99, %s", names[k]);
        bench_row(name, bench_pct(v, (size_t)n, 99), r99 / 1000, "ms", "", -1);
        free(v);
    }
    pw_client_close(&cl);
    for (int s = 0; s < 3; s++) {
        char name[96];
        long anon, file;
        bench_rss_kb(c.svc[s].pid, &anon, &file);
        snprintf(name, sizeof name, "%s heap (RssAnon) at %ld updates", c.svc[s].name, target);
        bench_row(name, (double)anon / 1024, 0, "MiB", "", -1);
        snprintf(name, sizeof name, "%s heap per stored update", c.svc[s].name);
        bench_row(name, (double)anon * 1024 / (double)target, 0, "B/update", "", -1);
        if (s == 0) {
            snprintf(name, sizeof name, "store mapped LMDB pages resident (RssFile)");
            bench_row(name, (double)file / 1024, 0, "MiB", "", -1);
        }
    }
    char sdir[700];
    snprintf(sdir, sizeof sdir, "%s/store", c.dir);
    long long bytes = bench_dir_bytes(sdir);
    bench_row("LMDB file size", (double)bytes / 1048576, 0, "MiB", "", -1);
    bench_row("LMDB bytes per stored update", (double)bytes / (double)target, 0, "B/update", "", -1);
    /* the indexes are rebuilt from the log at start: the cost of growth */
    char name[96];
    snprintf(name, sizeof name, "store restart to ready at %ld updates", target);
    bench_row(name, bench_cluster_restart(&c, 0), 0, "s", "", -1);
    bench_cluster_stop(&c);
}

/* ---- instructions per durable update (callgrind) ----------------------- */

static long instr_rows = 20000;
static int instr_batch = 1000, instr_offices = 4, instr_top = 10;

/* Sum of the totals of the callgrind out files matching pattern, or -1. */
static double instr_sum(const char *pattern, int *nfiles)
{
    glob_t g;
    double sum = 0;
    *nfiles = 0;
    if (glob(pattern, 0, NULL, &g))
        return -1;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        double t = bench_cg_total(g.gl_pathv[i]);
        if (t < 0) {
            sum = -1;
            break;
        }
        sum += t;
        (*nfiles)++;
    }
    globfree(&g);
    return sum;
}

/* Starts store, ingest and alert under callgrind writing into outdir,
 * feeds `rows` updates (0: none) from instr_offices offices, waits until
 * every row is acknowledged (durable) and the alert service has applied it,
 * and stops the services with SIGTERM (callgrind writes its counts as they
 * exit). Returns 0 or -1. */
static int instr_cluster(const char *outdir, const char *name, long rows)
{
    char cmd[1400];
    struct bench_cluster c;
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", outdir);
    if (system(cmd) != 0)
        return -1;
    bench_cluster_callgrind(outdir);
    int rc = bench_cluster_init(&c, bench_dir, name) || bench_cluster_start(&c, 1, NULL);
    bench_cluster_callgrind(NULL);
    if (rc) {
        fprintf(stderr, "bench: cluster did not start under callgrind (logs in %s/%s)\n",
                bench_dir, name);
        bench_cluster_stop(&c);
        return -1;
    }
    long acked = 0, w = 0;
    double t0 = bench_now();
    if (rows > 0) {
        office_batches = rows / ((long)instr_batch * instr_offices);
        bench_offices(&c, instr_offices, instr_batch, 3600, rows, name);
        office_batches = 0;
        acked = offices_accepted;
        const struct ts_alert_want want = {(uint64_t)acked, 0, NULL};
        w = ts_cluster_alert_wait(c.ctx, c.ep_alerts, NULL, NULL, &want, NULL, 600000);
        fprintf(stderr, "bench: %ld updates acknowledged in %.0f s under callgrind%s\n", acked,
                bench_now() - t0, w < 0 ? "; the alert service did not report them applied" : "");
    }
    bench_cluster_stop(&c);
    return acked == rows && w >= 0 ? 0 : -1;
}

/* Instructions per durable update, counted by callgrind: the raw pipeline,
 * then store, ingest and alert twice, idle (started, ready, stopped) and
 * through `rows` updates; a process's cost per update is the difference
 * over rows. Only each service's reactor and ZeroMQ's threads are counted:
 * not its start (catalog, LMDB open) nor what main does after the reactor;
 * the idle run takes out the rest of the start (the alert service's first
 * sync and sweep) and the stop. */
static int scen_instr(void)
{
    char out[600], cmd[2400], self[512], pat[700], load[700], idle[700];
    ssize_t sn = readlink("/proc/self/exe", self, sizeof self - 1);
    self[sn > 0 ? sn : 0] = '\0';
    long per_office = instr_rows / ((long)instr_batch * instr_offices);
    long rows = per_office * instr_batch * instr_offices;
    if (per_office < 1) {
        fprintf(stderr, "bench: --rows must be at least --batch x --offices\n");
        return 1;
    }
    if (system("test -x /usr/bin/valgrind && command -v callgrind_annotate >/dev/null")) {
        fprintf(stderr, "bench: instr needs valgrind and callgrind_annotate (Debian: valgrind)\n");
        return 1;
    }
    snprintf(out, sizeof out, "%s/instr", bench_dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", out, out);
    if (system(cmd) != 0)
        return 1;
    /* the raw pipeline: the sender and the sink (a fork) each write a file */
    fprintf(stderr, "bench: raw pipeline under callgrind (%ld updates)\n", rows);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/valgrind --tool=callgrind --callgrind-out-file='%s/callgrind.raw.%%p.out' '%s' "
             "raw-pipeline --rows %ld --batch %d --dir '%s' >'%s/raw.log' 2>&1",
             out, self, rows, instr_batch, out, out);
    int nraw = 0;
    double raw = system(cmd) == 0 ? 0 : -1;
    snprintf(pat, sizeof pat, "%s/callgrind.raw.*.out", out);
    if (raw == 0)
        raw = instr_sum(pat, &nraw);
    if (raw < 0 || nraw != 2) {
        fprintf(stderr, "bench: the raw pipeline under callgrind failed (see %s/raw.log)\n", out);
        raw = -1;
    }

    snprintf(idle, sizeof idle, "%s/idle", out);
    snprintf(load, sizeof load, "%s/load", out);
    fprintf(stderr, "bench: store, ingest and alert under callgrind, idle\n");
    if (instr_cluster(idle, "instr-idle", 0))
        return 1;
    fprintf(stderr, "bench: store, ingest and alert under callgrind, %ld updates\n", rows);
    if (instr_cluster(load, "instr-load", rows))
        return 1;

    double ir[TS_NSVC], sum = 0;
    char file[TS_NSVC][800], base[TS_NSVC][800];
    printf("\nInstructions per durable update: %ld updates, batch %d, %d offices "
           "(callgrind, release build)\n\n",
           rows, instr_batch, instr_offices);
    printf("| process | Ir, %ld updates | Ir, idle | Ir/update |\n|---|---:|---:|---:|\n", rows);
    for (int s = 0; s < TS_NSVC; s++) {
        const char *nm = ts_cluster_name((enum ts_svc)s);
        snprintf(file[s], sizeof file[s], "%s/callgrind.%s.out", load, nm);
        snprintf(base[s], sizeof base[s], "%s/callgrind.%s.out", idle, nm);
        double l = bench_cg_total(file[s]), b = bench_cg_total(base[s]);
        if (l < 0 || b < 0) {
            fprintf(stderr, "bench: no callgrind totals in %s or %s\n", file[s], base[s]);
            return 1;
        }
        ir[s] = l - b;
        sum += ir[s];
        printf("| %s | %.0f | %.0f | %.0f |\n", nm, l, b, ir[s] / (double)rows);
    }
    printf("| planwatch (store + ingest + alert) | | | %.0f |\n", sum / (double)rows);
    if (raw > 0) {
        printf("| raw pipeline (sender + sink, whole run) | %.0f | | %.0f |\n", raw,
               raw / (double)rows);
        printf("| ratio planwatch / raw | | | %.1f |\n", sum / raw);
    }
    for (int s = 0; s < TS_NSVC; s++)
        if (bench_cg_report(ts_cluster_name((enum ts_svc)s), file[s], base[s], (double)rows,
                            instr_top))
            fprintf(stderr, "bench: callgrind_annotate failed on %s\n", file[s]);
    printf("\n(callgrind files in %s: callgrind_annotate FILE for more)\n", out);
    return 0;
}

int main(int argc, char **argv)
{
    const char *what = "all";
    /* the services it starts, and its own clients, run without CURVE */
    setenv("PLANWATCH_INSECURE", "1", 1);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            bench_dir = argv[++i];
        else if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--rows") && i + 1 < argc)
            instr_rows = atol(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            instr_batch = ingest_batch_only = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--raw-rows") && i + 1 < argc)
            raw_rows = atol(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            ingest_repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--offices") && i + 1 < argc)
            instr_offices = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--top") && i + 1 < argc)
            instr_top = atoi(argv[++i]);
        else if (argv[i][0] != '-')
            what = argv[i];
        else {
            fprintf(stderr, "usage: planwatch-bench [all|ingest|latency|alert|eval|query] "
                            "[--dir DIR] [--quick]\n"
                            "       planwatch-bench ingest [--batch 1|100|1000] [--repeat N] "
                            "[--raw-rows N]\n"
                            "       planwatch-bench instr [--dir DIR] [--rows N] [--batch B] "
                            "[--offices K] [--top T]\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    if (instr_batch < 1 || instr_offices < 1 || instr_offices > 64 || instr_rows < 1 ||
        ingest_repeat < 1 || raw_rows < 1000) {
        fprintf(stderr, "bench: --rows, --batch and --offices must be positive (offices <= 64)\n");
        return 2;
    }
    if (!strcmp(what, "instr"))
        return scen_instr();
    if (!strcmp(what, "raw-pipeline")) { /* run by `instr` under callgrind */
        char dir[600];
        snprintf(dir, sizeof dir, "%s/raw-lmdb", bench_dir);
        double r = bench_raw_pipeline(dir, instr_rows, instr_batch);
        printf("raw pipeline: %ld updates, %.0f/s\n", instr_rows, r);
        return r > 0 ? 0 : 1;
    }
    printf("| measurement | planwatch | raw limit | ratio | unit | target | |\n");
    printf("|---|---:|---:|---:|---|---|---|\n");
    if (!strcmp(what, "all") || !strcmp(what, "ingest"))
        scen_ingest();
    if (!strcmp(what, "all") || !strcmp(what, "latency"))
        scen_latency();
    if (!strcmp(what, "all") || !strcmp(what, "alert"))
        scen_alert();
    if (!strcmp(what, "all") || !strcmp(what, "eval"))
        scen_eval();
    if (!strcmp(what, "all") || !strcmp(what, "query"))
        scen_query();
    if (!strcmp(what, "load")) { /* for profilers: a steady load, pids first */
        struct bench_cluster c;
        if (bench_cluster_init(&c, bench_dir, "load") || bench_cluster_start(&c, 0, NULL))
            return 1;
        fprintf(stderr, "store %d ingest %d\n", (int)c.svc[0].pid, (int)c.svc[1].pid);
        double r = bench_offices(&c, 4, 1000, quick ? 10 : 30, 100000000, "load");
        bench_row("durable ingest under a profiler, batch 1000, 4 offices", r, 0, "updates/s", "", -1);
        bench_cluster_stop(&c);
    }
    return 0;
}
