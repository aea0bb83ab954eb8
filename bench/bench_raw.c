/* bench_raw.c - raw building-block limits (see bench_raw.h). */
#include "bench_raw.h"

#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "bench.h"
#include "planwatch.pb-c.h"
#include "ts_proc.h"

static void raw_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

/* The store side of the raw pipeline; writes its elapsed seconds to fd. */
static void raw_sink(const char *dir, long n, int batch, const char *ep, int fd)
{
    void *ctx = zmq_ctx_new(), *pull = zmq_socket(ctx, ZMQ_PULL);
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    int hwm = 100000;
    zmq_setsockopt(pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(pull, ep)) { /* the sender must not wait for nobody */
        if (write(fd, "E", 1) != 1)
            _exit(1);
        _exit(1);
    }
    mkdir(dir, 0755);
    mdb_env_create(&env);
    mdb_env_set_mapsize(env, (size_t)4 << 30);
    if (mdb_env_open(env, dir, 0, 0644))
        _exit(1);
    mdb_txn_begin(env, NULL, 0, &txn);
    mdb_dbi_open(txn, NULL, 0, &dbi);
    mdb_txn_commit(txn);
    double start = 0;
    long got = 0;
    uint64_t seq = 0;
    if (write(fd, "R", 1) != 1) /* bound: the sender may start */
        _exit(1);
    while (got < n) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        zmq_msg_recv(&m, pull, 0);
        if (start == 0)
            start = bench_now();
        mdb_txn_begin(env, NULL, 0, &txn);
        int inbatch = 0;
        for (;;) {
            Planwatch__V1__IndicatorUpdate *u =
                planwatch__v1__indicator_update__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
            if (u) {
                unsigned char kb[8];
                raw_be64(kb, ++seq);
                MDB_val k = {8, kb}, v = {zmq_msg_size(&m), zmq_msg_data(&m)};
                mdb_put(txn, dbi, &k, &v, MDB_APPEND);
                planwatch__v1__indicator_update__free_unpacked(u, NULL);
            }
            zmq_msg_close(&m);
            got++;
            if (++inbatch >= batch || got >= n)
                break;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, pull, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&m);
                break;
            }
        }
        mdb_txn_commit(txn);
    }
    double secs = bench_now() - start;
    if (write(fd, &secs, sizeof secs) != sizeof secs)
        _exit(1);
    mdb_env_close(env);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    _exit(0);
}

double bench_raw_pipeline(const char *dir, long n, int batch)
{
    char ep[64], cmd[600];
    int fds[2];
    /* a port held for this process, below the ephemeral range: a port
     * picked otherwise may be taken, and then the sender waits forever */
    int port = ts_proc_free_port();
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (port == 0 || system(cmd) != 0 || pipe(fds))
        return 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        raw_sink(dir, n, batch, ep, fds[1]);
    }
    close(fds[1]);
    char ready;
    if (read(fds[0], &ready, 1) != 1 || ready != 'R') {
        fprintf(stderr, "bench: the raw pipeline's sink could not bind %s\n", ep);
        close(fds[0]);
        waitpid(pid, NULL, 0);
        return 0;
    }
    void *ctx = zmq_ctx_new(), *push = zmq_socket(ctx, ZMQ_PUSH);
    int hwm = 100000;
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_connect(push, ep);
    /* the same shape of message planwatch carries */
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    char uid[40], ind[32];
    uint8_t buf[512];
    u.update_id = uid;
    u.indicator_id = ind;
    u.fiscal_year = 2025;
    u.basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    u.office = "bench";
    for (long i = 0; i < n; i++) {
        bench_uuid(uid, "raw", (uint64_t)i);
        snprintf(ind, sizeof ind, "p3-bench-%04ld", i % 159);
        u.value_micros = i * 1000000;
        u.received_ns = (int64_t)i;
        size_t len = planwatch__v1__indicator_update__pack(&u, buf);
        zmq_send(push, buf, len, 0);
    }
    double secs = 0;
    if (read(fds[0], &secs, sizeof secs) != sizeof secs)
        secs = 0;
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    zmq_close(push);
    zmq_ctx_term(ctx);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
    return secs > 0 ? (double)n / secs : 0;
}

int bench_raw_rtt(long n, double *p50, double *p99, double *p999)
{
    char ep[64], ready;
    int fds[2], port = ts_proc_free_port(); /* see bench_raw_pipeline */
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    if (port == 0 || pipe(fds))
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        void *ctx = zmq_ctx_new(), *rep = zmq_socket(ctx, ZMQ_REP);
        char b[128];
        close(fds[0]);
        int bound = zmq_bind(rep, ep) == 0;
        if (write(fds[1], bound ? "R" : "E", 1) != 1 || !bound)
            _exit(1);
        close(fds[1]);
        for (long i = 0; i < n + 1000; i++) {
            int r = zmq_recv(rep, b, sizeof b, 0);
            zmq_send(rep, b, r > 0 ? (size_t)r : 0, 0);
        }
        zmq_close(rep);
        zmq_ctx_term(ctx);
        _exit(0);
    }
    close(fds[1]);
    if (read(fds[0], &ready, 1) != 1 || ready != 'R') {
        fprintf(stderr, "bench: the round-trip server could not bind %s\n", ep);
        close(fds[0]);
        waitpid(pid, NULL, 0);
        *p50 = *p99 = *p999 = 0;
        return -1;
    }
    close(fds[0]);
    void *ctx = zmq_ctx_new(), *req = zmq_socket(ctx, ZMQ_REQ);
    char b[128];
    memset(b, 'x', 100);
    zmq_connect(req, ep);
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return -1;
    for (long i = 0; i < n + 1000; i++) {
        double t0 = bench_now();
        zmq_send(req, b, 100, 0);
        zmq_recv(req, b, sizeof b, 0);
        if (i >= 1000) /* warm-up first */
            v[i - 1000] = (bench_now() - t0) * 1e6;
    }
    bench_sort(v, (size_t)n);
    *p50 = bench_pct(v, (size_t)n, 50);
    *p99 = bench_pct(v, (size_t)n, 99);
    *p999 = bench_pct(v, (size_t)n, 99.9);
    free(v);
    int st;
    waitpid(pid, &st, 0);
    zmq_close(req);
    zmq_ctx_term(ctx);
    return 0;
}

double bench_raw_commit(const char *dir, long n)
{
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return 0;
    mdb_env_create(&env);
    mdb_env_set_mapsize(env, (size_t)256 << 20);
    if (mdb_env_open(env, dir, 0, 0644))
        return 0;
    mdb_txn_begin(env, NULL, 0, &txn);
    mdb_dbi_open(txn, NULL, 0, &dbi);
    mdb_txn_commit(txn);
    double *v = malloc((size_t)n * sizeof *v);
    char val[100] = {0};
    for (long i = 0; v && i < n; i++) {
        unsigned char kb[8];
        raw_be64(kb, (uint64_t)i + 1);
        MDB_val k = {8, kb}, d = {sizeof val, val};
        double t0 = bench_now();
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_put(txn, dbi, &k, &d, MDB_APPEND);
        mdb_txn_commit(txn);
        v[i] = (bench_now() - t0) * 1e6;
    }
    double p50 = 0;
    if (v) {
        bench_sort(v, (size_t)n);
        p50 = bench_pct(v, (size_t)n, 50);
    }
    free(v);
    mdb_env_close(env);
    return p50;
}
