/* browser_signin.c - the browser test of signing in (ctest label
 * browser): starts the real services (store, ingest, alert and
 * planwatch-http with --users and --read-auth) on loopback with the
 * integration harness, makes a member and a viewer with fresh random
 * passwords (never committed), and runs signin.mjs (playwright-core
 * driving Debian's chromium) against them. Screenshots land in
 * BUILD/tests/browser/screenshots. Skipped (77) without chromium, node or
 * `npm ci` having been run in tests/browser (scripts/test.sh runs it). */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "browser_support.h"
#include "harness.h"
#include "hs_curl.h"
#include "users.h"

static struct hs_cluster cl;
static char dir[64] = "/tmp/pw-browser-XXXXXX", users_path[128], users_flag[160];
static char pw_member[40], pw_viewer[40];

static int setup(void **state)
{
    (void)state;
    struct pw_users *u = NULL;
    struct pw_diag d = {0};
    assert_true(sodium_init() >= 0);
    assert_non_null(mkdtemp(dir));
    snprintf(users_path, sizeof users_path, "%s/users.yaml", dir);
    hs_curl_password(pw_member, sizeof pw_member);
    hs_curl_password(pw_viewer, sizeof pw_viewer);
    assert_int_equal(pw_users_new(&u), 0);
    assert_int_equal(pw_users_add(u, "tanaka", PW_USER_MEMBER, "pj2", pw_member, &d), 0);
    assert_int_equal(pw_users_add(u, "suzuki", PW_USER_VIEWER, NULL, pw_viewer, &d), 0);
    assert_int_equal(pw_users_write_file(u, users_path, &d), 0);
    pw_users_close(&u);
    snprintf(users_flag, sizeof users_flag, "--users=%s", users_path);
    const char *const flags[] = {users_flag, "--read-auth", NULL};
    hs_curl_start(&cl, "browser", NULL, flags);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    unlink(users_path);
    rmdir(dir);
    return 0;
}

static void test_signin_in_chromium(void **state)
{
    (void)state;
    setenv("PW_MEMBER", "tanaka", 1);
    setenv("PW_MEMBER_PASSWORD", pw_member, 1);
    setenv("PW_VIEWER", "suzuki", 1);
    setenv("PW_VIEWER_PASSWORD", pw_viewer, 1);
    bs_run_script(&cl, "signin.mjs", 180000);
}

int main(void)
{
    if (bs_ready() != 0)
        return 77;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_signin_in_chromium)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
