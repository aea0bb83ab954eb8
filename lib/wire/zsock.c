/* zsock.c - ZeroMQ helpers (see zsock.h). */
#include "zsock.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "log.h"
#include "map.h"

volatile sig_atomic_t pw_zsock_stop = 0;
volatile sig_atomic_t pw_zsock_reload = 0;

static void zsock_on_signal(int sig)
{
    if (sig == SIGHUP)
        pw_zsock_reload = 1;
    else
        pw_zsock_stop = 1;
}

void pw_zsock_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = zsock_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int pw_zsock_new(void *ctx, int type, int hwm, void **out)
{
    void *s = zmq_socket(ctx, type);
    if (!s) {
        pw_error("msg=\"zmq_socket failed\" err=\"%s\"", zmq_strerror(errno));
        return PW_EZMQ;
    }
    int linger = 200, h = hwm > 0 ? hwm : 10000;
    int64_t max = PW_MSG_MAX_BYTES;
    if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(s, ZMQ_SNDHWM, &h, sizeof h) ||
        zmq_setsockopt(s, ZMQ_RCVHWM, &h, sizeof h) ||
        zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof max)) {
        pw_error("msg=\"zmq_setsockopt failed\" err=\"%s\"", zmq_strerror(errno));
        zmq_close(s);
        return PW_EZMQ;
    }
    *out = s;
    return 0;
}

int pw_zsock_bind(void *sock, const char *endpoint)
{
    if (zmq_bind(sock, endpoint) != 0) {
        pw_error("msg=\"cannot bind\" endpoint=%s err=\"%s\"", endpoint, zmq_strerror(errno));
        return PW_EZMQ;
    }
    return 0;
}

int pw_zsock_connect(void *sock, const char *endpoint)
{
    if (zmq_connect(sock, endpoint) != 0) {
        pw_error("msg=\"cannot connect\" endpoint=%s err=\"%s\"", endpoint, zmq_strerror(errno));
        return PW_EZMQ;
    }
    return 0;
}

void pw_zsock_close(void **sock)
{
    if (sock && *sock) {
        zmq_close(*sock);
        *sock = NULL;
    }
}

static int zsock_errno(void)
{
    if (errno == EAGAIN)
        return PW_EUNAVAILABLE;
    if (errno == EINTR)
        return pw_zsock_stop ? PW_ESHUTDOWN : PW_EUNAVAILABLE;
    if (errno == ETERM)
        return PW_ESHUTDOWN;
    return PW_EZMQ;
}

void pw_frames_close(struct pw_frames *fr)
{
    for (int i = 0; i < fr->n; i++)
        zmq_msg_close(&fr->f[i]);
    fr->n = 0;
}

int pw_zsock_recv(void *sock, struct pw_frames *fr, int flags)
{
    int more = 1;
    fr->n = 0;
    fr->dropped = 0;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, sock, fr->n == 0 && !fr->dropped ? flags : 0) < 0) {
            int rc = zsock_errno();
            zmq_msg_close(&m);
            pw_frames_close(fr);
            return rc;
        }
        more = zmq_msg_more(&m);
        if (fr->n < PW_FRAMES_MAX) {
            fr->f[fr->n++] = m;
        } else {
            fr->dropped++;
            zmq_msg_close(&m);
        }
    }
    if (fr->dropped) {
        /* keep the first frame (a ROUTER's routing id) and one more, so a
         * server can still answer "too many frames" to whoever sent it */
        for (int i = 2; i < fr->n; i++)
            zmq_msg_close(&fr->f[i]);
        fr->n = 2;
        return PW_EWIRE;
    }
    return 0;
}

const char *pw_frames_why(const struct pw_frames *fr, int rc)
{
    if (rc == PW_EWIRE && fr->dropped)
        return "more than 8 frames in one message (the routing frame included): not a planwatch "
               "request, nothing of it was read";
    return pw_envelope_why(rc);
}

const void *pw_frames_body(const struct pw_frames *fr, size_t *len)
{
    zmq_msg_t *last = (zmq_msg_t *)&fr->f[fr->n - 1];
    *len = zmq_msg_size(last);
    return zmq_msg_data(last);
}

static void zsock_free(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* Sends the packed envelope as the final frame (zero-copy: zmq frees it). */
static int zsock_send_body(void *sock, uint8_t *buf, size_t len, int flags)
{
    zmq_msg_t m;
    if (zmq_msg_init_data(&m, buf, len, zsock_free, NULL) != 0) {
        free(buf);
        return PW_ENOMEM;
    }
    if (zmq_msg_send(&m, sock, flags) < 0) {
        int rc = zsock_errno();
        zmq_msg_close(&m);
        return rc;
    }
    return 0;
}

int pw_zsock_send(void *sock, struct pw_frames *route, int nroute, Planwatch__V1__MsgType type,
                  const ProtobufCMessage *msg, int flags)
{
    uint8_t *buf;
    size_t len;
    int rc = pw_envelope_pack(type, msg, &buf, &len);
    if (rc)
        return rc;
    return pw_zsock_send_packed(sock, route, nroute, buf, len, flags);
}

int pw_zsock_send_packed(void *sock, struct pw_frames *route, int nroute, uint8_t *buf,
                         size_t len, int flags)
{
    int rc;
    for (int i = 0; i < nroute; i++) {
        zmq_msg_t c;
        zmq_msg_init(&c);
        zmq_msg_copy(&c, &route->f[i]);
        if (zmq_msg_send(&c, sock, flags | ZMQ_SNDMORE) < 0) {
            rc = zsock_errno();
            zmq_msg_close(&c);
            free(buf);
            return rc;
        }
    }
    return zsock_send_body(sock, buf, len, flags);
}

/* Topics longer than ZeroMQ keeps inside a message (33 bytes on 64-bit
 * hosts; 29 here to be safe) would be copied to the heap for every
 * publication, and libzmq 4.3 leaves such a copy behind when the
 * subscriber it was queued for leaves between the topic and the body (a
 * pipe ended by its peer drops its unfinished message without freeing it).
 * So they are interned, once each for the process's life (topics name
 * plans, projects and indicators: a few hundred), and sent by reference. */
#define ZSOCK_TOPIC_INLINE 29

static pthread_mutex_t zsock_topics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pw_map *zsock_topics; /* topic -> its lasting copy (the key) */

static const char *zsock_topic_intern(const char *topic)
{
    pthread_mutex_lock(&zsock_topics_lock);
    char *t = zsock_topics || pw_map_open_borrowed(&zsock_topics) == 0
                  ? pw_map_get(zsock_topics, topic)
                  : NULL;
    if (!t && zsock_topics && (t = strdup(topic)) && pw_map_put(zsock_topics, t, t) != 0) {
        free(t);
        t = NULL;
    }
    pthread_mutex_unlock(&zsock_topics_lock);
    return t;
}

static int zsock_send_topic(void *sock, const char *topic)
{
    size_t len = strlen(topic);
    if (len <= ZSOCK_TOPIC_INLINE)
        return zmq_send(sock, topic, len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ? zsock_errno() : 0;
    const char *lasting = zsock_topic_intern(topic);
    if (!lasting)
        return PW_ENOMEM;
    zmq_msg_t m;
    zmq_msg_init_data(&m, (void *)lasting, len, NULL, NULL); /* by reference: no allocation */
    if (zmq_msg_send(&m, sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        int rc = zsock_errno();
        zmq_msg_close(&m);
        return rc;
    }
    return 0;
}

int pw_zsock_publish(void *sock, const char *topic, Planwatch__V1__MsgType type,
                     const ProtobufCMessage *msg)
{
    uint8_t *buf;
    size_t len;
    int rc = pw_envelope_pack(type, msg, &buf, &len);
    if (rc)
        return rc;
    return pw_zsock_publish_packed(sock, topic, buf, len);
}

int pw_zsock_publish_packed(void *sock, const char *topic, uint8_t *buf, size_t len)
{
    int rc = zsock_send_topic(sock, topic);
    if (rc) {
        free(buf);
        return rc;
    }
    return zsock_send_body(sock, buf, len, ZMQ_DONTWAIT);
}

int pw_zsock_publish_items(void *sock, const char *topic, const struct pw_packed *items, size_t n,
                           size_t *msgs)
{
    *msgs = 0;
    for (size_t at = 0; at < n;) {
        size_t k = pw_envelope_items_fit(1, items + at, n - at, PW_STREAM_MSG_BYTES);
        uint8_t *buf = NULL;
        size_t len = 0;
        int rc = pw_envelope_pack_items(PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH, 1, items + at,
                                        k, &buf, &len);
        if (!rc)
            rc = pw_zsock_publish_packed(sock, topic, buf, len);
        if (rc)
            return rc;
        (*msgs)++;
        at += k;
    }
    return 0;
}

int pw_zsock_recv_msg(void *sock, struct pw_frames *fr, int flags, Planwatch__V1__MsgType *type,
                      ProtobufCMessage **msg)
{
    return pw_zsock_recv_msg_with(sock, fr, flags, type, msg, NULL);
}

int pw_zsock_recv_msg_with(void *sock, struct pw_frames *fr, int flags,
                           Planwatch__V1__MsgType *type, ProtobufCMessage **msg,
                           ProtobufCAllocator *a)
{
    int rc = pw_zsock_recv(sock, fr, flags);
    if (rc)
        return rc;
    size_t len;
    const void *body = pw_frames_body(fr, &len);
    return pw_envelope_read_with(body, len, type, msg, a);
}

int64_t pw_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pw_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
