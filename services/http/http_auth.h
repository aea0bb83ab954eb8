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

#endif
