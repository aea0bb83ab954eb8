/* ratelog.h - at most so many log lines a minute for events anyone who
 * reaches a port can cause as fast as they like (refused connections, cut
 * clients, a server library's complaints about a client): the rest are
 * counted, and once their minute is over one line says how many were not
 * logged. The caller's clock drives it (monotonic ms), so a loop can wake
 * for the closing line and a test can step the minute. Not thread-safe. */
#ifndef PW_RATELOG_H
#define PW_RATELOG_H

#include <stdint.h>

/* Kept by value in its owner's struct; the members are ratelog.c's. */
struct pw_ratelog {
    const char *what;   /* borrowed: "connection refusals" */
    unsigned per_min;
    unsigned logged;    /* lines allowed in this minute */
    uint64_t unlogged;  /* events not logged in this minute */
    int64_t window_ms;  /* start of this minute */
};

/* Starts a limit of per_min lines a minute; what names the events in the
 * closing line (static string, no quotes). */
void pw_ratelog_init(struct pw_ratelog *rl, const char *what, unsigned per_min);

/* Whether the event that happened at now_ms gets its own log line (1) or
 * is only counted (0). Ends a minute that is over first (pw_ratelog_flush). */
int pw_ratelog_allow(struct pw_ratelog *rl, int64_t now_ms);

/* When the minute is over at now_ms: logs "<what> not logged" with the
 * count, if any were left out, and starts the next minute. Returns when the
 * next such line may be due (INT64_MAX: none pending), for a poll timeout. */
int64_t pw_ratelog_flush(struct pw_ratelog *rl, int64_t now_ms);

#endif
