/* text.h - what text from outside may contain. Offices' notes, batch ids and
 * people's acknowledgement reasons end up in terminals, logs, JSON and HTML:
 * they must be UTF-8 (jansson refuses anything else) and free of control
 * characters (an ESC rewrites an operator's terminal). */
#ifndef PW_TEXT_H
#define PW_TEXT_H

#include <stddef.h>

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates or code points
 * beyond U+10FFFF), else 0. */
int pw_text_utf8(const char *s, size_t n);

/* 1 when s[0..n) is valid UTF-8 without control characters (C0 but tab and
 * line breaks, DEL, C1), else 0. A note may span lines (a quoted CSV field);
 * logs replace line breaks (pw_log_write). */
int pw_text_clean(const char *s, size_t n);

/* Bytes of an outside value a reason quotes back, as escaped (then "…"):
 * feed errors show at most this much of the value they reject. */
#define PW_TEXT_ECHO_MAX 64

/* Writes s[0..n) into buf (cap bytes, cap >= 4; always NUL-terminated) as
 * text that is safe to print on one line: valid UTF-8 is copied as it is
 * (Japanese stays Japanese), except tab, LF and CR as \t \n \r, the other
 * C0 controls (NUL included) and DEL as \xHH, the C1 controls U+0080..U+009F,
 * the line/paragraph separators U+2028/U+2029 and the bidirectional
 * formatting characters U+202A..U+202E, U+2066..U+2069 as \uHHHH, and a byte
 * that is not part of valid UTF-8 as \xHH. A backslash is copied as it is
 * (escaping is for terminals, not a reversible encoding). When the result
 * does not fit, it is cut before a character or an escape would be split and
 * ends in "…" (3 bytes) within cap. s may be NULL when n is 0. Returns buf,
 * for use as a %s argument. */
char *pw_text_escape(const char *s, size_t n, char *buf, size_t cap);

/* pw_text_escape of at most the first max bytes of s[0..n): cut before the
 * character that would cross max (never inside one), and ending in "…"
 * when anything of s was left out, by max or by cap. An id echoed back
 * (msg.h, PW_BATCH_ID_MAX) is cut by what it is, not by the buffer. */
char *pw_text_escape_cut(const char *s, size_t n, size_t max, char *buf, size_t cap);

#endif
