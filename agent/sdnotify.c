/*
 * sdnotify.c - READY/RELOADING/STOPPING/STATUS/WATCHDOG for systemd (see
 * sdnotify.h).
 */
#include "sdnotify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "log.h"
#include "store.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define STATUS_PERIOD_NS (10 * EV_NS_PER_SEC) /* STATUS= refresh without a watchdog */

struct sdn {
    struct ev_loop *loop;
    const struct store *store; /* read on this (the main) thread */
    struct ev_timer timer;
    uint64_t period_ns;
    bool watchdog;
};

bool sdn_available(void)
{
#ifdef HAVE_LIBSYSTEMD
    return true;
#else
    return false;
#endif
}

static void notify(const char *text)
{
#ifdef HAVE_LIBSYSTEMD
    int r = sd_notify(0, text);
    if (r < 0) {
        static bool said;
        if (!said)
            log_warn("sd_notify: %s", strerror(-r));
        said = true;
    }
#else
    (void)text;
#endif
}

/* "STATUS=12 BMCs: 10 polling, 1 degraded, 1 unreachable" (states with 0
 * left out), from the BMCs' snapshots: the store is read on this thread,
 * whichever worker polls each BMC. */
static void send_status(struct sdn *n, const char *prefix)
{
    /* the life cycle first, then the failures */
    static const uint8_t order[] = {
        STORE_ST_NEW,      STORE_ST_CONNECTING,  STORE_ST_DISCOVERING, STORE_ST_POLLING,
        STORE_ST_DEGRADED, STORE_ST_UNREACHABLE, STORE_ST_AUTH_FAILED, STORE_ST_OK,
        STORE_ST_CIPHER,   STORE_ST_PRIVILEGE,   STORE_ST_PROTOCOL,    STORE_ST_TIMEOUT,
        STORE_ST_CLOSED,   STORE_ST_RESOLVE,     STORE_ST_INTERNAL,
    };
    _Static_assert(sizeof(order) == STORE_ST__COUNT, "every store state once");
    size_t count[STORE_ST__COUNT] = {0};
    size_t total = store_count(n->store);
    for (size_t i = 0; i < total; i++) {
        const struct store_bmc *b = store_at(n->store, i);
        if (b && b->state < STORE_ST__COUNT)
            count[b->state]++;
    }
    char text[512];
    int off = snprintf(text, sizeof(text), "%sSTATUS=%zu BMCs", prefix, total);
    const char *sep = ": ";
    for (size_t k = 0; k < sizeof(order) && off > 0 && (size_t)off < sizeof(text); k++) {
        if (!count[order[k]])
            continue;
        off += snprintf(text + off, sizeof(text) - (size_t)off, "%s%zu %s", sep, count[order[k]],
                        store_state_word((enum store_state)order[k]));
        sep = ", ";
    }
    notify(text);
}

static void on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    struct sdn *n = arg;
    send_status(n, n->watchdog ? "WATCHDOG=1\n" : "");
    ev_timer_start(loop, t, n->period_ns);
}

struct sdn *sdn_new(struct ev_loop *loop, const struct store *store)
{
    struct sdn *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->loop = loop;
    n->store = store;
    n->period_ns = STATUS_PERIOD_NS;
#ifdef HAVE_LIBSYSTEMD
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        n->watchdog = true;
        uint64_t half = usec * 1000 / 2; /* sd_watchdog_enabled(3): ping at half the interval */
        if (half < n->period_ns)
            n->period_ns = half;
    }
    if (!getenv("NOTIFY_SOCKET") && !n->watchdog) {
        free(n);
        return NULL; /* not under systemd: no timer at all */
    }
#else
    free(n);
    return NULL;
#endif
    ev_timer_init(&n->timer, on_timer, n);
    ev_timer_start(loop, &n->timer, n->period_ns);
    return n;
}

void sdn_free(struct sdn *n)
{
    if (!n)
        return;
    ev_timer_stop(n->loop, &n->timer);
    free(n);
}

void sdn_ready(struct sdn *n)
{
    if (n)
        send_status(n, "READY=1\n");
}

void sdn_reloading(struct sdn *n)
{
    if (n)
        notify("RELOADING=1\nSTATUS=reloading the configuration");
}

void sdn_stopping(struct sdn *n)
{
    if (n)
        notify("STOPPING=1\nSTATUS=closing sessions");
}
