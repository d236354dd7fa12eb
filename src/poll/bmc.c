/*
 * bmc.c - RMCP+ sessions to many BMCs on one event loop.
 *
 * Per BMC: a state machine for session establishment (Get Channel Auth
 * Capabilities, Open Session, RAKP 1-4, Set Session Privilege Level), a
 * FIFO of waiting requests and a bounded set of requests in flight, each
 * with its own retransmit timer.  Per poller: a few shared non-blocking
 * UDP sockets and an open-addressing hash from peer address to BMC.
 */
#include "bmc.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "asf.h"
#include "cfg.h"
#include "ev.h"
#include "ipmi_msg.h"
#include "log.h"
#include "rmcpp.h"

#define BMC_REQ_MAX_DATA    64   /* our largest request body (IPMB requests are < 40 bytes) */
#define BMC_MAX_QUEUED      4096 /* per BMC; beyond that a caller is looping */
#define BMC_MAX_IN_FLIGHT   16
#define BMC_LOG_INTERVAL_NS (60 * EV_NS_PER_SEC)
#define BMC_MAX_OFFERED     32
#define BMC_BUSY_RETRIES    6  /* transient completion codes retried per request */
#define BMC_OUTBOX          8  /* datagrams batched per sendmmsg() (outbox_flush) */
#define BMC_RX_BATCH        32 /* datagrams per recvmmsg() */

struct bmc_req {
    struct bmc_req *next;
    struct bmc *bmc;
    struct ev_timer timer;
    bmc_rsp_cb cb;
    void *arg;
    uint8_t netfn, cmd, seq, dlen, lun;
    uint8_t tries;    /* transmissions so far */
    uint8_t reopened; /* already survived one session re-establishment */
    uint8_t busy;     /* transient answers (C0h node busy, ...) so far */
    uint8_t data[BMC_REQ_MAX_DATA];
    uint64_t first_ns; /* ev_now() of its first transmission in this session */
};

struct bmc {
    struct poller *p;
    size_t index;
    const struct cfg_bmc *cfg;
    struct sockaddr_storage sa;
    socklen_t salen;
    int fd;
    char addr[300]; /* "host:port" for messages */

    enum bmc_state state;
    enum bmc_error err;
    char err_text[640];

    /* session */
    uint32_t console_sid, bmc_sid;
    uint32_t old_sid; /* our ID of the session given up by the last idle reopen (0: none) */
    uint32_t out_seq;
    struct rmcpp_seq_window in_win;
    uint8_t tag;
    uint8_t role;
    uint8_t rm[16], rc[16], guid[16];
    struct rmcpp_keys keys;
    const struct rmcpp_suite *suite;
    uint8_t suite_pos;    /* index into cfg->suites being tried */
    uint8_t suites_tried; /* suites proposed since this session attempt began */
    int8_t good_suite;    /* index of the suite that last worked, -1 none */
    bool suite_doubtful;  /* reached past a refusal we could not verify: not remembered */
    uint8_t step_tries;
    /* What arrived in this step that we could not verify and so did not act
     * on; it becomes the verdict only if nothing better comes in time. */
    uint8_t step_status;  /* status of a short error reply (no session ID), 0 none */
    uint8_t step_rejects; /* RAKP 2/4 whose auth code did not verify */
    uint8_t ctl_seq;      /* rqSeq of the session-internal message in flight */
    uint8_t rq_seq;
    struct ev_timer step_timer;
    uint64_t step_deadline;
    uint64_t last_rx_ns;
    uint8_t offered[BMC_MAX_OFFERED];
    uint8_t noffered;
    uint8_t cipher_index;
    uint8_t cipher_data[64 * 16 > 256 ? 256 : 64 * 16];
    size_t cipher_len;

    struct bmc_req *qhead, *qtail;
    size_t nqueued;
    struct bmc_req *inflight[BMC_MAX_IN_FLIGHT];
    unsigned ninflight;
    uint8_t max_in_flight; /* cfg's max-in-flight, else the poller's; 1 to BMC_MAX_IN_FLIGHT */

    bool was_up;
    struct log_rl rl;
    struct bmc_counters ctr;
    bmc_event_cb state_cb;
    void *state_arg;
    void *user;
    /* RMCP/ASF Presence Ping in flight (bmc_ping) */
    bmc_event_cb pong_cb;
    void *pong_arg;
    uint8_t ping_tag;
    /* session-less requests (bmc_send_sessionless): bit n = rqSeq n unanswered */
    uint64_t sl_pending;
    uint8_t sl_seq, sl_netfn, sl_cmd; /* the last one sent */
    /* session liveness (see probe_send): the probe in flight (0: none) and
     * when the BMC last answered one */
    uint64_t probe_sent_ns, probe_ok_ns;
    uint8_t probe_seq;
};

struct poller {
    struct ev_loop *loop;
    struct poller_opts o;
    int *fds4, *fds6;
    unsigned nfds;
    struct bmc **bmcs;
    size_t n, cap;
    struct ht_slot *ht; /* open addressing, linear probing, power-of-two size */
    size_t htcap;
    struct bmc_req *free_reqs;
    uint64_t rng;
    bmc_event_cb close_done;
    void *close_arg;
    size_t nclosing;
    bool shut; /* poller_close_all() began: no new request, no new session */
    uint64_t unknown_source;
    /* datagrams queued during one loop iteration, sent with sendmmsg()
     * when BMC_OUTBOX are waiting and before the loop sleeps */
    struct mmsghdr out_msg[BMC_OUTBOX];
    struct iovec out_iov[BMC_OUTBOX];
    int out_fd[BMC_OUTBOX];
    struct bmc *out_bmc[BMC_OUTBOX];
    uint8_t out_buf[BMC_OUTBOX][RMCPP_MAX_PACKET];
    unsigned nout;
    uint8_t ivpool[4096]; /* CSPRNG output, handed out 16 bytes per encrypted packet */
    size_t ivpos;
    uint8_t rx[BMC_RX_BATCH][RMCPP_MAX_PACKET + 1];
    /* recvmmsg()'s headers, set up once (rx_setup): a call rewrites only the
     * sender lengths of the datagrams it returned, and only those are reset */
    struct mmsghdr rx_msg[BMC_RX_BATCH];
    struct iovec rx_iov[BMC_RX_BATCH];
    struct sockaddr_storage rx_from[BMC_RX_BATCH];
    uint8_t pl[RMCPP_MAX_PAYLOAD + 32];
};

static void rx_setup(struct poller *p)
{
    for (int i = 0; i < BMC_RX_BATCH; i++) {
        p->rx_iov[i].iov_base = p->rx[i];
        p->rx_iov[i].iov_len = sizeof(p->rx[i]);
        p->rx_msg[i].msg_hdr = (struct msghdr){
            .msg_name = &p->rx_from[i],
            .msg_namelen = sizeof(p->rx_from[i]),
            .msg_iov = &p->rx_iov[i],
            .msg_iovlen = 1,
        };
    }
}

static const char *const state_names[BMC_S__COUNT] = {
    [BMC_S_IDLE] = "idle",       [BMC_S_AUTHCAP] = "authcap", [BMC_S_OPEN] = "open",
    [BMC_S_RAKP1] = "rakp1",     [BMC_S_RAKP3] = "rakp3",     [BMC_S_SETPRIV] = "setpriv",
    [BMC_S_CIPHERS] = "ciphers", [BMC_S_ACTIVE] = "active",   [BMC_S_CLOSING] = "closing",
    [BMC_S_FAILED] = "failed",
};

static const char *const error_words[BMC_E__COUNT] = {
    [BMC_E_NONE] = "ok",
    [BMC_E_UNREACHABLE] = "unreachable",
    [BMC_E_AUTH_FAILED] = "auth_failed",
    [BMC_E_CIPHER] = "cipher",
    [BMC_E_PRIVILEGE] = "privilege",
    [BMC_E_PROTOCOL] = "protocol",
    [BMC_E_TIMEOUT] = "timeout",
    [BMC_E_CLOSED] = "closed",
    [BMC_E_RESOLVE] = "resolve",
    [BMC_E_INTERNAL] = "internal",
};

const char *bmc_state_name(enum bmc_state s)
{
    return (unsigned)s < BMC_S__COUNT ? state_names[s] : "unknown";
}

const char *bmc_error_word(enum bmc_error e)
{
    return (unsigned)e < BMC_E__COUNT ? error_words[e] : "unknown";
}

void poller_opts_default(struct poller_opts *o)
{
    o->timeout_ms = 1000;
    o->retries = 3;
    o->session_timeout_ms = 10000;
    o->idle_reopen_ms = 50000;
    o->max_in_flight = 1;
    o->sockets = 4;
    o->socket_buffer = 4u << 20;
}

/* ---- small helpers ------------------------------------------------------ */

static uint64_t rng_next(struct poller *p)
{
    /* xorshift64*: jitter only, never security */
    p->rng ^= p->rng >> 12;
    p->rng ^= p->rng << 25;
    p->rng ^= p->rng >> 27;
    return p->rng * 2685821657736338717ULL;
}

/* A fresh unpredictable IV: one RAND_bytes call per 256 packets. */
static int iv_next(struct poller *p, uint8_t iv[16])
{
    if (p->ivpos == 0 || p->ivpos + 16 > sizeof(p->ivpool)) {
        if (RAND_bytes(p->ivpool, sizeof(p->ivpool)) != 1)
            return -1;
        p->ivpos = 0;
    }
    memcpy(iv, p->ivpool + p->ivpos, 16);
    OPENSSL_cleanse(p->ivpool + p->ivpos, 16);
    p->ivpos += 16;
    return 0;
}

/* Fresh unpredictable nonzero bytes (tags, session IDs): a blind spoofer
 * must not be able to guess what the reply to match carries. */
static int rand_nonzero(uint8_t *out, size_t n)
{
    for (int i = 0; i < 8; i++) {
        if (RAND_bytes(out, (int)n) != 1)
            return -1;
        for (size_t j = 0; j < n; j++)
            if (out[j])
                return 0;
    }
    return -1;
}

/* A new random message tag, different from the one before it, so a late
 * reply to the previous attempt does not match the new one. */
static int new_tag(struct bmc *b)
{
    uint8_t t;
    if (rand_nonzero(&t, 1) < 0)
        return -1;
    if (t == b->tag) /* one value in 255: take its neighbour, never 0 */
        t = t == 0xff ? 1 : (uint8_t)(t + 1);
    b->tag = t;
    return 0;
}

/* Attempt n (1-based) waits timeout * 2^(n-1), at most 4x, with +-12.5% jitter. */
static uint64_t backoff_ns(struct bmc *b, unsigned attempt)
{
    uint64_t base = (uint64_t)b->p->o.timeout_ms * EV_NS_PER_MS;
    unsigned shift = attempt > 1 ? attempt - 1 : 0;
    if (shift > 2)
        shift = 2;
    base <<= shift;
    uint64_t j = base / 8;
    if (j)
        base = base - j + rng_next(b->p) % (2 * j + 1);
    return base;
}

static void put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

__attribute__((format(printf, 3, 4))) static void bmc_fail_text(struct bmc *b, enum bmc_error e,
                                                                const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    b->err = e;
    snprintf(b->err_text, sizeof(b->err_text), "BMC %s (%s): %s", b->cfg->name, b->addr, msg);
}

static void log_bmc_error(struct bmc *b)
{
    uint32_t held = 0;
    if (!log_rl_ok(&b->rl, ev_now(b->p->loop), BMC_LOG_INTERVAL_NS, &held))
        return;
    if (held)
        log_warn("%s [%s] (%u similar messages suppressed)", b->err_text, bmc_error_word(b->err),
                 held);
    else
        log_warn("%s [%s]", b->err_text, bmc_error_word(b->err));
}

static void notify_updown(struct bmc *b, bool up)
{
    if (b->was_up == up)
        return;
    b->was_up = up;
    if (b->state_cb)
        b->state_cb(b, b->state_arg);
}

/* ---- request pool -------------------------------------------------------- */

static struct bmc_req *req_alloc(struct poller *p)
{
    struct bmc_req *r = p->free_reqs;
    if (r)
        p->free_reqs = r->next;
    else
        r = malloc(sizeof(*r));
    if (r)
        memset(r, 0, sizeof(*r));
    return r;
}

static void req_release(struct poller *p, struct bmc_req *r)
{
    ev_timer_stop(p->loop, &r->timer);
    r->next = p->free_reqs;
    p->free_reqs = r;
}

static void req_complete(struct bmc *b, struct bmc_req *r, enum bmc_error e, uint8_t cc,
                         const uint8_t *data, size_t len)
{
    struct bmc_rsp rsp = {.err = e, .cc = cc, .data = data, .len = len};
    bmc_rsp_cb cb = r->cb;
    void *arg = r->arg;
    req_release(b->p, r);
    if (e == BMC_E_NONE)
        b->ctr.responses++;
    cb(b, arg, &rsp); /* may queue new requests */
}

static void queue_push_front(struct bmc *b, struct bmc_req *r)
{
    r->next = b->qhead;
    b->qhead = r;
    if (!b->qtail)
        b->qtail = r;
    b->nqueued++;
}

static struct bmc_req *queue_pop(struct bmc *b)
{
    struct bmc_req *r = b->qhead;
    if (!r)
        return NULL;
    b->qhead = r->next;
    if (!b->qhead)
        b->qtail = NULL;
    b->nqueued--;
    r->next = NULL;
    return r;
}

static void inflight_remove(struct bmc *b, unsigned i)
{
    b->inflight[i] = b->inflight[--b->ninflight];
}

/* Fail every waiting and in-flight request (session could not be had). */
static void fail_all(struct bmc *b, enum bmc_error e)
{
    /* A callback may queue a request, which an active session sends at once:
     * fail that one too, or it outlives the session (found by fuzz_session). */
    for (;;) {
        struct bmc_req *r = NULL;
        if (b->ninflight) {
            r = b->inflight[0];
            inflight_remove(b, 0);
        } else if (!(r = queue_pop(b))) {
            break;
        }
        req_complete(b, r, e, 0, NULL, 0);
    }
}

/* ---- sending ----------------------------------------------------------- */

static void send_failed(struct bmc *b, int err)
{
    uint32_t held;
    if (err == EAGAIN || err == EWOULDBLOCK || err == ECONNREFUSED)
        return; /* the retransmit timer covers it */
    if (log_rl_ok(&b->rl, ev_now(b->p->loop), BMC_LOG_INTERVAL_NS, &held))
        log_warn("BMC %s (%s): sendto: %s", b->cfg->name, b->addr, strerror(err));
}

/*
 * Send the queued datagrams, one sendmmsg() per run of the same socket.
 * Called when BMC_OUTBOX are waiting and before the loop sleeps.  An outbox
 * of 1 was a syscall per datagram; holding all of a wake-up's sends until
 * the loop sleeps (64) left the peers idle meanwhile and doubled our
 * wake-ups per reading; 8 keeps them busy with about a fifth of the send
 * syscalls (README, "Where a reading's CPU goes").
 */
static void outbox_flush(struct poller *p)
{
    unsigned i = 0;
    while (i < p->nout) {
        unsigned j = i + 1;
        while (j < p->nout && p->out_fd[j] == p->out_fd[i])
            j++;
        unsigned done = i;
        while (done < j) {
            int n = sendmmsg(p->out_fd[i], p->out_msg + done, j - done, 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                send_failed(p->out_bmc[done], errno);
                done++; /* skip the datagram that failed, keep the rest */
                continue;
            }
            done += (unsigned)n;
        }
        i = j;
    }
    p->nout = 0;
}

static void before_sleep(struct ev_loop *loop, void *arg)
{
    (void)loop;
    outbox_flush(arg);
}

static void bmc_send(struct bmc *b, const uint8_t *pkt, size_t len)
{
    struct poller *p = b->p;
    if (p->nout == BMC_OUTBOX)
        outbox_flush(p);
    unsigned k = p->nout++;
    memcpy(p->out_buf[k], pkt, len);
    p->out_iov[k].iov_base = p->out_buf[k];
    p->out_iov[k].iov_len = len;
    p->out_msg[k].msg_hdr = (struct msghdr){
        .msg_name = &b->sa,
        .msg_namelen = b->salen,
        .msg_iov = &p->out_iov[k],
        .msg_iovlen = 1,
    };
    p->out_fd[k] = b->fd;
    p->out_bmc[k] = b;
    b->ctr.tx_packets++;
}

/* Encode an IPMI request as a LAN message inside a session (or pre-session IPMI 1.5). */
static int send_ipmi(struct bmc *b, bool in_session, uint8_t lun, uint8_t netfn, uint8_t cmd,
                     uint8_t seq, const uint8_t *data, size_t dlen)
{
    uint8_t msg[BMC_REQ_MAX_DATA + IPMI_LAN_OVERHEAD];
    uint8_t pkt[RMCPP_MAX_PACKET];
    struct ipmi_lan_msg m = {
        .dst_addr = IPMI_BMC_SLAVE_ADDR,
        .netfn = netfn,
        .dst_lun = lun,
        .src_addr = IPMI_REMOTE_SWID,
        .seq = seq,
        .cmd = cmd,
        .data = data,
        .dlen = dlen,
    };
    enum codec_err err;
    ssize_t mlen = ipmi_lan_encode(msg, sizeof(msg), &m, &err);
    if (mlen < 0)
        return -1;
    ssize_t n;
    if (!in_session) {
        n = rmcp15_encode(pkt, sizeof(pkt), msg, (size_t)mlen, &err);
    } else {
        uint8_t iv[16];
        const struct rmcpp_keys *k = b->suite->integ || b->suite->conf ? &b->keys : NULL;
        if (b->suite->conf && iv_next(b->p, iv) < 0)
            return -1;
        if (++b->out_seq == 0)
            b->out_seq = 1; /* sequence number 0 is reserved (section 6.12.13) */
        n = rmcpp_encode(pkt, sizeof(pkt), RMCPP_PL_IPMI, b->bmc_sid, b->out_seq, k, iv, msg,
                         (size_t)mlen, &err);
    }
    if (n < 0)
        return -1;
    bmc_send(b, pkt, (size_t)n);
    return 0;
}

static int send_setup(struct bmc *b, uint8_t ptype, const struct layout *l, const void *msg)
{
    uint8_t body[64];
    uint8_t pkt[128];
    enum codec_err err;
    ssize_t n = layout_encode(l, msg, body, sizeof(body), &err);
    if (n < 0)
        return -1;
    n = rmcpp_encode(pkt, sizeof(pkt), ptype, 0, 0, NULL, NULL, body, (size_t)n, &err);
    if (n < 0)
        return -1;
    bmc_send(b, pkt, (size_t)n);
    return 0;
}

/* ---- session establishment ------------------------------------------------ */

static void step_send(struct bmc *b);
static void pump(struct bmc *b);
static void start_session(struct bmc *b);

static void session_failed(struct bmc *b)
{
    ev_timer_stop(b->p->loop, &b->step_timer);
    rmcpp_keys_clear(&b->keys);
    b->state = BMC_S_FAILED;
    b->ctr.session_failures++;
    if (b->err == BMC_E_AUTH_FAILED)
        b->ctr.auth_failures++;
    log_bmc_error(b);
    notify_updown(b, false);
    fail_all(b, b->err);
}

static void enter_step(struct bmc *b, enum bmc_state s)
{
    b->state = s;
    b->step_tries = 0;
    b->step_status = 0;
    b->step_rejects = 0;
    step_send(b);
}

static uint8_t user_len(const struct bmc *b)
{
    return (uint8_t)strlen(b->cfg->username);
}

/* Kuid: the password, zero-padded to 20 bytes (IPMI 2.0 section 13.31). */
static void kuid(const struct bmc *b, uint8_t key[CFG_PASS_MAX])
{
    memset(key, 0, CFG_PASS_MAX);
    memcpy(key, b->cfg->password, b->cfg->password_len);
}

static void step_send(struct bmc *b)
{
    int rc = 0;
    b->step_tries++;
    switch (b->state) {
    case BMC_S_AUTHCAP: {
        /* channel Eh = this one, bit 7 asks for IPMI 2.0 extended data */
        uint8_t d[2] = {0x8e, b->cfg->privilege};
        rc =
            send_ipmi(b, false, 0, IPMI_NETFN_APP, IPMI_CMD_GET_CHANNEL_AUTH_CAP, b->ctl_seq, d, 2);
        break;
    }
    case BMC_S_CIPHERS: {
        uint8_t d[3] = {0x0e, 0x00, (uint8_t)(0x80 | b->cipher_index)};
        rc = send_ipmi(b, false, 0, IPMI_NETFN_APP, IPMI_CMD_GET_CHANNEL_CIPHER_SUITES, b->ctl_seq,
                       d, 3);
        break;
    }
    case BMC_S_OPEN: {
        struct rmcpp_open_req r;
        rmcpp_open_req_init(&r, b->tag, b->cfg->privilege, b->console_sid, b->suite);
        rc = send_setup(b, RMCPP_PL_OPEN_REQ, &rmcpp_open_req_layout, &r);
        break;
    }
    case BMC_S_RAKP1: {
        struct rmcpp_rakp1 r;
        rc =
            rmcpp_rakp1_init(&r, b->tag, b->bmc_sid, b->rm, b->role, b->cfg->username, user_len(b));
        if (rc == 0)
            rc = send_setup(b, RMCPP_PL_RAKP1, &rmcpp_rakp1_layout, &r);
        break;
    }
    case BMC_S_RAKP3: {
        struct rmcpp_rakp3 r = {.tag = b->tag, .status = 0, .bmc_sid = b->bmc_sid};
        uint8_t in[128], key[CFG_PASS_MAX];
        size_t n = rmcpp_rakp3_input(in, b->rc, b->console_sid, b->role,
                                     (const uint8_t *)b->cfg->username, user_len(b));
        kuid(b, key);
        int m = b->suite->auth ? rmcpp_hmac(b->suite->auth, key, sizeof(key), in, n, r.kex) : 0;
        OPENSSL_cleanse(key, sizeof(key));
        if (m < 0)
            rc = -1;
        else {
            r.kex_len = (size_t)m;
            rc = send_setup(b, RMCPP_PL_RAKP3, &rmcpp_rakp3_layout, &r);
        }
        break;
    }
    case BMC_S_SETPRIV: {
        uint8_t d[1] = {b->cfg->privilege};
        rc = send_ipmi(b, true, 0, IPMI_NETFN_APP, IPMI_CMD_SET_SESSION_PRIV, b->ctl_seq, d, 1);
        break;
    }
    case BMC_S_CLOSING: {
        uint8_t d[4];
        put_u32le(d, b->bmc_sid);
        rc = send_ipmi(b, true, 0, IPMI_NETFN_APP, IPMI_CMD_CLOSE_SESSION, b->ctl_seq, d, 4);
        break;
    }
    default:
        return;
    }
    if (rc < 0) {
        bmc_fail_text(b, BMC_E_INTERNAL, "cannot build %s message", bmc_state_name(b->state));
        session_failed(b);
        return;
    }
    uint64_t when = ev_now(b->p->loop) + backoff_ns(b, b->step_tries);
    if (b->state != BMC_S_CLOSING && when > b->step_deadline)
        when = b->step_deadline;
    ev_timer_start_at(b->p->loop, &b->step_timer, when);
}

static const char *const step_what[BMC_S__COUNT] = {
    [BMC_S_AUTHCAP] = "Get Channel Authentication Capabilities",
    [BMC_S_OPEN] = "Open Session Request",
    [BMC_S_RAKP1] = "RAKP message 1",
    [BMC_S_RAKP3] = "RAKP message 3",
    [BMC_S_SETPRIV] = "Set Session Privilege Level",
    [BMC_S_CIPHERS] = "Get Channel Cipher Suites",
    [BMC_S_CLOSING] = "Close Session",
};

static void finish_close(struct bmc *b);
static void cipher_mismatch(struct bmc *b, bool listed);
static bool step_verdict(struct bmc *b);

static void step_timeout(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct bmc *b = arg;
    if (b->state == BMC_S_CLOSING) {
        if (b->step_tries <= 1) /* one retransmission: the BMC times sessions out anyway */
            step_send(b);
        else
            finish_close(b);
        return;
    }
    bool out_of_time = ev_now(b->p->loop) >= b->step_deadline;
    if (b->step_tries <= b->p->o.retries && !out_of_time) {
        b->ctr.retransmits++;
        step_send(b);
        return;
    }
    if (b->state == BMC_S_CIPHERS) {
        cipher_mismatch(b, false);
        return;
    }
    if (step_verdict(b))
        return;
    enum bmc_error e = b->state == BMC_S_AUTHCAP ? BMC_E_UNREACHABLE : BMC_E_PROTOCOL;
    if (b->state == BMC_S_AUTHCAP)
        bmc_fail_text(b, e, "no response to %s after %u attempts%s", step_what[b->state],
                      b->step_tries, out_of_time ? " (session-timeout reached)" : "");
    else
        bmc_fail_text(b, e, "no response to %s (cipher suite %u) after %u attempts",
                      step_what[b->state], b->suite->id, b->step_tries);
    session_failed(b);
}

/*
 * The BMC refused b->suite.  Try the next configured suite, circularly from
 * the one this attempt started at (the remembered one), each once: a BMC
 * that moved from offering only 3 to offering only 17 is still reached.
 */
static void next_suite_or_fail(struct bmc *b, const char *why)
{
    log_info("BMC %s (%s): cipher suite %u refused: %s", b->cfg->name, b->addr, b->suite->id, why);
    if (b->suites_tried < b->cfg->nsuites) {
        b->suite_pos = (uint8_t)((b->suite_pos + 1) % b->cfg->nsuites);
        b->suites_tried++;
        b->suite = rmcpp_suite_get(b->cfg->suites[b->suite_pos]);
        if (new_tag(b) < 0) {
            bmc_fail_text(b, BMC_E_INTERNAL, "no random numbers for the message tag");
            session_failed(b);
            return;
        }
        enter_step(b, BMC_S_OPEN);
        return;
    }
    /* Nothing we were allowed to use: ask the BMC what it does offer. */
    b->noffered = 0;
    b->cipher_index = 0;
    b->cipher_len = 0;
    b->ctl_seq = (uint8_t)((b->ctl_seq + 1) & 0x3f);
    enter_step(b, BMC_S_CIPHERS);
}

static void cipher_mismatch(struct bmc *b, bool listed)
{
    char want[64] = "", have[160] = "";
    size_t o = 0;
    for (size_t i = 0; i < b->cfg->nsuites; i++)
        o += (size_t)snprintf(want + o, sizeof(want) - o, "%s%u", i ? ", " : "", b->cfg->suites[i]);
    o = 0;
    for (size_t i = 0; i < b->noffered && o < sizeof(have); i++)
        o += (size_t)snprintf(have + o, sizeof(have) - o, "%s%u", i ? ", " : "", b->offered[i]);
    if (listed)
        bmc_fail_text(b, BMC_E_CIPHER,
                      "none of the configured cipher suites (%s) is accepted; the BMC offers "
                      "cipher suites %s",
                      want, b->noffered ? have : "(none listed)");
    else
        bmc_fail_text(b, BMC_E_CIPHER,
                      "none of the configured cipher suites (%s) is accepted, and the BMC did not "
                      "list the suites it offers",
                      want);
    session_failed(b);
}

/* Close Session for the session in use, sent once and not waited for (the
 * BMC times the session out if this is lost); the datagram is formed now,
 * with the session's keys, so they may be dropped right after. */
static void close_unwaited(struct bmc *b)
{
    uint8_t d[4];
    put_u32le(d, b->bmc_sid);
    b->ctl_seq = (uint8_t)((b->ctl_seq + 1) & 0x3f);
    send_ipmi(b, true, 0, IPMI_NETFN_APP, IPMI_CMD_CLOSE_SESSION, b->ctl_seq, d, 4);
}

static void start_session(struct bmc *b)
{
    struct poller *p = b->p;
    ev_timer_stop(p->loop, &b->step_timer);
    rmcpp_keys_clear(&b->keys);
    b->err = BMC_E_NONE;
    b->err_text[0] = '\0';
    /* Random, never 0: replies are matched by peer address, then by this ID
     * and the tag, so neither may be guessable (IPMI 2.0 section 13.17). */
    uint8_t sid[4];
    if (rand_nonzero(sid, sizeof(sid)) < 0 || new_tag(b) < 0) {
        bmc_fail_text(b, BMC_E_INTERNAL, "no random numbers for the session ID");
        session_failed(b);
        return;
    }
    b->console_sid =
        (uint32_t)sid[0] | (uint32_t)sid[1] << 8 | (uint32_t)sid[2] << 16 | (uint32_t)sid[3] << 24;
    if (b->console_sid == b->old_sid)
        b->old_sid = 0; /* its late answers would be taken for the new session's */
    b->bmc_sid = 0;
    b->out_seq = 0;
    b->probe_sent_ns = 0;
    b->in_win = (struct rmcpp_seq_window){0, 0};
    b->ctl_seq = (uint8_t)((b->ctl_seq + 1) & 0x3f);
    b->role = (uint8_t)(b->cfg->privilege | 0x10); /* name-only lookup */
    b->suite_pos = b->good_suite >= 0 ? (uint8_t)b->good_suite : 0;
    b->suites_tried = 1;
    b->suite_doubtful = false;
    b->suite = rmcpp_suite_get(b->cfg->suites[b->suite_pos]);
    b->step_deadline = ev_now(p->loop) + (uint64_t)p->o.session_timeout_ms * EV_NS_PER_MS;
    enter_step(b, BMC_S_AUTHCAP);
}

static void session_up(struct bmc *b)
{
    ev_timer_stop(b->p->loop, &b->step_timer);
    b->state = BMC_S_ACTIVE;
    /* A suite reached only because of replies without a session ID (which
     * anyone can forge) is used but not remembered: the next session starts
     * again from the one remembered before. */
    if (!b->suite_doubtful)
        b->good_suite = (int8_t)b->suite_pos;
    b->ctr.sessions_opened++;
    if (b->suite->id == 0)
        log_warn("BMC %s (%s): session uses cipher suite 0: no authentication, no integrity, "
                 "no encryption (allowed by allow-cipher-zero)",
                 b->cfg->name, b->addr);
    else if (b->suite->id == 1)
        log_warn("BMC %s (%s): session uses cipher suite 1: no integrity, no encryption; "
                 "packets can be read, forged and altered on the way (allowed by "
                 "allow-cipher-one)",
                 b->cfg->name, b->addr);
    log_info("BMC %s (%s): session up, cipher suite %u, privilege %s", b->cfg->name, b->addr,
             b->suite->id, ipmi_priv_name(b->cfg->privilege));
    notify_updown(b, true);
    pump(b);
}

/* ---- inbound ------------------------------------------------------------ */

static void bad_packet(struct bmc *b, enum codec_err e, const char *what)
{
    b->ctr.bad_packets++;
    b->ctr.bad_reason[(unsigned)e < CODEC_E__COUNT ? e : CODEC_E_FIELD]++;
    uint32_t held = 0;
    if (log_rl_ok(&b->rl, ev_now(b->p->loop), BMC_LOG_INTERVAL_NS, &held))
        log_warn("BMC %s (%s): dropped %s: %s%s", b->cfg->name, b->addr, what, codec_err_name(e),
                 held ? " (further messages suppressed)" : "");
}

static bool is_algorithm_status(uint8_t st)
{
    return st == 0x03 || st == 0x04 || st == 0x05 || st == 0x06 || st == 0x07 || st == 0x10 ||
           st == 0x11;
}

/*
 * Something arrived that we cannot verify: a short error reply (tag and
 * status only; no session ID to check, and the tag is one byte), or a RAKP 2
 * or 4 whose auth code does not verify.  Anyone who can send from the BMC's
 * address can forge either, so it decides nothing now.  A genuine BMC that
 * disagrees answers within this attempt or the next, so one more attempt is
 * allowed; if nothing better comes by then, step_verdict() acts on it.
 */
static void step_doubt(struct bmc *b)
{
    if (b->step_tries < b->p->o.retries && b->p->o.retries <= UINT8_MAX)
        b->step_tries = (uint8_t)b->p->o.retries;
}

static void open_refused(struct bmc *b, uint8_t status, bool unverified)
{
    const char *how = unverified ? ", in replies without a session ID" : "";
    if (is_algorithm_status(status)) {
        char why[160];
        snprintf(why, sizeof(why), "%s%s", rmcpp_status_name(status), how);
        if (unverified)
            b->suite_doubtful = true;
        next_suite_or_fail(b, why);
        return;
    }
    enum bmc_error err =
        (status == 0x09 || status == 0x0a || status == 0x0b) ? BMC_E_PRIVILEGE : BMC_E_PROTOCOL;
    bmc_fail_text(b, err, "Open Session refused: %s (status %02Xh)%s", rmcpp_status_name(status),
                  status, how);
    session_failed(b);
}

static void rakp2_refused(struct bmc *b, uint8_t status, bool unverified)
{
    enum bmc_error err = BMC_E_PROTOCOL;
    if (status == 0x0c || status == 0x0d)
        err = BMC_E_AUTH_FAILED;
    else if (status == 0x09 || status == 0x0a)
        err = BMC_E_PRIVILEGE;
    bmc_fail_text(b, err, "RAKP 2 refused login of user \"%s\": %s (status %02Xh)%s",
                  b->cfg->username, rmcpp_status_name(status), status,
                  unverified ? ", in replies without a session ID" : "");
    session_failed(b);
}

static void rakp4_refused(struct bmc *b, uint8_t status, bool unverified)
{
    enum bmc_error err = status == 0x0f ? BMC_E_AUTH_FAILED : BMC_E_PROTOCOL;
    bmc_fail_text(b, err, "RAKP 4: BMC rejected our RAKP 3: %s (status %02Xh)%s%s",
                  rmcpp_status_name(status), status,
                  status == 0x0f ? "; wrong password or K_G" : "",
                  unverified ? ", in replies without a session ID" : "");
    session_failed(b);
}

/* The step ran out of attempts or time: act on what arrived but could not
 * be verified (step_doubt).  Returns true if that decided the outcome. */
static bool step_verdict(struct bmc *b)
{
    switch (b->state) {
    case BMC_S_OPEN:
        if (!b->step_status)
            return false;
        open_refused(b, b->step_status, true);
        return true;
    case BMC_S_RAKP1:
        if (b->step_rejects) {
            bmc_fail_text(b, BMC_E_AUTH_FAILED,
                          "RAKP 2 key exchange authentication code does not verify for user "
                          "\"%s\": wrong password, or not the expected BMC",
                          b->cfg->username);
            session_failed(b);
            return true;
        }
        if (!b->step_status)
            return false;
        rakp2_refused(b, b->step_status, true);
        return true;
    case BMC_S_RAKP3:
        if (b->step_rejects) {
            bmc_fail_text(b, BMC_E_AUTH_FAILED,
                          "RAKP 4 integrity check value does not verify: wrong K_G, or not the "
                          "expected BMC");
            session_failed(b);
            return true;
        }
        if (!b->step_status)
            return false;
        rakp4_refused(b, b->step_status, true);
        return true;
    default:
        return false;
    }
}

/*
 * Common checks of a session-setup reply: the tag, then the remote-console
 * session ID.  A reply of fewer than 8 bytes carries no session ID: its
 * error status is only remembered (step_doubt).  Returns true if the reply
 * is ours and carries the session ID.
 */
static bool setup_reply_ours(struct bmc *b, uint8_t tag, uint8_t status, uint32_t console_sid,
                             size_t plen)
{
    if (tag != b->tag || (plen >= 8 && console_sid != b->console_sid)) {
        b->ctr.stray_packets++;
        return false;
    }
    if (plen < 8) {
        b->ctr.stray_packets++;
        if (status != 0 && !b->step_status) {
            b->step_status = status;
            step_doubt(b);
        }
        return false;
    }
    return true;
}

static void on_open_rsp(struct bmc *b, const uint8_t *pl, size_t plen)
{
    struct rmcpp_open_rsp r;
    enum codec_err e;
    if (layout_decode(&rmcpp_open_rsp_layout, pl, plen, &r, &e) < 0) {
        bad_packet(b, e, "Open Session Response");
        return;
    }
    if (!setup_reply_ours(b, r.tag, r.status, r.console_sid, plen))
        return;
    if (r.status != 0) {
        open_refused(b, r.status, false);
        return;
    }
    if (plen < 36 || r.bmc_sid == 0 || r.auth_alg != b->suite->auth ||
        r.integ_alg != b->suite->integ || r.conf_alg != b->suite->conf) {
        bmc_fail_text(b, BMC_E_PROTOCOL,
                      "Open Session Response does not match the proposed cipher suite %u",
                      b->suite->id);
        session_failed(b);
        return;
    }
    b->bmc_sid = r.bmc_sid;
    if (RAND_bytes(b->rm, sizeof(b->rm)) != 1) {
        bmc_fail_text(b, BMC_E_INTERNAL, "no random numbers for RAKP 1");
        session_failed(b);
        return;
    }
    enter_step(b, BMC_S_RAKP1);
}

/*
 * RAKP 2 and 4 alike, once decoded: is the reply ours (setup_reply_ours)
 * and a success?  A refusal ends the attempt through `refused`, unless an
 * earlier reply of this step failed its auth code check: a BMC may refuse
 * our retransmission after that, and the failed check is the better verdict.
 */
static bool rakp_reply_ok(struct bmc *b, uint8_t tag, uint8_t status, uint32_t console_sid,
                          size_t plen, void (*refused)(struct bmc *, uint8_t, bool))
{
    if (!setup_reply_ours(b, tag, status, console_sid, plen))
        return false;
    if (status == 0)
        return true;
    if (!(b->step_rejects && step_verdict(b)))
        refused(b, status, false);
    return false;
}

/* A RAKP 2 or 4 whose auth code does not verify: a wrong key, or a spoof
 * racing the genuine reply.  Not acted on until the step runs out
 * (step_verdict() then says auth_failed if nothing verified). */
static void rakp_reject(struct bmc *b)
{
    b->ctr.rakp_rejected++;
    if (b->step_rejects < UINT8_MAX) /* a flood must not wrap it to "none" */
        b->step_rejects++;
    step_doubt(b);
}

static void on_rakp2(struct bmc *b, const uint8_t *pl, size_t plen)
{
    struct rmcpp_rakp2 r;
    enum codec_err e;
    if (layout_decode(&rmcpp_rakp2_layout, pl, plen, &r, &e) < 0) {
        bad_packet(b, e, "RAKP 2");
        return;
    }
    if (!rakp_reply_ok(b, r.tag, r.status, r.console_sid, plen, rakp2_refused))
        return;
    if (plen < 40 || r.kex_len != b->suite->kex_len) {
        bad_packet(b, CODEC_E_LENGTH, "RAKP 2");
        return;
    }
    if (b->suite->auth != RAKP_NONE) {
        uint8_t in[128], key[CFG_PASS_MAX], mac[32];
        size_t n = rmcpp_rakp2_input(in, b->console_sid, b->bmc_sid, b->rm, r.rc, r.guid, b->role,
                                     (const uint8_t *)b->cfg->username, user_len(b));
        kuid(b, key);
        int m = rmcpp_hmac(b->suite->auth, key, sizeof(key), in, n, mac);
        OPENSSL_cleanse(key, sizeof(key));
        if (m < 0) {
            bmc_fail_text(b, BMC_E_INTERNAL, "HMAC failed");
            session_failed(b);
            return;
        }
        if (rmcpp_memeq_ct(mac, r.kex, r.kex_len)) {
            rakp_reject(b);
            return;
        }
    }
    memcpy(b->rc, r.rc, 16);
    memcpy(b->guid, r.guid, 16);
    /* SIK keyed with K_G if configured, else with Kuid */
    uint8_t kg[CFG_PASS_MAX], in[128];
    if (b->cfg->kg_len) {
        memset(kg, 0, sizeof(kg));
        memcpy(kg, b->cfg->kg, b->cfg->kg_len);
    } else {
        kuid(b, kg);
    }
    size_t n =
        rmcpp_sik_input(in, b->rm, b->rc, b->role, (const uint8_t *)b->cfg->username, user_len(b));
    rmcpp_keys_clear(&b->keys);
    int rc = rmcpp_derive_keys(&b->keys, b->suite, kg, sizeof(kg), in, n);
    OPENSSL_cleanse(kg, sizeof(kg));
    if (rc == 0 && rmcpp_keys_prepare(&b->keys) < 0)
        log_info("BMC %s (%s): per-session crypto contexts unavailable; using the slow path",
                 b->cfg->name, b->addr);
    if (rc < 0) {
        bmc_fail_text(b, BMC_E_INTERNAL, "key derivation failed");
        session_failed(b);
        return;
    }
    enter_step(b, BMC_S_RAKP3);
}

static void on_rakp4(struct bmc *b, const uint8_t *pl, size_t plen)
{
    struct rmcpp_rakp4 r;
    enum codec_err e;
    if (layout_decode(&rmcpp_rakp4_layout, pl, plen, &r, &e) < 0) {
        bad_packet(b, e, "RAKP 4");
        return;
    }
    if (!rakp_reply_ok(b, r.tag, r.status, r.console_sid, plen, rakp4_refused))
        return;
    if (r.icv_len != b->suite->icv_len) {
        bad_packet(b, CODEC_E_LENGTH, "RAKP 4");
        return;
    }
    if (b->suite->auth != RAKP_NONE) {
        uint8_t in[64], mac[32];
        size_t n = rmcpp_rakp4_input(in, b->rm, b->bmc_sid, b->guid);
        if (rmcpp_hmac(b->suite->auth, b->keys.sik, b->keys.sik_len, in, n, mac) < 0) {
            bmc_fail_text(b, BMC_E_INTERNAL, "HMAC failed");
            session_failed(b);
            return;
        }
        if (rmcpp_memeq_ct(mac, r.icv, r.icv_len)) {
            rakp_reject(b);
            return;
        }
    }
    b->ctl_seq = (uint8_t)((b->ctl_seq + 1) & 0x3f);
    enter_step(b, BMC_S_SETPRIV);
}

static void on_authcap(struct bmc *b, const struct ipmi_lan_msg *m)
{
    struct ipmi_authcap_rsp r;
    enum codec_err e;
    if (layout_decode(&ipmi_authcap_rsp_layout, m->data, m->dlen, &r, &e) < 0) {
        bad_packet(b, e, "Get Channel Authentication Capabilities response");
        return;
    }
    if (r.cc != 0) {
        bmc_fail_text(b, BMC_E_PROTOCOL, "Get Channel Authentication Capabilities failed: %s",
                      ipmi_cc_text(r.cc));
        session_failed(b);
        return;
    }
    if (m->dlen < 9 || !(r.auth_types & 0x80) || !(r.ext_caps & 0x02)) {
        bmc_fail_text(b, BMC_E_PROTOCOL,
                      "BMC does not offer IPMI 2.0 (RMCP+) sessions; IPMI 1.5 is not used");
        session_failed(b);
        return;
    }
    enter_step(b, BMC_S_OPEN);
}

static void on_ciphers(struct bmc *b, const struct ipmi_lan_msg *m)
{
    struct ipmi_ciphers_rsp r;
    enum codec_err e;
    if (layout_decode(&ipmi_ciphers_rsp_layout, m->data, m->dlen, &r, &e) < 0 || r.cc != 0) {
        cipher_mismatch(b, false);
        return;
    }
    if (b->cipher_len + r.dlen <= sizeof(b->cipher_data)) {
        memcpy(b->cipher_data + b->cipher_len, r.data, r.dlen);
        b->cipher_len += r.dlen;
    }
    /* a full 16-byte chunk means there may be more (section 22.15) */
    if (r.dlen == 16 && b->cipher_index < 63 && b->cipher_len + 16 <= sizeof(b->cipher_data)) {
        b->cipher_index++;
        b->ctl_seq = (uint8_t)((b->ctl_seq + 1) & 0x3f);
        enter_step(b, BMC_S_CIPHERS);
        return;
    }
    int n =
        ipmi_cipher_records_parse(b->cipher_data, b->cipher_len, b->offered, BMC_MAX_OFFERED, &e);
    b->noffered = n > 0 ? (uint8_t)n : 0;
    cipher_mismatch(b, n >= 0);
}

static void finish_close(struct bmc *b)
{
    ev_timer_stop(b->p->loop, &b->step_timer);
    rmcpp_keys_clear(&b->keys);
    b->state = BMC_S_IDLE;
    fail_all(b, BMC_E_CLOSED); /* queued while closing: would wait forever (fuzz_session) */
    if (b->p->nclosing && --b->p->nclosing == 0 && b->p->close_done)
        b->p->close_done(NULL, b->p->close_arg);
}

static void on_session_msg(struct bmc *b, const struct ipmi_lan_msg *m)
{
    if (b->state == BMC_S_SETPRIV && m->cmd == IPMI_CMD_SET_SESSION_PRIV && m->seq == b->ctl_seq) {
        struct ipmi_setpriv_rsp r;
        enum codec_err e;
        if (layout_decode(&ipmi_setpriv_rsp_layout, m->data, m->dlen, &r, &e) < 0) {
            bad_packet(b, e, "Set Session Privilege Level response");
            return;
        }
        if (r.cc != 0) {
            bmc_fail_text(b, BMC_E_PRIVILEGE, "BMC refused privilege level %s: %s (%02Xh)",
                          ipmi_priv_name(b->cfg->privilege), ipmi_cc_text(r.cc), r.cc);
            session_failed(b);
            return;
        }
        session_up(b);
        return;
    }
    if (b->state == BMC_S_CLOSING && m->cmd == IPMI_CMD_CLOSE_SESSION) {
        finish_close(b);
        return;
    }
    for (unsigned i = 0; i < b->ninflight; i++) {
        struct bmc_req *r = b->inflight[i];
        if (r->seq != m->seq || r->cmd != m->cmd || (r->netfn | 1) != m->netfn ||
            m->src_lun != r->lun)
            continue;
        inflight_remove(b, i);
        if (m->dlen < 1) {
            bad_packet(b, CODEC_E_TRUNCATED, "response without completion code");
            req_complete(b, r, BMC_E_PROTOCOL, 0, NULL, 0);
            pump(b);
            return;
        }
        uint8_t cc = m->data[0];
        if (ipmi_cc_transient(cc) && r->busy < BMC_BUSY_RETRIES) {
            /* busy, initialising, updating (Table 5-2): the BMC is there, so
             * this is not a lost packet; ask again after a backoff, from a
             * budget of its own */
            r->busy++;
            b->ctr.busy_retries++;
            if (r->tries)
                r->tries--;
            b->inflight[b->ninflight++] = r;
            ev_timer_start(b->p->loop, &r->timer, backoff_ns(b, r->busy));
            r->seq = 0xff; /* ignore a late duplicate of the busy answer */
            return;
        }
        req_complete(b, r, BMC_E_NONE, cc, m->data + 1, m->dlen - 1);
        pump(b);
        return;
    }
    b->ctr.stray_packets++;
}

/* An RMCP class ASF datagram: only a Presence Pong to our ping is expected. */
static void asf_input(struct bmc *b, const uint8_t *buf, size_t len)
{
    struct asf_pong pong;
    enum codec_err e = CODEC_OK;
    b->ctr.rx_packets++;
    if (asf_pong_decode(buf, len, &pong, &e) < 0) {
        bad_packet(b, e, "RMCP/ASF packet");
        return;
    }
    if (!b->pong_cb || pong.tag != b->ping_tag) {
        b->ctr.stray_packets++;
        return;
    }
    b->ctr.pongs++;
    bmc_event_cb cb = b->pong_cb;
    b->pong_cb = NULL;
    cb(b, b->pong_arg);
}

int bmc_ping(struct bmc *b, bmc_event_cb pong, void *arg)
{
    uint8_t pkt[ASF_PING_LEN];
    enum codec_err e;
    b->ping_tag = (uint8_t)(b->ping_tag + 1 == 0xff ? 0 : b->ping_tag + 1); /* FFh: reserved */
    if (asf_ping_encode(b->ping_tag, pkt, sizeof(pkt), &e) < 0)
        return -1;
    b->pong_cb = pong;
    b->pong_arg = arg;
    b->ctr.pings++;
    bmc_send(b, pkt, sizeof(pkt));
    return 0;
}

void bmc_ping_cancel(struct bmc *b)
{
    b->pong_cb = NULL;
}

int bmc_send_sessionless(struct bmc *b, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len)
{
    if (len > BMC_REQ_MAX_DATA)
        return -1;
    b->sl_seq = (uint8_t)((b->sl_seq + 1) & 0x3f);
    if (send_ipmi(b, false, 0, netfn, cmd, b->sl_seq, data, len) < 0)
        return -1;
    b->sl_pending |= UINT64_C(1) << b->sl_seq;
    b->sl_netfn = netfn;
    b->sl_cmd = cmd;
    b->ctr.sessionless_sent++;
    return 0;
}

/* The answer to a bmc_send_sessionless() request: counted, and a refusal logged. */
static void on_sessionless(struct bmc *b, const struct ipmi_lan_msg *m)
{
    b->sl_pending &= ~(UINT64_C(1) << m->seq);
    b->ctr.sessionless_answered++;
    if (m->dlen >= 1 && m->data[0] == IPMI_CC_OK)
        return;
    b->ctr.sessionless_refused++;
    uint32_t held = 0;
    if (log_rl_ok(&b->rl, ev_now(b->p->loop), BMC_LOG_INTERVAL_NS, &held))
        log_warn("BMC %s (%s): session-less request netfn %02Xh cmd %02Xh refused, %s%02Xh "
                 "(%u similar messages suppressed)",
                 b->cfg->name, b->addr, (unsigned)(m->netfn & ~1u), m->cmd,
                 m->dlen ? "completion code " : "no completion code, ", m->dlen ? m->data[0] : 0u,
                 held);
}

/* ---- session liveness ------------------------------------------------------ */
/*
 * A BMC that rebooted, or dropped our session for reasons of its own, goes
 * silent in the session while it still answers everything else; loss
 * silences both.  So when a request has gone unanswered and nothing at all
 * came in the session since it was first sent, a session-less Get Channel
 * Authentication Capabilities (what every login starts with: any IPMI 2.0
 * BMC answers it) goes out with the retransmission, at most one per
 * timeout.  Its answer proves the BMC and the path up: from then on, until
 * anything arrives in the session, the silent requests are retransmitted at
 * the base timeout instead of backing off, so the retry count that already
 * decides a reopen (every attempt unanswered: the same evidence as before,
 * so a lossy BMC is not reopened more often) is reached in about
 * (retries + 1) x timeout instead of the whole backoff schedule.  A live but
 * slow session shows itself by its late answers (they count as session
 * traffic even when they match no request) and keeps its backoff.  An
 * unanswered probe changes nothing: loss and unreachable BMCs are handled as
 * before.  Measured with bmcsim's reboot: tests/bmcsim/test_daemon_faults.sh.
 */
static bool session_doubted(const struct bmc *b)
{
    return b->probe_ok_ns > b->last_rx_ns;
}

static void probe_send(struct bmc *b)
{
    uint64_t now = ev_now(b->p->loop);
    if (b->probe_sent_ns && now - b->probe_sent_ns < (uint64_t)b->p->o.timeout_ms * EV_NS_PER_MS)
        return; /* one in flight; a lost one is replaced after a timeout */
    uint8_t d[2] = {0x8e, b->cfg->privilege}; /* as in BMC_S_AUTHCAP */
    b->probe_seq = (uint8_t)((b->probe_seq + 1) & 0x3f);
    if (send_ipmi(b, false, 0, IPMI_NETFN_APP, IPMI_CMD_GET_CHANNEL_AUTH_CAP, b->probe_seq, d, 2) <
        0)
        return;
    b->probe_sent_ns = now;
    b->ctr.probes++;
}

static void on_probe(struct bmc *b)
{
    struct ev_loop *loop = b->p->loop;
    uint64_t sent = b->probe_sent_ns;
    b->probe_sent_ns = 0;
    b->ctr.probe_answers++;
    if (b->state != BMC_S_ACTIVE || b->last_rx_ns > sent)
        return; /* the session spoke meanwhile: loss, not a dead session */
    /* the BMC is up, the session silent since the probe: no more backing off */
    b->probe_ok_ns = ev_now(loop);
    for (unsigned i = 0; i < b->ninflight; i++)
        ev_timer_start(loop, &b->inflight[i]->timer, backoff_ns(b, 1));
}

static void bmc_input(struct bmc *b, const uint8_t *buf, size_t len)
{
    struct poller *p = b->p;
    struct rmcpp_pkt pkt;
    enum codec_err e;
    if (asf_is_asf(buf, len)) {
        asf_input(b, buf, len);
        return;
    }
    if (b->old_sid && rmcpp_peek_session_id(buf, len) == b->old_sid) {
        /* the answer to close_unwaited(), keyed with the keys given up */
        b->ctr.rx_packets++;
        b->ctr.stray_packets++;
        return;
    }
    bool keyed = b->state == BMC_S_ACTIVE || b->state == BMC_S_SETPRIV || b->state == BMC_S_CLOSING;
    const struct rmcpp_keys *k = NULL;
    /* IPMI 1.5 framing (byte 4 not 06h) carries only session-less answers,
     * auth type none, never matched to the session: decoded without its
     * keys, so a probe's or a PET Acknowledge's answer is read while a
     * session is up */
    if (keyed && (b->suite->integ || b->suite->conf) && (len <= 4 || buf[4] == 0x06))
        k = &b->keys;
    b->ctr.rx_packets++;
    if (rmcpp_decode(buf, len, k, p->pl, sizeof(p->pl), &pkt, &e) < 0) {
        bad_packet(b, e, "packet");
        return;
    }
    if (log_get_level() >= LOG_LVL_DEBUG) {
        char hex[3 * 64 + 1];
        size_t n = pkt.plen < 64 ? pkt.plen : 64;
        for (size_t i = 0; i < n; i++)
            snprintf(hex + 3 * i, 4, "%02x ", pkt.payload[i]);
        hex[3 * n] = '\0';
        log_debug("BMC %s (%s): rx %s (%zu bytes, seq %u): %s", b->cfg->name, b->addr,
                  rmcpp_payload_name(pkt.ptype), pkt.plen, pkt.seq, hex);
    }
    switch (pkt.ptype) {
    case RMCPP_PL_OPEN_RSP:
        if (b->state == BMC_S_OPEN)
            on_open_rsp(b, pkt.payload, pkt.plen);
        else
            b->ctr.stray_packets++;
        return;
    case RMCPP_PL_RAKP2:
        if (b->state == BMC_S_RAKP1)
            on_rakp2(b, pkt.payload, pkt.plen);
        else
            b->ctr.stray_packets++;
        return;
    case RMCPP_PL_RAKP4:
        if (b->state == BMC_S_RAKP3)
            on_rakp4(b, pkt.payload, pkt.plen);
        else
            b->ctr.stray_packets++;
        return;
    case RMCPP_PL_IPMI:
        break;
    default:
        bad_packet(b, CODEC_E_PAYLOAD_TYPE, "packet");
        return;
    }
    struct ipmi_lan_msg m;
    if (ipmi_lan_decode(pkt.payload, pkt.plen, &m, &e) < 0) {
        bad_packet(b, e, "IPMI message");
        return;
    }
    if (m.src_addr != IPMI_BMC_SLAVE_ADDR || m.dst_addr != IPMI_REMOTE_SWID || !(m.netfn & 1)) {
        bad_packet(b, CODEC_E_FIELD, "IPMI message (not a response to us)");
        return;
    }
    if (pkt.auth_type == 0x00) { /* pre-session */
        if (b->state == BMC_S_AUTHCAP && m.cmd == IPMI_CMD_GET_CHANNEL_AUTH_CAP &&
            m.seq == b->ctl_seq)
            on_authcap(b, &m);
        else if (b->state == BMC_S_CIPHERS && m.cmd == IPMI_CMD_GET_CHANNEL_CIPHER_SUITES &&
                 m.seq == b->ctl_seq)
            on_ciphers(b, &m);
        else if ((b->sl_pending >> (m.seq & 0x3f) & 1) && m.cmd == b->sl_cmd &&
                 m.netfn == (b->sl_netfn | 1))
            on_sessionless(b, &m);
        else if (b->probe_sent_ns && m.cmd == IPMI_CMD_GET_CHANNEL_AUTH_CAP &&
                 m.seq == b->probe_seq)
            on_probe(b);
        else
            b->ctr.stray_packets++;
        return;
    }
    if (!keyed || pkt.session_id != b->console_sid) {
        b->ctr.stray_packets++;
        return;
    }
    if (!rmcpp_seq_accept(&b->in_win, pkt.seq)) {
        b->ctr.replays++;
        return;
    }
    b->last_rx_ns = ev_now(p->loop);
    on_session_msg(b, &m);
}

void bmc_feed(struct bmc *b, const uint8_t *buf, size_t len)
{
    bmc_input(b, buf, len);
}

/* ---- requests ------------------------------------------------------------ */

static void req_transmit(struct bmc *b, struct bmc_req *r)
{
    r->tries++;
    if (r->tries > 1)
        b->ctr.retransmits++;
    else
        r->first_ns = ev_now(b->p->loop);
    b->rq_seq = (uint8_t)((b->rq_seq + 1) & 0x3f);
    if (b->rq_seq == b->ctl_seq)
        b->rq_seq = (uint8_t)((b->rq_seq + 1) & 0x3f);
    r->seq = b->rq_seq;
    if (send_ipmi(b, true, r->lun, r->netfn, r->cmd, r->seq, r->data, r->dlen) < 0) {
        /* cannot happen for a request we accepted; fail it rather than loop */
        for (unsigned i = 0; i < b->ninflight; i++)
            if (b->inflight[i] == r)
                inflight_remove(b, i);
        req_complete(b, r, BMC_E_INTERNAL, 0, NULL, 0);
        return;
    }
    ev_timer_start(b->p->loop, &r->timer, backoff_ns(b, session_doubted(b) ? 1 : r->tries));
}

/* The BMC answers outside the session but not in it: the session is gone. */
static void session_lost(struct bmc *b)
{
    uint32_t held = 0;
    b->ctr.sessions_lost++;
    if (log_rl_ok(&b->rl, ev_now(b->p->loop), BMC_LOG_INTERVAL_NS, &held))
        log_notice("BMC %s (%s): session lost: the BMC answers outside the session but not in it "
                   "(rebooted, or it dropped the session); re-establishing it%s",
                   b->cfg->name, b->addr, held ? " (similar messages suppressed)" : "");
}

static void req_timeout(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct bmc_req *r = arg;
    struct bmc *b = r->bmc;
    if (r->tries <= b->p->o.retries) {
        if (b->last_rx_ns <= r->first_ns && !session_doubted(b))
            probe_send(b); /* see "session liveness" */
        req_transmit(b, r);
        return;
    }
    for (unsigned i = 0; i < b->ninflight; i++)
        if (b->inflight[i] == r)
            inflight_remove(b, i);
    if (!r->reopened) {
        /* The session may be gone (BMC reboot, idle timeout on its side):
         * re-establish it once and retry this request transparently. */
        r->reopened = 1;
        r->tries = 0;
        queue_push_front(b, r);
        while (b->ninflight) {
            struct bmc_req *o = b->inflight[--b->ninflight];
            ev_timer_stop(b->p->loop, &o->timer);
            o->tries = 0;
            queue_push_front(b, o);
        }
        b->ctr.reopens++;
        if (session_doubted(b))
            session_lost(b);
        else
            log_info("BMC %s (%s): no answer in session, re-establishing it", b->cfg->name,
                     b->addr);
        notify_updown(b, false);
        start_session(b);
        return;
    }
    bmc_fail_text(b, BMC_E_TIMEOUT, "no response to netfn %02Xh command %02Xh after %u attempts",
                  r->netfn, r->cmd, r->tries);
    log_bmc_error(b);
    req_complete(b, r, BMC_E_TIMEOUT, 0, NULL, 0);
    pump(b);
}

static void pump(struct bmc *b)
{
    if (b->state != BMC_S_ACTIVE) {
        if ((b->state == BMC_S_IDLE || b->state == BMC_S_FAILED) && b->nqueued && !b->p->shut)
            start_session(b);
        return;
    }
    uint64_t now = ev_now(b->p->loop);
    if (b->ninflight == 0 && b->nqueued &&
        now - b->last_rx_ns > (uint64_t)b->p->o.idle_reopen_ms * EV_NS_PER_MS) {
        /* the BMC has probably dropped our idle session: start a fresh one.
         * If it has not, the old one would hold one of its few session
         * slots until it times out, so it is closed first. */
        b->ctr.reopens++;
        close_unwaited(b);
        b->old_sid = b->console_sid;
        start_session(b);
        return;
    }
    while (b->ninflight < b->max_in_flight && b->nqueued && b->state == BMC_S_ACTIVE) {
        struct bmc_req *r = queue_pop(b);
        b->inflight[b->ninflight++] = r;
        req_transmit(b, r);
    }
}

int bmc_request(struct bmc *b, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len,
                bmc_rsp_cb cb, void *arg)
{
    return bmc_request_lun(b, 0, netfn, cmd, data, len, cb, arg);
}

int bmc_request_lun(struct bmc *b, uint8_t lun, uint8_t netfn, uint8_t cmd, const uint8_t *data,
                    size_t len, bmc_rsp_cb cb, void *arg)
{
    if (lun > 3 || len > BMC_REQ_MAX_DATA || b->nqueued >= BMC_MAX_QUEUED || b->p->shut)
        return -1;
    struct bmc_req *r = req_alloc(b->p);
    if (!r)
        return -1;
    r->bmc = b;
    r->cb = cb;
    r->arg = arg;
    r->netfn = netfn;
    r->cmd = cmd;
    r->lun = lun;
    r->dlen = (uint8_t)len;
    if (len)
        memcpy(r->data, data, len);
    ev_timer_init(&r->timer, req_timeout, r);
    r->next = NULL;
    if (b->qtail)
        b->qtail->next = r;
    else
        b->qhead = r;
    b->qtail = r;
    b->nqueued++;
    b->ctr.requests++;
    pump(b);
    return 0;
}

void bmc_connect(struct bmc *b)
{
    if ((b->state == BMC_S_IDLE || b->state == BMC_S_FAILED) && !b->p->shut)
        start_session(b);
}

/* ---- poller --------------------------------------------------------------- */

/*
 * The address -> BMC table keeps each BMC's address and port in its slot, so
 * that the lookup of every datagram reads the table only (32-byte slots, two
 * per cache line) and not the BMC's state: with thousands of BMCs that state
 * is rarely in cache.  An IPv4 address is a = 0, b = the address.
 */
struct ht_slot {
    uint64_t a, b;   /* address: bytes 0-7 and 8-15 (IPv6), or 0 and the IPv4 address */
    uint32_t pf;     /* port (network order) | family << 16 */
    struct bmc *bmc; /* NULL: empty */
};

static void ht_key(const struct sockaddr_storage *sa, struct ht_slot *k)
{
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
        k->a = 0;
        k->b = s->sin_addr.s_addr;
        k->pf = s->sin_port | (uint32_t)AF_INET << 16;
    } else {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
        memcpy(&k->a, s->sin6_addr.s6_addr, 8);
        memcpy(&k->b, s->sin6_addr.s6_addr + 8, 8);
        k->pf = s->sin6_port | (uint32_t)sa->ss_family << 16;
    }
}

static size_t ht_home(const struct ht_slot *k, size_t mask)
{
    /* a multiply, then the finaliser of MurmurHash3 (avalanche of every bit) */
    uint64_t h = k->a ^ (k->b * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)k->pf << 29);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & mask;
}

static bool ht_key_eq(const struct ht_slot *x, const struct ht_slot *y)
{
    return x->b == y->b && x->pf == y->pf && x->a == y->a;
}

static struct bmc *ht_find(struct poller *p, const struct sockaddr_storage *sa)
{
    if (!p->htcap)
        return NULL;
    struct ht_slot k;
    ht_key(sa, &k);
    size_t mask = p->htcap - 1;
    for (size_t i = ht_home(&k, mask);; i = (i + 1) & mask) {
        const struct ht_slot *s = &p->ht[i];
        if (!s->bmc)
            return NULL;
        if (ht_key_eq(s, &k))
            return s->bmc;
    }
}

static void ht_put(struct ht_slot *t, size_t mask, const struct ht_slot *k)
{
    size_t j = ht_home(k, mask);
    while (t[j].bmc)
        j = (j + 1) & mask;
    t[j] = *k;
}

static int ht_insert(struct poller *p, struct bmc *b)
{
    if ((p->n + 1) * 2 > p->htcap) {
        size_t ncap = p->htcap ? p->htcap * 2 : 64;
        struct ht_slot *nt = calloc(ncap, sizeof(*nt));
        if (!nt)
            return -1;
        for (size_t i = 0; i < p->htcap; i++)
            if (p->ht[i].bmc)
                ht_put(nt, ncap - 1, &p->ht[i]);
        free(p->ht);
        p->ht = nt;
        p->htcap = ncap;
    }
    struct ht_slot k;
    ht_key(&b->sa, &k);
    k.bmc = b;
    ht_put(p->ht, p->htcap - 1, &k);
    return 0;
}

static void on_readable(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)events;
    struct poller *p = arg;
    struct mmsghdr *msg = p->rx_msg;
    struct sockaddr_storage *from = p->rx_from;
    /* bounded so one busy socket cannot starve timers */
    for (int round = 0; round < 8; round++) {
        int n = recvmmsg(fd, msg, BMC_RX_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return; /* EAGAIN, or an ICMP error we learn nothing from */
        /* the kernel wrote the sender lengths of these n (and their flags and
         * lengths, which the next call writes again): the next call may
         * fill them with any address again */
        for (int i = 0; i < n; i++)
            msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
        /* Look every sender up first (the table only) and ask for the BMC
         * state each datagram will need, so that its cache misses overlap
         * the decoding of the datagrams before it. */
        struct bmc *bs[BMC_RX_BATCH];
        for (int i = 0; i < n; i++) {
            struct bmc *b = bs[i] = ht_find(p, &from[i]);
            if (b) {
                __builtin_prefetch(&b->state);
                __builtin_prefetch(&b->keys);
                __builtin_prefetch(&b->ctr);
                __builtin_prefetch(&b->inflight);
            }
        }
        for (int i = 0; i < n; i++) {
            struct bmc *b = bs[i];
            if (!b) {
                p->unknown_source++;
                continue;
            }
            if (msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
                bad_packet(b, CODEC_E_OVERSIZE, "packet");
                continue;
            }
            bmc_input(b, p->rx[i], msg[i].msg_len);
        }
        if (n < BMC_RX_BATCH)
            return;
    }
}

static int open_socket(struct poller *p, int family, char *errbuf, size_t errlen)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(errbuf, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* Replies of a whole sweep can arrive in one burst: size the buffers for
     * it, and say so when the kernel (net.core.rmem_max) gives less. */
    int sz = p->o.socket_buffer ? (int)p->o.socket_buffer : 4 << 20, got = 0;
    socklen_t gl = sizeof(got);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    /* Linux reports twice the value set (bookkeeping overhead included) */
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0 && got / 2 < sz)
        log_notice("socket receive buffer is %d bytes, not the %d asked for (socket-buffer); "
                   "raise net.core.rmem_max to allow more",
                   got / 2, sz);
    if (ev_add_fd(p->loop, fd, EPOLLIN, on_readable, p) < 0) {
        snprintf(errbuf, errlen, "epoll: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

struct poller *poller_new(struct ev_loop *loop, const struct poller_opts *opts, char *errbuf,
                          size_t errlen)
{
    struct poller *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    p->loop = loop;
    p->o = *opts;
    rx_setup(p);
    if (p->o.sockets < 1)
        p->o.sockets = 1;
    if (p->o.max_in_flight < 1)
        p->o.max_in_flight = 1;
    p->nfds = p->o.sockets;
    p->fds4 = malloc(p->nfds * sizeof(int));
    p->fds6 = malloc(p->nfds * sizeof(int));
    if (!p->fds4 || !p->fds6) {
        snprintf(errbuf, errlen, "out of memory");
        free(p->fds4);
        free(p->fds6);
        free(p);
        return NULL;
    }
    for (unsigned i = 0; i < p->nfds; i++)
        p->fds4[i] = p->fds6[i] = -1;
    uint64_t seed = 0;
    if (RAND_bytes((unsigned char *)&seed, sizeof(seed)) != 1 || seed == 0)
        seed = ev_monotonic_ns() | 1;
    p->rng = seed;
    ev_set_before_sleep(loop, before_sleep, p);
    return p;
}

void poller_free(struct poller *p)
{
    if (!p)
        return;
    outbox_flush(p);
    ev_set_before_sleep(p->loop, NULL, NULL);
    for (size_t i = 0; i < p->n; i++) {
        struct bmc *b = p->bmcs[i];
        ev_timer_stop(p->loop, &b->step_timer);
        while (b->ninflight) {
            struct bmc_req *r = b->inflight[--b->ninflight];
            ev_timer_stop(p->loop, &r->timer);
            free(r);
        }
        struct bmc_req *r;
        while ((r = queue_pop(b)))
            free(r);
        rmcpp_keys_clear(&b->keys);
        free(b);
    }
    while (p->free_reqs) {
        struct bmc_req *r = p->free_reqs;
        p->free_reqs = r->next;
        free(r);
    }
    for (unsigned i = 0; i < p->nfds; i++) {
        if (p->fds4[i] >= 0) {
            ev_del_fd(p->loop, p->fds4[i]);
            close(p->fds4[i]);
        }
        if (p->fds6[i] >= 0) {
            ev_del_fd(p->loop, p->fds6[i]);
            close(p->fds6[i]);
        }
    }
    free(p->fds4);
    free(p->fds6);
    free(p->bmcs);
    free(p->ht);
    free(p);
}

struct bmc *poller_add(struct poller *p, const struct cfg_bmc *cfg, char *errbuf, size_t errlen)
{
    if (cfg->nsuites == 0 || !rmcpp_suite_get(cfg->suites[0])) {
        snprintf(errbuf, errlen, "BMC %s: no usable cipher suite", cfg->name);
        return NULL;
    }
    for (size_t i = 0; i < cfg->nsuites; i++) {
        if (!rmcpp_suite_get(cfg->suites[i]) || (cfg->suites[i] == 0 && !cfg->allow_suite0) ||
            (cfg->suites[i] == 1 && !cfg->allow_suite1)) {
            snprintf(errbuf, errlen, "BMC %s: cipher suite %u not allowed", cfg->name,
                     cfg->suites[i]);
            return NULL;
        }
    }
    struct bmc *b = calloc(1, sizeof(*b));
    if (!b) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    b->p = p;
    b->cfg = cfg;
    b->good_suite = -1;
    b->index = p->n;
    uint32_t mif = cfg->max_in_flight ? cfg->max_in_flight : p->o.max_in_flight;
    b->max_in_flight = (uint8_t)(mif > BMC_MAX_IN_FLIGHT ? BMC_MAX_IN_FLIGHT : mif < 1 ? 1 : mif);
    bool v6 = strchr(cfg->address, ':') != NULL;
    snprintf(b->addr, sizeof(b->addr), v6 ? "[%s]:%u" : "%s:%u", cfg->address, cfg->port);

    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG};
    struct addrinfo *res = NULL;
    char port[8];
    snprintf(port, sizeof(port), "%u", cfg->port);
    int gai = getaddrinfo(cfg->address, port, &hints, &res);
    if (gai != 0 || !res) {
        snprintf(errbuf, errlen, "BMC %s (%s): cannot resolve address: %s", cfg->name, b->addr,
                 gai_strerror(gai));
        free(b);
        return NULL;
    }
    memcpy(&b->sa, res->ai_addr, res->ai_addrlen);
    b->salen = res->ai_addrlen;
    freeaddrinfo(res);
    if (ht_find(p, &b->sa)) {
        snprintf(errbuf, errlen, "BMC %s (%s): address already used by another BMC", cfg->name,
                 b->addr);
        free(b);
        return NULL;
    }
    unsigned s = (unsigned)(b->index % p->nfds);
    int *fds = b->sa.ss_family == AF_INET6 ? p->fds6 : p->fds4;
    if (fds[s] < 0) {
        fds[s] = open_socket(p, b->sa.ss_family, errbuf, errlen);
        if (fds[s] < 0) {
            free(b);
            return NULL;
        }
    }
    b->fd = fds[s];
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 16;
        struct bmc **nb = realloc(p->bmcs, ncap * sizeof(*nb));
        if (!nb) {
            snprintf(errbuf, errlen, "out of memory");
            free(b);
            return NULL;
        }
        p->bmcs = nb;
        p->cap = ncap;
    }
    if (ht_insert(p, b) < 0) {
        snprintf(errbuf, errlen, "out of memory");
        free(b);
        return NULL;
    }
    p->bmcs[p->n++] = b;
    ev_timer_init(&b->step_timer, step_timeout, b);
    b->state = BMC_S_IDLE;
    return b;
}

size_t poller_count(const struct poller *p)
{
    return p->n;
}

struct bmc *poller_bmc(struct poller *p, size_t i)
{
    return i < p->n ? p->bmcs[i] : NULL;
}

struct ev_loop *poller_loop(const struct poller *p)
{
    return p->loop;
}

void poller_close_all(struct poller *p, bmc_event_cb done, void *arg)
{
    p->shut = true; /* final: what callbacks below ask for is refused */
    p->close_done = done;
    p->close_arg = arg;
    p->nclosing = 1; /* held until the loop below has started every close */
    for (size_t i = 0; i < p->n; i++) {
        struct bmc *b = p->bmcs[i];
        if (b->state == BMC_S_ACTIVE) {
            fail_all(b, BMC_E_CLOSED);
            if (b->state != BMC_S_ACTIVE)
                continue; /* a callback changed it */
            p->nclosing++;
            b->ctl_seq = (uint8_t)((b->ctl_seq + 1) & 0x3f);
            enter_step(b, BMC_S_CLOSING);
        } else if (b->state == BMC_S_CLOSING) {
            p->nclosing++; /* closing since an earlier call: `done` waits for it too */
        } else {
            ev_timer_stop(p->loop, &b->step_timer);
            if (b->state != BMC_S_IDLE && b->state != BMC_S_FAILED) {
                bmc_fail_text(b, BMC_E_CLOSED, "shut down while establishing the session");
                b->state = BMC_S_FAILED;
            }
            fail_all(b, BMC_E_CLOSED);
        }
    }
    if (--p->nclosing == 0 && done)
        done(NULL, arg);
}

void poller_counters(const struct poller *p, struct bmc_counters *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < p->n; i++) {
        const struct bmc_counters *c = &p->bmcs[i]->ctr;
        out->tx_packets += c->tx_packets;
        out->rx_packets += c->rx_packets;
        out->requests += c->requests;
        out->responses += c->responses;
        out->retransmits += c->retransmits;
        out->busy_retries += c->busy_retries;
        out->sessions_opened += c->sessions_opened;
        out->session_failures += c->session_failures;
        out->auth_failures += c->auth_failures;
        out->reopens += c->reopens;
        out->stray_packets += c->stray_packets;
        out->bad_packets += c->bad_packets;
        out->replays += c->replays;
        out->rakp_rejected += c->rakp_rejected;
        out->pings += c->pings;
        out->pongs += c->pongs;
        out->probes += c->probes;
        out->probe_answers += c->probe_answers;
        out->sessions_lost += c->sessions_lost;
        out->sessionless_sent += c->sessionless_sent;
        out->sessionless_answered += c->sessionless_answered;
        out->sessionless_refused += c->sessionless_refused;
        for (int j = 0; j < CODEC_E__COUNT; j++)
            out->bad_reason[j] += c->bad_reason[j];
    }
}

/* Linear-probing deletion: shift back the entries of the probe run that follows. */
static void ht_remove(struct poller *p, const struct bmc *b)
{
    if (!p->htcap)
        return;
    struct ht_slot k;
    ht_key(&b->sa, &k);
    size_t mask = p->htcap - 1, i = ht_home(&k, mask);
    while (p->ht[i].bmc && p->ht[i].bmc != b)
        i = (i + 1) & mask;
    if (!p->ht[i].bmc)
        return;
    p->ht[i].bmc = NULL;
    for (size_t j = (i + 1) & mask; p->ht[j].bmc; j = (j + 1) & mask) {
        size_t home = ht_home(&p->ht[j], mask);
        /* move ht[j] into the hole unless its home lies cyclically in (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        p->ht[i] = p->ht[j];
        p->ht[j].bmc = NULL;
        i = j;
    }
}

void poller_remove(struct poller *p, struct bmc *b)
{
    if (!b)
        return;
    outbox_flush(p);
    if (b->state == BMC_S_ACTIVE) {
        close_unwaited(b);
        outbox_flush(p);
    }
    ev_timer_stop(p->loop, &b->step_timer);
    b->state = BMC_S_CLOSING; /* callbacks of fail_all() must not start a session */
    /* a reader may answer an error with its next request: drain until quiet
     * (each round completes at least one request; readers are finite) */
    for (unsigned round = 0; round < 100000 && (b->nqueued || b->ninflight); round++)
        fail_all(b, BMC_E_CLOSED);
    ht_remove(p, b);
    size_t i = b->index;
    if (i < p->n && p->bmcs[i] == b) {
        p->bmcs[i] = p->bmcs[--p->n];
        p->bmcs[i]->index = i;
    }
    struct bmc_req *r;
    while ((r = queue_pop(b)))
        req_release(p, r);
    rmcpp_keys_clear(&b->keys);
    free(b);
}

/* ---- accessors ------------------------------------------------------------ */

uint64_t bmc_last_rx_ns(const struct bmc *b)
{
    return b->last_rx_ns;
}

void bmc_set_state_cb(struct bmc *b, bmc_event_cb cb, void *arg)
{
    b->state_cb = cb;
    b->state_arg = arg;
}
const char *bmc_name(const struct bmc *b)
{
    return b->cfg->name;
}
const char *bmc_address(const struct bmc *b)
{
    return b->addr;
}
const struct cfg_bmc *bmc_cfg(const struct bmc *b)
{
    return b->cfg;
}
enum bmc_state bmc_state(const struct bmc *b)
{
    return b->state;
}
enum bmc_error bmc_last_error(const struct bmc *b)
{
    return b->err;
}
const char *bmc_error_text(const struct bmc *b)
{
    return b->err_text;
}
int bmc_suite(const struct bmc *b)
{
    return b->suite ? b->suite->id : -1;
}
const struct bmc_counters *bmc_counters(const struct bmc *b)
{
    return &b->ctr;
}
size_t bmc_index(const struct bmc *b)
{
    return b->index;
}
void bmc_set_user(struct bmc *b, void *user)
{
    b->user = user;
}
void *bmc_user(const struct bmc *b)
{
    return b->user;
}
