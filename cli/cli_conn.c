/* cli_conn.c - one service connection of the CLI (see cli_conn.h). Every
 * request goes through pw_client_call, whose deadline and socket reset keep
 * a late answer from being read as the next request's. */
#include "cli_conn.h"
#include "cli_text.h"

#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "client.h"
#include "err.h"
#include "msg.h"

struct cli_conn {
    void *ctx;
    struct pw_client *client;
    char *service;
    char *endpoint;
    int timeout_ms;
    int curve;
};

int cli_conn_keys(const struct cli_opts *o, const char *service, struct pw_keypair *self,
                  char *server_pub)
{
    struct pw_diag d = {0};
    char msg[600];
    int alert = !strcmp(service, "alert"), ingest = !strcmp(service, "ingest");
    const char *path = alert ? o->alerts_key : ingest ? o->ingest_key : o->store_key;
    const char *flag = alert ? "--alerts-key" : ingest ? "--ingest-key" : "--store-key";
    memset(self, 0, sizeof *self);
    server_pub[0] = '\0';
    if (o->insecure)
        return 0;
    if (!o->key || !path) { /* name only what is missing */
        fprintf(stderr, "planwatch: the services use CURVE: give %s%s%s%s%s%s%s, or --insecure "
                        "for services started with --insecure\n",
                o->key ? "" : "--key (your NAME.key_secret from planwatch keygen, its public "
                              "key in the office registry)",
                o->key || path ? "" : " and ", path ? "" : flag, path ? "" : " (the ",
                path ? "" : service, path ? "" : "'s public key file ", path ? "" : ".key)");
        return PW_EINVAL;
    }
    int rc = pw_keys_load_secret(o->key, self, &d);
    if (!rc)
        rc = pw_keys_load_public(path, server_pub, &d);
    if (rc)
        fprintf(stderr, "planwatch: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
    return rc;
}

int cli_conn_secure(const struct cli_opts *o, void *sock, const char *service)
{
    struct pw_keypair self;
    char server[PW_KEY_Z85_LEN + 1];
    int rc = cli_conn_keys(o, service, &self, server);
    if (!rc && !o->insecure && (rc = pw_keys_curve_client(sock, &self, server)))
        fprintf(stderr, "planwatch: cannot set up CURVE [%s]\n", pw_errname(rc));
    explicit_bzero(&self, sizeof self);
    return rc;
}

int cli_conn_open(struct cli_conn **out, const struct cli_opts *o, const char *service,
                  const char *endpoint)
{
    struct cli_conn *c = calloc(1, sizeof *c);
    struct pw_keypair self;
    char server[PW_KEY_Z85_LEN + 1];
    int rc = PW_ENOMEM;
    memset(&self, 0, sizeof self);
    if (!c || !(c->service = strdup(service)) || !(c->endpoint = strdup(endpoint)))
        goto fail;
    c->timeout_ms = o->timeout_ms;
    c->curve = !o->insecure;
    if ((rc = cli_conn_keys(o, service, &self, server))) {
        cli_conn_close(&c);
        return rc; /* printed */
    }
    rc = PW_EZMQ;
    if (!(c->ctx = zmq_ctx_new()))
        goto fail;
    if ((rc = pw_client_open_curve(c->ctx, endpoint, c->curve ? &self : NULL, server, &c->client)))
        goto fail;
    explicit_bzero(&self, sizeof self);
    *out = c;
    return 0;
fail:
    explicit_bzero(&self, sizeof self);
    if (rc == PW_ENOMEM)
        fputs("planwatch: out of memory\n", stderr);
    else
        fprintf(stderr, "planwatch: cannot connect to %s at '%s' [%s]\n", service, endpoint,
                pw_errname(rc));
    cli_conn_close(&c);
    return rc;
}

void cli_conn_close(struct cli_conn **cp)
{
    if (!cp || !*cp)
        return;
    struct cli_conn *c = *cp;
    pw_client_close(&c->client);
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    free(c->service);
    free(c->endpoint);
    free(c);
    *cp = NULL;
}

/* Prints a transport failure of a call in the user's terms. */
static void conn_print_transport(const struct cli_conn *c, int rc)
{
    switch (rc) {
    case PW_EUNAVAILABLE:
        fprintf(stderr, "planwatch: %s at %s did not answer within %d ms%s\n", c->service,
                c->endpoint, c->timeout_ms,
                c->curve ? " (with CURVE, also check its public key file and that the office "
                           "registry admits your key)"
                         : "");
        break;
    case PW_ESHUTDOWN: break; /* the user interrupted: nothing to explain */
    case PW_EWIRE:
    case PW_EVERSION:
        fprintf(stderr, "planwatch: %s at %s sent an unreadable answer [%s]\n", c->service,
                c->endpoint, pw_errname(rc));
        break;
    default:
        fprintf(stderr, "planwatch: cannot talk to %s at %s: %s [%s]\n", c->service, c->endpoint,
                pw_strerror(rc), pw_errname(rc));
    }
}

int cli_conn_call(struct cli_conn *c, Planwatch__V1__MsgType type, const ProtobufCMessage *req,
                  Planwatch__V1__MsgType *rtype, ProtobufCMessage **reply)
{
    ProtobufCMessage *m = NULL;
    int rc = pw_client_call(c->client, type, req, c->timeout_ms, rtype, &m);
    if (rc) {
        conn_print_transport(c, rc);
        return rc;
    }
    if (*rtype == PLANWATCH__V1__MSG_TYPE__MSG_ERROR) {
        const Planwatch__V1__ErrorReply *e = (const Planwatch__V1__ErrorReply *)m;
        struct cli_text x = {0};
        rc = e->code ? e->code : PW_EWIRE;
        fprintf(stderr, "planwatch: %s at %s refused the request: %s [%s]\n", c->service,
                c->endpoint, cli_text(&x, e->reason && e->reason[0] ? e->reason : pw_strerror(rc)),
                pw_errname(rc));
        protobuf_c_message_free_unpacked(m, NULL);
        return rc;
    }
    *reply = m;
    return 0;
}

int cli_conn_query(struct cli_conn *c, Planwatch__V1__Query *q, int quiet,
                   Planwatch__V1__QueryReply **reply)
{
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    int rc = cli_conn_call(c, PLANWATCH__V1__MSG_TYPE__MSG_QUERY, &q->base, &t, &m);
    if (rc)
        return rc;
    if (t != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY) {
        protobuf_c_message_free_unpacked(m, NULL);
        conn_print_transport(c, PW_EWIRE);
        return PW_EWIRE;
    }
    Planwatch__V1__QueryReply *r = (Planwatch__V1__QueryReply *)m;
    if (r->code) {
        rc = r->code;
        if (rc != quiet) {
            struct cli_text x = {0};
            fprintf(stderr, "planwatch: %s at %s: %s [%s]\n", c->service, c->endpoint,
                    cli_text(&x, r->error && r->error[0] ? r->error : pw_strerror(rc)),
                    pw_errname(rc));
        }
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        return rc;
    }
    *reply = r;
    return 0;
}

int cli_conn_catalog(struct cli_conn *c, struct pw_catalog **out)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    struct pw_diag d = {0};
    char msg[600];
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_CATALOG;
    int rc = cli_conn_query(c, &q, 0, &r);
    if (rc)
        return rc;
    if ((rc = pw_msg_catalog_load(r, out, &d)))
        fprintf(stderr, "planwatch: the catalog of %s at %s does not load: %s\n", c->service,
                c->endpoint, pw_diag_format(&d, NULL, msg, sizeof msg));
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return rc;
}
