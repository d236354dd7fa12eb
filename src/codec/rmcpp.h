/*
 * rmcpp.h - RMCP, IPMI 1.5 and IPMI 2.0 RMCP+ framing, and the RMCP+
 * session-establishment messages (IPMI 2.0 sections 13.6-13.28).
 *
 * Bytes only: no sockets, no clocks.  Callers supply IVs and random numbers
 * so that encoding is reproducible in tests.  All crypto goes through
 * OpenSSL EVP (rmcpp_crypto.c).
 */
#ifndef IPMI_BRIDGE_RMCPP_H
#define IPMI_BRIDGE_RMCPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"
#include "ipmi_msg.h"
#include "layout.h"

#define RMCP_PORT         623
#define RMCPP_MAX_PACKET  1024 /* largest datagram we build or accept */
#define RMCPP_MAX_PAYLOAD 512  /* largest IPMI payload (well above the 255-byte IPMB limit) */

/* IPMI 2.0 Table 13-16, payload types */
enum rmcpp_payload {
    RMCPP_PL_IPMI = 0x00,
    RMCPP_PL_SOL = 0x01,
    RMCPP_PL_OEM = 0x02,
    RMCPP_PL_OPEN_REQ = 0x10,
    RMCPP_PL_OPEN_RSP = 0x11,
    RMCPP_PL_RAKP1 = 0x12,
    RMCPP_PL_RAKP2 = 0x13,
    RMCPP_PL_RAKP3 = 0x14,
    RMCPP_PL_RAKP4 = 0x15,
};
const char *rmcpp_payload_name(uint8_t ptype);

/* IPMI 2.0 Table 13-17/13-18/13-19: algorithm numbers */
enum rmcpp_auth_alg { RAKP_NONE = 0, RAKP_HMAC_SHA1 = 1, RAKP_HMAC_MD5 = 2, RAKP_HMAC_SHA256 = 3 };
enum rmcpp_integ_alg {
    INTEG_NONE = 0,
    INTEG_HMAC_SHA1_96 = 1,
    INTEG_HMAC_MD5_128 = 2,
    INTEG_MD5_128 = 3,
    INTEG_HMAC_SHA256_128 = 4
};
enum rmcpp_conf_alg { CONF_NONE = 0, CONF_AES_CBC_128 = 1, CONF_XRC4_128 = 2, CONF_XRC4_40 = 3 };

/* A cipher suite we implement (IPMI 2.0 Table 22-20). */
struct rmcpp_suite {
    uint8_t id;
    uint8_t auth;        /* enum rmcpp_auth_alg */
    uint8_t integ;       /* enum rmcpp_integ_alg */
    uint8_t conf;        /* enum rmcpp_conf_alg */
    uint8_t kex_len;     /* RAKP 2/3 key exchange auth code length */
    uint8_t icv_len;     /* RAKP 4 integrity check value length */
    uint8_t trailer_len; /* per-packet auth code length in the session trailer */
    const char *name;
};
/* NULL if we do not implement suite `id` (we do 0, 1, 2, 3 and 17). */
const struct rmcpp_suite *rmcpp_suite_get(unsigned id);
const char *rmcpp_auth_alg_name(uint8_t a);
const char *rmcpp_integ_alg_name(uint8_t a);
const char *rmcpp_conf_alg_name(uint8_t a);

/* IPMI 2.0 Table 13-15: RMCP+ and RAKP message status codes */
const char *rmcpp_status_name(uint8_t status);

/* Keys of an established session. */
struct rmcpp_keys {
    const struct rmcpp_suite *suite;
    uint8_t sik[32];
    uint8_t k1[32];
    uint8_t k2[32];
    uint8_t sik_len; /* HMAC output length of the auth algorithm */
    /* Optional contexts keyed once per session (rmcpp_keys_prepare), so a
     * packet costs no key schedule and no algorithm fetch.  NULL: every
     * packet keys its own (same result, slower). */
    void *mac_ctx; /* EVP_MAC_CTX: integrity HMAC keyed with K1 */
    void *enc_ctx; /* EVP_CIPHER_CTX: AES-CBC-128 encryption keyed with K2 */
    void *dec_ctx; /* EVP_CIPHER_CTX: decryption keyed with K2 */
};

/* ---- framing ---------------------------------------------------------- */

/* A decoded datagram.  `payload` points into the caller's plaintext buffer. */
struct rmcpp_pkt {
    uint8_t auth_type; /* 0x00 = IPMI 1.5 none, 0x06 = RMCP+ */
    uint8_t ptype;     /* payload type, flags stripped */
    bool encrypted;
    bool authenticated;
    uint32_t session_id;
    uint32_t seq;
    const uint8_t *payload;
    size_t plen;
};

/*
 * Encode an RMCP+ (auth type 06h) datagram.  With `keys` == NULL the packet
 * is sent in the clear (pre-session); otherwise the suite decides whether it
 * is encrypted (AES-CBC-128; `iv` is 16 fresh random bytes: the packet's IV,
 * or with prepared contexts what its IV is made from, see rmcpp_crypto.c)
 * and authenticated (integrity trailer keyed with K1).  Returns bytes
 * written or -1.
 */
ssize_t rmcpp_encode(uint8_t *out, size_t cap, uint8_t ptype, uint32_t session_id, uint32_t seq,
                     const struct rmcpp_keys *keys, const uint8_t *iv, const uint8_t *payload,
                     size_t plen, enum codec_err *err);

/* Encode an IPMI 1.5 session-less datagram (auth type none, session 0). */
ssize_t rmcp15_encode(uint8_t *out, size_t cap, const uint8_t *payload, size_t plen,
                      enum codec_err *err);
/*
 * Encode a session-less IPMI request: the LAN message `m` (IPMI 2.0 section
 * 13.8) in an IPMI 1.5 session header with authentication type none, session
 * sequence 0 and session ID 0 (section 13.6).  No session and no
 * authentication: what Get Channel Authentication Capabilities and a
 * session-less PET Acknowledge travel in.  Returns bytes written or -1.
 */
ssize_t rmcp15_msg_encode(uint8_t *out, size_t cap, const struct ipmi_lan_msg *m,
                          enum codec_err *err);

/*
 * Decode a datagram (IPMI 1.5 or 2.0).  When the packet claims integrity or
 * confidentiality, `keys` must be given: the trailer is verified (constant
 * time) and the payload decrypted into `plbuf`.  Unencrypted payloads are
 * copied to `plbuf` as well, so `out->payload` always points there.
 */
int rmcpp_decode(const uint8_t *in, size_t len, const struct rmcpp_keys *keys, uint8_t *plbuf,
                 size_t plcap, struct rmcpp_pkt *out, enum codec_err *err);

/* The session ID of an IPMI 2.0 datagram's session header, read without
 * decoding it (nothing verified); 0 for anything else. */
uint32_t rmcpp_peek_session_id(const uint8_t *in, size_t len);

/* ---- inbound session sequence numbers (IPMI 2.0 section 6.12.13) ------ */

/* The highest sequence number seen and a bitmap of the 32 below it. */
struct rmcpp_seq_window {
    uint32_t hi;   /* 0: nothing seen yet */
    uint32_t bits; /* bit n: hi - n was seen */
};
#define RMCPP_SEQ_WINDOW 32
/* true (and recorded) if `seq` is new and inside the window; false for a replay. */
bool rmcpp_seq_accept(struct rmcpp_seq_window *w, uint32_t seq);

/* ---- session establishment messages (IPMI 2.0 sections 13.17-13.23) ---- */

struct rmcpp_open_req {
    uint8_t tag;
    uint8_t max_priv; /* requested maximum privilege; 0 = highest the user has */
    uint32_t console_sid;
    uint8_t auth_type, auth_len, auth_alg; /* payload type 0, length 8 */
    uint8_t integ_type, integ_len, integ_alg;
    uint8_t conf_type, conf_len, conf_alg;
};
struct rmcpp_open_rsp {
    uint8_t tag;
    uint8_t status;
    uint8_t max_priv;
    uint32_t console_sid;
    uint32_t bmc_sid;
    uint8_t auth_type, auth_len, auth_alg;
    uint8_t integ_type, integ_len, integ_alg;
    uint8_t conf_type, conf_len, conf_alg;
};
struct rmcpp_rakp1 {
    uint8_t tag;
    uint32_t bmc_sid;
    uint8_t rm[16]; /* remote console random number */
    uint8_t role;   /* privilege | 0x10 for name-only lookup */
    uint8_t ulen;   /* the length field as sent */
    uint8_t user[16];
    size_t user_len; /* bytes of name present (a decoder must check it against ulen) */
};
struct rmcpp_rakp2 {
    uint8_t tag;
    uint8_t status;
    uint32_t console_sid;
    uint8_t rc[16];   /* managed system random number */
    uint8_t guid[16]; /* managed system GUID */
    uint8_t kex[32];  /* key exchange auth code */
    size_t kex_len;
};
struct rmcpp_rakp3 {
    uint8_t tag;
    uint8_t status;
    uint32_t bmc_sid;
    uint8_t kex[32];
    size_t kex_len;
};
struct rmcpp_rakp4 {
    uint8_t tag;
    uint8_t status;
    uint32_t console_sid;
    uint8_t icv[32];
    size_t icv_len;
};

extern const struct layout rmcpp_open_req_layout;
extern const struct layout rmcpp_open_rsp_layout;
extern const struct layout rmcpp_rakp1_layout;
extern const struct layout rmcpp_rakp2_layout;
extern const struct layout rmcpp_rakp3_layout;
extern const struct layout rmcpp_rakp4_layout;

/* Fill an Open Session Request for `suite` (sets the fixed type/length bytes). */
void rmcpp_open_req_init(struct rmcpp_open_req *r, uint8_t tag, uint8_t max_priv,
                         uint32_t console_sid, const struct rmcpp_suite *suite);
/* RAKP 1 user name length check: 0..16 bytes. */
int rmcpp_rakp1_init(struct rmcpp_rakp1 *r, uint8_t tag, uint32_t bmc_sid, const uint8_t rm[16],
                     uint8_t role, const char *user, size_t ulen);

/* ---- crypto (rmcpp_crypto.c) ------------------------------------------- */

/*
 * The HMAC inputs of IPMI 2.0 section 13.31, written to `buf` (>= 128 bytes).
 * Return the input length.  `role` is the whole RAKP 1 role byte.
 */
size_t rmcpp_rakp2_input(uint8_t *buf, uint32_t console_sid, uint32_t bmc_sid, const uint8_t rm[16],
                         const uint8_t rc[16], const uint8_t guid[16], uint8_t role,
                         const uint8_t *user, size_t ulen);
size_t rmcpp_rakp3_input(uint8_t *buf, const uint8_t rc[16], uint32_t console_sid, uint8_t role,
                         const uint8_t *user, size_t ulen);
size_t rmcpp_sik_input(uint8_t *buf, const uint8_t rm[16], const uint8_t rc[16], uint8_t role,
                       const uint8_t *user, size_t ulen);
size_t rmcpp_rakp4_input(uint8_t *buf, const uint8_t rm[16], uint32_t bmc_sid,
                         const uint8_t guid[16]);

/* HMAC with the RAKP auth algorithm; returns the full MAC length or -1. */
int rmcpp_hmac(uint8_t auth_alg, const uint8_t *key, size_t keylen, const uint8_t *data, size_t len,
               uint8_t out[32]);

/*
 * Derive SIK = HMAC_KG(sik input), K1 = HMAC_SIK(20 x 01h), K2 = HMAC_SIK(20 x 02h).
 * `kg` is K_G if configured, else the user's password (Kuid).
 */
int rmcpp_derive_keys(struct rmcpp_keys *k, const struct rmcpp_suite *suite, const uint8_t *kg,
                      size_t kglen, const uint8_t *sik_input, size_t sik_input_len);

/*
 * Key per-session contexts for the integrity HMAC and AES (after
 * rmcpp_derive_keys).  The contexts are not thread-safe: one session is
 * used by one thread at a time.  Returns 0 or -1 (then no contexts).
 */
int rmcpp_keys_prepare(struct rmcpp_keys *k);
/* Free the contexts and wipe every key.  Safe on a zeroed struct. */
void rmcpp_keys_clear(struct rmcpp_keys *k);
/* The session's integrity MAC (HMAC-SHA1 or HMAC-SHA256 keyed with K1). */
int rmcpp_integ_mac(const struct rmcpp_keys *k, const uint8_t *data, size_t len, uint8_t out[32]);
/* AES-CBC-128 with K2, through the prepared contexts when there are some
 * (then the wire IV is E(iv xor CBC state), not `iv` itself). */
ssize_t rmcpp_keys_seal(const struct rmcpp_keys *k, const uint8_t iv[16], const uint8_t *in,
                        size_t len, uint8_t *out, size_t cap);
ssize_t rmcpp_keys_open(const struct rmcpp_keys *k, const uint8_t *in, size_t len, uint8_t *out,
                        size_t cap, enum codec_err *err);

/* Constant-time comparison; 0 if equal. */
int rmcpp_memeq_ct(const uint8_t *a, const uint8_t *b, size_t n);

/*
 * AES-CBC-128 confidentiality payload (IPMI 2.0 section 13.29):
 * IV(16) || AES(data || 01 02 03 .. || padlen).  Returns bytes written or -1.
 */
ssize_t rmcpp_aes_seal(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, size_t len,
                       uint8_t *out, size_t cap);
/* Inverse of rmcpp_aes_seal; checks the pad bytes.  Returns plaintext length or -1 (*err). */
ssize_t rmcpp_aes_open(const uint8_t key[16], const uint8_t *in, size_t len, uint8_t *out,
                       size_t cap, enum codec_err *err);

#endif
