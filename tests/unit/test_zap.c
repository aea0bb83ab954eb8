/* test_zap.c - the ZAP handler and pw_sec on real sockets (CURVE over ipc
 * in a temp dir, one context, the handler served from the test's own poll
 * loop as a service does): a registered key is admitted and its id is the
 * message's User-Id; an unknown key, a plain-text client and a client that
 * expects another server key get nothing through; each domain admits whom
 * the registry says; pw_zap_decide's reasons; pw_sec's refusals to start
 * without keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"
#include "sec.h"
#include "zap.h"
#include "zsock.h"

static char dir[256];
static struct pw_keypair server_kp, office_kp, reader_kp, stranger_kp, service_kp;
static char regpath[300], secpath[300];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    struct pw_diag d;
    char text[2000];
    pw_log_init("test", PW_LOG_ERROR);
    snprintf(dir, sizeof dir, "%s/pw-zap-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    if (pw_keys_generate(&server_kp) || pw_keys_generate(&office_kp) ||
        pw_keys_generate(&reader_kp) || pw_keys_generate(&stranger_kp) ||
        pw_keys_generate(&service_kp) || pw_keys_write(dir, "server", &server_kp, 0, &d))
        return -1;
    snprintf(text, sizeof text,
             "version: 1\n"
             "services:\n  - {id: alert, key: \"%s\"}\n"
             "offices:\n"
             "  - {id: pj2, key: \"%s\", write: {projects: [p3.pj2]}}\n"
             "  - {id: reader, key: \"%s\", read: true}\n",
             service_kp.pub, office_kp.pub, reader_kp.pub);
    snprintf(regpath, sizeof regpath, "%s/registry.yaml", dir);
    snprintf(secpath, sizeof secpath, "%s/server.key_secret", dir);
    write_file(regpath, text);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Serves ZAP until the server socket has a message (1) or 0.8 s pass (0): a refused handshake has no positive signal on the server. */
static int pump(struct pw_sec *sec, void *server, struct pw_frames *fr)
{
    int64_t end = pw_now_ms() + 800;
    while (pw_now_ms() < end) {
        zmq_pollitem_t it[2] = {{server, 0, ZMQ_POLLIN, 0}, {pw_sec_zap_socket(sec), 0, ZMQ_POLLIN, 0}};
        zmq_poll(it, 2, 50);
        if (it[1].revents & ZMQ_POLLIN)
            pw_sec_zap_serve(sec);
        if ((it[0].revents & ZMQ_POLLIN) && pw_zsock_recv(server, fr, ZMQ_DONTWAIT) == 0)
            return 1;
    }
    return 0;
}

/* A DEALER that sends "hi" to ep: as `self` over CURVE expecting server_pub,
 * or plain text when self is NULL. */
static void *client(void *ctx, const char *ep, const struct pw_keypair *self, const char *server_pub)
{
    void *s = NULL;
    assert_int_equal(pw_zsock_new(ctx, ZMQ_DEALER, 0, &s), 0);
    if (self)
        assert_int_equal(pw_keys_curve_client(s, self, server_pub), 0);
    assert_int_equal(pw_zsock_connect(s, ep), 0);
    zmq_send(s, "hi", 2, ZMQ_DONTWAIT);
    return s;
}

/* One server socket under domain; who connects, and whether it gets through
 * (and then as whom). The handshakes the ZAP handler refused are counted in
 * its metrics (returned); one admitted is counted too. A plain-text client
 * or one expecting another server key fails before ZAP is asked. */
static int check_domain(const char *domain, const struct pw_keypair *self, const char *server_pub,
                        const char *want_user)
{
    void *ctx = zmq_ctx_new(), *server = NULL;
    struct pw_sec *sec = NULL;
    struct pw_metrics *m = NULL;
    struct pw_frames fr;
    char ep[320];
    static int n;
    snprintf(ep, sizeof ep, "ipc://%s/s%d", dir, n++);
    assert_int_equal(pw_sec_open(ctx, 0, secpath, regpath, NULL, &sec), 0);
    assert_true(pw_sec_on(sec));
    assert_int_equal(pw_metrics_open(&m), 0);
    assert_int_equal(pw_sec_metrics(sec, m, "pw_test_"), 0);
    assert_int_equal(pw_zsock_new(ctx, ZMQ_ROUTER, 0, &server), 0);
    assert_int_equal(pw_sec_server(sec, server, domain), 0);
    assert_int_equal(pw_zsock_bind(server, ep), 0);
    void *c = client(ctx, ep, self, server_pub);
    int got = pump(sec, server, &fr);
    if (want_user) {
        assert_true(got);
        assert_string_equal(pw_sec_user(&fr.f[fr.n - 1]), want_user);
        const struct pw_principal *p = pw_sec_principal(sec, &fr.f[fr.n - 1]);
        assert_non_null(p);
        assert_string_equal(p->id, want_user);
        pw_frames_close(&fr);
    } else {
        assert_false(got);
    }
    char *t = NULL;
    size_t len;
    int denied = -1;
    assert_int_equal(pw_metrics_render(m, &t, &len), 0);
    assert_non_null(strstr(t, want_user ? "pw_test_zap_allowed_total 1\n"
                                        : "pw_test_zap_allowed_total 0\n"));
    const char *d = strstr(t, "\npw_test_zap_denied_total "); /* the sample, not its # HELP */
    assert_non_null(d);
    denied = atoi(d + strlen("\npw_test_zap_denied_total "));
    free(t);
    pw_metrics_close(&m);
    pw_zsock_close(&c);
    pw_zsock_close(&server);
    pw_sec_close(&sec);
    zmq_ctx_term(ctx);
    return denied;
}

static void test_admitted_and_refused(void **state)
{
    (void)state;
    assert_int_equal(check_domain(PW_ZAP_OFFICE, &office_kp, server_kp.pub, "pj2"), 0);
    assert_int_equal(check_domain(PW_ZAP_OFFICE, &reader_kp, server_kp.pub, "reader"), 0);
    /* unknown key */
    assert_true(check_domain(PW_ZAP_OFFICE, &stranger_kp, server_kp.pub, NULL) >= 1);
    check_domain(PW_ZAP_OFFICE, NULL, NULL, NULL);                  /* plain text */
    check_domain(PW_ZAP_OFFICE, &office_kp, stranger_kp.pub, NULL); /* wrong server key */
    assert_int_equal(check_domain(PW_ZAP_QUERY, &reader_kp, server_kp.pub, "reader"), 0);
    /* no read: true */
    assert_true(check_domain(PW_ZAP_QUERY, &office_kp, server_kp.pub, NULL) >= 1);
    assert_int_equal(check_domain(PW_ZAP_QUERY, &service_kp, server_kp.pub, "alert"), 0);
    /* no subscribe: true */
    assert_true(check_domain(PW_ZAP_ALERTS, &reader_kp, server_kp.pub, NULL) >= 1);
    assert_true(check_domain(PW_ZAP_INTERNAL, &office_kp, server_kp.pub, NULL) >= 1);
    assert_int_equal(check_domain(PW_ZAP_INTERNAL, &service_kp, server_kp.pub, "alert"), 0);
}

static void test_decide(void **state)
{
    (void)state;
    struct pw_registry *r = NULL;
    struct pw_diag d;
    const struct pw_principal *who;
    const char *why = NULL;
    uint8_t k[32], unknown[32] = {1};
    assert_int_equal(pw_registry_load_file(&r, regpath, &d), 0);
    assert_int_equal(pw_keys_z85_decode(office_kp.pub, k), 0);
    assert_int_equal(pw_zap_decide(r, PW_ZAP_OFFICE, "CURVE", k, 32, &who, &why), 1);
    assert_string_equal(who->id, "pj2");
    assert_int_equal(pw_zap_decide(r, PW_ZAP_OFFICE, "NULL", NULL, 0, &who, &why), 0);
    assert_null(who);
    assert_string_equal(why, "only CURVE connections are accepted");
    assert_int_equal(pw_zap_decide(r, PW_ZAP_OFFICE, "CURVE", unknown, 32, &who, &why), 0);
    assert_string_equal(why, "unknown key: not in the registry");
    assert_int_equal(pw_zap_decide(r, PW_ZAP_OFFICE, "CURVE", k, 31, &who, &why), 0);
    assert_int_equal(pw_zap_decide(r, "elsewhere", "CURVE", k, 32, &who, &why), 0);
    assert_string_equal(why, "only planwatch services may connect here");
    pw_registry_close(&r);
}

static void test_sec_open(void **state)
{
    (void)state;
    void *ctx = zmq_ctx_new(), *sock = NULL;
    struct pw_sec *sec = NULL, *second = NULL;
    char pub[PW_KEY_Z85_LEN + 1], path[400];
    /* insecure: nothing to load, sockets untouched, no identity */
    assert_int_equal(pw_sec_open(ctx, 1, NULL, NULL, NULL, &sec), 0);
    assert_false(pw_sec_on(sec));
    assert_null(pw_sec_zap_socket(sec));
    assert_null(pw_sec_keys(sec));
    assert_int_equal(pw_sec_peer_key(sec, "", "--x", pub), 0);
    assert_string_equal(pub, "");
    assert_int_equal(pw_zsock_new(ctx, ZMQ_ROUTER, 0, &sock), 0);
    assert_int_equal(pw_sec_server(sec, sock, PW_ZAP_OFFICE), 0);
    pw_zsock_close(&sock);
    pw_sec_close(&sec);
    /* secure: key and registry are required and must load */
    assert_int_equal(pw_sec_open(ctx, 0, "", regpath, NULL, &sec), PW_EINVAL);
    assert_int_equal(pw_sec_open(ctx, 0, secpath, "", NULL, &sec), PW_EINVAL);
    /* no registry at all: a service that only connects (CURVE client, no ZAP) */
    assert_int_equal(pw_sec_open(ctx, 0, secpath, NULL, NULL, &sec), 0);
    assert_true(pw_sec_on(sec));
    assert_null(pw_sec_zap_socket(sec));
    assert_non_null(pw_sec_keys(sec));
    pw_sec_close(&sec);
    snprintf(path, sizeof path, "%s/server.key", dir); /* a public key is no secret key */
    assert_int_equal(pw_sec_open(ctx, 0, path, regpath, NULL, &sec), PW_EKEY);
    assert_int_equal(pw_sec_open(ctx, 0, secpath, path, NULL, &sec), PW_EREG_FIELD);
    assert_null(sec);
    assert_int_equal(pw_sec_open(ctx, 0, secpath, regpath, NULL, &sec), 0);
    assert_non_null(pw_sec_keys(sec));
    assert_string_equal(pw_sec_keys(sec)->pub, server_kp.pub);
    assert_int_equal(pw_sec_peer_key(sec, "", "--store-key", pub), PW_EINVAL);
    assert_int_equal(pw_sec_peer_key(sec, path, "--store-key", pub), 0);
    assert_string_equal(pub, server_kp.pub);
    /* one ZAP handler per context */
    assert_int_equal(pw_sec_open(ctx, 0, secpath, regpath, NULL, &second), PW_EZMQ);
    pw_sec_close(&sec);
    zmq_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admitted_and_refused),
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_sec_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
