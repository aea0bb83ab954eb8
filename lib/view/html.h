/* html.h - the pieces every planwatch HTML page shares: escaping, one page
 * shell with its inline stylesheet (no external assets: the pages work
 * offline and can be saved as one file), status badges that say the status
 * in words and with a symbol as well as in colour, and indicator names
 * (Japanese as printed, English below when the catalog has it). Used by the
 * HTTP dashboard (planwatch-http) and `planwatch report --format html`.
 * Everything writes to a caller's FILE (open_memstream for HTTP bodies);
 * write errors are left in the stream's error flag for the caller. */
#ifndef PW_HTML_H
#define PW_HTML_H

#include <stdio.h>

#include "catalog.h"
#include "eval.h"

/* Writes s with & < > " ' escaped (NULL writes nothing). */
void pw_html_text(FILE *out, const char *s);

/* "<!doctype html>...<body>" with the shared stylesheet; title is escaped. */
void pw_html_page_open(FILE *out, const char *title);
/* The same for a page in lang ("en"; anything else: "ja"). */
void pw_html_page_open_lang(FILE *out, const char *title, const char *lang);
/* "</body></html>" */
void pw_html_page_close(FILE *out);

/* CSS class of a status ("st-behind", ...), and its words ("遅れ behind"). */
const char *pw_html_status_class(enum pw_status s);
const char *pw_html_status_words(enum pw_status s);

/* A badge: symbol, grade and status words in the status colour, e.g.
 * <span class="st st-behind">✕ B 遅れ behind</span>. */
void pw_html_status(FILE *out, enum pw_status s, char grade);

/* The kind of an alert (the values of planwatch.v1.AlertKind). */
enum pw_html_alert_kind { PW_HTML_ALERT_STATUS, PW_HTML_ALERT_OVERDUE, PW_HTML_ALERT_FORECAST };

/* An alert's badge: a status alert shows its status (pw_html_status); an
 * overdue report (！ 未報告 overdue) and a forecast (▲ 見通し注意 forecast)
 * are warnings in their own words whatever the indicator's status, so a
 * forecast on an indicator on track today never reads "A 順調". */
void pw_html_alert_badge(FILE *out, enum pw_html_alert_kind kind, enum pw_status s, char grade);

/* The plan's words for a grade: A 順調に進捗している, B 進捗が不十分, else "". */
const char *pw_html_grade_words(char grade);

/* The indicator's name as printed, then its English name (if any) in a
 * smaller line: <span lang="ja">…</span><span class="en" lang="en">…</span>. */
void pw_html_indicator_name(FILE *out, const struct pw_indicator *ind);

#endif
