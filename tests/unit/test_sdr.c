/*
 * test_sdr.c - the SDR record parser (IPMI 2.0 section 43): every record
 * type, the three ID string encodings, shared sensors, and every truncation
 * and length mismatch of every record.  Records are parsed from heap copies
 * of exactly the given size, so a sanitizer build catches any over-read.
 */
#include <stdlib.h>
#include <string.h>

#include "sdr.h"
#include "unit.h"

/* Parse a heap copy of exactly `len` bytes of `rec`. */
static ssize_t parse_copy(const uint8_t *rec, size_t len, struct sdr_record *out,
                          enum codec_err *err)
{
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    if (len)
        memcpy(copy, rec, len);
    ssize_t n = sdr_parse(copy, len, out, err);
    free(copy);
    return n;
}

/* Full sensor record (Table 43-1): the 12 V rail of tests/ipmisim/sensors.sdrs. */
static const uint8_t full_12v[] = {
    0x05, 0x00,       /* 1-2   record ID 0005h */
    0x51,             /* 3     SDR version 51h */
    0x01,             /* 4     type: full */
    0x2e,             /* 5     length: 43 + 3 ID bytes = 46 */
    0x20,             /* 6     owner: IPMB slave address 20h (BMC) */
    0x00,             /* 7     channel 0, LUN 0 */
    0x05,             /* 8     sensor number 5 */
    0x07,             /* 9     entity: system board */
    0x01,             /* 10    entity instance 1, physical */
    0x67,             /* 11    initialization */
    0x44,             /* 12    capabilities: auto re-arm, thresholds readable */
    0x02,             /* 13    sensor type: voltage */
    0x01,             /* 14    event/reading type: threshold */
    0x95, 0x7a,       /* 15-16 assertion mask / lower comparisons returned */
    0x95, 0x7a,       /* 17-18 deassertion mask / upper comparisons returned */
    0x3f, 0x12,       /* 19-20 readable 3Fh, settable 12h (lc, uc) */
    0x00,             /* 21    unsigned, no rate, no modifier, not % */
    0x04,             /* 22    base unit: Volts */
    0x00,             /* 23    modifier unit */
    0x00,             /* 24    linear */
    0x06, 0x00,       /* 25-26 M = 6, tolerance 0 */
    0x00, 0x01,       /* 27-28 B = 0, accuracy 1 */
    0x01,             /* 29    accuracy exp 0, direction input */
    0xe0,             /* 30    Rexp = -2, Bexp = 0 */
    0x01,             /* 31    nominal reading given */
    0xc8, 0x00, 0x00, /* 32-34 nominal 200, normal max, normal min */
    0xff, 0x00,       /* 35-36 sensor max 255, min 0 */
    0xe6, 0xdc, 0xd2, /* 37-39 UNR 230, UC 220, UNC 210 */
    0xaa, 0xb4, 0xbe, /* 40-42 LNR 170, LC 180, LNC 190 */
    0x02, 0x03,       /* 43-44 hysteresis +2, -3 */
    0x00, 0x00,       /* 45-46 reserved */
    0x5a,             /* 47    OEM */
    0xc3,             /* 48    ID: 8-bit ASCII, 3 bytes */
    '1',  '2',  'V',  /* 49-51 */
};

/* Event-only record (Table 43-3): the watchdog of the test BMC. */
static const uint8_t evt_wd[] = {
    0x0a, 0x00, 0x51, 0x03, 0x14, /* ID 000Ah, event-only, 12 + 8 */
    0x20,                         /* 6  owner 20h */
    0x31,                         /* 7  channel 3, FRU owner LUN 0, sensor LUN 1 */
    0x00,                         /* 8  sensor number 0 */
    0x06, 0x01,                   /* 9-10 system management module 1 */
    0x23,                         /* 11 watchdog 2 */
    0x6f,                         /* 12 sensor-specific */
    0x00,                         /* 13 not shared */
    0x00,                         /* 14 */
    0x00,                         /* 15 reserved */
    0x00,                         /* 16 OEM */
    0xc8,                         /* 17 8-bit, 8 bytes */
    'W',  'a',  't',  'c',  'h',  'd', 'o', 'g',
};

/* FRU device locator (Table 43-7): logical FRU 1 behind the BMC. */
static const uint8_t fru_loc[] = {
    0x0b, 0x00, 0x51, 0x11, 0x13, /* ID 000Bh, FRU locator, 11 + 8 */
    0x20,                         /* 6  access address 20h */
    0x01,                         /* 7  FRU device ID 1 */
    0x80,                         /* 8  logical, LUN 0, bus 0 */
    0x00,                         /* 9  channel 0 */
    0x00,                         /* 10 reserved */
    0x10,                         /* 11 device type 10h */
    0x00,                         /* 12 modifier */
    0x0a, 0x01,                   /* 13-14 power supply 1 */
    0x00,                         /* 15 OEM */
    0xc8,                         /* 16 8-bit, 8 bytes */
    'P',  'S',  'U',  '1',  ' ',  'F', 'R', 'U',
};

/* Management controller device locator (Table 43-8). */
static const uint8_t mc_loc[] = {
    0x01, 0x00, 0x51, 0x12, 0x11, /* ID 0001h, MC locator, 11 + 6 */
    0x20,                         /* 6  slave address 20h */
    0xf7,                         /* 7  [7:4] reserved (set to check masking), channel 7 */
    0x00,                         /* 8  power state notification, global init */
    0xbf,                         /* 9  capabilities: all but bridge */
    0x00, 0x00, 0x00,             /* 10-12 reserved */
    0x06, 0x01,                   /* 13-14 system management module 1 */
    0x00,                         /* 15 OEM */
    0xc6,                         /* 16 8-bit, 6 bytes */
    'S',  'i',  'm',  'B',  'M',  'C',
};

/* Entity association (Table 43-4): skipped. */
static const uint8_t ent_assoc[] = {
    0x0c, 0x00, 0x51, 0x08, 0x0b, 0x17, 0x01, 0x00, 0x0a, 0x01, 0x0a, 0x02, 0x00, 0x00, 0x00, 0x00,
};

/* OEM record (Table 43-11): manufacturer ID then anything; skipped. */
static const uint8_t oem_rec[] = {0x0d, 0x00, 0x51, 0xc0, 0x06, 0x57, 0x01, 0x00, 0xde, 0xad, 0x00};

/* Compact sensor record (Table 43-2) with an 8-bit ID; returns its size. */
static size_t mk_compact(uint8_t *r, uint8_t number, uint8_t share, uint8_t mod_type,
                         uint8_t mod_offset, int incr, const char *id)
{
    size_t n = strlen(id);
    memset(r, 0, 32 + n);
    r[0] = 0x07; /* record ID 0007h */
    r[2] = 0x51;
    r[3] = 0x02;              /* compact */
    r[4] = (uint8_t)(27 + n); /* bytes 6..32 + ID */
    r[5] = 0x20;
    r[7] = number;
    r[8] = 0x03; /* entity: processor */
    r[9] = 0x01; /* instance 1 */
    r[10] = 0x63;
    r[11] = 0x40;
    r[12] = 0x07;                             /* sensor type: processor */
    r[13] = 0x6f;                             /* sensor-specific */
    r[14] = 0x83;                             /* assertions: IERR, thermal trip, presence */
    r[18] = 0x83;                             /* discrete reading mask */
    r[23] = (uint8_t)(mod_type << 4 | share); /* 24: direction 0, modifier type, share count */
    r[24] = (uint8_t)((incr ? 0x80 : 0) | mod_offset); /* 25 */
    r[25] = 0x01;                                      /* 26 positive hysteresis */
    r[26] = 0x02;                                      /* 27 negative hysteresis */
    r[30] = 0x77;                                      /* 31 OEM */
    r[31] = (uint8_t)(0xc0 | n);                       /* 32 8-bit ID */
    memcpy(r + 32, id, n);
    return 32 + n;
}

static void test_header(void)
{
    struct sdr_header h;
    enum codec_err err;
    CU_ASSERT_EQUAL(sdr_header_parse(full_12v, sizeof(full_12v), &h, &err), 5);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(h.record_id, 0x0005);
    CU_ASSERT_EQUAL(h.version, 0x51);
    CU_ASSERT_EQUAL(h.type, SDR_TYPE_FULL);
    CU_ASSERT_EQUAL(h.length, 46);
    for (size_t n = 0; n < 5; n++) {
        CU_ASSERT_EQUAL(sdr_header_parse(full_12v, n, &h, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    }
    const uint8_t id[] = {0x34, 0x12, 0x51, 0x02, 0x00};
    CU_ASSERT_EQUAL(sdr_header_parse(id, 5, &h, NULL), 5);
    CU_ASSERT_EQUAL(h.record_id, 0x1234); /* little endian */
    CU_ASSERT_STRING_EQUAL(sdr_type_name(0x01), "full");
    CU_ASSERT_STRING_EQUAL(sdr_type_name(0x12), "MC device locator");
    CU_ASSERT_STRING_EQUAL(sdr_type_name(0xc0), "oem");
    CU_ASSERT_STRING_EQUAL(sdr_type_name(0x55), "unknown");
    CU_ASSERT_STRING_EQUAL(sdr_kind_name(SDR_KIND_FRU_LOCATOR), "FRU locator");
    CU_ASSERT_STRING_EQUAL(sdr_kind_name(9), "unknown");
    CU_ASSERT_STRING_EQUAL(sdr_analog_fmt_name(SDR_FMT_ONES), "1's complement");
    CU_ASSERT_STRING_EQUAL(sdr_id_type_name(SDR_ID_6BIT), "6-bit ASCII");
}

static void test_full(void)
{
    struct sdr_record rec;
    enum codec_err err = CODEC_E_FIELD;
    CU_ASSERT_EQUAL(parse_copy(full_12v, sizeof(full_12v), &rec, &err), (ssize_t)sizeof(full_12v));
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SENSOR);
    const struct sdr_sensor *s = &rec.u.sensor;
    CU_ASSERT_EQUAL(s->record_id, 5);
    CU_ASSERT_EQUAL(s->record_type, SDR_TYPE_FULL);
    CU_ASSERT_EQUAL(s->owner_addr, 0x20);
    CU_ASSERT_EQUAL(s->owner_lun, 0);
    CU_ASSERT_EQUAL(s->channel, 0);
    CU_ASSERT_EQUAL(s->number, 5);
    CU_ASSERT_EQUAL(s->entity_id, 0x07);
    CU_ASSERT_EQUAL(s->entity_instance, 1);
    CU_ASSERT_EQUAL(s->flags, 0);
    CU_ASSERT_EQUAL(s->init, 0x67);
    CU_ASSERT_EQUAL(s->caps, 0x44);
    CU_ASSERT_EQUAL(s->sensor_type, 0x02);
    CU_ASSERT_EQUAL(s->event_type, 0x01);
    CU_ASSERT_TRUE(sdr_is_threshold(s));
    CU_ASSERT_EQUAL(s->assert_mask, 0x7a95);
    CU_ASSERT_EQUAL(s->deassert_mask, 0x7a95);
    CU_ASSERT_EQUAL(s->reading_mask, 0x123f);
    CU_ASSERT_EQUAL(s->unit_base, 4);
    CU_ASSERT_EQUAL(s->unit_mod, 0);
    CU_ASSERT_EQUAL(s->rate, 0);
    CU_ASSERT_EQUAL(s->mod_rel, 0);
    CU_ASSERT_EQUAL(s->conv.fmt, SDR_FMT_UNSIGNED);
    CU_ASSERT_EQUAL(s->conv.linearization, SDR_LIN_LINEAR);
    CU_ASSERT_EQUAL(s->conv.m, 6);
    CU_ASSERT_EQUAL(s->conv.b, 0);
    CU_ASSERT_EQUAL(s->conv.rexp, -2);
    CU_ASSERT_EQUAL(s->conv.bexp, 0);
    CU_ASSERT_EQUAL(s->conv.accuracy, 1);
    CU_ASSERT_DOUBLE_EQUAL(s->conv.rscale, 0.01, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(s->conv.boff, 0.0, 0);
    CU_ASSERT_EQUAL(s->direction, 1);
    CU_ASSERT_EQUAL(s->analog_flags, 0x01);
    CU_ASSERT_EQUAL(s->nominal, 200);
    CU_ASSERT_EQUAL(s->sensor_max, 255);
    CU_ASSERT_EQUAL(s->sensor_min, 0);
    /* thresholds come out in mask order although the record stores them reversed */
    CU_ASSERT_EQUAL(s->thr.raw[SDR_THR_LNC], 190);
    CU_ASSERT_EQUAL(s->thr.raw[SDR_THR_LC], 180);
    CU_ASSERT_EQUAL(s->thr.raw[SDR_THR_LNR], 170);
    CU_ASSERT_EQUAL(s->thr.raw[SDR_THR_UNC], 210);
    CU_ASSERT_EQUAL(s->thr.raw[SDR_THR_UC], 220);
    CU_ASSERT_EQUAL(s->thr.raw[SDR_THR_UNR], 230);
    CU_ASSERT_EQUAL(s->thr.readable, 0x3f);
    CU_ASSERT_EQUAL(s->thr.settable, 0x12);
    CU_ASSERT_EQUAL(s->hyst_pos, 2);
    CU_ASSERT_EQUAL(s->hyst_neg, 3);
    CU_ASSERT_EQUAL(s->oem, 0x5a);
    CU_ASSERT_EQUAL(s->share_count, 1);
    CU_ASSERT_EQUAL(s->id_type, SDR_ID_8BIT);
    CU_ASSERT_EQUAL(s->id_len, 3);
    CU_ASSERT_STRING_EQUAL(s->id, "12V");
    CU_ASSERT_STRING_EQUAL(s->name, "12V");
    CU_ASSERT_EQUAL(s->value_kind, SDR_VALUE_ANALOG);
    CU_ASSERT_EQUAL(sdr_sensor_access(s), SDR_ACCESS_DIRECT);
}

/* 10-bit M and B, 4-bit exponents: two's complement at both ends. */
static void test_full_factors(void)
{
    uint8_t r[sizeof(full_12v)];
    struct sdr_record rec;
    enum codec_err err;
    memcpy(r, full_12v, sizeof(r));
    r[24] = 0xfd; /* 25: M LS = FDh */
    r[25] = 0xc5; /* 26: M MS = 11b -> M = 3FDh = -3; tolerance 5 */
    r[26] = 0x00; /* 27: B LS = 00h */
    r[27] = 0xaa; /* 28: B MS = 10b -> B = 200h = -512; accuracy LS = 2Ah */
    r[28] = 0x3a; /* 29: accuracy MS = 3 -> 3 << 6 | 2Ah = 234; exp 2; direction 2 */
    r[29] = 0xf7; /* 30: Rexp = Fh = -1, Bexp = 7 */
    CU_ASSERT_TRUE(parse_copy(r, sizeof(r), &rec, &err) > 0);
    const struct sdr_factors *f = &rec.u.sensor.conv;
    CU_ASSERT_EQUAL(f->m, -3);
    CU_ASSERT_EQUAL(f->tolerance, 5);
    CU_ASSERT_EQUAL(f->b, -512);
    CU_ASSERT_EQUAL(f->accuracy, 234);
    CU_ASSERT_EQUAL(f->accuracy_exp, 2);
    CU_ASSERT_EQUAL(rec.u.sensor.direction, 2);
    CU_ASSERT_EQUAL(f->rexp, -1);
    CU_ASSERT_EQUAL(f->bexp, 7);
    CU_ASSERT_DOUBLE_EQUAL(f->boff, -5.12e9, 1e-3); /* -512 * 10^7 */
    CU_ASSERT_DOUBLE_EQUAL(f->rscale, 0.1, 1e-15);

    r[24] = 0xff; /* M = 1FFh = +511 */
    r[25] = 0x40;
    r[26] = 0xff; /* B = 1FFh = +511 */
    r[27] = 0x40;
    r[29] = 0x78; /* Rexp = 7, Bexp = 8h = -8 */
    CU_ASSERT_TRUE(parse_copy(r, sizeof(r), &rec, &err) > 0);
    CU_ASSERT_EQUAL(f->m, 511);
    CU_ASSERT_EQUAL(f->b, 511);
    CU_ASSERT_EQUAL(f->rexp, 7);
    CU_ASSERT_EQUAL(f->bexp, -8);
    CU_ASSERT_DOUBLE_EQUAL(f->boff, 511e-8, 1e-20);
    CU_ASSERT_DOUBLE_EQUAL(f->rscale, 1e7, 1e-6);
}

/* What a reading can become: analog, non-linear, reserved code, no analog format, discrete. */
static void test_value_kind(void)
{
    uint8_t r[sizeof(full_12v)];
    struct sdr_record rec;
    struct {
        unsigned at; /* 0-based index */
        uint8_t val;
        enum sdr_value_kind want;
    } cases[] = {
        {23, 0x80, SDR_VALUE_ANALOG},        /* [7] of linearization is reserved */
        {23, 0x0b, SDR_VALUE_ANALOG},        /* cube root */
        {23, 0x70, SDR_VALUE_NEEDS_FACTORS}, /* non-linear */
        {23, 0x7f, SDR_VALUE_NEEDS_FACTORS}, {23, 0x0c, SDR_VALUE_INVALID}, /* reserved */
        {23, 0x6f, SDR_VALUE_INVALID},       {20, 0xc0, SDR_VALUE_NONE},    /* no analog reading */
        {20, 0x40, SDR_VALUE_ANALOG},                                       /* 1's complement */
        {13, 0x6f, SDR_VALUE_NONE}, /* a discrete full record */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(r, full_12v, sizeof(r));
        r[cases[i].at] = cases[i].val;
        CU_ASSERT_TRUE_FATAL(parse_copy(r, sizeof(r), &rec, NULL) > 0);
        CU_ASSERT_EQUAL(rec.u.sensor.value_kind, cases[i].want);
    }
    /* a discrete full record has a reading mask, not threshold masks */
    CU_ASSERT_EQUAL(rec.u.sensor.thr.readable, 0);
    CU_ASSERT_STRING_EQUAL(sdr_value_kind_name(SDR_VALUE_NEEDS_FACTORS), "needs reading factors");
    CU_ASSERT_STRING_EQUAL(sdr_linearization_name(0x0b), "cube root");
    CU_ASSERT_STRING_EQUAL(sdr_linearization_name(0x75), "non-linear");
    CU_ASSERT_STRING_EQUAL(sdr_linearization_name(0x20), "reserved");
}

/* Owner, LUN and channel: who answers Get Sensor Reading. */
static void test_access(void)
{
    uint8_t r[sizeof(full_12v)];
    struct sdr_record rec;
    struct {
        uint8_t owner, lun_chan;
        enum sdr_access want;
        uint8_t addr, lun, chan;
    } cases[] = {
        {0x20, 0x00, SDR_ACCESS_DIRECT, 0x20, 0, 0},
        {0x20, 0x01, SDR_ACCESS_DIRECT, 0x20, 1, 0}, /* a BMC LUN is fine */
        {0x20, 0x03, SDR_ACCESS_DIRECT, 0x20, 3, 0},
        {0x2c, 0x00, SDR_ACCESS_BRIDGED, 0x2c, 0, 0},  /* satellite controller */
        {0x20, 0x71, SDR_ACCESS_BRIDGED, 0x20, 1, 7},  /* channel 7 */
        {0x41, 0x00, SDR_ACCESS_SOFTWARE, 0x40, 0, 0}, /* [0] = 1: software ID 40h */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(r, full_12v, sizeof(r));
        r[5] = cases[i].owner;
        r[6] = cases[i].lun_chan;
        CU_ASSERT_TRUE_FATAL(parse_copy(r, sizeof(r), &rec, NULL) > 0);
        CU_ASSERT_EQUAL(sdr_sensor_access(&rec.u.sensor), cases[i].want);
        CU_ASSERT_EQUAL(rec.u.sensor.owner_addr, cases[i].addr);
        CU_ASSERT_EQUAL(rec.u.sensor.owner_lun, cases[i].lun);
        CU_ASSERT_EQUAL(rec.u.sensor.channel, cases[i].chan);
    }
    CU_ASSERT_STRING_EQUAL(sdr_access_name(SDR_ACCESS_BRIDGED), "bridged");
}

static void test_compact_numeric(void)
{
    uint8_t r[64];
    struct sdr_record rec;
    enum codec_err err;
    size_t n = mk_compact(r, 0x30, 3, SDR_MOD_NUMERIC, 5, 1, "Temp");
    CU_ASSERT_EQUAL(parse_copy(r, n, &rec, &err), (ssize_t)n);
    CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SENSOR);
    const struct sdr_sensor *s = &rec.u.sensor;
    CU_ASSERT_EQUAL(s->record_type, SDR_TYPE_COMPACT);
    CU_ASSERT_EQUAL(s->share_count, 3);
    CU_ASSERT_EQUAL(s->mod_type, SDR_MOD_NUMERIC);
    CU_ASSERT_EQUAL(s->mod_offset, 5);
    CU_ASSERT_TRUE(s->flags & SDR_SF_INSTANCE_INCR);
    CU_ASSERT_EQUAL(s->hyst_pos, 1);
    CU_ASSERT_EQUAL(s->hyst_neg, 2);
    CU_ASSERT_EQUAL(s->oem, 0x77);
    CU_ASSERT_EQUAL(s->event_type, 0x6f);
    CU_ASSERT_EQUAL(s->reading_mask, 0x0083);
    CU_ASSERT_EQUAL(s->value_kind, SDR_VALUE_NONE); /* compact: no factors */
    CU_ASSERT_STRING_EQUAL(s->id, "Temp");
    /* instance 0 is what sdr_parse returns; the spec's own example */
    CU_ASSERT_STRING_EQUAL(s->name, "Temp 5");
    static const char *const want[] = {"Temp 5", "Temp 6", "Temp 7"};
    for (unsigned i = 0; i < 3; i++) {
        struct sdr_sensor inst;
        CU_ASSERT_EQUAL(sdr_compact_instance(s, i, &inst, &err), 0);
        CU_ASSERT_EQUAL(inst.number, 0x30 + i);
        CU_ASSERT_EQUAL(inst.entity_instance, 1 + i);
        CU_ASSERT_EQUAL(inst.instance, i);
        CU_ASSERT_STRING_EQUAL(inst.name, want[i]);
        CU_ASSERT_STRING_EQUAL(inst.id, "Temp");
        /* any instance can be the base */
        struct sdr_sensor again;
        CU_ASSERT_EQUAL(sdr_compact_instance(&inst, 2 - i, &again, NULL), 0);
        CU_ASSERT_STRING_EQUAL(again.name, want[2 - i]);
        CU_ASSERT_EQUAL(again.number, 0x30 + 2 - i);
        CU_ASSERT_EQUAL(again.entity_instance, 3 - i);
    }
    struct sdr_sensor bad;
    CU_ASSERT_EQUAL(sdr_compact_instance(s, 3, &bad, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_FIELD);

    /* entity instance the same for all: only the number and the name move */
    n = mk_compact(r, 0x30, 2, SDR_MOD_NUMERIC, 120, 0, "DIMM");
    CU_ASSERT_TRUE_FATAL(parse_copy(r, n, &rec, NULL) > 0);
    struct sdr_sensor inst;
    CU_ASSERT_EQUAL(sdr_compact_instance(&rec.u.sensor, 1, &inst, NULL), 0);
    CU_ASSERT_EQUAL(inst.entity_instance, 1);
    CU_ASSERT_STRING_EQUAL(inst.name, "DIMM 121");

    /* share count 0 or 1: one sensor, no modifier */
    for (uint8_t sc = 0; sc <= 1; sc++) {
        n = mk_compact(r, 0x30, sc, SDR_MOD_NUMERIC, 5, 0, "Temp");
        CU_ASSERT_TRUE_FATAL(parse_copy(r, n, &rec, NULL) > 0);
        CU_ASSERT_EQUAL(rec.u.sensor.share_count, 1);
        CU_ASSERT_STRING_EQUAL(rec.u.sensor.name, "Temp");
        CU_ASSERT_EQUAL(sdr_compact_instance(&rec.u.sensor, 1, &inst, NULL), -1);
    }

    /* sensor numbers may not run past FFh */
    n = mk_compact(r, 0xfe, 3, SDR_MOD_NUMERIC, 0, 0, "X");
    CU_ASSERT_TRUE_FATAL(parse_copy(r, n, &rec, NULL) > 0);
    CU_ASSERT_EQUAL(sdr_compact_instance(&rec.u.sensor, 1, &inst, NULL), 0);
    CU_ASSERT_EQUAL(inst.number, 0xff);
    CU_ASSERT_EQUAL(sdr_compact_instance(&rec.u.sensor, 2, &inst, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_FIELD);
}

static void test_compact_alpha(void)
{
    uint8_t r[64];
    struct sdr_record rec;
    struct sdr_sensor inst;
    struct {
        uint8_t offset, share;
        unsigned i;
        const char *want;
    } cases[] = {
        {0, 2, 0, "CPU A"},                            /* offset 0 = A */
        {0, 2, 1, "CPU B"},      {25, 2, 0, "CPU Z"},  /* 25 = Z */
        {25, 2, 1, "CPU AA"},                          /* 26 = AA (the spec's example) */
        {26, 3, 2, "CPU AC"},    {51, 2, 1, "CPU BA"}, /* 52 = 2 * 26 */
        {127, 15, 14, "CPU EL"},                       /* the largest: 141 = 5 * 26 + 11 */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        size_t n = mk_compact(r, 0x40, cases[k].share, SDR_MOD_ALPHA, cases[k].offset, 0, "CPU");
        CU_ASSERT_TRUE_FATAL(parse_copy(r, n, &rec, NULL) > 0);
        CU_ASSERT_EQUAL(sdr_compact_instance(&rec.u.sensor, cases[k].i, &inst, NULL), 0);
        CU_ASSERT_STRING_EQUAL(inst.name, cases[k].want);
    }
    /* numeric at the largest: 127 + 14 */
    size_t n = mk_compact(r, 0x40, 15, SDR_MOD_NUMERIC, 127, 0, "Sixteen chars id");
    CU_ASSERT_TRUE_FATAL(parse_copy(r, n, &rec, NULL) > 0);
    CU_ASSERT_EQUAL(sdr_compact_instance(&rec.u.sensor, 14, &inst, NULL), 0);
    CU_ASSERT_STRING_EQUAL(inst.name, "Sixteen chars id 141");
}

static void test_event_only(void)
{
    struct sdr_record rec;
    enum codec_err err;
    CU_ASSERT_EQUAL(parse_copy(evt_wd, sizeof(evt_wd), &rec, &err), (ssize_t)sizeof(evt_wd));
    CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SENSOR);
    const struct sdr_sensor *s = &rec.u.sensor;
    CU_ASSERT_EQUAL(s->record_type, SDR_TYPE_EVENT_ONLY);
    CU_ASSERT_EQUAL(s->record_id, 0x0a);
    CU_ASSERT_EQUAL(s->owner_addr, 0x20);
    CU_ASSERT_EQUAL(s->owner_lun, 1);
    CU_ASSERT_EQUAL(s->channel, 3);
    CU_ASSERT_EQUAL(s->number, 0);
    CU_ASSERT_EQUAL(s->entity_id, 0x06);
    CU_ASSERT_EQUAL(s->sensor_type, 0x23);
    CU_ASSERT_EQUAL(s->event_type, 0x6f);
    CU_ASSERT_EQUAL(s->share_count, 1);
    CU_ASSERT_STRING_EQUAL(s->name, "Watchdog");
    CU_ASSERT_EQUAL(s->value_kind, SDR_VALUE_EVENT_ONLY);
    CU_ASSERT_EQUAL(sdr_sensor_access(s), SDR_ACCESS_NONE);

    /* shared event-only record: alpha modifiers, entity instance increments */
    uint8_t r[sizeof(evt_wd)];
    memcpy(r, evt_wd, sizeof(r));
    r[12] = 0x92; /* 13: direction 10b, alpha, share count 2 */
    r[13] = 0x83; /* 14: increments, offset 3 = "D" */
    CU_ASSERT_TRUE_FATAL(parse_copy(r, sizeof(r), &rec, NULL) > 0);
    CU_ASSERT_EQUAL(rec.u.sensor.direction, 2);
    struct sdr_sensor inst;
    CU_ASSERT_EQUAL(sdr_compact_instance(&rec.u.sensor, 1, &inst, NULL), 0);
    CU_ASSERT_STRING_EQUAL(inst.name, "Watchdog E");
    CU_ASSERT_EQUAL(inst.number, 1);
    CU_ASSERT_EQUAL(inst.entity_instance, 2);
}

static void test_fru_locator(void)
{
    struct sdr_record rec;
    enum codec_err err;
    CU_ASSERT_EQUAL(parse_copy(fru_loc, sizeof(fru_loc), &rec, &err), (ssize_t)sizeof(fru_loc));
    CU_ASSERT_EQUAL(rec.kind, SDR_KIND_FRU_LOCATOR);
    const struct sdr_fru_locator *f = &rec.u.fru;
    CU_ASSERT_EQUAL(f->record_id, 0x0b);
    CU_ASSERT_EQUAL(f->access_addr, 0x20);
    CU_ASSERT_EQUAL(f->fru_id, 1);
    CU_ASSERT_TRUE(f->logical);
    CU_ASSERT_EQUAL(f->lun, 0);
    CU_ASSERT_EQUAL(f->bus, 0);
    CU_ASSERT_EQUAL(f->channel, 0);
    CU_ASSERT_EQUAL(f->device_type, 0x10);
    CU_ASSERT_EQUAL(f->entity_id, 0x0a);
    CU_ASSERT_EQUAL(f->entity_instance, 1);
    CU_ASSERT_STRING_EQUAL(f->name, "PSU1 FRU");

    /* a non-intelligent FRU device: slave address, LUN, private bus, channel */
    uint8_t r[sizeof(fru_loc)];
    memcpy(r, fru_loc, sizeof(r));
    r[5] = 0x2d; /* 6: [0] reserved: 2Ch */
    r[6] = 0xa3; /* 7: [7:1] A2h, [0] reserved */
    r[7] = 0x1b; /* 8: physical, LUN 3, bus 3 */
    r[8] = 0x2f; /* 9: channel 2, [3:0] reserved */
    CU_ASSERT_TRUE_FATAL(parse_copy(r, sizeof(r), &rec, NULL) > 0);
    CU_ASSERT_EQUAL(f->access_addr, 0x2c);
    CU_ASSERT_FALSE(f->logical);
    CU_ASSERT_EQUAL(f->fru_id, 0xa2);
    CU_ASSERT_EQUAL(f->lun, 3);
    CU_ASSERT_EQUAL(f->bus, 3);
    CU_ASSERT_EQUAL(f->channel, 2);
}

static void test_mc_locator(void)
{
    struct sdr_record rec;
    enum codec_err err;
    CU_ASSERT_EQUAL(parse_copy(mc_loc, sizeof(mc_loc), &rec, &err), (ssize_t)sizeof(mc_loc));
    CU_ASSERT_EQUAL(rec.kind, SDR_KIND_MC_LOCATOR);
    const struct sdr_mc_locator *m = &rec.u.mc;
    CU_ASSERT_EQUAL(m->record_id, 1);
    CU_ASSERT_EQUAL(m->slave_addr, 0x20);
    CU_ASSERT_EQUAL(m->channel, 7);
    CU_ASSERT_EQUAL(m->caps, 0xbf);
    CU_ASSERT_TRUE(m->caps & SDR_MC_CAP_CHASSIS);
    CU_ASSERT_FALSE(m->caps & SDR_MC_CAP_BRIDGE);
    CU_ASSERT_EQUAL(m->entity_id, 0x06);
    CU_ASSERT_EQUAL(m->entity_instance, 1);
    CU_ASSERT_STRING_EQUAL(m->name, "SimBMC");
}

/* Types we do not decode parse as "skip" with their full length consumed. */
static void test_skipped(void)
{
    struct sdr_record rec;
    enum codec_err err = CODEC_E_FIELD;
    CU_ASSERT_EQUAL(parse_copy(ent_assoc, sizeof(ent_assoc), &rec, &err), 16);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SKIP);
    CU_ASSERT_EQUAL(rec.hdr.type, SDR_TYPE_ENTITY_ASSOC);
    CU_ASSERT_EQUAL(parse_copy(oem_rec, sizeof(oem_rec), &rec, &err), 11);
    CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SKIP);
    CU_ASSERT_EQUAL(rec.hdr.type, SDR_TYPE_OEM);

    static const uint8_t types[] = {0x08, 0x09, 0x10, 0x13, 0x14, 0xc0, 0x00, 0x04, 0x55, 0xff};
    uint8_t r[5 + 12];
    for (size_t i = 0; i < sizeof(types); i++) {
        memset(r, 0xee, sizeof(r));
        r[0] = (uint8_t)i;
        r[1] = 0;
        r[2] = 0x51;
        r[3] = types[i];
        r[4] = 12;
        CU_ASSERT_EQUAL(parse_copy(r, sizeof(r), &rec, &err), 17);
        CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SKIP);
        /* an empty body is fine for a skipped type */
        r[4] = 0;
        CU_ASSERT_EQUAL(parse_copy(r, 5, &rec, &err), 5);
        CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SKIP);
    }
}

/*
 * ID string encodings (section 43.15), through a full record and directly.
 * The length counts characters; the packed vectors are what OpenIPMI's
 * sdrcomp writes for the same strings.
 */
static void test_id_strings(void)
{
    uint8_t r[5 + 43 + 31];
    struct sdr_record rec;
    enum codec_err err;
    struct {
        uint8_t tl;
        uint8_t bytes[20];
        const char *want;
    } cases[] = {
        /* 8-bit */
        {0xc3, {'1', '2', 'V'}, "12V"},
        {0xc4, {'A', 'B', 0x00, 'C'}, "AB"}, /* stops at a NUL, like both tools */
        {0xc2, {0xe9, 't'}, "\xe9t"},        /* Latin-1 kept as is */
        {0x03, {'x', 'y', 'z'}, "xyz"},      /* "Unicode": bytes as is */
        {0xc0, {0}, ""},                     /* empty */
        /* 6-bit packed: 20h + value, 4 characters in 3 bytes, low bits first.
         * "ABCD" = 21h 22h 23h 24h:
         *   byte 0 = 21h | (22h & 3) << 6 = A1h
         *   byte 1 = 22h >> 2 | (23h & Fh) << 4 = 38h
         *   byte 2 = 23h >> 4 | 24h << 2 = 92h */
        {0x84, {0xa1, 0x38, 0x92}, "ABCD"},
        /* 5 characters take 4 bytes: "E" = 25h in the low bits of byte 3 */
        {0x85, {0xa1, 0x38, 0x92, 0x25}, "ABCDE"},
        /* "12V" = 11h 12h 36h: 11h | 2 << 6 = 91h, 12h >> 2 | 6 << 4 = 64h, 36h >> 4 = 03h */
        {0x83, {0x91, 0x64, 0x03}, "12V"},
        /* "FAN1" (the fixture's fan, as sdrcomp packs it) */
        {0x84, {0x66, 0xe8, 0x46}, "FAN1"},
        /* 2 characters take 2 bytes: "HI" = 28h 29h: 28h | 1 << 6 = 68h, 29h >> 2 = 0Ah */
        {0x82, {0x68, 0x0a}, "HI"},
        /* BCD plus, first character in the low nibble: 0-9, A space, B dash, C period */
        {0x46, {0x21, 0x5c, 0x3b}, "12.5-3"},
        {0x43, {0x21, 0x03}, "123"},  /* odd count: last high nibble unused */
        {0x44, {0x9a, 0x0d}, " 9?0"}, /* Dh is reserved */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = sdr_id_bytes(cases[i].tl);
        memcpy(r, full_12v, 48);
        r[4] = (uint8_t)(43 + n);
        r[47] = cases[i].tl;
        memcpy(r + 48, cases[i].bytes, n);
        CU_ASSERT_EQUAL(parse_copy(r, 48 + n, &rec, &err), (ssize_t)(48 + n));
        CU_ASSERT_STRING_EQUAL(rec.u.sensor.id, cases[i].want);
        CU_ASSERT_EQUAL(rec.u.sensor.id_type, cases[i].tl >> 6);
        CU_ASSERT_EQUAL(rec.u.sensor.id_len, strlen(cases[i].want));
        char out[SDR_ID_CAP];
        CU_ASSERT_EQUAL(sdr_id_decode(cases[i].tl, cases[i].bytes, out, sizeof(out)),
                        strlen(cases[i].want));
        CU_ASSERT_STRING_EQUAL(out, cases[i].want);
        /* one byte short of what the length needs: a length mismatch */
        if (n) {
            r[4] = (uint8_t)(43 + n - 1);
            CU_ASSERT_EQUAL(parse_copy(r, 48 + n - 1, &rec, &err), -1);
            CU_ASSERT_EQUAL(err, CODEC_E_LENGTH);
        }
    }
    CU_ASSERT_EQUAL(sdr_id_bytes(0xc5), 5);
    CU_ASSERT_EQUAL(sdr_id_bytes(0x85), 4);
    CU_ASSERT_EQUAL(sdr_id_bytes(0x84), 3);
    CU_ASSERT_EQUAL(sdr_id_bytes(0x45), 3);
    CU_ASSERT_EQUAL(sdr_id_bytes(0x9e), 23); /* 30 six-bit characters */
    CU_ASSERT_EQUAL(sdr_id_bytes(0x5e), 15); /* 30 BCD digits */

    /* the longest packed strings (30 characters) fit */
    uint8_t bytes[23];
    memset(bytes, 0x21, sizeof(bytes));
    char out[SDR_ID_CAP];
    CU_ASSERT_EQUAL(sdr_id_decode(0x5e, bytes, out, sizeof(out)), 30);
    CU_ASSERT_STRING_EQUAL(out, "121212121212121212121212121212");
    CU_ASSERT_EQUAL(sdr_id_decode(0x9e, bytes, out, sizeof(out)), 30);
    /* a small destination is never overrun */
    CU_ASSERT_EQUAL(sdr_id_decode(0x5e, bytes, out, 4), 3);
    CU_ASSERT_STRING_EQUAL(out, "121");
    CU_ASSERT_EQUAL(sdr_id_decode(0xd0, bytes, out, 4), 3);
    CU_ASSERT_EQUAL(sdr_id_decode(0x9e, bytes, out, 4), 3);
    CU_ASSERT_EQUAL(sdr_id_decode(0xd0, bytes, out, 0), 0);

    /* 8-bit longer than the 16 bytes the spec allows: cut at 16, flagged */
    memcpy(r, full_12v, 48);
    r[4] = 43 + 20;
    r[47] = 0xc0 | 20;
    memcpy(r + 48, "ABCDEFGHIJKLMNOPQRST", 20);
    CU_ASSERT_EQUAL(parse_copy(r, 68, &rec, &err), 68);
    CU_ASSERT_STRING_EQUAL(rec.u.sensor.id, "ABCDEFGHIJKLMNOP");
    CU_ASSERT_TRUE(rec.u.sensor.flags & SDR_SF_ID_TRUNCATED);
    /* a long packed one is not cut */
    r[4] = 43 + 15;
    r[47] = 0x5e;
    memset(r + 48, 0x43, 15);
    CU_ASSERT_EQUAL(parse_copy(r, 63, &rec, &err), 63);
    CU_ASSERT_EQUAL(rec.u.sensor.id_len, 30);
    CU_ASSERT_FALSE(rec.u.sensor.flags & SDR_SF_ID_TRUNCATED);

    /* length 11111b is reserved */
    r[4] = 43 + 31;
    r[47] = 0xdf;
    memset(r + 48, 'x', 31);
    CU_ASSERT_EQUAL(parse_copy(r, sizeof(r), &rec, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_FIELD);

    /* ID string running past the record: a length mismatch */
    memcpy(r, full_12v, sizeof(full_12v));
    r[47] = 0xc4; /* 4 bytes, the record has 3 */
    CU_ASSERT_EQUAL(parse_copy(r, sizeof(full_12v), &rec, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_LENGTH);
    /* ... even when the buffer goes on (the record length is what counts) */
    CU_ASSERT_EQUAL(parse_copy(r, sizeof(full_12v) + 1, &rec, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_LENGTH);
}

struct rec_case {
    const char *what;
    const uint8_t *rec;
    size_t len;
    int decoded; /* 0 for skipped types */
};

/*
 * For every record: every prefix is CODEC_E_TRUNCATED, every record length
 * below the real one is CODEC_E_LENGTH (decoded types) or a shorter skip.
 */
static void check_cuts(const struct rec_case *c)
{
    struct sdr_record rec;
    enum codec_err err;
    for (size_t cut = 0; cut < c->len; cut++) {
        err = CODEC_OK;
        CU_ASSERT_EQUAL(parse_copy(c->rec, cut, &rec, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    }
    uint8_t r[SDR_RECORD_MAX];
    memcpy(r, c->rec, c->len);
    for (size_t l = 0; l < c->len - 5; l++) {
        r[4] = (uint8_t)l;
        err = CODEC_OK;
        ssize_t n = parse_copy(r, 5 + l, &rec, &err);
        if (c->decoded) {
            CU_ASSERT_EQUAL(n, -1);
            CU_ASSERT_EQUAL(err, CODEC_E_LENGTH);
        } else {
            CU_ASSERT_EQUAL(n, (ssize_t)(5 + l));
            CU_ASSERT_EQUAL(rec.kind, SDR_KIND_SKIP);
        }
        /* the header claims more than the buffer holds */
        CU_ASSERT_EQUAL(parse_copy(r, 4 + l, &rec, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    }
    /* the whole record parses, and bytes after it are left alone */
    r[4] = c->rec[4];
    r[c->len] = 0xaa;
    CU_ASSERT_EQUAL(parse_copy(r, c->len + 1, &rec, &err), (ssize_t)c->len);
}

static void test_truncations(void)
{
    uint8_t compact[64];
    size_t clen = mk_compact(compact, 0x30, 3, SDR_MOD_NUMERIC, 5, 1, "Temp");
    const struct rec_case cases[] = {
        {"full", full_12v, sizeof(full_12v), 1},
        {"compact", compact, clen, 1},
        {"event-only", evt_wd, sizeof(evt_wd), 1},
        {"fru locator", fru_loc, sizeof(fru_loc), 1},
        {"mc locator", mc_loc, sizeof(mc_loc), 1},
        {"entity association", ent_assoc, sizeof(ent_assoc), 0},
        {"oem", oem_rec, sizeof(oem_rec), 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_cuts(&cases[i]);
}

/* A repository dump: records back to back, parsed one after the other. */
static void test_dump(void)
{
    uint8_t buf[512], compact[64];
    size_t clen = mk_compact(compact, 0x30, 3, SDR_MOD_ALPHA, 0, 0, "Fan");
    const struct {
        const uint8_t *p;
        size_t n;
    } parts[] = {{mc_loc, sizeof(mc_loc)},       {fru_loc, sizeof(fru_loc)},
                 {evt_wd, sizeof(evt_wd)},       {full_12v, sizeof(full_12v)},
                 {ent_assoc, sizeof(ent_assoc)}, {compact, clen},
                 {oem_rec, sizeof(oem_rec)}};
    size_t len = 0;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        memcpy(buf + len, parts[i].p, parts[i].n);
        len += parts[i].n;
    }
    unsigned kinds[4] = {0}, sensors = 0;
    size_t off = 0;
    while (off < len) {
        struct sdr_record rec;
        enum codec_err err;
        ssize_t n = sdr_parse(buf + off, len - off, &rec, &err);
        CU_ASSERT_TRUE_FATAL(n > 0);
        kinds[rec.kind]++;
        if (rec.kind == SDR_KIND_SENSOR)
            sensors += rec.u.sensor.share_count;
        off += (size_t)n;
    }
    CU_ASSERT_EQUAL(off, len);
    CU_ASSERT_EQUAL(kinds[SDR_KIND_SENSOR], 3);
    CU_ASSERT_EQUAL(kinds[SDR_KIND_FRU_LOCATOR], 1);
    CU_ASSERT_EQUAL(kinds[SDR_KIND_MC_LOCATOR], 1);
    CU_ASSERT_EQUAL(kinds[SDR_KIND_SKIP], 2);
    CU_ASSERT_EQUAL(sensors, 5); /* 1 + 1 + 3 shared */
}

/* Random bytes never crash the parser and never yield a bogus length. */
static void test_noise(void)
{
    uint8_t buf[SDR_RECORD_MAX];
    uint32_t x = 2463534242u;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        len = x % sizeof(buf);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (uint8_t)x;
        }
        if (len > 3)
            buf[3] = (uint8_t)(round % 4 == 0 ? 0x11 + (round / 4) % 2
                                              : round % 4); /* hit decoded types */
        struct sdr_record rec;
        enum codec_err err;
        ssize_t n = parse_copy(buf, len, &rec, &err);
        if (n >= 0) {
            CU_ASSERT_EQUAL(n, 5 + buf[4]);
            CU_ASSERT_TRUE(n <= (ssize_t)len);
            if (rec.kind == SDR_KIND_SENSOR) {
                CU_ASSERT_TRUE(strlen(rec.u.sensor.name) < SDR_NAME_CAP);
                CU_ASSERT_TRUE(rec.u.sensor.share_count >= 1);
            }
        } else {
            CU_ASSERT_TRUE(err == CODEC_E_TRUNCATED || err == CODEC_E_LENGTH ||
                           err == CODEC_E_FIELD);
        }
    }
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"header", test_header},
        {"full record", test_full},
        {"full record factors: 10-bit M/B, 4-bit exponents", test_full_factors},
        {"value kind", test_value_kind},
        {"owner, LUN, channel -> access", test_access},
        {"compact: share count, numeric modifiers", test_compact_numeric},
        {"compact: alpha modifiers", test_compact_alpha},
        {"event-only", test_event_only},
        {"FRU device locator", test_fru_locator},
        {"MC device locator", test_mc_locator},
        {"skipped types", test_skipped},
        {"ID strings: 8-bit, 6-bit packed, BCD plus", test_id_strings},
        {"every truncation and length mismatch", test_truncations},
        {"repository dump", test_dump},
        {"random bytes", test_noise},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"sdr", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_sdr", suites);
}
