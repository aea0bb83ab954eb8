/* http_auth.c - bearer tokens against the office registry (see
 * http_auth.h). An http_office is a registry principal seen through the
 * HTTP door: the registry owns it. */
#include "http_auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "registry.h"
#include "users.h"

struct http_office {
    const struct pw_principal *p;
};

struct http_auth {
    struct pw_registry *reg; /* NULL: no registry, nobody writes */
    struct http_office *o;   /* every office (members act as theirs), ... */
    size_t n, ntok;          /* ... of which ntok have a token */
    char *path;              /* the registry file, for reloads (NULL: none) */
    struct pw_users *users;  /* who signs in (NULL: nobody) */
    char *users_path;        /* the users file, for reloads (NULL: none) */
    struct http_auth *prev;  /* what reloads replaced: kept until close */
};

int http_auth_open(struct http_auth **out, const char *path, struct pw_diag *diag)
{
    struct http_auth *a = calloc(1, sizeof *a);
    int rc;
    if (!a)
        return PW_ENOMEM;
    if (path && path[0]) {
        if ((rc = pw_registry_load_file(&a->reg, path, diag))) {
            free(a);
            return rc;
        }
        if (!(a->path = strdup(path))) {
            http_auth_close(&a);
            return PW_ENOMEM;
        }
        size_t n = pw_registry_count(a->reg);
        a->o = calloc(n ? n : 1, sizeof *a->o);
        if (!a->o) {
            http_auth_close(&a);
            return PW_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            const struct pw_principal *p = pw_registry_at(a->reg, i);
            if (!p->service) {
                a->o[a->n++].p = p;
                a->ntok += p->has_token ? 1 : 0;
            }
        }
    }
    *out = a;
    return 0;
}

int http_auth_reload(struct http_auth *a, struct pw_diag *diag)
{
    struct http_auth *n = NULL, *old;
    int rc;
    if (!a->path && !a->users_path)
        return 0;
    if ((rc = http_auth_open(&n, a->path ? a->path : "", diag)))
        return rc;
    /* the users with the registry they point into: both or neither */
    if (a->users_path && (rc = http_auth_open_users(n, a->users_path, diag))) {
        http_auth_close(&n);
        return rc;
    }
    if (!(old = malloc(sizeof *old))) {
        http_auth_close(&n);
        return PW_ENOMEM;
    }
    *old = *a;
    *a = *n;
    a->prev = old;
    free(n);
    return 0;
}

void http_auth_close(struct http_auth **a)
{
    if (!a || !*a)
        return;
    http_auth_close(&(*a)->prev);
    free((*a)->path);
    free((*a)->users_path);
    pw_users_close(&(*a)->users);
    pw_registry_close(&(*a)->reg);
    free((*a)->o);
    free(*a);
    *a = NULL;
}

size_t http_auth_count(const struct http_auth *a)
{
    return a->ntok;
}

/* pw_users_check's question: a registered office (not a service)? */
static int auth_is_office(void *arg, const char *id)
{
    const struct pw_principal *p = pw_registry_find(arg, id);
    return p && !p->service;
}

int http_auth_open_users(struct http_auth *a, const char *path, struct pw_diag *diag)
{
    struct pw_users *u = NULL;
    char *copy = strdup(path);
    int rc = copy ? pw_users_load_file(&u, path, diag) : PW_ENOMEM;
    /* without a registry there is no office to check against: members
     * then read only (http_auth_office finds nothing) */
    if (!rc && a->reg)
        rc = pw_users_check(u, auth_is_office, a->reg, diag);
    if (rc) {
        pw_users_close(&u);
        free(copy);
        return rc;
    }
    pw_users_close(&a->users);
    free(a->users_path);
    a->users = u;
    a->users_path = copy;
    return 0;
}

const struct pw_user *http_auth_user(const struct http_auth *a, const char *name)
{
    return a && a->users ? pw_users_find(a->users, name) : NULL;
}

size_t http_auth_user_count(const struct http_auth *a)
{
    return a && a->users ? pw_users_count(a->users) : 0;
}

const struct http_office *http_auth_office(const struct http_auth *a, const char *id)
{
    for (size_t i = 0; a && id && i < a->n; i++)
        if (strcmp(a->o[i].p->id, id) == 0)
            return &a->o[i];
    return NULL;
}

const struct http_office *http_auth_find(const struct http_auth *a, const char *token)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    if (!token || !token[0] || !a->reg)
        return NULL;
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    const struct pw_principal *p = pw_registry_find_token(a->reg, h);
    for (size_t i = 0; p && p->has_token && i < a->n; i++)
        if (a->o[i].p == p)
            return &a->o[i];
    return NULL;
}

const char *http_auth_name(const struct http_office *o)
{
    return o->p->id;
}

int http_auth_may_read(const struct http_office *o)
{
    return o && o->p->read;
}

int http_auth_may_manage(const struct http_office *o)
{
    return o && o->p->manage;
}

int http_auth_may_write_any(const struct http_office *o)
{
    return o && pw_principal_may_write_any(o->p);
}


int http_auth_may_write(const struct http_office *o, const struct pw_indicator *ind)
{
    return o && pw_principal_may_write(o->p, ind);
}

const struct pw_principal *http_auth_principal(const struct http_auth *a, const char *id)
{
    return a && a->reg && id ? pw_registry_find(a->reg, id) : NULL;
}
