/* http_signin.c - the pages of signing in and out: GET /signin (a form,
 * Japanese first, English with lang=en), POST /signin (a password checked
 * against the users file, a signed session cookie, 303 to where the
 * browser was going), POST /signout (its CSRF token; the cookie cleared,
 * the session revoked here), and the 303 a browser gets where reading
 * needs a session. Server-rendered, no scripts. The password is checked
 * off the loop (pwcheck.h): the request waits and the door serves others.
 * The bookkeeping (cookies, slow-down) is http_session.c's. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "http_auth.h"
#include "http_form.h"
#include "http_req.h"
#include "http_session.h"
#include "log.h"
#include "pwcheck.h"
#include "users.h"
#include "zsock.h"

#define SG_FIELD_MAX 1024

static int sg_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The value of name in an x-www-form-urlencoded body, decoded into out
 * (truncated to n); 1 when present. */
static int sg_form(const char *body, size_t len, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;
        if ((size_t)(fe - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t k = 0;
            for (const char *q = p + nl + 1; q < fe && k + 1 < n; q++) {
                int hi, lo;
                if (*q == '+')
                    out[k++] = ' ';
                else if (*q == '%' && fe - q > 2 && (hi = sg_hex(q[1])) >= 0 &&
                         (lo = sg_hex(q[2])) >= 0) {
                    out[k++] = (char)(hi << 4 | lo);
                    q += 2;
                } else
                    out[k++] = *q;
            }
            out[k] = '\0';
            return 1;
        }
        p = fe + 1;
    }
    out[0] = '\0';
    return 0;
}

/* Only a path of this site: "/..." but not "//host" or "/\host" (an open
 * redirect would send a fresh session to a look-alike). */
static const char *sg_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
        strpbrk(next, "\r\n") || strlen(next) > 512)
        return "/";
    return next;
}

/* s percent-encoded for a query value. */
static void sg_urlenc(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~/", c))
            fputc(c, out);
        else
            fprintf(out, "%%%02X", c);
    }
}

/* Closes out (whose buffer is *buf, *len: set by the close) and answers. */
static void sg_send(struct http_req *r, unsigned status, char **buf, size_t *len, FILE *out,
                    const char *extra)
{
    if (fclose(out) != 0 || !*buf) {
        free(*buf);
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    http_req_respond(r, status, "text/html; charset=utf-8", *buf, *len, extra);
    free(*buf);
}

/* The form, with why it was shown again (NULL: first time). */
static void sg_page(struct http *h, struct http_req *r, unsigned status, int en,
                    const char *next, const char *name, const char *why, const char *extra)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = http_form_open(r, &buf, &len);
    if (!out)
        return;
    pw_html_page_open(out, en ? "planwatch: sign in" : "planwatch サインイン");
    fputs(en ? "<h1>Sign in<span class=\"en\" lang=\"ja\">サインイン</span></h1>\n"
             : "<h1>サインイン<span class=\"en\" lang=\"en\">sign in</span></h1>\n",
          out);
    if (r->user) {
        fputs(en ? "<p>Signed in as " : "<p>サインイン中: ", out);
        pw_html_text(out, r->user->name);
        fputs("</p>\n", out);
    }
    if (why) {
        fputs("<p role=\"alert\" class=\"st st-behind\" id=\"signin-error\">", out);
        pw_html_text(out, why);
        fputs("</p>\n", out);
    }
    if (!http_auth_user_count(h->auth))
        fputs(en ? "<p>No users are set up on this server (planwatch-http --users).</p>\n"
                 : "<p>このサーバーには利用者が登録されていません (planwatch-http --users)。</p>\n",
              out);
    fputs("<form method=\"post\" action=\"/signin\" id=\"signin\">\n<p><label>", out);
    fputs(en ? "Name" : "名前", out);
    fputs(" <input name=\"name\" autocomplete=\"username\" required value=\"", out);
    pw_html_text(out, name ? name : "");
    fputs("\"></label></p>\n<p><label>", out);
    fputs(en ? "Password" : "パスワード", out);
    fputs(" <input type=\"password\" name=\"password\" autocomplete=\"current-password\" "
          "required></label></p>\n<input type=\"hidden\" name=\"next\" value=\"",
          out);
    pw_html_text(out, next);
    fprintf(out, "\"><input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
                 "<p><button type=\"submit\">%s</button></p>\n</form>\n<p><a href=\"/signin?lang=%s&amp;next=",
            en ? "en" : "ja", en ? "Sign in" : "サインイン", en ? "ja" : "en");
    sg_urlenc(out, next);
    fputs(en ? "\" lang=\"ja\">日本語</a></p>\n" : "\" lang=\"en\">English</a></p>\n", out);
    pw_html_page_close(out);
    sg_send(r, status, &buf, &len, out, extra);
}

static int sg_en(const char *lang)
{
    return lang && strcmp(lang, "en") == 0;
}

void http_signin_get(struct http *h, struct http_req *r)
{
    sg_page(h, r, MHD_HTTP_OK, sg_en(http_req_arg(r, "lang")), sg_next(http_req_arg(r, "next")),
            NULL, NULL, NULL);
}

/* A browser's Origin (sent with every POST) names this host, or there is
 * none (curl, older browsers): login CSRF, a foreign form signing the
 * victim in as the attacker, fails here. */
static int sg_same_origin(struct http_req *r)
{
    const char *o = http_req_header(r, "Origin"), *host = http_req_header(r, "Host"),
               *fwd = http_req_header(r, "X-Forwarded-Host"); /* behind a proxy */
    if (!o)
        return 1;
    const char *p = strstr(o, "://");
    return p && ((host && strcmp(p + 3, host) == 0) || (fwd && strcmp(p + 3, fwd) == 0));
}

/* A sign-in whose password is being checked (pwcheck.h): the request
 * waits, suspended, and the loop serves others meanwhile. */
struct sg_wait {
    struct http *h;
    struct http_req *r;
    char name[PW_USER_NAME_MAX + 2], addr[64], next[SG_FIELD_MAX];
    char hash[crypto_pwhash_STRBYTES]; /* what was checked ("": a name not known) */
    int en;
};

static void sg_checked(void *arg, int ok)
{
    struct sg_wait *w = arg;
    struct http *h = w->h;
    struct http_req *r = w->r;
    char line[512];
    if (ok < 0) { /* the service is stopping: the form again */
        sg_page(h, r, MHD_HTTP_SERVICE_UNAVAILABLE, w->en, sg_next(w->next), w->name,
                w->en ? "The service is restarting: sign in again in a moment."
                      : "サービスを再起動中です。少し待ってから再度サインインしてください。",
                "Retry-After: 1");
        free(w);
        return;
    }
    /* the users file may have been reloaded meanwhile: the password counts
     * only for the hash it was checked against */
    const struct pw_user *u = http_auth_user(h->auth, w->name);
    if (u && strcmp(u->hash, w->hash) != 0)
        ok = 0;
    if (!ok || !u || u->disabled) {
        /* counted as a failure when it was submitted (http_signin_post) */
        pw_info("msg=\"sign-in failed\" user=%.64s addr=%s why=%s", w->name, w->addr,
                !u ? "unknown" : !ok ? "password" : "disabled");
        sg_page(h, r, MHD_HTTP_UNAUTHORIZED, w->en, sg_next(w->next), w->name,
                w->en ? "Wrong name or password (or the account is disabled)."
                      : "名前またはパスワードが違います（または利用停止中です）。",
                NULL);
        free(w);
        return;
    }
    http_session_succeeded(h, w->name, w->addr);
    http_session_issue(h, r, u, line, sizeof line);
    size_t k = strlen(line);
    snprintf(line + k, sizeof line - k, "\nLocation: %s", sg_next(w->next));
    pw_info("msg=\"signed in\" user=%s role=%s addr=%s", u->name, pw_user_role_name(u->role),
            w->addr);
    http_req_respond(r, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, line);
    free(w);
}

void http_signin_post(struct http *h, struct http_req *r)
{
    size_t len;
    const char *body = http_req_body(r, &len);
    char name[PW_USER_NAME_MAX + 2], pass[SG_FIELD_MAX], next[SG_FIELD_MAX], lang[8];
    char addr[64], line[512];
    long retry = 0;
    int64_t now = pw_now_ms();
    sg_form(body, len, "name", name, sizeof name);
    sg_form(body, len, "password", pass, sizeof pass);
    sg_form(body, len, "next", next, sizeof next);
    sg_form(body, len, "lang", lang, sizeof lang);
    int en = sg_en(lang);
    http_session_addr(r, addr, sizeof addr);
    if (!sg_same_origin(r)) {
        /* another site's form signing the browser in as someone else */
        http_req_respond(r, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
                         "sign in from this site's own form\n", 34, NULL);
        goto done;
    }
    if (http_session_throttled(h, name, addr, now, &retry)) {
        /* refused until a time, not delayed: the loop never waits */
        char why[200];
        snprintf(line, sizeof line, "Retry-After: %ld", retry);
        snprintf(why, sizeof why,
                 en ? "Too many failed sign-ins: try again in %ld s."
                    : "サインインの失敗が続いたため、%ld 秒後に再度お試しください。",
                 retry);
        pw_warn("msg=\"sign-in refused: too many failures\" user=%.64s addr=%s retry_s=%ld",
                name, addr, retry);
        sg_page(h, r, MHD_HTTP_TOO_MANY_REQUESTS, en, sg_next(next), name, why, line);
        goto done;
    }
    /* the check (about 0.1 s of argon2id) runs on the checker's thread;
     * an unknown name is checked against a dummy, so it takes as long. It
     * counts as a failure from now (a success forgets it): checks waiting
     * at the same time are slowed down like ones made one after another */
    const struct pw_user *u = http_auth_user(h->auth, name);
    struct sg_wait *w = calloc(1, sizeof *w);
    int rc = w ? 0 : PW_ENOMEM;
    if (w) {
        *w = (struct sg_wait){.h = h, .r = r, .en = en};
        snprintf(w->name, sizeof w->name, "%s", name);
        snprintf(w->addr, sizeof w->addr, "%s", addr);
        snprintf(w->next, sizeof w->next, "%s", next);
        if (u && strlen(u->hash) < sizeof w->hash)
            memcpy(w->hash, u->hash, strlen(u->hash) + 1);
        rc = pw_pwcheck_submit(h->pwcheck, w->hash[0] ? w->hash : NULL, pass, sg_checked, w);
        if (!rc)
            http_session_failed(h, name, addr, now);
    }
    if (rc) {
        free(w);
        if (rc == PW_EUNAVAILABLE) {
            pw_warn("msg=\"sign-in refused: too many sign-ins being checked\" addr=%s", addr);
            sg_page(h, r, MHD_HTTP_SERVICE_UNAVAILABLE, en, sg_next(next), name,
                    en ? "Too many sign-ins at once: try again in a moment."
                       : "サインインが混み合っています。少し待ってから再度お試しください。",
                    "Retry-After: 1");
        } else
            http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, rc, "out of memory");
    }
done:
    sodium_memzero(pass, sizeof pass);
}

void http_signout_post(struct http *h, struct http_req *r)
{
    size_t len;
    const char *body = http_req_body(r, &len);
    char csrf[SG_FIELD_MAX], line[512];
    sg_form(body, len, "csrf", csrf, sizeof csrf);
    if (r->user && !http_req_csrf_ok(r, csrf)) {
        http_req_respond(r, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
                         "CSRF token missing or wrong: sign out from the page's button\n", 61,
                         NULL);
        return;
    }
    if (r->user)
        pw_info("msg=\"signed out\" user=%s", r->user->name);
    http_session_end(h, r, line, sizeof line);
    size_t k = strlen(line);
    snprintf(line + k, sizeof line - k, "\nLocation: /signin");
    http_req_respond(r, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, line);
}

/* The query string of r again (MHD hands the path and the arguments
 * apart), for next=. */
struct sg_q {
    FILE *out;
    int n;
};

static enum MHD_Result sg_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    (void)kind;
    struct sg_q *q = cls;
    fputc(q->n++ ? '&' : '?', q->out);
    sg_urlenc(q->out, key);
    if (value) {
        fputc('=', q->out);
        sg_urlenc(q->out, value);
    }
    return MHD_YES;
}

void http_signin_redirect(struct http *h, struct http_req *r)
{
    (void)h;
    char *target = NULL, *loc = NULL;
    size_t tl = 0, ll = 0;
    FILE *t = open_memstream(&target, &tl);
    if (t) {
        struct sg_q q = {t, 0};
        fputs(r->path, t);
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, sg_arg, &q);
        fclose(t);
    }
    FILE *l = target ? open_memstream(&loc, &ll) : NULL;
    if (l) {
        fputs("Location: /signin?next=", l);
        sg_urlenc(l, target);
        fclose(l);
    }
    if (!loc || ll >= sizeof r->extra) {
        free(loc);
        loc = strdup("Location: /signin");
    }
    static const char body[] = "Sign in first: /signin\n";
    http_req_respond(r, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", body, sizeof body - 1,
                     loc ? loc : "Location: /signin");
    free(target);
    free(loc);
}
