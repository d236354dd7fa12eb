/*
 * sel_statefile.h - a BMC's SEL state across restarts: `state-dir`/sel-INDEX.state
 * (INDEX: the ipmiBmcIndex).  Written by the events module (agent/events.c)
 * whenever the BMC's SEL part changes; read at start by the events module
 * (what was notified last) and by the daemon (the ring's sequence numbers,
 * handed to sel_state_restore_seqs()).
 *
 * Version 2, text, one item a line:
 *   # ipmi-snmp-bridge SEL state 2
 *   mark SEQ RECORD-ID TIMESTAMP HASH   newest entry notified (hash: 16 hex digits)
 *   next SEQ                            the sequence number the next entry gets
 *   e SEQ RAW                           one per ring entry, oldest first (RAW: 32 hex digits)
 * Version 1 (one line "SEQ RECORD-ID TIMESTAMP HASH", the mark) is still read.
 */
#ifndef IPMI_BRIDGE_SEL_STATEFILE_H
#define IPMI_BRIDGE_SEL_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sel_reader.h"

struct sel_statefile {
    bool have_mark;
    uint32_t mark_seq;
    uint16_t mark_record_id;
    uint32_t mark_time;
    uint64_t mark_hash;
    uint32_t next_seq; /* 0: not known */
    struct sel_seq_saved *e;
    size_t n;
};

/* The file's path; false when dir is empty or the path too long. */
bool sel_statefile_path(const char *dir, uint32_t index, char *out, size_t cap);
/* 1 when read, 0 when there is no file, -1 when it is malformed (err names
 * FILE:LINE; what was read before is kept).  Free with sel_statefile_clear(). */
int sel_statefile_load(const char *dir, uint32_t index, struct sel_statefile *f, char *err,
                       size_t errlen);
void sel_statefile_clear(struct sel_statefile *f);
/* Replace the file atomically (atomic_file_write, mode 0600).  0 or -1 with err. */
int sel_statefile_save(const char *dir, uint32_t index, const struct sel_statefile *f, char *err,
                       size_t errlen);

#endif
