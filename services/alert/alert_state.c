/* alert_state.c - the alert service's pure logic (see alert_state.h).
 * One record per indicator, indexed by the indicator's catalog position.
 * Invariant: last_alert_seq is the highest alert seq ever assigned or
 * restored, so alert seqs never repeat within a run or across restarts (the
 * store keeps the maximum). A record's alert_id is non-empty only while an
 * alert is open (status AT_RISK or BEHIND). */
#include "alert_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "vec.h"
#include "history.h"

struct alert_rec {
    int known;                      /* has a record (restored or decided in this run) */
    enum pw_status status;          /* recorded status */
    uint64_t alert_seq;             /* seq of the last alert published for it */
    char alert_id[ALERT_STATE_ID_MAX]; /* the open alert, "" when none */
    uint64_t dirty_seq;             /* latest update applied since the last evaluation */
};

struct alert_state {
    const struct pw_catalog *cat;
    struct pw_history *hist;
    struct alert_rec *recs;
    size_t n;
    uint64_t last_alert_seq;
    uint64_t resyncs;
    struct pw_seqtrack track;
};

static int state_problem(enum pw_status st)
{
    return st == PW_STATUS_AT_RISK || st == PW_STATUS_BEHIND;
}

void alert_state_list_clear(struct alert_state_list *l)
{
    if (l)
        l->n = 0;
}

void alert_state_list_free(struct alert_state_list *l)
{
    if (!l)
        return;
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* Reserves room for one more transition and returns it (not yet counted). */
static struct alert_state_transition *state_list_slot(struct alert_state_list *l)
{
    if (pw_vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return NULL;
    return &l->v[l->n];
}

int alert_state_open(struct alert_state **out, const struct pw_catalog *cat)
{
    if (!out || !cat)
        return PW_EINVAL;
    struct alert_state *s = calloc(1, sizeof *s);
    if (!s)
        return PW_ENOMEM;
    s->cat = cat;
    s->n = pw_catalog_count(cat);
    s->recs = calloc(s->n ? s->n : 1, sizeof *s->recs);
    if (!s->recs || pw_history_open(&s->hist, cat)) {
        free(s->recs);
        free(s);
        return PW_ENOMEM;
    }
    pw_seqtrack_init(&s->track, 0);
    *out = s;
    return 0;
}

void alert_state_close(struct alert_state **sp)
{
    if (!sp || !*sp)
        return;
    pw_history_close(&(*sp)->hist);
    free((*sp)->recs);
    free(*sp);
    *sp = NULL;
}

/* Adds u (seq already judged to be applied) and consumes its seq. */
static int state_add(struct alert_state *s, const Planwatch__V1__IndicatorUpdate *u, size_t *index)
{
    const struct pw_indicator *ind =
        u->indicator_id ? pw_catalog_find(s->cat, u->indicator_id) : NULL;
    if (!ind) {
        pw_seqtrack_applied(&s->track, u->seq);
        return PW_ENOTFOUND;
    }
    struct pw_obs o;
    pw_msg_obs_from_update(&o, u, ind);
    if (pw_history_add(s->hist, ind, &o))
        return PW_ENOMEM;
    pw_seqtrack_applied(&s->track, u->seq);
    s->recs[ind->index].dirty_seq = u->seq;
    if (index)
        *index = ind->index;
    return 0;
}

int alert_state_apply(struct alert_state *s, const Planwatch__V1__IndicatorUpdate *u,
                      enum pw_seq_verdict *verdict, size_t *index)
{
    if (!s || !u || !verdict || !index || u->seq == 0)
        return PW_EINVAL;
    *verdict = pw_seqtrack_message(&s->track, u->seq);
    if (*verdict != PW_SEQ_APPLY)
        return 0;
    return state_add(s, u, index);
}

int alert_state_load(struct alert_state *s, Planwatch__V1__IndicatorUpdate *const *u, size_t n,
                     size_t *added, size_t *unknown)
{
    size_t a = 0, k = 0;
    int rc = 0;
    if (!s || (n && !u))
        return PW_EINVAL;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!u[i] || u[i]->seq <= s->track.last)
            continue;
        rc = state_add(s, u[i], NULL);
        if (rc == 0)
            a++;
        else if (rc == PW_ENOTFOUND) {
            k++;
            rc = 0;
        }
    }
    if (added)
        *added = a;
    if (unknown)
        *unknown = k;
    return rc;
}

void alert_state_reset(struct alert_state *s)
{
    pw_history_clear(s->hist);
    for (size_t i = 0; i < s->n; i++)
        s->recs[i].dirty_seq = 0;
    pw_seqtrack_init(&s->track, 0);
}

int alert_state_restore(struct alert_state *s, Planwatch__V1__AlertState *const *recs, size_t n,
                        uint64_t alert_seq, size_t *ignored)
{
    size_t bad = 0;
    if (!s || (n && !recs))
        return PW_EINVAL;
    for (size_t i = 0; i < s->n; i++) {
        s->recs[i].known = 0;
        s->recs[i].alert_seq = 0;
        s->recs[i].alert_id[0] = '\0';
    }
    if (alert_seq > s->last_alert_seq)
        s->last_alert_seq = alert_seq;
    for (size_t i = 0; i < n; i++) {
        const Planwatch__V1__AlertState *r = recs[i];
        const struct pw_indicator *ind =
            r && r->indicator_id ? pw_catalog_find(s->cat, r->indicator_id) : NULL;
        if (!ind || (unsigned)r->status >= PW_STATUS_COUNT) {
            bad++;
            continue;
        }
        struct alert_rec *a = &s->recs[ind->index];
        a->known = 1;
        a->status = (enum pw_status)r->status;
        a->alert_seq = r->alert_seq;
        /* only an open alert's id matters: a closed one is never reused */
        snprintf(a->alert_id, sizeof a->alert_id, "%s",
                 state_problem(a->status) && r->alert_id ? r->alert_id : "");
        if (r->alert_seq > s->last_alert_seq)
            s->last_alert_seq = r->alert_seq;
    }
    if (ignored)
        *ignored = bad;
    return 0;
}

/* Compares ind's evaluation with its record; appends a transition if they
 * differ. The slot is reserved before the record changes, so PW_ENOMEM
 * leaves everything as it was. */
static int state_judge(struct alert_state *s, size_t i, const struct pw_eval *ev,
                       struct alert_state_list *out)
{
    struct alert_rec *a = &s->recs[i];
    const struct pw_indicator *ind = pw_catalog_at(s->cat, i);
    if (a->known && a->status == ev->status) {
        a->dirty_seq = 0;
        return 0;
    }
    struct alert_state_transition *t = state_list_slot(out);
    if (!t)
        return PW_ENOMEM;
    memset(t, 0, sizeof *t);
    t->ind = ind;
    t->to = ev->status;
    t->from = a->known                              ? a->status
              : ind->target.type == PW_TARGET_NONE ? PW_STATUS_NO_TARGET
                                                   : PW_STATUS_NO_DATA;
    t->publish = a->known || state_problem(t->to);
    t->update_seq = a->dirty_seq;
    t->applied_seq = s->track.last;
    t->ev = *ev;
    if (t->publish) {
        t->alert_seq = ++s->last_alert_seq;
        if (state_problem(t->from) && a->alert_id[0])
            snprintf(t->alert_id, sizeof t->alert_id, "%s", a->alert_id); /* still open / closing */
        else
            snprintf(t->alert_id, sizeof t->alert_id, "%s:%llu", ind->id,
                     (unsigned long long)t->alert_seq);
        a->alert_seq = t->alert_seq;
    }
    a->known = 1;
    a->status = t->to;
    snprintf(a->alert_id, sizeof a->alert_id, "%s", state_problem(t->to) ? t->alert_id : "");
    a->dirty_seq = 0;
    out->n++;
    return 0;
}

static int state_eval_one(struct alert_state *s, size_t i, int32_t day,
                          struct alert_state_list *out)
{
    const struct pw_indicator *ind = pw_catalog_at(s->cat, i);
    size_t nobs;
    const struct pw_obs *obs = pw_history_get(s->hist, ind, &nobs);
    struct pw_eval ev;
    /* the sweep decides on the status alone; words only for a change */
    int rc = pw_eval_status(ind, obs, nobs, day, &ev);
    if (rc)
        return rc;
    if (!(s->recs[i].known && s->recs[i].status == ev.status) &&
        (rc = pw_eval_indicator(ind, obs, nobs, day, &ev)))
        return rc;
    return state_judge(s, i, &ev, out);
}

int alert_state_eval(struct alert_state *s, size_t index, int32_t day,
                     struct alert_state_list *out)
{
    if (!s || !out || index >= s->n)
        return PW_EINVAL;
    return state_eval_one(s, index, day, out);
}

int alert_state_eval_all(struct alert_state *s, int32_t day, struct alert_state_list *out)
{
    if (!s || !out)
        return PW_EINVAL;
    for (size_t i = 0; i < s->n; i++) {
        int rc = state_eval_one(s, i, day, out);
        if (rc)
            return rc;
    }
    return 0;
}

void alert_state_record(const struct alert_state_transition *t, Planwatch__V1__AlertState *rec)
{
    planwatch__v1__alert_state__init(rec);
    rec->indicator_id = (char *)t->ind->id;
    rec->status = (Planwatch__V1__Status)t->to;
    rec->alert_seq = t->alert_seq;
    rec->applied_seq = t->applied_seq;
    rec->alert_id = (char *)t->alert_id;
}

int alert_state_records_build(struct alert_state_records *r, const struct alert_state_list *l)
{
    if (!r || !l)
        return PW_EINVAL;
    memset(r, 0, sizeof *r);
    if (l->n == 0)
        return 0;
    size_t nind = 0;
    for (size_t k = 0; k < l->n; k++)
        if (l->v[k].ind->index + 1 > nind)
            nind = l->v[k].ind->index + 1;
    unsigned char *seen = calloc(nind, 1);
    r->recs = calloc(l->n, sizeof *r->recs);
    r->ptrs = calloc(l->n, sizeof *r->ptrs);
    if (!seen || !r->recs || !r->ptrs) {
        free(seen);
        alert_state_records_free(r);
        return PW_ENOMEM;
    }
    /* newest first, skipping indicators already taken, then back in order:
     * one record per indicator, its latest state */
    for (size_t k = l->n; k-- > 0;) {
        const struct alert_state_transition *t = &l->v[k];
        if (!seen[t->ind->index]) {
            seen[t->ind->index] = 1;
            alert_state_record(t, &r->recs[r->n++]);
        }
    }
    free(seen);
    for (size_t j = 0; j < r->n / 2; j++) {
        Planwatch__V1__AlertState tmp = r->recs[j];
        r->recs[j] = r->recs[r->n - 1 - j];
        r->recs[r->n - 1 - j] = tmp;
    }
    for (size_t j = 0; j < r->n; j++)
        r->ptrs[j] = &r->recs[j];
    return 0;
}

void alert_state_records_free(struct alert_state_records *r)
{
    if (!r)
        return;
    free(r->recs);
    free(r->ptrs);
    memset(r, 0, sizeof *r);
}

Planwatch__V1__Severity alert_state_severity(enum pw_status to)
{
    return to == PW_STATUS_BEHIND    ? PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL
           : to == PW_STATUS_AT_RISK ? PLANWATCH__V1__SEVERITY__SEVERITY_WARNING
                                     : PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
}

void alert_state_build_alert(const struct alert_state_transition *t, int64_t time_ns,
                             struct alert_state_msg *m)
{
    planwatch__v1__alert__init(&m->alert);
    pw_msg_status_row(&m->row, t->ind, &t->ev, &m->buf);
    m->alert.alert_id = (char *)t->alert_id;
    m->alert.seq = t->alert_seq;
    m->alert.indicator_id = (char *)t->ind->id;
    m->alert.plan = (char *)t->ind->plan->id;
    m->alert.project = (char *)pw_indicator_project_id(t->ind);
    m->alert.name = (char *)t->ind->name;
    m->alert.status = (Planwatch__V1__Status)t->to;
    m->alert.previous = (Planwatch__V1__Status)t->from;
    m->alert.severity = alert_state_severity(t->to);
    m->alert.row = &m->row;
    m->alert.update_seq = t->update_seq;
    m->alert.time_ns = time_ns;
}

enum pw_seq_verdict alert_state_heartbeat(struct alert_state *s, uint64_t store_seq)
{
    return pw_seqtrack_heartbeat(&s->track, store_seq);
}

void alert_state_count_resync(struct alert_state *s)
{
    s->resyncs++;
}

uint64_t alert_state_applied_seq(const struct alert_state *s)
{
    return s->track.last;
}

uint64_t alert_state_last_alert_seq(const struct alert_state *s)
{
    return s->last_alert_seq;
}

uint64_t alert_state_resyncs(const struct alert_state *s)
{
    return s->resyncs;
}

const struct pw_catalog *alert_state_catalog(const struct alert_state *s)
{
    return s->cat;
}

int alert_state_recorded(const struct alert_state *s, size_t index, enum pw_status *status,
                         const char **alert_id)
{
    if (!s || index >= s->n || !s->recs[index].known)
        return 0;
    if (status)
        *status = s->recs[index].status;
    if (alert_id)
        *alert_id = s->recs[index].alert_id;
    return 1;
}
