#include "sink.h"

#include <stdarg.h>
#include <stdio.h>

void sink_byte(struct sink *s, uint8_t c)
{
    if (s->len + 1 < s->cap)
        s->buf[s->len++] = (char)c;
    s->buf[s->len] = '\0';
}

void sink_utf8(struct sink *s, uint32_t cp)
{
    if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0xFFFD; /* a lone surrogate is not a character */
    if (cp < 0x80) {
        sink_byte(s, (uint8_t)cp);
    } else if (cp < 0x800) {
        if (s->len + 2 >= s->cap)
            return; /* never half a character */
        sink_byte(s, (uint8_t)(0xC0 | (cp >> 6)));
        sink_byte(s, (uint8_t)(0x80 | (cp & 0x3F)));
    } else {
        if (s->len + 3 >= s->cap)
            return;
        sink_byte(s, (uint8_t)(0xE0 | (cp >> 12)));
        sink_byte(s, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        sink_byte(s, (uint8_t)(0x80 | (cp & 0x3F)));
    }
}

void sink_hex(struct sink *s, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        sink_byte(s, (uint8_t)hex[p[i] >> 4]);
        sink_byte(s, (uint8_t)hex[p[i] & 0x0F]);
    }
}

void sink_printf(struct sink *s, const char *fmt, ...)
{
    if (s->len + 1 >= s->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    s->len += (size_t)n < s->cap - s->len ? (size_t)n : s->cap - s->len - 1;
}
