/* log.c - logfmt line logger (see log.h). The whole line is formatted
 * into one buffer and written with a single write(2) so lines from
 * concurrent processes sharing stderr do not interleave. The caller's text
 * is trusted to be key=value pairs; what it cannot be trusted with is a
 * line break from a value, so control characters are escaped (newline, CR,
 * tab) or replaced ('?') in the whole line: one event stays one line. */
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
static const char *const log_names[] = {"debug", "info", "warn", "error"};

void pw_log_init(const char *service, enum pw_log_level threshold)
{
    pw_log_service = service;
    pw_log_threshold = threshold;
}

int pw_log_level_parse(const char *s, enum pw_log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, log_names[i]) == 0) {
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

static int log_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/* A control character's stand-in anywhere in a line: \n \r \t keep what
 * a value said, the others become '?'. NULL for any other byte. */
static const char *log_line_escape(unsigned char c)
{
    if (!log_control(c))
        return NULL;
    return c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : "?";
}

/* The escape of c inside a quoted value (esc: room for it), or NULL when c
 * stands for itself. Inside quotes nothing is lost: \u00XX, not '?'. */
static const char *log_escape(unsigned char c, char esc[8])
{
    const char *e = log_line_escape(c);
    if (c == '"' || c == '\\')
        snprintf(esc, 8, "\\%c", c);
    else if (e && e[0] == '?')
        snprintf(esc, 8, "\\u%04x", c);
    else
        return e;
    return esc;
}

/* Bytes of the UTF-8 sequence starting at s (1 for ASCII or a stray byte),
 * so that a cut never splits a character. */
static size_t log_seq_len(const unsigned char *s)
{
    size_t m = 1;
    if (s[0] >= 0xC0)
        while (m < 4 && (s[m] & 0xC0) == 0x80)
            m++;
    return m;
}

char *pw_log_quote(const char *s, char *buf, size_t n)
{
    if (n < 3) {
        if (n)
            buf[0] = '\0';
        return buf;
    }
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    int quote = !*u;
    for (const unsigned char *c = u; *c && !quote; c++)
        quote = *c == ' ' || *c == '=' || *c == '"' || log_control(*c);
    size_t k = 0, room = quote ? n - 2 : n - 1; /* quotes and NUL */
    if (quote)
        buf[k++] = '"';
    for (const unsigned char *c = u; *c;) {
        char tmp[8];
        const char *esc = quote ? log_escape(*c, tmp) : NULL;
        size_t m = esc ? strlen(esc) : log_seq_len(c);
        if (k + m > room)
            break;
        memcpy(buf + k, esc ? esc : (const char *)c, m);
        k += m;
        c += esc ? 1 : m;
    }
    if (quote)
        buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

void pw_log_write(enum pw_log_level level, const char *fmt, ...)
{
    char text[2048], line[2048];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (m < 0)
        text[0] = '\0';
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s svc=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, log_names[level], pw_log_service);
    if (n < 0 || (size_t)n >= sizeof line / 2)
        return;
    size_t len = (size_t)n, room = sizeof line - 1; /* the newline */
    if (strncmp(text, "msg=", 4) != 0) {
        /* free text: the whole of it is the message */
        memcpy(line + len, "msg=", 4);
        len += 4;
        len += strlen(pw_log_quote(text, line + len, room + 1 - len));
    } else {
        for (const char *c = text; *c; c++) {
            const char *esc = log_line_escape((unsigned char)*c);
            size_t k = esc ? strlen(esc) : 1;
            if (len + k > room)
                break;
            memcpy(line + len, esc ? esc : c, k);
            len += k;
        }
    }
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
