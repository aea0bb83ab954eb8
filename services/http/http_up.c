/* http_up.c - asynchronous request/reply with ingest and the store over a
 * DEALER socket. Each call is keyed by the id its message carries
 * (FeedBatch.batch_id, Query.request_id), echoed in the answer, so answers
 * may come in any order (ingest answers a batch only after the store's
 * commit, a ping at once). ZMQ_IMMEDIATE keeps messages from queueing for a
 * service that is not connected: the send fails and the caller hears
 * PW_EUNAVAILABLE at once instead of a message delivered long after its
 * client gave up. An answer after its deadline finds no call and is
 * dropped. Pongs carry no id: they only refresh the readiness clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http.h"
#include "log.h"
#include "map.h"
#include "sec.h"
#include "zsock.h"

#define UP_PING_MS 1000
#define UP_READY_MS 3000

struct up_call {
    char id[80];
    int64_t deadline;
    http_up_done done;
    void *arg;
    struct up_call *prev, *next;
};

struct http_up {
    void *sock;
    const char *name;
    struct pw_map *calls;              /* id -> struct up_call */
    struct up_call *list;
    int64_t next_ping, pong_ms;
    int pong_ready;
};

int http_up_open(struct http_up **out, void *ctx, const char *endpoint, const char *name,
                 const struct pw_sec *sec, const char *server_pub)
{
    struct http_up *u = calloc(1, sizeof *u);
    int one = 1;
    if (!u || pw_map_open(&u->calls)) {
        free(u);
        return PW_ENOMEM;
    }
    u->name = name;
    if (pw_zsock_new(ctx, ZMQ_DEALER, 0, &u->sock) ||
        zmq_setsockopt(u->sock, ZMQ_IMMEDIATE, &one, sizeof one) ||
        pw_sec_client(sec, u->sock, server_pub) || pw_zsock_connect(u->sock, endpoint)) {
        http_up_close(&u);
        return PW_EZMQ;
    }
    *out = u;
    return 0;
}

void http_up_close(struct http_up **up)
{
    struct http_up *u = up ? *up : NULL;
    if (!u)
        return;
    while (u->list) {
        struct up_call *c = u->list;
        u->list = c->next;
        free(c);
    }
    pw_map_close(&u->calls);
    pw_zsock_close(&u->sock);
    free(u);
    *up = NULL;
}

void *http_up_socket(const struct http_up *u)
{
    return u->sock;
}

int http_up_ready(const struct http_up *u, int64_t now)
{
    return u->pong_ms > 0 && u->pong_ready && now - u->pong_ms < UP_READY_MS;
}

static void up_unlink(struct http_up *u, struct up_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        u->list = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pw_map_del(u->calls, c->id);
}

/* Detaches c and calls its callback (which may start new calls). */
static void up_finish(struct http *h, struct http_up *u, struct up_call *c, int rc,
                      Planwatch__V1__MsgType type, const ProtobufCMessage *m)
{
    up_unlink(u, c);
    c->done(h, c->arg, rc, type, m);
    free(c);
}

void http_up_call(struct http *h, struct http_up *u, const char *id, Planwatch__V1__MsgType type,
                  const ProtobufCMessage *msg, long timeout_ms, http_up_done done, void *arg)
{
    struct up_call *c = calloc(1, sizeof *c);
    if (!c) {
        done(h, arg, PW_ENOMEM, 0, NULL);
        return;
    }
    snprintf(c->id, sizeof c->id, "%s", id);
    c->deadline = pw_now_ms() + timeout_ms;
    c->done = done;
    c->arg = arg;
    if (pw_map_put(u->calls, c->id, c)) {
        free(c);
        done(h, arg, PW_ENOMEM, 0, NULL);
        return;
    }
    c->next = u->list;
    if (u->list)
        u->list->prev = c;
    u->list = c;
    int rc = pw_zsock_send(u->sock, NULL, 0, type, msg, ZMQ_DONTWAIT);
    if (rc) {
        pw_debug("msg=\"send failed\" to=%s id=%s err=%s", u->name, id, pw_errname(rc));
        up_finish(h, u, c, rc == PW_ENOMEM ? PW_ENOMEM : PW_EUNAVAILABLE, 0, NULL);
    }
}

void http_up_query(struct http *h, Planwatch__V1__Query *q, http_up_done done, void *arg)
{
    char id[32];
    snprintf(id, sizeof id, "q%llu", (unsigned long long)++h->next_id);
    q->request_id = id;
    http_up_call(h, h->store, id, PLANWATCH__V1__MSG_TYPE__MSG_QUERY, &q->base, h->store_timeout_ms,
                 done, arg);
    q->request_id = NULL;
}

/* The id an answer echoes, or NULL. */
static const char *up_reply_id(Planwatch__V1__MsgType type, const ProtobufCMessage *m)
{
    if (type == PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY)
        return ((const Planwatch__V1__FeedReply *)m)->batch_id;
    if (type == PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY)
        return ((const Planwatch__V1__QueryReply *)m)->request_id;
    if (type == PLANWATCH__V1__MSG_TYPE__MSG_ERROR) /* a refusal answers its request too */
        return ((const Planwatch__V1__ErrorReply *)m)->request_id;
    return NULL;
}

void http_up_drain(struct http *h, struct http_up *u)
{
    for (;;) {
        struct pw_frames fr;
        Planwatch__V1__MsgType type = 0;
        ProtobufCMessage *m = NULL;
        int rc = pw_zsock_recv_msg(u->sock, &fr, ZMQ_DONTWAIT, &type, &m);
        pw_frames_close(&fr);
        if (rc == PW_EUNAVAILABLE || rc == PW_ESHUTDOWN)
            return;
        if (rc) {
            pw_warn("msg=\"unreadable answer\" from=%s err=%s", u->name, pw_errname(rc));
            continue;
        }
        if (type == PLANWATCH__V1__MSG_TYPE__MSG_PONG) {
            u->pong_ms = pw_now_ms();
            u->pong_ready = ((Planwatch__V1__Pong *)m)->ready;
        } else {
            const char *id = up_reply_id(type, m);
            struct up_call *c = id ? pw_map_get(u->calls, id) : NULL;
            if (c)
                up_finish(h, u, c, 0, type, m);
            else
                pw_info("msg=\"answer without a waiting call\" from=%s type=%d id=%s", u->name,
                        (int)type, id ? id : "");
        }
        protobuf_c_message_free_unpacked(m, NULL);
    }
}

int64_t http_up_tick(struct http *h, struct http_up *u, int64_t now)
{
    int64_t next = INT64_MAX;
    if (now >= u->next_ping) {
        Planwatch__V1__Ping p = PLANWATCH__V1__PING__INIT;
        p.from = "http";
        pw_zsock_send(u->sock, NULL, 0, PLANWATCH__V1__MSG_TYPE__MSG_PING, &p.base, ZMQ_DONTWAIT);
        u->next_ping = now + UP_PING_MS;
    }
    next = u->next_ping;
    struct up_call *c = u->list;
    while (c) {
        struct up_call *after = c->next;
        if (now >= c->deadline) {
            pw_warn("msg=\"no answer in time\" from=%s id=%s", u->name, c->id);
            up_finish(h, u, c, PW_EUNAVAILABLE, 0, NULL);
            after = u->list; /* the callback may have changed the list: start over */
        } else if (c->deadline < next) {
            next = c->deadline;
        }
        c = after;
    }
    return next;
}

void http_up_fail_all(struct http *h, struct http_up *u)
{
    while (u->list)
        up_finish(h, u, u->list, PW_ESHUTDOWN, 0, NULL);
}
