/*
 * test_sdr_share.c - identical SDR repositories share one copy of their
 * records and one sensor set; different ones do not; references are
 * counted and the last holder frees the content.
 */
#include <stdlib.h>
#include <string.h>

#include "sdr_repo.h"
#include "sdr_share.h"
#include "sensor_poll.h"
#include "unit.h"

static struct sdr_repo *make_repo(void)
{
    /* two records: ids 1 and 2, type 01h and 12h, bodies of 3 and 2 bytes */
    static const uint8_t recs[] = {0x01, 0x00, 0x51, 0x01, 0x03, 0xaa, 0xbb, 0xcc,
                                   0x02, 0x00, 0x51, 0x12, 0x02, 0x20, 0x00};
    struct sdr_repo *r = calloc(1, sizeof(*r));
    r->data = malloc(sizeof(recs));
    memcpy(r->data, recs, sizeof(recs));
    r->len = sizeof(recs);
    r->offset = malloc(2 * sizeof(uint32_t));
    r->offset[0] = 0;
    r->offset[1] = 8;
    r->nrecords = 2;
    r->add_ts = 1000;
    r->erase_ts = 2000;
    return r;
}

static const struct sensor_set *intern(struct sdr_repo *r, const char *label)
{
    return sdr_share_intern(r, label, sensor_set_build, sensor_set_free);
}

static void test_share(void)
{
    struct sdr_share_stats st0, st;
    sdr_share_stats(&st0);
    struct sdr_repo *a = make_repo(), *b = make_repo(), *c = make_repo();
    c->data[7] ^= 0x01; /* one byte differs: a different repository */
    const struct sensor_set *sa = intern(a, "BMC a");
    const struct sensor_set *sb = intern(b, "BMC b");
    const struct sensor_set *sc = intern(c, "BMC c");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    CU_ASSERT_PTR_EQUAL(sa, sb);
    CU_ASSERT_PTR_EQUAL(a->data, b->data);
    CU_ASSERT_PTR_EQUAL(a->offset, b->offset);
    CU_ASSERT_PTR_NOT_NULL(a->shared);
    CU_ASSERT_PTR_NOT_EQUAL(sa, sc);
    CU_ASSERT_PTR_NOT_EQUAL(a->data, c->data);
    /* per-BMC fields stay per BMC */
    b->add_ts = 77;
    CU_ASSERT_EQUAL(a->add_ts, 1000);
    sdr_share_stats(&st);
    CU_ASSERT_EQUAL(st.contents - st0.contents, 2);
    CU_ASSERT_EQUAL(st.refs - st0.refs, 3);
    /* interning twice changes nothing */
    CU_ASSERT_PTR_EQUAL(intern(a, "BMC a"), sa);
    sdr_share_stats(&st);
    CU_ASSERT_EQUAL(st.refs - st0.refs, 3);
    /* the records stay readable while one holder is left */
    sdr_repo_free(a);
    size_t len;
    const uint8_t *rec = sdr_repo_record(b, 1, &len);
    CU_ASSERT_EQUAL(len, 7);
    CU_ASSERT_EQUAL(rec[3], 0x12);
    sdr_share_stats(&st);
    CU_ASSERT_EQUAL(st.contents - st0.contents, 2);
    sdr_repo_free(b);
    sdr_repo_free(c);
    sdr_share_stats(&st);
    CU_ASSERT_EQUAL(st.contents, st0.contents);
    CU_ASSERT_EQUAL(st.refs, st0.refs);
    CU_ASSERT_EQUAL(st.bytes, st0.bytes);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"identical repositories share records and sensor set", test_share},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"sdr_share", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return unit_run("test_sdr_share", suites);
}
