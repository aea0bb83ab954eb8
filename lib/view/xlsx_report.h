/* xlsx_report.h - Excel workbooks (.xlsx) with libxlsxwriter: generic
 * helpers any writer can use (a workbook on a temporary file whose bytes are
 * streamed to a FILE, a cell for a pw_dec number) and the follow-up report's
 * workbook (`planwatch report --format xlsx`, /api/v1/report?format=xlsx).
 * libxlsxwriter only writes files, so the workbook lives in $TMPDIR (mkstemp)
 * until pw_xlsx_finish copies it out and unlinks it. Only this module (and
 * its callers that want lxw_* calls) include xlsxwriter.h. Not thread-safe
 * per workbook; different workbooks are independent. */
#ifndef PW_XLSX_REPORT_H
#define PW_XLSX_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xlsxwriter.h>

#include "catalog.h"

struct pw_followup_row;
struct pw_xlsx;

/* A new empty workbook on a temporary file ($TMPDIR, else /tmp) in *out
 * (caller ends it with pw_xlsx_finish or pw_xlsx_discard). Returns 0,
 * PW_EIO (no temporary file) or PW_ENOMEM. */
int pw_xlsx_open(struct pw_xlsx **out);

/* The workbook to add sheets and formats to (borrowed until finish or
 * discard). */
lxw_workbook *pw_xlsx_book(struct pw_xlsx *x);

/* A sheet named name when Excel accepts it (at most 31 characters, none of
 * []:*?/\, not yet used), else fallback (same rules; a unique "SheetN" when
 * that fails too). Returns the sheet (borrowed like the book) or NULL
 * (out of memory). */
lxw_worksheet *pw_xlsx_sheet(struct pw_xlsx *x, const char *name, const char *fallback);

/* Writes the pw_dec v as a number (exact up to 15 significant digits). */
void pw_xlsx_dec(lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t v, lxw_format *f);

/* Writes the strings cells[0..n) across row from column 0 in format f (a
 * NULL cell is left empty): a header row. */
void pw_xlsx_row(lxw_worksheet *ws, uint32_t row, const char *const *cells, size_t n,
                 lxw_format *f);

/* Closes the workbook, writes its bytes to out, removes the temporary file
 * and frees *x (NULL is fine; *x is nulled). Returns 0, PW_EIO (libxlsxwriter
 * or the stream failed) or PW_ENOMEM. */
int pw_xlsx_finish(struct pw_xlsx **x, FILE *out);

/* Drops the workbook and its temporary file (NULL is fine; *x is nulled). */
void pw_xlsx_discard(struct pw_xlsx **x);

/* The follow-up report of plan for fiscal year fy as a workbook written to
 * out: a sheet 集計 (title; per section: how many A, B and no grade), a
 * sheet per section (計画全体 first, then each project: the seeds' columns
 * 指標 / 達成目標 / 令和N年度末の数値 / 進捗 / 進捗の詳細 under kind headings,
 * A filled green, B red) and a sheet データ with the numbers behind the
 * charts (per indicator and fiscal year: the judged value and what the plan
 * expects; from rows[i].chart when set, else the checkpoint alone). title is
 * pw_followup_title's. Returns as pw_xlsx_finish, or PW_ENOMEM. */
int pw_xlsx_report_write(FILE *out, const struct pw_plan *plan, int fy, const char *title,
                         const struct pw_followup_row *rows, size_t n);

#endif
