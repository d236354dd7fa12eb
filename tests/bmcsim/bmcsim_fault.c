/*
 * bmcsim_fault.c - the simulator's PRNG, fault configuration and the output
 * path that applies faults (duplicate, reorder, delay, slow, malformed).
 * Drop, busy, truncate, impostor and refused logins are decided where the
 * protocol is known (bmcsim_rmcp.c); every decision draws from the BMC's own
 * seeded stream, so a run is reproducible under --seed.
 */
#include "bmcsim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

/* ---- PRNG ------------------------------------------------------------- */

uint64_t bs_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void bs_rand_bytes(uint64_t *s, uint8_t *out, size_t n)
{
    while (n) {
        uint64_t r = bs_rand(s);
        size_t k = n < 8 ? n : 8;
        memcpy(out, &r, k);
        out += k;
        n -= k;
    }
}

bool bmc_chance(struct bmc *b, uint16_t bp)
{
    if (bp == 0)
        return false;
    if (bp >= 10000)
        return true;
    return bs_rand(&b->rng) % 10000 < bp;
}

/* ---- configuration ---------------------------------------------------- */

static const char *const fault_names[FK__COUNT] = {
    [FK_DROP] = "drop",
    [FK_DUP] = "dup",
    [FK_REORDER] = "reorder",
    [FK_DELAY] = "delay",
    [FK_SLOW] = "slow",
    [FK_BUSY] = "busy",
    [FK_TRUNCATE] = "truncate",
    [FK_MALFORMED] = "malformed",
    [FK_IMPOSTOR] = "impostor",
    [FK_REFUSE] = "refuse",
    [FK_CONTROL_C1] = "control_c1",
};

const char *fault_kind_name(unsigned k)
{
    return k < FK__COUNT ? fault_names[k] : "?";
}

void faults_default(struct faults *f)
{
    memset(f, 0, sizeof(*f));
    f->refuse_after = -1;
    f->reorder_ms = 50;
    f->slow_ms = 3000;
}

bool faults_any(const struct faults *f)
{
    return f->drop || f->dup || f->reorder || f->slow || f->busy || f->truncate || f->malformed ||
           f->delay_ms || f->jitter_ms || f->impostor || f->refuse_after >= 0 || f->control_c1;
}

/* "12.5" -> 1250 basis points */
static int parse_pct(const char *s, uint16_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || v < 0 || v > 100)
        return -1;
    *out = (uint16_t)(v * 100.0 + 0.5);
    return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end != '\0' || v > 3600000UL || s[0] == '-')
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true")) {
        *out = true;
        return 0;
    }
    if (!strcmp(s, "0") || !strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false")) {
        *out = false;
        return 0;
    }
    return -1;
}

int faults_set(struct faults *f, const char *kv, char *err, size_t errlen)
{
    if (!strcmp(kv, "clear") || !strcmp(kv, "none")) {
        faults_default(f);
        return 0;
    }
    if (!strcmp(kv, "impostor")) {
        f->impostor = true;
        return 0;
    }
    const char *eq = strchr(kv, '=');
    char key[32];
    size_t klen = eq ? (size_t)(eq - kv) : 0;
    if (!eq || klen == 0 || klen >= sizeof(key)) {
        snprintf(err, errlen, "expected KEY=VALUE, got '%s'", kv);
        return -1;
    }
    memcpy(key, kv, klen);
    key[klen] = '\0';
    const char *val = eq + 1;
    int rc = -1;
    uint32_t u;

    if (!strcmp(key, "drop"))
        rc = parse_pct(val, &f->drop);
    else if (!strcmp(key, "dup") || !strcmp(key, "duplicate"))
        rc = parse_pct(val, &f->dup);
    else if (!strcmp(key, "reorder"))
        rc = parse_pct(val, &f->reorder);
    else if (!strcmp(key, "slow"))
        rc = parse_pct(val, &f->slow);
    else if (!strcmp(key, "busy"))
        rc = parse_pct(val, &f->busy);
    else if (!strcmp(key, "truncate"))
        rc = parse_pct(val, &f->truncate);
    else if (!strcmp(key, "malformed"))
        rc = parse_pct(val, &f->malformed);
    else if (!strcmp(key, "delay") || !strcmp(key, "delay-ms"))
        rc = parse_u32(val, &f->delay_ms);
    else if (!strcmp(key, "jitter") || !strcmp(key, "jitter-ms"))
        rc = parse_u32(val, &f->jitter_ms);
    else if (!strcmp(key, "reorder-ms"))
        rc = parse_u32(val, &f->reorder_ms);
    else if (!strcmp(key, "slow-ms"))
        rc = parse_u32(val, &f->slow_ms);
    else if (!strcmp(key, "impostor"))
        rc = parse_bool(val, &f->impostor);
    else if (!strcmp(key, "control-c1"))
        rc = parse_bool(val, &f->control_c1);
    else if (!strcmp(key, "refuse-after")) {
        if (!strcmp(val, "off") || !strcmp(val, "-1")) {
            f->refuse_after = -1;
            rc = 0;
        } else if ((rc = parse_u32(val, &u)) == 0) {
            f->refuse_after = (int32_t)u;
        }
    } else {
        snprintf(err, errlen,
                 "unknown fault '%s' (drop dup reorder reorder-ms delay jitter slow "
                 "slow-ms busy truncate malformed impostor refuse-after control-c1 clear)",
                 key);
        return -1;
    }
    if (rc < 0)
        snprintf(err, errlen, "bad value '%s' for %s", val, key);
    return rc;
}

static void fmt_pct(char *buf, size_t cap, uint16_t bp)
{
    if (bp % 100 == 0)
        snprintf(buf, cap, "%u", (unsigned)(bp / 100));
    else
        snprintf(buf, cap, "%u.%02u", (unsigned)(bp / 100), (unsigned)(bp % 100));
}

void faults_format(const struct faults *f, char *buf, size_t cap)
{
    char p[7][16];
    fmt_pct(p[0], sizeof(p[0]), f->drop);
    fmt_pct(p[1], sizeof(p[1]), f->dup);
    fmt_pct(p[2], sizeof(p[2]), f->reorder);
    fmt_pct(p[3], sizeof(p[3]), f->slow);
    fmt_pct(p[4], sizeof(p[4]), f->busy);
    fmt_pct(p[5], sizeof(p[5]), f->truncate);
    fmt_pct(p[6], sizeof(p[6]), f->malformed);
    char ra[16];
    if (f->refuse_after < 0)
        snprintf(ra, sizeof(ra), "off");
    else
        snprintf(ra, sizeof(ra), "%d", (int)f->refuse_after);
    snprintf(buf, cap,
             "drop=%s dup=%s reorder=%s reorder-ms=%u delay=%u jitter=%u slow=%s slow-ms=%u "
             "busy=%s truncate=%s malformed=%s impostor=%d refuse-after=%s control-c1=%d",
             p[0], p[1], p[2], (unsigned)f->reorder_ms, (unsigned)f->delay_ms,
             (unsigned)f->jitter_ms, p[3], (unsigned)f->slow_ms, p[4], p[5], p[6],
             f->impostor ? 1 : 0, ra, f->control_c1 ? 1 : 0);
}

/* ---- delayed packets --------------------------------------------------- */

struct delayed {
    struct ev_timer t; /* first: the timer callback gets the struct back */
    struct delayed *prev, *next;
    struct fleet *fleet;
    struct bmc *b;
    struct sockaddr_in to;
    uint16_t len;
    uint8_t data[];
};

static void delayed_unlink(struct fleet *f, struct delayed *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        f->delayed = d->next;
    if (d->next)
        d->next->prev = d->prev;
    f->ndelayed--;
}

static void delayed_fire(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct delayed *d = arg;
    struct fleet *f = d->fleet;
    delayed_unlink(f, d);
    bmc_send_raw(d->b, &d->to, d->data, d->len);
    free(d);
}

static void delayed_add(struct bmc *b, const struct sockaddr_in *to, const uint8_t *pkt, size_t len,
                        uint64_t delay_ms)
{
    struct fleet *f = b->fleet;
    if (f->ndelayed >= 1000000) { /* a runaway delay setting must not eat the machine */
        b->c.faults[FK_DROP]++;
        return;
    }
    struct delayed *d = malloc(sizeof(*d) + len);
    if (!d)
        return;
    d->fleet = f;
    d->b = b;
    d->to = *to;
    d->len = (uint16_t)len;
    memcpy(d->data, pkt, len);
    d->prev = NULL;
    d->next = f->delayed;
    if (f->delayed)
        f->delayed->prev = d;
    f->delayed = d;
    f->ndelayed++;
    ev_timer_init(&d->t, delayed_fire, d);
    ev_timer_start(f->loop, &d->t, delay_ms * EV_NS_PER_MS);
}

void delayed_drop_bmc(struct fleet *f, struct bmc *b)
{
    struct delayed *d = f->delayed, *next;
    for (; d; d = next) {
        next = d->next;
        if (d->b != b)
            continue;
        ev_timer_stop(f->loop, &d->t);
        delayed_unlink(f, d);
        free(d);
    }
}

void delayed_free_all(struct fleet *f)
{
    struct delayed *d = f->delayed, *next;
    for (; d; d = next) {
        next = d->next;
        ev_timer_stop(f->loop, &d->t);
        free(d);
    }
    f->delayed = NULL;
    f->ndelayed = 0;
}

/* ---- the output path -------------------------------------------------- */

void bmc_send(struct bmc *b, const struct sockaddr_in *to, const uint8_t *pkt, size_t len,
              bool session_traffic)
{
    const struct faults *fl = bmc_faults(b);
    uint8_t copy[RMCPP_MAX_PACKET];

    if (len > sizeof(copy))
        return;
    if (!faults_any(fl)) { /* the common case: no PRNG draws at all */
        bmc_send_raw(b, to, pkt, len);
        return;
    }
    if (session_traffic && len > 4 && bmc_chance(b, fl->malformed)) {
        /* flip one bit after the RMCP header: the client's integrity or
         * checksum check must reject it */
        memcpy(copy, pkt, len);
        size_t at = 4 + (size_t)(bs_rand(&b->rng) % (len - 4));
        copy[at] ^= (uint8_t)(1u << (bs_rand(&b->rng) % 8));
        pkt = copy;
        b->c.faults[FK_MALFORMED]++;
    }
    unsigned copies = 1;
    if (bmc_chance(b, fl->dup)) {
        copies = 2;
        b->c.faults[FK_DUP]++;
    }
    uint64_t delay = 0;
    if (fl->delay_ms || fl->jitter_ms) {
        delay = fl->delay_ms;
        if (fl->jitter_ms) {
            uint64_t j = bs_rand(&b->rng) % (2ULL * fl->jitter_ms + 1);
            delay = delay + j > fl->jitter_ms ? delay + j - fl->jitter_ms : 0;
        }
        if (delay)
            b->c.faults[FK_DELAY]++;
    }
    if (session_traffic && bmc_chance(b, fl->slow)) {
        delay += fl->slow_ms;
        b->c.faults[FK_SLOW]++;
    }
    for (unsigned i = 0; i < copies; i++) {
        uint64_t d = delay;
        if (bmc_chance(b, fl->reorder)) {
            /* hold this one back so that later datagrams overtake it */
            d += 1 + bs_rand(&b->rng) % (fl->reorder_ms ? fl->reorder_ms : 1);
            b->c.faults[FK_REORDER]++;
        }
        if (d)
            delayed_add(b, to, pkt, len, d);
        else
            bmc_send_raw(b, to, pkt, len);
    }
}
