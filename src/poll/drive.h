/*
 * drive.h - the small trampoline the readers (FRU, SEL) run their state
 * machines with.  A response callback may run inside bmc_request() itself;
 * such a nested call only asks the running loop for another round, so the
 * stack never grows with the number of requests.
 */
#ifndef IPMI_BRIDGE_DRIVE_H
#define IPMI_BRIDGE_DRIVE_H

#include <stdbool.h>

struct drive {
    bool running; /* inside drive_run() */
    bool again;   /* a nested call asked for another round */
};

enum drive_result {
    DRIVE_NESTED,  /* called from inside the loop: the outer call carries on */
    DRIVE_WAITING, /* step() waits for an answer or a timer */
    DRIVE_FINISHED /* step() is done */
};

/* Run step(arg) until it finishes or waits; step returns true when finished. */
static inline enum drive_result drive_run(struct drive *d, bool (*step)(void *), void *arg)
{
    if (d->running) {
        d->again = true;
        return DRIVE_NESTED;
    }
    d->running = true;
    bool finished;
    do {
        d->again = false;
        finished = step(arg);
    } while (!finished && d->again);
    d->running = false;
    return finished ? DRIVE_FINISHED : DRIVE_WAITING;
}

#endif
