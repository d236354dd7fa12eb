/*
 * sim_profile.c - the simulator's profile: a line-based text file (format in
 * tests/bmcsim/README.md, "Profiles") parsed into one immutable struct that
 * every simulated BMC shares, with its SDR repository and FRU images encoded
 * once at load time.
 *
 * Everything numeric from the IPMI spec lives in `static const` tables
 * indexed by the IPMI value: sensor types (IPMI 2.0 Table 42-3), generic
 * event/reading types (Table 42-2), units (Table 43-15), entity IDs
 * (Table 43-13).  A profile may use either the table's name or the number.
 */
#include "ipmi_tables.h"
#include "sim_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- IPMI value tables ------------------------------------------------- */

/* Sensor types (IPMI 2.0 Table 42-3) with the offsets their sensor-specific
 * (6Fh) event/reading type defines, as the default discrete mask. */
struct sensor_type_def {
    const char *name;
    uint16_t mask6f;
};

static const struct sensor_type_def sensor_types[] = {
    [0x00] = {"reserved", 0},
    [0x01] = {"temperature", 0},
    [0x02] = {"voltage", 0},
    [0x03] = {"current", 0},
    [0x04] = {"fan", 0},
    [0x05] = {"physical_security", 0x007F},
    [0x06] = {"platform_security", 0x003F},
    [0x07] = {"processor", 0x1FFF},
    [0x08] = {"power_supply", 0x007F},
    [0x09] = {"power_unit", 0x00FF},
    [0x0A] = {"cooling_device", 0},
    [0x0B] = {"other_units", 0},
    [0x0C] = {"memory", 0x07FF},
    [0x0D] = {"drive_slot", 0x01FF},
    [0x0E] = {"post_memory_resize", 0},
    [0x0F] = {"system_firmware_progress", 0x0007},
    [0x10] = {"event_logging_disabled", 0x003F},
    [0x11] = {"watchdog1", 0x00FF},
    [0x12] = {"system_event", 0x003F},
    [0x13] = {"critical_interrupt", 0x0FFF},
    [0x14] = {"button_switch", 0x001F},
    [0x15] = {"module_board", 0},
    [0x16] = {"microcontroller", 0},
    [0x17] = {"add_in_card", 0},
    [0x18] = {"chassis", 0},
    [0x19] = {"chip_set", 0x0003},
    [0x1A] = {"other_fru", 0},
    [0x1B] = {"cable_interconnect", 0x0003},
    [0x1C] = {"terminator", 0},
    [0x1D] = {"system_boot", 0x00FF},
    [0x1E] = {"boot_error", 0x001F},
    [0x1F] = {"os_boot", 0x007F},
    [0x20] = {"os_critical_stop", 0x003F},
    [0x21] = {"slot_connector", 0x03FF},
    [0x22] = {"system_acpi_power_state", 0x7FFF},
    [0x23] = {"watchdog2", 0x010F},
    [0x24] = {"platform_alert", 0x000F},
    [0x25] = {"entity_presence", 0x0007},
    [0x26] = {"monitor_asic", 0},
    [0x27] = {"lan", 0x0003},
    [0x28] = {"management_subsystem_health", 0x003F},
    [0x29] = {"battery", 0x0007},
    [0x2A] = {"session_audit", 0x0003},
    [0x2B] = {"version_change", 0x00FF},
    [0x2C] = {"fru_state", 0x00FF},
};
#define N_SENSOR_TYPES (sizeof(sensor_types) / sizeof(sensor_types[0]))

/* Offsets of the generic discrete event/reading types (IPMI 2.0 Table 42-2). */
static const uint16_t generic_masks[] = {
    [0x02] = 0x0007, /* DMI usage state */
    [0x03] = 0x0003, /* digital: state deasserted / asserted */
    [0x04] = 0x0003, /* predictive failure */
    [0x05] = 0x0003, /* limit */
    [0x06] = 0x0003, /* performance */
    [0x07] = 0x01FF, /* severity */
    [0x08] = 0x0003, /* device removed / inserted */
    [0x09] = 0x0003, /* device disabled / enabled */
    [0x0A] = 0x01FF, /* availability */
    [0x0B] = 0x00FF, /* redundancy */
    [0x0C] = 0x000F, /* ACPI device power state */
};
#define N_GENERIC (sizeof(generic_masks) / sizeof(generic_masks[0]))

/*
 * Profile keywords for units and entities are the project's own IPMI names
 * (src/ipmi_tables.c) written in lower case with '_' for blanks and
 * punctuation: "degrees_c", "volts", "power_supply".  A few shorter words
 * the profiles use are aliases; they are looked up first.
 */
struct alias {
    const char *name;
    uint8_t value;
};
static const struct alias entity_aliases[] = {
    {"disk", 0x04},
    {"fan", 0x1D},
    {"peripheral_bay_2", 0x1B},
    {"system_firmware", 0x22},
    {"io_module", 0x2C},
    {"scsi_bus", 0x32},
    {"front_side_bus", 0x34},
    {"real_time_clock", 0x35},
    {"air_inlet_b", 0x37},
    {"air_inlet", 0x40},
    {"dcmi_processor", 0x41},
    {"baseboard", 0x42},
    {NULL, 0},
};
static const struct alias unit_aliases[] = {
    {"color_temp_k", 65},
    {"overrun", 82},
    {NULL, 0},
};

/* Event offset of each threshold's "going low" (lower) or "going high"
 * (upper) event, the ones we generate (IPMI 2.0 Table 42-2, type 01h). */
static const uint8_t thr_offset[SIM_NTHR] = {
    [SIM_LNC] = 0x00, [SIM_LC] = 0x02, [SIM_LNR] = 0x04,
    [SIM_UNC] = 0x07, [SIM_UC] = 0x09, [SIM_UNR] = 0x0B,
};
static const char *const thr_keys[SIM_NTHR] = {"lnc", "lc", "lnr", "unc", "uc", "unr"};

/* ---- conversions ------------------------------------------------------- */

static double pow10i(int e)
{
    double r = 1.0;
    for (int i = 0; i < (e < 0 ? -e : e); i++)
        r *= 10.0;
    return e < 0 ? 1.0 / r : r;
}

int sim_raw_signed(const struct sim_sensor *s, uint8_t raw)
{
    switch (s->fmt) {
    case 1: /* 1's complement */
        return (raw & 0x80) ? -(int)(~raw & 0x7F) : raw;
    case 2:
        return (int8_t)raw;
    default:
        return raw;
    }
}

double sim_raw_to_value(const struct sim_sensor *s, uint8_t raw)
{
    double x = sim_raw_signed(s, raw);
    return ((double)s->m * x + (double)s->b * pow10i(s->bexp)) * pow10i(s->rexp);
}

int sim_value_to_raw(const struct sim_sensor *s, double v, uint8_t *raw)
{
    if (s->m == 0 || !isfinite(v))
        return -1;
    /* divide or multiply by the exact power so 12.0 / 10^-2 stays 1200 */
    double y = s->rexp < 0 ? v * pow10i(-s->rexp) : v / pow10i(s->rexp);
    double x = (y - (double)s->b * pow10i(s->bexp)) / (double)s->m;
    long r = lround(x);
    long lo = s->fmt == 0 ? 0 : (s->fmt == 1 ? -127 : -128);
    long hi = s->fmt == 0 ? 255 : 127;
    if (r < lo || r > hi)
        return -1;
    if (s->fmt == 1 && r < 0)
        *raw = (uint8_t)(~(uint8_t)(-r) | 0x80);
    else
        *raw = (uint8_t)r;
    return 0;
}

void sim_sensor_name(const struct sim_sensor *s, char *buf, size_t len)
{
    if (s->share_count <= 1) {
        snprintf(buf, len, "%s", s->id);
        return;
    }
    unsigned n = (unsigned)s->mod_offset + s->share_index;
    if (s->mod_type == 0) {
        snprintf(buf, len, "%s%u", s->id, n);
    } else {
        /* alpha modifier: A..Z, then BA, BB... (base 26) */
        char suf[4];
        suf[0] = (char)('A' + (n / 26) % 26);
        suf[1] = (char)('A' + n % 26);
        suf[2] = '\0';
        snprintf(buf, len, "%s%s", s->id, n < 26 ? suf + 1 : suf);
    }
}

/* ---- tokenizer ----------------------------------------------------------- */

#define MAX_TOKENS 48
#define TOK_VAL    128

struct tok {
    char key[32];      /* "" for a positional token */
    char val[TOK_VAL]; /* value (or the positional word / string) */
    bool has_val;
    bool quoted; /* a positional "STRING" (never a flag) */
    bool used;
};

struct parser {
    const char *file;
    unsigned line;
    char *err;
    size_t errlen;
    struct sim_profile *p;
    bool have_device;
};

static int perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ps->err && ps->errlen)
        snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->file, ps->line, msg);
    return -1;
}

/* Read a quoted string starting at *pp (on the quote) into out. */
static int lex_quoted(struct parser *ps, const char **pp, char *out, size_t cap)
{
    const char *q = *pp + 1;
    size_t n = 0;
    for (;;) {
        char c = *q;
        if (c == '\0' || c == '\n')
            return perr(ps, "unterminated string");
        q++;
        if (c == '"')
            break;
        bool escaped_byte = false;
        if (c == '\\') {
            c = *q;
            if (c == 'x' && isxdigit((unsigned char)q[1]) && isxdigit((unsigned char)q[2])) {
                /* \xHH: any byte but NUL, so that a profile can give a BMC the
                 * bytes real firmware sends (Latin-1, control characters) */
                char hex[3] = {q[1], q[2], '\0'};
                c = (char)strtoul(hex, NULL, 16);
                if (c == '\0')
                    return perr(ps, "\\x00 in a string");
                q += 3;
                escaped_byte = true;
            } else if (c != '"' && c != '\\') {
                return perr(ps, "bad escape '\\%c' (only \\\", \\\\ and \\xHH)", c ? c : ' ');
            } else {
                q++;
            }
        }
        if ((unsigned char)c < 0x20 && !escaped_byte)
            return perr(ps, "control character in string");
        if (n + 1 >= cap)
            return perr(ps, "string longer than %zu bytes", cap - 1);
        out[n++] = c;
    }
    out[n] = '\0';
    *pp = q;
    return 0;
}

static int lex_word(struct parser *ps, const char **pp, char *out, size_t cap, bool stop_at_eq)
{
    const char *q = *pp;
    size_t n = 0;
    while (*q && !isspace((unsigned char)*q) && *q != '#' && !(stop_at_eq && *q == '=')) {
        if (*q == '"')
            return perr(ps, "unexpected '\"' inside a word");
        if (n + 1 >= cap)
            return perr(ps, "word too long");
        out[n++] = *q++;
    }
    out[n] = '\0';
    *pp = q;
    return 0;
}

/* Split one line into tokens: WORD, "STRING", KEY=WORD, KEY="STRING". */
static int lex_line(struct parser *ps, const char *line, struct tok *t, size_t *nt)
{
    const char *q = line;
    *nt = 0;
    for (;;) {
        while (*q && isspace((unsigned char)*q))
            q++;
        if (*q == '\0' || *q == '#')
            return 0;
        if (*nt == MAX_TOKENS)
            return perr(ps, "too many fields on one line (max %d)", MAX_TOKENS);
        struct tok *k = &t[(*nt)++];
        memset(k, 0, sizeof(*k));
        if (*q == '"') {
            if (lex_quoted(ps, &q, k->val, sizeof(k->val)) < 0)
                return -1;
            k->quoted = true;
        } else {
            if (lex_word(ps, &q, k->key, sizeof(k->key), true) < 0)
                return -1;
            if (*q == '=') {
                q++;
                k->has_val = true;
                if (*q == '"') {
                    if (lex_quoted(ps, &q, k->val, sizeof(k->val)) < 0)
                        return -1;
                } else {
                    if (lex_word(ps, &q, k->val, sizeof(k->val), false) < 0)
                        return -1;
                    if (k->val[0] == '\0')
                        return perr(ps, "'%s=' needs a value", k->key);
                }
            } else {
                /* a bare word: positional, kept in val */
                memcpy(k->val, k->key, sizeof(k->key));
                k->key[0] = '\0';
            }
        }
        if (*q && !isspace((unsigned char)*q) && *q != '#')
            return perr(ps, "missing space after field %zu", *nt);
    }
}

/* ---- value parsers ------------------------------------------------------- */

static int parse_long(struct parser *ps, const char *what, const char *s, long lo, long hi,
                      long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end != '\0')
        return perr(ps, "%s: '%s' is not a number", what, s);
    if (v < lo || v > hi)
        return perr(ps, "%s: %ld is out of range %ld..%ld", what, v, lo, hi);
    *out = v;
    return 0;
}

static int parse_double(struct parser *ps, const char *what, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v))
        return perr(ps, "%s: '%s' is not a number", what, s);
    *out = v;
    return 0;
}

static int parse_bool(struct parser *ps, const char *what, const char *s, bool *out)
{
    if (!strcmp(s, "yes") || !strcmp(s, "1") || !strcmp(s, "true")) {
        *out = true;
        return 0;
    }
    if (!strcmp(s, "no") || !strcmp(s, "0") || !strcmp(s, "false")) {
        *out = false;
        return 0;
    }
    return perr(ps, "%s: '%s' is not yes/no", what, s);
}

/* A name from `names` (case-insensitive) or a number 0..n-1. */
static int parse_named(struct parser *ps, const char *what, const char *s, const char *const *names,
                       size_t stride, size_t n, long *out)
{
    for (size_t i = 0; i < n; i++) {
        const char *nm = *(const char *const *)(const void *)((const char *)names + i * stride);
        if (nm && !strcasecmp(nm, s)) {
            *out = (long)i;
            return 0;
        }
    }
    if (isdigit((unsigned char)s[0]))
        return parse_long(ps, what, s, 0, 255, out);
    return perr(ps, "%s: unknown name '%s'", what, s);
}

/* "Degrees C" -> "degrees_c": lower case, one '_' for each run of other characters. */
static void keyword_of(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    bool sep = false;
    for (; *name && n + 2 < cap; name++) {
        if (isalnum((unsigned char)*name)) {
            if (sep && n)
                out[n++] = '_';
            sep = false;
            out[n++] = (char)tolower((unsigned char)*name);
        } else {
            sep = true;
        }
    }
    out[n] = '\0';
}

static bool keyword_is(const char *kw, const char *name)
{
    char a[TOK_VAL], b[TOK_VAL];
    keyword_of(kw, a, sizeof(a));
    keyword_of(name, b, sizeof(b));
    return a[0] && !strcmp(a, b);
}

static int parse_ipmi_name(struct parser *ps, const char *what, const char *s,
                           const char *(*name_of)(uint8_t), const struct alias *aliases, long *out)
{
    for (const struct alias *a = aliases; a->name; a++) {
        if (!strcasecmp(a->name, s)) {
            *out = a->value;
            return 0;
        }
    }
    for (unsigned i = 0; i < 256; i++) {
        if (keyword_is(s, name_of((uint8_t)i))) {
            *out = (long)i;
            return 0;
        }
    }
    if (isdigit((unsigned char)s[0]))
        return parse_long(ps, what, s, 0, 255, out);
    return perr(ps, "%s: unknown name '%s'", what, s);
}

static int parse_entity(struct parser *ps, const char *s, uint8_t *id, uint8_t *inst)
{
    char buf[TOK_VAL];
    snprintf(buf, sizeof(buf), "%s", s);
    char *dot = strrchr(buf, '.');
    if (!dot)
        return perr(ps, "entity: '%s' is not ID.INSTANCE", s);
    *dot = '\0';
    long e, i;
    if (parse_ipmi_name(ps, "entity", buf, ipmi_entity_name, entity_aliases, &e) < 0)
        return -1;
    if (parse_long(ps, "entity instance", dot + 1, 0, 127, &i) < 0)
        return -1;
    *id = (uint8_t)e;
    *inst = (uint8_t)i;
    return 0;
}

static int parse_idstring(struct parser *ps, const char *what, const char *s, char *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > SIM_ID_MAX)
        return perr(ps, "%s: \"%s\" must be 1..%d characters", what, s, SIM_ID_MAX);
    /* any byte: the lexer lets control and 8-bit bytes in only as \xHH, on purpose */
    memcpy(out, s, n + 1);
    return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

/* "YYYY-MM-DD HH:MM" into minutes since 1996-01-01 00:00 (FRU spec 11, board area). */
static int parse_mfg_date(struct parser *ps, const char *s, uint32_t *minutes)
{
    unsigned y, mo, d, h, mi;
    char sep, tail;
    if (sscanf(s, "%4u-%2u-%2u%c%2u:%2u%c", &y, &mo, &d, &sep, &h, &mi, &tail) != 6 ||
        (sep != ' ' && sep != 'T'))
        return perr(ps, "mfg_date: '%s' is not \"YYYY-MM-DD HH:MM\"", s);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
        return perr(ps, "mfg_date: '%s' is not a valid date", s);
    long days = days_from_civil(y, mo, d) - days_from_civil(1996, 1, 1);
    long m = days * 1440 + (long)h * 60 + mi;
    if (m < 0 || m > 0xFFFFFF)
        return perr(ps, "mfg_date: '%s' is outside 1996-01-01..2027-11-24", s);
    *minutes = (uint32_t)m;
    return 0;
}

static int unused_key(struct parser *ps, struct tok *t, size_t nt, const char *directive)
{
    for (size_t i = 0; i < nt; i++) {
        if (t[i].used)
            continue;
        if (t[i].key[0])
            return perr(ps, "%s: unknown key '%s'", directive, t[i].key);
        return perr(ps, "%s: unexpected \"%s\"", directive, t[i].val);
    }
    return 0;
}

/* Find key=value (marking it used); NULL when absent. */
static struct tok *find(struct tok *t, size_t nt, const char *key)
{
    struct tok *r = NULL;
    for (size_t i = 0; i < nt; i++) {
        if (t[i].key[0] && !strcmp(t[i].key, key)) {
            t[i].used = true;
            r = &t[i]; /* the last one wins */
        }
    }
    return r;
}

static int need_val(struct parser *ps, const struct tok *k)
{
    if (!k->has_val)
        return perr(ps, "'%s' needs a value (%s=...)", k->key, k->key);
    return 0;
}

static int key_long(struct parser *ps, struct tok *t, size_t nt, const char *key, long lo, long hi,
                    long *out)
{
    struct tok *k = find(t, nt, key);
    if (!k)
        return 0;
    if (need_val(ps, k) < 0)
        return -1;
    return parse_long(ps, key, k->val, lo, hi, out);
}

/* A bare word such as `threshold` (marking it used). */
static bool flag(struct tok *t, size_t nt, const char *word)
{
    bool r = false;
    for (size_t i = 0; i < nt; i++) {
        if (!t[i].key[0] && !t[i].quoted && !t[i].used && !strcmp(t[i].val, word)) {
            t[i].used = true;
            r = true;
        }
    }
    return r;
}

/* ---- directives ---------------------------------------------------------- */

static int do_device(struct parser *ps, struct tok *t, size_t nt)
{
    struct sim_profile *p = ps->p;
    long v;
    struct tok *k;

    if (ps->have_device)
        return perr(ps, "device: given twice");
    ps->have_device = true;
    v = p->device_id;
    if (key_long(ps, t, nt, "device_id", 0, 255, &v) < 0)
        return -1;
    p->device_id = (uint8_t)v;
    v = p->device_rev;
    if (key_long(ps, t, nt, "device_rev", 0, 15, &v) < 0)
        return -1;
    p->device_rev = (uint8_t)v;
    v = p->manufacturer_id;
    if (key_long(ps, t, nt, "manufacturer_id", 0, 0xFFFFE, &v) < 0)
        return -1;
    p->manufacturer_id = (uint32_t)v;
    v = p->product_id;
    if (key_long(ps, t, nt, "product_id", 0, 0xFFFF, &v) < 0)
        return -1;
    p->product_id = (uint16_t)v;
    if ((k = find(t, nt, "fw"))) {
        unsigned maj, mi0, mi1;
        char tail;
        if (need_val(ps, k) < 0)
            return -1;
        if (sscanf(k->val, "%u.%1u%1u%c", &maj, &mi0, &mi1, &tail) != 3 || maj > 127)
            return perr(ps, "fw: '%s' is not MAJOR.NN (e.g. 1.23)", k->val);
        p->fw_major = (uint8_t)maj;
        p->fw_minor = (uint8_t)(mi0 << 4 | mi1); /* BCD, IPMI 2.0 section 20.1 */
    }
    if ((k = find(t, nt, "aux"))) {
        char *end;
        if (need_val(ps, k) < 0)
            return -1;
        errno = 0;
        unsigned long a = strtoul(k->val, &end, 0);
        if (errno || *end || end == k->val || a > 0xFFFFFFFFUL)
            return perr(ps, "aux: '%s' is not a 32-bit number", k->val);
        for (int i = 0; i < 4; i++)
            p->aux[i] = (uint8_t)(a >> (24 - 8 * i));
    }
    if ((k = find(t, nt, "name"))) {
        if (need_val(ps, k) < 0 || parse_idstring(ps, "name", k->val, p->mc_name) < 0)
            return -1;
    }
    v = p->fru_max_chunk;
    if (key_long(ps, t, nt, "fru_max_chunk", 8, 200, &v) < 0)
        return -1;
    p->fru_max_chunk = (uint8_t)v;
    v = p->sdr_max_read;
    if (key_long(ps, t, nt, "sdr_max_read", 8, 200, &v) < 0)
        return -1;
    p->sdr_max_read = (uint8_t)v;
    v = p->sel_capacity;
    if (key_long(ps, t, nt, "sel_capacity", 4, SIM_SEL_MAX, &v) < 0)
        return -1;
    p->sel_capacity = (uint16_t)v;
    v = p->sel_epoch;
    if (key_long(ps, t, nt, "sel_epoch", 0x20000000L, 0x7FFFFFFFL, &v) < 0)
        return -1;
    p->sel_epoch = (uint32_t)v;
    if ((k = find(t, nt, "sel_prefill"))) {
        if (need_val(ps, k) < 0 || parse_bool(ps, "sel_prefill", k->val, &p->sel_prefill) < 0)
            return -1;
    }
    v = p->sel_history;
    if (key_long(ps, t, nt, "sel_history", 0, SIM_SEL_MAX, &v) < 0)
        return -1;
    p->sel_history = (uint16_t)v;
    return unused_key(ps, t, nt, "device");
}

/* Threshold and nominal values arrive in engineering units; they can only
 * be converted once M, B and the exponents of the line are known. */
static int to_raw(struct parser *ps, const struct sim_sensor *s, const char *key, const char *val,
                  uint8_t *raw)
{
    double v = 0;
    if (parse_double(ps, key, val, &v) < 0)
        return -1;
    if (sim_value_to_raw(s, v, raw) < 0)
        return perr(ps, "%s=%s cannot be represented with m=%d b=%d bexp=%d rexp=%d%s", key, val,
                    s->m, s->b, s->bexp, s->rexp, s->fmt ? "" : " (unsigned)");
    return 0;
}

static int sensor_thresholds(struct parser *ps, struct sim_sensor *s, struct tok *t, size_t nt)
{
    struct tok *k;
    if ((k = find(t, nt, "nominal"))) {
        if (need_val(ps, k) < 0 || to_raw(ps, s, "nominal", k->val, &s->nominal) < 0)
            return -1;
    } else {
        return perr(ps, "sensor: a threshold sensor needs nominal=");
    }
    for (int i = 0; i < SIM_NTHR; i++) {
        if (!(k = find(t, nt, thr_keys[i])))
            continue;
        if (need_val(ps, k) < 0 || to_raw(ps, s, thr_keys[i], k->val, &s->thr[i]) < 0)
            return -1;
        s->thr_mask |= (uint8_t)(1u << i);
    }
    /* lnr <= lc <= lnc < unc <= uc <= unr, over those that exist */
    int prev = -100000;
    const char *prev_key = NULL;
    static const int order[SIM_NTHR] = {SIM_LNR, SIM_LC, SIM_LNC, SIM_UNC, SIM_UC, SIM_UNR};
    for (int j = 0; j < SIM_NTHR; j++) {
        int i = order[j];
        if (!(s->thr_mask & (1u << i)))
            continue;
        int v = sim_raw_signed(s, s->thr[i]);
        bool strict =
            i == SIM_UNC || i == SIM_UC || i == SIM_UNR ? prev_key && prev_key[0] == 'l' : false;
        if (v < prev || (strict && v == prev))
            return perr(ps,
                        "sensor: thresholds out of order: %s after %s (want "
                        "lnr <= lc <= lnc < unc <= uc <= unr)",
                        thr_keys[i], prev_key);
        prev = v;
        prev_key = thr_keys[i];
    }
    return 0;
}

static int sensor_add(struct parser *ps, const struct sim_sensor *proto)
{
    struct sim_profile *p = ps->p;
    unsigned n = proto->share_count ? proto->share_count : 1;
    if (proto->number + n - 1 > 0xFE)
        return perr(ps, "sensor: numbers %u..%u go past FEh", proto->number, proto->number + n - 1);
    for (unsigned i = 0; i < n; i++) {
        if (p->by_number[proto->number + i] >= 0)
            return perr(ps, "sensor: number %u (0x%02x) is already used", proto->number + i,
                        proto->number + i);
    }
    if (proto->entity_inst + n - 1 > 127)
        return perr(ps, "sensor: entity instances %u..%u go past 127", proto->entity_inst,
                    proto->entity_inst + n - 1);
    if (p->nsensors + n > SIM_MAX_SENSORS)
        return perr(ps, "sensor: more than %d sensors", SIM_MAX_SENSORS);
    for (unsigned i = 0; i < n; i++) {
        struct sim_sensor *s = &p->sensors[p->nsensors];
        *s = *proto;
        s->number = (uint8_t)(proto->number + i);
        s->share_index = (uint8_t)i;
        s->share_count = (uint8_t)n;
        s->entity_inst = (uint8_t)(proto->entity_inst + i); /* instance increments */
        p->by_number[s->number] = (int16_t)p->nsensors;
        p->nsensors++;
    }
    return 0;
}

static int do_sensor(struct parser *ps, struct tok *t, size_t nt)
{
    struct sim_sensor s;
    struct tok *k;
    long v;

    memset(&s, 0, sizeof(s));
    s.m = 1;
    if (nt < 3 || t[1].key[0] || t[2].key[0])
        return perr(ps, "sensor: expected 'sensor NUMBER \"NAME\" key=value...'");
    t[1].used = t[2].used = true;
    if (parse_long(ps, "sensor number", t[1].val, 0, 0xFE, &v) < 0)
        return -1;
    s.number = (uint8_t)v;
    if (parse_idstring(ps, "sensor name", t[2].val, s.id) < 0)
        return -1;

    if (!(k = find(t, nt, "type")) || need_val(ps, k) < 0)
        return k ? -1 : perr(ps, "sensor: type= is required");
    if (parse_named(ps, "type", k->val, &sensor_types[0].name, sizeof(sensor_types[0]),
                    N_SENSOR_TYPES, &v) < 0)
        return -1;
    s.type = (uint8_t)v;

    bool thr = flag(t, nt, "threshold");
    struct tok *disc = find(t, nt, "discrete");
    if (thr == (disc != NULL))
        return perr(ps, "sensor: give exactly one of 'threshold' and 'discrete=CODE'");
    if (thr) {
        s.kind = SIM_THRESHOLD;
        s.evtype = 0x01;
        s.record = 0x01;
    } else {
        if (need_val(ps, disc) < 0 || parse_long(ps, "discrete", disc->val, 0x02, 0x7F, &v) < 0)
            return -1;
        if (v > 0x0C && v != 0x6F && v < 0x70)
            return perr(ps, "discrete: 0x%02lx is reserved (use 02h-0Ch, 6Fh or 70h-7Fh)", v);
        s.kind = SIM_DISCRETE;
        s.evtype = (uint8_t)v;
        s.record = 0x02;
    }
    if ((k = find(t, nt, "record"))) {
        if (need_val(ps, k) < 0)
            return -1;
        if (!strcmp(k->val, "full"))
            s.record = 0x01;
        else if (!strcmp(k->val, "compact"))
            s.record = 0x02;
        else if (!strcmp(k->val, "event_only"))
            s.record = 0x03;
        else
            return perr(ps, "record: '%s' is not full, compact or event_only", k->val);
        if (thr && s.record != 0x01)
            return perr(ps, "record: a threshold sensor needs a full record (43.1)");
    }

    if ((k = find(t, nt, "units"))) {
        if (need_val(ps, k) < 0 ||
            parse_ipmi_name(ps, "units", k->val, ipmi_unit_name, unit_aliases, &v) < 0)
            return -1;
        s.units = (uint8_t)v;
    }
    s.percent = flag(t, nt, "percent");
    if ((k = find(t, nt, "format"))) {
        if (need_val(ps, k) < 0)
            return -1;
        if (!strcmp(k->val, "unsigned"))
            s.fmt = 0;
        else if (!strcmp(k->val, "1s"))
            s.fmt = 1;
        else if (!strcmp(k->val, "2s"))
            s.fmt = 2;
        else
            return perr(ps, "format: '%s' is not unsigned, 1s or 2s", k->val);
    }
    v = 1;
    if (key_long(ps, t, nt, "m", -512, 511, &v) < 0)
        return -1;
    s.m = (int16_t)v;
    v = 0;
    if (key_long(ps, t, nt, "b", -512, 511, &v) < 0)
        return -1;
    s.b = (int16_t)v;
    v = 0;
    if (key_long(ps, t, nt, "bexp", -8, 7, &v) < 0)
        return -1;
    s.bexp = (int8_t)v;
    v = 0;
    if (key_long(ps, t, nt, "rexp", -8, 7, &v) < 0)
        return -1;
    s.rexp = (int8_t)v;
    v = 0;
    if (key_long(ps, t, nt, "drift", 0, 50, &v) < 0)
        return -1;
    s.drift = (uint8_t)v;
    v = 0;
    if (key_long(ps, t, nt, "period", 2, 65535, &v) < 0)
        return -1;
    s.period = (uint16_t)v;
    v = 0;
    if (key_long(ps, t, nt, "hyst", 0, 255, &v) < 0)
        return -1;
    s.hyst_pos = s.hyst_neg = (uint8_t)v;
    if ((k = find(t, nt, "entity"))) {
        if (need_val(ps, k) < 0 || parse_entity(ps, k->val, &s.entity_id, &s.entity_inst) < 0)
            return -1;
    } else {
        return perr(ps, "sensor: entity=ID.INSTANCE is required");
    }
    s.unavailable = flag(t, nt, "unavailable");

    if (thr) {
        if (s.m == 0)
            return perr(ps, "sensor: m=0 makes every reading the same");
        if (sensor_thresholds(ps, &s, t, nt) < 0)
            return -1;
        if (find(t, nt, "states") || find(t, nt, "mask") || find(t, nt, "share"))
            return perr(ps, "sensor: states=, mask= and share= are for discrete sensors");
    } else {
        uint16_t def = 0;
        if (s.evtype == 0x6F && s.type < N_SENSOR_TYPES)
            def = sensor_types[s.type].mask6f;
        else if (s.evtype < N_GENERIC)
            def = generic_masks[s.evtype];
        v = def;
        if (key_long(ps, t, nt, "mask", 0, 0x7FFF, &v) < 0)
            return -1;
        if (v == 0)
            return perr(ps, "sensor: no offsets known for this type, give mask=");
        s.mask = (uint16_t)v;
        v = 0;
        if (key_long(ps, t, nt, "states", 0, 0x7FFF, &v) < 0)
            return -1;
        if ((uint16_t)v & ~s.mask)
            return perr(ps, "states: 0x%04lx has bits outside mask 0x%04x", v, s.mask);
        s.states = (uint16_t)v;
        v = 1;
        if (key_long(ps, t, nt, "share", 1, 15, &v) < 0)
            return -1;
        s.share_count = (uint8_t)v;
        if (s.share_count > 1 && s.record == 0x01)
            return perr(ps, "share: full records cannot be shared (43.1); use record=compact");
        if ((k = find(t, nt, "modifier"))) {
            if (need_val(ps, k) < 0)
                return -1;
            if (!strcmp(k->val, "numeric"))
                s.mod_type = 0;
            else if (!strcmp(k->val, "alpha"))
                s.mod_type = 1;
            else
                return perr(ps, "modifier: '%s' is not numeric or alpha", k->val);
        }
        v = s.mod_type == 0 ? 1 : 0;
        if (key_long(ps, t, nt, "modifier_offset", 0, 127, &v) < 0)
            return -1;
        s.mod_offset = (uint8_t)v;
        if (find(t, nt, "nominal") || find(t, nt, "lnr") || find(t, nt, "lc") ||
            find(t, nt, "lnc") || find(t, nt, "unc") || find(t, nt, "uc") || find(t, nt, "unr"))
            return perr(ps, "sensor: nominal and thresholds are for threshold sensors");
        if (s.drift)
            return perr(ps, "sensor: drift= is for threshold sensors");
    }
    if (unused_key(ps, t, nt, "sensor") < 0)
        return -1;
    return sensor_add(ps, &s);
}

/* ---- FRU --------------------------------------------------------------- */

static struct sim_fru *fru_find(struct sim_profile *p, unsigned id)
{
    for (unsigned i = 0; i < p->nfru; i++)
        if (p->fru[i].id == id)
            return &p->fru[i];
    return NULL;
}

struct area_buf {
    uint8_t *b;
    size_t n, cap;
};

static int put_byte(struct parser *ps, struct area_buf *a, uint8_t v)
{
    if (a->n >= a->cap)
        return perr(ps, "fru: area longer than %zu bytes", a->cap);
    a->b[a->n++] = v;
    return 0;
}

/* One type/length-coded field, 8-bit ASCII (FRU spec section 13). */
static int put_field(struct parser *ps, struct area_buf *a, const char *key, const char *s)
{
    size_t n = strlen(s);
    if (n > SIM_FRU_FIELD_MAX)
        return perr(ps, "%s: longer than %d bytes", key, SIM_FRU_FIELD_MAX);
    if (n == 1) /* C1h is the end-of-fields marker, not a 1-byte string */
        return perr(ps, "%s: a 1-character field would read as the end marker C1h", key);
    if (put_byte(ps, a, (uint8_t)(0xC0 | n)) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (put_byte(ps, a, (uint8_t)s[i]) < 0)
            return -1;
    return 0;
}

/* C1h, zero pad to a multiple of 8 with room for the checksum, then the
 * checksum; byte 1 gets the length in 8-byte units. */
static int area_close(struct parser *ps, struct area_buf *a)
{
    if (put_byte(ps, a, 0xC1) < 0)
        return -1;
    while ((a->n + 1) % 8)
        if (put_byte(ps, a, 0x00) < 0)
            return -1;
    if (put_byte(ps, a, 0) < 0)
        return -1;
    a->b[1] = (uint8_t)(a->n / 8);
    uint8_t sum = 0;
    for (size_t i = 0; i + 1 < a->n; i++)
        sum = (uint8_t)(sum + a->b[i]);
    a->b[a->n - 1] = (uint8_t)(0x100 - sum);
    return 0;
}

static const char *str_key(struct tok *t, size_t nt, const char *key)
{
    struct tok *k = find(t, nt, key);
    return k ? k->val : "";
}

static int put_customs(struct parser *ps, struct area_buf *a, struct tok *t, size_t nt)
{
    unsigned n = 0;
    for (size_t i = 0; i < nt; i++) {
        if (strcmp(t[i].key, "custom"))
            continue;
        t[i].used = true;
        if (++n > SIM_MAX_CUSTOM)
            return perr(ps, "fru: more than %d custom fields", SIM_MAX_CUSTOM);
        if (put_field(ps, a, "custom", t[i].val) < 0)
            return -1;
    }
    return 0;
}

static int do_fru_area(struct parser *ps, struct sim_fru *f, const char *area, struct tok *t,
                       size_t nt)
{
    int which;
    long v;
    if (!strcmp(area, "chassis"))
        which = 0;
    else if (!strcmp(area, "board"))
        which = 1;
    else if (!strcmp(area, "product"))
        which = 2;
    else
        return perr(ps, "fru: area '%s' is not chassis, board or product", area);
    if (f->area_len[which])
        return perr(ps, "fru %u: %s area given twice", f->id, area);
    struct area_buf a = {f->area[which], 0, sizeof(f->area[which])};
    if (put_byte(ps, &a, 0x01) < 0 || put_byte(ps, &a, 0) < 0) /* version, length */
        return -1;
    if (which == 0) {
        /* Chassis Info Area (FRU spec section 10) */
        v = 0x17; /* SMBIOS "rack mount chassis" */
        if (key_long(ps, t, nt, "type", 1, 0xFF, &v) < 0 || put_byte(ps, &a, (uint8_t)v) < 0)
            return -1;
        if (put_field(ps, &a, "part", str_key(t, nt, "part")) < 0 ||
            put_field(ps, &a, "serial", str_key(t, nt, "serial")) < 0)
            return -1;
    } else if (which == 1) {
        /* Board Info Area (FRU spec section 11) */
        uint32_t mins = 0;
        struct tok *k = find(t, nt, "mfg_date");
        if (k && parse_mfg_date(ps, k->val, &mins) < 0)
            return -1;
        if (put_byte(ps, &a, 0x00) < 0 || /* language: English */
            put_byte(ps, &a, (uint8_t)mins) < 0 || put_byte(ps, &a, (uint8_t)(mins >> 8)) < 0 ||
            put_byte(ps, &a, (uint8_t)(mins >> 16)) < 0)
            return -1;
        if (put_field(ps, &a, "manufacturer", str_key(t, nt, "manufacturer")) < 0 ||
            put_field(ps, &a, "product", str_key(t, nt, "product")) < 0 ||
            put_field(ps, &a, "serial", str_key(t, nt, "serial")) < 0 ||
            put_field(ps, &a, "part", str_key(t, nt, "part")) < 0 ||
            put_field(ps, &a, "file_id", str_key(t, nt, "file_id")) < 0)
            return -1;
    } else {
        /* Product Info Area (FRU spec section 12) */
        if (put_byte(ps, &a, 0x00) < 0)
            return -1;
        if (put_field(ps, &a, "manufacturer", str_key(t, nt, "manufacturer")) < 0 ||
            put_field(ps, &a, "name", str_key(t, nt, "name")) < 0 ||
            put_field(ps, &a, "part", str_key(t, nt, "part")) < 0 ||
            put_field(ps, &a, "version", str_key(t, nt, "version")) < 0 ||
            put_field(ps, &a, "serial", str_key(t, nt, "serial")) < 0 ||
            put_field(ps, &a, "asset", str_key(t, nt, "asset")) < 0 ||
            put_field(ps, &a, "file_id", str_key(t, nt, "file_id")) < 0)
            return -1;
    }
    if (put_customs(ps, &a, t, nt) < 0 || area_close(ps, &a) < 0)
        return -1;
    f->area_len[which] = (uint16_t)a.n;
    return unused_key(ps, t, nt, area);
}

static int do_fru(struct parser *ps, struct tok *t, size_t nt)
{
    struct sim_profile *p = ps->p;
    long id;
    if (nt < 3 || t[1].key[0])
        return perr(ps, "fru: expected 'fru ID \"NAME\" ...' or 'fru ID AREA key=value...'");
    t[1].used = t[2].used = true;
    if (parse_long(ps, "fru id", t[1].val, 0, 254, &id) < 0)
        return -1;
    if (t[2].key[0])
        return perr(ps, "fru: expected a \"NAME\" or an area after the id");

    struct sim_fru *f = fru_find(p, (unsigned)id);
    if (!t[2].quoted) {
        if (!f)
            return perr(ps, "fru %ld: declare it first with 'fru %ld \"NAME\" entity=...'", id, id);
        return do_fru_area(ps, f, t[2].val, t, nt);
    }
    if (f)
        return perr(ps, "fru %ld: declared twice", id);
    if (p->nfru == SIM_MAX_FRUS)
        return perr(ps, "fru: more than %d FRU devices", SIM_MAX_FRUS);
    f = &p->fru[p->nfru];
    memset(f, 0, sizeof(*f));
    f->id = (uint8_t)id;
    if (parse_idstring(ps, "fru name", t[2].val, f->name) < 0)
        return -1;
    struct tok *k = find(t, nt, "entity");
    if (!k)
        return perr(ps, "fru: entity=ID.INSTANCE is required");
    if (need_val(ps, k) < 0 || parse_entity(ps, k->val, &f->entity_id, &f->entity_inst) < 0)
        return -1;
    long size = 0;
    if (key_long(ps, t, nt, "size", 0, SIM_FRU_IMAGE_MAX, &size) < 0)
        return -1;
    f->size = (uint16_t)size;
    if (unused_key(ps, t, nt, "fru") < 0)
        return -1;
    p->nfru++;
    return 0;
}

/* Common header (FRU spec section 8) followed by the areas. */
static int fru_assemble(struct parser *ps, struct sim_fru *f)
{
    size_t off = 8;
    uint8_t *h = f->image;
    memset(h, 0, 8);
    h[0] = 0x01;
    for (int i = 0; i < 3; i++) {
        if (!f->area_len[i])
            continue;
        h[2 + i] = (uint8_t)(off / 8);
        memcpy(f->image + off, f->area[i], f->area_len[i]);
        off += f->area_len[i];
    }
    if (off == 8)
        return perr(ps, "fru %u: no chassis, board or product area", f->id);
    uint8_t sum = 0;
    for (int i = 0; i < 7; i++)
        sum = (uint8_t)(sum + h[i]);
    h[7] = (uint8_t)(0x100 - sum);
    if (f->size && f->size < off)
        return perr(ps, "fru %u: size=%u is smaller than its %zu bytes of areas", f->id, f->size,
                    off);
    if (f->size < off)
        f->size = (uint16_t)off;
    memset(f->image + off, 0, f->size - off);
    return 0;
}

/* ---- SDR encoding (IPMI 2.0 section 43) ---------------------------------- */

static size_t put_id(uint8_t *r, size_t at, const char *id)
{
    size_t n = strlen(id);
    r[at] = (uint8_t)(0xC0 | n); /* 8-bit ASCII + Latin 1 (43.15) */
    memcpy(r + at + 1, id, n);
    return at + 1 + n;
}

/* Bytes 6-20 (1-based) common to full and compact records. */
static void put_sensor_common(uint8_t *r, const struct sim_sensor *s)
{
    r[5] = 0x20; /* owner: the BMC, IPMB slave address 20h */
    r[6] = 0x00; /* channel 0, LUN 0 */
    r[7] = s->number;
    r[8] = s->entity_id;
    r[9] = s->entity_inst; /* physical entity */
    if (s->kind == SIM_THRESHOLD) {
        r[10] = 0x7F; /* init scanning/events/thresholds/hysteresis/type, enabled */
        /* auto re-arm, hysteresis readable, thresholds readable, global disable only */
        r[11] = (uint8_t)(0x40 | 0x10 | (s->thr_mask ? 0x04 : 0) | 0x02);
    } else {
        r[10] = 0x67; /* init scanning/events/type, enabled */
        r[11] = 0x42; /* auto re-arm, no hysteresis, no thresholds, global disable only */
    }
    r[12] = s->type;
    r[13] = s->evtype;
    uint16_t am, dm, rm;
    if (s->kind == SIM_THRESHOLD) {
        am = dm = 0;
        rm = s->thr_mask; /* readable (LS byte); settable: none */
        for (int i = 0; i < SIM_NTHR; i++) {
            if (!(s->thr_mask & (1u << i)))
                continue;
            am |= (uint16_t)(1u << thr_offset[i]);
            dm |= (uint16_t)(1u << thr_offset[i]);
            if (i <= SIM_LNR)
                am |= (uint16_t)(1u << (12 + i)); /* lower comparison returned */
            else
                dm |= (uint16_t)(1u << (12 + i - SIM_UNC)); /* upper comparison returned */
        }
    } else {
        am = dm = rm = s->mask;
    }
    r[14] = (uint8_t)am;
    r[15] = (uint8_t)(am >> 8);
    r[16] = (uint8_t)dm;
    r[17] = (uint8_t)(dm >> 8);
    r[18] = (uint8_t)rm;
    r[19] = (uint8_t)(rm >> 8);
    r[20] = (uint8_t)(s->fmt << 6 | (s->percent ? 1 : 0)); /* no rate, no modifier unit */
    r[21] = s->units;
    r[22] = 0;
}

static size_t encode_full(uint8_t *r, const struct sim_sensor *s)
{
    put_sensor_common(r, s);
    uint16_t m = (uint16_t)s->m & 0x3FF, b = (uint16_t)s->b & 0x3FF;
    r[23] = 0x00; /* linear */
    r[24] = (uint8_t)m;
    r[25] = (uint8_t)(m >> 8 << 6); /* tolerance 0 */
    r[26] = (uint8_t)b;
    r[27] = (uint8_t)(b >> 8 << 6); /* accuracy 0 */
    r[28] = 0x00;                   /* accuracy, accuracy exp, direction unspecified */
    r[29] = (uint8_t)(((unsigned)s->rexp & 0xF) << 4 | ((unsigned)s->bexp & 0xF));
    if (s->kind == SIM_THRESHOLD) {
        r[30] = (uint8_t)(0x01 | (s->thr_mask & (1u << SIM_UNC) ? 0x02 : 0) |
                          (s->thr_mask & (1u << SIM_LNC) ? 0x04 : 0));
        r[31] = s->nominal;
        r[32] = s->thr_mask & (1u << SIM_UNC) ? s->thr[SIM_UNC] : 0;
        r[33] = s->thr_mask & (1u << SIM_LNC) ? s->thr[SIM_LNC] : 0;
    }
    r[34] = s->fmt ? 0x7F : 0xFF; /* sensor maximum reading */
    r[35] = s->fmt ? 0x80 : 0x00; /* sensor minimum reading */
    if (s->fmt == 1)
        r[35] = 0x80; /* -127 in 1's complement */
    static const int at[SIM_NTHR] = {[SIM_UNR] = 36, [SIM_UC] = 37, [SIM_UNC] = 38,
                                     [SIM_LNR] = 39, [SIM_LC] = 40, [SIM_LNC] = 41};
    for (int i = 0; i < SIM_NTHR; i++)
        r[at[i]] = s->thr_mask & (1u << i) ? s->thr[i] : 0;
    r[42] = s->hyst_pos;
    r[43] = s->hyst_neg;
    /* 44-45 reserved, 46 OEM */
    return put_id(r, 47, s->id);
}

static void put_sharing(uint8_t *r, size_t at, const struct sim_sensor *s)
{
    /* direction unspecified, modifier type, share count; entity instance
     * increments with the share index, modifier offset */
    r[at] = (uint8_t)(s->mod_type << 4 | (s->share_count & 0x0F));
    r[at + 1] = (uint8_t)((s->share_count > 1 ? 0x80 : 0) | (s->mod_offset & 0x7F));
}

static size_t encode_compact(uint8_t *r, const struct sim_sensor *s)
{
    put_sensor_common(r, s);
    put_sharing(r, 23, s);
    r[25] = s->hyst_pos;
    r[26] = s->hyst_neg;
    /* 27-29 reserved, 30 OEM */
    return put_id(r, 31, s->id);
}

static size_t encode_event_only(uint8_t *r, const struct sim_sensor *s)
{
    r[5] = 0x20;
    r[6] = 0x00;
    r[7] = s->number;
    r[8] = s->entity_id;
    r[9] = s->entity_inst;
    r[10] = s->type;
    r[11] = s->evtype;
    put_sharing(r, 12, s);
    /* 14 reserved, 15 OEM */
    return put_id(r, 16, s->id);
}

static size_t encode_fru_locator(uint8_t *r, const struct sim_fru *f)
{
    r[5] = 0x20;  /* accessed through the BMC */
    r[6] = f->id; /* logical FRU device ID */
    r[7] = 0x80;  /* logical FRU device, LUN 0, private bus 0 */
    r[8] = 0x00;  /* channel 0 */
    r[9] = 0x00;
    r[10] = 0x10; /* device type: FRU inventory device behind a controller (Table 43-12) */
    r[11] = 0x00;
    r[12] = f->entity_id;
    r[13] = f->entity_inst;
    /* 14 OEM */
    return put_id(r, 15, f->name);
}

static size_t encode_mc_locator(uint8_t *r, const struct sim_profile *p)
{
    r[5] = 0x20;
    r[6] = 0x00; /* channel 0 */
    r[7] = 0x00; /* no ACPI notifications, enable event generation */
    r[8] = 0xBF; /* same capabilities as Get Device ID byte 6 */
    /* 9-11 reserved */
    r[12] = 0x2E; /* entity: management controller firmware */
    r[13] = 0x01;
    return put_id(r, 15, p->mc_name);
}

static void sdr_finish(struct sim_profile *p, uint8_t type, size_t len)
{
    uint8_t *r = p->sdr[p->nsdr];
    uint16_t rid = (uint16_t)(p->nsdr + 1);
    r[0] = (uint8_t)rid;
    r[1] = (uint8_t)(rid >> 8);
    r[2] = 0x51; /* SDR version 1.5 (as IPMI 2.0 keeps it) */
    r[3] = type;
    r[4] = (uint8_t)(len - 5);
    p->sdr_len[p->nsdr] = (uint8_t)len;
    p->nsdr++;
}

static void build_sdrs(struct sim_profile *p)
{
    p->nsdr = 0;
    for (unsigned i = 0; i < p->nsensors; i++) {
        struct sim_sensor *s = &p->sensors[i];
        if (s->share_index) {
            s->sdr = p->sensors[i - s->share_index].sdr;
            continue;
        }
        uint8_t *r = p->sdr[p->nsdr];
        memset(r, 0, SIM_SDR_MAX_LEN);
        size_t len = s->record == 0x01   ? encode_full(r, s)
                     : s->record == 0x02 ? encode_compact(r, s)
                                         : encode_event_only(r, s);
        s->sdr = p->nsdr;
        sdr_finish(p, s->record, len);
    }
    for (unsigned i = 0; i < p->nfru; i++) {
        if (p->fru[i].id == 0)
            continue; /* FRU 0 is the BMC's own, found without a locator */
        memset(p->sdr[p->nsdr], 0, SIM_SDR_MAX_LEN);
        sdr_finish(p, 0x11, encode_fru_locator(p->sdr[p->nsdr], &p->fru[i]));
    }
    memset(p->sdr[p->nsdr], 0, SIM_SDR_MAX_LEN);
    sdr_finish(p, 0x12, encode_mc_locator(p->sdr[p->nsdr], p));

    /* A repository timestamp that changes with the content, so that a
     * client's SDR cache (FreeIPMI keys it by host) notices another profile. */
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < p->nsdr; i++)
        for (unsigned j = 0; j < p->sdr_len[i]; j++)
            h = (h ^ p->sdr[i][j]) * 16777619u;
    p->sdr_stamp = p->sel_epoch - 86400u - h % (365u * 86400u);
}

/* A sensor whose drift band reaches any threshold must be watched by
 * sim_tick; the others can only change through sim_set_sensor. */
static void mark_dynamic(struct sim_profile *p)
{
    p->ndynamic = 0;
    for (unsigned i = 0; i < p->nsensors; i++) {
        struct sim_sensor *s = &p->sensors[i];
        s->dynamic = false;
        if (s->kind != SIM_THRESHOLD || s->unavailable)
            continue;
        int lo = sim_raw_signed(s, s->nominal) - s->drift;
        int hi = sim_raw_signed(s, s->nominal) + s->drift;
        for (int k = 0; k < SIM_NTHR; k++) {
            if (!(s->thr_mask & (1u << k)))
                continue;
            int t = sim_raw_signed(s, s->thr[k]);
            if (k <= SIM_LNR ? lo <= t : hi >= t)
                s->dynamic = true;
        }
        if (s->dynamic)
            p->dynamic[p->ndynamic++] = (uint8_t)i;
    }
}

/* ---- load ---------------------------------------------------------------- */

static int parse_text(struct parser *ps, const char *text)
{
    struct tok t[MAX_TOKENS];
    size_t nt;
    char line[1024];
    const char *q = text;

    ps->line = 0;
    while (*q) {
        const char *eol = strchr(q, '\n');
        size_t n = eol ? (size_t)(eol - q) : strlen(q);
        ps->line++;
        if (n >= sizeof(line))
            return perr(ps, "line longer than %zu bytes", sizeof(line) - 1);
        memcpy(line, q, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        q = eol ? eol + 1 : q + n;
        for (size_t i = 0; line[i]; i++)
            if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
                return perr(ps, "control character in line");

        if (lex_line(ps, line, t, &nt) < 0)
            return -1;
        if (nt == 0)
            continue;
        if (t[0].key[0])
            return perr(ps, "expected a directive (device, sensor, fru), got '%s='", t[0].key);
        t[0].used = true;
        int rc;
        if (!strcmp(t[0].val, "device"))
            rc = do_device(ps, t, nt);
        else if (!strcmp(t[0].val, "sensor"))
            rc = do_sensor(ps, t, nt);
        else if (!strcmp(t[0].val, "fru"))
            rc = do_fru(ps, t, nt);
        else
            rc = perr(ps, "unknown directive '%s' (device, sensor, fru)", t[0].val);
        if (rc < 0)
            return -1;
    }
    ps->line++;
    if (ps->p->nsensors == 0)
        return perr(ps, "the profile defines no sensor");
    for (unsigned i = 0; i < ps->p->nfru; i++)
        if (fru_assemble(ps, &ps->p->fru[i]) < 0)
            return -1;
    build_sdrs(ps->p);
    mark_dynamic(ps->p);
    return 0;
}

static void profile_defaults(struct sim_profile *p)
{
    memset(p, 0, sizeof(*p));
    p->device_id = 0x20;
    p->device_rev = 1;
    p->fw_major = 1;
    p->fw_minor = 0x23;
    /* 32473: the IANA enterprise number reserved for documentation (RFC 5612),
     * so no real vendor's OEM quirks ever match a simulated BMC. */
    p->manufacturer_id = 32473;
    p->product_id = 0x0001;
    snprintf(p->mc_name, sizeof(p->mc_name), "BMC");
    p->fru_max_chunk = 32;
    p->sdr_max_read = 32;
    p->sel_capacity = 128;
    p->sel_epoch = 1700000000u; /* 2023-11-14 22:13:20 UTC */
    p->sel_prefill = true;
    for (int i = 0; i < 256; i++)
        p->by_number[i] = -1;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, n;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    n = fread(buf, 1, cap, f);
    bool toolong = n == cap && fgetc(f) != EOF;
    bool failed = ferror(f);
    fclose(f);
    if (failed || toolong) {
        snprintf(err, errlen, "%s: %s", path, failed ? "read error" : "larger than 1 MB");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        snprintf(err, errlen, "%s: contains a NUL byte", path);
        free(buf);
        return NULL;
    }
    return buf;
}

struct sim_profile *sim_profile_load(const char *path, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    struct sim_profile *p = malloc(sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    profile_defaults(p);
    char *text = NULL;
    if (path) {
        text = read_file(path, err, errlen);
        if (!text) {
            free(p);
            return NULL;
        }
    }
    struct parser ps = {
        .file = path ? path : "default.profile", .err = err, .errlen = errlen, .p = p};
    int rc = parse_text(&ps, text ? text : sim_default_profile);
    free(text);
    if (rc < 0) {
        free(p);
        return NULL;
    }
    return p;
}

void sim_profile_free(struct sim_profile *p)
{
    free(p);
}

size_t sim_profile_sensor_count(const struct sim_profile *p)
{
    return p ? p->nsensors : 0;
}

const char *sim_default_profile_text(void)
{
    return sim_default_profile;
}
