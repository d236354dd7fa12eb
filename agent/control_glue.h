/*
 * control_glue.h - what the owner of the poller (the daemon, or the test
 * driver) needs to serve control over SNMP: the agentx_control the
 * subagent calls, and the control columns of every BMC's snapshot.
 *
 *   g = control_glue_new(store, cs, &(struct control_glue_ops){bmc_of, ctx});
 *   agentx_opts.control = control_glue_agentx(g);
 *   when building a BMC's snapshot after a poll (the scheduler's publish hook):
 *       struct control_glue_text t;
 *       snap_opts.control = control_glue_columns(g, b, index, &t);
 *       ... snap_build, store_publish ...
 *       control_glue_after_poll(g, b, index, info_ok_ns);
 *   at the end (after the poller's sessions are closed, before control_set_free):
 *       control_glue_free(g);
 *
 * A read-back or an action's end republishes the BMC's current snapshot
 * with the new columns at once (store_bmc_with_control), so SNMP shows the
 * outcome without waiting for the next poll.  Same thread as the poller;
 * without ops.current/publish also the store's reader and the subagent
 * (the test driver).  The daemon runs one glue per worker thread and calls
 * control_glue_agentx()'s start there, for the agent's SETs it forwards.
 */
#ifndef IPMI_BRIDGE_CONTROL_GLUE_H
#define IPMI_BRIDGE_CONTROL_GLUE_H

#include <stdint.h>

#include "agentx.h"
#include "control.h"
#include "store.h"

struct control_glue;

struct control_glue_ops {
    struct bmc *(*bmc_of)(void *ctx, uint32_t index); /* NULL: no such BMC */
    void *ctx;
    uint32_t timeout_ms; /* each action's budget (below snmpd's agentXTimeout); 0: 4000 */
    /*
     * Where the glue finds a BMC's current snapshot and republishes it.  NULL
     * (both): the store given to control_glue_new(), read and applied on this
     * thread.  A poller thread that is not the store's reader (the daemon's
     * workers) keeps its own last snapshots: `current` returns one of them
     * (no reference), `publish` takes over the reference of the new one.
     */
    const struct store_bmc *(*current)(void *ctx, uint32_t index);
    void (*publish)(void *ctx, uint32_t index, const struct store_bmc *snap);
};

struct control_glue *control_glue_new(struct store *store, struct control_set *cs,
                                      const struct control_glue_ops *ops);
void control_glue_free(struct control_glue *g);

/* A SET for an index no BMC has (or no memory to start it): `now` says so;
 * returns its status (CONTROL_E_UNAVAILABLE). */
enum control_status control_glue_refuse(struct control_result *now, uint32_t index);
const struct agentx_control *control_glue_agentx(struct control_glue *g);

/* Read the BMC's control state (control_read_state) and republish the
 * snapshot with ipmiBmcIndex `index`. */
void control_glue_read_back(struct control_glue *g, struct bmc *b, uint32_t index);
/* After a poll: read back when the info task has run since the last time
 * (`info_ok_ns` changed: the scheduler's last_ok_ns[TASK_INFO]) and the
 * session is up, so the state follows the info interval. */
void control_glue_after_poll(struct control_glue *g, struct bmc *b, uint32_t index,
                             uint64_t info_ok_ns);

/* The columns for a snapshot of `b` (the last read-back, else the last
 * actions); the texts live in `t`. */
struct control_glue_text {
    struct store_control c;
    char action[256], result[320];
};
const struct store_control *control_glue_columns(struct control_glue *g, const struct bmc *b,
                                                 uint32_t index, struct control_glue_text *t);

#endif
