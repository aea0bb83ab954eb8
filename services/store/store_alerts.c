/* store_alerts.c - the store's alert side: the alert service's records with
 * the history of every published transition and the webhook deliveries they
 * owe (one transaction per QUERY_ALERT_STATE_PUT, so an alert is never
 * published without its history and deliveries), webhook subscriptions,
 * acknowledgements, silences and the delivery log; answers the CLI's and the
 * alert service's queries about them. Layout and rules: docs/pipeline.md
 * "Alert subscriptions". Every change made by a person (subscribe,
 * unsubscribe, ack, silence, lift) increments meta admin_seq in the same
 * transaction and is announced on the PUB, so the alert service reloads.
 * Single-threaded, inside the store's loop; replies live in the arena. */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "eval.h"
#include "fy.h"
#include "log.h"
#include "msg.h"
#include "store.h"
#include "text.h"
#include "zsock.h"

#define SA_HISTORY_DEFAULT 1000 /* alert transitions per history reply */
#define SA_HISTORY_MAX 20000
#define SA_URL_MAX 2048
#define SA_SECRET_MAX 256
#define SA_NAME_MAX 128
#define SA_TEXT_MAX 2000
#define SA_ALERT_ID_MAX 200

static void sa_fail(Planwatch__V1__QueryReply *r, int code, const char *why)
{
    r->code = code;
    r->error = (char *)why;
}

static const char *sa_str(const char *s)
{
    return s ? s : "";
}

/* ---- small helpers over store_db ------------------------------------------ */

struct sa_raw {
    const ProtobufCMessageDescriptor *d;
    ProtobufCMessage *m; /* unpacked with the default allocator: caller frees */
    uint64_t u64;
};

static int sa_get_msg_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct sa_raw *x = arg;
    x->m = protobuf_c_message_unpack(x->d, NULL, vlen, val);
    return x->m ? 0 : PW_EDB;
}

static int sa_get_u64_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    if (vlen != 8)
        return PW_EDB;
    ((struct sa_raw *)arg)->u64 = store_db_read_be64(val);
    return 0;
}

/* Reads one message (caller frees *out with protobuf_c_message_free_unpacked). */
static int sa_get(struct store *s, enum store_table t, const void *key, size_t klen,
                  const ProtobufCMessageDescriptor *d, ProtobufCMessage **out)
{
    struct sa_raw x = {.d = d};
    int rc = store_db_get(s->db, t, key, klen, sa_get_msg_cb, &x);
    if (rc == 0)
        *out = x.m;
    return rc;
}

static unsigned char *sa_be64(struct pw_arena *a, uint64_t v)
{
    unsigned char *k = pw_arena_alloc(a, 8);
    if (k)
        store_db_put_be64(k, v);
    return k;
}

/* key = a (u64 BE) b (u64 BE) [c (u64 BE)] */
static unsigned char *sa_key2(struct pw_arena *a, uint64_t x, uint64_t y, int three, uint64_t z)
{
    unsigned char *k = pw_arena_alloc(a, 24);
    if (k) {
        store_db_put_be64(k, x);
        store_db_put_be64(k + 8, y);
        if (three)
            store_db_put_be64(k + 16, z);
    }
    return k;
}

static struct store_db_op sa_put(enum store_table t, const void *key, size_t klen,
                                 const ProtobufCMessage *m)
{
    struct store_db_op o = {.table = t, .key = key, .klen = klen, .msg = m};
    return o;
}

static struct store_db_op sa_meta(const char *name, const unsigned char *v8)
{
    struct store_db_op o = {.table = STORE_T_META, .key = name, .klen = strlen(name), .val = v8,
                            .vlen = v8 ? 8 : 0};
    return o;
}

/* Commits ops plus admin_seq + 1, then announces [admin.<what>]. */
int store_admin_write(struct store *s, struct store_db_op *ops, size_t n, const char *what,
                      struct pw_arena *a)
{
    unsigned char *v = sa_be64(a, s->admin_seq + 1);
    if (!v)
        return PW_ENOMEM;
    ops[n++] = sa_meta("admin_seq", v);
    int rc = store_db_write(s->db, ops, n);
    if (rc)
        return rc;
    s->admin_seq++;
    Planwatch__V1__AdminNotice an = PLANWATCH__V1__ADMIN_NOTICE__INIT;
    char topic[40];
    an.admin_seq = s->admin_seq;
    an.what = (char *)what;
    snprintf(topic, sizeof topic, "admin.%s", what);
    pw_zsock_publish(s->pub, topic, PLANWATCH__V1__MSG_TYPE__MSG_ADMIN_NOTICE, &an.base);
    pw_info("msg=\"admin change\" what=%s admin_seq=%llu", what,
            (unsigned long long)s->admin_seq);
    return 0;
}

/* Writes m as a new record of table t under the next id of meta `counter`
 * (*id, the message's id field, is set before packing), with admin_seq + 1. */
static int sa_insert(struct store *s, struct pw_arena *a, enum store_table t, const char *counter,
                     const char *what, const ProtobufCMessage *m, uint64_t *id)
{
    *id = store_db_meta(s->db, counter) + 1;
    unsigned char *key = sa_be64(a, *id), *idv = sa_be64(a, *id);
    struct store_db_op ops[3];
    if (!key || !idv)
        return PW_ENOMEM;
    ops[0] = sa_put(t, key, 8, m);
    ops[1] = sa_meta(counter, idv);
    return store_admin_write(s, ops, 2, what, a);
}

/* Text a person typed: non-empty when required, bounded, clean UTF-8 (text.h). */
static int sa_text_ok(const char *t, size_t max, int required)
{
    size_t n = t ? strlen(t) : 0;
    if ((required && n == 0) || n > max)
        return 0;
    return !t || pw_text_clean(t, n);
}

/* plan / project / indicator filters against the catalog ("" = any). */
static const char *sa_check_filter(struct store *s, const char *plan, const char *project,
                                   const char *indicator)
{
    const struct pw_plan *pl = NULL;
    if (plan && plan[0] && !(pl = pw_catalog_find_plan(s->cat, plan)))
        return "no such plan in the store's catalog";
    if (indicator && indicator[0] && !pw_catalog_find(s->cat, indicator))
        return "no such indicator in the store's catalog";
    if (project && project[0]) {
        for (size_t i = 0; i < pw_catalog_count(s->cat); i++) {
            const struct pw_indicator *ind = pw_catalog_at(s->cat, i);
            if ((!pl || ind->plan == pl) && strcmp(pw_indicator_project_id(ind), project) == 0)
                return NULL;
        }
        return "no such project in the store's catalog";
    }
    return NULL;
}

/* Whether an indicator id passes the query's plan / project / indicator filters. */
static int sa_match(struct store *s, const Planwatch__V1__Query *q, const char *indicator_id)
{
    const struct pw_indicator *ind = indicator_id ? pw_catalog_find(s->cat, indicator_id) : NULL;
    if (q->indicator_id && q->indicator_id[0] && strcmp(q->indicator_id, sa_str(indicator_id)))
        return 0;
    if (q->plan && q->plan[0] && (!ind || strcmp(q->plan, ind->plan->id)))
        return 0;
    if (q->project && q->project[0] && (!ind || strcmp(q->project, pw_indicator_project_id(ind))))
        return 0;
    return 1;
}

/* ---- the alert service's records: states + history + deliveries ----------- */

static void sa_put_states(struct store *s, const Planwatch__V1__Query *q,
                          Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    size_t n = q->n_alert_states + 2 * q->n_alerts + q->n_deliveries + 1, k = 0;
    struct store_db_op *ops = pw_arena_alloc(a, n * sizeof *ops);
    uint64_t was = store_db_meta(s->db, "alert_seq"), top = was;
    if (!ops)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < q->n_alert_states; i++) {
        const Planwatch__V1__AlertState *st = q->alert_states[i];
        size_t len = strlen(sa_str(st->indicator_id));
        if (len == 0 || len > 64)
            return sa_fail(r, PW_EINVAL, "an alert state without a valid indicator id");
        if (st->alert_seq > top)
            top = st->alert_seq;
        ops[k++] = sa_put(STORE_T_ALERTS, st->indicator_id, len, &st->base);
    }
    for (size_t i = 0; i < q->n_alerts; i++) {
        const Planwatch__V1__Alert *al = q->alerts[i];
        size_t len = strlen(sa_str(al->alert_id));
        unsigned char *key = sa_be64(a, al->seq), *seq = sa_be64(a, al->seq);
        if (!key || !seq)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        if (al->seq == 0 || len == 0 || len > SA_ALERT_ID_MAX)
            return sa_fail(r, PW_EINVAL, "an alert without seq or alert id");
        if (al->seq > top)
            top = al->seq;
        ops[k++] = sa_put(STORE_T_ALERT_LOG, key, 8, &al->base);
        struct store_db_op o = {.table = STORE_T_ALERT_IDS, .key = al->alert_id, .klen = len,
                                .val = seq, .vlen = 8};
        ops[k++] = o;
    }
    for (size_t i = 0; i < q->n_deliveries; i++) {
        const Planwatch__V1__Delivery *d = q->deliveries[i];
        unsigned char *key = sa_key2(a, d->alert_seq, d->subscription_id, 0, 0);
        if (!key)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        ops[k++] = sa_put(STORE_T_DELIVERIES, key, 16, &d->base);
    }
    /* the maximum alert seq never drops: a record may later carry a lower one */
    if (top != was) {
        unsigned char *v = sa_be64(a, top);
        if (!v)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        ops[k++] = sa_meta("alert_seq", v);
    }
    int rc = store_db_write(s->db, ops, k);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    r->alert_seq = top;
}

/* ---- subscriptions -------------------------------------------------------- */

static int sa_url_ok(const char *u)
{
    return sa_text_ok(u, SA_URL_MAX, 1) && !strchr(u, ' ') &&
           (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) &&
           strlen(u) > (u[4] == 's' ? 8u : 7u);
}

/* "" (none), or "DAY HH:MM": the alert service's schedule of digests. */
static int sa_digest_ok(const char *d)
{
    static const char *days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", "daily"};
    char day[8] = "";
    int h = -1, m = -1, k = 0, ok = 0;
    if (!d || !d[0])
        return 1;
    if (sscanf(d, "%7s %2d:%2d%n", day, &h, &m, &k) != 3 || d[k] || h < 0 || h > 23 || m < 0 ||
        m > 59)
        return 0;
    for (size_t i = 0; i < 8; i++)
        ok |= !strcmp(day, days[i]);
    return ok;
}

/* A plain address local@domain: what an SMTP RCPT TO takes without quoting. */
static int sa_email_ok(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');
    if (!sa_text_ok(e, 254, 1) || !at || at == e || !at[1] || strchr(at + 1, '@') ||
        !strchr(at + 1, '.'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strchr(" \"<>(),;:\\[]", e[i]) || (unsigned char)e[i] < 0x21)
            return 0;
    return 1;
}

static void sa_subscribe(struct store *s, const Planwatch__V1__Query *q,
                         Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    const Planwatch__V1__Subscription *in = q->subscription;
    const char *why;
    if (!in)
        return sa_fail(r, PW_EINVAL, "no subscription given");
    const char *fmt = sa_str(in->format);
    if (fmt[0] && strcmp(fmt, "json") && strcmp(fmt, "alertmanager") && strcmp(fmt, "slack") &&
        strcmp(fmt, "email"))
        return sa_fail(r, PW_EINVAL, "format: expected json, alertmanager, slack or email");
    if (!strcmp(fmt, "email") != !!sa_str(in->email)[0])
        return sa_fail(r, PW_EINVAL, "email: an email subscription needs an address, and only "
                                     "an email subscription has one");
    if (!strcmp(fmt, "email") && !sa_email_ok(in->email))
        return sa_fail(r, PW_EINVAL, "email: not an address local@domain (at most 254 "
                                     "characters, no spaces, quotes or angle brackets)");
    if (strcmp(fmt, "email") && !sa_url_ok(in->url))
        return sa_fail(r, PW_EINVAL, "the webhook URL must be http:// or https:// (at most 2048 "
                                     "characters, no spaces)");
    if (!strcmp(fmt, "email") && sa_str(in->url)[0])
        return sa_fail(r, PW_EINVAL, "an email subscription has no URL");
    if (!sa_text_ok(in->secret, SA_SECRET_MAX, 0) || !sa_text_ok(in->created_by, SA_NAME_MAX, 0))
        return sa_fail(r, PW_EINVAL, "the secret or the name is too long or has control characters");
    if (in->group && (in->group->wait_s > 86400 || in->group->interval_s > 86400 ||
                      in->group->repeat_s > 86400))
        return sa_fail(r, PW_EINVAL, "group wait, group interval and repeat interval: at most "
                                     "24 hours");
    if (in->group && !sa_digest_ok(in->group->digest))
        return sa_fail(r, PW_EINVAL, "digest: expected \"DAY HH:MM\" with DAY mon, tue, wed, thu, "
                                     "fri, sat, sun or daily (Japan's time), e.g. \"mon 09:00\"");
    if ((unsigned)in->min_severity > PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL)
        return sa_fail(r, PW_EINVAL, "unknown severity");
    if ((why = sa_check_filter(s, in->plan, in->project, in->indicator_id)))
        return sa_fail(r, PW_ENOTFOUND, why);
    Planwatch__V1__Subscription sub = *in;
    sub.has_secret = in->secret && in->secret[0];
    sub.health = NULL; /* computed when listed, never stored */
    sub.failed = 0;
    sub.failed_reason = (char *)"";
    sub.failed_ns = 0;
    sub.failed_alert_id = (char *)"";
    if (!strcmp(fmt, "alertmanager")) {
        /* the Alertmanager's address alone means its API v2 alerts endpoint */
        const char *path = strchr(in->url + (in->url[4] == 's' ? 8 : 7), '/');
        if (!path || !strcmp(path, "/")) {
            size_t ul = strlen(in->url) - (path ? 1 : 0);
            char *u = pw_arena_alloc(a, ul + sizeof "/api/v2/alerts");
            if (!u)
                return sa_fail(r, PW_ENOMEM, "out of memory");
            memcpy(u, in->url, ul);
            memcpy(u + ul, "/api/v2/alerts", sizeof "/api/v2/alerts");
            sub.url = u;
        }
    }
    sub.created_ns = pw_now_ns();
    int rc = sa_insert(s, a, STORE_T_SUBS, "sub_id", "subscriptions", &sub.base, &sub.id);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    r->id = sub.id;
    pw_info("msg=\"subscribed\" id=%llu url=\"%.200s\" format=%s signed=%d",
            (unsigned long long)sub.id, sa_str(sub.url), fmt[0] ? fmt : "json", (int)sub.has_secret);
}

/* Subscription id (the caller frees it with
 * protobuf_c_message_free_unpacked), or NULL after sa_fail (PW_ENOTFOUND
 * when there is none). */
static Planwatch__V1__Subscription *sa_sub_get(struct store *s, uint64_t id,
                                               Planwatch__V1__QueryReply *r)
{
    unsigned char key[8];
    ProtobufCMessage *m = NULL;
    store_db_put_be64(key, id);
    int rc = sa_get(s, STORE_T_SUBS, key, 8, &planwatch__v1__subscription__descriptor, &m);
    if (rc == PW_ENOTFOUND)
        sa_fail(r, PW_ENOTFOUND, "no such subscription");
    else if (rc)
        sa_fail(r, rc, pw_strerror(rc));
    return rc ? NULL : (Planwatch__V1__Subscription *)m;
}

static void sa_unsubscribe(struct store *s, const Planwatch__V1__Query *q,
                           Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    Planwatch__V1__Subscription *sub = sa_sub_get(s, q->id, r);
    int rc;
    if (!sub)
        return;
    protobuf_c_message_free_unpacked(&sub->base, NULL);
    unsigned char *k = sa_be64(a, q->id);
    struct store_db_op ops[2] = {{.table = STORE_T_SUBS, .key = k, .klen = 8, .del = 1}};
    if (!k)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    rc = store_admin_write(s, ops, 1, "subscriptions", a);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    r->id = q->id;
}

struct sa_scan {
    struct store *s;
    const Planwatch__V1__Query *q;
    struct store_list *l;
    const ProtobufCMessageDescriptor *d;
    int blank_secrets;
};

static int sa_collect_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct sa_scan *x = arg;
    int rc = store_list_unpack(x->l, x->d, val, vlen);
    if (rc == 0 && x->blank_secrets)
        ((Planwatch__V1__Subscription *)x->l->v[x->l->n - 1])->secret = (char *)"";
    return rc;
}

static int sa_collect(struct store *s, enum store_table t, const ProtobufCMessageDescriptor *d,
                      int blank, struct store_list *l)
{
    struct sa_scan x = {.s = s, .l = l, .d = d, .blank_secrets = blank};
    return store_db_each(s->db, t, NULL, 0, 0, sa_collect_cb, &x);
}

/* ---- acknowledgements and silences ---------------------------------------- */

static int sa_max_seq_cb(void *arg, const Planwatch__V1__IndicatorUpdate *u)
{
    uint64_t *m = arg;
    if (u->seq > *m)
        *m = u->seq;
    return 0;
}

/* Whether alert_id is one of the open alerts in indicator's record. */
static int sa_is_open(struct store *s, const char *indicator, const char *alert_id)
{
    ProtobufCMessage *m = NULL;
    if (!indicator || sa_get(s, STORE_T_ALERTS, indicator, strlen(indicator),
                             &planwatch__v1__alert_state__descriptor, &m))
        return 0;
    const Planwatch__V1__AlertState *st = (const Planwatch__V1__AlertState *)m;
    int problem = pw_status_behind((enum pw_status)st->status);
    int open = (problem && !strcmp(sa_str(st->alert_id), alert_id)) ||
               !strcmp(sa_str(st->overdue_alert_id), alert_id) ||
               !strcmp(sa_str(st->forecast_alert_id), alert_id);
    protobuf_c_message_free_unpacked(m, NULL);
    return open;
}

/* The latest transition of an alert id (caller frees), or an error code. */
static int sa_alert_by_id(struct store *s, const char *alert_id, Planwatch__V1__Alert **out)
{
    struct sa_raw x = {0};
    unsigned char key[8];
    int rc = store_db_get(s->db, STORE_T_ALERT_IDS, alert_id, strlen(alert_id), sa_get_u64_cb, &x);
    if (rc)
        return rc;
    store_db_put_be64(key, x.u64);
    return sa_get(s, STORE_T_ALERT_LOG, key, 8, &planwatch__v1__alert__descriptor,
                  (ProtobufCMessage **)out);
}

static void sa_ack(struct store *s, const Planwatch__V1__Query *q, Planwatch__V1__QueryReply *r,
                   struct pw_arena *a)
{
    const Planwatch__V1__Ack *in = q->ack;
    Planwatch__V1__Alert *al = NULL;
    if (!in || !sa_text_ok(in->alert_id, SA_ALERT_ID_MAX, 1))
        return sa_fail(r, PW_EINVAL, "no alert id given");
    if (!sa_text_ok(in->by, SA_NAME_MAX, 1) || !sa_text_ok(in->reason, SA_TEXT_MAX, 1))
        return sa_fail(r, PW_EINVAL, "--by and --reason are required (no control characters; "
                                     "at most 128 and 2000 bytes)");
    int rc = sa_alert_by_id(s, in->alert_id, &al);
    if (rc == PW_ENOTFOUND)
        return sa_fail(r, PW_ENOTFOUND, "no such alert");
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    Planwatch__V1__Ack ack = *in;
    char *ind = pw_arena_strndup(a, sa_str(al->indicator_id), strlen(sa_str(al->indicator_id)));
    int open = sa_is_open(s, al->indicator_id, in->alert_id);
    planwatch__v1__alert__free_unpacked(al, NULL);
    if (!ind)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    if (!open)
        return sa_fail(r, PW_ENOTFOUND, "the alert is not open (resolved alerts need no answer)");
    ack.indicator_id = ind;
    /* the store's "now", as revisions get it: known-at compares the two */
    ack.time_ns = pw_clock_now_ns(&s->clock);
    ack.figures_seq = 0;
    if ((rc = store_db_history(s->db, ind, sa_max_seq_cb, &ack.figures_seq)))
        return sa_fail(r, rc, pw_strerror(rc));
    size_t idlen = strlen(in->alert_id);
    unsigned char *key = pw_arena_alloc(a, idlen + 9);
    struct store_db_op ops[2];
    if (!key)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    memcpy(key, in->alert_id, idlen);
    key[idlen] = 0;
    store_db_put_be64(key + idlen + 1, (uint64_t)ack.time_ns);
    ops[0] = sa_put(STORE_T_ACKS, key, idlen + 9, &ack.base);
    if ((rc = store_admin_write(s, ops, 1, "acks", a)))
        return sa_fail(r, rc, pw_strerror(rc));
    struct store_list l = {.arena = a};
    size_t len = protobuf_c_message_get_packed_size(&ack.base);
    uint8_t *buf = pw_arena_alloc(a, len ? len : 1);
    if (!buf)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    protobuf_c_message_pack(&ack.base, buf);
    if (store_list_unpack(&l, &planwatch__v1__ack__descriptor, buf, len) == 0) {
        r->acks = (Planwatch__V1__Ack **)l.v;
        r->n_acks = l.n;
    }
    pw_info("msg=\"acknowledged\" alert_id=\"%s\" by=\"%.64s\" figures_seq=%llu", in->alert_id,
            in->by, (unsigned long long)ack.figures_seq);
}

static void sa_silence(struct store *s, const Planwatch__V1__Query *q,
                       Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    const Planwatch__V1__Silence *in = q->silence;
    const char *why;
    int32_t until;
    if (!in)
        return sa_fail(r, PW_EINVAL, "no silence given");
    if (!sa_str(in->plan)[0] && !sa_str(in->project)[0] && !sa_str(in->indicator_id)[0])
        return sa_fail(r, PW_EINVAL, "a silence needs --plan, --project or --indicator");
    if ((why = sa_check_filter(s, in->plan, in->project, in->indicator_id)))
        return sa_fail(r, PW_ENOTFOUND, why);
    if (!in->until || pw_day_parse(in->until, &until))
        return sa_fail(r, PW_EINVAL, "--until is not a date YYYY-MM-DD");
    if (until <= pw_clock_today(&s->clock))
        return sa_fail(r, PW_EINVAL, "--until must be after today");
    if (!sa_text_ok(in->comment, SA_TEXT_MAX, 1) || !sa_text_ok(in->by, SA_NAME_MAX, 0))
        return sa_fail(r, PW_EINVAL, "--comment is required (no control characters, at most "
                                     "2000 bytes)");
    Planwatch__V1__Silence sil = *in;
    sil.created_ns = pw_now_ns();
    int rc = sa_insert(s, a, STORE_T_SILENCES, "silence_id", "silences", &sil.base, &sil.id);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    r->id = sil.id;
}

/* Ends an active silence now: the record stays (the history shows it, with
 * when and by whom it was lifted); the open view and the alert service's
 * admin view leave it out from then on. A silence already lifted or past
 * its day is not active: PW_ENOTFOUND, nothing written. */
static void sa_silence_lift(struct store *s, const Planwatch__V1__Query *q,
                            Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    unsigned char key[8];
    ProtobufCMessage *m = NULL;
    int32_t until = 0;
    if (!sa_text_ok(q->by, SA_NAME_MAX, 0))
        return sa_fail(r, PW_EINVAL, "by: at most 128 bytes, no control characters");
    store_db_put_be64(key, q->id);
    int rc = q->id ? sa_get(s, STORE_T_SILENCES, key, 8, &planwatch__v1__silence__descriptor, &m)
                   : PW_ENOTFOUND;
    if (rc == PW_ENOTFOUND)
        return sa_fail(r, PW_ENOTFOUND, "no such silence");
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    Planwatch__V1__Silence *cur = (Planwatch__V1__Silence *)m;
    int active = !cur->lifted_ns && cur->until && pw_day_parse(cur->until, &until) == 0 &&
                 until > pw_clock_today(&s->clock);
    size_t len = 0;
    uint8_t *buf = NULL;
    if (active) {
        char *was = cur->lifted_by; /* q->by only while packing: free_unpacked frees was */
        cur->lifted_ns = pw_clock_now_ns(&s->clock);
        cur->lifted_by = (char *)sa_str(q->by);
        len = planwatch__v1__silence__get_packed_size(cur);
        if ((buf = pw_arena_alloc(a, len ? len : 1)))
            planwatch__v1__silence__pack(cur, buf);
        cur->lifted_by = was;
    }
    planwatch__v1__silence__free_unpacked(cur, NULL);
    if (!active)
        return sa_fail(r, PW_ENOTFOUND, "the silence is not active (lifted already, or its day "
                                        "has come)");
    unsigned char *k = sa_be64(a, q->id);
    struct store_db_op ops[2];
    if (!buf || !k)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    ops[0] = (struct store_db_op){.table = STORE_T_SILENCES, .key = k, .klen = 8, .val = buf,
                                  .vlen = len};
    if ((rc = store_admin_write(s, ops, 1, "silences", a)))
        return sa_fail(r, rc, pw_strerror(rc));
    struct store_list l = {.arena = a};
    if ((rc = store_list_unpack(&l, &planwatch__v1__silence__descriptor, buf, len)))
        return sa_fail(r, rc, pw_strerror(rc));
    r->silences = (Planwatch__V1__Silence **)l.v;
    r->n_silences = l.n;
    r->id = q->id;
    pw_info("msg=\"silence lifted\" id=%llu by=\"%.64s\"", (unsigned long long)q->id,
            sa_str(q->by));
}

/* ---- listings ------------------------------------------------------------- */

struct sa_open {
    struct store *s;
    const Planwatch__V1__Query *q;
    struct store_list *alerts, *acks;
};

static int sa_add_open(struct sa_open *x, const char *alert_id)
{
    Planwatch__V1__Alert *al = NULL;
    if (!alert_id || !alert_id[0])
        return 0;
    int rc = sa_alert_by_id(x->s, alert_id, &al);
    if (rc == PW_ENOTFOUND)
        return 0; /* recorded before the history was kept */
    if (rc)
        return rc;
    size_t len = planwatch__v1__alert__get_packed_size(al);
    uint8_t *buf = pw_arena_alloc(x->alerts->arena, len ? len : 1);
    if (buf)
        planwatch__v1__alert__pack(al, buf);
    planwatch__v1__alert__free_unpacked(al, NULL);
    if (!buf || (rc = store_list_unpack(x->alerts, &planwatch__v1__alert__descriptor, buf, len)))
        return buf ? rc : PW_ENOMEM;
    /* its acknowledgements: keys alert_id \0 time */
    size_t idlen = strlen(alert_id);
    struct sa_scan sc = {.s = x->s, .l = x->acks, .d = &planwatch__v1__ack__descriptor};
    unsigned char prefix[SA_ALERT_ID_MAX + 2];
    if (idlen > SA_ALERT_ID_MAX)
        return 0;
    memcpy(prefix, alert_id, idlen);
    prefix[idlen] = 0;
    return store_db_each(x->s->db, STORE_T_ACKS, prefix, idlen + 1, 0, sa_collect_cb, &sc);
}

/* Open alerts: the records first (copied out), then their alerts and acks,
 * so no read transaction is opened inside another (one per thread in LMDB). */
static int sa_open_alerts(struct sa_open *x, struct pw_arena *a)
{
    struct store_list recs = {.arena = a};
    int rc = sa_collect(x->s, STORE_T_ALERTS, &planwatch__v1__alert_state__descriptor, 0, &recs);
    for (size_t i = 0; i < recs.n && !rc; i++) {
        const Planwatch__V1__AlertState *st = recs.v[i];
        if (!sa_match(x->s, x->q, st->indicator_id))
            continue;
        /* a status alert is open while its record is behind and names it */
        if (pw_status_behind((enum pw_status)st->status))
            rc = sa_add_open(x, st->alert_id);
        if (!rc)
            rc = sa_add_open(x, st->overdue_alert_id);
        if (!rc)
            rc = sa_add_open(x, st->forecast_alert_id);
    }
    /* a failed subscription's DELIVERY alert is open while it stays failed
     * (it names no indicator: shown unless a filter is given) */
    struct store_list subs = {.arena = a};
    int nofilter = !sa_str(x->q->plan)[0] && !sa_str(x->q->project)[0] &&
                   !sa_str(x->q->indicator_id)[0];
    if (!rc && nofilter)
        rc = sa_collect(x->s, STORE_T_SUBS, &planwatch__v1__subscription__descriptor, 1, &subs);
    for (size_t i = 0; i < subs.n && !rc; i++) {
        const Planwatch__V1__Subscription *sub = subs.v[i];
        if (sub->failed)
            rc = sa_add_open(x, sub->failed_alert_id);
    }
    return rc;
}

/* History: newest first up to the limit, returned oldest first. */
struct sa_hist {
    struct store *s;
    const Planwatch__V1__Query *q;
    struct store_list *l;
    size_t limit;
    uint64_t min_seq;
};

static int sa_hist_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct sa_hist *x = arg;
    if (x->l->n >= x->limit)
        return 1; /* enough: stop */
    Planwatch__V1__Alert *al = planwatch__v1__alert__unpack(NULL, vlen, val);
    if (!al)
        return PW_EDB;
    int sev = (int)(al->severity > al->previous_severity ? al->severity : al->previous_severity);
    int keep = sev >= (int)x->q->min_severity && sa_match(x->s, x->q, al->indicator_id);
    uint64_t seq = al->seq;
    planwatch__v1__alert__free_unpacked(al, NULL);
    if (!keep)
        return 0;
    x->min_seq = seq;
    return store_list_unpack(x->l, &planwatch__v1__alert__descriptor, val, vlen);
}

struct sa_filtered {
    struct store *s;
    const Planwatch__V1__Query *q;
    struct store_list *l;
    const ProtobufCMessageDescriptor *d;
    uint64_t min_seq;
};

/* Acks and attempts whose indicator / alert passes the filters. */
static int sa_filtered_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct sa_filtered *x = arg;
    if (x->d == &planwatch__v1__delivery_attempt__descriptor) {
        if (klen < 8 || store_db_read_be64(key) < x->min_seq)
            return 0;
        Planwatch__V1__DeliveryAttempt *at =
            planwatch__v1__delivery_attempt__unpack(NULL, vlen, val);
        if (!at)
            return PW_EDB;
        const char *colon = at->alert_id ? strrchr(at->alert_id, ':') : NULL;
        char ind[80] = "";
        if (colon && (size_t)(colon - at->alert_id) < sizeof ind)
            memcpy(ind, at->alert_id, (size_t)(colon - at->alert_id));
        planwatch__v1__delivery_attempt__free_unpacked(at, NULL);
        if (!sa_match(x->s, x->q, ind))
            return 0;
    } else {
        Planwatch__V1__Ack *ak = planwatch__v1__ack__unpack(NULL, vlen, val);
        if (!ak)
            return PW_EDB;
        int keep = sa_match(x->s, x->q, ak->indicator_id);
        planwatch__v1__ack__free_unpacked(ak, NULL);
        if (!keep)
            return 0;
    }
    return store_list_unpack(x->l, x->d, val, vlen);
}

static int sa_silence_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct sa_filtered *x = arg;
    Planwatch__V1__Silence *si = planwatch__v1__silence__unpack(NULL, vlen, val);
    int32_t until = 0;
    if (!si)
        return PW_EDB;
    const Planwatch__V1__Query *q = x->q;
    /* a silence is shown unless a filter contradicts one of its fields */
    int keep = !((q->plan && q->plan[0] && sa_str(si->plan)[0] && strcmp(q->plan, si->plan)) ||
                 (q->project && q->project[0] && sa_str(si->project)[0] &&
                  strcmp(q->project, si->project)) ||
                 (q->indicator_id && q->indicator_id[0] && sa_str(si->indicator_id)[0] &&
                  strcmp(q->indicator_id, si->indicator_id)));
    if (keep && !q->history) /* open view: active silences only */
        keep = !si->lifted_ns && si->until && pw_day_parse(si->until, &until) == 0 &&
               until > pw_clock_today(&x->s->clock);
    planwatch__v1__silence__free_unpacked(si, NULL);
    return keep ? store_list_unpack(x->l, x->d, val, vlen) : 0;
}

static void sa_alerts(struct store *s, const Planwatch__V1__Query *q, Planwatch__V1__QueryReply *r,
                      struct pw_arena *a)
{
    struct store_list alerts = {.arena = a}, acks = {.arena = a}, sil = {.arena = a},
                      att = {.arena = a};
    int rc;
    if (!q->history) {
        struct sa_open x = {s, q, &alerts, &acks};
        rc = sa_open_alerts(&x, a);
    } else {
        size_t limit = q->limit ? q->limit : SA_HISTORY_DEFAULT;
        struct sa_hist h = {s, q, &alerts, limit > SA_HISTORY_MAX ? SA_HISTORY_MAX : limit, 0};
        rc = store_db_each(s->db, STORE_T_ALERT_LOG, NULL, 0, 1, sa_hist_cb, &h);
        if (rc == 1)
            rc = 0;
        for (size_t i = 0; i < alerts.n / 2; i++) { /* oldest first */
            void *t = alerts.v[i];
            alerts.v[i] = alerts.v[alerts.n - 1 - i];
            alerts.v[alerts.n - 1 - i] = t;
        }
        struct sa_filtered fa = {s, q, &acks, &planwatch__v1__ack__descriptor, 0};
        struct sa_filtered ft = {s, q, &att, &planwatch__v1__delivery_attempt__descriptor,
                                 alerts.n ? h.min_seq : UINT64_MAX};
        if (!rc)
            rc = store_db_each(s->db, STORE_T_ACKS, NULL, 0, 0, sa_filtered_cb, &fa);
        if (!rc && alerts.n)
            rc = store_db_each(s->db, STORE_T_ATTEMPTS, NULL, 0, 0, sa_filtered_cb, &ft);
    }
    struct sa_filtered fs = {s, q, &sil, &planwatch__v1__silence__descriptor, 0};
    if (!rc)
        rc = store_db_each(s->db, STORE_T_SILENCES, NULL, 0, 0, sa_silence_cb, &fs);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    r->alerts = (Planwatch__V1__Alert **)alerts.v;
    r->n_alerts = alerts.n;
    r->acks = (Planwatch__V1__Ack **)acks.v;
    r->n_acks = acks.n;
    r->silences = (Planwatch__V1__Silence **)sil.v;
    r->n_silences = sil.n;
    r->attempts = (Planwatch__V1__DeliveryAttempt **)att.v;
    r->n_attempts = att.n;
    /* the URL each attempt went to, as sa_subscriptions shows it */
    for (size_t i = 0; i < att.n && !s->asker_full; i++) {
        Planwatch__V1__DeliveryAttempt *d = r->attempts[i];
        char *u = pw_arena_alloc(a, SA_URL_MAX + 8);
        if (!u)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        d->url = pw_msg_redact_url(d->url, u, SA_URL_MAX + 8);
    }
}

/* ---- the alert service's admin view and its deliveries --------------------- */

/* The alert service mutes by every silence it gets until its day: a lifted
 * one is left out of its view. */
static int sa_unlifted_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct sa_scan *x = arg;
    Planwatch__V1__Silence *si = planwatch__v1__silence__unpack(NULL, vlen, val);
    if (!si)
        return PW_EDB;
    int lifted = si->lifted_ns != 0;
    planwatch__v1__silence__free_unpacked(si, NULL);
    return lifted ? 0 : store_list_unpack(x->l, x->d, val, vlen);
}

static void sa_admin_get(struct store *s, Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    struct store_list subs = {.arena = a}, acks = {.arena = a}, sil = {.arena = a};
    struct sa_scan unlifted = {.s = s, .l = &sil, .d = &planwatch__v1__silence__descriptor};
    int rc = sa_collect(s, STORE_T_SUBS, &planwatch__v1__subscription__descriptor, 0, &subs);
    if (!rc)
        rc = sa_collect(s, STORE_T_ACKS, &planwatch__v1__ack__descriptor, 0, &acks);
    if (!rc)
        rc = store_db_each(s->db, STORE_T_SILENCES, NULL, 0, 0, sa_unlifted_cb, &unlifted);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    r->subscriptions = (Planwatch__V1__Subscription **)subs.v;
    r->n_subscriptions = subs.n;
    r->acks = (Planwatch__V1__Ack **)acks.v;
    r->n_acks = acks.n;
    r->silences = (Planwatch__V1__Silence **)sil.v;
    r->n_silences = sil.n;
}

static void sa_delivery_put(struct store *s, const Planwatch__V1__Query *q,
                            Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    size_t n = q->n_deliveries + q->n_attempts, k = 0;
    struct store_db_op *ops = pw_arena_alloc(a, (n ? n : 1) * sizeof *ops);
    if (!ops)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < q->n_deliveries; i++) {
        const Planwatch__V1__Delivery *d = q->deliveries[i];
        unsigned char *key = sa_key2(a, d->alert_seq, d->subscription_id, 0, 0);
        if (!key)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        ops[k++] = sa_put(STORE_T_DELIVERIES, key, 16, &d->base);
    }
    for (size_t i = 0; i < q->n_attempts; i++) {
        const Planwatch__V1__DeliveryAttempt *t = q->attempts[i];
        unsigned char *key = sa_key2(a, t->alert_seq, t->subscription_id, 1, t->attempt);
        if (!key)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        ops[k++] = sa_put(STORE_T_ATTEMPTS, key, 24, &t->base);
    }
    int rc = k ? store_db_write(s->db, ops, k) : 0;
    if (rc)
        sa_fail(r, rc, pw_strerror(rc));
}

static int sa_pending_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct sa_filtered *x = arg;
    if (!x->q->history) {
        Planwatch__V1__Delivery *d = planwatch__v1__delivery__unpack(NULL, vlen, val);
        if (!d)
            return PW_EDB;
        int pending = d->state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_PENDING;
        planwatch__v1__delivery__free_unpacked(d, NULL);
        if (!pending)
            return 0;
    }
    return store_list_unpack(x->l, x->d, val, vlen);
}

static void sa_deliveries(struct store *s, const Planwatch__V1__Query *q,
                          Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    struct store_list l = {.arena = a};
    struct sa_filtered x = {s, q, &l, &planwatch__v1__delivery__descriptor, 0};
    int rc = store_db_each(s->db, STORE_T_DELIVERIES, NULL, 0, 0, sa_pending_cb, &x);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    r->deliveries = (Planwatch__V1__Delivery **)l.v;
    r->n_deliveries = l.n;
}

/* ---- delivery health ------------------------------------------------------- */

struct sa_health {
    Planwatch__V1__Subscription **subs;
    size_t n;
    struct pw_arena *arena;
};

/* Adds one delivery to its subscription's health; the latest attempted one
 * gives the "last" fields. */
static int sa_health_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct sa_health *x = arg;
    if (klen < 16)
        return 0;
    uint64_t sub = store_db_read_be64((const unsigned char *)key + 8);
    Planwatch__V1__SubscriptionHealth *h = NULL;
    for (size_t i = 0; i < x->n && !h; i++)
        if (x->subs[i]->id == sub)
            h = x->subs[i]->health;
    if (!h)
        return 0; /* unsubscribed */
    Planwatch__V1__Delivery *d = planwatch__v1__delivery__unpack(NULL, vlen, val);
    if (!d)
        return PW_EDB;
    if (d->state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_PENDING)
        h->pending++;
    else if (d->state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_DELIVERED)
        h->delivered++;
    else
        h->failures++;
    /* a delivery never tried (waiting behind a failure) says nothing of the receiver */
    int rc = 0;
    if (d->attempts && d->updated_ns >= h->last_ns) {
        size_t n = strlen(sa_str(d->last_error));
        char *e = pw_arena_alloc(x->arena, n + 1);
        if (!e) {
            rc = PW_ENOMEM;
        } else {
            memcpy(e, sa_str(d->last_error), n + 1);
            h->last_ns = d->updated_ns;
            h->last_http = d->last_http;
            h->last_state = d->state;
            h->last_error = e;
        }
    }
    planwatch__v1__delivery__free_unpacked(d, NULL);
    return rc;
}

/* QUERY_SUBSCRIPTIONS: every subscription (secrets blanked) with the health
 * its deliveries show. */
static void sa_subscriptions(struct store *s, Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    struct store_list l = {.arena = a};
    int rc = sa_collect(s, STORE_T_SUBS, &planwatch__v1__subscription__descriptor, 1, &l);
    struct sa_health x = {(Planwatch__V1__Subscription **)l.v, l.n, a};
    for (size_t i = 0; i < l.n && !rc; i++) {
        Planwatch__V1__SubscriptionHealth *h = pw_arena_alloc(a, sizeof *h);
        if (!h) {
            rc = PW_ENOMEM;
            break;
        }
        planwatch__v1__subscription_health__init(h);
        x.subs[i]->health = h;
    }
    if (!rc)
        rc = store_db_each(s->db, STORE_T_DELIVERIES, NULL, 0, 0, sa_health_cb, &x);
    if (rc)
        return sa_fail(r, rc, pw_strerror(rc));
    /* who may read but not manage sees where notifications go, not the
     * webhook URL that would let them post there, nor the whole address */
    for (size_t i = 0; i < l.n && !s->asker_full; i++) {
        Planwatch__V1__Subscription *sub = x.subs[i];
        char *u = pw_arena_alloc(a, SA_URL_MAX + 8), *e = pw_arena_alloc(a, 300);
        if (!u || !e)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        sub->url = pw_msg_redact_url(sub->url, u, SA_URL_MAX + 8);
        sub->email = pw_msg_redact_email(sub->email, e, 300);
    }
    r->subscriptions = x.subs;
    r->n_subscriptions = l.n;
}

/* QUERY_SUBSCRIPTION_FAILED: the alert service saw a permanent refusal. The
 * subscription is marked failed (nothing more is sent; its deliveries wait,
 * pending) and its DELIVERY alert recorded in the history, in one
 * transaction with admin_seq + 1 so the alert service reloads. Marking one
 * already failed changes nothing. */
static void sa_sub_failed(struct store *s, const Planwatch__V1__Query *q,
                          Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    if (q->n_alerts != 1 || !q->alerts[0]->seq || !sa_str(q->alerts[0]->alert_id)[0] ||
        strlen(q->alerts[0]->alert_id) > SA_ALERT_ID_MAX)
        return sa_fail(r, PW_EINVAL, "a failed subscription needs its alert (seq and id)");
    Planwatch__V1__Subscription *sub = sa_sub_get(s, q->id, r);
    ProtobufCMessage *m = sub ? &sub->base : NULL;
    int rc;
    if (!sub)
        return;
    if (sub->failed) {
        protobuf_c_message_free_unpacked(m, NULL);
        r->id = q->id;
        return;
    }
    const Planwatch__V1__Alert *al = q->alerts[0];
    const char *why = q->subscription ? sa_str(q->subscription->failed_reason) : "";
    char *reason = pw_arena_alloc(a, strlen(why) + 1), *aid = pw_arena_alloc(a, strlen(al->alert_id) + 1);
    unsigned char *k = sa_be64(a, q->id), *lk = sa_be64(a, al->seq), *sv = sa_be64(a, al->seq);
    struct store_db_op *ops = pw_arena_alloc(a, (q->n_deliveries + 5) * sizeof *ops);
    size_t n = 0;
    if (!reason || !aid || !k || !lk || !sv || !ops) {
        protobuf_c_message_free_unpacked(m, NULL);
        return sa_fail(r, PW_ENOMEM, "out of memory");
    }
    memcpy(reason, why, strlen(why) + 1);
    memcpy(aid, al->alert_id, strlen(al->alert_id) + 1);
    sub->failed = 1;
    sub->failed_reason = reason;
    sub->failed_ns = pw_now_ns();
    sub->failed_alert_id = aid;
    sub->health = NULL;
    /* packed now: the ops borrow the message until the write */
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = pw_arena_alloc(a, len ? len : 1);
    if (!buf) {
        protobuf_c_message_free_unpacked(m, NULL);
        return sa_fail(r, PW_ENOMEM, "out of memory");
    }
    protobuf_c_message_pack(m, buf);
    sub->failed_reason = NULL; /* arena strings: not the unpacked message's to free */
    sub->failed_alert_id = NULL;
    protobuf_c_message_free_unpacked(m, NULL);
    struct store_db_op o0 = {.table = STORE_T_SUBS, .key = k, .klen = 8, .val = buf, .vlen = len};
    ops[n++] = o0;
    ops[n++] = sa_put(STORE_T_ALERT_LOG, lk, 8, &al->base);
    struct store_db_op o2 = {.table = STORE_T_ALERT_IDS, .key = al->alert_id,
                             .klen = strlen(al->alert_id), .val = sv, .vlen = 8};
    ops[n++] = o2;
    if (al->seq > store_db_meta(s->db, "alert_seq"))
        ops[n++] = sa_meta("alert_seq", sv);
    /* the alert's own deliveries (to the other subscriptions that receive it) */
    for (size_t i = 0; i < q->n_deliveries; i++) {
        const Planwatch__V1__Delivery *d = q->deliveries[i];
        unsigned char *dk = sa_key2(a, d->alert_seq, d->subscription_id, 0, 0);
        if (!dk)
            return sa_fail(r, PW_ENOMEM, "out of memory");
        ops[n++] = sa_put(STORE_T_DELIVERIES, dk, 16, &d->base);
    }
    if ((rc = store_admin_write(s, ops, n, "subscriptions", a)))
        return sa_fail(r, rc, pw_strerror(rc));
    r->id = q->id;
    pw_warn("msg=\"subscription failed permanently\" id=%llu reason=\"%.200s\" alert_id=%s",
            (unsigned long long)q->id, why, aid);
}

/* QUERY_SUBSCRIPTION_RESUME: someone fixed the receiver; the subscription
 * is sent to again (admin_seq + 1: the alert service reloads and sends its
 * waiting deliveries first). Resuming one that is not failed is an error. */
static void sa_sub_resume(struct store *s, const Planwatch__V1__Query *q,
                          Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    Planwatch__V1__Subscription *sub = sa_sub_get(s, q->id, r);
    ProtobufCMessage *m = sub ? &sub->base : NULL;
    int rc;
    if (!sub)
        return;
    if (!sub->failed) {
        protobuf_c_message_free_unpacked(m, NULL);
        return sa_fail(r, PW_EINVAL, "the subscription has not failed");
    }
    sub->failed = 0;
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = pw_arena_alloc(a, len ? len : 1);
    unsigned char *k = sa_be64(a, q->id);
    if (buf)
        protobuf_c_message_pack(m, buf); /* reason and alert id kept: the history of it */
    protobuf_c_message_free_unpacked(m, NULL);
    if (!buf || !k)
        return sa_fail(r, PW_ENOMEM, "out of memory");
    struct store_db_op ops[2] = {{.table = STORE_T_SUBS, .key = k, .klen = 8, .val = buf,
                                  .vlen = len}};
    if ((rc = store_admin_write(s, ops, 1, "subscriptions", a)))
        return sa_fail(r, rc, pw_strerror(rc));
    r->id = q->id;
    pw_info("msg=\"subscription resumed\" id=%llu", (unsigned long long)q->id);
}

int store_alerts_init(struct store *s)
{
    s->admin_seq = store_db_meta(s->db, "admin_seq");
    return 0;
}

int store_alerts_answer(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    switch (q->kind) {
    case PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_PUT: sa_put_states(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIBE: sa_subscribe(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_UNSUBSCRIBE: sa_unsubscribe(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS: sa_subscriptions(s, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTION_FAILED: sa_sub_failed(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTION_RESUME: sa_sub_resume(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_ACK: sa_ack(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE: sa_silence(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE_LIFT: sa_silence_lift(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS: sa_alerts(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET: sa_admin_get(s, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERY_PUT: sa_delivery_put(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERIES: sa_deliveries(s, q, r, arena); break;
    default: return 0;
    }
    r->admin_seq = s->admin_seq;
    return 1;
}
