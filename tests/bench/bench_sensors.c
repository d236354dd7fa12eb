/*
 * bench_sensors.c - sensor readings per second and CPU per reading of the
 * engine, against a fleet of simulated BMCs (tests/bmcsim).
 *
 *   bench_sensors --count N --base-port P --password-file F [--seconds S]
 *                 [--user U] [--suite 17] [--in-flight K]
 *
 * Warm-up: opens a session to every BMC and reads its SDR repository once
 * (kept in memory, as the daemon keeps it), then one sweep.  Measured:
 * back-to-back sweeps over every sensor of every BMC for S seconds.  Prints
 * readings/s and this process's own CPU microseconds per reading
 * (getrusage), nothing about the simulator.  Not a pass/fail test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bmc.h"
#include "cfg.h"
#include "ev.h"
#include "log.h"
#include "sdr_repo.h"
#include "sensor_poll.h"

struct bbmc {
    struct bmc *b;
    struct sdr_repo *repo;
    struct sensor_set *set;
    struct sensor_value *vals;
    struct sensor_poll poll;
    bool ready;
};

static struct ev_loop *loop;
static struct bbmc *bb;
static size_t nbmc, nready, nfailed;
static bool measuring, stopping;
static uint64_t readings, requests, sweeps, failed_sweeps;

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void on_sweep(struct bmc *b, void *arg, const struct sensor_poll *p);

static void sweep(struct bbmc *x)
{
    if (stopping)
        return;
    if (sensor_poll_start(&x->poll, x->b, x->set, x->vals, false, on_sweep, x) < 0)
        failed_sweeps++;
}

static void on_sweep(struct bmc *b, void *arg, const struct sensor_poll *p)
{
    (void)b;
    struct bbmc *x = arg;
    if (!x->ready) {
        x->ready = true;
        nready++;
    } else if (measuring) {
        readings += p->readings;
        requests += p->requests;
        sweeps++;
    }
    sweep(x);
}

static void on_sdr(struct bmc *b, void *arg, int err, const char *errtext, struct sdr_repo *repo,
                   const struct sdr_fetch_stats *st)
{
    (void)st;
    struct bbmc *x = arg;
    if (err || !repo) {
        fprintf(stderr, "bench: %s\n", errtext ? errtext : "no SDR");
        nfailed++;
        return;
    }
    x->repo = repo;
    x->set = sensor_set_build(repo, bmc_name(b));
    x->vals = calloc(x->set->n ? x->set->n : 1, sizeof(*x->vals));
    /* the first sweep reads thresholds too; later sweeps are readings only */
    if (sensor_poll_start(&x->poll, b, x->set, x->vals, true, on_sweep, x) < 0)
        nfailed++;
}

static void closed_all(struct bmc *b, void *arg)
{
    (void)b;
    (void)arg;
    ev_stop(loop);
}

static void on_stop(struct ev_loop *l, struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ev_stop(l);
}

int main(int argc, char **argv)
{
    unsigned count = 1000, base = 0, seconds = 10, suite = 17, inflight = 1;
    const char *user = "admin", *pwfile = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "bench: %s needs a value\n", a);
            return 2;
        }
        if (!strcmp(a, "--count"))
            count = (unsigned)atoi(v);
        else if (!strcmp(a, "--base-port"))
            base = (unsigned)atoi(v);
        else if (!strcmp(a, "--seconds"))
            seconds = (unsigned)atoi(v);
        else if (!strcmp(a, "--suite"))
            suite = (unsigned)atoi(v);
        else if (!strcmp(a, "--in-flight"))
            inflight = (unsigned)atoi(v);
        else if (!strcmp(a, "--user"))
            user = v;
        else if (!strcmp(a, "--password-file"))
            pwfile = v;
        else {
            fprintf(stderr, "bench: unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    if (!base || !pwfile || !count) {
        fprintf(stderr, "usage: bench_sensors --count N --base-port P --password-file F "
                        "[--seconds S] [--user U] [--suite 17] [--in-flight K]\n");
        return 2;
    }
    char pw[64] = "";
    FILE *f = fopen(pwfile, "r");
    if (!f || !fgets(pw, sizeof(pw), f)) {
        fprintf(stderr, "bench: cannot read %s\n", pwfile);
        return 2;
    }
    fclose(f);
    pw[strcspn(pw, "\r\n")] = '\0';

    log_init("bench_sensors", 0, LOG_LVL_ERR);
    struct cfg_bmc *cb = calloc(count, sizeof(*cb));
    bb = calloc(count, sizeof(*bb));
    loop = ev_new();
    struct poller_opts o;
    poller_opts_default(&o);
    o.max_in_flight = inflight;
    char err[512];
    struct poller *p = poller_new(loop, &o, err, sizeof(err));
    if (!cb || !bb || !loop || !p) {
        fprintf(stderr, "bench: setup failed: %s\n", err);
        return 1;
    }
    for (unsigned i = 0; i < count; i++) {
        struct cfg_bmc *c = &cb[i];
        snprintf(c->name, sizeof(c->name), "sim%05u", i);
        snprintf(c->address, sizeof(c->address), "127.0.0.1");
        c->port = (uint16_t)(base + i);
        snprintf(c->username, sizeof(c->username), "%s", user);
        c->password_len = strlen(pw) > CFG_PASS_MAX ? CFG_PASS_MAX : strlen(pw);
        memcpy(c->password, pw, c->password_len);
        c->suites[0] = (uint8_t)suite;
        c->nsuites = 1;
        c->privilege = 2;
        bb[i].b = poller_add(p, c, err, sizeof(err));
        if (!bb[i].b) {
            fprintf(stderr, "bench: %s\n", err);
            return 1;
        }
        if (sdr_repo_fetch(bb[i].b, NULL, NULL, NULL, on_sdr, &bb[i]) < 0)
            return 1;
    }
    nbmc = count;

    /* warm-up: every BMC has its SDR and finished one sweep */
    uint64_t t0 = ev_monotonic_ns();
    while (nready + nfailed < nbmc && ev_monotonic_ns() - t0 < 120 * EV_NS_PER_SEC)
        ev_run_once(loop, 100);
    double warm = (double)(ev_monotonic_ns() - t0) / 1e9;
    size_t nsensors = 0;
    for (size_t i = 0; i < nbmc; i++)
        nsensors += bb[i].set ? bb[i].set->n : 0;
    printf("bench_sensors: warm-up %.2f s: %zu BMCs ready, %zu failed, %zu sensors\n", warm, nready,
           nfailed, nsensors);

    measuring = true;
    double c0 = cpu_seconds();
    uint64_t w0 = ev_monotonic_ns();
    struct ev_timer stop;
    ev_timer_init(&stop, on_stop, NULL);
    ev_timer_start(loop, &stop, (uint64_t)seconds * EV_NS_PER_SEC);
    ev_run(loop);
    measuring = false;
    double wall = (double)(ev_monotonic_ns() - w0) / 1e9;
    double cpu = cpu_seconds() - c0;
    struct bmc_counters ctr;
    poller_counters(p, &ctr);
    printf("bench_sensors: %u BMCs, cipher suite %u, %u in flight per BMC, %.1f s\n", count, suite,
           inflight, wall);
    printf("bench_sensors: readings %llu, sweeps %llu, requests %llu\n",
           (unsigned long long)readings, (unsigned long long)sweeps, (unsigned long long)requests);
    printf("bench_sensors: readings/s %.0f\n", (double)readings / wall);
    printf("bench_sensors: cpu us/reading %.2f (cpu %.2f s of %.2f s wall)\n",
           readings ? cpu * 1e6 / (double)readings : 0.0, cpu, wall);
    printf("bench_sensors: retransmits %llu, bad packets %llu, reopens %llu\n",
           (unsigned long long)ctr.retransmits, (unsigned long long)ctr.bad_packets,
           (unsigned long long)ctr.reopens);

    /* close the sessions politely: BMCs (and bmcsim) allow only a few */
    stopping = true;
    poller_close_all(p, closed_all, NULL);
    ev_run(loop);
    poller_free(p);
    for (size_t i = 0; i < nbmc; i++) {
        sdr_repo_free(bb[i].repo);
        sensor_set_free(bb[i].set);
        free(bb[i].vals);
    }
    free(bb);
    memset(cb, 0, count * sizeof(*cb));
    free(cb);
    ev_free(loop);
    return nready ? 0 : 1;
}
