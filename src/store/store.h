/*
 * store.h - the fleet's current picture: one immutable snapshot per BMC,
 * sorted by ipmiBmcIndex, that every view reads (the --once JSON and table,
 * the MIB handlers, the notifications).  Views call no codec; every number
 * is converted and every text formed in one place, the snapshot builder
 * (snap_build.c): when a poll completes, except a SEL entry's numbers and
 * texts, which its functions store_sel_fields() and store_sel_texts() form
 * from the entry's raw record when a view asks (a fleet's 256 entries per
 * BMC would otherwise cost each BMC about 50 KB of formed texts), and a
 * sensor's thresholds, which store_sensor_thr() converts from the raw
 * threshold bytes by the sensor's SDR record (7 bytes a row, not 72).
 *
 * Snapshots and parts
 *   A snapshot (struct store_bmc) is the BMC's header (identity, state,
 *   counters, counts) plus three parts: sensors, FRU and SEL.  Each part is
 *   immutable and reference-counted (C11 atomics), so a new snapshot shares
 *   the parts that did not change with the previous one (FRU is re-read
 *   daily, the SEL has news sometimes, sensors change every sweep).  A part
 *   owns its strings in one arena; static texts of the IPMI tables are
 *   pointed to, not copied.  Snapshots are reference-counted too: the store
 *   holds one reference on each published snapshot, a builder may hold one
 *   on its previous snapshot to share parts with the next.
 *
 * Publishing (one or more poller threads -> one reader thread)
 *   store_publish() may be called from any thread: it pushes the snapshot on
 *   a lock-free multi-producer list and signals the store's eventfd when
 *   the list was empty (messages queued behind it ride on that signal).  The
 *   reader thread (the agent thread; --once: the same thread, back to back)
 *   calls store_apply(): it swaps the pointers in the sorted array and drops
 *   the references of the replaced snapshots, freeing what nothing else
 *   holds.  Readers are single-threaded and see only whole snapshots; a
 *   pointer obtained from the store is valid until the next store_apply()
 *   or store_free() on the reader thread (take a reference to keep it).
 *   No lock anywhere.
 *
 * Indexes (SNMP table indexes; stable across restarts and SDR re-reads)
 *   ipmiBmcIndex     given by the caller (config; --once: 1-based config order)
 *   ipmiSensorIndex  1 + number + 256 * owner + 65536 * lun + 262144 * channel
 *                    owner = 8-bit slave address / software ID (20h = BMC),
 *                    lun 0..3, channel 0..15 (0 for now: only the BMC's own
 *                    IPMB); 1-based so that 0 never is an index.  Fits 2^22.
 *   ipmiFruIndex     FRU device ID + 1 (FRU 0 is index 1)
 *   ipmiSelIndex     the SEL ring entry's sequence number
 *                    (sel_state_entry_seq(): monotonic, never reused)
 *
 * Numbers (ENTITY-SENSOR-MIB style)
 *   precision  decimal places that show one raw step of the sensor: the
 *              smallest p in 0..3 with |M| * 10^(Rexp + p) >= 1 (M and Rexp
 *              of the SDR's conversion factors, IPMI 2.0 section 36.3);
 *              e.g. M=1 Rexp=-2 -> 2, M=5 Rexp=-3 -> 3 (0.005 V steps),
 *              M=3 Rexp=-1 -> 1, M=1 Rexp=0 -> 0; more than 3 is clamped to
 *              3, M=0 or a discrete sensor gives 0.  Non-linear sensors use
 *              the factors of their reading when the BMC gave them (Get
 *              Sensor Reading Factors); the step is that of the raw value
 *              before linearization, so it is an approximation for them.
 *   scaled     round(value * 10^precision) as Integer32; absent (flag clear)
 *              when it does not fit.
 *   value_text "%.*f" of the value with that precision ("3.30").
 *
 * Texts: every text that comes from a BMC (SDR ID strings, FRU fields, OEM
 * bytes) is valid UTF-8 without control characters: see text.h.
 */
#ifndef IPMI_BRIDGE_STORE_H
#define IPMI_BRIDGE_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bmc.h" /* struct bmc_counters, enum bmc_error */

/* ---- words ------------------------------------------------------------------ */

/* A BMC's state: the poll's error words, then the daemon's life-cycle states. */
enum store_state {
    STORE_ST_OK = 0,
    STORE_ST_UNREACHABLE,
    STORE_ST_AUTH_FAILED,
    STORE_ST_CIPHER,
    STORE_ST_PRIVILEGE,
    STORE_ST_PROTOCOL,
    STORE_ST_TIMEOUT,
    STORE_ST_CLOSED,
    STORE_ST_RESOLVE,
    STORE_ST_INTERNAL,
    /* daemon states (sched.c) */
    STORE_ST_NEW,         /* configured, nothing tried yet */
    STORE_ST_CONNECTING,  /* establishing the session */
    STORE_ST_DISCOVERING, /* reading identity and SDRs */
    STORE_ST_POLLING,     /* up, being polled (between complete polls) */
    STORE_ST_DEGRADED,    /* up, but part of the poll failed (SDR, FRU, SEL) */
    STORE_ST__COUNT
};
/* "ok", "unreachable", "auth_failed", "cipher", "privilege", "protocol",
 * "timeout", "closed", "resolve", "internal", "new", "connecting",
 * "discovering", "polling", "degraded"; one static table indexed by value. */
const char *store_state_word(enum store_state s);
/* The state of a poll that ended with error `e` (BMC_E_NONE: STORE_ST_OK). */
enum store_state store_state_from_error(enum bmc_error e);

/* Sensor status; the words are the JSON's, the values ENTITY-SENSOR-MIB-like. */
enum store_status {
    STORE_STATUS_OK = 0,
    STORE_STATUS_WARNING,
    STORE_STATUS_CRITICAL,
    STORE_STATUS_NONRECOVERABLE,
    STORE_STATUS_UNAVAILABLE,
    STORE_STATUS__COUNT
};
/* "ok", "warning", "critical", "nonrecoverable", "unavailable" */
const char *store_status_word(enum store_status s);

/* SEL entry severity (derivation: snap_build.c, sel_severity()). */
enum store_severity {
    STORE_SEV_OK = 0,         /* informational, deassertions */
    STORE_SEV_WARNING,        /* non-critical thresholds, degraded/predictive states */
    STORE_SEV_CRITICAL,       /* critical thresholds, failures */
    STORE_SEV_NONRECOVERABLE, /* non-recoverable thresholds, severity 07h */
    STORE_SEV_UNKNOWN,        /* OEM records: we cannot know */
    STORE_SEV__COUNT
};
/* "ok", "warning", "critical", "nonrecoverable", "unknown" */
const char *store_severity_word(enum store_severity s);

/* ---- parts: common header ------------------------------------------------------ */

struct sdr_sensor;  /* sdr.h */
struct store_arena; /* arena.h: a few large blocks holding rows and strings */

struct sdr_content;  /* sdr_share.h */
struct sel_ring_buf; /* sel_reader.h */

struct store_part {
    atomic_uint refs;
    uint32_t n;                /* rows */
    struct store_arena *arena; /* the part's rows and strings; freed with the part */
    /* non-NULL: the part points at this shared SDR content's sensor records
     * instead of copying them, and holds a reference on it (sdr_share_hold) */
    struct sdr_content *sdr_hold;
    /* non-NULL (SEL part): the entries' raw records are the SEL reader's
     * ring, held (sel_state_ring_hold) */
    const struct sel_ring_buf *ring_hold;
};

/* ---- sensors part ---------------------------------------------------------------- */

enum store_thr { /* the order of the JSON object and of the MIB columns */
                 STORE_THR_LNR = 0,
                 STORE_THR_LC,
                 STORE_THR_LNC,
                 STORE_THR_UNC,
                 STORE_THR_UC,
                 STORE_THR_UNR,
                 STORE_THR__COUNT
};
/* "lnr", "lc", "lnc", "unc", "uc", "unr" */
const char *store_thr_key(enum store_thr t);

#define STORE_STATES_MAX 16

struct store_sensor {     /* fields ordered by size: 112 bytes, kept per sensor per BMC */
    uint32_t index;       /* ipmiSensorIndex, see the top of this file */
    int32_t value_scaled; /* round(value * 10^precision) */
    const char *name;
    const char *type_name;          /* static */
    const char *value_text;         /* "3.30"; NULL without a value */
    const char *units;              /* NULL for discrete sensors */
    const char *const *states;      /* nstates static texts */
    const char *states_text;        /* ", "-joined; "" when none */
    const char *unavailable_reason; /* NULL unless status is unavailable */
    /* the SDR record the row was built from (the part's own or the held
     * shared records): what store_sensor_thr() converts the thresholds by */
    const struct sdr_sensor *sdr;
    double value;          /* natural units */
    uint64_t read_mono_ns; /* CLOCK_MONOTONIC of the reading (for an age) */
    uint8_t number, owner, lun, channel;
    uint8_t type; /* IPMI 2.0 Table 42-3 */
    uint8_t event_type;
    uint8_t entity_id, entity_instance;
    bool analog;       /* has units (JSON "units" is null otherwise) */
    bool thresholds;   /* a threshold sensor (event type 01h): thr* apply */
    bool has_value;    /* value, value_text, scaled are valid */
    bool scaled_ok;    /* value_scaled fits Integer32 */
    uint8_t precision; /* 0..3 */
    uint8_t status;    /* enum store_status */
    /* the SDR's units (IPMI 2.0 Table 43-15, section 43.1 byte 21): what
     * src/view/ent_sensor.c maps to an ENTITY-SENSOR-MIB data type */
    uint8_t unit_base, unit_rate, unit_mod_rel;
    bool unit_percent;
    uint8_t nstates;
    uint8_t thr_mask;                  /* bit enum store_thr: threshold known (converts) */
    uint8_t thr_raw[STORE_THR__COUNT]; /* raw thresholds (enum store_thr order) */
};

/*
 * Threshold `k` of sensor row `s`: false when it is not known (not a
 * threshold sensor, not readable, no number).  Else *value (natural units)
 * and, when round(value * 10^precision) fits Integer32, *scaled with
 * *scaled_ok true (the MIB's columns).  snap_build.c converts the raw
 * threshold by the row's SDR record: the one place thresholds are
 * converted (a row keeps 7 bytes of them, not 72).  O(1); either out
 * pointer may be NULL.
 */
bool store_sensor_thr(const struct store_sensor *s, enum store_thr k, double *value,
                      int32_t *scaled, bool *scaled_ok);

struct store_sensors {
    struct store_part p;    /* p.n rows */
    struct store_sensor *s; /* sorted by index */
    uint32_t nwarning, ncritical, nnonrecoverable, nunavailable;
    uint32_t duplicates; /* SDRs naming an address already listed: left out (logged) */
    /* Every sensor record of the SDR (event-only ones and shared instances
     * too) by ipmiSensorIndex (the first of a duplicate kept): what a PET's
     * texts are formed from (agent/pet_listener.c hands one to
     * pet_describe(), the PET codec's one text function); look up with
     * store_sdr_find().  Copied and sorted (sdr_order NULL), or the shared
     * content's records in SDR order (p.sdr_hold) with sdr_order[i] the
     * position of the i-th by index: a fleet of one model holds them once. */
    uint32_t nsdr;
    const struct sdr_sensor *sdr;
    const uint16_t *sdr_order;
};

/* ---- FRU part ------------------------------------------------------------------- */

/* A key/value of a decoded multirecord ("capacity_w": 750). */
enum store_kv_kind { STORE_KV_NULL = 0, STORE_KV_INT, STORE_KV_BOOL, STORE_KV_STR };
struct store_kv {
    const char *key; /* static */
    uint8_t kind;    /* enum store_kv_kind */
    int64_t i;       /* INT, BOOL */
    const char *s;   /* STR */
};

/* Named fields of the info areas; each area has a subset (README order). */
enum store_fru_fld {
    STORE_FRU_MANUFACTURER = 0,
    STORE_FRU_NAME, /* board: product_name; product: name */
    STORE_FRU_PART_NUMBER,
    STORE_FRU_SERIAL_NUMBER,
    STORE_FRU_VERSION,   /* product */
    STORE_FRU_ASSET_TAG, /* product */
    STORE_FRU_FLD__COUNT
};

enum store_fru_area_kind {
    STORE_FRU_CHASSIS = 0,
    STORE_FRU_BOARD,
    STORE_FRU_PRODUCT,
    STORE_FRU_AREA__COUNT
};

struct store_fru_area {
    bool present;
    bool checksum_ok;
    const char *problem;                     /* codec reason word, NULL when none */
    const char *field[STORE_FRU_FLD__COUNT]; /* NULL: absent from the area */
    uint8_t chassis_type;                    /* chassis: type code */
    const char *chassis_type_name;           /* chassis: static */
    const char *mfg_datetime;                /* board: "2024-01-15T12:00:00Z"; NULL unspecified */
    int64_t mfg_time;                        /* board: Unix time, -1 unspecified */
    uint8_t ncustom;
    const char **custom;
};

struct store_fru_mr {
    uint8_t type;
    const char *type_name; /* static */
    const char *description;
    bool checksum_ok;
    const char *data_hex;
    uint8_t nfields;
    const struct store_kv *fields;
};

struct store_fru {
    uint32_t index; /* ipmiFruIndex = id + 1 */
    uint8_t id;
    const char *name;
    uint8_t status;          /* enum fru_read_status */
    const char *status_word; /* static: "ok", "partial", "bad", "absent", "failed" */
    bool parsed;             /* the areas and multirecords below are valid */
    struct store_fru_area area[STORE_FRU_AREA__COUNT];
    uint8_t nmr;
    const struct store_fru_mr *mr;
};

struct store_frus {
    struct store_part p;
    struct store_fru *f; /* sorted by index */
};

/* ---- SEL part ------------------------------------------------------------------- */

enum store_sel_kind { STORE_SEL_SYSTEM = 0, STORE_SEL_OEM_TS, STORE_SEL_OEM_NOTS };

/*
 * One SEL entry: what the MIB indexes and compares by, and the raw record
 * (the SEL reader's ring's, held by the part: not a copy); 16 bytes.  Its numbers
 * (store_sel_fields) and texts (store_sel_texts) are not kept per entry (256 entries per BMC times
 * a fleet): the snapshot builder's functions decode them from the raw record when a view asks,
 * always the same way.
 */
struct store_sel {
    uint32_t index;       /* ipmiSelIndex: the ring entry's sequence number */
    uint16_t sdr;         /* the sensor's SDR record: store_sels.sdr[sdr - 1]; 0 none */
    uint8_t kind : 2;     /* enum store_sel_kind */
    uint8_t severity : 3; /* enum store_severity */
    bool has_time : 1;    /* the timestamp is absolute Unix time */
    const uint8_t *raw;   /* the 16 bytes of the record */
};

/* The numbers of one entry (0 where its kind has none). */
struct store_sel_fields {
    uint16_t record_id;
    uint8_t record_type;
    uint32_t time;            /* the raw timestamp (absolute, pre-init or FFFFFFFFh); OEM_NOTS 0 */
    uint32_t manufacturer_id; /* OEM timestamped records */
    /* system event records */
    uint8_t sensor_type_code;
    uint8_t sensor_number;
    uint8_t event_type;
    bool deassertion;
};
/* snap_build.c.  O(1). */
struct store_sel_fields store_sel_fields(const struct store_sel *e);

struct store_sels {
    struct store_part p;
    struct store_sel *e; /* sorted by index (= oldest first) */
    /* the SDR records the entries name: copies, each once, or the shared
     * content's records (p.sdr_hold) */
    uint32_t nsdr;
    const struct sdr_sensor *sdr;
};

/* The texts of one entry, formed into the struct (its buffers). */
struct store_sel_text {
    const char *timestamp; /* "2026-11-21T05:01:10Z", "pre-init 964 s", "unspecified"; NULL none */
    /* system event records (NULL for OEM records) */
    const char *sensor_type; /* static */
    const char *sensor_name; /* SDR name, or "#0x50" */
    const char *direction;   /* static: "Asserted" / "Deasserted" */
    const char *event;       /* "Upper Critical going high"; OEM: "OEM record C0h" */
    const char *reading;     /* NULL when none */
    const char *data;        /* event data / OEM bytes, hex */
    char buf_ts[32], buf_name[160], buf_event[484], buf_reading[292], buf_data[196];
};
/* Form the texts of `e`, an entry of part `p` (snap_build.c).  O(1). */
void store_sel_texts(const struct store_sels *p, const struct store_sel *e,
                     struct store_sel_text *t);

/* ---- one BMC ---------------------------------------------------------------------- */

struct store_devid {
    uint8_t device_id, device_revision;
    bool provides_sdrs, device_available;
    uint32_t manufacturer_id;
    uint16_t product_id;
    char firmware[16];    /* "9.08" */
    char ipmi_version[8]; /* "2.0" */
    bool has_aux;
    char aux_firmware[12]; /* "00000000" */
};

struct store_chassis {
    bool power_on; /* and the rest of Get Chassis Status byte 1 / 3 */
    bool power_overload, power_interlock, power_fault, power_control_fault;
    bool intrusion, front_panel_lockout, drive_fault, cooling_fault;
};

struct store_sdr_stats {
    uint32_t records;
    uint32_t get_sdr_requests;
    bool from_cache, unchanged;
    const char *error; /* NULL when none (in the snapshot's strings) */
};

struct store_sel_stats {
    bool ok;
    uint32_t new_entries, entries_read, requests;
    bool cleared, overflow;
    uint64_t clears_detected;
    uint32_t entries_kept;
    double elapsed_ms;
};

/*
 * The slow-changing facts of the info reader (POH counter, SEL clock, LAN
 * configuration of the channel in use, DCMI power reading).  Each has a read
 * status (`*_st`: enum store_info_status, 0 = not read) with its
 * static word; the values are valid only when the status is ok.  A fixed
 * part of the header: a few dozen bytes, copied with each snapshot.
 */
enum store_info_status { /* the values of enum info_status (info_reader.h) */
                         STORE_INFO_NOT_READ = 0,
                         STORE_INFO_OK,
                         STORE_INFO_UNSUPPORTED,
                         STORE_INFO_FAILED,
                         STORE_INFO_NOT_SET,
                         STORE_INFO__COUNT
};

struct store_info {
    uint8_t poh_st, sel_time_st, lan_st, dcmi_st;                /* enum store_info_status */
    const char *poh_word, *sel_time_word, *lan_word, *dcmi_word; /* "ok", "not_supported", ... */
    uint64_t poh_hours;
    int64_t clock_offset_s; /* the BMC's SEL clock minus ours */
    /* LAN: has_* say which parameters the BMC gave */
    uint8_t lan_channel;
    bool has_ip, has_netmask, has_gateway, has_mac, has_ip_source, has_vlan;
    uint8_t ip[4], netmask[4], gateway[4], mac[6];
    char ip_text[16], netmask_text[16], gateway_text[16]; /* dotted quads */
    char mac_text[18];                                    /* "aa:bb:cc:dd:ee:ff" */
    uint8_t ip_source;                                    /* parameter 4, low 4 bits */
    const char *ip_source_word;                           /* static: "static", "dhcp", ... */
    uint16_t vlan_id;                                     /* has_vlan: tagged with this ID */
    /* DCMI power reading */
    uint16_t watts_current, watts_min, watts_max, watts_avg;
    uint32_t power_period_ms;
    bool power_active;
};

/* Chassis control as ipmiBmcPowerControl .. ipmiBmcLastControlResult show
 * it: the values of src/codec/chassis_ctl.h's enums, 0 when unknown (the
 * instance is absent).  Where the BMC does not tell, the last action taken. */
struct store_control {
    uint8_t power;    /* CTL_POWER_ON or CTL_POWER_OFF: the power state */
    uint8_t identify; /* enum ctl_identify */
    uint8_t boot_device, boot_persist, boot_mode;
    const char *last_action; /* "powerOff by NAME at TIME"; NULL: none asked for */
    const char *last_result; /* "ok", "in progress", "WORD: reason" */
};

struct store_bmc {
    atomic_uint refs;
    uint32_t index; /* ipmiBmcIndex */
    const char *name, *address;
    uint8_t state;     /* enum store_state */
    const char *error; /* one line naming the BMC; NULL when none */
    int cipher_suite;  /* -1: none */
    bool has_devid, has_guid, has_chassis;
    struct store_devid devid;
    char guid[37]; /* 8-4-4-4-12, most significant first */
    struct store_chassis chassis;
    uint64_t poll_wall_s;  /* Unix time when the poll completed */
    uint64_t poll_mono_ns; /* CLOCK_MONOTONIC of the same */
    struct bmc_counters counters;
    struct store_sdr_stats sdr;
    bool has_sel_stats;
    struct store_sel_stats sel_stats;
    struct store_info info; /* POH, SEL clock, LAN, DCMI power */
    /* counts of the sensors part (0 without one) */
    uint32_t nsensors, nwarning, ncritical, nnonrecoverable;
    /* parts: NULL when never read (JSON null) */
    const struct store_sensors *sensors;
    const struct store_frus *fru;
    const struct store_sels *sel;
    struct store_control control; /* texts in the header's arena */
    struct store_arena *arena;    /* the header's own strings (name, address, error, SDR error) */
    /* what the parts were built from (snap_build() compares them to share parts) */
    struct {
        uint64_t sdr_gen;      /* bmc_data.sdr_gen: the sensor set (SEL names come from it) */
        uint64_t fru_read_ns;  /* bmc_data.fru_read_ns */
        uint64_t sel_last_seq; /* sequence number of the newest ring entry */
        uint32_t sel_count, sel_first_seq;
    } src;
};

/* References: `_ref` returns its argument; `_unref(NULL)` is a no-op; the
 * last unref frees (a snapshot drops its parts' references). */
const struct store_bmc *store_bmc_ref(const struct store_bmc *b);
void store_bmc_unref(const struct store_bmc *b);
const struct store_sensors *store_sensors_ref(const struct store_sensors *p);
void store_sensors_unref(const struct store_sensors *p);
const struct store_frus *store_frus_ref(const struct store_frus *p);
void store_frus_unref(const struct store_frus *p);
const struct store_sels *store_sels_ref(const struct store_sels *p);
void store_sels_unref(const struct store_sels *p);

/* Bytes a snapshot holds (its arena and its parts' arenas; shared parts count
 * in every snapshot that holds them). */
size_t store_bmc_bytes(const struct store_bmc *b);

/* Rows of a part: first row with index >= `index` (SNMP GETNEXT), as a
 * position in 0..n (n: none); and exact lookup (NULL: none).  O(log n).
 * NULL parts have no rows. */
uint32_t store_sensor_lower_bound(const struct store_sensors *p, uint32_t index);
const struct store_sensor *store_sensor_find(const struct store_sensors *p, uint32_t index);
/* The SDR record of a sensor, by ipmiSensorIndex (NULL: none). */
const struct sdr_sensor *store_sdr_find(const struct store_sensors *p, uint32_t index);
uint32_t store_fru_lower_bound(const struct store_frus *p, uint32_t index);
const struct store_fru *store_fru_find(const struct store_frus *p, uint32_t index);
uint32_t store_sel_lower_bound(const struct store_sels *p, uint32_t index);
const struct store_sel *store_sel_find(const struct store_sels *p, uint32_t index);

/* ipmiSensorIndex of a sensor address (the formula at the top). */
static inline uint32_t store_sensor_index(uint8_t number, uint8_t owner, uint8_t lun,
                                          uint8_t channel)
{
    return 1u + number + 256u * owner + 65536u * (lun & 3u) + 262144u * (channel & 15u);
}

/* ---- the container ------------------------------------------------------------------ */

struct store;

/* NULL when memory (or an eventfd) is short. */
struct store *store_new(void);
/* Drops every snapshot, pending ones included.  NULL is a no-op. */
void store_free(struct store *s);
/* The eventfd that becomes readable when publications wait for store_apply(). */
int store_fd(const struct store *s);

/*
 * Hand over `snap` (the caller's reference goes to the store) to replace the
 * snapshot with the same index, or to add it.  Any thread; lock-free.
 * Returns 0, or -1 when memory is short (the reference is dropped then).
 */
int store_publish(struct store *s, const struct store_bmc *snap);
/* Remove the BMC with this index (config reload).  Any thread.  0 / -1. */
int store_remove(struct store *s, uint32_t index);
/*
 * Reader thread: apply every pending publication and removal, in order per
 * publishing thread.  Returns how many were applied.  O(k log n) plus the
 * moves of inserted/removed entries.
 */
size_t store_apply(struct store *s);

/* Reader thread only.  Snapshots sorted by index. */
size_t store_count(const struct store *s);
const struct store_bmc *store_at(const struct store *s, size_t pos); /* NULL past the end */
const struct store_bmc *store_find(const struct store *s, uint32_t index);
size_t store_lower_bound(const struct store *s, uint32_t index); /* position, count: none */
/*
 * Reader thread: `cb` sees every snapshot store_apply() puts in, with the
 * one it replaces (NULL for a new BMC), both valid during the call.  What a
 * notification says is the difference (agent/events.c).  The callback must
 * not call the store (the array is being updated).  NULL: none.
 */
typedef void (*store_observer_cb)(void *arg, const struct store_bmc *old,
                                  const struct store_bmc *snap);
void store_set_observer(struct store *s, store_observer_cb cb, void *arg);

/* Increases with every store_apply() that changed something (cache key for views). */
uint64_t store_generation(const struct store *s);
/*
 * Increases only when a BMC joins or leaves the store or its address
 * changes: the cache key for views indexed by BMC address (the PET
 * listener's sender lookup), which a poll's new snapshot does not touch.
 */
uint64_t store_roster_generation(const struct store *s);

/*
 * A copy of `prev` (sharing its parts) whose control columns are `c` (its
 * texts copied).  For the control path: an action's outcome shows at once,
 * not at the next poll.  One reference (the caller's); NULL when memory is
 * short.
 */
const struct store_bmc *store_bmc_with_control(const struct store_bmc *prev,
                                               const struct store_control *c);

/* ---- building (snap_build.c; the only caller of the codecs' text functions) ------- */

struct bmc_data;

struct snap_opts {
    uint32_t bmc_index;
    uint64_t wall_s, mono_ns; /* when the poll completed; 0: now */
    bool set_state;           /* the scheduler's state (e.g. STORE_ST_DEGRADED) ... */
    uint8_t state;            /* ... instead of the one bmc_data.err gives */
    const char *error;        /* the scheduler's error text instead of bmc_data's; NULL: none */
    /* name and address when bmc_data.b is NULL (a BMC whose address does not
     * resolve has no session: its snapshot has no counters, no cipher suite) */
    const char *name, *address;
    const struct store_control *control; /* copied into the snapshot; NULL: none */
};

/*
 * Use from a scheduler (on the thread that owns `d`, after each poll):
 *   snap = snap_build(d, &(struct snap_opts){.bmc_index = idx}, last[idx]);
 *   store_bmc_unref(last[idx]); last[idx] = snap;      keep one to share parts
 *   store_publish(store, store_bmc_ref(snap));          the store's reference
 * and on the agent thread, when store_fd() is readable: store_apply(store).
 * The builder relies on two fields of struct bmc_data: `sdr_gen` (bump it
 * whenever `set` is rebuilt) and `sensors_mono_ns` (set when a sweep ends).
 * Once a snapshot holds the FRU part, the FRU reader (`frur`, about 10 KB of
 * results per FRU device) may be freed until the next FRU read: the part is
 * shared as long as `fru_read_ns` stays the same.
 *
 * A new snapshot of what `d` holds now.  Parts that did not change since
 * `prev` (may be NULL; same BMC) are shared with it.  Returns a snapshot
 * with one reference (the caller's), or NULL when memory is short.
 */
const struct store_bmc *snap_build(const struct bmc_data *d, const struct snap_opts *o,
                                   const struct store_bmc *prev);

/* The info reader's results as the snapshot holds them (texts formed here);
 * snap_build() calls it for the header. */
struct bmc_info;
void snap_fill_info(struct store_info *o, const struct bmc_info *i);
/* 10^e, the same double as pow(10.0, e), from a table for -8 <= e <= 7. */
double snap_pow10(int e);

#endif
