/*
 * test_store.c - the store (src/store): the text cleaner, the container
 * (publish / apply / remove, find and lower_bound at the edges, publication
 * from several threads), snapshot parts shared between snapshots with their
 * references reaching zero (run under --enable-sanitizers: LeakSanitizer
 * reports any part or snapshot not freed), and the snapshot builder's
 * numbers (precision, scaled values, value texts) and part sharing.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "bmc_data.h"
#include "cfg.h"
#include "ev.h"
#include "sdr.h"
#include "sdr_repo.h"
#include "sdr_share.h"
#include "store.h"
#include "text.h"
#include "unit.h"

/* ---- text cleaner ----------------------------------------------------------------- */

static const char *cl(const char *in)
{
    static char out[256];
    text_clean(in, strlen(in), out, sizeof(out));
    return out;
}

static void test_text_ascii_and_utf8_kept(void)
{
    CU_ASSERT_STRING_EQUAL(cl("CPU Temp"), "CPU Temp");
    CU_ASSERT_STRING_EQUAL(cl("Temp \xc2\xb0"
                              "C"),
                           "Temp \xc2\xb0"
                           "C");                                    /* valid UTF-8 degree sign */
    CU_ASSERT_STRING_EQUAL(cl("\xe2\x82\xac 5"), "\xe2\x82\xac 5"); /* euro sign */
    CU_ASSERT_STRING_EQUAL(cl("\xf0\x9f\x94\xa5"), "\xf0\x9f\x94\xa5"); /* 4 bytes */
    CU_ASSERT_TRUE(text_is_clean("Temp \xc2\xb0"
                                 "C"));
}

static void test_text_latin1(void)
{
    /* B0h alone is no UTF-8: Latin-1 degree sign -> U+00B0 */
    CU_ASSERT_STRING_EQUAL(cl("CPU \xb0"
                              "C"),
                           "CPU \xc2\xb0"
                           "C");
    CU_ASSERT_STRING_EQUAL(cl("M\xfcller"), "M\xc3\xbcller"); /* u umlaut */
    /* a lead byte without its continuation, overlong forms, surrogates */
    CU_ASSERT_STRING_EQUAL(cl("\xc3("), "\xc3\x83(");
    CU_ASSERT_STRING_EQUAL(cl("\xc0\xaf"), "\xc3\x80\xc2\xaf");
    CU_ASSERT_STRING_EQUAL(cl("\xed\xa0\x80"), "\xc3\xad\xc2\xa0\xef\xbf\xbd");
    CU_ASSERT_FALSE(text_is_clean("CPU \xb0"
                                  "C"));
    CU_ASSERT_TRUE(text_is_clean(cl("CPU \xb0\xff\xfe"
                                    "C")));
}

static void test_text_controls(void)
{
    /* ESC, other C0, DEL: U+FFFD */
    CU_ASSERT_STRING_EQUAL(cl("A\x1b[2JB"), "A\xef\xbf\xbd[2JB");
    CU_ASSERT_STRING_EQUAL(cl("\t\r\n\x7f"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* C1 controls, as UTF-8 (C2 9B = CSI) and as Latin-1 bytes (9Bh) */
    CU_ASSERT_STRING_EQUAL(cl("x\xc2\x9by"), "x\xef\xbf\xbdy");
    CU_ASSERT_STRING_EQUAL(cl("x\x9by"), "x\xef\xbf\xbdy");
    CU_ASSERT_FALSE(text_is_clean("a\x1b"));
    CU_ASSERT_FALSE(text_is_clean("a\x7f"));
    CU_ASSERT_FALSE(text_is_clean("a\xc2\x85"));
}

static void test_text_lengths_and_cut(void)
{
    const char *in = "ab\xb0\x1b";
    CU_ASSERT_EQUAL(text_clean_len(in, strlen(in)), 2 + 2 + 3);
    CU_ASSERT_EQUAL(text_clean_len(in, 3), 4); /* len bounds the input */
    char out[5];
    /* "ab" + U+00B0 fits in 4 + NUL; U+FFFD does not and is not cut in half */
    CU_ASSERT_EQUAL(text_clean(in, strlen(in), out, sizeof(out)), 7);
    CU_ASSERT_STRING_EQUAL(out, "ab\xc2\xb0");
    char small[4];
    text_clean(in, strlen(in), small, sizeof(small));
    CU_ASSERT_STRING_EQUAL(small, "ab"); /* U+00B0 needs 2 bytes, 1 left */
    /* input ends at NUL */
    CU_ASSERT_EQUAL(text_clean_len("a\0b", 3), 1);
    char z[1];
    CU_ASSERT_EQUAL(text_clean("abc", 3, z, 1), 3);
    CU_ASSERT_STRING_EQUAL(z, "");
}

/* ---- hand-made snapshots ------------------------------------------------------------ */

static struct store_bmc *mk_bmc(uint32_t index, const char *name)
{
    struct store_arena *a = arena_new(256);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    struct store_bmc *b = arena_alloc(a, sizeof(*b));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    atomic_init(&b->refs, 1);
    b->arena = a;
    b->index = index;
    b->name = arena_strdup(a, name);
    return b;
}

static const struct store_sensors *mk_sensors(const uint32_t *idx, uint32_t n)
{
    struct store_arena *a = arena_new(256);
    struct store_sensors *p = arena_alloc(a, sizeof(*p));
    atomic_init(&p->p.refs, 1);
    p->p.arena = a;
    p->s = arena_alloc(a, (n ? n : 1) * sizeof(*p->s));
    for (uint32_t i = 0; i < n; i++)
        p->s[i].index = idx[i];
    p->p.n = n;
    return p;
}

static unsigned refs_of(const struct store_part *p)
{
    return atomic_load(&((struct store_part *)p)->refs);
}

static void test_container_publish_apply(void)
{
    struct store *s = store_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(store_count(s), 0);
    CU_ASSERT_EQUAL(store_lower_bound(s, 5), 0);
    CU_ASSERT_PTR_NULL(store_find(s, 5));
    CU_ASSERT_EQUAL(store_apply(s), 0);
    uint64_t g0 = store_generation(s);

    /* published out of order, visible only after apply, then sorted */
    CU_ASSERT_EQUAL(store_publish(s, mk_bmc(30, "c")), 0);
    CU_ASSERT_EQUAL(store_publish(s, mk_bmc(10, "a")), 0);
    CU_ASSERT_EQUAL(store_publish(s, mk_bmc(20, "b")), 0);
    CU_ASSERT_EQUAL(store_count(s), 0);
    CU_ASSERT_EQUAL(store_apply(s), 3);
    CU_ASSERT(store_generation(s) > g0);
    CU_ASSERT_EQUAL(store_count(s), 3);
    CU_ASSERT_EQUAL(store_at(s, 0)->index, 10);
    CU_ASSERT_EQUAL(store_at(s, 1)->index, 20);
    CU_ASSERT_EQUAL(store_at(s, 2)->index, 30);
    CU_ASSERT_PTR_NULL(store_at(s, 3));

    /* lower_bound at the edges */
    CU_ASSERT_EQUAL(store_lower_bound(s, 0), 0);
    CU_ASSERT_EQUAL(store_lower_bound(s, 10), 0);
    CU_ASSERT_EQUAL(store_lower_bound(s, 11), 1);
    CU_ASSERT_EQUAL(store_lower_bound(s, 30), 2);
    CU_ASSERT_EQUAL(store_lower_bound(s, 31), 3);
    CU_ASSERT_EQUAL(store_lower_bound(s, UINT32_MAX), 3);
    CU_ASSERT_STRING_EQUAL(store_find(s, 20)->name, "b");
    CU_ASSERT_PTR_NULL(store_find(s, 15));
    CU_ASSERT_PTR_NULL(store_find(s, 0));

    /* replace: a reader holding a reference keeps the old one alive */
    const struct store_bmc *old = store_bmc_ref(store_find(s, 20));
    CU_ASSERT_EQUAL(store_publish(s, mk_bmc(20, "b2")), 0);
    CU_ASSERT_STRING_EQUAL(store_find(s, 20)->name, "b"); /* not applied yet */
    CU_ASSERT_EQUAL(store_apply(s), 1);
    CU_ASSERT_STRING_EQUAL(store_find(s, 20)->name, "b2");
    CU_ASSERT_EQUAL(atomic_load(&((struct store_bmc *)old)->refs), 1);
    CU_ASSERT_STRING_EQUAL(old->name, "b");
    store_bmc_unref(old); /* freed here (LeakSanitizer / ASan watch) */

    /* publish then remove in one batch: applied in order -> gone */
    store_publish(s, mk_bmc(40, "d"));
    store_remove(s, 40);
    store_remove(s, 10);
    store_remove(s, 99); /* unknown: nothing happens */
    CU_ASSERT_EQUAL(store_apply(s), 4);
    CU_ASSERT_EQUAL(store_count(s), 2);
    CU_ASSERT_PTR_NULL(store_find(s, 40));
    CU_ASSERT_PTR_NULL(store_find(s, 10));
    CU_ASSERT_EQUAL(store_at(s, 0)->index, 20);
    /* remove then publish again: back */
    store_remove(s, 30);
    store_publish(s, mk_bmc(30, "c2"));
    store_apply(s);
    CU_ASSERT_STRING_EQUAL(store_find(s, 30)->name, "c2");

    /* pending publications are dropped by store_free */
    store_publish(s, mk_bmc(50, "e"));
    store_free(s);
    store_free(NULL);
    store_bmc_unref(NULL);
}

/* The roster generation moves on joins, leaves and address changes only,
 * not on a poll's new snapshot (the PET listener rebuilds its address index
 * on it). */
static struct store_bmc *mk_addr(uint32_t index, const char *address)
{
    struct store_bmc *b = mk_bmc(index, "x");
    b->address = address ? arena_strdup(b->arena, address) : NULL;
    return b;
}

static void test_roster_generation(void)
{
    struct store *s = store_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    uint64_t r0 = store_roster_generation(s);
    store_publish(s, mk_addr(1, "10.0.0.1:623"));
    store_publish(s, mk_addr(2, "10.0.0.2:623"));
    store_apply(s);
    uint64_t r1 = store_roster_generation(s);
    CU_ASSERT(r1 > r0);
    /* a new poll of the same BMCs: the data generation moves, the roster not */
    uint64_t g1 = store_generation(s);
    store_publish(s, mk_addr(1, "10.0.0.1:623"));
    store_publish(s, mk_addr(2, "10.0.0.2:623"));
    store_apply(s);
    CU_ASSERT(store_generation(s) > g1);
    CU_ASSERT_EQUAL(store_roster_generation(s), r1);
    /* an address change, an address lost, a removal: each moves it */
    store_publish(s, mk_addr(2, "10.0.0.9:623"));
    store_apply(s);
    uint64_t r2 = store_roster_generation(s);
    CU_ASSERT(r2 > r1);
    store_publish(s, mk_addr(2, NULL));
    store_apply(s);
    uint64_t r3 = store_roster_generation(s);
    CU_ASSERT(r3 > r2);
    store_remove(s, 1);
    store_apply(s);
    CU_ASSERT(store_roster_generation(s) > r3);
    store_free(s);
}

static void test_eventfd_signals(void)
{
    struct store *s = store_new();
    int fd = store_fd(s);
    CU_ASSERT(fd >= 0);
    uint64_t v;
    CU_ASSERT_EQUAL(read(fd, &v, sizeof(v)), -1); /* nothing yet (non-blocking) */
    store_publish(s, mk_bmc(1, "x"));
    CU_ASSERT_EQUAL(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(store_apply(s), 1); /* apply works without the signal too */
    /* one signal for publications that find the inbox already signalled */
    store_publish(s, mk_bmc(2, "y"));
    store_publish(s, mk_bmc(3, "z"));
    store_remove(s, 1);
    CU_ASSERT_EQUAL(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(store_apply(s), 3);
    CU_ASSERT_EQUAL(store_count(s), 2);
    /* the inbox taken: the next publication signals again */
    CU_ASSERT_EQUAL(read(fd, &v, sizeof(v)), -1);
    store_publish(s, mk_bmc(4, "w"));
    CU_ASSERT_EQUAL(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(store_apply(s), 1);
    store_free(s);
}

static void test_parts_shared_refcounts(void)
{
    struct store *s = store_new();
    const uint32_t idx[] = {2, 5, 9};
    const struct store_sensors *sens = mk_sensors(idx, 3);
    /* snapshot 1 holds the part */
    struct store_bmc *b1 = mk_bmc(7, "bmc");
    b1->sensors = sens;
    store_publish(s, b1);
    store_apply(s);
    CU_ASSERT_EQUAL(refs_of(&sens->p), 1);
    /* snapshot 2 shares it */
    struct store_bmc *b2 = mk_bmc(7, "bmc");
    b2->sensors = store_sensors_ref(sens);
    CU_ASSERT_EQUAL(refs_of(&sens->p), 2);
    store_publish(s, b2);
    store_apply(s); /* b1 freed: the part stays, held by b2 */
    CU_ASSERT_EQUAL(refs_of(&sens->p), 1);
    CU_ASSERT_PTR_EQUAL(store_find(s, 7)->sensors, sens);

    /* rows: lower_bound and find at the edges */
    CU_ASSERT_EQUAL(store_sensor_lower_bound(sens, 0), 0);
    CU_ASSERT_EQUAL(store_sensor_lower_bound(sens, 2), 0);
    CU_ASSERT_EQUAL(store_sensor_lower_bound(sens, 3), 1);
    CU_ASSERT_EQUAL(store_sensor_lower_bound(sens, 9), 2);
    CU_ASSERT_EQUAL(store_sensor_lower_bound(sens, 10), 3);
    CU_ASSERT_PTR_EQUAL(store_sensor_find(sens, 5), &sens->s[1]);
    CU_ASSERT_PTR_NULL(store_sensor_find(sens, 6));
    CU_ASSERT_PTR_NULL(store_sensor_find(sens, 10));
    CU_ASSERT_EQUAL(store_sensor_lower_bound(NULL, 1), 0);
    CU_ASSERT_PTR_NULL(store_sensor_find(NULL, 1));
    CU_ASSERT_PTR_NULL(store_fru_find(NULL, 1));
    CU_ASSERT_EQUAL(store_sel_lower_bound(NULL, 1), 0);

    /* removal drops the last snapshot and with it the last reference */
    store_remove(s, 7);
    store_apply(s);
    CU_ASSERT_EQUAL(store_count(s), 0);
    store_free(s);
}

/* A copy with control columns: parts shared, texts copied, the rest the same */
static void test_with_control(void)
{
    struct store *s = store_new();
    const uint32_t idx[] = {2, 5};
    struct store_bmc *b1 = mk_bmc(3, "web01");
    b1->address = arena_strdup(b1->arena, "10.0.0.1:623");
    b1->error = arena_strdup(b1->arena, "BMC web01: down");
    b1->sensors = mk_sensors(idx, 2);
    b1->nsensors = 2;
    store_publish(s, b1);
    store_apply(s);
    char act[32] = "power powerOff by snmp", res[16] = "ok";
    struct store_control c = {.power = 1,
                              .identify = 3,
                              .boot_device = 2,
                              .boot_persist = 1,
                              .boot_mode = 2,
                              .last_action = act,
                              .last_result = res};
    const struct store_bmc *b2 = store_bmc_with_control(store_find(s, 3), &c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
    memset(act, 'x', sizeof(act) - 1); /* copied, not pointed at */
    res[0] = 'X';
    CU_ASSERT_STRING_EQUAL(b2->control.last_action, "power powerOff by snmp");
    CU_ASSERT_STRING_EQUAL(b2->control.last_result, "ok");
    CU_ASSERT_EQUAL(b2->control.power, 1);
    CU_ASSERT_EQUAL(b2->control.boot_mode, 2);
    CU_ASSERT_STRING_EQUAL(b2->name, "web01");
    CU_ASSERT_STRING_EQUAL(b2->address, "10.0.0.1:623");
    CU_ASSERT_STRING_EQUAL(b2->error, "BMC web01: down");
    CU_ASSERT_EQUAL(b2->nsensors, 2);
    CU_ASSERT_PTR_EQUAL(b2->sensors, b1->sensors);
    CU_ASSERT_EQUAL(refs_of(&b2->sensors->p), 2);
    CU_ASSERT_EQUAL(atomic_load(&((struct store_bmc *)b2)->refs), 1);
    const struct store_sensors *sens = b2->sensors;
    store_publish(s, b2);
    store_apply(s); /* b1 goes: the part stays with b2 */
    CU_ASSERT_EQUAL(refs_of(&sens->p), 1);
    CU_ASSERT_STRING_EQUAL(store_find(s, 3)->control.last_action, "power powerOff by snmp");
    /* no control: NULL texts stay NULL */
    struct store_control none = {0};
    const struct store_bmc *b3 = store_bmc_with_control(store_find(s, 3), &none);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b3);
    CU_ASSERT_PTR_NULL(b3->control.last_action);
    CU_ASSERT_EQUAL(b3->control.power, 0);
    store_bmc_unref(b3);
    CU_ASSERT_PTR_NULL(store_bmc_with_control(NULL, &c));
    store_free(s);
}

/* ---- several publishing threads --------------------------------------------------- */

#define THREADS 4
#define PER     500

struct pub_arg {
    struct store *s;
    uint32_t base;
};

static void *publisher(void *arg)
{
    struct pub_arg *p = arg;
    for (uint32_t i = 0; i < PER; i++) {
        struct store_bmc *b = mk_bmc(p->base + i % 50, "t");
        b->poll_mono_ns = i; /* the last one published per index must win */
        store_publish(p->s, b);
    }
    return NULL;
}

static void test_threads(void)
{
    struct store *s = store_new();
    pthread_t t[THREADS];
    struct pub_arg a[THREADS];
    for (int i = 0; i < THREADS; i++) {
        a[i] = (struct pub_arg){s, (uint32_t)i * 1000};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, publisher, &a[i]), 0);
    }
    size_t applied = 0;
    for (int k = 0; k < 1000 && applied < THREADS * PER; k++)
        applied += store_apply(s); /* concurrently with the publishers */
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    applied += store_apply(s);
    CU_ASSERT_EQUAL(applied, THREADS * PER);
    CU_ASSERT_EQUAL(store_count(s), THREADS * 50);
    /* per thread, publications apply in order: the newest one is there */
    for (int i = 0; i < THREADS; i++)
        for (uint32_t j = 0; j < 50; j++)
            CU_ASSERT_EQUAL(store_find(s, (uint32_t)i * 1000 + j)->poll_mono_ns, PER - 50 + j);
    for (size_t i = 1; i < store_count(s); i++)
        CU_ASSERT(store_at(s, i - 1)->index < store_at(s, i)->index);
    store_free(s);
}

/* ---- the builder ------------------------------------------------------------------- */

struct fixture {
    struct ev_loop *loop;
    struct poller *p;
    struct cfg_bmc cfg;
    struct bmc_data d;
    struct sdr_sensor s[3];
    struct sensor_value v[3];
    struct sensor_set set;
};

/* Analog sensor: y = M * x * 10^Rexp (IPMI 2.0 section 36.3). */
static void analog_sensor(struct sdr_sensor *s, uint8_t number, const char *name, int m, int rexp,
                          uint8_t raw, struct sensor_value *v)
{
    memset(s, 0, sizeof(*s));
    s->record_type = SDR_TYPE_FULL;
    s->value_kind = SDR_VALUE_ANALOG;
    s->sensor_type = 0x02; /* voltage */
    s->event_type = 0x01;
    s->number = number;
    s->owner_addr = 0x20;
    s->unit_base = 4; /* Volts */
    const uint8_t f[6] = {(uint8_t)m, 0, 0, 0, 0, (uint8_t)((rexp & 0x0f) << 4)};
    sdr_factors_unpack(f, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR, &s->conv);
    snprintf(s->name, sizeof(s->name), "%s", name);
    memset(v, 0, sizeof(*v));
    v->r.raw = raw;
    v->r.state_bytes = 1;
    v->conv = (uint8_t)sensor_convert(&s->conv, raw, &v->value);
    v->why = SENSOR_WHY_NONE;
}

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    char err[256];
    f->loop = ev_new();
    struct poller_opts po;
    poller_opts_default(&po);
    po.sockets = 1;
    f->p = poller_new(f->loop, &po, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->p);
    snprintf(f->cfg.name, sizeof(f->cfg.name),
             "web\x1b"
             "01");
    snprintf(f->cfg.address, sizeof(f->cfg.address), "127.0.0.1");
    f->cfg.port = 623;
    f->cfg.suites[0] = 17;
    f->cfg.nsuites = 1;
    f->cfg.privilege = 4;
    f->d.b = poller_add(f->p, &f->cfg, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->d.b);
    /* 12V: M=6 Rexp=-2 (0.06 V steps) raw 200 -> 12.00; 3.3V: M=5 Rexp=-3 raw 200 -> 1.000;
     * FAN "\xb0": M=60 Rexp=0 raw 14 -> 840 */
    analog_sensor(&f->s[0], 0x20, "P12V", 6, -2, 200, &f->v[0]);
    analog_sensor(&f->s[1], 0x10, "FAN \xb0", 60, 0, 14, &f->v[1]);
    analog_sensor(&f->s[2], 0x21, "P3V3", 5, -3, 200, &f->v[2]);
    f->set.s = f->s;
    f->set.n = 3;
    f->d.set = &f->set;
    f->d.vals = f->v;
    f->d.have_sensors = true;
    f->d.sel = sel_state_new(8);
}

static void fixture_free(struct fixture *f)
{
    sel_state_free(f->d.sel);
    poller_free(f->p);
    ev_free(f->loop);
}

static void test_build_numbers(void)
{
    struct fixture f;
    fixture_init(&f);
    /* 12V thresholds: UC raw 220 -> 13.20 V, LC raw 180 -> 10.80 V; UNR not readable */
    f.v[0].thr.readable = (1u << SDR_THR_UC) | (1u << SDR_THR_LC);
    f.v[0].thr.raw[SDR_THR_UC] = 220;
    f.v[0].thr.raw[SDR_THR_LC] = 180;
    f.v[0].thr.raw[SDR_THR_UNR] = 250;
    struct snap_opts o = {.bmc_index = 3, .wall_s = 1, .mono_ns = 1};
    const struct store_bmc *b = snap_build(&f.d, &o, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(b->index, 3);
    CU_ASSERT_TRUE(text_is_clean(b->name)); /* ESC in the config name is cleaned too */
    CU_ASSERT_STRING_EQUAL(b->state == STORE_ST_OK ? "ok" : "?", "ok");
    const struct store_sensors *p = b->sensors;
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL_FATAL(p->p.n, 3);
    CU_ASSERT_EQUAL(b->nsensors, 3);
    /* sorted by ipmiSensorIndex = 1 + number + 256 * owner */
    CU_ASSERT_EQUAL(p->s[0].index, 1 + 0x10 + 256 * 0x20);
    CU_ASSERT_EQUAL(p->s[1].index, 1 + 0x20 + 256 * 0x20);
    CU_ASSERT_EQUAL(p->s[2].index, 1 + 0x21 + 256 * 0x20);
    const struct store_sensor *fan = &p->s[0], *v12 = &p->s[1], *v33 = &p->s[2];
    CU_ASSERT_STRING_EQUAL(fan->name, "FAN \xc2\xb0");
    CU_ASSERT_EQUAL(fan->precision, 0);
    CU_ASSERT_EQUAL(fan->value_scaled, 840);
    CU_ASSERT_STRING_EQUAL(fan->value_text, "840");
    CU_ASSERT_EQUAL(v12->precision, 2);
    CU_ASSERT_TRUE(v12->scaled_ok);
    CU_ASSERT_EQUAL(v12->value_scaled, 1200);
    CU_ASSERT_STRING_EQUAL(v12->value_text, "12.00");
    CU_ASSERT_STRING_EQUAL(v12->units, "Volts");
    /* the SDR's unit code, for ENTITY-SENSOR-MIB's data type (ent_sensor.c) */
    CU_ASSERT_EQUAL(v12->unit_base, 4);
    CU_ASSERT_EQUAL(v12->unit_rate, 0);
    CU_ASSERT_EQUAL(v12->unit_mod_rel, 0);
    CU_ASSERT_FALSE(v12->unit_percent);
    CU_ASSERT_EQUAL(v33->precision, 3);
    CU_ASSERT_EQUAL(v33->value_scaled, 1000);
    CU_ASSERT_STRING_EQUAL(v33->value_text, "1.000");
    /* all three are Volts: one text, formed once for the part */
    CU_ASSERT_PTR_EQUAL(v33->units, v12->units);
    CU_ASSERT_PTR_EQUAL(fan->units, v12->units);
    CU_ASSERT_PTR_EQUAL(store_sensor_find(p, v12->index), v12);
    /* thresholds: converted from the row's raw bytes by its SDR record when asked */
    double x = 0;
    int32_t sc = 0;
    bool ok = false;
    CU_ASSERT_TRUE(store_sensor_thr(v12, STORE_THR_UC, &x, &sc, &ok));
    CU_ASSERT_DOUBLE_EQUAL(x, 13.2, 1e-9);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sc, 1320);
    CU_ASSERT_TRUE(store_sensor_thr(v12, STORE_THR_LC, &x, NULL, NULL));
    CU_ASSERT_DOUBLE_EQUAL(x, 10.8, 1e-9);
    CU_ASSERT_FALSE(store_sensor_thr(v12, STORE_THR_UNR, &x, &sc, &ok)); /* not readable */
    CU_ASSERT_FALSE(store_sensor_thr(v12, STORE_THR_LNR, &x, &sc, &ok));
    CU_ASSERT_FALSE(store_sensor_thr(fan, STORE_THR_UC, &x, &sc, &ok)); /* none read */
    CU_ASSERT_EQUAL(v12->thr_mask, (1u << STORE_THR_UC) | (1u << STORE_THR_LC));
    store_bmc_unref(b);
    /* the scheduler's state word instead of the poll's */
    o.set_state = true;
    o.state = STORE_ST_DEGRADED;
    b = snap_build(&f.d, &o, NULL);
    CU_ASSERT_STRING_EQUAL(store_state_word(b->state), "degraded");
    store_bmc_unref(b);
    fixture_free(&f);
}

/* arena_fixed() writes the bytes printf("%.*f") writes */
static void fixed_check(struct store_arena *a, double v, unsigned prec, unsigned *bad)
{
    char want[512];
    snprintf(want, sizeof(want), "%.*f", (int)prec, v);
    const char *got = arena_fixed(a, v, prec);
    if (!got || strcmp(got, want)) {
        if (*bad < 5)
            fprintf(stderr, "arena_fixed(%a, %u): \"%s\", printf: \"%s\"\n", v, prec,
                    got ? got : "(null)", want);
        ++*bad;
    }
}

static void test_fixed_text(void)
{
    struct store_arena *a = arena_new(1 << 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    unsigned bad = 0;
    /* halves: printf rounds the exact binary value half to even */
    static const double edge[] = {
        0.0,   -0.0,     0.5,       1.5,        2.5,       -0.5,   -2.5,         0.125,
        0.375, -0.125,   0.0625,    1.0005,     2.675,     1e-9,   -1e-9,        999.9995,
        12.0,  840.0,    -40.25,    1e14 + 0.5, 9.9999e14, 1e15,   -1e15,        1e300,
        NAN,   INFINITY, -INFINITY, 0.0005,     0.0015,    0.0025, 4294967295.5, 2147483647.4999};
    for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
        for (unsigned p = 0; p <= 5; p++)
            fixed_check(a, edge[i], p, &bad);
    /* every raw byte through typical factors (M * raw * 10^R), and random bits */
    for (int m = -50; m <= 50; m += 7)
        for (int r = -4; r <= 2; r++)
            for (int raw = 0; raw < 256; raw++)
                for (unsigned p = 0; p <= 3; p++)
                    fixed_check(a, (double)(m * raw) * snap_pow10(r) + (r < 0 ? 0.1 : 0), p, &bad);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        if (i & 1) {
            memcpy(&v, &x, sizeof(v)); /* any bits, most out of range: printf's path */
        } else {
            v = (double)(int64_t)(x >> 20) / (double)(1u << (x & 15)) / 1000.0;
        }
        fixed_check(a, v, (unsigned)(x >> 61) & 3u, &bad);
    }
    CU_ASSERT_EQUAL(bad, 0);
    arena_free(a);
}

/* the header's texts have printf's bytes for every byte value */
static void test_header_texts(void)
{
    struct fixture f;
    fixture_init(&f);
    f.d.have_devid = true;
    f.d.have_guid = true;
    f.d.info.lan_st = INFO_OK;
    f.d.info.have_ip = f.d.info.have_mac = true;
    f.d.devid.aux_len = 4;
    unsigned bad = 0;
    for (unsigned v = 0; v < 256; v++) {
        uint8_t b = (uint8_t)v, c = (uint8_t)(255 - v), e = (uint8_t)(v * 7);
        f.d.devid.fw_major = b;
        f.d.devid.fw_minor = c;
        f.d.devid.ipmi_version = e;
        const uint8_t aux[4] = {b, c, e, 0}, q[4] = {b, c, e, (uint8_t)(v / 3)};
        memcpy(f.d.devid.aux_fw, aux, 4);
        memcpy(f.d.info.ip, q, 4);
        memcpy(f.d.info.netmask, q, 4);
        memcpy(f.d.info.gateway, q, 4);
        const uint8_t mac[6] = {b, c, e, 0, 0xff, (uint8_t)(v / 3)};
        memcpy(f.d.info.mac, mac, 6);
        for (unsigned k = 0; k < 16; k++)
            f.d.guid[k] = (uint8_t)(v + 17 * k);
        struct snap_opts o = {.bmc_index = 1, .wall_s = 1, .mono_ns = 1};
        const struct store_bmc *sb = snap_build(&f.d, &o, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
        char w[64];
        snprintf(w, sizeof(w), "%u.%02x", b & 0x7fu, c);
        bad += strcmp(sb->devid.firmware, w) != 0;
        snprintf(w, sizeof(w), "%u.%u", e & 0x0fu, (unsigned)(e >> 4));
        bad += strcmp(sb->devid.ipmi_version, w) != 0;
        snprintf(w, sizeof(w), "%02x%02x%02x%02x", b, c, e, 0);
        bad += strcmp(sb->devid.aux_firmware, w) != 0;
        snprintf(w, sizeof(w), "%u.%u.%u.%u", q[0], q[1], q[2], q[3]);
        bad += strcmp(sb->info.ip_text, w) != 0;
        bad += strcmp(sb->info.netmask_text, w) != 0;
        bad += strcmp(sb->info.gateway_text, w) != 0;
        snprintf(w, sizeof(w), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                 mac[4], mac[5]);
        bad += strcmp(sb->info.mac_text, w) != 0;
        char *p = w; /* most significant byte first, 8-4-4-4-12 */
        for (int k = 15; k >= 0; k--)
            p += sprintf(p, "%s%02x", (k == 11 || k == 9 || k == 7 || k == 5) ? "-" : "",
                         f.d.guid[k]);
        bad += strcmp(sb->guid, w) != 0;
        store_bmc_unref(sb);
    }
    CU_ASSERT_EQUAL(bad, 0);
    fixture_free(&f);
}

static void test_pow10_table(void)
{
    for (int e = -20; e <= 20; e++)
        CU_ASSERT_EQUAL(snap_pow10(e), pow(10.0, e));
}

static void test_build_shares_parts(void)
{
    struct fixture f;
    fixture_init(&f);
    f.d.frur = fru_reader_new();
    f.d.fru_done = true;
    f.d.fru_read_ns = 100;
    struct snap_opts o = {.bmc_index = 1};
    const struct store_bmc *b1 = snap_build(&f.d, &o, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b1->fru);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b1->sel);
    /* nothing new in FRU and SEL: both parts shared, sensors rebuilt */
    const struct store_bmc *b2 = snap_build(&f.d, &o, b1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
    CU_ASSERT_PTR_EQUAL(b2->fru, b1->fru);
    CU_ASSERT_PTR_EQUAL(b2->sel, b1->sel);
    CU_ASSERT_PTR_NOT_EQUAL(b2->sensors, b1->sensors);
    CU_ASSERT_EQUAL(refs_of(&b1->fru->p), 2);
    CU_ASSERT_EQUAL(refs_of(&b1->sel->p), 2);
    /* the FRU reader's results may go once a snapshot holds them */
    fru_reader_free(f.d.frur);
    f.d.frur = NULL;
    const struct store_bmc *b2b = snap_build(&f.d, &o, b2);
    CU_ASSERT_PTR_EQUAL(b2b->fru, b1->fru);
    store_bmc_unref(b2b);
    f.d.frur = fru_reader_new();
    /* FRU re-read and SDR re-read (SEL sensor names may change): new parts */
    f.d.fru_read_ns = 200;
    f.d.sdr_gen++;
    const struct store_bmc *b3 = snap_build(&f.d, &o, b2);
    CU_ASSERT_PTR_NOT_EQUAL(b3->fru, b2->fru);
    CU_ASSERT_PTR_NOT_EQUAL(b3->sel, b2->sel);
    /* the store holds b3; dropping b1 and b2 frees their parts (LeakSanitizer) */
    struct store *s = store_new();
    store_publish(s, b3);
    store_apply(s);
    CU_ASSERT_EQUAL(refs_of(&b1->fru->p), 2);
    store_bmc_unref(b1);
    CU_ASSERT_EQUAL(refs_of(&b2->fru->p), 1);
    store_bmc_unref(b2);
    store_free(s);
    fru_reader_free(f.d.frur);
    fixture_free(&f);
}

/* sdr_share's build function for the test: the fixture's three sensors */
static const struct sdr_sensor *shared_src;
static struct sensor_set *build_shared(const struct sdr_repo *r, const char *label)
{
    (void)r;
    (void)label;
    struct sensor_set *set = calloc(1, sizeof(*set));
    set->s = malloc(3 * sizeof(*set->s));
    memcpy(set->s, shared_src, 3 * sizeof(*set->s));
    set->n = 3;
    return set;
}

static void free_shared(struct sensor_set *set)
{
    if (set)
        free(set->s);
    free(set);
}

/* A snapshot of a BMC whose SDR content is shared points at the shared
 * records (and their clean names) instead of copying them, and keeps the
 * content alive after the repository is gone. */
static void test_build_holds_shared_sdr(void)
{
    struct fixture f;
    fixture_init(&f);
    shared_src = f.s;
    static const uint8_t recs[] = {0x01, 0x00, 0x51, 0x01, 0x03, 0xde, 0xad, 0x01};
    struct sdr_repo *r = calloc(1, sizeof(*r));
    r->data = malloc(sizeof(recs));
    memcpy(r->data, recs, sizeof(recs));
    r->len = sizeof(recs);
    r->offset = calloc(1, sizeof(uint32_t));
    r->nrecords = 1;
    struct sdr_share_stats st0, st;
    sdr_share_stats(&st0);
    const struct sensor_set *set = sdr_share_intern(r, "test", build_shared, free_shared);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    f.d.repo = r;
    f.d.set = (struct sensor_set *)set;
    f.d.set_shared = true;
    struct snap_opts o = {.bmc_index = 1};
    const struct store_bmc *b = snap_build(&f.d, &o, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    const struct store_sensors *p = b->sensors;
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL(p->p.sdr_hold);
    CU_ASSERT_PTR_EQUAL(p->sdr, set->s);
    CU_ASSERT_EQUAL(p->nsdr, 3);
    /* P12V is clean: the row's name is the shared record's; "FAN \xb0" is cleaned into the part */
    const struct store_sensor *v12 = store_sensor_find(p, 1 + 0x20 + 256 * 0x20);
    const struct store_sensor *fan = store_sensor_find(p, 1 + 0x10 + 256 * 0x20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v12);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fan);
    CU_ASSERT_PTR_EQUAL(v12->name, set->s[0].name);
    CU_ASSERT_STRING_EQUAL(fan->name, "FAN \xc2\xb0");
    /* every record by index through the order array */
    CU_ASSERT_PTR_EQUAL(store_sdr_find(p, 1 + 0x10 + 256 * 0x20), &set->s[1]);
    CU_ASSERT_PTR_EQUAL(store_sdr_find(p, 1 + 0x21 + 256 * 0x20), &set->s[2]);
    CU_ASSERT_PTR_NULL(store_sdr_find(p, 1 + 0x22 + 256 * 0x20));
    /* the repository goes (an SDR re-read, the BMC removed): the content stays
     * while the snapshot holds it */
    sdr_repo_free(r);
    f.d.repo = NULL;
    f.d.set = NULL;
    sdr_share_stats(&st);
    CU_ASSERT_EQUAL(st.contents, st0.contents + 1);
    CU_ASSERT_EQUAL(st.refs, st0.refs); /* a snapshot's hold is not a repository */
    const struct sdr_sensor *s12 = store_sdr_find(p, 1 + 0x20 + 256 * 0x20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s12);
    CU_ASSERT_STRING_EQUAL(s12->name, "P12V");
    CU_ASSERT_STRING_EQUAL(v12->name, "P12V");
    store_bmc_unref(b);
    sdr_share_stats(&st);
    CU_ASSERT_EQUAL(st.contents, st0.contents);
    fixture_free(&f);
}

int main(void)
{
    static CU_TestInfo text_tests[] = {
        {"ASCII and valid UTF-8 are kept", test_text_ascii_and_utf8_kept},
        {"invalid UTF-8 bytes are Latin-1", test_text_latin1},
        {"control characters become U+FFFD", test_text_controls},
        {"lengths, cut at a character", test_text_lengths_and_cut},
        CU_TEST_INFO_NULL,
    };
    static CU_TestInfo store_tests[] = {
        {"publish, apply, replace, remove, lower_bound", test_container_publish_apply},
        {"eventfd signals publications", test_eventfd_signals},
        {"roster generation: joins, leaves, address changes only", test_roster_generation},
        {"parts shared, references reach zero", test_parts_shared_refcounts},
        {"a copy with control columns", test_with_control},
        {"publishing from 4 threads", test_threads},
        CU_TEST_INFO_NULL,
    };
    static CU_TestInfo build_tests[] = {
        {"precision, scaled values, value texts", test_build_numbers},
        {"value texts are printf's bytes", test_fixed_text},
        {"powers of ten are pow's", test_pow10_table},
        {"header texts are printf's bytes", test_header_texts},
        {"unchanged parts are shared", test_build_shares_parts},
        {"a shared SDR content is held, not copied", test_build_holds_shared_sdr},
        CU_TEST_INFO_NULL,
    };
    static CU_SuiteInfo suites[] = {
        {"text", NULL, NULL, NULL, NULL, text_tests},
        {"store", NULL, NULL, NULL, NULL, store_tests},
        {"snap_build", NULL, NULL, NULL, NULL, build_tests},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_store", suites);
}
