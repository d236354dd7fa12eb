/*
 * bmcsim_rmcp.c - the BMC side of IPMI 2.0 RMCP+ for one simulated BMC:
 * session-less commands (IPMI 1.5 and RMCP+ framing), Open Session,
 * RAKP 1-4, and in-session IPMI requests.  Framing, integrity, AES and the
 * RAKP HMAC inputs all come from the project codec (src/rmcpp.h); this file
 * only decides what a BMC answers.
 */
#include "bmcsim.h"

#include <stdlib.h>
#include <string.h>

#include "asf.h"
#include "ipmi_msg.h"
#include "log.h"

#define PENDING_TIMEOUT_S 10 /* a half-open session (no RAKP 3 yet) */

/* IPMI 2.0 Table 13-15, RMCP+ and RAKP message status codes */
enum {
    RS_OK = 0x00,
    RS_NO_RESOURCES = 0x01,
    RS_INVALID_SID = 0x02,
    RS_INVALID_ROLE = 0x09,
    RS_UNAUTH_ROLE = 0x0a,
    RS_INVALID_NAME_LEN = 0x0c,
    RS_UNAUTH_NAME = 0x0d,
    RS_INVALID_ICV = 0x0f,
    RS_NO_SUITE = 0x11,
};

/* App / Sensor commands answered here rather than by the content module */
enum {
    CMD_PET_ACK = 0x17,          /* Sensor/Event netfn, IPMI 2.0 section 30.8 */
    CMD_CHASSIS_CONTROL = 0x02,  /* Chassis netfn, section 28.3 */
    CMD_CHASSIS_IDENTIFY = 0x04, /* section 28.5 */
    CMD_SET_BOOT_OPTIONS = 0x08, /* section 28.12 */
};

/* A fault decided on input: the reply to this datagram is lost. */
static bool drop_reply;

/* ---- helpers ---------------------------------------------------------- */

static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Look at an RMCP+ header only far enough to find the session ID, so that
 * the right keys can be handed to rmcpp_decode(), which validates the rest.
 * RMCP(4) authtype(1) ptype(1) [OEM IANA(4) OEM payload(2)] session ID(4).
 */
static int peek_session_id(const uint8_t *p, size_t len, uint32_t *sid)
{
    size_t off = 6;
    if (len < 4 + 1 + 1 + 4)
        return -1;
    if ((p[5] & 0x3f) == RMCPP_PL_OEM)
        off += 6;
    if (len < off + 4)
        return -1;
    *sid = rd32le(p + off);
    return 0;
}

static struct session *sess_find(struct bmc *b, uint32_t bmc_sid)
{
    if (!b->sess || bmc_sid == 0)
        return NULL;
    for (unsigned i = 0; i < b->fleet->session_limit; i++)
        if (b->sess[i].state != SS_FREE && b->sess[i].bmc_sid == bmc_sid)
            return &b->sess[i];
    return NULL;
}

/* Logins in progress fleet-wide (Open Session answered, RAKP 3 not yet
 * accepted): what an admission-control test compares with its cap. */
static void login_pending(struct fleet *f, int delta)
{
    if (delta > 0 && ++f->logins_pending > f->logins_pending_max)
        f->logins_pending_max = f->logins_pending;
    if (delta < 0 && f->logins_pending)
        f->logins_pending--;
}

static void sess_free(struct bmc *b, struct session *s)
{
    if (s->state == SS_OPEN || s->state == SS_RAKP2)
        login_pending(b->fleet, -1);
    /* keys are test material, but clear them anyway: habits matter */
    memset(s, 0, sizeof(*s));
}

static bool sess_expired(const struct fleet *f, const struct session *s, uint64_t now)
{
    uint64_t limit = f->session_timeout_s;
    if (s->state != SS_ACTIVE && limit > PENDING_TIMEOUT_S)
        limit = PENDING_TIMEOUT_S;
    return now - s->last_s > limit;
}

/* Free idle sessions (IPMI 2.0 section 6.12.15: session inactivity timeout). */
static void sess_reap(struct bmc *b, uint64_t now)
{
    if (!b->sess)
        return;
    for (unsigned i = 0; i < b->fleet->session_limit; i++) {
        struct session *s = &b->sess[i];
        if (s->state != SS_FREE && sess_expired(b->fleet, s, now)) {
            if (s->state == SS_ACTIVE)
                b->c.sessions_expired++;
            else
                b->c.sessions_abandoned++; /* e.g. the console disliked our RAKP 2 */
            sess_free(b, s);
        }
    }
}

static struct session *sess_alloc(struct bmc *b, uint64_t now)
{
    struct fleet *f = b->fleet;
    if (!b->sess) {
        b->sess = calloc(f->session_limit, sizeof(*b->sess));
        if (!b->sess)
            return NULL;
    }
    sess_reap(b, now);
    for (unsigned i = 0; i < f->session_limit; i++) {
        struct session *s = &b->sess[i];
        if (s->state != SS_FREE)
            continue;
        uint32_t sid;
        do { /* non-zero and unique within this BMC */
            sid = (uint32_t)bs_rand(&b->rng);
        } while (sid == 0 || sess_find(b, sid));
        memset(s, 0, sizeof(*s));
        s->bmc_sid = sid;
        s->last_s = (uint32_t)now;
        return s;
    }
    return NULL;
}

uint32_t bmc_sessions_active(const struct bmc *b)
{
    uint32_t n = 0;
    if (!b->sess)
        return 0;
    for (unsigned i = 0; i < b->fleet->session_limit; i++)
        n += b->sess[i].state == SS_ACTIVE;
    return n;
}

void bmc_drop_sessions(struct bmc *b)
{
    for (unsigned i = 0; b->sess && i < b->fleet->session_limit; i++)
        if (b->sess[i].state == SS_OPEN || b->sess[i].state == SS_RAKP2)
            login_pending(b->fleet, -1);
    free(b->sess);
    b->sess = NULL;
}

/* Inbound sequence number check with a 32-wide sliding window
 * (IPMI 2.0 section 6.12: up to 15 ahead of the highest seen, 16 behind). */
static bool seq_accept(struct session *s, uint32_t seq)
{
    if (seq == 0)
        return false;
    if (s->in_hi == 0) {
        s->in_hi = seq;
        s->in_mask = 0;
        return true;
    }
    if (seq > s->in_hi) {
        uint32_t d = seq - s->in_hi;
        if (d > 15)
            return false;
        s->in_mask = (s->in_mask << d) | (1u << (d - 1));
        s->in_hi = seq;
        return true;
    }
    uint32_t back = s->in_hi - seq;
    if (back == 0 || back > 16)
        return false;
    uint32_t bit = 1u << (back - 1);
    if (s->in_mask & bit)
        return false;
    s->in_mask |= bit;
    return true;
}

/* ---- output ----------------------------------------------------------- */

static void reply(struct bmc *b, const struct sockaddr_in *to, const uint8_t *pkt, ssize_t len,
                  bool session_traffic)
{
    if (len <= 0)
        return;
    if (drop_reply)
        return; /* counted when decided */
    bmc_send(b, to, pkt, (size_t)len, session_traffic);
}

/* Send a pre-session RMCP+ payload (Open Session Response, RAKP 2/4). */
static void reply_presession(struct bmc *b, const struct sockaddr_in *to, uint8_t ptype,
                             const uint8_t *payload, size_t plen)
{
    uint8_t out[RMCPP_MAX_PACKET];
    enum codec_err err = CODEC_OK;
    ssize_t n = rmcpp_encode(out, sizeof(out), ptype, 0, 0, NULL, NULL, payload, plen, &err);
    if (n < 0) {
        log_warn("bmc %u: cannot encode %s: %s", b->index, rmcpp_payload_name(ptype),
                 codec_err_name(err));
        return;
    }
    reply(b, to, out, n, false);
}

/* ---- session-less and in-session IPMI commands ------------------------ */

/* Get Channel Authentication Capabilities (IPMI 2.0 section 22.13) */
static size_t cmd_authcap(const struct ipmi_lan_msg *m, uint8_t *rsp, size_t cap)
{
    struct ipmi_authcap_rsp r;
    enum codec_err err;
    memset(&r, 0, sizeof(r));
    if (m->dlen < 2) {
        rsp[0] = IPMI_CC_REQUEST_LENGTH_INVALID;
        return 1;
    }
    uint8_t chan = m->data[0] & 0x0f;
    if (chan != 0x0e && chan != 0x01) {
        rsp[0] = IPMI_CC_INVALID_DATA_FIELD;
        return 1;
    }
    r.cc = IPMI_CC_OK;
    r.channel = 0x01;
    /* No IPMI 1.5 session auth types: this BMC speaks RMCP+ only.  Bit 7
     * tells a 2.0-aware client to look at the extended capabilities. */
    r.auth_types = (m->data[0] & 0x80) ? 0x80 : 0x00;
    r.status = 0x04;   /* non-null user names enabled; K_G all zero */
    r.ext_caps = 0x02; /* channel supports IPMI 2.0 connections */
    ssize_t n = layout_encode(&ipmi_authcap_rsp_layout, &r, rsp, cap, &err);
    if (n < 0) {
        rsp[0] = IPMI_CC_UNSPECIFIED;
        return 1;
    }
    return (size_t)n;
}

/* Get Channel Cipher Suites (IPMI 2.0 section 22.15, records per Table 22-18) */
static size_t cmd_ciphers(const struct fleet *f, const struct ipmi_lan_msg *m, uint8_t *rsp,
                          size_t cap)
{
    uint8_t recs[8 * 5];
    size_t nrec = 0;
    if (m->dlen < 3) {
        rsp[0] = IPMI_CC_REQUEST_LENGTH_INVALID;
        return 1;
    }
    if (cap < 2 + 16)
        return 0;
    for (size_t i = 0; i < f->nsuites; i++) {
        const struct rmcpp_suite *s = rmcpp_suite_get(f->suites[i]);
        if (!s)
            continue;
        recs[nrec++] = 0xc0; /* standard cipher suite record */
        recs[nrec++] = s->id;
        recs[nrec++] = (uint8_t)(0x00 | s->auth);
        recs[nrec++] = (uint8_t)(0x40 | s->integ);
        recs[nrec++] = (uint8_t)(0x80 | s->conf);
    }
    size_t index = m->data[2] & 0x3f;
    size_t start = index * 16;
    size_t n = start < nrec ? nrec - start : 0;
    if (n > 16)
        n = 16;
    rsp[0] = IPMI_CC_OK;
    rsp[1] = 0x01;
    if (n)
        memcpy(rsp + 2, recs + start, n);
    return 2 + n;
}

/* Set Session Privilege Level (IPMI 2.0 section 22.18) */
static size_t cmd_setpriv(struct session *s, const struct ipmi_lan_msg *m, uint8_t *rsp)
{
    if (m->dlen < 1) {
        rsp[0] = IPMI_CC_REQUEST_LENGTH_INVALID;
        return 1;
    }
    uint8_t want = m->data[0] & 0x0f;
    if (want == 0) { /* "no change": report the present level */
        rsp[0] = IPMI_CC_OK;
        rsp[1] = s->priv;
        return 2;
    }
    if (want < IPMI_PRIV_USER || want > IPMI_PRIV_OEM) {
        rsp[0] = IPMI_CC_INVALID_DATA_FIELD;
        return 1;
    }
    if (want > (s->role & 0x0f)) {
        rsp[0] = 0x81; /* exceeds the channel / user privilege limit */
        return 1;
    }
    s->priv = want;
    rsp[0] = IPMI_CC_OK;
    rsp[1] = want;
    return 2;
}

/* Close Session (IPMI 2.0 section 22.19); *closing gets the session to free. */
static size_t cmd_close(struct bmc *b, const struct ipmi_lan_msg *m, uint8_t *rsp,
                        struct session **closing)
{
    if (m->dlen < 4) {
        rsp[0] = IPMI_CC_REQUEST_LENGTH_INVALID;
        return 1;
    }
    struct session *t = sess_find(b, rd32le(m->data));
    if (!t || t->state != SS_ACTIVE) {
        rsp[0] = 0x87; /* invalid session ID in request */
        return 1;
    }
    *closing = t;
    rsp[0] = IPMI_CC_OK;
    return 1;
}

/* Chassis commands that change something need OPERATOR (IPMI 2.0 Table G-1:
 * Chassis Control, Chassis Identify, Set System Boot Options). */
static bool chassis_needs_operator(uint8_t cmd)
{
    return cmd == CMD_CHASSIS_CONTROL || cmd == CMD_CHASSIS_IDENTIFY || cmd == CMD_SET_BOOT_OPTIONS;
}

/*
 * Answer one IPMI request.  `s` is NULL outside a session, where only the
 * discovery commands and PET Acknowledge are allowed.  Returns the response
 * data length (0: send nothing).
 */
static size_t dispatch(struct bmc *b, struct session *s, const struct ipmi_lan_msg *m, uint8_t *rsp,
                       size_t cap, struct session **closing)
{
    struct fleet *f = b->fleet;
    const struct faults *fl = bmc_faults(b);

    b->c.requests++;
    bmc_count_cmd(b, m->netfn, m->cmd);

    if (m->netfn == IPMI_NETFN_APP && m->cmd == IPMI_CMD_GET_CHANNEL_AUTH_CAP)
        return cmd_authcap(m, rsp, cap);
    if (m->netfn == IPMI_NETFN_APP && m->cmd == IPMI_CMD_GET_CHANNEL_CIPHER_SUITES)
        return cmd_ciphers(f, m, rsp, cap);
    if (m->netfn == IPMI_NETFN_SENSOR && m->cmd == CMD_PET_ACK) {
        rsp[0] = pet_ack(b, m->data, m->dlen);
        return 1;
    }
    if (!s)
        return 0; /* a real BMC ignores anything else outside a session */
    if (m->netfn == IPMI_NETFN_APP && m->cmd == IPMI_CMD_SET_SESSION_PRIV)
        return cmd_setpriv(s, m, rsp);
    if (m->netfn == IPMI_NETFN_APP && m->cmd == IPMI_CMD_CLOSE_SESSION)
        return cmd_close(b, m, rsp, closing);

    if (m->netfn == IPMI_NETFN_CHASSIS && chassis_needs_operator(m->cmd) &&
        s->priv < IPMI_PRIV_OPERATOR) {
        rsp[0] = IPMI_CC_INSUFFICIENT_PRIVILEGE;
        return 1;
    }
    if (fl->control_c1 && m->netfn == IPMI_NETFN_CHASSIS && m->cmd == CMD_CHASSIS_CONTROL) {
        b->c.faults[FK_CONTROL_C1]++;
        rsp[0] = IPMI_CC_INVALID_COMMAND;
        return 1;
    }
    if (bmc_chance(b, fl->busy)) {
        b->c.faults[FK_BUSY]++;
        rsp[0] = IPMI_CC_NODE_BUSY;
        return 1;
    }
    struct sim_event ev[BMCSIM_MAX_EVENTS];
    size_t nev = 0;
    size_t n = sim_handle(b->st, f->profile, fleet_now_s(f), m->netfn, m->cmd, m->data, m->dlen,
                          rsp, cap, ev, BMCSIM_MAX_EVENTS, &nev);
    if (nev)
        bmc_events(b, ev, nev);
    if (n == 0) {
        rsp[0] = IPMI_CC_UNSPECIFIED;
        n = 1;
    }
    if (n > 1 && bmc_chance(b, fl->truncate)) {
        /* a well-framed but short answer: the client's length checks must catch it */
        n = 1 + (size_t)(bs_rand(&b->rng) % (n - 1));
        b->c.faults[FK_TRUNCATE]++;
    }
    return n;
}

/* Build the LAN response message for request `m` around `data`. */
static ssize_t build_lan_rsp(const struct ipmi_lan_msg *m, const uint8_t *data, size_t dlen,
                             uint8_t *out, size_t cap)
{
    struct ipmi_lan_msg r = {
        .dst_addr = m->src_addr,
        .netfn = (uint8_t)(m->netfn | 1),
        .dst_lun = m->src_lun,
        .src_addr = m->dst_addr,
        .seq = m->seq,
        .src_lun = m->dst_lun,
        .cmd = m->cmd,
        .data = data,
        .dlen = dlen,
    };
    enum codec_err err;
    return ipmi_lan_encode(out, cap, &r, &err);
}

static void sessionless_ipmi(struct bmc *b, const struct sockaddr_in *from,
                             const struct rmcpp_pkt *pkt)
{
    struct ipmi_lan_msg m;
    enum codec_err err;
    uint8_t rsp[RMCPP_MAX_PAYLOAD], lan[RMCPP_MAX_PAYLOAD], out[RMCPP_MAX_PACKET];

    if (ipmi_lan_decode(pkt->payload, pkt->plen, &m, &err) < 0) {
        b->c.bad_packets++;
        return;
    }
    size_t n = dispatch(b, NULL, &m, rsp, sizeof(rsp), NULL);
    if (n == 0)
        return;
    ssize_t ln = build_lan_rsp(&m, rsp, n, lan, sizeof(lan));
    if (ln < 0)
        return;
    ssize_t on;
    if (pkt->auth_type == 0x00) /* answer in the framing it was asked in */
        on = rmcp15_encode(out, sizeof(out), lan, (size_t)ln, &err);
    else
        on = rmcpp_encode(out, sizeof(out), RMCPP_PL_IPMI, 0, 0, NULL, NULL, lan, (size_t)ln, &err);
    reply(b, from, out, on, false);
}

static void in_session(struct bmc *b, struct session *s, const struct sockaddr_in *from,
                       const struct rmcpp_pkt *pkt)
{
    struct fleet *f = b->fleet;
    const struct rmcpp_suite *suite = s->keys.suite;
    struct ipmi_lan_msg m;
    enum codec_err err;
    uint8_t rsp[RMCPP_MAX_PAYLOAD], lan[RMCPP_MAX_PAYLOAD], out[RMCPP_MAX_PACKET];

    /* the session's algorithms are mandatory for every packet in it */
    if ((suite->integ != INTEG_NONE && !pkt->authenticated) ||
        (suite->conf != CONF_NONE && !pkt->encrypted) || pkt->ptype != RMCPP_PL_IPMI) {
        b->c.bad_packets++;
        return;
    }
    if (!seq_accept(s, pkt->seq)) {
        b->c.seq_rejects++;
        return;
    }
    s->last_s = (uint32_t)fleet_now_s(f);
    s->peer = *from;
    if (ipmi_lan_decode(pkt->payload, pkt->plen, &m, &err) < 0) {
        b->c.bad_packets++;
        return;
    }
    struct session *closing = NULL;
    size_t n = dispatch(b, s, &m, rsp, sizeof(rsp), &closing);
    if (n == 0)
        return;
    ssize_t ln = build_lan_rsp(&m, rsp, n, lan, sizeof(lan));
    if (ln < 0)
        return;
    uint8_t iv[16];
    bs_rand_bytes(&b->rng, iv, sizeof(iv));
    ssize_t on = rmcpp_encode(out, sizeof(out), RMCPP_PL_IPMI, s->console_sid, ++s->out_seq,
                              &s->keys, iv, lan, (size_t)ln, &err);
    if (on < 0)
        log_warn("bmc %u: cannot encode response: %s", b->index, codec_err_name(err));
    reply(b, from, out, on, true);
    if (closing) {
        sess_free(b, closing);
        b->c.sessions_closed++;
    }
}

/* ---- session establishment ------------------------------------------- */

static const struct rmcpp_suite *match_suite(const struct fleet *f, const struct rmcpp_open_req *r)
{
    for (size_t i = 0; i < f->nsuites; i++) {
        const struct rmcpp_suite *s = rmcpp_suite_get(f->suites[i]);
        if (s && s->auth == r->auth_alg && s->integ == r->integ_alg && s->conf == r->conf_alg)
            return s;
    }
    return NULL;
}

static void open_session(struct bmc *b, const struct sockaddr_in *from, const struct rmcpp_pkt *pkt)
{
    struct fleet *f = b->fleet;
    struct rmcpp_open_req rq;
    struct rmcpp_open_rsp rs;
    enum codec_err err;
    uint8_t buf[64];
    uint64_t now = fleet_now_s(f);

    if (layout_decode(&rmcpp_open_req_layout, pkt->payload, pkt->plen, &rq, &err) < 0) {
        b->c.bad_packets++;
        return;
    }
    memset(&rs, 0, sizeof(rs));
    rs.tag = rq.tag;
    rs.console_sid = rq.console_sid;

    const struct rmcpp_suite *suite = match_suite(f, &rq);
    uint8_t want = rq.max_priv & 0x0f;
    struct session *s = NULL;

    /* a retransmitted request (our answer was lost): answer it again */
    for (unsigned i = 0; b->sess && i < f->session_limit; i++) {
        struct session *t = &b->sess[i];
        if (t->state == SS_OPEN && t->console_sid == rq.console_sid &&
            t->peer.sin_port == from->sin_port && t->peer.sin_addr.s_addr == from->sin_addr.s_addr)
            s = t;
    }
    if (!s) {
        if (!suite)
            rs.status = RS_NO_SUITE;
        else if (want > IPMI_PRIV_OEM)
            rs.status = RS_INVALID_ROLE;
        else if (want > f->user_priv)
            rs.status = RS_UNAUTH_ROLE;
        else if (!(s = sess_alloc(b, now))) {
            rs.status = RS_NO_RESOURCES;
            b->c.sessions_refused++;
        }
    }
    if (rs.status != RS_OK) {
        ssize_t n = layout_encode(&rmcpp_open_rsp_layout, &rs, buf, sizeof(buf), &err);
        if (n >= 8) /* an error answer stops after the console session ID */
            reply_presession(b, from, RMCPP_PL_OPEN_RSP, buf, 8);
        return;
    }
    if (s->state == SS_FREE) {
        s->state = SS_OPEN;
        login_pending(f, +1);
        s->suite_id = suite->id;
        s->keys.suite = suite;
        /* FreeIPMI asks for 0 ("highest the user has"): say what that is,
         * since it checks the answer against the level it wants */
        s->max_priv = want ? want : f->user_priv;
        s->console_sid = rq.console_sid;
        s->open_tag = rq.tag;
        s->peer = *from;
    }
    rs.status = RS_OK;
    rs.max_priv = s->max_priv;
    rs.bmc_sid = s->bmc_sid;
    rs.auth_type = 0x00;
    rs.auth_len = 8;
    rs.auth_alg = s->keys.suite->auth;
    rs.integ_type = 0x01;
    rs.integ_len = 8;
    rs.integ_alg = s->keys.suite->integ;
    rs.conf_type = 0x02;
    rs.conf_len = 8;
    rs.conf_alg = s->keys.suite->conf;
    ssize_t n = layout_encode(&rmcpp_open_rsp_layout, &rs, buf, sizeof(buf), &err);
    if (n > 0)
        reply_presession(b, from, RMCPP_PL_OPEN_RSP, buf, (size_t)n);
}

static void rakp2_error(struct bmc *b, const struct sockaddr_in *from, uint8_t tag, uint8_t status,
                        uint32_t console_sid)
{
    struct rmcpp_rakp2 r;
    enum codec_err err;
    uint8_t buf[96];
    memset(&r, 0, sizeof(r));
    r.tag = tag;
    r.status = status;
    r.console_sid = console_sid;
    ssize_t n = layout_encode(&rmcpp_rakp2_layout, &r, buf, sizeof(buf), &err);
    if (n >= 8)
        reply_presession(b, from, RMCPP_PL_RAKP2, buf, 8);
}

static void rakp4_error(struct bmc *b, const struct sockaddr_in *from, uint8_t tag, uint8_t status,
                        uint32_t console_sid)
{
    struct rmcpp_rakp4 r;
    enum codec_err err;
    uint8_t buf[64];
    memset(&r, 0, sizeof(r));
    r.tag = tag;
    r.status = status;
    r.console_sid = console_sid;
    ssize_t n = layout_encode(&rmcpp_rakp4_layout, &r, buf, sizeof(buf), &err);
    if (n >= 8)
        reply_presession(b, from, RMCPP_PL_RAKP4, buf, 8);
}

static void rakp1(struct bmc *b, const struct sockaddr_in *from, const struct rmcpp_pkt *pkt)
{
    struct fleet *f = b->fleet;
    const struct faults *fl = bmc_faults(b);
    struct rmcpp_rakp1 r;
    enum codec_err err;
    uint8_t in[160], mac[32];

    if (layout_decode(&rmcpp_rakp1_layout, pkt->payload, pkt->plen, &r, &err) < 0) {
        b->c.bad_packets++;
        return;
    }
    struct session *s = sess_find(b, r.bmc_sid);
    if (!s || s->state == SS_ACTIVE) {
        rakp2_error(b, from, r.tag, RS_INVALID_SID, 0);
        return;
    }
    if (s->state == SS_OPEN)
        b->login_attempts++;
    s->last_s = (uint32_t)fleet_now_s(f);
    uint8_t priv = r.role & 0x0f;
    uint8_t status = RS_OK;
    /* the name may come bare (28 + ULENGTHm bytes) or padded to 16 */
    if (r.ulen > BMCSIM_MAX_USER || r.user_len < r.ulen)
        status = RS_INVALID_NAME_LEN;
    else if (priv == 0 || priv > IPMI_PRIV_OEM || (r.role & 0xe0))
        status = RS_INVALID_ROLE;
    else if (priv > s->max_priv)
        status = RS_UNAUTH_ROLE;
    else if (r.ulen != f->ulen || memcmp(r.user, f->user, f->ulen) != 0)
        status = RS_UNAUTH_NAME;
    else if (fl->refuse_after >= 0 && b->login_attempts > (uint32_t)fl->refuse_after) {
        status = RS_UNAUTH_NAME; /* a locked-out account looks like an unknown one */
        b->c.faults[FK_REFUSE]++;
    }
    if (status != RS_OK) {
        b->c.logins_failed++;
        uint32_t csid = s->console_sid;
        sess_free(b, s);
        rakp2_error(b, from, r.tag, status, csid);
        return;
    }

    const struct rmcpp_suite *suite = s->keys.suite;
    uint8_t guid[16];
    sim_guid(b->st, guid);
    memcpy(s->rm, r.rm, 16);
    bs_rand_bytes(&b->rng, s->rc, 16);
    s->role = r.role;
    s->state = SS_RAKP2;
    s->peer = *from;

    struct rmcpp_rakp2 out;
    memset(&out, 0, sizeof(out));
    out.tag = r.tag;
    out.status = RS_OK;
    out.console_sid = s->console_sid;
    memcpy(out.rc, s->rc, 16);
    memcpy(out.guid, guid, 16);
    size_t inlen = rmcpp_rakp2_input(in, s->console_sid, s->bmc_sid, s->rm, s->rc, guid, s->role,
                                     r.user, r.ulen);
    if (rmcpp_hmac(suite->auth, f->pass, f->plen, in, inlen, mac) < 0)
        return;
    memcpy(out.kex, mac, suite->kex_len);
    out.kex_len = suite->kex_len;
    if (fl->impostor) {
        /* an impostor does not know the password: its proof cannot verify */
        out.kex[bs_rand(&b->rng) % suite->kex_len] ^= 0x5a;
        b->c.faults[FK_IMPOSTOR]++;
    }
    uint8_t buf[128];
    ssize_t n = layout_encode(&rmcpp_rakp2_layout, &out, buf, sizeof(buf), &err);
    if (n > 0)
        reply_presession(b, from, RMCPP_PL_RAKP2, buf, (size_t)n);
}

static void rakp3(struct bmc *b, const struct sockaddr_in *from, const struct rmcpp_pkt *pkt)
{
    struct fleet *f = b->fleet;
    struct rmcpp_rakp3 r;
    enum codec_err err;
    uint8_t in[160], mac[32];

    if (layout_decode(&rmcpp_rakp3_layout, pkt->payload, pkt->plen, &r, &err) < 0) {
        b->c.bad_packets++;
        return;
    }
    struct session *s = sess_find(b, r.bmc_sid);
    if (!s || s->state == SS_OPEN) {
        rakp4_error(b, from, r.tag, RS_INVALID_SID, 0);
        return;
    }
    uint32_t csid = s->console_sid;
    if (r.status != RS_OK) {
        /* the console refused our RAKP 2 (e.g. an impostor's proof) */
        if (s->state != SS_ACTIVE) {
            b->c.logins_failed++;
            sess_free(b, s);
        }
        return;
    }
    const struct rmcpp_suite *suite = s->keys.suite;
    size_t inlen =
        rmcpp_rakp3_input(in, s->rc, s->console_sid, s->role, (const uint8_t *)f->user, f->ulen);
    if (rmcpp_hmac(suite->auth, f->pass, f->plen, in, inlen, mac) < 0)
        return;
    if (r.kex_len != suite->kex_len || rmcpp_memeq_ct(mac, r.kex, suite->kex_len) != 0) {
        /* wrong password: the console's proof does not verify */
        if (s->state != SS_ACTIVE) {
            b->c.logins_failed++;
            sess_free(b, s);
        }
        rakp4_error(b, from, r.tag, RS_INVALID_ICV, csid);
        return;
    }
    if (s->state == SS_RAKP2) {
        inlen = rmcpp_sik_input(in, s->rm, s->rc, s->role, (const uint8_t *)f->user, f->ulen);
        if (rmcpp_derive_keys(&s->keys, suite, f->pass, f->plen, in, inlen) < 0) {
            rakp4_error(b, from, r.tag, RS_NO_RESOURCES, csid);
            return;
        }
        s->state = SS_ACTIVE;
        login_pending(f, -1);
        /* RMCP+ sessions start at User level (or lower, if that was all
         * that was asked for); Set Session Privilege raises it */
        s->priv = (s->role & 0x0f) < IPMI_PRIV_USER ? (s->role & 0x0f) : IPMI_PRIV_USER;
        s->in_hi = 0;
        s->in_mask = 0;
        s->out_seq = 0;
        b->c.sessions_opened++;
    }
    s->last_s = (uint32_t)fleet_now_s(f);
    s->peer = *from;

    uint8_t guid[16];
    sim_guid(b->st, guid);
    inlen = rmcpp_rakp4_input(in, s->rm, s->bmc_sid, guid);
    if (rmcpp_hmac(suite->auth, s->keys.sik, s->keys.sik_len, in, inlen, mac) < 0)
        return;
    struct rmcpp_rakp4 out;
    memset(&out, 0, sizeof(out));
    out.tag = r.tag;
    out.status = RS_OK;
    out.console_sid = csid;
    memcpy(out.icv, mac, suite->icv_len);
    out.icv_len = suite->icv_len;
    uint8_t buf[64];
    ssize_t n = layout_encode(&rmcpp_rakp4_layout, &out, buf, sizeof(buf), &err);
    if (n > 0)
        reply_presession(b, from, RMCPP_PL_RAKP4, buf, (size_t)n);
}

/* ---- entry point ------------------------------------------------------ */

void rmcp_input(struct bmc *b, const struct sockaddr_in *from, const uint8_t *p, size_t len)
{
    struct fleet *f = b->fleet;
    const struct faults *fl = bmc_faults(b);
    uint8_t plain[RMCPP_MAX_PACKET];
    struct rmcpp_pkt pkt;
    enum codec_err err = CODEC_OK;

    b->c.rx++;
    drop_reply = false;
    if (b->down_until_s && fleet_now_s(f) < b->down_until_s)
        return; /* rebooting */
    if (fl->drop && bmc_chance(b, fl->drop)) {
        b->c.faults[FK_DROP]++;
        if (bs_rand(&b->rng) & 1)
            return;        /* lost on the way in */
        drop_reply = true; /* processed, but the answer is lost */
    }
    /* RMCP class 06h = ASF: answer a Presence Ping with a Pong (IPMI supported) */
    if (asf_is_asf(p, len)) {
        uint8_t tag, out[ASF_PONG_LEN];
        if (asf_ping_decode(p, len, &tag, &err) < 0) {
            b->c.bad_packets++;
            return;
        }
        b->c.asf_pings++;
        ssize_t n = asf_pong_encode(tag, ASF_ENTITY_IPMI | 0x01, out, sizeof(out), &err);
        reply(b, from, out, n, false);
        return;
    }
    /* RMCP header (DMTF ASF): version 06h, class 07h = IPMI */
    if (len < 5 || p[0] != 0x06 || (p[3] & 0x1f) != 0x07) {
        b->c.bad_packets++;
        return;
    }
    if (p[4] == 0x06) {
        uint32_t sid;
        if (peek_session_id(p, len, &sid) < 0) {
            b->c.bad_packets++;
            return;
        }
        if (sid != 0) {
            struct session *s = sess_find(b, sid);
            if (!s || s->state != SS_ACTIVE) {
                b->c.bad_packets++;
                return;
            }
            if (sess_expired(f, s, fleet_now_s(f))) {
                b->c.sessions_expired++;
                sess_free(b, s);
                return;
            }
            if (rmcpp_decode(p, len, &s->keys, plain, sizeof(plain), &pkt, &err) < 0) {
                b->c.bad_packets++;
                if (f->verbose > 1)
                    log_debug("bmc %u: session packet refused: %s", b->index, codec_err_name(err));
                return;
            }
            in_session(b, s, from, &pkt);
            return;
        }
    }
    if (rmcpp_decode(p, len, NULL, plain, sizeof(plain), &pkt, &err) < 0) {
        b->c.bad_packets++;
        if (f->verbose > 1)
            log_debug("bmc %u: packet refused: %s", b->index, codec_err_name(err));
        return;
    }
    if (pkt.auth_type != 0x06) {
        if (pkt.session_id == 0 && pkt.ptype == RMCPP_PL_IPMI)
            sessionless_ipmi(b, from, &pkt);
        else
            b->c.bad_packets++; /* IPMI 1.5 sessions are not offered */
        return;
    }
    switch (pkt.ptype) {
    case RMCPP_PL_IPMI:
        sessionless_ipmi(b, from, &pkt);
        break;
    case RMCPP_PL_OPEN_REQ:
        open_session(b, from, &pkt);
        break;
    case RMCPP_PL_RAKP1:
        rakp1(b, from, &pkt);
        break;
    case RMCPP_PL_RAKP3:
        rakp3(b, from, &pkt);
        break;
    default:
        b->c.bad_packets++;
        break;
    }
}
