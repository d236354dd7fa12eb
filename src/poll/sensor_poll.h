/*
 * sensor_poll.h - a BMC's sensors: the set built from its SDR repository
 * (immutable once built) and the readings polled over its session.
 *
 * The poll path allocates nothing and formats nothing: each reading lands
 * in a preallocated `struct sensor_value`; text is produced only when
 * output is (sensor_units_text(), sensor_state_names()).
 */
#ifndef IPMI_BRIDGE_SENSOR_POLL_H
#define IPMI_BRIDGE_SENSOR_POLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdr.h"
#include "sensor.h"

struct bmc;
struct sdr_repo;

/* Why a sensor has no value (beyond what its reading's flags say). */
enum sensor_why {
    SENSOR_WHY_NONE = 0,
    SENSOR_WHY_NOT_READ,   /* no reading yet */
    SENSOR_WHY_BRIDGED,    /* owned by another controller: IPMB bridging not supported */
    SENSOR_WHY_SOFTWARE,   /* owned by system software: not readable over LAN */
    SENSOR_WHY_CC,         /* Get Sensor Reading failed with a completion code */
    SENSOR_WHY_SESSION,    /* the session failed before the answer */
    SENSOR_WHY_MALFORMED,  /* the response did not decode */
    SENSOR_WHY_FLAGS,      /* reading unavailable / scanning disabled */
    SENSOR_WHY_CONVERSION, /* no number: see conv */
};
const char *sensor_why_text(enum sensor_why w);

/* The set of sensors of one BMC (expanded: shared records become N sensors). */
struct sensor_set {
    struct sdr_sensor *s; /* readable and event-only sensors, SDR order */
    size_t n;
    struct sdr_fru_locator *fru;
    size_t nfru;
    struct sdr_mc_locator mc;
    bool have_mc;
    uint32_t skipped;   /* records of types we do not decode */
    uint32_t malformed; /* records that did not parse (logged) */
};
/* Build from a repository.  Returns NULL only when memory is short. */
struct sensor_set *sensor_set_build(const struct sdr_repo *r, const char *bmc_label);
void sensor_set_free(struct sensor_set *set); /* NULL is a no-op */

struct sensor_poll;

/* The latest reading of one sensor: 40 bytes, one per sensor per BMC.  Of
 * the per-reading factors (non-linear sensors) only what the precision
 * needs is kept: the value is converted when the reading arrives. */
struct sensor_value {
    struct sensor_poll *poll; /* the poll in progress (engine use) */
    double value;             /* valid when conv == SENSOR_CONV_OK and why == NONE */
    struct sensor_reading r;
    struct sdr_thresholds thr; /* from Get Sensor Thresholds, or the SDR */
    int16_t factor_m;          /* have_factors: M and R exponent of the ... */
    int8_t factor_rexp;        /* ... per-reading factors */
    uint8_t stage;             /* engine use */
    uint8_t conv;              /* enum sensor_conv */
    uint8_t why;               /* enum sensor_why */
    bool thr_read;             /* thresholds came from Get Sensor Thresholds */
    bool have_factors;
};

/* Is the sensor polled at all (event-only records are not)? */
bool sensor_poll_readable(const struct sdr_sensor *s);

typedef void (*sensor_poll_done_cb)(struct bmc *b, void *arg, const struct sensor_poll *p);

/* One sweep over a BMC's sensors; caller-owned and reusable, so a sweep
 * allocates nothing. */
struct sensor_poll {
    struct bmc *b;
    const struct sensor_set *set;
    struct sensor_value *vals; /* set->n entries, caller-owned */
    sensor_poll_done_cb done;
    void *arg;
    size_t pending;
    bool thresholds;
    uint32_t requests; /* sent in this sweep */
    uint32_t readings; /* sensors with a usable reading after this sweep */
};

/*
 * Read every readable sensor of `set` once into `vals`.  With `thresholds`,
 * also Get Sensor Thresholds for threshold sensors whose SDR says they are
 * readable (do it once, e.g. on the first sweep; they rarely change).
 * `done` runs once when every answer (or error) is in.  Returns 0, or -1 if
 * nothing could be queued (done not called).
 */
int sensor_poll_start(struct sensor_poll *p, struct bmc *b, const struct sensor_set *set,
                      struct sensor_value *vals, bool thresholds, sensor_poll_done_cb done,
                      void *arg);

/* Status of one sensor from its value (unavailable when there is none). */
enum sensor_status sensor_poll_status(const struct sdr_sensor *s, const struct sensor_value *v);

#endif
