// clang-format off
// fuzz-sources: src/codec/rmcpp.c src/codec/rmcpp_crypto.c src/codec/layout.c src/codec/ipmi_msg.c
// fuzz-libs: -lcrypto
// clang-format on
/*
 * fuzz_rmcpp.c - libFuzzer harness for the RMCP / IPMI 1.5 / RMCP+ packet
 * decoder and the session-setup messages a BMC sends before a session is
 * authenticated (IPMI 2.0 sections 13.6-13.23).
 *
 * The input is read four ways:
 *  1. as a whole datagram, decoded without keys (pre-session), the way the
 *     poller reads Get Channel Auth Capabilities, Open Session, RAKP 2 and
 *     RAKP 4 replies; a decoded payload goes through the layout of its type
 *     (and a LAN message through the Auth Capabilities layout);
 *  2. bare, through every session-setup layout and the Auth Capabilities
 *     layout: a decoded struct must encode and decode back to itself;
 *  3. after its first byte (which picks cipher suite 1, 2, 3 or 17 and
 *     whether the per-session contexts are prepared), as a datagram of an
 *     established session with fixed keys;
 *  4. as a payload that is sealed with those keys and opened again; then
 *     one byte (position and value from the input) is changed, and a
 *     session with integrity must refuse the packet.
 * Beyond the sanitizers, the harness aborts when an invariant breaks: a
 * payload within the caller's buffer, flags that match the keys, a reason
 * code on every refusal, round trips that give back what went in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi_msg.h"
#include "rmcpp.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t plbuf[RMCPP_MAX_PAYLOAD + 32];

/* decode -> encode -> decode gives the same struct (decode zeroes all of it first) */
static void layout_roundtrip(const struct layout *l, const uint8_t *d, size_t len)
{
    union {
        struct rmcpp_open_rsp o;
        struct rmcpp_rakp2 r2;
        struct rmcpp_rakp4 r4;
        struct rmcpp_open_req q;
        struct rmcpp_rakp1 r1;
        struct rmcpp_rakp3 r3;
        struct ipmi_authcap_rsp a;
    } s1, s2;
    CHECK(l->mem_size <= sizeof(s1));
    enum codec_err e = CODEC_E__COUNT;
    ssize_t n = layout_decode(l, d, len, &s1, &e);
    if (n < 0) {
        CHECK(e == CODEC_E_TRUNCATED || e == CODEC_E_OVERSIZE);
        CHECK(len < l->min_len || (l->max_len && len > l->max_len) || e == CODEC_E_OVERSIZE);
        return;
    }
    CHECK(e == CODEC_OK);
    CHECK((size_t)n == len);
    uint8_t buf[256];
    ssize_t m = layout_encode(l, &s1, buf, sizeof(buf), &e);
    CHECK(m >= 0 && e == CODEC_OK);
    CHECK((size_t)m >= l->min_len && (!l->max_len || (size_t)m <= l->max_len));
    CHECK(layout_decode(l, buf, (size_t)m, &s2, &e) == m);
    CHECK(memcmp(&s1, &s2, l->mem_size) == 0);
}

static void check_pkt(const struct rmcpp_pkt *p, int rc, enum codec_err e, size_t plcap)
{
    if (rc < 0) {
        CHECK(e != CODEC_OK && e < CODEC_E__COUNT);
        return;
    }
    CHECK(rc == 0 && e == CODEC_OK);
    CHECK(p->payload == plbuf && p->plen <= plcap);
    CHECK(p->ptype < 0x40 && p->ptype != RMCPP_PL_OEM);
    CHECK(p->auth_type == 0x00 || p->auth_type == 0x06);
    CHECK(rmcpp_payload_name(p->ptype) != NULL);
}

/* 1: a datagram before any session: what on_open_rsp/on_rakp2/on_rakp4/on_authcap see */
static void presession(const uint8_t *d, size_t len)
{
    struct rmcpp_pkt p;
    enum codec_err e = CODEC_E__COUNT;
    int rc = rmcpp_decode(d, len, NULL, plbuf, sizeof(plbuf), &p, &e);
    check_pkt(&p, rc, e, sizeof(plbuf));
    if (rc < 0)
        return;
    CHECK(!p.encrypted && !p.authenticated);
    if (p.auth_type == 0x00) {
        CHECK(p.ptype == RMCPP_PL_IPMI && len >= 14 && p.plen == d[13]);
        CHECK(len == 14 + p.plen || len == 15 + p.plen);
    } else {
        CHECK(len == 16 + p.plen && p.plen == ((size_t)d[14] | (size_t)d[15] << 8));
    }
    CHECK(p.plen == 0 || memcmp(p.payload, d + len - p.plen - (len == 15 + p.plen), p.plen) == 0);
    switch (p.ptype) {
    case RMCPP_PL_OPEN_RSP:
        layout_roundtrip(&rmcpp_open_rsp_layout, p.payload, p.plen);
        break;
    case RMCPP_PL_RAKP2:
        layout_roundtrip(&rmcpp_rakp2_layout, p.payload, p.plen);
        break;
    case RMCPP_PL_RAKP4:
        layout_roundtrip(&rmcpp_rakp4_layout, p.payload, p.plen);
        break;
    case RMCPP_PL_IPMI: {
        struct ipmi_lan_msg m;
        if (ipmi_lan_decode(p.payload, p.plen, &m, &e) == 0) {
            CHECK(m.data == p.payload + 6 && m.dlen + IPMI_LAN_OVERHEAD == p.plen);
            layout_roundtrip(&ipmi_authcap_rsp_layout, m.data, m.dlen);
        }
        break;
    }
    default:
        break;
    }
}

/* 2: every setup layout on the bare bytes */
static void layouts(const uint8_t *d, size_t len)
{
    static const struct layout *const all[] = {
        &rmcpp_open_rsp_layout,   &rmcpp_rakp2_layout, &rmcpp_rakp4_layout,
        &rmcpp_open_req_layout,   &rmcpp_rakp1_layout, &rmcpp_rakp3_layout,
        &ipmi_authcap_rsp_layout,
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        layout_roundtrip(all[i], d, len);
    if (len) {
        CHECK(rmcpp_status_name(d[0]) != NULL && rmcpp_auth_alg_name(d[0]) != NULL);
        CHECK(rmcpp_integ_alg_name(d[0]) != NULL && rmcpp_conf_alg_name(d[0]) != NULL);
    }
}

/* Fixed session keys per suite, derived once: [0] without, [1] with prepared contexts. */
static const uint8_t suite_ids[4] = {1, 2, 3, 17};
static struct rmcpp_keys keys[4][2];

static void keys_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    static const uint8_t kg[20] = "fuzz-kg-0123456789ab";
    uint8_t in[128];
    static const uint8_t rm[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t rc[16] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    size_t n = rmcpp_sik_input(in, rm, rc, 0x14, (const uint8_t *)"fuzz", 4);
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 2; j++) {
            CHECK(rmcpp_derive_keys(&keys[i][j], rmcpp_suite_get(suite_ids[i]), kg, sizeof(kg), in,
                                    n) == 0);
            if (j)
                CHECK(rmcpp_keys_prepare(&keys[i][j]) == 0);
        }
    }
}

/* 3: a datagram inside an established session */
static void insession(const struct rmcpp_keys *k, const uint8_t *d, size_t len)
{
    struct rmcpp_pkt p;
    enum codec_err e = CODEC_E__COUNT;
    int rc = rmcpp_decode(d, len, k, plbuf, sizeof(plbuf), &p, &e);
    check_pkt(&p, rc, e, sizeof(plbuf));
    if (rc < 0)
        return;
    bool integ = k->suite->integ != INTEG_NONE;
    if (p.auth_type == 0x00) {
        CHECK(!integ && k->suite->conf == CONF_NONE); /* no IPMI 1.5 downgrade */
        return;
    }
    CHECK(p.authenticated == integ);
    CHECK(!p.encrypted || k->suite->conf == CONF_AES_CBC_128);
    if (k->suite->conf != CONF_NONE && p.ptype == RMCPP_PL_IPMI)
        CHECK(p.encrypted);
}

/* 4: seal, open, then a one-byte change must be refused when the suite has integrity */
static void roundtrip(const struct rmcpp_keys *k, uint8_t ptype, const uint8_t *d, size_t len,
                      size_t flip_at, uint8_t flip)
{
    static const uint8_t iv[16] = {0xa5, 0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                   0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
    uint8_t pkt[RMCPP_MAX_PACKET];
    enum codec_err e;
    if (len > RMCPP_MAX_PAYLOAD)
        len = RMCPP_MAX_PAYLOAD;
    ssize_t n = rmcpp_encode(pkt, sizeof(pkt), ptype, 0x11223344, 7, k, iv, d, len, &e);
    CHECK(n > 0 && e == CODEC_OK);
    struct rmcpp_pkt p;
    CHECK(rmcpp_decode(pkt, (size_t)n, k, plbuf, sizeof(plbuf), &p, &e) == 0);
    CHECK(p.ptype == ptype && p.session_id == 0x11223344 && p.seq == 7 && p.plen == len);
    CHECK(len == 0 || memcmp(p.payload, d, len) == 0);
    if (!k || k->suite->integ == INTEG_NONE)
        return;
    /* bytes 1 and 2 of the RMCP header (reserved, sequence) are outside the
     * authenticated span; everything from the session header on is covered */
    size_t at = 4 + flip_at % ((size_t)n - 4);
    pkt[at] ^= flip ? flip : 1;
    CHECK(rmcpp_decode(pkt, (size_t)n, k, plbuf, sizeof(plbuf), &p, &e) < 0);
    CHECK(e != CODEC_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keys_init();
    presession(data, size);
    layouts(data, size);

    if (size < 3)
        return 0;
    const struct rmcpp_keys *k = &keys[data[0] & 3][(data[0] >> 2) & 1];
    insession(k, data + 1, size - 1);

    static const uint8_t ptypes[] = {RMCPP_PL_IPMI,  RMCPP_PL_OPEN_RSP, RMCPP_PL_RAKP2,
                                     RMCPP_PL_RAKP4, RMCPP_PL_SOL,      RMCPP_PL_OPEN_REQ};
    uint8_t ptype = ptypes[(data[0] >> 3) % sizeof(ptypes)];
    size_t flip_at = (size_t)data[1] | (size_t)(data[0] >> 6) << 8;
    roundtrip(k, ptype, data + 3, size - 3, flip_at, data[2]);
    roundtrip(NULL, ptype, data + 3, size - 3, flip_at, data[2]);
    return 0;
}
