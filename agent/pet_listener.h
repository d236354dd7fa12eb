/*
 * pet_listener.h - receives Platform Event Traps (PET 1.0) on a UDP port,
 * on the agent's loop and thread, and turns each into one ipmiPlatformEvent
 * (notify.h).
 *
 *   datagram -> Net-SNMP's parser (snmp_comstr_parse + snmp_pdu_parse: the
 *   SNMPv1 Trap-PDU) -> community check -> pet_decode_trap() -> the sender's
 *   BMC -> duplicate check -> pet_describe() with that BMC's SDR from its
 *   snapshot -> notify_platform_event().
 *
 * The sender's BMC, in this order: the datagram's source address and port
 * equal a configured BMC's address; the source address (any port) is the
 * address of exactly one BMC; the Trap-PDU's agent-addr is the address of
 * exactly one BMC (a trap forwarded by snmptrapd keeps the BMC's agent-addr);
 * the PET's GUID equals the BMC's System GUID (Get System GUID).  The PET
 * carries the GUID most significant byte first; Get System GUID returns it
 * least significant byte first (IPMI 2.0 section 22.14) and the store holds
 * it as text MS first, but BMCs disagree on which order they use in either
 * place, so both orders are tried.  A sender no BMC matches is counted
 * (unknown_sender) and dropped.
 *
 * Duplicates: a resent PET (same BMC, sequence number, timestamp, specific
 * trap and event data 1-3) within `dup_window_s` is counted, not notified;
 * so is a PET whose event the SEL already gave (events_pet(), events.h).
 *
 * Every refusal is counted by reason (MIB: ipmiPetCounters, and the total in
 * ipmiBridgePetsBad) and logged at most once per 10 s per reason, naming the
 * sender; nothing that arrives on the port makes a notification unless it
 * decodes and comes from a configured BMC.
 */
#ifndef IPMI_BRIDGE_PET_LISTENER_H
#define IPMI_BRIDGE_PET_LISTENER_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct store;
struct notify;
struct agentx_counters;
struct events;
struct pet_listener;

enum pet_bad {
    PET_BAD_GARBAGE = 0,    /* not an SNMP message */
    PET_BAD_NOT_TRAP,       /* SNMP, but not an SNMPv1 Trap-PDU */
    PET_BAD_ENTERPRISE,     /* not 1.3.6.1.4.1.3183.1.1 */
    PET_BAD_FIELD,          /* generic trap not 6, specific trap out of range */
    PET_BAD_NO_PAYLOAD,     /* no OCTET STRING varbind */
    PET_BAD_TRUNCATED,      /* payload < 34 bytes */
    PET_BAD_OVERSIZE,       /* payload > 110 bytes, or datagram > 64 KB */
    PET_BAD_OEM_FIELDS,     /* OEM custom field chain runs past the payload */
    PET_BAD_UNKNOWN_SENDER, /* no configured BMC matches */
    PET_BAD_COMMUNITY,      /* pet-community set and not equal */
    PET_BAD__COUNT
};
/* "garbage", "not_trap", "enterprise", "field", "no_payload", "truncated",
 * "oversize", "oem_fields", "unknown_sender", "community" */
const char *pet_bad_name(enum pet_bad r);

struct pet_listener_stats {
    uint64_t datagrams;  /* received on the port */
    uint64_t accepted;   /* decoded, from a BMC */
    uint64_t duplicates; /* accepted, but a resend of one already notified */
    uint64_t from_sel;   /* accepted, but the SEL gave the event first */
    uint64_t acks;       /* PET Acknowledges handed to the ack hook */
    uint64_t notified;   /* handed to notify (sent or rate-limited) */
    uint64_t bad[PET_BAD__COUNT];
};

/*
 * Bind the PET port ("udp:ADDR:PORT", "ADDR:PORT", "udp6:[ADDR]:PORT", or a
 * port number alone: all IPv4 addresses).  Call it early, before the
 * daemon gives up its privileges (port 162).  NULL on error, with the
 * reason (naming the address) in `err`.
 */
struct pet_listener *pet_listener_bind(const char *listen, char *err, size_t errlen);

struct pet_listener_opts {
    const char *community;            /* pet-community: NULL or "": any */
    unsigned dup_window_s;            /* 0: 300 */
    struct agentx_counters *counters; /* pets_received / pets_bad (may be NULL) */
    struct events *events;            /* PET/SEL dedupe (events.h); NULL: none */
    /* PET Acknowledge (IPMI 2.0 section 30.8): called for every accepted PET,
     * resends too (a BMC resends until acknowledged), with the request data
     * (12 bytes, netfn 04h cmd 17h) to send on that BMC's session.  NULL: off. */
    void (*ack)(void *arg, uint32_t bmc_index, const char *bmc_label, const uint8_t *req,
                size_t len);
    void *ack_arg;
};

/*
 * Start receiving on `loop` (the agent's thread: the store and Net-SNMP are
 * used from it).  Registers the ipmiPetCounters scalars with the agent
 * (agentx_start() must have run).  0, or -1 with the reason in `err`.
 */
int pet_listener_start(struct pet_listener *pl, struct ev_loop *loop, struct store *store,
                       struct notify *n, const struct pet_listener_opts *o, char *err,
                       size_t errlen);
/* The bound port (tests bind port 0). */
unsigned pet_listener_port(const struct pet_listener *pl);
void pet_listener_get_stats(const struct pet_listener *pl, struct pet_listener_stats *out);
/* NULL: no-op. */
void pet_listener_free(struct pet_listener *pl);

#endif
