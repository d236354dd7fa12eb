/*
 * test_simcontent.c - the simulator's content module, read back through its
 * own answers.  The decoding here is a deliberately separate, minimal parse
 * (SDR records, FRU areas, SEL records) so that a shared misunderstanding
 * between encoder and test is less likely.
 */
#include "simcontent.h"
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NF_CHASSIS 0x00
#define NF_SE      0x04
#define NF_APP     0x06
#define NF_STORAGE 0x0A

static struct sim_profile *prof;  /* the default profile */
static struct sim_profile *small; /* small.profile */
static uint64_t now = 1000;

/* ---- helpers -------------------------------------------------------------- */

static size_t call_ev(struct sim_state *s, const struct sim_profile *p, uint8_t netfn, uint8_t cmd,
                      const uint8_t *req, size_t len, uint8_t *rsp, struct sim_event *ev,
                      size_t maxev, size_t *nev)
{
    size_t dummy;
    return sim_handle(s, p, now, netfn, cmd, req, len, rsp, 256, ev, maxev, nev ? nev : &dummy);
}

static size_t call(struct sim_state *s, uint8_t netfn, uint8_t cmd, const uint8_t *req, size_t len,
                   uint8_t *rsp)
{
    return call_ev(s, prof, netfn, cmd, req, len, rsp, NULL, 0, NULL);
}

static uint16_t le16(const uint8_t *b)
{
    return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* tests/bmcsim/NAME from the source tree, wherever the test runs from */
static int source_path(const char *name, char *out, size_t cap)
{
    const char *top = getenv("top_srcdir"), *src = getenv("srcdir");
    char here[512];
    snprintf(here, sizeof(here), "%s", __FILE__);
    char *slash = strrchr(here, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(here, sizeof(here), ".");
    const char *cands[4][2] = {
        {top, "/tests/bmcsim/"}, {src, "/tests/bmcsim/"}, {here, "/"}, {".", "/tests/bmcsim/"}};
    for (int i = 0; i < 4; i++) {
        if (!cands[i][0])
            continue;
        snprintf(out, cap, "%s%s%s", cands[i][0], cands[i][1], name);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return -1;
}

static int suite_init(void)
{
    char err[256], path[600];
    prof = sim_profile_load(NULL, err, sizeof(err));
    if (!prof) {
        fprintf(stderr, "default profile: %s\n", err);
        return 1;
    }
    if (source_path("small.profile", path, sizeof(path)) < 0) {
        fprintf(stderr, "small.profile not found (set top_srcdir)\n");
        sim_profile_free(prof);
        return 1;
    }
    small = sim_profile_load(path, err, sizeof(err));
    if (!small) {
        fprintf(stderr, "small profile: %s\n", err);
        sim_profile_free(prof);
        return 1;
    }
    return 0;
}

static int suite_cleanup(void)
{
    sim_profile_free(prof);
    sim_profile_free(small);
    prof = small = NULL;
    return 0;
}

/* ---- an independent SDR walk -------------------------------------------------- */

#define MAX_RECS 300

struct repo {
    size_t n;
    uint16_t id[MAX_RECS];
    uint8_t len[MAX_RECS];
    uint8_t rec[MAX_RECS][80];
};

static uint16_t reserve_sdr(struct sim_state *s, const struct sim_profile *p)
{
    uint8_t r[256];
    size_t n = call_ev(s, p, NF_STORAGE, 0x22, NULL, 0, r, NULL, 0, NULL);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(r[0], 0x00);
    return le16(r + 1);
}

/* Get SDR: res, id, offset, count -> completion code; data into out */
static uint8_t get_sdr(struct sim_state *s, const struct sim_profile *p, uint16_t res, uint16_t id,
                       uint8_t off, uint8_t cnt, uint16_t *next, uint8_t *out, size_t *outlen)
{
    uint8_t q[6] = {(uint8_t)res, (uint8_t)(res >> 8), (uint8_t)id, (uint8_t)(id >> 8), off, cnt};
    uint8_t r[256];
    size_t n = call_ev(s, p, NF_STORAGE, 0x23, q, 6, r, NULL, 0, NULL);
    if (r[0] != 0)
        return r[0];
    CU_ASSERT_TRUE_FATAL(n >= 3);
    *next = le16(r + 1);
    memcpy(out, r + 3, n - 3);
    *outlen = n - 3;
    return 0;
}

/* Whole repository in `chunk`-byte partial reads: header first, then body. */
static void walk_sdr(struct sim_state *s, const struct sim_profile *p, uint8_t chunk,
                     struct repo *rp)
{
    uint16_t res = reserve_sdr(s, p), id = 0x0000, next;
    uint8_t buf[256];
    size_t got;
    rp->n = 0;
    while (id != 0xFFFF) {
        CU_ASSERT_TRUE_FATAL(rp->n < MAX_RECS);
        uint8_t *rec = rp->rec[rp->n];
        CU_ASSERT_EQUAL_FATAL(get_sdr(s, p, res, id, 0, 5, &next, buf, &got), 0);
        CU_ASSERT_EQUAL_FATAL(got, 5);
        memcpy(rec, buf, 5);
        size_t total = 5u + rec[4];
        CU_ASSERT_TRUE_FATAL(total <= 64);
        for (size_t off = 5; off < total; off += chunk) {
            uint8_t want = (uint8_t)(total - off < chunk ? total - off : chunk);
            uint16_t next2;
            CU_ASSERT_EQUAL_FATAL(get_sdr(s, p, res, id, (uint8_t)off, want, &next2, buf, &got), 0);
            CU_ASSERT_EQUAL_FATAL(got, want);
            CU_ASSERT_EQUAL(next2, next);
            memcpy(rec + off, buf, got);
        }
        rp->id[rp->n] = le16(rec);
        if (id != 0)
            CU_ASSERT_EQUAL(rp->id[rp->n], id);
        CU_ASSERT_EQUAL(rec[2], 0x51);
        rp->len[rp->n] = (uint8_t)total;
        rp->n++;
        id = next;
    }
}

/* Where each record type keeps its ID string type/length byte (IPMI 2.0 section 43). */
static int id_at(uint8_t type)
{
    switch (type) {
    case 0x01:
        return 47;
    case 0x02:
        return 31;
    case 0x03:
        return 16;
    case 0x11:
    case 0x12:
        return 15;
    default:
        return -1;
    }
}

static void rec_name(const uint8_t *rec, size_t len, char *out)
{
    int at = id_at(rec[3]);
    out[0] = '\0';
    CU_ASSERT_TRUE_FATAL(at > 0);
    uint8_t tl = rec[at];
    CU_ASSERT_EQUAL(tl & 0xC0, 0xC0); /* 8-bit ASCII */
    size_t n = tl & 0x1F;
    CU_ASSERT_TRUE_FATAL(n <= 16);
    CU_ASSERT_EQUAL((size_t)at + 1 + n, len); /* the string ends the record */
    memcpy(out, rec + at + 1, n);
    out[n] = '\0';
}

static const struct {
    uint8_t type;
    const char *name;
} expected_sdrs[] = {
    {1, "CPU1 Temp"},
    {1, "CPU2 Temp"},
    {1, "Inlet Temp"},
    {1, "Exhaust Temp"},
    {1, "PCH Temp"},
    {1, "DIMM A1 Temp"},
    {1, "DIMM B1 Temp"},
    {1, "DIMM C1 Temp"},
    {1, "DIMM D1 Temp"},
    {1, "VR CPU1 Temp"},
    {1, "VR CPU2 Temp"},
    {1, "NIC Temp"},
    {1, "PSU1 Temp"},
    {1, "PSU2 Temp"},
    {1, "FAN1"},
    {1, "FAN2"},
    {1, "FAN3"},
    {1, "FAN4"},
    {1, "FAN5"},
    {1, "FAN6"},
    {1, "P12V"},
    {1, "P5V"},
    {1, "P3V3"},
    {1, "P5V_STBY"},
    {1, "P3V3_STBY"},
    {1, "VBAT"},
    {1, "CPU1 VCore"},
    {1, "CPU2 VCore"},
    {1, "DIMM VDDQ"},
    {1, "P1V05 PCH"},
    {1, "PSU1 Current"},
    {1, "PSU2 Current"},
    {1, "BBU Current"},
    {1, "PSU1 Input Power"},
    {1, "PSU2 Input Power"},
    {1, "Total Power"},
    {1, "CPU1 Power"},
    {1, "CPU2 Power"},
    {2, "PSU1 Status"},
    {2, "PSU2 Status"},
    {2, "PSU Redundancy"},
    {2, "CPU1 Status"},
    {2, "CPU2 Status"},
    {2, "CPU1 Prochot"},
    {2, "Intrusion"},
    {2, "Power Unit"},
    {2, "ACPI State"},
    {2, "Drive 0"},
    {2, "DIMM"},
    {3, "Watchdog"},
    {3, "Event Log"},
    {0x11, "PSU1 FRU"},
    {0x12, "SIM BMC"},
};
#define N_EXPECTED (sizeof(expected_sdrs) / sizeof(expected_sdrs[0]))

static const uint8_t *find_rec(const struct repo *rp, const char *name)
{
    char nm[20];
    for (size_t i = 0; i < rp->n; i++) {
        rec_name(rp->rec[i], rp->len[i], nm);
        if (!strcmp(nm, name))
            return rp->rec[i];
    }
    CU_FAIL("record not found");
    return NULL;
}

/* y = (M x + B 10^Bexp) 10^Rexp from a full record (IPMI 2.0 section 36.3) */
static int sx(unsigned v, int bits)
{
    return (v & (1u << (bits - 1))) ? (int)v - (1 << bits) : (int)v;
}

static double conv(const uint8_t *r, uint8_t raw)
{
    int m = sx((unsigned)r[24] | (unsigned)(r[25] >> 6) << 8, 10);
    int b = sx((unsigned)r[26] | (unsigned)(r[27] >> 6) << 8, 10);
    int rexp = sx(r[29] >> 4, 4), bexp = sx(r[29] & 0x0F, 4);
    int fmt = r[20] >> 6;
    double x = fmt == 2 ? (double)(int8_t)raw : (double)raw;
    return (m * x + b * pow(10, bexp)) * pow(10, rexp);
}

static double reading_of(struct sim_state *s, const struct sim_profile *p, const uint8_t *rec,
                         uint8_t *cmp)
{
    uint8_t q = rec[7], r[256];
    size_t n = call_ev(s, p, NF_SE, 0x2D, &q, 1, r, NULL, 0, NULL);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_TRUE(n >= 4);
    if (cmp)
        *cmp = r[3] & 0x3F;
    return conv(rec, r[1]);
}

/* ---- profile ----------------------------------------------------------------- */

static void test_default_file_matches(void)
{
    char path[600], err[256];
    CU_ASSERT_EQUAL_FATAL(source_path("default.profile", path, sizeof(path)), 0);
    char *text = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, sim_default_profile_text());
    free(text);

    /* and the two build the same content */
    struct sim_profile *fp = sim_profile_load(path, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_EQUAL(sim_profile_sensor_count(fp), sim_profile_sensor_count(prof));
    struct sim_state *a = sim_state_new(prof, 3, 9), *b = sim_state_new(fp, 3, 9);
    static struct repo ra, rb;
    walk_sdr(a, prof, 32, &ra);
    walk_sdr(b, fp, 32, &rb);
    CU_ASSERT_EQUAL(ra.n, rb.n);
    for (size_t i = 0; i < ra.n && i < rb.n; i++) {
        CU_ASSERT_EQUAL(ra.len[i], rb.len[i]);
        CU_ASSERT_EQUAL(memcmp(ra.rec[i], rb.rec[i], ra.len[i]), 0);
    }
    for (uint8_t fru = 0; fru < 2; fru++) {
        uint8_t ra2[256], rb2[256];
        for (unsigned off = 0; off < 512; off += 16) {
            uint8_t q[4] = {fru, (uint8_t)off, (uint8_t)(off >> 8), 16};
            size_t na = call_ev(a, prof, NF_STORAGE, 0x11, q, 4, ra2, NULL, 0, NULL);
            size_t nb = call_ev(b, fp, NF_STORAGE, 0x11, q, 4, rb2, NULL, 0, NULL);
            CU_ASSERT_EQUAL(na, nb);
            CU_ASSERT_EQUAL(memcmp(ra2, rb2, na), 0);
        }
    }
    sim_state_free(a);
    sim_state_free(b);
    sim_profile_free(fp);
}

static void test_small_profile(void)
{
    CU_ASSERT_EQUAL(sim_profile_sensor_count(small), 12); /* DIMM x2 shares one record */
    struct sim_state *s = sim_state_new(small, 0, 1);
    static struct repo rp;
    walk_sdr(s, small, 16, &rp);
    CU_ASSERT_EQUAL(rp.n, 13); /* 11 sensor records, a FRU locator, the MC locator */
    uint8_t q[6] = {0, 0, 1, 0, 0, 17}, r[256];
    CU_ASSERT_EQUAL(call_ev(s, small, NF_STORAGE, 0x23, q, 6, r, NULL, 0, NULL), 1);
    CU_ASSERT_EQUAL(r[0], 0xCA); /* sdr_max_read=16 */
    uint8_t f[4] = {0, 0, 0, 17};
    call_ev(s, small, NF_STORAGE, 0x11, f, 4, r, NULL, 0, NULL);
    CU_ASSERT_EQUAL(r[0], 0xCA); /* fru_max_chunk=16 */
    CU_ASSERT_TRUE(sim_state_bytes(s) < 1024);
    sim_state_free(s);
}

static void expect_error(const char *text, const char *want)
{
    char path[] = "/tmp/test_simcontent_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL((size_t)write(fd, text, strlen(text)), strlen(text));
    close(fd);
    char err[256] = "", prefix[64];
    struct sim_profile *p = sim_profile_load(path, err, sizeof(err));
    CU_ASSERT_PTR_NULL(p);
    sim_profile_free(p);
    snprintf(prefix, sizeof(prefix), "%s:", path);
    CU_ASSERT_EQUAL(strncmp(err, prefix, strlen(prefix)), 0);
    if (!strstr(err, want)) {
        fprintf(stderr, "\n  got \"%s\", want \"%s\"\n", err, want);
        CU_FAIL("error message");
    }
    unlink(path);
}

#define OKS "sensor 1 \"T\" type=temperature threshold nominal=40 unc=80 entity=3.1\n"

static void test_profile_errors(void)
{
    expect_error("# c\n\nbogus x=1\n", ":3: unknown directive 'bogus'");
    expect_error(OKS "sensor 2 \"U\" type=temperature threshold nominal=40 colour=red "
                     "entity=3.1\n",
                 ":2: sensor: unknown key 'colour'");
    expect_error(OKS OKS, ":2: sensor: number 1 (0x01) is already used");
    expect_error("sensor 1 \"T\" type=temperature threshold nominal=40 unc=80 uc=70 entity=3.1\n",
                 ":1: sensor: thresholds out of order");
    expect_error("sensor 1 \"T\" type=temperature threshold nominal=400 entity=3.1\n",
                 ":1: nominal=400 cannot be represented");
    expect_error("sensor 1 \"T\" type=temperature threshold nominal=-4 entity=3.1\n",
                 ":1: nominal=-4 cannot be represented");
    expect_error("sensor 1 \"unterminated type=temperature\n", ":1: unterminated string");
    expect_error("sensor 1 \"A name that is too long\" type=temperature threshold nominal=1 "
                 "entity=3.1\n",
                 ":1: sensor name");
    expect_error(OKS "sensor 2 \"D\" type=memory discrete=0x6f states=0x0800 entity=32.1\n",
                 ":2: states: 0x0800 has bits outside mask 0x07ff");
    expect_error(OKS "sensor 2 \"D\" type=memory discrete=0x6f record=full share=2 entity=32.1\n",
                 ":2: share: full records cannot be shared");
    expect_error(OKS "sensor 2 \"D\" type=memory threshold record=compact nominal=1 entity=32.1\n",
                 ":2: record: a threshold sensor needs a full record");
    expect_error(OKS "sensor 3 \"E\" type=temperature threshold nominal=1 entity=nowhere.1\n",
                 ":2: entity: unknown name 'nowhere'");
    expect_error(OKS "fru 1 product name=\"x\"\n", ":2: fru 1: declare it first");
    expect_error(OKS "fru 1 \"F\" entity=10.1\nfru 1 product name=\"x\"\n",
                 ":3: name: a 1-character field would read as the end marker C1h");
    expect_error(OKS "fru 0 \"F\" entity=10.1\nfru 0 board mfg_date=\"1995-12-31 23:59\"\n",
                 ":3: mfg_date: '1995-12-31 23:59' is outside");
    expect_error(OKS "fru 0 \"F\" entity=10.1\n", ":3: fru 0: no chassis, board or product area");
    expect_error(OKS "device fw=1.2\n", ":2: fw: '1.2' is not MAJOR.NN");
    expect_error(OKS "device sdr_max_read=4\n", ":2: sdr_max_read: 4 is out of range");
    expect_error("# nothing\n", ":2: the profile defines no sensor");

    char err[256];
    CU_ASSERT_PTR_NULL(sim_profile_load("/nonexistent/x.profile", err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.profile: "));
}

/* ---- SDR ------------------------------------------------------------------------- */

static void test_sdr_walk(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    static struct repo rp;
    walk_sdr(s, prof, 16, &rp);

    uint8_t r[256];
    call(s, NF_STORAGE, 0x20, NULL, 0, r);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(r[1], 0x51);
    CU_ASSERT_EQUAL(le16(r + 2), rp.n);
    CU_ASSERT_EQUAL(r[14] & 0x02, 0x02); /* Reserve SDR Repository supported */

    CU_ASSERT_EQUAL_FATAL(rp.n, N_EXPECTED);
    char nm[20];
    for (size_t i = 0; i < rp.n; i++) {
        CU_ASSERT_EQUAL(rp.rec[i][3], expected_sdrs[i].type);
        rec_name(rp.rec[i], rp.len[i], nm);
        if (strcmp(nm, expected_sdrs[i].name)) {
            fprintf(stderr, "\n  record %zu: \"%s\", want \"%s\"\n", i, nm, expected_sdrs[i].name);
            CU_FAIL("ID string");
        }
        CU_ASSERT_EQUAL(rp.id[i], i + 1);
    }
    sim_state_free(s);
}

/* Threshold sensors: masks agree with the thresholds, readings convert sensibly. */
static void test_sdr_full_records(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    static struct repo rp;
    walk_sdr(s, prof, 32, &rp);
    static const uint8_t lower_low[3] = {0x00, 0x02, 0x04};  /* LNC, LC, LNR going low */
    static const uint8_t upper_high[3] = {0x07, 0x09, 0x0B}; /* UNC, UC, UNR going high */
    unsigned nfull = 0, nsigned = 0;
    for (size_t i = 0; i < rp.n; i++) {
        const uint8_t *r = rp.rec[i];
        if (r[3] != 0x01)
            continue;
        nfull++;
        CU_ASSERT_EQUAL(r[5], 0x20);
        CU_ASSERT_EQUAL(r[13], 0x01); /* threshold event/reading type */
        CU_ASSERT_EQUAL(r[23], 0x00); /* linear */
        uint16_t am = le16(r + 14), dm = le16(r + 16);
        uint8_t readable = r[18];
        /* readable thresholds: LNC, LC, LNR, UNC, UC, UNR in bits 0..5 */
        for (int k = 0; k < 3; k++) {
            bool lo = readable & (1u << k), hi = readable & (1u << (k + 3));
            CU_ASSERT_EQUAL(!!(am & (1u << lower_low[k])), lo);
            CU_ASSERT_EQUAL(!!(am & (1u << (12 + k))), lo);
            CU_ASSERT_EQUAL(!!(dm & (1u << lower_low[k])), lo);
            CU_ASSERT_EQUAL(!!(am & (1u << upper_high[k])), hi);
            CU_ASSERT_EQUAL(!!(dm & (1u << (12 + k))), hi);
        }
        CU_ASSERT_TRUE(readable != 0);
        CU_ASSERT_EQUAL(r[19], 0); /* nothing settable */
        if ((r[20] >> 6) == 2)
            nsigned++;
        /* Get Sensor Thresholds agrees with the record */
        uint8_t q = r[7], t[256];
        call(s, NF_SE, 0x27, &q, 1, t);
        CU_ASSERT_EQUAL(t[0], 0);
        CU_ASSERT_EQUAL(t[1], readable);
        static const int at[6] = {41, 40, 39, 38, 37, 36}; /* LNC..UNR in the record */
        for (int k = 0; k < 6; k++)
            if (readable & (1u << k))
                CU_ASSERT_EQUAL(t[2 + k], r[at[k]]);
        /* the reading sits between the lower and upper non-critical thresholds */
        uint8_t cmp = 0xFF;
        double v = reading_of(s, prof, r, &cmp);
        CU_ASSERT_EQUAL(cmp, 0);
        if (readable & 1)
            CU_ASSERT_TRUE(v > conv(r, r[41]));
        if (readable & 8)
            CU_ASSERT_TRUE(v < conv(r, r[38]));
        /* hysteresis and reading factors agree too */
        uint8_t hq[2] = {r[7], 0xFF};
        call(s, NF_SE, 0x25, hq, 2, t);
        CU_ASSERT_EQUAL(t[0], 0);
        CU_ASSERT_EQUAL(t[1], r[42]);
        CU_ASSERT_EQUAL(t[2], r[43]);
        uint8_t fq[2] = {r[7], 0};
        call(s, NF_SE, 0x23, fq, 2, t);
        CU_ASSERT_EQUAL(t[0], 0);
        CU_ASSERT_EQUAL(memcmp(t + 2, r + 24, 6), 0);
    }
    CU_ASSERT_EQUAL(nfull, 38);
    CU_ASSERT_TRUE(nsigned >= 1);

    /* spot checks of the conversion, with the units of Table 43-15 */
    const uint8_t *r = find_rec(&rp, "P12V");
    CU_ASSERT_EQUAL(r[21], 4); /* volts */
    CU_ASSERT_DOUBLE_EQUAL(conv(r, r[31]), 12.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(conv(r, r[40]), 10.8, 1e-9); /* LC */
    r = find_rec(&rp, "DIMM VDDQ");
    CU_ASSERT_DOUBLE_EQUAL(conv(r, r[31]), 1.2, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(conv(r, 0), 0.6, 1e-9);
    r = find_rec(&rp, "BBU Current");
    CU_ASSERT_EQUAL(r[20] >> 6, 2);
    CU_ASSERT_DOUBLE_EQUAL(conv(r, r[31]), -1.2, 1e-9);
    CU_ASSERT_TRUE(reading_of(s, prof, r, NULL) < 0);
    r = find_rec(&rp, "Inlet Temp");
    CU_ASSERT_DOUBLE_EQUAL(conv(r, r[39]), -5.0, 1e-9); /* LNR below zero */
    CU_ASSERT_EQUAL(r[8], 0x40);                        /* air inlet */
    r = find_rec(&rp, "FAN1");
    CU_ASSERT_EQUAL(r[21], 18);   /* RPM */
    CU_ASSERT_EQUAL(r[18], 0x07); /* lower thresholds only */
    CU_ASSERT_DOUBLE_EQUAL(reading_of(s, prof, r, NULL), 7200, 4 * 60 + 1e-9);
    sim_state_free(s);
}

static void test_sdr_other_records(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    static struct repo rp;
    walk_sdr(s, prof, 16, &rp);
    uint8_t r[256];

    /* the shared compact record: DIMM1..DIMM4 on 60h..63h */
    const uint8_t *d = find_rec(&rp, "DIMM");
    CU_ASSERT_EQUAL(d[7], 0x60);
    CU_ASSERT_EQUAL(d[12], 0x0C);
    CU_ASSERT_EQUAL(d[13], 0x6F);
    CU_ASSERT_EQUAL(d[23] & 0x0F, 4);     /* share count */
    CU_ASSERT_EQUAL((d[23] >> 4) & 3, 0); /* numeric modifier */
    CU_ASSERT_EQUAL(d[24], 0x80 | 1);     /* instance increments, offset 1 */
    for (uint8_t n = 0x60; n < 0x64; n++) {
        call(s, NF_SE, 0x2D, &n, 1, r);
        CU_ASSERT_EQUAL(r[0], 0);
        CU_ASSERT_EQUAL(r[3], 0x40); /* presence detected */
    }
    uint8_t n = 0x64;
    call(s, NF_SE, 0x2D, &n, 1, r);
    CU_ASSERT_EQUAL(r[0], 0xCB);

    /* generic types: redundancy (0Bh) and digital (03h) */
    d = find_rec(&rp, "PSU Redundancy");
    CU_ASSERT_EQUAL(d[13], 0x0B);
    d = find_rec(&rp, "CPU1 Prochot");
    CU_ASSERT_EQUAL(d[13], 0x03);
    CU_ASSERT_EQUAL(le16(d + 18), 0x0003);

    /* event-only: no reading */
    d = find_rec(&rp, "Watchdog");
    CU_ASSERT_EQUAL(d[10], 0x23);
    call(s, NF_SE, 0x2D, &d[7], 1, r);
    CU_ASSERT_EQUAL(r[0], 0xCD);

    /* FRU locator names FRU 1, logical; MC locator is the BMC */
    d = find_rec(&rp, "PSU1 FRU");
    CU_ASSERT_EQUAL(d[5], 0x20);
    CU_ASSERT_EQUAL(d[6], 1);
    CU_ASSERT_EQUAL(d[7] & 0x80, 0x80);
    CU_ASSERT_EQUAL(d[10], 0x10);
    CU_ASSERT_EQUAL(d[12], 0x0A);
    d = find_rec(&rp, "SIM BMC");
    CU_ASSERT_EQUAL(d[5], 0x20);
    CU_ASSERT_EQUAL(d[8] & 0x0F, 0x0F); /* sensor, SDR, SEL, FRU */

    /* a discrete sensor has no thresholds */
    n = 0x50;
    call(s, NF_SE, 0x27, &n, 1, r);
    CU_ASSERT_EQUAL(r[0], 0xCD);
    sim_state_free(s);
}

static void test_sdr_reservation(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    uint8_t buf[256];
    size_t got;
    uint16_t next;
    uint16_t r1 = reserve_sdr(s, prof);
    CU_ASSERT_NOT_EQUAL(r1, 0);
    CU_ASSERT_EQUAL(get_sdr(s, prof, r1, 1, 5, 16, &next, buf, &got), 0);
    CU_ASSERT_EQUAL(got, 16);
    CU_ASSERT_EQUAL(next, 2);
    uint16_t r2 = reserve_sdr(s, prof);
    CU_ASSERT_NOT_EQUAL(r1, r2);
    /* the new reservation cancels the old one for partial reads */
    CU_ASSERT_EQUAL(get_sdr(s, prof, r1, 1, 5, 16, &next, buf, &got), 0xC5);
    CU_ASSERT_EQUAL(get_sdr(s, prof, 0, 1, 5, 16, &next, buf, &got), 0xC5);
    CU_ASSERT_EQUAL(get_sdr(s, prof, r2, 1, 5, 16, &next, buf, &got), 0);
    /* offset 0 needs no reservation */
    CU_ASSERT_EQUAL(get_sdr(s, prof, r1, 1, 0, 5, &next, buf, &got), 0);
    CU_ASSERT_EQUAL(get_sdr(s, prof, 0, 1, 0, 5, &next, buf, &got), 0);
    /* size limits: more than sdr_max_read, or a whole record that is too long */
    CU_ASSERT_EQUAL(get_sdr(s, prof, r2, 1, 0, 33, &next, buf, &got), 0xCA);
    CU_ASSERT_EQUAL(get_sdr(s, prof, r2, 1, 0, 0xFF, &next, buf, &got), 0xCA);
    CU_ASSERT_EQUAL(get_sdr(s, prof, r2, 0x32, 0, 0xFF, &next, buf, &got), 0); /* event-only */
    size_t whole = got;
    CU_ASSERT_EQUAL(whole, 5u + buf[4]);
    /* reading past the end returns what is there */
    CU_ASSERT_EQUAL(get_sdr(s, prof, r2, 0x32, 16, 16, &next, buf, &got), 0);
    CU_ASSERT_EQUAL(got, whole - 16);
    CU_ASSERT_EQUAL(get_sdr(s, prof, r2, 0x32, (uint8_t)(whole + 1), 1, &next, buf, &got), 0xC9);
    /* FFFFh is the last record, 0000h the first; others must exist */
    CU_ASSERT_EQUAL(get_sdr(s, prof, 0, 0xFFFF, 0, 5, &next, buf, &got), 0);
    CU_ASSERT_EQUAL(buf[3], 0x12);
    CU_ASSERT_EQUAL(next, 0xFFFF);
    CU_ASSERT_EQUAL(get_sdr(s, prof, 0, 0x0000, 0, 5, &next, buf, &got), 0);
    CU_ASSERT_EQUAL(le16(buf), 1);
    CU_ASSERT_EQUAL(get_sdr(s, prof, 0, 0x1234, 0, 5, &next, buf, &got), 0xCB);
    /* the device SDR commands (netfn 04h) read the same repository */
    uint8_t q[6] = {0, 0, 1, 0, 0, 5}, r[256];
    call(s, NF_SE, 0x22, NULL, 0, r);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(call(s, NF_SE, 0x21, q, 6, r), 8);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(r[3 + 3], 0x01);
    sim_state_free(s);
}

/* ---- sensors --------------------------------------------------------------------- */

static void test_drift_determinism(void)
{
    struct sim_state *a = sim_state_new(prof, 5, 77), *b = sim_state_new(prof, 5, 77);
    struct sim_state *c = sim_state_new(prof, 6, 77), *d = sim_state_new(prof, 5, 78);
    uint8_t ra[256], rb[256], rc[256];
    unsigned differ_bmc = 0, differ_time = 0;
    uint8_t first[256] = {0};
    for (uint64_t t = 0; t < 1200; t += 37) {
        now = t;
        for (unsigned n = 0; n < 0x50; n++) {
            uint8_t q = (uint8_t)n;
            size_t na = call(a, NF_SE, 0x2D, &q, 1, ra);
            size_t nb = call(b, NF_SE, 0x2D, &q, 1, rb);
            call(c, NF_SE, 0x2D, &q, 1, rc);
            CU_ASSERT_EQUAL(na, nb);
            CU_ASSERT_EQUAL(memcmp(ra, rb, na), 0);
            if (ra[0] != 0)
                continue;
            differ_bmc += ra[1] != rc[1];
            if (t == 0)
                first[n] = ra[1];
            else
                differ_time += ra[1] != first[n];
        }
    }
    CU_ASSERT_TRUE(differ_bmc > 0);
    CU_ASSERT_TRUE(differ_time > 0);

    uint8_t ga[16], gb[16], gc[16], gd[16];
    sim_guid(a, ga);
    sim_guid(b, gb);
    sim_guid(c, gc);
    sim_guid(d, gd);
    CU_ASSERT_EQUAL(memcmp(ga, gb, 16), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(ga, gc, 16), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(ga, gd, 16), 0);
    call(a, NF_APP, 0x37, NULL, 0, ra);
    CU_ASSERT_EQUAL(ra[0], 0);
    CU_ASSERT_EQUAL(memcmp(ra + 1, ga, 16), 0);
    call(a, NF_APP, 0x08, NULL, 0, ra);
    CU_ASSERT_EQUAL(memcmp(ra + 1, ga, 16), 0);

    /* the default drift stays in the OK band: no SEL entry in 20 minutes */
    CU_ASSERT_EQUAL(sim_sel_count(a), 4);
    now = 1000;
    sim_state_free(a);
    sim_state_free(b);
    sim_state_free(c);
    sim_state_free(d);
}

static void test_drift_band(void)
{
    /* every threshold reading stays within nominal +- drift and moves */
    struct sim_state *s = sim_state_new(prof, 11, 3);
    static struct repo rp;
    walk_sdr(s, prof, 32, &rp);
    for (size_t i = 0; i < rp.n; i++) {
        const uint8_t *r = rp.rec[i];
        if (r[3] != 0x01)
            continue;
        int nominal = (r[20] >> 6) == 2 ? (int8_t)r[31] : r[31];
        int lo = 1000, hi = -1000;
        for (uint64_t t = 0; t < 1200; t++) {
            now = t;
            uint8_t q = r[7], a[256];
            call(s, NF_SE, 0x2D, &q, 1, a);
            int v = (r[20] >> 6) == 2 ? (int8_t)a[1] : a[1];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        CU_ASSERT_TRUE(hi > lo);
        CU_ASSERT_TRUE(nominal - lo <= 4 && hi - nominal <= 4);
    }
    CU_ASSERT_EQUAL(sim_sel_count(s), 4);
    CU_ASSERT_EQUAL(sim_tick(s, prof, 5000, NULL, 0), 0);
    now = 1000;
    sim_state_free(s);
}

static void get_sel(struct sim_state *s, uint16_t id, uint8_t rec[16], uint16_t *next)
{
    uint8_t q[6] = {0, 0, (uint8_t)id, (uint8_t)(id >> 8), 0, 0xFF}, r[256];
    size_t n = call(s, NF_STORAGE, 0x43, q, 6, r);
    CU_ASSERT_EQUAL_FATAL(r[0], 0);
    CU_ASSERT_EQUAL_FATAL(n, 19);
    if (next)
        *next = le16(r + 1);
    memcpy(rec, r + 3, 16);
}

static void test_threshold_crossing(void)
{
    struct sim_state *s = sim_state_new(prof, 2, 2);
    struct sim_event ev[8];
    size_t nev = 99;
    char err[128];
    uint8_t r[256], rec[16];
    size_t before = sim_sel_count(s);

    /* CPU1 Temp (01h) above UNC 85 but below UC 90: one assertion */
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "CPU1 Temp", 86, now, ev, 8, &nev, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL_FATAL(nev, 1);
    CU_ASSERT_EQUAL(sim_sel_count(s), before + 1);
    get_sel(s, 0xFFFF, rec, NULL);
    CU_ASSERT_EQUAL(memcmp(rec, ev[0].record, 16), 0);
    CU_ASSERT_EQUAL(le16(rec), ev[0].record_id);
    CU_ASSERT_EQUAL(rec[2], 0x02);
    CU_ASSERT_EQUAL(rec[7], 0x20);
    CU_ASSERT_EQUAL(rec[9], 0x04);
    CU_ASSERT_EQUAL(rec[10], 0x01); /* temperature */
    CU_ASSERT_EQUAL(rec[11], 0x01);
    CU_ASSERT_EQUAL(rec[12], 0x01); /* assertion, threshold */
    CU_ASSERT_EQUAL(rec[13], 0x57); /* reading and threshold in bytes 2-3, UNC going high */
    CU_ASSERT_EQUAL(rec[14], 86);
    CU_ASSERT_EQUAL(rec[15], 85);
    uint8_t q = 0x01;
    call(s, NF_SE, 0x2D, &q, 1, r);
    CU_ASSERT_EQUAL(r[1], 86);
    CU_ASSERT_EQUAL(r[3] & 0x3F, 0x08); /* at or above UNC */
    call(s, NF_SE, 0x2B, &q, 1, r);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(le16(r + 2), 1u << 7);

    /* no news, no event; time passing does not undo an override */
    now += 100;
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "cpu1 temp", 87, now, ev, 8, &nev, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(nev, 0);
    CU_ASSERT_EQUAL(sim_tick(s, prof, now + 1, ev, 8), 0);
    call(s, NF_SE, 0x2D, &q, 1, r);
    CU_ASSERT_EQUAL(r[1], 87);

    /* within hysteresis (2) of UNC: still asserted; below it: one deassertion */
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "0x01", 84, now, ev, 8, &nev, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(nev, 0);
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "1", 82, now, ev, 8, &nev, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(nev, 1);
    CU_ASSERT_EQUAL(ev[0].record[12], 0x81);
    CU_ASSERT_EQUAL(ev[0].record[13], 0x57);
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "CPU1 Temp", NAN, now, ev, 8, &nev, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(nev, 0);

    /* straight past three lower thresholds of a signed sensor: three events, in order */
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "Inlet Temp", -7, now, ev, 8, &nev, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL_FATAL(nev, 3);
    CU_ASSERT_EQUAL(ev[0].record[13], 0x50);
    CU_ASSERT_EQUAL(ev[1].record[13], 0x52);
    CU_ASSERT_EQUAL(ev[2].record[13], 0x54);
    CU_ASSERT_EQUAL(ev[2].record[14], (uint8_t)-7);
    CU_ASSERT_EQUAL(ev[2].record[15], (uint8_t)-5);
    q = 0x03;
    call(s, NF_SE, 0x2D, &q, 1, r);
    CU_ASSERT_EQUAL(r[3] & 0x3F, 0x07);

    /* a discrete sensor: power supply failure (offset 1) asserted */
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "PSU1 Status", 3, now, ev, 8, &nev, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL_FATAL(nev, 1);
    CU_ASSERT_EQUAL(ev[0].record[10], 0x08);
    CU_ASSERT_EQUAL(ev[0].record[12], 0x6F);
    CU_ASSERT_EQUAL(ev[0].record[13], 0x01);
    q = 0x50;
    call(s, NF_SE, 0x2D, &q, 1, r);
    CU_ASSERT_EQUAL(r[3], 0x03);
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "PSU1 Status", NAN, now, ev, 8, &nev, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(nev, 1);
    CU_ASSERT_EQUAL(ev[0].record[12], 0xEF);

    /* shared sensors by name, with or without a space */
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "DIMM 3", 0x41, now, ev, 8, &nev, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(nev, 1);
    CU_ASSERT_EQUAL(ev[0].record[11], 0x62);

    /* errors */
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "Nope", 1, now, ev, 8, &nev, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Nope"));
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "CPU1 Temp", 300, now, ev, 8, &nev, err, sizeof(err)),
                    -1);
    CU_ASSERT_EQUAL(
        sim_set_sensor(s, prof, "PSU1 Status", 0x8000, now, ev, 8, &nev, err, sizeof(err)), -1);
    now = 1000;
    sim_state_free(s);
}

static void test_tick_and_lazy(void)
{
    /* a profile whose drift crosses UNC: sim_tick logs assert and deassert */
    char path[] = "/tmp/test_simcontent_XXXXXX", err[256];
    const char *text = "sensor 1 \"Hot\" type=temperature threshold nominal=80 drift=6 period=60 "
                       "unc=84 hyst=1 entity=3.1\n"
                       "sensor 2 \"Calm\" type=temperature threshold nominal=30 drift=2 unc=84 "
                       "entity=3.2\n";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL((size_t)write(fd, text, strlen(text)), strlen(text));
    close(fd);
    struct sim_profile *p = sim_profile_load(path, err, sizeof(err));
    unlink(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct sim_state *s = sim_state_new(p, 0, 0), *lazy = sim_state_new(p, 0, 0);
    CU_ASSERT_EQUAL(sim_sel_count(s), 3); /* prefill: Hot excursion pair, OEM record */
    size_t base = sim_sel_count(s);
    struct sim_event ev[4];
    unsigned asserts = 0, deasserts = 0, total = 0;
    for (uint64_t t = 0; t < 600; t++) {
        size_t n = sim_tick(s, p, t, ev, 4);
        CU_ASSERT_EQUAL(sim_tick(s, p, t, ev, 4), 0); /* same second: nothing */
        for (size_t i = 0; i < n; i++) {
            CU_ASSERT_EQUAL(ev[i].record[11], 1);
            if (ev[i].record[12] & 0x80)
                deasserts++;
            else
                asserts++;
        }
        total += (unsigned)n;
    }
    CU_ASSERT_TRUE(asserts >= 5); /* ten periods */
    CU_ASSERT_TRUE(deasserts + 1 >= asserts && deasserts <= asserts);
    CU_ASSERT_EQUAL(sim_sel_count(s), base + total);

    /* reading lazily gives the same history as ticking */
    uint8_t r[256], q = 1;
    for (uint64_t t = 0; t < 600; t++)
        sim_handle(lazy, p, t, NF_SE, 0x2D, &q, 1, r, sizeof(r), NULL, 0, NULL);
    CU_ASSERT_EQUAL(sim_sel_count(lazy), sim_sel_count(s));
    sim_state_free(s);
    sim_state_free(lazy);
    sim_profile_free(p);
}

/* ---- FRU --------------------------------------------------------------------------- */

static size_t read_fru(struct sim_state *s, uint8_t id, uint8_t *img, size_t cap, uint8_t chunk)
{
    uint8_t q[4] = {id}, r[256];
    call(s, NF_STORAGE, 0x10, q, 1, r);
    CU_ASSERT_EQUAL_FATAL(r[0], 0);
    size_t size = le16(r + 1);
    CU_ASSERT_EQUAL(r[3] & 1, 0);
    CU_ASSERT_TRUE_FATAL(size <= cap);
    for (size_t off = 0; off < size;) {
        q[1] = (uint8_t)off;
        q[2] = (uint8_t)(off >> 8);
        q[3] = chunk;
        size_t n = call(s, NF_STORAGE, 0x11, q, 4, r);
        CU_ASSERT_EQUAL_FATAL(r[0], 0);
        CU_ASSERT_EQUAL_FATAL(n, 2u + r[1]);
        CU_ASSERT_TRUE_FATAL(r[1] > 0 && r[1] <= chunk);
        memcpy(img + off, r + 2, r[1]);
        off += r[1];
    }
    return size;
}

static uint8_t sum8(const uint8_t *b, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + b[i]);
    return s;
}

/* Fields of one info area, after `skip` fixed bytes; returns the count. */
static int area_fields(const uint8_t *a, size_t alen, size_t skip, char f[][64], int max)
{
    size_t at = skip;
    int n = 0;
    while (at < alen && a[at] != 0xC1) {
        CU_ASSERT_EQUAL_FATAL(a[at] & 0xC0, 0xC0);
        size_t l = a[at] & 0x3F;
        CU_ASSERT_TRUE_FATAL(at + 1 + l < alen);
        if (n < max) {
            memcpy(f[n], a + at + 1, l);
            f[n][l] = '\0';
        }
        n++;
        at += 1 + l;
    }
    CU_ASSERT_TRUE(at < alen); /* found C1h */
    return n;
}

static void test_fru(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    static uint8_t img[4096], img2[4096];
    char f[16][64];

    size_t size = read_fru(s, 0, img, sizeof(img), 16);
    CU_ASSERT_EQUAL(read_fru(s, 0, img2, sizeof(img2), 32), size);
    CU_ASSERT_EQUAL(memcmp(img, img2, size), 0);
    CU_ASSERT_EQUAL(img[0], 0x01);
    CU_ASSERT_EQUAL(sum8(img, 8), 0);
    int areas = 0;
    for (int a = 0; a < 3; a++) { /* chassis, board, product */
        size_t off = img[2 + a] * 8u;
        CU_ASSERT_TRUE_FATAL(off != 0 && off < size);
        const uint8_t *ar = img + off;
        size_t alen = ar[1] * 8u;
        CU_ASSERT_EQUAL(ar[0], 0x01);
        CU_ASSERT_TRUE_FATAL(off + alen <= size);
        CU_ASSERT_EQUAL(sum8(ar, alen), 0);
        areas++;
        if (a == 0) {
            CU_ASSERT_EQUAL(ar[2], 0x17);
            CU_ASSERT_EQUAL(area_fields(ar, alen, 3, f, 16), 3);
            CU_ASSERT_STRING_EQUAL(f[0], "CHS-2U-0001");
            CU_ASSERT_STRING_EQUAL(f[2], "Rack R07"); /* custom */
        } else if (a == 1) {
            /* 2023-06-15 08:30 UTC in minutes since 1996-01-01 00:00 */
            struct tm t0 = {.tm_year = 96, .tm_mday = 1},
                      t1 = {.tm_year = 123, .tm_mon = 5, .tm_mday = 15, .tm_hour = 8, .tm_min = 30};
            uint32_t want = (uint32_t)((timegm(&t1) - timegm(&t0)) / 60);
            CU_ASSERT_EQUAL((uint32_t)(ar[3] | ar[4] << 8 | ar[5] << 16), want);
            CU_ASSERT_EQUAL(area_fields(ar, alen, 6, f, 16), 6);
            CU_ASSERT_STRING_EQUAL(f[0], "Simulated Systems");
            CU_ASSERT_STRING_EQUAL(f[1], "SIM-MB-2S");
            CU_ASSERT_STRING_EQUAL(f[5], "Rev A02");
        } else {
            CU_ASSERT_EQUAL(area_fields(ar, alen, 3, f, 16), 8);
            CU_ASSERT_STRING_EQUAL(f[1], "SimServer 2S");
            CU_ASSERT_STRING_EQUAL(f[5], "ASSET-0001");
            CU_ASSERT_STRING_EQUAL(f[7], "Config 7");
        }
    }
    CU_ASSERT_EQUAL(areas, 3);

    /* FRU 1, the power supply named by the locator: a product area only */
    size = read_fru(s, 1, img, sizeof(img), 16);
    CU_ASSERT_EQUAL(sum8(img, 8), 0);
    CU_ASSERT_EQUAL(img[2], 0);
    CU_ASSERT_EQUAL(img[3], 0);
    const uint8_t *ar = img + img[4] * 8u;
    CU_ASSERT_EQUAL(sum8(ar, ar[1] * 8u), 0);
    CU_ASSERT_EQUAL(area_fields(ar, ar[1] * 8u, 3, f, 16), 8);
    CU_ASSERT_STRING_EQUAL(f[1], "SP-800W");
    CU_ASSERT_STRING_EQUAL(f[5], ""); /* empty asset tag */

    /* limits */
    uint8_t q[4] = {0, 0, 0, 33}, r[256];
    call(s, NF_STORAGE, 0x11, q, 4, r);
    CU_ASSERT_EQUAL(r[0], 0xCA);
    q[1] = 0xFF;
    q[2] = 0x0F;
    q[3] = 8;
    call(s, NF_STORAGE, 0x11, q, 4, r);
    CU_ASSERT_EQUAL(r[0], 0xC9);
    q[0] = 2;
    call(s, NF_STORAGE, 0x10, q, 1, r);
    CU_ASSERT_EQUAL(r[0], 0xCB);
    sim_state_free(s);
}

/* ---- SEL --------------------------------------------------------------------------- */

static uint16_t reserve_sel(struct sim_state *s)
{
    uint8_t r[256];
    call(s, NF_STORAGE, 0x42, NULL, 0, r);
    CU_ASSERT_EQUAL(r[0], 0);
    return le16(r + 1);
}

static void test_sel_prefill(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    uint8_t r[256], rec[16];
    call(s, NF_STORAGE, 0x40, NULL, 0, r);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(r[1], 0x51);
    CU_ASSERT_EQUAL(le16(r + 2), 4);
    CU_ASSERT_EQUAL(le16(r + 4), (128 - 4) * 16);
    CU_ASSERT_EQUAL(r[14], 0x03);
    CU_ASSERT_TRUE(le32(r + 6) > le32(r + 10)); /* added after the last erase */

    uint16_t id = 0, next, n = 0;
    uint8_t types[8];
    while (id != 0xFFFF && n < 8) {
        get_sel(s, id, rec, &next);
        types[n++] = rec[2];
        if (id)
            CU_ASSERT_EQUAL(le16(rec), id);
        id = next;
    }
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(types[0], 0x02);
    CU_ASSERT_EQUAL(types[3], 0xC0);
    get_sel(s, 1, rec, NULL);
    CU_ASSERT_EQUAL(rec[12], 0x01);
    CU_ASSERT_EQUAL(rec[13], 0x57);
    get_sel(s, 3, rec, NULL);
    CU_ASSERT_EQUAL(rec[10], 0x08); /* power supply presence */
    CU_ASSERT_EQUAL(rec[12], 0x6F);
    get_sel(s, 0xFFFF, rec, NULL);
    CU_ASSERT_EQUAL(rec[2], 0xC0);
    CU_ASSERT_EQUAL(rec[7] | rec[8] << 8 | rec[9] << 16, 32473);
    CU_ASSERT_TRUE(le32(rec + 3) < 1700000000u);
    sim_state_free(s);
}

/* sel_history=N: N older threshold events before the prefill, oldest first */
static void test_sel_history(void)
{
    char path[] = "/tmp/test_simcontent_XXXXXX", err[256];
    const char *text = "device sel_capacity=300 sel_history=252\n"
                       "sensor 1 \"Hot\" type=temperature threshold nominal=80 drift=0 unc=84 "
                       "entity=3.1\n"
                       "sensor 2 \"Calm\" type=temperature threshold nominal=30 unc=84 "
                       "entity=3.2\n";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL((size_t)write(fd, text, strlen(text)), strlen(text));
    close(fd);
    struct sim_profile *p = sim_profile_load(path, err, sizeof(err));
    unlink(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct sim_state *s = sim_state_new(p, 1, 1);
    uint8_t r[256], rec[16];
    call_ev(s, p, NF_STORAGE, 0x40, NULL, 0, r, NULL, 0, NULL);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(le16(r + 2), 252 + 3); /* the prefill: Hot's pair, the OEM record */
    uint16_t id = 0, next, n = 0;
    uint32_t last_ts = 0;
    bool ordered = true;
    while (id != 0xFFFF && n < 300) {
        uint8_t q[6] = {0, 0, (uint8_t)id, (uint8_t)(id >> 8), 0, 0xFF};
        CU_ASSERT_EQUAL_FATAL(call_ev(s, p, NF_STORAGE, 0x43, q, 6, r, NULL, 0, NULL), 19);
        CU_ASSERT_EQUAL_FATAL(r[0], 0);
        next = le16(r + 1);
        memcpy(rec, r + 3, 16);
        if (n < 252) {
            ordered = ordered && rec[2] == 0x02 && le32(rec + 3) > last_ts &&
                      rec[12] == (n % 2 ? 0x81 : 0x01) && rec[13] == 0x57;
            last_ts = le32(rec + 3);
        }
        n++;
        id = next;
    }
    CU_ASSERT_EQUAL(n, 255);
    CU_ASSERT_TRUE(ordered);
    sim_state_free(s);
    sim_profile_free(p);
}

static void test_sel_add_get_clear(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    uint8_t r[256], rec[16];
    uint8_t add[16] = {0, 0, 0x02, 0, 0, 0, 0, 0x41, 0, 0x04, 0x01, 0x05, 0x01, 0x59, 99, 90};
    now = 500;
    call(s, NF_STORAGE, 0x44, add, 16, r);
    CU_ASSERT_EQUAL(r[0], 0);
    uint16_t id = le16(r + 1);
    CU_ASSERT_EQUAL(id, 5);
    get_sel(s, id, rec, NULL);
    CU_ASSERT_EQUAL(le32(rec + 3), 1700000000u + 500);
    CU_ASSERT_EQUAL(memcmp(rec + 7, add + 7, 9), 0);
    call(s, NF_STORAGE, 0x48, NULL, 0, r);
    CU_ASSERT_EQUAL(le32(r + 1), 1700000000u + 500);

    /* partial reads need the reservation */
    uint8_t q[6] = {0, 0, 5, 0, 7, 4};
    call(s, NF_STORAGE, 0x43, q, 6, r);
    CU_ASSERT_EQUAL(r[0], 0xC5);
    uint16_t res = reserve_sel(s);
    q[0] = (uint8_t)res;
    q[1] = (uint8_t)(res >> 8);
    CU_ASSERT_EQUAL(call(s, NF_STORAGE, 0x43, q, 6, r), 7);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(le16(r + 1), 0xFFFF);
    CU_ASSERT_EQUAL(memcmp(r + 3, add + 7, 4), 0);
    q[2] = 9;
    call(s, NF_STORAGE, 0x43, q, 6, r);
    CU_ASSERT_EQUAL(r[0], 0xCB);

    /* inject, as bmcsim-ctl would */
    struct sim_event ev;
    char err[64];
    const uint8_t data[3] = {0x01, 0xFF, 0xFF};
    CU_ASSERT_EQUAL(sim_inject_event(s, prof, now, 0x08, 0x50, 0x6F, data, &ev, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(ev.record_id, 6);
    CU_ASSERT_EQUAL(ev.record[13], 0x01);

    /* clear: reservation, 'CLR', initiate / status */
    uint8_t c[6] = {(uint8_t)(res + 1), (uint8_t)((res + 1) >> 8), 'C', 'L', 'R', 0xAA};
    call(s, NF_STORAGE, 0x47, c, 6, r);
    CU_ASSERT_EQUAL(r[0], 0xC5);
    c[0] = (uint8_t)res;
    c[1] = (uint8_t)(res >> 8);
    c[3] = 'X';
    call(s, NF_STORAGE, 0x47, c, 6, r);
    CU_ASSERT_EQUAL(r[0], 0xCC);
    c[3] = 'L';
    now = 600;
    CU_ASSERT_EQUAL(call(s, NF_STORAGE, 0x47, c, 6, r), 2);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(r[1] & 0x0F, 0x01);
    c[5] = 0x00;
    call(s, NF_STORAGE, 0x47, c, 6, r);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(r[1] & 0x0F, 0x01);
    CU_ASSERT_EQUAL(sim_sel_count(s), 0);
    call(s, NF_STORAGE, 0x40, NULL, 0, r);
    CU_ASSERT_EQUAL(le16(r + 2), 0);
    CU_ASSERT_EQUAL(le32(r + 10), 1700000000u + 600);
    uint8_t g[6] = {0, 0, 0, 0, 0, 0xFF};
    call(s, NF_STORAGE, 0x43, g, 6, r);
    CU_ASSERT_EQUAL(r[0], 0xCB);

    /* set the clock */
    uint8_t t[4] = {0x78, 0x56, 0x34, 0x12};
    call(s, NF_STORAGE, 0x49, t, 4, r);
    CU_ASSERT_EQUAL(r[0], 0);
    now = 605;
    call(s, NF_STORAGE, 0x48, NULL, 0, r);
    CU_ASSERT_EQUAL(le32(r + 1), 0x12345678u + 5);
    now = 1000;
    sim_state_free(s);
}

static void test_sel_overflow(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    uint8_t r[256], rec[16];
    uint8_t add[16] = {0, 0, 0x02, 0, 0, 0, 0, 0x41, 0, 0x04, 0x01, 0x05, 0x01, 0x59, 0, 90};
    for (unsigned i = 0; i < 200; i++) {
        add[14] = (uint8_t)i;
        call(s, NF_STORAGE, 0x44, add, 16, r);
        CU_ASSERT_EQUAL(r[0], 0);
    }
    CU_ASSERT_EQUAL(sim_sel_count(s), 128);
    call(s, NF_STORAGE, 0x40, NULL, 0, r);
    CU_ASSERT_EQUAL(le16(r + 2), 128);
    CU_ASSERT_EQUAL(le16(r + 4), 0);
    CU_ASSERT_EQUAL(r[14] & 0x80, 0x80);
    call(s, NF_STORAGE, 0x41, NULL, 0, r);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(le16(r + 1), 128);
    CU_ASSERT_EQUAL(le16(r + 3), 16);
    CU_ASSERT_EQUAL(le16(r + 5), 0);
    /* 204 records were logged; the oldest 76 are gone */
    get_sel(s, 0, rec, NULL);
    CU_ASSERT_EQUAL(le16(rec), 77);
    get_sel(s, 0xFFFF, rec, NULL);
    CU_ASSERT_EQUAL(le16(rec), 204);
    CU_ASSERT_EQUAL(rec[14], 199);
    uint8_t q[6] = {0, 0, 76, 0, 0, 0xFF};
    call(s, NF_STORAGE, 0x43, q, 6, r);
    CU_ASSERT_EQUAL(r[0], 0xCB);
    /* walk the whole chain */
    uint16_t id = 0, next;
    unsigned n = 0;
    while (id != 0xFFFF && n < 200) {
        get_sel(s, id, rec, &next);
        n++;
        id = next;
    }
    CU_ASSERT_EQUAL(n, 128);
    sim_state_free(s);
}

/* ---- the rest ---------------------------------------------------------------------- */

static void test_errors(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    uint8_t r[256], q[32] = {0};
    CU_ASSERT_EQUAL(call(s, NF_APP, 0xFE, NULL, 0, r), 1);
    CU_ASSERT_EQUAL(r[0], 0xC1);
    CU_ASSERT_EQUAL(call(s, 0x30, 0x01, NULL, 0, r), 1); /* OEM netfn */
    CU_ASSERT_EQUAL(r[0], 0xC1);
    CU_ASSERT_EQUAL(call(s, 0x07, 0x01, NULL, 0, r), 1); /* a response netfn */
    CU_ASSERT_EQUAL(r[0], 0xC1);
    CU_ASSERT_EQUAL(call(s, NF_STORAGE, 0x23, q, 5, r), 1); /* truncated Get SDR */
    CU_ASSERT_EQUAL(r[0], 0xC7);
    CU_ASSERT_EQUAL(call(s, NF_SE, 0x2D, q, 0, r), 1);
    CU_ASSERT_EQUAL(r[0], 0xC7);
    CU_ASSERT_EQUAL(call(s, NF_STORAGE, 0x44, q, 15, r), 1);
    CU_ASSERT_EQUAL(r[0], 0xC7);
    CU_ASSERT_EQUAL(call(s, NF_APP, 0x01, q, 1, r), 1); /* too long */
    CU_ASSERT_EQUAL(r[0], 0xC7);
    CU_ASSERT_EQUAL(call(s, NF_SE, 0x17, q, 12, r), 1); /* PET Acknowledge */
    CU_ASSERT_EQUAL(r[0], 0x00);
    CU_ASSERT_EQUAL(call(s, NF_SE, 0x17, q, 11, r), 1);
    CU_ASSERT_EQUAL(r[0], 0xC7);
    q[0] = 0xF0;
    call(s, NF_SE, 0x2D, q, 1, r);
    CU_ASSERT_EQUAL(r[0], 0xCB);
    /* a caller buffer too small for the answer */
    CU_ASSERT_EQUAL(sim_handle(s, prof, now, NF_APP, 0x01, NULL, 0, r, 4, NULL, 0, NULL), 1);
    CU_ASSERT_EQUAL(r[0], 0xCA);

    struct sim_content_counters c;
    sim_content_counters(s, &c);
    CU_ASSERT_EQUAL(c.get_sdr, 1);
    CU_ASSERT_EQUAL(c.get_sensor_reading, 2);
    CU_ASSERT_EQUAL(c.read_fru, 0);
    CU_ASSERT_EQUAL(c.other, 8);
    sim_state_free(s);
}

/* Chassis Control, Chassis Identify, Set/Get System Boot Options (IPMI 2.0
 * sections 28.3, 28.5, 28.12, 28.13) and what Get Chassis Status shows. */
static void test_chassis_control(void)
{
    struct sim_state *s = sim_state_new(prof, 2, 1);
    uint64_t then = now;
    uint8_t r[256];
    uint8_t off = 0x00, on = 0x01, cycle = 0x02, bad = 0x07;
    call(s, NF_CHASSIS, 0x01, NULL, 0, r);
    CU_ASSERT_EQUAL(r[1] & 1, 1);       /* starts powered on */
    CU_ASSERT_EQUAL(r[3] & 0x70, 0x40); /* identify reported, off */
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x02, &off, 1, r), 1);
    CU_ASSERT_EQUAL(r[0], 0);
    call(s, NF_CHASSIS, 0x01, NULL, 0, r);
    CU_ASSERT_EQUAL(r[1] & 1, 0);
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x02, &bad, 1, r), 1);
    CU_ASSERT_EQUAL(r[0], 0xCC);
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x02, NULL, 0, r), 1);
    CU_ASSERT_EQUAL(r[0], 0xC7);

    /* identify: timed, expiring; forced; off */
    uint8_t ident[2] = {10, 0};
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x04, ident, 1, r), 1);
    CU_ASSERT_EQUAL(r[0], 0);
    call(s, NF_CHASSIS, 0x01, NULL, 0, r);
    CU_ASSERT_EQUAL(r[3] & 0x70, 0x50);
    now += 11;
    call(s, NF_CHASSIS, 0x01, NULL, 0, r);
    CU_ASSERT_EQUAL(r[3] & 0x70, 0x40); /* the interval ran out */
    ident[1] = 1;
    call(s, NF_CHASSIS, 0x04, ident, 2, r);
    now += 1000;
    call(s, NF_CHASSIS, 0x01, NULL, 0, r);
    CU_ASSERT_EQUAL(r[3] & 0x70, 0x60); /* forced: stays on */
    ident[0] = 0;
    call(s, NF_CHASSIS, 0x04, ident, 1, r);
    call(s, NF_CHASSIS, 0x01, NULL, 0, r);
    CU_ASSERT_EQUAL(r[3] & 0x70, 0x40);

    /* boot options: the set-in-progress lock, flags, once flags used by a boot */
    uint8_t lock[2] = {0x00, 0x01}, unlock[2] = {0x00, 0x00};
    uint8_t flags[6] = {0x05, 0x80, 0x04, 0, 0, 0}; /* valid, next boot only, PXE */
    uint8_t get5[3] = {0x05, 0, 0}, get0[3] = {0x00, 0, 0}, get9[3] = {0x09, 0, 0};
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x08, lock, 2, r), 1);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x08, lock, 2, r), 1);
    CU_ASSERT_EQUAL(r[0], 0x81); /* already in progress */
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x09, get0, 3, r), 4);
    CU_ASSERT_EQUAL(r[3], 0x01);
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x08, flags, 6, r), 1);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x08, flags, 5, r), 1);
    CU_ASSERT_EQUAL(r[0], 0xC7); /* parameter 5 is five bytes */
    call(s, NF_CHASSIS, 0x08, unlock, 2, r);
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x09, get5, 3, r), 8);
    CU_ASSERT_EQUAL(r[1], 0x01);
    CU_ASSERT_EQUAL(r[2], 0x05);
    CU_ASSERT_EQUAL(r[3], 0x80);
    CU_ASSERT_EQUAL(r[4], 0x04);
    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x09, get9, 3, r), 1);
    CU_ASSERT_EQUAL(r[0], 0x80);          /* parameter not supported */
    call(s, NF_CHASSIS, 0x02, &on, 1, r); /* from off: a boot */
    call(s, NF_CHASSIS, 0x09, get5, 3, r);
    CU_ASSERT_EQUAL(r[3], 0x00);
    CU_ASSERT_EQUAL(r[4], 0x04);
    flags[1] = 0xC0; /* persistent */
    call(s, NF_CHASSIS, 0x08, flags, 6, r);
    call(s, NF_CHASSIS, 0x02, &cycle, 1, r);
    call(s, NF_CHASSIS, 0x09, get5, 3, r);
    CU_ASSERT_EQUAL(r[3], 0xC0); /* persistent flags survive a boot */

    struct sim_content_counters c;
    sim_content_counters(s, &c);
    CU_ASSERT_EQUAL(c.chassis_control, 4); /* the one of the wrong length was not handled */
    CU_ASSERT_EQUAL(c.identify, 3);
    CU_ASSERT_EQUAL(c.boot_flags_writes, 2);
    sim_state_free(s);
    now = then;
}

static void test_identity(void)
{
    struct sim_state *s = sim_state_new(prof, 1, 1);
    uint8_t r[256];
    CU_ASSERT_EQUAL(call(s, NF_APP, 0x01, NULL, 0, r), 16);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(r[1], 0x20);
    CU_ASSERT_EQUAL(r[2], 0x81);
    CU_ASSERT_EQUAL(r[3], 0x01);
    CU_ASSERT_EQUAL(r[4], 0x23);
    CU_ASSERT_EQUAL(r[5], 0x02);
    CU_ASSERT_EQUAL(r[6] & 0x9F, 0x9F);
    CU_ASSERT_EQUAL(r[7] | r[8] << 8 | r[9] << 16, 32473);
    CU_ASSERT_EQUAL(le16(r + 10), 0x0b01);

    CU_ASSERT_EQUAL(call(s, NF_CHASSIS, 0x01, NULL, 0, r), 5);
    CU_ASSERT_EQUAL(r[1] & 1, 1);
    CU_ASSERT_EQUAL(r[3] & 1, 0);
    char err[64];
    size_t nev;
    CU_ASSERT_EQUAL(sim_set_sensor(s, prof, "Intrusion", 1, now, NULL, 0, &nev, err, sizeof(err)),
                    0);
    call(s, NF_CHASSIS, 0x01, NULL, 0, r);
    CU_ASSERT_EQUAL(r[3] & 1, 1); /* chassis intrusion active */

    call(s, NF_SE, 0x20, NULL, 0, r);
    CU_ASSERT_EQUAL(r[0], 0);
    CU_ASSERT_EQUAL(r[1], sim_profile_sensor_count(prof));
    size_t bytes = sim_state_bytes(s);
    fprintf(stderr, "\n  sim_state_bytes(default) = %zu\n", bytes);
    CU_ASSERT_TRUE(bytes < 8192);
    sim_state_free(s);
}

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Random requests to every command we answer (and some we do not): every
 * answer starts with a completion code and fits the buffer.  Run it under
 * valgrind or the sanitizers to catch reads past the request. */
static void test_random_requests(void)
{
    static const uint8_t cmds[][2] = {
        {0x00, 0x01}, {0x04, 0x17}, {0x04, 0x20}, {0x04, 0x21}, {0x04, 0x22}, {0x04, 0x23},
        {0x04, 0x25}, {0x04, 0x27}, {0x04, 0x2B}, {0x04, 0x2D}, {0x06, 0x01}, {0x06, 0x08},
        {0x06, 0x37}, {0x06, 0x42}, {0x0A, 0x10}, {0x0A, 0x11}, {0x0A, 0x20}, {0x0A, 0x22},
        {0x0A, 0x23}, {0x0A, 0x40}, {0x0A, 0x41}, {0x0A, 0x42}, {0x0A, 0x43}, {0x0A, 0x44},
        {0x0A, 0x47}, {0x0A, 0x48}, {0x0A, 0x49}, {0x2C, 0x00}, {0x06, 0x99},
    };
    struct sim_state *s = sim_state_new(prof, 4, 4);
    struct sim_event ev[4];
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (unsigned i = 0; i < 200000; i++) {
        const uint8_t *c = cmds[rng_next(&x) % (sizeof(cmds) / sizeof(cmds[0]))];
        size_t len = rng_next(&x) % 20;
        uint8_t *req = malloc(len ? len : 1), rsp[256];
        for (size_t k = 0; k < len; k++)
            req[k] = (uint8_t)rng_next(&x);
        if (len >= 6 && (rng_next(&x) & 1)) { /* often a small offset and count */
            req[4] &= 0x3F;
            req[5] &= 0x3F;
        }
        size_t cap = 1 + rng_next(&x) % 255, nev = 99;
        size_t n = sim_handle(s, prof, i / 100, c[0], c[1], req, len, rsp, cap, ev, 4, &nev);
        CU_ASSERT_TRUE(n >= 1 && n <= cap);
        CU_ASSERT_TRUE(nev <= 4);
        free(req);
    }
    CU_ASSERT_TRUE(sim_sel_count(s) <= 128);
    sim_state_free(s);
}

/* Damaged copies of the default profile load or fail cleanly. */
static void test_random_profiles(void)
{
    const char *orig = sim_default_profile_text();
    size_t n = strlen(orig);
    char *text = malloc(n + 1);
    uint64_t x = 12345;
    unsigned ok = 0;
    for (unsigned i = 0; i < 300; i++) {
        memcpy(text, orig, n + 1);
        for (unsigned k = 0; k < 1 + i % 4; k++) {
            size_t at = rng_next(&x) % n;
            static const char pool[] = " =\"#x0-9.\n\\";
            text[at] = pool[rng_next(&x) % (sizeof(pool) - 1)];
        }
        char path[] = "/tmp/test_simcontent_XXXXXX", err[256] = "";
        int fd = mkstemp(path);
        CU_ASSERT_TRUE_FATAL(fd >= 0);
        CU_ASSERT_EQUAL((size_t)write(fd, text, n), n);
        close(fd);
        struct sim_profile *p = sim_profile_load(path, err, sizeof(err));
        unlink(path);
        if (p) {
            ok++;
            struct sim_state *s = sim_state_new(p, 0, 0);
            static struct repo rp;
            walk_sdr(s, p, 16, &rp);
            sim_state_free(s);
            sim_profile_free(p);
        } else {
            CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
        }
    }
    free(text);
    CU_ASSERT_TRUE(ok > 0 && ok < 300);
}

static CU_TestInfo profile_tests[] = {
    {"default.profile matches the built-in profile", test_default_file_matches},
    {"small.profile", test_small_profile},
    {"parse errors name FILE:LINE", test_profile_errors},
    {"damaged profiles load or fail cleanly", test_random_profiles},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo sdr_tests[] = {
    {"walk in 16-byte pieces: types and ID strings", test_sdr_walk},
    {"full records: masks, thresholds, conversion", test_sdr_full_records},
    {"compact, event-only and locator records", test_sdr_other_records},
    {"reservations and read limits", test_sdr_reservation},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo sensor_tests[] = {
    {"drift is deterministic; GUIDs differ per BMC", test_drift_determinism},
    {"drift stays in its band", test_drift_band},
    {"threshold crossings and discrete changes log once", test_threshold_crossing},
    {"sim_tick and lazy reads log the same", test_tick_and_lazy},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo fru_tests[] = {
    {"FRU 0 and 1: areas, checksums, fields", test_fru},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo sel_tests[] = {
    {"prefilled entries", test_sel_prefill},
    {"sel_history entries", test_sel_history},
    {"add, partial get, inject, clear, time", test_sel_add_get_clear},
    {"ring overflow", test_sel_overflow},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo misc_tests[] = {
    {"unknown and malformed requests", test_errors},
    {"device ID, chassis status, state size", test_identity},
    {"chassis control, identify, boot options", test_chassis_control},
    {"random requests", test_random_requests},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"profile", suite_init, suite_cleanup, NULL, NULL, profile_tests},
    {"sdr", suite_init, suite_cleanup, NULL, NULL, sdr_tests},
    {"sensors", suite_init, suite_cleanup, NULL, NULL, sensor_tests},
    {"fru", suite_init, suite_cleanup, NULL, NULL, fru_tests},
    {"sel", suite_init, suite_cleanup, NULL, NULL, sel_tests},
    {"misc", suite_init, suite_cleanup, NULL, NULL, misc_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return unit_run("test_simcontent", suites);
}
