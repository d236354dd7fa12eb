/*
 * report_info.h - the JSON of the slow-changing facts of one BMC (POH
 * counter, SEL clock offset, LAN configuration, DCMI power reading), kept
 * apart from report.c so that the renderer can change around it.  Reads the
 * snapshot only (struct store_info).
 */
#ifndef IPMI_BRIDGE_REPORT_INFO_H
#define IPMI_BRIDGE_REPORT_INFO_H

#include <json-c/json.h>

#include "store.h"

/*
 * Adds "poh_hours", "clock_offset_s", "lan", "dcmi_power" (null when not
 * read or not supported) and "info_status" (ok, not_supported, failed,
 * not_read, and for sel_time not_set, for each of poh, sel_time, lan and
 * dcmi) to the object `j`.
 */
void report_json_info(json_object *j, const struct store_info *i);

#endif
