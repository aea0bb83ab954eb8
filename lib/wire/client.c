/* client.c - blocking DEALER client (see client.h). */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "keys.h"
#include "zsock.h"

struct pw_client {
    void *ctx;
    void *sock;
    char *endpoint;
    int curve;                        /* connect with CURVE using self and server */
    struct pw_keypair self;
    char server[PW_KEY_Z85_LEN + 1];
};

static int client_connect(struct pw_client *c)
{
    int rc = pw_zsock_new(c->ctx, ZMQ_DEALER, 0, &c->sock);
    if (rc)
        return rc;
    int one = 1;
    zmq_setsockopt(c->sock, ZMQ_IMMEDIATE, &one, sizeof one);
    if (c->curve)
        rc = pw_keys_curve_client(c->sock, &c->self, c->server);
    if (!rc)
        rc = pw_zsock_connect(c->sock, c->endpoint);
    if (rc)
        pw_zsock_close(&c->sock);
    return rc;
}

int pw_client_open(void *ctx, const char *endpoint, struct pw_client **out)
{
    return pw_client_open_curve(ctx, endpoint, NULL, NULL, out);
}

int pw_client_open_curve(void *ctx, const char *endpoint, const struct pw_keypair *self,
                         const char *server_pub, struct pw_client **out)
{
    struct pw_client *c = calloc(1, sizeof *c);
    if (!c || !(c->endpoint = strdup(endpoint))) {
        free(c);
        return PW_ENOMEM;
    }
    c->ctx = ctx;
    if (self) {
        c->curve = 1;
        c->self = *self;
        snprintf(c->server, sizeof c->server, "%s", server_pub ? server_pub : "");
    }
    int rc = client_connect(c);
    if (rc) {
        free(c->endpoint);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void pw_client_close(struct pw_client **cp)
{
    if (!cp || !*cp)
        return;
    pw_zsock_close(&(*cp)->sock);
    explicit_bzero(&(*cp)->self, sizeof (*cp)->self);
    free((*cp)->endpoint);
    free(*cp);
    *cp = NULL;
}

int pw_client_call(struct pw_client *c, Planwatch__V1__MsgType type, const ProtobufCMessage *req,
                   int timeout_ms, Planwatch__V1__MsgType *rtype, ProtobufCMessage **reply)
{
    return pw_client_call_with(c, type, req, timeout_ms, rtype, reply, NULL);
}

int pw_client_call_with(struct pw_client *c, Planwatch__V1__MsgType type,
                        const ProtobufCMessage *req, int timeout_ms,
                        Planwatch__V1__MsgType *rtype, ProtobufCMessage **reply,
                        ProtobufCAllocator *a)
{
    int64_t deadline = pw_now_ms() + timeout_ms;
    int rc = pw_zsock_send(c->sock, NULL, 0, type, req, ZMQ_DONTWAIT);
    /* with ZMQ_IMMEDIATE a send to a peer not yet connected would block:
     * wait for the connection within the same deadline */
    while (rc == PW_EUNAVAILABLE && pw_now_ms() < deadline && !pw_zsock_stop) {
        zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLOUT, 0};
        zmq_poll(&it, 1, (long)(deadline - pw_now_ms()));
        rc = pw_zsock_send(c->sock, NULL, 0, type, req, ZMQ_DONTWAIT);
    }
    if (rc)
        goto reset;
    for (;;) {
        int64_t left = deadline - pw_now_ms();
        if (left <= 0 || pw_zsock_stop) {
            rc = pw_zsock_stop ? PW_ESHUTDOWN : PW_EUNAVAILABLE;
            goto reset;
        }
        zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)left) < 0)
            continue; /* EINTR: the loop re-checks the stop flag */
        if (!(it.revents & ZMQ_POLLIN))
            continue;
        struct pw_frames fr;
        rc = pw_zsock_recv_msg_with(c->sock, &fr, ZMQ_DONTWAIT, rtype, reply, a);
        pw_frames_close(&fr);
        return rc;
    }
reset:
    /* a late reply must not be read as the answer to the next request */
    pw_zsock_close(&c->sock);
    client_connect(c);
    return rc;
}

int pw_client_query(struct pw_client *c, Planwatch__V1__Query *q, int timeout_ms,
                    Planwatch__V1__QueryReply **reply)
{
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    int rc = pw_client_call(c, PLANWATCH__V1__MSG_TYPE__MSG_QUERY, &q->base, timeout_ms, &t, &m);
    if (rc)
        return rc;
    if (t == PLANWATCH__V1__MSG_TYPE__MSG_ERROR) {
        rc = ((Planwatch__V1__ErrorReply *)m)->code;
        protobuf_c_message_free_unpacked(m, NULL);
        return rc ? rc : PW_EWIRE;
    }
    if (t != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY) {
        protobuf_c_message_free_unpacked(m, NULL);
        return PW_EWIRE;
    }
    Planwatch__V1__QueryReply *r = (Planwatch__V1__QueryReply *)m;
    if (r->code) {
        rc = r->code;
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        return rc;
    }
    *reply = r;
    return 0;
}

int pw_client_ping(struct pw_client *c, int timeout_ms, int need_ready, uint64_t *seq)
{
    Planwatch__V1__Ping p = PLANWATCH__V1__PING__INIT;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    int ok = 0;
    p.from = "ping";
    if (pw_client_call(c, PLANWATCH__V1__MSG_TYPE__MSG_PING, &p.base, timeout_ms, &t, &m) == 0) {
        const Planwatch__V1__Pong *pong = (const Planwatch__V1__Pong *)m;
        ok = t == PLANWATCH__V1__MSG_TYPE__MSG_PONG && (!need_ready || pong->ready);
        if (ok && seq)
            *seq = pong->seq;
        protobuf_c_message_free_unpacked(m, NULL);
    }
    return ok;
}
