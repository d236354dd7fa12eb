/*
 * fuzz_stubs.h - shared by the reader harnesses (fuzz_fru.c, fuzz_sel.c).
 * The readers' asynchronous half talks to the poller (bmc.c, not linked):
 * a harness drives only the state machines, so bmc_request() must never
 * be called, and the naming accessors just answer something.
 */
#ifndef FUZZ_STUBS_H
#define FUZZ_STUBS_H

#include <stdlib.h>

#include "bmc.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int bmc_request(struct bmc *b, uint8_t netfn, uint8_t cmd, const uint8_t *d, size_t len,
                bmc_rsp_cb cb, void *arg)
{
    (void)b, (void)netfn, (void)cmd, (void)d, (void)len, (void)cb, (void)arg;
    abort();
}
const char *bmc_name(const struct bmc *b)
{
    (void)b;
    return "fuzz";
}
const char *bmc_address(const struct bmc *b)
{
    (void)b;
    return "fuzz:623";
}
const char *bmc_error_word(enum bmc_error e)
{
    (void)e;
    return "fuzz";
}

#endif
