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
 * pointer may be NULL.  All calls happen on the daemon's one thread; the
 * agent registers its own descriptors and timers on `loop` (ev_add_fd,
 * ev_timer_start) so that Net-SNMP is driven from this loop.
 */
struct daemon_hooks {
    void *arg;
    /*
     * Before privileges are dropped (the `user` key): open what needs root,
     * e.g. the PET listener's UDP port 162.  -1 is logged; the daemon keeps
     * polling.  Runs once, at start; a reload runs as `user`.
     */
    int (*bind)(void *arg, struct ev_loop *loop, const struct cfg *cfg);
    /* After the poller started.  `store` holds every BMC's latest snapshot
     * (published and applied on this thread after each poll; a BMC that
     * leaves is removed): what the agent serves.  -1 is logged; the daemon
     * keeps polling.  `control` starts chassis control actions on the
     * daemon's sessions (agentx_opts.control; control_glue.h). */
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
 * From a hook, on the daemon's thread: queue an IPMI request on the session
 * of the BMC with this ipmiBmcIndex (the PET Acknowledge).  The callback runs
 * once (bmc_request()).  -1: no such BMC (or leaving), or not queued.
 * O(number of BMCs) to find it.
 */
int daemon_bmc_request(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len,
                       bmc_rsp_cb cb, void *arg);
/*
 * The same outside any session (bmc_send_sessionless(): fire and forget, no
 * login needed; pet-acknowledge = sessionless).  -1: no such BMC (or
 * leaving), or not sent.
 */
int daemon_bmc_send_sessionless(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data,
                                size_t len);

#endif
