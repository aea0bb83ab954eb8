/* test_seqtrack.c - the gap rule: apply / skip / gap for messages (with the
 * seqs lost), a heartbeat ahead twice in a row is a gap (once is a race), a
 * ready publisher announcing less than applied restarted, and a joined
 * tracker starts at the first message or heartbeat it hears. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "seqtrack.h"

static void test_messages(void **state)
{
    (void)state;
    struct pw_seqtrack t;
    pw_seqtrack_init(&t, 0);
    assert_int_equal(pw_seqtrack_message(&t, 1), PW_SEQ_APPLY);
    pw_seqtrack_applied(&t, 1);
    assert_int_equal(pw_seqtrack_message(&t, 1), PW_SEQ_SKIP); /* already applied */
    assert_int_equal(t.last, 1);
    assert_int_equal(pw_seqtrack_message(&t, 4), PW_SEQ_GAP);
    assert_int_equal(t.gap_from, 2);
    assert_int_equal(t.gap_to, 3);
    assert_int_equal(t.last, 1); /* nothing applied */
    pw_seqtrack_init(&t, 4);     /* resynchronised up to 4 */
    assert_int_equal(pw_seqtrack_message(&t, 4), PW_SEQ_SKIP);
    assert_int_equal(pw_seqtrack_message(&t, 5), PW_SEQ_APPLY);
}

static void test_heartbeats(void **state)
{
    (void)state;
    struct pw_seqtrack t;
    pw_seqtrack_init(&t, 6);
    assert_int_equal(pw_seqtrack_heartbeat(&t, 6, 1), PW_SEQ_SKIP);
    assert_int_equal(pw_seqtrack_heartbeat(&t, 8, 1), PW_SEQ_SKIP); /* may race seq 7, 8 */
    pw_seqtrack_applied(&t, 7);                                      /* a message resets it */
    assert_int_equal(pw_seqtrack_heartbeat(&t, 8, 1), PW_SEQ_SKIP);
    assert_int_equal(pw_seqtrack_heartbeat(&t, 8, 1), PW_SEQ_GAP);
    assert_int_equal(t.gap_from, 8);
    assert_int_equal(t.gap_to, 8);
    assert_int_equal(pw_seqtrack_heartbeat(&t, 3, 0), PW_SEQ_SKIP); /* not ready: not settled */
    assert_int_equal(pw_seqtrack_heartbeat(&t, 3, 1), PW_SEQ_RESTART);
    assert_int_equal(t.last, 7); /* the subscriber decides what to do */
}

static void test_join(void **state)
{
    (void)state;
    struct pw_seqtrack t;
    pw_seqtrack_join(&t);
    assert_false(t.started);
    assert_int_equal(pw_seqtrack_heartbeat(&t, 40, 1), PW_SEQ_SKIP); /* starts there */
    assert_true(t.started);
    assert_int_equal(t.last, 40);
    assert_int_equal(pw_seqtrack_message(&t, 41), PW_SEQ_APPLY);
    pw_seqtrack_join(&t);
    assert_int_equal(pw_seqtrack_message(&t, 90), PW_SEQ_APPLY); /* a first message is applied */
    assert_int_equal(t.last, 89);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_heartbeats),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
