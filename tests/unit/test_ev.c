/*
 * test_ev.c - the event loop's timer heap and its fd dispatch.
 * Timing is never asserted in wall-clock terms: only order and counts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "unit.h"

#define NT 2000

struct rec {
    struct ev_timer t;
    uint64_t key;
    int fired;
};

static uint64_t last_when;
static int order_ok;
static int fired_total;

static void on_fire(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    struct rec *r = arg;
    if (t->when_ns < last_when)
        order_ok = 0;
    last_when = t->when_ns;
    r->fired++;
    fired_total++;
}

/* Timers fire in deadline order, each once; stopped ones never fire. */
static void test_heap_order(void)
{
    struct ev_loop *l = ev_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    static struct rec recs[NT];
    uint64_t x = 88172645463325252ULL;
    uint64_t base = ev_now(l);
    for (int i = 0; i < NT; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        recs[i].fired = 0;
        ev_timer_init(&recs[i].t, on_fire, &recs[i]);
        /* all deadlines already in the past so one run_once fires them */
        ev_timer_start_at(l, &recs[i].t, base - 1 - x % 1000000);
    }
    /* re-arm some (moves within the heap) and stop every third */
    for (int i = 0; i < NT; i += 7)
        ev_timer_start_at(l, &recs[i].t, base - 1 - (uint64_t)i);
    int stopped = 0;
    for (int i = 0; i < NT; i += 3) {
        ev_timer_stop(l, &recs[i].t);
        stopped++;
    }
    CU_ASSERT_EQUAL(ev_timer_count(l), (size_t)(NT - stopped));
    order_ok = 1;
    last_when = 0;
    fired_total = 0;
    CU_ASSERT_EQUAL(ev_run_once(l, 0), 0);
    CU_ASSERT_EQUAL(order_ok, 1);
    CU_ASSERT_EQUAL(fired_total, NT - stopped);
    for (int i = 0; i < NT; i++)
        CU_ASSERT_EQUAL(recs[i].fired, i % 3 == 0 ? 0 : 1);
    CU_ASSERT_EQUAL(ev_timer_count(l), 0);
    ev_free(l);
}

static int chain_left;
static void on_chain(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)arg;
    if (--chain_left > 0)
        ev_timer_start(loop, t, 1000); /* 1 us */
    else
        ev_stop(loop);
}

/* A timer that re-arms itself keeps the loop going until it stops it. */
static void test_rearm_and_stop(void)
{
    struct ev_loop *l = ev_new();
    struct ev_timer t;
    ev_timer_init(&t, on_chain, NULL);
    chain_left = 50;
    ev_timer_start(l, &t, 0);
    CU_ASSERT_EQUAL(ev_run(l), 0);
    CU_ASSERT_EQUAL(chain_left, 0);
    CU_ASSERT_TRUE(ev_stopped(l));
    CU_ASSERT_FALSE(ev_timer_active(&t));
    ev_free(l);
}

static int got_bytes;
static void on_read(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)arg;
    char buf[16];
    if (events & EPOLLIN) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0)
            got_bytes += (int)n;
    }
    ev_stop(loop);
}

static void test_fd_dispatch(void)
{
    struct ev_loop *l = ev_new();
    int sv[2];
    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CU_ASSERT_EQUAL(ev_add_fd(l, sv[0], EPOLLIN, on_read, NULL), 0);
    CU_ASSERT_EQUAL(write(sv[1], "hello", 5), 5);
    got_bytes = 0;
    CU_ASSERT_EQUAL(ev_run(l), 0);
    CU_ASSERT_EQUAL(got_bytes, 5);
    CU_ASSERT_EQUAL(ev_del_fd(l, sv[0]), 0);
    /* after removal the callback must not run again */
    CU_ASSERT_EQUAL(write(sv[1], "x", 1), 1);
    got_bytes = 0;
    CU_ASSERT_EQUAL(ev_run_once(l, 0), 0);
    CU_ASSERT_EQUAL(got_bytes, 0);
    close(sv[0]);
    close(sv[1]);
    ev_free(l);
    ev_free(NULL);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"timer heap fires in deadline order, stopped timers never", test_heap_order},
        {"self re-arming timer and ev_stop", test_rearm_and_stop},
        {"fd callbacks run, and stop after ev_del_fd", test_fd_dispatch},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"ev", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_ev", suites);
}
