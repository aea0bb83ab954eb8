/* fy.c - plan calendar (see fy.h). Day numbers use Howard Hinnant's
 * days_from_civil so that no libc time-zone state is involved. */
#include "fy.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"

int32_t pw_day_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void pw_day_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int dd = doy - (153 * mp + 2) / 5 + 1;
    int mm = mp < 10 ? mp + 3 : mp - 9;
    int yy = yoe + era * 400 + (mm <= 2);
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
}

static int fy_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int fy_month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && fy_is_leap(y) ? 29 : md[m - 1];
}

int pw_day_parse(const char *s, int32_t *out)
{
    int v[3] = {0, 0, 0};
    static const int width[3] = {4, 2, 2};
    const char *p = s;
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < width[f]; i++, p++) {
            if (*p < '0' || *p > '9')
                return PW_ESYNTAX;
            v[f] = v[f] * 10 + (*p - '0');
        }
        if (f < 2 && *p++ != '-')
            return PW_ESYNTAX;
    }
    if (*p != '\0')
        return PW_ESYNTAX;
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > fy_month_days(v[0], v[1]))
        return PW_ESYNTAX;
    if (v[0] < PW_FY_MIN || v[0] > PW_FY_MAX + 1)
        return PW_ERANGE;
    *out = pw_day_from_ymd(v[0], v[1], v[2]);
    return 0;
}

char *pw_day_format(int32_t day, char *buf)
{
    int y, m, d;
    pw_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
    return buf;
}

int32_t pw_day_today(void)
{
    time_t now = time(NULL) + 9 * 3600; /* JST: the plan's calendar */
    return (int32_t)(now / 86400);
}

#define FY_JST_NS (INT64_C(9) * 3600 * 1000000000)
#define FY_DAY_NS (INT64_C(86400) * 1000000000)

int64_t pw_day_end_ns(int32_t day)
{
    return ((int64_t)day + 1) * FY_DAY_NS - FY_JST_NS - 1;
}

int32_t pw_day_of_ns(int64_t ns)
{
    int64_t j = ns + FY_JST_NS;
    return (int32_t)(j >= 0 ? j / FY_DAY_NS : -((-j + FY_DAY_NS - 1) / FY_DAY_NS));
}

/* Reads ASCII or full-width digits at *p into *v; returns count read. */
static int fy_digits(const char **p, int *v)
{
    int n = 0;
    *v = 0;
    for (;;) {
        const unsigned char *u = (const unsigned char *)*p;
        if (u[0] >= '0' && u[0] <= '9') {
            *v = *v * 10 + (u[0] - '0');
            *p += 1;
        } else if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
            *v = *v * 10 + (u[2] - 0x90);
            *p += 3;
        } else {
            return n;
        }
        if (++n > 6)
            return n;
    }
}

/* Skips ASCII and ideographic (U+3000) spaces. */
static const char *fy_skip_space(const char *p)
{
    for (;;) {
        if (*p == ' ')
            p++;
        else if (strncmp(p, "\u3000", 3) == 0)
            p += 3;
        else
            return p;
    }
}

/* Whether p starts with one of the spellings alts (NULL-terminated); advances
 * past it. Full-width Latin letters (Ｒ, ＦＹ) are spellings of their own. */
static int fy_prefix(const char **p, const char *const *alts)
{
    for (int i = 0; alts[i]; i++)
        if (strncmp(*p, alts[i], strlen(alts[i])) == 0) {
            *p += strlen(alts[i]);
            return 1;
        }
    return 0;
}

int pw_fy_parse(const char *s, int *fy)
{
    static const char gan[] = "元", nendo[] = "年度";
    static const char *const era_r[] = {"令和", "R", "r", "Ｒ", "ｒ", NULL};
    static const char *const fy_pfx[] = {"FY", "fy", "Fy", "fY", "ＦＹ", "ｆｙ", "Ｆｙ", NULL};
    const char *p = fy_skip_space(s);
    int v = 0, n, era = 0;

    if (fy_prefix(&p, era_r))
        era = 1;
    else
        fy_prefix(&p, fy_pfx);
    if (era && strncmp(p, gan, sizeof gan - 1) == 0) {
        v = 1;
        n = 1;
        p += sizeof gan - 1;
    } else {
        n = fy_digits(&p, &v);
    }
    if (n == 0 || (era && n > 2) || (!era && n != 4))
        return PW_ESYNTAX;
    if (strncmp(p, nendo, sizeof nendo - 1) == 0)
        p += sizeof nendo - 1;
    p = fy_skip_space(p);
    if (*p != '\0')
        return PW_ESYNTAX;
    if (era) {
        if (v < 1)
            return PW_ERANGE;
        v += 2018;
    }
    if (v < PW_FY_MIN || v > PW_FY_MAX)
        return PW_ERANGE;
    *fy = v;
    return 0;
}

int pw_fy_of(int32_t day)
{
    int y, m;
    pw_day_to_ymd(day, &y, &m, NULL);
    return m >= 4 ? y : y - 1;
}

int32_t pw_fy_first_day(int fy)
{
    return pw_day_from_ymd(fy, 4, 1);
}

int pw_fy_days(int fy)
{
    return (int)(pw_fy_first_day(fy + 1) - pw_fy_first_day(fy));
}

void pw_fy_year_share(int fy, int32_t day, int64_t *num, int64_t *den)
{
    int32_t first = pw_fy_first_day(fy);
    int days = pw_fy_days(fy);
    int64_t elapsed = (int64_t)day - first + 1; /* the as-of day counts */
    if (elapsed < 0)
        elapsed = 0;
    if (elapsed > days)
        elapsed = days;
    *num = elapsed;
    *den = days;
}

void pw_fy_share(int first_fy, int last_fy, int32_t day, struct pw_share *out)
{
    int n = last_fy - first_fy + 1;
    int fy = pw_fy_of(day);
    out->years = n;
    if (fy < first_fy) {
        out->num = 0;
        out->den = n;
    } else if (fy > last_fy) {
        out->num = n;
        out->den = n;
    } else {
        int64_t yn, yd;
        pw_fy_year_share(fy, day, &yn, &yd);
        out->num = (int64_t)(fy - first_fy) * yd + yn;
        out->den = (int64_t)n * yd;
    }
}
