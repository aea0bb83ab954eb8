/* test_keys.c - CURVE key files: keygen output loads back, files are 0600,
 * a secret key readable by others is refused (PW_EKEY_PERM), garbage and
 * mismatched pairs are refused (PW_EKEY), existing files are not replaced
 * without force, and the Z85 check. Files live in a temp dir. */
#include <setjmp.h>
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
#include "keys.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/pw-keys-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static void write_text(const char *name, const char *text, mode_t mode)
{
    char p[400];
    path(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(p, mode), 0);
}

static void test_generate_write_load(void **state)
{
    (void)state;
    struct pw_keypair kp, back;
    struct pw_diag d = {0};
    char p[400], pub[PW_KEY_Z85_LEN + 1];
    struct stat st;
    assert_int_equal(pw_keys_generate(&kp), 0);
    assert_true(pw_keys_z85_valid(kp.pub));
    assert_true(pw_keys_z85_valid(kp.sec));
    assert_int_equal(pw_keys_write(dir, "store", &kp, 0, &d), 0);
    path(p, sizeof p, "store.key_secret");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(pw_keys_load_secret(p, &back, &d), 0);
    assert_string_equal(back.pub, kp.pub);
    assert_string_equal(back.sec, kp.sec);
    assert_int_equal(pw_keys_load_public(p, pub, &d), 0); /* the secret file has it too */
    assert_string_equal(pub, kp.pub);
    path(p, sizeof p, "store.key");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(pw_keys_load_public(p, pub, &d), 0);
    assert_string_equal(pub, kp.pub);
    /* the public file holds no secret */
    assert_int_equal(pw_keys_load_secret(p, &back, &d), PW_EKEY);
    assert_int_equal(d.code, PW_EKEY);
}

static void test_no_overwrite_without_force(void **state)
{
    (void)state;
    struct pw_keypair a, b, back;
    struct pw_diag d = {0};
    char p[400];
    assert_int_equal(pw_keys_generate(&a), 0);
    assert_int_equal(pw_keys_generate(&b), 0);
    assert_int_equal(pw_keys_write(dir, "ingest", &a, 0, &d), 0);
    assert_int_equal(pw_keys_write(dir, "ingest", &b, 0, &d), PW_EINVAL);
    assert_non_null(strstr(d.msg, "--force"));
    path(p, sizeof p, "ingest.key_secret");
    assert_int_equal(pw_keys_load_secret(p, &back, &d), 0);
    assert_string_equal(back.pub, a.pub);
    assert_int_equal(pw_keys_write(dir, "ingest", &b, 1, &d), 0);
    assert_int_equal(pw_keys_load_secret(p, &back, &d), 0);
    assert_string_equal(back.pub, b.pub);
    assert_int_equal(pw_keys_write(dir, "../evil", &b, 1, &d), PW_EINVAL);
    assert_int_equal(pw_keys_write(dir, "", &b, 1, &d), PW_EINVAL);
    assert_int_equal(pw_keys_write("/nonexistent/dir", "x", &b, 1, &d), PW_EIO);

    /* only the public half there: neither is written (no new secret beside
     * an old public key) */
    char pub[400], sec[400];
    path(pub, sizeof pub, "half.key");
    path(sec, sizeof sec, "half.key_secret");
    FILE *f = fopen(pub, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(pw_keys_write(dir, "half", &a, 0, &d), PW_EINVAL);
    assert_int_equal(access(sec, F_OK), -1);

    /* a leftover temporary file (or a symlink planted there) is replaced by
     * a fresh 0600 file, never written through */
    char tmp[450], target[400];
    path(target, sizeof target, "planted");
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", sec, (long)getpid());
    assert_int_equal(symlink(target, tmp), 0);
    assert_int_equal(pw_keys_write(dir, "half", &a, 1, &d), 0);
    assert_int_equal(access(target, F_OK), -1);
    struct stat st;
    assert_int_equal(stat(sec, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(pw_keys_load_secret(sec, &back, &d), 0);
    assert_string_equal(back.pub, a.pub);
}

static void test_secret_permissions(void **state)
{
    (void)state;
    struct pw_keypair kp, back;
    struct pw_diag d = {0};
    char p[400];
    assert_int_equal(pw_keys_generate(&kp), 0);
    assert_int_equal(pw_keys_write(dir, "alert", &kp, 0, &d), 0);
    path(p, sizeof p, "alert.key_secret");
    assert_int_equal(chmod(p, 0644), 0);
    assert_int_equal(pw_keys_load_secret(p, &back, &d), PW_EKEY_PERM);
    assert_int_equal(d.code, PW_EKEY_PERM);
    assert_non_null(strstr(d.msg, "chmod 600"));
    assert_int_equal(chmod(p, 0400), 0);
    assert_int_equal(pw_keys_load_secret(p, &back, &d), 0);
    /* a public key file others may write is refused; readable is fine */
    char pub[PW_KEY_Z85_LEN + 1];
    path(p, sizeof p, "alert.key");
    assert_int_equal(chmod(p, 0664), 0);
    assert_int_equal(pw_keys_load_public(p, pub, &d), PW_EKEY_PERM);
    assert_non_null(strstr(d.msg, "public key file is writable by group or others (mode 664)"));
    assert_int_equal(chmod(p, 0602), 0);
    assert_int_equal(pw_keys_load_public(p, pub, &d), PW_EKEY_PERM);
    assert_int_equal(chmod(p, 0644), 0);
    assert_int_equal(pw_keys_load_public(p, pub, &d), 0);
    assert_string_equal(pub, kp.pub);
}

static void test_bad_files(void **state)
{
    (void)state;
    struct pw_keypair kp, other, back;
    struct pw_diag d = {0};
    char p[400], pub[PW_KEY_Z85_LEN + 1], text[400];
    path(p, sizeof p, "missing.key");
    assert_int_equal(pw_keys_load_public(p, pub, &d), PW_EIO);
    write_text("garbage.key", "\x01\x02 not a key\n", 0600);
    path(p, sizeof p, "garbage.key");
    assert_int_equal(pw_keys_load_public(p, pub, &d), PW_EKEY);
    assert_int_equal(pw_keys_load_secret(p, &back, &d), PW_EKEY);
    write_text("short.key", "curve\n    public-key = \"abc\"\n", 0600);
    path(p, sizeof p, "short.key");
    assert_int_equal(pw_keys_load_public(p, pub, &d), PW_EKEY);
    /* a secret key that does not belong to the public key */
    assert_int_equal(pw_keys_generate(&kp), 0);
    assert_int_equal(pw_keys_generate(&other), 0);
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n", kp.pub,
             other.sec);
    write_text("mixed.key_secret", text, 0600);
    path(p, sizeof p, "mixed.key_secret");
    assert_int_equal(pw_keys_load_secret(p, &back, &d), PW_EKEY);
    assert_non_null(strstr(d.msg, "does not belong"));
    assert_string_equal(back.sec, ""); /* nothing half-loaded */
    /* a CZMQ-style file with single quotes, other sections and comments loads */
    snprintf(text, sizeof text,
             "#   ZeroMQ CURVE **Secret** Certificate\nmetadata\n    email = \"x@example\"\n"
             "curve\n    public-key = '%s'\n    secret-key = '%s'\n",
             kp.pub, kp.sec);
    write_text("czmq.key_secret", text, 0600);
    path(p, sizeof p, "czmq.key_secret");
    assert_int_equal(pw_keys_load_secret(p, &back, &d), 0);
    assert_string_equal(back.pub, kp.pub);
}

static void test_z85(void **state)
{
    (void)state;
    uint8_t bin[32];
    assert_true(pw_keys_z85_valid("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"));
    assert_false(pw_keys_z85_valid("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"));   /* 39 */
    assert_false(pw_keys_z85_valid("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7x")); /* 41 */
    assert_false(pw_keys_z85_valid("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\""));  /* bad char */
    assert_false(pw_keys_z85_valid(NULL));
    assert_int_equal(pw_keys_z85_decode("not a key", bin), PW_EKEY);
    assert_int_equal(pw_keys_z85_decode("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", bin), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_generate_write_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_overwrite_without_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test(test_z85),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
