/* alert_mail.c - the email of an alert transition (see alert_mail.h). Both
 * parts are base64 so the message is 7-bit whatever the relay supports; the
 * text part is what a terminal mail reader shows, the HTML part the same
 * with the link clickable. */
#include "alert_mail.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dec.h"
#include "err.h"
#include "eval.h"
#include "explain_ja.h"
#include "followup.h"
#include "msg.h"

/* A growing string; on allocation failure it stays failed (oom set). */
struct mb {
    char *s;
    size_t n, cap;
    int oom;
};

static void mb_add(struct mb *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void mb_str(struct mb *b, const char *s)
{
    mb_add(b, s, strlen(s));
}

static void mb_fmt(struct mb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mb_fmt(struct mb *b, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        mb_add(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* HTML text: & < > " escaped. */
static void mb_html(struct mb *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': mb_str(b, "&amp;"); break;
        case '<': mb_str(b, "&lt;"); break;
        case '>': mb_str(b, "&gt;"); break;
        case '"': mb_str(b, "&quot;"); break;
        default: mb_add(b, s, 1);
        }
    }
}

/* base64 of data in lines of 76 characters (RFC 2045), CRLF-terminated. */
static void mb_base64(struct mb *b, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i += 57) {
        char line[80];
        size_t k = n - i < 57 ? n - i : 57;
        sodium_bin2base64(line, sizeof line, (const unsigned char *)data + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        mb_str(b, line);
        mb_str(b, "\r\n");
    }
}

static const char *am_str(const char *s)
{
    return s ? s : "";
}

char *alert_mail_header_encode(const char *s)
{
    int plain = 1;
    for (const char *p = s; *p && plain; p++)
        plain = *p >= 0x20 && *p < 0x7f;
    if (plain)
        return strdup(s);
    struct mb b = {0};
    const char *p = s;
    /* "=?UTF-8?B?" + base64 + "?=" <= 75: at most 45 bytes of text per word
     * (60 base64 characters), cut before a continuation byte never */
    while (*p) {
        size_t k = strlen(p) < 45 ? strlen(p) : 45;
        while (k < strlen(p) && ((unsigned char)p[k] & 0xC0) == 0x80)
            k--;
        char word[80];
        sodium_bin2base64(word, sizeof word, (const unsigned char *)p, k,
                          sodium_base64_VARIANT_ORIGINAL);
        if (b.n)
            mb_str(&b, "\r\n ");
        mb_fmt(&b, "=?UTF-8?B?%s?=", word);
        p += k;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s ? b.s : strdup("");
}

/* "Sun, 06 Dec 2026 08:07:14 +0000" */
static void am_date(int64_t ns, char *buf, size_t n)
{
    static const char *wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The lines both parts say, as (label, text) pairs; label "" = a paragraph. */
struct am_line {
    const char *label, *text;
};

/* The message around text and html: headers (subject RFC 2047 encoded),
 * then both parts base64. Returns 0 or PW_ENOMEM. */
static int am_assemble(struct mb *m, const char *subj, const struct mb *text,
                       const struct mb *html, const struct alert_mail_in *in, uint64_t seq,
                       const char *kind, const char *event)
{
    char boundary[64], date[64];
    char *esubj = alert_mail_header_encode(subj);
    const char *at = strchr(in->from, '@');
    snprintf(boundary, sizeof boundary, "planwatch-%llu-%llu", (unsigned long long)seq,
             (unsigned long long)in->sub_id);
    am_date(in->now_ns, date, sizeof date);
    mb_fmt(m, "From: planwatch <%s>\r\nTo: <%s>\r\n", in->from, in->to);
    mb_str(m, "Subject: ");
    mb_str(m, esubj ? esubj : "planwatch");
    mb_fmt(m, "\r\nDate: %s\r\nMessage-ID: <planwatch.%llu.%llu@%s>\r\n", date,
           (unsigned long long)seq, (unsigned long long)in->sub_id, at ? at + 1 : "planwatch");
    mb_fmt(m, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n",
           boundary);
    mb_fmt(m, "X-Planwatch-Delivery: %llu.%llu\r\nX-Planwatch-Event: %s.%s\r\n\r\n",
           (unsigned long long)seq, (unsigned long long)in->sub_id, kind, event);
    mb_fmt(m, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
    if (!text->oom)
        mb_base64(m, text->s, text->n);
    mb_fmt(m, "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
    if (!html->oom)
        mb_base64(m, html->s, html->n);
    mb_fmt(m, "--%s--\r\n", boundary);
    int oom = m->oom || text->oom || html->oom || !esubj;
    free(esubj);
    return oom ? PW_ENOMEM : 0;
}

/* am_assemble into *out, *len (malloc'd, the caller frees *out; untouched
 * on failure); frees text's and html's buffers either way. */
static int am_finish(const char *subj, struct mb *text, struct mb *html,
                     const struct alert_mail_in *in, uint64_t seq, const char *kind,
                     const char *event, char **out, size_t *len)
{
    struct mb m = {0};
    int rc = am_assemble(&m, subj, text, html, in, seq, kind, event);
    free(text->s);
    free(html->s);
    if (rc) {
        free(m.s);
        return rc;
    }
    *out = m.s;
    *len = m.n;
    return 0;
}

int alert_mail_build(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                     const struct alert_format_ctx *ctx, const struct alert_mail_in *in,
                     char **out, size_t *len)
{
    if (!in || !in->from || !in->from[0] || !in->to || !in->to[0])
        return PW_EINVAL;
    char title[512], subj[600], ex[PW_EXPLAIN_MAX] = "", link[2300], t[32];
    char needs[200] = "", reason[2300] = "", head[80];
    struct pw_eval ev;
    alert_format_title_ja(al, ind, title, sizeof title);
    snprintf(subj, sizeof subj, "【planwatch】%s", title);
    if (ind && al->row && pw_msg_eval_from_row(&ev, al->row) == 0)
        pw_explain_ja(ind, &ev, ex, sizeof ex);
    if (al->row && al->row->has_run_rate && al->event != PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED) {
        char v[PW_DEC_BUFSZ + 16];
        snprintf(needs, sizeof needs, "目標まで年あたり %s%s のペースが必要です",
                 pw_followup_number(al->row->run_rate_micros, v, sizeof v),
                 ind ? ind->unit : "");
    }
    if (in->reason && in->reason[0])
        snprintf(reason, sizeof reason, "%s（%s）", in->reason, am_str(in->reason_by));
    alert_format_link(ctx, al->indicator_id, link, sizeof link);
    snprintf(head, sizeof head, "%s.%s · %s · %s", pw_msg_kind_name(al->kind),
             pw_msg_event_name(al->event), pw_msg_severity_name(al->severity, 1),
             pw_msg_time(al->time_ns, t, sizeof t));
    const struct am_line lines[] = {
        {"", ex[0] ? ex : am_str(al->summary)},
        {"必要なこと", needs},
        {"要因分析", reason},
        {"English", am_str(al->summary)},
        {"指標のページ", link},
        {"アラート", am_str(al->alert_id)},
        {"", head},
    };
    const size_t nl = sizeof lines / sizeof lines[0];
    struct mb text = {0}, html = {0};
    mb_fmt(&text, "%s\r\n\r\n", subj);
    mb_str(&html, "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>");
    mb_html(&html, subj);
    mb_str(&html, "</title></head><body><h1 style=\"font-size:1.2em\">");
    mb_html(&html, subj);
    mb_str(&html, "</h1>");
    for (size_t i = 0; i < nl; i++) {
        if (!lines[i].text[0])
            continue;
        if (lines[i].label[0])
            mb_fmt(&text, "%s: %s\r\n", lines[i].label, lines[i].text);
        else
            mb_fmt(&text, "%s\r\n\r\n", lines[i].text);
        mb_str(&html, "<p>");
        if (lines[i].label[0]) {
            mb_str(&html, "<b>");
            mb_html(&html, lines[i].label);
            mb_str(&html, "</b>: ");
        }
        if (lines[i].text == link) {
            mb_str(&html, "<a href=\"");
            mb_html(&html, link);
            mb_str(&html, "\">");
            mb_html(&html, link);
            mb_str(&html, "</a>");
        } else {
            mb_html(&html, lines[i].text);
        }
        mb_str(&html, "</p>");
    }
    mb_str(&html, "</body></html>\r\n");
    return am_finish(subj, &text, &html, in, al->seq, pw_msg_kind_name(al->kind),
                     pw_msg_event_name(al->event), out, len);
}

int alert_mail_build_group(const Planwatch__V1__Alert *const *als,
                           const struct pw_indicator *const *inds, size_t n,
                           const struct alert_format_ctx *ctx, const struct alert_mail_in *in,
                           char **out, size_t *len)
{
    if (!in || !in->from || !in->from[0] || !in->to || !in->to[0] ||
        (!n && !(ctx && ctx->digest)))
        return PW_EINVAL;
    char subj[600], title[512], ex[PW_EXPLAIN_MAX], link[2300];
    struct mb text = {0}, html = {0};
    struct pw_eval ev;
    alert_format_group_title(als, n, ctx, subj, sizeof subj);
    mb_fmt(&text, "%s\r\n", subj);
    mb_str(&html, "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>");
    mb_html(&html, subj);
    mb_str(&html, "</title></head><body><h1 style=\"font-size:1.2em\">");
    mb_html(&html, subj);
    mb_str(&html, "</h1>");
    for (size_t i = 0; i < n; i++) {
        const Planwatch__V1__Alert *al = als[i];
        if (i == 0 || strcmp(am_str(als[i - 1]->plan), am_str(al->plan)) ||
            strcmp(am_str(als[i - 1]->project), am_str(al->project))) {
            size_t k = 0; /* this project's count */
            for (size_t j = i; j < n && !strcmp(am_str(als[j]->plan), am_str(al->plan)) &&
                               !strcmp(am_str(als[j]->project), am_str(al->project));
                 j++)
                k++;
            mb_fmt(&text, "\r\n■ %s / %s（%zu件）\r\n", am_str(al->plan), am_str(al->project), k);
            if (i)
                mb_str(&html, "</ul>");
            mb_str(&html, "<h2 style=\"font-size:1em\">");
            mb_html(&html, am_str(al->plan));
            mb_str(&html, " / ");
            mb_html(&html, am_str(al->project));
            mb_fmt(&html, "（%zu件）</h2><ul>", k);
        }
        alert_format_title_ja(al, inds[i], title, sizeof title);
        alert_format_link(ctx, al->indicator_id, link, sizeof link);
        ex[0] = '\0';
        if (inds[i] && al->row && pw_msg_eval_from_row(&ev, al->row) == 0)
            pw_explain_ja(inds[i], &ev, ex, sizeof ex);
        mb_fmt(&text, "・%s\r\n", title);
        if (ex[0])
            mb_fmt(&text, "  %s\r\n", ex);
        if (link[0])
            mb_fmt(&text, "  %s\r\n", link);
        mb_str(&html, "<li>");
        if (link[0]) {
            mb_str(&html, "<a href=\"");
            mb_html(&html, link);
            mb_str(&html, "\">");
        }
        mb_html(&html, title);
        if (link[0])
            mb_str(&html, "</a>");
        if (ex[0]) {
            mb_str(&html, "<br>");
            mb_html(&html, ex);
        }
        mb_str(&html, "</li>");
    }
    if (n)
        mb_str(&html, "</ul>");
    if (ctx && ctx->digest && ctx->nchanges) {
        char t[32];
        mb_fmt(&text, "\r\n■ この期間の変化（%zu件）\r\n", ctx->nchanges);
        mb_fmt(&html, "<h2 style=\"font-size:1em\">この期間の変化（%zu件）</h2><ul>", ctx->nchanges);
        for (size_t i = 0; i < ctx->nchanges; i++) {
            const Planwatch__V1__Alert *c = ctx->changes[i];
            alert_format_title_ja(c, NULL, title, sizeof title);
            pw_msg_time(c->time_ns, t, sizeof t);
            mb_fmt(&text, "・%s %s.%s %s\r\n", t, pw_msg_kind_name(c->kind),
                   pw_msg_event_name(c->event), title);
            mb_fmt(&html, "<li>%s %s.%s ", t, pw_msg_kind_name(c->kind), pw_msg_event_name(c->event));
            mb_html(&html, title);
            mb_str(&html, "</li>");
        }
        mb_str(&html, "</ul>");
    }
    mb_str(&html, "</body></html>\r\n");
    return am_finish(subj, &text, &html, in, n ? als[0]->seq : 0, "group",
                     ctx && ctx->digest     ? "digest"
                     : ctx && ctx->reminder ? "reminder"
                                            : "grouped",
                     out, len);
}
