/* cli_health.c - `planwatch health SERVICE`: is a service ready? Usable as
 * a container HEALTHCHECK or to wait for start-up in scripts.
 *  store:  answers a Ping within the timeout;
 *  ingest: answers a Ping and hears the store (it can accept figures);
 *  alert:  its heartbeat says ready (not resynchronising) and it has
 *          applied every update the store has committed (caught up).
 * Prints one line; exit 0 ready, 1 not ready (answering but not ready), 2
 * not answering. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_conn.h"
#include "cli_opts.h"
#include "err.h"
#include "zsock.h"

/* Pings a ROUTER service; *ready and *seq from its Pong. Returns 0 or why not. */
static int health_ping(const struct cli_opts *o, const char *service, const char *ep, int *ready,
                       uint64_t *seq, char *why, size_t whylen)
{
    struct cli_conn *c = NULL;
    Planwatch__V1__Ping p = PLANWATCH__V1__PING__INIT;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    int rc = cli_conn_open(&c, o, service, ep);
    if (rc)
        return rc;
    p.from = "planwatch health";
    rc = cli_conn_call(c, PLANWATCH__V1__MSG_TYPE__MSG_PING, &p.base, &t, &m);
    if (!rc && t != PLANWATCH__V1__MSG_TYPE__MSG_PONG)
        rc = PW_EWIRE;
    if (!rc) {
        *ready = ((Planwatch__V1__Pong *)m)->ready;
        *seq = ((Planwatch__V1__Pong *)m)->seq;
        const char *nr = ((Planwatch__V1__Pong *)m)->not_ready;
        /* the service's own words, with control characters left out */
        size_t k = 0;
        for (; why && nr && *nr && k + 1 < whylen; nr++)
            if ((unsigned char)*nr >= 0x20 && *nr != 0x7f)
                why[k++] = *nr;
        if (why && whylen)
            why[k] = '\0';
    }
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    cli_conn_close(&c);
    return rc;
}

/* Waits for one alert heartbeat. Returns 0 and the heartbeat's fields. */
static int health_alert_hb(const struct cli_opts *o, const char *ep, int timeout_ms, int *ready,
                           uint64_t *applied, uint64_t *resyncs)
{
    void *ctx = zmq_ctx_new(), *sub = NULL;
    int rc = PW_EUNAVAILABLE;
    if (!ctx || pw_zsock_new(ctx, ZMQ_SUB, 0, &sub) || cli_conn_secure(o, sub, "alert") ||
        pw_zsock_connect(sub, ep)) {
        rc = PW_EZMQ;
        goto done;
    }
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "hb.alert", 8);
    int64_t end = pw_now_ms() + timeout_ms;
    while (rc == PW_EUNAVAILABLE && pw_now_ms() < end && !pw_zsock_stop) {
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)(end - pw_now_ms())) <= 0)
            continue;
        struct pw_frames fr;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        if (pw_zsock_recv_msg(sub, &fr, ZMQ_DONTWAIT, &t, &m) == 0 &&
            t == PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT) {
            Planwatch__V1__Heartbeat *hb = (Planwatch__V1__Heartbeat *)m;
            *ready = hb->ready;
            *applied = hb->applied_seq;
            *resyncs = hb->resyncs;
            rc = 0;
        }
        if (m)
            protobuf_c_message_free_unpacked(m, NULL);
        pw_frames_close(&fr);
    }
done:
    pw_zsock_close(&sub);
    if (ctx)
        zmq_ctx_term(ctx);
    return rc;
}

int cli_health(int argc, char **argv)
{
    static const char summary[] =
        "usage: planwatch health store|ingest|alert [--store EP] [--ingest EP] [--alerts EP]\n"
        "Tells whether a service is ready: the store answers; ingest answers and hears the\n"
        "store; the alert service is not resynchronising and has applied every update the\n"
        "store committed. Exit 0 ready, 1 not ready, 2 not answering. Suitable as a\n"
        "container HEALTHCHECK.\n";
    struct cli_opts o;
    int rc = cli_opts_parse(&o, argc, argv,
                            CLI_OPT_STORE | CLI_OPT_INGEST | CLI_OPT_ALERTS | CLI_OPT_TIMEOUT,
                            summary);
    if (rc >= 0)
        return rc;
    if (o.nargs != 1) {
        fputs(summary, stderr);
        return 2;
    }
    const char *svc = o.args[0];
    int ready = 0;
    uint64_t seq = 0, applied = 0, resyncs = 0;
    if (!strcmp(svc, "store") || !strcmp(svc, "ingest")) {
        const char *ep = svc[0] == 's' ? o.store : o.ingest;
        char why[600] = "";
        if (health_ping(&o, svc, ep, &ready, &seq, why, sizeof why))
            return 2;
        printf("%s at %s: %s%s (seq %llu)\n", svc, ep,
               ready    ? "ready"
               : why[0] ? "answering, not ready: "
                        : "answering, not ready (no store heard)",
               ready ? "" : why, (unsigned long long)seq);
        return ready ? 0 : 1;
    }
    if (!strcmp(svc, "alert")) {
        if (health_alert_hb(&o, o.alerts, o.timeout_ms, &ready, &applied, &resyncs)) {
            fprintf(stderr, "planwatch: no heartbeat from the alert service at %s within %d ms\n",
                    o.alerts, o.timeout_ms);
            return 2;
        }
        int store_ready = 0;
        if (health_ping(&o, "store", o.store, &store_ready, &seq, NULL, 0))
            return 2;
        int caught_up = applied >= seq;
        printf("alert at %s: %s (applied seq %llu of the store's %llu, %llu resyncs)\n", o.alerts,
               ready && caught_up ? "ready"
               : ready            ? "catching up"
                                  : "resynchronising",
               (unsigned long long)applied, (unsigned long long)seq, (unsigned long long)resyncs);
        return ready && caught_up ? 0 : 1;
    }
    fprintf(stderr, "planwatch health: unknown service '%s' (store, ingest or alert)\n", svc);
    return 2;
}
