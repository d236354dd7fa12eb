/*
 * arena.c - see arena.h.
 */
#include "arena.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

struct blk {
    struct blk *next;
    size_t cap, used;
    alignas(max_align_t) unsigned char data[];
};

struct store_arena {
    struct blk *head; /* the block being filled */
    size_t total;
    size_t more; /* size of the blocks after the first: a quarter of it, so that an
                  * estimate a little short costs little */
};

static struct blk *blk_new(size_t cap)
{
    struct blk *b = malloc(sizeof(*b) + cap);
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

struct store_arena *arena_new(size_t first)
{
    struct store_arena *a = malloc(sizeof(*a));
    if (!a)
        return NULL;
    if (first < 256)
        first = 256;
    a->head = blk_new(first);
    if (!a->head) {
        free(a);
        return NULL;
    }
    a->total = first;
    a->more = first / 4 > 256 ? first / 4 : 256;
    return a;
}

void arena_free(struct store_arena *a)
{
    if (!a)
        return;
    for (struct blk *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

/* n bytes at alignment al (a power of two) */
static void *alloc_at(struct store_arena *a, size_t n, size_t al)
{
    struct blk *b = a->head;
    size_t at = (b->used + al - 1) & ~(al - 1);
    if (at < b->used || at > b->cap || b->cap - at < n) {
        size_t cap = a->more > n ? a->more : n;
        struct blk *nb = blk_new(cap);
        if (!nb)
            return NULL;
        nb->next = a->head;
        a->head = nb;
        a->total += cap;
        b = nb;
        at = 0;
    }
    void *p = b->data + at;
    b->used = at + n;
    return p;
}

void *arena_alloc(struct store_arena *a, size_t n)
{
    void *p = alloc_at(a, n, alignof(max_align_t));
    if (p)
        memset(p, 0, n);
    return p;
}

char *arena_strndup(struct store_arena *a, const char *s, size_t len)
{
    char *p = alloc_at(a, len + 1, 1); /* strings need no alignment */
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *arena_strdup(struct store_arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_clean(struct store_arena *a, const char *s, size_t len)
{
    size_t n = text_clean_len(s, len);
    char *p = alloc_at(a, n + 1, 1);
    if (p)
        text_clean(s, len, p, n + 1);
    return p;
}

char *arena_printf(struct store_arena *a, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = alloc_at(a, (size_t)n + 1, 1);
    if (!p)
        return NULL;
    if ((size_t)n < sizeof(small)) {
        memcpy(p, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return p;
}

char *arena_fixed(struct store_arena *a, double v, unsigned prec)
{
#if LDBL_MANT_DIG >= 64
    /* |v| * 10^prec in long double is exact: v has 53 significant bits and
     * 10^prec (prec <= 3) at most 7 (1000 = 125 * 2^3), 60 in all, and the
     * fraction of an exact product is exact too, so the rounding below sees
     * the value printf sees. */
    static const long double p10[4] = {1.0L, 10.0L, 100.0L, 1000.0L};
    if (prec <= 3 && isfinite(v) && fabs(v) < 1e15) {
        long double x = fabsl((long double)v) * p10[prec];
        long double whole = floorl(x);
        long double frac = x - whole;
        uint64_t n = (uint64_t)whole;
        if (frac > 0.5L || (frac == 0.5L && (n & 1u)))
            n++;
        char digits[24], *d = digits + sizeof(digits);
        unsigned nd = 0;
        do {
            *--d = (char)('0' + n % 10u);
            n /= 10u;
            nd++;
        } while (n);
        for (; nd <= prec; nd++) /* at least one digit before the point */
            *--d = '0';
        size_t len = (signbit(v) ? 1u : 0u) + nd + (prec ? 1u : 0u);
        char *p = alloc_at(a, len + 1, 1);
        if (!p)
            return NULL;
        char *o = p;
        if (signbit(v))
            *o++ = '-';
        memcpy(o, d, nd - prec);
        o += nd - prec;
        if (prec) {
            *o++ = '.';
            memcpy(o, d + nd - prec, prec);
            o += prec;
        }
        *o = '\0';
        return p;
    }
#endif
    return arena_printf(a, "%.*f", (int)prec, v);
}

size_t arena_size(const struct store_arena *a)
{
    return a ? a->total : 0;
}
