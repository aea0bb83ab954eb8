/* seqtrack.c - gap detection (see seqtrack.h). */
#include "seqtrack.h"

void pw_seqtrack_init(struct pw_seqtrack *t, uint64_t last)
{
    t->last = last;
    t->gap_from = t->gap_to = 0;
    t->hb_behind = 0;
    t->started = 1;
}

void pw_seqtrack_join(struct pw_seqtrack *t)
{
    pw_seqtrack_init(t, 0);
    t->started = 0;
}

static enum pw_seq_verdict seqtrack_gap(struct pw_seqtrack *t, uint64_t to)
{
    t->gap_from = t->last + 1;
    t->gap_to = to;
    return PW_SEQ_GAP;
}

enum pw_seq_verdict pw_seqtrack_message(struct pw_seqtrack *t, uint64_t seq)
{
    if (!t->started)
        pw_seqtrack_init(t, seq ? seq - 1 : 0);
    if (seq <= t->last)
        return PW_SEQ_SKIP;
    return seq == t->last + 1 ? PW_SEQ_APPLY : seqtrack_gap(t, seq - 1);
}

void pw_seqtrack_applied(struct pw_seqtrack *t, uint64_t seq)
{
    if (seq > t->last)
        t->last = seq;
    t->hb_behind = 0;
}

enum pw_seq_verdict pw_seqtrack_heartbeat(struct pw_seqtrack *t, uint64_t seq, int ready)
{
    if (!t->started) {
        pw_seqtrack_init(t, seq);
        return PW_SEQ_SKIP;
    }
    if (seq <= t->last) {
        t->hb_behind = 0;
        return ready && seq < t->last ? PW_SEQ_RESTART : PW_SEQ_SKIP;
    }
    return ++t->hb_behind >= 2 ? seqtrack_gap(t, seq) : PW_SEQ_SKIP;
}
