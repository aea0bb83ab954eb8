/* feed.h - indicator update feeds from project offices: CSV (libcsv) and
 * JSON (jansson), in two layers.
 *
 *  1. Parsing turns text into typed rows. CSV has a header row naming the
 *     columns in any order; UTF-8 with or without BOM, or CP932/Shift_JIS as
 *     Excel writes it in Japanese offices (converted with iconv).
 *  2. Validation checks a typed row against the catalog and today's date.
 *     Ingest validates every row it receives, whatever parsed it.
 *
 * A bad row is rejected with a pw_diag naming the file, row, column and
 * reason; the good rows still go through (partial success). That holds for
 * bytes too: a NUL (PW_EFEED_VALUE) or a byte that is not UTF-8
 * (PW_EFEED_ENCODING) rejects its CSV row, a JSON syntax error its element
 * of the array (PW_EFEED_SYNTAX with the file's line and column; where
 * elements cannot be delimited any more, the rest from that row). Values
 * quoted back in reasons are escaped, at most PW_TEXT_ECHO_MAX bytes. Columns:
 *   indicator_id, fiscal_year (2025 | 令和7 | R7 | FY2025), value  - required
 *   basis (cumulative|annual), preliminary (true|false), as_of (YYYY-MM-DD),
 *   note, update_id, retract (true|false)                         - optional
 * A row with retract true withdraws the fiscal year's figure (its value may
 * be empty and is not read).
 *
 * The headers of `planwatch template` are read too: 指標ID, 年度, 値, 区分
 * (累計|単年度), 速報値, 時点, 備考; its 指標名 and 単位 columns are ignored.
 * An .xlsx workbook is read from its first sheet (xlsxread.h), with the same
 * header row and columns. With a catalog, an id that differs from the
 * catalog's in case only is taken as the catalog's with a PW_WFEED_IDCASE
 * warning (pw_feed_warning); an unknown id's rejection names the closest
 * ids ("did you mean ...?"). */
#ifndef PW_FEED_H
#define PW_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "diag.h"

#define PW_FEED_MAX_BYTES (64u << 20)
#define PW_FEED_MAX_ROWS 100000
#define PW_FEED_FIELD_MAX 1024
#define PW_NOTE_MAX 512
#define PW_UPDATE_ID_MAX 64

/* PW_FEED_AUTO: an .xlsx by its zip signature, JSON by a leading [ or {,
 * else CSV. */
enum pw_feed_format { PW_FEED_AUTO, PW_FEED_CSV, PW_FEED_JSON, PW_FEED_XLSX };

struct pw_feed_row {
    int row;                           /* CSV: record number, header = 1; JSON: element index + 1 */
    char indicator_id[PW_ID_MAX + 1];
    int fy;
    int64_t value;                     /* pw_dec */
    int basis;                         /* enum pw_basis, or -1: the indicator's reporting basis */
    int preliminary;
    int32_t as_of;                     /* PW_NO_DAY when absent */
    const char *note;                  /* "" when absent; owned by the feed */
    char update_id[PW_UPDATE_ID_MAX + 1]; /* "" when absent */
    int retract;                       /* 1: withdraws the fiscal year's figure (value 0) */
};

struct pw_feed;

/* Parses buf[0..len) (borrowed for the call). name labels diagnostics. With
 * cat != NULL every parsed row is also validated (pw_feed_validate against
 * today). Returns 0 and *out (caller frees with pw_feed_close) whatever the
 * rows' fate - rejected rows and file-level problems are in the errors - or
 * PW_ENOMEM. */
int pw_feed_parse(struct pw_feed **out, const struct pw_catalog *cat, const char *name,
                  const char *buf, size_t len, enum pw_feed_format fmt, int32_t today);

/* Reads and parses a file; the format comes from the extension (.json) or,
 * failing that, from the first non-blank byte. Returns 0 and *out, or
 * PW_EIO / PW_ETOOBIG / PW_ENOMEM with diag filled. */
int pw_feed_parse_file(struct pw_feed **out, const struct pw_catalog *cat, const char *path,
                       int32_t today, struct pw_diag *diag);

void pw_feed_close(struct pw_feed **f);

size_t pw_feed_nrows(const struct pw_feed *f);          /* accepted rows */
const struct pw_feed_row *pw_feed_row(const struct pw_feed *f, size_t i);
size_t pw_feed_nerrors(const struct pw_feed *f);        /* rejected rows + file-level errors */
const struct pw_diag *pw_feed_error(const struct pw_feed *f, size_t i);
size_t pw_feed_nrejected(const struct pw_feed *f);      /* data rows rejected */

/* Warnings on accepted rows (PW_WFEED_IDCASE): row, column and why.
 * Valid until pw_feed_close. */
size_t pw_feed_nwarnings(const struct pw_feed *f);
const struct pw_diag *pw_feed_warning(const struct pw_feed *f, size_t i);

/* The indicator with id, else the one whose id differs in ASCII case only
 * (*case_only = 1), else NULL. Borrowed from cat. */
const struct pw_indicator *pw_feed_find_indicator(const struct pw_catalog *cat, const char *id,
                                                  int *case_only);

/* The catalog ids closest to id by edit distance (ignoring case; at most a
 * third of its length, 2..6 edits), at most 3 of the nearest, as "a", "a or
 * b" or "a, b or c" into buf (truncated to n); "" when none is close.
 * Returns buf. */
char *pw_feed_suggest(const struct pw_catalog *cat, const char *id, char *buf, size_t n);

/* Checks row against the catalog: the indicator exists (or differs in case
 * only: pw_feed_find_indicator; an unknown one's reason names the closest); the fiscal year lies
 * in its window (pw_indicator_fy_range) and has started by today; the value
 * is not negative and a percentage lies in 0..100; as_of lies within or after
 * the fiscal year and not after today. Sets *ind on success. Returns 0 or the
 * PW_EFEED_* code with diag (file, row, column, reason) filled. */
int pw_feed_validate(const struct pw_catalog *cat, const struct pw_feed_row *row, int32_t today,
                     const char *file, const struct pw_indicator **ind, struct pw_diag *diag);

/* Parses the text forms of the optional columns. Each returns 0 or the
 * column's PW_EFEED_* code. Empty text gives the default (-1, 0, PW_NO_DAY). */
int pw_feed_parse_basis(const char *s, int *out);
int pw_feed_parse_bool(const char *s, int *out);
int pw_feed_parse_update_id(const char *s);

#endif
