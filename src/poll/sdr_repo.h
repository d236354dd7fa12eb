/*
 * sdr_repo.h - a BMC's SDR repository as raw records: read over the wire
 * once (Reserve SDR Repository + partial Get SDR reads), re-read only when
 * the repository's addition/erase timestamps change, and cached on disk
 * so a restart does not re-read thousands of repositories.  A cache file
 * is keyed by the configured BMC name and address and the GUID the BMC
 * reports (see sdr_cache_key), and the cache directory is used only when
 * nobody but our user or root can write to it.
 *
 * A repository, once built, is immutable and may be shared by readers.
 */
#ifndef IPMI_BRIDGE_SDR_REPO_H
#define IPMI_BRIDGE_SDR_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bmc;
struct sdr_content;

#define SDR_REPO_MAX_RECORDS 4096
#define SDR_CACHE_KEY_LEN    32

struct sdr_repo {
    uint8_t guid[16];
    bool have_guid;
    uint32_t add_ts, erase_ts; /* from Get SDR Repository Info */
    uint16_t nrecords;
    size_t len;
    uint8_t *data;    /* records back to back: 5-byte header + body */
    uint32_t *offset; /* nrecords entries into data */
    /* non-NULL: data and offset belong to a content shared with every BMC
     * whose repository is identical (sdr_share.h); never written */
    struct sdr_content *shared;
};

/* Record i (header included) and its length. */
static inline const uint8_t *sdr_repo_record(const struct sdr_repo *r, size_t i, size_t *len)
{
    *len = (size_t)r->data[r->offset[i] + 4] + 5;
    return r->data + r->offset[i];
}
void sdr_repo_free(struct sdr_repo *r); /* NULL is a no-op */

/* How the fetch went, for counters and logs. */
struct sdr_fetch_stats {
    uint32_t get_sdr_requests;
    uint32_t reservations;
    uint32_t chunk_shrinks;
    bool unchanged;     /* timestamps equal to `current`: nothing read */
    bool from_cache;    /* loaded from the disk cache */
    bool cache_refused; /* the cache directory is group/world-writable or not ours: unused */
};

/*
 * done: on success `repo` is a new repository (caller owns it), or NULL
 * with stats->unchanged when `current` is still valid.  On failure `err`
 * is non-zero and `errtext` says what happened (names the BMC).  A record
 * chain that comes back to an ID already read fails the read ("record
 * chain loops at ID xxxxh"); `current` is then still the caller's.
 */
typedef void (*sdr_repo_done_cb)(struct bmc *b, void *arg, int err, const char *errtext,
                                 struct sdr_repo *repo, const struct sdr_fetch_stats *stats);

/*
 * Start fetching.  `guid` may be NULL (no cache then).  `cache_dir` may be
 * NULL or "" (no cache).  Returns 0, or -1 if it could not start (cb not
 * called).
 */
int sdr_repo_fetch(struct bmc *b, const uint8_t *guid, const char *cache_dir,
                   const struct sdr_repo *current, sdr_repo_done_cb cb, void *arg);

/* Cache file helpers (exposed for tests). */
/* The key of a BMC's cache file: SHA-256 over its configured name and
 * address ("host:port") and the GUID it reports.  0, or -1 on failure. */
int sdr_cache_key(const char *name, const char *address, const uint8_t guid[16],
                  uint8_t key[SDR_CACHE_KEY_LEN]);
int sdr_cache_path(const char *dir, const uint8_t key[SDR_CACHE_KEY_LEN], char *out, size_t len);
/* 0 when `dir` may be used (or does not exist yet); -1 with `err` when it is
 * refused: not ours or root's, group- or world-writable, or unusable. */
int sdr_cache_dir_check(const char *dir, char *err, size_t errlen);
/* Writes a new file (O_EXCL|O_NOFOLLOW, mode 0600) and renames it into place. */
int sdr_cache_save(const char *dir, const uint8_t key[SDR_CACHE_KEY_LEN], const struct sdr_repo *r,
                   char *err, size_t errlen);
/* Returns a repository if the file exists, is ours, verifies, holds `key`
 * and matches the GUID and the timestamps. */
struct sdr_repo *sdr_cache_load(const char *dir, const uint8_t key[SDR_CACHE_KEY_LEN],
                                const uint8_t guid[16], uint32_t add_ts, uint32_t erase_ts,
                                char *err, size_t errlen);

#endif
