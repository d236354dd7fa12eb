/*
 * report.c - rendering what --once read: JSON (json-c; the shape is in
 * README.md) and a human table.  Text is made here, never on the poll path.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "fru.h"
#include "ipmi_tables.h"
#include "once.h"
#include "sel.h"

#define J_STR(s)  json_object_new_string(s)
#define J_INT(i)  json_object_new_int(i)
#define J_BOOL(b) json_object_new_boolean(b)

static void fmt_fw(const struct ipmi_devid_rsp *d, char *out, size_t len)
{
    snprintf(out, len, "%u.%02x", d->fw_major & 0x7f, d->fw_minor);
}

static void fmt_ipmi_version(const struct ipmi_devid_rsp *d, char *out, size_t len)
{
    /* BCD: low nibble major, high nibble minor (IPMI 2.0 Table 20-2) */
    snprintf(out, len, "%u.%u", d->ipmi_version & 0x0f, d->ipmi_version >> 4);
}

static const char *power_word(const struct bmc_data *o)
{
    if (!o->have_chassis)
        return "-";
    return (o->chassis.power & 0x01) ? "on" : "off";
}

static bool numeric_reading(const struct sdr_sensor *s, const struct sensor_value *v)
{
    return v->why == SENSOR_WHY_NONE && v->conv == SENSOR_CONV_OK &&
           (s->value_kind == SDR_VALUE_ANALOG || s->value_kind == SDR_VALUE_NEEDS_FACTORS);
}

/* Why a sensor has no value, naming the completion code when there is one. */
static void unavailable_reason(const struct sensor_value *v, char *out, size_t cap)
{
    if (v->why == SENSOR_WHY_CC)
        snprintf(out, cap, "%s: %s (%02Xh)", sensor_why_text(SENSOR_WHY_CC), ipmi_cc_word(v->r.cc),
                 v->r.cc);
    else
        snprintf(out, cap, "%s", sensor_why_text((enum sensor_why)v->why));
}

static bool analog(const struct sdr_sensor *s)
{
    return s->value_kind == SDR_VALUE_ANALOG || s->value_kind == SDR_VALUE_NEEDS_FACTORS;
}

/* ---- JSON: identity ---------------------------------------------------------- */

static json_object *json_devid(const struct ipmi_devid_rsp *d)
{
    char fw[16], iv[8], aux[16];
    fmt_fw(d, fw, sizeof(fw));
    fmt_ipmi_version(d, iv, sizeof(iv));
    json_object *j = json_object_new_object();
    json_object_object_add(j, "device_id", J_INT(d->device_id));
    json_object_object_add(j, "device_revision", J_INT(d->device_rev & 0x0f));
    json_object_object_add(j, "provides_sdrs", J_BOOL(d->device_rev & 0x80));
    json_object_object_add(j, "manufacturer_id", J_INT((int32_t)(d->manufacturer_id & 0xfffff)));
    json_object_object_add(j, "product_id", J_INT(d->product_id));
    json_object_object_add(j, "firmware_revision", J_STR(fw));
    json_object_object_add(j, "ipmi_version", J_STR(iv));
    json_object_object_add(j, "device_available", J_BOOL(!(d->fw_major & 0x80)));
    if (d->aux_len == 4) {
        snprintf(aux, sizeof(aux), "%02x%02x%02x%02x", d->aux_fw[0], d->aux_fw[1], d->aux_fw[2],
                 d->aux_fw[3]);
        json_object_object_add(j, "aux_firmware", J_STR(aux));
    } else {
        json_object_object_add(j, "aux_firmware", NULL);
    }
    return j;
}

static json_object *json_chassis(const struct bmc_data *o)
{
    const struct ipmi_chassis_rsp *c = &o->chassis;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "power", J_STR(power_word(o)));
    json_object_object_add(j, "power_overload", J_BOOL(c->power & 0x02));
    json_object_object_add(j, "power_interlock", J_BOOL(c->power & 0x04));
    json_object_object_add(j, "power_fault", J_BOOL(c->power & 0x08));
    json_object_object_add(j, "power_control_fault", J_BOOL(c->power & 0x10));
    json_object_object_add(j, "intrusion", J_BOOL(c->misc & 0x01));
    json_object_object_add(j, "front_panel_lockout", J_BOOL(c->misc & 0x02));
    json_object_object_add(j, "drive_fault", J_BOOL(c->misc & 0x04));
    json_object_object_add(j, "cooling_fault", J_BOOL(c->misc & 0x08));
    return j;
}

/* ---- JSON: sensors ------------------------------------------------------------ */

static json_object *json_sensor(const struct sdr_sensor *s, const struct sensor_value *v)
{
    static const char *const thr_key[SDR_THR__COUNT] = {
        [SDR_THR_LNC] = "lnc", [SDR_THR_LC] = "lc", [SDR_THR_LNR] = "lnr",
        [SDR_THR_UNC] = "unc", [SDR_THR_UC] = "uc", [SDR_THR_UNR] = "unr",
    };
    static const unsigned thr_order[SDR_THR__COUNT] = {SDR_THR_LNR, SDR_THR_LC, SDR_THR_LNC,
                                                       SDR_THR_UNC, SDR_THR_UC, SDR_THR_UNR};
    json_object *j = json_object_new_object();
    json_object_object_add(j, "number", J_INT(s->number));
    json_object_object_add(j, "owner", J_INT(s->owner_addr));
    json_object_object_add(j, "lun", J_INT(s->owner_lun));
    json_object_object_add(j, "name", J_STR(s->name));
    json_object_object_add(j, "type", J_INT(s->sensor_type));
    json_object_object_add(j, "type_name", J_STR(ipmi_sensor_type_name(s->sensor_type)));
    json_object_object_add(j, "event_type", J_INT(s->event_type));
    json_object_object_add(j, "entity_id", J_INT(s->entity_id));
    json_object_object_add(j, "entity_instance", J_INT(s->entity_instance));
    json_object_object_add(j, "reading",
                           numeric_reading(s, v) ? json_object_new_double(v->value) : NULL);
    if (analog(s)) {
        char units[64];
        sensor_units_text(s, units, sizeof(units));
        json_object_object_add(j, "units", J_STR(units));
    } else {
        json_object_object_add(j, "units", NULL);
    }
    enum sensor_status st = sensor_poll_status(s, v);
    json_object_object_add(j, "status", J_STR(sensor_status_name(st)));
    json_object *states = json_object_new_array();
    if (st != SENSOR_UNAVAILABLE) {
        const char *names[16];
        unsigned n = sensor_state_names(s, &v->r, names, 16);
        for (unsigned i = 0; i < n && i < 16; i++)
            json_object_array_add(states, J_STR(names[i]));
    }
    json_object_object_add(j, "states", states);
    if (st == SENSOR_UNAVAILABLE) {
        char why[128];
        unavailable_reason(v, why, sizeof(why));
        json_object_object_add(j, "unavailable_reason", J_STR(why));
    }
    if (sdr_is_threshold(s)) {
        json_object *t = json_object_new_object();
        for (unsigned k = 0; k < SDR_THR__COUNT; k++) {
            unsigned thr = thr_order[k];
            double x = 0;
            bool ok = (v->thr.readable & (1u << thr)) &&
                      sensor_threshold_value(s, &v->thr, thr, &x) == SENSOR_CONV_OK;
            json_object_object_add(t, thr_key[thr], ok ? json_object_new_double(x) : NULL);
        }
        json_object_object_add(j, "thresholds", t);
    } else {
        json_object_object_add(j, "thresholds", NULL);
    }
    return j;
}

static void json_sensors(json_object *j, const struct bmc_data *o)
{
    if (!o->have_sensors || !o->set) {
        json_object_object_add(j, "sensors", NULL);
    } else {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < o->set->n; i++)
            if (sensor_poll_readable(&o->set->s[i]))
                json_object_array_add(arr, json_sensor(&o->set->s[i], &o->vals[i]));
        json_object_object_add(j, "sensors", arr);
    }
    json_object *sd = json_object_new_object();
    json_object_object_add(sd, "records", J_INT(o->repo ? o->repo->nrecords : 0));
    json_object_object_add(sd, "from_cache", J_BOOL(o->sdr_stats.from_cache));
    json_object_object_add(sd, "unchanged", J_BOOL(o->sdr_stats.unchanged));
    json_object_object_add(sd, "get_sdr_requests", J_INT((int32_t)o->sdr_stats.get_sdr_requests));
    json_object_object_add(sd, "error", o->sdr_err[0] ? J_STR(o->sdr_err) : NULL);
    json_object_object_add(j, "sdr", sd);
}

/* ---- JSON: FRU ---------------------------------------------------------------- */

static json_object *field_or_null(const struct fru_field *f)
{
    return (f->flags & FRU_FIELD_PRESENT) ? J_STR(f->text) : NULL;
}

static json_object *json_custom(const struct fru_field *c, uint8_t n)
{
    json_object *a = json_object_new_array();
    for (uint8_t i = 0; i < n; i++)
        json_object_array_add(a, J_STR(c[i].text));
    return a;
}

static void json_area_meta(json_object *j, const struct fru_area *a)
{
    json_object_object_add(j, "checksum_ok", J_BOOL(a->checksum_ok));
    if (a->err != CODEC_OK)
        json_object_object_add(j, "problem", J_STR(codec_err_name(a->err)));
}

static json_object *json_mr_fields(const struct fru_multirec *m)
{
    json_object *f = json_object_new_object();
    if (!(m->flags & FRU_MR_DECODED))
        return f;
    switch (m->type) {
    case FRU_MR_POWER_SUPPLY: {
        const struct fru_psu *p = &m->u.psu;
        json_object_object_add(f, "capacity_w", J_INT(p->capacity_w));
        json_object_object_add(f, "peak_va", p->peak_va == 0xffff ? NULL : J_INT(p->peak_va));
        json_object_object_add(f, "peak_w", p->peak_w == 0xfff ? NULL : J_INT(p->peak_w));
        json_object_object_add(f, "holdup_s", J_INT(p->holdup_s));
        json_object_object_add(f, "combined_w", J_INT(p->combined_w));
        json_object_object_add(f, "inrush_a", p->inrush_a == 0xff ? NULL : J_INT(p->inrush_a));
        json_object_object_add(f, "inrush_ms", J_INT(p->inrush_ms));
        json_object_object_add(f, "input_low_mv", J_INT(p->in_low1_10mv * 10));
        json_object_object_add(f, "input_high_mv", J_INT(p->in_high1_10mv * 10));
        json_object_object_add(f, "input_low2_mv", J_INT(p->in_low2_10mv * 10));
        json_object_object_add(f, "input_high2_mv", J_INT(p->in_high2_10mv * 10));
        json_object_object_add(f, "frequency_low_hz", J_INT(p->freq_low_hz));
        json_object_object_add(f, "frequency_high_hz", J_INT(p->freq_high_hz));
        json_object_object_add(f, "dropout_ms", J_INT(p->dropout_ms));
        json_object_object_add(f, "hot_swap", J_BOOL(p->flags & FRU_PSU_HOT_SWAP));
        json_object_object_add(f, "autoswitch", J_BOOL(p->flags & FRU_PSU_AUTOSWITCH));
        json_object_object_add(f, "pfc", J_BOOL(p->flags & FRU_PSU_PFC));
        json_object_object_add(f, "predictive_fail", J_BOOL(p->flags & FRU_PSU_PREDICTIVE_FAIL));
        break;
    }
    case FRU_MR_DC_OUTPUT: {
        const struct fru_dc_output *d = &m->u.dc_out;
        json_object_object_add(f, "output_number", J_INT(d->output_number));
        json_object_object_add(f, "standby", J_BOOL(d->standby));
        json_object_object_add(f, "nominal_mv", J_INT(d->nominal_10mv * 10));
        json_object_object_add(f, "max_negative_deviation_mv", J_INT(d->max_neg_10mv * 10));
        json_object_object_add(f, "max_positive_deviation_mv", J_INT(d->max_pos_10mv * 10));
        json_object_object_add(f, "ripple_mv", J_INT(d->ripple_mv));
        json_object_object_add(f, "min_current_ma", J_INT(d->min_ma));
        json_object_object_add(f, "max_current_ma", J_INT(d->max_ma));
        break;
    }
    case FRU_MR_DC_LOAD: {
        const struct fru_dc_load *d = &m->u.dc_load;
        json_object_object_add(f, "output_number", J_INT(d->output_number));
        json_object_object_add(f, "nominal_mv", J_INT(d->nominal_10mv * 10));
        json_object_object_add(f, "min_mv", J_INT(d->min_10mv * 10));
        json_object_object_add(f, "max_mv", J_INT(d->max_10mv * 10));
        json_object_object_add(f, "ripple_mv", J_INT(d->ripple_mv));
        json_object_object_add(f, "min_current_ma", J_INT(d->min_ma));
        json_object_object_add(f, "max_current_ma", J_INT(d->max_ma));
        break;
    }
    case FRU_MR_MGMT_ACCESS: {
        char text[300];
        fru_mgmt_access_text(m, text, sizeof(text));
        json_object_object_add(f, "sub_type", J_INT(m->u.mgmt.sub));
        json_object_object_add(f, "sub_type_name", J_STR(fru_mgmt_sub_name(m->u.mgmt.sub)));
        json_object_object_add(f, "value", J_STR(text));
        break;
    }
    case FRU_MR_BASE_COMPAT:
    case FRU_MR_EXT_COMPAT:
        json_object_object_add(f, "manufacturer_id", J_INT((int32_t)m->u.mfr.manufacturer_id));
        break;
    default:
        if (m->type >= FRU_MR_OEM_FIRST)
            json_object_object_add(f, "manufacturer_id", J_INT((int32_t)m->u.mfr.manufacturer_id));
        break;
    }
    return f;
}

static json_object *json_fru_one(const struct fru_result *fr)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "id", J_INT(fr->id));
    json_object_object_add(j, "name", J_STR(fr->name));
    json_object_object_add(j, "status", J_STR(fru_read_status_name(fr->status)));
    if (!fr->parsed) {
        json_object_object_add(j, "chassis", NULL);
        json_object_object_add(j, "board", NULL);
        json_object_object_add(j, "product", NULL);
        json_object_object_add(j, "multirecords", json_object_new_array());
        return j;
    }
    const struct fru_inventory *inv = &fr->inv;
    if (inv->chassis.area.present) {
        const struct fru_chassis *c = &inv->chassis;
        json_object *cj = json_object_new_object();
        json_object_object_add(cj, "type", J_STR(fru_chassis_type_name(c->type)));
        json_object_object_add(cj, "type_code", J_INT(c->type));
        json_object_object_add(cj, "part_number", field_or_null(&c->part_number));
        json_object_object_add(cj, "serial_number", field_or_null(&c->serial_number));
        json_object_object_add(cj, "custom", json_custom(c->custom, c->ncustom));
        json_area_meta(cj, &c->area);
        json_object_object_add(j, "chassis", cj);
    } else {
        json_object_object_add(j, "chassis", NULL);
    }
    if (inv->board.area.present) {
        const struct fru_board *b = &inv->board;
        char when[32] = "";
        fru_mfg_time_format(b->mfg_time, when);
        json_object *bj = json_object_new_object();
        json_object_object_add(bj, "mfg_datetime", when[0] ? J_STR(when) : NULL);
        json_object_object_add(bj, "manufacturer", field_or_null(&b->manufacturer));
        json_object_object_add(bj, "product_name", field_or_null(&b->product_name));
        json_object_object_add(bj, "serial_number", field_or_null(&b->serial_number));
        json_object_object_add(bj, "part_number", field_or_null(&b->part_number));
        json_object_object_add(bj, "custom", json_custom(b->custom, b->ncustom));
        json_area_meta(bj, &b->area);
        json_object_object_add(j, "board", bj);
    } else {
        json_object_object_add(j, "board", NULL);
    }
    if (inv->product.area.present) {
        const struct fru_product *p = &inv->product;
        json_object *pj = json_object_new_object();
        json_object_object_add(pj, "manufacturer", field_or_null(&p->manufacturer));
        json_object_object_add(pj, "name", field_or_null(&p->name));
        json_object_object_add(pj, "part_number", field_or_null(&p->part_number));
        json_object_object_add(pj, "version", field_or_null(&p->version));
        json_object_object_add(pj, "serial_number", field_or_null(&p->serial_number));
        json_object_object_add(pj, "asset_tag", field_or_null(&p->asset_tag));
        json_object_object_add(pj, "custom", json_custom(p->custom, p->ncustom));
        json_area_meta(pj, &p->area);
        json_object_object_add(j, "product", pj);
    } else {
        json_object_object_add(j, "product", NULL);
    }
    json_object *mr = json_object_new_array();
    for (uint8_t i = 0; i < inv->nmultirec; i++) {
        const struct fru_multirec *m = &inv->multirec[i];
        char desc[512], hex[2 * 255 + 1];
        fru_multirec_describe(m, desc, sizeof(desc));
        for (uint8_t k = 0; k < m->len; k++)
            snprintf(hex + 2 * k, 3, "%02x", m->data[k]);
        hex[2 * m->len] = '\0';
        json_object *mj = json_object_new_object();
        json_object_object_add(mj, "type", J_INT(m->type));
        json_object_object_add(mj, "type_name", J_STR(fru_mr_type_name(m->type)));
        json_object_object_add(mj, "description", J_STR(desc));
        json_object_object_add(mj, "fields", json_mr_fields(m));
        json_object_object_add(mj, "checksum_ok",
                               J_BOOL((m->flags & (FRU_MR_HDR_OK | FRU_MR_DATA_OK)) ==
                                      (FRU_MR_HDR_OK | FRU_MR_DATA_OK)));
        json_object_object_add(mj, "data", J_STR(hex));
        json_object_array_add(mr, mj);
    }
    json_object_object_add(j, "multirecords", mr);
    return j;
}

static json_object *json_fru(const struct bmc_data *o)
{
    if (!o->frur || !o->fru_done)
        return NULL;
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < fru_reader_count(o->frur); i++) {
        const struct fru_result *fr = fru_reader_result(o->frur, i);
        if (fr->status == FRU_READ_ABSENT && fr->id != 0)
            continue;
        json_object_array_add(a, json_fru_one(fr));
    }
    return a;
}

/* ---- JSON: SEL ------------------------------------------------------------------ */

/* The SDR of the sensor that logged an event: same owner, LUN and number. */
static const struct sdr_sensor *sel_sensor(const struct bmc_data *o, const struct sel_record *r)
{
    if (!o->set || r->kind != SEL_KIND_SYSTEM)
        return NULL;
    uint8_t owner = (uint8_t)(r->gen_addr << 1 | (r->gen_software ? 1 : 0));
    for (size_t i = 0; i < o->set->n; i++) {
        const struct sdr_sensor *s = &o->set->s[i];
        if (s->number == r->sensor_number && (s->owner_addr | (r->gen_software ? 1 : 0)) == owner &&
            s->owner_lun == r->gen_lun)
            return s;
    }
    return NULL;
}

static json_object *json_sel(const struct bmc_data *o)
{
    if (!o->sel)
        return NULL;
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < sel_state_count(o->sel); i++) {
        const uint8_t *raw = sel_state_entry(o->sel, i);
        struct sel_record r;
        enum codec_err e;
        if (!raw || sel_record_decode(raw, SEL_RECORD_LEN, &r, &e) < 0)
            continue;
        struct sel_text t;
        sel_describe(&r, sel_sensor(o, &r), &t);
        json_object *j = json_object_new_object();
        json_object_object_add(j, "record_id", J_INT(r.record_id));
        json_object_object_add(j, "record_type", J_INT(r.record_type));
        json_object_object_add(j, "timestamp", t.timestamp[0] ? J_STR(t.timestamp) : NULL);
        if (r.kind == SEL_KIND_SYSTEM) {
            json_object_object_add(j, "sensor_type", J_STR(t.sensor_type));
            json_object_object_add(j, "sensor_number", J_INT(r.sensor_number));
            json_object_object_add(j, "sensor_name", J_STR(t.sensor_name));
            json_object_object_add(j, "event_type", J_INT(r.event_type));
            json_object_object_add(j, "direction", J_STR(t.direction));
        } else {
            json_object_object_add(j, "sensor_type", NULL);
            json_object_object_add(j, "sensor_number", NULL);
            json_object_object_add(j, "sensor_name", NULL);
            json_object_object_add(j, "event_type", NULL);
            json_object_object_add(j, "direction", NULL);
            if (r.kind == SEL_KIND_OEM_TS)
                json_object_object_add(j, "manufacturer_id", J_INT((int32_t)r.manufacturer_id));
        }
        json_object_object_add(j, "event", J_STR(t.event));
        json_object_object_add(j, "reading", t.reading[0] ? J_STR(t.reading) : NULL);
        json_object_object_add(j, "data", J_STR(t.data));
        json_object_array_add(a, j);
    }
    return a;
}

static json_object *json_sel_stats(const struct bmc_data *o)
{
    if (!o->sel || !o->have_sel)
        return NULL;
    const struct sel_poll_result *r = &o->sel_res;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "ok", J_BOOL(r->status == SEL_POLL_OK));
    json_object_object_add(j, "new_entries", J_INT((int32_t)r->new_entries));
    json_object_object_add(j, "entries_read", J_INT((int32_t)r->entry_requests));
    json_object_object_add(j, "requests", J_INT((int32_t)r->requests));
    json_object_object_add(j, "cleared", J_BOOL(r->cleared));
    json_object_object_add(j, "overflow", J_BOOL(r->overflow));
    json_object_object_add(j, "clears_detected", J_INT((int32_t)o->sel->ctr.clears));
    json_object_object_add(j, "entries_kept", J_INT((int32_t)sel_state_count(o->sel)));
    json_object_object_add(j, "elapsed_ms", json_object_new_double((double)o->sel_ns / 1e6));
    return j;
}

static json_object *json_counters(const struct bmc *b)
{
    const struct bmc_counters *c = bmc_counters(b);
    json_object *j = json_object_new_object();
#define CTR(name) json_object_object_add(j, #name, json_object_new_int64((int64_t)c->name))
    CTR(tx_packets);
    CTR(rx_packets);
    CTR(requests);
    CTR(responses);
    CTR(retransmits);
    CTR(busy_retries);
    CTR(sessions_opened);
    CTR(session_failures);
    CTR(auth_failures);
    CTR(reopens);
    CTR(stray_packets);
    CTR(replays);
    CTR(rakp_rejected);
    CTR(bad_packets);
#undef CTR
    /* why packets were dropped, by decoder reason code */
    json_object *why = json_object_new_object();
    for (int i = 1; i < CODEC_E__COUNT; i++)
        if (c->bad_reason[i])
            json_object_object_add(why, codec_err_name((enum codec_err)i),
                                   json_object_new_int64((int64_t)c->bad_reason[i]));
    json_object_object_add(j, "bad_packet_reasons", why);
    return j;
}

static json_object *json_bmc(const struct bmc_data *o)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "name", J_STR(bmc_name(o->b)));
    json_object_object_add(j, "address", J_STR(bmc_address(o->b)));
    json_object_object_add(j, "state", J_STR(bmc_error_word(o->err)));
    json_object_object_add(j, "error", o->err ? J_STR(o->err_text) : NULL);
    int suite = bmc_suite(o->b);
    json_object_object_add(j, "cipher_suite", (suite >= 0 && !o->err) ? J_INT(suite) : NULL);
    json_object_object_add(j, "device_id", o->have_devid ? json_devid(&o->devid) : NULL);
    if (o->have_guid) {
        char g[37];
        ipmi_guid_format(o->guid, g);
        json_object_object_add(j, "guid", J_STR(g));
    } else {
        json_object_object_add(j, "guid", NULL);
    }
    json_object_object_add(j, "chassis", o->have_chassis ? json_chassis(o) : NULL);
    json_sensors(j, o);
    json_object_object_add(j, "fru", json_fru(o));
    json_object_object_add(j, "sel", json_sel(o));
    json_object_object_add(j, "sel_stats", json_sel_stats(o));
    json_object_object_add(j, "counters", json_counters(o->b));
    return j;
}

void report_json(const struct bmc_data *bmcs, size_t n, bool compact, FILE *out)
{
    json_object *top = json_object_new_object();
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, json_bmc(&bmcs[i]));
    json_object_object_add(top, "bmcs", arr);
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (compact ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY);
    fprintf(out, "%s\n", json_object_to_json_string_ext(top, flags));
    json_object_put(top);
}

/* ---- human --------------------------------------------------------------------- */

static void human_sensors(const struct bmc_data *o, FILE *out)
{
    size_t readable = 0;
    for (size_t k = 0; k < o->set->n; k++)
        readable += sensor_poll_readable(&o->set->s[k]);
    fprintf(out, "\n%s (%s): %zu sensors%s\n", bmc_name(o->b), bmc_address(o->b), readable,
            o->sdr_stats.from_cache ? " (SDR from cache)" : "");
    fprintf(out, "  %-4s %-18s %-18s %14s %-12s %-14s %s\n", "NUM", "NAME", "TYPE", "READING",
            "UNITS", "STATUS", "STATES");
    for (size_t k = 0; k < o->set->n; k++) {
        const struct sdr_sensor *s = &o->set->s[k];
        const struct sensor_value *v = &o->vals[k];
        if (!sensor_poll_readable(s))
            continue;
        char reading[32] = "-", units[64] = "", states[256] = "";
        if (numeric_reading(s, v))
            snprintf(reading, sizeof(reading), "%.3f", v->value);
        if (analog(s))
            sensor_units_text(s, units, sizeof(units));
        enum sensor_status st = sensor_poll_status(s, v);
        if (st == SENSOR_UNAVAILABLE) {
            char why[128];
            unavailable_reason(v, why, sizeof(why));
            snprintf(states, sizeof(states), "(%s)", why);
        } else
            sensor_state_text(s, &v->r, states, sizeof(states));
        fprintf(out, "  %-4u %-18s %-18s %14s %-12s %-14s %s\n", s->number, s->name,
                ipmi_sensor_type_name(s->sensor_type), reading, units, sensor_status_name(st),
                states);
    }
}

static void human_fru(const struct bmc_data *o, FILE *out)
{
    for (size_t i = 0; o->frur && i < fru_reader_count(o->frur); i++) {
        const struct fru_result *fr = fru_reader_result(o->frur, i);
        if (!fr->parsed)
            continue;
        const struct fru_inventory *inv = &fr->inv;
        fprintf(out, "  FRU %u %-20s", fr->id, fr->name);
        if (inv->product.area.present)
            fprintf(out, " product: %s %s (serial %s)", inv->product.manufacturer.text,
                    inv->product.name.text, inv->product.serial_number.text);
        else if (inv->board.area.present)
            fprintf(out, " board: %s %s (serial %s)", inv->board.manufacturer.text,
                    inv->board.product_name.text, inv->board.serial_number.text);
        fputc('\n', out);
    }
}

static void human_sel(const struct bmc_data *o, FILE *out)
{
    if (!o->sel)
        return;
    fprintf(out, "  SEL: %zu entries kept, %u new this poll\n", sel_state_count(o->sel),
            o->sel_res.new_entries);
    for (size_t i = 0; i < sel_state_count(o->sel); i++) {
        struct sel_record r;
        enum codec_err e;
        const uint8_t *raw = sel_state_entry(o->sel, i);
        if (!raw || sel_record_decode(raw, SEL_RECORD_LEN, &r, &e) < 0)
            continue;
        struct sel_text t;
        sel_describe(&r, sel_sensor(o, &r), &t);
        fprintf(out, "  %5u | %-20s | %-18s %-14s | %s | %s%s%s\n", r.record_id, t.timestamp,
                t.sensor_type, t.sensor_name, t.event, t.direction, t.reading[0] ? " | " : "",
                t.reading);
    }
}

void report_human(const struct bmc_data *bmcs, size_t n, FILE *out)
{
    fprintf(out, "%-16s %-22s %-12s %-5s %-8s %-8s %-8s %-4s %-36s %s\n", "BMC", "ADDRESS", "STATE",
            "SUITE", "MFG-ID", "PRODUCT", "FIRMWARE", "IPMI", "GUID", "POWER");
    for (size_t i = 0; i < n; i++) {
        const struct bmc_data *o = &bmcs[i];
        char fw[16] = "-", iv[8] = "-", mfg[12] = "-", prod[12] = "-", g[37] = "-", suite[8] = "-";
        if (o->have_devid) {
            fmt_fw(&o->devid, fw, sizeof(fw));
            fmt_ipmi_version(&o->devid, iv, sizeof(iv));
            snprintf(mfg, sizeof(mfg), "%u", o->devid.manufacturer_id & 0xfffff);
            snprintf(prod, sizeof(prod), "%u", o->devid.product_id);
        }
        if (o->have_guid)
            ipmi_guid_format(o->guid, g);
        if (!o->err && bmc_suite(o->b) >= 0)
            snprintf(suite, sizeof(suite), "%d", bmc_suite(o->b));
        fprintf(out, "%-16s %-22s %-12s %-5s %-8s %-8s %-8s %-4s %-36s %s\n", bmc_name(o->b),
                bmc_address(o->b), bmc_error_word(o->err), suite, mfg, prod, fw, iv, g,
                power_word(o));
    }
    for (size_t i = 0; i < n; i++) {
        const struct bmc_data *o = &bmcs[i];
        if (o->have_sensors && o->set)
            human_sensors(o, out);
        human_fru(o, out);
        human_sel(o, out);
    }
}
