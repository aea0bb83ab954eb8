/* test_session.c - signed session cookies (lib/trust/session.h): a cookie
 * decodes to what was encoded under the same key; another key, any altered
 * byte, a malformed value, an expired or future session are refused; a
 * session stops being current when its user is disabled or changes
 * password; the CSRF token is the session's and no other's; the key file
 * is refused when short or readable by others. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "session.h"
#include "users.h"

static struct pw_users *users;
static const int64_t now = 1765000000; /* 2025-12-06 */

static int setup(void **state)
{
    (void)state;
    struct pw_diag d = {0};
    assert_true(sodium_init() >= 0);
    assert_int_equal(pw_users_new(&users), 0);
    assert_int_equal(pw_users_add(users, "tanaka", PW_USER_VIEWER, NULL, "tanaka-password", &d), 0);
    assert_int_equal(pw_users_add(users, "sato", PW_USER_VIEWER, NULL, "sato-password", &d), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pw_users_close(&users);
    return 0;
}

static void test_roundtrip(void **state)
{
    (void)state;
    uint8_t key[PW_SESSION_KEY_BYTES];
    struct pw_session s, back;
    char v[PW_SESSION_COOKIE_MAX];
    randombytes_buf(key, sizeof key);
    pw_session_new(&s, pw_users_find(users, "tanaka"), now, 8 * 3600);
    pw_session_encode(key, &s, v);
    assert_true(strncmp(v, "1:tanaka:1765000000:1765028800:", 31) == 0);
    /* only characters a cookie carries unquoted */
    assert_int_equal(strspn(v, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._:-"),
                     strlen(v));
    assert_int_equal(pw_session_decode(key, v, now + 10, &back), 0);
    assert_string_equal(back.user, "tanaka");
    assert_int_equal(back.issued, s.issued);
    assert_int_equal(back.expires, s.expires);
    assert_memory_equal(back.id, s.id, sizeof s.id);
    assert_memory_equal(back.stamp, s.stamp, sizeof s.stamp);
    assert_true(pw_session_current(&back, pw_users_find(users, "tanaka")));
    assert_false(pw_session_current(&back, pw_users_find(users, "sato")));
    assert_false(pw_session_current(&back, NULL));
    /* two sessions of one user differ (random ids) */
    struct pw_session s2;
    pw_session_new(&s2, pw_users_find(users, "tanaka"), now, 8 * 3600);
    assert_memory_not_equal(s.id, s2.id, sizeof s.id);
}

static void test_refused(void **state)
{
    (void)state;
    uint8_t key[PW_SESSION_KEY_BYTES], other[PW_SESSION_KEY_BYTES];
    struct pw_session s, back;
    char v[PW_SESSION_COOKIE_MAX], w[PW_SESSION_COOKIE_MAX];
    randombytes_buf(key, sizeof key);
    randombytes_buf(other, sizeof other);
    pw_session_new(&s, pw_users_find(users, "tanaka"), now, 3600);
    pw_session_encode(key, &s, v);
    assert_int_equal(pw_session_decode(other, v, now, &back), PW_EDENIED);
    /* every single altered byte is refused */
    for (size_t i = 0; i < strlen(v); i++) {
        snprintf(w, sizeof w, "%s", v);
        w[i] = w[i] == 'a' ? 'b' : 'a';
        assert_int_not_equal(pw_session_decode(key, w, now, &back), 0);
    }
    /* expiry is inside the MAC: a longer life cannot be claimed */
    struct pw_session longer = s;
    longer.expires += 86400;
    pw_session_encode(other, &longer, w);
    assert_int_equal(pw_session_decode(key, w, now + 4000, &back), PW_EDENIED);
    assert_int_equal(pw_session_decode(key, v, now + 3600, &back), PW_ERANGE);
    assert_int_equal(pw_session_decode(key, v, now - 3600, &back), PW_ERANGE);
    static const char *const junk[] = {"", "1", "1:tanaka", "2:tanaka:1:2:00:00:00",
                                       "1:tanaka:1:2:3:4:5:6", NULL};
    for (int i = 0; junk[i]; i++)
        assert_int_equal(pw_session_decode(key, junk[i], now, &back), PW_EDENIED);
    assert_int_equal(pw_session_decode(key, NULL, now, &back), PW_EDENIED);
    memset(w, 'x', sizeof w - 1);
    w[sizeof w - 1] = '\0';
    assert_int_equal(pw_session_decode(key, w, now, &back), PW_EDENIED);
}

static void test_stale_user(void **state)
{
    (void)state;
    struct pw_users *u = NULL;
    struct pw_diag d = {0};
    struct pw_session s;
    assert_int_equal(pw_users_new(&u), 0);
    assert_int_equal(pw_users_add(u, "k", PW_USER_MEMBER, "pj2", "k-password-1", &d), 0);
    pw_session_new(&s, pw_users_find(u, "k"), now, 3600);
    assert_true(pw_session_current(&s, pw_users_find(u, "k")));
    assert_int_equal(pw_users_set_password(u, "k", "k-password-2"), 0);
    assert_false(pw_session_current(&s, pw_users_find(u, "k")));
    pw_session_new(&s, pw_users_find(u, "k"), now, 3600);
    assert_true(pw_session_current(&s, pw_users_find(u, "k")));
    assert_int_equal(pw_users_set_disabled(u, "k", 1), 0);
    assert_false(pw_session_current(&s, pw_users_find(u, "k")));
    pw_users_close(&u);
}

static void test_csrf(void **state)
{
    (void)state;
    uint8_t key[PW_SESSION_KEY_BYTES], other[PW_SESSION_KEY_BYTES];
    struct pw_session a, b;
    char ta[PW_SESSION_CSRF_LEN + 1], tb[PW_SESSION_CSRF_LEN + 1];
    randombytes_buf(key, sizeof key);
    randombytes_buf(other, sizeof other);
    pw_session_new(&a, pw_users_find(users, "tanaka"), now, 3600);
    pw_session_new(&b, pw_users_find(users, "tanaka"), now, 3600);
    pw_session_csrf(key, &a, ta);
    pw_session_csrf(key, &b, tb);
    assert_int_equal(strlen(ta), PW_SESSION_CSRF_LEN);
    assert_string_not_equal(ta, tb);
    assert_true(pw_session_csrf_ok(key, &a, ta));
    assert_false(pw_session_csrf_ok(key, &a, tb));
    assert_false(pw_session_csrf_ok(other, &a, ta));
    assert_false(pw_session_csrf_ok(key, &a, NULL));
    assert_false(pw_session_csrf_ok(key, &a, ""));
    ta[10] = ta[10] == '0' ? '1' : '0';
    assert_false(pw_session_csrf_ok(key, &a, ta));
}

static void test_key_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/pw-session-XXXXXX", path[64];
    uint8_t k1[PW_SESSION_KEY_BYTES], k2[PW_SESSION_KEY_BYTES];
    struct pw_diag d = {0};
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/session.key", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("0123456789abcdef0123456789abcdef", f); /* 32 bytes */
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(pw_session_key_load(k1, path, &d), 0);
    assert_int_equal(pw_session_key_load(k2, path, &d), 0);
    assert_memory_equal(k1, k2, sizeof k1); /* replicas reading one file agree */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(pw_session_key_load(k1, path, &d), PW_EKEY_PERM);
    assert_int_equal(chmod(path, 0600), 0);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("too short", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(pw_session_key_load(k1, path, &d), PW_EKEY);
    assert_non_null(strstr(d.msg, "32 bytes"));
    unlink(path);
    assert_int_equal(pw_session_key_load(k1, path, &d), PW_EIO);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_stale_user),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
