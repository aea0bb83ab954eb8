/* test_alert_notify.c - who hears of an alert transition (alert_notify.c,
 * linked from pw_alert): silences by plan/project/indicator until their
 * date, acknowledgements that hold until new figures arrive, subscription
 * filters and the severity rule for resolutions, and the webhook body. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"

#include "eval.h"

#include "catalog.h"

#include "unit_support.h"

#include "alert_notify.h"
#include "dec.h"
#include "err.h"
#include "fy.h"

static int32_t day(const char *s)
{
    int32_t d = 0;
    assert_int_equal(pw_day_parse(s, &d), 0);
    return d;
}

/* An admin reply as the store sends it, built by packing and unpacking. */
static Planwatch__V1__QueryReply *admin(void)
{
    Planwatch__V1__QueryReply r = PLANWATCH__V1__QUERY_REPLY__INIT;
    Planwatch__V1__Subscription s1 = PLANWATCH__V1__SUBSCRIPTION__INIT,
                                s2 = PLANWATCH__V1__SUBSCRIPTION__INIT;
    Planwatch__V1__Silence si = PLANWATCH__V1__SILENCE__INIT;
    Planwatch__V1__Ack ak = PLANWATCH__V1__ACK__INIT;
    Planwatch__V1__Subscription *subs[] = {&s1, &s2};
    Planwatch__V1__Silence *sils[] = {&si};
    Planwatch__V1__Ack *acks[] = {&ak};
    s1.id = 1;
    s1.url = "http://127.0.0.1:1/a";
    s1.indicator_id = "x1";
    s1.min_severity = PLANWATCH__V1__SEVERITY__SEVERITY_WARNING;
    s2.id = 2;
    s2.url = "http://127.0.0.1:1/b";
    s2.plan = "p3";
    s2.min_severity = PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    si.id = 1;
    si.project = "pj2";
    si.until = "2026-09-01";
    ak.alert_id = "x1:7";
    ak.figures_seq = 40;
    r.subscriptions = subs;
    r.n_subscriptions = 2;
    r.silences = sils;
    r.n_silences = 1;
    r.acks = acks;
    r.n_acks = 1;
    r.admin_seq = 9;
    uint8_t buf[1024];
    size_t len = planwatch__v1__query_reply__pack(&r, buf);
    Planwatch__V1__QueryReply *out = planwatch__v1__query_reply__unpack(NULL, len, buf);
    assert_non_null(out);
    return out;
}

static Planwatch__V1__Alert alert(const char *id, const char *ind, const char *project,
                                  Planwatch__V1__AlertEvent ev, Planwatch__V1__Severity sev,
                                  Planwatch__V1__Severity prev)
{
    Planwatch__V1__Alert a = PLANWATCH__V1__ALERT__INIT;
    a.alert_id = (char *)id;
    a.indicator_id = (char *)ind;
    a.plan = "p3";
    a.project = (char *)project;
    a.event = ev;
    a.severity = sev;
    a.previous_severity = prev;
    return a;
}

static void test_mute(void **state)
{
    (void)state;
    struct alert_notify *n = NULL;
    assert_int_equal(alert_notify_open(&n), 0);
    Planwatch__V1__Alert a = alert("x1:7", "x1", "pj1", PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_WARNING);
    /* nothing loaded: nothing is quiet */
    assert_int_equal(alert_notify_mute(n, &a, 40, day("2026-06-01")), 0);
    alert_notify_load(n, admin());
    assert_int_equal(alert_notify_admin_seq(n), 9);
    /* acknowledged with figures up to seq 40: an update is quiet ... */
    assert_int_equal(alert_notify_mute(n, &a, 40, day("2026-06-01")), 1);
    assert_true(a.acknowledged);
    assert_false(a.silenced);
    /* ... a resolution is still sent ... */
    a.event = PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED;
    assert_int_equal(alert_notify_mute(n, &a, 40, day("2026-06-01")), 0);
    assert_true(a.acknowledged);
    /* ... and new figures (seq 41) end the acknowledgement */
    a.event = PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED;
    assert_int_equal(alert_notify_mute(n, &a, 41, day("2026-06-01")), 0);
    assert_false(a.acknowledged);
    /* another alert of project pj2 is silenced until 2026-09-01 (exclusive) */
    Planwatch__V1__Alert b = alert("y:3", "y", "pj2", PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_WARNING,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    assert_int_equal(alert_notify_mute(n, &b, 1, day("2026-08-31")), 1);
    assert_true(b.silenced);
    assert_int_equal(alert_notify_mute(n, &b, 1, day("2026-09-01")), 0);
    assert_false(b.silenced);
    assert_non_null(alert_notify_sub(n, 2));
    assert_null(alert_notify_sub(n, 3));
    alert_notify_close(&n);
    assert_null(n);
    alert_notify_close(&n);
}

static void test_match(void **state)
{
    (void)state;
    struct alert_notify *n = NULL;
    assert_int_equal(alert_notify_open(&n), 0);
    alert_notify_load(n, admin());
    const Planwatch__V1__Subscription *s1 = alert_notify_sub(n, 1), *s2 = alert_notify_sub(n, 2);
    Planwatch__V1__Alert a = alert("x1:7", "x1", "pj1", PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_WARNING,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    assert_true(alert_notify_match(s1, &a));
    assert_false(alert_notify_match(s2, &a)); /* warning < critical */
    a.severity = PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    assert_true(alert_notify_match(s2, &a));
    /* a resolution from CRITICAL reaches the critical subscriber */
    a.severity = PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
    a.previous_severity = PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    assert_true(alert_notify_match(s2, &a));
    /* filters: another indicator, another plan */
    a.indicator_id = "x2";
    assert_false(alert_notify_match(s1, &a));
    a.plan = "p2";
    assert_false(alert_notify_match(s2, &a));
    alert_notify_close(&n);
}

static void test_body(void **state)
{
    (void)state;
    Planwatch__V1__Alert a = alert("x1:7", "x1", "pj1", PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_WARNING,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    Planwatch__V1__StatusRow row = PLANWATCH__V1__STATUS_ROW__INIT;
    a.seq = 7;
    a.kind = PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE;
    a.status = PLANWATCH__V1__STATUS__STATUS_NO_DATA;
    a.overdue_fy = 2025;
    a.due = "2026-06-30";
    a.summary = "overdue: never reported; the FY2025 figure was due 2026-06-30";
    a.name = "名前";
    a.time_ns = INT64_C(1790000000123000000);
    row.as_of = "2026-07-01";
    row.has_target = 1;
    row.target_micros = PW_DEC(650);
    row.has_expected = 1;
    row.expected_micros = 195534247;
    a.row = &row;
    char *body = NULL;
    size_t len = 0;
    assert_int_equal(alert_notify_body(&a, NULL, 3, &body, &len), 0);
    assert_int_equal(len, strlen(body));
    json_error_t e;
    json_t *j = json_loads(body, 0, &e);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "overdue");
    assert_string_equal(json_string_value(json_object_get(j, "event")), "opened");
    assert_string_equal(json_string_value(json_object_get(j, "severity")), "warning");
    assert_int_equal(json_integer_value(json_object_get(j, "subscription_id")), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "indicator"), "name")),
                        "名前");
    json_t *od = json_object_get(j, "overdue");
    assert_int_equal(json_integer_value(json_object_get(od, "fiscal_year")), 2025);
    assert_string_equal(json_string_value(json_object_get(od, "due")), "2026-06-30");
    json_t *ev = json_object_get(j, "evaluation");
    assert_int_equal(json_integer_value(json_object_get(ev, "target")), 650);
    assert_true(json_is_null(json_object_get(ev, "actual")));
    assert_non_null(strstr(body, "\"expected\":195.534247,")); /* no binary noise */
    assert_string_equal(json_string_value(json_object_get(j, "time")), "2026-09-21T14:13:20.123Z");
    json_decref(j);
    free(body);
}

/* The body speaks Japanese too: the same evaluation as the follow-up
 * tables word it, and the status word. */
static void test_body_japanese(void **state)
{
    (void)state;
    struct pw_catalog *cat = NULL;
    assert_int_equal(ut_catalog_load(&cat, "n.yaml",
                                     "version: 1\n"
                                     "plans:\n"
                                     "  - {id: p3, name: 第3期, start_fy: 2025, end_fy: 2029}\n"
                                     "indicators:\n"
                                     "  - {id: x1, plan: p3, name: 導出件数, kind: output, unit: 件,"
                                     "     reporting: annual, source: s,"
                                     "     target: {type: cumulative, value: 650}}\n"),
                     0);
    const struct pw_indicator *ind = pw_catalog_find(cat, "x1");
    struct pw_obs o = {2025, PW_DEC(158), PW_BASIS_ANNUAL, 0, PW_NO_DAY, 0, 0};
    struct pw_eval ev;
    assert_int_equal(pw_eval_indicator(ind, &o, 1, pw_day_from_ymd(2026, 12, 6), &ev), 0);
    Planwatch__V1__StatusRow row;
    struct pw_msg_row_buf buf;
    pw_msg_status_row(&row, ind, &ev, &buf);
    Planwatch__V1__Alert a = alert("x1:7", "x1", "all", PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_NOTICE,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    a.status = PLANWATCH__V1__STATUS__STATUS_ON_TRACK;
    a.summary = ev.explanation;
    a.row = &row;
    char *body = NULL;
    size_t len = 0;
    assert_int_equal(alert_notify_body(&a, ind, 3, &body, &len), 0);
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    const char *ja = json_string_value(json_object_get(j, "summary_ja"));
    assert_non_null(ja);
    assert_non_null(strstr(ja, "累計158件"));
    assert_string_equal(json_string_value(json_object_get(j, "status_ja")), "順調");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "evaluation"),
                                                          "explanation_ja")), ja);
    /* English stays where it was */
    assert_non_null(strstr(json_string_value(json_object_get(j, "summary")), "FY2025 (1/5)"));
    json_decref(j);
    free(body);
    pw_catalog_close(&cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mute),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_body_japanese),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
