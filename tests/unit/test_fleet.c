/*
 * test_fleet.c - the deterministic parts of the daemon's fleet handling:
 * bmc-group host ranges, interval inheritance and the daemon keys of the
 * configuration; the shard hash (FNV-1a) and shard partition; the stable
 * BMC index file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "index_map.h"
#include "scheduler.h"
#include "unit.h"

static char tmpdir[256];
static char conf_path[320];
static char err[1024];

static int suite_init(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/test_fleet.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(conf_path, sizeof conf_path, "%s/bridge.conf", tmpdir);
    char pw[320];
    snprintf(pw, sizeof pw, "%s/pw", tmpdir);
    int fd = open(pw, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "secret", 6) != 6)
        return -1;
    close(fd);
    return 0;
}

static int suite_cleanup(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct cfg *load(const char *body)
{
    FILE *f = fopen(conf_path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "defaults { username = \"admin\"  password-file = \"pw\" }\n%s", body);
    fclose(f);
    err[0] = '\0';
    return cfg_load(conf_path, err, sizeof err);
}

static const struct cfg_bmc *by_name(const struct cfg *c, const char *name)
{
    for (size_t i = 0; i < c->nbmcs; i++)
        if (strcmp(c->bmcs[i].name, name) == 0)
            return &c->bmcs[i];
    return NULL;
}

/* ---- configuration ------------------------------------------------------------ */

static void test_group_ports(void)
{
    struct cfg *c = load("bmc-group \"g\" { addresses = \"127.0.0.1:[20000-20002,20010]\"  "
                         "name-format = \"sim%d\" }\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nbmcs, 4);
    const struct cfg_bmc *b = by_name(c, "sim20010");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(b->address, "127.0.0.1");
    CU_ASSERT_EQUAL(b->port, 20010);
    CU_ASSERT_STRING_EQUAL(b->username, "admin");
    CU_ASSERT_EQUAL(b->password_len, 6);
    CU_ASSERT_PTR_NOT_NULL(by_name(c, "sim20001"));
    CU_ASSERT_PTR_NULL(by_name(c, "sim20003"));
    cfg_unload(c);
}

static void test_group_hosts_width(void)
{
    struct cfg *c =
        load("bmc-group \"rack\" { addresses = \"bmc[08-10].example\"  port = 6230 }\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nbmcs, 3);
    const struct cfg_bmc *b = by_name(c, "rack-08"); /* default name-format NAME-%d */
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(b->address, "bmc08.example");
    CU_ASSERT_EQUAL(b->port, 6230);
    CU_ASSERT_PTR_NOT_NULL(by_name(c, "rack-10"));
    cfg_unload(c);
}

static void test_group_errors(void)
{
    static const struct {
        const char *body, *word;
        int line;
    } bad[] = {
        {"bmc-group \"g\" {\n addresses = \"10.0.0.[1-x]\" }\n", "range", 3},
        {"bmc-group \"g\" {\n addresses = \"10.0.[1-2].[1-2]\" }\n", "more than one", 3},
        {"bmc-group \"g\" {\n addresses = \"10.0.0.[5-1]\" }\n", "empty or too large", 3},
        {"bmc-group \"g\" {\n addresses = \"h:[0-1]\" }\n", "port", 3},
        {"bmc-group \"g\" {\n addresses = \"10.0.0.[1-2]\"\n name-format = \"x%s\" }\n",
         "name-format", 4},
        {"bmc \"g-1\" { address = \"10.9.9.9\" }\nbmc-group \"g\" {\n addresses = \"10.0.0.[1-2]\" "
         "}\n",
         "also used", 3},
        {"bmc-group \"g\" {\n}\n", "no addresses", 3}, /* an empty section: its closing brace */
        {"bmc \"a\" { address = \"10.0.0.1\"  index = 5 }\nbmc \"b\" {\n address = \"10.0.0.2\"\n "
         "index = 5 }\n",
         "index 5", 3},
        {"shard = \"0/4\"\nbmc \"a\" { address = \"10.0.0.1\" }\n", "K/N", 2},
        {"log = \"file\"\nbmc \"a\" { address = \"10.0.0.1\" }\n", "stderr or syslog", 2},
        {"sensor-interval = 0\nbmc \"a\" { address = \"10.0.0.1\" }\n", "out of range", 2},
        {"bmc \"a\" {\n address = \"10.0.0.1\"\n max-in-flight = 17 }\n", "1 to 16", 4},
        {"bmc-group \"g\" {\n addresses = \"10.0.0.[1-2]\"\n max-in-flight = 0 }\n", "1 to 16", 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cfg *c = load(bad[i].body);
        CU_ASSERT_PTR_NULL(c);
        cfg_unload(c);
        char want[400];
        snprintf(want, sizeof want, "%s:%d: ", conf_path, bad[i].line);
        if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, bad[i].word)) {
            fprintf(stderr, "\ncase %zu: got \"%s\", want \"%s...%s\"\n", i, err, want,
                    bad[i].word);
            CU_FAIL("error message");
        }
    }
}

static void test_intervals_inherit(void)
{
    FILE *f = fopen(conf_path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "sensor-interval = 20\nsel-interval = 90\n"
               "defaults { username = \"admin\"  password-file = \"pw\"  sel-interval = 45 }\n"
               "bmc \"a\" { address = \"10.0.0.1\"  sensor-interval = 5  index = 77 }\n"
               "bmc \"b\" { address = \"10.0.0.2\" }\n"
               "shard = \"2/3\"\nlog = \"syslog\"\nstatus-file = \"st.json\"\n");
    fclose(f);
    struct cfg *c = cfg_load(conf_path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const struct cfg_bmc *a = by_name(c, "a"), *b = by_name(c, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(a->sensor_interval_s, 5);  /* its own */
    CU_ASSERT_EQUAL(b->sensor_interval_s, 20); /* the global key */
    CU_ASSERT_EQUAL(a->sel_interval_s, 45);    /* defaults beat the global key */
    CU_ASSERT_EQUAL(a->sdr_check_interval_s, 3600);
    CU_ASSERT_EQUAL(a->fru_interval_s, 86400);
    CU_ASSERT_EQUAL(a->index, 77);
    CU_ASSERT_EQUAL(b->index, 0);
    CU_ASSERT_EQUAL(c->shard_k, 2);
    CU_ASSERT_EQUAL(c->shard_n, 3);
    CU_ASSERT_EQUAL(c->log, CFG_LOG_SYSLOG);
    CU_ASSERT_EQUAL(c->max_logins, 64);
    CU_ASSERT_STRING_EQUAL(c->state_dir, "/var/lib/ipmi-snmp-bridge");
    char want[400];
    snprintf(want, sizeof want, "%s/st.json", tmpdir);
    CU_ASSERT_STRING_EQUAL(c->status_file, want);
    CU_ASSERT_FALSE(cfg_bmc_equal(a, b));
    CU_ASSERT_TRUE(cfg_bmc_equal(a, a));
    cfg_unload(c);
}

/* max-in-flight: the bmc's own, else its group's, else defaults', else the global key, else 1 */
static void test_max_in_flight_inherit(void)
{
    FILE *f = fopen(conf_path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "max-in-flight = 2\n"
               "defaults { username = \"admin\"  password-file = \"pw\"  max-in-flight = 3 }\n"
               "bmc \"own\" { address = \"10.0.0.1\"  max-in-flight = 8 }\n"
               "bmc \"def\" { address = \"10.0.0.2\" }\n"
               "bmc-group \"g\" { addresses = \"10.0.1.[1-2]\"  max-in-flight = 4 }\n");
    fclose(f);
    struct cfg *c = cfg_load(conf_path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->max_in_flight, 2);
    const struct cfg_bmc *own = by_name(c, "own"), *def = by_name(c, "def"),
                         *g1 = by_name(c, "g-1"), *g2 = by_name(c, "g-2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(own);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
    CU_ASSERT_EQUAL(own->max_in_flight, 8);
    CU_ASSERT_EQUAL(def->max_in_flight, 3); /* defaults beat the global key */
    CU_ASSERT_EQUAL(g1->max_in_flight, 4);
    CU_ASSERT_EQUAL(g2->max_in_flight, 4);
    /* a change of max-in-flight alone is a change of the BMC (a reload re-adds it) */
    struct cfg_bmc x = *g1;
    CU_ASSERT_TRUE(cfg_bmc_equal(g1, &x));
    x.max_in_flight = 1;
    CU_ASSERT_FALSE(cfg_bmc_equal(g1, &x));
    cfg_unload(c);

    /* the global key alone, then nothing at all */
    c = load("max-in-flight = 5\nbmc \"a\" { address = \"10.0.0.1\" }\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->bmcs[0].max_in_flight, 5);
    cfg_unload(c);
    c = load("bmc \"a\" { address = \"10.0.0.1\" }\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->max_in_flight, 1);
    CU_ASSERT_EQUAL(c->bmcs[0].max_in_flight, 1);
    cfg_unload(c);
}

static void write_at(const char *rel, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_include(void)
{
    char d[400];
    snprintf(d, sizeof d, "%s/conf.d", tmpdir);
    CU_ASSERT_FATAL(mkdir(d, 0700) == 0 || errno == EEXIST);
    write_at("conf.d/20-b.conf", "bmc-group \"g\" { addresses = \"10.0.1.[1-2]\" }\n");
    write_at("conf.d/10-a.conf", "\nbmc \"a\" {\n address = \"10.0.0.3\"\n sel-interval = 7 }\n");
    write_at("conf.d/ignored.txt", "not a config\n");
    struct cfg *c = load("sensor-interval = 9\ninclude = \"conf.d/*.conf\"\n"
                         "bmc \"m\" { address = \"10.0.0.1\" }\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nbmcs, 4);
    /* main file first, then the included files in sorted order */
    CU_ASSERT_STRING_EQUAL(c->bmcs[0].name, "m");
    CU_ASSERT_STRING_EQUAL(c->bmcs[1].name, "a");
    CU_ASSERT_STRING_EQUAL(c->bmcs[2].name, "g-1");
    CU_ASSERT_PTR_NOT_NULL(strstr(c->bmcs[1].file, "conf.d/10-a.conf"));
    CU_ASSERT_EQUAL(c->bmcs[1].line, 2);
    CU_ASSERT_EQUAL(c->bmcs[1].sel_interval_s, 7);
    CU_ASSERT_EQUAL(c->bmcs[1].sensor_interval_s, 9);     /* the main file's global value */
    CU_ASSERT_STRING_EQUAL(c->bmcs[2].username, "admin"); /* the main file's defaults */
    cfg_unload(c);

    /* errors name the included file and its line */
    write_at("conf.d/30-bad.conf", "\n\ntimeout = 2\n");
    c = load("include = \"conf.d/*.conf\"\nbmc \"m\" { address = \"10.0.0.1\" }\n");
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "conf.d/30-bad.conf:3: timeout is a global key"));
    cfg_unload(c);
    write_at("conf.d/30-bad.conf", "bmc \"m\" { address = \"10.0.0.9\" }\n");
    c = load("include = \"conf.d/*.conf\"\nbmc \"m\" { address = \"10.0.0.1\" }\n");
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "conf.d/30-bad.conf:1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bridge.conf:3"));
    cfg_unload(c);
    char path[400];
    snprintf(path, sizeof path, "%s/conf.d/30-bad.conf", tmpdir);
    unlink(path);

    /* every BMC may live in the included files (the packaged layout) */
    c = load("include = \"conf.d/*.conf\"\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nbmcs, 3);
    cfg_unload(c);
    /* ... but some file must have one: an empty conf.d is refused at the include line */
    snprintf(d, sizeof d, "%s/empty.d", tmpdir);
    CU_ASSERT_FATAL(mkdir(d, 0700) == 0 || errno == EEXIST);
    c = load("\ninclude = \"empty.d/*.conf\"\n");
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(err, "bridge.conf:3: no bmc section here nor in the files include"));
    cfg_unload(c);
}

/* ---- shards ------------------------------------------------------------------- */

static void test_fnv1a_vectors(void)
{
    /* published FNV-1a 32-bit test vectors */
    CU_ASSERT_EQUAL(sched_name_hash(""), 0x811c9dc5u);
    CU_ASSERT_EQUAL(sched_name_hash("a"), 0xe40c292cu);
    CU_ASSERT_EQUAL(sched_name_hash("foobar"), 0xbf9cf968u);
}

static void test_shard_partition(void)
{
    enum { N = 5, NAMES = 5000 };
    unsigned per[N] = {0};
    for (int i = 0; i < NAMES; i++) {
        char name[32];
        snprintf(name, sizeof name, "r%d-bmc%d", i / 100, i % 100);
        int owners = 0;
        for (uint32_t k = 1; k <= N; k++) {
            if (sched_in_shard(name, k, N)) {
                owners++;
                per[k - 1]++;
            }
        }
        CU_ASSERT_EQUAL(owners, 1); /* exactly one process owns each BMC */
        CU_ASSERT_TRUE(sched_in_shard(name, 1, 1));
    }
    for (int k = 0; k < N; k++) /* roughly even: within 20% of NAMES/N */
        CU_ASSERT(per[k] > NAMES / N * 8 / 10 && per[k] < NAMES / N * 12 / 10);
}

/* ---- the index file -------------------------------------------------------------- */

static void test_index_map(void)
{
    char dir[400];
    snprintf(dir, sizeof dir, "%s/state", tmpdir);
    struct index_map *m = index_map_load(dir, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(index_map_get(m, "web01", 0), 1);
    CU_ASSERT_EQUAL(index_map_get(m, "web02", 0), 2);
    CU_ASSERT_EQUAL(index_map_get(m, "web01", 0), 1);
    CU_ASSERT_EQUAL(index_map_get(m, "pinned", 100), 100);
    CU_ASSERT_EQUAL(index_map_save(m, err, sizeof err), 0);
    index_map_free(m);

    /* a new process: the same indices; web02 left the config, a new name comes */
    m = index_map_load(dir, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(index_map_count(m), 3);
    CU_ASSERT_EQUAL(index_map_get(m, "new", 0), 101); /* never 2: that was web02's */
    CU_ASSERT_EQUAL(index_map_get(m, "web01", 0), 1);
    CU_ASSERT_EQUAL(index_map_get(m, "web02", 0), 2);
    /* an explicit index taken from another name: that name gets a new one */
    CU_ASSERT_EQUAL(index_map_get(m, "taker", 1), 1);
    CU_ASSERT_EQUAL(index_map_get(m, "web01", 0), 102);
    CU_ASSERT_EQUAL(index_map_save(m, err, sizeof err), 0);
    index_map_free(m);

    /* a damaged file is refused with FILE:LINE */
    char path[450];
    snprintf(path, sizeof path, "%s/bmc-index", dir);
    FILE *f = fopen(path, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "notanumber web09\n");
    fclose(f);
    m = index_map_load(dir, err, sizeof err);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bmc-index:"));
    index_map_free(m);
}

static CU_TestInfo cfg_tests[] = {
    {"bmc-group with a port range", test_group_ports},
    {"bmc-group with host names and width", test_group_hosts_width},
    {"bmc-group and daemon key errors name FILE:LINE", test_group_errors},
    {"intervals: bmc, defaults, global", test_intervals_inherit},
    {"max-in-flight: bmc, group, defaults, global", test_max_in_flight_inherit},
    {"include: sorted files, main defaults, errors", test_include},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo shard_tests[] = {
    {"FNV-1a test vectors", test_fnv1a_vectors},
    {"every name in exactly one shard", test_shard_partition},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo index_tests[] = {
    {"indices kept, never reused", test_index_map},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"config", suite_init, suite_cleanup, NULL, NULL, cfg_tests},
    {"shards", NULL, NULL, NULL, NULL, shard_tests},
    {"index file", suite_init, suite_cleanup, NULL, NULL, index_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return unit_run("test_fleet", suites);
}
