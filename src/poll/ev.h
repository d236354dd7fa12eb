/*
 * ev.h - a small event loop: epoll for sockets, an intrusive binary
 * min-heap on CLOCK_MONOTONIC for timers.
 *
 * One loop per thread; a loop owns its fds and timers and has no globals,
 * so the engine can later run one loop per core.  Timer start/stop is
 * O(log n); finding the next deadline is O(1).
 */
#ifndef IPMI_BRIDGE_EV_H
#define IPMI_BRIDGE_EV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EV_NS_PER_MS  1000000ULL
#define EV_NS_PER_SEC 1000000000ULL

struct ev_loop;
struct ev_timer;

typedef void (*ev_io_cb)(struct ev_loop *loop, int fd, uint32_t events, void *arg);
typedef void (*ev_timer_cb)(struct ev_loop *loop, struct ev_timer *t, void *arg);
typedef void (*ev_hook_cb)(struct ev_loop *loop, void *arg);

/* Embed in the owner; no allocation per timer. */
struct ev_timer {
    uint64_t when_ns;
    uint32_t heap_idx; /* 0 = not armed; else 1-based slot */
    ev_timer_cb cb;
    void *arg;
};

struct ev_loop *ev_new(void);
void ev_free(struct ev_loop *loop); /* ev_free(NULL) is a no-op */

/* events: EPOLLIN etc.  Returns 0 or -1 (errno). */
int ev_add_fd(struct ev_loop *loop, int fd, uint32_t events, ev_io_cb cb, void *arg);
int ev_del_fd(struct ev_loop *loop, int fd);

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg);
/* (Re)arm to fire `delay_ns` from the loop's current time. */
void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ns);
void ev_timer_start_at(struct ev_loop *loop, struct ev_timer *t, uint64_t when_ns);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);
static inline bool ev_timer_active(const struct ev_timer *t)
{
    return t->heap_idx != 0;
}
size_t ev_timer_count(const struct ev_loop *loop);

/* Monotonic time in ns, refreshed once per wake-up (cheap). */
uint64_t ev_now(const struct ev_loop *loop);
/* Read the clock now and refresh the cached value. */
uint64_t ev_now_update(struct ev_loop *loop);
uint64_t ev_monotonic_ns(void);

/* Called before every sleep (Redis' beforesleep). */
void ev_set_before_sleep(struct ev_loop *loop, ev_hook_cb cb, void *arg);

/* Run until ev_stop(); returns 0, or -1 on an epoll failure. */
int ev_run(struct ev_loop *loop);
/* One iteration, sleeping at most `max_wait_ms` (-1: until the next timer). */
int ev_run_once(struct ev_loop *loop, int max_wait_ms);
void ev_stop(struct ev_loop *loop);
bool ev_stopped(const struct ev_loop *loop);

#endif
