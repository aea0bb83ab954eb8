/* store_assess.c - the secretariat's assessments (README "The secretariat's
 * assessment"): a grade (A/B) per indicator and fiscal year decided beside
 * the plan's rule, with a reason and who decided. Every record is kept
 * (history) under indicator \0 fiscal year + the instant it was received +
 * its record id, so the latest known at a known-at instant is the last of
 * its group in key order; a withdrawn record means none. The evaluation is never changed:
 * status rows carry the assessment next to the computed grade. Rights are
 * checked by main.c (recording needs manage, reading read). */
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

#define ASSESS_SOURCE_MAX 256

static void as_fail(Planwatch__V1__QueryReply *r, int code, const char *why)
{
    r->code = code;
    r->error = (char *)why;
}

static int as_text_ok(const char *t, size_t max, int required)
{
    size_t n = t ? strlen(t) : 0;
    if ((required && n == 0) || n > max)
        return 0;
    return !t || pw_text_clean(t, n);
}

/* What a record must carry; NULL when it does, else why not. */
static const char *as_check(struct store *s, const Planwatch__V1__Assessment *in)
{
    if (!in)
        return "assessment: missing";
    if (!in->indicator_id || !pw_catalog_find(s->cat, in->indicator_id))
        return "assessment.indicator_id: no such indicator in the store's catalog";
    if (in->fiscal_year < PW_FY_MIN || in->fiscal_year > PW_FY_MAX)
        return "assessment.fiscal_year: not a fiscal year";
    if (!in->withdrawn && (!in->grade || (strcmp(in->grade, "A") && strcmp(in->grade, "B"))))
        return "assessment.grade: A or B";
    if (!as_text_ok(in->reason, PW_ASSESS_REASON_MAX - 1, !in->withdrawn))
        return "assessment.reason: required, at most 1023 bytes of clean UTF-8";
    if (!as_text_ok(in->by, PW_ASSESS_BY_MAX - 1, 0))
        return "assessment.by: at most 127 bytes of clean UTF-8";
    if (!as_text_ok(in->source, ASSESS_SOURCE_MAX, 0))
        return "assessment.source: at most 256 bytes of clean UTF-8";
    return NULL;
}

/* Key prefix indicator \0 fy (u32 BE); buf holds PW_ID_MAX + 13 bytes. */
static size_t as_key(unsigned char *buf, const char *id, int fy)
{
    size_t n = strlen(id);
    memcpy(buf, id, n + 1);
    buf[n + 1] = (unsigned char)((uint32_t)fy >> 24);
    buf[n + 2] = (unsigned char)((uint32_t)fy >> 16);
    buf[n + 3] = (unsigned char)((uint32_t)fy >> 8);
    buf[n + 4] = (unsigned char)fy;
    return n + 5;
}

/* Collects the current record of each (indicator, fiscal year): the last
 * received by known_at of its key group, unless withdrawn. */
struct as_cur {
    struct store_list l;
    int64_t known_at;
    int history;                           /* every record instead */
    Planwatch__V1__Assessment *pending;    /* the group's latest so far */
};

static int as_same_group(const Planwatch__V1__Assessment *a, const Planwatch__V1__Assessment *b)
{
    return a->fiscal_year == b->fiscal_year && strcmp(a->indicator_id ? a->indicator_id : "",
                                                      b->indicator_id ? b->indicator_id : "") == 0;
}

static int as_flush(struct as_cur *x)
{
    Planwatch__V1__Assessment *p = x->pending;
    x->pending = NULL;
    return p && !p->withdrawn ? store_list_push(&x->l, p) : 0;
}

static int as_each_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct as_cur *x = arg;
    size_t before = x->l.n;
    int rc = store_list_unpack(&x->l, &planwatch__v1__assessment__descriptor, val, vlen);
    if (rc || x->history)
        return rc;
    Planwatch__V1__Assessment *m = x->l.v[before];
    x->l.n = before; /* held as pending until its group ends */
    if (m->received_ns > x->known_at)
        return 0;
    if (x->pending && !as_same_group(x->pending, m) && (rc = as_flush(x)))
        return rc;
    x->pending = m;
    return 0;
}

static int as_collect(struct store *s, int64_t known_at, int history, struct store_list *out)
{
    struct as_cur x = {.l = *out, .known_at = known_at, .history = history};
    int rc = store_db_each(s->db, STORE_T_ASSESSMENTS, NULL, 0, 0, as_each_cb, &x);
    if (!rc)
        rc = as_flush(&x);
    *out = x.l;
    return rc;
}

int store_assess_current(struct store *s, int64_t known_at, Planwatch__V1__QueryReply *r,
                         struct pw_arena *arena)
{
    struct store_list l = {.arena = arena};
    int rc = as_collect(s, known_at, 0, &l);
    if (rc)
        return rc;
    r->assessments = (Planwatch__V1__Assessment **)l.v;
    r->n_assessments = l.n;
    return 0;
}

void store_assess_attach(struct pw_status_row *rows, size_t n,
                         Planwatch__V1__Assessment *const *a, size_t na)
{
    for (size_t i = 0; i < n; i++) {
        memset(&rows[i].as, 0, sizeof rows[i].as);
        for (size_t k = 0; rows[i].ev.cp.fy && k < na; k++)
            if (a[k]->fiscal_year == rows[i].ev.cp.fy && a[k]->indicator_id &&
                strcmp(a[k]->indicator_id, rows[i].ind->id) == 0)
                pw_msg_assessment_from(&rows[i].as, a[k]);
    }
}

static int as_streq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The current record of in's (indicator, fiscal year) into the arena, or
 * NULL when none (or on error: *rc). */
static Planwatch__V1__Assessment *as_current_of(struct store *s,
                                                const Planwatch__V1__Assessment *in,
                                                struct pw_arena *a, int *rc)
{
    unsigned char prefix[PW_ID_MAX + 16];
    struct store_list l = {.arena = a};
    struct as_cur x = {.known_at = PW_KNOWN_ALL};
    size_t plen = as_key(prefix, in->indicator_id, in->fiscal_year);
    x.l = l;
    *rc = store_db_each(s->db, STORE_T_ASSESSMENTS, prefix, plen, 0, as_each_cb, &x);
    if (!*rc)
        *rc = as_flush(&x);
    return !*rc && x.l.n ? x.l.v[0] : NULL;
}

static void as_record(struct store *s, const Planwatch__V1__Query *q,
                      Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    const Planwatch__V1__Assessment *in = q->assessment;
    const char *why = as_check(s, in);
    int rc = 0;
    if (why)
        return as_fail(r, PW_EINVAL, why);
    Planwatch__V1__Assessment rec = *in; /* shallow: the query outlives the write */
    rec.base.unknown_fields = NULL;
    rec.base.n_unknown_fields = 0;
    /* a service (the HTTP door) names the office it authenticated, as for
     * published reports; anyone else is who the connection says */
    rec.office = (char *)(s->asker && !s->asker_service ? s->asker
                          : in->office                  ? in->office
                                                        : "");
    if (!rec.by || !rec.by[0])
        rec.by = rec.office;
    if (rec.withdrawn) {
        rec.grade = (char *)"";
    }
    Planwatch__V1__Assessment *cur = as_current_of(s, in, a, &rc);
    if (rc)
        return as_fail(r, rc, pw_strerror(rc));
    if (rec.withdrawn && !cur)
        return as_fail(r, PW_ENOTFOUND, "no assessment of this indicator and fiscal year to withdraw");
    /* the same assessment again (a file loaded twice) is no new record */
    if (!rec.withdrawn && cur && as_streq(cur->grade, rec.grade) &&
        as_streq(cur->reason, rec.reason) && as_streq(cur->by, rec.by) &&
        as_streq(cur->source, rec.source)) {
        r->id = 0;
        return;
    }
    rec.received_ns = pw_clock_now_ns(&s->clock);
    /* the record id after the instant: two records in the same instant (a
     * clock that stands still) keep their order instead of replacing one */
    uint64_t id = store_db_meta(s->db, "assess_id") + 1;
    unsigned char *key = pw_arena_alloc(a, PW_ID_MAX + 24), *idv = pw_arena_alloc(a, 8);
    if (!key || !idv)
        return as_fail(r, PW_ENOMEM, "out of memory");
    size_t klen = as_key(key, rec.indicator_id, rec.fiscal_year);
    store_db_put_be64(key + klen, (uint64_t)rec.received_ns);
    store_db_put_be64(key + klen + 8, id);
    store_db_put_be64(idv, id);
    struct store_db_op ops[3] = {
        {.table = STORE_T_ASSESSMENTS, .key = key, .klen = klen + 16, .msg = &rec.base},
        {.table = STORE_T_META, .key = "assess_id", .klen = 9, .val = idv, .vlen = 8},
    };
    if ((rc = store_admin_write(s, ops, 2, "assessments", a)))
        return as_fail(r, rc, rc == PW_EMAPFULL ? "the store is full (--max-map-mb)"
                                                : pw_strerror(rc));
    pw_info("msg=\"assessment recorded\" indicator=%s fy=%d grade=%s withdrawn=%d by=\"%s\"",
            rec.indicator_id, (int)rec.fiscal_year, rec.grade, (int)rec.withdrawn, rec.by);
    r->id = 1;
}

int store_assess_answer(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    switch (q->kind) {
    case PLANWATCH__V1__QUERY_KIND__QUERY_ASSESS: as_record(s, q, r, arena); break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_ASSESSMENTS: {
        struct store_list l = {.arena = arena};
        int rc;
        if (q->known_at_ns < 0)
            return as_fail(r, PW_EINVAL, "known_at_ns is negative"), 1;
        rc = as_collect(s, q->known_at_ns ? q->known_at_ns : PW_KNOWN_ALL, q->history, &l);
        if (rc)
            as_fail(r, rc, pw_strerror(rc));
        r->assessments = (Planwatch__V1__Assessment **)l.v;
        r->n_assessments = l.n;
        break;
    }
    default: return 0;
    }
    r->admin_seq = s->admin_seq;
    return 1;
}
