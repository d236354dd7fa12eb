/*
 * main.c - ipmi-snmp-bridge: command line, configuration, and the modes
 * (--check-config, --once, and without either the daemon: agent/daemon.c).
 * agent/ is the only layer that will include Net-SNMP.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "agentx.h"
#include "cfg.h"
#include "daemon.h"
#include "ev.h"
#include "events.h"
#include "log.h"
#include "notify.h"
#include "once.h"
#include "pet.h"
#include "pet_listener.h"
#include "store.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif
#define DEFAULT_CONFIG "/etc/ipmi-snmp-bridge/ipmi-snmp-bridge.conf"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: ipmi-snmp-bridge [-c FILE] [--check-config | --once [--json]\n"
            "                        [--polls N [--interval SECONDS | --step]]] [-v] [-q]\n"
            "\n"
            "Polls IPMI BMCs over IPMI 2.0 RMCP+ (lanplus) and serves what it reads to SNMP\n"
            "as a Net-SNMP AgentX subagent.  Without --once or --check-config it runs as a\n"
            "daemon in the foreground: SIGTERM/SIGINT stop it, SIGHUP reloads the\n"
            "configuration, SIGUSR1 writes the status-file.\n"
            "\n"
            "  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
            "      --check-config  validate the configuration and exit\n"
            "      --once          poll every configured BMC once, concurrently, print what\n"
            "                      was read and exit (status 1 if any BMC failed)\n"
            "      --json          with --once: print JSON instead of a table (with --polls,\n"
            "                      one compact JSON document per line, one per poll)\n"
            "      --polls N       with --once: poll N times in one process, keeping sessions,\n"
            "                      SDRs and SEL positions (each poll reads only new SEL entries)\n"
            "      --interval S    seconds between polls (default 10)\n"
            "      --step          between polls, wait for a line on standard input instead\n"
            "      --deadline S    with --once: stop polling after S seconds in all; BMCs not\n"
            "                      done by then are reported as timeout (default: from the\n"
            "                      timeouts and retries of the configuration)\n"
            "      --shard K/N     daemon: poll only shard K of N (overrides the shard key)\n"
            "      --allow-root    daemon: run as root although no `user` is configured\n"
            "      --no-agentx     daemon: do not connect to an AgentX master (poll, status\n"
            "                      file and logs only; e.g. tests without snmpd)\n"
            "  -v, --verbose       more log output (repeat for debug)\n"
            "  -q, --quiet         only errors\n"
            "  -h, --help          this help\n"
            "  -V, --version       print the version\n"
            "\n"
            "See ipmi-snmp-bridge(8) and ipmi-snmp-bridge.conf(5).\n");
}

/*
 * Passwords, K_G and the session keys derived from them (SIK, K1, K2) live
 * in this process's memory: no core file may hold them.  Not dumpable means
 * no core at all (with fs.suid_dumpable = 2, one only root can read) and no
 * ptrace attach by other processes of our user; a core size limit of 0
 * covers the plain core_pattern.  Done before anything secret is read.
 */
/* ---- the AgentX subagent in the daemon (daemon_hooks) ------------------------ */

struct agent_hook {
    bool off;          /* --no-agentx */
    struct agentx *ax; /* NULL: not started */
    /* ipmiBridgeScalars: PETs received/bad, notifications sent */
    struct agentx_counters counters;
    struct pet_listener *pl; /* bound in main() before anything else (port 162) */
    struct notify *nt;
    struct events *evs;
    struct store *store;
    char socket[sizeof(((struct cfg *)0)->agentx_socket)];
    bool standard_mibs; /* as started (a reload does not change it) */
    /* PET Acknowledge: BMCs that refused one (logged once each), by ipmiBmcIndex */
    uint8_t *ack_refused;
    size_t nack_refused;
    uint64_t acks_ok, acks_failed;
    bool ack_sessionless; /* pet-acknowledge = sessionless */
};

struct ack_req {
    struct agent_hook *h;
    uint32_t index;
    char label[200];
};

static void on_ack(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct ack_req *r = arg;
    struct agent_hook *h = r->h;
    if (rsp->err == BMC_E_NONE && rsp->cc == 0) {
        h->acks_ok++;
    } else {
        h->acks_failed++;
        if (r->index >= h->nack_refused) {
            size_t want = (size_t)r->index + 64;
            uint8_t *p = realloc(h->ack_refused, want);
            if (p) {
                memset(p + h->nack_refused, 0, want - h->nack_refused);
                h->ack_refused = p;
                h->nack_refused = want;
            }
        }
        if (r->index < h->nack_refused && !h->ack_refused[r->index]) {
            h->ack_refused[r->index] = 1;
            if (rsp->err == BMC_E_NONE)
                log_warn("%s: PET Acknowledge refused, completion code %02Xh (logged once; the "
                         "BMC may resend its PETs, each is notified once)",
                         r->label, rsp->cc);
            else
                log_warn("%s: PET Acknowledge not delivered: %s (logged once)", r->label,
                         bmc_error_word(rsp->err));
        }
    }
    free(r);
}

static void send_ack(void *arg, uint32_t index, const char *label, const uint8_t *req, size_t len)
{
    struct agent_hook *h = arg;
    if (h->ack_sessionless) { /* no session, no login: the engine counts the BMC's answer */
        if (daemon_bmc_send_sessionless(index, PET_ACK_NETFN, PET_ACK_CMD, req, len) < 0)
            h->acks_failed++;
        return;
    }
    struct ack_req *r = malloc(sizeof(*r));
    if (!r)
        return;
    *r = (struct ack_req){.h = h, .index = index};
    snprintf(r->label, sizeof(r->label), "%s", label);
    if (daemon_bmc_request(index, PET_ACK_NETFN, PET_ACK_CMD, req, len, on_ack, r) < 0) {
        h->acks_failed++;
        free(r);
    }
}

static int agent_start(void *arg, struct ev_loop *loop, struct store *store,
                       const struct agentx_control *control, const struct cfg *cfg)
{
    struct agent_hook *h = arg;
    if (h->off) {
        log_notice("AgentX subagent off (--no-agentx): nothing is served to SNMP");
        return 0;
    }
    snprintf(h->socket, sizeof(h->socket), "%s", cfg->agentx_socket);
    h->standard_mibs = cfg->standard_mibs;
    struct agentx_opts o = {.socket = h->socket[0] ? h->socket : NULL,
                            .counters = &h->counters,
                            .control = control,
                            .standard_mibs = cfg->standard_mibs};
    char err[512];
    h->ax = agentx_start(loop, store, &o, err, sizeof(err));
    if (!h->ax) {
        log_err("AgentX: %s", err);
        return -1;
    }
    log_notice("AgentX subagent: master agent at %s (retried every few seconds until it answers)",
               h->socket[0] ? h->socket : "Net-SNMP's default socket");

    /* notifications: a view of the snapshots the store takes in, and PETs */
    struct notify_opts no = {.platform_event = cfg->notify_platform_event,
                             .sensor_status = cfg->notify_sensor_status,
                             .bmc_state = cfg->notify_bmc_state,
                             .per_bmc = cfg->notify_rate_per_bmc,
                             .global = cfg->notify_rate_global,
                             .interval_s = cfg->notify_rate_interval_s};
    h->nt = notify_new(loop, &no, &h->counters.notifications_sent);
    struct events_sink sink;
    if (h->nt)
        notify_events_sink(h->nt, &sink);
    h->evs = h->nt ? events_new(&sink, &(struct events_opts){.state_dir = cfg->state_dir,
                                                             .window_s = cfg->pet_dedupe_window_s})
                   : NULL;
    if (!h->evs) {
        log_err("notifications: out of memory; none will be sent");
        return -1;
    }
    h->store = store;
    store_set_observer(store, events_observe, h->evs);
    if (h->pl) {
        h->ack_sessionless = cfg->pet_ack == CFG_PET_ACK_SESSIONLESS;
        struct pet_listener_opts po = {.community = cfg->pet_community,
                                       .dup_window_s = cfg->pet_dedupe_window_s,
                                       .counters = &h->counters,
                                       .events = h->evs,
                                       .ack = cfg->pet_ack != CFG_PET_ACK_OFF ? send_ack : NULL,
                                       .ack_arg = h};
        if (pet_listener_start(h->pl, loop, store, h->nt, &po, err, sizeof(err)) < 0) {
            log_err("%s", err);
            return -1;
        }
    }
    return 0;
}

/* Net-SNMP keeps the AgentX session in process-wide state set up once: a new
 * agentx-socket takes effect at the next start (the reload logs that). */
static void agent_reload(void *arg, const struct cfg *cfg)
{
    struct agent_hook *h = arg;
    if (h->ax && strcmp(h->socket, cfg->agentx_socket) != 0)
        log_notice("AgentX: still connected through %s until the next start",
                   h->socket[0] ? h->socket : "Net-SNMP's default socket");
    if (h->ax && h->standard_mibs != cfg->standard_mibs)
        log_warn("reload: standard-mibs changed; it takes effect at the next start");
}

static void agent_stop(void *arg)
{
    struct agent_hook *h = arg;
    if (h->store)
        store_set_observer(h->store, NULL, NULL);
    pet_listener_free(h->pl);
    h->pl = NULL;
    notify_free(h->nt); /* sends a pending suppression summary */
    h->nt = NULL;
    events_free(h->evs);
    h->evs = NULL;
    free(h->ack_refused);
    h->ack_refused = NULL;
    h->nack_refused = 0;
    agentx_stop(h->ax);
    h->ax = NULL;
}

static void no_core_dumps(void)
{
    struct rlimit none = {0, 0};
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fprintf(stderr, "ipmi-snmp-bridge: cannot turn off core dumps: %m\n");
    if (setrlimit(RLIMIT_CORE, &none) != 0)
        fprintf(stderr, "ipmi-snmp-bridge: cannot set the core size limit to 0: %m\n");
}

/* The configured secrets' pages are left out of any core that is made anyway. */
static void exclude_from_core(const void *p, size_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    if (!p || !len || page <= 0)
        return;
    uintptr_t start = (uintptr_t)p & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)p + len + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    (void)madvise((void *)start, end - start, MADV_DONTDUMP); /* best effort */
}

int main(int argc, char **argv)
{
    no_core_dumps();
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"check-config", no_argument, NULL, 'C'},
        {"once", no_argument, NULL, 'O'},         {"json", no_argument, NULL, 'J'},
        {"polls", required_argument, NULL, 'P'},  {"interval", required_argument, NULL, 'I'},
        {"step", no_argument, NULL, 'S'},         {"deadline", required_argument, NULL, 'D'},
        {"verbose", no_argument, NULL, 'v'},      {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {"shard", required_argument, NULL, 'H'},  {"allow-root", no_argument, NULL, 'R'},
        {"no-agentx", no_argument, NULL, 'N'},    {NULL, 0, NULL, 0},
    };
    const char *path = DEFAULT_CONFIG;
    bool check = false, once = false, allow_root = false;
    struct once_opts oo = {.json = false, .polls = 1, .interval_ms = 10000, .step = false};
    bool poll_opts = false;
    int verbose = 0, quiet = 0, c;
    unsigned long shard_k = 0, shard_n = 0;
    bool no_agentx = false;
    while ((c = getopt_long(argc, argv, "c:vqhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            path = optarg;
            break;
        case 'C':
            check = true;
            break;
        case 'O':
            once = true;
            break;
        case 'J':
            oo.json = true;
            break;
        case 'P': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "ipmi-snmp-bridge: --polls takes a whole number from 1\n");
                return 2;
            }
            oo.polls = (unsigned)v;
            poll_opts = true;
            break;
        }
        case 'D': {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v > 0 && v <= 864000)) {
                fprintf(stderr, "ipmi-snmp-bridge: --deadline takes seconds above 0\n");
                return 2;
            }
            oo.deadline_ms = (uint64_t)(v * 1000);
            poll_opts = true;
            break;
        }
        case 'I': {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v >= 0 && v <= 86400)) {
                fprintf(stderr, "ipmi-snmp-bridge: --interval takes seconds from 0 to 86400\n");
                return 2;
            }
            oo.interval_ms = (unsigned)(v * 1000);
            poll_opts = true;
            break;
        }
        case 'S':
            oo.step = true;
            poll_opts = true;
            break;
        case 'H': {
            char *end;
            shard_k = strtoul(optarg, &end, 10);
            shard_n = *end == '/' ? strtoul(end + 1, &end, 10) : 0;
            if (*end || shard_k < 1 || shard_n < 1 || shard_k > shard_n || shard_n > 4096) {
                fprintf(stderr, "ipmi-snmp-bridge: --shard takes K/N with 1 <= K <= N <= 4096\n");
                return 2;
            }
            break;
        }
        case 'R':
            allow_root = true;
            break;
        case 'N':
            no_agentx = true;
            break;
        case 'v':
            verbose++;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("ipmi-snmp-bridge %s\n", PACKAGE_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ipmi-snmp-bridge: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if ((oo.json || poll_opts) && !once) {
        fprintf(stderr, "ipmi-snmp-bridge: --json, --polls, --interval, --step and --deadline go "
                        "with --once\n");
        return 2;
    }

    /* --once reports each BMC's failure once, in its summary; the engine's
     * own warnings appear with -v. */
    enum log_level lvl = once ? LOG_LVL_ERR : LOG_LVL_NOTICE;
    if (quiet)
        lvl = LOG_LVL_ERR;
    else if (verbose)
        lvl = verbose > 1 ? LOG_LVL_DEBUG : LOG_LVL_INFO;
    log_init("ipmi-snmp-bridge", 0, lvl);

    char err[1024];
    struct cfg *cfg = cfg_load(path, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "ipmi-snmp-bridge: %s\n", err);
        return 1;
    }
    exclude_from_core(cfg->bmcs, cfg->nbmcs * sizeof(*cfg->bmcs));
    int status = 0;
    if (check) {
        printf("%s: OK, %zu BMC%s\n", path, cfg->nbmcs, cfg->nbmcs == 1 ? "" : "s");
    } else if (once) {
        status = once_run(cfg, &oo, stdout);
    } else {
        cfg->allow_root = allow_root;
        if (shard_n) {
            cfg->shard_k = (uint32_t)shard_k;
            cfg->shard_n = (uint32_t)shard_n;
        }
        /* the daemon owns the configuration from here (a reload replaces it) */
        static struct agent_hook ah;
        ah.off = no_agentx;
        /* the PET port first: 162 needs privilege, given up later */
        if (!no_agentx && cfg->pet_listen[0]) {
            ah.pl = pet_listener_bind(cfg->pet_listen, err, sizeof(err));
            if (!ah.pl) {
                fprintf(stderr, "ipmi-snmp-bridge: %s\n", err);
                cfg_unload(cfg);
                return 1;
            }
        }
        const struct daemon_hooks hooks = {
            .arg = &ah, .start = agent_start, .reload = agent_reload, .stop = agent_stop};
        return daemon_run(path, cfg, &hooks);
    }
    cfg_unload(cfg);
    return status;
}
