/* log.c - key=value line logger (see log.h). The whole line is formatted
 * into one buffer and written with a single write(2) so lines from
 * concurrent processes sharing stderr do not interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

enum pw_log_level pw_log_threshold = PW_LOG_INFO;
static const char *pw_log_service = "planwatch";

void pw_log_init(const char *service, enum pw_log_level threshold)
{
    pw_log_service = service;
    pw_log_threshold = threshold;
}

int pw_log_level_parse(const char *s, enum pw_log_level *out)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, names[i]) == 0) {
            *out = (enum pw_log_level)i;
            return 0;
        }
    return PW_EINVAL;
}

char *pw_log_safe(char *s)
{
    for (char *c = s; *c; c++)
        if (*c == '"' || (unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return s;
}

void pw_log_write(enum pw_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, names[level], pw_log_service);
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    /* one event, one line, whatever text a value brought along */
    for (size_t i = (size_t)n; i < len; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = '?';
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
