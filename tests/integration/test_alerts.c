/* test_alerts.c - the alert leg: a subscriber started late and one restarted
 * after missing updates converge to the state of one that saw everything; a
 * forced gap (the store drops publications) is detected and repaired from
 * the store; judgement at checkpoints end to end: nothing moves between
 * them, an ended plan keeps no alert open, and after a deadline with no new
 * figure an indicator is judged at the next checkpoint and `planwatch
 * watch` prints it. */
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
 * jump (or a heartbeat ahead of it), resynchronises and converges. Needs
 * the store's test hook: skipped in a build without it (PW_TEST_HOOKS=OFF). */
static void test_forced_gap(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *st = NULL;
#ifndef PW_TEST_HOOKS
    skip();
#endif
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

/* The alert_id of every open status alert of plan (CSV order), one per line. */
static char *open_status(struct hs_cluster *c, const char *plan)
{
    char *out = NULL, *err = NULL;
    const char *args[] = {"alerts", "--open", "--plan", plan, "--format", "csv", NULL};
    if (hs_cli(c, &out, &err, args) != 0)
        fail_msg("alerts --open: %s%s", out, err);
    size_t len = 0;
    char *ids = calloc(1, strlen(out) + 1);
    assert_non_null(ids);
    for (char *line = strtok(strchr(out, '\n') ? strchr(out, '\n') + 1 : out, "\n"); line;
         line = strtok(NULL, "\n")) {
        char *comma = strchr(line, ',');
        if (comma && strncmp(comma + 1, "status,", 7) == 0) {
            memcpy(ids + len, line, (size_t)(comma - line));
            len += (size_t)(comma - line);
            ids[len++] = '\n';
        }
    }
    free(out);
    free(err);
    return ids;
}

/* Moves the clock and waits until the alert service has judged that day
 * and published all it raised (no sleep: its heartbeat says so). */
static void move_clock(struct hs_cluster *c, const char *day)
{
    hs_set_clock(c, day);
    if (hs_alert_evaluated(c, 0, 0, day, NULL, 60000) < 0) {
        hs_dump_logs(c);
        fail_msg("the alert service did not judge %s", day);
    }
}

/* Judgement at checkpoints, end to end. With plan 2's FY2024 figures and
 * plan 3's FY2025 ones: plan 2 has ended, so no status alert is open for it;
 * plan 3's open status alerts do not change on any day between its FY2025
 * checkpoint and FY2026's deadline (p3-out01 stays A: no figure is due); the
 * day after, p3-out16 (271, AT_RISK at FY2025) is judged at FY2026 on its
 * stale figure, BEHIND, and `watch` prints it. */
static void test_checkpoints_end_to_end(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *st = NULL;
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    hs_start(c, HS_ALERT);
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    feed(c, "catalog/feeds/plan2-fy2024.csv");
    feed(c, "catalog/feeds/plan3-fy2025.csv");
    converge(c, st, NULL);
    move_clock(c, "2026-03-31");
    char *p2 = open_status(c, "p2");
    assert_string_equal(p2, "");
    free(p2);
    char *base = open_status(c, "p3");
    assert_non_null(strstr(base, "p3-out04-top1-papers:"));
    assert_non_null(strstr(base, "p3-out16-bio-manufacturing-trainees:"));

    /* a watcher for p3-out16, started before time moves */
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
    static const char *between[] = {"2026-04-01", "2026-07-01", "2026-12-06", "2027-03-31",
                                    "2027-06-30"};
    for (size_t d = 0; d < sizeof between / sizeof between[0]; d++) {
        move_clock(c, between[d]);
        char *now = open_status(c, "p3");
        if (strcmp(now, base) != 0)
            fail_msg("on %s open status alerts changed:\n%s\nwere:\n%s", between[d], now, base);
        free(now);
        p2 = open_status(c, "p2");
        assert_string_equal(p2, "");
        free(p2);
        assert_true(waitpid(pid, NULL, WNOHANG) == 0); /* the watcher heard nothing */
    }
    /* the status people read on 2026-12-06: output 1) is A at FY2025 */
    char *out = NULL, *err = NULL;
    const char *stat[] = {"status", "--as-of", "2026-12-06", "--plan", "p3", "--format", "csv", NULL};
    assert_int_equal(hs_cli(c, &out, &err, stat), 0);
    char *row = strstr(out, "\np3-out01-licensing,");
    assert_non_null(row);
    assert_non_null(strstr(row, ",ON_TRACK,A,\"FY2025 (1/5): expected ≥ 130 of 650, actual 158"));
    free(out);
    free(err);
    free(base);

    move_clock(c, "2027-07-01");
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
        fail_msg("watch saw no alert for p3-out16 after FY2026's deadline");
    }
    assert_true(WIFEXITED(st_code) && WEXITSTATUS(st_code) == 0);
    FILE *f = fopen(log, "r");
    char line[2048] = "";
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_non_null(strstr(line, "p3-out16-bio-manufacturing-trainees"));
    /* in Japanese by default: the status words and the follow-up tables' wording */
    assert_non_null(strstr(line, "要注意 → 遅れ"));
    assert_non_null(strstr(line, "CRITICAL"));
    assert_non_null(strstr(line, "令和8年度末"));
    assert_non_null(strstr(line, "271"));
    assert_non_null(strstr(line, "450"));
    assert_true(hs_assert_alert_state_fresh(c, st, "2027-07-01") > 100);
    pw_client_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_late_and_restarted_subscriber, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forced_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints_end_to_end, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
