/* diag.c - diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "text.h"

/* Every part may quote outside text: escaped, and cut with "…" where it
 * does not fit (never in the middle of a character). */
static int diag_fill(struct pw_diag *d, int code, const char *file, int line, const char *field,
                     const char *msg, size_t len)
{
    d->code = code;
    file = file ? file : "";
    field = field ? field : "";
    pw_text_escape(file, strlen(file), d->file, sizeof d->file);
    d->line = line;
    pw_text_escape(field, strlen(field), d->field, sizeof d->field);
    pw_text_escape(msg, len, d->msg, sizeof d->msg);
    return code;
}

int pw_diag_set(struct pw_diag *d, int code, const char *file, int line, const char *field,
                const char *fmt, ...)
{
    char msg[4 * sizeof d->msg];
    if (!d)
        return code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    return diag_fill(d, code, file, line, field, msg, len);
}

int pw_diag_set_msg(struct pw_diag *d, int code, const char *field, const char *msg, size_t len)
{
    return d ? diag_fill(d, code, "", 0, field, msg, len) : code;
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
