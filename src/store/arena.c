/*
 * arena.c - see arena.h.
 */
#include "arena.h"

#include <math.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdbool.h>
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
    /* v = m * 2^e exactly (m < 2^53); |v| * 10^prec = m * 10^prec * 2^e with
     * m * 10^prec < 2^63 (10^3 < 2^10): integer arithmetic gives the exact
     * value's integer part and whether the rest is below, at or above one
     * half, which printf rounds half to even. */
    static const uint64_t p10[4] = {1, 10, 100, 1000};
    if (prec <= 3 && isfinite(v) && fabs(v) < 1e15) {
        uint64_t bits;
        memcpy(&bits, &v, sizeof(bits));
        unsigned bexp = (unsigned)(bits >> 52) & 0x7ffu;
        uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
        int e = -1074; /* subnormal */
        if (bexp) {
            m |= UINT64_C(1) << 52;
            e = (int)bexp - 1075;
        }
        uint64_t x = m * p10[prec], n;
        if (e >= 0) {
            n = x << e; /* not reached below 1e15 (2^50), kept for clarity */
        } else if (e <= -64) {
            n = 0; /* x < 2^63: below one half */
        } else {
            unsigned sh = (unsigned)-e;
            uint64_t rest = x & ((UINT64_C(1) << sh) - 1), half = UINT64_C(1) << (sh - 1);
            n = x >> sh;
            if (rest > half || (rest == half && (n & 1u)))
                n++;
        }
        char digits[24], *d = digits + sizeof(digits);
        unsigned nd = 0;
        do {
            *--d = (char)('0' + n % 10u);
            n /= 10u;
            nd++;
        } while (n);
        for (; nd <= prec; nd++) /* at least one digit before the point */
            *--d = '0';
        bool neg = signbit(v) != 0;
        size_t len = (neg ? 1u : 0u) + nd + (prec ? 1u : 0u);
        char *p = alloc_at(a, len + 1, 1);
        if (!p)
            return NULL;
        char *o = p;
        if (neg)
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
    return arena_printf(a, "%.*f", (int)prec, v);
}

size_t arena_size(const struct store_arena *a)
{
    return a ? a->total : 0;
}
