/*
 * events.c - notifications from snapshot transitions and PETs (events.h).
 */
#include "events.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "sel.h"
#include "sel_statefile.h"
#include "store.h"

#define DEDUPE_SLOTS 16384 /* recent event keys (power of two) */
#define DEDUPE_PROBE 8
#define REREAD_RING  64 /* content hashes of the newest SEL entries notified, per BMC */
#define NO_STATE     0xFF

enum { SRC_PET = 1, SRC_SEL = 2 };

struct slot {
    uint64_t key, when;
    uint8_t src;
};

struct per_bmc {
    bool sel_base;     /* the baseline SEL part has been seen */
    uint8_t stable;    /* last up/error state notified or taken as first; NO_STATE */
    uint32_t last_seq; /* newest ipmiSelIndex handled */
    bool have_mark;    /* last_seq and the mark_* fields name the newest entry notified */
    uint16_t mark_record_id;
    uint32_t mark_time;
    uint64_t mark_hash;
    uint32_t next_seq; /* above every ipmiSelIndex seen (or restored); 0: none yet */
    uint64_t recent[REREAD_RING];
    unsigned nrecent;
};

struct events {
    struct events_sink sink;
    char state_dir[512];
    uint64_t window_ns;
    struct slot *slots;
    struct per_bmc *bmc; /* by ipmiBmcIndex */
    size_t nbmc;
    struct events_stats st;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

uint64_t events_key(uint32_t bmc_index, uint8_t sensor_number, uint8_t event_type, bool deassertion,
                    const uint8_t data[3])
{
    uint64_t k = mix(mix(0x5eed, bmc_index),
                     ((uint64_t)sensor_number << 32) | ((uint64_t)(event_type & 0x7f) << 24) |
                         ((uint64_t)deassertion << 31) | ((uint64_t)data[0] << 16) |
                         ((uint64_t)data[1] << 8) | data[2]);
    return k ? k : 1;
}

struct events *events_new(const struct events_sink *sink, const struct events_opts *o)
{
    struct events *ev = calloc(1, sizeof(*ev));
    if (!ev)
        return NULL;
    ev->slots = calloc(DEDUPE_SLOTS, sizeof(*ev->slots));
    if (!ev->slots) {
        free(ev);
        return NULL;
    }
    ev->sink = *sink;
    if (o->state_dir)
        snprintf(ev->state_dir, sizeof(ev->state_dir), "%s", o->state_dir);
    ev->window_ns = (uint64_t)(o->window_s ? o->window_s : 300) * EV_NS_PER_SEC;
    return ev;
}

void events_free(struct events *ev)
{
    if (!ev)
        return;
    free(ev->slots);
    free(ev->bmc);
    free(ev);
}

void events_get_stats(const struct events *ev, struct events_stats *out)
{
    *out = ev->st;
}

static struct per_bmc *bmc_of(struct events *ev, uint32_t index)
{
    if (index >= ev->nbmc) {
        size_t want = (size_t)index + 64;
        struct per_bmc *p = realloc(ev->bmc, want * sizeof(*p));
        if (!p)
            return NULL;
        memset(p + ev->nbmc, 0, (want - ev->nbmc) * sizeof(*p));
        for (size_t i = ev->nbmc; i < want; i++)
            p[i].stable = NO_STATE;
        ev->bmc = p;
        ev->nbmc = want;
    }
    return &ev->bmc[index];
}

/* ---- the PET/SEL dedupe table ------------------------------------------------------ */

/* The source that saw `key` within the window (0: none); records `src` otherwise. */
static uint8_t dedupe(struct events *ev, uint64_t key, uint8_t src, uint64_t now)
{
    size_t at = (size_t)(key & (DEDUPE_SLOTS - 1)), victim = at;
    for (size_t i = 0; i < DEDUPE_PROBE; i++) {
        struct slot *s = &ev->slots[(at + i) & (DEDUPE_SLOTS - 1)];
        if (s->key == key && now - s->when < ev->window_ns && s->src != src) {
            s->key = 0; /* matched once: a later identical event is a new one */
            return s->src;
        }
        if (s->when < ev->slots[victim].when)
            victim = (at + i) & (DEDUPE_SLOTS - 1);
    }
    ev->slots[victim] = (struct slot){.key = key, .when = now, .src = src};
    return 0;
}

bool events_pet(struct events *ev, uint64_t key, uint64_t now_ns)
{
    if (dedupe(ev, key, SRC_PET, now_ns) == SRC_SEL) {
        ev->st.pet_dup_sel++;
        return true;
    }
    return false;
}

/* ---- the state file ------------------------------------------------------------------- */

static uint64_t sel_hash(const struct store_sel *e)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < SEL_RECORD_LEN; i++)
        h = (h ^ e->raw[i]) * 0x100000001b3ull;
    return h ? h : 1;
}

static bool load_mark(const struct events *ev, uint32_t index, struct sel_statefile *m)
{
    char err[700];
    int rc = sel_statefile_load(ev->state_dir, index, m, err, sizeof(err));
    if (rc < 0)
        log_warn("%s", err);
    return m->have_mark;
}

/* The state file from the SEL part `p` (NULL or empty: no entries) and what
 * was notified last. */
static void save_state(struct events *ev, const struct store_bmc *b, struct per_bmc *pb,
                       const struct store_sels *p)
{
    if (!ev->state_dir[0])
        return;
    struct sel_statefile f = {.have_mark = pb->have_mark,
                              .mark_seq = pb->last_seq,
                              .mark_record_id = pb->mark_record_id,
                              .mark_time = pb->mark_time,
                              .mark_hash = pb->mark_hash,
                              .next_seq = pb->next_seq};
    uint32_t n = p ? p->p.n : 0;
    f.e = n ? malloc(n * sizeof(*f.e)) : NULL;
    if (f.e) {
        for (uint32_t i = 0; i < n; i++) {
            f.e[i].seq = p->e[i].index;
            memcpy(f.e[i].raw, p->e[i].raw, SEL_RECORD_LEN);
        }
        f.n = n;
    }
    char err[700];
    if (sel_statefile_save(ev->state_dir, b->index, &f, err, sizeof(err)) < 0) {
        if (!ev->st.state_write_errors++)
            log_warn("BMC %s (%s): %s (a restart may notify its SEL entries again and renumber "
                     "ipmiSelIndex; logged once)",
                     b->name, b->address, err);
    }
    free(f.e);
}

/* ---- SEL ------------------------------------------------------------------------------------ */

static int sev_of(uint8_t s)
{
    switch (s) {
    case STORE_SEV_OK:
        return 1;
    case STORE_SEV_WARNING:
        return 2;
    case STORE_SEV_CRITICAL:
        return 3;
    case STORE_SEV_NONRECOVERABLE:
        return 4;
    default:
        return 0;
    }
}

static bool reread(struct per_bmc *pb, uint64_t h)
{
    for (unsigned i = 0; i < pb->nrecent && i < REREAD_RING; i++)
        if (pb->recent[i] == h)
            return true;
    pb->recent[pb->nrecent++ % REREAD_RING] = h;
    return false;
}

static void sel_entry(struct events *ev, const struct store_bmc *b, struct per_bmc *pb,
                      const struct store_sel *e, uint64_t now)
{
    uint64_t h = sel_hash(e);
    const struct store_sel_fields x = store_sel_fields(e);
    if (reread(pb, h)) {
        ev->st.sel_reread++;
        return;
    }
    if (e->kind == STORE_SEL_SYSTEM) {
        uint64_t key =
            events_key(b->index, x.sensor_number, x.event_type, x.deassertion, &e->raw[13]);
        if (dedupe(ev, key, SRC_SEL, now) == SRC_PET) {
            ev->st.sel_dup_pet++;
            return;
        }
    }
    struct store_sel_text t;
    store_sel_texts(b->sel, e, &t);
    struct notify_event n = {
        .source = NOTIFY_SRC_SEL,
        .has_record_id = true,
        .record_id = x.record_id,
        .has_time = e->has_time,
        .utc_time = x.time,
        .severity = sev_of(e->severity),
        .sensor_type = t.sensor_type,
        .sensor_number = x.sensor_number,
        .sensor_name = t.sensor_name,
        .event_type = x.event_type,
        .deassertion = x.deassertion,
        .text = t.event,
        .reading = t.reading,
        .data = e->raw,
        .data_len = SEL_RECORD_LEN,
    };
    ev->st.sel_notified++;
    if (ev->sink.platform)
        ev->sink.platform(ev->sink.arg, b, &n);
}

static void sel_transition(struct events *ev, const struct store_bmc *b, struct per_bmc *pb,
                           bool changed)
{
    const struct store_sels *p = b->sel;
    if (!p || !p->p.n) {
        if (changed && pb->sel_base && p)
            save_state(ev, b, pb, p); /* cleared: keep the mark and next_seq */
        return;
    }
    uint64_t now = ev_monotonic_ns();
    uint32_t from = 0; /* position of the first entry to notify */
    if (!pb->sel_base) {
        pb->sel_base = true;
        struct sel_statefile m;
        from = p->p.n; /* baseline: nothing, unless the state file says where we were */
        if (load_mark(ev, b->index, &m)) {
            for (uint32_t i = p->p.n; i-- > 0;) {
                if (sel_hash(&p->e[i]) == m.mark_hash) {
                    from = i + 1;
                    break;
                }
                if (p->e[i].has_time && store_sel_fields(&p->e[i]).time > m.mark_time)
                    from = i; /* newer than the last one notified */
            }
        }
        if (m.next_seq > pb->next_seq)
            pb->next_seq = m.next_seq;
        sel_statefile_clear(&m);
        ev->st.sel_baseline += from;
        for (uint32_t i = 0; i < from; i++)
            reread(pb, sel_hash(&p->e[i]));
        changed = true;
    } else {
        from = store_sel_lower_bound(p, pb->last_seq + 1);
    }
    for (uint32_t i = from; i < p->p.n; i++)
        sel_entry(ev, b, pb, &p->e[i], now);
    const struct store_sel *last = &p->e[p->p.n - 1];
    if (last->index + 1 > pb->next_seq && last->index != UINT32_MAX)
        pb->next_seq = last->index + 1;
    if (last->index != pb->last_seq || from < p->p.n) {
        pb->last_seq = last->index;
        pb->have_mark = true;
        const struct store_sel_fields lx = store_sel_fields(last);
        pb->mark_record_id = lx.record_id;
        pb->mark_time = lx.time;
        pb->mark_hash = sel_hash(last);
        changed = true;
    }
    if (changed)
        save_state(ev, b, pb, p);
}

/* ---- sensors ---------------------------------------------------------------------------- */

static void sensor_transition(struct events *ev, const struct store_bmc *old,
                              const struct store_bmc *b)
{
    const struct store_sensors *o = old->sensors, *n = b->sensors;
    if (!o || !n || o == n)
        return;
    uint32_t i = 0, j = 0;
    while (i < o->p.n && j < n->p.n) {
        const struct store_sensor *a = &o->s[i], *c = &n->s[j];
        if (a->index < c->index) {
            i++;
        } else if (a->index > c->index) {
            j++;
        } else {
            if (a->status != c->status) {
                ev->st.sensor_changes++;
                if (ev->sink.sensor)
                    ev->sink.sensor(ev->sink.arg, b, a, c);
            }
            i++;
            j++;
        }
    }
}

/* ---- BMC state ------------------------------------------------------------------------------ */

enum { CLS_PASSING = 0, CLS_UP, CLS_ERROR };

static int state_class(uint8_t s)
{
    switch (s) {
    case STORE_ST_OK:
    case STORE_ST_POLLING:
    case STORE_ST_DEGRADED:
        return CLS_UP;
    case STORE_ST_NEW:
    case STORE_ST_CONNECTING:
    case STORE_ST_DISCOVERING:
        return CLS_PASSING;
    default:
        return CLS_ERROR;
    }
}

static void state_transition(struct events *ev, const struct store_bmc *b, struct per_bmc *pb)
{
    int cls = state_class(b->state);
    if (cls == CLS_PASSING)
        return;
    uint8_t was = pb->stable;
    if (was == NO_STATE) {
        pb->stable = b->state;
        if (cls == CLS_UP)
            return;
    } else {
        int wcls = state_class(was);
        if (cls == CLS_UP && wcls == CLS_UP)
            return; /* ok <-> polling <-> degraded: not a state change worth a trap */
        if (cls == CLS_ERROR && was == b->state)
            return;
        pb->stable = b->state;
    }
    ev->st.state_changes++;
    if (ev->sink.bmc_state)
        ev->sink.bmc_state(ev->sink.arg, b, was == NO_STATE ? STORE_ST_NEW : was);
}

void events_observe(void *arg, const struct store_bmc *old, const struct store_bmc *snap)
{
    struct events *ev = arg;
    struct per_bmc *pb = bmc_of(ev, snap->index);
    if (!pb)
        return;
    state_transition(ev, snap, pb);
    if (old)
        sensor_transition(ev, old, snap);
    sel_transition(ev, snap, pb, !old || old->sel != snap->sel);
}
