/* diag.c - diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "text.h"

int pw_diag_set(struct pw_diag *d, int code, const char *file, int line, const char *field,
                const char *fmt, ...)
{
    char msg[4 * sizeof d->msg];
    if (!d)
        return code;
    /* every part may quote outside text: escaped, and cut with "…" where it
     * does not fit (never in the middle of a character) */
    d->code = code;
    file = file ? file : "";
    field = field ? field : "";
    pw_text_escape(file, strlen(file), d->file, sizeof d->file);
    d->line = line;
    pw_text_escape(field, strlen(field), d->field, sizeof d->field);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    pw_text_escape(msg, len, d->msg, sizeof d->msg);
    return code;
}

char *pw_diag_format(const struct pw_diag *d, const char *what, char *buf, size_t n)
{
    char where[160];
    if (d->line > 0 && what)
        snprintf(where, sizeof where, "%s: %s %d", d->file, what, d->line);
    else if (d->line > 0)
        snprintf(where, sizeof where, "%s:%d", d->file, d->line);
    else
        snprintf(where, sizeof where, "%s", d->file);
    snprintf(buf, n, "%s: %s%s%s [%s]", where, d->field, d->field[0] ? ": " : "", d->msg,
             pw_errname(d->code));
    return buf;
}
