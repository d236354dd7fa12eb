// clang-format off
// fuzz-sources: src/codec/asf.c src/codec/ipmi_info.c src/codec/layout.c
// clang-format on
/*
 * fuzz_asf_info.c - libFuzzer harness for the RMCP/ASF Presence Ping/Pong
 * decoders and the layouts of POH counter, SEL time, channel info, LAN
 * configuration parameters and DCMI power reading: whatever a BMC (or
 * anyone on the network) sends, decoding stays within the input and the
 * destination, and a pong that decodes encodes back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asf.h"
#include "ipmi_info.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum codec_err e;
    struct asf_pong p;
    uint8_t tag, buf[64];
    if (asf_pong_decode(data, size, &p, &e) == 0) {
        CHECK(size == ASF_PONG_LEN);
        CHECK(asf_pong_encode(p.tag, p.entities, buf, sizeof(buf), &e) == ASF_PONG_LEN);
        struct asf_pong q;
        CHECK(asf_pong_decode(buf, ASF_PONG_LEN, &q, &e) == 0);
        CHECK(q.tag == p.tag && q.entities == p.entities);
    }
    if (asf_ping_decode(data, size, &tag, &e) == 0)
        CHECK(size == ASF_PING_LEN);
    static const struct layout *const ls[] = {
        &ipmi_poh_rsp_layout,       &ipmi_sel_time_rsp_layout, &ipmi_chinfo_rsp_layout,
        &ipmi_lan_param_rsp_layout, &dcmi_power_rsp_layout,
    };
    union {
        struct ipmi_poh_rsp poh;
        struct ipmi_sel_time_rsp t;
        struct ipmi_chinfo_rsp ch;
        struct ipmi_lan_param_rsp lan;
        struct dcmi_power_rsp pw;
    } u;
    for (size_t i = 0; i < sizeof(ls) / sizeof(ls[0]); i++) {
        ssize_t n = layout_decode(ls[i], data, size, &u, &e);
        CHECK(n < 0 || (size_t)n <= size);
        if (ls[i] == &ipmi_lan_param_rsp_layout && n >= 0)
            CHECK(u.lan.data_len <= sizeof(u.lan.data));
    }
    return 0;
}
