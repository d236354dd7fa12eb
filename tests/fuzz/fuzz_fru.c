// clang-format off
// fuzz-sources: src/codec/fru.c src/codec/sink.c src/poll/fru_reader.c src/codec/layout.c src/codec/ipmi_msg.c src/util/log.c src/poll/ev.c
// clang-format on
/*
 * fuzz_fru.c - libFuzzer harness for the FRU inventory codec and the FRU
 * reader's state machine.
 *
 * The input is a FRU image.  It goes through fru_parse() and
 * fru_needed_len(), every multirecord through fru_multirec_describe(), its
 * first bytes through fru_field_decode(); then a fake FRU device serves it
 * to struct fru_fetch, with the inventory area size, word access, the
 * largest count it accepts and a number of 81h "busy" answers taken from
 * the image's last bytes.  Besides the sanitizers, the harness aborts when
 * an invariant callers rely on breaks: bytes consumed within the input,
 * NUL-terminated texts within their arrays, bounded counts, a needed length
 * that never shrinks, a fetch that ends and returns the image's bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"
#include "fru.h"
#include "fru_reader.h"

#include "fuzz_stubs.h"

static struct fru_inventory inv;
static uint8_t fetch_buf[8192];

static void check_field(const struct fru_field *f)
{
    CHECK(memchr(f->text, '\0', FRU_TEXT_MAX) != NULL);
    CHECK(f->type < 4);
    CHECK(f->len <= FRU_FIELD_DATA_MAX);
    CHECK(f->flags || !f->text[0]);
}

static void check_area(const struct fru_area *a)
{
    CHECK(a->err < CODEC_E__COUNT);
    if (!a->present)
        CHECK(a->err == CODEC_OK);
}

static void check_customs(const struct fru_field *c, uint8_t n)
{
    CHECK(n <= FRU_CUSTOM_MAX);
    for (uint8_t i = 0; i < n; i++)
        check_field(&c[i]);
}

static void check_inventory(void)
{
    check_area(&inv.chassis.area);
    check_field(&inv.chassis.part_number);
    check_field(&inv.chassis.serial_number);
    check_customs(inv.chassis.custom, inv.chassis.ncustom);
    CHECK(fru_chassis_type_name(inv.chassis.type) != NULL);

    check_area(&inv.board.area);
    const struct fru_field *bf[] = {&inv.board.manufacturer, &inv.board.product_name,
                                    &inv.board.serial_number, &inv.board.part_number,
                                    &inv.board.file_id};
    for (size_t i = 0; i < 5; i++)
        check_field(bf[i]);
    check_customs(inv.board.custom, inv.board.ncustom);
    CHECK(inv.board.mfg_minutes < (1u << 24));
    CHECK((inv.board.mfg_time == -1) == (inv.board.mfg_minutes == 0));
    char when[32];
    fru_mfg_time_format(inv.board.mfg_time, when);
    CHECK(memchr(when, '\0', sizeof(when)) != NULL);

    check_area(&inv.product.area);
    const struct fru_field *pf[] = {&inv.product.manufacturer,  &inv.product.name,
                                    &inv.product.part_number,   &inv.product.version,
                                    &inv.product.serial_number, &inv.product.asset_tag,
                                    &inv.product.file_id};
    for (size_t i = 0; i < 7; i++)
        check_field(pf[i]);
    check_customs(inv.product.custom, inv.product.ncustom);

    check_area(&inv.multirec_area);
    CHECK(inv.nmultirec <= FRU_MULTIREC_MAX);
    for (uint8_t i = 0; i < inv.nmultirec; i++) {
        const struct fru_multirec *m = &inv.multirec[i];
        char line[600], tiny[5];
        size_t n = fru_multirec_describe(m, line, sizeof(line));
        CHECK(n < sizeof(line) && strlen(line) == n);
        n = fru_multirec_describe(m, tiny, sizeof(tiny));
        CHECK(n < sizeof(tiny) && strlen(tiny) == n);
        CHECK(fru_multirec_describe(m, tiny, 0) == 0);
        n = fru_mgmt_access_text(m, line, sizeof(line));
        CHECK(n < sizeof(line) && strlen(line) == n);
        if (m->flags & FRU_MR_DECODED)
            CHECK(!(m->flags & FRU_MR_SHORT));
    }
}

/* A FRU device serving `img` (Get FRU Inventory Area Info, Read FRU Data). */
struct dev {
    const uint8_t *img;
    size_t len;
    uint16_t size;
    bool word;
    uint8_t max;
    unsigned busy;
};

static void answer(struct dev *d, uint8_t cmd, const uint8_t *req, uint8_t *cc, uint8_t *rsp,
                   size_t *len)
{
    *cc = 0;
    *len = 0;
    if (cmd == FRU_CMD_GET_AREA_INFO) {
        rsp[0] = (uint8_t)d->size;
        rsp[1] = (uint8_t)(d->size >> 8);
        rsp[2] = d->word;
        *len = 3;
        return;
    }
    CHECK(cmd == FRU_CMD_READ_DATA);
    if (d->busy) {
        d->busy--;
        *cc = FRU_CC_DEVICE_BUSY;
        return;
    }
    uint32_t off = (uint32_t)(req[1] | req[2] << 8), cnt = req[3];
    if (d->word) {
        off *= 2;
        cnt *= 2;
    }
    CHECK(cnt > 0);
    CHECK(off + cnt <= d->size);
    if (cnt > d->max) {
        *cc = 0xca;
        return;
    }
    memset(rsp + 1, 0xff, cnt);
    if (off < d->len)
        memcpy(rsp + 1, d->img + off, d->len - off < cnt ? d->len - off : cnt);
    rsp[0] = (uint8_t)(d->word ? cnt / 2 : cnt);
    *len = 1 + cnt;
}

static void fetch(const uint8_t *data, size_t size)
{
    if (size < 4)
        return;
    const uint8_t *t = data + size - 4;
    struct dev d = {
        .img = data,
        .len = size,
        .size = (uint16_t)(t[0] | t[1] << 8),
        .word = t[2] & 1,
        .max = (uint8_t)(t[2] >> 1),
        .busy = t[3] & 7,
    };
    struct fru_fetch f;
    fru_fetch_init(&f, 0, fetch_buf, sizeof(fetch_buf), (uint8_t)(t[3] | 1), 3);
    for (int i = 0;; i++) {
        CHECK(i < 100000); /* bounded: every answer moves forward or spends a retry */
        uint8_t cmd, req[4], rsp[260], cc;
        size_t len;
        fru_fetch_request(&f, &cmd, req);
        answer(&d, cmd, req, &cc, rsp, &len);
        enum fru_act a = fru_fetch_on_rsp(&f, cc, rsp, len);
        if (a == FRU_ACT_DONE)
            break;
        CHECK(fru_fetch_backoff_ms(&f, 20) <= 1000);
    }
    CHECK(f.phase == FRU_PH_DONE);
    CHECK(f.have <= f.cap && f.have <= d.size);
    size_t same = f.have < size ? f.have : size;
    CHECK(memcmp(fetch_buf, data, same) == 0);
    if (f.status == FRU_READ_OK)
        CHECK(f.have >= fru_needed_len(fetch_buf, f.have, f.total));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum codec_err e = CODEC_OK;
    ssize_t n = fru_parse(data, size, &inv, &e);
    if (n < 0)
        CHECK(e == CODEC_E_TRUNCATED || e == CODEC_E_CHECKSUM || e == CODEC_E_FIELD);
    else
        CHECK(e == CODEC_OK && n >= FRU_HEADER_LEN && (size_t)n <= size);
    check_inventory();

    size_t need = fru_needed_len(data, size, size);
    CHECK(need <= size || size < FRU_HEADER_LEN);
    for (size_t k = 0; k <= size; k += 1 + size / 7)
        CHECK(fru_needed_len(data, k, size) <= need);

    struct fru_field f;
    ssize_t m = fru_field_decode(data, size, size ? data[size - 1] : 0, &f, &e);
    if (m < 0)
        CHECK(e == CODEC_E_TRUNCATED);
    else
        CHECK((size_t)m <= size && m >= 1);
    check_field(&f);

    fetch(data, size);
    return 0;
}
