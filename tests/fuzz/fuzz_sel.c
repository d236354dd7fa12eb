// clang-format off
// fuzz-sources: src/codec/sel.c src/codec/sink.c src/poll/sel_reader.c src/codec/layout.c src/codec/ipmi_tables.c src/codec/sensor.c src/codec/sdr.c src/codec/ipmi_msg.c src/util/log.c src/poll/ev.c
// clang-format on
/*
 * fuzz_sel.c - libFuzzer harness for the SEL codec and the incremental
 * SEL reader's state machine.
 *
 * The input is read twice:
 *  1. as 16-byte SEL records back to back: each is decoded and described,
 *     without an SDR and with an analog sensor whose conversion factors
 *     come from the input's first bytes; the input is also decoded as a
 *     Get SEL Info, Reserve SEL and Get SEL Entry response;
 *  2. as a stream of responses for struct sel_poll: completion code, data
 *     length (at most 40), data; two polls in a row run against one
 *     sel_state with a ring of 8, so the second poll starts from what the
 *     first left behind.  When the stream ends the request "times out".
 * Besides the sanitizers, the harness aborts when an invariant breaks:
 * texts NUL-terminated in their arrays, a ring within its capacity, a poll
 * that ends within a bounded number of requests, counters that add up, entry sequence numbers that
 * rise along the ring.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"
#include "sdr.h"
#include "sel.h"
#include "sel_reader.h"

#include "fuzz_stubs.h"

static void check_text(const struct sel_text *t)
{
    CHECK(memchr(t->timestamp, '\0', sizeof(t->timestamp)) != NULL);
    CHECK(memchr(t->sensor_name, '\0', sizeof(t->sensor_name)) != NULL);
    CHECK(memchr(t->event, '\0', sizeof(t->event)) != NULL);
    CHECK(memchr(t->reading, '\0', sizeof(t->reading)) != NULL);
    CHECK(memchr(t->data, '\0', sizeof(t->data)) != NULL);
    CHECK(t->sensor_type && t->event_class && t->direction);
}

static void records(const uint8_t *data, size_t size)
{
    struct sdr_sensor s;
    memset(&s, 0, sizeof(s));
    s.value_kind = SDR_VALUE_ANALOG;
    s.record_type = SDR_TYPE_FULL;
    if (size >= 9) {
        sdr_factors_unpack(data, data[6] & 3, data[7] & 0x7f, &s.conv);
        s.unit_base = data[8];
        s.unit_mod = data[6];
        s.mod_rel = (data[7] >> 6) & 3;
        s.rate = data[7] & 7;
    } else {
        static const uint8_t one[6] = {1, 0, 0, 0, 0, 0};
        sdr_factors_unpack(one, 0, 0, &s.conv);
    }
    strcpy(s.name, "Fuzz Sensor");
    for (size_t off = 0; off + SEL_RECORD_LEN <= size; off += SEL_RECORD_LEN) {
        struct sel_record r;
        struct sel_text t;
        enum codec_err e;
        CHECK(sel_record_decode(data + off, SEL_RECORD_LEN, &r, &e) == SEL_RECORD_LEN);
        CHECK(r.kind <= SEL_KIND_OEM_NOTS && r.ts_kind <= SEL_TS_NONE);
        CHECK(r.oem_len <= sizeof(r.oem));
        sel_describe(&r, NULL, &t);
        check_text(&t);
        sel_describe(&r, &s, &t);
        check_text(&t);
    }
    struct sel_record r;
    enum codec_err e;
    if (size < SEL_RECORD_LEN)
        CHECK(sel_record_decode(data, size, &r, &e) == -1 && e == CODEC_E_TRUNCATED);

    struct sel_info in;
    ssize_t n = sel_info_decode(data, size, &in, &e);
    CHECK(n < 0 ? e == CODEC_E_TRUNCATED : (size_t)n <= size);
    uint16_t resv, next;
    const uint8_t *rec;
    n = sel_reserve_rsp_decode(data, size, &resv, &e);
    CHECK(n < 0 || n == 2);
    n = sel_entry_rsp_decode(data, size, &next, &rec, &e);
    CHECK(n < 0 || (n == 18 && rec == data + 2));
}

/* The response stream: cc, length, data; NULL when it has run out. */
struct stream {
    const uint8_t *p;
    size_t left;
};

static bool next_rsp(struct stream *s, uint8_t *cc, const uint8_t **d, size_t *len)
{
    if (s->left < 2)
        return false;
    *cc = s->p[0];
    size_t n = s->p[1] % 41;
    if (n > s->left - 2)
        n = s->left - 2;
    *d = s->p + 2;
    *len = n;
    s->p += 2 + n;
    s->left -= 2 + n;
    return true;
}

static void one_poll(struct sel_state *st, struct stream *s, bool resv, bool guess)
{
    struct sel_poll p;
    uint64_t new_before = st->ctr.new_entries, appended_before = st->appended;
    sel_poll_begin(&p, st, resv, guess);
    for (unsigned i = 0;; i++) {
        CHECK(i < 100000);
        uint8_t cmd, req[6], cc;
        size_t rl = sel_poll_request(&p, &cmd, req), len;
        CHECK(cmd == SEL_CMD_GET_INFO || cmd == SEL_CMD_RESERVE || cmd == SEL_CMD_GET_ENTRY);
        CHECK(rl == (cmd == SEL_CMD_GET_ENTRY ? 6u : 0u));
        const uint8_t *d;
        enum sel_act a;
        if (next_rsp(s, &cc, &d, &len))
            a = sel_poll_on_rsp(&p, cc, d, len);
        else
            a = sel_poll_on_error(&p, BMC_E_TIMEOUT);
        CHECK(st->count <= st->cap && st->head < st->cap);
        if (a == SEL_ACT_DONE)
            break;
    }
    CHECK(p.phase == SEL_PH_DONE);
    CHECK(p.res.status == SEL_POLL_OK || p.res.status == SEL_POLL_FAILED);
    CHECK(st->ctr.new_entries - new_before == p.res.new_entries);
    CHECK(st->appended - appended_before == p.res.new_entries);
    CHECK(p.res.entry_requests <= p.res.requests);
    for (size_t i = 0; i < st->count; i++) {
        CHECK(sel_state_entry(st, i) != NULL);
        /* sequence numbers rise along the ring and are below the next one */
        CHECK(sel_state_entry_seq(st, i) != 0 && sel_state_entry_seq(st, i) < st->next_seq);
        CHECK(i == 0 || sel_state_entry_seq(st, i - 1) < sel_state_entry_seq(st, i));
    }
    CHECK(sel_state_entry(st, st->count) == NULL);
    CHECK(sel_state_entry_seq(st, st->count) == 0);
    CHECK(!p.res.loop || p.res.status == SEL_POLL_FAILED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    records(data, size);

    struct sel_state *st = sel_state_new(8);
    CHECK(st != NULL);
    struct stream s = {data, size};
    bool resv = size && (data[0] & 1);
    one_poll(st, &s, resv, true);
    one_poll(st, &s, !resv, size && (data[0] & 2));
    sel_state_free(st);
    return 0;
}
