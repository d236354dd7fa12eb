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
 */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

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

struct pending {
    struct cfg_bmc cfg;
    uint32_t index;
};

struct daemon {
    const char *path;
    struct cfg *cfg;
    struct ev_loop *loop;
    struct poller *p;
    struct sched *s;
    struct index_map *im;
    struct store *store;    /* every BMC's latest snapshot: the status file and the MIB read it */
    struct control_set *cs; /* chassis control on the poller's sessions */
    struct control_glue *glue; /* ... for SNMP SETs, and the control columns of the snapshots */
    const struct daemon_hooks *hooks;
    struct sdn *sdn; /* systemd notifications; NULL outside systemd */
    int sigfd;
    bool stopping;
    struct ev_timer status_timer, guard;
    struct pending *pend; /* changed BMCs waiting for their old self to leave */
    size_t npend, cappend;
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

/* ---- status file ---------------------------------------------------------------- */

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

/* A new snapshot of one BMC into the store (after each chain, and when it is
 * added); parts that did not change are shared with the one it replaces. */
static void publish(struct daemon *dm, struct sched_bmc *sb)
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
    if (b && dm->glue)
        so.control = control_glue_columns(dm->glue, b, si.index, &ct);
    const struct store_bmc *snap = snap_build(sched_data(sb), &so, store_find(dm->store, si.index));
    if (!snap || store_publish(dm->store, snap) < 0) {
        static struct log_rl rl;
        uint32_t held;
        if (log_rl_ok(&rl, ev_now(dm->loop), 60 * EV_NS_PER_SEC, &held))
            log_err("BMC %s: out of memory for its snapshot; the MIB and status keep the previous "
                    "one",
                    c->name);
        return;
    }
    store_apply(dm->store); /* one thread: the agent reads on this one too */
    /* the control state is read back at the info interval (and after every action) */
    if (b && dm->glue && !dm->stopping)
        control_glue_after_poll(dm->glue, b, si.index, si.last_ok_ns[TASK_INFO]);
}

/* The poller's BMC with this ipmiBmcIndex (a control SET): NULL when none or
 * leaving.  O(n): SETs are rare. */
static struct bmc *bmc_of(void *ctx, uint32_t index)
{
    struct daemon *dm = ctx;
    for (size_t i = 0; i < sched_count(dm->s); i++) {
        struct sched_bmc *sb = sched_at(dm->s, i);
        struct sched_info si;
        sched_info(sb, &si);
        if (si.index == index)
            return sched_leaving(sb) ? NULL : sched_data(sb)->b;
    }
    return NULL;
}

static void on_publish(struct sched *s, void *arg, struct sched_bmc *sb)
{
    (void)s;
    publish(arg, sb);
}

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
 * One BMC of the status file: its snapshot as --once --json renders it
 * (state, error text, sensors, FRU, SEL, counters, info), each sensor with
 * the age of its reading, plus the scheduler's figures.
 */
static json_object *status_bmc(struct daemon *dm, struct sched_bmc *sb, uint64_t now)
{
    struct sched_info si;
    sched_info(sb, &si);
    const struct bmc_data *d = sched_data(sb);
    const struct store_bmc *snap = store_find(dm->store, si.index);
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

static void write_status(struct daemon *dm)
{
    const char *path = dm->cfg->status_file;
    if (!path[0])
        return;
    uint64_t now = ev_now_update(dm->loop);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "pid", json_object_new_int64((int64_t)getpid()));
    json_object_object_add(root, "time", json_object_new_int64((int64_t)time(NULL)));
    json_object_object_add(root, "uptime_s",
                           json_object_new_double((double)(now - dm->started_ns) / 1e9));
    json_object_object_add(root, "config", json_object_new_string(dm->path));
    json_object_object_add(root, "reloads", json_object_new_int64(dm->reloads));
    json_object_object_add(root, "reload_errors", json_object_new_int64(dm->reload_errors));
    struct sched_stats st;
    sched_stats(dm->s, &st);
    json_object *f = json_object_new_object();
    json_object_object_add(f, "bmcs", json_object_new_int64((int64_t)sched_count(dm->s)));
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
    uint32_t by_state[SCHED__COUNT] = {0};
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < sched_count(dm->s); i++) {
        struct sched_bmc *sb = sched_at(dm->s, i);
        struct sched_info si;
        sched_info(sb, &si);
        by_state[si.state]++;
        json_object_array_add(arr, status_bmc(dm, sb, now));
    }
    json_object *bs = json_object_new_object();
    for (int k = 0; k < SCHED__COUNT; k++)
        json_object_object_add(bs, sched_state_name((enum sched_state)k),
                               json_object_new_int64(by_state[k]));
    json_object_object_add(f, "states", bs);
    struct bmc_counters sum; /* of the BMCs in the poller now */
    poller_counters(dm->p, &sum);
    json_object_object_add(f, "counters", report_json_counters(&sum));
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
            ssize_t w = write(fd, text + off, len - off);
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            off += w > 0 ? (size_t)w : 0;
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
}

static void on_status_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    struct daemon *dm = arg;
    write_status(dm);
    if (dm->cfg->status_interval_s && !dm->stopping)
        ev_timer_start(loop, t, (uint64_t)dm->cfg->status_interval_s * EV_NS_PER_SEC);
}

/* ---- ipmiSelIndex across restarts ------------------------------------------------ */

/* A BMC's new SEL ring: the sequence numbers its entries had (state-dir/sel-INDEX.state,
 * written by the events module whenever the SEL part changes). */
static void on_sel_new(void *arg, uint32_t index, struct sel_state *st)
{
    struct daemon *dm = arg;
    struct sel_statefile f;
    char err[700];
    int rc = sel_statefile_load(dm->cfg->state_dir, index, &f, err, sizeof(err));
    if (rc < 0)
        log_warn("%s", err);
    if ((f.n || f.next_seq) && sel_state_restore_seqs(st, f.e, f.n, f.next_seq) < 0)
        log_warn("BMC index %u: cannot restore its SEL sequence numbers (out of memory): "
                 "ipmiSelIndex starts again",
                 (unsigned)index);
    sel_statefile_clear(&f);
}

/* ---- reload ---------------------------------------------------------------------- */

static void on_left(struct sched *s, void *arg, const char *name, uint32_t index)
{
    struct daemon *dm = arg;
    if (store_remove(dm->store, index) == 0)
        store_apply(dm->store);
    for (size_t i = 0; i < dm->npend; i++) {
        if (strcmp(dm->pend[i].cfg.name, name) != 0)
            continue;
        char err[600];
        struct sched_bmc *nb = NULL;
        if (!dm->stopping &&
            !(nb = sched_add(s, &dm->pend[i].cfg, dm->pend[i].index, 0, err, sizeof(err))))
            log_err("BMC %s: cannot restart with its new configuration: %s", name, err);
        else
            log_notice("BMC %s: restarted with its new configuration", name);
        if (nb)
            publish(dm, nb);
        memset(&dm->pend[i].cfg, 0, sizeof(dm->pend[i].cfg));
        dm->pend[i] = dm->pend[--dm->npend];
        return;
    }
    log_notice("BMC %s: removed", name);
}

static int add_pending(struct daemon *dm, const struct cfg_bmc *c, uint32_t index)
{
    for (size_t i = 0; i < dm->npend; i++) {
        if (strcmp(dm->pend[i].cfg.name, c->name) == 0) { /* changed twice: the latest wins */
            dm->pend[i].cfg = *c;
            dm->pend[i].index = index;
            return 0;
        }
    }
    if (dm->npend == dm->cappend) {
        size_t cap = dm->cappend ? dm->cappend * 2 : 16;
        struct pending *np = realloc(dm->pend, cap * sizeof(*np));
        if (!np)
            return -1;
        dm->pend = np;
        dm->cappend = cap;
    }
    dm->pend[dm->npend].cfg = *c;
    dm->pend[dm->npend].index = index;
    dm->npend++;
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

    size_t n_old = sched_count(dm->s), n_new = 0;
    struct sched_bmc **ov = calloc(n_old ? n_old : 1, sizeof(*ov));
    const struct cfg_bmc **nv = calloc(nc->nbmcs ? nc->nbmcs : 1, sizeof(*nv));
    if (!ov || !nv) {
        free(ov);
        free(nv);
        cfg_unload(nc);
        log_err("reload refused: out of memory");
        return;
    }
    for (size_t i = 0; i < n_old; i++)
        ov[i] = sched_at(dm->s, i);
    for (size_t i = 0; i < nc->nbmcs; i++)
        if (sched_in_shard(nc->bmcs[i].name, nc->shard_k, nc->shard_n))
            nv[n_new++] = &nc->bmcs[i];
    qsort(ov, n_old, sizeof(*ov), cmp_sb);
    qsort(nv, n_new, sizeof(*nv), cmp_cfgp);

    unsigned added = 0, removed = 0, changed = 0, kept = 0, retimed = 0;
    size_t i = 0, j = 0;
    while (i < n_old || j < n_new) {
        int c = i == n_old ? 1 : j == n_new ? -1 : strcmp(sched_cfg(ov[i])->name, nv[j]->name);
        if (c < 0) { /* gone */
            if (!sched_leaving(ov[i])) {
                sched_remove(ov[i]);
                removed++;
            }
            i++;
            continue;
        }
        uint32_t idx = index_of(dm, nv[j]);
        if (c > 0) { /* new */
            struct sched_bmc *nb = sched_add(dm->s, nv[j], idx, COLD_SPREAD_MS, err, sizeof(err));
            if (!nb) {
                log_err("reload: BMC %s not added: %s", nv[j]->name, err);
            } else {
                publish(dm, nb);
                added++;
            }
            j++;
            continue;
        }
        struct sched_bmc *sb = ov[i];
        if (sched_leaving(sb)) { /* already on its way out: come back with this config */
            add_pending(dm, nv[j], idx);
            changed++;
        } else if (cfg_bmc_equal(sched_cfg(sb), nv[j])) {
            kept++;
        } else if (equal_but_intervals(sched_cfg(sb), nv[j])) {
            sched_update_intervals(sb, nv[j]);
            retimed++;
        } else if (add_pending(dm, nv[j], idx) == 0) {
            sched_remove(sb);
            changed++;
        } else {
            log_err("reload: BMC %s keeps its old configuration: out of memory", nv[j]->name);
        }
        i++;
        j++;
    }
    free(ov);
    free(nv);
    save_indices(dm);
    /* the scheduler holds copies of every cfg_bmc: the old struct can go */
    cfg_unload(dm->cfg);
    dm->cfg = nc;
    log_notice("reloaded %s: %u added, %u removed, %u restarted, %u with new intervals, %u "
               "unchanged",
               dm->path, added, removed, changed, retimed, kept);
    if (dm->hooks && dm->hooks->reload)
        dm->hooks->reload(dm->hooks->arg, dm->cfg);
    if (dm->cfg->status_file[0] && dm->cfg->status_interval_s)
        ev_timer_start(dm->loop, &dm->status_timer, 0);
    else
        ev_timer_stop(dm->loop, &dm->status_timer);
}

/* ---- shutdown ---------------------------------------------------------------------- */

static void all_closed(struct bmc *b, void *arg)
{
    (void)b;
    struct daemon *dm = arg;
    ev_stop(dm->loop);
}

static void on_guard(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    log_warn("shutdown: some BMCs did not answer Close Session; exiting anyway");
    ev_stop(loop);
}

static void shutdown_begin(struct daemon *dm, const char *why)
{
    if (dm->stopping)
        return;
    dm->stopping = true;
    sdn_stopping(dm->sdn);
    log_notice("%s: closing %zu sessions and exiting", why, sched_count(dm->s));
    if (dm->hooks && dm->hooks->stop)
        dm->hooks->stop(dm->hooks->arg);
    ev_timer_stop(dm->loop, &dm->status_timer);
    sched_stop(dm->s);
    ev_timer_start(dm->loop, &dm->guard, (uint64_t)SHUTDOWN_GUARD_MS * EV_NS_PER_MS);
    poller_close_all(dm->p, all_closed, dm);
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

/* The engine's BMC with this ipmiBmcIndex, NULL if none or leaving.  O(n): see daemon.h */
static struct bmc *bmc_by_index(uint32_t index)
{
    struct daemon *dm = running;
    if (!dm || !dm->s || dm->stopping)
        return NULL;
    struct sched_bmc *sb = sched_find_index(dm->s, index);
    const struct bmc_data *d = sb ? sched_data(sb) : NULL;
    return d ? d->b : NULL;
}

int daemon_bmc_request(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len,
                       bmc_rsp_cb cb, void *arg)
{
    struct bmc *b = bmc_by_index(index);
    return b ? bmc_request(b, netfn, cmd, data, len, cb, arg) : -1;
}

int daemon_bmc_send_sessionless(uint32_t index, uint8_t netfn, uint8_t cmd, const uint8_t *data,
                                size_t len)
{
    struct bmc *b = bmc_by_index(index);
    return b ? bmc_send_sessionless(b, netfn, cmd, data, len) : -1;
}

/* ---- run ---------------------------------------------------------------------------- */

int daemon_run(const char *path, struct cfg *cfg, const struct daemon_hooks *hooks)
{
    struct daemon dm = {.path = path, .cfg = cfg, .hooks = hooks, .sigfd = -1};
    running = &dm;
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
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
        (dm.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        log_err("signalfd: %s", strerror(errno));
        goto out;
    }
    if (check_root(cfg) < 0)
        goto out;

    struct poller_opts po;
    bmc_read_poller_opts(cfg, &po);
    dm.loop = ev_new();
    if (!dm.loop) {
        log_err("cannot create the event loop");
        goto out;
    }
    dm.started_ns = ev_now_update(dm.loop);
    dm.store = store_new();
    if (!dm.store) {
        log_err("out of memory for the store");
        goto out;
    }
    dm.p = poller_new(dm.loop, &po, err, sizeof(err));
    if (!dm.p) {
        log_err("%s", err);
        goto out;
    }
    if (hooks && hooks->bind && hooks->bind(hooks->arg, dm.loop, cfg) < 0)
        log_err("a listener could not be opened before the change of user; polling goes on");
    if (drop_privileges(cfg) < 0)
        goto out;

    dm.im = index_map_load(cfg->state_dir, err, sizeof(err));
    if (!dm.im)
        log_err("BMC indices cannot be kept (state-dir): %s; they are assigned in configuration "
                "order for this run",
                err);
    struct sched_opts so;
    sched_opts_from_cfg(&so, cfg);
    dm.s = sched_new(dm.loop, dm.p, &so);
    if (!dm.s) {
        log_err("out of memory");
        goto out;
    }
    sched_set_left_cb(dm.s, on_left, &dm);
    sched_set_publish_cb(dm.s, on_publish, &dm);
    sched_set_sel_new_cb(dm.s, on_sel_new, &dm);
    dm.cs = control_set_new(dm.p);
    dm.glue = dm.cs ? control_glue_new(dm.store, dm.cs,
                                       &(struct control_glue_ops){.bmc_of = bmc_of, .ctx = &dm})
                    : NULL;
    if (!dm.glue) {
        log_err("out of memory");
        goto out;
    }
    size_t owned = 0;
    for (size_t i = 0; i < cfg->nbmcs; i++) /* automatic indices stay clear of explicit ones */
        if (cfg->bmcs[i].index > dm.fallback_index)
            dm.fallback_index = cfg->bmcs[i].index;
    for (size_t i = 0; i < cfg->nbmcs; i++) {
        const struct cfg_bmc *b = &cfg->bmcs[i];
        if (!sched_in_shard(b->name, cfg->shard_k, cfg->shard_n))
            continue;
        uint32_t idx = index_of(&dm, b);
        struct sched_bmc *sb = sched_add(dm.s, b, idx, COLD_SPREAD_MS, err, sizeof(err));
        if (!sb) {
            log_err("BMC %s not polled: %s", b->name, err); /* e.g. a name that does not resolve */
        } else {
            publish(&dm, sb); /* state new: in the MIB from the start */
            owned++;
        }
    }
    save_indices(&dm);
    if (cfg->shard_n > 1)
        log_notice("shard %u/%u: %zu of %zu BMCs", cfg->shard_k, cfg->shard_n, owned, cfg->nbmcs);
    if (ev_add_fd(dm.loop, dm.sigfd, EPOLLIN, on_signal, &dm) < 0) {
        log_err("epoll: %s", strerror(errno));
        goto out;
    }
    ev_timer_init(&dm.status_timer, on_status_timer, &dm);
    ev_timer_init(&dm.guard, on_guard, &dm);
    if (cfg->status_file[0] && cfg->status_interval_s)
        ev_timer_start(dm.loop, &dm.status_timer, 0);
    if (hooks && hooks->start &&
        hooks->start(hooks->arg, dm.loop, dm.store, control_glue_agentx(dm.glue), cfg) < 0)
        log_err("the AgentX subagent did not start; polling goes on");
    log_notice("running: %zu BMCs, pid %ld", owned, (long)getpid());
    dm.sdn = sdn_new(dm.loop, dm.s);
    sdn_ready(dm.sdn);

    if (ev_run(dm.loop) < 0)
        log_err("event loop failed: %s", strerror(errno));
    else
        status = 0;
    ev_timer_stop(dm.loop, &dm.guard);
    ev_timer_stop(dm.loop, &dm.status_timer);
    sdn_free(dm.sdn);
    dm.sdn = NULL;
    ev_del_fd(dm.loop, dm.sigfd);
    /* actions still in flight are abandoned (the subagent has stopped) */
    control_set_free(dm.cs);
    dm.cs = NULL;
    sched_detach_all(dm.s);
    log_notice("stopped");
out:
    running = NULL;
    control_set_free(dm.cs);
    control_glue_free(dm.glue);
    sched_free(dm.s);
    poller_free(dm.p);
    store_free(dm.store);
    ev_free(dm.loop);
    index_map_free(dm.im);
    for (size_t i = 0; i < dm.npend; i++)
        memset(&dm.pend[i].cfg, 0, sizeof(dm.pend[i].cfg));
    free(dm.pend);
    if (dm.sigfd >= 0)
        close(dm.sigfd);
    cfg_unload(dm.cfg);
    return status;
}
