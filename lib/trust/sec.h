/* sec.h - a service's security, in one place: its CURVE key pair, the
 * office registry and the ZAP handler, or nothing at all when it runs
 * --insecure (local development only: plain text, no authentication). The
 * services call pw_sec_server on every socket they bind and pw_sec_client
 * on every socket they connect, whatever the mode, so their socket code
 * does not branch on it. When security is on, a server socket accepts only
 * CURVE clients the registry admits (zap.h): plain-text connections fail
 * their handshake. Owns the registry and the handler; borrows the context.
 * Not thread-safe. */
#ifndef PW_SEC_H
#define PW_SEC_H

#include <stdint.h>
#include <zmq.h>

#include "catalog.h"
#include "keys.h"
#include "metrics.h"
#include "reactor.h"
#include "registry.h"

struct pw_sec;

/* insecure: no CURVE (logs a warning saying so). Otherwise loads the
 * service's secret key file and the registry (checked against cat when
 * not NULL; cat is borrowed and must outlive s, for reloads) and binds
 * the ZAP handler in ctx; registry NULL: a service
 * that only connects (no registry, no ZAP handler; "" is an error). Logs why on failure. Returns
 * 0 and *out, or PW_EINVAL (a path not given), PW_EIO, PW_EKEY,
 * PW_EKEY_PERM, PW_EREG_*, PW_EZMQ, PW_ENOMEM. */
int pw_sec_open(void *ctx, int insecure, const char *secret_key, const char *registry,
                const struct pw_catalog *cat, struct pw_sec **out);
void pw_sec_close(struct pw_sec **s);

/* Re-reads the registry file s was opened with (SIGHUP), checked against
 * the catalog given to pw_sec_open when not NULL, and swaps it in at once for the ZAP handler and
 * pw_sec_principal: connections already admitted stay, new handshakes
 * meet the new file. A file that does not load or check is refused and
 * logged with file:line; the old registry stays. The old one is kept until
 * pw_sec_close, so principals handed out before stay valid. Nothing to do
 * (0) when insecure or client-only. Returns 0 or the loader's PW_EREG_* /
 * PW_EKEY / PW_EIO / PW_ETOOBIG / PW_ENOMEM. */
int pw_sec_reload(struct pw_sec *s);

/* Whether CURVE is on. */
int pw_sec_on(const struct pw_sec *s);

/* Loads a peer's public key file into pub (PW_KEY_Z85_LEN + 1 bytes) when
 * security is on ("" otherwise); what names the setting in the log line
 * ("--ingest-key"). Returns 0, PW_EINVAL (not given), PW_EIO or PW_EKEY. */
int pw_sec_peer_key(const struct pw_sec *s, const char *path, const char *what, char *pub);

/* With --insecure, binding a non-loopback address is refused unless yes
 * (--insecure-anywhere): plain text on a network is a choice made twice. */
void pw_sec_insecure_anywhere(struct pw_sec *s, int yes);

/* Whether endpoint is reachable from this machine only: ipc://, inproc://,
 * tcp://127.x.x.x, tcp://localhost, tcp://[::1]. */
int pw_sec_loopback(const char *endpoint);

/* Secures sock as a server admitting the ZAP domain's identities
 * (pw_sec_server), then binds it to endpoint. Insecure and not loopback
 * without pw_sec_insecure_anywhere: refused and logged (PW_EINVAL), nothing
 * bound. Returns 0, PW_EINVAL, PW_EZMQ or PW_EKEY. */
int pw_sec_bind(const struct pw_sec *s, void *sock, const char *domain, const char *endpoint);

/* Secures a socket before bind (server, admitting clients under the ZAP
 * domain) / before connect (client of the server with public key
 * server_pub). No-ops when insecure. Return 0 or PW_EZMQ / PW_EKEY. */
int pw_sec_server(const struct pw_sec *s, void *sock, const char *domain);
int pw_sec_client(const struct pw_sec *s, void *sock, const char *server_pub);

/* This service's key pair (NULL when insecure), e.g. for pw_client_open_curve. */
const struct pw_keypair *pw_sec_keys(const struct pw_sec *s);

/* The ZAP socket for the service's zmq_poll items (NULL when insecure:
 * zmq_poll ignores an item whose socket is NULL only if it is not listed,
 * so list it only when not NULL), and answering its requests. */
void *pw_sec_zap_socket(const struct pw_sec *s);
void pw_sec_zap_serve(struct pw_sec *s);

/* Registers the ZAP socket with r, answered by pw_sec_zap_serve, and
 * pw_sec_reload as r's reload callback (SIGHUP; s is borrowed until r stops
 * running); nothing when insecure or a client-only service. Register it before the sockets it authenticates: registration
 * order is dispatch order. Returns 0 or PW_ENOMEM. */
int pw_sec_zap_register(struct pw_sec *s, struct pw_reactor *r);

/* Registers PREFIXzap_allowed_total and PREFIXzap_denied_total (handshakes
 * admitted / refused) in m and counts into them. Returns 0 or PW_ENOMEM. */
int pw_sec_metrics(struct pw_sec *s, struct pw_metrics *m, const char *prefix);

/* The authenticated identity of the peer that sent frame (ZAP User-Id), or
 * NULL when insecure. */
const char *pw_sec_user(const zmq_msg_t *frame);

/* The registry in force (NULL when insecure or a client-only service);
 * borrowed until the next pw_sec_reload or pw_sec_close. */
const struct pw_registry *pw_sec_registry(const struct pw_sec *s);

/* Its registry entry, or NULL when insecure (or unknown, which ZAP never
 * lets through). */
const struct pw_principal *pw_sec_principal(const struct pw_sec *s, const zmq_msg_t *frame);

#endif
