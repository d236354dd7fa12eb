/*
 * chassis_ctl.c - chassis control request layouts, boot flags and the names of
 * the control enumerations.  Bytes only.
 */
#include "chassis_ctl.h"

#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names, indexed by the MIB value ------------------------------------ */

static const char *const power_names[] = {
    [CTL_POWER_OFF] = "powerOff",
    [CTL_POWER_ON] = "powerOn",
    [CTL_POWER_CYCLE] = "powerCycle",
    [CTL_POWER_HARD_RESET] = "hardReset",
    [CTL_POWER_SOFT_SHUTDOWN] = "softShutdown",
};
/* Chassis Control data byte 1 (IPMI 2.0 Table 28-4), by power action */
static const int8_t power_codes[] = {
    [0] = -1,
    [CTL_POWER_OFF] = 0x00,        /* power down */
    [CTL_POWER_ON] = 0x01,         /* power up */
    [CTL_POWER_CYCLE] = 0x02,      /* power cycle */
    [CTL_POWER_HARD_RESET] = 0x03, /* hard reset */
    /* 04h pulse diagnostic interrupt is not offered */
    [CTL_POWER_SOFT_SHUTDOWN] = 0x05, /* soft shutdown via ACPI overtemperature emulation */
};
static const char *const identify_names[] = {
    [CTL_IDENTIFY_OFF] = "off",
    [CTL_IDENTIFY_ON] = "on",
    [CTL_IDENTIFY_FORCE] = "forceOn",
};
static const char *const boot_dev_names[] = {
    [CTL_BOOT_NONE] = "none",
    [CTL_BOOT_PXE] = "pxe",
    [CTL_BOOT_DISK] = "disk",
    [CTL_BOOT_CDROM] = "cdrom",
    [CTL_BOOT_BIOS_SETUP] = "biosSetup",
};
/* Boot device selector, parameter 5 data byte 2 bits 5:2 (Table 28-14) */
static const uint8_t boot_dev_selector[] = {
    [CTL_BOOT_NONE] = 0x0,       /* no override */
    [CTL_BOOT_PXE] = 0x1,        /* force PXE */
    [CTL_BOOT_DISK] = 0x2,       /* force boot from default hard drive */
    [CTL_BOOT_CDROM] = 0x5,      /* force boot from default CD/DVD */
    [CTL_BOOT_BIOS_SETUP] = 0x6, /* force boot into BIOS setup */
};
static const char *const boot_persist_names[] = {
    [CTL_BOOT_ONCE] = "once",
    [CTL_BOOT_ALWAYS] = "always",
};
static const char *const boot_mode_names[] = {
    [CTL_BOOT_LEGACY] = "legacy",
    [CTL_BOOT_UEFI] = "uefi",
};

static const char *name_of(const char *const *t, size_t n, unsigned v)
{
    return v < n ? t[v] : NULL;
}

static unsigned from_name(const char *const *t, size_t n, const char *s)
{
    if (!s)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (t[i] && strcmp(t[i], s) == 0)
            return (unsigned)i;
    return 0;
}

const char *ctl_power_name(unsigned v)
{
    return name_of(power_names, NELEM(power_names), v);
}
const char *ctl_identify_name(unsigned v)
{
    return name_of(identify_names, NELEM(identify_names), v);
}
const char *ctl_boot_dev_name(unsigned v)
{
    return name_of(boot_dev_names, NELEM(boot_dev_names), v);
}
const char *ctl_boot_persist_name(unsigned v)
{
    return name_of(boot_persist_names, NELEM(boot_persist_names), v);
}
const char *ctl_boot_mode_name(unsigned v)
{
    return name_of(boot_mode_names, NELEM(boot_mode_names), v);
}
unsigned ctl_power_from_name(const char *s)
{
    return from_name(power_names, NELEM(power_names), s);
}
unsigned ctl_identify_from_name(const char *s)
{
    return from_name(identify_names, NELEM(identify_names), s);
}
unsigned ctl_boot_dev_from_name(const char *s)
{
    return from_name(boot_dev_names, NELEM(boot_dev_names), s);
}
unsigned ctl_boot_persist_from_name(const char *s)
{
    return from_name(boot_persist_names, NELEM(boot_persist_names), s);
}
unsigned ctl_boot_mode_from_name(const char *s)
{
    return from_name(boot_mode_names, NELEM(boot_mode_names), s);
}

int ctl_power_code(unsigned v)
{
    return v < NELEM(power_codes) ? power_codes[v] : -1;
}

/* ---- layouts ------------------------------------------------------------ */

static const struct lfield chassis_ctl_fields[] = {
    LF(LF_U8, 0, struct ipmi_chassis_ctl_req, control),
};
const struct layout ipmi_chassis_ctl_req_layout =
    LAYOUT("Chassis Control", struct ipmi_chassis_ctl_req, chassis_ctl_fields, 1, 1);

static const struct lfield identify_fields[] = {
    LF(LF_U8, 0, struct ipmi_identify_req, interval),
};
const struct layout ipmi_identify_req_layout =
    LAYOUT("Chassis Identify", struct ipmi_identify_req, identify_fields, 1, 1);

static const struct lfield identify_force_fields[] = {
    LF(LF_U8, 0, struct ipmi_identify_req, interval),
    LF(LF_U8, 1, struct ipmi_identify_req, force),
};
const struct layout ipmi_identify_force_req_layout =
    LAYOUT("Chassis Identify (force)", struct ipmi_identify_req, identify_force_fields, 2, 2);

static const struct lfield bootopt_set_fields[] = {
    LF(LF_U8, 0, struct ipmi_bootopt_set_req, param),
    LF_TAILF(1, struct ipmi_bootopt_set_req, data, dlen),
};
const struct layout ipmi_bootopt_set_req_layout =
    LAYOUT("Set System Boot Options", struct ipmi_bootopt_set_req, bootopt_set_fields, 1,
           1 + IPMI_BOOT_FLAGS_LEN);

static const struct lfield bootopt_get_req_fields[] = {
    LF(LF_U8, 0, struct ipmi_bootopt_get_req, param),
    LF(LF_U8, 1, struct ipmi_bootopt_get_req, set_selector),
    LF(LF_U8, 2, struct ipmi_bootopt_get_req, block_selector),
};
const struct layout ipmi_bootopt_get_req_layout =
    LAYOUT("Get System Boot Options", struct ipmi_bootopt_get_req, bootopt_get_req_fields, 3, 3);

static const struct lfield bootopt_get_rsp_fields[] = {
    LF(LF_U8, 0, struct ipmi_bootopt_get_rsp, cc),
    LF(LF_U8, 1, struct ipmi_bootopt_get_rsp, version),
    LF(LF_U8, 2, struct ipmi_bootopt_get_rsp, param),
    LF_TAILF(3, struct ipmi_bootopt_get_rsp, data, dlen),
};
/* Only the completion code is required: an error reply is one byte. */
const struct layout ipmi_bootopt_get_rsp_layout =
    LAYOUT("Get System Boot Options response", struct ipmi_bootopt_get_rsp, bootopt_get_rsp_fields,
           1, 3 + 16);

/* ---- boot flags ---------------------------------------------------------- */

int ctl_boot_flags_encode(const struct ctl_boot *in, uint8_t out[IPMI_BOOT_FLAGS_LEN])
{
    if (!in->device || in->device >= NELEM(boot_dev_selector) || !in->persist ||
        in->persist > CTL_BOOT_PERSIST__MAX || !in->mode || in->mode > CTL_BOOT_MODE__MAX)
        return -1;
    memset(out, 0, IPMI_BOOT_FLAGS_LEN);
    /* byte 1: bit 7 flags valid, bit 6 all future boots, bit 5 EFI */
    out[0] = (uint8_t)(0x80 | (in->persist == CTL_BOOT_ALWAYS ? 0x40 : 0) |
                       (in->mode == CTL_BOOT_UEFI ? 0x20 : 0));
    /* byte 2: bits 5:2 the device; CMOS clear, keyboard lock, screen blank
     * and reset lock-out (bits 7, 6, 1, 0) stay off; bytes 3-5 default */
    out[1] = (uint8_t)(boot_dev_selector[in->device] << 2);
    return 0;
}

int ctl_boot_flags_decode(const uint8_t *d, size_t len, struct ctl_boot *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 2)
        return -1;
    out->valid = (d[0] & 0x80) != 0;
    out->persist = (d[0] & 0x40) ? CTL_BOOT_ALWAYS : CTL_BOOT_ONCE;
    out->mode = (d[0] & 0x20) ? CTL_BOOT_UEFI : CTL_BOOT_LEGACY;
    out->selector = (uint8_t)((d[1] >> 2) & 0x0f);
    out->device = 0;
    for (unsigned v = 1; v < NELEM(boot_dev_selector); v++)
        if (boot_dev_selector[v] == out->selector)
            out->device = (uint8_t)v;
    return 0;
}

unsigned ctl_identify_from_status(uint8_t misc)
{
    if (!(misc & 0x40)) /* identify state not reported */
        return 0;
    switch ((misc >> 4) & 0x3) {
    case 0:
        return CTL_IDENTIFY_OFF;
    case 1:
        return CTL_IDENTIFY_ON; /* temporary (timed) on */
    case 2:
        return CTL_IDENTIFY_FORCE; /* indefinite on */
    default:
        return 0; /* reserved */
    }
}
