/*
 * simload - RMCP+ load generator for bmcsim: opens sessions with the
 * project codec (Open Session, RAKP 1-4, Set Session Privilege) and then
 * keeps a window of Get Sensor Reading requests in flight on each.
 *
 *   simload --port P [--host A] [--bmcs N] [--sessions K] [--user U]
 *           --password-file F [--cipher 17] [--duration S] [--window W]
 *           [--sensor NUM] [--precompute M] [--verify] [--per-address M]
 *
 * With --precompute M, every session encodes its next M requests before the
 * clock starts, so the generator costs little more than its system calls
 * and the figure measures the simulator; responses are then only counted,
 * unless --verify asks to decode (integrity, AES, checksums, cc) each one.
 * --trust-rakp2 skips the console's check of RAKP 2, so that a wrong
 * password reaches the BMC's RAKP 3 check (tests of RAKP 4 status 0Fh).
 * Prints one line: "simload: sessions=.. sent=.. received=.. errors=..
 * lost=.. elapsed=.. rate=../s".
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "ipmi_msg.h"
#include "rmcpp.h"

#define CMD_GET_SENSOR_READING 0x2d
#define MAX_PKT                96 /* a Get Sensor Reading request datagram (68 bytes with suite 17) fits */

struct opts {
    const char *host, *user, *password_file;
    unsigned port, bmcs, sessions, cipher, duration, window, precompute, per_address;
    uint8_t sensor;
    bool verify, trust_rakp2;
    char pass[21];
    size_t plen;
};

struct sess {
    int fd;
    uint32_t console_sid, bmc_sid;
    uint32_t seq;
    uint8_t rqseq;
    struct rmcpp_keys keys;
    unsigned inflight;
    uint64_t last_rx_ns;
    /* precomputed requests */
    uint8_t *pkts;
    uint8_t *plens;
    unsigned npkts, next;
    uint32_t seq_base; /* session sequence number before the first precomputed request */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "simload: %s%s\n", msg, arg ? arg : "");
    exit(2);
}

/* ---- handshake (blocking, with retries: it happens before the clock) ---- */

static ssize_t xchg(int fd, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap)
{
    for (int tries = 0; tries < 5; tries++) {
        if (send(fd, req, len, 0) < 0)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) == 1) {
            ssize_t n = recv(fd, rsp, cap, 0);
            if (n > 0)
                return n;
        }
    }
    return -1;
}

static int presession(int fd, uint8_t ptype, const uint8_t *pl, size_t plen, uint8_t want,
                      uint8_t *plbuf, struct rmcpp_pkt *pkt)
{
    uint8_t out[RMCPP_MAX_PACKET], in[RMCPP_MAX_PACKET];
    enum codec_err err;
    ssize_t n = rmcpp_encode(out, sizeof(out), ptype, 0, 0, NULL, NULL, pl, plen, &err);
    if (n < 0)
        return -1;
    n = xchg(fd, out, (size_t)n, in, sizeof(in));
    if (n < 0)
        return -1;
    if (rmcpp_decode(in, (size_t)n, NULL, plbuf, RMCPP_MAX_PACKET, pkt, &err) < 0 ||
        pkt->ptype != want)
        return -1;
    return 0;
}

static int build_request(struct sess *s, const struct opts *o, uint8_t netfn, uint8_t cmd,
                         const uint8_t *data, size_t dlen, uint8_t *out, size_t cap)
{
    uint8_t lan[64], iv[16];
    enum codec_err err;
    struct ipmi_lan_msg m = {.dst_addr = IPMI_BMC_SLAVE_ADDR,
                             .netfn = netfn,
                             .src_addr = IPMI_REMOTE_SWID,
                             .seq = (uint8_t)(s->rqseq++ & 0x3f),
                             .cmd = cmd,
                             .data = data,
                             .dlen = dlen};
    (void)o;
    ssize_t ln = ipmi_lan_encode(lan, sizeof(lan), &m, &err);
    if (ln < 0 || RAND_bytes(iv, sizeof(iv)) != 1)
        return -1;
    ssize_t n = rmcpp_encode(out, cap, RMCPP_PL_IPMI, s->bmc_sid, ++s->seq, &s->keys, iv, lan,
                             (size_t)ln, &err);
    return n < 0 ? -1 : (int)n;
}

/* Decode a response; returns its completion code, or -1. */
static int parse_response(struct sess *s, const uint8_t *in, size_t len)
{
    uint8_t plain[RMCPP_MAX_PACKET];
    struct rmcpp_pkt pkt;
    struct ipmi_lan_msg m;
    enum codec_err err;
    if (rmcpp_decode(in, len, &s->keys, plain, sizeof(plain), &pkt, &err) < 0 ||
        pkt.session_id != s->console_sid || ipmi_lan_decode(pkt.payload, pkt.plen, &m, &err) < 0 ||
        m.dlen < 1)
        return -1;
    return m.data[0];
}

static int open_session(struct sess *s, const struct opts *o, const struct sockaddr_in *to)
{
    const struct rmcpp_suite *suite = rmcpp_suite_get(o->cipher);
    uint8_t pl[64], plbuf[RMCPP_MAX_PACKET], in[160], mac[32], rm[16], guid[16], rc[16];
    struct rmcpp_pkt pkt;
    enum codec_err err;
    const uint8_t role = IPMI_PRIV_ADMIN | 0x10; /* name-only lookup */
    size_t ulen = strlen(o->user);

    s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0 || connect(s->fd, (const struct sockaddr *)to, sizeof(*to)) < 0)
        return -1;
    if (RAND_bytes((uint8_t *)&s->console_sid, 4) != 1 || RAND_bytes(rm, 16) != 1)
        return -1;
    s->console_sid |= 1;

    struct rmcpp_open_req oq;
    rmcpp_open_req_init(&oq, 1, IPMI_PRIV_ADMIN, s->console_sid, suite);
    ssize_t n = layout_encode(&rmcpp_open_req_layout, &oq, pl, sizeof(pl), &err);
    if (n < 0 ||
        presession(s->fd, RMCPP_PL_OPEN_REQ, pl, (size_t)n, RMCPP_PL_OPEN_RSP, plbuf, &pkt) < 0)
        return -1;
    struct rmcpp_open_rsp os;
    if (layout_decode(&rmcpp_open_rsp_layout, pkt.payload, pkt.plen, &os, &err) < 0 ||
        os.status != 0) {
        fprintf(stderr, "simload: Open Session: %s\n", rmcpp_status_name(os.status));
        return -1;
    }
    s->bmc_sid = os.bmc_sid;

    struct rmcpp_rakp1 r1;
    rmcpp_rakp1_init(&r1, 2, s->bmc_sid, rm, role, o->user, ulen);
    n = layout_encode(&rmcpp_rakp1_layout, &r1, pl, sizeof(pl), &err);
    if (n < 0 || presession(s->fd, RMCPP_PL_RAKP1, pl, (size_t)n, RMCPP_PL_RAKP2, plbuf, &pkt) < 0)
        return -1;
    struct rmcpp_rakp2 r2;
    if (layout_decode(&rmcpp_rakp2_layout, pkt.payload, pkt.plen, &r2, &err) < 0 || r2.status) {
        fprintf(stderr, "simload: RAKP 2: %s\n", rmcpp_status_name(r2.status));
        return -1;
    }
    memcpy(rc, r2.rc, 16);
    memcpy(guid, r2.guid, 16);
    size_t il = rmcpp_rakp2_input(in, s->console_sid, s->bmc_sid, rm, rc, guid, role,
                                  (const uint8_t *)o->user, ulen);
    if (!o->trust_rakp2 &&
        (rmcpp_hmac(suite->auth, (const uint8_t *)o->pass, o->plen, in, il, mac) < 0 ||
         r2.kex_len != suite->kex_len || rmcpp_memeq_ct(mac, r2.kex, suite->kex_len))) {
        fprintf(stderr, "simload: RAKP 2 key exchange code does not verify\n");
        return -1;
    }

    struct rmcpp_rakp3 r3;
    memset(&r3, 0, sizeof(r3));
    r3.tag = 3;
    r3.bmc_sid = s->bmc_sid;
    il = rmcpp_rakp3_input(in, rc, s->console_sid, role, (const uint8_t *)o->user, ulen);
    if (rmcpp_hmac(suite->auth, (const uint8_t *)o->pass, o->plen, in, il, mac) < 0)
        return -1;
    memcpy(r3.kex, mac, suite->kex_len);
    r3.kex_len = suite->kex_len;
    n = layout_encode(&rmcpp_rakp3_layout, &r3, pl, sizeof(pl), &err);
    if (n < 0 || presession(s->fd, RMCPP_PL_RAKP3, pl, (size_t)n, RMCPP_PL_RAKP4, plbuf, &pkt) < 0)
        return -1;
    struct rmcpp_rakp4 r4;
    if (layout_decode(&rmcpp_rakp4_layout, pkt.payload, pkt.plen, &r4, &err) < 0 || r4.status) {
        fprintf(stderr, "simload: RAKP 4: %s\n", rmcpp_status_name(r4.status));
        return -1;
    }
    il = rmcpp_sik_input(in, rm, rc, role, (const uint8_t *)o->user, ulen);
    if (rmcpp_derive_keys(&s->keys, suite, (const uint8_t *)o->pass, o->plen, in, il) < 0)
        return -1;
    il = rmcpp_rakp4_input(in, rm, s->bmc_sid, guid);
    if (rmcpp_hmac(suite->auth, s->keys.sik, s->keys.sik_len, in, il, mac) < 0 ||
        r4.icv_len != suite->icv_len || rmcpp_memeq_ct(mac, r4.icv, suite->icv_len)) {
        fprintf(stderr, "simload: RAKP 4 integrity check value does not verify\n");
        return -1;
    }

    /* Set Session Privilege Level: Administrator */
    uint8_t priv = IPMI_PRIV_ADMIN, out[RMCPP_MAX_PACKET], rsp[RMCPP_MAX_PACKET];
    int bl =
        build_request(s, o, IPMI_NETFN_APP, IPMI_CMD_SET_SESSION_PRIV, &priv, 1, out, sizeof(out));
    if (bl < 0)
        return -1;
    n = xchg(s->fd, out, (size_t)bl, rsp, sizeof(rsp));
    if (n < 0 || parse_response(s, rsp, (size_t)n) != 0) {
        fprintf(stderr, "simload: Set Session Privilege failed\n");
        return -1;
    }
    return 0;
}

static int close_session(struct sess *s, const struct opts *o)
{
    uint8_t out[RMCPP_MAX_PACKET], rsp[RMCPP_MAX_PACKET], id[4];
    id[0] = (uint8_t)s->bmc_sid;
    id[1] = (uint8_t)(s->bmc_sid >> 8);
    id[2] = (uint8_t)(s->bmc_sid >> 16);
    id[3] = (uint8_t)(s->bmc_sid >> 24);
    /* continue after the last request actually sent, or the BMC's sliding
     * window would refuse the Close Session */
    if (s->pkts)
        s->seq = s->seq_base + s->next;
    /* drain stragglers first */
    while (recv(s->fd, rsp, sizeof(rsp), MSG_DONTWAIT) > 0)
        ;
    int bl = build_request(s, o, IPMI_NETFN_APP, IPMI_CMD_CLOSE_SESSION, id, 4, out, sizeof(out));
    if (bl < 0)
        return -1;
    ssize_t n = xchg(s->fd, out, (size_t)bl, rsp, sizeof(rsp));
    return n < 0 ? -1 : 0;
}

/* ---- the timed phase ---------------------------------------------------- */

static int next_request(struct sess *s, const struct opts *o, uint8_t *buf, const uint8_t **pkt)
{
    if (s->pkts) {
        if (s->next >= s->npkts)
            return -1;
        *pkt = s->pkts + (size_t)s->next * MAX_PKT;
        return s->plens[s->next++];
    }
    *pkt = buf;
    return build_request(s, o, IPMI_NETFN_SENSOR, CMD_GET_SENSOR_READING, &o->sensor, 1, buf,
                         MAX_PKT);
}

static void read_password(struct opts *o)
{
    FILE *fp = fopen(o->password_file, "r");
    if (!fp)
        die("cannot read the password file ", o->password_file);
    if (!fgets(o->pass, sizeof(o->pass), fp))
        o->pass[0] = '\0';
    fclose(fp);
    o->pass[strcspn(o->pass, "\r\n")] = '\0';
    o->plen = strlen(o->pass);
}

int main(int argc, char **argv)
{
    struct opts o = {.host = "127.0.0.1",
                     .user = "admin",
                     .bmcs = 1,
                     .sessions = 1,
                     .cipher = 17,
                     .duration = 5,
                     .window = 16,
                     .sensor = 1};
    static const struct option lo[] = {
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"bmcs", required_argument, NULL, 'n'},
        {"sessions", required_argument, NULL, 'S'},
        {"user", required_argument, NULL, 'u'},
        {"password-file", required_argument, NULL, 'f'},
        {"cipher", required_argument, NULL, 'C'},
        {"duration", required_argument, NULL, 'd'},
        {"window", required_argument, NULL, 'w'},
        {"sensor", required_argument, NULL, 's'},
        {"precompute", required_argument, NULL, 'P'},
        {"verify", no_argument, NULL, 'V'},
        {"trust-rakp2", no_argument, NULL, 'T'},
        {"per-address", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "H:p:n:S:u:f:C:d:w:s:P:VTA:h", lo, NULL)) != -1) {
        switch (c) {
        case 'H':
            o.host = optarg;
            break;
        case 'p':
            o.port = (unsigned)atoi(optarg);
            break;
        case 'n':
            o.bmcs = (unsigned)atoi(optarg);
            break;
        case 'S':
            o.sessions = (unsigned)atoi(optarg);
            break;
        case 'u':
            o.user = optarg;
            break;
        case 'f':
            o.password_file = optarg;
            break;
        case 'C':
            o.cipher = (unsigned)atoi(optarg);
            break;
        case 'd':
            o.duration = (unsigned)atoi(optarg);
            break;
        case 'w':
            o.window = (unsigned)atoi(optarg);
            break;
        case 's':
            o.sensor = (uint8_t)strtoul(optarg, NULL, 0);
            break;
        case 'P':
            o.precompute = (unsigned)atoi(optarg);
            break;
        case 'V':
            o.verify = true;
            break;
        case 'A':
            o.per_address = (unsigned)atoi(optarg);
            break;
        case 'T':
            o.trust_rakp2 = true; /* skip the RAKP 2 check: let the BMC judge RAKP 3 */
            break;
        case 'h':
            printf(
                "usage: simload --port P --password-file F [--host A] [--bmcs N] "
                "[--sessions K]\n               [--user U] [--cipher 17|3|2|1] "
                "[--duration S] [--window W] [--sensor NUM]\n"
                "               [--precompute M] [--verify] [--trust-rakp2] [--per-address M]\n");
            return 0;
        default:
            return 2;
        }
    }
    if (!o.port || !o.password_file || !o.bmcs || !o.sessions || !o.window || o.window > 60)
        die("need --port and --password-file (window 1..60); see --help", NULL);
    if (!rmcpp_suite_get(o.cipher) || o.cipher == 0)
        die("unsupported --cipher", NULL);
    read_password(&o);

    unsigned nsess = o.bmcs * o.sessions;
    struct sess *ss = calloc(nsess, sizeof(*ss));
    if (!ss)
        die("out of memory", NULL);
    for (unsigned i = 0; i < nsess; i++) {
        /* BMC k as bmcsim --per-address places it: host + k / M, port + k % M */
        unsigned bmc = i / o.sessions;
        unsigned pk = o.per_address ? bmc % o.per_address : bmc;
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(o.port + pk))};
        if (inet_pton(AF_INET, o.host, &to.sin_addr) != 1)
            die("bad --host ", o.host);
        if (o.per_address)
            to.sin_addr.s_addr = htonl(ntohl(to.sin_addr.s_addr) + bmc / o.per_address);
        if (open_session(&ss[i], &o, &to) < 0) {
            fprintf(stderr, "simload: cannot open session %u (port %u)\n", i,
                    (unsigned)ntohs(to.sin_port));
            return 1;
        }
        if (o.precompute) {
            ss[i].pkts = malloc((size_t)o.precompute * MAX_PKT);
            ss[i].plens = malloc(o.precompute);
            if (!ss[i].pkts || !ss[i].plens)
                die("out of memory for --precompute", NULL);
            for (unsigned k = 0; k < o.precompute; k++) {
                int n = build_request(&ss[i], &o, IPMI_NETFN_SENSOR, CMD_GET_SENSOR_READING,
                                      &o.sensor, 1, ss[i].pkts + (size_t)k * MAX_PKT, MAX_PKT);
                if (n < 0)
                    die("cannot encode a request", NULL);
                ss[i].plens[k] = (uint8_t)n;
            }
            ss[i].npkts = o.precompute;
            ss[i].seq_base = ss[i].seq - o.precompute;
        }
        fcntl(ss[i].fd, F_SETFL, O_NONBLOCK);
    }

    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (unsigned i = 0; i < nsess; i++) {
        struct epoll_event ee = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, ss[i].fd, &ee);
    }
    uint64_t sent = 0, received = 0, errors = 0, lost = 0;
    uint8_t buf[RMCPP_MAX_PACKET];
    const uint8_t *pkt;
    uint64_t t0 = now_ns(), end = t0 + (uint64_t)o.duration * 1000000000ULL;
    for (unsigned i = 0; i < nsess; i++) {
        ss[i].last_rx_ns = t0;
        for (unsigned w = 0; w < o.window; w++) {
            int n = next_request(&ss[i], &o, buf, &pkt);
            if (n > 0 && send(ss[i].fd, pkt, (size_t)n, 0) > 0) {
                sent++;
                ss[i].inflight++;
            }
        }
    }
    bool exhausted = false;
    struct epoll_event evs[64];
    uint64_t now = t0;
    while (now < end && !exhausted) {
        int ne = epoll_wait(ep, evs, 64, 50);
        now = now_ns();
        for (int k = 0; k < ne; k++) {
            struct sess *s = &ss[evs[k].data.u32];
            /* a bounded burst per session: a fast simulator would otherwise
             * keep one session busy past the end of the run */
            for (unsigned burst = 0; burst < 256; burst++) {
                ssize_t n = recv(s->fd, buf, sizeof(buf), 0);
                if (n <= 0)
                    break;
                received++;
                if (s->inflight)
                    s->inflight--;
                s->last_rx_ns = now;
                if (o.verify && parse_response(s, buf, (size_t)n) != 0)
                    errors++;
                int m = next_request(s, &o, buf, &pkt);
                if (m < 0) {
                    exhausted = true;
                    break;
                }
                if (send(s->fd, pkt, (size_t)m, 0) > 0) {
                    sent++;
                    s->inflight++;
                }
            }
        }
        /* a window lost to drops: refill it after 200 ms of silence */
        for (unsigned i = 0; i < nsess; i++) {
            struct sess *s = &ss[i];
            if (now - s->last_rx_ns < 200000000ULL)
                continue;
            lost += s->inflight;
            s->inflight = 0;
            s->last_rx_ns = now;
            for (unsigned w = 0; w < o.window; w++) {
                int m = next_request(s, &o, buf, &pkt);
                if (m > 0 && send(s->fd, pkt, (size_t)m, 0) > 0) {
                    sent++;
                    s->inflight++;
                }
            }
        }
    }
    double elapsed = (double)(now - t0) / 1e9;
    for (unsigned i = 0; i < nsess; i++) {
        fcntl(ss[i].fd, F_SETFL, 0);
        close_session(&ss[i], &o);
        close(ss[i].fd);
        free(ss[i].pkts);
        free(ss[i].plens);
    }
    close(ep);
    free(ss);
    printf("simload: sessions=%u sent=%llu received=%llu errors=%llu lost=%llu elapsed=%.3f "
           "rate=%.0f/s%s\n",
           nsess, (unsigned long long)sent, (unsigned long long)received,
           (unsigned long long)errors, (unsigned long long)lost, elapsed,
           elapsed > 0 ? (double)received / elapsed : 0.0,
           exhausted ? " (precomputed requests ran out)" : "");
    return received ? 0 : 1;
}
