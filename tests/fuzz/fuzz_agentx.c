/*
 * fuzz_agentx.c - the AgentX request path as our handlers see it: OIDs and
 * indices of GET, GETNEXT and SET (RESERVE1/2) varbinds run through the
 * handlers agentx.c registers (agentx_int.h: no master agent), against a
 * small synthetic store built once.  The same in BMCs' SNMPv3 contexts (the
 * standard MIBs: entPhysicalTable, entPhySensorTable and the BMC's own
 * IPMI-BRIDGE-MIB rows), each walked and checked against the default
 * context's walk and the store, and in a context no BMC has (no rows).
 *
 * At start the whole MIB is walked with GETNEXT (the registrations in OID
 * order, as Net-SNMP's agent dispatches them) and every instance is kept with
 * its value.  Then each request of the input is checked against that walk:
 * a GETNEXT answers the first walked instance after its name (or nothing at
 * the end of the MIB), within the subtree it was asked of; a GET answers the
 * walked value exactly when its name was walked, noSuchObject/noSuchInstance
 * otherwise; a SET never reaches the control callback before ACTION.
 *
 * Input: requests back to back.  Each: an op byte (bits 0-1: GET, GETNEXT,
 * GETNEXT inclusive, SET; bit 2: the name starts with ipmiBridgeObjects;
 * bit 3 of a GETNEXT: walk on from the answer for (next byte mod 32) more
 * GETNEXTs; bits 4-5: SET varbinds - 1; bits 6-7: the context, see `views`),
 * then per varbind a length byte (mod 129
 * sub-identifiers) and the sub-identifiers: a byte below F0h is itself,
 * F0h-F7h takes the next 4 bytes (big-endian), F8h-FFh the next 8; a SET
 * varbind then has a type byte (mod 4: INTEGER, OCTET STRING of 0-4 bytes,
 * Unsigned32, NULL) and 4 value bytes.
 */
// clang-format off
// fuzz-sources: -I agent agent/agentx.c agent/entity.c agent/control_snmp.c src/codec/asf.c src/codec/chassis_ctl.c src/codec/fru.c src/codec/ipmi_info.c src/codec/ipmi_msg.c src/codec/ipmi_tables.c src/codec/layout.c src/codec/pet.c src/codec/rmcpp.c src/codec/rmcpp_crypto.c src/codec/sdr.c src/codec/sel.c src/codec/sensor.c src/codec/sink.c src/store/arena.c src/store/snap_build.c src/store/store.c src/store/text.c src/util/atomic_file.c src/util/index_map.c src/util/log.c src/view/ent_sensor.c src/poll/ev.c src/poll/sdr_share.c src/poll/sel_reader.c src/poll/bmc.c src/poll/sensor_poll.c src/poll/fru_reader.c src/poll/info_reader.c src/poll/sdr_repo.c
// fuzz-libs: -lnetsnmpagent -lnetsnmp -lcrypto
// clang-format on
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentx_int.h"
#include "arena.h"
#include "chassis_ctl.h"
#include "sdr.h"
#include "sel.h"
#include "store.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_agentx: %s:%d: %s\n", __FILE__, __LINE__, #c);                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* a monotonic time in the future: every age is 0, so values do not move */
#define FUTURE_NS (UINT64_C(1) << 62)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* src/poll/control.c (the poller's side, not linked): control_snmp.c uses
 * these only from ACTION on, which the harness never runs */
const char *control_status_word(enum control_status s)
{
    (void)s;
    abort();
}
void control_req_describe(const struct control_req *req, char *buf, size_t len)
{
    (void)req, (void)buf, (void)len;
    abort();
}

/* ---- the synthetic store ----------------------------------------------------------- */

static struct store_bmc *new_bmc(uint32_t index, uint8_t state)
{
    struct store_arena *ar = arena_new(1024);
    struct store_bmc *b = arena_alloc(ar, sizeof(*b));
    CHECK(b);
    atomic_init(&b->refs, 1);
    b->arena = ar;
    b->index = index;
    b->name = arena_printf(ar, "bmc%u", index);
    b->address = arena_printf(ar, "192.0.2.%u:623", index % 250 + 1);
    b->state = state;
    b->cipher_suite = -1;
    b->poll_mono_ns = FUTURE_NS;
    return b;
}

static void *part(size_t head, size_t rows, size_t nrows, struct store_part **p)
{
    struct store_arena *ar = arena_new(4096);
    char *h = arena_alloc(ar, head);
    CHECK(h);
    *p = (struct store_part *)h;
    atomic_init(&(*p)->refs, 1);
    (*p)->arena = ar;
    (*p)->n = (uint32_t)nrows;
    void *r = nrows ? arena_alloc(ar, rows * nrows) : NULL;
    CHECK(!nrows || r);
    return r;
}

/* A threshold sensor record converting raw bytes 1:1 (M = 1, B = 0, no
 * exponents), for synthetic rows' thresholds (store_sensor_thr). */
static const struct sdr_sensor synthetic_sdr = {
    .value_kind = SDR_VALUE_ANALOG,
    .event_type = 1,
    .conv = {.m = 1, .fmt = SDR_FMT_UNSIGNED, .linearization = SDR_LIN_LINEAR, .rscale = 1.0},
};

static void add_sensors(struct store_bmc *b, const uint32_t *idx, size_t n)
{
    struct store_part *p;
    struct store_sensor *s = part(sizeof(struct store_sensors), sizeof(*s), n, &p);
    struct store_sensors *ss = (struct store_sensors *)p;
    ss->s = s;
    for (size_t i = 0; i < n; i++) {
        s[i].index = idx[i];
        s[i].number = (uint8_t)idx[i];
        s[i].name = i % 3 == 2 ? NULL : arena_printf(p->arena, "Sensor %zu", i);
        s[i].type = (uint8_t)(1 + i);
        s[i].type_name = "Temperature";
        s[i].event_type = i % 2 ? 0x6f : 1;
        s[i].analog = i % 2 == 0;
        s[i].thresholds = i % 2 == 0;
        s[i].has_value = i % 3 != 1; /* some without a reading */
        s[i].scaled_ok = s[i].has_value && i != 4;
        s[i].precision = (uint8_t)(i % 4);
        s[i].value = 21.5 + (double)i;
        s[i].value_scaled = (int32_t)(215 + i);
        s[i].value_text = s[i].has_value ? arena_printf(p->arena, "%.1f", s[i].value) : NULL;
        s[i].units = s[i].analog ? "degrees C" : NULL;
        s[i].status = (uint8_t)(i % STORE_STATUS__COUNT);
        s[i].states_text = "";
        s[i].unavailable_reason = s[i].has_value ? NULL : "no reading";
        s[i].sdr = &synthetic_sdr; /* raw thresholds convert 1:1 */
        s[i].thr_mask = (uint8_t)(i * 5);
        s[i].thr_raw[STORE_THR_UC] = 90;
        s[i].thr_raw[STORE_THR_LNR] = (uint8_t)(i * 37);
        s[i].read_mono_ns = FUTURE_NS;
    }
    b->sensors = ss;
    b->nsensors = (uint32_t)n;
}

static void add_frus(struct store_bmc *b, const uint8_t *ids, size_t n)
{
    struct store_part *p;
    struct store_fru *f = part(sizeof(struct store_frus), sizeof(*f), n, &p);
    struct store_frus *fs = (struct store_frus *)p;
    fs->f = f;
    static const char *custom[] = {"custom one", "custom two"};
    static const struct store_kv kv[] = {{"capacity_w", STORE_KV_INT, 750, NULL},
                                         {"hot_swap", STORE_KV_BOOL, 1, NULL},
                                         {"note", STORE_KV_STR, 0, "x y"},
                                         {"absent", STORE_KV_NULL, 0, NULL}};
    for (size_t i = 0; i < n; i++) {
        f[i].id = ids[i];
        f[i].index = (uint32_t)ids[i] + 1;
        f[i].name = arena_printf(p->arena, "FRU %u", ids[i]);
        f[i].status = (uint8_t)(i % 3);
        f[i].status_word = i % 3 ? "partial" : "ok";
        f[i].parsed = i % 3 != 2;
        for (unsigned k = 0; k < STORE_FRU_AREA__COUNT; k++) {
            struct store_fru_area *ar = &f[i].area[k];
            ar->present = (i + k) % 2 == 0 || k == STORE_FRU_BOARD;
            ar->checksum_ok = k != STORE_FRU_PRODUCT;
            ar->problem = ar->checksum_ok ? NULL : "bad_checksum";
            ar->field[STORE_FRU_MANUFACTURER] = "Acme";
            ar->field[STORE_FRU_SERIAL_NUMBER] = k == STORE_FRU_BOARD ? "SN123" : NULL;
            ar->chassis_type = 0x17;
            ar->chassis_type_name = "Rack Mount Chassis";
            ar->mfg_datetime = k == STORE_FRU_BOARD ? "2024-01-15T12:00:00Z" : NULL;
            ar->mfg_time = k == STORE_FRU_BOARD ? 1705320000 : -1;
            ar->ncustom = (uint8_t)((i + k) % 3);
            ar->custom = custom;
        }
        if (i == 0) {
            struct store_fru_mr *mr = arena_alloc(p->arena, 2 * sizeof(*mr));
            CHECK(mr);
            mr[0] = (struct store_fru_mr){.type = 0,
                                          .type_name = "power_supply",
                                          .description = "PSU",
                                          .checksum_ok = true,
                                          .data_hex = "001291 0102",
                                          .nfields = 4,
                                          .fields = kv};
            mr[1] = (struct store_fru_mr){.type = 0xc0, .data_hex = "zz"};
            f[i].nmr = 2;
            f[i].mr = mr;
        }
    }
    b->fru = fs;
}

static void add_sels(struct store_bmc *b, const uint32_t *idx, size_t n)
{
    struct store_part *p;
    struct store_sel *e = part(sizeof(struct store_sels), sizeof(*e), n, &p);
    struct store_sels *es = (struct store_sels *)p;
    es->e = e;
    for (size_t i = 0; i < n; i++) {
        /* the numbers and texts come from the raw record (store_sel_fields,
         * store_sel_texts): a system event, a timestamped OEM record, a
         * non-timestamped one in turn */
        uint8_t *r = arena_alloc(p->arena, SEL_RECORD_LEN);
        e[i].raw = r;
        for (unsigned k = 0; k < 16; k++)
            r[k] = (uint8_t)(i * 16 + k);
        uint32_t t = 1700000000u + (uint32_t)i;
        e[i].index = idx[i];
        e[i].kind = (i % 3) & 3u;
        e[i].has_time = i % 3 != 2;
        e[i].severity = (i % 4) & 7u;
        r[0] = (uint8_t)(i + 1);
        r[1] = (uint8_t)((i + 1) >> 8);
        r[2] = e[i].kind == STORE_SEL_SYSTEM   ? 0x02
               : e[i].kind == STORE_SEL_OEM_TS ? (uint8_t)(0xc0 + i % 32)
                                               : (uint8_t)(0xe0 + i % 32);
        if (e[i].kind != STORE_SEL_OEM_NOTS)
            for (unsigned k = 0; k < 4; k++)
                r[3 + k] = (uint8_t)(t >> (8 * k));
        if (e[i].kind == STORE_SEL_SYSTEM) {
            r[10] = 1;    /* temperature */
            r[11] = 0x30; /* sensor number */
            r[12] = 1;    /* threshold, assertion */
        } else if (e[i].kind == STORE_SEL_OEM_TS) {
            r[7] = 343 & 0xff; /* manufacturer ID 343 */
            r[8] = 343 >> 8;
            r[9] = 0;
        }
    }
    b->sel = es;
}

static void fill_store(struct store *s)
{
    /* a full BMC */
    struct store_bmc *b = new_bmc(2, STORE_ST_OK);
    b->cipher_suite = 17;
    b->has_devid = b->has_guid = b->has_chassis = true;
    b->devid.device_id = 0x20;
    b->devid.manufacturer_id = 343;
    snprintf(b->devid.firmware, sizeof(b->devid.firmware), "9.08");
    snprintf(b->devid.ipmi_version, sizeof(b->devid.ipmi_version), "2.0");
    snprintf(b->guid, sizeof(b->guid), "00112233-4455-6677-8899-aabbccddeeff");
    b->chassis.power_on = true;
    b->poll_wall_s = 1700000000;
    b->counters.bad_packets = 3;
    b->counters.bad_reason[1] = 2;
    b->counters.bad_reason[CODEC_E__COUNT - 1] = 1;
    b->has_sel_stats = true;
    b->sel_stats.ok = true;
    b->info.poh_st = STORE_INFO_OK;
    b->info.poh_word = "ok";
    b->info.poh_hours = 1234;
    b->info.lan_st = STORE_INFO_OK;
    b->info.lan_word = "ok";
    b->info.has_ip = b->info.has_mac = b->info.has_vlan = true;
    b->info.ip[0] = 192;
    b->info.mac[5] = 1;
    b->info.vlan_id = 7;
    b->info.dcmi_st = STORE_INFO_UNSUPPORTED;
    b->info.dcmi_word = "not_supported";
    b->control.power = CTL_POWER_ON;
    b->control.last_result = "ok";
    add_sensors(b, (const uint32_t[]){1, 2, 0x30, 0x31, 0x3000, 0xffffffffu}, 6);
    add_frus(b, (const uint8_t[]){0, 3, 255}, 3);
    add_sels(b, (const uint32_t[]){5, 6, 7, 0xffffffffu}, 4);
    CHECK(store_publish(s, b) == 0);

    /* unreachable, never read: no parts */
    b = new_bmc(5, STORE_ST_UNREACHABLE);
    b->error = arena_printf(b->arena, "bmc5 (192.0.2.6:623): no answer");
    b->counters.bad_packets = 1;
    CHECK(store_publish(s, b) == 0);

    /* parts read but empty */
    b = new_bmc(6, STORE_ST_DEGRADED);
    add_sensors(b, NULL, 0);
    add_frus(b, NULL, 0);
    add_sels(b, NULL, 0);
    CHECK(store_publish(s, b) == 0);

    /* the highest index there is */
    b = new_bmc(0xffffffffu, STORE_ST_OK);
    b->counters.bad_reason[2] = 5;
    add_sensors(b, (const uint32_t[]){7}, 1);
    add_frus(b, (const uint8_t[]){1}, 1);
    add_sels(b, (const uint32_t[]){0, 1}, 2);
    CHECK(store_publish(s, b) == 0);
    store_apply(s);
}

/* ---- requests as the master agent makes them ----------------------------------------- */

static struct agentx *agent;
static oid objects[MAX_OID_LEN]; /* ipmiBridgeObjects */
static size_t objects_len;

static enum control_status no_start(void *ctx, uint32_t bmc_index, const struct control_req *req,
                                    void (*done)(void *arg, const struct control_result *res),
                                    void *arg, struct control_result *now)
{
    (void)ctx, (void)bmc_index, (void)req, (void)done, (void)arg, (void)now;
    CHECK(!"a SET reached the control callback before ACTION");
    return CONTROL_E_DISABLED;
}
static const struct agentx_control control = {no_start, NULL, 1000};
static const struct agentx_counters counters = {10, 2, 8};

static bool is_prefix(const oid *p, size_t plen, const oid *name, size_t len)
{
    return len >= plen && snmp_oid_compare(name, plen, p, plen) == 0;
}

static netsnmp_variable_list *new_vb(const oid *name, size_t len)
{
    netsnmp_variable_list *vb = calloc(1, sizeof(*vb));
    CHECK(vb);
    CHECK(snmp_set_var_objid(vb, name, len) == 0);
    vb->type = ASN_NULL;
    return vb;
}

/* ---- views: the default context, and BMCs' contexts (standard MIBs) -------------------- */

struct inst {
    oid name[MAX_OID_LEN];
    size_t len;
    u_char type;
    size_t vlen;
    uint8_t *val;
};

struct view {
    const char *ctx;   /* NULL: the default context */
    uint32_t bmc;      /* the context's BMC (0: none, an unknown context) */
    struct inst *walk; /* every instance, in order */
    size_t nwalk;
};
/* the default context; bmc2's (every part) and the highest index's; a
 * context no BMC has */
static struct view views[] = {{NULL, 0, NULL, 0},
                              {"bmc2", 2, NULL, 0},
                              {"bmc4294967295", 0xffffffffu, NULL, 0},
                              {"nosuch", 0, NULL, 0}};
static struct view *cur = &views[0];

static size_t ntables(void)
{
    return cur->ctx ? agentx_int_ctx_ntables() : agentx_int_ntables();
}

static size_t subtree(size_t t, oid *out)
{
    return cur->ctx ? agentx_int_ctx_subtree(t, out) : agentx_int_subtree(t, out);
}

static int handle(size_t t, int mode, netsnmp_request_info *r)
{
    return cur->ctx ? agentx_int_ctx_handle(agent, t, cur->ctx, mode, r)
                    : agentx_int_handle(agent, t, mode, r);
}

/* One GETNEXT through every registration from the one holding or after
 * `name`, as Net-SNMP's agent does.  True with the answer in vb. */
static bool getnext(const oid *name, size_t len, bool inclusive, netsnmp_variable_list **out)
{
    for (size_t t = 0; t < ntables(); t++) {
        oid sub[MAX_OID_LEN];
        size_t slen = subtree(t, sub);
        netsnmp_request_info r = {0};
        netsnmp_variable_list *vb;
        if (is_prefix(sub, slen, name, len)) {
            vb = new_vb(name, len);
            r.inclusive = inclusive;
        } else if (snmp_oid_compare(name, len, sub, slen) < 0) {
            vb = new_vb(sub, slen);
            r.inclusive = 1;
        } else {
            continue;
        }
        r.requestvb = vb;
        CHECK(handle(t, MODE_GETNEXT, &r) == SNMP_ERR_NOERROR);
        if (vb->type != ASN_NULL) {
            /* an instance of this subtree, after (or at, inclusive) the name */
            CHECK(is_prefix(sub, slen, vb->name, vb->name_length));
            int c = snmp_oid_compare(vb->name, vb->name_length, name, len);
            CHECK(c > 0 || (c == 0 && inclusive));
            CHECK(vb->type != SNMP_NOSUCHOBJECT && vb->type != SNMP_NOSUCHINSTANCE &&
                  vb->type != SNMP_ENDOFMIBVIEW);
            CHECK(!r.processed && r.status == 0);
            *out = vb;
            return true;
        }
        snmp_free_var(vb);
    }
    return false;
}

/* GET: answered by the registration holding the name; none: noSuchObject. */
static netsnmp_variable_list *get(const oid *name, size_t len)
{
    netsnmp_variable_list *vb = new_vb(name, len);
    for (size_t t = 0; t < ntables(); t++) {
        oid sub[MAX_OID_LEN];
        size_t slen = subtree(t, sub);
        if (!is_prefix(sub, slen, name, len))
            continue;
        netsnmp_request_info r = {.requestvb = vb};
        CHECK(handle(t, MODE_GET, &r) == SNMP_ERR_NOERROR);
        CHECK(snmp_oid_compare(vb->name, vb->name_length, name, len) == 0);
        CHECK(r.status == 0);
        CHECK((vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE) ==
              (r.processed != 0));
        CHECK(vb->type != ASN_NULL);
        return vb;
    }
    vb->type = SNMP_NOSUCHOBJECT;
    return vb;
}

/* ---- the walk: every instance of the MIB, in order ------------------------------------ */

static void do_walk(void)
{
    oid name[MAX_OID_LEN] = {1};
    size_t len = 1; /* before everything */
    size_t cap = 0;
    netsnmp_variable_list *vb;
    while (getnext(name, len, false, &vb)) {
        if (cur->nwalk == cap) {
            cap = cap ? 2 * cap : 256;
            cur->walk = realloc(cur->walk, cap * sizeof(*cur->walk));
            CHECK(cur->walk);
        }
        struct inst *w = &cur->walk[cur->nwalk++];
        memcpy(w->name, vb->name, vb->name_length * sizeof(oid));
        w->len = vb->name_length;
        w->type = vb->type;
        w->vlen = vb->val_len;
        w->val = malloc(vb->val_len ? vb->val_len : 1);
        CHECK(w->val);
        if (vb->val_len)
            memcpy(w->val, vb->val.string, vb->val_len);
        memcpy(name, vb->name, vb->name_length * sizeof(oid));
        len = vb->name_length;
        snmp_free_var(vb);
        CHECK(cur->nwalk < 100000);
    }
    if (!cur->ctx)
        CHECK(cur->nwalk > 100); /* the store's tables are all there */
    else
        CHECK((cur->nwalk > 0) == (cur->bmc != 0)); /* an unknown context has nothing */
}

/* The first walked instance > name (>= when inclusive); cur->nwalk: none. */
static size_t walk_after(const oid *name, size_t len, bool inclusive)
{
    size_t lo = 0, hi = cur->nwalk;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = snmp_oid_compare(cur->walk[mid].name, cur->walk[mid].len, name, len);
        if (c > 0 || (c == 0 && inclusive))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void same_value(const struct inst *w, const netsnmp_variable_list *vb)
{
    CHECK(snmp_oid_compare(w->name, w->len, vb->name, vb->name_length) == 0);
    CHECK(w->type == vb->type);
    CHECK(w->vlen == vb->val_len);
    CHECK(!w->vlen || memcmp(w->val, vb->val.string, w->vlen) == 0);
}

/* The walk of the current view answers itself, GET by GET, in order. */
static void walk_and_check(void)
{
    do_walk();
    for (size_t i = 0; i < cur->nwalk; i++) {
        CHECK(i == 0 || snmp_oid_compare(cur->walk[i - 1].name, cur->walk[i - 1].len,
                                         cur->walk[i].name, cur->walk[i].len) < 0);
        netsnmp_variable_list *vb = get(cur->walk[i].name, cur->walk[i].len);
        same_value(&cur->walk[i], vb);
        snmp_free_var(vb);
    }
}

static bool same_inst(const struct inst *a, const struct inst *b)
{
    return snmp_oid_compare(a->name, a->len, b->name, b->len) == 0 && a->type == b->type &&
           a->vlen == b->vlen && (!a->vlen || memcmp(a->val, b->val, a->vlen) == 0);
}

/*
 * A BMC's context against the default one and the store: its IPMI-BRIDGE-MIB
 * instances are exactly the default context's per-BMC instances of that
 * BMC; entPhySensorTable has a row per sensor with units, whose value is
 * ipmiSensorValue's; entPhysicalTable has those rows and one per FRU.
 */
static void check_context(const struct view *v, const struct view *d, struct store *s)
{
    size_t k = 0, nsens = 0, nphys = 0;
    static const oid ent_value[] = {1, 3, 6, 1, 2, 1, 99, 1, 1, 1, 4};
    static const oid ent_class[] = {1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 5};
    const struct store_bmc *b = store_find(s, v->bmc);
    CHECK(b);
    for (size_t i = 0; i < d->nwalk; i++) {
        const struct inst *w = &d->walk[i];
        if (w->len <= objects_len + 3 || w->name[objects_len] < 3 ||
            w->name[objects_len + 3] != v->bmc)
            continue; /* not a per-BMC row of this BMC */
        while (k < v->nwalk && !is_prefix(objects, objects_len, v->walk[k].name, v->walk[k].len))
            k++;
        CHECK(k < v->nwalk && same_inst(w, &v->walk[k]));
        k++;
    }
    for (; k < v->nwalk; k++) /* nothing else of IPMI-BRIDGE-MIB */
        CHECK(!is_prefix(objects, objects_len, v->walk[k].name, v->walk[k].len));
    for (size_t i = 0; i < v->nwalk; i++) {
        const struct inst *w = &v->walk[i];
        if (is_prefix(ent_class, 12, w->name, w->len))
            nphys++;
        if (!is_prefix(ent_value, 11, w->name, w->len))
            continue;
        CHECK(w->len == 12);
        const struct store_sensor *ss = store_sensor_find(b->sensors, (uint32_t)w->name[11]);
        CHECK(ss && ss->analog && ss->units);
        long x;
        CHECK(w->type == ASN_INTEGER && w->vlen == sizeof(x));
        memcpy(&x, w->val, sizeof(x));
        CHECK(x == (ss->has_value && ss->scaled_ok ? ss->value_scaled : 0) ||
              (ss->has_value && !ss->scaled_ok));
        nsens++;
    }
    size_t want = 0;
    for (uint32_t i = 0; b->sensors && i < b->sensors->p.n; i++)
        want += b->sensors->s[i].analog && b->sensors->s[i].units;
    CHECK(nsens == want);
    CHECK(nphys == want + (b->fru ? b->fru->p.n : 0));
}

static void init(void)
{
    static struct store *s;
    if (s)
        return;
    s = store_new();
    CHECK(s);
    fill_store(s);
    struct agentx_opts o = {.counters = &counters, .start_wall_s = 1700000000, .control = &control};
    agent = agentx_int_new(s, &o);
    CHECK(agent);
    objects_len = agentx_int_subtree(0, objects) - 1;
    for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
        cur = &views[i];
        if (cur->ctx && cur->bmc)
            CHECK(agentx_int_add_context(agent, cur->ctx, cur->bmc) == 0);
        walk_and_check();
        if (cur->ctx && cur->bmc)
            check_context(cur, &views[0], s);
        fprintf(stderr, "fuzz_agentx: %zu instances in the walk of context \"%s\"\n", cur->nwalk,
                cur->ctx ? cur->ctx : "");
    }
    cur = &views[0];
}

/* ---- the input ------------------------------------------------------------------------- */

struct in {
    const uint8_t *p;
    size_t n;
};

static unsigned byte(struct in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static size_t read_oid(struct in *in, bool rooted, oid *name)
{
    size_t len = 0;
    if (rooted) {
        memcpy(name, objects, objects_len * sizeof(oid));
        len = objects_len;
    }
    size_t k = byte(in) % (MAX_OID_LEN + 1);
    for (size_t i = 0; i < k && len < MAX_OID_LEN && in->n; i++) {
        unsigned b = byte(in);
        uint64_t v = b;
        if (b >= 0xf0) {
            unsigned bytes = b >= 0xf8 ? 8 : 4;
            v = 0;
            for (unsigned j = 0; j < bytes; j++)
                v = v << 8 | byte(in);
        }
        name[len++] = (oid)v;
    }
    return len;
}

static void one_get(const oid *name, size_t len)
{
    netsnmp_variable_list *vb = get(name, len);
    size_t i = walk_after(name, len, true);
    if (i < cur->nwalk && snmp_oid_compare(cur->walk[i].name, cur->walk[i].len, name, len) == 0)
        same_value(&cur->walk[i], vb);
    else
        CHECK(vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE);
    snmp_free_var(vb);
}

/* The walk index of the answer; cur->nwalk: end of the MIB. */
static size_t one_getnext(const oid *name, size_t len, bool inclusive)
{
    netsnmp_variable_list *vb = NULL;
    bool got = getnext(name, len, inclusive, &vb);
    size_t i = walk_after(name, len, inclusive);
    CHECK(got == (i < cur->nwalk));
    if (got) {
        same_value(&cur->walk[i], vb);
        snmp_free_var(vb);
        /* a GET of the answer gives the same value */
        one_get(cur->walk[i].name, cur->walk[i].len);
    }
    return i;
}

static void one_set(struct in *in, unsigned nvb, bool rooted)
{
    netsnmp_request_info r[4];
    memset(r, 0, sizeof(r));
    for (unsigned i = 0; i < nvb; i++) {
        oid name[MAX_OID_LEN];
        size_t len = read_oid(in, rooted, name);
        r[i].requestvb = new_vb(name, len);
        unsigned type = byte(in);
        uint32_t v = 0;
        for (unsigned j = 0; j < 4; j++)
            v = v << 8 | byte(in);
        long x = (long)(int32_t)v;
        uint8_t bytes[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        switch (type % 4) {
        case 0: /* what a control column takes */
            snmp_set_var_typed_value(r[i].requestvb, ASN_INTEGER, &x, sizeof(x));
            break;
        case 1:
            snmp_set_var_typed_value(r[i].requestvb, ASN_OCTET_STR, bytes, type / 4 % 5);
            break;
        case 2:
            snmp_set_var_typed_value(r[i].requestvb, ASN_UNSIGNED, &x, sizeof(x));
            break;
        default:
            snmp_set_var_typed_value(r[i].requestvb, ASN_NULL, NULL, 0);
            break;
        }
        r[i].next = i + 1 < nvb ? &r[i + 1] : NULL;
        r[i].prev = i ? &r[i - 1] : NULL;
    }
    /* the registration of the first varbind, as the master groups them */
    const netsnmp_variable_list *first = r[0].requestvb;
    for (size_t t = 0; t < ntables(); t++) {
        oid sub[MAX_OID_LEN];
        size_t slen = subtree(t, sub);
        if (!is_prefix(sub, slen, first->name, first->name_length))
            continue;
        CHECK(handle(t, MODE_SET_RESERVE1, r) == SNMP_ERR_NOERROR);
        CHECK(handle(t, MODE_SET_RESERVE2, r) == SNMP_ERR_NOERROR);
        if (t != 2 || cur->ctx) /* only ipmiBmcTable has writable columns (not in a context) */
            for (unsigned i = 0; i < nvb; i++)
                CHECK(r[i].status == SNMP_ERR_NOTWRITABLE);
        break;
    }
    for (unsigned i = 0; i < nvb; i++)
        snmp_free_var(r[i].requestvb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    struct in in = {data, size};
    for (unsigned steps = 0; in.n && steps < 64; steps++) {
        unsigned op = byte(&in);
        bool rooted = op & 4;
        cur = &views[op >> 6]; /* bits 6-7: the context */
        if ((op & 3) == 3) {
            one_set(&in, 1 + (op >> 4 & 3), rooted);
            continue;
        }
        oid name[MAX_OID_LEN];
        size_t len = read_oid(&in, rooted, name);
        if ((op & 3) == 0)
            one_get(name, len);
        else {
            size_t i = one_getnext(name, len, (op & 3) == 2);
            /* bit 3: walk on from the answer (the cursor hint's path) */
            for (unsigned k = op & 8 ? byte(&in) % 32 : 0; k && i < cur->nwalk; k--) {
                size_t j = one_getnext(cur->walk[i].name, cur->walk[i].len, false);
                CHECK(j == i + 1);
                i = j;
            }
        }
    }
    return 0;
}
