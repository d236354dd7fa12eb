// clang-format off
// fuzz-sources: src/codec/pet.c src/codec/sel.c src/codec/fru.c src/codec/sdr.c src/codec/sensor.c src/codec/ipmi_tables.c src/codec/layout.c src/codec/sink.c
// clang-format on
/*
 * fuzz_pet.c - libFuzzer harness for the Platform Event Trap codec.
 *
 * Input: 4 header bytes, then the payload (the varbind's octets).  Header
 * bytes 0-2 are the specific trap number (MS first); byte 3 picks the
 * generic trap (bit 0: 6 or not), the enterprise OID (bit 1: the PET one or
 * a neighbour) and the SDR handed to pet_describe() (bits 7:2 as the M
 * factor of an analog threshold sensor; 0 = no SDR).  A decoded PET is
 * described and acknowledged, and the acknowledge round-trips.  Besides the
 * sanitizers, the harness checks the invariants callers rely on and aborts
 * when one breaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pet.h"
#include "sdr.h"

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

static void check_text(const struct pet_text *t)
{
    check_str(t->ev.timestamp, sizeof(t->ev.timestamp));
    check_str(t->ev.sensor_name, sizeof(t->ev.sensor_name));
    check_str(t->ev.event, sizeof(t->ev.event));
    check_str(t->ev.reading, sizeof(t->ev.reading));
    check_str(t->ev.data, sizeof(t->ev.data));
    CHECK(t->ev.sensor_type && t->ev.event_class && t->ev.direction);
    CHECK(t->ev.event[0] != '\0');
    check_str(t->guid, sizeof(t->guid));
    CHECK(strlen(t->guid) == 36);
    check_str(t->local_time, sizeof(t->local_time));
    CHECK(t->local_time[0] != '\0');
    CHECK(t->severity && t->trap_source && t->event_source && t->entity);
    check_str(t->entity_text, sizeof(t->entity_text));
    check_str(t->sensor_device, sizeof(t->sensor_device));
    check_str(t->oem, sizeof(t->oem));
}

static void sensor(struct sdr_sensor *s, uint8_t m)
{
    memset(s, 0, sizeof(*s));
    s->record_type = SDR_TYPE_FULL;
    s->value_kind = SDR_VALUE_ANALOG;
    s->sensor_type = 0x01;
    s->event_type = 0x01;
    s->unit_base = 1;
    const uint8_t f[6] = {m, 0, 0, 0, 0, (uint8_t)(m & 0xf0)};
    sdr_factors_unpack(f, m & 1 ? SDR_FMT_TWOS : SDR_FMT_UNSIGNED, SDR_LIN_LINEAR, &s->conv);
    strcpy(s->id, "Fuzz");
    strcpy(s->name, "Fuzz");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    long specific = (long)data[0] << 16 | (long)data[1] << 8 | data[2];
    uint8_t sel = data[3];
    long generic = (sel & 1) ? 1 : PET_GENERIC_TRAP;
    uint32_t oid[PET_ENTERPRISE_LEN];
    memcpy(oid, pet_enterprise_oid, sizeof(oid));
    if (sel & 2)
        oid[PET_ENTERPRISE_LEN - 1] = 2;
    const uint8_t *buf = data + 4;
    size_t len = size - 4;

    struct pet p;
    enum codec_err err = CODEC_E__COUNT;
    ssize_t r = pet_decode_trap(oid, PET_ENTERPRISE_LEN, generic, specific, buf, len, &p, &err);
    if (r < 0) {
        if (sel & 2)
            CHECK(err == CODEC_E_ENTERPRISE);
        else if (sel & 1 || (specific & 0x70))
            CHECK(err == CODEC_E_FIELD);
        else if (len < PET_MIN_LEN)
            CHECK(err == CODEC_E_TRUNCATED);
        else if (len > PET_MAX_LEN)
            CHECK(err == CODEC_E_OVERSIZE);
        else
            CHECK(err == CODEC_E_OEM_CHAIN);
        return 0;
    }
    CHECK(err == CODEC_OK);
    CHECK((size_t)r == len && len >= PET_MIN_LEN && len <= PET_MAX_LEN);
    CHECK(p.trap.sensor_type == data[0] && p.trap.event_type == data[1]);
    CHECK(p.trap.offset == (data[2] & 0x0f));
    CHECK(memcmp(p.guid, buf, 16) == 0);
    CHECK(p.sequence == (buf[16] << 8 | buf[17]));
    CHECK(p.oem_len == (len > PET_OEM_OFF ? len - PET_OEM_OFF : 0));
    CHECK(p.noem <= PET_OEM_CAP);
    size_t walked = 0;
    for (unsigned i = 0; i < p.noem; i++) {
        const struct pet_oem_field *f = &p.oem_fields[i];
        CHECK(f->off >= 1 && (size_t)f->off + f->len <= p.oem_len);
        CHECK(f->off == walked + 1);
        walked = (size_t)f->off + f->len;
    }
    if (p.oem_terminated)
        CHECK(walked + 1 + p.oem_trailing == p.oem_len && p.oem[walked] == PET_OEM_END);
    else
        CHECK(walked == p.oem_len);

    struct pet_text t;
    pet_describe(&p, NULL, &t);
    check_text(&t);
    if (sel >> 2) {
        struct sdr_sensor s;
        sensor(&s, (uint8_t)(sel >> 2));
        s.number = p.sensor_number;
        pet_describe(&p, &s, &t);
        check_text(&t);
        CHECK(strcmp(t.ev.sensor_name, "Fuzz") == 0);
    }

    struct pet_ack a, back;
    uint8_t ack[PET_ACK_REQ_LEN];
    pet_ack_from(&p, &a);
    CHECK(pet_ack_encode(&a, ack, sizeof(ack), &err) == PET_ACK_REQ_LEN);
    CHECK(pet_ack_decode(ack, sizeof(ack), &back, &err) == PET_ACK_REQ_LEN);
    CHECK(memcmp(&a, &back, sizeof(a)) == 0);
    CHECK(ack[0] == (uint8_t)p.sequence && ack[1] == (uint8_t)(p.sequence >> 8));
    return 0;
}
