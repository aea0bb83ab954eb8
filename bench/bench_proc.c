/* bench_proc.c - starting and stopping the real services for benchmarks,
 * and reading their memory, over tests/support (ts_proc, ts_cluster) as
 * the integration harness does, without a test framework. */
#define _GNU_SOURCE
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "ts_cluster.h"
#include "ts_proc.h"
#include "zsock.h"

static char bench_self_dir[512];

const char *bench_bin(const char *name)
{
    static char buf[4][600];
    static int k;
    char *b = buf[k++ % 4];
    if (!bench_self_dir[0]) {
        ssize_t n = readlink("/proc/self/exe", bench_self_dir, sizeof bench_self_dir - 1);
        bench_self_dir[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(bench_self_dir, '/');
        if (slash)
            *slash = '\0'; /* .../build/bench */
        slash = strrchr(bench_self_dir, '/');
        if (slash)
            *slash = '\0'; /* .../build */
    }
    return ts_cluster_bin(b, sizeof buf[0], bench_self_dir, name);
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp);
}

double bench_pct(const double *s, size_t n, double p)
{
    if (n == 0)
        return NAN;
    size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return s[i < n ? i : n - 1];
}

void bench_uuid(char out[40], const char *tag, uint64_t n)
{
    uint64_t h = UINT64_C(14695981039346656037), g;
    for (const char *c = tag; *c; c++)
        h = (h ^ (unsigned char)*c) * UINT64_C(1099511628211);
    h ^= n;
    /* splitmix64 twice: two well-mixed 64-bit halves */
    h += UINT64_C(0x9e3779b97f4a7c15);
    g = h;
    g = (g ^ (g >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    g = (g ^ (g >> 27)) * UINT64_C(0x94d049bb133111eb);
    g ^= g >> 31;
    h += UINT64_C(0x9e3779b97f4a7c15);
    h = (h ^ (h >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    h = (h ^ (h >> 27)) * UINT64_C(0x94d049bb133111eb);
    h ^= h >> 31;
    snprintf(out, 40, "%08x-%04x-5%03x-8%03x-%012llx", (unsigned)(g >> 32),
             (unsigned)(g >> 16) & 0xffffu, (unsigned)g & 0xfffu, (unsigned)(h >> 52),
             (unsigned long long)(h & UINT64_C(0xffffffffffff)));
}

void bench_row(const char *name, double pw, double raw, const char *unit, const char *target,
               int met)
{
    char r[32] = "", ratio[32] = "";
    if (raw > 0) {
        snprintf(r, sizeof r, "%.4g", raw);
        snprintf(ratio, sizeof ratio, "%.2f", pw / raw);
    }
    printf("| %-52s | %12.4g | %12s | %7s | %-10s | %-22s | %s |\n", name, pw, r, ratio, unit,
           target, met < 0 ? "" : met ? "met" : "MISSED");
    if (met >= 0 && raw <= 0 && strstr(target, "raw"))
        printf("(the raw limit was not measured: the comparison above is void)\n");
    fflush(stdout);
}

int bench_cluster_init(struct bench_cluster *c, const char *dir, const char *name)
{
    char cmd[1200];
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", c->dir, c->dir);
    if (system(cmd) != 0 || ts_cluster_ports(c->port, c->ep_ingest, c->ep_store, c->ep_alerts))
        return -1;
    c->ctx = zmq_ctx_new();
    return c->ctx ? 0 : -1;
}

/* Starts service s of the cluster with a's command line. */
static void bench_spawn(struct bench_cluster *c, enum ts_svc s, const struct ts_proc_argv *a)
{
    char log[700];
    snprintf(log, sizeof log, "%s/%s.log", c->dir, ts_cluster_name(s));
    c->svc[s] = (struct bench_svc){ts_cluster_name(s), ts_proc_spawn(a->argv, log)};
}

static int bench_ping_ready(struct bench_cluster *c, const char *ep)
{
    return ts_cluster_ping(c->ctx, ep, NULL, NULL, 1);
}

/* How long a service may take to stop after SIGTERM before it is killed: a
 * store with a large map takes its time, the bench waits for it. */
#define BENCH_STOP_MS 300000

static const char *bench_clock;
static char bench_cg_dir[512]; /* services run under callgrind, out files here */

void bench_cluster_callgrind(const char *outdir)
{
    snprintf(bench_cg_dir, sizeof bench_cg_dir, "%s", outdir ? outdir : "");
}

/* Service s's command line: the cluster's wiring, then the bench's flags
 * (the same at start and restart). */
static int bench_args(struct bench_cluster *c, enum ts_svc s, struct ts_proc_argv *a)
{
    int rc = 0;
    ts_proc_argv_init(a);
    if (bench_cg_dir[0]) {
        rc |= ts_proc_arg(a, "/usr/bin/valgrind");
        rc |= ts_proc_arg(a, "--tool=callgrind");
        rc |= ts_proc_arg(a, "--callgrind-out-file=%s/callgrind.%s.out", bench_cg_dir,
                          ts_cluster_name(s));
        /* count the service's reactor and ZeroMQ's I/O threads, not its
         * start (catalog, LMDB open) nor what main does after the reactor */
        rc |= ts_proc_arg(a, "--collect-atstart=no");
        rc |= ts_proc_arg(a, "--toggle-collect=pw_reactor_run");
        rc |= ts_proc_arg(a, "--toggle-collect=start_thread");
    }
    rc |= ts_proc_arg(a, "%s", bench_bin(ts_cluster_name(s)));
    rc |= ts_cluster_args(a, s, c->port, c->dir);
    rc |= ts_proc_arg(a, "--log-level=warn");
    if (s == TS_STORE)
        rc |= ts_proc_arg(a, "--map-mb=1024");
    if (s == TS_ALERT)
        rc |= ts_proc_arg(a, "--query-timeout-ms=30000");
    if (bench_clock)
        rc |= ts_proc_arg(a, "--clock=%s", bench_clock);
    if (bench_cg_dir[0] && s == TS_INGEST) {
        /* 50 times slower under callgrind: no row may time out or be
         * republished because of that (work a normal run does not do) */
        rc |= ts_proc_arg(a, "--ack-timeout-ms=600000");
        rc |= ts_proc_arg(a, "--store-timeout-ms=600000");
        rc |= ts_proc_arg(a, "--retransmit-ms=60000");
    }
    if (bench_cg_dir[0] && s == TS_ALERT) /* no timed sweep during the count */
        rc |= ts_proc_arg(a, "--interval-ms=86400000");
    return rc;
}

int bench_cluster_start(struct bench_cluster *c, int with_alert, const char *clock)
{
    struct ts_proc_argv a;
    bench_clock = clock;
    for (int s = TS_STORE; s <= (with_alert ? TS_ALERT : TS_INGEST); s++) {
        if (bench_args(c, (enum ts_svc)s, &a))
            return -1;
        bench_spawn(c, (enum ts_svc)s, &a);
    }
    /* a service under callgrind runs some 50 times slower */
    int wait_s = bench_cg_dir[0] ? 600 : 60;
    double end = bench_now() + wait_s;
    while (!bench_ping_ready(c, c->ep_store) || !bench_ping_ready(c, c->ep_ingest))
        if (bench_now() > end)
            return -1;
    const struct ts_alert_want ready = {0, 0, NULL};
    if (with_alert && ts_cluster_alert_wait(c->ctx, c->ep_alerts, NULL, NULL, &ready, NULL,
                                            wait_s * 1000) < 0)
        return -1;
    return 0;
}

void bench_cluster_stop(struct bench_cluster *c)
{
    for (int i = TS_NSVC - 1; i >= 0; i--) {
        if (c->svc[i].pid <= 0)
            continue;
        ts_proc_stop(c->svc[i].pid, SIGTERM, BENCH_STOP_MS);
        c->svc[i].pid = 0;
    }
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    c->ctx = NULL;
}

void bench_rss_kb(pid_t pid, long *anon_kb, long *file_kb)
{
    char path[64], line[256];
    *anon_kb = *file_kb = 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "RssAnon: %ld kB", anon_kb);
        sscanf(line, "RssFile: %ld kB", file_kb);
    }
    fclose(f);
}

long long bench_dir_bytes(const char *dir)
{
    char cmd[700], out[64] = "";
    snprintf(cmd, sizeof cmd, "du -sb '%s' 2>/dev/null", dir);
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    if (!fgets(out, sizeof out, p))
        out[0] = '\0';
    pclose(p);
    return atoll(out);
}

double bench_cluster_restart(struct bench_cluster *c, int svc)
{
    if (svc != 0 || c->svc[0].pid <= 0)
        return -1; /* only the store is restarted by the benchmarks */
    struct ts_proc_argv a;
    ts_proc_stop(c->svc[0].pid, SIGTERM, BENCH_STOP_MS);
    c->svc[0].pid = 0;
    if (bench_args(c, TS_STORE, &a))
        return -1;
    double t0 = bench_now();
    bench_spawn(c, TS_STORE, &a);
    while (!bench_ping_ready(c, c->ep_store))
        if (bench_now() > t0 + 300)
            return -1;
    return bench_now() - t0;
}
