/*
 * bmcsim_ctl.c - the control socket: a unix stream socket speaking lines.
 * Each request is one line of words ("double quotes" keep a word's spaces:
 * set-sensor 0 "CPU1 Temp" 90); the answer is zero or more data lines
 * followed by "OK" or "ERR <reason>".  Connections are non-blocking and
 * served by the same loop as the BMCs.
 */
#include "bmcsim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define CTL_LINE_MAX  1024
#define CTL_MAX_CONNS 32
#define CTL_MAX_WORDS 16

struct ctl_conn {
    struct ctl_conn *prev, *next;
    struct fleet *f;
    int fd;
    bool closing;
    size_t inlen;
    char in[CTL_LINE_MAX];
    char *out;
    size_t outlen, outoff, outcap;
};

struct ctl {
    int lfd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct ctl_conn *conns;
    unsigned nconns;
};

/* ---- output buffer ------------------------------------------------------ */

static void out_printf(struct ctl_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out_printf(struct ctl_conn *c, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = c->outcap - c->outlen;
        va_start(ap, fmt);
        int n = c->out ? vsnprintf(c->out + c->outlen, room, fmt, ap) : -1;
        va_end(ap);
        if (n >= 0 && (size_t)n < room) {
            c->outlen += (size_t)n;
            return;
        }
        size_t need = c->outlen + (n > 0 ? (size_t)n : 0) + 1;
        size_t cap = c->outcap ? c->outcap * 2 : 4096;
        while (cap < need)
            cap *= 2;
        if (cap > (64u << 20)) /* a runaway answer: stop growing */
            return;
        char *p = realloc(c->out, cap);
        if (!p)
            return;
        c->out = p;
        c->outcap = cap;
    }
}

/* ---- argument helpers ------------------------------------------------- */

/* "all", "N" or "A-B" into [lo, hi]. */
static int parse_sel(const struct fleet *f, const char *s, uint32_t *lo, uint32_t *hi)
{
    if (!strcmp(s, "all")) {
        *lo = 0;
        *hi = f->count - 1;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long a = strtoul(s, &end, 10), b = a;
    if (errno || end == s || s[0] == '-')
        return -1;
    if (*end == '-') {
        const char *t = end + 1;
        b = strtoul(t, &end, 10);
        if (end == t)
            return -1;
    }
    if (*end != '\0' || a > b || b >= f->count)
        return -1;
    *lo = (uint32_t)a;
    *hi = (uint32_t)b;
    return 0;
}

static int parse_bmc(const struct fleet *f, const char *s, struct bmc **out)
{
    uint32_t lo, hi;
    if (parse_sel(f, s, &lo, &hi) < 0 || lo != hi)
        return -1;
    *out = &f->bmcs[lo];
    return 0;
}

static int parse_byte(const char *s, uint8_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end != '\0' || v > 255)
        return -1;
    *out = (uint8_t)v;
    return 0;
}

/* ---- commands ---------------------------------------------------------- */

static void cmd_help(struct ctl_conn *c)
{
    out_printf(c, "help                                 this list\n"
                  "info                                 fleet parameters\n"
                  "counters [SEL]                       counters summed over SEL (default all)\n"
                  "set-sensor BMC SENSOR VALUE          SENSOR: name or number\n"
                  "inject-event BMC TYPE NUM EVDIR D1 [D2 [D3]]  add a SEL event (PET if enabled)\n"
                  "reboot SEL [SECONDS]                 drop sessions; stay silent SECONDS\n"
                  "fault SEL KEY=VALUE...|clear|inherit change faults (SEL all: fleet default)\n"
                  "faults [BMC]                         effective faults\n"
                  "sessions BMC                         the BMC's session table\n"
                  "dump-sensors|dump-sel|dump-fru|dump-device BMC   what the BMC believes\n"
                  "dump-chassis BMC                     power, identify, boot flags\n"
                  "shutdown                             stop the simulator\n"
                  "quit                                 close this connection\n"
                  "SEL is all, N or A-B (0-based BMC indexes)\n");
}

static void cmd_info(struct ctl_conn *c)
{
    const struct fleet *f = c->f;
    char a[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &f->address, a, sizeof(a));
    out_printf(c, "count=%u\nbase_port=%u\naddress=%s\nper_address=%u\nseed=%llu\n",
               (unsigned)f->count, (unsigned)f->base_port, a, (unsigned)f->per_address,
               (unsigned long long)f->seed);
    out_printf(c, "session_limit=%u\nsession_timeout=%u\nsensors=%zu\nuptime=%llu\n",
               f->session_limit, f->session_timeout_s, sim_profile_sensor_count(f->profile),
               (unsigned long long)fleet_now_s(f));
    out_printf(c, "pet=%s\npet_retries=%u\npet_retry_interval=%u\n", f->pet_enabled ? "on" : "off",
               f->pet_retries, f->pet_retry_ms);
    /* what one BMC costs us, for the benchmark: our struct, the content
     * module's state, and a session table once a client has logged in */
    size_t state = f->count ? sim_state_bytes(f->bmcs[0].st) : 0;
    out_printf(c, "bmc_bytes=%zu\nstate_bytes=%zu\nsession_table_bytes=%zu\n", sizeof(struct bmc),
               state, (size_t)f->session_limit * sizeof(struct session));
}

static void cmd_counters(struct ctl_conn *c, int argc, char **argv)
{
    struct fleet *f = c->f;
    uint32_t lo = 0, hi = f->count - 1;
    if (argc > 1 && parse_sel(f, argv[1], &lo, &hi) < 0) {
        out_printf(c, "ERR bad BMC selection '%s'\n", argv[1]);
        return;
    }
    struct bmc_counters t;
    struct sim_content_counters cc = {0};
    uint64_t active = 0, attempts = 0, sum[sizeof(t) / sizeof(uint32_t)];
    memset(sum, 0, sizeof(sum));
    for (uint32_t i = lo; i <= hi; i++) {
        const struct bmc *b = &f->bmcs[i];
        const uint32_t *v = (const uint32_t *)&b->c;
        for (size_t k = 0; k < sizeof(t) / sizeof(uint32_t); k++)
            sum[k] += v[k];
        active += bmc_sessions_active(b);
        attempts += b->login_attempts;
        struct sim_content_counters one;
        sim_content_counters(b->st, &one);
        cc.get_sdr += one.get_sdr;
        cc.get_sensor_reading += one.get_sensor_reading;
        cc.read_fru += one.read_fru;
        cc.get_sel_entry += one.get_sel_entry;
        cc.other += one.other;
        cc.chassis_control += one.chassis_control;
        cc.identify += one.identify;
        cc.set_boot_options += one.set_boot_options;
        cc.boot_flags_writes += one.boot_flags_writes;
    }
#define FIELD(name) sum[offsetof(struct bmc_counters, name) / sizeof(uint32_t)]
    out_printf(c, "bmcs=%u\n", (unsigned)(hi - lo + 1));
    out_printf(c, "rx=%llu\ntx=%llu\nbad_packets=%llu\nrequests=%llu\n",
               (unsigned long long)FIELD(rx), (unsigned long long)FIELD(tx),
               (unsigned long long)FIELD(bad_packets), (unsigned long long)FIELD(requests));
    out_printf(c, "sessions_opened=%llu\nsessions_closed=%llu\nsessions_expired=%llu\n",
               (unsigned long long)FIELD(sessions_opened),
               (unsigned long long)FIELD(sessions_closed),
               (unsigned long long)FIELD(sessions_expired));
    out_printf(c, "sessions_refused=%llu\nsessions_abandoned=%llu\nsessions_active=%llu\n",
               (unsigned long long)FIELD(sessions_refused),
               (unsigned long long)FIELD(sessions_abandoned), (unsigned long long)active);
    out_printf(c, "logins_failed=%llu\n", (unsigned long long)FIELD(logins_failed));
    out_printf(c, "login_attempts=%llu\n", (unsigned long long)attempts); /* RAKP 1 received */
    out_printf(c, "asf_pings=%llu\n", (unsigned long long)FIELD(asf_pings));
    out_printf(c, "seq_rejects=%llu\npets_sent=%llu\npets_resent=%llu\npets_acked=%llu\n",
               (unsigned long long)FIELD(seq_rejects), (unsigned long long)FIELD(pets_sent),
               (unsigned long long)FIELD(pets_resent), (unsigned long long)FIELD(pets_acked));
    for (unsigned k = 0; k < FK__COUNT; k++)
        out_printf(
            c, "fault_%s=%llu\n", fault_kind_name(k),
            (unsigned long long)sum[offsetof(struct bmc_counters, faults) / sizeof(uint32_t) + k]);
#undef FIELD
    out_printf(c, "content_get_sdr=%llu\ncontent_get_sensor_reading=%llu\ncontent_read_fru=%llu\n",
               (unsigned long long)cc.get_sdr, (unsigned long long)cc.get_sensor_reading,
               (unsigned long long)cc.read_fru);
    out_printf(c, "content_get_sel_entry=%llu\ncontent_other=%llu\n",
               (unsigned long long)cc.get_sel_entry, (unsigned long long)cc.other);
    out_printf(
        c,
        "content_chassis_control=%llu\ncontent_identify=%llu\ncontent_set_boot_options=%llu\n"
        "content_boot_flags_writes=%llu\n",
        (unsigned long long)cc.chassis_control, (unsigned long long)cc.identify,
        (unsigned long long)cc.set_boot_options, (unsigned long long)cc.boot_flags_writes);
    if (lo == 0 && hi == f->count - 1) {
        out_printf(c, "pet_unmatched_acks=%llu\n", (unsigned long long)f->pet_unmatched_acks);
        out_printf(c, "logins_pending=%u\nlogins_pending_max=%u\n", f->logins_pending,
                   f->logins_pending_max);
        for (unsigned nf = 0; nf < 64; nf++)
            for (unsigned cmd = 0; cmd < 256; cmd++)
                if (f->cmd_total[nf][cmd])
                    out_printf(c, "cmd_%02x_%02x=%llu\n", nf, cmd,
                               (unsigned long long)f->cmd_total[nf][cmd]);
    } else {
        /* requests by command over the selection: small per-BMC tables */
        static uint64_t agg[64][256];
        memset(agg, 0, sizeof(agg));
        for (uint32_t i = lo; i <= hi; i++) {
            const struct bmc *b = &f->bmcs[i];
            for (uint16_t k = 0; k < b->ncmds; k++)
                agg[b->cmds[k].netfn & 0x3f][b->cmds[k].cmd] += b->cmds[k].n;
        }
        for (unsigned nf = 0; nf < 64; nf++)
            for (unsigned cmd = 0; cmd < 256; cmd++)
                if (agg[nf][cmd])
                    out_printf(c, "cmd_%02x_%02x=%llu\n", nf, cmd,
                               (unsigned long long)agg[nf][cmd]);
    }
    out_printf(c, "OK\n");
}

static void cmd_set_sensor(struct ctl_conn *c, int argc, char **argv)
{
    struct fleet *f = c->f;
    struct bmc *b;
    char err[160] = "";
    if (argc != 4 || parse_bmc(f, argv[1], &b) < 0) {
        out_printf(c, "ERR usage: set-sensor BMC SENSOR VALUE\n");
        return;
    }
    char *end;
    double v = strtod(argv[3], &end);
    if (end == argv[3] || *end) {
        out_printf(c, "ERR bad value '%s'\n", argv[3]);
        return;
    }
    struct sim_event ev[BMCSIM_MAX_EVENTS];
    size_t nev = 0;
    if (sim_set_sensor(b->st, f->profile, argv[2], v, fleet_now_s(f), ev, BMCSIM_MAX_EVENTS, &nev,
                       err, sizeof(err)) < 0) {
        out_printf(c, "ERR %s\n", err[0] ? err : "set-sensor failed");
        return;
    }
    bmc_events(b, ev, nev);
    out_printf(c, "events=%zu\n", nev);
    for (size_t i = 0; i < nev; i++)
        out_printf(c, "record=%u\n", ev[i].record_id);
    out_printf(c, "OK\n");
}

static void cmd_inject(struct ctl_conn *c, int argc, char **argv)
{
    struct fleet *f = c->f;
    struct bmc *b;
    uint8_t stype, snum, evdir, d[3] = {0, 0xff, 0xff};
    char err[160] = "";
    if (argc < 6 || argc > 8 || parse_bmc(f, argv[1], &b) < 0 || parse_byte(argv[2], &stype) < 0 ||
        parse_byte(argv[3], &snum) < 0 || parse_byte(argv[4], &evdir) < 0 ||
        parse_byte(argv[5], &d[0]) < 0 || (argc > 6 && parse_byte(argv[6], &d[1]) < 0) ||
        (argc > 7 && parse_byte(argv[7], &d[2]) < 0)) {
        out_printf(c, "ERR usage: inject-event BMC SENSOR_TYPE SENSOR_NUM EVENT_DIR_TYPE D1 "
                      "[D2 [D3]]\n");
        return;
    }
    struct sim_event ev;
    if (sim_inject_event(b->st, f->profile, fleet_now_s(f), stype, snum, evdir, d, &ev, err,
                         sizeof(err)) < 0) {
        out_printf(c, "ERR %s\n", err[0] ? err : "inject-event failed");
        return;
    }
    bmc_events(b, &ev, 1);
    uint32_t specific = (uint32_t)stype << 16 | (uint32_t)(evdir & 0x7f) << 8 |
                        ((evdir & 0x80) ? 0x80u : 0u) | (d[0] & 0x0fu);
    out_printf(c, "record=%u\nspecific=%u\nOK\n", ev.record_id, (unsigned)specific);
}

static void cmd_reboot(struct ctl_conn *c, int argc, char **argv)
{
    struct fleet *f = c->f;
    uint32_t lo, hi;
    unsigned long secs = 0;
    if (argc < 2 || argc > 3 || parse_sel(f, argv[1], &lo, &hi) < 0) {
        out_printf(c, "ERR usage: reboot SEL [SECONDS]\n");
        return;
    }
    if (argc == 3) {
        char *end;
        secs = strtoul(argv[2], &end, 10);
        if (*end || end == argv[2] || secs > 86400) {
            out_printf(c, "ERR bad SECONDS '%s'\n", argv[2]);
            return;
        }
    }
    uint64_t now = fleet_now_s(f);
    for (uint32_t i = lo; i <= hi; i++) {
        struct bmc *b = &f->bmcs[i];
        bmc_drop_sessions(b);
        delayed_drop_bmc(f, b);
        pet_drop_bmc(f, b);
        b->login_attempts = 0;
        b->down_until_s = secs ? (uint32_t)(now + secs) : 0;
    }
    out_printf(c, "rebooted=%u\nOK\n", (unsigned)(hi - lo + 1));
}

static void cmd_fault(struct ctl_conn *c, int argc, char **argv)
{
    struct fleet *f = c->f;
    uint32_t lo, hi;
    char err[200];
    if (argc < 3 || parse_sel(f, argv[1], &lo, &hi) < 0) {
        out_printf(c, "ERR usage: fault SEL KEY=VALUE...|clear|inherit\n");
        return;
    }
    bool fleet_wide = !strcmp(argv[1], "all");
    if (fleet_wide) {
        struct faults nf = f->faults;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "inherit")) {
                out_printf(c, "ERR inherit applies to single BMCs\n");
                return;
            }
            if (faults_set(&nf, argv[i], err, sizeof(err)) < 0) {
                out_printf(c, "ERR %s\n", err);
                return;
            }
        }
        f->faults = nf;
        /* "all" resets every BMC to the fleet setting */
        for (uint32_t i = 0; i < f->count; i++) {
            free(f->bmcs[i].faults);
            f->bmcs[i].faults = NULL;
        }
        faults_format(&f->faults, err, sizeof(err));
        out_printf(c, "%s\nOK\n", err);
        return;
    }
    if (argc == 3 && !strcmp(argv[2], "inherit")) {
        for (uint32_t i = lo; i <= hi; i++) {
            free(f->bmcs[i].faults);
            f->bmcs[i].faults = NULL;
        }
        out_printf(c, "OK\n");
        return;
    }
    /* validate once against a scratch copy, then apply to the selection */
    struct faults probe = f->faults;
    for (int i = 2; i < argc; i++)
        if (faults_set(&probe, argv[i], err, sizeof(err)) < 0) {
            out_printf(c, "ERR %s\n", err);
            return;
        }
    for (uint32_t i = lo; i <= hi; i++) {
        struct bmc *b = &f->bmcs[i];
        if (!b->faults) {
            b->faults = malloc(sizeof(*b->faults));
            if (!b->faults) {
                out_printf(c, "ERR out of memory\n");
                return;
            }
            *b->faults = f->faults;
        }
        for (int k = 2; k < argc; k++)
            faults_set(b->faults, argv[k], err, sizeof(err));
    }
    faults_format(bmc_faults(&f->bmcs[lo]), err, sizeof(err));
    out_printf(c, "%s\nOK\n", err);
}

static void cmd_faults(struct ctl_conn *c, int argc, char **argv)
{
    struct fleet *f = c->f;
    char buf[256];
    if (argc > 1 && strcmp(argv[1], "all") != 0) {
        struct bmc *b;
        if (parse_bmc(f, argv[1], &b) < 0) {
            out_printf(c, "ERR bad BMC '%s'\n", argv[1]);
            return;
        }
        faults_format(bmc_faults(b), buf, sizeof(buf));
        out_printf(c, "%s%s\nOK\n", buf, b->faults ? " (own)" : " (fleet)");
        return;
    }
    faults_format(&f->faults, buf, sizeof(buf));
    unsigned own = 0;
    for (uint32_t i = 0; i < f->count; i++)
        own += f->bmcs[i].faults != NULL;
    out_printf(c, "%s\nbmcs_with_own_faults=%u\nOK\n", buf, own);
}

static const char *state_name(uint8_t s)
{
    switch (s) {
    case SS_OPEN:
        return "open";
    case SS_RAKP2:
        return "rakp2";
    case SS_ACTIVE:
        return "active";
    default:
        return "free";
    }
}

static void cmd_sessions(struct ctl_conn *c, int argc, char **argv)
{
    struct fleet *f = c->f;
    struct bmc *b;
    if (argc != 2 || parse_bmc(f, argv[1], &b) < 0) {
        out_printf(c, "ERR usage: sessions BMC\n");
        return;
    }
    uint64_t now = fleet_now_s(f);
    for (unsigned i = 0; b->sess && i < f->session_limit; i++) {
        const struct session *s = &b->sess[i];
        if (s->state == SS_FREE)
            continue;
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &s->peer.sin_addr, a, sizeof(a));
        out_printf(c,
                   "slot=%u state=%s suite=%u bmc_sid=0x%08x console_sid=0x%08x priv=%u "
                   "max_priv=%u peer=%s:%u idle=%llu in_seq=%u out_seq=%u\n",
                   i, state_name(s->state), s->suite_id, (unsigned)s->bmc_sid,
                   (unsigned)s->console_sid, s->priv, s->max_priv, a,
                   (unsigned)ntohs(s->peer.sin_port), (unsigned long long)(now - s->last_s),
                   (unsigned)s->in_hi, (unsigned)s->out_seq);
    }
    out_printf(c, "login_attempts=%u\nOK\n", (unsigned)b->login_attempts);
}

static void emit_line(void *ctx, const char *line)
{
    out_printf(ctx, "%s\n", line);
}

static void cmd_dump(struct ctl_conn *c, int argc, char **argv)
{
    struct bmc *b;
    if (argc != 2 || parse_bmc(c->f, argv[1], &b) < 0) {
        out_printf(c, "ERR usage: %s BMC\n", argv[0]);
        return;
    }
    ctl_dump(c->f, b, argv[0] + 5, emit_line, c);
}

/* Split a line into words in place; "double quotes" keep spaces in a word. */
static int split_words(char *p, char **argv, int max)
{
    int argc = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (*p == '\0')
            return argc;
        if (argc == max)
            return -1;
        char *out = p;
        argv[argc++] = out;
        bool quoted = false;
        for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\r')); p++) {
            if (*p == '"')
                quoted = !quoted;
            else
                *out++ = *p;
        }
        if (quoted)
            return -1;
        bool end = *p == '\0';
        *out = '\0';
        if (end)
            return argc;
        p++;
    }
}

static void execute(struct ctl_conn *c, char *line)
{
    char *argv[CTL_MAX_WORDS];
    int argc = split_words(line, argv, CTL_MAX_WORDS);
    if (argc < 0) {
        out_printf(c, "ERR unbalanced quotes or too many words\n");
        return;
    }
    if (argc == 0)
        return;
    const char *cmd = argv[0];
    if (!strcmp(cmd, "help")) {
        cmd_help(c);
        out_printf(c, "OK\n");
    } else if (!strcmp(cmd, "info")) {
        cmd_info(c);
        out_printf(c, "OK\n");
    } else if (!strcmp(cmd, "counters")) {
        cmd_counters(c, argc, argv);
    } else if (!strcmp(cmd, "set-sensor")) {
        cmd_set_sensor(c, argc, argv);
    } else if (!strcmp(cmd, "inject-event")) {
        cmd_inject(c, argc, argv);
    } else if (!strcmp(cmd, "reboot")) {
        cmd_reboot(c, argc, argv);
    } else if (!strcmp(cmd, "fault")) {
        cmd_fault(c, argc, argv);
    } else if (!strcmp(cmd, "faults")) {
        cmd_faults(c, argc, argv);
    } else if (!strcmp(cmd, "sessions")) {
        cmd_sessions(c, argc, argv);
    } else if (!strcmp(cmd, "dump-sensors") || !strcmp(cmd, "dump-sel") ||
               !strcmp(cmd, "dump-fru") || !strcmp(cmd, "dump-device") ||
               !strcmp(cmd, "dump-chassis")) {
        cmd_dump(c, argc, argv);
    } else if (!strcmp(cmd, "shutdown")) {
        out_printf(c, "OK\n");
        ev_stop(c->f->loop);
    } else if (!strcmp(cmd, "quit")) {
        out_printf(c, "OK\n");
        c->closing = true;
    } else {
        out_printf(c, "ERR unknown command '%s' (try help)\n", cmd);
    }
}

/* ---- connections ------------------------------------------------------ */

static void conn_close(struct ctl *ctl, struct ctl_conn *c)
{
    ev_del_fd(c->f->loop, c->fd);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        ctl->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    ctl->nconns--;
    free(c->out);
    free(c);
}

static void on_conn(struct ev_loop *loop, int fd, uint32_t events, void *arg);

/* Write what we can; watch for writability only while something is queued. */
static int conn_flush(struct ctl_conn *c)
{
    while (c->outoff < c->outlen) {
        ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        c->outoff += (size_t)n;
    }
    if (c->outoff == c->outlen) {
        c->outoff = c->outlen = 0;
        ev_add_fd(c->f->loop, c->fd, EPOLLIN, on_conn, c);
        return c->closing ? -1 : 0;
    }
    ev_add_fd(c->f->loop, c->fd, EPOLLIN | EPOLLOUT, on_conn, c);
    return 0;
}

static void on_conn(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    struct ctl_conn *c = arg;
    struct ctl *ctl = c->f->ctl;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t n = recv(fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            if (c->outlen == c->outoff) {
                conn_close(ctl, c);
                return;
            }
            c->closing = true; /* flush the answer, then close */
        } else if (n > 0) {
            c->inlen += (size_t)n;
            char *nl;
            while (!c->closing && (nl = memchr(c->in, '\n', c->inlen))) {
                *nl = '\0';
                execute(c, c->in);
                size_t used = (size_t)(nl + 1 - c->in);
                memmove(c->in, nl + 1, c->inlen - used);
                c->inlen -= used;
            }
            if (c->inlen == sizeof(c->in)) {
                out_printf(c, "ERR line too long\n");
                c->closing = true;
            }
        }
    }
    if (conn_flush(c) < 0)
        conn_close(ctl, c);
}

static void on_accept(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)events;
    struct fleet *f = arg;
    struct ctl *ctl = f->ctl;
    for (;;) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
            return;
        if (ctl->nconns >= CTL_MAX_CONNS) {
            close(cfd);
            continue;
        }
        struct ctl_conn *c = calloc(1, sizeof(*c));
        if (!c) {
            close(cfd);
            continue;
        }
        c->f = f;
        c->fd = cfd;
        if (ev_add_fd(loop, cfd, EPOLLIN, on_conn, c) < 0) {
            close(cfd);
            free(c);
            continue;
        }
        c->next = ctl->conns;
        if (ctl->conns)
            ctl->conns->prev = c;
        ctl->conns = c;
        ctl->nconns++;
    }
}

int ctl_open(struct fleet *f, const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "path longer than %zu bytes", sizeof(sa.sun_path) - 1);
        return -1;
    }
    struct ctl *ctl = calloc(1, sizeof(*ctl));
    if (!ctl) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    snprintf(ctl->path, sizeof(ctl->path), "%s", path);
    ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ctl->lfd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        free(ctl);
        return -1;
    }
    /* a stale socket from a killed run is in the way: a live one answers */
    if (connect(ctl->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        snprintf(err, errlen, "another simulator is listening there");
        close(ctl->lfd);
        free(ctl);
        return -1;
    }
    close(ctl->lfd);
    unlink(path);
    ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ctl->lfd < 0 || bind(ctl->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(ctl->lfd, 16) < 0 || ev_add_fd(f->loop, ctl->lfd, EPOLLIN, on_accept, f) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        if (ctl->lfd >= 0)
            close(ctl->lfd);
        free(ctl);
        return -1;
    }
    f->ctl = ctl;
    return 0;
}

void ctl_close(struct fleet *f)
{
    struct ctl *ctl = f->ctl;
    if (!ctl)
        return;
    while (ctl->conns)
        conn_close(ctl, ctl->conns);
    ev_del_fd(f->loop, ctl->lfd);
    close(ctl->lfd);
    unlink(ctl->path);
    free(ctl);
    f->ctl = NULL;
}
