/*
 * arena.c - see arena.h.
 */
#include "arena.h"

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

void *arena_alloc(struct store_arena *a, size_t n)
{
    const size_t al = alignof(max_align_t);
    size_t need = (n + al - 1) & ~(al - 1);
    if (need < n)
        return NULL;
    struct blk *b = a->head;
    if (b->cap - b->used < need) {
        size_t cap = b->cap > need ? b->cap : need;
        struct blk *nb = blk_new(cap);
        if (!nb)
            return NULL;
        nb->next = a->head;
        a->head = nb;
        a->total += cap;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct store_arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
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
    char *p = arena_alloc(a, n + 1);
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
    char *p = arena_alloc(a, (size_t)n + 1);
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

size_t arena_size(const struct store_arena *a)
{
    return a ? a->total : 0;
}
