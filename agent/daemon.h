/*
 * daemon.h - the long-running mode: the event loop, the poll scheduler,
 * signals (SIGTERM/SIGINT stop, SIGHUP reload, SIGUSR1 status), the BMC
 * index file and the status file.
 */
#ifndef IPMI_BRIDGE_DAEMON_H
#define IPMI_BRIDGE_DAEMON_H

struct cfg;
struct ev_loop;
struct daemon;
struct store;

/*
 * ---- AgentX hook -----------------------------------------------------------
 * Where the AgentX subagent (agent/, Net-SNMP) plugs into the daemon.  Every
 * pointer may be NULL.  All calls happen on the daemon's main thread (the
 * poller workers of `worker-threads` never call them); the
 * agent registers its own descriptors and timers on `loop` (ev_add_fd,
 * ev_timer_start) so that Net-SNMP is driven from this loop.
 */
struct daemon_hooks {
    void *arg;
    /* After the pollers started.  `store` holds every BMC's latest snapshot
     * (published by the workers after each poll, applied on this thread; a
     * BMC that leaves is removed): what the agent serves.  -1 is logged; the daemon
     * keeps polling. */
    int (*start)(void *arg, struct ev_loop *loop, struct store *store, const struct cfg *cfg);
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

#endif
