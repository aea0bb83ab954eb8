/* store_query.c - the store's read side: latest values, history, catalog,
 * status snapshots, snapshots for resynchronising subscribers, and the
 * alert service's recorded states. Status and history take a known-at
 * instant (Query.known_at_ns): only the revisions received by then count.
 * Replies are built in an arena: each update is copied into it with a
 * protobuf-c allocator backed by the arena, so one pw_arena_close frees the
 * whole reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "fy.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "store.h"

#define QUERY_SNAPSHOT_DEFAULT 5000
#define QUERY_SNAPSHOT_MAX 50000

/* Deep-copies any message into the arena (pack, then unpack with the
 * arena's allocator) and appends it to l. */
static int query_copy(struct store_list *l, const ProtobufCMessage *m)
{
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = pw_arena_alloc(l->arena, len ? len : 1);
    if (!buf)
        return PW_ENOMEM;
    protobuf_c_message_pack(m, buf);
    int rc = store_list_unpack(l, m->descriptor, buf, len);
    return rc == PW_EDB ? PW_ENOMEM : rc;
}

/* store_db callbacks */
static int query_copy_update(void *arg, const Planwatch__V1__IndicatorUpdate *u)
{
    return query_copy(arg, &u->base);
}

/* History at a known-at instant: only the revisions received by then. */
struct query_known {
    struct store_list *l;
    int64_t known_at;
};

static int query_copy_known(void *arg, const Planwatch__V1__IndicatorUpdate *u)
{
    const struct query_known *k = arg;
    return u->received_ns <= k->known_at ? query_copy(k->l, &u->base) : 0;
}

static int query_copy_alert(void *arg, const Planwatch__V1__AlertState *s)
{
    return query_copy(arg, &s->base);
}

static void query_fail(Planwatch__V1__QueryReply *r, int code, const char *why)
{
    r->code = code;
    r->error = (char *)why;
}

static void query_status(struct store *s, const Planwatch__V1__Query *q,
                         Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    int32_t as_of = pw_clock_today(&s->clock);
    if (q->as_of && q->as_of[0] && pw_day_parse(q->as_of, &as_of))
        return query_fail(r, PW_EINVAL, "as_of is not a date YYYY-MM-DD");
    struct pw_status_row *rows = NULL;
    size_t n = 0;
    if (q->known_at_ns < 0)
        return query_fail(r, PW_EINVAL, "known_at_ns is negative");
    /* the reply names the instant it stands for, so a report made from it can
     * be published with exactly that known-at (none given: now, every revision) */
    r->known_at_ns = q->known_at_ns ? q->known_at_ns : pw_clock_now_ns(&s->clock);
    if (pw_history_eval_all(s->hist, as_of, q->known_at_ns ? q->known_at_ns : PW_KNOWN_ALL, &rows,
                            &n))
        return query_fail(r, PW_ENOMEM, "out of memory");
    /* the secretariat's assessments known at the same instant ride along */
    Planwatch__V1__QueryReply cur = PLANWATCH__V1__QUERY_REPLY__INIT;
    int arc = store_assess_current(s, q->known_at_ns ? q->known_at_ns : PW_KNOWN_ALL, &cur, arena);
    if (arc) {
        free(rows);
        return query_fail(r, arc, pw_strerror(arc));
    }
    store_assess_attach(rows, n, cur.assessments, cur.n_assessments);
    Planwatch__V1__StatusRow **out = pw_arena_alloc(arena, (n ? n : 1) * sizeof *out);
    size_t k = 0;
    for (size_t i = 0; out && i < n; i++) {
        const struct pw_indicator *ind = rows[i].ind;
        if ((q->plan && q->plan[0] && strcmp(q->plan, ind->plan->id) != 0) ||
            (q->project && q->project[0] && strcmp(q->project, pw_indicator_project_id(ind)) != 0))
            continue;
        Planwatch__V1__StatusRow *row = pw_arena_alloc(arena, sizeof *row);
        struct pw_msg_row_buf *buf = pw_arena_alloc(arena, sizeof *buf);
        struct pw_eval *e = pw_arena_alloc(arena, sizeof *e);
        if (!row || !buf || !e)
            break;
        *e = rows[i].ev; /* the row borrows the explanation: keep it in the arena */
        pw_msg_status_row(row, ind, e, buf);
        struct pw_assessment *as = pw_arena_alloc(arena, sizeof *as);
        if (!as)
            break;
        *as = rows[i].as;
        pw_msg_status_row_assessed(row, e, as, buf);
        out[k++] = row;
    }
    free(rows);
    if (!out)
        return query_fail(r, PW_ENOMEM, "out of memory");
    r->rows = out;
    r->n_rows = k;
}

/* Backups go only into --backup-dir: the asker names a subdirectory
 * (one path component, no "..", nothing absolute), never a place. */
static void query_backup(struct store *s, const Planwatch__V1__Query *q,
                         Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    uint64_t seq = 0, bytes = 0;
    double t0 = pw_metrics_now();
    const char *name = q->path ? q->path : "";
    if (!s->backup_dir || !s->backup_dir[0])
        return query_fail(r, PW_EDENIED,
                          "backups are off: start the store with --backup-dir DIR");
    if (!pw_keys_valid_id(name, 64) || name[0] == '.') {
        pw_warn("msg=\"backup refused\" reason=\"not a subdirectory name\"");
        return query_fail(r, PW_EINVAL,
                          "name a subdirectory of the store's --backup-dir (1-64 of "
                          "[A-Za-z0-9._-], not starting with '.'), not a path");
    }
    char *dir = pw_arena_alloc(arena, strlen(s->backup_dir) + strlen(name) + 2);
    if (!dir)
        return query_fail(r, PW_ENOMEM, "out of memory");
    sprintf(dir, "%s/%s", s->backup_dir, name);
    int rc = store_db_backup(s->db, dir, &seq, &bytes);
    if (rc) {
        pw_metric_inc(s->m.backups_failed, 1);
        char *why = pw_arena_alloc(arena, 600);
        if (why)
            snprintf(why, 600, "%s: %s", name,
                     rc == PW_EINVAL && dir[0] != '/' ? "the store's --backup-dir must be an absolute path"
                     : rc == PW_EINVAL ? "it already holds a data.mdb: back up into a new or empty directory"
                     : rc == PW_EIO ? "cannot write there (see the store's log)"
                                    : pw_strerror(rc));
        pw_warn("msg=\"backup failed\" dir=\"%s\" err=%s", dir, pw_errname(rc));
        return query_fail(r, rc, why ? why : pw_strerror(rc));
    }
    pw_metric_inc(s->m.backups_ok, 1);
    pw_metric_set(s->m.backup_bytes, (double)bytes);
    pw_info("msg=\"backup written\" dir=\"%s\" seq=%llu bytes=%llu seconds=%.3f", dir,
            (unsigned long long)seq, (unsigned long long)bytes, pw_metrics_now() - t0);
    r->seq = seq;
    r->backup_bytes = bytes;
}

static void query_dispatch(struct store *s, const Planwatch__V1__Query *q,
                           Planwatch__V1__QueryReply *r, struct pw_arena *arena);

void store_query_answer(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    double t0 = pw_metrics_now();
    unsigned k = (unsigned)q->kind;
    query_dispatch(s, q, r, arena);
    pw_metric_inc(s->m.queries[k < STORE_QUERY_KINDS - 1 ? k : STORE_QUERY_KINDS - 1], 1);
    pw_metric_observe(s->m.query_seconds, pw_metrics_now() - t0);
}

static void query_dispatch(struct store *s, const Planwatch__V1__Query *q,
                           Planwatch__V1__QueryReply *r, struct pw_arena *arena)
{
    struct store_list l = {.arena = arena};
    int rc = 0, more = 0;
    /* echoed: cut and escaped like every echoed id (a control character
     * in it would reach the asker's terminal) */
    char *echo = pw_arena_alloc(arena, PW_MSG_ECHO_BUF);
    r->request_id = echo ? pw_msg_echo(q->request_id, echo, PW_MSG_ECHO_BUF) : "";
    r->seq = store_db_last_seq(s->db);
    s->queries++;
    switch (q->kind) {
    case PLANWATCH__V1__QUERY_KIND__QUERY_LATEST:
        rc = store_db_latest(s->db, query_copy_update, &l);
        break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY:
        if (!q->indicator_id || !pw_catalog_find(s->cat, q->indicator_id))
            return query_fail(r, PW_ENOTFOUND, "no such indicator in the store's catalog");
        if (q->known_at_ns > 0) {
            struct query_known k = {&l, q->known_at_ns};
            rc = store_db_history(s->db, q->indicator_id, query_copy_known, &k);
        } else {
            rc = store_db_history(s->db, q->indicator_id, query_copy_update, &l);
        }
        break;
    case PLANWATCH__V1__QUERY_KIND__QUERY_SNAPSHOT: {
        size_t limit = q->limit ? q->limit : QUERY_SNAPSHOT_DEFAULT;
        if (limit > QUERY_SNAPSHOT_MAX)
            limit = QUERY_SNAPSHOT_MAX;
        rc = store_db_scan(s->db, q->after_seq, limit, query_copy_update, &l, &more);
        r->more = more != 0;
        break;
    }
    case PLANWATCH__V1__QUERY_KIND__QUERY_CATALOG: {
        Planwatch__V1__CatalogFile **f = pw_arena_alloc(arena, (s->nfiles + 1) * sizeof *f);
        if (!f)
            return query_fail(r, PW_ENOMEM, "out of memory");
        for (size_t i = 0; i < s->nfiles; i++) {
            f[i] = pw_arena_alloc(arena, sizeof **f);
            if (!f[i])
                return query_fail(r, PW_ENOMEM, "out of memory");
            planwatch__v1__catalog_file__init(f[i]);
            f[i]->name = s->files[i].name;
            f[i]->yaml.data = (uint8_t *)s->files[i].yaml;
            f[i]->yaml.len = s->files[i].len;
        }
        r->catalog = f;
        r->n_catalog = s->nfiles;
        return;
    }
    case PLANWATCH__V1__QUERY_KIND__QUERY_STATUS:
        return query_status(s, q, r, arena);
    case PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_GET: {
        uint64_t aseq = 0;
        rc = store_db_alert_get(s->db, query_copy_alert, &l, &aseq);
        r->alert_seq = aseq;
        r->alert_states = (Planwatch__V1__AlertState **)l.v;
        r->n_alert_states = l.n;
        if (rc)
            query_fail(r, rc, pw_strerror(rc));
        return;
    }
    case PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP:
        return query_backup(s, q, r, arena);
    default:
        if (store_alerts_answer(s, q, r, arena)) {
            /* the alert service loads the current assessments with the rest */
            if (q->kind == PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET && !r->code &&
                (rc = store_assess_current(s, PW_KNOWN_ALL, r, arena)))
                query_fail(r, rc, pw_strerror(rc));
        } else if (!store_reports_answer(s, q, r, arena) && !store_assess_answer(s, q, r, arena) &&
                   !store_sessions_answer(s, q, r, arena)) {
            query_fail(r, PW_EINVAL, "unknown query kind");
        }
        return;
    }
    if (rc)
        return query_fail(r, rc, pw_strerror(rc));
    r->updates = (Planwatch__V1__IndicatorUpdate **)l.v;
    r->n_updates = l.n;
}
