/*
 * sel.c - System Event Log codec (IPMI 2.0 sections 31, 32 and 29.7).
 *
 * Event texts come from ipmi_tables.c; readings convert with sensor.c.  Output agrees with
 * `ipmitool sel elist` where the two tools differ (see sel_describe()).
 */
#include "sel.h"
#include "sink.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipmi_tables.h"
#include "layout.h"
#include "sdr.h"
#include "sensor.h"

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static const char *const ts_kind_names[] = {
    [SEL_TS_ABSOLUTE] = "absolute",
    [SEL_TS_PREINIT] = "pre-init",
    [SEL_TS_UNSPECIFIED] = "unspecified",
    [SEL_TS_NONE] = "none",
};

static const char *const kind_names[] = {
    [SEL_KIND_SYSTEM] = "system",
    [SEL_KIND_OEM_TS] = "oem_timestamped",
    [SEL_KIND_OEM_NOTS] = "oem_non_timestamped",
};

const char *sel_kind_name(uint8_t k)
{
    return k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "unknown";
}

const char *sel_ts_kind_name(uint8_t k)
{
    return k < sizeof(ts_kind_names) / sizeof(ts_kind_names[0]) ? ts_kind_names[k] : "unknown";
}

/* ---- records (IPMI 2.0 section 32) ------------------------------------- */

ssize_t sel_record_decode(const uint8_t *rec, size_t len, struct sel_record *out,
                          enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    memset(out, 0, sizeof(*out));
    if (len < SEL_RECORD_LEN) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    /* bytes 1-2 record ID, 3 record type: common to every format */
    out->record_id = le16(rec);
    out->record_type = rec[2];
    if (rec[2] >= SEL_TYPE_OEM_NOTS_FIRST) {
        /* Table 32-3: 13 OEM bytes from byte 4 */
        out->kind = SEL_KIND_OEM_NOTS;
        out->ts_kind = SEL_TS_NONE;
        out->oem_len = 13;
        memcpy(out->oem, rec + 3, 13);
    } else if (rec[2] >= SEL_TYPE_OEM_TS_FIRST) {
        /* Table 32-2: timestamp, manufacturer ID (LS first), 6 OEM bytes */
        out->kind = SEL_KIND_OEM_TS;
        out->timestamp = le32(rec + 3);
        out->ts_kind = sel_ts_classify(out->timestamp);
        out->manufacturer_id =
            (uint32_t)rec[7] | ((uint32_t)rec[8] << 8) | ((uint32_t)rec[9] << 16);
        out->oem_len = 6;
        memcpy(out->oem, rec + 10, 6);
    } else {
        /* Table 32-1 system event record */
        out->kind = SEL_KIND_SYSTEM;
        out->timestamp = le32(rec + 3);
        out->ts_kind = sel_ts_classify(out->timestamp);
        out->generator_id = le16(rec + 7);
        out->gen_addr = rec[7] >> 1;
        out->gen_software = rec[7] & 0x01;
        out->gen_channel = rec[8] >> 4;
        out->gen_lun = rec[8] & 0x03;
        out->evm_rev = rec[9];
        out->sensor_type = rec[10];
        out->sensor_number = rec[11];
        out->event_type = rec[12] & 0x7F;
        out->deassertion = (rec[12] & 0x80) != 0;
        memcpy(out->data, rec + 13, 3);
    }
    *err = CODEC_OK;
    return SEL_RECORD_LEN;
}

/* ---- command responses -------------------------------------------------- */

/* Get SEL Info response after the completion code (IPMI 2.0 section 31.2) */
static const struct lfield sel_info_fields[] = {
    LF(LF_U8, 0, struct sel_info, version),        LF(LF_U16, 1, struct sel_info, entries),
    LF(LF_U16, 3, struct sel_info, free_space),    LF(LF_U32, 5, struct sel_info, last_add_ts),
    LF(LF_U32, 9, struct sel_info, last_erase_ts), LF(LF_U8, 13, struct sel_info, op_support),
};
static const struct layout sel_info_layout =
    LAYOUT("get_sel_info", struct sel_info, sel_info_fields, 14, 0);

ssize_t sel_info_decode(const uint8_t *d, size_t len, struct sel_info *out, enum codec_err *err)
{
    return layout_decode(&sel_info_layout, d, len, out, err);
}

ssize_t sel_reserve_rsp_decode(const uint8_t *d, size_t len, uint16_t *reservation,
                               enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    /* Reserve SEL response (section 31.4): reservation ID, LS byte first */
    if (len < 2) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    *reservation = le16(d);
    *err = CODEC_OK;
    return 2;
}

ssize_t sel_entry_rsp_decode(const uint8_t *d, size_t len, uint16_t *next_id, const uint8_t **rec,
                             enum codec_err *err)
{
    enum codec_err dummy;
    if (!err)
        err = &dummy;
    /* Get SEL Entry response (section 31.5): next SEL record ID, record data */
    if (len < 2 + SEL_RECORD_LEN) {
        *err = CODEC_E_TRUNCATED;
        return -1;
    }
    *next_id = le16(d);
    *rec = d + 2;
    *err = CODEC_OK;
    return 2 + SEL_RECORD_LEN;
}

size_t sel_entry_req_encode(uint8_t out[6], uint16_t reservation, uint16_t record_id)
{
    /* reservation ID, record ID, offset 0, FFh = read the entire record */
    out[0] = (uint8_t)reservation;
    out[1] = (uint8_t)(reservation >> 8);
    out[2] = (uint8_t)record_id;
    out[3] = (uint8_t)(record_id >> 8);
    out[4] = 0x00;
    out[5] = 0xFF;
    return 6;
}

/* ---- text ----------------------------------------------------------------- */

void sel_ts_format(uint8_t ts_kind, uint32_t ts, char out[32])
{
    out[0] = '\0';
    switch (ts_kind) {
    case SEL_TS_ABSOLUTE: {
        time_t t = (time_t)ts;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
        break;
    }
    case SEL_TS_PREINIT:
        snprintf(out, 32, "pre-init %u s", ts);
        break;
    case SEL_TS_UNSPECIFIED:
        snprintf(out, 32, "unspecified");
        break;
    default:
        break;
    }
}

/* "%.*f" with no decimals for a whole number, else two (ipmitool's choice) */
static void value_text(struct sink *k, double v)
{
    int prec = v == floor(v) ? 0 : 2;
    sink_printf(k, "%.*f", prec, v);
}

static bool convert(const struct sdr_sensor *s, uint8_t raw, double *v)
{
    return s->value_kind == SDR_VALUE_ANALOG && sensor_convert(&s->conv, raw, v) == SENSOR_CONV_OK;
}

static void threshold_text(const struct sel_record *r, const struct sdr_sensor *sdr, char *buf,
                           size_t cap)
{
    struct sink k = {buf, cap, 0};
    buf[0] = '\0';
    if (!sdr || r->event_type != 0x01)
        return;
    double reading = 0, threshold = 0;
    bool have_reading = sel_ed2_use(r) == SEL_ED_TRIGGER && convert(sdr, r->data[1], &reading);
    bool have_threshold = sel_ed3_use(r) == SEL_ED_TRIGGER && convert(sdr, r->data[2], &threshold);
    if (!have_reading && !have_threshold)
        return;
    /* odd threshold offsets are "going high" (Table 42-2): the reading is
     * above the threshold when asserted, below it again when deasserted
     * (as ipmitool 1.8.19 prints it) */
    bool above = (sel_event_offset(r) & 1) != r->deassertion;
    const char *cmp = above ? ">" : "<";
    if (have_reading) {
        sink_printf(&k, "Reading ");
        value_text(&k, reading);
    }
    if (have_threshold) {
        /* ipmitool prints "Reading 0" when only the threshold is given; we
         * leave the reading out instead */
        sink_printf(&k, have_reading ? " %s Threshold " : "Threshold ", cmp);
        value_text(&k, threshold);
        char units[64];
        sensor_units_text(sdr, units, sizeof(units));
        sink_printf(&k, " %s", units);
    }
}

static void event_text(const struct sel_record *r, char *buf, size_t cap)
{
    struct sink k = {buf, cap, 0};
    buf[0] = '\0';
    uint8_t off = sel_event_offset(r);
    const char *t = NULL;
    /* event data 2 may refine a sensor-specific offset (IPMI 2.0 Table 42-3) */
    if (r->event_type == 0x6f && sel_ed2_use(r) == SEL_ED_SENSOR_SPECIFIC)
        t = ipmi_event_data2_text(r->sensor_type, off, r->data[1]);
    if (!t)
        t = ipmi_event_offset_text(r->event_type, r->sensor_type, off);
    if (t) {
        sink_printf(&k, "%s", t);
        return;
    }
    if (r->event_type >= 0x70 && r->event_type <= 0x7F)
        sink_printf(&k, "OEM event type %02Xh offset %02Xh", r->event_type, off);
    else
        sink_printf(&k, "Event type %02Xh offset %02Xh", r->event_type, off);
}

void sel_describe(const struct sel_record *r, const struct sdr_sensor *sdr, struct sel_text *out)
{
    memset(out, 0, sizeof(*out));
    sel_ts_format(r->ts_kind, r->timestamp, out->timestamp);
    struct sink data = {out->data, sizeof(out->data), 0};

    if (r->kind != SEL_KIND_SYSTEM) {
        /* OEM records: manufacturer ID (timestamped only) and the bytes, as
         * `ipmitool sel elist` shows them ("OEM record c0 | 000157 | ...") */
        out->sensor_type = "";
        out->event_class = "OEM";
        out->direction = "";
        snprintf(out->event, sizeof(out->event), "OEM record %02Xh", r->record_type);
        if (r->kind == SEL_KIND_OEM_TS)
            sink_printf(&data, "%06x ", r->manufacturer_id);
        for (size_t i = 0; i < r->oem_len; i++)
            sink_printf(&data, "%02x", r->oem[i]);
        return;
    }

    out->sensor_type = ipmi_sensor_type_name(r->sensor_type);
    out->event_class = ipmi_event_type_class(r->event_type);
    if (sdr && sdr->name[0])
        snprintf(out->sensor_name, sizeof(out->sensor_name), "%s", sdr->name);
    else
        snprintf(out->sensor_name, sizeof(out->sensor_name), "#0x%02x", r->sensor_number);
    out->direction = r->deassertion ? "Deasserted" : "Asserted";
    event_text(r, out->event, sizeof(out->event));
    threshold_text(r, sdr, out->reading, sizeof(out->reading));
    sink_printf(&data, "%02x%02x%02x", r->data[0], r->data[1], r->data[2]);
}
