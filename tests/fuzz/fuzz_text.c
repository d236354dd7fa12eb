// fuzz-sources: src/store/text.c
/*
 * fuzz_text.c - libFuzzer harness for the cleaner of BMC texts
 * (src/store/text.h).  Any bytes in; checked: the output is clean (valid
 * UTF-8 without control characters), the length without a buffer equals the
 * length written into a large enough one, a cut output is a prefix of the
 * whole one and ends on a character boundary, cleaning is idempotent, and
 * text that already is clean comes out unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const char *in = (const char *)data;
    size_t need = text_clean_len(in, size);
    CHECK(need <= 3 * size);
    char *out = malloc(need + 1);
    CHECK(out);
    CHECK(text_clean(in, size, out, need + 1) == need);
    CHECK(strlen(out) == need);
    CHECK(text_is_clean(out));
    /* idempotent */
    char *again = malloc(need + 1);
    CHECK(again);
    CHECK(text_clean(out, need, again, need + 1) == need);
    CHECK(!memcmp(out, again, need + 1));
    /* a cut: a prefix, itself clean (no half character) */
    size_t cap = size ? data[0] % (need + 1) + 1 : 1;
    char *cut = malloc(cap);
    CHECK(cut);
    CHECK(text_clean(in, size, cut, cap) == need);
    size_t n = strlen(cut);
    CHECK(n < cap && !memcmp(cut, out, n) && text_is_clean(cut));
    /* clean input (up to its first NUL) passes unchanged */
    size_t len = strnlen(in, size);
    char *z = malloc(len + 1);
    CHECK(z);
    memcpy(z, in, len);
    z[len] = '\0';
    if (text_is_clean(z))
        CHECK(need == len && !memcmp(out, z, len));
    free(z);
    free(cut);
    free(again);
    free(out);
    return 0;
}
