/*
 * events.h - what the bridge notifies, decided from snapshot transitions
 * (store_set_observer) and PETs, without Net-SNMP: the sink (notify.c in
 * the daemon, a recorder in the unit test) sends.
 *
 * Platform events, exactly once:
 *  - SEL: an entry is new when its ipmiSelIndex (the ring's sequence number)
 *    is above the newest one already notified for that BMC.  The first SEL
 *    part a BMC shows after start is the baseline: nothing in it is
 *    notified, unless the state file (below) names an entry in it, then the
 *    entries after that one are (what came while the bridge was down).
 *    Entries re-read after a reconnect are recognised by their content key.
 *  - PET and SEL: the dedupe key is (BMC, sensor number, event type with
 *    the direction bit, event data 1-3).  An event notified from one source
 *    is not notified again from the other while the same key was seen within
 *    `window_s` seconds (default 300) of bridge time.  Timestamps are not
 *    part of the key: a BMC's SEL time and its PET time may differ by the
 *    UTC offset and by clock steps.  A PET resent by the BMC (the same
 *    sequence number) is caught earlier, in pet_listener.c.
 *  - Restart: per BMC, `state_dir`/sel-INDEX.state (src/poll/sel_statefile.h,
 *    version 2) holds the newest SEL entry notified ("mark seq record-id
 *    timestamp content-hash"), and the (ipmiSelIndex, record bytes) of every
 *    entry of the SEL part with the next ipmiSelIndex, which the daemon hands
 *    to sel_state_restore_seqs() at start.  Rewritten whenever the BMC's SEL
 *    part changes (atomic_file_write), so it is current at shutdown too.
 * Sensor status: one notification per sensor whose status differs between
 *    the BMC's previous and new snapshot (both with a sensors part); a shared
 *    (unchanged) part costs nothing.
 * BMC state: ok, polling and degraded are "up"; new, connecting and
 *    discovering are passing states (ignored); the rest are errors.  A
 *    notification when a BMC goes from up to an error, from an error to up
 *    or to another error.  A BMC's first state is notified only if it is an
 *    error.
 */
#ifndef IPMI_BRIDGE_EVENTS_H
#define IPMI_BRIDGE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "notify.h"

struct store_bmc;
struct store_sensor;
struct events;

struct events_sink {
    void *arg;
    void (*platform)(void *arg, const struct store_bmc *b, const struct notify_event *e);
    void (*sensor)(void *arg, const struct store_bmc *b, const struct store_sensor *old,
                   const struct store_sensor *now);
    void (*bmc_state)(void *arg, const struct store_bmc *b, uint8_t old_state);
};

struct events_opts {
    const char *state_dir; /* NULL or "": no state file */
    unsigned window_s;     /* PET/SEL dedupe window; 0: 300 */
};

struct events_stats {
    uint64_t sel_notified, sel_baseline, sel_dup_pet, sel_reread;
    uint64_t pet_dup_sel;
    uint64_t sensor_changes, state_changes;
    uint64_t state_write_errors;
};

struct events *events_new(const struct events_sink *sink, const struct events_opts *o);
void events_free(struct events *ev);

/* A store_observer_cb: `arg` is the struct events. */
void events_observe(void *arg, const struct store_bmc *old, const struct store_bmc *snap);

/* The dedupe key of an event of BMC `bmc_index`. */
uint64_t events_key(uint32_t bmc_index, uint8_t sensor_number, uint8_t event_type, bool deassertion,
                    const uint8_t data[3]);
/* A PET's event: true when the SEL already gave it (do not notify); else it
 * is remembered so that the SEL entry that follows is not notified. */
bool events_pet(struct events *ev, uint64_t key, uint64_t now_ns);

void events_get_stats(const struct events *ev, struct events_stats *out);

#endif
