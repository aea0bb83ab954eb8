/* test_registry.c - the office registry: a full example loads with every
 * field; each PW_EREG_* / PW_EKEY error names file:line and the field;
 * write scopes by plan, PLAN.PROJECT (and PLAN.all) and indicator decide
 * pw_principal_may_write; pw_registry_check refuses scopes naming nothing
 * in the catalog (PW_EREG_REF); lookups by key and id. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "err.h"
#include "registry.h"

#define KEY_A "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define KEY_B "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define KEY_C "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
#define KEY_D "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

static const char good[] = "version: 1\n"
                           "services:\n"
                           "  - {id: store, key: \"" KEY_A "\"}\n"
                           "offices:\n"
                           "  - id: pj2-office\n"
                           "    name: 医療機器・ヘルスケアプロジェクト事務局\n"
                           "    key: \"" KEY_B "\"\n"
                           "    write:\n"
                           "      plans: [p2]\n"
                           "      projects: [p3.pj2, p3.all]\n"
                           "      indicators: [p3-out07-venture-adoptions]\n"
                           "    read: true\n"
                           "    subscribe: yes\n"
                           "    manage: false\n"
                           "  - id: dashboard\n"
                           "    key: \"" KEY_C "\"\n"
                           "    read: true\n";

static struct pw_registry *load(const char *text, int want, struct pw_diag *d)
{
    struct pw_registry *r = NULL;
    memset(d, 0, sizeof *d);
    int rc = pw_registry_load_buffer(&r, "reg.yaml", text, strlen(text), d);
    if (rc != want)
        fail_msg("want %s, got %s: %s:%d %s: %s", pw_errname(want), pw_errname(rc), d->file,
                 d->line, d->field, d->msg);
    if (want)
        assert_null(r);
    return r;
}

static void test_good(void **state)
{
    (void)state;
    struct pw_diag d;
    struct pw_registry *r = load(good, 0, &d);
    assert_int_equal(pw_registry_count(r), 3);
    const struct pw_principal *s = pw_registry_find(r, "store");
    assert_non_null(s);
    assert_true(s->service && s->read && s->subscribe && s->manage);
    assert_int_equal(s->line, 3);
    const struct pw_principal *o = pw_registry_at(r, 1);
    assert_string_equal(o->id, "pj2-office");
    assert_string_equal(o->key, KEY_B);
    assert_false(o->service);
    assert_true(o->read && o->subscribe);
    assert_false(o->manage);
    assert_int_equal(o->nplans, 1);
    assert_int_equal(o->nprojects, 2);
    assert_int_equal(o->nindicators, 1);
    assert_int_equal(o->line, 5);
    const struct pw_principal *dash = pw_registry_find(r, "dashboard");
    assert_true(dash->read);
    assert_false(dash->subscribe);
    assert_int_equal(dash->nplans + dash->nprojects + dash->nindicators, 0);
    assert_ptr_equal(pw_registry_find_key(r, o->key_bin), o);
    uint8_t unknown[32] = {0};
    assert_null(pw_registry_find_key(r, unknown));
    assert_null(pw_registry_find(r, "nobody"));
    char buf[200];
    assert_string_equal(pw_principal_scope(o, buf, sizeof buf),
                        "plans [p2], projects [p3.pj2 p3.all], indicators [p3-out07-venture-adoptions]");
    assert_string_equal(pw_principal_scope(dash, buf, sizeof buf), "nothing");
    pw_principal_scope(o, buf, 10); /* truncates, never overflows */
    assert_int_equal(strlen(buf), 9);
    pw_registry_close(&r);
    assert_null(r);
    pw_registry_close(&r);
}

static void test_scope_and_catalog(void **state)
{
    (void)state;
    struct pw_diag d;
    struct pw_catalog *cat = NULL;
    assert_int_equal(pw_catalog_load_default(&cat, &d), 0);
    struct pw_registry *r = load(good, 0, &d);
    assert_int_equal(pw_registry_check(r, cat, &d), 0);
    const struct pw_principal *o = pw_registry_find(r, "pj2-office");
    const struct pw_principal *s = pw_registry_find(r, "store");
    const struct pw_principal *dash = pw_registry_find(r, "dashboard");
    size_t in = 0, out = 0;
    for (size_t i = 0; i < pw_catalog_count(cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        const char *pj = pw_indicator_project_id(ind);
        int want = !strcmp(ind->plan->id, "p2") ||
                   (!strcmp(ind->plan->id, "p3") && (!strcmp(pj, "pj2") || !strcmp(pj, "all"))) ||
                   !strcmp(ind->id, "p3-out07-venture-adoptions");
        assert_int_equal(pw_principal_may_write(o, ind), want);
        assert_false(pw_principal_may_write(s, ind));    /* services never write */
        assert_false(pw_principal_may_write(dash, ind)); /* no scope: nothing */
        /* ingest's door, per row: the office's scope; no security (NULL) passes */
        char why[320] = "";
        assert_int_equal(pw_principal_check_write(o, ind, why, sizeof why), want ? 0 : PW_EFEED_SCOPE);
        assert_int_equal(pw_principal_check_write(NULL, ind, why, sizeof why), 0);
        assert_int_equal(pw_principal_check_write(dash, ind, why, sizeof why), PW_EFEED_SCOPE);
        assert_non_null(strstr(why, "office 'dashboard' may not write "));
        assert_non_null(strstr(why, "(its write scope: nothing)"));
        want ? in++ : out++;
    }
    assert_true(in > 0 && out > 0);
    assert_true(pw_principal_may_write_any(o));
    assert_false(pw_principal_may_write_any(s));
    assert_false(pw_principal_may_write_any(dash));
    assert_string_equal(pw_principal_office(o, "claimed"), "pj2-office"); /* never the claim */
    assert_string_equal(pw_principal_office(NULL, NULL), "");
    pw_registry_close(&r);

    static const char *const bad[] = {
        "version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {plans: [p9]}}\n",
        "version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {projects: [p3.pj99]}}\n",
        "version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {projects: [p9.pj1]}}\n",
        "version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {indicators: [nope]}}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = load(bad[i], 0, &d);
        assert_int_equal(pw_registry_check(r, cat, &d), PW_EREG_REF);
        assert_int_equal(d.line, 3);
        assert_string_equal(d.file, "reg.yaml");
        pw_registry_close(&r);
    }
    pw_catalog_close(&cat);
}

struct bad_case {
    const char *text;
    int code;
    int line;
    const char *field;
};

/* Each service key does its own job: the role (the id, or role:) decides
 * who feeds (pw_principal_feeder): an office for itself, the HTTP door for
 * a registered office, no other service; empty and unknown names refused. */
static void test_roles(void **state)
{
    (void)state;
    struct pw_diag d;
    static const char text[] = "version: 1\n"
                               "services:\n"
                               "  - {id: store, key: \"" KEY_A "\"}\n"
                               "  - {id: door-1, key: \"" KEY_D "\", role: http}\n"
                               "  - {id: extra, key: \"" KEY_C "\"}\n"
                               "offices:\n"
                               "  - {id: pj2-office, key: \"" KEY_B "\", write: {plans: [p2]}}\n";
    struct pw_registry *r = load(text, 0, &d);
    const struct pw_principal *st = pw_registry_find(r, "store");
    const struct pw_principal *door = pw_registry_find(r, "door-1");
    const struct pw_principal *extra = pw_registry_find(r, "extra");
    const struct pw_principal *o = pw_registry_find(r, "pj2-office");
    const struct pw_principal *got = NULL;
    char why[300];
    assert_int_equal(st->role, PW_ROLE_STORE);
    assert_int_equal(door->role, PW_ROLE_HTTP);
    assert_int_equal(extra->role, PW_ROLE_OTHER);
    assert_int_equal(o->role, PW_ROLE_NONE);
    assert_string_equal(pw_role_name(door->role), "http");
    /* an office feeds for itself, whatever the batch claims */
    assert_int_equal(pw_principal_feeder(r, o, "other", &got, why, sizeof why), 0);
    assert_ptr_equal(got, o);
    assert_string_equal(pw_principal_office(got, "other"), "pj2-office");
    /* the door for a registered office only */
    assert_int_equal(pw_principal_feeder(r, door, "pj2-office", &got, why, sizeof why), 0);
    assert_ptr_equal(got, o);
    assert_int_equal(pw_principal_feeder(r, door, "", &got, why, sizeof why), PW_EFORBIDDEN);
    assert_null(got);
    assert_int_equal(pw_principal_feeder(r, door, NULL, &got, why, sizeof why), PW_EFORBIDDEN);
    assert_int_equal(pw_principal_feeder(r, door, "ghost", &got, why, sizeof why), PW_EFORBIDDEN);
    assert_non_null(strstr(why, "'ghost' is not registered"));
    assert_int_equal(pw_principal_feeder(r, door, "store", &got, why, sizeof why), PW_EFORBIDDEN);
    /* any other service: never */
    assert_int_equal(pw_principal_feeder(r, st, "pj2-office", &got, why, sizeof why), PW_EDENIED);
    assert_non_null(strstr(why, "service 'store' (store) may not feed"));
    assert_int_equal(pw_principal_feeder(r, extra, "pj2-office", &got, why, sizeof why), PW_EDENIED);
    /* security off: no principal, the claim stands */
    assert_int_equal(pw_principal_feeder(r, NULL, "x", &got, why, sizeof why), 0);
    assert_null(got);
    assert_string_equal(pw_principal_office(NULL, "x"), "x");
    pw_registry_close(&r);
    /* role: names one of the four jobs */
    r = load("version: 1\nservices:\n  - {id: s, key: \"" KEY_A "\", role: boss}\n",
             PW_EREG_FIELD, &d);
    assert_null(r);
    assert_int_equal(d.line, 3);
    assert_non_null(strstr(d.msg, "is not ingest, store, alert or http"));
}

static void test_errors(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"version: 1\noffices: [\n", PW_EREG_YAML, 3, ""},
        {"", PW_EREG_FIELD, 0, ""},
        {"offices: []\n", PW_EREG_FIELD, 1, "version"},
        {"version: 2\n", PW_EREG_FIELD, 1, "version"},
        {"version: 1\nbogus: 1\n", PW_EREG_FIELD, 2, ""},
        {"version: 1\noffices: {id: a}\n", PW_EREG_FIELD, 2, "offices"},
        {"version: 1\noffices:\n  - {key: \"" KEY_B "\"}\n", PW_EREG_FIELD, 3, "offices[0]"},
        {"version: 1\noffices:\n  - {id: a}\n", PW_EREG_FIELD, 3, "offices[0]"},
        {"version: 1\noffices:\n  - {id: \"a b\", key: \"" KEY_B "\"}\n", PW_EREG_FIELD, 3, "offices[0].id"},
        {"version: 1\noffices:\n  - {id: a, key: short}\n", PW_EKEY, 3, "offices[0].key"},
        {"version: 1\noffices:\n  - {id: a, key: [x]}\n", PW_EREG_FIELD, 3, "offices[0].key"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", read: maybe}\n", PW_EREG_FIELD, 3, "offices[0].read"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: [p2]}\n", PW_EREG_FIELD, 3, "offices[0].write"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {plans: p2}}\n", PW_EREG_FIELD, 3, "offices[0].write.plans"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {projects: [pj2]}}\n", PW_EREG_FIELD, 3, "offices[0].write.projects"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {owners: [x]}}\n", PW_EREG_FIELD, 3, "offices[0].write"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", write: {plans: [\"p 2\"]}}\n", PW_EREG_FIELD, 3, "offices[0].write.plans[0]"},
        {"version: 1\nservices:\n  - {id: s, key: \"" KEY_A "\", read: true}\n", PW_EREG_FIELD, 3, "services[0]"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\", manage: 2}\n", PW_EREG_FIELD, 3, "offices[0].manage"},
        {"version: 1\noffices:\n  - {id: a, key: \"" KEY_B "\"}\n  - {id: a, key: \"" KEY_C "\"}\n", PW_EREG_DUP, 4, "offices[1]"},
        {"version: 1\nservices:\n  - {id: s, key: \"" KEY_D "\"}\noffices:\n  - {id: a, key: \"" KEY_D "\"}\n", PW_EREG_DUP, 5, "offices[0]"},
        {"version: 1\noffices:\n  - {id: a, id: b, key: \"" KEY_B "\"}\n", PW_EREG_DUP, 3, "offices[0]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pw_diag d;
        print_message("case %zu\n", i);
        load(cases[i].text, cases[i].code, &d);
        assert_int_equal(d.code, cases[i].code);
        assert_int_equal(d.line, cases[i].line);
        assert_string_equal(d.field, cases[i].field);
        assert_string_equal(d.file, "reg.yaml");
    }
}

static void test_file(void **state)
{
    (void)state;
    struct pw_registry *r = NULL;
    struct pw_diag d;
    char path[300];
    snprintf(path, sizeof path, "%s/pw-reg-%d.yaml", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    assert_int_equal(pw_registry_load_file(&r, path, &d), PW_EIO);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(good, f);
    fclose(f);
    assert_int_equal(pw_registry_load_file(&r, path, &d), 0);
    assert_int_equal(pw_registry_count(r), 3);
    pw_registry_close(&r);
    unlink(path);
    char *big = malloc(PW_REGISTRY_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, '#', PW_REGISTRY_MAX_BYTES + 1);
    assert_int_equal(pw_registry_load_buffer(&r, "big", big, PW_REGISTRY_MAX_BYTES + 1, &d),
                     PW_ETOOBIG);
    free(big);
    /* no text at all (an empty protobuf bytes field is NULL): a clean error,
     * the same as an empty file's, never libyaml's assert */
    int empty_rc = pw_registry_load_buffer(&r, "empty", "", 0, &d);
    assert_int_not_equal(empty_rc, 0);
    assert_null(r);
    assert_int_equal(pw_registry_load_buffer(&r, "null", NULL, 0, &d), empty_rc);
    assert_null(r);
}

/* sha256("secret-token") */
#define TOKEN_SHA "8c1e6b6b0e1b5c1d3d3fdcb1a84d1f1f5d4e8ad0d8d0c4b1c1d7e0a0e5f0b0c0"

/* Offices may have a bearer token's SHA-256 (the HTTP door), a key, or both. */
static void test_tokens(void **state)
{
    (void)state;
    struct pw_diag d;
    static const char text[] = "version: 1\n"
                               "services:\n"
                               "  - {id: http, key: \"" KEY_A "\"}\n"
                               "offices:\n"
                               "  - id: web-only\n"
                               "    token_sha256: " TOKEN_SHA "\n"
                               "    write: {projects: [p2.pj2]}\n"
                               "  - id: both\n"
                               "    key: \"" KEY_B "\"\n"
                               "    token_sha256: \"" "00" "112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"\n";
    struct pw_registry *r = load(text, 0, &d);
    const struct pw_principal *web = pw_registry_find(r, "web-only");
    assert_non_null(web);
    assert_true(web->has_token && !web->has_key);
    assert_string_equal(web->key, "");
    uint8_t h[32];
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(TOKEN_SHA + 2 * i, "%2x", &v);
        h[i] = (uint8_t)v;
    }
    assert_true(sodium_init() >= 0); /* find_token compares with sodium_memcmp */
    assert_ptr_equal(pw_registry_find_token(r, h), web);
    h[31] ^= 1;
    assert_null(pw_registry_find_token(r, h));
    /* a keyless office is never found by a key (not even all zeros) */
    uint8_t zero[32] = {0};
    assert_null(pw_registry_find_key(r, zero));
    const struct pw_principal *both = pw_registry_find(r, "both");
    assert_true(both->has_token && both->has_key);
    assert_int_equal(both->token_sha256[1], 0x11);
    pw_registry_close(&r);

    /* neither a key nor a token; a bad hash; a token used twice; a service without a key */
    load("version: 1\noffices:\n  - {id: x, read: true}\n", PW_EREG_FIELD, &d);
    assert_int_equal(d.line, 3);
    load("version: 1\noffices:\n  - {id: x, token_sha256: abc}\n", PW_EREG_FIELD, &d);
    assert_non_null(strstr(d.field, "token_sha256"));
    load("version: 1\noffices:\n  - {id: x, token_sha256: " TOKEN_SHA "}\n"
         "  - {id: y, token_sha256: " TOKEN_SHA "}\n",
         PW_EREG_DUP, &d);
    assert_int_equal(d.line, 4);
    load("version: 1\nservices:\n  - {id: s, token_sha256: " TOKEN_SHA "}\n", PW_EREG_FIELD, &d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_scope_and_catalog),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
