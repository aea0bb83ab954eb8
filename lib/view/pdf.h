/* pdf.h - HTML printed to PDF by a well-kept renderer: Debian's chromium,
 * headless (--print-to-pdf). Japanese needs a CJK font on the machine
 * (Debian: fonts-noto-cjk), else it prints as empty boxes. The renderer runs
 * as a child process (fork/exec, its own process group, killed at the
 * timeout) on files in a fresh directory under $TMPDIR that is removed
 * before returning. Blocks the caller until the PDF is made. */
#ifndef PW_PDF_H
#define PW_PDF_H

#include <stddef.h>
#include <stdio.h>

#define PW_PDF_TIMEOUT_MS 60000

/* The renderer: $PLANWATCH_CHROMIUM when set (an empty value: none), else
 * the first of chromium, chromium-browser, google-chrome found executable
 * on $PATH, into buf (at least 4096 bytes). Returns buf, or NULL when there
 * is none. */
const char *pw_pdf_find(char *buf, size_t n);

/* Prints html[0..len) to PDF with renderer (NULL: pw_pdf_find) within
 * timeout_ms (0: PW_PDF_TIMEOUT_MS) and writes the PDF's bytes to out.
 * Returns 0, PW_EUNAVAILABLE (no renderer, it failed, took too long or made
 * no PDF: the reason is on stderr), PW_EIO (temporary files or out) or
 * PW_ENOMEM. */
int pw_pdf_from_html(FILE *out, const char *html, size_t len, const char *renderer,
                     int timeout_ms);

#endif
