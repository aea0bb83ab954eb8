/* ratelog.c - a per-minute budget of log lines (see ratelog.h). The minute
 * starts at the first event after the previous one ended, so a quiet
 * service keeps no timer. */
#include "ratelog.h"

#include "log.h"

#define RATELOG_WINDOW_MS 60000

void pw_ratelog_init(struct pw_ratelog *rl, const char *what, unsigned per_min)
{
    rl->what = what;
    rl->per_min = per_min;
    rl->logged = 0;
    rl->unlogged = 0;
    rl->window_ms = INT64_MIN / 2; /* over: the first event starts a minute */
}

int64_t pw_ratelog_flush(struct pw_ratelog *rl, int64_t now_ms)
{
    if (now_ms - rl->window_ms >= RATELOG_WINDOW_MS) {
        if (rl->unlogged)
            pw_warn("msg=\"%s not logged\" count=%llu window_s=%d", rl->what,
                    (unsigned long long)rl->unlogged, RATELOG_WINDOW_MS / 1000);
        rl->window_ms = now_ms;
        rl->logged = 0;
        rl->unlogged = 0;
    }
    return rl->unlogged ? rl->window_ms + RATELOG_WINDOW_MS : INT64_MAX;
}

int pw_ratelog_allow(struct pw_ratelog *rl, int64_t now_ms)
{
    pw_ratelog_flush(rl, now_ms);
    if (rl->logged < rl->per_min) {
        rl->logged++;
        return 1;
    }
    rl->unlogged++;
    return 0;
}
