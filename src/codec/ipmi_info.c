/*
 * ipmi_info.c - layouts of POH counter, SEL time, channel info, LAN
 * configuration parameters and DCMI power reading (see ipmi_info.h).
 */
#include "ipmi_info.h"

static const struct lfield poh_fields[] = {
    LF(LF_U8, 0, struct ipmi_poh_rsp, cc),
    LF(LF_U8, 1, struct ipmi_poh_rsp, minutes_per_count),
    LF(LF_U32, 2, struct ipmi_poh_rsp, counter),
};
const struct layout ipmi_poh_rsp_layout =
    LAYOUT("Get POH Counter", struct ipmi_poh_rsp, poh_fields, 1, 6);

static const struct lfield sel_time_fields[] = {
    LF(LF_U8, 0, struct ipmi_sel_time_rsp, cc),
    LF(LF_U32, 1, struct ipmi_sel_time_rsp, time),
};
const struct layout ipmi_sel_time_rsp_layout =
    LAYOUT("Get SEL Time", struct ipmi_sel_time_rsp, sel_time_fields, 1, 5);

static const struct lfield chinfo_fields[] = {
    LF(LF_U8, 0, struct ipmi_chinfo_rsp, cc), LF(LF_U8, 1, struct ipmi_chinfo_rsp, channel),
    LF(LF_U8, 2, struct ipmi_chinfo_rsp, medium), LF(LF_U8, 3, struct ipmi_chinfo_rsp, protocol),
    /* session support, vendor IANA and auxiliary info follow (6 bytes) */
};
const struct layout ipmi_chinfo_rsp_layout =
    LAYOUT("Get Channel Info", struct ipmi_chinfo_rsp, chinfo_fields, 1, 10);

static const struct lfield lan_req_fields[] = {
    LF(LF_U8, 0, struct ipmi_lan_param_req, channel),
    LF(LF_U8, 1, struct ipmi_lan_param_req, param),
    LF(LF_U8, 2, struct ipmi_lan_param_req, set),
    LF(LF_U8, 3, struct ipmi_lan_param_req, block),
};
const struct layout ipmi_lan_param_req_layout = LAYOUT(
    "Get LAN Configuration Parameters request", struct ipmi_lan_param_req, lan_req_fields, 4, 4);

static const struct lfield lan_rsp_fields[] = {
    LF(LF_U8, 0, struct ipmi_lan_param_rsp, cc),
    LF(LF_U8, 1, struct ipmi_lan_param_rsp, revision),
    LF_TAILF(2, struct ipmi_lan_param_rsp, data, data_len),
};
const struct layout ipmi_lan_param_rsp_layout =
    LAYOUT("Get LAN Configuration Parameters", struct ipmi_lan_param_rsp, lan_rsp_fields, 1, 34);

static const struct lfield dcmi_req_fields[] = {
    LF(LF_U8, 0, struct dcmi_power_req, group),
    LF(LF_U8, 1, struct dcmi_power_req, mode),
    LF(LF_U8, 2, struct dcmi_power_req, attributes),
    LF(LF_U8, 3, struct dcmi_power_req, reserved),
};
const struct layout dcmi_power_req_layout =
    LAYOUT("DCMI Get Power Reading request", struct dcmi_power_req, dcmi_req_fields, 4, 4);

static const struct lfield dcmi_rsp_fields[] = {
    LF(LF_U8, 0, struct dcmi_power_rsp, cc),
    LF(LF_U8, 1, struct dcmi_power_rsp, group),
    LF(LF_U16, 2, struct dcmi_power_rsp, current),
    LF(LF_U16, 4, struct dcmi_power_rsp, minimum),
    LF(LF_U16, 6, struct dcmi_power_rsp, maximum),
    LF(LF_U16, 8, struct dcmi_power_rsp, average),
    LF(LF_U32, 10, struct dcmi_power_rsp, timestamp),
    LF(LF_U32, 14, struct dcmi_power_rsp, period_ms),
    LF(LF_U8, 18, struct dcmi_power_rsp, state),
};
const struct layout dcmi_power_rsp_layout =
    LAYOUT("DCMI Get Power Reading", struct dcmi_power_rsp, dcmi_rsp_fields, 1, 19);

static const char *const ip_sources[] = {
    [0] = "unspecified", [1] = "static", [2] = "dhcp", [3] = "bios", [4] = "other",
};

const char *ipmi_ip_source_name(uint8_t v)
{
    v &= 0x0f;
    return v < sizeof(ip_sources) / sizeof(ip_sources[0]) ? ip_sources[v] : "unknown";
}
