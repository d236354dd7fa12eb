/*
 * sensor.h - one sensor's reading: Get Sensor Reading / Get Sensor
 * Thresholds / Get Sensor Reading Factors response decoders, reading
 * conversion (IPMI 2.0 section 36.3) and the sensor status.  Bytes in,
 * structs out; nothing here allocates.
 *
 * The poll path is sensor_reading_decode() + sensor_value() +
 * sensor_status(): no allocation, no string formatting, one multiply-add and
 * one table lookup per reading.  The *_text() / *_names() helpers are for
 * output only.
 *
 * Every decoder takes the response data as the LAN layer hands it over,
 * starting with the completion code.  A non-zero completion code is not a
 * codec error: the decoder stores it, consumes that one byte and leaves the
 * rest zero (a short error reply is normal, e.g. CBh for an absent sensor).
 *
 * Status rule (enum sensor_status):
 *   unavailable     no reading: completion code != 0, "reading unavailable"
 *                   (byte 2 bit 5), "scanning disabled" (byte 2 bit 6 clear)
 *                   -- FreeIPMI prints N/A, ipmitool "ns" / "disabled";
 *                   event-only records have no reading at all
 *   threshold       from the comparison bits (byte 3), worst first, exactly
 *   sensors         as ipmitool's status column: non-recoverable (lower or
 *                   upper) > critical > non-critical (= warning) > ok
 *   discrete        the worst severity among the asserted states, from a
 *   sensors         per-offset table (sensor.c) with one rule: a state that
 *                   says something failed, was lost or is uncorrectable is
 *                   critical ("Failure detected", "Uncorrectable ECC",
 *                   "Redundancy Lost", "Drive Fault"); one that says the
 *                   thing still works but is degraded, predicted to fail,
 *                   absent, disabled or corrected is a warning ("Predictive
 *                   failure", "Correctable ECC", "Device Absent", "Battery
 *                   Low", intrusion); presence, progress and informational
 *                   states are ok.  Severity 07h "Transition to
 *                   Non-recoverable" is non-recoverable.  OEM event types
 *                   (70h-7Fh) are ok: we cannot know what they mean.
 * Neither tool does quite this: ipmitool's status column says "ok" for any
 * discrete sensor with a valid reading, and FreeIPMI's Event column only
 * lists the asserted states ('Presence detected'), leaving judgement to its
 * optional interpretation (--output-sensor-state), whose defaults are close
 * to ours but call predictive failures and intrusions critical and, for
 * threshold sensors, call non-critical crossings "Nominal".
 */
#ifndef IPMI_BRIDGE_SENSOR_H
#define IPMI_BRIDGE_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"
#include "sdr.h"

/* ---- Get Sensor Reading (section 35.14) ------------------------------------- */

/* sensor_reading.flags; "byte n" counts the data after the completion code */
#define SENSOR_RF_UNAVAILABLE     0x01 /* byte 2 bit 5: reading/state unavailable */
#define SENSOR_RF_SCAN_DISABLED   0x02 /* byte 2 bit 6 clear: sensor scanning disabled */
#define SENSOR_RF_EVENTS_DISABLED 0x04 /* byte 2 bit 7 clear: all event messages disabled */

struct sensor_reading {
    uint8_t cc;          /* completion code */
    uint8_t raw;         /* byte 1: the reading (threshold sensors) */
    uint8_t flags;       /* SENSOR_RF_* */
    uint8_t state_bytes; /* state bytes present: 0, 1 or 2 (bytes 3-4 are optional in practice) */
    uint8_t thr_bits;    /* byte 3 [5:0]: threshold comparison status, bit = enum sdr_thr */
    uint16_t states;     /* byte 3 | byte 4 [6:0] << 8: discrete states 0-14 */
};

/*
 * Decode a Get Sensor Reading response (completion code first).  Needs the
 * reading and flags bytes; the state bytes may be missing (some BMCs omit
 * them; missing states read as none asserted, as both tools treat them).
 * Returns bytes consumed or -1 (CODEC_E_TRUNCATED).
 */
ssize_t sensor_reading_decode(const uint8_t *buf, size_t len, struct sensor_reading *r,
                              enum codec_err *err);

/* Does the response carry a usable reading/state (cc 0, available, scanning)? */
static inline bool sensor_reading_ok(const struct sensor_reading *r)
{
    return r->cc == 0 && !(r->flags & (SENSOR_RF_UNAVAILABLE | SENSOR_RF_SCAN_DISABLED));
}

/* ---- conversion (section 36.3) ------------------------------------------------ */

enum sensor_conv {
    SENSOR_CONV_OK = 0,
    SENSOR_CONV_NO_ANALOG,         /* data format 11b: no numeric reading */
    SENSOR_CONV_NEEDS_FACTORS,     /* non-linear 70h-7Fh: use sensor_factors_decode() */
    SENSOR_CONV_BAD_LINEARIZATION, /* reserved linearization code 0Ch-6Fh */
    SENSOR_CONV_NOT_FINITE,        /* e.g. ln(0), 1/0, sqrt(-1): no number to report */
    SENSOR_CONV_UNAVAILABLE,       /* sensor_value(): no usable reading, or not analog */
};
/* "ok", "no analog reading", "needs reading factors", "bad linearization",
 * "not finite", "unavailable" */
const char *sensor_conv_name(enum sensor_conv c);

/*
 * y = L[(M*x + B*10^Bexp) * 10^Rexp] for raw byte x read in f->fmt.  The
 * arithmetic is FreeIPMI's and ipmitool's operation for operation, so the
 * doubles agree bit for bit for linear sensors.  Where the tools disagree
 * (1/x of 0: FreeIPMI 0, ipmitool inf) we report SENSOR_CONV_NOT_FINITE.
 */
enum sensor_conv sensor_convert(const struct sdr_factors *f, uint8_t raw, double *out);

/*
 * The reading's value for an analog sensor (s->value_kind == SDR_VALUE_ANALOG)
 * with a usable reading; SENSOR_CONV_UNAVAILABLE otherwise.  For
 * SDR_VALUE_NEEDS_FACTORS call sensor_convert() with the decoded factors.
 */
enum sensor_conv sensor_value(const struct sdr_sensor *s, const struct sensor_reading *r,
                              double *out);

/* ---- Get Sensor Reading Factors (section 35.5) -------------------------------- */

struct sensor_factors_rsp {
    uint8_t cc;
    uint8_t next_reading; /* next raw reading with different factors */
    struct sdr_factors f; /* linearization is linear: these factors already are the curve */
};

/*
 * Decode the response (completion code first; 8 bytes when cc is 0).
 * `fmt` is the sensor's analog data format from its SDR (the response does
 * not repeat it).  Returns bytes consumed or -1 (CODEC_E_TRUNCATED).
 */
ssize_t sensor_factors_decode(const uint8_t *buf, size_t len, uint8_t fmt,
                              struct sensor_factors_rsp *out, enum codec_err *err);

/* ---- thresholds ---------------------------------------------------------------- */

struct sensor_thresholds_rsp {
    uint8_t cc;
    struct sdr_thresholds thr; /* settable is 0: this response does not say */
};

/*
 * Decode a Get Sensor Thresholds response (section 35.9; completion code,
 * readable mask, LNC, LC, LNR, UNC, UC, UNR).  Returns bytes consumed or -1
 * (CODEC_E_TRUNCATED).
 */
ssize_t sensor_thresholds_decode(const uint8_t *buf, size_t len, struct sensor_thresholds_rsp *out,
                                 enum codec_err *err);

/*
 * Threshold `thr` (enum sdr_thr) of `t` (the SDR's s->thr, or a decoded
 * response) converted with the sensor's factors.  SENSOR_CONV_UNAVAILABLE
 * when that threshold is not readable or the sensor is not analog.
 */
enum sensor_conv sensor_threshold_value(const struct sdr_sensor *s, const struct sdr_thresholds *t,
                                        unsigned thr, double *out);

/*
 * Hysteresis in units: raw counts * |M| * 10^Rexp (linear sensors only; the
 * offset B does not apply to a difference).  SENSOR_CONV_UNAVAILABLE for
 * raw 00h/FFh ("unspecified") and non-analog sensors.
 */
enum sensor_conv sensor_hysteresis_value(const struct sdr_sensor *s, uint8_t raw, double *out);

/* ---- status ---------------------------------------------------------------------- */

enum sensor_status {
    SENSOR_OK = 0,
    SENSOR_WARNING, /* non-critical */
    SENSOR_CRITICAL,
    SENSOR_NONRECOVERABLE,
    SENSOR_UNAVAILABLE,
};
/* "ok", "warning", "critical", "nonrecoverable", "unavailable" */
const char *sensor_status_name(enum sensor_status s);

/* From the comparison bits (enum sdr_thr bit positions; [7:6] ignored). */
enum sensor_status sensor_threshold_status(uint8_t thr_bits);

/*
 * The worst crossed threshold (enum sdr_thr), in ipmitool's order: lnr, unr,
 * lcr, ucr, lnc, unc; -1 when none.  Its side tells "lower" from "upper":
 * sdr_thr < SDR_THR_UNC is a lower threshold.
 */
int sensor_threshold_worst(uint8_t thr_bits);

/* Worst severity of the asserted `states` of a discrete sensor. */
enum sensor_status sensor_discrete_status(uint8_t event_type, uint8_t sensor_type, uint16_t states);

/* The status of sensor `s` given reading `r` (NULL: no reading). */
enum sensor_status sensor_status(const struct sdr_sensor *s, const struct sensor_reading *r);

/* ---- output helpers (not for the poll path) ------------------------------------ */

/*
 * Units as ipmitool writes them, plus the rate as FreeIPMI writes it:
 * "degrees C", "RPM", "Volts", "% Watts", "percent" (percentage of nothing),
 * "Watts/hour" (modifier: divide), "Amps*second" (multiply), "Watts per
 * hour" (rate; RPM with rate "per minute" stays "RPM").  snprintf
 * semantics: returns the length of the full text.
 */
size_t sensor_units_text(const struct sdr_sensor *s, char *buf, size_t cap);

/*
 * Names of the crossed thresholds ("Lower Critical", "Upper Non-Critical":
 * ipmitool's words; all of them, where FreeIPMI's Event column names only
 * the most severe) or asserted discrete states (ipmi_event_offset_text();
 * "State 9" when the spec defines no text) in bit order.  Nothing for an
 * unusable reading.  Writes at most `cap` pointers to static strings and
 * returns how many there are in all.
 */
unsigned sensor_state_names(const struct sdr_sensor *s, const struct sensor_reading *r,
                            const char **names, unsigned cap);

/* The same names joined with ", " into `buf`; snprintf semantics. */
size_t sensor_state_text(const struct sdr_sensor *s, const struct sensor_reading *r, char *buf,
                         size_t cap);

#endif
