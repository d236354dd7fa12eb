/*
 * test_sdr_repo.c - the SDR disk cache: round trip, stale timestamps,
 * corruption (discarded with a message, never trusted), atomic replace;
 * and sdr_repo_fetch() against fake BMCs (bmc_request() is stubbed here, so
 * the poller is not linked): record chain loops, BMCs that report the same
 * GUID, cache directories and files that must not be trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmc.h"
#include "ipmi_msg.h"
#include "sdr_repo.h"
#include "unit.h"

static char dir[256];

static const uint8_t test_guid[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                      0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

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
    memcpy(r->guid, test_guid, 16);
    r->have_guid = true;
    r->add_ts = 1000;
    r->erase_ts = 2000;
    return r;
}

static void key_of(const char *name, const char *addr, const uint8_t guid[16], uint8_t key[32])
{
    CU_ASSERT_EQUAL_FATAL(sdr_cache_key(name, addr, guid, key), 0);
}

static void test_roundtrip(void)
{
    char err[700];
    uint8_t key[32];
    key_of("db01", "10.0.0.1:623", test_guid, key);
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL_FATAL(sdr_cache_save(dir, key, r, err, sizeof(err)), 0);
    struct sdr_repo *l = sdr_cache_load(dir, key, r->guid, 1000, 2000, err, sizeof(err));
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
    l = sdr_cache_load(dir, key, r->guid, 1001, 2000, err, sizeof(err));
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_EQUAL(err[0], '\0');
    /* another GUID under the same name: a plain miss */
    uint8_t other[16] = {0};
    CU_ASSERT_PTR_NULL(sdr_cache_load(dir, key, other, 1000, 2000, err, sizeof(err)));
    CU_ASSERT_EQUAL(err[0], '\0');
    /* the file is ours alone */
    char path[600];
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(sdr_cache_path(dir, key, path, sizeof(path)), 0);
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    sdr_repo_free(r);
}

static void corrupt_at(long pos, const char *expect)
{
    char err[700], path[600];
    uint8_t key[32];
    key_of("db01", "10.0.0.1:623", test_guid, key);
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL_FATAL(sdr_cache_save(dir, key, r, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(sdr_cache_path(dir, key, path, sizeof(path)), 0);
    FILE *f = fopen(path, "r+b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, pos, SEEK_SET);
    int c = fgetc(f);
    fseek(f, pos, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    struct sdr_repo *l = sdr_cache_load(dir, key, r->guid, 1000, 2000, err, sizeof(err));
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
    corrupt_at(77, "checksum"); /* a data byte */
    corrupt_at(68, "length");   /* the data length field */
}

static void test_truncated_file(void)
{
    char err[700], path[600];
    uint8_t key[32];
    key_of("db01", "10.0.0.1:623", test_guid, key);
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL_FATAL(sdr_cache_save(dir, key, r, err, sizeof(err)), 0);
    sdr_cache_path(dir, key, path, sizeof(path));
    CU_ASSERT_EQUAL(truncate(path, 50), 0);
    CU_ASSERT_PTR_NULL(sdr_cache_load(dir, key, r->guid, 1000, 2000, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "corrupt"));
    sdr_repo_free(r);
}

/* The key: configured name and address and the reported GUID, all three. */
static void test_key(void)
{
    static const uint8_t zero[16] = {0};
    uint8_t a[32], b[32], c[32], d[32], a2[32];
    key_of("alpha", "10.0.0.1:623", zero, a);
    key_of("beta", "10.0.0.1:623", zero, b);
    key_of("alpha", "10.0.0.2:623", zero, c);
    key_of("alpha", "10.0.0.1:623", test_guid, d);
    key_of("alpha", "10.0.0.1:623", zero, a2);
    CU_ASSERT(memcmp(a, b, 32) != 0);
    CU_ASSERT(memcmp(a, c, 32) != 0);
    CU_ASSERT(memcmp(a, d, 32) != 0);
    CU_ASSERT(memcmp(a, a2, 32) == 0);
    /* "ab" + "c" is not "a" + "bc" */
    key_of("ab", "c", zero, b);
    key_of("a", "bc", zero, c);
    CU_ASSERT(memcmp(b, c, 32) != 0);

    /* a file copied to another BMC's name is not used for it */
    char err[700], pa[600], pb[600];
    struct sdr_repo *r = make_repo();
    memset(r->guid, 0, 16);
    CU_ASSERT_EQUAL_FATAL(sdr_cache_save(dir, a, r, err, sizeof(err)), 0);
    key_of("beta", "10.0.0.1:623", zero, b);
    CU_ASSERT_PTR_NULL(sdr_cache_load(dir, b, zero, 1000, 2000, err, sizeof(err)));
    CU_ASSERT_EQUAL(err[0], '\0'); /* beta has no file yet */
    sdr_cache_path(dir, a, pa, sizeof(pa));
    sdr_cache_path(dir, b, pb, sizeof(pb));
    CU_ASSERT_STRING_NOT_EQUAL(pa, pb);
    CU_ASSERT_EQUAL_FATAL(rename(pa, pb), 0);
    CU_ASSERT_PTR_NULL(sdr_cache_load(dir, b, zero, 1000, 2000, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "written for another BMC"));
    sdr_repo_free(r);
}

/* ---- the cache directory and its files ------------------------------------------ */

static void subdir(char *out, size_t len, const char *name, mode_t mode)
{
    snprintf(out, len, "%s/%s", dir, name);
    CU_ASSERT_EQUAL_FATAL(mkdir(out, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(chmod(out, mode), 0);
}

static size_t files_in(const char *d)
{
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 | wc -l", d);
    FILE *p = popen(cmd, "r");
    unsigned n = 999;
    if (p) {
        if (fscanf(p, "%u", &n) != 1)
            n = 999;
        pclose(p);
    }
    return n;
}

static void expect_refused(const char *d, const char *why)
{
    char err[700];
    uint8_t key[32];
    key_of("db01", "10.0.0.1:623", test_guid, key);
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL(sdr_cache_dir_check(d, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "refused"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, d));
    err[0] = '\0';
    CU_ASSERT_EQUAL(sdr_cache_save(d, key, r, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "refused"));
    CU_ASSERT_EQUAL(files_in(d), 0);
    err[0] = '\0';
    CU_ASSERT_PTR_NULL(sdr_cache_load(d, key, test_guid, 1000, 2000, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "refused"));
    sdr_repo_free(r);
}

static void test_directory(void)
{
    char d[300], err[700];
    subdir(d, sizeof(d), "world", 0777);
    expect_refused(d, "group or others may write");
    subdir(d, sizeof(d), "sticky", 01777);
    expect_refused(d, "group or others may write");
    subdir(d, sizeof(d), "group", 0770);
    expect_refused(d, "group or others may write");
    if (geteuid() == 0) {
        subdir(d, sizeof(d), "other", 0755);
        CU_ASSERT_EQUAL_FATAL(chown(d, 65534, 65534), 0);
        expect_refused(d, "owned by another user");
    }
    /* fine: ours, not writable by others; a missing one is created */
    subdir(d, sizeof(d), "fine", 0755);
    CU_ASSERT_EQUAL(sdr_cache_dir_check(d, err, sizeof(err)), 0);
    snprintf(d, sizeof(d), "%s/new", dir);
    CU_ASSERT_EQUAL(sdr_cache_dir_check(d, err, sizeof(err)), 0);
    uint8_t key[32];
    key_of("db01", "10.0.0.1:623", test_guid, key);
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL(sdr_cache_save(d, key, r, err, sizeof(err)), 0);
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(d, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 022, 0);
    sdr_repo_free(r);
}

/* A symbolic link planted where the temporary file goes: not followed. */
static void test_tmp_symlink(void)
{
    char d[300], err[700], path[600], tmp[700], victim[400];
    subdir(d, sizeof(d), "planted", 0700);
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    FILE *f = fopen(victim, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("precious\n", f);
    fclose(f);
    uint8_t key[32];
    key_of("db01", "10.0.0.1:623", test_guid, key);
    sdr_cache_path(d, key, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.new.%ld", path, (long)getpid());
    CU_ASSERT_EQUAL_FATAL(symlink(victim, tmp), 0);
    struct sdr_repo *r = make_repo();
    CU_ASSERT_EQUAL(sdr_cache_save(d, key, r, err, sizeof(err)), 0);
    /* the victim is untouched, the cache file is a regular file of mode 0600 */
    char buf[64] = "";
    f = fopen(victim, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(fgets(buf, sizeof(buf), f));
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "precious\n");
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(lstat(path, &st), 0);
    CU_ASSERT(S_ISREG(st.st_mode));
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_NOT_EQUAL(lstat(tmp, &st), 0); /* nothing left behind */
    struct sdr_repo *l = sdr_cache_load(d, key, test_guid, 1000, 2000, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL(l);
    sdr_repo_free(l);

    /* the cache file itself a symbolic link (to a valid cache file): refused */
    char real[700];
    snprintf(real, sizeof(real), "%s/real.sdr", dir);
    CU_ASSERT_EQUAL_FATAL(rename(path, real), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(real, path), 0);
    l = sdr_cache_load(d, key, test_guid, 1000, 2000, err, sizeof(err));
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "symbolic link"));
    CU_ASSERT_EQUAL(lstat(real, &st), 0); /* and what it points at is left alone */
    unlink(path);

    /* a cache file that is not ours: refused, left alone */
    if (geteuid() == 0) {
        CU_ASSERT_EQUAL_FATAL(sdr_cache_save(d, key, r, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL_FATAL(chown(path, 65534, 65534), 0);
        l = sdr_cache_load(d, key, test_guid, 1000, 2000, err, sizeof(err));
        CU_ASSERT_PTR_NULL(l);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file of our user or root"));
        CU_ASSERT_EQUAL(access(path, F_OK), 0);
    }
    sdr_repo_free(r);
}

/* A write that cannot be renamed into place (a non-empty directory holds the
 * name): an error naming the directory and the file, the old entry left
 * alone, no temporary file behind. */
static void test_save_fails(void)
{
    char d[300], err[700], path[600], inner[700], name[64];
    subdir(d, sizeof(d), "blocked", 0700);
    uint8_t key[32];
    key_of("db01", "10.0.0.1:623", test_guid, key);
    sdr_cache_path(d, key, path, sizeof(path));
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
    snprintf(inner, sizeof(inner), "%s/keep", path);
    FILE *f = fopen(inner, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    struct sdr_repo *r = make_repo();
    err[0] = '\0';
    CU_ASSERT_EQUAL(sdr_cache_save(d, key, r, err, sizeof(err)), -1);
    snprintf(name, sizeof(name), "%s", strrchr(path, '/') + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "SDR cache"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, d));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, name));
    CU_ASSERT_EQUAL(access(inner, F_OK), 0);
    CU_ASSERT_EQUAL(files_in(d), 2); /* the directory in the way and its file only */
    sdr_repo_free(r);
}

/* ---- sdr_repo_fetch() against fake BMCs ----------------------------------------- */

/* The poller is not linked: this file defines struct bmc and its few calls. */
struct fake_rec {
    uint16_t id, next;
    uint8_t body[8];
};
struct bmc {
    const char *name, *addr;
    const struct fake_rec *recs;
    size_t n;
    uint32_t add_ts, erase_ts;
    unsigned get_sdr; /* Get SDR requests answered */
};

static struct {
    bool busy;
    struct bmc *b;
    uint8_t cmd;
    uint8_t req[8];
    size_t len;
    bmc_rsp_cb cb;
    void *arg;
} out;

int bmc_request(struct bmc *b, uint8_t netfn, uint8_t cmd, const uint8_t *data, size_t len,
                bmc_rsp_cb cb, void *arg)
{
    CU_ASSERT_FATAL(!out.busy && len <= sizeof(out.req));
    CU_ASSERT_EQUAL(netfn, IPMI_NETFN_STORAGE);
    out.busy = true;
    out.b = b;
    out.cmd = cmd;
    if (len)
        memcpy(out.req, data, len);
    out.len = len;
    out.cb = cb;
    out.arg = arg;
    return 0;
}
const char *bmc_name(const struct bmc *b)
{
    return b->name;
}
const char *bmc_address(const struct bmc *b)
{
    return b->addr;
}
const char *bmc_error_text(const struct bmc *b)
{
    (void)b;
    return "fake";
}

static void fake_record(const struct fake_rec *r, uint8_t out_rec[13])
{
    out_rec[0] = (uint8_t)r->id;
    out_rec[1] = (uint8_t)(r->id >> 8);
    out_rec[2] = 0x51;
    out_rec[3] = 0xc0; /* OEM: the cache does not look inside */
    out_rec[4] = 8;
    memcpy(out_rec + 5, r->body, 8);
}

static void answer(void)
{
    uint8_t d[64];
    struct bmc_rsp rsp = {.err = BMC_E_NONE, .cc = 0, .data = d, .len = 0};
    struct bmc *b = out.b;
    memset(d, 0, sizeof(d));
    switch (out.cmd) {
    case 0x20: /* Get SDR Repository Info */
        d[0] = 0x51;
        d[1] = (uint8_t)b->n;
        for (int i = 0; i < 4; i++) {
            d[5 + i] = (uint8_t)(b->add_ts >> (8 * i));
            d[9 + i] = (uint8_t)(b->erase_ts >> (8 * i));
        }
        d[13] = 0x02;
        rsp.len = 14;
        break;
    case 0x22: /* Reserve SDR Repository */
        d[0] = 0x01;
        rsp.len = 2;
        break;
    case 0x23: { /* Get SDR: resv(2) id(2) offset count */
        b->get_sdr++;
        uint16_t id = (uint16_t)(out.req[2] | out.req[3] << 8);
        size_t i = 0;
        if (id != 0)
            for (i = 0; i < b->n && b->recs[i].id != id; i++)
                ;
        if (i >= b->n) {
            rsp.cc = 0xcb;
            break;
        }
        uint8_t rec[13];
        fake_record(&b->recs[i], rec);
        size_t off = out.req[4], cnt = out.req[5];
        CU_ASSERT_FATAL(off + cnt <= sizeof(rec));
        d[0] = (uint8_t)b->recs[i].next;
        d[1] = (uint8_t)(b->recs[i].next >> 8);
        memcpy(d + 2, rec + off, cnt);
        rsp.len = 2 + cnt;
        break;
    }
    default:
        CU_FAIL("unexpected command");
        rsp.cc = 0xc1;
    }
    out.busy = false;
    out.cb(b, out.arg, &rsp);
}

struct fetched {
    bool done;
    int err;
    char text[700];
    struct sdr_repo *repo;
    struct sdr_fetch_stats st;
};

static void on_fetched(struct bmc *b, void *arg, int err, const char *errtext,
                       struct sdr_repo *repo, const struct sdr_fetch_stats *stats)
{
    (void)b;
    struct fetched *f = arg;
    f->done = true;
    f->err = err;
    snprintf(f->text, sizeof(f->text), "%s", errtext ? errtext : "");
    f->repo = repo;
    f->st = *stats;
}

static struct fetched fetch(struct bmc *b, const uint8_t *guid, const char *cache)
{
    struct fetched f;
    memset(&f, 0, sizeof(f));
    CU_ASSERT_EQUAL_FATAL(sdr_repo_fetch(b, guid, cache, NULL, on_fetched, &f), 0);
    for (unsigned i = 0; out.busy && i < 100000; i++)
        answer();
    CU_ASSERT_FATAL(f.done);
    return f;
}

/* A -> B -> A: an error naming the BMC and the ID, after two records, not 4,096. */
static void test_fetch_loop(void)
{
    static const struct fake_rec loop[] = {
        {0x0001, 0x0002, {1, 1, 1, 1, 1, 1, 1, 1}},
        {0x0002, 0x0001, {2, 2, 2, 2, 2, 2, 2, 2}},
    };
    struct bmc b = {"loopy", "10.0.0.9:623", loop, 2, 100, 50, 0};
    struct fetched f = fetch(&b, NULL, NULL);
    CU_ASSERT_NOT_EQUAL(f.err, 0);
    CU_ASSERT_PTR_NULL(f.repo);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "BMC loopy (10.0.0.9:623)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "record chain loops at ID 0001h"));
    CU_ASSERT(b.get_sdr <= 4); /* header and body of A and of B */

    /* a record naming itself */
    static const struct fake_rec self[] = {
        {0x0001, 0x0005, {1, 1, 1, 1, 1, 1, 1, 1}},
        {0x0005, 0x0005, {2, 2, 2, 2, 2, 2, 2, 2}},
    };
    struct bmc s = {"selfish", "10.0.0.8:623", self, 2, 100, 50, 0};
    f = fetch(&s, NULL, NULL);
    CU_ASSERT_NOT_EQUAL(f.err, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "record chain loops at ID 0005h"));

    /* a chain back to the first record asked for as 0000h */
    static const struct fake_rec first[] = {
        {0x0010, 0x0011, {1, 1, 1, 1, 1, 1, 1, 1}},
        {0x0011, 0x0012, {2, 2, 2, 2, 2, 2, 2, 2}},
        {0x0012, 0x0010, {3, 3, 3, 3, 3, 3, 3, 3}},
    };
    struct bmc c = {"circle", "10.0.0.7:623", first, 3, 100, 50, 0};
    f = fetch(&c, NULL, NULL);
    CU_ASSERT_NOT_EQUAL(f.err, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "record chain loops at ID 0010h"));
    CU_ASSERT(c.get_sdr <= 6);

    /* a good chain still reads */
    static const struct fake_rec good[] = {
        {0x0001, 0x0002, {1, 1, 1, 1, 1, 1, 1, 1}},
        {0x0002, 0xffff, {2, 2, 2, 2, 2, 2, 2, 2}},
    };
    struct bmc g = {"good", "10.0.0.6:623", good, 2, 100, 50, 0};
    f = fetch(&g, NULL, NULL);
    CU_ASSERT_EQUAL(f.err, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f.repo);
    CU_ASSERT_EQUAL(f.repo->nrecords, 2);
    sdr_repo_free(f.repo);
}

/* Two BMCs report one GUID (all zeros) and the same timestamps: each gets its own SDRs. */
static void test_fetch_same_guid(void)
{
    static const uint8_t zero[16] = {0};
    static const struct fake_rec ra[] = {
        {0x0001, 0xffff, {'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'}}};
    static const struct fake_rec rb[] = {
        {0x0001, 0xffff, {'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B'}}};
    struct bmc a = {"alpha", "10.0.0.1:623", ra, 1, 700, 600, 0};
    struct bmc b = {"beta", "10.0.0.2:623", rb, 1, 700, 600, 0};
    char d[300];
    subdir(d, sizeof(d), "same-guid", 0700);
    struct fetched fa = fetch(&a, zero, d);
    CU_ASSERT_EQUAL_FATAL(fa.err, 0);
    CU_ASSERT_FALSE(fa.st.from_cache);
    struct fetched fb = fetch(&b, zero, d);
    CU_ASSERT_EQUAL_FATAL(fb.err, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fb.repo);
    size_t len;
    /* beta's own record, read over the wire, not alpha's from the cache */
    CU_ASSERT_FALSE(fb.st.from_cache);
    CU_ASSERT(b.get_sdr > 0);
    CU_ASSERT_EQUAL(sdr_repo_record(fb.repo, 0, &len)[5], 'B');
    CU_ASSERT_EQUAL(files_in(d), 2);
    /* and later each loads its own */
    struct fetched fa2 = fetch(&a, zero, d), fb2 = fetch(&b, zero, d);
    CU_ASSERT(fa2.st.from_cache && fb2.st.from_cache);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fa2.repo);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fb2.repo);
    CU_ASSERT_EQUAL(sdr_repo_record(fa2.repo, 0, &len)[5], 'A');
    CU_ASSERT_EQUAL(sdr_repo_record(fb2.repo, 0, &len)[5], 'B');
    sdr_repo_free(fa.repo);
    sdr_repo_free(fb.repo);
    sdr_repo_free(fa2.repo);
    sdr_repo_free(fb2.repo);
}

/* A world-writable cache directory: the BMC is read, the directory is not used. */
static void test_fetch_refused_dir(void)
{
    static const struct fake_rec ra[] = {
        {0x0001, 0xffff, {'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'}}};
    struct bmc a = {"alpha", "10.0.0.1:623", ra, 1, 700, 600, 0};
    char d[300];
    subdir(d, sizeof(d), "open-to-all", 0777);
    for (int k = 0; k < 2; k++) {
        a.get_sdr = 0;
        struct fetched f = fetch(&a, test_guid, d);
        CU_ASSERT_EQUAL(f.err, 0);
        CU_ASSERT_PTR_NOT_NULL(f.repo);
        CU_ASSERT_FALSE(f.st.from_cache);
        CU_ASSERT(f.st.cache_refused);
        CU_ASSERT(a.get_sdr > 0);
        sdr_repo_free(f.repo);
    }
    CU_ASSERT_EQUAL(files_in(d), 0);
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
        {"the key: name, address and GUID", test_key},
        {"cache directories writable by others are refused", test_directory},
        {"symbolic links are not followed", test_tmp_symlink},
        {"a failed write names the file and leaves nothing behind", test_save_fails},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo fetch_tests[] = {
        {"record chain loops end the read", test_fetch_loop},
        {"two BMCs with one GUID do not share SDRs", test_fetch_same_guid},
        {"a refused cache directory: read, not cached", test_fetch_refused_dir},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"sdr_cache", NULL, NULL, NULL, NULL, tests},
                             {"sdr_fetch", NULL, NULL, NULL, NULL, fetch_tests},
                             CU_SUITE_INFO_NULL};
    int rc = unit_run("test_sdr_repo", suites);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
