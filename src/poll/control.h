/*
 * control.h - chassis control on a BMC's session: power, identify and the
 * boot device (IPMI-BRIDGE-MIB's writable ipmiBmcTable columns), and the
 * read-back of their current state.
 *
 * One control set per poller keeps, per BMC, the action in flight (at most
 * one) and the record of the last one (what, when, how it ended), which the
 * store and the MIB show as ipmiBmcLastControl / ipmiBmcLastControlResult.
 *
 * Safety: nothing is sent unless the BMC's config says allow-control =
 * true, its session privilege is OPERATOR or higher, and the BMC is not
 * known to be down.  Every action, refused or not, is logged once with the
 * BMC, the action, the requester and the result.
 */
#ifndef IPMI_BRIDGE_CONTROL_H
#define IPMI_BRIDGE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "chassis_ctl.h"

struct bmc;
struct poller;
struct control_set;

/* What to do. */
enum control_kind {
    CONTROL_POWER = 1, /* value: enum ctl_power */
    CONTROL_IDENTIFY,  /* value: enum ctl_identify; seconds for CTL_IDENTIFY_ON */
    CONTROL_BOOT,      /* boot: device, persistence and mode */
    CONTROL_KIND__MAX = CONTROL_BOOT
};
const char *control_kind_name(unsigned k); /* "power", "identify", "boot" */

struct control_req {
    enum control_kind kind;
    unsigned value;        /* POWER, IDENTIFY */
    unsigned seconds;      /* IDENTIFY on: 1-255 (0: the BMC's default, 15 s) */
    struct ctl_boot boot;  /* BOOT: device, persist, mode */
    const char *requester; /* who asked (e.g. the SNMP security name); copied, logged */
    uint32_t timeout_ms;   /* total budget; the result comes within it (0: 5000) */
};

/*
 * How an action ended.  The agent maps them to SNMP errors: DISABLED and
 * PRIVILEGE to noAccess, BAD_VALUE to wrongValue, REFUSED to commitFailed,
 * UNAVAILABLE / BUSY / TIMEOUT to resourceUnavailable.
 */
enum control_status {
    CONTROL_OK = 0,
    CONTROL_E_DISABLED,    /* allow-control is not set for this BMC */
    CONTROL_E_PRIVILEGE,   /* session privilege below OPERATOR (config or the BMC's D4h) */
    CONTROL_E_BAD_VALUE,   /* the request itself is invalid */
    CONTROL_E_UNAVAILABLE, /* the BMC is down or has no usable session */
    CONTROL_E_BUSY,        /* another control of this BMC is in flight, or the BMC is busy */
    CONTROL_E_REFUSED,     /* the BMC answered with an error completion code */
    CONTROL_E_TIMEOUT,     /* no answer within the budget */
    CONTROL_STATUS__COUNT
};
/* One word for logs and tests: "ok", "disabled", "privilege", ... */
const char *control_status_word(enum control_status s);

struct control_result {
    enum control_status status;
    uint8_t cc;     /* the completion code when REFUSED (or privilege from the BMC) */
    char text[256]; /* one line: how it ended and why */
};

/* The record of the last action on a BMC. */
struct control_record {
    bool valid;             /* an action has been asked for */
    bool in_progress;       /* not ended yet */
    struct control_req req;    /* req.requester is NULL: the text is `requester` */
    char requester[64];
    char action[64];         /* "powerOff", "identify on 30 s", "boot pxe once uefi" */
    struct timespec started; /* wall time (CLOCK_REALTIME) */
    struct timespec ended;
    struct control_result result;
};

typedef void (*control_done_cb)(struct bmc *b, void *arg, const struct control_result *res);

struct control_set *control_set_new(struct poller *p);
/* Stops all timers; actions still in flight are abandoned (no callback).
 * Call after the poller's sessions are closed.  NULL is a no-op. */
void control_set_free(struct control_set *cs);

/*
 * Start an action on `b`.  Returns CONTROL_OK when it was started: `cb`
 * then runs exactly once, within req->timeout_ms.  Any other value means it
 * was refused at once (disabled, privilege, bad value, BMC down, busy):
 * nothing was or will be sent and `cb` is never called; `now` (may be
 * NULL) gets the result.  Both ways the action is logged once and becomes
 * the BMC's last control record.
 */
enum control_status control_start(struct control_set *cs, struct bmc *b,
                                  const struct control_req *req, control_done_cb cb, void *arg,
                                  struct control_result *now);

/* The BMC's last control record (valid == false if none); never NULL. */
const struct control_record *control_last(const struct control_set *cs, const struct bmc *b);
/* The last action of one kind (for the MIB's fallback read-back); never NULL. */
const struct control_record *control_last_of(const struct control_set *cs, const struct bmc *b,
                                             enum control_kind kind);

/* ---- read-back ------------------------------------------------------------ */

enum control_source {
    CONTROL_SRC_UNKNOWN = 0, /* neither the BMC nor a previous action tells */
    CONTROL_SRC_BMC,         /* as the BMC reports it */
    CONTROL_SRC_LAST_ACTION, /* the BMC does not tell: the last action taken */
};

struct control_state {
    uint8_t power_src, identify_src, boot_src; /* enum control_source */
    bool power_on;
    uint8_t identify; /* enum ctl_identify */
    struct ctl_boot boot;
};
typedef void (*control_state_cb)(struct bmc *b, void *arg, const struct control_state *st);

/*
 * Read the current states: Get Chassis Status (power, identify when the BMC
 * reports it) and Get System Boot Options parameter 5; what the BMC does not
 * tell comes from the last action of that kind.  `cb` runs exactly once.
 * Returns 0, or -1 when nothing could be queued (cb not called).
 */
int control_read_state(struct control_set *cs, struct bmc *b, control_state_cb cb, void *arg);

/* Text of an action ("powerOff", "identify on 30 s", ...); for logs and records. */
void control_req_describe(const struct control_req *req, char *buf, size_t len);

#endif
