/* test_chaos.c - 10,000 updates from 4 concurrent office clients while the
 * store, ingest and alert services are killed with SIGKILL at random
 * moments and restarted. Afterwards:
 *  - every update acknowledged to a client is in LMDB exactly once, with
 *    the seq it was acknowledged with and the figure the client sent;
 *  - nothing is stored twice, nothing stored is partial or foreign;
 *  - the alert service's recorded state equals a fresh evaluation of the
 *    store.
 * Clients behave like offices: a row answered UNAVAILABLE, or a batch with
 * no answer in time, is resent with the same update ids. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "catalog.h"
#include "dec.h"
#include "err.h"
#include "harness.h"
#include "zsock.h"

#define CLIENTS 4
#define PER_CLIENT 2500
#define BATCH 10
#define KILLS 12

struct sent {
    char id[32];
    char indicator[PW_ID_MAX + 1];
    int64_t value;
    uint64_t seq;      /* 0 until acknowledged */
};

struct client {
    struct hs_cluster *c;
    int k;
    const char **ids;   /* indicators to write */
    size_t nids;
    struct sent *sent;
    long resends, answers;
    _Atomic int finished;
};

static void *client_run(void *arg)
{
    struct client *cl = arg;
    struct pw_client *in = NULL;
    Planwatch__V1__IndicatorUpdate u[BATCH];
    Planwatch__V1__IndicatorUpdate *p[BATCH];
    if (pw_client_open(cl->c->ctx, cl->c->ep_ingest, &in))
        return (void *)1;
    for (size_t start = 0; start < PER_CLIENT; start += BATCH) {
        size_t n = PER_CLIENT - start < BATCH ? PER_CLIENT - start : BATCH;
        for (;;) {
            size_t todo = 0;
            for (size_t i = 0; i < n; i++) {
                struct sent *s = &cl->sent[start + i];
                if (s->seq)
                    continue;
                planwatch__v1__indicator_update__init(&u[todo]);
                u[todo].update_id = s->id;
                u[todo].indicator_id = s->indicator;
                u[todo].fiscal_year = 2025;
                u[todo].value_micros = s->value;
                u[todo].basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
                u[todo].row = (int32_t)(start + i + 2);
                p[todo] = &u[todo];
                todo++;
            }
            if (todo == 0)
                break;
            /* offices send steadily, so the kills land mid-stream */
            struct timespec gap = {0, 15 * 1000000L};
            nanosleep(&gap, NULL);
            Planwatch__V1__FeedReply *r = hs_feed_rows(in, "chaos", p, todo, 4000);
            if (!r) {
                cl->resends++;
                continue;
            }
            cl->answers++;
            for (size_t i = 0; i < r->n_results; i++) {
                const Planwatch__V1__RowResult *res = r->results[i];
                if (res->status != PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED &&
                    res->status != PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE)
                    continue;
                for (size_t j = 0; j < n; j++)
                    if (!strcmp(cl->sent[start + j].id, res->update_id))
                        cl->sent[start + j].seq = res->seq;
            }
            planwatch__v1__feed_reply__free_unpacked(r, NULL);
        }
    }
    pw_client_close(&in);
    cl->finished = 1;
    return NULL;
}

/* Indicators whose window holds FY2025 and whose values may be any count. */
static size_t pick_indicators(const struct pw_catalog *cat, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < pw_catalog_count(cat) && n < max; i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        int first, last;
        pw_indicator_fy_range(ind, &first, &last);
        if (first <= 2025 && last >= 2025 && !ind->percent)
            out[n++] = ind->id;
    }
    return n;
}

struct stored {
    struct client *cls;
    size_t found, foreign, mismatched;
    unsigned char *seen;  /* per (client, index): times stored */
};

static int check_stored(struct stored *st, const Planwatch__V1__IndicatorUpdate *u)
{
    int k, idx;
    if (sscanf(u->update_id, "c%d-%d", &k, &idx) != 2 || k < 0 || k >= CLIENTS || idx < 0 ||
        idx >= PER_CLIENT) {
        st->foreign++;
        return 0;
    }
    const struct sent *s = &st->cls[k].sent[idx];
    if (strcmp(s->indicator, u->indicator_id) || s->value != u->value_micros ||
        u->fiscal_year != 2025 || (s->seq && s->seq != u->seq))
        st->mismatched++;
    st->seen[k * PER_CLIENT + idx]++;
    st->found++;
    return 0;
}

static void test_chaos(void **state)
{
    (void)state;
    struct hs_cluster c;
    struct pw_catalog *cat = NULL;
    const char *ids[200];
    hs_init(&c, "chaos", "2026-03-31");
    assert_int_equal(pw_catalog_load_default(&cat, NULL), 0);
    size_t nids = pick_indicators(cat, ids, 200);
    assert_true(nids > 20);
    hs_start(&c, HS_STORE);
    hs_start(&c, HS_INGEST);
    hs_start(&c, HS_ALERT);

    struct client cls[CLIENTS];
    pthread_t th[CLIENTS];
    unsigned seed = (unsigned)time(NULL);
    fprintf(stderr, "chaos seed %u\n", seed);
    srand(seed);
    for (int k = 0; k < CLIENTS; k++) {
        memset(&cls[k], 0, sizeof cls[k]);
        cls[k].c = &c;
        cls[k].k = k;
        cls[k].ids = ids;
        cls[k].nids = nids;
        cls[k].sent = calloc(PER_CLIENT, sizeof *cls[k].sent);
        for (int i = 0; i < PER_CLIENT; i++) {
            struct sent *s = &cls[k].sent[i];
            snprintf(s->id, sizeof s->id, "c%d-%d", k, i);
            snprintf(s->indicator, sizeof s->indicator, "%s", ids[(size_t)rand() % nids]);
            s->value = PW_DEC(rand() % 500);
        }
        assert_int_equal(pthread_create(&th[k], NULL, client_run, &cls[k]), 0);
    }

    /* the monkey: KILLS kill -9s of random services at random moments,
     * each restarted at once (the pauses are the workload, not a sync) */
    int kills[HS_NSVC] = {0};
    for (int round = 0; round < KILLS; round++) {
        struct timespec pause = {0, (50 + rand() % 250) * 1000000L};
        nanosleep(&pause, NULL);
        enum hs_svc s = (enum hs_svc)(round < HS_NSVC ? round : rand() % HS_NSVC);
        hs_stop(&c, s, SIGKILL);
        kills[s]++;
        hs_spawn(&c, s);
        if (hs_wait_ready(&c, s, 30000) != 0) {
            hs_dump_logs(&c);
            fail_msg("%d did not come back after kill -9", (int)s);
        }
    }
    int still_sending = 0;
    for (int k = 0; k < CLIENTS; k++)
        still_sending += !cls[k].finished;
    for (int k = 0; k < CLIENTS; k++)
        pthread_join(th[k], NULL);
    fprintf(stderr, "kills: store %d ingest %d alert %d\n", kills[0], kills[1], kills[2]);
    /* the kills hit a running workload, not an idle system */
    assert_true(still_sending > 0);

    /* every acknowledged update exactly once, nothing foreign or altered */
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(c.ctx, c.ep_store, &st), 0);
    struct stored s = {.cls = cls};
    s.seen = calloc(CLIENTS * PER_CLIENT, 1);
    uint64_t after = 0;
    for (;;) {
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SNAPSHOT;
        q.after_seq = after;
        q.limit = 5000;
        Planwatch__V1__QueryReply *r = hs_query(&c, st, &q);
        for (size_t i = 0; i < r->n_updates; i++) {
            assert_int_equal(r->updates[i]->seq, after + 1); /* no hole, no repeat */
            after = r->updates[i]->seq;
            check_stored(&s, r->updates[i]);
        }
        int more = r->more;
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        if (!more)
            break;
    }
    size_t acked = 0;
    for (int k = 0; k < CLIENTS; k++)
        for (int i = 0; i < PER_CLIENT; i++) {
            if (cls[k].sent[i].seq) {
                acked++;
                if (s.seen[k * PER_CLIENT + i] != 1)
                    fail_msg("c%d-%d acknowledged (seq %llu) but stored %d times", k, i,
                             (unsigned long long)cls[k].sent[i].seq, s.seen[k * PER_CLIENT + i]);
            }
            assert_true(s.seen[k * PER_CLIENT + i] <= 1);
        }
    assert_int_equal(acked, CLIENTS * PER_CLIENT);
    assert_int_equal(s.found, CLIENTS * PER_CLIENT);
    assert_int_equal(s.foreign, 0);
    assert_int_equal(s.mismatched, 0);

    /* the alert service converges to a fresh evaluation of the store */
    long resyncs = hs_alert_converged(&c, after, 60000);
    if (resyncs < 0) {
        hs_dump_logs(&c);
        fail_msg("alert did not converge to store seq %llu", (unsigned long long)after);
    }
    size_t compared = hs_assert_alert_state_fresh(&c, st, "2026-03-31");
    assert_int_equal(compared, pw_catalog_count(cat));
    fprintf(stderr, "stored %zu, alert compared %zu indicators, alert resyncs %ld\n", s.found,
            compared, resyncs);

    pw_client_close(&st);
    for (int k = 0; k < CLIENTS; k++)
        free(cls[k].sent);
    free(s.seen);
    pw_catalog_close(&cat);
    hs_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_chaos)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
