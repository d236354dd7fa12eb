/*
 * info_reader.c - POH counter, SEL time, LAN configuration and DCMI power
 * reading of one BMC (see info_reader.h).  One request at a time, in a
 * fixed order; a session failure ends the read (the rest stays as it was).
 */
#include "info_reader.h"

#include <string.h>
#include <time.h>

#include "ipmi_info.h"
#include "ipmi_msg.h"

enum step { S_POH = 0, S_SEL_TIME, S_CHINFO, S_LAN, S_DCMI, S_DONE };

/* LAN parameters read, in this order. */
static const uint8_t lan_params[] = {
    LAN_PARAM_IP_SOURCE, LAN_PARAM_IP,      LAN_PARAM_NETMASK,
    LAN_PARAM_MAC,       LAN_PARAM_GATEWAY, LAN_PARAM_VLAN_ID,
};
#define NLAN (sizeof(lan_params) / sizeof(lan_params[0]))

static const char *const status_names[] = {
    [INFO_NOT_READ] = "not_read", [INFO_OK] = "ok",           [INFO_UNSUPPORTED] = "not_supported",
    [INFO_FAILED] = "failed",     [INFO_NOT_SET] = "not_set",
};

const char *info_status_name(uint8_t s)
{
    return s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "unknown";
}

static void send_next(struct info_read *r);

/* The response with its completion code first, as the layouts want it. */
static size_t whole(const struct bmc_rsp *rsp, uint8_t *buf, size_t cap)
{
    size_t len = rsp->len < cap - 1 ? rsp->len : cap - 1;
    buf[0] = rsp->cc;
    if (len)
        memcpy(buf + 1, rsp->data, len);
    return len + 1;
}

static void finish(struct info_read *r)
{
    r->busy = false;
    r->done(r->b, r->arg);
}

/* One LAN parameter; a parameter the BMC lacks leaves its field absent. */
static void on_lan(struct info_read *r, const uint8_t *buf, size_t len)
{
    struct bmc_info *o = r->out;
    struct ipmi_lan_param_rsp p;
    enum codec_err e;
    if (layout_decode(&ipmi_lan_param_rsp_layout, buf, len, &p, &e) < 0 || p.cc != 0)
        return;
    const uint8_t *d = p.data;
    switch (lan_params[r->lan_idx]) {
    case LAN_PARAM_IP_SOURCE:
        if ((o->have_ip_source = p.data_len >= 1))
            o->ip_source = d[0] & 0x0f;
        break;
    case LAN_PARAM_IP:
        if ((o->have_ip = p.data_len >= 4))
            memcpy(o->ip, d, 4);
        break;
    case LAN_PARAM_NETMASK:
        if ((o->have_netmask = p.data_len >= 4))
            memcpy(o->netmask, d, 4);
        break;
    case LAN_PARAM_MAC:
        if ((o->have_mac = p.data_len >= 6))
            memcpy(o->mac, d, 6);
        break;
    case LAN_PARAM_GATEWAY:
        if ((o->have_gateway = p.data_len >= 4))
            memcpy(o->gateway, d, 4);
        break;
    case LAN_PARAM_VLAN_ID:
        if ((o->have_vlan = p.data_len >= 2)) {
            uint16_t v = (uint16_t)(d[0] | d[1] << 8);
            o->vlan_id = v & 0x0fff;
            o->vlan_enabled = (v & 0x8000) != 0;
        }
        break;
    default:
        break;
    }
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct info_read *r = arg;
    struct bmc_info *o = r->out;
    uint8_t buf[64];
    enum codec_err e;
    if (rsp->err != BMC_E_NONE) {
        /* the session failed: what is left is not read this time */
        uint8_t *st[] = {&o->poh_st, &o->sel_time_st, &o->lan_st, &o->lan_st, &o->dcmi_st};
        if (r->step < S_DONE)
            *st[r->step] = INFO_FAILED;
        finish(r);
        return;
    }
    size_t len = whole(rsp, buf, sizeof(buf));
    switch (r->step) {
    case S_POH: {
        struct ipmi_poh_rsp p;
        o->poh_cc = rsp->cc;
        if (rsp->cc) {
            o->poh_st = INFO_UNSUPPORTED;
        } else if (layout_decode(&ipmi_poh_rsp_layout, buf, len, &p, &e) < 0 || len < 6) {
            o->poh_st = INFO_FAILED;
        } else {
            o->poh_st = INFO_OK;
            o->poh_minutes_per_count = p.minutes_per_count;
            o->poh_counter = p.counter;
            o->poh_hours = (uint64_t)p.counter * p.minutes_per_count / 60;
        }
        r->step = S_SEL_TIME;
        break;
    }
    case S_SEL_TIME: {
        struct ipmi_sel_time_rsp t;
        o->sel_time_cc = rsp->cc;
        if (rsp->cc) {
            o->sel_time_st = INFO_UNSUPPORTED;
        } else if (layout_decode(&ipmi_sel_time_rsp_layout, buf, len, &t, &e) < 0 || len < 5) {
            o->sel_time_st = INFO_FAILED;
        } else {
            /* 00000000h..20000000h count from BMC initialization (IPMI 2.0
             * section 37.1): a clock never set has no offset from ours */
            o->sel_time_st = t.time > 0x20000000u ? INFO_OK : INFO_NOT_SET;
            o->sel_time = t.time;
            o->clock_offset_s = (int64_t)t.time - (int64_t)time(NULL);
        }
        r->step = S_CHINFO;
        break;
    }
    case S_CHINFO: {
        /* channel Eh = "this one": learn the LAN channel the session runs on */
        struct ipmi_chinfo_rsp c;
        o->lan_channel = 1; /* the usual LAN channel when the BMC does not say */
        if (rsp->cc == 0 && layout_decode(&ipmi_chinfo_rsp_layout, buf, len, &c, &e) >= 0 &&
            len >= 2)
            o->lan_channel = c.channel & 0x0f;
        r->step = S_LAN;
        r->lan_idx = 0;
        o->have_ip = o->have_ip_source = o->have_mac = false;
        o->have_netmask = o->have_gateway = o->have_vlan = false;
        break;
    }
    case S_LAN:
        if (r->lan_idx == 0)
            o->lan_cc = rsp->cc;
        on_lan(r, buf, len);
        if (++r->lan_idx < NLAN)
            break;
        o->lan_st = o->have_ip ? INFO_OK : o->lan_cc ? INFO_UNSUPPORTED : INFO_FAILED;
        if (!o->have_ip && o->lan_cc == 0)
            o->lan_st = INFO_UNSUPPORTED; /* answered, but without an address */
        r->step = S_DCMI;
        break;
    case S_DCMI: {
        struct dcmi_power_rsp p;
        o->dcmi_cc = rsp->cc;
        if (rsp->cc) {
            o->dcmi_st = INFO_UNSUPPORTED;
        } else if (layout_decode(&dcmi_power_rsp_layout, buf, len, &p, &e) < 0 || len < 19 ||
                   p.group != DCMI_GROUP_EXT) {
            o->dcmi_st = INFO_FAILED;
        } else {
            o->dcmi_st = INFO_OK;
            o->watts_current = p.current;
            o->watts_min = p.minimum;
            o->watts_max = p.maximum;
            o->watts_avg = p.average;
            o->power_period_ms = p.period_ms;
            o->power_active = (p.state & 0x40) != 0;
        }
        r->step = S_DONE;
        break;
    }
    default:
        break;
    }
    send_next(r);
}

static void send_next(struct info_read *r)
{
    uint8_t d[8];
    enum codec_err e;
    int rc = 0;
    switch (r->step) {
    case S_POH:
        rc = bmc_request(r->b, IPMI_NETFN_CHASSIS, IPMI_CMD_GET_POH_COUNTER, NULL, 0, on_rsp, r);
        break;
    case S_SEL_TIME:
        rc = bmc_request(r->b, IPMI_NETFN_STORAGE, IPMI_CMD_GET_SEL_TIME, NULL, 0, on_rsp, r);
        break;
    case S_CHINFO:
        d[0] = 0x0e;
        rc = bmc_request(r->b, IPMI_NETFN_APP, IPMI_CMD_GET_CHANNEL_INFO, d, 1, on_rsp, r);
        break;
    case S_LAN: {
        struct ipmi_lan_param_req q = {.channel = r->out->lan_channel,
                                       .param = lan_params[r->lan_idx]};
        ssize_t n = layout_encode(&ipmi_lan_param_req_layout, &q, d, sizeof(d), &e);
        rc = n < 0 ? -1
                   : bmc_request(r->b, IPMI_NETFN_TRANSPORT, IPMI_CMD_GET_LAN_CONFIG, d, (size_t)n,
                                 on_rsp, r);
        break;
    }
    case S_DCMI: {
        struct dcmi_power_req q = {.group = DCMI_GROUP_EXT, .mode = DCMI_MODE_SYSTEM_POWER};
        ssize_t n = layout_encode(&dcmi_power_req_layout, &q, d, sizeof(d), &e);
        rc = n < 0 ? -1
                   : bmc_request(r->b, IPMI_NETFN_GROUP_EXT, DCMI_CMD_GET_POWER_READING, d,
                                 (size_t)n, on_rsp, r);
        break;
    }
    default:
        finish(r);
        return;
    }
    if (rc < 0)
        finish(r);
}

int info_read_start(struct info_read *r, struct bmc *b, struct bmc_info *out, info_done_cb done,
                    void *arg)
{
    if (r->busy)
        return -1;
    r->b = b;
    r->out = out;
    r->done = done;
    r->arg = arg;
    r->step = S_POH;
    r->lan_idx = 0;
    r->busy = true;
    send_next(r);
    return 0;
}
