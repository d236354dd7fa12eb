/*
 * pet.c - Platform Event Trap codec (PET 1.0, IPMI 2.0 sections 17.16 and
 * 30.8).  The payload layout is a data table; event texts come from
 * sel_describe() (and through it ipmi_tables.c), OEM custom fields from the
 * FRU type/length decoder: there is no second copy of either.
 */
#include "pet.h"
#include "sink.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fru.h"
#include "ipmi_tables.h"
#include "layout.h"
#include "sdr.h"

const uint32_t pet_enterprise_oid[PET_ENTERPRISE_LEN] = {1, 3, 6, 1, 4, 1, 3183, 1, 1};

/* ---- tables ---------------------------------------------------------------- */

/* PET 1.0 event severity, indexed by the set bit's position + 1 (0 = none) */
static const char *const severity_names[] = {
    "Unspecified", "Monitor", "Information", "OK", "Non-critical", "Critical", "Non-recoverable",
};

const char *pet_severity_name(uint8_t sev)
{
    if (sev == PET_SEV_UNSPECIFIED)
        return severity_names[0];
    if (sev & (sev - 1))
        return "Invalid"; /* more than one bit: the spec defines single bits only */
    unsigned bit = (unsigned)__builtin_ctz(sev);
    return bit + 1 < sizeof(severity_names) / sizeof(severity_names[0]) ? severity_names[bit + 1]
                                                                        : "Invalid";
}

/* PET 1.0 trap/event source types: eight values per class, by value >> 3 */
static const char *const source_type_names[] = {
    "Platform Firmware",
    "SMI Handler",
    "ISV System Management Software",
    "Alert ASIC",
    "IPMI",
    "BIOS Vendor",
    "System Board Set Vendor",
    "System Integrator",
    "Third Party Add-in",
    "OSV",
    "NIC",
    "System Management Card",
};

const char *pet_source_type_name(uint8_t type)
{
    if (type == 0xFF)
        return "unspecified";
    unsigned cls = type >> 3;
    return cls < sizeof(source_type_names) / sizeof(source_type_names[0]) ? source_type_names[cls]
                                                                          : "reserved";
}

/* ---- trap header ------------------------------------------------------------ */

int pet_trap_decode(const uint32_t *enterprise, size_t enterprise_len, long generic, long specific,
                    struct pet_trap *out, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(out, 0, sizeof(*out));
    if (!enterprise || enterprise_len != PET_ENTERPRISE_LEN ||
        memcmp(enterprise, pet_enterprise_oid, sizeof(pet_enterprise_oid)) != 0) {
        *err = CODEC_E_ENTERPRISE;
        return -1;
    }
    /* PET 1.0 section 3.1: bits 23:16 sensor type, 15:8 event type, 7
     * deassertion, 6:4 reserved, 3:0 offset; nothing above bit 23 */
    if (generic != PET_GENERIC_TRAP || specific < 0 || specific > 0xFFFFFF ||
        (specific & 0x70) != 0) {
        *err = CODEC_E_FIELD;
        return -1;
    }
    out->sensor_type = (uint8_t)(specific >> 16);
    out->event_type = (uint8_t)(specific >> 8);
    out->deassertion = (specific & 0x80) != 0;
    out->offset = (uint8_t)(specific & 0x0F);
    *err = CODEC_OK;
    return 0;
}

/* ---- payload ---------------------------------------------------------------- */

/* The payload as it is on the wire (PET 1.0 Table 4), before the fields
 * are spread into struct pet. */
struct pet_wire {
    uint8_t guid[16];
    uint16_t sequence;
    uint32_t timestamp;
    uint16_t utc_offset;
    uint8_t trap_source, event_source, severity, sensor_device, sensor_number, entity, instance;
    uint8_t data1_3[3];
    uint8_t data4_8[5];
    uint8_t language;
    uint32_t manufacturer_id;
    uint16_t system_id;
    uint8_t oem[PET_OEM_CAP];
    size_t oem_len;
};

static const struct lfield pet_fields[] = {
    LF(LF_BYTES, 0, struct pet_wire, guid),
    LF(LF_U16BE, 16, struct pet_wire, sequence),
    LF(LF_U32BE, 18, struct pet_wire, timestamp),
    LF(LF_U16BE, 22, struct pet_wire, utc_offset),
    LF(LF_U8, 24, struct pet_wire, trap_source),
    LF(LF_U8, 25, struct pet_wire, event_source),
    LF(LF_U8, 26, struct pet_wire, severity),
    LF(LF_U8, 27, struct pet_wire, sensor_device),
    LF(LF_U8, 28, struct pet_wire, sensor_number),
    LF(LF_U8, 29, struct pet_wire, entity),
    LF(LF_U8, 30, struct pet_wire, instance),
    LF(LF_BYTES, 31, struct pet_wire, data1_3),
    LF(LF_BYTES, 34, struct pet_wire, data4_8),
    LF(LF_U8, 39, struct pet_wire, language),
    LF(LF_U32BE, 40, struct pet_wire, manufacturer_id),
    LF(LF_U16BE, 44, struct pet_wire, system_id),
    LF_TAILF(PET_OEM_OFF, struct pet_wire, oem, oem_len),
};
static const struct layout pet_layout =
    LAYOUT("pet", struct pet_wire, pet_fields, PET_MIN_LEN, PET_MAX_LEN);

/* Trailing fields: present only when the payload holds all of their bytes. */
static const struct {
    uint8_t end;
    uint8_t bit;
} pet_optional[] = {
    {39, PET_HAS_EVENT_DATA_4_8}, {40, PET_HAS_LANGUAGE}, {44, PET_HAS_MANUFACTURER},
    {46, PET_HAS_SYSTEM_ID},      {47, PET_HAS_OEM},
};

/* Walk the OEM custom field list: FRU type/length records up to C1h (PET
 * 1.0 section 3.2; FRU spec section 13).  A record whose data runs past
 * the payload is a broken chain; a list that simply stops is accepted. */
static int oem_walk(struct pet *p, enum codec_err *err)
{
    size_t i = 0;
    while (i < p->oem_len) {
        uint8_t tl = p->oem[i];
        if (tl == PET_OEM_END) {
            p->oem_terminated = true;
            p->oem_trailing = (uint8_t)(p->oem_len - i - 1);
            return 0;
        }
        size_t n = tl & 0x3F;
        if (i + 1 + n > p->oem_len) {
            *err = CODEC_E_OEM_CHAIN;
            return -1;
        }
        /* each field takes at least its type/length byte, so at most
         * PET_OEM_CAP of them fit: noem cannot overflow */
        struct pet_oem_field *f = &p->oem_fields[p->noem++];
        f->type = tl >> 6;
        f->off = (uint8_t)(i + 1);
        f->len = (uint8_t)n;
        i += 1 + n;
    }
    return 0;
}

ssize_t pet_decode(const uint8_t *buf, size_t len, struct pet *out, enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    struct pet_trap trap = out->trap;
    struct pet_wire w;
    memset(out, 0, sizeof(*out));
    out->trap = trap;
    if (layout_decode(&pet_layout, buf, len, &w, err) < 0)
        return -1;

    for (size_t i = 0; i < sizeof(pet_optional) / sizeof(pet_optional[0]); i++)
        if (len >= pet_optional[i].end)
            out->present |= pet_optional[i].bit;

    memcpy(out->guid, w.guid, sizeof(out->guid));
    out->sequence = w.sequence;
    out->timestamp = w.timestamp;
    out->ts_specified = w.timestamp != PET_TS_UNSPEC_0 && w.timestamp != PET_TS_UNSPEC_1;
    out->utc_offset = (int16_t)w.utc_offset;
    out->utc_specified = w.utc_offset != 0xFFFF;
    out->trap_source = w.trap_source;
    out->event_source = w.event_source;
    out->severity = w.severity;
    out->sensor_device = w.sensor_device;
    out->sensor_number = w.sensor_number;
    out->entity = w.entity;
    out->entity_instance = w.instance;
    memcpy(out->data, w.data1_3, 3);
    memcpy(out->data + 3, w.data4_8, 5);
    out->language = w.language;
    out->manufacturer_id = w.manufacturer_id;
    out->system_id = w.system_id;
    out->offset_mismatch = (out->data[0] & 0x0F) != trap.offset;

    out->oem_len = (uint8_t)w.oem_len;
    memcpy(out->oem, w.oem, w.oem_len);
    if (oem_walk(out, err) < 0)
        return -1;
    *err = CODEC_OK;
    return (ssize_t)len;
}

ssize_t pet_decode_trap(const uint32_t *enterprise, size_t enterprise_len, long generic,
                        long specific, const uint8_t *buf, size_t len, struct pet *out,
                        enum codec_err *err)
{
    if (pet_trap_decode(enterprise, enterprise_len, generic, specific, &out->trap, err) < 0)
        return -1;
    return pet_decode(buf, len, out, err);
}

void pet_to_sel(const struct pet *p, struct sel_record *out)
{
    memset(out, 0, sizeof(*out));
    out->record_type = SEL_TYPE_SYSTEM;
    out->kind = SEL_KIND_SYSTEM;
    if (p->ts_specified && p->utc_specified) {
        /* PET 1.0: the timestamp is local time and the UTC offset is local
         * minus UTC, in minutes; so UTC = local - offset */
        out->timestamp = (uint32_t)((int64_t)PET_EPOCH_UNIX + p->timestamp - p->utc_offset * 60);
        out->ts_kind = SEL_TS_ABSOLUTE;
    } else {
        out->timestamp = SEL_TS_UNSPECIFIED_VALUE;
        out->ts_kind = SEL_TS_UNSPECIFIED;
    }
    out->generator_id = p->sensor_device;
    out->gen_addr = p->sensor_device >> 1;
    out->gen_software = p->sensor_device & 0x01;
    out->evm_rev = 0x04;
    out->sensor_type = p->trap.sensor_type;
    out->sensor_number = p->sensor_number;
    out->event_type = p->trap.event_type & 0x7F;
    out->deassertion = p->trap.deassertion;
    memcpy(out->data, p->data, 3);
}

/* ---- text ------------------------------------------------------------------- */

static void local_time_text(const struct pet *p, char *buf, size_t cap)
{
    struct sink k = {buf, cap, 0};
    buf[0] = '\0';
    if (!p->ts_specified) {
        sink_printf(&k, "unspecified");
        return;
    }
    /* the wall clock of the BMC: format it as if it were UTC, then name the offset */
    time_t t = (time_t)((int64_t)PET_EPOCH_UNIX + p->timestamp);
    struct tm tm;
    char clock[32] = "";
    if (gmtime_r(&t, &tm))
        strftime(clock, sizeof(clock), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p->utc_specified) {
        sink_printf(&k, "%s (UTC offset unspecified)", clock);
        return;
    }
    int off = p->utc_offset;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    sink_printf(&k, "%s%c%02d:%02d", clock, sign, off / 60, off % 60);
}

static void oem_text(const struct pet *p, char *buf, size_t cap)
{
    struct sink k = {buf, cap, 0};
    buf[0] = '\0';
    /* type 11b text is 8-bit ASCII/Latin-1 for English (the default when the
     * payload has no language code), UCS-2 otherwise (FRU spec section 13) */
    uint8_t lang = (p->present & PET_HAS_LANGUAGE) ? p->language : FRU_LANG_ENGLISH;
    for (unsigned i = 0; i < p->noem; i++) {
        const struct pet_oem_field *f = &p->oem_fields[i];
        struct fru_field ff;
        if (fru_field_decode(p->oem + f->off - 1, (size_t)f->len + 1, lang, &ff, NULL) < 0)
            continue; /* cannot happen: oem_walk() checked the length */
        sink_printf(&k, "%s%s", i ? "; " : "", ff.text);
    }
}

void pet_describe(const struct pet *p, const struct sdr_sensor *sdr, struct pet_text *out)
{
    memset(out, 0, sizeof(*out));
    struct sel_record r;
    pet_to_sel(p, &r);
    sel_describe(&r, sdr, &out->ev);

    snprintf(out->guid, sizeof(out->guid),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", p->guid[0],
             p->guid[1], p->guid[2], p->guid[3], p->guid[4], p->guid[5], p->guid[6], p->guid[7],
             p->guid[8], p->guid[9], p->guid[10], p->guid[11], p->guid[12], p->guid[13],
             p->guid[14], p->guid[15]);
    local_time_text(p, out->local_time, sizeof(out->local_time));
    out->severity = pet_severity_name(p->severity);
    out->trap_source = pet_source_type_name(p->trap_source);
    out->event_source = pet_source_type_name(p->event_source);
    out->entity = p->entity ? ipmi_entity_name(p->entity) : "unspecified";
    if (p->entity)
        snprintf(out->entity_text, sizeof(out->entity_text), "%s %u%s", out->entity,
                 p->entity_instance & 0x7F,
                 (p->entity_instance & 0x80) ? " (device-relative)" : "");
    else
        snprintf(out->entity_text, sizeof(out->entity_text), "unspecified");
    if (p->sensor_device == 0xFF)
        snprintf(out->sensor_device, sizeof(out->sensor_device), "unspecified");
    else if (p->sensor_device & 0x01)
        snprintf(out->sensor_device, sizeof(out->sensor_device), "software ID %02Xh",
                 p->sensor_device);
    else
        snprintf(out->sensor_device, sizeof(out->sensor_device), "%02Xh", p->sensor_device);
    oem_text(p, out->oem, sizeof(out->oem));
}

/* ---- PET Acknowledge (IPMI 2.0 section 30.8) --------------------------------- */

static const struct lfield pet_ack_fields[] = {
    LF(LF_U16, 0, struct pet_ack, sequence),     LF(LF_U32, 2, struct pet_ack, timestamp),
    LF(LF_U8, 6, struct pet_ack, event_source),  LF(LF_U8, 7, struct pet_ack, sensor_device),
    LF(LF_U8, 8, struct pet_ack, sensor_number), LF(LF_BYTES, 9, struct pet_ack, data),
};
static const struct layout pet_ack_layout =
    LAYOUT("pet_acknowledge", struct pet_ack, pet_ack_fields, PET_ACK_REQ_LEN, PET_ACK_REQ_LEN);

void pet_ack_from(const struct pet *p, struct pet_ack *out)
{
    memset(out, 0, sizeof(*out));
    out->sequence = p->sequence;
    out->timestamp = p->timestamp;
    out->event_source = p->event_source;
    out->sensor_device = p->sensor_device;
    out->sensor_number = p->sensor_number;
    memcpy(out->data, p->data, 3);
}

ssize_t pet_ack_encode(const struct pet_ack *a, uint8_t *buf, size_t cap, enum codec_err *err)
{
    return layout_encode(&pet_ack_layout, a, buf, cap, err);
}

ssize_t pet_ack_decode(const uint8_t *buf, size_t len, struct pet_ack *out, enum codec_err *err)
{
    return layout_decode(&pet_ack_layout, buf, len, out, err);
}
