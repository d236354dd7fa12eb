/*
 * once.c - poll every BMC once: Get Device ID, Get System GUID and Get
 * Chassis Status over a fresh session, then close all sessions and print.
 * All BMCs run concurrently on one event loop.
 */
#include "once.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bmc.h"
#include "cfg.h"
#include "ev.h"
#include "ipmi_msg.h"
#include "ipmi_tables.h"
#include "log.h"
#include "sdr_repo.h"
#include "sensor_poll.h"

enum once_step { STEP_DEVID, STEP_GUID, STEP_CHASSIS, STEP_SDR, STEP_SENSORS, STEP_DONE };

struct once_bmc {
    struct bmc *b;
    enum once_step step;
    enum bmc_error err;
    char err_text[640];
    bool have_devid, have_guid, have_chassis;
    struct ipmi_devid_rsp devid;
    uint8_t guid[16];
    struct ipmi_chassis_rsp chassis;
    /* sensors */
    struct sdr_repo *repo;
    struct sdr_fetch_stats sdr_stats;
    char sdr_err[700];
    struct sensor_set *set;
    struct sensor_value *vals;
    struct sensor_poll poll;
    bool have_sensors;
};

struct once_run {
    const struct cfg *cfg;
    struct ev_loop *loop;
    struct poller *poller;
    struct once_bmc *bmcs;
    size_t n, pending;
    struct ev_timer guard;
    bool closing;
};

static void once_next(struct once_run *r, struct once_bmc *o);

static void all_closed(struct bmc *b, void *arg)
{
    (void)b;
    struct once_run *r = arg;
    ev_stop(r->loop);
}

static void bmc_done(struct once_run *r, struct once_bmc *o)
{
    o->step = STEP_DONE;
    if (--r->pending == 0 && !r->closing) {
        r->closing = true;
        poller_close_all(r->poller, all_closed, r);
    }
}

static void record_error(struct once_bmc *o, enum bmc_error e, const char *text)
{
    if (o->err != BMC_E_NONE)
        return;
    o->err = e;
    size_t n = strnlen(text, sizeof(o->err_text) - 1);
    memcpy(o->err_text, text, n);
    o->err_text[n] = '\0';
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    struct once_bmc *o = arg;
    struct once_run *r = bmc_user(b);
    if (rsp->err != BMC_E_NONE) {
        record_error(o, rsp->err, bmc_error_text(b));
        bmc_done(r, o);
        return;
    }
    /* rebuild the full response (completion code first) for the layout decoders */
    uint8_t buf[256];
    size_t len = rsp->len < sizeof(buf) - 1 ? rsp->len : sizeof(buf) - 1;
    buf[0] = rsp->cc;
    if (len)
        memcpy(buf + 1, rsp->data, len);
    enum codec_err e = CODEC_OK;
    char text[700];
    switch (o->step) {
    case STEP_DEVID:
        if (rsp->cc != 0 ||
            layout_decode(&ipmi_devid_rsp_layout, buf, len + 1, &o->devid, &e) < 0 ||
            len + 1 < 12) {
            snprintf(text, sizeof(text), "BMC %s (%s): Get Device ID failed: %s", bmc_name(b),
                     bmc_address(b), rsp->cc ? ipmi_cc_text(rsp->cc) : codec_err_name(e));
            record_error(o, BMC_E_PROTOCOL, text);
            bmc_done(r, o);
            return;
        }
        o->have_devid = true;
        break;
    case STEP_GUID: {
        struct ipmi_guid_rsp g;
        /* optional command: a BMC without it still counts as read */
        if (rsp->cc == 0 && len + 1 == 17 &&
            layout_decode(&ipmi_guid_rsp_layout, buf, len + 1, &g, &e) >= 0) {
            memcpy(o->guid, g.guid, 16);
            o->have_guid = true;
        } else {
            log_info("BMC %s (%s): no system GUID (%s)", bmc_name(b), bmc_address(b),
                     rsp->cc ? ipmi_cc_text(rsp->cc) : "malformed response");
        }
        break;
    }
    case STEP_CHASSIS:
        if (rsp->cc == 0 && len + 1 >= 4 &&
            layout_decode(&ipmi_chassis_rsp_layout, buf, len + 1, &o->chassis, &e) >= 0)
            o->have_chassis = true;
        else
            log_info("BMC %s (%s): no chassis status (%s)", bmc_name(b), bmc_address(b),
                     rsp->cc ? ipmi_cc_text(rsp->cc) : "malformed response");
        break;
    default:
        return;
    }
    o->step++;
    once_next(r, o);
}

static void on_sensors(struct bmc *b, void *arg, const struct sensor_poll *p)
{
    (void)p;
    struct once_bmc *o = arg;
    o->have_sensors = true;
    o->step = STEP_DONE;
    once_next(bmc_user(b), o);
}

static void on_sdr(struct bmc *b, void *arg, int err, const char *errtext, struct sdr_repo *repo,
                   const struct sdr_fetch_stats *st)
{
    struct once_bmc *o = arg;
    struct once_run *r = bmc_user(b);
    o->sdr_stats = *st;
    if (err) {
        /* the identity was read: report the SDR failure but keep the BMC */
        snprintf(o->sdr_err, sizeof(o->sdr_err), "%s", errtext);
        log_warn("%s", errtext);
        o->step = STEP_DONE;
        once_next(r, o);
        return;
    }
    o->repo = repo;
    char label[400];
    snprintf(label, sizeof(label), "BMC %s (%s)", bmc_name(b), bmc_address(b));
    o->set = repo ? sensor_set_build(repo, label) : NULL;
    o->vals = o->set ? calloc(o->set->n ? o->set->n : 1, sizeof(*o->vals)) : NULL;
    if (!o->set || !o->vals) {
        snprintf(o->sdr_err, sizeof(o->sdr_err), "%s: out of memory for sensors", label);
        o->step = STEP_DONE;
        once_next(r, o);
        return;
    }
    o->step = STEP_SENSORS;
    once_next(r, o);
}

static void once_next(struct once_run *r, struct once_bmc *o)
{
    if (o->step == STEP_SDR) {
        const char *dir = r->cfg->sdr_cache_dir[0] ? r->cfg->sdr_cache_dir : NULL;
        if (sdr_repo_fetch(o->b, o->have_guid ? o->guid : NULL, dir, NULL, on_sdr, o) < 0) {
            snprintf(o->sdr_err, sizeof(o->sdr_err), "cannot start reading the SDR repository");
            o->step = STEP_DONE;
        } else {
            return;
        }
    }
    if (o->step == STEP_SENSORS) {
        if (sensor_poll_start(&o->poll, o->b, o->set, o->vals, true, on_sensors, o) == 0)
            return;
        o->step = STEP_DONE;
    }
    static const struct {
        uint8_t netfn, cmd;
    } cmds[] = {
        [STEP_DEVID] = {IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID},
        [STEP_GUID] = {IPMI_NETFN_APP, IPMI_CMD_GET_SYSTEM_GUID},
        [STEP_CHASSIS] = {IPMI_NETFN_CHASSIS, IPMI_CMD_GET_CHASSIS_STATUS},
    };
    if (o->step == STEP_DONE) {
        bmc_done(r, o);
        return;
    }
    if (bmc_request(o->b, cmds[o->step].netfn, cmds[o->step].cmd, NULL, 0, on_rsp, o) < 0) {
        record_error(o, BMC_E_INTERNAL, "cannot queue request");
        bmc_done(r, o);
    }
}

static void guard_fired(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)t;
    struct once_run *r = arg;
    log_err("--once did not finish in time; giving up on the BMCs still pending");
    for (size_t i = 0; i < r->n; i++)
        if (r->bmcs[i].step != STEP_DONE)
            record_error(&r->bmcs[i], BMC_E_TIMEOUT, "gave up: overall --once deadline reached");
    ev_stop(loop);
}

/* ---- output ------------------------------------------------------------ */

static void fmt_fw(const struct ipmi_devid_rsp *d, char *out, size_t len)
{
    snprintf(out, len, "%u.%02x", d->fw_major & 0x7f, d->fw_minor);
}

static void fmt_ipmi_version(const struct ipmi_devid_rsp *d, char *out, size_t len)
{
    /* BCD: low nibble major, high nibble minor (IPMI 2.0 Table 20-2) */
    snprintf(out, len, "%u.%u", d->ipmi_version & 0x0f, d->ipmi_version >> 4);
}

static const char *power_word(const struct once_bmc *o)
{
    if (!o->have_chassis)
        return "-";
    return (o->chassis.power & 0x01) ? "on" : "off";
}

static json_object *json_num_or_null(bool ok, double v)
{
    return ok ? json_object_new_double(v) : NULL;
}

static json_object *json_sensor(const struct sdr_sensor *s, const struct sensor_value *v)
{
    static const char *const thr_key[SDR_THR__COUNT] = {
        [SDR_THR_LNC] = "lnc", [SDR_THR_LC] = "lc", [SDR_THR_LNR] = "lnr",
        [SDR_THR_UNC] = "unc", [SDR_THR_UC] = "uc", [SDR_THR_UNR] = "unr",
    };
    static const unsigned thr_order[SDR_THR__COUNT] = {SDR_THR_LNR, SDR_THR_LC, SDR_THR_LNC,
                                                       SDR_THR_UNC, SDR_THR_UC, SDR_THR_UNR};
    json_object *j = json_object_new_object();
    char units[64];
    json_object_object_add(j, "number", json_object_new_int(s->number));
    json_object_object_add(j, "owner", json_object_new_int(s->owner_addr));
    json_object_object_add(j, "lun", json_object_new_int(s->owner_lun));
    json_object_object_add(j, "name", json_object_new_string(s->name));
    json_object_object_add(j, "type", json_object_new_int(s->sensor_type));
    json_object_object_add(j, "type_name",
                           json_object_new_string(ipmi_sensor_type_name(s->sensor_type)));
    json_object_object_add(j, "event_type", json_object_new_int(s->event_type));
    json_object_object_add(j, "entity_id", json_object_new_int(s->entity_id));
    json_object_object_add(j, "entity_instance", json_object_new_int(s->entity_instance));
    bool numeric = v->why == SENSOR_WHY_NONE && v->conv == SENSOR_CONV_OK &&
                   (s->value_kind == SDR_VALUE_ANALOG || s->value_kind == SDR_VALUE_NEEDS_FACTORS);
    json_object_object_add(j, "reading", json_num_or_null(numeric, v->value));
    if (s->value_kind == SDR_VALUE_ANALOG || s->value_kind == SDR_VALUE_NEEDS_FACTORS) {
        sensor_units_text(s, units, sizeof(units));
        json_object_object_add(j, "units", json_object_new_string(units));
    } else {
        json_object_object_add(j, "units", NULL);
    }
    enum sensor_status st = sensor_poll_status(s, v);
    json_object_object_add(j, "status", json_object_new_string(sensor_status_name(st)));
    json_object *states = json_object_new_array();
    if (v->why == SENSOR_WHY_NONE || v->why == SENSOR_WHY_CONVERSION) {
        const char *names[16];
        unsigned n = sensor_state_names(s, &v->r, names, 16);
        for (unsigned i = 0; i < n && i < 16; i++)
            json_object_array_add(states, json_object_new_string(names[i]));
    }
    json_object_object_add(j, "states", states);
    if (st == SENSOR_UNAVAILABLE)
        json_object_object_add(j, "unavailable_reason",
                               json_object_new_string(sensor_why_text((enum sensor_why)v->why)));
    if (sdr_is_threshold(s)) {
        json_object *t = json_object_new_object();
        for (unsigned k = 0; k < SDR_THR__COUNT; k++) {
            unsigned thr = thr_order[k];
            double x = 0;
            bool ok = (v->thr.readable & (1u << thr)) &&
                      sensor_threshold_value(s, &v->thr, thr, &x) == SENSOR_CONV_OK;
            json_object_object_add(t, thr_key[thr], json_num_or_null(ok, x));
        }
        json_object_object_add(j, "thresholds", t);
    } else {
        json_object_object_add(j, "thresholds", NULL);
    }
    return j;
}

static void json_sensors(json_object *j, const struct once_bmc *o)
{
    if (!o->have_sensors) {
        json_object_object_add(j, "sensors", NULL);
    } else {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < o->set->n; i++)
            if (sensor_poll_readable(&o->set->s[i]))
                json_object_array_add(arr, json_sensor(&o->set->s[i], &o->vals[i]));
        json_object_object_add(j, "sensors", arr);
    }
    json_object *sd = json_object_new_object();
    json_object_object_add(sd, "records", json_object_new_int(o->repo ? o->repo->nrecords : 0));
    json_object_object_add(sd, "from_cache", json_object_new_boolean(o->sdr_stats.from_cache));
    json_object_object_add(sd, "get_sdr_requests",
                           json_object_new_int((int32_t)o->sdr_stats.get_sdr_requests));
    json_object_object_add(sd, "error", o->sdr_err[0] ? json_object_new_string(o->sdr_err) : NULL);
    json_object_object_add(j, "sdr", sd);
}

static json_object *json_bmc(const struct once_bmc *o)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "name", json_object_new_string(bmc_name(o->b)));
    json_object_object_add(j, "address", json_object_new_string(bmc_address(o->b)));
    json_object_object_add(j, "state", json_object_new_string(bmc_error_word(o->err)));
    json_object_object_add(j, "error",
                           o->err ? json_object_new_string(o->err_text) : NULL);
    int suite = bmc_suite(o->b);
    json_object_object_add(j, "cipher_suite",
                           (suite >= 0 && !o->err) ? json_object_new_int(suite) : NULL);
    if (o->have_devid) {
        const struct ipmi_devid_rsp *d = &o->devid;
        char fw[16], iv[8], aux[16];
        fmt_fw(d, fw, sizeof(fw));
        fmt_ipmi_version(d, iv, sizeof(iv));
        json_object *dj = json_object_new_object();
        json_object_object_add(dj, "device_id", json_object_new_int(d->device_id));
        json_object_object_add(dj, "device_revision", json_object_new_int(d->device_rev & 0x0f));
        json_object_object_add(dj, "provides_sdrs",
                               json_object_new_boolean(d->device_rev & 0x80));
        json_object_object_add(dj, "manufacturer_id",
                               json_object_new_int((int32_t)(d->manufacturer_id & 0xfffff)));
        json_object_object_add(dj, "product_id", json_object_new_int(d->product_id));
        json_object_object_add(dj, "firmware_revision", json_object_new_string(fw));
        json_object_object_add(dj, "ipmi_version", json_object_new_string(iv));
        json_object_object_add(dj, "device_available",
                               json_object_new_boolean(!(d->fw_major & 0x80)));
        if (d->aux_len == 4) {
            snprintf(aux, sizeof(aux), "%02x%02x%02x%02x", d->aux_fw[0], d->aux_fw[1],
                     d->aux_fw[2], d->aux_fw[3]);
            json_object_object_add(dj, "aux_firmware", json_object_new_string(aux));
        } else {
            json_object_object_add(dj, "aux_firmware", NULL);
        }
        json_object_object_add(j, "device_id", dj);
    } else {
        json_object_object_add(j, "device_id", NULL);
    }
    if (o->have_guid) {
        char g[37];
        ipmi_guid_format(o->guid, g);
        json_object_object_add(j, "guid", json_object_new_string(g));
    } else {
        json_object_object_add(j, "guid", NULL);
    }
    if (o->have_chassis) {
        json_object *cj = json_object_new_object();
        const struct ipmi_chassis_rsp *c = &o->chassis;
        json_object_object_add(cj, "power", json_object_new_string(power_word(o)));
        json_object_object_add(cj, "power_overload", json_object_new_boolean(c->power & 0x02));
        json_object_object_add(cj, "power_interlock", json_object_new_boolean(c->power & 0x04));
        json_object_object_add(cj, "power_fault", json_object_new_boolean(c->power & 0x08));
        json_object_object_add(cj, "power_control_fault",
                               json_object_new_boolean(c->power & 0x10));
        json_object_object_add(cj, "intrusion", json_object_new_boolean(c->misc & 0x01));
        json_object_object_add(cj, "front_panel_lockout", json_object_new_boolean(c->misc & 0x02));
        json_object_object_add(cj, "drive_fault", json_object_new_boolean(c->misc & 0x04));
        json_object_object_add(cj, "cooling_fault", json_object_new_boolean(c->misc & 0x08));
        json_object_object_add(j, "chassis", cj);
    } else {
        json_object_object_add(j, "chassis", NULL);
    }
    json_sensors(j, o);
    return j;
}

static void print_json(const struct once_run *r, FILE *out)
{
    json_object *top = json_object_new_object();
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < r->n; i++)
        json_object_array_add(arr, json_bmc(&r->bmcs[i]));
    json_object_object_add(top, "bmcs", arr);
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(top);
}

static void print_human(const struct once_run *r, FILE *out)
{
    fprintf(out, "%-16s %-22s %-12s %-5s %-8s %-8s %-8s %-4s %-36s %s\n", "BMC", "ADDRESS",
            "STATE", "SUITE", "MFG-ID", "PRODUCT", "FIRMWARE", "IPMI", "GUID", "POWER");
    for (size_t i = 0; i < r->n; i++) {
        const struct once_bmc *o = &r->bmcs[i];
        char fw[16] = "-", iv[8] = "-", mfg[12] = "-", prod[12] = "-", g[37] = "-",
             suite[8] = "-";
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
    for (size_t i = 0; i < r->n; i++) {
        const struct once_bmc *o = &r->bmcs[i];
        if (!o->have_sensors)
            continue;
        fprintf(out, "\n%s (%s): %zu sensors%s\n", bmc_name(o->b), bmc_address(o->b),
                o->set->n, o->sdr_stats.from_cache ? " (SDR from cache)" : "");
        fprintf(out, "  %-4s %-18s %-18s %14s %-12s %-14s %s\n", "NUM", "NAME", "TYPE", "READING",
                "UNITS", "STATUS", "STATES");
        for (size_t k = 0; k < o->set->n; k++) {
            const struct sdr_sensor *s = &o->set->s[k];
            const struct sensor_value *v = &o->vals[k];
            if (!sensor_poll_readable(s))
                continue;
            char reading[32] = "-", units[64] = "", states[256] = "";
            bool analog = s->value_kind == SDR_VALUE_ANALOG ||
                          s->value_kind == SDR_VALUE_NEEDS_FACTORS;
            if (analog && v->why == SENSOR_WHY_NONE && v->conv == SENSOR_CONV_OK)
                snprintf(reading, sizeof(reading), "%.3f", v->value);
            if (analog)
                sensor_units_text(s, units, sizeof(units));
            enum sensor_status st = sensor_poll_status(s, v);
            if (st == SENSOR_UNAVAILABLE)
                snprintf(states, sizeof(states), "(%s)", sensor_why_text((enum sensor_why)v->why));
            else
                sensor_state_text(s, &v->r, states, sizeof(states));
            fprintf(out, "  %-4u %-18s %-18s %14s %-12s %-14s %s\n", s->number, s->name,
                    ipmi_sensor_type_name(s->sensor_type), reading, units,
                    sensor_status_name(st), states);
        }
    }
}

int once_run(const struct cfg *cfg, bool json, FILE *out)
{
    char err[512];
    struct poller_opts po;
    poller_opts_default(&po);
    po.timeout_ms = cfg->timeout_ms;
    po.retries = cfg->retries;
    po.session_timeout_ms = cfg->session_timeout_ms;
    po.idle_reopen_ms = cfg->idle_reopen_ms;
    po.max_in_flight = cfg->max_in_flight;
    po.sockets = cfg->sockets;

    struct once_run r = {0};
    r.cfg = cfg;
    int status = 1;
    r.loop = ev_new();
    if (!r.loop) {
        log_err("cannot create the event loop");
        return 1;
    }
    r.poller = poller_new(r.loop, &po, err, sizeof(err));
    r.bmcs = calloc(cfg->nbmcs ? cfg->nbmcs : 1, sizeof(*r.bmcs));
    if (!r.poller || !r.bmcs) {
        log_err("%s", r.poller ? "out of memory" : err);
        goto out;
    }
    for (size_t i = 0; i < cfg->nbmcs; i++) {
        struct bmc *b = poller_add(r.poller, &cfg->bmcs[i], err, sizeof(err));
        if (!b) {
            log_err("%s", err);
            goto out;
        }
        bmc_set_user(b, &r);
        r.bmcs[i].b = b;
    }
    r.n = cfg->nbmcs;
    r.pending = r.n;

    /* Backstop so that --once always ends: the session budget plus every
     * request's worst case (three requests, each with backed-off retries,
     * possibly after one re-establishment), twice over. */
    uint64_t per_req = (uint64_t)cfg->timeout_ms * 4 * (cfg->retries + 1);
    uint64_t guard_ms = 2 * (2 * (uint64_t)cfg->session_timeout_ms + 3 * 2 * per_req) + 1000;
    ev_timer_init(&r.guard, guard_fired, &r);
    ev_timer_start(r.loop, &r.guard, guard_ms * EV_NS_PER_MS);

    if (r.n == 0) {
        r.closing = true;
        ev_stop(r.loop);
    }
    for (size_t i = 0; i < r.n; i++)
        once_next(&r, &r.bmcs[i]);
    if (ev_run(r.loop) < 0)
        log_err("event loop failed");
    ev_timer_stop(r.loop, &r.guard);

    status = 0;
    for (size_t i = 0; i < r.n; i++) {
        struct once_bmc *o = &r.bmcs[i];
        if (o->err) {
            status = 1;
            fprintf(stderr, "ipmi-snmp-bridge: %s [%s]\n", o->err_text, bmc_error_word(o->err));
        }
    }
    if (json)
        print_json(&r, out);
    else
        print_human(&r, out);
    fflush(out);
out:
    poller_free(r.poller);
    for (size_t i = 0; r.bmcs && i < r.n; i++) {
        sdr_repo_free(r.bmcs[i].repo);
        sensor_set_free(r.bmcs[i].set);
        free(r.bmcs[i].vals);
    }
    free(r.bmcs);
    ev_free(r.loop);
    return status;
}
