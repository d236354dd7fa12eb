/*
 * simcontent.c - what one simulated BMC answers: device identity, sensors
 * (readings that drift deterministically, thresholds, events), the SDR
 * repository, FRU inventory and a SEL ring.  Bytes in, bytes out: the
 * network side hands over each in-session request and the current time.
 *
 * Per BMC we keep only what can differ between BMCs: the SEL ring, sensor
 * overrides and event states, reservations and counters (a few KB).  The
 * profile (sim_profile.c) holds everything shared.
 *
 * Command numbers and field layouts follow IPMI 2.0 rev 1.1; each handler
 * names its section.
 */
#include "sim_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Completion codes (IPMI 2.0 Table 5-2) */
enum {
    CC_OK = 0x00,
    CC_INVALID_CMD = 0xC1,
    CC_RES_CANCELLED = 0xC5,
    CC_REQ_LEN = 0xC7,
    CC_OUT_OF_RANGE = 0xC9,
    CC_CANT_RETURN = 0xCA,
    CC_NOT_PRESENT = 0xCB,
    CC_INVALID_FIELD = 0xCC,
    CC_ILLEGAL_FOR_SENSOR = 0xCD,
};

#define SS_OVERRIDE 0x01

/* Per sensor number: 4 bytes. */
struct sim_sens_state {
    uint16_t bits; /* threshold: asserted comparisons (enum sim_thr); discrete: states */
    uint8_t raw;   /* the pinned reading when SS_OVERRIDE */
    uint8_t flags;
};

struct sim_state {
    uint64_t seed;
    uint64_t last_tick;
    int64_t sel_clock; /* SEL time = now_s + sel_clock */
    struct sim_content_counters counters;
    uint32_t bmc_index;
    uint32_t sel_last_add, sel_last_erase;
    uint16_t nsensors;
    uint16_t sel_cap, sel_head, sel_count;
    uint16_t sel_next_id; /* 0001h..FFFEh, wrapping */
    uint16_t sel_res, sdr_res;
    uint8_t sel_overflow;
    uint8_t ticked;
    /* chassis (IPMI 2.0 section 28): zero is "powered on, identify off" */
    uint8_t power_off;
    uint8_t identify;            /* 0 off, 1 timed (until identify_until), 2 forced on */
    uint64_t identify_until;     /* simulator seconds */
    uint8_t boot_in_progress;    /* boot option parameter 0 bits 1:0 */
    uint8_t boot_flags[5];       /* boot option parameter 5 (Table 28-14) */
    uint8_t boot_ack[2];         /* parameter 4, boot info acknowledge */
    struct sim_sens_state *sens; /* nsensors, after the struct */
    uint8_t (*sel)[16];          /* sel_cap records, after sens */
};

/* ---- small helpers ------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finalizer: a cheap, well-spread hash */
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static void put16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *b)
{
    return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t sel_now(const struct sim_state *s, uint64_t now_s)
{
    return (uint32_t)((int64_t)now_s + s->sel_clock);
}

static uint16_t next_reservation(uint16_t r)
{
    return (uint16_t)(r == 0xFFFF ? 1 : r + 1); /* 0000h means "none" */
}

/* An event sink: events go to the caller's array while there is room. */
struct sink {
    struct sim_event *ev;
    size_t max, n;
};

/* ---- SEL ring (IPMI 2.0 section 31) -------------------------------------- */

/* Position in the ring of record `id`, or -1. */
static int sel_find(const struct sim_state *s, uint16_t id)
{
    if (!s->sel_count || id == 0 || id == 0xFFFF)
        return -1;
    uint16_t first = get16(s->sel[s->sel_head]);
    /* ids are consecutive in the ring, in the space 0001h..FFFEh */
    unsigned delta = ((unsigned)id - first + 0xFFFEu) % 0xFFFEu;
    if (delta >= s->sel_count)
        return -1;
    int pos = (int)((s->sel_head + delta) % s->sel_cap);
    return get16(s->sel[pos]) == id ? pos : -1;
}

/* Append a record; sets its ID (and timestamp when `stamp`).  A full ring
 * drops its oldest record and raises the overflow flag. */
static uint16_t sel_add(struct sim_state *s, uint64_t now_s, uint8_t rec[16], bool stamp,
                        struct sink *out)
{
    uint32_t t = sel_now(s, now_s);
    uint16_t id = s->sel_next_id;
    s->sel_next_id = (uint16_t)(id >= 0xFFFE ? 1 : id + 1);
    put16(rec, id);
    if (stamp)
        put32(rec + 3, t);
    if (s->sel_count == s->sel_cap) {
        s->sel_head = (uint16_t)((s->sel_head + 1) % s->sel_cap);
        s->sel_count--;
        s->sel_overflow = 1;
    }
    memcpy(s->sel[(s->sel_head + s->sel_count) % s->sel_cap], rec, 16);
    s->sel_count++;
    s->sel_last_add = t;
    if (out && out->ev && out->n < out->max) {
        out->ev[out->n].record_id = id;
        memcpy(out->ev[out->n].record, rec, 16);
        out->n++;
    }
    return id;
}

/* A system event record (type 02h) from the BMC itself (Table 32-1). */
static uint16_t sel_event(struct sim_state *s, uint64_t now_s, uint8_t type, uint8_t number,
                          uint8_t dir_type, uint8_t d1, uint8_t d2, uint8_t d3, struct sink *out)
{
    uint8_t r[16] = {0};
    r[2] = 0x02;
    r[7] = 0x20; /* generator: IPMB slave address 20h */
    r[8] = 0x00; /* channel 0, LUN 0 */
    r[9] = 0x04; /* EvM revision for IPMI 1.5 and later */
    r[10] = type;
    r[11] = number;
    r[12] = dir_type;
    r[13] = d1;
    r[14] = d2;
    r[15] = d3;
    return sel_add(s, now_s, r, true, out);
}

/* ---- sensors ------------------------------------------------------------- */

static uint8_t raw_from_signed(const struct sim_sensor *se, int v)
{
    int lo = se->fmt == 0 ? 0 : (se->fmt == 1 ? -127 : -128);
    int hi = se->fmt == 0 ? 255 : 127;
    v = v < lo ? lo : (v > hi ? hi : v);
    if (se->fmt == 1 && v < 0)
        return (uint8_t) ~(uint8_t)(-v);
    return (uint8_t)v;
}

/* The drift: a triangle wave of amplitude `drift` raw counts around the
 * nominal reading, with a period (60..600 s unless the profile fixes one)
 * and phase taken from a hash of (seed, BMC, sensor).  Pure function of its
 * inputs, so two runs with one seed read the same bytes. */
static uint8_t sensor_raw(const struct sim_state *s, const struct sim_sensor *se, size_t i,
                          uint64_t now_s)
{
    if (s->sens[i].flags & SS_OVERRIDE)
        return s->sens[i].raw;
    if (!se->drift)
        return se->nominal;
    uint64_t h = mix64(s->seed ^ mix64((uint64_t)s->bmc_index << 8 | se->number));
    uint64_t period = se->period ? se->period : 60 + h % 541;
    uint64_t t = (now_s + (h >> 32) % period) % period;
    uint64_t v = 2 * t <= period ? t : period - t; /* 0 .. period/2 */
    int dev = (int)((4 * (uint64_t)se->drift * v + period / 2) / period) - se->drift;
    return raw_from_signed(se, sim_raw_signed(se, se->nominal) + dev);
}

/* Compare a threshold sensor's reading with its thresholds, with hysteresis
 * on the way back (IPMI 2.0 section 36.4), and log an event for each
 * threshold crossed: "going low" for lower thresholds, "going high" for
 * upper ones, asserted on the way out and deasserted on the way back. */
static const uint8_t thr_event_offset[SIM_NTHR] = {
    [SIM_LNC] = 0x00, [SIM_LC] = 0x02, [SIM_LNR] = 0x04,
    [SIM_UNC] = 0x07, [SIM_UC] = 0x09, [SIM_UNR] = 0x0B,
};

static void eval_threshold(struct sim_state *s, const struct sim_profile *p, size_t i,
                           uint64_t now_s, struct sink *out)
{
    const struct sim_sensor *se = &p->sensors[i];
    struct sim_sens_state *ss = &s->sens[i];
    if (se->unavailable) /* no reading, no comparison */
        return;
    uint8_t raw = sensor_raw(s, se, i, now_s);
    int v = sim_raw_signed(se, raw);
    uint16_t old = ss->bits, now = old;

    for (int k = 0; k < SIM_NTHR; k++) {
        uint16_t bit = (uint16_t)(1u << k);
        if (!(se->thr_mask & bit))
            continue;
        int t = sim_raw_signed(se, se->thr[k]);
        if (k <= SIM_LNR) {
            if (!(old & bit) && v <= t)
                now |= bit;
            else if ((old & bit) && v > t + se->hyst_pos)
                now &= (uint16_t)~bit;
        } else {
            if (!(old & bit) && v >= t)
                now |= bit;
            else if ((old & bit) && v < t - se->hyst_neg)
                now &= (uint16_t)~bit;
        }
    }
    if (now == old)
        return;
    ss->bits = now;
    for (int k = 0; k < SIM_NTHR; k++) {
        if ((now & ~old) & (1u << k))
            sel_event(s, now_s, se->type, se->number, 0x01, (uint8_t)(0x50 | thr_event_offset[k]),
                      raw, se->thr[k], out);
    }
    for (int k = SIM_NTHR - 1; k >= 0; k--) {
        if ((old & ~now) & (1u << k))
            sel_event(s, now_s, se->type, se->number, 0x81, (uint8_t)(0x50 | thr_event_offset[k]),
                      raw, se->thr[k], out);
    }
}

/* Set a discrete sensor's states, logging an assertion or deassertion for
 * each offset that changed (event data 2 and 3 unspecified: FFh). */
static void set_states(struct sim_state *s, const struct sim_profile *p, size_t i, uint16_t states,
                       uint64_t now_s, struct sink *out)
{
    const struct sim_sensor *se = &p->sensors[i];
    uint16_t old = s->sens[i].bits;
    s->sens[i].bits = states;
    for (int k = 0; k < 15; k++) {
        uint16_t bit = (uint16_t)(1u << k);
        if (!((old ^ states) & bit))
            continue;
        uint8_t dir = (states & bit) ? 0x00 : 0x80;
        sel_event(s, now_s, se->type, se->number, (uint8_t)(dir | se->evtype), (uint8_t)k, 0xFF,
                  0xFF, out);
    }
}

static int sensor_lookup(const struct sim_profile *p, uint8_t number)
{
    return p->by_number[number];
}

/* ---- state --------------------------------------------------------------- */

/* sel_history=N: older threshold excursions, assertion and deassertion in
 * turn, one a minute, spread over the threshold sensors that have an upper
 * non-critical threshold (a full SEL for memory benchmarks), ending two
 * hours before simulator time 0, before the prefill's records. */
static void history_sel(struct sim_state *s, const struct sim_profile *p)
{
    int64_t clock = s->sel_clock;
    unsigned nthr = 0;
    for (unsigned i = 0; i < p->nsensors; i++)
        if (p->sensors[i].kind == SIM_THRESHOLD && (p->sensors[i].thr_mask & (1u << SIM_UNC)))
            nthr++;
    for (unsigned h = 0; nthr && h < p->sel_history; h++) {
        unsigned want = (h / 2) % nthr;
        const struct sim_sensor *se = NULL;
        for (unsigned i = 0, j = 0; i < p->nsensors && !se; i++)
            if (p->sensors[i].kind == SIM_THRESHOLD && (p->sensors[i].thr_mask & (1u << SIM_UNC)) &&
                j++ == want)
                se = &p->sensors[i];
        uint8_t over = raw_from_signed(se, sim_raw_signed(se, se->thr[SIM_UNC]) + 1);
        bool deassert = h & 1;
        s->sel_clock = clock - 7200 - 60 * (int64_t)(p->sel_history - h);
        sel_event(s, 0, se->type, se->number, deassert ? 0x81 : 0x01, 0x50 | 0x07,
                  deassert ? se->nominal : over, se->thr[SIM_UNC], NULL);
    }
    s->sel_clock = clock;
}

static void prefill_sel(struct sim_state *s, const struct sim_profile *p)
{
    /* History from before the simulator started: a threshold excursion that
     * came back, a power supply inserted, and an OEM record.  Timestamps sit
     * an hour or two before simulator time 0. */
    const struct sim_sensor *thr = NULL, *psu = NULL;
    for (unsigned i = 0; i < p->nsensors; i++) {
        const struct sim_sensor *se = &p->sensors[i];
        if (!thr && se->kind == SIM_THRESHOLD && (se->thr_mask & (1u << SIM_UNC)))
            thr = se;
        if (!psu && se->kind == SIM_DISCRETE && se->type == 0x08 && se->evtype == 0x6F &&
            (se->mask & 1))
            psu = se;
    }
    int64_t clock = s->sel_clock;
    if (thr) {
        uint8_t over = raw_from_signed(thr, sim_raw_signed(thr, thr->thr[SIM_UNC]) + 1);
        s->sel_clock = clock - 7200;
        sel_event(s, 0, thr->type, thr->number, 0x01, 0x50 | 0x07, over, thr->thr[SIM_UNC], NULL);
        s->sel_clock = clock - 6900;
        sel_event(s, 0, thr->type, thr->number, 0x81, 0x50 | 0x07, thr->nominal, thr->thr[SIM_UNC],
                  NULL);
    }
    if (psu) {
        s->sel_clock = clock - 5400;
        sel_event(s, 0, psu->type, psu->number, 0x6F, 0x00, 0xFF, 0xFF, NULL);
    }
    /* timestamped OEM record (type C0h): manufacturer ID, then 6 OEM bytes */
    uint8_t r[16] = {0};
    r[2] = 0xC0;
    r[7] = (uint8_t)p->manufacturer_id;
    r[8] = (uint8_t)(p->manufacturer_id >> 8);
    r[9] = (uint8_t)(p->manufacturer_id >> 16);
    memcpy(r + 10, "\x53\x49\x4d\x00\x01\x02", 6); /* "SIM", 0, 1, 2 */
    s->sel_clock = clock - 3600;
    sel_add(s, 0, r, true, NULL);
    s->sel_clock = clock;
}

struct sim_state *sim_state_new(const struct sim_profile *p, uint32_t bmc_index, uint64_t seed)
{
    if (!p)
        return NULL;
    size_t sens_off = (sizeof(struct sim_state) + 7) & ~(size_t)7;
    size_t sel_off = sens_off + p->nsensors * sizeof(struct sim_sens_state);
    size_t total = sel_off + (size_t)p->sel_capacity * 16;
    uint8_t *mem = calloc(1, total);
    if (!mem)
        return NULL;
    struct sim_state *s = (struct sim_state *)(void *)mem;
    s->sens = (struct sim_sens_state *)(void *)(mem + sens_off);
    s->sel = (uint8_t(*)[16])(void *)(mem + sel_off);
    s->seed = seed;
    s->bmc_index = bmc_index;
    s->nsensors = p->nsensors;
    s->sel_cap = p->sel_capacity;
    s->sel_next_id = 1;
    s->sel_clock = p->sel_epoch;
    s->sel_last_erase = p->sel_epoch - 86400u;
    for (unsigned i = 0; i < p->nsensors; i++)
        if (p->sensors[i].kind == SIM_DISCRETE)
            s->sens[i].bits = p->sensors[i].states;
    history_sel(s, p);
    if (p->sel_prefill)
        prefill_sel(s, p);
    return s;
}

void sim_state_free(struct sim_state *s)
{
    free(s);
}

size_t sim_state_bytes(const struct sim_state *s)
{
    if (!s)
        return 0;
    size_t sens_off = (sizeof(struct sim_state) + 7) & ~(size_t)7;
    return sens_off + s->nsensors * sizeof(struct sim_sens_state) + (size_t)s->sel_cap * 16;
}

void sim_content_counters(const struct sim_state *s, struct sim_content_counters *out)
{
    if (s && out)
        *out = s->counters;
}

void sim_guid(const struct sim_state *s, uint8_t guid[16])
{
    uint64_t a = mix64(s->seed ^ 0x475549445F53494DULL ^ mix64(s->bmc_index));
    uint64_t b = mix64(a ^ s->bmc_index);
    for (int i = 0; i < 8; i++) {
        guid[i] = (uint8_t)(a >> (8 * i));
        guid[8 + i] = (uint8_t)(b >> (8 * i));
    }
    /* RFC 4122 version 4 and variant bits where IPMI keeps them: the GUID
     * is stored least significant byte first (IPMI 2.0 section 20.8), so
     * time_hi_and_version is bytes 8-9 and clock_seq bytes 6-7. */
    guid[9] = (uint8_t)((guid[9] & 0x0F) | 0x40);
    guid[7] = (uint8_t)((guid[7] & 0x3F) | 0x80);
}

void sim_set_sel_time(struct sim_state *s, uint64_t now_s, uint32_t unix_time)
{
    s->sel_clock = (int64_t)unix_time - (int64_t)now_s;
}

size_t sim_sel_count(const struct sim_state *s)
{
    return s ? s->sel_count : 0;
}

/* ---- request handlers ---------------------------------------------------- */

struct req {
    struct sim_state *s;
    const struct sim_profile *p;
    uint64_t now;
    const uint8_t *d;
    size_t len;
    struct sink out;
};

#define OUT_MAX 256

/* Each handler writes its response into o (o[0] the completion code, 00h on
 * entry) and returns the response length including o[0]. */
typedef size_t (*handler_fn)(struct req *q, uint8_t *o);

static size_t fail(uint8_t *o, uint8_t cc)
{
    o[0] = cc;
    return 1;
}

/* Get Device ID (IPMI 2.0 section 20.1) */
static size_t h_get_device_id(struct req *q, uint8_t *o)
{
    const struct sim_profile *p = q->p;
    o[1] = p->device_id;
    o[2] = (uint8_t)(0x80 | (p->device_rev & 0x0F)); /* provides device SDRs */
    o[3] = (uint8_t)(p->fw_major & 0x7F);            /* bit 7 clear: device available */
    o[4] = p->fw_minor;
    o[5] = 0x02; /* IPMI 2.0 */
    /* chassis, IPMB event generator and receiver, FRU, SEL, SDR repository, sensor */
    o[6] = 0xBF;
    o[7] = (uint8_t)p->manufacturer_id;
    o[8] = (uint8_t)(p->manufacturer_id >> 8);
    o[9] = (uint8_t)((p->manufacturer_id >> 16) & 0x0F);
    put16(o + 10, p->product_id);
    memcpy(o + 12, p->aux, 4);
    return 16;
}

/* Get Self Test Results (20.4): 55h, no error */
static size_t h_self_test(struct req *q, uint8_t *o)
{
    (void)q;
    o[1] = 0x55;
    o[2] = 0x00;
    return 3;
}

/* Get ACPI Power State (20.7): S0/G0, D0 */
static size_t h_acpi_state(struct req *q, uint8_t *o)
{
    (void)q;
    o[1] = 0x00;
    o[2] = 0x00;
    return 3;
}

/* Get Device GUID (20.8) and Get System GUID (22.14) */
static size_t h_guid(struct req *q, uint8_t *o)
{
    sim_guid(q->s, o + 1);
    return 17;
}

/* Get Channel Info (22.24): channel 0 the primary IPMB, channel 1 (and
 * 0Eh, "this channel") the LAN the request came in on. */
static size_t h_channel_info(struct req *q, uint8_t *o)
{
    uint8_t ch = q->d[0] & 0x0F;
    if (ch == 0x0E)
        ch = 0x01;
    if (ch > 1)
        return fail(o, CC_INVALID_FIELD);
    o[1] = ch;
    o[2] = ch ? 0x04 : 0x01; /* medium: 802.3 LAN or IPMB (Table 6-3) */
    o[3] = 0x01;             /* protocol: IPMB-1.0 (Table 6-2) */
    o[4] = ch ? 0x81 : 0x00; /* LAN: multi-session, one active (the asker's) */
    o[5] = 0xF2;             /* IPMI's own IANA number, 7154 */
    o[6] = 0x1B;
    o[7] = 0x00;
    o[8] = 0x00;
    o[9] = 0x00;
    return 10;
}

/* Get BMC Global Enables (22.2): SEL logging and the event message buffer on */
static size_t h_global_enables(struct req *q, uint8_t *o)
{
    (void)q;
    o[1] = 0x0C;
    return 2;
}

/* Get Chassis Status (28.2) */
/* The identify state as Get Chassis Status bits 5:4 give it. */
static uint8_t identify_bits(struct sim_state *s, uint64_t now)
{
    if (s->identify == 1 && now >= s->identify_until)
        s->identify = 0; /* the interval ran out */
    return s->identify == 2 ? 0x2 : s->identify == 1 ? 0x1 : 0x0;
}

static size_t h_chassis_status(struct req *q, uint8_t *o)
{
    const struct sim_profile *p = q->p;
    /* power state; restore policy "always power up" */
    o[1] = (uint8_t)((q->s->power_off ? 0x00 : 0x01) | 0x40);
    o[2] = 0x00; /* last power event: none */
    /* bit 6: identify state reported, bits 5:4 the state */
    o[3] = (uint8_t)(0x40 | identify_bits(q->s, q->now) << 4);
    /* chassis intrusion active mirrors a physical security sensor's
     * "general chassis intrusion" state (Table 42-3, sensor type 05h) */
    for (unsigned i = 0; i < p->nsensors; i++) {
        const struct sim_sensor *se = &p->sensors[i];
        if (se->type == 0x05 && se->evtype == 0x6F && (q->s->sens[i].bits & 1))
            o[3] |= 0x01;
    }
    o[4] = 0x00; /* front panel: no button controls */
    return 5;
}

/* A (simulated) boot: "next boot only" boot flags are used up (28.12, Table
 * 28-14: the BMC clears the valid bit once the BIOS has read them). */
static void simulated_boot(struct sim_state *s)
{
    if (!(s->boot_flags[0] & 0x40))
        s->boot_flags[0] &= (uint8_t)~0x80;
}

/* Chassis Control (28.3) */
static size_t h_chassis_control(struct req *q, uint8_t *o)
{
    struct sim_state *s = q->s;
    s->counters.chassis_control++;
    switch (q->d[0] & 0x0f) {
    case 0x00: /* power down */
    case 0x05: /* soft shutdown: the OS obliges at once */
        s->power_off = 1;
        break;
    case 0x01: /* power up */
        if (s->power_off)
            simulated_boot(s);
        s->power_off = 0;
        break;
    case 0x02: /* power cycle */
    case 0x03: /* hard reset */
        s->power_off = 0;
        simulated_boot(s);
        break;
    case 0x04: /* diagnostic interrupt: nothing to show */
        break;
    default:
        return fail(o, CC_INVALID_FIELD);
    }
    return 1;
}

/* Chassis Identify (28.5): no data = the default 15 s; interval 0 = off;
 * byte 2 bit 0 = on until turned off. */
static size_t h_chassis_identify(struct req *q, uint8_t *o)
{
    (void)o;
    struct sim_state *s = q->s;
    s->counters.identify++;
    if (q->len >= 2 && (q->d[1] & 0x01)) {
        s->identify = 2;
        return 1;
    }
    unsigned interval = q->len >= 1 ? q->d[0] : 15;
    if (interval == 0) {
        s->identify = 0;
    } else {
        s->identify = 1;
        s->identify_until = q->now + interval;
    }
    return 1;
}

/* Set System Boot Options (28.12); parameters 0, 4 and 5 (Table 28-14). */
static size_t h_set_boot_options(struct req *q, uint8_t *o)
{
    struct sim_state *s = q->s;
    uint8_t param = q->d[0] & 0x7f;
    const uint8_t *d = q->d + 1;
    size_t n = q->len - 1;
    s->counters.set_boot_options++;
    switch (param) {
    case 0:
        if (n != 1)
            return fail(o, CC_REQ_LEN);
        switch (d[0] & 0x03) {
        case 0: /* set complete */
            s->boot_in_progress = 0;
            break;
        case 1: /* set in progress: one holder at a time */
            if (s->boot_in_progress == 1)
                return fail(o, 0x81);
            s->boot_in_progress = 1;
            break;
        case 2: /* commit write: nothing is staged here */
            break;
        default:
            return fail(o, CC_INVALID_FIELD);
        }
        return 1;
    case 4:
        if (n != 2)
            return fail(o, CC_REQ_LEN);
        s->boot_ack[0] = d[0];
        s->boot_ack[1] = d[1];
        return 1;
    case 5:
        if (n != 5)
            return fail(o, CC_REQ_LEN);
        memcpy(s->boot_flags, d, 5);
        s->counters.boot_flags_writes++;
        return 1;
    default:
        return fail(o, 0x80); /* parameter not supported */
    }
}

/* Get System Boot Options (28.13) */
static size_t h_get_boot_options(struct req *q, uint8_t *o)
{
    struct sim_state *s = q->s;
    uint8_t param = q->d[0] & 0x7f;
    o[1] = 0x01; /* parameter version */
    o[2] = param;
    switch (param) {
    case 0:
        o[3] = s->boot_in_progress;
        return 4;
    case 4:
        o[3] = s->boot_ack[0];
        o[4] = s->boot_ack[1];
        return 5;
    case 5:
        memcpy(o + 3, s->boot_flags, 5);
        return 8;
    default:
        return fail(o, 0x80);
    }
}

/* PET Acknowledge (30.8): the network side records the ack itself. */
static size_t h_pet_ack(struct req *q, uint8_t *o)
{
    (void)q;
    (void)o;
    return 1;
}

/* Get Device SDR Info (35.2) */
static size_t h_device_sdr_info(struct req *q, uint8_t *o)
{
    bool sdr_count = q->len >= 1 && (q->d[0] & 1);
    unsigned n = sdr_count ? q->p->nsdr : q->p->nsensors;
    o[1] = (uint8_t)(n > 255 ? 255 : n);
    o[2] = 0x01; /* static population, sensors on LUN 0 */
    return 3;
}

/* Reserve SDR Repository (33.11) and Reserve Device SDR Repository (35.4):
 * one repository, one reservation. */
static size_t h_reserve_sdr(struct req *q, uint8_t *o)
{
    q->s->sdr_res = next_reservation(q->s->sdr_res);
    put16(o + 1, q->s->sdr_res);
    return 3;
}

/* Get SDR (33.12) and Get Device SDR (35.3): partial reads of at most the
 * profile's sdr_max_read bytes; a read at a non-zero offset needs the
 * current reservation. */
static size_t h_get_sdr(struct req *q, uint8_t *o)
{
    const struct sim_profile *p = q->p;
    uint16_t res = get16(q->d), rid = get16(q->d + 2);
    uint8_t off = q->d[4], cnt = q->d[5];
    unsigned idx;
    if (rid == 0x0000)
        idx = 0;
    else if (rid == 0xFFFF)
        idx = p->nsdr - 1u;
    else
        idx = rid - 1u;
    if (idx >= p->nsdr)
        return fail(o, CC_NOT_PRESENT);
    if (off != 0 && (res == 0 || res != q->s->sdr_res))
        return fail(o, CC_RES_CANCELLED);
    unsigned len = p->sdr_len[idx];
    if (off > len)
        return fail(o, CC_OUT_OF_RANGE);
    unsigned n = cnt == 0xFF ? len - off : cnt;
    if (n > p->sdr_max_read)
        return fail(o, CC_CANT_RETURN);
    if (off + n > len)
        n = len - off;
    put16(o + 1, (uint16_t)(idx + 1 < p->nsdr ? idx + 2 : 0xFFFF));
    memcpy(o + 3, p->sdr[idx] + off, n);
    return 3 + n;
}

/* Get SDR Repository Info (33.9) */
static size_t h_sdr_info(struct req *q, uint8_t *o)
{
    const struct sim_profile *p = q->p;
    o[1] = 0x51;
    put16(o + 2, p->nsdr);
    put16(o + 4, 0x0000); /* no free space: the repository is read-only */
    put32(o + 6, p->sdr_stamp);
    put32(o + 10, p->sdr_stamp - 60);
    o[14] = 0x02; /* Reserve SDR Repository supported; no updates */
    return 15;
}

static int reading_sensor(struct req *q, uint8_t number, const struct sim_sensor **se)
{
    int i = sensor_lookup(q->p, number);
    if (i < 0)
        return -CC_NOT_PRESENT;
    *se = &q->p->sensors[i];
    return i;
}

/* Get Sensor Reading (35.14) */
static size_t h_get_reading(struct req *q, uint8_t *o)
{
    const struct sim_sensor *se;
    int i = reading_sensor(q, q->d[0], &se);
    if (i < 0)
        return fail(o, (uint8_t)-i);
    if (se->record == 0x03)
        return fail(o, CC_ILLEGAL_FOR_SENSOR);             /* event-only: no reading */
    o[2] = (uint8_t)(0xC0 | (se->unavailable ? 0x20 : 0)); /* events and scanning enabled */
    if (se->kind == SIM_THRESHOLD) {
        eval_threshold(q->s, q->p, (size_t)i, q->now, &q->out);
        o[1] = se->unavailable ? 0 : sensor_raw(q->s, se, (size_t)i, q->now);
        o[3] = (uint8_t)(0xC0 | (q->s->sens[i].bits & 0x3F)); /* [7:6] reserved, as 1b */
        o[4] = 0x80;
    } else {
        uint16_t st = se->unavailable ? 0 : q->s->sens[i].bits;
        o[1] = 0x00;
        o[3] = (uint8_t)st;
        o[4] = (uint8_t)(0x80 | (st >> 8)); /* [7] reserved, as 1b */
    }
    return 5;
}

/* Get Sensor Event Status (35.13) */
static size_t h_event_status(struct req *q, uint8_t *o)
{
    const struct sim_sensor *se;
    int i = reading_sensor(q, q->d[0], &se);
    if (i < 0)
        return fail(o, (uint8_t)-i);
    if (se->record == 0x03)
        return fail(o, CC_ILLEGAL_FOR_SENSOR);
    uint16_t a = 0;
    if (se->kind == SIM_THRESHOLD) {
        eval_threshold(q->s, q->p, (size_t)i, q->now, &q->out);
        for (int k = 0; k < SIM_NTHR; k++)
            if (q->s->sens[i].bits & (1u << k))
                a |= (uint16_t)(1u << thr_event_offset[k]);
    } else {
        a = q->s->sens[i].bits;
    }
    o[1] = (uint8_t)(0xC0 | (se->unavailable ? 0x20 : 0));
    put16(o + 2, a);
    put16(o + 4, 0);
    return 6;
}

/* Get Sensor Thresholds (35.9) */
static size_t h_get_thresholds(struct req *q, uint8_t *o)
{
    const struct sim_sensor *se;
    int i = reading_sensor(q, q->d[0], &se);
    if (i < 0)
        return fail(o, (uint8_t)-i);
    if (se->kind != SIM_THRESHOLD)
        return fail(o, CC_ILLEGAL_FOR_SENSOR);
    o[1] = se->thr_mask;
    for (int k = 0; k < SIM_NTHR; k++) /* LNC, LC, LNR, UNC, UC, UNR */
        o[2 + k] = (se->thr_mask & (1u << k)) ? se->thr[k] : 0;
    return 8;
}

/* Get Sensor Hysteresis (35.7) */
static size_t h_get_hysteresis(struct req *q, uint8_t *o)
{
    const struct sim_sensor *se;
    int i = reading_sensor(q, q->d[0], &se);
    if (i < 0)
        return fail(o, (uint8_t)-i);
    if (se->kind != SIM_THRESHOLD)
        return fail(o, CC_ILLEGAL_FOR_SENSOR);
    o[1] = se->hyst_pos;
    o[2] = se->hyst_neg;
    return 3;
}

/* Get Sensor Reading Factors (35.5): linear sensors have one set, the SDR's. */
static size_t h_reading_factors(struct req *q, uint8_t *o)
{
    const struct sim_sensor *se;
    int i = reading_sensor(q, q->d[0], &se);
    if (i < 0)
        return fail(o, (uint8_t)-i);
    if (se->record != 0x01)
        return fail(o, CC_ILLEGAL_FOR_SENSOR);
    o[1] = 0xFF; /* no next reading with other factors */
    memcpy(o + 2, q->p->sdr[se->sdr] + 24, 6);
    return 8;
}

static const struct sim_fru *fru_lookup(const struct sim_profile *p, uint8_t id)
{
    for (unsigned i = 0; i < p->nfru; i++)
        if (p->fru[i].id == id)
            return &p->fru[i];
    return NULL;
}

/* Get FRU Inventory Area Info (34.1) */
static size_t h_fru_info(struct req *q, uint8_t *o)
{
    const struct sim_fru *f = fru_lookup(q->p, q->d[0]);
    if (!f)
        return fail(o, CC_NOT_PRESENT);
    put16(o + 1, f->size);
    o[3] = 0x00; /* accessed by bytes */
    return 4;
}

/* Read FRU Data (34.2): at most fru_max_chunk bytes per request. */
static size_t h_read_fru(struct req *q, uint8_t *o)
{
    const struct sim_fru *f = fru_lookup(q->p, q->d[0]);
    if (!f)
        return fail(o, CC_NOT_PRESENT);
    unsigned off = get16(q->d + 1), cnt = q->d[3];
    if (cnt > q->p->fru_max_chunk)
        return fail(o, CC_CANT_RETURN);
    if (off >= f->size)
        return fail(o, CC_OUT_OF_RANGE);
    if (off + cnt > f->size)
        cnt = f->size - off;
    o[1] = (uint8_t)cnt;
    memcpy(o + 2, f->image + off, cnt);
    return 2 + cnt;
}

/* Get SEL Info (31.2) */
static size_t h_sel_info(struct req *q, uint8_t *o)
{
    struct sim_state *s = q->s;
    o[1] = 0x51;
    put16(o + 2, s->sel_count);
    put16(o + 4, (uint16_t)((s->sel_cap - s->sel_count) * 16u));
    put32(o + 6, s->sel_last_add);
    put32(o + 10, s->sel_last_erase);
    /* overflow; Reserve SEL and Get SEL Allocation Info supported */
    o[14] = (uint8_t)((s->sel_overflow ? 0x80 : 0) | 0x02 | 0x01);
    return 15;
}

/* Get SEL Allocation Info (31.3): 16-byte units, one per record */
static size_t h_sel_alloc(struct req *q, uint8_t *o)
{
    struct sim_state *s = q->s;
    uint16_t free_units = (uint16_t)(s->sel_cap - s->sel_count);
    put16(o + 1, s->sel_cap);
    put16(o + 3, 16);
    put16(o + 5, free_units);
    put16(o + 7, free_units);
    o[9] = 1;
    return 10;
}

/* Reserve SEL (31.4) */
static size_t h_reserve_sel(struct req *q, uint8_t *o)
{
    q->s->sel_res = next_reservation(q->s->sel_res);
    put16(o + 1, q->s->sel_res);
    return 3;
}

/* Get SEL Entry (31.5): 0000h first, FFFFh last; FFh bytes = whole record */
static size_t h_get_sel_entry(struct req *q, uint8_t *o)
{
    struct sim_state *s = q->s;
    uint16_t res = get16(q->d), rid = get16(q->d + 2);
    uint8_t off = q->d[4], cnt = q->d[5];
    if (off != 0 && (res == 0 || res != s->sel_res))
        return fail(o, CC_RES_CANCELLED);
    if (!s->sel_count)
        return fail(o, CC_NOT_PRESENT);
    int pos;
    if (rid == 0x0000)
        pos = s->sel_head;
    else if (rid == 0xFFFF)
        pos = (s->sel_head + s->sel_count - 1) % s->sel_cap;
    else
        pos = sel_find(s, rid);
    if (pos < 0)
        return fail(o, CC_NOT_PRESENT);
    if (off >= 16)
        return fail(o, CC_OUT_OF_RANGE);
    unsigned n = cnt == 0xFF ? 16u - off : cnt;
    if (off + n > 16)
        n = 16u - off;
    int last = (s->sel_head + s->sel_count - 1) % s->sel_cap;
    uint16_t next = pos == last ? 0xFFFF : get16(s->sel[(pos + 1) % s->sel_cap]);
    put16(o + 1, next);
    memcpy(o + 3, s->sel[pos] + off, n);
    return 3 + n;
}

/* Add SEL Entry (31.6): the SEL device sets the ID, and the timestamp of
 * system event and timestamped OEM records. */
static size_t h_add_sel(struct req *q, uint8_t *o)
{
    uint8_t r[16];
    memcpy(r, q->d, 16);
    bool stamp = r[2] == 0x02 || (r[2] >= 0xC0 && r[2] <= 0xDF);
    put16(o + 1, sel_add(q->s, q->now, r, stamp, NULL));
    return 3;
}

/* Clear SEL (31.9): 'C' 'L' 'R', then AAh (erase) or 00h (status).  The
 * erase completes at once; the reservation stays valid for status polls. */
static size_t h_clear_sel(struct req *q, uint8_t *o)
{
    struct sim_state *s = q->s;
    if (get16(q->d) == 0 || get16(q->d) != s->sel_res)
        return fail(o, CC_RES_CANCELLED);
    if (q->d[2] != 'C' || q->d[3] != 'L' || q->d[4] != 'R')
        return fail(o, CC_INVALID_FIELD);
    if (q->d[5] == 0xAA) {
        s->sel_count = 0;
        s->sel_head = 0;
        s->sel_overflow = 0;
        s->sel_last_erase = sel_now(s, q->now);
    } else if (q->d[5] != 0x00) {
        return fail(o, CC_INVALID_FIELD);
    }
    o[1] = 0x01; /* erasure completed */
    return 2;
}

/* Get SEL Time (31.10) */
static size_t h_get_sel_time(struct req *q, uint8_t *o)
{
    put32(o + 1, sel_now(q->s, q->now));
    return 5;
}

/* Set SEL Time (31.11) */
static size_t h_set_sel_time(struct req *q, uint8_t *o)
{
    (void)o;
    uint32_t t = (uint32_t)(q->d[0] | q->d[1] << 8 | q->d[2] << 16 | (uint32_t)q->d[3] << 24);
    sim_set_sel_time(q->s, q->now, t);
    return 1;
}

/* Get POH Counter (28.14): 60 minutes per count; the count grows with
 * simulator time from a per-BMC start, so tests can tell BMCs apart. */
static size_t h_poh(struct req *q, uint8_t *o)
{
    o[1] = 60;
    put32(o + 2, 20000u + q->s->bmc_index * 10u + (uint32_t)(q->now / 3600));
    return 6;
}

/* The LAN setup of BMC n: 10.66.N/16 (N = n + 1), gateway 10.66.0.254,
 * MAC 02:00:5e:10:N, static; even BMCs tag VLAN 100 + n % 10. */
static size_t lan_param(const struct sim_state *s, uint8_t param, uint8_t *d)
{
    uint32_t n = s->bmc_index + 1;
    switch (param) {
    case 0: /* set in progress */
        d[0] = 0x00;
        return 1;
    case 1: /* authentication type support: none of IPMI 1.5's */
        d[0] = 0x00;
        return 1;
    case 2: /* authentication type enables, per privilege level */
        memset(d, 0, 5);
        return 5;
    case 3: /* IP address */
        d[0] = 10, d[1] = 66, d[2] = (uint8_t)(n >> 8), d[3] = (uint8_t)n;
        return 4;
    case 4: /* IP address source: static */
        d[0] = 0x01;
        return 1;
    case 5: /* MAC address */
        d[0] = 0x02, d[1] = 0x00, d[2] = 0x5e, d[3] = 0x10, d[4] = (uint8_t)(n >> 8);
        d[5] = (uint8_t)n;
        return 6;
    case 6: /* subnet mask */
        d[0] = 255, d[1] = 255, d[2] = 0, d[3] = 0;
        return 4;
    case 7: /* IPv4 header: TTL, flags, precedence/TOS */
        d[0] = 0x40, d[1] = 0x40, d[2] = 0x10;
        return 3;
    case 10: /* BMC-generated ARP control */
    case 11: /* gratuitous ARP interval */
        d[0] = 0x00;
        return 1;
    case 12: /* default gateway */
        d[0] = 10, d[1] = 66, d[2] = 0, d[3] = 254;
        return 4;
    case 13: /* default gateway MAC */
        d[0] = 0x02, d[1] = 0x00, d[2] = 0x5e, d[3] = 0x10, d[4] = 0xff, d[5] = 0xfe;
        return 6;
    case 14: /* backup gateway */
        memset(d, 0, 4);
        return 4;
    case 15: /* backup gateway MAC */
        memset(d, 0, 6);
        return 6;
    case 16: /* community string */
        memset(d, 0, 18);
        memcpy(d, "public", 6);
        return 18;
    case 20: { /* 802.1q VLAN ID: bits 11:0, bit 15 enabled */
        uint16_t v = (s->bmc_index % 2 == 0) ? (uint16_t)(0x8000 | (100 + s->bmc_index % 10)) : 0;
        d[0] = (uint8_t)v, d[1] = (uint8_t)(v >> 8);
        return 2;
    }
    case 21: /* VLAN priority */
        d[0] = 0x00;
        return 1;
    case 22: /* cipher suite entry count */
        d[0] = 4;
        return 1;
    case 23: /* cipher suite IDs */
        d[0] = 0x00, d[1] = 17, d[2] = 3, d[3] = 2, d[4] = 1;
        return 5;
    case 24: /* maximum privilege per cipher suite entry: admin (4h) */
        d[0] = 0x00;
        memset(d + 1, 0x44, 8);
        return 9;
    default:
        return 0;
    }
}

/* Get LAN Configuration Parameters (23.2): channel 1 (or Eh) only. */
static size_t h_lan_config(struct req *q, uint8_t *o)
{
    uint8_t ch = q->d[0] & 0x0f;
    if (ch != 0x01 && ch != 0x0e)
        return fail(o, CC_INVALID_FIELD);
    o[1] = 0x11;        /* parameter revision */
    if (q->d[0] & 0x80) /* revision only */
        return 2;
    size_t n = lan_param(q->s, q->d[1], o + 2);
    if (n == 0)
        return fail(o, 0x80); /* parameter not supported */
    return 2 + n;
}

/* DCMI Get Power Reading (DCMI 1.5 section 6.6.1), system power statistics:
 * fixed per BMC so that two readers see the same numbers. */
static size_t h_dcmi_power(struct req *q, uint8_t *o)
{
    uint32_t n = q->s->bmc_index;
    if (q->d[0] != 0xDC)
        return fail(o, CC_INVALID_FIELD);
    if (q->d[1] != 0x01)
        return fail(o, CC_INVALID_FIELD); /* enhanced (rolling average) modes: not offered */
    o[1] = 0xDC;
    put16(o + 2, (uint16_t)(180 + n % 50)); /* current */
    put16(o + 4, 150);                      /* minimum over the period */
    put16(o + 6, (uint16_t)(260 + n % 7));  /* maximum */
    put16(o + 8, (uint16_t)(200 + n % 40)); /* average */
    put32(o + 10, sel_now(q->s, q->now));   /* timestamp */
    put32(o + 14, 3600000);                 /* statistics period: one hour, in ms */
    o[18] = 0x40;                           /* power measurement active */
    return 19;
}

/* DCMI Get DCMI Capability Info (6.1.1), parameter 1: supported capabilities. */
static size_t h_dcmi_caps(struct req *q, uint8_t *o)
{
    if (q->d[0] != 0xDC)
        return fail(o, CC_INVALID_FIELD);
    if (q->d[1] != 0x01)
        return fail(o, CC_INVALID_FIELD);
    o[1] = 0xDC;
    o[2] = 0x01; /* DCMI 1.5 */
    o[3] = 0x05;
    o[4] = 0x02; /* parameter revision */
    o[5] = 0x00; /* reserved */
    o[6] = 0x01; /* platform capabilities: power management */
    o[7] = 0x00; /* manageability access: none beyond in-band */
    return 8;
}

/* ---- dispatch ------------------------------------------------------------ */

struct cmd_def {
    handler_fn fn;
    uint8_t min, max; /* request data length */
};

/* Indexed by command number, one table per network function (Table G-1). */
static const struct cmd_def chassis_cmds[256] = {
    [0x01] = {h_chassis_status, 0, 0},   [0x02] = {h_chassis_control, 1, 1},
    [0x04] = {h_chassis_identify, 0, 2}, [0x08] = {h_set_boot_options, 1, 6},
    [0x09] = {h_get_boot_options, 3, 3}, [0x0F] = {h_poh, 0, 0},
};

static const struct cmd_def transport_cmds[256] = {
    [0x02] = {h_lan_config, 4, 4},
};

static const struct cmd_def dcmi_cmds[256] = {
    [0x01] = {h_dcmi_caps, 2, 2},
    [0x02] = {h_dcmi_power, 4, 4},
};

static const struct cmd_def se_cmds[256] = {
    [0x17] = {h_pet_ack, 12, 12},       [0x20] = {h_device_sdr_info, 0, 1},
    [0x21] = {h_get_sdr, 6, 6},         [0x22] = {h_reserve_sdr, 0, 0},
    [0x23] = {h_reading_factors, 2, 2}, [0x25] = {h_get_hysteresis, 2, 2},
    [0x27] = {h_get_thresholds, 1, 1},  [0x2B] = {h_event_status, 1, 1},
    [0x2D] = {h_get_reading, 1, 1},
};

static const struct cmd_def app_cmds[256] = {
    [0x01] = {h_get_device_id, 0, 0},  [0x04] = {h_self_test, 0, 0},
    [0x07] = {h_acpi_state, 0, 0},     [0x08] = {h_guid, 0, 0},
    [0x2F] = {h_global_enables, 0, 0}, [0x37] = {h_guid, 0, 0},
    [0x42] = {h_channel_info, 1, 1},
};

static const struct cmd_def storage_cmds[256] = {
    [0x10] = {h_fru_info, 1, 1},      [0x11] = {h_read_fru, 4, 4},
    [0x20] = {h_sdr_info, 0, 0},      [0x22] = {h_reserve_sdr, 0, 0},
    [0x23] = {h_get_sdr, 6, 6},       [0x40] = {h_sel_info, 0, 0},
    [0x41] = {h_sel_alloc, 0, 0},     [0x42] = {h_reserve_sel, 0, 0},
    [0x43] = {h_get_sel_entry, 6, 6}, [0x44] = {h_add_sel, 16, 16},
    [0x47] = {h_clear_sel, 6, 6},     [0x48] = {h_get_sel_time, 0, 0},
    [0x49] = {h_set_sel_time, 4, 4},
};

static void count_request(struct sim_state *s, uint8_t netfn, uint8_t cmd)
{
    struct sim_content_counters *c = &s->counters;
    if ((netfn == 0x0A && cmd == 0x23) || (netfn == 0x04 && cmd == 0x21))
        c->get_sdr++;
    else if (netfn == 0x04 && cmd == 0x2D)
        c->get_sensor_reading++;
    else if (netfn == 0x0A && cmd == 0x11)
        c->read_fru++;
    else if (netfn == 0x0A && cmd == 0x43)
        c->get_sel_entry++;
    else
        c->other++;
}

static const struct cmd_def *cmd_table(uint8_t netfn)
{
    switch (netfn) {
    case 0x00:
        return chassis_cmds;
    case 0x04:
        return se_cmds;
    case 0x06:
        return app_cmds;
    case 0x0A:
        return storage_cmds;
    case 0x0C:
        return transport_cmds;
    case 0x2C:
        return dcmi_cmds;
    default:
        return NULL;
    }
}

size_t sim_handle(struct sim_state *s, const struct sim_profile *p, uint64_t now_s, uint8_t netfn,
                  uint8_t cmd, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
                  struct sim_event *events, size_t max_events, size_t *nevents)
{
    uint8_t o[OUT_MAX];
    size_t n;
    struct req q = {s, p, now_s, req, req ? len : 0, {events, events ? max_events : 0, 0}};

    if (nevents)
        *nevents = 0;
    if (!cap || !rsp)
        return 0;
    if (!s || !p || s->nsensors != p->nsensors)
        return fail(rsp, CC_INVALID_CMD);
    count_request(s, netfn, cmd);
    const struct cmd_def *t = cmd_table(netfn);
    const struct cmd_def *c = t ? &t[cmd] : NULL;
    if (!c || !c->fn) {
        n = fail(o, CC_INVALID_CMD);
    } else if (q.len < c->min || q.len > c->max) {
        n = fail(o, CC_REQ_LEN);
    } else {
        o[0] = CC_OK;
        n = c->fn(&q, o);
    }
    if (nevents)
        *nevents = q.out.n;
    if (n > cap) /* the caller's buffer cannot hold the answer */
        n = fail(o, CC_CANT_RETURN);
    memcpy(rsp, o, n);
    return n;
}

size_t sim_tick(struct sim_state *s, const struct sim_profile *p, uint64_t now_s,
                struct sim_event *events, size_t max_events)
{
    struct sink out = {events, events ? max_events : 0, 0};
    if (s->ticked && now_s == s->last_tick)
        return 0;
    s->ticked = 1;
    s->last_tick = now_s;
    for (unsigned j = 0; j < p->ndynamic; j++)
        eval_threshold(s, p, p->dynamic[j], now_s, &out);
    return out.n;
}

/* "CPU1 Temp", "cpu1 temp", "DIMM2", "DIMM 2", "0x60" or "96". */
static int resolve_sensor(const struct sim_profile *p, const char *key)
{
    char want[64], name[SIM_ID_MAX + 8];
    size_t n = 0;
    for (const char *c = key; *c && n + 1 < sizeof(want); c++)
        if (*c != ' ')
            want[n++] = *c;
    want[n] = '\0';
    for (unsigned i = 0; i < p->nsensors; i++) {
        char flat[sizeof(name)];
        size_t m = 0;
        sim_sensor_name(&p->sensors[i], name, sizeof(name));
        for (const char *c = name; *c; c++)
            if (*c != ' ')
                flat[m++] = *c;
        flat[m] = '\0';
        if (n && !strcasecmp(flat, want))
            return (int)i;
    }
    char *end;
    long v = strtol(key, &end, 0);
    if (end != key && *end == '\0' && v >= 0 && v <= 0xFE)
        return p->by_number[v];
    return -1;
}

int sim_set_sensor(struct sim_state *s, const struct sim_profile *p, const char *name_or_number,
                   double value, uint64_t now_s, struct sim_event *events, size_t max_events,
                   size_t *nevents, char *err, size_t errlen)
{
    struct sink out = {events, events ? max_events : 0, 0};
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (nevents)
        *nevents = 0;
    int i = name_or_number ? resolve_sensor(p, name_or_number) : -1;
    if (i < 0) {
        snprintf(err, errlen, "no sensor '%s'", name_or_number ? name_or_number : "(null)");
        return -1;
    }
    const struct sim_sensor *se = &p->sensors[i];
    if (se->kind == SIM_THRESHOLD) {
        if (isnan(value)) {
            s->sens[i].flags &= (uint8_t)~SS_OVERRIDE;
        } else {
            uint8_t raw;
            if (sim_value_to_raw(se, value, &raw) < 0) {
                snprintf(err, errlen, "%s: %g is outside the sensor's range %g..%g", se->id, value,
                         sim_raw_to_value(se, se->fmt ? 0x80 : 0x00),
                         sim_raw_to_value(se, se->fmt ? 0x7F : 0xFF));
                return -1;
            }
            s->sens[i].raw = raw;
            s->sens[i].flags |= SS_OVERRIDE;
        }
        eval_threshold(s, p, (size_t)i, now_s, &out);
    } else {
        uint16_t st;
        if (isnan(value)) {
            st = se->states;
        } else {
            if (value < 0 || value > 0x7FFF || value != floor(value) ||
                ((uint16_t)value & ~se->mask)) {
                snprintf(err, errlen, "%s: states must be a bit mask within 0x%04x", se->id,
                         se->mask);
                return -1;
            }
            st = (uint16_t)value;
        }
        set_states(s, p, (size_t)i, st, now_s, &out);
    }
    if (nevents)
        *nevents = out.n;
    return 0;
}

int sim_inject_event(struct sim_state *s, const struct sim_profile *p, uint64_t now_s,
                     uint8_t sensor_type, uint8_t sensor_number, uint8_t event_type_dir,
                     const uint8_t data[3], struct sim_event *ev, char *err, size_t errlen)
{
    (void)p;
    if (!s || !data) {
        if (err && errlen)
            snprintf(err, errlen, "no state or event data");
        return -1;
    }
    if ((event_type_dir & 0x7F) == 0) {
        if (err && errlen)
            snprintf(err, errlen, "event type 00h is unspecified (Table 42-1)");
        return -1;
    }
    struct sink out = {ev, ev ? 1 : 0, 0};
    sel_event(s, now_s, sensor_type, sensor_number, event_type_dir, data[0], data[1], data[2],
              &out);
    return 0;
}

void sim_chassis_state(struct sim_state *s, uint64_t now_s, int *power_on, int *identify,
                       uint8_t boot_flags[5])
{
    *power_on = !s->power_off;
    *identify = identify_bits(s, now_s) == 0x2 ? 2 : identify_bits(s, now_s) ? 1 : 0;
    memcpy(boot_flags, s->boot_flags, 5);
}
