# libFuzzer harnesses (tests/fuzz/README.md).  Not part of `make check`: they
# need clang and the libFuzzer runtime, and CI runs them with run.sh.
#
#   make fuzz-long [SECONDS=600]   every harness for SECONDS each, one line per
#                                  harness with its executions, coverage and
#                                  corpus growth, and a table of them; what the
#                                  run found is merged into tests/fuzz/corpus/
#                                  (crash inputs as regress-* seeds, also kept
#                                  in $FUZZ_ARTIFACTS, default
#                                  /tmp/fuzz-artifacts), and every harness's
#                                  executions are appended to the ledger
#                                  tests/fuzz/EXECS.tsv, whose totals per
#                                  harness are printed at the end.  Commit both.
#                                  FUZZ_LONG_FLAGS= leaves the tree alone.
SECONDS = 600
FUZZ_LONG_FLAGS = --save --ledger $(srcdir)/tests/fuzz/EXECS.tsv
FUZZ_FILES = \
	tests/fuzz/README.md tests/fuzz/build.sh tests/fuzz/replay.c tests/fuzz/run.sh tests/fuzz/seeds.py tests/fuzz/EXECS.tsv \
	tests/fuzz/fuzz_stubs.h tests/fuzz/fuzz_sdr.c tests/fuzz/fuzz_fru.c tests/fuzz/fuzz_sel.c \
	tests/fuzz/fuzz_rmcpp.c tests/fuzz/fuzz_ipmi_msg.c tests/fuzz/fuzz_session.c \
	tests/fuzz/fuzz_config.c tests/fuzz/fuzz_text.c tests/fuzz/fuzz_pet.c tests/fuzz/fuzz_asf_info.c tests/fuzz/fuzz_agentx.c tests/fuzz/corpus
EXTRA_DIST += $(FUZZ_FILES)

# `make check` replays every committed corpus input through its harness
# (replay.c instead of libFuzzer), so a regress-* input fails the suite if
# its bug comes back, in the plain and the sanitizer builds alike.
FUZZ_REPLAY = tests/fuzz/replay_rmcpp tests/fuzz/replay_ipmi_msg tests/fuzz/replay_session \
	tests/fuzz/replay_config tests/fuzz/replay_sdr tests/fuzz/replay_fru tests/fuzz/replay_sel \
	tests/fuzz/replay_text tests/fuzz/replay_pet tests/fuzz/replay_asf_info tests/fuzz/replay_agentx
check_PROGRAMS += $(FUZZ_REPLAY)
TESTS += $(FUZZ_REPLAY)
FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CONFUSE_CFLAGS)
tests_fuzz_replay_rmcpp_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_rmcpp.c
tests_fuzz_replay_rmcpp_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"rmcpp"'
tests_fuzz_replay_rmcpp_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_ipmi_msg_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_ipmi_msg.c
tests_fuzz_replay_ipmi_msg_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"ipmi_msg"'
tests_fuzz_replay_ipmi_msg_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_session_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_session.c
tests_fuzz_replay_session_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"session"'
tests_fuzz_replay_session_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_config_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_config.c
tests_fuzz_replay_config_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"config"'
tests_fuzz_replay_config_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_sdr_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_sdr.c
tests_fuzz_replay_sdr_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"sdr"'
tests_fuzz_replay_sdr_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_fru_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_fru.c
tests_fuzz_replay_fru_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"fru"'
tests_fuzz_replay_fru_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_sel_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_sel.c
tests_fuzz_replay_sel_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"sel"'
tests_fuzz_replay_sel_LDADD = $(BRIDGE_LIBS)

.PHONY: fuzz-long
fuzz-long:
	$(srcdir)/tests/fuzz/run.sh $(FUZZ_LONG_FLAGS) $(SECONDS)
tests_fuzz_replay_text_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_text.c
tests_fuzz_replay_text_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"text"'
tests_fuzz_replay_text_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_pet_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_pet.c
tests_fuzz_replay_pet_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"pet"'
tests_fuzz_replay_pet_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_asf_info_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_asf_info.c
tests_fuzz_replay_asf_info_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_NAME='"asf_info"'
tests_fuzz_replay_asf_info_LDADD = $(BRIDGE_LIBS)
tests_fuzz_replay_agentx_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_agentx.c
tests_fuzz_replay_agentx_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agent -I$(top_builddir)/agent
tests_fuzz_replay_agentx_CFLAGS = $(FUZZ_REPLAY_CFLAGS) $(NETSNMP_CFLAGS) -DFUZZ_NAME='"agentx"'
tests_fuzz_replay_agentx_LDADD = agent/libagentx.a $(BRIDGE_LIBS) $(NETSNMP_LIBS)
