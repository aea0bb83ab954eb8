/* clock.c - injectable clock (see clock.h). */
#include "clock.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fy.h"

int pw_clock_init(struct pw_clock *c, const char *spec)
{
    memset(c, 0, sizeof *c);
    if (!spec || !spec[0])
        return 0;
    if (strncmp(spec, "file:", 5) == 0) {
        if (strlen(spec + 5) == 0 || strlen(spec + 5) >= sizeof c->path)
            return PW_EINVAL;
        c->kind = 2;
        c->day = PW_NO_DAY_CLOCK;
        snprintf(c->path, sizeof c->path, "%s", spec + 5);
        return 0;
    }
    if (pw_day_parse(spec, &c->day))
        return PW_EINVAL;
    c->kind = 1;
    return 0;
}

int32_t pw_clock_today(struct pw_clock *c)
{
    if (c->kind == 1)
        return c->day;
    if (c->kind == 2) {
        char buf[32] = "";
        FILE *f = fopen(c->path, "r");
        if (f) {
            if (fgets(buf, sizeof buf, f)) {
                buf[strcspn(buf, "\r\n ")] = '\0';
                int32_t d;
                if (pw_day_parse(buf, &d) == 0)
                    c->day = d;
            }
            fclose(f);
        }
        if (c->day != PW_NO_DAY_CLOCK)
            return c->day;
    }
    return pw_day_today();
}
