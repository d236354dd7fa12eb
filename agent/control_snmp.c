/*
 * control_snmp.c - SNMP SETs of the control columns of ipmiBmcTable
 * (ipmiBmcPowerControl 80, ipmiBmcIdentify 81, ipmiBmcBootDevice 82,
 * ipmiBmcBootPersistent 83, ipmiBmcBootMode 84) and the ipmiControlAction
 * notification.
 *
 * RESERVE1 checks each varbind alone (column writable, row exists, INTEGER,
 * value in the enumeration); RESERVE2 checks them together (one action per
 * BMC per PDU: the boot columns form one action, power and identify one
 * each; a boot SET without a device needs a known current device).  ACTION
 * starts the one action per BMC and delegates the varbind that carries it:
 * snmpd gets the answer when the BMC has answered.  COMMIT has nothing
 * left to do; UNDO cannot undo a power action or a boot device already
 * sent (the MIB says so).  The log line of every action is control.c's;
 * the notification is sent here when it has ended.
 */
#include "control_snmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chassis_ctl.h"
#include "log.h"
#include "mib_root.h"
#include "store.h"

enum {
    COL_POWER = 80,
    COL_IDENTIFY = 81,
    COL_BOOT_DEV = 82,
    COL_BOOT_PERSIST = 83,
    COL_BOOT_MODE = 84
};

/* Largest value of each writable column's enumeration, indexed by column - 80 */
static const unsigned col_max[] = {CTL_POWER__MAX, CTL_IDENTIFY__MAX, CTL_BOOT_DEV__MAX,
                                   CTL_BOOT_PERSIST__MAX, CTL_BOOT_MODE__MAX};

/* SNMP error of each control outcome (control.h) */
static const int status_err[CONTROL_STATUS__COUNT] = {
    [CONTROL_OK] = SNMP_ERR_NOERROR,
    [CONTROL_E_DISABLED] = SNMP_ERR_NOACCESS,
    [CONTROL_E_PRIVILEGE] = SNMP_ERR_NOACCESS,
    [CONTROL_E_BAD_VALUE] = SNMP_ERR_WRONGVALUE,
    [CONTROL_E_UNAVAILABLE] = SNMP_ERR_RESOURCEUNAVAILABLE,
    [CONTROL_E_BUSY] = SNMP_ERR_RESOURCEUNAVAILABLE,
    [CONTROL_E_REFUSED] = SNMP_ERR_COMMITFAILED,
    [CONTROL_E_TIMEOUT] = SNMP_ERR_RESOURCEUNAVAILABLE,
};

static int err_of(enum control_status s)
{
    return (unsigned)s < CONTROL_STATUS__COUNT ? status_err[s] : SNMP_ERR_GENERR;
}

/* The kind of action a column belongs to */
static enum control_kind kind_of(unsigned col)
{
    return col == COL_POWER ? CONTROL_POWER : col == COL_IDENTIFY ? CONTROL_IDENTIFY : CONTROL_BOOT;
}

/* Column and BMC index of a varbind in ipmiBmcTable; false if the name is
 * not ENTRY.COL.INDEX */
static bool parse_name(const struct ctl_snmp *c, const netsnmp_variable_list *vb, unsigned *col,
                       uint32_t *index)
{
    if (vb->name_length != c->elen + 2 || snmp_oid_compare(vb->name, c->elen, c->entry, c->elen))
        return false;
    if (vb->name[c->elen] > 255 || vb->name[c->elen + 1] > 0xffffffffu)
        return false;
    *col = (unsigned)vb->name[c->elen];
    *index = (uint32_t)vb->name[c->elen + 1];
    return true;
}

static bool writable(unsigned col)
{
    return col >= COL_POWER && col <= COL_BOOT_MODE;
}

static int reserve1(const struct ctl_snmp *c, const netsnmp_variable_list *vb)
{
    unsigned col;
    uint32_t index;
    if (!parse_name(c, vb, &col, &index) || !writable(col) || !c->ops)
        return SNMP_ERR_NOTWRITABLE;
    if (!store_find(c->store, index))
        return SNMP_ERR_NOCREATION;
    if (vb->type != ASN_INTEGER)
        return SNMP_ERR_WRONGTYPE;
    if (vb->val_len != sizeof(long))
        return SNMP_ERR_WRONGLENGTH;
    long v = *vb->val.integer;
    if (v < 1 || (unsigned long)v > col_max[col - COL_POWER])
        return SNMP_ERR_WRONGVALUE;
    return SNMP_ERR_NOERROR;
}

/* The action a PDU asks of BMC `index`: every varbind for it.  Returns the
 * request that carries it (the first), or NULL. */
struct plan {
    netsnmp_request_info *lead;
    enum control_kind kind;
    bool mixed; /* more than one kind of action for this BMC */
    long v[5];  /* by column - 80; 0: not in the PDU */
};

static void plan_of(const struct ctl_snmp *c, netsnmp_request_info *requests, uint32_t index,
                    struct plan *p)
{
    memset(p, 0, sizeof(*p));
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        unsigned col;
        uint32_t i;
        if (!parse_name(c, r->requestvb, &col, &i) || i != index || !writable(col))
            continue;
        if (!p->lead) {
            p->lead = r;
            p->kind = kind_of(col);
        } else if (kind_of(col) != p->kind) {
            p->mixed = true;
        }
        p->v[col - COL_POWER] = *r->requestvb->val.integer;
    }
}

/* The request of a plan; false if a boot SET has no device to send. */
static bool plan_req(const struct plan *p, const struct store_bmc *b, struct control_req *req)
{
    memset(req, 0, sizeof(*req));
    req->kind = p->kind;
    switch (p->kind) {
    case CONTROL_POWER:
        req->value = (unsigned)p->v[0];
        return true;
    case CONTROL_IDENTIFY:
        req->value = (unsigned)p->v[1];
        return true; /* on: the BMC's default interval (seconds = 0) */
    case CONTROL_BOOT: {
        const struct store_control *cur = &b->control;
        req->boot.device = (uint8_t)(p->v[2] ? p->v[2] : cur->boot_device);
        req->boot.persist = (uint8_t)(p->v[3]             ? p->v[3]
                                      : cur->boot_persist ? cur->boot_persist
                                                          : CTL_BOOT_ONCE);
        req->boot.mode = (uint8_t)(p->v[4]          ? p->v[4]
                                   : cur->boot_mode ? cur->boot_mode
                                                    : CTL_BOOT_LEGACY);
        req->boot.valid = true;
        return req->boot.device != 0;
    }
    }
    return false;
}

/* ---- the notification ------------------------------------------------------------------ */

static const oid snmptrap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
static const oid mib_root[] = {IPMI_BRIDGE_MIB_ROOT};
#define ROOT_LEN (sizeof(mib_root) / sizeof(mib_root[0]))

/* root.SUFFIX... into out; returns the length */
static size_t mib_oid(oid *out, const oid *suffix, size_t n)
{
    memcpy(out, mib_root, sizeof(mib_root));
    memcpy(out + ROOT_LEN, suffix, n * sizeof(oid));
    return ROOT_LEN + n;
}

/*
 * ipmiControlAction: ipmiBmcName.IDX, ipmiBmcAddress.IDX (ipmiBmcEntry 2
 * and 3), ipmiEventControlAction.0 and ipmiEventControlResult.0
 * (ipmiEventObjects 18 and 19).
 */
static void notify(struct ctl_snmp *c, uint32_t index, const char *action, const char *result)
{
    const struct store_bmc *b = store_find(c->store, index);
    netsnmp_variable_list *vl = NULL;
    oid name[MAX_OID_LEN];
    size_t n;
    static const oid trap[] = {0, 4}; /* ipmiBridgeNotifications 4 */
    static const oid ev_action[] = {1, 20, 18, 0};
    static const oid ev_result[] = {1, 20, 19, 0};
    n = mib_oid(name, trap, 2);
    snmp_varlist_add_variable(&vl, snmptrap_oid, sizeof(snmptrap_oid) / sizeof(oid), ASN_OBJECT_ID,
                              name, n * sizeof(oid));
    for (unsigned col = 2; col <= 3; col++) {
        const char *s = b ? (col == 2 ? b->name : b->address) : "";
        memcpy(name, c->entry, c->elen * sizeof(oid));
        name[c->elen] = col;
        name[c->elen + 1] = index;
        snmp_varlist_add_variable(&vl, name, c->elen + 2, ASN_OCTET_STR, s, strlen(s));
    }
    n = mib_oid(name, ev_action, 4);
    snmp_varlist_add_variable(&vl, name, n, ASN_OCTET_STR, action, strlen(action));
    n = mib_oid(name, ev_result, 4);
    snmp_varlist_add_variable(&vl, name, n, ASN_OCTET_STR, result, strlen(result));
    send_v2trap(vl);
    snmp_free_varbind(vl);
    if (c->traps)
        (*c->traps)++;
}

/* ---- ACTION ------------------------------------------------------------------------------- */

struct pending {
    struct ctl_snmp *c;
    netsnmp_delegated_cache *cache;
    uint32_t index;
    char action[192];
};

static void result_text(const struct control_result *res, char *buf, size_t len)
{
    if (res->status == CONTROL_OK)
        snprintf(buf, len, "ok");
    else
        snprintf(buf, len, "%s: %s", control_status_word(res->status), res->text);
}

static void on_done(void *arg, const struct control_result *res)
{
    struct pending *p = arg;
    netsnmp_delegated_cache *cache = netsnmp_handler_check_cache(p->cache);
    if (cache) {
        if (res->status != CONTROL_OK)
            netsnmp_set_request_error(cache->reqinfo, cache->requests, err_of(res->status));
        cache->requests->delegated = 0;
        netsnmp_free_delegated_cache(cache);
    } else {
        log_msg(LOG_LVL_WARN,
                "control: SNMP request for BMC index %u ended before the BMC "
                "answered (snmpd's agentXTimeout is shorter than the action)",
                (unsigned)p->index);
        netsnmp_free_delegated_cache(p->cache);
    }
    char r[320];
    result_text(res, r, sizeof(r));
    notify(p->c, p->index, p->action, r);
    void (*after)(void) = p->c->after;
    free(p);
    if (after)
        after();
}

/* Who asked: the PDU's security name or community when the master passes
 * them (Net-SNMP's AgentX master passes neither: then "snmp"). */
static void requester_of(const netsnmp_agent_request_info *reqinfo, char *buf, size_t len)
{
    const netsnmp_pdu *pdu = reqinfo && reqinfo->asp ? reqinfo->asp->pdu : NULL;
    size_t n = 0;
    const char *s = NULL;
    if (pdu && pdu->securityName && pdu->securityNameLen) {
        s = pdu->securityName;
        n = pdu->securityNameLen;
    } else if (pdu && pdu->community && pdu->community_len) {
        s = (const char *)pdu->community;
        n = pdu->community_len;
    }
    if (!s) {
        snprintf(buf, len, "snmp");
        return;
    }
    size_t o = 0;
    o += (size_t)snprintf(buf, len, "snmp:");
    for (size_t i = 0; i < n && o + 1 < len; i++)
        buf[o++] = s[i] >= 0x21 && s[i] < 0x7f ? s[i] : '?';
    buf[o < len ? o : len - 1] = '\0';
}

static void action(struct ctl_snmp *c, netsnmp_mib_handler *handler,
                   netsnmp_handler_registration *reg, netsnmp_agent_request_info *reqinfo,
                   netsnmp_request_info *requests)
{
    char who[64];
    requester_of(reqinfo, who, sizeof(who));
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        unsigned col;
        uint32_t index;
        if (r->status || !parse_name(c, r->requestvb, &col, &index))
            continue;
        struct plan p;
        plan_of(c, requests, index, &p);
        if (p.lead != r)
            continue; /* carried by the first varbind for this BMC */
        const struct store_bmc *b = store_find(c->store, index);
        struct control_req req;
        if (!b || !plan_req(&p, b, &req)) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
            continue;
        }
        req.requester = who;
        req.timeout_ms = c->ops->timeout_ms ? c->ops->timeout_ms : 4000;
        struct pending *pd = calloc(1, sizeof(*pd));
        if (!pd) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            continue;
        }
        pd->c = c;
        pd->index = index;
        char what[96];
        control_req_describe(&req, what, sizeof(what));
        snprintf(pd->action, sizeof(pd->action), "%s by %s", what, who);
        pd->cache = netsnmp_create_delegated_cache(handler, reg, reqinfo, r, NULL);
        if (!pd->cache) {
            free(pd);
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            continue;
        }
        r->delegated = 1;
        if (c->sets)
            (*c->sets)++;
        struct control_result now;
        enum control_status s = c->ops->start(c->ops->ctx, index, &req, on_done, pd, &now);
        if (s != CONTROL_OK) {
            /* refused at once: nothing was sent, nothing will come */
            r->delegated = 0;
            netsnmp_free_delegated_cache(pd->cache);
            netsnmp_set_request_error(reqinfo, r, err_of(s));
            char rt[320];
            result_text(&now, rt, sizeof(rt));
            notify(c, index, pd->action, rt);
            free(pd);
        }
    }
}

void ctl_snmp_set(struct ctl_snmp *c, netsnmp_mib_handler *handler,
                  netsnmp_handler_registration *reg, netsnmp_agent_request_info *reqinfo,
                  netsnmp_request_info *requests)
{
    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1:
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            if (r->processed)
                continue;
            int rc = reserve1(c, r->requestvb);
            if (rc != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, r, rc);
        }
        break;
    case MODE_SET_RESERVE2:
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            unsigned col;
            uint32_t index;
            if (r->processed || !parse_name(c, r->requestvb, &col, &index))
                continue;
            struct plan p;
            plan_of(c, requests, index, &p);
            const struct store_bmc *b = store_find(c->store, index);
            struct control_req req;
            if (p.mixed || !b || !plan_req(&p, b, &req))
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
        }
        break;
    case MODE_SET_ACTION:
        action(c, handler, reg, reqinfo, requests);
        break;
    default: /* COMMIT, FREE, UNDO: nothing to do or undo (see the top) */
        break;
    }
}
