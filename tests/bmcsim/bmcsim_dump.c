/*
 * bmcsim_dump.c - "what does this BMC believe": the control socket's
 * dump-sensors, dump-sel and dump-fru.  They ask the content module through
 * sim_handle(), the way a client would over the network, so a test can set
 * ipmitool's and FreeIPMI's view side by side with the simulator's own.
 *
 * Output lines (fields separated by '|', names may contain spaces):
 *   sensor|NUM|NAME|SENSOR_TYPE|EVENT_TYPE|RAW|VALUE|LSB|STATE
 *     VALUE and LSB (one raw step) are "na" for discrete sensors or when the
 *     reading is unavailable; STATE is reading byte 3 (and 4) in hex.
 *   sel|ID|RECORD_TYPE|TIMESTAMP|SENSOR_TYPE|SENSOR_NUM|EVENT_DIR_TYPE|D1|D2|D3
 *   fru|ID|FIELD|VALUE
 *   device|FIELD|VALUE (Get Device ID and the GUID, as ipmitool prints it)
 * and finally a count= line and "OK".
 */
#include "bmcsim.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipmi_msg.h"

/* Storage (0Ah) and Sensor/Event (04h) commands, IPMI 2.0 Appendix G */
enum {
    CMD_GET_FRU_AREA_INFO = 0x10,
    CMD_READ_FRU = 0x11,
    CMD_RESERVE_SDR = 0x22,
    CMD_GET_SDR = 0x23,
    CMD_RESERVE_SEL = 0x42,
    CMD_GET_SEL_ENTRY = 0x43,
    CMD_GET_SENSOR_READING = 0x2d,
};

struct dumper {
    struct fleet *f;
    struct bmc *b;
    dump_emit_fn emit;
    void *ctx;
    uint8_t rsp[RMCPP_MAX_PAYLOAD];
};

/* Ask the content module; events it raises go out as they would otherwise. */
static size_t ask(struct dumper *d, uint8_t netfn, uint8_t cmd, const uint8_t *req, size_t len)
{
    struct sim_event ev[BMCSIM_MAX_EVENTS];
    size_t nev = 0;
    size_t n = sim_handle(d->b->st, d->f->profile, fleet_now_s(d->f), netfn, cmd, req, len, d->rsp,
                          sizeof(d->rsp), ev, BMCSIM_MAX_EVENTS, &nev);
    if (nev)
        bmc_events(d->b, ev, nev);
    return n;
}

static void emitf(struct dumper *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emitf(struct dumper *d, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    d->emit(d->ctx, line);
}

/* ---- SDR ---------------------------------------------------------------- */

static uint16_t reserve(struct dumper *d, uint8_t netfn, uint8_t cmd)
{
    size_t n = ask(d, netfn, cmd, NULL, 0);
    return (n >= 3 && d->rsp[0] == IPMI_CC_OK) ? (uint16_t)(d->rsp[1] | d->rsp[2] << 8) : 0;
}

/*
 * Read one SDR record (header, then the body in 16-byte pieces, as
 * clients do).  Returns the record length (0 on error); *next = next ID.
 */
static size_t read_sdr(struct dumper *d, uint16_t resv, uint16_t id, uint8_t *rec, size_t cap,
                       uint16_t *next)
{
    size_t have = 0, want = 5;
    while (have < want) {
        size_t chunk = want - have > 16 ? 16 : want - have;
        uint8_t req[6] = {(uint8_t)resv,      (uint8_t)(resv >> 8), (uint8_t)id,
                          (uint8_t)(id >> 8), (uint8_t)have,        (uint8_t)chunk};
        size_t n = ask(d, IPMI_NETFN_STORAGE, CMD_GET_SDR, req, sizeof(req));
        if (n < 3 || d->rsp[0] != IPMI_CC_OK || n - 3 == 0)
            return 0;
        *next = (uint16_t)(d->rsp[1] | d->rsp[2] << 8);
        size_t got = n - 3;
        if (have + got > cap)
            return 0;
        memcpy(rec + have, d->rsp + 3, got);
        have += got;
        if (have >= 5)
            want = 5 + (size_t)rec[4];
        if (want > cap)
            return 0;
    }
    return have;
}

/* 6-bit packed ASCII (IPMI 2.0 section 43.15) */
static void unpack6(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        acc |= (uint32_t)p[i] << bits;
        bits += 8;
        while (bits >= 6 && o + 1 < cap) {
            out[o++] = (char)(0x20 + (acc & 0x3f));
            acc >>= 6;
            bits -= 6;
        }
    }
    out[o] = '\0';
}

/* A type/length-coded string (IPMI 2.0 section 43.15, FRU spec 13). */
static void tl_string(uint8_t tl, const uint8_t *p, char *out, size_t cap)
{
    size_t n = tl & 0x3f, o = 0;
    switch (tl >> 6) {
    case 2:
        unpack6(p, n, out, cap);
        return;
    case 1: /* BCD plus */
        for (size_t i = 0; i < n && o + 2 < cap; i++) {
            static const char digits[] = "0123456789 -.???";
            out[o++] = digits[p[i] & 0x0f];
            out[o++] = digits[p[i] >> 4];
        }
        break;
    case 0: /* binary: hex */
        for (size_t i = 0; i < n && o + 3 < cap; i++)
            o += (size_t)snprintf(out + o, cap - o, "%02x", p[i]);
        break;
    default:
        for (size_t i = 0; i < n && o + 1 < cap; i++)
            out[o++] = (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '|') ? (char)p[i] : '?';
        break;
    }
    out[o] = '\0';
}

static int sign_extend(unsigned v, unsigned bits)
{
    unsigned m = 1u << (bits - 1);
    return (int)((v ^ m) - m);
}

/* Convert a raw reading with a full SDR (IPMI 2.0 section 36.3); NAN if not linear. */
static double sdr_convert(const uint8_t *r, uint8_t raw, double *lsb)
{
    int m = sign_extend((unsigned)r[24] | (unsigned)(r[25] >> 6) << 8, 10);
    int bb = sign_extend((unsigned)r[26] | (unsigned)(r[27] >> 6) << 8, 10);
    int rexp = sign_extend(r[29] >> 4, 4);
    int bexp = sign_extend(r[29] & 0x0f, 4);
    double x;
    switch (r[20] >> 6) {
    case 1:
        x = (raw & 0x80) ? -(double)(uint8_t)~raw : raw;
        break;
    case 2:
        x = (int8_t)raw;
        break;
    case 3:
        return NAN; /* no analog reading */
    default:
        x = raw;
        break;
    }
    if ((r[23] & 0x7f) != 0)
        return NAN; /* non-linear: raw only */
    *lsb = fabs((double)m) * pow(10, rexp);
    return ((double)m * x + (double)bb * pow(10, bexp)) * pow(10, rexp);
}

static void dump_sensors(struct dumper *d)
{
    uint8_t rec[128];
    uint16_t resv = reserve(d, IPMI_NETFN_STORAGE, CMD_RESERVE_SDR), id = 0, next = 0xffff;
    unsigned count = 0;
    for (unsigned guard = 0; guard < 4096; guard++) {
        size_t len = read_sdr(d, resv, id, rec, sizeof(rec), &next);
        if (len == 0)
            break;
        uint8_t type = rec[3];
        size_t name_at = type == 0x01 ? 47 : type == 0x02 ? 31 : type == 0x03 ? 16 : 0;
        if (name_at && len > name_at) {
            char name[64];
            uint8_t tl = rec[name_at];
            if (name_at + 1 + (tl & 0x3f) > len)
                tl = (uint8_t)((tl & 0xc0) | (len - name_at - 1));
            tl_string(tl, rec + name_at + 1, name, sizeof(name));
            uint8_t num = rec[7];
            uint8_t stype = type == 0x03 ? rec[10] : rec[12];
            uint8_t etype = type == 0x03 ? rec[11] : rec[13];
            char raw[8] = "na", val[32] = "na", lsbs[32] = "na", state[16] = "na";
            if (type != 0x03) {
                uint8_t q = num;
                size_t n = ask(d, IPMI_NETFN_SENSOR, CMD_GET_SENSOR_READING, &q, 1);
                if (n >= 3 && d->rsp[0] == IPMI_CC_OK && !(d->rsp[2] & 0x20)) {
                    snprintf(raw, sizeof(raw), "%u", d->rsp[1]);
                    if (n >= 5)
                        snprintf(state, sizeof(state), "0x%02x%02x", d->rsp[4], d->rsp[3]);
                    else if (n >= 4)
                        snprintf(state, sizeof(state), "0x%02x", d->rsp[3]);
                    double lsb = 0;
                    double v =
                        (type == 0x01 && etype == 0x01) ? sdr_convert(rec, d->rsp[1], &lsb) : NAN;
                    if (!isnan(v)) {
                        snprintf(val, sizeof(val), "%.3f", v);
                        snprintf(lsbs, sizeof(lsbs), "%.3f", lsb);
                    }
                }
            }
            emitf(d, "sensor|0x%02x|%s|0x%02x|0x%02x|%s|%s|%s|%s", num, name, stype, etype, raw,
                  val, lsbs, state);
            count++;
        }
        if (next == 0xffff || next == id)
            break;
        id = next;
    }
    emitf(d, "count=%u", count);
}

/* ---- SEL ---------------------------------------------------------------- */

static void dump_sel(struct dumper *d)
{
    uint16_t resv = reserve(d, IPMI_NETFN_STORAGE, CMD_RESERVE_SEL), id = 0;
    unsigned count = 0;
    for (unsigned guard = 0; guard < 65536; guard++) {
        uint8_t req[6] = {(uint8_t)resv, (uint8_t)(resv >> 8), (uint8_t)id, (uint8_t)(id >> 8), 0,
                          0xff};
        size_t n = ask(d, IPMI_NETFN_STORAGE, CMD_GET_SEL_ENTRY, req, sizeof(req));
        if (n < 3 + 16 || d->rsp[0] != IPMI_CC_OK)
            break;
        uint16_t next = (uint16_t)(d->rsp[1] | d->rsp[2] << 8);
        const uint8_t *r = d->rsp + 3;
        uint32_t ts =
            (uint32_t)r[3] | (uint32_t)r[4] << 8 | (uint32_t)r[5] << 16 | (uint32_t)r[6] << 24;
        emitf(d, "sel|%u|0x%02x|%u|0x%02x|0x%02x|0x%02x|0x%02x|0x%02x|0x%02x",
              (unsigned)(r[0] | r[1] << 8), r[2], (unsigned)ts, r[10], r[11], r[12], r[13], r[14],
              r[15]);
        count++;
        if (next == 0xffff || next == id)
            break;
        id = next;
    }
    emitf(d, "count=%u", count);
}

/* ---- FRU ---------------------------------------------------------------- */

static size_t read_fru(struct dumper *d, uint8_t fru, uint8_t *img, size_t cap)
{
    size_t n = ask(d, IPMI_NETFN_STORAGE, CMD_GET_FRU_AREA_INFO, &fru, 1);
    if (n < 4 || d->rsp[0] != IPMI_CC_OK)
        return 0;
    size_t size = (size_t)(d->rsp[1] | d->rsp[2] << 8);
    if (size > cap)
        size = cap;
    size_t have = 0;
    while (have < size) {
        size_t chunk = size - have > 16 ? 16 : size - have;
        uint8_t req[4] = {fru, (uint8_t)have, (uint8_t)(have >> 8), (uint8_t)chunk};
        n = ask(d, IPMI_NETFN_STORAGE, CMD_READ_FRU, req, sizeof(req));
        if (n < 3 || d->rsp[0] != IPMI_CC_OK || d->rsp[1] == 0)
            break;
        size_t got = d->rsp[1];
        if (got > n - 2)
            got = n - 2;
        memcpy(img + have, d->rsp + 2, got);
        have += got;
    }
    return have;
}

/* Walk an area's type/length fields from `p`, naming them from `names`. */
static unsigned fru_fields(struct dumper *d, unsigned fru, const char *area, const uint8_t *img,
                           size_t len, size_t p, size_t end, const char *const *names,
                           size_t nnames)
{
    unsigned count = 0;
    for (size_t i = 0; p < end && p < len && img[p] != 0xc1; i++) {
        uint8_t tl = img[p];
        size_t flen = tl & 0x3f;
        if (p + 1 + flen > len)
            break;
        char val[80];
        tl_string(tl, img + p + 1, val, sizeof(val));
        if (i < nnames)
            emitf(d, "fru|%u|%s_%s|%s", fru, area, names[i], val);
        else
            emitf(d, "fru|%u|%s_custom%zu|%s", fru, area, i - nnames + 1, val);
        count++;
        p += 1 + flen;
    }
    return count;
}

static unsigned dump_one_fru(struct dumper *d, uint8_t fru, const char *name)
{
    static const char *const chassis[] = {"part", "serial"};
    static const char *const board[] = {"mfg", "product", "serial", "part", "file_id"};
    static const char *const product[] = {"mfg",    "name",      "part",   "version",
                                          "serial", "asset_tag", "file_id"};
    uint8_t img[2048];
    size_t len = read_fru(d, fru, img, sizeof(img));
    unsigned count = 0;
    if (len < 8)
        return 0;
    emitf(d, "fru|%u|name|%s", fru, name);
    size_t off[3] = {(size_t)img[2] * 8, (size_t)img[3] * 8, (size_t)img[4] * 8};
    if (off[0] && off[0] + 3 < len) {
        size_t end = off[0] + (size_t)img[off[0] + 1] * 8;
        emitf(d, "fru|%u|chassis_type|%u", fru, img[off[0] + 2]);
        count += 1 + fru_fields(d, fru, "chassis", img, len, off[0] + 3, end, chassis, 2);
    }
    if (off[1] && off[1] + 6 < len) {
        size_t end = off[1] + (size_t)img[off[1] + 1] * 8;
        uint32_t mins = (uint32_t)img[off[1] + 3] | (uint32_t)img[off[1] + 4] << 8 |
                        (uint32_t)img[off[1] + 5] << 16;
        /* minutes since 1996-01-01 00:00 UTC (FRU spec section 11) */
        emitf(d, "fru|%u|board_mfg_time|%llu", fru, 820454400ULL + (unsigned long long)mins * 60);
        count += 1 + fru_fields(d, fru, "board", img, len, off[1] + 6, end, board, 5);
    }
    if (off[2] && off[2] + 3 < len) {
        size_t end = off[2] + (size_t)img[off[2] + 1] * 8;
        count += fru_fields(d, fru, "product", img, len, off[2] + 3, end, product, 7);
    }
    return count;
}

static void dump_fru(struct dumper *d)
{
    unsigned frus = 0, fields = dump_one_fru(d, 0, "Builtin FRU Device");
    if (fields)
        frus++;
    /* other FRUs: FRU device locator records (type 11h) for logical FRUs */
    uint8_t rec[128];
    uint16_t resv = reserve(d, IPMI_NETFN_STORAGE, CMD_RESERVE_SDR), id = 0, next = 0xffff;
    for (unsigned guard = 0; guard < 4096; guard++) {
        size_t len = read_sdr(d, resv, id, rec, sizeof(rec), &next);
        if (len == 0)
            break;
        /* FRU device locator (IPMI 2.0 Table 43-7): 6 FRU device ID, 7 bit 7
         * logical, 15 ID string type/length, 16.. the string */
        if (rec[3] == 0x11 && len > 15 && (rec[7] & 0x80) && rec[6] != 0) {
            char name[64];
            uint8_t tl = rec[15];
            if (16 + (size_t)(tl & 0x3f) > len)
                tl = (uint8_t)((tl & 0xc0) | (len - 16));
            tl_string(tl, rec + 16, name, sizeof(name));
            unsigned n = dump_one_fru(d, rec[6], name);
            if (n) {
                frus++;
                fields += n;
            }
        }
        if (next == 0xffff || next == id)
            break;
        id = next;
    }
    emitf(d, "count=%u", frus);
}

/* ---- device identity ---------------------------------------------------- */

static void dump_device(struct dumper *d)
{
    size_t n = ask(d, IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, NULL, 0);
    struct ipmi_devid_rsp r;
    enum codec_err err;
    if (layout_decode(&ipmi_devid_rsp_layout, d->rsp, n, &r, &err) < 0 || r.cc != IPMI_CC_OK) {
        emitf(d, "device|error|%s", codec_err_name(err));
        return;
    }
    emitf(d, "device|device_id|%u", r.device_id);
    emitf(d, "device|manufacturer_id|%u", (unsigned)r.manufacturer_id);
    emitf(d, "device|product_id|%u", (unsigned)r.product_id);
    emitf(d, "device|firmware|%u.%02x", r.fw_major & 0x7f, r.fw_minor);
    emitf(d, "device|ipmi_version|%u.%u", r.ipmi_version & 0x0f, r.ipmi_version >> 4);
    uint8_t guid[16];
    char text[37];
    sim_guid(d->b->st, guid);
    ipmi_guid_format(guid, text);
    emitf(d, "device|guid|%s", text);
    char raw[33];
    for (int i = 0; i < 16; i++)
        snprintf(raw + 2 * i, 3, "%02x", guid[i]);
    emitf(d, "device|guid_raw|%s", raw);
    emitf(d, "device|port|%u", d->b->port);
}

/* ---- chassis state ------------------------------------------------------- */

/* What the BMC believes, without asking through sim_handle (that would count
 * as a request and expire nothing more than a client's read does). */
static void dump_chassis(struct dumper *d)
{
    int power, identify;
    uint8_t flags[5];
    static const char *const ident[] = {"off", "timed", "forced"};
    sim_chassis_state(d->b->st, fleet_now_s(d->f), &power, &identify, flags);
    emitf(d, "chassis|power|%s", power ? "on" : "off");
    emitf(d, "chassis|identify|%s", ident[identify]);
    emitf(d, "chassis|boot_flags|%02x %02x %02x %02x %02x", flags[0], flags[1], flags[2], flags[3],
          flags[4]);
}

void ctl_dump(struct fleet *f, struct bmc *b, const char *what, dump_emit_fn emit, void *ctx)
{
    struct dumper d = {.f = f, .b = b, .emit = emit, .ctx = ctx};
    if (!strcmp(what, "device"))
        dump_device(&d);
    else if (!strcmp(what, "sensors"))
        dump_sensors(&d);
    else if (!strcmp(what, "sel"))
        dump_sel(&d);
    else if (!strcmp(what, "fru"))
        dump_fru(&d);
    else if (!strcmp(what, "chassis"))
        dump_chassis(&d);
    else {
        emit(ctx, "ERR unknown dump");
        return;
    }
    emit(ctx, "OK");
}
