/* test_zsock.c - publishing: [topic][envelope] arrives as sent for topics
 * short and long (ZeroMQ keeps up to 33 bytes inside a message; longer
 * ones are interned and sent by reference), and nothing is left behind
 * when a subscriber leaves between a message's topic and its body: a PUB
 * ends the pipe of a subscriber that left without rolling back the
 * unfinished message in it (libzmq 4.3), so a topic copied to the heap
 * would be lost there, and LeakSanitizer fails this test. The leaving is
 * made, not waited for: zmq_msg_send is wrapped so that, before the body
 * goes, the subscriber closes and the PUB is made to process commands
 * until the subscriber is gone for good (its monitor says so from its
 * destructor, which runs only once the PUB has ended their pipe). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "msg.h"
#include "zsock.h"

#define LONG_TOPIC "alert.p3.all.p3-out21-amr-approvals" /* 35 bytes */

static void *leaving_sub; /* closed just before the next body frame */
static void *leaving_mon; /* its monitor (MONITOR_STOPPED) */
static void *leaving_pub; /* the PUB made to process its commands */

int __real_zmq_msg_send(zmq_msg_t *msg, void *s, int flags);
int __wrap_zmq_msg_send(zmq_msg_t *msg, void *s, int flags);
int __wrap_zmq_msg_send(zmq_msg_t *msg, void *s, int flags)
{
    if (leaving_sub && !(flags & ZMQ_SNDMORE)) {
        zmq_close(leaving_sub);
        leaving_sub = NULL;
        zmq_pollitem_t it = {leaving_mon, 0, ZMQ_POLLIN, 0};
        int gone = 0;
        for (int i = 0; i < 1000 && !gone; i++) {
            int ev;
            size_t n = sizeof ev;
            zmq_getsockopt(leaving_pub, ZMQ_EVENTS, &ev, &n); /* processes its commands */
            gone = zmq_poll(&it, 1, 10) == 1;
        }
        assert_true(gone);
    }
    return __real_zmq_msg_send(msg, s, flags);
}

static void heartbeat(Planwatch__V1__Heartbeat *hb, uint64_t seq)
{
    planwatch__v1__heartbeat__init(hb);
    hb->service = "test";
    hb->seq = seq;
}

/* The next message on sub: its topic (into topic) and heartbeat seq. */
static uint64_t receive(void *sub, char *topic, size_t n)
{
    struct pw_frames fr;
    Planwatch__V1__MsgType t;
    ProtobufCMessage *m = NULL;
    assert_int_equal(pw_zsock_recv_msg(sub, &fr, 0, &t, &m), 0);
    assert_int_equal(fr.n, 2);
    size_t len = zmq_msg_size(&fr.f[0]);
    assert_true(len < n);
    memcpy(topic, zmq_msg_data(&fr.f[0]), len);
    topic[len] = '\0';
    assert_int_equal(t, PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT);
    uint64_t seq = ((Planwatch__V1__Heartbeat *)m)->seq;
    protobuf_c_message_free_unpacked(m, NULL);
    pw_frames_close(&fr);
    return seq;
}

static void test_topics_short_and_long(void **state)
{
    (void)state;
    void *ctx = zmq_ctx_new(), *pub = NULL, *sub = NULL;
    assert_int_equal(pw_zsock_new(ctx, ZMQ_XPUB, 0, &pub), 0);
    assert_int_equal(pw_zsock_new(ctx, ZMQ_SUB, 0, &sub), 0);
    assert_int_equal(zmq_bind(pub, "inproc://topics"), 0);
    assert_int_equal(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), 0);
    assert_int_equal(zmq_connect(sub, "inproc://topics"), 0);
    char b[64], topic[64];
    assert_int_equal(zmq_recv(pub, b, sizeof b, 0), 1); /* subscribed */
    const char *topics[] = {"hb.alert", LONG_TOPIC, LONG_TOPIC, "update.p3.pj1"};
    for (uint64_t i = 0; i < 4; i++) {
        Planwatch__V1__Heartbeat hb;
        heartbeat(&hb, i + 1);
        assert_int_equal(
            pw_zsock_publish(pub, topics[i], PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base), 0);
        assert_int_equal(receive(sub, topic, sizeof topic), i + 1);
        assert_string_equal(topic, topics[i]);
    }
    pw_zsock_close(&sub);
    pw_zsock_close(&pub);
    zmq_ctx_term(ctx);
}

static void test_subscriber_leaves_mid_message(void **state)
{
    (void)state;
    void *ctx = zmq_ctx_new(), *pub = NULL, *stay = NULL, *go = NULL, *mon = NULL;
    assert_int_equal(pw_zsock_new(ctx, ZMQ_PUB, 0, &pub), 0);
    assert_int_equal(zmq_bind(pub, "inproc://leaving"), 0);
    char topic[64];
    assert_int_equal(pw_zsock_new(ctx, ZMQ_SUB, 0, &stay), 0);
    assert_int_equal(zmq_setsockopt(stay, ZMQ_SUBSCRIBE, "", 0), 0);
    assert_int_equal(zmq_connect(stay, "inproc://leaving"), 0);
    go = zmq_socket(ctx, ZMQ_SUB);
    assert_int_equal(zmq_setsockopt(go, ZMQ_SUBSCRIBE, "", 0), 0);
    assert_int_equal(zmq_connect(go, "inproc://leaving"), 0);
    assert_int_equal(zmq_socket_monitor(go, "inproc://leaving-mon", ZMQ_EVENT_MONITOR_STOPPED), 0);
    mon = zmq_socket(ctx, ZMQ_PAIR);
    assert_int_equal(zmq_connect(mon, "inproc://leaving-mon"), 0);

    /* both subscribed: a first message reaches both */
    Planwatch__V1__Heartbeat hb;
    heartbeat(&hb, 6);
    assert_int_equal(
        pw_zsock_publish(pub, "hb.test", PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base), 0);
    assert_int_equal(receive(stay, topic, sizeof topic), 6);
    assert_int_equal(receive(go, topic, sizeof topic), 6);
    heartbeat(&hb, 7);
    leaving_sub = go;
    leaving_mon = mon;
    leaving_pub = pub;
    assert_int_equal(
        pw_zsock_publish(pub, LONG_TOPIC, PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT, &hb.base), 0);
    assert_null(leaving_sub); /* it left between the frames */
    /* the one that stayed has the whole message */
    assert_int_equal(receive(stay, topic, sizeof topic), 7);
    assert_string_equal(topic, LONG_TOPIC);
    zmq_close(mon);
    pw_zsock_close(&stay);
    pw_zsock_close(&pub);
    zmq_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topics_short_and_long),
        cmocka_unit_test(test_subscriber_leaves_mid_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
