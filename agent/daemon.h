/*
 * daemon.h - the long-running mode: the event loop, the poll scheduler,
 * signals (SIGTERM/SIGINT stop, SIGHUP reload, SIGUSR1 status), the BMC
 * index file and the status file.
 */
#ifndef IPMI_BRIDGE_DAEMON_H
#define IPMI_BRIDGE_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "bmc.h" /* bmc_rsp_cb */

struct cfg;
struct ev_loop;
struct daemon;
struct store;
struct agentx_control;

/*
 * ---- AgentX hook -----------------------------------------------------------
 * Where the AgentX subagent (agent/, Net-SNMP) plugs into the daemon.  Every
 * pointer may be NULL.  All calls happen on the daemon's main thread (the
 * poller workers of `worker-threads` never call them); the agent registers
 * its own descriptors and timers on `loop` (ev_add_fd, ev_timer_start) so
 * that Net-SNMP is driven from this loop.
 */
struct daemon_hooks {
    void *arg;
    /*
     * Before privileges are dropped (the `user` key): open what needs root,
     * e.g. the PET listener's UDP port 162.  -1 is logged; the daemon keeps
     * polling.  Runs once, at start; a reload runs as `user`.
     */
    int (*bind)(void *arg, struct ev_loop *loop, const struct cfg *cfg);
    /* After the pollers started.  `store` holds every BMC's latest snapshot
     * (published by the workers after each poll, applied on this thread; a
     * BMC that leaves is removed): what the agent serves.  -1 is logged; the
     * daemon keeps polling.  `control` starts chassis control actions on the
     * daemon's sessions (agentx_opts.control): each goes to the BMC's worker,
     * and its outcome, a refusal included, comes back through `done` on this
     * thread. */
    int (*start)(void *arg, struct ev_loop *loop, struct store *store,
                 const struct agentx_control *control, const struct cfg *cfg);
    /* After a reload was accepted (the new configuration is in effect). */
    void (*reload)(void *arg, const struct cfg *cfg);
    /* At shutdown, before the sessions are closed. */
    void (*stop)(void *arg);
};

/*
 * Run until SIGTERM or SIGINT; returns the exit status (0 after a clean
 * stop).  Takes ownership of `cfg` (a reload replaces it).  `path` is read
 * again on SIGHUP.
 */
int daemon_run(const char *path, struct cfg *cfg, const struct daemon_hooks *hooks);

/*
 * From a hook, on the daemon's main thread: queue an IPMI request on the
 * session of the BMC with this ipmiBmcIndex (the PET Acknowledge).  The
 * request goes to the BMC's worker; the callback runs once, later, on the
 * main thread, with `b` NULL (the BMC belongs to its worker) and the
 * response copied (BMC_E_CLOSED: the BMC left or the daemon is stopping).
 * -1: no such BMC in the store, or out of memory (the callback never runs).
 * O(log n) to find it.
 */
int daemon_bmc_request(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len,
                       bmc_rsp_cb cb, void *arg);
/*
 * The same outside any session (bmc_send_sessionless(): fire and forget, no
 * login needed; pet-acknowledge = sessionless), sent by the BMC's worker.
 * -1: no such BMC in the store, or out of memory.
 */
int daemon_bmc_send_sessionless(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data,
                                size_t len);

#endif
