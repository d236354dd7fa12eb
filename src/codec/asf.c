/*
 * asf.c - RMCP/ASF Presence Ping and Pong as a layout table (see asf.h).
 * The layout codec is little endian; the ASF numbers are big endian, so
 * they are carried as byte arrays and assembled here.
 */
#include "asf.h"

#include <string.h>

static const struct lfield asf_fields[] = {
    LF(LF_U8, 0, struct asf_msg, version),
    /* byte 1 reserved */
    LF(LF_U8, 2, struct asf_msg, rmcp_seq),
    LF(LF_U8, 3, struct asf_msg, rmcp_class),
    LF(LF_BYTES, 4, struct asf_msg, iana),
    LF(LF_U8, 8, struct asf_msg, type),
    LF(LF_U8, 9, struct asf_msg, tag),
    /* byte 10 reserved */
    LF(LF_U8, 11, struct asf_msg, data_len),
    LF_TAILF(12, struct asf_msg, data, data_n),
};
const struct layout asf_msg_layout =
    LAYOUT("RMCP/ASF message", struct asf_msg, asf_fields, ASF_PING_LEN, ASF_PONG_LEN);

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static ssize_t encode(uint8_t type, uint8_t tag, const uint8_t *data, size_t n, uint8_t *buf,
                      size_t cap, enum codec_err *err)
{
    struct asf_msg m;
    memset(&m, 0, sizeof(m));
    m.version = 0x06;
    m.rmcp_seq = 0xff;
    m.rmcp_class = ASF_RMCP_CLASS;
    put_be32(m.iana, ASF_IANA);
    m.type = type;
    m.tag = tag;
    m.data_len = (uint8_t)n;
    if (n)
        memcpy(m.data, data, n);
    m.data_n = n;
    return layout_encode(&asf_msg_layout, &m, buf, cap, err);
}

ssize_t asf_ping_encode(uint8_t tag, uint8_t *buf, size_t cap, enum codec_err *err)
{
    return encode(ASF_TYPE_PING, tag, NULL, 0, buf, cap, err);
}

ssize_t asf_pong_encode(uint8_t tag, uint8_t entities, uint8_t *buf, size_t cap,
                        enum codec_err *err)
{
    uint8_t d[ASF_PONG_DATA_LEN] = {0};
    put_be32(d, ASF_IANA); /* no OEM extension */
    d[8] = entities;
    d[9] = 0x00; /* supported interactions: none beyond ping */
    return encode(ASF_TYPE_PONG, tag, d, sizeof(d), buf, cap, err);
}

bool asf_is_asf(const uint8_t *buf, size_t len)
{
    return len >= 4 && buf[0] == 0x06 && (buf[3] & 0x1f) == ASF_RMCP_CLASS;
}

/* Common checks of a decoded message of `type`. */
static int check(const uint8_t *buf, size_t len, uint8_t type, struct asf_msg *m,
                 enum codec_err *err)
{
    if (layout_decode(&asf_msg_layout, buf, len, m, err) < 0)
        return -1;
    if (m->version != 0x06 || (m->rmcp_class & 0x1f) != ASF_RMCP_CLASS) {
        *err = CODEC_E_NOT_RMCP;
        return -1;
    }
    if (get_be32(m->iana) != ASF_IANA || m->type != type) {
        *err = CODEC_E_FIELD;
        return -1;
    }
    if (m->data_len != m->data_n) {
        *err = m->data_len > m->data_n ? CODEC_E_TRUNCATED : CODEC_E_LENGTH;
        return -1;
    }
    return 0;
}

int asf_ping_decode(const uint8_t *buf, size_t len, uint8_t *tag, enum codec_err *err)
{
    struct asf_msg m;
    if (check(buf, len, ASF_TYPE_PING, &m, err) < 0)
        return -1;
    if (m.data_len != 0) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    *tag = m.tag;
    return 0;
}

int asf_pong_decode(const uint8_t *buf, size_t len, struct asf_pong *out, enum codec_err *err)
{
    struct asf_msg m;
    if (check(buf, len, ASF_TYPE_PONG, &m, err) < 0)
        return -1;
    if (m.data_len != ASF_PONG_DATA_LEN) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    memset(out, 0, sizeof(*out));
    out->tag = m.tag;
    out->oem_iana = get_be32(m.data);
    out->oem_defined = get_be32(m.data + 4);
    out->entities = m.data[8];
    out->interactions = m.data[9];
    return 0;
}
