/* test_arena.c - the bump allocator: zeroed aligned memory, and a reset that
 * releases everything but keeps one block for reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static void alloc_is_zeroed_and_aligned(void **state)
{
    (void)state;
    struct pw_arena *a = NULL;
    assert_int_equal(pw_arena_open(&a), 0);
    for (size_t n = 1; n < 5000; n += 777) {
        unsigned char *p = pw_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, n);
    }
    pw_arena_close(&a);
    assert_null(a);
}

/* After a reset the arena holds one block (no malloc for the next message),
 * hands out zeroed memory again, and a single huge block is not kept. */
static void reset_keeps_one_block(void **state)
{
    (void)state;
    struct pw_arena *a = NULL;
    assert_int_equal(pw_arena_open(&a), 0);
    pw_arena_reset(a); /* empty: nothing to do */
    assert_int_equal(pw_arena_size(a), 0);
    for (int i = 0; i < 100; i++)
        memset(pw_arena_alloc(a, 1000), 0xcd, 1000);
    size_t grown = pw_arena_size(a);
    pw_arena_reset(a);
    size_t kept = pw_arena_size(a);
    assert_true(kept > 0 && kept < grown);
    unsigned char *p = pw_arena_alloc(a, 1000);
    assert_non_null(p);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(p[i], 0);
    assert_int_equal(pw_arena_size(a), kept); /* served from the kept block */
    pw_arena_reset(a);
    assert_non_null(pw_arena_alloc(a, kept - 64)); /* all of it is free again */
    assert_int_equal(pw_arena_size(a), kept);
    assert_non_null(pw_arena_alloc(a, 3u << 20));
    pw_arena_reset(a);
    assert_int_equal(pw_arena_size(a), 0);
    pw_arena_close(&a);
    pw_arena_close(&a); /* NULL accepted */
}

/* pw_arena_alloc_raw hands out aligned, disjoint memory from the same
 * blocks without zeroing it; pw_arena_alloc still zeroes memory that raw
 * allocations dirtied before a reset. */
static void raw_is_aligned_and_zeroing_stays(void **state)
{
    (void)state;
    struct pw_arena *a = NULL;
    assert_int_equal(pw_arena_open(&a), 0);
    unsigned char *prev = NULL;
    for (size_t n = 1; n < 3000; n += 333) {
        unsigned char *p = pw_arena_alloc_raw(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_true(!prev || p != prev);
        memset(p, 0xee, n);
        prev = p;
    }
    size_t grown = pw_arena_size(a);
    assert_true(grown > 0);
    pw_arena_reset(a);
    unsigned char *z = pw_arena_alloc(a, 1000); /* the kept, dirtied block */
    assert_non_null(z);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(z[i], 0);
    pw_arena_close(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_is_zeroed_and_aligned),
        cmocka_unit_test(reset_keeps_one_block),
        cmocka_unit_test(raw_is_aligned_and_zeroing_stays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
