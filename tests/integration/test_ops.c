/* test_ops.c - what an operator relies on, with the real services: every
 * service serves Prometheus metrics over HTTP from its own poll loop and
 * the numbers match what happened (rows, updates, alerts, map, latencies)
 * and planwatch_build_info names the build;
 * `planwatch backup NAME` copies the running store into --backup-dir/NAME
 * (a path is refused), `planwatch restore` puts the copy in a fresh data
 * dir, and a store started there gives the same status report byte for
 * byte; binds default to loopback, --insecure beyond it is refused unless
 * --insecure-anywhere, the HTTP door beyond it without --read-auth warns; a store whose LMDB map is full at --max-map-mb
 * answers each row with a clear PW_EMAPFULL, keeps serving queries, and
 * loses or damages nothing (a restart with a larger map takes the resend). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "service.h"
#include "zsock.h"

static int setup(void **state)
{
    struct hs_cluster *c = calloc(1, sizeof *c);
    hs_init(c, "ops", "2026-03-31");
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    hs_fini(*state);
    free(*state);
    return 0;
}

/* `planwatch ARGS...` against c; asserts the exit status; returns stdout.
 * Not inlined: gcc 12 -O3 then misreads the returned buffer as a dangling
 * local (-Wdangling-pointer false positive). */
__attribute__((noinline)) static char *cli(struct hs_cluster *c, int want,
                                           const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(c, &out, &err, args);
    if (rc != want) {
        hs_dump_logs(c);
        fail_msg("planwatch %s %s: exit %d (want %d)\nstdout: %s\nstderr: %s", args[0],
                 args[1] ? args[1] : "", rc, want, out, err);
    }
    free(err);
    return out;
}

/* GET /metrics: 200, and every service says which build it is. */
static char *scrape(int port)
{
    int status = 0;
    char info[160];
    char *body = hs_scrape(port, "/metrics", &status);
    assert_non_null(body);
    assert_int_equal(status, 200);
    snprintf(info, sizeof info, "\nplanwatch_build_info{version=\"%s\",commit=\"%s\"} 1\n",
             pw_service_version, pw_service_commit);
    assert_non_null(strstr(body, info));
    assert_non_null(strstr(body, "# TYPE planwatch_build_info gauge\n"));
    return body;
}

/* Scrapes the alert service until it has published and recorded every
 * change it decided (deadline), and returns that scrape. */
static char *alert_settled(struct hs_cluster *c, int port)
{
    int64_t end = pw_now_ms() + 20000;
    for (;;) {
        char *b = scrape(port);
        if (hs_metric(b, "planwatch_alert_alert_seq") > 0 &&
            hs_metric(b, "planwatch_alert_outbox_transitions") == 0)
            return b;
        free(b);
        if (pw_now_ms() > end)
            fail_msg("the alert service published nothing within 20 s");
        hs_alert_converged(c, 0, 1000); /* paced by its heartbeats */
    }
}

static void test_metrics(void **state)
{
    struct hs_cluster *c = *state;
    int port[HS_NSVC];
    char flag[HS_NSVC][40];
    for (int s = 0; s < HS_NSVC; s++) {
        port[s] = hs_free_port();
        snprintf(flag[s], sizeof flag[s], "--metrics=127.0.0.1:%d", port[s]);
        c->extra[s][0] = flag[s];
    }
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    hs_start(c, HS_ALERT);

    char *out = cli(c, 0, (const char *const[]){"feed", hs_src("catalog/feeds/plan3-fy2025.csv"), NULL});
    unsigned accepted = 0;
    const char *colon = strstr(out, ": ");
    assert_non_null(strstr(out, " accepted"));
    assert_non_null(colon);
    assert_int_equal(sscanf(colon + 2, "%u accepted", &accepted), 1);
    assert_true(accepted > 100);
    free(out);
    /* a bad row is counted as rejected */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.csv", c->dir);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("indicator_id,fiscal_year,value\nno-such-indicator,2025,1\n", f);
    fclose(f);
    free(cli(c, 1, (const char *const[]){"feed", bad, NULL}));
    /* the alert service has applied everything */
    assert_true(hs_alert_converged(c, accepted, 20000) >= 0);

    char *in = scrape(port[HS_INGEST]);
    assert_int_equal(hs_metric(in, "planwatch_ingest_rows_received_total"), accepted + 1);
    assert_int_equal(hs_metric(in, "planwatch_ingest_rows_answered_total{status=\"accepted\"}"), accepted);
    assert_int_equal(hs_metric(in, "planwatch_ingest_rows_answered_total{status=\"rejected\"}"), 1);
    assert_int_equal(hs_metric(in, "planwatch_ingest_batches_total"), 2);
    assert_true(hs_metric(in, "planwatch_ingest_updates_published_total") >= accepted);
    /* one message for the whole file's batch (the bad one had nothing to
     * publish); each retransmission turn may add one */
    double messages = hs_metric(in, "planwatch_ingest_update_messages_total");
    assert_true(messages >= 1);
    if (hs_metric(in, "planwatch_ingest_updates_retransmitted_total") == 0)
        assert_int_equal(messages, 1);
    assert_int_equal(hs_metric(in, "planwatch_ingest_pending_updates"), 0);
    assert_int_equal(hs_metric(in, "planwatch_ingest_open_batches"), 0);
    assert_int_equal(hs_metric(in, "planwatch_ingest_store_up"), 1);
    assert_int_equal(hs_metric(in, "planwatch_ingest_ack_seconds_count"), accepted);
    assert_int_equal(hs_metric(in, "planwatch_ingest_ack_seconds_bucket{le=\"+Inf\"}"), accepted);
    assert_true(hs_metric(in, "planwatch_ingest_ack_seconds_sum") > 0);
    assert_non_null(strstr(in, "# TYPE planwatch_ingest_ack_seconds histogram\n"));
    free(in);

    char *st = scrape(port[HS_STORE]);
    assert_int_equal(hs_metric(st, "planwatch_store_updates_stored_total"), accepted);
    assert_int_equal(hs_metric(st, "planwatch_store_updates_published_total"), accepted);
    /* committed updates travel in runs of one (plan, project), not one by one */
    assert_true(hs_metric(st, "planwatch_store_update_messages_total") >= 1);
    assert_true(hs_metric(st, "planwatch_store_update_messages_total") < accepted / 4);
    assert_int_equal(hs_metric(st, "planwatch_store_seq"), accepted);
    assert_true(hs_metric(st, "planwatch_store_commits_total") >= 1);
    assert_true(hs_metric(st, "planwatch_store_commit_seconds_count") >= 1);
    assert_true(hs_metric(st, "planwatch_store_lmdb_map_bytes") >= 64.0 * 1024 * 1024);
    assert_true(hs_metric(st, "planwatch_store_lmdb_used_bytes") > 0);
    assert_true(hs_metric(st, "planwatch_store_lmdb_map_usage_ratio") > 0);
    assert_true(hs_metric(st, "planwatch_store_lmdb_map_usage_ratio") < 0.01);
    assert_true(hs_metric(st, "planwatch_store_queries_total{kind=\"snapshot\"}") >= 1);
    assert_true(hs_metric(st, "planwatch_store_queries_total{kind=\"alert_state_put\"}") >= 1);
    free(st);

    char *al = alert_settled(c, port[HS_ALERT]);
    double behind = hs_metric(al, "planwatch_alert_alerts_published_total{status=\"BEHIND\"}");
    assert_int_equal(hs_metric(al, "planwatch_alert_ready"), 1);
    assert_int_equal(hs_metric(al, "planwatch_alert_applied_seq"), accepted);
    assert_int_equal(hs_metric(al, "planwatch_alert_resyncs_total"), 0);
    assert_int_equal(hs_metric(al, "planwatch_alert_outbox_transitions"), 0);
    double published = behind;
    static const char *names[] = {"NO_TARGET", "NO_DATA", "ON_TRACK", "AT_RISK", "ACHIEVED"};
    for (int i = 0; i < 5; i++) {
        char series[120];
        snprintf(series, sizeof series, "planwatch_alert_alerts_published_total{status=\"%s\"}", names[i]);
        published += hs_metric(al, series);
    }
    /* every published alert is counted under its status, and alert seqs count them all */
    assert_true(published > 0);
    assert_int_equal(published, hs_metric(al, "planwatch_alert_alert_seq"));
    assert_true(hs_metric(al, "planwatch_alert_eval_seconds_count") >= 1);
    free(al);

    /* other paths and methods */
    int status = 0;
    char *nf = hs_scrape(port[HS_STORE], "/nope", &status);
    assert_int_equal(status, 404);
    free(nf);
}

/* The store's status CSV at a fixed date, through the CLI. */
static char *status_csv(struct hs_cluster *c)
{
    return cli(c, 0, (const char *const[]){"status", "--as-of", "2026-03-31", "--format", "csv", NULL});
}

static void test_backup_restore(void **state)
{
    struct hs_cluster *c = *state;
    char dir[300], data[300], bdir[300], bflag[320];
    snprintf(bdir, sizeof bdir, "%s/backup", c->dir);
    snprintf(bflag, sizeof bflag, "--backup-dir=%s", bdir);
    c->extra[HS_STORE][0] = bflag;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    free(cli(c, 0, (const char *const[]){"feed", hs_src("catalog/feeds/plan2-fy2022.csv"), NULL}));
    free(cli(c, 0, (const char *const[]){"feed", hs_src("catalog/feeds/plan3-fy2025.csv"), NULL}));
    char *before = status_csv(c);

    /* the asker names a subdirectory of the store's --backup-dir */
    snprintf(dir, sizeof dir, "%s/one", bdir);
    char *out = cli(c, 0, (const char *const[]){"backup", "one", NULL});
    assert_non_null(strstr(out, "backup written: "));
    assert_non_null(strstr(out, "one/data.mdb"));
    free(out);
    assert_int_equal(access(dir, F_OK), 0);
    /* a directory that already holds a backup is refused; nothing is overwritten */
    char *o2 = NULL, *e2 = NULL;
    assert_int_equal(hs_cli(c, &o2, &e2, (const char *const[]){"backup", "one", NULL}), 1);
    assert_non_null(strstr(e2, "already holds a data.mdb"));
    assert_non_null(strstr(e2, "[PW_EINVAL]"));
    free(o2);
    free(e2);
    /* the store goes on: more figures after the backup */
    free(cli(c, 0, (const char *const[]){"feed", hs_src("catalog/feeds/plan2-fy2024.csv"), NULL}));
    char *after = status_csv(c);
    assert_string_not_equal(before, after);

    /* restore into a fresh data dir and start a second store on it */
    struct hs_cluster c2;
    hs_init(&c2, "ops-restore", "2026-03-31");
    snprintf(data, sizeof data, "%s/store", c2.dir);
    out = cli(c, 0, (const char *const[]){"restore", dir, data, NULL});
    assert_non_null(strstr(out, "restored: "));
    free(out);
    /* restoring over a store is refused */
    o2 = e2 = NULL;
    assert_int_equal(hs_cli(c, &o2, &e2, (const char *const[]){"restore", dir, data, NULL}), 1);
    assert_non_null(strstr(e2, "already holds a store"));
    free(o2);
    free(e2);
    hs_start(&c2, HS_STORE);
    char *restored = status_csv(&c2);
    assert_string_equal(restored, before);
    free(restored);
    free(cli(&c2, 0, (const char *const[]){"health", "store", NULL}));
    hs_fini(&c2);

    /* the protocol's own checks: a path (absolute, nested, "..") is refused
     * with PW_EINVAL and nothing is written outside --backup-dir */
    struct pw_client *cl = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    char outside[320];
    snprintf(outside, sizeof outside, "%s/outside", c->dir);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &cl), 0);
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP;
    const char *bad[] = {outside, "relative/dir", "..", "", NULL};
    for (int i = 0; bad[i]; i++) {
        q.path = (char *)bad[i];
        assert_int_equal(pw_client_query(cl, &q, 10000, &r), PW_EINVAL);
    }
    assert_int_equal(access(outside, F_OK), -1);
    pw_client_close(&cl);
    free(before);
    free(after);
}

/* Safe defaults without TLS: the binds default to loopback (and --help
 * says so); --insecure on any other address is refused unless
 * --insecure-anywhere forces it; the HTTP door beyond loopback without
 * --read-auth warns at start. */
static void test_safe_defaults(void **state)
{
    struct hs_cluster *c = *state;
    static const char *const svc[] = {"store", "ingest", "alert"};
    for (int i = 0; i < 3; i++) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "%s --help | grep -q 'tcp://127.0.0.1:76' && ! %s --help | grep -qF 'tcp://*'",
                 hs_bin(svc[i]), hs_bin(svc[i]));
        if (system(cmd) != 0)
            fail_msg("planwatch-%s --help does not show loopback defaults", svc[i]);
    }
    /* --insecure (the harness's PLANWATCH_INSECURE=1) on every interface: refused */
    char data[320], listen[80];
    snprintf(data, sizeof data, "--data-dir=%s/store-any", c->dir);
    snprintf(listen, sizeof listen, "--listen=tcp://0.0.0.0:%d", hs_free_port());
    c->extra[HS_STORE][0] = data;
    c->extra[HS_STORE][1] = listen;
    hs_spawn(c, HS_STORE);
    assert_int_equal(hs_stop(c, HS_STORE, 0), 1);
    assert_true(hs_log_has(c, "store", "refusing to bind a non-loopback address with --insecure"));
    /* ... unless forced */
    c->extra[HS_STORE][2] = "--insecure-anywhere";
    hs_spawn(c, HS_STORE);
    assert_true(hs_log_wait(c, "store", "msg=\"ready\"", 10000));
    assert_int_equal(hs_stop(c, HS_STORE, SIGTERM), 0);
    c->extra[HS_STORE][0] = c->extra[HS_STORE][1] = c->extra[HS_STORE][2] = NULL;
    /* the HTTP door on every interface without --read-auth: a warning */
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    char hl[80];
    c->http_port = hs_free_port();
    snprintf(c->http_url, sizeof c->http_url, "http://127.0.0.1:%d", c->http_port);
    snprintf(hl, sizeof hl, "--listen=0.0.0.0:%d", c->http_port);
    c->http_extra[0] = hl;
    hs_start_http(c);
    assert_true(hs_log_has(c, "http", "listening beyond loopback without --read-auth"));
    assert_int_equal(hs_stop_http(c), 0);
    c->http_extra[0] = NULL;
}

/* Rows of 500-byte notes for one indicator: every one a new revision. */
static Planwatch__V1__FeedReply *feed_filler(struct pw_client *in, int from, int n)
{
    static char note[501];
    memset(note, 'x', 500);
    Planwatch__V1__IndicatorUpdate *u = calloc((size_t)n, sizeof *u);
    Planwatch__V1__IndicatorUpdate **p = calloc((size_t)n, sizeof *p);
    char (*ids)[32] = calloc((size_t)n, sizeof *ids);
    for (int i = 0; i < n; i++) {
        planwatch__v1__indicator_update__init(&u[i]);
        snprintf(ids[i], sizeof ids[i], "fill:%d", from + i);
        u[i].update_id = ids[i];
        u[i].indicator_id = "p3-out05-pediatric-plans";
        u[i].fiscal_year = 2025;
        u[i].value_micros = (int64_t)(from + i) * 1000000;
        u[i].basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
        u[i].note = note;
        u[i].row = i + 2;
        p[i] = &u[i];
    }
    Planwatch__V1__FeedReply *r = hs_feed_rows(in, "office-fill", p, (size_t)n, 20000);
    free(u);
    free(p);
    free(ids);
    return r;
}

static void test_map_full(void **state)
{
    struct hs_cluster *c = *state;
    c->extra[HS_STORE][0] = "--map-mb=1";
    c->extra[HS_STORE][1] = "--max-map-mb=1";
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    struct pw_client *in = NULL, *st = NULL;
    assert_int_equal(pw_client_open(c->ctx, c->ep_ingest, &in), 0);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);

    /* batches of 200 until one does not fit, then single rows until not even one does */
    int sent = 0, full_at = -1, batch = 200;
    uint64_t accepted = 0;
    while (batch > 0 && sent < 8000) {
        Planwatch__V1__FeedReply *r = feed_filler(in, sent, batch);
        assert_non_null(r);
        for (size_t i = 0; i < r->n_results; i++) {
            const Planwatch__V1__RowResult *x = r->results[i];
            if (x->status == PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED) {
                accepted++;
                continue;
            }
            /* the office hears exactly why, per row */
            assert_int_equal(x->status, PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE);
            assert_int_equal(x->code, PW_EMAPFULL);
            assert_non_null(strstr(x->reason, "--max-map-mb 1 MiB"));
            assert_non_null(strstr(x->reason, "nothing was stored"));
            if (full_at < 0)
                full_at = sent + (int)i;
        }
        int refused = r->unavailable > 0;
        planwatch__v1__feed_reply__free_unpacked(r, NULL);
        sent += batch;
        if (refused)
            batch = batch == 1 ? 0 : 1;
    }
    assert_true(full_at > 0);
    /* the store keeps serving: health, status, and exactly the accepted rows */
    free(cli(c, 0, (const char *const[]){"health", "store", NULL}));
    free(status_csv(c));
    assert_int_equal(hs_store_seq(c, st), accepted);
    /* the CLI shows the office the reason and the code */
    char csv[300];
    snprintf(csv, sizeof csv, "%s/more.csv", c->dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("indicator_id,fiscal_year,value,note\np3-out05-pediatric-plans,2025,77,", f);
    for (int i = 0; i < 50; i++)
        fputs("one more! ", f);
    fputs("\n", f);
    fclose(f);
    char *o = NULL, *e = NULL;
    assert_int_equal(hs_cli(c, &o, &e, (const char *const[]){"feed", csv, NULL}), 1);
    assert_non_null(strstr(o, "PW_EMAPFULL"));
    assert_non_null(strstr(o, "the store is full"));
    free(o);
    free(e);

    /* clean stop; a larger map takes the resend; nothing was lost or damaged */
    assert_int_equal(hs_stop(c, HS_STORE, SIGTERM), 0);
    c->extra[HS_STORE][1] = "--max-map-mb=16";
    hs_start(c, HS_STORE);
    assert_int_equal(hs_store_seq(c, st), accepted);
    Planwatch__V1__FeedReply *r = NULL;
    int64_t end = pw_now_ms() + 20000;
    do { /* ingest answers UNAVAILABLE until it hears the restarted store */
        if (r)
            planwatch__v1__feed_reply__free_unpacked(r, NULL);
        r = feed_filler(in, 0, sent);
        assert_non_null(r);
    } while (r->unavailable && pw_now_ms() < end);
    assert_int_equal(r->duplicates, accepted);
    assert_int_equal(r->accepted, (uint64_t)sent - accepted);
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    assert_int_equal(hs_store_seq(c, st), sent);
    pw_client_close(&in);
    pw_client_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_safe_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_full, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
