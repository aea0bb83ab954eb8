/* session.c - signed session cookies and CSRF tokens (see session.h).
 *
 * A cookie is text, not a binary blob: every field but the MAC can be read
 * in a log or a browser's cookie jar, and nothing in it is secret (the
 * stamp is 8 bytes of a hash of a salted hash). The version "1:" in front
 * lets a later format be told apart. */
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "file.h"
#include "keys.h"

int pw_session_key_load(uint8_t key[PW_SESSION_KEY_BYTES], const char *path, struct pw_diag *d)
{
    char *buf = NULL;
    size_t len;
    int rc;
    if ((rc = pw_file_read_secret(path, 4096, "the session key file", &buf, &len, d)))
        return rc;
    if (len < PW_SESSION_KEY_BYTES) {
        sodium_memzero(buf, len);
        free(buf);
        return pw_diag_set(d, PW_EKEY, path, 0, "",
                           "a session key needs at least 32 bytes (head -c 32 /dev/urandom > FILE)");
    }
    /* the key is a hash of the whole file: text or binary, any length */
    crypto_generichash(key, PW_SESSION_KEY_BYTES, (const unsigned char *)buf, len,
                       (const unsigned char *)"planwatch-session-1", 19);
    sodium_memzero(buf, len);
    free(buf);
    return 0;
}

void pw_session_new(struct pw_session *s, const struct pw_user *user, int64_t now, int64_t ttl)
{
    memset(s, 0, sizeof *s);
    snprintf(s->user, sizeof s->user, "%s", user->name);
    s->issued = now;
    s->expires = now + ttl;
    randombytes_buf(s->id, sizeof s->id);
    pw_users_stamp(user, s->stamp);
}

/* Everything the MAC covers, into out; returns its length. */
static size_t ses_body(const struct pw_session *s, char *out, size_t n)
{
    char id[2 * PW_SESSION_ID_BYTES + 1], st[2 * PW_USER_STAMP_BYTES + 1];
    int k = snprintf(out, n, "1:%s:%" PRId64 ":%" PRId64 ":%s:%s", s->user, s->issued, s->expires,
                     sodium_bin2hex(id, sizeof id, s->id, sizeof s->id),
                     sodium_bin2hex(st, sizeof st, s->stamp, sizeof s->stamp));
    return k < 0 ? 0 : (size_t)k < n ? (size_t)k : n - 1;
}

void pw_session_encode(const uint8_t key[PW_SESSION_KEY_BYTES], const struct pw_session *s,
                       char out[PW_SESSION_COOKIE_MAX])
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1];
    size_t n = ses_body(s, out, PW_SESSION_COOKIE_MAX - sizeof hex - 1);
    crypto_auth_hmacsha256(mac, (const unsigned char *)out, n, key);
    snprintf(out + n, PW_SESSION_COOKIE_MAX - n, ":%s",
             sodium_bin2hex(hex, sizeof hex, mac, sizeof mac));
}

/* A decimal int64 of [p, end): 0 or -1. */
static int ses_int(const char *p, const char *end, int64_t *out)
{
    int64_t v = 0;
    if (p == end || end - p > 18)
        return -1;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

static int ses_hex(const char *p, const char *end, uint8_t *out, size_t n)
{
    size_t got = 0;
    if ((size_t)(end - p) != 2 * n)
        return -1;
    return sodium_hex2bin(out, n, p, (size_t)(end - p), NULL, &got, NULL) == 0 && got == n ? 0 : -1;
}

int pw_session_decode(const uint8_t key[PW_SESSION_KEY_BYTES], const char *value, int64_t now,
                      struct pw_session *s)
{
    const char *f[7], *end;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    size_t len = value ? strlen(value) : 0;
    if (!value || len >= PW_SESSION_COOKIE_MAX)
        return PW_EDENIED;
    end = value + len;
    f[0] = value;
    for (int i = 1; i < 7; i++) {
        const char *c = memchr(f[i - 1], ':', (size_t)(end - f[i - 1]));
        if (!c)
            return PW_EDENIED;
        f[i] = c + 1;
    }
    if (memchr(f[6], ':', (size_t)(end - f[6])) || f[1] - f[0] != 2 || value[0] != '1')
        return PW_EDENIED;
    /* the MAC first: nothing else of an unsigned value is believed */
    if (ses_hex(f[6], end, mac, sizeof mac) ||
        crypto_auth_hmacsha256_verify(mac, (const unsigned char *)value, (size_t)(f[6] - 1 - value),
                                      key) != 0)
        return PW_EDENIED;
    memset(s, 0, sizeof *s);
    size_t ul = (size_t)(f[2] - 1 - f[1]);
    if (ul == 0 || ul > PW_USER_NAME_MAX)
        return PW_EDENIED;
    memcpy(s->user, f[1], ul);
    s->user[ul] = '\0';
    if (!pw_keys_valid_id(s->user, PW_USER_NAME_MAX) || ses_int(f[2], f[3] - 1, &s->issued) ||
        ses_int(f[3], f[4] - 1, &s->expires) || ses_hex(f[4], f[5] - 1, s->id, sizeof s->id) ||
        ses_hex(f[5], f[6] - 1, s->stamp, sizeof s->stamp))
        return PW_EDENIED;
    /* a minute of clock difference between replicas is tolerated */
    if (now >= s->expires || s->issued > now + 60)
        return PW_ERANGE;
    return 0;
}

int pw_session_current(const struct pw_session *s, const struct pw_user *user)
{
    uint8_t st[PW_USER_STAMP_BYTES];
    if (!user || user->disabled || strcmp(user->name, s->user) != 0)
        return 0;
    pw_users_stamp(user, st);
    return sodium_memcmp(st, s->stamp, sizeof st) == 0;
}

void pw_session_csrf(const uint8_t key[PW_SESSION_KEY_BYTES], const struct pw_session *s,
                     char out[PW_SESSION_CSRF_LEN + 1])
{
    uint8_t msg[4 + PW_SESSION_ID_BYTES], mac[crypto_auth_hmacsha256_BYTES];
    memcpy(msg, "csrf", 4);
    memcpy(msg + 4, s->id, sizeof s->id);
    crypto_auth_hmacsha256(mac, msg, sizeof msg, key);
    sodium_bin2hex(out, PW_SESSION_CSRF_LEN + 1, mac, sizeof mac);
}

int pw_session_csrf_ok(const uint8_t key[PW_SESSION_KEY_BYTES], const struct pw_session *s,
                       const char *token)
{
    char want[PW_SESSION_CSRF_LEN + 1];
    if (!token || strlen(token) != PW_SESSION_CSRF_LEN)
        return 0;
    pw_session_csrf(key, s, want);
    return sodium_memcmp(want, token, PW_SESSION_CSRF_LEN) == 0;
}
