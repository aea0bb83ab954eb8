/* bench.h - planwatch's benchmarks: shared helpers. Benchmarks are run by
 * hand (`build/bench/planwatch-bench`), never by the test suite; each prints
 * the planwatch figure beside the matching raw limit of its building blocks
 * measured in the same run, and their ratio. */
#ifndef PW_BENCH_H
#define PW_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ts_cluster.h"

/* A service started by the bench. */
struct bench_svc {
    const char *name;   /* "store", "ingest", "alert" */
    pid_t pid;
};

struct bench_cluster {
    char dir[512];      /* data dir (on disk, not tmpfs: fsync is part of the cost) */
    int port[TS_CLUSTER_PORTS];
    char ep_ingest[TS_CLUSTER_EP_LEN], ep_store[TS_CLUSTER_EP_LEN], ep_alerts[TS_CLUSTER_EP_LEN];
    struct bench_svc svc[TS_NSVC]; /* indexed by enum ts_svc */
    void *ctx;
};

/* Creates dir/<name> fresh and picks free ports. */
int bench_cluster_init(struct bench_cluster *c, const char *dir, const char *name);
/* Starts store, ingest and (with_alert) alert; waits until ready. */
int bench_cluster_start(struct bench_cluster *c, int with_alert, const char *clock);
/* From now on, start every service under valgrind's callgrind, each writing
 * outdir/callgrind.<name>.out when it exits (NULL or "": no more). */
void bench_cluster_callgrind(const char *outdir);
/* SIGTERM to every service; waits. */
void bench_cluster_stop(struct bench_cluster *c);

/* Resident memory of a process in KiB (from /proc/PID/status): anonymous
 * (heap) and file-backed (for the store, its memory-mapped LMDB pages). */
void bench_rss_kb(pid_t pid, long *anon_kb, long *file_kb);
/* Restarts one service of the cluster (SIGTERM, start, wait ready);
 * returns the seconds from start to ready, or -1. */
double bench_cluster_restart(struct bench_cluster *c, int svc);
/* Bytes used by files in a directory (du -b). */
long long bench_dir_bytes(const char *dir);

/* Wall-clock seconds (monotonic). */
double bench_now(void);

/* Percentile (0..100) of n sorted doubles. */
double bench_pct(const double *sorted, size_t n, double p);
void bench_sort(double *v, size_t n);

/* One result line: name, planwatch figure, raw figure (0: none), unit,
 * target text ("" for none) and whether it was met (-1: no target). */
void bench_row(const char *name, double pw, double raw, const char *unit, const char *target,
               int met);

/* A UUID-shaped update id, pseudo-random from (tag, n) like the v5 ids the
 * CLI derives: offices' ids scatter over the key space, and so must ours. */
void bench_uuid(char out[40], const char *tag, uint64_t n);

/* Callgrind (instructions, independent of the machine's load). */
/* Total Ir of a callgrind out file, or -1. */
double bench_cg_total(const char *file);
/* Prints, for the process `name` whose out file is `file`, less the costs
 * in `base` (the same process through an idle run; NULL: none), the
 * exclusive Ir per update summed by component (protobuf-c, ZeroMQ, LMDB,
 * malloc, libc, planwatch, other) and the `top` functions by inclusive Ir
 * per update, as Markdown tables (callgrind_annotate). Returns 0 or -1. */
int bench_cg_report(const char *name, const char *file, const char *base, double updates,
                    int top);

/* Path of a built binary (services, CLI) relative to the bench binary. */
const char *bench_bin(const char *name);

#endif
