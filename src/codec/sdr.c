/*
 * sdr.c - Sensor Data Record parser (IPMI 2.0 section 43).  Bytes only: no
 * allocation, no I/O.  Byte numbers in comments are the spec's (1-based,
 * the header is bytes 1-5); in code, p[n - 1] is spec byte n.
 */
#include "sdr.h"

#include <math.h>
#include <string.h>

static const char *const type_names[0x15] = {
    [SDR_TYPE_FULL] = "full",
    [SDR_TYPE_COMPACT] = "compact",
    [SDR_TYPE_EVENT_ONLY] = "event-only",
    [SDR_TYPE_ENTITY_ASSOC] = "entity association",
    [SDR_TYPE_DEVREL_ENTITY_ASSOC] = "device-relative entity association",
    [SDR_TYPE_GENERIC_LOCATOR] = "generic device locator",
    [SDR_TYPE_FRU_LOCATOR] = "FRU device locator",
    [SDR_TYPE_MC_LOCATOR] = "MC device locator",
    [SDR_TYPE_MC_CONFIRMATION] = "MC confirmation",
    [SDR_TYPE_BMC_MSG_CHANNEL] = "BMC message channel info",
};

const char *sdr_type_name(uint8_t type)
{
    if (type < sizeof(type_names) / sizeof(type_names[0]) && type_names[type])
        return type_names[type];
    if (type == SDR_TYPE_OEM)
        return "oem";
    return "unknown";
}

static const char *const lin_names[SDR_LIN_CBRT + 1] = {
    "linear", "ln",  "log10", "log2", "e",    "exp10",
    "exp2",   "1/x", "sqr",   "cube", "sqrt", "cube root",
};

const char *sdr_linearization_name(uint8_t lin)
{
    if (lin <= SDR_LIN_CBRT)
        return lin_names[lin];
    if (lin >= SDR_LIN_NONLINEAR_MIN && lin <= SDR_LIN_NONLINEAR_MAX)
        return "non-linear";
    return "reserved";
}

static const char *const fmt_names[4] = {"unsigned", "1's complement", "2's complement",
                                         "no analog reading"};

const char *sdr_analog_fmt_name(uint8_t fmt)
{
    return fmt < 4 ? fmt_names[fmt] : "unknown";
}

static const char *const id_type_names[4] = {"unicode", "BCD plus", "6-bit ASCII", "8-bit ASCII"};

const char *sdr_id_type_name(uint8_t type)
{
    return type < 4 ? id_type_names[type] : "unknown";
}

static const char *const kind_names[] = {
    [SDR_KIND_SKIP] = "skip",
    [SDR_KIND_SENSOR] = "sensor",
    [SDR_KIND_FRU_LOCATOR] = "FRU locator",
    [SDR_KIND_MC_LOCATOR] = "MC locator",
};

const char *sdr_kind_name(uint8_t kind)
{
    return kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "unknown";
}

static const char *const thr_names[SDR_THR__COUNT] = {"lnc", "lcr", "lnr", "unc", "ucr", "unr"};

const char *sdr_thr_name(unsigned thr)
{
    return thr < SDR_THR__COUNT ? thr_names[thr] : "?";
}

static const char *const value_kind_names[] = {
    [SDR_VALUE_NONE] = "states only",
    [SDR_VALUE_ANALOG] = "analog",
    [SDR_VALUE_NEEDS_FACTORS] = "needs reading factors",
    [SDR_VALUE_INVALID] = "invalid linearization",
    [SDR_VALUE_EVENT_ONLY] = "event-only",
};

const char *sdr_value_kind_name(enum sdr_value_kind k)
{
    if ((unsigned)k >= sizeof(value_kind_names) / sizeof(value_kind_names[0]))
        return "unknown";
    return value_kind_names[k];
}

static const char *const access_names[] = {
    [SDR_ACCESS_DIRECT] = "direct",
    [SDR_ACCESS_BRIDGED] = "bridged",
    [SDR_ACCESS_SOFTWARE] = "system software",
    [SDR_ACCESS_NONE] = "none",
};

const char *sdr_access_name(enum sdr_access a)
{
    if ((unsigned)a >= sizeof(access_names) / sizeof(access_names[0]))
        return "unknown";
    return access_names[a];
}

ssize_t sdr_header_parse(const uint8_t *buf, size_t len, struct sdr_header *h, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    if (len < SDR_HEADER_LEN) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    h->record_id = (uint16_t)(buf[0] | buf[1] << 8);
    h->version = buf[2];
    h->type = buf[3];
    h->length = buf[4];
    *err = CODEC_OK;
    return SDR_HEADER_LEN;
}

/* ---- ID strings (section 43.15) --------------------------------------------- */

/* BCD plus (section 43.15, the FRU spec's Table 13-1): Dh-Fh are reserved. */
static const char bcd_plus[16] = "0123456789 -.???";

size_t sdr_id_bytes(uint8_t tl)
{
    size_t n = tl & 0x1f;
    switch (tl >> 6) {
    case SDR_ID_BCDPLUS:
        return (n + 1) / 2;
    case SDR_ID_6BIT:
        return (n * 6 + 7) / 8;
    default:
        return n;
    }
}

size_t sdr_id_decode(uint8_t tl, const uint8_t *p, char *out, size_t cap)
{
    size_t n = tl & 0x1f, o = 0;
    if (cap == 0)
        return 0;
    switch (tl >> 6) {
    case SDR_ID_BCDPLUS:
        /*
         * Two characters a byte.  The spec does not say which nibble comes
         * first; OpenIPMI's sdrcomp, the one encoder we can test against,
         * puts the first character in the low nibble.
         */
        for (size_t c = 0; c < n && o + 1 < cap; c++)
            out[o++] = bcd_plus[(p[c / 2] >> (c % 2 ? 4 : 0)) & 0x0f];
        break;
    case SDR_ID_6BIT:
        /*
         * Four characters in three bytes, the first in the low 6 bits of the
         * first byte; 00h-3Fh map to ASCII 20h-5Fh.
         */
        for (size_t c = 0; c < n && o + 1 < cap; c++) {
            size_t bit = c * 6, byte = bit / 8;
            unsigned v = p[byte];
            if ((bit % 8) > 2) /* the character straddles into the next byte */
                v |= (unsigned)p[byte + 1] << 8;
            out[o++] = (char)(0x20 + ((v >> (bit % 8)) & 0x3f));
        }
        break;
    default:
        /*
         * 8-bit ASCII + Latin 1, and "Unicode" (00b), which the spec leaves
         * undefined: the bytes as they are, up to a NUL and at most 16 (the
         * record maximum), which is what FreeIPMI and ipmitool print.
         * Latin-1 conversion is the output layer's business.
         */
        if (n > SDR_ID_BYTES_MAX)
            n = SDR_ID_BYTES_MAX;
        for (size_t i = 0; i < n && o + 1 < cap && p[i]; i++)
            out[o++] = (char)p[i];
        break;
    }
    out[o] = '\0';
    return o;
}

/*
 * The ID string at spec byte `at` (1-based, the type/length byte) of a record
 * whose total size is `total`.
 */
static int id_string(const uint8_t *rec, size_t total, size_t at, char *out, size_t cap,
                     uint8_t *id_type, bool *truncated, enum codec_err *err)
{
    uint8_t tl = rec[at - 1];
    if ((tl & 0x1f) == 0x1f) {
        *err = CODEC_E_FIELD; /* 11111b is reserved */
        return -1;
    }
    if (at + sdr_id_bytes(tl) > total) {
        *err = CODEC_E_LENGTH; /* the string runs past the record */
        return -1;
    }
    *id_type = (uint8_t)(tl >> 6);
    /* byte strings are cut at 16; the packed ones (at most 30 characters) fit */
    *truncated =
        (*id_type == SDR_ID_8BIT || *id_type == SDR_ID_UNICODE) && (tl & 0x1f) > SDR_ID_BYTES_MAX;
    sdr_id_decode(tl, rec + at, out, cap);
    return 0;
}

static int sensor_id(const uint8_t *p, size_t total, size_t at, struct sdr_sensor *s,
                     enum codec_err *err)
{
    bool cut = false;
    if (id_string(p, total, at, s->id, sizeof(s->id), &s->id_type, &cut, err) < 0)
        return -1;
    if (cut)
        s->flags |= SDR_SF_ID_TRUNCATED;
    return 0;
}

/* ---- conversion factors ----------------------------------------------------- */

/* Sign-extend the low `bits` bits of v (two's complement). */
static int sext(unsigned v, unsigned bits)
{
    unsigned m = 1u << (bits - 1);
    v &= (1u << bits) - 1;
    return (int)(v ^ m) - (int)m;
}

void sdr_factors_unpack(const uint8_t p[6], uint8_t fmt, uint8_t lin, struct sdr_factors *f)
{
    /* Table 43-1 bytes 25-30 / section 35.5 response bytes 3-8 */
    f->m = (int16_t)sext(p[0] | (unsigned)(p[1] & 0xc0) << 2, 10);
    f->tolerance = p[1] & 0x3f;
    f->b = (int16_t)sext(p[2] | (unsigned)(p[3] & 0xc0) << 2, 10);
    f->accuracy = (uint16_t)((p[3] & 0x3f) | (p[4] & 0xf0) << 2);
    f->accuracy_exp = (p[4] >> 2) & 0x03;
    f->rexp = (int8_t)sext(p[5] >> 4, 4);
    f->bexp = (int8_t)sext(p[5] & 0x0f, 4);
    f->fmt = fmt;
    f->linearization = lin;
    /* pow() of integer powers of ten: exactly what both tools compute */
    f->boff = f->b * pow(10, f->bexp);
    f->rscale = pow(10, f->rexp);
}

/* ---- sensor records ----------------------------------------------------------- */

/* Minimum total size (header included) up to and including the ID type/length byte. */
#define FULL_MIN       48 /* Table 43-1 */
#define COMPACT_MIN    32 /* Table 43-2 */
#define EVENT_ONLY_MIN 17 /* Table 43-3 */
#define FRU_LOC_MIN    16 /* Table 43-7 */
#define MC_LOC_MIN     16 /* Table 43-8 */

/* Bytes 6-10 (record key, entity) are laid out alike in all three sensor types. */
static void sensor_key(const uint8_t *p, struct sdr_sensor *s)
{
    s->owner_addr = p[5] & 0xfe;
    if (p[5] & 0x01)
        s->flags |= SDR_SF_SOFTWARE_OWNER;
    s->owner_lun = p[6] & 0x03;
    s->channel = p[6] >> 4;
    s->number = p[7];
    s->entity_id = p[8];
    s->entity_instance = p[9] & 0x7f;
    if (p[9] & 0x80)
        s->flags |= SDR_SF_LOGICAL_ENTITY;
}

/* Bytes 11-24, shared by full and compact records. */
static void sensor_common(const uint8_t *p, struct sdr_sensor *s)
{
    s->init = p[10];
    s->caps = p[11];
    if (s->caps & 0x80)
        s->flags |= SDR_SF_IGNORE;
    s->sensor_type = p[12];
    s->event_type = p[13];
    s->assert_mask = (uint16_t)(p[14] | p[15] << 8);
    s->deassert_mask = (uint16_t)(p[16] | p[17] << 8);
    s->reading_mask = (uint16_t)(p[18] | p[19] << 8);
    s->rate = (p[20] >> 3) & 0x07;
    s->mod_rel = (p[20] >> 1) & 0x03;
    if (p[20] & 0x01)
        s->flags |= SDR_SF_PERCENT;
    s->unit_base = p[21];
    s->unit_mod = p[22];
}

/* Sharing bytes (compact 24-25, event-only 13-14). */
static void sensor_sharing(uint8_t b1, uint8_t b2, struct sdr_sensor *s)
{
    s->direction = b1 >> 6;
    s->mod_type = (b1 >> 4) & 0x03;
    s->share_count = b1 & 0x0f;
    if (s->share_count == 0)
        s->share_count = 1;
    if (b2 & 0x80)
        s->flags |= SDR_SF_INSTANCE_INCR;
    s->mod_offset = b2 & 0x7f;
}

static uint8_t value_kind(const struct sdr_sensor *s)
{
    if (s->record_type == SDR_TYPE_EVENT_ONLY)
        return SDR_VALUE_EVENT_ONLY;
    /*
     * Only threshold sensors of full records carry a numeric reading: the
     * same rule as ipmitool (without its HP exception) and FreeIPMI (without
     * its discrete-reading workaround flag).
     */
    if (s->record_type != SDR_TYPE_FULL || !sdr_is_threshold(s) || s->conv.fmt == SDR_FMT_NONE)
        return SDR_VALUE_NONE;
    if (s->conv.linearization <= SDR_LIN_CBRT)
        return SDR_VALUE_ANALOG;
    if (s->conv.linearization >= SDR_LIN_NONLINEAR_MIN)
        return SDR_VALUE_NEEDS_FACTORS;
    return SDR_VALUE_INVALID;
}

static int parse_full(const uint8_t *p, size_t total, struct sdr_sensor *s, enum codec_err *err)
{
    if (total < FULL_MIN) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    sensor_key(p, s);
    sensor_common(p, s);
    s->share_count = 1;
    s->direction = p[28] & 0x03;
    sdr_factors_unpack(p + 24, p[20] >> 6, p[23] & 0x7f, &s->conv);
    s->analog_flags = p[30] & 0x07;
    s->nominal = p[31];
    s->normal_max = p[32];
    s->normal_min = p[33];
    s->sensor_max = p[34];
    s->sensor_min = p[35];
    /* bytes 37-42 run UNR, UC, UNC, LNR, LC, LNC: the reverse of the mask order */
    for (unsigned i = 0; i < SDR_THR__COUNT; i++)
        s->thr.raw[i] = p[41 - i];
    if (sdr_is_threshold(s)) {
        s->thr.readable = p[18] & 0x3f;
        s->thr.settable = p[19] & 0x3f;
    }
    s->hyst_pos = p[42];
    s->hyst_neg = p[43];
    s->oem = p[46];
    return sensor_id(p, total, FULL_MIN, s, err);
}

static int parse_compact(const uint8_t *p, size_t total, struct sdr_sensor *s, enum codec_err *err)
{
    if (total < COMPACT_MIN) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    sensor_key(p, s);
    sensor_common(p, s);
    sensor_sharing(p[23], p[24], s);
    s->conv.fmt = SDR_FMT_NONE; /* compact records carry no factors (Table 43-2) */
    s->conv.rscale = 1.0;
    if (sdr_is_threshold(s)) {
        s->thr.readable = p[18] & 0x3f; /* the values themselves need Get Sensor Thresholds */
        s->thr.settable = p[19] & 0x3f;
    }
    s->hyst_pos = p[25];
    s->hyst_neg = p[26];
    s->oem = p[30];
    return sensor_id(p, total, COMPACT_MIN, s, err);
}

static int parse_event_only(const uint8_t *p, size_t total, struct sdr_sensor *s,
                            enum codec_err *err)
{
    if (total < EVENT_ONLY_MIN) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    sensor_key(p, s);
    s->sensor_type = p[10];
    s->event_type = p[11];
    sensor_sharing(p[12], p[13], s);
    s->conv.fmt = SDR_FMT_NONE;
    s->conv.rscale = 1.0;
    s->oem = p[15];
    return sensor_id(p, total, EVENT_ONLY_MIN, s, err);
}

static int parse_fru_locator(const uint8_t *p, size_t total, struct sdr_fru_locator *f,
                             enum codec_err *err)
{
    if (total < FRU_LOC_MIN) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    f->access_addr = p[5] & 0xfe;
    f->logical = (p[7] & 0x80) != 0;
    /* a non-intelligent device is named by its slave address, [7:1] */
    f->fru_id = f->logical ? p[6] : (uint8_t)(p[6] & 0xfe);
    f->lun = (p[7] >> 3) & 0x03;
    f->bus = p[7] & 0x07;
    f->channel = p[8] >> 4;
    f->device_type = p[10];
    f->device_type_mod = p[11];
    f->entity_id = p[12];
    f->entity_instance = p[13];
    f->oem = p[14];
    bool cut = false;
    if (id_string(p, total, FRU_LOC_MIN, f->name, sizeof(f->name), &f->id_type, &cut, err) < 0)
        return -1;
    if (cut)
        f->flags |= SDR_SF_ID_TRUNCATED;
    return 0;
}

static int parse_mc_locator(const uint8_t *p, size_t total, struct sdr_mc_locator *m,
                            enum codec_err *err)
{
    if (total < MC_LOC_MIN) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    m->slave_addr = p[5] & 0xfe;
    m->channel = p[6] & 0x0f;
    m->power_init = p[7];
    m->caps = p[8];
    m->entity_id = p[12];
    m->entity_instance = p[13];
    m->oem = p[14];
    bool cut = false;
    if (id_string(p, total, MC_LOC_MIN, m->name, sizeof(m->name), &m->id_type, &cut, err) < 0)
        return -1;
    if (cut)
        m->flags |= SDR_SF_ID_TRUNCATED;
    return 0;
}

/* Append the instance modifier for index `n` (modifier offset + instance). */
static void append_modifier(char *name, size_t cap, uint8_t mod_type, unsigned n)
{
    size_t o = strlen(name);
    char tmp[4];
    size_t t = 0;
    if (mod_type == SDR_MOD_ALPHA) {
        /* 0 = "A" .. 25 = "Z", 26 = "AA" .. (section 43.2, byte 24 notes) */
        if (n >= 26)
            tmp[t++] = (char)('A' + n / 26 - 1);
        tmp[t++] = (char)('A' + n % 26);
    } else {
        if (n >= 100)
            tmp[t++] = (char)('0' + n / 100);
        if (n >= 10)
            tmp[t++] = (char)('0' + n / 10 % 10);
        tmp[t++] = (char)('0' + n % 10);
    }
    if (o + 1 + t + 1 > cap)
        return; /* cannot happen: SDR_NAME_CAP has room for it */
    name[o++] = ' ';
    memcpy(name + o, tmp, t);
    name[o + t] = '\0';
}

int sdr_compact_instance(const struct sdr_sensor *base, unsigned i, struct sdr_sensor *out,
                         enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    /* everything is computed from `base` before `out` (which may be base) is written */
    unsigned first = (unsigned)base->number - base->instance;
    unsigned entity = base->entity_instance;
    if (base->flags & SDR_SF_INSTANCE_INCR)
        entity = (entity - base->instance + i) & 0x7f;
    unsigned count = base->share_count, modifier = base->mod_offset + i;
    uint8_t mod_type = base->mod_type;
    if (i >= count || first + i > 0xff) {
        *err = CODEC_E_FIELD;
        return -1;
    }
    if (out != base)
        *out = *base;
    out->instance = (uint8_t)i;
    out->number = (uint8_t)(first + i);
    out->entity_instance = (uint8_t)entity;
    memcpy(out->name, out->id, sizeof(out->id));
    if (count > 1)
        append_modifier(out->name, sizeof(out->name), mod_type, modifier);
    *err = CODEC_OK;
    return 0;
}

enum sdr_access sdr_sensor_access(const struct sdr_sensor *s)
{
    if (s->record_type == SDR_TYPE_EVENT_ONLY)
        return SDR_ACCESS_NONE;
    if (s->flags & SDR_SF_SOFTWARE_OWNER)
        return SDR_ACCESS_SOFTWARE;
    /* the BMC answers for its own LUNs; anything else goes over IPMB */
    if (s->owner_addr != SDR_BMC_ADDR || s->channel != 0)
        return SDR_ACCESS_BRIDGED;
    return SDR_ACCESS_DIRECT;
}

ssize_t sdr_parse(const uint8_t *buf, size_t len, struct sdr_record *out, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(out, 0, sizeof(*out));
    if (sdr_header_parse(buf, len, &out->hdr, err) < 0)
        return -1;
    size_t total = SDR_HEADER_LEN + (size_t)out->hdr.length;
    if (len < total) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    int rc = 0;
    switch (out->hdr.type) {
    case SDR_TYPE_FULL:
    case SDR_TYPE_COMPACT:
    case SDR_TYPE_EVENT_ONLY: {
        struct sdr_sensor *s = &out->u.sensor;
        s->record_id = out->hdr.record_id;
        s->record_type = out->hdr.type;
        if (out->hdr.type == SDR_TYPE_FULL)
            rc = parse_full(buf, total, s, err);
        else if (out->hdr.type == SDR_TYPE_COMPACT)
            rc = parse_compact(buf, total, s, err);
        else
            rc = parse_event_only(buf, total, s, err);
        if (rc == 0) {
            s->id_len = (uint8_t)strlen(s->id);
            s->value_kind = value_kind(s);
            sdr_compact_instance(s, 0, s, NULL);
            out->kind = SDR_KIND_SENSOR;
        }
        break;
    }
    case SDR_TYPE_FRU_LOCATOR:
        out->u.fru.record_id = out->hdr.record_id;
        rc = parse_fru_locator(buf, total, &out->u.fru, err);
        out->kind = SDR_KIND_FRU_LOCATOR;
        break;
    case SDR_TYPE_MC_LOCATOR:
        out->u.mc.record_id = out->hdr.record_id;
        rc = parse_mc_locator(buf, total, &out->u.mc, err);
        out->kind = SDR_KIND_MC_LOCATOR;
        break;
    default:
        out->kind = SDR_KIND_SKIP;
        break;
    }
    if (rc < 0)
        return -1;
    *err = CODEC_OK;
    return (ssize_t)total;
}
