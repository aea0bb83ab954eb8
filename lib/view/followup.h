/* followup.h - the follow-up table of the annual report (フォローアップ):
 * for one plan and fiscal year, per project (plan-wide indicators first),
 * grouped by kind (＜アウトカム＞ / ＜アウトプット＞ / ＜モニタリング指標＞) in
 * catalog order, one row per indicator with the seeds' columns:
 *   指標 (indicator) | 達成目標 (target) | 令和N年度末の数値 (value at the end of
 *   the fiscal year) | 進捗 (grade A/B) | 進捗の詳細 (details: in Japanese, the
 *   default, pw_explain_ja's sentence, then the acknowledgement reasons
 *   (要因分析) and the secretariat's assessment; in English, the reasons, then
 *   the evaluation's explanation: see pw_followup_row.lang)
 * as CSV (RFC 4180, UTF-8, one header row), Markdown or a self-contained HTML
 * page (with each indicator's progress chart when given). Used by
 * `planwatch report` and planwatch-http's /api/v1/report. Writes to the
 * caller's FILE; all inputs are borrowed. */
#ifndef PW_FOLLOWUP_H
#define PW_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog.h"
#include "chart.h"
#include "eval.h"
#include "explain_ja.h"
#include "planwatch.pb-c.h"

/* xlsx: a workbook (xlsx_report.h); pdf: the HTML page printed by headless
 * Chromium (pdf.h). */
enum pw_followup_format {
    PW_FOLLOWUP_CSV,
    PW_FOLLOWUP_MD,
    PW_FOLLOWUP_HTML,
    PW_FOLLOWUP_XLSX,
    PW_FOLLOWUP_PDF
};

/* Parses "csv|md|html|xlsx|pdf". Returns 0 or PW_EINVAL. */
int pw_followup_format_parse(const char *s, enum pw_followup_format *out);
/* "csv", "md", "html", "xlsx" or "pdf" (static). */
const char *pw_followup_format_name(enum pw_followup_format f);
/* The HTTP Content-Type of a report in format f (static). */
const char *pw_followup_format_ctype(enum pw_followup_format f);

struct pw_followup_row {
    const struct pw_indicator *ind;  /* borrowed */
    struct pw_eval ev;               /* evaluated at the end of the fiscal year */
    const char *ack;                 /* acknowledgement reasons (要因分析), or NULL / "" */
    const struct pw_chart *chart;    /* HTML only: drawn in the row; NULL: none */
    struct pw_assessment as;         /* the secretariat's assessment (as.fy = 0: none): 進捗
                                        shows its grade, 進捗の詳細 its reason */
    enum pw_lang lang;               /* 進捗の詳細's language: PW_LANG_JA (0, the default:
                                        pw_explain_ja, then 要因分析 and the assessment) or
                                        PW_LANG_EN (pw_eval's explanation) */
};

/* "令和6年度" for FY2024 (FY2019 = 令和元年度), "FY2018" before 令和, into buf
 * (at least 32 bytes). Returns buf. */
char *pw_followup_fy_name(int fy, char *buf, size_t n);

/* v with thousands separators in its whole part, as the documents print
 * figures ("1,443", "46.5") into buf (at least PW_DEC_BUFSZ + 16). Returns buf. */
char *pw_followup_number(int64_t v, char *buf, size_t n);

/* The target as the plan printed it (target_text), else the number the
 * target names (ev->target) with the unit, or "-" for monitoring only.
 * Returns target_text, "-" or buf. */
const char *pw_followup_target(const struct pw_indicator *ind, const struct pw_eval *ev,
                               char *buf, size_t n);

/* The acknowledgements that explain fiscal year fy in its follow-up: those
 * recorded from the year's first day (JST) on, up to when the report is
 * made (Unix ns; *to_ns = INT64_MAX). */
void pw_followup_ack_window(int fy, int64_t *from_ns, int64_t *to_ns);

/* Draws each row's progress chart from hist at as_of into a new array
 * *charts (caller frees; rows[i].chart points into it). Returns 0 or
 * PW_ENOMEM (no charts: the rows are written without). */
struct pw_history;
int pw_followup_charts(struct pw_followup_row *rows, size_t n, const struct pw_history *hist,
                       int32_t as_of, struct pw_chart **charts);

/* A store's status answer in[0..n) as follow-up rows (ind, ev and as set; ack
 * and chart NULL), in catalog order (pw_msg_status_rows). Returns 0,
 * PW_ENOMEM or PW_EWIRE (*bad names the row). */
int pw_followup_rows_from_reply(const struct pw_catalog *cat, Planwatch__V1__StatusRow *const *in,
                                size_t n, struct pw_followup_row **rows, size_t *nrows,
                                const char **bad);

/* Sets each row's ack to the reasons that explain fiscal year fy
 * (pw_followup_ack_window) from acks[0..n_acks), recorded by known_at (Unix
 * ns; 0: any time) so a report regenerated as it was known says what it
 * said then; kept in a new array *out of n strings or NULLs (caller frees
 * each and the array). Returns 0 or PW_ENOMEM. */
int pw_followup_acks(struct pw_followup_row *rows, size_t n, Planwatch__V1__Ack *const *acks,
                     size_t n_acks, int fy, int64_t known_at, char ***out);

/* Writes the table of plan for fiscal year fy from rows[0..n) (the plan's
 * indicators, in catalog order; rows of other plans are skipped), with the
 * default options (no BOM, no 途中経過 check). Returns 0, PW_EIO (the stream
 * failed) or PW_EINVAL (unknown format). */
int pw_followup_write(FILE *out, const struct pw_plan *plan, int fy,
                      const struct pw_followup_row *rows, size_t n, enum pw_followup_format fmt);

struct pw_followup_opts {
    int bom;              /* csv: start with the UTF-8 byte-order mark EF BB BF (Excel) */
    int32_t known_day;    /* the day (JST) the figures were known on (the report's as-of);
                             0: not stated. Before the year's end, or before the latest due
                             day of the year's figures, the report is 途中経過 */
    const char *renderer; /* pdf: the Chromium executable; NULL: pw_pdf_find() */
    int timeout_ms;       /* pdf: how long the renderer may take; 0: PW_PDF_TIMEOUT_MS */
};

/* pw_followup_write with options (NULL: the defaults). The title says
 * （途中経過、YYYY-MM-DD 時点） for an unfinished year (pw_followup_interim),
 * else （最終結果） for the plan's last year, in every format (csv: a title
 * row before the header row only then). xlsx and pdf go through a temporary
 * file in $TMPDIR that is removed before returning. Returns 0, PW_EIO,
 * PW_EINVAL, PW_ENOMEM, or for pdf PW_EUNAVAILABLE (no renderer, or it
 * failed or took too long: logged on stderr). */
int pw_followup_write_opts(FILE *out, const struct pw_plan *plan, int fy,
                           const struct pw_followup_row *rows, size_t n,
                           enum pw_followup_format fmt, const struct pw_followup_opts *opts);

/* Whether the report of fiscal year fy is 途中経過 when known on day
 * known_day (0: never): known_day is before the year's last day or before
 * the latest due day (pw_due_day) of rows[0..n)'s indicators. */
int pw_followup_interim(int fy, const struct pw_followup_row *rows, size_t n, int32_t known_day);

/* The report's title into buf: "PLAN 令和N年度 フォローアップ" with
 * （途中経過、YYYY-MM-DD 時点） or （最終結果） as above. Returns buf. */
char *pw_followup_title(const struct pw_plan *plan, int fy, const struct pw_followup_row *rows,
                        size_t n, int32_t known_day, char *buf, size_t len);

/* One row's cells as the table prints them: the value with its unit and
 * 速報値 mark ("-": none), the grade shown ("A", "B" or "-": buf of 2) and
 * 進捗の詳細. Each returns its buf (or a static "-"). */
const char *pw_followup_value(const struct pw_followup_row *r, char *buf, size_t n);
const char *pw_followup_grade(const struct pw_followup_row *r, char *buf);
const char *pw_followup_details(const struct pw_followup_row *r, char *buf, size_t n);

/* The section heading of a kind (＜アウトカム＞ ...) (static). */
const char *pw_followup_kind_heading(enum pw_kind k);

#endif
