/* test_store_format.c - the store's data format, with the real store on
 * loopback: data written by the first release, which recorded no format
 * (tests/fixtures/store-format1.mdb.txt, made by that release's services:
 * tests/fixtures/README.md), is mdb_load'ed into a fresh data dir; the
 * store upgrades it at start (one log line a step, meta "format" 4, the
 * planwatch_store_data_format gauge) and answers history, subscriptions
 * and status as the release did; it takes a session revocation (the table
 * added without a bump) and keeps it; a restart finds nothing to upgrade. Data
 * of a newer format is refused: the store exits 1 naming both formats, and
 * not a byte of data.mdb changes. Needs lmdb-utils (scripts/deps.sh). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"

#define FIXTURE "tests/fixtures/store-format1"

static int setup(void **state)
{
    struct hs_cluster *c = calloc(1, sizeof *c);
    hs_init(c, "format", "2026-12-06"); /* the fixture's day */
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    hs_fini(*state);
    free(*state);
    return 0;
}

/* Runs a shell command (printf-style) and asserts it exits 0; the tools'
 * stderr goes to DIR/tools.log, printed when it fails. */
__attribute__((format(printf, 2, 3))) static void run(struct hs_cluster *c, const char *fmt, ...)
{
    char cmd[2048], full[2400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "(%s) 2>>'%s/tools.log'", cmd, c->dir);
    if (system(full) != 0) {
        snprintf(full, sizeof full, "cat '%s/tools.log' >&2", c->dir);
        if (system(full) != 0)
            fprintf(stderr, "no tools.log\n");
        fail_msg("failed: %s", cmd);
    }
}

/* A fresh data dir holding what the release wrote. */
static void load_fixture(struct hs_cluster *c)
{
    char store[300];
    snprintf(store, sizeof store, "%s/store", c->dir);
    assert_int_equal(mkdir(store, 0750), 0);
    run(c, "mdb_load -f '%s' '%s'", hs_src(FIXTURE ".mdb.txt"), store);
}

/* `mdb_dump ARGS` of the data dir (caller frees). */
static char *dump(struct hs_cluster *c, const char *args)
{
    char path[300];
    snprintf(path, sizeof path, "%s/dump.txt", c->dir);
    run(c, "mdb_dump %s '%s/store' >'%s'", args, c->dir, path);
    return hs_read_file(path, NULL);
}

static char *store_log(struct hs_cluster *c)
{
    char path[300];
    snprintf(path, sizeof path, "%s/store.log", c->dir);
    return hs_read_file(path, NULL);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* `planwatch ARGS...`, asserting exit 0; returns stdout (caller frees). */
static char *cli(struct hs_cluster *c, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = hs_cli(c, &out, &err, args);
    if (rc != 0) {
        hs_dump_logs(c);
        fail_msg("planwatch %s: exit %d\nstdout: %s\nstderr: %s", args[0], rc, out, err);
    }
    free(err);
    return out;
}

/* The CLI's answer to args equals what the release answered (file rel). */
static void expect_as_release(struct hs_cluster *c, const char *rel, const char *const *args)
{
    char *want = hs_read_file(hs_src(rel), NULL);
    char *got = cli(c, args);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

/* Splits one CSV line in place (quoted fields unquoted); returns the count. */
static size_t csv_split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *r = line, *w = line;
    while (n < max) {
        f[n++] = w;
        if (*r == '"') {
            for (r++; *r && !(*r == '"' && r[1] != '"'); r++)
                *w++ = *r == '"' ? *r++ : *r; /* "" is one quote */
            if (*r == '"')
                r++;
        } else {
            while (*r && *r != ',')
                *w++ = *r++;
        }
        int more = *r == ',';
        *w++ = '\0';
        if (!more)
            break;
        r++;
    }
    return n;
}

/* "id actual" per row of a status CSV, by the header's names: the stored
 * figures, whatever columns evaluation adds or how it words them. */
static char *status_figures(const char *csv)
{
    char *copy = strdup(csv), *out = calloc(1, strlen(csv) + 2), *save = NULL;
    int id = -1, actual = -1;
    size_t n = 0;
    assert_non_null(copy);
    assert_non_null(out);
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *f[40];
        size_t nf = csv_split(l, f, 40);
        if (id < 0) {
            for (size_t i = 0; i < nf; i++) {
                id = strcmp(f[i], "id") ? id : (int)i;
                actual = strcmp(f[i], "actual") ? actual : (int)i;
            }
            assert_true(id >= 0 && actual >= 0);
            continue;
        }
        assert_true((size_t)id < nf && (size_t)actual < nf);
        n += (size_t)sprintf(out + n, "%s %s\n", f[id], f[actual]);
    }
    free(copy);
    return out;
}

static void expect_release_answers(struct hs_cluster *c)
{
    expect_as_release(c, FIXTURE ".history-p3-out01-licensing.csv",
                      (const char *const[]){"history", "p3-out01-licensing", "--format", "csv", NULL});
    expect_as_release(c, FIXTURE ".subscriptions.csv",
                      (const char *const[]){"subscriptions", "--format", "csv", NULL});
    char *release = hs_read_file(hs_src(FIXTURE ".status-p2-2025-03-31.csv"), NULL);
    char *now = cli(c, (const char *const[]){"status", "--as-of", "2025-03-31", "--plan", "p2",
                                             "--format", "csv", NULL});
    char *want = status_figures(release), *got = status_figures(now);
    assert_int_equal(count(want, "\n"), 50); /* plan 2's indicators */
    assert_string_equal(got, want);
    free(want);
    free(got);
    free(now);
    free(release);
}

/* A session revocation (the HTTP door's sign-out) recorded now, or the
 * list of those the store keeps after seq 0; returns how many it lists. */
static size_t revocations(struct hs_cluster *c, int record)
{
    struct pw_client *st = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__SessionRevocation v = PLANWATCH__V1__SESSION_REVOCATION__INIT;
    uint8_t id[16] = {0x5e, 0x55, 0x10, 0x4e};
    assert_int_equal(pw_client_open(c->ctx, c->ep_store, &st), 0);
    if (record) {
        v.session_id.data = id;
        v.session_id.len = sizeof id;
        v.expires_s = (int64_t)time(NULL) + 3600;
        v.user = "format-test";
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SESSION_REVOKE;
        q.revocation = &v;
    } else {
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SESSIONS_REVOKED;
    }
    Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
    size_t n = r->n_revocations;
    if (!record)
        for (size_t i = 0; i < n; i++)
            assert_memory_equal(r->revocations[i]->session_id.data, id, sizeof id);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    pw_client_close(&st);
    return n;
}

static void test_release_data_upgraded(void **state)
{
    struct hs_cluster *c = *state;
    char flag[40];
    int port = hs_free_port(), status = 0;
    snprintf(flag, sizeof flag, "--metrics=127.0.0.1:%d", port);
    c->extra[HS_STORE][0] = flag;
    load_fixture(c);
    char *meta = dump(c, "-s meta -p");
    assert_null(strstr(meta, " format\n"));
    free(meta);

    hs_start(c, HS_STORE);
    char *log = store_log(c);
    assert_int_equal(count(log, "msg=\"data format upgraded\" from=1 to=2\n"), 1);
    assert_int_equal(count(log, "msg=\"data format upgraded\" from=2 to=3\n"), 1);
    assert_int_equal(count(log, "msg=\"data format upgraded\" from=3 to=4\n"), 1);
    assert_non_null(strstr(log, "msg=\"ready\" seq=161 data_format=4 "));
    free(log);
    char *body = hs_scrape(port, "/metrics", &status);
    assert_non_null(body);
    assert_int_equal(status, 200);
    assert_int_equal(hs_metric(body, "planwatch_store_data_format"), 4);
    free(body);
    expect_release_answers(c);
    /* the sessions table, added in format 4 without a bump (nothing else
     * changes; a format-4 store before it never opens it), is there empty
     * on older data, takes a revocation, and keeps it across the restart */
    assert_int_equal(revocations(c, 0), 0);
    revocations(c, 1);
    assert_int_equal(revocations(c, 0), 1);

    /* recorded durably: format 4 in meta, and a restart has nothing to do */
    assert_int_equal(hs_stop(c, HS_STORE, SIGTERM), 0);
    meta = dump(c, "-s meta -p");
    assert_non_null(strstr(meta, "\n format\n \\00\\00\\00\\00\\00\\00\\00\\04\n"));
    free(meta);
    hs_start(c, HS_STORE);
    log = store_log(c);
    /* the two steps of the first start, and none since */
    assert_int_equal(count(log, "msg=\"data format upgraded\""), 3);
    assert_int_equal(count(log, "data_format=4 "), 2);
    free(log);
    expect_release_answers(c);
    assert_int_equal(revocations(c, 0), 1);
}

static void test_newer_data_refused(void **state)
{
    struct hs_cluster *c = *state;
    char path[300];
    load_fixture(c);
    /* the release's data, as a future planwatch-store at format 99 left it */
    snprintf(path, sizeof path, "%s/format99.txt", c->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("VERSION=3\nformat=print\ndatabase=meta\ntype=btree\nHEADER=END\n"
          " format\n \\00\\00\\00\\00\\00\\00\\00\\63\nDATA=END\n", f);
    assert_int_equal(fclose(f), 0);
    run(c, "mdb_load -f '%s' '%s/store'", path, c->dir);
    snprintf(path, sizeof path, "%s/store/data.mdb", c->dir);
    size_t len_before, len_after;
    char *before = hs_read_file(path, &len_before);

    hs_spawn(c, HS_STORE);
    int rc = hs_wait_exited(c, HS_STORE, 20000);
    char *log = store_log(c);
    if (rc != 1)
        fail_msg("the store exited with %d (want 1):\n%s", rc, log);
    assert_non_null(strstr(log, "use a newer planwatch-store"));
    assert_non_null(strstr(log, " format=99 supported=4"));
    assert_non_null(strstr(log, "err=PW_EFORMAT"));
    assert_null(strstr(log, "msg=\"ready\""));
    free(log);
    /* nothing written: the file is byte for byte what it was */
    char *after = hs_read_file(path, &len_after);
    assert_int_equal(len_after, len_before);
    assert_memory_equal(after, before, len_before);
    free(after);
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_release_data_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_data_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
