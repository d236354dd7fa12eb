/*
 * bmc_read.h - the steps of reading one BMC that `--once` and the daemon's
 * scheduler share: decoding the identity answers (Get Device ID, Get System
 * GUID, Get Chassis Status) into struct bmc_data, taking a new SDR
 * repository (rebuilding the sensor set), the FRU device list, and freeing
 * what was read.  Callers own the sequencing; these own the meaning.
 */
#ifndef IPMI_BRIDGE_BMC_READ_H
#define IPMI_BRIDGE_BMC_READ_H

#include <stddef.h>

#include "bmc_data.h"

struct cfg;

/* The engine options of a configuration (defaults, then the configured
 * timeout, retries, session budget, idle re-open, in-flight bound, sockets
 * and their receive buffer size). */
void bmc_read_poller_opts(const struct cfg *cfg, struct poller_opts *po);

/* The identity request of `step` (STEP_DEVID, STEP_GUID or STEP_CHASSIS). */
void bmc_read_ident_cmd(enum read_step step, uint8_t *netfn, uint8_t *cmd);

/*
 * Decode the answer of identity step `step` into `o`.  Returns 0, or -1
 * when the BMC cannot be read further (Get Device ID failed): `text` then
 * names the BMC and the reason.  A missing GUID or chassis status is logged
 * (info) and is no error.  rsp->err must be BMC_E_NONE.
 */
int bmc_read_ident(struct bmc_data *o, enum read_step step, const struct bmc_rsp *rsp, char *text,
                   size_t textlen);

/*
 * Take a repository from sdr_repo_fetch(): a new one replaces the old one
 * and the sensor set is rebuilt (thresholds are read again on the next
 * sweep).  Returns 0, or -1 when memory is short (o->sdr_err says so, and
 * the BMC then has no sensor set).
 */
int bmc_read_take_repo(struct bmc_data *o, struct sdr_repo *repo);

/* FRU devices to read: the built-in FRU 0 and the BMC's logical FRU locators. */
size_t bmc_read_fru_devices(const struct bmc_data *o, struct fru_device *dev, size_t cap);

/* Free everything read (repository, sensor set, readers, SEL ring); `o->b` stays. */
void bmc_read_clear(struct bmc_data *o);

#endif
