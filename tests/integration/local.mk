# Integration tests: bash scripts that start real ipmi_sim BMC simulators on
# 127.0.0.1 and run the bridge binary against them (see tests/lib/common.sh).
# They are executed directly (they are executable, #!/usr/bin/env bash) with
# top_srcdir/top_builddir exported by AM_TESTS_ENVIRONMENT; each uses its own
# port range (free_port from a per-file start: fixture 21400, once_ipmisim
# 21000, once_failures 21100/21150, once_concurrent 21200, demo 21300), so
# `make -j check` may run them in parallel.  A missing
# openipmi/ipmitool package makes them SKIP (exit 77).
INTEGRATION_TESTS = \
	tests/integration/ipmisim_fixture.sh \
	tests/integration/once_ipmisim.sh \
	tests/integration/once_failures.sh \
	tests/integration/once_concurrent.sh
TESTS += $(INTEGRATION_TESTS)

# shared test helpers and the ipmi_sim fixture
INTEGRATION_SUPPORT = \
	tests/lib/common.sh \
	tests/lib/ipmisim.sh \
	tests/lib/jsonq.py \
	tests/ipmisim/lan.conf.in \
	tests/ipmisim/sim.emu \
	tests/ipmisim/sensors.sdrs \
	tests/ipmisim/mkfru.py \
	tests/ipmisim/fru.emu \
	tests/ipmisim/chassis-control.sh \
	tests/ipmisim/README.md \
	tests/demo.sh
EXTRA_DIST += $(INTEGRATION_TESTS) $(INTEGRATION_SUPPORT)
