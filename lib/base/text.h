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

#endif
