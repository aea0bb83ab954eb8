/* diag.c - diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int pw_diag_set(struct pw_diag *d, int code, const char *file, int line, const char *field,
                const char *fmt, ...)
{
    if (!d)
        return code;
    d->code = code;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    snprintf(d->field, sizeof d->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
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
