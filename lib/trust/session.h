/* session.h - signed session cookies of the HTTP door: who signed in,
 * when, until when, a random session id and a stamp of the password it
 * was opened with, authenticated with HMAC-SHA256 (libsodium
 * crypto_auth_hmacsha256) under a key that replicas share, so any
 * replica accepts any other's cookie and nothing is kept per session but
 * revocations. Also the CSRF token of a session (an HMAC of its id).
 * Pure functions of the key, the cookie and the time: no I/O but loading
 * the key file. Needs sodium_init(). */
#ifndef PW_SESSION_H
#define PW_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "users.h"

#define PW_SESSION_KEY_BYTES 32
#define PW_SESSION_ID_BYTES 16
#define PW_SESSION_COOKIE_MAX 256 /* bytes of an encoded cookie value, NUL included */
#define PW_SESSION_CSRF_LEN 64    /* hex characters of a CSRF token */

struct pw_session {
    char user[PW_USER_NAME_MAX + 1];
    int64_t issued, expires;                /* Unix seconds */
    uint8_t id[PW_SESSION_ID_BYTES];        /* random */
    uint8_t stamp[PW_USER_STAMP_BYTES];     /* pw_users_stamp at sign-in */
};

/* The key from a file of at least 32 bytes (e.g. head -c 32 /dev/urandom),
 * hashed into the key so any such file works. The file must not be
 * accessible by group or others. Returns 0, or PW_EKEY_PERM / PW_EIO /
 * PW_EKEY (shorter than 32 bytes) with d filled. */
int pw_session_key_load(uint8_t key[PW_SESSION_KEY_BYTES], const char *path, struct pw_diag *d);

/* A new session of user (its stamp) from now for ttl seconds, with a
 * random id. */
void pw_session_new(struct pw_session *s, const struct pw_user *user, int64_t now, int64_t ttl);

/* The cookie value of s: "1:USER:ISSUED:EXPIRES:IDHEX:STAMPHEX:MACHEX",
 * the MAC over everything before it (only [A-Za-z0-9._:-]: no quoting).
 * out has PW_SESSION_COOKIE_MAX bytes. */
void pw_session_encode(const uint8_t key[PW_SESSION_KEY_BYTES], const struct pw_session *s,
                       char out[PW_SESSION_COOKIE_MAX]);

/* Reads and checks a cookie value at time now: 0 and *s, or PW_EDENIED
 * (malformed, or not signed with key: forged, altered, another
 * deployment's) / PW_ERANGE (expired, or issued in the future). The MAC is
 * compared in constant time. */
int pw_session_decode(const uint8_t key[PW_SESSION_KEY_BYTES], const char *value, int64_t now,
                      struct pw_session *s);

/* Whether s still belongs to user as the users file says now: the user
 * exists, is not disabled and has the password the session was opened
 * with. */
int pw_session_current(const struct pw_session *s, const struct pw_user *user);

/* The CSRF token of s: 64 hex characters of HMAC-SHA256(key, "csrf" || id). */
void pw_session_csrf(const uint8_t key[PW_SESSION_KEY_BYTES], const struct pw_session *s,
                     char out[PW_SESSION_CSRF_LEN + 1]);
/* Whether token is s's CSRF token (constant time; NULL: no). */
int pw_session_csrf_ok(const uint8_t key[PW_SESSION_KEY_BYTES], const struct pw_session *s,
                       const char *token);

#endif
