/*
 * pet_listener.c - the PET port (pet_listener.h).
 */
#include "pet_listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/snmp_impl.h>

#include "agentx.h"
#include "ev.h"
#include "events.h"
#include "log.h"
#include "mib_root.h"
#include "notify.h"
#include "pet.h"
#include "store.h"

#define DGRAM_MAX    65536
#define LOG_EVERY_NS (10ull * 1000000000ull)
#define DUP_SLOTS    8192 /* recent PETs remembered (power of two) */
#define DUP_PROBE    8

static const char *const bad_names[PET_BAD__COUNT] = {
    [PET_BAD_GARBAGE] = "garbage",
    [PET_BAD_NOT_TRAP] = "not_trap",
    [PET_BAD_ENTERPRISE] = "enterprise",
    [PET_BAD_FIELD] = "field",
    [PET_BAD_NO_PAYLOAD] = "no_payload",
    [PET_BAD_TRUNCATED] = "truncated",
    [PET_BAD_OVERSIZE] = "oversize",
    [PET_BAD_OEM_FIELDS] = "oem_fields",
    [PET_BAD_UNKNOWN_SENDER] = "unknown_sender",
    [PET_BAD_COMMUNITY] = "community",
};

const char *pet_bad_name(enum pet_bad r)
{
    return (unsigned)r < PET_BAD__COUNT ? bad_names[r] : "?";
}

/* A BMC's address, split, for finding the sender (sorted by host, port). */
struct addr_key {
    char host[64];
    unsigned port;
    uint32_t index;
};

struct dup_slot {
    uint64_t key;  /* 0: empty */
    uint64_t when; /* monotonic ns */
};

struct pet_listener {
    int fd;
    unsigned port;
    char listen[128];
    struct ev_loop *loop;
    struct store *store;
    struct notify *notify;
    char community[128];
    bool check_community;
    uint64_t dup_window_ns;
    struct agentx_counters *counters;
    struct events *events;
    void (*ack)(void *arg, uint32_t bmc_index, const char *bmc_label, const uint8_t *req,
                size_t len);
    void *ack_arg;
    struct pet_listener_stats st;
    struct log_rl rl[PET_BAD__COUNT];
    /* the store's BMC addresses, rebuilt when its generation changes */
    uint64_t keys_gen;
    bool keys_valid;
    struct addr_key *keys;
    size_t nkeys;
    struct dup_slot *dup;
    netsnmp_handler_registration *reg;
    uint8_t buf[DGRAM_MAX];
};

/* ---- binding ----------------------------------------------------------------------- */

/* "udp:H:P", "udp6:[H]:P", "H:P", "[H]:P", "P" -> host ("" any) and port. */
static int split_listen(const char *s, char *host, size_t hostcap, char *port, size_t portcap,
                        int *family)
{
    *family = AF_UNSPEC;
    if (strncmp(s, "udp6:", 5) == 0) {
        *family = AF_INET6;
        s += 5;
    } else if (strncmp(s, "udp:", 4) == 0) {
        *family = AF_INET;
        s += 4;
    }
    const char *colon = NULL;
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return -1;
        if ((size_t)(end - s - 1) >= hostcap)
            return -1;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        colon = end + 1;
    } else if ((colon = strrchr(s, ':')) != NULL) {
        if ((size_t)(colon - s) >= hostcap)
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    } else {
        host[0] = '\0';
    }
    const char *p = colon ? colon + 1 : s;
    if (!*p || strlen(p) >= portcap || strspn(p, "0123456789") != strlen(p))
        return -1;
    snprintf(port, portcap, "%s", p);
    return 0;
}

struct pet_listener *pet_listener_bind(const char *listen, char *err, size_t errlen)
{
    char host[64], port[8];
    int family;
    if (!listen || split_listen(listen, host, sizeof(host), port, sizeof(port), &family) < 0) {
        snprintf(err, errlen, "pet-listen \"%s\": expected udp:ADDRESS:PORT or udp6:[ADDRESS]:PORT",
                 listen ? listen : "");
        return NULL;
    }
    struct addrinfo hints = {.ai_family = family,
                             .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV};
    if (family == AF_UNSPEC && !host[0])
        hints.ai_family = AF_INET;
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "pet-listen \"%s\": %s", listen, gai_strerror(rc));
        return NULL;
    }
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        snprintf(err, errlen, "pet-listen \"%s\": cannot bind: %s%s", listen, strerror(errno),
                 errno == EACCES ? " (port 162 needs privilege: start as root, or use another "
                                   "port and forward to it)"
                                 : "");
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return NULL;
    }
    freeaddrinfo(ai);
    int rcvbuf = 4 << 20; /* bursts of PETs from a fleet */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    struct pet_listener *pl = calloc(1, sizeof(*pl));
    if (!pl) {
        close(fd);
        snprintf(err, errlen, "pet-listen: out of memory");
        return NULL;
    }
    pl->fd = fd;
    snprintf(pl->listen, sizeof(pl->listen), "%s", listen);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        pl->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                  : ((struct sockaddr_in *)&ss)->sin_port);
    return pl;
}

unsigned pet_listener_port(const struct pet_listener *pl)
{
    return pl->port;
}

/* ---- counters: ipmiPetCounters (ipmiBridgeObjects 21) ------------------------------- */

/* column = 1 + enum pet_bad; then the duplicates */
#define COL_DUPLICATES (PET_BAD__COUNT + 1)
static const oid counters_oid[] = {IPMI_BRIDGE_MIB_ROOT, 1, 21};

static int counters_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                            netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)h;
    struct pet_listener *pl = reg->my_reg_void;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        netsnmp_variable_list *vb = r->requestvb;
        /* the scalar-group helper lengthens reg->rootoid while it calls us:
         * the column sits right after the group's own OID */
        size_t col_at = OID_LENGTH(counters_oid);
        if (vb->name_length != col_at + 2 || vb->name[col_at + 1] != 0) {
            netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
            continue;
        }
        oid col = vb->name[col_at];
        uint64_t v;
        if (col >= 1 && col <= PET_BAD__COUNT)
            v = pl->st.bad[col - 1];
        else if (col == COL_DUPLICATES)
            v = pl->st.duplicates;
        else {
            netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
            continue;
        }
        struct counter64 c = {.high = (u_long)(v >> 32), .low = (u_long)(v & 0xffffffffu)};
        snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
    }
    return SNMP_ERR_NOERROR;
}

static int register_counters(struct pet_listener *pl)
{
    netsnmp_handler_registration *reg =
        netsnmp_create_handler_registration("ipmiPetCounters", counters_handler, counters_oid,
                                            OID_LENGTH(counters_oid), HANDLER_CAN_RONLY);
    if (!reg)
        return -1;
    reg->my_reg_void = pl;
    if (netsnmp_register_scalar_group(reg, 1, COL_DUPLICATES) != SNMPERR_SUCCESS)
        return -1;
    pl->reg = reg;
    return 0;
}

/* ---- refusals ------------------------------------------------------------------------- */

static void refuse(struct pet_listener *pl, enum pet_bad r, const char *from, const char *detail)
{
    pl->st.bad[r]++;
    if (pl->counters)
        pl->counters->pets_bad++;
    uint32_t held = 0;
    if (log_rl_ok(&pl->rl[r], ev_monotonic_ns(), LOG_EVERY_NS, &held))
        log_warn("PET from %s refused (%s): %s%s", from, bad_names[r], detail,
                 held ? " (and more of this kind, not logged)" : "");
}

/* ---- sender -> BMC ---------------------------------------------------------------------- */

static int cmp_addr(const void *x, const void *y)
{
    const struct addr_key *a = x, *b = y;
    int c = strcmp(a->host, b->host);
    if (c)
        return c;
    return a->port < b->port ? -1 : a->port > b->port;
}

/* "10.1.2.3:623", "[2001:db8::1]:623" */
static bool split_addr(const char *s, char *host, size_t cap, unsigned *port)
{
    char p[8];
    int family;
    if (split_listen(s, host, cap, p, sizeof(p), &family) < 0 || !host[0])
        return false;
    *port = (unsigned)strtoul(p, NULL, 10);
    return true;
}

static void rebuild_keys(struct pet_listener *pl)
{
    uint64_t gen = store_roster_generation(pl->store);
    if (pl->keys_valid && gen == pl->keys_gen)
        return;
    size_t n = store_count(pl->store);
    struct addr_key *k = realloc(pl->keys, (n ? n : 1) * sizeof(*k));
    if (!k)
        return; /* keep the old ones */
    pl->keys = k;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const struct store_bmc *b = store_at(pl->store, i);
        if (b->address && split_addr(b->address, k[w].host, sizeof(k[w].host), &k[w].port)) {
            k[w].index = b->index;
            w++;
        }
    }
    qsort(k, w, sizeof(*k), cmp_addr);
    pl->nkeys = w;
    pl->keys_gen = gen;
    pl->keys_valid = true;
}

/* exact host and port; or host alone when exactly one BMC has it (port 0) */
static const struct store_bmc *by_addr(struct pet_listener *pl, const char *host, unsigned port)
{
    size_t lo = 0, hi = pl->nkeys;
    struct addr_key want;
    snprintf(want.host, sizeof(want.host), "%s", host);
    want.port = port;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_addr(&pl->keys[mid], &want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (port && lo < pl->nkeys && cmp_addr(&pl->keys[lo], &want) == 0)
        return store_find(pl->store, pl->keys[lo].index);
    /* the first entry with this host (port 0 sorts first) */
    if (!port) {
        want.port = 0;
        lo = 0;
        hi = pl->nkeys;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_addr(&pl->keys[mid], &want) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    } else {
        while (lo > 0 && strcmp(pl->keys[lo - 1].host, host) == 0)
            lo--;
    }
    if (lo < pl->nkeys && strcmp(pl->keys[lo].host, host) == 0 &&
        (lo + 1 == pl->nkeys || strcmp(pl->keys[lo + 1].host, host) != 0))
        return store_find(pl->store, pl->keys[lo].index);
    return NULL;
}

static void guid_text(const uint8_t g[16], bool reverse, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t v = g[reverse ? 15 - i : i];
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[v >> 4];
        out[o++] = hex[v & 15];
    }
    out[o] = '\0';
}

/* O(n) over the fleet: only for PETs no address identifies. */
static const struct store_bmc *by_guid(struct pet_listener *pl, const uint8_t g[16])
{
    char ms[37], ls[37];
    guid_text(g, false, ms);
    guid_text(g, true, ls);
    if (strcmp(ms, "00000000-0000-0000-0000-000000000000") == 0)
        return NULL;
    for (size_t i = 0; i < store_count(pl->store); i++) {
        const struct store_bmc *b = store_at(pl->store, i);
        if (b->has_guid && (strcasecmp(b->guid, ms) == 0 || strcasecmp(b->guid, ls) == 0))
            return b;
    }
    return NULL;
}

/* ---- duplicates ---------------------------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

/* true when seen within the window (and not recorded again) */
static bool seen(struct pet_listener *pl, uint64_t key, uint64_t now)
{
    if (!key)
        key = 1;
    size_t at = (size_t)(key & (DUP_SLOTS - 1)), victim = at;
    for (size_t i = 0; i < DUP_PROBE; i++) {
        struct dup_slot *s = &pl->dup[(at + i) & (DUP_SLOTS - 1)];
        if (s->key == key && now - s->when < pl->dup_window_ns)
            return true;
        if (s->when < pl->dup[victim].when)
            victim = (at + i) & (DUP_SLOTS - 1);
    }
    pl->dup[victim] = (struct dup_slot){.key = key, .when = now};
    return false;
}

/* ---- one datagram ---------------------------------------------------------------------------- */

static int pet_severity(uint8_t sev)
{
    switch (sev) {
    case PET_SEV_MONITOR:
    case PET_SEV_INFORMATION:
    case PET_SEV_OK:
        return 1;
    case PET_SEV_NON_CRITICAL:
        return 2;
    case PET_SEV_CRITICAL:
        return 3;
    case PET_SEV_NON_RECOVERABLE:
        return 4;
    default:
        return 0;
    }
}

static void handle(struct pet_listener *pl, const uint8_t *dg, size_t len, const char *host,
                   unsigned port)
{
    char from[96];
    snprintf(from, sizeof(from), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
    u_char community[256];
    size_t clen = sizeof(community) - 1;
    long version = -1;
    size_t left = len;
    /* Net-SNMP's parsers take non-const buffers and do not write them */
    u_char *rest = snmp_comstr_parse((u_char *)(uintptr_t)dg, &left, community, &clen, &version);
    if (!rest) {
        refuse(pl, PET_BAD_GARBAGE, from, "not an SNMP message");
        return;
    }
    if (version != SNMP_VERSION_1) {
        refuse(pl, PET_BAD_NOT_TRAP, from, "not SNMPv1 (a PET is an SNMPv1 Trap-PDU)");
        return;
    }
    netsnmp_pdu *pdu = snmp_pdu_create(0);
    if (!pdu)
        return;
    pdu->version = SNMP_VERSION_1;
    if (snmp_pdu_parse(pdu, rest, &left) != 0) {
        refuse(pl, PET_BAD_GARBAGE, from, "the SNMPv1 PDU does not parse");
        goto out;
    }
    if (pdu->command != SNMP_MSG_TRAP) {
        refuse(pl, PET_BAD_NOT_TRAP, from, "not a Trap-PDU");
        goto out;
    }
    if (pl->check_community &&
        (clen != strlen(pl->community) || memcmp(community, pl->community, clen) != 0)) {
        refuse(pl, PET_BAD_COMMUNITY, from, "wrong community (pet-community)");
        goto out;
    }
    uint32_t ent[MAX_OID_LEN];
    size_t nent = pdu->enterprise_length <= MAX_OID_LEN ? pdu->enterprise_length : 0;
    for (size_t i = 0; i < nent; i++)
        ent[i] = (uint32_t)pdu->enterprise[i];
    const netsnmp_variable_list *vb = pdu->variables;
    while (vb && vb->type != ASN_OCTET_STR)
        vb = vb->next_variable;
    struct pet p;
    enum codec_err cerr = CODEC_OK;
    if (pet_trap_decode(ent, nent, pdu->trap_type, pdu->specific_type, &p.trap, &cerr) < 0) {
        char d[96];
        snprintf(d, sizeof(d), "generic %ld specific %ld: %s", pdu->trap_type, pdu->specific_type,
                 codec_err_name(cerr));
        refuse(pl, cerr == CODEC_E_ENTERPRISE ? PET_BAD_ENTERPRISE : PET_BAD_FIELD, from, d);
        goto out;
    }
    if (!vb) {
        refuse(pl, PET_BAD_NO_PAYLOAD, from, "no OCTET STRING variable binding");
        goto out;
    }
    if (pet_decode(vb->val.string, vb->val_len, &p, &cerr) < 0) {
        char d[96];
        snprintf(d, sizeof(d), "%zu-byte payload: %s", vb->val_len, codec_err_name(cerr));
        refuse(pl,
               cerr == CODEC_E_TRUNCATED  ? PET_BAD_TRUNCATED
               : cerr == CODEC_E_OVERSIZE ? PET_BAD_OVERSIZE
                                          : PET_BAD_OEM_FIELDS,
               from, d);
        goto out;
    }

    rebuild_keys(pl);
    const struct store_bmc *b = by_addr(pl, host, port);
    if (!b)
        b = by_addr(pl, host, 0);
    if (!b &&
        pdu->agent_addr[0 | 0] | pdu->agent_addr[1] | pdu->agent_addr[2] | pdu->agent_addr[3]) {
        char aa[INET_ADDRSTRLEN];
        if (inet_ntop(AF_INET, pdu->agent_addr, aa, sizeof(aa)))
            b = by_addr(pl, aa, 0);
    }
    if (!b)
        b = by_guid(pl, p.guid);
    if (!b) {
        refuse(pl, PET_BAD_UNKNOWN_SENDER, from,
               "neither its address, agent-addr nor GUID is a configured BMC's");
        goto out;
    }
    pl->st.accepted++;
    if (log_get_level() >= LOG_LVL_DEBUG) {
        char hex[2 * PET_MAX_LEN + 1];
        for (size_t i = 0; i < vb->val_len && i < PET_MAX_LEN; i++)
            snprintf(hex + 2 * i, 3, "%02x", vb->val.string[i]);
        hex[2 * (vb->val_len < PET_MAX_LEN ? vb->val_len : PET_MAX_LEN)] = '\0';
        log_debug("PET from %s (BMC %s): specific %ld payload %s", from, b->name,
                  pdu->specific_type, hex);
    }
    if (pl->counters)
        pl->counters->pets_received++;
    if (pl->ack) { /* every accepted PET, resends included: the BMC waits for it */
        struct pet_ack a;
        uint8_t req[PET_ACK_REQ_LEN];
        pet_ack_from(&p, &a);
        if (pet_ack_encode(&a, req, sizeof(req), &cerr) == PET_ACK_REQ_LEN) {
            char label[200];
            snprintf(label, sizeof(label), "BMC %s (%s)", b->name, b->address);
            pl->st.acks++;
            pl->ack(pl->ack_arg, b->index, label, req, sizeof(req));
        }
    }

    uint64_t key =
        mix(mix(mix(mix(b->index, p.sequence), p.timestamp),
                ((uint64_t)p.trap.sensor_type << 16) | ((uint64_t)p.trap.event_type << 8) |
                    (p.trap.deassertion ? 0x80u : 0u) | p.trap.offset),
            ((uint64_t)p.sensor_number << 24) | ((uint64_t)p.data[0] << 16) |
                ((uint64_t)p.data[1] << 8) | p.data[2]);
    if (seen(pl, key, ev_monotonic_ns())) {
        pl->st.duplicates++;
        log_debug("PET from %s (BMC %s): sequence %u again, not notified again", from, b->name,
                  (unsigned)p.sequence);
        goto out;
    }

    if (pl->events && events_pet(pl->events,
                                 events_key(b->index, p.sensor_number, p.trap.event_type,
                                            p.trap.deassertion, p.data),
                                 ev_monotonic_ns())) {
        pl->st.from_sel++;
        log_debug("PET from %s (BMC %s): the SEL gave this event already", from, b->name);
        goto out;
    }
    const struct sdr_sensor *sdr = NULL;
    if (p.sensor_number != 0xFF)
        sdr =
            store_sdr_find(b->sensors, store_sensor_index(p.sensor_number, p.sensor_device, 0, 0));
    struct pet_text t;
    pet_describe(&p, sdr, &t);
    struct sel_record r;
    pet_to_sel(&p, &r);
    uint8_t data[8];
    size_t dlen = (p.present & PET_HAS_EVENT_DATA_4_8) ? 8 : 3;
    memcpy(data, p.data, dlen);
    struct notify_event e = {
        .source = NOTIFY_SRC_PET,
        .has_time = r.ts_kind == SEL_TS_ABSOLUTE,
        .utc_time = (int64_t)r.timestamp,
        .severity = pet_severity(p.severity),
        .sensor_type = t.ev.sensor_type,
        .sensor_number = p.sensor_number,
        .sensor_name = t.ev.sensor_name,
        .event_type = p.trap.event_type,
        .deassertion = p.trap.deassertion,
        .text = t.ev.event,
        .reading = t.ev.reading,
        .data = data,
        .data_len = dlen,
    };
    pl->st.notified++;
    notify_platform_event(pl->notify, b, &e);
out:
    snmp_free_pdu(pdu);
}

static void on_readable(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop;
    (void)events;
    struct pet_listener *pl = arg;
    /* a bounded batch per wake-up: the loop has other work */
    for (int i = 0; i < 256; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        ssize_t n = recvfrom(fd, pl->buf, sizeof(pl->buf), MSG_TRUNC, (struct sockaddr *)&ss, &sl);
        if (n < 0)
            return; /* EAGAIN, or an ICMP error queued on the socket */
        pl->st.datagrams++;
        char host[INET6_ADDRSTRLEN] = "?";
        unsigned port = 0;
        if (ss.ss_family == AF_INET) {
            const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
            port = ntohs(s4->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
            if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
                inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], host, sizeof(host));
            else
                inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
            port = ntohs(s6->sin6_port);
        }
        if ((size_t)n > sizeof(pl->buf)) {
            char from[96];
            snprintf(from, sizeof(from), "%s:%u", host, port);
            refuse(pl, PET_BAD_OVERSIZE, from, "datagram larger than 64 KB");
            continue;
        }
        handle(pl, pl->buf, (size_t)n, host, port);
    }
}

int pet_listener_start(struct pet_listener *pl, struct ev_loop *loop, struct store *store,
                       struct notify *n, const struct pet_listener_opts *o, char *err,
                       size_t errlen)
{
    pl->loop = loop;
    pl->store = store;
    pl->notify = n;
    pl->counters = o->counters;
    pl->events = o->events;
    pl->ack = o->ack;
    pl->ack_arg = o->ack_arg;
    pl->check_community = o->community && o->community[0];
    if (pl->check_community)
        snprintf(pl->community, sizeof(pl->community), "%s", o->community);
    pl->dup_window_ns = (uint64_t)(o->dup_window_s ? o->dup_window_s : 300) * 1000000000ull;
    pl->dup = calloc(DUP_SLOTS, sizeof(*pl->dup));
    if (!pl->dup) {
        snprintf(err, errlen, "PET listener: out of memory");
        return -1;
    }
    if (register_counters(pl) < 0) {
        snprintf(err, errlen, "PET listener: cannot register ipmiPetCounters");
        return -1;
    }
    if (ev_add_fd(loop, pl->fd, EPOLLIN, on_readable, pl) < 0) {
        snprintf(err, errlen, "PET listener: cannot watch %s: %s", pl->listen, strerror(errno));
        return -1;
    }
    log_info("PET listener on %s (port %u)", pl->listen, pl->port);
    return 0;
}

void pet_listener_get_stats(const struct pet_listener *pl, struct pet_listener_stats *out)
{
    *out = pl->st;
}

void pet_listener_free(struct pet_listener *pl)
{
    if (!pl)
        return;
    if (pl->loop)
        ev_del_fd(pl->loop, pl->fd);
    if (pl->reg)
        netsnmp_unregister_handler(pl->reg);
    close(pl->fd);
    free(pl->keys);
    free(pl->dup);
    free(pl);
}
