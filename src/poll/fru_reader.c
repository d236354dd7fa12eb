/*
 * fru_reader.c - asynchronous FRU inventory reader (IPMI 2.0 section 34:
 * Get FRU Inventory Area Info, Read FRU Data) on top of bmc_request().
 *
 * The reader never blocks and never loops without a bound: every request
 * either moves the read position forward, shrinks the chunk (down to a
 * floor) or spends one of a fixed number of busy retries.
 */
#include "fru_reader.h"

#include "drive.h"

#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "ipmi_msg.h"
#include "log.h"

#define FRU_CHUNK_DEFAULT           32 /* fits an RMCP+ response bridged over IPMB */
#define FRU_CHUNK_MIN               4
#define FRU_BUSY_RETRIES_DEFAULT    5
#define FRU_BUSY_BACKOFF_DEFAULT_MS 20
#define FRU_BUSY_BACKOFF_MAX_MS     1000
#define FRU_IMAGE_DEFAULT           8192

static const char *const status_names[] = {
    [FRU_READ_OK] = "ok",         [FRU_READ_PARTIAL] = "partial", [FRU_READ_BAD] = "bad",
    [FRU_READ_ABSENT] = "absent", [FRU_READ_FAILED] = "failed",
};

const char *fru_read_status_name(uint8_t s)
{
    return s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "unknown";
}

void fru_reader_params_default(struct fru_reader_params *p)
{
    memset(p, 0, sizeof(*p));
    p->chunk = FRU_CHUNK_DEFAULT;
    p->busy_retries = FRU_BUSY_RETRIES_DEFAULT;
    p->busy_backoff_ms = FRU_BUSY_BACKOFF_DEFAULT_MS;
    p->max_image = FRU_IMAGE_DEFAULT;
}

/* ---- the per-device state machine ---------------------------------------- */

void fru_fetch_init(struct fru_fetch *f, uint8_t id, uint8_t *buf, uint32_t cap, uint8_t chunk,
                    uint8_t busy_retries)
{
    memset(f, 0, sizeof(*f));
    f->id = id;
    f->phase = FRU_PH_INFO;
    f->buf = buf;
    f->cap = cap & ~1u; /* even, so a word-access read never needs half a word */
    f->chunk = chunk >= FRU_CHUNK_MIN ? chunk : FRU_CHUNK_MIN;
    f->busy_retries = busy_retries;
    f->busy_left = busy_retries;
}

/*
 * Bytes the next Read FRU Data asks for: a whole chunk while the image goes
 * on (what lies past the last area costs no extra request), never past the
 * inventory area.
 */
static uint32_t next_count(const struct fru_fetch *f)
{
    uint32_t n = f->total - f->have;
    if (n > f->chunk)
        n = f->chunk;
    if (f->word)
        n = (n + 1) & ~1u;
    if (f->have + n > f->cap)
        n = f->cap - f->have;
    return n;
}

size_t fru_fetch_request(const struct fru_fetch *f, uint8_t *cmd, uint8_t data[4])
{
    if (f->phase == FRU_PH_INFO) {
        /* Get FRU Inventory Area Info (IPMI 2.0 section 34.1): FRU device ID */
        *cmd = FRU_CMD_GET_AREA_INFO;
        data[0] = f->id;
        return 1;
    }
    *cmd = FRU_CMD_READ_DATA;
    return fru_read_req_encode(data, f->id, f->have, (uint8_t)next_count(f), f->word);
}

/* The read ends early: keep what we have if the common header is in it. */
static enum fru_act fetch_stop(struct fru_fetch *f, uint8_t cc, enum codec_err e)
{
    f->cc = cc;
    f->codec_err = e;
    f->failed_cmd = f->phase == FRU_PH_INFO ? FRU_CMD_GET_AREA_INFO : FRU_CMD_READ_DATA;
    f->status = f->have >= FRU_HEADER_LEN ? FRU_READ_PARTIAL : FRU_READ_FAILED;
    f->phase = FRU_PH_DONE;
    return FRU_ACT_DONE;
}

static enum fru_act fetch_busy(struct fru_fetch *f, uint8_t cc)
{
    if (!f->busy_left)
        return fetch_stop(f, cc, CODEC_OK);
    f->busy_left--;
    if (f->busy_count < UINT8_MAX)
        f->busy_count++;
    return FRU_ACT_BACKOFF;
}

static enum fru_act on_info(struct fru_fetch *f, uint8_t cc, const uint8_t *d, size_t len)
{
    if (cc == FRU_CC_DEVICE_BUSY)
        return fetch_busy(f, cc);
    if (cc == IPMI_CC_NOT_PRESENT || cc == IPMI_CC_INVALID_DATA_FIELD) {
        /* a locator SDR shared by board variants may name an absent device:
         * ipmitool says "Device not present", FreeIPMI "no FRU information" */
        f->cc = cc;
        f->failed_cmd = FRU_CMD_GET_AREA_INFO;
        f->status = FRU_READ_ABSENT;
        f->phase = FRU_PH_DONE;
        return FRU_ACT_DONE;
    }
    if (cc)
        return fetch_stop(f, cc, CODEC_OK);
    struct fru_area_info_rsp info;
    enum codec_err e;
    if (fru_area_info_rsp_decode(d, len, &info, &e) < 0)
        return fetch_stop(f, 0, e);
    f->area_size = info.size;
    f->word = (info.access & 0x01) != 0;
    if (info.size == 0) {
        f->status = FRU_READ_ABSENT;
        f->phase = FRU_PH_DONE;
        return FRU_ACT_DONE;
    }
    f->total = info.size < f->cap ? info.size : f->cap;
    if (f->word)
        f->total &= ~1u;
    if (f->total < FRU_HEADER_LEN)
        return fetch_stop(f, 0, CODEC_E_LENGTH);
    if (f->word)
        f->chunk &= (uint8_t)~1u;
    f->phase = FRU_PH_DATA;
    f->want = (uint32_t)fru_needed_len(f->buf, 0, f->total);
    f->busy_left = f->busy_retries;
    f->busy_count = 0;
    return FRU_ACT_SEND;
}

static enum fru_act on_data(struct fru_fetch *f, uint8_t cc, const uint8_t *d, size_t len)
{
    uint32_t asked = next_count(f);
    if (cc == FRU_CC_DEVICE_BUSY)
        return fetch_busy(f, cc);
    if (cc == IPMI_CC_REQUEST_LENGTH_INVALID || cc == IPMI_CC_REQUEST_FIELD_TOO_LONG ||
        cc == IPMI_CC_CANNOT_RETURN_BYTES) {
        /* the response would not fit (IPMB bridging, small buffers): ask for
         * less, by 8 while large and then by 2, down to a floor */
        if (f->chunk <= FRU_CHUNK_MIN)
            return fetch_stop(f, cc, CODEC_OK);
        f->chunk = (uint8_t)(f->chunk > 16 ? f->chunk - 8 : f->chunk - 2);
        return FRU_ACT_SEND;
    }
    if (cc)
        return fetch_stop(f, cc, CODEC_OK);
    const uint8_t *data;
    size_t n;
    enum codec_err e;
    if (fru_read_rsp_decode(d, len, f->word, &data, &n, &e) < 0)
        return fetch_stop(f, 0, e);
    if (n == 0) {
        /* no progress: the area info overstated the size (ipmitool and
         * OpenIPMI parse what they have in that case) */
        return fetch_stop(f, 0, CODEC_E_LENGTH);
    }
    if (n > asked)
        n = asked;
    memcpy(f->buf + f->have, data, n);
    f->have += (uint32_t)n;
    f->busy_left = f->busy_retries;
    f->busy_count = 0;
    f->want = (uint32_t)fru_needed_len(f->buf, f->have, f->total);
    if (f->have >= f->want) {
        f->status = FRU_READ_OK;
        f->phase = FRU_PH_DONE;
        return FRU_ACT_DONE;
    }
    return FRU_ACT_SEND;
}

enum fru_act fru_fetch_on_rsp(struct fru_fetch *f, uint8_t cc, const uint8_t *d, size_t len)
{
    f->requests++;
    switch (f->phase) {
    case FRU_PH_INFO:
        return on_info(f, cc, d, len);
    case FRU_PH_DATA:
        return on_data(f, cc, d, len);
    default:
        return FRU_ACT_DONE;
    }
}

enum fru_act fru_fetch_on_error(struct fru_fetch *f)
{
    f->requests++;
    if (f->phase == FRU_PH_DONE)
        return FRU_ACT_DONE;
    return fetch_stop(f, 0, CODEC_OK);
}

uint32_t fru_fetch_backoff_ms(const struct fru_fetch *f, uint32_t base_ms)
{
    uint32_t ms = base_ms ? base_ms : 1;
    for (unsigned i = 1; i < f->busy_count && ms < FRU_BUSY_BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < FRU_BUSY_BACKOFF_MAX_MS ? ms : FRU_BUSY_BACKOFF_MAX_MS;
}

/* ---- the asynchronous reader --------------------------------------------- */

struct fru_reader {
    struct bmc *b;
    fru_reader_done_cb done;
    void *arg;
    struct fru_reader_params p;
    struct fru_device *devs;
    struct fru_result *res;
    size_t n, cap_res, cur;
    struct fru_fetch f;
    uint8_t *scratch;
    uint32_t scratch_cap;
    struct ev_timer timer;
    uint8_t next_act; /* enum fru_act: what step() does next */
    bool busy, inflight, zombie;
    struct drive drive;
};

struct fru_reader *fru_reader_new(void)
{
    return calloc(1, sizeof(struct fru_reader));
}

void fru_reader_trim(struct fru_reader *r)
{
    if (!r || r->busy)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->res[i].image);
    free(r->res);
    free(r->devs);
    r->res = NULL;
    r->devs = NULL;
    r->n = r->cap_res = 0;
}

static void clear_results(struct fru_reader *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->res[i].image);
        r->res[i].image = NULL;
    }
    r->n = 0;
}

static void really_free(struct fru_reader *r)
{
    clear_results(r);
    free(r->res);
    free(r->devs);
    free(r->scratch);
    free(r);
}

void fru_reader_free(struct fru_reader *r)
{
    if (!r)
        return;
    if (r->inflight || r->drive.running) {
        /* a callback still holds `r`: the last one frees it */
        r->zombie = true;
        return;
    }
    if (ev_timer_active(&r->timer) && r->p.loop)
        ev_timer_stop(r->p.loop, &r->timer);
    really_free(r);
}

bool fru_reader_busy(const struct fru_reader *r)
{
    return r->busy;
}

size_t fru_reader_count(const struct fru_reader *r)
{
    return r->n;
}

const struct fru_result *fru_reader_result(const struct fru_reader *r, size_t i)
{
    return i < r->n ? &r->res[i] : NULL;
}

static void begin_device(struct fru_reader *r)
{
    struct fru_result *res = &r->res[r->cur];
    fru_fetch_init(&r->f, res->id, r->scratch, r->scratch_cap, r->p.chunk, r->p.busy_retries);
    r->next_act = FRU_ACT_SEND;
}

static void log_result(const struct fru_reader *r, const struct fru_result *res)
{
    const char *why = res->bmc_err != BMC_E_NONE ? bmc_error_word(res->bmc_err)
                      : res->cc                  ? ipmi_cc_text(res->cc)
                                                 : codec_err_name(res->codec_err);
    if (res->status == FRU_READ_OK || res->status == FRU_READ_ABSENT)
        log_debug("BMC %s (%s): FRU %u \"%s\": %s, %zu bytes in %u requests", bmc_name(r->b),
                  bmc_address(r->b), res->id, res->name, fru_read_status_name(res->status),
                  res->image_len, res->requests);
    else
        log_info("BMC %s (%s): FRU %u \"%s\": %s (%s%s), %zu bytes read", bmc_name(r->b),
                 bmc_address(r->b), res->id, res->name, fru_read_status_name(res->status),
                 res->failed_cmd == FRU_CMD_GET_AREA_INFO ? "Get FRU Inventory Area Info: "
                 : res->failed_cmd                        ? "Read FRU Data: "
                                                          : "",
                 why, res->image_len);
}

/* The current device is finished: keep its image, parse it. */
static void finish_device(struct fru_reader *r)
{
    struct fru_result *res = &r->res[r->cur];
    const struct fru_fetch *f = &r->f;
    res->status = f->status;
    if (f->cc)
        res->cc = f->cc;
    res->failed_cmd = f->failed_cmd;
    if (res->codec_err == CODEC_OK)
        res->codec_err = f->codec_err;
    res->area_size = f->area_size;
    res->word_access = f->word;
    res->requests = f->requests;
    if (f->have) {
        res->image = malloc(f->have);
        if (res->image) {
            memcpy(res->image, f->buf, f->have);
            res->image_len = f->have;
        } else {
            res->status = FRU_READ_FAILED;
            res->bmc_err = BMC_E_INTERNAL;
        }
    }
    if (res->image && (res->status == FRU_READ_OK || res->status == FRU_READ_PARTIAL)) {
        enum codec_err e;
        if (fru_parse(res->image, res->image_len, &res->inv, &e) >= 0) {
            res->parsed = true;
        } else {
            res->status = FRU_READ_BAD;
            res->codec_err = e;
        }
    }
    log_result(r, res);
}

/*
 * Do what the machine says until a request is in flight, a timer is armed
 * or every device is done.  Returns true when the whole read is finished.
 */
static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp);

static bool step(struct fru_reader *r)
{
    for (;;) {
        if (r->cur >= r->n)
            return true;
        switch (r->next_act) {
        case FRU_ACT_SEND: {
            uint8_t cmd, data[4];
            size_t len = fru_fetch_request(&r->f, &cmd, data);
            r->inflight = true;
            r->next_act = 0xFF; /* waiting */
            if (bmc_request(r->b, IPMI_NETFN_STORAGE, cmd, data, len, on_rsp, r) < 0) {
                r->inflight = false;
                r->res[r->cur].bmc_err = BMC_E_INTERNAL;
                r->next_act = fru_fetch_on_error(&r->f);
                continue;
            }
            return false;
        }
        case FRU_ACT_BACKOFF:
            if (r->p.loop) {
                r->next_act = 0xFF;
                ev_timer_start(r->p.loop, &r->timer,
                               (uint64_t)fru_fetch_backoff_ms(&r->f, r->p.busy_backoff_ms) *
                                   EV_NS_PER_MS);
                return false;
            }
            r->next_act = FRU_ACT_SEND;
            continue;
        case FRU_ACT_DONE: {
            finish_device(r);
            enum bmc_error e = r->res[r->cur].bmc_err;
            r->cur++;
            if (e != BMC_E_NONE && e != BMC_E_INTERNAL) {
                /* the BMC is gone: do not wait out every remaining device */
                for (; r->cur < r->n; r->cur++) {
                    r->res[r->cur].status = FRU_READ_FAILED;
                    r->res[r->cur].bmc_err = e;
                }
                return true;
            }
            if (r->cur < r->n)
                begin_device(r);
            continue;
        }
        default:
            return false; /* a request or the timer is pending */
        }
    }
}

/* Trampoline: a callback that runs inside bmc_request() just asks for another round. */
static bool step_cb(void *arg)
{
    return step(arg);
}

static void advance(struct fru_reader *r)
{
    enum drive_result d = drive_run(&r->drive, step_cb, r);
    if (d == DRIVE_NESTED)
        return;
    bool finished = d == DRIVE_FINISHED;
    if (r->zombie && !r->inflight) {
        if (ev_timer_active(&r->timer) && r->p.loop)
            ev_timer_stop(r->p.loop, &r->timer);
        really_free(r);
        return;
    }
    if (finished) {
        r->busy = false;
        /* the read buffer (8 KiB by default) is needed only while reading:
         * the results hold their own copies of the images */
        free(r->scratch);
        r->scratch = NULL;
        r->scratch_cap = 0;
        r->done(r->b, r->arg, r); /* may free or restart r */
    }
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct fru_reader *r = arg;
    r->inflight = false;
    if (r->zombie && !r->drive.running) {
        really_free(r);
        return;
    }
    if (rsp->err != BMC_E_NONE) {
        r->res[r->cur].bmc_err = rsp->err;
        r->next_act = fru_fetch_on_error(&r->f);
    } else {
        r->next_act = fru_fetch_on_rsp(&r->f, rsp->cc, rsp->data, rsp->len);
    }
    advance(r);
}

static void on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct fru_reader *r = arg;
    r->next_act = FRU_ACT_SEND;
    advance(r);
}

int fru_reader_start(struct fru_reader *r, struct bmc *b, const struct fru_reader_params *p,
                     fru_reader_done_cb done, void *arg)
{
    if (r->busy || r->zombie || !p->ndevices || !done)
        return -1;
    clear_results(r);
    if (p->ndevices > r->cap_res) {
        struct fru_result *nr = realloc(r->res, p->ndevices * sizeof(*nr));
        struct fru_device *nd = realloc(r->devs, p->ndevices * sizeof(*nd));
        if (nr)
            r->res = nr;
        if (nd)
            r->devs = nd;
        if (!nr || !nd)
            return -1;
        r->cap_res = p->ndevices;
    }
    uint32_t cap = p->max_image >= FRU_HEADER_LEN ? p->max_image : FRU_IMAGE_DEFAULT;
    if (cap > 65536)
        cap = 65536;
    if (cap != r->scratch_cap) {
        uint8_t *s = realloc(r->scratch, cap);
        if (!s)
            return -1;
        r->scratch = s;
        r->scratch_cap = cap;
    }
    r->p = *p;
    memcpy(r->devs, p->devices, p->ndevices * sizeof(*r->devs));
    r->p.devices = r->devs;
    memset(r->res, 0, p->ndevices * sizeof(*r->res));
    for (size_t i = 0; i < p->ndevices; i++) {
        r->res[i].id = r->devs[i].id;
        memcpy(r->res[i].name, r->devs[i].name, FRU_NAME_MAX);
        r->res[i].name[FRU_NAME_MAX - 1] = '\0';
    }
    r->n = p->ndevices;
    r->cur = 0;
    r->b = b;
    r->done = done;
    r->arg = arg;
    r->busy = true;
    ev_timer_init(&r->timer, on_timer, r);
    begin_device(r);
    advance(r);
    return 0;
}
