/*
 * test_chassis_ctl.c - the chassis control codec: the request layouts of
 * Chassis Control, Chassis Identify and Set/Get System Boot Options (IPMI
 * 2.0 sections 28.3, 28.5, 28.12, 28.13), boot flags (Table 28-14) both
 * ways, the identify bits of Get Chassis Status, and the MIB names.
 */
#include <string.h>

#include "chassis_ctl.h"
#include "unit.h"

static size_t enc(const struct layout *l, const void *in, uint8_t *buf, size_t cap)
{
    enum codec_err e;
    ssize_t n = layout_encode(l, in, buf, cap, &e);
    CU_ASSERT_FATAL(n >= 0);
    return (size_t)n;
}

static void test_chassis_control(void)
{
    /* Table 28-4: the byte of each power action */
    static const struct {
        unsigned v;
        uint8_t code;
    } want[] = {
        {CTL_POWER_OFF, 0x00},           {CTL_POWER_ON, 0x01},
        {CTL_POWER_CYCLE, 0x02},         {CTL_POWER_HARD_RESET, 0x03},
        {CTL_POWER_SOFT_SHUTDOWN, 0x05},
    };
    uint8_t buf[8];
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        CU_ASSERT_EQUAL(ctl_power_code(want[i].v), want[i].code);
        struct ipmi_chassis_ctl_req r = {.control = (uint8_t)ctl_power_code(want[i].v)};
        memset(buf, 0xee, sizeof(buf));
        CU_ASSERT_EQUAL(enc(&ipmi_chassis_ctl_req_layout, &r, buf, sizeof(buf)), 1);
        CU_ASSERT_EQUAL(buf[0], want[i].code);
    }
    CU_ASSERT_EQUAL(ctl_power_code(0), -1);
    CU_ASSERT_EQUAL(ctl_power_code(6), -1);
    CU_ASSERT_EQUAL(ctl_power_code(1000), -1);
    /* no room: refused, nothing written past the buffer */
    enum codec_err e;
    struct ipmi_chassis_ctl_req r = {0};
    CU_ASSERT_EQUAL(layout_encode(&ipmi_chassis_ctl_req_layout, &r, buf, 0, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_OVERSIZE);
}

static void test_identify(void)
{
    uint8_t buf[8];
    struct ipmi_identify_req r = {.interval = 30};
    CU_ASSERT_EQUAL(enc(&ipmi_identify_req_layout, &r, buf, sizeof(buf)), 1);
    CU_ASSERT_EQUAL(buf[0], 30);
    r.interval = 0;
    r.force = 1;
    CU_ASSERT_EQUAL(enc(&ipmi_identify_force_req_layout, &r, buf, sizeof(buf)), 2);
    CU_ASSERT_EQUAL(buf[0], 0);
    CU_ASSERT_EQUAL(buf[1], 1);
}

static void test_boot_options_requests(void)
{
    uint8_t buf[16];
    /* parameter 0, set in progress: 00 01 */
    struct ipmi_bootopt_set_req s = {.param = IPMI_BOOTPARAM_SET_IN_PROGRESS, .dlen = 1};
    s.data[0] = IPMI_BOOT_SET_IN_PROGRESS;
    CU_ASSERT_EQUAL(enc(&ipmi_bootopt_set_req_layout, &s, buf, sizeof(buf)), 2);
    CU_ASSERT_EQUAL(buf[0], 0x00);
    CU_ASSERT_EQUAL(buf[1], 0x01);
    /* parameter 5 with five data bytes */
    struct ipmi_bootopt_set_req f = {.param = IPMI_BOOTPARAM_BOOT_FLAGS, .dlen = 5};
    struct ctl_boot b = {.device = CTL_BOOT_PXE, .persist = CTL_BOOT_ONCE, .mode = CTL_BOOT_UEFI};
    CU_ASSERT_EQUAL(ctl_boot_flags_encode(&b, f.data), 0);
    CU_ASSERT_EQUAL(enc(&ipmi_bootopt_set_req_layout, &f, buf, sizeof(buf)), 6);
    uint8_t want[6] = {0x05, 0xa0, 0x04, 0x00, 0x00, 0x00};
    CU_ASSERT_EQUAL(memcmp(buf, want, 6), 0);
    /* Get System Boot Options: parameter, set selector, block selector */
    struct ipmi_bootopt_get_req g = {.param = 5};
    CU_ASSERT_EQUAL(enc(&ipmi_bootopt_get_req_layout, &g, buf, sizeof(buf)), 3);
    CU_ASSERT_EQUAL(buf[0], 5);
    CU_ASSERT_EQUAL(buf[1], 0);
    CU_ASSERT_EQUAL(buf[2], 0);
}

static void test_boot_options_response(void)
{
    /* as ipmitool shows "Boot parameter data: e008000000" */
    uint8_t rsp[] = {0x00, 0x01, 0x05, 0xe0, 0x08, 0x00, 0x00, 0x00};
    struct ipmi_bootopt_get_rsp g;
    enum codec_err e;
    CU_ASSERT_EQUAL(layout_decode(&ipmi_bootopt_get_rsp_layout, rsp, sizeof(rsp), &g, &e),
                    (ssize_t)sizeof(rsp));
    CU_ASSERT_EQUAL(g.cc, 0);
    CU_ASSERT_EQUAL(g.version, 1);
    CU_ASSERT_EQUAL(g.param, 5);
    CU_ASSERT_EQUAL(g.dlen, 5);
    struct ctl_boot b;
    CU_ASSERT_EQUAL(ctl_boot_flags_decode(g.data, g.dlen, &b), 0);
    CU_ASSERT(b.valid);
    CU_ASSERT_EQUAL(b.device, CTL_BOOT_DISK);
    CU_ASSERT_EQUAL(b.persist, CTL_BOOT_ALWAYS);
    CU_ASSERT_EQUAL(b.mode, CTL_BOOT_UEFI);
    /* an error answer is one byte and still decodes */
    uint8_t err[] = {0x80};
    CU_ASSERT_EQUAL(layout_decode(&ipmi_bootopt_get_rsp_layout, err, 1, &g, &e), 1);
    CU_ASSERT_EQUAL(g.cc, 0x80);
    CU_ASSERT_EQUAL(g.dlen, 0);
    CU_ASSERT_EQUAL(layout_decode(&ipmi_bootopt_get_rsp_layout, err, 0, &g, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);
    /* too short to hold the flags */
    CU_ASSERT_EQUAL(ctl_boot_flags_decode(g.data, 1, &b), -1);
}

static void test_boot_flags(void)
{
    /* every device, persistence and mode round-trips */
    static const uint8_t selector[] = {0, 0x0, 0x1, 0x2, 0x5, 0x6};
    for (unsigned d = 1; d <= CTL_BOOT_DEV__MAX; d++)
        for (unsigned p = 1; p <= CTL_BOOT_PERSIST__MAX; p++)
            for (unsigned m = 1; m <= CTL_BOOT_MODE__MAX; m++) {
                struct ctl_boot in = {.device = (uint8_t)d,
                                      .persist = (uint8_t)p,
                                      .mode = (uint8_t)m},
                                out;
                uint8_t f[5];
                CU_ASSERT_EQUAL_FATAL(ctl_boot_flags_encode(&in, f), 0);
                CU_ASSERT_EQUAL(f[0] & 0x80, 0x80);
                CU_ASSERT_EQUAL(!!(f[0] & 0x40), p == CTL_BOOT_ALWAYS);
                CU_ASSERT_EQUAL(!!(f[0] & 0x20), m == CTL_BOOT_UEFI);
                CU_ASSERT_EQUAL(f[0] & 0x1f, 0);
                CU_ASSERT_EQUAL(f[1], selector[d] << 2);
                CU_ASSERT_EQUAL(f[2] | f[3] | f[4], 0);
                CU_ASSERT_EQUAL(ctl_boot_flags_decode(f, 5, &out), 0);
                CU_ASSERT_EQUAL(out.device, d);
                CU_ASSERT_EQUAL(out.persist, p);
                CU_ASSERT_EQUAL(out.mode, m);
                CU_ASSERT(out.valid);
            }
    /* out of range */
    uint8_t f[5];
    struct ctl_boot bad = {.device = 0, .persist = 1, .mode = 1};
    CU_ASSERT_EQUAL(ctl_boot_flags_encode(&bad, f), -1);
    bad.device = CTL_BOOT_DEV__MAX + 1;
    CU_ASSERT_EQUAL(ctl_boot_flags_encode(&bad, f), -1);
    bad.device = 1;
    bad.persist = 3;
    CU_ASSERT_EQUAL(ctl_boot_flags_encode(&bad, f), -1);
    bad.persist = 1;
    bad.mode = 0;
    CU_ASSERT_EQUAL(ctl_boot_flags_encode(&bad, f), -1);
    /* a selector without a MIB name (hard drive safe mode, 0011b) */
    uint8_t safe[5] = {0x80, 0x0c, 0, 0, 0};
    struct ctl_boot out;
    CU_ASSERT_EQUAL(ctl_boot_flags_decode(safe, 5, &out), 0);
    CU_ASSERT_EQUAL(out.device, 0);
    CU_ASSERT_EQUAL(out.selector, 0x3);
    /* flags not valid */
    uint8_t stale[5] = {0x00, 0x04, 0, 0, 0};
    CU_ASSERT_EQUAL(ctl_boot_flags_decode(stale, 5, &out), 0);
    CU_ASSERT(!out.valid);
    CU_ASSERT_EQUAL(out.device, CTL_BOOT_PXE);
}

static void test_identify_status(void)
{
    CU_ASSERT_EQUAL(ctl_identify_from_status(0x00), 0); /* not reported */
    CU_ASSERT_EQUAL(ctl_identify_from_status(0x30), 0); /* bits without bit 6 */
    CU_ASSERT_EQUAL(ctl_identify_from_status(0x40), CTL_IDENTIFY_OFF);
    CU_ASSERT_EQUAL(ctl_identify_from_status(0x50), CTL_IDENTIFY_ON);
    CU_ASSERT_EQUAL(ctl_identify_from_status(0x60), CTL_IDENTIFY_FORCE);
    CU_ASSERT_EQUAL(ctl_identify_from_status(0x70), 0);                /* reserved */
    CU_ASSERT_EQUAL(ctl_identify_from_status(0x4f), CTL_IDENTIFY_OFF); /* other bits ignored */
}

static void test_names(void)
{
    static const char *const power[] = {NULL,         "powerOff",  "powerOn",
                                        "powerCycle", "hardReset", "softShutdown"};
    for (unsigned v = 1; v <= CTL_POWER__MAX; v++) {
        CU_ASSERT_STRING_EQUAL(ctl_power_name(v), power[v]);
        CU_ASSERT_EQUAL(ctl_power_from_name(power[v]), v);
    }
    CU_ASSERT_PTR_NULL(ctl_power_name(0));
    CU_ASSERT_PTR_NULL(ctl_power_name(CTL_POWER__MAX + 1));
    CU_ASSERT_EQUAL(ctl_power_from_name("poweroff"), 0); /* MIB labels are exact */
    CU_ASSERT_EQUAL(ctl_power_from_name(NULL), 0);
    CU_ASSERT_STRING_EQUAL(ctl_identify_name(CTL_IDENTIFY_FORCE), "forceOn");
    CU_ASSERT_EQUAL(ctl_identify_from_name("on"), CTL_IDENTIFY_ON);
    CU_ASSERT_STRING_EQUAL(ctl_boot_dev_name(CTL_BOOT_BIOS_SETUP), "biosSetup");
    CU_ASSERT_EQUAL(ctl_boot_dev_from_name("cdrom"), CTL_BOOT_CDROM);
    CU_ASSERT_EQUAL(ctl_boot_dev_from_name("floppy"), 0);
    CU_ASSERT_STRING_EQUAL(ctl_boot_persist_name(CTL_BOOT_ALWAYS), "always");
    CU_ASSERT_EQUAL(ctl_boot_mode_from_name("uefi"), CTL_BOOT_UEFI);
    CU_ASSERT_PTR_NULL(ctl_boot_mode_name(3));
}

int main(void)
{
    CU_TestInfo codec[] = {
        {"Chassis Control", test_chassis_control},
        {"Chassis Identify", test_identify},
        {"Set/Get System Boot Options requests", test_boot_options_requests},
        {"Get System Boot Options response", test_boot_options_response},
        {"boot flags", test_boot_flags},
        {"identify state in Get Chassis Status", test_identify_status},
        {"MIB names", test_names},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"chassis control codec", NULL, NULL, NULL, NULL, codec},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_chassis_ctl", suites);
}
