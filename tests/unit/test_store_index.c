/* test_store_index.c - the store's in-memory indexes: id lookups with hash
 * collisions, revision lists, rollback of a failed transaction, growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "store_index.h"

struct hits {
    uint64_t seq[8];
    int n;
};

static int collect(void *arg, uint64_t seq)
{
    struct hits *h = arg;
    if (h->n < 8)
        h->seq[h->n++] = seq;
    return 0;
}

static int first(void *arg, uint64_t seq)
{
    *(uint64_t *)arg = seq;
    return 1;
}

static void test_lookup_and_revisions(void **state)
{
    (void)state;
    struct store_index *ix = NULL;
    assert_int_equal(store_index_open(&ix), 0);
    assert_int_equal(store_index_reserve(ix, 3), 0);
    assert_int_equal(store_index_add(ix, "u-1", "a", 2025, 1), 0);
    assert_int_equal(store_index_add(ix, "u-2", "b", 2025, 2), 0);
    assert_int_equal(store_index_add(ix, "u-3", "a", 2024, 3), 0);
    store_index_commit(ix);
    uint64_t seq = 0;
    assert_int_equal(store_index_uid(ix, "u-2", first, &seq), 1);
    assert_true(seq == 2);
    struct hits h = {0};
    assert_int_equal(store_index_uid(ix, "nope", collect, &h), 0);
    assert_int_equal(h.n, 0);
    size_t n;
    const struct store_rev *r = store_index_revs(ix, "a", &n);
    assert_int_equal(n, 2);
    assert_true(r[0].seq == 1 && r[0].fy == 2025 && r[1].seq == 3 && r[1].fy == 2024);
    assert_null(store_index_revs(ix, "zzz", &n));
    assert_int_equal(n, 0);
    assert_int_equal(store_index_count(ix), 3);
    store_index_close(&ix);
    assert_null(ix);
    store_index_close(&ix);
}

/* The same id added twice (what a colliding hash looks like to the table):
 * every candidate is offered, the caller decides. */
static void test_collisions_offer_every_candidate(void **state)
{
    (void)state;
    struct store_index *ix = NULL;
    assert_int_equal(store_index_open(&ix), 0);
    assert_int_equal(store_index_reserve(ix, 2), 0);
    assert_int_equal(store_index_add(ix, "same", "a", 2025, 10), 0);
    assert_int_equal(store_index_add(ix, "same", "a", 2025, 11), 0);
    store_index_commit(ix);
    struct hits h = {0};
    store_index_uid(ix, "same", collect, &h);
    assert_int_equal(h.n, 2);
    assert_true((h.seq[0] == 10 && h.seq[1] == 11) || (h.seq[0] == 11 && h.seq[1] == 10));
    store_index_close(&ix);
}

/* A failed commit leaves the indexes exactly as before it. */
static void test_rollback(void **state)
{
    (void)state;
    struct store_index *ix = NULL;
    char id[32];
    assert_int_equal(store_index_open(&ix), 0);
    assert_int_equal(store_index_reserve(ix, 100), 0);
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof id, "keep-%d", i);
        assert_int_equal(store_index_add(ix, id, i % 2 ? "a" : "b", 2025, (uint64_t)i + 1), 0);
    }
    store_index_commit(ix);
    size_t mark = store_index_mark(ix);
    assert_int_equal(store_index_reserve(ix, 50), 0);
    for (int i = 0; i < 50; i++) {
        snprintf(id, sizeof id, "drop-%d", i);
        assert_int_equal(store_index_add(ix, id, "a", 2026, (uint64_t)i + 101), 0);
    }
    store_index_rollback(ix, mark);
    assert_int_equal(store_index_count(ix), 100);
    size_t n;
    store_index_revs(ix, "a", &n);
    assert_int_equal(n, 50);
    for (int i = 0; i < 50; i++) {
        struct hits h = {0};
        snprintf(id, sizeof id, "drop-%d", i);
        store_index_uid(ix, id, collect, &h);
        assert_int_equal(h.n, 0);
    }
    for (int i = 0; i < 100; i++) {
        uint64_t seq = 0;
        snprintf(id, sizeof id, "keep-%d", i);
        assert_int_equal(store_index_uid(ix, id, first, &seq), 1);
        assert_true(seq == (uint64_t)i + 1);
    }
    store_index_close(&ix);
}

/* Growth between transactions keeps every entry findable. */
static void test_growth(void **state)
{
    (void)state;
    struct store_index *ix = NULL;
    char id[32];
    assert_int_equal(store_index_open(&ix), 0);
    for (int b = 0; b < 50; b++) {
        assert_int_equal(store_index_reserve(ix, 1000), 0);
        for (int i = 0; i < 1000; i++) {
            snprintf(id, sizeof id, "%d-%d", b, i);
            assert_int_equal(store_index_add(ix, id, "x", 2025, (uint64_t)(b * 1000 + i + 1)), 0);
        }
        store_index_commit(ix);
    }
    assert_int_equal(store_index_count(ix), 50000);
    for (int k = 0; k < 50000; k += 997) {
        uint64_t seq = 0;
        snprintf(id, sizeof id, "%d-%d", k / 1000, k % 1000);
        assert_int_equal(store_index_uid(ix, id, first, &seq), 1);
        assert_true(seq == (uint64_t)k + 1);
    }
    assert_true(store_index_capacity(ix) >= 50000 * 2);
    assert_true(store_index_bytes(ix) >= store_index_capacity(ix) * 2 * sizeof(uint64_t));
    store_index_close(&ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_and_revisions),
        cmocka_unit_test(test_collisions_offer_every_candidate),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
