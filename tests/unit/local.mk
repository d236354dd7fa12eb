# CUnit programs: one per module, each a TESTS entry.
UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(CRYPTO_CFLAGS) $(CONFUSE_CFLAGS)
UNIT_LIBS = tests/unit/libunit.a $(BRIDGE_LIBS) $(CUNIT_LIBS)

check_LIBRARIES = tests/unit/libunit.a
tests_unit_libunit_a_SOURCES = tests/unit/unit.c tests/unit/unit.h
tests_unit_libunit_a_CFLAGS = $(UNIT_CFLAGS)

UNIT_TESTS = \
	tests/unit/test_ev \
	tests/unit/test_config \
	tests/unit/test_crypto \
	tests/unit/test_codec \
	tests/unit/test_sdr \
	tests/unit/test_sensor \
	tests/unit/test_fru \
	tests/unit/test_sel \
	tests/unit/test_sdr_repo \
	tests/unit/test_sdr_share \
	tests/unit/test_pet \
	tests/unit/test_bmc \
	tests/unit/test_store \
	tests/unit/test_chassis_ctl \
	tests/unit/test_fleet \
	tests/unit/test_asf_info \
	tests/unit/test_events \
	tests/unit/test_sched \
	tests/unit/test_ent_sensor
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_ent_sensor_SOURCES = tests/unit/test_ent_sensor.c
tests_unit_test_ent_sensor_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ent_sensor_LDADD = $(UNIT_LIBS)

tests_unit_test_ev_SOURCES = tests/unit/test_ev.c
tests_unit_test_ev_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ev_LDADD = $(UNIT_LIBS)

tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(UNIT_LIBS)

tests_unit_test_crypto_SOURCES = tests/unit/test_crypto.c
tests_unit_test_crypto_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_crypto_LDADD = $(UNIT_LIBS)

tests_unit_test_codec_SOURCES = tests/unit/test_codec.c
tests_unit_test_codec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_codec_LDADD = $(UNIT_LIBS)

tests_unit_test_sdr_SOURCES = tests/unit/test_sdr.c
tests_unit_test_sdr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sdr_LDADD = $(UNIT_LIBS)

tests_unit_test_sensor_SOURCES = tests/unit/test_sensor.c
tests_unit_test_sensor_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sensor_LDADD = $(UNIT_LIBS)

tests_unit_test_fru_SOURCES = tests/unit/test_fru.c
tests_unit_test_fru_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fru_LDADD = $(UNIT_LIBS)

tests_unit_test_sel_SOURCES = tests/unit/test_sel.c
tests_unit_test_sel_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sel_LDADD = $(UNIT_LIBS)

tests_unit_test_sdr_repo_SOURCES = tests/unit/test_sdr_repo.c
tests_unit_test_sdr_repo_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sdr_repo_LDADD = $(UNIT_LIBS)

tests_unit_test_sdr_share_SOURCES = tests/unit/test_sdr_share.c
tests_unit_test_sdr_share_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sdr_share_LDADD = $(UNIT_LIBS)

tests_unit_test_pet_SOURCES = tests/unit/test_pet.c
tests_unit_test_pet_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pet_LDADD = $(UNIT_LIBS)

# petdecode: one PET through the codec, as JSON (for tests/integration/pet_vectors.sh)
check_PROGRAMS += tests/unit/petdecode
tests_unit_petdecode_SOURCES = tests/unit/petdecode.c
tests_unit_petdecode_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_unit_petdecode_LDADD = $(BRIDGE_LIBS)
tests_unit_test_bmc_SOURCES = tests/unit/test_bmc.c
tests_unit_test_bmc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_bmc_LDADD = $(UNIT_LIBS)

tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(UNIT_LIBS) -lm

tests_unit_test_chassis_ctl_SOURCES = tests/unit/test_chassis_ctl.c
tests_unit_test_chassis_ctl_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_chassis_ctl_LDADD = $(UNIT_LIBS)

tests_unit_test_fleet_SOURCES = tests/unit/test_fleet.c
tests_unit_test_fleet_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fleet_LDADD = $(UNIT_LIBS)

tests_unit_test_asf_info_SOURCES = tests/unit/test_asf_info.c
tests_unit_test_asf_info_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_asf_info_LDADD = $(UNIT_LIBS)

# agent/events.c needs no Net-SNMP: its member of the agent library links alone
tests_unit_test_events_SOURCES = tests/unit/test_events.c
tests_unit_test_events_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_events_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agent
tests_unit_test_events_LDADD = agent/libagentx.a $(UNIT_LIBS)

tests_unit_test_sched_SOURCES = tests/unit/test_sched.c
tests_unit_test_sched_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sched_LDADD = $(UNIT_LIBS)
