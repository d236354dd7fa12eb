/*
 * chassis_ctl.h - chassis control requests: Chassis Control, Chassis Identify,
 * Set/Get System Boot Options (IPMI 2.0 sections 28.3, 28.5, 28.12, 28.13)
 * and the enumerations of the writable IPMI-BRIDGE-MIB columns they back.
 * Bytes only.
 *
 * The enum values are the MIB's (they start at 1; 0 is never a valid
 * value), and the name tables are indexed by them: the names are interfaces
 * (MIB labels, log lines, the --control command line).
 */
#ifndef IPMI_BRIDGE_CHASSIS_CTL_H
#define IPMI_BRIDGE_CHASSIS_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* Chassis netfn commands (IPMI 2.0 Appendix G) */
enum {
    IPMI_CMD_CHASSIS_CONTROL = 0x02,
    IPMI_CMD_CHASSIS_IDENTIFY = 0x04,
    IPMI_CMD_SET_BOOT_OPTIONS = 0x08,
    IPMI_CMD_GET_BOOT_OPTIONS = 0x09,
};

/* ipmiBmcPowerControl */
enum ctl_power {
    CTL_POWER_OFF = 1,
    CTL_POWER_ON = 2,
    CTL_POWER_CYCLE = 3,
    CTL_POWER_HARD_RESET = 4,
    CTL_POWER_SOFT_SHUTDOWN = 5,
    CTL_POWER__MAX = CTL_POWER_SOFT_SHUTDOWN
};
/* ipmiBmcIdentify */
enum ctl_identify {
    CTL_IDENTIFY_OFF = 1,
    CTL_IDENTIFY_ON = 2,    /* for a number of seconds (1-255) */
    CTL_IDENTIFY_FORCE = 3, /* on until turned off */
    CTL_IDENTIFY__MAX = CTL_IDENTIFY_FORCE
};
/* ipmiBmcBootDevice */
enum ctl_boot_dev {
    CTL_BOOT_NONE = 1,
    CTL_BOOT_PXE = 2,
    CTL_BOOT_DISK = 3,
    CTL_BOOT_CDROM = 4,
    CTL_BOOT_BIOS_SETUP = 5,
    CTL_BOOT_DEV__MAX = CTL_BOOT_BIOS_SETUP
};
/* ipmiBmcBootPersistent */
enum ctl_boot_persist { CTL_BOOT_ONCE = 1, CTL_BOOT_ALWAYS = 2, CTL_BOOT_PERSIST__MAX = 2 };
/* ipmiBmcBootMode */
enum ctl_boot_mode { CTL_BOOT_LEGACY = 1, CTL_BOOT_UEFI = 2, CTL_BOOT_MODE__MAX = 2 };

/* Names indexed by value ("powerOff", ...); NULL for 0 and out of range. */
const char *ctl_power_name(unsigned v);
const char *ctl_identify_name(unsigned v);
const char *ctl_boot_dev_name(unsigned v);
const char *ctl_boot_persist_name(unsigned v);
const char *ctl_boot_mode_name(unsigned v);
/* The reverse (exact, case-sensitive MIB labels); 0 when unknown. */
unsigned ctl_power_from_name(const char *s);
unsigned ctl_identify_from_name(const char *s);
unsigned ctl_boot_dev_from_name(const char *s);
unsigned ctl_boot_persist_from_name(const char *s);
unsigned ctl_boot_mode_from_name(const char *s);

/* The Chassis Control byte (Table 28-4) of a power action; -1 if invalid. */
int ctl_power_code(unsigned v);

/* ---- request and response layouts -------------------------------------- */

/* Chassis Control (28.3): one byte, bits 3:0 the action */
struct ipmi_chassis_ctl_req {
    uint8_t control;
};
extern const struct layout ipmi_chassis_ctl_req_layout;

/* Chassis Identify (28.5): the interval alone, or interval and force byte */
struct ipmi_identify_req {
    uint8_t interval; /* seconds; 0 turns identify off */
    uint8_t force;    /* bit 0: on until turned off (the interval is ignored) */
};
extern const struct layout ipmi_identify_req_layout;       /* interval only */
extern const struct layout ipmi_identify_force_req_layout; /* both bytes */

/* Boot option parameters (Table 28-14) */
enum {
    IPMI_BOOTPARAM_SET_IN_PROGRESS = 0,
    IPMI_BOOTPARAM_BOOT_FLAGS = 5,
};
/* Parameter 0 values */
enum { IPMI_BOOT_SET_COMPLETE = 0, IPMI_BOOT_SET_IN_PROGRESS = 1 };
/* Set System Boot Options completion codes (28.12) */
enum { IPMI_CC_BOOTPARAM_UNSUPPORTED = 0x80, IPMI_CC_BOOTPARAM_SET_IN_PROGRESS = 0x81 };

#define IPMI_BOOT_FLAGS_LEN 5

/* Set System Boot Options (28.12): parameter (bit 7: mark invalid), data */
struct ipmi_bootopt_set_req {
    uint8_t param;
    uint8_t data[IPMI_BOOT_FLAGS_LEN];
    size_t dlen;
};
extern const struct layout ipmi_bootopt_set_req_layout;

/* Get System Boot Options (28.13) request */
struct ipmi_bootopt_get_req {
    uint8_t param;
    uint8_t set_selector;
    uint8_t block_selector;
};
extern const struct layout ipmi_bootopt_get_req_layout;

/* Get System Boot Options response */
struct ipmi_bootopt_get_rsp {
    uint8_t cc;
    uint8_t version; /* bits 3:0 parameter version: 1 */
    uint8_t param;   /* bit 7: 1 = parameter marked invalid / locked */
    uint8_t data[16];
    size_t dlen;
};
extern const struct layout ipmi_bootopt_get_rsp_layout;

/* ---- boot flags (parameter 5, Table 28-14) ------------------------------ */
struct ctl_boot {
    uint8_t device;   /* enum ctl_boot_dev; 0: a selector this bridge has no name for */
    uint8_t persist;  /* enum ctl_boot_persist */
    uint8_t mode;     /* enum ctl_boot_mode */
    bool valid;       /* byte 1 bit 7: the flags are valid */
    uint8_t selector; /* byte 2 bits 5:2 as sent by the BMC */
};
/* Five data bytes for parameter 5.  Device "none" writes the flags valid
 * with selector 0 (no override); returns -1 for values out of range. */
int ctl_boot_flags_encode(const struct ctl_boot *in, uint8_t out[IPMI_BOOT_FLAGS_LEN]);
/* Parse the five bytes; -1 when fewer than 2 bytes. */
int ctl_boot_flags_decode(const uint8_t *d, size_t len, struct ctl_boot *out);

/*
 * Get Chassis Status byte 3 (misc) bits 6:4 (28.2): the identify state when
 * bit 6 says the BMC reports it.  Returns CTL_IDENTIFY_* or 0 when the BMC
 * does not tell (timed on maps to CTL_IDENTIFY_ON, indefinite to FORCE).
 */
unsigned ctl_identify_from_status(uint8_t misc);

#endif
