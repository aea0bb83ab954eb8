/* browser_flows.c - the browser test of acting (ctest label browser;
 * README "Acting in the browser"): starts the real services (store,
 * ingest, alert and planwatch-http with --users and --read-auth, the clock
 * at DAY) on loopback with the integration harness, stores the sample feed
 * so the alert service opens an alert (waited on, no sleeps), makes a
 * member of pj2, a secretariat user and a viewer with fresh random
 * passwords (never committed), and runs flows.mjs (playwright-core driving
 * Debian's chromium): upload with a bad row, preview and import; acknowledge,
 * silence and lift, assess; subscribe and unsubscribe; a form without its
 * CSRF field refused; a viewer without forms; sign out. Screenshots land in
 * BUILD/tests/browser/screenshots. Skipped (77) without chromium, node or
 * `npm ci` in tests/browser. */
#include <jansson.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client.h"
#include "browser_support.h"
#include "harness.h"
#include "hs_curl.h"
#include "users.h"

#define DAY "2023-03-31"
#define ALERTED "p2-pj2-class34-approvals" /* BEHIND on DAY with the sample feed */

static struct hs_cluster cl;
static char dir[64] = "/tmp/pw-flows-XXXXXX", users_path[128], users_flag[160];
static char pw_member[40], pw_sec[40], pw_viewer[40], alert_id[256];

/* The sample feed stored and judged: ALERTED has an open alert; its id. */
static void open_an_alert(void)
{
    size_t len;
    char *csv = hs_read_file(hs_src("catalog/feeds/plan2-fy2022.csv"), &len);
    struct hs_resp r = hs_curl(&cl, "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, csv,
                               len);
    free(csv);
    if (r.status != 200)
        fail_msg("the sample feed: HTTP %ld %.400s", r.status, r.body);
    hs_curl_free(&r);
    struct pw_client *st = hs_client(&cl, HS_STORE, NULL);
    if (hs_alert_evaluated(&cl, hs_store_seq(&cl, st), 0, DAY, NULL, 60000) < 0)
        fail_msg("the alert service did not judge %s", DAY);
    pw_client_close(&st);
    r = hs_curl(&cl, "GET", "/api/v1/alerts?indicator=" ALERTED, HS_TOK_ADMIN, NULL, NULL, NULL, 0);
    json_t *j = json_loads(r.body, 0, NULL);
    const char *id = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "alerts"), 0), "alert_id"));
    if (!id)
        fail_msg("no open alert for " ALERTED ": %.400s", r.body);
    snprintf(alert_id, sizeof alert_id, "%s", id);
    json_decref(j);
    hs_curl_free(&r);
}

static int setup(void **state)
{
    (void)state;
    struct pw_users *u = NULL;
    struct pw_diag d = {0};
    assert_true(sodium_init() >= 0);
    assert_non_null(mkdtemp(dir));
    snprintf(users_path, sizeof users_path, "%s/users.yaml", dir);
    hs_curl_password(pw_member, sizeof pw_member);
    hs_curl_password(pw_sec, sizeof pw_sec);
    hs_curl_password(pw_viewer, sizeof pw_viewer);
    assert_int_equal(pw_users_new(&u), 0);
    assert_int_equal(pw_users_add(u, "tanaka", PW_USER_MEMBER, "pj2", pw_member, &d), 0);
    assert_int_equal(pw_users_add(u, "sato", PW_USER_SECRETARIAT, NULL, pw_sec, &d), 0);
    assert_int_equal(pw_users_add(u, "suzuki", PW_USER_VIEWER, NULL, pw_viewer, &d), 0);
    assert_int_equal(pw_users_write_file(u, users_path, &d), 0);
    pw_users_close(&u);
    snprintf(users_flag, sizeof users_flag, "--users=%s", users_path);
    const char *const flags[] = {users_flag, "--read-auth", NULL};
    hs_curl_start(&cl, "flows", DAY, flags);
    open_an_alert();
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

static void test_flows_in_chromium(void **state)
{
    (void)state;
    setenv("PW_WORK", cl.dir, 1); /* where the script writes its feed file */
    setenv("PW_ALERT", alert_id, 1);
    setenv("PW_ALERTED", ALERTED, 1);
    setenv("PW_MEMBER", "tanaka", 1);
    setenv("PW_MEMBER_PASSWORD", pw_member, 1);
    setenv("PW_SECRETARIAT", "sato", 1);
    setenv("PW_SECRETARIAT_PASSWORD", pw_sec, 1);
    setenv("PW_VIEWER", "suzuki", 1);
    setenv("PW_VIEWER_PASSWORD", pw_viewer, 1);
    bs_run_script(&cl, "flows.mjs", 240000);
}

int main(void)
{
    if (bs_ready() != 0)
        return 77;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_flows_in_chromium)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
