/* seqtrack.c - gap detection (see seqtrack.h). */
#include "seqtrack.h"

void pw_seqtrack_init(struct pw_seqtrack *t, uint64_t last)
{
    t->last = last;
    t->hb_behind = 0;
}

enum pw_seq_verdict pw_seqtrack_message(const struct pw_seqtrack *t, uint64_t seq)
{
    if (seq <= t->last)
        return PW_SEQ_SKIP;
    return seq == t->last + 1 ? PW_SEQ_APPLY : PW_SEQ_GAP;
}

void pw_seqtrack_applied(struct pw_seqtrack *t, uint64_t seq)
{
    if (seq > t->last)
        t->last = seq;
    t->hb_behind = 0;
}

enum pw_seq_verdict pw_seqtrack_heartbeat(struct pw_seqtrack *t, uint64_t seq)
{
    if (seq <= t->last) {
        t->hb_behind = 0;
        return PW_SEQ_SKIP;
    }
    return ++t->hb_behind >= 2 ? PW_SEQ_GAP : PW_SEQ_SKIP;
}
