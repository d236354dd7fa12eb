/*
 * agentx_driver.c - serves a store through the AgentX subagent (agent/agentx.h)
 * without the daemon, for the tests and the benchmark.
 *
 *   agentx-driver --socket PATH -c CONFIG --json-out FILE   poll every BMC of
 *       CONFIG once (the --once code path), write that poll's JSON to FILE and
 *       serve the very same snapshots;
 *   agentx-driver --socket PATH --synthetic BMCS:SENSORS    serve made-up BMCs
 *       with SENSORS sensors each (benchmark, bad-input tests).
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
#include "cfg.h"
#include "ev.h"
#include "log.h"
#include "once.h"
#include "store.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: agentx-driver [--socket PATH] [--ping SECONDS] [--fds N] [-v]\n"
               "                     (-c CONFIG --json-out FILE | --synthetic BMCS:SENSORS)\n");
}

/* ---- the store from one --once poll ---------------------------------------------- */

static void keep_snapshots(const struct store *polled, void *arg)
{
    struct store *mine = arg;
    for (size_t i = 0; i < store_count(polled); i++)
        store_publish(mine, store_bmc_ref(store_at(polled, i)));
    store_apply(mine);
}

static int fill_from_poll(struct store *s, const char *config, const char *json_out)
{
    char err[512];
    struct cfg *cfg = cfg_load(config, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "agentx-driver: %s\n", err);
        return -1;
    }
    FILE *out = fopen(json_out, "w");
    if (!out) {
        fprintf(stderr, "agentx-driver: %s: %s\n", json_out, strerror(errno));
        cfg_unload(cfg);
        return -1;
    }
    struct once_opts oo = {.json = true, .polls = 1, .on_poll = keep_snapshots, .on_poll_arg = s};
    once_run(cfg, &oo, out);
    fclose(out);
    cfg_unload(cfg);
    return 0;
}

/* ---- synthetic snapshots ----------------------------------------------------------- */

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
        s->thr_mask = s->thr_scaled_mask = (1u << STORE_THR_UC) | (1u << STORE_THR_UNC);
        s->thr[STORE_THR_UNC] = 80;
        s->thr[STORE_THR_UC] = 90;
        s->thr_scaled[STORE_THR_UNC] = 800;
        s->thr_scaled[STORE_THR_UC] = 900;
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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sock = NULL, *config = NULL, *json_out = NULL, *synthetic = NULL;
    unsigned ping = 0;
    int fds = 0;
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
        case 'v':
            verbose++;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if ((!config == !synthetic) || (config && !json_out)) {
        usage(stderr);
        return 2;
    }
    log_init("agentx-driver", 0, verbose > 1 ? LOG_LVL_DEBUG : LOG_LVL_INFO);

    struct store *store = store_new();
    if (!store)
        return 1;
    if (config ? fill_from_poll(store, config, json_out) < 0
               : fill_synthetic(store, synthetic) < 0) {
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
    char err[256];
    struct agentx_counters counters = {0};
    struct agentx_opts ao = {.socket = sock, .ping_interval_s = ping, .counters = &counters};
    struct agentx *ax = agentx_start(loop, store, &ao, err, sizeof(err));
    if (!ax) {
        fprintf(stderr, "agentx-driver: %s\n", err);
        return 1;
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
    agentx_stop(ax);
    ev_del_fd(loop, sfd);
    close(sfd);
    ev_free(loop);
    store_free(store);
    return 0;
}
