/*
 * sdr.h - Sensor Data Records (IPMI 2.0 section 43): bytes in, structs out.
 *
 * sdr_parse() takes one whole record (5-byte header + body, as Get SDR
 * returns it when read from offset 0) and fills a caller-owned struct.  It
 * allocates nothing, checks every length it reads against the buffer and the
 * destination, and says why it refused a record (enum codec_err):
 *   CODEC_E_TRUNCATED  the buffer ends before the header, or before the
 *                      record length the header announces
 *   CODEC_E_LENGTH     the header's record length is too short for the fixed
 *                      fields of its type, or the ID string runs past it
 *   CODEC_E_FIELD      the ID string type/length byte uses the reserved
 *                      length 11111b
 * Decoded:  full (01h), compact (02h), event-only (03h) sensor records, FRU
 *           device locators (11h) and management controller locators (12h).
 * Skipped:  every other type (entity associations 08h/09h, generic locator
 *           10h, OEM C0h, unknown).  They parse as SDR_KIND_SKIP, never as an
 *           error, as long as the buffer holds the whole record.
 *
 * Per-sensor conversion factors are unpacked and precomputed here, once, so
 * the poll path (sensor.h) does one multiply-add per reading.
 */
#ifndef IPMI_BRIDGE_SDR_H
#define IPMI_BRIDGE_SDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"

#define SDR_HEADER_LEN   5
#define SDR_VERSION_IPMI 0x51 /* IPMI 1.5 and 2.0 records */
#define SDR_RECORD_MAX   260  /* 5-byte header + an 8-bit record length */
#define SDR_ID_BYTES_MAX 16   /* ID string bytes a record may carry (section 43) */
#define SDR_ID_CAP       33   /* decoded: up to 30 packed characters or 16 bytes, + NUL */
#define SDR_NAME_CAP     (SDR_ID_CAP + 4) /* ID + " " + instance modifier ("141", "EL") */
#define SDR_BMC_ADDR     0x20             /* the BMC's IPMB slave address */

/* Record types (IPMI 2.0 section 43, Table 43-x headers) */
enum sdr_type {
    SDR_TYPE_FULL = 0x01,
    SDR_TYPE_COMPACT = 0x02,
    SDR_TYPE_EVENT_ONLY = 0x03,
    SDR_TYPE_ENTITY_ASSOC = 0x08,
    SDR_TYPE_DEVREL_ENTITY_ASSOC = 0x09,
    SDR_TYPE_GENERIC_LOCATOR = 0x10,
    SDR_TYPE_FRU_LOCATOR = 0x11,
    SDR_TYPE_MC_LOCATOR = 0x12,
    SDR_TYPE_MC_CONFIRMATION = 0x13,
    SDR_TYPE_BMC_MSG_CHANNEL = 0x14,
    SDR_TYPE_OEM = 0xc0,
};
/* "full", "compact", "event-only", ..., "oem", "unknown" */
const char *sdr_type_name(uint8_t type);

struct sdr_header {
    uint16_t record_id; /* little endian on the wire */
    uint8_t version;    /* 51h; not enforced, some BMCs write 01h */
    uint8_t type;       /* enum sdr_type */
    uint8_t length;     /* bytes after the header */
};

/* Parse the 5-byte header.  Returns 5, or -1 (CODEC_E_TRUNCATED). */
ssize_t sdr_header_parse(const uint8_t *buf, size_t len, struct sdr_header *h, enum codec_err *err);

/* ---- conversion factors (IPMI 2.0 section 36.3, Table 43-1 bytes 21-30) ---- */

/* Analog data format, Sensor Units 1 [7:6] */
enum sdr_analog_fmt {
    SDR_FMT_UNSIGNED = 0,
    SDR_FMT_ONES = 1, /* 1's complement (signed) */
    SDR_FMT_TWOS = 2, /* 2's complement (signed) */
    SDR_FMT_NONE = 3, /* does not return an analog (numeric) reading */
};
/* "unsigned", "1's complement", "2's complement", "no analog reading" */
const char *sdr_analog_fmt_name(uint8_t fmt);

/* Linearization, Table 43-16 (byte 24 [6:0]) */
enum sdr_linearization {
    SDR_LIN_LINEAR = 0x00,
    SDR_LIN_LN = 0x01,
    SDR_LIN_LOG10 = 0x02,
    SDR_LIN_LOG2 = 0x03,
    SDR_LIN_E = 0x04,
    SDR_LIN_EXP10 = 0x05,
    SDR_LIN_EXP2 = 0x06,
    SDR_LIN_INVERSE = 0x07, /* 1/x */
    SDR_LIN_SQR = 0x08,
    SDR_LIN_CUBE = 0x09,
    SDR_LIN_SQRT = 0x0a,
    SDR_LIN_CBRT = 0x0b,
    SDR_LIN_NONLINEAR_MIN = 0x70, /* 70h-7Fh: non-linear, OEM; per-reading factors */
    SDR_LIN_NONLINEAR_MAX = 0x7f,
};
/* "linear", "ln", "log10", "log2", "e", "exp10", "exp2", "1/x", "sqr", "cube",
 * "sqrt", "cube root", "non-linear", "reserved" */
const char *sdr_linearization_name(uint8_t lin);

/*
 * y = L[(M*x + B*10^Bexp) * 10^Rexp].  `boff` and `rscale` are B*10^Bexp and
 * 10^Rexp computed once with pow(), i.e. the very doubles FreeIPMI and
 * ipmitool compute per reading, so our results are bit-identical to theirs.
 */
struct sdr_factors {
    int16_t m;             /* 10-bit two's complement */
    int16_t b;             /* 10-bit two's complement */
    int8_t rexp;           /* 4-bit two's complement */
    int8_t bexp;           /* 4-bit two's complement */
    uint8_t fmt;           /* enum sdr_analog_fmt */
    uint8_t linearization; /* enum sdr_linearization */
    uint8_t tolerance;     /* 6 bits, in +/- half raw counts */
    uint8_t accuracy_exp;  /* 2 bits */
    uint16_t accuracy;     /* 10 bits, in 1/100 percent scaled by 10^accuracy_exp */
    double boff;           /* B * 10^Bexp */
    double rscale;         /* 10^Rexp */
};

/*
 * Unpack the 6 factor bytes that a full SDR (bytes 25-30) and the Get Sensor
 * Reading Factors response (section 35.5, bytes 3-8) share, and precompute.
 * `fmt` and `lin` are stored as given.
 */
void sdr_factors_unpack(const uint8_t p[6], uint8_t fmt, uint8_t lin, struct sdr_factors *f);

/* ---- thresholds ----------------------------------------------------------- */

/*
 * Threshold index = bit position in every threshold mask of the spec: the
 * SDR readable/settable masks (Table 43-1 bytes 19-20), the Get Sensor
 * Thresholds mask (section 35.9) and the comparison status of Get Sensor
 * Reading (section 35.14).
 */
enum sdr_thr {
    SDR_THR_LNC = 0, /* lower non-critical */
    SDR_THR_LC = 1,  /* lower critical */
    SDR_THR_LNR = 2, /* lower non-recoverable */
    SDR_THR_UNC = 3, /* upper non-critical */
    SDR_THR_UC = 4,  /* upper critical */
    SDR_THR_UNR = 5, /* upper non-recoverable */
    SDR_THR__COUNT
};
/* ipmitool's short names: "lnc", "lcr", "lnr", "unc", "ucr", "unr" */
const char *sdr_thr_name(unsigned thr);

struct sdr_thresholds {
    uint8_t readable; /* bit i: raw[i] is meaningful */
    uint8_t settable; /* bit i: settable (SDR only; 0 from Get Sensor Thresholds) */
    uint8_t raw[SDR_THR__COUNT];
};

/* ---- sensor records (full, compact, event-only) --------------------------- */

/* ID string type, type/length byte [7:6] (section 43.15) */
enum sdr_id_type {
    SDR_ID_UNICODE = 0, /* not defined further; shown as 8-bit bytes, like both tools */
    SDR_ID_BCDPLUS = 1,
    SDR_ID_6BIT = 2, /* 6-bit packed ASCII */
    SDR_ID_8BIT = 3, /* 8-bit ASCII + Latin 1 */
};
/* "unicode", "BCD plus", "6-bit ASCII", "8-bit ASCII" */
const char *sdr_id_type_name(uint8_t type);

/* What a reading of the sensor can be turned into (set by sdr_parse). */
enum sdr_value_kind {
    SDR_VALUE_NONE = 0,      /* states only: discrete, compact, no analog format */
    SDR_VALUE_ANALOG,        /* threshold sensor of a full record: convert with `conv` */
    SDR_VALUE_NEEDS_FACTORS, /* non-linear (70h-7Fh): Get Sensor Reading Factors per reading */
    SDR_VALUE_INVALID,       /* reserved linearization code: cannot convert */
    SDR_VALUE_EVENT_ONLY,    /* event-only record: no reading at all */
};
const char *sdr_value_kind_name(enum sdr_value_kind k);

/* How the engine can read the sensor. */
enum sdr_access {
    SDR_ACCESS_DIRECT = 0, /* owned by the BMC (20h, channel 0): any LUN is fine */
    SDR_ACCESS_BRIDGED,    /* another controller: needs IPMB bridging (owner, lun, channel) */
    SDR_ACCESS_SOFTWARE,   /* owned by system software: not readable over LAN */
    SDR_ACCESS_NONE,       /* event-only record */
};
/* "direct", "bridged", "system software", "none" */
const char *sdr_access_name(enum sdr_access a);

/* sdr_sensor.flags */
#define SDR_SF_SOFTWARE_OWNER 0x0001 /* owner ID [0] = 1: system software ID */
#define SDR_SF_LOGICAL_ENTITY 0x0002 /* entity instance [7] = 1: logical container */
#define SDR_SF_IGNORE         0x0004 /* capabilities [7]: ignore if entity absent */
#define SDR_SF_INSTANCE_INCR  0x0008 /* shared: entity instance increments per sensor */
#define SDR_SF_ID_TRUNCATED   0x0010 /* 8-bit ID longer than 16 bytes: cut, like both tools */
#define SDR_SF_PERCENT        0x0020 /* units are a percentage */

/* Instance modifier type, compact byte 24 / event-only byte 13 [5:4] */
enum sdr_modifier_type {
    SDR_MOD_NUMERIC = 0,
    SDR_MOD_ALPHA = 1,
};

/*
 * One sensor.  Fixed size, no pointers: copy it, store it in a snapshot.
 * Fields a record type does not carry are zero (compact and event-only have
 * no factors; event-only has no masks, units or thresholds).
 */
struct sdr_sensor {
    uint16_t record_id;
    uint8_t record_type; /* 01h, 02h or 03h */
    uint8_t value_kind;  /* enum sdr_value_kind */
    uint16_t flags;      /* SDR_SF_* */

    /* record key: who answers Get Sensor Reading for it */
    uint8_t owner_addr; /* 8-bit form: byte 6 & FEh (20h = BMC), or the software ID */
    uint8_t owner_lun;  /* byte 7 [1:0] */
    uint8_t channel;    /* byte 7 [7:4] */
    uint8_t number;     /* sensor number (of this instance, if shared) */

    uint8_t entity_id;       /* Table 43-13 */
    uint8_t entity_instance; /* [6:0] (of this instance, if shared) */
    uint8_t init;            /* sensor initialization byte (full/compact) */
    uint8_t caps;            /* sensor capabilities byte (full/compact) */
    uint8_t sensor_type;     /* Table 42-3 */
    uint8_t event_type;      /* event/reading type code, Table 42-1 */
    uint16_t assert_mask;    /* bytes 15-16 as a little-endian word */
    uint16_t deassert_mask;  /* bytes 17-18 */
    uint16_t reading_mask;   /* bytes 19-20: discrete reading mask, or settable/readable */

    /* units (Table 43-15) */
    uint8_t rate;    /* Sensor Units 1 [5:3]: 0 none, 1 per us ... 6 per day */
    uint8_t mod_rel; /* [2:1]: 0 none, 1 base/modifier, 2 base*modifier */
    uint8_t unit_base;
    uint8_t unit_mod;

    /* sharing (compact, event-only) */
    uint8_t share_count; /* >= 1 */
    uint8_t mod_type;    /* enum sdr_modifier_type */
    uint8_t mod_offset;  /* ID string instance modifier offset, 7 bits */
    uint8_t instance;    /* which of the share_count sensors this is */
    uint8_t direction;   /* 0 unspecified, 1 input, 2 output */

    /* full record only */
    uint8_t analog_flags; /* byte 31: [0] nominal, [1] normal max, [2] normal min given */
    uint8_t nominal, normal_max, normal_min, sensor_max, sensor_min;
    uint8_t hyst_pos, hyst_neg;
    uint8_t oem;
    struct sdr_factors conv;
    struct sdr_thresholds thr;

    uint8_t id_type;         /* enum sdr_id_type */
    uint8_t id_len;          /* decoded characters in `id` */
    char id[SDR_ID_CAP];     /* ID string as decoded, NUL-terminated */
    char name[SDR_NAME_CAP]; /* id plus the instance modifier when shared */
};

/* ---- locators -------------------------------------------------------------- */

/* FRU Device Locator (Table 43-7) */
struct sdr_fru_locator {
    uint16_t record_id;
    uint8_t access_addr; /* 8-bit slave address of the controller to ask (byte 6 & FEh) */
    uint8_t fru_id;      /* logical: FRU device ID; else the device's 8-bit slave address */
    bool logical;        /* byte 8 [7]: logical FRU device (Read FRU Data works) */
    uint8_t lun;         /* byte 8 [4:3] */
    uint8_t bus;         /* byte 8 [2:0] private bus ID */
    uint8_t channel;     /* byte 9 [7:4] */
    uint8_t device_type; /* Table 43-12 */
    uint8_t device_type_mod;
    uint8_t entity_id;
    uint8_t entity_instance;
    uint8_t oem;
    uint8_t id_type;
    uint8_t flags; /* SDR_SF_ID_TRUNCATED */
    char name[SDR_ID_CAP];
};

/* Management Controller Device Locator (Table 43-8) */
#define SDR_MC_CAP_SENSOR          0x01
#define SDR_MC_CAP_SDR             0x02
#define SDR_MC_CAP_SEL             0x04
#define SDR_MC_CAP_FRU             0x08
#define SDR_MC_CAP_EVENT_RECEIVER  0x10
#define SDR_MC_CAP_EVENT_GENERATOR 0x20
#define SDR_MC_CAP_BRIDGE          0x40
#define SDR_MC_CAP_CHASSIS         0x80

struct sdr_mc_locator {
    uint16_t record_id;
    uint8_t slave_addr; /* 8-bit form (byte 6 & FEh) */
    uint8_t channel;    /* byte 7 [3:0] */
    uint8_t power_init; /* byte 8: ACPI notification required, global initialization */
    uint8_t caps;       /* byte 9: SDR_MC_CAP_* */
    uint8_t entity_id;
    uint8_t entity_instance;
    uint8_t oem;
    uint8_t id_type;
    uint8_t flags; /* SDR_SF_ID_TRUNCATED */
    char name[SDR_ID_CAP];
};

/* ---- one record ------------------------------------------------------------ */

enum sdr_kind {
    SDR_KIND_SKIP = 0, /* a type we do not decode; header only */
    SDR_KIND_SENSOR,
    SDR_KIND_FRU_LOCATOR,
    SDR_KIND_MC_LOCATOR,
};
/* "skip", "sensor", "FRU locator", "MC locator" */
const char *sdr_kind_name(uint8_t kind);

struct sdr_record {
    struct sdr_header hdr;
    uint8_t kind; /* enum sdr_kind */
    union {
        struct sdr_sensor sensor;
        struct sdr_fru_locator fru;
        struct sdr_mc_locator mc;
    } u;
};

/*
 * Parse one record.  Returns bytes consumed (5 + record length; trailing
 * bytes in `buf` are left alone, so a repository dump parses record by
 * record), or -1 with *err set.  A shared compact/event-only record yields
 * its instance 0; see sdr_compact_instance().
 */
ssize_t sdr_parse(const uint8_t *buf, size_t len, struct sdr_record *out, enum codec_err *err);

/*
 * Instance i (0 <= i < share_count) of a shared compact or event-only sensor
 * (Table 43-2 bytes 24-25): sensor number + i, entity instance + i when it
 * increments, and the ID string with its instance modifier appended after a
 * space: numeric "Temp 5", alpha "Temp A" .. "Temp Z", "Temp AA" ..
 * (modifier offset + i).  `base` may be any instance of the record.  Works
 * for unshared sensors too (i = 0 copies).  Returns 0, or -1 (*err =
 * CODEC_E_FIELD) when i is out of range or the sensor number would pass FFh.
 */
int sdr_compact_instance(const struct sdr_sensor *base, unsigned i, struct sdr_sensor *out,
                         enum codec_err *err);

/* Whether and how the engine can read this sensor. */
enum sdr_access sdr_sensor_access(const struct sdr_sensor *s);

/* Is this a threshold-based sensor (event/reading type 01h)? */
static inline bool sdr_is_threshold(const struct sdr_sensor *s)
{
    return s->event_type == 0x01;
}

/*
 * ID strings (section 43.15).  The length in the type/length byte counts
 * characters, as the spec says and OpenIPMI's sdrcomp writes: 6-bit packed
 * ASCII takes ceil(6n/8) bytes, BCD plus ceil(n/2).  (FreeIPMI and ipmitool
 * take it as a byte count and print the bytes undecoded; for 8-bit strings,
 * all BMCs in practice, that is the same thing.)
 *
 * sdr_id_bytes(): the bytes that follow a type/length byte `tl`.
 * sdr_id_decode(): decode them from `p` (sdr_id_bytes(tl) readable bytes)
 * into a NUL-terminated string of at most cap-1 characters; 8-bit strings
 * are cut at 16 bytes like both tools do.  Returns the length written.
 * Exposed for the FRU and SEL decoders and the tests.
 */
size_t sdr_id_bytes(uint8_t tl);
size_t sdr_id_decode(uint8_t tl, const uint8_t *p, char *out, size_t cap);

#endif
