/* alert_group.c - transitions that arrive together go out as one message
 * (see alert.h), as Alertmanager's group_wait / group_interval: for a
 * subscription with a group wait, the deliveries the outbox recorded are
 * held here instead of queued; the first starts the wait, the ones that
 * come before it ends join, and when the service's clock passes it (and
 * the interval after the previous message) they go as one message listed
 * by plan and project, one delivery carrying them all (every one of them
 * gets the attempt's outcome in the delivery log). Time is the service's
 * clock, checked every heartbeat: tests move a file clock, nothing sleeps.
 * What is held lives in memory only; the store has each delivery pending,
 * so after a restart they are resumed one by one rather than lost.
 * Reminders: a subscription with a repeat interval gets, every interval of
 * the clock, one message listing the open alerts it receives that nobody
 * acknowledged (and no silence covers): sent once, like a refresh, not a
 * delivery of its own. Digests: at the subscription's weekly (or daily)
 * time in Japan, by the clock, one message of what is open and the
 * transitions since the previous digest (by alert seq), sent the same way. */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_mail.h"
#include "err.h"
#include "log.h"
#include "vec.h"
#include "zsock.h"

struct alert_group_member {
    uint64_t seq;
    char *alert_id, *event;
    uint8_t *alert; /* the Alert, packed (copied out of the outbox) */
    size_t alen;
};

struct alert_group {
    uint64_t sub_id;
    int64_t first_ns;     /* clock instant the oldest held transition arrived (0: none) */
    int64_t last_sent_ns; /* clock instant of the last message (0: none yet) */
    int64_t remind_due_ns; /* clock instant of the next reminder (0: not yet scheduled) */
    int64_t digest_due_ns; /* clock instant of the next digest (0: not yet scheduled) */
    uint64_t digest_seq;   /* the last alert seq the previous digest covered */
    struct alert_group_member *m;
    size_t n, cap;
};

static void group_clear(struct alert_group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->m[i].alert_id);
        free(g->m[i].event);
        free(g->m[i].alert);
    }
    g->n = 0;
    g->first_ns = 0;
}

void alert_group_free(struct alert_svc *a)
{
    for (size_t i = 0; i < a->ngroups; i++) {
        group_clear(&a->groups[i]);
        free(a->groups[i].m);
    }
    free(a->groups);
    a->groups = NULL;
    a->ngroups = a->groups_cap = 0;
}

static struct alert_group *group_of(struct alert_svc *a, uint64_t sub_id, int create)
{
    for (size_t i = 0; i < a->ngroups; i++)
        if (a->groups[i].sub_id == sub_id)
            return &a->groups[i];
    if (!create ||
        pw_vec_grow((void **)&a->groups, &a->groups_cap, a->ngroups + 1, sizeof *a->groups))
        return NULL;
    struct alert_group *g = &a->groups[a->ngroups++];
    memset(g, 0, sizeof *g);
    g->sub_id = sub_id;
    return g;
}

int alert_group_hold(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                     const Planwatch__V1__Delivery *d, const struct alert_state_msg *msgs, size_t n)
{
    if (!sub || !sub->group || !sub->group->wait_s)
        return 0;
    const Planwatch__V1__Alert *al = NULL;
    for (size_t k = 0; k < n && !al; k++)
        if (msgs[k].alert.seq == d->alert_seq)
            al = &msgs[k].alert;
    struct alert_group *g = group_of(a, sub->id, 1);
    if (!al || !g || pw_vec_grow((void **)&g->m, &g->cap, g->n + 1, sizeof *g->m))
        return PW_ENOMEM;
    struct alert_group_member *m = &g->m[g->n];
    memset(m, 0, sizeof *m);
    m->seq = d->alert_seq;
    m->alen = planwatch__v1__alert__get_packed_size(al);
    if (!(m->alert = malloc(m->alen ? m->alen : 1)) || !(m->alert_id = strdup(d->alert_id)) ||
        !(m->event = strdup(d->event))) {
        free(m->alert);
        free(m->alert_id);
        return PW_ENOMEM;
    }
    planwatch__v1__alert__pack(al, m->alert);
    if (!g->n)
        g->first_ns = pw_clock_now_ns(&a->clock);
    g->n++;
    return 1;
}

struct group_item {
    Planwatch__V1__Alert *al;
    size_t idx;
};

static int group_cmp(const void *x, const void *y)
{
    const struct group_item *a = x, *b = y;
    int c = strcmp(a->al->plan ? a->al->plan : "", b->al->plan ? b->al->plan : "");
    if (!c)
        c = strcmp(a->al->project ? a->al->project : "", b->al->project ? b->al->project : "");
    if (!c)
        c = a->al->seq < b->al->seq ? -1 : a->al->seq > b->al->seq;
    return c;
}

/* Sorts it[0..n) (by plan, project, seq) and lists its alerts in that order
 * in als, their indicators (a's catalog; NULL without) in inds. */
static void group_order(const struct alert_svc *a, struct group_item *it, size_t n,
                        const Planwatch__V1__Alert **als, const struct pw_indicator **inds)
{
    if (n > 1)
        qsort(it, n, sizeof *it, group_cmp);
    for (size_t i = 0; i < n; i++) {
        als[i] = it[i].al;
        inds[i] = a->cat ? pw_catalog_find(a->cat, als[i]->indicator_id) : NULL;
    }
}

/* The one message to sub of als[0..n) (inds alike): an email, or the
 * subscription's format (alert_format_group). */
static int group_body(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                      const Planwatch__V1__Alert *const *als,
                      const struct pw_indicator *const *inds, size_t n,
                      const struct alert_format_ctx *ctx, char **body, size_t *len)
{
    if (sub->format && !strcmp(sub->format, ALERT_FORMAT_EMAIL)) {
        struct alert_mail_in in = {a->wh_cfg.mail_from, sub->email, sub->id, NULL, NULL,
                                   pw_now_ns()};
        return alert_mail_build_group(als, inds, n, ctx, &in, body, len);
    }
    return alert_format_group(sub, als, inds, n, ctx, body, len);
}

/* Sends what g holds as one message. Returns 0 or PW_ENOMEM (kept for the
 * next heartbeat). */
static int group_send(struct alert_svc *a, struct alert_group *g,
                      const Planwatch__V1__Subscription *sub)
{
    size_t n = g->n;
    struct group_item *it = calloc(n, sizeof *it);
    const Planwatch__V1__Alert **als = calloc(n, sizeof *als);
    const struct pw_indicator **inds = calloc(n, sizeof *inds);
    uint64_t *seqs = calloc(n, sizeof *seqs);
    const char **ids = calloc(n, sizeof *ids);
    char *body = NULL;
    size_t len = 0;
    int rc = it && als && inds && seqs && ids ? 0 : PW_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        it[i].idx = i;
        if (!(it[i].al = planwatch__v1__alert__unpack(NULL, g->m[i].alen, g->m[i].alert)))
            rc = PW_ENOMEM;
    }
    if (!rc) {
        group_order(a, it, n, als, inds);
        for (size_t i = 0; i < n; i++) {
            seqs[i] = g->m[it[i].idx].seq;
            ids[i] = g->m[it[i].idx].alert_id;
        }
        a->fmt.reg = pw_sec_registry(a->sec);
        rc = group_body(a, sub, als, inds, n, &a->fmt, &body, &len);
    }
    if (!rc) {
        size_t before = alert_webhook_queued(a->wh);
        rc = alert_channel_add(a, sub, seqs[0], sub->id, ids[0], g->m[it[0].idx].event, body, len,
                               0);
        /* the head delivery carries the others (their outcomes follow its own) */
        if (!rc && alert_webhook_queued(a->wh) > before)
            rc = alert_webhook_group(a->wh, seqs + 1, ids + 1, n - 1);
    }
    if (!rc) {
        pw_info("msg=\"grouped message queued\" subscription=%llu transitions=%zu",
                (unsigned long long)sub->id, n);
        g->last_sent_ns = pw_clock_now_ns(&a->clock);
        group_clear(g);
    }
    for (size_t i = 0; it && i < n; i++)
        if (it[i].al)
            planwatch__v1__alert__free_unpacked(it[i].al, NULL);
    free(it);
    free(als);
    free(inds);
    free(seqs);
    free(ids);
    free(body);
    return rc;
}

/* One reminder to sub of als[0..n) (sorted here), as a refresh: alert seq 0. */
static void group_remind_one(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                             const Planwatch__V1__Alert **als, size_t n)
{
    const struct pw_indicator **inds = calloc(n, sizeof *inds);
    struct group_item *it = calloc(n, sizeof *it);
    char *body = NULL;
    size_t len = 0;
    int rc = inds && it ? 0 : PW_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++)
        it[i].al = (Planwatch__V1__Alert *)als[i];
    if (!rc) {
        group_order(a, it, n, als, inds);
        struct alert_format_ctx ctx = a->fmt;
        ctx.reg = pw_sec_registry(a->sec);
        ctx.reminder = 1;
        rc = group_body(a, sub, als, inds, n, &ctx, &body, &len);
    }
    if (!rc)
        rc = alert_channel_add(a, sub, 0, sub->id, "", "reminder", body, len, 0);
    if (rc)
        pw_warn("msg=\"reminder not queued\" subscription=%llu code=%s",
                (unsigned long long)sub->id, pw_errname(rc));
    else
        pw_info("msg=\"reminder queued\" subscription=%llu open_unacknowledged=%zu",
                (unsigned long long)sub->id, n);
    free(body);
    free(inds);
    free(it);
}

/* Reminders of the open, unacknowledged alerts to the subscriptions whose
 * repeat interval the clock has passed. */
static void group_remind(struct alert_svc *a, int64_t now)
{
    int due = 0;
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub_at(a->notify, i);
        if (!sub->group || !sub->group->repeat_s || sub->failed)
            continue;
        struct alert_group *g = group_of(a, sub->id, 1);
        if (g && !g->remind_due_ns)
            g->remind_due_ns = now + (int64_t)sub->group->repeat_s * 1000000000;
        else if (g && now >= g->remind_due_ns)
            due = 1;
    }
    if (!due)
        return;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    if (pw_client_query(a->store, &q, (int)a->query_timeout_ms, &r))
        return; /* the next heartbeat asks again */
    const Planwatch__V1__Alert **als = calloc(r->n_alerts ? r->n_alerts : 1, sizeof *als);
    int32_t today = pw_clock_today(&a->clock);
    for (size_t i = 0; als && i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub_at(a->notify, i);
        struct alert_group *g = sub->group && sub->group->repeat_s && !sub->failed
                                    ? group_of(a, sub->id, 0)
                                    : NULL;
        if (!g || now < g->remind_due_ns)
            continue;
        size_t n = 0;
        for (size_t k = 0; k < r->n_alerts; k++) {
            Planwatch__V1__Alert *al = r->alerts[k];
            const struct pw_indicator *ind = a->cat ? pw_catalog_find(a->cat, al->indicator_id) : NULL;
            uint64_t fseq = ind && a->st ? alert_state_figures_seq(a->st, ind->index) : 0;
            if (!alert_notify_match(sub, al))
                continue;
            alert_notify_mute(a->notify, al, fseq, today);
            if (!al->acknowledged && !al->silenced)
                als[n++] = al;
        }
        if (n)
            group_remind_one(a, sub, als, n);
        g->remind_due_ns = now + (int64_t)sub->group->repeat_s * 1000000000;
    }
    free(als);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
}

/* Sends sub its digest: the open alerts it receives (answered or not) and
 * the transitions after seq `from`. */
static void group_digest_one(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                             Planwatch__V1__QueryReply *open, Planwatch__V1__QueryReply *hist,
                             uint64_t from, int32_t today)
{
    const Planwatch__V1__Alert **als = calloc(open->n_alerts + 1, sizeof *als);
    const Planwatch__V1__Alert **ch = calloc(hist->n_alerts + 1, sizeof *ch);
    const struct pw_indicator **inds = calloc(open->n_alerts + 1, sizeof *inds);
    struct group_item *it = calloc(open->n_alerts + 1, sizeof *it);
    size_t n = 0, nc = 0;
    char *body = NULL;
    size_t len = 0;
    int rc = als && ch && inds && it ? 0 : PW_ENOMEM;
    for (size_t k = 0; !rc && k < open->n_alerts; k++) {
        Planwatch__V1__Alert *al = open->alerts[k];
        if (!alert_notify_match(sub, al))
            continue;
        alert_notify_mute(a->notify, al, UINT64_MAX, today); /* silenced? (acks do not matter) */
        if (!al->silenced)
            it[n++].al = al;
    }
    for (size_t k = 0; !rc && k < hist->n_alerts; k++)
        if (hist->alerts[k]->seq > from && alert_notify_match(sub, hist->alerts[k]))
            ch[nc++] = hist->alerts[k];
    if (!rc) {
        group_order(a, it, n, als, inds);
        struct alert_format_ctx ctx = a->fmt;
        ctx.reg = pw_sec_registry(a->sec);
        ctx.digest = 1;
        ctx.changes = ch;
        ctx.nchanges = nc;
        rc = group_body(a, sub, als, inds, n, &ctx, &body, &len);
    }
    if (!rc)
        rc = alert_channel_add(a, sub, 0, sub->id, "", "digest", body, len, 0);
    if (rc)
        pw_warn("msg=\"digest not queued\" subscription=%llu code=%s", (unsigned long long)sub->id,
                pw_errname(rc));
    else
        pw_info("msg=\"digest queued\" subscription=%llu open=%zu changes=%zu",
                (unsigned long long)sub->id, n, nc);
    free(body);
    free(als);
    free(ch);
    free(inds);
    free(it);
}

/* The digests whose time the clock has passed. */
static void group_digests(struct alert_svc *a, int64_t now)
{
    int due = 0, wday, minute;
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub_at(a->notify, i);
        if (!sub->group || !sub->group->digest || !sub->group->digest[0] || sub->failed ||
            alert_format_digest_parse(sub->group->digest, &wday, &minute))
            continue;
        struct alert_group *g = group_of(a, sub->id, 1);
        if (g && !g->digest_due_ns) {
            g->digest_due_ns = alert_format_digest_next(wday, minute, now);
            g->digest_seq = a->published;
        } else if (g && now >= g->digest_due_ns) {
            due = 1;
        }
    }
    if (!due)
        return;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *open = NULL, *hist = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    if (pw_client_query(a->store, &q, (int)a->query_timeout_ms, &open))
        return;
    q.history = 1;
    q.limit = 20000; /* the store's most; a week holds far fewer transitions */
    if (pw_client_query(a->store, &q, (int)a->query_timeout_ms, &hist)) {
        planwatch__v1__query_reply__free_unpacked(open, NULL);
        return;
    }
    int32_t today = pw_clock_today(&a->clock);
    for (size_t i = 0; i < alert_notify_nsubs(a->notify); i++) {
        const Planwatch__V1__Subscription *sub = alert_notify_sub_at(a->notify, i);
        struct alert_group *g = group_of(a, sub->id, 0);
        if (!g || !g->digest_due_ns || now < g->digest_due_ns || !sub->group ||
            alert_format_digest_parse(sub->group->digest, &wday, &minute))
            continue;
        if (!(sub->format && !strcmp(sub->format, ALERT_FORMAT_ALERTMANAGER)))
            group_digest_one(a, sub, open, hist, g->digest_seq, today);
        g->digest_seq = hist->alert_seq > a->published ? hist->alert_seq : a->published;
        g->digest_due_ns = alert_format_digest_next(wday, minute, now);
    }
    planwatch__v1__query_reply__free_unpacked(open, NULL);
    planwatch__v1__query_reply__free_unpacked(hist, NULL);
}

void alert_group_tick(struct alert_svc *a)
{
    if (!a->wh || !a->notify || !a->started)
        return;
    int64_t now = pw_clock_now_ns(&a->clock);
    group_remind(a, now);
    group_digests(a, now);
    for (size_t i = 0; i < a->ngroups; i++) {
        struct alert_group *g = &a->groups[i];
        if (!g->n)
            continue;
        const Planwatch__V1__Subscription *sub = alert_notify_sub(a->notify, g->sub_id);
        if (!sub || sub->failed || !sub->group) {
            group_clear(g); /* pending in the store: pruned, held, or resumed at start */
            continue;
        }
        int64_t wait = (int64_t)sub->group->wait_s * 1000000000,
                every = (int64_t)(sub->group->interval_s ? sub->group->interval_s
                                                         : sub->group->wait_s) *
                        1000000000;
        int64_t due = g->first_ns + wait;
        if (g->last_sent_ns && g->last_sent_ns + every > due)
            due = g->last_sent_ns + every;
        if (now >= due && group_send(a, g, sub))
            pw_warn("msg=\"grouped message not queued (out of memory), next heartbeat\" "
                    "subscription=%llu",
                    (unsigned long long)sub->id);
    }
}
