/*
 * agentx.c - IPMI-BRIDGE-MIB served from the store through Net-SNMP's AgentX
 * subagent support, driven from our event loop (see agentx.h).
 *
 * Tables.  Each table (and the scalar group, seen as a table with one row
 * whose index is 0) is described by a `struct tdef`: its OID, its columns,
 * how many index components it has, and four small functions that find the
 * first row at or after an index within one BMC's snapshot, step to the next
 * row, give a row's index and fill one column's value.  Rows of the per-BMC
 * tables are ordered by (ipmiBmcIndex, the row's own index), which is the
 * order of the store (BMCs sorted by index) and of its parts (rows sorted by
 * index), so a GETNEXT is: two binary searches, then a step.  Columns are
 * walked column-major as SNMP orders them.  A column value the JSON shows as
 * null is absent: GET answers noSuchInstance and GETNEXT steps over it.
 *
 * Cursor hint.  A walk asks for the row after the one we just returned: we
 * keep the last OID returned per table with its position and the store's
 * generation, and answer the next row without searching.
 */
#include "agentx.h"
#include "agentx_int.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
#include <net-snmp/library/large_fd_set.h>

#include "chassis_ctl.h"
#include "control_snmp.h"
#include "entity.h"
#include "ev.h"
#include "hex.h"
#include "log.h"
#include "mib_root.h"
#include "sel.h"
#include "store.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* IPMI-BRIDGE-MIB::ipmiBridgeObjects.  The root comes from the MIB's
 * MODULE-IDENTITY line (agent/mib_root.h is generated from it). */
static const oid objects_oid[] = {IPMI_BRIDGE_MIB_ROOT, 1};
#define OBJECTS_LEN (sizeof(objects_oid) / sizeof(objects_oid[0]))
#define MAX_IDX     4

/* ---- the agent ------------------------------------------------------------------ */

/* A row of a table: the BMC's position in the store (per-BMC tables) and the
 * row's position inside the snapshot. */
struct gpos {
    size_t bmc;
    struct pos p;
};

struct tdef;

struct hint {
    const struct tdef *t;
    uint32_t only; /* the context's BMC (0: the default context) */
    uint64_t gen;
    unsigned ci; /* column position */
    struct gpos g;
    oid name[MAX_OID_LEN];
    size_t len;
};

struct nfd {
    int fd;
    dev_t dev;
    ino_t ino;
};

struct agentx {
    struct ev_loop *loop;
    struct store *store;
    struct agentx_opts opts;
    char socket[256];
    char app[64];
    struct ev_timer timer;
    netsnmp_large_fd_set fdset;
    struct nfd *fds;
    size_t nfds, capfds;
    bool connected, ever_connected;
    uint64_t lost_mono_ns;
    struct log_rl netsnmp_rl;
    struct hint hint;
    /* BMCs by state, computed once per store generation */
    uint64_t state_gen;
    bool state_valid;
    uint32_t by_state[STORE_ST__COUNT];
    uint64_t bad_packets;
    struct agentx_stats stats;
    netsnmp_handler_registration *regs[16];
    size_t nregs;
    struct ctl_snmp ctl;
    /* standard MIBs: the BMC of the request's context while a handler runs
     * (0: the default context), and the contexts registered, by name */
    uint32_t only;
    bool roster_valid;
    uint64_t roster_gen;
    struct ctxreg *ctx;
    size_t nctx;
    struct ev_timer roster_timer;               /* standard MIBs: the roster check, every second */
    bool sync_partial;                          /* the last sync ran out of time: more to do */
    uint64_t sync_added, sync_removed, sync_ns; /* of the sync under way */
};

/* Net-SNMP's agent state is global; so is the one agent per process. */
static struct agentx *the_agent;

/* ---- value helpers ------------------------------------------------------------------ */

static bool v_int(netsnmp_variable_list *vb, long v)
{
    snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
    return true;
}

static bool v_uns(netsnmp_variable_list *vb, u_char type, uint64_t v)
{
    u_long x = (u_long)(v > 0xffffffffu ? 0xffffffffu : v);
    snmp_set_var_typed_value(vb, type, &x, sizeof(x));
    return true;
}

static bool v_c64(netsnmp_variable_list *vb, uint64_t v)
{
    struct counter64 c = {.high = (u_long)(v >> 32), .low = (u_long)(v & 0xffffffffu)};
    snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
    return true;
}

static bool v_str(netsnmp_variable_list *vb, const char *s)
{
    if (!s)
        return false;
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, s, strlen(s));
    return true;
}

static bool v_bytes(netsnmp_variable_list *vb, const uint8_t *p, size_t n)
{
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, p, n);
    return true;
}

static bool v_ip(netsnmp_variable_list *vb, const uint8_t a[4])
{
    snmp_set_var_typed_value(vb, ASN_IPADDRESS, a, 4);
    return true;
}

static bool v_truth(netsnmp_variable_list *vb, bool b)
{
    return v_int(vb, b ? 1 : 2); /* SNMPv2-TC TruthValue */
}

/* Hex text (as the JSON shows bytes) back into bytes; absent when not hex. */
static bool v_hex(netsnmp_variable_list *vb, const char *hex, size_t maxbytes)
{
    uint8_t buf[256];
    size_t n = 0;
    if (!hex)
        return false;
    for (const char *p = hex; *p;) {
        if (*p == ' ') { /* "001291 010203": groups of bytes */
            p++;
            continue;
        }
        int hi = hex_digit(p[0]), lo = p[1] ? hex_digit(p[1]) : -1;
        if (hi < 0 || lo < 0 || n >= sizeof(buf) || n >= maxbytes)
            return false;
        buf[n++] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    return v_bytes(vb, buf, n);
}

/* SNMPv2-TC DateAndTime of a Unix time, UTC (11 octets, "+0:0"). */
static bool v_date(netsnmp_variable_list *vb, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return false;
    int year = tm.tm_year + 1900;
    uint8_t d[11] = {(uint8_t)(year >> 8),
                     (uint8_t)year,
                     (uint8_t)(tm.tm_mon + 1),
                     (uint8_t)tm.tm_mday,
                     (uint8_t)tm.tm_hour,
                     (uint8_t)tm.tm_min,
                     (uint8_t)(tm.tm_sec > 59 ? 59 : tm.tm_sec),
                     0,
                     '+',
                     0,
                     0};
    return v_bytes(vb, d, sizeof(d));
}

bool agentx_v_date(netsnmp_variable_list *vb, int64_t t)
{
    return v_date(vb, t);
}

static uint64_t age_s(uint64_t then_ns)
{
    uint64_t now = ev_monotonic_ns();
    return now > then_ns ? (now - then_ns) / EV_NS_PER_SEC : 0;
}

/* ---- enumerations: store value -> MIB label value ------------------------------------- */

const uint8_t agentx_state_mib[STORE_ST__COUNT] = {
    [STORE_ST_OK] = 1,          [STORE_ST_NEW] = 2,         [STORE_ST_CONNECTING] = 3,
    [STORE_ST_DISCOVERING] = 4, [STORE_ST_POLLING] = 5,     [STORE_ST_DEGRADED] = 6,
    [STORE_ST_UNREACHABLE] = 7, [STORE_ST_AUTH_FAILED] = 8, [STORE_ST_CIPHER] = 9,
    [STORE_ST_PRIVILEGE] = 10,  [STORE_ST_PROTOCOL] = 11,   [STORE_ST_TIMEOUT] = 12,
    [STORE_ST_CLOSED] = 13,     [STORE_ST_RESOLVE] = 14,    [STORE_ST_INTERNAL] = 15,
};
#define MIB_STATES 15

/* ---- scalars (ipmiBridgeScalars, one row with index 0) -------------------------------- */

static void refresh_state_counts(struct agentx *a)
{
    uint64_t gen = store_generation(a->store);
    if (a->state_valid && gen == a->state_gen)
        return;
    memset(a->by_state, 0, sizeof(a->by_state));
    a->bad_packets = 0;
    /* O(BMCs), once per store generation */
    for (size_t i = 0; i < store_count(a->store); i++) {
        const struct store_bmc *b = store_at(a->store, i);
        if (b->state < STORE_ST__COUNT)
            a->by_state[b->state]++;
        a->bad_packets += b->counters.bad_packets;
    }
    a->state_gen = gen;
    a->state_valid = true;
}

static bool one_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    (void)b;
    p->a = 0;
    return k[0] == 0;
}

static bool no_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    (void)b;
    (void)p;
    return false;
}

static void one_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    (void)b;
    (void)p;
    out[0] = 0;
}

static bool scalar_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                         unsigned col, netsnmp_variable_list *vb)
{
    (void)b;
    (void)p;
    const struct agentx_counters *c = a->opts.counters;
    switch (col) {
    case 1:
        return v_str(vb, PACKAGE_VERSION);
    case 2:
        return v_date(vb, (int64_t)a->opts.start_wall_s);
    case 3:
        return v_uns(vb, ASN_GAUGE, store_count(a->store));
    case 4:
        return c ? v_c64(vb, c->pets_received) : false;
    case 5:
        return c ? v_c64(vb, c->pets_bad) : false;
    case 6:
        refresh_state_counts(a);
        return v_c64(vb, a->bad_packets);
    case 7:
        return c ? v_c64(vb, c->notifications_sent) : false;
    }
    return false;
}

/* ---- ipmiBridgeStateTable (global, one row per state) --------------------------------- */

static bool state_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k,
                       struct pos *p)
{
    (void)a;
    (void)b;
    p->a = k[0] < 1 ? 1 : k[0];
    return p->a <= MIB_STATES;
}

static bool state_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    (void)b;
    return ++p->a <= MIB_STATES;
}

static void state_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    (void)b;
    out[0] = p->a;
}

static bool state_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                        unsigned col, netsnmp_variable_list *vb)
{
    (void)b;
    if (col != 2)
        return false;
    refresh_state_counts(a);
    for (unsigned s = 0; s < STORE_ST__COUNT; s++)
        if (agentx_state_mib[s] == p->a)
            return v_uns(vb, ASN_GAUGE, a->by_state[s]);
    return false;
}

/* ---- ipmiBmcTable (one row per BMC) ------------------------------------------------------ */

static bool bmc_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    (void)b;
    (void)k;
    p->a = 0;
    return true;
}

static void no_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    (void)b;
    (void)p;
    (void)out;
}

static bool bmc_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                      unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    (void)p;
    const struct store_devid *d = b->has_devid ? &b->devid : NULL;
    const struct store_chassis *ch = b->has_chassis ? &b->chassis : NULL;
    const struct store_sel_stats *ss = b->sel && b->has_sel_stats ? &b->sel_stats : NULL;
    const struct bmc_counters *k = &b->counters;
    const struct store_info *in = &b->info;
    bool lan = in->lan_st == STORE_INFO_OK, dcmi = in->dcmi_st == STORE_INFO_OK;
    switch (col) {
    case 2:
        return v_str(vb, b->name);
    case 3:
        return v_str(vb, b->address);
    case 4:
        return b->state < STORE_ST__COUNT ? v_int(vb, agentx_state_mib[b->state]) : false;
    case 5:
        return v_str(vb, b->error);
    case 6:
        return b->cipher_suite >= 0 ? v_uns(vb, ASN_UNSIGNED, (uint64_t)b->cipher_suite) : false;
    case 7:
        return b->has_guid ? v_str(vb, b->guid) : false;
    case 8:
        return d ? v_uns(vb, ASN_UNSIGNED, d->device_id) : false;
    case 9:
        return d ? v_uns(vb, ASN_UNSIGNED, d->device_revision) : false;
    case 10:
        return d ? v_truth(vb, d->provides_sdrs) : false;
    case 11:
        return d ? v_uns(vb, ASN_UNSIGNED, d->manufacturer_id & 0xfffff) : false;
    case 12:
        return d ? v_uns(vb, ASN_UNSIGNED, d->product_id) : false;
    case 13:
        return d ? v_str(vb, d->firmware) : false;
    case 14:
        return d ? v_str(vb, d->ipmi_version) : false;
    case 15:
        return d ? v_truth(vb, d->device_available) : false;
    case 16:
        return d && d->has_aux ? v_hex(vb, d->aux_firmware, 4) : false;
    case 17:
        return ch ? v_int(vb, ch->power_on ? 1 : 2) : false;
    case 18:
        return ch ? v_truth(vb, ch->power_overload) : false;
    case 19:
        return ch ? v_truth(vb, ch->power_interlock) : false;
    case 20:
        return ch ? v_truth(vb, ch->power_fault) : false;
    case 21:
        return ch ? v_truth(vb, ch->power_control_fault) : false;
    case 22:
        return ch ? v_truth(vb, ch->intrusion) : false;
    case 23:
        return ch ? v_truth(vb, ch->front_panel_lockout) : false;
    case 24:
        return ch ? v_truth(vb, ch->drive_fault) : false;
    case 25:
        return ch ? v_truth(vb, ch->cooling_fault) : false;
    case 26:
        return b->poll_wall_s ? v_date(vb, (int64_t)b->poll_wall_s) : false;
    case 27:
        return b->poll_mono_ns ? v_uns(vb, ASN_GAUGE, age_s(b->poll_mono_ns)) : false;
    case 28:
        return b->sensors ? v_uns(vb, ASN_GAUGE, b->sensors->p.n) : false;
    case 29:
        return b->sensors ? v_uns(vb, ASN_GAUGE, b->sensors->nwarning) : false;
    case 30:
        return b->sensors ? v_uns(vb, ASN_GAUGE, b->sensors->ncritical) : false;
    case 31:
        return b->sensors ? v_uns(vb, ASN_GAUGE, b->sensors->nnonrecoverable) : false;
    case 32:
        return b->sensors ? v_uns(vb, ASN_GAUGE, b->sensors->nunavailable) : false;
    case 33:
        return v_uns(vb, ASN_GAUGE, b->sdr.records);
    case 34:
        return v_truth(vb, b->sdr.from_cache);
    case 35:
        return v_truth(vb, b->sdr.unchanged);
    case 36:
        return v_uns(vb, ASN_GAUGE, b->sdr.get_sdr_requests);
    case 37:
        return v_str(vb, b->sdr.error);
    case 38:
        return ss ? v_uns(vb, ASN_GAUGE, ss->entries_kept) : false;
    case 39:
        return ss ? v_truth(vb, ss->ok) : false;
    case 40:
        return ss ? v_uns(vb, ASN_GAUGE, ss->new_entries) : false;
    case 41:
        return ss ? v_uns(vb, ASN_GAUGE, ss->entries_read) : false;
    case 42:
        return ss ? v_uns(vb, ASN_GAUGE, ss->requests) : false;
    case 43:
        return ss ? v_truth(vb, ss->cleared) : false;
    case 44:
        return ss ? v_truth(vb, ss->overflow) : false;
    case 45:
        return ss ? v_uns(vb, ASN_COUNTER, ss->clears_detected & 0xffffffffu) : false;
    case 46:
        return ss ? v_uns(vb, ASN_GAUGE, (uint64_t)(ss->elapsed_ms * 1000.0 + 0.5)) : false;
    /* 47..59 and 73..78: POH, clock offset, LAN, DCMI power (absent unless
     * their read status is ok) and the read statuses */
    case 47:
        return in->poh_st == STORE_INFO_OK ? v_uns(vb, ASN_UNSIGNED, in->poh_hours) : false;
    case 48:
        return in->sel_time_st == STORE_INFO_OK && in->clock_offset_s >= INT32_MIN &&
                       in->clock_offset_s <= INT32_MAX
                   ? v_int(vb, (long)in->clock_offset_s)
                   : false;
    case 49:
        return lan && in->has_ip ? v_ip(vb, in->ip) : false;
    case 50:
        return lan && in->has_netmask ? v_ip(vb, in->netmask) : false;
    case 51:
        return lan && in->has_gateway ? v_ip(vb, in->gateway) : false;
    case 52:
        return lan && in->has_mac ? v_bytes(vb, in->mac, 6) : false;
    case 53: /* unspecified(1) static(2) dhcp(3) bios(4) other(5): source 0..4 + 1 */
        return lan && in->has_ip_source && in->ip_source <= 4 ? v_int(vb, in->ip_source + 1)
                                                              : false;
    case 54:
        return dcmi ? v_uns(vb, ASN_GAUGE, in->watts_current) : false;
    case 55:
        return dcmi ? v_uns(vb, ASN_GAUGE, in->watts_min) : false;
    case 56:
        return dcmi ? v_uns(vb, ASN_GAUGE, in->watts_max) : false;
    case 57:
        return dcmi ? v_uns(vb, ASN_GAUGE, in->watts_avg) : false;
    case 58:
        return lan ? v_uns(vb, ASN_UNSIGNED, in->lan_channel) : false;
    case 59:
        return lan && in->has_vlan && in->vlan_id >= 1 && in->vlan_id <= 4095
                   ? v_uns(vb, ASN_UNSIGNED, in->vlan_id)
                   : false;
    case 73:
        return dcmi ? v_uns(vb, ASN_UNSIGNED, in->power_period_ms) : false;
    case 74:
        return dcmi ? v_truth(vb, in->power_active) : false;
    case 75: /* IpmiInfoStatus: notRead(1) ok(2) notSupported(3) failed(4) notSet(5) */
        return in->poh_st < STORE_INFO__COUNT ? v_int(vb, in->poh_st + 1) : false;
    case 76:
        return in->sel_time_st < STORE_INFO__COUNT ? v_int(vb, in->sel_time_st + 1) : false;
    case 77:
        return in->lan_st < STORE_INFO__COUNT ? v_int(vb, in->lan_st + 1) : false;
    case 78:
        return in->dcmi_st < STORE_INFO__COUNT ? v_int(vb, in->dcmi_st + 1) : false;
    case 60:
        return v_c64(vb, k->tx_packets);
    case 61:
        return v_c64(vb, k->rx_packets);
    case 62:
        return v_c64(vb, k->requests);
    case 63:
        return v_c64(vb, k->responses);
    case 64:
        return v_c64(vb, k->retransmits);
    case 65:
        return v_c64(vb, k->busy_retries);
    case 66:
        return v_c64(vb, k->sessions_opened);
    case 67:
        return v_c64(vb, k->session_failures);
    case 68:
        return v_c64(vb, k->auth_failures);
    case 69:
        return v_c64(vb, k->reopens);
    case 70:
        return v_c64(vb, k->stray_packets);
    case 71:
        return v_c64(vb, k->replays);
    case 72:
        return v_c64(vb, k->bad_packets);
    /* control: the state where known, else absent */
    case 80:
        return b->control.power ? v_int(vb, b->control.power) : false;
    case 81:
        return b->control.identify ? v_int(vb, b->control.identify) : false;
    case 82:
        return b->control.boot_device ? v_int(vb, b->control.boot_device) : false;
    case 83:
        return b->control.boot_persist ? v_int(vb, b->control.boot_persist) : false;
    case 84:
        return b->control.boot_mode ? v_int(vb, b->control.boot_mode) : false;
    case 85:
        return b->control.last_action ? v_str(vb, b->control.last_action) : false;
    case 86:
        return b->control.last_result ? v_str(vb, b->control.last_result) : false;
    }
    return false;
}

/* ---- ipmiBadPacketTable ({bmc, reason}: the nonzero reasons) ------------------------- */

static bool bad_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    for (uint32_t r = k[0] < 1 ? 1 : k[0]; r < CODEC_E__COUNT; r++)
        if (b->counters.bad_reason[r]) {
            p->a = r;
            return true;
        }
    return false;
}

static bool bad_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    uint32_t k = p->a + 1;
    return bad_seek(a, b, &k, p);
}

static void a_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    (void)b;
    out[0] = p->a;
}

static bool bad_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                      unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    return col == 2 ? v_c64(vb, b->counters.bad_reason[p->a]) : false;
}

/* ---- ipmiSensorTable ----------------------------------------------------------------------- */

static bool sensor_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k,
                        struct pos *p)
{
    (void)a;
    p->a = store_sensor_lower_bound(b->sensors, k[0]);
    return b->sensors && p->a < b->sensors->p.n;
}

static bool sensor_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    return b->sensors && ++p->a < b->sensors->p.n;
}

static void sensor_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    out[0] = b->sensors->s[p->a].index;
}

static bool sensor_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                         unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    const struct store_sensor *s = &b->sensors->s[p->a];
    switch (col) {
    case 2:
        return v_str(vb, s->name);
    case 3:
        return v_uns(vb, ASN_UNSIGNED, s->number);
    case 4:
        return v_uns(vb, ASN_UNSIGNED, s->owner);
    case 5:
        return v_uns(vb, ASN_UNSIGNED, s->lun);
    case 6:
        return v_uns(vb, ASN_UNSIGNED, s->channel);
    case 7:
        return v_uns(vb, ASN_UNSIGNED, s->type);
    case 8:
        return v_str(vb, s->type_name);
    case 9:
        return v_uns(vb, ASN_UNSIGNED, s->event_type);
    case 10:
        return v_uns(vb, ASN_UNSIGNED, s->entity_id);
    case 11:
        return v_uns(vb, ASN_UNSIGNED, s->entity_instance);
    case 12:
        return s->has_value && s->scaled_ok ? v_int(vb, s->value_scaled) : false;
    case 13:
        return v_int(vb, s->precision);
    case 14:
        return s->has_value ? v_str(vb, s->value_text) : false;
    case 15:
        return v_str(vb, s->units);
    case 16:
        return v_int(vb, (long)s->status + 1);
    case 17:
        return v_str(vb, s->states_text ? s->states_text : "");
    case 18:
        return s->status == STORE_STATUS_UNAVAILABLE ? v_str(vb, s->unavailable_reason) : false;
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
    case 24: {
        unsigned t = col - 19; /* enum store_thr: the MIB's column order */
        int32_t x = 0;
        bool ok = false;
        if (!store_sensor_thr(s, t, NULL, &x, &ok) || !ok)
            return false;
        return v_int(vb, x);
    }
    case 25:
        return s->read_mono_ns ? v_uns(vb, ASN_GAUGE, age_s(s->read_mono_ns)) : false;
    }
    return false;
}

/* ---- ipmiFruTable ({bmc, fruId}; the store's FRU index is id + 1) --------------------------- */

static bool fru_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    if (!b->fru || k[0] > 255)
        return false;
    p->a = store_fru_lower_bound(b->fru, k[0] + 1);
    return p->a < b->fru->p.n;
}

static bool fru_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    return b->fru && ++p->a < b->fru->p.n;
}

static void fru_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    out[0] = b->fru->f[p->a].id;
}

static const struct store_fru_area *fru_area(const struct store_fru *f, unsigned k)
{
    return f->parsed && f->area[k].present ? &f->area[k] : NULL;
}

static bool fru_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                      unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    const struct store_fru *f = &b->fru->f[p->a];
    const struct store_fru_area *c = fru_area(f, STORE_FRU_CHASSIS);
    const struct store_fru_area *bd = fru_area(f, STORE_FRU_BOARD);
    const struct store_fru_area *pr = fru_area(f, STORE_FRU_PRODUCT);
    switch (col) {
    case 2:
        return v_str(vb, f->name);
    case 3:
        return v_int(vb, (long)f->status + 1);
    case 4:
        return c ? v_str(vb, c->chassis_type_name) : false;
    case 5:
        return c ? v_uns(vb, ASN_UNSIGNED, c->chassis_type) : false;
    case 6:
        return c ? v_str(vb, c->field[STORE_FRU_PART_NUMBER]) : false;
    case 7:
        return c ? v_str(vb, c->field[STORE_FRU_SERIAL_NUMBER]) : false;
    case 8:
        return c ? v_truth(vb, c->checksum_ok) : false;
    case 9:
        return c ? v_str(vb, c->problem) : false;
    case 10:
        return bd && bd->mfg_time >= 0 && bd->mfg_datetime ? v_date(vb, bd->mfg_time) : false;
    case 11:
        return bd ? v_str(vb, bd->field[STORE_FRU_MANUFACTURER]) : false;
    case 12:
        return bd ? v_str(vb, bd->field[STORE_FRU_NAME]) : false;
    case 13:
        return bd ? v_str(vb, bd->field[STORE_FRU_SERIAL_NUMBER]) : false;
    case 14:
        return bd ? v_str(vb, bd->field[STORE_FRU_PART_NUMBER]) : false;
    case 15:
        return bd ? v_truth(vb, bd->checksum_ok) : false;
    case 16:
        return bd ? v_str(vb, bd->problem) : false;
    case 17:
        return pr ? v_str(vb, pr->field[STORE_FRU_MANUFACTURER]) : false;
    case 18:
        return pr ? v_str(vb, pr->field[STORE_FRU_NAME]) : false;
    case 19:
        return pr ? v_str(vb, pr->field[STORE_FRU_PART_NUMBER]) : false;
    case 20:
        return pr ? v_str(vb, pr->field[STORE_FRU_VERSION]) : false;
    case 21:
        return pr ? v_str(vb, pr->field[STORE_FRU_SERIAL_NUMBER]) : false;
    case 22:
        return pr ? v_str(vb, pr->field[STORE_FRU_ASSET_TAG]) : false;
    case 23:
        return pr ? v_truth(vb, pr->checksum_ok) : false;
    case 24:
        return pr ? v_str(vb, pr->problem) : false;
    }
    return false;
}

/* ---- ipmiFruCustomTable ({bmc, fruId, area 1..3, n 1..}) ------------------------------------ */

/* From (fru a, area b, field c) on, the first position that is a field. */
static bool custom_settle(const struct store_bmc *b, struct pos *p)
{
    for (; b->fru && p->a < b->fru->p.n; p->a++, p->b = 0, p->c = 0) {
        const struct store_fru *f = &b->fru->f[p->a];
        for (; p->b < STORE_FRU_AREA__COUNT; p->b++, p->c = 0) {
            const struct store_fru_area *ar = fru_area(f, p->b);
            if (ar && p->c < ar->ncustom)
                return true;
        }
    }
    return false;
}

static bool custom_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k,
                        struct pos *p)
{
    (void)a;
    if (!b->fru || k[0] > 255)
        return false;
    p->a = store_fru_lower_bound(b->fru, k[0] + 1);
    p->b = 0;
    p->c = 0;
    if (p->a < b->fru->p.n && b->fru->f[p->a].id == k[0] && k[1] >= 1) {
        if (k[1] > STORE_FRU_AREA__COUNT) {
            p->a++;
        } else {
            p->b = k[1] - 1;
            p->c = k[2] >= 1 ? k[2] - 1 : 0;
        }
    }
    return custom_settle(b, p);
}

static bool custom_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    p->c++;
    return custom_settle(b, p);
}

static void custom_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    out[0] = b->fru->f[p->a].id;
    out[1] = p->b + 1;
    out[2] = p->c + 1;
}

static bool custom_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                         unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    return col == 3 ? v_str(vb, b->fru->f[p->a].area[p->b].custom[p->c]) : false;
}

/* ---- ipmiFruMultiRecordTable ({bmc, fruId, n 1..}) ---------------------------------------- */

static bool mr_settle(const struct store_bmc *b, struct pos *p)
{
    for (; b->fru && p->a < b->fru->p.n; p->a++, p->b = 0) {
        const struct store_fru *f = &b->fru->f[p->a];
        if (f->parsed && p->b < f->nmr)
            return true;
    }
    return false;
}

static bool mr_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    if (!b->fru || k[0] > 255)
        return false;
    p->a = store_fru_lower_bound(b->fru, k[0] + 1);
    p->b = 0;
    if (p->a < b->fru->p.n && b->fru->f[p->a].id == k[0] && k[1] >= 1)
        p->b = k[1] - 1;
    return mr_settle(b, p);
}

static bool mr_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    p->b++;
    return mr_settle(b, p);
}

static void mr_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    out[0] = b->fru->f[p->a].id;
    out[1] = p->b + 1;
}

/* The decoded fields as "name=value" pairs, one space apart (the MIB's text). */
static bool mr_fields(netsnmp_variable_list *vb, const struct store_fru_mr *m)
{
    char buf[1024];
    size_t n = 0;
    buf[0] = '\0';
    for (uint8_t i = 0; i < m->nfields; i++) {
        const struct store_kv *kv = &m->fields[i];
        int w = 0;
        const char *sep = n ? " " : "";
        switch (kv->kind) {
        case STORE_KV_INT:
            w = snprintf(buf + n, sizeof(buf) - n, "%s%s=%" PRId64, sep, kv->key, kv->i);
            break;
        case STORE_KV_BOOL:
            w = snprintf(buf + n, sizeof(buf) - n, "%s%s=%s", sep, kv->key,
                         kv->i ? "true" : "false");
            break;
        case STORE_KV_STR:
            w = snprintf(buf + n, sizeof(buf) - n, "%s%s=%s", sep, kv->key, kv->s ? kv->s : "");
            break;
        default:
            continue; /* null: left out */
        }
        if (w < 0 || (size_t)w >= sizeof(buf) - n)
            break; /* cut at a pair boundary */
        n += (size_t)w;
    }
    buf[n] = '\0';
    return v_str(vb, buf);
}

static bool mr_value(struct agentx *a, const struct store_bmc *b, const struct pos *p, unsigned col,
                     netsnmp_variable_list *vb)
{
    (void)a;
    const struct store_fru_mr *m = &b->fru->f[p->a].mr[p->b];
    switch (col) {
    case 2:
        return v_uns(vb, ASN_UNSIGNED, m->type);
    case 3:
        return v_str(vb, m->type_name);
    case 4:
        return v_str(vb, m->description);
    case 5:
        return mr_fields(vb, m);
    case 6:
        return v_truth(vb, m->checksum_ok);
    case 7:
        return v_hex(vb, m->data_hex, 255);
    }
    return false;
}

/* ---- ipmiSelTable ---------------------------------------------------------------------------- */

static bool sel_seek(struct agentx *a, const struct store_bmc *b, const uint32_t *k, struct pos *p)
{
    (void)a;
    p->a = store_sel_lower_bound(b->sel, k[0]);
    return b->sel && p->a < b->sel->p.n;
}

static bool sel_next(struct agentx *a, const struct store_bmc *b, struct pos *p)
{
    (void)a;
    return b->sel && ++p->a < b->sel->p.n;
}

static void sel_idx(const struct store_bmc *b, const struct pos *p, uint32_t *out)
{
    out[0] = b->sel->e[p->a].index;
}

static bool sel_value(struct agentx *a, const struct store_bmc *b, const struct pos *p,
                      unsigned col, netsnmp_variable_list *vb)
{
    (void)a;
    const struct store_sel *e = &b->sel->e[p->a];
    bool sys = e->kind == STORE_SEL_SYSTEM;
    const struct store_sel_fields x = store_sel_fields(e);
    struct store_sel_text t; /* the entry's texts, formed per request (not kept per entry) */
    if (col == 5 || col == 6 || col == 8 || col == 11 || col == 12 || col == 15)
        store_sel_texts(b->sel, e, &t);
    switch (col) {
    case 2:
        return v_uns(vb, ASN_UNSIGNED, x.record_id);
    case 3:
        return v_uns(vb, ASN_UNSIGNED, x.record_type);
    case 4:
        return e->has_time ? v_date(vb, x.time) : false;
    case 5:
        return v_str(vb, t.timestamp);
    case 6:
        return sys ? v_str(vb, t.sensor_type) : false;
    case 7:
        return sys ? v_uns(vb, ASN_UNSIGNED, x.sensor_number) : false;
    case 8:
        return sys ? v_str(vb, t.sensor_name) : false;
    case 9:
        return sys ? v_uns(vb, ASN_UNSIGNED, x.event_type) : false;
    case 10:
        return sys ? v_int(vb, x.deassertion ? 2 : 1) : false;
    case 11:
        return v_str(vb, t.event);
    case 12:
        return v_str(vb, t.reading);
    case 13:
        return e->severity < STORE_SEV_UNKNOWN ? v_int(vb, (long)e->severity + 1) : false;
    case 14:
        return v_bytes(vb, e->raw, SEL_RECORD_LEN);
    case 15:
        return v_hex(vb, t.data, 13);
    case 16:
        return e->kind == STORE_SEL_OEM_TS ? v_uns(vb, ASN_UNSIGNED, x.manufacturer_id) : false;
    case 17:
        return sys ? v_uns(vb, ASN_UNSIGNED, x.sensor_type_code) : false;
    }
    return false;
}

/* ---- table definitions --------------------------------------------------------------------- */

static const uint8_t scalar_cols[] = {1, 2, 3, 4, 5, 6, 7};
static const uint8_t state_cols[] = {2};
static const uint8_t bmc_cols[] = {
    2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
    23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
    44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64,
    65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 80, 81, 82, 83, 84, 85, 86};
static const uint8_t bad_cols[] = {2};
static const uint8_t sensor_cols[] = {2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                      14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25};
static const uint8_t fru_cols[] = {2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                   14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
static const uint8_t custom_cols[] = {3};
static const uint8_t mr_cols[] = {2, 3, 4, 5, 6, 7};
static const uint8_t sel_cols[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};

#define COLS(c) (uint8_t)(sizeof(c) / sizeof(c[0])), c
static const struct tdef tables[] = {
    {"ipmiBridgeScalars", NULL, 0, 1, true, false, false, 1, COLS(scalar_cols), one_seek, no_next,
     one_idx, scalar_value},
    {"ipmiBridgeStateTable", NULL, 0, 2, false, false, false, 1, COLS(state_cols), state_seek,
     state_next, state_idx, state_value},
    {"ipmiBmcTable", NULL, 0, 3, false, true, false, 1, COLS(bmc_cols), bmc_seek, no_next, no_idx,
     bmc_value},
    {"ipmiBadPacketTable", NULL, 0, 4, false, true, false, 2, COLS(bad_cols), bad_seek, bad_next,
     a_idx, bad_value},
    {"ipmiSensorTable", NULL, 0, 5, false, true, false, 2, COLS(sensor_cols), sensor_seek,
     sensor_next, sensor_idx, sensor_value},
    {"ipmiFruTable", NULL, 0, 6, false, true, false, 2, COLS(fru_cols), fru_seek, fru_next, fru_idx,
     fru_value},
    {"ipmiFruCustomTable", NULL, 0, 7, false, true, false, 4, COLS(custom_cols), custom_seek,
     custom_next, custom_idx, custom_value},
    {"ipmiFruMultiRecordTable", NULL, 0, 8, false, true, false, 3, COLS(mr_cols), mr_seek, mr_next,
     mr_idx, mr_value},
    {"ipmiSelTable", NULL, 0, 9, false, true, false, 2, COLS(sel_cols), sel_seek, sel_next, sel_idx,
     sel_value},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* ---- rows across BMCs ------------------------------------------------------------------------ */

static const uint32_t zero_key[MAX_IDX];

static const struct store_bmc *row_bmc(struct agentx *a, const struct tdef *t, const struct gpos *g)
{
    return t->per_bmc ? store_at(a->store, g->bmc) : NULL;
}

/* First row whose index tuple is >= key (nidx components).  O(log BMCs +
 * log rows), plus a step over BMCs without rows in this table. */
static bool first_ge(struct agentx *a, const struct tdef *t, const uint32_t *key, struct gpos *g)
{
    if (!t->per_bmc) {
        g->bmc = 0;
        return t->seek(a, NULL, key, &g->p);
    }
    size_t n = store_count(a->store);
    if (a->only) { /* a BMC's context: its rows alone */
        if (key[0] > a->only)
            return false;
        size_t j = store_lower_bound(a->store, a->only);
        if (j >= n || store_at(a->store, j)->index != a->only)
            return false;
        g->bmc = j;
        return t->seek(a, store_at(a->store, j), key[0] == a->only ? key + 1 : zero_key, &g->p);
    }
    size_t i = store_lower_bound(a->store, key[0]);
    if (i < n && store_at(a->store, i)->index == key[0]) {
        if (t->seek(a, store_at(a->store, i), key + 1, &g->p)) {
            g->bmc = i;
            return true;
        }
        i++;
    }
    for (; i < n; i++)
        if (t->seek(a, store_at(a->store, i), zero_key, &g->p)) {
            g->bmc = i;
            return true;
        }
    return false;
}

static bool next_row(struct agentx *a, const struct tdef *t, struct gpos *g)
{
    if (!t->per_bmc)
        return t->next(a, NULL, &g->p);
    size_t n = store_count(a->store);
    if (g->bmc < n && t->next(a, store_at(a->store, g->bmc), &g->p))
        return true;
    if (a->only)
        return false;
    for (size_t i = g->bmc + 1; i < n; i++)
        if (t->seek(a, store_at(a->store, i), zero_key, &g->p)) {
            g->bmc = i;
            return true;
        }
    return false;
}

static void row_key(struct agentx *a, const struct tdef *t, const struct gpos *g, uint32_t *key)
{
    const struct store_bmc *b = row_bmc(a, t, g);
    if (t->per_bmc) {
        key[0] = b->index;
        t->idx(b, &g->p, key + 1);
    } else {
        t->idx(NULL, &g->p, key);
    }
}

/* ---- OIDs
 * ---------------------------------------------------------------------------------------- */

/* The table's OID (root.sub); its length. */
static size_t table_oid(const struct tdef *t, oid *out)
{
    size_t n = t->root ? t->root_len : OBJECTS_LEN;
    memcpy(out, t->root ? t->root : objects_oid, n * sizeof(oid));
    out[n++] = t->sub;
    return n;
}

/* The entry OID of a table (root.sub.1, or root.sub for scalars). */
static size_t entry_oid(const struct tdef *t, oid *out)
{
    size_t n = table_oid(t, out);
    if (!t->scalar)
        out[n++] = 1;
    return n;
}

/* Index sub-identifiers -> "first row >= key" (GETNEXT asks for > the OID).
 * r: the sub-ids after the column, k of them.  False: no row can follow. */
static bool next_key(const struct tdef *t, const oid *r, size_t k, uint32_t *key)
{
    size_t n = t->nidx;
    uint64_t v[MAX_IDX] = {0};
    size_t m = k < n ? k : n;
    for (size_t i = 0; i < m; i++) {
        if (r[i] > 0xffffffffu) {
            /* greater than every row with this prefix: the prefix + 1 */
            m = i;
            goto bump;
        }
        v[i] = r[i];
    }
    if (k < n) {
        /* a shorter OID sorts before every row that extends it: >= (r, 0...) */
        for (size_t i = 0; i < n; i++)
            key[i] = (uint32_t)v[i];
        return true;
    }
    m = n; /* the row equal to r[0..n) is not after r: strictly greater */
bump:
    for (size_t i = m; i > 0; i--) {
        if (v[i - 1] < 0xffffffffu) {
            v[i - 1]++;
            for (size_t j = 0; j < n; j++)
                key[j] = (uint32_t)v[j];
            return true;
        }
        v[i - 1] = 0;
        for (size_t j = i; j < n; j++)
            v[j] = 0;
    }
    return false;
}

static int col_pos(const struct tdef *t, oid col)
{
    for (unsigned i = 0; i < t->ncols; i++)
        if (t->cols[i] >= col)
            return (int)i;
    return -1;
}

static void set_name(netsnmp_variable_list *vb, const oid *entry, size_t elen, unsigned col,
                     const uint32_t *key, unsigned nidx)
{
    oid name[MAX_OID_LEN];
    memcpy(name, entry, elen * sizeof(oid));
    size_t n = elen;
    name[n++] = col;
    for (unsigned i = 0; i < nidx; i++)
        name[n++] = key[i];
    snmp_set_var_objid(vb, name, n);
}

/* GET: the exact instance, or the error code for it. */
static int do_get(struct agentx *a, const struct tdef *t, netsnmp_variable_list *vb)
{
    oid entry[MAX_OID_LEN];
    size_t elen = entry_oid(t, entry);
    const oid *name = vb->name;
    size_t len = vb->name_length;
    if (len <= elen || snmp_oid_compare(name, elen, entry, elen) != 0)
        return SNMP_NOSUCHOBJECT;
    int ci = col_pos(t, name[elen]);
    if (ci < 0 || t->cols[ci] != name[elen])
        return SNMP_NOSUCHOBJECT;
    if (len != elen + 1 + t->nidx)
        return SNMP_NOSUCHINSTANCE;
    /* implicit_bmc: the context's BMC is the first key, not in the OID */
    unsigned off = t->implicit_bmc ? 1 : 0;
    uint32_t key[MAX_IDX];
    key[0] = a->only;
    for (unsigned i = 0; i < t->nidx; i++) {
        if (name[elen + 1 + i] > 0xffffffffu)
            return SNMP_NOSUCHINSTANCE;
        key[off + i] = (uint32_t)name[elen + 1 + i];
    }
    struct gpos g;
    uint32_t got[MAX_IDX];
    if (!first_ge(a, t, key, &g))
        return SNMP_NOSUCHINSTANCE;
    row_key(a, t, &g, got);
    if (memcmp(got, key, (off + t->nidx) * sizeof(uint32_t)) != 0)
        return SNMP_NOSUCHINSTANCE;
    if (!t->value(a, row_bmc(a, t, &g), &g.p, t->cols[ci], vb))
        return SNMP_NOSUCHINSTANCE;
    return SNMP_ERR_NOERROR;
}

/* GETNEXT: the first instance after the varbind's name in this table; 0
 * when there is none (Net-SNMP then asks the next subtree). */
static int do_getnext(struct agentx *a, const struct tdef *t, netsnmp_variable_list *vb)
{
    oid entry[MAX_OID_LEN];
    size_t elen = entry_oid(t, entry);
    const oid *name = vb->name;
    size_t len = vb->name_length;
    size_t m = len < elen ? len : elen;
    int cmp = snmp_oid_compare(name, m, entry, m);
    int ci = 0;
    bool keyed = false;
    unsigned off = t->implicit_bmc ? 1 : 0; /* as in do_get() */
    uint32_t key[MAX_IDX];
    struct gpos g;
    bool ok = false, from_hint = false;
    uint64_t gen = store_generation(a->store);

    if (cmp > 0)
        return 0;
    if (cmp == 0 && len > elen) {
        ci = col_pos(t, name[elen]);
        if (ci < 0)
            return 0;
        if (t->cols[ci] == name[elen] && len > elen + 1) {
            keyed = next_key(t, name + elen + 1, len - elen - 1, key + off);
            if (off)
                key[0] = a->only;
            if (!keyed)
                ci++; /* past every row of this column */
        }
    }
    /* the cursor hint: the request names the instance we returned last */
    if (a->hint.t == t && a->hint.only == a->only && a->hint.gen == gen &&
        a->hint.ci == (unsigned)ci && keyed &&
        snmp_oid_compare(name, len, a->hint.name, a->hint.len) == 0) {
        g = a->hint.g;
        ok = next_row(a, t, &g);
        from_hint = true;
        a->stats.hint_hits++;
    }
    for (; ci < t->ncols; ci++, keyed = false) {
        if (!from_hint) {
            ok = first_ge(a, t, keyed ? key : zero_key, &g);
            a->stats.seeks++;
        }
        from_hint = false;
        for (; ok; ok = next_row(a, t, &g)) {
            if (!t->value(a, row_bmc(a, t, &g), &g.p, t->cols[ci], vb))
                continue; /* absent instance: the next row */
            uint32_t rk[MAX_IDX];
            row_key(a, t, &g, rk);
            set_name(vb, entry, elen, t->cols[ci], rk + off, t->nidx);
            a->hint.t = t;
            a->hint.only = a->only;
            a->hint.gen = gen;
            a->hint.ci = (unsigned)ci;
            a->hint.g = g;
            memcpy(a->hint.name, vb->name, vb->name_length * sizeof(oid));
            a->hint.len = vb->name_length;
            return 1;
        }
    }
    return 0;
}

static int table_requests(struct agentx *a, const struct tdef *t, netsnmp_mib_handler *handler,
                          netsnmp_handler_registration *reg, netsnmp_agent_request_info *reqinfo,
                          netsnmp_request_info *requests);

/* ---- contexts (standard MIBs) ---------------------------------------------------------------- */

/* IPMI-BRIDGE-MIB's per-BMC tables (tables[2..8]), then the ENTITY ones. */
#define CTX_BRIDGE_FIRST 2
#define CTX_TABLES       (NTABLES - CTX_BRIDGE_FIRST + 2)

struct ctxreg {
    char name[33]; /* the context: the BMC's name */
    uint32_t index;
    netsnmp_handler_registration *reg[CTX_TABLES];
};

static const struct tdef *ctx_table(size_t i)
{
    if (i < NTABLES - CTX_BRIDGE_FIRST)
        return &tables[CTX_BRIDGE_FIRST + i];
    return i == NTABLES - CTX_BRIDGE_FIRST ? &entity_physical_table : &entity_sensor_table;
}

/* The registered context `name` (a->ctx is sorted by name).  O(log contexts). */
static const struct ctxreg *ctx_find(const struct agentx *a, const char *name)
{
    size_t lo = 0, hi = a->nctx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(a->ctx[mid].name, name);
        if (c == 0)
            return &a->ctx[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    const struct tdef *t = handler->myvoid;
    struct agentx *a = the_agent;
    if (!a || !t)
        return SNMP_ERR_GENERR;
    a->stats.requests++;
    /* A BMC's context: its rows alone, read-only.  A context being
     * unregistered, or an implicit-BMC table outside one, has no rows. */
    const char *cn = reg ? reg->contextName : NULL;
    const struct ctxreg *cx = cn && cn[0] ? ctx_find(a, cn) : NULL;
    if ((cn && cn[0] && !cx) || (t->implicit_bmc && !cx) ||
        (cx && reqinfo->mode != MODE_GET && reqinfo->mode != MODE_GETNEXT)) {
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            a->stats.varbinds++;
            if (r->processed)
                continue;
            if (reqinfo->mode == MODE_GET)
                netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
            else if (reqinfo->mode == MODE_SET_RESERVE1)
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
        }
        return SNMP_ERR_NOERROR;
    }
    a->only = cx ? cx->index : 0;
    int rc = table_requests(a, t, handler, reg, reqinfo, requests);
    a->only = 0;
    return rc;
}

static int table_requests(struct agentx *a, const struct tdef *t, netsnmp_mib_handler *handler,
                          netsnmp_handler_registration *reg, netsnmp_agent_request_info *reqinfo,
                          netsnmp_request_info *requests)
{
    if (reqinfo->mode != MODE_GET && reqinfo->mode != MODE_GETNEXT) {
        for (netsnmp_request_info *r = requests; r; r = r->next)
            a->stats.varbinds++;
        if (t == &tables[2]) /* ipmiBmcTable: the control columns */
            ctl_snmp_set(&a->ctl, handler, reg, reqinfo, requests);
        else if (reqinfo->mode == MODE_SET_RESERVE1)
            for (netsnmp_request_info *r = requests; r; r = r->next)
                if (!r->processed)
                    netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
        return SNMP_ERR_NOERROR;
    }
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        if (r->processed)
            continue;
        netsnmp_variable_list *vb = r->requestvb;
        a->stats.varbinds++;
        switch (reqinfo->mode) {
        case MODE_GET: {
            int rc = do_get(a, t, vb);
            if (rc != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, r, rc);
            break;
        }
        case MODE_GETNEXT:
            if (r->inclusive && do_get(a, t, vb) == SNMP_ERR_NOERROR)
                break; /* the start of the range itself exists */
            do_getnext(a, t, vb);
            break;
        default:
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

/* ---- Net-SNMP in our event loop ------------------------------------------------------------- */

static void sync_fds(struct agentx *a);

/* A delegated control SET has completed: let Net-SNMP send its answer. */
static void after_delegated(void)
{
    netsnmp_check_outstanding_agent_requests();
    if (the_agent)
        sync_fds(the_agent);
}

static void process_timeouts(void)
{
    snmp_timeout();
    run_alarms();
    netsnmp_check_outstanding_agent_requests();
}

static void on_readable(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)events;
    struct agentx *a = arg;
    NETSNMP_LARGE_FD_ZERO(&a->fdset);
    NETSNMP_LARGE_FD_SET(fd, &a->fdset);
    snmp_read2(&a->fdset);
    netsnmp_check_outstanding_agent_requests();
    sync_fds(a); /* the read may have closed or re-opened the session */
}

static void on_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct agentx *a = arg;
    process_timeouts();
    sync_fds(a); /* an alarm may have re-registered on a new socket */
}

static int fd_identity(int fd, dev_t *dev, ino_t *ino)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return 0;
}

/*
 * Make epoll watch exactly Net-SNMP's sockets, and the timer its next
 * alarm.  A socket is known by (fd, device, inode): after a re-registration
 * the new socket may get the old fd number, and epoll forgot the old one
 * when it was closed, so an fd number alone would never be re-added.
 */
static void sync_fds(struct agentx *a)
{
    int numfds = 0, block = 1;
    struct timeval tv = {0, 0};
    NETSNMP_LARGE_FD_ZERO(&a->fdset);
    snmp_select_info2(&numfds, &a->fdset, &tv, &block);

    /* drop what Net-SNMP no longer watches, or what is another socket now */
    for (size_t i = 0; i < a->nfds;) {
        struct nfd *f = &a->fds[i];
        dev_t dev;
        ino_t ino;
        bool keep = f->fd < numfds && NETSNMP_LARGE_FD_ISSET(f->fd, &a->fdset) &&
                    fd_identity(f->fd, &dev, &ino) == 0 && dev == f->dev && ino == f->ino;
        if (keep) {
            i++;
            continue;
        }
        ev_del_fd(a->loop, f->fd); /* ENOENT/EBADF when it was closed: fine */
        a->fds[i] = a->fds[--a->nfds];
    }
    for (int fd = 0; fd < numfds; fd++) {
        if (!NETSNMP_LARGE_FD_ISSET(fd, &a->fdset))
            continue;
        bool known = false;
        for (size_t i = 0; i < a->nfds; i++)
            known |= a->fds[i].fd == fd;
        if (known)
            continue;
        struct nfd f = {.fd = fd};
        if (fd_identity(fd, &f.dev, &f.ino) < 0)
            continue;
        if (a->nfds == a->capfds) {
            size_t cap = a->capfds ? 2 * a->capfds : 4;
            struct nfd *p = realloc(a->fds, cap * sizeof(*p));
            if (!p) {
                log_err("AgentX: out of memory watching Net-SNMP's sockets");
                break;
            }
            a->fds = p;
            a->capfds = cap;
        }
        ev_del_fd(a->loop, fd); /* a stale entry of a closed socket with this number */
        if (ev_add_fd(a->loop, fd, EPOLLIN, on_readable, a) < 0) {
            log_err("AgentX: cannot watch socket %d: %s", fd, strerror(errno));
            continue;
        }
        a->fds[a->nfds++] = f;
    }
    if (!block) {
        uint64_t ns = (uint64_t)tv.tv_sec * EV_NS_PER_SEC + (uint64_t)tv.tv_usec * 1000u;
        ev_timer_start(a->loop, &a->timer, ns);
    } else {
        ev_timer_stop(a->loop, &a->timer);
    }
}

/* ---- connection state and Net-SNMP's log ------------------------------------------------------
 */

static const char *socket_name(const struct agentx *a)
{
    return a->socket[0] ? a->socket : "the default AgentX socket";
}

static int on_index_start(int major, int minor, void *server, void *client)
{
    (void)major;
    (void)minor;
    struct agentx *a = client;
    netsnmp_session *sess = server;
    if (sess) { /* the ping's wait: one try of timeout_ms */
        sess->timeout = (long)a->opts.timeout_ms * 1000;
        sess->retries = 0;
    }
    a->stats.connects++;
    if (!a->connected) {
        if (!a->ever_connected)
            log_notice("AgentX: registered with the master agent at %s", socket_name(a));
        else
            log_notice("AgentX: registered again with the master agent at %s after %" PRIu64 " s",
                       socket_name(a), age_s(a->lost_mono_ns));
    }
    a->connected = true;
    a->ever_connected = true;
    return 0;
}

static int on_index_stop(int major, int minor, void *server, void *client)
{
    (void)major;
    (void)minor;
    (void)server;
    struct agentx *a = client;
    if (a->connected) {
        a->stats.disconnects++;
        a->lost_mono_ns = ev_monotonic_ns();
        log_warn("AgentX: lost the master agent at %s; trying again every %u s", socket_name(a),
                 a->opts.ping_interval_s);
    }
    a->connected = false;
    return 0;
}

/* Net-SNMP's own messages.  Connection churn is reported by the two
 * callbacks above (once per loss, once per recovery); the library's lines
 * about it would repeat every retry, so they go to debug. */
static int on_netsnmp_log(int major, int minor, void *server, void *client)
{
    (void)major;
    (void)minor;
    struct agentx *a = client;
    const struct snmp_log_message *m = server;
    if (!m || !m->msg)
        return 0;
    char line[512];
    snprintf(line, sizeof(line), "%s", m->msg);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    static const char *const churn[] = {
        "AgentX subagent connected", "AgentX master disconnected",
        "failed to respond to ping", "Failed to connect to the agentx master",
        "agentx master agent",       "Turning on AgentX",
        "NET-SNMP version"};
    for (size_t i = 0; i < sizeof(churn) / sizeof(churn[0]); i++)
        if (strstr(line, churn[i])) {
            log_debug("net-snmp: %s", line);
            return 0;
        }
    uint32_t held = 0;
    if (m->priority > LOG_WARNING) {
        log_debug("net-snmp: %s", line);
    } else if (log_rl_ok(&a->netsnmp_rl, ev_monotonic_ns(), 60 * EV_NS_PER_SEC, &held)) {
        if (held)
            log_warn("net-snmp: %s (%" PRIu32 " similar messages suppressed)", line, held);
        else
            log_warn("net-snmp: %s", line);
    }
    return 0;
}

/* ---- start / stop -----------------------------------------------------------------------------
 */

/* A registration of table `t` in `context` (NULL: the default one), or
 * NULL with the reason in err.  Net-SNMP owns it once registered. */
static netsnmp_handler_registration *register_table(const struct tdef *t, const char *context,
                                                    int modes, char *err, size_t errlen)
{
    oid o[MAX_OID_LEN];
    size_t n = table_oid(t, o);
    netsnmp_handler_registration *reg =
        netsnmp_create_handler_registration(t->name, table_handler, o, n, modes);
    if (!reg) {
        snprintf(err, errlen, "cannot create the registration of %s", t->name);
        return NULL;
    }
    reg->handler->myvoid = (void *)t;
    if (context && !(reg->contextName = strdup(context))) {
        netsnmp_handler_registration_free(reg);
        snprintf(err, errlen, "out of memory registering %s", t->name);
        return NULL;
    }
    /* on failure Net-SNMP frees the registration itself */
    if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
        snprintf(err, errlen, "cannot register %s%s%s", t->name, context ? " in context " : "",
                 context ? context : "");
        return NULL;
    }
    return reg;
}

static int register_tables(struct agentx *a, char *err, size_t errlen)
{
    for (size_t i = 0; i <= NTABLES; i++) {
        const struct tdef *t = i < NTABLES ? &tables[i] : &entity_logical_table;
        if (i == NTABLES && !a->opts.standard_mibs)
            break;
        netsnmp_handler_registration *reg = register_table(
            t, NULL, i < NTABLES ? HANDLER_CAN_RWRITE : HANDLER_CAN_RONLY, err, errlen);
        if (!reg)
            return -1;
        a->regs[a->nregs++] = reg;
    }
    return 0;
}

/* ---- one context per BMC (standard MIBs) ------------------------------------------------------
 */

/*
 * Not netsnmp_unregister_handler(reg): it hands the registration's own OID
 * and context name to unregister_mib_context(), which frees the registration
 * and then compares the freed name against the next subtrees (a
 * use-after-free AddressSanitizer reports in Net-SNMP 5.9).  Our copies of
 * both outlive the call.
 */
static void ctx_unregister(struct ctxreg *c)
{
    for (size_t i = 0; i < CTX_TABLES; i++) {
        netsnmp_handler_registration *reg = c->reg[i];
        if (!reg)
            continue;
        oid o[MAX_OID_LEN];
        size_t n = table_oid(ctx_table(i), o);
        unregister_mib_context(o, n, reg->priority, reg->range_subid, reg->range_ubound,
                               c->name); /* frees reg */
        c->reg[i] = NULL;
    }
}

static int ctx_register(struct ctxreg *c)
{
    char err[256];
    for (size_t i = 0; i < CTX_TABLES; i++) {
        c->reg[i] = register_table(ctx_table(i), c->name, HANDLER_CAN_RONLY, err, sizeof(err));
        if (!c->reg[i]) {
            log_err("standard MIBs: BMC %s (ipmiBmcIndex %" PRIu32 "): %s; its context is not "
                    "served",
                    c->name, c->index, err);
            ctx_unregister(c);
            return -1;
        }
    }
    return 0;
}

static int ctx_cmp(const void *x, const void *y)
{
    return strcmp(((const struct ctxreg *)x)->name, ((const struct ctxreg *)y)->name);
}

/* The time one roster tick may spend registering: the rest waits for the
 * next tick (a second later), so the loop never stalls long.  Measured on
 * a loaded 2-core machine: 999 contexts (9 registrations each) took 631 ms
 * in one go, growing faster than linearly (Net-SNMP finds a context by a
 * list walk, here and in snmpd). */
#define CTX_SYNC_BUDGET_NS (50 * EV_NS_PER_SEC / 1000)

/*
 * Make the registered contexts those of the store's BMCs: unregister the
 * BMCs that left (or whose index changed), register the ones that joined,
 * in name order, for at most CTX_SYNC_BUDGET_NS per call; what is left is
 * done at the next tick.  Runs when the store's roster generation moved (or
 * the last sync was cut short): O(BMCs log BMCs) then, one comparison
 * otherwise.  Net-SNMP keeps every registration and sends them all again
 * after a reconnect to the master.
 */
static void sync_contexts(struct agentx *a)
{
    uint64_t gen = store_roster_generation(a->store);
    if (a->roster_valid && gen == a->roster_gen)
        return;
    uint64_t t0 = ev_monotonic_ns();
    size_t n = store_count(a->store), nw = 0;
    struct ctxreg *want = calloc(n ? n : 1, sizeof(*want));
    struct ctxreg *out = calloc(n + a->nctx ? n + a->nctx : 1, sizeof(*out));
    if (!want || !out) {
        free(want);
        free(out);
        log_err("standard MIBs: out of memory; contexts stay as they are");
        return; /* tried again at the next tick */
    }
    for (size_t i = 0; i < n; i++) {
        const struct store_bmc *b = store_at(a->store, i);
        if (!entity_context_name_ok(b->name)) {
            if (b->name && b->name[0] && !a->sync_partial)
                log_warn("standard MIBs: BMC %s: a name longer than 32 octets cannot be an "
                         "SNMPv3 context; not served through one",
                         b->name);
            continue;
        }
        snprintf(want[nw].name, sizeof(want[nw].name), "%s", b->name);
        want[nw++].index = b->index;
    }
    qsort(want, nw, sizeof(*want), ctx_cmp);
    size_t i = 0, j = 0, k = 0, ops = 0;
    bool cut = false;
    /* merge by name into `out` (sorted as both inputs are) */
    while (i < a->nctx || j < nw) {
        int c = i >= a->nctx ? 1 : j >= nw ? -1 : strcmp(a->ctx[i].name, want[j].name);
        bool same = c == 0 && a->ctx[i].index == want[j].index;
        if (!same && !cut && ops && ev_monotonic_ns() - t0 > CTX_SYNC_BUDGET_NS)
            cut = true; /* from here on, leave everything as it is */
        ops += !same;
        if (same || (cut && c <= 0)) {
            out[k++] = a->ctx[i++]; /* registered: kept (for now, when cut) */
            j += c == 0;
            continue;
        }
        if (cut) {
            j++; /* not registered yet: the next tick */
            continue;
        }
        if (c <= 0) { /* left, or its index changed: registered again below */
            ctx_unregister(&a->ctx[i++]);
            a->sync_removed++;
            continue;
        }
        struct ctxreg r = want[j++];
        if (ctx_register(&r) == 0) {
            out[k++] = r;
            a->sync_added++;
        }
    }
    free(want);
    free(a->ctx);
    a->ctx = out;
    a->nctx = k;
    a->roster_gen = gen;
    a->roster_valid = !cut;
    a->sync_ns += ev_monotonic_ns() - t0;
    a->sync_partial = cut;
    if (cut || (!a->sync_added && !a->sync_removed))
        return;
    log_notice("standard MIBs: %zu BMC contexts (%" PRIu64 " added, %" PRIu64
               " removed) in %.1f ms",
               k, a->sync_added, a->sync_removed, (double)a->sync_ns / 1e6);
    a->sync_added = a->sync_removed = a->sync_ns = 0;
}

/* A timer of our loop rather than a Net-SNMP alarm: one mechanism less.
 * A roster change (SIGHUP) reaches the registrations at the next tick, up
 * to a second later; the tick goes on after snmpd restarts (the "stall"
 * once suspected here was a test asserting the log line within that
 * second: SIGTERM came 0.16 s after SIGHUP, the tick was due 0.37 s later;
 * tests/agentx/stdmibs.sh now waits for it, across two restarts). */
static void on_roster_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    struct agentx *a = arg;
    sync_contexts(a);
    ev_timer_start(loop, t, EV_NS_PER_SEC);
}

struct agentx *agentx_start(struct ev_loop *loop, struct store *store,
                            const struct agentx_opts *opts, char *err, size_t errlen)
{
    if (the_agent) {
        snprintf(err, errlen, "the AgentX subagent is already running");
        return NULL;
    }
    struct agentx *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->loop = loop;
    a->store = store;
    if (opts)
        a->opts = *opts;
    if (!a->opts.ping_interval_s)
        a->opts.ping_interval_s = 5;
    if (!a->opts.timeout_ms)
        a->opts.timeout_ms = 1000;
    a->ctl.ops = a->opts.control;
    a->ctl.store = store;
    a->ctl.elen = entry_oid(&tables[2], a->ctl.entry);
    a->ctl.after = after_delegated;
    a->ctl.sets = &a->stats.control_sets;
    a->ctl.traps = &a->stats.control_traps;
    if (!a->opts.start_wall_s)
        a->opts.start_wall_s = (uint64_t)time(NULL);
    snprintf(a->socket, sizeof(a->socket), "%s", a->opts.socket ? a->opts.socket : "");
    snprintf(a->app, sizeof(a->app), "%s",
             a->opts.app_name ? a->opts.app_name : "ipmi-snmp-bridge");
    a->opts.socket = NULL;
    a->opts.app_name = NULL;
    ev_timer_init(&a->timer, on_timer, a);
    ev_timer_init(&a->roster_timer, on_roster_timer, a);
    netsnmp_large_fd_set_init(&a->fdset, FD_SETSIZE);
    the_agent = a;

    /* A write to the AgentX socket of an snmpd that just died must not kill
     * the bridge: SIGPIPE is ignored unless the program handles it. */
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);

    /* Net-SNMP: a subagent, no signals for alarms (our loop runs them), no
     * config or persistent files of its own, no MIB files (numeric OIDs). */
    setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
    if (a->socket[0])
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, a->socket);
    snmp_disable_log();
    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_netsnmp_log, a);
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, on_index_start,
                           a);
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, on_index_stop, a);

    if (init_agent(a->app) != 0) {
        snprintf(err, errlen, "Net-SNMP agent initialisation failed");
        goto fail;
    }
    /* after init_agent(), which sets a subagent's ping interval to 15 s */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       (int)a->opts.ping_interval_s);
    /* the AgentX ping is synchronous: it may stall the loop this long, once */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_TIMEOUT,
                       (int)a->opts.timeout_ms * 1000);
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_RETRIES, 0);
    /* Net-SNMP 5.9 opens the AgentX session with the library defaults (1 s,
     * 5 retries), and its ping, Open and Close wait synchronously: a hung
     * snmpd would stall the loop 6 s per wait.  One try, whole seconds here;
     * on_index_start() then sets the connected session's exact timeout. */
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RETRIES, 0);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_TIMEOUT,
                       (int)((a->opts.timeout_ms + 999) / 1000));
    if (register_tables(a, err, errlen) < 0)
        goto fail;
    if (a->opts.standard_mibs) {
        /* the BMCs already in the store; then, every second, the roster */
        sync_contexts(a);
        ev_timer_start(loop, &a->roster_timer, EV_NS_PER_SEC);
    }
    init_snmp(a->app); /* connects (or schedules the retries) */
    if (!a->connected)
        log_warn("AgentX: no master agent at %s yet; trying every %u s", socket_name(a),
                 a->opts.ping_interval_s);
    sync_fds(a);
    return a;
fail:
    agentx_stop(a);
    return NULL;
}

void agentx_stop(struct agentx *a)
{
    if (!a)
        return;
    ev_timer_stop(a->loop, &a->timer);
    for (size_t i = 0; i < a->nfds; i++)
        ev_del_fd(a->loop, a->fds[i].fd);
    a->nfds = 0;
    /* Net-SNMP's shutdown frees the client argument of every callback still
     * registered: take ours (the agent itself) back first. */
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, on_index_start,
                             a, 1);
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, on_index_stop, a,
                             1);
    snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_netsnmp_log, a, 1);
    ev_timer_stop(a->loop, &a->roster_timer);
    snmp_shutdown(a->app); /* drops every registration, the contexts' too */
    free(a->ctx);
    netsnmp_large_fd_set_cleanup(&a->fdset);
    free(a->fds);
    if (the_agent == a)
        the_agent = NULL;
    free(a);
}

int agentx_connected(const struct agentx *a)
{
    return a && a->connected;
}

void agentx_get_stats(const struct agentx *a, struct agentx_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (a)
        *out = a->stats;
}

/* ---- without a master agent (agentx_int.h) ------------------------------------------------ */

struct agentx *agentx_int_new(struct store *store, const struct agentx_opts *opts)
{
    if (the_agent)
        return NULL;
    struct agentx *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->store = store;
    if (opts)
        a->opts = *opts;
    a->opts.socket = NULL;
    a->opts.app_name = NULL;
    a->ctl.ops = a->opts.control;
    a->ctl.store = store;
    a->ctl.elen = entry_oid(&tables[2], a->ctl.entry);
    a->ctl.sets = &a->stats.control_sets;
    a->ctl.traps = &a->stats.control_traps;
    the_agent = a;
    return a;
}

void agentx_int_free(struct agentx *a)
{
    if (a && the_agent == a)
        the_agent = NULL;
    if (a)
        free(a->ctx);
    free(a);
}

size_t agentx_int_ntables(void)
{
    return NTABLES;
}

size_t agentx_int_subtree(size_t table, oid *out)
{
    return table_oid(&tables[table], out);
}

int agentx_int_handle(struct agentx *a, size_t table, int mode, netsnmp_request_info *requests)
{
    if (a != the_agent || table >= NTABLES)
        return SNMP_ERR_GENERR;
    netsnmp_mib_handler handler = {.myvoid = (void *)&tables[table]};
    netsnmp_handler_registration reg = {.handler = &handler};
    oid root[MAX_OID_LEN];
    reg.rootoid = root;
    reg.rootoid_len = agentx_int_subtree(table, root);
    netsnmp_agent_request_info reqinfo = {.mode = mode};
    return table_handler(&handler, &reg, &reqinfo, requests);
}

/* A BMC's context in OID order: entPhysicalTable, entPhySensorTable, then
 * IPMI-BRIDGE-MIB's per-BMC tables. */
static const struct tdef *ctx_table_oid_order(size_t i)
{
    if (i == 0)
        return &entity_physical_table;
    if (i == 1)
        return &entity_sensor_table;
    return ctx_table(i - 2);
}

int agentx_int_add_context(struct agentx *a, const char *name, uint32_t bmc_index)
{
    if (a != the_agent || !entity_context_name_ok(name) || ctx_find(a, name))
        return -1;
    struct ctxreg *p = realloc(a->ctx, (a->nctx + 1) * sizeof(*p));
    if (!p)
        return -1;
    a->ctx = p;
    struct ctxreg c = {.index = bmc_index};
    snprintf(c.name, sizeof(c.name), "%s", name);
    size_t i = a->nctx;
    while (i > 0 && strcmp(a->ctx[i - 1].name, name) > 0) {
        a->ctx[i] = a->ctx[i - 1];
        i--;
    }
    a->ctx[i] = c;
    a->nctx++;
    return 0;
}

size_t agentx_int_ctx_ntables(void)
{
    return CTX_TABLES;
}

size_t agentx_int_ctx_subtree(size_t table, oid *out)
{
    return table_oid(ctx_table_oid_order(table), out);
}

int agentx_int_ctx_handle(struct agentx *a, size_t table, const char *context, int mode,
                          netsnmp_request_info *requests)
{
    if (a != the_agent || table >= CTX_TABLES || !context)
        return SNMP_ERR_GENERR;
    const struct tdef *t = ctx_table_oid_order(table);
    netsnmp_mib_handler handler = {.myvoid = (void *)t};
    char name[64];
    snprintf(name, sizeof(name), "%s", context);
    netsnmp_handler_registration reg = {.handler = &handler, .contextName = name};
    oid root[MAX_OID_LEN];
    reg.rootoid = root;
    reg.rootoid_len = table_oid(t, root);
    netsnmp_agent_request_info reqinfo = {.mode = mode};
    return table_handler(&handler, &reg, &reqinfo, requests);
}
