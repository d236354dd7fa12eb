/*
 * report_info.c - JSON of POH, SEL clock, LAN configuration and DCMI power
 * (see report_info.h), from the snapshot: every text was formed by the
 * snapshot builder.
 */
#include "report_info.h"

static json_object *str_if(bool have, const char *s)
{
    return have && s ? json_object_new_string(s) : NULL;
}

static json_object *json_lan(const struct store_info *i)
{
    if (i->lan_st != STORE_INFO_OK)
        return NULL;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "channel", json_object_new_int(i->lan_channel));
    json_object_object_add(j, "ip_source", str_if(i->has_ip_source, i->ip_source_word));
    json_object_object_add(j, "ip", str_if(i->has_ip, i->ip_text));
    json_object_object_add(j, "netmask", str_if(i->has_netmask, i->netmask_text));
    json_object_object_add(j, "gateway", str_if(i->has_gateway, i->gateway_text));
    json_object_object_add(j, "mac", str_if(i->has_mac, i->mac_text));
    /* null when the BMC does not tag its traffic (or does not say) */
    json_object_object_add(j, "vlan_id", i->has_vlan ? json_object_new_int(i->vlan_id) : NULL);
    return j;
}

static json_object *json_power(const struct store_info *i)
{
    if (i->dcmi_st != STORE_INFO_OK)
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

static json_object *word(const char *w)
{
    return json_object_new_string(w ? w : "not_read");
}

void report_json_info(json_object *j, const struct store_info *i)
{
    json_object_object_add(j, "poh_hours",
                           i->poh_st == STORE_INFO_OK ? json_object_new_int64((int64_t)i->poh_hours)
                                                      : NULL);
    json_object_object_add(
        j, "clock_offset_s",
        i->sel_time_st == STORE_INFO_OK ? json_object_new_int64(i->clock_offset_s) : NULL);
    json_object_object_add(j, "lan", json_lan(i));
    json_object_object_add(j, "dcmi_power", json_power(i));
    json_object *st = json_object_new_object();
    json_object_object_add(st, "poh", word(i->poh_word));
    json_object_object_add(st, "sel_time", word(i->sel_time_word));
    json_object_object_add(st, "lan", word(i->lan_word));
    json_object_object_add(st, "dcmi", word(i->dcmi_word));
    json_object_object_add(j, "info_status", st);
}
