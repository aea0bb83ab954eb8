/* explain_ja.h - an indicator's evaluation in words, in Japanese in the
 * register of the seeds' follow-up tables (令和7年度末時点で累計158件（目標650件、
 * 令和7年度末の目安130件、達成率122%）。順調。次は…), or in English (the
 * evaluation's own explanation, pw_eval.explanation, unchanged). Numbers are
 * printed as the seeds print them (1,443件, 83%) by pw_followup_number.
 * Renders only what struct pw_eval already decided: no judgement here.
 * Pure functions writing into the caller's buffer; thread-safe. */
#ifndef PW_EXPLAIN_JA_H
#define PW_EXPLAIN_JA_H

#include <stddef.h>

#include "catalog.h"
#include "eval.h"

/* The language of words shown to people. */
enum pw_lang { PW_LANG_JA, PW_LANG_EN };

/* Parses "ja" or "en". Returns 0 or PW_EINVAL (*out untouched). */
int pw_lang_parse(const char *s, enum pw_lang *out);
/* "ja" or "en" (static). */
const char *pw_lang_name(enum pw_lang l);

/* The Japanese word of a status: 順調 (ON_TRACK), 要注意 (AT_RISK), 遅れ
 * (BEHIND), 達成 (ACHIEVED), データなし (NO_DATA), 目標なし (NO_TARGET);
 * "?" for anything else. Static, never NULL. */
const char *pw_explain_status_ja(enum pw_status s);
/* The English words of a status ("on track", "at risk", ...; static). */
const char *pw_explain_status_en(enum pw_status s);
/* Both, Japanese first ("遅れ behind"; static): the HTML badges' words. */
const char *pw_explain_status_both(enum pw_status s);
/* The status word in lang: pw_explain_status_ja, or the status name
 * (ON_TRACK, ...) in English as every machine format prints it. */
const char *pw_explain_status(enum pw_status s, enum pw_lang lang);

/* A buffer always big enough for pw_explain_ja. */
#define PW_EXPLAIN_MAX 768

/* Writes the Japanese explanation of ev (an evaluation of ind) into buf
 * (n bytes; PW_EXPLAIN_MAX is always enough; cut, still NUL-terminated,
 * when shorter). Every target model and state has its
 * sentence: before the first checkpoint, monitoring only, stock targets
 * (cumulative, level, trajectory, ratio) with the checkpoint's expectation,
 * achievement rate, the run-rate when behind, a stale or overdue figure
 * and the next checkpoint; per-year targets (annual, above_baseline,
 * rolling_average, prev_average); final results (最終). Returns buf. */
char *pw_explain_ja(const struct pw_indicator *ind, const struct pw_eval *ev, char *buf,
                    size_t n);

/* The explanation in lang: pw_explain_ja into buf, or ev->explanation for
 * English (then buf is not written). Returns buf or ev->explanation. */
const char *pw_explain(const struct pw_indicator *ind, const struct pw_eval *ev,
                       enum pw_lang lang, char *buf, size_t n);

#endif
