/* clock.h - the services' injectable clock: which day is "today" for
 * evaluation. Spec: "" = the wall clock (JST); "YYYY-MM-DD" = that day,
 * fixed (replays: what would have fired on date D); "file:PATH" = the day
 * written in PATH, re-read at every call (tests move time forward). */
#ifndef PW_CLOCK_H
#define PW_CLOCK_H

#include <stdint.h>

#define PW_NO_DAY_CLOCK INT32_MIN

struct pw_clock {
    int kind;            /* 0 wall, 1 fixed, 2 file */
    int32_t day;         /* fixed day; last good day read from the file */
    char path[512];
};

/* Parses spec into c. Returns 0 or PW_EINVAL. */
int pw_clock_init(struct pw_clock *c, const char *spec);

/* Today by this clock. A file clock whose file is unreadable keeps its last
 * good day (or the wall clock if it never had one). */
int32_t pw_clock_today(struct pw_clock *c);

#endif
