/*
 * sel_reader.h - incremental reading of one BMC's System Event Log
 * (IPMI 2.0 section 31) through the poller's request queue.
 *
 * Per BMC there is one struct sel_state, created once and kept for the
 * BMC's lifetime: the ring of the newest N raw records (the bulk: N * 16
 * bytes) and where the last poll stopped (record ID, the record itself,
 * the SEL's entry count and add/erase timestamps).  A poll reads only what
 * is new:
 *
 *   Get SEL Info                          nothing changed: done (1 request)
 *   Reserve SEL                           if the SEL supports it (re-sent after C5h)
 *   Get SEL Entry (last ID + 1)           record IDs are usually sequential: if that
 *                                         record exists, is not one we have and is not
 *                                         older than our last, it is the first new one
 *   or Get SEL Entry (last ID)            otherwise re-read our last record, follow its
 *                                         "next record ID"
 *   Get SEL Entry (next ID) ...           until FFFFh
 *
 * A clear is detected by a changed erase timestamp (counted) or when the
 * remembered record is gone (CBh) or holds different bytes (its ID was
 * reused).  Then the SEL is scanned from the first record: records found in
 * the ring are known, records after the last known one are new; if none is
 * known the SEL was cleared and everything is read again as new.  Either
 * way no record is reported twice, and the ring ends up mirroring the SEL.
 * A "next record ID" chain that comes back on itself fails the poll
 * ("record chain loops at ID xxxxh") without reporting anything twice.
 *
 * Every entry appended to the ring gets the next 32-bit sequence number
 * (sel_state_entry_seq): the MIB's ipmiSelIndex.  The ring is indexed by
 * record bytes (a seeded hash), so a poll costs O(records read + ring) CPU;
 * the bound per poll is spelled out at the top of sel_reader.c.
 *
 * Driving it from the poll loop:
 *   st = sel_state_new(256);              at BMC setup
 *   r = sel_reader_new();                 one per BMC (small)
 *   sel_reader_start(r, b, st, &params, done, arg);   each poll interval
 *   done(b, arg, st, &result) runs once: result.new_entries are the newest
 *   entries of the ring (sel_state_entry(st, sel_state_count(st) - k ...)).
 *   sel_reader_free(r) any time (deferred while a request is in flight);
 *   sel_state_free(st) only when no reader is using it.
 *
 * The poll itself is struct sel_poll, a state machine without I/O that the
 * unit tests drive directly.
 */
#ifndef IPMI_BRIDGE_SEL_READER_H
#define IPMI_BRIDGE_SEL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bmc.h"
#include "log.h"
#include "sel.h"

#define SEL_RING_DEFAULT 256
#define SEL_RING_MAX     65535 /* a SEL holds at most FFFEh records (16-bit IDs) */

struct sel_counters {
    uint64_t polls; /* polls started */
    uint64_t polls_failed;
    uint64_t requests;              /* requests answered or failed, every command */
    uint64_t entries_read;          /* records received */
    uint64_t new_entries;           /* records that were new */
    uint64_t clears;                /* erase timestamp changed, or the remembered record vanished */
    uint64_t resyncs;               /* scans from the first record after a clear */
    uint64_t overflows;             /* the overflow flag went from clear to set */
    uint64_t reservations;          /* reservation IDs received */
    uint64_t cancelled;             /* C5h: reservation cancelled */
    uint64_t guesses, guess_misses; /* "last ID + 1" tried / not the next record */
    uint64_t loops;                 /* "next record ID" chains that came back on themselves */
    uint64_t index_probes;          /* ring index slots looked at (the cost of the lookups) */
};

/* One ring entry as saved across restarts: its sequence number and bytes. */
struct sel_seq_saved {
    uint32_t seq;
    uint8_t raw[SEL_RECORD_LEN];
};

/* The ring's record bytes: reference-counted, so that a snapshot (the store's
 * SEL part) points at them instead of copying them; a write to records held
 * by a snapshot goes to a copy first (copy on write, once per poll at most). */
struct sel_ring_buf;

struct sel_state {
    /* ring of the newest records, raw: entry i (0 = oldest) is at (head + i) % cap;
     * ring = ring_buf's records */
    uint8_t (*ring)[SEL_RECORD_LEN];
    struct sel_ring_buf *ring_buf;
    uint32_t *seq;     /* per ring slot: the entry's sequence number */
    uint32_t next_seq; /* given to the next entry appended (first 1); never goes back */
    uint8_t *seen;     /* one bit per ring slot, for the scan after a clear */
    /* index of the ring by record bytes: slot + 1 per entry, 0 empty (see
     * sel_reader.c); 16 bits: slots are below SEL_RING_MAX */
    uint16_t *idx;
    uint32_t idx_mask;
    uint64_t hseed;
    uint8_t *visited; /* 8 KiB, one bit per record ID read in the current pass */
    /* records a scan met before any record we know (allocated on the first
     * scan): if none is known in the end, they are the new SEL, in order */
    uint8_t (*pend)[SEL_RECORD_LEN];
    uint32_t npend, pend_head;
    uint32_t cap, count, head;
    uint64_t appended; /* records ever appended */
    /* sequence numbers saved by an earlier run, sorted by raw bytes; applied
     * and freed when the first poll ends (sel_state_restore_seqs) */
    struct sel_seq_saved *restore;
    uint32_t nrestore, restore_next;

    /* where the last poll stopped */
    bool synced;      /* a poll has completed */
    bool have_last;   /* last_id/last_raw are valid */
    bool need_resync; /* a scan was interrupted: scan again */
    bool overflow;    /* the SEL's overflow flag, as last seen */
    uint16_t last_id;
    uint8_t last_raw[SEL_RECORD_LEN];
    uint16_t entries;
    uint32_t add_ts, erase_ts;

    struct sel_counters ctr;
    struct log_rl rl; /* failures are logged once a minute at most */
};

/* capacity 0 means SEL_RING_DEFAULT; more than SEL_RING_MAX is SEL_RING_MAX.  NULL when
 * memory is short.  Memory: about 20 bytes per entry, an index of 4 to 8 bytes per entry
 * and an 8 KiB bitmap of record IDs while entries are read. */
struct sel_state *sel_state_new(uint32_t capacity);
void sel_state_free(struct sel_state *st); /* NULL is a no-op */
static inline size_t sel_state_count(const struct sel_state *st)
{
    return st->count;
}
/* Raw record i of the ring, 0 = oldest; NULL when out of range.  Valid until
 * the next poll writes the ring, or, for as long as a hold on the ring's
 * records (sel_state_ring_hold) lasts, for good: they do not change then. */
const uint8_t *sel_state_entry(const struct sel_state *st, size_t i);
/* A reference on the ring's present records (any thread may drop it with
 * sel_ring_unhold, NULL a no-op): the pointers sel_state_entry() returns now
 * stay valid and unchanged until then; the reader copies the records before
 * it next writes them.  Thread of the reader; O(1). */
const struct sel_ring_buf *sel_state_ring_hold(struct sel_state *st);
void sel_ring_unhold(const struct sel_ring_buf *b);
/*
 * Sequence number of ring entry i (0 when out of range): given when the
 * entry was appended, rising by one per entry, never reused in the process
 * (not after a clear either; after 2^32 - 1 entries it wraps to 1), nor
 * after a restart when sel_state_restore_seqs() got the saved numbers.  The
 * MIB's ipmiSelIndex.
 */
uint32_t sel_state_entry_seq(const struct sel_state *st, size_t i);
/* The number the next appended entry gets (default 1), e.g. restored after a
 * restart.  Never lowers it, so numbers already handed out stay unique. */
void sel_state_set_next_seq(struct sel_state *st, uint32_t next);
/*
 * Sequence numbers an earlier run gave (e.g. read back from state-dir after a
 * restart), and the number that run would have given next.  Call before the
 * first poll.  When a poll ends (or fails with entries in the ring), the ring is
 * numbered again, oldest first: an entry whose 16 bytes are in `e` gets its
 * saved number if that is above the number of the entry before it and below
 * `next`; any other entry gets a fresh number from max(next, numbers given
 * so far).  So numbers keep rising along the ring and no number is given
 * twice; if a saved number would break the order (an entry not saved, or
 * saved higher, comes before it), that entry, and so every one after it,
 * gets a fresh number instead.  Numbers given to entries during the first
 * poll are provisional: nobody sees them before it ends.  -1 when memory is
 * short (nothing restored) or a poll has already run.
 */
int sel_state_restore_seqs(struct sel_state *st, const struct sel_seq_saved *e, size_t n,
                           uint32_t next);

enum sel_poll_status { SEL_POLL_OK = 0, SEL_POLL_FAILED };

struct sel_poll_result {
    uint8_t status;          /* enum sel_poll_status */
    uint32_t new_entries;    /* new records; the newest min(new_entries, count) are in the ring */
    bool cleared;            /* a clear was detected this poll */
    bool overflow;           /* the SEL says events were dropped */
    uint32_t requests;       /* requests this poll */
    uint32_t entry_requests; /* of which Get SEL Entry */
    /* why it failed */
    enum bmc_error bmc_err;
    uint8_t cc;
    uint8_t failed_cmd;       /* SEL_CMD_* */
    enum codec_err codec_err; /* CODEC_E_OVERSIZE: more records than the SEL announced;
                                 CODEC_E_FIELD: the "next record ID" chain loops */
    bool loop;                /* the chain came back to a record already read ... */
    uint16_t loop_id;         /* ... with this ID */
};

/* Why a poll failed, one line ("Get SEL Entry: record chain loops at ID 0005h"). */
void sel_poll_result_text(const struct sel_poll_result *res, char *buf, size_t len);

/* ---- the poll state machine (no I/O; tests drive it) ---------------------- */

enum sel_phase { SEL_PH_INFO = 0, SEL_PH_RESERVE, SEL_PH_ENTRY, SEL_PH_DONE };

enum sel_mode {
    SEL_MODE_FULL = 0, /* from the first record: every record is new */
    SEL_MODE_GUESS,    /* asked for last ID + 1 */
    SEL_MODE_REREAD,   /* asked for our last record, to learn its successor */
    SEL_MODE_CHAIN,    /* following "next record ID": every record is new */
    SEL_MODE_SCAN,     /* after a clear: which records do we know? */
};
/* "full", "guess", "reread", "chain", "scan" */
const char *sel_mode_name(uint8_t m);

enum sel_act {
    SEL_ACT_SEND = 0, /* send sel_poll_request() */
    SEL_ACT_DONE,     /* finished: see result.status */
};

struct sel_poll {
    struct sel_state *st;
    uint8_t phase; /* enum sel_phase */
    uint8_t mode;  /* enum sel_mode */
    bool use_reservation, guess;
    bool have_resv;
    bool erase_changed, scan_match, scan_compacted;
    uint32_t scan_reads; /* records read by the current scan */
    uint16_t resv;
    uint16_t cur_id;
    uint8_t resv_left;    /* re-reservations after C5h left */
    uint8_t resyncs_left; /* scans left this poll */
    uint32_t reads_left;  /* Get SEL Entry responses left in this pass (loop guard) */
    struct sel_info info;
    struct sel_poll_result res;
};

void sel_poll_begin(struct sel_poll *p, struct sel_state *st, bool use_reservation, bool guess);
/* The request to send now: *cmd (SEL_CMD_*) and its data; returns the data length. */
size_t sel_poll_request(const struct sel_poll *p, uint8_t *cmd, uint8_t data[6]);
/* The response to it (completion code, data after it), by phase: */
enum sel_act sel_poll_on_rsp(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len);
enum sel_act sel_poll_on_info(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len);
enum sel_act sel_poll_on_reserve(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len);
enum sel_act sel_poll_on_entry(struct sel_poll *p, uint8_t cc, const uint8_t *d, size_t len);
/* The request could not be sent or got no answer. */
enum sel_act sel_poll_on_error(struct sel_poll *p, enum bmc_error e);

/* ---- the asynchronous reader ------------------------------------------------ */

struct sel_reader_params {
    bool use_reservation; /* Reserve SEL before reading (default true) */
    bool guess_next;      /* try last ID + 1 first (default true) */
};
void sel_reader_params_default(struct sel_reader_params *p);

struct sel_reader;
typedef void (*sel_reader_done_cb)(struct bmc *b, void *arg, struct sel_state *st,
                                   const struct sel_poll_result *res);

struct sel_reader *sel_reader_new(void);
/* NULL is a no-op.  While a request is in flight the reader is freed when it returns. */
void sel_reader_free(struct sel_reader *r);
/* Returns 0, or -1 when busy (done is not called then). */
int sel_reader_start(struct sel_reader *r, struct bmc *b, struct sel_state *st,
                     const struct sel_reader_params *p, sel_reader_done_cb done, void *arg);
bool sel_reader_busy(const struct sel_reader *r);

#endif
