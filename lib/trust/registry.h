/* registry.h - the office registry: who may connect, as whom, and what they
 * may do. A human-edited YAML file (libyaml) listing the planwatch services'
 * and the offices' CURVE public keys; for each office the plans, projects
 * and indicators it may write and whether it may read (store queries) and
 * subscribe (alerts). The ZAP handler (zap.h) maps a connecting key to its
 * entry; ingest checks every row against the sender's write scope. Format
 * and examples: README "Security". Immutable once loaded; every pointer it
 * hands out is owned by it and valid until pw_registry_close. The loader
 * stops at the first error with file:line, the field path and why. */
#ifndef PW_REGISTRY_H
#define PW_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "diag.h"
#include "keys.h"

#define PW_REGISTRY_MAX_BYTES (4u << 20)
#define PW_PRINCIPAL_ID_MAX 64 /* bytes of an id: [A-Za-z0-9._-] */

/* A service's job, which fixes what its key may do (least privilege):
 * the registry's optional `role:` of a service entry, else its id when
 * that is one of these names ("ingest", "store", "alert", "http"); any
 * other service is PW_ROLE_OTHER (it may read, nothing more). */
enum pw_role {
    PW_ROLE_NONE = 0, /* an office */
    PW_ROLE_INGEST,
    PW_ROLE_STORE,
    PW_ROLE_ALERT,
    PW_ROLE_HTTP,
    PW_ROLE_OTHER,
};

/* One registered key: a planwatch service or an office. */
struct pw_principal {
    const char *id;                 /* the authenticated identity (ZAP User-Id) */
    const char *name;               /* free text, "" when absent */
    char key[PW_KEY_Z85_LEN + 1];   /* CURVE public key, Z85 ("" when the office has none) */
    uint8_t key_bin[32];
    int has_key;                    /* may connect over CURVE */
    int has_token;                  /* may call the HTTP door with a bearer token ... */
    uint8_t token_sha256[32];       /* ... whose SHA-256 this is (the token itself is never stored) */
    int service;                    /* a planwatch service: internal streams */
    enum pw_role role;              /* a service's job (PW_ROLE_NONE for an office) */
    int read;                       /* may query the store */
    int subscribe;                  /* may subscribe to alerts */
    int manage;                     /* may manage alerts (webhooks, ack, silence) */
    const char *const *plans;       /* write scope: every indicator of these plans, */
    size_t nplans;
    const char *const *projects;    /* of these projects ("p3.pj2"; "p3.all": plan-wide ones), */
    size_t nprojects;
    const char *const *indicators;  /* and these indicators */
    size_t nindicators;
    int line;                       /* line of its entry */
};

struct pw_registry;

/* Loads a registry file / buffer (name labels diagnostics; buf borrowed for
 * the call). Returns 0 and *out (caller closes with pw_registry_close), or
 * PW_EREG_YAML / PW_EREG_FIELD / PW_EREG_DUP / PW_EKEY (a key that is not
 * 40 Z85 characters) / PW_EKEY_PERM (the file is writable by group or
 * others: load_file only) / PW_EIO / PW_ETOOBIG / PW_ENOMEM with d filled;
 * *out untouched on failure. */
int pw_registry_load_file(struct pw_registry **out, const char *path, struct pw_diag *d);
int pw_registry_load_buffer(struct pw_registry **out, const char *name, const char *buf,
                            size_t len, struct pw_diag *d);

/* Checks every write scope against the catalog: each plan, project and
 * indicator named exists. Returns 0 or PW_EREG_REF with d filled. */
int pw_registry_check(const struct pw_registry *r, const struct pw_catalog *cat, struct pw_diag *d);

/* Frees the registry; accepts NULL; nulls *r. */
void pw_registry_close(struct pw_registry **r);

size_t pw_registry_count(const struct pw_registry *r);
const struct pw_principal *pw_registry_at(const struct pw_registry *r, size_t i);
/* The entry with that public key (32 bytes) / id, or NULL. */
const struct pw_principal *pw_registry_find_key(const struct pw_registry *r, const uint8_t *key);
/* The office whose bearer token has this SHA-256, or NULL. Every entry is
 * compared in full (sodium_memcmp, constant time per entry): the time taken
 * says nothing about how close a wrong token came. Needs sodium_init(). */
const struct pw_principal *pw_registry_find_token(const struct pw_registry *r,
                                                  const uint8_t sha256[32]);
const struct pw_principal *pw_registry_find(const struct pw_registry *r, const char *id);

/* Whether p may write figures of ind (services never do). */
int pw_principal_may_write(const struct pw_principal *p, const struct pw_indicator *ind);
/* Whether p's write scope names anything at all (an office that may feed). */
int pw_principal_may_write_any(const struct pw_principal *p);

/* The write rule at ingest's door, per row: may the office a batch was
 * resolved to (pw_principal_feeder) submit a figure of ind? Yes for NULL
 * (security off: --insecure); an office only within its write scope.
 * Returns 0, or PW_EFEED_SCOPE with why ("office 'ID' may not write IND
 * (its write scope: ...)", truncated to n bytes). */
int pw_principal_check_write(const struct pw_principal *office, const struct pw_indicator *ind,
                             char *why, size_t n);

/* The office a batch sent by who, claiming the office name claimed, is
 * written for, resolved in reg: an office writes for itself (claimed is
 * ignored); the HTTP door (PW_ROLE_HTTP) for the registered office claimed
 * names (it verified that office's token); any other service for nobody.
 * Returns 0 and *office (NULL when who is NULL: security off), or
 * PW_EDENIED (a service that does not feed) / PW_EFORBIDDEN (claimed is
 * empty or not a registered office) with why (truncated to n bytes). */
int pw_principal_feeder(const struct pw_registry *reg, const struct pw_principal *who,
                        const char *claimed, const struct pw_principal **office, char *why,
                        size_t n);

/* The office a figure is stored under: office's id (pw_principal_feeder),
 * else claimed (security off; NULL -> ""). Borrowed from office or claimed. */
const char *pw_principal_office(const struct pw_principal *office, const char *claimed);

/* "ingest", "store", "alert", "http", "other" or "office". Static. */
const char *pw_role_name(enum pw_role role);

/* "plans [p2], projects [p3.pj2], indicators [x]" or "nothing" into buf
 * (truncated to n). Returns buf. */
char *pw_principal_scope(const struct pw_principal *p, char *buf, size_t n);

#endif
