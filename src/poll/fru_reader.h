/*
 * fru_reader.h - read FRU inventories from one BMC, asynchronously, through
 * the poller's request queue (bmc_request), and parse them (fru.h).
 *
 * Driving it:
 *   struct fru_reader *r = fru_reader_new();      one per BMC, or a few shared
 *   fru_reader_start(r, b, &params, done, arg);   FRU 0 + the FRU locator SDRs' devices
 *   ... the event loop runs; requests go out one after another ...
 *   done(b, arg, r) runs once; fru_reader_result(r, i) for each device
 *   (valid until the next start or free; copy what you keep).
 *   fru_reader_free(r): safe at any time, also while a read is in flight or
 *   from inside `done` (the memory goes when the last callback returns).
 *
 * Per device: Get FRU Inventory Area Info, then Read FRU Data in chunks
 * (first `chunk` bytes; shrunk on completion codes C7h/C8h/CAh; offsets and
 * counts in words for word-access devices; 81h "FRU device busy" retried
 * after a doubling backoff, at most `busy_retries` times).  Only the bytes
 * the areas span are fetched (fru_needed_len()), not the whole inventory
 * area.  A device that stops answering after the common header keeps what
 * was read (status FRU_READ_PARTIAL), as OpenIPMI and ipmitool do.
 *
 * The per-device state machine (struct fru_fetch) has no I/O in it; the
 * unit tests drive it directly.
 */
#ifndef IPMI_BRIDGE_FRU_READER_H
#define IPMI_BRIDGE_FRU_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bmc.h"
#include "fru.h"

struct ev_loop;

#define FRU_NAME_MAX 33 /* an SDR ID string decodes to at most 32 characters */

/* One FRU device: 0 for the BMC's own, or a logical FRU locator SDR's (11h). */
struct fru_device {
    uint8_t id;
    char name[FRU_NAME_MAX];
};

struct fru_reader_params {
    const struct fru_device *devices; /* copied by fru_reader_start() */
    size_t ndevices;
    uint8_t chunk;            /* first Read FRU Data count in bytes (default 32) */
    uint8_t busy_retries;     /* 81h retries per request (default 5) */
    uint32_t busy_backoff_ms; /* first 81h backoff, doubled per retry (default 20) */
    uint32_t max_image;       /* bytes read per device at most (default 8192) */
    struct ev_loop *loop;     /* for the backoff timer; NULL: retry at once */
};
void fru_reader_params_default(struct fru_reader_params *p);

enum fru_read_status {
    FRU_READ_OK = 0,  /* read and parsed */
    FRU_READ_PARTIAL, /* the device stopped answering: what was read is parsed */
    FRU_READ_BAD,     /* read, but the common header is unusable (see codec_err) */
    FRU_READ_ABSENT,  /* no FRU data: CBh for the area info, or an empty area */
    FRU_READ_FAILED,  /* no usable data: see bmc_err / cc / codec_err */
};
const char *fru_read_status_name(uint8_t s);

struct fru_result {
    uint8_t id;
    char name[FRU_NAME_MAX];
    uint8_t status;           /* enum fru_read_status */
    enum bmc_error bmc_err;   /* transport failure, BMC_E_NONE otherwise */
    uint8_t cc;               /* the completion code that ended the read, 0 if none */
    uint8_t failed_cmd;       /* FRU_CMD_* of that failure */
    enum codec_err codec_err; /* a response or the header did not decode */
    uint16_t area_size;       /* from Get FRU Inventory Area Info */
    bool word_access;
    uint32_t requests; /* requests sent for this device, retries included */
    uint8_t *image;    /* bytes read (owned by the reader) */
    size_t image_len;
    bool parsed; /* inv is valid */
    struct fru_inventory inv;
};

struct fru_reader;
typedef void (*fru_reader_done_cb)(struct bmc *b, void *arg, struct fru_reader *r);

struct fru_reader *fru_reader_new(void);
/*
 * Drop the results of the last read (about 10 KB per device: the parsed
 * inventory and the image), e.g. once a store snapshot holds them; the
 * count becomes 0.  No-op while busy or for NULL.
 */
void fru_reader_trim(struct fru_reader *r);
/* NULL is a no-op.  While busy, the reader is freed when its request returns. */
void fru_reader_free(struct fru_reader *r);
/*
 * Start reading every device of `p`.  Returns 0, or -1 when busy, when
 * there are no devices or memory is short (done is not called then).
 */
int fru_reader_start(struct fru_reader *r, struct bmc *b, const struct fru_reader_params *p,
                     fru_reader_done_cb done, void *arg);
bool fru_reader_busy(const struct fru_reader *r);
size_t fru_reader_count(const struct fru_reader *r);
const struct fru_result *fru_reader_result(const struct fru_reader *r, size_t i);

/* ---- the state machine of one device (no I/O; tests drive it) ------------ */

enum fru_act {
    FRU_ACT_SEND = 0, /* send fru_fetch_request() */
    FRU_ACT_BACKOFF,  /* wait fru_fetch_backoff_ms(), then send */
    FRU_ACT_DONE,     /* finished: see status */
};

enum fru_phase { FRU_PH_INFO = 0, FRU_PH_DATA, FRU_PH_DONE };

struct fru_fetch {
    uint8_t id;
    uint8_t phase;      /* enum fru_phase */
    uint8_t status;     /* enum fru_read_status, when done */
    uint8_t chunk;      /* bytes asked per Read FRU Data (even for word access) */
    uint8_t asked;      /* bytes asked by the request in flight */
    uint8_t busy_left;  /* 81h retries left for the current request */
    uint8_t busy_count; /* consecutive 81h answers */
    uint8_t cc, failed_cmd;
    enum codec_err codec_err;
    bool word;
    uint16_t area_size;
    uint32_t have;  /* bytes in buf */
    uint32_t want;  /* bytes needed so far (fru_needed_len) */
    uint32_t total; /* bytes we may read: the area size, at most cap */
    uint32_t cap;   /* capacity of buf */
    uint8_t *buf;
    uint8_t busy_retries;
    uint32_t requests;
};

void fru_fetch_init(struct fru_fetch *f, uint8_t id, uint8_t *buf, uint32_t cap, uint8_t chunk,
                    uint8_t busy_retries);
/* The request to send now: *cmd (FRU_CMD_*) and its data; returns the data length. */
size_t fru_fetch_request(const struct fru_fetch *f, uint8_t *cmd, uint8_t data[4]);
/* A response to that request: completion code and the data after it. */
enum fru_act fru_fetch_on_rsp(struct fru_fetch *f, uint8_t cc, const uint8_t *d, size_t len);
/* The request could not be sent or got no answer. */
enum fru_act fru_fetch_on_error(struct fru_fetch *f);
/* Backoff before retrying after 81h: base doubled per consecutive busy answer, max 1 s. */
uint32_t fru_fetch_backoff_ms(const struct fru_fetch *f, uint32_t base_ms);

#endif
