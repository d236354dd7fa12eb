# Benchmarks: built with everything else (so they keep compiling), run only
# by `make bench` (tests/bench/bench.sh: the whole daemon, one table and
# bench.json) and `make bench-parts` (the older single-purpose scripts).
# They print figures; they pass or fail nothing.  `make check` runs a
# 2-second smoke of bench.sh (smoke_bench.sh) that asserts only that it ran.
noinst_PROGRAMS += tests/bench/bench_sensors
tests_bench_bench_sensors_SOURCES = tests/bench/bench_sensors.c
tests_bench_bench_sensors_LDADD = $(BRIDGE_LIBS)
noinst_PROGRAMS += tests/bench/snmpget_lat
tests_bench_snmpget_lat_SOURCES = tests/bench/snmpget_lat.c
tests_bench_snmpget_lat_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
tests_bench_snmpget_lat_LDADD = $(NETSNMP_LIBS)
EXTRA_DIST += tests/bench/bench_sensors.sh tests/bench/bench_sel.sh tests/bench/bench_agentx.sh \
	tests/bench/bench_pet.sh tests/bench/bench_pet.py tests/bench/bench_snmpget.sh \
	tests/bench/bench_rss.sh \
	tests/bench/bench.sh tests/bench/bench_lib.py tests/bench/smoke_bench.sh
TESTS += tests/bench/smoke_bench.sh
CLEANFILES += bench.json

# one command, one table: every row of the whole-daemon benchmark
.PHONY: bench-parts
bench: tests/bench/snmpget_lat ipmi-snmp-bridge tests/bmcsim/bmcsim tests/bmcsim/bmcsim-ctl
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench.sh

bench-parts: bench-local tests/bench/bench_sensors tests/bench/snmpget_lat ipmi-snmp-bridge \
	    tests/agentx/agentx-driver tests/bmcsim/bmcsim tests/bmcsim/bmcsim-ctl
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_sensors.sh
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_sel.sh
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_agentx.sh
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_pet.sh
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_snmpget.sh
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_rss.sh

# the daemon's memory per BMC alone (BENCH_RSS_SIZES, BENCH_RSS_MASSIF: see the script)
.PHONY: bench-rss
bench-rss: ipmi-snmp-bridge tests/bmcsim/bmcsim tests/bmcsim/bmcsim-ctl
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bench/bench_rss.sh

# what one reading costs (callgrind + perf stat; README "Where a reading's CPU goes")
EXTRA_DIST += tests/bench/profile_reading.sh
