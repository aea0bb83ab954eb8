/* sec.c - a service's security (see sec.h). */
#include "sec.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "vec.h"
#include "zap.h"
#include "zsock.h"

struct pw_sec {
    int on;
    int anywhere;                  /* --insecure-anywhere */
    struct pw_keypair keys;
    struct pw_registry *reg;
    struct pw_zap *zap;
    char *reg_path;                /* the registry file, for reloads */
    const struct pw_catalog *cat;  /* borrowed: reloads are checked against it */
    struct pw_registry **old;      /* replaced by reloads, freed at close */
    size_t nold, capold;
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
    s->cat = cat;
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
    } else if (!(s->reg_path = strdup(registry))) {
        rc = PW_ENOMEM;
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
    for (size_t i = 0; i < (*sp)->nold; i++)
        pw_registry_close(&(*sp)->old[i]);
    free((*sp)->old);
    free((*sp)->reg_path);
    explicit_bzero(&(*sp)->keys, sizeof (*sp)->keys);
    free(*sp);
    *sp = NULL;
}

int pw_sec_reload(struct pw_sec *s)
{
    struct pw_registry *reg = NULL;
    struct pw_diag d = {0};
    int rc;
    if (!pw_sec_on(s) || !s->reg)
        return 0;
    if ((rc = pw_registry_load_file(&reg, s->reg_path, &d)) ||
        (s->cat && (rc = pw_registry_check(reg, s->cat, &d)))) {
        pw_registry_close(&reg);
        return sec_fail("registry reload refused: the old registry stays", rc, &d);
    }
    if (pw_vec_grow((void **)&s->old, &s->capold, s->nold + 1, sizeof *s->old)) {
        pw_registry_close(&reg);
        pw_error("msg=\"registry reload refused: out of memory\"");
        return PW_ENOMEM;
    }
    s->old[s->nold++] = s->reg;
    s->reg = reg;
    pw_zap_set_registry(s->zap, reg);
    pw_info("msg=\"registry reloaded\" registry=\"%s\" identities=%zu", s->reg_path,
            pw_registry_count(reg));
    return 0;
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

void pw_sec_insecure_anywhere(struct pw_sec *s, int yes)
{
    s->anywhere = yes;
}

int pw_sec_loopback(const char *ep)
{
    static const char *const local[] = {"ipc://", "inproc://", "tcp://127.", "tcp://localhost:",
                                        "tcp://[::1]:", NULL};
    for (int i = 0; local[i]; i++)
        if (!strncmp(ep, local[i], strlen(local[i])))
            return 1;
    return 0;
}

int pw_sec_bind(const struct pw_sec *s, void *sock, const char *domain, const char *endpoint)
{
    int rc;
    if (!pw_sec_on(s) && !s->anywhere && !pw_sec_loopback(endpoint)) {
        pw_error("msg=\"refusing to bind a non-loopback address with --insecure: plain text, "
                 "no authentication; bind tcp://127.0.0.1:PORT, turn security on, or add "
                 "--insecure-anywhere\" endpoint=\"%s\"", endpoint);
        return PW_EINVAL;
    }
    if ((rc = pw_sec_server(s, sock, domain)))
        return rc;
    return pw_zsock_bind(sock, endpoint);
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

/* SIGHUP: a refused file is logged and the service goes on with the old one. */
static int sec_on_reload(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    pw_sec_reload(arg);
    return 0;
}

int pw_sec_zap_register(struct pw_sec *s, struct pw_reactor *r)
{
    void *zap = pw_sec_zap_socket(s);
    if (zap && pw_reactor_socket(r, zap, ZMQ_POLLIN, sec_on_zap, s, NULL))
        return PW_ENOMEM;
    if (zap)
        pw_reactor_on_reload(r, sec_on_reload, s);
    return 0;
}

const char *pw_sec_user(const zmq_msg_t *frame)
{
    return zmq_msg_gets((zmq_msg_t *)frame, "User-Id");
}

const struct pw_registry *pw_sec_registry(const struct pw_sec *s)
{
    return pw_sec_on(s) ? s->reg : NULL;
}

const struct pw_principal *pw_sec_principal(const struct pw_sec *s, const zmq_msg_t *frame)
{
    return pw_sec_on(s) && s->reg ? pw_registry_find(s->reg, pw_sec_user(frame)) : NULL;
}
