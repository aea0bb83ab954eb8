/* reactor.h - the one event loop of every planwatch service (after Redis's
 * ae and CZMQ's zloop): one zmq_poll per turn over the ZeroMQ sockets and
 * foreign fds registered with it, millisecond timers on the monotonic clock
 * (pw_now_ms), and "hooks" for libraries that recompute their fds and
 * deadlines every turn (libmicrohttpd, libcurl multi, calls with deadlines).
 * It ends on the stop signal (pw_zsock_stop, set by pw_zsock_signals),
 * runs the service's reload callback after a SIGHUP (pw_reactor_on_reload),
 * pw_reactor_stop, a callback's error or a poll error.
 *
 * A turn: due timers fire (earliest first; ties in the order they were
 * added); hooks prepare; zmq_poll waits for the next timer, the hooks'
 * deadline or PW_REACTOR_WAIT_MAX_MS, whichever comes first (so a signal
 * landing just before the poll still stops the loop within that); then every
 * ready socket and fd, and every hook, is dispatched in registration order.
 *
 * Poll errors, one policy: EINTR retries (after checking the stop flag);
 * any other zmq_poll error, or a registered fd that is not open (closed
 * behind the reactor's back), is logged once and ends pw_reactor_run with
 * PW_EZMQ or PW_EIO, which the service turns into a non-zero exit.
 *
 * Callbacks may add and remove anything, themselves included; a source
 * removed during a turn is not dispatched after its removal, one added is
 * polled from the next turn, a timer added or re-armed while timers fire
 * fires in a later turn at the earliest. Sockets, fds and callback arguments
 * are borrowed: the reactor never closes them. Single-threaded; not
 * reentrant (pw_reactor_run from a callback is refused). */
#ifndef PW_REACTOR_H
#define PW_REACTOR_H

#include <stdint.h>
#include <zmq.h>

/* The longest single wait: the bound on noticing a stop signal that lands
 * between the flag check and zmq_poll. */
#define PW_REACTOR_WAIT_MAX_MS 500

struct pw_reactor;

/* A socket or fd is ready: revents is what zmq_poll reported (ZMQ_POLLIN,
 * ZMQ_POLLOUT, ZMQ_POLLERR). A timer is due: revents is 0. Returns 0 to go
 * on, or a PW_E* code (negative) that ends pw_reactor_run with it. */
typedef int (*pw_reactor_fn)(struct pw_reactor *r, int id, short revents, void *arg);

/* Before each poll: writes up to max items (socket or fd, events) to items,
 * may lower *timeout_ms (never below 0) to its next deadline, may do work
 * that is due. Returns the number of items written, or a PW_E* code that
 * ends pw_reactor_run. */
typedef int (*pw_reactor_prepare_fn)(void *arg, zmq_pollitem_t *items, int max, long *timeout_ms);

/* After each poll, whether or not anything is ready: items[0..n) are those
 * prepare wrote, with revents. Returns 0 or a PW_E* code that ends the run. */
typedef int (*pw_reactor_dispatch_fn)(void *arg, const zmq_pollitem_t *items, int n);

/* Returns 0 and *out (caller closes), or PW_ENOMEM. */
int pw_reactor_open(struct pw_reactor **out);

/* Frees the reactor (nothing registered is closed); accepts NULL, nulls *r. */
void pw_reactor_close(struct pw_reactor **r);

/* Watches a ZeroMQ socket for events (ZMQ_POLLIN and/or ZMQ_POLLOUT; 0:
 * registered but not polled, see pw_reactor_events). fn(r, id, revents, arg)
 * runs when it is ready. *id (may be NULL) names the registration. Returns
 * 0, PW_EINVAL (no socket or fn) or PW_ENOMEM. */
int pw_reactor_socket(struct pw_reactor *r, void *socket, short events, pw_reactor_fn fn,
                      void *arg, int *id);

/* The same for a file descriptor (fd >= 0). */
int pw_reactor_fd(struct pw_reactor *r, int fd, short events, pw_reactor_fn fn, void *arg,
                  int *id);

/* Changes what socket or fd registration id waits for (0: not polled).
 * Returns 0 or PW_ENOTFOUND (no such live socket/fd registration). */
int pw_reactor_events(struct pw_reactor *r, int id, short events);

/* A timer: fn(r, id, 0, arg) runs delay_ms from now (>= 0), then, when
 * period_ms > 0, every period_ms after each run (counted from the time it
 * runs, so a late turn does not cause a burst); period_ms 0: once, and the
 * timer is gone when fn runs. Returns 0, PW_EINVAL (negative delay or
 * period, no fn) or PW_ENOMEM. */
int pw_reactor_timer(struct pw_reactor *r, int64_t delay_ms, int64_t period_ms, pw_reactor_fn fn,
                     void *arg, int *id);

/* Re-arms timer id to run delay_ms from now (its period is kept). Returns 0,
 * PW_EINVAL (negative delay) or PW_ENOTFOUND (no such live timer, e.g. a
 * one-shot that has run). */
int pw_reactor_timer_set(struct pw_reactor *r, int id, int64_t delay_ms);

/* A hook of up to max_items poll items (>= 0): prepare before every poll,
 * dispatch after it (either may be NULL). Returns 0, PW_EINVAL or PW_ENOMEM. */
int pw_reactor_hook(struct pw_reactor *r, int max_items, pw_reactor_prepare_fn prepare,
                    pw_reactor_dispatch_fn dispatch, void *arg, int *id);

/* Removes registration id of any kind (from a callback too). Returns 0 or
 * PW_ENOTFOUND. */
int pw_reactor_remove(struct pw_reactor *r, int id);

/* Whether a message waits on socket now (ZMQ_EVENTS): for a callback that
 * serves a bounded burst and leaves the rest to the next turn, so that the
 * sockets after it are not starved. */
int pw_reactor_readable(void *socket);

/* The service's reload callback: fn(r, 0, 0, arg) runs at the start of
 * the turn after a SIGHUP (pw_zsock_reload, set by pw_zsock_signals; the
 * flag is cleared first, so a SIGHUP during fn runs it once more). One per
 * reactor (a second call replaces the first; fn NULL: none, a SIGHUP is
 * then logged and ignored). A non-zero return ends pw_reactor_run with it:
 * return 0 when a bad file was refused and the old configuration kept. */
void pw_reactor_on_reload(struct pw_reactor *r, pw_reactor_fn fn, void *arg);

/* Ends pw_reactor_run with 0 once the running callback returns. */
void pw_reactor_stop(struct pw_reactor *r);

/* Runs turns until the stop signal, pw_reactor_stop, a callback's or
 * hook's error, or a poll error. Returns 0 (stopped), the callback's code,
 * PW_EZMQ (zmq_poll failed other than EINTR; logged), PW_EIO (a registered
 * fd is not open; logged) or PW_EINVAL (called from one of its callbacks).
 * May be called again after it returns. */
int pw_reactor_run(struct pw_reactor *r);

#endif
