/*
 * sdr_share.h - identical SDR repositories held once.
 *
 * Fleets are homogeneous: 10,000 BMCs of one model carry the same SDR
 * records.  sdr_share_intern() looks a freshly read repository's records up
 * by their content (a 64-bit FNV-1a hash, then a byte comparison), makes
 * the repository point at the one shared copy (freeing its own) and hands
 * out the sensor set built once from that content.  The per-BMC parts of a
 * repository (GUID, timestamps) stay per BMC; so do the readings.
 *
 * Shared contents are reference-counted: each repository that points at
 * one holds a reference, dropped by sdr_repo_free().  The table is
 * process-wide and guarded by a mutex: it is touched only when a
 * repository is read or dropped (start-up, SDR changes), never per reading.
 * The store's snapshots point at a shared content's sensor records (for
 * PET and SEL texts) and hold a reference of their own (sdr_share_hold).
 */
#ifndef IPMI_BRIDGE_SDR_SHARE_H
#define IPMI_BRIDGE_SDR_SHARE_H

#include <stddef.h>
#include <stdint.h>

struct sdr_repo;
struct sensor_set;
struct sdr_content;

/*
 * Share `r`'s records and return the sensor set of that content (built now
 * if `r` is the first of its kind; `label` names the BMC in the log lines
 * of the build).  The set lives as long as `r`.  NULL when memory is short:
 * `r` is then unchanged and the caller builds a set of its own.
 */
typedef struct sensor_set *(*sdr_share_build_fn)(const struct sdr_repo *r, const char *label);
typedef void (*sdr_share_free_fn)(struct sensor_set *set);
/* `build` and `release` are sensor_set_build and sensor_set_free (passed in,
 * so that this module links without the sensor engine). */
const struct sensor_set *sdr_share_intern(struct sdr_repo *r, const char *label,
                                          sdr_share_build_fn build, sdr_share_free_fn release);
/* Drop one reference (sdr_repo_free() calls this). */
void sdr_share_release(struct sdr_content *c);
/*
 * A reference that is not a repository's (not counted in the stats' refs):
 * a store part that points into the content's sensor set instead of copying
 * its records holds one, dropped with sdr_share_unhold() when the part goes
 * (any thread).  Returns c; NULL is a no-op.
 */
struct sdr_content *sdr_share_hold(struct sdr_content *c);
void sdr_share_unhold(struct sdr_content *c);

struct sdr_share_stats {
    size_t contents; /* distinct repositories held */
    size_t refs;     /* repositories pointing at them */
    size_t bytes;    /* record bytes held once */
};
void sdr_share_stats(struct sdr_share_stats *out);

#endif
