/* dec.h - exact decimal numbers as int64 micro-units (value x 1,000,000).
 *
 * Indicator values and targets are decimals (46.5 seeds, 10.73 %), and grades
 * hinge on exact boundaries (6 of a pro-rated 6 is A), so nothing that decides
 * a status ever goes through floating point. Six decimals, magnitude bounded
 * by PW_DEC_MAX so that products in __int128 cannot overflow. */
#ifndef PW_DEC_H
#define PW_DEC_H

#include <stddef.h>
#include <stdint.h>

#define PW_DEC_SCALE INT64_C(1000000)
#define PW_DEC_MAX (INT64_C(1000000000000) * PW_DEC_SCALE) /* 1e12 units */
#define PW_DEC_BUFSZ 32 /* enough for any formatted pw_dec */

/* Builds a decimal from whole units. */
#define PW_DEC(units) ((int64_t)(units) * PW_DEC_SCALE)

/* Parses s[0..len) as an optionally signed decimal: ASCII or full-width
 * digits, at most 6 decimals, optional thousands separators ("1,443" - groups
 * of exactly three). Surrounding ASCII spaces are ignored.
 * Returns 0 and sets *out, PW_ESYNTAX if not a number, PW_ERANGE if more than
 * 6 decimals or |value| > PW_DEC_MAX. *out is untouched on error. */
int pw_dec_parse(const char *s, size_t len, int64_t *out);

/* Formats v with the fewest decimals that represent it exactly ("12", "46.5")
 * into buf (size n >= PW_DEC_BUFSZ). Returns buf. */
char *pw_dec_format(int64_t v, char *buf, size_t n);

/* Formats the rational num/den (den > 0) rounded half away from zero to at
 * most `decimals` (0-6) decimals, trailing zeros dropped. Returns buf. */
char *pw_dec_format_q(__int128 num, __int128 den, int decimals, char *buf, size_t n);

/* Rounds the rational num/den (den > 0, both in micro-units scale of the
 * numerator) to the nearest micro-unit, half away from zero. */
int64_t pw_dec_round_q(__int128 num, __int128 den);

/* Converts to double for display and ratios only. */
double pw_dec_to_double(int64_t v);

#endif
