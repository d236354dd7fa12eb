# AgentX subagent tests: a driver that serves a store (filled by one --once
# poll, or synthetic) through agent/libagentx.a, and scripts that run it under
# a private snmpd (master agentx on a unix socket in the run dir, udp on
# 127.0.0.1 on an unprivileged port).  Port ranges (free_port starts): agentx_walk
# 22100/22150, agentx_badinput 22250, agentx_restart 22350, bench_agentx 22450,
# daemon_walk 22550/22600/22650, daemon_workers_walk 16500/22700.
noinst_PROGRAMS += tests/agentx/agentx-driver
tests_agentx_agentx_driver_SOURCES = tests/agentx/agentx_driver.c
tests_agentx_agentx_driver_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agent
tests_agentx_agentx_driver_LDADD = agent/libagentx.a $(BRIDGE_LIBS) $(NETSNMP_LIBS)

AGENTX_TESTS = \
	tests/agentx/agentx_walk.sh \
	tests/agentx/agentx_badinput.sh \
	tests/agentx/agentx_restart.sh \
	tests/agentx/daemon_walk.sh \
	tests/agentx/daemon_workers_walk.sh
TESTS += $(AGENTX_TESTS)
EXTRA_DIST += $(AGENTX_TESTS) tests/agentx/mib_vs_json.py tests/agentx/mib_vs_oracle.py tests/agentx/getnext_probe.py tests/lib/snmpd.sh
