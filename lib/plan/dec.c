/* dec.c - exact decimals (see dec.h). Parsing accepts what offices type in
 * spreadsheets (full-width digits, thousands separators) but never guesses:
 * "1,44" or "1.2.3" are syntax errors, not numbers. */
#include "dec.h"

#include <string.h>

#include "err.h"

/* Returns the digit value of the character at s (ASCII or U+FF10..U+FF19,
 * UTF-8 EF BC 90..99), its byte length in *w, or -1. */
static int dec_digit(const char *s, size_t left, size_t *w)
{
    unsigned char c = (unsigned char)s[0];
    if (c >= '0' && c <= '9') {
        *w = 1;
        return c - '0';
    }
    if (left >= 3 && c == 0xEF && (unsigned char)s[1] == 0xBC &&
        (unsigned char)s[2] >= 0x90 && (unsigned char)s[2] <= 0x99) {
        *w = 3;
        return (unsigned char)s[2] - 0x90;
    }
    return -1;
}

int pw_dec_parse(const char *s, size_t len, int64_t *out)
{
    size_t i = 0, w = 0;
    int neg = 0, ndig = 0, nfrac = 0, seen_sep = 0, group = 0;
    __int128 acc = 0;

    while (len > 0 && s[len - 1] == ' ')
        len--;
    while (i < len && s[i] == ' ')
        i++;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    /* integer part, with optional well-formed thousands groups */
    while (i < len) {
        int d = dec_digit(s + i, len - i, &w);
        if (d >= 0) {
            acc = acc * 10 + d;
            if (acc > PW_DEC_MAX)
                return PW_ERANGE;
            ndig++;
            group++;
            i += w;
        } else if (s[i] == ',') {
            if (ndig == 0 || (seen_sep && group != 3) || (!seen_sep && group > 3))
                return PW_ESYNTAX;
            seen_sep = 1;
            group = 0;
            i++;
        } else {
            break;
        }
    }
    if (ndig == 0 || (seen_sep && group != 3))
        return PW_ESYNTAX;
    acc *= PW_DEC_SCALE;
    if (i < len && s[i] == '.') {
        __int128 frac = 0, unit = PW_DEC_SCALE;
        i++;
        while (i < len) {
            int d = dec_digit(s + i, len - i, &w);
            if (d < 0)
                break;
            if (++nfrac > 6) {
                if (d != 0)
                    return PW_ERANGE;
                i += w;
                continue; /* trailing zeros beyond 6 decimals are harmless */
            }
            unit /= 10;
            frac += d * unit;
            i += w;
        }
        if (nfrac == 0)
            return PW_ESYNTAX;
        acc += frac;
    }
    if (i != len)
        return PW_ESYNTAX;
    if (acc > PW_DEC_MAX)
        return PW_ERANGE;
    *out = (int64_t)(neg ? -acc : acc);
    return 0;
}

char *pw_dec_format(int64_t v, char *buf, size_t n)
{
    return pw_dec_format_q(v, 1, 6, buf, n);
}

int64_t pw_dec_round_q(__int128 num, __int128 den)
{
    int neg = num < 0;
    __int128 a = neg ? -num : num;
    __int128 q = (a * 2 + den) / (den * 2);
    return (int64_t)(neg ? -q : q);
}

char *pw_dec_format_q(__int128 num, __int128 den, int decimals, char *buf, size_t n)
{
    __int128 unit = 1;
    for (int i = decimals; i < 6; i++)
        unit *= 10;
    /* round to `decimals`, half away from zero */
    int neg = num < 0;
    __int128 a = neg ? -num : num;
    __int128 q = (a * 2 + den * unit) / (den * unit * 2); /* in units of 10^-decimals */
    __int128 pow10 = 1;
    for (int i = 0; i < decimals; i++)
        pow10 *= 10;
    unsigned __int128 ip = (unsigned __int128)(q / pow10);
    long long fp = (long long)(q % pow10);
    /* digits by hand: figures are formatted for every warning and table
     * cell, and snprintf costs ten times this */
    char tmp[64], *t = tmp + sizeof tmp;
    *--t = '\0';
    if (fp != 0) {
        int d = decimals;
        while (d > 0 && fp % 10 == 0) { /* no trailing zeros */
            fp /= 10;
            d--;
        }
        for (; d > 0; d--, fp /= 10)
            *--t = (char)('0' + fp % 10);
        *--t = '.';
    }
    do {
        *--t = (char)('0' + (int)(ip % 10));
        ip /= 10;
    } while (ip);
    if (neg && q != 0)
        *--t = '-';
    if (n) {
        size_t len = (size_t)(tmp + sizeof tmp - 1 - t);
        len = len < n - 1 ? len : n - 1;
        memcpy(buf, t, len);
        buf[len] = '\0';
    }
    return buf;
}

double pw_dec_to_double(int64_t v)
{
    return (double)v / (double)PW_DEC_SCALE;
}
