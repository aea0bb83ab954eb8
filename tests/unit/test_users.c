/* test_users.c - the users file (lib/trust/users.h): a file with every
 * field loads; each bad field names file:line and the field; add, passwd
 * and disable change what verify and the stamp say; the file written
 * atomically loads back equal, mode 0600; a file writable by group or
 * others is refused; members' offices are checked against the registry. */
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
#include "users.h"

/* a hash of "secret-password" made once by crypto_pwhash_str */
static char hash[crypto_pwhash_STRBYTES];

static int setup(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    assert_int_equal(crypto_pwhash_str_alg(hash, "secret-password", 15,
                                           crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                           crypto_pwhash_MEMLIMIT_INTERACTIVE,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    return 0;
}

static int load(const char *fmt, struct pw_users **u, struct pw_diag *d)
{
    char buf[2048];
    snprintf(buf, sizeof buf, fmt, hash, hash);
    memset(d, 0, sizeof *d);
    return pw_users_load_buffer(u, "users.yaml", buf, strlen(buf), d);
}

static void test_good(void **state)
{
    (void)state;
    struct pw_users *u = NULL;
    struct pw_diag d;
    assert_int_equal(load("version: 1\nusers:\n"
                          "  - {name: tanaka, role: member, office: pj2, password: \"%s\"}\n"
                          "  - name: sato.s\n    role: secretariat\n    password: \"%s\"\n"
                          "    disabled: true\n",
                          &u, &d),
                     0);
    assert_int_equal(pw_users_count(u), 2);
    const struct pw_user *t = pw_users_find(u, "tanaka"), *s = pw_users_find(u, "sato.s");
    assert_non_null(t);
    assert_non_null(s);
    assert_int_equal(t->role, PW_USER_MEMBER);
    assert_string_equal(t->office, "pj2");
    assert_false(t->disabled);
    assert_int_equal(t->line, 3);
    assert_int_equal(s->role, PW_USER_SECRETARIAT);
    assert_null(s->office);
    assert_true(s->disabled);
    assert_true(pw_users_verify(t, "secret-password"));
    assert_false(pw_users_verify(t, "secret-passwore"));
    assert_false(pw_users_verify(t, ""));
    assert_null(pw_users_find(u, "nobody"));
    pw_users_close(&u);
    assert_null(u);
    /* an empty file: nobody yet */
    assert_int_equal(pw_users_load_buffer(&u, "e", "", 0, &d), 0);
    assert_int_equal(pw_users_count(u), 0);
    pw_users_close(&u);
}

static void expect_bad(const char *yaml, int code, int line, const char *field, const char *why)
{
    struct pw_users *u = NULL;
    struct pw_diag d;
    int rc = load(yaml, &u, &d);
    if (rc != code)
        fail_msg("%s: got %s (%s), expected %s", yaml, pw_errname(rc), d.msg, pw_errname(code));
    assert_null(u);
    assert_string_equal(d.file, "users.yaml");
    assert_int_equal(d.line, line);
    if (field)
        assert_string_equal(d.field, field);
    if (!strstr(d.msg, why))
        fail_msg("'%s' does not say '%s'", d.msg, why);
}

static void test_bad(void **state)
{
    (void)state;
    expect_bad("version: 2\nusers: []\n", PW_EREG_FIELD, 1, "version", "not supported");
    expect_bad("version: 1\nusers:\n  - {name: a, role: boss, password: \"%s\"}\n", PW_EREG_FIELD,
               3, "users[0].role", "not member, secretariat or viewer");
    expect_bad("version: 1\nusers:\n  - {name: a, role: member, password: \"%s\"}\n", PW_EREG_FIELD,
               3, "users[0]", "needs 'office'");
    expect_bad("version: 1\nusers:\n  - {name: a, role: viewer, office: x, password: \"%s\"}\n",
               PW_EREG_FIELD, 3, "users[0].office", "only a member");
    expect_bad("version: 1\nusers:\n  - {name: a, role: viewer, password: \"plain\"}\n",
               PW_EREG_FIELD, 3, "users[0].password", "not an argon2id hash");
    expect_bad("version: 1\nusers:\n  - {name: \"a b\", role: viewer, password: \"%s\"}\n",
               PW_EREG_FIELD, 3, "users[0].name", "is not a name");
    expect_bad("version: 1\nusers:\n  - {name: a, role: viewer}\n", PW_EREG_FIELD, 3, "users[0]",
               "'password' missing");
    expect_bad("version: 1\nusers:\n  - {name: a, role: viewer, password: \"%s\"}\n"
               "  - {name: a, role: viewer, password: \"%s\"}\n",
               PW_EREG_DUP, 4, NULL, "already used on line 3");
    expect_bad("version: 1\nusers:\n  - {name: a, role: viewer, pasword: x}\n", PW_EREG_FIELD, 3,
               NULL, "pasword");
    expect_bad("version: 1\nusers:\n  - {name: a, role: viewer, disabled: maybe, password: "
               "\"%s\"}\n",
               PW_EREG_FIELD, 3, "users[0].disabled", "not true or false");
    expect_bad("version: 1\nusers: [\n", PW_EREG_YAML, 3, NULL, "");
}

static int only_pj2(void *arg, const char *id)
{
    (void)arg;
    return strcmp(id, "pj2") == 0;
}

static void test_change_write_reload(void **state)
{
    (void)state;
    struct pw_users *u = NULL, *back = NULL;
    struct pw_diag d = {0};
    uint8_t s1[PW_USER_STAMP_BYTES], s2[PW_USER_STAMP_BYTES];
    char dir[] = "/tmp/pw-users-XXXXXX", path[64];
    struct stat st;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/users.yaml", dir);
    assert_int_equal(pw_users_new(&u), 0);
    assert_int_equal(pw_users_add(u, "m1", PW_USER_MEMBER, "pj2", "first-password", &d), 0);
    assert_int_equal(pw_users_add(u, "v1", PW_USER_VIEWER, NULL, "viewer-password", &d), 0);
    assert_int_equal(pw_users_add(u, "m1", PW_USER_VIEWER, NULL, "x-password", &d), PW_EREG_DUP);
    assert_int_equal(pw_users_add(u, "m2", PW_USER_MEMBER, NULL, "x-password", &d), PW_EINVAL);
    assert_int_equal(pw_users_add(u, "s2", PW_USER_SECRETARIAT, "pj2", "x-password", &d),
                     PW_EINVAL);
    assert_int_equal(pw_users_add(u, "bad name", PW_USER_VIEWER, NULL, "x-password", &d),
                     PW_EINVAL);
    const struct pw_user *m = pw_users_find(u, "m1");
    assert_true(pw_users_verify(m, "first-password"));
    pw_users_stamp(m, s1);
    /* a new password: the old one fails, the stamp changes */
    assert_int_equal(pw_users_set_password(u, "m1", "second-password"), 0);
    assert_false(pw_users_verify(m, "first-password"));
    assert_true(pw_users_verify(m, "second-password"));
    pw_users_stamp(m, s2);
    assert_memory_not_equal(s1, s2, sizeof s1);
    assert_int_equal(pw_users_set_disabled(u, "v1", 1), 0);
    assert_int_equal(pw_users_set_disabled(u, "nobody", 1), PW_ENOTFOUND);
    assert_int_equal(pw_users_check(u, only_pj2, NULL, &d), 0);
    /* written whole, read back the same */
    assert_int_equal(pw_users_write_file(u, path, &d), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(pw_users_load_file(&back, path, &d), 0);
    assert_int_equal(pw_users_count(back), 2);
    const struct pw_user *mb = pw_users_find(back, "m1"), *vb = pw_users_find(back, "v1");
    assert_string_equal(mb->office, "pj2");
    assert_int_equal(mb->role, PW_USER_MEMBER);
    assert_string_equal(mb->hash, m->hash);
    assert_true(pw_users_verify(mb, "second-password"));
    assert_true(vb->disabled);
    assert_int_equal(mb->line, 4);
    pw_users_close(&back);
    /* nothing half-written is left beside it */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
    /* whoever may write it may give themselves a password: refused */
    assert_int_equal(chmod(path, 0620), 0);
    assert_int_equal(pw_users_load_file(&back, path, &d), PW_EKEY_PERM);
    assert_non_null(strstr(d.msg, "chmod go-w"));
    /* rewriting keeps the mode but never group/other write */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(pw_users_write_file(u, path, &d), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* no users at all: still a file that loads */
    struct pw_users *none = NULL;
    assert_int_equal(pw_users_new(&none), 0);
    assert_int_equal(pw_users_write_file(none, path, &d), 0);
    pw_users_close(&none);
    assert_int_equal(pw_users_load_file(&none, path, &d), 0);
    assert_int_equal(pw_users_count(none), 0);
    pw_users_close(&none);
    /* a member's office that is not in the registry */
    assert_int_equal(pw_users_add(u, "m3", PW_USER_MEMBER, "pj9", "third-password", &d), 0);
    assert_int_equal(pw_users_check(u, only_pj2, NULL, &d), PW_EREG_REF);
    assert_non_null(strstr(d.msg, "no office 'pj9'"));
    pw_users_close(&u);
    unlink(path);
    rmdir(dir);
}

static void test_roles(void **state)
{
    (void)state;
    enum pw_user_role r;
    assert_int_equal(pw_user_role_parse("member", &r), 0);
    assert_int_equal(r, PW_USER_MEMBER);
    assert_int_equal(pw_user_role_parse("secretariat", &r), 0);
    assert_int_equal(r, PW_USER_SECRETARIAT);
    assert_int_equal(pw_user_role_parse("viewer", &r), 0);
    assert_int_equal(r, PW_USER_VIEWER);
    assert_int_equal(pw_user_role_parse("admin", &r), PW_EINVAL);
    assert_int_equal(pw_user_role_parse(NULL, &r), PW_EINVAL);
    assert_string_equal(pw_user_role_name(PW_USER_SECRETARIAT), "secretariat");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_change_write_reload),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
