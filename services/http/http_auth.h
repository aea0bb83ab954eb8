/* http_auth.h - who is calling: bearer tokens mapped to an office and the
 * plans / projects / indicators it may write, and whether it may read.
 *
 * The tokens file (--tokens) has one office per line, '#' comments:
 *   OFFICE  SHA256-HEX-OF-TOKEN  SCOPE[,SCOPE...]
 * with scopes read, write:*, write:PLAN, write:PLAN/PROJECT (all = the plan-
 * wide indicators) and write:PLAN/PROJECT/INDICATOR. Only the token's hash is
 * stored (printf %s "$TOKEN" | sha256sum); a token is checked against every
 * entry in constant time per entry. This is the one place that decides
 * scopes for the HTTP door: when the office registry of the ZeroMQ doors
 * (CURVE keys) exists, http_auth_open reads it instead and the callers stay
 * as they are. Not thread-safe (read-only after open). */
#ifndef HTTP_AUTH_H
#define HTTP_AUTH_H

#include <stddef.h>

#include "catalog.h"
#include "diag.h"

struct http_auth;
struct http_office;

/* Loads path ("" = no tokens: every write is refused 401). Returns 0 and
 * *out (caller closes), or PW_EIO / PW_ESYNTAX (diag: file, line, why) /
 * PW_ENOMEM. */
int http_auth_open(struct http_auth **out, const char *path, struct pw_diag *diag);
void http_auth_close(struct http_auth **a);
size_t http_auth_count(const struct http_auth *a);

/* The office whose token this is (borrowed until close), or NULL. */
const struct http_office *http_auth_find(const struct http_auth *a, const char *token);

const char *http_auth_name(const struct http_office *o);
int http_auth_may_read(const struct http_office *o);
/* It may write something (at least one write scope). */
int http_auth_may_write_any(const struct http_office *o);
/* It may write every indicator (write:*). */
int http_auth_may_write_all(const struct http_office *o);
/* It may write ind. */
int http_auth_may_write(const struct http_office *o, const struct pw_indicator *ind);

#endif
