# Integration tests: bash scripts that start real ipmi_sim BMC simulators on
# 127.0.0.1 and run the bridge binary against them (see tests/lib/common.sh).
# They are executed directly (they are executable, #!/usr/bin/env bash) with
# top_srcdir/top_builddir exported by AM_TESTS_ENVIRONMENT; each uses its own
# port range (free_port from a per-file start: fixture 21400, once_ipmisim
# 21000, once_failures 21100/21150, once_concurrent 21200, demo 21300,
# sensors_ipmisim 21500, fru_sel_ipmisim 21600, sel_incremental 21700,
# pet_vectors 21800, control_ipmisim 21900), so
# `make -j check` may run them in parallel.  A missing
# openipmi/ipmitool/freeipmi-tools package makes them SKIP (exit 77).
# sensors_ipmisim, fru_sel_ipmisim and sel_incremental compare the bridge
# with ipmitool and FreeIPMI (tests/lib/oracle*.py); sel_incremental SKIPs
# until the bridge has a two-poll mode.
INTEGRATION_TESTS = \
	tests/integration/ipmisim_fixture.sh \
	tests/integration/once_ipmisim.sh \
	tests/integration/once_failures.sh \
	tests/integration/once_concurrent.sh \
	tests/integration/sensors_ipmisim.sh \
	tests/integration/fru_sel_ipmisim.sh \
	tests/integration/sel_incremental.sh \
	tests/integration/pet_vectors.sh \
	tests/integration/mib_check.sh \
	tests/integration/control_ipmisim.sh
TESTS += $(INTEGRATION_TESTS)

# shared test helpers and the ipmi_sim fixture
INTEGRATION_SUPPORT = \
	tests/lib/common.sh \
	tests/lib/ipmisim.sh \
	tests/lib/jsonq.py \
	tests/lib/oracle.sh \
	tests/lib/oracle_compare.py \
	tests/lib/oracle_freeipmi.py \
	tests/lib/oracle_ipmitool.py \
	tests/integration/pet_vectors.py \
	tests/integration/pet_vectors.txt \
	tests/ipmisim/lan.conf.in \
	tests/ipmisim/sim.emu \
	tests/ipmisim/sensors.sdrs \
	tests/ipmisim/mkfru.py \
	tests/ipmisim/fru.emu \
	tests/ipmisim/raw-sdrs.txt \
	tests/ipmisim/rawsdr.py \
	tests/ipmisim/chassis-control.sh \
	tests/ipmisim/README.md \
	tests/demo.sh
EXTRA_DIST += $(INTEGRATION_TESTS) $(INTEGRATION_SUPPORT)

# control_run: drives src/poll/control.c for control_ipmisim.sh and tests/bmcsim/test_control.sh
check_PROGRAMS += tests/integration/control_run
tests_integration_control_run_SOURCES = tests/integration/control_run.c
tests_integration_control_run_LDADD = $(BRIDGE_LIBS)
