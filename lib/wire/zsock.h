/* zsock.h - ZeroMQ socket helpers shared by the services and the CLI:
 * sockets created with explicit HWMs, ZMQ_MAXMSGSIZE and linger; multipart
 * messages received whole into a bounded frame array; envelopes sent with
 * optional routing or topic frames. zmq errors are logged here and mapped to
 * PW_EZMQ / PW_EUNAVAILABLE; EINTR surfaces as PW_ESHUTDOWN only when the
 * caller's stop flag is set (pw_zsock_stop). */
#ifndef PW_ZSOCK_H
#define PW_ZSOCK_H

#include <signal.h>
#include <stddef.h>
#include <zmq.h>

#include "envelope.h"

#define PW_FRAMES_MAX 8

/* Set by the signal handler of a service (the only global mutable state). */
extern volatile sig_atomic_t pw_zsock_stop;

/* Set by SIGHUP: re-read the configuration that can be (the registry);
 * the reactor clears it and calls the service's reload callback. */
extern volatile sig_atomic_t pw_zsock_reload;

/* Installs SIGINT/SIGTERM handlers that only set pw_zsock_stop, a SIGHUP
 * handler that only sets pw_zsock_reload, and ignores SIGPIPE. */
void pw_zsock_signals(void);

/* Creates a socket: linger 200 ms, send/receive HWM hwm (0: 10,000),
 * ZMQ_MAXMSGSIZE PW_MSG_MAX_BYTES. Returns 0 and *out, or PW_EZMQ. */
int pw_zsock_new(void *ctx, int type, int hwm, void **out);

/* Bind / connect, logging the endpoint on failure. Return 0 or PW_EZMQ. */
int pw_zsock_bind(void *sock, const char *endpoint);
int pw_zsock_connect(void *sock, const char *endpoint);

/* Closes *sock (accepts NULL) and nulls it. */
void pw_zsock_close(void **sock);

/* A received multipart message: n frames; the last is the body. */
struct pw_frames {
    zmq_msg_t f[PW_FRAMES_MAX];
    int n;
    int dropped; /* frames beyond PW_FRAMES_MAX that pw_zsock_recv dropped */
};

/* Receives one whole multipart message. flags: 0 or ZMQ_DONTWAIT.
 * Returns 0; PW_EUNAVAILABLE if nothing is there (DONTWAIT) or a receive
 * timeout passed; PW_EWIRE if it has more than PW_FRAMES_MAX frames (the
 * rest is drained and dropped, fr->dropped counts them, and fr keeps the
 * first two frames so that a ROUTER can answer the sender: the caller
 * closes fr); PW_ESHUTDOWN if interrupted by a stop signal; PW_EZMQ
 * otherwise. On success the caller closes fr. */
int pw_zsock_recv(void *sock, struct pw_frames *fr, int flags);

/* The reason to give a sender whose message got rc from pw_zsock_recv or
 * pw_zsock_recv_msg: too many frames, else pw_envelope_why(rc). Static. */
const char *pw_frames_why(const struct pw_frames *fr, int rc);
void pw_frames_close(struct pw_frames *fr);

/* Body (last frame) of fr. */
const void *pw_frames_body(const struct pw_frames *fr, size_t *len);

/* Sends: the first nroute frames of `route` (copied; e.g. a ROUTER
 * envelope), then the envelope of msg. flags: 0 or ZMQ_DONTWAIT.
 * Returns 0, PW_EUNAVAILABLE (would block), PW_ENOMEM or PW_EZMQ. */
int pw_zsock_send(void *sock, struct pw_frames *route, int nroute, Planwatch__V1__MsgType type,
                  const ProtobufCMessage *msg, int flags);

/* As pw_zsock_send with the envelope already packed in buf (e.g.
 * pw_wirepack_feed_reply), which the socket takes over whatever the result
 * (zero-copy; ZeroMQ frees it). Returns 0, PW_EUNAVAILABLE (would block),
 * PW_ENOMEM or PW_EZMQ. */
int pw_zsock_send_packed(void *sock, struct pw_frames *route, int nroute, uint8_t *buf,
                         size_t len, int flags);

/* Sends [topic][envelope of msg] on a PUB socket (never blocks: a slow
 * subscriber loses messages, which the sequence numbers reveal). */
int pw_zsock_publish(void *sock, const char *topic, Planwatch__V1__MsgType type,
                     const ProtobufCMessage *msg);

/* Publishes [topic][buf]: buf is a packed envelope (pw_envelope_pack_items)
 * that the socket takes over whatever the result (zero-copy; ZeroMQ frees
 * it). Returns 0 or a pw error code. */
int pw_zsock_publish_packed(void *sock, const char *topic, uint8_t *buf, size_t len);

/* Publishes items[0..n) as UpdateBatch messages on topic, each of at most
 * PW_STREAM_MSG_BYTES of items (pw_envelope_items_fit), in order; *msgs:
 * how many went out. Returns 0, or the first error (the items from there
 * on were not sent). */
int pw_zsock_publish_items(void *sock, const char *topic, const struct pw_packed *items, size_t n,
                           size_t *msgs);

/* Receives and decodes one message: *type and *msg as pw_envelope_read;
 * fr keeps the routing/topic frames. The caller always closes fr (whatever
 * the result: on PW_EWIRE/PW_EVERSION the frames are there to reply to) and
 * frees *msg when it was set. */
int pw_zsock_recv_msg(void *sock, struct pw_frames *fr, int flags, Planwatch__V1__MsgType *type,
                      ProtobufCMessage **msg);
/* The same, decoding with allocator a (NULL: malloc). */
int pw_zsock_recv_msg_with(void *sock, struct pw_frames *fr, int flags,
                           Planwatch__V1__MsgType *type, ProtobufCMessage **msg,
                           ProtobufCAllocator *a);

/* Monotonic milliseconds, for timers. */
int64_t pw_now_ms(void);
/* Wall clock in Unix nanoseconds. */
int64_t pw_now_ns(void);

#endif
