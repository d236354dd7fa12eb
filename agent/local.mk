# The AgentX subagent (IPMI-BRIDGE-MIB handlers): the only code that includes
# Net-SNMP.  A library so that the daemon and tests/agentx/agentx-driver share it.
noinst_LIBRARIES += agent/libagentx.a
agent_libagentx_a_SOURCES = agent/agentx.c agent/agentx.h agent/agentx_int.h agent/entity.c agent/entity.h agent/control_snmp.c agent/control_snmp.h agent/control_glue.c agent/control_glue.h \
	agent/notify.c agent/notify.h agent/pet_listener.c agent/pet_listener.h \
	agent/events.c agent/events.h
nodist_agent_libagentx_a_SOURCES = agent/mib_root.h
agent_libagentx_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agent -I$(top_builddir)/agent
agent_libagentx_a_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)

# The MIB's root OID, taken from the MODULE-IDENTITY's "::= { enterprises ... }"
# line of mibs/IPMI-BRIDGE-MIB.txt: moving the module is that one line.
agent/mib_root.h: $(srcdir)/mibs/IPMI-BRIDGE-MIB.txt
	$(AM_V_GEN)mkdir -p agent && \
	sed -n 's/^ *::= *{ *enterprises \([0-9 ]*\)}.*$$/\1/p' $(srcdir)/mibs/IPMI-BRIDGE-MIB.txt | \
	    awk 'NR == 1 && NF > 0 { printf "#define IPMI_BRIDGE_MIB_ROOT 1, 3, 6, 1, 4, 1"; \
	        for (i = 1; i <= NF; i++) printf ", %s", $$i; print "" }' > $@.tmp && \
	test -s $@.tmp && mv $@.tmp $@
agent/libagentx_a-agentx.$(OBJEXT) agent/libagentx_a-entity.$(OBJEXT) agent/libagentx_a-notify.$(OBJEXT) agent/libagentx_a-pet_listener.$(OBJEXT) agent/libagentx_a-events.$(OBJEXT): agent/mib_root.h
BUILT_SOURCES = agent/mib_root.h
CLEANFILES += agent/mib_root.h agent/mib_root.h.tmp
agent/libagentx_a-control_snmp.$(OBJEXT): agent/mib_root.h
