/*
 * sim_internal.h - what simcontent.c (per-BMC state, command handlers) and
 * sim_profile.c (profile parser, SDR and FRU encoders) share.  Not for the
 * network side: it sees only simcontent.h.
 *
 * A profile is loaded once and never changes afterwards, so every BMC of
 * the fleet reads the same sensor table, SDR records and FRU images.  Its
 * arrays are fixed-size: one profile per process costs ~70 KB and nothing
 * per BMC.
 */
#ifndef BMCSIM_SIM_INTERNAL_H
#define BMCSIM_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simcontent.h"

#define SIM_MAX_SENSORS   255 /* sensor numbers 00h..FEh; FFh is reserved */
#define SIM_MAX_FRUS      16
#define SIM_MAX_CUSTOM    4  /* custom fields per FRU area */
#define SIM_ID_MAX        16 /* SDR ID strings: 16 bytes (IPMI 2.0 section 43.15) */
#define SIM_FRU_FIELD_MAX 63 /* 6-bit length in a type/length byte */
#define SIM_FRU_AREA_MAX                                                                           \
    768                        /* one info area; three of them stay below the 2040-byte            \
                                * reach of the common header's 8-byte-unit offsets */
#define SIM_FRU_IMAGE_MAX 4096 /* with the optional zero padding (fru ... size=) */
#define SIM_SDR_MAX_LEN   64   /* a full sensor record with a 16-byte ID string */
#define SIM_MAX_SDRS      (SIM_MAX_SENSORS + SIM_MAX_FRUS + 1)
#define SIM_SEL_MAX       1024 /* sel_capacity upper bound */

/* Bits of the threshold comparison mask, Get Sensor Reading byte 4 order
 * (IPMI 2.0 section 35.14): also the readable-threshold mask of a full SDR. */
enum sim_thr { SIM_LNC, SIM_LC, SIM_LNR, SIM_UNC, SIM_UC, SIM_UNR, SIM_NTHR };

enum sim_kind { SIM_THRESHOLD, SIM_DISCRETE };

/* One readable sensor number.  A shared compact record expands into
 * share_count of these with consecutive numbers and one SDR. */
struct sim_sensor {
    char id[SIM_ID_MAX + 1]; /* SDR ID string (base name of a shared record) */
    uint8_t number;
    uint8_t kind;               /* enum sim_kind */
    uint8_t record;             /* SDR record type: 01h full, 02h compact, 03h event-only */
    uint8_t type;               /* sensor type, IPMI 2.0 Table 42-3 */
    uint8_t evtype;             /* event/reading type code, Table 42-1 */
    uint8_t fmt;                /* analog data format: 0 unsigned, 1 1's compl., 2 2's compl. */
    uint8_t percent;            /* sensor units 1 bit 0 */
    uint8_t units;              /* base unit, Table 43-15 */
    int16_t m, b;               /* 10-bit signed */
    int8_t bexp, rexp;          /* 4-bit signed */
    uint8_t nominal;            /* raw */
    uint8_t drift;              /* amplitude in raw counts */
    uint16_t period;            /* drift period in seconds; 0: derived per BMC */
    uint8_t thr[SIM_NTHR];      /* raw, indexed by enum sim_thr */
    uint8_t thr_mask;           /* which thresholds exist (readable, evented) */
    uint8_t hyst_pos, hyst_neg; /* raw counts */
    uint8_t entity_id, entity_inst;
    uint16_t states;     /* discrete: initial state bits */
    uint16_t mask;       /* discrete: supported offsets (assert, deassert, reading) */
    uint8_t share_count; /* of the SDR this sensor belongs to */
    uint8_t share_index; /* 0..share_count-1 */
    uint8_t mod_type;    /* ID string instance modifier: 0 numeric, 1 alpha */
    uint8_t mod_offset;
    bool unavailable; /* reading/state unavailable (status bit 5) */
    bool dynamic;     /* its drift can cross a threshold: sim_tick looks at it */
    uint16_t sdr;     /* index of its SDR record */
};

struct sim_fru {
    uint8_t id;
    uint8_t entity_id, entity_inst;
    char name[SIM_ID_MAX + 1];
    uint16_t size;        /* inventory size: the image, zero-padded */
    uint16_t area_len[3]; /* chassis, board, product; 0: absent */
    uint8_t area[3][SIM_FRU_AREA_MAX];
    uint8_t image[SIM_FRU_IMAGE_MAX];
};

struct sim_profile {
    /* Get Device ID (IPMI 2.0 section 20.1) */
    uint8_t device_id, device_rev, fw_major, fw_minor; /* fw_minor as BCD */
    uint32_t manufacturer_id;
    uint16_t product_id;
    uint8_t aux[4];
    char mc_name[SIM_ID_MAX + 1];
    /* limits that make clients shrink their reads */
    uint8_t fru_max_chunk, sdr_max_read;
    /* SEL */
    uint16_t sel_capacity;
    uint32_t sel_epoch; /* SEL clock at simulator time 0 */
    bool sel_prefill;
    uint16_t sel_history; /* extra threshold events logged before the prefill (benchmarks) */

    uint16_t nsensors;
    struct sim_sensor sensors[SIM_MAX_SENSORS];
    int16_t by_number[256]; /* sensor number -> index, or -1 */
    uint16_t ndynamic;
    uint8_t dynamic[SIM_MAX_SENSORS]; /* indexes of dynamic sensors */

    uint16_t nsdr;
    uint8_t sdr_len[SIM_MAX_SDRS];
    uint8_t sdr[SIM_MAX_SDRS][SIM_SDR_MAX_LEN];
    uint32_t sdr_stamp; /* "most recent addition": a hash of the records */

    uint8_t nfru;
    struct sim_fru fru[SIM_MAX_FRUS];
};

/* Raw reading <-> engineering units for a full SDR's linear formula,
 * y = (M*x + B*10^Bexp) * 10^Rexp (IPMI 2.0 section 36.3). */
int sim_raw_signed(const struct sim_sensor *s, uint8_t raw);
double sim_raw_to_value(const struct sim_sensor *s, uint8_t raw);
/* Returns 0 and the nearest raw value, or -1 when v is out of range. */
int sim_value_to_raw(const struct sim_sensor *s, double v, uint8_t *raw);

/* The sensor's ID string with its share modifier ("DIMM" + "2"). */
void sim_sensor_name(const struct sim_sensor *s, char *buf, size_t len);

/* The default profile's text (sim_default.c). */
extern const char sim_default_profile[];

#endif
