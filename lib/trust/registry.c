/* registry.c - the office registry loader (see registry.h).
 *
 * libyaml builds a node tree (yaml_parser_load) whose marks give the line
 * of every entry. Strings are copied into one arena, so closing the
 * registry is one pw_arena_close. Lookups are linear: a registry has tens
 * of entries, and the ZAP handler asks once per connection. */
#include "registry.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "arena.h"
#include "cfg.h"
#include "err.h"
#include "file.h"
#include "vec.h"
#include "yamlw.h"

struct pw_registry {
    struct pw_arena *arena;
    struct pw_principal *p;
    size_t n, cap;
    const char *file;
};

/* Parse state of one file. */
struct reg_ctx {
    struct pw_registry *r;
    struct pw_yamlw w;      /* the document, file and diagnostics */
};

/* The value of key in map n (NULL if absent), after checking that every key
 * of n is one of allowed[] and appears once. */
static int reg_map(struct reg_ctx *x, yaml_node_t *n, const char *path,
                   const char *const *allowed, yaml_node_t **vals)
{
    int rc = pw_yamlw_check_keys(&x->w, n, path, allowed);
    for (size_t i = 0; !rc && allowed[i]; i++)
        vals[i] = pw_yamlw_get(&x->w, n, allowed[i]);
    return rc;
}

/* A scalar's text copied into the arena (*out NULL when n is NULL). */
static int reg_scalar(struct reg_ctx *x, yaml_node_t *n, const char *path, const char **out)
{
    const char *s;
    size_t len;
    int rc = pw_yamlw_scalar(&x->w, n, NULL, "", path, 0, &s, &len);
    *out = NULL;
    if (rc || !s)
        return rc;
    *out = pw_arena_strndup(x->r->arena, s, len);
    return *out ? 0 : PW_ENOMEM;
}

static int reg_bool(struct reg_ctx *x, yaml_node_t *n, const char *path, int *out)
{
    const char *s;
    int rc = reg_scalar(x, n, path, &s);
    *out = 0;
    if (rc || !s)
        return rc;
    if (pw_cfg_parse_bool(s, out))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, n, path, "'%.40s' is not true or false", s);
    return 0;
}

/* A list of ids into the arena. */
static int reg_list(struct reg_ctx *x, yaml_node_t *n, const char *path, const char *const **out,
                    size_t *count)
{
    *out = NULL;
    *count = 0;
    if (!n)
        return 0;
    int rc0 = pw_yamlw_expect(&x->w, n, YAML_SEQUENCE_NODE, path);
    if (rc0)
        return rc0;
    size_t k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    const char **v = pw_arena_alloc(x->r->arena, (k ? k : 1) * sizeof *v);
    if (!v)
        return PW_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        char ipath[96];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        yaml_node_t *it = pw_yamlw_node(&x->w, n->data.sequence.items.start[i]);
        int rc = it ? reg_scalar(x, it, ipath, &v[i]) : PW_EREG_FIELD;
        if (rc)
            return rc;
        if (!pw_keys_valid_id(v[i], 2 * PW_ID_MAX + 1))
            return pw_yamlw_err(&x->w, PW_EREG_FIELD, it, ipath, "'%.60s' is not an id", v[i]);
    }
    *out = v;
    *count = k;
    return 0;
}

static int reg_scope(struct reg_ctx *x, yaml_node_t *n, const char *base, struct pw_principal *p)
{
    static const char *const keys[] = {"plans", "projects", "indicators", NULL};
    yaml_node_t *v[3];
    char path[96];
    int rc;
    snprintf(path, sizeof path, "%s.write", base);
    if ((rc = reg_map(x, n, path, keys, v)))
        return rc;
    const char *const **lists[3] = {&p->plans, &p->projects, &p->indicators};
    size_t *counts[3] = {&p->nplans, &p->nprojects, &p->nindicators};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s.write.%s", base, keys[i]);
        if ((rc = reg_list(x, v[i], path, lists[i], counts[i])))
            return rc;
    }
    snprintf(path, sizeof path, "%s.write.projects", base);
    for (size_t i = 0; i < p->nprojects; i++) {
        const char *dot = strchr(p->projects[i], '.');
        if (!dot || dot == p->projects[i] || !dot[1] || strchr(dot + 1, '.'))
            return pw_yamlw_err(&x->w, PW_EREG_FIELD, n, path,
                           "'%.60s' is not PLAN.PROJECT (e.g. p3.pj2, or p3.all for the "
                           "plan-wide indicators)",
                           p->projects[i]);
    }
    return 0;
}

/* 64 hex digits -> 32 bytes. Returns 0 or -1. */
static int reg_hex32(const char *s, uint8_t out[32])
{
    if (strlen(s) != 64)
        return -1;
    for (size_t i = 0; i < 64; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(d << 4);
        else
            out[i / 2] |= (uint8_t)d;
    }
    return 0;
}

static const char *const reg_roles[] = {
    [PW_ROLE_NONE] = "office", [PW_ROLE_INGEST] = "ingest", [PW_ROLE_STORE] = "store",
    [PW_ROLE_ALERT] = "alert", [PW_ROLE_HTTP] = "http",     [PW_ROLE_OTHER] = "other"};

/* A service's role from its name: the four jobs, anything else OTHER. */
static enum pw_role reg_role(const char *s)
{
    for (int r = PW_ROLE_INGEST; r < PW_ROLE_OTHER; r++)
        if (!strcmp(s, reg_roles[r]))
            return (enum pw_role)r;
    return PW_ROLE_OTHER;
}

const char *pw_role_name(enum pw_role role)
{
    return (unsigned)role <= PW_ROLE_OTHER ? reg_roles[role] : "other";
}

static int reg_entry(struct reg_ctx *x, yaml_node_t *n, const char *list, size_t idx, int service)
{
    static const char *const office_keys[] = {"id",   "key",       "name",   "write",
                                              "read", "subscribe", "manage", "token_sha256",
                                              NULL};
    static const char *const service_keys[] = {"id", "key", "name", "role", NULL};
    enum { K_ID, K_KEY, K_NAME, K_WRITE, K_READ, K_SUBSCRIBE, K_MANAGE, K_TOKEN };
    enum { K_ROLE = 3 }; /* a service entry's fourth key */
    yaml_node_t *v[8] = {0}; /* a service entry fills only its first four */
    char base[64], path[96];
    struct pw_principal p;
    int rc;
    memset(&p, 0, sizeof p);
    snprintf(base, sizeof base, "%s[%zu]", list, idx);
    if ((rc = reg_map(x, n, base, service ? service_keys : office_keys, v)))
        return rc;
    p.line = (int)n->start_mark.line + 1;
    p.service = service;
    if (!v[K_ID])
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, n, base, "required key 'id' missing");
    /* a service connects over CURVE; an office by CURVE, by token, or both */
    if (!v[K_KEY] && (service || !v[K_TOKEN]))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, n, base,
                       service ? "required key 'key' missing"
                               : "an office needs a 'key' (CURVE), a 'token_sha256' (HTTP), or both");
    snprintf(path, sizeof path, "%s.id", base);
    if ((rc = reg_scalar(x, v[K_ID], path, &p.id)))
        return rc;
    if (!pw_keys_valid_id(p.id, PW_PRINCIPAL_ID_MAX))
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_ID], path,
                       "'%.60s' is not an id: use 1-%d of [A-Za-z0-9._-]", p.id,
                       PW_PRINCIPAL_ID_MAX);
    const char *key;
    snprintf(path, sizeof path, "%s.key", base);
    if (v[K_KEY]) {
        if ((rc = reg_scalar(x, v[K_KEY], path, &key)))
            return rc;
        if (pw_keys_z85_decode(key, p.key_bin))
            return pw_yamlw_err(&x->w, PW_EKEY, v[K_KEY], path,
                           "not a CURVE public key (40 Z85 characters, as planwatch keygen prints)");
        memcpy(p.key, key, PW_KEY_Z85_LEN + 1);
        p.has_key = 1;
    }
    if (v[K_TOKEN]) {
        const char *hex;
        snprintf(path, sizeof path, "%s.token_sha256", base);
        if ((rc = reg_scalar(x, v[K_TOKEN], path, &hex)))
            return rc;
        if (reg_hex32(hex, p.token_sha256))
            return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_TOKEN], path,
                           "not a SHA-256 in hex (64 characters: printf %%s \"$TOKEN\" | sha256sum)");
        p.has_token = 1;
    }
    snprintf(path, sizeof path, "%s.name", base);
    if ((rc = reg_scalar(x, v[K_NAME], path, &p.name)))
        return rc;
    if (!p.name)
        p.name = "";
    if (service) {
        const char *role = p.id;
        p.read = p.subscribe = p.manage = 1;
        snprintf(path, sizeof path, "%s.role", base);
        if (v[K_ROLE] && (rc = reg_scalar(x, v[K_ROLE], path, &role)))
            return rc;
        p.role = reg_role(role);
        if (v[K_ROLE] && p.role == PW_ROLE_OTHER)
            return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[K_ROLE], path,
                                "'%.40s' is not ingest, store, alert or http", role);
    } else {
        snprintf(path, sizeof path, "%s.read", base);
        if ((rc = reg_bool(x, v[K_READ], path, &p.read)))
            return rc;
        snprintf(path, sizeof path, "%s.subscribe", base);
        if ((rc = reg_bool(x, v[K_SUBSCRIBE], path, &p.subscribe)))
            return rc;
        snprintf(path, sizeof path, "%s.manage", base);
        if ((rc = reg_bool(x, v[K_MANAGE], path, &p.manage)))
            return rc;
        if (v[K_WRITE] && (rc = reg_scope(x, v[K_WRITE], base, &p)))
            return rc;
    }
    for (size_t i = 0; i < x->r->n; i++) {
        const struct pw_principal *o = &x->r->p[i];
        if (!strcmp(o->id, p.id))
            return pw_yamlw_err(&x->w, PW_EREG_DUP, v[K_ID], base, "id '%s' is already used on line %d",
                           p.id, o->line);
        if (p.has_key && o->has_key && !memcmp(o->key_bin, p.key_bin, sizeof p.key_bin))
            return pw_yamlw_err(&x->w, PW_EREG_DUP, v[K_KEY], base,
                           "this key is already %s's (line %d): every identity has its own key",
                           o->id, o->line);
        if (p.has_token && o->has_token &&
            !memcmp(o->token_sha256, p.token_sha256, sizeof p.token_sha256))
            return pw_yamlw_err(&x->w, PW_EREG_DUP, v[K_TOKEN], base,
                           "this token is already %s's (line %d): every office has its own token",
                           o->id, o->line);
    }
    if (pw_vec_grow((void **)&x->r->p, &x->r->cap, x->r->n + 1, sizeof p))
        return PW_ENOMEM;
    x->r->p[x->r->n++] = p;
    return 0;
}

static int reg_doc(struct reg_ctx *x, yaml_node_t *root)
{
    static const char *const keys[] = {"version", "services", "offices", NULL};
    yaml_node_t *v[3];
    const char *ver;
    int rc;
    if (!root)
        return pw_yamlw_err(&x->w, PW_EREG_FIELD, NULL, "", "the file is empty");
    if ((rc = reg_map(x, root, "", keys, v)) || (rc = reg_scalar(x, v[0], "version", &ver)))
        return rc;
    if ((rc = pw_yamlw_version1(&x->w, root, v[0], ver, "registry")))
        return rc;
    for (int s = 1; s <= 2; s++) {
        if (!v[s])
            continue;
        if (v[s]->type != YAML_SEQUENCE_NODE)
            return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[s], keys[s], "expected a list");
        size_t k = (size_t)(v[s]->data.sequence.items.top - v[s]->data.sequence.items.start);
        for (size_t i = 0; i < k; i++) {
            yaml_node_t *e = pw_yamlw_node(&x->w, v[s]->data.sequence.items.start[i]);
            if (!e)
                return pw_yamlw_err(&x->w, PW_EREG_FIELD, v[s], keys[s], "empty entry");
            if ((rc = reg_entry(x, e, keys[s], i, s == 1)))
                return rc;
        }
    }
    return 0;
}

int pw_registry_load_buffer(struct pw_registry **out, const char *name, const char *buf,
                            size_t len, struct pw_diag *d)
{
    struct pw_registry *r = calloc(1, sizeof *r);
    yaml_document_t doc;
    int rc = PW_ENOMEM;
    if (!r || pw_arena_open(&r->arena) ||
        !(r->file = pw_arena_strndup(r->arena, name, strlen(name))))
        goto fail;
    if (len > PW_REGISTRY_MAX_BYTES) {
        rc = pw_diag_set(d, PW_ETOOBIG, name, 0, "", "registry larger than %u bytes",
                         PW_REGISTRY_MAX_BYTES);
        goto fail;
    }
    if ((rc = pw_yamlw_load(&doc, name, buf, len, PW_EREG_YAML, d)))
        goto fail;
    struct reg_ctx x = {.r = r,
                        .w = {.doc = &doc, .file = r->file, .diag = d, .e_type = PW_EREG_FIELD,
                              .e_key = PW_EREG_FIELD, .e_dup = PW_EREG_DUP,
                              .e_missing = PW_EREG_FIELD}};
    rc = reg_doc(&x, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    if (rc)
        goto fail;
    *out = r;
    return 0;
fail:
    pw_registry_close(&r);
    return rc;
}

int pw_registry_load_file(struct pw_registry **out, const char *path, struct pw_diag *d)
{
    char *buf;
    size_t len;
    int rc = pw_keys_read_trusted(path, "the registry", PW_REGISTRY_MAX_BYTES, &buf, &len, d);
    if (rc)
        return rc;
    rc = pw_registry_load_buffer(out, path, buf, len, d);
    free(buf);
    return rc;
}

void pw_registry_close(struct pw_registry **rp)
{
    if (!rp || !*rp)
        return;
    free((*rp)->p);
    pw_arena_close(&(*rp)->arena);
    free(*rp);
    *rp = NULL;
}

size_t pw_registry_count(const struct pw_registry *r)
{
    return r->n;
}

const struct pw_principal *pw_registry_at(const struct pw_registry *r, size_t i)
{
    return i < r->n ? &r->p[i] : NULL;
}

const struct pw_principal *pw_registry_find_key(const struct pw_registry *r, const uint8_t *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->p[i].has_key && memcmp(r->p[i].key_bin, key, sizeof r->p[i].key_bin) == 0)
            return &r->p[i];
    return NULL;
}

const struct pw_principal *pw_registry_find_token(const struct pw_registry *r,
                                                  const uint8_t sha256[32])
{
    const struct pw_principal *found = NULL;
    for (size_t i = 0; i < r->n; i++)
        if (sodium_memcmp(r->p[i].token_sha256, sha256, 32) == 0 && r->p[i].has_token && !found)
            found = &r->p[i];
    return found;
}

const struct pw_principal *pw_registry_find(const struct pw_registry *r, const char *id)
{
    for (size_t i = 0; id && i < r->n; i++)
        if (strcmp(r->p[i].id, id) == 0)
            return &r->p[i];
    return NULL;
}

static int reg_has(const char *const *list, size_t n, const char *a, const char *b)
{
    size_t al = strlen(a);
    for (size_t i = 0; i < n; i++) {
        if (!b && strcmp(list[i], a) == 0)
            return 1;
        if (b && strncmp(list[i], a, al) == 0 && list[i][al] == '.' &&
            strcmp(list[i] + al + 1, b) == 0)
            return 1;
    }
    return 0;
}

int pw_principal_may_write(const struct pw_principal *p, const struct pw_indicator *ind)
{
    if (p->service)
        return 0;
    return reg_has(p->plans, p->nplans, ind->plan->id, NULL) ||
           reg_has(p->projects, p->nprojects, ind->plan->id, pw_indicator_project_id(ind)) ||
           reg_has(p->indicators, p->nindicators, ind->id, NULL);
}

int pw_principal_may_write_any(const struct pw_principal *p)
{
    return !p->service && (p->nplans || p->nprojects || p->nindicators);
}

int pw_principal_check_write(const struct pw_principal *office, const struct pw_indicator *ind,
                             char *why, size_t n)
{
    char scope[200];
    if (!office || pw_principal_may_write(office, ind))
        return 0;
    snprintf(why, n, "office '%s' may not write %s (its write scope: %s)", office->id, ind->id,
             pw_principal_scope(office, scope, sizeof scope));
    return PW_EFEED_SCOPE;
}

int pw_principal_feeder(const struct pw_registry *reg, const struct pw_principal *who,
                        const char *claimed, const struct pw_principal **office, char *why,
                        size_t n)
{
    const struct pw_principal *o;
    *office = NULL;
    if (!who)
        return 0;
    if (!who->service) {
        *office = who;
        return 0;
    }
    if (who->role != PW_ROLE_HTTP) {
        snprintf(why, n, "service '%s' (%s) may not feed: only offices and the HTTP door, for "
                 "a registered office, send figures", who->id, pw_role_name(who->role));
        return PW_EDENIED;
    }
    if (!claimed || !claimed[0]) {
        snprintf(why, n, "the HTTP door sent a batch without an office name");
        return PW_EFORBIDDEN;
    }
    if (!(o = pw_registry_find(reg, claimed)) || o->service) {
        snprintf(why, n, "office '%.64s' is not registered", claimed);
        return PW_EFORBIDDEN;
    }
    *office = o;
    return 0;
}

const char *pw_principal_office(const struct pw_principal *office, const char *claimed)
{
    if (office)
        return office->id;
    return claimed ? claimed : "";
}

int pw_registry_check(const struct pw_registry *r, const struct pw_catalog *cat, struct pw_diag *d)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct pw_principal *p = &r->p[i];
        for (size_t k = 0; k < p->nplans; k++)
            if (!pw_catalog_find_plan(cat, p->plans[k]))
                return pw_diag_set(d, PW_EREG_REF, r->file, p->line, "write.plans",
                                   "%s: no plan '%.60s' in the catalog", p->id, p->plans[k]);
        for (size_t k = 0; k < p->nprojects; k++) {
            int found = 0;
            for (size_t j = 0; !found && j < pw_catalog_count(cat); j++) {
                const struct pw_indicator *ind = pw_catalog_at(cat, j);
                found = reg_has(&p->projects[k], 1, ind->plan->id, pw_indicator_project_id(ind));
            }
            if (!found)
                return pw_diag_set(d, PW_EREG_REF, r->file, p->line, "write.projects",
                                   "%s: no project '%.60s' (PLAN.PROJECT) with indicators in "
                                   "the catalog",
                                   p->id, p->projects[k]);
        }
        for (size_t k = 0; k < p->nindicators; k++)
            if (!pw_catalog_find(cat, p->indicators[k]))
                return pw_diag_set(d, PW_EREG_REF, r->file, p->line, "write.indicators",
                                   "%s: no indicator '%.60s' in the catalog", p->id,
                                   p->indicators[k]);
    }
    return 0;
}

static size_t reg_scope_list(char *buf, size_t n, size_t k, const char *label,
                             const char *const *list, size_t count)
{
    if (!count)
        return k;
    k += (size_t)snprintf(buf + (k < n ? k : n), k < n ? n - k : 0, "%s%s [", k ? ", " : "", label);
    for (size_t i = 0; i < count; i++)
        k += (size_t)snprintf(buf + (k < n ? k : n), k < n ? n - k : 0, "%s%s", i ? " " : "",
                              list[i]);
    k += (size_t)snprintf(buf + (k < n ? k : n), k < n ? n - k : 0, "]");
    return k;
}

char *pw_principal_scope(const struct pw_principal *p, char *buf, size_t n)
{
    size_t k = 0;
    if (!n)
        return buf;
    buf[0] = '\0';
    k = reg_scope_list(buf, n, k, "plans", p->plans, p->nplans);
    k = reg_scope_list(buf, n, k, "projects", p->projects, p->nprojects);
    k = reg_scope_list(buf, n, k, "indicators", p->indicators, p->nindicators);
    if (!k)
        snprintf(buf, n, "nothing");
    return buf;
}
