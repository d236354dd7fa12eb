# The AgentX subagent (IPMI-BRIDGE-MIB handlers): the only code that includes
# Net-SNMP.  A library so that the daemon and tests/agentx/agentx-driver share it.
noinst_LIBRARIES += agent/libagentx.a
agent_libagentx_a_SOURCES = agent/agentx.c agent/agentx.h
agent_libagentx_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agent
agent_libagentx_a_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
