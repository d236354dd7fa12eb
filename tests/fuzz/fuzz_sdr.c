// fuzz-sources: src/codec/sdr.c src/codec/sensor.c src/codec/ipmi_tables.c
/*
 * fuzz_sdr.c - libFuzzer harness for the bytes-only sensor layer.
 *
 * The input is read as an SDR repository dump: record after record through
 * sdr_parse().  After each record, the bytes that follow it are also fed to
 * the Get Sensor Reading, Get Sensor Thresholds and Get Sensor Reading
 * Factors decoders as responses for that record's sensor (every instance of
 * a shared one), and the results go through conversion, status, state names
 * and units.  Finally the first byte is taken as an ID string type/length
 * byte for sdr_id_decode().  Besides the sanitizers, the harness checks the
 * invariants callers rely on and aborts when one breaks.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi_tables.h"
#include "sdr.h"
#include "sensor.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
    CHECK(memchr(s, '\0', cap) != NULL);
}

/* A decoder error must carry one of the reasons the header promises. */
static void check_err(enum codec_err err)
{
    CHECK(err == CODEC_E_TRUNCATED || err == CODEC_E_LENGTH || err == CODEC_E_FIELD);
}

static void check_conv(enum sensor_conv c, double v)
{
    CHECK((unsigned)c <= SENSOR_CONV_UNAVAILABLE);
    if (c == SENSOR_CONV_OK)
        CHECK(isfinite(v));
}

static void tables(uint8_t sensor_type, uint8_t event_type)
{
    CHECK(ipmi_sensor_type_name(sensor_type) != NULL);
    CHECK(ipmi_event_type_class(event_type) != NULL);
    for (unsigned o = 0; o < 16; o++)
        (void)ipmi_event_offset_text(event_type, sensor_type, (uint8_t)o);
}

static void reading(const struct sdr_sensor *s, const uint8_t *p, size_t n)
{
    struct sensor_reading r;
    enum codec_err err;
    double v = 0;
    ssize_t used = sensor_reading_decode(p, n, &r, &err);
    if (used < 0) {
        check_err(err);
        return;
    }
    CHECK(used >= 1 && (size_t)used <= n && r.state_bytes <= 2);
    check_conv(sensor_value(s, &r, &v), v);
    enum sensor_status st = sensor_status(s, &r);
    CHECK((unsigned)st <= SENSOR_UNAVAILABLE);
    CHECK(sensor_status_name(st) != NULL);
    if (!sensor_reading_ok(&r))
        CHECK(st == SENSOR_UNAVAILABLE);
    int worst = sensor_threshold_worst(r.thr_bits);
    CHECK(worst >= -1 && worst < SDR_THR__COUNT);

    const char *names[15];
    unsigned k = sensor_state_names(s, &r, names, 15);
    CHECK(k <= 15);
    for (unsigned i = 0; i < k; i++)
        CHECK(names[i] && *names[i]);
    char text[600], small[7];
    size_t tn = sensor_state_text(s, &r, text, sizeof(text));
    CHECK(tn < sizeof(text) && strlen(text) == tn);
    size_t sn = sensor_state_text(s, &r, small, sizeof(small));
    CHECK(sn == tn && strlen(small) == (tn < sizeof(small) ? tn : sizeof(small) - 1));
}

static void sensor(const struct sdr_sensor *base, const uint8_t *tail, size_t tlen)
{
    CHECK(base->share_count >= 1 && base->share_count <= 15);
    check_str(base->id, sizeof(base->id));
    CHECK(strlen(base->id) == base->id_len);
    CHECK((unsigned)base->value_kind <= SDR_VALUE_EVENT_ONLY);
    CHECK((unsigned)sdr_sensor_access(base) <= SDR_ACCESS_NONE);
    tables(base->sensor_type, base->event_type);
    CHECK(ipmi_entity_name(base->entity_id) != NULL);

    for (unsigned i = 0; i <= base->share_count; i++) {
        struct sdr_sensor s;
        enum codec_err err;
        if (sdr_compact_instance(base, i, &s, &err) < 0) {
            CHECK(err == CODEC_E_FIELD);
            CHECK(i == base->share_count || base->number - base->instance + i > 0xff);
            continue;
        }
        CHECK(i < base->share_count);
        CHECK(s.number == (uint8_t)(base->number - base->instance + i));
        check_str(s.name, sizeof(s.name));
        CHECK(strncmp(s.name, s.id, s.id_len) == 0);

        char units[128];
        size_t un = sensor_units_text(&s, units, sizeof(units));
        CHECK(un < sizeof(units) && strlen(units) == un);

        double v = 0;
        for (unsigned t = 0; t <= SDR_THR__COUNT; t++)
            check_conv(sensor_threshold_value(&s, &s.thr, t, &v), v);
        check_conv(sensor_hysteresis_value(&s, s.hyst_pos, &v), v);
        static const uint8_t raws[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
        for (size_t j = 0; j < sizeof(raws); j++)
            check_conv(sensor_convert(&s.conv, raws[j], &v), v);

        reading(&s, tail, tlen);

        struct sensor_thresholds_rsp tr;
        if (sensor_thresholds_decode(tail, tlen, &tr, &err) >= 0) {
            for (unsigned t = 0; t < SDR_THR__COUNT; t++)
                check_conv(sensor_threshold_value(&s, &tr.thr, t, &v), v);
        } else {
            check_err(err);
        }
        struct sensor_factors_rsp fr;
        if (sensor_factors_decode(tail, tlen, s.conv.fmt, &fr, &err) >= 0) {
            if (fr.cc == 0) {
                CHECK(fr.f.linearization == SDR_LIN_LINEAR);
                for (size_t j = 0; j < sizeof(raws); j++)
                    check_conv(sensor_convert(&fr.f, raws[j], &v), v);
            }
        } else {
            check_err(err);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        struct sdr_record rec;
        enum codec_err err;
        ssize_t n = sdr_parse(data + off, size - off, &rec, &err);
        if (n < 0) {
            check_err(err);
            break;
        }
        CHECK(n >= SDR_HEADER_LEN && (size_t)n <= size - off);
        CHECK((size_t)n == (size_t)SDR_HEADER_LEN + rec.hdr.length);
        off += (size_t)n;
        const uint8_t *tail = data + off;
        size_t tlen = size - off;
        switch (rec.kind) {
        case SDR_KIND_SENSOR:
            sensor(&rec.u.sensor, tail, tlen);
            break;
        case SDR_KIND_FRU_LOCATOR:
            check_str(rec.u.fru.name, sizeof(rec.u.fru.name));
            CHECK(ipmi_entity_name(rec.u.fru.entity_id) != NULL);
            break;
        case SDR_KIND_MC_LOCATOR:
            check_str(rec.u.mc.name, sizeof(rec.u.mc.name));
            break;
        default:
            CHECK(rec.kind == SDR_KIND_SKIP);
            CHECK(sdr_type_name(rec.hdr.type) != NULL);
            break;
        }
    }

    if (size >= 1 && sdr_id_bytes(data[0]) <= size - 1) {
        char out[SDR_ID_CAP];
        size_t k = sdr_id_decode(data[0], data + 1, out, sizeof(out));
        CHECK(k < sizeof(out) && strlen(out) == k);
        k = sdr_id_decode(data[0], data + 1, out, 3);
        CHECK(k <= 2 && strlen(out) == k);
    }
    return 0;
}
