/*
 * scheduler.h - the daemon's poll scheduler: per-BMC task timers and states,
 * and fleet-wide admission control.
 *
 * Each BMC has four tasks with their own intervals (sensor readings and
 * chassis status, new SEL entries, the SDR repository timestamps, FRU
 * inventory), each re-armed with +-10% jitter after it ran, so a fleet
 * that started together drifts apart instead of polling in lockstep.  The
 * tasks due at one moment run as one chain on the BMC's session, reusing
 * the readers (sdr_repo_fetch, sensor_poll_start, fru_reader_start,
 * sel_reader_start) and keeping struct bmc_data between chains.
 *
 * Admission: a chain that needs a login waits while `max_logins` logins
 * are in flight fleet-wide, and an SDR repository read waits while
 * `max_sdr_reads` are.  When many logins time out (loss, not only dead
 * BMCs), the login window shrinks (halved) and grows back by one per
 * successful login: additive increase, multiplicative decrease.
 *
 * Failures: an unreachable BMC is retried after 10 s (or a quarter of the
 * cap, if less), doubling up to `unreachable_max_s` (+-10% jitter); each
 * retry first sends RMCP/ASF Presence Pings (`ping_attempts`, each waiting
 * `ping_timeout_ms`) and logs in only after a pong, except for BMCs known
 * to ignore pings and on every 4th retry.  An authentication failure is
 * retried once per `auth_retry_s`.  Neither slows other BMCs: their timers
 * are their own.
 *
 * One scheduler per event loop and poller; not thread-safe.
 */
#ifndef IPMI_BRIDGE_SCHEDULER_H
#define IPMI_BRIDGE_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bmc_data.h"
#include "cfg.h"

struct ev_loop;
struct poller;
struct sched;
struct sched_bmc;

enum sched_state {
    SCHED_NEW = 0,     /* configured, not tried yet */
    SCHED_CONNECTING,  /* first login in progress (or waiting for a login slot) */
    SCHED_DISCOVERING, /* identity, SDR repository, FRU */
    SCHED_POLLING,     /* the last chain read everything it asked for */
    SCHED_DEGRADED,    /* up, but some requests of the last chain failed */
    SCHED_UNREACHABLE, /* no answer; retried with exponential backoff */
    SCHED_AUTH_FAILED, /* wrong user, password or K_G; retried once per auth-retry-interval */
    SCHED_ERROR,       /* another session failure (cipher, privilege, protocol...) */
    SCHED__COUNT
};
const char *sched_state_name(enum sched_state s);

enum sched_task { TASK_SENSORS = 0, TASK_SEL, TASK_SDR, TASK_FRU, TASK_INFO, TASK__COUNT };
const char *sched_task_name(enum sched_task t);

struct sched_opts {
    uint32_t max_logins;        /* logins in flight fleet-wide */
    uint32_t max_sdr_reads;     /* SDR repository reads in flight fleet-wide */
    uint32_t auth_retry_s;      /* after an authentication failure */
    uint32_t unreachable_max_s; /* cap of the unreachable backoff */
    uint32_t idle_reopen_ms;    /* the poller's: a session idle this long needs a login */
    uint32_t sel_entries;       /* SEL ring size per BMC */
    uint32_t ping_timeout_ms;   /* wait for a Presence Pong this long (the request timeout) */
    uint32_t ping_attempts;     /* pings per retry of an unreachable BMC (0: no ping) */
    uint32_t reboot_grace_s;    /* a BMC lost while up: frequent retries this long (0: none) */
    char sdr_cache_dir[512];    /* "" = no cache */
};
void sched_opts_from_cfg(struct sched_opts *o, const struct cfg *cfg);

/*
 * The unreachable retry policy: the wait in seconds before the next retry
 * of an unreachable BMC (also its new backoff_s; the previous one is
 * `backoff_s`, 0 at the first failure).  Exponential: min(10, cap/4) s,
 * then doubled up to `cap_s`.  A BMC that was up when it went silent
 * (`was_up`, `down_s` seconds ago) is retried every min(first step, half
 * its sensor interval) while down_s < grace_s (a reboot: it answers again
 * within minutes), then exponentially from there.
 */
uint32_t sched_unreachable_wait(uint32_t backoff_s, uint32_t cap_s, uint32_t interval_s,
                                bool was_up, uint64_t down_s, uint32_t grace_s);

/* Per-BMC figures for status output. */
struct sched_info {
    enum sched_state state;
    enum bmc_error error; /* of the last failure (BMC_E_NONE while up) */
    const char *error_text;
    uint32_t index;
    uint32_t chains, failures;
    uint64_t last_ok_ns[TASK__COUNT]; /* ev_now() when each task last completed; 0 = never */
    uint64_t next_ns;                 /* when the next chain is due */
    uint32_t backoff_s;               /* current unreachable backoff (0: none) */
    uint32_t sweeps;                  /* sensor tasks completed */
    uint32_t full_sweeps;             /* of which every sensor got an answer (no session error) */
    uint64_t last_full_sweep_ns;      /* ev_now() of the last full sweep; 0 = never */
    uint32_t unreachable_marks;       /* times the BMC entered SCHED_UNREACHABLE */
};

/* Called after a BMC left (sched_remove) and its poller entry is gone. */
typedef void (*sched_left_cb)(struct sched *s, void *arg, const char *name, uint32_t index);
/*
 * ---- store hook ---------------------------------------------------------
 * Called after every chain (completed or failed), on the scheduler's
 * thread, while the BMC's struct bmc_data is quiet: the place to build and
 * publish its snapshot (snap_build() + store_publish(), src/store/store.h,
 * with sched_info() for the state and index).  On leave, the left callback
 * above is the place for store_remove(index).  sb's bmc_data.b is NULL
 * while its address does not resolve (state error, error word resolve).
 */
typedef void (*sched_publish_cb)(struct sched *s, void *arg, struct sched_bmc *sb);
void sched_set_publish_cb(struct sched *s, sched_publish_cb cb, void *arg);

struct sched *sched_new(struct ev_loop *loop, struct poller *p, const struct sched_opts *o);
/* Stops every timer; frees every BMC without closing sessions (poller_close_all first). */
void sched_free(struct sched *s);
void sched_set_left_cb(struct sched *s, sched_left_cb cb, void *arg);
/* Called once per BMC right after its SEL ring is created, before its first
 * SEL poll: the place for sel_state_restore_seqs() (ipmiSelIndex kept across
 * restarts). */
struct sel_state;
typedef void (*sched_sel_new_cb)(void *arg, uint32_t index, struct sel_state *st);
void sched_set_sel_new_cb(struct sched *s, sched_sel_new_cb cb, void *arg);

/*
 * Add a BMC (the configuration is copied) with its ipmiBmcIndex.  Its first
 * chain starts after a random delay within `spread_ms` (0: at once), so a
 * cold start does not send every login in the same millisecond.
 */
struct sched_bmc *sched_add(struct sched *s, const struct cfg_bmc *cfg, uint32_t index,
                            uint32_t spread_ms, char *err, size_t errlen);
/*
 * Remove a BMC: at once when idle, else when its running chain ends.  Its
 * session gets a Close Session.  The left callback runs when it is gone.
 */
void sched_remove(struct sched_bmc *sb);
/* Change intervals in place (nothing else may differ): the session is kept. */
void sched_update_intervals(struct sched_bmc *sb, const struct cfg_bmc *cfg);
/* Stop starting chains (shutdown); chains in flight end at their next step. */
void sched_stop(struct sched *s);
/*
 * After sched_stop() and poller_close_all(): take every BMC out of the
 * poller, completing whatever its readers still had queued, so that
 * sched_free() and poller_free() leave nothing behind.
 */
void sched_detach_all(struct sched *s);

size_t sched_count(const struct sched *s);
struct sched_bmc *sched_at(struct sched *s, size_t i);
struct sched_bmc *sched_find(struct sched *s, const char *name); /* O(n) */
/* The BMC with this index that is not leaving, or NULL.  O(1). */
struct sched_bmc *sched_find_index(struct sched *s, uint32_t index);
const struct cfg_bmc *sched_cfg(const struct sched_bmc *sb);
const struct bmc_data *sched_data(const struct sched_bmc *sb);
void sched_info(const struct sched_bmc *sb, struct sched_info *out);
bool sched_leaving(const struct sched_bmc *sb);

/* Fleet figures. */
struct sched_stats {
    uint32_t logins_in_flight, login_window, max_logins_seen;
    uint32_t login_window_min; /* the smallest the window has been */
    uint32_t sdr_in_flight, max_sdr_seen;
    uint32_t waiting_login, waiting_sdr;
    uint64_t login_timeouts, logins_ok;
};
void sched_stats(const struct sched *s, struct sched_stats *out);

/*
 * Sharding: h = the 32-bit FNV-1a hash of the BMC name, then MurmurHash3's
 * 32-bit finalizer (fmix32); shard K of N (1-based) owns the names with
 * h mod N = K - 1.  Stable across versions and machines, so every process
 * of a sharded fleet agrees.
 */
uint32_t sched_name_hash(const char *name);
/* The mixed hash (FNV-1a then fmix32): the shard is mix mod N, the daemon's
 * worker thread (mix / N) mod workers. */
uint32_t sched_name_mix(const char *name);
bool sched_in_shard(const char *name, uint32_t k, uint32_t n);

#endif
