/*
 * text.h - the one cleaner of texts that come from a BMC (SDR ID strings,
 * FRU fields, OEM bytes) before they enter a snapshot.
 *
 * Rule: the input is read as UTF-8 where it is valid UTF-8 (shortest form,
 * no surrogates, at most U+10FFFF); every byte that does not start a valid
 * sequence is taken as Latin-1 (ISO 8859-1) and converted to UTF-8, so B0h
 * becomes U+00B0 "°" (BMC firmware writes "°C" in Latin-1).  Control
 * characters, C0 (00h-1Fh, ESC included), DEL (7Fh) and C1 (U+0080-U+009F,
 * whether they came as UTF-8 or as Latin-1 bytes), are replaced by U+FFFD
 * "�", so that no terminal escape sequence and no byte a strict JSON parser
 * refuses reaches any output.  The input ends at its first NUL or after
 * `len` bytes.
 */
#ifndef IPMI_BRIDGE_TEXT_H
#define IPMI_BRIDGE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes the cleaned text of (in, len) needs, without the NUL (at most 3 * len). */
size_t text_clean_len(const char *in, size_t len);
/*
 * Write the cleaned text into out (capacity cap, NUL always written when cap
 * > 0; the text is cut at a character boundary).  Returns the full length
 * (snprintf semantics).
 */
size_t text_clean(const char *in, size_t len, char *out, size_t cap);
/* Is s (NUL-terminated) already clean: valid UTF-8 without control characters? */
bool text_is_clean(const char *s);

#endif
