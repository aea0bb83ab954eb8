/* seqtrack.h - the subscriber side of the gap rule (docs/pipeline.md):
 * remembers the last sequence number applied and classifies each arriving
 * message or heartbeat. Pure logic, no I/O. */
#ifndef PW_SEQTRACK_H
#define PW_SEQTRACK_H

#include <stdint.h>

enum pw_seq_verdict {
    PW_SEQ_APPLY,   /* seq == last + 1: apply it (then pw_seqtrack_applied) */
    PW_SEQ_SKIP,    /* seq <= last: already applied */
    PW_SEQ_GAP,     /* something was lost: resynchronise from the store */
};

struct pw_seqtrack {
    uint64_t last;        /* last seq applied */
    int hb_behind;        /* consecutive heartbeats announcing more than last */
};

void pw_seqtrack_init(struct pw_seqtrack *t, uint64_t last);
enum pw_seq_verdict pw_seqtrack_message(const struct pw_seqtrack *t, uint64_t seq);
void pw_seqtrack_applied(struct pw_seqtrack *t, uint64_t seq);
/* A heartbeat announcing the publisher's last seq: a gap when it stays
 * ahead of us for two heartbeats in a row (one may race a message). */
enum pw_seq_verdict pw_seqtrack_heartbeat(struct pw_seqtrack *t, uint64_t seq);

#endif
