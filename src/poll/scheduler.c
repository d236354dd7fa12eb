/*
 * scheduler.c - per-BMC task timers, states and fleet-wide admission control
 * (see scheduler.h).
 *
 * One chain per BMC at a time: identity answers first (Get Device ID and
 * Get System GUID until known, then Get Chassis Status every chain; the
 * first answer also tells whether the login worked), then the due tasks in
 * the order SDR check, sensors, FRU, SEL.  Every callback checks whether
 * the scheduler is stopping or the BMC is leaving before it goes on.  A
 * BMC is freed only from its own timer, never inside a poller callback.
 */
#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bmc_read.h"
#include "ev.h"
#include "log.h"

#define UNREACHABLE_FIRST_S                                                                        \
    10                       /* first retry of an unreachable BMC (at most a quarter of the cap) */
#define DIRECT_LOGIN_EVERY 4 /* without a pong, still try a login every 4th retry */
#define DUE_SLACK_NS       (500 * EV_NS_PER_MS) /* tasks due this soon join the chain */

enum chain_step {
    C_IDLE = 0,
    C_PING, /* RMCP/ASF Presence Ping before a login to an unreachable BMC */
    C_WAIT_LOGIN,
    C_IDENT,
    C_WAIT_SDR,
    C_SDR,
    C_SENSORS,
    C_FRU,
    C_SEL,
    C_INFO
};

struct sched_bmc {
    struct sched *s;
    size_t pos; /* in s->v */
    struct cfg_bmc cfg;
    struct bmc_data d;
    uint32_t index;
    enum sched_state state;
    enum bmc_error err;
    char *err_text; /* heap, NULL: none (bmc_text_set) */
    uint64_t due[TASK__COUNT];
    uint64_t last_ok[TASK__COUNT];
    uint64_t next_ns;
    struct ev_timer timer;
    unsigned run; /* tasks of this chain (bit per enum sched_task) */
    enum chain_step cs;
    enum read_step ident;
    bool holds_login, holds_sdr, leaving, discovered, degraded;
    struct sched_bmc *wnext; /* in a wait queue */
    uint32_t backoff_s;
    uint32_t chains, failures;
    uint32_t sweeps, full_sweeps; /* sensor tasks done; those with every sensor answered */
    uint32_t unreachable_marks;   /* times the BMC went to unreachable */
    uint64_t last_full_sweep;
    uint32_t retries_unreachable; /* retries since the BMC became unreachable */
    uint8_t pings_left;
    bool ping_probed, ignores_ping; /* learnt once the BMC answered a login */
    uint64_t lost_ns;               /* ev_now() when it went from up to unreachable (0: not lost) */
};

struct wait_queue {
    struct sched_bmc *head, *tail;
    uint32_t n;
};

struct sched {
    struct ev_loop *loop;
    struct poller *p;
    struct sched_opts o;
    struct sched_bmc **v;
    size_t n, cap;
    /* index -> the BMC most recently added with it (open addressing, linear
     * probing, key 0 empty; indices start at 1): sched_find_index() in O(1) */
    struct idx_slot {
        uint32_t key;
        struct sched_bmc *sb;
    } * ix;
    size_t ixcap, ixn; /* ixcap a power of two, kept at most half full */
    bool stopping;
    uint64_t rng;
    /* admission */
    uint32_t logins, sdrs, window, window_min, max_logins_seen, max_sdr_seen;
    uint32_t epoch_total, epoch_timeouts;
    uint64_t login_timeouts, logins_ok;
    struct wait_queue wait_login, wait_sdr;
    sched_left_cb left_cb;
    void *left_arg;
    sched_publish_cb publish_cb;
    void *publish_arg;
    sched_sel_new_cb sel_new_cb;
    void *sel_new_arg;
};

static const char *const state_names[SCHED__COUNT] = {
    [SCHED_NEW] = "new",
    [SCHED_CONNECTING] = "connecting",
    [SCHED_DISCOVERING] = "discovering",
    [SCHED_POLLING] = "polling",
    [SCHED_DEGRADED] = "degraded",
    [SCHED_UNREACHABLE] = "unreachable",
    [SCHED_AUTH_FAILED] = "auth_failed",
    [SCHED_ERROR] = "error",
};

static const char *const task_names[TASK__COUNT] = {
    [TASK_SENSORS] = "sensors", [TASK_SEL] = "sel",   [TASK_SDR] = "sdr",
    [TASK_FRU] = "fru",         [TASK_INFO] = "info",
};

const char *sched_state_name(enum sched_state st)
{
    return (unsigned)st < SCHED__COUNT ? state_names[st] : "unknown";
}

const char *sched_task_name(enum sched_task t)
{
    return (unsigned)t < TASK__COUNT ? task_names[t] : "unknown";
}

void sched_opts_from_cfg(struct sched_opts *o, const struct cfg *cfg)
{
    memset(o, 0, sizeof(*o));
    o->max_logins = cfg->max_logins ? cfg->max_logins : 64;
    o->max_sdr_reads = cfg->max_sdr_reads ? cfg->max_sdr_reads : 32;
    o->auth_retry_s = cfg->auth_retry_s ? cfg->auth_retry_s : 600;
    o->unreachable_max_s = cfg->unreachable_max_s ? cfg->unreachable_max_s : 300;
    o->idle_reopen_ms = cfg->idle_reopen_ms ? cfg->idle_reopen_ms : 50000;
    o->ping_timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 1000;
    o->ping_attempts = cfg->retries + 1;
    o->reboot_grace_s = cfg->reboot_grace_s;
    o->sel_entries = cfg->sel_entries ? cfg->sel_entries : SEL_RING_DEFAULT;
    snprintf(o->sdr_cache_dir, sizeof(o->sdr_cache_dir), "%s", cfg->sdr_cache_dir);
}

uint32_t sched_name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a, 32 bits */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

uint32_t sched_name_mix(const char *name)
{
    /* FNV-1a's low bits depend on the low bits of the input only: mix all
     * 32 bits into each with MurmurHash3's finalizer before "mod n" */
    uint32_t h = sched_name_hash(name);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

bool sched_in_shard(const char *name, uint32_t k, uint32_t n)
{
    if (n <= 1)
        return true;
    return sched_name_mix(name) % n == k - 1;
}

/* ---- small helpers ------------------------------------------------------- */

/* "host:port" for messages, also before the address resolved. */
static const char *sched_address(const struct sched_bmc *sb)
{
    return sb->d.b ? bmc_address(sb->d.b) : sb->cfg.address;
}

static uint64_t rng_next(struct sched *s)
{
    uint64_t x = s->rng; /* xorshift64: jitter only, no secret */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->rng = x;
    return x;
}

/* `base_ns` +- 10% */
static uint64_t jitter(struct sched *s, uint64_t base_ns)
{
    uint64_t j = base_ns / 10;
    if (!j)
        return base_ns;
    return base_ns - j + rng_next(s) % (2 * j + 1);
}

uint32_t sched_unreachable_wait(uint32_t backoff_s, uint32_t cap_s, uint32_t interval_s,
                                bool was_up, uint64_t down_s, uint32_t grace_s)
{
    uint32_t cap = cap_s ? cap_s : 1;
    uint32_t first = cap / 4 ? cap / 4 : 1;
    if (first > UNREACHABLE_FIRST_S)
        first = UNREACHABLE_FIRST_S;
    if (was_up && down_s < grace_s) {
        /* a BMC that went silent while polled is most likely rebooting:
         * ping it at least twice per sensor interval for the grace period,
         * so its sessions are back within an interval of its return */
        uint32_t half = interval_s / 2 ? interval_s / 2 : 1;
        return half < first ? half : first;
    }
    uint64_t next = backoff_s ? (uint64_t)backoff_s * 2 : first;
    return next > cap ? cap : (uint32_t)next;
}

static uint32_t interval_s(const struct sched_bmc *sb, enum sched_task t)
{
    switch (t) {
    case TASK_SENSORS:
        return sb->cfg.sensor_interval_s ? sb->cfg.sensor_interval_s : 30;
    case TASK_SEL:
        return sb->cfg.sel_interval_s ? sb->cfg.sel_interval_s : 60;
    case TASK_SDR:
        if (!sb->d.repo) /* no repository yet (the read failed): try again soon */
            return interval_s(sb, TASK_SENSORS);
        return sb->cfg.sdr_check_interval_s ? sb->cfg.sdr_check_interval_s : 3600;
    case TASK_INFO:
        return sb->cfg.info_interval_s ? sb->cfg.info_interval_s : 300;
    case TASK_FRU:
    default:
        return sb->cfg.fru_interval_s ? sb->cfg.fru_interval_s : 86400;
    }
}

static void set_state(struct sched_bmc *sb, enum sched_state st)
{
    if (sb->state == st)
        return;
    /* state changes are rare by construction (backoff), so no rate limit is needed */
    enum log_level lvl = (st == SCHED_POLLING || st == SCHED_CONNECTING ||
                          st == SCHED_DISCOVERING || st == SCHED_DEGRADED)
                             ? LOG_LVL_INFO
                             : LOG_LVL_NOTICE;
    if (sb->state == SCHED_DEGRADED && st == SCHED_POLLING)
        lvl = LOG_LVL_NOTICE;
    log_msg(lvl, "BMC %s (%s): %s -> %s", sb->cfg.name, sched_address(sb),
            sched_state_name(sb->state), sched_state_name(st));
    if (st == SCHED_UNREACHABLE)
        sb->unreachable_marks++;
    sb->state = st;
}

static void q_push(struct wait_queue *q, struct sched_bmc *sb)
{
    sb->wnext = NULL;
    if (q->tail)
        q->tail->wnext = sb;
    else
        q->head = sb;
    q->tail = sb;
    q->n++;
}

static struct sched_bmc *q_pop(struct wait_queue *q)
{
    struct sched_bmc *sb = q->head;
    if (!sb)
        return NULL;
    q->head = sb->wnext;
    if (!q->head)
        q->tail = NULL;
    sb->wnext = NULL;
    q->n--;
    return sb;
}

/* O(n): only for a BMC that leaves while it waits. */
static void q_unlink(struct wait_queue *q, struct sched_bmc *sb)
{
    struct sched_bmc *prev = NULL;
    for (struct sched_bmc *x = q->head; x; prev = x, x = x->wnext) {
        if (x != sb)
            continue;
        if (prev)
            prev->wnext = x->wnext;
        else
            q->head = x->wnext;
        if (q->tail == x)
            q->tail = prev;
        q->n--;
        x->wnext = NULL;
        return;
    }
}

/* ---- the chain ------------------------------------------------------------- */

static void ident_next(struct sched_bmc *sb);
static void stage_next(struct sched_bmc *sb);
static void chain_end(struct sched_bmc *sb);
static void admit_waiting(struct sched *s);

static void on_probe_pong(struct bmc *b, void *arg)
{
    (void)b;
    struct sched_bmc *sb = arg;
    sb->ignores_ping = false;
}

static bool stop_here(struct sched_bmc *sb)
{
    if (!sb->s->stopping && !sb->leaving)
        return false;
    chain_end(sb);
    return true;
}

/* The login outcome feeds the window: halve it when most logins of an
 * epoch timed out, grow it by a quarter (at least 1) otherwise. */
static void login_done(struct sched_bmc *sb, bool timed_out)
{
    struct sched *s = sb->s;
    if (!sb->holds_login)
        return;
    sb->holds_login = false;
    s->logins--;
    s->epoch_total++;
    if (timed_out) {
        s->epoch_timeouts++;
        s->login_timeouts++;
    } else {
        s->logins_ok++;
    }
    if (s->epoch_total >= s->window) {
        if (s->epoch_timeouts * 2 > s->epoch_total) {
            uint32_t w = s->window / 2 ? s->window / 2 : 1;
            if (w != s->window)
                log_notice("%u of the last %u logins timed out: login window %u -> %u",
                           s->epoch_timeouts, s->epoch_total, s->window, w);
            s->window = w;
            if (w < s->window_min)
                s->window_min = w;
        } else if (s->window < s->o.max_logins) {
            uint32_t w = s->window + s->window / 4 + 1;
            s->window = w > s->o.max_logins ? s->o.max_logins : w;
        }
        s->epoch_total = s->epoch_timeouts = 0;
    }
    admit_waiting(s);
}

static void sdr_done(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    if (!sb->holds_sdr)
        return;
    sb->holds_sdr = false;
    s->sdrs--;
    while (!s->stopping && s->sdrs < s->o.max_sdr_reads && s->wait_sdr.head) {
        struct sched_bmc *w = q_pop(&s->wait_sdr);
        w->cs = C_WAIT_SDR; /* stage_next() starts its read (C_SDR would skip it) */
        w->holds_sdr = true;
        s->sdrs++;
        if (s->sdrs > s->max_sdr_seen)
            s->max_sdr_seen = s->sdrs;
        stage_next(w);
    }
    admit_waiting(s); /* the SDR queue is shorter: logins may have room */
}

/*
 * Room for a login: within the login window, and the SDR queue short (under
 * max-sdr-reads waiting).  A BMC logged in and then parked behind a long SDR
 * queue idles there: in a cold start of 50,000 BMCs the queue is minutes
 * long, the BMC drops the idle session and it is opened again when the
 * BMC's turn comes, one login and one abandoned session wasted a BMC.
 * sdr_done() admits logins again as the queue shortens.
 */
static bool login_room(const struct sched *s)
{
    return s->logins < s->window && s->wait_sdr.n < s->o.max_sdr_reads;
}

static void take_login(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    sb->holds_login = true;
    s->logins++;
    if (s->logins > s->max_logins_seen)
        s->max_logins_seen = s->logins;
}

static void admit_waiting(struct sched *s)
{
    while (!s->stopping && login_room(s) && s->wait_login.head) {
        struct sched_bmc *sb = q_pop(&s->wait_login);
        take_login(sb);
        sb->cs = C_IDENT;
        ident_next(sb);
    }
}

/* The chain could not log in or identify the BMC: back off. */
/*
 * The publish hook, then the FRU reader goes: the snapshot just built holds
 * the FRU part (shared by later snapshots until the next FRU read), and the
 * reader's results (the images and the parsed areas, about 10 KB per FRU
 * device) and its 8 KiB read buffer would otherwise stay with every BMC.
 * The next FRU read makes a new reader.  A snapshot that could not be built
 * (memory short) keeps the FRU part the store had (snap_build.c).
 */
static void publish(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    if (s->publish_cb)
        s->publish_cb(s, s->publish_arg, sb);
    struct bmc_data *d = &sb->d;
    if (d->frur && d->fru_done && !fru_reader_busy(d->frur)) {
        fru_reader_free(d->frur);
        d->frur = NULL;
    }
}

static void chain_fail(struct sched_bmc *sb, enum bmc_error e, const char *text)
{
    struct sched *s = sb->s;
    uint64_t now = ev_now(s->loop);
    if (s->stopping) { /* requests failed by the shutdown: no state change, no log */
        login_done(sb, false);
        sdr_done(sb);
        sb->cs = C_IDLE;
        sb->run = 0;
        return;
    }
    sb->err = e;
    bmc_text_set(&sb->err_text, "%.639s", text && *text ? text : bmc_error_word(e));
    sb->failures++;
    uint64_t delay_s;
    if (e == BMC_E_AUTH_FAILED) {
        set_state(sb, SCHED_AUTH_FAILED);
        delay_s = s->o.auth_retry_s;
        sb->backoff_s = 0;
        sb->lost_ns = 0;
    } else {
        bool silent = e == BMC_E_UNREACHABLE || e == BMC_E_TIMEOUT;
        if (!silent)
            sb->lost_ns = 0;
        else if (!sb->lost_ns && (sb->state == SCHED_POLLING || sb->state == SCHED_DEGRADED ||
                                  (sb->state == SCHED_DISCOVERING && sb->discovered)))
            /* it was up: a reboot, most likely.  The first loss starts the
             * grace; failing again while coming back does not restart it, and
             * a BMC never discovered gets none (it backs off from the start). */
            sb->lost_ns = now ? now : 1;
        set_state(sb, silent ? SCHED_UNREACHABLE : SCHED_ERROR);
        uint64_t down_s = sb->lost_ns ? (now - sb->lost_ns) / EV_NS_PER_SEC : 0;
        sb->backoff_s = sched_unreachable_wait(sb->backoff_s, s->o.unreachable_max_s,
                                               interval_s(sb, TASK_SENSORS), sb->lost_ns != 0,
                                               down_s, s->o.reboot_grace_s);
        delay_s = sb->backoff_s;
    }
    login_done(sb, e == BMC_E_UNREACHABLE || e == BMC_E_TIMEOUT);
    sdr_done(sb);
    sb->cs = C_IDLE;
    sb->run = 0;
    sb->next_ns = now + jitter(s, delay_s * EV_NS_PER_SEC);
    publish(sb);
    if (sb->leaving || s->stopping) {
        if (sb->leaving)
            ev_timer_start(s->loop, &sb->timer, 0);
        return;
    }
    ev_timer_start_at(s->loop, &sb->timer, sb->next_ns);
}

static void arm_next(struct sched_bmc *sb)
{
    uint64_t next = UINT64_MAX;
    for (int t = 0; t < TASK__COUNT; t++)
        if (sb->due[t] < next)
            next = sb->due[t];
    sb->next_ns = next;
    ev_timer_start_at(sb->s->loop, &sb->timer, next);
}

static void chain_end(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    uint64_t now = ev_now(s->loop);
    bool complete = sb->cs != C_IDLE && !s->stopping && !sb->leaving;
    login_done(sb, false);
    sdr_done(sb);
    /* the next run is due an interval after this one was due, not after it
     * ended: the period is the interval however long the chain took (a
     * login, an SDR read, slow answers), so a reading is never older than
     * about one interval plus one chain; a run that is a whole interval
     * late starts the schedule afresh from now */
    for (int t = 0; t < TASK__COUNT; t++)
        if (sb->run & (1u << t)) {
            uint64_t iv = jitter(s, (uint64_t)interval_s(sb, (enum sched_task)t) * EV_NS_PER_SEC);
            uint64_t next = sb->due[t] + iv;
            sb->due[t] = next > now ? next : now + iv;
        }
    sb->run = 0;
    sb->cs = C_IDLE;
    if (complete) {
        sb->chains++;
        sb->retries_unreachable = 0;
        if (!sb->ping_probed) {
            /* learn once whether this BMC answers Presence Ping; until a
             * pong arrives it counts as one that does not */
            sb->ping_probed = true;
            sb->ignores_ping = true;
            bmc_ping(sb->d.b, on_probe_pong, sb);
        }
        sb->discovered = true;
        sb->backoff_s = 0;
        sb->lost_ns = 0;
        sb->err = BMC_E_NONE;
        bmc_text_set(&sb->err_text, "%s", "");
        set_state(sb, sb->degraded ? SCHED_DEGRADED : SCHED_POLLING);
        publish(sb);
    }
    if (sb->leaving) {
        ev_timer_start(s->loop, &sb->timer, 0); /* removed from a clean stack */
        return;
    }
    if (!s->stopping)
        arm_next(sb);
}

static void on_ident(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    struct sched_bmc *sb = arg;
    if (rsp->err != BMC_E_NONE) {
        chain_fail(sb, rsp->err, bmc_error_text(b));
        return;
    }
    login_done(sb, false);
    if (stop_here(sb))
        return;
    char text[700];
    if (bmc_read_ident(&sb->d, sb->ident, rsp, text, sizeof(text)) < 0) {
        log_warn("%s", text);
        chain_fail(sb, BMC_E_PROTOCOL, text);
        return;
    }
    if (sb->state == SCHED_CONNECTING || sb->state == SCHED_NEW || !sb->discovered)
        set_state(sb, SCHED_DISCOVERING);
    sb->ident++;
    ident_next(sb);
}

static void ident_next(struct sched_bmc *sb)
{
    struct bmc_data *d = &sb->d;
    if (sb->ident == STEP_DEVID && d->have_devid)
        sb->ident = STEP_GUID;
    if (sb->ident == STEP_GUID && d->guid_tried)
        sb->ident = STEP_CHASSIS;
    if (sb->ident > STEP_CHASSIS) {
        sb->cs = C_IDENT;
        stage_next(sb);
        return;
    }
    uint8_t netfn, cmd;
    bmc_read_ident_cmd(sb->ident, &netfn, &cmd);
    if (bmc_request(d->b, netfn, cmd, NULL, 0, on_ident, sb) < 0)
        chain_fail(sb, BMC_E_INTERNAL, "cannot queue a request");
}

static void on_sdr(struct bmc *b, void *arg, int err, const char *errtext, struct sdr_repo *repo,
                   const struct sdr_fetch_stats *st)
{
    (void)b;
    struct sched_bmc *sb = arg;
    struct bmc_data *d = &sb->d;
    sdr_done(sb);
    d->sdr_stats = *st;
    bmc_text_set(&d->sdr_err, "%s", "");
    if (err) {
        bmc_text_set(&d->sdr_err, "%s", errtext);
        sb->degraded = true;
        log_warn("%s", errtext);
        sdr_repo_free(repo);
    } else {
        sb->last_ok[TASK_SDR] = ev_now(sb->s->loop);
        if (repo && bmc_read_take_repo(d, repo) < 0)
            sb->degraded = true;
    }
    if (stop_here(sb))
        return;
    sb->cs = C_SDR;
    stage_next(sb);
}

static void on_sensors(struct bmc *b, void *arg, const struct sensor_poll *p)
{
    (void)b;
    (void)p;
    struct sched_bmc *sb = arg;
    struct bmc_data *d = &sb->d;
    d->have_sensors = true;
    d->thresholds_read = true;
    bool full = true;
    d->sensors_mono_ns = ev_now_update(sb->s->loop); /* the snapshot's reading age */
    for (size_t i = 0; d->set && i < d->set->n; i++)
        if (d->vals[i].why == SENSOR_WHY_SESSION) {
            sb->degraded = true;
            full = false;
        }
    sb->last_ok[TASK_SENSORS] = ev_now(sb->s->loop);
    sb->sweeps++;
    if (full) {
        sb->full_sweeps++;
        sb->last_full_sweep = sb->last_ok[TASK_SENSORS];
    }
    if (stop_here(sb))
        return;
    stage_next(sb);
}

static void on_fru(struct bmc *b, void *arg, struct fru_reader *fr)
{
    (void)b;
    (void)fr;
    struct sched_bmc *sb = arg;
    sb->d.fru_done = true;
    sb->d.fru_read_ns = ev_now(sb->s->loop);
    sb->last_ok[TASK_FRU] = sb->d.fru_read_ns;
    if (stop_here(sb))
        return;
    stage_next(sb);
}

static void on_sel(struct bmc *b, void *arg, struct sel_state *st,
                   const struct sel_poll_result *res)
{
    (void)b;
    (void)st;
    struct sched_bmc *sb = arg;
    struct bmc_data *d = &sb->d;
    d->sel_res = *res;
    d->have_sel = true;
    d->sel_ns = ev_now_update(sb->s->loop) - d->sel_start_ns;
    if (res->status == SEL_POLL_OK)
        sb->last_ok[TASK_SEL] = ev_now(sb->s->loop);
    else
        sb->degraded = true;
    if (stop_here(sb))
        return;
    stage_next(sb);
}

static void on_info(struct bmc *b, void *arg)
{
    (void)b;
    struct sched_bmc *sb = arg;
    struct bmc_data *d = &sb->d;
    d->have_info = true;
    d->info_read_ns = ev_now(sb->s->loop);
    if (d->info.poh_st == INFO_FAILED || d->info.sel_time_st == INFO_FAILED ||
        d->info.lan_st == INFO_FAILED || d->info.dcmi_st == INFO_FAILED)
        sb->degraded = true;
    else
        sb->last_ok[TASK_INFO] = d->info_read_ns;
    if (stop_here(sb))
        return;
    stage_next(sb);
}

/* From the stage just finished (sb->cs) to the next one the chain runs. */
static void stage_next(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    struct bmc_data *d = &sb->d;
    for (;;) {
        switch (sb->cs) {
        case C_IDLE:
        case C_PING:
        case C_WAIT_LOGIN:
            return;
        case C_IDENT:
            if (!(sb->run & (1u << TASK_SDR))) {
                sb->cs = C_SDR;
                continue;
            }
            if (s->sdrs >= s->o.max_sdr_reads) {
                sb->cs = C_WAIT_SDR;
                q_push(&s->wait_sdr, sb);
                return;
            }
            sb->holds_sdr = true;
            s->sdrs++;
            if (s->sdrs > s->max_sdr_seen)
                s->max_sdr_seen = s->sdrs;
            /* fall through */
        case C_WAIT_SDR: {
            sb->cs = C_SDR;
            const char *dir = s->o.sdr_cache_dir[0] ? s->o.sdr_cache_dir : NULL;
            if (sdr_repo_fetch(d->b, d->have_guid ? d->guid : NULL, dir, d->repo, on_sdr, sb) == 0)
                return;
            sdr_done(sb);
            bmc_text_set(&d->sdr_err, "cannot start reading the SDR repository");
            sb->degraded = true;
            continue;
        }
        case C_SDR:
            sb->cs = C_SENSORS;
            if (!(sb->run & (1u << TASK_SENSORS)) || !d->set)
                continue;
            if (sensor_poll_start(&d->poll, d->b, d->set, d->vals, !d->thresholds_read, on_sensors,
                                  sb) == 0)
                return;
            continue;
        case C_SENSORS: {
            sb->cs = C_FRU;
            if (!(sb->run & (1u << TASK_FRU)))
                continue;
            struct fru_device dev[1 + 32];
            struct fru_reader_params fp;
            fru_reader_params_default(&fp);
            fp.devices = dev;
            fp.ndevices = bmc_read_fru_devices(d, dev, sizeof(dev) / sizeof(dev[0]));
            fp.loop = s->loop;
            if (!d->frur)
                d->frur = fru_reader_new();
            if (d->frur && fru_reader_start(d->frur, d->b, &fp, on_fru, sb) == 0)
                return;
            continue;
        }
        case C_FRU:
            sb->cs = C_SEL;
            if (!(sb->run & (1u << TASK_SEL)))
                continue;
            if (!d->sel) {
                d->sel = sel_state_new(s->o.sel_entries);
                if (d->sel && s->sel_new_cb)
                    s->sel_new_cb(s->sel_new_arg, sb->index, d->sel);
            }
            if (!d->selr)
                d->selr = sel_reader_new();
            struct sel_reader_params sp;
            sel_reader_params_default(&sp);
            d->sel_start_ns = ev_now_update(s->loop);
            if (d->sel && d->selr && sel_reader_start(d->selr, d->b, d->sel, &sp, on_sel, sb) == 0)
                return;
            continue;
        case C_SEL:
            sb->cs = C_INFO;
            if (!(sb->run & (1u << TASK_INFO)))
                continue;
            if (info_read_start(&d->ir, d->b, &d->info, on_info, sb) == 0)
                return;
            continue;
        case C_INFO:
            chain_end(sb);
            return;
        }
    }
}

static void do_remove(struct sched_bmc *sb);

static void chain_go(struct sched_bmc *sb);
static void on_pong(struct bmc *b, void *arg);

static void send_ping(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    sb->pings_left--;
    if (bmc_ping(sb->d.b, on_pong, sb) < 0) {
        sb->cs = C_IDLE;
        chain_go(sb);
        return;
    }
    ev_timer_start(s->loop, &sb->timer, (uint64_t)s->o.ping_timeout_ms * EV_NS_PER_MS);
}

static void on_pong(struct bmc *b, void *arg)
{
    (void)b;
    struct sched_bmc *sb = arg;
    if (sb->cs != C_PING)
        return;
    ev_timer_stop(sb->s->loop, &sb->timer);
    sb->cs = C_IDLE;
    sb->ping_probed = true;
    sb->ignores_ping = false;
    log_info("BMC %s (%s): answers RMCP/ASF Presence Ping; logging in", sb->cfg.name,
             bmc_address(sb->d.b));
    if (sb->leaving) {
        ev_timer_start(sb->s->loop, &sb->timer, 0);
        return;
    }
    chain_go(sb);
}

/* The ping timer ran out: another ping, or the retry failed. */
static void ping_timeout(struct sched_bmc *sb)
{
    if (sb->pings_left > 0 && !sb->leaving) {
        send_ping(sb);
        return;
    }
    bmc_ping_cancel(sb->d.b);
    sb->cs = C_IDLE;
    if (sb->leaving) {
        ev_timer_start(sb->s->loop, &sb->timer, 0);
        return;
    }
    char text[400];
    snprintf(text, sizeof(text), "BMC %s (%s): no answer to RMCP/ASF Presence Ping (%u attempts)",
             sb->cfg.name, bmc_address(sb->d.b), sb->s->o.ping_attempts);
    chain_fail(sb, BMC_E_UNREACHABLE, text);
}

/*
 * A retry of an unreachable BMC starts with Presence Pings; only a pong
 * leads to a login.  A BMC known to ignore pings, and every
 * DIRECT_LOGIN_EVERY-th retry (a BMC never seen up may ignore them too),
 * go straight to the login.
 */
static void start_chain(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    if (sb->state == SCHED_UNREACHABLE && s->o.ping_attempts) {
        sb->retries_unreachable++;
        /* in a reboot's grace period a BMC known to answer pings is logged
         * in to only after a pong: the frequent retries stay pings */
        bool grace = sb->lost_ns && sb->ping_probed &&
                     ev_now(s->loop) - sb->lost_ns < (uint64_t)s->o.reboot_grace_s * EV_NS_PER_SEC;
        bool direct =
            sb->ignores_ping || (!grace && sb->retries_unreachable % DIRECT_LOGIN_EVERY == 0);
        if (!direct) {
            sb->cs = C_PING;
            sb->pings_left = (uint8_t)s->o.ping_attempts;
            send_ping(sb);
            return;
        }
    }
    chain_go(sb);
}

static void chain_go(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    uint64_t now = ev_now(s->loop);
    unsigned run = 0;
    for (int t = 0; t < TASK__COUNT; t++)
        if (!sb->discovered || sb->due[t] <= now + DUE_SLACK_NS)
            run |= 1u << t;
    if (!run) {
        arm_next(sb);
        return;
    }
    sb->run = run;
    sb->degraded = false;
    sb->ident = STEP_DEVID;
    uint64_t last = bmc_last_rx_ns(sb->d.b);
    bool need_login = bmc_state(sb->d.b) != BMC_S_ACTIVE || last == 0 ||
                      now - last > (uint64_t)s->o.idle_reopen_ms * EV_NS_PER_MS;
    if (need_login && !sb->discovered && sb->state != SCHED_UNREACHABLE &&
        sb->state != SCHED_AUTH_FAILED && sb->state != SCHED_ERROR)
        set_state(sb, SCHED_CONNECTING);
    if (need_login) {
        if (!login_room(s)) {
            sb->cs = C_WAIT_LOGIN;
            q_push(&s->wait_login, sb);
            return;
        }
        take_login(sb);
    }
    sb->cs = C_IDENT;
    ident_next(sb);
}

/*
 * A BMC whose address did not resolve stays in the fleet (state error,
 * error word resolve) and is tried again with the unreachable backoff: a
 * DNS outage at start-up must not drop BMCs for good.
 */
static int try_resolve(struct sched_bmc *sb)
{
    char err[640];
    sb->d.b = poller_add(sb->s->p, &sb->cfg, err, sizeof(err));
    if (sb->d.b) {
        bmc_set_user(sb->d.b, sb);
        log_notice("BMC %s (%s): the address resolves now", sb->cfg.name, sched_address(sb));
        return 0;
    }
    chain_fail(sb, BMC_E_RESOLVE, err);
    return -1;
}

static void on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct sched_bmc *sb = arg;
    if (sb->cs == C_PING) {
        ping_timeout(sb);
        return;
    }
    if (sb->leaving && sb->cs == C_IDLE) {
        do_remove(sb);
        return;
    }
    if (sb->s->stopping || sb->cs != C_IDLE)
        return;
    if (!sb->d.b && try_resolve(sb) < 0)
        return;
    start_chain(sb);
}

/* ---- the fleet --------------------------------------------------------------- */

struct sched *sched_new(struct ev_loop *loop, struct poller *p, const struct sched_opts *o)
{
    struct sched *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->loop = loop;
    s->p = p;
    s->o = *o;
    if (!s->o.max_logins)
        s->o.max_logins = 1;
    if (!s->o.max_sdr_reads)
        s->o.max_sdr_reads = 1;
    s->window = s->window_min = s->o.max_logins;
    s->rng = ev_monotonic_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
    if (!s->rng)
        s->rng = 1;
    return s;
}

static void free_bmc(struct sched_bmc *sb)
{
    ev_timer_stop(sb->s->loop, &sb->timer);
    bmc_read_clear(&sb->d);
    free(sb->err_text);
    memset(&sb->cfg, 0, sizeof(sb->cfg)); /* the password copy */
    free(sb);
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_bmc(s->v[i]);
    free(s->v);
    free(s->ix);
    free(s);
}

void sched_set_publish_cb(struct sched *s, sched_publish_cb cb, void *arg)
{
    s->publish_cb = cb;
    s->publish_arg = arg;
}

void sched_set_sel_new_cb(struct sched *s, sched_sel_new_cb cb, void *arg)
{
    s->sel_new_cb = cb;
    s->sel_new_arg = arg;
}

void sched_set_left_cb(struct sched *s, sched_left_cb cb, void *arg)
{
    s->left_cb = cb;
    s->left_arg = arg;
}

static size_t ix_home(const struct sched *s, uint32_t key)
{
    return (size_t)((key * 0x9e3779b1u) & (uint32_t)(s->ixcap - 1));
}

static int ix_put(struct sched *s, uint32_t key, struct sched_bmc *sb)
{
    if (!key)
        return 0;
    if (2 * (s->ixn + 1) > s->ixcap) {
        size_t ncap = s->ixcap ? 2 * s->ixcap : 128;
        struct idx_slot *nt = calloc(ncap, sizeof(*nt)), *ot = s->ix;
        if (!nt)
            return -1;
        size_t ocap = s->ixcap;
        s->ix = nt;
        s->ixcap = ncap;
        s->ixn = 0;
        for (size_t i = 0; i < ocap; i++)
            if (ot[i].key)
                ix_put(s, ot[i].key, ot[i].sb);
        free(ot);
    }
    size_t i = ix_home(s, key);
    while (s->ix[i].key && s->ix[i].key != key)
        i = (i + 1) & (s->ixcap - 1);
    if (!s->ix[i].key)
        s->ixn++;
    s->ix[i].key = key;
    s->ix[i].sb = sb; /* a newer BMC with the index replaces a leaving one */
    return 0;
}

/* Forget `key` if it still maps to `sb` (backward-shift deletion). */
static void ix_del(struct sched *s, uint32_t key, const struct sched_bmc *sb)
{
    if (!s->ixcap || !key)
        return;
    size_t i = ix_home(s, key);
    while (s->ix[i].key && s->ix[i].key != key)
        i = (i + 1) & (s->ixcap - 1);
    if (s->ix[i].key != key || s->ix[i].sb != sb)
        return;
    size_t hole = i;
    for (size_t j = (i + 1) & (s->ixcap - 1); s->ix[j].key; j = (j + 1) & (s->ixcap - 1)) {
        size_t h = ix_home(s, s->ix[j].key);
        /* move j into the hole unless its home lies cyclically in (hole, j] */
        bool stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
        if (!stays) {
            s->ix[hole] = s->ix[j];
            hole = j;
        }
    }
    s->ix[hole].key = 0;
    s->ix[hole].sb = NULL;
    s->ixn--;
}

struct sched_bmc *sched_find_index(struct sched *s, uint32_t index)
{
    if (!s->ixcap || !index)
        return NULL;
    for (size_t i = ix_home(s, index); s->ix[i].key; i = (i + 1) & (s->ixcap - 1))
        if (s->ix[i].key == index)
            return s->ix[i].sb->leaving ? NULL : s->ix[i].sb;
    return NULL;
}

struct sched_bmc *sched_add(struct sched *s, const struct cfg_bmc *cfg, uint32_t index,
                            uint32_t spread_ms, char *err, size_t errlen)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        struct sched_bmc **nv = realloc(s->v, ncap * sizeof(*nv));
        if (!nv) {
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        s->v = nv;
        s->cap = ncap;
    }
    struct sched_bmc *sb = calloc(1, sizeof(*sb));
    if (!sb) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sb->s = s;
    sb->cfg = *cfg;
    sb->index = index;
    sb->d.b = poller_add(s->p, &sb->cfg, err, errlen);
    /* poller_add() says "cannot resolve" for a name lookup that failed:
     * such a BMC is kept and retried; any other refusal is final */
    bool unresolved = !sb->d.b && strstr(err, "cannot resolve");
    if (!sb->d.b && !unresolved) {
        free(sb);
        return NULL;
    }
    if (ix_put(s, index, sb) < 0) {
        poller_remove(s->p, sb->d.b);
        free(sb);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sb->d.b)
        bmc_set_user(sb->d.b, sb);
    sb->pos = s->n;
    s->v[s->n++] = sb;
    ev_timer_init(&sb->timer, on_timer, sb);
    uint64_t delay = spread_ms ? rng_next(s) % ((uint64_t)spread_ms * EV_NS_PER_MS) : 0;
    for (int t = 0; t < TASK__COUNT; t++)
        sb->due[t] = ev_now(s->loop) + delay;
    sb->next_ns = ev_now(s->loop) + delay;
    if (unresolved) {
        log_warn("%s; retried with backoff", err);
        chain_fail(sb, BMC_E_RESOLVE, err); /* arms the retry timer */
        return sb;
    }
    if (!s->stopping)
        ev_timer_start(s->loop, &sb->timer, delay);
    return sb;
}

static void do_remove(struct sched_bmc *sb)
{
    struct sched *s = sb->s;
    char name[CFG_NAME_MAX];
    uint32_t index = sb->index;
    snprintf(name, sizeof(name), "%s", sb->cfg.name);
    q_unlink(&s->wait_login, sb);
    q_unlink(&s->wait_sdr, sb);
    login_done(sb, false);
    sdr_done(sb);
    poller_remove(s->p, sb->d.b);
    sb->d.b = NULL;
    ix_del(s, index, sb);
    size_t i = sb->pos;
    s->v[i] = s->v[--s->n];
    s->v[i]->pos = i;
    free_bmc(sb);
    if (s->left_cb)
        s->left_cb(s, s->left_arg, name, index);
}

void sched_remove(struct sched_bmc *sb)
{
    if (sb->leaving)
        return;
    sb->leaving = true;
    if (sb->cs == C_WAIT_LOGIN) {
        q_unlink(&sb->s->wait_login, sb);
        sb->cs = C_IDLE;
    }
    /* C_WAIT_SDR: the chain holds a session; it ends when it is admitted */
    if (sb->cs == C_IDLE)
        ev_timer_start(sb->s->loop, &sb->timer, 0);
}

void sched_update_intervals(struct sched_bmc *sb, const struct cfg_bmc *cfg)
{
    uint32_t old[TASK__COUNT];
    for (int t = 0; t < TASK__COUNT; t++)
        old[t] = interval_s(sb, (enum sched_task)t);
    sb->cfg.sensor_interval_s = cfg->sensor_interval_s;
    sb->cfg.sel_interval_s = cfg->sel_interval_s;
    sb->cfg.sdr_check_interval_s = cfg->sdr_check_interval_s;
    sb->cfg.fru_interval_s = cfg->fru_interval_s;
    sb->cfg.info_interval_s = cfg->info_interval_s;
    uint64_t now = ev_now(sb->s->loop);
    for (int t = 0; t < TASK__COUNT; t++) {
        uint32_t nw = interval_s(sb, (enum sched_task)t);
        /* a shorter interval takes effect now, not after the old one ran out */
        if (nw < old[t] && sb->due[t] > now + (uint64_t)nw * EV_NS_PER_SEC)
            sb->due[t] = now + jitter(sb->s, (uint64_t)nw * EV_NS_PER_SEC);
    }
    if (sb->cs == C_IDLE && sb->discovered && !sb->s->stopping &&
        (sb->state == SCHED_POLLING || sb->state == SCHED_DEGRADED))
        arm_next(sb);
}

void sched_stop(struct sched *s)
{
    s->stopping = true;
    for (size_t i = 0; i < s->n; i++)
        ev_timer_stop(s->loop, &s->v[i]->timer);
    while (q_pop(&s->wait_login))
        ;
    while (q_pop(&s->wait_sdr))
        ;
    for (size_t i = 0; i < s->n; i++) {
        struct sched_bmc *sb = s->v[i];
        if (sb->cs == C_PING)
            bmc_ping_cancel(sb->d.b);
        if (sb->cs == C_WAIT_LOGIN || sb->cs == C_WAIT_SDR || sb->cs == C_PING) {
            sdr_done(sb);
            sb->cs = C_IDLE;
        }
    }
}

void sched_detach_all(struct sched *s)
{
    s->stopping = true;
    for (size_t i = 0; i < s->n; i++) {
        struct sched_bmc *sb = s->v[i];
        if (!sb->d.b)
            continue;
        if (sb->cs == C_PING)
            bmc_ping_cancel(sb->d.b);
        poller_remove(s->p, sb->d.b);
        sb->d.b = NULL;
    }
}

size_t sched_count(const struct sched *s)
{
    return s->n;
}

struct sched_bmc *sched_at(struct sched *s, size_t i)
{
    return i < s->n ? s->v[i] : NULL;
}

struct sched_bmc *sched_find(struct sched *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i]->cfg.name, name) == 0)
            return s->v[i];
    return NULL;
}

const struct cfg_bmc *sched_cfg(const struct sched_bmc *sb)
{
    return &sb->cfg;
}

const struct bmc_data *sched_data(const struct sched_bmc *sb)
{
    return &sb->d;
}

bool sched_leaving(const struct sched_bmc *sb)
{
    return sb->leaving;
}

void sched_info(const struct sched_bmc *sb, struct sched_info *out)
{
    memset(out, 0, sizeof(*out));
    out->state = sb->state;
    out->error = sb->err;
    out->error_text = bmc_text(sb->err_text);
    out->index = sb->index;
    out->chains = sb->chains;
    out->failures = sb->failures;
    out->sweeps = sb->sweeps;
    out->full_sweeps = sb->full_sweeps;
    out->last_full_sweep_ns = sb->last_full_sweep;
    out->unreachable_marks = sb->unreachable_marks;
    memcpy(out->last_ok_ns, sb->last_ok, sizeof(out->last_ok_ns));
    out->next_ns = sb->next_ns;
    out->backoff_s = sb->backoff_s;
}

void sched_stats(const struct sched *s, struct sched_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->logins_in_flight = s->logins;
    out->login_window = s->window;
    out->login_window_min = s->window_min;
    out->max_logins_seen = s->max_logins_seen;
    out->sdr_in_flight = s->sdrs;
    out->max_sdr_seen = s->max_sdr_seen;
    out->waiting_login = s->wait_login.n;
    out->waiting_sdr = s->wait_sdr.n;
    out->login_timeouts = s->login_timeouts;
    out->logins_ok = s->logins_ok;
}
