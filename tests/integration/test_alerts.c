/* test_alerts.c - the alert leg: a subscriber started late and one restarted
 * after missing updates converge to the state of one that saw everything; a
 * forced gap (the store drops publications) is detected and repaired from
 * the store; time passing with no new data makes an indicator fall behind
 * and `planwatch watch` prints the alert. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "zsock.h"

static int setup(void **state)
{
    struct hs_cluster *c = calloc(1, sizeof *c);
    hs_init(c, "alerts", "2026-03-31");
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    hs_fini(*state);
    free(*state);
    return 0;
}

/* Feeds a sample file through the real CLI; asserts every row accepted. */
static void feed(struct hs_cluster *c, const char *rel)
{
    char *out = NULL, *err = NULL;
    const char *args[] = {"feed", hs_src(rel), NULL};
    int rc = hs_cli(c, &out, &err, args);
    if (rc != 0)
        fail_msg("feed %s: exit %d\n%s%s", rel, rc, out, err);
    assert_non_null(strstr(out, " 0 rejected, 0 unavailable"));
    free(out);
    free(err);
}

static void converge(struct hs_cluster *c, struct pw_client *st, long *resyncs)
{
    uint64_t seq = hs_store_seq(c, st);
    long r = hs_alert_converged(c, seq, 30000);
    if (r < 0) {
        hs_dump_logs(c);
        fail_msg("alert did not converge to store seq %llu", (unsigned long long)seq);
    }
    if (resyncs)
        *resyncs = r;
    assert_true(hs_assert_alert_state_fresh(c, st, "2026-03-31") > 100);
}

/* Started after all the data arrived, and restarted after missing some. */
static void test_late_and_restarted_subscriber(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *st = NULL;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    /* nothing stored yet: history of a catalog indicator is empty, not an error */
    char *out = NULL, *err = NULL;
    const char *hist[] = {"history", "p3-out16-bio-manufacturing-trainees", NULL};
    if (hs_cli(c, &out, &err, hist) != 0)
        fail_msg("history on an empty store failed:\n%s%s", out, err);
    assert_non_null(strstr(out, "p3-out16-bio-manufacturing-trainees"));
    free(out);
    free(err);
    feed(c, "catalog/feeds/plan2-fy2022.csv");
    feed(c, "catalog/feeds/plan3-fy2025.csv");
    hs_start(c, HS_ALERT); /* late: everything is already stored */
    converge(c, st, NULL);

    assert_int_equal(hs_stop(c, HS_ALERT, SIGKILL), 128 + SIGKILL);
    feed(c, "catalog/feeds/plan2-fy2024.csv"); /* missed while down */
    hs_start(c, HS_ALERT);
    converge(c, st, NULL);
    pw_client_close(&st);
}

/* The store drops every 5th publication: the alert service sees the seq
 * jump (or a heartbeat ahead of it), resynchronises and converges. */
static void test_forced_gap(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *st = NULL;
    c->extra[HS_STORE][0] = "--test-drop-every=5";
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    hs_start(c, HS_ALERT);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    feed(c, "catalog/feeds/plan3-fy2025.csv");
    long resyncs = 0;
    converge(c, st, &resyncs);
    assert_true(resyncs >= 1);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "grep -q 'test hook: publication dropped' %s/store.log", c->dir);
    assert_int_equal(system(cmd), 0);
    pw_client_close(&st);
}

/* No new data, but time passes: p3-out16 (271 of 750 over FY2024-28) is
 * AT_RISK at the end of FY2025 and BEHIND by October 2026; `watch` prints it. */
static void test_time_passing_alert_in_watch(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *st = NULL;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    hs_start(c, HS_ALERT);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    feed(c, "catalog/feeds/plan3-fy2025.csv");
    converge(c, st, NULL);

    /* a watcher for that indicator, started before time moves */
    char log[300];
    snprintf(log, sizeof log, "%s/watch.out", c->dir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    char elog[300];
    snprintf(elog, sizeof elog, "%s/watch.err", c->dir);
    if (pid == 0) {
        FILE *o = freopen(log, "w", stdout);
        FILE *e = freopen(elog, "w", stderr);
        (void)o;
        (void)e;
        setenv("PLANWATCH_ALERTS", c->ep_alerts, 1);
        setenv("PLANWATCH_STORE", c->ep_store, 1);
        execl(hs_bin("planwatch"), "planwatch", "watch", "--indicator",
              "p3-out16-bio-manufacturing-trainees", "--count", "1", (char *)NULL);
        _exit(127);
    }
    /* the watcher is subscribed once it says so (after its first heartbeat);
     * only then may time move, or the alert could pass before it listens */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "grep -q 'planwatch: watching' %s", elog);
    int64_t until = pw_now_ms() + 20000;
    while (system(cmd) != 0) {
        if (pw_now_ms() > until)
            fail_msg("watch did not start listening");
        hs_alert_converged(c, 0, 300); /* paced by alert heartbeats, not a sleep */
    }
    hs_set_clock(c, "2026-10-01");
    int st_code = 0;
    int64_t end = pw_now_ms() + 30000;
    int done = 0;
    while (!done && pw_now_ms() < end) {
        pid_t w = waitpid(pid, &st_code, WNOHANG);
        if (w == pid) {
            done = 1;
            break;
        }
        hs_alert_converged(c, 0, 500); /* paced by the alert heartbeats */
    }
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &st_code, 0);
        hs_dump_logs(c);
        fail_msg("watch saw no alert for p3-out16 after the clock moved");
    }
    assert_true(WIFEXITED(st_code) && WEXITSTATUS(st_code) == 0);
    FILE *f = fopen(log, "r");
    char line[2048] = "";
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_non_null(strstr(line, "p3-out16-bio-manufacturing-trainees"));
    assert_non_null(strstr(line, "AT_RISK → BEHIND"));
    assert_non_null(strstr(line, "CRITICAL"));
    pw_client_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_late_and_restarted_subscriber, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forced_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_passing_alert_in_watch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
