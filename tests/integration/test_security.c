/* test_security.c - the services with CURVE on (keys made by `planwatch
 * keygen` in the test's temp dir, a registry written by the test):
 *  - an unknown key, a plain-text client and a client expecting the wrong
 *    server key get no answer, and the refusal is logged; an office without
 *    read: true cannot query, only the alert service records alert states;
 *  - least privilege: no service key but the HTTP door's feeds, the door
 *    only for a registered office within its scope; alert state, deliveries
 *    and webhook secrets are the alert service's; backups go only into a
 *    named subdirectory of --backup-dir;
 *  - SIGHUP re-reads the registry: a new office's key works, a broken file
 *    is refused with file:line and the old registry stays; a registry or
 *    public key file writable by group or others is refused;
 *  - office A writing office B's indicator gets a per-row PW_EFEED_SCOPE
 *    and nothing of it is stored; the office stored is the authenticated
 *    one, whatever the batch claims; the CLI shows the rejection;
 *  - garbage, truncated, oversized (> ZMQ_MAXMSGSIZE) and over-limit
 *    messages get a clean error or a dropped connection while the services
 *    keep serving and the stored data is unchanged; a malformed registry
 *    stops a service at start with file:line. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "harness.h"
#include "keys.h"
#include "msg.h"
#include "zsock.h"

#define IND_A "p3-pj1-out01-licensing" /* office-a's project (p3.pj1) */
#define IND_B "p3-pj2-out01-licensing" /* office-b's project (p3.pj2) */

static void security_offices(struct hs_cluster *c, char *offices, size_t n);

static int setup(void **state)
{
    static const char *const names[] = {"office-a", "office-b", "reader", "stranger", "http",
                                        "late", NULL};
    struct hs_cluster *c = calloc(1, sizeof *c);
    char offices[2048];
    hs_init(c, "security", "2026-06-30");
    hs_secure(c, names);
    security_offices(c, offices, sizeof offices);
    hs_registry(c, offices);
    hs_start(c, HS_STORE);
    hs_start(c, HS_INGEST);
    *state = c;
    return 0;
}

/* The offices of the tests' registry. */
static void security_offices(struct hs_cluster *c, char *offices, size_t n)
{
    snprintf(offices, n,
             "  - {id: office-a, key: \"%s\", write: {projects: [p3.pj1]}, read: true}\n"
             "  - {id: office-b, key: \"%s\", write: {projects: [p3.pj2]}}\n"
             "  - {id: reader, key: \"%s\", read: true}\n",
             hs_pub(c, "office-a"), hs_pub(c, "office-b"), hs_pub(c, "reader"));
}

static int teardown(void **state)
{
    hs_fini(*state);
    free(*state);
    return 0;
}

static int log_has(struct hs_cluster *c, const char *svc, const char *text)
{
    return hs_log_has(c, svc, text);
}

/* A Ping through a client; 0 when answered, else the client's error. */
static int ping(struct pw_client *cl)
{
    Planwatch__V1__Ping p = PLANWATCH__V1__PING__INIT;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    p.from = "test";
    int rc = pw_client_call(cl, PLANWATCH__V1__MSG_TYPE__MSG_PING, &p.base, 1500, &t, &m);
    if (!rc)
        protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

/* A Ping to ingest or the store as `as`, through a fresh client. */
static int ping_as(struct hs_cluster *c, enum hs_svc s, const char *as)
{
    struct pw_client *cl = hs_client(c, s, as);
    int rc = ping(cl);
    pw_client_close(&cl);
    return rc;
}

static void update(Planwatch__V1__IndicatorUpdate *u, const char *uid, const char *ind, int64_t v)
{
    planwatch__v1__indicator_update__init(u);
    u->update_id = (char *)uid;
    u->indicator_id = (char *)ind;
    u->fiscal_year = 2025;
    u->value_micros = v;
    u->basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    u->as_of = "2026-03-31";
}

static size_t history_count(struct hs_cluster *c, struct pw_client *st, const char *ind,
                            const char *want_office)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = (char *)ind;
    Planwatch__V1__QueryReply *r = hs_query(c, st, &q);
    size_t n = r->n_updates;
    for (size_t i = 0; want_office && i < n; i++)
        assert_string_equal(r->updates[i]->office, want_office);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return n;
}

static void test_unknown_and_wrong_keys_refused(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *cl = NULL;
    struct pw_keypair a;
    struct pw_diag d;
    /* a key the registry does not know */
    assert_int_equal(ping_as(c, HS_INGEST, "stranger"), PW_EUNAVAILABLE);
    assert_int_equal(ping_as(c, HS_STORE, "stranger"), PW_EUNAVAILABLE);
    assert_true(log_has(c, "ingest", "connection refused"));
    assert_true(log_has(c, "ingest", "unknown key: not in the registry"));
    assert_true(log_has(c, "store", hs_pub(c, "stranger")));
    /* plain text to a secure service */
    assert_int_equal(pw_client_open(c->ctx, c->ep_ingest, &cl), 0);
    assert_int_equal(ping(cl), PW_EUNAVAILABLE);
    pw_client_close(&cl);
    /* a registered office that expects another server key (a man in the middle) */
    assert_int_equal(pw_keys_load_secret(hs_key_path(c, "office-a", 1), &a, &d), 0);
    assert_int_equal(pw_client_open_curve(c->ctx, c->ep_ingest, &a, hs_pub(c, "store"), &cl), 0);
    assert_int_equal(ping(cl), PW_EUNAVAILABLE);
    pw_client_close(&cl);
    /* office-b may write but not read: the store refuses its connection */
    assert_int_equal(ping_as(c, HS_STORE, "office-b"), PW_EUNAVAILABLE);
    assert_true(log_has(c, "store", "this identity may not read"));
    /* the CLI with an unknown key says so and exits 2 */
    char *out, *err;
    c->cli_as = "stranger";
    const char *args[] = {"status", "--timeout-ms", "1500", NULL};
    assert_int_equal(hs_cli(c, &out, &err, args), 2);
    assert_non_null(strstr(err, "did not answer"));
    assert_non_null(strstr(err, "registry admits your key"));
    free(out);
    free(err);
    /* the CLI without keys is told what to give */
    unsetenv("PLANWATCH_INSECURE");
    c->cli_as = "reader";
    char nobody[400];
    snprintf(nobody, sizeof nobody, "%s", hs_key_path(c, "nobody", 1));
    const char *nokey[] = {"status", "--key", nobody, NULL};
    assert_int_equal(hs_cli(c, &out, &err, nokey), 2);
    assert_non_null(strstr(err, "nobody.key_secret"));
    free(out);
    free(err);
    /* registered identities still get through, as themselves */
    assert_int_equal(ping_as(c, HS_INGEST, "office-b"), 0);
    cl = hs_client(c, HS_STORE, "reader");
    assert_int_equal(ping(cl), 0);
    /* reader may read, but only the alert service records alert states */
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_PUT;
    assert_int_equal(pw_client_query(cl, &q, 5000, &r), PW_EDENIED);
    /* nor, without manage: true, acknowledge alerts; nor take backups (files
     * written on the store's machine: service keys only), nor read the
     * webhooks' secrets */
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ACK;
    assert_int_equal(pw_client_query(cl, &q, 5000, &r), PW_EDENIED);
    /* nor record the secretariat's assessments, though it may read them */
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESS;
    assert_int_equal(pw_client_query(cl, &q, 5000, &r), PW_EDENIED);
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESSMENTS;
    assert_int_equal(pw_client_query(cl, &q, 5000, &r), 0);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP;
    q.path = "/tmp/planwatch-backup-denied";
    assert_int_equal(pw_client_query(cl, &q, 5000, &r), PW_EDENIED);
    q.path = "";
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET;
    assert_int_equal(pw_client_query(cl, &q, 5000, &r), PW_EDENIED);
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_LATEST;
    assert_int_equal(pw_client_query(cl, &q, 5000, &r), 0);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    pw_client_close(&cl);
    /* the alert service (a registered service) runs and subscribers get its heartbeat */
    hs_start(c, HS_ALERT);
    const char *health[] = {"health", "alert", NULL};
    c->cli_as = "harness";
    assert_int_equal(hs_cli(c, &out, &err, health), 0);
    free(out);
    free(err);
}

static void test_write_scope(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *in = hs_client(c, HS_INGEST, "office-a");
    struct pw_client *st = hs_client(c, HS_STORE, "office-a");
    Planwatch__V1__IndicatorUpdate u[2], *rows[2] = {&u[0], &u[1]};
    update(&u[0], "a:1", IND_A, 3000000);
    update(&u[1], "a:2", IND_B, 4000000);
    uint64_t seq0 = hs_store_seq(c, st);
    /* the batch claims to come from office-b: the authenticated office counts */
    Planwatch__V1__FeedReply *r = hs_feed_rows(in, "office-b", rows, 2, 10000);
    assert_non_null(r);
    assert_int_equal(r->n_results, 2);
    assert_int_equal(r->results[0]->status, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    assert_int_equal(r->results[1]->status, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED);
    assert_int_equal(r->results[1]->code, PW_EFEED_SCOPE);
    assert_string_equal(r->results[1]->field, "indicator_id");
    assert_non_null(strstr(r->results[1]->reason, "office 'office-a' may not write " IND_B));
    assert_non_null(strstr(r->results[1]->reason, "projects [p3.pj1]"));
    assert_int_equal(r->accepted, 1);
    assert_int_equal(r->rejected, 1);
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    assert_int_equal(hs_store_seq(c, st), seq0 + 1);
    assert_int_equal(history_count(c, st, IND_A, "office-a"), 1);
    assert_int_equal(history_count(c, st, IND_B, NULL), 0);
    /* a dry run says the same */
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    b.rows = rows + 1;
    b.n_rows = 1;
    b.dry_run = 1;
    assert_int_equal(pw_client_call(in, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, 10000, &t, &m), 0);
    assert_int_equal(((Planwatch__V1__FeedReply *)m)->results[0]->code, PW_EFEED_SCOPE);
    protobuf_c_message_free_unpacked(m, NULL);
    /* the CLI as office-b: its own row goes through, office-a's is rejected */
    char path[300], *out, *err;
    snprintf(path, sizeof path, "%s/b.csv", c->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "indicator_id,fiscal_year,value\n" IND_B ",2025,7\n" IND_A ",2025,8\n");
    fclose(f);
    c->cli_as = "office-b";
    const char *args[] = {"feed", path, NULL};
    assert_int_equal(hs_cli(c, &out, &err, args), 1);
    assert_non_null(strstr(out, "1 accepted"));
    assert_non_null(strstr(out, "1 rejected"));
    assert_non_null(strstr(out, "PW_EFEED_SCOPE"));
    free(out);
    free(err);
    assert_int_equal(history_count(c, st, IND_B, "office-b"), 1);
    assert_int_equal(history_count(c, st, IND_A, "office-a"), 1);
    assert_int_equal(hs_store_seq(c, st), seq0 + 2);
    pw_client_close(&in);
    pw_client_close(&st);
}

/* A batch of one row sent to ingest as `as` for office; returns the error
 * code of an ErrorReply, 0 for a FeedReply (its status in *st, its office
 * as stored checked by the caller). */
static int feed_as(struct hs_cluster *c, const char *as, const char *office, const char *uid,
                   const char *ind, Planwatch__V1__RowStatus *st, char *why, size_t n)
{
    struct pw_client *in = hs_client(c, HS_INGEST, as);
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    Planwatch__V1__IndicatorUpdate u, *row = &u;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    int code = 0;
    update(&u, uid, ind, 1000000);
    b.batch_id = "lp";
    b.office = (char *)office;
    b.rows = &row;
    b.n_rows = 1;
    assert_int_equal(pw_client_call(in, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, 10000,
                                    &t, &m), 0);
    if (t == PLANWATCH__V1__MSG_TYPE__MSG_ERROR) {
        code = ((Planwatch__V1__ErrorReply *)m)->code;
        snprintf(why, n, "%s", ((Planwatch__V1__ErrorReply *)m)->reason);
    } else {
        assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY);
        Planwatch__V1__FeedReply *r = (Planwatch__V1__FeedReply *)m;
        assert_int_equal(r->n_results, 1);
        *st = r->results[0]->status;
        snprintf(why, n, "%s", r->results[0]->reason);
        code = 0;
    }
    protobuf_c_message_free_unpacked(m, NULL);
    pw_client_close(&in);
    return code;
}

/* A store query of kind as `as` (path for backups); the reply's code. */
static int query_as(struct hs_cluster *c, const char *as, Planwatch__V1__QueryKind kind,
                    const char *path)
{
    struct pw_client *st = hs_client(c, HS_STORE, as);
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = kind;
    q.path = (char *)(path ? path : "");
    int rc = pw_client_query(st, &q, 10000, &r);
    if (!rc)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    pw_client_close(&st);
    return rc;
}

/* Each service key does its own job only: no service but the HTTP door
 * feeds, the door only for a registered office within that office's scope;
 * the alert service's rights (states, deliveries, webhook secrets) are its
 * own; backups go only into --backup-dir, named, never placed. */
static void test_least_privilege(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *st = hs_client(c, HS_STORE, "office-a");
    Planwatch__V1__RowStatus rs = PLANWATCH__V1__ROW_STATUS__ROW_UNSPECIFIED;
    char why[300];
    /* alert and store keys may not write, under any office name */
    assert_int_equal(feed_as(c, "alert", "office-a", "lp:1", IND_A, &rs, why, sizeof why),
                     PW_EDENIED);
    assert_non_null(strstr(why, "service 'alert'"));
    assert_int_equal(feed_as(c, "store", "", "lp:2", IND_A, &rs, why, sizeof why), PW_EDENIED);
    /* the HTTP door: not for an empty or unregistered office, nor for a service */
    assert_int_equal(feed_as(c, "http", "", "lp:3", IND_A, &rs, why, sizeof why), PW_EFORBIDDEN);
    assert_int_equal(feed_as(c, "http", "ghost", "lp:4", IND_A, &rs, why, sizeof why),
                     PW_EFORBIDDEN);
    assert_non_null(strstr(why, "'ghost' is not registered"));
    assert_int_equal(feed_as(c, "http", "alert", "lp:5", IND_A, &rs, why, sizeof why),
                     PW_EFORBIDDEN);
    /* for a registered office only within that office's scope, stored as it */
    assert_int_equal(feed_as(c, "http", "office-a", "lp:6", IND_B, &rs, why, sizeof why), 0);
    assert_int_equal(rs, PLANWATCH__V1__ROW_STATUS__ROW_REJECTED);
    assert_non_null(strstr(why, "office 'office-a' may not write " IND_B));
    assert_int_equal(feed_as(c, "http", "office-a", "lp:7", IND_A, &rs, why, sizeof why), 0);
    assert_int_equal(rs, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    assert_int_equal(history_count(c, st, IND_A, "office-a"), 1);
    assert_int_equal(history_count(c, st, IND_B, NULL), 0);
    assert_true(log_has(c, "ingest", "batch refused"));

    /* the HTTP door reads, but neither webhook secrets nor alert state nor
     * deliveries are its to touch, and it takes no backups */
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_LATEST, NULL), 0);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET, NULL),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_PUT, NULL),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_DELIVERY_PUT, NULL),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP, "b0"),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "ingest", PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET, NULL),
                     PW_EDENIED);
    /* ... but it acts on alerts and webhooks for a caller whose manage right
     * it checked: admitted (the store then finds nothing to lift or remove);
     * no other service, and no office without manage: true */
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE_LIFT, NULL),
                     PW_ENOTFOUND);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_UNSUBSCRIBE, NULL),
                     PW_ENOTFOUND);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_ACK, NULL), PW_EINVAL);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE, NULL), PW_EINVAL);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIBE, NULL), PW_EINVAL);
    assert_int_equal(query_as(c, "ingest", PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE_LIFT, NULL),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "alert", PLANWATCH__V1__QUERY_KIND__QUERY_ACK, NULL), PW_EDENIED);
    assert_int_equal(query_as(c, "reader", PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE_LIFT, NULL),
                     PW_EDENIED);
    assert_true(log_has(c, "store", "only the alert service"));
    /* signed-out sessions are the door's alone: it may list them and record
     * one (an empty revocation: PW_EINVAL, nothing written); no office and
     * no other service may */
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_SESSIONS_REVOKED, NULL),
                     0);
    assert_int_equal(query_as(c, "http", PLANWATCH__V1__QUERY_KIND__QUERY_SESSION_REVOKE, NULL),
                     PW_EINVAL);
    assert_int_equal(query_as(c, "office-a", PLANWATCH__V1__QUERY_KIND__QUERY_SESSION_REVOKE, NULL),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "reader", PLANWATCH__V1__QUERY_KIND__QUERY_SESSIONS_REVOKED, NULL),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "alert", PLANWATCH__V1__QUERY_KIND__QUERY_SESSION_REVOKE, NULL),
                     PW_EDENIED);
    assert_true(log_has(c, "store", "only the HTTP door's key may ask this"));
    /* a webhook URL can be its own credential: an identity that may read
     * but not manage sees only its scheme and host; services whole */
    {
        struct pw_client *door = hs_client(c, HS_STORE, "http");
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        Planwatch__V1__Subscription sub = PLANWATCH__V1__SUBSCRIPTION__INIT;
        Planwatch__V1__QueryReply *r = NULL;
        sub.url = "http://127.0.0.1:9/T000/B000/secret-path";
        sub.created_by = "security-test";
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIBE;
        q.subscription = &sub;
        assert_int_equal(pw_client_query(door, &q, 10000, &r), 0);
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        pw_client_close(&door);
        const char *as[] = {"reader", "alert"};
        for (int k = 0; k < 2; k++) {
            struct pw_client *cl = hs_client(c, HS_STORE, as[k]);
            Planwatch__V1__Query l = PLANWATCH__V1__QUERY__INIT;
            l.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS;
            assert_int_equal(pw_client_query(cl, &l, 10000, &r), 0);
            int found = 0;
            for (size_t i = 0; i < r->n_subscriptions; i++)
                if (!strcmp(r->subscriptions[i]->created_by, "security-test")) {
                    assert_string_equal(r->subscriptions[i]->url,
                                        k ? "http://127.0.0.1:9/T000/B000/secret-path"
                                          : "http://127.0.0.1:9/…");
                    found = 1;
                }
            assert_true(found);
            planwatch__v1__query_reply__free_unpacked(r, NULL);
            pw_client_close(&cl);
        }
    }
    /* the alert service may (an empty state put is a no-op) */
    assert_int_equal(query_as(c, "alert", PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET, NULL), 0);

    /* backups: off without --backup-dir, even for the store's own key */
    assert_int_equal(query_as(c, "store", PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP, "b1"),
                     PW_EDENIED);
    hs_stop(c, HS_STORE, SIGTERM);
    char bdir[300], bflag[320], outside[320], inside[320];
    snprintf(bdir, sizeof bdir, "%s/backups", c->dir);
    snprintf(bflag, sizeof bflag, "--backup-dir=%s", bdir);
    snprintf(outside, sizeof outside, "%s/outside", c->dir);
    snprintf(inside, sizeof inside, "%s/b1/data.mdb", bdir);
    c->extra[HS_STORE][0] = bflag;
    hs_start(c, HS_STORE);
    /* an absolute path is refused, nothing written there */
    assert_int_equal(query_as(c, "store", PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP, outside),
                     PW_EINVAL);
    assert_int_equal(query_as(c, "store", PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP, "../x"),
                     PW_EINVAL);
    FILE *f = fopen(outside, "r");
    assert_null(f);
    /* a reader without manage: true may not; the store's own key names a subdirectory */
    assert_int_equal(query_as(c, "reader", PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP, "b1"),
                     PW_EDENIED);
    assert_int_equal(query_as(c, "store", PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP, "b1"), 0);
    f = fopen(inside, "r");
    assert_non_null(f);
    fclose(f);
    c->extra[HS_STORE][0] = NULL;
    pw_client_close(&st);
}

/* Waits (up to 10 s) until svc's log holds text; 1 when it does. */
static int log_wait(struct hs_cluster *c, const char *svc, const char *text)
{
    return hs_log_wait(c, svc, text, 10000);
}

/* SIGHUP re-reads the registry: a new office's key works at once, a
 * broken file is refused with file:line and the old registry stays; the
 * services keep serving and still stop cleanly on SIGTERM (teardown). */
static void test_reload(void **state)
{
    struct hs_cluster *c = *state;
    char offices[4096], path[300];
    assert_int_equal(ping_as(c, HS_INGEST, "late"), PW_EUNAVAILABLE);
    security_offices(c, offices, sizeof offices);
    size_t k = strlen(offices);
    snprintf(offices + k, sizeof offices - k,
             "  - {id: late, key: \"%s\", write: {projects: [p3.pj2]}, read: true}\n",
             hs_pub(c, "late"));
    hs_registry(c, offices);
    assert_int_equal(kill(c->pid[HS_INGEST], SIGHUP), 0);
    assert_int_equal(kill(c->pid[HS_STORE], SIGHUP), 0);
    assert_true(log_wait(c, "ingest", "registry reloaded"));
    assert_true(log_wait(c, "store", "registry reloaded"));
    assert_int_equal(ping_as(c, HS_INGEST, "late"), 0);
    assert_int_equal(ping_as(c, HS_STORE, "late"), 0);
    /* the new office writes within its scope, under its own name */
    Planwatch__V1__RowStatus rs = PLANWATCH__V1__ROW_STATUS__ROW_UNSPECIFIED;
    char why[300];
    assert_int_equal(feed_as(c, "late", "office-a", "late:1", IND_B, &rs, why, sizeof why), 0);
    assert_int_equal(rs, PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED);
    struct pw_client *st = hs_client(c, HS_STORE, "late");
    assert_int_equal(history_count(c, st, IND_B, "late"), 1);
    pw_client_close(&st);
    hs_start(c, HS_ALERT);

    /* a broken file: refused with file:line, the registry in force stays */
    snprintf(path, sizeof path, "%s/keys/registry.yaml", c->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: 1\noffices: [\n  - {id: x\n", f);
    fclose(f);
    assert_int_equal(kill(c->pid[HS_INGEST], SIGHUP), 0);
    assert_int_equal(kill(c->pid[HS_ALERT], SIGHUP), 0);
    assert_true(log_wait(c, "ingest", "registry reload refused"));
    assert_true(log_has(c, "ingest", "registry.yaml:3"));
    assert_int_equal(ping_as(c, HS_INGEST, "late"), 0);
    assert_int_equal(ping_as(c, HS_INGEST, "office-a"), 0);
    assert_int_equal(ping_as(c, HS_INGEST, "stranger"), PW_EUNAVAILABLE);
    assert_int_equal(kill(c->pid[HS_INGEST], 0), 0);
    assert_int_equal(hs_wait_ready(c, HS_INGEST, 5000), 0);
    /* alert: the same (its registry admits subscribers) */
    assert_true(log_wait(c, "alert", "registry reload refused"));
    assert_int_equal(kill(c->pid[HS_ALERT], 0), 0);
}

/* Sends raw bytes from a CURVE DEALER as office-a; returns the reply's
 * error code (0 if the reply is no ErrorReply), or 1 when none came. */
static int raw_call(struct hs_cluster *c, void *d, const void *buf, size_t len)
{
    struct pw_frames fr;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    int timeo = 5000, code = 0;
    (void)c;
    zmq_setsockopt(d, ZMQ_RCVTIMEO, &timeo, sizeof timeo);
    assert_int_equal(zmq_send(d, buf, len, 0), (int)len);
    if (pw_zsock_recv_msg(d, &fr, 0, &t, &m) != 0) {
        pw_frames_close(&fr);
        return 1;
    }
    if (t == PLANWATCH__V1__MSG_TYPE__MSG_ERROR)
        code = ((Planwatch__V1__ErrorReply *)m)->code;
    protobuf_c_message_free_unpacked(m, NULL);
    pw_frames_close(&fr);
    return code;
}

static void *dealer(struct hs_cluster *c, const char *ep, const char *server)
{
    void *d = NULL;
    struct pw_keypair a;
    struct pw_diag diag;
    assert_int_equal(pw_keys_load_secret(hs_key_path(c, "office-a", 1), &a, &diag), 0);
    assert_int_equal(pw_zsock_new(c->ctx, ZMQ_DEALER, 0, &d), 0);
    assert_int_equal(pw_keys_curve_client(d, &a, hs_pub(c, server)), 0);
    assert_int_equal(pw_zsock_connect(d, ep), 0);
    return d;
}

static void test_hostile_messages(void **state)
{
    struct hs_cluster *c = *state;
    struct pw_client *in = hs_client(c, HS_INGEST, "office-a");
    struct pw_client *st = hs_client(c, HS_STORE, "office-a");
    Planwatch__V1__IndicatorUpdate u, *row = &u;
    update(&u, "h:1", IND_A, 5000000);
    Planwatch__V1__FeedReply *r = hs_feed_rows(in, "", &row, 1, 10000);
    assert_non_null(r);
    assert_int_equal(r->accepted, 1);
    planwatch__v1__feed_reply__free_unpacked(r, NULL);
    uint64_t seq0 = hs_store_seq(c, st);

    void *d = dealer(c, c->ep_ingest, "ingest");
    /* garbage bytes */
    assert_int_equal(raw_call(c, d, "\xff\x00garbage", 9), PW_EWIRE);
    /* a truncated batch: the envelope cut in half, then the payload cut */
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    Planwatch__V1__IndicatorUpdate v, *vrow = &v;
    update(&v, "h:2", IND_A, 6000000);
    b.rows = &vrow;
    b.n_rows = 1;
    uint8_t *buf;
    size_t len;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, &buf, &len), 0);
    assert_int_equal(raw_call(c, d, buf, len / 2), PW_EWIRE);
    assert_int_equal(raw_call(c, d, buf, len - 3), PW_EWIRE);
    free(buf);
    /* more rows than a batch may hold: refused whole, nothing read */
    Planwatch__V1__IndicatorUpdate **many = calloc(PW_BATCH_MAX_ROWS + 1, sizeof *many);
    assert_non_null(many);
    for (size_t i = 0; i <= PW_BATCH_MAX_ROWS; i++)
        many[i] = &v;
    b.rows = many;
    b.n_rows = PW_BATCH_MAX_ROWS + 1;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, &buf, &len), 0);
    assert_int_equal(raw_call(c, d, buf, len), PW_EFEED_TOOMANY);
    free(buf);
    free(many);
    /* 600,000 empty rows: 1.2 MB on the wire, ~75 MB decoded; refused
     * before the decode gets there (the row limit can only be counted after) */
    const size_t nempty = 600000;
    Planwatch__V1__IndicatorUpdate empty = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    many = calloc(nempty, sizeof *many);
    assert_non_null(many);
    for (size_t i = 0; i < nempty; i++)
        many[i] = &empty;
    b.rows = many;
    b.n_rows = nempty;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, &buf, &len), 0);
    assert_true(len < (size_t)PW_MSG_MAX_BYTES / 32);
    assert_int_equal(raw_call(c, d, buf, len), PW_ETOOBIG);
    free(buf);
    free(many);
    /* an office name longer than the limit */
    char office[PW_OFFICE_MAX + 2];
    memset(office, 'x', sizeof office - 1);
    office[sizeof office - 1] = '\0';
    b.rows = &vrow;
    b.n_rows = 1;
    b.office = office;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, &buf, &len), 0);
    assert_int_equal(raw_call(c, d, buf, len), PW_EFEED_TOOLONG);
    free(buf);
    /* larger than ZMQ_MAXMSGSIZE: the connection is dropped, no reply */
    size_t big = (size_t)PW_MSG_MAX_BYTES + 1;
    char *huge = calloc(1, big);
    assert_non_null(huge);
    assert_int_equal(raw_call(c, d, huge, big), 1);
    free(huge);
    pw_zsock_close(&d);

    /* the store: a query text over the limit, and garbage */
    d = dealer(c, c->ep_store, "store");
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    char rid[PW_QUERY_TEXT_MAX + 2];
    memset(rid, 'r', sizeof rid - 1);
    rid[sizeof rid - 1] = '\0';
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_LATEST;
    q.request_id = rid;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_QUERY, &q.base, &buf, &len), 0);
    assert_int_equal(raw_call(c, d, buf, len), PW_ETOOBIG);
    free(buf);
    assert_int_equal(raw_call(c, d, "\x0a\x05", 2), PW_EWIRE);
    pw_zsock_close(&d);

    /* both keep serving; nothing was stored */
    assert_int_equal(hs_wait_ready(c, HS_STORE, 5000), 0);
    assert_int_equal(hs_wait_ready(c, HS_INGEST, 5000), 0);
    assert_int_equal(ping(in), 0);
    assert_int_equal(hs_store_seq(c, st), seq0);
    assert_int_equal(history_count(c, st, IND_A, "office-a"), 1);

    /* malformed CSV and JSON: the CLI names the problem, sends nothing */
    char path[300], *out, *err;
    static const char *const bad[][2] = {
        {"bad.csv", "indicator_id,fiscal_year,value\n\"" IND_A ",2025,3\n"},
        {"bad.json", "{\"updates\": [{\"indicator_id\": \"" IND_A "\""},
    };
    c->cli_as = "office-a";
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", c->dir, bad[i][0]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bad[i][1], f);
        fclose(f);
        const char *args[] = {"feed", path, NULL};
        int rc = hs_cli(c, &out, &err, args);
        assert_int_not_equal(rc, 0);
        if (!strstr(out, "PW_EFEED_SYNTAX") && !strstr(err, "PW_EFEED_SYNTAX"))
            fail_msg("no PW_EFEED_SYNTAX for %s: %s %s", bad[i][0], out, err);
        free(out);
        free(err);
    }
    assert_int_equal(hs_store_seq(c, st), seq0);

    /* malformed registry YAML: a service refuses to start and says where */
    snprintf(path, sizeof path, "%s/bad-registry.yaml", c->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: 1\noffices: [\n  - {id: x\n", f);
    fclose(f);
    struct hs_cluster twin = *c;
    char data[320], reg[320];
    snprintf(data, sizeof data, "--data-dir=%s/store-twin", c->dir);
    snprintf(reg, sizeof reg, "--registry=%s", path);
    twin.extra[HS_STORE][0] = data;
    twin.extra[HS_STORE][1] = reg;
    twin.pid[HS_STORE] = 0;
    hs_spawn(&twin, HS_STORE);
    assert_int_equal(hs_stop(&twin, HS_STORE, 0), 1);
    assert_true(log_has(c, "store", "bad-registry.yaml:3"));
    assert_true(log_has(c, "store", "PW_EREG_YAML"));
    /* a registry (or public key) writable by others is refused: whoever can
     * write it can let themselves in */
    snprintf(path, sizeof path, "%s/keys/registry.yaml", c->dir);
    assert_int_equal(chmod(path, 0666), 0);
    twin.extra[HS_STORE][1] = NULL;
    twin.pid[HS_STORE] = 0;
    hs_spawn(&twin, HS_STORE);
    assert_int_equal(hs_stop(&twin, HS_STORE, 0), 1);
    assert_true(log_has(c, "store", "the registry is writable by group or others (mode 666)"));
    assert_true(log_has(c, "store", "PW_EKEY_PERM"));
    assert_int_equal(chmod(path, 0644), 0);
    snprintf(path, sizeof path, "%s", hs_key_path(c, "ingest", 0));
    assert_int_equal(chmod(path, 0646), 0);
    twin.pid[HS_STORE] = 0;
    hs_spawn(&twin, HS_STORE);
    assert_int_equal(hs_stop(&twin, HS_STORE, 0), 1);
    assert_true(log_has(c, "store", "public key file is writable by group or others (mode 646)"));
    assert_int_equal(chmod(path, 0644), 0);
    /* and the running store never noticed */
    assert_int_equal(hs_store_seq(c, st), seq0);
    pw_client_close(&in);
    pw_client_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_and_wrong_keys_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_least_privilege, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_messages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
