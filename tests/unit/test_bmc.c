/*
 * test_bmc.c - the RMCP+ session engine (src/poll/bmc.c) against a scripted
 * BMC: a UDP socket on 127.0.0.1 that this program answers by hand, so every
 * reply (genuine, spoofed, short, out of order) is chosen by the test.  A
 * spoof is sent from the BMC's own address and port, which is what an
 * off-path attacker forging the source address achieves; bmc_feed() covers
 * the same path without a socket.
 *
 * Nothing here asserts on time: the loop is run until a packet arrives or a
 * state is reached, with a generous iteration bound.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bmc.h"
#include "cfg.h"
#include "ev.h"
#include "ipmi_msg.h"
#include "rmcpp.h"
#include "unit.h"

#define PASSWORD "secret-pw"
#define BMC_SID  0x5a5a1234u

/* The scripted BMC and the bridge's side of one test. */
struct fake {
    int fd;
    struct sockaddr_in peer; /* the bridge's socket, learnt from its first packet */
    struct ev_loop *loop;
    struct poller *p;
    struct bmc *b;
    struct cfg_bmc cfg;
    /* session state the BMC keeps */
    uint8_t tag, role;
    uint32_t console_sid;
    const struct rmcpp_suite *suite;
    uint8_t rm[16], rc[16], guid[16];
    struct rmcpp_keys keys;
    uint32_t out_seq;
    bool feed; /* hand our datagrams to bmc_feed() instead of the socket */
    /* last packet received from the bridge */
    uint8_t buf[RMCPP_MAX_PACKET];
    size_t len;
    struct rmcpp_pkt pkt;
    uint8_t pl[RMCPP_MAX_PAYLOAD + 32];
};

static void fake_open(struct fake *f, const uint8_t *suites, size_t nsuites, uint32_t timeout_ms,
                      uint32_t retries)
{
    memset(f, 0, sizeof(*f));
    f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    CU_ASSERT_FATAL(f->fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CU_ASSERT_FATAL(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    socklen_t sl = sizeof(sa);
    CU_ASSERT_FATAL(getsockname(f->fd, (struct sockaddr *)&sa, &sl) == 0);

    snprintf(f->cfg.name, sizeof(f->cfg.name), "fake1");
    snprintf(f->cfg.address, sizeof(f->cfg.address), "127.0.0.1");
    f->cfg.port = ntohs(sa.sin_port);
    snprintf(f->cfg.username, sizeof(f->cfg.username), "admin");
    memcpy(f->cfg.password, PASSWORD, strlen(PASSWORD));
    f->cfg.password_len = strlen(PASSWORD);
    memcpy(f->cfg.suites, suites, nsuites);
    f->cfg.nsuites = nsuites;
    f->cfg.privilege = 2;

    f->loop = ev_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->loop);
    struct poller_opts o;
    poller_opts_default(&o);
    o.timeout_ms = timeout_ms;
    o.retries = retries;
    o.session_timeout_ms = 60000;
    o.sockets = 1;
    char err[256];
    f->p = poller_new(f->loop, &o, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->p);
    f->b = poller_add(f->p, &f->cfg, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->b);
    for (int i = 0; i < 16; i++) {
        f->rc[i] = (uint8_t)(0xc0 + i);
        f->guid[i] = (uint8_t)(0x10 + i);
    }
}

static void fake_close(struct fake *f)
{
    poller_free(f->p);
    ev_free(f->loop);
    close(f->fd);
    rmcpp_keys_clear(&f->keys);
}

/* Run the loop until the bridge sends us a datagram; decodes its framing (with
 * the session keys once there are some).  Returns 0, or -1 if none came. */
static int fake_recv(struct fake *f)
{
    for (int i = 0; i < 4000; i++) {
        socklen_t sl = sizeof(f->peer);
        ssize_t n =
            recvfrom(f->fd, f->buf, sizeof(f->buf), MSG_DONTWAIT, (struct sockaddr *)&f->peer, &sl);
        if (n > 0) {
            f->len = (size_t)n;
            enum codec_err e;
            /* session-less (IPMI 1.5 framing) even while a session is up */
            const struct rmcpp_keys *k = f->keys.suite && f->buf[4] == 0x06 ? &f->keys : NULL;
            return rmcpp_decode(f->buf, f->len, k, f->pl, sizeof(f->pl), &f->pkt, &e);
        }
        if (i > 50 && bmc_state(f->b) == BMC_S_FAILED)
            return -1; /* it has given up: nothing more will come */
        ev_run_once(f->loop, 5);
    }
    return -1;
}

/* Give the bridge a few loop turns to take in what we sent. */
static void fake_settle(struct fake *f, uint64_t rx_before)
{
    for (int i = 0; i < 400 && bmc_counters(f->b)->rx_packets == rx_before; i++)
        ev_run_once(f->loop, 5);
}

static void fake_send(struct fake *f, const uint8_t *buf, size_t len)
{
    if (f->feed) {
        bmc_feed(f->b, buf, len);
        return;
    }
    uint64_t rx = bmc_counters(f->b)->rx_packets;
    CU_ASSERT_FATAL(sendto(f->fd, buf, len, 0, (struct sockaddr *)&f->peer, sizeof(f->peer)) ==
                    (ssize_t)len);
    fake_settle(f, rx);
}

static void fake_send_setup(struct fake *f, uint8_t ptype, const struct layout *l, const void *msg,
                            size_t cut)
{
    uint8_t body[128], pkt[256];
    enum codec_err e;
    ssize_t n = layout_encode(l, msg, body, sizeof(body), &e);
    CU_ASSERT_FATAL(n > 0);
    if (cut && cut < (size_t)n)
        n = (ssize_t)cut;
    n = rmcpp_encode(pkt, sizeof(pkt), ptype, 0, 0, NULL, NULL, body, (size_t)n, &e);
    CU_ASSERT_FATAL(n > 0);
    fake_send(f, pkt, (size_t)n);
}

/* An IPMI response to the request in f->pl, in the session if `in_session`. */
static void fake_answer_ipmi(struct fake *f, bool in_session, const uint8_t *data, size_t dlen,
                             uint32_t seq)
{
    struct ipmi_lan_msg rq, rs;
    enum codec_err e;
    CU_ASSERT_FATAL(ipmi_lan_decode(f->pkt.payload, f->pkt.plen, &rq, &e) == 0);
    rs = (struct ipmi_lan_msg){.dst_addr = IPMI_REMOTE_SWID,
                               .netfn = (uint8_t)(rq.netfn | 1),
                               .dst_lun = rq.src_lun,
                               .src_addr = IPMI_BMC_SLAVE_ADDR,
                               .seq = rq.seq,
                               .src_lun = rq.dst_lun,
                               .cmd = rq.cmd,
                               .data = data,
                               .dlen = dlen};
    uint8_t msg[128], pkt[RMCPP_MAX_PACKET];
    ssize_t n = ipmi_lan_encode(msg, sizeof(msg), &rs, &e);
    CU_ASSERT_FATAL(n > 0);
    if (in_session) {
        uint8_t iv[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        n = rmcpp_encode(pkt, sizeof(pkt), RMCPP_PL_IPMI, f->console_sid, seq, &f->keys, iv, msg,
                         (size_t)n, &e);
    } else {
        n = rmcp15_encode(pkt, sizeof(pkt), msg, (size_t)n, &e);
    }
    CU_ASSERT_FATAL(n > 0);
    fake_send(f, pkt, (size_t)n);
}

static uint8_t ipmi_cmd_of(struct fake *f)
{
    struct ipmi_lan_msg m;
    enum codec_err e;
    if (f->pkt.ptype != RMCPP_PL_IPMI || ipmi_lan_decode(f->pkt.payload, f->pkt.plen, &m, &e) < 0)
        return 0;
    return m.cmd;
}

/* Expect Get Channel Authentication Capabilities and answer it. */
static void fake_authcap(struct fake *f)
{
    CU_ASSERT_EQUAL_FATAL(fake_recv(f), 0);
    CU_ASSERT_EQUAL_FATAL(ipmi_cmd_of(f), IPMI_CMD_GET_CHANNEL_AUTH_CAP);
    static const uint8_t rsp[] = {0x00, 0x01, 0x80, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00};
    fake_answer_ipmi(f, false, rsp, sizeof(rsp), 0);
}

/* Expect an Open Session Request; returns the suite it proposes (-1: not one). */
static int fake_recv_open(struct fake *f)
{
    struct rmcpp_open_req r;
    enum codec_err e;
    if (fake_recv(f) < 0 || f->pkt.ptype != RMCPP_PL_OPEN_REQ ||
        layout_decode(&rmcpp_open_req_layout, f->pkt.payload, f->pkt.plen, &r, &e) < 0)
        return -1;
    f->tag = r.tag;
    f->console_sid = r.console_sid;
    static const uint8_t ids[] = {17, 3, 2, 1, 0};
    for (size_t i = 0; i < sizeof(ids); i++) {
        const struct rmcpp_suite *s = rmcpp_suite_get(ids[i]);
        if (s->auth == r.auth_alg && s->integ == r.integ_alg && s->conf == r.conf_alg) {
            f->suite = s;
            return s->id;
        }
    }
    return -1;
}

static void fake_open_rsp(struct fake *f, uint8_t status, size_t cut)
{
    struct rmcpp_open_rsp r = {.tag = f->tag,
                               .status = status,
                               .max_priv = 4,
                               .console_sid = f->console_sid,
                               .bmc_sid = BMC_SID,
                               .auth_type = 0,
                               .auth_len = 8,
                               .auth_alg = f->suite->auth,
                               .integ_type = 1,
                               .integ_len = 8,
                               .integ_alg = f->suite->integ,
                               .conf_type = 2,
                               .conf_len = 8,
                               .conf_alg = f->suite->conf};
    fake_send_setup(f, RMCPP_PL_OPEN_RSP, &rmcpp_open_rsp_layout, &r, cut);
}

static void fake_recv_rakp1(struct fake *f)
{
    struct rmcpp_rakp1 r;
    enum codec_err e;
    CU_ASSERT_EQUAL_FATAL(fake_recv(f), 0);
    CU_ASSERT_EQUAL_FATAL(f->pkt.ptype, RMCPP_PL_RAKP1);
    CU_ASSERT_FATAL(layout_decode(&rmcpp_rakp1_layout, f->pkt.payload, f->pkt.plen, &r, &e) > 0);
    memcpy(f->rm, r.rm, 16);
    f->role = r.role;
}

static void fake_rakp2(struct fake *f, bool genuine)
{
    struct rmcpp_rakp2 r = {.tag = f->tag, .status = 0, .console_sid = f->console_sid};
    memcpy(r.rc, f->rc, 16);
    memcpy(r.guid, f->guid, 16);
    uint8_t in[128];
    size_t n = rmcpp_rakp2_input(in, f->console_sid, BMC_SID, f->rm, f->rc, f->guid, f->role,
                                 (const uint8_t *)"admin", 5);
    CU_ASSERT_FATAL(
        rmcpp_hmac(f->suite->auth, (const uint8_t *)PASSWORD, strlen(PASSWORD), in, n, r.kex) > 0);
    r.kex_len = f->suite->kex_len;
    if (!genuine)
        r.kex[3] ^= 0x40; /* what a spoofer without the password sends */
    fake_send_setup(f, RMCPP_PL_RAKP2, &rmcpp_rakp2_layout, &r, 0);
}

static void fake_recv_rakp3(struct fake *f)
{
    CU_ASSERT_EQUAL_FATAL(fake_recv(f), 0);
    CU_ASSERT_EQUAL_FATAL(f->pkt.ptype, RMCPP_PL_RAKP3);
}

static void fake_rakp4(struct fake *f, bool genuine)
{
    struct rmcpp_keys k = {0};
    uint8_t in[128];
    size_t n = rmcpp_sik_input(in, f->rm, f->rc, f->role, (const uint8_t *)"admin", 5);
    CU_ASSERT_FATAL(
        rmcpp_derive_keys(&k, f->suite, (const uint8_t *)PASSWORD, strlen(PASSWORD), in, n) == 0);
    struct rmcpp_rakp4 r = {.tag = f->tag, .status = 0, .console_sid = f->console_sid};
    uint8_t mac[32];
    n = rmcpp_rakp4_input(in, f->rm, BMC_SID, f->guid);
    CU_ASSERT_FATAL(rmcpp_hmac(f->suite->auth, k.sik, k.sik_len, in, n, mac) > 0);
    memcpy(r.icv, mac, f->suite->icv_len);
    r.icv_len = f->suite->icv_len;
    if (!genuine)
        r.icv[0] ^= 0x01;
    fake_send_setup(f, RMCPP_PL_RAKP4, &rmcpp_rakp4_layout, &r, 0);
    if (genuine) {
        rmcpp_keys_clear(&f->keys);
        f->keys = k;
    } else {
        rmcpp_keys_clear(&k);
    }
}

/* Set Session Privilege Level: the session is up after our answer. */
static void fake_setpriv(struct fake *f)
{
    CU_ASSERT_EQUAL_FATAL(fake_recv(f), 0);
    CU_ASSERT_EQUAL_FATAL(ipmi_cmd_of(f), IPMI_CMD_SET_SESSION_PRIV);
    uint8_t rsp[2] = {0x00, 0x02};
    fake_answer_ipmi(f, true, rsp, sizeof(rsp), ++f->out_seq);
}

/* The rest of a login once the Open Session Request is in: accepted,
 * genuine RAKP 2 and 4, privilege set; the session is up. */
static void fake_finish_login(struct fake *f)
{
    fake_open_rsp(f, 0, 0);
    fake_recv_rakp1(f);
    fake_rakp2(f, true);
    fake_recv_rakp3(f);
    fake_rakp4(f, true);
    fake_setpriv(f);
    CU_ASSERT_EQUAL_FATAL(bmc_state(f->b), BMC_S_ACTIVE);
}

/* One whole session establishment at the suite the bridge proposes first. */
static void fake_login(struct fake *f)
{
    fake_authcap(f);
    CU_ASSERT_FATAL(fake_recv_open(f) >= 0);
    fake_finish_login(f);
}

static void run_until_state(struct fake *f, enum bmc_state s)
{
    for (int i = 0; i < 4000 && bmc_state(f->b) != s; i++)
        ev_run_once(f->loop, 5);
}

struct got {
    int n;
    enum bmc_error err;
    uint8_t cc;
};

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct got *g = arg;
    g->n++;
    g->err = rsp->err;
    g->cc = rsp->cc;
}

/* ---- defect 2: suites and spoofed Open Session replies ------------------- */

/* A 2-byte Open Session reply (tag + status 11h, no session ID) must not
 * move the BMC to another suite: anyone can send it. */
static void test_short_open_reply_ignored(void)
{
    struct fake f;
    const uint8_t suites[] = {17, 3};
    fake_open(&f, suites, 2, 200, 3);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
    fake_open_rsp(&f, 0x11, 2); /* the spoof: right tag, no session ID */
    CU_ASSERT_EQUAL(bmc_suite(f.b), 17);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_OPEN);
    /* what follows is the retransmission for suite 17, not a proposal of 3 */
    CU_ASSERT_EQUAL(fake_recv_open(&f), 17);
    /* a refusal that names our session ID is believed: next suite */
    fake_open_rsp(&f, 0x11, 8);
    CU_ASSERT_EQUAL(fake_recv_open(&f), 3);
    fake_close(&f);
}

/* The same spoof through the test hook, once the session is being set up
 * with suite 17: fed 200 times with every tag value, nothing changes. */
static void test_short_open_reply_any_tag(void)
{
    struct fake f;
    const uint8_t suites[] = {17, 3};
    fake_open(&f, suites, 2, 5000, 3);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
    uint8_t pkt[64];
    enum codec_err e;
    for (unsigned tag = 0; tag < 256; tag++) {
        uint8_t body[2] = {(uint8_t)tag, 0x11};
        ssize_t n =
            rmcpp_encode(pkt, sizeof(pkt), RMCPP_PL_OPEN_RSP, 0, 0, NULL, NULL, body, 2, &e);
        CU_ASSERT_FATAL(n > 0);
        bmc_feed(f.b, pkt, (size_t)n);
    }
    CU_ASSERT_EQUAL(bmc_suite(f.b), 17);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_OPEN);
    fake_close(&f);
}

/* Tags and remote-console session IDs are random and never 0 (a blind
 * spoofer cannot guess them from a counter). */
static void test_random_ids(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 200, 3);
    uint8_t tags[6];
    uint32_t sids[6];
    for (int i = 0; i < 6; i++) {
        bmc_connect(f.b);
        fake_authcap(&f);
        CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
        tags[i] = f.tag;
        sids[i] = f.console_sid;
        CU_ASSERT_NOT_EQUAL(f.console_sid, 0);
        CU_ASSERT_NOT_EQUAL(f.tag, 0);
        fake_open_rsp(&f, 0x01, 8); /* no resources: the attempt fails */
        CU_ASSERT_EQUAL_FATAL(bmc_state(f.b), BMC_S_FAILED);
    }
    int tag_steps = 0, sid_low_same = 0;
    for (int i = 1; i < 6; i++) {
        tag_steps += tags[i] == (uint8_t)(tags[i - 1] + 1);
        sid_low_same += (sids[i] & 0xffffff) == (sids[0] & 0xffffff);
    }
    CU_ASSERT(tag_steps < 5);
    CU_ASSERT(sid_low_same < 5);
    fake_close(&f);
}

/* With {17, 3}: a BMC that worked with 3 and now refuses it is tried with
 * 17 again (circularly from the remembered suite), not given up. */
static void test_suites_circular(void)
{
    struct fake f;
    const uint8_t suites[] = {17, 3};
    fake_open(&f, suites, 2, 300, 1);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
    fake_open_rsp(&f, 0x11, 8);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 3);
    fake_finish_login(&f);
    CU_ASSERT_EQUAL(bmc_suite(f.b), 3);

    /* the BMC forgets the session and now offers only 17: our request goes
     * unanswered, the session is re-established from the remembered 3 */
    struct got g = {0};
    CU_ASSERT_EQUAL_FATAL(
        bmc_request(f.b, IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, NULL, 0, on_rsp, &g), 0);
    rmcpp_keys_clear(&f.keys);
    static const uint8_t rsp[] = {0x00, 0x01, 0x80, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00};
    bool authcap = false;
    for (int i = 0; i < 20 && !authcap; i++) { /* the request and its retransmissions first */
        authcap = fake_recv(&f) == 0 && f.pkt.auth_type == 0x00;
        if (authcap && bmc_state(f.b) == BMC_S_ACTIVE) { /* a liveness probe: answered */
            fake_answer_ipmi(&f, false, rsp, sizeof(rsp), 0);
            authcap = false;
        }
    }
    CU_ASSERT_FATAL(authcap); /* session-less: the new Get Channel Auth Capabilities */
    fake_answer_ipmi(&f, false, rsp, sizeof(rsp), 0);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 3);
    fake_open_rsp(&f, 0x11, 8);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
    fake_finish_login(&f);
    CU_ASSERT_EQUAL(bmc_suite(f.b), 17);
    fake_close(&f);
}

/* ---- defect 4: unverifiable RAKP 2 / RAKP 4 ------------------------------ */

static void test_bad_rakp2_dropped(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 5000, 3);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
    fake_open_rsp(&f, 0, 0);
    fake_recv_rakp1(&f);
    fake_rakp2(&f, false); /* spoofed first */
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_RAKP1);
    CU_ASSERT_EQUAL(bmc_last_error(f.b), BMC_E_NONE);
    CU_ASSERT_EQUAL(bmc_counters(f.b)->rakp_rejected, 1);
    CU_ASSERT_EQUAL(bmc_counters(f.b)->auth_failures, 0);
    fake_rakp2(&f, true); /* then the genuine one */
    fake_recv_rakp3(&f);
    fake_rakp4(&f, true);
    fake_setpriv(&f);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_ACTIVE);
    fake_close(&f);
}

static void test_bad_rakp4_dropped(void)
{
    struct fake f;
    const uint8_t suites[] = {3};
    fake_open(&f, suites, 1, 5000, 3);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 3);
    fake_open_rsp(&f, 0, 0);
    fake_recv_rakp1(&f);
    fake_rakp2(&f, true);
    fake_recv_rakp3(&f);
    fake_rakp4(&f, false);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_RAKP3);
    CU_ASSERT_EQUAL(bmc_counters(f.b)->rakp_rejected, 1);
    fake_rakp4(&f, true);
    fake_setpriv(&f);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_ACTIVE);
    fake_close(&f);
}

/* Only bad RAKP 2s until the step runs out: that is a wrong password. */
static void test_only_bad_rakp2_auth_failed(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 20, 2);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
    fake_open_rsp(&f, 0, 0);
    for (int i = 0; i < 10 && bmc_state(f.b) == BMC_S_RAKP1; i++) {
        fake_rakp2(&f, false);
        if (fake_recv(&f) < 0 || f.pkt.ptype != RMCPP_PL_RAKP1)
            break;
    }
    run_until_state(&f, BMC_S_FAILED);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_FAILED);
    CU_ASSERT_EQUAL(bmc_last_error(f.b), BMC_E_AUTH_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(bmc_error_text(f.b), "RAKP 2 key exchange authentication code"));
    CU_ASSERT_PTR_NOT_NULL(strstr(bmc_error_text(f.b), "fake1"));
    CU_ASSERT_EQUAL(bmc_counters(f.b)->auth_failures, 1);
    fake_close(&f);
}

/* 300 spoofed RAKP 2s (more than a byte counts) and nothing else: still
 * auth_failed when the step runs out. */
static void test_rakp2_flood_auth_failed(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 20, 1);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 17);
    fake_open_rsp(&f, 0, 0);
    fake_recv_rakp1(&f);
    f.feed = true;
    for (int i = 0; i < 300; i++)
        fake_rakp2(&f, false);
    CU_ASSERT_EQUAL(bmc_counters(f.b)->rakp_rejected, 300);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_RAKP1);
    run_until_state(&f, BMC_S_FAILED);
    CU_ASSERT_EQUAL(bmc_last_error(f.b), BMC_E_AUTH_FAILED);
    fake_close(&f);
}

/* A BMC that refuses our retransmitted RAKP 1 after a RAKP 2 that did not
 * verify: the verdict is the failed check (auth_failed), not the refusal. */
static void test_bad_rakp2_then_refusal(void)
{
    struct fake f;
    const uint8_t suites[] = {3};
    fake_open(&f, suites, 1, 5000, 3);
    bmc_connect(f.b);
    fake_authcap(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv_open(&f), 3);
    fake_open_rsp(&f, 0, 0);
    fake_recv_rakp1(&f);
    fake_rakp2(&f, false);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_RAKP1);
    struct rmcpp_rakp2 r = {.tag = f.tag, .status = 0x02, .console_sid = f.console_sid};
    fake_send_setup(&f, RMCPP_PL_RAKP2, &rmcpp_rakp2_layout, &r, 8);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_FAILED);
    CU_ASSERT_EQUAL(bmc_last_error(f.b), BMC_E_AUTH_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(bmc_error_text(f.b), "does not verify"));
    fake_close(&f);
}

/* ---- defect 3: suite 1 only when allowed --------------------------------- */

static void test_suite1_needs_allow(void)
{
    struct fake f;
    const uint8_t suites[] = {3};
    fake_open(&f, suites, 1, 5000, 3);
    char err[256] = "";
    struct cfg_bmc c = f.cfg; /* a second BMC, listing 1 */
    snprintf(c.address, sizeof(c.address), "127.0.0.2");
    c.suites[1] = 1;
    c.nsuites = 2;
    CU_ASSERT_PTR_NULL(poller_add(f.p, &c, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cipher suite 1 not allowed"));
    c.allow_suite1 = true;
    CU_ASSERT_PTR_NOT_NULL(poller_add(f.p, &c, err, sizeof(err)));
    fake_close(&f);
}

/* ---- the address table: lookups after growth and removals ---------------- */

static void test_address_table(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 5000, 3);
    enum { N = 300 };
    static struct cfg_bmc c[N]; /* a BMC keeps a pointer to its configuration */
    struct bmc *b[N];
    char err[256] = "";
    for (int i = 0; i < N; i++) {
        c[i] = f.cfg;
        snprintf(c[i].name, sizeof(c[i].name), "t%d", i);
        snprintf(c[i].address, sizeof(c[i].address), "127.0.%d.%d", i % 3, 1 + i % 7);
        c[i].port = (uint16_t)(20000 + i);
        b[i] = poller_add(f.p, &c[i], err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(b[i]);
    }
    CU_ASSERT_EQUAL(poller_count(f.p), N + 1);
    for (int i = 0; i < N; i += 2)
        poller_remove(f.p, b[i]);
    CU_ASSERT_EQUAL(poller_count(f.p), N + 1 - N / 2);
    /* every address still there is found (refused again); every removed one is not */
    struct cfg_bmc d[N];
    for (int i = 0; i < N; i++) {
        d[i] = c[i];
        snprintf(d[i].name, sizeof(d[i].name), "u%d", i);
        struct bmc *x = poller_add(f.p, &d[i], err, sizeof(err));
        if (i % 2) {
            CU_ASSERT_PTR_NULL(x);
            CU_ASSERT_PTR_NOT_NULL(strstr(err, "already used"));
        } else {
            CU_ASSERT_PTR_NOT_NULL(x);
            if (x)
                poller_remove(f.p, x);
        }
    }
    CU_ASSERT_EQUAL(poller_count(f.p), N + 1 - N / 2);
    fake_close(&f);
}

/* ---- defect 5: inbound sequence numbers across FFFFFFFFh ----------------- */

static void test_seq_wrap_in_session(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 5000, 3);
    f.out_seq = 0xffffffefu; /* Set Session Privilege Level is answered with FFFFFFF0h */
    bmc_connect(f.b);
    fake_login(&f);
    /* the BMC's outbound numbers reach the top, skip 0, go on at 1 */
    static const uint32_t seqs[] = {0xfffffffdu, 0xfffffffeu, 0xffffffffu, 1, 2};
    static const uint8_t devid[] = {0x00, 0x20, 0x01, 0x09, 0x08, 0x02,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        struct got g = {0};
        CU_ASSERT_EQUAL_FATAL(
            bmc_request(f.b, IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, NULL, 0, on_rsp, &g), 0);
        CU_ASSERT_EQUAL_FATAL(fake_recv(&f), 0);
        CU_ASSERT_EQUAL_FATAL(ipmi_cmd_of(&f), IPMI_CMD_GET_DEVICE_ID);
        fake_answer_ipmi(&f, true, devid, sizeof(devid), seqs[i]);
        CU_ASSERT_EQUAL(g.n, 1);
        CU_ASSERT_EQUAL(g.err, BMC_E_NONE);
    }
    CU_ASSERT_EQUAL(bmc_counters(f.b)->replays, 0);
    CU_ASSERT_EQUAL(bmc_counters(f.b)->retransmits, 0);
    fake_close(&f);
}

/* ---- session liveness: a rebooted BMC (src/poll/bmc.c "session liveness") -- */

static const uint8_t authcap_rsp[] = {0x00, 0x01, 0x80, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00};
static const uint8_t devid_rsp[] = {0x00, 0x20, 0x01, 0x09, 0x08, 0x02,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

/* A session up (timeout 200 ms: the login holds on a loaded machine; 4
 * retries) and one Get Device ID queued in it. */
static void open_with_request(struct fake *f, struct got *g)
{
    const uint8_t suites[] = {17};
    fake_open(f, suites, 1, 200, 4);
    bmc_connect(f->b);
    fake_login(f);
    CU_ASSERT_EQUAL_FATAL(
        bmc_request(f->b, IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, NULL, 0, on_rsp, g), 0);
}

/* Receive until a Get Channel Authentication Capabilities comes; the session
 * packets before it are counted in *nsession.  0, or -1 if none came. */
static int recv_until_authcap(struct fake *f, unsigned *nsession)
{
    for (int i = 0; i < 64; i++) {
        if (fake_recv(f) < 0)
            return -1;
        if (f->pkt.auth_type == 0 && ipmi_cmd_of(f) == IPMI_CMD_GET_CHANNEL_AUTH_CAP)
            return 0;
        if (f->pkt.session_id != 0)
            (*nsession)++;
    }
    return -1;
}

/* The BMC reboots: it answers session-less requests, the session never.
 * The request unanswered is followed by a probe; its answer makes the
 * session count as lost once the usual attempts are spent; the session is
 * opened again and the request answered in it, its callback run once. */
static void test_session_lost_probe(void)
{
    struct fake f;
    struct got g = {0};
    open_with_request(&f, &g);
    const struct bmc_counters *c = bmc_counters(f.b);
    unsigned nsess = 0;
    CU_ASSERT_EQUAL_FATAL(recv_until_authcap(&f, &nsess), 0);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_ACTIVE); /* a probe, not a login */
    CU_ASSERT(nsess >= 1);
    CU_ASSERT_EQUAL(c->probes, 1);
    fake_answer_ipmi(&f, false, authcap_rsp, sizeof(authcap_rsp), 0);
    CU_ASSERT_EQUAL(c->probe_answers, 1);
    CU_ASSERT_EQUAL(c->sessions_lost, 0);
    /* the session stays silent: the request's attempts run out, then a login */
    CU_ASSERT_EQUAL_FATAL(recv_until_authcap(&f, &nsess), 0);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_AUTHCAP);
    CU_ASSERT_EQUAL(nsess, 5); /* retries + 1: the same evidence as without a probe */
    CU_ASSERT_EQUAL(c->sessions_lost, 1);
    CU_ASSERT_EQUAL(c->reopens, 1);
    CU_ASSERT_EQUAL(c->probes, 1); /* none after the answer */
    CU_ASSERT_EQUAL(g.n, 0);       /* the request waits for the new session */
    rmcpp_keys_clear(&f.keys);     /* the rebooted BMC's side: no session */
    fake_answer_ipmi(&f, false, authcap_rsp, sizeof(authcap_rsp), 0);
    CU_ASSERT_FATAL(fake_recv_open(&f) >= 0);
    fake_finish_login(&f);
    CU_ASSERT_EQUAL_FATAL(fake_recv(&f), 0);
    CU_ASSERT_EQUAL_FATAL(ipmi_cmd_of(&f), IPMI_CMD_GET_DEVICE_ID);
    fake_answer_ipmi(&f, true, devid_rsp, sizeof(devid_rsp), ++f.out_seq);
    CU_ASSERT_EQUAL(g.n, 1);
    CU_ASSERT_EQUAL(g.err, BMC_E_NONE);
    CU_ASSERT_EQUAL(c->sessions_opened, 2);
    fake_close(&f);
}

/* A slow BMC: the probe is answered, and so, late, is the request's first
 * transmission.  A late answer is session traffic: the session is alive,
 * so running out of attempts is the old "no answer" reopen, not a lost
 * session, and no second probe goes out for that request. */
static void test_late_answer_not_lost(void)
{
    struct fake f;
    struct got g = {0};
    open_with_request(&f, &g);
    const struct bmc_counters *c = bmc_counters(f.b);
    CU_ASSERT_EQUAL_FATAL(fake_recv(&f), 0);
    CU_ASSERT_EQUAL_FATAL(ipmi_cmd_of(&f), IPMI_CMD_GET_DEVICE_ID);
    struct rmcpp_pkt first = f.pkt;
    uint8_t first_pl[sizeof(f.pl)];
    memcpy(first_pl, f.pl, sizeof(f.pl));
    unsigned nsess = 0;
    CU_ASSERT_EQUAL_FATAL(recv_until_authcap(&f, &nsess), 0);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_ACTIVE);
    fake_answer_ipmi(&f, false, authcap_rsp, sizeof(authcap_rsp), 0);
    CU_ASSERT_EQUAL(c->probe_answers, 1);
    /* the first transmission's answer, late: its rqSeq is no longer wanted */
    uint64_t stray = c->stray_packets;
    f.pkt = first;
    memcpy(f.pl, first_pl, sizeof(f.pl));
    fake_answer_ipmi(&f, true, devid_rsp, sizeof(devid_rsp), ++f.out_seq);
    CU_ASSERT_EQUAL(c->stray_packets, stray + 1);
    CU_ASSERT_EQUAL(g.n, 0);
    CU_ASSERT_EQUAL_FATAL(recv_until_authcap(&f, &nsess), 0);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_AUTHCAP);
    CU_ASSERT_EQUAL(c->sessions_lost, 0);
    CU_ASSERT_EQUAL(c->reopens, 1);
    CU_ASSERT_EQUAL(c->probes, 1);
    fake_close(&f);
}

/* ---- poller_close_all() is final ------------------------------------------- */

struct requeue {
    struct bmc *b;
    int calls, rc;
    enum bmc_error err;
};

static void on_rsp_requeue(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    struct requeue *q = arg;
    q->calls++;
    q->err = rsp->err;
    /* a reader answering an error with its next request (bounded: without
     * a final close, fail_all() would fail and requeue it for ever) */
    if (q->calls < 3)
        q->rc = bmc_request(b, IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, NULL, 0, on_rsp_requeue, q);
}

static void on_closed(struct bmc *b, void *arg)
{
    (void)b;
    (*(int *)arg)++;
}

static void test_close_all_final(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 50, 2);
    struct requeue q = {.b = f.b};
    CU_ASSERT_EQUAL_FATAL(
        bmc_request(f.b, IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, NULL, 0, on_rsp_requeue, &q), 0);
    CU_ASSERT_EQUAL_FATAL(fake_recv(&f), 0); /* the login began */
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_AUTHCAP);
    int closed = 0;
    poller_close_all(f.p, on_closed, &closed);
    CU_ASSERT_EQUAL(closed, 1);
    CU_ASSERT_EQUAL(q.calls, 1);
    CU_ASSERT_EQUAL(q.err, BMC_E_CLOSED);
    CU_ASSERT_EQUAL(q.rc, -1); /* refused: no new session after the close */
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_FAILED);
    bmc_connect(f.b);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_FAILED);
    /* nothing more is sent, no timer is left */
    uint64_t tx = bmc_counters(f.b)->tx_packets;
    for (int i = 0; i < 40; i++)
        ev_run_once(f.loop, 5);
    CU_ASSERT_EQUAL(bmc_counters(f.b)->tx_packets, tx);
    CU_ASSERT_EQUAL(ev_timer_count(f.loop), 0);
    CU_ASSERT_EQUAL(q.calls, 1);
    fake_close(&f);
}

/* ---- session-less requests (pet-acknowledge = sessionless) ---------------- */

static void test_sessionless(void)
{
    struct fake f;
    const uint8_t suites[] = {17};
    fake_open(&f, suites, 1, 5000, 3);
    static const uint8_t ack[12] = {0x34, 0x12, 0x00, 0xde, 0xe1, 0x30,
                                    0x20, 0x20, 0x01, 0x59, 0x5f, 0x5a};
    CU_ASSERT_EQUAL_FATAL(bmc_send_sessionless(f.b, 0x04, 0x17, ack, sizeof(ack)), 0);
    CU_ASSERT_EQUAL_FATAL(fake_recv(&f), 0);
    /* IPMI 1.5 header, auth type none, session 0, sequence 0: no session at all */
    CU_ASSERT(f.pkt.auth_type == 0 && f.pkt.session_id == 0 && f.pkt.seq == 0);
    struct ipmi_lan_msg m;
    enum codec_err e;
    CU_ASSERT_EQUAL_FATAL(ipmi_lan_decode(f.pkt.payload, f.pkt.plen, &m, &e), 0);
    CU_ASSERT(m.dst_addr == IPMI_BMC_SLAVE_ADDR && m.netfn == 0x04 && m.cmd == 0x17);
    CU_ASSERT(m.dlen == sizeof(ack) && memcmp(m.data, ack, sizeof(ack)) == 0);
    CU_ASSERT_EQUAL(bmc_state(f.b), BMC_S_IDLE); /* no login started for it */

    const struct bmc_counters *c = bmc_counters(f.b);
    static const uint8_t ok[] = {0x00}, refused[] = {0xc1};
    fake_answer_ipmi(&f, false, ok, sizeof(ok), 0);
    CU_ASSERT_EQUAL(c->sessionless_sent, 1);
    CU_ASSERT_EQUAL(c->sessionless_answered, 1);
    CU_ASSERT_EQUAL(c->sessionless_refused, 0);
    CU_ASSERT_EQUAL(c->stray_packets, 0);
    /* the same answer again: matched already, stray */
    fake_answer_ipmi(&f, false, ok, sizeof(ok), 0);
    CU_ASSERT_EQUAL(c->sessionless_answered, 1);
    CU_ASSERT_EQUAL(c->stray_packets, 1);

    /* a refusal is counted as answered and refused */
    CU_ASSERT_EQUAL_FATAL(bmc_send_sessionless(f.b, 0x04, 0x17, ack, sizeof(ack)), 0);
    CU_ASSERT_EQUAL_FATAL(fake_recv(&f), 0);
    fake_answer_ipmi(&f, false, refused, sizeof(refused), 0);
    CU_ASSERT_EQUAL(c->sessionless_sent, 2);
    CU_ASSERT_EQUAL(c->sessionless_answered, 2);
    CU_ASSERT_EQUAL(c->sessionless_refused, 1);

    /* fire and forget: no retransmission, no session, nothing more sent */
    uint64_t tx = c->tx_packets;
    for (int i = 0; i < 20; i++)
        ev_run_once(f.loop, 5);
    CU_ASSERT_EQUAL(c->tx_packets, tx);
    CU_ASSERT_EQUAL(c->retransmits, 0);
    CU_ASSERT_EQUAL(c->sessions_opened, 0);
    /* too large: refused, nothing sent */
    uint8_t big[300] = {0};
    CU_ASSERT_EQUAL(bmc_send_sessionless(f.b, 0x04, 0x17, big, sizeof(big)), -1);
    CU_ASSERT_EQUAL(c->sessionless_sent, 2);
    fake_close(&f);
}

int main(void)
{
    static CU_TestInfo tests[] = {
        {"short Open Session reply does not change suites", test_short_open_reply_ignored},
        {"short Open Session reply with any tag, via bmc_feed", test_short_open_reply_any_tag},
        {"random tags and console session IDs", test_random_ids},
        {"suites tried circularly from the remembered one", test_suites_circular},
        {"spoofed RAKP 2 dropped, genuine one accepted", test_bad_rakp2_dropped},
        {"spoofed RAKP 4 dropped, genuine one accepted", test_bad_rakp4_dropped},
        {"only bad RAKP 2s: auth_failed", test_only_bad_rakp2_auth_failed},
        {"300 bad RAKP 2s: still auth_failed", test_rakp2_flood_auth_failed},
        {"bad RAKP 2, then a refusal: auth_failed", test_bad_rakp2_then_refusal},
        {"suite 1 needs allow_suite1", test_suite1_needs_allow},
        {"address table: found after growth and removals", test_address_table},
        {"inbound sequence numbers wrap", test_seq_wrap_in_session},
        {"session-less request: sent once, answer counted, no session", test_sessionless},
        {"rebooted BMC: probe answered, session lost, reopened, request answered",
         test_session_lost_probe},
        {"late answer in the session: not counted as a lost session", test_late_answer_not_lost},
        {"poller_close_all() is final: a callback cannot start a session", test_close_all_final},
        CU_TEST_INFO_NULL,
    };
    static CU_SuiteInfo suites[] = {
        {"bmc", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_bmc", suites);
}
