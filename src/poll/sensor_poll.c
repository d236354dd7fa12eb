/*
 * sensor_poll.c - building a BMC's sensor set from its SDRs and reading
 * the sensors (IPMI 2.0 sections 35.14 Get Sensor Reading, 35.9 Get Sensor
 * Thresholds, 35.5 Get Sensor Reading Factors).
 */
#include "sensor_poll.h"

#include <stdlib.h>
#include <string.h>

#include "bmc.h"
#include "ipmi_msg.h"
#include "log.h"
#include "sdr_repo.h"

#define CMD_GET_READING_FACTORS 0x23
#define CMD_GET_THRESHOLDS      0x27
#define CMD_GET_READING         0x2d

/* threshold access support, sensor capabilities [3:2] (Table 43-1) */
#define CAPS_THR_ACCESS(c)  (((c) >> 2) & 3)
#define THR_ACCESS_READABLE 1
#define THR_ACCESS_SETTABLE 2
#define THR_ACCESS_FIXED    3

enum stage { ST_THRESHOLDS = 1, ST_READING, ST_FACTORS };

static const char *const why_text[] = {
    [SENSOR_WHY_NONE] = "",
    [SENSOR_WHY_NOT_READ] = "not read yet",
    [SENSOR_WHY_BRIDGED] = "owned by another controller; IPMB bridging is not supported",
    [SENSOR_WHY_SOFTWARE] = "owned by system software; not readable over LAN",
    [SENSOR_WHY_CC] = "Get Sensor Reading failed",
    [SENSOR_WHY_SESSION] = "no answer from the BMC",
    [SENSOR_WHY_MALFORMED] = "malformed response",
    [SENSOR_WHY_FLAGS] = "reading unavailable or scanning disabled",
    [SENSOR_WHY_CONVERSION] = "no numeric value",
};

const char *sensor_why_text(enum sensor_why w)
{
    return (unsigned)w < sizeof(why_text) / sizeof(why_text[0]) ? why_text[w] : "unknown";
}

/* ---- the set ------------------------------------------------------------ */

void sensor_set_free(struct sensor_set *set)
{
    if (!set)
        return;
    free(set->s);
    free(set->fru);
    free(set);
}

static int push_sensor(struct sensor_set *set, size_t *cap, const struct sdr_sensor *s)
{
    if (set->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        struct sdr_sensor *ns = realloc(set->s, ncap * sizeof(*ns));
        if (!ns)
            return -1;
        set->s = ns;
        *cap = ncap;
    }
    set->s[set->n++] = *s;
    return 0;
}

struct sensor_set *sensor_set_build(const struct sdr_repo *r, const char *bmc_label)
{
    struct sensor_set *set = calloc(1, sizeof(*set));
    size_t cap = 0, fcap = 0;
    struct sdr_record *rec = malloc(sizeof(*rec));
    if (!set || !rec)
        goto oom;
    for (size_t i = 0; i < r->nrecords; i++) {
        size_t len;
        const uint8_t *p = sdr_repo_record(r, i, &len);
        enum codec_err e;
        if (sdr_parse(p, len, rec, &e) < 0) {
            set->malformed++;
            log_warn("%s: SDR record %zu (id %02x%02xh, type %02Xh) is malformed (%s); skipped",
                     bmc_label, i, len > 1 ? p[1] : 0, p[0], len > 3 ? p[3] : 0, codec_err_name(e));
            continue;
        }
        switch (rec->kind) {
        case SDR_KIND_SENSOR: {
            unsigned count = rec->u.sensor.share_count ? rec->u.sensor.share_count : 1;
            for (unsigned k = 0; k < count; k++) {
                struct sdr_sensor one;
                if (count > 1) {
                    if (sdr_compact_instance(&rec->u.sensor, k, &one, &e) < 0) {
                        set->malformed++;
                        break;
                    }
                } else {
                    one = rec->u.sensor;
                }
                if (push_sensor(set, &cap, &one) < 0)
                    goto oom;
            }
            break;
        }
        case SDR_KIND_FRU_LOCATOR:
            if (set->nfru == fcap) {
                size_t ncap = fcap ? fcap * 2 : 4;
                struct sdr_fru_locator *nf = realloc(set->fru, ncap * sizeof(*nf));
                if (!nf)
                    goto oom;
                set->fru = nf;
                fcap = ncap;
            }
            set->fru[set->nfru++] = rec->u.fru;
            break;
        case SDR_KIND_MC_LOCATOR:
            if (!set->have_mc) {
                set->mc = rec->u.mc;
                set->have_mc = true;
            }
            break;
        default:
            set->skipped++;
            break;
        }
    }
    free(rec);
    return set;
oom:
    free(rec);
    sensor_set_free(set);
    return NULL;
}

bool sensor_poll_readable(const struct sdr_sensor *s)
{
    return s->record_type != SDR_TYPE_EVENT_ONLY;
}

/* ---- polling -------------------------------------------------------------- */

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp);

static void sensor_done(struct sensor_poll *p, struct sensor_value *v)
{
    v->stage = 0;
    if (v->why == SENSOR_WHY_NONE)
        p->readings++;
    if (--p->pending == 0 && p->done)
        p->done(p->b, p->arg, p);
}

static int issue(struct sensor_poll *p, struct sensor_value *v, uint8_t cmd, const uint8_t *d,
                 size_t len)
{
    const struct sdr_sensor *s = &p->set->s[v - p->vals];
    p->requests++;
    return bmc_request_lun(p->b, s->owner_lun & 3, IPMI_NETFN_SENSOR, cmd, d, len, on_rsp, v);
}

static void read_sensor(struct sensor_poll *p, struct sensor_value *v)
{
    const struct sdr_sensor *s = &p->set->s[v - p->vals];
    v->stage = ST_READING;
    if (issue(p, v, CMD_GET_READING, &s->number, 1) < 0) {
        v->why = SENSOR_WHY_SESSION;
        sensor_done(p, v);
    }
}

/* Rebuild "cc + data" for the codec's decoders (they take the whole response). */
static size_t whole(const struct bmc_rsp *rsp, uint8_t *buf, size_t cap)
{
    size_t n = rsp->len < cap - 1 ? rsp->len : cap - 1;
    buf[0] = rsp->cc;
    if (n)
        memcpy(buf + 1, rsp->data, n);
    return n + 1;
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct sensor_value *v = arg;
    struct sensor_poll *p = v->poll;
    const struct sdr_sensor *s = &p->set->s[v - p->vals];
    uint8_t buf[64];
    enum codec_err e;

    if (rsp->err != BMC_E_NONE) {
        v->why = SENSOR_WHY_SESSION;
        sensor_done(p, v);
        return;
    }
    size_t len = whole(rsp, buf, sizeof(buf));
    switch (v->stage) {
    case ST_THRESHOLDS: {
        struct sensor_thresholds_rsp t;
        if (sensor_thresholds_decode(buf, len, &t, &e) >= 0 && t.cc == 0) {
            v->thr = t.thr;
            v->thr_read = true;
        }
        /* on failure they stay unknown: the reading is still worth having */
        read_sensor(p, v);
        return;
    }
    case ST_READING:
        if (sensor_reading_decode(buf, len, &v->r, &e) < 0) {
            v->why = SENSOR_WHY_MALFORMED;
            break;
        }
        if (v->r.cc != 0) {
            v->why = SENSOR_WHY_CC;
            break;
        }
        if (!sensor_reading_ok(&v->r)) {
            v->why = SENSOR_WHY_FLAGS;
            break;
        }
        v->why = SENSOR_WHY_NONE;
        if (s->value_kind == SDR_VALUE_NEEDS_FACTORS) {
            uint8_t d[2] = {s->number, v->r.raw};
            v->stage = ST_FACTORS;
            if (issue(p, v, CMD_GET_READING_FACTORS, d, 2) < 0) {
                v->why = SENSOR_WHY_SESSION;
                break;
            }
            return;
        }
        if (s->value_kind == SDR_VALUE_ANALOG) {
            double x;
            v->conv = (uint8_t)sensor_value(s, &v->r, &x);
            if (v->conv == SENSOR_CONV_OK)
                v->value = x;
            else
                v->why = SENSOR_WHY_CONVERSION;
        } else {
            v->conv = SENSOR_CONV_NO_ANALOG; /* a discrete sensor: states only */
        }
        break;
    case ST_FACTORS: {
        struct sensor_factors_rsp f;
        double x;
        if (sensor_factors_decode(buf, len, s->conv.fmt, &f, &e) < 0 || f.cc != 0) {
            v->conv = SENSOR_CONV_NEEDS_FACTORS;
            v->why = SENSOR_WHY_CONVERSION;
            break;
        }
        v->factor_m = f.f.m;
        v->factor_rexp = f.f.rexp;
        v->have_factors = true;
        v->conv = (uint8_t)sensor_convert(&f.f, v->r.raw, &x);
        if (v->conv == SENSOR_CONV_OK) {
            v->value = x;
            v->why = SENSOR_WHY_NONE;
        } else {
            v->why = SENSOR_WHY_CONVERSION;
        }
        break;
    }
    default:
        return;
    }
    sensor_done(p, v);
}

int sensor_poll_start(struct sensor_poll *p, struct bmc *b, const struct sensor_set *set,
                      struct sensor_value *vals, bool thresholds, sensor_poll_done_cb done,
                      void *arg)
{
    memset(p, 0, sizeof(*p));
    p->b = b;
    p->set = set;
    p->vals = vals;
    p->done = done;
    p->arg = arg;
    p->thresholds = thresholds;
    /* count first, so that a callback running early cannot finish the sweep */
    p->pending = 1;
    for (size_t i = 0; i < set->n; i++) {
        const struct sdr_sensor *s = &set->s[i];
        struct sensor_value *v = &vals[i];
        v->poll = p;
        if (!sensor_poll_readable(s))
            continue;
        /* Fixed thresholds are only in the SDR.  Readable ones come from Get
         * Sensor Thresholds: the SDR holds their initial values, which may be
         * stale, so without an answer they are unknown (as both ipmitool
         * and FreeIPMI report them). */
        if (!v->thr_read) {
            if (CAPS_THR_ACCESS(s->caps) == THR_ACCESS_FIXED)
                v->thr = s->thr;
            else
                memset(&v->thr, 0, sizeof(v->thr));
        }
        switch (sdr_sensor_access(s)) {
        case SDR_ACCESS_BRIDGED:
            v->why = SENSOR_WHY_BRIDGED;
            continue;
        case SDR_ACCESS_SOFTWARE:
            v->why = SENSOR_WHY_SOFTWARE;
            continue;
        case SDR_ACCESS_NONE:
            continue;
        case SDR_ACCESS_DIRECT:
            break;
        }
        v->why = SENSOR_WHY_NOT_READ;
        p->pending++;
        unsigned access = CAPS_THR_ACCESS(s->caps);
        if (thresholds && sdr_is_threshold(s) &&
            (access == THR_ACCESS_READABLE || access == THR_ACCESS_SETTABLE)) {
            uint8_t d = s->number;
            v->stage = ST_THRESHOLDS;
            if (issue(p, v, CMD_GET_THRESHOLDS, &d, 1) < 0) {
                v->why = SENSOR_WHY_SESSION;
                sensor_done(p, v);
            }
            continue;
        }
        read_sensor(p, v);
    }
    if (--p->pending == 0 && p->done)
        p->done(b, arg, p);
    return 0;
}

enum sensor_status sensor_poll_status(const struct sdr_sensor *s, const struct sensor_value *v)
{
    if (v->why != SENSOR_WHY_NONE && v->why != SENSOR_WHY_CONVERSION)
        return SENSOR_UNAVAILABLE;
    return sensor_status(s, &v->r);
}
