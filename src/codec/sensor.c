/*
 * sensor.c - sensor readings: response decoders, conversion, status.
 * See sensor.h for the status rule; the severity tables below apply it.
 */
#include "sensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi_tables.h"

/* ---- Get Sensor Reading (section 35.14) ----------------------------------------- */

/*
 * The common start of a response decoder: a completion code, then (only
 * when it is 00h) at least `need` bytes.  Returns 1 to stop with *cc set
 * (an error answer decodes to just its code), 0 to go on, -1 if truncated.
 */
static int rsp_start(const uint8_t *buf, size_t len, size_t need, uint8_t *cc, enum codec_err *err)
{
    *err = CODEC_OK;
    if (len < 1) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    *cc = buf[0];
    if (*cc != 0)
        return 1;
    if (len < need) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    return 0;
}

ssize_t sensor_reading_decode(const uint8_t *buf, size_t len, struct sensor_reading *r,
                              enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(r, 0, sizeof(*r));
    int st = rsp_start(buf, len, 3, &r->cc, err);
    if (st == 1)
        r->flags = SENSOR_RF_UNAVAILABLE;
    if (st)
        return st;
    r->raw = buf[1];
    if (buf[2] & 0x20)
        r->flags |= SENSOR_RF_UNAVAILABLE;
    if (!(buf[2] & 0x40))
        r->flags |= SENSOR_RF_SCAN_DISABLED;
    if (!(buf[2] & 0x80))
        r->flags |= SENSOR_RF_EVENTS_DISABLED;
    size_t used = 3;
    if (len >= 4) {
        /* threshold sensors return [7:6] as 1b: only [5:0] are comparisons */
        r->thr_bits = buf[3] & 0x3f;
        r->states = buf[3];
        r->state_bytes = 1;
        used = 4;
    }
    if (len >= 5) {
        r->states |= (uint16_t)((buf[4] & 0x7f) << 8); /* [7] reserved, returned as 1b */
        r->state_bytes = 2;
        used = 5;
    }
    *err = CODEC_OK;
    return (ssize_t)used;
}

/* ---- conversion (section 36.3) --------------------------------------------------- */

static const char *const conv_names[] = {
    [SENSOR_CONV_OK] = "ok",
    [SENSOR_CONV_NO_ANALOG] = "no analog reading",
    [SENSOR_CONV_NEEDS_FACTORS] = "needs reading factors",
    [SENSOR_CONV_BAD_LINEARIZATION] = "bad linearization",
    [SENSOR_CONV_NOT_FINITE] = "not finite",
    [SENSOR_CONV_UNAVAILABLE] = "unavailable",
};

const char *sensor_conv_name(enum sensor_conv c)
{
    if ((unsigned)c >= sizeof(conv_names) / sizeof(conv_names[0]))
        return "unknown";
    return conv_names[c];
}

enum sensor_conv sensor_convert(const struct sdr_factors *f, uint8_t raw, double *out)
{
    int x;
    switch (f->fmt) {
    case SDR_FMT_UNSIGNED:
        x = raw;
        break;
    case SDR_FMT_ONES:
        /* 1's complement: 80h = -127 .. FEh = -1, FFh = -0 */
        x = (raw & 0x80) ? -(int)(~raw & 0x7f) : (int)raw;
        break;
    case SDR_FMT_TWOS:
        x = (int8_t)raw;
        break;
    default:
        return SENSOR_CONV_NO_ANALOG;
    }
    /* the tools' operation order: (double)(M*x) + B*10^Bexp, then * 10^Rexp */
    double y = ((double)(f->m * x) + f->boff) * f->rscale;
    switch (f->linearization) {
    case SDR_LIN_LINEAR:
        break;
    case SDR_LIN_LN:
        y = log(y);
        break;
    case SDR_LIN_LOG10:
        y = log10(y);
        break;
    case SDR_LIN_LOG2:
        y = log2(y);
        break;
    case SDR_LIN_E:
        y = exp(y);
        break;
    case SDR_LIN_EXP10:
        y = pow(10.0, y);
        break;
    case SDR_LIN_EXP2:
        y = exp2(y);
        break;
    case SDR_LIN_INVERSE:
        y = 1.0 / y;
        break;
    case SDR_LIN_SQR:
        y = pow(y, 2.0);
        break;
    case SDR_LIN_CUBE:
        y = pow(y, 3.0);
        break;
    case SDR_LIN_SQRT:
        y = sqrt(y);
        break;
    case SDR_LIN_CBRT:
        y = cbrt(y);
        break;
    default:
        if (f->linearization >= SDR_LIN_NONLINEAR_MIN && f->linearization <= SDR_LIN_NONLINEAR_MAX)
            return SENSOR_CONV_NEEDS_FACTORS;
        return SENSOR_CONV_BAD_LINEARIZATION;
    }
    if (!isfinite(y))
        return SENSOR_CONV_NOT_FINITE;
    *out = y;
    return SENSOR_CONV_OK;
}

enum sensor_conv sensor_value(const struct sdr_sensor *s, const struct sensor_reading *r,
                              double *out)
{
    if (!r || !sensor_reading_ok(r) || s->value_kind != SDR_VALUE_ANALOG)
        return SENSOR_CONV_UNAVAILABLE;
    return sensor_convert(&s->conv, r->raw, out);
}

/* ---- Get Sensor Reading Factors (section 35.5) ---------------------------------- */

ssize_t sensor_factors_decode(const uint8_t *buf, size_t len, uint8_t fmt,
                              struct sensor_factors_rsp *out, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(out, 0, sizeof(*out));
    int st = rsp_start(buf, len, 8, &out->cc, err);
    if (st)
        return st;
    out->next_reading = buf[1];
    /* bytes 3-8 are laid out as SDR bytes 25-30; the factors are the curve */
    sdr_factors_unpack(buf + 2, fmt, SDR_LIN_LINEAR, &out->f);
    *err = CODEC_OK;
    return 8;
}

/* ---- thresholds ---------------------------------------------------------------------- */

ssize_t sensor_thresholds_decode(const uint8_t *buf, size_t len, struct sensor_thresholds_rsp *out,
                                 enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(out, 0, sizeof(*out));
    int st = rsp_start(buf, len, 8, &out->cc, err);
    if (st)
        return st;
    out->thr.readable = buf[1] & 0x3f;
    /* bytes 3-8 are LNC, LC, LNR, UNC, UC, UNR: the mask order */
    memcpy(out->thr.raw, buf + 2, SDR_THR__COUNT);
    *err = CODEC_OK;
    return 8;
}

enum sensor_conv sensor_threshold_value(const struct sdr_sensor *s, const struct sdr_thresholds *t,
                                        unsigned thr, double *out)
{
    if (thr >= SDR_THR__COUNT || !(t->readable & (1u << thr)) || s->value_kind != SDR_VALUE_ANALOG)
        return SENSOR_CONV_UNAVAILABLE;
    return sensor_convert(&s->conv, t->raw[thr], out);
}

enum sensor_conv sensor_hysteresis_value(const struct sdr_sensor *s, uint8_t raw, double *out)
{
    if (raw == 0x00 || raw == 0xff || s->value_kind != SDR_VALUE_ANALOG ||
        s->conv.linearization != SDR_LIN_LINEAR)
        return SENSOR_CONV_UNAVAILABLE;
    *out = (double)(abs(s->conv.m) * raw) * s->conv.rscale;
    return SENSOR_CONV_OK;
}

/* ---- status ---------------------------------------------------------------------------- */

static const char *const status_names[] = {
    [SENSOR_OK] = "ok",
    [SENSOR_WARNING] = "warning",
    [SENSOR_CRITICAL] = "critical",
    [SENSOR_NONRECOVERABLE] = "nonrecoverable",
    [SENSOR_UNAVAILABLE] = "unavailable",
};

const char *sensor_status_name(enum sensor_status s)
{
    if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
        return "unknown";
    return status_names[s];
}

#define THR_BIT(t) (1u << (t))

enum sensor_status sensor_threshold_status(uint8_t thr_bits)
{
    if (thr_bits & (THR_BIT(SDR_THR_LNR) | THR_BIT(SDR_THR_UNR)))
        return SENSOR_NONRECOVERABLE;
    if (thr_bits & (THR_BIT(SDR_THR_LC) | THR_BIT(SDR_THR_UC)))
        return SENSOR_CRITICAL;
    if (thr_bits & (THR_BIT(SDR_THR_LNC) | THR_BIT(SDR_THR_UNC)))
        return SENSOR_WARNING;
    return SENSOR_OK;
}

int sensor_threshold_worst(uint8_t thr_bits)
{
    static const uint8_t order[SDR_THR__COUNT] = {SDR_THR_LNR, SDR_THR_UNR, SDR_THR_LC,
                                                  SDR_THR_UC,  SDR_THR_LNC, SDR_THR_UNC};
    for (unsigned i = 0; i < SDR_THR__COUNT; i++)
        if (thr_bits & THR_BIT(order[i]))
            return order[i];
    return -1;
}

/*
 * Severity of each discrete state, indexed like the text tables in
 * ipmi_tables.c: [event/reading type][offset] for the generic codes (Table
 * 42-2) and [sensor type][offset] for sensor-specific 6Fh (Table 42-3).
 * Zero (ok) wherever nothing is written.
 */
#define O SENSOR_OK
#define W SENSOR_WARNING
#define C SENSOR_CRITICAL
#define N SENSOR_NONRECOVERABLE

static const uint8_t generic_sev[0x0d][15] = {
    [0x04] = {O, W},                      /* predictive failure asserted */
    [0x05] = {O, C},                      /* limit exceeded */
    [0x06] = {O, W},                      /* performance lags */
    [0x07] = {O, W, C, N, W, C, N, W, O}, /* severity: ..., monitor, informational */
    [0x08] = {W, O},                      /* device absent, present */
    [0x09] = {W, O},                      /* device disabled, enabled */
    /* running, in test, power off, on line, off line, off duty, degraded, power save,
     * install error */
    [0x0a] = {O, W, W, O, W, W, W, O, C},
    /* fully redundant, lost, degraded, non-redundant: sufficient (x2), insufficient,
     * degraded from fully redundant, degraded from non-redundant */
    [0x0b] = {O, C, W, W, W, C, W, W},
};

static const uint8_t specific_sev[0x2d][15] = {
    [0x05] = {W, W, W, W, W, W, W}, /* physical security: intrusions */
    [0x06] = {W, W, W, W, W, W},    /* platform security violation attempts */
    /* processor: IERR, thermal trip, FRB1-3, config error, SMBIOS uncorrectable,
     * presence, disabled, terminator presence, throttled, MCE, correctable MCE */
    [0x07] = {C, C, C, C, C, C, C, O, C, O, W, C, W},
    /* power supply: presence, failure, predictive, AC lost, AC lost or out of
     * range, out of range but present, config error, inactive (standby) */
    [0x08] = {O, C, W, C, C, W, C, O},
    /* power unit: off, cycle, 240VA down, interlock down, AC lost, soft-power
     * control failure, failure, predictive */
    [0x09] = {O, O, W, W, C, C, C, W},
    /* memory: correctable ECC, uncorrectable, parity, scrub failed, disabled,
     * correctable logging limit, presence, config error, spare, throttled,
     * critical overtemperature */
    [0x0c] = {W, C, C, C, C, W, O, C, O, W, C},
    /* drive slot: present, fault, predictive, hot spare, parity check, in critical
     * array, in failed array, rebuild in progress, rebuild aborted */
    [0x0d] = {O, C, W, O, O, C, C, W, C},
    [0x0f] = {C, C, O}, /* firmware error, hang, progress */
    /* event logging disabled: correctable memory, type, cleared, all, full,
     * almost full, correctable MCE */
    [0x10] = {W, W, O, W, W, W, W},
    [0x11] = {W, W, W, W, W, W, W, W}, /* watchdog 1 actions */
    [0x12] = {O, O, C, O, O, O},       /* system event: undetermined hw failure */
    /* critical interrupt: front panel NMI, bus timeout, I/O check, software NMI,
     * PERR, SERR, EISA timeout, bus correctable, bus uncorrectable, fatal NMI,
     * bus fatal, bus degraded */
    [0x13] = {W, C, C, W, C, C, C, W, C, C, C, W},
    [0x14] = {O, O, O, O, W}, /* buttons; FRU service requested */
    [0x19] = {C, C},          /* chip set: soft power failure, thermal trip */
    [0x1b] = {O, C},          /* cable: connected, config error */
    /* boot error: no media, non-bootable disk, no PXE server, bad boot sector,
     * selection timeout */
    [0x1e] = {C, W, W, C, W},
    [0x1f] = {O, O, O, O, O, O, O, O, O, W, C}, /* OS install aborted, failed */
    /* OS stop: during load, run-time, graceful stop, graceful shutdown, PEF
     * shutdown, agent not responding */
    [0x20] = {C, C, W, O, O, W},
    [0x21] = {C, O, O, O, O, O, O, O, W, O}, /* slot: fault status, ..., disabled */
    [0x23] = {W, W, W, W, O, O, O, O, W},    /* watchdog 2 actions */
    [0x25] = {O, W, W},                      /* entity present, absent, disabled */
    [0x27] = {W, O},                         /* LAN heartbeat lost, heartbeat */
    /* management subsystem health: sensor access degraded, controller access
     * degraded, controller off-line, unavailable, sensor failure, FRU failure */
    [0x28] = {W, W, W, C, C, C},
    [0x29] = {W, C, O},                /* battery low, failed, presence */
    [0x2a] = {O, O, W, W},             /* session audit: bad password, disabled */
    [0x2b] = {O, O, W, W, W, W, O, O}, /* version change: incompatibilities */
    [0x2c] = {O, O, O, O, O, O, O, C}, /* FRU state: communication lost */
};

#undef O
#undef W
#undef C
#undef N

enum sensor_status sensor_discrete_status(uint8_t event_type, uint8_t sensor_type, uint16_t states)
{
    const uint8_t *sev;
    if (event_type >= 0x02 && event_type <= 0x0c)
        sev = generic_sev[event_type];
    else if (event_type == 0x6f && sensor_type < sizeof(specific_sev) / sizeof(specific_sev[0]))
        sev = specific_sev[sensor_type];
    else
        return SENSOR_OK;
    unsigned worst = SENSOR_OK;
    states &= 0x7fff;
    for (unsigned i = 0; states; i++, states >>= 1)
        if ((states & 1) && sev[i] > worst)
            worst = sev[i];
    return (enum sensor_status)worst;
}

enum sensor_status sensor_status(const struct sdr_sensor *s, const struct sensor_reading *r)
{
    if (!r || !sensor_reading_ok(r) || s->record_type == SDR_TYPE_EVENT_ONLY)
        return SENSOR_UNAVAILABLE;
    if (sdr_is_threshold(s))
        return sensor_threshold_status(r->thr_bits);
    return sensor_discrete_status(s->event_type, s->sensor_type, r->states);
}

/* ---- output helpers ---------------------------------------------------------------------- */

/* Rate units, Sensor Units 1 [5:3], FreeIPMI's wording; 0 none, 7 reserved */
static const char *const rate_names[8] = {
    NULL, "per uS", "per ms", "per s", "per minute", "per hour", "per day", NULL,
};

#define UNIT_RPM        18
#define RATE_PER_MINUTE 4

size_t sensor_units_text(const struct sdr_sensor *s, char *buf, size_t cap)
{
    const char *base = ipmi_unit_name(s->unit_base);
    const char *pct = (s->flags & SDR_SF_PERCENT) ? "% " : "";
    const char *rate = rate_names[s->rate & 7];
    if (s->unit_base == UNIT_RPM && s->rate == RATE_PER_MINUTE)
        rate = NULL; /* RPM already is per minute */
    const char *rsep = rate ? " " : "";
    if (!rate)
        rate = "";
    int n;
    if (s->mod_rel == 1 || s->mod_rel == 2)
        n = snprintf(buf, cap, "%s%s%c%s%s%s", pct, base, s->mod_rel == 1 ? '/' : '*',
                     ipmi_unit_name(s->unit_mod), rsep, rate);
    else if (*pct && s->unit_base == 0 && !*rate)
        n = snprintf(buf, cap, "percent"); /* ipmitool: a percentage of nothing */
    else
        n = snprintf(buf, cap, "%s%s%s%s", pct, base, rsep, rate);
    return n < 0 ? 0 : (size_t)n;
}

/* ipmitool's verbose status words, in enum sdr_thr order */
static const char *const thr_long[SDR_THR__COUNT] = {
    "Lower Non-Critical", "Lower Critical", "Lower Non-Recoverable",
    "Upper Non-Critical", "Upper Critical", "Upper Non-Recoverable",
};

static const char *const state_n[15] = {
    "State 0", "State 1", "State 2",  "State 3",  "State 4",  "State 5",  "State 6",  "State 7",
    "State 8", "State 9", "State 10", "State 11", "State 12", "State 13", "State 14",
};

unsigned sensor_state_names(const struct sdr_sensor *s, const struct sensor_reading *r,
                            const char **names, unsigned cap)
{
    unsigned n = 0;
    if (!r || !sensor_reading_ok(r))
        return 0;
    if (sdr_is_threshold(s)) {
        for (unsigned i = 0; i < SDR_THR__COUNT; i++)
            if (r->thr_bits & THR_BIT(i)) {
                if (n < cap)
                    names[n] = thr_long[i];
                n++;
            }
        return n;
    }
    for (unsigned i = 0; i < 15; i++) {
        if (!(r->states & (1u << i)))
            continue;
        const char *t = ipmi_event_offset_text(s->event_type, s->sensor_type, (uint8_t)i);
        if (n < cap)
            names[n] = t ? t : state_n[i];
        n++;
    }
    return n;
}

size_t sensor_state_text(const struct sdr_sensor *s, const struct sensor_reading *r, char *buf,
                         size_t cap)
{
    const char *names[15];
    unsigned n = sensor_state_names(s, r, names, 15);
    size_t o = 0;
    if (cap)
        buf[0] = '\0';
    for (unsigned i = 0; i < n && i < 15; i++) {
        char *dst = o < cap ? buf + o : NULL;
        int k = snprintf(dst, dst ? cap - o : 0, "%s%s", i ? ", " : "", names[i]);
        if (k > 0)
            o += (size_t)k;
    }
    return o;
}
