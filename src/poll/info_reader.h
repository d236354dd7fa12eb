/*
 * info_reader.h - read the slow-changing facts of one BMC: power-on hours,
 * the SEL clock (and its offset from ours), the LAN configuration of the
 * channel in use, and the DCMI power reading.  A BMC that lacks one gets
 * "not supported" for it (its completion code is kept), never an error.
 * The state is caller-owned (in struct bmc_data); a read allocates nothing.
 */
#ifndef IPMI_BRIDGE_INFO_READER_H
#define IPMI_BRIDGE_INFO_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "bmc.h"

enum info_status {
    INFO_NOT_READ = 0,
    INFO_OK,
    INFO_UNSUPPORTED, /* answered with a completion code: the BMC lacks it */
    INFO_FAILED,      /* no answer, or an answer that did not decode */
    INFO_NOT_SET,     /* SEL time only: the clock counts from BMC init (never set) */
};
const char *info_status_name(uint8_t s);

struct bmc_info {
    uint8_t poh_st, sel_time_st, lan_st, dcmi_st; /* enum info_status */
    uint8_t poh_cc, sel_time_cc, lan_cc, dcmi_cc;
    /* Get POH Counter */
    uint8_t poh_minutes_per_count;
    uint32_t poh_counter;
    uint64_t poh_hours; /* counter * minutes per count / 60, as ipmitool shows it */
    /* Get SEL Time: the BMC's clock minus ours, when it was read */
    uint32_t sel_time;
    int64_t clock_offset_s;
    /* LAN configuration of the channel in use */
    uint8_t lan_channel;
    bool have_ip, have_ip_source, have_mac, have_netmask, have_gateway, have_vlan;
    uint8_t ip[4], netmask[4], gateway[4], mac[6];
    uint8_t ip_source;
    uint16_t vlan_id;
    bool vlan_enabled;
    /* DCMI power reading (system power statistics) */
    uint16_t watts_current, watts_min, watts_max, watts_avg;
    uint32_t power_period_ms;
    bool power_active;
};

typedef void (*info_done_cb)(struct bmc *b, void *arg);

struct info_read {
    struct bmc *b;
    struct bmc_info *out;
    info_done_cb done;
    void *arg;
    uint8_t step;
    uint8_t lan_idx;
    bool busy;
};

/* Read everything once into *out; `done` runs when the last answer is in
 * (or a request could not be queued).  Returns 0, or -1 if busy (done is
 * not called then). */
int info_read_start(struct info_read *r, struct bmc *b, struct bmc_info *out, info_done_cb done,
                    void *arg);

#endif
