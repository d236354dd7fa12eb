/*
 * test_codec.c - every inbound decoder against every truncation of a valid
 * packet, against corrupted packets, and against random bytes.
 *
 * Run it under ASan (configure --enable-sanitizers): every input is copied
 * into a heap buffer of exactly its length and every output struct is
 * allocated at exactly its size, so a read past the input or a write past the
 * output is reported.  A refusal must always carry a reason code.
 *
 * Valid packets are written out by hand from the IPMI 2.0 tables cited next
 * to them, so the layouts are checked against the spec as well.  Packets with
 * a session trailer use the keys of tests/unit/vectors/make-vectors.sh
 * (K1/K2 for user "admin", password "password"); where a test needs a
 * deliberately malformed but correctly signed packet it signs and encrypts it
 * with OpenSSL directly, not with our code.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "codec_err.h"
#include "ipmi_msg.h"
#include "layout.h"
#include "rmcpp.h"
#include "unit.h"

#define RANDOM_ROUNDS 20000
#define PLCAP         (RMCPP_MAX_PAYLOAD + 16) /* room for a padded encrypted payload */

/* ---- keys (make-vectors.sh: SIK_*, K1_*, K2_*) ------------------------------ */

#define SIK_SHA1   "d1ac7c2fd468a197e20fbd43743bb42e4db03700"
#define K1_SHA1    "0adfd128351096a94e825280ae950a02eaec0ba2"
#define K2_SHA1    "0bb6144cb62386d092007ffe0724040a47d06f11"
#define SIK_SHA256 "b642f007a5d6fc30531e4e4f1cdf627b144bad05abf3b2e6b6bc98407706239c"
#define K1_SHA256  "acaa4aecea54866b00f8ac700cc9825c356f5577d2e386b33bd8b0843a4a4f39"
#define K2_SHA256  "6359694604e8c7f6f279ad2c344262c83abf5a9d4030d67af64af58aae5e1f9e"

static struct rmcpp_keys keys_s1, keys_s2, keys_s3, keys_s17;

/* ---- valid packets ---------------------------------------------------------- */

/* Open Session Request, IPMI 2.0 Table 13-9: suite 3, tag 2Ah, admin, SIDm 12345678h */
#define OPEN_REQ                                                                                   \
    "2a 04 0000 78563412 00 0000 08 01 000000 01 0000 08 01 000000 02 0000 08 01 000000"
/* Open Session Response, Table 13-10: status 0, SIDc a1b2c3d4h */
#define OPEN_RSP                                                                                   \
    "2a 00 04 00 78563412 d4c3b2a1 00 0000 08 01 000000 01 0000 08 01 000000 02 0000 08 01 000000"
/* the same, refused: status 11h (no cipher suite match), first 8 bytes only */
#define OPEN_RSP_ERR "2a 11 00 00 78563412"
/* RAKP 1, Table 13-11: user name padded to 16 bytes */
#define RAKP1_PADDED                                                                               \
    "2b 000000 d4c3b2a1 101112131415161718191a1b1c1d1e1f 14 0000 05 61646d696e"                    \
    "0000000000000000000000"
/* RAKP 1 as ipmitool and FreeIPMI send it: ULENGTHm bytes of user name, no padding */
#define RAKP1_BARE "2b 000000 d4c3b2a1 101112131415161718191a1b1c1d1e1f 14 0000 05 61646d696e"
/* RAKP 2, Table 13-12: RAKP-HMAC-SHA1 key exchange code (RAKP2_SHA1) */
#define RAKP2                                                                                      \
    "2b 00 0000 78563412 202122232425262728292a2b2c2d2e2f 303132333435363738393a3b3c3d3e3f"        \
    "71db0274f08c7a2e3448de3ce2755679f11a7af8"
/* RAKP 3, Table 13-13 (RAKP3_SHA1) */
#define RAKP3 "2c 00 0000 d4c3b2a1 632c3de7f18fe88c918a383e7f647abb848eb202"
/* RAKP 4, Table 13-14 (RAKP4_SHA1, HMAC-SHA1-96) */
#define RAKP4 "2d 00 0000 78563412 8b9b5bbd1db3235355e2d619"

/* Get Channel Authentication Capabilities response, Table 22-15 */
#define AUTHCAP "00 01 96 04 03 a2 02 00 05"
/* Get Device ID response, Table 20-2: Intel (000157h), product 0b3ah, aux 01020304 */
#define DEVID "00 20 81 01 23 02 bf 57 01 00 3a 0b 01 02 03 04"
/* Get System GUID response, Table 22-13 */
#define GUIDRSP "00 303132333435363738393a3b3c3d3e3f"
/* Get Chassis Status response, Table 28-3 */
#define CHASSIS "00 01 10 40 f0"
/* Get Channel Cipher Suites response, Table 22-17: the first 16 bytes of records */
#define CIPHERS "00 01 c0 00 00 40 80 c0 01 01 40 80 c0 03 01 41 81 c0"
/* Set Session Privilege Level response, Table 22-22 */
#define SETPRIV "00 04"

/* Cipher suite records, Table 22-18: suites 0, 1, 2, 3 and 17 */
#define RECORDS "c0 00 00 40 80 c0 01 01 40 80 c0 02 01 41 80 c0 03 01 41 81 c0 11 03 44 81"

/* IPMI LAN message, Table 13-4: Get Device ID response, rqSeq 1 (checksums 63h, aeh) */
#define LAN_DEVID "81 1c 63 20 04 01 00 20 81 01 23 02 bf 57 01 00 3a 0b 01 02 03 04 ae"
/* Get Channel Auth Capabilities request, channel Eh + IPMI 2.0 data, admin */
#define LAN_AUTHCAP_REQ "20 18 c8 81 00 38 8e 04 b5"
/* IPMI 1.5 session-less packet (Table 13-4 / IPMI 1.5 Table 12-4) carrying a
 * Get Channel Auth Capabilities response (checksums 63h, 61h) */
#define P15 "0600ff07 00 00000000 00000000 10 811c632000380001960403a202000561"
/* RMCP+ pre-session packets, Table 13-8: auth type 06h, session ID 0, seq 0 */
#define P20_OPEN_REQ "0600ff07 06 10 00000000 00000000 2000 " OPEN_REQ
#define P20_OPEN_RSP "0600ff07 06 11 00000000 00000000 2400 " OPEN_RSP
#define P20_RAKP2    "0600ff07 06 13 00000000 00000000 3c00 " RAKP2
#define P20_RAKP4    "0600ff07 06 15 00000000 00000000 1400 " RAKP4
/* In-session packets from make-vectors.sh (PKT_S2, PKT_S3, PKT_S17) */
#define PKT_S2                                                                                     \
    "0600ff07 06 40 d4c3b2a1 03000000 0700 2018c88104017a ffffff 03 07 6be473892fd557a49e01c73e"
#define PKT_S3                                                                                     \
    "0600ff07 06 c0 d4c3b2a1 03000000 2000"                                                        \
    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff c1c43bb2c34ec6f14606cad87559a4b0"                            \
    "ffff 02 07 03d39f1672f7487d7311e76c"
#define PKT_S17                                                                                    \
    "0600ff07 06 c0 d4c3b2a1 03000000 2000"                                                        \
    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfefff6b04f305ca8915c049f2434ca3aa330"                             \
    "ffff 02 07 ba1a9bcb2a35b896db61f30e960cb405"
#define MSG "2018c88104017a"

/* ---- helpers ---------------------------------------------------------------- */

static size_t hex(const char *h, uint8_t *out, size_t cap)
{
    int n = unit_hex(h, out, (int)cap);
    CU_ASSERT_FATAL(n >= 0);
    return (size_t)n;
}

static uint8_t empty_buf[1];

/* A heap copy of exactly n bytes (ASan flags any access past it, even for n = 0). */
static uint8_t *exact(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n);
    if (!c && n == 0)
        return empty_buf;
    CU_ASSERT_FATAL(c != NULL);
    if (n)
        memcpy(c, p, n);
    return c;
}

static void exact_free(uint8_t *p)
{
    if (p != empty_buf)
        free(p);
}

static bool reason_ok(enum codec_err e)
{
    return e > CODEC_OK && e < CODEC_E__COUNT;
}

/* Suite init: no CUnit assertions here, they need a running test. */
static int set_keys(struct rmcpp_keys *k, unsigned suite, const char *sik, const char *k1,
                    const char *k2)
{
    memset(k, 0, sizeof(*k));
    k->suite = rmcpp_suite_get(suite);
    int n = unit_hex(sik, k->sik, sizeof(k->sik));
    k->sik_len = (uint8_t)n;
    if (!k->suite || n <= 0 || unit_hex(k1, k->k1, sizeof(k->k1)) != n ||
        unit_hex(k2, k->k2, sizeof(k->k2)) != n)
        return -1;
    return 0;
}

static int init_keys(void)
{
    if (set_keys(&keys_s1, 1, SIK_SHA1, K1_SHA1, K2_SHA1) ||
        set_keys(&keys_s2, 2, SIK_SHA1, K1_SHA1, K2_SHA1) ||
        set_keys(&keys_s3, 3, SIK_SHA1, K1_SHA1, K2_SHA1) ||
        set_keys(&keys_s17, 17, SIK_SHA256, K1_SHA256, K2_SHA256))
        return -1;
    return 0;
}

/* Small deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t rng_state;
static void rng_seed(uint64_t s)
{
    rng_state = s ? s : 0x9e3779b97f4a7c15ull;
}
static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* ---- OpenSSL-side packet builder (independent of rmcpp_encode) -------------- */

static size_t raw_mac(const struct rmcpp_keys *k, const uint8_t *d, size_t n, uint8_t *out)
{
    const EVP_MD *md = k->suite->integ == INTEG_HMAC_SHA256_128 ? EVP_sha256() : EVP_sha1();
    unsigned int ol = 0;
    CU_ASSERT_FATAL(HMAC(md, k->k1, (int)k->sik_len, d, n, out, &ol) != NULL);
    return ol;
}

/* AES-CBC-128 of whole blocks, no padding added: out = iv || ciphertext. */
static size_t raw_aes(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, size_t n,
                      uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    CU_ASSERT_FATAL(c != NULL);
    memcpy(out, iv, 16);
    int ok = EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, key, iv) &&
             EVP_CIPHER_CTX_set_padding(c, 0) && EVP_EncryptUpdate(c, out + 16, &l1, in, (int)n) &&
             EVP_EncryptFinal_ex(c, out + 16 + l1, &l2);
    EVP_CIPHER_CTX_free(c);
    CU_ASSERT_FATAL(ok && (size_t)(l1 + l2) == n);
    return 16 + n;
}

struct pktspec {
    uint8_t ptype;       /* the whole payload type byte, flags included */
    const uint8_t *body; /* wire payload (already encrypted if it should be) */
    size_t blen;
    long plen_field;            /* -1: blen */
    long pad;                   /* -1: what makes the span a multiple of 4 */
    long padlen;                /* -1: pad */
    long nh;                    /* -1: 07h */
    const struct rmcpp_keys *k; /* NULL: no trailer */
};

static size_t build(uint8_t *out, size_t cap, const struct pktspec *s)
{
    static const uint8_t hdr[4] = {0x06, 0x00, 0xff, 0x07};
    size_t plen = s->plen_field < 0 ? s->blen : (size_t)s->plen_field;
    size_t n = 0;
    CU_ASSERT_FATAL(cap >= 16 + s->blen + 3 + 2 + 32);
    memcpy(out, hdr, 4);
    out[4] = 0x06;
    out[5] = s->ptype;
    memcpy(out + 6, "\xd4\xc3\xb2\xa1\x03\x00\x00\x00", 8); /* SIDc, seq 3 */
    out[14] = (uint8_t)plen;
    out[15] = (uint8_t)(plen >> 8);
    memcpy(out + 16, s->body, s->blen);
    n = 16 + s->blen;
    if (!s->k)
        return n;
    size_t pad = s->pad < 0 ? (4 - (n - 4 + 2) % 4) % 4 : (size_t)s->pad;
    memset(out + n, 0xff, pad);
    n += pad;
    out[n++] = (uint8_t)(s->padlen < 0 ? (long)pad : s->padlen);
    out[n++] = (uint8_t)(s->nh < 0 ? 0x07 : s->nh);
    uint8_t mac[64];
    raw_mac(s->k, out + 4, n - 4, mac);
    memcpy(out + n, mac, s->k->suite->trailer_len);
    return n + s->k->suite->trailer_len;
}

/* ---- the decoders under test, behind one calling convention ----------------- */

enum dec_kind { D_RMCPP, D_LAN, D_LAYOUT, D_RECORDS };

struct decoder {
    const char *name;
    enum dec_kind kind;
    const struct rmcpp_keys *const *keys; /* D_RMCPP */
    const struct layout *layout;          /* D_LAYOUT */
    size_t struct_size;                   /* D_LAYOUT */
    const char *sample;                   /* a valid input, hex */
};

struct result {
    long rc;            /* decoder return value */
    enum codec_err err; /* its reason */
    bool sane;          /* on success: the outputs hold together */
};

static const struct rmcpp_keys *const no_keys = NULL;
static const struct rmcpp_keys *const p_keys_s2 = &keys_s2;
static const struct rmcpp_keys *const p_keys_s3 = &keys_s3;
static const struct rmcpp_keys *const p_keys_s17 = &keys_s17;

/* clang-format off */
#define LAYOUT_DEC(l, type, sample) {#l, D_LAYOUT, NULL, &(l), sizeof(type), (sample)}
/* clang-format on */

static const struct decoder decoders[] = {
    {"rmcpp_decode 1.5", D_RMCPP, &no_keys, NULL, 0, P15},
    {"rmcpp_decode 2.0 open rsp", D_RMCPP, &no_keys, NULL, 0, P20_OPEN_RSP},
    {"rmcpp_decode 2.0 rakp2", D_RMCPP, &no_keys, NULL, 0, P20_RAKP2},
    {"rmcpp_decode 2.0 rakp4", D_RMCPP, &no_keys, NULL, 0, P20_RAKP4},
    {"rmcpp_decode suite 2", D_RMCPP, &p_keys_s2, NULL, 0, PKT_S2},
    {"rmcpp_decode suite 3", D_RMCPP, &p_keys_s3, NULL, 0, PKT_S3},
    {"rmcpp_decode suite 17", D_RMCPP, &p_keys_s17, NULL, 0, PKT_S17},
    {"ipmi_lan_decode", D_LAN, NULL, NULL, 0, LAN_DEVID},
    LAYOUT_DEC(rmcpp_open_req_layout, struct rmcpp_open_req, OPEN_REQ),
    LAYOUT_DEC(rmcpp_open_rsp_layout, struct rmcpp_open_rsp, OPEN_RSP),
    LAYOUT_DEC(rmcpp_rakp1_layout, struct rmcpp_rakp1, RAKP1_PADDED),
    LAYOUT_DEC(rmcpp_rakp2_layout, struct rmcpp_rakp2, RAKP2),
    LAYOUT_DEC(rmcpp_rakp3_layout, struct rmcpp_rakp3, RAKP3),
    LAYOUT_DEC(rmcpp_rakp4_layout, struct rmcpp_rakp4, RAKP4),
    LAYOUT_DEC(ipmi_authcap_rsp_layout, struct ipmi_authcap_rsp, AUTHCAP),
    LAYOUT_DEC(ipmi_devid_rsp_layout, struct ipmi_devid_rsp, DEVID),
    LAYOUT_DEC(ipmi_guid_rsp_layout, struct ipmi_guid_rsp, GUIDRSP),
    LAYOUT_DEC(ipmi_chassis_rsp_layout, struct ipmi_chassis_rsp, CHASSIS),
    LAYOUT_DEC(ipmi_ciphers_rsp_layout, struct ipmi_ciphers_rsp, CIPHERS),
    LAYOUT_DEC(ipmi_setpriv_rsp_layout, struct ipmi_setpriv_rsp, SETPRIV),
    {"ipmi_cipher_records_parse", D_RECORDS, NULL, NULL, 0, RECORDS},
};
#define NDECODERS (sizeof(decoders) / sizeof(decoders[0]))

#define RECORD_CAP 8

/* Decode `len` bytes of `in` from an exactly-sized heap copy into exactly-sized outputs. */
static struct result run(const struct decoder *d, const uint8_t *in, size_t len)
{
    struct result r = {-1, CODEC_E__COUNT, true};
    uint8_t *buf = exact(in, len);
    switch (d->kind) {
    case D_RMCPP: {
        uint8_t *pl = malloc(PLCAP);
        struct rmcpp_pkt *p = malloc(sizeof(*p));
        CU_ASSERT_FATAL(pl && p);
        r.err = CODEC_E__COUNT;
        r.rc = rmcpp_decode(buf, len, *d->keys, pl, PLCAP, p, &r.err);
        if (r.rc == 0)
            r.sane = r.err == CODEC_OK && p->payload == pl && p->plen <= PLCAP && p->plen <= len &&
                     (p->auth_type == 0x00 || p->auth_type == 0x06);
        free(pl);
        free(p);
        break;
    }
    case D_LAN: {
        struct ipmi_lan_msg *m = malloc(sizeof(*m));
        CU_ASSERT_FATAL(m != NULL);
        r.rc = ipmi_lan_decode(buf, len, m, &r.err);
        if (r.rc == 0)
            r.sane = r.err == CODEC_OK && len >= IPMI_LAN_OVERHEAD && m->data == buf + 6 &&
                     m->dlen == len - IPMI_LAN_OVERHEAD;
        free(m);
        break;
    }
    case D_LAYOUT: {
        void *o = malloc(d->struct_size);
        CU_ASSERT_FATAL(o != NULL);
        r.rc = (long)layout_decode(d->layout, buf, len, o, &r.err);
        if (r.rc >= 0)
            r.sane = r.err == CODEC_OK && (size_t)r.rc == len && len >= d->layout->min_len &&
                     (!d->layout->max_len || len <= d->layout->max_len);
        free(o);
        break;
    }
    case D_RECORDS: {
        uint8_t *ids = malloc(RECORD_CAP);
        CU_ASSERT_FATAL(ids != NULL);
        r.rc = ipmi_cipher_records_parse(buf, len, ids, RECORD_CAP, &r.err);
        if (r.rc >= 0)
            r.sane = r.err == CODEC_OK && r.rc <= RECORD_CAP;
        free(ids);
        break;
    }
    }
    if (r.rc < 0)
        r.sane = r.rc == -1 && reason_ok(r.err);
    exact_free(buf);
    return r;
}

/* ---- layout tables ------------------------------------------------------------ */

static size_t kind_width(const struct lfield *f)
{
    switch (f->kind) {
    case LF_U8:
        return 1;
    case LF_U16:
        return 2;
    case LF_U24:
        return 3;
    case LF_U32:
        return 4;
    case LF_BYTES:
        return f->size;
    default:
        return 0;
    }
}

/* Each field fits its struct member, and no two fields share wire or memory bytes. */
static void test_layout_tables(void)
{
    for (size_t di = 0; di < NDECODERS; di++) {
        const struct decoder *d = &decoders[di];
        if (d->kind != D_LAYOUT)
            continue;
        const struct layout *l = d->layout;
        unsigned bad = 0;
        uint8_t wire[512] = {0}, mem[512] = {0};
        CU_ASSERT_FATAL(d->struct_size <= sizeof(mem));
        for (size_t i = 0; i < l->nfields; i++) {
            const struct lfield *f = &l->fields[i];
            size_t member = f->size; /* sizeof() of the struct member */
            size_t need = f->kind == LF_U8    ? 1
                          : f->kind == LF_U16 ? 2
                          : f->kind <= LF_U32 ? 4
                                              : member;
            size_t w = f->kind == LF_TAIL ? f->size : kind_width(f);
            bool ok = f->kind <= LF_TAIL && member == need && f->mem_off + member <= d->struct_size;
            if (f->kind == LF_TAIL)
                ok = ok && f->len_off + sizeof(size_t) <= d->struct_size &&
                     f->len_off % sizeof(size_t) == 0 && i == l->nfields - 1u;
            for (size_t b = f->wire_off; ok && b < f->wire_off + w && b < sizeof(wire); b++)
                ok = !wire[b]++;
            for (size_t b = f->mem_off; ok && b < f->mem_off + member; b++)
                ok = !mem[b]++;
            if (f->kind == LF_TAIL)
                for (size_t b = f->len_off; ok && b < f->len_off + sizeof(size_t); b++)
                    ok = !mem[b]++;
            if (!ok) {
                printf("\n    %s: field %zu (wire %u, kind %u, size %u, mem %u) is inconsistent",
                       l->name, i, f->wire_off, f->kind, f->size, f->mem_off);
                bad++;
            }
        }
        if (l->max_len && (l->min_len > l->max_len || layout_fixed_len(l) > l->max_len)) {
            printf("\n    %s: min %u / fixed %zu / max %u", l->name, l->min_len,
                   layout_fixed_len(l), l->max_len);
            bad++;
        }
        CU_ASSERT_EQUAL(bad, 0);
    }
}

/* ---- the spec samples decode to the spec's values ------------------------------ */

static ssize_t decode_hex(const struct layout *l, const char *h, void *out, size_t outsize)
{
    uint8_t b[128];
    size_t n = hex(h, b, sizeof(b));
    uint8_t *c = exact(b, n);
    enum codec_err err = CODEC_E__COUNT;
    memset(out, 0xee, outsize);
    ssize_t r = layout_decode(l, c, n, out, &err);
    if (r != (ssize_t)n)
        printf("\n    %s: %zd (%s)\n", l->name, r, codec_err_name(err));
    CU_ASSERT_EQUAL(r, (ssize_t)n);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    exact_free(c);
    return r;
}

/* Encode what was decoded: the same bytes come back. */
static void reencode(const struct layout *l, const void *in, const char *h)
{
    uint8_t want[128], got[128];
    size_t n = hex(h, want, sizeof(want));
    enum codec_err err = CODEC_E__COUNT;
    memset(got, 0xee, sizeof(got));
    ssize_t r = layout_encode(l, in, got, sizeof(got), &err);
    bool ok = r == (ssize_t)n && memcmp(got, want, n) == 0;
    if (!ok) {
        printf("\n    %s re-encoded (%zd):", l->name, r);
        for (ssize_t i = 0; i < r; i++)
            printf("%02x", got[i]);
        printf("\n");
    }
    CU_ASSERT(ok);
}

static void test_sample_session_setup(void)
{
    struct rmcpp_open_req rq;
    decode_hex(&rmcpp_open_req_layout, OPEN_REQ, &rq, sizeof(rq));
    CU_ASSERT_EQUAL(rq.tag, 0x2a);
    CU_ASSERT_EQUAL(rq.max_priv, 4);
    CU_ASSERT_EQUAL(rq.console_sid, 0x12345678u);
    CU_ASSERT(rq.auth_type == 0 && rq.auth_len == 8 && rq.auth_alg == RAKP_HMAC_SHA1);
    CU_ASSERT(rq.integ_type == 1 && rq.integ_len == 8 && rq.integ_alg == INTEG_HMAC_SHA1_96);
    CU_ASSERT(rq.conf_type == 2 && rq.conf_len == 8 && rq.conf_alg == CONF_AES_CBC_128);
    reencode(&rmcpp_open_req_layout, &rq, OPEN_REQ);
    struct rmcpp_open_req init;
    rmcpp_open_req_init(&init, 0x2a, 4, 0x12345678u, rmcpp_suite_get(3));
    reencode(&rmcpp_open_req_layout, &init, OPEN_REQ);

    struct rmcpp_open_rsp rs;
    decode_hex(&rmcpp_open_rsp_layout, OPEN_RSP, &rs, sizeof(rs));
    CU_ASSERT(rs.tag == 0x2a && rs.status == 0 && rs.max_priv == 4);
    CU_ASSERT_EQUAL(rs.console_sid, 0x12345678u);
    CU_ASSERT_EQUAL(rs.bmc_sid, 0xa1b2c3d4u);
    CU_ASSERT(rs.auth_type == 0 && rs.auth_len == 8 && rs.auth_alg == RAKP_HMAC_SHA1);
    CU_ASSERT(rs.integ_type == 1 && rs.integ_len == 8 && rs.integ_alg == INTEG_HMAC_SHA1_96);
    CU_ASSERT(rs.conf_type == 2 && rs.conf_len == 8 && rs.conf_alg == CONF_AES_CBC_128);
    reencode(&rmcpp_open_rsp_layout, &rs, OPEN_RSP);
    /* a refusal is 8 bytes and still says why */
    decode_hex(&rmcpp_open_rsp_layout, OPEN_RSP_ERR, &rs, sizeof(rs));
    CU_ASSERT_EQUAL(rs.status, 0x11);
    CU_ASSERT_EQUAL(rs.console_sid, 0x12345678u);
    CU_ASSERT_EQUAL(rs.bmc_sid, 0);

    struct rmcpp_rakp1 r1;
    uint8_t rm[16];
    hex("101112131415161718191a1b1c1d1e1f", rm, 16);
    decode_hex(&rmcpp_rakp1_layout, RAKP1_PADDED, &r1, sizeof(r1));
    CU_ASSERT(r1.tag == 0x2b && r1.bmc_sid == 0xa1b2c3d4u && r1.role == 0x14 && r1.ulen == 5);
    CU_ASSERT(memcmp(r1.rm, rm, 16) == 0);
    CU_ASSERT(memcmp(r1.user, "admin\0\0\0\0\0\0\0\0\0\0\0", 16) == 0);
    struct rmcpp_rakp1 r1i;
    CU_ASSERT_EQUAL(rmcpp_rakp1_init(&r1i, 0x2b, 0xa1b2c3d4u, rm, 0x14, "admin", 5), 0);
    CU_ASSERT_EQUAL(rmcpp_rakp1_init(&r1i, 0x2b, 0xa1b2c3d4u, rm, 0x14, "abcdefghijklmnopq", 17),
                    -1);

    struct rmcpp_rakp2 r2;
    decode_hex(&rmcpp_rakp2_layout, RAKP2, &r2, sizeof(r2));
    CU_ASSERT(r2.tag == 0x2b && r2.status == 0 && r2.console_sid == 0x12345678u);
    CU_ASSERT(r2.rc[0] == 0x20 && r2.rc[15] == 0x2f && r2.guid[0] == 0x30 && r2.guid[15] == 0x3f);
    CU_ASSERT_EQUAL(r2.kex_len, 20);
    CU_ASSERT(r2.kex[0] == 0x71 && r2.kex[19] == 0xf8);
    reencode(&rmcpp_rakp2_layout, &r2, RAKP2);

    struct rmcpp_rakp3 r3;
    decode_hex(&rmcpp_rakp3_layout, RAKP3, &r3, sizeof(r3));
    CU_ASSERT(r3.tag == 0x2c && r3.status == 0 && r3.bmc_sid == 0xa1b2c3d4u);
    CU_ASSERT(r3.kex_len == 20 && r3.kex[0] == 0x63 && r3.kex[19] == 0x02);
    reencode(&rmcpp_rakp3_layout, &r3, RAKP3);

    struct rmcpp_rakp4 r4;
    decode_hex(&rmcpp_rakp4_layout, RAKP4, &r4, sizeof(r4));
    CU_ASSERT(r4.tag == 0x2d && r4.status == 0 && r4.console_sid == 0x12345678u);
    CU_ASSERT(r4.icv_len == 12 && r4.icv[0] == 0x8b && r4.icv[11] == 0x19);
    reencode(&rmcpp_rakp4_layout, &r4, RAKP4);
}

/* IPMI 2.0 Table 13-11: UNAMEm is ULENGTHm bytes; ipmitool and FreeIPMI send no padding. */
static void test_rakp1_bare_user(void)
{
    struct rmcpp_rakp1 r1;
    decode_hex(&rmcpp_rakp1_layout, RAKP1_BARE, &r1, sizeof(r1));
    CU_ASSERT_EQUAL(r1.ulen, 5);
    bool ok = memcmp(r1.user, "admin", 5) == 0;
    if (!ok)
        printf("\n    a 33-byte RAKP 1 (ULENGTHm 5) decodes with user \"%.16s\"\n",
               (const char *)r1.user);
    CU_ASSERT(ok);
}

static void test_sample_commands(void)
{
    struct ipmi_authcap_rsp ac;
    decode_hex(&ipmi_authcap_rsp_layout, AUTHCAP, &ac, sizeof(ac));
    CU_ASSERT(ac.cc == 0 && ac.channel == 1 && ac.auth_types == 0x96 && ac.status == 0x04);
    CU_ASSERT(ac.ext_caps == 0x03 && ac.oem_id == 0x0002a2 && ac.oem_aux == 5);
    reencode(&ipmi_authcap_rsp_layout, &ac, AUTHCAP);

    struct ipmi_devid_rsp dv;
    decode_hex(&ipmi_devid_rsp_layout, DEVID, &dv, sizeof(dv));
    CU_ASSERT(dv.cc == 0 && dv.device_id == 0x20 && dv.device_rev == 0x81);
    CU_ASSERT(dv.fw_major == 0x01 && dv.fw_minor == 0x23 && dv.ipmi_version == 0x02);
    CU_ASSERT(dv.support == 0xbf && dv.manufacturer_id == 0x000157 && dv.product_id == 0x0b3a);
    CU_ASSERT(dv.aux_len == 4 && memcmp(dv.aux_fw, "\x01\x02\x03\x04", 4) == 0);
    reencode(&ipmi_devid_rsp_layout, &dv, DEVID);
    /* the auxiliary firmware revision is optional (Table 20-2) */
    decode_hex(&ipmi_devid_rsp_layout, "00 20 81 01 23 02 bf 57 01 00 3a 0b", &dv, sizeof(dv));
    CU_ASSERT(dv.aux_len == 0 && dv.product_id == 0x0b3a);

    struct ipmi_guid_rsp g;
    decode_hex(&ipmi_guid_rsp_layout, GUIDRSP, &g, sizeof(g));
    CU_ASSERT(g.cc == 0 && g.guid[0] == 0x30 && g.guid[15] == 0x3f);
    reencode(&ipmi_guid_rsp_layout, &g, GUIDRSP);

    struct ipmi_chassis_rsp ch;
    decode_hex(&ipmi_chassis_rsp_layout, CHASSIS, &ch, sizeof(ch));
    CU_ASSERT(ch.cc == 0 && ch.power == 0x01 && ch.last_event == 0x10 && ch.misc == 0x40);
    CU_ASSERT_EQUAL(ch.front_panel, 0xf0);
    reencode(&ipmi_chassis_rsp_layout, &ch, CHASSIS);

    struct ipmi_ciphers_rsp cs;
    decode_hex(&ipmi_ciphers_rsp_layout, CIPHERS, &cs, sizeof(cs));
    CU_ASSERT(cs.cc == 0 && cs.channel == 1 && cs.dlen == 16 && cs.data[0] == 0xc0);
    reencode(&ipmi_ciphers_rsp_layout, &cs, CIPHERS);

    struct ipmi_setpriv_rsp sp;
    decode_hex(&ipmi_setpriv_rsp_layout, SETPRIV, &sp, sizeof(sp));
    CU_ASSERT(sp.cc == 0 && sp.priv == 4);
    reencode(&ipmi_setpriv_rsp_layout, &sp, SETPRIV);

    /* every response layout takes a bare completion code (an error reply) */
    const struct layout *rsp[] = {&ipmi_authcap_rsp_layout, &ipmi_devid_rsp_layout,
                                  &ipmi_guid_rsp_layout,    &ipmi_chassis_rsp_layout,
                                  &ipmi_ciphers_rsp_layout, &ipmi_setpriv_rsp_layout};
    for (size_t i = 0; i < sizeof(rsp) / sizeof(rsp[0]); i++) {
        uint8_t o[256];
        const uint8_t cc = 0xc1;
        uint8_t *c = exact(&cc, 1);
        enum codec_err err = CODEC_E__COUNT;
        ssize_t r = layout_decode(rsp[i], c, 1, o, &err);
        if (r != 1)
            printf("\n    %s of a bare completion code returns %zd, not 1\n", rsp[i]->name, r);
        CU_ASSERT_EQUAL(r, 1);
        CU_ASSERT_EQUAL(o[0], 0xc1);
        exact_free(c);
    }
}

static void test_sample_lan(void)
{
    uint8_t b[64];
    size_t n = hex(LAN_DEVID, b, sizeof(b));
    uint8_t *c = exact(b, n);
    struct ipmi_lan_msg m;
    enum codec_err err = CODEC_E__COUNT;
    CU_ASSERT_EQUAL_FATAL(ipmi_lan_decode(c, n, &m, &err), 0);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT(m.dst_addr == 0x81 && m.netfn == 0x07 && m.dst_lun == 0);
    CU_ASSERT(m.src_addr == 0x20 && m.seq == 1 && m.src_lun == 0 && m.cmd == 0x01);
    CU_ASSERT(m.data == c + 6 && m.dlen == 16 && m.data[0] == 0x00 && m.data[15] == 0x04);

    /* the encoder writes the same bytes, both checksums included */
    uint8_t out[64];
    struct ipmi_lan_msg e = m;
    CU_ASSERT_EQUAL(ipmi_lan_encode(out, sizeof(out), &e, &err), (ssize_t)n);
    CU_ASSERT(memcmp(out, b, n) == 0);
    exact_free(c);

    uint8_t req[16];
    size_t rn = hex(LAN_AUTHCAP_REQ, req, sizeof(req));
    const uint8_t data[2] = {0x8e, 0x04};
    struct ipmi_lan_msg q = {.dst_addr = IPMI_BMC_SLAVE_ADDR,
                             .netfn = IPMI_NETFN_APP,
                             .src_addr = IPMI_REMOTE_SWID,
                             .cmd = IPMI_CMD_GET_CHANNEL_AUTH_CAP,
                             .data = data,
                             .dlen = 2};
    CU_ASSERT_EQUAL(ipmi_lan_encode(out, sizeof(out), &q, &err), (ssize_t)rn);
    CU_ASSERT(memcmp(out, req, rn) == 0);
    /* too small a buffer */
    for (size_t cap = 0; cap < rn; cap++) {
        uint8_t *small = malloc(cap ? cap : 1);
        CU_ASSERT_FATAL(small != NULL);
        CU_ASSERT_EQUAL(ipmi_lan_encode(small, cap, &q, &err), -1);
        free(small);
    }
}

static void test_sample_frames(void)
{
    uint8_t want[128], out[RMCPP_MAX_PACKET], pl[PLCAP];
    enum codec_err err = CODEC_E__COUNT;
    struct rmcpp_pkt p;

    /* pre-session RMCP+ framing of an Open Session Request */
    uint8_t body[64];
    size_t bn = hex(OPEN_REQ, body, sizeof(body));
    size_t wn = hex(P20_OPEN_REQ, want, sizeof(want));
    ssize_t r = rmcpp_encode(out, sizeof(out), RMCPP_PL_OPEN_REQ, 0, 0, NULL, NULL, body, bn, &err);
    CU_ASSERT(r == (ssize_t)wn && memcmp(out, want, wn) == 0);

    /* IPMI 1.5 session-less framing of Get Channel Auth Capabilities */
    uint8_t req[16];
    size_t rn = hex(LAN_AUTHCAP_REQ, req, sizeof(req));
    r = rmcp15_encode(out, sizeof(out), req, rn, &err);
    CU_ASSERT(r == 14 + (ssize_t)rn);
    CU_ASSERT(r > 0 && memcmp(out, "\x06\x00\xff\x07\x00\0\0\0\0\0\0\0\0\x09", 14) == 0 &&
              memcmp(out + 14, req, rn) == 0);
    /* an IPMI 1.5 header's session ID is not an IPMI 2.0 session's */
    out[9] = 0x55;
    CU_ASSERT_EQUAL(rmcpp_peek_session_id(out, (size_t)r), 0);

    /* and the inbound direction */
    wn = hex(P15, want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(rmcpp_decode(want, wn, NULL, pl, sizeof(pl), &p, &err), 0);
    CU_ASSERT(p.auth_type == 0 && p.ptype == RMCPP_PL_IPMI && !p.encrypted && !p.authenticated);
    CU_ASSERT(p.session_id == 0 && p.seq == 0 && p.plen == 16 && p.payload == pl);
    CU_ASSERT(memcmp(p.payload, want + 14, 16) == 0);
    /* one legacy pad byte may follow an IPMI 1.5 payload (IPMI 1.5 section 6.12.2) */
    want[wn] = 0x00;
    CU_ASSERT_EQUAL(rmcpp_decode(want, wn + 1, NULL, pl, sizeof(pl), &p, &err), 0);

    wn = hex(P20_OPEN_RSP, want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(rmcpp_decode(want, wn, NULL, pl, sizeof(pl), &p, &err), 0);
    CU_ASSERT(p.auth_type == 6 && p.ptype == RMCPP_PL_OPEN_RSP && !p.encrypted);
    CU_ASSERT(!p.authenticated && p.session_id == 0 && p.plen == 36);
    CU_ASSERT(memcmp(p.payload, want + 16, 36) == 0);

    const char *typed[] = {P20_RAKP2, P20_RAKP4};
    const uint8_t types[] = {RMCPP_PL_RAKP2, RMCPP_PL_RAKP4};
    for (size_t i = 0; i < 2; i++) {
        wn = hex(typed[i], want, sizeof(want));
        CU_ASSERT_EQUAL(rmcpp_decode(want, wn, NULL, pl, sizeof(pl), &p, &err), 0);
        CU_ASSERT_EQUAL(p.ptype, types[i]);
    }
}

/* ---- every truncation ------------------------------------------------------------ */

/* Is a prefix of an IPMI LAN message itself a well-formed message?  (Checked by hand.) */
static bool lan_prefix_valid(const uint8_t *b, size_t n)
{
    if (n < 7 || (uint8_t)(b[0] + b[1] + b[2]) != 0)
        return false;
    uint8_t s = 0;
    for (size_t i = 3; i < n; i++)
        s = (uint8_t)(s + b[i]);
    return s == 0;
}

/* Cipher records: a prefix may be a shorter, valid list; it must then be a prefix of the IDs. */
static bool records_prefix_ok(const uint8_t *b, size_t n, const struct result *r)
{
    static const uint8_t all[] = {0, 1, 2, 3, 17};
    uint8_t ids[RECORD_CAP];
    enum codec_err err;
    int k = ipmi_cipher_records_parse(b, n, ids, RECORD_CAP, &err);
    if (k != r->rc)
        return false;
    if (k < 0)
        return true;
    if ((size_t)k > sizeof(all) || memcmp(ids, all, (size_t)k) != 0)
        return false;
    /* a lone record-start byte has no suite ID yet: that is a truncation */
    if (n > 0 && (b[n - 1] == 0xc0))
        return false;
    return true;
}

/* Compare a prefix decode with the full decode, field by field. */
static bool layout_prefix_fields_ok(const struct decoder *d, const uint8_t *b, size_t full,
                                    size_t n)
{
    const struct layout *l = d->layout;
    uint8_t *a = malloc(d->struct_size), *p = malloc(d->struct_size);
    CU_ASSERT_FATAL(a && p);
    /* layout.h: the output is zeroed first, so absent fields read as zero */
    memset(a, 0xee, d->struct_size);
    memset(p, 0xee, d->struct_size);
    enum codec_err err;
    bool ok = layout_decode(l, b, full, a, &err) == (ssize_t)full &&
              layout_decode(l, b, n, p, &err) == (ssize_t)n;
    for (size_t i = 0; ok && i < l->nfields; i++) {
        const struct lfield *f = &l->fields[i];
        if (f->kind == LF_TAIL) {
            size_t want = n > f->wire_off ? n - f->wire_off : 0, got;
            memcpy(&got, p + f->len_off, sizeof(got));
            ok = got == want && memcmp(p + f->mem_off, b + f->wire_off, want) == 0;
            continue;
        }
        size_t w = kind_width(f);
        if (f->wire_off + w <= n) {
            ok = memcmp(a + f->mem_off, p + f->mem_off, f->size) == 0;
        } else {
            for (size_t j = 0; j < f->size; j++)
                ok = ok && p[f->mem_off + j] == 0; /* absent: zero */
        }
    }
    free(a);
    free(p);
    return ok;
}

static void test_truncations(void)
{
    for (size_t di = 0; di < NDECODERS; di++) {
        const struct decoder *d = &decoders[di];
        uint8_t b[256];
        size_t len = hex(d->sample, b, sizeof(b));
        unsigned bad = 0, accepted = 0;

        struct result whole = run(d, b, len);
        if (whole.rc < 0 || !whole.sane) {
            printf("\n    %s: the valid sample fails: %s", d->name, codec_err_name(whole.err));
            bad++;
        }
        for (size_t n = 0; n < len; n++) {
            struct result r = run(d, b, n);
            bool ok = r.sane;
            switch (d->kind) {
            case D_RMCPP:
                ok = ok && r.rc == -1;
                if (ok && n < 5)
                    ok = r.err == CODEC_E_TRUNCATED;
                break;
            case D_LAN:
                ok = ok && (r.rc == -1 || lan_prefix_valid(b, n));
                if (ok && n < IPMI_LAN_OVERHEAD)
                    ok = r.err == CODEC_E_TRUNCATED;
                break;
            case D_LAYOUT:
                if (n < d->layout->min_len) {
                    ok = ok && r.rc == -1 && r.err == CODEC_E_TRUNCATED;
                } else if (ok && r.rc == (long)n && !layout_prefix_fields_ok(d, b, len, n)) {
                    printf("\n    %s: %zu of %zu bytes: fields differ from the full decode,"
                           " or absent ones are not zero",
                           d->name, n, len);
                    bad++;
                    continue;
                } else {
                    ok = ok && r.rc == (long)n;
                }
                break;
            case D_RECORDS:
                ok = ok && records_prefix_ok(b, n, &r);
                break;
            }
            if (r.rc >= 0)
                accepted++;
            if (!ok) {
                printf("\n    %s: %zu of %zu bytes: rc %ld, %s", d->name, n, len, r.rc,
                       r.rc < 0 ? codec_err_name(r.err) : "accepted");
                bad++;
            }
        }
        if (bad)
            printf("\n");
        CU_ASSERT_EQUAL(bad, 0);
    }
}

/* ---- corrupted packets: each with its specific reason ------------------------------ */

static struct result decode_with(const struct rmcpp_keys *k, const uint8_t *b, size_t n,
                                 size_t plcap)
{
    struct result r = {-1, CODEC_E__COUNT, true};
    uint8_t *c = exact(b, n);
    uint8_t *pl = malloc(plcap ? plcap : 1);
    struct rmcpp_pkt p;
    CU_ASSERT_FATAL(pl != NULL);
    r.rc = rmcpp_decode(c, n, k, pl, plcap, &p, &r.err);
    if (r.rc == 0)
        r.sane = p.plen <= plcap;
    free(pl);
    exact_free(c);
    return r;
}

static unsigned expect_fail(const char *what, struct result r, const enum codec_err *allowed,
                            size_t nallowed)
{
    bool ok = r.rc == -1 && r.sane;
    bool listed = false;
    for (size_t i = 0; i < nallowed; i++)
        listed = listed || r.err == allowed[i];
    if (ok && listed)
        return 0;
    printf("\n    %s: rc %ld, %s; want", what, r.rc, r.rc < 0 ? codec_err_name(r.err) : "accepted");
    for (size_t i = 0; i < nallowed; i++)
        printf(" %s", codec_err_name(allowed[i]));
    return 1;
}
#define EXPECT(what, res, ...)                                                                     \
    do {                                                                                           \
        const enum codec_err allowed_[] = {__VA_ARGS__};                                           \
        unsigned f_ =                                                                              \
            expect_fail((what), (res), allowed_, sizeof(allowed_) / sizeof(allowed_[0]));          \
        if (f_)                                                                                    \
            printf("\n");                                                                          \
        CU_ASSERT_EQUAL(f_, 0);                                                                    \
    } while (0)

static void test_corrupt_rmcp(void)
{
    uint8_t b[RMCPP_MAX_PACKET + 64];
    size_t n;

    n = hex(P20_OPEN_RSP, b, sizeof(b));
    b[0] = 0x07;
    EXPECT("RMCP version 07h", decode_with(NULL, b, n, PLCAP), CODEC_E_NOT_RMCP);
    n = hex(P20_OPEN_RSP, b, sizeof(b));
    b[3] = 0x06;
    EXPECT("RMCP class ASF", decode_with(NULL, b, n, PLCAP), CODEC_E_NOT_RMCP);
    b[3] = 0x87;
    EXPECT("RMCP ACK bit", decode_with(NULL, b, n, PLCAP), CODEC_E_NOT_RMCP);
    b[3] = 0x08;
    EXPECT("RMCP class OEM", decode_with(NULL, b, n, PLCAP), CODEC_E_NOT_RMCP);

    /* IPMI 1.5 authentication types we never negotiate, and reserved ones */
    static const uint8_t atypes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x16, 0x86, 0xff};
    for (size_t i = 0; i < sizeof(atypes); i++) {
        n = hex(P15, b, sizeof(b));
        b[4] = atypes[i];
        char what[40];
        snprintf(what, sizeof(what), "auth type %02xh", atypes[i]);
        EXPECT(what, decode_with(NULL, b, n, PLCAP), CODEC_E_AUTH_TYPE);
    }
}

static void test_corrupt_lengths(void)
{
    uint8_t b[RMCPP_MAX_PACKET + 64];
    size_t n;

    /* RMCP+: payload length one more / one less than the datagram carries */
    n = hex(P20_OPEN_RSP, b, sizeof(b));
    b[14] = 37;
    EXPECT("2.0 length > datagram", decode_with(NULL, b, n, PLCAP), CODEC_E_TRUNCATED,
           CODEC_E_LENGTH);
    b[14] = 35;
    EXPECT("2.0 length < datagram", decode_with(NULL, b, n, PLCAP), CODEC_E_LENGTH);
    b[14] = 36;
    b[15] = 0x01; /* 292 */
    EXPECT("2.0 length high byte", decode_with(NULL, b, n, PLCAP), CODEC_E_TRUNCATED,
           CODEC_E_LENGTH);

    /* IPMI 1.5: one legacy pad byte is allowed, two extra bytes are not */
    n = hex(P15, b, sizeof(b));
    b[13] = 17;
    EXPECT("1.5 length > datagram", decode_with(NULL, b, n, PLCAP), CODEC_E_TRUNCATED,
           CODEC_E_LENGTH);
    b[13] = 14;
    EXPECT("1.5 length < datagram - 1", decode_with(NULL, b, n, PLCAP), CODEC_E_LENGTH);

    /* datagrams above RMCPP_MAX_PACKET, however well-formed */
    static const size_t big[] = {RMCPP_MAX_PACKET + 1, RMCPP_MAX_PACKET + 64};
    for (size_t i = 0; i < 2; i++) {
        n = hex(P20_OPEN_RSP, b, sizeof(b));
        size_t plen = big[i] - 16;
        memset(b + 16, 0x5a, plen);
        b[14] = (uint8_t)plen;
        b[15] = (uint8_t)(plen >> 8);
        EXPECT("oversize 2.0 datagram", decode_with(NULL, b, big[i], PLCAP), CODEC_E_OVERSIZE);
        n = hex(P15, b, sizeof(b));
        memset(b + 14, 0x5a, big[i] - 14);
        EXPECT("oversize 1.5 datagram", decode_with(NULL, b, big[i], PLCAP), CODEC_E_OVERSIZE);
    }

    /* a payload larger than the caller's buffer */
    n = hex(P20_OPEN_RSP, b, sizeof(b));
    EXPECT("2.0 payload > plcap", decode_with(NULL, b, n, 35), CODEC_E_OVERSIZE);
    n = hex(P15, b, sizeof(b));
    EXPECT("1.5 payload > plcap", decode_with(NULL, b, n, 15), CODEC_E_OVERSIZE);
    n = hex(PKT_S3, b, sizeof(b));
    EXPECT("encrypted payload > plcap", decode_with(&keys_s3, b, n, 6), CODEC_E_OVERSIZE);
    /* and exactly enough */
    n = hex(P20_OPEN_RSP, b, sizeof(b));
    CU_ASSERT_EQUAL(decode_with(NULL, b, n, 36).rc, 0);
    n = hex(P15, b, sizeof(b));
    CU_ASSERT_EQUAL(decode_with(NULL, b, n, 16).rc, 0);

    /* OEM explicit payloads carry 6 more header bytes we do not parse */
    n = hex(P20_OPEN_RSP, b, sizeof(b));
    b[5] = RMCPP_PL_OEM;
    EXPECT("OEM payload", decode_with(NULL, b, n, PLCAP), CODEC_E_PAYLOAD_TYPE, CODEC_E_LENGTH,
           CODEC_E_TRUNCATED);
}

static void test_corrupt_security(void)
{
    uint8_t b[256];
    size_t n;

    /* encrypted or authenticated, but no session keys */
    n = hex(PKT_S3, b, sizeof(b));
    EXPECT("encrypted, no keys", decode_with(NULL, b, n, PLCAP), CODEC_E_SECURITY);
    n = hex(PKT_S2, b, sizeof(b));
    EXPECT("authenticated, no keys", decode_with(NULL, b, n, PLCAP), CODEC_E_SECURITY);
    n = hex(P20_OPEN_RSP, b, sizeof(b));
    b[5] |= 0x80;
    EXPECT("encrypted bit, no keys", decode_with(NULL, b, n, PLCAP), CODEC_E_SECURITY);

    /* a session with integrity refuses a packet without it (downgrade) */
    uint8_t msg[16];
    size_t mn = hex(MSG, msg, sizeof(msg));
    struct pktspec s = {RMCPP_PL_IPMI, msg, mn, -1, -1, -1, -1, NULL};
    n = build(b, sizeof(b), &s);
    EXPECT("clear packet, suite 2 session", decode_with(&keys_s2, b, n, PLCAP), CODEC_E_SECURITY);
    EXPECT("clear packet, suite 3 session", decode_with(&keys_s3, b, n, PLCAP), CODEC_E_SECURITY);
    EXPECT("clear packet, suite 17 session", decode_with(&keys_s17, b, n, PLCAP), CODEC_E_SECURITY);
    /* ...and one authenticated but not encrypted, in a suite 3 session */
    s.ptype = 0x40;
    s.k = &keys_s3;
    n = build(b, sizeof(b), &s);
    EXPECT("unencrypted packet, suite 3 session", decode_with(&keys_s3, b, n, PLCAP),
           CODEC_E_SECURITY);
    /* ...and IPMI 1.5 framing, which has no integrity at all */
    n = hex(P15, b, sizeof(b));
    EXPECT("IPMI 1.5 packet, suite 3 session", decode_with(&keys_s3, b, n, PLCAP),
           CODEC_E_SECURITY);
    EXPECT("IPMI 1.5 packet, suite 2 session", decode_with(&keys_s2, b, n, PLCAP),
           CODEC_E_SECURITY);

    /* a flipped bit in the encrypted data */
    for (size_t i = 16; i < 48; i += 5) {
        n = hex(PKT_S3, b, sizeof(b));
        b[i] ^= 0x10;
        EXPECT("flipped bit in encrypted data", decode_with(&keys_s3, b, n, PLCAP),
               CODEC_E_INTEGRITY);
        n = hex(PKT_S17, b, sizeof(b));
        b[i] ^= 0x01;
        EXPECT("flipped bit in encrypted data (17)", decode_with(&keys_s17, b, n, PLCAP),
               CODEC_E_INTEGRITY);
    }
}

/* Malformed trailers and pads, correctly signed with K1 (so only the structure is wrong). */
static void test_corrupt_pads(void)
{
    uint8_t b[256], msg[16];
    size_t mn = hex(MSG, msg, sizeof(msg));
    const struct rmcpp_keys *ks[] = {&keys_s2, &keys_s17};
    for (size_t i = 0; i < 2; i++) {
        const struct rmcpp_keys *k = ks[i];
        uint8_t ptype = k->suite->conf ? 0xc0 : 0x40;
        uint8_t body[64];
        size_t bl = mn;
        if (k->suite->conf) {
            uint8_t pt[16], iv[16];
            memcpy(pt, msg, mn);
            memcpy(pt + mn, "\x01\x02\x03\x04\x05\x06\x07\x08\x08", 9);
            memset(iv, 0xa5, 16);
            bl = raw_aes(k->k2, iv, pt, 16, body);
        } else {
            memcpy(body, msg, mn);
        }
        struct pktspec s = {ptype, body, bl, -1, -1, -1, -1, k};
        size_t n = build(b, sizeof(b), &s);
        CU_ASSERT_EQUAL(decode_with(k, b, n, PLCAP).rc, 0); /* the builder is right */

        /* integrity pad byte FEh instead of FFh */
        size_t natural = (4 - (12 + bl + 2) % 4) % 4;
        if (natural) {
            n = build(b, sizeof(b), &s);
            b[16 + bl] = 0xfe;
            raw_mac(k, b + 4, 12 + bl + natural + 2, b + 16 + bl + natural + 2);
            EXPECT("integrity pad byte FEh", decode_with(k, b, n, PLCAP), CODEC_E_PAD);
        }
        /* pad length byte disagrees with the pad */
        s.padlen = (long)natural + 1;
        n = build(b, sizeof(b), &s);
        EXPECT("pad length off by one", decode_with(k, b, n, PLCAP), CODEC_E_PAD);
        s.padlen = 0x80;
        n = build(b, sizeof(b), &s);
        EXPECT("pad length 80h", decode_with(k, b, n, PLCAP), CODEC_E_PAD);
        s.padlen = -1;
        /* more pad than a DWORD needs */
        s.pad = (long)natural + 4;
        n = build(b, sizeof(b), &s);
        EXPECT("integrity pad of 4+ bytes", decode_with(k, b, n, PLCAP), CODEC_E_PAD);
        s.pad = -1;
        /* next header other than 07h */
        s.nh = 0x06;
        n = build(b, sizeof(b), &s);
        EXPECT("next header 06h", decode_with(k, b, n, PLCAP), CODEC_E_PAD, CODEC_E_FIELD);
        s.nh = -1;
        /* auth code one byte short or long */
        n = build(b, sizeof(b), &s);
        EXPECT("auth code one byte short", decode_with(k, b, n - 1, PLCAP), CODEC_E_TRUNCATED,
               CODEC_E_PAD, CODEC_E_LENGTH, CODEC_E_INTEGRITY);
        b[n] = 0;
        EXPECT("auth code one byte long", decode_with(k, b, n + 1, PLCAP), CODEC_E_PAD,
               CODEC_E_LENGTH, CODEC_E_INTEGRITY);
    }

    /* a confidentiality pad that is wrong under a valid MAC */
    static const char *const bad_pt[] = {
        "2018c88104017a 0102030405060709 08", /* last pad byte */
        "2018c88104017a 0002030405060708 08", /* first pad byte */
        "0102030405060708090a0b0c0d0e0f 10",  /* pad length 16 */
        "2018c88104017a 0102030405060708 0f", /* pad length reaches into the data */
    };
    const struct rmcpp_keys *ek[] = {&keys_s3, &keys_s17};
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < sizeof(bad_pt) / sizeof(bad_pt[0]); j++) {
            uint8_t pt[32], iv[16], body[64];
            size_t pn = hex(bad_pt[j], pt, sizeof(pt));
            memset(iv, 0x3c, 16);
            size_t bl = raw_aes(ek[i]->k2, iv, pt, pn, body);
            struct pktspec s = {0xc0, body, bl, -1, -1, -1, -1, ek[i]};
            size_t n = build(b, sizeof(b), &s);
            char what[64];
            snprintf(what, sizeof(what), "suite %u, confidentiality pad %zu", ek[i]->suite->id, j);
            EXPECT(what, decode_with(ek[i], b, n, PLCAP), CODEC_E_PAD);
        }
        /* encrypted payloads that are not IV + whole blocks, under a valid MAC */
        static const size_t blens[] = {0, 8, 16, 24, 40};
        for (size_t j = 0; j < sizeof(blens) / sizeof(blens[0]); j++) {
            uint8_t body[64];
            memset(body, 0x42, sizeof(body));
            struct pktspec s = {0xc0, body, blens[j], -1, -1, -1, -1, ek[i]};
            size_t n = build(b, sizeof(b), &s);
            char what[64];
            snprintf(what, sizeof(what), "suite %u, %zu encrypted bytes", ek[i]->suite->id,
                     blens[j]);
            EXPECT(what, decode_with(ek[i], b, n, PLCAP), CODEC_E_TRUNCATED, CODEC_E_LENGTH,
                   CODEC_E_DECRYPT);
        }
    }
}

static void test_corrupt_lan(void)
{
    uint8_t b[RMCPP_MAX_PACKET + 8];
    size_t n = hex(LAN_DEVID, b, sizeof(b));
    const struct decoder *d = NULL;
    for (size_t i = 0; i < NDECODERS; i++)
        if (decoders[i].kind == D_LAN)
            d = &decoders[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);

    b[2] ^= 0x01;
    EXPECT("header checksum", run(d, b, n), CODEC_E_CHECKSUM);
    b[2] ^= 0x01;
    b[n - 1] ^= 0x80;
    EXPECT("data checksum", run(d, b, n), CODEC_E_CHECKSUM);
    b[n - 1] ^= 0x80;
    b[10] ^= 0x04;
    EXPECT("data byte changed", run(d, b, n), CODEC_E_CHECKSUM);
    b[10] ^= 0x04;
    b[1] ^= 0x04; /* netfn changes: only the header checksum can tell */
    EXPECT("netfn changed", run(d, b, n), CODEC_E_CHECKSUM);
    b[1] ^= 0x04;

    /* longer than any IPMI message, with both checksums right */
    size_t big = RMCPP_MAX_PACKET + 1;
    memset(b + 6, 0, big - 6);
    b[6] = 0x01;
    b[big - 1] = (uint8_t)(0x100 - ((0x20 + 0x04 + 0x01 + 0x01) & 0xff));
    EXPECT("oversize LAN message", run(d, b, big), CODEC_E_OVERSIZE);
}

static void test_corrupt_layouts(void)
{
    /* one byte more than each layout's maximum */
    for (size_t di = 0; di < NDECODERS; di++) {
        const struct decoder *d = &decoders[di];
        if (d->kind != D_LAYOUT || !d->layout->max_len)
            continue;
        uint8_t b[512];
        memset(b, 0, sizeof(b));
        hex(d->sample, b, sizeof(b));
        char what[96];
        snprintf(what, sizeof(what), "%s, %u bytes", d->layout->name, d->layout->max_len + 1u);
        EXPECT(what, run(d, b, d->layout->max_len + 1u), CODEC_E_OVERSIZE);
        CU_ASSERT_EQUAL(run(d, b, d->layout->max_len).rc, (long)d->layout->max_len);
    }

    /* a tail longer than its capacity, with no max_len to catch it first */
    struct tailed {
        uint8_t a;
        uint8_t t[4];
        size_t tlen;
    };
    static const struct lfield tf[] = {
        LF(LF_U8, 0, struct tailed, a),
        LF_TAILF(2, struct tailed, t, tlen),
    };
    static const struct layout tl = LAYOUT("tailed", struct tailed, tf, 1, 0);
    const struct decoder td = {"tailed", D_LAYOUT, NULL, &tl, sizeof(struct tailed), ""};
    uint8_t b[16] = {0x11, 0x00, 1, 2, 3, 4, 5};
    CU_ASSERT_EQUAL(run(&td, b, 6).rc, 6);
    EXPECT("tail of 5 into 4", run(&td, b, 7), CODEC_E_OVERSIZE);
    EXPECT("tail of 14 into 4", run(&td, b, 16), CODEC_E_OVERSIZE);
    struct tailed o;
    enum codec_err err;
    CU_ASSERT_EQUAL(layout_decode(&tl, b, 6, &o, &err), 6);
    CU_ASSERT(o.a == 0x11 && o.tlen == 4 && memcmp(o.t, "\x01\x02\x03\x04", 4) == 0);
    CU_ASSERT_EQUAL(layout_decode(&tl, b, 2, &o, &err), 2);
    CU_ASSERT_EQUAL(o.tlen, 0);

    /* the real layouts' tails: RAKP 2 key exchange code, cipher suite record data */
    uint8_t big[128];
    memset(big, 0x33, sizeof(big));
    enum codec_err e2 = CODEC_OK;
    struct rmcpp_rakp2 r2;
    CU_ASSERT_EQUAL(layout_decode(&rmcpp_rakp2_layout, big, 40 + 33, &r2, &e2), -1);
    CU_ASSERT_EQUAL(e2, CODEC_E_OVERSIZE);
    struct ipmi_ciphers_rsp cr;
    e2 = CODEC_OK;
    CU_ASSERT_EQUAL(layout_decode(&ipmi_ciphers_rsp_layout, big, 2 + 17, &cr, &e2), -1);
    CU_ASSERT_EQUAL(e2, CODEC_E_OVERSIZE);

    /* an encoder never writes past its buffer either */
    struct rmcpp_rakp2 r2e;
    memset(&r2e, 0, sizeof(r2e));
    r2e.kex_len = 20;
    for (size_t cap = 0; cap < 60; cap++) {
        uint8_t *o2 = malloc(cap ? cap : 1);
        CU_ASSERT_FATAL(o2 != NULL);
        CU_ASSERT_EQUAL(layout_encode(&rmcpp_rakp2_layout, &r2e, o2, cap, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_OVERSIZE);
        free(o2);
    }
    r2e.kex_len = 33; /* more than the kex[] array holds */
    CU_ASSERT_EQUAL(layout_encode(&rmcpp_rakp2_layout, &r2e, big, sizeof(big), &err), -1);
}

static void test_corrupt_records(void)
{
    uint8_t ids[RECORD_CAP];
    enum codec_err err;
    static const struct {
        const char *hex;
        enum codec_err want;
    } bad[] = {
        {"00 01 01 40 80", CODEC_E_FIELD},        /* no record start byte */
        {"c0 01 01 40 80 c5", CODEC_E_FIELD},     /* ... after a good record */
        {"ff", CODEC_E_FIELD},                    /* 11b tag, but neither C0h nor C1h */
        {"c0", CODEC_E_TRUNCATED},                /* start byte, no suite ID */
        {"c0 01 01 40 80 c0", CODEC_E_TRUNCATED}, /* the same at the end */
        {"c1 80 57 01", CODEC_E_TRUNCATED},       /* OEM record cut inside its IANA */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t b[32];
        size_t n = hex(bad[i].hex, b, sizeof(b));
        uint8_t *c = exact(b, n);
        err = CODEC_OK;
        int r = ipmi_cipher_records_parse(c, n, ids, RECORD_CAP, &err);
        if (r != -1 || err != bad[i].want)
            printf("\n    records \"%s\": %d, %s\n", bad[i].hex, r, codec_err_name(err));
        CU_ASSERT_EQUAL(r, -1);
        CU_ASSERT_EQUAL(err, bad[i].want);
        exact_free(c);
    }

    /* an OEM record between standard ones does not disturb them */
    uint8_t b[64];
    size_t n = hex("c0 03 01 41 81 c1 80 57 01 00 01 41 81 c0 11 03 44 81", b, sizeof(b));
    int r = ipmi_cipher_records_parse(b, n, ids, RECORD_CAP, &err);
    CU_ASSERT(r >= 2 && ids[0] == 3 && ids[r - 1] == 17);

    /* more suites than room: never a byte past `cap` */
    n = hex(RECORDS, b, sizeof(b));
    for (size_t cap = 0; cap <= 5; cap++) {
        uint8_t *o = malloc(cap ? cap : 1);
        CU_ASSERT_FATAL(o != NULL);
        r = ipmi_cipher_records_parse(b, n, o, cap, &err);
        CU_ASSERT(r == -1 ? reason_ok(err) : (size_t)r <= cap);
        free(o);
    }
}

/* ---- encode/decode round trip at every payload length ------------------------------ */

static void test_roundtrip_lengths(void)
{
    static const struct rmcpp_keys *const ks[] = {NULL, &keys_s1, &keys_s2, &keys_s3, &keys_s17};
    uint8_t *msg = malloc(RMCPP_MAX_PAYLOAD);
    uint8_t *out = malloc(RMCPP_MAX_PACKET);
    /* the natural buffer for a payload: RMCPP_MAX_PAYLOAD bytes */
    uint8_t *pl = malloc(RMCPP_MAX_PAYLOAD);
    uint8_t iv[16];
    CU_ASSERT_FATAL(msg && out && pl);
    memset(iv, 0x77, sizeof(iv));
    for (size_t i = 0; i < RMCPP_MAX_PAYLOAD; i++)
        msg[i] = (uint8_t)(i ^ 0x5c);
    for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
        unsigned bad = 0;
        for (size_t n = 0; n <= RMCPP_MAX_PAYLOAD; n++) {
            enum codec_err err = CODEC_OK;
            ssize_t w = rmcpp_encode(out, RMCPP_MAX_PACKET, RMCPP_PL_IPMI, 0x01020304u, (uint32_t)n,
                                     ks[ki], iv, msg, n, &err);
            struct rmcpp_pkt p;
            int d =
                w < 0 ? -1 : rmcpp_decode(out, (size_t)w, ks[ki], pl, RMCPP_MAX_PAYLOAD, &p, &err);
            /* the session ID is read without decoding; a header cut short has none */
            if (w >= 0 && (rmcpp_peek_session_id(out, (size_t)w) != 0x01020304u ||
                           rmcpp_peek_session_id(out, 15) != 0))
                d = -2;
            if (d != 0 || p.plen != n || memcmp(p.payload, msg, n) != 0 || p.seq != n) {
                if (bad++ < 3)
                    printf("\n    suite %u, %zu-byte payload: encode %zd, decode %d (%s)",
                           ks[ki] ? ks[ki]->suite->id : 0, n, w, d, codec_err_name(err));
            }
        }
        if (bad)
            printf("\n    suite %u: %u of %d lengths failed\n", ks[ki] ? ks[ki]->suite->id : 0, bad,
                   RMCPP_MAX_PAYLOAD + 1);
        CU_ASSERT_EQUAL(bad, 0);
    }
    /* one byte more than RMCPP_MAX_PAYLOAD is refused by the encoder */
    uint8_t *tooBig = calloc(1, RMCPP_MAX_PAYLOAD + 1);
    enum codec_err err = CODEC_OK;
    CU_ASSERT_FATAL(tooBig != NULL);
    CU_ASSERT_EQUAL(rmcpp_encode(out, RMCPP_MAX_PACKET, RMCPP_PL_IPMI, 1, 1, NULL, NULL, tooBig,
                                 RMCPP_MAX_PAYLOAD + 1, &err),
                    -1);
    CU_ASSERT_EQUAL(err, CODEC_E_OVERSIZE);
    free(tooBig);
    free(msg);
    free(out);
    free(pl);
}

/* ---- random bytes ------------------------------------------------------------------ */

struct tally {
    unsigned ok, reasons[CODEC_E__COUNT], insane;
};

static void tally_add(struct tally *t, const struct result *r)
{
    if (!r->sane)
        t->insane++;
    else if (r->rc >= 0)
        t->ok++;
    else
        t->reasons[r->err]++;
}

static void tally_print(const char *name, const struct tally *t)
{
    printf("\n      %-34s ok %-5u", name, t->ok);
    for (int e = 1; e < CODEC_E__COUNT; e++)
        if (t->reasons[e])
            printf(" %s %u", codec_err_name((enum codec_err)e), t->reasons[e]);
    if (t->insane)
        printf(" NO-REASON/INSANE %u", t->insane);
}

/* Pure random buffers of random length, through every decoder. */
static void test_random_bytes(void)
{
    static uint8_t b[RMCPP_MAX_PACKET + 64];
    struct tally t[NDECODERS];
    memset(t, 0, sizeof(t));
    rng_seed(20240521);
    for (unsigned round = 0; round < RANDOM_ROUNDS; round++) {
        size_t n = rng() % (RMCPP_MAX_PACKET + 40);
        if (round % 4 == 0)
            n %= 64; /* plenty of short ones */
        for (size_t i = 0; i < n; i++)
            b[i] = (uint8_t)rng();
        if (round % 2 == 0 && n >= 6) {
            /* a valid RMCP header half the time, so the decoders get further */
            memcpy(b, "\x06\x00\xff\x07", 4);
            b[4] = rng() % 3 ? 0x06 : 0x00;
        }
        for (size_t di = 0; di < NDECODERS; di++) {
            struct result r = run(&decoders[di], b, n);
            tally_add(&t[di], &r);
        }
    }
    unsigned insane = 0;
    for (size_t di = 0; di < NDECODERS; di++) {
        tally_print(decoders[di].name, &t[di]);
        insane += t[di].insane;
    }
    printf("\n");
    CU_ASSERT_EQUAL(insane, 0);
}

/* Valid samples with random damage: bit flips, byte changes, cuts and extensions. */
static void test_random_mutations(void)
{
    static uint8_t b[RMCPP_MAX_PACKET + 64];
    struct tally t[NDECODERS];
    memset(t, 0, sizeof(t));
    rng_seed(977);
    for (size_t di = 0; di < NDECODERS; di++) {
        uint8_t base[256];
        size_t blen = hex(decoders[di].sample, base, sizeof(base));
        for (unsigned round = 0; round < RANDOM_ROUNDS; round++) {
            size_t n = blen;
            memcpy(b, base, blen);
            unsigned ops = 1 + rng() % 3;
            for (unsigned o = 0; o < ops; o++) {
                switch (rng() % 5) {
                case 0: /* flip a bit */
                    if (n)
                        b[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
                    break;
                case 1: /* set a byte */
                    if (n)
                        b[rng() % n] = (uint8_t)rng();
                    break;
                case 2: /* cut */
                    if (n)
                        n = rng() % n;
                    break;
                case 3: /* extend */
                {
                    size_t add = 1 + rng() % 40;
                    for (size_t i = 0; i < add && n < sizeof(b); i++)
                        b[n++] = (uint8_t)rng();
                    break;
                }
                default: /* make a length field lie */
                    if (n > 15)
                        b[14 + rng() % 2] = (uint8_t)rng();
                    else if (n > 13)
                        b[13] = (uint8_t)rng();
                    break;
                }
            }
            struct result r = run(&decoders[di], b, n);
            tally_add(&t[di], &r);
        }
    }
    unsigned insane = 0;
    for (size_t di = 0; di < NDECODERS; di++) {
        tally_print(decoders[di].name, &t[di]);
        insane += t[di].insane;
    }
    printf("\n");
    CU_ASSERT_EQUAL(insane, 0);
}

/* Inbound sequence numbers (IPMI 2.0 section 6.12.13): 0 is never used, so
 * FFFFFFFFh is followed by 1, and the window slides across the wrap. */
static void test_seq_window_wrap(void)
{
    struct rmcpp_seq_window w = {0, 0};
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 0));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 0xfffffffdu));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 0xffffffffu));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 1));            /* the next one after FFFFFFFFh */
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 0));           /* reserved */
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 0xfffffffeu));  /* late, inside the window */
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 0xfffffffeu)); /* replayed */
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 0xffffffffu));
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 1));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 3));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 2));
    /* 32 numbers on, FFFFFFFDh has left the window */
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 31));
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 0xfffffffdu));
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 0xffffffffu)); /* 31 behind: inside, seen already */
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 17));           /* inside, not seen yet */
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 0xfffffff0u)); /* far behind */
    CU_ASSERT_EQUAL(w.hi, 31);
}

static void test_seq_window_plain(void)
{
    struct rmcpp_seq_window w = {0, 0};
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 1));
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 1));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 5));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 4));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 2));
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 4));
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 100));
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 68)); /* 32 behind */
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 69));  /* 31 behind */
    /* half the sequence space ahead is a jump forward, not a replay */
    CU_ASSERT_TRUE(rmcpp_seq_accept(&w, 100 + 0x7ffffff0u));
    CU_ASSERT_FALSE(rmcpp_seq_accept(&w, 100));
}

static CU_TestInfo seq_tests[] = {
    {"window within the sequence space", test_seq_window_plain},
    {"window across FFFFFFFFh", test_seq_window_wrap},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo sample_tests[] = {
    {"layout tables are consistent", test_layout_tables},
    {"session setup messages", test_sample_session_setup},
    {"RAKP 1 with a bare user name", test_rakp1_bare_user},
    {"command responses", test_sample_commands},
    {"IPMI LAN message", test_sample_lan},
    {"RMCP / RMCP+ frames", test_sample_frames},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo truncation_tests[] = {
    {"every prefix of every sample", test_truncations},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo corrupt_tests[] = {
    {"RMCP header and auth type", test_corrupt_rmcp},
    {"lengths and sizes", test_corrupt_lengths},
    {"security flags and integrity", test_corrupt_security},
    {"integrity and confidentiality pads", test_corrupt_pads},
    {"LAN message checksums", test_corrupt_lan},
    {"layout sizes and tails", test_corrupt_layouts},
    {"cipher suite records", test_corrupt_records},
    {"round trip at every length", test_roundtrip_lengths},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo random_tests[] = {
    {"random bytes", test_random_bytes},
    {"random damage to valid samples", test_random_mutations},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"samples", init_keys, NULL, NULL, NULL, sample_tests},
    {"truncations", init_keys, NULL, NULL, NULL, truncation_tests},
    {"corruptions", init_keys, NULL, NULL, NULL, corrupt_tests},
    {"random", init_keys, NULL, NULL, NULL, random_tests},
    {"sequence window", NULL, NULL, NULL, NULL, seq_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return unit_run("test_codec", suites);
}
