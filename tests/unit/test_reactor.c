/* test_reactor.c - the services' event loop: timers fire in due order (ties
 * in registration order), periodic timers repeat, fds and inproc sockets
 * call back when ready, hooks prepare and dispatch every turn, callbacks
 * remove sources (themselves or others) mid-turn, the stop flag and
 * pw_reactor_stop end the run with 0, a signal's EINTR is retried, and the
 * error policy: a closed fd (PW_EIO), a dead socket (PW_EZMQ) and a
 * callback's error end the run with that code. Readiness is made, never
 * waited for with sleeps: a pipe written before the run, a PAIR that sent. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "reactor.h"
#include "zsock.h"

struct rec {
    int order[16];
    int n;
    int stop_after; /* pw_reactor_stop once n reaches it (0: never) */
    int last_id;
    short last_revents;
};

static int rec_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    struct rec *c = arg;
    if (c->n < 16)
        c->order[c->n] = id;
    c->n++;
    c->last_id = id;
    c->last_revents = revents;
    if (c->stop_after && c->n >= c->stop_after)
        pw_reactor_stop(r);
    return 0;
}

static int stop_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)id;
    (void)revents;
    (void)arg;
    pw_reactor_stop(r);
    return 0;
}

static void test_timers_in_order(void **state)
{
    (void)state;
    struct pw_reactor *r = NULL;
    struct rec c = {0};
    int a, b, t0, t1, s;
    assert_int_equal(pw_reactor_open(&r), 0);
    /* registered late-first: they must still fire earliest-first */
    assert_int_equal(pw_reactor_timer(r, 30, 0, rec_cb, &c, &a), 0);
    assert_int_equal(pw_reactor_timer(r, 10, 0, rec_cb, &c, &b), 0);
    assert_int_equal(pw_reactor_timer(r, 0, 0, rec_cb, &c, &t0), 0);
    assert_int_equal(pw_reactor_timer(r, 0, 0, rec_cb, &c, &t1), 0);
    assert_int_equal(pw_reactor_timer(r, 60, 0, stop_cb, NULL, &s), 0);
    int64_t t = pw_now_ms();
    assert_int_equal(pw_reactor_run(r), 0);
    assert_true(pw_now_ms() - t >= 60);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.order[0], t0); /* same due time: registration order */
    assert_int_equal(c.order[1], t1);
    assert_int_equal(c.order[2], b);
    assert_int_equal(c.order[3], a);
    assert_int_equal(c.last_revents, 0);
    /* one-shots are gone once they ran */
    assert_int_equal(pw_reactor_timer_set(r, a, 5), PW_ENOTFOUND);
    assert_int_equal(pw_reactor_remove(r, s), PW_ENOTFOUND);
    /* bad arguments */
    assert_int_equal(pw_reactor_timer(r, -1, 0, rec_cb, &c, NULL), PW_EINVAL);
    assert_int_equal(pw_reactor_timer(r, 0, -1, rec_cb, &c, NULL), PW_EINVAL);
    assert_int_equal(pw_reactor_timer(r, 0, 0, NULL, &c, NULL), PW_EINVAL);
    assert_int_equal(pw_reactor_socket(r, NULL, ZMQ_POLLIN, rec_cb, &c, NULL), PW_EINVAL);
    assert_int_equal(pw_reactor_fd(r, -1, ZMQ_POLLIN, rec_cb, &c, NULL), PW_EINVAL);
    assert_int_equal(pw_reactor_hook(r, 1, NULL, NULL, NULL, NULL), PW_EINVAL);
    assert_int_equal(pw_reactor_events(r, 12345, ZMQ_POLLIN), PW_ENOTFOUND);
    pw_reactor_close(&r);
    assert_null(r);
    pw_reactor_close(&r);
}

/* A periodic timer repeats at its period; re-arming moves it. */
static void test_periodic_and_rearm(void **state)
{
    (void)state;
    struct pw_reactor *r = NULL;
    struct rec c = {.stop_after = 3};
    int p, late;
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_timer(r, 0, 20, rec_cb, &c, &p), 0);
    int64_t t = pw_now_ms();
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(c.n, 3);
    assert_true(pw_now_ms() - t >= 40); /* runs at 0, 20, 40 */
    assert_int_equal(pw_reactor_remove(r, p), 0);

    /* a timer due in an hour, re-armed to now */
    struct rec d = {.stop_after = 1};
    assert_int_equal(pw_reactor_timer(r, 3600000, 0, rec_cb, &d, &late), 0);
    assert_int_equal(pw_reactor_timer_set(r, late, -1), PW_EINVAL);
    assert_int_equal(pw_reactor_timer_set(r, late, 0), 0);
    t = pw_now_ms();
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(d.n, 1);
    assert_true(pw_now_ms() - t < 1000);
    pw_reactor_close(&r);
}

/* A timer re-arming itself at 0 fires once per turn, never starving the poll. */
static int rearm_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)revents;
    (void)id;
    int *n = arg;
    ++*n;
    return pw_reactor_timer(r, 0, 0, rearm_cb, arg, NULL);
}

static void test_fd_ready(void **state)
{
    (void)state;
    struct pw_reactor *r = NULL;
    struct rec c = {.stop_after = 1};
    int p[2], id, n = 0;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1); /* readable before the run */
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_fd(r, p[0], ZMQ_POLLIN, rec_cb, &c, &id), 0);
    assert_int_equal(pw_reactor_timer(r, 0, 0, rearm_cb, &n, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.last_id, id);
    assert_true(c.last_revents & ZMQ_POLLIN);
    assert_int_equal(n, 1); /* re-armed at 0: waits for the next turn, after the poll */
    pw_reactor_close(&r);

    /* interest 0: registered, not polled; the write end is always writable */
    struct rec w = {.stop_after = 1};
    int wid;
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_fd(r, p[1], 0, rec_cb, &w, &wid), 0);
    assert_int_equal(pw_reactor_timer(r, 30, 0, stop_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(w.n, 0);
    assert_int_equal(pw_reactor_events(r, wid, ZMQ_POLLOUT), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(w.n, 1);
    assert_true(w.last_revents & ZMQ_POLLOUT);
    pw_reactor_close(&r);
    close(p[0]);
    close(p[1]);
}

struct sock_ctx {
    void *s;
    char got[16];
};

static int sock_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)id;
    struct sock_ctx *x = arg;
    assert_true(revents & ZMQ_POLLIN);
    int n = zmq_recv(x->s, x->got, sizeof x->got - 1, ZMQ_DONTWAIT);
    assert_true(n > 0);
    x->got[n] = '\0';
    pw_reactor_stop(r);
    return 0;
}

static void test_socket_ready(void **state)
{
    (void)state;
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    assert_int_equal(zmq_bind(a, "inproc://reactor"), 0);
    assert_int_equal(zmq_connect(b, "inproc://reactor"), 0);
    assert_false(pw_reactor_readable(a));
    assert_int_equal(zmq_send(b, "hello", 5, 0), 5);
    struct pw_reactor *r = NULL;
    struct sock_ctx x = {a, ""};
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_socket(r, a, ZMQ_POLLIN, sock_cb, &x, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_string_equal(x.got, "hello");
    assert_false(pw_reactor_readable(a)); /* the callback took it */
    pw_reactor_close(&r);
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
}

/* A hook lends an fd each turn and shortens the wait; dispatch sees revents. */
struct hook_ctx {
    int fd, prepared, dispatched, ready;
};

static int hook_prepare(void *arg, zmq_pollitem_t *items, int max, long *timeout_ms)
{
    struct hook_ctx *h = arg;
    assert_true(max >= 1);
    assert_true(*timeout_ms >= 0 && *timeout_ms <= PW_REACTOR_WAIT_MAX_MS);
    h->prepared++;
    items[0] = (zmq_pollitem_t){NULL, h->fd, ZMQ_POLLIN, 0};
    *timeout_ms = 0;
    return 1;
}

static int hook_dispatch(void *arg, const zmq_pollitem_t *items, int n)
{
    struct hook_ctx *h = arg;
    assert_int_equal(n, 1);
    h->dispatched++;
    h->ready += (items[0].revents & ZMQ_POLLIN) != 0;
    return h->dispatched == 3 ? PW_ESHUTDOWN : 0;
}

static void test_hook(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct pw_reactor *r = NULL;
    struct hook_ctx h = {.fd = p[0]};
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_hook(r, 4, hook_prepare, hook_dispatch, &h, NULL), 0);
    /* nothing readable: the hook's 0 timeout keeps the turns coming; its
     * error ends the run with its code */
    int64_t t = pw_now_ms();
    assert_int_equal(pw_reactor_run(r), PW_ESHUTDOWN);
    assert_true(pw_now_ms() - t < PW_REACTOR_WAIT_MAX_MS);
    assert_int_equal(h.prepared, 3);
    assert_int_equal(h.ready, 0);
    h.dispatched = 0;
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(pw_reactor_run(r), PW_ESHUTDOWN);
    assert_int_equal(h.ready, 3);
    pw_reactor_close(&r);
    close(p[0]);
    close(p[1]);
}

/* Removal from a callback: itself, and a ready source later in the turn. */
struct rm_ctx {
    int self, other;
    int n_self, n_other;
};

static int rm_self_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)revents;
    struct rm_ctx *x = arg;
    x->n_self++;
    assert_int_equal(pw_reactor_remove(r, id), 0);
    assert_int_equal(pw_reactor_remove(r, x->other), 0);
    assert_int_equal(pw_reactor_remove(r, id), PW_ENOTFOUND);
    return 0;
}

static int rm_other_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r;
    (void)id;
    (void)revents;
    ((struct rm_ctx *)arg)->n_other++;
    return 0;
}

static void test_remove_during_callback(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    struct pw_reactor *r = NULL;
    struct rm_ctx x = {0};
    assert_int_equal(pw_reactor_open(&r), 0);
    /* both ready in the same turn: the first removes the second */
    assert_int_equal(pw_reactor_fd(r, p[0], ZMQ_POLLIN, rm_self_cb, &x, &x.self), 0);
    assert_int_equal(pw_reactor_fd(r, p[0], ZMQ_POLLIN, rm_other_cb, &x, &x.other), 0);
    /* and a timer removed by a timer before it is due */
    struct rec c = {0};
    int doomed;
    assert_int_equal(pw_reactor_timer(r, 20, 0, rec_cb, &c, &doomed), 0);
    assert_int_equal(pw_reactor_remove(r, doomed), 0);
    assert_int_equal(pw_reactor_timer(r, 40, 0, stop_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(x.n_self, 1); /* the fd stayed readable: removed, not called again */
    assert_int_equal(x.n_other, 0);
    assert_int_equal(c.n, 0);
    pw_reactor_close(&r);
    close(p[0]);
    close(p[1]);
}

/* The stop flag: set by the real signal handler, raised from a timer. */
static int raise_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r;
    (void)id;
    (void)revents;
    (void)arg;
    raise(SIGTERM);
    return 0;
}

/* SIGHUP: the real handler sets the reload flag; the reactor clears it,
 * calls the one reload callback once and goes on (SIGHUP no longer kills). */
static int hup_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents, (void)arg;
    raise(SIGHUP);
    return 0;
}

static void test_reload_flag(void **state)
{
    (void)state;
    struct pw_reactor *r = NULL;
    struct rec c = {0};
    pw_zsock_signals();
    assert_int_equal(pw_reactor_open(&r), 0);
    pw_reactor_on_reload(r, rec_cb, &c);
    assert_int_equal(pw_reactor_timer(r, 0, 0, hup_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_timer(r, 100, 0, stop_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(c.n, 1);
    assert_false(pw_zsock_reload);
    assert_false(pw_zsock_stop);
    /* without a callback a SIGHUP is ignored, the loop goes on */
    pw_reactor_on_reload(r, NULL, NULL);
    assert_int_equal(pw_reactor_timer(r, 0, 0, hup_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_timer(r, 100, 0, stop_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(c.n, 1);
    assert_false(pw_zsock_reload);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    pw_reactor_close(&r);
}

static void test_stop_flag(void **state)
{
    (void)state;
    struct pw_reactor *r = NULL;
    struct rec c = {0};
    pw_zsock_signals();
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_timer(r, 0, 0, raise_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_timer(r, 0, 0, rec_cb, &c, NULL), 0);
    assert_int_equal(pw_reactor_timer(r, 3600000, 0, rec_cb, &c, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_true(pw_zsock_stop);
    assert_int_equal(c.n, 0); /* nothing runs after the flag is seen */
    assert_int_equal(pw_reactor_run(r), 0); /* still set: returns at once */
    pw_zsock_stop = 0;
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    pw_reactor_close(&r);
}

/* A signal interrupting zmq_poll: EINTR retries; with the flag set, the
 * run ends at once although the next timer is an hour away. */
static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    if (++alarms == 2)
        pw_zsock_stop = 1;
}

static void test_eintr(void **state)
{
    (void)state;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: the poll sees EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct pw_reactor *r = NULL;
    struct rec c = {0};
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_fd(r, p[0], ZMQ_POLLIN, rec_cb, &c, NULL), 0);
    assert_int_equal(pw_reactor_timer(r, 3600000, 0, rec_cb, &c, NULL), 0);
    struct itimerval it = {{0, 50000}, {0, 50000}};
    alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    int64_t t = pw_now_ms();
    assert_int_equal(pw_reactor_run(r), 0);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    assert_true(alarms >= 2);
    assert_true(pw_now_ms() - t < 1000);
    assert_int_equal(c.n, 0);
    pw_zsock_stop = 0;
    signal(SIGALRM, SIG_DFL);
    pw_reactor_close(&r);
    close(p[0]);
    close(p[1]);
}

/* The error policy: an fd closed while registered ends the run with PW_EIO
 * (instead of spinning on POLLNVAL); a socket zmq_poll refuses, PW_EZMQ; a
 * callback's code ends it with that code. */
static int fail_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r;
    (void)id;
    (void)revents;
    (void)arg;
    return PW_EDB;
}

static void test_error_policy(void **state)
{
    (void)state;
    struct pw_reactor *r = NULL;
    struct rec c = {0};
    int p[2], id;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_fd(r, p[0], ZMQ_POLLIN, rec_cb, &c, &id), 0);
    close(p[0]);
    close(p[1]);
    assert_int_equal(pw_reactor_run(r), PW_EIO);
    assert_int_equal(c.n, 0);
    assert_int_equal(pw_reactor_remove(r, id), 0);

    /* a socket of a terminated context: zmq_poll fails with ETERM */
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    assert_int_equal(zmq_ctx_shutdown(ctx), 0);
    assert_int_equal(pw_reactor_socket(r, s, ZMQ_POLLIN, rec_cb, &c, &id), 0);
    assert_int_equal(pw_reactor_run(r), PW_EZMQ);
    assert_int_equal(c.n, 0);
    assert_int_equal(pw_reactor_remove(r, id), 0);
    zmq_close(s);
    zmq_ctx_term(ctx);

    assert_int_equal(pw_reactor_timer(r, 0, 0, fail_cb, NULL, NULL), 0);
    assert_int_equal(pw_reactor_run(r), PW_EDB);
    pw_reactor_close(&r);
}

/* pw_reactor_run from inside a callback is refused. */
static int nested_cb(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)id;
    (void)revents;
    *(int *)arg = pw_reactor_run(r);
    pw_reactor_stop(r);
    return 0;
}

static void test_not_reentrant(void **state)
{
    (void)state;
    struct pw_reactor *r = NULL;
    int inner = 0;
    assert_int_equal(pw_reactor_open(&r), 0);
    assert_int_equal(pw_reactor_timer(r, 0, 0, nested_cb, &inner, NULL), 0);
    assert_int_equal(pw_reactor_run(r), 0);
    assert_int_equal(inner, PW_EINVAL);
    assert_int_equal(pw_reactor_run(NULL), PW_EINVAL);
    pw_reactor_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers_in_order),  cmocka_unit_test(test_periodic_and_rearm),
        cmocka_unit_test(test_fd_ready),         cmocka_unit_test(test_socket_ready),
        cmocka_unit_test(test_hook),             cmocka_unit_test(test_remove_during_callback),
        cmocka_unit_test(test_stop_flag),        cmocka_unit_test(test_eintr),
        cmocka_unit_test(test_reload_flag),
        cmocka_unit_test(test_error_policy),     cmocka_unit_test(test_not_reentrant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
