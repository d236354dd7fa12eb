/*
 * test_sdr_repo.c - the SDR disk cache: round trip, stale timestamps,
 * corruption (discarded with a message, never trusted), atomic replace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdr_repo.h"
#include "sdr_share.h"
#include "sensor_poll.h"
#include "unit.h"

static char dir[256];

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
    for (int i = 0; i < 16; i++)
        r->guid[i] = (uint8_t)(0xa0 + i);
    r->have_guid = true;
    r->add_ts = 1000;
    r->erase_ts = 2000;
    return r;
}

static void test_roundtrip(void)
{
    char err[700];
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL_FATAL(sdr_cache_save(dir, r, err, sizeof(err)), 0);
    struct sdr_repo *l = sdr_cache_load(dir, r->guid, 1000, 2000, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL(l->nrecords, 2);
    CU_ASSERT_EQUAL(l->len, r->len);
    CU_ASSERT_EQUAL(memcmp(l->data, r->data, r->len), 0);
    size_t len;
    const uint8_t *rec = sdr_repo_record(l, 1, &len);
    CU_ASSERT_EQUAL(len, 7);
    CU_ASSERT_EQUAL(rec[3], 0x12);
    sdr_repo_free(l);
    /* stale timestamps: no repository, and no complaint */
    l = sdr_cache_load(dir, r->guid, 1001, 2000, err, sizeof(err));
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_EQUAL(err[0], '\0');
    sdr_repo_free(r);
}

/* Identical repositories share one copy of their records and one sensor set. */
static void test_share(void)
{
    struct sdr_share_stats st0, st;
    sdr_share_stats(&st0);
    struct sdr_repo *a = make_repo(), *b = make_repo(), *c = make_repo();
    c->data[7] ^= 0x01; /* one byte differs: a different repository */
    const struct sensor_set *sa = sdr_share_intern(a, "BMC a");
    const struct sensor_set *sb = sdr_share_intern(b, "BMC b");
    const struct sensor_set *sc = sdr_share_intern(c, "BMC c");
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
    CU_ASSERT_PTR_EQUAL(sdr_share_intern(a, "BMC a"), sa);
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

static void corrupt_at(long pos, const char *expect)
{
    char err[700], path[600];
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL_FATAL(sdr_cache_save(dir, r, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(sdr_cache_path(dir, r->guid, path, sizeof(path)), 0);
    FILE *f = fopen(path, "r+b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, pos, SEEK_SET);
    int c = fgetc(f);
    fseek(f, pos, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    struct sdr_repo *l = sdr_cache_load(dir, r->guid, 1000, 2000, err, sizeof(err));
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "corrupt"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));
    /* the corrupt file is gone: the next load is a plain miss */
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    sdr_repo_free(l);
    sdr_repo_free(r);
}

static void test_corrupt(void)
{
    corrupt_at(0, "magic");
    corrupt_at(45, "checksum"); /* a data byte */
    corrupt_at(36, "length");   /* the data length field */
}

static void test_truncated_file(void)
{
    char err[700], path[600];
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL_FATAL(sdr_cache_save(dir, r, err, sizeof(err)), 0);
    sdr_cache_path(dir, r->guid, path, sizeof(path));
    CU_ASSERT_EQUAL(truncate(path, 50), 0);
    CU_ASSERT_PTR_NULL(sdr_cache_load(dir, r->guid, 1000, 2000, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "corrupt"));
    sdr_repo_free(r);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/test_sdr_repo.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return 2;
    CU_TestInfo tests[] = {
        {"save and load round trip; stale timestamps miss", test_roundtrip},
        {"corrupt files are discarded with a reason", test_corrupt},
        {"a truncated file is discarded", test_truncated_file},
        {"identical repositories share records and sensor set", test_share},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"sdr_cache", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    int rc = unit_run("test_sdr_repo", suites);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
