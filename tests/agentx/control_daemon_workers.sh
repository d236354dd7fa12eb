#!/usr/bin/env bash
# control_daemon_workers.sh - tests/agentx/control_daemon.sh with
# worker-threads = 2: the six BMCs are spread over two poller threads, every
# control SET goes from the agent's thread to its BMC's worker and its
# outcome comes back to the agent's thread.
export CONTROL_PEER=daemon WORKER_THREADS=2
exec "$(dirname "${BASH_SOURCE[0]}")/control_snmp.sh" "$@"
