/*
 * rmcpp.c - RMCP / IPMI 1.5 / RMCP+ framing and session-setup layouts.
 * References: IPMI 2.0 section 13 (Tables 13-4, 13-8, 13-16..13-19, 13-15).
 */
#include "rmcpp.h"

#include <string.h>

/* ---- constant tables indexed by value --------------------------------- */

/* IPMI 2.0 Table 22-20.  Only suites we implement are listed; the rest are NULL. */
static const struct rmcpp_suite suites[] = {
    [0] = {0, RAKP_NONE, INTEG_NONE, CONF_NONE, 0, 0, 0, "0 (none/none/none)"},
    [1] = {1, RAKP_HMAC_SHA1, INTEG_NONE, CONF_NONE, 20, 12, 0, "1 (HMAC-SHA1/none/none)"},
    [2] = {2, RAKP_HMAC_SHA1, INTEG_HMAC_SHA1_96, CONF_NONE, 20, 12, 12,
           "2 (HMAC-SHA1/HMAC-SHA1-96/none)"},
    [3] = {3, RAKP_HMAC_SHA1, INTEG_HMAC_SHA1_96, CONF_AES_CBC_128, 20, 12, 12,
           "3 (HMAC-SHA1/HMAC-SHA1-96/AES-CBC-128)"},
    [17] = {17, RAKP_HMAC_SHA256, INTEG_HMAC_SHA256_128, CONF_AES_CBC_128, 32, 16, 16,
            "17 (HMAC-SHA256/HMAC-SHA256-128/AES-CBC-128)"},
};

const struct rmcpp_suite *rmcpp_suite_get(unsigned id)
{
    if (id >= sizeof(suites) / sizeof(suites[0]))
        return NULL;
    if (id != 0 && suites[id].id == 0)
        return NULL;
    return &suites[id];
}

#define NAME_OF(table, v)                                                                          \
    ((v) < sizeof(table) / sizeof(table[0]) && table[v] ? table[v] : "unknown")

static const char *const auth_names[] = {"none", "HMAC-SHA1", "HMAC-MD5", "HMAC-SHA256"};
static const char *const integ_names[] = {"none", "HMAC-SHA1-96", "HMAC-MD5-128", "MD5-128",
                                          "HMAC-SHA256-128"};
static const char *const conf_names[] = {"none", "AES-CBC-128", "xRC4-128", "xRC4-40"};

const char *rmcpp_auth_alg_name(uint8_t a)
{
    return NAME_OF(auth_names, a);
}
const char *rmcpp_integ_alg_name(uint8_t a)
{
    return NAME_OF(integ_names, a);
}
const char *rmcpp_conf_alg_name(uint8_t a)
{
    return NAME_OF(conf_names, a);
}

static const char *const payload_names[] = {
    [RMCPP_PL_IPMI] = "IPMI message",
    [RMCPP_PL_SOL] = "SOL",
    [RMCPP_PL_OEM] = "OEM explicit",
    [RMCPP_PL_OPEN_REQ] = "Open Session Request",
    [RMCPP_PL_OPEN_RSP] = "Open Session Response",
    [RMCPP_PL_RAKP1] = "RAKP 1",
    [RMCPP_PL_RAKP2] = "RAKP 2",
    [RMCPP_PL_RAKP3] = "RAKP 3",
    [RMCPP_PL_RAKP4] = "RAKP 4",
};

const char *rmcpp_payload_name(uint8_t ptype)
{
    return NAME_OF(payload_names, ptype);
}

/* IPMI 2.0 Table 13-15 */
static const char *const status_names[] = {
    [0x00] = "no errors",
    [0x01] = "insufficient resources to create a session",
    [0x02] = "invalid session ID",
    [0x03] = "invalid payload type",
    [0x04] = "invalid authentication algorithm",
    [0x05] = "invalid integrity algorithm",
    [0x06] = "no matching authentication payload",
    [0x07] = "no matching integrity payload",
    [0x08] = "inactive session ID",
    [0x09] = "invalid role",
    [0x0a] = "unauthorized role or privilege level requested",
    [0x0b] = "insufficient resources to create a session at the requested role",
    [0x0c] = "invalid name length",
    [0x0d] = "unauthorized name",
    [0x0e] = "unauthorized GUID",
    [0x0f] = "invalid integrity check value",
    [0x10] = "invalid confidentiality algorithm",
    [0x11] = "no cipher suite match with proposed security algorithms",
    [0x12] = "illegal or unrecognized parameter",
};

const char *rmcpp_status_name(uint8_t status)
{
    return NAME_OF(status_names, status);
}

/* ---- session-setup layouts (IPMI 2.0 Tables 13-9 .. 13-14) -------------- */

static const struct lfield open_req_fields[] = {
    LF(LF_U8, 0, struct rmcpp_open_req, tag),
    LF(LF_U8, 1, struct rmcpp_open_req, max_priv),
    LF(LF_U32, 4, struct rmcpp_open_req, console_sid),
    LF(LF_U8, 8, struct rmcpp_open_req, auth_type),
    LF(LF_U8, 11, struct rmcpp_open_req, auth_len),
    LF(LF_U8, 12, struct rmcpp_open_req, auth_alg),
    LF(LF_U8, 16, struct rmcpp_open_req, integ_type),
    LF(LF_U8, 19, struct rmcpp_open_req, integ_len),
    LF(LF_U8, 20, struct rmcpp_open_req, integ_alg),
    LF(LF_U8, 24, struct rmcpp_open_req, conf_type),
    LF(LF_U8, 27, struct rmcpp_open_req, conf_len),
    LF(LF_U8, 28, struct rmcpp_open_req, conf_alg),
};
const struct layout rmcpp_open_req_layout =
    LAYOUT("Open Session Request", struct rmcpp_open_req, open_req_fields, 32, 32);

static const struct lfield open_rsp_fields[] = {
    LF(LF_U8, 0, struct rmcpp_open_rsp, tag),
    LF(LF_U8, 1, struct rmcpp_open_rsp, status),
    LF(LF_U8, 2, struct rmcpp_open_rsp, max_priv),
    LF(LF_U32, 4, struct rmcpp_open_rsp, console_sid),
    LF(LF_U32, 8, struct rmcpp_open_rsp, bmc_sid),
    LF(LF_U8, 12, struct rmcpp_open_rsp, auth_type),
    LF(LF_U8, 15, struct rmcpp_open_rsp, auth_len),
    LF(LF_U8, 16, struct rmcpp_open_rsp, auth_alg),
    LF(LF_U8, 20, struct rmcpp_open_rsp, integ_type),
    LF(LF_U8, 23, struct rmcpp_open_rsp, integ_len),
    LF(LF_U8, 24, struct rmcpp_open_rsp, integ_alg),
    LF(LF_U8, 28, struct rmcpp_open_rsp, conf_type),
    LF(LF_U8, 31, struct rmcpp_open_rsp, conf_len),
    LF(LF_U8, 32, struct rmcpp_open_rsp, conf_alg),
};
/* An error response may be as short as tag + status (seen from ipmi_sim). */
const struct layout rmcpp_open_rsp_layout =
    LAYOUT("Open Session Response", struct rmcpp_open_rsp, open_rsp_fields, 2, 36);

static const struct lfield rakp1_fields[] = {
    LF(LF_U8, 0, struct rmcpp_rakp1, tag),   LF(LF_U32, 4, struct rmcpp_rakp1, bmc_sid),
    LF(LF_BYTES, 8, struct rmcpp_rakp1, rm), LF(LF_U8, 24, struct rmcpp_rakp1, role),
    LF(LF_U8, 27, struct rmcpp_rakp1, ulen), LF_TAILF(28, struct rmcpp_rakp1, user, user_len),
};
/* The user name is sent bare (28 + ULENGTHm bytes) by ipmitool and FreeIPMI,
 * padded to 16 bytes by some others: both decode. */
const struct layout rmcpp_rakp1_layout = LAYOUT("RAKP 1", struct rmcpp_rakp1, rakp1_fields, 28, 44);

static const struct lfield rakp2_fields[] = {
    LF(LF_U8, 0, struct rmcpp_rakp2, tag),          LF(LF_U8, 1, struct rmcpp_rakp2, status),
    LF(LF_U32, 4, struct rmcpp_rakp2, console_sid), LF(LF_BYTES, 8, struct rmcpp_rakp2, rc),
    LF(LF_BYTES, 24, struct rmcpp_rakp2, guid),     LF_TAILF(40, struct rmcpp_rakp2, kex, kex_len),
};
const struct layout rmcpp_rakp2_layout = LAYOUT("RAKP 2", struct rmcpp_rakp2, rakp2_fields, 2, 72);

static const struct lfield rakp3_fields[] = {
    LF(LF_U8, 0, struct rmcpp_rakp3, tag),
    LF(LF_U8, 1, struct rmcpp_rakp3, status),
    LF(LF_U32, 4, struct rmcpp_rakp3, bmc_sid),
    LF_TAILF(8, struct rmcpp_rakp3, kex, kex_len),
};
const struct layout rmcpp_rakp3_layout = LAYOUT("RAKP 3", struct rmcpp_rakp3, rakp3_fields, 8, 40);

static const struct lfield rakp4_fields[] = {
    LF(LF_U8, 0, struct rmcpp_rakp4, tag),
    LF(LF_U8, 1, struct rmcpp_rakp4, status),
    LF(LF_U32, 4, struct rmcpp_rakp4, console_sid),
    LF_TAILF(8, struct rmcpp_rakp4, icv, icv_len),
};
const struct layout rmcpp_rakp4_layout = LAYOUT("RAKP 4", struct rmcpp_rakp4, rakp4_fields, 2, 40);

void rmcpp_open_req_init(struct rmcpp_open_req *r, uint8_t tag, uint8_t max_priv,
                         uint32_t console_sid, const struct rmcpp_suite *suite)
{
    memset(r, 0, sizeof(*r));
    r->tag = tag;
    r->max_priv = max_priv;
    r->console_sid = console_sid;
    r->auth_type = 0x00;
    r->auth_len = 8;
    r->auth_alg = suite->auth;
    r->integ_type = 0x01;
    r->integ_len = 8;
    r->integ_alg = suite->integ;
    r->conf_type = 0x02;
    r->conf_len = 8;
    r->conf_alg = suite->conf;
}

int rmcpp_rakp1_init(struct rmcpp_rakp1 *r, uint8_t tag, uint32_t bmc_sid, const uint8_t rm[16],
                     uint8_t role, const char *user, size_t ulen)
{
    if (ulen > sizeof(r->user))
        return -1;
    memset(r, 0, sizeof(*r));
    r->tag = tag;
    r->bmc_sid = bmc_sid;
    memcpy(r->rm, rm, 16);
    r->role = role;
    r->ulen = (uint8_t)ulen;
    r->user_len = ulen;
    if (ulen)
        memcpy(r->user, user, ulen);
    return 0;
}

/* ---- framing ---------------------------------------------------------- */

#define RMCP_HDR_LEN        4
#define RMCPP_SESS_HDR_LEN  12 /* auth type .. payload length (no OEM fields) */
#define RMCP15_SESS_HDR_LEN 10 /* auth type, seq, session id, length (auth type none) */
#define RMCP_NEXT_HEADER    0x07

static const uint8_t rmcp_hdr[RMCP_HDR_LEN] = {0x06, 0x00, 0xff, 0x07}; /* ver 1.0, no ACK, IPMI */

static void put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool integ_supported(uint8_t integ)
{
    return integ == INTEG_HMAC_SHA1_96 || integ == INTEG_HMAC_SHA256_128;
}

ssize_t rmcpp_encode(uint8_t *out, size_t cap, uint8_t ptype, uint32_t session_id, uint32_t seq,
                     const struct rmcpp_keys *keys, const uint8_t *iv, const uint8_t *payload,
                     size_t plen, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    bool enc = keys && keys->suite->conf != CONF_NONE;
    bool auth = keys && keys->suite->integ != INTEG_NONE;
    if ((enc && (keys->suite->conf != CONF_AES_CBC_128 || !iv)) ||
        (auth && !integ_supported(keys->suite->integ))) {
        *err = CODEC_E_SECURITY;
        return -1;
    }
    if (plen > RMCPP_MAX_PAYLOAD || cap < RMCP_HDR_LEN + RMCPP_SESS_HDR_LEN) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    uint8_t *h = out + RMCP_HDR_LEN;
    uint8_t *body = h + RMCPP_SESS_HDR_LEN;
    size_t room = cap - RMCP_HDR_LEN - RMCPP_SESS_HDR_LEN;
    size_t wire_plen;
    if (enc) {
        ssize_t n = rmcpp_keys_seal(keys, iv, payload, plen, body, room);
        if (n < 0) {
            *err = CODEC_E_OVERSIZE;
            return -1;
        }
        wire_plen = (size_t)n;
    } else {
        if (plen > room) {
            *err = CODEC_E_OVERSIZE;
            return -1;
        }
        if (plen)
            memcpy(body, payload, plen);
        wire_plen = plen;
    }
    memcpy(out, rmcp_hdr, RMCP_HDR_LEN);
    h[0] = 0x06; /* RMCP+ */
    h[1] = (uint8_t)((ptype & 0x3f) | (enc ? 0x80 : 0) | (auth ? 0x40 : 0));
    put_u32le(h + 2, session_id);
    put_u32le(h + 6, seq);
    h[10] = (uint8_t)wire_plen;
    h[11] = (uint8_t)(wire_plen >> 8);
    size_t len = RMCP_HDR_LEN + RMCPP_SESS_HDR_LEN + wire_plen;
    *err = CODEC_OK;
    if (!auth)
        return (ssize_t)len;

    /* Session trailer (Table 13-8): FFh pad so that the authenticated span
     * (auth type .. next header) is a multiple of 4, pad length, next header,
     * then the truncated MAC of that span. */
    size_t span = RMCPP_SESS_HDR_LEN + wire_plen + 2;
    size_t pad = (4 - span % 4) % 4;
    size_t tlen = keys->suite->trailer_len;
    if (len + pad + 2 + tlen > cap) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    memset(out + len, 0xff, pad);
    len += pad;
    out[len++] = (uint8_t)pad;
    out[len++] = RMCP_NEXT_HEADER;
    uint8_t mac[32];
    if (rmcpp_integ_mac(keys, h, span + pad, mac) < 0) {
        *err = CODEC_E_CRYPTO;
        return -1;
    }
    memcpy(out + len, mac, tlen);
    return (ssize_t)(len + tlen);
}

ssize_t rmcp15_encode(uint8_t *out, size_t cap, const uint8_t *payload, size_t plen,
                      enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    if (plen > 255 || cap < RMCP_HDR_LEN + RMCP15_SESS_HDR_LEN + plen) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    memcpy(out, rmcp_hdr, RMCP_HDR_LEN);
    uint8_t *h = out + RMCP_HDR_LEN;
    memset(h, 0, RMCP15_SESS_HDR_LEN);
    h[9] = (uint8_t)plen;
    if (plen)
        memcpy(h + RMCP15_SESS_HDR_LEN, payload, plen);
    return (ssize_t)(RMCP_HDR_LEN + RMCP15_SESS_HDR_LEN + plen);
}

ssize_t rmcp15_msg_encode(uint8_t *out, size_t cap, const struct ipmi_lan_msg *m,
                          enum codec_err *err)
{
    uint8_t msg[255];
    ssize_t n = ipmi_lan_encode(msg, sizeof(msg), m, err);
    return n < 0 ? -1 : rmcp15_encode(out, cap, msg, (size_t)n, err);
}

static int decode15(const uint8_t *in, size_t len, uint8_t *plbuf, size_t plcap,
                    struct rmcpp_pkt *out, enum codec_err *err)
{
    const uint8_t *h = in + RMCP_HDR_LEN;
    if (h[0] != 0x00) {
        /* IPMI 1.5 sessions with MD2/MD5/password auth: we never open one */
        *err = CODEC_E_AUTH_TYPE;
        return -1;
    }
    if (len < RMCP_HDR_LEN + RMCP15_SESS_HDR_LEN) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    size_t plen = h[9];
    size_t end = RMCP_HDR_LEN + RMCP15_SESS_HDR_LEN + plen;
    /* A single legacy pad byte may follow (IPMI 1.5 section 6.12.2). */
    if (len < end) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    if (len > end + 1) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    if (plen > plcap) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    out->auth_type = 0x00;
    out->ptype = RMCPP_PL_IPMI;
    out->seq = get_u32le(h + 1);
    out->session_id = get_u32le(h + 5);
    if (plen)
        memcpy(plbuf, h + RMCP15_SESS_HDR_LEN, plen);
    out->payload = plbuf;
    out->plen = plen;
    return 0;
}

uint32_t rmcpp_peek_session_id(const uint8_t *in, size_t len)
{
    if (len < RMCP_HDR_LEN + RMCPP_SESS_HDR_LEN || in[0] != 0x06 || in[3] != 0x07 ||
        in[RMCP_HDR_LEN] != 0x06 || (in[RMCP_HDR_LEN + 1] & 0x3f) == RMCPP_PL_OEM)
        return 0;
    return get_u32le(in + RMCP_HDR_LEN + 2);
}

int rmcpp_decode(const uint8_t *in, size_t len, const struct rmcpp_keys *keys, uint8_t *plbuf,
                 size_t plcap, struct rmcpp_pkt *out, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    *err = CODEC_OK;
    memset(out, 0, sizeof(*out));
    if (len > RMCPP_MAX_PACKET) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    if (len < RMCP_HDR_LEN + 1) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    if (in[0] != 0x06 || in[3] != 0x07) {
        *err = CODEC_E_NOT_RMCP; /* wrong version, or ASF/OEM class */
        return -1;
    }
    const uint8_t *h = in + RMCP_HDR_LEN;
    if (h[0] != 0x06) {
        /* IPMI 1.5 framing has no room for our integrity/confidentiality:
         * inside such a session it is a downgrade attempt */
        if (keys && (keys->suite->integ != INTEG_NONE || keys->suite->conf != CONF_NONE)) {
            *err = CODEC_E_SECURITY;
            return -1;
        }
        return decode15(in, len, plbuf, plcap, out, err);
    }
    if (len < RMCP_HDR_LEN + RMCPP_SESS_HDR_LEN) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    uint8_t ptype = h[1] & 0x3f;
    if (ptype == RMCPP_PL_OEM) {
        *err = CODEC_E_PAYLOAD_TYPE;
        return -1;
    }
    out->auth_type = 0x06;
    out->ptype = ptype;
    out->encrypted = h[1] & 0x80;
    out->authenticated = h[1] & 0x40;
    out->session_id = get_u32le(h + 2);
    out->seq = get_u32le(h + 6);
    size_t wire_plen = (size_t)h[10] | (size_t)h[11] << 8;
    size_t body = RMCP_HDR_LEN + RMCPP_SESS_HDR_LEN;
    if (body + wire_plen > len) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }

    /* A session with integrity or confidentiality must not accept a packet
     * that drops them (a downgrade), and we cannot accept what we have no keys for. */
    bool need_auth = keys && keys->suite->integ != INTEG_NONE;
    bool need_enc = keys && keys->suite->conf != CONF_NONE;
    if (out->authenticated != need_auth || (out->encrypted && !need_enc) ||
        (need_enc && ptype == RMCPP_PL_IPMI && !out->encrypted)) {
        *err = CODEC_E_SECURITY;
        return -1;
    }

    if (out->authenticated) {
        size_t tlen = keys->suite->trailer_len;
        size_t after = len - body - wire_plen; /* pad + padlen + next header + MAC */
        if (after < 2 + tlen) {
            *err = CODEC_E_TRUNCATED;
            return -1;
        }
        size_t pad = after - 2 - tlen;
        const uint8_t *t = in + body + wire_plen;
        if (pad > 3 || t[pad] != pad || t[pad + 1] != RMCP_NEXT_HEADER ||
            (RMCPP_SESS_HDR_LEN + wire_plen + pad + 2) % 4 != 0) {
            *err = CODEC_E_PAD;
            return -1;
        }
        for (size_t i = 0; i < pad; i++) {
            if (t[i] != 0xff) {
                *err = CODEC_E_PAD;
                return -1;
            }
        }
        uint8_t mac[32];
        size_t span = RMCPP_SESS_HDR_LEN + wire_plen + pad + 2;
        if (rmcpp_integ_mac(keys, h, span, mac) < 0) {
            *err = CODEC_E_CRYPTO;
            return -1;
        }
        if (rmcpp_memeq_ct(mac, t + pad + 2, tlen)) {
            *err = CODEC_E_INTEGRITY;
            return -1;
        }
    } else if (body + wire_plen != len) {
        *err = CODEC_E_LENGTH;
        return -1;
    }

    if (out->encrypted) {
        ssize_t n = rmcpp_keys_open(keys, in + body, wire_plen, plbuf, plcap, err);
        if (n < 0)
            return -1;
        out->plen = (size_t)n;
    } else {
        if (wire_plen > plcap) {
            *err = CODEC_E_OVERSIZE;
            return -1;
        }
        if (wire_plen)
            memcpy(plbuf, in + body, wire_plen);
        out->plen = wire_plen;
    }
    out->payload = plbuf;
    return 0;
}

bool rmcpp_seq_accept(struct rmcpp_seq_window *w, uint32_t seq)
{
    /*
     * IPMI 2.0 section 6.12.13: accept each number once, within a window.
     * 0 is reserved, so the numbers run 1..FFFFFFFFh and then 1 again:
     * distances are taken modulo 2^32 - 1 (serial-number arithmetic over the
     * numbers in use), and half that space ahead counts as newer.
     */
    const uint64_t space = 0xffffffffu;
    if (seq == 0)
        return false;
    if (w->hi == 0) { /* the first one */
        w->hi = seq;
        w->bits = 1;
        return true;
    }
    uint32_t ahead = (uint32_t)(((uint64_t)seq + space - w->hi) % space);
    if (ahead == 0)
        return false;
    if (ahead < 0x80000000u) {
        w->bits = ahead >= 32 ? 0 : w->bits << ahead;
        w->bits |= 1;
        w->hi = seq;
        return true;
    }
    uint32_t back = (uint32_t)(space - ahead);
    if (back >= RMCPP_SEQ_WINDOW || (w->bits & (1u << back)))
        return false;
    w->bits |= 1u << back;
    return true;
}
