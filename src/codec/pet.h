/*
 * pet.h - Platform Event Trap codec (PET 1.0; IPMI 2.0 section 17.16 and
 * the PET Acknowledge command of section 30.8).  Bytes and plain values in,
 * fixed structs out: the listener (agent/) receives the SNMPv1 Trap-PDU with
 * Net-SNMP and hands over the enterprise OID, the generic and specific trap
 * numbers and the octets of the first varbind (1.3.6.1.4.1.3183.1.1.1).
 * No sockets, no clocks, no allocation.
 *
 * Unlike IPMI messages, every multi-byte PET field is big-endian (network
 * order).  The PET Acknowledge request is an IPMI message: little-endian.
 */
#ifndef IPMI_BRIDGE_PET_H
#define IPMI_BRIDGE_PET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"
#include "sel.h"

struct sdr_sensor;

/* wfm.pet enterprise (PET 1.0 section 3): 1.3.6.1.4.1.3183.1.1 */
#define PET_ENTERPRISE_LEN 9
extern const uint32_t pet_enterprise_oid[PET_ENTERPRISE_LEN];
#define PET_GENERIC_TRAP 6 /* enterpriseSpecific */

/* Payload (the varbind's octet string), PET 1.0 Table 4 / FreeIPMI's
 * ipmi-platform-event-trap-record-format.h */
#define PET_MIN_LEN     34  /* GUID .. event data 1-3: what a receiver needs */
#define PET_FULL_LEN    47  /* every fixed field and a one-byte OEM list (C1h) */
#define PET_MAX_LEN     110 /* 46 fixed bytes + 64 bytes of OEM custom fields */
#define PET_OEM_OFF     46
#define PET_OEM_CAP     (PET_MAX_LEN - PET_OEM_OFF)
#define PET_OEM_END     0xC1          /* type/length "end of list", as in FRU areas */
#define PET_EPOCH_UNIX  883612800     /* 1998-01-01 00:00:00 UTC, the PET time origin */
#define PET_TS_UNSPEC_0 0x00000000u   /* "unspecified" per PET 1.0 (FreeIPMI agrees) */
#define PET_TS_UNSPEC_1 0xFFFFFFFFu   /* "unspecified" as IPMI timestamps say it (section 37.1) */
#define PET_UTC_UNSPEC  ((int16_t)-1) /* FFFFh */

/* PET 1.0 event severity (a bit each; 00h = unspecified) */
#define PET_SEV_UNSPECIFIED     0x00
#define PET_SEV_MONITOR         0x01
#define PET_SEV_INFORMATION     0x02
#define PET_SEV_OK              0x04
#define PET_SEV_NON_CRITICAL    0x08
#define PET_SEV_CRITICAL        0x10
#define PET_SEV_NON_RECOVERABLE 0x20
/* "Unspecified", "Monitor", "Information", "OK", "Non-critical",
 * "Critical", "Non-recoverable"; any other value "Invalid". */
const char *pet_severity_name(uint8_t sev);

/* Trap / event source type (PET 1.0): ranges of 8 values, FFh unspecified.
 * 20h-27h is "IPMI".  Never NULL. */
const char *pet_source_type_name(uint8_t type);

/* Which optional (trailing) fields the payload carried: struct pet.present */
#define PET_HAS_EVENT_DATA_4_8 0x01 /* bytes 34-38 */
#define PET_HAS_LANGUAGE       0x02 /* byte 39 */
#define PET_HAS_MANUFACTURER   0x04 /* bytes 40-43 */
#define PET_HAS_SYSTEM_ID      0x08 /* bytes 44-45 */
#define PET_HAS_OEM            0x10 /* byte 46 on: the OEM custom field list */

/* One OEM custom field: a FRU-style type/length byte and its data. */
struct pet_oem_field {
    uint8_t type; /* enum fru_tl_type: bits 7:6 of the type/length byte */
    uint8_t off;  /* data offset in struct pet.oem */
    uint8_t len;  /* data bytes (bits 5:0) */
};

/* The specific trap number, split (PET 1.0 section 3.1). */
struct pet_trap {
    uint8_t sensor_type; /* bits 23:16, IPMI 2.0 Table 42-3 */
    uint8_t event_type;  /* bits 15:8, event/reading type code, Table 42-1 */
    bool deassertion;    /* bit 7 */
    uint8_t offset;      /* bits 3:0; 0Fh = unspecified */
};

struct pet {
    struct pet_trap trap;
    uint8_t present; /* PET_HAS_* */

    uint8_t guid[16];   /* as sent: the MS byte first (WfM UUID string order) */
    uint16_t sequence;  /* sequence number / cookie */
    uint32_t timestamp; /* local time, seconds since 1998-01-01 00:00 */
    bool ts_specified;  /* neither 00000000h nor FFFFFFFFh */
    int16_t utc_offset; /* minutes, local time = UTC + offset */
    bool utc_specified; /* not FFFFh */
    uint8_t trap_source;
    uint8_t event_source;
    uint8_t severity;
    uint8_t sensor_device; /* IPMB slave address (8-bit form) or software ID; FFh unspecified */
    uint8_t sensor_number; /* FFh unspecified */
    uint8_t entity;        /* Table 43-13; 00h unspecified */
    uint8_t entity_instance;
    uint8_t data[8]; /* event data 1-8 (4-8 zero unless PET_HAS_EVENT_DATA_4_8) */
    uint8_t language;
    uint32_t manufacturer_id; /* IANA enterprise number */
    uint16_t system_id;
    bool offset_mismatch; /* the trap's offset disagrees with event data 1 [3:0] */

    /* OEM custom fields, byte 46 on (PET 1.0): type/length records up to
     * C1h.  Bytes after C1h (padding) are counted, not decoded. */
    uint8_t oem_len; /* bytes present from byte 46 */
    uint8_t oem[PET_OEM_CAP];
    uint8_t noem;                                 /* fields in oem_fields */
    struct pet_oem_field oem_fields[PET_OEM_CAP]; /* a field takes >= 1 byte */
    bool oem_terminated;                          /* C1h seen */
    uint8_t oem_trailing;                         /* bytes after C1h */
};

/*
 * Check and split the trap header fields.  `enterprise` is the Trap-PDU's
 * enterprise OID as plain sub-identifiers.  Errors: CODEC_E_ENTERPRISE (not
 * 1.3.6.1.4.1.3183.1.1), CODEC_E_FIELD (generic trap not 6, or a specific
 * trap number outside 0..FFFFFFh or with reserved bits 6:4 set).
 */
int pet_trap_decode(const uint32_t *enterprise, size_t enterprise_len, long generic, long specific,
                    struct pet_trap *out, enum codec_err *err);

/*
 * Decode the payload octets into `out` (whose .trap the caller filled with
 * pet_trap_decode(); it is kept).  Every length from PET_MIN_LEN to
 * PET_MAX_LEN is accepted; fields the payload is too short to hold
 * completely are absent (zero, bit clear in .present).  Returns `len`, or -1:
 * CODEC_E_TRUNCATED (< PET_MIN_LEN), CODEC_E_OVERSIZE (> PET_MAX_LEN),
 * CODEC_E_OEM_CHAIN (an OEM field runs past the payload).
 */
ssize_t pet_decode(const uint8_t *buf, size_t len, struct pet *out, enum codec_err *err);

/* Both steps at once. */
ssize_t pet_decode_trap(const uint32_t *enterprise, size_t enterprise_len, long generic,
                        long specific, const uint8_t *buf, size_t len, struct pet *out,
                        enum codec_err *err);

/* The SEL system event record the PET carries (IPMI 2.0 Table 32-1): the
 * trap's sensor and event type, event data 1-3, the sensor device as the
 * generator, and the PET's timestamp as UTC seconds since 1970 (local time
 * minus the UTC offset; SEL_TS_UNSPECIFIED when either is unspecified). */
void pet_to_sel(const struct pet *p, struct sel_record *out);

/* ---- text ------------------------------------------------------------------ */

struct pet_text {
    struct sel_text ev; /* sensor type, name, event class/text, direction, reading */
    char guid[40];      /* "a1234567-89ab-cdef-a123-456789abcdef" */
    /* ev.timestamp is the UTC time ("2024-01-15T12:00:00Z"), "unspecified" when
     * the PET has no timestamp or no UTC offset */
    char local_time[48];     /* "2024-01-15T13:00:00+01:00", "2024-01-15T13:00:00 (UTC offset
                              * unspecified)", or "unspecified" */
    const char *severity;    /* pet_severity_name() */
    const char *trap_source; /* pet_source_type_name() */
    const char *event_source;
    const char *entity;     /* ipmi_entity_name(), "unspecified" for 00h */
    char entity_text[64];   /* "Processor 1" */
    char sensor_device[24]; /* "20h", "software ID 41h", "unspecified" */
    char oem[400];          /* fields as text, "; "-separated (FRU type/length rules) */
};

/*
 * Describe a decoded PET.  `sdr` (may be NULL) is the sensor's SDR the caller
 * looked up by (sensor device, sensor number) -- for a shared record, the
 * instance from sdr_compact_instance() -- for the sensor name and the
 * reading/threshold of threshold events (sel_describe() forms those texts).
 */
void pet_describe(const struct pet *p, const struct sdr_sensor *sdr, struct pet_text *out);

/* ---- PET Acknowledge (IPMI 2.0 section 30.8) ---------------------------------- */

#define PET_ACK_NETFN   0x04 /* Sensor/Event request */
#define PET_ACK_CMD     0x17
#define PET_ACK_REQ_LEN 12

struct pet_ack {
    uint16_t sequence;
    uint32_t timestamp; /* the PET's local timestamp, as received */
    uint8_t event_source;
    uint8_t sensor_device;
    uint8_t sensor_number;
    uint8_t data[3]; /* event data 1-3 */
};

/* The acknowledge for a decoded PET: its fields echoed. */
void pet_ack_from(const struct pet *p, struct pet_ack *out);

/* Request data (after the command byte), 12 bytes, IPMI byte order (LS first).
 * Returns 12, or -1 (CODEC_E_OVERSIZE) when `cap` is short. */
ssize_t pet_ack_encode(const struct pet_ack *a, uint8_t *buf, size_t cap, enum codec_err *err);
ssize_t pet_ack_decode(const uint8_t *buf, size_t len, struct pet_ack *out, enum codec_err *err);

#endif
