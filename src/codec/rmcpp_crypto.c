/*
 * rmcpp_crypto.c - the RMCP+ cryptography of IPMI 2.0 sections 13.28-13.32,
 * all through OpenSSL 3 EVP (EVP_MAC for HMAC, EVP_CIPHER for AES).
 */
#include "rmcpp.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

static EVP_MAC *hmac_impl;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
    hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static const char *const auth_digest[] = {
    [RAKP_HMAC_SHA1] = "SHA1",
    [RAKP_HMAC_MD5] = "MD5",
    [RAKP_HMAC_SHA256] = "SHA256",
};

int rmcpp_hmac(uint8_t auth_alg, const uint8_t *key, size_t keylen, const uint8_t *data, size_t len,
               uint8_t out[32])
{
    if (auth_alg >= sizeof(auth_digest) / sizeof(auth_digest[0]) || !auth_digest[auth_alg])
        return -1;
    pthread_once(&hmac_once, hmac_fetch);
    if (!hmac_impl)
        return -1;
    /* HMAC zero-pads short keys, so the 20-byte zero-padded IPMI key and the
     * bare password give the same MAC; a zero-length key is passed as one
     * zero byte, which is equivalent and keeps providers happy. */
    static const uint8_t zero = 0;
    if (keylen == 0) {
        key = &zero;
        keylen = 1;
    }
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)auth_digest[auth_alg], 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_impl);
    size_t outl = 0;
    int ok = ctx && EVP_MAC_init(ctx, key, keylen, params) && EVP_MAC_update(ctx, data, len) &&
             EVP_MAC_final(ctx, out, &outl, 32);
    EVP_MAC_CTX_free(ctx);
    return ok ? (int)outl : -1;
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

static uint8_t *put(uint8_t *p, const uint8_t *s, size_t n)
{
    if (n)
        memcpy(p, s, n);
    return p + n;
}

/* ulen is at most 16 (RAKP 1 field width), so every input fits 128 bytes. */
static size_t clamp_ulen(size_t ulen)
{
    return ulen > 16 ? 16 : ulen;
}

size_t rmcpp_rakp2_input(uint8_t *buf, uint32_t console_sid, uint32_t bmc_sid, const uint8_t rm[16],
                         const uint8_t rc[16], const uint8_t guid[16], uint8_t role,
                         const uint8_t *user, size_t ulen)
{
    ulen = clamp_ulen(ulen);
    uint8_t *p = put_u32(buf, console_sid);
    p = put_u32(p, bmc_sid);
    p = put(p, rm, 16);
    p = put(p, rc, 16);
    p = put(p, guid, 16);
    *p++ = role;
    *p++ = (uint8_t)ulen;
    p = put(p, user, ulen);
    return (size_t)(p - buf);
}

size_t rmcpp_rakp3_input(uint8_t *buf, const uint8_t rc[16], uint32_t console_sid, uint8_t role,
                         const uint8_t *user, size_t ulen)
{
    ulen = clamp_ulen(ulen);
    uint8_t *p = put(buf, rc, 16);
    p = put_u32(p, console_sid);
    *p++ = role;
    *p++ = (uint8_t)ulen;
    p = put(p, user, ulen);
    return (size_t)(p - buf);
}

size_t rmcpp_sik_input(uint8_t *buf, const uint8_t rm[16], const uint8_t rc[16], uint8_t role,
                       const uint8_t *user, size_t ulen)
{
    ulen = clamp_ulen(ulen);
    uint8_t *p = put(buf, rm, 16);
    p = put(p, rc, 16);
    *p++ = role;
    *p++ = (uint8_t)ulen;
    p = put(p, user, ulen);
    return (size_t)(p - buf);
}

size_t rmcpp_rakp4_input(uint8_t *buf, const uint8_t rm[16], uint32_t bmc_sid,
                         const uint8_t guid[16])
{
    uint8_t *p = put(buf, rm, 16);
    p = put_u32(p, bmc_sid);
    p = put(p, guid, 16);
    return (size_t)(p - buf);
}

int rmcpp_derive_keys(struct rmcpp_keys *k, const struct rmcpp_suite *suite, const uint8_t *kg,
                      size_t kglen, const uint8_t *sik_input, size_t sik_input_len)
{
    /* IPMI 2.0 section 13.32: K1 and K2 are HMACs of 20-byte constants. */
    static const uint8_t const1[20] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static const uint8_t const2[20] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    memset(k, 0, sizeof(*k));
    k->suite = suite;
    if (suite->auth == RAKP_NONE)
        return 0; /* suite 0: no keys at all */
    int n = rmcpp_hmac(suite->auth, kg, kglen, sik_input, sik_input_len, k->sik);
    if (n < 0)
        return -1;
    k->sik_len = (uint8_t)n;
    if (rmcpp_hmac(suite->auth, k->sik, k->sik_len, const1, sizeof(const1), k->k1) < 0 ||
        rmcpp_hmac(suite->auth, k->sik, k->sik_len, const2, sizeof(const2), k->k2) < 0) {
        OPENSSL_cleanse(k, sizeof(*k));
        return -1;
    }
    return 0;
}

int rmcpp_memeq_ct(const uint8_t *a, const uint8_t *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) != 0;
}

/* AES-CBC-128 without OpenSSL padding over whole blocks, keyed for this call. */
static int aes_cbc(const uint8_t key[16], const uint8_t iv[16], int enc, const uint8_t *in,
                   size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    int ok = c && EVP_CipherInit_ex(c, EVP_aes_128_cbc(), NULL, key, iv, enc) &&
             EVP_CIPHER_CTX_set_padding(c, 0) && EVP_CipherUpdate(c, out, &l1, in, (int)len) &&
             EVP_CipherFinal_ex(c, out + l1, &l2) && (size_t)(l1 + l2) == len;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

/*
 * A session's prepared context is never re-initialised: setting a new IV
 * through EVP_CipherInit_ex costs more than the AES itself for our short
 * packets.  CBC state simply runs on from packet to packet, and one extra
 * block per packet makes the result a standard IV || AES-CBC(IV, data):
 *
 *  - sealing encrypts R || data, R 16 fresh random bytes: the first output
 *    block E(R xor chain) is unpredictable, so it serves as the packet's IV
 *    (the "encrypt a nonce" IV of NIST SP 800-38A Appendix C), and every
 *    block after it is CBC under that IV;
 *  - opening decrypts IV || ciphertext: the first output block depends on
 *    the previous packet and is thrown away; every block after it is the
 *    plaintext under the packet's own IV.
 *
 * Either side interoperates with a peer that keys every packet afresh.
 */
static int aes_cbc_run(void *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
    int l = 0;
    return EVP_CipherUpdate(ctx, out, &l, in, (int)len) && (size_t)l == len ? 0 : -1;
}

static ssize_t seal(void *ctx, const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                    size_t len, uint8_t *out, size_t cap)
{
    /* data || 01 02 .. N || N, a multiple of the 16-byte block (section 13.29) */
    size_t pad = (16 - (len + 1) % 16) % 16;
    size_t clear = len + pad + 1;
    if (len > RMCPP_MAX_PAYLOAD || cap < 16 + clear)
        return -1;
    uint8_t block[16 + RMCPP_MAX_PAYLOAD + 16];
    memcpy(block, iv, 16);
    memcpy(block + 16, in, len);
    for (size_t i = 0; i < pad; i++)
        block[16 + len + i] = (uint8_t)(i + 1);
    block[16 + len + pad] = (uint8_t)pad;
    int rc;
    if (ctx) {
        rc = aes_cbc_run(ctx, block, 16 + clear, out);
    } else {
        memcpy(out, iv, 16);
        rc = aes_cbc(key, iv, 1, block + 16, clear, out + 16);
    }
    OPENSSL_cleanse(block, 16 + clear);
    return rc < 0 ? -1 : (ssize_t)(16 + clear);
}

static ssize_t open_(void *ctx, const uint8_t key[16], const uint8_t *in, size_t len, uint8_t *out,
                     size_t cap, enum codec_err *err)
{
    if (len < 32) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    size_t clen = len - 16;
    if (clen % 16) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    uint8_t buf[16 + RMCPP_MAX_PAYLOAD + 16];
    if (len > sizeof(buf)) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    /* the plaintext starts at buf + 16 either way (see aes_cbc_run) */
    uint8_t *clear = buf + 16;
    int rc = ctx ? aes_cbc_run(ctx, in, len, buf) : aes_cbc(key, in, 0, in + 16, clen, clear);
    if (rc < 0) {
        OPENSSL_cleanse(buf, len);
        *err = CODEC_E_DECRYPT;
        return -1;
    }
    size_t pad = clear[clen - 1];
    bool bad = pad >= 16 || pad + 1 > clen;
    for (size_t i = 0; !bad && i < pad; i++)
        bad = clear[clen - 1 - pad + i] != (uint8_t)(i + 1);
    size_t plain = bad ? 0 : clen - pad - 1;
    if (bad || plain > cap) {
        OPENSSL_cleanse(buf, len);
        *err = bad ? CODEC_E_PAD : CODEC_E_OVERSIZE;
        return -1;
    }
    memcpy(out, clear, plain);
    OPENSSL_cleanse(buf, len);
    *err = CODEC_OK;
    return (ssize_t)plain;
}

ssize_t rmcpp_aes_seal(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, size_t len,
                       uint8_t *out, size_t cap)
{
    return seal(NULL, key, iv, in, len, out, cap);
}

ssize_t rmcpp_aes_open(const uint8_t key[16], const uint8_t *in, size_t len, uint8_t *out,
                       size_t cap, enum codec_err *err)
{
    return open_(NULL, key, in, len, out, cap, err);
}

ssize_t rmcpp_keys_seal(const struct rmcpp_keys *k, const uint8_t iv[16], const uint8_t *in,
                        size_t len, uint8_t *out, size_t cap)
{
    return seal(k->enc_ctx, k->k2, iv, in, len, out, cap);
}

ssize_t rmcpp_keys_open(const struct rmcpp_keys *k, const uint8_t *in, size_t len, uint8_t *out,
                        size_t cap, enum codec_err *err)
{
    return open_(k->dec_ctx, k->k2, in, len, out, cap, err);
}

/* The integrity algorithm's HMAC (section 13.28.4): keyed with K1. */
static uint8_t integ_auth_alg(const struct rmcpp_keys *k, size_t *klen)
{
    bool sha256 = k->suite->integ == INTEG_HMAC_SHA256_128;
    *klen = sha256 ? 32 : 20;
    return sha256 ? RAKP_HMAC_SHA256 : RAKP_HMAC_SHA1;
}

int rmcpp_integ_mac(const struct rmcpp_keys *k, const uint8_t *data, size_t len, uint8_t out[32])
{
    size_t klen;
    uint8_t alg = integ_auth_alg(k, &klen);
    if (!k->mac_ctx)
        return rmcpp_hmac(alg, k->k1, klen, data, len, out);
    size_t outl = 0;
    /* a NULL key re-initialises with the key already set (OpenSSL 3 EVP_MAC_init) */
    if (!EVP_MAC_init(k->mac_ctx, NULL, 0, NULL) || !EVP_MAC_update(k->mac_ctx, data, len) ||
        !EVP_MAC_final(k->mac_ctx, out, &outl, 32))
        return -1;
    return (int)outl;
}

int rmcpp_keys_prepare(struct rmcpp_keys *k)
{
    pthread_once(&hmac_once, hmac_fetch);
    if (!hmac_impl)
        return -1;
    if (k->suite->integ == INTEG_HMAC_SHA1_96 || k->suite->integ == INTEG_HMAC_SHA256_128) {
        size_t klen;
        uint8_t alg = integ_auth_alg(k, &klen);
        OSSL_PARAM params[2] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)auth_digest[alg], 0),
            OSSL_PARAM_construct_end(),
        };
        EVP_MAC_CTX *m = EVP_MAC_CTX_new(hmac_impl);
        if (!m || !EVP_MAC_init(m, k->k1, klen, params)) {
            EVP_MAC_CTX_free(m);
            return -1;
        }
        k->mac_ctx = m;
    }
    if (k->suite->conf == CONF_AES_CBC_128) {
        static const uint8_t zero_iv[16];
        EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
        if (!e || !d || !EVP_EncryptInit_ex(e, EVP_aes_128_cbc(), NULL, k->k2, zero_iv) ||
            !EVP_CIPHER_CTX_set_padding(e, 0) ||
            !EVP_DecryptInit_ex(d, EVP_aes_128_cbc(), NULL, k->k2, zero_iv) ||
            !EVP_CIPHER_CTX_set_padding(d, 0)) {
            EVP_CIPHER_CTX_free(e);
            EVP_CIPHER_CTX_free(d);
            EVP_MAC_CTX_free(k->mac_ctx);
            k->mac_ctx = NULL;
            return -1;
        }
        k->enc_ctx = e;
        k->dec_ctx = d;
    }
    return 0;
}

void rmcpp_keys_clear(struct rmcpp_keys *k)
{
    EVP_MAC_CTX_free(k->mac_ctx);
    EVP_CIPHER_CTX_free(k->enc_ctx);
    EVP_CIPHER_CTX_free(k->dec_ctx);
    OPENSSL_cleanse(k, sizeof(*k));
}
