/*
 * sel.h - System Event Log codec (IPMI 2.0 sections 31 and 32): the SEL
 * commands' responses and the 16-byte SEL records, bytes in and fixed
 * structs out.  No sockets, no clocks, no allocation.
 *
 * sel_record_decode() is cheap and total (any 16 bytes decode); text is
 * only made by sel_describe(), when output is produced.
 */
#ifndef IPMI_BRIDGE_SEL_H
#define IPMI_BRIDGE_SEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"

struct sdr_sensor;

/* Storage netfn commands (IPMI 2.0 Appendix G) */
#define SEL_CMD_GET_INFO  0x40
#define SEL_CMD_RESERVE   0x42
#define SEL_CMD_GET_ENTRY 0x43

#define SEL_RECORD_LEN 16
#define SEL_ID_FIRST   0x0000 /* Get SEL Entry: the first record */
#define SEL_ID_LAST    0xFFFF /* Get SEL Entry: the last record; as "next": no more */

/* Record type ranges (IPMI 2.0 section 32) */
#define SEL_TYPE_SYSTEM         0x02
#define SEL_TYPE_OEM_TS_FIRST   0xC0 /* C0h-DFh: OEM timestamped */
#define SEL_TYPE_OEM_NOTS_FIRST 0xE0 /* E0h-FFh: OEM non-timestamped */

/* Timestamps (IPMI 2.0 section 37.1) */
#define SEL_TS_UNSPECIFIED_VALUE 0xFFFFFFFFu
#define SEL_TS_PREINIT_MAX       0x20000000u /* 0..20000000h count from SEL device init */

enum sel_kind {
    SEL_KIND_SYSTEM = 0, /* 02h, and other types below C0h (decoded like 02h, as ipmitool) */
    SEL_KIND_OEM_TS,     /* C0h-DFh */
    SEL_KIND_OEM_NOTS,   /* E0h-FFh */
};
/* "system", "oem_timestamped", "oem_non_timestamped" */
const char *sel_kind_name(uint8_t k);

enum sel_ts_kind {
    SEL_TS_ABSOLUTE = 0, /* seconds since 1970-01-01 UTC */
    SEL_TS_PREINIT,      /* seconds since the SEL device was initialized */
    SEL_TS_UNSPECIFIED,  /* FFFFFFFFh */
    SEL_TS_NONE,         /* an OEM non-timestamped record has none */
};
const char *sel_ts_kind_name(uint8_t k);
static inline uint8_t sel_ts_classify(uint32_t ts)
{
    if (ts == SEL_TS_UNSPECIFIED_VALUE)
        return SEL_TS_UNSPECIFIED;
    return ts <= SEL_TS_PREINIT_MAX ? SEL_TS_PREINIT : SEL_TS_ABSOLUTE;
}

/* Event data 1 bits 7:6 and 5:4 say what bytes 2 and 3 hold (IPMI 2.0 Table 29-6) */
enum sel_ed_use {
    SEL_ED_UNSPECIFIED = 0,
    SEL_ED_TRIGGER = 1, /* threshold: trigger reading (byte 2) / threshold (byte 3);
                         * discrete: previous state and severity (byte 2) */
    SEL_ED_OEM = 2,
    SEL_ED_SENSOR_SPECIFIC = 3,
};

struct sel_record {
    uint16_t record_id;
    uint8_t record_type;
    uint8_t kind;    /* enum sel_kind */
    uint8_t ts_kind; /* enum sel_ts_kind */
    uint32_t timestamp;

    /* system event record (IPMI 2.0 Table 32-1) */
    uint16_t generator_id; /* bytes 8-9 as a little-endian word (ipmitool prints it so) */
    uint8_t gen_addr;      /* byte 8 [7:1]: 7-bit IPMB slave address or software ID */
    bool gen_software;     /* byte 8 [0]: 1 = system software ID */
    uint8_t gen_channel;   /* byte 9 [7:4] */
    uint8_t gen_lun;       /* byte 9 [1:0] */
    uint8_t evm_rev;       /* 04h for IPMI 1.5/2.0 */
    uint8_t sensor_type;   /* Table 42-3 */
    uint8_t sensor_number;
    uint8_t event_type; /* byte 13 [6:0], Table 42-1 */
    bool deassertion;   /* byte 13 [7] */
    uint8_t data[3];    /* event data 1-3 */

    /* OEM records (Tables 32-2 and 32-3) */
    uint32_t manufacturer_id; /* C0h-DFh: 3 bytes, LS first */
    uint8_t oem_len;          /* 6 (timestamped) or 13 (non-timestamped) */
    uint8_t oem[13];
};

static inline uint8_t sel_event_offset(const struct sel_record *r)
{
    return r->data[0] & 0x0F;
}
static inline uint8_t sel_ed2_use(const struct sel_record *r)
{
    return r->data[0] >> 6;
}
static inline uint8_t sel_ed3_use(const struct sel_record *r)
{
    return (r->data[0] >> 4) & 0x03;
}

/* Decode one 16-byte record.  Returns 16, or -1 (CODEC_E_TRUNCATED). */
ssize_t sel_record_decode(const uint8_t *rec, size_t len, struct sel_record *out,
                          enum codec_err *err);

/* ---- command responses (data after the completion code) ------------------ */

/* Get SEL Info (IPMI 2.0 section 31.2) */
struct sel_info {
    uint8_t version; /* 51h */
    uint16_t entries;
    uint16_t free_space;    /* bytes; FFFFh = 65535 or more */
    uint32_t last_add_ts;   /* most recent addition timestamp */
    uint32_t last_erase_ts; /* most recent erase (clear or delete) timestamp */
    uint8_t op_support;     /* SEL_OP_* */
};
#define SEL_OP_OVERFLOW    0x80 /* events were dropped for lack of space */
#define SEL_OP_DELETE      0x08
#define SEL_OP_PARTIAL_ADD 0x04
#define SEL_OP_RESERVE     0x02
#define SEL_OP_ALLOC_INFO  0x01
ssize_t sel_info_decode(const uint8_t *d, size_t len, struct sel_info *out, enum codec_err *err);

/* Reserve SEL (section 31.4): the reservation ID */
ssize_t sel_reserve_rsp_decode(const uint8_t *d, size_t len, uint16_t *reservation,
                               enum codec_err *err);

/*
 * Get SEL Entry (section 31.5): next record ID, then the record.  *rec
 * points into `d`.  Shorter than 2 + 16 bytes is CODEC_E_TRUNCATED (we
 * always ask for the whole record).
 */
ssize_t sel_entry_rsp_decode(const uint8_t *d, size_t len, uint16_t *next_id, const uint8_t **rec,
                             enum codec_err *err);

/* Get SEL Entry request for a whole record: 6 bytes. */
size_t sel_entry_req_encode(uint8_t out[6], uint16_t reservation, uint16_t record_id);

/* ---- text ------------------------------------------------------------------ */

struct sel_text {
    char timestamp[32];      /* "2024-01-15T12:00:00Z", "pre-init 1234 s", "unspecified", "" */
    const char *sensor_type; /* "Temperature" (IPMI 2.0 Table 42-3), "" for OEM records */
    char sensor_name[48];    /* the SDR name, or "#0x30" like ipmitool when unknown */
    const char *event_class; /* "threshold", "sensor-specific", ... or "OEM" */
    char event[160];         /* offset text: "Upper Critical going high"; OEM: type */
    const char *direction;   /* "Asserted", "Deasserted"; "" for OEM records */
    char reading[96];        /* "Reading 95 > Threshold 90 degrees C"; "" if none */
    char data[64];           /* event data "595a52" (as ipmitool), or OEM "mfr 000157 ..." */
};

/*
 * Describe a record.  `sdr` (may be NULL) is the sensor's SDR: its name,
 * and for threshold events of an analog sensor the trigger reading and
 * threshold (event data 2/3 when event data 1 bits 7:6 / 5:4 are 01b),
 * converted with sensor_convert() and shown with sensor_units_text().
 * Without the SDR there is no reading text, as in `ipmitool sel elist`.
 */
void sel_describe(const struct sel_record *r, const struct sdr_sensor *sdr, struct sel_text *out);

/* "2024-01-15T12:00:00Z" / "pre-init 1234 s" / "unspecified" / "" (none). */
void sel_ts_format(uint8_t ts_kind, uint32_t ts, char out[32]);

#endif
