/*
 * fru.h - FRU inventory codec: the Platform Management FRU Information
 * Storage Definition v1.0 (rev 1.3, "FRU spec" below) image format, and the
 * IPMI 2.0 FRU Inventory Device commands (section 34).  Bytes only: no
 * sockets, no clocks, no allocation.
 *
 * fru_parse() turns a whole image into a caller-owned struct fru_inventory.
 * Only a broken common header makes it fail; a damaged area is reported in
 * its struct fru_area (reason code, checksum flag) and whatever parsed is
 * kept, like `ipmi-fru` and `ipmitool fru print` do.
 */
#ifndef IPMI_BRIDGE_FRU_H
#define IPMI_BRIDGE_FRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"

/* Storage netfn commands (IPMI 2.0 Appendix G) */
#define FRU_CMD_GET_AREA_INFO 0x10
#define FRU_CMD_READ_DATA     0x11
/* Read FRU Data completion code (IPMI 2.0 section 34.2) */
#define FRU_CC_DEVICE_BUSY 0x81

#define FRU_HEADER_LEN     8    /* common header (FRU spec section 8) */
#define FRU_TL_END         0xC1 /* type/length "end of fields" (FRU spec section 13) */
#define FRU_FIELD_DATA_MAX 63   /* 6 length bits */
/*
 * Decoded text capacity, NUL included.  The worst cases of 63 data bytes:
 * Latin-1 to UTF-8 126, binary as hex 126, BCD plus 126, 6-bit ASCII 84,
 * UCS-2 to UTF-8 93.
 */
#define FRU_TEXT_MAX     128
#define FRU_CUSTOM_MAX   8  /* custom fields kept per area; more are counted */
#define FRU_MULTIREC_MAX 16 /* multirecords kept; more are counted */

/* Type code, bits 7:6 of a type/length byte (FRU spec section 13) */
enum fru_tl_type {
    FRU_TL_BINARY = 0, /* binary or unspecified: shown as hex */
    FRU_TL_BCDPLUS = 1,
    FRU_TL_ASCII6 = 2, /* 6-bit ASCII, packed */
    FRU_TL_TEXT = 3,   /* 8-bit ASCII + Latin-1 (English) or UCS-2 LE (other languages) */
};
const char *fru_tl_type_name(uint8_t type);

/* struct fru_field.flags */
#define FRU_FIELD_PRESENT 0x01 /* the field exists in the area */
#define FRU_FIELD_SUSPECT 0x02 /* reserved BCD plus digit (Dh-Fh), odd UCS-2 length */

struct fru_field {
    uint8_t type;            /* enum fru_tl_type */
    uint8_t len;             /* data bytes on the wire (0..63) */
    uint8_t flags;           /* FRU_FIELD_* */
    char text[FRU_TEXT_MAX]; /* UTF-8, NUL-terminated; "" when absent or empty */
};

/* Languages that select 8-bit ASCII + Latin-1 for type 11b (FRU spec section 15) */
#define FRU_LANG_ENGLISH_DEFAULT 0x00
#define FRU_LANG_ENGLISH         0x19
static inline bool fru_lang_is_english(uint8_t lang)
{
    return lang == FRU_LANG_ENGLISH_DEFAULT || lang == FRU_LANG_ENGLISH;
}

/*
 * Decode one type/length field at p[0..avail).  lang picks the meaning of
 * type 11b.  Returns bytes consumed (1 + data length), or -1 with
 * CODEC_E_TRUNCATED when the data runs past `avail`.  The caller checks for
 * FRU_TL_END before calling: C1h decodes as a one-byte text field here.
 */
ssize_t fru_field_decode(const uint8_t *p, size_t avail, uint8_t lang, struct fru_field *out,
                         enum codec_err *err);

/* Area status, common to chassis/board/product (and the multirecord area) */
struct fru_area {
    bool present;           /* the common header points at it */
    bool checksum_ok;       /* zero checksum over the whole area verified */
    bool truncated;         /* the area runs past the end of the image */
    bool end_marker;        /* C1h found */
    uint8_t version;        /* format version (01h expected) */
    uint16_t offset;        /* byte offset in the image */
    uint16_t length;        /* bytes, from the area length byte */
    uint8_t custom_dropped; /* custom fields beyond FRU_CUSTOM_MAX */
    enum codec_err err;     /* first problem found, CODEC_OK if none */
};

/* Chassis Info Area (FRU spec section 10) */
struct fru_chassis {
    struct fru_area area;
    uint8_t type; /* SMBIOS chassis type, see fru_chassis_type_name() */
    struct fru_field part_number, serial_number;
    uint8_t ncustom;
    struct fru_field custom[FRU_CUSTOM_MAX];
};

/* Board Info Area (FRU spec section 11) */
struct fru_board {
    struct fru_area area;
    uint8_t language;
    uint32_t mfg_minutes; /* minutes since 1996-01-01 00:00 UTC; 0 = unspecified */
    int64_t mfg_time;     /* the same as Unix time, -1 when unspecified */
    struct fru_field manufacturer, product_name, serial_number, part_number, file_id;
    uint8_t ncustom;
    struct fru_field custom[FRU_CUSTOM_MAX];
};

/* Product Info Area (FRU spec section 12) */
struct fru_product {
    struct fru_area area;
    uint8_t language;
    struct fru_field manufacturer, name, part_number, version, serial_number, asset_tag, file_id;
    uint8_t ncustom;
    struct fru_field custom[FRU_CUSTOM_MAX];
};

/* MultiRecord type IDs (FRU spec Table 16-2) */
enum fru_mr_type {
    FRU_MR_POWER_SUPPLY = 0x00,
    FRU_MR_DC_OUTPUT = 0x01,
    FRU_MR_DC_LOAD = 0x02,
    FRU_MR_MGMT_ACCESS = 0x03,
    FRU_MR_BASE_COMPAT = 0x04,
    FRU_MR_EXT_COMPAT = 0x05,
    FRU_MR_EXT_DC_OUTPUT = 0x09,
    FRU_MR_EXT_DC_LOAD = 0x0A,
    FRU_MR_OEM_FIRST = 0xC0,
};
const char *fru_mr_type_name(uint8_t type);

/* Power Supply Information (FRU spec section 18.1, Table 18-1), 24 bytes */
struct fru_psu {
    uint16_t capacity_w; /* overall capacity, bits 11:0 */
    uint16_t peak_va;    /* FFFFh = not specified */
    uint8_t inrush_a;    /* FFh = not specified */
    uint8_t inrush_ms;
    uint16_t in_low1_10mv, in_high1_10mv; /* input voltage range 1, 10 mV units */
    uint16_t in_low2_10mv, in_high2_10mv; /* range 2; 0 if single range */
    uint8_t freq_low_hz, freq_high_hz;
    uint8_t dropout_ms;   /* A/C dropout tolerance */
    uint8_t flags;        /* FRU_PSU_* */
    uint16_t peak_w;      /* peak wattage, bits 11:0; FFFh = not specified */
    uint8_t holdup_s;     /* hold-up time, bits 15:12 of the peak wattage word */
    uint8_t volt1, volt2; /* combined wattage voltages: 0 12V, 1 -12V, 2 5V, 3 3.3V */
    uint16_t combined_w;  /* total combined wattage */
    uint8_t tach_rps;     /* predictive fail tachometer lower threshold */
};
#define FRU_PSU_PREDICTIVE_FAIL 0x01
#define FRU_PSU_PFC             0x02
#define FRU_PSU_AUTOSWITCH      0x04
#define FRU_PSU_HOT_SWAP        0x08
#define FRU_PSU_TACH_POLARITY   0x10 /* tach: 2 pulses/rotation; pin: fail = 0 */
#define FRU_PSU_LEN             24

/* DC Output (FRU spec section 18.2, Table 18-2), 13 bytes */
struct fru_dc_output {
    uint8_t output_number; /* bits 3:0 */
    bool standby;          /* bit 7: output on standby */
    int16_t nominal_10mv;
    int16_t max_neg_10mv, max_pos_10mv; /* deviations, 10 mV units */
    uint16_t ripple_mv;                 /* ripple and noise pk-pk 10 Hz..30 MHz */
    uint16_t min_ma, max_ma;            /* current draw */
};
#define FRU_DC_OUTPUT_LEN 13

/* DC Load (FRU spec section 18.3), 13 bytes */
struct fru_dc_load {
    uint8_t output_number; /* bits 3:0 */
    int16_t nominal_10mv;
    int16_t min_10mv, max_10mv; /* specified minimum / maximum voltage */
    uint16_t ripple_mv;         /* specified ripple and noise pk-pk */
    uint16_t min_ma, max_ma;    /* current load */
};
#define FRU_DC_LOAD_LEN 13

/* Management Access Record (FRU spec section 18.4) sub-record types */
enum fru_mgmt_sub {
    FRU_MGMT_SYS_URL = 0x01,
    FRU_MGMT_SYS_NAME = 0x02,
    FRU_MGMT_SYS_PING = 0x03,
    FRU_MGMT_COMP_URL = 0x04,
    FRU_MGMT_COMP_NAME = 0x05,
    FRU_MGMT_COMP_PING = 0x06,
    FRU_MGMT_SYS_GUID = 0x07, /* 16 bytes, the system unique ID */
};
const char *fru_mgmt_sub_name(uint8_t sub);

/* struct fru_multirec.flags */
#define FRU_MR_HDR_OK    0x01 /* header checksum verified */
#define FRU_MR_DATA_OK   0x02 /* record checksum verified */
#define FRU_MR_END       0x04 /* end-of-list bit */
#define FRU_MR_TRUNCATED 0x08 /* record data runs past the image */
#define FRU_MR_DECODED   0x10 /* u.psu / u.dc_out / u.dc_load / u.mgmt / u.mfr valid */
#define FRU_MR_SHORT     0x20 /* shorter than its type's layout: not decoded */

struct fru_multirec {
    uint8_t type;    /* enum fru_mr_type */
    uint8_t version; /* record format version, bits 3:0: always 02h (others end the walk) */
    uint8_t flags;   /* FRU_MR_* */
    uint8_t len;     /* data bytes kept in data[] (== wire length unless truncated) */
    uint16_t offset; /* byte offset of the record header in the image */
    union {
        struct fru_psu psu;
        struct fru_dc_output dc_out;
        struct fru_dc_load dc_load;
        struct {
            uint8_t sub; /* enum fru_mgmt_sub; the value: fru_mgmt_access_text() */
        } mgmt;
        struct {
            /* OEM records (C0h-FFh, FRU spec 18.7) and the base / extended
             * compatibility records (04h/05h, 18.5/18.6) start with it:
             * 3 bytes, LS first */
            uint32_t manufacturer_id;
        } mfr;
    } u;
    uint8_t data[255];
};

struct fru_inventory {
    uint8_t header[FRU_HEADER_LEN];
    uint16_t internal_offset; /* internal use area, not decoded; 0 = absent */
    struct fru_chassis chassis;
    struct fru_board board;
    struct fru_product product;
    struct fru_area multirec_area; /* present/offset/err; length = bytes walked */
    uint8_t nmultirec;
    uint8_t multirec_dropped; /* records beyond FRU_MULTIREC_MAX */
    struct fru_multirec multirec[FRU_MULTIREC_MAX];
};

/*
 * Parse a whole FRU image.  Returns the number of image bytes the areas
 * span (the end of the furthest area or record parsed), or -1 with *err:
 * CODEC_E_TRUNCATED (shorter than the common header), CODEC_E_CHECKSUM
 * (common header checksum), CODEC_E_FIELD (header format version not 1).
 * Area problems do not fail the parse; see struct fru_area.err.
 */
ssize_t fru_parse(const uint8_t *img, size_t len, struct fru_inventory *out, enum codec_err *err);

/*
 * How many leading bytes of a `total`-byte image are needed to parse it
 * completely, judged from the first `have` bytes.  Never less than the
 * header, never more than `total`.  A reader fetches until the answer is
 * <= have; the answer only grows as `have` grows.
 */
size_t fru_needed_len(const uint8_t *img, size_t have, size_t total);

/*
 * The value of a management access record (FRU spec section 18.4): the
 * URL, name or ping address as ASCII (non-printable bytes as '.'), the
 * system unique ID (07h) as 32 hex digits.  Returns the length written
 * (cut to cap-1); 0 and "" for other records.
 */
size_t fru_mgmt_access_text(const struct fru_multirec *m, char *buf, size_t cap);

/* SMBIOS chassis type name (FRU spec section 10 refers to SMBIOS Table 17). */
const char *fru_chassis_type_name(uint8_t type);

/* "2024-01-15T12:00:00Z" for a board manufacturing time; "" when unspecified. */
void fru_mfg_time_format(int64_t t, char out[32]);

/*
 * One line describing a multirecord ("750 W, peak 900 VA, 90-264 V, ...",
 * "System Management URL: http://...", or hex for types we do not decode).
 * Returns the length written (truncated to cap-1).
 */
size_t fru_multirec_describe(const struct fru_multirec *m, char *buf, size_t cap);

/* ---- FRU Inventory Device commands (IPMI 2.0 section 34) ---------------- */

/* Get FRU Inventory Area Info response (after the completion code) */
struct fru_area_info_rsp {
    uint16_t size;  /* inventory area size in bytes */
    uint8_t access; /* bit 0: 1 = accessed by words */
};
ssize_t fru_area_info_rsp_decode(const uint8_t *d, size_t len, struct fru_area_info_rsp *out,
                                 enum codec_err *err);

/*
 * Read FRU Data response (after the completion code): count returned, then
 * the data.  For a word-access device the count is in words; `word` says
 * so, and *nbytes gets the byte count.  *data points into `d`.
 * CODEC_E_LENGTH when the count disagrees with the data that arrived.
 */
ssize_t fru_read_rsp_decode(const uint8_t *d, size_t len, bool word, const uint8_t **data,
                            size_t *nbytes, enum codec_err *err);

/* Read FRU Data request: 4 bytes; offset and count in bytes, halved for words. */
size_t fru_read_req_encode(uint8_t out[4], uint8_t fru_id, uint32_t byte_offset, uint8_t byte_count,
                           bool word);

#endif
