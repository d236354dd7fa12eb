/*
 * ipmi_msg.c - IPMI LAN message framing (IPMI 2.0 section 13.8, Table 13-4
 * "IPMI LAN Request/Response Message Format"), completion codes and the
 * layouts of the session and device commands.
 */
#include "ipmi_msg.h"

#include <stdio.h>
#include <string.h>

/* ---- completion codes (IPMI 2.0 Table 5-2), indexed by value ------------ */

struct cc_info {
    const char *word;
    const char *text;
    bool transient;
};

static const struct cc_info cc_table[256] = {
    [0x00] = {"ok", "command completed normally", false},
    [0xc0] = {"busy", "node busy", true},
    [0xc1] = {"invalid_command", "invalid command", false},
    [0xc2] = {"invalid_for_lun", "command invalid for given LUN", false},
    [0xc3] = {"timeout", "timeout while processing command", true},
    [0xc4] = {"out_of_space", "out of space", false},
    [0xc5] = {"reservation_cancelled", "reservation cancelled or invalid reservation ID", false},
    [0xc6] = {"request_truncated", "request data truncated", false},
    [0xc7] = {"request_length_invalid", "request data length invalid", false},
    [0xc8] = {"request_field_too_long", "request data field length limit exceeded", false},
    [0xc9] = {"parameter_out_of_range", "parameter out of range", false},
    [0xca] = {"cannot_return_bytes", "cannot return number of requested data bytes", false},
    [0xcb] = {"not_present", "requested sensor, data, or record not present", false},
    [0xcc] = {"invalid_data_field", "invalid data field in request", false},
    [0xcd] = {"illegal_for_type", "command illegal for specified sensor or record type", false},
    [0xce] = {"no_response", "command response could not be provided", true},
    [0xcf] = {"duplicate_request", "cannot execute duplicated request", false},
    [0xd0] = {"sdr_update_mode", "SDR repository in update mode", true},
    [0xd1] = {"firmware_update_mode", "device in firmware update mode", true},
    [0xd2] = {"init_in_progress", "BMC initialization in progress", true},
    [0xd3] = {"destination_unavailable", "destination unavailable", false},
    [0xd4] = {"insufficient_privilege", "insufficient privilege level", false},
    [0xd5] = {"not_supported_now", "command not supported in present state", false},
    [0xd6] = {"subfunction_disabled", "parameter illegal: sub-function disabled or unavailable",
              false},
    [0xff] = {"unspecified", "unspecified error", false},
};

const char *ipmi_cc_word(uint8_t cc)
{
    if (cc_table[cc].word)
        return cc_table[cc].word;
    if (cc >= 0x01 && cc <= 0x7e)
        return "oem";
    if (cc >= 0x80 && cc <= 0xbe)
        return "command_specific";
    return "unknown";
}

const char *ipmi_cc_text(uint8_t cc)
{
    if (cc_table[cc].text)
        return cc_table[cc].text;
    if (cc >= 0x01 && cc <= 0x7e)
        return "OEM completion code";
    if (cc >= 0x80 && cc <= 0xbe)
        return "command-specific completion code";
    return "reserved completion code";
}

bool ipmi_cc_transient(uint8_t cc)
{
    return cc_table[cc].transient;
}

static const char *const priv_names[] = {
    [IPMI_PRIV_HIGHEST] = "highest",   [IPMI_PRIV_CALLBACK] = "callback", [IPMI_PRIV_USER] = "user",
    [IPMI_PRIV_OPERATOR] = "operator", [IPMI_PRIV_ADMIN] = "admin",       [IPMI_PRIV_OEM] = "oem",
};

const char *ipmi_priv_name(uint8_t priv)
{
    return priv < sizeof(priv_names) / sizeof(priv_names[0]) ? priv_names[priv] : "unknown";
}

/* ---- LAN message framing ------------------------------------------------ */

uint8_t ipmi_checksum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return (uint8_t)(0x100 - s);
}

ssize_t ipmi_lan_encode(uint8_t *out, size_t cap, const struct ipmi_lan_msg *m, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    if (m->dlen > 255 || cap < IPMI_LAN_OVERHEAD + m->dlen) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    out[0] = m->dst_addr;
    out[1] = (uint8_t)(m->netfn << 2 | (m->dst_lun & 3));
    out[2] = ipmi_checksum(out, 2);
    out[3] = m->src_addr;
    out[4] = (uint8_t)(m->seq << 2 | (m->src_lun & 3));
    out[5] = m->cmd;
    if (m->dlen)
        memcpy(out + 6, m->data, m->dlen);
    out[6 + m->dlen] = ipmi_checksum(out + 3, 3 + m->dlen);
    *err = CODEC_OK;
    return (ssize_t)(IPMI_LAN_OVERHEAD + m->dlen);
}

int ipmi_lan_decode(const uint8_t *buf, size_t len, struct ipmi_lan_msg *m, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(m, 0, sizeof(*m));
    if (len < IPMI_LAN_OVERHEAD) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    if (len > IPMI_LAN_OVERHEAD + 255) {
        *err = CODEC_E_OVERSIZE;
        return -1;
    }
    if (ipmi_checksum(buf, 3) != 0 || ipmi_checksum(buf + 3, len - 3) != 0) {
        *err = CODEC_E_CHECKSUM;
        return -1;
    }
    m->dst_addr = buf[0];
    m->netfn = buf[1] >> 2;
    m->dst_lun = buf[1] & 3;
    m->src_addr = buf[3];
    m->seq = buf[4] >> 2;
    m->src_lun = buf[4] & 3;
    m->cmd = buf[5];
    m->data = buf + 6;
    m->dlen = len - IPMI_LAN_OVERHEAD;
    *err = CODEC_OK;
    return 0;
}

/* ---- command layouts --------------------------------------------------- */

static const struct lfield authcap_fields[] = {
    LF(LF_U8, 0, struct ipmi_authcap_rsp, cc),
    LF(LF_U8, 1, struct ipmi_authcap_rsp, channel),
    LF(LF_U8, 2, struct ipmi_authcap_rsp, auth_types),
    LF(LF_U8, 3, struct ipmi_authcap_rsp, status),
    LF(LF_U8, 4, struct ipmi_authcap_rsp, ext_caps),
    LF(LF_U24, 5, struct ipmi_authcap_rsp, oem_id),
    LF(LF_U8, 8, struct ipmi_authcap_rsp, oem_aux),
};
/* Only the completion code is required: an error reply is one byte. */
const struct layout ipmi_authcap_rsp_layout =
    LAYOUT("Get Channel Auth Capabilities", struct ipmi_authcap_rsp, authcap_fields, 1, 9);

static const struct lfield devid_fields[] = {
    LF(LF_U8, 0, struct ipmi_devid_rsp, cc),
    LF(LF_U8, 1, struct ipmi_devid_rsp, device_id),
    LF(LF_U8, 2, struct ipmi_devid_rsp, device_rev),
    LF(LF_U8, 3, struct ipmi_devid_rsp, fw_major),
    LF(LF_U8, 4, struct ipmi_devid_rsp, fw_minor),
    LF(LF_U8, 5, struct ipmi_devid_rsp, ipmi_version),
    LF(LF_U8, 6, struct ipmi_devid_rsp, support),
    LF(LF_U24, 7, struct ipmi_devid_rsp, manufacturer_id),
    LF(LF_U16, 10, struct ipmi_devid_rsp, product_id),
    LF_TAILF(12, struct ipmi_devid_rsp, aux_fw, aux_len),
};
const struct layout ipmi_devid_rsp_layout =
    LAYOUT("Get Device ID", struct ipmi_devid_rsp, devid_fields, 1, 16);

static const struct lfield guid_fields[] = {
    LF(LF_U8, 0, struct ipmi_guid_rsp, cc),
    LF(LF_BYTES, 1, struct ipmi_guid_rsp, guid),
};
const struct layout ipmi_guid_rsp_layout =
    LAYOUT("Get System GUID", struct ipmi_guid_rsp, guid_fields, 1, 17);

static const struct lfield chassis_fields[] = {
    LF(LF_U8, 0, struct ipmi_chassis_rsp, cc),
    LF(LF_U8, 1, struct ipmi_chassis_rsp, power),
    LF(LF_U8, 2, struct ipmi_chassis_rsp, last_event),
    LF(LF_U8, 3, struct ipmi_chassis_rsp, misc),
    LF(LF_U8, 4, struct ipmi_chassis_rsp, front_panel),
};
const struct layout ipmi_chassis_rsp_layout =
    LAYOUT("Get Chassis Status", struct ipmi_chassis_rsp, chassis_fields, 1, 5);

static const struct lfield ciphers_fields[] = {
    LF(LF_U8, 0, struct ipmi_ciphers_rsp, cc),
    LF(LF_U8, 1, struct ipmi_ciphers_rsp, channel),
    LF_TAILF(2, struct ipmi_ciphers_rsp, data, dlen),
};
const struct layout ipmi_ciphers_rsp_layout =
    LAYOUT("Get Channel Cipher Suites", struct ipmi_ciphers_rsp, ciphers_fields, 1, 18);

static const struct lfield setpriv_fields[] = {
    LF(LF_U8, 0, struct ipmi_setpriv_rsp, cc),
    LF(LF_U8, 1, struct ipmi_setpriv_rsp, priv),
};
const struct layout ipmi_setpriv_rsp_layout =
    LAYOUT("Set Session Privilege Level", struct ipmi_setpriv_rsp, setpriv_fields, 1, 2);

/*
 * Cipher suite records (IPMI 2.0 Table 22-18): C0h id auth integ conf for a
 * standard suite, C1h id iana(3) auth integ conf for an OEM one.  Algorithm
 * bytes carry a tag in bits 7:6 (00 auth, 01 integrity, 10 confidentiality),
 * and a suite may list several integrity/confidentiality choices.
 */
int ipmi_cipher_records_parse(const uint8_t *d, size_t len, uint8_t *ids, size_t cap,
                              enum codec_err *err)
{
    size_t n = 0, i = 0;
    while (i < len) {
        size_t hdr;
        if (d[i] == 0xc0)
            hdr = 2;
        else if (d[i] == 0xc1)
            hdr = 5;
        else {
            *err = CODEC_E_FIELD;
            return -1;
        }
        if (i + hdr > len) {
            *err = CODEC_E_TRUNCATED;
            return -1;
        }
        if (d[i] == 0xc0 && n < cap)
            ids[n++] = d[i + 1];
        i += hdr;
        while (i < len && (d[i] & 0xc0) != 0xc0)
            i++; /* algorithm bytes */
    }
    *err = CODEC_OK;
    return (int)n;
}

void ipmi_guid_format(const uint8_t g[16], char out[37])
{
    /* The wire GUID is least significant byte first (IPMI 2.0 section
     * 22.14).  Printed most significant first: FreeIPMI's `bmc-info --guid`
     * and ipmitool's `mc guid` when it judges the encoding "IPMI" (it guesses
     * from the version nibble, and may choose SMBIOS order otherwise). */
    static const char hex[16] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        uint8_t b = g[15 - i];
        *p++ = hex[b >> 4];
        *p++ = hex[b & 15];
    }
    *p = '\0';
}
