/* cli_text.h - text from outside as the `planwatch` command prints it.
 * Row reasons, office names, acknowledgement reasons, comments and alert
 * texts come from the services (and through them from offices and people):
 * every one is printed through cli_text, in tables, CSV and messages alike,
 * so a terminal never receives a raw control character (pw_text_escape:
 * \x1b, \u009b..., Japanese kept). JSON output is escaped by jansson. */
#ifndef PW_CLI_TEXT_H
#define PW_CLI_TEXT_H

#include <stddef.h>

#define CLI_TEXT_SLOTS 8    /* texts one statement may print through one cli_text */
#define CLI_TEXT_MAX 8192   /* bytes of one text as printed (then "…") */

/* Buffers for the escaped texts of a statement or two; on the caller's
 * stack, zero-initialised (struct cli_text x = {0}). */
struct cli_text {
    char buf[CLI_TEXT_SLOTS][CLI_TEXT_MAX];
    unsigned next;
};

/* s (NULL: "") escaped for printing, in the next of x's buffers (they are
 * reused in turn: a pointer stays valid for CLI_TEXT_SLOTS - 1 later calls).
 * Returns that buffer. */
const char *cli_text(struct cli_text *x, const char *s);

#endif
