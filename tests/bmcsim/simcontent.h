/*
 * simcontent.h - what a simulated BMC knows: its profile (sensors with SDRs,
 * FRU images, device identity) and its per-BMC state (SEL, sensor
 * overrides).  Bytes only: no sockets, no clocks (the caller passes the time).
 *
 * The profile is shared, immutable and loaded once.  A BMC's state is small
 * (aim: a few KB) so that 10,000+ BMCs fit in one process.  Sensor values
 * drift deterministically from (seed, BMC index, sensor, time).
 */
#ifndef BMCSIM_SIMCONTENT_H
#define BMCSIM_SIMCONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_profile;
struct sim_state;

/* Load a profile file, or the built-in default (~50 sensors) when path is NULL. */
struct sim_profile *sim_profile_load(const char *path, char *err, size_t errlen);
void sim_profile_free(struct sim_profile *p);
size_t sim_profile_sensor_count(const struct sim_profile *p);

/* Per-BMC state.  sim_state_new() returns a zeroed, initialised state. */
struct sim_state *sim_state_new(const struct sim_profile *p, uint32_t bmc_index, uint64_t seed);
void sim_state_free(struct sim_state *s);
size_t sim_state_bytes(const struct sim_state *s); /* memory held, for the benchmark */

/* A new SEL event, handed back so the network side can send a PET. */
struct sim_event {
    uint16_t record_id;
    uint8_t record[16]; /* the 16-byte SEL record as stored */
};

/*
 * Handle one IPMI request addressed to the BMC (LUN 0).  `now_s` is the
 * simulator's clock in seconds (monotonic since start).  Writes the response
 * data into rsp, starting with the completion code, and returns its length
 * (>= 1).  Unknown commands answer C1h.  If the request creates SEL entries
 * (e.g. a drift crossing a threshold is noticed) up to `max_events` are
 * returned in `events` with their count in *nevents.
 */
size_t sim_handle(struct sim_state *s, const struct sim_profile *p, uint64_t now_s, uint8_t netfn,
                  uint8_t cmd, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
                  struct sim_event *events, size_t max_events, size_t *nevents);

/*
 * Advance sensor drift to `now_s`; threshold crossings append SEL entries
 * (returned like sim_handle's).  Cheap when nothing changed.
 */
size_t sim_tick(struct sim_state *s, const struct sim_profile *p, uint64_t now_s,
                struct sim_event *events, size_t max_events);

/*
 * Runtime control (bmcsim-ctl).  Return 0, or -1 with a message in err.
 * sim_set_sensor: the sensor by ID string (case and spaces ignored; a shared
 * record's sensors are "DIMM1".."DIMM4") or by number ("0x60", "96").  A
 * threshold sensor takes a value in its engineering units and keeps it until
 * value is NAN, which resumes the drift; a discrete sensor takes its new
 * state bits (NAN: the profile's initial states).  Crossings and state
 * changes are logged to the SEL and returned like sim_handle's.
 */
int sim_set_sensor(struct sim_state *s, const struct sim_profile *p, const char *name_or_number,
                   double value, uint64_t now_s, struct sim_event *events, size_t max_events,
                   size_t *nevents, char *err, size_t errlen);
/* Append a SEL entry (sensor type/number/event type/offset/data) as if the BMC logged it. */
int sim_inject_event(struct sim_state *s, const struct sim_profile *p, uint64_t now_s,
                     uint8_t sensor_type, uint8_t sensor_number, uint8_t event_type_dir,
                     const uint8_t data[3], struct sim_event *ev, char *err, size_t errlen);

/* Counters of content-level requests (by netfn/cmd) for the control socket's dump. */
struct sim_content_counters {
    uint64_t get_sdr, get_sensor_reading, read_fru, get_sel_entry, other;
    /* chassis control (also counted in `other`) */
    uint64_t chassis_control, identify, set_boot_options, boot_flags_writes;
};
void sim_content_counters(const struct sim_state *s, struct sim_content_counters *out);

/* Chassis state for dumps and tests: power (1 on), identify (0 off, 1
 * timed, 2 forced) and the five boot flag bytes (parameter 5). */
void sim_chassis_state(struct sim_state *s, uint64_t now_s, int *power_on, int *identify,
                       uint8_t boot_flags[5]);

/* Device identity used in Get Device ID / Get System GUID (unique per BMC). */
void sim_guid(const struct sim_state *s, uint8_t guid[16]);

/* --- additions (content side) --- */

/* Set the BMC's SEL clock: at simulator time now_s it reads unix_time.
 * Until then it reads the profile's sel_epoch at time 0.  (Set SEL Time
 * does the same from the wire.) */
void sim_set_sel_time(struct sim_state *s, uint64_t now_s, uint32_t unix_time);
/* Records in the BMC's SEL. */
size_t sim_sel_count(const struct sim_state *s);
/* The text the built-in default profile is parsed from (default.profile). */
const char *sim_default_profile_text(void);

#endif
