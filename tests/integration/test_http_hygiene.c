/* test_http_hygiene.c - what planwatch-http does with clients that send
 * too much, too slowly or the wrong thing, against the real services:
 * query parameters that are not UTF-8, hold %00 or name a value the route
 * does not know answer 400 naming the parameter and what it may be; 401
 * and 403 carry their own codes; one address holds at most
 * --max-conns-per-address connections (the next is refused while the
 * others are served); a client trickling its headers or its body is cut at
 * --request-deadline-s; refusal log lines are at most 10 a minute, then one
 * line with how many more; /metrics counts every refusal and every cut
 * (planwatch_http_connections_refused_total, _cut_total). */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"
#include "zsock.h"

#define PER_ADDRESS 4
#define DEADLINE_S 3
#define FLOOD 15 /* refused connections beyond the limit: more than 10 */

static struct hs_cluster cl;
static int metrics_port;

static int setup(void **state)
{
    (void)state;
    static char metrics[40];
    metrics_port = hs_free_port();
    snprintf(metrics, sizeof metrics, "--metrics=127.0.0.1:%d", metrics_port);
    const char *const flags[] = {"--read-auth", "--max-conns-per-address=4",
                                 "--request-deadline-s=3", metrics, NULL};
    hs_curl_start(&cl, "http_hygiene", "2026-03-31", flags);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    return 0;
}

/* A TCP connection to the door (blocking connect). */
static int raw_connect(void)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cl.http_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void raw_send(int fd, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads until the peer closes or `until` appears in what came (NULL: the
 * close), at most ms. Returns the bytes read (malloc'd), and *closed. */
static char *raw_read(int fd, const char *until, int ms, int *closed)
{
    size_t len = 0;
    char *buf = calloc(1, 1);
    int64_t end = pw_now_ms() + ms;
    *closed = 0;
    assert_non_null(buf);
    while (pw_now_ms() < end && !(until && strstr(buf, until))) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(end - pw_now_ms())) <= 0)
            continue;
        char chunk[4096];
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) { /* 0: closed; -1: reset */
            *closed = 1;
            break;
        }
        char *nb = realloc(buf, len + (size_t)n + 1);
        assert_non_null(nb);
        buf = nb;
        memcpy(buf + len, chunk, (size_t)n);
        len += (size_t)n;
        buf[len] = '\0';
    }
    return buf;
}

/* r is a 4xx error body with code and a message holding every word. */
static void expect_error(struct hs_resp *r, long status, const char *code, const char *const *words)
{
    json_error_t e;
    if (r->status != status)
        fail_msg("HTTP %ld, expected %ld: %.400s", r->status, status, r->body);
    json_t *doc = json_loads(r->body, 0, &e);
    if (!doc)
        fail_msg("not JSON (%s): %.300s", e.text, r->body);
    const char *c = json_string_value(json_object_get(doc, "code"));
    const char *m = json_string_value(json_object_get(doc, "message"));
    if (!c || strcmp(c, code) != 0 || !m || !m[0])
        fail_msg("expected code %s and a message: %.400s", code, r->body);
    for (size_t i = 0; words && words[i]; i++)
        if (!strstr(m, words[i]))
            fail_msg("message without '%s': %s", words[i], m);
    json_decref(doc);
}

static size_t log_count(const char *text)
{
    char path[400], line[4096];
    size_t n = 0;
    snprintf(path, sizeof path, "%s/http.log", cl.dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        n += strstr(line, text) != NULL;
    fclose(f);
    return n;
}

/* One address: PER_ADDRESS connections are served, the next is refused;
 * then a flood of refusals logs 10 lines (the summary comes at the end of
 * the minute: test_refusal_summary, the last test). First, so that the
 * minute of log lines starts here. */
static void test_per_address_limit(void **state)
{
    (void)state;
    int held[PER_ADDRESS], closed;
    double refused0 = hs_scrape_metric(metrics_port, "planwatch_http_connections_refused_total");
    /* a short answer, read whole: the next one on the connection starts clean */
    static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n";
    /* each one served (keep-alive: it keeps its slot) */
    for (int i = 0; i < PER_ADDRESS; i++) {
        held[i] = raw_connect();
        raw_send(held[i], req);
        char *got = raw_read(held[i], "}\n", 20000, &closed);
        if (strncmp(got, "HTTP/1.1 200", 12) != 0)
            fail_msg("connection %d of %d not served: %.200s", i + 1, PER_ADDRESS, got);
        free(got);
    }
    /* one more from the same address: closed without an answer */
    int extra = raw_connect();
    char *got = raw_read(extra, NULL, 20000, &closed);
    assert_true(closed);
    assert_string_equal(got, "");
    free(got);
    close(extra);
    /* the held ones are still served meanwhile */
    raw_send(held[0], req);
    got = raw_read(held[0], "}\n", 20000, &closed);
    assert_int_equal(strncmp(got, "HTTP/1.1 200", 12), 0);
    free(got);
    assert_true(hs_log_wait(&cl, "http", "msg=\"connection refused\"", 10000));

    /* a flood: each refused, at most 10 lines in the minute */
    for (int i = 0; i < FLOOD; i++) {
        int fd = raw_connect();
        got = raw_read(fd, NULL, 20000, &closed);
        assert_true(closed);
        free(got);
        close(fd);
    }
    for (int i = 0; i < PER_ADDRESS; i++)
        close(held[i]);
    /* every line of the minute so far: the first 10 refusals */
    assert_int_equal(log_count("msg=\"connection refused\"") + log_count("msg=\"connection cut") +
                         log_count("msg=\"libmicrohttpd\""),
                     10);
    assert_true(log_count("msg=\"connection refused\"") >= 1);
    /* every refusal counted, the unlogged ones too: the extra and the flood */
    double refused = hs_scrape_metric(metrics_port, "planwatch_http_connections_refused_total") - refused0;
    if (refused < 1 + FLOOD)
        fail_msg("connections_refused_total rose by %g, expected at least %d", refused, 1 + FLOOD);
    /* the slots come back once the door has seen the closes: a probe with
     * Connection: close that is served proves fewer than PER_ADDRESS remain */
    int64_t end = pw_now_ms() + 20000;
    for (;;) {
        int fd = raw_connect();
        raw_send(fd, "GET /api/v1/openapi.yaml HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        got = raw_read(fd, NULL, 20000, &closed);
        close(fd);
        int ok = strncmp(got, "HTTP/1.1 200", 12) == 0;
        free(got);
        if (ok)
            break;
        if (pw_now_ms() > end)
            fail_msg("the held connections' slots did not come back within 20 s");
        struct pollfd none;
        poll(&none, 0, 50); /* paced retry of a probe, with a deadline */
    }
}

/* Query parameters: not UTF-8, %00, unknown values: 400 naming them. */
static void test_params(void **state)
{
    (void)state;
    static const struct {
        const char *path, *words[3];
    } bad[] = {
        {"/api/v1/status?plan=%FF%FE", {"plan", "UTF-8", NULL}},
        {"/api/v1/status?as_of=%00", {"as_of", "control", NULL}},
        {"/api/v1/status?as_of=2024-03-31%00x", {"as_of", NULL}},
        {"/api/v1/status?format=xml", {"format", "csv, json", NULL}},
        {"/api/v1/status?as_of=2024-13-01", {"as_of", "YYYY-MM-DD", NULL}},
        {"/api/v1/status?known_at=yesterday", {"known_at", "YYYY-MM-DD", NULL}},
        {"/api/v1/status?x%C0%AF=1", {"name", "UTF-8", NULL}},
        {"/api/v1/indicators/p2-pj2-class34-approvals/history?format=xml", {"format", "csv, json", NULL}},
        {"/api/v1/indicators/p2-pj2-class34-approvals/history?known_at=%01", {"known_at", NULL}},
        {"/api/v1/report?plan=p2&fy=2024&format=xml", {"format", "csv, md, html, xlsx, pdf", NULL}},
        {"/api/v1/report?plan=p2&fy=2024&lang=xx", {"lang", "ja, en", NULL}},
        {"/api/v1/report?plan=p2&fy=2024&bom=maybe", {"bom", "true or false", NULL}},
        {"/api/v1/report?plan=p2&fy=soon", {"fy", "fiscal year", NULL}},
        {"/api/v1/report?plan=p2&fy=2024&known_at=never", {"known_at", NULL}},
        {"/api/v1/template?office=pj2&format=pdf", {"format", "csv, xlsx", NULL}},
        {"/api/v1/template?office=pj2&fy=later", {"fy", NULL}},
        {"/api/v1/assessments?history=yes", {"history", "true, false", NULL}},
        {"/api/v1/assessments?known_at=%FF", {"known_at", "UTF-8", NULL}},
        {"/api/v1/alerts?plan=p2%0A", {"plan", "control", NULL}},
        {"/api/v1/unknown?x=%FF", {"x", "UTF-8", NULL}},
        {"/?lang=xx", {"lang", "ja, en", NULL}},
        {"/?as_of=31.03.2024", {"as_of", NULL}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hs_resp r = hs_curl(&cl, "GET", bad[i].path, HS_TOK_ADMIN, NULL, NULL, NULL, 0);
        expect_error(&r, 400, "PW_EINVAL", bad[i].words);
        hs_curl_free(&r);
    }
    /* a feed's dry_run: refused before the body is read */
    static const char csv[] = "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2024,1\n";
    struct hs_resp r = hs_curl(&cl, "POST", "/api/v1/feeds?dry_run=maybe", HS_TOK_ADMIN,
                               "text/csv", NULL, csv, strlen(csv));
    expect_error(&r, 400, "PW_EINVAL", (const char *const[]){"dry_run", "true, false", NULL});
    hs_curl_free(&r);
    /* a handler quoting 64 bytes of a value cuts a character: the message
     * stays, the broken byte replaced */
    r = hs_curl(&cl, "GET",
                "/api/v1/status?plan=%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82"
                "%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82"
                "%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82",
                HS_TOK_ADMIN, NULL, NULL, NULL, 0);
    expect_error(&r, 400, "PW_ENOTFOUND", (const char *const[]){"no plan", "?", NULL});
    hs_curl_free(&r);
    /* the values it knows still pass */
    static const char *const good[] = {"/api/v1/status?format=csv&as_of=2026-03-31",
                                       "/api/v1/status?known_at=2026-03-31T12:00:00%2B09:00",
                                       "/api/v1/report?plan=p2&fy=R6&format=md&lang=en&bom=false",
                                       "/api/v1/assessments?history=true", "/?lang=en"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        r = hs_curl(&cl, "GET", good[i], HS_TOK_ADMIN, NULL, NULL, NULL, 0);
        if (r.status != 200)
            fail_msg("%s: HTTP %ld %.300s", good[i], r.status, r.body);
        hs_curl_free(&r);
    }
}

/* 401 and 403 carry their own codes; every error body a code and a message. */
static void test_auth_codes(void **state)
{
    (void)state;
    static const char csv[] = "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2024,1\n";
    static const char assess[] = "{\"indicator_id\": \"p2-pj2-class34-approvals\", "
                                 "\"fiscal_year\": 2024, \"grade\": \"A\", \"reason\": \"x\"}";
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/status", NULL, NULL, NULL, NULL, 0);
    expect_error(&r, 401, "PW_EUNAUTHORIZED", (const char *const[]){"token", NULL});
    hs_curl_free(&r);
    r = hs_curl(&cl, "GET", "/api/v1/status", "no-such-token", NULL, NULL, NULL, 0);
    expect_error(&r, 401, "PW_EUNAUTHORIZED", (const char *const[]){"unknown token", NULL});
    hs_curl_free(&r);
    r = hs_curl(&cl, "POST", "/api/v1/feeds", NULL, "text/csv", NULL, csv, strlen(csv));
    expect_error(&r, 401, "PW_EUNAUTHORIZED", NULL);
    hs_curl_free(&r);
    r = hs_curl(&cl, "POST", "/api/v1/assessments", "no-such-token", "application/json", NULL,
                assess, strlen(assess));
    expect_error(&r, 401, "PW_EUNAUTHORIZED", NULL);
    hs_curl_free(&r);
    r = hs_curl(&cl, "GET", "/api/v1/status", HS_TOK_WRITER, NULL, NULL, NULL, 0);
    expect_error(&r, 403, "PW_EFORBIDDEN", (const char *const[]){"may not read", NULL});
    hs_curl_free(&r);
    r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_READER, "text/csv", NULL, csv, strlen(csv));
    expect_error(&r, 403, "PW_EFORBIDDEN", NULL);
    hs_curl_free(&r);
    r = hs_curl(&cl, "POST", "/api/v1/assessments", HS_TOK_READER, "application/json", NULL,
                assess, strlen(assess));
    expect_error(&r, 403, "PW_EFORBIDDEN", NULL);
    hs_curl_free(&r);
    /* the other refusals of the door */
    r = hs_curl(&cl, "GET", "/no/such/page", HS_TOK_ADMIN, NULL, NULL, NULL, 0);
    expect_error(&r, 404, "PW_ENOTFOUND", NULL);
    hs_curl_free(&r);
    r = hs_curl(&cl, "DELETE", "/api/v1/status", HS_TOK_ADMIN, NULL, NULL, NULL, 0);
    expect_error(&r, 405, "PW_EINVAL", NULL);
    hs_curl_free(&r);
    r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/plain", NULL, csv, strlen(csv));
    expect_error(&r, 415, "PW_EINVAL", NULL);
    hs_curl_free(&r);
}

/* A client that sends a byte every 100 ms is cut at the deadline, counted
 * from its connection's start, whether it trickles headers or a body. */
static void trickle(const char *head, const char *drip)
{
    int fd = raw_connect(), closed = 0;
    int64_t t0 = pw_now_ms(), end = t0 + DEADLINE_S * 1000 + 20000;
    raw_send(fd, head);
    while (pw_now_ms() < end) {
        struct pollfd p = {fd, POLLIN, 0};
        /* the pace of the trickle; a readable socket is the server's move */
        int n = poll(&p, 1, 100);
        if (n > 0) {
            char c[512];
            ssize_t k = recv(fd, c, sizeof c, 0);
            if (k <= 0) {
                closed = 1;
                break;
            }
            fail_msg("the trickling client got an answer: %.*s", (int)k, c);
        }
        if (send(fd, drip, strlen(drip), MSG_NOSIGNAL) < 0) {
            closed = 1; /* EPIPE / ECONNRESET: cut */
            break;
        }
    }
    int64_t took = pw_now_ms() - t0;
    close(fd);
    if (!closed)
        fail_msg("a trickling client was not cut within %d s", DEADLINE_S + 20);
    /* the client connected before the server took the connection: the
     * server's clock started later, never earlier (100 ms: clock grain) */
    if (took < DEADLINE_S * 1000 - 100)
        fail_msg("cut after %lld ms, before the %d s deadline", (long long)took, DEADLINE_S);
}

static void test_slow_clients(void **state)
{
    (void)state;
    double cut0 = hs_scrape_metric(metrics_port, "planwatch_http_connections_cut_total");
    trickle("GET /api/v1/openapi.yaml HTTP/1.1\r\nHost: t\r\n", "X-Slow: a\r\n");
    char head[400];
    snprintf(head, sizeof head,
             "POST /api/v1/feeds?dry_run=true HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: text/csv\r\nContent-Length: 60000\r\n\r\n"
             "indicator_id,fiscal_year,value\n",
             HS_TOK_ADMIN);
    trickle(head, "p");
    /* both cut and counted (an idle keep-alive of another test may be too) */
    assert_true(hs_scrape_metric(metrics_port, "planwatch_http_connections_cut_total") - cut0 >= 2);
    /* and the door serves others as before */
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/openapi.yaml", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    hs_curl_free(&r);
}

/* Last: the minute that test_per_address_limit started ends with one line
 * saying how many more were not logged. */
static void test_refusal_summary(void **state)
{
    (void)state;
    assert_true(hs_log_wait(&cl, "http", "msg=\"connection refusals not logged\" count=", 90000));
    assert_int_equal(log_count("msg=\"connection refusals not logged\""), 1);
    char path[400], line[4096];
    long count = -1;
    snprintf(path, sizeof path, "%s/http.log", cl.dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "msg=\"connection refusals not logged\" count=");
        if (p)
            count = strtol(strstr(p, "count=") + 6, NULL, 10);
    }
    fclose(f);
    /* the flood's refusals beyond 10, and whatever else came in that minute */
    if (count < FLOOD + 1 - 10)
        fail_msg("summary count %ld, expected at least %d", count, FLOOD + 1 - 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_address_limit),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_auth_codes),
        cmocka_unit_test(test_slow_clients),
        cmocka_unit_test(test_refusal_summary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
