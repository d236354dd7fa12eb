/*
 * bmc.h - the poller: persistent RMCP+ sessions to many BMCs, driven by one
 * event loop on a few shared UDP sockets.
 *
 * Replies are demultiplexed by peer address (an open-addressing hash) and
 * then checked against the remote-console session ID we assigned.  Each BMC
 * is a state machine with one session-step timer; each request in flight has
 * its own retransmit timer.  No per-BMC thread, process, socket or blocking
 * call.  A poller belongs to one loop/thread.
 */
#ifndef IPMI_BRIDGE_BMC_H
#define IPMI_BRIDGE_BMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec_err.h"

struct ev_loop;
struct cfg_bmc;
struct poller;
struct bmc;

struct poller_opts {
    uint32_t timeout_ms;         /* first retransmit interval of a request */
    uint32_t retries;            /* retransmissions after the first attempt */
    uint32_t session_timeout_ms; /* budget for establishing one session */
    uint32_t idle_reopen_ms;     /* re-open a session idle for this long */
    uint32_t max_in_flight;      /* requests in flight per BMC */
    uint32_t sockets;            /* shared UDP sockets */
    uint32_t socket_buffer;      /* SO_RCVBUF/SO_SNDBUF bytes asked for (0: 4 MiB) */
};
void poller_opts_default(struct poller_opts *o);

enum bmc_state {
    BMC_S_IDLE = 0, /* no session; will connect on the next request */
    BMC_S_AUTHCAP,  /* Get Channel Authentication Capabilities sent */
    BMC_S_OPEN,     /* Open Session Request sent */
    BMC_S_RAKP1,    /* RAKP 1 sent */
    BMC_S_RAKP3,    /* RAKP 3 sent */
    BMC_S_SETPRIV,  /* Set Session Privilege Level sent */
    BMC_S_CIPHERS,  /* no configured suite accepted: listing what the BMC offers */
    BMC_S_ACTIVE,   /* session up */
    BMC_S_CLOSING,  /* Close Session sent */
    BMC_S_FAILED,   /* last attempt failed; waits for backoff or the next request */
    BMC_S__COUNT
};
const char *bmc_state_name(enum bmc_state s);

enum bmc_error {
    BMC_E_NONE = 0,
    BMC_E_UNREACHABLE, /* no answer after the configured retries */
    BMC_E_AUTH_FAILED, /* wrong user/password/K_G, or an impostor BMC */
    BMC_E_CIPHER,      /* no configured cipher suite is offered by the BMC */
    BMC_E_PRIVILEGE,   /* the requested privilege level was refused */
    BMC_E_PROTOCOL,    /* the BMC answered something we cannot accept */
    BMC_E_TIMEOUT,     /* a request in an established session got no answer */
    BMC_E_CLOSED,      /* the session was closed (shutdown) before an answer */
    BMC_E_RESOLVE,     /* the address does not resolve */
    BMC_E_INTERNAL,    /* out of memory, socket error, crypto library error */
    BMC_E__COUNT
};
/* One-word error name used in JSON "state" and logs ("auth_failed", ...). */
const char *bmc_error_word(enum bmc_error e);

struct bmc_rsp {
    enum bmc_error err;  /* BMC_E_NONE: a response arrived (cc says how it went) */
    uint8_t cc;          /* completion code */
    const uint8_t *data; /* response data after the completion code */
    size_t len;
};
typedef void (*bmc_rsp_cb)(struct bmc *b, void *arg, const struct bmc_rsp *rsp);
typedef void (*bmc_event_cb)(struct bmc *b, void *arg);

struct bmc_counters {
    uint64_t tx_packets, rx_packets;
    uint64_t requests, responses, retransmits, busy_retries; /* busy: transient codes */
    uint64_t sessions_opened, session_failures, auth_failures, reopens;
    uint64_t stray_packets; /* valid but unmatched (late duplicates) */
    uint64_t bad_packets;   /* rejected by a decoder; see bad_reason */
    uint64_t bad_reason[CODEC_E__COUNT];
    uint64_t replays;
    uint64_t rakp_rejected; /* RAKP 2/4 whose auth code does not verify (dropped) */
    uint64_t pings, pongs;  /* RMCP/ASF Presence Ping sent, Pong received */
    /* session-less IPMI requests (bmc_send_sessionless): sent, answered, and
     * answered with a completion code other than 00h */
    uint64_t sessionless_sent, sessionless_answered, sessionless_refused;
    /* session liveness: session-less probes (Get Channel Authentication
     * Capabilities) sent while a session request went unanswered, those
     * answered, and sessions found dead that way (the BMC answered the probe
     * but not the session: a reboot, or it dropped the session; each also
     * counts in reopens) */
    uint64_t probes, probe_answers, sessions_lost;
};

/* ---- poller ------------------------------------------------------------ */
struct poller *poller_new(struct ev_loop *loop, const struct poller_opts *opts, char *errbuf,
                          size_t errlen);
/* Closes nothing gracefully: use poller_close_all() first.  NULL is a no-op. */
void poller_free(struct poller *p);
/* Resolves the address; the BMC starts idle.  NULL on error (errbuf says why). */
struct bmc *poller_add(struct poller *p, const struct cfg_bmc *cfg, char *errbuf, size_t errlen);
size_t poller_count(const struct poller *p);
struct bmc *poller_bmc(struct poller *p, size_t i);
/*
 * Send Close Session on every active session.  `done` runs once every BMC
 * is closed or gave up (bounded by the request timeout and retries).  Final:
 * from its start on, bmc_request() refuses (-1) and bmc_connect() does
 * nothing, so a callback cannot start a session after the close.
 */
void poller_close_all(struct poller *p, bmc_event_cb done, void *arg);
/*
 * Remove one BMC: an active session gets one Close Session (not waited for),
 * requests still queued complete with BMC_E_CLOSED, and the BMC is freed.
 * Other BMCs may change their bmc_index().  Its address can be added again.
 */
void poller_remove(struct poller *p, struct bmc *b);
/* Summed counters of all BMCs. */
void poller_counters(const struct poller *p, struct bmc_counters *out);
struct ev_loop *poller_loop(const struct poller *p);

/* ---- per BMC ------------------------------------------------------------ */
/*
 * Queue a request; the session is established first if needed.  The
 * callback runs exactly once, with the response or an error.  Returns 0, or
 * -1 if the request is too large, memory is short or poller_close_all() has
 * begun (callback not called).
 */
int bmc_request(struct bmc *b, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len,
                bmc_rsp_cb cb, void *arg);
/* The same, addressed to one of the BMC's LUNs (0-3), e.g. for sensors on LUN 1. */
int bmc_request_lun(struct bmc *b, uint8_t lun, uint8_t netfn, uint8_t cmd, const uint8_t *data,
                    size_t len, bmc_rsp_cb cb, void *arg);
/*
 * Send one RMCP/ASF Presence Ping (no session needed).  `pong` runs once
 * when the matching Presence Pong arrives; a new ping or bmc_ping_cancel()
 * forgets the old one.  No retransmission: the caller times it out.
 */
int bmc_ping(struct bmc *b, bmc_event_cb pong, void *arg);
void bmc_ping_cancel(struct bmc *b);
/*
 * Send one IPMI request outside any session (IPMI 1.5 session header, auth
 * type none, session ID and sequence 0; see rmcp15_msg_encode), e.g. a PET
 * Acknowledge.  Fire and forget: no retransmission, no callback, whatever
 * the BMC's session state.  A response is matched by its rqSeq and command
 * (those of the last request sent) and counted
 * (sessionless_answered; a completion code other than 00h also in
 * sessionless_refused and logged, rate-limited, naming the BMC).  Returns 0,
 * or -1 if the request is too large (nothing sent).
 */
int bmc_send_sessionless(struct bmc *b, uint8_t netfn, uint8_t cmd, const uint8_t *data,
                         size_t len);
/* Establish the session now (without a request). */
void bmc_connect(struct bmc *b);
/* Called whenever the BMC changes between up and down (for traps and logs). */
void bmc_set_state_cb(struct bmc *b, bmc_event_cb cb, void *arg);

const char *bmc_name(const struct bmc *b);
const char *bmc_address(const struct bmc *b); /* "host:port" as configured */
const struct cfg_bmc *bmc_cfg(const struct bmc *b);
enum bmc_state bmc_state(const struct bmc *b);
enum bmc_error bmc_last_error(const struct bmc *b);
const char *bmc_error_text(const struct bmc *b); /* one line, names no secret */
int bmc_suite(const struct bmc *b);              /* suite in use or last used, -1 = none yet */
const struct bmc_counters *bmc_counters(const struct bmc *b);

/*
 * Test hook: hand one datagram to the BMC's receive path as if it had
 * arrived on its socket from the BMC's address (what on_readable does after
 * the peer-address lookup).  Everything after that is the real path:
 * decoding, session checks, the state machine, counters.  For unit tests
 * and fuzz harnesses, which drive a BMC without a network; the daemon never
 * calls it.  `len` may be anything up to RMCPP_MAX_PACKET + 1.
 */
void bmc_feed(struct bmc *b, const uint8_t *buf, size_t len);
size_t bmc_index(const struct bmc *b);
/* ev_now() of the last packet accepted from the BMC (0: none yet). */
uint64_t bmc_last_rx_ns(const struct bmc *b);
void bmc_set_user(struct bmc *b, void *user);
void *bmc_user(const struct bmc *b);

#endif
