/*
 * agentx_driver.c - serves a store through the AgentX subagent (agent/agentx.h)
 * without the daemon, for the tests and the benchmark.
 *
 *   agentx-driver --socket PATH -c CONFIG --json-out FILE   poll every BMC of
 *       CONFIG once (the --once code path), write that poll's JSON to FILE and
 *       serve the very same snapshots;
 *   agentx-driver --socket PATH --synthetic BMCS:SENSORS    serve made-up BMCs
 *       with SENSORS sensors each (benchmark, bad-input tests);
 *   --control [--info-interval S] (with -c): after the poll, keep a poller
 *       with live sessions to every BMC and a control set, serve control
 *       SETs through it (agentx_opts.control) and, every S seconds (default
 *       2) and after every action, read the control state back
 *       (control_read_state) and republish the BMC's snapshot with it:
 *       what the daemon's scheduler does, until the tests run the daemon.
 *   --pet-listen ADDR [--pet-community C] [--notify-rate N/S]   also receive PETs on ADDR
 *       (agent/pet_listener.h) and send ipmiPlatformEvent notifications for
 *       them (at most N per BMC per S seconds: storm control);
 *       --pet-port-file F writes the bound port to F.  On stop, prints
 *       the listener's counters ("pet-stats: ...") on stderr.
 *
 * Runs until SIGTERM or SIGINT.  Logs to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "agentx.h"
#include "arena.h"
#include "bmc.h"
#include "cfg.h"
#include "control.h"
#include "control_glue.h"
#include "ev.h"
#include "log.h"
#include "notify.h"
#include "once.h"
#include "pet_listener.h"
#include "sdr.h"
#include "store.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: agentx-driver [--socket PATH] [--ping SECONDS] [--fds N] [-v]\n"
               "                     (-c CONFIG --json-out FILE [--control [--info-interval S]]\n"
               "                      | --synthetic BMCS:SENSORS)\n");
}

/* ---- the store from one --once poll ---------------------------------------------- */

static void keep_snapshots(const struct store *polled, void *arg)
{
    struct store *mine = arg;
    for (size_t i = 0; i < store_count(polled); i++)
        store_publish(mine, store_bmc_ref(store_at(polled, i)));
    store_apply(mine);
}

static int fill_from_poll(struct store *s, const struct cfg *cfg, const char *json_out)
{
    FILE *out = fopen(json_out, "w");
    if (!out) {
        fprintf(stderr, "agentx-driver: %s: %s\n", json_out, strerror(errno));
        return -1;
    }
    struct once_opts oo = {.json = true, .polls = 1, .on_poll = keep_snapshots, .on_poll_arg = s};
    once_run(cfg, &oo, out);
    fclose(out);
    return 0;
}

/* ---- live control (--control) ------------------------------------------------------ */

struct live {
    struct ev_loop *loop;
    struct store *store;
    struct poller *p;
    struct control_set *cs;
    struct control_glue *glue;
    struct ev_timer info;
    uint64_t interval_ns;
};

/* BMC i of the poller has ipmiBmcIndex i + 1 (config order, as --once) */
static struct bmc *live_bmc(void *ctx, uint32_t index)
{
    struct live *l = ctx;
    return index >= 1 && index <= poller_count(l->p) ? poller_bmc(l->p, index - 1) : NULL;
}

/* the scheduler's info interval: read the control state back */
static void on_info(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    struct live *l = arg;
    for (size_t i = 0; i < poller_count(l->p); i++) {
        struct bmc *b = poller_bmc(l->p, i);
        if (bmc_state(b) == BMC_S_ACTIVE)
            control_glue_read_back(l->glue, b, (uint32_t)i + 1);
    }
    ev_timer_start(loop, t, l->interval_ns);
}

static int live_init(struct live *l, struct ev_loop *loop, struct store *store,
                     const struct cfg *cfg, unsigned interval_s)
{
    char err[512];
    struct poller_opts po;
    poller_opts_default(&po);
    po.timeout_ms = cfg->timeout_ms;
    po.retries = cfg->retries;
    po.session_timeout_ms = cfg->session_timeout_ms;
    l->loop = loop;
    l->store = store;
    l->interval_ns = (uint64_t)(interval_s ? interval_s : 2) * 1000 * EV_NS_PER_MS;
    l->p = poller_new(loop, &po, err, sizeof(err));
    if (!l->p) {
        fprintf(stderr, "agentx-driver: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < cfg->nbmcs; i++)
        if (!poller_add(l->p, &cfg->bmcs[i], err, sizeof(err))) {
            fprintf(stderr, "agentx-driver: %s\n", err);
            return -1;
        }
    l->cs = control_set_new(l->p);
    l->glue = l->cs ? control_glue_new(store, l->cs,
                                       &(struct control_glue_ops){.bmc_of = live_bmc, .ctx = l})
                    : NULL;
    if (!l->glue)
        return -1;
    for (size_t i = 0; i < poller_count(l->p); i++)
        bmc_connect(poller_bmc(l->p, i));
    ev_timer_init(&l->info, on_info, l);
    ev_timer_start(loop, &l->info, 200 * EV_NS_PER_MS);
    return 0;
}

static void on_closed(struct bmc *b, void *arg)
{
    (void)b;
    *(bool *)arg = true;
}

static void live_fini(struct live *l)
{
    if (!l->p)
        return;
    ev_timer_stop(l->loop, &l->info);
    bool closed = false;
    poller_close_all(l->p, on_closed, &closed);
    for (int i = 0; i < 50 && !closed; i++)
        ev_run_once(l->loop, 100);
    control_set_free(l->cs);
    control_glue_free(l->glue);
    poller_free(l->p);
}

/* ---- synthetic snapshots ----------------------------------------------------------- */

/* A threshold sensor record converting raw bytes 1:1 (M = 1, B = 0, no
 * exponents), for synthetic rows' thresholds (store_sensor_thr). */
static const struct sdr_sensor synthetic_sdr = {
    .value_kind = SDR_VALUE_ANALOG,
    .event_type = 1,
    .conv = {.m = 1, .fmt = SDR_FMT_UNSIGNED, .linearization = SDR_LIN_LINEAR, .rscale = 1.0},
};

static const struct store_bmc *synth_bmc(uint32_t index, uint32_t nsensors, uint64_t mono)
{
    struct store_arena *ar = arena_new(4096);
    struct store_bmc *b = ar ? arena_alloc(ar, sizeof(*b)) : NULL;
    if (!b) {
        arena_free(ar);
        return NULL;
    }
    atomic_init(&b->refs, 1);
    b->arena = ar;
    b->index = index;
    b->name = arena_printf(ar, "synth%u", index);
    b->address = arena_printf(ar, "192.0.2.%u:623", index % 250 + 1);
    b->state = STORE_ST_OK;
    b->cipher_suite = 17;
    b->poll_wall_s = (uint64_t)time(NULL);
    b->poll_mono_ns = mono;

    struct store_arena *sa =
        arena_new(4096 + (size_t)nsensors * (sizeof(struct store_sensor) + 64));
    struct store_sensors *ss = sa ? arena_alloc(sa, sizeof(*ss)) : NULL;
    struct store_sensor *rows =
        ss && nsensors ? arena_alloc(sa, (size_t)nsensors * sizeof(*rows)) : NULL;
    if (!ss || (nsensors && !rows)) {
        arena_free(sa);
        store_bmc_unref(b);
        return NULL;
    }
    atomic_init(&ss->p.refs, 1);
    ss->p.arena = sa;
    ss->p.n = nsensors;
    ss->s = rows;
    for (uint32_t j = 0; j < nsensors; j++) {
        struct store_sensor *s = &rows[j];
        uint8_t number = (uint8_t)(j % 256), owner = (uint8_t)(j / 256); /* index = 1 + j: sorted */
        s->index = store_sensor_index(number, owner, 0, 0);
        s->name = arena_printf(sa, "Temp %u", j);
        s->number = number;
        s->owner = owner;
        s->type = 1;
        s->type_name = "Temperature";
        s->event_type = 1;
        s->entity_id = 3;
        s->entity_instance = (uint8_t)(j % 128);
        s->analog = true;
        s->thresholds = true;
        s->has_value = true;
        s->scaled_ok = true;
        s->precision = 1;
        s->value = 20.0 + (j % 50) / 2.0;
        s->value_scaled = (int32_t)(s->value * 10);
        s->value_text = arena_printf(sa, "%.1f", s->value);
        s->units = "degrees C";
        s->status = STORE_STATUS_OK;
        s->states_text = "";
        s->sdr = &synthetic_sdr; /* raw thresholds convert 1:1 */
        s->thr_mask = (1u << STORE_THR_UC) | (1u << STORE_THR_UNC);
        s->thr_raw[STORE_THR_UNC] = 80;
        s->thr_raw[STORE_THR_UC] = 90;
        s->read_mono_ns = mono;
    }
    b->sensors = ss;
    b->nsensors = nsensors;
    return b;
}

static int fill_synthetic(struct store *s, const char *spec)
{
    char *end;
    unsigned long nb = strtoul(spec, &end, 10), ns;
    if (*end != ':' || nb < 1 || nb > 100000)
        return -1;
    ns = strtoul(end + 1, &end, 10);
    if (*end || ns > 1000000 || ns > 196u * 256u)
        return -1;
    uint64_t mono = ev_monotonic_ns();
    for (unsigned long i = 0; i < nb; i++) {
        const struct store_bmc *b = synth_bmc((uint32_t)(i + 1), (uint32_t)ns, mono);
        if (!b || store_publish(s, b) < 0)
            return -1;
    }
    store_apply(s);
    return 0;
}

/* Occupy every fd below `n` so that Net-SNMP's sockets get numbers above it
 * (above FD_SETSIZE: the large fd set must be used throughout). */
static int occupy_fds(int n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
        rl.rlim_cur = (rlim_t)n + 64;
        if (rl.rlim_max < rl.rlim_cur)
            rl.rlim_max = rl.rlim_cur;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            return -1;
    }
    for (;;) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        if (fd >= n - 1)
            return 0;
    }
}

/* ---- the loop ------------------------------------------------------------------------- */

/* The loop's longest stall (a 100 ms heartbeat's worst lateness): shows a
 * synchronous Net-SNMP wait. */
static uint64_t beat_due_ns, max_stall_ns;
static struct ev_timer beat;

static void on_beat(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)arg;
    uint64_t now = ev_monotonic_ns();
    if (beat_due_ns && now > beat_due_ns && now - beat_due_ns > max_stall_ns)
        max_stall_ns = now - beat_due_ns;
    beat_due_ns = now + 100 * EV_NS_PER_MS;
    ev_timer_start(loop, t, 100 * EV_NS_PER_MS);
}

static void on_signal(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)events;
    (void)arg;
    struct signalfd_siginfo si;
    if (read(fd, &si, sizeof(si)) > 0)
        ev_stop(loop);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'},
        {"json-out", required_argument, NULL, 'j'},
        {"synthetic", required_argument, NULL, 'y'},
        {"ping", required_argument, NULL, 'p'},
        {"verbose", no_argument, NULL, 'v'},
        {"fds", required_argument, NULL, 'f'},
        {"control", no_argument, NULL, 'C'},
        {"info-interval", required_argument, NULL, 'i'},
        {"pet-listen", required_argument, NULL, 'P'},
        {"pet-community", required_argument, NULL, 'K'},
        {"pet-port-file", required_argument, NULL, 'F'},
        {"notify-rate", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sock = NULL, *config = NULL, *json_out = NULL, *synthetic = NULL;
    const char *pet_listen = NULL, *pet_community = NULL, *pet_port_file = NULL;
    unsigned ping = 0, rate_per_bmc = 0, rate_interval = 0;
    int fds = 0;
    bool control = false;
    unsigned info_interval = 0;
    int verbose = 0, c;
    while ((c = getopt_long(argc, argv, "s:c:vh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            sock = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'j':
            json_out = optarg;
            break;
        case 'y':
            synthetic = optarg;
            break;
        case 'p':
            ping = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'f':
            fds = atoi(optarg);
            break;
        case 'P':
            pet_listen = optarg;
            break;
        case 'K':
            pet_community = optarg;
            break;
        case 'F':
            pet_port_file = optarg;
            break;
        case 'R': /* PER-BMC/INTERVAL-SECONDS */
            if (sscanf(optarg, "%u/%u", &rate_per_bmc, &rate_interval) != 2) {
                usage(stderr);
                return 2;
            }
            break;
        case 'v':
            verbose++;
            break;
        case 'C':
            control = true;
            break;
        case 'i':
            info_interval = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if ((!config == !synthetic) || (config && !json_out) || (control && !config)) {
        usage(stderr);
        return 2;
    }
    log_init("agentx-driver", 0, verbose > 1 ? LOG_LVL_DEBUG : LOG_LVL_INFO);

    char err[256];
    struct pet_listener *pl = NULL;
    if (pet_listen) { /* bound first, as the daemon does before dropping privileges */
        pl = pet_listener_bind(pet_listen, err, sizeof(err));
        if (!pl) {
            fprintf(stderr, "agentx-driver: %s\n", err);
            return 1;
        }
    }
    struct store *store = store_new();
    if (!store)
        return 1;
    struct cfg *cfg = NULL;
    if (config) {
        char cerr[512];
        cfg = cfg_load(config, cerr, sizeof(cerr));
        if (!cfg) {
            fprintf(stderr, "agentx-driver: %s\n", cerr);
            return 1;
        }
    }
    if (cfg ? fill_from_poll(store, cfg, json_out) < 0 : fill_synthetic(store, synthetic) < 0) {
        fprintf(stderr, "agentx-driver: could not fill the store\n");
        store_free(store);
        return 1;
    }
    fprintf(stderr, "agentx-driver: serving %zu BMCs\n", store_count(store));

    if (fds > 0 && occupy_fds(fds) < 0) {
        fprintf(stderr, "agentx-driver: cannot occupy %d fds: %s\n", fds, strerror(errno));
        return 1;
    }
    struct ev_loop *loop = ev_new();
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (!loop || sfd < 0 || ev_add_fd(loop, sfd, EPOLLIN, on_signal, NULL) < 0) {
        fprintf(stderr, "agentx-driver: cannot set up the event loop\n");
        return 1;
    }
    struct agentx_counters counters = {0};
    struct agentx_opts ao = {.socket = sock, .ping_interval_s = ping, .counters = &counters};
    struct live live = {0};
    if (control) {
        if (live_init(&live, loop, store, cfg, info_interval) < 0)
            return 1;
        ao.control = control_glue_agentx(live.glue);
    }
    struct agentx *ax = agentx_start(loop, store, &ao, err, sizeof(err));
    if (!ax) {
        fprintf(stderr, "agentx-driver: %s\n", err);
        return 1;
    }
    struct notify *nt = NULL;
    if (pl) {
        struct notify_opts no = {.platform_event = true,
                                 .sensor_status = true,
                                 .bmc_state = true,
                                 .per_bmc = rate_per_bmc,
                                 .interval_s = rate_interval};
        nt = notify_new(loop, &no, &counters.notifications_sent);
        struct pet_listener_opts po = {.community = pet_community, .counters = &counters};
        if (!nt || pet_listener_start(pl, loop, store, nt, &po, err, sizeof(err)) < 0) {
            fprintf(stderr, "agentx-driver: %s\n", err);
            return 1;
        }
        if (pet_port_file) {
            FILE *f = fopen(pet_port_file, "w");
            if (f) {
                fprintf(f, "%u\n", pet_listener_port(pl));
                fclose(f);
            }
        }
    }
    ev_timer_init(&beat, on_beat, NULL);
    ev_timer_start(loop, &beat, 100 * EV_NS_PER_MS);
    ev_run(loop);
    ev_timer_stop(loop, &beat);
    struct agentx_stats st;
    agentx_get_stats(ax, &st);
    fprintf(stderr,
            "agentx-driver: stopping: %llu requests, %llu varbinds, %llu hint hits, %llu seeks, "
            "%llu connects, %llu disconnects, longest loop stall %llu ms\n",
            (unsigned long long)st.requests, (unsigned long long)st.varbinds,
            (unsigned long long)st.hint_hits, (unsigned long long)st.seeks,
            (unsigned long long)st.connects, (unsigned long long)st.disconnects,
            (unsigned long long)(max_stall_ns / EV_NS_PER_MS));
    fprintf(stderr, "agentx-driver: %llu control SETs, %llu ipmiControlAction notifications\n",
            (unsigned long long)st.control_sets, (unsigned long long)st.control_traps);
    live_fini(&live); /* actions still in flight answer while the agent is up */
    if (pl) {
        struct pet_listener_stats ps;
        pet_listener_get_stats(pl, &ps);
        fprintf(stderr, "pet-stats: datagrams=%llu accepted=%llu duplicates=%llu notified=%llu",
                (unsigned long long)ps.datagrams, (unsigned long long)ps.accepted,
                (unsigned long long)ps.duplicates, (unsigned long long)ps.notified);
        for (int r = 0; r < PET_BAD__COUNT; r++)
            fprintf(stderr, " %s=%llu", pet_bad_name((enum pet_bad)r),
                    (unsigned long long)ps.bad[r]);
        fprintf(stderr, "\n");
        pet_listener_free(pl);
        notify_free(nt);
    }
    agentx_stop(ax);
    cfg_unload(cfg);
    ev_del_fd(loop, sfd);
    close(sfd);
    ev_free(loop);
    store_free(store);
    return 0;
}
