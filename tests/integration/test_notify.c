/* test_notify.c - notifications people read, end to end: the real store,
 * ingest and alert services, the real CLI, and real receivers on loopback:
 * a webhook receiver that checks the Standard Webhooks signature the way the
 * README tells receivers to (its own HMAC, not planwatch's code) and
 * detects a replay by its old timestamp; Debian's prometheus-alertmanager,
 * started by the test with a minimal configuration, showing planwatch's
 * alert active and then resolved; a Slack-format receiver getting text and
 * blocks. Time moves through the services' clock file, never by sleeping;
 * waits are on conditions with deadlines. */
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "ts_proc.h"
#include "zsock.h"

#define IND "p3-out01-licensing" /* cumulative 650 over FY2025-2029: 130 a year */
#define WAIT_MS 60000            /* generous: a loaded 2-core CI machine, never a sleep */
#define TOLERANCE_S 300          /* the receiver's tolerance the README documents */

struct fx {
    struct hs_cluster c;
    struct hs_http *http;
    struct pw_client *st;
    int metrics_port;
    char metrics_arg[64];
    int smtp_port;              /* the SMTP server the email test starts */
    char smtp_arg[64];
};

/* The services' clock starts at a fixed instant: only the test moves it. */
#define T0 "2026-03-31T12:00:00+09:00"

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_true(sodium_init() >= 0);
    hs_init(&f->c, "notify", T0);
    f->c.extra[HS_ALERT][0] = "--webhook-backoff-ms=100";
    f->c.extra[HS_ALERT][1] = "--webhook-backoff-max-ms=300";
    f->c.extra[HS_ALERT][2] = "--webhook-timeout-ms=3000";
    /* open alerts re-posted every 20 minutes of the clock */
    f->c.extra[HS_ALERT][3] = "--alertmanager-resolve-timeout-ms=3600000";
    f->c.extra[HS_ALERT][4] = "--public-url=https://planwatch.example.jp/";
    f->metrics_port = hs_free_port();
    snprintf(f->metrics_arg, sizeof f->metrics_arg, "--metrics=127.0.0.1:%d", f->metrics_port);
    f->c.extra[HS_ALERT][5] = f->metrics_arg;
    f->smtp_port = hs_free_port();
    snprintf(f->smtp_arg, sizeof f->smtp_arg, "--smtp-url=smtp://127.0.0.1:%d", f->smtp_port);
    f->c.extra[HS_ALERT][6] = f->smtp_arg;
    f->c.extra[HS_ALERT][7] = "--smtp-starttls=0"; /* a loopback server without TLS */
    hs_start(&f->c, HS_STORE);
    hs_start(&f->c, HS_INGEST);
    hs_start(&f->c, HS_ALERT);
    assert_int_equal(pw_client_open(f->c.ctx, f->c.ep_store, &f->st), 0);
    f->http = hs_http_start();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    pw_client_close(&f->st);
    hs_fini(&f->c);
    hs_http_stop(f->http);
    free(f);
    return 0;
}

/* Runs the CLI; asserts the exit status; returns stdout (caller frees). */
static char *cli(struct fx *f, int want, const char *const *args)
{
    return hs_cli_want(&f->c, want, args);
}

static void settle(struct fx *f)
{
    hs_settle(&f->c, f->st, WAIT_MS);
}

/* planwatch subscribe --webhook URL extra...; returns the id. */
static uint64_t subscribe(struct fx *f, const char *url, const char *const *extra)
{
    return hs_subscribe(&f->c, f->st, url, extra, WAIT_MS);
}

static void feed(struct fx *f, const char *ind, const char *value)
{
    hs_feed_figure(&f->c, f->st, ind, value, WAIT_MS);
}

static void wait_http(struct fx *f, const char *path, size_t n)
{
    hs_http_expect(&f->c, f->http, path, n, WAIT_MS);
}

static json_t *json_of(const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body, 0, &e);
    if (!j)
        fail_msg("not JSON: %s (%s)", e.text, body);
    return j;
}

/* ---- the receiver's check, written as the README tells receivers --------- */

enum verdict { V_OK, V_FORGED, V_STALE, V_MISSING };

/* HMAC-SHA256(secret, id "." ts "." body), base64, against each space-
 * delimited "v1,<b64>" entry of sig (constant time), then |now - ts| <= 5 min. */
static enum verdict receiver_check(const char *secret, const char *id, const char *ts,
                                   const char *sig, const char *body, size_t len, time_t now)
{
    if (!id[0] || !ts[0] || !sig[0])
        return V_MISSING;
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char want[64] = "v1,";
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(want + 3, sizeof want - 3, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    size_t wl = strlen(want);
    int ok = 0;
    for (const char *p = sig; *p;) {
        while (*p == ' ')
            p++;
        size_t k = strcspn(p, " ");
        ok |= k == wl && sodium_memcmp(p, want, wl) == 0;
        p += k;
    }
    if (!ok)
        return V_FORGED;
    long long t = strtoll(ts, NULL, 10);
    return (t < (long long)now - TOLERANCE_S || t > (long long)now + TOLERANCE_S) ? V_STALE : V_OK;
}

/* A signed delivery verifies at the receiver; the same bytes replayed later
 * than the tolerance are refused by their timestamp, and a replayer who
 * refreshes the timestamp breaks the signature. The old header is still
 * sent (one release). */
static void test_signature_replay(void **state)
{
    struct fx *f = *state;
    char url[128];
    const char *x[] = {"--indicator", IND, "--secret", "s3cr3t", NULL};
    uint64_t sub = subscribe(f, hs_http_url(f->http, "/signed", url, sizeof url), x);
    feed(f, IND, "100"); /* BEHIND: opened */
    wait_http(f, "/signed", 1);
    struct hs_http_req q = hs_http_get(f->http, "/signed", 0);
    time_t now = time(NULL);
    char id[64];
    json_t *b = json_of(q.body);
    snprintf(id, sizeof id, "%lld.%llu", (long long)json_integer_value(json_object_get(b, "seq")),
             (unsigned long long)sub);
    json_decref(b);
    assert_string_equal(q.wh_id, id);
    assert_string_equal(q.delivery, id); /* the old id header, unchanged */
    assert_true(strncmp(q.signature, "sha256=", 7) == 0); /* the old header, one more release */
    long long ts = strtoll(q.wh_timestamp, NULL, 10);
    assert_true(ts >= (long long)now - 120 && ts <= (long long)now + 5);
    assert_int_equal(receiver_check("s3cr3t", q.wh_id, q.wh_timestamp, q.wh_signature, q.body,
                                    q.len, now),
                     V_OK);
    /* the captured delivery replayed six minutes later */
    assert_int_equal(receiver_check("s3cr3t", q.wh_id, q.wh_timestamp, q.wh_signature, q.body,
                                    q.len, (time_t)ts + 360),
                     V_STALE);
    /* ... with a fresh timestamp: the signature no longer matches */
    char fresh[24];
    snprintf(fresh, sizeof fresh, "%lld", ts + 360);
    assert_int_equal(receiver_check("s3cr3t", q.wh_id, fresh, q.wh_signature, q.body, q.len,
                                    (time_t)ts + 360),
                     V_FORGED);
    /* ... or with another body or id */
    assert_int_equal(receiver_check("s3cr3t", "999.9", q.wh_timestamp, q.wh_signature, q.body,
                                    q.len, now),
                     V_FORGED);
    assert_int_equal(receiver_check("s3cr3t", q.wh_id, q.wh_timestamp, q.wh_signature, q.body,
                                    q.len - 1, now),
                     V_FORGED);
    hs_http_req_free(&q);
}

static const char *js(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* ---- a real Alertmanager -------------------------------------------------- */

struct am {
    pid_t pid;
    int port;
};

/* Starts Debian's prometheus-alertmanager on loopback with a minimal
 * configuration (one receiver that sends nothing) and waits until /-/ready
 * answers 200. Skips the test when it is not installed (scripts/deps.sh). */
static int am_start(struct fx *f, struct am *m)
{
    const char *bin = "/usr/bin/prometheus-alertmanager";
    char cfg[300], data[300], log[300];
    if (access(bin, X_OK) != 0)
        return -1;
    snprintf(cfg, sizeof cfg, "%s/alertmanager.yml", f->c.dir);
    snprintf(data, sizeof data, "%s/alertmanager", f->c.dir);
    snprintf(log, sizeof log, "%s/alertmanager.log", f->c.dir);
    FILE *fp = fopen(cfg, "w");
    assert_non_null(fp);
    fputs("route:\n  receiver: nobody\n  group_wait: 1s\nreceivers:\n  - name: nobody\n", fp);
    fclose(fp);
    m->port = hs_free_port();
    struct ts_proc_argv a;
    ts_proc_argv_init(&a);
    assert_int_equal(ts_proc_arg(&a, "%s", bin) | ts_proc_arg(&a, "--config.file=%s", cfg) |
                         ts_proc_arg(&a, "--storage.path=%s", data) |
                         ts_proc_arg(&a, "--web.listen-address=127.0.0.1:%d", m->port) |
                         ts_proc_arg(&a, "--cluster.listen-address=") |
                         ts_proc_arg(&a, "--log.level=warn"),
                     0);
    m->pid = ts_proc_spawn(a.argv, log);
    assert_true(m->pid > 0);
    int64_t end = pw_now_ms() + WAIT_MS;
    for (;;) {
        int status = 0;
        char *b = hs_scrape(m->port, "/-/ready", &status);
        free(b);
        if (b && status == 200)
            return 0;
        if (ts_proc_wait_exit(m->pid, 100) >= 0)
            fail_msg("alertmanager exited; see %s", log);
        if (pw_now_ms() > end)
            fail_msg("alertmanager not ready within %d ms; see %s", WAIT_MS, log);
    }
}

/* The alert Alertmanager holds with label alert_id = id: its state
 * ("active", "suppressed", "unprocessed"), or "" when it lists none (GET
 * /api/v2/alerts leaves out the resolved ones). labels/annotations copied
 * into *alert (caller decrefs) when not NULL. */
static const char *am_state(struct am *m, const char *id, json_t **alert)
{
    static char state[32];
    int status = 0;
    char *b = hs_scrape(m->port, "/api/v2/alerts", &status);
    state[0] = '\0';
    if (!b || status != 200) {
        free(b);
        return state;
    }
    json_t *arr = json_of(b), *v;
    size_t i;
    json_array_foreach(arr, i, v) {
        if (strcmp(js(json_object_get(v, "labels"), "alert_id"), id) != 0)
            continue;
        snprintf(state, sizeof state, "%s", js(json_object_get(v, "status"), "state"));
        if (alert)
            *alert = json_incref(v);
    }
    json_decref(arr);
    free(b);
    return state;
}

static void am_wait_state(struct fx *f, struct am *m, const char *id, const char *want)
{
    int64_t end = pw_now_ms() + WAIT_MS;
    while (strcmp(am_state(m, id, NULL), want) != 0) {
        if (pw_now_ms() > end) {
            hs_dump_logs(&f->c);
            fail_msg("alertmanager: %s is '%s', expected '%s'", id, am_state(m, id, NULL), want);
        }
        hs_alert_converged(&f->c, 0, 1000); /* paced by the alert heartbeats */
    }
}

/* A few alert heartbeats pass: anything in flight has landed. */
static void quiet_period(struct fx *f)
{
    hs_quiet_period(&f->c);
}

/* --format alertmanager: the real Alertmanager shows planwatch's alert
 * active with its labels and Japanese summary, then resolved once the
 * figures recover; open alerts are re-posted when the clock passes a third
 * of the resolve timeout, and only then. --format slack: text and blocks. */
static void test_alertmanager_and_slack(void **state)
{
    struct fx *f = *state;
    struct am m;
    if (am_start(f, &m) != 0) {
        skip(); /* prometheus-alertmanager not installed: scripts/deps.sh */
        return;
    }
    char url[128], amurl[64];
    snprintf(amurl, sizeof amurl, "http://127.0.0.1:%d", m.port);
    const char *fa[] = {"--indicator", IND, "--format", "alertmanager", NULL};
    const char *fs[] = {"--indicator", IND, "--format", "slack", NULL};
    subscribe(f, amurl, fa);
    subscribe(f, hs_http_url(f->http, "/am", url, sizeof url), fa);
    subscribe(f, hs_http_url(f->http, "/slack", url, sizeof url), fs);
    quiet_period(f); /* the first re-post round (nothing open yet) has run */
    /* the address alone became its API endpoint */
    const char *ls[] = {"subscriptions", "--format", "json", NULL};
    char *out = cli(f, 0, ls);
    char want[96];
    snprintf(want, sizeof want, "%s/api/v2/alerts", amurl);
    assert_non_null(strstr(out, want));
    free(out);

    feed(f, IND, "100"); /* BEHIND: opened */
    wait_http(f, "/am", 1);
    wait_http(f, "/slack", 1);
    struct hs_http_req q = hs_http_get(f->http, "/am", 0);
    json_t *b = json_of(q.body);
    assert_true(json_is_array(b));
    assert_int_equal(json_array_size(b), 1);
    json_t *a0 = json_array_get(b, 0), *lab = json_object_get(a0, "labels"),
           *ann = json_object_get(a0, "annotations");
    char id[128];
    snprintf(id, sizeof id, "%s", js(lab, "alert_id"));
    assert_string_equal(js(lab, "alertname"), "planwatch_status");
    assert_string_equal(js(lab, "indicator"), IND);
    assert_string_equal(js(lab, "plan"), "p3");
    assert_string_equal(js(lab, "kind"), "status");
    assert_string_equal(js(lab, "severity"), "critical");
    assert_non_null(json_object_get(lab, "project"));
    assert_non_null(json_object_get(lab, "office"));
    assert_true(strncmp(js(ann, "summary"), "遅れ ", strlen("遅れ ")) == 0);
    assert_non_null(strstr(js(ann, "summary"), "令和7年度末"));
    assert_non_null(strstr(js(ann, "summary"), "100/130"));
    assert_true(js(ann, "summary_en")[0] != '\0');
    assert_non_null(strstr(js(ann, "explanation"), "令和7年度末時点"));
    assert_string_equal(js(a0, "generatorURL"),
                        "https://planwatch.example.jp/indicator/" IND);
    assert_null(json_object_get(a0, "endsAt")); /* open */
    json_decref(b);
    hs_http_req_free(&q);

    /* the real one: active, with the same labels */
    am_wait_state(f, &m, id, "active");
    json_t *held = NULL;
    am_state(&m, id, &held);
    assert_non_null(held);
    assert_string_equal(js(json_object_get(held, "labels"), "severity"), "critical");
    assert_non_null(strstr(js(json_object_get(held, "annotations"), "summary"), "遅れ"));
    json_decref(held);

    /* the chat body: valid JSON with text and blocks */
    q = hs_http_get(f->http, "/slack", 0);
    b = json_of(q.body);
    assert_non_null(strstr(js(b, "text"), "【planwatch】遅れ"));
    json_t *blocks = json_object_get(b, "blocks");
    assert_true(json_is_array(blocks) && json_array_size(blocks) >= 2);
    assert_string_equal(js(json_array_get(blocks, 0), "type"), "header");
    assert_non_null(strstr(js(json_object_get(json_array_get(blocks, 1), "text"), "text"),
                           "https://planwatch.example.jp/indicator/" IND));
    json_decref(b);
    hs_http_req_free(&q);

    /* re-posting follows the clock: nothing while it stands still ... */
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/am"), 1);
    /* ... one re-post once a third of the resolve timeout has passed */
    hs_set_clock(&f->c, "2026-03-31T12:21:00+09:00");
    wait_http(f, "/am", 2);
    q = hs_http_get(f->http, "/am", 1);
    b = json_of(q.body);
    assert_int_equal(json_array_size(b), 1);
    assert_string_equal(js(json_object_get(json_array_get(b, 0), "labels"), "alert_id"), id);
    assert_null(json_object_get(json_array_get(b, 0), "endsAt"));
    json_decref(b);
    hs_http_req_free(&q);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/am"), 2);

    feed(f, IND, "140"); /* on track: resolved */
    wait_http(f, "/am", 3);
    q = hs_http_get(f->http, "/am", 2);
    b = json_of(q.body);
    a0 = json_array_get(b, 0);
    assert_string_equal(js(json_object_get(a0, "labels"), "alert_id"), id);
    /* the labels it was open under, so the same alert ends */
    assert_string_equal(js(json_object_get(a0, "labels"), "severity"), "critical");
    assert_true(js(a0, "endsAt")[0] != '\0');
    json_decref(b);
    hs_http_req_free(&q);
    am_wait_state(f, &m, id, ""); /* resolved: no longer listed */
    assert_int_equal(ts_proc_stop(m.pid, SIGTERM, 10000), 0);
}

/* The subscription with id in `subscriptions --format json` (caller decrefs). */
static json_t *sub_json(struct fx *f, uint64_t id)
{
    const char *ls[] = {"subscriptions", "--format", "json", NULL};
    char *out = cli(f, 0, ls);
    json_t *arr = json_of(out), *v, *found = NULL;
    size_t i;
    free(out);
    json_array_foreach(arr, i, v) {
        if ((uint64_t)json_integer_value(json_object_get(v, "id")) == id)
            found = json_incref(v);
    }
    json_decref(arr);
    assert_non_null(found);
    return found;
}

static int health_int(json_t *s, const char *k)
{
    return (int)json_integer_value(json_object_get(json_object_get(s, "health"), k));
}

/* A receiver that answers 405 for good: after its first refusal the
 * subscription is marked failed (subscriptions shows it, with the last
 * result), a DELIVERY alert is open for the secretariat and counted in the
 * metrics, and later notifications wait as pending instead of being lost;
 * another subscription is not affected. `alerts --history --limit N` shows
 * N transitions. Resumed, it gets its waiting notifications in order, and
 * its DELIVERY alert is resolved (same alert id) for the secretariat. */
static void test_delivery_health(void **state)
{
    struct fx *f = *state;
    struct hs_http *gone = hs_http_start();
    hs_http_status(gone, 405);
    char url[128];
    const char *x[] = {"--indicator", IND, NULL};
    uint64_t bad = subscribe(f, hs_http_url(gone, "/hook", url, sizeof url), x);
    uint64_t ok = subscribe(f, hs_http_url(f->http, "/ok", url, sizeof url), x);
    const char *secx[] = {"--severity", "critical", NULL}; /* the secretariat: everything critical */
    subscribe(f, hs_http_url(f->http, "/sec", url, sizeof url), secx);
    json_t *s = sub_json(f, bad);
    assert_string_equal(js(s, "state"), "ok");
    assert_string_equal(js(json_object_get(s, "health"), "last_result"), "-");
    json_decref(s);

    feed(f, IND, "100"); /* BEHIND: opened */
    wait_http(f, "/ok", 1);
    if (hs_http_wait(gone, "/hook", 1, WAIT_MS) != 0)
        fail_msg("the refusing receiver was never asked");
    int64_t end = pw_now_ms() + WAIT_MS;
    for (;;) {
        s = sub_json(f, bad);
        if (!strcmp(js(s, "state"), "failed"))
            break;
        json_decref(s);
        if (pw_now_ms() > end) {
            hs_dump_logs(&f->c);
            fail_msg("subscription %llu not marked failed", (unsigned long long)bad);
        }
        hs_alert_converged(&f->c, 0, 1000);
    }
    assert_string_equal(js(s, "failed_reason"), "HTTP 405");
    assert_int_equal(health_int(s, "failures"), 1);
    assert_string_equal(js(json_object_get(s, "health"), "last_result"), "failed: HTTP 405");
    json_decref(s);
    for (int64_t okend = pw_now_ms() + WAIT_MS;;) { /* its outcome recorded */
        s = sub_json(f, ok);
        if (health_int(s, "delivered") == 1 || pw_now_ms() > okend)
            break;
        json_decref(s);
        hs_alert_converged(&f->c, 0, 1000);
    }
    assert_string_equal(js(s, "state"), "ok");
    assert_int_equal(health_int(s, "delivered"), 1);
    assert_string_equal(js(json_object_get(s, "health"), "last_result"), "delivered (HTTP 200)");
    json_decref(s);
    /* the table says it too */
    const char *lt[] = {"subscriptions", NULL};
    char *out = cli(f, 0, lt);
    assert_non_null(strstr(out, "failed: HTTP 405"));
    free(out);

    /* its own alert, open, for the secretariat */
    const char *la[] = {"alerts", "--format", "json", NULL};
    out = cli(f, 0, la);
    json_t *alerts = json_of(out), *v, *dl = NULL;
    size_t i;
    free(out);
    json_array_foreach(json_object_get(alerts, "alerts") ? json_object_get(alerts, "alerts")
                                                          : alerts,
                       i, v) {
        if (!strcmp(js(v, "kind"), "delivery"))
            dl = v;
    }
    if (!dl)
        fail_msg("no open delivery alert");
    char want[64];
    snprintf(want, sizeof want, "subscription-%llu:", (unsigned long long)bad);
    assert_true(strncmp(js(dl, "alert_id"), want, strlen(want)) == 0);
    assert_string_equal(js(dl, "severity"), "CRITICAL");
    assert_non_null(strstr(js(dl, "summary"), "HTTP 405"));
    char dl_id[64];
    snprintf(dl_id, sizeof dl_id, "%s", js(dl, "alert_id"));
    json_decref(alerts);
    /* ... and delivered to the secretariat's subscription */
    int got = 0;
    for (int64_t dl_end = pw_now_ms() + WAIT_MS; !got && pw_now_ms() < dl_end;) {
        for (size_t k = 0; k < hs_http_count(f->http, "/sec") && !got; k++) {
            struct hs_http_req rq = hs_http_get(f->http, "/sec", k);
            if (!strcmp(rq.event, "delivery.opened")) {
                json_t *db = json_of(rq.body);
                assert_string_equal(js(db, "kind"), "delivery");
                assert_string_equal(js(db, "severity"), "critical");
                json_decref(db);
                got = 1;
            }
            hs_http_req_free(&rq);
        }
        if (!got)
            hs_alert_converged(&f->c, 0, 1000);
    }
    assert_true(got);
    int st = 0;
    char *m = hs_scrape(f->metrics_port, "/metrics", &st);
    assert_non_null(m);
    assert_true(hs_metric(m, "planwatch_alert_subscriptions_failed_total") == 1);
    assert_true(hs_metric(m, "planwatch_alert_subscriptions_failed") == 1);
    assert_true(hs_metric(m, "planwatch_alert_delivery_attempts_total{result=\"failed\"}") == 1);
    /* the attempts are counted once their outcomes are recorded: wait for it */
    for (int64_t mend = pw_now_ms() + WAIT_MS;
         hs_metric(m, "planwatch_alert_delivery_attempts_total{result=\"delivered\"}") < 2;) {
        assert_true(pw_now_ms() < mend);
        hs_alert_converged(&f->c, 0, 1000);
        free(m);
        m = hs_scrape(f->metrics_port, "/metrics", &st);
        assert_non_null(m);
    }
    free(m);

    /* an event before the last two transitions (another plan's silence) */
    const char *si[] = {"silence", "--plan", "p2", "--until", "2026-06-01", "--comment", "集計中", NULL};
    free(cli(f, 0, si));
    settle(f);
    /* the next transition: delivered to the other, waiting for this one */
    feed(f, IND, "125"); /* AT_RISK: updated */
    wait_http(f, "/ok", 2);
    quiet_period(f);
    assert_int_equal(hs_http_count(gone, "/hook"), 1);
    s = sub_json(f, bad);
    assert_int_equal(health_int(s, "pending"), 1);
    json_decref(s);

    /* --limit N: N transitions (the delivery alert, the two of IND), no older
     * events; without it, everything */
    feed(f, IND, "140"); /* resolved */
    wait_http(f, "/ok", 3);
    const char *h2[] = {"alerts", "--history", "--limit", "2", "--format", "json", NULL};
    out = cli(f, 0, h2);
    json_t *h = json_of(out);
    free(out);
    size_t transitions = 0, others = 0, silences = 0;
    json_array_foreach(h, i, v) {
        if (!strcmp(js(v, "type"), "transition"))
            transitions++;
        else
            others++;
        silences += !strcmp(js(v, "type"), "silence");
    }
    assert_int_equal(transitions, 2);
    assert_int_equal(silences, 0); /* older than the two transitions shown */
    json_decref(h);
    const char *hall[] = {"alerts", "--history", "--format", "json", NULL};
    out = cli(f, 0, hall);
    h = json_of(out);
    free(out);
    size_t all_t = 0, all_o = 0, all_s = 0;
    json_array_foreach(h, i, v) {
        if (!strcmp(js(v, "type"), "transition"))
            all_t++;
        else
            all_o++;
        all_s += !strcmp(js(v, "type"), "silence");
    }
    assert_int_equal(all_s, 1);
    assert_true(all_t > 2);
    assert_true(all_o > others); /* the first transition's deliveries are left out above */
    /* --severity counts before --limit: the latest critical transition (the
     * failed delivery's), though the two latest are not critical */
    json_int_t crit_seq = -1;
    json_array_foreach(h, i, v)
        if (!strcmp(js(v, "type"), "transition") &&
            (!strcmp(js(v, "severity"), "CRITICAL") ||
             !strcmp(js(v, "previous_severity"), "CRITICAL")))
            crit_seq = json_integer_value(json_object_get(v, "seq"));
    assert_true(crit_seq > 0);
    json_decref(h);
    const char *hc[] = {"alerts", "--history", "--severity", "critical", "--limit", "1",
                        "--format", "json", NULL};
    out = cli(f, 0, hc);
    h = json_of(out);
    free(out);
    size_t crit_t = 0;
    json_array_foreach(h, i, v)
        if (!strcmp(js(v, "type"), "transition")) {
            crit_t++;
            assert_int_equal(json_integer_value(json_object_get(v, "seq")), crit_seq);
        }
    assert_int_equal(crit_t, 1);
    json_decref(h);

    /* the receiver is fixed: resumed, the two waiting notifications go, in order */
    s = sub_json(f, bad);
    assert_int_equal(health_int(s, "pending"), 2);
    json_decref(s);
    hs_http_status(gone, 200);
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%llu", (unsigned long long)bad);
    const char *rs[] = {"subscriptions", "--resume", idbuf, NULL};
    free(cli(f, 0, rs));
    if (hs_http_wait(gone, "/hook", 3, WAIT_MS) != 0) {
        hs_dump_logs(&f->c);
        fail_msg("the waiting notifications were not sent after --resume");
    }
    struct hs_http_req r1 = hs_http_get(gone, "/hook", 1), r2 = hs_http_get(gone, "/hook", 2);
    assert_string_equal(r1.event, "status.updated");
    assert_string_equal(r2.event, "status.resolved");
    hs_http_req_free(&r1);
    hs_http_req_free(&r2);
    end = pw_now_ms() + WAIT_MS;
    for (;;) {
        s = sub_json(f, bad);
        int done = !strcmp(js(s, "state"), "ok") && health_int(s, "pending") == 0;
        json_decref(s);
        if (done)
            break;
        if (pw_now_ms() > end)
            fail_msg("resumed subscription still shows waiting deliveries");
        hs_alert_converged(&f->c, 0, 1000);
    }
    out = cli(f, 0, la);
    assert_null(strstr(out, "\"delivery\"")); /* its alert is no longer open */
    free(out);
    /* ... and resolved: a transition with the same alert id, in the history
     * and delivered to the secretariat's subscription */
    int resolved = 0;
    for (int64_t rend = pw_now_ms() + WAIT_MS; !resolved && pw_now_ms() < rend;) {
        for (size_t k = 0; k < hs_http_count(f->http, "/sec") && !resolved; k++) {
            struct hs_http_req rq = hs_http_get(f->http, "/sec", k);
            if (!strcmp(rq.event, "delivery.resolved")) {
                json_t *db = json_of(rq.body);
                assert_string_equal(js(db, "kind"), "delivery");
                assert_string_equal(js(db, "alert_id"), dl_id);
                json_decref(db);
                resolved = 1;
            }
            hs_http_req_free(&rq);
        }
        if (!resolved)
            hs_alert_converged(&f->c, 0, 1000);
    }
    if (!resolved) {
        hs_dump_logs(&f->c);
        fail_msg("the delivery alert was not resolved after --resume");
    }
    const char *hd[] = {"alerts", "--history", "--format", "json", NULL};
    out = cli(f, 0, hd);
    h = json_of(out);
    free(out);
    resolved = 0;
    json_array_foreach(h, i, v)
        if (!strcmp(js(v, "type"), "transition") && !strcmp(js(v, "alert_id"), dl_id) &&
            !strcmp(js(v, "event"), "resolved")) {
            assert_string_equal(js(v, "severity"), "INFO");
            assert_string_equal(js(v, "previous_severity"), "CRITICAL");
            resolved++;
        }
    assert_int_equal(resolved, 1);
    json_decref(h);
    const char *again[] = {"subscriptions", "--resume", idbuf, NULL};
    char *o2 = NULL, *e2 = NULL;
    assert_int_equal(hs_cli(&f->c, &o2, &e2, again), 1); /* not failed any more */
    free(o2);
    free(e2);
    hs_http_stop(gone);
}

/* ---- a real SMTP server: Debian's python3-aiosmtpd ------------------------ */

static int port_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* `python3 -m aiosmtpd` on the port the alert service was given, storing
 * every message in the maildir DIR/mail; -1 when it is not installed. */
static pid_t smtp_start(struct fx *f, char *maildir, size_t n)
{
    char log[300], listen[64];
    if (system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null") != 0)
        return -1;
    snprintf(maildir, n, "%s/mail", f->c.dir);
    snprintf(log, sizeof log, "%s/smtp.log", f->c.dir);
    snprintf(listen, sizeof listen, "127.0.0.1:%d", f->smtp_port);
    char *argv[] = {"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", listen, "-c",
                    "aiosmtpd.handlers.Mailbox", maildir, NULL};
    pid_t pid = ts_proc_spawn(argv, log);
    assert_true(pid > 0);
    int64_t end = pw_now_ms() + WAIT_MS;
    while (!port_open(f->smtp_port)) {
        if (ts_proc_wait_exit(pid, 100) >= 0)
            fail_msg("the SMTP server exited; see %s", log);
        if (pw_now_ms() > end)
            fail_msg("the SMTP server did not listen; see %s", log);
    }
    return pid;
}

/* Orders Python's maildir names "SECONDS.MMICROSECONDSP...": by the time as
 * numbers (the microseconds are not zero-padded, so the text does not sort). */
static int maildir_cmp(const char *a, const char *b)
{
    char *pa, *pb;
    long long sa = strtoll(a, &pa, 10), sb = strtoll(b, &pb, 10);
    long ua = strncmp(pa, ".M", 2) == 0 ? strtol(pa + 2, NULL, 10) : 0;
    long ub = strncmp(pb, ".M", 2) == 0 ? strtol(pb + 2, NULL, 10) : 0;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (ua != ub)
        return ua < ub ? -1 : 1;
    return strcmp(a, b);
}

/* The messages in maildir/new, oldest first by name (caller frees each). */
static size_t mails(const char *maildir, char **out, size_t max)
{
    char dir[400], path[700];
    snprintf(dir, sizeof dir, "%s/new", maildir);
    DIR *d = opendir(dir);
    struct dirent *e;
    char *names[64];
    size_t n = 0;
    while (d && (e = readdir(d)) && n < 64)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++) /* maildir names start with the time: sort */
        for (size_t j = i + 1; j < n; j++)
            if (maildir_cmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        if (i < max) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            out[i] = hs_read_file(path, NULL);
        }
        free(names[i]);
    }
    return n < max ? n : max;
}

static size_t wait_mails(struct fx *f, const char *maildir, char **out, size_t max, size_t want)
{
    int64_t end = pw_now_ms() + WAIT_MS;
    for (;;) {
        size_t n = mails(maildir, out, max);
        if (n >= want)
            return n;
        for (size_t i = 0; i < n; i++)
            free(out[i]);
        if (pw_now_ms() > end) {
            hs_dump_logs(&f->c);
            fail_msg("%zu emails arrived, expected %zu", n, want);
        }
        hs_alert_converged(&f->c, 0, 1000);
    }
}

/* A header's value (continuation lines joined), malloc'd; "" when absent. */
static char *header(const char *msg, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = msg; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (*p == '\n' || (*p == '\r' && p[1] == '\n'))
            break; /* end of the header */
        if (strncasecmp(p, name, nl) || p[nl] != ':')
            continue;
        char *v = calloc(1, strlen(p) + 1);
        size_t k = 0;
        for (const char *q = p + nl + 1;;) {
            while (*q == ' ' || *q == '\t')
                q++;
            while (*q && *q != '\r' && *q != '\n')
                v[k++] = *q++;
            q += *q == '\r';
            q += *q == '\n';
            if (*q != ' ' && *q != '\t')
                break;
            v[k++] = ' ';
        }
        return v;
    }
    return strdup("");
}

/* Decodes the RFC 2047 UTF-8 B encoded-words of v (what a mail reader shows). */
static char *decode_words(const char *v)
{
    char *out = calloc(1, strlen(v) + 1);
    size_t k = 0;
    for (const char *p = v; (p = strstr(p, "=?UTF-8?B?"));) {
        p += 10;
        const char *e = strstr(p, "?=");
        assert_non_null(e);
        size_t bin = 0;
        assert_int_equal(sodium_base642bin((unsigned char *)out + k, strlen(v) - k, p,
                                           (size_t)(e - p), NULL, &bin, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        k += bin;
        p = e + 2;
    }
    out[k] = '\0';
    return out;
}

/* The decoded body of the part of content type ctype (base64). */
static char *part(const char *msg, const char *ctype)
{
    const char *p = strstr(msg, ctype);
    assert_non_null(p);
    p = strstr(p, "\n\n") ? strstr(p, "\n\n") : strstr(p, "\r\n\r\n");
    assert_non_null(p);
    const char *e = strstr(p, "\n--");
    assert_non_null(e);
    char *out = calloc(1, (size_t)(e - p) + 1);
    size_t bin = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, (size_t)(e - p), p, (size_t)(e - p),
                                       "\r\n ", &bin, NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[bin] = '\0';
    return out;
}

/* --email: a real SMTP server receives the alert's email; its Japanese
 * subject (RFC 2047) and both parts read as they should, the answer's
 * 要因分析 shows in the email of the resolution, a link goes to the
 * indicator's page. */
static void test_email(void **state)
{
    struct fx *f = *state;
    char maildir[300], *m[8];
    pid_t smtp = smtp_start(f, maildir, sizeof maildir);
    if (smtp < 0) {
        skip(); /* python3-aiosmtpd not installed: scripts/deps.sh */
        return;
    }
    const char *x[] = {"--email", "jimukyoku@example.jp", "--indicator", IND, NULL};
    const char *args[8] = {"subscribe"};
    memcpy(args + 1, x, sizeof x);
    char *out = cli(f, 0, args);
    assert_non_null(strstr(out, "email jimukyoku@example.jp"));
    free(out);
    settle(f);
    feed(f, IND, "100"); /* BEHIND: opened */
    size_t n = wait_mails(f, maildir, m, 8, 1);
    assert_int_equal(n, 1);
    char *subj = header(m[0], "Subject"), *to = header(m[0], "To"), *ct = header(m[0], "Content-Type");
    assert_non_null(strstr(subj, "=?UTF-8?B?")); /* encoded, 7-bit */
    char *ds = decode_words(subj);
    assert_true(strncmp(ds, "【planwatch】遅れ ", strlen("【planwatch】遅れ ")) == 0);
    assert_non_null(strstr(ds, "令和7年度末 100/130"));
    assert_non_null(strstr(to, "jimukyoku@example.jp"));
    assert_non_null(strstr(ct, "multipart/alternative"));
    char *text = part(m[0], "Content-Type: text/plain; charset=UTF-8");
    char *html = part(m[0], "Content-Type: text/html; charset=UTF-8");
    assert_non_null(strstr(text, "令和7年度末時点で累計100件")); /* the explanation */
    assert_non_null(strstr(text, "必要なこと: ")); /* what it needs */
    assert_null(strstr(text, "要因分析")); /* nobody answered yet */
    assert_non_null(strstr(text, "指標のページ: https://planwatch.example.jp/indicator/" IND));
    assert_non_null(strstr(html, "<a href=\"https://planwatch.example.jp/indicator/" IND "\">"));
    assert_non_null(strstr(html, "令和7年度末時点で累計100件"));
    free(subj);
    free(to);
    free(ct);
    free(ds);
    free(text);
    free(html);
    for (size_t i = 0; i < n; i++)
        free(m[i]);

    /* someone answers; the resolution's email carries the 要因分析 */
    const char *la[] = {"alerts", "--format", "json", NULL};
    out = cli(f, 0, la);
    json_t *j = json_of(out);
    free(out);
    char id[128];
    snprintf(id, sizeof id, "%s",
             js(json_array_get(json_object_get(j, "alerts"), 0), "alert_id"));
    json_decref(j);
    const char *ack[] = {"ack", id, "--by", "田中", "--reason", "審査の遅れ。来年度に回復見込み", NULL};
    free(cli(f, 0, ack));
    settle(f);
    feed(f, IND, "140"); /* resolved */
    n = wait_mails(f, maildir, m, 8, 2);
    assert_int_equal(n, 2);
    subj = header(m[1], "Subject");
    ds = decode_words(subj);
    assert_non_null(strstr(ds, "【planwatch】順調 "));
    text = part(m[1], "Content-Type: text/plain; charset=UTF-8");
    assert_non_null(strstr(text, "要因分析: 審査の遅れ。来年度に回復見込み（田中）"));
    free(subj);
    free(ds);
    free(text);
    for (size_t i = 0; i < n; i++)
        free(m[i]);
    /* the delivery log has them, as for webhooks */
    const char *lh[] = {"alerts", "--history", NULL};
    out = cli(f, 0, lh);
    assert_non_null(strstr(out, "delivered (HTTP 250"));
    assert_non_null(strstr(out, "mailto:jimukyoku@example.jp"));
    free(out);
    assert_true(ts_proc_stop(smtp, SIGTERM, 10000) >= 0); /* python ends by the signal */
}

/* Deliveries the store holds for subscription sub: how many, how many delivered. */
static size_t sub_deliveries(struct fx *f, uint64_t sub, size_t *delivered)
{
    return hs_deliveries(&f->c, f->st, sub, 0, delivered);
}

/* The day after a deadline: the overdue alerts it raises at once reach a
 * grouping subscription as ONE webhook POST and ONE email, listed by plan
 * and project, only once the clock has passed the group wait; an ungrouped
 * subscription gets one POST each. */
static void test_grouped_deadline(void **state)
{
    struct fx *f = *state;
    char url[128], maildir[300], *m[8];
    pid_t smtp = smtp_start(f, maildir, sizeof maildir);
    const char *gx[] = {"--group-wait", "60s", "--group-interval", "5m", NULL};
    const char *ex[] = {"--severity", "warning", NULL};
    uint64_t grp = subscribe(f, hs_http_url(f->http, "/grp", url, sizeof url), gx);
    subscribe(f, hs_http_url(f->http, "/each", url, sizeof url), ex);
    uint64_t mail = 0;
    if (smtp > 0) {
        const char *mx[] = {"subscribe", "--email", "jimukyoku@example.jp", "--group-wait", "1m",
                            NULL};
        char *out = cli(f, 0, mx);
        unsigned long long id = 0;
        assert_int_equal(sscanf(out, "subscription %llu:", &id), 1);
        mail = id;
        free(out);
        settle(f);
    }
    /* FY2025's figures were due 2026-06-30: nothing of plan 3 arrived */
    hs_set_clock(&f->c, "2026-07-01T09:00:00+09:00");
    if (hs_alert_evaluated(&f->c, 0, 0, "2026-07-01", NULL, WAIT_MS) < 0) {
        hs_dump_logs(&f->c);
        fail_msg("the alert service did not judge 2026-07-01");
    }
    size_t n = sub_deliveries(f, grp, NULL);
    assert_true(n >= 10); /* the deadline's transitions, each owed */
    wait_http(f, "/each", n); /* ungrouped: one POST each */
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/grp"), 0); /* held: the clock stands still */
    hs_set_clock(&f->c, "2026-07-01T09:01:01+09:00"); /* past the wait */
    wait_http(f, "/grp", 1);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/grp"), 1); /* one POST for them all */
    struct hs_http_req q = hs_http_get(f->http, "/grp", 0);
    json_t *b = json_of(q.body), *projects = json_object_get(b, "projects"), *p;
    assert_true(json_is_true(json_object_get(b, "grouped")));
    assert_int_equal(json_integer_value(json_object_get(b, "count")), n);
    size_t listed = 0, i, overdue = 0;
    assert_true(json_array_size(projects) >= 1); /* listed by plan and project (plan 3's are plan-wide) */
    json_array_foreach(projects, i, p) {
        json_t *al, *alerts = json_object_get(p, "alerts");
        size_t k;
        json_array_foreach(alerts, k, al) {
            assert_string_equal(js(json_object_get(al, "indicator"), "project"), js(p, "project"));
            assert_string_equal(js(json_object_get(al, "indicator"), "plan"), js(p, "plan"));
            overdue += !strcmp(js(al, "kind"), "overdue");
            listed++;
        }
    }
    assert_int_equal(listed, n);
    assert_true(overdue >= 10);
    json_decref(b);
    hs_http_req_free(&q);
    /* every delivery it carried is logged delivered */
    size_t delivered = 0;
    int64_t end = pw_now_ms() + WAIT_MS;
    while (sub_deliveries(f, grp, &delivered) && delivered < n && pw_now_ms() < end)
        hs_alert_converged(&f->c, 0, 1000);
    assert_int_equal(delivered, n);
    if (smtp > 0) {
        size_t nm = wait_mails(f, maildir, m, 8, 1);
        quiet_period(f);
        for (size_t k = 0; k < nm; k++)
            free(m[k]);
        nm = mails(maildir, m, 8);
        assert_int_equal(nm, 1); /* one email for the deadline */
        char *subj = header(m[0], "Subject"), *ds = decode_words(subj);
        char want[64];
        snprintf(want, sizeof want, "【planwatch】%zu件: ", sub_deliveries(f, mail, NULL));
        assert_true(strncmp(ds, want, strlen(want)) == 0);
        assert_non_null(strstr(ds, "未報告 "));
        char *text = part(m[0], "Content-Type: text/plain; charset=UTF-8");
        assert_non_null(strstr(text, "■ p"));
        assert_non_null(strstr(text, "・未報告 "));
        free(subj);
        free(ds);
        free(text);
        free(m[0]);
        assert_true(ts_proc_stop(smtp, SIGTERM, 10000) >= 0);
    }
}

/* --repeat-interval: each time the clock passes the interval, one reminder
 * of the open alerts nobody acknowledged; none once it is acknowledged, and
 * none while the clock stands still. */
static void test_reminders(void **state)
{
    struct fx *f = *state;
    char url[128];
    const char *x[] = {"--indicator", IND, "--repeat-interval", "1h", NULL};
    subscribe(f, hs_http_url(f->http, "/rem", url, sizeof url), x);
    feed(f, IND, "100"); /* BEHIND: opened */
    wait_http(f, "/rem", 1);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/rem"), 1);
    hs_set_clock(&f->c, "2026-03-31T13:01:00+09:00"); /* an hour later */
    wait_http(f, "/rem", 2);
    struct hs_http_req q = hs_http_get(f->http, "/rem", 1);
    json_t *b = json_of(q.body);
    assert_true(json_is_true(json_object_get(b, "reminder")));
    /* a message of its own: its id is not a delivery's (receivers dedupe on it) */
    assert_true(strncmp(q.wh_id, "reminder-", 9) == 0);
    assert_string_equal(q.delivery, q.wh_id);
    assert_int_equal(json_integer_value(json_object_get(b, "count")), 1);
    json_t *al = json_array_get(json_object_get(json_array_get(json_object_get(b, "projects"), 0),
                                                "alerts"),
                                0);
    char id[128];
    snprintf(id, sizeof id, "%s", js(al, "alert_id"));
    assert_string_equal(js(json_object_get(al, "indicator"), "id"), IND);
    json_decref(b);
    hs_http_req_free(&q);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/rem"), 2); /* the clock stands still */
    const char *ack[] = {"ack", id, "--by", "田中", "--reason", "審査の遅れ", NULL};
    free(cli(f, 0, ack));
    settle(f);
    hs_set_clock(&f->c, "2026-03-31T14:02:00+09:00"); /* another hour */
    quiet_period(f);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/rem"), 2); /* answered: no reminder */
}

/* --digest "tue 13:00": at that time in Japan (the clock starts on Tuesday
 * 2026-03-31 12:00 JST), one message of what is open and what changed since
 * the subscription began; nothing before that time, nothing more after. A
 * malformed schedule is refused. */
static void test_digest(void **state)
{
    struct fx *f = *state;
    char url[128];
    const char *bad[] = {"subscribe", "--webhook", "http://127.0.0.1:9/x", "--digest", "月 9時",
                         NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(hs_cli(&f->c, &out, &err, bad), 1);
    assert_non_null(strstr(err, "digest"));
    free(out);
    free(err);
    const char *x[] = {"--indicator", IND, "--digest", "tue 13:00", NULL};
    subscribe(f, hs_http_url(f->http, "/dig", url, sizeof url), x);
    quiet_period(f); /* the digest is scheduled: its period starts now */
    feed(f, IND, "100"); /* opened */
    feed(f, IND, "125"); /* updated */
    wait_http(f, "/dig", 2);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/dig"), 2); /* not 13:00 yet */
    hs_set_clock(&f->c, "2026-03-31T13:00:30+09:00");
    wait_http(f, "/dig", 3);
    struct hs_http_req q = hs_http_get(f->http, "/dig", 2);
    json_t *b = json_of(q.body), *ch = json_object_get(b, "changes");
    assert_true(json_is_true(json_object_get(b, "digest")));
    assert_int_equal(json_integer_value(json_object_get(b, "count")), 1); /* open */
    assert_int_equal(json_array_size(ch), 2);                              /* what changed */
    assert_string_equal(js(json_array_get(ch, 0), "event"), "opened");
    assert_string_equal(js(json_array_get(ch, 1), "event"), "updated");
    json_decref(b);
    hs_http_req_free(&q);
    quiet_period(f);
    assert_int_equal(hs_http_count(f->http, "/dig"), 3); /* next: a week later */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signature_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alertmanager_and_slack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delivery_health, setup, teardown),
        cmocka_unit_test_setup_teardown(test_email, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grouped_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reminders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
