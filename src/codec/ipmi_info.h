/*
 * ipmi_info.h - the slow-changing facts the daemon reads besides sensors:
 * Get POH Counter (IPMI 2.0 section 28.14), Get SEL Time (31.10), Get
 * Channel Info (22.24, to learn the LAN channel in use), Get LAN
 * Configuration Parameters (23.2, Table 23-4) and DCMI Get Power Reading
 * (DCMI 1.5 section 6.6.1).  Layout tables; the decoders take the whole
 * response, completion code first, and short error answers still decode.
 */
#ifndef IPMI_BRIDGE_IPMI_INFO_H
#define IPMI_BRIDGE_IPMI_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define IPMI_CMD_GET_POH_COUNTER   0x0f /* Chassis */
#define IPMI_CMD_GET_SEL_TIME      0x48 /* Storage */
#define IPMI_CMD_GET_CHANNEL_INFO  0x42 /* App */
#define IPMI_CMD_GET_LAN_CONFIG    0x02 /* Transport */
#define IPMI_NETFN_GROUP_EXT       0x2c
#define DCMI_GROUP_EXT             0xdc /* DCMI group extension identifier */
#define DCMI_CMD_GET_POWER_READING 0x02
#define DCMI_MODE_SYSTEM_POWER     0x01 /* system power statistics */

/* LAN configuration parameters we read (Table 23-4). */
enum ipmi_lan_param {
    LAN_PARAM_IP = 3,        /* 4 bytes, most significant first */
    LAN_PARAM_IP_SOURCE = 4, /* bits 3:0, see ipmi_ip_source_name() */
    LAN_PARAM_MAC = 5,       /* 6 bytes */
    LAN_PARAM_NETMASK = 6,   /* 4 bytes */
    LAN_PARAM_GATEWAY = 12,  /* 4 bytes */
    LAN_PARAM_VLAN_ID = 20,  /* 2 bytes: ID in bits 11:0, bit 15 enabled */
};

struct ipmi_poh_rsp {
    uint8_t cc;
    uint8_t minutes_per_count;
    uint32_t counter;
};
extern const struct layout ipmi_poh_rsp_layout;

struct ipmi_sel_time_rsp {
    uint8_t cc;
    uint32_t time; /* seconds since 1970 (or since BMC init when below 20000000h) */
};
extern const struct layout ipmi_sel_time_rsp_layout;

struct ipmi_chinfo_rsp {
    uint8_t cc;
    uint8_t channel; /* bits 3:0 */
    uint8_t medium;  /* bits 6:0: 04h = 802.3 LAN (Table 6-3) */
    uint8_t protocol;
};
extern const struct layout ipmi_chinfo_rsp_layout;

struct ipmi_lan_param_req {
    uint8_t channel; /* bit 7: revision only */
    uint8_t param;
    uint8_t set;
    uint8_t block;
};
extern const struct layout ipmi_lan_param_req_layout;

struct ipmi_lan_param_rsp {
    uint8_t cc;
    uint8_t revision;
    uint8_t data[32];
    size_t data_len;
};
extern const struct layout ipmi_lan_param_rsp_layout;

struct dcmi_power_req {
    uint8_t group; /* DCh */
    uint8_t mode;
    uint8_t attributes;
    uint8_t reserved;
};
extern const struct layout dcmi_power_req_layout;

struct dcmi_power_rsp {
    uint8_t cc;
    uint8_t group;
    uint16_t current, minimum, maximum, average; /* watts */
    uint32_t timestamp;
    uint32_t period_ms;
    uint8_t state; /* bit 6: power measurement active */
};
extern const struct layout dcmi_power_rsp_layout;

/* "unspecified", "static", "dhcp", "bios", "other" (Table 23-4, parameter 4) */
const char *ipmi_ip_source_name(uint8_t v);

#endif
