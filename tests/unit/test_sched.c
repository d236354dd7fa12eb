/*
 * test_sched.c - the scheduler's index lookup (sched_find_index): O(1) by
 * ipmiBmcIndex, a leaving BMC not found, a newer BMC with the same index
 * found instead, and every other BMC still found after many removals
 * (the hash table's backward-shift deletion).  No BMC is contacted: every
 * BMC is added with a one-hour start spread and removed before it starts.
 * And the unreachable retry policy (sched_unreachable_wait): a BMC never
 * reached backs off exponentially from the start; one lost while polled
 * (a reboot) is retried every half sensor interval for the grace period,
 * then exponentially up to the cap.
 */
#include <stdio.h>
#include <string.h>

#include "bmc.h"
#include "cfg.h"
#include "ev.h"
#include "scheduler.h"
#include "unit.h"

#define N 1500

static struct ev_loop *loop;
static struct poller *pl;
static struct sched *s;
static struct sched_bmc *sbs[N + 1];

static uint32_t idx_of(unsigned i) /* scattered, distinct, never 0 */
{
    return (uint32_t)(i * 7919u % 1000003u) + 1;
}

static struct sched_bmc *add(unsigned i, const char *tag)
{
    struct cfg_bmc cb;
    char err[256];
    memset(&cb, 0, sizeof(cb));
    snprintf(cb.name, sizeof(cb.name), "%s%u", tag, i);
    snprintf(cb.address, sizeof(cb.address), "127.0.0.1");
    cb.port = (uint16_t)(20000 + i + (tag[0] == 'n' ? 5000 : 0));
    cb.suites[0] = 17;
    cb.nsuites = 1;
    cb.privilege = 2;
    snprintf(cb.username, sizeof(cb.username), "u");
    struct sched_bmc *sb = sched_add(s, &cb, idx_of(i), 3600 * 1000, err, sizeof(err));
    if (!sb)
        fprintf(stderr, "sched_add: %s\n", err);
    return sb;
}

static const char *name_at(uint32_t index)
{
    struct sched_bmc *sb = sched_find_index(s, index);
    return sb ? bmc_name(sched_data(sb)->b) : NULL;
}

static void test_find_index(void)
{
    char err[256];
    struct poller_opts po;
    poller_opts_default(&po);
    po.sockets = 1;
    loop = ev_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
    pl = poller_new(loop, &po, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
    struct sched_opts so;
    memset(&so, 0, sizeof(so));
    so.max_logins = so.max_sdr_reads = 1;
    s = sched_new(loop, pl, &so);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);

    for (unsigned i = 1; i <= N; i++) {
        sbs[i] = add(i, "b");
        CU_ASSERT_PTR_NOT_NULL_FATAL(sbs[i]);
    }
    unsigned found = 0;
    for (unsigned i = 1; i <= N; i++)
        found += sched_find_index(s, idx_of(i)) == sbs[i];
    CU_ASSERT_EQUAL(found, N);
    CU_ASSERT_PTR_NULL(sched_find_index(s, 0));
    CU_ASSERT_PTR_NULL(sched_find_index(s, 1000004 + 5));

    /* every third BMC leaves: not found from the moment it leaves */
    for (unsigned i = 3; i <= N; i += 3)
        sched_remove(sbs[i]);
    CU_ASSERT_PTR_NULL(sched_find_index(s, idx_of(3)));
    /* a changed BMC: the new one with the same index while the old leaves */
    struct sched_bmc *nb = add(6, "new");
    CU_ASSERT_PTR_NOT_NULL_FATAL(nb);
    CU_ASSERT_PTR_EQUAL(sched_find_index(s, idx_of(6)), nb);
    /* let the leaving ones go (their timers fire at once) */
    for (int k = 0; k < 20 && sched_count(s) > N - N / 3 + 1; k++)
        ev_run_once(loop, 10);
    CU_ASSERT_EQUAL(sched_count(s), N - N / 3 + 1);
    /* the old BMC's removal did not take the new one's entry with it */
    CU_ASSERT_STRING_EQUAL(name_at(idx_of(6)), "new6");
    found = 0;
    unsigned gone = 0;
    for (unsigned i = 1; i <= N; i++) {
        if (i % 3)
            found += sched_find_index(s, idx_of(i)) == sbs[i];
        else if (i != 6)
            gone += sched_find_index(s, idx_of(i)) == NULL;
    }
    CU_ASSERT_EQUAL(found, N - N / 3);
    CU_ASSERT_EQUAL(gone, N / 3 - 1);

    sched_stop(s);
    sched_free(s);
    poller_free(pl);
    ev_free(loop);
}

/* the waits of consecutive failures, `down` growing by each wait */
static void waits(bool was_up, uint32_t cap, uint32_t iv, uint32_t grace, uint32_t *out, int n)
{
    uint32_t b = 0;
    uint64_t down = 0;
    for (int i = 0; i < n; i++) {
        b = sched_unreachable_wait(b, cap, iv, was_up, down, grace);
        out[i] = b;
        down += b + 2; /* plus the ping round */
    }
}

static void test_unreachable_wait(void)
{
    uint32_t w[40];
    /* never reached: 10, 20, 40 ... capped at 300, whatever the grace */
    waits(false, 300, 30, 600, w, 10);
    const uint32_t never[] = {10, 20, 40, 80, 160, 300, 300, 300, 300, 300};
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(w[i], never[i]);
    /* a small cap: the first step is a quarter of it */
    waits(false, 20, 6, 600, w, 4);
    CU_ASSERT_EQUAL(w[0], 5);
    CU_ASSERT_EQUAL(w[1], 10);
    CU_ASSERT_EQUAL(w[2], 20);
    CU_ASSERT_EQUAL(w[3], 20);

    /* lost while polled, sensor interval 6 s, cap 20 s: every 3 s while
     * down for less than the grace (60 s), then 6, 12, 20, 20 */
    waits(true, 20, 6, 60, w, 40);
    int i = 0;
    uint64_t down = 0;
    while (i < 40 && down < 60) {
        CU_ASSERT_EQUAL(w[i], 3);
        down += w[i] + 2;
        i++;
    }
    CU_ASSERT(i >= 10); /* (60 s / 5 s per retry) */
    CU_ASSERT_FATAL(i + 4 <= 40);
    CU_ASSERT_EQUAL(w[i], 6);
    CU_ASSERT_EQUAL(w[i + 1], 12);
    CU_ASSERT_EQUAL(w[i + 2], 20);
    CU_ASSERT_EQUAL(w[i + 3], 20);
    /* default interval 30 s, cap 300 s: the grace wait is the first step (10 s) */
    CU_ASSERT_EQUAL(sched_unreachable_wait(0, 300, 30, true, 0, 600), 10);
    CU_ASSERT_EQUAL(sched_unreachable_wait(10, 300, 30, true, 599, 600), 10);
    CU_ASSERT_EQUAL(sched_unreachable_wait(10, 300, 30, true, 600, 600), 20);
    /* grace 0: exponential at once even for a BMC that was up */
    CU_ASSERT_EQUAL(sched_unreachable_wait(0, 300, 30, true, 0, 0), 10);
    CU_ASSERT_EQUAL(sched_unreachable_wait(10, 300, 30, true, 0, 0), 20);
    /* a 1 s interval: at least 1 s */
    CU_ASSERT_EQUAL(sched_unreachable_wait(0, 300, 1, true, 0, 600), 1);
}

int main(void)
{
    static CU_TestInfo tests[] = {
        {"index lookup: add, leave, replace, remove", test_find_index},
        {"unreachable retries: grace after a loss, else exponential", test_unreachable_wait},
        CU_TEST_INFO_NULL,
    };
    static CU_SuiteInfo suites[] = {{"sched", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return unit_run("test_sched", suites);
}
