/* alert_webhook.c - webhook delivery over libcurl multi (see alert_webhook.h).
 * Integration with zmq_poll: CURLMOPT_SOCKETFUNCTION keeps a table of the
 * sockets curl wants watched and CURLMOPT_TIMERFUNCTION the deadline it
 * asks for; run() hands ready sockets to curl_multi_socket_action and fires
 * the timer when due. Jobs live in one array in queue order (alert seq
 * order within a subscription); the first job of a subscription is its
 * head, and only heads are started. Times: monotonic ms for scheduling,
 * Unix ns for what is recorded. */
#include "alert_webhook.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "vec.h"
#include "zsock.h"

#define WEBHOOK_SOCKETS_MAX 256 /* > ALERT_WEBHOOK_SOCKETS: curl may briefly hold more */

struct wh_job {
    uint64_t alert_seq, sub_id;
    char *alert_id, *url, *body, *event;
    char *secret;                /* NULL: unsigned; zeroed before it is freed */
    size_t len;
    struct curl_slist *headers;  /* fixed ones; the signed ones are added per attempt */
    struct curl_slist *sent;     /* headers of the attempt in flight */
    char id[80];                 /* the delivery id: <alert seq>.<subscription>, or for a
                                    refresh <event>-<unix ms>.<subscription> (each its own) */
    int mail;                    /* an email: url is "mailto:<rcpt>" */
    uint64_t *gseqs;             /* a grouped message: the other deliveries it carries */
    char **gids;                 /* ... and their alert ids */
    size_t ng;
    struct curl_slist *rcpts;    /* the attempt's MAIL_RCPT */
    size_t sent_off;             /* upload position of the message */
    uint32_t attempts;           /* made so far */
    int64_t next_ms;             /* monotonic: when it may start */
    CURL *easy;                  /* in flight when set */
    int64_t started_ms, started_ns;
    char errbuf[CURL_ERROR_SIZE];
};

struct wh_sock {
    curl_socket_t fd;
    int what; /* CURL_POLL_IN / OUT / INOUT */
};

struct alert_webhook {
    struct alert_webhook_cfg cfg;
    CURLM *multi;
    struct wh_job **jobs;
    size_t njobs, jobs_cap;
    struct wh_sock socks[WEBHOOK_SOCKETS_MAX];
    size_t nsocks;
    int64_t timer_ms;            /* curl's deadline, -1: none */
    struct alert_webhook_outcome *out;
    size_t nout, out_cap;
};

/* The streaming API, not crypto_auth_hmacsha256(): that one takes a fixed
 * 32-byte key, a subscription's secret is any length (RFC 2104 keys). */
void alert_webhook_sign(const char *secret, const char *body, size_t len, char *buf)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, (unsigned long long)len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(buf, "sha256=", 7);
    sodium_bin2hex(buf + 7, 2 * sizeof mac + 1, mac, sizeof mac);
}

/* The HMAC key of a Standard Webhooks signature: "whsec_" + base64 is the
 * decoded bytes (the form the scheme's libraries generate), any other secret
 * its own bytes. Returns the key length written into key (<= max). */
static size_t wh_std_key(const char *secret, unsigned char *key, size_t max)
{
    size_t n = strlen(secret), bin = 0;
    if (strncmp(secret, "whsec_", 6) == 0 &&
        sodium_base642bin(key, max, secret + 6, n - 6, NULL, &bin, NULL,
                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
        bin > 0)
        return bin;
    if (n > max)
        n = max;
    memcpy(key, secret, n);
    return n;
}

int alert_webhook_sign_std(const char *secret, const char *id, int64_t ts, const char *body,
                           size_t len, char *buf, size_t n)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES], key[ALERT_WEBHOOK_SECRET_MAX];
    char t[24];
    if (!secret || !id || !buf || n < ALERT_WEBHOOK_SIG_STD_LEN)
        return PW_EINVAL;
    size_t klen = wh_std_key(secret, key, sizeof key);
    int tl = snprintf(t, sizeof t, "%lld", (long long)ts);
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, (unsigned long long)strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, (unsigned long long)tl);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, (unsigned long long)len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    memcpy(buf, "v1,", 3);
    sodium_bin2base64(buf + 3, n - 3, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

int alert_webhook_verify_std(const char *secret, const char *id, const char *ts, const char *sigs,
                             const char *body, size_t len, int64_t now_s, int64_t tolerance_s)
{
    char want[ALERT_WEBHOOK_SIG_STD_LEN], *end = NULL;
    if (!secret || !id || !id[0] || !ts || !ts[0] || !sigs)
        return PW_EINVAL;
    long long t = strtoll(ts, &end, 10);
    if (*end || t <= 0)
        return PW_EINVAL;
    if (alert_webhook_sign_std(secret, id, t, body, len, want, sizeof want))
        return PW_EINVAL;
    int ok = 0;
    size_t wl = strlen(want);
    /* space-delimited "v1,<base64>" entries: any one may match (key rotation) */
    for (const char *p = sigs; *p;) {
        while (*p == ' ')
            p++;
        size_t k = strcspn(p, " ");
        if (k == wl && sodium_memcmp(p, want, wl) == 0)
            ok = 1;
        p += k;
    }
    if (!ok)
        return PW_EDENIED;
    if (t < now_s - tolerance_s || t > now_s + tolerance_s)
        return PW_ERANGE; /* authentic but stale (or from the future): a replay */
    return 0;
}

static int wh_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    struct alert_webhook *w = userp;
    size_t i = 0;
    while (i < w->nsocks && w->socks[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < w->nsocks)
            w->socks[i] = w->socks[--w->nsocks];
        return 0;
    }
    if (i == w->nsocks) {
        if (w->nsocks == WEBHOOK_SOCKETS_MAX)
            return -1; /* curl fails that transfer; it is retried later */
        w->nsocks++;
    }
    w->socks[i].fd = fd;
    w->socks[i].what = what;
    return 0;
}

static int wh_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct alert_webhook *w = userp;
    w->timer_ms = timeout_ms < 0 ? -1 : pw_now_ms() + timeout_ms;
    return 0;
}

static size_t wh_discard(char *ptr, size_t size, size_t n, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * n; /* the receiver's answer body is not used */
}

int alert_webhook_open(struct alert_webhook **out, const struct alert_webhook_cfg *cfg)
{
    if (!out || !cfg || cfg->max_attempts < 1 || cfg->backoff_ms < 1 || cfg->timeout_ms < 1)
        return PW_EINVAL;
    struct alert_webhook *w = calloc(1, sizeof *w);
    if (!w)
        return PW_ENOMEM;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(w->multi = curl_multi_init())) {
        free(w);
        return PW_ENOMEM;
    }
    w->cfg = *cfg;
    w->timer_ms = -1;
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, wh_socket_cb);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, wh_timer_cb);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    /* the poll loop watches at most ALERT_WEBHOOK_SOCKETS of curl's sockets:
     * more transfers wait inside curl for a connection */
    curl_multi_setopt(w->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)ALERT_WEBHOOK_SOCKETS);
    *out = w;
    return 0;
}

static void wh_job_free(struct alert_webhook *w, struct wh_job *j)
{
    if (j->easy) {
        curl_multi_remove_handle(w->multi, j->easy);
        curl_easy_cleanup(j->easy);
    }
    curl_slist_free_all(j->headers);
    curl_slist_free_all(j->sent);
    curl_slist_free_all(j->rcpts);
    for (size_t i = 0; i < j->ng; i++)
        free(j->gids[i]);
    free(j->gids);
    free(j->gseqs);
    if (j->secret) {
        sodium_memzero(j->secret, strlen(j->secret));
        free(j->secret);
    }
    free(j->alert_id);
    free(j->url);
    free(j->body);
    free(j->event);
    free(j);
}

void alert_webhook_outcomes_clear(struct alert_webhook *w)
{
    for (size_t i = 0; i < w->nout; i++) {
        free(w->out[i].alert_id);
        free(w->out[i].url);
        free(w->out[i].body);
        free(w->out[i].event);
    }
    w->nout = 0;
}

void alert_webhook_close(struct alert_webhook **wp)
{
    if (!wp || !*wp)
        return;
    struct alert_webhook *w = *wp;
    for (size_t i = 0; i < w->njobs; i++)
        wh_job_free(w, w->jobs[i]);
    free(w->jobs);
    alert_webhook_outcomes_clear(w);
    free(w->out);
    curl_multi_cleanup(w->multi);
    curl_global_cleanup();
    free(w);
    *wp = NULL;
}

static char *wh_dup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int alert_webhook_add(struct alert_webhook *w, uint64_t alert_seq, uint64_t sub_id,
                      const char *alert_id, const char *url, const char *secret,
                      const char *event, const char *body, size_t len, uint32_t attempts)
{
    char h[160];
    struct wh_job *j = calloc(1, sizeof *j);
    if (!j || pw_vec_grow((void **)&w->jobs, &w->jobs_cap, w->njobs + 1, sizeof *w->jobs))
        goto nomem;
    j->alert_seq = alert_seq;
    j->sub_id = sub_id;
    j->attempts = attempts;
    j->len = len;
    j->next_ms = pw_now_ms();
    if (!(j->alert_id = wh_dup(alert_id, strlen(alert_id))) || !(j->url = wh_dup(url, strlen(url))) ||
        !(j->body = wh_dup(body, len)) || !(j->event = wh_dup(event, strlen(event))))
        goto nomem;
    struct curl_slist *l = NULL, *t;
    if (alert_seq)
        snprintf(j->id, sizeof j->id, "%llu.%llu", (unsigned long long)alert_seq,
                 (unsigned long long)sub_id);
    else /* re-posts, reminders, digests: a new message each time (receivers dedupe on the id) */
        snprintf(j->id, sizeof j->id, "%.24s-%lld.%llu", event, (long long)(pw_now_ns() / 1000000),
                 (unsigned long long)sub_id);
    snprintf(h, sizeof h, "X-Planwatch-Delivery: %s", j->id);
    if (!(t = curl_slist_append(l, "Content-Type: application/json")))
        goto nomem;
    l = t;
    j->headers = l;
    if (!(t = curl_slist_append(l, h)))
        goto nomem;
    snprintf(h, sizeof h, "X-Planwatch-Event: %s", event);
    if (!(t = curl_slist_append(l, h)))
        goto nomem;
    if (secret && secret[0]) {
        char sig[80];
        /* the body-only signature of the first release, kept for one more:
         * it can be replayed, the Standard Webhooks one (per attempt) cannot */
        alert_webhook_sign(secret, body, len, sig);
        snprintf(h, sizeof h, "X-Planwatch-Signature: %s", sig);
        if (!(t = curl_slist_append(l, h)) || !(j->secret = wh_dup(secret, strlen(secret))))
            goto nomem;
    }
    if (!(t = curl_slist_append(l, "Expect:"))) /* no 100-continue round trip */
        goto nomem;
    w->jobs[w->njobs++] = j;
    return 0;
nomem:
    if (j)
        wh_job_free(w, j);
    return PW_ENOMEM;
}

int alert_webhook_add_mail(struct alert_webhook *w, uint64_t alert_seq, uint64_t sub_id,
                           const char *alert_id, const char *rcpt, const char *event,
                           const char *msg, size_t len, uint32_t attempts)
{
    char url[300];
    if (!w->cfg.smtp_url || !w->cfg.smtp_url[0] || !rcpt || !rcpt[0])
        return PW_EINVAL;
    snprintf(url, sizeof url, "mailto:%s", rcpt);
    int rc = alert_webhook_add(w, alert_seq, sub_id, alert_id, url, NULL, event, msg, len, attempts);
    if (rc == 0)
        w->jobs[w->njobs - 1]->mail = 1;
    return rc;
}

int alert_webhook_group(struct alert_webhook *w, const uint64_t *seqs, const char *const *ids,
                        size_t n)
{
    if (!w->njobs || !n)
        return n ? PW_EINVAL : 0;
    struct wh_job *j = w->jobs[w->njobs - 1];
    if (!(j->gseqs = calloc(n, sizeof *j->gseqs)) || !(j->gids = calloc(n, sizeof *j->gids)))
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!(j->gids[i] = wh_dup(ids[i], strlen(ids[i]))))
            return PW_ENOMEM; /* the job frees what was copied */
        j->gseqs[i] = seqs[i];
        j->ng = i + 1;
    }
    return 0;
}

/* The outcome of each other delivery a grouped message carries: a copy of
 * o (the head's) with its own alert seq and id. */
static void wh_group_outcomes(struct alert_webhook *w, const struct wh_job *j, size_t oi)
{
    for (size_t g = 0; g < j->ng && oi < w->nout; g++) {
        if (pw_vec_grow((void **)&w->out, &w->out_cap, w->nout + 1, sizeof *w->out))
            return;
        const struct alert_webhook_outcome *o = &w->out[oi];
        struct alert_webhook_outcome *c = &w->out[w->nout];
        *c = *o;
        c->alert_seq = j->gseqs[g];
        c->alert_id = wh_dup(j->gids[g], strlen(j->gids[g]));
        c->url = wh_dup(o->url, strlen(o->url));
        c->body = wh_dup(o->body, o->body_len);
        c->event = wh_dup(o->event, strlen(o->event));
        if (!c->alert_id || !c->url || !c->body || !c->event) {
            free(c->alert_id);
            free(c->url);
            free(c->body);
            free(c->event);
            return;
        }
        w->nout++;
    }
}

/* Appends an outcome for j (strings copied). Returns it, or NULL (out of
 * memory: the attempt stays unrecorded but the delivery's state goes on). */
static struct alert_webhook_outcome *wh_outcome(struct alert_webhook *w, const struct wh_job *j)
{
    if (j->alert_seq == 0)
        return NULL; /* a refresh: not a delivery of its own, nothing to record */
    if (pw_vec_grow((void **)&w->out, &w->out_cap, w->nout + 1, sizeof *w->out))
        return NULL;
    struct alert_webhook_outcome *o = &w->out[w->nout];
    memset(o, 0, sizeof *o);
    o->alert_id = wh_dup(j->alert_id, strlen(j->alert_id));
    o->url = wh_dup(j->url, strlen(j->url));
    o->body = wh_dup(j->body, j->len);
    o->event = wh_dup(j->event, strlen(j->event));
    if (!o->alert_id || !o->url || !o->body || !o->event) {
        free(o->alert_id);
        free(o->url);
        free(o->body);
        free(o->event);
        return NULL;
    }
    o->alert_seq = j->alert_seq;
    o->sub_id = j->sub_id;
    o->body_len = j->len;
    o->smtp = j->mail;
    w->nout++;
    return o;
}

static void wh_remove(struct alert_webhook *w, size_t i)
{
    wh_job_free(w, w->jobs[i]);
    memmove(&w->jobs[i], &w->jobs[i + 1], (w->njobs - i - 1) * sizeof *w->jobs);
    w->njobs--;
}

void alert_webhook_prune(struct alert_webhook *w, int (*keep)(void *arg, uint64_t sub_id),
                         void *arg)
{
    for (size_t i = 0; i < w->njobs;) {
        struct wh_job *j = w->jobs[i];
        if (keep(arg, j->sub_id)) {
            i++;
            continue;
        }
        struct alert_webhook_outcome *o = wh_outcome(w, j);
        if (o) {
            o->attempt = j->attempts;
            o->time_ns = pw_now_ns();
            o->state = 2; /* DELIVERY_FAILED */
            snprintf(o->error, sizeof o->error, "unsubscribed");
            wh_group_outcomes(w, j, w->nout - 1);
        }
        pw_info("msg=\"delivery dropped\" reason=unsubscribed alert_seq=%llu subscription=%llu",
                (unsigned long long)j->alert_seq, (unsigned long long)j->sub_id);
        wh_remove(w, i);
    }
}

void alert_webhook_drop(struct alert_webhook *w, uint64_t sub_id)
{
    for (size_t i = 0; i < w->njobs;)
        if (w->jobs[i]->sub_id == sub_id)
            wh_remove(w, i);
        else
            i++;
}

size_t alert_webhook_pollitems(struct alert_webhook *w, zmq_pollitem_t *items, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < w->nsocks && n < max; i++, n++) {
        items[n].socket = NULL;
        items[n].fd = w->socks[i].fd;
        items[n].events = (short)(((w->socks[i].what & CURL_POLL_IN) ? ZMQ_POLLIN : 0) |
                                  ((w->socks[i].what & CURL_POLL_OUT) ? ZMQ_POLLOUT : 0));
        items[n].revents = 0;
    }
    return n;
}

/* Whether job i is the first queued for its subscription. */
static int wh_is_head(const struct alert_webhook *w, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (w->jobs[k]->sub_id == w->jobs[i]->sub_id)
            return 0;
    return 1;
}

long alert_webhook_timeout(struct alert_webhook *w, int64_t now_ms)
{
    int64_t next = w->timer_ms;
    for (size_t i = 0; i < w->njobs; i++)
        if (!w->jobs[i]->easy && wh_is_head(w, i) && (next < 0 || w->jobs[i]->next_ms < next))
            next = w->jobs[i]->next_ms;
    if (next < 0)
        return -1;
    return next <= now_ms ? 0 : (long)(next - now_ms);
}

/* The headers of one attempt: the fixed ones, then webhook-id,
 * webhook-timestamp (now, Unix seconds) and webhook-signature signing id,
 * timestamp and body together (Standard Webhooks). */
static int wh_attempt_headers(struct wh_job *j)
{
    char h[160], sig[ALERT_WEBHOOK_SIG_STD_LEN], id[80];
    struct curl_slist *l = NULL, *t;
    int64_t ts = pw_now_ns() / 1000000000;
    curl_slist_free_all(j->sent);
    j->sent = NULL;
    for (const struct curl_slist *p = j->headers; p; p = p->next) {
        if (!(t = curl_slist_append(l, p->data)))
            goto nomem;
        l = t;
    }
    snprintf(id, sizeof id, "%s", j->id);
    snprintf(h, sizeof h, "webhook-id: %s", id);
    if (!(t = curl_slist_append(l, h)))
        goto nomem;
    l = t;
    snprintf(h, sizeof h, "webhook-timestamp: %lld", (long long)ts);
    if (!(t = curl_slist_append(l, h)))
        goto nomem;
    if (j->secret) {
        alert_webhook_sign_std(j->secret, id, ts, j->body, j->len, sig, sizeof sig);
        snprintf(h, sizeof h, "webhook-signature: %s", sig);
        if (!(t = curl_slist_append(l, h)))
            goto nomem;
    }
    j->sent = l;
    return 0;
nomem:
    curl_slist_free_all(l);
    return PW_ENOMEM;
}

static size_t wh_read(char *buf, size_t size, size_t n, void *userdata)
{
    struct wh_job *j = userdata;
    size_t k = size * n, left = j->len - j->sent_off;
    if (k > left)
        k = left;
    memcpy(buf, j->body + j->sent_off, k);
    j->sent_off += k;
    return k;
}

/* An email attempt: the message uploaded as DATA to the SMTP server. */
static int wh_mail_opts(struct alert_webhook *w, struct wh_job *j, CURL *e)
{
    curl_slist_free_all(j->rcpts);
    if (!(j->rcpts = curl_slist_append(NULL, j->url + 7)))
        return PW_ENOMEM;
    j->sent_off = 0;
    curl_easy_setopt(e, CURLOPT_URL, w->cfg.smtp_url);
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, w->cfg.mail_from ? w->cfg.mail_from : "");
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, j->rcpts);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, wh_read);
    curl_easy_setopt(e, CURLOPT_READDATA, j);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->len);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (w->cfg.smtp_starttls && strncmp(w->cfg.smtp_url, "smtps://", 8) != 0)
        curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (w->cfg.smtp_user && w->cfg.smtp_user[0]) {
        curl_easy_setopt(e, CURLOPT_USERNAME, w->cfg.smtp_user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, w->cfg.smtp_password ? w->cfg.smtp_password : "");
    }
    return 0;
}

static int wh_start(struct alert_webhook *w, struct wh_job *j)
{
    if (!j->mail && wh_attempt_headers(j))
        return PW_ENOMEM;
    CURL *e = curl_easy_init();
    if (!e)
        return PW_ENOMEM;
    j->errbuf[0] = '\0';
    if (j->mail) {
        if (wh_mail_opts(w, j, e)) {
            curl_easy_cleanup(e);
            return PW_ENOMEM;
        }
    } else {
        curl_easy_setopt(e, CURLOPT_URL, j->url);
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->len);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->sent);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, w->cfg.timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "planwatch-alert/1");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, wh_discard);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    if (curl_multi_add_handle(w->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        return PW_ENOMEM;
    }
    j->easy = e;
    j->attempts++;
    j->started_ms = pw_now_ms();
    j->started_ns = pw_now_ns();
    return 0;
}

int64_t alert_webhook_backoff(const struct alert_webhook *w, uint32_t attempts)
{
    int64_t d = w->cfg.backoff_ms;
    for (uint32_t k = 1; k < attempts && d < w->cfg.backoff_max_ms; k++)
        d *= 2;
    return d > w->cfg.backoff_max_ms ? w->cfg.backoff_max_ms : d;
}

/* A transfer finished: its outcome, then retry or done. */
static void wh_finish(struct alert_webhook *w, CURL *e, CURLcode res)
{
    struct wh_job *j = NULL;
    size_t i = 0;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
    while (i < w->njobs && w->jobs[i] != j)
        i++;
    if (!j || i == w->njobs)
        return;
    long http = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &http);
    curl_multi_remove_handle(w->multi, e);
    curl_easy_cleanup(e);
    j->easy = NULL;
    int64_t now = pw_now_ms();
    /* SMTP: done when the server took the message; its 5xx answers are final */
    int ok = j->mail ? res == CURLE_OK : res == CURLE_OK && http >= 200 && http < 300;
    int transient = j->mail ? !(http >= 500 && http < 600)
                            : res != CURLE_OK || http == 408 || http == 429 || http >= 500;
    int retry = !ok && transient && j->attempts < (uint32_t)w->cfg.max_attempts &&
                j->alert_seq != 0;
    struct alert_webhook_outcome *o = wh_outcome(w, j);
    if (o) {
        o->attempt = j->attempts;
        o->time_ns = j->started_ns;
        o->http = (int)http;
        o->duration_ms = (uint32_t)(now - j->started_ms);
        o->ok = ok;
        if (res != CURLE_OK)
            snprintf(o->error, sizeof o->error, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(res));
        else if (!ok)
            snprintf(o->error, sizeof o->error, "%s %ld", j->mail ? "SMTP" : "HTTP", http);
        if (res != CURLE_OK && j->mail && http)
            snprintf(o->error + strlen(o->error), sizeof o->error - strlen(o->error),
                     " (SMTP %ld)", http);
        o->state = ok ? 1 : retry ? 0 : 2; /* DELIVERED / PENDING / FAILED */
    }
    pw_log(ok ? PW_LOG_INFO : PW_LOG_WARN,
           "msg=\"%s %s\" alert_seq=%llu subscription=%llu attempt=%u %s=%ld error=\"%s\"",
           j->mail ? "email" : "webhook",
           ok ? "delivered" : retry ? "failed, will retry" : "failed, giving up",
           (unsigned long long)j->alert_seq, (unsigned long long)j->sub_id, j->attempts,
           j->mail ? "smtp" : "http", http, res != CURLE_OK ? curl_easy_strerror(res) : "");
    if (retry) {
        int64_t d = alert_webhook_backoff(w, j->attempts);
        j->next_ms = now + d;
        if (o)
            o->next_ns = pw_now_ns() + d * 1000000;
    }
    if (o)
        wh_group_outcomes(w, j, (size_t)(o - w->out));
    if (!retry)
        wh_remove(w, i);
}

static void wh_collect(struct alert_webhook *w)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(w->multi, &left)))
        if (m->msg == CURLMSG_DONE)
            wh_finish(w, m->easy_handle, m->data.result);
}

void alert_webhook_run(struct alert_webhook *w, const zmq_pollitem_t *items, size_t n,
                       int64_t now_ms)
{
    int running = 0;
    for (size_t i = 0; i < n; i++) {
        int flags = ((items[i].revents & ZMQ_POLLIN) ? CURL_CSELECT_IN : 0) |
                    ((items[i].revents & ZMQ_POLLOUT) ? CURL_CSELECT_OUT : 0) |
                    ((items[i].revents & ZMQ_POLLERR) ? CURL_CSELECT_ERR : 0);
        if (flags)
            curl_multi_socket_action(w->multi, items[i].fd, flags, &running);
    }
    for (size_t i = 0; i < w->njobs; i++) {
        struct wh_job *j = w->jobs[i];
        if (!j->easy && j->next_ms <= now_ms && wh_is_head(w, i) && wh_start(w, j))
            j->next_ms = now_ms + w->cfg.backoff_ms; /* out of memory: try later */
    }
    /* new handles set curl's timer to 0: serve it now rather than a turn later */
    if (w->timer_ms >= 0 && w->timer_ms <= pw_now_ms()) {
        w->timer_ms = -1;
        curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    wh_collect(w);
}

const struct alert_webhook_outcome *alert_webhook_outcomes(const struct alert_webhook *w,
                                                           size_t *n)
{
    *n = w->nout;
    return w->out;
}

size_t alert_webhook_queued(const struct alert_webhook *w)
{
    return w->njobs;
}
