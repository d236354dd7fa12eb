/*
 * notify.c - IPMI-BRIDGE-MIB notifications through AgentX Notify (notify.h).
 */
#include "notify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agentx.h"
#include "ev.h"
#include "events.h"
#include "log.h"
#include "mib_root.h"
#include "store.h"

/* RFC 3416 SNMPv2-MIB snmpTrapOID.0 */
static const oid trap_oid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

/* IPMI-BRIDGE-MIB: ipmiBridgeNotifications = root.0, ipmiBmcEntry = root.1.3.1,
 * ipmiEventObjects = root.1.20 */
#define NOTIF_PLATFORM_EVENT 1
#define NOTIF_SENSOR_STATUS  2
#define NOTIF_BMC_STATE      3
#define BMC_COL_ERROR        5
#define SENSOR_COL_NAME      2
#define SENSOR_COL_VALUE_TXT 14
#define SENSOR_COL_UNITS     15
#define NOTIF_SUPPRESSED     5
#define BMC_COL_NAME         2
#define BMC_COL_ADDRESS      3
enum ev_obj {
    EO_SOURCE = 1,
    EO_SEL_RECORD_ID,
    EO_TIMESTAMP,
    EO_SEVERITY,
    EO_SENSOR_TYPE,
    EO_SENSOR_NUMBER,
    EO_SENSOR_NAME,
    EO_TYPE,
    EO_DIRECTION,
    EO_TEXT,
    EO_READING,
    EO_DATA,
    EO_OLD_STATUS,
    EO_NEW_STATUS,
    EO_THRESHOLDS,
    EO_OLD_STATE,
    EO_NEW_STATE,
    EO_SUPPRESSED_COUNT = 20,
    EO_SUPPRESSED_INTERVAL = 21,
};

struct bucket {
    uint64_t epoch; /* interval number the count belongs to */
    unsigned count;
};

struct notify {
    struct notify_opts o;
    uint64_t *sent_ext;
    struct notify_stats st;
    struct ev_loop *loop;
    uint64_t interval_ns;
    struct bucket global;
    struct bucket *per; /* by ipmiBmcIndex */
    size_t nper;
    uint64_t held_epoch; /* the interval whose suppressions are not summarised yet */
    uint64_t held;
    struct ev_timer summary;
};

static const oid notif_root[] = {IPMI_BRIDGE_MIB_ROOT, 0};
static const oid bmc_entry[] = {IPMI_BRIDGE_MIB_ROOT, 1, 3, 1};
static const oid event_objs[] = {IPMI_BRIDGE_MIB_ROOT, 1, 20};
static const oid sensor_entry[] = {IPMI_BRIDGE_MIB_ROOT, 1, 5, 1};

#define NOTIF_ROOT_LEN (sizeof(notif_root) / sizeof(oid))

/* ---- varbinds ---------------------------------------------------------------------- */

struct vbl {
    netsnmp_variable_list *head;
    bool bad;
};

static void add(struct vbl *l, const oid *base, size_t base_len, oid col, const oid *inst,
                size_t ninst, u_char type, const void *val, size_t len)
{
    oid name[MAX_OID_LEN];
    if (base_len + 1 + ninst > MAX_OID_LEN) {
        l->bad = true;
        return;
    }
    memcpy(name, base, base_len * sizeof(oid));
    name[base_len] = col;
    if (ninst)
        memcpy(name + base_len + 1, inst, ninst * sizeof(oid));
    if (!snmp_varlist_add_variable(&l->head, name, base_len + 1 + ninst, type, val, len))
        l->bad = true;
}

static void add_ev_str(struct vbl *l, enum ev_obj o, const char *s)
{
    static const oid zero[] = {0};
    if (s && *s)
        add(l, event_objs, OID_LENGTH(event_objs), (oid)o, zero, 1, ASN_OCTET_STR, s, strlen(s));
}

static void add_ev_u32(struct vbl *l, enum ev_obj o, u_char type, uint32_t v)
{
    static const oid zero[] = {0};
    if (type == ASN_INTEGER) {
        long x = (long)v;
        add(l, event_objs, OID_LENGTH(event_objs), (oid)o, zero, 1, type, &x, sizeof(x));
    } else {
        u_long x = v;
        add(l, event_objs, OID_LENGTH(event_objs), (oid)o, zero, 1, type, &x, sizeof(x));
    }
}

static void start_list(struct vbl *l, oid which)
{
    oid t[NOTIF_ROOT_LEN + 1];
    memcpy(t, notif_root, sizeof(notif_root));
    t[NOTIF_ROOT_LEN] = which;
    l->head = NULL;
    l->bad = false;
    if (!snmp_varlist_add_variable(&l->head, trap_oid_oid, OID_LENGTH(trap_oid_oid), ASN_OBJECT_ID,
                                   t, sizeof(t)))
        l->bad = true;
}

static void add_bmc(struct vbl *l, const struct store_bmc *b)
{
    oid idx = b->index;
    const char *name = b->name ? b->name : "", *addr = b->address ? b->address : "";
    add(l, bmc_entry, OID_LENGTH(bmc_entry), BMC_COL_NAME, &idx, 1, ASN_OCTET_STR, name,
        strlen(name));
    add(l, bmc_entry, OID_LENGTH(bmc_entry), BMC_COL_ADDRESS, &idx, 1, ASN_OCTET_STR, addr,
        strlen(addr));
}

static int send_list(struct notify *n, struct vbl *l)
{
    if (l->bad || !l->head) {
        snmp_free_varbind(l->head);
        n->st.failed++;
        return -1;
    }
    send_v2trap(l->head);
    snmp_free_varbind(l->head);
    n->st.sent++;
    if (n->sent_ext)
        (*n->sent_ext)++;
    return 1;
}

/* RFC 2579 DateAndTime, UTC (11 octets, direction '+', offset 0). */
static size_t date_and_time(int64_t t, u_char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return 0;
    unsigned y = (unsigned)tm.tm_year + 1900u;
    out[0] = (u_char)(y >> 8);
    out[1] = (u_char)y;
    out[2] = (u_char)(tm.tm_mon + 1);
    out[3] = (u_char)tm.tm_mday;
    out[4] = (u_char)tm.tm_hour;
    out[5] = (u_char)tm.tm_min;
    out[6] = (u_char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
    out[7] = 0;
    out[8] = '+';
    out[9] = 0;
    out[10] = 0;
    return 11;
}

/* ---- storm control ------------------------------------------------------------------- */

static void on_summary(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct notify *n = arg;
    if (!n->held)
        return;
    struct vbl l;
    start_list(&l, NOTIF_SUPPRESSED);
    add_ev_u32(&l, EO_SUPPRESSED_COUNT, ASN_COUNTER,
               (uint32_t)(n->held > UINT32_MAX ? UINT32_MAX : n->held));
    add_ev_u32(&l, EO_SUPPRESSED_INTERVAL, ASN_UNSIGNED, n->o.interval_s);
    log_warn("notifications: %llu held back by the rate limits in the last %u s (summarised in "
             "one ipmiNotificationsSuppressed)",
             (unsigned long long)n->held, n->o.interval_s);
    n->held = 0;
    send_list(n, &l);
}

/* true: within the limits (counted); false: suppressed (counted, summarised). */
static bool admit(struct notify *n, uint32_t bmc_index)
{
    uint64_t epoch = ev_monotonic_ns() / n->interval_ns;
    struct bucket *pb = NULL;
    if (n->o.per_bmc) {
        if (bmc_index >= n->nper) {
            size_t want = (size_t)bmc_index + 64;
            struct bucket *p = realloc(n->per, want * sizeof(*p));
            if (p) {
                memset(p + n->nper, 0, (want - n->nper) * sizeof(*p));
                n->per = p;
                n->nper = want;
            }
        }
        if (bmc_index < n->nper) {
            pb = &n->per[bmc_index];
            if (pb->epoch != epoch)
                *pb = (struct bucket){.epoch = epoch};
        }
    }
    if (n->global.epoch != epoch)
        n->global = (struct bucket){.epoch = epoch};
    if ((pb && pb->count >= n->o.per_bmc) || (n->o.global && n->global.count >= n->o.global)) {
        n->st.suppressed++;
        if (!n->held) /* the summary goes out when this interval ends */
            ev_timer_start(n->loop, &n->summary,
                           (epoch + 1) * n->interval_ns - ev_monotonic_ns() + EV_NS_PER_MS);
        n->held++;
        return false;
    }
    if (pb)
        pb->count++;
    n->global.count++;
    return true;
}

/* ---- API -------------------------------------------------------------------------------- */

struct notify *notify_new(struct ev_loop *loop, const struct notify_opts *o, uint64_t *sent)
{
    struct notify *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->o = *o;
    if (!n->o.interval_s)
        n->o.interval_s = 10;
    n->interval_ns = (uint64_t)n->o.interval_s * 1000000000ull;
    n->sent_ext = sent;
    n->loop = loop;
    ev_timer_init(&n->summary, on_summary, n);
    return n;
}

void notify_free(struct notify *n)
{
    if (!n)
        return;
    if (n->held)
        on_summary(n->loop, &n->summary, n);
    ev_timer_stop(n->loop, &n->summary);
    free(n->per);
    free(n);
}

void notify_get_stats(const struct notify *n, struct notify_stats *out)
{
    *out = n->st;
}

int notify_platform_event(struct notify *n, const struct store_bmc *b, const struct notify_event *e)
{
    if (!n->o.platform_event) {
        n->st.disabled++;
        return 0;
    }
    if (!admit(n, b->index))
        return 0;
    struct vbl l;
    start_list(&l, NOTIF_PLATFORM_EVENT);
    add_bmc(&l, b);
    add_ev_u32(&l, EO_SOURCE, ASN_INTEGER, (uint32_t)e->source);
    if (e->has_record_id)
        add_ev_u32(&l, EO_SEL_RECORD_ID, ASN_UNSIGNED, e->record_id);
    u_char dt[11];
    size_t dtl = e->has_time ? date_and_time(e->utc_time, dt) : 0;
    if (dtl) {
        static const oid zero[] = {0};
        add(&l, event_objs, OID_LENGTH(event_objs), EO_TIMESTAMP, zero, 1, ASN_OCTET_STR, dt, dtl);
    }
    if (e->severity >= 1 && e->severity <= 4)
        add_ev_u32(&l, EO_SEVERITY, ASN_INTEGER, (uint32_t)e->severity);
    add_ev_str(&l, EO_SENSOR_TYPE, e->sensor_type);
    add_ev_u32(&l, EO_SENSOR_NUMBER, ASN_UNSIGNED, e->sensor_number);
    add_ev_str(&l, EO_SENSOR_NAME, e->sensor_name);
    add_ev_u32(&l, EO_TYPE, ASN_UNSIGNED, e->event_type);
    add_ev_u32(&l, EO_DIRECTION, ASN_INTEGER, e->deassertion ? 2u : 1u);
    add_ev_str(&l, EO_TEXT, e->text);
    add_ev_str(&l, EO_READING, e->reading);
    if (e->data && e->data_len) {
        static const oid zero[] = {0};
        add(&l, event_objs, OID_LENGTH(event_objs), EO_DATA, zero, 1, ASN_OCTET_STR, e->data,
            e->data_len > 16 ? 16 : e->data_len);
    }
    return send_list(n, &l);
}

int notify_sensor_status(struct notify *n, const struct store_bmc *b,
                         const struct store_sensor *old, const struct store_sensor *now)
{
    if (!n->o.sensor_status) {
        n->st.disabled++;
        return 0;
    }
    if (!admit(n, b->index))
        return 0;
    struct vbl l;
    start_list(&l, NOTIF_SENSOR_STATUS);
    add_bmc(&l, b);
    oid inst[2] = {b->index, now->index};
    const char *name = now->name ? now->name : "";
    add(&l, sensor_entry, OID_LENGTH(sensor_entry), SENSOR_COL_NAME, inst, 2, ASN_OCTET_STR, name,
        strlen(name));
    /* IpmiSensorStatusType = enum store_status + 1 */
    add_ev_u32(&l, EO_OLD_STATUS, ASN_INTEGER, old->status + 1u);
    add_ev_u32(&l, EO_NEW_STATUS, ASN_INTEGER, now->status + 1u);
    if (now->value_text)
        add(&l, sensor_entry, OID_LENGTH(sensor_entry), SENSOR_COL_VALUE_TXT, inst, 2,
            ASN_OCTET_STR, now->value_text, strlen(now->value_text));
    if (now->units)
        add(&l, sensor_entry, OID_LENGTH(sensor_entry), SENSOR_COL_UNITS, inst, 2, ASN_OCTET_STR,
            now->units, strlen(now->units));
    add_ev_str(&l, EO_THRESHOLDS, now->states_text);
    return send_list(n, &l);
}

int notify_bmc_state(struct notify *n, const struct store_bmc *b, uint8_t old_state)
{
    if (!n->o.bmc_state) {
        n->st.disabled++;
        return 0;
    }
    if (!admit(n, b->index))
        return 0;
    struct vbl l;
    start_list(&l, NOTIF_BMC_STATE);
    add_bmc(&l, b);
    if (old_state < STORE_ST__COUNT)
        add_ev_u32(&l, EO_OLD_STATE, ASN_INTEGER, agentx_state_mib[old_state]);
    if (b->state < STORE_ST__COUNT)
        add_ev_u32(&l, EO_NEW_STATE, ASN_INTEGER, agentx_state_mib[b->state]);
    if (b->error && b->error[0]) {
        oid idx = b->index;
        add(&l, bmc_entry, OID_LENGTH(bmc_entry), BMC_COL_ERROR, &idx, 1, ASN_OCTET_STR, b->error,
            strlen(b->error));
    }
    return send_list(n, &l);
}

static void sink_platform(void *arg, const struct store_bmc *b, const struct notify_event *e)
{
    notify_platform_event(arg, b, e);
}

static void sink_sensor(void *arg, const struct store_bmc *b, const struct store_sensor *old,
                        const struct store_sensor *now)
{
    notify_sensor_status(arg, b, old, now);
}

static void sink_state(void *arg, const struct store_bmc *b, uint8_t old_state)
{
    notify_bmc_state(arg, b, old_state);
}

void notify_events_sink(struct notify *n, struct events_sink *out)
{
    *out = (struct events_sink){
        .arg = n, .platform = sink_platform, .sensor = sink_sensor, .bmc_state = sink_state};
}
