/* fy.h - the plan calendar: civil dates, Japanese fiscal years (1 April -
 * 31 March), 令和 years and the elapsed share of a target window.
 *
 * Dates are day numbers (days since 1970-01-01, proleptic Gregorian), so
 * they compare and subtract as integers. A date means that whole day: the
 * as-of date 2023-03-31 is the end of FY2022. No time zones: the plan's
 * calendar is Japan's, and the services take "today" from an injectable clock. */
#ifndef PW_FY_H
#define PW_FY_H

#include <stdint.h>

#define PW_FY_MIN 1990
#define PW_FY_MAX 2199

/* Day number of year-month-day (month 1-12, day 1-31; not validated). */
int32_t pw_day_from_ymd(int y, int m, int d);

/* Splits a day number into year, month (1-12), day (1-31). Any out pointer may be NULL. */
void pw_day_to_ymd(int32_t day, int *y, int *m, int *d);

/* Parses an ISO date "YYYY-MM-DD" (exactly that form, a real calendar day,
 * years PW_FY_MIN..PW_FY_MAX+1). Returns 0, PW_ESYNTAX or PW_ERANGE. */
int pw_day_parse(const char *s, int32_t *out);

/* Writes "YYYY-MM-DD" into buf (at least 11 bytes). Returns buf. */
char *pw_day_format(int32_t day, char *buf);

/* Today's day number from the wall clock in Japan (UTC+9). */
int32_t pw_day_today(void);

/* The last nanosecond of day in Japan (UTC+9), as Unix ns: "known at the
 * end of 2025-06-30". */
int64_t pw_day_end_ns(int32_t day);

/* The day in Japan containing Unix instant ns. */
int32_t pw_day_of_ns(int64_t ns);

/* Parses a fiscal year: "2025", "FY2025", "令和7", "令和7年度", "令和元年度",
 * "R7", with ASCII or full-width digits and letters ("ＦＹ２０２５", "Ｒ７",
 * "令和７年度"), ASCII or ideographic spaces around. Returns 0 and sets *fy, PW_ESYNTAX,
 * or PW_ERANGE (outside PW_FY_MIN..PW_FY_MAX). */
int pw_fy_parse(const char *s, int *fy);

/* The fiscal year containing day. */
int pw_fy_of(int32_t day);

/* First day (1 April fy) and number of days (365 or 366) of fiscal year fy. */
int32_t pw_fy_first_day(int fy);
int pw_fy_days(int fy);

/* Elapsed share of the window [first_fy, last_fy] at the end of `day`:
 * (completed fiscal years of the window + days elapsed in the current fiscal
 * year / days in that year) / window length, as the exact fraction num/den.
 * 0 before the window, 1 after it; at the end of year k of N exactly k/N.
 * den = N x days-in-the-current-FY (always > 0). */
struct pw_share {
    int64_t num;
    int64_t den;
    int years;    /* N, the window length */
};
void pw_fy_share(int first_fy, int last_fy, int32_t day, struct pw_share *out);

/* Share of fiscal year fy elapsed at the end of day: 0 before it, 1 after. */
void pw_fy_year_share(int fy, int32_t day, int64_t *num, int64_t *den);

#endif
