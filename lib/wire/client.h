/* client.h - blocking request/reply to a planwatch ROUTER endpoint (ingest
 * or store) over a DEALER socket, with a deadline. Used by the CLI, by the
 * alert service for snapshots, and by tests. After a timeout the socket is
 * replaced, so a late reply can never be taken for the next request's.
 * Not thread-safe: one client per thread. */
#ifndef PW_CLIENT_H
#define PW_CLIENT_H

#include <stdint.h>

#include "envelope.h"

struct pw_client;

/* Connects to endpoint (the ZeroMQ context is borrowed and must outlive the
 * client). Returns 0 and *out, or PW_EZMQ / PW_ENOMEM. */
int pw_client_open(void *ctx, const char *endpoint, struct pw_client **out);

/* The same over CURVE when self is not NULL: authenticates as self (copied)
 * to the server whose public key is server_pub. Also PW_EKEY. */
struct pw_keypair;
int pw_client_open_curve(void *ctx, const char *endpoint, const struct pw_keypair *self,
                         const char *server_pub, struct pw_client **out);
void pw_client_close(struct pw_client **c);

/* Sends req as an envelope of type and waits up to timeout_ms for the
 * reply: *rtype and *reply (caller frees with protobuf_c_message_free_unpacked).
 * Returns 0; PW_EUNAVAILABLE (no reply in time); PW_EWIRE / PW_EVERSION
 * (unreadable reply); PW_ESHUTDOWN (interrupted by a stop signal); PW_EZMQ. */
int pw_client_call(struct pw_client *c, Planwatch__V1__MsgType type, const ProtobufCMessage *req,
                   int timeout_ms, Planwatch__V1__MsgType *rtype, ProtobufCMessage **reply);
/* The same, decoding the reply with allocator a (an arena: the caller
 * releases the reply with the arena; NULL: malloc, as pw_client_call). */
int pw_client_call_with(struct pw_client *c, Planwatch__V1__MsgType type,
                        const ProtobufCMessage *req, int timeout_ms,
                        Planwatch__V1__MsgType *rtype, ProtobufCMessage **reply,
                        ProtobufCAllocator *a);

/* Pings the service c is connected to: returns 1 when it answered within
 * timeout_ms (and, if need_ready, said it is ready; its seq in *seq if not
 * NULL), else 0. */
int pw_client_ping(struct pw_client *c, int timeout_ms, int need_ready, uint64_t *seq);

/* A store query: kind plus the fields already set in q. On success *reply
 * has code 0; a non-zero code is returned as the result (the reply freed). */
int pw_client_query(struct pw_client *c, Planwatch__V1__Query *q, int timeout_ms,
                    Planwatch__V1__QueryReply **reply);

#endif
