/* bench_proc.c - starting and stopping the real services for benchmarks,
 * and reading their memory: like the integration harness, without a test
 * framework. Readiness is a Ping answered "ready" (store, ingest) or an
 * alert heartbeat that says ready. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "client.h"
#include "err.h"
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
    if (!strcmp(name, "planwatch"))
        snprintf(b, 600, "%s/cli/planwatch", bench_self_dir);
    else
        snprintf(b, 600, "%s/services/%s/planwatch-%s", bench_self_dir, name, name);
    return b;
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

static int bench_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}

int bench_cluster_init(struct bench_cluster *c, const char *dir, const char *name)
{
    char cmd[1200];
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", c->dir, c->dir);
    if (system(cmd) != 0)
        return -1;
    for (int i = 0; i < 6; i++) {
        int p, dup;
        do {
            p = bench_free_port();
            dup = p == 0;
            for (int j = 0; j < i; j++)
                dup |= c->port[j] == p;
        } while (dup);
        c->port[i] = p;
    }
    snprintf(c->ep_ingest, sizeof c->ep_ingest, "tcp://127.0.0.1:%d", c->port[0]);
    snprintf(c->ep_store, sizeof c->ep_store, "tcp://127.0.0.1:%d", c->port[3]);
    snprintf(c->ep_alerts, sizeof c->ep_alerts, "tcp://127.0.0.1:%d", c->port[5]);
    c->ctx = zmq_ctx_new();
    return c->ctx ? 0 : -1;
}

static pid_t bench_spawn(struct bench_cluster *c, const char *name, char **args)
{
    char log[700];
    snprintf(log, sizeof log, "%s/%s.log", c->dir, name);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(args[0], args);
        _exit(127);
    }
    return pid;
}

static int bench_ping_ready(struct bench_cluster *c, const char *ep)
{
    struct pw_client *cl = NULL;
    int ok = pw_client_open(c->ctx, ep, &cl) == 0 && pw_client_ping(cl, 300, 1, NULL);
    pw_client_close(&cl);
    return ok;
}

static int bench_alert_ready(struct bench_cluster *c, int ms)
{
    void *sub = NULL;
    int ok = 0;
    if (pw_zsock_new(c->ctx, ZMQ_SUB, 0, &sub))
        return 0;
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "hb.alert", 8);
    pw_zsock_connect(sub, c->ep_alerts);
    double end = bench_now() + ms / 1000.0;
    while (!ok && bench_now() < end) {
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 200) <= 0)
            continue;
        struct pw_frames fr;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        if (pw_zsock_recv_msg(sub, &fr, ZMQ_DONTWAIT, &t, &m) == 0) {
            ok = ((Planwatch__V1__Heartbeat *)m)->ready;
            protobuf_c_message_free_unpacked(m, NULL);
        }
        pw_frames_close(&fr);
    }
    pw_zsock_close(&sub);
    return ok;
}

/* Appends one formatted argument. */
static void bench_arg(char (*a)[600], char **argv, int *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void bench_arg(char (*a)[600], char **argv, int *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a[*n], sizeof a[*n], fmt, ap);
    va_end(ap);
    argv[*n] = a[*n];
    argv[++*n] = NULL;
}

static const char *bench_clock;

/* The store's command line (start and restart alike). */
static void bench_store_args(struct bench_cluster *c, char (*a)[600], char **argv, int *n)
{
    bench_arg(a, argv, n, "%s", bench_bin("store"));
    bench_arg(a, argv, n, "--data-dir=%s/store", c->dir);
    bench_arg(a, argv, n, "--listen=tcp://127.0.0.1:%d", c->port[3]);
    bench_arg(a, argv, n, "--publish=tcp://127.0.0.1:%d", c->port[4]);
    bench_arg(a, argv, n, "--updates=tcp://127.0.0.1:%d", c->port[1]);
    bench_arg(a, argv, n, "--ack-to=tcp://127.0.0.1:%d", c->port[2]);
    bench_arg(a, argv, n, "--log-level=warn");
    bench_arg(a, argv, n, "--map-mb=1024");
    if (bench_clock)
        bench_arg(a, argv, n, "--clock=%s", bench_clock);
}

int bench_cluster_start(struct bench_cluster *c, int with_alert, const char *clock)
{
    bench_clock = clock;
    char a[12][600];
    char *argv[16];
    int n = 0;
    bench_store_args(c, a, argv, &n);
    c->svc[0] = (struct bench_svc){"store", bench_spawn(c, "store", argv)};
    n = 0;
    bench_arg(a, argv, &n, "%s", bench_bin("ingest"));
    bench_arg(a, argv, &n, "--listen=tcp://127.0.0.1:%d", c->port[0]);
    bench_arg(a, argv, &n, "--publish=tcp://127.0.0.1:%d", c->port[1]);
    bench_arg(a, argv, &n, "--acks=tcp://127.0.0.1:%d", c->port[2]);
    bench_arg(a, argv, &n, "--log-level=warn");
    if (clock)
        bench_arg(a, argv, &n, "--clock=%s", clock);
    c->svc[1] = (struct bench_svc){"ingest", bench_spawn(c, "ingest", argv)};
    if (with_alert) {
        n = 0;
        bench_arg(a, argv, &n, "%s", bench_bin("alert"));
        bench_arg(a, argv, &n, "--store=tcp://127.0.0.1:%d", c->port[3]);
        bench_arg(a, argv, &n, "--updates=tcp://127.0.0.1:%d", c->port[4]);
        bench_arg(a, argv, &n, "--publish=tcp://127.0.0.1:%d", c->port[5]);
        bench_arg(a, argv, &n, "--log-level=warn");
        bench_arg(a, argv, &n, "--query-timeout-ms=30000");
        if (clock)
            bench_arg(a, argv, &n, "--clock=%s", clock);
        c->svc[2] = (struct bench_svc){"alert", bench_spawn(c, "alert", argv)};
    }
    double end = bench_now() + 60;
    while (!bench_ping_ready(c, c->ep_store) || !bench_ping_ready(c, c->ep_ingest))
        if (bench_now() > end)
            return -1;
    if (with_alert && !bench_alert_ready(c, 60000))
        return -1;
    return 0;
}

void bench_cluster_stop(struct bench_cluster *c)
{
    for (int i = 2; i >= 0; i--) {
        if (c->svc[i].pid <= 0)
            continue;
        kill(c->svc[i].pid, SIGTERM);
        int fd = (int)syscall(SYS_pidfd_open, c->svc[i].pid, 0), st;
        if (fd >= 0) {
            struct pollfd p = {fd, POLLIN, 0};
            poll(&p, 1, 10000);
            close(fd);
        }
        waitpid(c->svc[i].pid, &st, 0);
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
    kill(c->svc[0].pid, SIGTERM);
    int st;
    waitpid(c->svc[0].pid, &st, 0);
    char a[12][600];
    char *argv[16];
    int n = 0;
    bench_store_args(c, a, argv, &n);
    double t0 = bench_now();
    c->svc[0].pid = bench_spawn(c, "store", argv);
    while (!bench_ping_ready(c, c->ep_store))
        if (bench_now() > t0 + 300)
            return -1;
    return bench_now() - t0;
}
