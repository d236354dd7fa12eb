/*
 * store.c - the container of BMC snapshots, their references and the
 * lock-free hand-over from poller threads (see store.h).
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "arena.h"
#include "sdr.h"
#include "sdr_share.h"
#include "sel_reader.h"

/* ---- words ------------------------------------------------------------------ */

static const char *const state_words[STORE_ST__COUNT] = {
    [STORE_ST_OK] = "ok",
    [STORE_ST_UNREACHABLE] = "unreachable",
    [STORE_ST_AUTH_FAILED] = "auth_failed",
    [STORE_ST_CIPHER] = "cipher",
    [STORE_ST_PRIVILEGE] = "privilege",
    [STORE_ST_PROTOCOL] = "protocol",
    [STORE_ST_TIMEOUT] = "timeout",
    [STORE_ST_CLOSED] = "closed",
    [STORE_ST_RESOLVE] = "resolve",
    [STORE_ST_INTERNAL] = "internal",
    [STORE_ST_NEW] = "new",
    [STORE_ST_CONNECTING] = "connecting",
    [STORE_ST_DISCOVERING] = "discovering",
    [STORE_ST_POLLING] = "polling",
    [STORE_ST_DEGRADED] = "degraded",
};

const char *store_state_word(enum store_state s)
{
    return (unsigned)s < STORE_ST__COUNT ? state_words[s] : "unknown";
}

enum store_state store_state_from_error(enum bmc_error e)
{
    static const uint8_t map[BMC_E__COUNT] = {
        [BMC_E_NONE] = STORE_ST_OK,
        [BMC_E_UNREACHABLE] = STORE_ST_UNREACHABLE,
        [BMC_E_AUTH_FAILED] = STORE_ST_AUTH_FAILED,
        [BMC_E_CIPHER] = STORE_ST_CIPHER,
        [BMC_E_PRIVILEGE] = STORE_ST_PRIVILEGE,
        [BMC_E_PROTOCOL] = STORE_ST_PROTOCOL,
        [BMC_E_TIMEOUT] = STORE_ST_TIMEOUT,
        [BMC_E_CLOSED] = STORE_ST_CLOSED,
        [BMC_E_RESOLVE] = STORE_ST_RESOLVE,
        [BMC_E_INTERNAL] = STORE_ST_INTERNAL,
    };
    return (unsigned)e < BMC_E__COUNT ? (enum store_state)map[e] : STORE_ST_INTERNAL;
}

static const char *const status_words[STORE_STATUS__COUNT] = {
    [STORE_STATUS_OK] = "ok",
    [STORE_STATUS_WARNING] = "warning",
    [STORE_STATUS_CRITICAL] = "critical",
    [STORE_STATUS_NONRECOVERABLE] = "nonrecoverable",
    [STORE_STATUS_UNAVAILABLE] = "unavailable",
};

const char *store_status_word(enum store_status s)
{
    return (unsigned)s < STORE_STATUS__COUNT ? status_words[s] : "unknown";
}

static const char *const severity_words[STORE_SEV__COUNT] = {
    [STORE_SEV_OK] = "ok",
    [STORE_SEV_WARNING] = "warning",
    [STORE_SEV_CRITICAL] = "critical",
    [STORE_SEV_NONRECOVERABLE] = "nonrecoverable",
    [STORE_SEV_UNKNOWN] = "unknown",
};

const char *store_severity_word(enum store_severity s)
{
    return (unsigned)s < STORE_SEV__COUNT ? severity_words[s] : "unknown";
}

static const char *const thr_keys[STORE_THR__COUNT] = {
    [STORE_THR_LNR] = "lnr", [STORE_THR_LC] = "lc", [STORE_THR_LNC] = "lnc",
    [STORE_THR_UNC] = "unc", [STORE_THR_UC] = "uc", [STORE_THR_UNR] = "unr",
};

const char *store_thr_key(enum store_thr t)
{
    return (unsigned)t < STORE_THR__COUNT ? thr_keys[t] : "unknown";
}

/* ---- references ------------------------------------------------------------------ */

/* The parts are immutable once published except for their counter. */
static void part_ref(const struct store_part *p)
{
    atomic_fetch_add_explicit(&((struct store_part *)p)->refs, 1, memory_order_relaxed);
}

/* True when this was the last reference. */
static bool part_unref(const struct store_part *p)
{
    return atomic_fetch_sub_explicit(&((struct store_part *)p)->refs, 1, memory_order_acq_rel) == 1;
}

#define PART_REF_FNS(type, name)                                                                   \
    const struct type *name##_ref(const struct type *x)                                            \
    {                                                                                              \
        if (x)                                                                                     \
            part_ref(&x->p);                                                                       \
        return x;                                                                                  \
    }                                                                                              \
    void name##_unref(const struct type *x)                                                        \
    {                                                                                              \
        if (x && part_unref(&x->p)) {                                                              \
            sdr_share_unhold(x->p.sdr_hold);                                                       \
            sel_ring_unhold(x->p.ring_hold);                                                       \
            arena_free(x->p.arena); /* the part itself lives in its arena */                       \
        }                                                                                          \
    }
PART_REF_FNS(store_sensors, store_sensors)
PART_REF_FNS(store_frus, store_frus)
PART_REF_FNS(store_sels, store_sels)

const struct store_bmc *store_bmc_ref(const struct store_bmc *b)
{
    if (b)
        atomic_fetch_add_explicit(&((struct store_bmc *)b)->refs, 1, memory_order_relaxed);
    return b;
}

void store_bmc_unref(const struct store_bmc *b)
{
    if (!b ||
        atomic_fetch_sub_explicit(&((struct store_bmc *)b)->refs, 1, memory_order_acq_rel) != 1)
        return;
    store_sensors_unref(b->sensors);
    store_frus_unref(b->fru);
    store_sels_unref(b->sel);
    arena_free(b->arena); /* the snapshot lives in its arena */
}

size_t store_bmc_bytes(const struct store_bmc *b)
{
    if (!b)
        return 0;
    return arena_size(b->arena) + (b->sensors ? arena_size(b->sensors->p.arena) : 0) +
           (b->fru ? arena_size(b->fru->p.arena) : 0) + (b->sel ? arena_size(b->sel->p.arena) : 0);
}

const struct store_bmc *store_bmc_with_control(const struct store_bmc *prev,
                                               const struct store_control *c)
{
    /* one block: the header and its texts (a header per BMC lives on) */
#define SLEN(x) ((x) ? strlen(x) + 1 : 0)
    struct store_arena *ar =
        prev ? arena_new(sizeof(*prev) + 64 + SLEN(prev->name) + SLEN(prev->address) +
                         SLEN(prev->error) + SLEN(prev->sdr.error) + SLEN(c->last_action) +
                         SLEN(c->last_result))
             : NULL;
#undef SLEN
    struct store_bmc *b = ar ? arena_alloc(ar, sizeof(*b)) : NULL;
    if (!b) {
        arena_free(ar);
        return NULL;
    }
    *b = *prev;
    atomic_init(&b->refs, 1);
    b->arena = ar;
    b->name = arena_strdup(ar, prev->name);
    b->address = arena_strdup(ar, prev->address);
    b->error = prev->error ? arena_strdup(ar, prev->error) : NULL;
    b->sdr.error = prev->sdr.error ? arena_strdup(ar, prev->sdr.error) : NULL;
    b->control = *c;
    b->control.last_action = c->last_action ? arena_strdup(ar, c->last_action) : NULL;
    b->control.last_result = c->last_result ? arena_strdup(ar, c->last_result) : NULL;
    if (!b->name || !b->address || (prev->error && !b->error) ||
        (prev->sdr.error && !b->sdr.error) || (c->last_action && !b->control.last_action) ||
        (c->last_result && !b->control.last_result)) {
        arena_free(ar);
        return NULL;
    }
    b->sensors = store_sensors_ref(prev->sensors);
    b->fru = store_frus_ref(prev->fru);
    b->sel = store_sels_ref(prev->sel);
    return b;
}

/* ---- rows ------------------------------------------------------------------------- */

#define LOWER_BOUND(rows, n, index)                                                                \
    do {                                                                                           \
        uint32_t lo = 0, hi = (n);                                                                 \
        while (lo < hi) {                                                                          \
            uint32_t mid = lo + (hi - lo) / 2;                                                     \
            if ((rows)[mid].index < (index))                                                       \
                lo = mid + 1;                                                                      \
            else                                                                                   \
                hi = mid;                                                                          \
        }                                                                                          \
        return lo;                                                                                 \
    } while (0)

uint32_t store_sensor_lower_bound(const struct store_sensors *p, uint32_t index)
{
    if (!p)
        return 0;
    LOWER_BOUND(p->s, p->p.n, index);
}

const struct store_sensor *store_sensor_find(const struct store_sensors *p, uint32_t index)
{
    uint32_t i = store_sensor_lower_bound(p, index);
    return p && i < p->p.n && p->s[i].index == index ? &p->s[i] : NULL;
}

static uint32_t sdr_index(const struct sdr_sensor *s)
{
    return store_sensor_index(s->number, s->owner_addr, s->owner_lun, 0);
}

const struct sdr_sensor *store_sdr_find(const struct store_sensors *p, uint32_t index)
{
    if (!p || !p->sdr)
        return NULL;
#define SDR_AT(i) (&p->sdr[p->sdr_order ? p->sdr_order[i] : (i)])
    uint32_t lo = 0, hi = p->nsdr;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sdr_index(SDR_AT(mid)) < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->nsdr && sdr_index(SDR_AT(lo)) == index ? SDR_AT(lo) : NULL;
#undef SDR_AT
}

uint32_t store_fru_lower_bound(const struct store_frus *p, uint32_t index)
{
    if (!p)
        return 0;
    LOWER_BOUND(p->f, p->p.n, index);
}

const struct store_fru *store_fru_find(const struct store_frus *p, uint32_t index)
{
    uint32_t i = store_fru_lower_bound(p, index);
    return p && i < p->p.n && p->f[i].index == index ? &p->f[i] : NULL;
}

uint32_t store_sel_lower_bound(const struct store_sels *p, uint32_t index)
{
    if (!p)
        return 0;
    LOWER_BOUND(p->e, p->p.n, index);
}

const struct store_sel *store_sel_find(const struct store_sels *p, uint32_t index)
{
    uint32_t i = store_sel_lower_bound(p, index);
    return p && i < p->p.n && p->e[i].index == index ? &p->e[i] : NULL;
}

/* ---- the container ----------------------------------------------------------------- */

/* One publication or removal on its way to the reader thread. */
struct store_msg {
    struct store_msg *next;
    const struct store_bmc *snap; /* NULL: remove `index` */
    uint32_t index;
};

struct store {
    const struct store_bmc **v; /* sorted by index */
    size_t n, cap;
    uint64_t gen;
    uint64_t roster_gen; /* BMCs added or removed, or an address changed */
    int efd;
    _Atomic(struct store_msg *) inbox; /* LIFO of messages, taken whole by store_apply() */
    store_observer_cb observer;
    void *observer_arg;
};

void store_set_observer(struct store *s, store_observer_cb cb, void *arg)
{
    s->observer = cb;
    s->observer_arg = arg;
}

struct store *store_new(void)
{
    struct store *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->efd < 0) {
        free(s);
        return NULL;
    }
    atomic_init(&s->inbox, NULL);
    return s;
}

static void free_msgs(struct store_msg *m)
{
    for (struct store_msg *n; m; m = n) {
        n = m->next;
        store_bmc_unref(m->snap);
        free(m);
    }
}

void store_free(struct store *s)
{
    if (!s)
        return;
    free_msgs(atomic_exchange(&s->inbox, NULL));
    for (size_t i = 0; i < s->n; i++)
        store_bmc_unref(s->v[i]);
    free(s->v);
    close(s->efd);
    free(s);
}

int store_fd(const struct store *s)
{
    return s->efd;
}

static int push(struct store *s, const struct store_bmc *snap, uint32_t index)
{
    struct store_msg *m = malloc(sizeof(*m));
    if (!m) {
        store_bmc_unref(snap);
        return -1;
    }
    m->snap = snap;
    m->index = index;
    /* Treiber push: lock-free for any number of producers; the one consumer
     * takes the whole list with an exchange, so there is no ABA. */
    struct store_msg *head = atomic_load_explicit(&s->inbox, memory_order_relaxed);
    do
        m->next = head;
    while (!atomic_compare_exchange_weak_explicit(&s->inbox, &head, m, memory_order_release,
                                                  memory_order_relaxed));
    /* Only the push onto an empty inbox signals: a non-empty one was signalled
     * by the push that made it non-empty, and the reader's exchange, which
     * comes after its read of the eventfd, takes this message with that one
     * (one write and one wake-up of the reader per batch, not per message). */
    if (head)
        return 0;
    uint64_t one = 1;
    if (write(s->efd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
        /* the counter cannot overflow in practice; the message is queued anyway */
    }
    return 0;
}

int store_publish(struct store *s, const struct store_bmc *snap)
{
    if (!snap)
        return -1;
    return push(s, snap, snap->index);
}

int store_remove(struct store *s, uint32_t index)
{
    return push(s, NULL, index);
}

size_t store_lower_bound(const struct store *s, uint32_t index)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid]->index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void apply_one(struct store *s, struct store_msg *m)
{
    size_t pos = store_lower_bound(s, m->index);
    bool here = pos < s->n && s->v[pos]->index == m->index;
    if (!m->snap) {
        if (here) {
            store_bmc_unref(s->v[pos]);
            memmove(&s->v[pos], &s->v[pos + 1], (s->n - pos - 1) * sizeof(s->v[0]));
            s->n--;
            s->roster_gen++;
        }
        return;
    }
    if (here) {
        const struct store_bmc *old = s->v[pos];
        const char *oa = old->address, *na = m->snap->address;
        if ((oa == NULL) != (na == NULL) || (oa && strcmp(oa, na) != 0))
            s->roster_gen++;
        s->v[pos] = m->snap;
        if (s->observer)
            s->observer(s->observer_arg, old, m->snap);
        store_bmc_unref(old);
    } else {
        if (s->n == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 16;
            const struct store_bmc **v = realloc(s->v, cap * sizeof(*v));
            if (!v) { /* keep the old picture of the fleet; drop the new one */
                store_bmc_unref(m->snap);
                m->snap = NULL;
                return;
            }
            s->v = v;
            s->cap = cap;
        }
        memmove(&s->v[pos + 1], &s->v[pos], (s->n - pos) * sizeof(s->v[0]));
        s->v[pos] = m->snap;
        s->n++;
        s->roster_gen++;
        if (s->observer)
            s->observer(s->observer_arg, NULL, m->snap);
    }
    m->snap = NULL; /* the array holds the reference now */
}

size_t store_apply(struct store *s)
{
    uint64_t cnt;
    if (read(s->efd, &cnt, sizeof(cnt)) < 0) {
        /* EAGAIN: nothing signalled; the list is checked anyway */
    }
    struct store_msg *m = atomic_exchange_explicit(&s->inbox, NULL, memory_order_acquire);
    /* the list is newest first: reverse it to apply in publication order */
    struct store_msg *fifo = NULL;
    while (m) {
        struct store_msg *n = m->next;
        m->next = fifo;
        fifo = m;
        m = n;
    }
    size_t k = 0;
    for (m = fifo; m; m = m->next, k++)
        apply_one(s, m);
    free_msgs(fifo);
    if (k)
        s->gen++;
    return k;
}

size_t store_count(const struct store *s)
{
    return s->n;
}

const struct store_bmc *store_at(const struct store *s, size_t pos)
{
    return pos < s->n ? s->v[pos] : NULL;
}

const struct store_bmc *store_find(const struct store *s, uint32_t index)
{
    size_t pos = store_lower_bound(s, index);
    return pos < s->n && s->v[pos]->index == index ? s->v[pos] : NULL;
}

uint64_t store_generation(const struct store *s)
{
    return s->gen;
}

uint64_t store_roster_generation(const struct store *s)
{
    return s->roster_gen;
}
