/* clock.c - injectable clock (see clock.h). A day clock takes the wall
 * clock's time of day so that revisions the store receives on one replayed
 * day are still told apart by their known-at instant (a report published
 * before a figure arrived must not see it); an instant clock is fixed. */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "fy.h"

#define CLOCK_SEC_NS INT64_C(1000000000)
#define CLOCK_DAY_NS (INT64_C(86400) * CLOCK_SEC_NS)
#define CLOCK_JST_NS (INT64_C(9) * 3600 * CLOCK_SEC_NS)

static int64_t clock_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * CLOCK_SEC_NS + ts.tv_nsec;
}

/* Reads n decimal digits of s into *v; 0 or -1. */
static int clock_digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

int pw_clock_parse_instant(const char *s, int64_t *ns)
{
    char date[11];
    int32_t day;
    int hh, mm, ss, zh, zm;
    int64_t frac = 0;
    if (!s || strlen(s) < 20 || s[10] != 'T')
        return PW_ESYNTAX;
    memcpy(date, s, 10);
    date[10] = '\0';
    int rc = pw_day_parse(date, &day);
    if (rc)
        return rc;
    const char *p = s + 11;
    if (clock_digits(p, 2, &hh) || p[2] != ':' || clock_digits(p + 3, 2, &mm) || p[5] != ':' ||
        clock_digits(p + 6, 2, &ss))
        return PW_ESYNTAX;
    if (hh > 23 || mm > 59 || ss > 59)
        return PW_ERANGE;
    p += 8;
    if (*p == '.') {
        int k = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, k++)
            if (k < 9)
                frac = frac * 10 + (*p - '0');
        if (k == 0 || k > 9)
            return PW_ESYNTAX;
        for (; k < 9; k++)
            frac *= 10;
    }
    int64_t off = 0;
    if (p[0] == 'Z' && p[1] == '\0') {
        off = 0;
    } else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':' &&
               !clock_digits(p + 1, 2, &zh) && !clock_digits(p + 4, 2, &zm)) {
        if (zh > 14 || zm > 59)
            return PW_ERANGE;
        off = ((int64_t)zh * 3600 + zm * 60) * CLOCK_SEC_NS * (p[0] == '-' ? -1 : 1);
    } else {
        return PW_ESYNTAX;
    }
    *ns = (int64_t)day * CLOCK_DAY_NS + ((int64_t)hh * 3600 + mm * 60 + ss) * CLOCK_SEC_NS + frac -
          off;
    return 0;
}

int pw_clock_parse_known_at(const char *s, int64_t *ns)
{
    int32_t day;
    if (s && strlen(s) == 10) {
        int rc = pw_day_parse(s, &day);
        if (rc)
            return rc;
        *ns = pw_day_end_ns(day);
        return 0;
    }
    return pw_clock_parse_instant(s, ns);
}

/* A clock value: a day, or an instant (and its day). 0 or an error. */
static int clock_parse_value(const char *s, int32_t *day, int64_t *at_ns)
{
    if (strlen(s) == 10) {
        *at_ns = PW_CLOCK_NO_INSTANT;
        return pw_day_parse(s, day);
    }
    int rc = pw_clock_parse_instant(s, at_ns);
    if (!rc)
        *day = pw_day_of_ns(*at_ns);
    return rc;
}

int pw_clock_init(struct pw_clock *c, const char *spec)
{
    memset(c, 0, sizeof *c);
    c->at_ns = PW_CLOCK_NO_INSTANT;
    c->last_ns = INT64_MIN;
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
    if (clock_parse_value(spec, &c->day, &c->at_ns))
        return PW_EINVAL;
    c->kind = 1;
    return 0;
}

/* A file clock: the file's value when it reads, else the last good one. */
static void clock_reread(struct pw_clock *c)
{
    char buf[64] = "";
    FILE *f = fopen(c->path, "r");
    if (!f)
        return;
    if (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n ")] = '\0';
        int32_t d;
        int64_t at;
        if (clock_parse_value(buf, &d, &at) == 0) {
            c->day = d;
            c->at_ns = at;
        }
    }
    fclose(f);
}

int64_t pw_clock_now_ns(struct pw_clock *c)
{
    int64_t wall = clock_wall_ns();
    if (c->kind == 2)
        clock_reread(c);
    if (c->kind == 0 || c->day == PW_NO_DAY_CLOCK)
        return wall;
    if (c->at_ns != PW_CLOCK_NO_INSTANT)
        return c->at_ns;
    int64_t tod = (wall + CLOCK_JST_NS) % CLOCK_DAY_NS;
    int64_t ns = (int64_t)c->day * CLOCK_DAY_NS - CLOCK_JST_NS + tod;
    /* the wall clock passing midnight must not move a replayed day backwards */
    if (ns <= c->last_ns && pw_day_of_ns(c->last_ns) == c->day)
        ns = c->last_ns + 1;
    c->last_ns = ns;
    return ns;
}

int32_t pw_clock_today(struct pw_clock *c)
{
    if (c->kind == 0)
        return pw_day_today();
    if (c->kind == 2)
        clock_reread(c);
    return c->day != PW_NO_DAY_CLOCK ? c->day : pw_day_today();
}
