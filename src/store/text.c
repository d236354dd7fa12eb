/*
 * text.c - see text.h for the rule.
 */
#include "text.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (avail bytes), 0 when not valid. */
static size_t utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1Fu;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0Fu;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[k] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0; /* overlong, out of range, surrogate */
    *cp = v;
    return n;
}

static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

size_t text_clean(const char *in, size_t len, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t total = 0, w = 0;
    bool full = cap == 0;
    for (size_t i = 0; i < len && p[i];) {
        char buf[2];
        const char *src = buf;
        size_t n;
        uint32_t cp = p[i];
        size_t seq = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i, &cp);
        if (seq == 1) {
            buf[0] = (char)p[i];
            n = 1;
        } else if (seq > 1) {
            src = (const char *)p + i;
            n = seq;
        } else { /* not UTF-8: a Latin-1 byte, U+0080-U+00FF */
            buf[0] = (char)(0xC0 | cp >> 6);
            buf[1] = (char)(0x80 | (cp & 0x3F));
            n = 2;
            seq = 1;
        }
        if (is_control(cp)) {
            src = replacement;
            n = 3;
        }
        if (!full && w + n < cap) {
            memcpy(out + w, src, n);
            w += n;
        } else {
            full = true; /* cut here: never half a character */
        }
        total += n;
        i += seq;
    }
    if (cap)
        out[w] = '\0';
    return total;
}

size_t text_clean_len(const char *in, size_t len)
{
    return text_clean(in, len, NULL, 0);
}

bool text_is_clean(const char *s)
{
    size_t len = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i, &cp);
        if (n == 1 && p[i] < 0x80)
            cp = p[i];
        if (!n || is_control(cp))
            return false;
        i += n;
    }
    return true;
}
