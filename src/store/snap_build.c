/*
 * snap_build.c - a BMC's snapshot from what its readers hold (struct
 * bmc_data): converted numbers, every text formed once, rows sorted by their
 * SNMP index.  This is the only place that calls the codecs' text functions
 * for output; every text from the BMC goes through the cleaner (text.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "bmc_data.h"
#include "ev.h"
#include "fru.h"
#include "info_reader.h"
#include "ipmi_info.h"
#include "ipmi_tables.h"
#include "log.h"
#include "sdr_share.h"
#include "sel.h"
#include "store.h"
#include "text.h"

static char *clean(struct store_arena *a, const char *s)
{
    return arena_clean(a, s, strlen(s));
}

/* ---- numbers ------------------------------------------------------------------ */

/* 10^e: the same doubles as pow(10.0, e) (test_store checks each), for the
 * exponents of R (signed 4 bits) and of the precision, without libm's pow
 * for every sensor of every sweep. */
static const double p10[] = {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1,
                             1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7};

double snap_pow10(int e)
{
    if (e >= -8 && e <= 7)
        return p10[e + 8];
    return pow(10.0, e);
}

/* store.h "Numbers": the decimals that show one raw step, 0..3. */
static uint8_t sensor_precision(const struct sdr_sensor *s, const struct sensor_value *v)
{
    if (s->value_kind != SDR_VALUE_ANALOG && s->value_kind != SDR_VALUE_NEEDS_FACTORS)
        return 0;
    /* non-linear sensors with per-reading factors (Get Sensor Reading Factors): those */
    int m = v->have_factors ? v->factor_m : s->conv.m;
    int rexp = v->have_factors ? v->factor_rexp : s->conv.rexp;
    double step = fabs((double)m) * snap_pow10(rexp);
    if (!(step > 0))
        return 0;
    for (uint8_t p = 0; p < 3; p++)
        if (step * snap_pow10(p) >= 1.0 - 1e-9)
            return p;
    return 3;
}

static bool scale(double v, uint8_t precision, int32_t *out)
{
    double x = round(v * snap_pow10(precision));
    if (!isfinite(x) || x < (double)INT32_MIN || x > (double)INT32_MAX)
        return false;
    *out = (int32_t)x;
    return true;
}

/* ---- sensors ---------------------------------------------------------------------- */

static bool numeric_reading(const struct sdr_sensor *s, const struct sensor_value *v)
{
    return v->why == SENSOR_WHY_NONE && v->conv == SENSOR_CONV_OK &&
           (s->value_kind == SDR_VALUE_ANALOG || s->value_kind == SDR_VALUE_NEEDS_FACTORS);
}

static bool analog(const struct sdr_sensor *s)
{
    return s->value_kind == SDR_VALUE_ANALOG || s->value_kind == SDR_VALUE_NEEDS_FACTORS;
}

/* Why a sensor has no value, naming the completion code when there is one. */
static char *unavailable_reason(struct store_arena *a, const struct sensor_value *v)
{
    if (v->why == SENSOR_WHY_CC)
        return arena_printf(a, "%s: %s (%02Xh)", sensor_why_text(SENSOR_WHY_CC),
                            ipmi_cc_word(v->r.cc), v->r.cc);
    return arena_strdup(a, sensor_why_text((enum sensor_why)v->why));
}

/* enum store_thr -> enum sdr_thr */
static const uint8_t thr_sdr[STORE_THR__COUNT] = {
    [STORE_THR_LNR] = SDR_THR_LNR, [STORE_THR_LC] = SDR_THR_LC, [STORE_THR_LNC] = SDR_THR_LNC,
    [STORE_THR_UNC] = SDR_THR_UNC, [STORE_THR_UC] = SDR_THR_UC, [STORE_THR_UNR] = SDR_THR_UNR,
};

/* A part's repeated texts (units: a handful per BMC) are stored once.  The
 * texts of units and of states are pure functions of a few SDR fields and of
 * the list of state names: those keys find a text already formed for this
 * part without forming it again (most sensors of a BMC share a few). */
#define INTERN_MAX 16
struct interned {
    const char *s[INTERN_MAX];
    unsigned n;
    struct {
        uint32_t key;
        const char *text;
    } units[INTERN_MAX];
    unsigned nunits;
    struct {
        unsigned n;
        const char *names[STORE_STATES_MAX];
        const char **arr; /* the part's copy of names, shared by the sensors */
        const char *text;
    } states[INTERN_MAX];
    unsigned nstates;
};

static const char *intern(struct interned *in, struct store_arena *a, const char *text)
{
    for (unsigned i = 0; i < in->n; i++)
        if (!strcmp(in->s[i], text))
            return in->s[i];
    const char *c = arena_strdup(a, text);
    if (c && in->n < INTERN_MAX)
        in->s[in->n++] = c;
    return c;
}

/* The fields sensor_units_text() reads, as one key. */
static uint32_t units_key(const struct sdr_sensor *s)
{
    return (uint32_t)s->unit_base | (uint32_t)s->unit_mod << 8 | (uint32_t)(s->mod_rel & 3u) << 16 |
           (uint32_t)(s->rate & 7u) << 18 | ((s->flags & SDR_SF_PERCENT) ? 1u << 21 : 0u);
}

static const char *units_text(struct interned *in, struct store_arena *a,
                              const struct sdr_sensor *s)
{
    uint32_t key = units_key(s);
    for (unsigned i = 0; i < in->nunits; i++)
        if (in->units[i].key == key)
            return in->units[i].text;
    char units[64];
    sensor_units_text(s, units, sizeof(units));
    const char *t = intern(in, a, units);
    if (t && in->nunits < INTERN_MAX) {
        in->units[in->nunits].key = key;
        in->units[in->nunits++].text = t;
    }
    return t;
}

/* The states of a sensor: its list of names (static texts) and their text,
 * formed once per part for each distinct list. */
static int states_of(struct interned *in, struct store_arena *a, struct store_sensor *o,
                     const struct sdr_sensor *s, const struct sensor_reading *r)
{
    const char *names[STORE_STATES_MAX];
    unsigned n = sensor_state_names(s, r, names, STORE_STATES_MAX);
    o->nstates = (uint8_t)(n < STORE_STATES_MAX ? n : STORE_STATES_MAX);
    if (!o->nstates) {
        o->states_text = "";
        return 0;
    }
    for (unsigned i = 0; i < in->nstates; i++)
        if (in->states[i].n == o->nstates &&
            !memcmp(in->states[i].names, names, o->nstates * sizeof(names[0]))) {
            o->states = in->states[i].arr;
            o->states_text = in->states[i].text;
            return 0;
        }
    const char **arr = arena_alloc(a, o->nstates * sizeof(*arr));
    if (!arr)
        return -1;
    memcpy(arr, names, o->nstates * sizeof(names[0]));
    o->states = arr;
    char text[512];
    sensor_state_text(s, r, text, sizeof(text));
    o->states_text = text[0] ? intern(in, a, text) : "";
    if (o->states_text && n <= STORE_STATES_MAX && in->nstates < INTERN_MAX) {
        in->states[in->nstates].n = o->nstates;
        memcpy(in->states[in->nstates].names, names, o->nstates * sizeof(names[0]));
        in->states[in->nstates].arr = arr;
        in->states[in->nstates++].text = o->states_text;
    }
    return 0;
}

static int fill_sensor(struct store_arena *a, struct interned *in, struct store_sensor *o,
                       const struct sdr_sensor *s, const struct sensor_value *v, uint64_t mono_ns,
                       bool held)
{
    o->index = store_sensor_index(s->number, s->owner_addr, s->owner_lun, 0);
    /* the shared SDR records live as long as the part (held): their names,
     * when already clean, are not copied for every BMC */
    o->name = held && text_is_clean(s->name) ? s->name : clean(a, s->name);
    o->number = s->number;
    o->owner = s->owner_addr;
    o->lun = s->owner_lun;
    o->channel = 0;
    o->type = s->sensor_type;
    o->type_name = ipmi_sensor_type_name(s->sensor_type);
    o->event_type = s->event_type;
    o->entity_id = s->entity_id;
    o->entity_instance = s->entity_instance;
    o->analog = analog(s);
    o->thresholds = sdr_is_threshold(s);
    o->precision = sensor_precision(s, v);
    o->read_mono_ns = mono_ns;
    if (numeric_reading(s, v)) {
        o->has_value = true;
        o->value = v->value;
        o->scaled_ok = scale(v->value, o->precision, &o->value_scaled);
        o->value_text = arena_fixed(a, v->value, o->precision);
    }
    if (o->analog) {
        o->unit_base = s->unit_base;
        o->unit_rate = s->rate;
        o->unit_mod_rel = s->mod_rel;
        o->unit_percent = (s->flags & SDR_SF_PERCENT) != 0;
        o->units = units_text(in, a, s);
    }
    enum sensor_status st = sensor_poll_status(s, v);
    o->status = (uint8_t)st; /* the same order as enum store_status */
    if (st != SENSOR_UNAVAILABLE) {
        if (states_of(in, a, o, s, &v->r) < 0)
            return -1;
    } else {
        o->unavailable_reason = unavailable_reason(a, v);
        o->states_text = "";
    }
    o->sdr = s;
    if (o->thresholds) {
        for (unsigned k = 0; k < STORE_THR__COUNT; k++) {
            unsigned thr = thr_sdr[k];
            double x = 0;
            o->thr_raw[k] = v->thr.raw[thr];
            if ((v->thr.readable & (1u << thr)) &&
                sensor_threshold_value(s, &v->thr, thr, &x) == SENSOR_CONV_OK)
                o->thr_mask = (uint8_t)(o->thr_mask | 1u << k);
        }
    }
    if (!o->name || (o->has_value && !o->value_text) || (o->analog && !o->units) ||
        !o->states_text || (st == SENSOR_UNAVAILABLE && !o->unavailable_reason))
        return -1;
    return 0;
}

bool store_sensor_thr(const struct store_sensor *o, enum store_thr k, double *value,
                      int32_t *scaled, bool *scaled_ok)
{
    if ((unsigned)k >= STORE_THR__COUNT || !o->thresholds || !(o->thr_mask & (1u << k)) || !o->sdr)
        return false;
    /* the conversion fill_sensor() checked, from the same raw byte and record */
    unsigned thr = thr_sdr[k];
    struct sdr_thresholds t = {.readable = (uint8_t)(1u << thr)};
    t.raw[thr] = o->thr_raw[k];
    double x = 0;
    if (sensor_threshold_value(o->sdr, &t, thr, &x) != SENSOR_CONV_OK)
        return false;
    int32_t sc = 0;
    bool ok = scale(x, o->precision, &sc);
    if (value)
        *value = x;
    if (scaled)
        *scaled = ok ? sc : 0;
    if (scaled_ok)
        *scaled_ok = ok;
    return true;
}

/* Do two records convert a raw byte the same (sensor_convert's inputs)? */
static bool same_conv(const struct sdr_sensor *a, const struct sdr_sensor *b)
{
    const struct sdr_factors *x = &a->conv, *y = &b->conv;
    return a->value_kind == b->value_kind && x->m == y->m && x->b == y->b && x->rexp == y->rexp &&
           x->bexp == y->bexp && x->fmt == y->fmt && x->linearization == y->linearization &&
           x->boff == y->boff && x->rscale == y->rscale;
}

static int cmp_sensor(const void *x, const void *y)
{
    const struct store_sensor *a = x, *b = y;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return 0;
}

static uint32_t sdr_key_of(const struct sdr_sensor *s)
{
    return store_sensor_index(s->number, s->owner_addr, s->owner_lun, 0);
}

/* The set's records by index, the first of a duplicate kept (insertion sort:
 * SDRs come mostly sorted, and it is stable). */
static int copy_sdr(struct store_arena *a, const struct bmc_data *d, struct store_sensors *p)
{
    const struct sensor_set *set = d->set;
    if (!set->n)
        return 0;
    if (d->set_shared && d->repo && d->repo->shared && set->n <= UINT16_MAX) {
        /* the fleet's one copy of these records: point at it (2 bytes a
         * record for the order) and hold it while the part lives */
        uint16_t *o = arena_alloc(a, set->n * sizeof(*o));
        if (!o)
            return -1;
        uint32_t n = 0;
        for (size_t i = 0; i < set->n; i++) {
            uint32_t k = sdr_key_of(&set->s[i]), j = n;
            for (; j > 0 && sdr_key_of(&set->s[o[j - 1]]) > k; j--)
                ;
            if (j > 0 && sdr_key_of(&set->s[o[j - 1]]) == k)
                continue;
            memmove(&o[j + 1], &o[j], (n - j) * sizeof(*o));
            o[j] = (uint16_t)i;
            n++;
        }
        p->p.sdr_hold = sdr_share_hold(d->repo->shared);
        p->sdr = set->s;
        p->sdr_order = o;
        p->nsdr = n;
        return 0;
    }
    struct sdr_sensor *c = arena_alloc(a, set->n * sizeof(*c));
    if (!c)
        return -1;
    uint32_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        uint32_t k = sdr_key_of(&set->s[i]), j = n;
        for (; j > 0 && sdr_key_of(&c[j - 1]) > k; j--)
            ;
        if (j > 0 && sdr_key_of(&c[j - 1]) == k)
            continue;
        memmove(&c[j + 1], &c[j], (n - j) * sizeof(*c));
        c[j] = set->s[i];
        n++;
    }
    p->sdr = c;
    p->nsdr = n;
    return 0;
}

static const struct store_sensors *build_sensors(const struct bmc_data *d, const char *label)
{
    const struct sensor_set *set = d->set;
    /* the part, the order of the shared SDR records (2 bytes each), a row
     * per readable sensor and its texts: about 10 bytes (the value; names
     * are the shared records' or copied), the states of the discrete ones
     * (arrays of static texts, their joined texts: shared by the sensors with
     * the same list, a few per part) about 16 each for up to 8.  With the default
     * bmcsim profile 5% above what is used; a short estimate costs one more
     * block of a quarter of it. */
    size_t nread = 0, ndiscrete = 0;
    for (size_t i = 0; i < set->n; i++)
        if (sensor_poll_readable(&set->s[i])) {
            nread++;
            ndiscrete += !analog(&set->s[i]);
        }
    struct interned in = {.n = 0};
    struct store_arena *a =
        arena_new(160 + set->n * sizeof(uint16_t) + nread * (sizeof(struct store_sensor) + 10) +
                  (ndiscrete < 8 ? ndiscrete : 8) * 16);
    if (!a)
        return NULL;
    struct store_sensors *p = arena_alloc(a, sizeof(*p));
    struct store_sensor *rows = p ? arena_alloc(a, (nread ? nread : 1) * sizeof(*rows)) : NULL;
    if (!rows)
        goto fail;
    p->p.arena = a;
    atomic_init(&p->p.refs, 1);
    if (copy_sdr(a, d, p) < 0) /* first: it may hold the shared records the rows point into */
        goto fail;
    uint32_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (!sensor_poll_readable(&set->s[i]))
            continue;
        if (fill_sensor(a, &in, &rows[n], &set->s[i], &d->vals[i], d->sensors_mono_ns,
                        p->p.sdr_hold != NULL) < 0)
            goto fail;
        n++;
    }
    /* copied records: the rows must point at the part's copies (the set
     * goes when the SDR is read again); a row whose record is not the one
     * kept by index (a readable record after an event-only one of the same
     * address) gets its own copy */
    for (uint32_t i = 0; !p->p.sdr_hold && i < n; i++) {
        const struct sdr_sensor *o = rows[i].sdr, *r = store_sdr_find(p, rows[i].index);
        if (r && same_conv(r, o)) {
            rows[i].sdr = r;
        } else {
            struct sdr_sensor *c = arena_alloc(a, sizeof(*c));
            if (!c)
                goto fail;
            *c = *o;
            rows[i].sdr = c;
        }
    }
    /* stable: equal indexes keep SDR order, so the first record of a duplicate wins */
    for (uint32_t i = 1; i < n; i++) {
        struct store_sensor t = rows[i];
        uint32_t j = i;
        for (; j > 0 && cmp_sensor(&rows[j - 1], &t) > 0; j--)
            rows[j] = rows[j - 1];
        rows[j] = t;
    }
    uint32_t w = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (w && rows[w - 1].index == rows[i].index) {
            p->duplicates++;
            log_warn("%s: sensor %u owner %02Xh LUN %u (\"%s\") is listed by two SDRs; the "
                     "first is kept",
                     label, rows[i].number, rows[i].owner, rows[i].lun, rows[i].name);
            continue;
        }
        rows[w++] = rows[i];
    }
    p->s = rows;
    p->p.n = w;
    for (uint32_t i = 0; i < w; i++) {
        switch (rows[i].status) {
        case STORE_STATUS_WARNING:
            p->nwarning++;
            break;
        case STORE_STATUS_CRITICAL:
            p->ncritical++;
            break;
        case STORE_STATUS_NONRECOVERABLE:
            p->nnonrecoverable++;
            break;
        case STORE_STATUS_UNAVAILABLE:
            p->nunavailable++;
            break;
        default:
            break;
        }
    }
    return p;
fail:
    if (p)
        sdr_share_unhold(p->p.sdr_hold);
    arena_free(a);
    return NULL;
}

/* ---- FRU ---------------------------------------------------------------------------- */

struct kvb { /* multirecord fields being built */
    struct store_kv kv[24];
    uint8_t n;
};

static void kv_int(struct kvb *b, const char *key, int64_t v)
{
    if (b->n < 24)
        b->kv[b->n++] = (struct store_kv){.key = key, .kind = STORE_KV_INT, .i = v};
}
static void kv_int_or_null(struct kvb *b, const char *key, int64_t v, bool null)
{
    if (null) {
        if (b->n < 24)
            b->kv[b->n++] = (struct store_kv){.key = key, .kind = STORE_KV_NULL};
    } else {
        kv_int(b, key, v);
    }
}
static void kv_bool(struct kvb *b, const char *key, bool v)
{
    if (b->n < 24)
        b->kv[b->n++] = (struct store_kv){.key = key, .kind = STORE_KV_BOOL, .i = v};
}
static void kv_str(struct kvb *b, const char *key, const char *s)
{
    if (b->n < 24)
        b->kv[b->n++] = (struct store_kv){.key = key, .kind = STORE_KV_STR, .s = s};
}

static int mr_fields(struct store_arena *a, const struct fru_multirec *m, struct kvb *f)
{
    if (!(m->flags & FRU_MR_DECODED))
        return 0;
    switch (m->type) {
    case FRU_MR_POWER_SUPPLY: {
        const struct fru_psu *p = &m->u.psu;
        kv_int(f, "capacity_w", p->capacity_w);
        kv_int_or_null(f, "peak_va", p->peak_va, p->peak_va == 0xffff);
        kv_int_or_null(f, "peak_w", p->peak_w, p->peak_w == 0xfff);
        kv_int(f, "holdup_s", p->holdup_s);
        kv_int(f, "combined_w", p->combined_w);
        kv_int_or_null(f, "inrush_a", p->inrush_a, p->inrush_a == 0xff);
        kv_int(f, "inrush_ms", p->inrush_ms);
        kv_int(f, "input_low_mv", p->in_low1_10mv * 10);
        kv_int(f, "input_high_mv", p->in_high1_10mv * 10);
        kv_int(f, "input_low2_mv", p->in_low2_10mv * 10);
        kv_int(f, "input_high2_mv", p->in_high2_10mv * 10);
        kv_int(f, "frequency_low_hz", p->freq_low_hz);
        kv_int(f, "frequency_high_hz", p->freq_high_hz);
        kv_int(f, "dropout_ms", p->dropout_ms);
        kv_bool(f, "hot_swap", p->flags & FRU_PSU_HOT_SWAP);
        kv_bool(f, "autoswitch", p->flags & FRU_PSU_AUTOSWITCH);
        kv_bool(f, "pfc", p->flags & FRU_PSU_PFC);
        kv_bool(f, "predictive_fail", p->flags & FRU_PSU_PREDICTIVE_FAIL);
        break;
    }
    case FRU_MR_DC_OUTPUT: {
        const struct fru_dc_output *d = &m->u.dc_out;
        kv_int(f, "output_number", d->output_number);
        kv_bool(f, "standby", d->standby);
        kv_int(f, "nominal_mv", d->nominal_10mv * 10);
        kv_int(f, "max_negative_deviation_mv", d->max_neg_10mv * 10);
        kv_int(f, "max_positive_deviation_mv", d->max_pos_10mv * 10);
        kv_int(f, "ripple_mv", d->ripple_mv);
        kv_int(f, "min_current_ma", d->min_ma);
        kv_int(f, "max_current_ma", d->max_ma);
        break;
    }
    case FRU_MR_DC_LOAD: {
        const struct fru_dc_load *d = &m->u.dc_load;
        kv_int(f, "output_number", d->output_number);
        kv_int(f, "nominal_mv", d->nominal_10mv * 10);
        kv_int(f, "min_mv", d->min_10mv * 10);
        kv_int(f, "max_mv", d->max_10mv * 10);
        kv_int(f, "ripple_mv", d->ripple_mv);
        kv_int(f, "min_current_ma", d->min_ma);
        kv_int(f, "max_current_ma", d->max_ma);
        break;
    }
    case FRU_MR_MGMT_ACCESS: {
        char text[300];
        fru_mgmt_access_text(m, text, sizeof(text));
        char *v = clean(a, text);
        if (!v)
            return -1;
        kv_int(f, "sub_type", m->u.mgmt.sub);
        kv_str(f, "sub_type_name", fru_mgmt_sub_name(m->u.mgmt.sub));
        kv_str(f, "value", v);
        break;
    }
    case FRU_MR_BASE_COMPAT:
    case FRU_MR_EXT_COMPAT:
        kv_int(f, "manufacturer_id", m->u.mfr.manufacturer_id);
        break;
    default:
        if (m->type >= FRU_MR_OEM_FIRST)
            kv_int(f, "manufacturer_id", m->u.mfr.manufacturer_id);
        break;
    }
    return 0;
}

static const char *field(struct store_arena *a, const struct fru_field *f, bool *oom)
{
    if (!(f->flags & FRU_FIELD_PRESENT))
        return NULL;
    const char *s = clean(a, f->text);
    if (!s)
        *oom = true;
    return s;
}

static void area_common(struct store_arena *a, struct store_fru_area *o, const struct fru_area *in,
                        const struct fru_field *custom, uint8_t ncustom, bool *oom)
{
    o->present = true;
    o->checksum_ok = in->checksum_ok;
    o->problem = in->err != CODEC_OK ? codec_err_name(in->err) : NULL;
    o->ncustom = ncustom;
    const char **c = arena_alloc(a, (ncustom ? ncustom : 1) * sizeof(*c));
    if (!c) {
        *oom = true;
        return;
    }
    for (uint8_t i = 0; i < ncustom; i++)
        if (!(c[i] = clean(a, custom[i].text)))
            *oom = true;
    o->custom = c;
}

static int fill_fru(struct store_arena *a, struct store_fru *o, const struct fru_result *fr)
{
    bool oom = false;
    o->id = fr->id;
    o->index = (uint32_t)fr->id + 1;
    o->name = clean(a, fr->name);
    o->status = fr->status;
    o->status_word = fru_read_status_name(fr->status);
    o->parsed = fr->parsed;
    if (!o->name)
        return -1;
    if (!fr->parsed)
        return 0;
    const struct fru_inventory *inv = &fr->inv;
    if (inv->chassis.area.present) {
        const struct fru_chassis *c = &inv->chassis;
        struct store_fru_area *x = &o->area[STORE_FRU_CHASSIS];
        x->chassis_type = c->type;
        x->chassis_type_name = fru_chassis_type_name(c->type);
        x->field[STORE_FRU_PART_NUMBER] = field(a, &c->part_number, &oom);
        x->field[STORE_FRU_SERIAL_NUMBER] = field(a, &c->serial_number, &oom);
        area_common(a, x, &c->area, c->custom, c->ncustom, &oom);
    }
    if (inv->board.area.present) {
        const struct fru_board *b = &inv->board;
        struct store_fru_area *x = &o->area[STORE_FRU_BOARD];
        char when[32] = "";
        fru_mfg_time_format(b->mfg_time, when);
        x->mfg_time = b->mfg_time;
        if (when[0] && !(x->mfg_datetime = arena_strdup(a, when)))
            oom = true;
        x->field[STORE_FRU_MANUFACTURER] = field(a, &b->manufacturer, &oom);
        x->field[STORE_FRU_NAME] = field(a, &b->product_name, &oom);
        x->field[STORE_FRU_SERIAL_NUMBER] = field(a, &b->serial_number, &oom);
        x->field[STORE_FRU_PART_NUMBER] = field(a, &b->part_number, &oom);
        area_common(a, x, &b->area, b->custom, b->ncustom, &oom);
    }
    if (inv->product.area.present) {
        const struct fru_product *p = &inv->product;
        struct store_fru_area *x = &o->area[STORE_FRU_PRODUCT];
        x->field[STORE_FRU_MANUFACTURER] = field(a, &p->manufacturer, &oom);
        x->field[STORE_FRU_NAME] = field(a, &p->name, &oom);
        x->field[STORE_FRU_PART_NUMBER] = field(a, &p->part_number, &oom);
        x->field[STORE_FRU_VERSION] = field(a, &p->version, &oom);
        x->field[STORE_FRU_SERIAL_NUMBER] = field(a, &p->serial_number, &oom);
        x->field[STORE_FRU_ASSET_TAG] = field(a, &p->asset_tag, &oom);
        area_common(a, x, &p->area, p->custom, p->ncustom, &oom);
    }
    struct store_fru_mr *mr = arena_alloc(a, (inv->nmultirec ? inv->nmultirec : 1) * sizeof(*mr));
    if (!mr)
        return -1;
    for (uint8_t i = 0; i < inv->nmultirec; i++) {
        const struct fru_multirec *m = &inv->multirec[i];
        char desc[512], hex[2 * 255 + 1];
        fru_multirec_describe(m, desc, sizeof(desc));
        for (uint8_t k = 0; k < m->len; k++)
            snprintf(hex + 2 * k, 3, "%02x", m->data[k]);
        hex[2 * m->len] = '\0';
        struct kvb f = {.n = 0};
        if (mr_fields(a, m, &f) < 0)
            return -1;
        struct store_kv *kv = arena_alloc(a, (f.n ? f.n : 1) * sizeof(*kv));
        if (!kv)
            return -1;
        memcpy(kv, f.kv, f.n * sizeof(*kv));
        mr[i] = (struct store_fru_mr){
            .type = m->type,
            .type_name = fru_mr_type_name(m->type),
            .description = clean(a, desc),
            .checksum_ok =
                (m->flags & (FRU_MR_HDR_OK | FRU_MR_DATA_OK)) == (FRU_MR_HDR_OK | FRU_MR_DATA_OK),
            .data_hex = arena_strdup(a, hex),
            .nfields = f.n,
            .fields = kv,
        };
        if (!mr[i].description || !mr[i].data_hex)
            return -1;
    }
    o->nmr = inv->nmultirec;
    o->mr = mr;
    return oom ? -1 : 0;
}

static const struct store_frus *build_fru(const struct bmc_data *d)
{
    size_t n = fru_reader_count(d->frur), est = 256;
    for (size_t i = 0; i < n; i++) {
        /* the row, the texts (at most the image), per multirecord its row, fields,
         * description and hex data */
        const struct fru_result *fr = fru_reader_result(d->frur, i);
        est += sizeof(struct store_fru) + 32 + fr->image_len;
        if (fr->parsed)
            for (uint8_t k = 0; k < fr->inv.nmultirec; k++)
                est += sizeof(struct store_fru_mr) + 8 * sizeof(struct store_kv) + 80 +
                       2 * (size_t)fr->inv.multirec[k].len;
    }
    struct store_arena *a = arena_new(est);
    if (!a)
        return NULL;
    struct store_frus *p = arena_alloc(a, sizeof(*p));
    struct store_fru *rows = p ? arena_alloc(a, (n ? n : 1) * sizeof(*rows)) : NULL;
    if (!rows)
        goto fail;
    p->p.arena = a;
    atomic_init(&p->p.refs, 1);
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const struct fru_result *fr = fru_reader_result(d->frur, i);
        if (fr->status == FRU_READ_ABSENT && fr->id != 0)
            continue;
        /* sorted by FRU ID; a device listed twice is kept once (the first) */
        uint32_t pos = w;
        while (pos > 0 && rows[pos - 1].id > fr->id)
            pos--;
        if (pos > 0 && rows[pos - 1].id == fr->id)
            continue;
        memmove(&rows[pos + 1], &rows[pos], (w - pos) * sizeof(*rows));
        memset(&rows[pos], 0, sizeof(*rows));
        if (fill_fru(a, &rows[pos], fr) < 0)
            goto fail;
        w++;
    }
    p->f = rows;
    p->p.n = w;
    return p;
fail:
    arena_free(a);
    return NULL;
}

/* ---- SEL ------------------------------------------------------------------------------ */

/*
 * Severity of a SEL entry (enum store_severity):
 *   OEM records (C0h-FFh) and OEM / unspecified event types: unknown.
 *   Deassertions: ok (the condition went away).
 *   Threshold events (event type 01h, IPMI 2.0 Table 42-2): by the threshold
 *   the offset names: non-critical (offsets 0-1, 6-7) warning, critical
 *   (2-3, 8-9) critical, non-recoverable (4-5, 10-11) nonrecoverable.
 *   Generic (02h-0Ch) and sensor-specific (6Fh) events: the severity the
 *   sensor status gives the same state when it is asserted (sensor.h
 *   "Status rule": failures critical, degraded/predictive warning,
 *   "Transition to Non-recoverable" nonrecoverable, informational ok).
 */
static uint8_t sel_severity(const struct sel_record *r)
{
    static const uint8_t thr_sev[12] = {
        STORE_SEV_WARNING,  STORE_SEV_WARNING,        STORE_SEV_CRITICAL,
        STORE_SEV_CRITICAL, STORE_SEV_NONRECOVERABLE, STORE_SEV_NONRECOVERABLE,
        STORE_SEV_WARNING,  STORE_SEV_WARNING,        STORE_SEV_CRITICAL,
        STORE_SEV_CRITICAL, STORE_SEV_NONRECOVERABLE, STORE_SEV_NONRECOVERABLE,
    };
    if (r->kind != SEL_KIND_SYSTEM)
        return STORE_SEV_UNKNOWN;
    uint8_t off = sel_event_offset(r);
    if (r->event_type == 0x01)
        return r->deassertion ? STORE_SEV_OK : off < 12 ? thr_sev[off] : STORE_SEV_UNKNOWN;
    if ((r->event_type >= 0x02 && r->event_type <= 0x0c) || r->event_type == 0x6f) {
        if (r->deassertion)
            return STORE_SEV_OK;
        /* enum sensor_status and enum store_severity share ok..nonrecoverable */
        return (uint8_t)sensor_discrete_status(r->event_type, r->sensor_type,
                                               (uint16_t)(1u << off));
    }
    return STORE_SEV_UNKNOWN;
}

/* Every sensor of the set (event-only ones too: they log events), by index. */
struct sdr_key {
    uint32_t index;
    uint32_t pos; /* in set->s: the first record wins, as the old linear search did */
};

static int cmp_key(const void *x, const void *y)
{
    const struct sdr_key *a = x, *b = y;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static const struct sdr_sensor *sel_sensor(const struct sensor_set *set, const struct sdr_key *keys,
                                           const struct sel_record *r)
{
    if (!set || !keys || r->kind != SEL_KIND_SYSTEM)
        return NULL;
    uint32_t want =
        store_sensor_index(r->sensor_number, (uint8_t)(r->gen_addr << 1), r->gen_lun, 0);
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].index < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < set->n && keys[lo].index == want ? &set->s[keys[lo].pos] : NULL;
}

static void fill_sel(struct store_sel *o, const struct sel_record *r, const uint8_t *raw,
                     uint32_t seq, uint16_t sdr)
{
    o->index = seq;
    o->kind = r->kind & 3u; /* enum sel_kind = enum store_sel_kind */
    o->has_time = r->kind != SEL_KIND_OEM_NOTS && r->ts_kind == SEL_TS_ABSOLUTE;
    o->raw = raw; /* in the ring's records, which the part holds */
    o->sdr = sdr;
    o->severity = sel_severity(r) & 7u;
}

struct store_sel_fields store_sel_fields(const struct store_sel *e)
{
    struct store_sel_fields f = {0};
    struct sel_record r;
    enum codec_err err;
    if (sel_record_decode(e->raw, SEL_RECORD_LEN, &r, &err) < 0)
        return f;
    f.record_id = r.record_id;
    f.record_type = r.record_type;
    f.time = r.timestamp;
    if (r.kind == SEL_KIND_SYSTEM) {
        f.sensor_type_code = r.sensor_type;
        f.sensor_number = r.sensor_number;
        f.event_type = r.event_type;
        f.deassertion = r.deassertion;
    } else if (r.kind == SEL_KIND_OEM_TS) {
        f.manufacturer_id = r.manufacturer_id;
    }
    return f;
}

/*
 * The SEL part: 16 bytes an entry (its index, kind, severity and a pointer to
 * the raw record in the SEL reader's ring, held: not a copy) plus one
 * copy of each SDR record the entries name; texts are formed when a view
 * asks (store_sel_texts), from the same record and SDR, so they read as if
 * formed here.
 */
static const struct store_sels *build_sel(const struct bmc_data *d)
{
    const struct sel_state *st = d->sel;
    size_t n = sel_state_count(st), nset = d->set ? d->set->n : 0;
    struct sdr_key *keys = NULL;
    uint32_t *pos = malloc((n ? n : 1) * sizeof(*pos));    /* entry -> set position + 1 */
    uint16_t *map = calloc(nset ? nset : 1, sizeof(*map)); /* set position -> part SDR + 1 */
    struct store_arena *a = NULL;
    if (!pos || !map)
        goto fail;
    if (nset) {
        keys = malloc(nset * sizeof(*keys));
        if (!keys)
            goto fail;
        for (size_t i = 0; i < nset; i++) {
            const struct sdr_sensor *s = &d->set->s[i];
            keys[i].index = store_sensor_index(s->number, s->owner_addr, s->owner_lun, 0);
            keys[i].pos = (uint32_t)i;
        }
        qsort(keys, nset, sizeof(*keys), cmp_key);
    }
    uint32_t nsdr = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *raw = sel_state_entry(st, i);
        struct sel_record r;
        enum codec_err e;
        const struct sdr_sensor *sdr = NULL;
        pos[i] = 0;
        if (raw && sel_record_decode(raw, SEL_RECORD_LEN, &r, &e) >= 0)
            sdr = sel_sensor(d->set, keys, &r);
        if (sdr) {
            size_t k = (size_t)(sdr - d->set->s);
            if (!map[k] && nsdr < UINT16_MAX - 1)
                map[k] = (uint16_t)++nsdr;
            if (map[k])
                pos[i] = (uint32_t)k + 1;
        }
    }
    /* the records the entries name: the fleet's shared ones (held), or copies */
    bool shared = nsdr && d->set_shared && d->repo && d->repo->shared;
    a = arena_new(512 + n * sizeof(struct store_sel) +
                  (shared ? 0 : nsdr * sizeof(struct sdr_sensor)));
    struct store_sels *p = a ? arena_alloc(a, sizeof(*p)) : NULL;
    struct store_sel *rows = p ? arena_alloc(a, (n ? n : 1) * sizeof(*rows)) : NULL;
    struct sdr_sensor *sdrs = rows && nsdr && !shared ? arena_alloc(a, nsdr * sizeof(*sdrs)) : NULL;
    if (!rows || (nsdr && !shared && !sdrs))
        goto fail;
    p->p.arena = a;
    atomic_init(&p->p.refs, 1);
    /* the pointers sel_state_entry() gives stay valid while this is held */
    p->p.ring_hold = sel_state_ring_hold(d->sel);
    if (shared) { /* entry.sdr is then the set position + 1 */
        for (size_t k = 0; k < nset; k++)
            map[k] = k < UINT16_MAX ? (uint16_t)(k + 1) : 0;
        nsdr = (uint32_t)(nset < UINT16_MAX ? nset : UINT16_MAX - 1);
    } else {
        for (size_t k = 0; k < nset; k++)
            if (map[k])
                sdrs[map[k] - 1] = d->set->s[k];
    }
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *raw = sel_state_entry(st, i);
        struct sel_record r;
        enum codec_err e;
        if (!raw || sel_record_decode(raw, SEL_RECORD_LEN, &r, &e) < 0)
            continue; /* not kept (cannot happen: any 16 bytes decode) */
        fill_sel(&rows[w++], &r, raw, sel_state_entry_seq(st, i), pos[i] ? map[pos[i] - 1] : 0);
    }
    free(keys);
    free(pos);
    free(map);
    p->e = rows;
    p->p.n = w;
    p->nsdr = nsdr;
    p->sdr = shared ? d->set->s : sdrs;
    if (shared)
        p->p.sdr_hold = sdr_share_hold(d->repo->shared);
    return p;
fail:
    free(keys);
    free(pos);
    free(map);
    arena_free(a);
    return NULL;
}

void store_sel_texts(const struct store_sels *p, const struct store_sel *e,
                     struct store_sel_text *t)
{
    struct sel_record r;
    enum codec_err err;
    struct sel_text x;
    const struct sdr_sensor *sdr = p && e->sdr && e->sdr <= p->nsdr ? &p->sdr[e->sdr - 1] : NULL;
    memset(&x, 0, sizeof(x));
    if (sel_record_decode(e->raw, SEL_RECORD_LEN, &r, &err) >= 0)
        sel_describe(&r, sdr, &x);
    t->timestamp = NULL;
    if (x.timestamp[0]) {
        snprintf(t->buf_ts, sizeof(t->buf_ts), "%s", x.timestamp);
        t->timestamp = t->buf_ts;
    }
    t->sensor_type = t->sensor_name = t->direction = NULL;
    if (e->kind == STORE_SEL_SYSTEM) {
        t->sensor_type = x.sensor_type;
        const char *nm = (sdr && sdr->name[0]) ? sdr->name : x.sensor_name;
        text_clean(nm, strlen(nm), t->buf_name, sizeof(t->buf_name));
        t->sensor_name = t->buf_name;
        t->direction = x.direction;
    }
    text_clean(x.event, strlen(x.event), t->buf_event, sizeof(t->buf_event));
    t->event = t->buf_event;
    t->reading = NULL;
    if (x.reading[0]) {
        text_clean(x.reading, strlen(x.reading), t->buf_reading, sizeof(t->buf_reading));
        t->reading = t->buf_reading;
    }
    snprintf(t->buf_data, sizeof(t->buf_data), "%s", x.data);
    t->data = t->buf_data;
}

/* ---- the snapshot -------------------------------------------------------------------- */

/* The header's short texts, once per snapshot of every BMC: written here
 * with the bytes printf's "%u" and "%02x" give, without stdio. */
static char *put_u(char *p, unsigned v)
{
    char t[10];
    unsigned n = 0;
    do
        t[n++] = (char)('0' + v % 10u);
    while ((v /= 10u));
    while (n)
        *p++ = t[--n];
    return p;
}

static char *put_x2(char *p, uint8_t b)
{
    static const char hex[16] = "0123456789abcdef";
    *p++ = hex[b >> 4];
    *p++ = hex[b & 15];
    return p;
}

static void fill_devid(struct store_devid *o, const struct ipmi_devid_rsp *d)
{
    o->device_id = d->device_id;
    o->device_revision = d->device_rev & 0x0f;
    o->provides_sdrs = d->device_rev & 0x80;
    o->manufacturer_id = d->manufacturer_id & 0xfffff;
    o->product_id = d->product_id;
    char *p = put_u(o->firmware, d->fw_major & 0x7fu); /* "%u.%02x" */
    *p++ = '.';
    *put_x2(p, d->fw_minor) = '\0';
    /* BCD: low nibble major, high nibble minor (IPMI 2.0 Table 20-2) */
    p = put_u(o->ipmi_version, d->ipmi_version & 0x0fu);
    *p++ = '.';
    *put_u(p, (unsigned)(d->ipmi_version >> 4)) = '\0';
    o->device_available = !(d->fw_major & 0x80);
    o->has_aux = d->aux_len == 4;
    if (o->has_aux) {
        p = o->aux_firmware;
        for (unsigned k = 0; k < 4; k++)
            p = put_x2(p, d->aux_fw[k]);
        *p = '\0';
    }
}

static void fill_chassis(struct store_chassis *o, const struct ipmi_chassis_rsp *c)
{
    o->power_on = c->power & 0x01;
    o->power_overload = c->power & 0x02;
    o->power_interlock = c->power & 0x04;
    o->power_fault = c->power & 0x08;
    o->power_control_fault = c->power & 0x10;
    o->intrusion = c->misc & 0x01;
    o->front_panel_lockout = c->misc & 0x02;
    o->drive_fault = c->misc & 0x04;
    o->cooling_fault = c->misc & 0x08;
}

static void dotted(char out[16], const uint8_t a[4])
{
    char *p = out; /* "%u.%u.%u.%u": at most 15 bytes and the NUL */
    for (unsigned k = 0; k < 4; k++) {
        if (k)
            *p++ = '.';
        p = put_u(p, a[k]);
    }
    *p = '\0';
}

_Static_assert((int)STORE_INFO_OK == (int)INFO_OK &&
                   (int)STORE_INFO_UNSUPPORTED == (int)INFO_UNSUPPORTED &&
                   (int)STORE_INFO_FAILED == (int)INFO_FAILED &&
                   (int)STORE_INFO_NOT_SET == (int)INFO_NOT_SET,
               "store_info_status mirrors info_status");

void snap_fill_info(struct store_info *o, const struct bmc_info *i)
{
    *o = (struct store_info){
        .poh_st = i->poh_st,
        .sel_time_st = i->sel_time_st,
        .lan_st = i->lan_st,
        .dcmi_st = i->dcmi_st,
        .poh_word = info_status_name(i->poh_st),
        .sel_time_word = info_status_name(i->sel_time_st),
        .lan_word = info_status_name(i->lan_st),
        .dcmi_word = info_status_name(i->dcmi_st),
    };
    if (i->poh_st == INFO_OK)
        o->poh_hours = i->poh_hours;
    if (i->sel_time_st == INFO_OK)
        o->clock_offset_s = i->clock_offset_s;
    if (i->lan_st == INFO_OK) {
        o->lan_channel = i->lan_channel;
        o->has_ip = i->have_ip;
        o->has_netmask = i->have_netmask;
        o->has_gateway = i->have_gateway;
        o->has_mac = i->have_mac;
        o->has_ip_source = i->have_ip_source;
        o->has_vlan = i->have_vlan && i->vlan_enabled; /* only a tagging BMC has one */
        memcpy(o->ip, i->ip, 4);
        memcpy(o->netmask, i->netmask, 4);
        memcpy(o->gateway, i->gateway, 4);
        memcpy(o->mac, i->mac, 6);
        dotted(o->ip_text, i->ip);
        dotted(o->netmask_text, i->netmask);
        dotted(o->gateway_text, i->gateway);
        char *p = o->mac_text; /* "%02x:..." */
        for (unsigned k = 0; k < 6; k++) {
            if (k)
                *p++ = ':';
            p = put_x2(p, i->mac[k]);
        }
        *p = '\0';
        o->ip_source = i->ip_source & 0x0f;
        o->ip_source_word = i->have_ip_source ? ipmi_ip_source_name(i->ip_source) : NULL;
        o->vlan_id = i->vlan_id;
    }
    if (i->dcmi_st == INFO_OK) {
        o->watts_current = i->watts_current;
        o->watts_min = i->watts_min;
        o->watts_max = i->watts_max;
        o->watts_avg = i->watts_avg;
        o->power_period_ms = i->power_period_ms;
        o->power_active = i->power_active;
    }
}

static uint32_t sel_last_seq(const struct sel_state *st)
{
    size_t n = sel_state_count(st);
    return n ? sel_state_entry_seq(st, n - 1) : 0;
}

const struct store_bmc *snap_build(const struct bmc_data *d, const struct snap_opts *o,
                                   const struct store_bmc *prev)
{
    /* the header, its texts (name, address, the error texts) */
    struct store_arena *a =
        arena_new(sizeof(struct store_bmc) + 160 + strlen(bmc_text(d->err_text)) +
                  strlen(bmc_text(d->sdr_err)) + (o->error ? strlen(o->error) : 0));
    if (!a)
        return NULL;
    struct store_bmc *s = arena_alloc(a, sizeof(*s));
    if (!s) {
        arena_free(a);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->arena = a;
    s->index = o->bmc_index;
    s->name = clean(a, d->b ? bmc_name(d->b) : o->name ? o->name : "");
    s->address = clean(a, d->b ? bmc_address(d->b) : o->address ? o->address : "");
    s->state = o->set_state && o->state < STORE_ST__COUNT ? o->state
                                                          : (uint8_t)store_state_from_error(d->err);
    const char *etext = o->set_state ? o->error : d->err ? bmc_text(d->err_text) : NULL;
    s->error = etext ? clean(a, etext) : NULL;
    int suite = d->b ? bmc_suite(d->b) : -1;
    s->cipher_suite = (suite >= 0 && !etext) ? suite : -1;
    s->has_devid = d->have_devid;
    if (d->have_devid)
        fill_devid(&s->devid, &d->devid);
    s->has_guid = d->have_guid;
    if (d->have_guid)
        ipmi_guid_format(d->guid, s->guid);
    s->has_chassis = d->have_chassis;
    if (d->have_chassis)
        fill_chassis(&s->chassis, &d->chassis);
    s->poll_wall_s = o->wall_s ? o->wall_s : (uint64_t)time(NULL);
    s->poll_mono_ns = o->mono_ns ? o->mono_ns : ev_monotonic_ns();
    if (d->b)
        s->counters = *bmc_counters(d->b);
    snap_fill_info(&s->info, &d->info);
    s->sdr.records = d->repo ? d->repo->nrecords : 0;
    s->sdr.get_sdr_requests = d->sdr_stats.get_sdr_requests;
    s->sdr.from_cache = d->sdr_stats.from_cache;
    s->sdr.unchanged = d->sdr_stats.unchanged;
    s->sdr.error = d->sdr_err ? clean(a, d->sdr_err) : NULL;
    if (d->sel) {
        const struct sel_poll_result *r = &d->sel_res;
        s->has_sel_stats = d->have_sel;
        s->sel_stats = (struct store_sel_stats){
            .ok = r->status == SEL_POLL_OK,
            .new_entries = r->new_entries,
            .entries_read = r->entry_requests,
            .requests = r->requests,
            .cleared = r->cleared,
            .overflow = r->overflow,
            .clears_detected = d->sel->ctr.clears,
            .entries_kept = (uint32_t)sel_state_count(d->sel),
            .elapsed_ms = (double)d->sel_ns / 1e6,
        };
    }
    if (o->control) {
        const struct store_control *c = o->control;
        s->control = *c;
        s->control.last_action = c->last_action ? clean(a, c->last_action) : NULL;
        s->control.last_result = c->last_result ? clean(a, c->last_result) : NULL;
        if ((c->last_action && !s->control.last_action) ||
            (c->last_result && !s->control.last_result))
            goto fail;
    }
    if (!s->name || !s->address || (etext && !s->error) || (d->sdr_err && !s->sdr.error))
        goto fail;

    char label[300];
    snprintf(label, sizeof(label), "BMC %s (%s)", s->name, s->address);
    if (d->have_sensors && d->set) {
        if (!(s->sensors = build_sensors(d, label)))
            goto fail;
        s->nsensors = s->sensors->p.n;
        s->nwarning = s->sensors->nwarning;
        s->ncritical = s->sensors->ncritical;
        s->nnonrecoverable = s->sensors->nnonrecoverable;
    }

    s->src.sdr_gen = d->sdr_gen;
    s->src.fru_read_ns = d->fru_read_ns;
    if (d->fru_done) {
        /* shared until the next FRU read: the reader's results (about 10 KB per
         * device) may be freed once a snapshot holds them (the scheduler does);
         * without them, the FRU part `prev` has (if a snapshot could not be
         * built in between) stays until the next read */
        if (prev && prev->fru && prev->src.fru_read_ns == d->fru_read_ns)
            s->fru = store_frus_ref(prev->fru);
        else if (d->frur && !(s->fru = build_fru(d)))
            goto fail;
        else if (!d->frur && prev && prev->fru)
            s->fru = store_frus_ref(prev->fru);
    }
    if (d->sel) {
        s->src.sel_count = (uint32_t)sel_state_count(d->sel);
        s->src.sel_first_seq = s->src.sel_count ? sel_state_entry_seq(d->sel, 0) : 0;
        s->src.sel_last_seq = sel_last_seq(d->sel);
        if (prev && prev->sel && prev->src.sdr_gen == d->sdr_gen &&
            prev->src.sel_count == s->src.sel_count &&
            prev->src.sel_first_seq == s->src.sel_first_seq &&
            prev->src.sel_last_seq == s->src.sel_last_seq &&
            /* the ring was copied (a poll read entries while the part held
             * them): the new part holds the copy, so the old one is freed */
            prev->sel->p.ring_hold == d->sel->ring_buf)
            s->sel = store_sels_ref(prev->sel);
        else if (!(s->sel = build_sel(d)))
            goto fail;
    }
    return s;
fail:
    store_bmc_unref(s);
    return NULL;
}
