/* users.c - the users file (see users.h).
 *
 * Read with the same YAML walker as the registry, so errors look alike
 * (file:line, users[i].field, why). Strings live in one arena; a change
 * (add, passwd, disable) allocates the new string there and leaves the
 * old one until close, which is cheap for a file of tens of people.
 * Writing emits the whole file again: every value is an id, a fixed word
 * or an argon2id string ([A-Za-z0-9$=,+/]), so plain double quotes are
 * enough and no YAML emitter is needed. */
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "arena.h"
#include "cfg.h"
#include "err.h"
#include "file.h"
#include "keys.h"
#include "vec.h"
#include "yamlw.h"

struct pw_users {
    struct pw_arena *arena;
    struct pw_user *u;
    size_t n, cap;
    const char *file;
};

static const char *const usr_roles[] = {[PW_USER_VIEWER] = "viewer",
                                        [PW_USER_MEMBER] = "member",
                                        [PW_USER_SECRETARIAT] = "secretariat"};

const char *pw_user_role_name(enum pw_user_role role)
{
    return (unsigned)role <= PW_USER_SECRETARIAT ? usr_roles[role] : "viewer";
}

int pw_user_role_parse(const char *s, enum pw_user_role *out)
{
    for (int r = PW_USER_VIEWER; s && r <= PW_USER_SECRETARIAT; r++)
        if (strcmp(s, usr_roles[r]) == 0) {
            *out = (enum pw_user_role)r;
            return 0;
        }
    return PW_EINVAL;
}

static int usr_valid_hash(const char *h)
{
    /* crypto_pwhash_str_verify reads only argon2 strings; refusing others
     * at load names the line instead of failing every sign-in later */
    return h && strncmp(h, "$argon2id$", 10) == 0 && strlen(h) < crypto_pwhash_STRBYTES &&
           strspn(h, "$=,+/-_.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
               strlen(h);
}

int pw_users_new(struct pw_users **out)
{
    struct pw_users *u = calloc(1, sizeof *u);
    if (!u || pw_arena_open(&u->arena) || !(u->file = pw_arena_strndup(u->arena, "users", 5))) {
        pw_users_close(&u);
        return PW_ENOMEM;
    }
    *out = u;
    return 0;
}

struct usr_ctx {
    struct pw_users *u;
    struct pw_yamlw w;
};

static int usr_scalar(struct usr_ctx *x, yaml_node_t *n, const char *path, const char **out)
{
    const char *s;
    size_t len;
    int rc = pw_yamlw_scalar(&x->w, n, NULL, "", path, 0, &s, &len);
    *out = NULL;
    if (rc || !s)
        return rc;
    *out = pw_arena_strndup(x->u->arena, s, len);
    return *out ? 0 : PW_ENOMEM;
}

static int usr_entry(struct usr_ctx *x, yaml_node_t *n, size_t idx)
{
    static const char *const keys[] = {"name", "office", "role", "password", "disabled", NULL};
    enum { K_NAME, K_OFFICE, K_ROLE, K_PASSWORD, K_DISABLED };
    yaml_node_t *v[5];
    char base[48], path[80];
    const char *role = NULL, *dis = NULL;
    struct pw_user p;
    int rc;
    memset(&p, 0, sizeof p);
    snprintf(base, sizeof base, "users[%zu]", idx);
    if ((rc = pw_yamlw_check_keys(&x->w, n, base, keys)))
        return rc;
    for (int i = 0; keys[i]; i++)
        v[i] = pw_yamlw_get(&x->w, n, keys[i]);
    p.line = pw_yamlw_line(n);
    for (int i = K_NAME; i <= K_PASSWORD; i++)
        if (!v[i] && i != K_OFFICE)
            return pw_yamlw_err(&x->w, PW_EREG_FIELD, n, base, "required key '%s' missing",
                                keys[i]);
    snprintf(path, sizeof path, "%s.name", base);
    if ((rc = usr_scalar(x, v[K_NAME], path, &p.name)))
        return rc;
    if (!pw_keys_valid_id(p.name, PW_USER_NAME_MAX))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_NAME], path,
                            "'%.60s' is not a name: use 1-%d of [A-Za-z0-9._-]", p.name,
                            PW_USER_NAME_MAX);
    snprintf(path, sizeof path, "%s.role", base);
    if ((rc = usr_scalar(x, v[K_ROLE], path, &role)))
        return rc;
    if (pw_user_role_parse(role, &p.role))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_ROLE], path,
                            "'%.40s' is not member, secretariat or viewer", role);
    snprintf(path, sizeof path, "%s.office", base);
    if ((rc = usr_scalar(x, v[K_OFFICE], path, &p.office)))
        return rc;
    if (p.role == PW_USER_MEMBER && !p.office)
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, n, base,
                            "a member needs 'office' (the registry id of its office)");
    if (p.role != PW_USER_MEMBER && p.office)
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_OFFICE], path,
                            "only a member belongs to an office (role %s has none)",
                            pw_user_role_name(p.role));
    if (p.office && !pw_keys_valid_id(p.office, PW_USER_NAME_MAX))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_OFFICE], path, "'%.60s' is not an id",
                            p.office);
    snprintf(path, sizeof path, "%s.password", base);
    if ((rc = usr_scalar(x, v[K_PASSWORD], path, &p.hash)))
        return rc;
    if (!usr_valid_hash(p.hash))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_PASSWORD], path,
                            "not an argon2id hash ($argon2id$...: set it with planwatch user passwd)");
    snprintf(path, sizeof path, "%s.disabled", base);
    if ((rc = usr_scalar(x, v[K_DISABLED], path, &dis)))
        return rc;
    if (dis && pw_cfg_parse_bool(dis, &p.disabled))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_DISABLED], path,
                            "'%.40s' is not true or false", dis);
    for (size_t i = 0; i < x->u->n; i++)
        if (strcmp(x->u->u[i].name, p.name) == 0)
            return pw_yamlw_err(&x->w, PW_EREG_DUP, v[K_NAME], base,
                                "name '%s' is already used on line %d", p.name, x->u->u[i].line);
    if (pw_vec_grow((void **)&x->u->u, &x->u->cap, x->u->n + 1, sizeof p))
        return PW_ENOMEM;
    x->u->u[x->u->n++] = p;
    return 0;
}

static int usr_doc(struct usr_ctx *x, yaml_node_t *root)
{
    static const char *const keys[] = {"version", "users", NULL};
    const char *ver;
    int rc;
    if (!root)
        return 0; /* an empty file: nobody signs in yet */
    if ((rc = pw_yamlw_check_keys(&x->w, root, "", keys)))
        return rc;
    yaml_node_t *vv = pw_yamlw_get(&x->w, root, "version");
    yaml_node_t *list = pw_yamlw_get(&x->w, root, "users");
    if ((rc = usr_scalar(x, vv, "version", &ver)))
        return rc;
    if ((rc = pw_yamlw_version1(&x->w, root, vv, ver, "users file")))
        return rc;
    if (!list)
        return 0;
    if ((rc = pw_yamlw_expect(&x->w, list, YAML_SEQUENCE_NODE, "users")))
        return rc;
    size_t k = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = pw_yamlw_node(&x->w, list->data.sequence.items.start[i]);
        if (!e)
            return pw_yamlw_err(&x->w, PW_EREG_FIELD, list, "users", "empty entry");
        if ((rc = usr_entry(x, e, i)))
            return rc;
    }
    return 0;
}

int pw_users_load_buffer(struct pw_users **out, const char *name, const char *buf, size_t len,
                         struct pw_diag *d)
{
    struct pw_users *u = calloc(1, sizeof *u);
    yaml_document_t doc;
    int rc = PW_ENOMEM;
    if (!u || pw_arena_open(&u->arena) ||
        !(u->file = pw_arena_strndup(u->arena, name, strlen(name))))
        goto fail;
    if (len > PW_USERS_MAX_BYTES) {
        rc = pw_diag_set(d, PW_ETOOBIG, name, 0, "", "users file larger than %u bytes",
                         PW_USERS_MAX_BYTES);
        goto fail;
    }
    if ((rc = pw_yamlw_load(&doc, name, buf, len, PW_EREG_YAML, d)))
        goto fail;
    struct usr_ctx x = {.u = u,
                        .w = {.doc = &doc, .file = u->file, .diag = d, .e_type = PW_EREG_FIELD,
                              .e_key = PW_EREG_FIELD, .e_dup = PW_EREG_DUP,
                              .e_missing = PW_EREG_FIELD}};
    rc = usr_doc(&x, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    if (rc)
        goto fail;
    *out = u;
    return 0;
fail:
    pw_users_close(&u);
    return rc;
}

int pw_users_load_file(struct pw_users **out, const char *path, struct pw_diag *d)
{
    char *buf;
    size_t len;
    /* whoever can write it can give themselves a password */
    int rc = pw_keys_read_trusted(path, "the users file", PW_USERS_MAX_BYTES, &buf, &len, d);
    if (rc)
        return rc;
    rc = pw_users_load_buffer(out, path, buf, len, d);
    free(buf);
    return rc;
}

void pw_users_close(struct pw_users **up)
{
    if (!up || !*up)
        return;
    free((*up)->u);
    pw_arena_close(&(*up)->arena);
    free(*up);
    *up = NULL;
}

size_t pw_users_count(const struct pw_users *u)
{
    return u->n;
}

const struct pw_user *pw_users_at(const struct pw_users *u, size_t i)
{
    return i < u->n ? &u->u[i] : NULL;
}

const struct pw_user *pw_users_find(const struct pw_users *u, const char *name)
{
    for (size_t i = 0; u && name && i < u->n; i++)
        if (strcmp(u->u[i].name, name) == 0)
            return &u->u[i];
    return NULL;
}

/* An argon2id string of password in the arena. */
static int usr_hash(struct pw_users *u, const char *password, const char **out)
{
    char h[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(h, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
        return PW_ENOMEM; /* libsodium's only failure: the memory limit */
    *out = pw_arena_strndup(u->arena, h, strlen(h));
    sodium_memzero(h, sizeof h);
    return *out ? 0 : PW_ENOMEM;
}

int pw_users_add(struct pw_users *u, const char *name, enum pw_user_role role,
                 const char *office, const char *password, struct pw_diag *d)
{
    struct pw_user p;
    int rc;
    memset(&p, 0, sizeof p);
    if (!name || !pw_keys_valid_id(name, PW_USER_NAME_MAX))
        return pw_diag_set(d, PW_EINVAL, u->file, 0, "name",
                           "'%.60s' is not a name: use 1-%d of [A-Za-z0-9._-]", name ? name : "",
                           PW_USER_NAME_MAX);
    if (role == PW_USER_MEMBER && (!office || !pw_keys_valid_id(office, PW_USER_NAME_MAX)))
        return pw_diag_set(d, PW_EINVAL, u->file, 0, "office",
                           "a member needs --office (the registry id of its office)");
    if (role != PW_USER_MEMBER && office)
        return pw_diag_set(d, PW_EINVAL, u->file, 0, "office",
                           "only a member belongs to an office (role %s has none)",
                           pw_user_role_name(role));
    if (pw_users_find(u, name))
        return pw_diag_set(d, PW_EREG_DUP, u->file, 0, "name", "user '%s' exists already", name);
    p.role = role;
    if (!(p.name = pw_arena_strndup(u->arena, name, strlen(name))) ||
        (office && !(p.office = pw_arena_strndup(u->arena, office, strlen(office)))))
        return PW_ENOMEM;
    if ((rc = usr_hash(u, password, &p.hash)))
        return rc;
    if (pw_vec_grow((void **)&u->u, &u->cap, u->n + 1, sizeof p))
        return PW_ENOMEM;
    u->u[u->n++] = p;
    return 0;
}

int pw_users_set_password(struct pw_users *u, const char *name, const char *password)
{
    struct pw_user *p = (struct pw_user *)pw_users_find(u, name);
    return p ? usr_hash(u, password, &p->hash) : PW_ENOTFOUND;
}

int pw_users_set_disabled(struct pw_users *u, const char *name, int disabled)
{
    struct pw_user *p = (struct pw_user *)pw_users_find(u, name);
    if (!p)
        return PW_ENOTFOUND;
    p->disabled = disabled ? 1 : 0;
    return 0;
}

int pw_users_write_file(const struct pw_users *u, const char *path, struct pw_diag *d)
{
    char tmp[4096], dirbuf[4096];
    struct stat st;
    mode_t mode = 0600;
    int fd = -1, rc = PW_EIO;
    FILE *f = NULL;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return pw_diag_set(d, PW_EIO, path, 0, "", "path too long");
    if (stat(path, &st) == 0)
        mode = st.st_mode & 0755 & ~(mode_t)(S_IWGRP | S_IWOTH);
    if ((fd = mkstemp(tmp)) < 0)
        return pw_diag_set(d, PW_EIO, path, 0, "", "cannot create %s: %s", tmp, strerror(errno));
    if (fchmod(fd, mode) != 0 || !(f = fdopen(fd, "w"))) {
        pw_diag_set(d, PW_EIO, path, 0, "", "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1; /* f owns it */
    fputs("# planwatch users (planwatch user add|passwd|disable rewrite this file whole)\n"
          "version: 1\n",
          f);
    /* "users:" alone would be a null, not a list: the loader refuses it */
    fputs(u->n ? "users:\n" : "users: []\n", f);
    for (size_t i = 0; i < u->n; i++) {
        const struct pw_user *p = &u->u[i];
        fprintf(f, "  - name: \"%s\"\n    role: %s\n", p->name, pw_user_role_name(p->role));
        if (p->office)
            fprintf(f, "    office: \"%s\"\n", p->office);
        fprintf(f, "    password: \"%s\"\n    disabled: %s\n", p->hash,
                p->disabled ? "true" : "false");
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        pw_diag_set(d, PW_EIO, path, 0, "", "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (fclose(f) != 0) {
        f = NULL;
        pw_diag_set(d, PW_EIO, path, 0, "", "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        pw_diag_set(d, PW_EIO, path, 0, "", "cannot replace it: %s", strerror(errno));
        goto fail;
    }
    /* the rename itself durable: fsync the directory (best effort) */
    snprintf(dirbuf, sizeof dirbuf, "%s", path);
    int dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
fail:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return rc;
}

int pw_users_check(const struct pw_users *u, int (*is_office)(void *arg, const char *id),
                   void *arg, struct pw_diag *d)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->u[i].office && !is_office(arg, u->u[i].office))
            return pw_diag_set(d, PW_EREG_REF, u->file, u->u[i].line, "office",
                               "%s: no office '%.60s' in the registry", u->u[i].name,
                               u->u[i].office);
    return 0;
}

int pw_users_verify(const struct pw_user *user, const char *password)
{
    return user && password &&
           crypto_pwhash_str_verify(user->hash, password, strlen(password)) == 0;
}

void pw_users_stamp(const struct pw_user *user, uint8_t out[PW_USER_STAMP_BYTES])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)user->hash, strlen(user->hash));
    memcpy(out, h, PW_USER_STAMP_BYTES);
}
