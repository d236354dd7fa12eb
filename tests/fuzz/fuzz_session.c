// clang-format off
// fuzz-sources: src/poll/bmc.c src/codec/rmcpp.c src/codec/rmcpp_crypto.c src/codec/layout.c src/codec/ipmi_msg.c src/codec/asf.c
// fuzz-libs: -lcrypto
// clang-format on
/*
 * fuzz_session.c - libFuzzer harness for one BMC's session state machine
 * (src/poll/bmc.c): Get Channel Auth Capabilities, Open Session, RAKP 1-4,
 * Set Session Privilege Level, the cipher suite fallback, requests in the
 * session, retransmits, re-establishment and Close Session.
 *
 * bmc.c runs unchanged, on its own UDP socket.  The harness plays the BMC
 * on a loopback UDP socket of its own: it reads what the poller sends
 * (and checks it: every datagram decodes, RAKP 3 carries a code made with
 * the configured password, session sequence numbers count up by one) and
 * answers with datagrams built from the input.  Nothing else is replaced:
 *  - ev.c is compiled into this file with clock_gettime() swapped for a
 *    virtual clock, which moves only when the input says "time passes"
 *    (it jumps to the next timer), so retransmits and timeouts are
 *    reproducible and cost no waiting;
 *  - RAND_bytes() (used by bmc.c for RAKP 1's random number, IVs and the
 *    jitter seed) is a deterministic generator reset for every input, so
 *    a crash input replays exactly;
 *  - the log functions (log.c) format every message, rate limit or not,
 *    and abort if one holds the password or K_G.
 *
 * Input: two configuration bytes, then records: OP, LEN, LEN bytes.
 *   byte 0: bits 0-2 the cipher suite list (see `suite_lists`), bit 3 K_G
 *           configured, bits 4-5 privilege, bits 6-7 max-in-flight 1/2/4/16
 *   byte 1: bits 0-1 user name, bits 2-3 retries, bits 4-5 requests queued
 *           at the start (0-3), bit 6 answer Close Session at the end,
 *           bit 7 idle-reopen 2 s instead of 50 s
 *   OP & 7: 0 RAW     send the bytes as a datagram
 *           1 REPLY   a valid answer to the poller's last message (auth caps,
 *                     cipher suites, Open Session, RAKP 2 with a correct key
 *                     exchange code, RAKP 4 with a correct ICV, or an IPMI
 *                     response in the session, integrity-protected and
 *                     encrypted with the session keys), XORed with the bytes;
 *                     bytes beyond the answer are appended.  OP bits 3-7:
 *                     1 cut the answer to LEN bytes, 2 break the LAN checksum,
 *                     4 leave auth codes as the bytes make them, 8 reuse the
 *                     last session sequence number, 16 answer the previous
 *                     in-session request rather than the last
 *           2 WRAPPED the bytes as a session payload (type from the first
 *                     byte), protected with the session keys
 *           3 TIME    the virtual clock jumps to the next timer
 *           4 REQUEST queue a request: netfn, cmd, lun (bit 7: its callback
 *                     queues one more), data
 *           5 REPEAT  send the previous datagram again
 *           6 CLOSE   poller_close_all()
 *           7 CONNECT bmc_connect()
 * At the end the harness closes all sessions and lets time pass until the
 * close completes.
 *
 * Beyond the sanitizers, the harness aborts when an invariant breaks: every
 * request's callback runs exactly once; the close completes within a
 * bounded number of steps and leaves no timer armed; counters add up; the
 * state and error are known values; error texts and log lines hold no
 * secret; the poller's own datagrams are well formed for its state.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bmc.h"
#include "cfg.h"
#include "ipmi_msg.h"
#include "log.h"
#include "rmcpp.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the event loop on a virtual clock ------------------------------------ */

static uint64_t fake_now_ns;

static int fuzz_clock_gettime(clockid_t id, struct timespec *ts)
{
    (void)id;
    ts->tv_sec = (time_t)(fake_now_ns / 1000000000ULL);
    ts->tv_nsec = (long)(fake_now_ns % 1000000000ULL);
    return 0;
}
#define clock_gettime(id, ts) fuzz_clock_gettime(id, ts)
#include "ev.c"
#undef clock_gettime

/* ---- deterministic RAND_bytes ---------------------------------------------- */

static uint64_t rand_state;

static uint64_t prng(void)
{
    uint64_t z = (rand_state += 0x9e3779b97f4a7c15ULL); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int RAND_bytes(unsigned char *buf, int num);
int RAND_bytes(unsigned char *buf, int num)
{
    for (int i = 0; i < num; i++)
        buf[i] = (unsigned char)prng();
    return 1;
}

/* ---- the log: every message formatted and checked -------------------------- */

#define PASSWORD "fuzz-secret-pw"
#define KG       "fuzz-kg-secret-text!" /* 20 bytes */

static bool verbose;

static void check_no_secret(const char *s)
{
    CHECK(strstr(s, PASSWORD) == NULL && strstr(s, KG) == NULL);
}

void log_init(const char *ident, int to_syslog, enum log_level level)
{
    (void)ident, (void)to_syslog, (void)level;
}
void log_set_level(enum log_level level)
{
    (void)level;
}
enum log_level log_get_level(void)
{
    return LOG_LVL_DEBUG; /* so the packet dumps run too */
}
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    char line[2048];
    vsnprintf(line, sizeof(line), fmt, ap);
    check_no_secret(line);
    if (verbose)
        fprintf(stderr, "  log %d: %s\n", (int)level, line);
}
void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}
void fatal(const char *fmt, ...)
{
    (void)fmt;
    abort(); /* start-up only: never from the poller */
}
int log_rl_ok(struct log_rl *rl, uint64_t now_ns, uint64_t interval_ns, uint32_t *suppressed)
{
    (void)rl, (void)now_ns, (void)interval_ns;
    if (suppressed)
        *suppressed = 0;
    return 1; /* every message is formatted, so every one is checked */
}

/* ---- configuration from the first two bytes -------------------------------- */

static const uint8_t suite_lists[8][5] = {
    /* count, suites */
    {1, 17}, {1, 3}, {1, 2}, {1, 1}, {1, 0}, {2, 17, 3}, {4, 3, 17, 2, 1}, {2, 1, 17},
};
static const char *const users[4] = {"fuzzuser", "", "ABCDEFGHIJKLMNOP", "admin"};
static const uint8_t privs[4] = {2, 3, 4, 4};
static const uint32_t inflight[4] = {1, 2, 4, 16};

/* ---- the simulated BMC's view of the session -------------------------------- */

enum last { L_NONE, L_LAN15, L_OPEN, L_RAKP1, L_RAKP3, L_SESSION };

struct cand { /* what one RAKP 2 we sent proposed */
    uint8_t rc[16], guid[16];
};

struct sim {
    int fd; /* our socket, the BMC's address */
    struct sockaddr_in peer;
    bool have_peer;
    uint8_t last_sent[RMCPP_MAX_PACKET + 64];
    size_t last_len;
    uint64_t sent, received;

    enum last last;
    struct ipmi_lan_msg lan15; /* last pre-session request (data copied below) */
    uint8_t lan15_data[16];
    struct rmcpp_open_req open;
    const struct rmcpp_suite *suite;
    uint32_t bmc_sid;
    struct rmcpp_rakp1 rakp1;
    struct cand cands[8];
    unsigned ncands;
    struct cand chosen;
    bool keyed;
    struct rmcpp_keys keys;
    uint32_t in_seq;  /* poller's last session sequence number */
    uint32_t out_seq; /* ours */
    struct {
        uint8_t netfn, cmd, seq, lun;
    } reqs[4];
    unsigned nreqs;

    const struct cfg_bmc *cfg;
};

static struct sim S;
static struct cfg_bmc cfgb;
static struct bmc *bmc;
static bool shut; /* poller_close_all() was called: nothing new may start */

static void kuid(uint8_t key[20])
{
    memset(key, 0, 20);
    memcpy(key, cfgb.password, cfgb.password_len);
}

static const struct rmcpp_suite *suite_of(const struct rmcpp_open_req *r)
{
    static const uint8_t ids[] = {0, 1, 2, 3, 17};
    for (size_t i = 0; i < sizeof(ids); i++) {
        const struct rmcpp_suite *s = rmcpp_suite_get(ids[i]);
        if (s->auth == r->auth_alg && s->integ == r->integ_alg && s->conf == r->conf_alg)
            return s;
    }
    return NULL;
}

static const struct rmcpp_keys *pkt_keys(void)
{
    if (!S.keyed || !S.suite || (!S.suite->integ && !S.suite->conf))
        return NULL;
    return &S.keys;
}

static void new_session(void)
{
    rmcpp_keys_clear(&S.keys);
    S.keyed = false;
    S.ncands = 0;
    S.nreqs = 0;
    S.in_seq = 0;
    S.out_seq = 0;
}

/* RAKP 3: find the RAKP 2 the poller accepted, check its code, derive the keys. */
static void on_rakp3(const uint8_t *pl, size_t plen)
{
    struct rmcpp_rakp3 r;
    CHECK(layout_decode(&rmcpp_rakp3_layout, pl, plen, &r, NULL) >= 0);
    CHECK(S.suite != NULL);
    CHECK(r.bmc_sid == S.bmc_sid && r.tag == S.open.tag && r.status == 0);
    CHECK(r.kex_len == S.suite->kex_len);
    uint8_t key[20], in[128], mac[32];
    kuid(key);
    bool found = S.suite->auth == RAKP_NONE;
    if (found)
        S.chosen = S.ncands ? S.cands[(S.ncands - 1) % 8] : (struct cand){{0}, {0}};
    for (unsigned i = 0; i < S.ncands && i < 8 && !found; i++) {
        size_t n = rmcpp_rakp3_input(in, S.cands[i].rc, S.open.console_sid, S.rakp1.role,
                                     S.rakp1.user, S.rakp1.user_len);
        CHECK(rmcpp_hmac(S.suite->auth, key, 20, in, n, mac) > 0);
        if (memcmp(mac, r.kex, r.kex_len) == 0) {
            found = true;
            S.chosen = S.cands[i];
        }
    }
    CHECK(found); /* RAKP 3 is made with the configured password, for a RAKP 2 we sent */
    uint8_t kg[20];
    if (cfgb.kg_len) {
        memset(kg, 0, sizeof(kg));
        memcpy(kg, cfgb.kg, cfgb.kg_len);
    } else {
        kuid(kg);
    }
    size_t n =
        rmcpp_sik_input(in, S.rakp1.rm, S.chosen.rc, S.rakp1.role, S.rakp1.user, S.rakp1.user_len);
    rmcpp_keys_clear(&S.keys);
    CHECK(rmcpp_derive_keys(&S.keys, S.suite, kg, 20, in, n) == 0);
    S.keyed = true;
}

/* One datagram from the poller. */
static void from_poller(const uint8_t *d, size_t len)
{
    static uint8_t pl[RMCPP_MAX_PAYLOAD + 32];
    struct rmcpp_pkt p;
    enum codec_err e;
    S.received++;
    CHECK(len >= 5);
    if (d[4] == 0x00) { /* IPMI 1.5 framing: session-less Auth Caps or Cipher Suites */
        CHECK(rmcpp_decode(d, len, NULL, pl, sizeof(pl), &p, &e) == 0);
        CHECK(p.session_id == 0 && p.seq == 0);
        struct ipmi_lan_msg m;
        CHECK(ipmi_lan_decode(p.payload, p.plen, &m, &e) == 0);
        CHECK(m.dst_addr == IPMI_BMC_SLAVE_ADDR && m.src_addr == IPMI_REMOTE_SWID);
        CHECK(m.netfn == IPMI_NETFN_APP);
        CHECK(m.cmd == IPMI_CMD_GET_CHANNEL_AUTH_CAP ||
              m.cmd == IPMI_CMD_GET_CHANNEL_CIPHER_SUITES);
        CHECK(m.dlen <= sizeof(S.lan15_data));
        /* in an active session it is a liveness probe, not a new login */
        if (m.cmd == IPMI_CMD_GET_CHANNEL_AUTH_CAP && bmc_state(bmc) != BMC_S_ACTIVE)
            new_session();
        CHECK(!shut); /* after poller_close_all(): no login, no probe */
        S.lan15 = m;
        memcpy(S.lan15_data, m.data, m.dlen);
        S.lan15.data = S.lan15_data;
        S.last = L_LAN15;
        return;
    }
    CHECK(d[4] == 0x06);
    uint8_t ptype = d[5] & 0x3f;
    const struct rmcpp_keys *k = ptype == RMCPP_PL_IPMI ? pkt_keys() : NULL;
    CHECK(rmcpp_decode(d, len, k, pl, sizeof(pl), &p, &e) == 0);
    switch (ptype) {
    case RMCPP_PL_OPEN_REQ:
        CHECK(p.session_id == 0 && p.seq == 0);
        CHECK(layout_decode(&rmcpp_open_req_layout, p.payload, p.plen, &S.open, NULL) >= 0);
        S.suite = suite_of(&S.open);
        CHECK(S.suite != NULL);
        CHECK(S.suite->id != 0 || cfgb.allow_suite0);
        new_session();
        S.last = L_OPEN;
        return;
    case RMCPP_PL_RAKP1:
        CHECK(layout_decode(&rmcpp_rakp1_layout, p.payload, p.plen, &S.rakp1, NULL) >= 0);
        CHECK(S.rakp1.tag == S.open.tag && S.rakp1.bmc_sid != 0);
        CHECK(S.rakp1.user_len == S.rakp1.ulen && S.rakp1.ulen == strlen(cfgb.username));
        S.bmc_sid = S.rakp1.bmc_sid;
        S.ncands = 0;
        S.last = L_RAKP1;
        return;
    case RMCPP_PL_RAKP3:
        on_rakp3(p.payload, p.plen);
        S.last = L_RAKP3;
        return;
    case RMCPP_PL_IPMI:
        break;
    default:
        CHECK(0);
    }
    /* in the session: protected as the suite says, numbered one up */
    CHECK(S.keyed && p.session_id == S.bmc_sid);
    CHECK(p.authenticated == (S.suite->integ != INTEG_NONE));
    CHECK(p.encrypted == (S.suite->conf != CONF_NONE));
    CHECK(p.seq == S.in_seq + 1);
    S.in_seq = p.seq;
    struct ipmi_lan_msg m;
    CHECK(ipmi_lan_decode(p.payload, p.plen, &m, &e) == 0);
    CHECK(m.dst_addr == IPMI_BMC_SLAVE_ADDR && m.src_addr == IPMI_REMOTE_SWID);
    CHECK(!(m.netfn & 1) && m.dst_lun < 4);
    unsigned i = S.nreqs++ % 4;
    S.reqs[i].netfn = m.netfn;
    S.reqs[i].cmd = m.cmd;
    S.reqs[i].seq = m.seq;
    S.reqs[i].lun = m.dst_lun;
    S.last = L_SESSION;
}

static void harvest(void)
{
    uint8_t buf[RMCPP_MAX_PACKET + 64];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(S.fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n < 0) {
            CHECK(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
            return;
        }
        S.peer = from;
        S.have_peer = true;
        from_poller(buf, (size_t)n);
    }
}

static struct ev_loop *loop;

/* Run the loop once (the datagram we sent is waiting), then flush what it sends. */
static void step(void)
{
    ev_run_once(loop, 0);
    if (loop->before_sleep)
        loop->before_sleep(loop, loop->before_sleep_arg);
    harvest();
}

static void send_dgram(const uint8_t *d, size_t len)
{
    if (!S.have_peer)
        return;
    if (len > sizeof(S.last_sent))
        len = sizeof(S.last_sent);
    if (d != S.last_sent)
        memcpy(S.last_sent, d, len);
    S.last_len = len;
    if (sendto(S.fd, d, len, 0, (struct sockaddr *)&S.peer, sizeof(S.peer)) < 0)
        return;
    S.sent++;
    /* wait until the poller's socket has it, so the next loop run sees it */
    struct pollfd pfd = {.fd = loop->epfd, .events = POLLIN};
    poll(&pfd, 1, 1000);
}

/* ---- building answers ------------------------------------------------------ */

enum { F_SHORT = 1, F_CKSUM = 2, F_AUTH = 4, F_SEQ = 8, F_OLD = 16 };

static void put_u32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* template ^ bytes, bytes beyond the template appended; F_SHORT cuts to the bytes' length */
static size_t overlay(uint8_t *out, size_t tlen, size_t cap, const uint8_t *b, size_t blen,
                      unsigned flags)
{
    size_t n = tlen;
    for (size_t i = 0; i < blen && i < cap; i++) {
        if (i < tlen)
            out[i] ^= b[i];
        else
            out[n++] = b[i];
    }
    if ((flags & F_SHORT) && blen < n)
        n = blen;
    return n;
}

static size_t lan_wrap(uint8_t *out, uint8_t netfn, uint8_t cmd, uint8_t seq, uint8_t lun,
                       const uint8_t *rsp, size_t rlen, unsigned flags)
{
    struct ipmi_lan_msg m = {
        .dst_addr = IPMI_REMOTE_SWID,
        .netfn = (uint8_t)(netfn | 1),
        .dst_lun = 0,
        .src_addr = IPMI_BMC_SLAVE_ADDR,
        .seq = seq,
        .src_lun = lun,
        .cmd = cmd,
        .data = rsp,
        .dlen = rlen > 255 ? 255 : rlen,
    };
    ssize_t n = ipmi_lan_encode(out, IPMI_LAN_OVERHEAD + 255, &m, NULL);
    CHECK(n > 0);
    if (flags & F_CKSUM)
        out[n - 1] ^= 0x5a;
    return (size_t)n;
}

static void send_session(uint8_t ptype, const uint8_t *payload, size_t plen, unsigned flags)
{
    uint8_t pkt[RMCPP_MAX_PACKET];
    uint8_t iv[16];
    RAND_bytes(iv, sizeof(iv));
    if (!(flags & F_SEQ) || S.out_seq == 0)
        S.out_seq++;
    if (plen > RMCPP_MAX_PAYLOAD)
        plen = RMCPP_MAX_PAYLOAD;
    ssize_t n = rmcpp_encode(pkt, sizeof(pkt), ptype, S.open.console_sid, S.out_seq, pkt_keys(), iv,
                             payload, plen, NULL);
    CHECK(n > 0);
    send_dgram(pkt, (size_t)n);
}

static void send_setup(uint8_t ptype, const uint8_t *payload, size_t plen)
{
    uint8_t pkt[RMCPP_MAX_PACKET];
    ssize_t n = rmcpp_encode(pkt, sizeof(pkt), ptype, 0, 0, NULL, NULL, payload, plen, NULL);
    CHECK(n > 0);
    send_dgram(pkt, (size_t)n);
}

static void reply(const uint8_t *b, size_t blen, unsigned flags)
{
    uint8_t t[RMCPP_MAX_PAYLOAD];
    uint8_t msg[IPMI_LAN_OVERHEAD + 255];
    uint8_t pkt[RMCPP_MAX_PACKET];
    size_t n;
    memset(t, 0, sizeof(t));
    switch (S.last) {
    case L_NONE:
        return;
    case L_LAN15: {
        size_t tl;
        if (S.lan15.cmd == IPMI_CMD_GET_CHANNEL_AUTH_CAP) {
            static const uint8_t ac[9] = {0x00, 0x01, 0x80, 0x04, 0x02, 0, 0, 0, 0};
            memcpy(t, ac, sizeof(ac));
            tl = sizeof(ac);
        } else { /* Get Channel Cipher Suites: records of suites 3, 17, 1 (Table 22-18) */
            static const uint8_t cs[2 + 16] = {0x00, 0x01, 0xc0, 0x03, 0x01, 0x41,
                                               0x81, 0xc0, 0x11, 0x03, 0x44, 0x81,
                                               0xc0, 0x01, 0x01, 0x40, 0x80, 0xc0};
            memcpy(t, cs, sizeof(cs));
            tl = (S.lan15.dlen >= 3 && (S.lan15_data[2] & 0x3f)) ? 2 : sizeof(cs);
        }
        /* the IPMI 1.5 session header counts the message in one byte */
        n = overlay(t, tl, 255 - IPMI_LAN_OVERHEAD, b, blen, flags);
        size_t ml =
            lan_wrap(msg, S.lan15.netfn, S.lan15.cmd, S.lan15.seq, S.lan15.dst_lun, t, n, flags);
        ssize_t pl = rmcp15_encode(pkt, sizeof(pkt), msg, ml, NULL);
        CHECK(pl > 0);
        send_dgram(pkt, (size_t)pl);
        return;
    }
    case L_OPEN: {
        struct rmcpp_open_rsp r = {
            .tag = S.open.tag,
            .status = 0,
            .max_priv = cfgb.privilege,
            .console_sid = S.open.console_sid,
            .bmc_sid = 0x0b000000u | (uint32_t)S.open.tag << 8 | 0x5a,
            .auth_type = 0,
            .auth_len = 8,
            .auth_alg = S.open.auth_alg,
            .integ_type = 1,
            .integ_len = 8,
            .integ_alg = S.open.integ_alg,
            .conf_type = 2,
            .conf_len = 8,
            .conf_alg = S.open.conf_alg,
        };
        ssize_t tl = layout_encode(&rmcpp_open_rsp_layout, &r, t, sizeof(t), NULL);
        CHECK(tl > 0);
        n = overlay(t, (size_t)tl, 256, b, blen, flags);
        send_setup(RMCPP_PL_OPEN_RSP, t, n);
        return;
    }
    case L_RAKP1: {
        /* tag, status, console SID, Rc, GUID: template ^ bytes; then the code */
        t[0] = S.rakp1.tag;
        put_u32le(t + 4, S.open.console_sid);
        for (int i = 0; i < 16; i++)
            t[8 + i] = (uint8_t)prng();
        for (int i = 0; i < 16; i++)
            t[24 + i] = (uint8_t)(0xa0 + i);
        size_t kex = S.suite->kex_len;
        n = overlay(t, 40 + kex, 256, b, blen, flags);
        struct cand c;
        memcpy(c.rc, t + 8, 16);
        memcpy(c.guid, t + 24, 16);
        S.cands[S.ncands++ % 8] = c; /* the newest 8 */
        if (!(flags & F_AUTH) && S.suite->auth != RAKP_NONE) {
            uint8_t key[20], in[128], mac[32];
            kuid(key);
            size_t il = rmcpp_rakp2_input(in, S.open.console_sid, S.bmc_sid, S.rakp1.rm, c.rc,
                                          c.guid, S.rakp1.role, S.rakp1.user, S.rakp1.user_len);
            CHECK(rmcpp_hmac(S.suite->auth, key, 20, in, il, mac) == (int)kex);
            memcpy(t + 40, mac, kex);
        }
        send_setup(RMCPP_PL_RAKP2, t, n);
        return;
    }
    case L_RAKP3: {
        t[0] = S.rakp1.tag;
        put_u32le(t + 4, S.open.console_sid);
        size_t icv = S.suite->icv_len;
        n = overlay(t, 8 + icv, 256, b, blen, flags);
        if (!(flags & F_AUTH) && S.suite->auth != RAKP_NONE) {
            uint8_t in[64], mac[32];
            size_t il = rmcpp_rakp4_input(in, S.rakp1.rm, S.bmc_sid, S.chosen.guid);
            CHECK(rmcpp_hmac(S.suite->auth, S.keys.sik, S.keys.sik_len, in, il, mac) > 0);
            memcpy(t + 8, mac, icv);
        }
        send_setup(RMCPP_PL_RAKP4, t, n);
        return;
    }
    case L_SESSION: {
        unsigned back = (flags & F_OLD) && S.nreqs > 1 ? 2 : 1;
        unsigned i = (S.nreqs - back) % 4;
        size_t tl = 1;
        if (S.reqs[i].cmd == IPMI_CMD_SET_SESSION_PRIV && S.reqs[i].netfn == IPMI_NETFN_APP) {
            t[1] = cfgb.privilege;
            tl = 2;
        } else if (S.reqs[i].cmd == IPMI_CMD_GET_DEVICE_ID && S.reqs[i].netfn == IPMI_NETFN_APP) {
            static const uint8_t id[15] = {0x20, 0x81, 0x09, 0x08, 0x02, 0xbf, 0x57, 0x01,
                                           0x00, 0x00, 0x01, 0,    0,    0,    0};
            memcpy(t + 1, id, sizeof(id));
            tl = 16;
        }
        n = overlay(t, tl, 255, b, blen, flags);
        size_t ml = lan_wrap(msg, S.reqs[i].netfn, S.reqs[i].cmd, S.reqs[i].seq, S.reqs[i].lun, t,
                             n, flags);
        send_session(RMCPP_PL_IPMI, msg, ml, flags);
        return;
    }
    }
}

/* ---- requests and their callbacks ------------------------------------------- */

#define MAX_REQS 64

struct rq {
    unsigned calls;
    bool chain;
};
static struct rq rqs[MAX_REQS];
static unsigned nrqs;
static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp);

static void queue(uint8_t netfn, uint8_t cmd, uint8_t lun, bool chain, const uint8_t *d, size_t len)
{
    if (nrqs == MAX_REQS)
        return;
    struct rq *r = &rqs[nrqs];
    memset(r, 0, sizeof(*r));
    r->chain = chain;
    if (bmc_request_lun(bmc, lun, netfn, cmd, d, len, on_rsp, r) == 0) {
        CHECK(!shut); /* poller_close_all() is final */
        nrqs++;
    } else {
        CHECK(lun > 3 || len > 64 || shut);
    }
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    struct rq *r = arg;
    CHECK(b == bmc);
    CHECK(r >= rqs && r < rqs + nrqs);
    CHECK(++r->calls == 1);
    if (verbose)
        fprintf(stderr, "  callback of request %d: %s, cc %02x, %zu bytes, in state %s\n",
                (int)(r - rqs), bmc_error_word(rsp->err), rsp->cc, rsp->len,
                bmc_state_name(bmc_state(b)));
    CHECK((unsigned)rsp->err < BMC_E__COUNT);
    CHECK(rsp->len <= 255 && (rsp->len == 0 || rsp->data != NULL));
    if (rsp->err != BMC_E_NONE)
        CHECK(rsp->len == 0);
    if (r->chain) {
        static const uint8_t d[1] = {0};
        queue(IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, 0, false, d, 0);
    }
}

static unsigned updowns, closes;

static void on_state(struct bmc *b, void *arg)
{
    (void)arg;
    CHECK(b == bmc);
    updowns++;
}

static void on_closed(struct bmc *b, void *arg)
{
    (void)b;
    CHECK(arg == &closes);
    closes++;
}

/* ---- invariants after every step --------------------------------------------- */

static void check_bmc(void)
{
    CHECK((unsigned)bmc_state(bmc) < BMC_S__COUNT);
    if (shut) /* no session is started after poller_close_all() */
        CHECK(bmc_state(bmc) == BMC_S_CLOSING || bmc_state(bmc) == BMC_S_IDLE ||
              bmc_state(bmc) == BMC_S_FAILED);
    CHECK((unsigned)bmc_last_error(bmc) < BMC_E__COUNT);
    const char *t = bmc_error_text(bmc);
    CHECK(strlen(t) < 640);
    check_no_secret(t);
    const struct bmc_counters *c = bmc_counters(bmc);
    uint64_t sum = 0;
    for (int i = 0; i < CODEC_E__COUNT; i++)
        sum += c->bad_reason[i];
    CHECK(sum == c->bad_packets);
    CHECK(c->rx_packets <= S.sent);
    CHECK(c->tx_packets == S.received);
    CHECK(c->responses <= c->requests && c->requests <= nrqs);
    CHECK(ev_timer_count(loop) <= 1 + 16);
    int s = bmc_suite(bmc);
    CHECK(s == -1 || rmcpp_suite_get((unsigned)s) != NULL);
    if (verbose)
        fprintf(stderr, "  state %s, error %s, timers %zu, rx %lu bad %lu stray %lu replays %lu\n",
                bmc_state_name(bmc_state(bmc)), bmc_error_word(bmc_last_error(bmc)),
                ev_timer_count(loop), (unsigned long)c->rx_packets, (unsigned long)c->bad_packets,
                (unsigned long)c->stray_packets, (unsigned long)c->replays);
}

/* ---- one input ---------------------------------------------------------------- */

static void time_passes(void)
{
    if (loop->nheap)
        fake_now_ns = loop->heap[1]->when_ns > fake_now_ns ? loop->heap[1]->when_ns : fake_now_ns;
    else
        fake_now_ns += EV_NS_PER_SEC;
    step();
}

static void setup_once(void)
{
    if (S.fd > 0)
        return;
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    socklen_t al = sizeof(a);
    CHECK(getsockname(fd, (struct sockaddr *)&a, &al) == 0);
    S.fd = fd;
    memset(&cfgb, 0, sizeof(cfgb));
    cfgb.port = ntohs(a.sin_port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    if (size < 2)
        return 0;
    int fd = S.fd;
    uint16_t port = cfgb.port;
    /* what the last poller flushed as it was freed is not for this run */
    uint8_t junk[64];
    while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) >= 0)
        ;
    memset(&S, 0, sizeof(S));
    S.fd = fd;
    rand_state = 0x5eed;
    fake_now_ns = 1000 * EV_NS_PER_SEC;
    nrqs = 0;
    updowns = closes = 0;
    shut = false;

    uint8_t c0 = data[0], c1 = data[1];
    memset(&cfgb, 0, sizeof(cfgb));
    snprintf(cfgb.name, sizeof(cfgb.name), "fuzz");
    snprintf(cfgb.address, sizeof(cfgb.address), "127.0.0.1");
    cfgb.port = port;
    snprintf(cfgb.username, sizeof(cfgb.username), "%s", users[c1 & 3]);
    cfgb.password_len = strlen(PASSWORD);
    memcpy(cfgb.password, PASSWORD, cfgb.password_len);
    if (c0 & 8) {
        cfgb.kg_len = 20;
        memcpy(cfgb.kg, KG, 20);
    }
    const uint8_t *sl = suite_lists[c0 & 7];
    cfgb.nsuites = sl[0];
    memcpy(cfgb.suites, sl + 1, sl[0]);
    cfgb.allow_suite0 = true; /* both weak suites may be listed: the fuzzer picks */
    cfgb.allow_suite1 = true;
    cfgb.privilege = privs[(c0 >> 4) & 3];
    cfgb.file = "fuzz.conf";
    cfgb.line = 1;

    struct poller_opts o;
    poller_opts_default(&o);
    o.retries = (c1 >> 2) & 3;
    o.max_in_flight = inflight[c0 >> 6];
    o.sockets = 1;
    o.idle_reopen_ms = (c1 & 0x80) ? 2000 : 50000;

    loop = ev_new();
    CHECK(loop != NULL);
    char err[256];
    struct poller *p = poller_new(loop, &o, err, sizeof(err));
    CHECK(p != NULL);
    bmc = poller_add(p, &cfgb, err, sizeof(err));
    CHECK(bmc != NULL);
    bmc_set_state_cb(bmc, on_state, NULL);

    static const uint8_t sdr_req[6] = {0, 0, 0, 0, 0, 0xff};
    for (unsigned i = 0; i < ((c1 >> 4) & 3u); i++) {
        if (i == 0)
            queue(IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, 0, false, NULL, 0);
        else if (i == 1)
            queue(IPMI_NETFN_CHASSIS, IPMI_CMD_GET_CHASSIS_STATUS, 0, false, NULL, 0);
        else
            queue(IPMI_NETFN_STORAGE, 0x23, 0, true, sdr_req, sizeof(sdr_req));
    }
    step();
    check_bmc();

    size_t off = 2;
    while (off + 2 <= size) {
        uint8_t op = data[off];
        size_t len = data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        const uint8_t *b = data + off;
        off += len;
        unsigned flags = op >> 3;
        if (verbose)
            fprintf(stderr, "op %u flags %02x len %zu (BMC view: last %d)\n", op & 7u, flags, len,
                    (int)S.last);
        switch (op & 7) {
        case 0:
            send_dgram(b, len);
            break;
        case 1:
            reply(b, len, flags);
            break;
        case 2:
            if (len)
                send_session(b[0] & 0x3f, b + 1, len - 1, flags);
            break;
        case 3:
            time_passes();
            break;
        case 4:
            if (len >= 3)
                queue((uint8_t)(b[0] & 0x3e), b[1], b[2] & 0x7f, b[2] & 0x80, b + 3, len - 3);
            break;
        case 5:
            if (S.last_len)
                send_dgram(S.last_sent, S.last_len);
            break;
        case 6:
            shut = true;
            poller_close_all(p, on_closed, &closes);
            break;
        case 7:
            bmc_connect(bmc);
            break;
        }
        step();
        check_bmc();
    }

    /* The end: close, answering Close Session or letting it time out.  The
     * close is final: a callback that queues a request while
     * poller_close_all() fails the others is refused (queue() checks), so
     * one close leaves the BMC quiet. */
    unsigned before = closes;
    if (verbose)
        fprintf(stderr, "end: close all\n");
    shut = true;
    poller_close_all(p, on_closed, &closes);
    step();
    for (unsigned i = 0; i < 16 && closes == before; i++) {
        if ((c1 & 0x40) && S.last == L_SESSION && i % 2 == 0) {
            reply(NULL, 0, 0);
            step();
        } else {
            time_passes();
        }
        check_bmc();
    }
    CHECK(closes == before + 1);
    for (unsigned i = 0; i < nrqs; i++)
        CHECK(rqs[i].calls == 1);
    CHECK(bmc_state(bmc) == BMC_S_IDLE || bmc_state(bmc) == BMC_S_FAILED);
    CHECK(ev_timer_count(loop) == 0);
    poller_free(p);
    ev_free(loop);
    loop = NULL;
    rmcpp_keys_clear(&S.keys);
    return 0;
}
