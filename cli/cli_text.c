/* cli_text.c - escaping text from outside for printing (see cli_text.h). */
#include "cli_text.h"

#include <string.h>

#include "text.h"

const char *cli_text(struct cli_text *x, const char *s)
{
    char *b = x->buf[x->next++ % CLI_TEXT_SLOTS];
    return pw_text_escape(s ? s : "", s ? strlen(s) : 0, b, CLI_TEXT_MAX);
}
