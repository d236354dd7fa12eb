/*
 * config.c - load and validate ipmi-snmp-bridge.conf into a struct cfg.
 *
 * This is the only file that includes <confuse.h>.  libconfuse does the
 * parsing; this file adds what it lacks:
 *
 *  - Line numbers.  libconfuse 3.3 miscounts lines after every comment, so
 *    the file is read here, its comments are blanked out (newlines kept) and
 *    the text is handed to cfg_parse_buf().  Validation callbacks note the
 *    line of every option as it is parsed, so that the checks made after the
 *    parse (inheritance from "defaults", secret files, duplicates) still
 *    point at the right line.
 *  - Messages.  Every error, libconfuse's own included, is written as
 *    "FILE:LINE: what was wrong; what was expected".  The first one wins.
 *  - Secrets.  Password and K_G files are read here after a permission
 *    check.  Their contents never go into a message, stack copies are wiped,
 *    and cfg_unload() wipes the struct before freeing it.
 *
 * Not thread-safe (libconfuse's lexer is global state): call at start-up.
 */
#include <confuse.h>

#include "cfg.h"
#include "hex.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define DEFAULT_PORT          623 /* the RMCP port */
#define DEFAULT_PRIVILEGE     2   /* user */
#define DEFAULT_SDR_CACHE_DIR "/var/cache/ipmi-snmp-bridge"
#define DEFAULT_STATE_DIR     "/var/lib/ipmi-snmp-bridge"
#define GROUP_MAX_HOSTS       100000               /* BMCs one bmc-group may expand to */
#define INDEX_MAX             2147483647L          /* ipmiBmcIndex: 1..2^31-1 */
#define CONFIG_MAX_BYTES      (64u << 20)          /* far above any real file: 100,000 BMCs fit */
#define SECRET_READ_MAX       128                  /* enough to see the end of a valid first line */
#define KG_HEX_LEN            (2 + 2 * CFG_KG_MAX) /* "0x" and 40 hex digits */

/* Cipher suites we implement (IPMI 2.0 Table 22-20), in the order we list them. */
static const uint8_t supported_suites[] = {
    0,  /* none / none / none: no authentication at all */
    1,  /* RAKP-HMAC-SHA1 / none / none */
    2,  /* RAKP-HMAC-SHA1 / HMAC-SHA1-96 / none */
    3,  /* RAKP-HMAC-SHA1 / HMAC-SHA1-96 / AES-CBC-128 */
    17, /* RAKP-HMAC-SHA256 / HMAC-SHA256-128 / AES-CBC-128 */
};
static const uint8_t default_suites[] = {17, 3};

/* Privilege levels (IPMI 2.0 Table 6-4 / 22-24); 5 (OEM) is not offered. */
static const char *const privilege_names[] = {
    [1] = "callback",
    [2] = "user",
    [3] = "operator",
    [4] = "admin",
};
#define NPRIVILEGES (sizeof privilege_names / sizeof privilege_names[0])

/* Every key of the file.  The names are fixed: scripts rely on them. */
enum key {
    K_TIMEOUT,
    K_RETRIES,
    K_SESSION_TIMEOUT,
    K_IDLE_REOPEN,
    K_MAX_IN_FLIGHT,
    K_SOCKETS,
    K_SEL_ENTRIES,
    K_FRU_INTERVAL,
    K_SENSOR_INTERVAL,
    K_SEL_INTERVAL,
    K_SDR_CHECK_INTERVAL,
    K_INFO_INTERVAL,
    K_MAX_LOGINS,
    K_MAX_SDR_READS,
    K_SOCKET_BUFFER,
    K_AUTH_RETRY,
    K_UNREACHABLE_MAX,
    K_REBOOT_GRACE,
    K_SDR_CACHE_DIR,
    K_STATE_DIR,
    K_LOG,
    K_USER,
    K_AGENTX_SOCKET,
    K_PET_LISTEN,
    K_PET_COMMUNITY,
    K_PET_ACKNOWLEDGE,
    K_PET_DEDUPE_WINDOW,
    K_NOTIFY_PLATFORM_EVENT,
    K_NOTIFY_SENSOR_STATUS,
    K_NOTIFY_BMC_STATE,
    K_STANDARD_MIBS,
    K_NOTIFY_RATE_PER_BMC,
    K_NOTIFY_RATE_GLOBAL,
    K_NOTIFY_RATE_INTERVAL,
    K_STATUS_FILE,
    K_STATUS_INTERVAL,
    K_SHARD,
    K_WORKER_THREADS,
    K_INCLUDE,
    K_ADDRESS,
    K_INDEX,
    K_ADDRESSES,
    K_NAME_FORMAT,
    K_PORT,
    K_USERNAME,
    K_PASSWORD_FILE,
    K_KG_FILE,
    K_CIPHER_SUITES,
    K_PRIVILEGE,
    K_ALLOW_CIPHER_ZERO,
    K_ALLOW_CIPHER_ONE,
    K_ALLOW_CONTROL,
    K_COUNT
};

/* Where a key may appear. */
#define IN_GLOBAL   1u
#define IN_DEFAULTS 2u
#define IN_BMC      4u
#define IN_GROUP    8u
#define IN_HOST     (IN_DEFAULTS | IN_BMC | IN_GROUP)

static const struct key_info {
    const char *name;
    unsigned where;
} keys[K_COUNT] = {
    [K_TIMEOUT] = {"timeout", IN_GLOBAL},
    [K_RETRIES] = {"retries", IN_GLOBAL},
    [K_SESSION_TIMEOUT] = {"session-timeout", IN_GLOBAL},
    [K_IDLE_REOPEN] = {"idle-reopen", IN_GLOBAL},
    [K_MAX_IN_FLIGHT] = {"max-in-flight", IN_GLOBAL | IN_HOST},
    [K_SOCKETS] = {"sockets", IN_GLOBAL},
    [K_SEL_ENTRIES] = {"sel-entries", IN_GLOBAL},
    [K_FRU_INTERVAL] = {"fru-interval", IN_GLOBAL | IN_HOST},
    [K_SENSOR_INTERVAL] = {"sensor-interval", IN_GLOBAL | IN_HOST},
    [K_SEL_INTERVAL] = {"sel-interval", IN_GLOBAL | IN_HOST},
    [K_SDR_CHECK_INTERVAL] = {"sdr-check-interval", IN_GLOBAL | IN_HOST},
    [K_INFO_INTERVAL] = {"info-interval", IN_GLOBAL | IN_HOST},
    [K_MAX_LOGINS] = {"max-logins", IN_GLOBAL},
    [K_MAX_SDR_READS] = {"max-sdr-reads", IN_GLOBAL},
    [K_SOCKET_BUFFER] = {"socket-buffer", IN_GLOBAL},
    [K_AUTH_RETRY] = {"auth-retry-interval", IN_GLOBAL},
    [K_UNREACHABLE_MAX] = {"unreachable-max-backoff", IN_GLOBAL},
    [K_REBOOT_GRACE] = {"reboot-grace", IN_GLOBAL},
    [K_SDR_CACHE_DIR] = {"sdr-cache-dir", IN_GLOBAL},
    [K_STATE_DIR] = {"state-dir", IN_GLOBAL},
    [K_LOG] = {"log", IN_GLOBAL},
    [K_USER] = {"user", IN_GLOBAL},
    [K_AGENTX_SOCKET] = {"agentx-socket", IN_GLOBAL},
    [K_PET_LISTEN] = {"pet-listen", IN_GLOBAL},
    [K_PET_COMMUNITY] = {"pet-community", IN_GLOBAL},
    [K_PET_ACKNOWLEDGE] = {"pet-acknowledge", IN_GLOBAL},
    [K_PET_DEDUPE_WINDOW] = {"pet-dedupe-window", IN_GLOBAL},
    [K_NOTIFY_PLATFORM_EVENT] = {"notify-platform-event", IN_GLOBAL},
    [K_NOTIFY_SENSOR_STATUS] = {"notify-sensor-status", IN_GLOBAL},
    [K_NOTIFY_BMC_STATE] = {"notify-bmc-state", IN_GLOBAL},
    [K_STANDARD_MIBS] = {"standard-mibs", IN_GLOBAL},
    [K_NOTIFY_RATE_PER_BMC] = {"notify-rate-per-bmc", IN_GLOBAL},
    [K_NOTIFY_RATE_GLOBAL] = {"notify-rate-global", IN_GLOBAL},
    [K_NOTIFY_RATE_INTERVAL] = {"notify-rate-interval", IN_GLOBAL},
    [K_STATUS_FILE] = {"status-file", IN_GLOBAL},
    [K_STATUS_INTERVAL] = {"status-interval", IN_GLOBAL},
    [K_SHARD] = {"shard", IN_GLOBAL},
    [K_WORKER_THREADS] = {"worker-threads", IN_GLOBAL},
    [K_INCLUDE] = {"include", IN_GLOBAL},
    [K_ADDRESS] = {"address", IN_BMC},
    [K_INDEX] = {"index", IN_BMC},
    [K_ADDRESSES] = {"addresses", IN_GROUP},
    [K_NAME_FORMAT] = {"name-format", IN_GROUP},
    [K_PORT] = {"port", IN_HOST},
    [K_USERNAME] = {"username", IN_HOST},
    [K_PASSWORD_FILE] = {"password-file", IN_HOST},
    [K_KG_FILE] = {"kg-file", IN_HOST},
    [K_CIPHER_SUITES] = {"cipher-suites", IN_HOST},
    [K_PRIVILEGE] = {"privilege", IN_HOST},
    [K_ALLOW_CIPHER_ZERO] = {"allow-cipher-zero", IN_HOST},
    [K_ALLOW_CIPHER_ONE] = {"allow-cipher-one", IN_HOST},
    [K_ALLOW_CONTROL] = {"allow-control", IN_HOST},
};

/* Section paths for cfg_set_validate_func(), by scope. */
static const struct scope {
    unsigned where;
    const char *prefix;
} scopes[] = {
    {IN_GLOBAL, ""},
    {IN_DEFAULTS, "defaults|"},
    {IN_BMC, "bmc|"},
    {IN_GROUP, "bmc-group|"},
};

/*
 * libconfuse's own messages and what we tell the user was expected instead.
 * Matched on the untranslated format; a translated one still gets FILE:LINE
 * and a general hint.
 */
static const struct confuse_msg {
    const char *fmt;
    const char *expected;
} confuse_msgs[] = {
    {"invalid boolean value for option '%s'", "expected true or false"},
    {"invalid integer value for option '%s'", "expected a decimal integer"},
    {"invalid floating point value for option '%s'", "expected a number"},
    {"unexpected token '%s'", "expected KEY = VALUE, a section, or a closing brace"},
    {"missing equal sign after option '%s'", "expected KEY = VALUE"},
    {"premature end of file", "expected the rest of the last entry, or a closing brace"},
    {"unexpected closing brace", "expected each closing brace to end a section"},
    {"missing opening brace for section '%s'", "expected an opening brace after the section name"},
    {"missing title for section '%s'", "expected bmc \"NAME\" { ... }"},
    {"attempt to append to non-list option '%s'", "expected KEY = VALUE (only lists take +=)"},
    {"unterminated string constant", "expected a closing quote"},
};
#define CONFUSE_NO_SUCH_OPTION  "no such option '%s'"
#define CONFUSE_DUPLICATE_TITLE "found duplicate title '%s'"

/* The lines where one section and its keys were written. */
struct sec_lines {
    const cfg_t *sec;
    int start;         /* line of the opening brace */
    int line[K_COUNT]; /* line of each key's last assignment; 0 = not written */
};

struct load_ctx {
    const char *path;
    char *dir; /* directory of path: the base of relative file names */
    cfg_t *root;
    char *err;
    size_t errlen;
    bool failed;
    struct sec_lines global;
    struct sec_lines defaults;
    struct sec_lines *bmc; /* one per bmc section, in file order */
    size_t nbmc;
    size_t capbmc;
    struct sec_lines *grp; /* one per bmc-group section, in file order */
    size_t ngrp;
    size_t capgrp;
    /* for an included file: the main file's global keys and its path,
     * blamed for values taken from its defaults section */
    cfg_t *globals;
    const char *defaults_path;
    const char *blame; /* set by find_key(): the file of the value it found */
};

/* libconfuse callbacks carry no user pointer; the load in progress is here. */
static _Thread_local struct load_ctx *load_cur;

static void fail(struct load_ctx *ctx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error as "FILE:LINE: ..." ("FILE: ..." when line is 0). */
static void fail(struct load_ctx *ctx, int line, const char *fmt, ...)
{
    if (ctx->failed)
        return;
    ctx->failed = true;
    if (!ctx->err || ctx->errlen == 0)
        return;
    int n;
    const char *path = ctx->blame ? ctx->blame : ctx->path;
    if (line > 0)
        n = snprintf(ctx->err, ctx->errlen, "%s:%d: ", path, line);
    else
        n = snprintf(ctx->err, ctx->errlen, "%s: ", path);
    if (n < 0 || (size_t)n >= ctx->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static int key_find(const char *name)
{
    for (int k = 0; k < K_COUNT; k++)
        if (strcmp(keys[k].name, name) == 0)
            return k;
    return -1;
}

/* "0, 1, 2, 3, 17" */
static void suites_text(char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof supported_suites; i++) {
        int n = snprintf(buf + off, len - off, "%s%u", i ? ", " : "", supported_suites[i]);
        if (n < 0 || (size_t)n >= len - off)
            return;
        off += (size_t)n;
    }
}

static bool suite_supported(long id)
{
    for (size_t i = 0; i < sizeof supported_suites; i++)
        if (supported_suites[i] == id)
            return true;
    return false;
}

/* "at the top level", "in the defaults section", "in bmc "web01"" */
static void section_label(const struct load_ctx *ctx, const cfg_t *sec, char *buf, size_t len)
{
    if (sec == ctx->root)
        snprintf(buf, len, "at the top level");
    else if (sec->title)
        snprintf(buf, len, "in %s \"%.*s\"", sec->name, CFG_NAME_MAX, sec->title);
    else
        snprintf(buf, len, "in the %s section", sec->name);
}

static int line_or(int line, int fallback)
{
    return line > 0 ? line : fallback;
}

/* The line record of `sec`; a bmc section gets a new one the first time it is seen. */
static struct sec_lines *lines_of(struct load_ctx *ctx, const cfg_t *sec)
{
    if (sec == ctx->root)
        return &ctx->global;
    if (strcmp(sec->name, "defaults") == 0) {
        if (ctx->defaults.start == 0)
            ctx->defaults.start = ctx->root->line;
        return &ctx->defaults;
    }
    bool group = strcmp(sec->name, "bmc-group") == 0;
    struct sec_lines **arr = group ? &ctx->grp : &ctx->bmc;
    size_t *n = group ? &ctx->ngrp : &ctx->nbmc, *capp = group ? &ctx->capgrp : &ctx->capbmc;
    if (*n > 0 && (*arr)[*n - 1].sec == sec)
        return &(*arr)[*n - 1];
    if (*n == *capp) {
        size_t cap = *capp ? *capp * 2 : 16;
        struct sec_lines *p = realloc(*arr, cap * sizeof *p);
        if (!p)
            return NULL;
        *arr = p;
        *capp = cap;
    }
    struct sec_lines *l = &(*arr)[(*n)++];
    memset(l, 0, sizeof *l);
    l->sec = sec;
    /* While a section is parsed, the root's line stays at its opening brace. */
    l->start = ctx->root->line;
    return l;
}

/* ---- libconfuse callbacks ------------------------------------------------ */

static void unknown_option(struct load_ctx *ctx, const cfg_t *sec, int line, const char *name)
{
    char where[CFG_NAME_MAX + 32];
    char list[512];
    size_t off = 0;

    section_label(ctx, sec, where, sizeof where);
    list[0] = '\0';
    for (const cfg_opt_t *o = sec->opts; o && o->name; o++) {
        int n = snprintf(list + off, sizeof list - off, "%s%s", off ? ", " : "", o->name);
        if (n < 0 || (size_t)n >= sizeof list - off)
            break;
        off += (size_t)n;
    }
    fail(ctx, line, "unknown option '%s' %s; expected one of: %s", name, where, list);
}

static void duplicate_bmc(struct load_ctx *ctx, int line, const char *name)
{
    int first = 0;
    cfg_t *sec = cfg_gettsec(ctx->root, "bmc", name);
    for (size_t i = 0; sec && i < ctx->nbmc; i++)
        if (ctx->bmc[i].sec == sec)
            first = ctx->bmc[i].start;
    if (first > 0)
        fail(ctx, line,
             "duplicate bmc name \"%s\" (first used at line %d); expected every bmc section to "
             "have its own name",
             name, first);
    else
        fail(ctx, line,
             "duplicate bmc name \"%s\"; expected every bmc section to have its own name", name);
}

static void confuse_error(cfg_t *sec, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void confuse_error(cfg_t *sec, const char *fmt, va_list ap)
{
    struct load_ctx *ctx = load_cur;
    if (!ctx || ctx->failed)
        return;
    int line = sec ? sec->line : 0;

    if (sec && strcmp(fmt, CONFUSE_NO_SUCH_OPTION) == 0) {
        unknown_option(ctx, sec, line, va_arg(ap, const char *));
        return;
    }
    if (strcmp(fmt, CONFUSE_DUPLICATE_TITLE) == 0) {
        duplicate_bmc(ctx, line, va_arg(ap, const char *));
        return;
    }

    char msg[256];
    const char *expected = "expected the syntax of ipmi-snmp-bridge.conf(5)";
    vsnprintf(msg, sizeof msg, fmt, ap);
    for (size_t i = 0; i < sizeof confuse_msgs / sizeof confuse_msgs[0]; i++)
        if (strcmp(fmt, confuse_msgs[i].fmt) == 0)
            expected = confuse_msgs[i].expected;
    fail(ctx, line, "%s; %s", msg, expected);
}

/* Integers are decimal: libconfuse's base 0 would read "0623" as octal. */
static int parse_int(cfg_t *sec, cfg_opt_t *opt, const char *value, void *result)
{
    char *end = NULL;
    long v = 0;

    errno = 0;
    if (value)
        v = strtol(value, &end, 10);
    if (!value || end == value || *end != '\0' || errno == ERANGE) {
        fail(load_cur, sec->line, "%s = \"%s\" is not a whole number; expected a decimal integer",
             opt->name, value ? value : "");
        return -1;
    }
    *(long *)result = v;
    return 0;
}

static int parse_float(cfg_t *sec, cfg_opt_t *opt, const char *value, void *result)
{
    char *end = NULL;
    double v = 0;

    errno = 0;
    if (value)
        v = strtod(value, &end);
    if (!value || end == value || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        fail(load_cur, sec->line, "%s = \"%s\" is not a number; expected seconds, such as 1.5",
             opt->name, value ? value : "");
        return -1;
    }
    *(double *)result = v;
    return 0;
}

static int check_int(struct load_ctx *ctx, int line, cfg_opt_t *opt, long min, long max)
{
    long v = cfg_opt_getnint(opt, 0);
    if (v >= min && v <= max)
        return 0;
    fail(ctx, line, "%s = %ld is out of range; expected %ld to %ld", opt->name, v, min, max);
    return -1;
}

static int check_seconds(struct load_ctx *ctx, int line, cfg_opt_t *opt, double min, double max)
{
    double v = cfg_opt_getnfloat(opt, 0);
    if (v >= min && v <= max)
        return 0;
    fail(ctx, line, "%s = %g is out of range; expected %g to %g seconds", opt->name, v, min, max);
    return -1;
}

static int check_string(struct load_ctx *ctx, int line, cfg_opt_t *opt, size_t min, size_t max,
                        const char *expected)
{
    const char *v = cfg_opt_getnstr(opt, 0);
    size_t len = v ? strlen(v) : 0;
    if (len < min) {
        fail(ctx, line, "%s is empty; expected %s", opt->name, expected);
        return -1;
    }
    if (len > max) {
        fail(ctx, line, "%s is %zu bytes long; expected %s of at most %zu bytes", opt->name, len,
             expected, max);
        return -1;
    }
    return 0;
}

/* Called once per list element as it is parsed, and once more at the '}'. */
static int check_suites(struct load_ctx *ctx, int line, cfg_opt_t *opt)
{
    unsigned n = cfg_opt_size(opt);
    long id = cfg_opt_getnint(opt, n - 1);
    char supported[64];

    if (n > CFG_MAX_SUITES) {
        fail(ctx, line, "cipher-suites lists more than %d suites; expected at most %d",
             CFG_MAX_SUITES, CFG_MAX_SUITES);
        return -1;
    }
    if (!suite_supported(id)) {
        suites_text(supported, sizeof supported);
        fail(ctx, line, "cipher suite %ld is not supported; expected one of %s", id, supported);
        return -1;
    }
    for (unsigned i = 0; i + 1 < n; i++) {
        if (cfg_opt_getnint(opt, i) == id) {
            fail(ctx, line, "cipher suite %ld is listed twice; expected each suite once", id);
            return -1;
        }
    }
    return 0;
}

/* "K/N" with 1 <= K <= N <= 4096 (decimal, nothing else). */
static int parse_shard(const char *v, unsigned *k, unsigned *n)
{
    char *end;
    if (!v || *v < '0' || *v > '9')
        return -1;
    unsigned long a = strtoul(v, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return -1;
    unsigned long b = strtoul(end + 1, &end, 10);
    if (*end != '\0' || a < 1 || b < 1 || a > b || b > 4096)
        return -1;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

/* Validation callback of every key: notes its line, then checks its value. */
static int check_option(cfg_t *sec, cfg_opt_t *opt)
{
    struct load_ctx *ctx = load_cur;
    int k = key_find(opt->name);
    int line = sec->line;

    if (k < 0)
        return 0;
    struct sec_lines *l = lines_of(ctx, sec);
    if (!l) {
        fail(ctx, line, "out of memory while reading %s", opt->name);
        return -1;
    }
    l->line[k] = line;
    if (cfg_opt_size(opt) == 0)
        return 0;

    switch ((enum key)k) {
    case K_TIMEOUT:
        return check_seconds(ctx, line, opt, 0.001, 60);
    case K_SESSION_TIMEOUT:
        return check_seconds(ctx, line, opt, 0.001, 3600);
    case K_IDLE_REOPEN:
        return check_seconds(ctx, line, opt, 1, 3600);
    case K_RETRIES:
        return check_int(ctx, line, opt, 0, 10);
    case K_MAX_IN_FLIGHT:
        return check_int(ctx, line, opt, 1, 16);
    case K_SOCKETS:
        return check_int(ctx, line, opt, 1, 64);
    case K_SEL_ENTRIES:
        return check_int(ctx, line, opt, 1, 65536);
    case K_FRU_INTERVAL:
        return check_int(ctx, line, opt, 60, 31 * 86400);
    case K_SENSOR_INTERVAL:
    case K_SEL_INTERVAL:
        return check_int(ctx, line, opt, 1, 86400);
    case K_SDR_CHECK_INTERVAL:
    case K_INFO_INTERVAL:
        return check_int(ctx, line, opt, 10, 31 * 86400);
    case K_MAX_LOGINS:
    case K_MAX_SDR_READS:
        return check_int(ctx, line, opt, 1, 100000);
    case K_SOCKET_BUFFER:
        return check_int(ctx, line, opt, 65536, 1L << 30);
    case K_AUTH_RETRY:
        return check_int(ctx, line, opt, 1, 7 * 86400);
    case K_UNREACHABLE_MAX:
        return check_int(ctx, line, opt, 1, 86400);
    case K_REBOOT_GRACE:
        return check_int(ctx, line, opt, 0, 86400);
    case K_STATUS_INTERVAL:
        return check_int(ctx, line, opt, 0, 86400);
    case K_WORKER_THREADS:
        return check_int(ctx, line, opt, 0, CFG_WORKERS_MAX);
    case K_INDEX:
        return check_int(ctx, line, opt, 1, INDEX_MAX);
    case K_STATE_DIR:
        return check_string(ctx, line, opt, 1, sizeof(((struct cfg *)0)->state_dir) - 1,
                            "a directory");
    case K_STATUS_FILE:
        return check_string(ctx, line, opt, 0, sizeof(((struct cfg *)0)->status_file) - 1,
                            "a file name");
    case K_USER:
        return check_string(ctx, line, opt, 0, sizeof(((struct cfg *)0)->user) - 1, "a user name");
    case K_AGENTX_SOCKET:
        return check_string(ctx, line, opt, 0, sizeof(((struct cfg *)0)->agentx_socket) - 1,
                            "an AgentX address such as /var/agentx/master or tcp:localhost:705");
    case K_PET_LISTEN:
        return check_string(ctx, line, opt, 0, sizeof(((struct cfg *)0)->pet_listen) - 1,
                            "an address such as 0.0.0.0:162");
    case K_PET_COMMUNITY:
        return check_string(ctx, line, opt, 0, sizeof(((struct cfg *)0)->pet_community) - 1,
                            "an SNMP community");
    case K_PET_ACKNOWLEDGE: {
        const char *v = cfg_opt_getnstr(opt, 0);
        if (v &&
            (strcmp(v, "session") == 0 || strcmp(v, "sessionless") == 0 || strcmp(v, "off") == 0))
            return 0;
        fail(ctx, line, "pet-acknowledge = \"%s\" is unknown; expected session, sessionless or off",
             v ? v : "");
        return -1;
    }
    case K_PET_DEDUPE_WINDOW:
        return check_int(ctx, line, opt, 1, 86400);
    case K_NOTIFY_RATE_PER_BMC:
    case K_NOTIFY_RATE_GLOBAL:
        return check_int(ctx, line, opt, 0, 1000000);
    case K_NOTIFY_RATE_INTERVAL:
        return check_int(ctx, line, opt, 1, 3600);
    case K_NOTIFY_PLATFORM_EVENT:
    case K_NOTIFY_SENSOR_STATUS:
    case K_NOTIFY_BMC_STATE:
    case K_STANDARD_MIBS:
        break;
    case K_LOG: {
        const char *v = cfg_opt_getnstr(opt, 0);
        if (v && (strcmp(v, "stderr") == 0 || strcmp(v, "syslog") == 0))
            return 0;
        fail(ctx, line, "log = \"%s\" is unknown; expected stderr or syslog", v ? v : "");
        return -1;
    }
    case K_SHARD: {
        unsigned sk, sn;
        if (parse_shard(cfg_opt_getnstr(opt, 0), &sk, &sn) == 0)
            return 0;
        fail(ctx, line, "shard = \"%s\" is not K/N; expected K/N with 1 <= K <= N <= 4096",
             cfg_opt_getnstr(opt, 0) ? cfg_opt_getnstr(opt, 0) : "");
        return -1;
    }
    case K_INCLUDE:
        return check_string(ctx, line, opt, 1, PATH_MAX - 1, "a file name or a glob pattern");
    case K_ADDRESSES:
        return check_string(ctx, line, opt, 1, 1024,
                            "a host range such as 10.1.0.[1-250] or 127.0.0.1:[20000-20999]");
    case K_NAME_FORMAT:
        return check_string(ctx, line, opt, 1, CFG_NAME_MAX - 1,
                            "a name format such as \"r1-bmc%d\"");
    case K_PORT:
        return check_int(ctx, line, opt, 1, 65535);
    case K_SDR_CACHE_DIR:
        return check_string(ctx, line, opt, 1, sizeof(((struct cfg *)0)->sdr_cache_dir) - 1,
                            "a directory");
    case K_ADDRESS:
        return check_string(ctx, line, opt, 1, sizeof(((struct cfg_bmc *)0)->address) - 1,
                            "a host name or an IPv4/IPv6 address");
    case K_USERNAME:
        return check_string(ctx, line, opt, 1, CFG_USER_MAX, "an IPMI user name");
    case K_PASSWORD_FILE:
        return check_string(ctx, line, opt, 1, PATH_MAX - 1, "the path of the password file");
    case K_KG_FILE: /* "" cancels a kg-file inherited from defaults */
        return check_string(ctx, line, opt, 0, PATH_MAX - 1, "the path of the K_G file");
    case K_CIPHER_SUITES:
        return check_suites(ctx, line, opt);
    case K_PRIVILEGE: {
        const char *v = cfg_opt_getnstr(opt, 0);
        if (cfg_privilege_from_name(v))
            return 0;
        fail(ctx, line, "privilege \"%s\" is unknown; expected callback, user, operator or admin",
             v ? v : "");
        return -1;
    }
    case K_ALLOW_CIPHER_ZERO:
    case K_ALLOW_CIPHER_ONE:
    case K_ALLOW_CONTROL:
    case K_COUNT:
        break;
    }
    return 0;
}

/*
 * "cipher-suites = {}" calls no validation callback, so an empty list is
 * caught when its section closes, and blamed on the section.
 */
static int check_empty_suites(struct load_ctx *ctx, cfg_t *sec, int line)
{
    const cfg_opt_t *opt = cfg_getopt(sec, "cipher-suites");
    char where[CFG_NAME_MAX + 32];

    if (!opt || opt->nvalues > 0 || !(opt->flags & CFGF_MODIFIED))
        return 0;
    section_label(ctx, sec, where, sizeof where);
    fail(ctx, line, "cipher-suites %s is empty; expected a list such as {17, 3}", where);
    return -1;
}

/* Validation callback of the "defaults" section: called at its closing brace. */
static int check_defaults_section(cfg_t *root, cfg_opt_t *opt)
{
    struct load_ctx *ctx = load_cur;
    cfg_t *sec = cfg_opt_getnsec(opt, 0);

    if (!sec)
        return 0;
    return check_empty_suites(ctx, sec, line_or(ctx->defaults.start, root->line));
}

/* Validation callback of a "bmc" or "bmc-group" section: called at its closing brace. */
static int check_bmc_section(cfg_t *root, cfg_opt_t *opt)
{
    struct load_ctx *ctx = load_cur;
    unsigned n = cfg_opt_size(opt);
    const char *what = opt->name; /* "bmc" or "bmc-group" */

    if (n == 0)
        return 0;
    cfg_t *sec = cfg_opt_getnsec(opt, n - 1);
    struct sec_lines *l = lines_of(ctx, sec); /* an empty section has no record yet */
    if (!l) {
        fail(ctx, root->line, "out of memory while reading %s sections", what);
        return -1;
    }
    if (check_empty_suites(ctx, sec, l->start) < 0)
        return -1;
    const char *name = cfg_title(sec);
    size_t len = name ? strlen(name) : 0;
    if (len == 0) {
        fail(ctx, l->start, "%s section has an empty name; expected %s \"NAME\" { ... }", what,
             what);
        return -1;
    }
    if (len >= CFG_NAME_MAX) {
        fail(ctx, l->start, "%s name \"%.20s...\" is %zu bytes long; expected at most %d bytes",
             what, name, len, CFG_NAME_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
            fail(ctx, l->start, "%s name contains a control character; expected printable text",
                 what);
            return -1;
        }
    }
    return 0;
}

/* ---- reading files --------------------------------------------------------- */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* `name` relative to the config file's directory; -1 if it does not fit. */
static int path_join(const char *dir, const char *name, char *out, size_t len)
{
    int n;
    if (name[0] == '/' || strcmp(dir, ".") == 0)
        n = snprintf(out, len, "%s", name);
    else
        n = snprintf(out, len, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

static int line_at(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

static int read_text(struct load_ctx *ctx, char **out, size_t *outlen)
{
    size_t cap = 4096, len = 0;
    char *buf = NULL;
    int fd = open(ctx->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        fail(ctx, 0, "cannot open the configuration file: %s; expected a readable file",
             strerror(errno));
        return -1;
    }
    buf = malloc(cap);
    if (!buf)
        goto oom;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= CONFIG_MAX_BYTES) {
                fail(ctx, 0, "the file is larger than %u MiB; expected a configuration file",
                     CONFIG_MAX_BYTES >> 20);
                goto bad;
            }
            char *p = realloc(buf, cap * 2);
            if (!p)
                goto oom;
            buf = p;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fail(ctx, 0, "cannot read the configuration file: %s; expected a readable file",
                 strerror(errno));
            goto bad;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    close(fd);

    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        fail(ctx, line_at(buf, (size_t)(nul - buf)), "NUL byte in the file; expected text");
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = len;
    return 0;

oom:
    fail(ctx, 0, "out of memory reading the configuration file");
bad:
    free(buf);
    close(fd);
    return -1;
}

/*
 * Blanks out comments ("# ...", "// ...", and "/ * ... * /") in place, keeping
 * every newline, and checks that quotes, block comments and braces are
 * closed (libconfuse takes the end of the file as the end of any open
 * section).  The rules follow libconfuse's lexer: a comment may start
 * anywhere outside a quoted string, and a backslash escapes the next
 * character in a string.
 */
static int strip_comments(struct load_ctx *ctx, char *text, size_t len)
{
    enum { PLAIN, DQUOTE, SQUOTE, LINE_COMMENT, BLOCK_COMMENT } st = PLAIN;
    int line = 1, opened = 0;
    int braces[32]; /* lines of the open braces, innermost last */
    size_t depth = 0;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        char next = i + 1 < len ? text[i + 1] : '\0';
        if (c == '\n')
            line++;
        switch (st) {
        case PLAIN:
            if (c == '"' || c == '\'') {
                st = c == '"' ? DQUOTE : SQUOTE;
                opened = line;
            } else if (c == '#' || (c == '/' && next == '/')) {
                text[i] = ' ';
                st = LINE_COMMENT;
            } else if (c == '/' && next == '*') {
                text[i] = text[i + 1] = ' ';
                i++;
                st = BLOCK_COMMENT;
                opened = line;
            } else if (c == '{') {
                if (depth < sizeof braces / sizeof braces[0])
                    braces[depth] = line;
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--; /* a stray one is libconfuse's to report */
            }
            break;
        case DQUOTE:
        case SQUOTE:
            if (c == '\\' && i + 1 < len) {
                i++;
                if (text[i] == '\n')
                    line++;
            } else if (c == (st == DQUOTE ? '"' : '\'')) {
                st = PLAIN;
            }
            break;
        case LINE_COMMENT:
            if (c == '\n')
                st = PLAIN;
            else
                text[i] = ' ';
            break;
        case BLOCK_COMMENT:
            if (c == '*' && next == '/') {
                text[i] = text[i + 1] = ' ';
                i++;
                st = PLAIN;
            } else if (c != '\n') {
                text[i] = ' ';
            }
            break;
        }
    }
    if (st == DQUOTE || st == SQUOTE) {
        fail(ctx, opened, "string opened here is never closed; expected a closing %s quote",
             st == DQUOTE ? "double" : "single");
        return -1;
    }
    if (st == BLOCK_COMMENT) {
        fail(ctx, opened, "comment opened here is never closed; expected */");
        return -1;
    }
    if (depth > 0) {
        size_t top =
            depth <= sizeof braces / sizeof braces[0] ? depth : sizeof braces / sizeof braces[0];
        fail(ctx, braces[top - 1], "brace opened here is never closed; expected a closing brace");
        return -1;
    }
    return 0;
}

/*
 * A secret file may belong to the user we run as, to root, or to the
 * `user` the daemon changes to: it is read as root at start and as that
 * user on every reload (SIGHUP), so a file owned by that user serves both.
 */
static bool secret_owner_ok(struct load_ctx *ctx, uid_t uid)
{
    if (uid == geteuid() || uid == 0)
        return true;
    cfg_t *g = ctx->globals ? ctx->globals : ctx->root;
    const char *user = g ? cfg_getstr(g, "user") : NULL;
    if (!user || !user[0])
        return false;
    const struct passwd *pw = getpwnam(user);
    return pw && pw->pw_uid == uid;
}

/*
 * Reads the first line of a secret file into out[0..cap).  The file must be
 * a regular file, not a symbolic link (whoever can replace the link can
 * point it at a file of their choosing), owned by the user we run as or by
 * root, with no group or other permissions.  With `kg`, the line may also
 * be "0x" and 40 hex digits.  Nothing read goes into a message.
 */
static int read_secret(struct load_ctx *ctx, int line, const char *key, const char *name, bool kg,
                       uint8_t *out, size_t cap, size_t *outlen)
{
    const char *expected = kg ? "a K_G of 1 to 20 bytes of text, or 0x and 40 hex digits"
                              : "a password of 1 to 20 bytes";
    char path[PATH_MAX];
    unsigned char buf[SECRET_READ_MAX];
    size_t len = 0, eol;
    bool eof = false;
    int rc = -1, fd = -1;
    struct stat st;

    if (path_join(ctx->dir, name, path, sizeof path) < 0) {
        fail(ctx, line,
             "%s \"%s\" is too long once joined to the directory %s; expected a shorter path", key,
             name, ctx->dir);
        return -1;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0 && errno == ELOOP) {
        fail(ctx, line,
             "%s %s is a symbolic link; expected the file itself (a regular file, mode 600), "
             "not a link to it",
             key, path);
        goto done;
    }
    if (fd < 0) {
        fail(ctx, line, "%s %s cannot be opened: %s; expected a readable file (mode 600)", key,
             path, strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) < 0) {
        fail(ctx, line, "%s %s cannot be examined: %s; expected a readable file (mode 600)", key,
             path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(ctx, line, "%s %s is not a regular file; expected a regular file holding %s", key,
             path, expected);
        goto done;
    }
    if (!secret_owner_ok(ctx, st.st_uid)) {
        fail(ctx, line,
             "%s %s is owned by uid %ld; expected a file owned by the user ipmi-snmp-bridge runs "
             "as (uid %ld), by the user it changes to (user = \"NAME\") or by root",
             key, path, (long)st.st_uid, (long)geteuid());
        goto done;
    }
    if (st.st_mode & 077) {
        fail(ctx, line,
             "%s %s has mode %04o, so group or others may access it; expected no access for "
             "group and others (chmod 600 %s)",
             key, path, (unsigned)(st.st_mode & 07777), path);
        goto done;
    }
    while (len < sizeof buf && !memchr(buf, '\n', len)) {
        ssize_t r = read(fd, buf + len, sizeof buf - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fail(ctx, line, "%s %s cannot be read: %s; expected a readable file", key, path,
                 strerror(errno));
            goto done;
        }
        if (r == 0) {
            eof = true;
            break;
        }
        len += (size_t)r;
    }
    const unsigned char *nl = memchr(buf, '\n', len);
    if (!nl && !eof) {
        fail(ctx, line, "%s %s: the first line is longer than %zu bytes; expected %s", key, path,
             cap, expected);
        goto done;
    }
    eol = nl ? (size_t)(nl - buf) : len;
    if (eol > 0 && buf[eol - 1] == '\r')
        eol--;
    if (eol == 0) {
        fail(ctx, line, "%s %s: the first line is empty; expected %s", key, path, expected);
        goto done;
    }
    if (kg && eol >= 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
        bool ok = eol == KG_HEX_LEN;
        for (size_t i = 2; ok && i < eol; i++)
            ok = hex_digit(buf[i]) >= 0;
        if (!ok) {
            fail(ctx, line,
                 "%s %s: the key starts with 0x but is not 40 hex digits; expected 0x and exactly "
                 "40 hex digits (20 bytes), or a text key of 1 to 20 bytes",
                 key, path);
            goto done;
        }
        for (size_t i = 0; i < CFG_KG_MAX; i++)
            out[i] = (uint8_t)(hex_digit(buf[2 + 2 * i]) << 4 | hex_digit(buf[3 + 2 * i]));
        *outlen = CFG_KG_MAX;
        rc = 0;
        goto done;
    }
    if (eol > cap) {
        fail(ctx, line, "%s %s: the first line is longer than %zu bytes; expected %s", key, path,
             cap, expected);
        goto done;
    }
    memcpy(out, buf, eol);
    *outlen = eol;
    rc = 0;
done:
    OPENSSL_cleanse(buf, sizeof buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* ---- from the parse tree to struct cfg -------------------------------------- */

static bool opt_written(const cfg_opt_t *opt)
{
    /* An empty list ("= {}") has no values but was still written. */
    return opt && (opt->nvalues > 0 || (opt->flags & CFGF_MODIFIED));
}

/*
 * The section a bmc takes key `k` from: its own, else defaults, else NULL
 * (the built-in default).  *line gets the line to blame for that value.
 */
static cfg_t *find_key(struct load_ctx *ctx, cfg_t *sec, const struct sec_lines *l, cfg_t *defs,
                       enum key k, int *line)
{
    ctx->blame = NULL;
    if (opt_written(cfg_getopt(sec, keys[k].name))) {
        *line = l->line[k] ? l->line[k] : l->start;
        return sec;
    }
    if (defs && (keys[k].where & IN_DEFAULTS) && opt_written(cfg_getopt(defs, keys[k].name))) {
        *line = ctx->defaults.line[k] ? ctx->defaults.line[k] : l->start;
        ctx->blame = ctx->defaults_path; /* NULL in the main file: its own path */
        return defs;
    }
    *line = l->start;
    return NULL;
}

static void copy_str(char *dst, size_t len, const char *src)
{
    size_t n = strlen(src);
    if (n >= len)
        n = len - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* An interval or max-in-flight: the section's own, else defaults', else the global key's value. */
static uint32_t host_int(struct load_ctx *ctx, cfg_t *sec, const struct sec_lines *l, cfg_t *defs,
                         enum key k)
{
    int line;
    cfg_t *src = find_key(ctx, sec, l, defs, k, &line);
    ctx->blame = NULL;
    return (uint32_t)cfg_getint(src ? src : ctx->globals ? ctx->globals : ctx->root, keys[k].name);
}

/* The file names BMCs carry for messages (cfg_bmc.file), held for the life of
 * the process: a BMC kept across a reload keeps its old cfg_bmc, whose
 * configuration (and its files[]) the reload frees.  A handful of distinct
 * paths; configurations are loaded on one thread. */
struct path_node {
    struct path_node *next;
    char s[];
};
static struct path_node *paths;

static const char *path_intern(const char *p)
{
    for (struct path_node *n = paths; n; n = n->next)
        if (strcmp(n->s, p) == 0)
            return n->s;
    size_t len = strlen(p) + 1;
    struct path_node *n = malloc(sizeof(*n) + len);
    if (!n)
        return NULL; /* messages then say "config" */
    memcpy(n->s, p, len);
    n->next = paths;
    paths = n;
    return n->s;
}

/* One bmc section, or the template of a bmc-group (whose address is set later). */
static int build_bmc(struct load_ctx *ctx, cfg_t *sec, const struct sec_lines *l, cfg_t *defs,
                     const char *file, struct cfg_bmc *b)
{
    const char *name = cfg_title(sec);
    bool group = strcmp(sec->name, "bmc-group") == 0;
    cfg_t *src;
    int line;

    copy_str(b->name, sizeof b->name, name);
    b->file = path_intern(file);
    b->line = l->start;
    ctx->blame = NULL;

    if (!group) {
        const char *address = cfg_getstr(sec, "address");
        if (!address) {
            fail(ctx, l->start,
                 "bmc \"%s\" has no address; expected address = \"HOST\" (a host name or an "
                 "IPv4/IPv6 address)",
                 name);
            return -1;
        }
        copy_str(b->address, sizeof b->address, address);
        if (opt_written(cfg_getopt(sec, "index")))
            b->index = (uint32_t)cfg_getint(sec, "index");
    }

    src = find_key(ctx, sec, l, defs, K_PORT, &line);
    b->port = src ? (uint16_t)cfg_getint(src, "port") : DEFAULT_PORT;
    b->sensor_interval_s = host_int(ctx, sec, l, defs, K_SENSOR_INTERVAL);
    b->sel_interval_s = host_int(ctx, sec, l, defs, K_SEL_INTERVAL);
    b->sdr_check_interval_s = host_int(ctx, sec, l, defs, K_SDR_CHECK_INTERVAL);
    b->fru_interval_s = host_int(ctx, sec, l, defs, K_FRU_INTERVAL);
    b->info_interval_s = host_int(ctx, sec, l, defs, K_INFO_INTERVAL);
    b->max_in_flight = host_int(ctx, sec, l, defs, K_MAX_IN_FLIGHT);

    src = find_key(ctx, sec, l, defs, K_USERNAME, &line);
    if (!src) {
        fail(ctx, l->start,
             "bmc \"%s\" has no username; expected username = \"NAME\" in the bmc section or in "
             "defaults",
             name);
        return -1;
    }
    copy_str(b->username, sizeof b->username, cfg_getstr(src, "username"));

    src = find_key(ctx, sec, l, defs, K_PRIVILEGE, &line);
    b->privilege = src ? cfg_privilege_from_name(cfg_getstr(src, "privilege")) : DEFAULT_PRIVILEGE;

    int zero_line;
    src = find_key(ctx, sec, l, defs, K_ALLOW_CIPHER_ZERO, &zero_line);
    b->allow_suite0 = src && cfg_getbool(src, "allow-cipher-zero") == cfg_true;
    int one_line;
    src = find_key(ctx, sec, l, defs, K_ALLOW_CIPHER_ONE, &one_line);
    b->allow_suite1 = src && cfg_getbool(src, "allow-cipher-one") == cfg_true;

    src = find_key(ctx, sec, l, defs, K_ALLOW_CONTROL, &line);
    b->allow_control = src && cfg_getbool(src, "allow-control") == cfg_true;

    src = find_key(ctx, sec, l, defs, K_CIPHER_SUITES, &line);
    if (src) {
        unsigned n = cfg_size(src, "cipher-suites");
        if (n == 0) {
            fail(ctx, line, "cipher-suites is empty; expected a list such as {17, 3}");
            return -1;
        }
        for (unsigned i = 0; i < n && i < CFG_MAX_SUITES; i++)
            b->suites[i] = (uint8_t)cfg_getnint(src, "cipher-suites", i);
        b->nsuites = n < CFG_MAX_SUITES ? n : CFG_MAX_SUITES;
    } else {
        memcpy(b->suites, default_suites, sizeof default_suites);
        b->nsuites = sizeof default_suites;
    }
    for (size_t i = 0; i < b->nsuites; i++) {
        if (b->suites[i] == 0 && !b->allow_suite0) {
            fail(ctx, line,
                 "bmc \"%s\": cipher suite 0 has no authentication; set allow-cipher-zero = true "
                 "to use it",
                 name);
            return -1;
        }
        if (b->suites[i] == 1 && !b->allow_suite1) {
            fail(ctx, line,
                 "bmc \"%s\": cipher suite 1 has no integrity and no confidentiality; set "
                 "allow-cipher-one = true to use it",
                 name);
            return -1;
        }
    }

    src = find_key(ctx, sec, l, defs, K_PASSWORD_FILE, &line);
    if (!src) {
        fail(ctx, l->start,
             "bmc \"%s\" has no password-file; expected password-file = \"PATH\" in the bmc "
             "section or in defaults",
             name);
        return -1;
    }
    if (read_secret(ctx, line, "password-file", cfg_getstr(src, "password-file"), false,
                    b->password, CFG_PASS_MAX, &b->password_len) < 0)
        return -1;

    src = find_key(ctx, sec, l, defs, K_KG_FILE, &line);
    const char *kg = src ? cfg_getstr(src, "kg-file") : NULL;
    if (kg && kg[0] != '\0' &&
        read_secret(ctx, line, "kg-file", kg, true, b->kg, CFG_KG_MAX, &b->kg_len) < 0)
        return -1;
    return 0;
}

/* "line 12", or "FILE:12" when `other` comes from another file than `self`. */
static const char *where_text(const struct cfg_bmc *other, const struct cfg_bmc *self, char *buf,
                              size_t len)
{
    if (other->file && self->file && strcmp(other->file, self->file) != 0)
        snprintf(buf, len, "%s:%d", other->file, other->line);
    else
        snprintf(buf, len, "line %d", other->line);
    return buf;
}

static int cmp_endpoint(const void *a, const void *b)
{
    const struct cfg_bmc *x = *(const struct cfg_bmc *const *)a;
    const struct cfg_bmc *y = *(const struct cfg_bmc *const *)b;
    int c = strcasecmp(x->address, y->address);
    if (c != 0)
        return c;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Two bmc sections polling one endpoint would fight over its sessions.  O(n log n). */
static int check_unique_endpoints(struct load_ctx *ctx, const struct cfg *c)
{
    const struct cfg_bmc **v = calloc(c->nbmcs, sizeof *v);
    const struct cfg_bmc *dup = NULL, *orig = NULL;

    if (!v) {
        fail(ctx, 0, "out of memory checking bmc addresses");
        return -1;
    }
    for (size_t i = 0; i < c->nbmcs; i++)
        v[i] = &c->bmcs[i];
    qsort(v, c->nbmcs, sizeof *v, cmp_endpoint);
    for (size_t i = 1; i < c->nbmcs; i++) {
        if (strcasecmp(v[i]->address, v[i - 1]->address) != 0 || v[i]->port != v[i - 1]->port)
            continue;
        if (!dup || v[i]->line < dup->line) { /* report the first one in file order */
            dup = v[i];
            orig = v[i - 1];
        }
    }
    free(v);
    if (!dup)
        return 0;
    char at[PATH_MAX + 16];
    ctx->blame = dup->file;
    fail(ctx, dup->line,
         "bmc \"%s\" uses address %s port %u, as does bmc \"%s\" at %s; expected each "
         "address and port pair once",
         dup->name, dup->address, (unsigned)dup->port, orig->name,
         where_text(orig, dup, at, sizeof at));
    return -1;
}

/* ---- bmc-group: host ranges ------------------------------------------------ */

/*
 * "PREFIX[RANGES]SUFFIX" in the style of FreeIPMI's hostranges, with one
 * bracket: RANGES is a comma list of N or A-B; a range written with a
 * leading zero ("[01-16]") keeps its width.  Without brackets the text is
 * one host.  A result "HOST:PORT" sets the port, so that one address with a
 * port range ("127.0.0.1:[20000-20999]") names many BMCs.
 */
#define HOSTRANGE_MAX_PARTS 64
struct hostrange {
    char prefix[512], suffix[512];
    size_t nparts;
    struct {
        unsigned long lo, hi;
        int width;
    } part[HOSTRANGE_MAX_PARTS];
    unsigned long count;
};

static int parse_hostrange(const char *text, struct hostrange *hr, char *why, size_t whylen)
{
    const char *open = strchr(text, '[');
    memset(hr, 0, sizeof *hr);
    if (!open) {
        if (strchr(text, ']')) {
            snprintf(why, whylen, "a ']' without '['");
            return -1;
        }
        copy_str(hr->prefix, sizeof hr->prefix, text);
        hr->count = 1;
        return 0;
    }
    const char *close = strchr(open, ']');
    if (!close) {
        snprintf(why, whylen, "'[' without ']'");
        return -1;
    }
    if (strchr(close + 1, '[') || memchr(text, ']', (size_t)(open - text))) {
        snprintf(why, whylen, "more than one [range]");
        return -1;
    }
    if ((size_t)(open - text) >= sizeof hr->prefix || strlen(close + 1) >= sizeof hr->suffix) {
        snprintf(why, whylen, "too long");
        return -1;
    }
    memcpy(hr->prefix, text, (size_t)(open - text));
    copy_str(hr->suffix, sizeof hr->suffix, close + 1);
    const char *p = open + 1;
    while (p < close) {
        if (hr->nparts == HOSTRANGE_MAX_PARTS) {
            snprintf(why, whylen, "more than %d parts in the range", HOSTRANGE_MAX_PARTS);
            return -1;
        }
        char *end;
        if (*p < '0' || *p > '9') {
            snprintf(why, whylen, "a range part that is not N or A-B");
            return -1;
        }
        const char *start = p;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        int width = (*start == '0' && end - start > 1) ? (int)(end - start) : 0;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9') {
                snprintf(why, whylen, "a range part that is not N or A-B");
                return -1;
            }
            hi = strtoul(p, &end, 10);
            p = end;
        }
        if (*p != ',' && p != close) {
            snprintf(why, whylen, "a range part that is not N or A-B");
            return -1;
        }
        if (*p == ',')
            p++;
        if (hi < lo || hi - lo >= GROUP_MAX_HOSTS || lo > 999999999UL) {
            snprintf(why, whylen, "range %lu-%lu is empty or too large", lo, hi);
            return -1;
        }
        hr->part[hr->nparts].lo = lo;
        hr->part[hr->nparts].hi = hi;
        hr->part[hr->nparts].width = width;
        hr->nparts++;
        hr->count += hi - lo + 1;
        if (hr->count > GROUP_MAX_HOSTS) {
            snprintf(why, whylen, "more than %d hosts", GROUP_MAX_HOSTS);
            return -1;
        }
    }
    if (hr->nparts == 0) {
        snprintf(why, whylen, "an empty []");
        return -1;
    }
    return 0;
}

/* name-format: one "%d" (the range number), "%%" for a percent sign. */
static int format_name(const char *fmt, const char *num, char *out, size_t len)
{
    size_t o = 0;
    int nd = 0;
    for (const char *p = fmt; *p; p++) {
        const char *add = p;
        size_t n = 1;
        if (*p == '%') {
            if (p[1] == 'd') {
                add = num;
                n = strlen(num);
                nd++;
            } else if (p[1] != '%') {
                return -1;
            }
            p++;
        }
        if (o + n >= len)
            return -2;
        memcpy(out + o, add, n);
        o += n;
    }
    out[o] = '\0';
    return nd <= 1 ? 0 : -1;
}

/* Appends the BMCs of one bmc-group to c->bmcs (grown as needed). */
static int expand_group(struct load_ctx *ctx, cfg_t *sec, const struct sec_lines *l, cfg_t *defs,
                        struct cfg *c, size_t *cap, const char *file)
{
    const char *title = cfg_title(sec);
    struct cfg_bmc tmpl;
    struct hostrange hr;
    char why[128], fmtbuf[CFG_NAME_MAX + 8];
    int line_a = line_or(l->line[K_ADDRESSES], l->start);
    int line_f = line_or(l->line[K_NAME_FORMAT], l->start);
    int rc = -1;

    memset(&tmpl, 0, sizeof tmpl);
    const char *addrs = cfg_getstr(sec, "addresses");
    if (!addrs) {
        fail(ctx, l->start,
             "bmc-group \"%s\" has no addresses; expected addresses = \"10.1.0.[1-250]\" or "
             "\"HOST:[PORT-PORT]\"",
             title);
        return -1;
    }
    if (parse_hostrange(addrs, &hr, why, sizeof why) < 0) {
        fail(ctx, line_a,
             "addresses = \"%.100s\": %s; expected PREFIX[A-B,C,...]SUFFIX with one bracket", addrs,
             why);
        return -1;
    }
    const char *fmt = cfg_getstr(sec, "name-format");
    if (!fmt) {
        snprintf(fmtbuf, sizeof fmtbuf, "%s-%%d", title);
        fmt = fmtbuf;
    }
    if (build_bmc(ctx, sec, l, defs, file, &tmpl) < 0)
        goto out;
    ctx->blame = NULL;
    if (c->nbmcs + hr.count > *cap) {
        size_t ncap = c->nbmcs + hr.count + 16;
        struct cfg_bmc *nb = realloc(c->bmcs, ncap * sizeof *nb);
        if (!nb) {
            fail(ctx, l->start, "out of memory for bmc-group \"%s\"", title);
            goto out;
        }
        memset(nb + c->nbmcs, 0, (ncap - c->nbmcs) * sizeof *nb);
        c->bmcs = nb;
        *cap = ncap;
    }
    for (size_t i = 0; i < (hr.nparts ? hr.nparts : 1); i++) {
        unsigned long lo = hr.nparts ? hr.part[i].lo : 0, hi = hr.nparts ? hr.part[i].hi : 0;
        for (unsigned long v = lo; v <= hi; v++) {
            char num[24] = "", host[1100];
            struct cfg_bmc *b = &c->bmcs[c->nbmcs];
            if (hr.nparts)
                snprintf(num, sizeof num, "%0*lu", hr.part[i].width, v);
            snprintf(host, sizeof host, "%s%s%s", hr.prefix, num, hr.suffix);
            *b = tmpl;
            char *colon = strchr(host, ':');
            if (colon && !strchr(colon + 1, ':')) { /* HOST:PORT (an IPv6 address has more) */
                char *end;
                unsigned long port = strtoul(colon + 1, &end, 10);
                if (*end || end == colon + 1 || port < 1 || port > 65535) {
                    fail(ctx, line_a,
                         "addresses = \"%.100s\": \"%.100s\" has no valid port; "
                         "expected HOST:PORT with PORT from 1 to 65535",
                         addrs, host);
                    goto out;
                }
                *colon = '\0';
                b->port = (uint16_t)port;
            }
            if (host[0] == '\0' || strlen(host) >= sizeof b->address) {
                fail(ctx, line_a,
                     "addresses = \"%.100s\": an empty or too long host; expected "
                     "host names or addresses",
                     addrs);
                goto out;
            }
            copy_str(b->address, sizeof b->address, host);
            int f = hr.nparts ? format_name(fmt, num, b->name, sizeof b->name)
                              : (copy_str(b->name, sizeof b->name, title), 0);
            if (f < 0) {
                fail(ctx, line_f,
                     f == -2 ? "name-format \"%s\" gives a name longer than %d bytes; expected "
                               "shorter names"
                             : "name-format \"%s\" is not valid; expected text with at most one "
                               "%%d (the number) and %%%% for a percent sign",
                     fmt, CFG_NAME_MAX - 1);
                goto out;
            }
            c->nbmcs++;
        }
    }
    rc = 0;
out:
    OPENSSL_cleanse(&tmpl, sizeof tmpl);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    const struct cfg_bmc *x = *(const struct cfg_bmc *const *)a;
    const struct cfg_bmc *y = *(const struct cfg_bmc *const *)b;
    int r = strcmp(x->name, y->name);
    return r ? r : (x->line > y->line) - (x->line < y->line);
}

static int cmp_index(const void *a, const void *b)
{
    const struct cfg_bmc *x = *(const struct cfg_bmc *const *)a;
    const struct cfg_bmc *y = *(const struct cfg_bmc *const *)b;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Names (across bmc and bmc-group sections) and explicit indices are unique.  O(n log n). */
static int check_unique_names(struct load_ctx *ctx, const struct cfg *c)
{
    const struct cfg_bmc **v = calloc(c->nbmcs ? c->nbmcs : 1, sizeof *v);
    char at[PATH_MAX + 16];
    int rc = 0;
    if (!v) {
        fail(ctx, 0, "out of memory checking bmc names");
        return -1;
    }
    for (size_t i = 0; i < c->nbmcs; i++)
        v[i] = &c->bmcs[i];
    qsort(v, c->nbmcs, sizeof *v, cmp_name);
    for (size_t i = 1; i < c->nbmcs && rc == 0; i++) {
        if (strcmp(v[i]->name, v[i - 1]->name) == 0) {
            ctx->blame = v[i]->file;
            fail(ctx, v[i]->line,
                 "bmc name \"%s\" is also used by the section at %s; expected every BMC "
                 "(bmc-group names included) to have its own name",
                 v[i]->name, where_text(v[i - 1], v[i], at, sizeof at));
            rc = -1;
        }
    }
    qsort(v, c->nbmcs, sizeof *v, cmp_index);
    for (size_t i = 1; i < c->nbmcs && rc == 0; i++) {
        if (v[i]->index && v[i]->index == v[i - 1]->index) {
            ctx->blame = v[i]->file;
            fail(ctx, v[i]->line,
                 "bmc \"%s\" has index %u, as does bmc \"%s\" at %s; expected each index "
                 "once",
                 v[i]->name, v[i]->index, v[i - 1]->name,
                 where_text(v[i - 1], v[i], at, sizeof at));
            rc = -1;
        }
    }
    free(v);
    return rc;
}

static uint32_t seconds_to_ms(double s)
{
    return (uint32_t)(s * 1000.0 + 0.5); /* ranges were checked while parsing */
}

static cfg_t *confuse_new(void);
static int read_text(struct load_ctx *ctx, char **out, size_t *outlen);
static int strip_comments(struct load_ctx *ctx, char *text, size_t len);

/*
 * One included file: only bmc and bmc-group sections; they take the main
 * file's defaults and global intervals, and their relative file names are
 * taken relative to the main file's directory.  Errors name this file
 * (or the main file, for a value inherited from its defaults).
 */
static int include_one(struct load_ctx *main, const char *file, struct cfg *c, size_t *cap)
{
    struct load_ctx ic = {.path = file,
                          .err = main->err,
                          .errlen = main->errlen,
                          .dir = main->dir,
                          .globals = main->root,
                          .defaults_path = main->path};
    struct load_ctx *saved = load_cur;
    char *text = NULL;
    size_t len = 0;
    int rc = -1;

    char **nf = realloc(c->files, (c->nfiles + 1) * sizeof *nf);
    if (!nf) {
        fail(main, 0, "out of memory");
        return -1;
    }
    c->files = nf;
    if (!(c->files[c->nfiles] = strdup(file))) {
        fail(main, 0, "out of memory");
        return -1;
    }
    const char *keep = c->files[c->nfiles++];
    if (read_text(&ic, &text, &len) < 0 || strip_comments(&ic, text, len) < 0)
        goto out;
    load_cur = &ic;
    ic.root = confuse_new();
    if (!ic.root) {
        fail(&ic, 0, "out of memory setting up the parser");
        goto out;
    }
    if (cfg_parse_buf(ic.root, text) != CFG_SUCCESS) {
        fail(&ic, ic.root->line,
             "cannot parse the file; expected the syntax of "
             "ipmi-snmp-bridge.conf(5)");
        goto out;
    }
    for (int k = 0; k < K_COUNT; k++) {
        if ((keys[k].where & IN_GLOBAL) && ic.global.line[k]) {
            fail(&ic, ic.global.line[k],
                 "%s is a global key; expected only bmc and bmc-group sections in an included "
                 "file",
                 keys[k].name);
            goto out;
        }
    }
    for (int k = 0; k < K_COUNT; k++) {
        if (ic.defaults.line[k]) {
            fail(&ic, ic.defaults.line[k],
                 "a defaults section; expected only bmc and bmc-group sections in an included "
                 "file (defaults belong in the main file)");
            goto out;
        }
    }
    ic.defaults = main->defaults; /* the lines of the values inherited from the main file */
    cfg_t *defs = cfg_getsec(main->root, "defaults");
    unsigned n = cfg_size(ic.root, "bmc"), ng = cfg_size(ic.root, "bmc-group");
    if (n != ic.nbmc || ng != ic.ngrp) {
        fail(&ic, 0, "internal error: section and line records disagree");
        goto out;
    }
    if (c->nbmcs + n > *cap) {
        size_t ncap = c->nbmcs + n + 16;
        struct cfg_bmc *nb = realloc(c->bmcs, ncap * sizeof *nb);
        if (!nb) {
            fail(&ic, 0, "out of memory");
            goto out;
        }
        memset(nb + c->nbmcs, 0, (ncap - c->nbmcs) * sizeof *nb);
        c->bmcs = nb;
        *cap = ncap;
    }
    for (unsigned i = 0; i < n; i++) {
        cfg_t *sec = cfg_getnsec(ic.root, "bmc", i);
        if (build_bmc(&ic, sec, &ic.bmc[i], defs, keep, &c->bmcs[c->nbmcs]) < 0)
            goto out;
        c->nbmcs++;
    }
    for (unsigned i = 0; i < ng; i++)
        if (expand_group(&ic, cfg_getnsec(ic.root, "bmc-group", i), &ic.grp[i], defs, c, cap,
                         keep) < 0)
            goto out;
    rc = 0;
out:
    load_cur = saved;
    if (ic.failed)
        main->failed = true; /* the message is in the shared buffer */
    if (ic.root)
        cfg_free(ic.root);
    free(ic.bmc);
    free(ic.grp);
    free(text);
    return rc;
}

/* include = "PATTERN": every file it matches, in sorted order. */
static int include_glob(struct load_ctx *ctx, const char *pattern, struct cfg *c, size_t *cap)
{
    char full[PATH_MAX];
    int line = line_or(ctx->global.line[K_INCLUDE], 1);
    if (path_join(ctx->dir, pattern, full, sizeof full) < 0) {
        fail(ctx, line, "include pattern is too long once joined to %s", ctx->dir);
        return -1;
    }
    glob_t g;
    int r = glob(full, GLOB_ERR, NULL, &g);
    if (r == GLOB_NOMATCH)
        return 0; /* an empty conf.d is fine */
    if (r != 0) {
        fail(ctx, line,
             "include = \"%s\": cannot list the files (%s); expected a readable "
             "directory",
             pattern, r == GLOB_NOSPACE ? "out of memory" : "read error");
        globfree(&g);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        if (strcmp(g.gl_pathv[i], ctx->path) == 0) {
            fail(ctx, line, "include = \"%s\" matches this file itself", pattern);
            rc = -1;
            break;
        }
        rc = include_one(ctx, g.gl_pathv[i], c, cap);
    }
    globfree(&g);
    return rc;
}

static struct cfg *build(struct load_ctx *ctx)
{
    cfg_t *root = ctx->root;
    struct cfg *c = calloc(1, sizeof *c);

    if (!c || !(c->path = strdup(ctx->path))) {
        fail(ctx, 0, "out of memory");
        goto fail;
    }
    c->timeout_ms = seconds_to_ms(cfg_getfloat(root, "timeout"));
    c->retries = (uint32_t)cfg_getint(root, "retries");
    c->session_timeout_ms = seconds_to_ms(cfg_getfloat(root, "session-timeout"));
    c->idle_reopen_ms = seconds_to_ms(cfg_getfloat(root, "idle-reopen"));
    c->max_in_flight = (uint32_t)cfg_getint(root, "max-in-flight");
    c->sockets = (uint32_t)cfg_getint(root, "sockets");
    c->sel_entries = (uint32_t)cfg_getint(root, "sel-entries");
    c->fru_interval_s = (uint32_t)cfg_getint(root, "fru-interval");
    c->sensor_interval_s = (uint32_t)cfg_getint(root, "sensor-interval");
    c->sel_interval_s = (uint32_t)cfg_getint(root, "sel-interval");
    c->sdr_check_interval_s = (uint32_t)cfg_getint(root, "sdr-check-interval");
    c->info_interval_s = (uint32_t)cfg_getint(root, "info-interval");
    c->max_logins = (uint32_t)cfg_getint(root, "max-logins");
    c->max_sdr_reads = (uint32_t)cfg_getint(root, "max-sdr-reads");
    c->socket_buffer = (uint32_t)cfg_getint(root, "socket-buffer");
    c->auth_retry_s = (uint32_t)cfg_getint(root, "auth-retry-interval");
    c->unreachable_max_s = (uint32_t)cfg_getint(root, "unreachable-max-backoff");
    c->reboot_grace_s = (uint32_t)cfg_getint(root, "reboot-grace");
    c->status_interval_s = (uint32_t)cfg_getint(root, "status-interval");
    c->worker_threads = (uint32_t)cfg_getint(root, "worker-threads");
    c->log = strcmp(cfg_getstr(root, "log"), "syslog") == 0 ? CFG_LOG_SYSLOG : CFG_LOG_STDERR;
    copy_str(c->user, sizeof c->user, cfg_getstr(root, "user"));
    copy_str(c->agentx_socket, sizeof c->agentx_socket, cfg_getstr(root, "agentx-socket"));
    copy_str(c->pet_listen, sizeof c->pet_listen, cfg_getstr(root, "pet-listen"));
    copy_str(c->pet_community, sizeof c->pet_community, cfg_getstr(root, "pet-community"));
    {
        const char *ack = cfg_getstr(root, "pet-acknowledge");
        c->pet_ack = strcmp(ack, "off") == 0           ? CFG_PET_ACK_OFF
                     : strcmp(ack, "sessionless") == 0 ? CFG_PET_ACK_SESSIONLESS
                                                       : CFG_PET_ACK_SESSION;
    }
    c->pet_dedupe_window_s = (uint32_t)cfg_getint(root, "pet-dedupe-window");
    c->notify_platform_event = cfg_getbool(root, "notify-platform-event") == cfg_true;
    c->notify_sensor_status = cfg_getbool(root, "notify-sensor-status") == cfg_true;
    c->notify_bmc_state = cfg_getbool(root, "notify-bmc-state") == cfg_true;
    c->standard_mibs = cfg_getbool(root, "standard-mibs") == cfg_true;
    c->notify_rate_per_bmc = (uint32_t)cfg_getint(root, "notify-rate-per-bmc");
    c->notify_rate_global = (uint32_t)cfg_getint(root, "notify-rate-global");
    c->notify_rate_interval_s = (uint32_t)cfg_getint(root, "notify-rate-interval");
    c->shard_k = c->shard_n = 1;
    if (cfg_getstr(root, "shard") &&
        parse_shard(cfg_getstr(root, "shard"), &c->shard_k, &c->shard_n) < 0) {
        c->shard_k = c->shard_n = 1; /* checked while parsing */
    }
    const char *sf = cfg_getstr(root, "status-file");
    if (sf && sf[0] && path_join(ctx->dir, sf, c->status_file, sizeof c->status_file) < 0) {
        fail(ctx, line_or(ctx->global.line[K_STATUS_FILE], 1),
             "status-file is too long once joined to the directory %s", ctx->dir);
        goto fail;
    }
    if (path_join(ctx->dir, cfg_getstr(root, "state-dir"), c->state_dir, sizeof c->state_dir) < 0) {
        fail(ctx, line_or(ctx->global.line[K_STATE_DIR], 1),
             "state-dir is too long once joined to the directory %s", ctx->dir);
        goto fail;
    }

    if (c->session_timeout_ms < c->timeout_ms) {
        int line =
            line_or(ctx->global.line[K_SESSION_TIMEOUT], line_or(ctx->global.line[K_TIMEOUT], 1));
        fail(ctx, line,
             "session-timeout (%g s) is shorter than timeout (%g s); expected session-timeout "
             "to be at least timeout",
             cfg_getfloat(root, "session-timeout"), cfg_getfloat(root, "timeout"));
        goto fail;
    }
    const char *dir = cfg_getstr(root, "sdr-cache-dir");
    if (path_join(ctx->dir, dir, c->sdr_cache_dir, sizeof c->sdr_cache_dir) < 0) {
        fail(ctx, line_or(ctx->global.line[K_SDR_CACHE_DIR], 1),
             "sdr-cache-dir is too long once joined to the directory %s; expected at most %zu "
             "bytes",
             ctx->dir, sizeof c->sdr_cache_dir - 1);
        goto fail;
    }

    unsigned n = cfg_size(root, "bmc"), ng = cfg_size(root, "bmc-group");
    const char *inc = cfg_getstr(root, "include");
    /* with include, the BMCs may all live in the included files (checked below) */
    if (n == 0 && ng == 0 && !(inc && inc[0])) {
        fail(ctx, 1,
             "no bmc section; expected at least one bmc \"NAME\" { address = ... } or "
             "bmc-group \"NAME\" { addresses = ... } section");
        goto fail;
    }
    if (n != ctx->nbmc || ng != ctx->ngrp) {
        fail(ctx, 0, "internal error: %u bmc sections but %zu line records", n, ctx->nbmc);
        goto fail;
    }
    size_t cap = n ? n : 1;
    c->bmcs = calloc(cap, sizeof *c->bmcs);
    if (!c->bmcs) {
        fail(ctx, 0, "out of memory for %u bmc sections", n);
        goto fail;
    }
    c->nbmcs = n;
    cfg_t *defs = cfg_getsec(root, "defaults");
    for (unsigned i = 0; i < n; i++) {
        cfg_t *sec = cfg_getnsec(root, "bmc", i);
        if (ctx->bmc[i].sec != sec) {
            fail(ctx, 0, "internal error: bmc section %u has no line record", i);
            goto fail;
        }
        if (build_bmc(ctx, sec, &ctx->bmc[i], defs, c->path, &c->bmcs[i]) < 0)
            goto fail;
    }
    for (unsigned i = 0; i < ng; i++) {
        cfg_t *sec = cfg_getnsec(root, "bmc-group", i);
        if (ctx->grp[i].sec != sec) {
            fail(ctx, 0, "internal error: bmc-group section %u has no line record", i);
            goto fail;
        }
        if (expand_group(ctx, sec, &ctx->grp[i], defs, c, &cap, c->path) < 0)
            goto fail;
    }
    if (inc && inc[0] && include_glob(ctx, inc, c, &cap) < 0)
        goto fail;
    if (c->nbmcs == 0) {
        fail(ctx, line_or(ctx->global.line[K_INCLUDE], 1),
             "no bmc section here nor in the files include = \"%s\" matches; expected at "
             "least one bmc \"NAME\" { address = ... } or bmc-group \"NAME\" { addresses = "
             "... } section",
             inc);
        goto fail;
    }
    if (check_unique_names(ctx, c) < 0 || check_unique_endpoints(ctx, c) < 0)
        goto fail;
    return c;

fail:
    cfg_unload(c);
    return NULL;
}

static cfg_t *confuse_new(void)
{
    /* Host keys carry no libconfuse default: "not written" is how inheritance is seen. */
/* the keys a bmc section and the defaults section share */
#define HOST_OPTS                                                                                  \
    CFG_INT_CB("port", 0, CFGF_NODEFAULT, parse_int), CFG_STR("username", NULL, CFGF_NODEFAULT),   \
        CFG_STR("password-file", NULL, CFGF_NODEFAULT), CFG_STR("kg-file", NULL, CFGF_NODEFAULT),  \
        CFG_INT_LIST_CB("cipher-suites", NULL, CFGF_NODEFAULT, parse_int),                         \
        CFG_STR("privilege", NULL, CFGF_NODEFAULT),                                                \
        CFG_BOOL("allow-cipher-zero", cfg_false, CFGF_NODEFAULT),                                  \
        CFG_BOOL("allow-cipher-one", cfg_false, CFGF_NODEFAULT),                                   \
        CFG_BOOL("allow-control", cfg_false, CFGF_NODEFAULT),                                      \
        CFG_INT_CB("sensor-interval", 0, CFGF_NODEFAULT, parse_int),                               \
        CFG_INT_CB("sel-interval", 0, CFGF_NODEFAULT, parse_int),                                  \
        CFG_INT_CB("info-interval", 0, CFGF_NODEFAULT, parse_int),                                 \
        CFG_INT_CB("sdr-check-interval", 0, CFGF_NODEFAULT, parse_int),                            \
        CFG_INT_CB("fru-interval", 0, CFGF_NODEFAULT, parse_int),                                  \
        CFG_INT_CB("max-in-flight", 0, CFGF_NODEFAULT, parse_int)
    cfg_opt_t defaults_opts[] = {HOST_OPTS, CFG_END()};
    cfg_opt_t bmc_opts[] = {CFG_STR("address", NULL, CFGF_NODEFAULT),
                            CFG_INT_CB("index", 0, CFGF_NODEFAULT, parse_int), HOST_OPTS,
                            CFG_END()};
    cfg_opt_t group_opts[] = {CFG_STR("addresses", NULL, CFGF_NODEFAULT),
                              CFG_STR("name-format", NULL, CFGF_NODEFAULT), HOST_OPTS, CFG_END()};
#undef HOST_OPTS
    cfg_opt_t opts[] = {
        CFG_FLOAT_CB("timeout", 1.0, CFGF_NONE, parse_float),
        CFG_INT_CB("retries", 3, CFGF_NONE, parse_int),
        CFG_FLOAT_CB("session-timeout", 10.0, CFGF_NONE, parse_float),
        CFG_FLOAT_CB("idle-reopen", 50.0, CFGF_NONE, parse_float),
        CFG_INT_CB("max-in-flight", 1, CFGF_NONE, parse_int),
        CFG_INT_CB("sockets", 4, CFGF_NONE, parse_int),
        CFG_INT_CB("sel-entries", 256, CFGF_NONE, parse_int),
        CFG_INT_CB("fru-interval", 86400, CFGF_NONE, parse_int),
        CFG_STR("sdr-cache-dir", DEFAULT_SDR_CACHE_DIR, CFGF_NONE),
        CFG_INT_CB("sensor-interval", 30, CFGF_NONE, parse_int),
        CFG_INT_CB("sel-interval", 60, CFGF_NONE, parse_int),
        CFG_INT_CB("sdr-check-interval", 3600, CFGF_NONE, parse_int),
        CFG_INT_CB("info-interval", 300, CFGF_NONE, parse_int),
        CFG_INT_CB("max-logins", 64, CFGF_NONE, parse_int),
        CFG_INT_CB("max-sdr-reads", 32, CFGF_NONE, parse_int),
        CFG_INT_CB("socket-buffer", 4 << 20, CFGF_NONE, parse_int),
        CFG_INT_CB("auth-retry-interval", 600, CFGF_NONE, parse_int),
        CFG_INT_CB("unreachable-max-backoff", 300, CFGF_NONE, parse_int),
        CFG_INT_CB("reboot-grace", 600, CFGF_NONE, parse_int),
        CFG_STR("state-dir", DEFAULT_STATE_DIR, CFGF_NONE),
        CFG_STR("log", "stderr", CFGF_NONE),
        CFG_STR("user", "", CFGF_NONE),
        CFG_STR("agentx-socket", "", CFGF_NONE),
        CFG_STR("pet-listen", "", CFGF_NONE),
        CFG_STR("pet-community", "", CFGF_NONE),
        CFG_STR("pet-acknowledge", "session", CFGF_NONE),
        CFG_INT_CB("pet-dedupe-window", 300, CFGF_NONE, parse_int),
        CFG_BOOL("notify-platform-event", cfg_true, CFGF_NONE),
        CFG_BOOL("notify-sensor-status", cfg_true, CFGF_NONE),
        CFG_BOOL("notify-bmc-state", cfg_true, CFGF_NONE),
        CFG_BOOL("standard-mibs", cfg_false, CFGF_NONE),
        CFG_INT_CB("notify-rate-per-bmc", 60, CFGF_NONE, parse_int),
        CFG_INT_CB("notify-rate-global", 1000, CFGF_NONE, parse_int),
        CFG_INT_CB("notify-rate-interval", 10, CFGF_NONE, parse_int),
        CFG_STR("status-file", "", CFGF_NONE),
        CFG_INT_CB("status-interval", 10, CFGF_NONE, parse_int),
        CFG_STR("shard", "1/1", CFGF_NONE),
        CFG_INT_CB("worker-threads", 0, CFGF_NONE, parse_int),
        CFG_STR("include", "", CFGF_NONE),
        CFG_SEC("defaults", defaults_opts, CFGF_NONE),
        CFG_SEC("bmc", bmc_opts, CFGF_TITLE | CFGF_MULTI | CFGF_NO_TITLE_DUPES),
        CFG_SEC("bmc-group", group_opts, CFGF_TITLE | CFGF_MULTI | CFGF_NO_TITLE_DUPES),
        CFG_END(),
    };
    cfg_t *root = cfg_init(opts, CFGF_NONE); /* copies the tables */

    if (!root)
        return NULL;
    cfg_set_error_function(root, confuse_error);
    for (int k = 0; k < K_COUNT; k++) {
        for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++) {
            char name[64];
            if (!(keys[k].where & scopes[s].where))
                continue;
            snprintf(name, sizeof name, "%s%s", scopes[s].prefix, keys[k].name);
            cfg_set_validate_func(root, name, check_option);
        }
    }
    cfg_set_validate_func(root, "defaults", check_defaults_section);
    cfg_set_validate_func(root, "bmc", check_bmc_section);
    cfg_set_validate_func(root, "bmc-group", check_bmc_section);
    return root;
}

struct cfg *cfg_load(const char *path, char *errbuf, size_t errlen)
{
    struct load_ctx ctx = {.path = path, .err = errbuf, .errlen = errlen};
    struct cfg *out = NULL;
    char *text = NULL;
    size_t len = 0;

    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!path || !*path) {
        ctx.path = "(none)";
        fail(&ctx, 0, "no configuration file named; expected a path");
        return NULL;
    }
    if (read_text(&ctx, &text, &len) < 0 || strip_comments(&ctx, text, len) < 0)
        goto done;
    ctx.dir = dir_of(path);
    if (!ctx.dir) {
        fail(&ctx, 0, "out of memory");
        goto done;
    }
    load_cur = &ctx;
    ctx.root = confuse_new();
    if (!ctx.root) {
        fail(&ctx, 0, "out of memory setting up the parser");
        goto done;
    }
    if (cfg_parse_buf(ctx.root, text) != CFG_SUCCESS) {
        fail(&ctx, ctx.root->line,
             "cannot parse the file; expected the syntax of "
             "ipmi-snmp-bridge.conf(5)");
        goto done;
    }
    out = build(&ctx);
done:
    load_cur = NULL;
    if (ctx.root)
        cfg_free(ctx.root); /* libconfuse's */
    free(ctx.bmc);
    free(ctx.grp);
    free(ctx.dir);
    free(text);
    return out;
}

void cfg_unload(struct cfg *cfg)
{
    if (!cfg)
        return;
    if (cfg->bmcs) {
        OPENSSL_cleanse(cfg->bmcs, cfg->nbmcs * sizeof *cfg->bmcs);
        free(cfg->bmcs);
    }
    for (size_t i = 0; i < cfg->nfiles; i++)
        free(cfg->files[i]);
    free(cfg->files);
    free(cfg->path);
    free(cfg);
}

bool cfg_bmc_equal(const struct cfg_bmc *a, const struct cfg_bmc *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->address, b->address) == 0 &&
           a->port == b->port && strcmp(a->username, b->username) == 0 &&
           a->password_len == b->password_len &&
           CRYPTO_memcmp(a->password, b->password, sizeof a->password) == 0 &&
           a->kg_len == b->kg_len && CRYPTO_memcmp(a->kg, b->kg, sizeof a->kg) == 0 &&
           a->nsuites == b->nsuites && memcmp(a->suites, b->suites, sizeof a->suites) == 0 &&
           a->allow_suite0 == b->allow_suite0 && a->allow_suite1 == b->allow_suite1 &&
           a->allow_control == b->allow_control && a->privilege == b->privilege &&
           a->index == b->index && a->sensor_interval_s == b->sensor_interval_s &&
           a->sel_interval_s == b->sel_interval_s &&
           a->sdr_check_interval_s == b->sdr_check_interval_s &&
           a->fru_interval_s == b->fru_interval_s && a->info_interval_s == b->info_interval_s &&
           a->max_in_flight == b->max_in_flight;
}

uint8_t cfg_privilege_from_name(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < NPRIVILEGES; i++)
        if (privilege_names[i] && strcasecmp(name, privilege_names[i]) == 0)
            return (uint8_t)i;
    return 0;
}

const char *cfg_privilege_name(uint8_t priv)
{
    if (priv < NPRIVILEGES && privilege_names[priv])
        return privilege_names[priv];
    return "unknown";
}
