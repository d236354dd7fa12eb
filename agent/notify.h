/*
 * notify.h - the bridge's SNMPv2 notifications (IPMI-BRIDGE-MIB
 * ipmiBridgeNotifications), sent to the master agent as AgentX Notify PDUs
 * (Net-SNMP's send_v2trap) on the agent's thread.  The master (snmpd) turns
 * them into traps or informs for its trap2sink / informsink / trapsess
 * destinations.
 *
 * Notifications are views of the store: the caller hands over the BMC's
 * snapshot (for ipmiBmcName and ipmiBmcAddress, instance ipmiBmcIndex) and
 * the event's texts, formed once elsewhere (pet_describe() for a PET, the
 * snapshot builder for a SEL entry).
 *
 * Storm control: at most `per_bmc` notifications per BMC and `global` in all
 * per `interval_s` seconds (0: unlimited).  What is held back is counted and
 * summarised, once per interval in which something was held back, by one
 * ipmiNotificationsSuppressed notification (the count and the interval),
 * which is itself never suppressed.
 */
#ifndef IPMI_BRIDGE_NOTIFY_H
#define IPMI_BRIDGE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct store_bmc;
struct notify;

struct notify_opts {
    bool platform_event; /* notify-platform-event (default on) */
    bool sensor_status;  /* notify-sensor-status (default on) */
    bool bmc_state;      /* notify-bmc-state (default on) */
    unsigned per_bmc;    /* notify-rate-per-bmc: per interval per BMC; 0 unlimited */
    unsigned global;     /* notify-rate-global: per interval in all; 0 unlimited */
    unsigned interval_s; /* notify-rate-interval; 0: 10 */
};

enum notify_source { NOTIFY_SRC_PET = 1, NOTIFY_SRC_SEL = 2 }; /* ipmiEventSource */

/* One platform event.  Texts may be NULL or "" (the varbind is left out). */
struct notify_event {
    enum notify_source source;
    bool has_record_id;
    uint16_t record_id;
    bool has_time;
    int64_t utc_time; /* Unix time of the event */
    int severity;     /* IpmiSeverity 1..4; 0 unknown (left out) */
    const char *sensor_type;
    uint8_t sensor_number;
    const char *sensor_name;
    uint8_t event_type;
    bool deassertion;
    const char *text;
    const char *reading;
    const uint8_t *data;
    size_t data_len; /* <= 16 */
};

/* Counters (the agent's ipmiBridgeNotificationsSent is `sent`). */
struct notify_stats {
    uint64_t sent;       /* notifications handed to the master */
    uint64_t suppressed; /* held back by the rate limits (summarised) */
    uint64_t disabled;   /* of a kind switched off */
    uint64_t failed;     /* send_v2trap could not build the PDU */
};

/* NULL when memory is short.  `sent` (may be NULL) is also incremented for
 * every notification sent (the agent's counters). */
struct notify *notify_new(struct ev_loop *loop, const struct notify_opts *o, uint64_t *sent);
void notify_free(struct notify *n);

/* 1 sent, 0 suppressed or switched off, -1 failed. */
int notify_platform_event(struct notify *n, const struct store_bmc *b,
                          const struct notify_event *e);

/* ipmiSensorStatusChange: `now` is the sensor's row in `b`, `old` the same
 * sensor in the previous snapshot.  1 / 0 / -1 as above. */
struct store_sensor;
int notify_sensor_status(struct notify *n, const struct store_bmc *b,
                         const struct store_sensor *old, const struct store_sensor *now);
/* ipmiBmcStateChange: from `old_state` (enum store_state) to b->state. */
int notify_bmc_state(struct notify *n, const struct store_bmc *b, uint8_t old_state);

/* Fill an events_sink (events.h) whose callbacks send through `n`. */
struct events_sink;
void notify_events_sink(struct notify *n, struct events_sink *out);

void notify_get_stats(const struct notify *n, struct notify_stats *out);

#endif
