/* main.c - planwatch-ingest: the offices' door (docs/pipeline.md).
 *
 * One reactor (lib/svc/reactor.h) over the office ROUTER (FeedBatch, Ping)
 * and the PULL on which the store acknowledges durable commits. Valid rows are published
 * on the PUB with topic update.<plan>.<project>.<indicator>; an office hears
 * "accepted" only once the store's ack for the row arrives. A timer
 * republishes unacknowledged updates, expires batches and sends heartbeats.
 * Stateless across restarts: an office whose request was lost resends, and
 * the store deduplicates by update id. Single-threaded. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "service.h"
#include "err.h"
#include "file.h"
#include "httpd.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "reactor.h"
#include "wirepack.h"
#include "zap.h"

/* The settings (strings point into argv, the environment or the defaults). */
struct ingest_cfg {
    const char *listen, *publish, *acks;
    long ack_timeout_ms, retransmit_ms, store_timeout_ms, heartbeat_ms;
    struct pw_service_settings common; /* catalog, clock, keys, ... */
};

static const struct pw_service_use ingest_shared[] = {
    {PW_SERVICE_CATALOG, "catalog YAML files, comma-separated (\"\": the built-in plans 2 and 3); must match the store's"},
    {PW_SERVICE_CLOCK, "today for validation: \"\" wall clock, YYYY-MM-DD, or file:PATH"},
    {PW_SERVICE_LOG_LEVEL, NULL},
    {PW_SERVICE_METRICS, NULL},
    {PW_SERVICE_INSECURE, "no CURVE: plain text, no authentication, the batch names its office (local development only)"},
    {PW_SERVICE_INSECURE_ANYWHERE, NULL},
    {PW_SERVICE_SECRET_KEY, NULL},
    {PW_SERVICE_REGISTRY, NULL},
};

/* Reads c's settings (pw_service_start): -1 to go on, else the exit status. */
static int ingest_config(struct ingest_cfg *c, int argc, char **argv, struct pw_clock *clock)
{
    const struct pw_cfg own[] = {
        {"listen", PW_CFG_STR, "tcp://127.0.0.1:7601", 0, 0, "office endpoint (ROUTER): FeedBatch in, FeedReply out", &c->listen, 0},
        {"publish", PW_CFG_STR, "tcp://127.0.0.1:7602", 0, 0, "update publisher (PUB) the store subscribes to", &c->publish, 0},
        {"acks", PW_CFG_STR, "tcp://127.0.0.1:7603", 0, 0, "inbox (PULL) for the store's acknowledgements", &c->acks, 0},
        {"ack-timeout-ms", PW_CFG_INT, "3000", 10, 600000, "rows the store has not confirmed by then are answered UNAVAILABLE", &c->ack_timeout_ms, 0},
        {"retransmit-ms", PW_CFG_INT, "300", 5, 60000, "republish unacknowledged updates this often", &c->retransmit_ms, 0},
        {"store-timeout-ms", PW_CFG_INT, "3000", 10, 600000, "without a store heartbeat for this long, answer UNAVAILABLE at once", &c->store_timeout_ms, 0},
        {"heartbeat-ms", PW_CFG_INT, "1000", 10, 60000, "heartbeat interval", &c->heartbeat_ms, 0},
    };
    const struct pw_service_def def = {
        "ingest",
        "Receives offices' feed batches, validates them, and answers each row once the store has "
        "committed it.",
        own, sizeof own / sizeof own[0], ingest_shared, sizeof ingest_shared / sizeof ingest_shared[0]};
    return pw_service_start(&def, &c->common, argc, argv, clock);
}

static int ingest_load_catalog(struct ingest *g, const char *catalog)
{
    struct pw_diag d = {0};
    char msg[600];
    int rc;
    if (!catalog[0]) {
        rc = pw_catalog_load_default(&g->cat, &d);
    } else {
        const char *paths[64];
        size_t n = 0;
        char *list = strdup(catalog), *save = NULL;
        if (!list)
            return PW_ENOMEM;
        for (char *t = strtok_r(list, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
            paths[n++] = t;
        rc = pw_catalog_load_files(&g->cat, paths, n, &d);
        free(list);
    }
    if (rc)
        pw_error("msg=\"catalog rejected\" %s", pw_diag_format(&d, NULL, msg, sizeof msg));
    return rc;
}

/* A random epoch distinguishes this run's publish sequence from the last. */
static uint64_t ingest_epoch(void)
{
    uint64_t e = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &e, sizeof e) != (ssize_t)sizeof e)
            e = 0;
        close(fd);
    }
    return e ? e : (uint64_t)pw_now_ns();
}

/* An ErrorReply; id echoes the batch's id when it could be read (NULL: not). */
static void ingest_reply_error(struct ingest *g, struct pw_frames *fr, int code, const char *why,
                               const char *id)
{
    Planwatch__V1__ErrorReply e = PLANWATCH__V1__ERROR_REPLY__INIT;
    char echo[PW_MSG_ECHO_BUF]; /* whatever the sender put there: cut and escaped */
    e.code = code;
    e.reason = (char *)why;
    e.request_id = pw_msg_echo(id, echo, sizeof echo);
    pw_zsock_send(g->router, fr, fr->n - 1, PLANWATCH__V1__MSG_TYPE__MSG_ERROR, &e.base,
                  ZMQ_DONTWAIT);
}

static void ingest_serve_one(struct ingest *g)
{
    struct pw_frames fr;
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    /* a batch of N rows decodes into one arena: freed at once afterwards,
     * or taken over by the batch (ingest_batch_take) until it is answered */
    struct pw_arena *arena = NULL;
    ProtobufCAllocator alloc;
    int rc = pw_zsock_recv(g->router, &fr, ZMQ_DONTWAIT);
    if (rc == PW_EUNAVAILABLE || rc == PW_ESHUTDOWN || fr.n == 0) {
        pw_frames_close(&fr);
        return;
    }
    if (!rc && pw_arena_open(&arena))
        rc = PW_ENOMEM;
    if (!rc) {
        size_t len;
        const void *body = pw_frames_body(&fr, &len);
        /* a batch as the CLI and the HTTP door write it is read by hand
         * (wirepack.h); anything else, and what that leaves, as before */
        Planwatch__V1__FeedBatch *fb = NULL;
        if (pw_wirepack_read_feed_batch(body, len, arena, &fb) == 0) {
            type = PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH;
            m = &fb->base;
        } else {
            pw_envelope_arena_allocator(&alloc, arena);
            rc = pw_envelope_read_with(body, len, &type, &m, &alloc);
        }
    }
    struct pw_diag d = {0};
    const struct pw_principal *who = fr.n ? pw_sec_principal(g->sec, &fr.f[fr.n - 1]) : NULL;
    if (fr.n < 2) {
        pw_warn("msg=\"request without routing frame\"");
    } else if (rc) {
        pw_warn("msg=\"bad request\" err=%s frames_dropped=%d", pw_errname(rc), fr.dropped);
        ingest_reply_error(g, &fr, rc, pw_frames_why(&fr, rc), NULL);
    } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_PING) {
        Planwatch__V1__Pong p = PLANWATCH__V1__PONG__INIT;
        char why[480] = "";
        int up = ingest_store_up(g, pw_now_ms());
        p.service = "ingest";
        p.ready = up && !g->store_not_ready[0]; /* ready = can accept figures */
        if (!up)
            snprintf(why, sizeof why, "the store is not reachable");
        else if (!p.ready)
            snprintf(why, sizeof why, "the store is not ready: %s", g->store_not_ready);
        p.not_ready = why;
        p.seq = g->seq;
        pw_zsock_send(g->router, &fr, fr.n - 1, PLANWATCH__V1__MSG_TYPE__MSG_PONG, &p.base,
                      ZMQ_DONTWAIT);
    } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH && pw_sec_on(g->sec) && !who) {
        ingest_reply_error(g, &fr, PW_EDENIED, "not an identity of the office registry",
                           ((Planwatch__V1__FeedBatch *)m)->batch_id);
    } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH &&
               pw_msg_check_batch((Planwatch__V1__FeedBatch *)m, &d)) {
        char why[400];
        snprintf(why, sizeof why, "%s: %s", d.field, d.msg);
        pw_warn("msg=\"batch refused\" err=%s reason=\"%s\"", pw_errname(d.code), why);
        ingest_reply_error(g, &fr, d.code, why, ((Planwatch__V1__FeedBatch *)m)->batch_id);
    } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH) {
        Planwatch__V1__FeedBatch *b = (Planwatch__V1__FeedBatch *)m;
        const struct pw_principal *office = NULL;
        char why[200];
        rc = pw_principal_feeder(pw_sec_registry(g->sec), who, b->office, &office, why,
                                 sizeof why);
        if (rc) {
            pw_warn("msg=\"batch refused\" identity=%s err=%s reason=\"%s\"", who->id,
                    pw_errname(rc), why);
            ingest_reply_error(g, &fr, rc, why, b->batch_id);
        } else {
            ingest_batch_take(g, &fr, b, &arena, office);
        }
    } else {
        ingest_reply_error(g, &fr, PW_EWIRE, "ingest answers FeedBatch and Ping only", NULL);
    }
    pw_arena_close(&arena);
    pw_frames_close(&fr);
}

/* Each message of the store decodes into g->ack_arena, reset before the
 * next one (no malloc per field, none per message once warm): nothing of
 * it is kept (ingest_batch_ack copies into the batch's arena).
 * Without an arena (out of memory) it decodes with malloc, as before. */
static void ingest_drain_acks(struct ingest *g)
{
    ProtobufCAllocator alloc, *a = NULL;
    if (g->ack_arena || !pw_arena_open(&g->ack_arena)) {
        pw_envelope_arena_allocator(&alloc, g->ack_arena);
        a = &alloc;
    }
    for (;;) {
        struct pw_frames fr;
        Planwatch__V1__MsgType type;
        ProtobufCMessage *m = NULL;
        if (a) /* the previous message, refused ones included */
            pw_arena_reset(g->ack_arena);
        int rc = pw_zsock_recv(g->pull, &fr, ZMQ_DONTWAIT);
        if (!rc) {
            size_t len;
            const void *body = pw_frames_body(&fr, &len);
            /* an ack as the store writes it is read by hand (wirepack.h);
             * anything else as before */
            Planwatch__V1__StoreAck *ack = NULL;
            if (a && pw_wirepack_read_store_ack(body, len, g->ack_arena, &ack) == 0) {
                type = PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK;
                m = &ack->base;
            } else
                rc = pw_envelope_read_with(body, len, &type, &m, a);
        }
        pw_frames_close(&fr);
        if (rc == PW_EUNAVAILABLE || rc == PW_ESHUTDOWN)
            return;
        if (rc) {
            pw_warn("msg=\"bad message on the ack inbox\" err=%s", pw_errname(rc));
            continue;
        }
        if (!ingest_store_up(g, pw_now_ms()))
            pw_info("msg=\"store reachable\"");
        g->store_seen_ms = pw_now_ms();
        pw_service_ready(); /* systemd: READY=1 when the Pong first says ready (store heard) */
        if (type == PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK)
            ingest_batch_ack(g, (Planwatch__V1__StoreAck *)m);
        if (type == PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT) {
            /* the store can be reachable and still unable to commit (disk full) */
            const Planwatch__V1__Heartbeat *hb = (const Planwatch__V1__Heartbeat *)m;
            snprintf(g->store_not_ready, sizeof g->store_not_ready, "%s",
                     hb->ready || !hb->not_ready ? "" : hb->not_ready);
            if (!hb->ready && !g->store_not_ready[0])
                snprintf(g->store_not_ready, sizeof g->store_not_ready, "not ready");
        }
        if (!a) /* else the arena holds m until the next message */
            protobuf_c_message_free_unpacked(m, NULL);
    }
}

static void ingest_heartbeat(struct ingest *g)
{
    Planwatch__V1__Heartbeat hb = PLANWATCH__V1__HEARTBEAT__INIT;
    hb.service = "ingest";
    hb.epoch = g->epoch;
    hb.seq = g->seq;
    hb.ready = ingest_store_up(g, pw_now_ms());
    pw_zsock_publish(g->pub, "hb.ingest", PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base);
}

/* Reactor callbacks: sockets (revents ZMQ_POLLIN) and timers. */
static int ingest_on_acks(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    ingest_drain_acks(arg);
    return 0;
}

/* Answers what is queued now, not forever: the ack inbox stays first. */
static int ingest_on_offices(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct ingest *g = arg;
    for (int i = 0; i < 64; i++) {
        ingest_serve_one(g);
        if (!pw_reactor_readable(g->router))
            break;
    }
    return 0;
}

static int ingest_on_heartbeat(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    ingest_heartbeat(arg);
    return 0;
}

static int ingest_on_tick(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    ingest_batch_tick(arg, pw_now_ms());
    return 0;
}

/* Registration order is dispatch order: ZAP, metrics HTTP, acks, offices. */
static int ingest_register(struct ingest *g, const struct ingest_cfg *cfg, struct pw_reactor *r)
{
    int64_t tick_ms = cfg->retransmit_ms < 100 ? cfg->retransmit_ms : 100;
    if (pw_sec_zap_register(g->sec, r)) /* handshakes first: they gate everything else */
        return PW_ENOMEM;
    if (cfg->common.metrics[0] &&
        pw_httpd_open(&g->http, r, cfg->common.metrics, pw_metrics_http, g->metrics))
        return PW_EIO;
    if (pw_reactor_socket(r, g->pull, ZMQ_POLLIN, ingest_on_acks, g, NULL) ||
        pw_reactor_socket(r, g->router, ZMQ_POLLIN, ingest_on_offices, g, NULL) ||
        pw_reactor_timer(r, 0, cfg->heartbeat_ms, ingest_on_heartbeat, g, NULL) ||
        pw_reactor_timer(r, 0, tick_ms, ingest_on_tick, g, NULL))
        return PW_ENOMEM;
    return 0;
}

int main(int argc, char **argv)
{
    struct ingest g;
    struct ingest_cfg cfg;
    void *ctx = NULL;
    struct pw_reactor *loop = NULL;
    int status = 1;
    memset(&g, 0, sizeof g);
    int rc = ingest_config(&cfg, argc, argv, &g.clock);
    if (rc >= 0)
        return rc;
    g.ack_timeout_ms = cfg.ack_timeout_ms;
    g.retransmit_ms = cfg.retransmit_ms;
    g.store_timeout_ms = cfg.store_timeout_ms;
    g.epoch = ingest_epoch();
    if (ingest_metrics_open(&g) || ingest_load_catalog(&g, cfg.common.catalog) ||
        pw_map_open_borrowed(&g.pending) || !(ctx = zmq_ctx_new()) ||
        pw_sec_open(ctx, cfg.common.insecure, cfg.common.secret_key, cfg.common.registry, g.cat,
                    &g.sec) ||
        pw_sec_metrics(g.sec, g.metrics, "planwatch_ingest_"))
        goto done;
    pw_sec_insecure_anywhere(g.sec, cfg.common.insecure_anywhere);
    if (pw_zsock_new(ctx, ZMQ_PUB, PW_STREAM_HWM, &g.pub) ||
        pw_sec_bind(g.sec, g.pub, PW_ZAP_INTERNAL, cfg.publish) ||
        pw_zsock_new(ctx, ZMQ_PULL, PW_STREAM_HWM, &g.pull) ||
        pw_sec_bind(g.sec, g.pull, PW_ZAP_INTERNAL, cfg.acks) ||
        pw_zsock_new(ctx, ZMQ_ROUTER, 0, &g.router) ||
        pw_sec_bind(g.sec, g.router, PW_ZAP_OFFICE, cfg.listen))
        goto done;
    if (pw_reactor_open(&loop) || ingest_register(&g, &cfg, loop))
        goto done;
    pw_info("msg=\"ready\" epoch=%llx indicators=%zu metrics_port=%d", (unsigned long long)g.epoch,
            pw_catalog_count(g.cat), pw_httpd_port(g.http));
    rc = pw_reactor_run(loop);
    /* answer every office still waiting: what the store confirmed, and
     * UNAVAILABLE (resend) for the rest - never silence */
    ingest_drain_acks(&g);
    ingest_batch_tick(&g, INT64_MAX);
    pw_info("msg=\"stopping\" received=%llu accepted=%llu duplicates=%llu rejected=%llu "
            "unavailable=%llu retransmitted=%llu pending=%zu",
            (unsigned long long)g.received, (unsigned long long)g.accepted,
            (unsigned long long)g.duplicates, (unsigned long long)g.rejected,
            (unsigned long long)g.unavailable, (unsigned long long)g.retransmitted,
            pw_map_count(g.pending));
    status = rc ? 1 : 0; /* a poll error (logged) is not a clean stop */
done:
    pw_httpd_close(&g.http);
    pw_reactor_close(&loop);
    ingest_batch_free_all(&g);
    pw_arena_close(&g.ack_arena);
    pw_zsock_close(&g.router);
    pw_zsock_close(&g.pull);
    pw_zsock_close(&g.pub);
    pw_sec_close(&g.sec);
    if (ctx)
        zmq_ctx_term(ctx);
    pw_map_close(&g.pending);
    pw_catalog_close(&g.cat);
    pw_metrics_close(&g.metrics);
    return status;
}
