/*
 * entity.c - ENTITY-MIB's entPhysicalTable and entLogicalTable and
 * ENTITY-SENSOR-MIB's entPhySensorTable, read from the store's snapshots
 * (see entity.h).  agentx.c's request path does the searching: these are
 * the seek / next / index / value functions of each table, O(log rows) to
 * seek and O(1) per value.  The numbers of a sensor come from
 * src/view/ent_sensor.c; every text is one the snapshot already holds.
 */
#include "entity.h"

#include <string.h>

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "ent_sensor.h"
#include "ev.h"
#include "mib_root.h"

/* ---- values --------------------------------------------------------------------- */

static bool e_int(netsnmp_variable_list *vb, long v)
{
    snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
    return true;
}

static bool e_uns(netsnmp_variable_list *vb, u_char type, uint32_t v)
{
    u_long x = v;
    snmp_set_var_typed_value(vb, type, &x, sizeof(x));
    return true;
}

/* An absent text is the empty string: ENTITY-MIB's columns are all there. */
static bool e_str(netsnmp_variable_list *vb, const char *s)
{
    if (!s)
        s = "";
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, s, strlen(s));
    return true;
}

static bool e_oid(netsnmp_variable_list *vb, const oid *o, size_t n)
{
    snmp_set_var_typed_value(vb, ASN_OBJECT_ID, o, n * sizeof(oid));
    return true;
}

static const oid zero_dot_zero[] = {0, 0}; /* AutonomousType "unknown" */

bool entity_context_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 1 && n <= 32; /* SnmpAdminString (SIZE (0..32)), not the default "" */
}

/* ---- entPhysicalTable: served sensors, then FRU devices ---------------------------- */

static uint32_t nsens(const struct store_bmc *b)
{
    return b->sensors ? b->sensors->p.n : 0;
}

static uint32_t nfru(const struct store_bmc *b)
{
    return b->fru ? b->fru->p.n : 0;
}

/* From position p->a on (sensors 0..nsens-1, then FRUs), the first row. */
static bool phys_settle(const struct store_bmc *b, struct pos *p)
{
    uint32_t ns = nsens(b);
    while (p->a < ns && !ent_sensor_served(&b->sensors->s[p->a]))
        p->a++;
    return p->a < ns + nfru(b);
}

static bool phys_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    if (k[0] <= ENTITY_FRU_BASE)
        p->a = store_sensor_lower_bound(b->sensors, k[0]);
    else
        p->a = nsens(b) + store_fru_lower_bound(b->fru, k[0] - ENTITY_FRU_BASE);
    return phys_settle(b, p);
}

static bool phys_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    p->a++;
    return phys_settle(b, p);
}

static void phys_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    uint32_t ns = nsens(b);
    out[0] = p->a < ns ? b->sensors->s[p->a].index : ENTITY_FRU_BASE + b->fru->f[p->a - ns].index;
}

static const struct store_fru_area *area(const struct store_fru *f, unsigned k)
{
    return f->parsed && f->area[k].present ? &f->area[k] : NULL;
}

/* The first of the areas' field `fld` that is there (product, board, chassis). */
static const char *fru_field(const struct store_fru *f, enum store_fru_fld fld)
{
    static const unsigned order[] = {STORE_FRU_PRODUCT, STORE_FRU_BOARD, STORE_FRU_CHASSIS};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const struct store_fru_area *ar = area(f, order[i]);
        if (ar && ar->field[fld] && ar->field[fld][0])
            return ar->field[fld];
    }
    return NULL;
}

enum { /* PhysicalClass */
       PHYS_CHASSIS = 3,
       PHYS_SENSOR = 8,
       PHYS_MODULE = 9
};

static const uint8_t no_date[8]; /* entPhysicalMfgDate unknown: '0000000000000000'H */

static bool phys_sensor_value(const struct store_sensor *s, unsigned col, netsnmp_variable_list *vb)
{
    switch (col) {
    case 2: /* entPhysicalDescr */
    case 7: /* entPhysicalName */
        return e_str(vb, s->name);
    case 5:
        return e_int(vb, PHYS_SENSOR);
    case 16: /* entPhysicalIsFRU */
        return e_int(vb, 2);
    }
    return false;
}

static bool phys_fru_value(const struct store_bmc *b, const struct store_fru *f, unsigned col,
                           netsnmp_variable_list *vb)
{
    const struct store_fru_area *bd = area(f, STORE_FRU_BOARD);
    const struct store_fru_area *pr = area(f, STORE_FRU_PRODUCT);
    switch (col) {
    case 2: { /* entPhysicalDescr: the product's name, else the board's, else the FRU's */
        const char *d = fru_field(f, STORE_FRU_NAME);
        return e_str(vb, d ? d : f->name);
    }
    case 5:
        return e_int(vb, area(f, STORE_FRU_CHASSIS) ? PHYS_CHASSIS : PHYS_MODULE);
    case 7:
        return e_str(vb, f->name);
    case 8: /* entPhysicalHardwareRev: the product version */
        return e_str(vb, pr ? pr->field[STORE_FRU_VERSION] : NULL);
    case 9: /* entPhysicalFirmwareRev: the BMC's own FRU (device 0) runs its firmware */
        return e_str(vb, f->id == 0 && b->has_devid ? b->devid.firmware : NULL);
    case 11:
        return e_str(vb, fru_field(f, STORE_FRU_SERIAL_NUMBER));
    case 12:
        return e_str(vb, fru_field(f, STORE_FRU_MANUFACTURER));
    case 13: /* entPhysicalModelName: the product's part/model number, else the board's */
        return e_str(vb, fru_field(f, STORE_FRU_PART_NUMBER));
    case 15:
        return e_str(vb, pr ? pr->field[STORE_FRU_ASSET_TAG] : NULL);
    case 10: /* entPhysicalSoftwareRev */
    case 14: /* entPhysicalAlias (read-only here) */
    case 18: /* entPhysicalUris */
        return e_str(vb, "");
    case 16:
        return e_int(vb, 1);
    case 17:
        if (bd && bd->mfg_time >= 0 && bd->mfg_datetime && agentx_v_date(vb, bd->mfg_time))
            return true;
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, no_date, sizeof(no_date));
        return true;
    }
    return false;
}

static bool phys_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                       unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    /* the columns every row has alike */
    switch (col) {
    case 3: /* entPhysicalVendorType */
        return e_oid(vb, zero_dot_zero, 2);
    case 4: /* entPhysicalContainedIn: not known */
        return e_int(vb, 0);
    case 6: /* entPhysicalParentRelPos */
        return e_int(vb, -1);
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
    case 13:
    case 14:
    case 15:
    case 18:
        if (p->a < nsens(b))
            return e_str(vb, "");
        break;
    case 17:
        if (p->a < nsens(b)) {
            snmp_set_var_typed_value(vb, ASN_OCTET_STR, no_date, sizeof(no_date));
            return true;
        }
        break;
    }
    uint32_t ns = nsens(b);
    if (p->a < ns)
        return phys_sensor_value(&b->sensors->s[p->a], col, vb);
    return phys_fru_value(b, &b->fru->f[p->a - ns], col, vb);
}

/* ---- entPhySensorTable: the sensors with units ------------------------------------------- */

static bool sens_settle(const struct store_bmc *b, struct pos *p)
{
    uint32_t ns = nsens(b);
    while (p->a < ns && !ent_sensor_served(&b->sensors->s[p->a]))
        p->a++;
    return p->a < ns;
}

static bool sens_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    p->a = store_sensor_lower_bound(b->sensors, k[0]);
    return sens_settle(b, p);
}

static bool sens_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    p->a++;
    return sens_settle(b, p);
}

static void sens_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    out[0] = b->sensors->s[p->a].index;
}

/* entPhySensorValueTimeStamp: our sysUpTime (centiseconds since the agent
 * started) when the reading was taken; 0 when it was before.  The agent's
 * uptime and our monotonic clock are paired once, so a reading's stamp is
 * the same in every request (a GET agrees with the walk that found it). */
static uint32_t reading_ticks(uint64_t read_mono_ns)
{
    static bool paired;
    static uint64_t up0_cs, mono0_ns;
    if (!paired) {
        up0_cs = netsnmp_get_agent_uptime();
        mono0_ns = ev_monotonic_ns();
        paired = true;
    }
    if (read_mono_ns >= mono0_ns)
        return (uint32_t)(up0_cs + (read_mono_ns - mono0_ns) / 10000000u);
    uint64_t before_cs = (mono0_ns - read_mono_ns) / 10000000u;
    return (uint32_t)(up0_cs > before_cs ? up0_cs - before_cs : 0);
}

static bool sens_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                       unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    const struct store_sensor *s = &b->sensors->s[p->a];
    struct ent_sensor e;
    ent_sensor_of(s, &e);
    switch (col) {
    case 1:
        return e_int(vb, e.type);
    case 2:
        return e_int(vb, e.scale);
    case 3:
        return e_int(vb, e.precision);
    case 4:
        return e_int(vb, e.value);
    case 5:
        return e_int(vb, e.oper);
    case 6: /* entPhySensorUnitsDisplay: the store's unit text ("Volts", "degrees C") */
        return e_str(vb, s->units);
    case 7:
        return e_uns(vb, ASN_TIMETICKS, s->read_mono_ns ? reading_ticks(s->read_mono_ns) : 0);
    case 8: /* entPhySensorValueUpdateRate: unknown(0); the interval is the poller's */
        return e_uns(vb, ASN_UNSIGNED, 0);
    }
    return false;
}

/* ---- entLogicalTable: one row per BMC (entLogicalIndex = ipmiBmcIndex) ------------------- */

static bool logical_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k,
                         struct pos *p)
{
    (void)a;
    (void)k;
    p->a = 0;
    return entity_context_name_ok(b->name);
}

static bool logical_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    (void)b;
    (void)p;
    return false;
}

static void logical_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    (void)b;
    (void)p;
    (void)out;
}

static const oid bridge_mib[] = {IPMI_BRIDGE_MIB_ROOT}; /* entLogicalType */

static bool logical_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                          unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    (void)p;
    switch (col) {
    case 2: /* entLogicalDescr */
        return e_str(vb, b->address);
    case 3:
        return e_oid(vb, bridge_mib, sizeof(bridge_mib) / sizeof(bridge_mib[0]));
    case 7: /* entLogicalContextEngineID: zero length, snmpd's own engine */
        return e_str(vb, "");
    case 8:
        return e_str(vb, b->name);
    }
    return false;
}

/* ---- the table definitions --------------------------------------------------------------- */

static const oid ent_physical_oid[] = {1, 3, 6, 1, 2, 1, 47, 1, 1}; /* entityPhysical */
static const oid ent_logical_oid[] = {1, 3, 6, 1, 2, 1, 47, 1, 2};  /* entityLogical */
static const oid ent_sensor_oid[] = {1, 3, 6, 1, 2, 1, 99, 1};      /* entitySensorObjects */
#define ROOT(o)  o, (uint8_t)(sizeof(o) / sizeof(o[0]))
#define NCOLS(c) (uint8_t)(sizeof(c) / sizeof(c[0])), c

static const uint8_t phys_cols[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
static const uint8_t sens_cols[] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t logical_cols[] = {2, 3, 7, 8};

const struct tdef entity_physical_table = {"entPhysicalTable",
                                           ROOT(ent_physical_oid),
                                           1,
                                           false,
                                           true,
                                           true,
                                           1,
                                           NCOLS(phys_cols),
                                           phys_seek,
                                           phys_next,
                                           phys_idx,
                                           phys_value};
const struct tdef entity_sensor_table = {"entPhySensorTable",
                                         ROOT(ent_sensor_oid),
                                         1,
                                         false,
                                         true,
                                         true,
                                         1,
                                         NCOLS(sens_cols),
                                         sens_seek,
                                         sens_next,
                                         sens_idx,
                                         sens_value};
const struct tdef entity_logical_table = {"entLogicalTable",
                                          ROOT(ent_logical_oid),
                                          1,
                                          false,
                                          true,
                                          false,
                                          1,
                                          NCOLS(logical_cols),
                                          logical_seek,
                                          logical_next,
                                          logical_idx,
                                          logical_value};
