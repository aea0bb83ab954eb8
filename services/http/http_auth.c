/* http_auth.c - bearer tokens (see http_auth.h). Hashing with nettle's
 * SHA-256 (a libmicrohttpd/GnuTLS dependency already); the comparison walks
 * every byte of every entry so timing tells nothing about near misses. */
#include "http_auth.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "file.h"

#define AUTH_OFFICE_MAX 64
#define AUTH_SCOPES_MAX 32
#define AUTH_FILE_MAX (1u << 20)

struct auth_scope {
    char plan[PW_ID_MAX + 1], project[PW_ID_MAX + 1], indicator[PW_ID_MAX + 1]; /* "" = any */
};

struct http_office {
    char name[AUTH_OFFICE_MAX + 1];
    unsigned char hash[SHA256_DIGEST_SIZE];
    int read;
    struct auth_scope w[AUTH_SCOPES_MAX];
    size_t nw;
};

struct http_auth {
    struct http_office *o;
    size_t n;
};

static int auth_hex(const char *s, unsigned char *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return PW_ESYNTAX;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + (size_t)k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= (unsigned)(c - 'A' + 10);
            else
                return PW_ESYNTAX;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* "write:p3/pj2" etc. into o. Returns 0 or PW_ESYNTAX. */
static int auth_scope(struct http_office *o, const char *s)
{
    if (strcmp(s, "read") == 0) {
        o->read = 1;
        return 0;
    }
    if (strncmp(s, "write:", 6) != 0 || o->nw == AUTH_SCOPES_MAX)
        return PW_ESYNTAX;
    struct auth_scope *w = &o->w[o->nw];
    memset(w, 0, sizeof *w);
    s += 6;
    if (strcmp(s, "*") != 0) {
        char *fields[3] = {w->plan, w->project, w->indicator};
        for (int k = 0; k < 3 && *s; k++) {
            size_t len = strcspn(s, "/");
            if (len == 0 || len > PW_ID_MAX)
                return PW_ESYNTAX;
            memcpy(fields[k], s, len);
            fields[k][len] = '\0';
            s += len;
            if (*s == '/')
                s++;
        }
        if (*s)
            return PW_ESYNTAX;
    }
    o->nw++;
    return 0;
}

static int auth_line(struct http_office *o, char *line)
{
    char *save = NULL;
    char *name = strtok_r(line, " \t", &save), *hex = strtok_r(NULL, " \t", &save),
         *scopes = strtok_r(NULL, " \t", &save);
    if (!name || !hex || !scopes || strtok_r(NULL, " \t", &save) || strlen(name) > AUTH_OFFICE_MAX)
        return PW_ESYNTAX;
    memset(o, 0, sizeof *o);
    memcpy(o->name, name, strlen(name) + 1);
    if (auth_hex(hex, o->hash, sizeof o->hash))
        return PW_ESYNTAX;
    char *ssave = NULL;
    for (char *sc = strtok_r(scopes, ",", &ssave); sc; sc = strtok_r(NULL, ",", &ssave))
        if (auth_scope(o, sc))
            return PW_ESYNTAX;
    return 0;
}

int http_auth_open(struct http_auth **out, const char *path, struct pw_diag *diag)
{
    struct http_auth *a = calloc(1, sizeof *a);
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = 0, lineno = 0;
    if (!a)
        return PW_ENOMEM;
    if (path && path[0] && (rc = pw_file_read(path, AUTH_FILE_MAX, &text, &len, diag)))
        goto fail;
    char *save = NULL;
    for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        line[strcspn(line, "\r")] = '\0';
        if (strspn(line, " \t") == strlen(line))
            continue;
        if (a->n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct http_office *no = realloc(a->o, ncap * sizeof *no);
            if (!no) {
                rc = PW_ENOMEM;
                goto fail;
            }
            a->o = no;
            cap = ncap;
        }
        if (auth_line(&a->o[a->n], line)) {
            rc = pw_diag_set(diag, PW_ESYNTAX, path, lineno, "tokens",
                             "expected OFFICE SHA256-HEX SCOPE[,SCOPE...] with scopes read, "
                             "write:*, write:PLAN[/PROJECT[/INDICATOR]]");
            goto fail;
        }
        a->n++;
    }
    free(text);
    *out = a;
    return 0;
fail:
    free(text);
    free(a->o);
    free(a);
    return rc;
}

void http_auth_close(struct http_auth **a)
{
    if (!a || !*a)
        return;
    free((*a)->o);
    free(*a);
    *a = NULL;
}

size_t http_auth_count(const struct http_auth *a)
{
    return a->n;
}

const struct http_office *http_auth_find(const struct http_auth *a, const char *token)
{
    struct sha256_ctx ctx;
    unsigned char h[SHA256_DIGEST_SIZE];
    const struct http_office *found = NULL;
    if (!token || !token[0])
        return NULL;
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(token), (const uint8_t *)token);
    sha256_digest(&ctx, sizeof h, h);
    for (size_t i = 0; i < a->n; i++) {
        unsigned diff = 0;
        for (size_t k = 0; k < sizeof h; k++)
            diff |= (unsigned)(h[k] ^ a->o[i].hash[k]);
        if (diff == 0 && !found)
            found = &a->o[i];
    }
    return found;
}

const char *http_auth_name(const struct http_office *o)
{
    return o->name;
}

int http_auth_may_read(const struct http_office *o)
{
    return o && o->read;
}

int http_auth_may_write_any(const struct http_office *o)
{
    return o && o->nw > 0;
}

int http_auth_may_write_all(const struct http_office *o)
{
    for (size_t i = 0; o && i < o->nw; i++)
        if (!o->w[i].plan[0])
            return 1;
    return 0;
}

int http_auth_may_write(const struct http_office *o, const struct pw_indicator *ind)
{
    for (size_t i = 0; o && i < o->nw; i++) {
        const struct auth_scope *w = &o->w[i];
        if ((!w->plan[0] || strcmp(w->plan, ind->plan->id) == 0) &&
            (!w->project[0] || strcmp(w->project, pw_indicator_project_id(ind)) == 0) &&
            (!w->indicator[0] || strcmp(w->indicator, ind->id) == 0))
            return 1;
    }
    return 0;
}
