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

#endif
