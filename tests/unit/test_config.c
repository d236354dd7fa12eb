/*
 * test_config.c - cfg_load() on files written to a temporary directory:
 * a valid file with inheritance from "defaults", relative secret paths, and
 * every class of error.  Each error is checked for the form
 * "FILE:LINE: what was wrong; what was expected", for the right line, and
 * for the absence of any secret from the message.
 */
#include "cfg.h"
#include "unit.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

/* Secrets: none of these may ever appear in an error message. */
#define PASSWORD      "s3cret-Pa55word"
#define PASSWORD_20   "twenty-bytes-exactly"
#define PASSWORD_21   "twenty-one-bytes-long"
#define KG_TEXT       "kg-Secret-Text"
#define KG_HEX        "0x000102030405060708090a0b0c0d0e0f10111213"
#define KG_HEX_DIGITS "000102030405060708090a0b0c0d0e0f10111213"

static const char *const secrets[] = {PASSWORD, PASSWORD_20, PASSWORD_21, KG_TEXT, KG_HEX_DIGITS};

static char tmpdir[256];
static char conf_path[320];
static char err[1024];

/* Everything written, removed in reverse order by the suite cleanup. */
static char created[64][320];
static int ncreated;

static void remember(const char *path)
{
    for (int i = 0; i < ncreated; i++)
        if (strcmp(created[i], path) == 0)
            return;
    if (ncreated < (int)(sizeof created / sizeof created[0]))
        snprintf(created[ncreated++], sizeof created[0], "%s", path);
}

static int suite_init(void)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/test_config.XXXXXX", base);
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(conf_path, sizeof conf_path, "%s/bridge.conf", tmpdir);
    return 0;
}

static int suite_cleanup(void)
{
    int rc = 0;
    while (ncreated > 0)
        if (remove(created[--ncreated]) != 0)
            rc = -1;
    if (rmdir(tmpdir) != 0)
        rc = -1;
    return rc;
}

static void path_in(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", tmpdir, name);
}

static void make_dir(const char *name)
{
    char path[320];
    path_in(path, sizeof path, name);
    if (mkdir(path, 0700) != 0 && access(path, F_OK) != 0)
        CU_FAIL_FATAL("mkdir");
    remember(path);
}

/* Writes tmpdir/name with exactly `mode` (umask does not apply). */
static void write_file(const char *name, const char *content, mode_t mode)
{
    char path[320];
    path_in(path, sizeof path, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    size_t len = strlen(content);
    CU_ASSERT_FATAL(write(fd, content, len) == (ssize_t)len);
    CU_ASSERT_FATAL(fchmod(fd, mode) == 0);
    close(fd);
    remember(path);
}

static struct cfg *load(const char *conf)
{
    write_file("bridge.conf", conf, 0644);
    memset(err, 0, sizeof err);
    return cfg_load(conf_path, err, sizeof err);
}

/* 1-based line of the first occurrence of `marker` in `text`. */
static int line_of(const char *text, const char *marker)
{
    const char *at = strstr(text, marker);
    int line = 1;
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    for (const char *p = text; p < at; p++)
        if (*p == '\n')
            line++;
    return line;
}

static void assert_no_secret(const char *msg)
{
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        if (strstr(msg, secrets[i])) {
            fprintf(stderr, "\nsecret \"%s\" in message: %s\n", secrets[i], msg);
            CU_FAIL("secret in an error message");
        }
    }
}

/*
 * Loads `conf`, which must fail with "CONF:LINE: " where LINE is the line of
 * `marker` (any line without one), and a message holding every
 * NULL-terminated needle.
 */
static void expect_error(const char *conf, const char *marker, ...) __attribute__((sentinel));
static void expect_error(const char *conf, const char *marker, ...)
{
    char prefix[400];
    struct cfg *cfg = load(conf);

    CU_ASSERT_PTR_NULL(cfg);
    cfg_unload(cfg);
    if (getenv("TEST_CONFIG_SHOW")) /* to read every message: TEST_CONFIG_SHOW=1 */
        fprintf(stderr, "\n  %s", err);
    if (marker)
        snprintf(prefix, sizeof prefix, "%s:%d: ", conf_path, line_of(conf, marker));
    else
        snprintf(prefix, sizeof prefix, "%s:", conf_path);
    size_t plen = strlen(prefix);
    int line = 0, used = 0;
    bool ok = strncmp(err, prefix, plen) == 0;
    if (ok && !marker) /* any line, but a line */
        ok = sscanf(err + plen, "%d: %n", &line, &used) == 1 && used > 0 && line > 0;
    if (!ok) {
        fprintf(stderr, "\nexpected prefix \"%s\" in: %s\n", prefix, err);
        CU_FAIL("message does not start with FILE:LINE");
    }
    va_list ap;
    va_start(ap, marker);
    for (const char *n = va_arg(ap, const char *); n; n = va_arg(ap, const char *)) {
        if (!strstr(err, n)) {
            fprintf(stderr, "\nexpected \"%s\" in: %s\n", n, err);
            CU_FAIL("message lacks an expected word");
        }
    }
    va_end(ap);
    assert_no_secret(err);
}

static struct cfg *load_ok(const char *conf)
{
    struct cfg *cfg = load(conf);
    if (!cfg)
        fprintf(stderr, "\nunexpected error: %s\n", err);
    CU_ASSERT_PTR_NOT_NULL(cfg);
    return cfg;
}

static void standard_secrets(void)
{
    write_file("web01.pw", PASSWORD "\n", 0600);
}

/* ---- valid files ----------------------------------------------------------- */

static const char valid_conf[] =
    "# ipmi-snmp-bridge test configuration\n"
    "# comments come first, so that their effect on line numbers is tested\n"
    "/* a block\n"
    "   comment */\n"
    "timeout = 1.5          # seconds\n"
    "retries = 2\n"
    "session-timeout = 12   // C++ style comment\n"
    "idle-reopen = 40\n"
    "max-in-flight = 4\n"
    "sockets = 8\n"
    "sdr-cache-dir = \"cache\"\n"
    "defaults {\n"
    "    port = 700\n"
    "    username = \"admin\"\n"
    "    password-file = \"web01.pw\"\n"
    "    cipher-suites = {3, # a comment inside a list\n"
    "                     17}\n"
    "    privilege = \"operator\"\n"
    "}\n"
    "\n"
    "bmc \"web01\" {\n"
    "    address = \"127.0.0.1\"\n"
    "}\n"
    "bmc \"web02\" {\n"
    "    address = \"::1\"\n"
    "    port = 9001\n"
    "    username = \"op\"\n"
    "    password-file = \"secrets/web02.pw\"\n"
    "    kg-file = \"secrets/web02.kg\"\n"
    "    cipher-suites = {17}\n"
    "    privilege = \"admin\"\n"
    "    allow-cipher-zero = true\n"
    "}\n"
    "bmc \"web03\" { address = \"web03.example\" kg-file = \"kg.txt\" port = 9003 }\n";

static void test_valid_with_defaults(void)
{
    standard_secrets();
    make_dir("secrets");
    write_file("secrets/web02.pw", PASSWORD_20 "\r\n", 0600);
    write_file("secrets/web02.kg", KG_HEX "\n", 0400);
    write_file("kg.txt", KG_TEXT, 0600); /* no newline at all */

    struct cfg *cfg = load_ok(valid_conf);
    if (!cfg)
        return;
    char cache[320];
    path_in(cache, sizeof cache, "cache");

    CU_ASSERT_STRING_EQUAL(cfg->path, conf_path);
    CU_ASSERT_EQUAL(cfg->timeout_ms, 1500);
    CU_ASSERT_EQUAL(cfg->retries, 2);
    CU_ASSERT_EQUAL(cfg->session_timeout_ms, 12000);
    CU_ASSERT_EQUAL(cfg->idle_reopen_ms, 40000);
    CU_ASSERT_EQUAL(cfg->max_in_flight, 4);
    CU_ASSERT_EQUAL(cfg->sockets, 8);
    CU_ASSERT_STRING_EQUAL(cfg->sdr_cache_dir, cache);
    CU_ASSERT_EQUAL_FATAL(cfg->nbmcs, 3);

    /* web01 takes everything but its address from defaults */
    const struct cfg_bmc *b = &cfg->bmcs[0];
    CU_ASSERT_STRING_EQUAL(b->name, "web01");
    CU_ASSERT_STRING_EQUAL(b->address, "127.0.0.1");
    CU_ASSERT_EQUAL(b->port, 700);
    CU_ASSERT_STRING_EQUAL(b->username, "admin");
    CU_ASSERT_EQUAL(b->password_len, strlen(PASSWORD));
    CU_ASSERT(memcmp(b->password, PASSWORD, strlen(PASSWORD)) == 0);
    CU_ASSERT_EQUAL(b->kg_len, 0);
    CU_ASSERT_EQUAL(b->nsuites, 2);
    CU_ASSERT_EQUAL(b->suites[0], 3);
    CU_ASSERT_EQUAL(b->suites[1], 17);
    CU_ASSERT_EQUAL(b->privilege, 3);
    CU_ASSERT_FALSE(b->allow_suite0);
    CU_ASSERT_STRING_EQUAL(b->file, cfg->path);
    CU_ASSERT_EQUAL(b->line, line_of(valid_conf, "bmc \"web01\""));

    /* web02 overrides everything */
    b = &cfg->bmcs[1];
    CU_ASSERT_STRING_EQUAL(b->name, "web02");
    CU_ASSERT_STRING_EQUAL(b->address, "::1");
    CU_ASSERT_EQUAL(b->port, 9001);
    CU_ASSERT_STRING_EQUAL(b->username, "op");
    CU_ASSERT_EQUAL(b->password_len, 20); /* the \r\n is not part of it */
    CU_ASSERT(memcmp(b->password, PASSWORD_20, 20) == 0);
    CU_ASSERT_EQUAL(b->kg_len, 20);
    for (int i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(b->kg[i], i);
    CU_ASSERT_EQUAL(b->nsuites, 1);
    CU_ASSERT_EQUAL(b->suites[0], 17);
    CU_ASSERT_EQUAL(b->privilege, 4);
    CU_ASSERT_TRUE(b->allow_suite0);
    CU_ASSERT_EQUAL(b->line, line_of(valid_conf, "bmc \"web02\""));

    /* web03: a one-line section, text K_G */
    b = &cfg->bmcs[2];
    CU_ASSERT_STRING_EQUAL(b->name, "web03");
    CU_ASSERT_EQUAL(b->port, 9003);
    CU_ASSERT_EQUAL(b->kg_len, strlen(KG_TEXT));
    CU_ASSERT(memcmp(b->kg, KG_TEXT, strlen(KG_TEXT)) == 0);
    CU_ASSERT_EQUAL(b->kg[strlen(KG_TEXT)], 0); /* zero padded */
    CU_ASSERT_EQUAL(b->line, line_of(valid_conf, "bmc \"web03\""));
    /* a BMC kept across a reload keeps its cfg_bmc after its configuration
     * is unloaded: its file name for messages must outlive that (under
     * AddressSanitizer a pointer into the freed configuration fails here) */
    char path[sizeof conf_path];
    snprintf(path, sizeof path, "%s", cfg->path);
    const char *file = b->file;
    cfg_unload(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    CU_ASSERT_STRING_EQUAL(file, path);
}

static void test_builtin_defaults(void)
{
    standard_secrets();
    struct cfg *cfg = load_ok("bmc \"a\" {\n"
                              "  address = \"10.0.0.1\"\n"
                              "  username = \"u\"\n"
                              "  password-file = \"web01.pw\"\n"
                              "}\n");
    if (!cfg)
        return;
    CU_ASSERT_EQUAL(cfg->timeout_ms, 1000);
    CU_ASSERT_EQUAL(cfg->retries, 3);
    CU_ASSERT_EQUAL(cfg->session_timeout_ms, 10000);
    CU_ASSERT_EQUAL(cfg->idle_reopen_ms, 50000);
    CU_ASSERT_EQUAL(cfg->max_in_flight, 1);
    CU_ASSERT_EQUAL(cfg->sockets, 4);
    CU_ASSERT_STRING_EQUAL(cfg->sdr_cache_dir, "/var/cache/ipmi-snmp-bridge");
    CU_ASSERT_EQUAL_FATAL(cfg->nbmcs, 1);
    const struct cfg_bmc *b = &cfg->bmcs[0];
    CU_ASSERT_EQUAL(b->port, 623);
    CU_ASSERT_EQUAL(b->nsuites, 2);
    CU_ASSERT_EQUAL(b->suites[0], 17);
    CU_ASSERT_EQUAL(b->suites[1], 3);
    CU_ASSERT_EQUAL(b->privilege, 2);
    CU_ASSERT_FALSE(b->allow_suite0);
    CU_ASSERT_EQUAL(b->kg_len, 0);
    CU_ASSERT_EQUAL(b->line, 1);
    cfg_unload(cfg);
}

static void test_relative_password_path(void)
{
    /* The config lives in sub/; its secrets are named relative to sub/, not the cwd. */
    make_dir("sub");
    make_dir("sub/keys");
    write_file("up.pw", PASSWORD "\n", 0600);
    write_file("sub/keys/a#1.pw", PASSWORD_20 "\n", 0600);
    write_file("sub/bridge.conf",
               "bmc \"a\" { address = \"h1\" username = \"u\" password-file = \"../up.pw\" }\n"
               "bmc \"b\" { address = \"h2\" username = \"u\"\n"
               "  password-file = \"keys/a#1.pw\" # the # in quotes is not a comment\n"
               "}\n",
               0644);
    char sub_conf[320];
    path_in(sub_conf, sizeof sub_conf, "sub/bridge.conf");
    struct cfg *cfg = cfg_load(sub_conf, err, sizeof err);
    if (!cfg)
        fprintf(stderr, "\nunexpected error: %s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL_FATAL(cfg->nbmcs, 2);
    CU_ASSERT_EQUAL(cfg->bmcs[0].password_len, strlen(PASSWORD));
    CU_ASSERT(memcmp(cfg->bmcs[0].password, PASSWORD, strlen(PASSWORD)) == 0);
    CU_ASSERT_EQUAL(cfg->bmcs[1].password_len, 20);
    CU_ASSERT(memcmp(cfg->bmcs[1].password, PASSWORD_20, 20) == 0);
    cfg_unload(cfg);

    /* An absolute path is taken as it is. */
    char conf[700], abs_pw[320];
    path_in(abs_pw, sizeof abs_pw, "up.pw");
    snprintf(conf, sizeof conf,
             "bmc \"a\" { address = \"h1\" username = \"u\" password-file = \"%s\" }\n", abs_pw);
    cfg = load_ok(conf);
    cfg_unload(cfg);
}

static void test_suite_zero_allowed(void)
{
    standard_secrets();
    struct cfg *cfg = load_ok("defaults { username = \"u\" password-file = \"web01.pw\"\n"
                              "  cipher-suites = {0, 3} }\n"
                              "bmc \"a\" { address = \"h\" allow-cipher-zero = true }\n");
    if (!cfg)
        return;
    CU_ASSERT_TRUE(cfg->bmcs[0].allow_suite0);
    CU_ASSERT_EQUAL(cfg->bmcs[0].nsuites, 2);
    CU_ASSERT_EQUAL(cfg->bmcs[0].suites[0], 0);
    cfg_unload(cfg);
}

static void test_worker_threads(void)
{
    standard_secrets();
    const char *bmc =
        "bmc \"a\" { address = \"h\" username = \"u\" password-file = \"web01.pw\" }\n";
    char conf[400];
    struct cfg *cfg = load_ok(bmc); /* default: 0, one per CPU (the daemon decides) */
    if (cfg)
        CU_ASSERT_EQUAL(cfg->worker_threads, 0);
    cfg_unload(cfg);
    snprintf(conf, sizeof conf, "worker-threads = 2\n%s", bmc);
    cfg = load_ok(conf);
    if (cfg)
        CU_ASSERT_EQUAL(cfg->worker_threads, 2);
    cfg_unload(cfg);
    snprintf(conf, sizeof conf, "\nworker-threads = %d\n%s", CFG_WORKERS_MAX + 1, bmc);
    expect_error(conf, "worker-threads", "worker-threads", "out of range", NULL);
    snprintf(conf, sizeof conf, "\nworker-threads = -1\n%s", bmc);
    expect_error(conf, "worker-threads", "out of range", NULL);
}

static void test_allow_control(void)
{
    standard_secrets();
    struct cfg *cfg = load_ok("defaults { username = \"u\" password-file = \"web01.pw\"\n"
                              "  allow-control = true }\n"
                              "bmc \"a\" { address = \"h1\" }\n"
                              "bmc \"b\" { address = \"h2\" allow-control = false }\n");
    if (!cfg)
        return;
    CU_ASSERT_TRUE(cfg->bmcs[0].allow_control);
    CU_ASSERT_FALSE(cfg->bmcs[1].allow_control);
    cfg_unload(cfg);
    /* off unless written */
    cfg = load_ok("bmc \"a\" { address = \"h\" username = \"u\" password-file = \"web01.pw\" }\n");
    if (!cfg)
        return;
    CU_ASSERT_FALSE(cfg->bmcs[0].allow_control);
    cfg_unload(cfg);
}

static void test_standard_mibs(void)
{
    standard_secrets();
    const char *bmc =
        "bmc \"a\" { address = \"h\" username = \"u\" password-file = \"web01.pw\" }\n";
    struct cfg *cfg = load_ok(bmc); /* off unless written */
    if (!cfg)
        return;
    CU_ASSERT_FALSE(cfg->standard_mibs);
    cfg_unload(cfg);
    char text[512];
    snprintf(text, sizeof(text), "standard-mibs = true\n%s", bmc);
    cfg = load_ok(text);
    if (!cfg)
        return;
    CU_ASSERT_TRUE(cfg->standard_mibs);
    cfg_unload(cfg);
    /* a global key only */
    CU_ASSERT_PTR_NULL(load("bmc \"a\" { address = \"h\" username = \"u\" password-file = "
                            "\"web01.pw\" standard-mibs = true }\n"));
}

static void test_kg_empty_cancels_default(void)
{
    standard_secrets();
    write_file("kg.txt", KG_TEXT "\n", 0600);
    struct cfg *cfg = load_ok("defaults { username = \"u\" password-file = \"web01.pw\"\n"
                              "  kg-file = \"kg.txt\" }\n"
                              "bmc \"a\" { address = \"h1\" }\n"
                              "bmc \"b\" { address = \"h2\" kg-file = \"\" }\n");
    if (!cfg)
        return;
    CU_ASSERT_EQUAL(cfg->bmcs[0].kg_len, strlen(KG_TEXT));
    CU_ASSERT_EQUAL(cfg->bmcs[1].kg_len, 0);
    cfg_unload(cfg);
}

/* ---- secret files -------------------------------------------------------- */

static const char pw_conf[] = "bmc \"web01\" {\n"
                              "    address = \"127.0.0.1\"\n"
                              "    username = \"admin\"\n"
                              "    password-file = \"web01.pw\"\n"
                              "}\n";

static void test_password_group_readable(void)
{
    char pw[320];
    path_in(pw, sizeof pw, "web01.pw");
    write_file("web01.pw", PASSWORD "\n", 0640);
    expect_error(pw_conf, "password-file", "password-file", pw, "0640", "chmod 600", NULL);
}

static void test_password_too_long(void)
{
    write_file("web01.pw", PASSWORD_21 "\n", 0600);
    expect_error(pw_conf, "password-file", "password-file", "longer than 20 bytes", "expected",
                 NULL);
    write_file("web01.pw", PASSWORD_20 "\n", 0600);
    struct cfg *cfg = load_ok(pw_conf);
    cfg_unload(cfg);
}

static void test_password_empty(void)
{
    write_file("web01.pw", "\r\nsecond line\n", 0600);
    expect_error(pw_conf, "password-file", "password-file", "empty", "expected", NULL);
}

static void test_password_missing_file(void)
{
    expect_error("bmc \"web01\" {\n"
                 "    address = \"127.0.0.1\"\n"
                 "    username = \"admin\"\n"
                 "    password-file = \"no-such.pw\"\n"
                 "}\n",
                 "password-file", "no-such.pw", "cannot be opened", NULL);
}

static void test_password_not_regular(void)
{
    make_dir("pwdir");
    expect_error("bmc \"web01\" {\n"
                 "    address = \"127.0.0.1\"\n"
                 "    username = \"admin\"\n"
                 "    password-file = \"pwdir\"\n"
                 "}\n",
                 "password-file", "not a regular file", NULL);
}

static const char kg_conf[] = "defaults { username = \"admin\" password-file = \"web01.pw\" }\n"
                              "bmc \"web01\" {\n"
                              "    address = \"127.0.0.1\"\n"
                              "    kg-file = \"web01.kg\"\n"
                              "}\n";

static void test_kg_world_readable(void)
{
    char kg[320];
    standard_secrets();
    path_in(kg, sizeof kg, "web01.kg");
    write_file("web01.kg", KG_TEXT "\n", 0604);
    expect_error(kg_conf, "kg-file", "kg-file", kg, "0604", "chmod 600", NULL);
}

static void test_kg_bad_hex(void)
{
    standard_secrets();
    write_file("web01.kg", "0x1234\n", 0600);
    expect_error(kg_conf, "kg-file", "kg-file", "40 hex digits", NULL);
    /* right length, one digit that is not hex */
    write_file("web01.kg", "0x000102030405060708090a0b0c0d0e0f1011121g\n", 0600);
    expect_error(kg_conf, "kg-file", "kg-file", "40 hex digits", NULL);
    /* one digit too many */
    write_file("web01.kg", KG_HEX "4\n", 0600);
    expect_error(kg_conf, "kg-file", "kg-file", "40 hex digits", NULL);
    /* text keys are limited to 20 bytes like passwords */
    write_file("web01.kg", PASSWORD_21 "\n", 0600);
    expect_error(kg_conf, "kg-file", "kg-file", "longer than 20 bytes", NULL);
}

/* A link to a good secret file is refused: it is opened with O_NOFOLLOW. */
static void test_secret_symlink(void)
{
    char real[320], link[320];
    write_file("real.pw", PASSWORD "\n", 0600);
    path_in(real, sizeof real, "real.pw");
    path_in(link, sizeof link, "link.pw");
    unlink(link);
    CU_ASSERT_FATAL(symlink(real, link) == 0);
    remember(link);
    expect_error("bmc \"web01\" {\n"
                 "    address = \"127.0.0.1\"\n"
                 "    username = \"admin\"\n"
                 "    password-file = \"link.pw\"\n"
                 "}\n",
                 "password-file", "password-file", link, "symbolic link", "expected", NULL);
    /* the same for a K_G file */
    standard_secrets();
    write_file("real.kg", KG_TEXT "\n", 0600);
    path_in(real, sizeof real, "real.kg");
    path_in(link, sizeof link, "link.kg");
    unlink(link);
    CU_ASSERT_FATAL(symlink(real, link) == 0);
    remember(link);
    expect_error("defaults { username = \"admin\" password-file = \"web01.pw\" }\n"
                 "bmc \"web01\" {\n"
                 "    address = \"127.0.0.1\"\n"
                 "    kg-file = \"link.kg\"\n"
                 "}\n",
                 "kg-file", "kg-file", link, "symbolic link", NULL);
}

/* A secret file of another user is refused (only root can make one to test with). */
static void test_secret_owner(void)
{
    char pw[320], kg[320];
    if (geteuid() != 0) {
        fprintf(stderr, "\n  (not root: cannot give a file to another user; not tested)");
        return;
    }
    write_file("web01.pw", PASSWORD "\n", 0600);
    path_in(pw, sizeof pw, "web01.pw");
    CU_ASSERT_FATAL(chown(pw, 65534, 65534) == 0);
    expect_error(pw_conf, "password-file", "password-file", pw, "owned by uid 65534", "or by root",
                 NULL);
    CU_ASSERT_FATAL(chown(pw, 0, 0) == 0);
    struct cfg *cfg = load_ok(pw_conf); /* root's own file is fine */
    cfg_unload(cfg);
    write_file("web01.kg", KG_TEXT "\n", 0600);
    path_in(kg, sizeof kg, "web01.kg");
    CU_ASSERT_FATAL(chown(kg, 65534, 65534) == 0);
    expect_error(kg_conf, "kg-file", "kg-file", kg, "owned by uid 65534", NULL);
    CU_ASSERT_FATAL(chown(kg, 0, 0) == 0);
}

/* ---- structure ----------------------------------------------------------- */

static void test_unknown_option(void)
{
    static const char conf[] = "# leading comment\n"
                               "bmc \"web01\" {\n"
                               "    address = \"127.0.0.1\"\n"
                               "    addres = \"127.0.0.2\"\n"
                               "}\n";
    expect_error(conf, "addres =", "unknown option 'addres'", "bmc \"web01\"", "expected one of",
                 "address", "password-file", NULL);
    expect_error("timeout = 1\n\nfrobnicate = 1\n", "frobnicate", "unknown option 'frobnicate'",
                 "top level", "timeout", "bmc", NULL);
    /* address is not a defaults key */
    expect_error("defaults {\n  address = \"x\"\n}\n", "address", "unknown option 'address'",
                 "defaults", NULL);
}

static void test_duplicate_bmc_name(void)
{
    static const char conf[] = "defaults { username = \"u\" password-file = \"web01.pw\" }\n"
                               "bmc \"web01\" { address = \"h1\" }\n"
                               "# another one\n"
                               "bmc \"web01\" { address = \"h2\" }\n";
    char first[64];
    standard_secrets();
    snprintf(first, sizeof first, "first used at line %d", line_of(conf, "bmc \"web01\""));
    expect_error(conf, "bmc \"web01\" { address = \"h2\"", "duplicate bmc name \"web01\"", first,
                 "expected", NULL);
}

static void test_duplicate_endpoint(void)
{
    static const char conf[] = "defaults { username = \"u\" password-file = \"web01.pw\" }\n"
                               "bmc \"a\" { address = \"10.0.0.1\" }\n"
                               "bmc \"b\" { address = \"10.0.0.1\" port = 624 }\n"
                               "bmc \"c\" { address = \"10.0.0.1\" port = 623 }\n";
    standard_secrets();
    expect_error(conf, "bmc \"c\"", "bmc \"c\"", "10.0.0.1", "623", "bmc \"a\" at line 2",
                 "expected", NULL);
}

static void test_missing_username(void)
{
    static const char conf[] = "\n"
                               "bmc \"web01\" {\n"
                               "    address = \"127.0.0.1\"\n"
                               "    password-file = \"web01.pw\"\n"
                               "}\n";
    standard_secrets();
    expect_error(conf, "bmc \"web01\"", "web01", "no username", "expected username", NULL);
}

static void test_missing_address_and_password_file(void)
{
    standard_secrets();
    /* An empty section: blamed on its closing brace, the only line libconfuse tells. */
    expect_error("defaults { username = \"u\" password-file = \"web01.pw\" }\n"
                 "bmc \"web01\" { }\n",
                 "bmc \"web01\"", "no address", "expected address", NULL);
    expect_error("defaults { username = \"u\" }\n"
                 "bmc \"web01\" { address = \"h\" }\n",
                 "bmc \"web01\"", "no password-file", "expected password-file", NULL);
}

static void test_no_bmc(void)
{
    expect_error("# nothing but comments\n", "#", "no bmc section", "expected at least one", NULL);
    expect_error("", NULL, "no bmc section", NULL);
}

static void test_bmc_name(void)
{
    expect_error("\nbmc \"\" { address = \"h\" }\n", "bmc", "empty name", NULL);
    expect_error("\nbmc \"0123456789012345678901234567890123456789012345678901234567890123\" "
                 "{ address = \"h\" }\n",
                 "bmc", "bytes long", "at most 63", NULL);
    expect_error("\nbmc {\n address = \"h\" }\n", "bmc", "missing title", "expected", NULL);
}

/* ---- cipher suites ------------------------------------------------------- */

static void test_suite_zero_refused(void)
{
    static const char conf[] = "defaults { username = \"u\" password-file = \"web01.pw\" }\n"
                               "bmc \"web01\" {\n"
                               "    address = \"h\"\n"
                               "    cipher-suites = {0, 3}\n"
                               "}\n";
    standard_secrets();
    expect_error(conf, "cipher-suites",
                 "cipher suite 0 has no authentication; set allow-cipher-zero = true to use it",
                 NULL);
    /* from defaults: blamed on the defaults line */
    static const char conf2[] = "defaults {\n"
                                "    username = \"u\" password-file = \"web01.pw\"\n"
                                "    cipher-suites = {3, 0}\n"
                                "}\n"
                                "bmc \"web01\" { address = \"h\" allow-cipher-zero = false }\n";
    expect_error(conf2, "cipher-suites", "cipher suite 0 has no authentication", "web01", NULL);
}

/* Suite 1 (no integrity, no confidentiality) needs its own opt-in, like 0. */
static void test_suite_one_refused(void)
{
    static const char conf[] = "defaults { username = \"u\" password-file = \"web01.pw\" }\n"
                               "bmc \"web01\" {\n"
                               "    address = \"h\"\n"
                               "    cipher-suites = {3, 1}\n"
                               "}\n";
    standard_secrets();
    expect_error(conf, "cipher-suites",
                 "cipher suite 1 has no integrity and no confidentiality; set allow-cipher-one = "
                 "true to use it",
                 "web01", NULL);
    /* allow-cipher-zero does not allow 1 */
    static const char conf2[] = "defaults {\n"
                                "    username = \"u\" password-file = \"web01.pw\"\n"
                                "    cipher-suites = {1}\n"
                                "    allow-cipher-zero = true\n"
                                "}\n"
                                "bmc \"web01\" { address = \"h\" }\n";
    expect_error(conf2, "cipher-suites", "cipher suite 1 has no integrity", "web01", NULL);
    expect_error("bmc \"a\" {\n allow-cipher-one = perhaps\n}\n", "allow-cipher-one", NULL);
}

static void test_suite_one_allowed(void)
{
    standard_secrets();
    struct cfg *cfg = load_ok("defaults { username = \"u\" password-file = \"web01.pw\"\n"
                              "  cipher-suites = {3, 1} allow-cipher-one = true }\n"
                              "bmc \"a\" { address = \"h\" }\n"
                              "bmc \"b\" { address = \"h2\" cipher-suites = {2} "
                              "allow-cipher-one = false }\n");
    if (!cfg)
        return;
    CU_ASSERT_TRUE(cfg->bmcs[0].allow_suite1);
    CU_ASSERT_FALSE(cfg->bmcs[0].allow_suite0);
    CU_ASSERT_EQUAL(cfg->bmcs[0].nsuites, 2);
    CU_ASSERT_EQUAL(cfg->bmcs[0].suites[1], 1);
    CU_ASSERT_FALSE(cfg->bmcs[1].allow_suite1);
    /* suite 2 (integrity, no encryption) needs no opt-in */
    CU_ASSERT_EQUAL(cfg->bmcs[1].suites[0], 2);
    cfg_unload(cfg);
}

static void test_suite_unsupported(void)
{
    static const char conf[] = "bmc \"web01\" {\n"
                               "    address = \"h\"\n"
                               "\n"
                               "    cipher-suites = {17, 42}\n"
                               "}\n";
    expect_error(conf, "cipher-suites", "cipher suite 42 is not supported",
                 "expected one of 0, 1, 2, 3, 17", NULL);
    expect_error("defaults {\n cipher-suites = {3, 17, 3}\n}\n", "cipher-suites", "listed twice",
                 NULL);
    expect_error("defaults {\n cipher-suites = {0, 1, 2, 3, 17, 4}\n}\n", "cipher-suites",
                 "cipher suite 4 is not supported", NULL);
    expect_error("defaults {\n port = 1\n cipher-suites = {}\n}\n", "defaults",
                 "cipher-suites in the defaults section is empty", "expected", NULL);
    expect_error("\nbmc \"a\" {\n address = \"h\"\n cipher-suites = {}\n}\n", "bmc",
                 "cipher-suites in bmc \"a\" is empty", NULL);
}

/* ---- numbers and names --------------------------------------------------- */

static void test_numbers(void)
{
    expect_error("\ntimeout = 0\n", "timeout", "timeout = 0 is out of range", "expected", NULL);
    expect_error("\ntimeout = -1.5\n", "timeout", "out of range", NULL);
    expect_error("timeout = fast\n", "timeout", "not a number", "expected", NULL);
    expect_error("\n\nretries = 11\n", "retries", "retries = 11 is out of range",
                 "expected 0 to 10", NULL);
    expect_error("retries = -1\n", "retries", "out of range", NULL);
    expect_error("retries = many\n", "retries", "not a whole number", "expected", NULL);
    expect_error("retries = 1.5\n", "retries", "not a whole number", NULL);
    expect_error("max-in-flight = 0\n", "max-in-flight", "expected 1 to 16", NULL);
    expect_error("max-in-flight = 17\n", "max-in-flight", "expected 1 to 16", NULL);
    expect_error("sockets = 65\n", "sockets", "expected 1 to 64", NULL);
    expect_error("session-timeout = 0\n", "session-timeout", "out of range", NULL);
    expect_error("idle-reopen = -5\n", "idle-reopen", "out of range", NULL);
    expect_error("defaults {\n port = 70000\n}\n", "port", "expected 1 to 65535", NULL);
    expect_error("defaults {\n port = 0\n}\n", "port", "expected 1 to 65535", NULL);
    expect_error("bmc \"a\" {\n allow-cipher-zero = maybe\n}\n", "allow-cipher-zero",
                 "invalid boolean", "expected true or false", NULL);
    expect_error("defaults {\n allow-control = sometimes\n}\n", "allow-control", "invalid boolean",
                 "expected true or false", NULL);

    standard_secrets();
    expect_error("timeout = 5\n"
                 "session-timeout = 2\n"
                 "bmc \"a\" { address = \"h\" username = \"u\" password-file = \"web01.pw\" }\n",
                 "session-timeout", "shorter than timeout", NULL);
}

static void test_privilege(void)
{
    CU_ASSERT_EQUAL(cfg_privilege_from_name("callback"), 1);
    CU_ASSERT_EQUAL(cfg_privilege_from_name("user"), 2);
    CU_ASSERT_EQUAL(cfg_privilege_from_name("operator"), 3);
    CU_ASSERT_EQUAL(cfg_privilege_from_name("admin"), 4);
    CU_ASSERT_EQUAL(cfg_privilege_from_name("ADMIN"), 4);
    CU_ASSERT_EQUAL(cfg_privilege_from_name("root"), 0);
    CU_ASSERT_EQUAL(cfg_privilege_from_name(""), 0);
    CU_ASSERT_EQUAL(cfg_privilege_from_name(NULL), 0);
    for (uint8_t p = 1; p <= 4; p++)
        CU_ASSERT_EQUAL(cfg_privilege_from_name(cfg_privilege_name(p)), p);
    CU_ASSERT_STRING_EQUAL(cfg_privilege_name(2), "user");
    CU_ASSERT_STRING_EQUAL(cfg_privilege_name(0), "unknown");
    CU_ASSERT_STRING_EQUAL(cfg_privilege_name(9), "unknown");

    expect_error("defaults {\n privilege = \"root\"\n}\n", "privilege",
                 "privilege \"root\" is unknown", "callback, user, operator or admin", NULL);
}

static void test_username_length(void)
{
    expect_error("defaults {\n username = \"seventeen-bytes-x\"\n}\n", "username", "17 bytes long",
                 "at most 16 bytes", NULL);
    expect_error("defaults {\n username = \"\"\n}\n", "username", "username is empty", NULL);
}

/* ---- syntax -------------------------------------------------------------- */

static void test_syntax(void)
{
    expect_error("bmc \"a\" {\n address = \"h\"\n\n", "bmc", "never closed",
                 "expected a closing brace", NULL);
    expect_error("bmc \"a\" {\n address = \"h\"\n\nbmc \"b\" {\n}\n", "bmc", "never closed", NULL);
    expect_error("defaults {\n cipher-suites = {3,\n", "cipher-suites", "never closed", NULL);
    expect_error("timeout =\n", NULL, "premature end of file", "expected", NULL);
    expect_error("\ntimeout 5\n", "5", "missing equal sign", "expected", NULL);
    expect_error("\n\nbmc \"a\" {\n address = \"h\n}\n", "\"h", "never closed",
                 "expected a closing double quote", NULL);
    expect_error("\n/* open\n\n", "/*", "never closed", "expected */", NULL);
    expect_error("}\n", "}", "unexpected closing brace", NULL);
}

/* libconfuse 3.3 adds two lines per comment; we must not. */
static void test_line_numbers_after_comments(void)
{
    static const char conf[] = "# 1\n"
                               "# 2\n"
                               "# 3 ####\n"
                               "// 4\n"
                               "/* 5\n"
                               "   6 */\n"
                               "timeout = 1 # 7\n"
                               "# 8\n"
                               "bmc \"a\" { # 9\n"
                               "  # 10\n"
                               "  bogus = 1\n"
                               "}\n";
    expect_error(conf, "bogus", "unknown option 'bogus'", NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, ":11: "));
}

static void test_missing_config_file(void)
{
    char missing[320];
    path_in(missing, sizeof missing, "does-not-exist.conf");
    CU_ASSERT_PTR_NULL(cfg_load(missing, err, sizeof err));
    CU_ASSERT(strncmp(err, missing, strlen(missing)) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open"));
    /* no error buffer at all is allowed */
    CU_ASSERT_PTR_NULL(cfg_load(missing, NULL, 0));
}

static void test_no_secret_in_any_message(void)
{
    /* A bmc whose secrets were read fine, then an error in a later one. */
    write_file("web01.pw", PASSWORD "\n", 0600);
    write_file("web01.kg", KG_HEX "\n", 0600);
    write_file("long.pw", PASSWORD_21 "\n", 0600);
    expect_error("defaults { username = \"u\" }\n"
                 "bmc \"a\" { address = \"h1\" password-file = \"web01.pw\""
                 " kg-file = \"web01.kg\" }\n"
                 "bmc \"b\" { address = \"h2\" password-file = \"long.pw\" }\n",
                 "long.pw", "longer than 20 bytes", NULL);
    CU_ASSERT_PTR_NULL(strstr(err, PASSWORD_21));
    CU_ASSERT_PTR_NULL(strstr(err, PASSWORD));
}

static void test_free_null(void)
{
    cfg_unload(NULL);
    cfg_unload(NULL);
    CU_PASS("cfg_unload(NULL) is a no-op");
}

static CU_TestInfo load_tests[] = {
    {"valid file, defaults inherited", test_valid_with_defaults},
    {"built-in defaults", test_builtin_defaults},
    {"relative and absolute password paths", test_relative_password_path},
    {"suite 0 with allow-cipher-zero", test_suite_zero_allowed},
    {"suite 1 with allow-cipher-one", test_suite_one_allowed},
    {"allow-control: default off, inherited, overridden", test_allow_control},
    {"standard-mibs: default off, a global key", test_standard_mibs},
    {"worker-threads: default 0, a value, out of range", test_worker_threads},
    {"empty kg-file cancels defaults", test_kg_empty_cancels_default},
    {"cfg_unload(NULL)", test_free_null},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo secret_tests[] = {
    {"group-readable password file", test_password_group_readable},
    {"password of 21 bytes", test_password_too_long},
    {"empty password", test_password_empty},
    {"missing password file", test_password_missing_file},
    {"password file is a directory", test_password_not_regular},
    {"world-readable kg file", test_kg_world_readable},
    {"bad kg hex", test_kg_bad_hex},
    {"symbolic links to secret files", test_secret_symlink},
    {"secret files of another user", test_secret_owner},
    {"no secret in any message", test_no_secret_in_any_message},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo error_tests[] = {
    {"unknown option", test_unknown_option},
    {"duplicate bmc name", test_duplicate_bmc_name},
    {"duplicate address and port", test_duplicate_endpoint},
    {"missing username", test_missing_username},
    {"missing address, password-file", test_missing_address_and_password_file},
    {"no bmc section", test_no_bmc},
    {"bmc names", test_bmc_name},
    {"suite 0 without allow", test_suite_zero_refused},
    {"suite 1 without allow", test_suite_one_refused},
    {"suite 42 unsupported", test_suite_unsupported},
    {"numbers out of range", test_numbers},
    {"privilege names", test_privilege},
    {"username length", test_username_length},
    {"syntax errors", test_syntax},
    {"line numbers after comments", test_line_numbers_after_comments},
    {"missing config file", test_missing_config_file},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"load", suite_init, suite_cleanup, NULL, NULL, load_tests},
    {"secret files", suite_init, suite_cleanup, NULL, NULL, secret_tests},
    {"errors", suite_init, suite_cleanup, NULL, NULL, error_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return unit_run("test_config", suites);
}
