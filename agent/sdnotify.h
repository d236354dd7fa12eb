/*
 * sdnotify.h - telling systemd how the daemon is doing (Type=notify).
 *
 * A thin layer over sd_notify(3) from libsystemd.  Without libsystemd
 * (configure found no libsystemd-dev) or without $NOTIFY_SOCKET (not started
 * by systemd) every call does nothing, so the daemon never depends on it.
 *
 *   READY=1      once the configuration is loaded, the poller runs and the
 *                AgentX subagent made its first connect attempt (readiness
 *                never waits for snmpd: the subagent reconnects on its own)
 *   STATUS=      "N BMCs: a polling, b degraded, ..." (the BMCs' states in
 *                the store) refreshed by a timer
 *   WATCHDOG=1   from the same timer, at half of WatchdogSec=, when set
 *   RELOADING=1  before a SIGHUP reload, READY=1 after it (accepted or not)
 *   STOPPING=1   when SIGTERM/SIGINT starts the shutdown
 */
#ifndef IPMI_BRIDGE_SDNOTIFY_H
#define IPMI_BRIDGE_SDNOTIFY_H

#include <stdbool.h>

struct ev_loop;
struct store;
struct sdn;

/*
 * Starts the status/watchdog timer on `loop`.  NULL (and every call below a
 * no-op) when not started by systemd, built without libsystemd, or out of memory.
 */
struct sdn *sdn_new(struct ev_loop *loop, const struct store *store);
void sdn_free(struct sdn *n); /* NULL is a no-op */

void sdn_ready(struct sdn *n);
void sdn_reloading(struct sdn *n);
void sdn_stopping(struct sdn *n);

/* Whether this build talks to systemd at all (libsystemd linked). */
bool sdn_available(void);

#endif
