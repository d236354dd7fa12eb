#include "ev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct ev_io {
    ev_io_cb cb;
    void *arg;
    bool used;
};

struct ev_loop {
    int epfd;
    bool stop;
    uint64_t now_ns;
    struct ev_io *ios; /* indexed by fd: we own few fds (shared sockets) */
    int nios;
    struct ev_timer **heap; /* 1-based binary min-heap */
    size_t nheap, capheap;
    ev_hook_cb before_sleep;
    void *before_sleep_arg;
};

uint64_t ev_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * EV_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

struct ev_loop *ev_new(void)
{
    struct ev_loop *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        free(l);
        return NULL;
    }
    l->capheap = 64;
    l->heap = calloc(l->capheap + 1, sizeof(*l->heap));
    if (!l->heap) {
        close(l->epfd);
        free(l);
        return NULL;
    }
    l->now_ns = ev_monotonic_ns();
    return l;
}

void ev_free(struct ev_loop *l)
{
    if (!l)
        return;
    close(l->epfd);
    free(l->ios);
    free(l->heap);
    free(l);
}

int ev_add_fd(struct ev_loop *l, int fd, uint32_t events, ev_io_cb cb, void *arg)
{
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (fd >= l->nios) {
        int n = fd + 16;
        struct ev_io *p = realloc(l->ios, (size_t)n * sizeof(*p));
        if (!p)
            return -1;
        memset(p + l->nios, 0, (size_t)(n - l->nios) * sizeof(*p));
        l->ios = p;
        l->nios = n;
    }
    struct epoll_event ee = {.events = events, .data.fd = fd};
    int op = l->ios[fd].used ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(l->epfd, op, fd, &ee) < 0)
        return -1;
    l->ios[fd] = (struct ev_io){.cb = cb, .arg = arg, .used = true};
    return 0;
}

int ev_del_fd(struct ev_loop *l, int fd)
{
    if (fd < 0 || fd >= l->nios || !l->ios[fd].used)
        return 0;
    l->ios[fd].used = false;
    return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* ---- timer heap ----------------------------------------------------- */

static void heap_set(struct ev_loop *l, size_t i, struct ev_timer *t)
{
    l->heap[i] = t;
    t->heap_idx = (uint32_t)i;
}

static void heap_up(struct ev_loop *l, size_t i)
{
    struct ev_timer *t = l->heap[i];
    while (i > 1 && l->heap[i / 2]->when_ns > t->when_ns) {
        heap_set(l, i, l->heap[i / 2]);
        i /= 2;
    }
    heap_set(l, i, t);
}

static void heap_down(struct ev_loop *l, size_t i)
{
    struct ev_timer *t = l->heap[i];
    for (;;) {
        size_t c = 2 * i;
        if (c > l->nheap)
            break;
        if (c + 1 <= l->nheap && l->heap[c + 1]->when_ns < l->heap[c]->when_ns)
            c++;
        if (l->heap[c]->when_ns >= t->when_ns)
            break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, t);
}

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg)
{
    t->when_ns = 0;
    t->heap_idx = 0;
    t->cb = cb;
    t->arg = arg;
}

void ev_timer_stop(struct ev_loop *l, struct ev_timer *t)
{
    size_t i = t->heap_idx;
    if (!i)
        return;
    struct ev_timer *last = l->heap[l->nheap--];
    t->heap_idx = 0;
    if (last == t)
        return;
    heap_set(l, i, last);
    heap_up(l, i);
    heap_down(l, last->heap_idx);
}

void ev_timer_start_at(struct ev_loop *l, struct ev_timer *t, uint64_t when_ns)
{
    if (t->heap_idx) {
        uint64_t old = t->when_ns;
        t->when_ns = when_ns;
        if (when_ns < old)
            heap_up(l, t->heap_idx);
        else
            heap_down(l, t->heap_idx);
        return;
    }
    if (l->nheap == l->capheap) {
        size_t n = l->capheap * 2;
        struct ev_timer **p = realloc(l->heap, (n + 1) * sizeof(*p));
        if (!p)
            abort(); /* cannot keep our promises about deadlines without memory */
        l->heap = p;
        l->capheap = n;
    }
    t->when_ns = when_ns;
    l->nheap++;
    heap_set(l, l->nheap, t);
    heap_up(l, l->nheap);
}

void ev_timer_start(struct ev_loop *l, struct ev_timer *t, uint64_t delay_ns)
{
    ev_timer_start_at(l, t, l->now_ns + delay_ns);
}

size_t ev_timer_count(const struct ev_loop *l)
{
    return l->nheap;
}

uint64_t ev_now(const struct ev_loop *l)
{
    return l->now_ns;
}

uint64_t ev_now_update(struct ev_loop *l)
{
    l->now_ns = ev_monotonic_ns();
    return l->now_ns;
}

void ev_set_before_sleep(struct ev_loop *l, ev_hook_cb cb, void *arg)
{
    l->before_sleep = cb;
    l->before_sleep_arg = arg;
}

void ev_stop(struct ev_loop *l)
{
    l->stop = true;
}

bool ev_stopped(const struct ev_loop *l)
{
    return l->stop;
}

static void run_timers(struct ev_loop *l)
{
    /* Bound the work per wake-up so timers that re-arm at "now" cannot starve I/O. */
    size_t budget = l->nheap + 1;
    while (l->nheap && l->heap[1]->when_ns <= l->now_ns && budget--) {
        struct ev_timer *t = l->heap[1];
        ev_timer_stop(l, t);
        t->cb(l, t, t->arg);
    }
}

int ev_run_once(struct ev_loop *l, int max_wait_ms)
{
    struct epoll_event evs[64];
    if (l->before_sleep)
        l->before_sleep(l, l->before_sleep_arg);
    int wait = max_wait_ms;
    ev_now_update(l);
    if (l->nheap) {
        uint64_t first = l->heap[1]->when_ns;
        uint64_t ms = first > l->now_ns ? (first - l->now_ns + EV_NS_PER_MS - 1) / EV_NS_PER_MS : 0;
        if (ms > 60000)
            ms = 60000;
        if (wait < 0 || (int)ms < wait)
            wait = (int)ms;
    }
    int n = epoll_wait(l->epfd, evs, 64, wait);
    if (n < 0 && errno != EINTR)
        return -1;
    ev_now_update(l);
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        if (fd >= 0 && fd < l->nios && l->ios[fd].used)
            l->ios[fd].cb(l, fd, evs[i].events, l->ios[fd].arg);
    }
    run_timers(l);
    return 0;
}

int ev_run(struct ev_loop *l)
{
    l->stop = false;
    while (!l->stop) {
        if (ev_run_once(l, -1) < 0)
            return -1;
    }
    return 0;
}
