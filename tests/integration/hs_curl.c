/* hs_curl.c - see hs_curl.h. Tokens are hashed here (libsodium) the way
 * an operator does with `printf %s "$TOKEN" | sha256sum`. */
#include "hs_curl.h"

#include <curl/curl.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

const char *hs_curl_cookie;

static size_t hs_curl_body_cb(char *p, size_t sz, size_t n, void *arg)
{
    struct hs_resp *r = arg;
    char *nb = realloc(r->body, r->len + sz * n + 1);
    if (!nb)
        return 0; /* curl fails the transfer: the test fails on it */
    r->body = nb;
    memcpy(r->body + r->len, p, sz * n);
    r->len += sz * n;
    r->body[r->len] = '\0';
    return sz * n;
}

static size_t hs_curl_header_cb(char *p, size_t sz, size_t n, void *arg)
{
    struct hs_resp *r = arg;
    size_t have = strlen(r->headers);
    if (have + sz * n + 1 < sizeof r->headers) {
        memcpy(r->headers + have, p, sz * n);
        r->headers[have + sz * n] = '\0';
    }
    return sz * n;
}

struct hs_resp hs_curl(struct hs_cluster *c, const char *method, const char *path,
                       const char *token, const char *ctype, const char *accept,
                       const char *body, size_t len)
{
    return hs_curl_at(c->http_url, method, path, token, ctype, accept, body, len, NULL);
}

struct hs_resp hs_curl_at(const char *base, const char *method, const char *path,
                          const char *token, const char *ctype, const char *accept,
                          const char *body, size_t len, const char *const *headers)
{
    struct hs_resp r;
    char url[4096], line[256];
    struct curl_slist *h = NULL;
    memset(&r, 0, sizeof r);
    r.body = calloc(1, 1);
    CURL *cu = curl_easy_init();
    assert_non_null(cu);
    assert_non_null(r.body);
    snprintf(url, sizeof url, "%s%s", base, path);
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_PATH_AS_IS, 1L);
    if (token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, line);
    }
    if (ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", ctype);
        h = curl_slist_append(h, line);
    }
    if (accept) {
        snprintf(line, sizeof line, "Accept: %s", accept);
        h = curl_slist_append(h, line);
    }
    if (hs_curl_cookie) {
        snprintf(line, sizeof line, "Cookie: %s", hs_curl_cookie);
        h = curl_slist_append(h, line);
    }
    for (size_t i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
    if (body) {
        curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(cu, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, body ? "POST" : "GET") != 0)
        curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, hs_curl_body_cb);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, hs_curl_header_cb);
    curl_easy_setopt(cu, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(cu);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &r.status);
    char *ct = NULL;
    if (curl_easy_getinfo(cu, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
        snprintf(r.ctype, sizeof r.ctype, "%s", ct);
    curl_slist_free_all(h);
    curl_easy_cleanup(cu);
    return r;
}

void hs_curl_password(char *out, size_t n)
{
    uint8_t b[12];
    randombytes_buf(b, sizeof b);
    sodium_bin2base64(out, n, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void hs_curl_expect(const struct hs_resp *r, long status)
{
    if (r->status != status)
        fail_msg("HTTP %ld, expected %ld: %.600s", r->status, status, r->body);
}

void hs_curl_free(struct hs_resp *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

const char *hs_curl_header(const struct hs_resp *r, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = r->headers; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (strncasecmp(p, name, nl) != 0 || p[nl] != ':')
            continue;
        const char *v = p + nl + 1 + strspn(p + nl + 1, " \t");
        size_t vl = strcspn(v, "\r\n");
        snprintf(out, n, "%.*s", (int)vl, v);
        return out;
    }
    return NULL;
}

/* Writes DIR/http-registry.yaml (the HS_TOK_* offices); returns "--registry=PATH". */
static const char *hc_registry(struct hs_cluster *c)
{
    static const struct {
        const char *id, *token, *scope; /* scope: the entry's other lines */
    } offices[] = {
        {"admin", HS_TOK_ADMIN, "read: true\n    manage: true\n    write: {plans: [p2, p3]}"},
        {"pj2", HS_TOK_PJ2, "read: true\n    write: {projects: [p2.pj2]}"},
        {"reader", HS_TOK_READER, "read: true"},
        {"writer", HS_TOK_WRITER, "write: {plans: [p2]}"},
    };
    static char flag[320];
    char path[300];
    snprintf(path, sizeof path, "%s/http-registry.yaml", c->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: 1\noffices:\n", f);
    for (size_t i = 0; i < sizeof offices / sizeof offices[0]; i++) {
        unsigned char md[crypto_hash_sha256_BYTES];
        char hex[2 * sizeof md + 1];
        crypto_hash_sha256(md, (const unsigned char *)offices[i].token, strlen(offices[i].token));
        fprintf(f, "  - id: %s\n    token_sha256: %s\n    %s\n", offices[i].id,
                sodium_bin2hex(hex, sizeof hex, md, sizeof md), offices[i].scope);
    }
    assert_int_equal(fclose(f), 0);
    snprintf(flag, sizeof flag, "--registry=%s", path);
    return flag;
}

void hs_curl_start(struct hs_cluster *c, const char *name, const char *clock,
                   const char *const *extra)
{
    size_t k = 0, max = sizeof c->http_extra / sizeof c->http_extra[0];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    assert_true(sodium_init() >= 0);
    hs_init(c, name, clock);
    c->http_extra[k++] = hc_registry(c);
    for (size_t i = 0; extra && extra[i]; i++) {
        assert_true(k < max - 1); /* one slot stays free for a test's own flag */
        c->http_extra[k++] = extra[i];
    }
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    hs_start(c, HS_ALERT);
    hs_start_http(c);
}

void hs_curl_stop(struct hs_cluster *c)
{
    hs_fini(c);
    curl_global_cleanup();
}
