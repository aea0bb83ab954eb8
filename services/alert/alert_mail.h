/* alert_mail.h - the email an alert transition sends (RFC 5322 with MIME):
 * a Japanese subject "【planwatch】遅れ 論文数（Top1%論文） 令和7年度末 86/120"
 * encoded as RFC 2047 UTF-8 encoded-words, and a multipart/alternative body
 * with a text and an HTML part (UTF-8, base64) carrying the explanation,
 * what it needs, the 要因分析 when someone answered the alert, the English
 * summary and the link to the indicator's page. Pure: no sockets, no clock
 * ("now" is a parameter); the result is what SMTP's DATA sends (CRLF lines,
 * 7-bit). Not thread-safe only as jansson is not; no state of its own. */
#ifndef ALERT_MAIL_H
#define ALERT_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "alert_format.h"
#include "catalog.h"
#include "planwatch.pb-c.h"

/* What the message says besides the alert itself. */
struct alert_mail_in {
    const char *from;        /* the envelope and From: address (--mail-from) */
    const char *to;          /* the subscription's address */
    uint64_t sub_id;
    const char *reason;      /* the latest acknowledgement's 要因分析 ("" / NULL: none) */
    const char *reason_by;   /* who gave it */
    int64_t now_ns;          /* the Date: header */
};

/* Builds the message of al (ind may be NULL) into a malloc'd *out of *len
 * bytes (caller frees). Returns 0, PW_EINVAL (no from / to) or PW_ENOMEM. */
int alert_mail_build(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                     const struct alert_format_ctx *ctx, const struct alert_mail_in *in,
                     char **out, size_t *len);

/* One message for the transitions als[0..n) that arrived together (sorted
 * by plan / project by the caller): subject "【planwatch】110件: 未報告 108件、
 * 遅れ 2件", a section per project ("■ p3 / pj1（3件）") listing each
 * alert's headline, explanation and link. Returns 0, PW_EINVAL or PW_ENOMEM. */
int alert_mail_build_group(const Planwatch__V1__Alert *const *als,
                           const struct pw_indicator *const *inds, size_t n,
                           const struct alert_format_ctx *ctx, const struct alert_mail_in *in,
                           char **out, size_t *len);

/* RFC 2047: s (UTF-8) as "=?UTF-8?B?...?=" encoded-words of at most 75
 * characters, split on character boundaries and folded (CRLF SP) between
 * them, into a malloc'd string (caller frees); s unchanged when it is plain
 * printable ASCII. NULL when out of memory. */
char *alert_mail_header_encode(const char *s);

#endif
