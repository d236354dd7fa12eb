/*
 * daemon.c - the long-running mode (see daemon.h).
 *
 * Foreground, systemd style: no fork, no pid file; logs to stderr or
 * syslog ("log" key).  Signals arrive through a signalfd on the event loop,
 * so handlers run as ordinary callbacks.
 *
 *   SIGTERM, SIGINT  Close Session on every open session of every worker,
 *                    exit 0 (at most about 4 s even when BMCs do not answer)
 *   SIGHUP           reload: added BMCs start, removed ones close and leave,
 *                    changed ones restart, unchanged ones keep their
 *                    sessions, SDRs, SEL positions and indices; a file with
 *                    an error is refused as a whole (FILE:LINE logged)
 *   SIGUSR1          write the status file now
 *
 * Threads.  `worker-threads` workers each own an event loop, a poller (its
 * sockets), a scheduler, a control set and a partition of the BMCs: worker
 * (h / shard-N) mod workers, h = sched_name_mix(name), so a BMC stays on
 * its worker across reloads whatever else the fleet gains or loses.  The
 * main thread keeps the signals, the configuration, the index file, the
 * status file and the AgentX subagent (Net-SNMP stays on this one thread).
 *
 *   worker -> main   snapshots through the store (lock-free store_publish +
 *                    the store's eventfd; store_apply here), and the
 *                    completions of the main thread's jobs (a control
 *                    action's outcome, a PET Acknowledge's answer) through
 *                    the main queue (a mutex-guarded list + eventfd); their
 *                    callbacks run on this thread, after store_apply, so an
 *                    action's outcome is in the MIB when its SET answers.
 *   main -> worker   commands through the worker's queue (list + eventfd):
 *                    apply a configuration, render its part of the status
 *                    file (both waited for), stop, and the agent's jobs
 *                    (start a control action, send a PET Acknowledge) that
 *                    the worker runs on its own loop.
 *
 * None of this is on the hot path: a poll's result reaches the MIB by the
 * store alone.  The agent thread never touches a poller, a scheduler or a
 * BMC.  max-logins and max-sdr-reads are split between the workers, so the
 * caps hold fleet-wide.
 */
#include "daemon.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "bmc.h"
#include "bmc_read.h"
#include "cfg.h"
#include "control.h"
#include "control_glue.h"
#include "ev.h"
#include "index_map.h"
#include "log.h"
#include "report.h"
#include "scheduler.h"
#include "sdnotify.h"
#include "sel_statefile.h"
#include "store.h"

#define SHUTDOWN_GUARD_MS 4000 /* exit even if some BMCs never answer Close Session */
#define COLD_SPREAD_MS    5000 /* first chains spread over this much time */
#define JOB_DATA_MAX      256  /* request and response data of a job (PET Acknowledge: 12) */

struct pending {
    struct cfg_bmc cfg;
    uint32_t index;
};

/*
 * What goes through the queues.  Waited-for commands (APPLY, STATUS) live
 * on the poster's stack; STOP and EXITED in the worker; jobs (CONTROL,
 * REQUEST, SESSIONLESS) are allocated by the main thread, run on the
 * worker, come back to the main queue with their outcome (SESSIONLESS
 * excepted: freed by the worker) and are freed there.
 */
enum wcmd_kind {
    WC_APPLY,
    WC_STATUS,
    WC_STOP,
    WC_EXITED, /* worker -> main: its loop has ended */
    WC_CONTROL,
    WC_REQUEST,
    WC_SESSIONLESS
};

struct wcmd {
    enum wcmd_kind kind;
    struct wcmd *next;
    bool done; /* waited-for commands: set by the worker under its mutex */
    /* WC_APPLY: the worker's part of the configuration (pointers into the new cfg) */
    const struct cfg_bmc **bmcs;
    const uint32_t *idx;
    size_t n;
    bool initial;
    unsigned added, removed, changed, kept, retimed;
    /* WC_STATUS: the worker's BMCs as JSON text, without the brackets (NULL: out of memory) */
    char *text;
    struct sched_stats st;
    struct bmc_counters counters;
    uint32_t by_state[SCHED__COUNT];
    size_t count;
    /* jobs */
    struct worker *w; /* that runs it */
    uint32_t index;   /* ipmiBmcIndex */
    void *arg;
    struct control_req req; /* WC_CONTROL: req.requester points at `requester` */
    char requester[64];
    void (*ctl_done)(void *arg, const struct control_result *res);
    struct control_result res;
    uint8_t netfn, cmd; /* WC_REQUEST, WC_SESSIONLESS */
    uint8_t data[JOB_DATA_MAX];
    size_t len;
    bmc_rsp_cb cb;
    enum bmc_error err; /* the answer */
    uint8_t cc;
    uint8_t rdata[JOB_DATA_MAX];
    size_t rlen;
};

/* A list and an eventfd: the reader drains the list when the fd is readable. */
struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* waited-for commands */
    struct wcmd *head, *tail;
    int efd;
};

struct last {
    uint32_t index;
    const struct store_bmc *snap; /* one reference */
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
    struct control_set *cs;    /* chassis control on this worker's sessions */
    struct control_glue *glue; /* ... and the control columns of its snapshots */
    struct queue q;
    struct wcmd stop_cmd, exited;
    bool stopping;
    struct ev_timer guard;
    struct pending *pend; /* changed BMCs waiting for their old self to leave */
    size_t npend, cappend;
    /* the last snapshot built for each BMC, sorted by index: the next one
     * shares unchanged parts with it; the status file renders it */
    struct last *last;
    size_t nlast, caplast;
    struct log_rl rl;
};

struct daemon {
    const char *path;
    struct cfg *cfg;
    struct ev_loop *loop;
    struct worker *w;
    unsigned nw;
    struct queue mq; /* completions and exits from the workers */
    unsigned exited; /* workers whose loop has ended */
    struct index_map *im;
    struct store *store;      /* every BMC's latest snapshot: workers publish, the agent reads */
    struct agentx_control ax; /* control SETs, dispatched to the BMC's worker */
    const struct daemon_hooks *hooks;
    struct sdn *sdn; /* systemd notifications; NULL outside systemd */
    int sigfd;
    bool stopping;
    struct ev_timer status_timer;
    /* a status file being rendered by the workers: their commands, how many
     * have not come back, and whether another was asked for meanwhile */
    struct wcmd *status_cmds;
    unsigned status_left;
    bool status_again;
    char state_dir[sizeof(((struct cfg *)0)->state_dir)]; /* a restart key: read by workers */
    uint32_t reloads, reload_errors;
    uint32_t fallback_index; /* without a usable state-dir: the next index for this run */
    uint64_t started_ns;
};

/* ---- privileges ------------------------------------------------------------- */

/*
 * Root is refused without a `user` to become, unless --allow-root said so.
 * Checked before anything is opened, so the refusal is the only effect.
 */
static int check_root(const struct cfg *cfg)
{
    if (geteuid() != 0 || cfg->user[0])
        return 0;
    if (!cfg->allow_root) {
        log_err("refusing to run as root: set user = \"NAME\" in the configuration (the daemon "
                "opens its sockets, then runs as NAME), or pass --allow-root to run as root");
        return -1;
    }
    log_warn("running as root (--allow-root); a user = \"NAME\" setting would drop privileges");
    return 0;
}

/*
 * Become `user` (its uid, primary gid and supplementary groups) once the
 * sockets are open and the configuration, secrets included, has been read.
 * Every file written later (status file, index file, SDR cache) and every
 * reload (SIGHUP reads the configuration and its secret files again) is
 * done as that user.  Failing to drop is fatal: running on as root when the
 * configuration asks otherwise is not an option.
 */
static int drop_privileges(const struct cfg *cfg)
{
    if (!cfg->user[0])
        return 0;
    errno = 0;
    struct passwd *pw = getpwnam(cfg->user);
    if (!pw) {
        log_err("user = \"%s\": %s", cfg->user,
                errno ? strerror(errno) : "no such user in the password database");
        return -1;
    }
    char name[sizeof(cfg->user)];
    snprintf(name, sizeof(name), "%s", pw->pw_name);
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (geteuid() != 0) {
        if (uid == geteuid() && gid == getegid())
            return 0; /* started as that user already */
        log_err("user = \"%s\": cannot become uid %ld: not started as root (running as uid %ld)",
                cfg->user, (long)uid, (long)geteuid());
        return -1;
    }
    if (uid == 0) {
        if (!cfg->allow_root) {
            log_err("user = \"%s\" is root (uid 0); name an unprivileged user, or pass "
                    "--allow-root",
                    cfg->user);
            return -1;
        }
        return 0;
    }
    if (initgroups(name, gid) < 0) {
        log_err("user = \"%s\": initgroups: %s", name, strerror(errno));
        return -1;
    }
    if (setgid(gid) < 0) {
        log_err("user = \"%s\": setgid(%ld): %s", name, (long)gid, strerror(errno));
        return -1;
    }
    if (setuid(uid) < 0) {
        log_err("user = \"%s\": setuid(%ld): %s", name, (long)uid, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || geteuid() == 0 || getegid() == 0) {
        log_err("user = \"%s\": root could be regained after the change; stopping", name);
        return -1;
    }
    log_notice("running as user %s (uid %ld, gid %ld)", name, (long)uid, (long)gid);
    return 0;
}

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

/* ---- queues --------------------------------------------------------------------- */

static int queue_init(struct queue *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->head = q->tail = NULL;
    q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return q->efd < 0 ? -1 : 0;
}

static void queue_destroy(struct queue *q)
{
    if (q->efd >= 0)
        close(q->efd);
    q->efd = -1;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

static void post(struct queue *q, struct wcmd *c)
{
    c->next = NULL;
    c->done = false;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = c;
    else
        q->head = c;
    q->tail = c;
    pthread_mutex_unlock(&q->mu);
    uint64_t one = 1;
    while (write(q->efd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
}

/* The reader: everything queued so far, in order. */
static struct wcmd *take(struct queue *q)
{
    uint64_t v;
    while (read(q->efd, &v, sizeof(v)) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&q->mu);
    struct wcmd *c = q->head;
    q->head = q->tail = NULL;
    pthread_mutex_unlock(&q->mu);
    return c;
}

/* A waited-for command has run: after this, it belongs to its poster again. */
static void mark_done(struct queue *q, struct wcmd *c)
{
    pthread_mutex_lock(&q->mu);
    c->done = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void wait_done(struct queue *q, struct wcmd *c)
{
    pthread_mutex_lock(&q->mu);
    while (!c->done)
        pthread_cond_wait(&q->cv, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

/* ---- workers: placement ---------------------------------------------------------- */

/* The worker of a BMC: stable across reloads, independent of the shard split
 * (the shard takes h mod N; dividing first keeps the two independent). */
static unsigned worker_of(const struct daemon *dm, const char *name)
{
    uint32_t n = dm->cfg->shard_n ? dm->cfg->shard_n : 1;
    return (unsigned)((sched_name_mix(name) / n) % dm->nw);
}

/* Main thread: the worker of the BMC with this ipmiBmcIndex, from its
 * snapshot's name; NULL when the store has no such BMC.  O(log n). */
static struct worker *worker_of_index(struct daemon *dm, uint32_t index)
{
    const struct store_bmc *b = dm->stopping ? NULL : store_find(dm->store, index);
    return b && b->name ? &dm->w[worker_of(dm, b->name)] : NULL;
}

/* ---- snapshots (workers publish, the main thread applies) ------------------------ */

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

/* Position of `index` in the worker's sorted `last` (or where it goes). */
static size_t last_pos(const struct worker *w, uint32_t index)
{
    size_t lo = 0, hi = w->nlast;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->last[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct store_bmc *last_of(const struct worker *w, uint32_t index)
{
    size_t i = last_pos(w, index);
    return i < w->nlast && w->last[i].index == index ? w->last[i].snap : NULL;
}

/* Keep `snap` (one reference, taken over; NULL: forget the BMC) as the last of `index`. */
static int set_last(struct worker *w, uint32_t index, const struct store_bmc *snap)
{
    size_t i = last_pos(w, index);
    if (i < w->nlast && w->last[i].index == index) {
        store_bmc_unref(w->last[i].snap);
        if (snap) {
            w->last[i].snap = snap;
        } else {
            memmove(&w->last[i], &w->last[i + 1], (w->nlast - i - 1) * sizeof(*w->last));
            w->nlast--;
        }
        return 0;
    }
    if (!snap)
        return 0;
    if (w->nlast == w->caplast) {
        size_t cap = w->caplast ? w->caplast * 2 : 64;
        struct last *nl = realloc(w->last, cap * sizeof(*nl));
        if (!nl)
            return -1;
        w->last = nl;
        w->caplast = cap;
    }
    memmove(&w->last[i + 1], &w->last[i], (w->nlast - i) * sizeof(*w->last));
    w->last[i] = (struct last){.index = index, .snap = snap};
    w->nlast++;
    return 0;
}

/* The worker's snapshot of `index` becomes `snap` (one reference, taken
 * over): kept as the last, and a reference to the store. */
static int worker_publish(struct worker *w, uint32_t index, const struct store_bmc *snap)
{
    if (set_last(w, index, snap) < 0) {
        store_bmc_unref(snap);
        return -1;
    }
    return store_publish(w->dm->store, store_bmc_ref(snap));
}

/*
 * On the worker's thread: a new snapshot of one BMC into the store (after
 * each chain, and when it is added); parts that did not change are shared
 * with the worker's previous one.  The main thread applies it.
 */
static void publish(struct worker *w, struct sched_bmc *sb)
{
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
    struct bmc *b = sched_data(sb)->b;
    struct control_glue_text ct;
    if (b)
        so.control = control_glue_columns(w->glue, b, si.index, &ct);
    const struct store_bmc *snap = snap_build(sched_data(sb), &so, last_of(w, si.index));
    if (!snap || worker_publish(w, si.index, snap) < 0) {
        uint32_t held;
        if (log_rl_ok(&w->rl, ev_now(w->loop), 60 * EV_NS_PER_SEC, &held))
            log_err("BMC %s: out of memory for its snapshot; the MIB and status keep the previous "
                    "one",
                    c->name);
        return;
    }
    /* the control state is read back at the info interval (and after every action) */
    if (b && !w->stopping)
        control_glue_after_poll(w->glue, b, si.index, si.last_ok_ns[TASK_INFO]);
}

static void on_publish(struct sched *s, void *arg, struct sched_bmc *sb)
{
    (void)s;
    publish(arg, sb);
}

/* The control glue's view of the store on a worker: its last snapshots. */
static const struct store_bmc *glue_current(void *ctx, uint32_t index)
{
    return last_of(ctx, index);
}

static void glue_publish(void *ctx, uint32_t index, const struct store_bmc *snap)
{
    worker_publish(ctx, index, snap);
}

/* The worker's BMC with this ipmiBmcIndex (a control action): NULL when none
 * or leaving.  O(1) (the scheduler's hash). */
static struct bmc *bmc_of(void *ctx, uint32_t index)
{
    struct worker *w = ctx;
    struct sched_bmc *sb = sched_find_index(w->s, index);
    return sb && !sched_leaving(sb) ? sched_data(sb)->b : NULL;
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

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* SEL entries kept in the ring whose record ID another kept entry has too. */
static uint32_t sel_duplicates(const struct sel_state *st)
{
    size_t n = st ? sel_state_count(st) : 0;
    if (n < 2)
        return 0;
    uint16_t *ids = malloc(n * sizeof(*ids));
    if (!ids)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = sel_state_entry(st, i);
        ids[i] = e ? (uint16_t)(e[0] | e[1] << 8) : 0;
    }
    qsort(ids, n, sizeof(*ids), cmp_u16);
    uint32_t dup = 0;
    for (size_t i = 1; i < n; i++)
        dup += ids[i] == ids[i - 1];
    free(ids);
    return dup;
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
    json_object_object_add(j, "sweeps", json_object_new_int64(si.sweeps));
    json_object_object_add(j, "full_sweeps", json_object_new_int64(si.full_sweeps));
    json_object_object_add(j, "full_sweep_age_s", age(now, si.last_full_sweep_ns));
    json_object_object_add(j, "unreachable_marks", json_object_new_int64(si.unreachable_marks));
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
    json_object_object_add(j, "sel_duplicates", json_object_new_int64(sel_duplicates(d->sel)));
    return j;
}

/* WC_STATUS on the worker's thread: its BMCs and figures.  Each BMC's
 * objects are turned into text and freed before the next is formed: the
 * whole fleet's json-c tree is some 100 KB a BMC (about 50 MB at 500), and
 * that peak, every status interval, left the heap's pages fragmented by
 * the snapshots allocated meanwhile (an RSS floor up to 7 MB above what is
 * in use, a different one after every trim). */
static void worker_status(struct worker *w, struct wcmd *c)
{
    uint64_t now = ev_now_update(w->loop);
    sched_stats(w->s, &c->st);
    poller_counters(w->p, &c->counters);
    memset(c->by_state, 0, sizeof(c->by_state));
    c->count = sched_count(w->s);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool ok = true;
    for (size_t i = 0; i < c->count; i++) {
        struct sched_bmc *sb = sched_at(w->s, i);
        struct sched_info si;
        sched_info(sb, &si);
        c->by_state[si.state]++;
        if (!ok)
            continue;
        json_object *j = status_bmc(w, sb, now);
        const char *t = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : NULL;
        size_t tl = t ? strlen(t) : 0;
        if (!tl) {
            ok = false;
        } else {
            if (len + tl + 2 > cap) {
                size_t nc = cap ? cap : 4096;
                while (len + tl + 2 > nc)
                    nc *= 2;
                char *nb = realloc(buf, nc);
                if (nb) {
                    buf = nb;
                    cap = nc;
                } else {
                    ok = false;
                }
            }
            if (ok) {
                if (len)
                    buf[len++] = ',';
                memcpy(buf + len, t, tl);
                len += tl;
                buf[len] = '\0';
            }
        }
        json_object_put(j);
    }
    /* the text is formed here, in parallel with the other workers, not on
     * the agent's thread; NULL: out of memory (an empty worker: "") */
    if (!ok) {
        free(buf);
        buf = NULL;
    } else if (!buf) {
        buf = strdup("");
    }
    c->text = buf;
}

/* The fleet's counters: every field of struct bmc_counters is a uint64_t. */
static void add_counters(struct bmc_counters *sum, const struct bmc_counters *x)
{
    _Static_assert(sizeof(struct bmc_counters) % sizeof(uint64_t) == 0,
                   "struct bmc_counters holds uint64_t counters only");
    uint64_t v[sizeof(*sum) / sizeof(uint64_t)], a[sizeof(*sum) / sizeof(uint64_t)];
    memcpy(v, sum, sizeof(v));
    memcpy(a, x, sizeof(a));
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        v[i] += a[i];
    memcpy(sum, v, sizeof(v));
}

static int write_all(int fd, const char *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t wr = write(fd, p + off, len - off);
        if (wr < 0 && errno == EINTR)
            continue;
        if (wr <= 0)
            return -1;
        off += (size_t)wr;
    }
    return 0;
}

/*
 * Main thread: every worker renders its BMCs, and the file is written here
 * once the last part is back (status_part).  The main thread does not wait
 * for them: at 50,000 BMCs the text is about 1.1 GB (some 23 KB a BMC, most
 * of it the sensors) and takes the workers tens of seconds, during which
 * the agent must go on answering the master agent (waiting, it lost its
 * AgentX session: snmpd times a silent subagent out).  A request while one
 * is being rendered is served after it, once.
 */
static void status_finish(struct daemon *dm);

static void write_status(struct daemon *dm)
{
    const char *path = dm->cfg->status_file;
    if (!path[0] || dm->stopping) /* stopping: the workers are going away */
        return;
    if (dm->status_left) {
        dm->status_again = true;
        return;
    }
    struct wcmd *cmds = calloc(dm->nw, sizeof(*cmds));
    if (!cmds)
        return;
    dm->status_cmds = cmds;
    dm->status_left = dm->nw;
    for (unsigned k = 0; k < dm->nw; k++) {
        cmds[k].kind = WC_STATUS;
        post(&dm->w[k].q, &cmds[k]);
    }
}

/* Main thread: a worker's part of the status file is back. */
static void status_part(struct daemon *dm)
{
    if (!dm->status_left || --dm->status_left)
        return;
    status_finish(dm);
    if (dm->status_again && !dm->stopping) {
        dm->status_again = false;
        write_status(dm);
    }
}

static void status_finish(struct daemon *dm)
{
    const char *path = dm->cfg->status_file;
    struct wcmd *cmds = dm->status_cmds;
    dm->status_cmds = NULL;
    if (dm->stopping || !path[0]) { /* stopping, or a reload turned the file off */
        for (unsigned k = 0; k < dm->nw; k++)
            free(cmds[k].text);
        free(cmds);
        return;
    }
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
    struct bmc_counters sum = {0}; /* of the BMCs in the pollers now */
    uint32_t by_state[SCHED__COUNT] = {0};
    size_t total = 0;
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
        add_counters(&sum, &cmds[k].counters);
        for (int s = 0; s < SCHED__COUNT; s++)
            by_state[s] += cmds[k].by_state[s];
        total += cmds[k].count;
        json_object *wj = json_object_new_object();
        json_object_object_add(wj, "bmcs", json_object_new_int64((int64_t)cmds[k].count));
        json_object_object_add(wj, "logins_ok", json_object_new_int64((int64_t)x->logins_ok));
        json_object_object_add(wj, "login_window", json_object_new_int64(x->login_window));
        json_object_object_add(wj, "requests",
                               json_object_new_int64((int64_t)cmds[k].counters.requests));
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
    json_object_object_add(f, "counters", report_json_counters(&sum));
    json_object_object_add(f, "per_worker", per);
    json_object_object_add(root, "fleet", f);

    /* {root's members,"bmcs":[worker 0's BMCs,worker 1's,...]} */
    const char *head = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    size_t hlen = head ? strlen(head) : 0;
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && hlen >= 2;
    for (unsigned k = 0; k < dm->nw; k++)
        ok = ok && (cmds[k].text || !cmds[k].count);
    if (ok) {
        ok = write_all(fd, head, hlen - 1) == 0 && write_all(fd, ",\"bmcs\":[", 9) == 0;
        bool first = true;
        for (unsigned k = 0; ok && k < dm->nw; k++) {
            if (!cmds[k].text || !cmds[k].text[0])
                continue;
            ok = (first || write_all(fd, ",", 1) == 0) &&
                 write_all(fd, cmds[k].text, strlen(cmds[k].text)) == 0;
            first = false;
        }
        ok = ok && write_all(fd, "]}\n", 3) == 0;
    }
    if (fd >= 0) {
        if (close(fd) < 0)
            ok = false;
        ok = ok && rename(tmp, path) == 0;
    }
    for (unsigned k = 0; k < dm->nw; k++)
        free(cmds[k].text);
    free(cmds);
    if (!ok) {
        static struct log_rl rl; /* main thread only */
        uint32_t held;
        if (log_rl_ok(&rl, now, 60 * EV_NS_PER_SEC, &held))
            log_err("status-file %s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
    }
    json_object_put(root);
#ifdef __GLIBC__
    /* the workers built and freed some KB of json-c objects per BMC, each in
     * its own malloc arena: give those pages back, or the RSS keeps every
     * arena's peak instead of the fleet's size */
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

/* ---- ipmiSelIndex across restarts ------------------------------------------------ */

/* On the worker's thread.  A BMC's new SEL ring: the sequence numbers its
 * entries had (state-dir/sel-INDEX.state, written by the events module on the
 * main thread whenever the SEL part changes; atomic_file replaces it whole). */
static void on_sel_new(void *arg, uint32_t index, struct sel_state *st)
{
    struct worker *w = arg;
    struct sel_statefile f;
    char err[700];
    int rc = sel_statefile_load(w->dm->state_dir, index, &f, err, sizeof(err));
    if (rc < 0)
        log_warn("%s", err);
    if ((f.n || f.next_seq) && sel_state_restore_seqs(st, f.e, f.n, f.next_seq) < 0)
        log_warn("BMC index %u: cannot restore its SEL sequence numbers (out of memory): "
                 "ipmiSelIndex starts again",
                 (unsigned)index);
    sel_statefile_clear(&f);
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

/* A BMC on its way out was to come back with a new configuration: not any more. */
static bool drop_pending(struct worker *w, const char *name)
{
    for (size_t i = 0; i < w->npend; i++) {
        if (strcmp(w->pend[i].cfg.name, name) == 0) {
            memset(&w->pend[i].cfg, 0, sizeof(w->pend[i].cfg));
            w->pend[i] = w->pend[--w->npend];
            return true;
        }
    }
    return false;
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

static int cmp_cfgp(const void *a, const void *b)
{
    const struct cfg_bmc *x = *(const struct cfg_bmc *const *)a;
    const struct cfg_bmc *y = *(const struct cfg_bmc *const *)b;
    return strcmp(x->name, y->name);
}

/* WC_APPLY on the worker's thread: bring its BMCs to c->bmcs (sorted by name). */
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
            } else if (drop_pending(w, sched_cfg(ov[i])->name)) {
                c->removed++; /* on its way out to come back: now it stays out */
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

/*
 * Main thread: hand every worker its part of `nc` (the BMCs of this shard)
 * and wait until each has applied it; the counts are summed into `sum`.
 * Indices are given out here, in configuration order.  The workers copy
 * what they keep, so `nc` may be replaced afterwards.
 */
static int distribute(struct daemon *dm, const struct cfg *nc, bool initial, struct wcmd *sum)
{
    size_t n = 0, nb = nc->nbmcs ? nc->nbmcs : 1;
    const struct cfg_bmc **nv = calloc(nb, sizeof(*nv));
    const struct cfg_bmc **part = calloc(nb, sizeof(*part));
    uint32_t *idx = calloc(nb, sizeof(*idx));
    uint32_t *all = calloc(nb, sizeof(*all));
    struct wcmd *cmds = calloc(dm->nw, sizeof(*cmds));
    if (!nv || !part || !idx || !all || !cmds) {
        free(nv);
        free(part);
        free(idx);
        free(all);
        free(cmds);
        return -1;
    }
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
        post(&dm->w[k].q, c);
    }
    for (unsigned k = 0; k < dm->nw; k++) {
        wait_done(&dm->w[k].q, &cmds[k]);
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
        K("pet-community", pet_community),
        K("pet-acknowledge", pet_ack),
        K("pet-dedupe-window", pet_dedupe_window_s),
        K("notify-platform-event", notify_platform_event),
        K("notify-sensor-status", notify_sensor_status),
        K("notify-bmc-state", notify_bmc_state),
        K("notify-rate-per-bmc", notify_rate_per_bmc),
        K("notify-rate-global", notify_rate_global),
        K("notify-rate-interval", notify_rate_interval_s),
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
    nc->allow_root = dm->cfg->allow_root;
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

/* ---- jobs from the agent (main thread -> worker -> main thread) --------------------- */

/* Worker: a job is finished; its outcome goes back to the main thread. */
static void job_back(struct wcmd *c)
{
    post(&c->w->dm->mq, c);
}

static void on_job_control_done(void *arg, const struct control_result *res)
{
    struct wcmd *c = arg;
    c->res = *res;
    job_back(c);
}

static void on_job_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct wcmd *c = arg;
    c->err = rsp->err;
    c->cc = rsp->cc;
    c->rlen = rsp->data && rsp->len < sizeof(c->rdata) ? rsp->len : 0;
    if (c->rlen)
        memcpy(c->rdata, rsp->data, c->rlen);
    job_back(c);
}

/* The worker's BMC with this ipmiBmcIndex, whether leaving or not (a PET
 * Acknowledge may still go out on a session that is closing). */
static struct bmc *bmc_of_any(struct worker *w, uint32_t index)
{
    struct sched_bmc *sb = sched_find_index(w->s, index);
    return sb ? sched_data(sb)->b : NULL;
}

/* Worker: run a job from the main thread. */
static void worker_job(struct worker *w, struct wcmd *c)
{
    switch (c->kind) {
    case WC_CONTROL: {
        const struct agentx_control *ax = control_glue_agentx(w->glue);
        c->req.requester = c->requester;
        if (w->stopping) {
            c->res = (struct control_result){.status = CONTROL_E_UNAVAILABLE};
            snprintf(c->res.text, sizeof(c->res.text), "the daemon is stopping");
            job_back(c);
        } else if (ax->start(ax->ctx, c->index, &c->req, on_job_control_done, c, &c->res) !=
                   CONTROL_OK) {
            job_back(c); /* refused at once: `res` says why */
        }
        break;
    }
    case WC_REQUEST: {
        struct bmc *b = w->stopping ? NULL : bmc_of_any(w, c->index);
        if (!b) {
            c->err = BMC_E_CLOSED; /* left (reload) or closing since the agent asked */
            job_back(c);
        } else if (bmc_request(b, c->netfn, c->cmd, c->data, c->len, on_job_rsp, c) < 0) {
            c->err = BMC_E_INTERNAL;
            job_back(c);
        }
        break;
    }
    case WC_SESSIONLESS: {
        struct bmc *b = w->stopping ? NULL : bmc_of_any(w, c->index);
        if (!b || bmc_send_sessionless(b, c->netfn, c->cmd, c->data, c->len) < 0)
            log_info("BMC index %u: session-less request %02Xh/%02Xh not sent", (unsigned)c->index,
                     c->netfn, c->cmd);
        free(c); /* fire and forget */
        break;
    }
    default:
        break;
    }
}

/* Main thread: a job's outcome.  The agent's callbacks run here. */
static void main_job_done(struct daemon *dm, struct wcmd *c)
{
    switch (c->kind) {
    case WC_CONTROL:
        /* once stopping, the subagent is gone: the action is abandoned, as
         * the single-threaded daemon abandoned actions in flight at exit */
        if (!dm->stopping)
            c->ctl_done(c->arg, &c->res);
        break;
    case WC_REQUEST: {
        struct bmc_rsp rsp = {
            .err = c->err, .cc = c->cc, .data = c->rlen ? c->rdata : NULL, .len = c->rlen};
        c->cb(NULL, c->arg, &rsp); /* the BMC lives on its worker: no pointer to it here */
        break;
    }
    default:
        break;
    }
    free(c);
}

static void drain_main(struct daemon *dm)
{
    struct wcmd *c = take(&dm->mq);
    if (c)
        store_apply(dm->store); /* what a job published shows before its callback runs */
    while (c) {
        struct wcmd *next = c->next;
        if (c->kind == WC_EXITED) {
            if (++dm->exited == dm->nw)
                ev_stop(dm->loop); /* every worker has closed its sessions */
        } else if (c->kind == WC_STATUS) {
            status_part(dm);
        } else {
            main_job_done(dm, c);
        }
        c = next;
    }
}

static void on_main_queue(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)fd;
    (void)events;
    drain_main(arg);
}

/* The agent's control SETs (agentx_control.start): to the BMC's worker.  The
 * outcome, refusals included, comes back through `done` on this thread. */
static enum control_status
dm_control_start(void *ctx, uint32_t index, const struct control_req *req,
                 void (*done)(void *arg, const struct control_result *res), void *arg,
                 struct control_result *now)
{
    struct daemon *dm = ctx;
    struct worker *w = worker_of_index(dm, index);
    struct wcmd *c = w ? calloc(1, sizeof(*c)) : NULL;
    if (!c)
        return control_glue_refuse(now, index);
    c->kind = WC_CONTROL;
    c->w = w;
    c->index = index;
    c->req = *req;
    snprintf(c->requester, sizeof(c->requester), "%s", req->requester ? req->requester : "");
    c->req.requester = NULL; /* set on the worker, to its copy */
    c->ctl_done = done;
    c->arg = arg;
    post(&w->q, c);
    return CONTROL_OK;
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
    (void)fd;
    (void)events;
    struct worker *w = arg;
    struct wcmd *c = take(&w->q);
    while (c) {
        struct wcmd *next = c->next;
        switch (c->kind) {
        case WC_APPLY:
            worker_apply(w, c);
            mark_done(&w->q, c);
            break;
        case WC_STATUS:
            worker_status(w, c);
            post(&w->dm->mq, c); /* status_part() on the main thread */
            break;
        case WC_STOP:
            worker_stop(w);
            break;
        default:
            worker_job(w, c);
            break;
        }
        c = next;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    if (ev_run(w->loop) < 0)
        log_err("worker %u: event loop failed: %s", w->id, strerror(errno));
    ev_timer_stop(w->loop, &w->guard);
    /* actions still in flight are abandoned (the subagent has stopped) */
    control_set_free(w->cs);
    w->cs = NULL;
    sched_detach_all(w->s);          /* requests still queued complete (to the main queue) */
    on_cmd(w->loop, w->q.efd, 0, w); /* jobs that came in late get their refusal */
    post(&w->dm->mq, &w->exited);
    return NULL;
}

static int worker_init(struct daemon *dm, struct worker *w, unsigned id,
                       const struct poller_opts *po, const struct sched_opts *so, char *err,
                       size_t errlen)
{
    w->dm = dm;
    w->id = id;
    w->stop_cmd.kind = WC_STOP;
    w->exited.kind = WC_EXITED;
    ev_timer_init(&w->guard, on_guard, w);
    if (queue_init(&w->q) < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        return -1;
    }
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
    w->cs = w->s ? control_set_new(w->p) : NULL;
    w->glue = w->cs ? control_glue_new(dm->store, w->cs,
                                       &(struct control_glue_ops){.bmc_of = bmc_of,
                                                                  .ctx = w,
                                                                  .current = glue_current,
                                                                  .publish = glue_publish})
                    : NULL;
    if (!w->glue) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sched_set_left_cb(w->s, on_left, w);
    sched_set_publish_cb(w->s, on_publish, w);
    sched_set_sel_new_cb(w->s, on_sel_new, w);
    if (ev_add_fd(w->loop, w->q.efd, EPOLLIN, on_cmd, w) < 0) {
        snprintf(err, errlen, "epoll: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void worker_free(struct worker *w)
{
    if (w->loop && w->q.efd >= 0)
        ev_del_fd(w->loop, w->q.efd);
    control_set_free(w->cs);
    control_glue_free(w->glue);
    sched_free(w->s);
    poller_free(w->p);
    ev_free(w->loop);
    /* jobs never run (a start that failed half-way): nobody waits for them */
    for (struct wcmd *c = w->q.head, *next; c; c = next) {
        next = c->next;
        if (c->kind >= WC_CONTROL)
            free(c);
    }
    queue_destroy(&w->q);
    for (size_t i = 0; i < w->npend; i++)
        memset(&w->pend[i].cfg, 0, sizeof(w->pend[i].cfg));
    free(w->pend);
    for (size_t i = 0; i < w->nlast; i++)
        store_bmc_unref(w->last[i].snap);
    free(w->last);
}

static void shutdown_begin(struct daemon *dm, const char *why)
{
    if (dm->stopping)
        return;
    dm->stopping = true;
    sdn_stopping(dm->sdn);
    log_notice("%s: closing the sessions of %u worker%s and exiting", why, dm->nw,
               dm->nw == 1 ? "" : "s");
    if (dm->hooks && dm->hooks->stop)
        dm->hooks->stop(dm->hooks->arg);
    ev_timer_stop(dm->loop, &dm->status_timer);
    for (unsigned k = 0; k < dm->nw; k++)
        if (dm->w[k].started)
            post(&dm->w[k].q, &dm->w[k].stop_cmd);
    /* the loop ends when every worker has said it exited (drain_main) */
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
            if (!dm->stopping) {
                sdn_reloading(dm->sdn);
                reload(dm);
                sdn_ready(dm->sdn);
            }
            break;
        case SIGUSR1:
            write_status(dm);
            break;
        default:
            break;
        }
    }
}

/* ---- requests from the hooks ------------------------------------------------------------ */

static struct daemon *running; /* the one daemon_run() of the process, while it runs */

static struct wcmd *new_job(enum wcmd_kind kind, uint32_t index, uint8_t netfn, uint8_t cmd,
                            const uint8_t *data, size_t len)
{
    struct daemon *dm = running;
    struct worker *w = dm ? worker_of_index(dm, index) : NULL;
    if (!w || len > JOB_DATA_MAX || (len && !data))
        return NULL;
    struct wcmd *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->kind = kind;
    c->w = w;
    c->index = index;
    c->netfn = netfn;
    c->cmd = cmd;
    if (len)
        memcpy(c->data, data, len);
    c->len = len;
    return c;
}

int daemon_bmc_request(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len,
                       bmc_rsp_cb cb, void *arg)
{
    struct wcmd *c = new_job(WC_REQUEST, index, netfn, cmd, data, len);
    if (!c)
        return -1;
    c->cb = cb;
    c->arg = arg;
    post(&c->w->q, c);
    return 0;
}

int daemon_bmc_send_sessionless(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data,
                                size_t len)
{
    struct wcmd *c = new_job(WC_SESSIONLESS, index, netfn, cmd, data, len);
    if (!c)
        return -1;
    post(&c->w->q, c);
    return 0;
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

/* Stop the workers that started and wait for them (a start that failed). */
static void stop_workers(struct daemon *dm)
{
    for (unsigned k = 0; k < dm->nw; k++)
        if (dm->w[k].started)
            post(&dm->w[k].q, &dm->w[k].stop_cmd);
}

int daemon_run(const char *path, struct cfg *cfg, const struct daemon_hooks *hooks)
{
    struct daemon dm = {.path = path, .cfg = cfg, .hooks = hooks, .sigfd = -1, .mq = {.efd = -1}};
    running = &dm;
    char err[1200];
    int status = 1;
    bool mq_ok = false;

    log_init(NULL, cfg->log == CFG_LOG_SYSLOG, log_get_level());
#ifdef __GLIBC__
    /* a fixed threshold: the status file's texts (some MB, every interval)
     * stay mmapped and go back whole when freed; glibc's sliding one would
     * move them into the heap after the first free, between the snapshots */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGUSR1);
    /* blocked before any worker starts (they inherit the mask): only the signalfd sees them */
    if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0 ||
        (dm.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        log_err("signalfd: %s", strerror(errno));
        goto out;
    }
    if (check_root(cfg) < 0)
        goto out;
    snprintf(dm.state_dir, sizeof(dm.state_dir), "%s", cfg->state_dir);

    struct poller_opts po;
    bmc_read_poller_opts(cfg, &po);
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
    if (queue_init(&dm.mq) < 0 || ev_add_fd(dm.loop, dm.mq.efd, EPOLLIN, on_main_queue, &dm) < 0) {
        log_err("eventfd: %s", strerror(errno));
        goto out;
    }
    mq_ok = true;
    dm.ax = (struct agentx_control){.start = dm_control_start, .ctx = &dm};
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
        dm.w[k].q.efd = -1;
        so.max_logins = share(max_logins, k, dm.nw);
        so.max_sdr_reads = share(max_sdr, k, dm.nw);
        /* the sockets are opened here, before the change of user */
        if (worker_init(&dm, &dm.w[k], k, &po, &so, err, sizeof(err)) < 0) {
            log_err("worker %u: %s", k, err);
            goto out;
        }
    }
    if (hooks && hooks->bind && hooks->bind(hooks->arg, dm.loop, cfg) < 0)
        log_err("a listener could not be opened before the change of user; polling goes on");
    if (drop_privileges(cfg) < 0) /* before any worker thread exists */
        goto out;

    dm.im = index_map_load(cfg->state_dir, err, sizeof(err));
    if (!dm.im)
        log_err("BMC indices cannot be kept (state-dir): %s; they are assigned in configuration "
                "order for this run",
                err);
    for (size_t i = 0; i < cfg->nbmcs; i++) /* automatic indices stay clear of explicit ones */
        if (cfg->bmcs[i].index > dm.fallback_index)
            dm.fallback_index = cfg->bmcs[i].index;
    for (unsigned k = 0; k < dm.nw; k++) {
        if (pthread_create(&dm.w[k].th, NULL, worker_main, &dm.w[k]) != 0) {
            log_err("worker %u: cannot start its thread", k);
            stop_workers(&dm);
            goto out;
        }
        dm.w[k].started = true;
    }
    struct wcmd sum = {0};
    if (distribute(&dm, cfg, true, &sum) < 0) {
        log_err("out of memory");
        stop_workers(&dm);
        goto out;
    }
    size_t owned = sum.added;
    save_indices(&dm);
    if (cfg->shard_n > 1)
        log_notice("shard %u/%u: %zu of %zu BMCs", cfg->shard_k, cfg->shard_n, owned, cfg->nbmcs);
    if (ev_add_fd(dm.loop, dm.sigfd, EPOLLIN, on_signal, &dm) < 0) {
        log_err("epoll: %s", strerror(errno));
        stop_workers(&dm);
        goto out;
    }
    ev_timer_init(&dm.status_timer, on_status_timer, &dm);
    if (cfg->status_file[0] && cfg->status_interval_s)
        ev_timer_start(dm.loop, &dm.status_timer, 0);
    store_apply(dm.store); /* every BMC in state new: in the MIB from the start */
    if (hooks && hooks->start && hooks->start(hooks->arg, dm.loop, dm.store, &dm.ax, cfg) < 0)
        log_err("the AgentX subagent did not start; polling goes on");
    log_notice("running: %zu BMCs, %u worker thread%s, pid %ld", owned, dm.nw,
               dm.nw == 1 ? "" : "s", (long)getpid());
    dm.sdn = sdn_new(dm.loop, dm.store);
    sdn_ready(dm.sdn);

    if (ev_run(dm.loop) < 0) {
        log_err("event loop failed: %s", strerror(errno));
        shutdown_begin(&dm, "event loop failure");
    } else {
        status = 0;
    }
    ev_timer_stop(dm.loop, &dm.status_timer);
    sdn_free(dm.sdn);
    dm.sdn = NULL;
    ev_del_fd(dm.loop, dm.sigfd);
out:
    for (unsigned k = 0; dm.w && k < dm.nw; k++)
        if (dm.w[k].started)
            pthread_join(dm.w[k].th, NULL);
    if (mq_ok) { /* what the workers sent last (their sessions' closing) */
        dm.stopping = true;
        drain_main(&dm);
        ev_del_fd(dm.loop, dm.mq.efd);
    }
    if (status == 0)
        log_notice("stopped");
    running = NULL;
    for (unsigned k = 0; dm.w && k < dm.nw; k++)
        worker_free(&dm.w[k]);
    free(dm.w);
    if (dm.store && dm.loop)
        ev_del_fd(dm.loop, store_fd(dm.store));
    store_free(dm.store);
    queue_destroy(&dm.mq);
    ev_free(dm.loop);
    index_map_free(dm.im);
    if (dm.sigfd >= 0)
        close(dm.sigfd);
    cfg_unload(dm.cfg);
    return status;
}
