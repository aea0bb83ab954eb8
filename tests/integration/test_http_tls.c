/* test_http_tls.c - planwatch-http serving HTTPS (--tls-cert, --tls-key).
 * The test makes its own certificate authority and a server certificate
 * for 127.0.0.1 and localhost with the openssl command (nothing about
 * certificates is committed), starts the real planwatch-http with them and
 * checks with libcurl: a client verifying against the test CA gets 200;
 * plain HTTP to the TLS port gets no answer; a client trusting another CA
 * refuses the server; a client that never finishes its handshake is cut at
 * --request-deadline-s; a key file group may read, or only one of the two
 * files, stops the door at start with a clear error. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "ts_proc.h"
#include "zsock.h"

static struct hs_cluster cl;
static char dir[300];

static const char *path_of(const char *name)
{
    static char buf[4][400];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 400, "%s/%s", dir, name);
    return b;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("failed: %s", cmd);
}

/* A CA (NAME-ca.pem, NAME-ca.key) in dir. */
static void make_ca(const char *name)
{
    sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-keyout %s-ca.key -out %s-ca.pem -days 2 -subj /CN=planwatch-test-%s 2>>openssl.log",
       dir, name, name, name);
}

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    hs_init(&cl, "http_tls", NULL);
    snprintf(dir, sizeof dir, "%s/tls", cl.dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        fail_msg("openssl is needed to make the test's certificates (scripts/deps.sh)");
    make_ca("test");
    make_ca("other");
    sh("cd '%s' && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf && "
       "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key "
       "-out server.csr -subj /CN=localhost 2>>openssl.log && "
       "openssl x509 -req -in server.csr -CA test-ca.pem -CAkey test-ca.key -CAcreateserial "
       "-out server.pem -days 2 -extfile ext.cnf 2>>openssl.log && chmod 600 server.key && "
       "cp server.key open.key && chmod 640 open.key",
       dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_fini(&cl);
    curl_global_cleanup();
    return 0;
}

static size_t drop(char *p, size_t sz, size_t n, void *arg)
{
    (void)p, (void)arg;
    return sz * n;
}

/* GET url trusting cafile (NULL: the system's). Returns curl's result and
 * *status (0: no HTTP answer). */
static CURLcode get(const char *url, const char *cafile, long *status)
{
    CURL *cu = curl_easy_init();
    assert_non_null(cu);
    curl_easy_setopt(cu, CURLOPT_URL, url);
    if (cafile)
        curl_easy_setopt(cu, CURLOPT_CAINFO, cafile);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, drop);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(cu);
    *status = 0;
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(cu);
    return rc;
}

/* Starts planwatch-http (no store behind it: /api/v1/openapi.yaml needs
 * none) with the extra flags; its log is DIR/LOG.log. */
static pid_t start(int port, const char *log, const char *const *flags)
{
    struct ts_proc_argv a;
    char logpath[400];
    int rc = 0;
    ts_proc_argv_init(&a);
    rc |= ts_proc_arg(&a, "%s", hs_bin("http"));
    rc |= ts_proc_arg(&a, "--insecure");
    rc |= ts_proc_arg(&a, "--listen=127.0.0.1:%d", port);
    rc |= ts_proc_arg(&a, "--ingest=tcp://127.0.0.1:%d", hs_free_port());
    rc |= ts_proc_arg(&a, "--store=tcp://127.0.0.1:%d", hs_free_port());
    for (size_t i = 0; flags[i]; i++)
        rc |= ts_proc_arg(&a, "%s", flags[i]);
    assert_int_equal(rc, 0);
    snprintf(logpath, sizeof logpath, "%s/%s.log", cl.dir, log);
    pid_t pid = ts_proc_spawn(a.argv, logpath);
    assert_true(pid > 0);
    return pid;
}

static void test_https(void **state)
{
    (void)state;
    char url[128], cert[400], key[400], ca[400], other[400];
    long status = 0;
    snprintf(cert, sizeof cert, "--tls-cert=%s", path_of("server.pem"));
    snprintf(key, sizeof key, "--tls-key=%s", path_of("server.key"));
    snprintf(ca, sizeof ca, "%s", path_of("test-ca.pem"));
    snprintf(other, sizeof other, "%s", path_of("other-ca.pem"));
    const char *const flags[] = {cert, key, "--request-deadline-s=2", NULL};
    int port = hs_free_port();
    cl.http_pid = start(port, "http", flags); /* hs_fini stops it: SIGTERM, exit 0 */

    /* verified against the test CA: 200 (waiting for the door to listen) */
    snprintf(url, sizeof url, "https://127.0.0.1:%d/api/v1/openapi.yaml", port);
    int64_t end = pw_now_ms() + 20000;
    CURLcode rc;
    while ((rc = get(url, ca, &status)) != CURLE_OK && pw_now_ms() < end) {
        assert_int_equal(ts_proc_wait_exit(cl.http_pid, 0), -1); /* still running */
        struct pollfd none;
        poll(&none, 0, 50); /* paced readiness probe, with a deadline */
    }
    if (rc != CURLE_OK)
        fail_msg("HTTPS with the test CA: %s", curl_easy_strerror(rc));
    assert_int_equal(status, 200);
    snprintf(url, sizeof url, "https://localhost:%d/api/v1/openapi.yaml", port);
    assert_int_equal(get(url, ca, &status), CURLE_OK);
    assert_int_equal(status, 200);
    assert_true(hs_log_has(&cl, "http", "tls=on"));

    /* a client trusting another CA refuses the server */
    snprintf(url, sizeof url, "https://127.0.0.1:%d/api/v1/openapi.yaml", port);
    rc = get(url, other, &status);
    if (rc != CURLE_PEER_FAILED_VERIFICATION)
        fail_msg("a client trusting another CA: %s (HTTP %ld), expected a failed verification",
                 curl_easy_strerror(rc), status);
    assert_int_equal(status, 0);

    /* plain HTTP to the TLS port: no HTTP answer */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/openapi.yaml", port);
    rc = get(url, NULL, &status);
    assert_int_not_equal(rc, CURLE_OK);
    assert_int_equal(status, 0);

    /* a client that never says a word (no handshake) keeps no slot past
     * the deadline */
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int64_t t0 = pw_now_ms();
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct pollfd p = {fd, POLLIN, 0};
    char c;
    assert_int_equal(poll(&p, 1, 20000), 1); /* the close, with a deadline */
    assert_true(recv(fd, &c, 1, 0) <= 0);
    int64_t took = pw_now_ms() - t0;
    close(fd);
    if (took < 1900)
        fail_msg("a silent client was cut after %lld ms, before the 2 s deadline", (long long)took);

    /* and the door still serves TLS after all that */
    snprintf(url, sizeof url, "https://127.0.0.1:%d/api/v1/openapi.yaml", port);
    assert_int_equal(get(url, ca, &status), CURLE_OK);
    assert_int_equal(status, 200);
}

/* Refused at start, with a reason naming the fix. */
static void expect_refused(const char *log, const char *const *flags, const char *why)
{
    char logpath[400];
    pid_t pid = start(hs_free_port(), log, flags);
    int st = ts_proc_wait_exit(pid, 20000);
    if (st != 1) {
        if (st < 0)
            ts_proc_stop(pid, SIGKILL, 5000);
        fail_msg("%s: exit %d, expected 1", log, st);
    }
    snprintf(logpath, sizeof logpath, "%s/%s.log", cl.dir, log);
    char *text = hs_read_file(logpath, NULL);
    if (!strstr(text, why))
        fail_msg("%s: no '%s' in the log:\n%s", log, why, text);
    free(text);
}

static void test_refused_at_start(void **state)
{
    (void)state;
    char cert[400], key[400], open_key[400];
    snprintf(cert, sizeof cert, "--tls-cert=%s", path_of("server.pem"));
    snprintf(key, sizeof key, "--tls-key=%s", path_of("server.key"));
    snprintf(open_key, sizeof open_key, "--tls-key=%s", path_of("open.key"));
    /* a key group may read: like a CURVE secret key file */
    expect_refused("open-key", (const char *const[]){cert, open_key, NULL}, "PW_EKEY_PERM");
    expect_refused("open-key", (const char *const[]){cert, open_key, NULL}, "chmod 600");
    /* one without the other */
    expect_refused("no-key", (const char *const[]){cert, NULL}, "missing=--tls-key");
    expect_refused("no-cert", (const char *const[]){key, NULL}, "missing=--tls-cert");
    /* a certificate that is not one */
    char bad[400];
    snprintf(bad, sizeof bad, "--tls-cert=%s", path_of("ext.cnf"));
    expect_refused("bad-cert", (const char *const[]){bad, key, NULL}, "cannot listen");
}

/* Beyond loopback without TLS: a warning at start. */
static void test_warning_without_tls(void **state)
{
    (void)state;
    struct ts_proc_argv a;
    char logpath[400];
    int rc = 0;
    ts_proc_argv_init(&a);
    rc |= ts_proc_arg(&a, "%s", hs_bin("http"));
    rc |= ts_proc_arg(&a, "--insecure");
    rc |= ts_proc_arg(&a, "--read-auth");
    rc |= ts_proc_arg(&a, "--listen=*:%d", hs_free_port());
    rc |= ts_proc_arg(&a, "--ingest=tcp://127.0.0.1:%d", hs_free_port());
    rc |= ts_proc_arg(&a, "--store=tcp://127.0.0.1:%d", hs_free_port());
    assert_int_equal(rc, 0);
    snprintf(logpath, sizeof logpath, "%s/anywhere.log", cl.dir);
    pid_t pid = ts_proc_spawn(a.argv, logpath);
    assert_true(pid > 0);
    int seen = hs_log_wait(&cl, "anywhere", "msg=\"listening beyond loopback without TLS", 20000);
    assert_int_equal(ts_proc_stop(pid, SIGTERM, 5000), 0);
    assert_true(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https),
        cmocka_unit_test(test_refused_at_start),
        cmocka_unit_test(test_warning_without_tls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
