/*
 * agentx_int.h - agentx.c's request path without a master agent, for the
 * fuzz harness (tests/fuzz/fuzz_agentx.c).  Internal to agent/ and its
 * tests; the daemon uses agentx.h only.
 *
 * agentx_int_new() makes an agent over `store` without initialising Net-SNMP
 * or connecting anywhere (one per process, like agentx_start()).
 * agentx_int_handle() runs the handler registered for table `table` (0 ..
 * agentx_int_ntables() - 1, in OID order) on `requests` in `mode`
 * (MODE_GET, MODE_GETNEXT, MODE_SET_RESERVE1 or MODE_SET_RESERVE2), as
 * Net-SNMP's agent calls it; agentx_int_subtree() gives the OID it is
 * registered at.
 */
#ifndef IPMI_BRIDGE_AGENTX_INT_H
#define IPMI_BRIDGE_AGENTX_INT_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agentx.h"

struct agentx *agentx_int_new(struct store *store, const struct agentx_opts *opts);
void agentx_int_free(struct agentx *a);
size_t agentx_int_ntables(void);
size_t agentx_int_subtree(size_t table, oid *out); /* MAX_OID_LEN room; its length */
int agentx_int_handle(struct agentx *a, size_t table, int mode, netsnmp_request_info *requests);

/*
 * The standard MIBs' per-BMC contexts (agentx_opts.standard_mibs), also
 * without a master: agentx_int_add_context() makes `name` the context of
 * BMC `bmc_index` (0 / -1); agentx_int_ctx_handle() runs table `table` (0 ..
 * agentx_int_ctx_ntables() - 1, in OID order: entPhysicalTable,
 * entPhySensorTable, IPMI-BRIDGE-MIB's per-BMC tables) as registered in
 * context `context`, which need not be known.
 */
int agentx_int_add_context(struct agentx *a, const char *name, uint32_t bmc_index);
size_t agentx_int_ctx_ntables(void);
size_t agentx_int_ctx_subtree(size_t table, oid *out);
int agentx_int_ctx_handle(struct agentx *a, size_t table, const char *context, int mode,
                          netsnmp_request_info *requests);

#endif
