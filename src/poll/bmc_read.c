/*
 * bmc_read.c - the per-BMC reading steps shared by --once and the scheduler
 * (see bmc_read.h).
 */
#include "bmc_read.h"
#include "sdr_share.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "layout.h"
#include "log.h"

void bmc_read_ident_cmd(enum read_step step, uint8_t *netfn, uint8_t *cmd)
{
    static const struct {
        uint8_t netfn, cmd;
    } ident[] = {
        [STEP_DEVID] = {IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID},
        [STEP_GUID] = {IPMI_NETFN_APP, IPMI_CMD_GET_SYSTEM_GUID},
        [STEP_CHASSIS] = {IPMI_NETFN_CHASSIS, IPMI_CMD_GET_CHASSIS_STATUS},
    };
    if (step > STEP_CHASSIS)
        step = STEP_CHASSIS;
    *netfn = ident[step].netfn;
    *cmd = ident[step].cmd;
}

int bmc_read_ident(struct bmc_data *o, enum read_step step, const struct bmc_rsp *rsp, char *text,
                   size_t textlen)
{
    struct bmc *b = o->b;
    /* the layout decoders take the whole response, completion code first */
    uint8_t buf[256];
    size_t len = rsp->len < sizeof(buf) - 1 ? rsp->len : sizeof(buf) - 1;
    buf[0] = rsp->cc;
    if (len)
        memcpy(buf + 1, rsp->data, len);
    len++;
    enum codec_err e = CODEC_OK;
    switch (step) {
    case STEP_DEVID:
        if (rsp->cc != 0 || len < 12 ||
            layout_decode(&ipmi_devid_rsp_layout, buf, len, &o->devid, &e) < 0) {
            snprintf(text, textlen, "BMC %s (%s): Get Device ID failed: %s", bmc_name(b),
                     bmc_address(b), rsp->cc ? ipmi_cc_text(rsp->cc) : codec_err_name(e));
            return -1;
        }
        o->have_devid = true;
        break;
    case STEP_GUID: {
        struct ipmi_guid_rsp g;
        o->guid_tried = true;
        /* optional command: a BMC without it is still read (but not cached) */
        if (rsp->cc == 0 && len == 17 &&
            layout_decode(&ipmi_guid_rsp_layout, buf, len, &g, &e) >= 0) {
            memcpy(o->guid, g.guid, 16);
            o->have_guid = true;
        } else {
            log_info("BMC %s (%s): no system GUID (%s)", bmc_name(b), bmc_address(b),
                     rsp->cc ? ipmi_cc_text(rsp->cc) : "malformed response");
        }
        break;
    }
    case STEP_CHASSIS:
        o->have_chassis = rsp->cc == 0 && len >= 4 &&
                          layout_decode(&ipmi_chassis_rsp_layout, buf, len, &o->chassis, &e) >= 0;
        if (!o->have_chassis)
            log_info("BMC %s (%s): no chassis status (%s)", bmc_name(b), bmc_address(b),
                     rsp->cc ? ipmi_cc_text(rsp->cc) : "malformed response");
        break;
    default:
        break;
    }
    return 0;
}

int bmc_read_take_repo(struct bmc_data *o, struct sdr_repo *repo)
{
    char label[400];
    snprintf(label, sizeof(label), "BMC %s (%s)", bmc_name(o->b), bmc_address(o->b));
    if (!o->set_shared)
        sensor_set_free(o->set);
    sdr_repo_free(o->repo);
    free(o->vals);
    o->repo = repo;
    /* identical repositories (a homogeneous fleet) share records and sensors */
    const struct sensor_set *shared =
        sdr_share_intern(repo, label, sensor_set_build, sensor_set_free);
    o->set_shared = shared != NULL;
    o->set = shared ? (struct sensor_set *)shared : sensor_set_build(repo, label);
    o->vals = o->set ? calloc(o->set->n ? o->set->n : 1, sizeof(*o->vals)) : NULL;
    o->have_sensors = false;
    o->thresholds_read = false;
    o->sdr_gen++; /* the sensor names may differ: the snapshot builder keeps nothing of them */
    if (!o->set || !o->vals) {
        bmc_text_set(&o->sdr_err, "%s: out of memory for sensors", label);
        if (!o->set_shared)
            sensor_set_free(o->set);
        o->set_shared = false;
        free(o->vals);
        o->set = NULL;
        o->vals = NULL;
        return -1;
    }
    return 0;
}

size_t bmc_read_fru_devices(const struct bmc_data *o, struct fru_device *dev, size_t cap)
{
    size_t nd = 0;
    if (cap == 0)
        return 0;
    dev[nd].id = 0;
    snprintf(dev[nd].name, sizeof(dev[nd].name), "Builtin FRU Device");
    nd++;
    for (size_t i = 0; o->set && i < o->set->nfru && nd < cap; i++) {
        const struct sdr_fru_locator *l = &o->set->fru[i];
        /* logical FRU devices on the BMC itself; FRU 0 is already listed */
        if (!l->logical || l->access_addr != IPMI_BMC_SLAVE_ADDR || l->fru_id == 0)
            continue;
        dev[nd].id = l->fru_id;
        snprintf(dev[nd].name, sizeof(dev[nd].name), "%s", l->name);
        nd++;
    }
    return nd;
}

void bmc_text_set(char **slot, const char *fmt, ...)
{
    char buf[BMC_TEXT_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (*slot && !strcmp(*slot, buf))
        return;
    free(*slot);
    *slot = buf[0] ? strdup(buf) : NULL; /* memory short: no text, the error word stays */
}

void bmc_read_clear(struct bmc_data *o)
{
    free(o->err_text);
    free(o->sdr_err);
    o->err_text = o->sdr_err = NULL;
    if (!o->set_shared)
        sensor_set_free(o->set);
    o->set_shared = false;
    sdr_repo_free(o->repo);
    free(o->vals);
    fru_reader_free(o->frur);
    sel_reader_free(o->selr);
    sel_state_free(o->sel);
    o->repo = NULL;
    o->set = NULL;
    o->vals = NULL;
    o->frur = NULL;
    o->selr = NULL;
    o->sel = NULL;
}

void bmc_read_poller_opts(const struct cfg *cfg, struct poller_opts *po)
{
    poller_opts_default(po);
    po->timeout_ms = cfg->timeout_ms;
    po->retries = cfg->retries;
    po->session_timeout_ms = cfg->session_timeout_ms;
    po->idle_reopen_ms = cfg->idle_reopen_ms;
    po->max_in_flight = cfg->max_in_flight;
    po->sockets = cfg->sockets;
    po->socket_buffer = cfg->socket_buffer;
}
