#!/usr/bin/env bash
# control_daemon.sh - tests/agentx/control_snmp.sh against the real daemon
# (ipmi-snmp-bridge -c FILE, its scheduler holding the live sessions and the
# subagent in its loop) instead of agentx-driver --control.
export CONTROL_PEER=daemon
exec "$(dirname "${BASH_SOURCE[0]}")/control_snmp.sh" "$@"
