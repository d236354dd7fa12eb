/*
 * report_info.c - JSON of POH, SEL clock, LAN configuration and DCMI power
 * (see report_info.h).
 */
#include "report_info.h"

#include <stdio.h>

#include "ipmi_info.h"

static json_object *ipv4(bool have, const uint8_t a[4])
{
    char buf[16];
    if (!have)
        return NULL;
    snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    return json_object_new_string(buf);
}

static json_object *json_lan(const struct bmc_info *i)
{
    if (i->lan_st != INFO_OK)
        return NULL;
    json_object *j = json_object_new_object();
    char mac[18];
    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", i->mac[0], i->mac[1], i->mac[2],
             i->mac[3], i->mac[4], i->mac[5]);
    json_object_object_add(j, "channel", json_object_new_int(i->lan_channel));
    json_object_object_add(
        j, "ip_source",
        i->have_ip_source ? json_object_new_string(ipmi_ip_source_name(i->ip_source)) : NULL);
    json_object_object_add(j, "ip", ipv4(i->have_ip, i->ip));
    json_object_object_add(j, "netmask", ipv4(i->have_netmask, i->netmask));
    json_object_object_add(j, "gateway", ipv4(i->have_gateway, i->gateway));
    json_object_object_add(j, "mac", i->have_mac ? json_object_new_string(mac) : NULL);
    /* null when the BMC does not tag its traffic (or does not say) */
    json_object_object_add(
        j, "vlan_id", i->have_vlan && i->vlan_enabled ? json_object_new_int(i->vlan_id) : NULL);
    return j;
}

static json_object *json_power(const struct bmc_info *i)
{
    if (i->dcmi_st != INFO_OK)
        return NULL;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "current_watts", json_object_new_int(i->watts_current));
    json_object_object_add(j, "min_watts", json_object_new_int(i->watts_min));
    json_object_object_add(j, "max_watts", json_object_new_int(i->watts_max));
    json_object_object_add(j, "average_watts", json_object_new_int(i->watts_avg));
    json_object_object_add(j, "period_ms", json_object_new_int64(i->power_period_ms));
    json_object_object_add(j, "active", json_object_new_boolean(i->power_active));
    return j;
}

void report_json_info(json_object *j, const struct bmc_data *o)
{
    const struct bmc_info *i = &o->info;
    json_object_object_add(
        j, "poh_hours", i->poh_st == INFO_OK ? json_object_new_int64((int64_t)i->poh_hours) : NULL);
    json_object_object_add(j, "clock_offset_s",
                           i->sel_time_st == INFO_OK ? json_object_new_int64(i->clock_offset_s)
                                                     : NULL);
    json_object_object_add(j, "lan", json_lan(i));
    json_object_object_add(j, "dcmi_power", json_power(i));
    json_object *st = json_object_new_object();
    json_object_object_add(st, "poh", json_object_new_string(info_status_name(i->poh_st)));
    json_object_object_add(st, "sel_time",
                           json_object_new_string(info_status_name(i->sel_time_st)));
    json_object_object_add(st, "lan", json_object_new_string(info_status_name(i->lan_st)));
    json_object_object_add(st, "dcmi", json_object_new_string(info_status_name(i->dcmi_st)));
    json_object_object_add(j, "info_status", st);
}
