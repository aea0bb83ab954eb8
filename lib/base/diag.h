/* diag.h - a diagnostic about outside input: which file, line/row, field,
 * why, and the PW_E* code. Used by the catalog loader (first error) and the
 * feed parser (one per rejected row). Plain value type, no allocation. */
#ifndef PW_DIAG_H
#define PW_DIAG_H

#include <stddef.h>

struct pw_diag {
    int code;          /* PW_E* (0 = no error) */
    char file[128];    /* file or feed name as given by the caller */
    int line;          /* catalog: 1-based line; feed: 1-based row (header = row 1) */
    char field[96];    /* e.g. "indicators[3].target.window" or "fiscal_year" */
    char msg[320];     /* the reason, in words */
};

/* Fills d (if not NULL) and returns code, so callers can `return pw_diag_set(...)`.
 * file, field and the formatted reason are stored escaped (pw_text_escape:
 * control characters and bytes that are not UTF-8 shown as \x1b, \u009b...)
 * and cut with "…" where they do not fit their array. */
int pw_diag_set(struct pw_diag *d, int code, const char *file, int line, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* pw_diag_set for a reason already composed, msg[0..len), of no file or
 * line: the hot path (a sanity warning on each stored row) without printf. */
int pw_diag_set_msg(struct pw_diag *d, int code, const char *field, const char *msg, size_t len);

/* Formats "file:line: field: msg [PW_ECODE]" into buf. `what` names the unit
 * of line ("row" for feeds, NULL for file:line). Returns buf. */
char *pw_diag_format(const struct pw_diag *d, const char *what, char *buf, size_t n);

#endif
