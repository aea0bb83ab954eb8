/* ts_cluster.c - a planwatch cluster on loopback (see ts_cluster.h). The
 * port numbering is the one the services' defaults use (7601..7606). */
#include "ts_cluster.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "keys.h"
#include "zsock.h"

static const char *const ts_names[TS_NSVC] = {"store", "ingest", "alert"};

const char *ts_cluster_name(enum ts_svc s)
{
    return ts_names[s];
}

const char *ts_cluster_bin(char *buf, size_t n, const char *build_dir, const char *name)
{
    if (strcmp(name, "planwatch") == 0)
        snprintf(buf, n, "%s/cli/planwatch", build_dir);
    else
        snprintf(buf, n, "%s/services/%s/planwatch-%s", build_dir, name, name);
    return buf;
}

int ts_cluster_ports(int port[TS_CLUSTER_PORTS], char ep_ingest[TS_CLUSTER_EP_LEN],
                     char ep_store[TS_CLUSTER_EP_LEN], char ep_alerts[TS_CLUSTER_EP_LEN])
{
    if (ts_proc_free_ports(port, TS_CLUSTER_PORTS))
        return -1;
    snprintf(ep_ingest, TS_CLUSTER_EP_LEN, "tcp://127.0.0.1:%d", port[0]);
    snprintf(ep_store, TS_CLUSTER_EP_LEN, "tcp://127.0.0.1:%d", port[3]);
    snprintf(ep_alerts, TS_CLUSTER_EP_LEN, "tcp://127.0.0.1:%d", port[5]);
    return 0;
}

int ts_cluster_args(struct ts_proc_argv *a, enum ts_svc s, const int port[TS_CLUSTER_PORTS],
                    const char *dir)
{
    int rc = 0;
    switch (s) {
    case TS_STORE:
        rc |= ts_proc_arg(a, "--data-dir=%s/store", dir);
        rc |= ts_proc_arg(a, "--listen=tcp://127.0.0.1:%d", port[3]);
        rc |= ts_proc_arg(a, "--publish=tcp://127.0.0.1:%d", port[4]);
        rc |= ts_proc_arg(a, "--updates=tcp://127.0.0.1:%d", port[1]);
        rc |= ts_proc_arg(a, "--ack-to=tcp://127.0.0.1:%d", port[2]);
        break;
    case TS_INGEST:
        rc |= ts_proc_arg(a, "--listen=tcp://127.0.0.1:%d", port[0]);
        rc |= ts_proc_arg(a, "--publish=tcp://127.0.0.1:%d", port[1]);
        rc |= ts_proc_arg(a, "--acks=tcp://127.0.0.1:%d", port[2]);
        break;
    default:
        rc |= ts_proc_arg(a, "--data-dir=%s/alert", dir);
        rc |= ts_proc_arg(a, "--store=tcp://127.0.0.1:%d", port[3]);
        rc |= ts_proc_arg(a, "--updates=tcp://127.0.0.1:%d", port[4]);
        rc |= ts_proc_arg(a, "--publish=tcp://127.0.0.1:%d", port[5]);
        break;
    }
    return rc ? -1 : 0;
}

int ts_cluster_ping(void *ctx, const char *ep, const struct pw_keypair *self,
                    const char *server_pub, int need_ready)
{
    struct pw_client *cl = NULL;
    if (pw_client_open_curve(ctx, ep, self, server_pub, &cl))
        return 0;
    int ok = pw_client_ping(cl, 300, need_ready, NULL);
    pw_client_close(&cl);
    return ok;
}

static int ts_heartbeat_meets(const Planwatch__V1__Heartbeat *hb, const struct ts_alert_want *w)
{
    return hb->ready && hb->applied_seq >= w->applied_seq && hb->admin_seq >= w->admin_seq &&
           (!w->day || (hb->evaluated && strcmp(hb->evaluated, w->day) == 0));
}

long ts_cluster_alert_wait(void *ctx, const char *ep, const struct pw_keypair *self,
                           const char *server_pub, const struct ts_alert_want *want,
                           uint64_t *alert_seq, int deadline_ms)
{
    void *sub = NULL;
    long resyncs = -1;
    if (pw_zsock_new(ctx, ZMQ_SUB, 0, &sub))
        return -2;
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "hb.alert", 8);
    if ((self && pw_keys_curve_client(sub, self, server_pub)) || pw_zsock_connect(sub, ep)) {
        pw_zsock_close(&sub);
        return -2;
    }
    int64_t end = pw_now_ms() + deadline_ms;
    while (resyncs < 0 && pw_now_ms() < end) {
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)(end - pw_now_ms())) <= 0)
            continue;
        struct pw_frames fr;
        Planwatch__V1__MsgType t;
        ProtobufCMessage *m = NULL;
        if (pw_zsock_recv_msg(sub, &fr, ZMQ_DONTWAIT, &t, &m) == 0) {
            const Planwatch__V1__Heartbeat *hb = (const Planwatch__V1__Heartbeat *)m;
            if (t == PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT && ts_heartbeat_meets(hb, want)) {
                resyncs = (long)hb->resyncs;
                if (alert_seq)
                    *alert_seq = hb->seq;
            }
            protobuf_c_message_free_unpacked(m, NULL);
        }
        pw_frames_close(&fr);
    }
    pw_zsock_close(&sub);
    return resyncs;
}
