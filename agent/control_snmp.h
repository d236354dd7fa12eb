/*
 * control_snmp.h - SETs of ipmiBmcTable's control columns and the
 * ipmiControlAction notification (internal to agent/; includes Net-SNMP).
 */
#ifndef IPMI_BRIDGE_CONTROL_SNMP_H
#define IPMI_BRIDGE_CONTROL_SNMP_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agentx.h"

struct store;

struct ctl_snmp {
    const struct agentx_control *ops; /* NULL: nothing is writable */
    struct store *store;
    oid entry[MAX_OID_LEN]; /* ipmiBmcEntry */
    size_t elen;
    void (*after)(void);    /* run after a delegated request completed */
    uint64_t *sets, *traps; /* counters to bump (agentx_stats) */
};

/* Handle one SET mode for the ipmiBmcTable varbinds in `requests`. */
void ctl_snmp_set(struct ctl_snmp *c, netsnmp_mib_handler *handler,
                  netsnmp_handler_registration *reg, netsnmp_agent_request_info *reqinfo,
                  netsnmp_request_info *requests);

#endif
