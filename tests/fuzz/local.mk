# libFuzzer harnesses (tests/fuzz/README.md).  Not part of `make check`: they
# need clang and the libFuzzer runtime, and CI runs them with run.sh.
#
#   make fuzz-long [SECONDS=600]   every harness for SECONDS each, one line per
#                                  harness with its executions, coverage and
#                                  corpus growth; crash inputs are kept in
#                                  $FUZZ_ARTIFACTS (default /tmp/fuzz-artifacts)
SECONDS = 600
FUZZ_FILES = \
	tests/fuzz/README.md tests/fuzz/build.sh tests/fuzz/run.sh tests/fuzz/seeds.py \
	tests/fuzz/fuzz_stubs.h tests/fuzz/fuzz_sdr.c tests/fuzz/fuzz_fru.c tests/fuzz/fuzz_sel.c \
	tests/fuzz/fuzz_rmcpp.c tests/fuzz/fuzz_ipmi_msg.c tests/fuzz/fuzz_session.c \
	tests/fuzz/fuzz_config.c tests/fuzz/corpus
EXTRA_DIST += $(FUZZ_FILES)

.PHONY: fuzz-long
fuzz-long:
	$(srcdir)/tests/fuzz/run.sh $(SECONDS)
