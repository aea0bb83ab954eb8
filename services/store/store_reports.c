/* store_reports.c - published reports (README "Known-at and published
 * reports"): QUERY_REPORT_PUBLISH keeps a report's exact bytes with what it
 * was made from (as-of, known-at, format, the digest of the store's catalog,
 * who published it) under the next report id, in one durable transaction;
 * QUERY_REPORTS lists them without their bodies; QUERY_REPORT_GET returns
 * one whole. A stored report is never changed or removed here. Rights are
 * checked by main.c (publishing needs manage, reading read). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "fy.h"
#include "log.h"
#include "store.h"
#include "text.h"

#define REPORT_BODY_MAX (16u << 20) /* far above any follow-up table; the message limit is 64 MiB */
#define REPORT_TEXT_MAX 128

static void rep_fail(Planwatch__V1__QueryReply *r, int code, const char *why)
{
    r->code = code;
    r->error = (char *)why;
}

/* SHA-256 (hex) of the catalog files the store runs with, names included:
 * the same digest means the same catalog. */
static char *rep_digest(struct store *s, struct pw_arena *a)
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    char *hex = pw_arena_alloc(a, sizeof h * 2 + 1);
    if (!hex)
        return NULL;
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < s->nfiles; i++) {
        crypto_hash_sha256_update(&st, (const unsigned char *)s->files[i].name,
                                  strlen(s->files[i].name) + 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)s->files[i].yaml, s->files[i].len);
    }
    crypto_hash_sha256_final(&st, h);
    return sodium_bin2hex(hex, sizeof h * 2 + 1, h, sizeof h);
}

static int rep_text_ok(const char *t, int required)
{
    size_t n = t ? strlen(t) : 0;
    if ((required && n == 0) || n > REPORT_TEXT_MAX)
        return 0;
    return !t || pw_text_clean(t, n);
}

/* What a publication must carry; NULL when it does, else why not. */
static const char *rep_check(struct store *s, const Planwatch__V1__PublishedReport *in)
{
    int32_t day;
    if (!in)
        return "report: missing";
    if (!in->plan || !pw_catalog_find_plan(s->cat, in->plan))
        return "report.plan: no such plan in the store's catalog";
    if (in->fiscal_year < PW_FY_MIN || in->fiscal_year > PW_FY_MAX)
        return "report.fiscal_year: not a fiscal year";
    if (!in->format || (strcmp(in->format, "csv") && strcmp(in->format, "md") &&
                        strcmp(in->format, "html") && strcmp(in->format, "xlsx") &&
                        strcmp(in->format, "pdf")))
        return "report.format: not csv, md, html, xlsx or pdf";
    if (!in->as_of || pw_day_parse(in->as_of, &day))
        return "report.as_of: not a date YYYY-MM-DD";
    if (in->body.len == 0 || in->body.len > REPORT_BODY_MAX)
        return "report.body: empty or larger than 16 MiB";
    if (!rep_text_ok(in->by, 0) || !rep_text_ok(in->office, 0))
        return "report.by, report.office: at most 128 bytes of clean UTF-8";
    if (in->known_at_ns < 0)
        return "report.known_at_ns: negative";
    return NULL;
}

static void rep_publish(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *r, struct pw_arena *a)
{
    const Planwatch__V1__PublishedReport *in = q->report;
    const char *why = rep_check(s, in);
    if (why)
        return rep_fail(r, PW_EINVAL, why);
    Planwatch__V1__PublishedReport rec = *in; /* shallow: the query outlives the write */
    rec.base.unknown_fields = NULL;
    rec.base.n_unknown_fields = 0;
    rec.id = store_db_meta(s->db, "report_id") + 1;
    rec.published_ns = pw_clock_now_ns(&s->clock);
    if (!rec.known_at_ns) /* not given: what was known at publication */
        rec.known_at_ns = rec.published_ns;
    /* a service (the HTTP door) names the office it authenticated, as it does
     * for feeds; anyone else is who the connection says */
    rec.office = (char *)(s->asker && !s->asker_service ? s->asker
                          : in->office                  ? in->office
                                                        : "");
    if (!rec.by || !rec.by[0])
        rec.by = rec.office;
    rec.size = in->body.len;
    rec.catalog_digest = rep_digest(s, a);
    unsigned char *key = pw_arena_alloc(a, 8), *idv = pw_arena_alloc(a, 8);
    if (!rec.catalog_digest || !key || !idv)
        return rep_fail(r, PW_ENOMEM, "out of memory");
    store_db_put_be64(key, rec.id);
    store_db_put_be64(idv, rec.id);
    struct store_db_op ops[2] = {
        {.table = STORE_T_REPORTS, .key = key, .klen = 8, .msg = &rec.base},
        {.table = STORE_T_META, .key = "report_id", .klen = 9, .val = idv, .vlen = 8},
    };
    int rc = store_db_write(s->db, ops, 2);
    if (rc)
        return rep_fail(r, rc, rc == PW_EMAPFULL ? "the store is full (--max-map-mb)"
                                                 : pw_strerror(rc));
    pw_info("msg=\"report published\" id=%llu plan=%s fy=%d format=%s bytes=%zu by=\"%s\"",
            (unsigned long long)rec.id, rec.plan, (int)rec.fiscal_year, rec.format,
            rec.body.len, rec.by);
    r->id = rec.id;
}

struct rep_list {
    struct store_list l;
    const char *plan; /* "" or NULL: every plan */
    int bodies;       /* keep the bodies (QUERY_REPORT_GET) */
};

static int rep_list_cb(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    struct rep_list *x = arg;
    size_t before = x->l.n;
    int rc = store_list_unpack(&x->l, &planwatch__v1__published_report__descriptor, val, vlen);
    if (rc)
        return rc;
    Planwatch__V1__PublishedReport *p = x->l.v[before];
    if (x->plan && x->plan[0] && (!p->plan || strcmp(p->plan, x->plan))) {
        x->l.n = before;
        return 0;
    }
    if (!x->bodies) {
        p->body.data = NULL;
        p->body.len = 0;
    }
    return 0;
}

static void rep_list(struct store *s, const Planwatch__V1__Query *q, Planwatch__V1__QueryReply *r,
                     struct pw_arena *a, int one)
{
    struct rep_list x = {.l = {.arena = a}, .plan = one ? NULL : q->plan, .bodies = one};
    int rc;
    if (one) {
        unsigned char key[8];
        store_db_put_be64(key, q->id);
        rc = store_db_get(s->db, STORE_T_REPORTS, key, 8, rep_list_cb, &x);
        if (rc == PW_ENOTFOUND)
            return rep_fail(r, rc, "no published report with this id");
    } else {
        rc = store_db_each(s->db, STORE_T_REPORTS, NULL, 0, 0, rep_list_cb, &x);
    }
    if (rc)
        return rep_fail(r, rc, pw_strerror(rc));
    r->reports = (Planwatch__V1__PublishedReport **)x.l.v;
    r->n_reports = x.l.n;
}

int store_reports_answer(struct store *s, const Planwatch__V1__Query *q,
                         Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    switch (q->kind) {
    case PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_PUBLISH: rep_publish(s, q, r, arena); return 1;
    case PLANWATCH__V1__QUERY_KIND__QUERY_REPORTS: rep_list(s, q, r, arena, 0); return 1;
    case PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_GET: rep_list(s, q, r, arena, 1); return 1;
    default: return 0;
    }
}
