/* pwcheck.c - password checks on a worker thread (see pwcheck.h). Jobs go
 * to the worker through a list under a mutex; results come back through a
 * second list, and one byte per result on a pipe wakes the loop, which
 * takes every finished job at once. */
#include "pwcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

#define PWCHECK_PASSWORD_MAX 4096

struct pwcheck_job {
    char hash[crypto_pwhash_STRBYTES]; /* "": a name not known (the dummy) */
    char *password;                    /* wiped and freed once checked */
    size_t plen;
    pw_pwcheck_done done;
    void *arg;
    int ok;
    struct pwcheck_job *next;
};

struct pw_pwcheck {
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pwcheck_job *todo, **todo_tail; /* waiting, oldest first */
    struct pwcheck_job *finished, **fin_tail;
    size_t queued;                     /* waiting + running + finished, not yet called back */
    size_t max;                        /* most queued at once */
    int stop;
    int fds[2];                        /* worker writes a byte per result; the loop reads */
    int fd_id;
    struct pw_reactor *r;
    pw_pwcheck_fn check;
    char dummy[crypto_pwhash_STRBYTES];
};

static int pwcheck_sodium(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static void pwcheck_job_free(struct pwcheck_job *j)
{
    if (j->password) {
        sodium_memzero(j->password, j->plen);
        free(j->password);
    }
    free(j);
}

static void *pwcheck_worker(void *arg)
{
    struct pw_pwcheck *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->todo && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop)
            break;
        struct pwcheck_job *j = c->todo;
        c->todo = j->next;
        if (!c->todo)
            c->todo_tail = &c->todo;
        pthread_mutex_unlock(&c->mu);
        /* the dummy is never the right answer: an unknown name fails */
        int ok = c->check(j->hash[0] ? j->hash : c->dummy, j->password);
        j->ok = j->hash[0] ? ok : 0;
        sodium_memzero(j->password, j->plen);
        pthread_mutex_lock(&c->mu);
        j->next = NULL;
        *c->fin_tail = j;
        c->fin_tail = &j->next;
        ssize_t w;
        do /* a full pipe already wakes the loop, which takes every result */
            w = write(c->fds[1], "x", 1);
        while (w < 0 && errno == EINTR);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* Calls back and frees every job of list j: with its result, or -1 when
 * it was never checked (the checker closing). */
static void pwcheck_call_back(struct pwcheck_job *j, int unchecked)
{
    while (j) {
        struct pwcheck_job *next = j->next;
        j->done(j->arg, unchecked ? -1 : j->ok);
        pwcheck_job_free(j);
        j = next;
    }
}

/* The loop's side: every finished check is called back, in order. */
static int pwcheck_on_pipe(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct pw_pwcheck *c = arg;
    char buf[64];
    while (read(c->fds[0], buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&c->mu);
    struct pwcheck_job *j = c->finished;
    for (const struct pwcheck_job *k = j; k; k = k->next)
        c->queued--;
    c->finished = NULL;
    c->fin_tail = &c->finished;
    pthread_mutex_unlock(&c->mu);
    pwcheck_call_back(j, 0);
    return 0;
}

int pw_pwcheck_open(struct pw_pwcheck **out, struct pw_reactor *r, pw_pwcheck_fn check,
                    size_t max)
{
    if (!r || max < 1 || max > PW_PWCHECK_QUEUE_MAX)
        return PW_EINVAL;
    struct pw_pwcheck *c = calloc(1, sizeof *c);
    if (!c)
        return PW_ENOMEM;
    c->fds[0] = c->fds[1] = -1;
    c->todo_tail = &c->todo;
    c->fin_tail = &c->finished;
    c->check = check ? check : pwcheck_sodium;
    c->max = max;
    c->r = r;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    /* a dummy of a random password nobody knows */
    unsigned char secret[16];
    char pw[2 * sizeof secret + 1];
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(pw, sizeof pw, secret, sizeof secret);
    int rc = 0;
    if (crypto_pwhash_str_alg(c->dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
        rc = PW_ENOMEM; /* argon2id's memory */
    sodium_memzero(pw, sizeof pw);
    if (!rc && pipe(c->fds) != 0) {
        pw_error("msg=\"pipe failed\" err=\"%s\"", strerror(errno));
        rc = PW_EIO;
    }
    for (int i = 0; !rc && i < 2; i++) /* neither end ever blocks */
        if (fcntl(c->fds[i], F_SETFL, O_NONBLOCK) != 0 || fcntl(c->fds[i], F_SETFD, FD_CLOEXEC) != 0)
            rc = PW_EIO;
    if (!rc)
        rc = pw_reactor_fd(r, c->fds[0], ZMQ_POLLIN, pwcheck_on_pipe, c, &c->fd_id);
    if (!rc) { /* signals are the loop's: the worker blocks them all */
        sigset_t all, was;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &was);
        if (pthread_create(&c->thread, NULL, pwcheck_worker, c) != 0)
            rc = PW_ENOMEM;
        pthread_sigmask(SIG_SETMASK, &was, NULL);
    }
    if (rc) {
        pw_pwcheck_close(&c);
        return rc;
    }
    c->started = 1;
    *out = c;
    return 0;
}

int pw_pwcheck_submit(struct pw_pwcheck *c, const char *hash, const char *password,
                      pw_pwcheck_done done, void *arg)
{
    size_t plen = password ? strlen(password) : 0;
    if (!password || plen > PWCHECK_PASSWORD_MAX || !done ||
        (hash && strlen(hash) >= crypto_pwhash_STRBYTES))
        return PW_EINVAL;
    struct pwcheck_job *j = calloc(1, sizeof *j);
    if (!j || !(j->password = malloc(plen + 1))) {
        free(j);
        return PW_ENOMEM;
    }
    memcpy(j->password, password, plen + 1);
    j->plen = plen;
    if (hash)
        memcpy(j->hash, hash, strlen(hash) + 1);
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&c->mu);
    if (c->queued >= c->max) {
        pthread_mutex_unlock(&c->mu);
        pwcheck_job_free(j);
        return PW_EUNAVAILABLE;
    }
    *c->todo_tail = j;
    c->todo_tail = &j->next;
    c->queued++;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

size_t pw_pwcheck_queued(const struct pw_pwcheck *c)
{
    struct pw_pwcheck *m = (struct pw_pwcheck *)c; /* the lock, not the state */
    pthread_mutex_lock(&m->mu);
    size_t n = c->queued;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void pw_pwcheck_close(struct pw_pwcheck **cp)
{
    struct pw_pwcheck *c = cp ? *cp : NULL;
    if (!c)
        return;
    if (c->started) {
        pthread_mutex_lock(&c->mu);
        c->stop = 1;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->thread, NULL);
    }
    pwcheck_call_back(c->finished, 0);
    pwcheck_call_back(c->todo, 1);
    if (c->fd_id)
        pw_reactor_remove(c->r, c->fd_id);
    for (int i = 0; i < 2; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    sodium_memzero(c->dummy, sizeof c->dummy);
    free(c);
    *cp = NULL;
}
