/* seeds_envelope.c - writes the seed corpus of fuzz_envelope into the
 * directory given: one realistic envelope of every MsgType, plus a wrong
 * version, an unknown type and a truncated batch. Run by hand when the
 * protocol grows (README "Fuzzing"); its output is checked in under
 * tests/fuzz/envelope/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

static const char *seeds_dir;

static void seeds_write(const char *name, const uint8_t *buf, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", seeds_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

static void seeds_msg(const char *name, Planwatch__V1__MsgType t, const ProtobufCMessage *m)
{
    uint8_t *buf;
    size_t len;
    if (pw_envelope_pack(t, m, &buf, &len))
        exit(1);
    seeds_write(name, buf, len);
    if (t == PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH) {
        char trunc[256];
        snprintf(trunc, sizeof trunc, "%s-truncated", name);
        seeds_write(trunc, buf, len / 2);
    }
    free(buf);
}

static void seeds_update(Planwatch__V1__IndicatorUpdate *u, const char *id, int fy)
{
    planwatch__v1__indicator_update__init(u);
    u->update_id = "d9954621-5bd4-5c4e-9d1b-2d3f0a3f1e77";
    u->indicator_id = (char *)id;
    u->fiscal_year = fy;
    u->value_micros = 5000000;
    u->basis = PLANWATCH__V1__BASIS__BASIS_CUMULATIVE;
    u->as_of = "2023-03-31";
    u->office = "pj2";
    u->note = "速報値";
    u->received_ns = 1700000000000000000;
    u->seq = 13;
    u->ingest_epoch = 0x1234;
    u->ingest_seq = 7;
    u->row = 2;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    seeds_dir = argv[1];
    Planwatch__V1__IndicatorUpdate u1, u2, *rows[2] = {&u1, &u2};
    seeds_update(&u1, "p2-pj2-class34-approvals", 2022);
    seeds_update(&u2, "p3-out05-pediatric-plans", 2025);
    u2.basis = PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    u2.preliminary = 1;
    seeds_msg("update", PLANWATCH__V1__MSG_TYPE__MSG_UPDATE, &u1.base);

    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    b.batch_id = "b1";
    b.office = "pj2";
    b.source = "feed.csv";
    b.rows = rows;
    b.n_rows = 2;
    seeds_msg("feed_batch", PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base);

    Planwatch__V1__RowResult r1 = PLANWATCH__V1__ROW_RESULT__INIT, *rr[1] = {&r1};
    r1.row = 3;
    r1.status = PLANWATCH__V1__ROW_STATUS__ROW_REJECTED;
    r1.code = -46;
    r1.field = "fiscal_year";
    r1.reason = "FY2019 is outside FY2020–2024";
    Planwatch__V1__FeedReply fr = PLANWATCH__V1__FEED_REPLY__INIT;
    fr.batch_id = "b1";
    fr.results = rr;
    fr.n_results = 1;
    fr.rejected = 1;
    seeds_msg("feed_reply", PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY, &fr.base);

    Planwatch__V1__AckItem a1 = PLANWATCH__V1__ACK_ITEM__INIT, *ai[1] = {&a1};
    a1.update_id = "u1";
    a1.seq = 9;
    a1.duplicate = 1;
    Planwatch__V1__StoreAck ack = PLANWATCH__V1__STORE_ACK__INIT;
    ack.items = ai;
    ack.n_items = 1;
    ack.ingest_epoch = 0x1234;
    seeds_msg("store_ack", PLANWATCH__V1__MSG_TYPE__MSG_STORE_ACK, &ack.base);

    Planwatch__V1__StatusRow row = PLANWATCH__V1__STATUS_ROW__INIT;
    row.indicator_id = "p2-pj2-class34-approvals";
    row.as_of = "2023-03-31";
    row.status = PLANWATCH__V1__STATUS__STATUS_BEHIND;
    row.grade = "B";
    row.has_target = 1;
    row.target_micros = 20000000;
    row.has_expected = 1;
    row.expected_micros = 12000000;
    row.has_actual = 1;
    row.actual_micros = 5000000;
    row.has_ratio = 1;
    row.ratio = 0.42;
    row.explanation = "FY2022 (3/5): expected ≥ 12 of 20, actual 5 → B, short by 7";
    row.data_fy = 2022;
    Planwatch__V1__Alert al = PLANWATCH__V1__ALERT__INIT;
    al.alert_id = "p2-pj2-class34-approvals@13";
    al.seq = 4;
    al.indicator_id = row.indicator_id;
    al.plan = "p2";
    al.project = "pj2";
    al.name = "クラスⅢ・Ⅳ医療機器の薬事承認件数";
    al.status = PLANWATCH__V1__STATUS__STATUS_BEHIND;
    al.previous = PLANWATCH__V1__STATUS__STATUS_NO_DATA;
    al.severity = PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    al.row = &row;
    al.update_seq = 13;
    seeds_msg("alert", PLANWATCH__V1__MSG_TYPE__MSG_ALERT, &al.base);

    Planwatch__V1__AlertState st = PLANWATCH__V1__ALERT_STATE__INIT, *sts[1] = {&st};
    st.indicator_id = row.indicator_id;
    st.status = PLANWATCH__V1__STATUS__STATUS_BEHIND;
    st.alert_seq = 4;
    st.applied_seq = 13;
    st.alert_id = al.alert_id;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_PUT;
    q.indicator_id = row.indicator_id;
    q.as_of = "2026-03-31";
    q.plan = "p3";
    q.project = "pj1";
    q.after_seq = 10;
    q.limit = 100;
    q.alert_states = sts;
    q.n_alert_states = 1;
    q.request_id = "r1";
    seeds_msg("query", PLANWATCH__V1__MSG_TYPE__MSG_QUERY, &q.base);

    Planwatch__V1__StatusRow *rowp[1] = {&row};
    Planwatch__V1__CatalogFile cf = PLANWATCH__V1__CATALOG_FILE__INIT, *cfs[1] = {&cf};
    cf.name = "plan.yaml";
    cf.yaml.data = (uint8_t *)"version: 1\n";
    cf.yaml.len = 11;
    Planwatch__V1__QueryReply qr = PLANWATCH__V1__QUERY_REPLY__INIT;
    qr.updates = rows;
    qr.n_updates = 2;
    qr.rows = rowp;
    qr.n_rows = 1;
    qr.catalog = cfs;
    qr.n_catalog = 1;
    qr.seq = 13;
    qr.more = 1;
    qr.alert_states = sts;
    qr.n_alert_states = 1;
    qr.request_id = "r1";
    qr.alert_seq = 4;
    seeds_msg("query_reply", PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY, &qr.base);

    Planwatch__V1__Heartbeat hb = PLANWATCH__V1__HEARTBEAT__INIT;
    hb.service = "alert";
    hb.seq = 4;
    hb.epoch = 0x1234;
    hb.applied_seq = 13;
    hb.resyncs = 1;
    hb.ready = 1;
    seeds_msg("heartbeat", PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base);

    Planwatch__V1__Ping pi = PLANWATCH__V1__PING__INIT;
    pi.from = "harness";
    seeds_msg("ping", PLANWATCH__V1__MSG_TYPE__MSG_PING, &pi.base);
    Planwatch__V1__Pong po = PLANWATCH__V1__PONG__INIT;
    po.service = "store";
    po.ready = 1;
    po.seq = 13;
    seeds_msg("pong", PLANWATCH__V1__MSG_TYPE__MSG_PONG, &po.base);
    Planwatch__V1__ErrorReply er = PLANWATCH__V1__ERROR_REPLY__INIT;
    er.code = -60;
    er.reason = "not a planwatch message";
    seeds_msg("error", PLANWATCH__V1__MSG_TYPE__MSG_ERROR, &er.base);

    /* an envelope of version 2, and one of an unknown type */
    Planwatch__V1__Envelope env = PLANWATCH__V1__ENVELOPE__INIT;
    uint8_t buf[64];
    env.version = 2;
    env.type = PLANWATCH__V1__MSG_TYPE__MSG_PING;
    seeds_write("version2", buf, planwatch__v1__envelope__pack(&env, buf));
    env.version = 1;
    env.type = (Planwatch__V1__MsgType)99;
    seeds_write("unknown_type", buf, planwatch__v1__envelope__pack(&env, buf));
    return 0;
}
