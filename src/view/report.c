/*
 * report.c - rendering the store's snapshots: JSON (json-c; the shape is in
 * README.md) and a human table.  Views only read snapshots: every text was
 * formed by the snapshot builder (src/store/snap_build.c); nothing here
 * calls a codec.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "chassis_ctl.h"
#include "codec_err.h"
#include "report_info.h"
#include "store.h"

#define J_STR(s)  json_object_new_string(s)
#define J_INT(i)  json_object_new_int(i)
#define J_BOOL(b) json_object_new_boolean(b)

static json_object *str_or_null(const char *s)
{
    return s ? J_STR(s) : NULL;
}

/* ---- JSON: identity ---------------------------------------------------------- */

static json_object *json_devid(const struct store_devid *d)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "device_id", J_INT(d->device_id));
    json_object_object_add(j, "device_revision", J_INT(d->device_revision));
    json_object_object_add(j, "provides_sdrs", J_BOOL(d->provides_sdrs));
    json_object_object_add(j, "manufacturer_id", J_INT((int32_t)d->manufacturer_id));
    json_object_object_add(j, "product_id", J_INT(d->product_id));
    json_object_object_add(j, "firmware_revision", J_STR(d->firmware));
    json_object_object_add(j, "ipmi_version", J_STR(d->ipmi_version));
    json_object_object_add(j, "device_available", J_BOOL(d->device_available));
    json_object_object_add(j, "aux_firmware", d->has_aux ? J_STR(d->aux_firmware) : NULL);
    return j;
}

static json_object *json_chassis(const struct store_chassis *c)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "power", J_STR(c->power_on ? "on" : "off"));
    json_object_object_add(j, "power_overload", J_BOOL(c->power_overload));
    json_object_object_add(j, "power_interlock", J_BOOL(c->power_interlock));
    json_object_object_add(j, "power_fault", J_BOOL(c->power_fault));
    json_object_object_add(j, "power_control_fault", J_BOOL(c->power_control_fault));
    json_object_object_add(j, "intrusion", J_BOOL(c->intrusion));
    json_object_object_add(j, "front_panel_lockout", J_BOOL(c->front_panel_lockout));
    json_object_object_add(j, "drive_fault", J_BOOL(c->drive_fault));
    json_object_object_add(j, "cooling_fault", J_BOOL(c->cooling_fault));
    return j;
}

/* ---- JSON: sensors ------------------------------------------------------------ */

static json_object *json_sensor(const struct store_sensor *s)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "index", json_object_new_int64(s->index));
    json_object_object_add(j, "number", J_INT(s->number));
    json_object_object_add(j, "owner", J_INT(s->owner));
    json_object_object_add(j, "lun", J_INT(s->lun));
    json_object_object_add(j, "name", J_STR(s->name));
    json_object_object_add(j, "type", J_INT(s->type));
    json_object_object_add(j, "type_name", J_STR(s->type_name));
    json_object_object_add(j, "event_type", J_INT(s->event_type));
    json_object_object_add(j, "entity_id", J_INT(s->entity_id));
    json_object_object_add(j, "entity_instance", J_INT(s->entity_instance));
    json_object_object_add(j, "reading", s->has_value ? json_object_new_double(s->value) : NULL);
    json_object_object_add(j, "value_scaled",
                           s->has_value && s->scaled_ok ? J_INT(s->value_scaled) : NULL);
    json_object_object_add(j, "precision", J_INT(s->precision));
    json_object_object_add(j, "value_text", str_or_null(s->value_text));
    json_object_object_add(j, "units", str_or_null(s->units));
    json_object_object_add(j, "status", J_STR(store_status_word(s->status)));
    json_object *states = json_object_new_array();
    for (unsigned i = 0; i < s->nstates; i++)
        json_object_array_add(states, J_STR(s->states[i]));
    json_object_object_add(j, "states", states);
    if (s->status == STORE_STATUS_UNAVAILABLE)
        json_object_object_add(j, "unavailable_reason", str_or_null(s->unavailable_reason));
    if (s->thresholds) {
        json_object *t = json_object_new_object();
        for (unsigned k = 0; k < STORE_THR__COUNT; k++) {
            double x = 0;
            json_object_object_add(
                t, store_thr_key(k),
                store_sensor_thr(s, k, &x, NULL, NULL) ? json_object_new_double(x) : NULL);
        }
        json_object_object_add(j, "thresholds", t);
    } else {
        json_object_object_add(j, "thresholds", NULL);
    }
    return j;
}

static void json_sensors(json_object *j, const struct store_bmc *b)
{
    if (!b->sensors) {
        json_object_object_add(j, "sensors", NULL);
    } else {
        json_object *arr = json_object_new_array();
        for (uint32_t i = 0; i < b->sensors->p.n; i++)
            json_object_array_add(arr, json_sensor(&b->sensors->s[i]));
        json_object_object_add(j, "sensors", arr);
    }
    json_object *sd = json_object_new_object();
    json_object_object_add(sd, "records", J_INT((int32_t)b->sdr.records));
    json_object_object_add(sd, "from_cache", J_BOOL(b->sdr.from_cache));
    json_object_object_add(sd, "unchanged", J_BOOL(b->sdr.unchanged));
    json_object_object_add(sd, "get_sdr_requests", J_INT((int32_t)b->sdr.get_sdr_requests));
    json_object_object_add(sd, "error", str_or_null(b->sdr.error));
    json_object_object_add(j, "sdr", sd);
}

/* ---- JSON: FRU ---------------------------------------------------------------- */

/* JSON keys of each area's named fields, in README order */
static const struct {
    uint8_t fld;
    const char *key;
} area_keys[STORE_FRU_AREA__COUNT][6] = {
    [STORE_FRU_CHASSIS] = {{STORE_FRU_PART_NUMBER, "part_number"},
                           {STORE_FRU_SERIAL_NUMBER, "serial_number"}},
    [STORE_FRU_BOARD] = {{STORE_FRU_MANUFACTURER, "manufacturer"},
                         {STORE_FRU_NAME, "product_name"},
                         {STORE_FRU_SERIAL_NUMBER, "serial_number"},
                         {STORE_FRU_PART_NUMBER, "part_number"}},
    [STORE_FRU_PRODUCT] = {{STORE_FRU_MANUFACTURER, "manufacturer"},
                           {STORE_FRU_NAME, "name"},
                           {STORE_FRU_PART_NUMBER, "part_number"},
                           {STORE_FRU_VERSION, "version"},
                           {STORE_FRU_SERIAL_NUMBER, "serial_number"},
                           {STORE_FRU_ASSET_TAG, "asset_tag"}},
};
static const char *const area_names[STORE_FRU_AREA__COUNT] = {
    [STORE_FRU_CHASSIS] = "chassis", [STORE_FRU_BOARD] = "board", [STORE_FRU_PRODUCT] = "product"};

static json_object *json_area(const struct store_fru_area *a, unsigned kind)
{
    if (!a->present)
        return NULL;
    json_object *j = json_object_new_object();
    if (kind == STORE_FRU_CHASSIS) {
        json_object_object_add(j, "type", str_or_null(a->chassis_type_name));
        json_object_object_add(j, "type_code", J_INT(a->chassis_type));
    } else if (kind == STORE_FRU_BOARD) {
        json_object_object_add(j, "mfg_datetime", str_or_null(a->mfg_datetime));
    }
    for (unsigned k = 0; k < 6 && area_keys[kind][k].key; k++)
        json_object_object_add(j, area_keys[kind][k].key,
                               str_or_null(a->field[area_keys[kind][k].fld]));
    json_object *c = json_object_new_array();
    for (uint8_t i = 0; i < a->ncustom; i++)
        json_object_array_add(c, J_STR(a->custom[i]));
    json_object_object_add(j, "custom", c);
    json_object_object_add(j, "checksum_ok", J_BOOL(a->checksum_ok));
    if (a->problem)
        json_object_object_add(j, "problem", J_STR(a->problem));
    return j;
}

static json_object *json_kv(const struct store_kv *kv, uint8_t n)
{
    json_object *f = json_object_new_object();
    for (uint8_t i = 0; i < n; i++) {
        json_object *v = NULL;
        switch (kv[i].kind) {
        case STORE_KV_INT:
            v = json_object_new_int64(kv[i].i);
            break;
        case STORE_KV_BOOL:
            v = J_BOOL(kv[i].i != 0);
            break;
        case STORE_KV_STR:
            v = J_STR(kv[i].s);
            break;
        default:
            break;
        }
        json_object_object_add(f, kv[i].key, v);
    }
    return f;
}

static json_object *json_fru_one(const struct store_fru *f)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "id", J_INT(f->id));
    json_object_object_add(j, "name", J_STR(f->name));
    json_object_object_add(j, "status", J_STR(f->status_word));
    for (unsigned k = 0; k < STORE_FRU_AREA__COUNT; k++)
        json_object_object_add(j, area_names[k], f->parsed ? json_area(&f->area[k], k) : NULL);
    json_object *mr = json_object_new_array();
    for (uint8_t i = 0; f->parsed && i < f->nmr; i++) {
        const struct store_fru_mr *m = &f->mr[i];
        json_object *mj = json_object_new_object();
        json_object_object_add(mj, "type", J_INT(m->type));
        json_object_object_add(mj, "type_name", J_STR(m->type_name));
        json_object_object_add(mj, "description", J_STR(m->description));
        json_object_object_add(mj, "fields", json_kv(m->fields, m->nfields));
        json_object_object_add(mj, "checksum_ok", J_BOOL(m->checksum_ok));
        json_object_object_add(mj, "data", J_STR(m->data_hex));
        json_object_array_add(mr, mj);
    }
    json_object_object_add(j, "multirecords", mr);
    return j;
}

static json_object *json_fru(const struct store_bmc *b)
{
    if (!b->fru)
        return NULL;
    json_object *a = json_object_new_array();
    for (uint32_t i = 0; i < b->fru->p.n; i++)
        json_object_array_add(a, json_fru_one(&b->fru->f[i]));
    return a;
}

/* ---- JSON: SEL ------------------------------------------------------------------ */

static json_object *json_sel(const struct store_bmc *b)
{
    if (!b->sel)
        return NULL;
    json_object *a = json_object_new_array();
    for (uint32_t i = 0; i < b->sel->p.n; i++) {
        const struct store_sel *e = &b->sel->e[i];
        struct store_sel_text t;
        store_sel_texts(b->sel, e, &t);
        const struct store_sel_fields x = store_sel_fields(e);
        json_object *j = json_object_new_object();
        json_object_object_add(j, "index", json_object_new_int64(e->index));
        json_object_object_add(j, "record_id", J_INT(x.record_id));
        json_object_object_add(j, "record_type", J_INT(x.record_type));
        json_object_object_add(j, "timestamp", str_or_null(t.timestamp));
        if (e->kind == STORE_SEL_SYSTEM) {
            json_object_object_add(j, "sensor_type", J_STR(t.sensor_type));
            json_object_object_add(j, "sensor_number", J_INT(x.sensor_number));
            json_object_object_add(j, "sensor_name", J_STR(t.sensor_name));
            json_object_object_add(j, "event_type", J_INT(x.event_type));
            json_object_object_add(j, "direction", J_STR(t.direction));
        } else {
            json_object_object_add(j, "sensor_type", NULL);
            json_object_object_add(j, "sensor_number", NULL);
            json_object_object_add(j, "sensor_name", NULL);
            json_object_object_add(j, "event_type", NULL);
            json_object_object_add(j, "direction", NULL);
            if (e->kind == STORE_SEL_OEM_TS)
                json_object_object_add(j, "manufacturer_id", J_INT((int32_t)x.manufacturer_id));
        }
        json_object_object_add(j, "event", J_STR(t.event));
        json_object_object_add(j, "reading", str_or_null(t.reading));
        json_object_object_add(j, "data", J_STR(t.data));
        json_object_object_add(j, "severity", J_STR(store_severity_word(e->severity)));
        json_object_array_add(a, j);
    }
    return a;
}

static json_object *json_sel_stats(const struct store_bmc *b)
{
    if (!b->sel || !b->has_sel_stats)
        return NULL;
    const struct store_sel_stats *r = &b->sel_stats;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "ok", J_BOOL(r->ok));
    json_object_object_add(j, "new_entries", J_INT((int32_t)r->new_entries));
    json_object_object_add(j, "entries_read", J_INT((int32_t)r->entries_read));
    json_object_object_add(j, "requests", J_INT((int32_t)r->requests));
    json_object_object_add(j, "cleared", J_BOOL(r->cleared));
    json_object_object_add(j, "overflow", J_BOOL(r->overflow));
    json_object_object_add(j, "clears_detected", J_INT((int32_t)r->clears_detected));
    json_object_object_add(j, "entries_kept", J_INT((int32_t)r->entries_kept));
    json_object_object_add(j, "elapsed_ms", json_object_new_double(r->elapsed_ms));
    return j;
}

json_object *report_json_counters(const struct bmc_counters *c)
{
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
    CTR(sessions_lost);
    CTR(probes);
    CTR(probe_answers);
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

/* "control": the control columns of ipmiBmcTable (the daemon's; --once has
 * none and shows no key); a null member is an absent instance. */
static void json_control(json_object *j, const struct store_control *c)
{
    if (!c->power && !c->identify && !c->boot_device && !c->boot_persist && !c->boot_mode &&
        !c->last_action)
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "power", str_or_null(ctl_power_name(c->power)));
    json_object_object_add(o, "identify", str_or_null(ctl_identify_name(c->identify)));
    json_object_object_add(o, "boot_device", str_or_null(ctl_boot_dev_name(c->boot_device)));
    json_object_object_add(o, "boot_persistent",
                           str_or_null(ctl_boot_persist_name(c->boot_persist)));
    json_object_object_add(o, "boot_mode", str_or_null(ctl_boot_mode_name(c->boot_mode)));
    json_object_object_add(o, "last_action", str_or_null(c->last_action));
    json_object_object_add(o, "last_result", str_or_null(c->last_result));
    json_object_object_add(j, "control", o);
}

json_object *report_json_bmc(const struct store_bmc *b)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "index", json_object_new_int64(b->index));
    json_object_object_add(j, "name", J_STR(b->name));
    json_object_object_add(j, "address", J_STR(b->address));
    json_object_object_add(j, "state", J_STR(store_state_word(b->state)));
    json_object_object_add(j, "error", str_or_null(b->error));
    json_object_object_add(j, "cipher_suite", b->cipher_suite >= 0 ? J_INT(b->cipher_suite) : NULL);
    json_object_object_add(j, "device_id", b->has_devid ? json_devid(&b->devid) : NULL);
    json_object_object_add(j, "guid", b->has_guid ? J_STR(b->guid) : NULL);
    json_object_object_add(j, "chassis", b->has_chassis ? json_chassis(&b->chassis) : NULL);
    json_sensors(j, b);
    json_object_object_add(j, "fru", json_fru(b));
    json_object_object_add(j, "sel", json_sel(b));
    json_object_object_add(j, "sel_stats", json_sel_stats(b));
    json_object_object_add(j, "counters", report_json_counters(&b->counters));
    report_json_info(j, &b->info); /* POH, SEL clock, LAN, DCMI power */
    json_control(j, &b->control);
    return j;
}

void report_json(const struct store *st, bool compact, FILE *out)
{
    json_object *top = json_object_new_object();
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < store_count(st); i++)
        json_object_array_add(arr, report_json_bmc(store_at(st, i)));
    json_object_object_add(top, "bmcs", arr);
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (compact ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY);
    fprintf(out, "%s\n", json_object_to_json_string_ext(top, flags));
    json_object_put(top);
}

/* ---- human --------------------------------------------------------------------- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void human_sensors(const struct store_bmc *b, FILE *out)
{
    fprintf(out, "\n%s (%s): %u sensors%s\n", b->name, b->address, b->nsensors,
            b->sdr.from_cache ? " (SDR from cache)" : "");
    fprintf(out, "  %-4s %-18s %-18s %14s %-12s %-14s %s\n", "NUM", "NAME", "TYPE", "READING",
            "UNITS", "STATUS", "STATES");
    for (uint32_t k = 0; k < b->sensors->p.n; k++) {
        const struct store_sensor *s = &b->sensors->s[k];
        char reading[32] = "-";
        if (s->has_value)
            snprintf(reading, sizeof(reading), "%.3f", s->value);
        fprintf(out, "  %-4u %-18s %-18s %14s %-12s %-14s ", s->number, s->name, s->type_name,
                reading, or_empty(s->units), store_status_word(s->status));
        if (s->status == STORE_STATUS_UNAVAILABLE)
            fprintf(out, "(%s)\n", or_empty(s->unavailable_reason));
        else
            fprintf(out, "%s\n", s->states_text);
    }
}

static void human_fru(const struct store_bmc *b, FILE *out)
{
    for (uint32_t i = 0; b->fru && i < b->fru->p.n; i++) {
        const struct store_fru *f = &b->fru->f[i];
        if (!f->parsed)
            continue;
        const struct store_fru_area *p = &f->area[STORE_FRU_PRODUCT];
        const struct store_fru_area *bd = &f->area[STORE_FRU_BOARD];
        fprintf(out, "  FRU %u %-20s", f->id, f->name);
        if (p->present)
            fprintf(out, " product: %s %s (serial %s)", or_empty(p->field[STORE_FRU_MANUFACTURER]),
                    or_empty(p->field[STORE_FRU_NAME]),
                    or_empty(p->field[STORE_FRU_SERIAL_NUMBER]));
        else if (bd->present)
            fprintf(out, " board: %s %s (serial %s)", or_empty(bd->field[STORE_FRU_MANUFACTURER]),
                    or_empty(bd->field[STORE_FRU_NAME]),
                    or_empty(bd->field[STORE_FRU_SERIAL_NUMBER]));
        fputc('\n', out);
    }
}

static void human_sel(const struct store_bmc *b, FILE *out)
{
    if (!b->sel)
        return;
    fprintf(out, "  SEL: %u entries kept, %u new this poll\n", b->sel->p.n,
            b->sel_stats.new_entries);
    for (uint32_t i = 0; i < b->sel->p.n; i++) {
        const struct store_sel *e = &b->sel->e[i];
        struct store_sel_text t;
        store_sel_texts(b->sel, e, &t);
        const struct store_sel_fields x = store_sel_fields(e);
        fprintf(out, "  %5u | %-20s | %-18s %-14s | %s | %s%s%s\n", x.record_id,
                or_empty(t.timestamp), or_empty(t.sensor_type), or_empty(t.sensor_name), t.event,
                or_empty(t.direction), t.reading ? " | " : "", or_empty(t.reading));
    }
}

void report_human(const struct store *st, FILE *out)
{
    fprintf(out, "%-16s %-22s %-12s %-5s %-8s %-8s %-8s %-4s %-36s %s\n", "BMC", "ADDRESS", "STATE",
            "SUITE", "MFG-ID", "PRODUCT", "FIRMWARE", "IPMI", "GUID", "POWER");
    for (size_t i = 0; i < store_count(st); i++) {
        const struct store_bmc *b = store_at(st, i);
        char mfg[12] = "-", prod[12] = "-", suite[12] = "-";
        if (b->has_devid) {
            snprintf(mfg, sizeof(mfg), "%u", b->devid.manufacturer_id);
            snprintf(prod, sizeof(prod), "%u", b->devid.product_id);
        }
        if (b->cipher_suite >= 0)
            snprintf(suite, sizeof(suite), "%d", b->cipher_suite);
        fprintf(out, "%-16s %-22s %-12s %-5s %-8s %-8s %-8s %-4s %-36s %s\n", b->name, b->address,
                store_state_word(b->state), suite, mfg, prod,
                b->has_devid ? b->devid.firmware : "-", b->has_devid ? b->devid.ipmi_version : "-",
                b->has_guid ? b->guid : "-",
                b->has_chassis ? (b->chassis.power_on ? "on" : "off") : "-");
    }
    for (size_t i = 0; i < store_count(st); i++) {
        const struct store_bmc *b = store_at(st, i);
        if (b->sensors)
            human_sensors(b, out);
        human_fru(b, out);
        human_sel(b, out);
    }
}
