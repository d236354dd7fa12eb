/*
 * once.c - poll every BMC: device ID, GUID and chassis status (identity
 * once), the SDR repository (re-read only when it changed; from the disk
 * cache when possible), every sensor, FRU inventory (once, then every
 * fru-interval) and the new SEL entries.  All BMCs run concurrently on one
 * event loop; with --polls N the sessions, SDRs and SEL positions are kept
 * between polls.
 */
#include "once.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bmc_read.h"
#include "cfg.h"
#include "ev.h"
#include "log.h"
#include "report.h"
#include "store.h"

struct once_run {
    const struct cfg *cfg;
    const struct once_opts *opts;
    struct ev_loop *loop;
    struct poller *poller;
    struct bmc_data *bmcs;
    size_t n, pending;
    unsigned poll_no;
    struct ev_timer guard, gap;
    bool stdin_watched;
    bool aborted; /* the overall deadline passed: report what was read, close, stop */
    FILE *out;
    struct store *store;
    const struct store_bmc **snap; /* per BMC: the last snapshot built (shares parts) */
};

static void step(struct once_run *r, struct bmc_data *o);
static void start_poll(struct once_run *r);

static void all_closed(struct bmc *b, void *arg)
{
    (void)b;
    struct once_run *r = arg;
    ev_stop(r->loop);
}

static void finish_run(struct once_run *r)
{
    ev_timer_stop(r->loop, &r->guard);
    poller_close_all(r->poller, all_closed, r);
}

static void on_stdin(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)events;
    struct once_run *r = arg;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf));
    ev_del_fd(loop, fd);
    r->stdin_watched = false;
    if (n <= 0) {
        finish_run(r); /* end of input: no more polls */
        return;
    }
    start_poll(r);
}

static void on_gap(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    start_poll(arg);
}

/* Each BMC's snapshot into the store; the report renders from the store only. */
static void publish_all(struct once_run *r)
{
    uint64_t mono = ev_now_update(r->loop);
    for (size_t i = 0; i < r->n; i++) {
        struct snap_opts so = {.bmc_index = (uint32_t)(i + 1), .mono_ns = mono};
        const struct store_bmc *snap = snap_build(&r->bmcs[i], &so, r->snap[i]);
        if (!snap) {
            log_err("BMC %s (%s): out of memory for its snapshot; the previous one is kept",
                    bmc_name(r->bmcs[i].b), bmc_address(r->bmcs[i].b));
            continue;
        }
        log_debug("BMC %s: snapshot of %u sensors, %u FRUs, %u SEL entries: %zu bytes", snap->name,
                  snap->nsensors, snap->fru ? snap->fru->p.n : 0, snap->sel ? snap->sel->p.n : 0,
                  store_bmc_bytes(snap));
        store_bmc_unref(r->snap[i]);
        r->snap[i] = snap;
        /* the snapshot holds the FRU texts until the next FRU read: the
         * reader's results (about 10 KB per device) are not needed */
        struct bmc_data *o = &r->bmcs[i];
        if (snap->fru && o->frur && !fru_reader_busy(o->frur)) {
            fru_reader_free(o->frur);
            o->frur = NULL;
        }
        store_publish(r->store, store_bmc_ref(snap));
    }
    store_apply(r->store);
}

static void poll_finished(struct once_run *r)
{
    bool last = r->poll_no >= r->opts->polls || r->aborted;
    publish_all(r);
    for (size_t i = 0; i < store_count(r->store); i++) {
        const struct store_bmc *b = store_at(r->store, i);
        if (b->error)
            fprintf(stderr, "ipmi-snmp-bridge: %s [%s]\n", b->error, store_state_word(b->state));
    }
    if (r->opts->json)
        report_json(r->store, r->opts->polls > 1, r->out);
    else
        report_human(r->store, r->out);
    fflush(r->out);
    if (r->opts->on_poll)
        r->opts->on_poll(r->store, r->opts->on_poll_arg);
    if (last) {
        finish_run(r);
        return;
    }
    if (r->opts->step) {
        if (ev_add_fd(r->loop, STDIN_FILENO, EPOLLIN, on_stdin, r) == 0) {
            r->stdin_watched = true;
            return;
        }
        /* not pollable (a regular file): read a line the plain way */
        char buf[256];
        if (!fgets(buf, sizeof(buf), stdin)) {
            finish_run(r);
            return;
        }
        start_poll(r);
        return;
    }
    ev_timer_start(r->loop, &r->gap, (uint64_t)r->opts->interval_ms * EV_NS_PER_MS);
}

static void record_error(struct bmc_data *o, enum bmc_error e, const char *text);

static void bmc_done(struct once_run *r, struct bmc_data *o)
{
    if (r->aborted)
        return; /* reported already; this is a cancelled request's callback */
    /* a session that failed along the way (FRU, SEL, sensors) is this poll's error */
    if (bmc_state(o->b) == BMC_S_FAILED && bmc_last_error(o->b) != BMC_E_NONE)
        record_error(o, bmc_last_error(o->b), bmc_error_text(o->b));
    o->step = STEP_DONE;
    if (--r->pending == 0)
        poll_finished(r);
}

static void record_error(struct bmc_data *o, enum bmc_error e, const char *text)
{
    if (o->err != BMC_E_NONE)
        return;
    o->err = e;
    bmc_text_set(&o->err_text, "%.639s", text);
}

/* After a failure that ends the session, nothing more is asked this poll. */
static void fail_bmc(struct once_run *r, struct bmc_data *o, enum bmc_error e)
{
    record_error(o, e, bmc_error_text(o->b));
    bmc_done(r, o);
}

/* ---- identity: Get Device ID, Get System GUID, Get Chassis Status ---------- */

static void on_ident(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    struct bmc_data *o = arg;
    struct once_run *r = bmc_user(b);
    if (rsp->err != BMC_E_NONE) {
        fail_bmc(r, o, rsp->err);
        return;
    }
    char text[700];
    if (bmc_read_ident(o, o->step, rsp, text, sizeof(text)) < 0) {
        record_error(o, BMC_E_PROTOCOL, text);
        bmc_done(r, o);
        return;
    }
    o->step++;
    step(r, o);
}

/* ---- SDR and sensors ------------------------------------------------------- */

static void on_sensors(struct bmc *b, void *arg, const struct sensor_poll *p)
{
    (void)p;
    struct bmc_data *o = arg;
    o->have_sensors = true;
    o->thresholds_read = true;
    o->sensors_mono_ns = ev_now_update(((struct once_run *)bmc_user(b))->loop);
    o->step = STEP_FRU;
    step(bmc_user(b), o);
}

static void on_sdr(struct bmc *b, void *arg, int err, const char *errtext, struct sdr_repo *repo,
                   const struct sdr_fetch_stats *st)
{
    struct bmc_data *o = arg;
    struct once_run *r = bmc_user(b);
    o->sdr_stats = *st;
    bmc_text_set(&o->sdr_err, "%s", "");
    if (err) {
        /* identity was read: report the SDR failure, keep what else can be read */
        bmc_text_set(&o->sdr_err, "%s", errtext);
        log_warn("%s", errtext);
        o->step = STEP_FRU;
        step(r, o);
        return;
    }
    if (repo && bmc_read_take_repo(o, repo) < 0) { /* new or changed: rebuild the sensor set */
        o->step = STEP_FRU;
        step(r, o);
        return;
    }
    o->step = o->set ? STEP_SENSORS : STEP_FRU;
    step(r, o);
}

/* ---- FRU and SEL --------------------------------------------------------------- */

static void on_fru(struct bmc *b, void *arg, struct fru_reader *fr)
{
    (void)fr;
    struct bmc_data *o = arg;
    o->fru_done = true;
    o->fru_read_ns = ev_now(((struct once_run *)bmc_user(b))->loop);
    o->step = STEP_SEL;
    step(bmc_user(b), o);
}

static void start_fru(struct once_run *r, struct bmc_data *o)
{
    struct fru_device dev[1 + 32];
    size_t nd = bmc_read_fru_devices(o, dev, sizeof(dev) / sizeof(dev[0]));
    struct fru_reader_params fp;
    fru_reader_params_default(&fp);
    fp.devices = dev;
    fp.ndevices = nd;
    fp.loop = r->loop;
    if (!o->frur)
        o->frur = fru_reader_new();
    if (!o->frur || fru_reader_start(o->frur, o->b, &fp, on_fru, o) < 0) {
        o->step = STEP_SEL;
        step(r, o);
    }
}

static void on_sel(struct bmc *b, void *arg, struct sel_state *st,
                   const struct sel_poll_result *res)
{
    (void)st;
    struct bmc_data *o = arg;
    o->sel_res = *res;
    o->have_sel = true;
    o->sel_ns = ev_now_update(((struct once_run *)bmc_user(b))->loop) - o->sel_start_ns;
    o->step = STEP_INFO;
    step(bmc_user(b), o);
}

static void on_info(struct bmc *b, void *arg)
{
    struct bmc_data *o = arg;
    o->have_info = true;
    o->info_read_ns = ev_now(((struct once_run *)bmc_user(b))->loop);
    o->step = STEP_DONE;
    step(bmc_user(b), o);
}

static void start_sel(struct once_run *r, struct bmc_data *o)
{
    struct sel_reader_params sp;
    sel_reader_params_default(&sp);
    if (!o->sel)
        o->sel = sel_state_new(r->cfg->sel_entries ? r->cfg->sel_entries : SEL_RING_DEFAULT);
    if (!o->selr)
        o->selr = sel_reader_new();
    o->sel_start_ns = ev_now_update(r->loop);
    if (!o->sel || !o->selr || sel_reader_start(o->selr, o->b, o->sel, &sp, on_sel, o) < 0)
        bmc_done(r, o);
}

/* ---- the per-BMC sequence -------------------------------------------------------- */

static void step(struct once_run *r, struct bmc_data *o)
{
    if (r->aborted)
        return;
    for (;;) {
        switch (o->step) {
        case STEP_DEVID:
        case STEP_GUID:
            if ((o->step == STEP_DEVID && o->have_devid) ||
                (o->step == STEP_GUID && o->guid_tried)) {
                o->step++;
                continue;
            }
            /* fall through */
        case STEP_CHASSIS: {
            uint8_t netfn, cmd;
            bmc_read_ident_cmd(o->step, &netfn, &cmd);
            if (bmc_request(o->b, netfn, cmd, NULL, 0, on_ident, o) < 0) {
                record_error(o, BMC_E_INTERNAL, "cannot queue request");
                bmc_done(r, o);
            }
            return;
        }
        case STEP_SDR: {
            const char *dir = r->cfg->sdr_cache_dir[0] ? r->cfg->sdr_cache_dir : NULL;
            if (sdr_repo_fetch(o->b, o->have_guid ? o->guid : NULL, dir, o->repo, on_sdr, o) == 0)
                return;
            bmc_text_set(&o->sdr_err, "cannot start reading the SDR repository");
            o->step = STEP_FRU;
            continue;
        }
        case STEP_SENSORS:
            if (sensor_poll_start(&o->poll, o->b, o->set, o->vals, !o->thresholds_read, on_sensors,
                                  o) == 0)
                return;
            o->step = STEP_FRU;
            continue;
        case STEP_FRU:
            if (!o->fru_done || ev_now(r->loop) - o->fru_read_ns >=
                                    (uint64_t)r->cfg->fru_interval_s * EV_NS_PER_SEC) {
                start_fru(r, o);
                return;
            }
            o->step = STEP_SEL;
            continue;
        case STEP_SEL:
            start_sel(r, o);
            return;
        case STEP_INFO:
            /* slow-changing facts: on the first poll, then every info-interval */
            if ((!o->have_info || ev_now(r->loop) - o->info_read_ns >=
                                      (uint64_t)r->cfg->info_interval_s * EV_NS_PER_SEC) &&
                info_read_start(&o->ir, o->b, &o->info, on_info, o) == 0)
                return;
            o->step = STEP_DONE;
            continue;
        case STEP_DONE:
            bmc_done(r, o);
            return;
        }
    }
}

static void start_poll(struct once_run *r)
{
    r->poll_no++;
    r->pending = r->n;
    if (r->n == 0) {
        poll_finished(r);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        struct bmc_data *o = &r->bmcs[i];
        o->err = BMC_E_NONE;
        bmc_text_set(&o->err_text, "%s", "");
        o->have_sel = false;
        o->step = STEP_DEVID;
    }
    for (size_t i = 0; i < r->n; i++)
        step(r, &r->bmcs[i]);
}

/*
 * The overall deadline: the BMCs still pending are reported as `timeout`,
 * everything else as read, and the sessions are closed as after a normal
 * last poll (cancelled requests call back with BMC_E_CLOSED; `aborted`
 * makes those callbacks do nothing more).
 */
static void guard_fired(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct once_run *r = arg;
    if (r->pending == 0) { /* between polls: the last report stands */
        r->aborted = true;
        ev_timer_stop(r->loop, &r->gap);
        finish_run(r);
        return;
    }
    log_err("polling did not finish in time; giving up on the BMCs still pending");
    for (size_t i = 0; i < r->n; i++) {
        struct bmc_data *o = &r->bmcs[i];
        if (o->step == STEP_DONE)
            continue;
        char text[640];
        snprintf(text, sizeof(text), "BMC %s (%s): gave up: overall deadline reached",
                 bmc_name(o->b), bmc_address(o->b));
        record_error(o, BMC_E_TIMEOUT, text);
        o->step = STEP_DONE;
    }
    r->pending = 0;
    r->aborted = true;
    ev_timer_stop(r->loop, &r->gap);
    if (r->stdin_watched) {
        ev_del_fd(r->loop, STDIN_FILENO);
        r->stdin_watched = false;
    }
    poll_finished(r);
}

int once_run(const struct cfg *cfg, const struct once_opts *opts, FILE *out)
{
    char err[512];
    struct poller_opts po;
    bmc_read_poller_opts(cfg, &po);

    struct once_run r = {.cfg = cfg, .opts = opts, .out = out};
    int status = 1;
    r.loop = ev_new();
    if (!r.loop) {
        log_err("cannot create the event loop");
        return 1;
    }
    r.poller = poller_new(r.loop, &po, err, sizeof(err));
    r.bmcs = calloc(cfg->nbmcs ? cfg->nbmcs : 1, sizeof(*r.bmcs));
    r.snap = calloc(cfg->nbmcs ? cfg->nbmcs : 1, sizeof(*r.snap));
    r.store = store_new();
    if (!r.poller || !r.bmcs || !r.snap || !r.store) {
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
        r.n++;
    }

    /* Backstop so that a run always ends: per poll, the session budget plus
     * a generous bound on every request's retransmits, twice over. */
    uint64_t per_req = (uint64_t)cfg->timeout_ms * 4 * (cfg->retries + 1);
    uint64_t per_poll_ms = 2 * (2 * (uint64_t)cfg->session_timeout_ms + 8 * per_req) + 5000;
    uint64_t guard_ms = per_poll_ms * opts->polls + (uint64_t)opts->interval_ms * opts->polls;
    if (opts->deadline_ms)
        guard_ms = opts->deadline_ms;
    ev_timer_init(&r.guard, guard_fired, &r);
    ev_timer_init(&r.gap, on_gap, &r);
    if (!opts->step)
        ev_timer_start(r.loop, &r.guard, guard_ms * EV_NS_PER_MS);

    start_poll(&r);
    if (ev_run(r.loop) < 0)
        log_err("event loop failed");
    ev_timer_stop(r.loop, &r.guard);
    ev_timer_stop(r.loop, &r.gap);
    if (r.stdin_watched)
        ev_del_fd(r.loop, STDIN_FILENO);

    status = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.bmcs[i].err)
            status = 1;
out:
    poller_free(r.poller);
    for (size_t i = 0; r.bmcs && i < r.n; i++)
        bmc_read_clear(&r.bmcs[i]);
    free(r.bmcs);
    for (size_t i = 0; r.snap && i < r.n; i++)
        store_bmc_unref(r.snap[i]);
    free(r.snap);
    store_free(r.store);
    ev_free(r.loop);
    return status;
}
