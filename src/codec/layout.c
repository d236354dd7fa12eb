#include "layout.h"

#include <stdbool.h>
#include <string.h>

static const char *const codec_err_names[CODEC_E__COUNT] = {
    [CODEC_OK] = "ok",
    [CODEC_E_TRUNCATED] = "truncated",
    [CODEC_E_OVERSIZE] = "oversize",
    [CODEC_E_NOT_RMCP] = "not_rmcp",
    [CODEC_E_AUTH_TYPE] = "auth_type",
    [CODEC_E_LENGTH] = "length_mismatch",
    [CODEC_E_CHECKSUM] = "checksum",
    [CODEC_E_PAD] = "bad_pad",
    [CODEC_E_INTEGRITY] = "integrity",
    [CODEC_E_DECRYPT] = "decrypt",
    [CODEC_E_PAYLOAD_TYPE] = "payload_type",
    [CODEC_E_SECURITY] = "security_flags",
    [CODEC_E_FIELD] = "bad_field",
    [CODEC_E_CRYPTO] = "crypto_library",
    [CODEC_E_ENTERPRISE] = "wrong_enterprise",
    [CODEC_E_OEM_CHAIN] = "bad_oem_fields",
};

const char *codec_err_name(enum codec_err e)
{
    if ((unsigned)e >= CODEC_E__COUNT)
        return "unknown";
    return codec_err_names[e];
}

static size_t kind_width(const struct lfield *f)
{
    switch (f->kind) {
    case LF_U8:
        return 1;
    case LF_U16:
    case LF_U16BE:
        return 2;
    case LF_U24:
        return 3;
    case LF_U32:
    case LF_U32BE:
        return 4;
    case LF_BYTES:
        return f->size;
    default:
        return 0;
    }
}

size_t layout_fixed_len(const struct layout *l)
{
    size_t end = 0;
    for (size_t i = 0; i < l->nfields; i++) {
        size_t e = l->fields[i].wire_off + kind_width(&l->fields[i]);
        if (e > end)
            end = e;
    }
    return end;
}

ssize_t layout_decode(const struct layout *l, const uint8_t *buf, size_t len, void *out,
                      enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    *err = CODEC_OK;
    if (len < l->min_len) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    if (l->max_len && len > l->max_len) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    uint8_t *o = out;
    size_t used = 0;
    memset(out, 0, l->mem_size);
    for (size_t i = 0; i < l->nfields; i++) {
        const struct lfield *f = &l->fields[i];
        size_t w = kind_width(f);
        if (f->kind == LF_TAIL) {
            size_t n = len > f->wire_off ? len - f->wire_off : 0;
            if (n > f->size) {
                *err = CODEC_E_OVERSIZE;
                return -1;
            }
            if (n) {
                memcpy(o + f->mem_off, buf + f->wire_off, n);
                if (f->wire_off + n > used)
                    used = f->wire_off + n;
            }
            memcpy(o + f->len_off, &n, sizeof(n));
            continue;
        }
        if (f->wire_off + w > len)
            continue; /* absent trailing field: stays zero */
        const uint8_t *p = buf + f->wire_off;
        switch (f->kind) {
        case LF_U8:
            o[f->mem_off] = p[0];
            break;
        case LF_U16: {
            uint16_t v = (uint16_t)(p[0] | (p[1] << 8));
            memcpy(o + f->mem_off, &v, sizeof(v));
            break;
        }
        case LF_U24:
        case LF_U32: {
            uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
            if (f->kind == LF_U32)
                v |= (uint32_t)p[3] << 24;
            memcpy(o + f->mem_off, &v, sizeof(v));
            break;
        }
        case LF_U16BE: {
            uint16_t v = (uint16_t)((p[0] << 8) | p[1]);
            memcpy(o + f->mem_off, &v, sizeof(v));
            break;
        }
        case LF_U32BE: {
            uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            memcpy(o + f->mem_off, &v, sizeof(v));
            break;
        }
        case LF_BYTES:
            memcpy(o + f->mem_off, p, w);
            break;
        }
        if (f->wire_off + w > used)
            used = f->wire_off + w;
    }
    /* bytes beyond every known field are tolerated (newer spec revisions add fields) */
    return (ssize_t)(len > used ? len : used);
}

ssize_t layout_encode(const struct layout *l, const void *in, uint8_t *buf, size_t cap,
                      enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    *err = CODEC_OK;
    const uint8_t *s = in;
    size_t end = 0;
    /* reserved bytes between and after fields are zero; a message is never
     * shorter than its layout's minimum (trailing reserved bytes count) */
    size_t fixed = layout_fixed_len(l);
    bool has_tail = false;
    for (size_t i = 0; i < l->nfields; i++)
        has_tail |= l->fields[i].kind == LF_TAIL;
    if (fixed < l->min_len)
        fixed = l->min_len;
    if (!has_tail && l->max_len > fixed)
        fixed = l->max_len;
    if (fixed > cap) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    memset(buf, 0, fixed);
    end = fixed;
    for (size_t i = 0; i < l->nfields; i++) {
        const struct lfield *f = &l->fields[i];
        size_t w = kind_width(f);
        if (f->kind == LF_TAIL)
            memcpy(&w, s + f->len_off, sizeof(w));
        if (w > 255 + (size_t)f->size || f->wire_off + w > cap ||
            (f->kind == LF_TAIL && w > f->size)) {
            *err = CODEC_E_OVERSIZE;
            return -1;
        }
        uint8_t *p = buf + f->wire_off;
        switch (f->kind) {
        case LF_U8:
            p[0] = s[f->mem_off];
            break;
        case LF_U16: {
            uint16_t v;
            memcpy(&v, s + f->mem_off, sizeof(v));
            p[0] = (uint8_t)v;
            p[1] = (uint8_t)(v >> 8);
            break;
        }
        case LF_U24:
        case LF_U32: {
            uint32_t v;
            memcpy(&v, s + f->mem_off, sizeof(v));
            p[0] = (uint8_t)v;
            p[1] = (uint8_t)(v >> 8);
            p[2] = (uint8_t)(v >> 16);
            if (f->kind == LF_U32)
                p[3] = (uint8_t)(v >> 24);
            break;
        }
        case LF_U16BE: {
            uint16_t v;
            memcpy(&v, s + f->mem_off, sizeof(v));
            p[0] = (uint8_t)(v >> 8);
            p[1] = (uint8_t)v;
            break;
        }
        case LF_U32BE: {
            uint32_t v;
            memcpy(&v, s + f->mem_off, sizeof(v));
            p[0] = (uint8_t)(v >> 24);
            p[1] = (uint8_t)(v >> 16);
            p[2] = (uint8_t)(v >> 8);
            p[3] = (uint8_t)v;
            break;
        }
        case LF_BYTES:
        case LF_TAIL:
            memcpy(p, s + f->mem_off, w);
            break;
        }
        if (f->wire_off + w > end)
            end = f->wire_off + w;
    }
    return (ssize_t)end;
}
