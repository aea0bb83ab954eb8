/* test_alert_format.c - the bodies of the other channels (alert_format.c,
 * linked from pw_alert): the Japanese headline, Alertmanager's labels kept
 * per alert id from opening to resolution (the severity it was open under),
 * a severity change that ends the old labels and starts the new ones, the
 * re-post without endsAt, the link, and the chat body's text and blocks
 * (header cut to Slack's 150 characters). */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alert_format.h"
#include "dec.h"
#include "err.h"

static Planwatch__V1__Alert alert(Planwatch__V1__StatusRow *row, Planwatch__V1__AlertEvent ev,
                                  Planwatch__V1__Severity sev, Planwatch__V1__Severity prev)
{
    Planwatch__V1__Alert a = PLANWATCH__V1__ALERT__INIT;
    a.alert_id = "x1:7";
    a.seq = 9;
    a.indicator_id = "x1";
    a.plan = "p3";
    a.project = "pj1";
    a.name = "論文数（Top1%論文）";
    a.status = ev == PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED
                   ? PLANWATCH__V1__STATUS__STATUS_ON_TRACK
                   : PLANWATCH__V1__STATUS__STATUS_BEHIND;
    a.kind = PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS;
    a.event = ev;
    a.severity = sev;
    a.previous_severity = prev;
    a.summary = "FY2025 (1/5): expected >= 120, actual 86";
    a.time_ns = INT64_C(1790000000123000000);
    row->checkpoint_fy = 2025;
    row->has_actual = 1;
    row->actual_micros = PW_DEC(86);
    row->has_expected = 1;
    row->expected_micros = PW_DEC(120);
    a.row = row;
    return a;
}

static json_t *parse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fail_msg("not JSON: %s (%s)", e.text, s);
    return j;
}

static const char *js(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : "";
}

static void test_title(void **state)
{
    (void)state;
    Planwatch__V1__StatusRow row = PLANWATCH__V1__STATUS_ROW__INIT;
    Planwatch__V1__Alert a = alert(&row, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    char t[512];
    assert_string_equal(alert_format_title_ja(&a, NULL, t, sizeof t),
                        "遅れ 論文数（Top1%論文） 令和7年度末 86/120");
    a.kind = PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE;
    a.event = PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED;
    assert_string_equal(alert_format_title_ja(&a, NULL, t, sizeof t),
                        "未報告（解消） 論文数（Top1%論文） 令和7年度末 86/120");
    /* a resumed subscription's DELIVERY alert, resolved (the mail's subject) */
    Planwatch__V1__Alert d = PLANWATCH__V1__ALERT__INIT;
    d.kind = PLANWATCH__V1__ALERT_KIND__ALERT_KIND_DELIVERY;
    d.event = PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED;
    d.name = "購読 7 の配信 (https://hooks.example.jp/x)";
    assert_string_equal(alert_format_title_ja(&d, NULL, t, sizeof t),
                        "配信停止（解消） 購読 7 の配信 (https://hooks.example.jp/x)");
    struct alert_format_ctx ctx = {.public_url = "https://pw.example.jp/"};
    assert_string_equal(alert_format_link(&ctx, "x1", t, sizeof t),
                        "https://pw.example.jp/indicator/x1");
    ctx.public_url = "";
    assert_string_equal(alert_format_link(&ctx, "x1", t, sizeof t), "");
    assert_true(alert_format_known("") && alert_format_known("slack") &&
                alert_format_known("alertmanager") && alert_format_known("email"));
    assert_false(alert_format_known("teams"));
}

static void test_alertmanager(void **state)
{
    (void)state;
    struct alert_format_ctx ctx = {.public_url = "https://pw.example.jp"};
    Planwatch__V1__StatusRow row = PLANWATCH__V1__STATUS_ROW__INIT;
    char *out = NULL;
    size_t len = 0;
    /* opened: one open alert, current labels */
    Planwatch__V1__Alert a = alert(&row, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_WARNING,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    const Planwatch__V1__Alert *als[] = {&a};
    assert_int_equal(alert_format_alertmanager(als, NULL, 1, 0, &ctx, &out, &len), 0);
    assert_int_equal(len, strlen(out));
    json_t *j = parse(out), *e = json_array_get(j, 0), *l = json_object_get(e, "labels");
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(js(l, "alertname"), "planwatch_status");
    assert_string_equal(js(l, "alert_id"), "x1:7");
    assert_string_equal(js(l, "severity"), "warning");
    assert_string_equal(js(l, "office"), "");
    assert_string_equal(js(json_object_get(e, "annotations"), "summary"),
                        "遅れ 論文数（Top1%論文） 令和7年度末 86/120");
    assert_string_equal(js(e, "startsAt"), "2026-09-21T14:13:20.123Z");
    assert_string_equal(js(e, "generatorURL"), "https://pw.example.jp/indicator/x1");
    assert_null(json_object_get(e, "endsAt"));
    json_decref(j);
    free(out);

    /* warning -> critical: the warning one ends, the critical one starts */
    a.event = PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED;
    a.severity = PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    a.previous_severity = PLANWATCH__V1__SEVERITY__SEVERITY_WARNING;
    assert_int_equal(alert_format_alertmanager(als, NULL, 1, 0, &ctx, &out, &len), 0);
    j = parse(out);
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(js(json_object_get(json_array_get(j, 0), "labels"), "severity"), "warning");
    assert_string_equal(js(json_array_get(j, 0), "endsAt"), "2026-09-21T14:13:20.123Z");
    assert_string_equal(js(json_object_get(json_array_get(j, 1), "labels"), "severity"), "critical");
    assert_null(json_object_get(json_array_get(j, 1), "endsAt"));
    json_decref(j);
    free(out);

    /* a re-post of the open alert: current labels, no endsAt */
    assert_int_equal(alert_format_alertmanager(als, NULL, 1, 1, &ctx, &out, &len), 0);
    j = parse(out);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(js(json_object_get(json_array_get(j, 0), "labels"), "severity"), "critical");
    assert_null(json_object_get(json_array_get(j, 0), "endsAt"));
    json_decref(j);
    free(out);

    /* resolved: INFO now, but ended under the labels it was open under */
    a.event = PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED;
    a.severity = PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
    a.previous_severity = PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    assert_int_equal(alert_format_alertmanager(als, NULL, 1, 0, &ctx, &out, &len), 0);
    j = parse(out);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(js(json_object_get(json_array_get(j, 0), "labels"), "severity"), "critical");
    assert_string_equal(js(json_array_get(j, 0), "endsAt"), "2026-09-21T14:13:20.123Z");
    json_decref(j);
    free(out);
}

static void test_slack(void **state)
{
    (void)state;
    struct alert_format_ctx ctx = {.public_url = "https://pw.example.jp"};
    Planwatch__V1__StatusRow row = PLANWATCH__V1__STATUS_ROW__INIT;
    Planwatch__V1__Alert a = alert(&row, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL,
                                   PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    Planwatch__V1__Subscription sub = PLANWATCH__V1__SUBSCRIPTION__INIT;
    char *out = NULL, longname[900];
    size_t len = 0;
    sub.format = "slack";
    assert_int_equal(alert_format_body(&sub, &a, NULL, &ctx, &out, &len), 0);
    json_t *j = parse(out), *b = json_object_get(j, "blocks");
    assert_non_null(strstr(js(j, "text"), "【planwatch】遅れ 論文数（Top1%論文） 令和7年度末 86/120"));
    assert_non_null(strstr(js(j, "text"), "https://pw.example.jp/indicator/x1"));
    assert_int_equal(json_array_size(b), 3);
    assert_string_equal(js(json_array_get(b, 0), "type"), "header");
    assert_string_equal(js(json_array_get(b, 1), "type"), "section");
    assert_string_equal(js(json_array_get(b, 2), "type"), "context");
    json_decref(j);
    free(out);
    /* a header longer than Slack takes is cut at 150 characters */
    memset(longname, 0, sizeof longname);
    for (size_t i = 0; i < 200; i++)
        memcpy(longname + 3 * i, "論", 3);
    a.name = longname;
    assert_int_equal(alert_format_body(&sub, &a, NULL, &ctx, &out, &len), 0);
    j = parse(out);
    const char *h = js(json_object_get(json_array_get(json_object_get(j, "blocks"), 0), "text"),
                       "text");
    size_t chars = 0;
    for (const char *p = h; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    assert_int_equal(chars, 150);
    json_decref(j);
    free(out);
    sub.format = "teams";
    assert_int_equal(alert_format_body(&sub, &a, NULL, &ctx, &out, &len), PW_EINVAL);
}

/* Transitions that arrived together: one body listing them by plan and
 * project (the caller's order), with a counted headline. */
static void test_group(void **state)
{
    (void)state;
    struct alert_format_ctx ctx = {.public_url = ""};
    Planwatch__V1__StatusRow r1 = PLANWATCH__V1__STATUS_ROW__INIT, r2 = r1, r3 = r1;
    Planwatch__V1__Alert a1 = alert(&r1, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                    PLANWATCH__V1__SEVERITY__SEVERITY_WARNING,
                                    PLANWATCH__V1__SEVERITY__SEVERITY_INFO),
                         a2 = alert(&r2, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                    PLANWATCH__V1__SEVERITY__SEVERITY_WARNING,
                                    PLANWATCH__V1__SEVERITY__SEVERITY_INFO),
                         a3 = alert(&r3, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED,
                                    PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL,
                                    PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    a1.kind = a2.kind = PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE;
    a2.project = "pj2";
    a2.alert_id = "x2:8";
    a3.project = "pj2";
    const Planwatch__V1__Alert *als[] = {&a1, &a2, &a3};
    const struct pw_indicator *inds[] = {NULL, NULL, NULL};
    char t[512], *out = NULL;
    size_t len = 0;
    assert_string_equal(alert_format_group_title(als, 3, &ctx, t, sizeof t),
                        "【planwatch】3件: 未報告 2件、遅れ 1件");
    ctx.reminder = 1;
    assert_string_equal(alert_format_group_title(als, 3, &ctx, t, sizeof t),
                        "【planwatch】未対応 3件: 未報告 2件、遅れ 1件");
    ctx.reminder = 0;
    Planwatch__V1__Subscription sub = PLANWATCH__V1__SUBSCRIPTION__INIT;
    sub.id = 4;
    assert_int_equal(alert_format_group(&sub, als, inds, 3, &ctx, &out, &len), 0);
    json_t *j = parse(out), *p = json_object_get(j, "projects");
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
    assert_int_equal(json_array_size(p), 2);
    assert_string_equal(js(json_array_get(p, 0), "project"), "pj1");
    assert_int_equal(json_array_size(json_object_get(json_array_get(p, 0), "alerts")), 1);
    assert_string_equal(js(json_array_get(p, 1), "project"), "pj2");
    assert_int_equal(json_array_size(json_object_get(json_array_get(p, 1), "alerts")), 2);
    json_decref(j);
    free(out);
    sub.format = "slack";
    assert_int_equal(alert_format_group(&sub, als, inds, 3, &ctx, &out, &len), 0);
    j = parse(out);
    assert_int_equal(json_array_size(json_object_get(j, "blocks")), 3); /* header + 2 projects */
    assert_non_null(strstr(js(j, "text"), "p3 / pj2: 未報告"));
    json_decref(j);
    free(out);
    sub.format = "alertmanager";
    assert_int_equal(alert_format_group(&sub, als, inds, 3, &ctx, &out, &len), 0);
    j = parse(out);
    assert_int_equal(json_array_size(j), 3); /* one POST, every alert */
    json_decref(j);
    free(out);
}

/* Digest schedules in Japan's time: "tue 13:00" after Tuesday 12:00 JST is
 * that day 13:00; after 13:00 the next week; "daily" the next day. */
static void test_digest_schedule(void **state)
{
    (void)state;
    int w = 0, m = 0;
    const int64_t S = 1000000000;
    assert_int_equal(alert_format_digest_parse("tue 13:00", &w, &m), 0);
    assert_int_equal(w, 2);
    assert_int_equal(m, 13 * 60);
    assert_int_equal(alert_format_digest_parse("daily 09:30", &w, &m), 0);
    assert_int_equal(w, -1);
    assert_int_equal(alert_format_digest_parse("月 09:00", &w, &m), PW_EINVAL);
    assert_int_equal(alert_format_digest_parse("mon 25:00", &w, &m), PW_EINVAL);
    assert_int_equal(alert_format_digest_parse("mon 09:00x", &w, &m), PW_EINVAL);
    int64_t t0 = INT64_C(1774926000) * S; /* 2026-03-31T12:00:00+09:00, a Tuesday */
    assert_int_equal(alert_format_digest_next(2, 13 * 60, t0), t0 + 3600 * S);
    assert_int_equal(alert_format_digest_next(2, 11 * 60, t0), t0 + (7 * 86400 - 3600) * S);
    assert_int_equal(alert_format_digest_next(-1, 11 * 60, t0), t0 + (86400 - 3600) * S);
    assert_int_equal(alert_format_digest_next(3, 9 * 60, t0), t0 + (86400 - 3 * 3600) * S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_alertmanager),
        cmocka_unit_test(test_slack),
        cmocka_unit_test(test_group),
        cmocka_unit_test(test_digest_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
