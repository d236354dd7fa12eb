/*
 * daemon.c - the long-running mode (see daemon.h).
 *
 * Foreground, systemd style: no fork, no pid file; logs to stderr or
 * syslog ("log" key).  Signals arrive through a signalfd on the event loop,
 * so handlers run as ordinary callbacks.
 *
 *   SIGTERM, SIGINT  Close Session on every open session, exit 0 (at most
 *                    about 4 s even when BMCs do not answer)
 *   SIGHUP           reload: added BMCs start, removed ones close and leave,
 *                    changed ones restart, unchanged ones keep their
 *                    sessions, SDRs, SEL positions and indices; a file with
 *                    an error is refused as a whole (FILE:LINE logged)
 *   SIGUSR1          write the status file now
 *
 * Threads: `worker-threads` workers each own an event loop, a poller (its
 * sockets) and a scheduler with a partition of the BMCs: worker
 * (h / shard-N) mod workers, h = sched_name_mix(name), so a BMC stays on
 * its worker across reloads whatever else the fleet gains or loses.  The
 * main thread keeps the signals, the index file, the status file and the
 * AgentX subagent (Net-SNMP stays on this one thread).  Workers hand their
 * results over through the store (lock-free publish + eventfd; the
 * publish hook below runs on the worker).  The main thread talks to a
 * worker through a command queue (a mutex-guarded list and an eventfd, on
 * the cold path only: start, reload, status, stop).  max-logins and
 * max-sdr-reads are split between the workers, so the caps hold fleet-wide.
 */
#include "daemon.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "bmc.h"
#include "cfg.h"
#include "ev.h"
#include "fru_reader.h"
#include "index_map.h"
#include "log.h"
#include "report.h"
#include "scheduler.h"
#include "sdr_share.h"
#include "store.h"

#define SHUTDOWN_GUARD_MS 4000 /* exit even if some BMCs never answer Close Session */
#define COLD_SPREAD_MS    5000 /* first chains spread over this much time */

struct pending {
    struct cfg_bmc cfg;
    uint32_t index;
};

/* A command from the main thread to a worker. */
enum wcmd_kind { WC_APPLY, WC_STATUS, WC_STOP };

struct wcmd {
    enum wcmd_kind kind;
    struct wcmd *next;
    bool done; /* set by the worker (under its mutex) when a waited-for command ran */
    /* WC_APPLY: the worker's part of the configuration (pointers into the new cfg) */
    const struct cfg_bmc **bmcs;
    const uint32_t *idx;
    size_t n;
    bool initial;
    unsigned added, removed, changed, kept, retimed;
    /* WC_STATUS */
    json_object *arr;
    struct sched_stats st;
    uint32_t by_state[SCHED__COUNT];
    size_t count;
    uint64_t store_bytes; /* bytes of the worker's snapshots (shared parts in each) */
};

struct daemon;

struct worker {
    struct daemon *dm;
    unsigned id;
    pthread_t th;
    bool started;
    struct ev_loop *loop;
    struct poller *p;
    struct sched *s;
    int efd; /* eventfd: commands queued */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct wcmd *head, *tail;
    struct wcmd stop_cmd;
    bool stopping;
    struct ev_timer guard;
    struct pending *pend; /* changed BMCs waiting for their old self to leave */
    size_t npend, cappend;
    /* the last snapshot built for each BMC index (its own reference): the
     * next one shares unchanged parts with it; the status file renders it */
    const struct store_bmc **last;
    size_t nlast;
    struct log_rl rl;
};

struct daemon {
    const char *path;
    struct cfg *cfg;
    struct ev_loop *loop;
    struct worker *w;
    unsigned nw;
    struct index_map *im;
    struct store *store; /* every BMC's latest snapshot: workers publish, the agent reads */
    const struct daemon_hooks *hooks;
    int sigfd;
    bool stopping;
    struct ev_timer status_timer;
    uint32_t reloads, reload_errors;
    uint32_t fallback_index; /* without a usable state-dir: the next index for this run */
    uint64_t started_ns;
};

/* ---- indices ------------------------------------------------------------------ */

static uint32_t index_of(struct daemon *dm, const struct cfg_bmc *b)
{
    uint32_t v = dm->im ? index_map_get(dm->im, b->name, b->index) : 0;
    if (v)
        return v;
    /* no index file: explicit indices, else numbers above every one given out */
    v = b->index ? b->index : ++dm->fallback_index;
    if (v > dm->fallback_index)
        dm->fallback_index = v;
    return v;
}

static void save_indices(struct daemon *dm)
{
    char err[1200];
    if (dm->im && index_map_save(dm->im, err, sizeof(err)) < 0)
        log_err("BMC indices not saved (they may change at the next start): %s", err);
}

/* ---- workers: placement and command queue ------------------------------------------ */

/* The worker of a BMC: stable across reloads, independent of the shard split. */
static unsigned worker_of(const struct daemon *dm, const char *name)
{
    uint32_t n = dm->cfg->shard_n ? dm->cfg->shard_n : 1;
    return (unsigned)((sched_name_mix(name) / n) % dm->nw);
}

static void post(struct worker *w, struct wcmd *c)
{
    c->next = NULL;
    c->done = false;
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = c;
    else
        w->head = c;
    w->tail = c;
    pthread_mutex_unlock(&w->mu);
    uint64_t one = 1;
    while (write(w->efd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
}

static void wait_done(struct worker *w, struct wcmd *c)
{
    pthread_mutex_lock(&w->mu);
    while (!c->done)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

/* ---- snapshots (worker threads publish, the main thread applies) ----------------- */

/* The scheduler's state as the snapshot's (and the MIB's): a session error
 * other than auth/unreachable is named by its error word. */
static uint8_t store_state_of(const struct sched_info *si)
{
    static const uint8_t map[SCHED__COUNT] = {
        [SCHED_NEW] = STORE_ST_NEW,
        [SCHED_CONNECTING] = STORE_ST_CONNECTING,
        [SCHED_DISCOVERING] = STORE_ST_DISCOVERING,
        [SCHED_POLLING] = STORE_ST_POLLING,
        [SCHED_DEGRADED] = STORE_ST_DEGRADED,
        [SCHED_UNREACHABLE] = STORE_ST_UNREACHABLE,
        [SCHED_AUTH_FAILED] = STORE_ST_AUTH_FAILED,
        [SCHED_ERROR] = STORE_ST_INTERNAL,
    };
    if (si->state == SCHED_ERROR && si->error != BMC_E_NONE)
        return (uint8_t)store_state_from_error(si->error);
    return si->state < SCHED__COUNT ? map[si->state] : STORE_ST_INTERNAL;
}

static const struct store_bmc *last_of(const struct worker *w, uint32_t index)
{
    return index < w->nlast ? w->last[index] : NULL;
}

/* Keep `snap` (one reference, may be NULL) as the last of `index`. */
static int set_last(struct worker *w, uint32_t index, const struct store_bmc *snap)
{
    if (index >= w->nlast) {
        if (!snap)
            return 0;
        size_t n = w->nlast ? w->nlast : 64;
        while (n <= index)
            n *= 2;
        const struct store_bmc **nl = realloc(w->last, n * sizeof(*nl));
        if (!nl)
            return -1;
        memset(nl + w->nlast, 0, (n - w->nlast) * sizeof(*nl));
        w->last = nl;
        w->nlast = n;
    }
    store_bmc_unref(w->last[index]);
    w->last[index] = snap;
    return 0;
}

/*
 * On the worker's thread: a new snapshot of one BMC into the store (after
 * each chain, and when it is added); parts that did not change are shared
 * with the worker's previous one.  The main thread applies it.
 */
static void publish(struct worker *w, struct sched_bmc *sb)
{
    struct daemon *dm = w->dm;
    struct sched_info si;
    sched_info(sb, &si);
    const struct cfg_bmc *c = sched_cfg(sb);
    bool failed =
        si.state == SCHED_UNREACHABLE || si.state == SCHED_AUTH_FAILED || si.state == SCHED_ERROR;
    struct snap_opts so = {
        .bmc_index = si.index,
        .set_state = true,
        .state = store_state_of(&si),
        .error = failed && si.error_text && si.error_text[0] ? si.error_text : NULL,
        .name = c->name,
        .address = c->address,
    };
    const struct store_bmc *snap = snap_build(sched_data(sb), &so, last_of(w, si.index));
    if (!snap || set_last(w, si.index, snap) < 0 ||
        store_publish(dm->store, store_bmc_ref(snap)) < 0) {
        uint32_t held;
        if (snap && last_of(w, si.index) != snap)
            store_bmc_unref(snap);
        if (log_rl_ok(&w->rl, ev_now(w->loop), 60 * EV_NS_PER_SEC, &held))
            log_err("BMC %s: out of memory for its snapshot; the MIB and status keep the previous "
                    "one",
                    c->name);
        return;
    }
    /* the snapshot holds the FRU part now (shared until the next FRU read):
     * the reader's results, about 10 KB per FRU device, can go */
    if (snap->fru)
        fru_reader_trim(sched_data(sb)->frur);
}

/* Main thread: the workers published; apply (the agent reads on this thread). */
static void on_store(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)fd;
    (void)events;
    struct daemon *dm = arg;
    store_apply(dm->store);
}

/* ---- status file ---------------------------------------------------------------- */

static json_object *age(uint64_t now, uint64_t then)
{
    if (!then)
        return NULL;
    return json_object_new_double(now > then ? (double)(now - then) / 1e9 : 0.0);
}

/*
 * On the worker's thread.  One BMC of the status file: its snapshot as
 * --once --json renders it (state, error text, sensors, FRU, SEL, counters,
 * info), each sensor with the age of its reading, plus the scheduler's
 * figures and the worker that polls it.
 */
static json_object *status_bmc(struct worker *w, struct sched_bmc *sb, uint64_t now)
{
    struct sched_info si;
    sched_info(sb, &si);
    const struct bmc_data *d = sched_data(sb);
    const struct store_bmc *snap = last_of(w, si.index);
    json_object *j;
    if (snap) {
        j = report_json_bmc(snap);
    } else { /* not published (memory was short): what the scheduler knows */
        const struct cfg_bmc *c = sched_cfg(sb);
        j = json_object_new_object();
        json_object_object_add(j, "index", json_object_new_int64(si.index));
        json_object_object_add(j, "name", json_object_new_string(c->name));
        json_object_object_add(j, "address", json_object_new_string(c->address));
        json_object_object_add(j, "state",
                               json_object_new_string(store_state_word(store_state_of(&si))));
    }
    json_object *arr;
    if (snap && snap->sensors && json_object_object_get_ex(j, "sensors", &arr) &&
        json_object_is_type(arr, json_type_array))
        for (uint32_t i = 0; i < snap->sensors->p.n && i < json_object_array_length(arr); i++)
            json_object_object_add(json_object_array_get_idx(arr, i), "age_s",
                                   age(now, snap->sensors->s[i].read_mono_ns));
    uint32_t readings = 0;
    for (uint32_t i = 0; snap && snap->sensors && i < snap->sensors->p.n; i++)
        if (snap->sensors->s[i].status != STORE_STATUS_UNAVAILABLE)
            readings++;
    static const struct bmc_counters none;
    const struct bmc_counters *bc = snap ? &snap->counters : &none;
    json_object_object_add(j, "worker", json_object_new_int64(w->id));
    json_object_object_add(j, "scheduler_state",
                           json_object_new_string(sched_state_name(si.state)));
    json_object_object_add(j, "error_word",
                           si.error ? json_object_new_string(bmc_error_word(si.error)) : NULL);
    json_object_object_add(j, "error_text",
                           si.error ? json_object_new_string(si.error_text) : NULL);
    json_object_object_add(j, "session",
                           json_object_new_string(d->b ? bmc_state_name(bmc_state(d->b)) : "none"));
    json_object_object_add(j, "leaving", json_object_new_boolean(sched_leaving(sb)));
    json_object_object_add(j, "chains", json_object_new_int64(si.chains));
    json_object_object_add(j, "failures", json_object_new_int64(si.failures));
    json_object_object_add(j, "logins", json_object_new_int64((int64_t)bc->sessions_opened));
    json_object_object_add(j, "requests", json_object_new_int64((int64_t)bc->requests));
    json_object_object_add(j, "bad_packets", json_object_new_int64((int64_t)bc->bad_packets));
    json_object_object_add(j, "backoff_s", json_object_new_int64(si.backoff_s));
    json_object_object_add(
        j, "next_in_s",
        json_object_new_double(si.next_ns > now ? (double)(si.next_ns - now) / 1e9 : 0.0));
    json_object *ages = json_object_new_object();
    for (int t = 0; t < TASK__COUNT; t++)
        json_object_object_add(ages, sched_task_name((enum sched_task)t),
                               age(now, si.last_ok_ns[t]));
    json_object_object_add(j, "age_s", ages);
    json_object_object_add(j, "snapshot_age_s", snap ? age(now, snap->poll_mono_ns) : NULL);
    json_object_object_add(j, "sensor_count", json_object_new_int64(snap ? snap->nsensors : 0));
    json_object_object_add(j, "readings", json_object_new_int64(readings));
    json_object_object_add(j, "sdr_records", json_object_new_int64(snap ? snap->sdr.records : 0));
    json_object_object_add(j, "sel_entries",
                           json_object_new_int64(snap && snap->sel ? snap->sel->p.n : 0));
    json_object_object_add(j, "fru_read", json_object_new_boolean(snap && snap->fru));
    return j;
}

/* WC_STATUS on the worker's thread: its BMCs and figures. */
static void worker_status(struct worker *w, struct wcmd *c)
{
    uint64_t now = ev_now_update(w->loop);
    c->arr = json_object_new_array();
    sched_stats(w->s, &c->st);
    memset(c->by_state, 0, sizeof(c->by_state));
    c->store_bytes = 0;
    c->count = sched_count(w->s);
    for (size_t i = 0; i < c->count; i++) {
        struct sched_bmc *sb = sched_at(w->s, i);
        struct sched_info si;
        sched_info(sb, &si);
        c->by_state[si.state]++;
        const struct store_bmc *snap = last_of(w, si.index);
        c->store_bytes += snap ? store_bmc_bytes(snap) : 0;
        json_object_array_add(c->arr, status_bmc(w, sb, now));
    }
}

static void write_status(struct daemon *dm)
{
    const char *path = dm->cfg->status_file;
    if (!path[0] || dm->stopping) /* stopping: the workers are going away */
        return;
    struct wcmd *cmds = calloc(dm->nw, sizeof(*cmds));
    if (!cmds)
        return;
    for (unsigned k = 0; k < dm->nw; k++) {
        cmds[k].kind = WC_STATUS;
        post(&dm->w[k], &cmds[k]);
    }
    for (unsigned k = 0; k < dm->nw; k++)
        wait_done(&dm->w[k], &cmds[k]);
    uint64_t now = ev_now_update(dm->loop);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "pid", json_object_new_int64((int64_t)getpid()));
    json_object_object_add(root, "time", json_object_new_int64((int64_t)time(NULL)));
    json_object_object_add(root, "uptime_s",
                           json_object_new_double((double)(now - dm->started_ns) / 1e9));
    json_object_object_add(root, "config", json_object_new_string(dm->path));
    json_object_object_add(root, "reloads", json_object_new_int64(dm->reloads));
    json_object_object_add(root, "reload_errors", json_object_new_int64(dm->reload_errors));
    /* fleet figures: sums over the workers (each has its share of the caps) */
    struct sched_stats st = {0};
    uint32_t by_state[SCHED__COUNT] = {0};
    size_t total = 0;
    uint64_t store_bytes = 0;
    json_object *per = json_object_new_array();
    for (unsigned k = 0; k < dm->nw; k++) {
        const struct sched_stats *x = &cmds[k].st;
        st.logins_in_flight += x->logins_in_flight;
        st.login_window += x->login_window;
        st.max_logins_seen += x->max_logins_seen;
        st.login_window_min += x->login_window_min;
        st.sdr_in_flight += x->sdr_in_flight;
        st.max_sdr_seen += x->max_sdr_seen;
        st.waiting_login += x->waiting_login;
        st.waiting_sdr += x->waiting_sdr;
        st.login_timeouts += x->login_timeouts;
        st.logins_ok += x->logins_ok;
        for (int s = 0; s < SCHED__COUNT; s++)
            by_state[s] += cmds[k].by_state[s];
        total += cmds[k].count;
        store_bytes += cmds[k].store_bytes;
        json_object *wj = json_object_new_object();
        json_object_object_add(wj, "bmcs", json_object_new_int64((int64_t)cmds[k].count));
        json_object_object_add(wj, "logins_ok", json_object_new_int64((int64_t)x->logins_ok));
        json_object_object_add(wj, "login_window", json_object_new_int64(x->login_window));
        json_object_array_add(per, wj);
    }
    json_object *f = json_object_new_object();
    json_object_object_add(f, "bmcs", json_object_new_int64((int64_t)total));
    json_object_object_add(f, "workers", json_object_new_int64(dm->nw));
    json_object_object_add(f, "logins_in_flight", json_object_new_int64(st.logins_in_flight));
    json_object_object_add(f, "login_window", json_object_new_int64(st.login_window));
    json_object_object_add(f, "login_window_min", json_object_new_int64(st.login_window_min));
    json_object_object_add(f, "max_logins_seen", json_object_new_int64(st.max_logins_seen));
    json_object_object_add(f, "sdr_in_flight", json_object_new_int64(st.sdr_in_flight));
    json_object_object_add(f, "max_sdr_seen", json_object_new_int64(st.max_sdr_seen));
    json_object_object_add(f, "waiting_login", json_object_new_int64(st.waiting_login));
    json_object_object_add(f, "waiting_sdr", json_object_new_int64(st.waiting_sdr));
    json_object_object_add(f, "login_timeouts", json_object_new_int64((int64_t)st.login_timeouts));
    json_object_object_add(f, "logins_ok", json_object_new_int64((int64_t)st.logins_ok));
    json_object *bs = json_object_new_object();
    for (int k = 0; k < SCHED__COUNT; k++)
        json_object_object_add(bs, sched_state_name((enum sched_state)k),
                               json_object_new_int64(by_state[k]));
    json_object_object_add(f, "states", bs);
    json_object_object_add(f, "per_worker", per);
    json_object_object_add(f, "store_bytes", json_object_new_int64((int64_t)store_bytes));
    struct sdr_share_stats ss;
    sdr_share_stats(&ss);
    json_object *sh = json_object_new_object();
    json_object_object_add(sh, "repositories", json_object_new_int64((int64_t)ss.contents));
    json_object_object_add(sh, "holders", json_object_new_int64((int64_t)ss.refs));
    json_object_object_add(sh, "bytes", json_object_new_int64((int64_t)ss.bytes));
    json_object_object_add(f, "sdr_shared", sh);
    json_object *arr = json_object_new_array();
    for (unsigned k = 0; k < dm->nw; k++) {
        size_t n = json_object_array_length(cmds[k].arr);
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, json_object_get(json_object_array_get_idx(cmds[k].arr, i)));
        json_object_put(cmds[k].arr);
    }
    free(cmds);
    json_object_object_add(root, "fleet", f);
    json_object_object_add(root, "bmcs", arr);

    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    if (ok) {
        size_t len = strlen(text), off = 0;
        while (ok && off < len) {
            ssize_t wr = write(fd, text + off, len - off);
            if (wr < 0 && errno == EINTR)
                continue;
            ok = wr > 0;
            off += wr > 0 ? (size_t)wr : 0;
        }
        ok = ok && write(fd, "\n", 1) == 1;
        if (close(fd) < 0)
            ok = false;
        ok = ok && rename(tmp, path) == 0;
    }
    if (!ok) {
        static struct log_rl rl;
        uint32_t held;
        if (log_rl_ok(&rl, now, 60 * EV_NS_PER_SEC, &held))
            log_err("status-file %s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
    }
    json_object_put(root);
#ifdef __GLIBC__
    /* the file renders every sensor of every BMC (json-c objects of some KB
     * per BMC, built on the workers): give those pages back, or the RSS
     * keeps the status file's peak instead of the fleet's size */
    malloc_trim(0);
#endif
}

static void on_status_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    struct daemon *dm = arg;
    write_status(dm);
    if (dm->cfg->status_interval_s && !dm->stopping)
        ev_timer_start(loop, t, (uint64_t)dm->cfg->status_interval_s * EV_NS_PER_SEC);
}

/* ---- reload (the worker's part runs on its thread) ---------------------------------- */

static void on_left(struct sched *s, void *arg, const char *name, uint32_t index)
{
    struct worker *w = arg;
    set_last(w, index, NULL);
    store_remove(w->dm->store, index); /* any thread; the main thread applies it */
    for (size_t i = 0; i < w->npend; i++) {
        if (strcmp(w->pend[i].cfg.name, name) != 0)
            continue;
        char err[600];
        struct sched_bmc *nb = NULL;
        if (!w->stopping &&
            !(nb = sched_add(s, &w->pend[i].cfg, w->pend[i].index, 0, err, sizeof(err))))
            log_err("BMC %s: cannot restart with its new configuration: %s", name, err);
        else
            log_notice("BMC %s: restarted with its new configuration", name);
        if (nb)
            publish(w, nb);
        memset(&w->pend[i].cfg, 0, sizeof(w->pend[i].cfg));
        w->pend[i] = w->pend[--w->npend];
        return;
    }
    log_notice("BMC %s: removed", name);
}

static void on_publish(struct sched *s, void *arg, struct sched_bmc *sb)
{
    (void)s;
    publish(arg, sb);
}

static int add_pending(struct worker *w, const struct cfg_bmc *c, uint32_t index)
{
    for (size_t i = 0; i < w->npend; i++) {
        if (strcmp(w->pend[i].cfg.name, c->name) == 0) { /* changed twice: the latest wins */
            w->pend[i].cfg = *c;
            w->pend[i].index = index;
            return 0;
        }
    }
    if (w->npend == w->cappend) {
        size_t cap = w->cappend ? w->cappend * 2 : 16;
        struct pending *np = realloc(w->pend, cap * sizeof(*np));
        if (!np)
            return -1;
        w->pend = np;
        w->cappend = cap;
    }
    w->pend[w->npend].cfg = *c;
    w->pend[w->npend].index = index;
    w->npend++;
    return 0;
}

static bool equal_but_intervals(const struct cfg_bmc *a, const struct cfg_bmc *b)
{
    struct cfg_bmc x = *b;
    x.sensor_interval_s = a->sensor_interval_s;
    x.sel_interval_s = a->sel_interval_s;
    x.sdr_check_interval_s = a->sdr_check_interval_s;
    x.fru_interval_s = a->fru_interval_s;
    x.info_interval_s = a->info_interval_s;
    bool eq = cfg_bmc_equal(a, &x);
    memset(&x, 0, sizeof(x));
    return eq;
}

static int cmp_sb(const void *a, const void *b)
{
    const struct sched_bmc *x = *(struct sched_bmc *const *)a;
    const struct sched_bmc *y = *(struct sched_bmc *const *)b;
    return strcmp(sched_cfg(x)->name, sched_cfg(y)->name);
}

/* WC_APPLY: bring the worker's BMCs to c->bmcs (sorted by name). */
static void worker_apply(struct worker *w, struct wcmd *c)
{
    char err[1024];
    size_t n_old = sched_count(w->s);
    struct sched_bmc **ov = calloc(n_old ? n_old : 1, sizeof(*ov));
    if (!ov) {
        log_err("reload: worker %u keeps its BMCs: out of memory", w->id);
        return;
    }
    for (size_t i = 0; i < n_old; i++)
        ov[i] = sched_at(w->s, i);
    qsort(ov, n_old, sizeof(*ov), cmp_sb);
    size_t i = 0, j = 0;
    while (i < n_old || j < c->n) {
        int d = i == n_old ? 1 : j == c->n ? -1 : strcmp(sched_cfg(ov[i])->name, c->bmcs[j]->name);
        if (d < 0) { /* gone */
            if (!sched_leaving(ov[i])) {
                sched_remove(ov[i]);
                c->removed++;
            }
            i++;
            continue;
        }
        const struct cfg_bmc *nb = c->bmcs[j];
        uint32_t idx = c->idx[j];
        if (d > 0) { /* new */
            struct sched_bmc *added = sched_add(w->s, nb, idx, COLD_SPREAD_MS, err, sizeof(err));
            if (!added) {
                if (c->initial) /* e.g. a name that does not resolve */
                    log_err("BMC %s not polled: %s", nb->name, err);
                else
                    log_err("reload: BMC %s not added: %s", nb->name, err);
            } else {
                publish(w, added); /* state new: in the MIB from the start */
                c->added++;
            }
            j++;
            continue;
        }
        struct sched_bmc *sb = ov[i];
        if (sched_leaving(sb)) { /* already on its way out: come back with this config */
            add_pending(w, nb, idx);
            c->changed++;
        } else if (cfg_bmc_equal(sched_cfg(sb), nb)) {
            c->kept++;
        } else if (equal_but_intervals(sched_cfg(sb), nb)) {
            sched_update_intervals(sb, nb);
            c->retimed++;
        } else if (add_pending(w, nb, idx) == 0) {
            sched_remove(sb);
            c->changed++;
        } else {
            log_err("reload: BMC %s keeps its old configuration: out of memory", nb->name);
        }
        i++;
        j++;
    }
    free(ov);
}

static int cmp_cfgp(const void *a, const void *b)
{
    const struct cfg_bmc *x = *(const struct cfg_bmc *const *)a;
    const struct cfg_bmc *y = *(const struct cfg_bmc *const *)b;
    return strcmp(x->name, y->name);
}

/*
 * Hand every worker its part of `nc` (the BMCs of this shard) and wait until
 * each has applied it; the counts are summed into `sum`.  The workers copy
 * what they keep, so `nc` may be replaced afterwards.
 */
static int distribute(struct daemon *dm, const struct cfg *nc, bool initial, struct wcmd *sum)
{
    size_t n = 0;
    const struct cfg_bmc **nv = calloc(nc->nbmcs ? nc->nbmcs : 1, sizeof(*nv));
    const struct cfg_bmc **part = calloc(nc->nbmcs ? nc->nbmcs : 1, sizeof(*part));
    uint32_t *idx = calloc(nc->nbmcs ? nc->nbmcs : 1, sizeof(*idx));
    struct wcmd *cmds = calloc(dm->nw, sizeof(*cmds));
    if (!nv || !part || !idx || !cmds) {
        free(nv);
        free(part);
        free(idx);
        free(cmds);
        return -1;
    }
    uint32_t *all = calloc(nc->nbmcs ? nc->nbmcs : 1, sizeof(*all));
    if (!all) {
        free(nv);
        free(part);
        free(idx);
        free(cmds);
        return -1;
    }
    /* indices in configuration order (as before the workers), then sorted per worker */
    for (size_t i = 0; i < nc->nbmcs; i++) {
        if (!sched_in_shard(nc->bmcs[i].name, nc->shard_k, nc->shard_n))
            continue;
        nv[n++] = &nc->bmcs[i];
        all[i] = index_of(dm, &nc->bmcs[i]);
    }
    qsort(nv, n, sizeof(*nv), cmp_cfgp);
    size_t off = 0;
    for (unsigned k = 0; k < dm->nw; k++) {
        struct wcmd *c = &cmds[k];
        c->kind = WC_APPLY;
        c->initial = initial;
        c->bmcs = part + off;
        c->idx = idx + off;
        for (size_t i = 0; i < n; i++) {
            if (worker_of(dm, nv[i]->name) != k)
                continue;
            part[off] = nv[i];
            idx[off] = all[nv[i] - nc->bmcs];
            off++;
        }
        c->n = (size_t)(part + off - c->bmcs);
        post(&dm->w[k], c);
    }
    for (unsigned k = 0; k < dm->nw; k++) {
        wait_done(&dm->w[k], &cmds[k]);
        sum->added += cmds[k].added;
        sum->removed += cmds[k].removed;
        sum->changed += cmds[k].changed;
        sum->kept += cmds[k].kept;
        sum->retimed += cmds[k].retimed;
    }
    free(all);
    free(nv);
    free(part);
    free(idx);
    free(cmds);
    return 0;
}

/* Global keys that take effect only at the next start. */
static void note_restart_keys(const struct cfg *o, const struct cfg *n)
{
    static const struct {
        const char *key;
        size_t off, len;
    } keys[] = {
#define K(name, field) {name, offsetof(struct cfg, field), sizeof(((struct cfg *)0)->field)}
        K("timeout", timeout_ms),
        K("retries", retries),
        K("session-timeout", session_timeout_ms),
        K("idle-reopen", idle_reopen_ms),
        K("max-in-flight", max_in_flight),
        K("sockets", sockets),
        K("socket-buffer", socket_buffer),
        K("sel-entries", sel_entries),
        K("max-logins", max_logins),
        K("max-sdr-reads", max_sdr_reads),
        K("auth-retry-interval", auth_retry_s),
        K("unreachable-max-backoff", unreachable_max_s),
        K("sdr-cache-dir", sdr_cache_dir),
        K("state-dir", state_dir),
        K("log", log),
        K("user", user),
        K("agentx-socket", agentx_socket),
        K("pet-listen", pet_listen),
        K("shard", shard_n),
        K("worker-threads", worker_threads),
#undef K
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (memcmp((const char *)o + keys[i].off, (const char *)n + keys[i].off, keys[i].len))
            log_warn("reload: %s changed; it takes effect at the next start", keys[i].key);
    if (o->shard_k != n->shard_k)
        log_warn("reload: shard changed; it takes effect at the next start");
}

static void reload(struct daemon *dm)
{
    char err[1024];
    struct cfg *nc = cfg_load(dm->path, err, sizeof(err));
    if (!nc) {
        dm->reload_errors++;
        log_err("reload refused, the running configuration stays: %s", err);
        return;
    }
    dm->reloads++;
    note_restart_keys(dm->cfg, nc);
    /* keep the shard of the running process: a shard change needs a restart */
    nc->shard_k = dm->cfg->shard_k;
    nc->shard_n = dm->cfg->shard_n;
    struct wcmd sum = {0};
    if (distribute(dm, nc, false, &sum) < 0) {
        cfg_unload(nc);
        log_err("reload refused: out of memory");
        return;
    }
    save_indices(dm);
    /* the schedulers hold copies of every cfg_bmc: the old struct can go */
    cfg_unload(dm->cfg);
    dm->cfg = nc;
    log_notice("reloaded %s: %u added, %u removed, %u restarted, %u with new intervals, %u "
               "unchanged",
               dm->path, sum.added, sum.removed, sum.changed, sum.retimed, sum.kept);
    if (dm->hooks && dm->hooks->reload)
        dm->hooks->reload(dm->hooks->arg, dm->cfg);
    if (dm->cfg->status_file[0] && dm->cfg->status_interval_s)
        ev_timer_start(dm->loop, &dm->status_timer, 0);
    else
        ev_timer_stop(dm->loop, &dm->status_timer);
}

/* ---- shutdown (the worker's part on its thread) -------------------------------------- */

static void all_closed(struct bmc *b, void *arg)
{
    (void)b;
    struct worker *w = arg;
    ev_stop(w->loop);
}

static void on_guard(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)t;
    struct worker *w = arg;
    log_warn("shutdown: some BMCs did not answer Close Session; exiting anyway (worker %u)", w->id);
    ev_stop(loop);
}

static void worker_stop(struct worker *w)
{
    if (w->stopping)
        return;
    w->stopping = true;
    sched_stop(w->s);
    ev_timer_start(w->loop, &w->guard, (uint64_t)SHUTDOWN_GUARD_MS * EV_NS_PER_MS);
    poller_close_all(w->p, all_closed, w);
}

static void on_cmd(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)events;
    struct worker *w = arg;
    uint64_t v;
    while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&w->mu);
    struct wcmd *c = w->head;
    w->head = w->tail = NULL;
    pthread_mutex_unlock(&w->mu);
    while (c) {
        struct wcmd *next = c->next;
        switch (c->kind) {
        case WC_APPLY:
            worker_apply(w, c);
            break;
        case WC_STATUS:
            worker_status(w, c);
            break;
        case WC_STOP:
            worker_stop(w);
            break;
        }
        pthread_mutex_lock(&w->mu); /* after this, c belongs to the poster again */
        c->done = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        c = next;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    if (ev_run(w->loop) < 0)
        log_err("worker %u: event loop failed: %s", w->id, strerror(errno));
    ev_timer_stop(w->loop, &w->guard);
    ev_del_fd(w->loop, w->efd);
    sched_detach_all(w->s);
    return NULL;
}

static int worker_init(struct daemon *dm, struct worker *w, unsigned id,
                       const struct poller_opts *po, const struct sched_opts *so, char *err,
                       size_t errlen)
{
    w->dm = dm;
    w->id = id;
    w->efd = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->stop_cmd.kind = WC_STOP;
    ev_timer_init(&w->guard, on_guard, w);
    w->loop = ev_new();
    if (!w->loop) {
        snprintf(err, errlen, "cannot create an event loop");
        return -1;
    }
    ev_now_update(w->loop);
    w->p = poller_new(w->loop, po, err, errlen);
    if (!w->p)
        return -1;
    w->s = sched_new(w->loop, w->p, so);
    if (!w->s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sched_set_left_cb(w->s, on_left, w);
    sched_set_publish_cb(w->s, on_publish, w);
    w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->efd < 0 || ev_add_fd(w->loop, w->efd, EPOLLIN, on_cmd, w) < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void worker_free(struct worker *w)
{
    sched_free(w->s);
    poller_free(w->p);
    ev_free(w->loop);
    if (w->efd >= 0)
        close(w->efd);
    for (size_t i = 0; i < w->npend; i++)
        memset(&w->pend[i].cfg, 0, sizeof(w->pend[i].cfg));
    free(w->pend);
    for (size_t i = 0; i < w->nlast; i++)
        store_bmc_unref(w->last[i]);
    free(w->last);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

static void shutdown_begin(struct daemon *dm, const char *why)
{
    if (dm->stopping)
        return;
    log_notice("%s: closing the sessions of %u workers and exiting", why, dm->nw);
    dm->stopping = true;
    if (dm->hooks && dm->hooks->stop)
        dm->hooks->stop(dm->hooks->arg);
    ev_timer_stop(dm->loop, &dm->status_timer);
    for (unsigned k = 0; k < dm->nw; k++)
        post(&dm->w[k], &dm->w[k].stop_cmd);
    ev_stop(dm->loop); /* daemon_run joins the workers */
}

static void on_signal(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)events;
    struct daemon *dm = arg;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        switch (si.ssi_signo) {
        case SIGTERM:
            shutdown_begin(dm, "SIGTERM");
            break;
        case SIGINT:
            shutdown_begin(dm, "SIGINT");
            break;
        case SIGHUP:
            if (!dm->stopping)
                reload(dm);
            break;
        case SIGUSR1:
            write_status(dm);
            break;
        default:
            break;
        }
    }
}

/* ---- run ---------------------------------------------------------------------------- */

static unsigned worker_count(const struct cfg *cfg)
{
    long n = cfg->worker_threads;
    if (!n) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1)
            n = 1;
        if (n > CFG_WORKERS_AUTO)
            n = CFG_WORKERS_AUTO;
    }
    /* every worker needs at least one login and one SDR slot of the fleet-wide caps */
    uint32_t ml = cfg->max_logins ? cfg->max_logins : 64;
    uint32_t ms = cfg->max_sdr_reads ? cfg->max_sdr_reads : 32;
    if ((uint32_t)n > ml || (uint32_t)n > ms) {
        long cap = ml < ms ? ml : ms;
        log_notice("worker-threads: %ld workers, not %ld: max-logins and max-sdr-reads are split "
                   "between them",
                   cap, n);
        n = cap;
    }
    return (unsigned)n;
}

/* Worker k's share of a fleet-wide cap. */
static uint32_t share(uint32_t cap, unsigned k, unsigned n)
{
    return cap / n + (k < cap % n ? 1 : 0);
}

int daemon_run(const char *path, struct cfg *cfg, const struct daemon_hooks *hooks)
{
    struct daemon dm = {.path = path, .cfg = cfg, .hooks = hooks, .sigfd = -1};
    char err[1200];
    int status = 1;

    log_init(NULL, cfg->log == CFG_LOG_SYSLOG, log_get_level());
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGUSR1);
    /* blocked before any worker starts, so that only the signalfd sees them */
    if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0 ||
        (dm.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        log_err("signalfd: %s", strerror(errno));
        goto out;
    }
    if (cfg->user[0])
        log_notice("user = \"%s\": changing user is not part of this build; running as uid %ld",
                   cfg->user, (long)getuid());

    dm.im = index_map_load(cfg->state_dir, err, sizeof(err));
    if (!dm.im)
        log_err("BMC indices cannot be kept (state-dir): %s; they are assigned in configuration "
                "order for this run",
                err);

    struct poller_opts po;
    poller_opts_default(&po);
    po.timeout_ms = cfg->timeout_ms;
    po.retries = cfg->retries;
    po.session_timeout_ms = cfg->session_timeout_ms;
    po.idle_reopen_ms = cfg->idle_reopen_ms;
    po.max_in_flight = cfg->max_in_flight;
    po.sockets = cfg->sockets;
    po.socket_buffer = cfg->socket_buffer;
    dm.loop = ev_new();
    if (!dm.loop) {
        log_err("cannot create the event loop");
        goto out;
    }
    dm.started_ns = ev_now_update(dm.loop);
    dm.store = store_new();
    if (!dm.store || ev_add_fd(dm.loop, store_fd(dm.store), EPOLLIN, on_store, &dm) < 0) {
        log_err("out of memory for the store");
        goto out;
    }
    dm.nw = worker_count(cfg);
    dm.w = calloc(dm.nw, sizeof(*dm.w));
    if (!dm.w) {
        log_err("out of memory");
        goto out;
    }
    struct sched_opts so;
    sched_opts_from_cfg(&so, cfg);
    uint32_t max_logins = so.max_logins, max_sdr = so.max_sdr_reads;
    for (unsigned k = 0; k < dm.nw; k++) {
        dm.w[k].efd = -1;
        so.max_logins = share(max_logins, k, dm.nw);
        so.max_sdr_reads = share(max_sdr, k, dm.nw);
        if (worker_init(&dm, &dm.w[k], k, &po, &so, err, sizeof(err)) < 0) {
            log_err("worker %u: %s", k, err);
            goto out;
        }
    }
    for (size_t i = 0; i < cfg->nbmcs; i++) /* automatic indices stay clear of explicit ones */
        if (cfg->bmcs[i].index > dm.fallback_index)
            dm.fallback_index = cfg->bmcs[i].index;
    for (unsigned k = 0; k < dm.nw; k++) {
        if (pthread_create(&dm.w[k].th, NULL, worker_main, &dm.w[k]) != 0) {
            log_err("worker %u: cannot start its thread", k);
            for (unsigned j = 0; j < k; j++)
                post(&dm.w[j], &dm.w[j].stop_cmd);
            goto out;
        }
        dm.w[k].started = true;
    }
    struct wcmd sum = {0};
    if (distribute(&dm, cfg, true, &sum) < 0) {
        log_err("out of memory");
        for (unsigned k = 0; k < dm.nw; k++)
            post(&dm.w[k], &dm.w[k].stop_cmd);
        goto out;
    }
    size_t owned = sum.added;
    save_indices(&dm);
    if (cfg->shard_n > 1)
        log_notice("shard %u/%u: %zu of %zu BMCs", cfg->shard_k, cfg->shard_n, owned, cfg->nbmcs);
    if (ev_add_fd(dm.loop, dm.sigfd, EPOLLIN, on_signal, &dm) < 0) {
        log_err("epoll: %s", strerror(errno));
        shutdown_begin(&dm, "epoll failure");
        goto out;
    }
    ev_timer_init(&dm.status_timer, on_status_timer, &dm);
    if (cfg->status_file[0] && cfg->status_interval_s)
        ev_timer_start(dm.loop, &dm.status_timer, 0);
    store_apply(dm.store); /* every BMC in state new: in the MIB from the start */
    if (hooks && hooks->start && hooks->start(hooks->arg, dm.loop, dm.store, cfg) < 0)
        log_err("the AgentX subagent did not start; polling goes on");
    log_notice("running: %zu BMCs, %u worker threads, pid %ld", owned, dm.nw, (long)getpid());

    if (ev_run(dm.loop) < 0) {
        log_err("event loop failed: %s", strerror(errno));
        shutdown_begin(&dm, "event loop failure");
    } else {
        status = 0;
    }
    ev_timer_stop(dm.loop, &dm.status_timer);
    ev_del_fd(dm.loop, dm.sigfd);
out:
    for (unsigned k = 0; dm.w && k < dm.nw; k++)
        if (dm.w[k].started)
            pthread_join(dm.w[k].th, NULL);
    if (dm.w && status == 0)
        log_notice("stopped");
    for (unsigned k = 0; dm.w && k < dm.nw; k++)
        worker_free(&dm.w[k]);
    free(dm.w);
    if (dm.store)
        ev_del_fd(dm.loop, store_fd(dm.store));
    store_free(dm.store);
    ev_free(dm.loop);
    index_map_free(dm.im);
    if (dm.sigfd >= 0)
        close(dm.sigfd);
    cfg_unload(dm.cfg);
    return status;
}
