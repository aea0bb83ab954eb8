/* seqtrack.h - the subscriber side of the gap rule (docs/pipeline.md), the
 * one place it is written: remembers the last sequence number applied and
 * judges each arriving message or heartbeat (apply, skip, gap, restart).
 * The subscriber acts on the verdict (apply, resynchronise from the store);
 * whether a resynchronisation is already under way is its own business.
 * Pure logic, no I/O, no allocation. */
#ifndef PW_SEQTRACK_H
#define PW_SEQTRACK_H

#include <stdint.h>

enum pw_seq_verdict {
    PW_SEQ_APPLY,   /* seq == last + 1: apply it (then pw_seqtrack_applied) */
    PW_SEQ_SKIP,    /* nothing to do: already applied, or a heartbeat not (yet) ahead */
    PW_SEQ_GAP,     /* gap_from..gap_to were lost: resynchronise from the store */
    PW_SEQ_RESTART, /* a ready publisher announces less than we applied: its
                       history was reset; what it holds now is all there is */
};

struct pw_seqtrack {
    uint64_t last;              /* last seq applied */
    uint64_t gap_from, gap_to;  /* after PW_SEQ_GAP: the seqs known lost (from <= to) */
    int hb_behind;              /* consecutive heartbeats announcing more than last */
    int started;                /* last is known (pw_seqtrack_init, or a first seq heard) */
};

/* Starts after last (0: from the beginning). */
void pw_seqtrack_init(struct pw_seqtrack *t, uint64_t last);
/* Starts wherever the stream is: the first message is applied, the first
 * heartbeat's seq taken as applied (a subscriber that wants only what comes
 * from now on). */
void pw_seqtrack_join(struct pw_seqtrack *t);

/* A message numbered seq: APPLY, SKIP, or GAP (seq > last + 1; gap_from =
 * last + 1, gap_to = seq - 1). Changes nothing but starting a joined
 * tracker: call pw_seqtrack_applied once the message is applied. */
enum pw_seq_verdict pw_seqtrack_message(struct pw_seqtrack *t, uint64_t seq);
void pw_seqtrack_applied(struct pw_seqtrack *t, uint64_t seq);

/* A heartbeat announcing the publisher's last seq (ready: it says so
 * itself, its numbering is settled). GAP when it stays ahead of us for two
 * heartbeats in a row (one may race a message; gap_from = last + 1, gap_to
 * = seq); RESTART when ready and seq < last; otherwise SKIP. */
enum pw_seq_verdict pw_seqtrack_heartbeat(struct pw_seqtrack *t, uint64_t seq, int ready);

#endif
