#!/usr/bin/env bash
# pet_daemon_workers.sh - tests/agentx/pet_daemon.sh with worker-threads = 2:
# the PET Acknowledges (session and session-less) go from the agent's thread
# to the BMC's worker, the answers come back to the agent's thread.
export WORKER_THREADS=2
exec "$(dirname "${BASH_SOURCE[0]}")/pet_daemon.sh" "$@"
