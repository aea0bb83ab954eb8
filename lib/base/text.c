/* text.c - UTF-8 and control-character checks, and the escaping of text
 * from outside that is echoed back (see text.h). */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int pw_text_utf8(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + k >= n)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

int pw_text_clean(const char *s, size_t n)
{
    if (!pw_text_utf8(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 0;
        /* U+0080..U+009F (C1: 0x9B is a CSI on some terminals); valid UTF-8, so i+1 < n */
        if (c == 0xC2 && (unsigned char)s[i + 1] <= 0x9F)
            return 0;
    }
    return 1;
}

/* The length of the valid UTF-8 sequence at s[0..n) and its code point, or
 * 0 when s[0] does not start one (same rules as pw_text_utf8). */
static size_t text_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t k;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0)
        k = 1, *cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        k = 2, *cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        k = 3, *cp = c & 0x07;
    else
        return 0;
    if (k >= n)
        return 0;
    for (size_t j = 1; j <= k; j++) {
        if ((s[j] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[j] & 0x3F);
    }
    if ((k == 1 && *cp < 0x80) || (k == 2 && *cp < 0x800) || (k == 3 && *cp < 0x10000) ||
        *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return k + 1;
}

/* The escape of the sequence at s[0..n) into esc (room for 8), or NULL when
 * it is copied as it is; *k: its length in s. */
/* A code point at or above 0x80 that is shown escaped: C1 controls, line
 * and paragraph separators, bidirectional controls (they reorder what a
 * log or a page shows). One list for the escape and the fast scan. */
static int text_cp_hidden(uint32_t cp)
{
    return cp <= 0x9f || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static const char *text_escape_one(const unsigned char *s, size_t n, size_t *k, char esc[8])
{
    uint32_t cp;
    *k = text_seq(s, n, &cp);
    if (*k == 0) {
        *k = 1;
        snprintf(esc, 8, "\\x%02x", s[0]);
    } else if (cp == '\t' || cp == '\n' || cp == '\r') {
        snprintf(esc, 8, "\\%c", cp == '\t' ? 't' : cp == '\n' ? 'n' : 'r');
    } else if (cp < 0x20 || cp == 0x7f) {
        snprintf(esc, 8, "\\x%02x", (unsigned)cp);
    } else if (cp >= 0x80 && text_cp_hidden(cp)) {
        snprintf(esc, 8, "\\u%04x", (unsigned)cp);
    } else {
        return NULL;
    }
    return esc;
}

/* Whether the 8 bytes of w are all printable ASCII (0x20-0x7e): no byte
 * below 0x20 and none above 0x7e, tested for the whole word at once (exact
 * for these bounds: "Bit Twiddling Hacks", hasless/hasmore). */
static int text_word_plain(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t below = (w - ones * 0x20) & ~w & high;
    uint64_t above = ((w + ones) | w) & high;
    return !(below | above);
}

/* The length of the prefix of s[0..n) that is copied as it is (valid
 * UTF-8 that text_escape_one would leave alone). */
static size_t text_plain(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (uint64_t w; i + 8 <= n; i += 8) { /* most text: ASCII, 8 bytes a step */
        memcpy(&w, s + i, 8);
        if (!text_word_plain(w))
            break;
    }
    while (i < n) {
        if (s[i] >= 0x20 && s[i] < 0x7f) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = text_seq(s + i, n - i, &cp);
        if (k < 2 || text_cp_hidden(cp)) /* k >= 2: cp >= 0x80 */
            break;
        i += k;
    }
    return i;
}

char *pw_text_escape(const char *text, size_t n, char *buf, size_t cap)
{
    return pw_text_escape_cut(text, n, n, buf, cap);
}

char *pw_text_escape_cut(const char *text, size_t n, size_t max, char *buf, size_t cap)
{
    static const char ell[] = "…";
    const unsigned char *s = (const unsigned char *)text;
    size_t i, o = 0, total = 0, k, m;
    char esc[8];
    if (cap == 0)
        return buf;
    /* most text needs no escape and fits: one scan and one copy */
    if (n <= max && n < cap && text_plain(s, n) == n) {
        if (n)
            memcpy(buf, text, n);
        buf[n] = '\0';
        return buf;
    }
    /* m: the bytes of s that may be shown, ending before the character
     * that would cross max (an invalid byte is a character of its own) */
    for (m = 0; m < n; m += k) {
        uint32_t cp;
        k = text_seq(s + m, n - m, &cp);
        k = k ? k : 1;
        if (m + k > max)
            break;
        const char *e = text_escape_one(s + m, n - m, &k, esc);
        total += e ? strlen(e) : k;
    }
    /* cut only when the whole does not fit, keeping room for the "…" */
    size_t room = m == n && total <= cap - 1 ? cap - 1
                  : cap - 1 >= sizeof ell - 1 ? cap - sizeof ell
                                              : 0;
    for (i = 0; i < m; i += k) {
        const char *e = text_escape_one(s + i, m - i, &k, esc);
        const char *piece = e ? e : (const char *)s + i;
        size_t plen = e ? strlen(e) : k;
        if (o + plen > room)
            break;
        memcpy(buf + o, piece, plen);
        o += plen;
    }
    if (i < n && o + sizeof ell - 1 <= cap - 1) {
        memcpy(buf + o, ell, sizeof ell - 1);
        o += sizeof ell - 1;
    }
    buf[o] = '\0';
    return buf;
}
