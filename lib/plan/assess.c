/* assess.c - reads assessments files (see assess.h). A small RFC 4180 split
 * of its own: the rows are few and a reason is Japanese prose that may
 * hold commas or quotes, never line breaks. */
#include "assess.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fy.h"
#include "text.h"
#include "vec.h"

#define ASSESS_LINE_MAX 8192
#define ASSESS_COLS 6

static const char *const as_cols[ASSESS_COLS] = {"indicator_id", "fiscal_year", "grade",
                                                 "reason",       "by",          "source"};

/* Splits line in place into f[0..ASSESS_COLS); returns the column count, or
 * -1 for bad quoting. */
static int as_split(char *line, char **f)
{
    int k = 0;
    char *p = line;
    for (;;) {
        char *w = p, *start = p;
        if (*p == '"') {
            start = w = ++p;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            if (*p && *p != ',')
                return -1;
        } else {
            while (*p && *p != ',') {
                if (*p == '"')
                    return -1;
                w = ++p;
            }
        }
        char end = *p;
        *w = '\0';
        if (k < ASSESS_COLS)
            f[k] = start;
        k++;
        if (end != ',')
            return k;
        p++;
    }
}

static int as_copy(char *dst, size_t cap, const char *src, const char *name, int line,
                   const char *field, struct pw_diag *d)
{
    size_t n = strlen(src);
    if (n >= cap || !pw_text_clean(src, n))
        return pw_diag_set(d, PW_EINVAL, name, line, field,
                           "at most %zu bytes of clean UTF-8", cap - 1);
    memcpy(dst, src, n + 1);
    return 0;
}

static int as_row(char **f, const char *name, int line, const struct pw_catalog *cat,
                  struct pw_assess_rec *r, struct pw_diag *d)
{
    int rc;
    memset(r, 0, sizeof *r);
    if ((rc = as_copy(r->indicator_id, sizeof r->indicator_id, f[0], name, line, as_cols[0], d)))
        return rc;
    if (cat && !pw_catalog_find(cat, r->indicator_id))
        return pw_diag_set(d, PW_EINVAL, name, line, as_cols[0], "no such indicator: %s",
                           r->indicator_id);
    if (pw_fy_parse(f[1], &r->as.fy))
        return pw_diag_set(d, PW_EINVAL, name, line, as_cols[1], "not a fiscal year: %s", f[1]);
    if (strcmp(f[2], "A") && strcmp(f[2], "B"))
        return pw_diag_set(d, PW_EINVAL, name, line, as_cols[2], "A or B, not \"%s\"", f[2]);
    r->as.grade = f[2][0];
    if (!f[3][0])
        return pw_diag_set(d, PW_EINVAL, name, line, as_cols[3], "a reason is required");
    if ((rc = as_copy(r->as.reason, sizeof r->as.reason, f[3], name, line, as_cols[3], d)) ||
        (rc = as_copy(r->as.by, sizeof r->as.by, f[4], name, line, as_cols[4], d)))
        return rc;
    return as_copy(r->source, sizeof r->source, f[5], name, line, as_cols[5], d);
}

int pw_assess_read(FILE *f, const char *name, const struct pw_catalog *cat,
                   struct pw_assess_rec **out, size_t *n, struct pw_diag *d)
{
    char *line = malloc(ASSESS_LINE_MAX), *fields[ASSESS_COLS];
    struct pw_assess_rec *v = NULL;
    size_t k = 0, cap = 0;
    int rc = 0, no = 0;
    if (!line)
        return pw_diag_set(d, PW_ENOMEM, name, 0, "", "out of memory");
    while (fgets(line, ASSESS_LINE_MAX, f)) {
        size_t len = strlen(line);
        no++;
        if (len == ASSESS_LINE_MAX - 1 && line[len - 1] != '\n') {
            rc = pw_diag_set(d, PW_ESYNTAX, name, no, "", "line longer than %d bytes",
                             ASSESS_LINE_MAX - 2);
            goto out;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (no == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0) /* a spreadsheet's BOM */
            memmove(line, line + 3, len - 2);
        if (!line[0] || line[0] == '#')
            continue;
        int cols = as_split(line, fields);
        if (cols != ASSESS_COLS) {
            rc = pw_diag_set(d, PW_ESYNTAX, name, no, "",
                             cols < 0 ? "bad quoting" : "expected 6 columns, got %d", cols);
            goto out;
        }
        if (no == 1) {
            for (int i = 0; i < ASSESS_COLS; i++)
                if (strcmp(fields[i], as_cols[i])) {
                    rc = pw_diag_set(d, PW_ESYNTAX, name, no, as_cols[i],
                                     "the header is indicator_id,fiscal_year,grade,reason,by,"
                                     "source");
                    goto out;
                }
            continue;
        }
        if (pw_vec_grow((void **)&v, &cap, k + 1, sizeof *v)) {
            rc = pw_diag_set(d, PW_ENOMEM, name, no, "", "out of memory");
            goto out;
        }
        if ((rc = as_row(fields, name, no, cat, &v[k], d)))
            goto out;
        k++;
    }
    if (ferror(f))
        rc = pw_diag_set(d, PW_EIO, name, no, "", "read error");
    else if (no == 0)
        rc = pw_diag_set(d, PW_ESYNTAX, name, 1, "", "empty file: no header");
out:
    free(line);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

const struct pw_assess_rec *pw_assess_find(const struct pw_assess_rec *r, size_t n,
                                           const char *indicator_id, int fy)
{
    const struct pw_assess_rec *hit = NULL;
    for (size_t i = 0; i < n; i++)
        if (r[i].as.fy == fy && strcmp(r[i].indicator_id, indicator_id) == 0)
            hit = &r[i];
    return hit;
}
