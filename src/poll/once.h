/*
 * once.h - "--once": poll every configured BMC, concurrently, and print
 * what was read (a human table or JSON); optionally several polls in one
 * process, keeping sessions, SDRs and SEL positions between them.
 */
#ifndef IPMI_BRIDGE_ONCE_H
#define IPMI_BRIDGE_ONCE_H

#include <stdbool.h>
#include <stdio.h>

#include "bmc_data.h"

struct cfg;
struct store;

struct once_opts {
    bool json;
    unsigned polls;       /* 1 = --once */
    unsigned interval_ms; /* between polls */
    bool step;            /* between polls, wait for a line on standard input instead */
    uint64_t deadline_ms; /* overall deadline of the run; 0: computed from the config */
    /* Called after each poll's snapshots are applied to the run's store and
     * its output is written; may take references (tests/agentx serves them). */
    void (*on_poll)(const struct store *s, void *arg);
    void *on_poll_arg;
};

/* Returns the exit status: 0 if every BMC answered in the last poll, else 1. */
int once_run(const struct cfg *cfg, const struct once_opts *opts, FILE *out);

#endif
