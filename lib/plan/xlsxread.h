/* xlsxread.h - reads the first worksheet of an Office Open XML workbook (.xlsx)
 * as rows of cell texts, for feeds kept in Excel. libzip opens the archive
 * from memory, expat reads the XML (workbook, its relationships, the shared
 * strings and the sheet). It reads values only: no formulas (their cached
 * result is the value), styles, dates (a date cell is its serial number,
 * marked numeric) or other sheets. Input is untrusted: every part is bounded
 * by PW_XLSXREAD_MAX_BYTES uncompressed, DOCTYPEs are refused, and malformed
 * input is an error result, never an abort. Not thread-safe per call; no
 * global state. */
#ifndef PW_XLSXREAD_H
#define PW_XLSXREAD_H

#include <stddef.h>

#define PW_XLSXREAD_MAX_BYTES (64u << 20) /* uncompressed bytes of one part */
#define PW_XLSXREAD_MAX_COLS 256          /* cells beyond column IV are refused */
#define PW_XLSXREAD_CELL_MAX 4096         /* bytes kept of a cell's text (longer ones are cut) */

struct pw_xlsxread_cell {
    int col;          /* 0-based column (A = 0) */
    int numeric;      /* 1: a number cell (its text is the stored decimal) */
    const char *text; /* UTF-8, NUL-terminated; borrowed for the callback */
    size_t len;
};

/* Called once per <row> in sheet order with its 1-based row number and its
 * non-empty cells sorted by column. Returns 0 to go on, non-zero to stop
 * (pw_xlsxread_rows then returns that value). */
typedef int (*pw_xlsxread_row_fn)(void *data, int row, const struct pw_xlsxread_cell *cells,
                                  size_t n);

/* Reads the first worksheet of the workbook buf[0..len) (borrowed for the
 * call), calling fn for each row. Returns 0, fn's non-zero value, or
 * PW_ESYNTAX (not an xlsx, or malformed: why says what, truncated to n),
 * PW_ETOOBIG (a part larger than PW_XLSXREAD_MAX_BYTES, or too many columns) or
 * PW_ENOMEM. */
int pw_xlsxread_rows(const char *buf, size_t len, pw_xlsxread_row_fn fn, void *data, char *why,
                 size_t n);

/* Whether buf starts like a zip archive (an .xlsx file). */
int pw_xlsxread_sniff(const char *buf, size_t len);

#endif
