/*
 * test_sel.c - the SEL codec (IPMI 2.0 sections 31, 32) and the incremental
 * reader's state machine, driven against a fake SEL that counts the
 * requests: how many a poll costs, that clears resync without reporting a
 * record twice, that C5h re-reserves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipmi_msg.h"
#include "sdr.h"
#include "sel.h"
#include "sel_reader.h"
#include "sel_statefile.h"
#include "unit.h"

static void rec_hex(const char *hex, uint8_t rec[16])
{
    CU_ASSERT_EQUAL_FATAL(unit_hex(hex, rec, 16), 16);
}

/* A temperature sensor: y = (M * x) * 10^R, degrees C. */
static void temp_sensor(struct sdr_sensor *s, uint8_t m, uint8_t rexp_nibble)
{
    memset(s, 0, sizeof(*s));
    s->record_type = SDR_TYPE_FULL;
    s->value_kind = SDR_VALUE_ANALOG;
    s->sensor_type = 0x01;
    s->event_type = 0x01;
    s->number = 0x30;
    s->unit_base = 1;
    const uint8_t f[6] = {m, 0, 0, 0, 0, (uint8_t)(rexp_nibble << 4)};
    sdr_factors_unpack(f, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR, &s->conv);
    strcpy(s->id, "CPU Temp");
    strcpy(s->name, "CPU Temp");
}

/* ---- records ------------------------------------------------------------------ */

static void test_threshold(void)
{
    uint8_t raw[16];
    struct sel_record r;
    struct sel_text t;
    /* Upper Critical going high (offset 9), trigger reading 5Fh in byte 2 and
     * threshold 5Ah in byte 3 (event data 1 = 01 01 1001b) */
    rec_hex("0100 02 00e0a565 2000 04 01 30 01 59 5f 5a", raw);
    CU_ASSERT_EQUAL(sel_record_decode(raw, 16, &r, NULL), 16);
    CU_ASSERT_EQUAL(r.record_id, 1);
    CU_ASSERT_EQUAL(r.record_type, 0x02);
    CU_ASSERT_EQUAL(r.kind, SEL_KIND_SYSTEM);
    CU_ASSERT_EQUAL(r.timestamp, 0x65a5e000);
    CU_ASSERT_EQUAL(r.ts_kind, SEL_TS_ABSOLUTE);
    CU_ASSERT_EQUAL(r.generator_id, 0x0020);
    CU_ASSERT_EQUAL(r.gen_addr, 0x10); /* 7-bit form of 20h */
    CU_ASSERT_FALSE(r.gen_software);
    CU_ASSERT_EQUAL(r.gen_channel, 0);
    CU_ASSERT_EQUAL(r.gen_lun, 0);
    CU_ASSERT_EQUAL(r.evm_rev, 0x04);
    CU_ASSERT_EQUAL(r.sensor_type, 0x01);
    CU_ASSERT_EQUAL(r.sensor_number, 0x30);
    CU_ASSERT_EQUAL(r.event_type, 0x01);
    CU_ASSERT_FALSE(r.deassertion);
    CU_ASSERT_EQUAL(sel_event_offset(&r), 9);
    CU_ASSERT_EQUAL(sel_ed2_use(&r), SEL_ED_TRIGGER);
    CU_ASSERT_EQUAL(sel_ed3_use(&r), SEL_ED_TRIGGER);

    struct sdr_sensor s;
    temp_sensor(&s, 1, 0);
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.timestamp, "2024-01-16T01:46:40Z");
    CU_ASSERT_STRING_EQUAL(t.sensor_type, "Temperature");
    CU_ASSERT_STRING_EQUAL(t.sensor_name, "CPU Temp");
    CU_ASSERT_STRING_EQUAL(t.event_class, "threshold");
    CU_ASSERT_STRING_EQUAL(t.event, "Upper Critical going high");
    CU_ASSERT_STRING_EQUAL(t.direction, "Asserted");
    CU_ASSERT_STRING_EQUAL(t.reading, "Reading 95 > Threshold 90 degrees C");
    CU_ASSERT_STRING_EQUAL(t.data, "595f5a");

    /* deasserted: back below the threshold */
    raw[12] = 0x81;
    raw[14] = 0x50;
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.direction, "Deasserted");
    CU_ASSERT_STRING_EQUAL(t.reading, "Reading 80 < Threshold 90 degrees C");
    raw[12] = 0x01;
    raw[14] = 0x5f;
    sel_record_decode(raw, 16, &r, NULL);

    /* fractional values get two decimals (ipmitool's %.*f) */
    temp_sensor(&s, 5, 0x0f); /* 0.5 per count */
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.reading, "Reading 47.50 > Threshold 45 degrees C");

    /* without the SDR: no reading text, the sensor is "#0x30" (ipmitool) */
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.sensor_name, "#0x30");
    CU_ASSERT_STRING_EQUAL(t.reading, "");
    CU_ASSERT_STRING_EQUAL(t.event, "Upper Critical going high");

    /* going low: "<"; threshold only; reading only */
    rec_hex("0200 02 00e0a565 2000 04 01 30 01 52 0a 0f", raw); /* LC going low, offset 2 */
    sel_record_decode(raw, 16, &r, NULL);
    temp_sensor(&s, 1, 0);
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.event, "Lower Critical going low");
    CU_ASSERT_STRING_EQUAL(t.reading, "Reading 10 < Threshold 15 degrees C");
    raw[13] = 0x12; /* bytes 2 unspecified, 3 threshold */
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.reading, "Threshold 15 degrees C");
    raw[13] = 0x42; /* byte 2 trigger, byte 3 unspecified */
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.reading, "Reading 10");
    raw[13] = 0xa2; /* OEM codes in bytes 2 and 3: no reading */
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.reading, "");
    /* a sensor without an analog reading: no conversion */
    raw[13] = 0x52;
    sel_record_decode(raw, 16, &r, NULL);
    s.value_kind = SDR_VALUE_NONE;
    sel_describe(&r, &s, &t);
    CU_ASSERT_STRING_EQUAL(t.reading, "");
}

static void test_discrete(void)
{
    uint8_t raw[16];
    struct sel_record r;
    struct sel_text t;
    /* generic discrete 08h (presence), offset 1 Device Present, from software ID 41h */
    rec_hex("0300 02 00e0a565 4100 04 15 05 08 01 ff ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    CU_ASSERT(r.gen_software);
    CU_ASSERT_EQUAL(r.gen_addr, 0x20);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.event_class, "generic discrete");
    CU_ASSERT_STRING_EQUAL(t.event, "Device Present");
    CU_ASSERT_STRING_EQUAL(t.direction, "Asserted");
    CU_ASSERT_STRING_EQUAL(t.sensor_name, "#0x05");
    CU_ASSERT_STRING_EQUAL(t.data, "01ffff");

    /* sensor-specific: processor (07h) IERR (offset 0), channel 3 LUN 2 of IPMB 2Ch */
    rec_hex("0400 02 00e0a565 2c32 04 07 41 6f 00 ff ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    CU_ASSERT_EQUAL(r.gen_addr, 0x16);
    CU_ASSERT_EQUAL(r.gen_channel, 3);
    CU_ASSERT_EQUAL(r.gen_lun, 2);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.sensor_type, "Processor");
    CU_ASSERT_STRING_EQUAL(t.event_class, "sensor-specific");
    CU_ASSERT_STRING_EQUAL(t.event, "IERR");

    /* deassertion: event dir bit 7 of byte 13 */
    rec_hex("0500 02 00e0a565 2000 04 07 41 ef 00 ff ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    CU_ASSERT(r.deassertion);
    CU_ASSERT_EQUAL(r.event_type, 0x6f);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.direction, "Deasserted");
    CU_ASSERT_STRING_EQUAL(t.event, "IERR");

    /* no text for the offset: say what it is */
    rec_hex("0600 02 00e0a565 2000 04 07 41 6f 0e ff ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.event, "Event type 6Fh offset 0Eh");
    rec_hex("0700 02 00e0a565 2000 04 c0 41 72 03 ff ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.event_class, "OEM");
    CU_ASSERT_STRING_EQUAL(t.event, "OEM event type 72h offset 03h");

    /* event data 2 refines a sensor-specific offset when data 1 bits 7:6 = 11b:
     * System Firmware Progress (0Fh) offset 02h, data 2 = 01h */
    rec_hex("0800 02 00e0a565 2000 04 0f 50 6f c2 01 ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.event, "Memory initialization");
    /* the same offset without that flag: the offset's own text */
    rec_hex("0900 02 00e0a565 2000 04 0f 50 6f 02 01 ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.event, "Progress"));
    /* a reserved data 2 code falls back to the offset's text */
    rec_hex("0a00 02 00e0a565 2000 04 0f 50 6f c2 15 ff", raw);
    sel_record_decode(raw, 16, &r, NULL);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.event, "Progress"));
}

static void test_timestamps(void)
{
    uint8_t raw[16];
    struct sel_record r;
    struct sel_text t;
    /* pre-init: counted from SEL device initialization */
    rec_hex("0800 02 34120000 2000 04 01 30 01 59 5f 5a", raw);
    sel_record_decode(raw, 16, &r, NULL);
    CU_ASSERT_EQUAL(r.ts_kind, SEL_TS_PREINIT);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.timestamp, "pre-init 4660 s");
    /* the edges (IPMI 2.0 section 37.1: 0 - 20000000h are relative) */
    CU_ASSERT_EQUAL(sel_ts_classify(0x00000000), SEL_TS_PREINIT);
    CU_ASSERT_EQUAL(sel_ts_classify(0x20000000), SEL_TS_PREINIT);
    CU_ASSERT_EQUAL(sel_ts_classify(0x20000001), SEL_TS_ABSOLUTE);
    CU_ASSERT_EQUAL(sel_ts_classify(0xfffffffe), SEL_TS_ABSOLUTE);
    /* unspecified */
    rec_hex("0900 02 ffffffff 2000 04 01 30 01 59 5f 5a", raw);
    sel_record_decode(raw, 16, &r, NULL);
    CU_ASSERT_EQUAL(r.ts_kind, SEL_TS_UNSPECIFIED);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.timestamp, "unspecified");
    CU_ASSERT_STRING_EQUAL(sel_ts_kind_name(SEL_TS_PREINIT), "pre-init");
    CU_ASSERT_STRING_EQUAL(sel_kind_name(SEL_KIND_OEM_TS), "oem_timestamped");
    CU_ASSERT_STRING_EQUAL(sel_mode_name(SEL_MODE_SCAN), "scan");
    CU_ASSERT_STRING_EQUAL(sel_mode_name(9), "unknown");
    CU_ASSERT_STRING_EQUAL(sel_ts_kind_name(9), "unknown");
}

static void test_oem(void)
{
    uint8_t raw[16];
    struct sel_record r;
    struct sel_text t;
    /* C0h: timestamp, manufacturer 000157h (Intel), 6 OEM bytes */
    rec_hex("0a00 c0 00e0a565 570100 010203040506", raw);
    sel_record_decode(raw, 16, &r, NULL);
    CU_ASSERT_EQUAL(r.kind, SEL_KIND_OEM_TS);
    CU_ASSERT_EQUAL(r.ts_kind, SEL_TS_ABSOLUTE);
    CU_ASSERT_EQUAL(r.manufacturer_id, 0x157);
    CU_ASSERT_EQUAL(r.oem_len, 6);
    CU_ASSERT_EQUAL(r.oem[5], 0x06);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.timestamp, "2024-01-16T01:46:40Z");
    CU_ASSERT_STRING_EQUAL(t.event, "OEM record C0h");
    CU_ASSERT_STRING_EQUAL(t.event_class, "OEM");
    CU_ASSERT_STRING_EQUAL(t.data, "000157 010203040506");
    CU_ASSERT_STRING_EQUAL(t.direction, "");
    /* E0h: 13 OEM bytes, no timestamp */
    rec_hex("0b00 e0 0102030405060708090a0b0c0d", raw);
    sel_record_decode(raw, 16, &r, NULL);
    CU_ASSERT_EQUAL(r.kind, SEL_KIND_OEM_NOTS);
    CU_ASSERT_EQUAL(r.ts_kind, SEL_TS_NONE);
    CU_ASSERT_EQUAL(r.oem_len, 13);
    sel_describe(&r, NULL, &t);
    CU_ASSERT_STRING_EQUAL(t.timestamp, "");
    CU_ASSERT_STRING_EQUAL(t.event, "OEM record E0h");
    CU_ASSERT_STRING_EQUAL(t.data, "0102030405060708090a0b0c0d");
    /* short input */
    CU_ASSERT_EQUAL(sel_record_decode(raw, 15, &r, NULL), -1);
}

static void test_commands(void)
{
    enum codec_err e;
    struct sel_info in;
    uint8_t d[32];
    int n = unit_hex("51 e803 0020 00e0a565 10e0a565 8a", d, sizeof(d));
    CU_ASSERT_EQUAL(sel_info_decode(d, (size_t)n, &in, &e), 14);
    CU_ASSERT_EQUAL(in.version, 0x51);
    CU_ASSERT_EQUAL(in.entries, 1000);
    CU_ASSERT_EQUAL(in.free_space, 0x2000);
    CU_ASSERT_EQUAL(in.last_add_ts, 0x65a5e000);
    CU_ASSERT_EQUAL(in.last_erase_ts, 0x65a5e010);
    CU_ASSERT(in.op_support & SEL_OP_OVERFLOW);
    CU_ASSERT(in.op_support & SEL_OP_RESERVE);
    CU_ASSERT_EQUAL(sel_info_decode(d, 13, &in, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);

    uint16_t resv;
    CU_ASSERT_EQUAL(sel_reserve_rsp_decode(d + 1, 2, &resv, &e), 2);
    CU_ASSERT_EQUAL(resv, 1000);
    CU_ASSERT_EQUAL(sel_reserve_rsp_decode(d, 1, &resv, &e), -1);

    uint8_t rsp[18] = {0x05, 0x00};
    uint16_t next;
    const uint8_t *rec;
    CU_ASSERT_EQUAL(sel_entry_rsp_decode(rsp, 18, &next, &rec, &e), 18);
    CU_ASSERT_EQUAL(next, 5);
    CU_ASSERT_PTR_EQUAL(rec, rsp + 2);
    CU_ASSERT_EQUAL(sel_entry_rsp_decode(rsp, 17, &next, &rec, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);

    uint8_t req[6];
    CU_ASSERT_EQUAL(sel_entry_req_encode(req, 0x1234, 0xffff), 6);
    CU_ASSERT_EQUAL(req[0], 0x34);
    CU_ASSERT_EQUAL(req[1], 0x12);
    CU_ASSERT_EQUAL(req[2], 0xff);
    CU_ASSERT_EQUAL(req[3], 0xff);
    CU_ASSERT_EQUAL(req[4], 0x00);
    CU_ASSERT_EQUAL(req[5], 0xff);
}

/* Any 16 bytes decode and describe within their buffers. */
static void test_noise(void)
{
    uint32_t x = 0xdeadbeef;
    struct sdr_sensor s;
    temp_sensor(&s, 3, 0x0e);
    for (int i = 0; i < 20000; i++) {
        uint8_t raw[16];
        for (int k = 0; k < 16; k++) {
            x = x * 1103515245u + 12345u;
            raw[k] = (uint8_t)(x >> 24);
        }
        struct sel_record r;
        struct sel_text t;
        CU_ASSERT_EQUAL_FATAL(sel_record_decode(raw, 16, &r, NULL), 16);
        sel_describe(&r, (i & 1) ? &s : NULL, &t);
        CU_ASSERT(strlen(t.event) < sizeof(t.event));
        CU_ASSERT(strlen(t.data) < sizeof(t.data));
    }
}

/* ---- the reader against a fake SEL -------------------------------------------------- */

#define FAKE_MAX 8192

struct fake_sel {
    uint8_t rec[FAKE_MAX][16];
    size_t n;
    uint16_t next_id; /* the ID the next added record gets */
    uint16_t id_step; /* 1: sequential IDs; else IDs go up by this */
    uint32_t clock;   /* timestamps */
    uint32_t add_ts, erase_ts;
    uint8_t op;            /* operation support */
    uint16_t resv;         /* current reservation */
    int cancel;            /* answer C5h this many times */
    int fail_entry_at;     /* fail the n-th Get SEL Entry with FFh (0: never) */
    bool loop;             /* the "next" of the last record points back to the first */
    bool no_erase_ts;      /* a BMC that does not update the erase timestamp */
    unsigned delete_after; /* after this many Get SEL Entry answers ... */
    size_t delete_index;   /* ... delete this record (someone else did) */
    /* counted requests */
    unsigned info, reserve, entry;
};

static void fake_init(struct fake_sel *f, uint16_t id_step)
{
    memset(f, 0, sizeof(*f));
    f->next_id = 1;
    f->id_step = id_step;
    f->clock = 0x65a5e000;
    f->op = SEL_OP_RESERVE | SEL_OP_DELETE;
}

static void fake_add(struct fake_sel *f, uint8_t sensor)
{
    CU_ASSERT_FATAL(f->n < FAKE_MAX);
    uint8_t *r = f->rec[f->n++];
    uint32_t ts = ++f->clock;
    r[0] = (uint8_t)f->next_id;
    r[1] = (uint8_t)(f->next_id >> 8);
    r[2] = 0x02;
    r[3] = (uint8_t)ts;
    r[4] = (uint8_t)(ts >> 8);
    r[5] = (uint8_t)(ts >> 16);
    r[6] = (uint8_t)(ts >> 24);
    r[7] = 0x20;
    r[8] = 0x00;
    r[9] = 0x04;
    r[10] = 0x01;
    r[11] = sensor;
    r[12] = 0x01;
    r[13] = 0x59;
    r[14] = (uint8_t)f->n;
    r[15] = 0x5a;
    f->next_id = (uint16_t)(f->next_id + f->id_step);
    f->add_ts = ts;
}

static void fake_clear(struct fake_sel *f)
{
    f->n = 0;
    f->next_id = 1; /* many BMCs start over */
    if (!f->no_erase_ts)
        f->erase_ts = ++f->clock;
    f->resv++; /* a clear cancels reservations */
}

static void fake_delete(struct fake_sel *f, size_t i)
{
    memmove(f->rec[i], f->rec[i + 1], (f->n - i - 1) * 16);
    f->n--;
    if (!f->no_erase_ts)
        f->erase_ts = ++f->clock;
}

static uint16_t id_at(const struct fake_sel *f, size_t i)
{
    return (uint16_t)(f->rec[i][0] | f->rec[i][1] << 8);
}

static void fake_answer(struct fake_sel *f, uint8_t cmd, const uint8_t *req, size_t rlen,
                        uint8_t *cc, uint8_t *rsp, size_t *len)
{
    *cc = 0;
    *len = 0;
    if (cmd == SEL_CMD_GET_INFO) {
        f->info++;
        CU_ASSERT_EQUAL(rlen, 0);
        rsp[0] = 0x51;
        rsp[1] = (uint8_t)f->n;
        rsp[2] = (uint8_t)(f->n >> 8);
        rsp[3] = 0x00;
        rsp[4] = 0x10;
        for (int i = 0; i < 4; i++) {
            rsp[5 + i] = (uint8_t)(f->add_ts >> (8 * i));
            rsp[9 + i] = (uint8_t)(f->erase_ts >> (8 * i));
        }
        rsp[13] = f->op;
        *len = 14;
        return;
    }
    if (cmd == SEL_CMD_RESERVE) {
        f->reserve++;
        f->resv++;
        rsp[0] = (uint8_t)f->resv;
        rsp[1] = (uint8_t)(f->resv >> 8);
        *len = 2;
        return;
    }
    CU_ASSERT_EQUAL_FATAL(cmd, SEL_CMD_GET_ENTRY);
    CU_ASSERT_EQUAL_FATAL(rlen, 6);
    CU_ASSERT_EQUAL(req[4], 0x00);
    CU_ASSERT_EQUAL(req[5], 0xff);
    f->entry++;
    if (f->fail_entry_at && f->entry == (unsigned)f->fail_entry_at) {
        *cc = IPMI_CC_UNSPECIFIED;
        return;
    }
    uint16_t resv = (uint16_t)(req[0] | req[1] << 8);
    if (f->cancel > 0 || (resv && resv != f->resv)) {
        if (f->cancel > 0)
            f->cancel--;
        *cc = IPMI_CC_RESERVATION_CANCELLED;
        return;
    }
    uint16_t id = (uint16_t)(req[2] | req[3] << 8);
    size_t i;
    if (!f->n) {
        *cc = IPMI_CC_NOT_PRESENT;
        return;
    }
    if (id == SEL_ID_FIRST) {
        i = 0;
    } else if (id == SEL_ID_LAST) {
        i = f->n - 1;
    } else {
        for (i = 0; i < f->n && id_at(f, i) != id; i++)
            ;
        if (i == f->n) {
            *cc = IPMI_CC_NOT_PRESENT;
            return;
        }
    }
    uint16_t next = i + 1 < f->n ? id_at(f, i + 1) : (f->loop ? id_at(f, 0) : SEL_ID_LAST);
    rsp[0] = (uint8_t)next;
    rsp[1] = (uint8_t)(next >> 8);
    memcpy(rsp + 2, f->rec[i], 16);
    *len = 18;
    if (f->delete_after && f->entry == f->delete_after) {
        f->delete_after = 0;
        fake_delete(f, f->delete_index);
    }
}

/* Every record ever reported as new, to catch duplicates and losses. */
struct seen_log {
    uint8_t rec[4 * FAKE_MAX][16];
    size_t n;
};
static struct seen_log seen;

static struct sel_poll_result poll_once(struct fake_sel *f, struct sel_state *st, bool resv,
                                        bool guess)
{
    struct sel_poll p;
    sel_poll_begin(&p, st, resv, guess);
    for (int i = 0; i < 20000; i++) {
        uint8_t cmd, req[6], rsp[32], cc;
        size_t rlen = sel_poll_request(&p, &cmd, req), len;
        fake_answer(f, cmd, req, rlen, &cc, rsp, &len);
        if (sel_poll_on_rsp(&p, cc, rsp, len) == SEL_ACT_DONE)
            break;
    }
    CU_ASSERT_EQUAL(p.phase, SEL_PH_DONE);
    /* the new records are the newest of the ring */
    size_t k = p.res.new_entries < st->count ? p.res.new_entries : st->count;
    for (size_t i = st->count - k; i < st->count; i++) {
        CU_ASSERT_FATAL(seen.n < sizeof(seen.rec) / 16);
        memcpy(seen.rec[seen.n++], sel_state_entry(st, i), 16);
    }
    return p.res;
}

static size_t seen_count(const uint8_t *rec)
{
    size_t c = 0;
    for (size_t i = 0; i < seen.n; i++)
        c += !memcmp(seen.rec[i], rec, 16);
    return c;
}

/* The ring holds exactly the newest records of the SEL, in order. */
static void ring_mirrors(const struct fake_sel *f, const struct sel_state *st)
{
    size_t k = f->n < st->cap ? f->n : st->cap;
    CU_ASSERT_EQUAL_FATAL(st->count, k);
    for (size_t i = 0; i < k; i++)
        CU_ASSERT(!memcmp(sel_state_entry(st, i), f->rec[f->n - k + i], 16));
    /* sequence numbers (ipmiSelIndex): increasing in ring order, never 0 */
    for (size_t i = 0; i < k; i++) {
        CU_ASSERT(sel_state_entry_seq(st, i) > 0);
        if (i)
            CU_ASSERT(sel_state_entry_seq(st, i) > sel_state_entry_seq(st, i - 1));
    }
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, k), 0); /* out of range */
}

static struct fake_sel fs;

static void test_reader_incremental(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_EQUAL(st->cap, SEL_RING_DEFAULT);
    for (int i = 0; i < 1000; i++)
        fake_add(&fs, (uint8_t)i);

    /* first poll of 1000 records: Get SEL Info + Reserve SEL + 1000 Get SEL Entry */
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT_EQUAL(r.new_entries, 1000);
    CU_ASSERT_EQUAL(r.requests, 1002);
    CU_ASSERT_EQUAL(r.entry_requests, 1000);
    CU_ASSERT_EQUAL(fs.entry, 1000);
    CU_ASSERT_EQUAL(st->count, 256);
    CU_ASSERT_EQUAL(st->last_id, 1000);
    CU_ASSERT_FALSE(r.cleared);
    ring_mirrors(&fs, st);

    /* nothing new: one request */
    fs.info = fs.reserve = fs.entry = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.requests, 1);
    CU_ASSERT_EQUAL(r.new_entries, 0);
    CU_ASSERT_EQUAL(fs.entry, 0);

    /* one new record: Info + Reserve + 1 Get SEL Entry */
    fake_add(&fs, 0x77);
    fs.info = fs.reserve = fs.entry = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.new_entries, 1);
    CU_ASSERT_EQUAL(r.requests, 3);
    CU_ASSERT_EQUAL(fs.entry, 1);
    ring_mirrors(&fs, st);

    /* five new: exactly five Get SEL Entry */
    for (int i = 0; i < 5; i++)
        fake_add(&fs, 0x78);
    fs.info = fs.reserve = fs.entry = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.new_entries, 5);
    CU_ASSERT_EQUAL(fs.entry, 5);
    CU_ASSERT_EQUAL(r.entry_requests, 5);
    CU_ASSERT_EQUAL(r.requests, 7);
    ring_mirrors(&fs, st);

    /* without the guess: re-read the last record first (6) */
    for (int i = 0; i < 5; i++)
        fake_add(&fs, 0x79);
    fs.entry = 0;
    r = poll_once(&fs, st, true, false);
    CU_ASSERT_EQUAL(r.new_entries, 5);
    CU_ASSERT_EQUAL(fs.entry, 6);
    /* without a reservation */
    fake_add(&fs, 0x7a);
    fs.reserve = fs.entry = 0;
    r = poll_once(&fs, st, false, true);
    CU_ASSERT_EQUAL(r.requests, 2);
    CU_ASSERT_EQUAL(fs.reserve, 0);
    /* a SEL that does not support Reserve SEL */
    fs.op = 0;
    fake_add(&fs, 0x7b);
    fs.reserve = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.requests, 2);
    CU_ASSERT_EQUAL(fs.reserve, 0);
    fs.op = SEL_OP_RESERVE;

    /* every record reported once; of the first 1000 only the newest 256
     * were still in the ring to be looked at */
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT_EQUAL(seen_count(fs.rec[i]), i < 1000 - 256 ? 0 : 1);
    CU_ASSERT_EQUAL(seen.n, fs.n - (1000 - 256));
    CU_ASSERT_EQUAL(st->ctr.new_entries, fs.n);
    CU_ASSERT_EQUAL(st->ctr.clears, 0);
    sel_state_free(st);
}

/* IDs that are not sequential (steps of 16): the guess misses, the re-read finds the way. */
/* A snapshot holds the ring's records (sel_state_ring_hold): what it points
 * at stays as it was while the reader wraps the ring, clears and compacts;
 * the reader writes a copy.  Without a hold the records are written in place. */
static void test_ring_hold(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(8);
    for (int i = 0; i < 8; i++)
        fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    ring_mirrors(&fs, st);
    /* no hold: an append writes in place (the same storage) */
    const uint8_t *first = sel_state_entry(st, 0);
    fake_add(&fs, 2);
    poll_once(&fs, st, true, true);
    ring_mirrors(&fs, st);
    CU_ASSERT_PTR_EQUAL(sel_state_entry(st, 7), first); /* the oldest slot was reused */

    const struct sel_ring_buf *h = sel_state_ring_hold(st);
    const uint8_t *held[8];
    uint8_t copy[8][16];
    for (size_t i = 0; i < 8; i++) {
        held[i] = sel_state_entry(st, i);
        memcpy(copy[i], held[i], 16);
    }
    /* wrap the ring completely, then clear and rescan */
    for (int i = 0; i < 10; i++)
        fake_add(&fs, 3);
    poll_once(&fs, st, true, true);
    ring_mirrors(&fs, st);
    fake_clear(&fs);
    for (int i = 0; i < 2; i++)
        fake_add(&fs, 4);
    poll_once(&fs, st, true, true);
    ring_mirrors(&fs, st);
    for (size_t i = 0; i < 8; i++)
        CU_ASSERT(!memcmp(held[i], copy[i], 16));
    CU_ASSERT(sel_state_entry(st, 0) != held[0] && sel_state_entry(st, 0) != held[1]);
    sel_ring_unhold(h); /* the copy is freed here (ASan / valgrind would see a leak) */
    sel_ring_unhold(NULL);

    /* a hold taken and dropped before the next poll: written in place again */
    const uint8_t *now = sel_state_entry(st, 0);
    sel_ring_unhold(sel_state_ring_hold(st));
    fake_add(&fs, 5);
    poll_once(&fs, st, true, true);
    ring_mirrors(&fs, st);
    CU_ASSERT_PTR_EQUAL(sel_state_entry(st, 0), now);
    sel_state_free(st);
}

static void test_reader_sparse_ids(void)
{
    seen.n = 0;
    fake_init(&fs, 16);
    struct sel_state *st = sel_state_new(64);
    for (int i = 0; i < 10; i++)
        fake_add(&fs, 1);
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.new_entries, 10);
    for (int i = 0; i < 5; i++)
        fake_add(&fs, 2);
    fs.entry = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.new_entries, 5);
    CU_ASSERT_EQUAL(fs.entry, 7); /* CBh for last+1, re-read last, 5 new */
    CU_ASSERT_EQUAL(st->ctr.guess_misses, 1);
    CU_ASSERT_EQUAL(st->ctr.clears, 0); /* a missed guess is not a clear */
    ring_mirrors(&fs, st);

    /* last + 1 exists but is an old record (IDs handed out by slot): refused */
    fake_init(&fs, 1);
    sel_state_free(st);
    st = sel_state_new(64);
    seen.n = 0;
    for (int i = 0; i < 3; i++)
        fake_add(&fs, 1);
    poll_once(&fs, st, true, true); /* IDs 1 2 3 */
    /* the BMC reuses slot 1 for a new record placed last: IDs 2 3 1 */
    uint8_t first[16];
    memcpy(first, fs.rec[0], 16);
    memmove(fs.rec[0], fs.rec[1], 32);
    fs.n = 2;
    fs.next_id = 4;
    fake_add(&fs, 9);
    fs.rec[2][0] = 0x04; /* ID 4 */
    /* and an old record with ID 4 would confuse a blind guess: we compare */
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.new_entries, 1);
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT_EQUAL(seen_count(fs.rec[i]), 1);
    sel_state_free(st);
}

/* Clear SEL, erase timestamp moves, IDs start over: resync, nothing twice. */
static void test_reader_clear(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(32);
    for (int i = 0; i < 20; i++)
        fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    fake_clear(&fs);
    for (int i = 0; i < 3; i++)
        fake_add(&fs, 2);
    fs.entry = 0;
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.new_entries, 3);
    CU_ASSERT_EQUAL(st->ctr.clears, 1);
    /* the erase timestamp moved: one scan of the 3 records, which knows none
     * of them and so keeps them all as new; no second read */
    CU_ASSERT_EQUAL(fs.entry, 3);
    ring_mirrors(&fs, st);
    /* sequence numbers are not reused after a clear: the 20 before had 1..20 */
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 21);
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT_EQUAL(seen_count(fs.rec[i]), 1);
    CU_ASSERT_EQUAL(seen.n, 23);

    /* cleared, and as many new records as before: the remembered ID exists
     * again with other bytes */
    fake_clear(&fs);
    for (int i = 0; i < 5; i++)
        fake_add(&fs, 3);
    r = poll_once(&fs, st, true, true);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.new_entries, 5);
    ring_mirrors(&fs, st);

    /* a BMC that does not move the erase timestamp: CBh tells */
    fs.no_erase_ts = true;
    fake_clear(&fs);
    for (int i = 0; i < 2; i++)
        fake_add(&fs, 4);
    r = poll_once(&fs, st, true, true);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.new_entries, 2);
    CU_ASSERT_EQUAL(st->ctr.clears, 3);
    ring_mirrors(&fs, st);

    /* emptied: the ring empties too */
    fake_clear(&fs);
    r = poll_once(&fs, st, true, true);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.requests, 1);
    CU_ASSERT_EQUAL(st->count, 0);
    /* and fills again from the first record */
    fake_add(&fs, 5);
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.new_entries, 1);
    ring_mirrors(&fs, st);

    for (size_t i = 0; i < seen.n; i++)
        CU_ASSERT_EQUAL(seen_count(seen.rec[i]), 1);
    sel_state_free(st);
}

/* Our last record deleted, older ones kept, more records than the ring holds. */
static void test_reader_delete(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(16);
    for (int i = 0; i < 100; i++)
        fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    fake_delete(&fs, fs.n - 1);
    fake_delete(&fs, 90); /* one inside the ring too */
    fake_add(&fs, 2);
    fake_add(&fs, 2);
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.new_entries, 2); /* the 84 older records are not new */
    CU_ASSERT_EQUAL(st->ctr.resyncs, 1);
    ring_mirrors(&fs, st);
    /* nothing twice; everything the ring holds was reported */
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT(seen_count(fs.rec[i]) <= 1);
    for (size_t i = 0; i < st->count; i++)
        CU_ASSERT_EQUAL(seen_count(sel_state_entry(st, i)), 1);
    /* a quiet poll afterwards */
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.requests, 1);
    sel_state_free(st);
}

/* A record we are about to read is deleted under us: scan, nothing twice. */
static void test_reader_vanish(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(12);
    for (int i = 0; i < 10; i++)
        fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    for (int i = 0; i < 5; i++)
        fake_add(&fs, 2); /* IDs 11-15 */
    fs.entry = 0;
    fs.delete_after = 2; /* after 11 and 12 are read, 13 goes */
    fs.delete_index = 12;
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.new_entries, 4); /* 11, 12, then 14, 15 after the scan */
    CU_ASSERT_EQUAL(st->ctr.resyncs, 1);
    ring_mirrors(&fs, st);
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT(seen_count(fs.rec[i]) <= 1);
    for (size_t i = 0; i < st->count; i++)
        CU_ASSERT_EQUAL(seen_count(sel_state_entry(st, i)), 1);
    sel_state_free(st);
}

static void test_reader_reservation(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(64);
    for (int i = 0; i < 10; i++)
        fake_add(&fs, 1);
    fs.cancel = 2; /* the first two Get SEL Entry answers are C5h */
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT_EQUAL(r.new_entries, 10);
    CU_ASSERT_EQUAL(fs.reserve, 3);
    CU_ASSERT_EQUAL(st->ctr.cancelled, 2);
    CU_ASSERT_EQUAL(st->ctr.reservations, 3);
    CU_ASSERT_EQUAL(r.requests, 1 + 3 + 12);
    ring_mirrors(&fs, st);

    /* somebody else reserves in the middle: our ID goes stale, we re-reserve */
    for (int i = 0; i < 3; i++)
        fake_add(&fs, 2);
    fs.resv += 5;
    fs.reserve = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT_EQUAL(r.new_entries, 3);

    /* C5h for ever: gives up, bounded */
    fake_add(&fs, 3);
    fs.cancel = 1000;
    fs.reserve = fs.entry = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_FAILED);
    CU_ASSERT_EQUAL(r.cc, IPMI_CC_RESERVATION_CANCELLED);
    CU_ASSERT_EQUAL(r.failed_cmd, SEL_CMD_GET_ENTRY);
    CU_ASSERT(fs.entry <= 6);
    /* and the next poll picks up the record */
    fs.cancel = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.new_entries, 1);
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT_EQUAL(seen_count(fs.rec[i]), 1);
    sel_state_free(st);
}

static void test_reader_failures(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(64);
    for (int i = 0; i < 10; i++)
        fake_add(&fs, 1);
    /* the 4th Get SEL Entry fails: 3 records kept, the rest next time */
    fs.fail_entry_at = 4;
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_FAILED);
    CU_ASSERT_EQUAL(r.new_entries, 3);
    CU_ASSERT_EQUAL(st->ctr.polls_failed, 1);
    fs.fail_entry_at = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT_EQUAL(r.new_entries, 7);
    ring_mirrors(&fs, st);

    /* a failure in the middle of a scan: the next poll scans again */
    fake_delete(&fs, fs.n - 1);
    fake_add(&fs, 2);
    fs.entry = 0;
    fs.fail_entry_at = 4; /* guess, re-read (CBh), scan 1, scan 2 fails */
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_FAILED);
    CU_ASSERT(st->need_resync);
    fs.fail_entry_at = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT_FALSE(st->need_resync);
    ring_mirrors(&fs, st);
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT_EQUAL(seen_count(fs.rec[i]), 1);

    /* transport error */
    struct sel_poll p;
    sel_poll_begin(&p, st, true, true);
    CU_ASSERT_EQUAL(sel_poll_on_error(&p, BMC_E_TIMEOUT), SEL_ACT_DONE);
    CU_ASSERT_EQUAL(p.res.status, SEL_POLL_FAILED);
    CU_ASSERT_EQUAL(p.res.bmc_err, BMC_E_TIMEOUT);
    CU_ASSERT_EQUAL(p.res.failed_cmd, SEL_CMD_GET_INFO);
    /* Get SEL Info errors */
    sel_poll_begin(&p, st, true, true);
    CU_ASSERT_EQUAL(sel_poll_on_info(&p, IPMI_CC_INVALID_COMMAND, NULL, 0), SEL_ACT_DONE);
    CU_ASSERT_EQUAL(p.res.cc, IPMI_CC_INVALID_COMMAND);
    sel_poll_begin(&p, st, true, true);
    static const uint8_t short_info[5] = {0x51, 1, 0, 0, 0};
    CU_ASSERT_EQUAL(sel_poll_on_info(&p, 0, short_info, 5), SEL_ACT_DONE);
    CU_ASSERT_EQUAL(p.res.codec_err, CODEC_E_TRUNCATED);

    /* a "next" chain that loops back to the first record: the new record is
     * taken, then the loop is seen at the first record we hold */
    fs.loop = true;
    fake_add(&fs, 3);
    fs.entry = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_FAILED);
    CU_ASSERT(r.loop);
    CU_ASSERT_EQUAL(r.loop_id, 1);
    CU_ASSERT_EQUAL(r.codec_err, CODEC_E_FIELD);
    CU_ASSERT_EQUAL(r.new_entries, 1);
    CU_ASSERT(fs.entry <= 3);
    for (size_t i = 0; i < fs.n; i++)
        CU_ASSERT_EQUAL(seen_count(fs.rec[i]), 1);
    sel_state_free(st);
}

/* A -> B -> A: each record once, then a clear error; the same on the next polls. */
static void test_reader_cycle(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    fs.loop = true;
    struct sel_state *st = sel_state_new(64);
    fake_add(&fs, 1); /* A = ID 1 */
    fake_add(&fs, 2); /* B = ID 2, whose next is A */
    fs.entry = 0;
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_FAILED);
    CU_ASSERT(r.loop);
    CU_ASSERT_EQUAL(r.loop_id, 1);
    CU_ASSERT_EQUAL(r.new_entries, 2);
    CU_ASSERT_EQUAL(fs.entry, 2); /* A, B: A is not asked for again */
    CU_ASSERT_EQUAL(st->count, 2);
    CU_ASSERT_EQUAL(st->ctr.loops, 1);
    char text[128];
    sel_poll_result_text(&r, text, sizeof(text));
    CU_ASSERT_STRING_EQUAL(text, "Get SEL Entry: record chain loops at ID 0001h");
    /* polls after it: no record is new again, the loop is reported again */
    for (int k = 0; k < 3; k++) {
        fs.entry = 0;
        r = poll_once(&fs, st, true, true);
        CU_ASSERT_EQUAL(r.status, SEL_POLL_FAILED);
        CU_ASSERT(r.loop);
        CU_ASSERT_EQUAL(r.new_entries, 0);
        CU_ASSERT(fs.entry <= 3);
    }
    CU_ASSERT_EQUAL(st->count, 2);
    CU_ASSERT_EQUAL(seen_count(fs.rec[0]), 1);
    CU_ASSERT_EQUAL(seen_count(fs.rec[1]), 1);
    CU_ASSERT_EQUAL(seen.n, 2);

    /* a loop met by a scan (the erase timestamp moved): A B C, C -> B */
    sel_state_free(st);
    st = sel_state_new(64);
    fake_init(&fs, 1);
    for (int i = 0; i < 3; i++)
        fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    fs.erase_ts++;
    fs.loop = true;
    fake_add(&fs, 2); /* D, whose next is A: A B C D A */
    seen.n = 0;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(r.status, SEL_POLL_FAILED);
    CU_ASSERT(r.loop);
    CU_ASSERT_EQUAL(r.loop_id, 1);
    CU_ASSERT_EQUAL(r.new_entries, 1); /* D */
    CU_ASSERT(seen.n == 1 && !memcmp(seen.rec[0], fs.rec[3], 16));
    sel_state_free(st);
}

/* Index probes of one scan of n records that are all in an n-entry ring. */
static uint64_t scan_probes(size_t n)
{
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new((uint32_t)n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    for (size_t i = 0; i < n; i++)
        fake_add(&fs, (uint8_t)i);
    seen.n = 0;
    struct sel_poll_result r = poll_once(&fs, st, false, true);
    CU_ASSERT_EQUAL(r.new_entries, n);
    /* the BMC moves its erase timestamp: every poll scans the whole SEL */
    fs.erase_ts++;
    seen.n = 0;
    uint64_t before = st->ctr.index_probes;
    r = poll_once(&fs, st, false, true);
    uint64_t probes = st->ctr.index_probes - before;
    CU_ASSERT_EQUAL(r.status, SEL_POLL_OK);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.new_entries, 0);
    CU_ASSERT_EQUAL(st->count, n);
    CU_ASSERT_EQUAL(st->ctr.resyncs, 1);
    /* a handful of probes per record, not one per ring entry */
    CU_ASSERT(probes >= n && probes <= 4 * n);
    sel_state_free(st);
    return probes;
}

/* The scan after a moved erase timestamp is linear in the records, not quadratic. */
static void test_reader_scan_linear(void)
{
    uint64_t small = scan_probes(1024), big = scan_probes(4096);
    /* 4 times the records: about 4 times the probes (16 times if quadratic) */
    CU_ASSERT(big < 6 * small);
}

/* Sequence numbers: one per appended entry, rising, never reused. */
static void test_sequence_numbers(void)
{
    seen.n = 0;
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(8);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 0); /* empty */
    for (int i = 0; i < 5; i++)
        fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(sel_state_entry_seq(st, i), i + 1);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 5), 0);
    /* 15 more: the ring keeps the newest 8, numbered 13 to 20 */
    for (int i = 0; i < 15; i++)
        fake_add(&fs, 2);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(st->count, 8);
    for (size_t i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(sel_state_entry_seq(st, i), 13 + i);
    /* a record inside the ring deleted: the others keep their numbers */
    fake_delete(&fs, fs.n - 4); /* the one numbered 17 */
    fake_add(&fs, 3);
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(r.new_entries, 1);
    static const uint32_t after_delete[] = {14, 15, 16, 18, 19, 20, 21};
    CU_ASSERT_EQUAL(st->count, 8);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 13);
    for (size_t i = 0; i < 7; i++)
        CU_ASSERT_EQUAL(sel_state_entry_seq(st, i + 1), after_delete[i]);
    /* cleared: the numbers go on, IDs start over */
    fake_clear(&fs);
    fake_add(&fs, 4);
    r = poll_once(&fs, st, true, true);
    CU_ASSERT(r.cleared);
    CU_ASSERT_EQUAL(st->count, 1);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 22);
    /* restored after a restart: raised, never lowered */
    sel_state_set_next_seq(st, 1000);
    sel_state_set_next_seq(st, 5);
    fake_add(&fs, 5);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 22);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 1), 1000);
    sel_state_free(st);
    /* a new state starts at 1, or where it is told to */
    st = sel_state_new(4);
    sel_state_set_next_seq(st, 77);
    fake_init(&fs, 1);
    fake_add(&fs, 1);
    fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 77);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 1), 78);
    sel_state_free(st);
}

/* The ring's (seq, bytes), as the state file keeps them. */
static size_t ring_saved(const struct sel_state *st, struct sel_seq_saved *out)
{
    for (size_t i = 0; i < sel_state_count(st); i++) {
        out[i].seq = sel_state_entry_seq(st, i);
        memcpy(out[i].raw, sel_state_entry(st, i), SEL_RECORD_LEN);
    }
    return sel_state_count(st);
}

static void test_restore_seqs(void)
{
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(4);
    for (int i = 0; i < 6; i++)
        fake_add(&fs, (uint8_t)i);
    poll_once(&fs, st, true, true);
    fake_add(&fs, 6);
    fake_add(&fs, 7);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 5);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 3), 8);
    struct sel_seq_saved saved[4];
    size_t n = ring_saved(st, saved);
    uint32_t next = st->next_seq;
    CU_ASSERT_EQUAL(next, 9);
    CU_ASSERT_EQUAL(sel_state_restore_seqs(st, saved, n, next), -1); /* a poll has run */
    sel_state_free(st);

    /* restart: one record came meanwhile; the other three keep their numbers */
    fake_add(&fs, 8);
    st = sel_state_new(4);
    CU_ASSERT_EQUAL(sel_state_restore_seqs(st, saved, n, next), 0);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_count(st), 4);
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(sel_state_entry_seq(st, i), 6 + i);
    CU_ASSERT_EQUAL(memcmp(sel_state_entry(st, 0), saved[1].raw, SEL_RECORD_LEN), 0);
    fake_add(&fs, 9); /* numbering goes on above everything given before */
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 3), 10);
    sel_state_free(st);

    /* a first poll that fails before reading anything keeps the saved numbers for the next one */
    st = sel_state_new(4);
    CU_ASSERT_EQUAL(sel_state_restore_seqs(st, saved, n, next), 0);
    struct sel_poll p;
    sel_poll_begin(&p, st, true, true);
    CU_ASSERT_EQUAL(sel_poll_on_error(&p, BMC_E_TIMEOUT), SEL_ACT_DONE);
    CU_ASSERT_EQUAL(sel_state_count(st), 0);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 7);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 3), 10);
    sel_state_free(st);

    /* saved numbers out of order along the SEL: order wins, the rest get fresh ones */
    fake_init(&fs, 1);
    for (int i = 0; i < 4; i++)
        fake_add(&fs, (uint8_t)i);
    struct sel_seq_saved odd[4];
    for (size_t i = 0; i < 4; i++)
        memcpy(odd[i].raw, fs.rec[i], SEL_RECORD_LEN);
    odd[0].seq = 20;
    odd[1].seq = 30;
    odd[2].seq = 25; /* below its predecessor */
    odd[3].seq = 31;
    st = sel_state_new(8);
    CU_ASSERT_EQUAL(sel_state_restore_seqs(st, odd, 4, 40), 0);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 20);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 1), 30);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 2), 40);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 3), 41);
    CU_ASSERT_EQUAL(st->next_seq, 42);
    sel_state_free(st);

    /* a cleared SEL (no match): fresh numbers from the saved next */
    fake_clear(&fs);
    fake_add(&fs, 1);
    st = sel_state_new(8);
    CU_ASSERT_EQUAL(sel_state_restore_seqs(st, odd, 4, 40), 0);
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(sel_state_count(st), 1);
    CU_ASSERT_EQUAL(sel_state_entry_seq(st, 0), 40);
    sel_state_free(st);
}

static void test_statefile(void)
{
    char dir[] = "/tmp/test_sel.XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    char err[700], path[700];
    struct sel_statefile f = {.have_mark = true,
                              .mark_seq = 7,
                              .mark_record_id = 0x1234,
                              .mark_time = 0x65a5e001,
                              .mark_hash = 0x0123456789abcdefull,
                              .next_seq = 9};
    struct sel_seq_saved e[2] = {{.seq = 7}, {.seq = 8}};
    for (int i = 0; i < 16; i++) {
        e[0].raw[i] = (uint8_t)i;
        e[1].raw[i] = (uint8_t)(0xF0 + i);
    }
    f.e = e;
    f.n = 2;
    CU_ASSERT_EQUAL(sel_statefile_save(dir, 3, &f, err, sizeof(err)), 0);
    struct sel_statefile g;
    CU_ASSERT_EQUAL(sel_statefile_load(dir, 3, &g, err, sizeof(err)), 1);
    CU_ASSERT(g.have_mark);
    CU_ASSERT_EQUAL(g.mark_seq, 7);
    CU_ASSERT_EQUAL(g.mark_record_id, 0x1234);
    CU_ASSERT_EQUAL(g.mark_time, 0x65a5e001);
    CU_ASSERT_EQUAL(g.mark_hash, 0x0123456789abcdefull);
    CU_ASSERT_EQUAL(g.next_seq, 9);
    CU_ASSERT_EQUAL_FATAL(g.n, 2);
    CU_ASSERT_EQUAL(g.e[1].seq, 8);
    CU_ASSERT_EQUAL(memcmp(g.e[1].raw, e[1].raw, 16), 0);
    sel_statefile_clear(&g);
    CU_ASSERT_EQUAL(sel_statefile_load(dir, 4, &g, err, sizeof(err)), 0); /* no file */
    /* version 1: the mark alone */
    CU_ASSERT(sel_statefile_path(dir, 5, path, sizeof(path)));
    FILE *fp = fopen(path, "w");
    CU_ASSERT_FATAL(fp != NULL);
    fprintf(fp, "12 34 56 00000000000000ab\n");
    fclose(fp);
    CU_ASSERT_EQUAL(sel_statefile_load(dir, 5, &g, err, sizeof(err)), 1);
    CU_ASSERT(g.have_mark);
    CU_ASSERT_EQUAL(g.mark_seq, 12);
    CU_ASSERT_EQUAL(g.mark_hash, 0xab);
    CU_ASSERT_EQUAL(g.n, 0);
    sel_statefile_clear(&g);
    /* garbage: an error naming FILE:LINE */
    fp = fopen(path, "w");
    CU_ASSERT_FATAL(fp != NULL);
    fprintf(fp, "# ipmi-snmp-bridge SEL state 2\nnext 5\ne 3 zz\n");
    fclose(fp);
    CU_ASSERT_EQUAL(sel_statefile_load(dir, 5, &g, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "sel-5.state:3"));
    CU_ASSERT_EQUAL(g.next_seq, 5);
    sel_statefile_clear(&g);
    unlink(path);
    CU_ASSERT(sel_statefile_path(dir, 3, path, sizeof(path)));
    unlink(path);
    rmdir(dir);
}

static void test_reader_overflow(void)
{
    fake_init(&fs, 1);
    struct sel_state *st = sel_state_new(8);
    fake_add(&fs, 1);
    poll_once(&fs, st, true, true);
    fs.op |= SEL_OP_OVERFLOW;
    struct sel_poll_result r = poll_once(&fs, st, true, true);
    CU_ASSERT(r.overflow);
    CU_ASSERT_EQUAL(st->ctr.overflows, 1);
    r = poll_once(&fs, st, true, true);
    CU_ASSERT(r.overflow);
    CU_ASSERT_EQUAL(st->ctr.overflows, 1); /* counted once per rising edge */
    fs.op &= (uint8_t)~SEL_OP_OVERFLOW;
    r = poll_once(&fs, st, true, true);
    CU_ASSERT_FALSE(r.overflow);
    fs.op |= SEL_OP_OVERFLOW;
    poll_once(&fs, st, true, true);
    CU_ASSERT_EQUAL(st->ctr.overflows, 2);
    CU_ASSERT_PTR_NULL(sel_state_entry(st, 8));
    sel_state_free(st);
    sel_state_free(NULL);
}

int main(void)
{
    CU_TestInfo codec[] = {
        {"threshold event: trigger reading and threshold", test_threshold},
        {"discrete, sensor-specific, deassertion", test_discrete},
        {"timestamps: absolute, pre-init, unspecified", test_timestamps},
        {"OEM records C0h and E0h", test_oem},
        {"Get SEL Info / Reserve SEL / Get SEL Entry", test_commands},
        {"random records", test_noise},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo reader[] = {
        {"incremental polls: request counts", test_reader_incremental},
        {"sparse record IDs", test_reader_sparse_ids},
        {"a held ring is copied on write", test_ring_hold},
        {"clear: resync without duplicates", test_reader_clear},
        {"deleted records", test_reader_delete},
        {"a record vanishes during the read", test_reader_vanish},
        {"C5h re-reserves", test_reader_reservation},
        {"failures resume", test_reader_failures},
        {"overflow flag", test_reader_overflow},
        {"record chain cycles: no duplicates, an error", test_reader_cycle},
        {"scan after an erase timestamp move is linear", test_reader_scan_linear},
        {"entry sequence numbers", test_sequence_numbers},
        {"sequence numbers restored after a restart", test_restore_seqs},
        {"SEL state file v2 and v1", test_statefile},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"sel codec", NULL, NULL, NULL, NULL, codec},
        {"sel reader", NULL, NULL, NULL, NULL, reader},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_sel", suites);
}
