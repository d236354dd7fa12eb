/*
 * ipmi_msg.h - IPMI LAN messages (IPMI 2.0 section 13.8), completion codes
 * and the layouts of the commands the engine issues.  Bytes only.
 */
#ifndef IPMI_BRIDGE_IPMI_MSG_H
#define IPMI_BRIDGE_IPMI_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"
#include "layout.h"

#define IPMI_BMC_SLAVE_ADDR 0x20
#define IPMI_REMOTE_SWID    0x81 /* remote console software ID (IPMI 2.0 section 5.5) */

/* Network functions (IPMI 2.0 Table 5-1); responses are netfn | 1. */
enum ipmi_netfn {
    IPMI_NETFN_CHASSIS = 0x00,
    IPMI_NETFN_BRIDGE = 0x02,
    IPMI_NETFN_SENSOR = 0x04,
    IPMI_NETFN_APP = 0x06,
    IPMI_NETFN_FIRMWARE = 0x08,
    IPMI_NETFN_STORAGE = 0x0a,
    IPMI_NETFN_TRANSPORT = 0x0c,
};

/* Commands (IPMI 2.0 Appendix G) */
enum {
    IPMI_CMD_GET_DEVICE_ID = 0x01,             /* App */
    IPMI_CMD_GET_SYSTEM_GUID = 0x37,           /* App */
    IPMI_CMD_GET_CHANNEL_AUTH_CAP = 0x38,      /* App */
    IPMI_CMD_SET_SESSION_PRIV = 0x3b,          /* App */
    IPMI_CMD_CLOSE_SESSION = 0x3c,             /* App */
    IPMI_CMD_GET_CHANNEL_CIPHER_SUITES = 0x54, /* App */
    IPMI_CMD_GET_CHASSIS_STATUS = 0x01,        /* Chassis */
};

/* Privilege levels (IPMI 2.0 Table 6-4 / 22-24) */
enum ipmi_priv {
    IPMI_PRIV_HIGHEST = 0,
    IPMI_PRIV_CALLBACK = 1,
    IPMI_PRIV_USER = 2,
    IPMI_PRIV_OPERATOR = 3,
    IPMI_PRIV_ADMIN = 4,
    IPMI_PRIV_OEM = 5,
};
const char *ipmi_priv_name(uint8_t priv);

/* Completion codes (IPMI 2.0 Table 5-2) */
enum ipmi_cc {
    IPMI_CC_OK = 0x00,
    IPMI_CC_NODE_BUSY = 0xc0,
    IPMI_CC_INVALID_COMMAND = 0xc1,
    IPMI_CC_INVALID_FOR_LUN = 0xc2,
    IPMI_CC_TIMEOUT = 0xc3,
    IPMI_CC_OUT_OF_SPACE = 0xc4,
    IPMI_CC_RESERVATION_CANCELLED = 0xc5,
    IPMI_CC_REQUEST_TRUNCATED = 0xc6,
    IPMI_CC_REQUEST_LENGTH_INVALID = 0xc7,
    IPMI_CC_REQUEST_FIELD_TOO_LONG = 0xc8,
    IPMI_CC_PARAMETER_OUT_OF_RANGE = 0xc9,
    IPMI_CC_CANNOT_RETURN_BYTES = 0xca,
    IPMI_CC_NOT_PRESENT = 0xcb,
    IPMI_CC_INVALID_DATA_FIELD = 0xcc,
    IPMI_CC_ILLEGAL_FOR_SENSOR = 0xcd,
    IPMI_CC_NO_RESPONSE = 0xce,
    IPMI_CC_DUPLICATE_REQUEST = 0xcf,
    IPMI_CC_SDR_UPDATE_MODE = 0xd0,
    IPMI_CC_FIRMWARE_UPDATE_MODE = 0xd1,
    IPMI_CC_INIT_IN_PROGRESS = 0xd2,
    IPMI_CC_DESTINATION_UNAVAILABLE = 0xd3,
    IPMI_CC_INSUFFICIENT_PRIVILEGE = 0xd4,
    IPMI_CC_NOT_SUPPORTED_NOW = 0xd5,
    IPMI_CC_SUBFUNCTION_DISABLED = 0xd6,
    IPMI_CC_UNSPECIFIED = 0xff,
};
/* Short symbolic word ("busy", "reservation_cancelled", ...) and a sentence. */
const char *ipmi_cc_word(uint8_t cc);
const char *ipmi_cc_text(uint8_t cc);
/* Is it worth retrying the same request after this completion code? */
bool ipmi_cc_transient(uint8_t cc);

/*
 * An IPMI LAN message.  Requests and responses have the same layout:
 * dst addr, netfn/lun, checksum, src addr, seq/lun, cmd, data, checksum.
 * In a response data[0] is the completion code.
 */
struct ipmi_lan_msg {
    uint8_t dst_addr;
    uint8_t netfn;
    uint8_t dst_lun;
    uint8_t src_addr;
    uint8_t seq; /* rqSeq, 6 bits */
    uint8_t src_lun;
    uint8_t cmd;
    const uint8_t *data;
    size_t dlen;
};
#define IPMI_LAN_OVERHEAD 7 /* header (6) + trailing checksum (1) */

ssize_t ipmi_lan_encode(uint8_t *out, size_t cap, const struct ipmi_lan_msg *m,
                        enum codec_err *err);
/* Verifies both checksums.  m->data points into `buf`. */
int ipmi_lan_decode(const uint8_t *buf, size_t len, struct ipmi_lan_msg *m, enum codec_err *err);
uint8_t ipmi_checksum(const uint8_t *p, size_t n);

/* ---- command layouts (responses start with the completion code) ------ */

/* Get Channel Authentication Capabilities (IPMI 2.0 section 22.13) */
struct ipmi_authcap_rsp {
    uint8_t cc;
    uint8_t channel;
    uint8_t auth_types; /* bit 7: IPMI 2.0 extended capabilities available */
    uint8_t status;     /* bit 5: K_G set (non-zero); bits 2:0 login types */
    uint8_t ext_caps;   /* bit 1: IPMI 2.0 connections supported */
    uint32_t oem_id;
    uint8_t oem_aux;
};
extern const struct layout ipmi_authcap_rsp_layout;

/* Get Device ID (IPMI 2.0 section 20.1) */
struct ipmi_devid_rsp {
    uint8_t cc;
    uint8_t device_id;
    uint8_t device_rev;       /* bit 7: provides device SDRs; 3:0 revision */
    uint8_t fw_major;         /* bit 7: device unavailable; 6:0 major */
    uint8_t fw_minor;         /* BCD */
    uint8_t ipmi_version;     /* BCD, low nibble major: 02h = 2.0, 51h = 1.5 */
    uint8_t support;          /* additional device support bits */
    uint32_t manufacturer_id; /* 20 bits */
    uint16_t product_id;
    uint8_t aux_fw[4];
    size_t aux_len;
};
extern const struct layout ipmi_devid_rsp_layout;

/* Get System GUID (section 22.14): 16 bytes, least significant first */
struct ipmi_guid_rsp {
    uint8_t cc;
    uint8_t guid[16];
};
extern const struct layout ipmi_guid_rsp_layout;
/* 8-4-4-4-12 lower-case hex, most significant byte first (IPMI byte order). */
void ipmi_guid_format(const uint8_t guid[16], char out[37]);

/* Get Chassis Status (section 28.2) */
struct ipmi_chassis_rsp {
    uint8_t cc;
    uint8_t power; /* bit 0 power on, 1 overload, 2 interlock, 3 fault, 4 control fault */
    uint8_t last_event;
    uint8_t misc; /* bit 0 intrusion, 1 front panel lockout, 2 drive fault, 3 fan fault */
    uint8_t front_panel;
};
extern const struct layout ipmi_chassis_rsp_layout;

/* Get Channel Cipher Suites (section 22.15) */
struct ipmi_ciphers_rsp {
    uint8_t cc;
    uint8_t channel;
    uint8_t data[16];
    size_t dlen;
};
extern const struct layout ipmi_ciphers_rsp_layout;
/*
 * Parse concatenated cipher suite record data (Table 22-18) into suite IDs.
 * Returns the number of IDs written to `ids` (at most `cap`), or -1 (*err).
 */
int ipmi_cipher_records_parse(const uint8_t *d, size_t len, uint8_t *ids, size_t cap,
                              enum codec_err *err);

/* Set Session Privilege Level (section 22.18) */
struct ipmi_setpriv_rsp {
    uint8_t cc;
    uint8_t priv;
};
extern const struct layout ipmi_setpriv_rsp_layout;

#endif
