/*
 * fru.c - FRU inventory codec (Platform Management FRU Information Storage
 * Definition v1.0 rev 1.3, "FRU spec"; IPMI 2.0 section 34).
 *
 * Every read is bounded by the image length: an area whose length byte
 * points past the image is walked up to the image end and flagged
 * truncated, a field that runs past its area stops the walk.
 */
#include "fru.h"
#include "sink.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "layout.h"

/* 1996-01-01 00:00:00 UTC, the board manufacturing date epoch (FRU spec 11) */
#define FRU_EPOCH_UNIX 820454400LL

/* ---- constant tables, indexed by value ------------------------------------ */

static const char *const tl_type_names[4] = {
    [FRU_TL_BINARY] = "binary",
    [FRU_TL_BCDPLUS] = "bcd_plus",
    [FRU_TL_ASCII6] = "ascii6",
    [FRU_TL_TEXT] = "text",
};

const char *fru_tl_type_name(uint8_t type)
{
    return type < 4 ? tl_type_names[type] : "unknown";
}

/*
 * BCD plus (FRU spec 13.1): 0-9, Ah space, Bh dash, Ch period.  Dh-Fh are
 * reserved; ipmitool shows them as ':' ',' '_' and so do we (FreeIPMI
 * refuses the field), flagging the field suspect.
 */
static const char bcd_plus_chars[16] = "0123456789 -.:,_";

/* SMBIOS System Enclosure or Chassis Types (SMBIOS 3.x Table 17) */
static const char *const chassis_type_names[] = {
    [0x00] = "Unspecified",
    [0x01] = "Other",
    [0x02] = "Unknown",
    [0x03] = "Desktop",
    [0x04] = "Low Profile Desktop",
    [0x05] = "Pizza Box",
    [0x06] = "Mini Tower",
    [0x07] = "Tower",
    [0x08] = "Portable",
    [0x09] = "LapTop",
    [0x0A] = "Notebook",
    [0x0B] = "Hand Held",
    [0x0C] = "Docking Station",
    [0x0D] = "All in One",
    [0x0E] = "Sub Notebook",
    [0x0F] = "Space-saving",
    [0x10] = "Lunch Box",
    [0x11] = "Main Server Chassis",
    [0x12] = "Expansion Chassis",
    [0x13] = "SubChassis",
    [0x14] = "Bus Expansion Chassis",
    [0x15] = "Peripheral Chassis",
    [0x16] = "RAID Chassis",
    [0x17] = "Rack Mount Chassis",
    [0x18] = "Sealed-case PC",
    [0x19] = "Multi-system chassis",
    [0x1A] = "Compact PCI",
    [0x1B] = "Advanced TCA",
    [0x1C] = "Blade",
    [0x1D] = "Blade Enclosure",
    [0x1E] = "Tablet",
    [0x1F] = "Convertible",
    [0x20] = "Detachable",
    [0x21] = "IoT Gateway",
    [0x22] = "Embedded PC",
    [0x23] = "Mini PC",
    [0x24] = "Stick PC",
};

const char *fru_chassis_type_name(uint8_t type)
{
    if (type < sizeof(chassis_type_names) / sizeof(chassis_type_names[0]) &&
        chassis_type_names[type])
        return chassis_type_names[type];
    return "Unknown";
}

/* MultiRecord type IDs (FRU spec Table 16-2; 06h-08h are defined by ASF) */
static const char *const mr_type_names[] = {
    [FRU_MR_POWER_SUPPLY] = "Power Supply Information",
    [FRU_MR_DC_OUTPUT] = "DC Output",
    [FRU_MR_DC_LOAD] = "DC Load",
    [FRU_MR_MGMT_ACCESS] = "Management Access",
    [FRU_MR_BASE_COMPAT] = "Base Compatibility",
    [FRU_MR_EXT_COMPAT] = "Extended Compatibility",
    [0x06] = "ASF Fixed SMBus Device",
    [0x07] = "ASF Legacy-Device Alerts",
    [0x08] = "ASF Remote Control",
    [FRU_MR_EXT_DC_OUTPUT] = "Extended DC Output",
    [FRU_MR_EXT_DC_LOAD] = "Extended DC Load",
};

const char *fru_mr_type_name(uint8_t type)
{
    if (type >= FRU_MR_OEM_FIRST)
        return "OEM";
    if (type < sizeof(mr_type_names) / sizeof(mr_type_names[0]) && mr_type_names[type])
        return mr_type_names[type];
    return "Reserved";
}

/* Management Access sub-record types (FRU spec section 18.4) */
static const char *const mgmt_sub_names[] = {
    [FRU_MGMT_SYS_URL] = "System Management URL", [FRU_MGMT_SYS_NAME] = "System Name",
    [FRU_MGMT_SYS_PING] = "System Ping Address",  [FRU_MGMT_COMP_URL] = "Component Management URL",
    [FRU_MGMT_COMP_NAME] = "Component Name",      [FRU_MGMT_COMP_PING] = "Component Ping Address",
    [FRU_MGMT_SYS_GUID] = "System Unique ID",
};

const char *fru_mgmt_sub_name(uint8_t sub)
{
    if (sub < sizeof(mgmt_sub_names) / sizeof(mgmt_sub_names[0]) && mgmt_sub_names[sub])
        return mgmt_sub_names[sub];
    return "Reserved";
}

/* ---- helpers ------------------------------------------------------------- */

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

/* ---- type/length fields (FRU spec section 13) ---------------------------- */

ssize_t fru_field_decode(const uint8_t *p, size_t avail, uint8_t lang, struct fru_field *out,
                         enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    out->type = 0;
    out->len = 0;
    out->flags = 0;
    out->text[0] = '\0';
    if (avail < 1) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    uint8_t type = p[0] >> 6;
    uint8_t n = p[0] & 0x3F;
    if ((size_t)n + 1 > avail) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    out->type = type;
    out->len = n;
    out->flags = FRU_FIELD_PRESENT;
    const uint8_t *d = p + 1;
    struct sink s = {out->text, sizeof(out->text), 0};

    switch (type) {
    case FRU_TL_BINARY:
        sink_hex(&s, d, n);
        break;
    case FRU_TL_BCDPLUS:
        /* two digits per byte, high nibble first (as ipmitool prints them) */
        for (size_t i = 0; i < n; i++) {
            uint8_t hi = d[i] >> 4, lo = d[i] & 0x0F;
            if (hi > 0x0C || lo > 0x0C)
                out->flags |= FRU_FIELD_SUSPECT;
            sink_byte(&s, (uint8_t)bcd_plus_chars[hi]);
            sink_byte(&s, (uint8_t)bcd_plus_chars[lo]);
        }
        break;
    case FRU_TL_ASCII6: {
        /* a little-endian bit stream of 6-bit codes, 00h = ' ' (FRU spec 13.2):
         * 3 bytes carry 4 characters, a trailing 1 or 2 bytes carry 1 or 2 */
        uint32_t acc = 0;
        unsigned bits = 0;
        for (size_t i = 0; i < n; i++) {
            acc |= (uint32_t)d[i] << bits;
            bits += 8;
            while (bits >= 6) {
                sink_byte(&s, (uint8_t)((acc & 0x3F) + 0x20));
                acc >>= 6;
                bits -= 6;
            }
        }
        break;
    }
    case FRU_TL_TEXT:
        if (fru_lang_is_english(lang)) {
            /* 8-bit ASCII + Latin-1; Latin-1 code points equal the byte value.
             * Both tools stop at a NUL (they print with %s): so do we. */
            for (size_t i = 0; i < n && d[i]; i++)
                sink_utf8(&s, d[i]);
        } else {
            /* 2-byte UNICODE, least significant byte first (FRU spec 13) */
            if (n & 1)
                out->flags |= FRU_FIELD_SUSPECT;
            for (size_t i = 0; i + 1 < n; i += 2) {
                uint32_t cp = le16(d + i);
                if (!cp)
                    break;
                sink_utf8(&s, cp);
            }
        }
        break;
    }
    *err = CODEC_OK;
    return (ssize_t)n + 1;
}

/* ---- info areas (FRU spec sections 10-12) -------------------------------- */

static void area_fail(struct fru_area *a, enum codec_err e)
{
    if (a->err == CODEC_OK)
        a->err = e;
}

/*
 * Open an info area at byte offset `o`: check it, and return the walk
 * limit (one past the last byte a field may use: the checksum byte is
 * excluded), or 0 when nothing of the area can be walked.  `fixed` is the
 * number of bytes before the first type/length field.
 */
static size_t area_open(const uint8_t *img, size_t len, size_t o, size_t fixed, struct fru_area *a)
{
    a->present = true;
    a->offset = (uint16_t)o;
    if (o + 2 > len) {
        a->truncated = true;
        area_fail(a, CODEC_E_TRUNCATED);
        return 0;
    }
    a->version = img[o];
    if ((a->version & 0x0F) != 0x01)
        area_fail(a, CODEC_E_FIELD);
    size_t alen = (size_t)img[o + 1] * 8;
    a->length = (uint16_t)alen;
    size_t limit;
    if (alen == 0) {
        /* no length: walk to the end marker within the image, unchecked */
        area_fail(a, CODEC_E_LENGTH);
        limit = len;
    } else if (o + alen > len) {
        a->truncated = true;
        area_fail(a, CODEC_E_TRUNCATED);
        limit = len;
    } else {
        a->checksum_ok = sum8(img + o, alen) == 0;
        if (!a->checksum_ok)
            area_fail(a, CODEC_E_CHECKSUM);
        limit = o + alen - 1;
    }
    if (o + fixed > limit) {
        area_fail(a, a->truncated ? CODEC_E_TRUNCATED : CODEC_E_LENGTH);
        return 0;
    }
    return limit;
}

/*
 * Walk the type/length fields from `pos` up to `limit`: first the
 * predefined ones (`fixed`, in order), then custom fields until C1h.
 * Returns the position after the last byte used.
 */
static size_t area_fields(const uint8_t *img, size_t pos, size_t limit, uint8_t lang,
                          struct fru_area *a, struct fru_field *const *fixed, size_t nfixed,
                          struct fru_field *custom, uint8_t *ncustom)
{
    struct fru_field scratch;
    size_t i = 0;
    while (pos < limit) {
        if (img[pos] == FRU_TL_END) {
            /* Some BMCs end an area early, before all predefined fields
             * (FreeIPMI notes the Dell PowerEdge R610): that is not an error. */
            a->end_marker = true;
            return pos + 1;
        }
        struct fru_field *f;
        if (i < nfixed)
            f = fixed[i];
        else if (*ncustom < FRU_CUSTOM_MAX)
            f = &custom[*ncustom];
        else
            f = &scratch;
        enum codec_err e;
        ssize_t n = fru_field_decode(img + pos, limit - pos, lang, f, &e);
        if (n < 0) {
            area_fail(a, a->truncated ? CODEC_E_TRUNCATED : CODEC_E_LENGTH);
            return limit;
        }
        if (i >= nfixed) {
            if (*ncustom < FRU_CUSTOM_MAX)
                (*ncustom)++;
            else if (a->custom_dropped < UINT8_MAX)
                a->custom_dropped++;
        }
        i++;
        pos += (size_t)n;
    }
    /* ran out of area without an end-of-fields marker */
    area_fail(a, a->truncated ? CODEC_E_TRUNCATED : CODEC_E_LENGTH);
    return pos;
}

static size_t area_end(const struct fru_area *a, size_t len, size_t walked)
{
    size_t e = (size_t)a->offset + a->length;
    if (a->length == 0 || e > len)
        e = walked;
    return e;
}

static size_t parse_chassis(const uint8_t *img, size_t len, size_t o, struct fru_chassis *c)
{
    /* version, length, chassis type, then fields (FRU spec Table 10-1) */
    size_t limit = area_open(img, len, o, 3, &c->area);
    if (!limit)
        return o;
    c->type = img[o + 2];
    struct fru_field *const fixed[] = {&c->part_number, &c->serial_number};
    size_t w = area_fields(img, o + 3, limit, FRU_LANG_ENGLISH, &c->area, fixed, 2, c->custom,
                           &c->ncustom);
    return area_end(&c->area, len, w);
}

static size_t parse_board(const uint8_t *img, size_t len, size_t o, struct fru_board *b)
{
    /* version, length, language, mfg date/time (3 bytes, LS first), fields
     * (FRU spec Table 11-1) */
    b->mfg_time = -1;
    size_t limit = area_open(img, len, o, 6, &b->area);
    if (!limit)
        return o;
    b->language = img[o + 2];
    b->mfg_minutes =
        (uint32_t)img[o + 3] | ((uint32_t)img[o + 4] << 8) | ((uint32_t)img[o + 5] << 16);
    /* 0 means "unspecified" (FRU spec rev 1.3 Table 11-1) */
    if (b->mfg_minutes)
        b->mfg_time = FRU_EPOCH_UNIX + (int64_t)b->mfg_minutes * 60;
    struct fru_field *const fixed[] = {&b->manufacturer, &b->product_name, &b->serial_number,
                                       &b->part_number, &b->file_id};
    size_t w =
        area_fields(img, o + 6, limit, b->language, &b->area, fixed, 5, b->custom, &b->ncustom);
    return area_end(&b->area, len, w);
}

static size_t parse_product(const uint8_t *img, size_t len, size_t o, struct fru_product *p)
{
    /* version, length, language, fields (FRU spec Table 12-1) */
    size_t limit = area_open(img, len, o, 3, &p->area);
    if (!limit)
        return o;
    p->language = img[o + 2];
    struct fru_field *const fixed[] = {&p->manufacturer, &p->name,          &p->part_number,
                                       &p->version,      &p->serial_number, &p->asset_tag,
                                       &p->file_id};
    size_t w =
        area_fields(img, o + 3, limit, p->language, &p->area, fixed, 7, p->custom, &p->ncustom);
    return area_end(&p->area, len, w);
}

/* ---- multirecord area (FRU spec sections 16 and 18) ---------------------- */

static void decode_psu(const uint8_t *d, struct fru_psu *ps)
{
    /* FRU spec Table 18-1 */
    ps->capacity_w = le16(d + 0) & 0x0FFF;
    ps->peak_va = le16(d + 2);
    ps->inrush_a = d[4];
    ps->inrush_ms = d[5];
    ps->in_low1_10mv = le16(d + 6);
    ps->in_high1_10mv = le16(d + 8);
    ps->in_low2_10mv = le16(d + 10);
    ps->in_high2_10mv = le16(d + 12);
    ps->freq_low_hz = d[14];
    ps->freq_high_hz = d[15];
    ps->dropout_ms = d[16];
    ps->flags = d[17] & 0x1F;
    uint16_t peak = le16(d + 18);
    ps->peak_w = peak & 0x0FFF;
    ps->holdup_s = (uint8_t)(peak >> 12);
    ps->volt1 = d[20] >> 4;
    ps->volt2 = d[20] & 0x0F;
    ps->combined_w = le16(d + 21);
    ps->tach_rps = d[23];
}

static void decode_dc_output(const uint8_t *d, struct fru_dc_output *dc)
{
    /* FRU spec Table 18-2 */
    dc->output_number = d[0] & 0x0F;
    dc->standby = (d[0] & 0x80) != 0;
    dc->nominal_10mv = (int16_t)le16(d + 1);
    dc->max_neg_10mv = (int16_t)le16(d + 3);
    dc->max_pos_10mv = (int16_t)le16(d + 5);
    dc->ripple_mv = le16(d + 7);
    dc->min_ma = le16(d + 9);
    dc->max_ma = le16(d + 11);
}

static void decode_dc_load(const uint8_t *d, struct fru_dc_load *dl)
{
    /* FRU spec section 18.3 */
    dl->output_number = d[0] & 0x0F;
    dl->nominal_10mv = (int16_t)le16(d + 1);
    dl->min_10mv = (int16_t)le16(d + 3);
    dl->max_10mv = (int16_t)le16(d + 5);
    dl->ripple_mv = le16(d + 7);
    dl->min_ma = le16(d + 9);
    dl->max_ma = le16(d + 11);
}

static void decode_multirec(struct fru_multirec *m)
{
    switch (m->type) {
    case FRU_MR_POWER_SUPPLY:
        if (m->len < FRU_PSU_LEN) {
            m->flags |= FRU_MR_SHORT;
            return;
        }
        decode_psu(m->data, &m->u.psu);
        break;
    case FRU_MR_DC_OUTPUT:
        if (m->len < FRU_DC_OUTPUT_LEN) {
            m->flags |= FRU_MR_SHORT;
            return;
        }
        decode_dc_output(m->data, &m->u.dc_out);
        break;
    case FRU_MR_DC_LOAD:
        if (m->len < FRU_DC_LOAD_LEN) {
            m->flags |= FRU_MR_SHORT;
            return;
        }
        decode_dc_load(m->data, &m->u.dc_load);
        break;
    case FRU_MR_MGMT_ACCESS:
        if (m->len < 1) {
            m->flags |= FRU_MR_SHORT;
            return;
        }
        m->u.mgmt.sub = m->data[0];
        break;
    default:
        if (m->type < FRU_MR_OEM_FIRST && m->type != FRU_MR_BASE_COMPAT &&
            m->type != FRU_MR_EXT_COMPAT)
            return;
        if (m->len < 3) {
            m->flags |= FRU_MR_SHORT;
            return;
        }
        m->u.mfr.manufacturer_id =
            (uint32_t)m->data[0] | ((uint32_t)m->data[1] << 8) | ((uint32_t)m->data[2] << 16);
        break;
    }
    m->flags |= FRU_MR_DECODED;
}

static size_t parse_multirec(const uint8_t *img, size_t len, size_t o, struct fru_inventory *inv)
{
    struct fru_area *a = &inv->multirec_area;
    a->present = true;
    a->offset = (uint16_t)o;
    size_t pos = o;
    bool sums_ok = true;
    /* each record advances by at least its 5-byte header: bounded by len */
    for (;;) {
        if (pos + 5 > len) {
            a->truncated = true;
            area_fail(a, CODEC_E_TRUNCATED);
            break;
        }
        /* record header (FRU spec Table 16-1): type, end/version, length,
         * record checksum, header checksum */
        const uint8_t *h = img + pos;
        if (sum8(h, 5) == 0 && (h[1] & 0x0F) != 0x02) {
            /* not a record of this format (an all-zero header sums to zero
             * too): do not walk erased space record by record */
            area_fail(a, CODEC_E_FIELD);
            break;
        }
        struct fru_multirec tmp;
        struct fru_multirec *m =
            inv->nmultirec < FRU_MULTIREC_MAX ? &inv->multirec[inv->nmultirec] : &tmp;
        memset(m, 0, offsetof(struct fru_multirec, data));
        m->type = h[0];
        m->version = h[1] & 0x0F;
        m->offset = (uint16_t)pos;
        if (h[1] & 0x80)
            m->flags |= FRU_MR_END;
        if (inv->nmultirec < FRU_MULTIREC_MAX)
            inv->nmultirec++;
        else if (inv->multirec_dropped < UINT8_MAX)
            inv->multirec_dropped++;
        if (sum8(h, 5) != 0) {
            /* the length cannot be trusted: stop here, as both tools do */
            area_fail(a, CODEC_E_CHECKSUM);
            sums_ok = false;
            pos += 5;
            break;
        }
        m->flags |= FRU_MR_HDR_OK;
        size_t dlen = h[2];
        size_t have = len - (pos + 5) < dlen ? len - (pos + 5) : dlen;
        m->len = (uint8_t)have;
        memcpy(m->data, h + 5, have);
        bool truncated = have < dlen;
        if (truncated) {
            m->flags |= FRU_MR_TRUNCATED;
            a->truncated = true;
            area_fail(a, CODEC_E_TRUNCATED);
        } else if ((uint8_t)(sum8(h + 5, dlen) + h[3]) == 0) {
            m->flags |= FRU_MR_DATA_OK;
        } else {
            area_fail(a, CODEC_E_CHECKSUM);
            sums_ok = false;
        }
        decode_multirec(m);
        pos += 5 + have;
        if (truncated || (h[1] & 0x80)) {
            a->end_marker = (h[1] & 0x80) != 0;
            break;
        }
    }
    a->length = (uint16_t)(pos - o);
    a->checksum_ok = sums_ok && !a->truncated;
    return pos;
}

/* ---- the whole image ----------------------------------------------------- */

ssize_t fru_parse(const uint8_t *img, size_t len, struct fru_inventory *out, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(out, 0, sizeof(*out));
    out->board.mfg_time = -1;
    /* common header (FRU spec section 8): version, five area offsets in
     * multiples of 8 bytes, pad, zero checksum */
    if (len < FRU_HEADER_LEN) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    memcpy(out->header, img, FRU_HEADER_LEN);
    if (sum8(img, FRU_HEADER_LEN) != 0) {
        *err = CODEC_E_CHECKSUM;
        return -1;
    }
    if ((img[0] & 0x0F) != 0x01) {
        *err = CODEC_E_FIELD;
        return -1;
    }
    size_t end = FRU_HEADER_LEN, e;
    out->internal_offset = (uint16_t)(img[1] * 8);
    if (img[2]) {
        e = parse_chassis(img, len, (size_t)img[2] * 8, &out->chassis);
        end = e > end ? e : end;
    }
    if (img[3]) {
        e = parse_board(img, len, (size_t)img[3] * 8, &out->board);
        end = e > end ? e : end;
    }
    if (img[4]) {
        e = parse_product(img, len, (size_t)img[4] * 8, &out->product);
        end = e > end ? e : end;
    }
    if (img[5]) {
        e = parse_multirec(img, len, (size_t)img[5] * 8, out);
        end = e > end ? e : end;
    }
    *err = CODEC_OK;
    return (ssize_t)(end < len ? end : len);
}

size_t fru_needed_len(const uint8_t *img, size_t have, size_t total)
{
    size_t need = FRU_HEADER_LEN;
    if (have < FRU_HEADER_LEN || sum8(img, FRU_HEADER_LEN) != 0 || (img[0] & 0x0F) != 0x01)
        return need < total ? need : total;
    for (size_t i = 2; i <= 4; i++) {
        size_t o = (size_t)img[i] * 8;
        if (!o)
            continue;
        if (o + 2 > need)
            need = o + 2;
        if (o + 2 <= have && img[o + 1] && o + (size_t)img[o + 1] * 8 > need)
            need = o + (size_t)img[o + 1] * 8;
    }
    size_t pos = (size_t)img[5] * 8;
    while (pos && pos < total) {
        if (pos + 5 > need)
            need = pos + 5;
        if (pos + 5 > have || sum8(img + pos, 5) != 0 || (img[pos + 1] & 0x0F) != 0x02)
            break;
        size_t next = pos + 5 + img[pos + 2];
        if (next > need)
            need = next;
        if (img[pos + 1] & 0x80)
            break;
        pos = next;
    }
    return need < total ? need : total;
}

/* ---- text output ---------------------------------------------------------- */

void fru_mfg_time_format(int64_t t, char out[32])
{
    out[0] = '\0';
    if (t < 0)
        return;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *psu_voltage(uint8_t v)
{
    /* combined wattage voltage codes (FRU spec Table 18-1, byte 20) */
    static const char *const names[] = {"12 V", "-12 V", "5 V", "3.3 V"};
    return v < 4 ? names[v] : "reserved";
}

/* A signed value in 10 mV units as volts: "-12.00" */
static void sink_volts(struct sink *s, int v)
{
    sink_printf(s, "%s%d.%02d", v < 0 ? "-" : "", (v < 0 ? -v : v) / 100, (v < 0 ? -v : v) % 100);
}

size_t fru_mgmt_access_text(const struct fru_multirec *m, char *buf, size_t cap)
{
    if (!cap)
        return 0;
    struct sink s = {buf, cap, 0};
    buf[0] = '\0';
    if (m->type != FRU_MR_MGMT_ACCESS || !(m->flags & FRU_MR_DECODED))
        return 0;
    if (m->u.mgmt.sub == FRU_MGMT_SYS_GUID) {
        sink_hex(&s, m->data + 1, m->len - 1u);
    } else {
        for (size_t i = 1; i < m->len && m->data[i]; i++)
            sink_byte(&s, m->data[i] >= 0x20 && m->data[i] < 0x7F ? m->data[i] : '.');
    }
    return s.len;
}

size_t fru_multirec_describe(const struct fru_multirec *m, char *buf, size_t cap)
{
    if (!cap)
        return 0;
    struct sink s = {buf, cap, 0};
    buf[0] = '\0';
    if (!(m->flags & FRU_MR_HDR_OK)) {
        sink_printf(&s, "type %02Xh: bad header checksum", m->type);
        return s.len;
    }
    if (!(m->flags & FRU_MR_DECODED)) {
        sink_printf(&s, "%s (type %02Xh): ", fru_mr_type_name(m->type), m->type);
        sink_hex(&s, m->data, m->len);
        return s.len;
    }
    switch (m->type) {
    case FRU_MR_POWER_SUPPLY: {
        const struct fru_psu *p = &m->u.psu;
        sink_printf(&s, "Power Supply: capacity %u W", p->capacity_w);
        if (p->peak_va != 0xFFFF)
            sink_printf(&s, ", peak %u VA", p->peak_va);
        if (p->inrush_a != 0xFF)
            sink_printf(&s, ", inrush %u A for %u ms", p->inrush_a, p->inrush_ms);
        sink_printf(&s, ", input %u.%02u-%u.%02u V", p->in_low1_10mv / 100, p->in_low1_10mv % 100,
                    p->in_high1_10mv / 100, p->in_high1_10mv % 100);
        if (p->in_low2_10mv || p->in_high2_10mv)
            sink_printf(&s, " and %u.%02u-%u.%02u V", p->in_low2_10mv / 100, p->in_low2_10mv % 100,
                        p->in_high2_10mv / 100, p->in_high2_10mv % 100);
        sink_printf(&s, ", %u-%u Hz, dropout %u ms", p->freq_low_hz, p->freq_high_hz,
                    p->dropout_ms);
        if (p->flags & FRU_PSU_PREDICTIVE_FAIL)
            sink_printf(&s, ", predictive fail");
        if (p->flags & FRU_PSU_PFC)
            sink_printf(&s, ", power factor correction");
        if (p->flags & FRU_PSU_AUTOSWITCH)
            sink_printf(&s, ", autoswitch");
        if (p->flags & FRU_PSU_HOT_SWAP)
            sink_printf(&s, ", hot swap");
        if (p->peak_w != 0x0FFF)
            sink_printf(&s, ", peak %u W for %u s", p->peak_w, p->holdup_s);
        if (p->combined_w)
            sink_printf(&s, ", combined %u W (%s and %s)", p->combined_w, psu_voltage(p->volt1),
                        psu_voltage(p->volt2));
        break;
    }
    case FRU_MR_DC_OUTPUT: {
        const struct fru_dc_output *d = &m->u.dc_out;
        sink_printf(&s, "DC Output %u%s: ", d->output_number, d->standby ? " (standby)" : "");
        sink_volts(&s, d->nominal_10mv);
        sink_printf(&s, " V (-%d mV/+%d mV), ripple %u mV, %u-%u mA", d->max_neg_10mv * 10,
                    d->max_pos_10mv * 10, d->ripple_mv, d->min_ma, d->max_ma);
        break;
    }
    case FRU_MR_DC_LOAD: {
        const struct fru_dc_load *d = &m->u.dc_load;
        sink_printf(&s, "DC Load %u: ", d->output_number);
        sink_volts(&s, d->nominal_10mv);
        sink_printf(&s, " V (");
        sink_volts(&s, d->min_10mv);
        sink_printf(&s, "-");
        sink_volts(&s, d->max_10mv);
        sink_printf(&s, " V), ripple %u mV, %u-%u mA", d->ripple_mv, d->min_ma, d->max_ma);
        break;
    }
    case FRU_MR_MGMT_ACCESS: {
        char v[520];
        fru_mgmt_access_text(m, v, sizeof(v));
        sink_printf(&s, "%s: %s", fru_mgmt_sub_name(m->u.mgmt.sub), v);
        break;
    }
    default:
        /* OEM and compatibility records: the manufacturer, then the rest in
         * hex (for OEM records as ipmi-fru shows it) */
        if (m->type >= FRU_MR_OEM_FIRST)
            sink_printf(&s, "OEM record type %02Xh, manufacturer %u: ", m->type,
                        m->u.mfr.manufacturer_id);
        else
            sink_printf(&s, "%s (type %02Xh), manufacturer %u: ", fru_mr_type_name(m->type),
                        m->type, m->u.mfr.manufacturer_id);
        sink_hex(&s, m->data + 3, m->len - 3u);
        break;
    }
    return s.len;
}

/* ---- FRU Inventory Device commands (IPMI 2.0 section 34) ------------------ */

/* Get FRU Inventory Area Info response (IPMI 2.0 section 34.1) */
static const struct lfield area_info_fields[] = {
    LF(LF_U16, 0, struct fru_area_info_rsp, size),
    LF(LF_U8, 2, struct fru_area_info_rsp, access),
};
static const struct layout area_info_layout =
    LAYOUT("get_fru_inventory_area_info", struct fru_area_info_rsp, area_info_fields, 3, 0);

ssize_t fru_area_info_rsp_decode(const uint8_t *d, size_t len, struct fru_area_info_rsp *out,
                                 enum codec_err *err)
{
    return layout_decode(&area_info_layout, d, len, out, err);
}

ssize_t fru_read_rsp_decode(const uint8_t *d, size_t len, bool word, const uint8_t **data,
                            size_t *nbytes, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    /* Read FRU Data response (IPMI 2.0 section 34.2): count returned, data */
    if (len < 1) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    size_t n = word ? (size_t)d[0] * 2 : d[0];
    if (n > len - 1) {
        *err = CODEC_E_LENGTH;
        return -1;
    }
    *data = d + 1;
    *nbytes = n;
    *err = CODEC_OK;
    return (ssize_t)(n + 1);
}

size_t fru_read_req_encode(uint8_t out[4], uint8_t fru_id, uint32_t byte_offset, uint8_t byte_count,
                           bool word)
{
    /* the offset is in words for a word-access device (IPMI 2.0 section
     * 34.2); the count too, as OpenIPMI sends it (ipmitool halves only the
     * offset, but reads the returned count as words) */
    uint32_t off = word ? byte_offset / 2 : byte_offset;
    out[0] = fru_id;
    out[1] = (uint8_t)off;
    out[2] = (uint8_t)(off >> 8);
    out[3] = word ? (uint8_t)(byte_count / 2) : byte_count;
    return 4;
}
