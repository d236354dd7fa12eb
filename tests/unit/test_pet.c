/*
 * test_pet.c - the Platform Event Trap codec (PET 1.0, IPMI 2.0 sections
 * 17.16 and 30.8): every payload field, short payloads, every reason code,
 * the texts, the PET Acknowledge encoder.
 */
#include <stdlib.h>
#include <string.h>

#include "pet.h"
#include "sdr.h"
#include "unit.h"

/* A full 47-byte payload: Upper Critical going high on sensor 01h, trigger
 * reading 5Fh and threshold 5Ah, local time 2023-12-28 00:00:00 at UTC+1. */
#define FULL_HEX                                                                                   \
    "a1234567 89abcdef 01234567 89abcdef" /* GUID */                                               \
    "1234"                                /* sequence */                                           \
    "30e1de00"                            /* local timestamp */                                    \
    "003c"                                /* UTC offset +60 min */                                 \
    "20 20 10 20 01 03 01"                /* sources, severity, device, sensor, entity */          \
    "59 5f 5a 00 00 00 00 00"             /* event data 1-8 */                                     \
    "19 00001291 0f02"                    /* language, manufacturer, system ID */                  \
    "c1"

/* specific trap: sensor type 01h, threshold 01h, assertion, offset 9 */
#define SPECIFIC_UC 0x010109L

static size_t payload(const char *hex, uint8_t *buf)
{
    int n = unit_hex(hex, buf, 200);
    CU_ASSERT_FATAL(n > 0);
    return (size_t)n;
}

static void temp_sensor(struct sdr_sensor *s, uint8_t m, uint8_t rexp_nibble)
{
    memset(s, 0, sizeof(*s));
    s->record_type = SDR_TYPE_FULL;
    s->value_kind = SDR_VALUE_ANALOG;
    s->sensor_type = 0x01;
    s->event_type = 0x01;
    s->number = 0x01;
    s->unit_base = 1;
    const uint8_t f[6] = {m, 0, 0, 0, 0, (uint8_t)(rexp_nibble << 4)};
    sdr_factors_unpack(f, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR, &s->conv);
    strcpy(s->id, "CPU Temp");
    strcpy(s->name, "CPU Temp");
}

static ssize_t decode(long specific, const uint8_t *buf, size_t len, struct pet *p,
                      enum codec_err *err)
{
    return pet_decode_trap(pet_enterprise_oid, PET_ENTERPRISE_LEN, PET_GENERIC_TRAP, specific, buf,
                           len, p, err);
}

static void test_fields(void)
{
    uint8_t buf[200];
    size_t n = payload(FULL_HEX, buf);
    CU_ASSERT_EQUAL_FATAL(n, 47);
    struct pet p;
    enum codec_err err = CODEC_E__COUNT;
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, n, &p, &err), 47);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(p.trap.sensor_type, 0x01);
    CU_ASSERT_EQUAL(p.trap.event_type, 0x01);
    CU_ASSERT_FALSE(p.trap.deassertion);
    CU_ASSERT_EQUAL(p.trap.offset, 9);
    CU_ASSERT_EQUAL(p.present, PET_HAS_EVENT_DATA_4_8 | PET_HAS_LANGUAGE | PET_HAS_MANUFACTURER |
                                   PET_HAS_SYSTEM_ID | PET_HAS_OEM);
    /* GUID kept in wire order (MS byte first) */
    CU_ASSERT_EQUAL(p.guid[0], 0xa1);
    CU_ASSERT_EQUAL(p.guid[7], 0xef);
    CU_ASSERT_EQUAL(p.guid[8], 0x01);
    CU_ASSERT_EQUAL(p.guid[15], 0xef);
    /* big-endian fields */
    CU_ASSERT_EQUAL(p.sequence, 0x1234);
    CU_ASSERT_EQUAL(p.timestamp, 0x30e1de00);
    CU_ASSERT(p.ts_specified);
    CU_ASSERT_EQUAL(p.utc_offset, 60);
    CU_ASSERT(p.utc_specified);
    CU_ASSERT_EQUAL(p.trap_source, 0x20);
    CU_ASSERT_EQUAL(p.event_source, 0x20);
    CU_ASSERT_EQUAL(p.severity, PET_SEV_CRITICAL);
    CU_ASSERT_EQUAL(p.sensor_device, 0x20);
    CU_ASSERT_EQUAL(p.sensor_number, 0x01);
    CU_ASSERT_EQUAL(p.entity, 0x03);
    CU_ASSERT_EQUAL(p.entity_instance, 0x01);
    CU_ASSERT_EQUAL(p.data[0], 0x59);
    CU_ASSERT_EQUAL(p.data[1], 0x5f);
    CU_ASSERT_EQUAL(p.data[2], 0x5a);
    CU_ASSERT_EQUAL(p.language, 0x19);
    CU_ASSERT_EQUAL(p.manufacturer_id, 4753);
    CU_ASSERT_EQUAL(p.system_id, 0x0f02);
    CU_ASSERT_FALSE(p.offset_mismatch);
    CU_ASSERT_EQUAL(p.oem_len, 1);
    CU_ASSERT_EQUAL(p.noem, 0);
    CU_ASSERT(p.oem_terminated);
    CU_ASSERT_EQUAL(p.oem_trailing, 0);

    /* every byte of event data 4-8 lands in its place */
    buf[34] = 0x44;
    buf[38] = 0x88;
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, n, &p, &err), 47);
    CU_ASSERT_EQUAL(p.data[3], 0x44);
    CU_ASSERT_EQUAL(p.data[7], 0x88);

    /* negative UTC offset, sign-extended */
    buf[22] = 0xfe;
    buf[23] = 0xb6;
    decode(SPECIFIC_UC, buf, n, &p, &err);
    CU_ASSERT_EQUAL(p.utc_offset, -330);
    CU_ASSERT(p.utc_specified);
    buf[22] = buf[23] = 0xff;
    decode(SPECIFIC_UC, buf, n, &p, &err);
    CU_ASSERT_FALSE(p.utc_specified);

    /* both "unspecified" timestamps */
    memset(buf + 18, 0x00, 4);
    decode(SPECIFIC_UC, buf, n, &p, &err);
    CU_ASSERT_FALSE(p.ts_specified);
    memset(buf + 18, 0xff, 4);
    decode(SPECIFIC_UC, buf, n, &p, &err);
    CU_ASSERT_FALSE(p.ts_specified);

    /* the trap's offset and event data 1 disagree: kept, flagged */
    n = payload(FULL_HEX, buf);
    CU_ASSERT_EQUAL(decode(0x010108L, buf, n, &p, &err), 47);
    CU_ASSERT(p.offset_mismatch);
}

static void test_trap(void)
{
    struct pet_trap t;
    enum codec_err err = CODEC_OK;
    CU_ASSERT_EQUAL(pet_trap_decode(pet_enterprise_oid, 9, 6, 0x08ef81L, &t, &err), 0);
    CU_ASSERT_EQUAL(t.sensor_type, 0x08);
    CU_ASSERT_EQUAL(t.event_type, 0xef);
    CU_ASSERT(t.deassertion);
    CU_ASSERT_EQUAL(t.offset, 1);

    /* wrong enterprise: another OID, a prefix, a longer one, none */
    uint32_t other[10] = {1, 3, 6, 1, 4, 1, 3183, 1, 2, 0};
    CU_ASSERT_EQUAL(pet_trap_decode(other, 9, 6, 0x010109L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_ENTERPRISE);
    CU_ASSERT_EQUAL(pet_trap_decode(pet_enterprise_oid, 8, 6, 0x010109L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_ENTERPRISE);
    other[8] = 1;
    CU_ASSERT_EQUAL(pet_trap_decode(other, 10, 6, 0x010109L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_ENTERPRISE);
    CU_ASSERT_EQUAL(pet_trap_decode(NULL, 0, 6, 0x010109L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_ENTERPRISE);

    /* generic trap not enterpriseSpecific, specific out of range or reserved bits */
    err = CODEC_OK;
    CU_ASSERT_EQUAL(pet_trap_decode(pet_enterprise_oid, 9, 1, 0x010109L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_FIELD);
    err = CODEC_OK;
    CU_ASSERT_EQUAL(pet_trap_decode(pet_enterprise_oid, 9, 6, 0x1010109L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_FIELD);
    err = CODEC_OK;
    CU_ASSERT_EQUAL(pet_trap_decode(pet_enterprise_oid, 9, 6, -1L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_FIELD);
    err = CODEC_OK;
    CU_ASSERT_EQUAL(pet_trap_decode(pet_enterprise_oid, 9, 6, 0x010149L, &t, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_FIELD);

    /* the combined decoder reports the trap's error before looking at the payload */
    uint8_t buf[200];
    size_t n = payload(FULL_HEX, buf);
    struct pet p;
    other[8] = 2;
    CU_ASSERT_EQUAL(pet_decode_trap(other, 9, 6, SPECIFIC_UC, buf, n, &p, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_ENTERPRISE);
}

/* Every length from the mandatory part to the full payload decodes; each
 * trailing field is present exactly when all its bytes are. */
static void test_short(void)
{
    uint8_t buf[200];
    size_t full = payload(FULL_HEX, buf);
    struct pet p;
    enum codec_err err;
    for (size_t len = 0; len < PET_MIN_LEN; len++) {
        err = CODEC_OK;
        CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, len, &p, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    }
    for (size_t len = PET_MIN_LEN; len <= full; len++) {
        err = CODEC_E__COUNT;
        CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, len, &p, &err), (ssize_t)len);
        CU_ASSERT_EQUAL(err, CODEC_OK);
        CU_ASSERT_EQUAL(p.data[2], 0x5a);
        CU_ASSERT_EQUAL(!!(p.present & PET_HAS_EVENT_DATA_4_8), len >= 39);
        CU_ASSERT_EQUAL(!!(p.present & PET_HAS_LANGUAGE), len >= 40);
        CU_ASSERT_EQUAL(p.language, len >= 40 ? 0x19 : 0);
        CU_ASSERT_EQUAL(!!(p.present & PET_HAS_MANUFACTURER), len >= 44);
        CU_ASSERT_EQUAL(p.manufacturer_id, len >= 44 ? 4753u : 0u);
        CU_ASSERT_EQUAL(!!(p.present & PET_HAS_SYSTEM_ID), len >= 46);
        CU_ASSERT_EQUAL(p.system_id, len >= 46 ? 0x0f02 : 0);
        CU_ASSERT_EQUAL(!!(p.present & PET_HAS_OEM), len >= 47);
        CU_ASSERT_EQUAL(p.oem_terminated, len >= 47);
    }
    /* a short PET still describes and acknowledges */
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, PET_MIN_LEN, &p, &err), PET_MIN_LEN);
    struct pet_text t;
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.ev.event, "Upper Critical going high");
    CU_ASSERT_STRING_EQUAL(t.oem, "");
}

static void test_oem(void)
{
    uint8_t buf[200];
    struct pet p;
    struct pet_text t;
    enum codec_err err;
    char hex[600];
    /* "Rack 12" (8-bit ASCII), binary 0102ab, BCD plus "12-3", end, padding */
    snprintf(hex, sizeof(hex), "%.*s c7 5261636b203132 03 0102ab 02 12b3 c1 0000",
             (int)strlen(FULL_HEX) - 2, FULL_HEX);
    size_t n = payload(hex, buf);
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, n, &p, &err), (ssize_t)n);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(p.noem, 3);
    CU_ASSERT_EQUAL(p.oem_fields[0].type, 3);
    CU_ASSERT_EQUAL(p.oem_fields[0].len, 7);
    CU_ASSERT_EQUAL(p.oem_fields[1].type, 0);
    CU_ASSERT_EQUAL(p.oem_fields[1].len, 3);
    CU_ASSERT_EQUAL(p.oem_fields[2].type, 0);
    CU_ASSERT(p.oem_terminated);
    CU_ASSERT_EQUAL(p.oem_trailing, 2);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.oem, "Rack 12; 0102ab; 12b3");
    /* a BCD plus field (type 01b) */
    buf[PET_OEM_OFF + 12] = 0x42;
    decode(SPECIFIC_UC, buf, n, &p, &err);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.oem, "Rack 12; 0102ab; 12-3");

    /* an unterminated list that ends with the payload is accepted */
    n = payload(hex, buf) - 3;
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, n, &p, &err), (ssize_t)n);
    CU_ASSERT_FALSE(p.oem_terminated);
    CU_ASSERT_EQUAL(p.noem, 3);

    /* a field running past the payload is a broken chain */
    n = payload(hex, buf);
    buf[PET_OEM_OFF] = 0xff; /* type 3, 63 bytes */
    err = CODEC_OK;
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, n, &p, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_OEM_CHAIN);

    /* the largest payload: 64 zero-length fields, then oversize */
    n = payload(FULL_HEX, buf) - 1;
    memset(buf + n, 0x00, PET_OEM_CAP);
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, PET_MAX_LEN, &p, &err), PET_MAX_LEN);
    CU_ASSERT_EQUAL(p.noem, PET_OEM_CAP);
    CU_ASSERT_FALSE(p.oem_terminated);
    err = CODEC_OK;
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, PET_MAX_LEN + 1, &p, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_OVERSIZE);
}

static void test_describe(void)
{
    uint8_t buf[200];
    size_t n = payload(FULL_HEX, buf);
    struct pet p;
    struct pet_text t;
    struct sdr_sensor s;
    enum codec_err err;
    CU_ASSERT_EQUAL(decode(SPECIFIC_UC, buf, n, &p, &err), 47);
    temp_sensor(&s, 1, 0);
    pet_describe(&p, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.guid, "a1234567-89ab-cdef-0123-456789abcdef");
    CU_ASSERT_STRING_EQUAL(t.local_time, "2023-12-28T00:00:00+01:00");
    CU_ASSERT_STRING_EQUAL(t.ev.timestamp, "2023-12-27T23:00:00Z");
    CU_ASSERT_STRING_EQUAL(t.ev.sensor_type, "Temperature");
    CU_ASSERT_STRING_EQUAL(t.ev.sensor_name, "CPU Temp");
    CU_ASSERT_STRING_EQUAL(t.ev.event_class, "threshold");
    CU_ASSERT_STRING_EQUAL(t.ev.event, "Upper Critical going high");
    CU_ASSERT_STRING_EQUAL(t.ev.direction, "Asserted");
    CU_ASSERT_STRING_EQUAL(t.ev.reading, "Reading 95 > Threshold 90 degrees C");
    CU_ASSERT_STRING_EQUAL(t.severity, "Critical");
    CU_ASSERT_STRING_EQUAL(t.trap_source, "IPMI");
    CU_ASSERT_STRING_EQUAL(t.event_source, "IPMI");
    CU_ASSERT_STRING_EQUAL(t.entity, "Processor");
    CU_ASSERT_STRING_EQUAL(t.entity_text, "Processor 1");
    CU_ASSERT_STRING_EQUAL(t.sensor_device, "20h");

    /* deassertion, negative offset, no SDR */
    buf[22] = 0xfe;
    buf[23] = 0xb6;
    buf[32] = 0x50;
    decode(SPECIFIC_UC | 0x80, buf, n, &p, &err);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.local_time, "2023-12-28T00:00:00-05:30");
    CU_ASSERT_STRING_EQUAL(t.ev.timestamp, "2023-12-28T05:30:00Z");
    CU_ASSERT_STRING_EQUAL(t.ev.direction, "Deasserted");
    CU_ASSERT_STRING_EQUAL(t.ev.sensor_name, "#0x01");
    CU_ASSERT_STRING_EQUAL(t.ev.reading, "");
    pet_describe(&p, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.ev.reading, "Reading 80 < Threshold 90 degrees C");

    /* scaled reading: 0.5 per count */
    temp_sensor(&s, 5, 0x0f);
    pet_describe(&p, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.ev.reading, "Reading 40 < Threshold 45 degrees C");

    /* unspecified offset, then unspecified timestamp */
    buf[22] = buf[23] = 0xff;
    decode(SPECIFIC_UC, buf, n, &p, &err);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.local_time, "2023-12-28T00:00:00 (UTC offset unspecified)");
    CU_ASSERT_STRING_EQUAL(t.ev.timestamp, "unspecified");
    memset(buf + 18, 0, 4);
    decode(SPECIFIC_UC, buf, n, &p, &err);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.local_time, "unspecified");
    CU_ASSERT_STRING_EQUAL(t.ev.timestamp, "unspecified");

    /* sensor-specific: Power Supply (08h) offset 1 Failure detected; software
     * ID device, unspecified entity */
    n = payload(FULL_HEX, buf);
    buf[27] = 0x41;
    buf[29] = 0x00;
    buf[31] = 0x01;
    decode(0x086f01L, buf, n, &p, &err);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.ev.sensor_type, "Power Supply");
    CU_ASSERT_STRING_EQUAL(t.ev.event_class, "sensor-specific");
    CU_ASSERT_STRING_EQUAL(t.ev.event, "Failure detected");
    CU_ASSERT_STRING_EQUAL(t.sensor_device, "software ID 41h");
    CU_ASSERT_STRING_EQUAL(t.entity_text, "unspecified");

    /* generic discrete 07h offset 2; OEM event type 70h */
    buf[31] = 0x02;
    decode(0x070702L, buf, n, &p, &err);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.ev.event_class, "generic discrete");
    CU_ASSERT_STRING_EQUAL(t.ev.event, "Transition to Critical from less severe");
    decode(0xc07002L, buf, n, &p, &err);
    pet_describe(&p, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.ev.event_class, "OEM");
    CU_ASSERT_STRING_EQUAL(t.ev.event, "OEM event type 70h offset 02h");
}

static void test_names(void)
{
    static const struct {
        uint8_t v;
        const char *name;
    } sev[] = {
        {0x00, "Unspecified"},  {0x01, "Monitor"},  {0x02, "Information"},     {0x04, "OK"},
        {0x08, "Non-critical"}, {0x10, "Critical"}, {0x20, "Non-recoverable"}, {0x40, "Invalid"},
        {0x03, "Invalid"},      {0xff, "Invalid"},
    };
    for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++)
        CU_ASSERT_STRING_EQUAL(pet_severity_name(sev[i].v), sev[i].name);
    CU_ASSERT_STRING_EQUAL(pet_source_type_name(0x00), "Platform Firmware");
    CU_ASSERT_STRING_EQUAL(pet_source_type_name(0x20), "IPMI");
    CU_ASSERT_STRING_EQUAL(pet_source_type_name(0x27), "IPMI");
    CU_ASSERT_STRING_EQUAL(pet_source_type_name(0x58), "System Management Card");
    CU_ASSERT_STRING_EQUAL(pet_source_type_name(0x60), "reserved");
    CU_ASSERT_STRING_EQUAL(pet_source_type_name(0xff), "unspecified");
    for (unsigned v = 0; v < 256; v++) {
        CU_ASSERT_PTR_NOT_NULL(pet_severity_name((uint8_t)v));
        CU_ASSERT_PTR_NOT_NULL(pet_source_type_name((uint8_t)v));
    }
}

static void test_ack(void)
{
    uint8_t buf[200];
    size_t n = payload(FULL_HEX, buf);
    struct pet p;
    enum codec_err err;
    decode(SPECIFIC_UC, buf, n, &p, &err);
    struct pet_ack a, back;
    pet_ack_from(&p, &a);
    uint8_t out[PET_ACK_REQ_LEN + 4];
    memset(out, 0xee, sizeof(out));
    CU_ASSERT_EQUAL(pet_ack_encode(&a, out, sizeof(out), &err), PET_ACK_REQ_LEN);
    /* IPMI byte order: sequence and timestamp LS byte first (IPMI 2.0 section 30.8) */
    uint8_t want[PET_ACK_REQ_LEN];
    CU_ASSERT_EQUAL(unit_hex("3412 00dee130 20 20 01 595f5a", want, sizeof(want)), PET_ACK_REQ_LEN);
    CU_ASSERT_EQUAL(memcmp(out, want, PET_ACK_REQ_LEN), 0);
    CU_ASSERT_EQUAL(out[PET_ACK_REQ_LEN], 0xee); /* nothing written past the request */
    CU_ASSERT_EQUAL(pet_ack_decode(out, PET_ACK_REQ_LEN, &back, &err), PET_ACK_REQ_LEN);
    CU_ASSERT_EQUAL(memcmp(&a, &back, sizeof(a)), 0);
    /* short buffers */
    err = CODEC_OK;
    CU_ASSERT_EQUAL(pet_ack_encode(&a, out, PET_ACK_REQ_LEN - 1, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_OVERSIZE);
    err = CODEC_OK;
    CU_ASSERT_EQUAL(pet_ack_decode(out, PET_ACK_REQ_LEN - 1, &back, &err), -1);
    CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    CU_ASSERT_EQUAL(PET_ACK_NETFN, 0x04);
    CU_ASSERT_EQUAL(PET_ACK_CMD, 0x17);
}

/* Random payloads of every length: never crash, errors carry a PET reason. */
static void test_noise(void)
{
    uint8_t buf[PET_MAX_LEN + 8];
    struct pet p;
    struct pet_text t;
    srand(7);
    for (int i = 0; i < 20000; i++) {
        size_t len = (size_t)rand() % sizeof(buf);
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)rand();
        if (i & 1) /* often a plausible OEM list start */
            buf[PET_OEM_OFF] = (uint8_t)(rand() & 0x07);
        enum codec_err err = CODEC_E__COUNT;
        ssize_t r = decode(rand() & 0xFF8F, buf, len, &p, &err);
        if (r < 0) {
            CU_ASSERT(err == CODEC_E_TRUNCATED || err == CODEC_E_OVERSIZE ||
                      err == CODEC_E_OEM_CHAIN);
            continue;
        }
        CU_ASSERT_EQUAL(r, (ssize_t)len);
        CU_ASSERT(p.noem <= PET_OEM_CAP);
        pet_describe(&p, NULL, &t);
        CU_ASSERT(strlen(t.oem) < sizeof(t.oem));
    }
}

int main(void)
{
    CU_TestInfo codec[] = {
        {"every payload field", test_fields},
        {"trap header: enterprise, generic, specific", test_trap},
        {"short payloads", test_short},
        {"OEM custom fields", test_oem},
        {"texts", test_describe},
        {"severity and source names", test_names},
        {"PET Acknowledge", test_ack},
        {"random payloads", test_noise},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"pet codec", NULL, NULL, NULL, NULL, codec},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_pet", suites);
}
