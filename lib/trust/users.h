/* users.h - the people who sign in to the HTTP door: a YAML file apart
 * from the office registry (only planwatch-http reads it; it may be a
 * read-only mounted secret), one entry per user with a role, the office
 * a member belongs to, an argon2id password hash (libsodium
 * crypto_pwhash_str) and a disabled flag. Loaded whole with file:line
 * errors like the registry, written whole and atomically by `planwatch
 * user`. Passwords themselves are never stored, logged or kept. Format:
 * README "Users and sign-in". Needs sodium_init(). Not thread-safe. */
#ifndef PW_USERS_H
#define PW_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define PW_USERS_MAX_BYTES (4u << 20)
#define PW_USER_NAME_MAX 64  /* bytes of a name: [A-Za-z0-9._-] */
#define PW_USER_STAMP_BYTES 8 /* pw_users_stamp */

/* What a signed-in user may do through the door. */
enum pw_user_role {
    PW_USER_VIEWER = 0, /* read */
    PW_USER_MEMBER,     /* read, and write its office's scope (the registry's) */
    PW_USER_SECRETARIAT /* read, and manage: alerts, assessments, subscriptions, reports */
};

struct pw_user {
    const char *name;
    const char *office;     /* a member's office id (registry); NULL for the others */
    enum pw_user_role role;
    const char *hash;       /* "$argon2id$..." */
    int disabled;
    int line;               /* line of its entry (0: added since loading) */
};

struct pw_users;

/* An empty set of users (a file about to be made). Returns 0 or PW_ENOMEM. */
int pw_users_new(struct pw_users **out);
/* Loads a users file / buffer (name labels diagnostics). Returns 0 and *out
 * (caller closes), or PW_EREG_YAML / PW_EREG_FIELD (unknown, missing or
 * bad field: a role that is not member|secretariat|viewer, a member
 * without office or another role with one, a hash that is not argon2id) /
 * PW_EREG_DUP (a name twice) / PW_EKEY_PERM (the file is writable by group
 * or others: load_file only) / PW_EIO / PW_ETOOBIG / PW_ENOMEM with d
 * filled (file:line, the field path, why); *out untouched on failure. */
int pw_users_load_file(struct pw_users **out, const char *path, struct pw_diag *d);
int pw_users_load_buffer(struct pw_users **out, const char *name, const char *buf, size_t len,
                         struct pw_diag *d);
/* Frees u; accepts NULL; nulls *u. */
void pw_users_close(struct pw_users **u);

size_t pw_users_count(const struct pw_users *u);
const struct pw_user *pw_users_at(const struct pw_users *u, size_t i);
/* The user with that name, or NULL. Borrowed until close. */
const struct pw_user *pw_users_find(const struct pw_users *u, const char *name);

/* "member", "secretariat", "viewer" (static) / the role of s: 0 or PW_EINVAL. */
const char *pw_user_role_name(enum pw_user_role role);
int pw_user_role_parse(const char *s, enum pw_user_role *out);

/* Adds a user with password hashed (argon2id, libsodium's interactive
 * limits). office: required for a member, NULL otherwise. Returns 0, or
 * PW_EINVAL (bad name, office or role combination: why in d),
 * PW_EREG_DUP (the name exists), PW_ENOMEM (also: hashing ran out of
 * memory). */
int pw_users_add(struct pw_users *u, const char *name, enum pw_user_role role,
                 const char *office, const char *password, struct pw_diag *d);
/* A new password / the disabled flag of name. Returns 0, PW_ENOTFOUND or
 * PW_ENOMEM. */
int pw_users_set_password(struct pw_users *u, const char *name, const char *password);
int pw_users_set_disabled(struct pw_users *u, const char *name, int disabled);

/* Writes u to path atomically (a temporary file beside it, fsync, rename):
 * a reader sees the old file or the new one, never half. Mode 0600, or
 * the existing file's mode without group/other write. Returns 0 or PW_EIO
 * with d filled. Comments of the old file are not kept. */
int pw_users_write_file(const struct pw_users *u, const char *path, struct pw_diag *d);

/* Checks every member's office against the office registry ids: is_office
 * says whether an id is a registered office. Returns 0 or PW_EREG_REF with
 * d filled (file:line). */
int pw_users_check(const struct pw_users *u, int (*is_office)(void *arg, const char *id),
                   void *arg, struct pw_diag *d);

/* 1 when password is user's (constant-time, argon2id), else 0. A disabled
 * user is still checked (the caller refuses it after). */
int pw_users_verify(const struct pw_user *user, const char *password);

/* A short digest of the user's password hash: it changes when the password
 * does, so a session can say which password it was opened with without
 * carrying the hash. */
void pw_users_stamp(const struct pw_user *user, uint8_t out[PW_USER_STAMP_BYTES]);

#endif
