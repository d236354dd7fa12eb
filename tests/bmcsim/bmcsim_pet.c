/*
 * bmcsim_pet.c - Platform Event Traps (PET 1.0, IPMI 2.0 section 17.16) for
 * new SEL events.  The SNMPv1 Trap-PDU is built by the Net-SNMP library
 * (snmp_pdu_create + snmp_build) and sent from the BMC's own UDP socket, so
 * the receiver sees the trap come from the BMC's address, as from a real one.
 * Optionally resent until a PET Acknowledge (netfn 04h, cmd 17h) arrives.
 */
#include "bmcsim.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define PET_DATA_LEN      47
#define PET_EPOCH         883612800 /* 1998-01-01 00:00:00 UTC, the PET timestamp origin */
#define PET_ACK_WINDOW_MS 30000     /* how long after its last transmission a PET can be acked */

/* wfm.pet: the PET enterprise and its one varbind (PET 1.0 section 3) */
static const oid pet_enterprise[] = {1, 3, 6, 1, 4, 1, 3183, 1, 1};
static const oid pet_varbind[] = {1, 3, 6, 1, 4, 1, 3183, 1, 1, 1};

struct pet_pending {
    struct ev_timer t;
    struct pet_pending *prev, *next;
    struct fleet *f;
    struct bmc *b;
    uint16_t seq;
    unsigned tries_left;
    size_t len;
    uint8_t pkt[];
};

static netsnmp_session pet_session;

int pet_init(struct fleet *f, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    /* snmp_sess_init() sets the library defaults (encoding direction among
     * them) without reading any configuration or MIB files */
    snmp_sess_init(&pet_session);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_REVERSE_ENCODE, 1);
    pet_session.version = SNMP_VERSION_1;
    pet_session.community = (u_char *)f->pet_community;
    pet_session.community_len = strlen(f->pet_community);
    return 0;
}

static void pending_unlink(struct fleet *f, struct pet_pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        f->pets = p->next;
    if (p->next)
        p->next->prev = p->prev;
}

static void pending_free(struct fleet *f, struct pet_pending *p)
{
    ev_timer_stop(f->loop, &p->t);
    pending_unlink(f, p);
    free(p);
}

void pet_drop_bmc(struct fleet *f, struct bmc *b)
{
    struct pet_pending *p = f->pets, *next;
    for (; p; p = next) {
        next = p->next;
        if (p->b == b)
            pending_free(f, p);
    }
}

void pet_shutdown(struct fleet *f)
{
    while (f->pets)
        pending_free(f, f->pets);
}

static void put16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/*
 * PET event severity (PET 1.0 Table 3: 00h unspecified, 01h monitor,
 * 02h information, 04h OK, 08h non-critical, 10h critical, 20h non-recoverable)
 * from a threshold event offset (IPMI 2.0 Table 42-2); others are "information".
 */
static uint8_t pet_severity(uint8_t event_type, bool deassert, uint8_t offset)
{
    if (event_type != 0x01)
        return 0x02;
    if (deassert)
        return 0x04;
    switch (offset) {
    case 0x00:
    case 0x01:
    case 0x06:
    case 0x07:
        return 0x08;
    case 0x02:
    case 0x03:
    case 0x08:
    case 0x09:
        return 0x10;
    case 0x04:
    case 0x05:
    case 0x0a:
    case 0x0b:
        return 0x20;
    default:
        return 0x00;
    }
}

/*
 * The 47-byte PET variable binding, MS byte first (PET 1.0 Table 4):
 * GUID(16) seq(2) time(4) UTC offset(2) trap source(1) event source(1)
 * severity(1) sensor device(1) sensor number(1) entity(1) instance(1)
 * event data(8) language(1) manufacturer(4) system ID(2) OEM fields (C1h = end).
 * `rec` is the 16-byte SEL system event record (IPMI 2.0 Table 32-1).
 */
static void pet_data(const struct bmc *b, const uint8_t *rec, uint16_t seq, uint8_t out[47],
                     uint32_t *specific)
{
    const struct fleet *f = b->fleet;
    uint8_t sensor_type = rec[10], sensor_num = rec[11];
    uint8_t event_type = rec[12] & 0x7f;
    bool deassert = (rec[12] & 0x80) != 0;
    uint8_t offset = rec[13] & 0x0f;
    const struct sensor_info *si = &f->sensors[sensor_num];
    time_t now = time(NULL);

    sim_guid(b->st, out); /* as Get System GUID returns it */
    put16be(out + 16, seq);
    put32be(out + 18, now > PET_EPOCH ? (uint32_t)(now - PET_EPOCH) : 0);
    put16be(out + 22, 0x0000); /* UTC offset: we stamp UTC */
    out[24] = 0x20;            /* trap source: IPMI (BMC) */
    out[25] = 0x20;            /* event source: IPMI */
    out[26] = pet_severity(event_type, deassert, offset);
    out[27] = rec[7] ? rec[7] : 0x20; /* sensor device: the generator's address */
    out[28] = sensor_num;
    out[29] = si->present ? si->entity : 0;
    out[30] = si->present ? si->instance : 0;
    memcpy(out + 31, rec + 13, 3); /* event data 1..3 */
    memset(out + 34, 0, 5);
    out[39] = 0x19; /* language: English */
    put32be(out + 40, f->manufacturer_id);
    put16be(out + 44, f->product_id);
    out[46] = 0xc1; /* OEM custom fields: end of list */
    *specific =
        (uint32_t)sensor_type << 16 | (uint32_t)event_type << 8 | (deassert ? 0x80u : 0u) | offset;
}

/* Encode the Trap-PDU with Net-SNMP; returns a malloc'd buffer and its length. */
static uint8_t *pet_encode(const struct bmc *b, uint32_t specific, const uint8_t data[47],
                           size_t *len)
{
    const struct fleet *f = b->fleet;
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_TRAP);
    if (!pdu)
        return NULL;
    pdu->version = SNMP_VERSION_1;
    pdu->community = (u_char *)strdup(f->pet_community);
    pdu->community_len = strlen(f->pet_community);
    pdu->enterprise = snmp_duplicate_objid(pet_enterprise, OID_LENGTH(pet_enterprise));
    pdu->enterprise_length = OID_LENGTH(pet_enterprise);
    pdu->trap_type = SNMP_TRAP_ENTERPRISESPECIFIC;
    pdu->specific_type = (long)specific;
    pdu->time = (u_long)((ev_now(f->loop) - f->start_ns) / (EV_NS_PER_SEC / 100));
    memcpy(pdu->agent_addr, &b->addr.s_addr, 4);
    if (!pdu->community || !pdu->enterprise ||
        !snmp_pdu_add_variable(pdu, pet_varbind, OID_LENGTH(pet_varbind), ASN_OCTET_STR, data,
                               PET_DATA_LEN)) {
        snmp_free_pdu(pdu);
        return NULL;
    }
    size_t blen = 256, off = 0;
    u_char *buf = malloc(blen);
    if (!buf) {
        snmp_free_pdu(pdu);
        return NULL;
    }
    int rc = snmp_build(&buf, &blen, &off, &pet_session, pdu);
    snmp_free_pdu(pdu);
    if (rc != SNMPERR_SUCCESS) {
        free(buf);
        return NULL;
    }
    /* reverse encoding (set in pet_init): the packet is the last `off`
     * bytes of the (possibly reallocated) `blen`-byte buffer */
    memmove(buf, buf + blen - off, off);
    *len = off;
    return buf;
}

/* Resend after the retry interval; after the last try, wait for a late ack. */
static uint64_t pet_next_delay(const struct fleet *f, const struct pet_pending *p)
{
    if (p->tries_left)
        return f->pet_retry_ms;
    return f->pet_retry_ms > PET_ACK_WINDOW_MS ? f->pet_retry_ms : PET_ACK_WINDOW_MS;
}

static void pet_timer(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    struct pet_pending *p = arg;
    struct fleet *f = p->f;
    (void)t;
    if (p->tries_left == 0) { /* never acknowledged: give up */
        pending_unlink(f, p);
        free(p);
        return;
    }
    p->tries_left--;
    bmc_send_raw(p->b, &f->pet_dest, p->pkt, p->len);
    p->b->c.pets_resent++;
    ev_timer_start(loop, &p->t, pet_next_delay(f, p) * EV_NS_PER_MS);
}

void pet_send_event(struct bmc *b, const struct sim_event *ev)
{
    struct fleet *f = b->fleet;
    uint8_t data[PET_DATA_LEN];
    uint32_t specific;

    if (ev->record[2] != 0x02) /* only system event records become PETs */
        return;
    uint16_t seq = ++b->pet_seq;
    if (seq == 0)
        seq = ++b->pet_seq;
    pet_data(b, ev->record, seq, data, &specific);
    size_t len = 0;
    uint8_t *pkt = pet_encode(b, specific, data, &len);
    if (!pkt) {
        log_warn("bmc %u: cannot encode a PET", b->index);
        return;
    }
    bmc_send_raw(b, &f->pet_dest, pkt, len);
    b->c.pets_sent++;
    if (f->verbose)
        log_info("bmc %u: PET seq %u specific %u (0x%06x) sent", b->index, (unsigned)seq,
                 (unsigned)specific, (unsigned)specific);

    struct pet_pending *p = malloc(sizeof(*p) + len);
    if (p) {
        p->f = f;
        p->b = b;
        p->seq = seq;
        p->tries_left = f->pet_retries;
        p->len = len;
        memcpy(p->pkt, pkt, len);
        p->prev = NULL;
        p->next = f->pets;
        if (f->pets)
            f->pets->prev = p;
        f->pets = p;
        ev_timer_init(&p->t, pet_timer, p);
        ev_timer_start(f->loop, &p->t, pet_next_delay(f, p) * EV_NS_PER_MS);
    }
    free(pkt);
}

/*
 * PET Acknowledge request: sequence number(2), local timestamp(4), event
 * source type(1), sensor device(1), sensor number(1), event data(3).  IPMI
 * fields are LS byte first; a receiver that echoes the trap's MS-first
 * bytes is accepted too, since a BMC cannot tell which it meant.
 */
uint8_t pet_ack(struct bmc *b, const uint8_t *data, size_t len)
{
    struct fleet *f = b->fleet;
    if (len < 2)
        return 0xc7; /* request data length invalid */
    uint16_t le = (uint16_t)(data[0] | data[1] << 8);
    uint16_t be = (uint16_t)(data[0] << 8 | data[1]);
    for (struct pet_pending *p = f->pets; p; p = p->next) {
        if (p->b == b && (p->seq == le || p->seq == be)) {
            b->c.pets_acked++;
            if (f->verbose)
                log_info("bmc %u: PET seq %u acknowledged", b->index, (unsigned)p->seq);
            pending_free(f, p);
            return 0x00;
        }
    }
    f->pet_unmatched_acks++;
    return 0x00;
}
