/*
 * bmcsim.c - BMC fleet simulator: options, start-up, one non-blocking UDP
 * socket per simulated BMC on one epoll loop (src/ev.c), batched receive
 * and send (recvmmsg/sendmmsg), the content tick and a clean shutdown.
 */
#include "bmcsim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipmi_msg.h"
#include "log.h"

/* ---- the batched output queue ----------------------------------------- */

#define OUTQ 64

static struct {
    int fd; /* the socket being served right now, -1 outside a batch */
    unsigned n;
    struct mmsghdr msg[OUTQ];
    struct iovec iov[OUTQ];
    struct sockaddr_in to[OUTQ];
    uint8_t buf[OUTQ][RMCPP_MAX_PACKET];
} outq = {.fd = -1};

static void outq_flush(void)
{
    unsigned done = 0;
    while (done < outq.n) {
        int r = sendmmsg(outq.fd, outq.msg + done, outq.n - done, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break; /* EAGAIN etc.: a full socket buffer loses datagrams, like a network */
        }
        done += (unsigned)r;
    }
    outq.n = 0;
}

void bmc_send_raw(struct bmc *b, const struct sockaddr_in *to, const uint8_t *pkt, size_t len)
{
    b->c.tx++;
    if (outq.fd == b->fd && outq.n < OUTQ && len <= RMCPP_MAX_PACKET) {
        unsigned i = outq.n++;
        memcpy(outq.buf[i], pkt, len);
        outq.to[i] = *to;
        outq.iov[i] = (struct iovec){.iov_base = outq.buf[i], .iov_len = len};
        memset(&outq.msg[i], 0, sizeof(outq.msg[i]));
        outq.msg[i].msg_hdr.msg_name = &outq.to[i];
        outq.msg[i].msg_hdr.msg_namelen = sizeof(outq.to[i]);
        outq.msg[i].msg_hdr.msg_iov = &outq.iov[i];
        outq.msg[i].msg_hdr.msg_iovlen = 1;
        return;
    }
    if (sendto(b->fd, pkt, len, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof(*to)) < 0 &&
        b->fleet->verbose > 1)
        log_debug("bmc %u: sendto: %s", b->index, strerror(errno));
}

/* ---- small shared helpers --------------------------------------------- */

uint64_t fleet_now_s(const struct fleet *f)
{
    return (ev_now(f->loop) - f->start_ns) / EV_NS_PER_SEC;
}

const struct faults *bmc_faults(const struct bmc *b)
{
    return b->faults ? b->faults : &b->fleet->faults;
}

void bmc_count_cmd(struct bmc *b, uint8_t netfn, uint8_t cmd)
{
    b->fleet->cmd_total[netfn & 0x3f][cmd]++;
    for (uint16_t i = 0; i < b->ncmds; i++) {
        if (b->cmds[i].netfn == netfn && b->cmds[i].cmd == cmd) {
            b->cmds[i].n++;
            return;
        }
    }
    if (b->ncmds == b->capcmds) {
        uint16_t cap = b->capcmds ? (uint16_t)(b->capcmds * 2) : 8;
        struct cmd_count *p = realloc(b->cmds, cap * sizeof(*p));
        if (!p)
            return;
        b->cmds = p;
        b->capcmds = cap;
    }
    b->cmds[b->ncmds++] = (struct cmd_count){.netfn = netfn, .cmd = cmd, .n = 1};
}

void bmc_events(struct bmc *b, const struct sim_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b->fleet->verbose)
            log_info("bmc %u: SEL record %u added", b->index, ev[i].record_id);
        if (b->fleet->pet_enabled)
            pet_send_event(b, &ev[i]);
    }
}

/* ---- sockets ---------------------------------------------------------- */

static struct mmsghdr in_msg[BMCSIM_BATCH];
static struct iovec in_iov[BMCSIM_BATCH];
static struct sockaddr_in in_from[BMCSIM_BATCH];
static uint8_t in_buf[BMCSIM_BATCH][RMCPP_MAX_PACKET + 1];

static void on_udp(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)events;
    struct bmc *b = arg;
    for (unsigned i = 0; i < BMCSIM_BATCH; i++) {
        in_iov[i] = (struct iovec){.iov_base = in_buf[i], .iov_len = sizeof(in_buf[i])};
        memset(&in_msg[i].msg_hdr, 0, sizeof(in_msg[i].msg_hdr));
        in_msg[i].msg_hdr.msg_name = &in_from[i];
        in_msg[i].msg_hdr.msg_namelen = sizeof(in_from[i]);
        in_msg[i].msg_hdr.msg_iov = &in_iov[i];
        in_msg[i].msg_hdr.msg_iovlen = 1;
    }
    /* one batch per wake-up: level-triggered epoll brings us back if more
     * is queued, and other BMCs get their turn in between */
    int n = recvmmsg(fd, in_msg, BMCSIM_BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0)
        return;
    outq.fd = fd;
    outq.n = 0;
    for (int i = 0; i < n; i++) {
        size_t len = in_msg[i].msg_len;
        if (len > RMCPP_MAX_PACKET || (in_msg[i].msg_hdr.msg_flags & MSG_TRUNC)) {
            b->c.bad_packets++;
            continue;
        }
        rmcp_input(b, &in_from[i], in_buf[i], len);
    }
    outq_flush();
    outq.fd = -1;
}

static int raise_nofile(rlim_t need, char *err, size_t errlen)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        snprintf(err, errlen, "getrlimit: %s", strerror(errno));
        return -1;
    }
    if (rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        snprintf(err, errlen,
                 "%llu BMCs need %llu open files but the hard limit is %llu "
                 "(raise it: ulimit -Hn, or LimitNOFILE=; or simulate fewer BMCs)",
                 (unsigned long long)(need - 32), (unsigned long long)need,
                 (unsigned long long)rl.rlim_max);
        return -1;
    }
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        snprintf(err, errlen, "setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)need,
                 strerror(errno));
        return -1;
    }
    return 0;
}

static void bmc_place(const struct fleet *f, uint32_t i, struct in_addr *addr, uint16_t *port)
{
    if (f->per_address) {
        addr->s_addr = htonl(ntohl(f->address.s_addr) + i / f->per_address);
        *port = (uint16_t)(f->base_port + i % f->per_address);
    } else {
        *addr = f->address;
        *port = (uint16_t)(f->base_port + i);
    }
}

static int open_bmc_socket(struct bmc *b, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(b->port), .sin_addr = b->addr};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &b->addr, a, sizeof(a));
        snprintf(err, errlen, "cannot bind BMC %u to %s:%u: %s", b->index, a, b->port,
                 strerror(errno));
        close(fd);
        return -1;
    }
    b->fd = fd;
    return 0;
}

/* ---- content facts ------------------------------------------------------ */

/*
 * Learn what a PET needs from the profile by asking a scratch BMC, exactly
 * as a client would: Get Device ID for the manufacturer and product, and
 * the SDR repository for each sensor's entity (IPMI 2.0 section 43).
 */
static void learn_content(struct fleet *f)
{
    struct sim_state *st = sim_state_new(f->profile, 0, f->seed);
    uint8_t rsp[RMCPP_MAX_PAYLOAD], req[8];
    struct sim_event ev[BMCSIM_MAX_EVENTS];
    size_t nev, n;

    if (!st)
        return;
    n = sim_handle(st, f->profile, 0, IPMI_NETFN_APP, IPMI_CMD_GET_DEVICE_ID, NULL, 0, rsp,
                   sizeof(rsp), ev, BMCSIM_MAX_EVENTS, &nev);
    if (n >= 12 && rsp[0] == IPMI_CC_OK) {
        f->manufacturer_id =
            (uint32_t)rsp[7] | (uint32_t)rsp[8] << 8 | (uint32_t)(rsp[9] & 0x0f) << 16;
        f->product_id = (uint16_t)(rsp[10] | rsp[11] << 8);
    }
    /* Reserve SDR Repository (Storage 22h), then Get SDR (23h) record by record */
    n = sim_handle(st, f->profile, 0, IPMI_NETFN_STORAGE, 0x22, NULL, 0, rsp, sizeof(rsp), ev,
                   BMCSIM_MAX_EVENTS, &nev);
    uint16_t resv = (n >= 3 && rsp[0] == IPMI_CC_OK) ? (uint16_t)(rsp[1] | rsp[2] << 8) : 0;
    uint16_t id = 0x0000;
    for (unsigned guard = 0; guard < 4096; guard++) {
        req[0] = (uint8_t)resv;
        req[1] = (uint8_t)(resv >> 8);
        req[2] = (uint8_t)id;
        req[3] = (uint8_t)(id >> 8);
        req[4] = 0;  /* offset */
        req[5] = 10; /* header (5) + key (3) + entity ID and instance (2) */
        n = sim_handle(st, f->profile, 0, IPMI_NETFN_STORAGE, 0x23, req, 6, rsp, sizeof(rsp), ev,
                       BMCSIM_MAX_EVENTS, &nev);
        if (n < 3 || rsp[0] != IPMI_CC_OK)
            break;
        uint16_t next = (uint16_t)(rsp[1] | rsp[2] << 8);
        const uint8_t *r = rsp + 3;
        size_t rl = n - 3;
        /* full (01h), compact (02h) and event-only (03h) sensor records share
         * the key and entity bytes: number at 7, entity at 8, instance at 9 */
        if (rl >= 10 && (r[3] == 0x01 || r[3] == 0x02 || r[3] == 0x03)) {
            struct sensor_info *si = &f->sensors[r[7]];
            si->present = 1;
            si->entity = r[8];
            si->instance = r[9];
        }
        if (next == 0xffff || next == id)
            break;
        id = next;
    }
    sim_state_free(st);
}

/* ---- periodic content tick ---------------------------------------------- */

#define TICK_SLICE_MS 100

static void on_tick(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    struct fleet *f = arg;
    struct sim_event ev[BMCSIM_MAX_EVENTS];
    /* spread the fleet over tick_ms so that no wake-up touches every BMC */
    uint64_t slice = ((uint64_t)f->count * TICK_SLICE_MS + f->tick_ms - 1) / f->tick_ms;
    uint64_t now = fleet_now_s(f);
    if (slice == 0)
        slice = 1;
    for (uint64_t k = 0; k < slice && f->count; k++) {
        struct bmc *b = &f->bmcs[f->tick_next];
        f->tick_next = (f->tick_next + 1) % f->count;
        size_t n = sim_tick(b->st, f->profile, now, ev, BMCSIM_MAX_EVENTS);
        if (n)
            bmc_events(b, ev, n);
    }
    ev_timer_start(loop, t, TICK_SLICE_MS * EV_NS_PER_MS);
}

/* ---- signals ------------------------------------------------------------ */

static void on_signal(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)events;
    (void)arg;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
            ev_stop(loop);
}

/* ---- options ------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: bmcsim --count N --base-port P --user NAME --password-file FILE [options]\n"
        "\n"
        "Simulates N IPMI 2.0 BMCs (RMCP+, cipher suites 17, 3, 2, 1) on UDP, BMC i on\n"
        "port P+i.  Prints one \"bmcsim: ready: ...\" line once every socket is bound.\n"
        "\n"
        "  --count N              number of BMCs (1..%d)\n"
        "  --base-port P          UDP port of BMC 0\n"
        "  --address A            loopback address to bind (default 127.0.0.1)\n"
        "  --per-address M        put M BMCs on each address: BMC i on A+i/M, port P+i%%M\n"
        "  --user NAME            the one user (default admin)\n"
        "  --password-file FILE   its password (mode 600, first line, <= 20 bytes)\n"
        "  --priv LEVEL           the user's maximum privilege: user|operator|admin (admin)\n"
        "  --ciphers LIST         enabled cipher suites (default 17,3,2,1)\n"
        "  --session-limit N      sessions per BMC (default 4)\n"
        "  --session-timeout S    idle session timeout in seconds (default 60)\n"
        "  --seed S               PRNG seed; runs are reproducible (default 1)\n"
        "  --profile FILE         content profile (default: the built-in one)\n"
        "  --tick-ms MS           sweep every BMC's sensor drift every MS (default 1000, 0 off)\n"
        "  --pet-dest HOST:PORT   send a PET (SNMPv1 trap) for every new SEL event (loopback)\n"
        "  --pet-community C      community of those traps (default public)\n"
        "  --pet-retries N        resend a PET N times until acknowledged (default 0)\n"
        "  --pet-retry-interval MS  between resends (default 1000)\n"
        "  --control PATH         unix control socket (see bmcsim-ctl)\n"
        "  --pid-file FILE        write our PID there once ready\n"
        "  -v, --verbose          more logging (twice: per-packet)\n"
        "  -h, --help             this text\n"
        "\n"
        "Faults (fleet-wide; per BMC at run time with `bmcsim-ctl fault BMC KEY=VALUE`):\n"
        "  --fault KEY=VALUE      any of the keys below; may be repeated\n"
        "  --drop PCT             lose requests or responses\n"
        "  --duplicate PCT        send a response twice\n"
        "  --reorder PCT          hold a response back up to reorder-ms (default 50)\n"
        "  --delay MS  --jitter MS  delay every response by MS +- jitter\n"
        "  --busy PCT             answer content requests with C0h (node busy)\n"
        "  --truncate PCT         cut content responses short (valid framing)\n"
        "  --malformed PCT        flip a bit in in-session responses\n"
        "  --slow PCT --slow-ms MS  delay that share of responses by MS (default 3000)\n"
        "  --impostor             send a wrong RAKP 2 key exchange code\n"
        "  --refuse-after N       refuse every login after the first N attempts\n",
        BMCSIM_MAX_BMCS);
}

enum {
    OPT_COUNT = 256,
    OPT_BASE_PORT,
    OPT_ADDRESS,
    OPT_PER_ADDRESS,
    OPT_USER,
    OPT_PASSWORD_FILE,
    OPT_PRIV,
    OPT_CIPHERS,
    OPT_SESSION_LIMIT,
    OPT_SESSION_TIMEOUT,
    OPT_SEED,
    OPT_PROFILE,
    OPT_TICK,
    OPT_PET_DEST,
    OPT_PET_COMMUNITY,
    OPT_PET_RETRIES,
    OPT_PET_RETRY_INTERVAL,
    OPT_CONTROL,
    OPT_PID_FILE,
    OPT_FAULT,
    OPT_DROP,
    OPT_DUP,
    OPT_REORDER,
    OPT_DELAY,
    OPT_JITTER,
    OPT_BUSY,
    OPT_TRUNCATE,
    OPT_MALFORMED,
    OPT_SLOW,
    OPT_SLOW_MS,
    OPT_IMPOSTOR,
    OPT_REFUSE_AFTER,
};

static const struct option long_opts[] = {
    {"count", required_argument, NULL, OPT_COUNT},
    {"base-port", required_argument, NULL, OPT_BASE_PORT},
    {"address", required_argument, NULL, OPT_ADDRESS},
    {"per-address", required_argument, NULL, OPT_PER_ADDRESS},
    {"user", required_argument, NULL, OPT_USER},
    {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
    {"priv", required_argument, NULL, OPT_PRIV},
    {"ciphers", required_argument, NULL, OPT_CIPHERS},
    {"session-limit", required_argument, NULL, OPT_SESSION_LIMIT},
    {"session-timeout", required_argument, NULL, OPT_SESSION_TIMEOUT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"tick-ms", required_argument, NULL, OPT_TICK},
    {"pet-dest", required_argument, NULL, OPT_PET_DEST},
    {"pet-community", required_argument, NULL, OPT_PET_COMMUNITY},
    {"pet-retries", required_argument, NULL, OPT_PET_RETRIES},
    {"pet-retry-interval", required_argument, NULL, OPT_PET_RETRY_INTERVAL},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"drop", required_argument, NULL, OPT_DROP},
    {"duplicate", required_argument, NULL, OPT_DUP},
    {"reorder", required_argument, NULL, OPT_REORDER},
    {"delay", required_argument, NULL, OPT_DELAY},
    {"jitter", required_argument, NULL, OPT_JITTER},
    {"busy", required_argument, NULL, OPT_BUSY},
    {"truncate", required_argument, NULL, OPT_TRUNCATE},
    {"malformed", required_argument, NULL, OPT_MALFORMED},
    {"slow", required_argument, NULL, OPT_SLOW},
    {"slow-ms", required_argument, NULL, OPT_SLOW_MS},
    {"impostor", no_argument, NULL, OPT_IMPOSTOR},
    {"refuse-after", required_argument, NULL, OPT_REFUSE_AFTER},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static unsigned long parse_ulong(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi)
        fatal("--%s: expected a number in %lu..%lu, got '%s'", opt, lo, hi, s);
    return v;
}

static uint8_t parse_priv(const char *s)
{
    if (!strcasecmp(s, "user"))
        return IPMI_PRIV_USER;
    if (!strcasecmp(s, "operator"))
        return IPMI_PRIV_OPERATOR;
    if (!strcasecmp(s, "admin") || !strcasecmp(s, "administrator"))
        return IPMI_PRIV_ADMIN;
    fatal("--priv: expected user, operator or admin, got '%s'", s);
}

static void parse_ciphers(struct fleet *f, const char *list)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", list);
    f->nsuites = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        unsigned long id = parse_ulong("ciphers", tok, 0, 255);
        if (id != 1 && id != 2 && id != 3 && id != 17)
            fatal("--ciphers: suite %lu is not simulated (only 17, 3, 2 and 1)", id);
        if (f->nsuites == sizeof(f->suites))
            fatal("--ciphers: too many suites");
        f->suites[f->nsuites++] = (uint8_t)id;
    }
    if (f->nsuites == 0)
        fatal("--ciphers: empty list");
}

/* Read the password: a regular file that nobody but its owner can read. */
static void read_password(struct fleet *f, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        fatal("--password-file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        fatal("--password-file %s: not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        fatal("--password-file %s: mode %03o lets others read it; chmod 600 it", path,
              (unsigned)(st.st_mode & 0777));
    }
    char buf[128];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        fatal("--password-file %s: %s", path, strerror(errno));
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    size_t len = strlen(buf);
    if (len == 0 || len > BMCSIM_MAX_PASS) {
        memset(buf, 0, sizeof(buf));
        fatal("--password-file %s: the password must be 1..%d bytes", path, BMCSIM_MAX_PASS);
    }
    memcpy(f->pass, buf, len);
    f->plen = len;
    memset(buf, 0, sizeof(buf));
}

static void parse_pet_dest(struct fleet *f, const char *s)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host))
        fatal("--pet-dest: expected HOST:PORT, got '%s'", s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    unsigned long port = parse_ulong("pet-dest", colon + 1, 1, 65535);
    f->pet_dest.sin_family = AF_INET;
    f->pet_dest.sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &f->pet_dest.sin_addr) != 1)
        fatal("--pet-dest: '%s' is not an IPv4 address", host);
    if ((ntohl(f->pet_dest.sin_addr.s_addr) >> 24) != 127)
        fatal("--pet-dest: %s is not a loopback (127.0.0.0/8) address", host);
    f->pet_enabled = true;
}

static void fault_opt(struct fleet *f, const char *key, const char *val)
{
    char kv[96], err[160];
    if (val)
        snprintf(kv, sizeof(kv), "%s=%s", key, val);
    else
        snprintf(kv, sizeof(kv), "%s", key);
    if (faults_set(&f->faults, kv, err, sizeof(err)) < 0)
        fatal("%s", err);
}

struct cli {
    const char *password_file, *profile, *control, *pid_file;
    bool have_count, have_port;
};

static void parse_args(struct fleet *f, struct cli *cli, int argc, char **argv)
{
    int c;
    while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_COUNT:
            f->count = (uint32_t)parse_ulong("count", optarg, 1, BMCSIM_MAX_BMCS);
            cli->have_count = true;
            break;
        case OPT_BASE_PORT:
            f->base_port = (uint16_t)parse_ulong("base-port", optarg, 1024, 65535);
            cli->have_port = true;
            break;
        case OPT_ADDRESS:
            if (inet_pton(AF_INET, optarg, &f->address) != 1)
                fatal("--address: '%s' is not an IPv4 address", optarg);
            /* fake BMCs with a known password belong on loopback only */
            if ((ntohl(f->address.s_addr) >> 24) != 127)
                fatal("--address: %s is not a loopback (127.0.0.0/8) address", optarg);
            break;
        case OPT_PER_ADDRESS:
            f->per_address = (uint32_t)parse_ulong("per-address", optarg, 1, 64511);
            break;
        case OPT_USER:
            if (strlen(optarg) > BMCSIM_MAX_USER)
                fatal("--user: at most %d bytes", BMCSIM_MAX_USER);
            snprintf(f->user, sizeof(f->user), "%s", optarg);
            break;
        case OPT_PASSWORD_FILE:
            cli->password_file = optarg;
            break;
        case OPT_PRIV:
            f->user_priv = parse_priv(optarg);
            break;
        case OPT_CIPHERS:
            parse_ciphers(f, optarg);
            break;
        case OPT_SESSION_LIMIT:
            f->session_limit = (unsigned)parse_ulong("session-limit", optarg, 1, 64);
            break;
        case OPT_SESSION_TIMEOUT:
            f->session_timeout_s = (unsigned)parse_ulong("session-timeout", optarg, 1, 86400);
            break;
        case OPT_SEED:
            f->seed = (uint64_t)strtoull(optarg, NULL, 0);
            break;
        case OPT_PROFILE:
            cli->profile = optarg;
            break;
        case OPT_TICK:
            f->tick_ms = (unsigned)parse_ulong("tick-ms", optarg, 0, 3600000);
            if (f->tick_ms && f->tick_ms < TICK_SLICE_MS)
                f->tick_ms = TICK_SLICE_MS;
            break;
        case OPT_PET_DEST:
            parse_pet_dest(f, optarg);
            break;
        case OPT_PET_COMMUNITY:
            snprintf(f->pet_community, sizeof(f->pet_community), "%s", optarg);
            break;
        case OPT_PET_RETRIES:
            f->pet_retries = (unsigned)parse_ulong("pet-retries", optarg, 0, 100);
            break;
        case OPT_PET_RETRY_INTERVAL:
            f->pet_retry_ms = (unsigned)parse_ulong("pet-retry-interval", optarg, 10, 600000);
            break;
        case OPT_CONTROL:
            cli->control = optarg;
            break;
        case OPT_PID_FILE:
            cli->pid_file = optarg;
            break;
        case OPT_FAULT:
            fault_opt(f, optarg, NULL);
            break;
        case OPT_DROP:
            fault_opt(f, "drop", optarg);
            break;
        case OPT_DUP:
            fault_opt(f, "dup", optarg);
            break;
        case OPT_REORDER:
            fault_opt(f, "reorder", optarg);
            break;
        case OPT_DELAY:
            fault_opt(f, "delay", optarg);
            break;
        case OPT_JITTER:
            fault_opt(f, "jitter", optarg);
            break;
        case OPT_BUSY:
            fault_opt(f, "busy", optarg);
            break;
        case OPT_TRUNCATE:
            fault_opt(f, "truncate", optarg);
            break;
        case OPT_MALFORMED:
            fault_opt(f, "malformed", optarg);
            break;
        case OPT_SLOW:
            fault_opt(f, "slow", optarg);
            break;
        case OPT_SLOW_MS:
            fault_opt(f, "slow-ms", optarg);
            break;
        case OPT_IMPOSTOR:
            fault_opt(f, "impostor", NULL);
            break;
        case OPT_REFUSE_AFTER:
            fault_opt(f, "refuse-after", optarg);
            break;
        case 'v':
            f->verbose++;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(2);
        }
    }
    if (optind < argc)
        fatal("unexpected argument '%s' (see --help)", argv[optind]);
    if (!cli->have_count || !cli->have_port || !cli->password_file)
        fatal("--count, --base-port and --password-file are required (see --help)");
    uint32_t span =
        f->per_address ? (f->count < f->per_address ? f->count : f->per_address) : f->count;
    if ((uint32_t)f->base_port + span - 1 > 65535)
        fatal("--base-port %u + %u BMCs runs past port 65535 (use --per-address)",
              (unsigned)f->base_port, (unsigned)span);
    if (f->per_address) {
        uint32_t naddr = (f->count + f->per_address - 1) / f->per_address;
        uint32_t first = ntohl(f->address.s_addr);
        if ((first >> 24) == 127 && ((first + naddr - 1) >> 24) != 127)
            fatal("--per-address: %u addresses from the base run out of 127.0.0.0/8",
                  (unsigned)naddr);
    }
}

/* ---- start-up and shutdown ------------------------------------------- */

static void write_pid_file(const char *path)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        fatal("--pid-file %s: %s", path, strerror(errno));
    fprintf(fp, "%ld\n", (long)getpid());
    if (fclose(fp) != 0)
        fatal("--pid-file %s: %s", path, strerror(errno));
}

static void fleet_free(struct fleet *f)
{
    ctl_close(f);
    pet_shutdown(f);
    if (f->loop)
        delayed_free_all(f);
    if (f->bmcs) {
        for (uint32_t i = 0; i < f->count; i++) {
            struct bmc *b = &f->bmcs[i];
            if (b->fd >= 0)
                close(b->fd);
            sim_state_free(b->st);
            free(b->sess);
            free(b->cmds);
            free(b->faults);
        }
        free(f->bmcs);
    }
    sim_profile_free(f->profile);
    if (f->sigfd >= 0)
        close(f->sigfd);
    ev_free(f->loop);
    memset(f->pass, 0, sizeof(f->pass));
}

static void ready_line(const struct fleet *f)
{
    char a0[INET_ADDRSTRLEN], a1[INET_ADDRSTRLEN];
    struct in_addr last_addr;
    uint16_t last_port, first_port = f->base_port;
    bmc_place(f, f->count - 1, &last_addr, &last_port);
    inet_ntop(AF_INET, &f->address, a0, sizeof(a0));
    inet_ntop(AF_INET, &last_addr, a1, sizeof(a1));
    if (f->per_address && f->count > f->per_address)
        last_port = (uint16_t)(f->base_port + f->per_address - 1);
    if (last_addr.s_addr != f->address.s_addr)
        printf("bmcsim: ready: %u BMCs on %s-%s:%u-%u\n", (unsigned)f->count, a0, a1,
               (unsigned)first_port, (unsigned)last_port);
    else
        printf("bmcsim: ready: %u BMCs on %s:%u-%u\n", (unsigned)f->count, a0, (unsigned)first_port,
               (unsigned)last_port);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static struct fleet fleet; /* big (command counters): keep it off the stack */
    struct fleet *f = &fleet;
    struct cli cli = {0};
    char err[256];

    log_init("bmcsim", 0, LOG_LVL_NOTICE);
    f->sigfd = -1;
    f->address.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(f->user, sizeof(f->user), "admin");
    f->user_priv = IPMI_PRIV_ADMIN;
    f->session_limit = 4;
    f->session_timeout_s = 60;
    f->seed = 1;
    f->tick_ms = 1000;
    f->pet_retry_ms = 1000;
    snprintf(f->pet_community, sizeof(f->pet_community), "public");
    faults_default(&f->faults);
    parse_ciphers(f, "17,3,2,1");
    parse_args(f, &cli, argc, argv);
    f->ulen = strlen(f->user);
    if (f->verbose)
        log_set_level(f->verbose > 1 ? LOG_LVL_DEBUG : LOG_LVL_INFO);
    read_password(f, cli.password_file);

    /* N sockets + stdio, epoll, signalfd, control socket and its clients */
    if (raise_nofile((rlim_t)f->count + 32, err, sizeof(err)) < 0)
        fatal("%s", err);

    f->profile = sim_profile_load(cli.profile, err, sizeof(err));
    if (!f->profile)
        fatal("profile %s: %s", cli.profile ? cli.profile : "(built-in)", err);
    f->loop = ev_new();
    if (!f->loop)
        fatal("cannot create the event loop: %s", strerror(errno));
    f->start_ns = ev_now(f->loop);
    uint64_t seed_state = f->seed;
    f->fault_rng = bs_splitmix64(&seed_state) | 1;
    learn_content(f);

    f->bmcs = calloc(f->count, sizeof(*f->bmcs));
    if (!f->bmcs)
        fatal("out of memory for %u BMCs", (unsigned)f->count);
    for (uint32_t i = 0; i < f->count; i++)
        f->bmcs[i].fd = -1;
    for (uint32_t i = 0; i < f->count; i++) {
        struct bmc *b = &f->bmcs[i];
        b->fleet = f;
        b->index = i;
        uint64_t s = f->seed ^ ((uint64_t)i * 0xD1B54A32D192ED03ULL);
        b->rng = bs_splitmix64(&s) | 1; /* xorshift must not start at 0 */
        bmc_place(f, i, &b->addr, &b->port);
        b->st = sim_state_new(f->profile, i, f->seed);
        if (!b->st) {
            fleet_free(f);
            fatal("out of memory for BMC %u's state", (unsigned)i);
        }
        if (open_bmc_socket(b, err, sizeof(err)) < 0 ||
            ev_add_fd(f->loop, b->fd, EPOLLIN, on_udp, b) < 0) {
            fleet_free(f);
            fatal("%s", err[0] ? err : "epoll_ctl failed");
        }
    }

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    f->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (f->sigfd < 0 || ev_add_fd(f->loop, f->sigfd, EPOLLIN, on_signal, f) < 0) {
        fleet_free(f);
        fatal("signalfd: %s", strerror(errno));
    }
    if (f->pet_enabled && pet_init(f, err, sizeof(err)) < 0) {
        fleet_free(f);
        fatal("PET: %s", err);
    }
    if (cli.control && ctl_open(f, cli.control, err, sizeof(err)) < 0) {
        fleet_free(f);
        fatal("--control %s: %s", cli.control, err);
    }
    if (f->tick_ms) {
        ev_timer_init(&f->tick_timer, on_tick, f);
        ev_timer_start(f->loop, &f->tick_timer, TICK_SLICE_MS * EV_NS_PER_MS);
    }
    if (cli.pid_file)
        write_pid_file(cli.pid_file);
    ready_line(f);

    int rc = ev_run(f->loop) < 0 ? 1 : 0;
    if (rc)
        log_err("event loop failed: %s", strerror(errno));
    log_info("stopping");
    if (f->tick_ms)
        ev_timer_stop(f->loop, &f->tick_timer);
    fleet_free(f);
    if (cli.pid_file)
        unlink(cli.pid_file);
    return rc;
}
