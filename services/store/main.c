/* main.c - planwatch-store: persists every indicator update in LMDB and
 * answers queries (docs/pipeline.md).
 *
 * One reactor (lib/svc/reactor.h) over: the SUB on ingest's update stream (drained into
 * one durable LMDB transaction per iteration - group commit - after which
 * the committed updates are published with their seq and acknowledged to
 * ingest), and the query ROUTER. A heartbeat timer announces the last seq on
 * the PUB and liveness on the ack channel. No LMDB transaction outlives a
 * call into store_db. Single-threaded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "service.h"
#include "err.h"
#include "feed.h"
#include "file.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "pidfile.h"
#include "reactor.h"
#include "sanity.h"
#include "vec.h"
#include "wirepack.h"
#include "zap.h"
#include "store.h"
#include "zsock.h"

/* The settings (strings point into argv, the environment or the defaults). */
struct store_cfg {
    const char *data_dir, *updates, *ack_to, *listen, *publish, *backup_dir;
    long batch, map_mb, max_map_mb, heartbeat_ms;
#ifdef PW_TEST_HOOKS
    long drop_every; /* --test-drop-every: test builds only (CMake PW_TEST_HOOKS) */
#endif
    struct pw_service_settings common; /* catalog, clock, keys, ... */
};

static const struct pw_service_use store_shared[] = {
    {PW_SERVICE_CATALOG, NULL},
    {PW_SERVICE_CLOCK, "today for status snapshots: \"\" wall clock, YYYY-MM-DD, or file:PATH"},
    {PW_SERVICE_LOG_LEVEL, NULL},
    {PW_SERVICE_METRICS, NULL},
    {PW_SERVICE_INSECURE, NULL},
    {PW_SERVICE_INSECURE_ANYWHERE, NULL},
    {PW_SERVICE_SECRET_KEY, NULL},
    {PW_SERVICE_REGISTRY, "office registry YAML: which keys may query (read: true) and which are services"},
    {PW_SERVICE_INGEST_KEY, "ingest's public key file (ingest.key), to subscribe to it over CURVE"},
};

/* Reads c's settings (pw_service_start): -1 to go on, else the exit status. */
static int store_config(struct store_cfg *c, int argc, char **argv, struct pw_clock *clock)
{
    const struct pw_cfg own[] = {
        {"data-dir", PW_CFG_STR, "data/store", 0, 0, "LMDB directory (one store per directory)", &c->data_dir, 0},
        {"updates", PW_CFG_STR, "tcp://127.0.0.1:7602", 0, 0, "ingest's update publisher to subscribe to", &c->updates, 0},
        {"ack-to", PW_CFG_STR, "tcp://127.0.0.1:7603", 0, 0, "ingest's ack inbox", &c->ack_to, 0},
        {"listen", PW_CFG_STR, "tcp://127.0.0.1:7604", 0, 0, "query endpoint (ROUTER)", &c->listen, 0},
        {"publish", PW_CFG_STR, "tcp://127.0.0.1:7605", 0, 0, "committed-update publisher (PUB)", &c->publish, 0},
        {"backup-dir", PW_CFG_STR, "", 0, 0, "directory backups are written into (planwatch backup NAME: its subdirectory NAME); \"\": backups off", &c->backup_dir, 0},
        {"batch", PW_CFG_INT, "1000", 1, 100000, "most updates per durable commit (group commit)", &c->batch, 0},
        {"map-mb", PW_CFG_INT, "64", 1, 1048576, "initial LMDB map size, MiB", &c->map_mb, 0},
        {"max-map-mb", PW_CFG_INT, "65536", 1, 16777216, "the map doubles when full, up to this, MiB", &c->max_map_mb, 0},
        {"heartbeat-ms", PW_CFG_INT, "1000", 10, 60000, "heartbeat interval", &c->heartbeat_ms, 0},
#ifdef PW_TEST_HOOKS /* loses data on purpose: never in a release build */
        {"test-drop-every", PW_CFG_INT, "0", 0, 1000000, "test hook: drop every Nth publication (gap repair tests)", &c->drop_every, 0},
#endif
    };
    const struct pw_service_def def = {
        "store", "Persists every indicator update in LMDB and answers queries.",
        own, sizeof own / sizeof own[0], store_shared, sizeof store_shared / sizeof store_shared[0]};
    return pw_service_start(&def, &c->common, argc, argv, clock);
}

/* Adds a stored revision o of ind to the in-memory history. */
static void store_remember(struct store *s, const struct pw_indicator *ind,
                           const struct pw_obs *o, uint64_t seq)
{
    if (pw_history_add(s->hist, ind, o))
        pw_error("msg=\"out of memory keeping history\" seq=%llu", (unsigned long long)seq);
}

/* Start-up: every stored update joins the history (unknown indicators are
 * kept in LMDB but not evaluated). */
static int store_load_cb(void *arg, const Planwatch__V1__IndicatorUpdate *u)
{
    struct store *s = arg;
    const struct pw_indicator *ind = pw_catalog_find(s->cat, u->indicator_id);
    if (ind) {
        struct pw_obs o;
        pw_msg_obs_from_update(&o, u, ind);
        store_remember(s, ind, &o, u->seq);
    }
    return 0;
}

/* Reads the catalog files (or the built-in ones) and keeps their text. */
static int store_load_catalog(struct store *s, const char *catalog)
{
    struct pw_diag d = {0};
    char msg[600];
    int rc = 0;
    if (!catalog[0]) {
        s->nfiles = pw_catalog_default_count();
        s->files = calloc(s->nfiles, sizeof *s->files);
        for (size_t i = 0; s->files && i < s->nfiles; i++) {
            const char *name, *yaml;
            size_t len;
            pw_catalog_default_file(i, &name, &yaml, &len);
            s->files[i].name = strdup(name);
            s->files[i].yaml = malloc(len + 1);
            if (!s->files[i].name || !s->files[i].yaml)
                return PW_ENOMEM;
            memcpy(s->files[i].yaml, yaml, len);
            s->files[i].len = len;
        }
    } else {
        char *list = strdup(catalog), *save = NULL;
        size_t cap = 1;
        for (const char *c = catalog; *c; c++)
            cap += *c == ',';
        s->files = calloc(cap, sizeof *s->files);
        if (!list || !s->files) {
            free(list);
            return PW_ENOMEM;
        }
        for (char *tok = strtok_r(list, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
            struct store_catalog_file *f = &s->files[s->nfiles];
            rc = pw_file_read(tok, PW_CATALOG_MAX_BYTES, &f->yaml, &f->len, &d);
            if (!rc && !(f->name = strdup(tok)))
                rc = PW_ENOMEM;
            if (!rc)
                s->nfiles++;
        }
        free(list);
        if (rc) {
            pw_error("msg=\"cannot read catalog\" %s", pw_diag_format(&d, NULL, msg, sizeof msg));
            return rc;
        }
    }
    if (!s->files)
        return PW_ENOMEM;
    const char **names = calloc(s->nfiles, sizeof *names), **bufs = calloc(s->nfiles, sizeof *bufs);
    size_t *lens = calloc(s->nfiles, sizeof *lens);
    if (!names || !bufs || !lens)
        rc = PW_ENOMEM;
    for (size_t i = 0; !rc && i < s->nfiles; i++) {
        names[i] = s->files[i].name;
        bufs[i] = s->files[i].yaml;
        lens[i] = s->files[i].len;
    }
    if (!rc && (rc = pw_catalog_load_buffers(&s->cat, names, bufs, lens, s->nfiles, &d)))
        pw_error("msg=\"catalog rejected\" %s", pw_diag_format(&d, NULL, msg, sizeof msg));
    free(names);
    free(bufs);
    free(lens);
    return rc;
}

/* What an office hears while the store's disk is full (PW_EDISKFULL). */
static const char store_disk_full_why[] =
    "the store's disk is full: its commit failed with ENOSPC (no space left on device); nothing "
    "of this row was stored and nothing stored before is damaged; once space is freed the store "
    "recovers by itself: resend then";

/* Reply to a ROUTER request: its routing frames, then the envelope. */
static void store_reply(struct store *s, struct pw_frames *fr, Planwatch__V1__MsgType type,
                        const ProtobufCMessage *m)
{
    int rc = pw_zsock_send(s->router, fr, fr->n - 1, type, m, ZMQ_DONTWAIT);
    if (rc)
        pw_warn("msg=\"reply dropped\" err=%s", pw_errname(rc));
}

/* An ErrorReply; id echoes the request's id when it could be read (NULL: not). */
static void store_reply_error(struct store *s, struct pw_frames *fr, int code, const char *why,
                              const char *id)
{
    Planwatch__V1__ErrorReply e = PLANWATCH__V1__ERROR_REPLY__INIT;
    char echo[PW_MSG_ECHO_BUF]; /* whatever the asker put there: cut and escaped */
    e.code = code;
    e.reason = (char *)why;
    e.request_id = pw_msg_echo(id, echo, sizeof echo);
    store_reply(s, fr, PLANWATCH__V1__MSG_TYPE__MSG_ERROR, &e.base);
}

/* Who may ask what (security on), by identity: reads need read: true (an
 * office) or a service key; managing alerts (webhook subscriptions, acks,
 * silences and lifting them), assessments and reports need manage: true -
 * or the HTTP door's key (it checked its caller's manage right);
 * what only the alert service does (its states, deliveries, the
 * subscriptions' secrets) needs the alert service's key; the door's
 * signed-out sessions need the door's key; a backup (a file
 * written on this machine, only inside --backup-dir) needs manage: true or
 * the store's own key; any kind not listed here is refused. Returns NULL
 * when allowed, else why not. */
static const char *store_query_denied(const struct pw_principal *who, Planwatch__V1__QueryKind k)
{
    static const char manage_alerts[] =
        "this identity may not manage alerts (registry: manage: true)";
    if (!who)
        return "not an identity of the office registry";
    int alert = who->role == PW_ROLE_ALERT, http = who->role == PW_ROLE_HTTP;
    switch (k) {
    case PLANWATCH__V1__QUERY_KIND__QUERY_LATEST:
    case PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY:
    case PLANWATCH__V1__QUERY_KIND__QUERY_CATALOG:
    case PLANWATCH__V1__QUERY_KIND__QUERY_STATUS:
    case PLANWATCH__V1__QUERY_KIND__QUERY_SNAPSHOT:
    case PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_GET:
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS:
    case PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS:
    case PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERIES:
    case PLANWATCH__V1__QUERY_KIND__QUERY_REPORTS:
    case PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_GET:
    case PLANWATCH__V1__QUERY_KIND__QUERY_ASSESSMENTS:
        return who->service || who->read ? NULL : "this identity may not read (registry: read: true)";
    case PLANWATCH__V1__QUERY_KIND__QUERY_ASSESS:
        return (who->manage && !who->service) || http
                   ? NULL
                   : "this identity may not record assessments (registry: manage: true)";
    case PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_PUBLISH:
        return (who->manage && !who->service) || http
                   ? NULL
                   : "this identity may not publish reports (registry: manage: true)";
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIBE:
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTION_RESUME:
    case PLANWATCH__V1__QUERY_KIND__QUERY_UNSUBSCRIBE:
    case PLANWATCH__V1__QUERY_KIND__QUERY_ACK:
    case PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE:
    case PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE_LIFT:
        /* the door acts for a caller whose manage right it checked, and
         * passes that caller's name as "by" */
        return (who->manage && !who->service) || http ? NULL : manage_alerts;
    case PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_PUT:
    case PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET:
    case PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERY_PUT:
    case PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTION_FAILED:
        return alert ? NULL : "only the alert service's key may ask this";
    case PLANWATCH__V1__QUERY_KIND__QUERY_SESSION_REVOKE:
    case PLANWATCH__V1__QUERY_KIND__QUERY_SESSIONS_REVOKED:
        return http ? NULL : "only the HTTP door's key may ask this";
    case PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP: /* files written on this machine */
        return (who->manage && !who->service) || who->role == PW_ROLE_STORE
                   ? NULL
                   : "this identity may not take backups (registry: manage: true, or the "
                     "store's own key)";
    default:
        return "this identity may not ask this";
    }
}

static void store_serve_one(struct store *s)
{
    struct pw_frames fr;
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    int rc = pw_zsock_recv_msg(s->router, &fr, ZMQ_DONTWAIT, &type, &m);
    if (rc == PW_EUNAVAILABLE || rc == PW_ESHUTDOWN || fr.n == 0) {
        pw_frames_close(&fr);
        return;
    }
    if (rc) {
        pw_warn("msg=\"bad request\" err=%s", pw_errname(rc));
        if (fr.n >= 2)
            store_reply_error(s, &fr, rc, pw_frames_why(&fr, rc), NULL);
    } else if (fr.n < 2) {
        pw_warn("msg=\"request without routing frame\"");
    } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_PING) {
        Planwatch__V1__Pong p = PLANWATCH__V1__PONG__INIT;
        p.service = "store";
        p.ready = !store_db_disk_full(s->db, NULL);
        p.not_ready = p.ready ? "" : (char *)store_disk_full_why;
        p.seq = store_db_last_seq(s->db);
        store_reply(s, &fr, PLANWATCH__V1__MSG_TYPE__MSG_PONG, &p.base);
    } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_QUERY) {
        struct pw_arena *arena = NULL;
        struct pw_diag d = {0};
        const struct pw_principal *who = pw_sec_principal(s->sec, &fr.f[fr.n - 1]);
        Planwatch__V1__Query *q = (Planwatch__V1__Query *)m;
        const char *denied = pw_sec_on(s->sec) ? store_query_denied(who, q->kind) : NULL;
        if (denied) {
            pw_warn("msg=\"query refused\" identity=%s kind=%d reason=\"%s\"",
                    who ? who->id : "-", (int)q->kind, denied);
            store_reply_error(s, &fr, PW_EDENIED, denied, q->request_id);
        } else if (pw_msg_check_query(q, &d)) {
            char why[400];
            snprintf(why, sizeof why, "%s: %s", d.field, d.msg);
            store_reply_error(s, &fr, d.code, why, q->request_id);
        } else if (pw_arena_open(&arena)) {
            store_reply_error(s, &fr, PW_ENOMEM, "out of memory", q->request_id);
        } else {
            Planwatch__V1__QueryReply r = PLANWATCH__V1__QUERY_REPLY__INIT;
            s->asker = who ? who->id : NULL;
            s->asker_service = who && who->service;
            s->asker_full = !pw_sec_on(s->sec) || (who && (who->service || who->manage));
            store_query_answer(s, (Planwatch__V1__Query *)m, &r, arena);
            s->asker = NULL;
            store_reply(s, &fr, PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY, &r.base);
            pw_arena_close(&arena);
        }
    } else {
        store_reply_error(s, &fr, PW_EWIRE, "the store answers Query and Ping only", NULL);
    }
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    pw_frames_close(&fr);
}

/* Checks what the store must not trust blindly even from ingest. */
static int store_check_update(struct store *s, const Planwatch__V1__IndicatorUpdate *u,
                              const struct pw_indicator **ind)
{
    if (!u->update_id || !u->update_id[0] || pw_feed_parse_update_id(u->update_id))
        return PW_EFEED_UPDATE_ID;
    if (!u->indicator_id || !(*ind = pw_catalog_find(s->cat, u->indicator_id)))
        return PW_EFEED_ID;
    return 0;
}

/* The sanity warnings of each put (sanity.h); stored ones only. d lives in
 * the drain's arena, allocated only for a put that has warnings. */
struct store_warns {
    struct pw_diag *d;
    size_t n;
};

static void store_ack(struct store *s, struct store_put *puts, size_t n,
                      const struct store_warns *warns, struct pw_arena *arena)
{
    char full[300];
    snprintf(full, sizeof full,
             "the store is full: its LMDB map reached --max-map-mb %zu MiB; nothing was stored "
             "and nothing is damaged; the operator must raise --max-map-mb, then resend",
             store_db_max_map(s->db) >> 20);
    /* in the drain's arena, like everything the reply points to */
    Planwatch__V1__AckItem *items = pw_arena_alloc(arena, (n ? n : 1) * sizeof *items);
    Planwatch__V1__AckItem **ptrs = pw_arena_alloc(arena, (n ? n : 1) * sizeof *ptrs);
    if (!items || !ptrs)
        return; /* ingest retransmits and gets its ack next time */
    for (size_t i = 0; i < n; i++) {
        planwatch__v1__ack_item__init(&items[i]);
        items[i].update_id = puts[i].u->update_id;
        items[i].seq = puts[i].seq;
        items[i].duplicate = puts[i].result == 1;
        items[i].code = puts[i].result < 0 ? puts[i].result : 0;
        items[i].reason = puts[i].result == PW_EMAPFULL     ? full
                          : puts[i].result == PW_EDISKFULL ? (char *)store_disk_full_why
                          : puts[i].result < 0             ? (char *)pw_strerror(puts[i].result)
                                                           : "";
        ptrs[i] = &items[i];
        /* without memory for them the row goes without its warnings */
        size_t nw = warns ? warns[i].n : 0;
        Planwatch__V1__RowWarning *w = nw ? pw_arena_alloc(arena, nw * sizeof *w) : NULL;
        Planwatch__V1__RowWarning **wp = nw ? pw_arena_alloc(arena, nw * sizeof *wp) : NULL;
        for (size_t k = 0; w && wp && k < nw; k++) {
            planwatch__v1__row_warning__init(&w[k]);
            w[k].code = warns[i].d[k].code;
            w[k].field = (char *)warns[i].d[k].field; /* borrowed from warns */
            w[k].reason = (char *)warns[i].d[k].msg;
            wp[k] = &w[k];
        }
        if (w && wp) {
            items[i].warnings = wp;
            items[i].n_warnings = nw;
        }
    }
    Planwatch__V1__StoreAck ack = PLANWATCH__V1__STORE_ACK__INIT;
    ack.items = ptrs;
    ack.n_items = n;
    ack.ingest_epoch = s->ingest_epoch;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = pw_wirepack_store_ack(&ack, &buf, &len);
    if (!rc) /* the socket takes buf over */
        rc = pw_zsock_send_packed(s->ack, NULL, 0, buf, len, ZMQ_DONTWAIT);
    if (rc)
        pw_debug("msg=\"ack not sent\" err=%s n=%zu", pw_errname(rc), n);
}

/* Reactor callbacks: sockets (revents ZMQ_POLLIN) and the heartbeat timer. */
/* What the update callback needs: the store and the group commit's buffer. */
struct store_loop {
    struct store *s;
    const struct store_cfg *cfg;
    struct store_put *puts; /* grows to the largest drain (--batch, or one message more) */
    size_t cap;
    struct pw_arena *arena; /* every drain's messages and replies, reset per drain */
};

/* Takes update u of the drain into l->puts[*n] (checked; the store's clock
 * read once per drain into *now_ns). Returns 0 or PW_ENOMEM (u left out:
 * unacked, ingest retransmits it). */
static int store_take(struct store_loop *l, size_t *n, size_t *refused, int64_t *now_ns,
                      Planwatch__V1__IndicatorUpdate *u, const struct pw_packed *raw)
{
    struct store *s = l->s;
    if (pw_vec_grow((void **)&l->puts, &l->cap, *n + 1, sizeof *l->puts))
        return PW_ENOMEM;
    /* only for the log: a gap is repaired by ingest's retransmission */
    if (u->ingest_epoch != s->ingest_epoch) {
        s->ingest_epoch = u->ingest_epoch;
        s->ingest_seq = u->ingest_seq;
    } else if (u->ingest_seq > s->ingest_seq) {
        if (u->ingest_seq > s->ingest_seq + 1)
            pw_info("msg=\"gap in ingest stream\" from=%llu to=%llu (ingest retransmits)",
                    (unsigned long long)s->ingest_seq + 1, (unsigned long long)u->ingest_seq - 1);
        s->ingest_seq = u->ingest_seq;
    }
    u->seq = 0; /* the store assigns it */
    /* the instant it became known is the store's, by its clock (tests move
     * it): one reading per drain, as the drain is one commit */
    if (!*now_ns)
        *now_ns = pw_clock_now_ns(&s->clock);
    u->received_ns = *now_ns;
    struct store_put *p = &l->puts[*n];
    *p = (struct store_put){.u = u, .raw = raw ? raw->data : NULL, .raw_len = raw ? raw->len : 0};
    p->result = store_check_update(s, u, &p->ind);
    if (p->result) {
        (*refused)++;
        pw_warn("msg=\"update refused\" update_id=\"%.64s\" err=%s", u->update_id,
                pw_errname(p->result));
    }
    (*n)++;
    return 0;
}

/* Publishes the committed updates of a drain in seq order: each run of
 * consecutive updates of one (plan, project) goes as UpdateBatch messages
 * (of at most PW_STREAM_MSG_BYTES each) on topic update.<plan>.<project>,
 * each update packed once into the drain's arena. */
static void store_publish(struct store *s, const struct store_put *puts, size_t n,
                          struct pw_arena *arena, const struct store_cfg *cfg)
{
    (void)cfg;
    struct pw_packed *items = pw_arena_alloc(arena, (n ? n : 1) * sizeof *items);
    size_t k = 0;
    const struct pw_indicator *run = NULL; /* the run's first indicator */
    if (!items) {
        pw_error("msg=\"out of memory: committed updates not published\" n=%zu", n);
        return; /* subscribers find the gap at the next heartbeat and resynchronise */
    }
    for (size_t i = 0; i <= n; i++) {
        const struct pw_indicator *ind = NULL;
        if (i < n) {
            if (puts[i].result != 0)
                continue;
            ind = puts[i].ind;
        }
        /* the run ends at the last update, or where plan or project change */
        if (k && (!ind || ind->plan != run->plan ||
                  strcmp(pw_indicator_project_id(ind), pw_indicator_project_id(run)) != 0)) {
            char topic[160];
            size_t msgs = 0;
            snprintf(topic, sizeof topic, "update.%s.%s", run->plan->id,
                     pw_indicator_project_id(run));
            int rc = pw_zsock_publish_items(s->pub, topic, items, k, &msgs);
            pw_metric_inc(s->m.messages, msgs);
            if (!rc)
                pw_metric_inc(s->m.published, k);
            else
                pw_debug("msg=\"publish failed\" updates=%zu err=%s", k, pw_errname(rc));
            k = 0;
        }
        if (!ind)
            continue;
        if (!k)
            run = ind;
        s->published++;
#ifdef PW_TEST_HOOKS
        if (cfg->drop_every && s->published % (uint64_t)cfg->drop_every == 0) {
            pw_info("msg=\"test hook: publication dropped\" seq=%llu",
                    (unsigned long long)puts[i].seq);
            continue;
        }
#endif
        if (!puts[i].packed) { /* store_db had no memory to keep it */
            pw_error("msg=\"out of memory: a committed update not published\" seq=%llu",
                     (unsigned long long)puts[i].seq);
            continue;
        }
        items[k].data = puts[i].packed; /* the bytes written to LMDB */
        items[k].len = puts[i].len;
        k++;
    }
}

/* Puts the drain's updates of one (plan, project) next to each other, the
 * groups in the order they first appear and each group in arrival order,
 * before they are numbered: the committed-update stream then carries one
 * message per (plan, project) per drain instead of one per run, and the
 * revisions of one indicator keep their order. Without memory the order
 * stays as it came (more, smaller messages). */
static void store_group(struct store_put *p, size_t n, struct pw_arena *arena)
{
    size_t cap = 16;
    if (n < 2)
        return;
    while (cap < 2 * n)
        cap *= 2;
    struct slot {
        const void *plan, *project;
        size_t group;
    } *tab = pw_arena_alloc(arena, cap * sizeof *tab); /* zeroed: empty slots */
    /* written before they are read: no zeroing */
    size_t *gi = pw_arena_alloc_raw(arena, (n + 1) * sizeof *gi);
    size_t *start = pw_arena_alloc_raw(arena, (n + 1) * sizeof *start);
    struct store_put *out = pw_arena_alloc_raw(arena, (n + 1) * sizeof *out);
    size_t ng = 0;
    if (!tab || !gi || !start || !out)
        return;
    for (size_t i = 0; i < n; i++) {
        const void *plan = p[i].ind->plan, *proj = p[i].ind->project;
        size_t h = ((uintptr_t)plan * 31 + (uintptr_t)proj) * 0x9E3779B97F4A7C15u >> 7;
        for (h &= cap - 1; tab[h].plan && (tab[h].plan != plan || tab[h].project != proj);
             h = (h + 1) & (cap - 1))
            ;
        if (!tab[h].plan) {
            tab[h] = (struct slot){plan, proj, ng};
            start[ng++] = 0;
        }
        gi[i] = tab[h].group;
        start[gi[i]]++;
    }
    if (ng < 2)
        return;
    for (size_t g = 0, at = 0; g < ng; g++) {
        size_t c = start[g];
        start[g] = at;
        at += c;
    }
    for (size_t i = 0; i < n; i++)
        out[start[gi[i]]++] = p[i];
    memcpy(p, out, n * sizeof *p);
}

/* Drains ingest's stream into one group commit, then publishes and acks.
 * The drain stops taking messages once it holds --batch updates; an
 * UpdateBatch is never split, so a commit may hold one message more. */
static void store_drain(struct store_loop *l)
{
    struct store *s = l->s;
    const struct store_cfg *cfg = l->cfg;
    struct store_put *puts;
    size_t n = 0, refused = 0;
    int64_t now_ns = 0;
    /* every message of the drain is decoded into one arena, released at
     * once; its first block is kept for the next drain */
    struct pw_arena *arena = l->arena;
    ProtobufCAllocator alloc;
    pw_envelope_arena_allocator(&alloc, arena);
    while (n < (size_t)cfg->batch) {
        struct pw_frames fr;
        Planwatch__V1__MsgType type;
        ProtobufCMessage *m = NULL;
        int rc = pw_zsock_recv(s->sub, &fr, ZMQ_DONTWAIT);
        if (rc == PW_EUNAVAILABLE || rc == PW_ESHUTDOWN)
            break;
        struct pw_packed *raw = NULL;
        if (!rc) {
            size_t len;
            const void *body = pw_frames_body(&fr, &len);
            /* an UpdateBatch as ingest writes it is read by hand from a copy
             * in the arena, which the updates' bytes (raw) point into;
             * anything else by protobuf-c, its updates packed anew (a newer
             * sender's fields kept: protobuf-c packs unknown fields) */
            uint8_t *copy = pw_arena_alloc_raw(arena, len ? len : 1);
            Planwatch__V1__UpdateBatch *ub = NULL;
            if (copy && len)
                memcpy(copy, body, len);
            if (copy && pw_wirepack_read_update_batch(copy, len, arena, &ub, &raw) == 0) {
                type = PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH;
                m = &ub->base;
            } else {
                raw = NULL;
                rc = pw_envelope_read_with(body, len, &type, &m, &alloc);
            }
        }
        pw_frames_close(&fr);
        if (rc) {
            pw_warn("msg=\"bad message on the update stream\" err=%s", pw_errname(rc));
            continue;
        }
        if (type == PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT) {
            Planwatch__V1__Heartbeat *hb = (Planwatch__V1__Heartbeat *)m;
            if (hb->epoch != s->ingest_epoch) {
                pw_info("msg=\"ingest epoch\" epoch=%llx seq=%llu", (unsigned long long)hb->epoch,
                        (unsigned long long)hb->seq);
                s->ingest_epoch = hb->epoch;
                s->ingest_seq = hb->seq;
            }
            continue;
        }
        rc = 0;
        if (type == PLANWATCH__V1__MSG_TYPE__MSG_UPDATE_BATCH) {
            Planwatch__V1__UpdateBatch *ub = (Planwatch__V1__UpdateBatch *)m;
            for (size_t k = 0; !rc && k < ub->n_updates; k++)
                rc = store_take(l, &n, &refused, &now_ns, ub->updates[k], raw ? &raw[k] : NULL);
        } else if (type == PLANWATCH__V1__MSG_TYPE__MSG_UPDATE) {
            rc = store_take(l, &n, &refused, &now_ns, (Planwatch__V1__IndicatorUpdate *)m, raw);
        } else {
            pw_warn("msg=\"unexpected message on the update stream\" type=%d", (int)type);
            continue;
        }
        if (rc) {
            pw_error("msg=\"out of memory: updates left for ingest to resend\"");
            break;
        }
    }
    puts = l->puts;
    if (n == 0) {
        pw_arena_reset(arena);
        return;
    }
    /* the refused ones stay out of the transaction but are acked */
    struct store_put *ok = malloc(n * sizeof *ok);
    size_t nok = 0;
    if (!ok) {
        pw_error("msg=\"out of memory\"");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (puts[i].result == 0)
            ok[nok++] = puts[i];
    store_group(ok, nok, arena);
    double t0 = pw_metrics_now();
    int rc = nok ? store_db_put_batch(s->db, ok, nok, arena) : 0;
    double took = pw_metrics_now() - t0;
    if (rc) {
        pw_error("msg=\"commit failed\" n=%zu err=%s", nok, pw_errname(rc));
        free(ok);
        goto done; /* nothing acked: ingest retransmits */
    }
    for (size_t i = 0, j = 0; i < n; i++)
        if (puts[i].result == 0)
            puts[i] = ok[j++];
    /* a disk-full batch is answered at once (every row PW_EDISKFULL); the
     * next batch, or the probe timer, tries again */
    int disk_full = nok && ok[0].result == PW_EDISKFULL;
    if (disk_full)
        pw_error("msg=\"commit failed: the disk is full\" n=%zu (answered PW_EDISKFULL)", nok);
    free(ok);
    store_metrics_batch(s, puts, n, nok && !disk_full ? took : -1);
    size_t stored = 0, dups = 0;
    /* without memory for them the rows go without warnings, not unanswered */
    struct store_warns *warns = pw_arena_alloc(arena, n * sizeof *warns); /* zeroed */
    for (size_t i = 0; i < n; i++) {
        if (puts[i].result != 0) {
            dups += puts[i].result == 1;
            continue;
        }
        stored++;
        const struct pw_indicator *ind = puts[i].ind;
        struct pw_obs o;
        pw_msg_obs_from_update(&o, puts[i].u, ind);
        if (warns) { /* against the revisions before this one: it joins the history next */
            struct pw_diag d[PW_SANITY_MAX];
            size_t nw = pw_sanity_check(s->hist, ind, &o, d);
            if (nw && (warns[i].d = pw_arena_alloc(arena, nw * sizeof *d))) {
                memcpy(warns[i].d, d, nw * sizeof *d);
                warns[i].n = nw;
            }
        }
        store_remember(s, ind, &o, puts[i].u->seq);
    }
    store_publish(s, puts, n, arena, cfg);
    s->stored += stored;
    s->duplicates += dups;
    s->refused += refused;
    pw_debug("msg=\"committed\" n=%zu stored=%zu duplicates=%zu seq=%llu", n, stored, dups,
             (unsigned long long)store_db_last_seq(s->db));
    store_ack(s, puts, n, warns, arena);
done:
    pw_arena_reset(arena);
}

static void store_heartbeat(struct store *s)
{
    Planwatch__V1__Heartbeat hb = PLANWATCH__V1__HEARTBEAT__INIT;
    hb.service = "store";
    hb.seq = store_db_last_seq(s->db);
    hb.ready = !store_db_disk_full(s->db, NULL);
    hb.not_ready = hb.ready ? "" : (char *)store_disk_full_why;
    hb.admin_seq = s->admin_seq;
    pw_zsock_publish(s->pub, "hb.store", PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base);
    pw_zsock_send(s->ack, NULL, 0, PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base, ZMQ_DONTWAIT);
}

static int store_sockets(struct store *s, const struct store_cfg *cfg, void *ctx)
{
    int rc, one = 1;
    char ingest_pub[PW_KEY_Z85_LEN + 1];
    if ((rc = pw_sec_open(ctx, cfg->common.insecure, cfg->common.secret_key,
                          cfg->common.registry, s->cat, &s->sec)) ||
        (rc = pw_sec_metrics(s->sec, s->metrics, "planwatch_store_")))
        return rc;
    pw_sec_insecure_anywhere(s->sec, cfg->common.insecure_anywhere);
    if ((rc = pw_sec_peer_key(s->sec, cfg->common.ingest_key, "--ingest-key", ingest_pub)) ||
        (rc = pw_zsock_new(ctx, ZMQ_PUB, PW_STREAM_HWM, &s->pub)) ||
        (rc = pw_sec_bind(s->sec, s->pub, PW_ZAP_INTERNAL, cfg->publish)) ||
        (rc = pw_zsock_new(ctx, ZMQ_ROUTER, 0, &s->router)) ||
        (rc = pw_sec_bind(s->sec, s->router, PW_ZAP_QUERY, cfg->listen)) ||
        (rc = pw_zsock_new(ctx, ZMQ_SUB, PW_STREAM_HWM, &s->sub)) ||
        (rc = pw_sec_client(s->sec, s->sub, ingest_pub)) ||
        (rc = pw_zsock_connect(s->sub, cfg->updates)) ||
        (rc = pw_zsock_new(ctx, ZMQ_PUSH, PW_STREAM_HWM, &s->ack)) ||
        (rc = pw_sec_client(s->sec, s->ack, ingest_pub)))
        return rc;
    /* acks for an ingest that is not there are useless: drop, don't queue */
    zmq_setsockopt(s->ack, ZMQ_IMMEDIATE, &one, sizeof one);
    /* "updates": ingest's UpdateBatch messages; "update.": single ones */
    zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, "update", 6);
    zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, "hb.", 3);
    return pw_zsock_connect(s->ack, cfg->ack_to);
}

static int store_on_updates(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    store_drain(arg);
    return 0;
}

/* Answers what is queued now, not forever: the update stream stays first. */
static int store_on_queries(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct store *s = arg;
    for (int i = 0; i < 64; i++) {
        store_serve_one(s);
        if (!pw_reactor_readable(s->router))
            break;
    }
    return 0;
}

static int store_on_heartbeat(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    store_heartbeat(arg);
    return 0;
}

/* While the disk is full, a small durable write each second finds out when
 * space is back, so the store says ready again without waiting for a feed. */
static int store_on_probe(struct pw_reactor *r, int id, short revents, void *arg)
{
    (void)r, (void)id, (void)revents;
    struct store *s = arg;
    if (store_db_disk_full(s->db, NULL))
        store_db_probe(s->db, (uint64_t)pw_now_ms());
    return 0;
}

/* Registration order is dispatch order: ZAP, metrics HTTP, updates, queries. */
static int store_register(struct store_loop *l, struct pw_reactor *r)
{
    struct store *s = l->s;
    if (pw_sec_zap_register(s->sec, r))
        return PW_ENOMEM;
    if (l->cfg->common.metrics[0] &&
        pw_httpd_open(&s->http, r, l->cfg->common.metrics, pw_metrics_http, s->metrics))
        return PW_EIO;
    if (pw_reactor_socket(r, s->sub, ZMQ_POLLIN, store_on_updates, l, NULL) ||
        pw_reactor_socket(r, s->router, ZMQ_POLLIN, store_on_queries, s, NULL) ||
        pw_reactor_timer(r, 0, l->cfg->heartbeat_ms, store_on_heartbeat, s, NULL) ||
        pw_reactor_timer(r, 1000, 1000, store_on_probe, s, NULL))
        return PW_ENOMEM;
    return 0;
}

int main(int argc, char **argv)
{
    struct store s;
    int lockfd = -1, status = 1;
    long holder = 0;
    void *ctx = NULL;
    struct pw_reactor *loop = NULL;
    struct store_cfg cfg;
    struct store_loop l = {&s, &cfg, NULL, 0, NULL};
    memset(&s, 0, sizeof s);

    int rc = store_config(&cfg, argc, argv, &s.clock);
    if (rc >= 0)
        return rc;
    rc = pw_pidfile_lock(cfg.data_dir, "store", &lockfd, &holder);
    if (rc == PW_ELOCKED) {
        pw_error("msg=\"another store is running on this data dir\" data_dir=%s pid=%ld",
                 cfg.data_dir, holder);
        return 1;
    }
    if (rc) {
        pw_error("msg=\"cannot lock data dir\" data_dir=%s err=%s", cfg.data_dir, pw_errname(rc));
        return 1;
    }
    if (store_metrics_open(&s) || store_load_catalog(&s, cfg.common.catalog) ||
        pw_history_open(&s.hist, s.cat))
        goto done;
    if ((rc = store_db_open(&s.db, cfg.data_dir, (size_t)cfg.map_mb, (size_t)cfg.max_map_mb,
                            store_load_cb, &s))) {
        pw_error("msg=\"cannot open the store\" data_dir=%s err=%s", cfg.data_dir, pw_errname(rc));
        goto done;
    }
    if (store_alerts_init(&s))
        goto done;
    if (cfg.backup_dir[0] && cfg.backup_dir[0] != '/') {
        pw_error("msg=\"--backup-dir must be an absolute path\" backup_dir=\"%s\"", cfg.backup_dir);
        goto done;
    }
    s.backup_dir = cfg.backup_dir;
    if (pw_arena_open(&l.arena) ||
        pw_vec_grow((void **)&l.puts, &l.cap, (size_t)cfg.batch, sizeof *l.puts) ||
        !(ctx = zmq_ctx_new()) || store_sockets(&s, &cfg, ctx))
        goto done;
    if (pw_reactor_open(&loop) || store_register(&l, loop))
        goto done;
    size_t map, used;
    store_db_usage(s.db, &map, &used);
    pw_info("msg=\"ready\" seq=%llu data_format=%llu indicators=%zu map_mb=%zu used_kb=%zu "
            "index_kb=%zu metrics_port=%d",
            (unsigned long long)store_db_last_seq(s.db),
            (unsigned long long)store_db_format(s.db), pw_catalog_count(s.cat), map >> 20,
            used >> 10, store_db_index_bytes(s.db) >> 10, pw_httpd_port(s.http));
    pw_service_ready(); /* systemd: READY=1, as the Pong (ready from here on) */

    rc = pw_reactor_run(loop);
    pw_info("msg=\"stopping\" stored=%llu duplicates=%llu refused=%llu queries=%llu seq=%llu",
            (unsigned long long)s.stored, (unsigned long long)s.duplicates,
            (unsigned long long)s.refused, (unsigned long long)s.queries,
            (unsigned long long)store_db_last_seq(s.db));
    status = rc ? 1 : 0; /* a poll error (logged) is not a clean stop */
done:
    pw_httpd_close(&s.http);
    pw_reactor_close(&loop);
    pw_zsock_close(&s.sub);
    pw_zsock_close(&s.ack);
    pw_zsock_close(&s.router);
    pw_zsock_close(&s.pub);
    pw_sec_close(&s.sec);
    if (ctx)
        zmq_ctx_term(ctx);
    free(l.puts);
    pw_arena_close(&l.arena);
    store_db_close(&s.db);
    pw_history_close(&s.hist);
    pw_catalog_close(&s.cat);
    pw_metrics_close(&s.metrics);
    for (size_t i = 0; i < s.nfiles; i++) {
        free(s.files[i].name);
        free(s.files[i].yaml);
    }
    free(s.files);
    pw_pidfile_unlock(lockfd, cfg.data_dir, "store");
    return status;
}
