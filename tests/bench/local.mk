# Benchmarks: built with everything else (so they keep compiling), run only
# by `make bench`.  They print figures; they pass or fail nothing.
noinst_PROGRAMS += tests/bench/bench_sensors
tests_bench_bench_sensors_SOURCES = tests/bench/bench_sensors.c
tests_bench_bench_sensors_LDADD = $(BRIDGE_LIBS)
EXTRA_DIST += tests/bench/bench_sensors.sh tests/bench/bench_sel.sh tests/bench/bench_agentx.sh

bench: bench-local tests/bench/bench_sensors ipmi-snmp-bridge tests/agentx/agentx-driver
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_sensors.sh
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_sel.sh
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_agentx.sh

# The whole daemon under load (bmcsim and the daemon; bench_sensors.sh and
# bench_agentx.sh above add the FreeIPMI and SNMP figures): a table and
# bench.json.  make check runs a two-second smoke of the same script.
EXTRA_DIST += tests/bench/bench_daemon.sh tests/bench/smoke_bench.sh
TESTS += tests/bench/smoke_bench.sh
bench: bench-daemon
.PHONY: bench-daemon
bench-daemon: ipmi-snmp-bridge tests/bmcsim/bmcsim
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_daemon.sh
