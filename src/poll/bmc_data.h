/*
 * bmc_data.h - everything read from one BMC and kept between polls: identity,
 * SDR repository and sensor set with the latest readings, FRU reader results
 * and the SEL ring.  The readers fill it; `--once` and the daemon's scheduler
 * each hold one per BMC, and the store's snapshot builder reads it.
 */
#ifndef IPMI_BRIDGE_BMC_DATA_H
#define IPMI_BRIDGE_BMC_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "bmc.h"
#include "fru_reader.h"
#include "info_reader.h"
#include "ipmi_msg.h"
#include "sdr_repo.h"
#include "sel_reader.h"
#include "sensor_poll.h"

enum read_step {
    STEP_DEVID,
    STEP_GUID,
    STEP_CHASSIS,
    STEP_SDR,
    STEP_SENSORS,
    STEP_FRU,
    STEP_SEL,
    STEP_INFO, /* POH counter, SEL time, LAN configuration, DCMI power */
    STEP_DONE
};

struct bmc_data {
    struct bmc *b;
    enum read_step step; /* where this BMC's read sequence is */
    enum bmc_error err;  /* of this poll */
    char *err_text;      /* heap, NULL: none (bmc_text_set): most BMCs have none */
    /* identity: read on the first successful poll */
    bool have_devid, guid_tried, have_guid, have_chassis;
    struct ipmi_devid_rsp devid;
    uint8_t guid[16];
    struct ipmi_chassis_rsp chassis;
    /* SDR and sensors */
    struct sdr_repo *repo;
    struct sdr_fetch_stats sdr_stats;
    char *sdr_err;          /* heap, NULL: none (bmc_text_set) */
    struct sensor_set *set; /* set_shared: the one of repo's shared content (sdr_share.h) */
    bool set_shared;
    struct sensor_value *vals;
    struct sensor_poll poll;
    bool have_sensors, thresholds_read;
    uint64_t sdr_gen;         /* bumped whenever `set` is rebuilt (the store's snapshot builder
                               * keeps the SEL part only while the sensor names are the same) */
    uint64_t sensors_mono_ns; /* CLOCK_MONOTONIC when the last sweep completed */
    /* FRU: read once, then every fru-interval; the daemon's scheduler frees the
     * reader (its results) once a snapshot holds the FRU part */
    struct fru_reader *frur;
    bool fru_done;
    uint64_t fru_read_ns;
    /* SEL: incremental */
    struct sel_state *sel;
    struct sel_reader *selr;
    struct sel_poll_result sel_res;
    uint64_t sel_start_ns, sel_ns; /* this poll's SEL read took sel_ns */
    bool have_sel;
    /* POH, SEL clock, LAN configuration, DCMI power: every info-interval */
    struct bmc_info info;
    struct info_read ir;
    bool have_info;
    uint64_t info_read_ns;
};

/*
 * The error texts above are kept on the heap only while there is one (a
 * fixed buffer would cost every BMC 1.3 KB): set a formatted text (at most
 * BMC_TEXT_CAP - 1 bytes, cut like snprintf), "" frees it.  bmc_text() reads one
 * ("" for none).
 */
#define BMC_TEXT_CAP 700
void bmc_text_set(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline const char *bmc_text(const char *s)
{
    return s ? s : "";
}

#endif
