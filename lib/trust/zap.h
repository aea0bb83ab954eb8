/* zap.h - the ZAP handler (ZeroMQ RFC 27) of a service: a ZMQ_REP bound to
 * inproc://zeromq.zap.01 in the service's own context, answered from the
 * service's single zmq_poll loop (no thread). libzmq asks it about every
 * CURVE handshake on the service's server sockets; it maps the client's
 * public key to its registry entry, whose id becomes the connection's
 * User-Id (zmq_msg_gets(frame, "User-Id") on every message received), and
 * refuses - and logs - unknown keys and identities the socket's ZAP domain
 * does not admit. Handshakes wait while the loop is busy elsewhere; nothing
 * is lost. Not thread-safe. */
#ifndef PW_ZAP_H
#define PW_ZAP_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "registry.h"

/* ZAP domains: which identities a server socket admits. */
#define PW_ZAP_OFFICE "office"     /* ingest's office endpoint: every registered identity */
#define PW_ZAP_QUERY "query"       /* the store's queries: read: or manage: true, and services */
#define PW_ZAP_ALERTS "alerts"     /* the alert publisher: subscribe: true, and services */
#define PW_ZAP_INTERNAL "internal" /* service-to-service streams: services only */

struct pw_zap;

/* The decision for one handshake: the principal whose key it is, if the
 * domain admits it (*who set, returns 1), else 0 with *why set (static
 * text). mechanism: "CURVE" (anything else is refused); key: 32 bytes. */
int pw_zap_decide(const struct pw_registry *reg, const char *domain, const char *mechanism,
                  const uint8_t *key, size_t keylen, const struct pw_principal **who,
                  const char **why);

/* Binds the handler in ctx; reg is borrowed and must outlive it. Returns 0
 * and *out, or PW_EZMQ (e.g. another handler is bound in ctx). */
int pw_zap_open(void *ctx, const struct pw_registry *reg, struct pw_zap **out);

/* Decides from reg from now on (a reloaded registry; borrowed, must
 * outlive the handler or the next call). */
void pw_zap_set_registry(struct pw_zap *z, const struct pw_registry *reg);

/* The REP socket, for the service's zmq_poll items (ZMQ_POLLIN). */
void *pw_zap_socket(const struct pw_zap *z);

/* Answers every request waiting (never blocks). Returns how many. */
int pw_zap_serve(struct pw_zap *z);

/* Counts admitted / refused handshakes into these counters (borrowed;
 * NULL: not counted). Refusals are logged, at most 10 a minute (then one
 * line with how many were not). */
void pw_zap_metrics(struct pw_zap *z, struct pw_metric *allowed, struct pw_metric *denied);

/* Closes the socket; accepts NULL; nulls *z. */
void pw_zap_close(struct pw_zap **z);

#endif
