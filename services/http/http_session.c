/* http_session.c - the caller of a request: a bearer token of the registry
 * (automation) or a signed-in user's session cookie (browsers), and what
 * each may do. Cookies are signed (lib/trust/session.c) with a key that
 * replicas share; what a cookie cannot say is kept here: sessions signed
 * out (revoked until they would have expired: here at once, recorded in
 * the store for the other replicas - sent again every second until it is -
 * which ask it every second) and, per
 * process, the failed sign-ins being slowed down. Neither blocks the loop: a
 * throttled sign-in is refused until a time, never delayed in place.
 * Single-threaded (the door's one loop). */
#include "http_session.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <time.h>

#include "clock.h"
#include "zsock.h"
#include "err.h"
#include "http.h"
#include "http_auth.h"
#include "http_req.h"
#include "log.h"
#include "session.h"
#include "users.h"

/* Failures allowed before the slow-down starts: per user name (guessing one
 * person's password), and per address (trying many names; higher, since
 * one office may sit behind one address). */
#define SES_FREE_USER 5
#define SES_FREE_ADDR 20
#define SES_LOCK_FIRST_S 30   /* the first refusal window, doubled each further failure */
#define SES_LOCK_MAX_S 900
#define SES_THROTTLE_MAX 4096 /* tracked names and addresses: the oldest goes first */
#define SES_REVOKED_MAX 65536

struct ses_fail {
    char key[PW_USER_NAME_MAX + 3 + INET6_ADDRSTRLEN]; /* "u:NAME" or "a:ADDR" */
    int fails;
    int64_t until_ms; /* refused until then */
    int64_t last_ms;
};

struct ses_revoked {
    uint8_t id[PW_SESSION_ID_BYTES];
    int64_t expires;
};

/* A sign-out not yet recorded in the store: sent again every second until
 * the store has it (or the session has expired). */
#define SES_UNSENT_MAX 1024
struct ses_unsent {
    uint8_t id[PW_SESSION_ID_BYTES];
    int64_t expires;
    char user[PW_USER_NAME_MAX + 1];
    int used, inflight;
    unsigned failures;
};

struct http_sessions {
    uint8_t key[PW_SESSION_KEY_BYTES];
    long ttl_s;
    int secure;
    struct ses_fail *fail;
    size_t nfail;
    struct ses_revoked *rev;
    size_t nrev;
    uint64_t revoke_seq; /* the store's revocations known up to this seq */
    int polling;         /* a QUERY_SESSIONS_REVOKED is in flight */
    struct ses_unsent *unsent; /* SES_UNSENT_MAX slots, allocated at the first sign-out */
};

int http_sessions_open(struct http_sessions **out, const char *key_file, long ttl_s, int secure,
                       int *random_key, struct pw_diag *d)
{
    struct http_sessions *s = calloc(1, sizeof *s);
    int rc;
    if (!s || !(s->fail = calloc(SES_THROTTLE_MAX, sizeof *s->fail))) {
        free(s);
        return PW_ENOMEM;
    }
    *random_key = !key_file || !key_file[0];
    if (*random_key)
        randombytes_buf(s->key, sizeof s->key);
    else if ((rc = pw_session_key_load(s->key, key_file, d))) {
        http_sessions_close(&s);
        return rc;
    }
    s->ttl_s = ttl_s;
    s->secure = secure;
    *out = s;
    return 0;
}

void http_sessions_close(struct http_sessions **sp)
{
    if (!sp || !*sp)
        return;
    sodium_memzero((*sp)->key, sizeof (*sp)->key);
    free((*sp)->fail);
    free((*sp)->rev);
    free((*sp)->unsent);
    free(*sp);
    *sp = NULL;
}

static int ses_revoked(const struct http_sessions *s, const uint8_t *id)
{
    for (size_t i = 0; i < s->nrev; i++)
        if (memcmp(s->rev[i].id, id, PW_SESSION_ID_BYTES) == 0)
            return 1;
    return 0;
}

/* An expired session is refused anyway: forgets those. */
static void ses_forget_expired(struct http_sessions *s, int64_t now)
{
    size_t k = 0;
    for (size_t i = 0; i < s->nrev; i++)
        if (s->rev[i].expires > now)
            s->rev[k++] = s->rev[i];
    s->nrev = k;
}

/* Adds a revoked session (after ses_forget_expired). */
static void ses_add(struct http_sessions *s, const uint8_t *id, int64_t expires, int64_t now)
{
    if (expires <= now || ses_revoked(s, id))
        return;
    if (!s->rev && !(s->rev = calloc(SES_REVOKED_MAX, sizeof *s->rev)))
        return; /* no memory: the cookie is still cleared, the id lives to its expiry */
    if (s->nrev == SES_REVOKED_MAX)
        memmove(s->rev, s->rev + 1, --s->nrev * sizeof *s->rev);
    memcpy(s->rev[s->nrev].id, id, PW_SESSION_ID_BYTES);
    s->rev[s->nrev++].expires = expires;
}

void http_session_identify(struct http *h, struct http_req *r)
{
    struct pw_session ses;
    const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, HTTP_SESSION_COOKIE);
    if (!v || !h->sessions)
        return;
    if (pw_session_decode(h->sessions->key, v, (int64_t)time(NULL), &ses) ||
        ses_revoked(h->sessions, ses.id))
        return;
    /* the users file as loaded now: disabled or a new password ends it */
    const struct pw_user *u = http_auth_user(h->auth, ses.user);
    if (!pw_session_current(&ses, u))
        return;
    r->user = u;
    r->session = ses;
    r->office = u->role == PW_USER_MEMBER ? http_auth_office(h->auth, u->office) : NULL;
    pw_session_csrf(h->sessions->key, &ses, r->csrf);
    const char *hdr = http_req_header(r, "X-CSRF-Token");
    r->csrf_checked = hdr && strlen(hdr) == PW_SESSION_CSRF_LEN &&
                      sodium_memcmp(hdr, r->csrf, PW_SESSION_CSRF_LEN) == 0;
}

const char *http_req_user(const struct http_req *r)
{
    return r->user ? r->user->name : NULL;
}

int http_req_may_read(const struct http_req *r)
{
    return r->user || http_auth_may_read(r->office);
}

const char *http_req_actor(const struct http_req *r)
{
    if (r->user)
        return r->user->name;
    return r->office ? http_auth_name(r->office) : NULL;
}

int http_req_may_manage(const struct http_req *r)
{
    /* a member acts as its office for writing only: managing is the
     * secretariat's, whatever the office's token may do */
    if (r->user)
        return r->user->role == PW_USER_SECRETARIAT;
    return r->office && http_auth_may_manage(r->office);
}

int http_req_csrf_ok(struct http_req *r, const char *form_value)
{
    if (!r->user)
        return 1; /* a bearer token (or nobody): no cookie rides along */
    return r->csrf_checked || (form_value && strlen(form_value) == PW_SESSION_CSRF_LEN &&
                               sodium_memcmp(form_value, r->csrf, PW_SESSION_CSRF_LEN) == 0);
}

const char *http_req_csrf_token(const struct http_req *r)
{
    return r->user ? r->csrf : "";
}

/* ---- slowing down failed sign-ins --------------------------------------- */

static struct ses_fail *ses_fail_find(struct http_sessions *s, const char *key, int create,
                                      int64_t now_ms)
{
    size_t oldest = 0;
    for (size_t i = 0; i < s->nfail; i++) {
        if (strcmp(s->fail[i].key, key) == 0)
            return &s->fail[i];
        if (s->fail[i].last_ms < s->fail[oldest].last_ms)
            oldest = i;
    }
    if (!create)
        return NULL;
    size_t at = s->nfail < SES_THROTTLE_MAX ? s->nfail++ : oldest;
    memset(&s->fail[at], 0, sizeof s->fail[at]);
    snprintf(s->fail[at].key, sizeof s->fail[at].key, "%s", key);
    s->fail[at].last_ms = now_ms;
    return &s->fail[at];
}

static void ses_key(char *out, size_t n, char kind, const char *what)
{
    snprintf(out, n, "%c:%s", kind, what ? what : "");
}

int http_session_throttled(struct http *h, const char *user, const char *addr, int64_t now_ms,
                           long *retry_s)
{
    char k[sizeof h->sessions->fail->key];
    int64_t until = 0;
    for (int i = 0; i < 2; i++) {
        ses_key(k, sizeof k, i ? 'a' : 'u', i ? addr : user);
        struct ses_fail *f = ses_fail_find(h->sessions, k, 0, now_ms);
        if (f && f->until_ms > until)
            until = f->until_ms;
    }
    if (until <= now_ms)
        return 0;
    *retry_s = (long)((until - now_ms + 999) / 1000);
    return 1;
}

void http_session_failed(struct http *h, const char *user, const char *addr, int64_t now_ms)
{
    char k[sizeof h->sessions->fail->key];
    for (int i = 0; i < 2; i++) {
        ses_key(k, sizeof k, i ? 'a' : 'u', i ? addr : user);
        struct ses_fail *f = ses_fail_find(h->sessions, k, 1, now_ms);
        int over = ++f->fails - (i ? SES_FREE_ADDR : SES_FREE_USER);
        f->last_ms = now_ms;
        if (over >= 0) {
            int64_t lock = SES_LOCK_FIRST_S;
            for (int j = 0; j < over && lock < SES_LOCK_MAX_S; j++)
                lock *= 2;
            f->until_ms = now_ms + 1000 * (lock < SES_LOCK_MAX_S ? lock : SES_LOCK_MAX_S);
        }
    }
}

void http_session_succeeded(struct http *h, const char *user, const char *addr)
{
    char k[sizeof h->sessions->fail->key];
    for (int i = 0; i < 2; i++) {
        ses_key(k, sizeof k, i ? 'a' : 'u', i ? addr : user);
        struct ses_fail *f = ses_fail_find(h->sessions, k, 0, 0);
        if (f)
            f->fails = 0, f->until_ms = 0;
    }
}

/* ---- cookies -------------------------------------------------------------- */

/* Secure: the request came over TLS, or the operator says a TLS proxy is
 * in front (--cookie-secure). */
static int ses_secure(struct http *h, struct http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    return h->sessions->secure || (ci && ci->tls_session);
}

void http_session_issue(struct http *h, struct http_req *r, const struct pw_user *user,
                        char *line, size_t n)
{
    struct pw_session ses;
    char value[PW_SESSION_COOKIE_MAX];
    pw_session_new(&ses, user, (int64_t)time(NULL), h->sessions->ttl_s);
    pw_session_encode(h->sessions->key, &ses, value);
    snprintf(line, n, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
             HTTP_SESSION_COOKIE, value, h->sessions->ttl_s, ses_secure(h, r) ? "; Secure" : "");
}

static void ses_revoke_sent(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                            const ProtobufCMessage *m)
{
    (void)h;
    struct ses_unsent *u = arg;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    u->inflight = 0;
    int code = rc                                              ? rc
               : type == PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY ? q->code
               : type == PLANWATCH__V1__MSG_TYPE__MSG_ERROR
                   ? ((const Planwatch__V1__ErrorReply *)m)->code
                   : PW_EWIRE;
    if (code && http_status_of(code) != MHD_HTTP_SERVICE_UNAVAILABLE) {
        /* refused, not unreachable: sending it again would not help */
        pw_error("msg=\"sign-out refused by the store: other replicas accept the session until "
                 "it expires\" user=%s code=%s",
                 u->user, pw_errname(code));
        u->used = 0;
        return;
    }
    if (!code) {
        if (u->failures)
            pw_info("msg=\"sign-out recorded in the store after all\" user=%s attempts=%u",
                    u->user, u->failures + 1);
        u->used = 0;
        return;
    }
    if (u->failures++ == 0) /* said once; sent again every second */
        pw_warn("msg=\"sign-out not recorded in the store yet: other replicas accept the session "
                "until it is\" user=%s code=%s",
                u->user, pw_errname(code));
}

static void ses_send(struct http *h, struct ses_unsent *u)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__SessionRevocation v = PLANWATCH__V1__SESSION_REVOCATION__INIT;
    v.session_id.data = u->id;
    v.session_id.len = PW_SESSION_ID_BYTES;
    v.expires_s = u->expires;
    v.user = u->user;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SESSION_REVOKE;
    q.revocation = &v;
    u->inflight = 1;
    http_up_query(h, &q, ses_revoke_sent, u);
}

/* Sessions signed out on other replicas, from the store (every second). */
static void ses_poll_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                          const ProtobufCMessage *m)
{
    (void)arg;
    struct http_sessions *s = h->sessions;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    s->polling = 0;
    if (rc || type != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY || q->code)
        return; /* asked again at the next tick */
    if (q->id < s->revoke_seq) /* another store (a restored backup): ask it for all again */
        s->revoke_seq = 0;
    int64_t now = (int64_t)time(NULL);
    if (q->n_revocations)
        ses_forget_expired(s, now);
    for (size_t i = 0; i < q->n_revocations; i++) {
        const Planwatch__V1__SessionRevocation *v = q->revocations[i];
        if (v->session_id.len == PW_SESSION_ID_BYTES)
            ses_add(s, v->session_id.data, v->expires_s, now);
        if (v->seq > s->revoke_seq)
            s->revoke_seq = v->seq;
    }
}

void http_session_poll(struct http *h)
{
    struct http_sessions *s = h->sessions;
    if (!s || !http_auth_user_count(h->auth))
        return;
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; s->unsent && i < SES_UNSENT_MAX; i++) {
        struct ses_unsent *u = &s->unsent[i];
        if (u->used && !u->inflight && u->expires <= now)
            u->used = 0; /* refused everywhere by now anyway */
        else if (u->used && !u->inflight)
            ses_send(h, u);
    }
    if (s->polling)
        return;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SESSIONS_REVOKED;
    q.after_seq = s->revoke_seq;
    s->polling = 1;
    http_up_query(h, &q, ses_poll_done, NULL);
}

void http_session_end(struct http *h, struct http_req *r, char *line, size_t n)
{
    struct http_sessions *s = h->sessions;
    if (r->user) {
        int64_t now = (int64_t)time(NULL);
        ses_forget_expired(s, now);
        ses_add(s, r->session.id, r->session.expires, now);
        /* for the other replicas: through the store, sent again until it
         * is recorded (a slot freed at once: nothing lost but this memory) */
        if (!s->unsent)
            s->unsent = calloc(SES_UNSENT_MAX, sizeof *s->unsent);
        struct ses_unsent *u = NULL;
        for (size_t i = 0; s->unsent && i < SES_UNSENT_MAX && !u; i++)
            if (!s->unsent[i].used)
                u = &s->unsent[i];
        if (u) {
            memset(u, 0, sizeof *u);
            u->used = 1;
            memcpy(u->id, r->session.id, PW_SESSION_ID_BYTES);
            u->expires = r->session.expires;
            snprintf(u->user, sizeof u->user, "%s", r->session.user);
            ses_send(h, u);
        } else {
            pw_warn("msg=\"sign-out not recorded in the store: too many waiting; other replicas "
                    "accept the session until it expires\" user=%s",
                    r->session.user);
        }
    }
    snprintf(line, n, "Set-Cookie: %s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
             HTTP_SESSION_COOKIE, ses_secure(h, r) ? "; Secure" : "");
}

void http_session_addr(struct http_req *r, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr || n < INET6_ADDRSTRLEN)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

void http_session_bar(FILE *out, struct http *h, const struct http_req *r)
{
    if (r->user) {
        fputs("<form class=\"session\" method=\"post\" action=\"/signout\" "
              "style=\"float:right;margin:0 0 0 1em\">"
              "<span class=\"user\" data-user=\"",
              out);
        fputs(r->user->name, out); /* a name is [A-Za-z0-9._-]: nothing to escape */
        static const char *const ja[] = {[PW_USER_VIEWER] = "閲覧", [PW_USER_MEMBER] = "担当",
                                         [PW_USER_SECRETARIAT] = "事務局"};
        fprintf(out, "\">%s</span> <small>(%s %s)</small>"
                     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                     " <button type=\"submit\">サインアウト <span lang=\"en\">sign out</span>"
                     "</button></form>\n",
                r->user->name, ja[r->user->role], pw_user_role_name(r->user->role),
                http_req_csrf_token(r));
    } else if (http_auth_user_count(h->auth) && !r->office) {
        fputs("<p class=\"session\" style=\"float:right;margin:0\"><a href=\"/signin\">サインイン <span lang=\"en\">sign in"
              "</span></a></p>\n",
              out);
    }
}
