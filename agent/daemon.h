/*
 * daemon.h - the long-running mode: the event loop, the poll scheduler,
 * signals (SIGTERM/SIGINT stop, SIGHUP reload, SIGUSR1 status), the BMC
 * index file and the status file.
 */
#ifndef IPMI_BRIDGE_DAEMON_H
#define IPMI_BRIDGE_DAEMON_H

#include <stdint.h>

struct cfg;
struct ev_loop;
struct daemon;
struct sched;
struct sched_bmc;

/*
 * ---- AgentX hook -----------------------------------------------------------
 * Where the AgentX subagent (agent/, Net-SNMP) plugs into the daemon.  Every
 * pointer may be NULL.  start/reload/stop happen on the main (agent) thread; the
 * agent registers its own descriptors and timers on `loop` (ev_add_fd,
 * ev_timer_start) so that Net-SNMP is driven from this loop.
 */
struct daemon_hooks {
    void *arg;
    /* After the poller started.  -1 is logged; the daemon keeps polling. */
    int (*start)(void *arg, struct ev_loop *loop, const struct cfg *cfg);
    /* After a reload was accepted (the new configuration is in effect). */
    void (*reload)(void *arg, const struct cfg *cfg);
    /* At shutdown, before the sessions are closed. */
    void (*stop)(void *arg);
    /*
     * ---- store hook (on a WORKER thread, not the agent's) ----
     * After every chain of a BMC (see sched_publish_cb in scheduler.h): build
     * its snapshot and store_publish() it (lock-free, any thread).  The
     * FRU reader's results are dropped after it returns (fru_reader_trim):
     * the snapshot's FRU part must hold them by then.
     */
    void (*publish)(void *arg, struct sched *s, struct sched_bmc *sb);
    /* A BMC left its worker (removed or restarting): store_remove(index). */
    void (*left)(void *arg, uint32_t index);
};

/*
 * Run until SIGTERM or SIGINT; returns the exit status (0 after a clean
 * stop).  Takes ownership of `cfg` (a reload replaces it).  `path` is read
 * again on SIGHUP.
 */
int daemon_run(const char *path, struct cfg *cfg, const struct daemon_hooks *hooks);

#endif
