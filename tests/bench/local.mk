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
