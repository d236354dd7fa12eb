/*
 * arena.h - bump allocation for a snapshot part: its rows and strings live
 * in a few blocks (the first sized by the builder's estimate), freed at once.
 */
#ifndef IPMI_BRIDGE_ARENA_H
#define IPMI_BRIDGE_ARENA_H

#include <stddef.h>

struct store_arena;

/* `first`: bytes of the first block (later blocks are at least as big). */
struct store_arena *arena_new(size_t first);
void arena_free(struct store_arena *a); /* NULL is a no-op */
/* n bytes aligned for any object, zeroed; NULL when memory is short. */
void *arena_alloc(struct store_arena *a, size_t n);
/* Copies of (s, len) / s, NUL-terminated; NULL when memory is short. */
char *arena_strndup(struct store_arena *a, const char *s, size_t len);
char *arena_strdup(struct store_arena *a, const char *s);
/* BMC text, cleaned (text.h) into the arena. */
char *arena_clean(struct store_arena *a, const char *s, size_t len);
/* printf into the arena. */
char *arena_printf(struct store_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * printf("%.*f", prec, v) into the arena, byte for byte, without stdio for
 * prec 0..3 and |v| < 1e15 (the value texts of a snapshot, one per sensor per
 * sweep): the exact binary value rounded half to even, as glibc's printf does
 * in the default rounding mode, in integer arithmetic.  Anything else goes
 * through printf.
 */
char *arena_fixed(struct store_arena *a, double v, unsigned prec);
/* Bytes held (blocks), for the memory figures. */
size_t arena_size(const struct store_arena *a);

#endif
