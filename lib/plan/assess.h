/* assess.h - files of the secretariat's assessments (README "The
 * secretariat's assessment"): CSV with the header
 * indicator_id,fiscal_year,grade,reason,by,source, one assessment a row
 * (RFC 4180 quoting; a quoted field may not span lines). It reads and checks
 * the rows; it does not decide what an assessment means (eval.h does:
 * pw_eval_grade_shown, pw_eval_alerting_assessed) nor store them. */
#ifndef PW_ASSESS_H
#define PW_ASSESS_H

#include <stddef.h>
#include <stdio.h>

#include "catalog.h"
#include "diag.h"
#include "eval.h"

#define PW_ASSESS_SOURCE_MAX 257 /* bytes with the NUL */

/* One row of an assessments file. */
struct pw_assess_rec {
    char indicator_id[PW_ID_MAX + 1];
    struct pw_assessment as;         /* as.fy, grade ('A'/'B'), reason, by */
    char source[PW_ASSESS_SOURCE_MAX];
};

/* Reads every row of the assessments CSV f (name: for messages) into a new
 * array *out of *n records (caller frees with free()). cat, when not NULL,
 * must know every indicator. Returns 0; PW_ESYNTAX (bad header, quoting or
 * column count), PW_EINVAL (a field: fiscal year, grade other than A/B,
 * empty reason, a field too long, unknown indicator), PW_EIO or PW_ENOMEM,
 * with d filled (file, 1-based line, field, reason); *out untouched then. */
int pw_assess_read(FILE *f, const char *name, const struct pw_catalog *cat,
                   struct pw_assess_rec **out, size_t *n, struct pw_diag *d);

/* The record of (indicator_id, fy) in r[0..n) (the last one when several),
 * or NULL. */
const struct pw_assess_rec *pw_assess_find(const struct pw_assess_rec *r, size_t n,
                                           const char *indicator_id, int fy);

#endif
