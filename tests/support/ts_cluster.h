/* ts_cluster.h - a planwatch cluster on loopback as the integration harness
 * and the bench run it: its six ports and which service binds or connects
 * to each, the client-side endpoints, where the binaries are, and the
 * readiness probes (a Ping answered ready for store and ingest, a ready
 * heartbeat for alert). Flags beyond the wiring (heartbeats, log level,
 * clock, keys) and the processes themselves (ts_proc.h) are the caller's.
 * No test framework: failures are return values. */
#ifndef TS_CLUSTER_H
#define TS_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "ts_proc.h"

enum ts_svc { TS_STORE, TS_INGEST, TS_ALERT, TS_NSVC };

#define TS_CLUSTER_PORTS 6   /* ingest listen, updates, acks, store listen, store publish, alerts */
#define TS_CLUSTER_EP_LEN 64 /* "tcp://127.0.0.1:PORT" */

/* "store", "ingest" or "alert" (static). */
const char *ts_cluster_name(enum ts_svc s);

/* Path of a built binary under the build tree build_dir: "planwatch" (the
 * CLI) or a service's name ("store", "http", ...), written to buf. */
const char *ts_cluster_bin(char *buf, size_t n, const char *build_dir, const char *name);

/* Picks TS_CLUSTER_PORTS distinct free ports and writes the endpoints a
 * client uses for ingest, the store and the alert publications. Returns 0
 * or -1 (no free port). */
int ts_cluster_ports(int port[TS_CLUSTER_PORTS], char ep_ingest[TS_CLUSTER_EP_LEN],
                     char ep_store[TS_CLUSTER_EP_LEN], char ep_alerts[TS_CLUSTER_EP_LEN]);

/* Appends service s's wiring to a: the ports it binds and connects to, and
 * for store and alert --data-dir=DIR/<name>. Returns 0 or -1 (a is full). */
int ts_cluster_args(struct ts_proc_argv *a, enum ts_svc s, const int port[TS_CLUSTER_PORTS],
                    const char *dir);

/* 1 when the service at ep answers a Ping within 300 ms (and says it is
 * ready, if need_ready), else 0. Over CURVE when self is not NULL (then
 * server_pub is the service's public key), else plain text. Uses a fresh
 * client on ctx, closed before returning. */
struct pw_keypair;
int ts_cluster_ping(void *ctx, const char *ep, const struct pw_keypair *self,
                    const char *server_pub, int need_ready);

/* What an alert heartbeat must say for ts_cluster_alert_wait. */
struct ts_alert_want {
    uint64_t applied_seq; /* store seq applied, at least */
    uint64_t admin_seq;   /* subscriptions/acks/silences loaded up to, at least */
    const char *day;      /* every indicator judged at this YYYY-MM-DD (NULL: any) */
};

/* Subscribes to the alert heartbeats at ep (over CURVE as for
 * ts_cluster_ping) and waits up to deadline_ms for one that says ready and
 * meets want. Returns its resync count (>= 0) and its last alert seq in
 * *alert_seq (may be NULL); -1 when none came in time; -2 when the
 * subscription could not be made (socket, key). */
long ts_cluster_alert_wait(void *ctx, const char *ep, const struct pw_keypair *self,
                           const char *server_pub, const struct ts_alert_want *want,
                           uint64_t *alert_seq, int deadline_ms);

#endif
