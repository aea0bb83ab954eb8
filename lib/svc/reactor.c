/* reactor.c - the services' one event loop (see reactor.h).
 *
 * Sources (sockets, fds, hooks) live in one array in registration order,
 * timers in another; both are scanned linearly (a service has a handful).
 * Removal only marks an entry dead and the arrays are compacted between
 * turns, so a callback can remove anything while the arrays are walked by
 * index (never by pointer: an add may move them). */
#include "reactor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "vec.h"
#include "zsock.h"

enum { REACTOR_SOCKET, REACTOR_FD, REACTOR_HOOK };

struct reactor_src {
    int id, kind, dead;
    void *socket;
    int fd;
    short events;
    int max;                    /* hook: items reserved */
    int first, n;               /* this turn's items */
    pw_reactor_fn fn;
    pw_reactor_prepare_fn prepare;
    pw_reactor_dispatch_fn dispatch;
    void *arg;
};

struct reactor_timer {
    int id, dead;
    int64_t due, period;
    uint64_t armed;             /* the timer pass it was (re-)armed in */
    pw_reactor_fn fn;
    void *arg;
};

struct pw_reactor {
    struct reactor_src *src;
    size_t nsrc, src_cap;
    struct reactor_timer *tm;
    size_t ntm, tm_cap;
    zmq_pollitem_t *items;
    size_t items_cap;
    size_t npolled;             /* sources that existed when this turn's items were built */
    int next_id, running, stopping, dirty;
    uint64_t pass;              /* timer passes so far */
    pw_reactor_fn reload;       /* SIGHUP's callback, or NULL */
    void *reload_arg;
};

int pw_reactor_open(struct pw_reactor **out)
{
    struct pw_reactor *r = calloc(1, sizeof *r);
    if (!r)
        return PW_ENOMEM;
    *out = r;
    return 0;
}

void pw_reactor_close(struct pw_reactor **rp)
{
    if (!rp || !*rp)
        return;
    free((*rp)->src);
    free((*rp)->tm);
    free((*rp)->items);
    free(*rp);
    *rp = NULL;
}

/* Ids are never 0, so a service can keep 0 for "not registered". */
static int reactor_id(struct pw_reactor *r, int *id)
{
    if (r->next_id == INT32_MAX)
        r->next_id = 0; /* after 2^31 registrations: ids of long-gone ones come back */
    r->next_id++;
    if (id)
        *id = r->next_id;
    return r->next_id;
}

static int reactor_add(struct pw_reactor *r, const struct reactor_src *s, int *id)
{
    if (pw_vec_grow((void **)&r->src, &r->src_cap, r->nsrc + 1, sizeof *r->src))
        return PW_ENOMEM;
    r->src[r->nsrc] = *s;
    r->src[r->nsrc].id = reactor_id(r, id);
    r->nsrc++;
    return 0;
}

int pw_reactor_socket(struct pw_reactor *r, void *socket, short events, pw_reactor_fn fn,
                      void *arg, int *id)
{
    if (!r || !socket || !fn)
        return PW_EINVAL;
    struct reactor_src s = {.kind = REACTOR_SOCKET, .socket = socket, .fd = -1,
                            .events = events, .fn = fn, .arg = arg};
    return reactor_add(r, &s, id);
}

int pw_reactor_fd(struct pw_reactor *r, int fd, short events, pw_reactor_fn fn, void *arg,
                  int *id)
{
    if (!r || fd < 0 || !fn)
        return PW_EINVAL;
    struct reactor_src s = {.kind = REACTOR_FD, .fd = fd, .events = events, .fn = fn,
                            .arg = arg};
    return reactor_add(r, &s, id);
}

int pw_reactor_hook(struct pw_reactor *r, int max_items, pw_reactor_prepare_fn prepare,
                    pw_reactor_dispatch_fn dispatch, void *arg, int *id)
{
    if (!r || max_items < 0 || (!prepare && !dispatch))
        return PW_EINVAL;
    struct reactor_src s = {.kind = REACTOR_HOOK, .fd = -1, .max = max_items,
                            .prepare = prepare, .dispatch = dispatch, .arg = arg};
    return reactor_add(r, &s, id);
}

static struct reactor_src *reactor_src_find(struct pw_reactor *r, int id)
{
    for (size_t i = 0; r && i < r->nsrc; i++)
        if (r->src[i].id == id && !r->src[i].dead)
            return &r->src[i];
    return NULL;
}

static struct reactor_timer *reactor_timer_find(struct pw_reactor *r, int id)
{
    for (size_t i = 0; r && i < r->ntm; i++)
        if (r->tm[i].id == id && !r->tm[i].dead)
            return &r->tm[i];
    return NULL;
}

int pw_reactor_events(struct pw_reactor *r, int id, short events)
{
    struct reactor_src *s = reactor_src_find(r, id);
    if (!s || s->kind == REACTOR_HOOK)
        return PW_ENOTFOUND;
    s->events = events;
    return 0;
}

int pw_reactor_timer(struct pw_reactor *r, int64_t delay_ms, int64_t period_ms, pw_reactor_fn fn,
                     void *arg, int *id)
{
    if (!r || delay_ms < 0 || period_ms < 0 || !fn)
        return PW_EINVAL;
    if (pw_vec_grow((void **)&r->tm, &r->tm_cap, r->ntm + 1, sizeof *r->tm))
        return PW_ENOMEM;
    struct reactor_timer *t = &r->tm[r->ntm++];
    memset(t, 0, sizeof *t);
    t->id = reactor_id(r, id);
    t->due = pw_now_ms() + delay_ms;
    t->period = period_ms;
    t->armed = r->pass;
    t->fn = fn;
    t->arg = arg;
    return 0;
}

int pw_reactor_timer_set(struct pw_reactor *r, int id, int64_t delay_ms)
{
    if (delay_ms < 0)
        return PW_EINVAL;
    struct reactor_timer *t = reactor_timer_find(r, id);
    if (!t)
        return PW_ENOTFOUND;
    t->due = pw_now_ms() + delay_ms;
    t->armed = r->pass;
    return 0;
}

int pw_reactor_remove(struct pw_reactor *r, int id)
{
    struct reactor_src *s = reactor_src_find(r, id);
    struct reactor_timer *t = s ? NULL : reactor_timer_find(r, id);
    if (!s && !t)
        return PW_ENOTFOUND;
    if (s)
        s->dead = 1;
    else
        t->dead = 1;
    r->dirty = 1;
    return 0;
}

int pw_reactor_readable(void *socket)
{
    int ev = 0;
    size_t len = sizeof ev;
    return zmq_getsockopt(socket, ZMQ_EVENTS, &ev, &len) == 0 && (ev & ZMQ_POLLIN);
}

void pw_reactor_stop(struct pw_reactor *r)
{
    if (r)
        r->stopping = 1;
}

static int reactor_done(const struct pw_reactor *r)
{
    return r->stopping || pw_zsock_stop;
}

void pw_reactor_on_reload(struct pw_reactor *r, pw_reactor_fn fn, void *arg)
{
    r->reload = fn;
    r->reload_arg = arg;
}

/* A SIGHUP since the last turn: the flag is cleared before the callback,
 * so one landing during it is not lost. */
static int reactor_reload(struct pw_reactor *r)
{
    if (!pw_zsock_reload)
        return 0;
    pw_zsock_reload = 0;
    if (!r->reload) {
        pw_info("msg=\"SIGHUP ignored: nothing to reload\"");
        return 0;
    }
    return r->reload(r, 0, 0, r->reload_arg);
}

/* Drops dead entries, keeping the order; only between walks. */
static void reactor_sweep(struct pw_reactor *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->nsrc; i++)
        if (!r->src[i].dead)
            r->src[k++] = r->src[i];
    r->nsrc = k;
    k = 0;
    for (size_t i = 0; i < r->ntm; i++)
        if (!r->tm[i].dead)
            r->tm[k++] = r->tm[i];
    r->ntm = k;
    r->dirty = 0;
}

/* Fires the due timers, earliest first (ties: the older registration).
 * A timer armed during this pass waits for the next one, so a callback
 * re-arming itself at 0 cannot starve the poll. */
static int reactor_timers(struct pw_reactor *r)
{
    int64_t now = pw_now_ms();
    r->pass++;
    while (!reactor_done(r)) {
        size_t best = r->ntm;
        for (size_t i = 0; i < r->ntm; i++) {
            const struct reactor_timer *t = &r->tm[i];
            if (t->dead || t->due > now || t->armed == r->pass)
                continue;
            if (best == r->ntm || t->due < r->tm[best].due ||
                (t->due == r->tm[best].due && t->id < r->tm[best].id))
                best = i;
        }
        if (best == r->ntm)
            break;
        struct reactor_timer *t = &r->tm[best];
        int id = t->id;
        pw_reactor_fn fn = t->fn;
        void *arg = t->arg;
        if (t->period) {
            t->due = pw_now_ms() + t->period;
            t->armed = r->pass;
        } else {
            t->dead = 1; /* gone before it runs: fn may add a new one */
            r->dirty = 1;
        }
        int rc = fn(r, id, 0, arg);
        if (rc)
            return rc;
    }
    return 0;
}

/* The poll items of this turn and its timeout. Returns the item count or a
 * hook's error. */
static int reactor_prepare(struct pw_reactor *r, long *wait)
{
    size_t need = 0;
    for (size_t i = 0; i < r->nsrc; i++)
        need += r->src[i].kind == REACTOR_HOOK ? (size_t)r->src[i].max : 1;
    if (pw_vec_grow((void **)&r->items, &r->items_cap, need ? need : 1, sizeof *r->items))
        return PW_ENOMEM;
    int64_t now = pw_now_ms();
    *wait = PW_REACTOR_WAIT_MAX_MS;
    for (size_t i = 0; i < r->ntm; i++)
        if (!r->tm[i].dead && r->tm[i].due - now < *wait)
            *wait = r->tm[i].due <= now ? 0 : (long)(r->tm[i].due - now);
    int n = 0;
    r->npolled = r->nsrc; /* a prepare may add sources: they wait for the next turn */
    for (size_t i = 0; i < r->npolled; i++) {
        struct reactor_src *s = &r->src[i];
        s->first = n;
        s->n = 0;
        if (s->dead)
            continue;
        if (s->kind != REACTOR_HOOK) {
            if (s->events) {
                r->items[n] = (zmq_pollitem_t){s->socket, s->fd, s->events, 0};
                s->n = 1;
            }
        } else if (s->prepare) {
            long w = *wait;
            int max = s->max;
            int k = s->prepare(s->arg, r->items + n, max, &w);
            if (k < 0)
                return k;
            s = &r->src[i]; /* the call may have moved the array */
            s->n = k > max ? max : k;
            if (w >= 0 && w < *wait)
                *wait = w;
        }
        n += s->n;
    }
    return n;
}

/* A POLLERR on an fd that is not open means it was closed while registered:
 * polling it again would spin. Returns 0 or PW_EIO (logged). */
static int reactor_check_fds(const zmq_pollitem_t *items, int n)
{
    for (int i = 0; i < n; i++)
        if (!items[i].socket && (items[i].revents & ZMQ_POLLERR) &&
            fcntl(items[i].fd, F_GETFD) < 0 && errno == EBADF) {
            pw_error("msg=\"poll failed\" reason=\"a registered fd is not open\" fd=%d",
                     items[i].fd);
            return PW_EIO;
        }
    return 0;
}

/* Dispatches the sources that existed when the items were built. */
static int reactor_dispatch(struct pw_reactor *r)
{
    for (size_t i = 0; i < r->npolled && !reactor_done(r); i++) {
        struct reactor_src *s = &r->src[i];
        int rc = 0;
        if (s->dead)
            continue;
        if (s->kind == REACTOR_HOOK) {
            if (s->dispatch)
                rc = s->dispatch(s->arg, r->items + s->first, s->n);
        } else if (s->n && r->items[s->first].revents) {
            rc = s->fn(r, s->id, r->items[s->first].revents, s->arg);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int reactor_turn(struct pw_reactor *r)
{
    long wait;
    int rc = reactor_reload(r);
    if (rc)
        return rc;
    rc = reactor_timers(r);
    if (r->dirty)
        reactor_sweep(r);
    if (rc || reactor_done(r))
        return rc;
    int n = reactor_prepare(r, &wait);
    if (n < 0)
        return n;
    if (reactor_done(r)) /* e.g. a signal interrupted a blocking call in a hook */
        return 0;
    if (zmq_poll(r->items, n, wait) < 0) {
        if (errno == EINTR)
            return 0; /* the caller re-checks the stop flag */
        pw_error("msg=\"poll failed\" err=\"%s\" items=%d", zmq_strerror(errno), n);
        return PW_EZMQ;
    }
    if ((rc = reactor_check_fds(r->items, n)) == 0)
        rc = reactor_dispatch(r);
    if (r->dirty)
        reactor_sweep(r);
    return rc;
}

int pw_reactor_run(struct pw_reactor *r)
{
    if (!r || r->running)
        return PW_EINVAL;
    int rc = 0;
    r->running = 1;
    r->stopping = 0;
    while (!rc && !reactor_done(r))
        rc = reactor_turn(r);
    r->running = 0;
    return rc;
}
