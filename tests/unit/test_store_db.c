/* test_store_db.c - the store's data format (store_db.c) on a real LMDB in a
 * temp dir: a new environment is created at STORE_DB_FORMAT; one holding
 * tables but no "format" (the first release's) is format 1 and is upgraded
 * through the upgrade table, logged once; newer data is refused with
 * PW_EFORMAT and left byte for byte as it was; an unreadable or zero
 * format is PW_EDB. The log is read from stderr, redirected to a file per open.
 * A full disk (mdb_txn_commit wrapped to fail with ENOSPC, -Wl,--wrap):
 * every put PW_EDISKFULL, nothing written, store_db_disk_full says so until
 * a write succeeds; an environment LMDB declared unusable (MDB_PANIC) is
 * reopened by the next write, nothing lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"

#include <errno.h>
#include <lmdb.h>

#include "err.h"
#include "store_db.h"

/* Failures to inject: the next commits fail with ENOSPC while commit_enospc
 * > 0; the next write begins answer MDB_PANIC while begin_panic > 0. */
static int commit_enospc, begin_panic;
int __real_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_txn_commit(MDB_txn *txn)
{
    if (commit_enospc > 0) {
        commit_enospc--;
        mdb_txn_abort(txn); /* as LMDB does when its write fails */
        return ENOSPC;
    }
    return __real_mdb_txn_commit(txn);
}
int __real_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn);
int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn);
int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn)
{
    if (begin_panic > 0 && !(flags & MDB_RDONLY)) {
        begin_panic--;
        return MDB_PANIC;
    }
    return __real_mdb_txn_begin(env, parent, flags, txn);
}

struct fx {
    char dir[200];
    char log[220];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(f->dir, sizeof f->dir, "%s/pw-store-db-XXXXXX", tmp);
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->log, sizeof f->log, "%s.log", f->dir);
    *state = f;
    return 0;
}

static void rm_in(const char *dir, const char *name)
{
    char p[260];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    rm_in(f->dir, "data.mdb");
    rm_in(f->dir, "lock.mdb");
    rmdir(f->dir);
    unlink(f->log);
    free(f);
    return 0;
}

/* store_db_open with stderr (the log) going to f->log; returns its code
 * and the log in *log (caller frees). */
static int open_logged(struct fx *f, struct store_db **db, char **log)
{
    fflush(stderr);
    int saved = dup(2);
    FILE *out = fopen(f->log, "w+");
    assert_non_null(out);
    dup2(fileno(out), 2);
    int rc = store_db_open(db, f->dir, 1, 4, NULL, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(out, 0, SEEK_END);
    long n = ftell(out);
    assert_true(n >= 0);
    *log = calloc(1, (size_t)n + 1);
    assert_non_null(*log);
    rewind(out);
    assert_int_equal(fread(*log, 1, (size_t)n, out), (size_t)n);
    fclose(out);
    return rc;
}

static void put_meta(struct store_db *db, const char *name, const void *val, size_t vlen)
{
    struct store_db_op o = {.table = STORE_T_META, .key = name, .klen = strlen(name), .val = val,
                            .vlen = vlen, .del = val == NULL};
    assert_int_equal(store_db_write(db, &o, 1), 0);
}

/* A new environment whose "format" is then val[0..len). */
static void put_format_raw(struct fx *f, const void *val, size_t len)
{
    struct store_db *db = NULL;
    char *log;
    assert_int_equal(open_logged(f, &db, &log), 0);
    free(log);
    put_meta(db, "format", val, len);
    store_db_close(&db);
}

static char *read_data(struct fx *f, size_t *len)
{
    char p[260];
    snprintf(p, sizeof p, "%s/data.mdb", f->dir);
    FILE *in = fopen(p, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    *len = (size_t)ftell(in);
    rewind(in);
    char *b = malloc(*len ? *len : 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, in), *len);
    fclose(in);
    return b;
}

static void test_new_environment_at_current_format(void **state)
{
    struct fx *f = *state;
    struct store_db *db = NULL;
    char *log;
    assert_int_equal(open_logged(f, &db, &log), 0);
    assert_null(strstr(log, "upgraded")); /* created at it, nothing to upgrade */
    free(log);
    assert_true(store_db_format(db) == STORE_DB_FORMAT);
    assert_true(store_db_meta(db, "format") == STORE_DB_FORMAT);
    store_db_close(&db);
    assert_int_equal(open_logged(f, &db, &log), 0);
    assert_null(strstr(log, "upgraded"));
    free(log);
    assert_true(store_db_format(db) == STORE_DB_FORMAT);
    store_db_close(&db);
}

/* What the first release left: every table, data, no "format". */
static void test_format1_upgraded_once(void **state)
{
    struct fx *f = *state;
    struct store_db *db = NULL;
    unsigned char v[8];
    char *log;
    assert_int_equal(open_logged(f, &db, &log), 0);
    free(log);
    put_meta(db, "format", NULL, 0);
    store_db_put_be64(v, 7);
    put_meta(db, "alert_seq", v, 8);
    store_db_close(&db);

    assert_int_equal(open_logged(f, &db, &log), 0);
    assert_non_null(strstr(log, "msg=\"data format upgraded\" from=1 to=2\n"));
    assert_non_null(strstr(log, "msg=\"data format upgraded\" from=2 to=3\n"));
    free(log);
    assert_true(store_db_format(db) == STORE_DB_FORMAT);
    assert_true(store_db_meta(db, "format") == STORE_DB_FORMAT);
    assert_true(store_db_meta(db, "alert_seq") == 7); /* the data is kept */
    store_db_close(&db);
    assert_int_equal(open_logged(f, &db, &log), 0);
    assert_null(strstr(log, "upgraded"));
    free(log);
    store_db_close(&db);
}

/* Format 2 (before retractions, reports and assessments): only the last
 * step runs, the data is kept, and the new tables answer empty. */
static void test_format2_upgraded_once(void **state)
{
    struct fx *f = *state;
    struct store_db *db = NULL;
    unsigned char v[8];
    char *log;
    assert_int_equal(open_logged(f, &db, &log), 0);
    free(log);
    store_db_put_be64(v, 2);
    put_meta(db, "format", v, 8);
    store_db_put_be64(v, 9);
    put_meta(db, "alert_seq", v, 8);
    store_db_close(&db);
    assert_int_equal(open_logged(f, &db, &log), 0);
    assert_null(strstr(log, "from=1 to=2"));
    assert_non_null(strstr(log, "msg=\"data format upgraded\" from=2 to=3\n"));
    assert_non_null(strstr(log, "msg=\"data format upgraded\" from=3 to=4\n"));
    free(log);
    assert_true(store_db_format(db) == STORE_DB_FORMAT);
    assert_true(store_db_meta(db, "alert_seq") == 9);
    store_db_close(&db);
}

/* Format 3 (before lifted silences, email/failed subscriptions and
 * delivery alerts): only the last step runs and the data is kept. */
static void test_format3_upgraded_once(void **state)
{
    struct fx *f = *state;
    struct store_db *db = NULL;
    unsigned char v[8];
    char *log;
    assert_int_equal(open_logged(f, &db, &log), 0);
    free(log);
    store_db_put_be64(v, 3);
    put_meta(db, "format", v, 8);
    store_db_put_be64(v, 11);
    put_meta(db, "alert_seq", v, 8);
    store_db_close(&db);
    assert_int_equal(open_logged(f, &db, &log), 0);
    assert_null(strstr(log, "from=2 to=3"));
    assert_non_null(strstr(log, "msg=\"data format upgraded\" from=3 to=4\n"));
    free(log);
    assert_true(store_db_format(db) == 4);
    assert_true(store_db_meta(db, "format") == 4);
    assert_true(store_db_meta(db, "alert_seq") == 11);
    store_db_close(&db);
}

/* Each step takes its format to the next, and the last reaches ours. */
static void test_upgrade_table(void **state)
{
    (void)state;
    size_t n = 0;
    while (store_db_upgrade_to(n) != 0) {
        assert_true(store_db_upgrade_to(n) == n + 2);
        n++;
    }
    assert_true(n == STORE_DB_FORMAT - 1);
    assert_true(store_db_upgrade_to(n - 1) == STORE_DB_FORMAT);
}

static void test_newer_format_refused_untouched(void **state)
{
    struct fx *f = *state;
    struct store_db *db = NULL, *sentinel = (struct store_db *)f;
    size_t len_before, len_after;
    char *log;
    unsigned char v[8];
    store_db_put_be64(v, 99);
    put_format_raw(f, v, 8);
    char *before = read_data(f, &len_before);
    db = sentinel;
    assert_int_equal(open_logged(f, &db, &log), PW_EFORMAT);
    assert_ptr_equal(db, sentinel); /* *out untouched */
    assert_non_null(strstr(log, "use a newer planwatch-store"));
    assert_non_null(strstr(log, " format=99 supported=4"));
    free(log);
    char *after = read_data(f, &len_after);
    assert_int_equal(len_after, len_before);
    assert_memory_equal(after, before, len_before);
    free(after);
    free(before);
}

/* A format value that is not 8 bytes, or is 0 (no such format: a recorded
 * 0 is damage, not a new environment), is PW_EDB and opens nothing. */
static void expect_unreadable(struct fx *f, const void *val, size_t len)
{
    struct store_db *db = NULL;
    char *log;
    put_format_raw(f, val, len);
    assert_int_equal(open_logged(f, &db, &log), PW_EDB);
    assert_non_null(strstr(log, "unreadable data format"));
    free(log);
    assert_null(db);
}

static void test_unreadable_format(void **state)
{
    expect_unreadable(*state, "\0\0\0\2", 4);
}

static void test_format_zero(void **state)
{
    expect_unreadable(*state, "\0\0\0\0\0\0\0\0", 8);
}

static void put_one(struct store_db *db, const char *uid, int64_t v, int *result, uint64_t *seq)
{
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    u.update_id = (char *)uid;
    u.indicator_id = "p3-pj1-out01-licensing";
    u.fiscal_year = 2025;
    u.value_micros = v;
    u.as_of = "2026-03-31";
    struct store_put p = {&u, 0, 0, NULL, NULL, 0, NULL, 0};
    assert_int_equal(store_db_put_batch(db, &p, 1, NULL), 0);
    *result = p.result;
    *seq = p.seq;
}

static int keep_cb(void *arg, const Planwatch__V1__IndicatorUpdate *u)
{
    uint8_t *buf = arg; /* the canonical bytes of what was read: buf[0] length */
    size_t n = planwatch__v1__indicator_update__get_packed_size(u);
    assert_true(n < 255);
    buf[0] = (uint8_t)n;
    planwatch__v1__indicator_update__pack(u, buf + 1);
    return 0;
}

/* A record written from ingest's bytes with the store's stamp appended (the
 * usual path) holds what a record packed anew holds: read back, even after
 * a reopen, it packs to the same canonical bytes; a resend of it is a
 * duplicate. So the data format (what is stored) is unchanged: 4. */
static void test_stamped_record(void **state)
{
    struct fx *f = *state;
    struct store_db *db = NULL;
    struct pw_arena *arena = NULL;
    assert_int_equal(pw_arena_open(&arena), 0);
    assert_int_equal(store_db_open(&db, f->dir, 1, 4, NULL, NULL), 0);
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    u.update_id = "a:1";
    u.indicator_id = "p3-pj1-out01-licensing";
    u.fiscal_year = 2025;
    u.value_micros = 2500000;
    u.as_of = "2026-03-31";
    u.office = "office-a";
    u.ingest_epoch = 77;
    u.ingest_seq = 5;
    uint8_t raw[256];
    size_t rlen = planwatch__v1__indicator_update__pack(&u, raw); /* as ingest sends it */
    u.received_ns = INT64_C(1780000000000000000);
    struct store_put p = {&u, 0, 0, NULL, raw, rlen, NULL, 0};
    assert_int_equal(store_db_put_batch(db, &p, 1, arena), 0);
    assert_int_equal(p.result, 0);
    assert_int_equal(p.seq, 1);
    assert_non_null(p.packed);
    /* what it should hold: the update with its seq and time, packed anew */
    uint8_t want[256];
    size_t wlen = planwatch__v1__indicator_update__pack(&u, want);
    Planwatch__V1__IndicatorUpdate *pub =
        planwatch__v1__indicator_update__unpack(NULL, p.len, p.packed);
    assert_non_null(pub);
    assert_int_equal(pub->seq, 1);
    assert_true(pub->received_ns == u.received_ns);
    planwatch__v1__indicator_update__free_unpacked(pub, NULL);
    for (int reopen = 0; reopen < 2; reopen++) {
        uint8_t got[256] = {0};
        int more;
        assert_int_equal(store_db_scan(db, 0, 0, keep_cb, got, &more), 0);
        assert_int_equal(got[0], wlen);
        assert_memory_equal(got + 1, want, wlen);
        store_db_close(&db);
        assert_int_equal(store_db_open(&db, f->dir, 1, 4, NULL, NULL), 0);
    }
    /* ingest's resend of the same bytes: a duplicate of seq 1 */
    u.received_ns = 0;
    u.seq = 0;
    struct store_put again = {&u, 0, 0, NULL, raw, rlen, NULL, 0};
    assert_int_equal(store_db_put_batch(db, &again, 1, arena), 0);
    assert_int_equal(again.result, 1);
    assert_int_equal(again.seq, 1);
    store_db_close(&db);
    pw_arena_close(&arena);
}

static int count_cb(void *arg, const Planwatch__V1__IndicatorUpdate *u)
{
    (void)u;
    (*(size_t *)arg)++;
    return 0;
}

static void test_disk_full_and_panic(void **state)
{
    struct fx *f = *state;
    struct store_db *db = NULL;
    int result;
    uint64_t seq, failed;
    assert_int_equal(store_db_open(&db, f->dir, 1, 4, NULL, NULL), 0);
    put_one(db, "a:1", 1000000, &result, &seq);
    assert_int_equal(result, 0);
    assert_int_equal(seq, 1);
    assert_int_equal(store_db_disk_full(db, &failed), 0);
    assert_int_equal(failed, 0);

    /* the disk is full: the put is answered, nothing is written */
    commit_enospc = 1;
    put_one(db, "a:2", 2000000, &result, &seq);
    assert_int_equal(result, PW_EDISKFULL);
    assert_int_equal(seq, 0);
    assert_int_equal(store_db_last_seq(db), 1);
    assert_int_equal(store_db_disk_full(db, &failed), 1);
    assert_int_equal(failed, 1);
    commit_enospc = 1;
    assert_int_equal(store_db_probe(db, 1), PW_EDISKFULL);
    assert_int_equal(store_db_disk_full(db, &failed), 1);
    assert_int_equal(failed, 2);
    /* space is back: the probe clears it, the put goes through with the next seq */
    assert_int_equal(store_db_probe(db, 2), 0);
    assert_int_equal(store_db_disk_full(db, NULL), 0);
    put_one(db, "a:2", 2000000, &result, &seq);
    assert_int_equal(result, 0);
    assert_int_equal(seq, 2);

    /* LMDB declared the environment unusable: the next write reopens it */
    begin_panic = 1;
    put_one(db, "a:3", 3000000, &result, &seq);
    assert_int_equal(result, 0);
    assert_int_equal(seq, 3);
    put_one(db, "a:1", 1000000, &result, &seq); /* the index survived: a duplicate */
    assert_int_equal(result, 1);
    assert_int_equal(seq, 1);
    size_t n = 0;
    int more = 0;
    assert_int_equal(store_db_scan(db, 0, 0, count_cb, &n, &more), 0);
    assert_int_equal(n, 3);
    store_db_close(&db);
    /* and all of it on disk */
    n = 0;
    assert_int_equal(store_db_open(&db, f->dir, 1, 4, count_cb, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(store_db_last_seq(db), 3);
    store_db_close(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_environment_at_current_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format2_upgraded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format3_upgraded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format1_upgraded_once, setup, teardown),
        cmocka_unit_test(test_upgrade_table),
        cmocka_unit_test_setup_teardown(test_newer_format_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full_and_panic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stamped_record, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
