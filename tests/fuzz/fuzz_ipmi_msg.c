// clang-format off
// fuzz-sources: src/codec/ipmi_msg.c src/codec/layout.c
// clang-format on
/*
 * fuzz_ipmi_msg.c - libFuzzer harness for IPMI LAN message framing (IPMI
 * 2.0 section 13.8: header, two checksums, rqSeq and LUNs) and the layouts
 * of the responses the session layer and --once read (Get Channel Auth
 * Capabilities, Get Channel Cipher Suites and its records, Set Session
 * Privilege Level, Get Device ID, Get System GUID, Get Chassis Status).
 *
 * The input is read three ways:
 *  1. as one LAN message: when it decodes, encoding its fields gives the
 *     same bytes back, and its data goes through every response layout
 *     and the cipher suite record parser;
 *  2. as the fields of a message (addresses, netfn, LUNs, a 6-bit rqSeq
 *     taken from a whole byte, command) and up to 255 data bytes: it is
 *     encoded and decoded back; then one byte of the encoding is changed
 *     (position and value from the input) and the checksums must refuse it;
 *  3. bare, through every response layout.
 * Beyond the sanitizers, the harness aborts when an invariant breaks:
 * data within the message, round trips that give back what went in, a
 * cipher suite list within its capacity, NUL-terminated texts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi_msg.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void layout_roundtrip(const struct layout *l, const uint8_t *d, size_t len)
{
    union {
        struct ipmi_authcap_rsp a;
        struct ipmi_devid_rsp d;
        struct ipmi_guid_rsp g;
        struct ipmi_chassis_rsp c;
        struct ipmi_ciphers_rsp s;
        struct ipmi_setpriv_rsp p;
    } s1, s2;
    CHECK(l->mem_size <= sizeof(s1));
    enum codec_err e = CODEC_E__COUNT;
    ssize_t n = layout_decode(l, d, len, &s1, &e);
    if (n < 0) {
        CHECK(e == CODEC_E_TRUNCATED || e == CODEC_E_OVERSIZE);
        return;
    }
    CHECK(e == CODEC_OK && (size_t)n == len);
    uint8_t buf[64];
    ssize_t m = layout_encode(l, &s1, buf, sizeof(buf), &e);
    CHECK(m >= 0 && e == CODEC_OK);
    CHECK(layout_decode(l, buf, (size_t)m, &s2, &e) == m);
    CHECK(memcmp(&s1, &s2, l->mem_size) == 0);
}

static void responses(const uint8_t *d, size_t len)
{
    static const struct layout *const all[] = {
        &ipmi_authcap_rsp_layout, &ipmi_devid_rsp_layout,   &ipmi_guid_rsp_layout,
        &ipmi_chassis_rsp_layout, &ipmi_ciphers_rsp_layout, &ipmi_setpriv_rsp_layout,
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        layout_roundtrip(all[i], d, len);

    /* what on_ciphers does with the record data of the responses */
    uint8_t ids[32];
    enum codec_err e = CODEC_E__COUNT;
    int n = ipmi_cipher_records_parse(d, len, ids, sizeof(ids), &e);
    CHECK(n < 0 ? (e == CODEC_E_FIELD || e == CODEC_E_TRUNCATED) : e == CODEC_OK);
    CHECK(n <= (int)sizeof(ids));
    if (n > 0) {
        /* every ID comes from a C0h record: never more IDs than C0h bytes */
        int c0 = 0;
        for (size_t i = 0; i < len; i++)
            c0 += d[i] == 0xc0;
        CHECK(n <= c0);
    }

    struct ipmi_guid_rsp g;
    if (layout_decode(&ipmi_guid_rsp_layout, d, len, &g, &e) >= 0) {
        char text[37];
        ipmi_guid_format(g.guid, text);
        CHECK(strlen(text) == 36);
    }
    if (len) {
        CHECK(ipmi_cc_word(d[0]) && ipmi_cc_text(d[0]) && ipmi_priv_name(d[0]));
        CHECK(ipmi_cc_transient(d[0]) ==
              (d[0] == 0xc0 || d[0] == 0xc3 || d[0] == 0xce || (d[0] >= 0xd0 && d[0] <= 0xd2)));
    }
}

/* 1: the input as a LAN message */
static void as_message(const uint8_t *d, size_t len)
{
    struct ipmi_lan_msg m;
    enum codec_err e = CODEC_E__COUNT;
    if (ipmi_lan_decode(d, len, &m, &e) < 0) {
        CHECK(e == CODEC_E_TRUNCATED || e == CODEC_E_OVERSIZE || e == CODEC_E_CHECKSUM);
        return;
    }
    CHECK(e == CODEC_OK && len >= IPMI_LAN_OVERHEAD);
    CHECK(m.data == d + 6 && m.dlen == len - IPMI_LAN_OVERHEAD && m.dlen <= 255);
    CHECK(m.seq < 64 && m.netfn < 64 && m.dst_lun < 4 && m.src_lun < 4);
    CHECK(ipmi_checksum(d, 2) == d[2] && ipmi_checksum(d + 3, len - 4) == d[len - 1]);
    uint8_t out[IPMI_LAN_OVERHEAD + 255];
    ssize_t n = ipmi_lan_encode(out, sizeof(out), &m, &e);
    CHECK(n == (ssize_t)len && memcmp(out, d, len) == 0);
    responses(m.data, m.dlen);
}

/* 2: fields -> encode -> decode, then a changed byte must fail a checksum */
static void from_fields(const uint8_t *d, size_t len)
{
    if (len < 7)
        return;
    struct ipmi_lan_msg m = {
        .dst_addr = d[0],
        .netfn = d[1] & 0x3f,
        .dst_lun = d[1] >> 6,
        .src_addr = d[2],
        .seq = d[3], /* a whole byte: the encoder keeps the low 6 bits */
        .src_lun = d[4] & 3,
        .cmd = d[5],
        .data = d + 7,
        .dlen = len - 7 > 255 ? 255 : len - 7,
    };
    uint8_t out[IPMI_LAN_OVERHEAD + 255];
    enum codec_err e;
    ssize_t n = ipmi_lan_encode(out, sizeof(out), &m, &e);
    CHECK(n == (ssize_t)(IPMI_LAN_OVERHEAD + m.dlen) && e == CODEC_OK);
    CHECK(ipmi_lan_encode(out, (size_t)n - 1, &m, &e) < 0 && e == CODEC_E_OVERSIZE);
    n = ipmi_lan_encode(out, sizeof(out), &m, &e);
    struct ipmi_lan_msg r;
    CHECK(ipmi_lan_decode(out, (size_t)n, &r, &e) == 0);
    CHECK(r.dst_addr == m.dst_addr && r.netfn == m.netfn && r.dst_lun == m.dst_lun);
    CHECK(r.src_addr == m.src_addr && r.seq == (m.seq & 0x3f) && r.src_lun == m.src_lun);
    CHECK(r.cmd == m.cmd && r.dlen == m.dlen);
    CHECK(m.dlen == 0 || memcmp(r.data, m.data, m.dlen) == 0);
    size_t at = d[6] % (size_t)n;
    out[at] ^= (uint8_t)(d[4] | 1);
    CHECK(ipmi_lan_decode(out, (size_t)n, &r, &e) < 0 && e == CODEC_E_CHECKSUM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_message(data, size);
    from_fields(data, size);
    responses(data, size);
    return 0;
}
