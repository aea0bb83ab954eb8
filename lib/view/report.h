/* report.h - renders status reports and the catalog as an aligned table,
 * CSV (RFC 4180) or JSON. The CLI and the services print through here so
 * every door shows the same columns:
 *   status:  id,project,name,as_of,target,expected,actual,ratio,status,grade,explanation
 *   catalog: id,plan,project,name,kind,unit,target_type,target,window_start_fy,window_end_fy */
#ifndef PW_REPORT_H
#define PW_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "catalog.h"
#include "eval.h"
#include "explain_ja.h"
#include "planwatch.pb-c.h"

enum pw_format { PW_FMT_TABLE, PW_FMT_CSV, PW_FMT_JSON };

/* Parses "table|csv|json". Returns 0 or PW_EINVAL. */
int pw_format_parse(const char *s, enum pw_format *out);

/* Writes the rows to out. Returns 0, PW_EIO (write failed) or PW_ENOMEM. */
int pw_report_status(FILE *out, const struct pw_status_row *rows, size_t n, enum pw_format fmt);

/* How a report is shown to people. */
struct pw_report_opts {
    enum pw_lang lang; /* the table's headings, status words and explanations; csv and
                          json: the explanation column (pw_explain); status names and
                          every other column stay machine words */
    size_t width;      /* table: fit to this many display columns (names and
                          explanations cut with "…", numbers left out from the right
                          when too narrow); 0: the fixed layout (names cut at 40/50) */
    int wide;          /* table: nothing cut, columns as wide as their widest cell */
};

/* pw_report_status with options: PW_LANG_EN, width 0 is pw_report_status. */
int pw_report_status_opts(FILE *out, const struct pw_status_row *rows, size_t n,
                          enum pw_format fmt, const struct pw_report_opts *o);

/* Writes every indicator of the catalog. Returns 0, PW_EIO or PW_ENOMEM. */
int pw_report_catalog(FILE *out, const struct pw_catalog *c, enum pw_format fmt);

/* pw_report_catalog with options: the table has a header row
 * (ID PLAN PROJECT KIND TYPE TARGET WINDOW NAME) and its name column is cut
 * to the width (or whole when wide); lang is not used (the catalog's words). */
int pw_report_catalog_opts(FILE *out, const struct pw_catalog *c, enum pw_format fmt,
                           const struct pw_report_opts *o);

/* Every stored revision of one indicator (a store's QUERY_HISTORY answer,
 * borrowed), oldest first (seq order), as CSV
 * (seq,fiscal_year,value,basis,preliminary,as_of,office,received,update_id,
 * note,latest) or a JSON array of the same fields; latest marks the latest
 * revision of each fiscal year. fmt: PW_FMT_CSV or PW_FMT_JSON. Returns 0,
 * PW_EIO, PW_ENOMEM or PW_EINVAL (table: the CLI draws its own). */
int pw_report_history(FILE *out, const char *id, Planwatch__V1__IndicatorUpdate *const *updates,
                      size_t n, enum pw_format fmt);

/* Sorts u[0..n) by seq and sets latest[i] for the latest revision of each
 * fiscal year (its highest seq, the store's `latest`). */
void pw_report_history_order(Planwatch__V1__IndicatorUpdate **u, int *latest, size_t n);

/* "cumulative", "annual", or NULL when the figure was sent without a basis. */
const char *pw_report_wire_basis(Planwatch__V1__Basis b);

/* Terminal columns taken by UTF-8 text s (East Asian wide characters: 2). */
size_t pw_report_width(const char *s);

/* Writes s as one CSV field (quoted when it holds , " CR or LF). */
void pw_report_csv_field(FILE *out, const char *s);

#endif
