/*
 * test_asf_info.c - the RMCP/ASF Presence Ping/Pong codec and the layouts
 * of Get POH Counter, Get SEL Time, Get Channel Info, Get LAN
 * Configuration Parameters and DCMI Get Power Reading, against byte
 * vectors written from DMTF ASF 2.0 section 3.2.4, IPMI 2.0 sections
 * 28.14, 31.10, 22.24, 23.2 and DCMI 1.5 section 6.6.1.
 */
#include <string.h>

#include "asf.h"
#include "ipmi_info.h"
#include "unit.h"

static void test_ping_bytes(void)
{
    /* RMCP 06 00 FF 06, IANA 4542 = 00 00 11 BE, type 80h, tag, 00, length 0 */
    static const uint8_t want[] = {0x06, 0x00, 0xFF, 0x06, 0x00, 0x00,
                                   0x11, 0xBE, 0x80, 0x17, 0x00, 0x00};
    uint8_t buf[64];
    enum codec_err e;
    CU_ASSERT_EQUAL(asf_ping_encode(0x17, buf, sizeof(buf), &e), (ssize_t)sizeof(want));
    CU_ASSERT(memcmp(buf, want, sizeof(want)) == 0);
    uint8_t tag = 0;
    CU_ASSERT_EQUAL(asf_ping_decode(want, sizeof(want), &tag, &e), 0);
    CU_ASSERT_EQUAL(tag, 0x17);
    CU_ASSERT_EQUAL(asf_ping_encode(1, buf, 8, &e), -1); /* no room */
}

static void test_pong_decode(void)
{
    /* a pong from an IPMI-capable ASF 1.0 device, tag 2Ah */
    static const uint8_t pong[] = {0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x40, 0x2A,
                                   0x00, 0x10, 0x00, 0x00, 0x11, 0xBE, 0x00, 0x00, 0x00, 0x00,
                                   0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    struct asf_pong p;
    enum codec_err e = CODEC_OK;
    CU_ASSERT_TRUE(asf_is_asf(pong, sizeof(pong)));
    CU_ASSERT_EQUAL_FATAL(asf_pong_decode(pong, sizeof(pong), &p, &e), 0);
    CU_ASSERT_EQUAL(p.tag, 0x2A);
    CU_ASSERT_EQUAL(p.oem_iana, ASF_IANA);
    CU_ASSERT_EQUAL(p.entities, 0x81);
    /* what bmcsim sends decodes to the same */
    uint8_t buf[64];
    CU_ASSERT_EQUAL(asf_pong_encode(0x2A, 0x81, buf, sizeof(buf), &e), (ssize_t)sizeof(pong));
    CU_ASSERT(memcmp(buf, pong, sizeof(pong)) == 0);

    uint8_t bad[sizeof(pong)];
    memcpy(bad, pong, sizeof(bad));
    CU_ASSERT_EQUAL(asf_pong_decode(bad, 20, &p, &e), -1); /* data shorter than its length */
    CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);
    bad[7] = 0xBF; /* another IANA number */
    CU_ASSERT_EQUAL(asf_pong_decode(bad, sizeof(bad), &p, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_FIELD);
    memcpy(bad, pong, sizeof(bad));
    bad[8] = 0x80; /* a ping is no pong */
    CU_ASSERT_EQUAL(asf_pong_decode(bad, sizeof(bad), &p, &e), -1);
    memcpy(bad, pong, sizeof(bad));
    bad[0] = 0x05; /* not RMCP version 1.0 */
    CU_ASSERT_FALSE(asf_is_asf(bad, sizeof(bad)));
    CU_ASSERT_EQUAL(asf_pong_decode(bad, sizeof(bad), &p, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_NOT_RMCP);
    /* an IPMI datagram (class 07h) is not ASF */
    static const uint8_t ipmi[] = {0x06, 0x00, 0xFF, 0x07, 0x06, 0x00};
    CU_ASSERT_FALSE(asf_is_asf(ipmi, sizeof(ipmi)));
    for (size_t n = 0; n < sizeof(pong); n++) /* every truncation is refused, none crashes */
        CU_ASSERT_EQUAL(asf_pong_decode(pong, n, &p, &e), -1);
}

static void test_poh_sel_time(void)
{
    static const uint8_t poh[] = {0x00, 0x3C, 0x20, 0x4E, 0x00, 0x00}; /* 60 min, 20000 */
    struct ipmi_poh_rsp p;
    enum codec_err e;
    CU_ASSERT(layout_decode(&ipmi_poh_rsp_layout, poh, sizeof(poh), &p, &e) > 0);
    CU_ASSERT_EQUAL(p.minutes_per_count, 60);
    CU_ASSERT_EQUAL(p.counter, 20000);
    static const uint8_t cc_only[] = {0xC1}; /* invalid command: still decodes */
    CU_ASSERT(layout_decode(&ipmi_poh_rsp_layout, cc_only, 1, &p, &e) > 0);
    CU_ASSERT_EQUAL(p.cc, 0xC1);
    static const uint8_t t[] = {0x00, 0x80, 0x5C, 0x54, 0x65}; /* 65545C80h */
    struct ipmi_sel_time_rsp st;
    CU_ASSERT(layout_decode(&ipmi_sel_time_rsp_layout, t, sizeof(t), &st, &e) > 0);
    CU_ASSERT_EQUAL(st.time, 0x65545C80u);
    uint8_t longer[7] = {0};
    CU_ASSERT_EQUAL(layout_decode(&ipmi_sel_time_rsp_layout, longer, sizeof(longer), &st, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_OVERSIZE);
}

static void test_lan_dcmi(void)
{
    uint8_t buf[8];
    enum codec_err e;
    struct ipmi_lan_param_req q = {.channel = 1, .param = LAN_PARAM_MAC};
    CU_ASSERT_EQUAL(layout_encode(&ipmi_lan_param_req_layout, &q, buf, sizeof(buf), &e), 4);
    CU_ASSERT(memcmp(buf, "\x01\x05\x00\x00", 4) == 0);
    static const uint8_t mac[] = {0x00, 0x11, 0x02, 0x00, 0x5E, 0x10, 0x00, 0x01};
    struct ipmi_lan_param_rsp r;
    CU_ASSERT(layout_decode(&ipmi_lan_param_rsp_layout, mac, sizeof(mac), &r, &e) > 0);
    CU_ASSERT_EQUAL(r.revision, 0x11);
    CU_ASSERT_EQUAL(r.data_len, 6);
    CU_ASSERT(memcmp(r.data, mac + 2, 6) == 0);
    CU_ASSERT_STRING_EQUAL(ipmi_ip_source_name(1), "static");
    CU_ASSERT_STRING_EQUAL(ipmi_ip_source_name(2), "dhcp");
    CU_ASSERT_STRING_EQUAL(ipmi_ip_source_name(9), "unknown");

    struct dcmi_power_req dq = {.group = DCMI_GROUP_EXT, .mode = DCMI_MODE_SYSTEM_POWER};
    CU_ASSERT_EQUAL(layout_encode(&dcmi_power_req_layout, &dq, buf, sizeof(buf), &e), 4);
    CU_ASSERT(memcmp(buf, "\xDC\x01\x00\x00", 4) == 0);
    static const uint8_t pr[] = {0x00, 0xDC, 0xB4, 0x00, 0x96, 0x00, 0x04, 0x01, 0xC8, 0x00,
                                 0x01, 0x02, 0x03, 0x04, 0x80, 0xEE, 0x36, 0x00, 0x40};
    struct dcmi_power_rsp p;
    CU_ASSERT(layout_decode(&dcmi_power_rsp_layout, pr, sizeof(pr), &p, &e) > 0);
    CU_ASSERT_EQUAL(p.group, 0xDC);
    CU_ASSERT_EQUAL(p.current, 180);
    CU_ASSERT_EQUAL(p.minimum, 150);
    CU_ASSERT_EQUAL(p.maximum, 260);
    CU_ASSERT_EQUAL(p.average, 200);
    CU_ASSERT_EQUAL(p.period_ms, 3600000);
    CU_ASSERT_EQUAL(p.state, 0x40);
}

static CU_TestInfo tests[] = {
    {"Presence Ping bytes", test_ping_bytes},
    {"Presence Pong decode and refusals", test_pong_decode},
    {"POH counter and SEL time", test_poh_sel_time},
    {"LAN parameters and DCMI power reading", test_lan_dcmi},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"asf and info codecs", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return unit_run("test_asf_info", suites);
}
