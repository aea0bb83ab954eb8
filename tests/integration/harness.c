/* harness.c - integration test support (see harness.h): the cmocka side of
 * tests/support (ts_proc: processes and ports; ts_cluster: the wiring and
 * the readiness probes), which it turns into assertions, plus what only the
 * tests need (keys and registry, the CLI, queries, the webhook receiver). */
#define _GNU_SOURCE
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "keys.h"
#include "zsock.h"

static const char *hs_name(int s)
{
    return ts_cluster_name((enum ts_svc)s);
}

/* Services of clusters whose test has not reached hs_fini (a failed
 * assertion jumps past it): at exit each one still there is killed and the
 * tail of its log printed, so a failure leaves no process behind and loses
 * none of its story. (Not at the next hs_init: a test may run a second
 * cluster beside its group's.) One slot per (cluster dir, service): a
 * restart reuses it. */
#define HS_LIVE_MAX 64
static struct hs_live {
    char dir[256];
    char name[16];
    pid_t pid;
} hs_live[HS_LIVE_MAX];

static void hs_live_note(struct hs_cluster *c, const char *name, pid_t pid)
{
    struct hs_live *free_slot = NULL;
    for (int i = 0; i < HS_LIVE_MAX; i++) {
        struct hs_live *l = &hs_live[i];
        if (l->pid && !strcmp(l->dir, c->dir) && !strcmp(l->name, name)) {
            l->pid = pid;
            return;
        }
        if (!l->pid && !free_slot)
            free_slot = l;
    }
    if (!free_slot)
        return; /* only the clean-up after a failure is lost */
    snprintf(free_slot->dir, sizeof free_slot->dir, "%s", c->dir);
    snprintf(free_slot->name, sizeof free_slot->name, "%s", name);
    free_slot->pid = pid;
}

static void hs_live_forget(const char *dir)
{
    for (int i = 0; i < HS_LIVE_MAX; i++)
        if (hs_live[i].pid && !strcmp(hs_live[i].dir, dir))
            hs_live[i].pid = 0;
}

static void hs_live_reap(void)
{
    for (int i = 0; i < HS_LIVE_MAX; i++) {
        struct hs_live *l = &hs_live[i];
        if (!l->pid)
            continue;
        int st;
        pid_t w = waitpid(l->pid, &st, WNOHANG);
        if (w == 0) { /* still running */
            kill(l->pid, SIGKILL);
            waitpid(l->pid, &st, 0);
        }
        if (w >= 0) {
            char cmd[400];
            fprintf(stderr, "[harness] %s (pid %d) of %s outlived its test (it failed before "
                    "hs_fini): killed; the end of its log:\n", l->name, (int)l->pid, l->dir);
            fflush(stderr);
            snprintf(cmd, sizeof cmd, "tail -n 25 %s/%s.log 2>/dev/null | sed 's/^/[%s] /' >&2",
                     l->dir, l->name, l->name);
            if (system(cmd) != 0)
                fprintf(stderr, "[harness] no log\n");
        }
        l->pid = 0;
    }
}

/* zmq_ctx_term waits for every socket of the context to be closed: a test
 * that failed with a client still open would hang its teardown, and its
 * failure message (cmocka prints it when the test returns) would be lost.
 * So the term runs in a thread; if it has not returned within 10 s the
 * context is left behind, still reachable from here (no leak report). */
static void *hs_abandoned[16];

struct hs_term {
    void *ctx;
    int done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void *hs_term_thread(void *arg)
{
    struct hs_term *t = arg;
    zmq_ctx_term(t->ctx);
    pthread_mutex_lock(&t->mu);
    t->done = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static int hs_ctx_term(void *ctx)
{
    static struct hs_term t[16];
    static int used;
    if (used >= 16) /* out of slots: leave it */
        return -1;
    struct hs_term *x = &t[used++];
    pthread_t th;
    x->ctx = ctx;
    x->done = 0;
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    zmq_ctx_shutdown(ctx); /* a blocked call in the test returns ETERM */
    if (pthread_create(&th, NULL, hs_term_thread, x) != 0)
        return -1;
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += 10;
    pthread_mutex_lock(&x->mu);
    while (!x->done && pthread_cond_timedwait(&x->cv, &x->mu, &end) == 0)
        ;
    int done = x->done;
    pthread_mutex_unlock(&x->mu);
    if (done) {
        pthread_join(th, NULL);
        used--;
        pthread_cond_destroy(&x->cv);
        pthread_mutex_destroy(&x->mu);
        return 0;
    }
    pthread_detach(th);
    hs_abandoned[used - 1] = ctx;
    return -1;
}

const char *hs_bin(const char *name)
{
    static char buf[4][512];
    static int k;
    return ts_cluster_bin(buf[k++ % 4], sizeof buf[0], PW_BINARY_DIR, name);
}

const char *hs_src(const char *rel)
{
    static char buf[4][512];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 512, "%s/%s", PW_SOURCE_DIR, rel);
    return b;
}

int hs_free_port(void)
{
    int port = ts_proc_free_port();
    assert_true(port > 0);
    return port;
}

void hs_init(struct hs_cluster *c, const char *name, const char *clock)
{
    static int once;
    if (!once) {
        once = 1;
        /* a test killed by its timeout still shows every line it printed */
        setvbuf(stdout, NULL, _IOLBF, 0);
        atexit(hs_live_reap);
    }
    memset(c, 0, sizeof *c);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(c->dir, sizeof c->dir, "%s/pw-%s-XXXXXX", tmp, name);
    assert_non_null(mkdtemp(c->dir));
    assert_int_equal(ts_cluster_ports(c->port, c->ep_ingest, c->ep_store, c->ep_alerts), 0);
    if (clock) {
        snprintf(c->clock_spec, sizeof c->clock_spec, "file:%s/clock", c->dir);
        hs_set_clock(c, clock);
    }
    c->ctx = zmq_ctx_new();
    assert_non_null(c->ctx);
    /* insecure until hs_secure: also for CLIs a test spawns itself */
    setenv("PLANWATCH_INSECURE", "1", 1);
}

/* Opens DIR/rel's temporary twin; hs_commit renames it into place, so a
 * reader never sees half a file. */
static FILE *hs_open_tmp(struct hs_cluster *c, const char *rel, char *path, size_t n)
{
    char tmp[330];
    snprintf(path, n, "%s/%s", c->dir, rel);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    return f;
}

static void hs_commit(FILE *f, const char *path)
{
    char tmp[330];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, path), 0);
}

void hs_set_clock(struct hs_cluster *c, const char *day)
{
    char path[300];
    FILE *f = hs_open_tmp(c, "clock", path, sizeof path);
    fprintf(f, "%s\n", day);
    hs_commit(f, path);
}

/* Service s's command line: the wiring, then the test's pace and security. */
static void hs_args(struct hs_cluster *c, enum hs_svc s, struct ts_proc_argv *a)
{
    int rc = 0;
    ts_proc_argv_init(a);
    rc |= ts_proc_arg(a, "%s", hs_bin(hs_name(s)));
    rc |= ts_cluster_args(a, (enum ts_svc)s, c->port, c->dir);
    rc |= ts_proc_arg(a, "--heartbeat-ms=200");
    if (s == HS_INGEST)
        rc |= ts_proc_arg(a, "--store-timeout-ms=1500");
    if (s == HS_ALERT)
        rc |= ts_proc_arg(a, "--interval-ms=200");
    if (c->clock_spec[0])
        rc |= ts_proc_arg(a, "--clock=%s", c->clock_spec);
    if (!c->secure) {
        rc |= ts_proc_arg(a, "--insecure");
    } else {
        rc |= ts_proc_arg(a, "--secret-key=%s", hs_key_path(c, hs_name(s), 1));
        rc |= ts_proc_arg(a, "--registry=%s/keys/registry.yaml", c->dir);
        if (s == HS_STORE)
            rc |= ts_proc_arg(a, "--ingest-key=%s", hs_key_path(c, "ingest", 0));
        if (s == HS_ALERT)
            rc |= ts_proc_arg(a, "--store-key=%s", hs_key_path(c, "store", 0));
    }
    for (int i = 0; i < 8 && c->extra[s][i]; i++)
        rc |= ts_proc_arg(a, "%s", c->extra[s][i]);
    assert_int_equal(rc, 0);
}

/* Starts a.argv with stdout and stderr appended to DIR/<name>.log and env
 * (NULL-terminated NAME=VALUE, may be NULL) added to its environment. */
static pid_t hs_exec(struct hs_cluster *c, const struct ts_proc_argv *a, const char *name,
                     char *const *env)
{
    char log[300];
    snprintf(log, sizeof log, "%s/%s.log", c->dir, name);
    pid_t pid = ts_proc_spawn_env(a->argv, env, log);
    assert_true(pid >= 0);
    hs_live_note(c, name, pid);
    return pid;
}

void hs_spawn(struct hs_cluster *c, enum hs_svc s)
{
    struct ts_proc_argv a;
    char *env[7];
    size_t n = 0;
    hs_args(c, s, &a);
    for (size_t i = 0; i < 6; i++)
        if (c->env[s][i][0])
            env[n++] = c->env[s][i];
    env[n] = NULL;
    c->pid[s] = hs_exec(c, &a, hs_name(s), env);
}

void hs_shim(struct hs_cluster *c, enum hs_svc s, const char *enospc, const char *log,
             const char *mark)
{
    memset(c->env[s], 0, sizeof c->env[s]);
    snprintf(c->env[s][0], sizeof c->env[s][0], "LD_PRELOAD=%s", PW_SHIM_PATH);
    snprintf(c->env[s][1], sizeof c->env[s][1], "%s",
             "ASAN_OPTIONS=detect_leaks=1:exitcode=23:verify_asan_link_order=0");
    snprintf(c->env[s][2], sizeof c->env[s][2], "PW_SHIM_ENOSPC=%s", enospc ? enospc : "");
    snprintf(c->env[s][3], sizeof c->env[s][3], "PW_SHIM_LOG=%s", log ? log : "");
    snprintf(c->env[s][4], sizeof c->env[s][4], "PW_SHIM_MARK=%s", mark ? mark : "");
}

/* Status code of GET path on the HTTP service, or -1 (no answer). A plain
 * HTTP/1.0 exchange over a socket: the harness needs no HTTP library. */
static int hs_http_get_status(struct hs_cluster *c, const char *path)
{
    struct sockaddr_in a;
    char buf[512];
    int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)c->http_port);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        int n = snprintf(buf, sizeof buf, "GET %s HTTP/1.0\r\n\r\n", path);
        struct pollfd p = {fd, POLLIN, 0};
        if (write(fd, buf, (size_t)n) == n && poll(&p, 1, 2000) == 1) {
            ssize_t r = read(fd, buf, sizeof buf - 1);
            if (r > 12) {
                buf[r] = '\0';
                if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
                    status = -1;
            }
        }
    }
    close(fd);
    return status;
}

void hs_start_http(struct hs_cluster *c)
{
    struct ts_proc_argv a;
    int rc = 0;
    if (!c->http_port) {
        c->http_port = hs_free_port();
        snprintf(c->http_url, sizeof c->http_url, "http://127.0.0.1:%d", c->http_port);
    }
    ts_proc_argv_init(&a);
    rc |= ts_proc_arg(&a, "%s", hs_bin("http"));
    rc |= ts_proc_arg(&a, "--listen=127.0.0.1:%d", c->http_port);
    rc |= ts_proc_arg(&a, "--ingest=%s", c->ep_ingest);
    rc |= ts_proc_arg(&a, "--store=%s", c->ep_store);
    if (c->clock_spec[0])
        rc |= ts_proc_arg(&a, "--clock=%s", c->clock_spec);
    for (int i = 0; i < 8 && c->http_extra[i]; i++)
        rc |= ts_proc_arg(&a, "%s", c->http_extra[i]);
    assert_int_equal(rc, 0);
    c->http_pid = hs_exec(c, &a, "http", NULL);
    int64_t end = pw_now_ms() + 20000;
    while (pw_now_ms() < end) {
        int st;
        if (waitpid(c->http_pid, &st, WNOHANG) != 0)
            break;
        if (hs_http_get_status(c, "/api/v1/health") == 200)
            return;
        struct pollfd none;
        poll(&none, 0, 50); /* paced polling of a readiness probe, not a sync */
    }
    hs_dump_logs(c);
    fail_msg("planwatch-http did not become ready within 20 s");
}

int hs_stop_http(struct hs_cluster *c)
{
    if (c->http_pid <= 0)
        return -1;
    int rc = ts_proc_stop(c->http_pid, SIGTERM, 5000);
    c->http_pid = 0;
    return rc;
}

const char *hs_key_path(struct hs_cluster *c, const char *name, int secret)
{
    static char buf[4][400];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 400, "%s/keys/%s.key%s", c->dir, name, secret ? "_secret" : "");
    return b;
}

const char *hs_pub(struct hs_cluster *c, const char *name)
{
    static char buf[4][PW_KEY_Z85_LEN + 1];
    static int k;
    char *b = buf[k++ % 4];
    struct pw_diag d;
    if (pw_keys_load_public(hs_key_path(c, name, 0), b, &d))
        fail_msg("no key for %s: %s", name, d.msg);
    return b;
}

void hs_registry(struct hs_cluster *c, const char *offices_yaml)
{
    char path[300];
    FILE *f = hs_open_tmp(c, "keys/registry.yaml", path, sizeof path);
    fprintf(f, "version: 1\nservices:\n");
    for (int s = 0; s < HS_NSVC; s++)
        fprintf(f, "  - {id: %s, key: \"%s\"}\n", hs_name(s), hs_pub(c, hs_name(s)));
    /* the HTTP door's service key, when the test made one (hs_secure names "http") */
    if (access(hs_key_path(c, "http", 0), F_OK) == 0)
        fprintf(f, "  - {id: http, key: \"%s\"}\n", hs_pub(c, "http"));
    fprintf(f, "offices:\n  - {id: harness, key: \"%s\", read: true, subscribe: true}\n%s",
            hs_pub(c, "harness"), offices_yaml ? offices_yaml : "");
    hs_commit(f, path);
}

/* Runs `planwatch keygen name --dir DIR/keys`. */
static void hs_keygen(struct hs_cluster *c, const char *name)
{
    char dir[300], *out = NULL, *err = NULL;
    snprintf(dir, sizeof dir, "%s/keys", c->dir);
    const char *args[] = {"keygen", name, "--dir", dir, NULL};
    int rc = hs_cli(c, &out, &err, args);
    if (rc != 0 || strlen(out) != PW_KEY_Z85_LEN + 1)
        fail_msg("planwatch keygen %s: exit %d: %s", name, rc, err);
    free(out);
    free(err);
}

void hs_secure(struct hs_cluster *c, const char *const *names)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/keys", c->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    for (int s = 0; s < HS_NSVC; s++)
        hs_keygen(c, hs_name(s));
    hs_keygen(c, "harness");
    for (size_t i = 0; names && names[i]; i++)
        hs_keygen(c, names[i]);
    hs_registry(c, NULL);
    c->secure = 1;
    unsetenv("PLANWATCH_INSECURE");
}

/* as's key pair in *kp when the cluster is secure (returns kp), else NULL:
 * the `self` of pw_client_open_curve and the ts_cluster probes. */
static const struct pw_keypair *hs_self(struct hs_cluster *c, const char *as,
                                        struct pw_keypair *kp)
{
    struct pw_diag d;
    if (!c->secure)
        return NULL;
    if (pw_keys_load_secret(hs_key_path(c, as, 1), kp, &d))
        fail_msg("no secret key for %s: %s", as, d.msg);
    return kp;
}

/* A client of endpoint ep whose server is service `server`, as `as`. */
static int hs_client_open(struct hs_cluster *c, const char *ep, const char *server,
                          const char *as, struct pw_client **out)
{
    struct pw_keypair kp;
    const struct pw_keypair *self = hs_self(c, as, &kp);
    return pw_client_open_curve(c->ctx, ep, self, self ? hs_pub(c, server) : NULL, out);
}

struct pw_client *hs_client(struct hs_cluster *c, enum hs_svc s, const char *as)
{
    struct pw_client *cl = NULL;
    assert_true(s == HS_STORE || s == HS_INGEST);
    assert_int_equal(hs_client_open(c, s == HS_STORE ? c->ep_store : c->ep_ingest, hs_name(s),
                                    as, &cl),
                     0);
    return cl;
}

/* Ping over a fresh client; 1 when answered (and ready, if required). */
static int hs_ping(struct hs_cluster *c, enum hs_svc s, int need_ready)
{
    struct pw_keypair kp;
    const struct pw_keypair *self = hs_self(c, "harness", &kp);
    return ts_cluster_ping(c->ctx, s == HS_STORE ? c->ep_store : c->ep_ingest, self,
                           self ? hs_pub(c, hs_name(s)) : NULL, need_ready);
}

static int hs_alive(struct hs_cluster *c, enum hs_svc s)
{
    int st;
    return c->pid[s] > 0 && waitpid(c->pid[s], &st, WNOHANG) == 0;
}

int hs_wait_ready(struct hs_cluster *c, enum hs_svc s, int deadline_ms)
{
    int64_t end = pw_now_ms() + deadline_ms;
    while (pw_now_ms() < end) {
        if (!hs_alive(c, s))
            return -1;
        if (s == HS_ALERT) {
            if (hs_alert_converged(c, 0, (int)(end - pw_now_ms())) >= 0)
                return 0;
        } else if (hs_ping(c, s, 1)) {
            return 0;
        }
    }
    return -1;
}

void hs_start(struct hs_cluster *c, enum hs_svc s)
{
    hs_spawn(c, s);
    if (hs_wait_ready(c, s, 20000) != 0) {
        hs_dump_logs(c);
        fail_msg("%s did not become ready within 20 s", hs_name(s));
    }
}

int hs_stop(struct hs_cluster *c, enum hs_svc s, int sig)
{
    if (c->pid[s] <= 0)
        return -1;
    /* a clean shutdown is due within 5 s of SIGTERM: later counts as failure */
    int rc = ts_proc_stop(c->pid[s], sig, sig == SIGTERM ? 5000 : 10000);
    c->pid[s] = 0;
    return rc;
}

int hs_wait_exited(struct hs_cluster *c, enum hs_svc s, int deadline_ms)
{
    if (c->pid[s] <= 0)
        return -1;
    int rc = ts_proc_wait_exit(c->pid[s], deadline_ms);
    if (rc >= 0)
        c->pid[s] = 0;
    return rc;
}

char *hs_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_true(n >= 0);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

int hs_log_count(struct hs_cluster *c, const char *svc, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.log", c->dir, svc);
    if (access(path, R_OK) != 0)
        return 0; /* not started yet */
    char *log = hs_read_file(path, NULL);
    int n = 0;
    for (const char *p = log; p && (p = strstr(p, text)); p = strchr(p, '\n'))
        n++; /* lines holding it, as grep -c counts */
    free(log);
    return n;
}

int hs_log_has(struct hs_cluster *c, const char *svc, const char *text)
{
    return hs_log_count(c, svc, text) > 0;
}

int hs_log_wait_count(struct hs_cluster *c, const char *svc, const char *text, int n, int ms)
{
    int64_t end = pw_now_ms() + ms;
    for (;;) {
        if (hs_log_count(c, svc, text) >= n)
            return 1;
        if (pw_now_ms() >= end)
            return 0;
        struct pollfd none;
        poll(&none, 0, 50); /* paced polling of the log, with a deadline */
    }
}

int hs_log_wait(struct hs_cluster *c, const char *svc, const char *text, int ms)
{
    return hs_log_wait_count(c, svc, text, 1, ms);
}

void hs_dump_logs(struct hs_cluster *c)
{
    for (int s = 0; s <= HS_NSVC; s++) {
        char cmd[400];
        const char *name = s < HS_NSVC ? hs_name(s) : "http";
        snprintf(cmd, sizeof cmd, "tail -n 25 %s/%s.log 2>/dev/null | sed 's/^/[%s] /' >&2", c->dir,
                 name, name);
        if (system(cmd) != 0)
            continue;
    }
}

void hs_fini(struct hs_cluster *c)
{
    int bad = 0;
    hs_live_forget(c->dir); /* stopped here, whatever happens below */
    if (c->http_pid > 0 && hs_stop_http(c) != 0) {
        fprintf(stderr, "http did not exit cleanly after SIGTERM\n");
        bad = 1;
    }
    /* alert first, then ingest, then the store: the order of a clean shutdown */
    for (int s = HS_NSVC - 1; s >= 0; s--)
        if (c->pid[s] > 0) {
            int rc = hs_stop(c, (enum hs_svc)s, SIGTERM);
            if (rc != 0) {
                fprintf(stderr, "%s exited with %d after SIGTERM\n", hs_name(s), rc);
                bad = 1;
            }
        }
    if (bad)
        hs_dump_logs(c);
    /* bounded: a test that failed with a client still open must not hang here */
    if (hs_ctx_term(c->ctx) != 0)
        fprintf(stderr, "[harness] teardown: a ZeroMQ socket of the test is still open (it "
                        "failed before closing it?): its context is left behind\n");
    c->ctx = NULL;
    if (!bad && !getenv("PW_KEEP_TMP")) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", c->dir);
    }
    assert_false(bad);
}

/* Reads a pipe to EOF into a malloc'd string. */
static void hs_slurp(int fd, char **out, size_t *len, size_t *cap)
{
    char buf[4096];
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0)
        return;
    if (*len + (size_t)r + 1 > *cap) {
        *cap = (*len + (size_t)r + 1) * 2;
        *out = realloc(*out, *cap);
        assert_non_null(*out);
    }
    memcpy(*out + *len, buf, (size_t)r);
    *len += (size_t)r;
    (*out)[*len] = '\0';
}

/* Waits up to deadline_ms for a CLI the test ran: a hung one is killed and
 * said so (never a test hanging until ctest's timeout swallows its output).
 * Returns its exit status or 128 + signal. */
static int hs_reap_cli(pid_t pid, int deadline_ms)
{
    int rc = ts_proc_wait_exit(pid, deadline_ms);
    if (rc < 0) {
        fprintf(stderr, "[harness] the planwatch CLI (pid %d) was still running after %d ms: "
                        "killed\n", (int)pid, deadline_ms);
        rc = ts_proc_stop(pid, SIGKILL, 5000);
        if (rc < 0)
            rc = 128 + SIGKILL;
    }
    return rc;
}

/* In the child: execs `planwatch args...` with the cluster's endpoints and
 * identity in the environment; never returns. */
/* The CLI's environment, set in the test process before it forks: the child
 * must not allocate (setenv does) between fork and exec, or it can spin on
 * an allocator lock the webhook receiver's thread held at the fork. */
static void hs_cli_env(struct hs_cluster *c)
{
    setenv("PLANWATCH_INGEST", c->ep_ingest, 1);
    setenv("PLANWATCH_STORE", c->ep_store, 1);
    setenv("PLANWATCH_ALERTS", c->ep_alerts, 1);
    setenv("PLANWATCH_OFFICE", "test-office", 1);
    if (c->secure) {
        const char *as = c->cli_as ? c->cli_as : "harness";
        setenv("PLANWATCH_KEY", hs_key_path(c, as, 1), 1);
        setenv("PLANWATCH_INGEST_KEY", hs_key_path(c, "ingest", 0), 1);
        setenv("PLANWATCH_STORE_KEY", hs_key_path(c, "store", 0), 1);
        setenv("PLANWATCH_ALERTS_KEY", hs_key_path(c, "alert", 0), 1);
    } else {
        setenv("PLANWATCH_INSECURE", "1", 1);
    }
}

/* In the child: argv built on the stack from bin (resolved before the fork). */
static void hs_cli_exec(const char *bin, const char *const *args)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)bin;
    for (; args[n - 1] && n < 63; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    execv(argv[0], argv);
    _exit(127);
}

int hs_cli_file(struct hs_cluster *c, const char *path, const char *const *args)
{
    fflush(NULL);
    hs_cli_env(c);
    const char *bin = hs_bin("planwatch");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd, 1);
        hs_cli_exec(bin, args);
    }
    close(fd);
    return hs_reap_cli(pid, 120000);
}

int hs_cli(struct hs_cluster *c, char **out, char **err, const char *const *args)
{
    int po[2], pe[2];
    assert_int_equal(pipe(po), 0);
    assert_int_equal(pipe(pe), 0);
    fflush(NULL);
    hs_cli_env(c);
    const char *bin = hs_bin("planwatch");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        hs_cli_exec(bin, args);
    }
    close(po[1]);
    close(pe[1]);
    size_t ol = 0, oc = 1, el = 0, ec = 1;
    *out = calloc(1, 1);
    *err = calloc(1, 1);
    struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(p, 2, 60000) <= 0)
            break;
        for (int i = 0; i < 2; i++)
            if (p[i].revents) {
                size_t before = i ? el : ol;
                hs_slurp(p[i].fd, i ? err : out, i ? &el : &ol, i ? &ec : &oc);
                if ((i ? el : ol) == before) { /* EOF */
                    close(p[i].fd);
                    p[i].fd = -1;
                    open_fds--;
                }
            }
    }
    for (int i = 0; i < 2; i++)
        if (p[i].fd >= 0)
            close(p[i].fd);
    return hs_reap_cli(pid, 60000);
}

Planwatch__V1__QueryReply *hs_query(struct hs_cluster *c, struct pw_client *cl,
                                    Planwatch__V1__Query *q)
{
    (void)c;
    Planwatch__V1__QueryReply *r = NULL;
    int rc = pw_client_query(cl, q, 10000, &r);
    if (rc)
        fail_msg("query kind %d failed: %s", (int)q->kind, pw_errname(rc));
    return r;
}

Planwatch__V1__FeedReply *hs_feed_rows(struct pw_client *cl, const char *office,
                                       Planwatch__V1__IndicatorUpdate **rows, size_t n,
                                       int timeout_ms)
{
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    b.batch_id = "test";
    b.office = (char *)office;
    b.source = "test";
    b.rows = rows;
    b.n_rows = n;
    if (pw_client_call(cl, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, timeout_ms, &t, &m))
        return NULL;
    if (t != PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY) {
        protobuf_c_message_free_unpacked(m, NULL);
        return NULL;
    }
    return (Planwatch__V1__FeedReply *)m;
}

long hs_alert_converged(struct hs_cluster *c, uint64_t seq, int deadline_ms)
{
    return hs_alert_admin(c, seq, 0, deadline_ms);
}

long hs_alert_admin(struct hs_cluster *c, uint64_t seq, uint64_t admin_seq, int deadline_ms)
{
    return hs_alert_evaluated(c, seq, admin_seq, NULL, NULL, deadline_ms);
}

long hs_alert_evaluated(struct hs_cluster *c, uint64_t seq, uint64_t admin_seq, const char *day,
                        uint64_t *alert_seq, int deadline_ms)
{
    struct pw_keypair kp;
    const struct pw_keypair *self = hs_self(c, "harness", &kp);
    const struct ts_alert_want want = {seq, admin_seq, day};
    long resyncs = ts_cluster_alert_wait(c->ctx, c->ep_alerts, self,
                                         self ? hs_pub(c, "alert") : NULL, &want, alert_seq,
                                         deadline_ms);
    assert_true(resyncs >= -1); /* -2: no subscription (socket or key) */
    return resyncs;
}

uint64_t hs_store_seq(struct hs_cluster *c, struct pw_client *st)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SNAPSHOT;
    q.after_seq = UINT64_MAX - 1;
    Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
    uint64_t seq = r->seq;
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return seq;
}

char *hs_cli_want(struct hs_cluster *c, int want, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(c, &out, &err, args);
    if (rc != want) {
        hs_dump_logs(c);
        fail_msg("planwatch %s: exit %d (want %d)\n%s%s", args[0], rc, want, out, err);
    }
    free(err);
    return out;
}

uint64_t hs_admin_seq(struct hs_cluster *c, struct pw_client *st)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS;
    Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
    uint64_t s = r->admin_seq;
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return s;
}

void hs_settle(struct hs_cluster *c, struct pw_client *st, int deadline_ms)
{
    if (hs_alert_admin(c, hs_store_seq(c, st), hs_admin_seq(c, st), deadline_ms) < 0) {
        hs_dump_logs(c);
        fail_msg("the alert service did not catch up");
    }
}

uint64_t hs_subscribe(struct hs_cluster *c, struct pw_client *st, const char *url,
                      const char *const *extra, int deadline_ms)
{
    const char *args[24] = {"subscribe", "--webhook", url};
    size_t n = 3;
    for (size_t i = 0; extra && extra[i]; i++) {
        assert_true(n < sizeof args / sizeof *args - 1);
        args[n++] = extra[i];
    }
    args[n] = NULL;
    char *out = hs_cli_want(c, 0, args);
    unsigned long long id = 0;
    assert_int_equal(sscanf(out, "subscription %llu:", &id), 1);
    free(out);
    hs_settle(c, st, deadline_ms);
    return id;
}

void hs_feed_figure(struct hs_cluster *c, struct pw_client *st, const char *ind,
                    const char *value, int deadline_ms)
{
    static int k;
    char path[300];
    snprintf(path, sizeof path, "%s/feed-%d.csv", c->dir, k++);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "indicator_id,fiscal_year,value,as_of\n%s,2025,%s,2026-03-31\n", ind, value);
    fclose(fp);
    const char *args[] = {"feed", path, NULL};
    free(hs_cli_want(c, 0, args));
    hs_settle(c, st, deadline_ms);
}

void hs_quiet_period(struct hs_cluster *c)
{
    for (int i = 0; i < 3; i++)
        hs_alert_converged(c, 0, 1000);
}

size_t hs_deliveries(struct hs_cluster *c, struct pw_client *st, uint64_t sub,
                     uint64_t alert_seq, size_t *delivered)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERIES;
    q.history = 1;
    Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
    size_t n = 0, ok = 0;
    for (size_t i = 0; i < r->n_deliveries; i++) {
        const Planwatch__V1__Delivery *d = r->deliveries[i];
        if ((sub && d->subscription_id != sub) || (alert_seq && d->alert_seq != alert_seq))
            continue;
        n++;
        ok += d->state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_DELIVERED;
    }
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    if (delivered)
        *delivered = ok;
    return n;
}

void hs_http_expect(struct hs_cluster *c, struct hs_http *h, const char *path, size_t n,
                    int deadline_ms)
{
    if (hs_http_wait(h, path, n, deadline_ms) != 0) {
        hs_dump_logs(c);
        fail_msg("%s: %zu requests, expected %zu", path, hs_http_count(h, path), n);
    }
}

size_t hs_assert_alert_state_fresh(struct hs_cluster *c, struct pw_client *st, const char *day)
{
    Planwatch__V1__Query qa = PLANWATCH__V1__QUERY__INIT, qs = PLANWATCH__V1__QUERY__INIT;
    qa.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_GET;
    qs.kind = PLANWATCH__V1__QUERY_KIND__QUERY_STATUS;
    qs.as_of = (char *)day;
    Planwatch__V1__QueryReply *ra = hs_query(c, st, &qa);
    Planwatch__V1__QueryReply *rs = hs_query(c, st, &qs);
    size_t compared = 0;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const Planwatch__V1__StatusRow *row = rs->rows[i];
        const Planwatch__V1__AlertState *a = NULL;
        for (size_t k = 0; k < ra->n_alert_states; k++)
            if (!strcmp(ra->alert_states[k]->indicator_id, row->indicator_id))
                a = ra->alert_states[k];
        if (!a)
            fail_msg("no alert state for %s (status %d)", row->indicator_id, (int)row->status);
        if (a->status != row->status)
            fail_msg("%s: alert state %d, fresh evaluation %d (%s)", row->indicator_id,
                     (int)a->status, (int)row->status, row->explanation);
        compared++;
    }
    planwatch__v1__query_reply__free_unpacked(ra, NULL);
    planwatch__v1__query_reply__free_unpacked(rs, NULL);
    return compared;
}

char *hs_scrape(int port, const char *path, int *status)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    struct timeval tv = {10, 0};
    char req[300];
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return NULL;
    }
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\n\r\n", path);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return NULL;
    }
    char *out = calloc(1, 1);
    size_t len = 0, cap = 1;
    for (;;) {
        size_t before = len;
        hs_slurp(fd, &out, &len, &cap);
        if (len == before)
            break;
    }
    close(fd);
    char *body = strstr(out, "\r\n\r\n");
    if (!body || sscanf(out, "HTTP/1.%*d %d", status) != 1) {
        free(out);
        return NULL;
    }
    char *copy = strdup(body + 4);
    free(out);
    return copy;
}

double hs_metric(const char *body, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, series, n) && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    fail_msg("metric %s not found in:\n%s", series, body);
    return -1;
}

double hs_scrape_metric(int port, const char *series)
{
    int status = 0;
    char *body = hs_scrape(port, "/metrics", &status);
    assert_non_null(body);
    assert_int_equal(status, 200);
    double v = hs_metric(body, series);
    free(body);
    return v;
}

/* ---- the webhook receiver ---------------------------------------------------- */

#include <pthread.h>

struct hs_http {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int port;
    int lfd;                /* listening socket, -1 while down (thread-owned) */
    int want_up, is_up, quit;
    int status;
    int ctl[2];             /* pipe: wakes the thread */
    struct hs_http_req req[HS_HTTP_MAX];
    size_t n;
};

static int hs_http_listen(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 16)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Copies header `name` (case-insensitive) of the head into out. */
static void hs_http_header(const char *head, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    out[0] = '\0';
    for (const char *p = head; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t k = 0;
            while (v[k] && v[k] != '\r' && v[k] != '\n' && k + 1 < n) {
                out[k] = v[k];
                k++;
            }
            out[k] = '\0';
            return;
        }
    }
}

/* Reads one request from fd (bounded by a 5 s poll per read), records it
 * and answers. */
static void hs_http_serve(struct hs_http *h, int fd)
{
    char *buf = malloc(1 << 20);
    size_t len = 0, need = 0;
    char *body = NULL;
    if (!buf)
        return;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t r = read(fd, buf + len, (1 << 20) - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        if (!body && (body = strstr(buf, "\r\n\r\n"))) {
            char cl[32];
            body += 4;
            hs_http_header(buf, "Content-Length", cl, sizeof cl);
            need = (size_t)(body - buf) + (size_t)strtoul(cl, NULL, 10);
        }
        if (body && len >= need)
            break;
    }
    if (!body || len < need) {
        free(buf);
        return;
    }
    pthread_mutex_lock(&h->mu);
    int status = h->status;
    if (h->n < HS_HTTP_MAX) {
        struct hs_http_req *q = &h->req[h->n];
        memset(q, 0, sizeof *q);
        sscanf(buf, "%*s %127s", q->path);
        hs_http_header(buf, "X-Planwatch-Event", q->event, sizeof q->event);
        hs_http_header(buf, "X-Planwatch-Delivery", q->delivery, sizeof q->delivery);
        hs_http_header(buf, "X-Planwatch-Signature", q->signature, sizeof q->signature);
        hs_http_header(buf, "webhook-id", q->wh_id, sizeof q->wh_id);
        hs_http_header(buf, "webhook-timestamp", q->wh_timestamp, sizeof q->wh_timestamp);
        hs_http_header(buf, "webhook-signature", q->wh_signature, sizeof q->wh_signature);
        hs_http_header(buf, "Content-Type", q->content_type, sizeof q->content_type);
        q->len = need - (size_t)(body - buf);
        q->body = malloc(q->len + 1);
        if (q->body) {
            memcpy(q->body, body, q->len);
            q->body[q->len] = '\0';
        }
        q->answered = status;
        h->n++;
    }
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    char resp[128];
    int rl = snprintf(resp, sizeof resp,
                      "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
    if (write(fd, resp, (size_t)rl) < 0)
        perror("hs_http write");
    free(buf);
}

static void *hs_http_main(void *arg)
{
    struct hs_http *h = arg;
    for (;;) {
        pthread_mutex_lock(&h->mu);
        int quit = h->quit, want = h->want_up;
        pthread_mutex_unlock(&h->mu);
        if (quit)
            break;
        if (want && h->lfd < 0)
            h->lfd = hs_http_listen(h->port);
        if (!want && h->lfd >= 0) {
            close(h->lfd);
            h->lfd = -1;
        }
        pthread_mutex_lock(&h->mu);
        h->is_up = h->lfd >= 0;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        struct pollfd p[2] = {{h->ctl[0], POLLIN, 0}, {h->lfd, POLLIN, 0}};
        if (poll(p, h->lfd >= 0 ? 2 : 1, 1000) <= 0)
            continue;
        if (p[0].revents) {
            char c[16];
            if (read(h->ctl[0], c, sizeof c) < 0)
                perror("hs_http ctl");
        }
        if (h->lfd >= 0 && (p[1].revents & POLLIN)) {
            int fd = accept(h->lfd, NULL, NULL);
            if (fd >= 0) {
                hs_http_serve(h, fd);
                close(fd);
            }
        }
    }
    if (h->lfd >= 0)
        close(h->lfd);
    return NULL;
}

static void hs_http_poke(struct hs_http *h)
{
    if (write(h->ctl[1], "x", 1) < 0)
        perror("hs_http poke");
}

/* Sets want_up and waits until the thread made it so. */
static void hs_http_set_up(struct hs_http *h, int up)
{
    pthread_mutex_lock(&h->mu);
    h->want_up = up;
    pthread_mutex_unlock(&h->mu);
    hs_http_poke(h);
    pthread_mutex_lock(&h->mu);
    while (h->is_up != up)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

struct hs_http *hs_http_start(void)
{
    struct hs_http *h = calloc(1, sizeof *h);
    assert_non_null(h);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->status = 200;
    h->lfd = -1;
    h->port = hs_free_port();
    assert_int_equal(pipe(h->ctl), 0);
    assert_int_equal(pthread_create(&h->thread, NULL, hs_http_main, h), 0);
    hs_http_set_up(h, 1);
    return h;
}

void hs_http_stop(struct hs_http *h)
{
    pthread_mutex_lock(&h->mu);
    h->quit = 1;
    pthread_mutex_unlock(&h->mu);
    hs_http_poke(h);
    pthread_join(h->thread, NULL);
    for (size_t i = 0; i < h->n; i++)
        free(h->req[i].body);
    close(h->ctl[0]);
    close(h->ctl[1]);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}

const char *hs_http_url(struct hs_http *h, const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "http://127.0.0.1:%d%s", h->port, path);
    return buf;
}

void hs_http_status(struct hs_http *h, int status)
{
    pthread_mutex_lock(&h->mu);
    h->status = status;
    pthread_mutex_unlock(&h->mu);
}

void hs_http_down(struct hs_http *h)
{
    hs_http_set_up(h, 0);
}

void hs_http_up(struct hs_http *h)
{
    hs_http_set_up(h, 1);
}

static size_t hs_http_count_locked(struct hs_http *h, const char *path)
{
    size_t k = 0;
    for (size_t i = 0; i < h->n; i++)
        k += !path || strcmp(h->req[i].path, path) == 0;
    return k;
}

size_t hs_http_count(struct hs_http *h, const char *path)
{
    pthread_mutex_lock(&h->mu);
    size_t k = hs_http_count_locked(h, path);
    pthread_mutex_unlock(&h->mu);
    return k;
}

int hs_http_wait(struct hs_http *h, const char *path, size_t n, int deadline_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += deadline_ms / 1000;
    until.tv_nsec += (long)(deadline_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    pthread_mutex_lock(&h->mu);
    while (hs_http_count_locked(h, path) < n && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &until);
    int ok = hs_http_count_locked(h, path) >= n;
    pthread_mutex_unlock(&h->mu);
    return ok ? 0 : -1;
}

struct hs_http_req hs_http_get(struct hs_http *h, const char *path, size_t k)
{
    struct hs_http_req r;
    int found = 0;
    memset(&r, 0, sizeof r);
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->n && !found; i++)
        if (!path || strcmp(h->req[i].path, path) == 0) {
            if (k-- == 0) {
                r = h->req[i];
                r.body = strdup(h->req[i].body ? h->req[i].body : "");
                found = 1;
            }
        }
    pthread_mutex_unlock(&h->mu);
    assert_true(found);
    return r;
}

void hs_http_req_free(struct hs_http_req *r)
{
    free(r->body);
    r->body = NULL;
}
