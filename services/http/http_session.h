/* http_session.h - who acts through the HTTP door, however they signed in:
 * a bearer token of the registry (automation) or a signed-in user's session
 * cookie (browsers). Handlers ask here what the caller may do and whose name
 * goes into what they record; they never look at tokens or cookies
 * themselves. */
#ifndef HTTP_SESSION_H
#define HTTP_SESSION_H

struct http_req;

/* The name recorded as the actor ("by") of what the request does: the
 * signed-in user's name, else the token's office; NULL when anonymous. */
const char *http_req_actor(const struct http_req *r);

/* The caller may manage: acknowledge and silence alerts, record
 * assessments, publish reports, subscribe (a token whose registry entry has
 * manage: true, or a signed-in secretariat user). */
int http_req_may_manage(const struct http_req *r);

/* A state-changing request made with a session cookie carries that
 * session's CSRF token (the form field "csrf", given as form_value, or the
 * X-CSRF-Token header); a bearer-token request needs none. 1: it may go on. */
int http_req_csrf_ok(struct http_req *r, const char *form_value);

/* The CSRF token to put in the forms of this request's session ("" without
 * a session). Borrowed until the request is done. */
const char *http_req_csrf_token(const struct http_req *r);

/* ---- sessions (the rest of planwatch-http: main.c, the router, sign-in) --
 * Cookies are signed (lib/trust/session.h) under the --session-key shared
 * by replicas; this process keeps only what cookies cannot say: the
 * session ids signed out here, and the failed sign-ins being slowed
 * down. Single-threaded like the rest of the door. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct http;
struct http_sessions;
struct pw_diag;
struct pw_user;

#define HTTP_SESSION_COOKIE "pw_session"

/* key_file: the shared key (NULL or "": a random key for this process
 * only, *random_key set to 1). ttl_s: a session's life. secure: every
 * cookie says Secure (behind a TLS proxy), else only over TLS. Returns 0
 * and *out (caller closes), or pw_session_key_load's error with d filled. */
int http_sessions_open(struct http_sessions **out, const char *key_file, long ttl_s, int secure,
                       int *random_key, struct pw_diag *d);
void http_sessions_close(struct http_sessions **s);

/* Who the request's session cookie says (no bearer token given): sets
 * r->user (a current user: not disabled, same password, not signed out
 * here), r->session, r->office for a member (its office) and
 * r->csrf_checked. Nothing without a valid cookie. */
void http_session_identify(struct http *h, struct http_req *r);

/* The signed-in user's name, or NULL. */
const char *http_req_user(const struct http_req *r);
/* Whether the request may read: a signed-in user (every role reads), or a
 * token with read. */
int http_req_may_read(const struct http_req *r);

/* Sign-in bookkeeping (http_signin.c). Whether user (may be "") or the
 * client address is being slowed down at now_ms: 1 and *retry_s (seconds
 * until it may try again), else 0. */
int http_session_throttled(struct http *h, const char *user, const char *addr, int64_t now_ms,
                           long *retry_s);
/* A failed sign-in of user from addr / a successful one (forgets both). */
void http_session_failed(struct http *h, const char *user, const char *addr, int64_t now_ms);
void http_session_succeeded(struct http *h, const char *user, const char *addr);

/* A new session for user: the "Set-Cookie: ..." header line into line[n]
 * (HttpOnly, SameSite=Strict, Path=/, Max-Age, Secure when the request
 * came over TLS or --cookie-secure). */
void http_session_issue(struct http *h, struct http_req *r, const struct pw_user *user,
                        char *line, size_t n);
/* Ends r's session (revoked in this process until it would have expired)
 * and writes the "Set-Cookie: ..." line that clears it. */
void http_session_end(struct http *h, struct http_req *r, char *line, size_t n);
/* Asks the store for sessions signed out on other replicas since the last
 * answer (one question in flight at a time; nothing without users). */
void http_session_poll(struct http *h);

/* The client's address as text ("" when unknown). */
void http_session_addr(struct http_req *r, char *out, size_t n);

/* The signed-in user's bar for a page header: name, role and a sign-out
 * form (its CSRF token); a sign-in link when users exist and the request
 * has no session; nothing otherwise. */
void http_session_bar(FILE *out, struct http *h, const struct http_req *r);

#endif
