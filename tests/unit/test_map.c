/* test_map.c - the string map: copied and borrowed keys, pw_map_add's one
 * lookup, pw_map_reserve's presizing, tombstones across growth, and
 * out-of-memory leaving the map usable. calloc and strdup are wrapped
 * (tests/unit/CMakeLists.txt) to count map.c's allocations and to fail them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "map.h"

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);

static int n_calloc, n_strdup, fail_alloc;

void *__wrap_calloc(size_t n, size_t size)
{
    n_calloc++;
    return fail_alloc ? NULL : __real_calloc(n, size);
}

char *__wrap_strdup(const char *s)
{
    n_strdup++;
    return fail_alloc ? NULL : __real_strdup(s);
}

static void count_reset(void)
{
    n_calloc = n_strdup = fail_alloc = 0;
}

/* A copying map keeps its own key: the caller's buffer may change. */
static void copies_keys(void **state)
{
    (void)state;
    struct pw_map *m = NULL;
    char key[16] = "alpha";
    int v1 = 1, v2 = 2;
    assert_int_equal(pw_map_open(&m), 0);
    count_reset();
    assert_int_equal(pw_map_put(m, key, &v1), 0);
    assert_int_equal(n_strdup, 1);
    strcpy(key, "beta");
    assert_ptr_equal(pw_map_get(m, "alpha"), &v1);
    assert_null(pw_map_get(m, "beta"));
    assert_int_equal(pw_map_put(m, "alpha", &v2), 0); /* replaces, no new copy */
    assert_int_equal(n_strdup, 1);
    assert_ptr_equal(pw_map_get(m, "alpha"), &v2);
    assert_int_equal(pw_map_count(m), 1);
    assert_ptr_equal(pw_map_del(m, "alpha"), &v2);
    assert_null(pw_map_del(m, "alpha"));
    assert_int_equal(pw_map_count(m), 0);
    pw_map_close(&m);
    assert_null(m);
    pw_map_close(&m); /* NULL is fine */
}

static void each_key(void *arg, const char *key, void *value)
{
    (void)value;
    const char **seen = arg;
    *seen = key;
}

/* A borrowed map stores the caller's pointers and never copies or frees them
 * (the keys here are on the stack: a free would trip the sanitizers). */
static void borrows_keys(void **state)
{
    (void)state;
    struct pw_map *m = NULL;
    char k1[16] = "gamma", k2[16] = "gamma", k3[16] = "delta";
    const char *seen = NULL;
    int v1 = 1, v2 = 2, v3 = 3;
    assert_int_equal(pw_map_open_borrowed(&m), 0);
    count_reset();
    assert_int_equal(pw_map_put(m, k1, &v1), 0);
    assert_int_equal(pw_map_put(m, k3, &v3), 0);
    assert_int_equal(n_strdup, 0);
    assert_int_equal(n_calloc, 0);
    assert_ptr_equal(pw_map_get(m, "gamma"), &v1);
    assert_ptr_equal(pw_map_del(m, "delta"), &v3);
    pw_map_each(m, each_key, &seen);
    assert_ptr_equal(seen, k1); /* the very pointer, not a copy */
    /* an equal key replaces the value and the pointer: the newer owner's */
    assert_int_equal(pw_map_put(m, k2, &v2), 0);
    pw_map_each(m, each_key, &seen);
    assert_ptr_equal(seen, k2);
    assert_ptr_equal(pw_map_get(m, "gamma"), &v2);
    assert_int_equal(pw_map_count(m), 1);
    assert_int_equal(n_strdup, 0);
    pw_map_close(&m);
    assert_null(m);
}

/* pw_map_add inserts only what is absent and reports what was there. */
static void add_keeps_the_first(void **state)
{
    (void)state;
    int v1 = 1, v2 = 2;
    void *found = &v2;
    for (int borrowed = 0; borrowed < 2; borrowed++) {
        struct pw_map *m = NULL;
        assert_int_equal(borrowed ? pw_map_open_borrowed(&m) : pw_map_open(&m), 0);
        assert_int_equal(pw_map_add(m, "k", &v1, &found), 0);
        assert_null(found);
        assert_int_equal(pw_map_add(m, "k", &v2, &found), 0);
        assert_ptr_equal(found, &v1);
        assert_ptr_equal(pw_map_get(m, "k"), &v1);
        assert_int_equal(pw_map_count(m), 1);
        pw_map_close(&m);
    }
}

/* After pw_map_reserve(n), n insertions allocate nothing in a borrowed map
 * (no rehash) and one key copy each in a copying map. */
static void reserve_presizes(void **state)
{
    (void)state;
    enum { N = 5000 };
    static char keys[N][12];
    for (int i = 0; i < N; i++)
        snprintf(keys[i], sizeof keys[i], "k%d", i);
    for (int borrowed = 0; borrowed < 2; borrowed++) {
        struct pw_map *m = NULL;
        assert_int_equal(borrowed ? pw_map_open_borrowed(&m) : pw_map_open(&m), 0);
        count_reset();
        assert_int_equal(pw_map_reserve(m, N), 0);
        assert_int_equal(n_calloc, 1);
        assert_int_equal(pw_map_reserve(m, N), 0); /* room already: nothing */
        assert_int_equal(pw_map_reserve(m, 10), 0); /* never shrinks */
        assert_int_equal(n_calloc, 1);
        for (int i = 0; i < N; i++)
            assert_int_equal(pw_map_put(m, keys[i], keys[i]), 0);
        assert_int_equal(n_calloc, 1);
        assert_int_equal(n_strdup, borrowed ? 0 : N);
        for (int i = 0; i < N; i++)
            assert_ptr_equal(pw_map_get(m, keys[i]), keys[i]);
        /* one more than reserved grows as usual */
        assert_int_equal(pw_map_put(m, "one more", keys[0]), 0);
        assert_int_equal(pw_map_count(m), N + 1);
        assert_ptr_equal(pw_map_get(m, keys[N - 1]), keys[N - 1]);
        pw_map_close(&m);
    }
}

/* Deleting leaves tombstones; entries survive growth and reserve's rebuild. */
static void tombstones_and_growth(void **state)
{
    (void)state;
    enum { N = 3000 };
    static char keys[N][12];
    static int vals[N];
    for (int i = 0; i < N; i++)
        snprintf(keys[i], sizeof keys[i], "id-%d", i);
    for (int borrowed = 0; borrowed < 2; borrowed++) {
        struct pw_map *m = NULL;
        assert_int_equal(borrowed ? pw_map_open_borrowed(&m) : pw_map_open(&m), 0);
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < N; i++)
                assert_int_equal(pw_map_put(m, keys[i], &vals[i]), 0);
            for (int i = 0; i < N; i += 2)
                assert_ptr_equal(pw_map_del(m, keys[i]), &vals[i]);
            if (round == 2)
                assert_int_equal(pw_map_reserve(m, N), 0);
            assert_int_equal(pw_map_count(m), N / 2);
            for (int i = 0; i < N; i++)
                assert_ptr_equal(pw_map_get(m, keys[i]), i % 2 ? &vals[i] : NULL);
        }
        pw_map_close(&m);
    }
}

/* Out of memory: open leaves *out untouched; reserve and put fail with
 * PW_ENOMEM and leave the map as it was, still usable. */
static void out_of_memory(void **state)
{
    (void)state;
    struct pw_map *m = (struct pw_map *)&m; /* a marker, never dereferenced */
    int v = 1;
    void *found = NULL;
    count_reset();
    fail_alloc = 1;
    assert_int_equal(pw_map_open(&m), PW_ENOMEM);
    assert_ptr_equal(m, (struct pw_map *)&m);
    assert_int_equal(pw_map_open_borrowed(&m), PW_ENOMEM);
    assert_ptr_equal(m, (struct pw_map *)&m);
    fail_alloc = 0;
    m = NULL;
    assert_int_equal(pw_map_open(&m), 0);
    assert_int_equal(pw_map_put(m, "a", &v), 0);
    fail_alloc = 1;
    assert_int_equal(pw_map_reserve(m, 100000), PW_ENOMEM);
    assert_int_equal(pw_map_reserve(m, SIZE_MAX / 2), PW_ENOMEM);
    assert_int_equal(pw_map_put(m, "b", &v), PW_ENOMEM); /* the key copy fails */
    assert_int_equal(pw_map_add(m, "c", &v, &found), PW_ENOMEM);
    assert_null(found);
    fail_alloc = 0;
    assert_int_equal(pw_map_count(m), 1);
    assert_ptr_equal(pw_map_get(m, "a"), &v);
    assert_null(pw_map_get(m, "b"));
    assert_int_equal(pw_map_put(m, "b", &v), 0);
    assert_int_equal(pw_map_count(m), 2);
    pw_map_close(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copies_keys),
        cmocka_unit_test(borrows_keys),
        cmocka_unit_test(add_keeps_the_first),
        cmocka_unit_test(reserve_presizes),
        cmocka_unit_test(tombstones_and_growth),
        cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
