/*
 * sel_reader.c - incremental SEL reader: Get SEL Info, Reserve SEL and Get
 * SEL Entry (IPMI 2.0 sections 31.2, 31.4, 31.5) on top of bmc_request().
 *
 * Bounds: a pass reads at most the SEL's announced entry count plus a
 * slack for records added meanwhile (SEL_SLACK); C5h re-reserves at most
 * SEL_RESV_RETRIES times and a poll scans at most SEL_SCANS times.  A poll
 * has at most 2 + 2 * SEL_SCANS passes (guess, re-read, then per scan the
 * scan and a full read), so at most 6 * (entries + 64) Get SEL Entry
 * answers, and a 65,535-entry SEL at most ~393,600.
 *
 * CPU per poll step: every record costs a round trip to the BMC, so the
 * poll goes back to the event loop between records and other BMCs are
 * served in between.  Handling one answer costs O(1): a decode, a lookup in
 * the ring's hashed index (expected under 2 probes: the table is at most
 * half full and its hash is seeded at random, so a BMC cannot make its
 * records collide), a bit in the visited-ID bitmap.  The only steps that
 * cost O(ring) are once per scan: compacting the ring and rebuilding its
 * index, and appending the records kept while scanning.  So a poll costs
 * O(records read + ring) CPU, where the linear ring search made a scan
 * O(records * ring): 7.4 s for 65,535 records.
 *
 * A "next record ID" chain that comes back to a record already read in
 * this pass (a visited bitmap over the 16-bit IDs), or in CHAIN/FULL mode to
 * a record the ring holds, ends the poll as failed ("record chain loops at
 * ID xxxxh"): what was new before the loop is kept, nothing is reported
 * twice.
 */
#include "sel_reader.h"

#include <stdatomic.h>

#include "drive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ev.h"
#include "ipmi_msg.h"

#define SEL_SLACK           64 /* records that may be added while a pass runs */
#define SEL_RESV_RETRIES    4  /* re-reservations after C5h per poll */
#define SEL_SCANS           2  /* scans from the first record per poll */
#define SEL_LOG_INTERVAL_NS (60ULL * EV_NS_PER_SEC)
#define SEL_ID_BITMAP       (65536 / 8) /* one bit per 16-bit record ID */

/* ---- state and ring --------------------------------------------------------- */

/*
 * The ring's index: an open-addressing table (linear probing, at most half
 * full) from the 16 bytes of a record to its physical ring slot, so that a
 * scan of N records costs O(N), not O(N * ring).  The hash is keyed with a
 * random seed per state: record contents come from the BMC, and a fixed
 * hash would let one craft a SEL whose records all collide.  Entries hold
 * slot + 1; 0 is empty.  Removal shifts the probe run back (no tombstones).
 */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint32_t rec_hash(const struct sel_state *st, const uint8_t *rec)
{
    uint64_t a, b;
    memcpy(&a, rec, 8);
    memcpy(&b, rec + 8, 8);
    return (uint32_t)mix64(mix64(a ^ st->hseed) ^ b) & st->idx_mask;
}

static void idx_insert(struct sel_state *st, uint32_t s)
{
    uint32_t i = rec_hash(st, st->ring[s]);
    while (st->idx[i])
        i = (i + 1) & st->idx_mask;
    st->idx[i] = (uint16_t)(s + 1);
}

static void idx_remove(struct sel_state *st, uint32_t s)
{
    uint32_t i = rec_hash(st, st->ring[s]);
    while (st->idx[i] != s + 1) {
        if (!st->idx[i])
            return; /* not indexed (cannot happen) */
        i = (i + 1) & st->idx_mask;
    }
    /* close the gap: move back every later entry of the run whose home
     * position does not lie cyclically in (i, j] */
    for (uint32_t j = i;;) {
        j = (j + 1) & st->idx_mask;
        if (!st->idx[j])
            break;
        uint32_t k = rec_hash(st, st->ring[st->idx[j] - 1]);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        st->idx[i] = st->idx[j];
        i = j;
    }
    st->idx[i] = 0;
}

static void idx_clear(struct sel_state *st)
{
    memset(st->idx, 0, ((size_t)st->idx_mask + 1) * sizeof(*st->idx));
}

struct sel_ring_buf {
    atomic_uint refs;
    uint8_t rec[][SEL_RECORD_LEN];
};

static struct sel_ring_buf *ring_buf_new(uint32_t cap)
{
    struct sel_ring_buf *b = calloc(1, sizeof(*b) + (size_t)cap * SEL_RECORD_LEN);
    if (b)
        atomic_init(&b->refs, 1);
    return b;
}

const struct sel_ring_buf *sel_state_ring_hold(struct sel_state *st)
{
    atomic_fetch_add_explicit(&st->ring_buf->refs, 1, memory_order_relaxed);
    return st->ring_buf;
}

void sel_ring_unhold(const struct sel_ring_buf *b)
{
    struct sel_ring_buf *w = (struct sel_ring_buf *)b;
    if (w && atomic_fetch_sub_explicit(&w->refs, 1, memory_order_acq_rel) == 1)
        free(w);
}

/* Before the ring's records are written: copy them if a snapshot holds them.
 * The acquire pairs with the release of the last unhold, so the snapshot's
 * reads are over when the count reads 1.  0, or -1 when memory is short. */
static int ring_own(struct sel_state *st)
{
    if (atomic_load_explicit(&st->ring_buf->refs, memory_order_acquire) == 1)
        return 0;
    struct sel_ring_buf *nb = malloc(sizeof(*nb) + (size_t)st->cap * SEL_RECORD_LEN);
    if (!nb)
        return -1;
    atomic_init(&nb->refs, 1);
    memcpy(nb->rec, st->ring_buf->rec, (size_t)st->cap * SEL_RECORD_LEN);
    sel_ring_unhold(st->ring_buf);
    st->ring_buf = nb;
    st->ring = nb->rec;
    return 0;
}

struct sel_state *sel_state_new(uint32_t capacity)
{
    if (!capacity)
        capacity = SEL_RING_DEFAULT;
    if (capacity > SEL_RING_MAX)
        capacity = SEL_RING_MAX;
    struct sel_state *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    uint32_t isize = 16;
    while (isize < 2 * capacity)
        isize *= 2;
    st->ring_buf = ring_buf_new(capacity);
    st->ring = st->ring_buf ? st->ring_buf->rec : NULL;
    st->seq = calloc(capacity, sizeof(*st->seq));
    st->seen = calloc((capacity + 7) / 8, 1);
    st->idx = calloc(isize, sizeof(*st->idx));
    if (!st->ring || !st->seq || !st->seen || !st->idx) {
        sel_state_free(st);
        return NULL;
    }
    st->cap = capacity;
    st->idx_mask = isize - 1;
    st->next_seq = 1;
    if (getrandom(&st->hseed, sizeof(st->hseed), GRND_NONBLOCK) != (ssize_t)sizeof(st->hseed))
        st->hseed = mix64((uint64_t)(uintptr_t)st ^ ev_monotonic_ns());
    return st;
}

void sel_state_free(struct sel_state *st)
{
    if (!st)
        return;
    sel_ring_unhold(st->ring_buf);
    free(st->seq);
    free(st->seen);
    free(st->idx);
    free(st->pend);
    free(st->visited);
    free(st->restore);
    free(st);
}

static uint32_t slot(const struct sel_state *st, uint32_t i)
{
    return (st->head + i) % st->cap;
}

const uint8_t *sel_state_entry(const struct sel_state *st, size_t i)
{
    if (i >= st->count)
        return NULL;
    return st->ring[slot(st, (uint32_t)i)];
}

uint32_t sel_state_entry_seq(const struct sel_state *st, size_t i)
{
    if (i >= st->count)
        return 0;
    return st->seq[slot(st, (uint32_t)i)];
}

void sel_state_set_next_seq(struct sel_state *st, uint32_t next)
{
    if (next > st->next_seq)
        st->next_seq = next;
}

static int saved_cmp(const void *a, const void *b)
{
    return memcmp(((const struct sel_seq_saved *)a)->raw, ((const struct sel_seq_saved *)b)->raw,
                  SEL_RECORD_LEN);
}

int sel_state_restore_seqs(struct sel_state *st, const struct sel_seq_saved *e, size_t n,
                           uint32_t next)
{
    if (st->synced || st->appended || n > SEL_RING_MAX)
        return -1;
    free(st->restore);
    st->restore = NULL;
    st->nrestore = 0;
    if (n) {
        st->restore = malloc(n * sizeof(*e));
        if (!st->restore)
            return -1;
        memcpy(st->restore, e, n * sizeof(*e));
        qsort(st->restore, n, sizeof(*e), saved_cmp);
    }
    st->nrestore = (uint32_t)n;
    st->restore_next = next ? next : 1;
    sel_state_set_next_seq(st, st->restore_next);
    return 0;
}

/* The end of the first poll after sel_state_restore_seqs(): see sel_reader.h. */
static void restore_apply(struct sel_state *st)
{
    uint32_t prev = 0, fresh = st->restore_next;
    for (uint32_t i = 0; i < st->count; i++) {
        uint32_t s = slot(st, i);
        struct sel_seq_saved key;
        memcpy(key.raw, st->ring[s], SEL_RECORD_LEN);
        const struct sel_seq_saved *hit =
            st->nrestore ? bsearch(&key, st->restore, st->nrestore, sizeof(key), saved_cmp) : NULL;
        uint32_t v;
        if (hit && hit->seq > prev && hit->seq < st->restore_next) {
            v = hit->seq;
        } else {
            v = fresh;
            fresh = fresh == UINT32_MAX ? 1 : fresh + 1;
        }
        st->seq[s] = v;
        prev = v;
    }
    st->next_seq = fresh;
    free(st->restore);
    st->restore = NULL;
    st->nrestore = 0;
    st->restore_next = 0;
}

static void seen_set(struct sel_state *st, uint32_t s)
{
    st->seen[s / 8] = (uint8_t)(st->seen[s / 8] | (1u << (s % 8)));
}

static bool seen_get(const struct sel_state *st, uint32_t s)
{
    return (st->seen[s / 8] >> (s % 8)) & 1u;
}

static void ring_reset(struct sel_state *st)
{
    st->count = 0;
    st->head = 0;
    idx_clear(st);
}

static void ring_append(struct sel_state *st, const uint8_t *rec)
{
    uint32_t s;
    if (st->count < st->cap) {
        s = slot(st, st->count);
        st->count++;
    } else {
        s = st->head; /* evict the oldest */
        idx_remove(st, s);
        st->head = (st->head + 1) % st->cap;
    }
    memcpy(st->ring[s], rec, SEL_RECORD_LEN);
    st->seq[s] = st->next_seq;
    /* 0 means "no entry" to sel_state_entry_seq(): skipped on the (distant) wrap */
    st->next_seq = st->next_seq == UINT32_MAX ? 1 : st->next_seq + 1;
    idx_insert(st, s);
    seen_set(st, s);
    st->appended++;
}

/* Physical slot holding exactly these 16 bytes, or -1.  O(1) expected. */
static int64_t ring_find(struct sel_state *st, const uint8_t *rec)
{
    uint32_t i = rec_hash(st, rec);
    for (;;) {
        st->ctr.index_probes++;
        uint32_t e = st->idx[i];
        if (!e)
            return -1;
        if (!memcmp(st->ring[e - 1], rec, SEL_RECORD_LEN))
            return e - 1;
        i = (i + 1) & st->idx_mask;
    }
}

/* Drop the records a scan did not find in the SEL, keeping the order and
 * the sequence numbers; the index is rebuilt.  O(count + index size). */
static void ring_compact(struct sel_state *st)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < st->count; i++) {
        uint32_t s = slot(st, i);
        if (!seen_get(st, s))
            continue;
        if (w != i) {
            uint32_t d = slot(st, w);
            memcpy(st->ring[d], st->ring[s], SEL_RECORD_LEN);
            st->seq[d] = st->seq[s];
            seen_set(st, d);
        }
        w++;
    }
    st->count = w;
    idx_clear(st);
    for (uint32_t i = 0; i < st->count; i++)
        idx_insert(st, slot(st, i));
}

static uint16_t rec_id(const uint8_t *rec)
{
    return (uint16_t)(rec[0] | (rec[1] << 8));
}

/* ---- the poll state machine ------------------------------------------------- */

static const char *const mode_names[] = {
    [SEL_MODE_FULL] = "full",   [SEL_MODE_GUESS] = "guess", [SEL_MODE_REREAD] = "reread",
    [SEL_MODE_CHAIN] = "chain", [SEL_MODE_SCAN] = "scan",
};

const char *sel_mode_name(uint8_t m)
{
    return m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "unknown";
}

void sel_poll_begin(struct sel_poll *p, struct sel_state *st, bool use_reservation, bool guess)
{
    memset(p, 0, sizeof(*p));
    p->st = st;
    p->phase = SEL_PH_INFO;
    p->use_reservation = use_reservation;
    p->guess = guess;
    p->resv_left = SEL_RESV_RETRIES;
    p->resyncs_left = SEL_SCANS;
    st->ctr.polls++;
}

size_t sel_poll_request(const struct sel_poll *p, uint8_t *cmd, uint8_t data[6])
{
    switch (p->phase) {
    case SEL_PH_INFO:
        *cmd = SEL_CMD_GET_INFO;
        return 0;
    case SEL_PH_RESERVE:
        *cmd = SEL_CMD_RESERVE;
        return 0;
    default:
        *cmd = SEL_CMD_GET_ENTRY;
        return sel_entry_req_encode(data, p->have_resv ? p->resv : 0, p->cur_id);
    }
}

static uint8_t phase_cmd(uint8_t phase)
{
    return phase == SEL_PH_INFO      ? SEL_CMD_GET_INFO
           : phase == SEL_PH_RESERVE ? SEL_CMD_RESERVE
                                     : SEL_CMD_GET_ENTRY;
}

static enum sel_act poll_fail(struct sel_poll *p, uint8_t cc, enum codec_err e)
{
    p->res.status = SEL_POLL_FAILED;
    p->res.cc = cc;
    p->res.codec_err = e;
    p->res.failed_cmd = phase_cmd(p->phase);
    p->res.overflow = p->st->overflow;
    if (p->mode == SEL_MODE_SCAN && p->phase == SEL_PH_ENTRY)
        p->st->need_resync = true;
    p->st->ctr.polls_failed++;
    if (p->st->restore_next && p->st->count)
        restore_apply(p->st); /* else keep it for the next poll */
    p->phase = SEL_PH_DONE;
    return SEL_ACT_DONE;
}

static enum sel_act poll_done(struct sel_poll *p)
{
    struct sel_state *st = p->st;
    st->entries = p->info.entries;
    st->add_ts = p->info.last_add_ts;
    st->erase_ts = p->info.last_erase_ts;
    st->synced = true;
    if (st->restore_next)
        restore_apply(st);
    p->res.status = SEL_POLL_OK;
    p->res.overflow = st->overflow;
    p->phase = SEL_PH_DONE;
    return SEL_ACT_DONE;
}

static void note_clear(struct sel_poll *p)
{
    if (!p->res.cleared) {
        p->res.cleared = true;
        p->st->ctr.clears++;
    }
}

static void set_last(struct sel_state *st, const uint8_t *rec)
{
    st->last_id = rec_id(rec);
    memcpy(st->last_raw, rec, SEL_RECORD_LEN);
    st->have_last = true;
}

/* Keep the newest `cap` records met before the first known one. */
static void pend_push(struct sel_state *st, const uint8_t *rec)
{
    if (!st->pend)
        return; /* no memory for it: the end of the scan reads again */
    uint32_t s;
    if (st->npend < st->cap) {
        s = (st->pend_head + st->npend) % st->cap;
        st->npend++;
    } else {
        s = st->pend_head;
        st->pend_head = (st->pend_head + 1) % st->cap;
    }
    memcpy(st->pend[s], rec, SEL_RECORD_LEN);
}

static void take_new(struct sel_poll *p, const uint8_t *rec)
{
    ring_append(p->st, rec);
    set_last(p->st, rec);
    p->res.new_entries++;
    p->st->ctr.new_entries++;
}

/* Record IDs read in this pass, to see a "next record ID" chain loop at the
 * first record read twice.  Without memory for the bitmap only the
 * reads_left guard stops a loop. */
static void visited_reset(struct sel_state *st)
{
    if (!st->visited)
        st->visited = malloc(SEL_ID_BITMAP);
    if (st->visited)
        memset(st->visited, 0, SEL_ID_BITMAP);
}

static bool visited_get(const struct sel_state *st, uint16_t id)
{
    return st->visited && (st->visited[id / 8] >> (id % 8)) & 1u;
}

static void visited_set(struct sel_state *st, uint16_t id)
{
    if (st->visited)
        st->visited[id / 8] = (uint8_t)(st->visited[id / 8] | (1u << (id % 8)));
}

static void start_pass(struct sel_poll *p, uint8_t mode, uint16_t id)
{
    p->mode = mode;
    p->cur_id = id;
    p->reads_left = (uint32_t)p->info.entries + SEL_SLACK;
    visited_reset(p->st);
}

/* The chain came back to record `id`: stop, keep what was new. */
static enum sel_act loop_fail(struct sel_poll *p, uint16_t id)
{
    p->res.loop = true;
    p->res.loop_id = id;
    p->st->ctr.loops++;
    return poll_fail(p, 0, CODEC_E_FIELD);
}

/* Begin a scan from the first record, matching what we hold. */
static void prep_scan(struct sel_poll *p)
{
    struct sel_state *st = p->st;
    memset(st->seen, 0, (st->cap + 7) / 8);
    if (!st->pend)
        st->pend = calloc(st->cap, SEL_RECORD_LEN);
    st->npend = 0;
    st->pend_head = 0;
    p->scan_match = false;
    p->scan_compacted = false;
    p->scan_reads = 0;
    st->need_resync = true;
    start_pass(p, SEL_MODE_SCAN, SEL_ID_FIRST);
}

/* The SEL lost records we relied on: find out what we still know. */
static enum sel_act start_scan(struct sel_poll *p)
{
    struct sel_state *st = p->st;
    if (!p->resyncs_left)
        return poll_fail(p, IPMI_CC_NOT_PRESENT, CODEC_OK);
    p->resyncs_left--;
    st->ctr.resyncs++;
    if (!st->count) {
        st->have_last = false;
        st->need_resync = false;
        start_pass(p, SEL_MODE_FULL, SEL_ID_FIRST);
        return SEL_ACT_SEND;
    }
    prep_scan(p);
    return SEL_ACT_SEND;
}

enum sel_act sel_poll_on_info(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len)
{
    struct sel_state *st = p->st;
    if (cc)
        return poll_fail(p, cc, CODEC_OK);
    enum codec_err e;
    if (sel_info_decode(d, len, &p->info, &e) < 0)
        return poll_fail(p, 0, e);

    bool ovf = (p->info.op_support & SEL_OP_OVERFLOW) != 0;
    if (ovf && !st->overflow)
        st->ctr.overflows++;
    st->overflow = ovf;

    /* the erase timestamp moves on Clear SEL and on Delete SEL Entry (section 31.2) */
    p->erase_changed = st->synced && p->info.last_erase_ts != st->erase_ts;
    if (p->erase_changed)
        note_clear(p);

    if (p->info.entries == 0) {
        if (st->count || st->have_last)
            note_clear(p);
        ring_reset(st);
        st->have_last = false;
        st->need_resync = false;
        return poll_done(p);
    }
    if (st->synced && st->have_last && !st->need_resync && !p->erase_changed &&
        p->info.last_add_ts == st->add_ts && p->info.entries == st->entries)
        return poll_done(p); /* nothing new: one request */

    if ((st->need_resync || p->erase_changed) && st->count) {
        /* a clear or a delete (the erase timestamp moved), or an
         * interrupted scan: scanning tells which records we still know
         * without re-reading our last one first */
        st->ctr.resyncs++;
        prep_scan(p);
    } else if (!st->have_last) {
        start_pass(p, SEL_MODE_FULL, SEL_ID_FIRST);
    } else if (p->guess && !p->erase_changed && p->info.entries > st->entries &&
               st->last_id < 0xFFFE) {
        st->ctr.guesses++;
        start_pass(p, SEL_MODE_GUESS, (uint16_t)(st->last_id + 1));
    } else {
        start_pass(p, SEL_MODE_REREAD, st->last_id);
    }
    p->phase =
        p->use_reservation && (p->info.op_support & SEL_OP_RESERVE) ? SEL_PH_RESERVE : SEL_PH_ENTRY;
    return SEL_ACT_SEND;
}

enum sel_act sel_poll_on_reserve(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len)
{
    uint16_t id;
    if (cc == 0 && sel_reserve_rsp_decode(d, len, &id, NULL) >= 0) {
        p->resv = id;
        p->have_resv = true;
        p->st->ctr.reservations++;
    } else {
        /* a whole-record read does not need a reservation (section 31.5):
         * carry on without one */
        p->have_resv = false;
        p->use_reservation = false;
    }
    p->phase = SEL_PH_ENTRY;
    return SEL_ACT_SEND;
}

/* Is `rec` plausibly newer than our last record?  Only absolute times compare. */
static bool not_older(const uint8_t *last, const uint8_t *rec)
{
    struct sel_record a, b;
    sel_record_decode(last, SEL_RECORD_LEN, &a, NULL);
    sel_record_decode(rec, SEL_RECORD_LEN, &b, NULL);
    if (a.ts_kind != SEL_TS_ABSOLUTE || b.ts_kind != SEL_TS_ABSOLUTE)
        return true;
    return b.timestamp >= a.timestamp;
}

/* CBh: the record asked for is not there. */
static enum sel_act on_missing(struct sel_poll *p)
{
    struct sel_state *st = p->st;
    switch (p->mode) {
    case SEL_MODE_GUESS:
        /* IDs are not sequential here: ask for our last record instead */
        st->ctr.guess_misses++;
        start_pass(p, SEL_MODE_REREAD, st->last_id);
        return SEL_ACT_SEND;
    case SEL_MODE_REREAD:
        note_clear(p); /* the remembered record is gone */
        return start_scan(p);
    default:
        if (p->cur_id == SEL_ID_FIRST) {
            /* emptied under us */
            if (p->mode == SEL_MODE_SCAN || st->count)
                note_clear(p);
            ring_reset(st);
            st->have_last = false;
            st->need_resync = false;
            return poll_done(p);
        }
        note_clear(p); /* a record vanished in the middle of the chain */
        return start_scan(p);
    }
}

enum sel_act sel_poll_on_entry(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len)
{
    struct sel_state *st = p->st;
    p->res.entry_requests++;
    if (cc == IPMI_CC_RESERVATION_CANCELLED) {
        /* someone reserved or cleared the SEL: reserve again, ask again */
        st->ctr.cancelled++;
        if (!p->resv_left)
            return poll_fail(p, cc, CODEC_OK);
        p->resv_left--;
        p->phase = SEL_PH_RESERVE;
        return SEL_ACT_SEND;
    }
    if (cc == IPMI_CC_NOT_PRESENT)
        return on_missing(p);
    if (cc)
        return poll_fail(p, cc, CODEC_OK);
    uint16_t next;
    const uint8_t *rec;
    enum codec_err e;
    if (sel_entry_rsp_decode(d, len, &next, &rec, &e) < 0)
        return poll_fail(p, 0, e);
    st->ctr.entries_read++;
    if (!p->reads_left)
        return poll_fail(p, 0, CODEC_E_OVERSIZE); /* a loop in the "next" chain */
    p->reads_left--;
    uint16_t rid = rec_id(rec);
    /* FFFFh is no record; 0000h asks for the first, which the record's own ID names */
    visited_set(st, p->cur_id == SEL_ID_FIRST ? rid : p->cur_id);

    switch (p->mode) {
    case SEL_MODE_GUESS:
        if (rid != p->cur_id || !memcmp(rec, st->last_raw, SEL_RECORD_LEN) ||
            ring_find(st, rec) >= 0 || !not_older(st->last_raw, rec)) {
            st->ctr.guess_misses++;
            start_pass(p, SEL_MODE_REREAD, st->last_id);
            return SEL_ACT_SEND;
        }
        take_new(p, rec);
        p->mode = SEL_MODE_CHAIN;
        break;
    case SEL_MODE_REREAD:
        if (memcmp(rec, st->last_raw, SEL_RECORD_LEN) != 0) {
            /* same ID, other record: the SEL was cleared and IDs reused */
            note_clear(p);
            return start_scan(p);
        }
        p->mode = SEL_MODE_CHAIN;
        break;
    case SEL_MODE_SCAN: {
        p->scan_reads++;
        int64_t s = ring_find(st, rec);
        if (s >= 0) {
            seen_set(st, (uint32_t)s);
            p->scan_match = true;
            st->npend = 0; /* what came before a known record is older: not new */
            set_last(st, rec);
        } else if (p->scan_match) {
            /* after a record we know: new.  Drop the vanished records first, so
             * that appending evicts none of the known ones. */
            if (!p->scan_compacted) {
                ring_compact(st);
                p->scan_compacted = true;
            }
            take_new(p, rec);
        } else {
            /* before any known record: older than the ring, or all new (decided at the end) */
            pend_push(st, rec);
        }
        break;
    }
    default: /* FULL, CHAIN */
        if (ring_find(st, rec) >= 0)
            return loop_fail(p, rid); /* back at a record we hold: not new */
        take_new(p, rec);
        break;
    }

    if (next != SEL_ID_LAST && next != rid && next != SEL_ID_FIRST) {
        if (visited_get(st, next))
            return loop_fail(p, next);
        p->cur_id = next;
        return SEL_ACT_SEND;
    }
    /* end of the chain */
    if (p->mode == SEL_MODE_SCAN) {
        if (p->scan_match) {
            ring_compact(st);
            st->need_resync = false;
            return poll_done(p);
        }
        /* nothing we know is left: the SEL was cleared; all of it is new */
        ring_reset(st);
        st->have_last = false;
        st->need_resync = false;
        if (st->pend) {
            /* the scan kept the newest records: no second pass.  Older ones
             * it read but could not keep are new too, like a full read's. */
            uint32_t older = p->scan_reads - st->npend;
            for (uint32_t i = 0; i < st->npend; i++)
                take_new(p, st->pend[(st->pend_head + i) % st->cap]);
            p->res.new_entries += older;
            st->ctr.new_entries += older;
            st->appended += older; /* as if appended and evicted, like a full read */
            st->npend = 0;
            return poll_done(p);
        }
        start_pass(p, SEL_MODE_FULL, SEL_ID_FIRST);
        return SEL_ACT_SEND;
    }
    return poll_done(p);
}

enum sel_act sel_poll_on_rsp(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len)
{
    p->res.requests++;
    p->st->ctr.requests++;
    switch (p->phase) {
    case SEL_PH_INFO:
        return sel_poll_on_info(p, cc, d, len);
    case SEL_PH_RESERVE:
        return sel_poll_on_reserve(p, cc, d, len);
    case SEL_PH_ENTRY:
        /* the only writer of the ring's records: own them first */
        if (ring_own(p->st) < 0) {
            p->res.entry_requests++;
            p->res.bmc_err = BMC_E_INTERNAL;
            return poll_fail(p, 0, CODEC_OK);
        }
        return sel_poll_on_entry(p, cc, d, len);
    default:
        return SEL_ACT_DONE;
    }
}

enum sel_act sel_poll_on_error(struct sel_poll *p, enum bmc_error e)
{
    p->res.requests++;
    p->st->ctr.requests++;
    if (p->phase == SEL_PH_DONE)
        return SEL_ACT_DONE;
    if (p->phase == SEL_PH_ENTRY)
        p->res.entry_requests++;
    p->res.bmc_err = e;
    return poll_fail(p, 0, CODEC_OK);
}

/* ---- the asynchronous reader ---------------------------------------------- */

void sel_reader_params_default(struct sel_reader_params *p)
{
    p->use_reservation = true;
    p->guess_next = true;
}

struct sel_reader {
    struct bmc *b;
    struct sel_state *st;
    sel_reader_done_cb done;
    void *arg;
    struct sel_poll poll;
    uint8_t next_act; /* enum sel_act, or 0xFF while a request is out */
    bool busy, inflight, zombie;
    struct drive drive;
};

struct sel_reader *sel_reader_new(void)
{
    return calloc(1, sizeof(struct sel_reader));
}

void sel_reader_free(struct sel_reader *r)
{
    if (!r)
        return;
    if (r->inflight || r->drive.running) {
        r->zombie = true;
        return;
    }
    free(r);
}

bool sel_reader_busy(const struct sel_reader *r)
{
    return r->busy;
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp);

/* Returns true when the poll is finished. */
static bool step(struct sel_reader *r)
{
    for (;;) {
        if (r->next_act == SEL_ACT_DONE)
            return true;
        if (r->next_act != SEL_ACT_SEND)
            return false; /* a request is out */
        uint8_t cmd, data[6];
        size_t len = sel_poll_request(&r->poll, &cmd, data);
        r->inflight = true;
        r->next_act = 0xFF;
        if (bmc_request(r->b, IPMI_NETFN_STORAGE, cmd, data, len, on_rsp, r) < 0) {
            r->inflight = false;
            r->next_act = sel_poll_on_error(&r->poll, BMC_E_INTERNAL);
            continue;
        }
        return false;
    }
}

void sel_poll_result_text(const struct sel_poll_result *res, char *buf, size_t len)
{
    const char *cmd = res->failed_cmd == SEL_CMD_GET_INFO  ? "Get SEL Info"
                      : res->failed_cmd == SEL_CMD_RESERVE ? "Reserve SEL"
                                                           : "Get SEL Entry";
    if (res->status == SEL_POLL_OK)
        snprintf(buf, len, "ok");
    else if (res->loop)
        snprintf(buf, len, "%s: record chain loops at ID %04Xh", cmd, res->loop_id);
    else
        snprintf(buf, len, "%s: %s", cmd,
                 res->bmc_err != BMC_E_NONE ? bmc_error_word(res->bmc_err)
                 : res->cc                  ? ipmi_cc_text(res->cc)
                                            : codec_err_name(res->codec_err));
}

static void log_failure(const struct sel_reader *r)
{
    struct sel_state *st = r->st;
    uint32_t held = 0;
    if (!log_rl_ok(&st->rl, ev_monotonic_ns(), SEL_LOG_INTERVAL_NS, &held))
        return;
    char why[128];
    sel_poll_result_text(&r->poll.res, why, sizeof(why));
    log_warn("BMC %s (%s): SEL poll failed: %s (%llu failed polls in all%s)", bmc_name(r->b),
             bmc_address(r->b), why, (unsigned long long)st->ctr.polls_failed,
             held ? ", some not logged" : "");
}

static bool step_cb(void *arg)
{
    return step(arg);
}

static void advance(struct sel_reader *r)
{
    enum drive_result d = drive_run(&r->drive, step_cb, r);
    if (d == DRIVE_NESTED)
        return;
    bool finished = d == DRIVE_FINISHED;
    if (r->zombie && !r->inflight) {
        free(r);
        return;
    }
    if (finished) {
        r->busy = false;
        /* the pass's scratch (an 8 KiB record-ID bitmap, the scan's pending
         * records) is held only while a pass runs, not by every idle BMC */
        free(r->st->visited);
        r->st->visited = NULL;
        free(r->st->pend);
        r->st->pend = NULL;
        r->st->npend = 0;
        r->st->pend_head = 0;
        if (r->poll.res.status != SEL_POLL_OK)
            log_failure(r);
        else if (r->poll.res.cleared)
            log_info("BMC %s (%s): SEL cleared or records deleted; %u new records", bmc_name(r->b),
                     bmc_address(r->b), r->poll.res.new_entries);
        r->done(r->b, r->arg, r->st, &r->poll.res); /* may free or restart r */
    }
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct sel_reader *r = arg;
    r->inflight = false;
    if (r->zombie && !r->drive.running) {
        free(r);
        return;
    }
    if (rsp->err != BMC_E_NONE)
        r->next_act = sel_poll_on_error(&r->poll, rsp->err);
    else
        r->next_act = sel_poll_on_rsp(&r->poll, rsp->cc, rsp->data, rsp->len);
    advance(r);
}

int sel_reader_start(struct sel_reader *r, struct bmc *b, struct sel_state *st,
                     const struct sel_reader_params *p, sel_reader_done_cb done, void *arg)
{
    if (r->busy || r->zombie || !st || !done)
        return -1;
    struct sel_reader_params def;
    if (!p) {
        sel_reader_params_default(&def);
        p = &def;
    }
    r->b = b;
    r->st = st;
    r->done = done;
    r->arg = arg;
    r->busy = true;
    sel_poll_begin(&r->poll, st, p->use_reservation, p->guess_next);
    r->next_act = SEL_ACT_SEND;
    advance(r);
    return 0;
}
