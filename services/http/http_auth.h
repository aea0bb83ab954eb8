/* http_auth.h - who is calling the HTTP door: a bearer token mapped to an
 * office of the office registry (lib/registry.h), the same file and the same
 * write scopes and read right as the offices' CURVE keys at ingest. The
 * registry stores only the SHA-256 of each token (`token_sha256:`); a token
 * is hashed and checked against every entry in constant time per entry.
 * This is the one place that decides scopes for the HTTP door. Not
 * thread-safe (read-only after open). */
#ifndef HTTP_AUTH_H
#define HTTP_AUTH_H

#include <stddef.h>

#include "catalog.h"
#include "diag.h"

struct http_auth;
struct http_office;

/* Loads the registry at path ("" = no registry: every write is refused
 * 401). Returns 0 and *out (caller closes), or the registry loader's error
 * (PW_EREG_*, PW_EKEY, PW_EIO, ...) with diag filled. */
int http_auth_open(struct http_auth **out, const char *path, struct pw_diag *diag);
/* Re-reads the registry file a was opened with (SIGHUP) and swaps it in
 * at once: tokens are checked against the new file from now on. Offices
 * handed out before (requests in flight) stay valid until http_auth_close.
 * A file that does not load leaves a unchanged. Returns 0 (also with no
 * registry: nothing to do) or the loader's error with diag filled. */
int http_auth_reload(struct http_auth *a, struct pw_diag *diag);
/* Loads the users file at path into a (README "Users and sign-in"): the
 * people who sign in with a password; a member's office must be an office
 * of a's registry. Reloads re-read it with the registry, both or neither.
 * Returns 0, or the loader's error (PW_EREG_*, PW_EKEY_PERM, PW_EIO, ...)
 * with diag filled; a keeps no users then. */
int http_auth_open_users(struct http_auth *a, const char *path, struct pw_diag *diag);
/* The user of that name (borrowed until close; the users of a reload stay
 * valid for requests in flight), or NULL (also without a users file). */
struct pw_user;
const struct pw_user *http_auth_user(const struct http_auth *a, const char *name);
/* Users loaded (0 without a users file). */
size_t http_auth_user_count(const struct http_auth *a);
/* The office with that id (token or not: a member's office), or NULL. */
const struct http_office *http_auth_office(const struct http_auth *a, const char *id);

/* Frees a and every registry it replaced; accepts NULL; nulls *a. */
void http_auth_close(struct http_auth **a);
/* Offices that have a token. */
size_t http_auth_count(const struct http_auth *a);

/* The office whose token this is (borrowed until close), or NULL. */
const struct http_office *http_auth_find(const struct http_auth *a, const char *token);

const char *http_auth_name(const struct http_office *o);
int http_auth_may_read(const struct http_office *o);
/* It may write something (a non-empty write scope). */
int http_auth_may_write_any(const struct http_office *o);
/* o may manage (the registry's manage: true): publish reports. */
int http_auth_may_manage(const struct http_office *o);
/* It may write ind. */
int http_auth_may_write(const struct http_office *o, const struct pw_indicator *ind);
/* The registry's entry with that id (office or service, token or not), or
 * NULL (also without a registry). Borrowed until http_auth_close. */
struct pw_principal;
const struct pw_principal *http_auth_principal(const struct http_auth *a, const char *id);

#endif
