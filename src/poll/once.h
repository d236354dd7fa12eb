/*
 * once.h - "--once": poll every configured BMC, concurrently, and print
 * what was read (a human table or JSON); optionally several polls in one
 * process, keeping sessions, SDRs and SEL positions between them.
 */
#ifndef IPMI_BRIDGE_ONCE_H
#define IPMI_BRIDGE_ONCE_H

#include <stdbool.h>
#include <stdio.h>

#include "bmc.h"
#include "fru_reader.h"
#include "ipmi_msg.h"
#include "sdr_repo.h"
#include "sel_reader.h"
#include "sensor_poll.h"

struct cfg;

struct once_opts {
    bool json;
    unsigned polls;       /* 1 = --once */
    unsigned interval_ms; /* between polls */
    bool step;            /* between polls, wait for a line on standard input instead */
};

/* Returns the exit status: 0 if every BMC answered in the last poll, else 1. */
int once_run(const struct cfg *cfg, const struct once_opts *opts, FILE *out);

enum once_step {
    STEP_DEVID,
    STEP_GUID,
    STEP_CHASSIS,
    STEP_SDR,
    STEP_SENSORS,
    STEP_FRU,
    STEP_SEL,
    STEP_DONE
};

/* Everything read from one BMC; report.c renders it. */
struct once_bmc {
    struct bmc *b;
    enum once_step step;
    enum bmc_error err; /* of this poll */
    char err_text[640];
    /* identity: read on the first successful poll */
    bool have_devid, guid_tried, have_guid, have_chassis;
    struct ipmi_devid_rsp devid;
    uint8_t guid[16];
    struct ipmi_chassis_rsp chassis;
    /* SDR and sensors */
    struct sdr_repo *repo;
    struct sdr_fetch_stats sdr_stats;
    char sdr_err[700];
    struct sensor_set *set;
    struct sensor_value *vals;
    struct sensor_poll poll;
    bool have_sensors, thresholds_read;
    /* FRU: read once, then every fru-interval */
    struct fru_reader *frur;
    bool fru_done;
    uint64_t fru_read_ns;
    /* SEL: incremental */
    struct sel_state *sel;
    struct sel_reader *selr;
    struct sel_poll_result sel_res;
    uint64_t sel_start_ns, sel_ns; /* this poll's SEL read took sel_ns */
    bool have_sel;
};

void report_json(const struct once_bmc *bmcs, size_t n, bool compact, FILE *out);
void report_human(const struct once_bmc *bmcs, size_t n, FILE *out);

#endif
