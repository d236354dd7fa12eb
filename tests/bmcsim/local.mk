# fragment for tests/bmcsim (see Makefile.am): the BMC fleet simulator,
# its control CLI, its load generator, its content unit test and its
# integration scripts.

# The content module (profile, SDR, sensors, FRU, SEL), shared by the
# simulator and its unit test.
BMCSIM_CONTENT = \
	tests/bmcsim/simcontent.c tests/bmcsim/simcontent.h \
	tests/bmcsim/sim_internal.h tests/bmcsim/sim_profile.c tests/bmcsim/sim_default.c

# configure --enable-install-simulator installs bmcsim, bmcsim-ctl and bmcsim(1)
# for those who want the simulator outside the tree; otherwise they stay here.
noinst_PROGRAMS += tests/bmcsim/simload
if INSTALL_SIM
bin_PROGRAMS += tests/bmcsim/bmcsim tests/bmcsim/bmcsim-ctl
man1_MANS = tests/bmcsim/bmcsim.1
else
noinst_PROGRAMS += tests/bmcsim/bmcsim tests/bmcsim/bmcsim-ctl
endif

tests_bmcsim_bmcsim_SOURCES = \
	tests/bmcsim/bmcsim.c tests/bmcsim/bmcsim.h \
	tests/bmcsim/bmcsim_rmcp.c tests/bmcsim/bmcsim_fault.c \
	tests/bmcsim/bmcsim_pet.c tests/bmcsim/bmcsim_ctl.c tests/bmcsim/bmcsim_dump.c \
	$(BMCSIM_CONTENT)
tests_bmcsim_bmcsim_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS) $(CRYPTO_CFLAGS)
tests_bmcsim_bmcsim_LDADD = $(BRIDGE_LIBS) $(NETSNMP_LIBS)

tests_bmcsim_bmcsim_ctl_SOURCES = tests/bmcsim/bmcsim-ctl.c

tests_bmcsim_simload_SOURCES = tests/bmcsim/simload.c
tests_bmcsim_simload_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_bmcsim_simload_LDADD = $(BRIDGE_LIBS)

# CUnit test of the content module.
check_PROGRAMS += tests/bmcsim/test_simcontent
TESTS += tests/bmcsim/test_simcontent
tests_bmcsim_test_simcontent_SOURCES = tests/bmcsim/test_simcontent.c $(BMCSIM_CONTENT)
tests_bmcsim_test_simcontent_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests/unit
tests_bmcsim_test_simcontent_LDADD = tests/unit/libunit.a $(BRIDGE_LIBS) $(CUNIT_LIBS)

# Integration scripts: each starts its own simulator on free loopback ports.
BMCSIM_TESTS = \
	tests/bmcsim/test_clients.sh \
	tests/bmcsim/test_scale.sh \
	tests/bmcsim/test_pet.sh \
	tests/bmcsim/test_faults.sh \
	tests/bmcsim/test_sdr_cache.sh \
	tests/bmcsim/test_sdr_cache_trust.sh \
	tests/bmcsim/test_no_core_dumps.sh \
	tests/bmcsim/test_bridge_recovery.sh \
	tests/bmcsim/test_bridge_suites.sh \
	tests/bmcsim/test_bridge_inflight.sh \
	tests/bmcsim/test_store_text.sh \
	tests/bmcsim/test_once_deadline.sh \
	tests/bmcsim/test_control.sh \
	tests/bmcsim/test_daemon.sh \
	tests/bmcsim/test_daemon_scale.sh \
	tests/bmcsim/test_daemon_schedule.sh \
	tests/bmcsim/test_daemon_workers.sh \
	tests/bmcsim/test_daemon_ping.sh \
	tests/bmcsim/test_daemon_reopen.sh \
	tests/bmcsim/test_daemon_reload_leaving.sh \
	tests/bmcsim/test_daemon_faults.sh \
	tests/bmcsim/test_daemon_security.sh \
	tests/bmcsim/test_daemon_soak.sh \
	tests/bmcsim/test_daemon_valgrind.sh \
	tests/bmcsim/test_daemon_snmpd.sh \
	tests/bmcsim/test_info.sh \
	tests/bmcsim/test_sdnotify.sh
TESTS += $(BMCSIM_TESTS)

EXTRA_DIST += $(BMCSIM_TESTS) \
	tests/bmcsim/testlib.sh tests/bmcsim/daemonlib.sh tests/bmcsim/compare.py \
	tests/bmcsim/sdnotify_sink.py tests/bmcsim/bench_sim.sh \
	tests/bmcsim/default.profile tests/bmcsim/small.profile \
	tests/bmcsim/README.md tests/bmcsim/bmcsim.1

# Benchmark (not a test): memory per BMC and requests/s.  `make bench` hooks in here.
.PHONY: bench-local
bench-local: tests/bmcsim/bmcsim tests/bmcsim/simload
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bmcsim/bench_sim.sh

# The daemon soak at full length (not part of `make check`, whose run is
# compressed to 120 s): SOAK_SECONDS (default 3600), SOAK_BMCS (500).
.PHONY: soak
soak: ipmi-snmp-bridge$(EXEEXT) tests/bmcsim/bmcsim$(EXEEXT) tests/bmcsim/bmcsim-ctl$(EXEEXT)
	SOAK_SECONDS=$${SOAK_SECONDS:-3600} \
	    top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/bmcsim/test_daemon_soak.sh
