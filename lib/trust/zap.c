/* zap.c - ZAP handler (see zap.h). A request is 7+ frames: version "1.0",
 * request id, domain, address, routing id, mechanism, then the mechanism's
 * credentials (CURVE: the client's 32-byte public key). The reply is 6
 * frames: version, request id, status code ("200" / "400"), status text,
 * user id, metadata (empty). A malformed request is answered 500 when it
 * can be, so libzmq never waits on it. */
#include "zap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "err.h"
#include "log.h"
#include "ratelog.h"
#include "zsock.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_FRAMES 8
/* Refusals logged per minute: anyone with a service's public key can make
 * handshakes fail, as fast as they like; the rest are counted. */
#define ZAP_LOG_PER_MIN 10

struct pw_zap {
    void *sock;
    const struct pw_registry *reg;
    struct pw_metric *allowed, *denied; /* NULL: not counted */
    struct pw_ratelog log;              /* refusals: ZAP_LOG_PER_MIN lines a minute */
};

/* Whether this refusal gets its own log line. */
static int zap_log_refusal(struct pw_zap *z)
{
    return pw_ratelog_allow(&z->log, pw_now_ms());
}

int pw_zap_decide(const struct pw_registry *reg, const char *domain, const char *mechanism,
                  const uint8_t *key, size_t keylen, const struct pw_principal **who,
                  const char **why)
{
    const struct pw_principal *p;
    *who = NULL;
    if (strcmp(mechanism, "CURVE") != 0) {
        *why = "only CURVE connections are accepted";
        return 0;
    }
    if (keylen != 32 || !(p = pw_registry_find_key(reg, key))) {
        *why = "unknown key: not in the registry";
        return 0;
    }
    if (!strcmp(domain, PW_ZAP_OFFICE) || p->service ||
        (!strcmp(domain, PW_ZAP_QUERY) && (p->read || p->manage)) ||
        (!strcmp(domain, PW_ZAP_ALERTS) && p->subscribe)) {
        *who = p;
        return 1;
    }
    *why = !strcmp(domain, PW_ZAP_QUERY)    ? "this identity may not read (registry: read: true or manage: true)"
           : !strcmp(domain, PW_ZAP_ALERTS) ? "this identity may not subscribe (registry: subscribe: true)"
                                            : "only planwatch services may connect here";
    return 0;
}

int pw_zap_open(void *ctx, const struct pw_registry *reg, struct pw_zap **out)
{
    struct pw_zap *z = calloc(1, sizeof *z);
    if (!z)
        return PW_ENOMEM;
    z->reg = reg;
    pw_ratelog_init(&z->log, "connection refusals", ZAP_LOG_PER_MIN);
    int rc = pw_zsock_new(ctx, ZMQ_REP, 0, &z->sock);
    if (!rc && (rc = pw_zsock_bind(z->sock, ZAP_ENDPOINT)))
        pw_zsock_close(&z->sock);
    if (rc) {
        free(z);
        return rc;
    }
    *out = z;
    return 0;
}

void pw_zap_set_registry(struct pw_zap *z, const struct pw_registry *reg)
{
    z->reg = reg;
}

void *pw_zap_socket(const struct pw_zap *z)
{
    return z->sock;
}

static void zap_copy(const zmq_msg_t *m, char *buf, size_t n)
{
    size_t len = zmq_msg_size((zmq_msg_t *)m);
    if (len >= n)
        len = n - 1;
    memcpy(buf, zmq_msg_data((zmq_msg_t *)m), len);
    buf[len] = '\0';
    pw_log_safe(buf);
}

static void zap_reply(struct pw_zap *z, const zmq_msg_t *reqid, const char *code,
                      const char *text, const char *user)
{
    zmq_msg_t id;
    zmq_msg_init(&id);
    if (reqid)
        zmq_msg_copy(&id, (zmq_msg_t *)reqid);
    zmq_send(z->sock, "1.0", 3, ZMQ_SNDMORE);
    zmq_msg_send(&id, z->sock, ZMQ_SNDMORE);
    zmq_msg_close(&id);
    zmq_send(z->sock, code, strlen(code), ZMQ_SNDMORE);
    zmq_send(z->sock, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(z->sock, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(z->sock, "", 0, 0);
}

static void zap_handle(struct pw_zap *z, struct pw_frames *fr)
{
    char domain[64], address[64], mech[16], keytxt[65];
    const struct pw_principal *who = NULL;
    const char *why = "malformed ZAP request";
    if (fr->n < 6) {
        pw_metric_inc(z->denied, 1);
        pw_warn("msg=\"malformed ZAP request\" frames=%d", fr->n);
        zap_reply(z, fr->n > 1 ? &fr->f[1] : NULL, "500", why, "");
        return;
    }
    zap_copy(&fr->f[2], domain, sizeof domain);
    zap_copy(&fr->f[3], address, sizeof address);
    zap_copy(&fr->f[5], mech, sizeof mech);
    const uint8_t *key = fr->n > 6 ? zmq_msg_data(&fr->f[6]) : NULL;
    size_t keylen = fr->n > 6 ? zmq_msg_size(&fr->f[6]) : 0;
    if (pw_zap_decide(z->reg, domain, mech, key, keylen, &who, &why)) {
        pw_metric_inc(z->allowed, 1);
        pw_debug("msg=\"connection admitted\" domain=%s address=%s identity=%s", domain, address,
                 who->id);
        zap_reply(z, &fr->f[1], "200", "OK", who->id);
        return;
    }
    pw_metric_inc(z->denied, 1);
    zap_reply(z, &fr->f[1], "400", why, "");
    if (!zap_log_refusal(z))
        return;
    keytxt[0] = '\0';
    if (keylen == 32) {
        char z85[PW_KEY_Z85_LEN + 1];
        zmq_z85_encode(z85, key, 32);
        snprintf(keytxt, sizeof keytxt, "%s", z85);
    }
    pw_warn("msg=\"connection refused\" domain=%s address=%s mechanism=%s key=\"%s\" reason=\"%s\"",
            domain, address, mech, keytxt, why);
}

int pw_zap_serve(struct pw_zap *z)
{
    int n = 0;
    for (;;) {
        struct pw_frames fr;
        int rc = pw_zsock_recv(z->sock, &fr, ZMQ_DONTWAIT);
        if (rc == PW_EWIRE) {
            /* too many frames: already drained; the REP still owes a reply */
            pw_frames_close(&fr);
            zap_reply(z, NULL, "500", "malformed ZAP request", "");
            continue;
        }
        if (rc)
            return n;
        zap_handle(z, &fr);
        pw_frames_close(&fr);
        n++;
    }
}

void pw_zap_metrics(struct pw_zap *z, struct pw_metric *allowed, struct pw_metric *denied)
{
    z->allowed = allowed;
    z->denied = denied;
}

void pw_zap_close(struct pw_zap **zp)
{
    if (!zp || !*zp)
        return;
    pw_zsock_close(&(*zp)->sock);
    free(*zp);
    *zp = NULL;
}
