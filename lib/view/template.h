/* template.h - the feed template an office fills in: one row per indicator
 * it owes for a fiscal year (the caller picks them: an office's write scope,
 * lib/trust), pre-filled with 指標ID, 指標名, 単位, 年度 (令和N年度) and 区分
 * (累計/単年度, the indicator's reporting basis), and empty 値, 速報値, 時点 and
 * 備考 columns. The headers are ones the feed reader (feed.h) takes, so a
 * filled template feeds as it is. CSV (UTF-8 with a BOM, for Excel) or
 * .xlsx (libxlsxwriter) whose first sheet is the template, with drop-down
 * lists for 指標ID, 区分 and 速報値 (their choices on a hidden sheet
 * 選択肢). Holds no state; thread-safe. */
#ifndef PW_TEMPLATE_H
#define PW_TEMPLATE_H

#include <stddef.h>

#include "catalog.h"

enum pw_template_format { PW_TEMPLATE_CSV, PW_TEMPLATE_XLSX };

/* Parses "csv" | "xlsx". Returns 0 or PW_EINVAL. */
int pw_template_format_parse(const char *s, enum pw_template_format *out);

/* Selects the indicators of cat that want(ud, ind) accepts and whose feed
 * years (pw_indicator_fy_range) include fy, in catalog order, into *out
 * (caller frees; pointers borrowed from cat) and *n. Returns 0 or PW_ENOMEM. */
int pw_template_select(const struct pw_catalog *cat, int fy,
                       int (*want)(void *ud, const struct pw_indicator *ind), void *ud,
                       const struct pw_indicator ***out, size_t *n);

/* Renders the template of inds[0..n) for fiscal year fy into *out (caller
 * frees) and *len. Returns 0, PW_ENOMEM, or PW_EIO (the .xlsx could not be
 * written: its temporary file in $TMPDIR). */
int pw_template_render(const struct pw_indicator *const *inds, size_t n, int fy,
                       enum pw_template_format fmt, char **out, size_t *len);

#endif
