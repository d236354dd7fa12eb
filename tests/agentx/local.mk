# AgentX subagent tests: a driver that serves a store (filled by one --once
# poll, or synthetic) through agent/libagentx.a, and scripts that run it under
# a private snmpd (master agentx on a unix socket in the run dir, udp on
# 127.0.0.1 on an unprivileged port).  Port ranges (free_port starts): agentx_walk
# 22100/22150, agentx_badinput 22250, agentx_restart 22350, bench_agentx 22450,
# daemon_walk 22550/22600/22650, pet_notify 23100-23180, pet_daemon 23200-23280 (bench_pet 23300-23380).
noinst_PROGRAMS += tests/agentx/agentx-driver
tests_agentx_agentx_driver_SOURCES = tests/agentx/agentx_driver.c
tests_agentx_agentx_driver_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agent
tests_agentx_agentx_driver_LDADD = agent/libagentx.a $(BRIDGE_LIBS) $(NETSNMP_LIBS)

AGENTX_TESTS = \
	tests/agentx/agentx_walk.sh \
	tests/agentx/agentx_badinput.sh \
	tests/agentx/agentx_restart.sh \
	tests/agentx/daemon_walk.sh \
	tests/agentx/pet_notify.sh \
	tests/agentx/pet_daemon.sh \
	tests/agentx/pet_daemon_workers.sh \
	tests/agentx/daemon_workers_walk.sh
TESTS += $(AGENTX_TESTS)
EXTRA_DIST += $(AGENTX_TESTS) tests/agentx/mib_vs_json.py tests/agentx/mib_vs_oracle.py tests/agentx/getnext_probe.py tests/lib/snmpd.sh \
	tests/agentx/pet_notify.py

# Standard MIBs per BMC through SNMPv3 contexts (issue 14): ports from 24500
TESTS += tests/agentx/stdmibs.sh
EXTRA_DIST += tests/agentx/stdmibs.sh tests/agentx/stdmibs_check.py

# Control over SNMP (issue 12): ports from 22550
TESTS += tests/agentx/control_snmp.sh tests/agentx/control_daemon.sh \
	tests/agentx/control_daemon_workers.sh
EXTRA_DIST += tests/agentx/control_snmp.sh tests/agentx/control_daemon.sh \
	tests/agentx/control_daemon_workers.sh
