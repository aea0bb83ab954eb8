/* log.h - one line per event on stderr, in logfmt:
 *   ts=2026-11-21T06:22:01.123Z level=info svc=store msg="committed" n=12 seq=40
 * UTC time, level, service, then the message and key=value pairs the caller
 * writes in its format string, starting with msg= (text that does not is
 * logged as the msg value). Values with a space, '=' or '"' must be quoted:
 * pw_log_quote for text from outside, or "%s" with pw_log_safe. Level and
 * service name are the only global state; set them once at start-up.
 * Never call from a signal handler. */
#ifndef PW_LOG_H
#define PW_LOG_H

#include <stddef.h>

enum pw_log_level { PW_LOG_DEBUG, PW_LOG_INFO, PW_LOG_WARN, PW_LOG_ERROR };

extern enum pw_log_level pw_log_threshold;

/* Sets the service name printed in every line (borrowed: must outlive logging). */
void pw_log_init(const char *service, enum pw_log_level threshold);

/* Parses "debug|info|warn|error". Returns 0 or PW_EINVAL. */
int pw_log_level_parse(const char *s, enum pw_log_level *out);

/* Makes s (in place) fit a quoted value: '"' and control characters become
 * '?'. Returns s. (Control characters anywhere in a line are replaced too.) */
char *pw_log_safe(char *s);

/* Writes s as one logfmt value into buf (n bytes, n >= 3): as it is when it
 * is not empty and has no space, '=', '"' or control character; else in
 * double quotes with '"' and '\' backslash-escaped, newline, CR and tab as
 * \n \r \t and other control characters as \u00XX. A value too long for buf
 * is cut before an escape or a UTF-8 sequence would be split (a quoted one
 * keeps its closing quote). s NULL is "". Returns buf, for use as a %s
 * argument. */
char *pw_log_quote(const char *s, char *buf, size_t n);

void pw_log_write(enum pw_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define pw_log(level, ...)                                                     \
    do {                                                                       \
        if ((level) >= pw_log_threshold)                                       \
            pw_log_write((level), __VA_ARGS__);                                \
    } while (0)
#define pw_debug(...) pw_log(PW_LOG_DEBUG, __VA_ARGS__)
#define pw_info(...) pw_log(PW_LOG_INFO, __VA_ARGS__)
#define pw_warn(...) pw_log(PW_LOG_WARN, __VA_ARGS__)
#define pw_error(...) pw_log(PW_LOG_ERROR, __VA_ARGS__)

#endif
