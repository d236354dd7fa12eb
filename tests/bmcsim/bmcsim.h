/*
 * bmcsim.h - the network side of the BMC fleet simulator: one process, one
 * epoll loop, one non-blocking UDP socket per simulated BMC.
 *
 * Modules (all single-threaded, sharing one struct fleet):
 *   bmcsim.c        options, start-up, sockets, the loop, shutdown
 *   bmcsim_rmcp.c   the BMC side of RMCP+ (sessions, RAKP, in-session dispatch)
 *   bmcsim_fault.c  PRNG, fault configuration and the delayed-packet queue
 *   bmcsim_pet.c    Platform Event Traps through the Net-SNMP library
 *   bmcsim_ctl.c    the line-based unix control socket
 * Content (SDR, sensors, FRU, SEL) lives in simcontent.[ch].
 */
#ifndef BMCSIM_BMCSIM_H
#define BMCSIM_BMCSIM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ev.h"
#include "rmcpp.h"
#include "simcontent.h"

#define BMCSIM_MAX_BMCS   60000
#define BMCSIM_MAX_USER   16 /* RAKP 1 user name field (IPMI 2.0 section 13.20) */
#define BMCSIM_MAX_PASS   20 /* IPMI 2.0 passwords are up to 20 bytes */
#define BMCSIM_MAX_EVENTS 16
#define BMCSIM_BATCH      32 /* datagrams per recvmmsg() */

/* ---- PRNG (never rand(): every BMC has its own deterministic stream) ---- */

uint64_t bs_splitmix64(uint64_t *state);
static inline uint64_t bs_rand(uint64_t *s)
{
    /* xorshift64*: cheap, good enough to pick faults and nonces in a test rig */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}
void bs_rand_bytes(uint64_t *s, uint8_t *out, size_t n);

/* ---- faults ------------------------------------------------------------ */

enum fault_kind {
    FK_DROP,
    FK_DUP,
    FK_REORDER,
    FK_DELAY,
    FK_SLOW,
    FK_BUSY,
    FK_TRUNCATE,
    FK_MALFORMED,
    FK_IMPOSTOR,
    FK_REFUSE,
    FK_CONTROL_C1,
    FK__COUNT
};
const char *fault_kind_name(unsigned k);

/*
 * Probabilities are in basis points (1/100 of a percent, 0..10000) so that
 * "0.5%" is representable without floating point on the hot path.
 */
struct faults {
    uint16_t drop, dup, reorder, slow, busy, truncate, malformed;
    uint32_t delay_ms, jitter_ms, reorder_ms, slow_ms;
    int32_t refuse_after; /* -1: off; else logins after this many attempts are refused */
    bool impostor;
    bool control_c1; /* Chassis Control answers C1h (invalid command) */
};
void faults_default(struct faults *f);
/* Apply "key=value" (or "clear").  Returns 0, or -1 with a message. */
int faults_set(struct faults *f, const char *kv, char *err, size_t errlen);
/* One line "drop=30 dup=0 ..." into buf. */
void faults_format(const struct faults *f, char *buf, size_t cap);
bool faults_any(const struct faults *f);

/* ---- per-BMC state ----------------------------------------------------- */

enum sess_state { SS_FREE = 0, SS_OPEN, SS_RAKP2, SS_ACTIVE };

struct session {
    uint8_t state;
    uint8_t suite_id;
    uint8_t max_priv; /* granted in Open Session */
    uint8_t role;     /* the whole RAKP 1 role byte */
    uint8_t priv;     /* current session privilege */
    uint8_t open_tag;
    uint32_t console_sid, bmc_sid;
    uint32_t in_hi;   /* highest inbound sequence number accepted */
    uint32_t in_mask; /* bit i: in_hi - 1 - i was seen */
    uint32_t out_seq;
    uint32_t last_s; /* simulator seconds of the last valid packet */
    struct sockaddr_in peer;
    uint8_t rm[16], rc[16];
    struct rmcpp_keys keys;
};

struct bmc_counters {
    uint32_t rx, tx, bad_packets, requests;
    uint32_t sessions_opened, sessions_closed, sessions_expired, sessions_refused;
    uint32_t sessions_abandoned; /* half-open sessions that timed out */
    uint32_t logins_failed, seq_rejects;
    uint32_t pets_sent, pets_resent, pets_acked;
    uint32_t asf_pings; /* RMCP/ASF Presence Pings answered */
    uint32_t faults[FK__COUNT];
};

struct cmd_count {
    uint8_t netfn, cmd;
    uint32_t n;
};

struct fleet;

struct bmc {
    struct fleet *fleet;
    struct sim_state *st;
    struct faults *faults;  /* own override; NULL: the fleet's */
    struct session *sess;   /* fleet->session_limit slots, allocated on first Open Session */
    struct cmd_count *cmds; /* requests by netfn/cmd, allocated on first request */
    uint64_t rng;
    uint32_t index;
    uint32_t login_attempts;
    uint32_t down_until_s; /* "rebooting": ignore everything until then */
    int fd;
    uint16_t port;
    uint16_t ncmds, capcmds;
    uint16_t pet_seq;
    struct in_addr addr;
    struct bmc_counters c;
};

/* Content facts learnt once from the profile (through sim_handle). */
struct sensor_info {
    uint8_t present;
    uint8_t entity, instance;
};

struct pet_pending;
struct delayed;
struct ctl;

struct fleet {
    struct ev_loop *loop;
    struct bmc *bmcs;
    uint32_t count;
    uint16_t base_port;
    uint32_t per_address; /* 0: every BMC on `address` */
    struct in_addr address;
    uint64_t seed;
    uint64_t start_ns;

    char user[BMCSIM_MAX_USER + 1];
    size_t ulen;
    uint8_t pass[BMCSIM_MAX_PASS];
    size_t plen;
    uint8_t user_priv; /* the user's maximum privilege (admin) */
    uint8_t suites[8]; /* enabled cipher suites, preference order */
    size_t nsuites;
    unsigned session_limit;                      /* per BMC */
    uint32_t logins_pending, logins_pending_max; /* logins in progress fleet-wide, and the peak */
    unsigned session_timeout_s;

    struct faults faults; /* fleet-wide defaults */
    uint64_t fault_rng;   /* for fleet-level decisions not tied to a BMC */

    /* content */
    struct sim_profile *profile;
    struct sensor_info sensors[256];
    uint32_t manufacturer_id;
    uint16_t product_id;
    unsigned tick_ms;
    struct ev_timer tick_timer;
    uint32_t tick_next;

    /* requests by netfn/cmd, fleet-wide; netfn is 6 bits */
    uint64_t cmd_total[64][256];

    /* PET */
    bool pet_enabled;
    struct sockaddr_in pet_dest;
    char pet_community[64];
    unsigned pet_retries;
    unsigned pet_retry_ms;
    struct pet_pending *pets; /* doubly linked */
    uint64_t pet_unmatched_acks;

    /* delayed packets (delay, jitter, reorder, slow) */
    struct delayed *delayed;
    size_t ndelayed;

    struct ctl *ctl;
    int sigfd;
    int verbose;
};

/* Simulator clock, in seconds since start. */
uint64_t fleet_now_s(const struct fleet *f);
const struct faults *bmc_faults(const struct bmc *b);
/* Count a request by netfn/cmd (fleet-wide and per BMC). */
void bmc_count_cmd(struct bmc *b, uint8_t netfn, uint8_t cmd);
/* Drop every session (reboot, shutdown). */
void bmc_drop_sessions(struct bmc *b);
/* Handle SEL events produced by the content module: send PETs. */
void bmc_events(struct bmc *b, const struct sim_event *ev, size_t n);
uint32_t bmc_sessions_active(const struct bmc *b);

/* bmcsim_rmcp.c: one inbound datagram from `from`. */
void rmcp_input(struct bmc *b, const struct sockaddr_in *from, const uint8_t *pkt, size_t len);

/* bmcsim_fault.c: send a response, applying the BMC's output faults. */
void bmc_send(struct bmc *b, const struct sockaddr_in *to, const uint8_t *pkt, size_t len,
              bool session_traffic);
/* Send with no faults at all (PETs, control-triggered traffic). */
void bmc_send_raw(struct bmc *b, const struct sockaddr_in *to, const uint8_t *pkt, size_t len);
/* true with probability bp/10000 from the BMC's stream */
bool bmc_chance(struct bmc *b, uint16_t bp);
void delayed_free_all(struct fleet *f);
void delayed_drop_bmc(struct fleet *f, struct bmc *b);

/* bmcsim_pet.c */
int pet_init(struct fleet *f, char *err, size_t errlen);
void pet_shutdown(struct fleet *f);
void pet_send_event(struct bmc *b, const struct sim_event *ev);
/* PET Acknowledge (IPMI 2.0 section 30.8 / netfn 04h cmd 17h); returns the completion code. */
uint8_t pet_ack(struct bmc *b, const uint8_t *data, size_t len);
void pet_drop_bmc(struct fleet *f, struct bmc *b);

/* bmcsim_dump.c: the control socket's dump-sensors / dump-sel / dump-fru */
typedef void (*dump_emit_fn)(void *ctx, const char *line);
void ctl_dump(struct fleet *f, struct bmc *b, const char *what, dump_emit_fn emit, void *ctx);

/* bmcsim_ctl.c */
int ctl_open(struct fleet *f, const char *path, char *err, size_t errlen);
void ctl_close(struct fleet *f);

#endif
