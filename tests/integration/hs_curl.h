/* hs_curl.h - the integration tests of planwatch-http (test_http,
 * test_openapi): a cluster with the HTTP door and offices that hold bearer
 * tokens, and an HTTP client (libcurl) that returns one request's status,
 * Content-Type, headers and body. Built only into the tests that link
 * libcurl; single-threaded. */
#ifndef HS_CURL_H
#define HS_CURL_H

#include <stddef.h>

#include "harness.h"

struct hs_resp {
    long status;
    char *body;          /* NUL-terminated, malloc'd: hs_curl_free */
    size_t len;
    char ctype[128];     /* the Content-Type header's value, "" when none */
    char headers[4096];  /* the raw response header lines (truncated) */
};

/* method (GET, POST, HEAD, PUT, ...) c->http_url + path, sent as it is (no
 * dot-segment folding). token: "Authorization: Bearer TOKEN" (NULL: none);
 * ctype / accept: those headers (NULL: none); body[0..len) is sent when
 * body is not NULL. Fails the test when nothing answers within 30 s. */
struct hs_resp hs_curl(struct hs_cluster *c, const char *method, const char *path,
                       const char *token, const char *ctype, const char *accept,
                       const char *body, size_t len);
/* The same to base + path (another door than c's, e.g. a second replica),
 * with the header lines headers ("Name: value", NULL-terminated; NULL:
 * none) besides. */
struct hs_resp hs_curl_at(const char *base, const char *method, const char *path,
                          const char *token, const char *ctype, const char *accept,
                          const char *body, size_t len, const char *const *headers);
void hs_curl_free(struct hs_resp *r);
/* Fails the test unless r answered status (the message shows the body). */
void hs_curl_expect(const struct hs_resp *r, long status);
/* When not NULL, every hs_curl request sends "Cookie: " and this (a
 * signed-in session, "pw_session=..."). */
extern const char *hs_curl_cookie;

/* The value of header name in r (case-insensitive name), copied into out;
 * returns out, or NULL when r has no such header. */
const char *hs_curl_header(const struct hs_resp *r, const char *name, char *out, size_t n);

/* A fresh random password for a user of the door (16 URL-safe base64
 * characters, made per run, never committed) into out[n], n >= 17. Call
 * sodium_init first. */
void hs_curl_password(char *out, size_t n);

/* The offices of the HTTP door's registry in these tests, by token:
 * admin reads, manages (publishes reports) and writes plans p2 and p3; pj2 reads and writes project
 * p2.pj2; reader only reads; writer writes plan p2 and may not read. */
#define HS_TOK_ADMIN "admin-token"
#define HS_TOK_PJ2 "pj2-token"
#define HS_TOK_READER "reader-token"
#define HS_TOK_WRITER "writer-token"

/* Starts a cluster for the HTTP door: libcurl, hs_init(c, name, clock),
 * the store, ingest and alert services, and planwatch-http admitting the
 * HS_TOK_* offices (DIR/http-registry.yaml, their token_sha256) with the
 * flags extra (NULL-terminated, at most 6: one http_extra slot stays free
 * for a test's own flag; borrowed until hs_curl_stop). Fails the test when
 * something does not start. */
void hs_curl_start(struct hs_cluster *c, const char *name, const char *clock,
                   const char *const *extra);
/* hs_fini(c), then libcurl's cleanup. */
void hs_curl_stop(struct hs_cluster *c);

#endif
