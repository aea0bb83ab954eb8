/* cli_conn.h - the CLI's connection to one planwatch service (ingest or
 * store): its own ZeroMQ context and a pw_client with the --timeout-ms
 * deadline on every request. Failures are printed to stderr in words a
 * user can act on ("store at EP did not answer within N ms"), so callers
 * only map the returned code to an exit status. Not thread-safe. */
#ifndef PW_CLI_CONN_H
#define PW_CLI_CONN_H

#include "catalog.h"
#include "cli_opts.h"
#include "envelope.h"
#include "keys.h"

struct cli_conn;

/* Connects to `service` ("ingest", "store", "alert": used in messages and
 * to pick its public key) at endpoint (copied), with o's timeout and
 * security: over CURVE with o's key and the service's public key file, or
 * plain text when o->insecure. Returns 0 and *out (caller closes), or
 * PW_EZMQ / PW_ENOMEM / a key error (cli_conn_keys) after printing why. */
int cli_conn_open(struct cli_conn **out, const struct cli_opts *o, const char *service,
                  const char *endpoint);

/* Loads what a CURVE client of `service` needs: o's key pair into *self and
 * the service's public key into server_pub (PW_KEY_Z85_LEN + 1 bytes).
 * Returns 0 (self->pub "" when o->insecure), or PW_EINVAL (a key file not
 * given), PW_EIO, PW_EKEY, PW_EKEY_PERM after printing why. */
int cli_conn_keys(const struct cli_opts *o, const char *service, struct pw_keypair *self,
                  char *server_pub);

/* Secures a socket the CLI connects itself (a SUB) as a client of
 * `service`, per o. Returns 0 or an error after printing why. */
int cli_conn_secure(const struct cli_opts *o, void *sock, const char *service);

/* Closes the client and terminates the context; accepts NULL, nulls *c. */
void cli_conn_close(struct cli_conn **c);

/* One request: sends req as `type`, waits up to the timeout. On success
 * *rtype / *reply are the answer (caller frees *reply with
 * protobuf_c_message_free_unpacked); an MSG_ERROR answer is returned as
 * its code after printing its reason. Returns 0, PW_EUNAVAILABLE (no answer
 * in time), PW_EWIRE / PW_EVERSION (unreadable answer), PW_ESHUTDOWN, PW_EZMQ
 * or the ErrorReply's code; every failure is printed. */
int cli_conn_call(struct cli_conn *c, Planwatch__V1__MsgType type, const ProtobufCMessage *req,
                  Planwatch__V1__MsgType *rtype, ProtobufCMessage **reply);

/* A store query (MSG_QUERY -> MSG_QUERY_REPLY). Returns 0 and *reply (caller
 * frees with planwatch__v1__query_reply__free_unpacked), a transport
 * failure as cli_conn_call, or the reply's non-zero code. Every failure is
 * printed except a reply code equal to `quiet` (one the caller explains
 * itself, e.g. PW_ENOTFOUND; 0: none). */
int cli_conn_query(struct cli_conn *c, Planwatch__V1__Query *q, int quiet,
                   Planwatch__V1__QueryReply **reply);

/* Loads the catalog the store runs with (QUERY_CATALOG, then
 * pw_catalog_load_buffers). Returns 0 and *out (caller closes), or an error
 * code after printing why. */
int cli_conn_catalog(struct cli_conn *c, struct pw_catalog **out);

#endif
