/*
 * test_events.c - agent/events.c, the notifications as a view of snapshot
 * transitions: SEL entries exactly once (baseline, new entries, re-reads
 * after a reconnect, a restart with the state file), the PET/SEL dedupe in
 * both orders, sensor status changes only on change, BMC state changes.
 * Synthetic snapshots go through a real store with events_observe() as its
 * observer; a recording sink counts what would be sent.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "ev.h"
#include "events.h"
#include "sel.h"
#include "store.h"
#include "unit.h"

/* ---- recording sink ----------------------------------------------------------------- */

static struct {
    int platform, sensor, state;
    uint16_t last_record;
    uint8_t last_old_status, last_new_status, last_old_state, last_new_state;
} rec;

static void on_platform(void *arg, const struct store_bmc *b, const struct notify_event *e)
{
    (void)arg;
    (void)b;
    rec.platform++;
    rec.last_record = e->record_id;
    CU_ASSERT_EQUAL(e->source, NOTIFY_SRC_SEL);
}

static void on_sensor(void *arg, const struct store_bmc *b, const struct store_sensor *old,
                      const struct store_sensor *now)
{
    (void)arg;
    (void)b;
    rec.sensor++;
    rec.last_old_status = old->status;
    rec.last_new_status = now->status;
}

static void on_state(void *arg, const struct store_bmc *b, uint8_t old)
{
    (void)arg;
    rec.state++;
    rec.last_old_state = old;
    rec.last_new_state = b->state;
}

static const struct events_sink sink = {
    .platform = on_platform, .sensor = on_sensor, .bmc_state = on_state};

/* ---- synthetic snapshots --------------------------------------------------------------- */

struct sel_spec {
    uint32_t seq;
    uint16_t record_id;
    uint32_t time;
    uint8_t sensor, data1;
};

static const struct store_bmc *snap(uint32_t index, uint8_t state, const uint8_t *status,
                                    size_t nsens, const struct store_sensors *share,
                                    const struct sel_spec *sel, size_t nsel)
{
    struct store_arena *ar = arena_new(1024);
    struct store_bmc *b = arena_alloc(ar, sizeof(*b));
    memset(b, 0, sizeof(*b));
    atomic_init(&b->refs, 1);
    b->arena = ar;
    b->index = index;
    b->name = "bmc";
    b->address = "127.0.0.1:623";
    b->state = state;
    if (share) {
        b->sensors = store_sensors_ref(share);
    } else if (status) {
        struct store_arena *a = arena_new(1024);
        struct store_sensors *p = arena_alloc(a, sizeof(*p));
        memset(p, 0, sizeof(*p));
        atomic_init(&p->p.refs, 1);
        p->p.arena = a;
        p->p.n = (uint32_t)nsens;
        p->s = arena_alloc(a, nsens * sizeof(*p->s));
        memset(p->s, 0, nsens * sizeof(*p->s));
        for (size_t i = 0; i < nsens; i++) {
            p->s[i].index = (uint32_t)i + 1;
            p->s[i].name = "Temp";
            p->s[i].status = status[i];
            p->s[i].states_text = "";
        }
        b->sensors = p;
    }
    if (sel) {
        struct store_arena *a = arena_new(1024);
        struct store_sels *p = arena_alloc(a, sizeof(*p));
        memset(p, 0, sizeof(*p));
        atomic_init(&p->p.refs, 1);
        p->p.arena = a;
        p->p.n = (uint32_t)nsel;
        p->e = arena_alloc(a, nsel * sizeof(*p->e));
        memset(p->e, 0, nsel * sizeof(*p->e));
        for (size_t i = 0; i < nsel; i++) {
            struct store_sel *e = &p->e[i];
            uint8_t *raw = arena_alloc(a, SEL_RECORD_LEN);
            e->raw = raw;
            e->index = sel[i].seq;
            e->kind = STORE_SEL_SYSTEM;
            e->has_time = true;
            /* the numbers live in the raw record (store_sel_fields) */
            raw[0] = (uint8_t)sel[i].record_id;
            raw[1] = (uint8_t)(sel[i].record_id >> 8);
            raw[2] = 0x02;
            memcpy(&raw[3], &sel[i].time, 4);
            raw[11] = sel[i].sensor;
            raw[12] = 0x01;
            raw[13] = sel[i].data1;
            raw[14] = 0x5f;
            raw[15] = 0x5a;
        }
        b->sel = p;
    }
    return b;
}

static struct store *st;
static struct events *evs;

static void setup(const char *state_dir)
{
    memset(&rec, 0, sizeof(rec));
    st = store_new();
    evs = events_new(&sink, &(struct events_opts){.state_dir = state_dir, .window_s = 60});
    store_set_observer(st, events_observe, evs);
}

static void teardown(void)
{
    store_free(st);
    events_free(evs);
}

static void put(const struct store_bmc *b)
{
    store_publish(st, b);
    store_apply(st);
}

static const struct sel_spec sel5[] = {
    {1, 0x10, 1700000000, 1, 0x51}, {2, 0x11, 1700000010, 1, 0x52}, {3, 0x12, 1700000020, 1, 0x53},
    {4, 0x13, 1700000030, 2, 0x54}, {5, 0x14, 1700000040, 2, 0x55},
};

static void test_sel_baseline_then_new(void)
{
    setup(NULL);
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, sel5, 3));
    CU_ASSERT_EQUAL(rec.platform, 0); /* what was there at start is not news */
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, sel5, 5));
    CU_ASSERT_EQUAL(rec.platform, 2);
    CU_ASSERT_EQUAL(rec.last_record, 0x14);
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, sel5, 5)); /* read again: nothing new */
    CU_ASSERT_EQUAL(rec.platform, 2);
    /* a reconnect re-reads the same entries into new ring positions */
    struct sel_spec again[5];
    memcpy(again, sel5, sizeof(again));
    for (int i = 0; i < 5; i++)
        again[i].seq += 5;
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, again, 5));
    CU_ASSERT_EQUAL(rec.platform, 2);
    teardown();
}

static void test_pet_then_sel_and_sel_then_pet(void)
{
    setup(NULL);
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, sel5, 3));
    /* the PET of entry 4 comes first: notified by the listener, remembered */
    uint8_t d4[3] = {0x54, 0x5f, 0x5a};
    CU_ASSERT_FALSE(events_pet(evs, events_key(1, 2, 0x01, false, d4), ev_monotonic_ns()));
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, sel5, 4));
    CU_ASSERT_EQUAL(rec.platform, 0); /* the SEL entry of that event: not again */
    /* entry 5 comes by the SEL first; its PET after: not notified */
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, sel5, 5));
    CU_ASSERT_EQUAL(rec.platform, 1);
    uint8_t d5[3] = {0x55, 0x5f, 0x5a};
    CU_ASSERT_TRUE(events_pet(evs, events_key(1, 2, 0x01, false, d5), ev_monotonic_ns()));
    /* another BMC's identical event is its own */
    CU_ASSERT_FALSE(events_pet(evs, events_key(2, 2, 0x01, false, d5), ev_monotonic_ns()));
    /* a deassertion is another event */
    CU_ASSERT_NOT_EQUAL(events_key(1, 2, 0x01, false, d5), events_key(1, 2, 0x01, true, d5));
    struct events_stats s;
    events_get_stats(evs, &s);
    CU_ASSERT_EQUAL(s.sel_dup_pet, 1);
    CU_ASSERT_EQUAL(s.pet_dup_sel, 1);
    teardown();
}

static void test_restart_state_file(void)
{
    char dir[] = "/tmp/test_events.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    setup(dir);
    put(snap(7, STORE_ST_OK, NULL, 0, NULL, sel5, 2));
    put(snap(7, STORE_ST_OK, NULL, 0, NULL, sel5, 3));
    CU_ASSERT_EQUAL(rec.platform, 1);
    teardown();
    char path[256];
    snprintf(path, sizeof(path), "%s/sel-7.state", dir);
    CU_ASSERT_EQUAL(access(path, R_OK), 0);

    /* the restarted bridge reads the same SEL (ring numbers start anew):
     * nothing is sent again */
    setup(dir);
    put(snap(7, STORE_ST_OK, NULL, 0, NULL, sel5, 3));
    CU_ASSERT_EQUAL(rec.platform, 0);
    teardown();

    /* two events came while it was down: exactly those */
    setup(dir);
    put(snap(7, STORE_ST_OK, NULL, 0, NULL, sel5, 5));
    CU_ASSERT_EQUAL(rec.platform, 2);
    CU_ASSERT_EQUAL(rec.last_record, 0x14);
    teardown();

    /* without a state file (first start): baseline, nothing */
    unlink(path);
    setup(dir);
    put(snap(7, STORE_ST_OK, NULL, 0, NULL, sel5, 5));
    CU_ASSERT_EQUAL(rec.platform, 0);
    teardown();
    unlink(path);
    rmdir(dir);
}

static void test_sensor_status_only_on_change(void)
{
    setup(NULL);
    uint8_t ok3[3] = {STORE_STATUS_OK, STORE_STATUS_OK, STORE_STATUS_OK};
    uint8_t warn[3] = {STORE_STATUS_OK, STORE_STATUS_WARNING, STORE_STATUS_OK};
    put(snap(1, STORE_ST_OK, ok3, 3, NULL, NULL, 0));
    put(snap(1, STORE_ST_OK, ok3, 3, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.sensor, 0); /* steady state */
    put(snap(1, STORE_ST_OK, warn, 3, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.sensor, 1);
    CU_ASSERT_EQUAL(rec.last_old_status, STORE_STATUS_OK);
    CU_ASSERT_EQUAL(rec.last_new_status, STORE_STATUS_WARNING);
    /* the same part shared by the next snapshot: no change, no work */
    const struct store_bmc *cur = store_find(st, 1);
    put(snap(1, STORE_ST_OK, NULL, 0, cur->sensors, NULL, 0));
    put(snap(1, STORE_ST_OK, warn, 3, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.sensor, 1);
    put(snap(1, STORE_ST_OK, ok3, 3, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.sensor, 2);
    CU_ASSERT_EQUAL(rec.last_new_status, STORE_STATUS_OK);
    /* an unreachable BMC's snapshot without sensors: no sensor notifications */
    put(snap(1, STORE_ST_UNREACHABLE, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.sensor, 2);
    teardown();
}

static void test_bmc_state_changes(void)
{
    setup(NULL);
    put(snap(1, STORE_ST_CONNECTING, NULL, 0, NULL, NULL, 0));
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.state, 0); /* coming up is not news */
    put(snap(1, STORE_ST_POLLING, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.state, 0);
    put(snap(1, STORE_ST_UNREACHABLE, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.state, 1);
    CU_ASSERT_EQUAL(rec.last_new_state, STORE_ST_UNREACHABLE);
    put(snap(1, STORE_ST_UNREACHABLE, NULL, 0, NULL, NULL, 0));
    put(snap(1, STORE_ST_CONNECTING, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.state, 1);
    put(snap(1, STORE_ST_OK, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.state, 2);
    CU_ASSERT_EQUAL(rec.last_old_state, STORE_ST_UNREACHABLE);
    CU_ASSERT_EQUAL(rec.last_new_state, STORE_ST_OK);
    put(snap(1, STORE_ST_AUTH_FAILED, NULL, 0, NULL, NULL, 0));
    put(snap(1, STORE_ST_TIMEOUT, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.state, 4); /* one error to another */
    /* a BMC that is in error from the start: notified */
    put(snap(2, STORE_ST_AUTH_FAILED, NULL, 0, NULL, NULL, 0));
    CU_ASSERT_EQUAL(rec.state, 5);
    teardown();
}

int main(void)
{
    static CU_TestInfo tests[] = {
        {"SEL: baseline, new entries once, re-reads", test_sel_baseline_then_new},
        {"PET/SEL dedupe both ways", test_pet_then_sel_and_sel_then_pet},
        {"restart: the state file", test_restart_state_file},
        {"sensor status only on change", test_sensor_status_only_on_change},
        {"BMC state changes", test_bmc_state_changes},
        CU_TEST_INFO_NULL,
    };
    static CU_SuiteInfo suites[] = {{"events", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return unit_run("test_events", suites);
}
