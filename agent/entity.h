/*
 * entity.h - the standard MIBs served per BMC (internal to agent/): the
 * table description agentx.c's request path works from (struct tdef), and
 * the three ENTITY tables entity.c adds to it:
 *
 *   entPhysicalTable  (ENTITY-MIB, RFC 4133)        in the BMC's context
 *   entPhySensorTable (ENTITY-SENSOR-MIB, RFC 3433) in the BMC's context
 *   entLogicalTable   (ENTITY-MIB)                  in the default context
 *
 * A BMC's SNMPv3 context is named after it (ipmiBmcName); agentx.c
 * registers these tables and IPMI-BRIDGE-MIB's per-BMC tables in each
 * context when agentx_opts.standard_mibs is set, and passes the context's
 * BMC to the handlers as a filter.
 *
 * entPhysicalIndex of a BMC's entities (one space per context):
 *   1 .. 2^22           a sensor: its ipmiSensorIndex (class sensor(8); the
 *                       same row in entPhySensorTable and ipmiSensorTable)
 *   2^22 + ipmiFruIndex a FRU device (id + 1): entPhysicalIsFRU true
 * Only the sensors with units are physical entities (ent_sensor.h says why).
 */
#ifndef IPMI_BRIDGE_ENTITY_H
#define IPMI_BRIDGE_ENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "store.h"

struct agentx;

/* A row inside one BMC's snapshot (or of a global table). */
struct pos {
    uint32_t a, b, c;
};

struct tdef {
    const char *name;
    const oid *root; /* the table's parent; NULL: ipmiBridgeObjects */
    uint8_t root_len;
    uint32_t sub;      /* root.sub: the table (or the scalar group) */
    bool scalar;       /* the group itself is the "entry" (no .1) */
    bool per_bmc;      /* rows belong to a BMC: ipmiBmcIndex is the first key */
    bool implicit_bmc; /* ... which the OID leaves out: the context names it */
    uint8_t nidx;      /* index components in the OID */
    uint8_t ncols;
    const uint8_t *cols; /* ascending */
    /* within one snapshot (NULL for global tables); key: the row's own
     * components (nidx - per_bmc of them, or nidx with implicit_bmc) */
    bool (*seek)(struct agentx *a, const struct store_bmc *b, const uint32_t *key, struct pos *p);
    bool (*next)(struct agentx *a, const struct store_bmc *b, struct pos *p);
    void (*idx)(const struct store_bmc *b, const struct pos *p, uint32_t *out);
    bool (*value)(struct agentx *a, const struct store_bmc *b, const struct pos *p, unsigned col,
                  netsnmp_variable_list *vb);
};

extern const struct tdef entity_physical_table, entity_sensor_table, entity_logical_table;

/* entPhysicalIndex of FRU device `fru_index` (ipmiFruIndex). */
#define ENTITY_FRU_BASE 4194304u /* 2^22: above every ipmiSensorIndex */

/* Can a BMC's name be an SNMPv3 context name (1..32 octets)? */
bool entity_context_name_ok(const char *name);

/* agentx.c's value helpers (SNMPv2-TC DateAndTime, UTC) */
bool agentx_v_date(netsnmp_variable_list *vb, int64_t t);

#endif
