/*
 * agentx.h - the AgentX subagent: serves IPMI-BRIDGE-MIB from the store.
 *
 * The only module that includes Net-SNMP.  Net-SNMP is driven from the
 * caller's event loop (src/poll/ev.h) on the caller's thread: its sockets are
 * watched by epoll and its alarms (AgentX ping, re-registration) by one
 * ev_timer, so nothing here blocks except Net-SNMP's own synchronous AgentX
 * ping, whose timeout is kept short (agentx_opts.timeout_ms).
 *
 * Every answer comes from the store's current snapshots (store_find,
 * store_lower_bound and the parts' lower_bound): O(log n) per varbind, plus
 * a cursor hint that answers the usual "next row" GETNEXT in O(1).  The
 * caller applies publications (store_apply) on the same thread; a pointer
 * read from the store is only used within one request.
 *
 * Re-registration: when snmpd goes away the library retries every
 * ping_interval_s seconds; the agent logs the loss once and the recovery
 * once (not every retry).
 *
 * Control (agent/control_snmp.c): with agentx_opts.control set, SETs of
 * ipmiBmcPowerControl .. ipmiBmcBootMode start the action through it and
 * answer with its outcome (a delegated request, completed when the BMC has
 * answered); without it they answer notWritable.  Every action ends with an
 * ipmiControlAction notification.
 */
#ifndef IPMI_BRIDGE_AGENTX_H
#define IPMI_BRIDGE_AGENTX_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "store.h"

struct ev_loop;
struct store;
struct agentx;

/* IpmiBmcStateType value of each store state (ipmiBmcState, and the
 * notifications' old/new state varbinds). */
extern const uint8_t agentx_state_mib[STORE_ST__COUNT];

/* The bridge's own counters (ipmiBridgeScalars); the owner updates them on
 * the agent's thread.  May be NULL: the objects are absent then. */
struct agentx_counters {
    uint64_t pets_received, pets_bad, notifications_sent;
};

/* How the agent starts a control action (the owner maps the MIB's BMC
 * index to its poller's BMC and calls control_start()).  `done` must be
 * called exactly once, later, when `start` returns CONTROL_OK; otherwise
 * `now` holds the refusal.  The owner republishes the BMC's snapshot with
 * the new control record (store_bmc_with_control) as it sees fit. */
struct agentx_control {
    enum control_status (*start)(void *ctx, uint32_t bmc_index, const struct control_req *req,
                                 void (*done)(void *arg, const struct control_result *res),
                                 void *arg, struct control_result *now);
    void *ctx;
    uint32_t timeout_ms; /* each action's budget, below snmpd's agentXTimeout; 0: 4000 */
};

struct agentx_opts {
    const char *socket;   /* AgentX master socket; NULL: Net-SNMP's default */
    const char *app_name; /* Net-SNMP application name (config files); NULL: "ipmi-snmp-bridge" */
    unsigned ping_interval_s; /* AgentX ping and reconnect period; 0: 5 */
    unsigned timeout_ms;      /* AgentX request timeout (the ping waits this long); 0: 1000 */
    const struct agentx_counters *counters;
    uint64_t start_wall_s;                /* ipmiBridgeStartTime (Unix time); 0: now */
    const struct agentx_control *control; /* NULL: SETs answer notWritable */
    /* The standard MIBs (agent/entity.h): entLogicalTable in the default
     * context, and in each BMC's SNMPv3 context (named after the BMC) its
     * entPhysicalTable, entPhySensorTable and IPMI-BRIDGE-MIB rows.  The
     * contexts follow the store's roster (checked every second). */
    bool standard_mibs;
};

/*
 * Initialise Net-SNMP as an AgentX subagent, register the MIB's subtrees and
 * hook Net-SNMP's sockets and alarms into `loop`.  Connecting to the master
 * may fail: the agent keeps retrying every ping interval.  Once per process
 * (Net-SNMP keeps global state).  Sets SIGPIPE to ignored if it was at its
 * default (a write to a vanished snmpd).  NULL on error, with the reason in
 * `err`.
 */
struct agentx *agentx_start(struct ev_loop *loop, struct store *store,
                            const struct agentx_opts *opts, char *err, size_t errlen);
/* Unregister, close the AgentX session and shut Net-SNMP down.  NULL: no-op. */
void agentx_stop(struct agentx *a);
/* 1 while registered with the master agent, else 0. */
int agentx_connected(const struct agentx *a);

/* Counters of the agent itself (tests, benchmarks). */
struct agentx_stats {
    uint64_t requests;      /* handler calls */
    uint64_t varbinds;      /* varbinds answered or declined */
    uint64_t hint_hits;     /* GETNEXT answered from the cursor hint */
    uint64_t seeks;         /* GETNEXT answered by binary search */
    uint64_t connects;      /* registrations with a master */
    uint64_t disconnects;   /* losses of the master */
    uint64_t control_sets;  /* control actions started or refused by the BMC's side */
    uint64_t control_traps; /* ipmiControlAction notifications sent */
};
void agentx_get_stats(const struct agentx *a, struct agentx_stats *out);

#endif
