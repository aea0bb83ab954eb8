/* sec.c - a service's security (see sec.h). */
#include "sec.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "zap.h"

struct pw_sec {
    int on;
    struct pw_keypair keys;
    struct pw_registry *reg;
    struct pw_zap *zap;
};

static int sec_fail(const char *what, int rc, const struct pw_diag *d)
{
    char msg[600];
    pw_error("msg=\"%s\" %s", what, pw_diag_format(d, NULL, msg, sizeof msg));
    return rc;
}

int pw_sec_open(void *ctx, int insecure, const char *secret_key, const char *registry,
                const struct pw_catalog *cat, struct pw_sec **out)
{
    struct pw_sec *s = calloc(1, sizeof *s);
    struct pw_diag d = {0};
    int rc = 0;
    if (!s)
        return PW_ENOMEM;
    if (insecure) {
        pw_warn("msg=\"security is OFF (--insecure): no CURVE encryption, no authentication, "
                "any office may write anything - local development only\"");
        *out = s;
        return 0;
    }
    s->on = 1;
    if (!secret_key || !secret_key[0] || (registry && !registry[0])) {
        pw_error("msg=\"security is on: give --secret-key (this service's NAME.key_secret from "
                 "planwatch keygen) and --registry (the office registry), or --insecure for "
                 "local development\"");
        rc = PW_EINVAL;
    } else if ((rc = pw_keys_load_secret(secret_key, &s->keys, &d))) {
        sec_fail("cannot load the secret key", rc, &d);
    } else if (!registry) {
        pw_info("msg=\"security on: CURVE client\" public_key=\"%s\"", s->keys.pub);
    } else if ((rc = pw_registry_load_file(&s->reg, registry, &d))) {
        sec_fail("registry rejected", rc, &d);
    } else if (cat && (rc = pw_registry_check(s->reg, cat, &d))) {
        sec_fail("registry does not match the catalog", rc, &d);
    } else if (!(rc = pw_zap_open(ctx, s->reg, &s->zap))) {
        pw_info("msg=\"security on: CURVE\" public_key=\"%s\" registry=\"%s\" identities=%zu",
                s->keys.pub, registry, pw_registry_count(s->reg));
    }
    if (rc) {
        pw_sec_close(&s);
        return rc;
    }
    *out = s;
    return 0;
}

void pw_sec_close(struct pw_sec **sp)
{
    if (!sp || !*sp)
        return;
    pw_zap_close(&(*sp)->zap);
    pw_registry_close(&(*sp)->reg);
    explicit_bzero(&(*sp)->keys, sizeof (*sp)->keys);
    free(*sp);
    *sp = NULL;
}

int pw_sec_on(const struct pw_sec *s)
{
    return s && s->on;
}

int pw_sec_peer_key(const struct pw_sec *s, const char *path, const char *what, char *pub)
{
    struct pw_diag d = {0};
    pub[0] = '\0';
    if (!pw_sec_on(s))
        return 0;
    if (!path || !path[0]) {
        pw_error("msg=\"security is on: give %s (the peer's public key file NAME.key)\"", what);
        return PW_EINVAL;
    }
    int rc = pw_keys_load_public(path, pub, &d);
    return rc ? sec_fail("cannot load a public key", rc, &d) : 0;
}

int pw_sec_server(const struct pw_sec *s, void *sock, const char *domain)
{
    return pw_sec_on(s) ? pw_keys_curve_server(sock, &s->keys, domain) : 0;
}

int pw_sec_client(const struct pw_sec *s, void *sock, const char *server_pub)
{
    return pw_sec_on(s) ? pw_keys_curve_client(sock, &s->keys, server_pub) : 0;
}

const struct pw_keypair *pw_sec_keys(const struct pw_sec *s)
{
    return pw_sec_on(s) ? &s->keys : NULL;
}

int pw_sec_metrics(struct pw_sec *s, struct pw_metrics *m, const char *prefix)
{
    struct pw_metric *allowed = NULL, *denied = NULL;
    const struct pw_metric_def defs[] = {
        {&allowed, PW_METRIC_COUNTER, "zap_allowed_total", NULL, "CURVE handshakes admitted"},
        {&denied, PW_METRIC_COUNTER, "zap_denied_total", NULL,
         "CURVE handshakes refused (unknown key, wrong domain, plain text)"},
    };
    int rc = pw_metrics_add_table(m, prefix, defs, 2);
    if (s->zap)
        pw_zap_metrics(s->zap, allowed, denied);
    return rc;
}

void *pw_sec_zap_socket(const struct pw_sec *s)
{
    return pw_sec_on(s) && s->zap ? pw_zap_socket(s->zap) : NULL;
}

void pw_sec_zap_serve(struct pw_sec *s)
{
    if (pw_sec_on(s) && s->zap)
        pw_zap_serve(s->zap);
}

static int sec_on_zap(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    pw_sec_zap_serve(arg);
    return 0;
}

int pw_sec_zap_register(struct pw_sec *s, struct pw_reactor *r)
{
    void *zap = pw_sec_zap_socket(s);
    if (zap && pw_reactor_socket(r, zap, ZMQ_POLLIN, sec_on_zap, s, NULL))
        return PW_ENOMEM;
    return 0;
}

const char *pw_sec_user(const zmq_msg_t *frame)
{
    return zmq_msg_gets((zmq_msg_t *)frame, "User-Id");
}

const struct pw_principal *pw_sec_principal(const struct pw_sec *s, const zmq_msg_t *frame)
{
    return pw_sec_on(s) && s->reg ? pw_registry_find(s->reg, pw_sec_user(frame)) : NULL;
}
