/* clock.h - the services' injectable clock: which instant is "now", and so
 * which day is "today" for evaluation and which instant the store stamps on
 * a revision it receives (its known-at). Spec:
 *   ""                          the wall clock (the day in Japan, JST);
 *   "YYYY-MM-DD"                that day, the time of day from the wall
 *                               clock (replays: what would have fired on D;
 *                               revisions received that day keep their order);
 *   "YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM|-HH:MM)"  that instant, fixed;
 *   "file:PATH"                 either form written in PATH, re-read at every
 *                               call (tests move time forward without sleeping).
 * Also the parsers of instants and of known-at values. Not thread-safe. */
#ifndef PW_CLOCK_H
#define PW_CLOCK_H

#include <stdint.h>

#define PW_NO_DAY_CLOCK INT32_MIN
#define PW_CLOCK_NO_INSTANT INT64_MIN

struct pw_clock {
    int kind;            /* 0 wall, 1 fixed, 2 file */
    int32_t day;         /* fixed day; last good day read from the file */
    int64_t at_ns;       /* a fixed instant, or PW_CLOCK_NO_INSTANT: `day` at the wall
                            clock's time of day */
    int64_t last_ns;     /* the last instant a day clock gave (kept increasing) */
    char path[512];
};

/* Parses spec into c. Returns 0 or PW_EINVAL. */
int pw_clock_init(struct pw_clock *c, const char *spec);

/* Today by this clock (the day in Japan of pw_clock_now_ns). A file clock
 * whose file is unreadable or malformed keeps its last good value (or the
 * wall clock if it never had one). */
int32_t pw_clock_today(struct pw_clock *c);

/* Now by this clock, as Unix ns. */
int64_t pw_clock_now_ns(struct pw_clock *c);

/* Parses an ISO instant "YYYY-MM-DDTHH:MM:SS" with an optional fraction of
 * up to 9 digits and a zone "Z" or "+HH:MM" / "-HH:MM" (required). Returns 0
 * and *ns (Unix ns), PW_ESYNTAX or PW_ERANGE. */
int pw_clock_parse_instant(const char *s, int64_t *ns);

/* Parses a known-at value: an instant (pw_clock_parse_instant), or a date
 * YYYY-MM-DD meaning the end of that day in Japan. Returns 0 and *ns,
 * PW_ESYNTAX or PW_ERANGE. */
int pw_clock_parse_known_at(const char *s, int64_t *ns);

#endif
