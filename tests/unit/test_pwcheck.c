/* test_pwcheck.c - password checks off the loop: real argon2id answers
 * right, wrong and unknown (the dummy never matches); while a check runs
 * the loop keeps turning (a check that waits for the loop's own timer
 * would never finish on the loop thread); at most MAXQ
 * wait, then PW_EUNAVAILABLE; closing calls back what is left (-1: not
 * checked); bad arguments are refused. The slow check is a stand-in that
 * waits on a condition the test sets, so nothing is timed. */
#include <pthread.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "pwcheck.h"
#include "reactor.h"

#define MAXQ 64

struct results {
    struct pw_reactor *r;
    int ok[MAXQ + 4];
    int n, want;
};

static void on_done(void *arg, int ok)
{
    struct results *x = arg;
    x->ok[x->n++] = ok;
    if (x->n == x->want)
        pw_reactor_stop(x->r);
}

static void test_real_argon2(void **state)
{
    (void)state;
    char hash[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str_alg(hash, "正しい馬", strlen("正しい馬"),
                                           crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                           crypto_pwhash_MEMLIMIT_INTERACTIVE,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    struct results x = {.want = 3};
    struct pw_pwcheck *c = NULL;
    assert_int_equal(pw_reactor_open(&x.r), 0);
    assert_int_equal(pw_pwcheck_open(&c, x.r, NULL, 64), 0);
    assert_int_equal(pw_pwcheck_submit(c, hash, "正しい馬", on_done, &x), 0);
    assert_int_equal(pw_pwcheck_submit(c, hash, "違う馬", on_done, &x), 0);
    assert_int_equal(pw_pwcheck_submit(c, NULL, "正しい馬", on_done, &x), 0); /* unknown name */
    assert_int_equal(pw_reactor_run(x.r), 0);
    assert_int_equal(x.n, 3);
    assert_int_equal(x.ok[0], 1); /* in the order they came */
    assert_int_equal(x.ok[1], 0);
    assert_int_equal(x.ok[2], 0);
    assert_int_equal(pw_pwcheck_queued(c), 0);
    pw_pwcheck_close(&c);
    assert_null(c);
    pw_reactor_close(&x.r);
}

/* A check that returns once the test lets it (or after 20 s: -1, failing
 * the test instead of hanging it). */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static int gated_check(const char *hash, const char *password)
{
    (void)hash;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    int rc = 0;
    pthread_mutex_lock(&gate_mu);
    gate_entered++;
    pthread_cond_broadcast(&gate_cv);
    while (!gate_open && rc == 0)
        rc = pthread_cond_timedwait(&gate_cv, &gate_mu, &until);
    pthread_mutex_unlock(&gate_mu);
    return rc ? -1 : strcmp(password, "open") == 0;
}

static void gate(int open)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = open;
    if (!open)
        gate_entered = 0;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
}

struct turn {
    struct results *x;
    int fired_before_done;
};

/* The loop's own timer: it can fire only if the loop is not the one
 * checking; it opens the gate. */
static int on_timer(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct turn *t = arg;
    t->fired_before_done = t->x->n == 0;
    gate(1);
    return 0;
}

static void test_loop_keeps_turning(void **state)
{
    (void)state;
    struct results x = {.want = 1};
    struct turn t = {&x, 0};
    struct pw_pwcheck *c = NULL;
    gate(0);
    assert_int_equal(pw_reactor_open(&x.r), 0);
    assert_int_equal(pw_pwcheck_open(&c, x.r, gated_check, MAXQ), 0);
    assert_int_equal(pw_pwcheck_submit(c, "$argon2id$stand-in", "open", on_done, &x), 0);
    assert_int_equal(pw_reactor_timer(x.r, 0, 0, on_timer, &t, NULL), 0);
    assert_int_equal(pw_reactor_run(x.r), 0);
    assert_true(t.fired_before_done);
    assert_int_equal(x.n, 1);
    assert_int_equal(x.ok[0], 1);
    pw_pwcheck_close(&c);
    pw_reactor_close(&x.r);
}

static void test_bounded_and_closed(void **state)
{
    (void)state;
    struct results x = {.want = -1}; /* never stops by itself */
    struct pw_pwcheck *c = NULL;
    gate(0);
    assert_int_equal(pw_reactor_open(&x.r), 0);
    assert_int_equal(pw_pwcheck_open(&c, x.r, gated_check, 0), PW_EINVAL);
    assert_int_equal(pw_pwcheck_open(&c, x.r, gated_check, PW_PWCHECK_QUEUE_MAX + 1), PW_EINVAL);
    assert_int_equal(pw_pwcheck_open(&c, x.r, gated_check, MAXQ), 0);
    for (int i = 0; i < MAXQ; i++)
        assert_int_equal(pw_pwcheck_submit(c, "$argon2id$stand-in", "x", on_done, &x), 0);
    assert_int_equal(pw_pwcheck_submit(c, "$argon2id$stand-in", "x", on_done, &x),
                     PW_EUNAVAILABLE);
    assert_int_equal(pw_pwcheck_queued(c), MAXQ);
    /* bad arguments */
    static char longpw[5000];
    memset(longpw, 'a', sizeof longpw - 1);
    assert_int_equal(pw_pwcheck_submit(c, NULL, longpw, on_done, &x), PW_EINVAL);
    assert_int_equal(pw_pwcheck_submit(c, NULL, NULL, on_done, &x), PW_EINVAL);
    assert_int_equal(pw_pwcheck_submit(c, NULL, "x", NULL, &x), PW_EINVAL);
    /* the worker is inside the first check: closing lets it finish and
     * calls every one back, the unchecked with -1 (LeakSanitizer sees the
     * copies go) */
    pthread_mutex_lock(&gate_mu);
    while (!gate_entered)
        pthread_cond_wait(&gate_cv, &gate_mu);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
    pw_pwcheck_close(&c);
    assert_int_equal(x.n, MAXQ);
    assert_int_equal(x.ok[0], 0); /* it ran: "x" is not "open" */
    for (int i = 1; i < MAXQ; i++) /* checked before the stop, or not */
        assert_true(x.ok[i] == 0 || x.ok[i] == -1);
    pw_reactor_close(&x.r);
    pw_pwcheck_close(&c); /* NULL: nothing */
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_argon2),
        cmocka_unit_test(test_loop_keeps_turning),
        cmocka_unit_test(test_bounded_and_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
