// clang-format off
// fuzz-sources: src/config/cfg.c
// fuzz-libs: -lconfuse -lcrypto
// clang-format on
/*
 * fuzz_config.c - libFuzzer harness for the configuration loader: the
 * input is written to FUZZDIR/fuzz.conf and loaded with cfg_load(), so it
 * goes through our comment stripping, libconfuse's parser (global lexer
 * state included: a leak or a stale state shows up across runs) and our
 * validation, then cfg_unload().
 *
 * FUZZDIR is a temporary directory made once per process (removed at
 * exit) holding the secret files a config may name relatively:
 *   pw       mode 600, the password   pw-open  mode 644 (refused)
 *   kg       mode 600, 0x + 40 hex     kg-text  mode 600, a text K_G
 *   kg-bad   mode 600, 0x + 39 hex     empty    mode 600, empty
 * Seeds in corpus/config/ use these names.
 *
 * Beyond the sanitizers, the harness aborts when an invariant breaks: a
 * refused file gets one message starting "FUZZDIR/fuzz.conf:" (with a
 * line number within the file when there is one); no message holds a
 * secret unless the config text itself does; a loaded config holds only
 * values that passed validation (ranges, lengths, suites, privileges,
 * inherited secrets read in full, no address and port used twice).
 */
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASSWORD "fuzz-secret-pw"
#define KG_TEXT  "fuzz-kg-text"

static char dir[64];
static char conf[96];

static void write_file(const char *name, const char *text, mode_t mode)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    CHECK(fclose(f) == 0);
    CHECK(chmod(path, mode) == 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (dir[0])
        nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
    if (dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/fuzz-config.XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    CHECK(mkdtemp(dir) != NULL);
    atexit(cleanup);
    snprintf(conf, sizeof(conf), "%s/fuzz.conf", dir);
    write_file("pw", PASSWORD "\n", 0600);
    write_file("pw-open", PASSWORD "\n", 0644);
    write_file("kg", "0x00112233445566778899aabbccddeeff01234567\n", 0600);
    write_file("kg-text", KG_TEXT "\n", 0600);
    write_file("kg-bad", "0x00112233445566778899aabbccddeeff0123456\n", 0600);
    write_file("empty", "", 0600);
}

static bool contains(const uint8_t *hay, size_t n, const char *needle)
{
    return memmem(hay, n, needle, strlen(needle)) != NULL;
}

static size_t lines_in(const uint8_t *d, size_t n)
{
    size_t l = 1;
    for (size_t i = 0; i < n; i++)
        l += d[i] == '\n';
    return l;
}

static void check_error(const char *err, const uint8_t *data, size_t size)
{
    size_t plen = strlen(conf);
    CHECK(memchr(err, '\0', 1024) != NULL && err[0] != '\0');
    CHECK(strncmp(err, conf, plen) == 0 && err[plen] == ':');
    if (err[plen + 1] >= '0' && err[plen + 1] <= '9') {
        long line = strtol(err + plen + 1, NULL, 10);
        CHECK(line >= 1 && (size_t)line <= lines_in(data, size));
    }
    /* secrets come from files and never go into a message */
    size_t elen = strlen(err);
    if (!contains(data, size, PASSWORD))
        CHECK(!contains((const uint8_t *)err, elen, PASSWORD));
    if (!contains(data, size, KG_TEXT))
        CHECK(!contains((const uint8_t *)err, elen, KG_TEXT));
    if (!contains(data, size, "ccddeeff0123"))
        CHECK(!contains((const uint8_t *)err, elen, "ccddeeff0123"));
}

static bool suite_ok(uint8_t s)
{
    return s == 0 || s == 1 || s == 2 || s == 3 || s == 17;
}

static void check_cfg(const struct cfg *c)
{
    CHECK(c->timeout_ms >= 1 && c->timeout_ms <= 60000);
    CHECK(c->session_timeout_ms >= c->timeout_ms && c->session_timeout_ms <= 3600000);
    CHECK(c->idle_reopen_ms >= 1000 && c->idle_reopen_ms <= 3600000);
    CHECK(c->retries <= 10 && c->max_in_flight >= 1 && c->max_in_flight <= 16);
    CHECK(c->sockets >= 1 && c->sockets <= 64);
    CHECK(c->sel_entries >= 1 && c->sel_entries <= 65536);
    CHECK(c->fru_interval_s >= 60 && c->fru_interval_s <= 31 * 86400);
    CHECK(memchr(c->sdr_cache_dir, '\0', sizeof(c->sdr_cache_dir)) && c->sdr_cache_dir[0]);
    CHECK(c->nbmcs >= 1 && c->bmcs != NULL && strcmp(c->path, conf) == 0);
    for (size_t i = 0; i < c->nbmcs; i++) {
        const struct cfg_bmc *b = &c->bmcs[i];
        size_t n = strnlen(b->name, sizeof(b->name));
        CHECK(n >= 1 && n < sizeof(b->name));
        for (size_t j = 0; j < n; j++)
            CHECK((unsigned char)b->name[j] >= 0x20 && b->name[j] != 0x7f);
        n = strnlen(b->address, sizeof(b->address));
        CHECK(n >= 1 && n < sizeof(b->address));
        n = strnlen(b->username, sizeof(b->username));
        CHECK(n >= 1 && n <= CFG_USER_MAX);
        CHECK(b->port >= 1);
        CHECK(b->privilege >= 1 && b->privilege <= 4);
        CHECK(b->max_in_flight >= 1 && b->max_in_flight <= 16);
        CHECK(strcmp(cfg_privilege_name(b->privilege), "unknown") != 0);
        CHECK(b->nsuites >= 1 && b->nsuites <= CFG_MAX_SUITES);
        for (size_t j = 0; j < b->nsuites; j++) {
            CHECK(suite_ok(b->suites[j]));
            CHECK(b->suites[j] != 0 || b->allow_suite0);
            CHECK(b->suites[j] != 1 || b->allow_suite1);
            for (size_t k = 0; k < j; k++)
                CHECK(b->suites[k] != b->suites[j]);
        }
        CHECK(b->password_len >= 1 && b->password_len <= CFG_PASS_MAX);
        CHECK(b->kg_len <= CFG_KG_MAX);
        CHECK(b->file && strcmp(b->file, c->path) == 0 && b->line >= 1);
        for (size_t k = 0; k < i; k++)
            CHECK(strcasecmp(c->bmcs[k].address, b->address) != 0 || c->bmcs[k].port != b->port);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    FILE *f = fopen(conf, "w");
    CHECK(f != NULL);
    CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);

    char err[1024];
    memset(err, 'x', sizeof(err));
    struct cfg *c = cfg_load(conf, err, sizeof(err));
    if (getenv("FUZZ_VERBOSE")) /* replaying seeds: say what each one does */
        fprintf(stderr, "fuzz_config: %s\n", c ? "loaded" : err);
    if (!c) {
        check_error(err, data, size);
        return 0;
    }
    check_cfg(c);
    cfg_unload(c);
    return 0;
}
