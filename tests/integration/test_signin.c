/* test_signin.c - people sign in to planwatch-http (README "Users and
 * sign-in"): the real services with --users, --session-key and
 * --read-auth; users made here with `planwatch user add`, the password on
 * stdin. Sign-in gives a cookie with its flags, a browser without one is
 * sent to /signin, wrong passwords are answered 401 then 429, a POST
 * without its CSRF token is refused, sign-out ends the session, a cookie
 * of another key is refused, a second replica with the same key accepts
 * the first's cookie, a user disabled (or whose password changed) is
 * refused after SIGHUP, and a users file that does not load changes
 * nothing; sign-ins at once each get their answer while the door answers
 * other requests, and those beyond --signin-checks get 503 Retry-After. */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"
#include "session.h"
#include "users.h"
#include "zsock.h"

static struct hs_cluster cl;
static const char *extra_header; /* one more request header line, or NULL */
static char dir[256], users_path[300], key_path[300];
static char users_flag[320], key_flag[320];
/* made here, per run: never committed */
static char pw_view[40], pw_mem[40], pw_sec[40], pw_lock[40];

/* planwatch ARGS... with password on stdin; returns the exit status. */
static int cli_stdin(const char *password, const char *const *args)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *argv[16];
        int k = 0;
        argv[k++] = (char *)hs_bin("planwatch");
        for (int i = 0; args[i] && k < 15; i++)
            argv[k++] = (char *)args[i];
        argv[k] = NULL;
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(p[0]);
    if (password) {
        assert_true(write(p[1], password, strlen(password)) == (ssize_t)strlen(password));
        assert_int_equal(write(p[1], "\n", 1), 1);
    }
    close(p[1]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void add_user(const char *name, const char *role, const char *office, const char *pw)
{
    const char *args[] = {"user", "add", name, "--role", role, "--users", users_path,
                          office ? "--office" : NULL, office, NULL};
    assert_int_equal(cli_stdin(pw, args), 0);
}

/* One request to url (base + path): cookie "pw_session=..." or NULL,
 * accept, a form body (POST) or NULL (GET), ctype for the body, csrf the
 * X-CSRF-Token header or NULL. */
static struct hs_resp req(const char *base, const char *path, const char *cookie,
                          const char *accept, const char *body, const char *ctype,
                          const char *csrf)
{
    char ck[600], cs[600];
    const char *h[4];
    size_t n = 0;
    if (cookie) {
        snprintf(ck, sizeof ck, "Cookie: %s", cookie);
        h[n++] = ck;
    }
    if (csrf) {
        snprintf(cs, sizeof cs, "X-CSRF-Token: %s", csrf);
        h[n++] = cs;
    }
    if (extra_header)
        h[n++] = extra_header;
    h[n] = NULL;
    if (body && !ctype)
        ctype = "application/x-www-form-urlencoded";
    return hs_curl_at(base, body ? "POST" : "GET", path, NULL, body ? ctype : NULL, accept, body,
                      body ? strlen(body) : 0, h);
}

static void expect(struct hs_resp *r, long status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: HTTP %ld, expected %ld: %.400s", what, r->status, status, r->body);
}

/* Signs name in at base; returns the "pw_session=VALUE" to send back
 * (static, per slot) and checks the cookie's flags. */
static int expect_secure; /* the door runs with --cookie-secure */

static const char *sign_in(const char *base, const char *name, const char *pw, int slot)
{
    static char jar[4][PW_SESSION_COOKIE_MAX + 16];
    char body[300], sc[600], loc[300];
    snprintf(body, sizeof body, "name=%s&password=%s&next=%%2F%%3Fplan%%3Dp2", name, pw);
    struct hs_resp r = req(base, "/signin", NULL, "text/html", body, NULL, NULL);
    expect(&r, 303, "sign in");
    assert_non_null(hs_curl_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/?plan=p2"); /* back where the browser was going */
    assert_non_null(hs_curl_header(&r, "Set-Cookie", sc, sizeof sc));
    assert_true(strncmp(sc, "pw_session=", 11) == 0);
    assert_non_null(strstr(sc, "; HttpOnly"));
    assert_non_null(strstr(sc, "; SameSite=Strict"));
    assert_non_null(strstr(sc, "; Path=/"));
    assert_non_null(strstr(sc, "; Max-Age=28800")); /* 8 h by default */
    /* plain HTTP here: Secure only with --cookie-secure */
    if (expect_secure)
        assert_non_null(strstr(sc, "; Secure"));
    else
        assert_null(strstr(sc, "Secure"));
    snprintf(jar[slot], sizeof jar[slot], "%.*s", (int)strcspn(sc, ";"), sc);
    hs_curl_free(&r);
    return jar[slot];
}

/* The dashboard as cookie sees it: 200 and the signed-in name, and the
 * sign-out form's CSRF token into csrf (may be NULL). */
static void dashboard_as(const char *base, const char *cookie, const char *name, char *csrf)
{
    char want[120];
    struct hs_resp r = req(base, "/", cookie, "text/html", NULL, NULL, NULL);
    expect(&r, 200, "dashboard with a session");
    snprintf(want, sizeof want, "data-user=\"%s\"", name);
    assert_non_null(strstr(r.body, want));
    const char *c = strstr(r.body, "name=\"csrf\" value=\"");
    assert_non_null(c);
    if (csrf)
        snprintf(csrf, PW_SESSION_CSRF_LEN + 1, "%s", c + 19);
    hs_curl_free(&r);
}

/* The cookie is no longer accepted: a browser is sent to /signin. */
static void refused(const char *base, const char *cookie, const char *what)
{
    struct hs_resp r = req(base, "/", cookie, "text/html", NULL, NULL, NULL);
    expect(&r, 303, what);
    hs_curl_free(&r);
}

/* The same, within 30 s: another replica learns of a sign-out from the
 * store, which it asks every second (paced polling; 200 while it still
 * accepts the cookie, 503 while it cannot reach the store). */
static void refused_soon(const char *base, const char *cookie, const char *what)
{
    long st = 200;
    for (int64_t end = pw_now_ms() + 30000; st != 303 && pw_now_ms() < end;) {
        struct hs_resp r = req(base, "/", cookie, "text/html", NULL, NULL, NULL);
        st = r.status;
        hs_curl_free(&r);
        if (st != 303) {
            struct pollfd none;
            poll(&none, 0, 100);
        }
    }
    if (st != 303)
        fail_msg("%s: HTTP %ld, expected 303 (refused)", what, st);
}

static int setup(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    snprintf(dir, sizeof dir, "/tmp/pw-signin-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(users_path, sizeof users_path, "%s/users.yaml", dir);
    snprintf(key_path, sizeof key_path, "%s/session.key", dir);
    uint8_t key[32];
    randombytes_buf(key, sizeof key);
    FILE *f = fopen(key_path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(key, 1, sizeof key, f), sizeof key);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(key_path, 0600), 0);
    hs_curl_password(pw_view, sizeof pw_view);
    hs_curl_password(pw_mem, sizeof pw_mem);
    hs_curl_password(pw_sec, sizeof pw_sec);
    hs_curl_password(pw_lock, sizeof pw_lock);
    add_user("view1", "viewer", NULL, pw_view);
    add_user("mem1", "member", "pj2", pw_mem);
    add_user("sec1", "secretariat", NULL, pw_sec);
    add_user("lock", "viewer", NULL, pw_lock);
    /* the CLI refuses a password on the command line: there is no flag */
    const char *bad[] = {"user", "add", "x1", "--role", "viewer", "--password", "abcdefgh",
                         "--users", users_path, NULL};
    assert_int_equal(cli_stdin("abcdefgh", bad), 2);
    snprintf(users_flag, sizeof users_flag, "--users=%s", users_path);
    snprintf(key_flag, sizeof key_flag, "--session-key=%s", key_path);
    const char *const flags[] = {users_flag, key_flag, "--read-auth", NULL};
    hs_curl_start(&cl, "signin", NULL, flags);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    unlink(users_path);
    unlink(key_path);
    rmdir(dir);
    return 0;
}

/* The form, the redirect of a browser, 401 JSON for an API client. */
static void test_form_and_redirect(void **state)
{
    (void)state;
    char loc[300];
    struct hs_resp r = req(cl.http_url, "/signin", NULL, "text/html", NULL, NULL, NULL);
    expect(&r, 200, "GET /signin");
    assert_non_null(strstr(r.body, "パスワード"));
    assert_non_null(strstr(r.body, "type=\"password\""));
    hs_curl_free(&r);
    r = req(cl.http_url, "/signin?lang=en", NULL, "text/html", NULL, NULL, NULL);
    expect(&r, 200, "GET /signin?lang=en");
    assert_non_null(strstr(r.body, "Password"));
    hs_curl_free(&r);
    r = req(cl.http_url, "/?plan=p2", NULL, "text/html,application/xhtml+xml", NULL, NULL, NULL);
    expect(&r, 303, "a browser without a session");
    assert_non_null(hs_curl_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/signin?next=/%3Fplan%3Dp2");
    hs_curl_free(&r);
    r = req(cl.http_url, "/api/v1/status", NULL, "application/json", NULL, NULL, NULL);
    expect(&r, 401, "an API client without a token");
    assert_non_null(strstr(r.body, "\"http_status\": 401"));
    hs_curl_free(&r);
    /* another site's form may not sign a browser in (login CSRF); this site's may */
    char body[160], origin[120];
    snprintf(body, sizeof body, "name=view1&password=%s", pw_view);
    extra_header = "Origin: http://evil.example";
    r = req(cl.http_url, "/signin", NULL, "text/html", body, NULL, NULL);
    expect(&r, 403, "a sign-in posted from another origin");
    assert_null(hs_curl_header(&r, "Set-Cookie", loc, sizeof loc));
    hs_curl_free(&r);
    snprintf(origin, sizeof origin, "Origin: %s", cl.http_url);
    extra_header = origin;
    r = req(cl.http_url, "/signin", NULL, "text/html", body, NULL, NULL);
    expect(&r, 303, "a sign-in posted from this origin");
    hs_curl_free(&r);
    extra_header = NULL;
    /* bearer tokens keep working */
    r = hs_curl(&cl, "GET", "/api/v1/status", HS_TOK_READER, NULL, NULL, NULL, 0);
    expect(&r, 200, "a bearer token");
    hs_curl_free(&r);
}

/* Sign in, see the name, CSRF, sign out. */
static void test_session_csrf_signout(void **state)
{
    (void)state;
    char csrf[PW_SESSION_CSRF_LEN + 1], sc[300];
    const char *cookie = sign_in(cl.http_url, "view1", pw_view, 0);
    dashboard_as(cl.http_url, cookie, "view1", csrf);
    struct hs_resp r = req(cl.http_url, "/api/v1/status", cookie, NULL, NULL, NULL, NULL);
    expect(&r, 200, "reading with a session");
    hs_curl_free(&r);
    /* without the token, or with another's: refused, still signed in */
    r = req(cl.http_url, "/signout", cookie, "text/html", "x=1", NULL, NULL);
    expect(&r, 403, "sign-out without csrf");
    hs_curl_free(&r);
    r = req(cl.http_url, "/signout", cookie, "text/html",
            "csrf=0000000000000000000000000000000000000000000000000000000000000000", NULL, NULL);
    expect(&r, 403, "sign-out with a wrong csrf");
    hs_curl_free(&r);
    dashboard_as(cl.http_url, cookie, "view1", NULL);
    /* a viewer may not write even with its token */
    r = req(cl.http_url, "/api/v1/feeds?dry_run=true", cookie, NULL,
            "{\"updates\": [{\"indicator_id\": \"p2-pj2-class34-approvals\", \"fiscal_year\": "
            "2022, \"value\": 5}]}",
            "application/json", csrf);
    expect(&r, 403, "a viewer's feed");
    hs_curl_free(&r);
    char body[120];
    snprintf(body, sizeof body, "csrf=%s", csrf);
    r = req(cl.http_url, "/signout", cookie, "text/html", body, NULL, NULL);
    expect(&r, 303, "sign-out");
    assert_non_null(hs_curl_header(&r, "Set-Cookie", sc, sizeof sc));
    assert_true(strncmp(sc, "pw_session=;", 12) == 0);
    assert_non_null(strstr(sc, "Max-Age=0"));
    hs_curl_free(&r);
    refused(cl.http_url, cookie, "a signed-out cookie sent again");
}

/* A member writes its office's scope with its token; CSRF is required. */
static void test_member_writes(void **state)
{
    (void)state;
    char csrf[PW_SESSION_CSRF_LEN + 1];
    static const char feed[] = "{\"updates\": [{\"indicator_id\": \"p2-pj2-class34-approvals\", "
                               "\"fiscal_year\": 2022, \"value\": 5}]}";
    static const char other[] = "{\"updates\": [{\"indicator_id\": \"p3-pj2-out01-licensing\", "
                                "\"fiscal_year\": 2022, \"value\": 5}]}";
    const char *cookie = sign_in(cl.http_url, "mem1", pw_mem, 1);
    dashboard_as(cl.http_url, cookie, "mem1", csrf);
    struct hs_resp r = req(cl.http_url, "/api/v1/feeds?dry_run=true", cookie, NULL, feed,
                           "application/json", NULL);
    expect(&r, 403, "a member's feed without X-CSRF-Token");
    assert_non_null(strstr(r.body, "CSRF"));
    hs_curl_free(&r);
    r = req(cl.http_url, "/api/v1/feeds?dry_run=true", cookie, NULL, feed, "application/json",
            csrf);
    expect(&r, 200, "a member's feed in its scope");
    assert_non_null(strstr(r.body, "\"office\": \"pj2\""));
    hs_curl_free(&r);
    r = req(cl.http_url, "/api/v1/feeds?dry_run=true", cookie, NULL, other, "application/json",
            csrf);
    expect(&r, 403, "a member's feed outside its scope");
    hs_curl_free(&r);
    /* managing is the secretariat's */
    r = req(cl.http_url, "/api/v1/reports?plan=p2&fy=2022", cookie, NULL, "", "text/plain", csrf);
    expect(&r, 403, "a member publishing");
    hs_curl_free(&r);
    const char *sec = sign_in(cl.http_url, "sec1", pw_sec, 2);
    dashboard_as(cl.http_url, sec, "sec1", csrf);
    r = req(cl.http_url, "/api/v1/reports?plan=p2&fy=2022", sec, NULL, "", "text/plain", NULL);
    expect(&r, 403, "the secretariat publishing without X-CSRF-Token");
    hs_curl_free(&r);
    r = req(cl.http_url, "/api/v1/reports?plan=p2&fy=2022", sec, NULL, "", "text/plain", csrf);
    if (r.status == 401 || r.status == 403)
        fail_msg("the secretariat may publish: HTTP %ld %s", r.status, r.body);
    hs_curl_free(&r);
}

/* Wrong passwords: 401, then 429 with Retry-After, even for the right one. */
static void test_slow_down(void **state)
{
    (void)state;
    char retry[32];
    for (int i = 0; i < 5; i++) {
        struct hs_resp r = req(cl.http_url, "/signin", NULL, "text/html",
                               "name=lock&password=wrong-password", NULL, NULL);
        expect(&r, 401, "a wrong password");
        assert_null(hs_curl_header(&r, "Set-Cookie", retry, sizeof retry));
        hs_curl_free(&r);
    }
    struct hs_resp r = req(cl.http_url, "/signin", NULL, "text/html",
                           "name=lock&password=wrong-password", NULL, NULL);
    expect(&r, 429, "the sixth wrong password");
    assert_non_null(hs_curl_header(&r, "Retry-After", retry, sizeof retry));
    long s = strtol(retry, NULL, 10);
    assert_true(s >= 1 && s <= 30);
    hs_curl_free(&r);
    char body[120];
    snprintf(body, sizeof body, "name=lock&password=%s", pw_lock);
    r = req(cl.http_url, "/signin", NULL, "text/html", body, NULL, NULL);
    expect(&r, 429, "the right password while slowed down");
    hs_curl_free(&r);
    /* an unknown name is answered like a wrong password */
    r = req(cl.http_url, "/signin", NULL, "text/html", "name=nobody&password=x", NULL, NULL);
    expect(&r, 401, "an unknown name");
    hs_curl_free(&r);
}

/* Sign-ins at once: each gets its own answer (the checks queue on the
 * checker's thread, in order), and the door answers other requests while
 * they wait. Four wrong and one right, so the address is not slowed down
 * (five failures would be), then one right to forget the failures. */
struct at_once {
    const char *url;
    char body[200];
    long status;
    char retry[16];
};

static void *sign_in_thread(void *arg)
{
    struct at_once *a = arg;
    struct hs_resp r = req(a->url, "/signin", NULL, "text/html", a->body, NULL, NULL);
    a->status = r.status;
    if (!hs_curl_header(&r, "Retry-After", a->retry, sizeof a->retry))
        a->retry[0] = '\0';
    hs_curl_free(&r);
    return NULL;
}

/* Posts the n sign-ins of a (bodies filled in) to url at once, each from
 * its own thread (t[n]); at_once_end waits for every answer (a[i].status,
 * a[i].retry). */
static void at_once_start(struct at_once *a, int n, const char *url, pthread_t *t)
{
    for (int i = 0; i < n; i++) {
        a[i].url = url;
        a[i].status = 0;
        assert_int_equal(pthread_create(&t[i], NULL, sign_in_thread, &a[i]), 0);
    }
}

static void at_once_end(int n, pthread_t *t)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

static void test_checks_at_once(void **state)
{
    (void)state;
    enum { N = 5 };
    struct at_once a[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        if (i == N - 1)
            snprintf(a[i].body, sizeof a[i].body, "name=sec1&password=%s", pw_sec);
        else
            snprintf(a[i].body, sizeof a[i].body, "name=ghost%d&password=wrong-%d", i, i);
    }
    at_once_start(a, N, cl.http_url, t);
    struct hs_resp h = req(cl.http_url, "/api/v1/health", NULL, "application/json", NULL, NULL,
                           NULL);
    expect(&h, 200, "the health check while sign-ins are checked");
    hs_curl_free(&h);
    at_once_end(N, t);
    for (int i = 0; i < N - 1; i++)
        if (a[i].status != 401)
            fail_msg("wrong password %d at once: HTTP %ld, expected 401", i, a[i].status);
    assert_int_equal(a[N - 1].status, 303);
    char body[120];
    snprintf(body, sizeof body, "name=sec1&password=%s", pw_sec);
    struct hs_resp r = req(cl.http_url, "/signin", NULL, "text/html", body, NULL, NULL);
    expect(&r, 303, "the right password afterwards");
    hs_curl_free(&r);

    /* guesses at one name at once are slowed down like ones in a row: of
     * seven, whatever their order, the sixth and seventh are refused 429 */
    enum { G = 7 };
    struct at_once g[G];
    pthread_t tg[G];
    for (int i = 0; i < G; i++)
        snprintf(g[i].body, sizeof g[i].body, "name=guessed&password=guess-%d", i);
    at_once_start(g, G, cl.http_url, tg);
    at_once_end(G, tg);
    int wrong = 0, slowed = 0;
    for (int i = 0; i < G; i++) {
        wrong += g[i].status == 401;
        slowed += g[i].status == 429;
    }
    assert_int_equal(wrong, 5);
    assert_int_equal(slowed, 2);
    r = req(cl.http_url, "/signin", NULL, "text/html", body, NULL, NULL);
    expect(&r, 303, "the right password of another name (the address forgotten)");
    hs_curl_free(&r);

    /* a replica that lets one check wait (--signin-checks=1): six right
     * passwords at once, the ones beyond are answered 503 Retry-After: 1 */
    pid_t a_pid = cl.http_pid;
    int a_port = cl.http_port;
    char a_url[64];
    snprintf(a_url, sizeof a_url, "%s", cl.http_url);
    size_t k = 0;
    while (cl.http_extra[k])
        k++;
    cl.http_port = 0;
    cl.http_extra[k] = "--signin-checks=1";
    hs_start_http(&cl);
    cl.http_extra[k] = NULL;
    enum { M = 6 };
    struct at_once b[M];
    pthread_t tb[M];
    for (int i = 0; i < M; i++)
        snprintf(b[i].body, sizeof b[i].body, "name=sec1&password=%s", pw_sec);
    at_once_start(b, M, cl.http_url, tb);
    at_once_end(M, tb);
    int signed_in = 0, busy = 0;
    for (int i = 0; i < M; i++) {
        if (b[i].status == 303)
            signed_in++;
        else if (b[i].status == 503 && !strcmp(b[i].retry, "1"))
            busy++;
        else
            fail_msg("sign-in %d at once: HTTP %ld (Retry-After \"%s\")", i, b[i].status,
                     b[i].retry);
    }
    assert_true(signed_in >= 1);
    assert_true(busy >= 1);
    assert_int_equal(hs_stop_http(&cl), 0);
    cl.http_pid = a_pid;
    cl.http_port = a_port;
    snprintf(cl.http_url, sizeof cl.http_url, "%s", a_url);
}

/* Cookies made outside the door: with another key refused; with the
 * shared key file accepted (what another replica makes). */
static void test_keys(void **state)
{
    (void)state;
    struct pw_users *u = NULL;
    struct pw_diag d = {0};
    struct pw_session ses;
    uint8_t key[PW_SESSION_KEY_BYTES], other[PW_SESSION_KEY_BYTES];
    char value[PW_SESSION_COOKIE_MAX], cookie[PW_SESSION_COOKIE_MAX + 16];
    assert_int_equal(pw_users_load_file(&u, users_path, &d), 0);
    const struct pw_user *v = pw_users_find(u, "sec1");
    assert_non_null(v);
    pw_session_new(&ses, v, (int64_t)time(NULL), 3600);
    randombytes_buf(other, sizeof other);
    pw_session_encode(other, &ses, value);
    snprintf(cookie, sizeof cookie, "pw_session=%s", value);
    refused(cl.http_url, cookie, "a cookie signed by another key");
    assert_int_equal(pw_session_key_load(key, key_path, &d), 0);
    pw_session_encode(key, &ses, value);
    snprintf(cookie, sizeof cookie, "pw_session=%s", value);
    dashboard_as(cl.http_url, cookie, "sec1", NULL);
    /* altered after signing: one character of the user name */
    char *colon = strchr(value, ':');
    colon[1] = 't';
    snprintf(cookie, sizeof cookie, "pw_session=%s", value);
    refused(cl.http_url, cookie, "an altered cookie");
    pw_users_close(&u);
}

/* Two replicas with the same --session-key accept each other's cookie,
 * and a session signed out on one is refused by the other (through the
 * store); then a user disabled, and one with a new password, are refused
 * after SIGHUP. */
static void test_replicas_and_reload(void **state)
{
    (void)state;
    pid_t a_pid = cl.http_pid;
    int a_port = cl.http_port;
    char a_url[64], b_url[64];
    snprintf(a_url, sizeof a_url, "%s", cl.http_url);
    size_t k = 0;
    while (cl.http_extra[k])
        k++;
    cl.http_port = 0;
    cl.http_extra[k] = "--cookie-secure"; /* behind a TLS proxy */
    hs_start_http(&cl); /* the same users and key */
    cl.http_extra[k] = NULL;
    snprintf(b_url, sizeof b_url, "%s", cl.http_url);
    const char *view = sign_in(a_url, "view1", pw_view, 0);
    expect_secure = 1;
    const char *mem = sign_in(b_url, "mem1", pw_mem, 1);
    expect_secure = 0;
    dashboard_as(b_url, view, "view1", NULL);
    dashboard_as(a_url, mem, "mem1", NULL);
    /* signed out on B: B refuses it at once, A once it has asked the store
     * (every second) */
    char csrf[PW_SESSION_CSRF_LEN + 1], body[120];
    expect_secure = 1;
    const char *gone = sign_in(b_url, "mem1", pw_mem, 3);
    expect_secure = 0;
    dashboard_as(a_url, gone, "mem1", NULL);
    dashboard_as(b_url, gone, "mem1", csrf);
    snprintf(body, sizeof body, "csrf=%s", csrf);
    struct hs_resp so = req(b_url, "/signout", gone, "text/html", body, NULL, NULL);
    expect(&so, 303, "sign-out on B");
    hs_curl_free(&so);
    refused(b_url, gone, "a cookie signed out here");
    refused_soon(a_url, gone, "a cookie signed out on B, on A");
    /* signed out on B while the store is down: B sends it again until the
     * store has it, and A refuses it once the store is back */
    expect_secure = 1;
    gone = sign_in(b_url, "mem1", pw_mem, 3);
    expect_secure = 0;
    dashboard_as(a_url, gone, "mem1", NULL);
    dashboard_as(b_url, gone, "mem1", csrf);
    snprintf(body, sizeof body, "csrf=%s", csrf);
    assert_int_equal(hs_stop(&cl, HS_STORE, SIGTERM), 0);
    so = req(b_url, "/signout", gone, "text/html", body, NULL, NULL);
    expect(&so, 303, "sign-out on B, the store down");
    hs_curl_free(&so);
    hs_start(&cl, HS_STORE);
    refused_soon(a_url, gone, "a cookie signed out on B while the store was down, on A");
    dashboard_as(a_url, mem, "mem1", NULL); /* mem1's other session is not touched */
    assert_int_equal(hs_stop_http(&cl), 0);
    cl.http_pid = a_pid;
    cl.http_port = a_port;
    snprintf(cl.http_url, sizeof cl.http_url, "%s", a_url);

    const char *dis[] = {"user", "disable", "view1", "--users", users_path, NULL};
    assert_int_equal(cli_stdin(NULL, dis), 0);
    char newpw[40];
    hs_curl_password(newpw, sizeof newpw);
    const char *pass[] = {"user", "passwd", "mem1", "--users", users_path, NULL};
    assert_int_equal(cli_stdin(newpw, pass), 0);
    /* not before the reload: the door reads the file on SIGHUP only */
    dashboard_as(a_url, view, "view1", NULL);
    assert_int_equal(kill(cl.http_pid, SIGHUP), 0);
    assert_true(hs_log_wait(&cl, "http", "registry reloaded", 20000));
    refused(a_url, view, "a disabled user's cookie after SIGHUP");
    refused(a_url, mem, "a cookie from before a password change");
    snprintf(body, sizeof body, "name=view1&password=%s", pw_view);
    struct hs_resp r = req(a_url, "/signin", NULL, "text/html", body, NULL, NULL);
    expect(&r, 401, "a disabled user signing in");
    hs_curl_free(&r);
    const char *mem2 = sign_in(a_url, "mem1", newpw, 2);
    dashboard_as(a_url, mem2, "mem1", NULL);
    /* a users file that does not load: refused with file:line, the users
     * in force stay (sessions and sign-ins go on) */
    FILE *f = fopen(users_path, "w");
    assert_non_null(f);
    fputs("version: 1\nusers:\n  - {name: x, role: boss}\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(kill(cl.http_pid, SIGHUP), 0);
    assert_true(hs_log_wait(&cl, "http", "registry reload refused", 20000));
    assert_true(hs_log_has(&cl, "http", "users.yaml:3"));
    dashboard_as(a_url, mem2, "mem1", NULL);
    const char *mem3 = sign_in(a_url, "mem1", newpw, 3);
    dashboard_as(a_url, mem3, "mem1", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_and_redirect),
        cmocka_unit_test(test_session_csrf_signout),
        cmocka_unit_test(test_member_writes),
        cmocka_unit_test(test_checks_at_once),
        cmocka_unit_test(test_slow_down),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_replicas_and_reload),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
