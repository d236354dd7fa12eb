/*
 * sink.h - a bounded text builder for the decoders' describe functions:
 * never writes past cap-1 and keeps the text NUL-terminated.  Used only
 * when output is produced, never on the poll path.
 */
#ifndef IPMI_BRIDGE_SINK_H
#define IPMI_BRIDGE_SINK_H

#include <stddef.h>
#include <stdint.h>

struct sink {
    char *buf;
    size_t cap, len; /* cap >= 1 */
};

void sink_byte(struct sink *s, uint8_t c);
void sink_utf8(struct sink *s, uint32_t cp);               /* one code point (BMP), as UTF-8 */
void sink_hex(struct sink *s, const uint8_t *p, size_t n); /* lower-case, no separators */
void sink_printf(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
