/*
 * layout.h - packet layouts as data tables.
 *
 * A layout lists a message's fields (wire offset, kind, size) and where each
 * lands in a caller-owned C struct.  One table drives encode, decode, dumps
 * and the truncation tests.  Fields past `min_len` are "sufficient" trailing
 * fields in the FreeIPMI sense: a short error reply still decodes, and the
 * absent fields read as zero.  Decoding allocates nothing.
 */
#ifndef IPMI_BRIDGE_LAYOUT_H
#define IPMI_BRIDGE_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"

enum lf_kind {
    LF_U8,    /* uint8_t */
    LF_U16,   /* uint16_t, little endian on the wire */
    LF_U24,   /* uint32_t from 3 little-endian bytes */
    LF_U32,   /* uint32_t, little endian */
    LF_BYTES, /* fixed-size byte array of `size` */
    LF_TAIL,  /* the rest of the message, at most `size` bytes, into a byte
               * array; its length goes to the size_t at `len_off` */
    LF_U16BE, /* uint16_t, big endian (network order: PET, RMCP) */
    LF_U32BE, /* uint32_t, big endian */
};

struct lfield {
    uint16_t wire_off;
    uint8_t kind;
    uint8_t size;     /* LF_BYTES: bytes; LF_TAIL: capacity */
    uint16_t mem_off; /* offsetof() in the struct */
    uint16_t len_off; /* LF_TAIL only: offsetof() of a size_t */
};

struct layout {
    const char *name;
    const struct lfield *fields;
    uint8_t nfields;
    uint16_t min_len;  /* shorter input is CODEC_E_TRUNCATED */
    uint16_t max_len;  /* longer input is CODEC_E_OVERSIZE (0: no limit beyond the fields) */
    uint16_t mem_size; /* sizeof the struct: decode zeroes all of it first */
};

#define LF(kind_, wire_, type_, member_)                                                           \
    {                                                                                              \
        (wire_), (kind_), (uint8_t)sizeof(((type_ *)0)->member_),                                  \
            (uint16_t)offsetof(type_, member_), 0                                                  \
    }
#define LF_TAILF(wire_, type_, member_, lenmember_)                                                \
    {                                                                                              \
        (wire_), LF_TAIL, (uint8_t)sizeof(((type_ *)0)->member_),                                  \
            (uint16_t)offsetof(type_, member_), (uint16_t)offsetof(type_, lenmember_)              \
    }
#define LAYOUT(name_, type_, fields_, min_, max_)                                                  \
    {                                                                                              \
        (name_), (fields_), (uint8_t)(sizeof(fields_) / sizeof((fields_)[0])), (min_), (max_),     \
            (uint16_t)sizeof(type_)                                                                \
    }

/*
 * Decode `len` bytes into `out` (zeroed first).  Returns bytes consumed,
 * or -1 with *err set.
 */
ssize_t layout_decode(const struct layout *l, const uint8_t *buf, size_t len, void *out,
                      enum codec_err *err);

/*
 * Encode `in` into `buf`.  Writes every field (an LF_TAIL writes its current
 * length) and zero reserved bytes; a layout without a tail is always
 * written to its full max_len (trailing reserved bytes included).
 * Returns bytes written, or -1 (CODEC_E_OVERSIZE) if `cap` is short.
 */
ssize_t layout_encode(const struct layout *l, const void *in, uint8_t *buf, size_t cap,
                      enum codec_err *err);

/* Fixed wire size of a layout without its tail (what encode writes with an empty tail). */
size_t layout_fixed_len(const struct layout *l);

#endif
