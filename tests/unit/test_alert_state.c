/* test_alert_state.c - the alert service's logic without sockets: first
 * evaluation, transitions from data and from time, alert ids and seqs,
 * restore from AlertState, the gap rule, the records and the Alert message.
 * Links pw_alert with -Wl,--wrap=calloc,--wrap=pw_vec_grow (CMakeLists.txt):
 * the wrappers below count allocations so that PW_ENOMEM paths can be
 * asserted. Only alert_state.c allocates while a failure is armed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_support.h"

#include "alert_state.h"
#include "err.h"
#include "vec.h"

static int fail_alloc_after = -1; /* -1: never; n: the (n+1)th allocation fails */

static int fake_alloc_fails(void)
{
    if (fail_alloc_after < 0)
        return 0;
    return fail_alloc_after-- == 0;
}

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
int __real_pw_vec_grow(void **p, size_t *cap, size_t need, size_t elem);
int __wrap_pw_vec_grow(void **p, size_t *cap, size_t need, size_t elem);

void *__wrap_calloc(size_t n, size_t size)
{
    return fake_alloc_fails() ? NULL : __real_calloc(n, size);
}

int __wrap_pw_vec_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need > *cap && fake_alloc_fails())
        return PW_ENOMEM;
    return __real_pw_vec_grow(p, cap, need, elem);
}

#include "dec.h"
#include "envelope.h"
#include "fy.h"

static const char yaml[] =
    "version: 1\n"
    "plans:\n"
    "  - {id: p3, name: 第3期, start_fy: 2025, end_fy: 2029,"
    "     projects: [{id: pj1, name: 医薬品}]}\n"
    "indicators:\n"
    "  - {id: cum20, plan: p3, project: pj1, name: 累計, kind: output, unit: 件,"
    "     reporting: cumulative, source: t, target: {type: cumulative, value: 20}}\n"
    "  - {id: ann10, plan: p3, name: 年, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: annual, value: 10}}\n"
    "  - {id: ann10b, plan: p3, name: 年b, kind: output, unit: 件, reporting: annual,"
    "     source: t, target: {type: annual, value: 10}}\n"
    "  - {id: mon, plan: p3, name: 監視, kind: monitoring, unit: 件, reporting: annual,"
    "     source: t, target: {type: none}}\n"
    "  - {id: empty, plan: p3, name: 空, kind: output, unit: 件, reporting: cumulative,"
    "     source: t, target: {type: cumulative, value: 5}}\n";

enum { CUM20, ANN10, ANN10B, MON, EMPTY, NIND };

static struct pw_catalog *cat;

static int setup(void **state)
{
    (void)state;
    return ut_catalog_load(&cat, "alert.yaml", yaml);
}

static int teardown(void **state)
{
    (void)state;
    pw_catalog_close(&cat);
    return 0;
}


/* A stored update (strings borrowed from literals). */
static Planwatch__V1__IndicatorUpdate upd(const char *id, int fy, const char *v, uint64_t seq)
{
    Planwatch__V1__IndicatorUpdate u = PLANWATCH__V1__INDICATOR_UPDATE__INIT;
    u.update_id = (char *)"t";
    u.indicator_id = (char *)id;
    u.fiscal_year = fy;
    assert_int_equal(pw_dec_parse(v, strlen(v), &u.value_micros), 0);
    u.seq = seq;
    return u;
}

static struct alert_state *open_state(void)
{
    struct alert_state *s = NULL;
    assert_int_equal(alert_state_open(&s, cat), 0);
    assert_non_null(s);
    return s;
}

static void apply_ok(struct alert_state *s, Planwatch__V1__IndicatorUpdate u, size_t want_index)
{
    enum pw_seq_verdict v;
    size_t idx = 99;
    assert_int_equal(alert_state_apply(s, &u, &v, &idx), 0);
    assert_int_equal(v, PW_SEQ_APPLY);
    assert_int_equal(idx, want_index);
}

static size_t published(const struct alert_state_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].publish != 0;
    return n;
}

/* cum20 on track, ann10 behind, ann10b at risk, mon and empty without data */
static struct alert_state *first_start(struct alert_state_list *l)
{
    struct alert_state *s = open_state();
    apply_ok(s, upd("cum20", 2025, "4", 1), CUM20);
    apply_ok(s, upd("ann10", 2025, "5", 2), ANN10);
    apply_ok(s, upd("ann10b", 2025, "9.5", 3), ANN10B);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), l), 0);
    return s;
}

static void test_first_evaluation(void **state)
{
    (void)state;
    struct alert_state_list l = {0};
    struct alert_state *s = first_start(&l);
    /* every indicator is recorded; only AT_RISK/BEHIND are published */
    assert_int_equal(l.n, NIND);
    assert_int_equal(published(&l), 2);

    const struct alert_state_transition *t = &l.v[CUM20];
    assert_ptr_equal(t->ind, pw_catalog_find(cat, "cum20"));
    assert_int_equal(t->to, PW_STATUS_ON_TRACK);
    assert_int_equal(t->from, PW_STATUS_NO_DATA);
    assert_false(t->publish);
    assert_int_equal(t->alert_seq, 0);
    assert_string_equal(t->alert_id, "");

    t = &l.v[ANN10];
    assert_true(t->publish);
    assert_int_equal(t->from, PW_STATUS_NO_DATA);
    assert_int_equal(t->to, PW_STATUS_BEHIND);
    assert_int_equal(t->alert_seq, 1);
    assert_string_equal(t->alert_id, "ann10:1");
    assert_int_equal(t->update_seq, 2);
    assert_int_equal(t->applied_seq, 3);
    assert_int_equal(alert_state_severity(t->to), PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL);

    t = &l.v[ANN10B];
    assert_true(t->publish);
    assert_int_equal(t->to, PW_STATUS_AT_RISK);
    assert_int_equal(t->alert_seq, 2);
    assert_string_equal(t->alert_id, "ann10b:2");
    assert_int_equal(alert_state_severity(t->to), PLANWATCH__V1__SEVERITY__SEVERITY_WARNING);

    t = &l.v[MON];
    assert_false(t->publish);
    assert_int_equal(t->from, PW_STATUS_NO_TARGET);
    assert_int_equal(t->to, PW_STATUS_NO_TARGET);
    t = &l.v[EMPTY];
    assert_false(t->publish);
    assert_int_equal(t->from, PW_STATUS_NO_DATA);
    assert_int_equal(t->to, PW_STATUS_NO_DATA);
    assert_int_equal(t->update_seq, 0);

    enum pw_status st;
    const char *id;
    assert_true(alert_state_recorded(s, ANN10, &st, &id));
    assert_int_equal(st, PW_STATUS_BEHIND);
    assert_string_equal(id, "ann10:1");
    assert_true(alert_state_recorded(s, CUM20, &st, &id));
    assert_string_equal(id, "");
    assert_false(alert_state_recorded(s, NIND, NULL, NULL));
    assert_int_equal(alert_state_last_alert_seq(s), 2);

    /* nothing changed: nothing to say the second time */
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(alert_state_last_alert_seq(s), 2);

    alert_state_list_free(&l);
    alert_state_close(&s);
    assert_null(s);
}

static void test_update_makes_behind(void **state)
{
    (void)state;
    struct alert_state_list l = {0};
    struct alert_state *s = first_start(&l);
    alert_state_list_clear(&l);
    /* FY2025 revised down from 4 to 2 of an expected 4 */
    apply_ok(s, upd("cum20", 2025, "2", 4), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 1);
    const struct alert_state_transition *t = &l.v[0];
    assert_true(t->publish);
    assert_int_equal(t->from, PW_STATUS_ON_TRACK);
    assert_int_equal(t->to, PW_STATUS_BEHIND);
    assert_int_equal(alert_state_severity(t->to), PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL);
    assert_int_equal(t->alert_seq, 3);
    assert_int_equal(t->update_seq, 4);
    assert_string_equal(t->alert_id, "cum20:3");
    /* evaluating it again, or everything, changes nothing */
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 0);
    /* after the first record every change is news: NO_DATA -> ON_TRACK is a
     * one-off INFO alert with its own id */
    apply_ok(s, upd("empty", 2025, "1", 5), EMPTY);
    assert_int_equal(alert_state_eval(s, EMPTY, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_true(l.v[0].publish);
    assert_int_equal(l.v[0].from, PW_STATUS_NO_DATA);
    assert_int_equal(l.v[0].to, PW_STATUS_ON_TRACK);
    assert_int_equal(l.v[0].alert_seq, 4);
    assert_string_equal(l.v[0].alert_id, "empty:4");
    assert_int_equal(alert_state_severity(l.v[0].to), PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    /* reaching the final 20 closes cum20's alert: ACHIEVED, INFO, the opener's id */
    alert_state_list_clear(&l);
    apply_ok(s, upd("cum20", 2025, "20", 6), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].from, PW_STATUS_BEHIND);
    assert_int_equal(l.v[0].to, PW_STATUS_ACHIEVED);
    assert_string_equal(l.v[0].alert_id, "cum20:3");
    assert_int_equal(l.v[0].alert_seq, 5);
    alert_state_list_free(&l);
    alert_state_close(&s);
}

/* Time passing moves nothing between checkpoints; after a deadline with no
 * figure the indicator is overdue and judged at the new checkpoint (a stock
 * target on its stale figure, a per-year one with no grade); figures bring it
 * back: the same alert id, seqs one by one. */
static void test_checkpoints_and_recovery(void **state)
{
    (void)state;
    struct alert_state_list l = {0};
    struct alert_state *s = first_start(&l);
    alert_state_list_clear(&l);
    /* mid-FY2026, at FY2026's end and on its due day: cum20 stays judged at
     * FY2025 (4 of 4); only empty, which never reported, becomes overdue once
     * FY2025's deadline has passed; mon is monitoring only and owes nothing */
    static const char *quiet[] = {"2026-09-30", "2027-03-31", "2027-06-30"};
    for (size_t d = 0; d < 3; d++)
        assert_int_equal(alert_state_eval_all(s, ut_day(quiet[d]), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].ind->index, EMPTY);
    assert_int_equal(l.v[0].kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED);
    assert_int_equal(l.v[0].overdue_fy, 2025);
    assert_int_equal(l.v[0].alert_seq, 3);
    assert_non_null(strstr(l.v[0].summary, "never reported; the FY2025 figure was due 2026-06-30"));

    /* the day after FY2026's deadline: cum20's stale 4 against the FY2026
     * checkpoint's 8 is BEHIND and overdue; the annual ones have no grade
     * (their alerts resolve) and are overdue; empty's overdue moves to FY2026 */
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2027-07-01"), &l), 0);
    assert_int_equal(l.n, 7);
    const struct alert_state_transition *t = &l.v[0];
    assert_int_equal(t->ind->index, CUM20);
    assert_int_equal(t->kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS);
    assert_int_equal(t->from, PW_STATUS_ON_TRACK);
    assert_int_equal(t->to, PW_STATUS_BEHIND);
    assert_int_equal(t->update_seq, 0);
    assert_true(t->publish);
    assert_int_equal(t->ev.cp.fy, 2026);
    assert_true(t->ev.expected == PW_DEC(8));
    assert_non_null(strstr(t->summary, "FY2026 (2/5): expected ≥ 8 of 20, actual 4 → B"));
    assert_non_null(strstr(t->summary, "the FY2026 figure was due 2027-06-30 and has not arrived"));
    assert_int_equal(alert_state_severity(t->to), PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL);
    char opened[ALERT_STATE_ID_MAX];
    snprintf(opened, sizeof opened, "%s", t->alert_id);
    assert_string_equal(opened, "cum20:4");
    assert_int_equal(l.v[1].kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE);
    assert_int_equal(l.v[1].overdue_fy, 2026);
    t = &l.v[2];
    assert_int_equal(t->ind->index, ANN10);
    assert_int_equal(t->to, PW_STATUS_NO_DATA);
    assert_int_equal(t->ev.grade, '-');
    assert_int_equal(t->event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
    assert_non_null(strstr(t->summary, "no grade: the FY2026 figure was due 2027-06-30"));
    assert_int_equal(l.v[3].kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE);
    assert_int_equal(l.v[4].ind->index, ANN10B);
    assert_int_equal(l.v[5].kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE);
    t = &l.v[6];
    assert_int_equal(t->ind->index, EMPTY);
    assert_int_equal(t->event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED);
    assert_int_equal(t->overdue_fy, 2026);
    assert_string_equal(t->alert_id, "empty:3");
    /* and nothing more while nothing changes */
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2027-12-01"), &l), 0);
    assert_int_equal(l.n, 0);

    /* a FY2026 figure of 8 puts cum20 back on track: INFO, same id, next
     * seq; its overdue alert resolves */
    apply_ok(s, upd("cum20", 2026, "8", 4), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2027-07-01"), &l), 0);
    assert_int_equal(l.n, 2);
    t = &l.v[0];
    assert_int_equal(t->from, PW_STATUS_BEHIND);
    assert_int_equal(t->to, PW_STATUS_ON_TRACK);
    assert_int_equal(alert_state_severity(t->to), PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    assert_string_equal(t->alert_id, opened);
    assert_int_equal(t->alert_seq, 11);
    assert_int_equal(t->update_seq, 4);
    assert_int_equal(t->event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
    assert_int_equal(l.v[1].kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE);
    assert_int_equal(l.v[1].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
    const char *id;
    assert_true(alert_state_recorded(s, CUM20, NULL, &id));
    assert_string_equal(id, ""); /* closed */

    /* a revised figure below the checkpoint's 8 opens a new alert with a new id */
    alert_state_list_clear(&l);
    apply_ok(s, upd("cum20", 2026, "1", 5), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2027-07-01"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].to, PW_STATUS_BEHIND);
    assert_int_equal(l.v[0].alert_seq, 13);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED);
    assert_string_equal(l.v[0].alert_id, "cum20:13");
    /* BEHIND -> AT_RISK keeps the open id (margin 10 %: 7.5 of 8) */
    alert_state_list_clear(&l);
    apply_ok(s, upd("cum20", 2026, "7.5", 6), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2027-07-01"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].from, PW_STATUS_BEHIND);
    assert_int_equal(l.v[0].to, PW_STATUS_AT_RISK);
    assert_string_equal(l.v[0].alert_id, "cum20:13");
    assert_int_equal(l.v[0].alert_seq, 14);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED);
    /* new figures with the same status update the open alert; the same figures again do not */
    alert_state_list_clear(&l);
    apply_ok(s, upd("cum20", 2026, "7.6", 7), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2027-07-01"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].from, PW_STATUS_AT_RISK);
    assert_int_equal(l.v[0].to, PW_STATUS_AT_RISK);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED);
    assert_string_equal(l.v[0].alert_id, "cum20:13");
    assert_int_equal(l.v[0].update_seq, 7);
    assert_int_equal(l.v[0].figures_seq, 7);
    alert_state_list_clear(&l);
    apply_ok(s, upd("cum20", 2026, "7.6", 8), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2027-07-01"), &l), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(alert_state_figures_seq(s, CUM20), 8);
    /* the figure for empty arrives: its overdue alert resolves */
    apply_ok(s, upd("empty", 2026, "1", 9), EMPTY);
    assert_int_equal(alert_state_eval(s, EMPTY, ut_day("2027-07-01"), &l), 0);
    assert_int_equal(l.n, 2); /* NO_DATA -> BEHIND opens, and the overdue resolves */
    assert_int_equal(l.v[0].kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS);
    assert_int_equal(l.v[1].kind, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE);
    assert_int_equal(l.v[1].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
    assert_string_equal(l.v[1].alert_id, "empty:3");
    assert_int_equal(l.v[1].severity, PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    assert_int_equal(l.v[1].previous_severity, PLANWATCH__V1__SEVERITY__SEVERITY_WARNING);
    assert_int_equal(l.v[1].snap.overdue_fy, 0);
    alert_state_list_free(&l);
    alert_state_close(&s);
}

/* A closed window: the final checkpoint's result is final; an open alert is
 * closed by one notice, and nothing opens after it. */
static void test_final_closes(void **state)
{
    (void)state;
    struct alert_state_list l = {0};
    struct alert_state *s = first_start(&l);
    alert_state_list_clear(&l);
    /* FY2029 (the window's last) reported short: final, B, no alert open */
    apply_ok(s, upd("cum20", 2029, "10", 4), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2030-03-31"), &l), 0);
    assert_int_equal(l.n, 1);
    const struct alert_state_transition *t = &l.v[0];
    assert_int_equal(t->to, PW_STATUS_BEHIND);
    assert_true(t->ev.cp.final);
    assert_int_equal(t->event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_NOTICE);
    assert_int_equal(t->severity, PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    assert_non_null(strstr(t->summary, "final FY2029 (5/5)"));
    const char *id;
    assert_true(alert_state_recorded(s, CUM20, NULL, &id));
    assert_string_equal(id, "");
    /* ann10's BEHIND alert from FY2025 is closed by the final notice once
     * FY2029's deadline has passed (no figure: no grade, nothing overdue) */
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2031-01-01"), &l), 0);
    int closed = 0;
    for (size_t k = 0; k < l.n; k++) {
        assert_int_not_equal(l.v[k].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED);
        assert_true(l.v[k].ev.cp.final);
        if (l.v[k].ind->index == ANN10 && l.v[k].kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS) {
            assert_int_equal(l.v[k].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
            assert_string_equal(l.v[k].alert_id, "ann10:1");
            closed = 1;
        }
    }
    assert_true(closed);
    for (size_t i = 0; i < NIND; i++) {
        enum pw_status st;
        if (alert_state_recorded(s, i, &st, &id))
            assert_string_equal(id, "");
    }
    /* years later, still nothing */
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2035-01-01"), &l), 0);
    assert_int_equal(l.n, 0);
    alert_state_list_free(&l);
    alert_state_close(&s);
}

/* The secretariat's assessment: an assessed A of ann10's FY2025 checkpoint
 * closes its BEHIND alert with one RESOLVED notice and nothing more; one of
 * another year or withdrawn lets it open again; B changes nothing. */
static void test_assessed_a_closes(void **state)
{
    (void)state;
    struct alert_state_list l = {0};
    struct alert_state *s = first_start(&l);
    const char *id;
    assert_true(alert_state_recorded(s, ANN10, NULL, &id));
    assert_string_equal(id, "ann10:1");
    Planwatch__V1__Assessment a = PLANWATCH__V1__ASSESSMENT__INIT, x = a;
    a.indicator_id = (char *)"ann10";
    a.fiscal_year = 2025;
    a.grade = (char *)"A";
    a.reason = (char *)"総合的に勘案";
    a.by = (char *)"事務局";
    x.indicator_id = (char *)"no-such"; /* skipped */
    x.fiscal_year = 2025;
    x.grade = (char *)"A";
    Planwatch__V1__Assessment *v[] = {&x, &a};
    assert_int_equal(alert_state_assessments(s, v, 2), 0);
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].ind->index, ANN10);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
    assert_int_equal(l.v[0].to, PW_STATUS_BEHIND); /* the rule's status stays */
    assert_string_equal(l.v[0].alert_id, "ann10:1");
    assert_non_null(strstr(l.v[0].summary, "assessed A by 事務局: 総合的に勘案 (computed B: "));
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-04-01"), &l), 0);
    assert_int_equal(l.n, 0); /* once */
    /* B: the rule alerts as before */
    a.grade = (char *)"B";
    assert_int_equal(alert_state_assessments(s, v, 2), 0);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-04-01"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED);
    /* A again, then withdrawn: closes, then opens */
    a.grade = (char *)"A";
    assert_int_equal(alert_state_assessments(s, v, 2), 0);
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-04-01"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED);
    a.withdrawn = 1;
    assert_int_equal(alert_state_assessments(s, v, 2), 0);
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-04-01"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].event, PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED);
    assert_int_equal(alert_state_assessments(NULL, v, 2), PW_EINVAL);
    alert_state_list_free(&l);
    alert_state_close(&s);
}

static void test_restore_suppresses_repeats(void **state)
{
    (void)state;
    struct alert_state_list l = {0};
    struct alert_state *s = first_start(&l);
    struct alert_state_records r;
    assert_int_equal(alert_state_records_build(&r, &l), 0);
    assert_int_equal(r.n, NIND);

    /* a restarted service: the same updates by snapshot, the records from the store */
    struct alert_state *s2 = open_state();
    Planwatch__V1__IndicatorUpdate u[] = {upd("cum20", 2025, "4", 1), upd("ann10", 2025, "5", 2),
                                          upd("ann10b", 2025, "9.5", 3)};
    Planwatch__V1__IndicatorUpdate *up[] = {&u[0], &u[1], &u[2]};
    size_t added = 0, unknown = 9, ignored = 9;
    assert_int_equal(alert_state_load(s2, up, 3, &added, &unknown), 0);
    assert_int_equal(added, 3);
    assert_int_equal(unknown, 0);
    assert_int_equal(alert_state_restore(s2, r.ptrs, r.n, 2, &ignored), 0);
    assert_int_equal(ignored, 0);
    assert_int_equal(alert_state_last_alert_seq(s2), 2);
    alert_state_list_clear(&l);
    assert_int_equal(alert_state_eval_all(s2, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 0);
    /* the open alert continues: ann10 recovers under its original id, seq 3 */
    Planwatch__V1__IndicatorUpdate fix = upd("ann10", 2025, "10", 4);
    apply_ok(s2, fix, ANN10);
    assert_int_equal(alert_state_eval(s2, ANN10, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].from, PW_STATUS_BEHIND);
    assert_int_equal(l.v[0].to, PW_STATUS_ON_TRACK);
    assert_string_equal(l.v[0].alert_id, "ann10:1");
    assert_int_equal(l.v[0].alert_seq, 3);
    alert_state_records_free(&r);
    alert_state_close(&s2);

    /* unknown indicators and bad statuses are ignored; the store's alert_seq
     * and the records' seqs raise the next seq, never lower it */
    Planwatch__V1__AlertState a = PLANWATCH__V1__ALERT_STATE__INIT, b = a, c = a;
    a.indicator_id = (char *)"gone";
    a.status = PLANWATCH__V1__STATUS__STATUS_BEHIND;
    b.indicator_id = (char *)"cum20";
    b.status = (Planwatch__V1__Status)42;
    c.indicator_id = (char *)"ann10b";
    c.status = PLANWATCH__V1__STATUS__STATUS_ON_TRACK;
    c.alert_seq = 17;
    Planwatch__V1__AlertState *recs[] = {&a, &b, &c};
    s2 = open_state();
    assert_int_equal(alert_state_restore(s2, recs, 3, 5, &ignored), 0);
    assert_int_equal(ignored, 2);
    assert_int_equal(alert_state_last_alert_seq(s2), 17);
    assert_int_equal(alert_state_restore(s2, NULL, 0, 3, NULL), 0);
    assert_int_equal(alert_state_last_alert_seq(s2), 17);
    assert_false(alert_state_recorded(s2, ANN10B, NULL, NULL)); /* replaced: no record */
    alert_state_close(&s2);
    alert_state_list_free(&l);
    alert_state_close(&s);
}

static void test_seqtrack(void **state)
{
    (void)state;
    struct alert_state *s = open_state();
    enum pw_seq_verdict v;
    size_t idx = 77;
    Planwatch__V1__IndicatorUpdate u = upd("cum20", 2025, "4", 1);
    apply_ok(s, u, CUM20);
    /* a repeat is skipped and changes nothing */
    assert_int_equal(alert_state_apply(s, &u, &v, &idx), 0);
    assert_int_equal(v, PW_SEQ_SKIP);
    /* seq 3 after 1: a gap; nothing applied */
    u = upd("ann10", 2025, "5", 3);
    idx = 77;
    assert_int_equal(alert_state_apply(s, &u, &v, &idx), 0);
    assert_int_equal(v, PW_SEQ_GAP);
    assert_int_equal(idx, 77);
    assert_int_equal(alert_state_applied_seq(s), 1);
    size_t n;
    assert_null(alert_state_revisions(s, ANN10, &n));
    assert_int_equal(n, 0);
    /* the resync snapshot (after 1) fills 2..4, skipping what is known */
    Planwatch__V1__IndicatorUpdate snap[] = {upd("cum20", 2025, "4", 1), upd("ann10", 2025, "5", 2),
                                             upd("gone", 2025, "1", 3), upd("ann10", 2025, "6", 4)};
    Planwatch__V1__IndicatorUpdate *sp[] = {&snap[0], &snap[1], &snap[2], &snap[3]};
    size_t added, unknown;
    assert_int_equal(alert_state_load(s, sp, 4, &added, &unknown), 0);
    assert_int_equal(added, 2);
    assert_int_equal(unknown, 1);
    assert_int_equal(alert_state_applied_seq(s), 4);
    /* two revisions of FY2025: the latest is all the service keeps */
    const struct pw_obs *rev = alert_state_revisions(s, ANN10, &n);
    assert_non_null(rev);
    assert_int_equal(n, 1);
    assert_true(rev[0].value == PW_DEC(6));
    /* the SUB's buffered 3 is now old; 5 continues */
    assert_int_equal(alert_state_apply(s, &u, &v, &idx), 0);
    assert_int_equal(v, PW_SEQ_SKIP);
    apply_ok(s, upd("ann10b", 2025, "1", 5), ANN10B);
    /* an update for an indicator not in the catalog consumes its seq */
    u = upd("gone", 2025, "1", 6);
    assert_int_equal(alert_state_apply(s, &u, &v, &idx), PW_ENOTFOUND);
    assert_int_equal(v, PW_SEQ_APPLY);
    assert_int_equal(alert_state_applied_seq(s), 6);
    /* heartbeats: caught up is fine; ahead twice in a row is a gap */
    assert_int_equal(alert_state_heartbeat(s, 6), PW_SEQ_SKIP);
    assert_int_equal(alert_state_heartbeat(s, 8), PW_SEQ_SKIP);
    assert_int_equal(alert_state_heartbeat(s, 8), PW_SEQ_GAP);
    alert_state_count_resync(s);
    assert_int_equal(alert_state_resyncs(s), 1);
    /* not a stored update */
    u = upd("cum20", 2025, "4", 0);
    assert_int_equal(alert_state_apply(s, &u, &v, &idx), PW_EINVAL);
    /* reset forgets the history and the seq, not the records */
    struct alert_state_list l = {0};
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), &l), 0);
    alert_state_reset(s);
    assert_int_equal(alert_state_applied_seq(s), 0);
    assert_true(alert_state_recorded(s, CUM20, NULL, NULL));
    apply_ok(s, upd("cum20", 2025, "4", 1), CUM20);
    alert_state_list_free(&l);
    alert_state_close(&s);
}

static void test_records_and_alert_message(void **state)
{
    (void)state;
    struct alert_state_list l = {0};
    struct alert_state *s = first_start(&l);
    apply_ok(s, upd("cum20", 2025, "2", 4), CUM20);
    assert_int_equal(alert_state_eval(s, CUM20, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, NIND + 1);

    /* one record per indicator, the latest, in first-seen order of the latest */
    struct alert_state_records r;
    assert_int_equal(alert_state_records_build(&r, &l), 0);
    assert_int_equal(r.n, NIND);
    const Planwatch__V1__AlertState *c = NULL;
    for (size_t i = 0; i < r.n; i++) {
        assert_ptr_equal(r.ptrs[i], &r.recs[i]);
        if (!strcmp(r.recs[i].indicator_id, "cum20"))
            c = &r.recs[i];
    }
    assert_non_null(c);
    assert_ptr_equal(c, &r.recs[r.n - 1]);
    assert_int_equal(c->status, PLANWATCH__V1__STATUS__STATUS_BEHIND);
    assert_int_equal(c->alert_seq, 3);
    assert_int_equal(c->applied_seq, 4);
    assert_string_equal(c->alert_id, "cum20:3");
    alert_state_records_free(&r);
    assert_null(r.recs);
    struct alert_state_list empty = {0};
    assert_int_equal(alert_state_records_build(&r, &empty), 0);
    assert_int_equal(r.n, 0);
    alert_state_records_free(&r);
    alert_state_records_free(NULL);

    /* the Alert survives the wire */
    struct alert_state_msg m;
    alert_state_build_alert(&l.v[NIND], 1234, &m);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(pw_envelope_pack(PLANWATCH__V1__MSG_TYPE__MSG_ALERT, &m.alert.base, &buf, &len),
                     0);
    Planwatch__V1__MsgType type;
    ProtobufCMessage *msg = NULL;
    assert_int_equal(pw_envelope_read(buf, len, &type, &msg), 0);
    free(buf);
    assert_int_equal(type, PLANWATCH__V1__MSG_TYPE__MSG_ALERT);
    Planwatch__V1__Alert *a = (Planwatch__V1__Alert *)msg;
    assert_string_equal(a->alert_id, "cum20:3");
    assert_int_equal(a->seq, 3);
    assert_string_equal(a->indicator_id, "cum20");
    assert_string_equal(a->plan, "p3");
    assert_string_equal(a->project, "pj1");
    assert_string_equal(a->name, "累計");
    assert_int_equal(a->status, PLANWATCH__V1__STATUS__STATUS_BEHIND);
    assert_int_equal(a->previous, PLANWATCH__V1__STATUS__STATUS_ON_TRACK);
    assert_int_equal(a->severity, PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL);
    assert_int_equal(a->update_seq, 4);
    assert_int_equal(a->time_ns, 1234);
    assert_non_null(a->row);
    assert_string_equal(a->row->indicator_id, "cum20");
    assert_string_equal(a->row->as_of, "2026-03-31");
    assert_int_equal(a->row->status, PLANWATCH__V1__STATUS__STATUS_BEHIND);
    assert_true(a->row->has_actual);
    assert_true(a->row->actual_micros == PW_DEC(2));
    assert_true(a->row->expected_micros == PW_DEC(4));
    protobuf_c_message_free_unpacked(msg, NULL);
    char topic[128];
    pw_msg_topic(topic, sizeof topic, "alert", l.v[NIND].ind);
    assert_string_equal(topic, "alert.p3.pj1.cum20");
    /* plan-wide indicator: project "all" */
    alert_state_build_alert(&l.v[ANN10], 0, &m);
    assert_string_equal(m.alert.project, "all");
    assert_int_equal(m.alert.previous, PLANWATCH__V1__STATUS__STATUS_NO_DATA);

    assert_int_equal(alert_state_severity(PW_STATUS_ACHIEVED), PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    assert_int_equal(alert_state_severity(PW_STATUS_NO_DATA), PLANWATCH__V1__SEVERITY__SEVERITY_INFO);
    assert_ptr_equal(alert_state_catalog(s), cat);
    alert_state_list_free(&l);
    alert_state_list_free(NULL);
    alert_state_list_clear(NULL);
    alert_state_close(&s);
    alert_state_close(&s);
    alert_state_close(NULL);
}

static void test_einval(void **state)
{
    (void)state;
    struct alert_state *s = NULL;
    assert_int_equal(alert_state_open(&s, NULL), PW_EINVAL);
    assert_int_equal(alert_state_open(NULL, cat), PW_EINVAL);
    assert_null(s);
    s = open_state();
    struct alert_state_list l = {0};
    enum pw_seq_verdict v;
    size_t idx;
    Planwatch__V1__IndicatorUpdate u = upd("cum20", 2025, "4", 1);
    assert_int_equal(alert_state_apply(NULL, &u, &v, &idx), PW_EINVAL);
    assert_int_equal(alert_state_apply(s, NULL, &v, &idx), PW_EINVAL);
    assert_int_equal(alert_state_apply(s, &u, NULL, &idx), PW_EINVAL);
    assert_int_equal(alert_state_apply(s, &u, &v, NULL), PW_EINVAL);
    assert_int_equal(alert_state_load(NULL, NULL, 0, NULL, NULL), PW_EINVAL);
    assert_int_equal(alert_state_load(s, NULL, 1, NULL, NULL), PW_EINVAL);
    assert_int_equal(alert_state_load(s, NULL, 0, NULL, NULL), 0);
    assert_int_equal(alert_state_restore(NULL, NULL, 0, 0, NULL), PW_EINVAL);
    assert_int_equal(alert_state_restore(s, NULL, 1, 0, NULL), PW_EINVAL);
    assert_int_equal(alert_state_eval(s, NIND, ut_day("2026-03-31"), &l), PW_EINVAL);
    assert_int_equal(alert_state_eval(s, 0, ut_day("2026-03-31"), NULL), PW_EINVAL);
    assert_int_equal(alert_state_eval(NULL, 0, ut_day("2026-03-31"), &l), PW_EINVAL);
    assert_int_equal(alert_state_eval_all(NULL, ut_day("2026-03-31"), &l), PW_EINVAL);
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), NULL), PW_EINVAL);
    struct alert_state_records r;
    assert_int_equal(alert_state_records_build(&r, NULL), PW_EINVAL);
    assert_int_equal(alert_state_records_build(NULL, &l), PW_EINVAL);
    assert_int_equal(l.n, 0);
    alert_state_close(&s);
}

static void test_enomem(void **state)
{
    (void)state;
    struct alert_state *s = NULL;
    fail_alloc_after = 0; /* the state itself */
    assert_int_equal(alert_state_open(&s, cat), PW_ENOMEM);
    fail_alloc_after = 1; /* its records */
    assert_int_equal(alert_state_open(&s, cat), PW_ENOMEM);
    assert_null(s);
    fail_alloc_after = -1;

    /* the transition list cannot grow: nothing recorded, the same result on retry */
    s = open_state();
    apply_ok(s, upd("ann10", 2025, "5", 1), ANN10);
    struct alert_state_list l = {0};
    fail_alloc_after = 0;
    assert_int_equal(alert_state_eval(s, ANN10, ut_day("2026-03-31"), &l), PW_ENOMEM);
    assert_int_equal(l.n, 0);
    assert_false(alert_state_recorded(s, ANN10, NULL, NULL));
    assert_int_equal(alert_state_last_alert_seq(s), 0);
    fail_alloc_after = 0;
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), &l), PW_ENOMEM);
    assert_int_equal(l.n, 0);
    fail_alloc_after = -1;
    assert_int_equal(alert_state_eval_all(s, ut_day("2026-03-31"), &l), 0);
    assert_int_equal(l.n, NIND);
    assert_int_equal(l.v[ANN10].alert_seq, 1);

    struct alert_state_records r;
    for (int k = 0; k < 3; k++) {
        fail_alloc_after = k;
        assert_int_equal(alert_state_records_build(&r, &l), PW_ENOMEM);
        assert_null(r.recs);
        assert_int_equal(r.n, 0);
    }
    fail_alloc_after = -1;
    alert_state_list_free(&l);
    alert_state_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_evaluation),
        cmocka_unit_test(test_update_makes_behind),
        cmocka_unit_test(test_checkpoints_and_recovery),
        cmocka_unit_test(test_final_closes),
        cmocka_unit_test(test_assessed_a_closes),
        cmocka_unit_test(test_restore_suppresses_repeats),
        cmocka_unit_test(test_seqtrack),
        cmocka_unit_test(test_records_and_alert_message),
        cmocka_unit_test(test_einval),
        cmocka_unit_test(test_enomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
