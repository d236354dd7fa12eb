/*
 * test_fru.c - the FRU inventory codec (FRU Information Storage Definition
 * v1.0 rev 1.3) and the FRU reader's state machine.  Images are built here
 * field by field; every parse works on a heap copy of exactly the image
 * length, so a sanitizer build catches any over-read.
 *
 * The image of full_image() is also tests/fuzz/corpus/fru/full.bin; `ipmi-fru
 * --fru-file` on it prints the texts asserted in test_full_image().
 */
#include <stdlib.h>
#include <string.h>

#include "fru.h"
#include "fru_reader.h"
#include "ipmi_msg.h"
#include "unit.h"

/* ---- image builder ---------------------------------------------------------- */

struct buf {
    uint8_t b[4096];
    size_t len;
};

static void put(struct buf *b, const void *p, size_t n)
{
    CU_ASSERT_FATAL(b->len + n <= sizeof(b->b));
    memcpy(b->b + b->len, p, n);
    b->len += n;
}

static void put1(struct buf *b, uint8_t v)
{
    put(b, &v, 1);
}

/* type/length byte + data */
static void field(struct buf *b, uint8_t type, const void *data, size_t n)
{
    put1(b, (uint8_t)(type << 6 | n));
    put(b, data, n);
}

static void text(struct buf *b, const char *s)
{
    field(b, FRU_TL_TEXT, s, strlen(s));
}

static uint8_t zero_sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return (uint8_t)-s;
}

/* Close an info area that starts at `start`: C1h, pad, length byte, checksum. */
static void area_close(struct buf *b, size_t start)
{
    put1(b, FRU_TL_END);
    while ((b->len - start + 1) % 8)
        put1(b, 0);
    b->b[start + 1] = (uint8_t)((b->len - start + 1) / 8);
    put1(b, zero_sum(b->b + start, b->len - start));
}

/* One multirecord: header (with both checksums) + data. */
static void multirec(struct buf *b, uint8_t type, bool last, const uint8_t *d, size_t n)
{
    uint8_t h[5] = {type, (uint8_t)(0x02 | (last ? 0x80 : 0)), (uint8_t)n, zero_sum(d, n), 0};
    h[4] = zero_sum(h, 4);
    put(b, h, 5);
    put(b, d, n);
}

static void header(struct buf *b, uint8_t chassis, uint8_t board, uint8_t product, uint8_t mr)
{
    uint8_t h[8] = {0x01, 0x00, chassis, board, product, mr, 0x00, 0};
    h[7] = zero_sum(h, 7);
    memcpy(b->b, h, 8);
}

/* 2024-01-15 12:00 UTC = 14747760 minutes after 1996-01-01 (tests/ipmisim/mkfru.py) */
#define MFG_MINUTES 14747760u
#define MFG_UNIX    1705320000LL

static const uint8_t psu_rec[24] = {
    0xee, 0x02,             /* capacity 750 W */
    0x84, 0x03,             /* peak 900 VA */
    0x14, 0x0a,             /* inrush 20 A, 10 ms */
    0x28, 0x23,             /* low end input 1: 9000 * 10 mV = 90 V */
    0x20, 0x67,             /* high end input 1: 26400 = 264 V */
    0x00, 0x00, 0x00, 0x00, /* no range 2 */
    47,   63,               /* 47-63 Hz */
    20,                     /* dropout 20 ms */
    0x0e,                   /* PFC, autoswitch, hot swap */
    0x20, 0x13,             /* peak 800 W (320h), hold-up 1 s */
    0x02,                   /* combined: 12 V and 5 V */
    0x58, 0x02,             /* combined 600 W */
    0x00,                   /* tach threshold */
};

static const uint8_t dc_rec[13] = {
    0x81,       /* standby, output 1 */
    0xb0, 0x04, /* 1200 * 10 mV = 12.00 V */
    0x32, 0x00, /* -0.50 V */
    0x32, 0x00, /* +0.50 V */
    0x78, 0x00, /* ripple 120 mV */
    0x00, 0x00, /* 0 mA */
    0x50, 0xc3, /* 50000 mA */
};

/*
 * Chassis (rack mount, 2 custom fields), board (date, Latin-1 manufacturer,
 * 6-bit product name, BCD serial, binary custom), product (all fields,
 * custom), multirecords: PSU, DC output, management access URL, an OEM
 * record and a base compatibility record (shown as hex).
 */
static void full_image(struct buf *b)
{
    memset(b, 0, sizeof(*b));
    b->len = 8;
    /* chassis at 8 */
    size_t c = b->len;
    put1(b, 0x01);
    put1(b, 0);
    put1(b, 0x17);
    text(b, "CH-PN-0001");
    text(b, "CH-SN-0001");
    text(b, "chassis custom 1");
    field(b, FRU_TL_BCDPLUS, "\x12\x34", 2);
    area_close(b, c);
    /* board */
    size_t bd = b->len;
    put1(b, 0x01);
    put1(b, 0);
    put1(b, FRU_LANG_ENGLISH);
    put1(b, (uint8_t)MFG_MINUTES);
    put1(b, (uint8_t)(MFG_MINUTES >> 8));
    put1(b, (uint8_t)(MFG_MINUTES >> 16));
    text(b, "Caf\xe9 Boards");                  /* Latin-1 e acute */
    field(b, FRU_TL_ASCII6, "\x29\xdc\xa6", 3); /* "IPMI" */
    field(b, FRU_TL_BCDPLUS, "\x12\xa3\x4b\x5c", 4);
    text(b, "BRD-PN-678");
    text(b, "");                                /* FRU file ID: empty */
    field(b, FRU_TL_BINARY, "\x0a\x1b\xff", 3); /* custom */
    area_close(b, bd);
    /* product */
    size_t pr = b->len;
    put1(b, 0x01);
    put1(b, 0);
    put1(b, FRU_LANG_ENGLISH_DEFAULT);
    text(b, "LabSystems");
    text(b, "SimServer 1000");
    text(b, "SS1000-A");
    text(b, "1.0");
    text(b, "PRD-SN-0001");
    text(b, "ASSET-42");
    text(b, "fru.xml");
    text(b, "product custom");
    area_close(b, pr);
    /* multirecord area */
    size_t mr = b->len;
    CU_ASSERT_FATAL(mr % 8 == 0);
    multirec(b, FRU_MR_POWER_SUPPLY, false, psu_rec, sizeof(psu_rec));
    multirec(b, FRU_MR_DC_OUTPUT, false, dc_rec, sizeof(dc_rec));
    static const char url[] = "\x01http://bmc.example/";
    multirec(b, FRU_MR_MGMT_ACCESS, false, (const uint8_t *)url, sizeof(url) - 1);
    static const uint8_t oem[] = {0x57, 0x01, 0x00, 0xde, 0xad};
    multirec(b, 0xC0, false, oem, sizeof(oem));
    static const uint8_t compat[] = {0x57, 0x01, 0x00, 0x07, 0x00, 0x01, 0x02};
    multirec(b, FRU_MR_BASE_COMPAT, true, compat, sizeof(compat));
    header(b, (uint8_t)(c / 8), (uint8_t)(bd / 8), (uint8_t)(pr / 8), (uint8_t)(mr / 8));
}

/* Parse a heap copy of exactly len bytes. */
static ssize_t parse_copy(const uint8_t *img, size_t len, struct fru_inventory *inv,
                          enum codec_err *err)
{
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    if (len)
        memcpy(copy, img, len);
    ssize_t n = fru_parse(copy, len, inv, err);
    free(copy);
    return n;
}

static struct fru_inventory inv; /* ~10 KB: keep it off the stack */

/* ---- type/length fields ------------------------------------------------------ */

static void decode_field(const char *hex, uint8_t lang, struct fru_field *f, ssize_t expect)
{
    uint8_t raw[80];
    int n = unit_hex(hex, raw, sizeof(raw));
    CU_ASSERT_FATAL(n > 0);
    enum codec_err e;
    ssize_t r = fru_field_decode(raw, (size_t)n, lang, f, &e);
    CU_ASSERT_EQUAL(r, expect);
    if (expect < 0)
        CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);
}

static void test_fields(void)
{
    struct fru_field f;
    /* 8-bit ASCII */
    decode_field("c3 41 42 43", 0, &f, 4);
    CU_ASSERT_STRING_EQUAL(f.text, "ABC");
    CU_ASSERT_EQUAL(f.type, FRU_TL_TEXT);
    CU_ASSERT_EQUAL(f.len, 3);
    CU_ASSERT_EQUAL(f.flags, FRU_FIELD_PRESENT);
    /* Latin-1 -> UTF-8, English (19h) */
    decode_field("c4 43 61 66 e9", FRU_LANG_ENGLISH, &f, 5);
    CU_ASSERT_STRING_EQUAL(f.text, "Caf\xc3\xa9");
    /* all 63 bytes Latin-1 high: 126 bytes of UTF-8 fit */
    {
        uint8_t raw[64];
        raw[0] = 0xff;
        memset(raw + 1, 0xff, 63);
        CU_ASSERT_EQUAL(fru_field_decode(raw, sizeof(raw), 0, &f, NULL), 64);
        CU_ASSERT_EQUAL(strlen(f.text), 126);
        CU_ASSERT_EQUAL((uint8_t)f.text[0], 0xc3);
        CU_ASSERT_EQUAL((uint8_t)f.text[1], 0xbf);
    }
    /* a NUL ends the text, as both tools print it */
    decode_field("c4 41 00 42 43", 0, &f, 5);
    CU_ASSERT_STRING_EQUAL(f.text, "A");
    /* UCS-2 LE for a language other than English: "Aé€" */
    decode_field("c6 41 00 e9 00 ac 20", 0x05, &f, 7);
    CU_ASSERT_STRING_EQUAL(f.text, "A\xc3\xa9\xe2\x82\xac");
    CU_ASSERT_EQUAL(f.flags, FRU_FIELD_PRESENT);
    /* odd UCS-2 length: last byte ignored, flagged */
    decode_field("c3 41 00 42", 0x05, &f, 4);
    CU_ASSERT_STRING_EQUAL(f.text, "A");
    CU_ASSERT(f.flags & FRU_FIELD_SUSPECT);
    /* a lone surrogate becomes U+FFFD */
    decode_field("c2 00 d8", 0x05, &f, 3);
    CU_ASSERT_STRING_EQUAL(f.text, "\xef\xbf\xbd");
    /* binary: hex */
    decode_field("03 0a 1b ff", 0, &f, 4);
    CU_ASSERT_STRING_EQUAL(f.text, "0a1bff");
    CU_ASSERT_EQUAL(f.type, FRU_TL_BINARY);
    /* BCD plus: high nibble first; A space, B dash, C period */
    decode_field("44 12 a3 4b 5c", 0, &f, 5);
    CU_ASSERT_STRING_EQUAL(f.text, "12 34-5.");
    CU_ASSERT_EQUAL(f.flags, FRU_FIELD_PRESENT);
    /* reserved D-F: ipmitool's characters, flagged */
    decode_field("42 de f0", 0, &f, 3);
    CU_ASSERT_STRING_EQUAL(f.text, ":,_0");
    CU_ASSERT(f.flags & FRU_FIELD_SUSPECT);
    /* 6-bit ASCII: 3 bytes -> 4 characters */
    decode_field("83 29 dc a6", 0, &f, 4);
    CU_ASSERT_STRING_EQUAL(f.text, "IPMI");
    CU_ASSERT_EQUAL(f.type, FRU_TL_ASCII6);
    /* 1 byte -> 1 character, 2 -> 2, 4 -> 5 (FreeIPMI's and the bit count's answer) */
    decode_field("81 29", 0, &f, 2);
    CU_ASSERT_STRING_EQUAL(f.text, "I");
    decode_field("82 29 dc", 0, &f, 3);
    CU_ASSERT_STRING_EQUAL(f.text, "IP");
    decode_field("84 29 dc a6 21", 0, &f, 5);
    CU_ASSERT_STRING_EQUAL(f.text, "IPMIA");
    /* 6-bit ASCII ignores the language */
    decode_field("83 29 dc a6", 0x05, &f, 4);
    CU_ASSERT_STRING_EQUAL(f.text, "IPMI");
    /* empty field */
    decode_field("c0", 0, &f, 1);
    CU_ASSERT_STRING_EQUAL(f.text, "");
    CU_ASSERT_EQUAL(f.flags, FRU_FIELD_PRESENT);
    decode_field("00", 0, &f, 1);
    CU_ASSERT_STRING_EQUAL(f.text, "");
    /* truncated */
    decode_field("c5 41 42", 0, &f, -1);
    CU_ASSERT_EQUAL(f.flags, 0);
    CU_ASSERT_EQUAL(fru_field_decode(NULL, 0, 0, &f, NULL), -1);
    /* every type at the full 63 bytes stays within FRU_TEXT_MAX */
    for (uint8_t t = 0; t < 4; t++) {
        uint8_t raw[64];
        raw[0] = (uint8_t)(t << 6 | 63);
        memset(raw + 1, 0xee, 63);
        CU_ASSERT_EQUAL(fru_field_decode(raw, 64, t == 3 ? 0x05 : 0, &f, NULL), 64);
        CU_ASSERT(strlen(f.text) < FRU_TEXT_MAX);
        CU_ASSERT(strlen(f.text) >= 63);
    }
}

/* ---- whole images -------------------------------------------------------------- */

static void test_full_image(void)
{
    struct buf b;
    full_image(&b);
    enum codec_err e;
    ssize_t n = parse_copy(b.b, b.len, &inv, &e);
    CU_ASSERT_EQUAL(n, (ssize_t)b.len);
    CU_ASSERT_EQUAL(e, CODEC_OK);

    const struct fru_chassis *c = &inv.chassis;
    CU_ASSERT(c->area.present);
    CU_ASSERT(c->area.checksum_ok);
    CU_ASSERT(c->area.end_marker);
    CU_ASSERT_EQUAL(c->area.err, CODEC_OK);
    CU_ASSERT_EQUAL(c->area.offset, 8);
    CU_ASSERT_EQUAL(c->type, 0x17);
    CU_ASSERT_STRING_EQUAL(fru_chassis_type_name(c->type), "Rack Mount Chassis");
    CU_ASSERT_STRING_EQUAL(c->part_number.text, "CH-PN-0001");
    CU_ASSERT_STRING_EQUAL(c->serial_number.text, "CH-SN-0001");
    CU_ASSERT_EQUAL(c->ncustom, 2);
    CU_ASSERT_STRING_EQUAL(c->custom[0].text, "chassis custom 1");
    CU_ASSERT_STRING_EQUAL(c->custom[1].text, "1234");
    CU_ASSERT_EQUAL(c->custom[1].type, FRU_TL_BCDPLUS);

    const struct fru_board *bd = &inv.board;
    CU_ASSERT(bd->area.checksum_ok);
    CU_ASSERT_EQUAL(bd->area.err, CODEC_OK);
    CU_ASSERT_EQUAL(bd->language, FRU_LANG_ENGLISH);
    CU_ASSERT_EQUAL(bd->mfg_minutes, MFG_MINUTES);
    CU_ASSERT_EQUAL(bd->mfg_time, MFG_UNIX);
    char when[32];
    fru_mfg_time_format(bd->mfg_time, when);
    CU_ASSERT_STRING_EQUAL(when, "2024-01-15T12:00:00Z");
    CU_ASSERT_STRING_EQUAL(bd->manufacturer.text, "Caf\xc3\xa9 Boards");
    CU_ASSERT_STRING_EQUAL(bd->product_name.text, "IPMI");
    CU_ASSERT_STRING_EQUAL(bd->serial_number.text, "12 34-5.");
    CU_ASSERT_STRING_EQUAL(bd->part_number.text, "BRD-PN-678");
    CU_ASSERT(bd->file_id.flags & FRU_FIELD_PRESENT);
    CU_ASSERT_STRING_EQUAL(bd->file_id.text, "");
    CU_ASSERT_EQUAL(bd->ncustom, 1);
    CU_ASSERT_STRING_EQUAL(bd->custom[0].text, "0a1bff");

    const struct fru_product *p = &inv.product;
    CU_ASSERT(p->area.checksum_ok);
    CU_ASSERT_STRING_EQUAL(p->manufacturer.text, "LabSystems");
    CU_ASSERT_STRING_EQUAL(p->name.text, "SimServer 1000");
    CU_ASSERT_STRING_EQUAL(p->part_number.text, "SS1000-A");
    CU_ASSERT_STRING_EQUAL(p->version.text, "1.0");
    CU_ASSERT_STRING_EQUAL(p->serial_number.text, "PRD-SN-0001");
    CU_ASSERT_STRING_EQUAL(p->asset_tag.text, "ASSET-42");
    CU_ASSERT_STRING_EQUAL(p->file_id.text, "fru.xml");
    CU_ASSERT_EQUAL(p->ncustom, 1);
    CU_ASSERT_STRING_EQUAL(p->custom[0].text, "product custom");

    CU_ASSERT(inv.multirec_area.present);
    CU_ASSERT(inv.multirec_area.end_marker);
    CU_ASSERT(inv.multirec_area.checksum_ok);
    CU_ASSERT_EQUAL(inv.multirec_area.err, CODEC_OK);
    CU_ASSERT_EQUAL_FATAL(inv.nmultirec, 5);
    const uint8_t ok = FRU_MR_HDR_OK | FRU_MR_DATA_OK | FRU_MR_DECODED;

    const struct fru_multirec *m = &inv.multirec[0];
    CU_ASSERT_EQUAL(m->type, FRU_MR_POWER_SUPPLY);
    CU_ASSERT_EQUAL(m->version, 2);
    CU_ASSERT_EQUAL(m->flags, ok);
    CU_ASSERT_EQUAL(m->u.psu.capacity_w, 750);
    CU_ASSERT_EQUAL(m->u.psu.peak_va, 900);
    CU_ASSERT_EQUAL(m->u.psu.inrush_a, 20);
    CU_ASSERT_EQUAL(m->u.psu.inrush_ms, 10);
    CU_ASSERT_EQUAL(m->u.psu.in_low1_10mv, 9000);
    CU_ASSERT_EQUAL(m->u.psu.in_high1_10mv, 26400);
    CU_ASSERT_EQUAL(m->u.psu.freq_low_hz, 47);
    CU_ASSERT_EQUAL(m->u.psu.freq_high_hz, 63);
    CU_ASSERT_EQUAL(m->u.psu.dropout_ms, 20);
    CU_ASSERT_EQUAL(m->u.psu.flags, FRU_PSU_PFC | FRU_PSU_AUTOSWITCH | FRU_PSU_HOT_SWAP);
    CU_ASSERT_EQUAL(m->u.psu.peak_w, 800);
    CU_ASSERT_EQUAL(m->u.psu.holdup_s, 1);
    CU_ASSERT_EQUAL(m->u.psu.volt1, 0);
    CU_ASSERT_EQUAL(m->u.psu.volt2, 2);
    CU_ASSERT_EQUAL(m->u.psu.combined_w, 600);
    char line[512];
    fru_multirec_describe(m, line, sizeof(line));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "capacity 750 W"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "input 90.00-264.00 V"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "combined 600 W (12 V and 5 V)"));

    m = &inv.multirec[1];
    CU_ASSERT_EQUAL(m->type, FRU_MR_DC_OUTPUT);
    CU_ASSERT_EQUAL(m->flags, ok);
    CU_ASSERT_EQUAL(m->u.dc_out.output_number, 1);
    CU_ASSERT(m->u.dc_out.standby);
    CU_ASSERT_EQUAL(m->u.dc_out.nominal_10mv, 1200);
    CU_ASSERT_EQUAL(m->u.dc_out.max_neg_10mv, 50);
    CU_ASSERT_EQUAL(m->u.dc_out.max_pos_10mv, 50);
    CU_ASSERT_EQUAL(m->u.dc_out.ripple_mv, 120);
    CU_ASSERT_EQUAL(m->u.dc_out.min_ma, 0);
    CU_ASSERT_EQUAL(m->u.dc_out.max_ma, 50000);
    fru_multirec_describe(m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "DC Output 1 (standby): 12.00 V (-500 mV/+500 mV), ripple 120 mV, "
                                 "0-50000 mA");

    m = &inv.multirec[2];
    CU_ASSERT_EQUAL(m->type, FRU_MR_MGMT_ACCESS);
    CU_ASSERT_EQUAL(m->flags, ok);
    CU_ASSERT_EQUAL(m->u.mgmt.sub, FRU_MGMT_SYS_URL);
    fru_multirec_describe(m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "System Management URL: http://bmc.example/");
    CU_ASSERT_EQUAL(fru_mgmt_access_text(m, line, sizeof(line)), 19);
    CU_ASSERT_STRING_EQUAL(line, "http://bmc.example/");
    CU_ASSERT_EQUAL(fru_mgmt_access_text(&inv.multirec[0], line, sizeof(line)), 0);
    CU_ASSERT_STRING_EQUAL(line, "");

    m = &inv.multirec[3];
    CU_ASSERT_EQUAL(m->type, 0xC0);
    CU_ASSERT_EQUAL(m->flags, ok);
    CU_ASSERT_EQUAL(m->u.mfr.manufacturer_id, 0x000157);
    fru_multirec_describe(m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "OEM record type C0h, manufacturer 343: dead");

    m = &inv.multirec[4];
    CU_ASSERT_EQUAL(m->type, FRU_MR_BASE_COMPAT);
    CU_ASSERT_EQUAL(m->flags, ok | FRU_MR_END);
    CU_ASSERT_EQUAL(m->u.mfr.manufacturer_id, 0x000157);
    fru_multirec_describe(m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "Base Compatibility (type 04h), manufacturer 343: 07000102");

    /* the reader stops fetching at exactly the image end */
    CU_ASSERT_EQUAL(fru_needed_len(b.b, b.len, 4096), b.len);
    CU_ASSERT_EQUAL(fru_needed_len(b.b, b.len, 100), 100);
}

/* A bad area checksum is reported; the fields are still there. */
static void test_bad_checksums(void)
{
    struct buf b;
    full_image(&b);
    enum codec_err e;
    /* flip a byte inside the chassis part number: checksum breaks */
    b.b[8 + 5] ^= 0x01;
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_FALSE(inv.chassis.area.checksum_ok);
    CU_ASSERT_EQUAL(inv.chassis.area.err, CODEC_E_CHECKSUM);
    CU_ASSERT_STRING_EQUAL(inv.chassis.part_number.text, "CI-PN-0001");
    CU_ASSERT_STRING_EQUAL(inv.chassis.serial_number.text, "CH-SN-0001");
    CU_ASSERT(inv.board.area.checksum_ok);

    /* record data checksum */
    full_image(&b);
    size_t mr = (size_t)b.b[5] * 8;
    b.b[mr + 5] ^= 0x01; /* capacity byte of the PSU record */
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL(inv.nmultirec, 5);
    CU_ASSERT_EQUAL(inv.multirec[0].flags, FRU_MR_HDR_OK | FRU_MR_DECODED);
    CU_ASSERT_EQUAL(inv.multirec[0].u.psu.capacity_w, 751);
    CU_ASSERT_EQUAL(inv.multirec_area.err, CODEC_E_CHECKSUM);
    CU_ASSERT_FALSE(inv.multirec_area.checksum_ok);
    CU_ASSERT_EQUAL(inv.multirec[1].flags & FRU_MR_DATA_OK, FRU_MR_DATA_OK);

    /* record header checksum: the walk stops there, as both tools stop */
    full_image(&b);
    size_t second = mr + 5 + sizeof(psu_rec);
    b.b[second + 2] ^= 0x01; /* DC output length */
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL(inv.nmultirec, 2);
    CU_ASSERT_EQUAL(inv.multirec[1].flags, 0);
    CU_ASSERT_EQUAL(inv.multirec_area.err, CODEC_E_CHECKSUM);
    CU_ASSERT_STRING_EQUAL(inv.product.name.text, "SimServer 1000");

    /* common header checksum: nothing can be trusted */
    full_image(&b);
    b.b[7] ^= 0x01;
    CU_ASSERT_EQUAL(parse_copy(b.b, b.len, &inv, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_CHECKSUM);
    /* header version */
    full_image(&b);
    b.b[0] = 0x02;
    b.b[7] = (uint8_t)(b.b[7] - 1);
    CU_ASSERT_EQUAL(parse_copy(b.b, b.len, &inv, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_FIELD);
    /* too short for a header */
    CU_ASSERT_EQUAL(parse_copy(b.b, 7, &inv, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);
}

/* Custom fields beyond FRU_CUSTOM_MAX are counted, not kept; C1h early; no end marker. */
static void test_area_shapes(void)
{
    struct buf b;
    enum codec_err e;
    memset(&b, 0, sizeof(b));
    b.len = 8;
    put1(&b, 0x01);
    put1(&b, 0);
    put1(&b, 0x01);
    text(&b, "PN");
    text(&b, "SN");
    for (int i = 0; i < FRU_CUSTOM_MAX + 3; i++)
        text(&b, "xy"); /* not "x": C1h, a 1-byte text field, is the end marker */
    area_close(&b, 8);
    header(&b, 1, 0, 0, 0);
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL(inv.chassis.ncustom, FRU_CUSTOM_MAX);
    CU_ASSERT_EQUAL(inv.chassis.area.custom_dropped, 3);
    CU_ASSERT_EQUAL(inv.chassis.area.err, CODEC_OK);
    CU_ASSERT_FALSE(inv.board.area.present);
    CU_ASSERT_EQUAL(inv.nmultirec, 0);

    /* C1h right after the board manufacturer (Dell R610 style): not an error */
    memset(&b, 0, sizeof(b));
    b.len = 8;
    put1(&b, 0x01);
    put1(&b, 0);
    put1(&b, 0x00);
    put1(&b, 0);
    put1(&b, 0);
    put1(&b, 0);
    text(&b, "Dell");
    area_close(&b, 8);
    header(&b, 0, 1, 0, 0);
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL(inv.board.area.err, CODEC_OK);
    CU_ASSERT(inv.board.area.end_marker);
    CU_ASSERT_STRING_EQUAL(inv.board.manufacturer.text, "Dell");
    CU_ASSERT_EQUAL(inv.board.product_name.flags, 0);
    CU_ASSERT_EQUAL(inv.board.mfg_time, -1); /* 0 minutes: unspecified */
    char when[32];
    fru_mfg_time_format(inv.board.mfg_time, when);
    CU_ASSERT_STRING_EQUAL(when, "");

    /* no end marker: the fields are kept, the area says LENGTH */
    memset(&b, 0, sizeof(b));
    b.len = 8;
    put1(&b, 0x01);
    put1(&b, 2); /* 16 bytes */
    put1(&b, 0x00);
    text(&b, "ABCDEFGHIJK"); /* 12 bytes: fills 3..14 */
    b.b[b.len] = zero_sum(b.b + 8, 15);
    b.len = 8 + 16;
    header(&b, 0, 0, 1, 0);
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT(inv.product.area.checksum_ok);
    CU_ASSERT_EQUAL(inv.product.area.err, CODEC_E_LENGTH);
    CU_ASSERT_FALSE(inv.product.area.end_marker);
    CU_ASSERT_STRING_EQUAL(inv.product.manufacturer.text, "ABCDEFGHIJK");

    /* a field running into the checksum byte */
    b.b[8 + 3] = 0xCC; /* 12 data bytes: one too many */
    b.b[8 + 15] = zero_sum(b.b + 8, 15);
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL(inv.product.area.err, CODEC_E_LENGTH);
    CU_ASSERT_EQUAL(inv.product.manufacturer.flags, 0);

    /* area length 0 and area version 2 */
    b.b[8 + 1] = 0;
    b.b[8] = 0x02;
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL(inv.product.area.err, CODEC_E_FIELD);
    CU_ASSERT_FALSE(inv.product.area.checksum_ok);

    /* an area offset beyond the image */
    header(&b, 0, 0, 200, 0);
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT(inv.product.area.present);
    CU_ASSERT(inv.product.area.truncated);
    CU_ASSERT_EQUAL(inv.product.area.err, CODEC_E_TRUNCATED);

    /* an empty inventory: all offsets zero */
    header(&b, 0, 0, 0, 0);
    CU_ASSERT_EQUAL(parse_copy(b.b, 8, &inv, &e), 8);
    CU_ASSERT_FALSE(inv.chassis.area.present);
}

static void test_multirec_shapes(void)
{
    struct buf b;
    enum codec_err e;
    /* too many records: the first FRU_MULTIREC_MAX are kept */
    memset(&b, 0, sizeof(b));
    b.len = 8;
    static const uint8_t d[] = {0x01, 0x02};
    for (int i = 0; i < FRU_MULTIREC_MAX + 4; i++)
        multirec(&b, 0xD0, i == FRU_MULTIREC_MAX + 3, d, sizeof(d));
    header(&b, 0, 0, 0, 1);
    CU_ASSERT_EQUAL(parse_copy(b.b, b.len, &inv, &e), (ssize_t)b.len);
    CU_ASSERT_EQUAL(inv.nmultirec, FRU_MULTIREC_MAX);
    CU_ASSERT_EQUAL(inv.multirec_dropped, 4);
    CU_ASSERT_EQUAL(inv.multirec_area.err, CODEC_OK);

    /* short PSU / DC output / management access records are kept, not decoded */
    memset(&b, 0, sizeof(b));
    b.len = 8;
    multirec(&b, FRU_MR_POWER_SUPPLY, false, psu_rec, 10);
    multirec(&b, FRU_MR_DC_OUTPUT, false, dc_rec, 5);
    multirec(&b, FRU_MR_MGMT_ACCESS, false, d, 0);
    static const uint8_t guid[] = {0x07, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    multirec(&b, FRU_MR_MGMT_ACCESS, true, guid, sizeof(guid));
    header(&b, 0, 0, 0, 1);
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL_FATAL(inv.nmultirec, 4);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT(inv.multirec[i].flags & FRU_MR_SHORT);
        CU_ASSERT_FALSE(inv.multirec[i].flags & FRU_MR_DECODED);
    }
    CU_ASSERT_EQUAL(inv.multirec[0].len, 10);
    char line[256];
    fru_multirec_describe(&inv.multirec[0], line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "Power Supply Information (type 00h): ee028403140a28232067");
    fru_multirec_describe(&inv.multirec[3], line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "System Unique ID: 00112233445566778899aabbccddeeff");
    /* a describe buffer too small is cut, NUL-terminated */
    CU_ASSERT_EQUAL(fru_multirec_describe(&inv.multirec[3], line, 8), 7);
    CU_ASSERT_STRING_EQUAL(line, "System ");

    /* DC load (FRU spec 18.3): 5.00 V, 4.75-5.25 V, negative rails too */
    memset(&b, 0, sizeof(b));
    b.len = 8;
    static const uint8_t load[13] = {0x02, 0xf4, 0x01, 0xdb, 0x01, 0x0d, 0x02,
                                     0x32, 0x00, 0x00, 0x00, 0x20, 0x4e};
    multirec(&b, FRU_MR_DC_LOAD, false, load, sizeof(load));
    static const uint8_t neg[13] = {0x03, 0x50, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; /* -12 V */
    multirec(&b, FRU_MR_DC_LOAD, true, neg, sizeof(neg));
    header(&b, 0, 0, 0, 1);
    CU_ASSERT(parse_copy(b.b, b.len, &inv, &e) > 0);
    CU_ASSERT_EQUAL_FATAL(inv.nmultirec, 2);
    const struct fru_multirec *dl = &inv.multirec[0];
    CU_ASSERT(dl->flags & FRU_MR_DECODED);
    CU_ASSERT_EQUAL(dl->u.dc_load.output_number, 2);
    CU_ASSERT_EQUAL(dl->u.dc_load.nominal_10mv, 500);
    CU_ASSERT_EQUAL(dl->u.dc_load.min_10mv, 475);
    CU_ASSERT_EQUAL(dl->u.dc_load.max_10mv, 525);
    CU_ASSERT_EQUAL(dl->u.dc_load.ripple_mv, 50);
    CU_ASSERT_EQUAL(dl->u.dc_load.max_ma, 20000);
    fru_multirec_describe(dl, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "DC Load 2: 5.00 V (4.75-5.25 V), ripple 50 mV, 0-20000 mA");
    CU_ASSERT_EQUAL(inv.multirec[1].u.dc_load.nominal_10mv, -1200);
    fru_multirec_describe(&inv.multirec[1], line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "DC Load 3: -12.00 V (0.00-0.00 V), ripple 0 mV, 0-0 mA");

    /* a record truncated by the image end */
    memset(&b, 0, sizeof(b));
    b.len = 8;
    multirec(&b, FRU_MR_DC_OUTPUT, true, dc_rec, sizeof(dc_rec));
    header(&b, 0, 0, 0, 1);
    CU_ASSERT(parse_copy(b.b, b.len - 3, &inv, &e) > 0);
    CU_ASSERT_EQUAL(inv.nmultirec, 1);
    CU_ASSERT(inv.multirec[0].flags & FRU_MR_TRUNCATED);
    CU_ASSERT_EQUAL(inv.multirec[0].len, sizeof(dc_rec) - 3);
    CU_ASSERT(inv.multirec_area.truncated);
    CU_ASSERT_EQUAL(inv.multirec_area.err, CODEC_E_TRUNCATED);

    /* erased space after a record without the end bit: all-zero "headers"
     * sum to zero but are not records (format version 0) */
    memset(&b, 0, sizeof(b));
    b.len = 8;
    multirec(&b, FRU_MR_DC_OUTPUT, false, dc_rec, sizeof(dc_rec));
    size_t used = b.len;
    b.len += 200;
    header(&b, 0, 0, 0, 1);
    CU_ASSERT_EQUAL(parse_copy(b.b, b.len, &inv, &e), (ssize_t)used);
    CU_ASSERT_EQUAL(inv.nmultirec, 1);
    CU_ASSERT_EQUAL(inv.multirec_area.err, CODEC_E_FIELD);
    CU_ASSERT_EQUAL(fru_needed_len(b.b, b.len, b.len), used + 5);

    /* names */
    CU_ASSERT_STRING_EQUAL(fru_mr_type_name(0x00), "Power Supply Information");
    CU_ASSERT_STRING_EQUAL(fru_mr_type_name(0x0b), "Reserved");
    CU_ASSERT_STRING_EQUAL(fru_mr_type_name(0xFF), "OEM");
    CU_ASSERT_STRING_EQUAL(fru_chassis_type_name(0x24), "Stick PC");
    CU_ASSERT_STRING_EQUAL(fru_chassis_type_name(0x25), "Unknown");
    CU_ASSERT_STRING_EQUAL(fru_chassis_type_name(0xFF), "Unknown");
    CU_ASSERT_STRING_EQUAL(fru_mgmt_sub_name(0), "Reserved");
    CU_ASSERT_STRING_EQUAL(fru_tl_type_name(1), "bcd_plus");
}

/* Every prefix of a valid image: a reason code or a partial result, no crash. */
static void test_truncations(void)
{
    struct buf b;
    full_image(&b);
    size_t cut_areas = 0;
    for (size_t len = 0; len <= b.len; len++) {
        enum codec_err e = CODEC_OK;
        ssize_t n = parse_copy(b.b, len, &inv, &e);
        if (len < FRU_HEADER_LEN) {
            CU_ASSERT_EQUAL(n, -1);
            CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);
            continue;
        }
        CU_ASSERT(n >= FRU_HEADER_LEN && (size_t)n <= len);
        CU_ASSERT_EQUAL(e, CODEC_OK);
        bool any = inv.chassis.area.err || inv.board.area.err || inv.product.area.err ||
                   inv.multirec_area.err;
        if (len < b.len) {
            CU_ASSERT(any); /* the cut shows somewhere */
            cut_areas++;
        } else {
            CU_ASSERT_FALSE(any);
        }
        /* the needed length never shrinks and never exceeds the image */
        size_t need = fru_needed_len(b.b, len, b.len);
        CU_ASSERT(need <= b.len);
        if (len >= FRU_HEADER_LEN && len < b.len)
            CU_ASSERT(need > len || need == b.len);
    }
    CU_ASSERT(cut_areas > 100);
}

/* Random bytes and single-byte mutations: the parser stays inside the image. */
static void test_noise(void)
{
    struct buf b;
    full_image(&b);
    uint32_t x = 0x12345678;
    for (int round = 0; round < 3000; round++) {
        struct buf m = b;
        for (int k = 0; k < 1 + round % 4; k++) {
            x = x * 1103515245u + 12345u;
            size_t at = (x >> 8) % m.len;
            m.b[at] = (uint8_t)(x >> 24);
        }
        if (round % 2) /* keep the header valid half of the time */
            m.b[7] = zero_sum(m.b, 7);
        enum codec_err e;
        ssize_t n = parse_copy(m.b, m.len, &inv, &e);
        CU_ASSERT(n == -1 || (n >= 8 && (size_t)n <= m.len));
        char line[300];
        for (size_t i = 0; n > 0 && i < inv.nmultirec; i++)
            CU_ASSERT(fru_multirec_describe(&inv.multirec[i], line, sizeof(line)) < sizeof(line));
        fru_needed_len(m.b, m.len, m.len);
    }
}

/* ---- command responses ---------------------------------------------------------- */

static void test_commands(void)
{
    struct fru_area_info_rsp ai;
    enum codec_err e;
    static const uint8_t info[] = {0x00, 0x01, 0x01};
    CU_ASSERT_EQUAL(fru_area_info_rsp_decode(info, 3, &ai, &e), 3);
    CU_ASSERT_EQUAL(ai.size, 256);
    CU_ASSERT_EQUAL(ai.access, 1);
    CU_ASSERT_EQUAL(fru_area_info_rsp_decode(info, 2, &ai, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);

    static const uint8_t rd[] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd};
    const uint8_t *data;
    size_t n;
    CU_ASSERT_EQUAL(fru_read_rsp_decode(rd, 5, false, &data, &n, &e), 3);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(data[0], 0xaa);
    CU_ASSERT_EQUAL(fru_read_rsp_decode(rd, 5, true, &data, &n, &e), 5);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(fru_read_rsp_decode(rd, 4, true, &data, &n, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_LENGTH);
    CU_ASSERT_EQUAL(fru_read_rsp_decode(rd, 0, false, &data, &n, &e), -1);
    CU_ASSERT_EQUAL(e, CODEC_E_TRUNCATED);

    uint8_t req[4];
    CU_ASSERT_EQUAL(fru_read_req_encode(req, 3, 0x1234, 32, false), 4);
    CU_ASSERT_EQUAL(req[0], 3);
    CU_ASSERT_EQUAL(req[1], 0x34);
    CU_ASSERT_EQUAL(req[2], 0x12);
    CU_ASSERT_EQUAL(req[3], 32);
    fru_read_req_encode(req, 3, 0x1234, 32, true);
    CU_ASSERT_EQUAL(req[1], 0x1a);
    CU_ASSERT_EQUAL(req[2], 0x09);
    CU_ASSERT_EQUAL(req[3], 16);
}

/* ---- the reader's state machine against a fake FRU device ------------------------ */

struct fake_dev {
    const uint8_t *img;
    size_t img_len;
    uint16_t size; /* what Get FRU Inventory Area Info says */
    bool word;
    uint8_t max; /* larger requests get `big_cc` */
    uint8_t big_cc;
    uint8_t info_cc;
    int busy;           /* answer 81h this many times, first */
    uint32_t fail_from; /* Read FRU Data at or beyond this offset fails with C9h (0: never) */
    uint32_t reads;
    uint32_t bytes;
};

static void fake_answer(struct fake_dev *d, uint8_t cmd, const uint8_t *req, size_t rlen,
                        uint8_t *cc, uint8_t *rsp, size_t *len)
{
    *cc = 0;
    *len = 0;
    if (cmd == FRU_CMD_GET_AREA_INFO) {
        CU_ASSERT_EQUAL(rlen, 1);
        if (d->info_cc) {
            *cc = d->info_cc;
            return;
        }
        rsp[0] = (uint8_t)d->size;
        rsp[1] = (uint8_t)(d->size >> 8);
        rsp[2] = d->word ? 1 : 0;
        *len = 3;
        return;
    }
    CU_ASSERT_EQUAL_FATAL(cmd, FRU_CMD_READ_DATA);
    CU_ASSERT_EQUAL_FATAL(rlen, 4);
    d->reads++;
    if (d->busy > 0) {
        d->busy--;
        *cc = FRU_CC_DEVICE_BUSY;
        return;
    }
    uint32_t off = (uint32_t)(req[1] | req[2] << 8);
    uint32_t cnt = req[3];
    if (d->word) {
        off *= 2;
        cnt *= 2;
    }
    if (cnt > d->max) {
        *cc = d->big_cc;
        return;
    }
    if (d->fail_from && off >= d->fail_from) {
        *cc = IPMI_CC_PARAMETER_OUT_OF_RANGE;
        return;
    }
    CU_ASSERT(off + cnt <= d->size);
    uint32_t have = off < d->img_len ? (uint32_t)d->img_len - off : 0;
    uint32_t n = cnt < have ? cnt : have;
    memset(rsp + 1, 0xff, cnt);
    memcpy(rsp + 1, d->img + off, n);
    rsp[0] = (uint8_t)(d->word ? cnt / 2 : cnt);
    *len = 1 + cnt;
    d->bytes += cnt;
}

static uint8_t fetch_buf[8192];

static struct fru_fetch run_fetch(struct fake_dev *d, uint8_t chunk, uint32_t *backoffs)
{
    struct fru_fetch f;
    fru_fetch_init(&f, 1, fetch_buf, sizeof(fetch_buf), chunk, 3);
    *backoffs = 0;
    for (int i = 0; i < 2000; i++) {
        uint8_t cmd, req[4], rsp[300], cc;
        size_t rlen = fru_fetch_request(&f, &cmd, req), len;
        fake_answer(d, cmd, req, rlen, &cc, rsp, &len);
        enum fru_act a = fru_fetch_on_rsp(&f, cc, rsp, len);
        if (a == FRU_ACT_DONE)
            return f;
        if (a == FRU_ACT_BACKOFF)
            (*backoffs)++;
    }
    CU_FAIL("the fetch did not finish");
    return f;
}

static void test_fetch(void)
{
    struct buf b;
    full_image(&b);
    uint32_t backoffs;

    /* plain: 32-byte chunks, only the bytes the areas span */
    struct fake_dev d = {.img = b.b, .img_len = b.len, .size = 2048, .max = 255};
    struct fru_fetch f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK);
    CU_ASSERT(f.have >= b.len && f.have < b.len + 32); /* whole chunks */
    CU_ASSERT(!memcmp(fetch_buf, b.b, b.len));
    CU_ASSERT_EQUAL(f.requests, 1 + d.reads);
    CU_ASSERT_EQUAL(d.reads, (b.len + 31) / 32);
    CU_ASSERT_EQUAL(backoffs, 0);

    /* the BMC cannot return 32 bytes (CAh): shrink to what fits (20) */
    d = (struct fake_dev){.img = b.b,
                          .img_len = b.len,
                          .size = 2048,
                          .max = 20,
                          .big_cc = IPMI_CC_CANNOT_RETURN_BYTES};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK);
    CU_ASSERT_EQUAL(f.chunk, 16);
    CU_ASSERT(!memcmp(fetch_buf, b.b, b.len));
    /* ... and with C7h and C8h */
    d.big_cc = IPMI_CC_REQUEST_LENGTH_INVALID;
    d.reads = 0;
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK);
    d.big_cc = IPMI_CC_REQUEST_FIELD_TOO_LONG;
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK);
    /* a device that takes nothing: gives up at the floor, bounded */
    d.max = 2;
    d.reads = 0;
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_FAILED);
    CU_ASSERT_EQUAL(f.cc, IPMI_CC_REQUEST_FIELD_TOO_LONG);
    CU_ASSERT(d.reads < 20);

    /* word access: offsets and counts in words, the image is the same */
    d = (struct fake_dev){.img = b.b, .img_len = b.len, .size = 1024, .word = true, .max = 255};
    f = run_fetch(&d, 31, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK);
    CU_ASSERT(f.word);
    CU_ASSERT_EQUAL(f.chunk, 30);
    CU_ASSERT(f.have >= b.len && f.have < b.len + 30);
    CU_ASSERT(!memcmp(fetch_buf, b.b, b.len));

    /* 81h twice: two backoffs, then on */
    d = (struct fake_dev){.img = b.b, .img_len = b.len, .size = 2048, .max = 255, .busy = 2};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK);
    CU_ASSERT_EQUAL(backoffs, 2);
    /* 81h forever: bounded by the retries (3 here) */
    d = (struct fake_dev){.img = b.b, .img_len = b.len, .size = 2048, .max = 255, .busy = 100};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_FAILED);
    CU_ASSERT_EQUAL(f.cc, FRU_CC_DEVICE_BUSY);
    CU_ASSERT_EQUAL(backoffs, 3);
    CU_ASSERT_EQUAL(d.reads, 4);
    /* backoff doubles, capped */
    struct fru_fetch bf = {.busy_count = 1};
    CU_ASSERT_EQUAL(fru_fetch_backoff_ms(&bf, 20), 20);
    bf.busy_count = 3;
    CU_ASSERT_EQUAL(fru_fetch_backoff_ms(&bf, 20), 80);
    bf.busy_count = 30;
    CU_ASSERT_EQUAL(fru_fetch_backoff_ms(&bf, 20), 1000);

    /* the device fails after the header: what was read is kept */
    d = (struct fake_dev){.img = b.b, .img_len = b.len, .size = 2048, .max = 255, .fail_from = 64};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_PARTIAL);
    CU_ASSERT_EQUAL(f.have, 64);
    CU_ASSERT_EQUAL(f.cc, IPMI_CC_PARAMETER_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(f.failed_cmd, FRU_CMD_READ_DATA);
    CU_ASSERT(fru_parse(fetch_buf, f.have, &inv, NULL) > 0);
    CU_ASSERT_STRING_EQUAL(inv.chassis.part_number.text, "CH-PN-0001");
    /* ... and before it: nothing usable */
    d.fail_from = 0;
    d.max = 255;
    d.size = 2048;
    d.busy = 0;
    d.info_cc = 0;
    d.fail_from = 0;
    {
        struct fake_dev d2 = d;
        d2.fail_from = 0;
        d2.max = 0; /* every read is too big, down to the floor */
        d2.big_cc = IPMI_CC_UNSPECIFIED;
        f = run_fetch(&d2, 32, &backoffs);
        CU_ASSERT_EQUAL(f.status, FRU_READ_FAILED);
        CU_ASSERT_EQUAL(f.cc, IPMI_CC_UNSPECIFIED);
    }

    /* the area info overstates the size: the image ends early, zeros follow */
    d = (struct fake_dev){.img = b.b, .img_len = 40, .size = 2048, .max = 255};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK); /* 0xff bytes make the needed length stop */

    /* absent devices */
    d = (struct fake_dev){.info_cc = IPMI_CC_NOT_PRESENT};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_ABSENT);
    CU_ASSERT_EQUAL(f.requests, 1);
    d = (struct fake_dev){.info_cc = IPMI_CC_INVALID_DATA_FIELD};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_ABSENT);
    d = (struct fake_dev){.size = 0};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_ABSENT);
    d = (struct fake_dev){.size = 4, .max = 255};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_FAILED);
    CU_ASSERT_EQUAL(f.codec_err, CODEC_E_LENGTH);
    d = (struct fake_dev){.info_cc = IPMI_CC_INVALID_COMMAND};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_FAILED);
    CU_ASSERT_EQUAL(f.failed_cmd, FRU_CMD_GET_AREA_INFO);

    /* a bad header: 8 bytes read, then stop */
    struct buf bad = b;
    bad.b[7] ^= 1;
    d = (struct fake_dev){.img = bad.b, .img_len = bad.len, .size = 2048, .max = 255};
    f = run_fetch(&d, 32, &backoffs);
    CU_ASSERT_EQUAL(f.status, FRU_READ_OK);
    CU_ASSERT_EQUAL(f.have, 32); /* one chunk */
    CU_ASSERT_EQUAL(d.reads, 1);

    /* a short answer and a zero-count answer */
    struct fru_fetch g;
    fru_fetch_init(&g, 0, fetch_buf, sizeof(fetch_buf), 32, 1);
    static const uint8_t ai[] = {0x00, 0x01, 0x00};
    CU_ASSERT_EQUAL(fru_fetch_on_rsp(&g, 0, ai, 3), FRU_ACT_SEND);
    static const uint8_t bogus[] = {0x05, 0x01};
    CU_ASSERT_EQUAL(fru_fetch_on_rsp(&g, 0, bogus, 2), FRU_ACT_DONE);
    CU_ASSERT_EQUAL(g.status, FRU_READ_FAILED);
    CU_ASSERT_EQUAL(g.codec_err, CODEC_E_LENGTH);
    fru_fetch_init(&g, 0, fetch_buf, sizeof(fetch_buf), 32, 1);
    fru_fetch_on_rsp(&g, 0, ai, 3);
    static const uint8_t zero[] = {0x00};
    CU_ASSERT_EQUAL(fru_fetch_on_rsp(&g, 0, zero, 1), FRU_ACT_DONE);
    CU_ASSERT_EQUAL(g.status, FRU_READ_FAILED);
    /* a transport error */
    fru_fetch_init(&g, 0, fetch_buf, sizeof(fetch_buf), 32, 1);
    CU_ASSERT_EQUAL(fru_fetch_on_error(&g), FRU_ACT_DONE);
    CU_ASSERT_EQUAL(g.status, FRU_READ_FAILED);
    CU_ASSERT_STRING_EQUAL(fru_read_status_name(FRU_READ_PARTIAL), "partial");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"type/length fields: every encoding", test_fields},
        {"full image: areas, customs, multirecords", test_full_image},
        {"bad checksums are reported, data kept", test_bad_checksums},
        {"area shapes: custom overflow, early C1h, no end marker", test_area_shapes},
        {"multirecord shapes", test_multirec_shapes},
        {"every truncation", test_truncations},
        {"random mutations", test_noise},
        {"Get FRU Inventory Area Info / Read FRU Data", test_commands},
        {"reader state machine against a fake device", test_fetch},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"fru", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_fru", suites);
}
