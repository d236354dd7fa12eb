/*
 * sdr_repo.c - reading and caching SDR repositories (IPMI 2.0 section 33).
 *
 * Get SDR Repository Info (33.9) gives the most-recent-addition and
 * most-recent-erase timestamps; the repository is re-read only when they
 * differ from what we hold.  Get SDR (33.12) is read in partial chunks:
 * the 5-byte record header first, then the body, shrinking the chunk on
 * CAh/FFh ("cannot return the requested number of bytes") and
 * re-reserving on C5h ("reservation cancelled").
 */
#include "sdr_repo.h"
#include "sdr_share.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "atomic_file.h"
#include "bmc.h"
#include "ev.h"
#include "ipmi_msg.h"
#include "log.h"
#include "sdr.h"

#define SDR_CMD_GET_REPO_INFO 0x20
#define SDR_CMD_RESERVE       0x22
#define SDR_CMD_GET           0x23
#define SDR_FIRST_CHUNK       32
#define SDR_MIN_CHUNK         4
#define SDR_MAX_RESERVES      16
#define SDR_CACHE_MAGIC       "IPMISDR2"
#define SDR_CACHE_HDR         72 /* magic 8, key 32, guid 16, add 4, erase 4, count 4, length 4 */
#define SDR_ID_BITMAP         (65536 / 8) /* one bit per 16-bit record ID */
#define SDR_CACHE_LOG_NS      (60ULL * 1000000000ULL)

enum fetch_state { F_INFO, F_RESERVE, F_GET };

struct fetch {
    struct bmc *b;
    sdr_repo_done_cb cb;
    void *arg;
    char cache_dir[512];
    uint8_t guid[16];
    uint8_t key[SDR_CACHE_KEY_LEN]; /* the cache file's key: BMC name, address, GUID */
    bool have_guid;
    bool have_current;
    uint32_t cur_add, cur_erase;
    struct sdr_fetch_stats st;
    enum fetch_state state;
    uint32_t add_ts, erase_ts;
    uint16_t resv;
    uint16_t rec_id;
    uint8_t rec[SDR_RECORD_MAX];
    size_t rec_have, rec_need;
    uint8_t chunk;
    bool restarted;
    uint8_t *data;
    size_t len, cap;
    uint32_t *off;
    size_t n, offcap;
    uint8_t visited[SDR_ID_BITMAP]; /* record IDs asked for in this read */
};

/* one refused-directory line a minute for all BMCs (per poller thread) */
static _Thread_local struct log_rl cache_dir_rl;

void sdr_repo_free(struct sdr_repo *r)
{
    if (!r)
        return;
    if (r->shared) {
        sdr_share_release(r->shared);
    } else {
        free(r->data);
        free(r->offset);
    }
    free(r);
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- finishing ------------------------------------------------------------ */

static void fetch_free(struct fetch *f)
{
    free(f->data);
    free(f->off);
    free(f);
}

__attribute__((format(printf, 2, 3))) static void fetch_fail(struct fetch *f, const char *fmt, ...)
{
    char msg[256], text[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(text, sizeof(text), "BMC %s (%s): SDR repository: %s", bmc_name(f->b),
             bmc_address(f->b), msg);
    f->cb(f->b, f->arg, -1, text, NULL, &f->st);
    fetch_free(f);
}

static struct sdr_repo *repo_from(const uint8_t *guid, bool have_guid, uint32_t add_ts,
                                  uint32_t erase_ts, uint8_t *data, size_t len, uint32_t *off,
                                  size_t n)
{
    struct sdr_repo *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    if (have_guid)
        memcpy(r->guid, guid, 16);
    r->have_guid = have_guid;
    r->add_ts = add_ts;
    r->erase_ts = erase_ts;
    r->nrecords = (uint16_t)n;
    r->data = data;
    r->len = len;
    r->offset = off;
    return r;
}

static void fetch_done(struct fetch *f)
{
    struct sdr_repo *r =
        repo_from(f->guid, f->have_guid, f->add_ts, f->erase_ts, f->data, f->len, f->off, f->n);
    if (!r) {
        fetch_fail(f, "out of memory");
        return;
    }
    f->data = NULL;
    f->off = NULL;
    if (f->have_guid && f->cache_dir[0]) {
        char err[700];
        if (sdr_cache_save(f->cache_dir, f->key, r, err, sizeof(err)) < 0)
            log_warn("BMC %s (%s): %s", bmc_name(f->b), bmc_address(f->b), err);
    }
    f->cb(f->b, f->arg, 0, NULL, r, &f->st);
    fetch_free(f);
}

/* ---- requests --------------------------------------------------------------- */

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp);

static void send_get(struct fetch *f)
{
    uint8_t d[6];
    size_t want = f->rec_need - f->rec_have;
    uint8_t count = (uint8_t)(want < f->chunk ? want : f->chunk);
    d[0] = (uint8_t)f->resv;
    d[1] = (uint8_t)(f->resv >> 8);
    d[2] = (uint8_t)f->rec_id;
    d[3] = (uint8_t)(f->rec_id >> 8);
    d[4] = (uint8_t)f->rec_have;
    d[5] = count;
    f->state = F_GET;
    f->st.get_sdr_requests++;
    if (bmc_request(f->b, IPMI_NETFN_STORAGE, SDR_CMD_GET, d, sizeof(d), on_rsp, f) < 0)
        fetch_fail(f, "cannot queue Get SDR");
}

static void send_reserve(struct fetch *f)
{
    if (f->st.reservations >= SDR_MAX_RESERVES) {
        fetch_fail(f, "reservation cancelled %u times; the repository keeps changing",
                   f->st.reservations);
        return;
    }
    f->state = F_RESERVE;
    f->st.reservations++;
    if (bmc_request(f->b, IPMI_NETFN_STORAGE, SDR_CMD_RESERVE, NULL, 0, on_rsp, f) < 0)
        fetch_fail(f, "cannot queue Reserve SDR Repository");
}

static bool visited_get(const struct fetch *f, uint16_t id)
{
    return (f->visited[id / 8] >> (id % 8)) & 1u;
}

static void visited_set(struct fetch *f, uint16_t id)
{
    f->visited[id / 8] = (uint8_t)(f->visited[id / 8] | (1u << (id % 8)));
}

static void start_record(struct fetch *f, uint16_t id)
{
    visited_set(f, id);
    f->rec_id = id;
    f->rec_have = 0;
    f->rec_need = 5; /* the header first; its length byte tells the rest */
    send_get(f);
}

static int append_record(struct fetch *f)
{
    if (f->n >= SDR_REPO_MAX_RECORDS)
        return -1;
    if (f->len + f->rec_need > f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 4096;
        uint8_t *nd = realloc(f->data, ncap);
        if (!nd)
            return -1;
        f->data = nd;
        f->cap = ncap;
    }
    if (f->n == f->offcap) {
        size_t ncap = f->offcap ? f->offcap * 2 : 64;
        uint32_t *no = realloc(f->off, ncap * sizeof(*no));
        if (!no)
            return -1;
        f->off = no;
        f->offcap = ncap;
    }
    f->off[f->n++] = (uint32_t)f->len;
    memcpy(f->data + f->len, f->rec, f->rec_need);
    f->len += f->rec_need;
    return 0;
}

static void restart_read(struct fetch *f)
{
    f->n = 0;
    f->len = 0;
    f->rec_have = 0;
    f->rec_need = 0;
    f->restarted = true;
    memset(f->visited, 0, sizeof(f->visited));
    send_reserve(f);
}

static void on_get(struct fetch *f, const struct bmc_rsp *rsp)
{
    if (rsp->cc == IPMI_CC_RESERVATION_CANCELLED) {
        f->rec_have = 0; /* the record may have changed: read it again */
        f->rec_need = 5;
        send_reserve(f);
        return;
    }
    if (rsp->cc == IPMI_CC_CANNOT_RETURN_BYTES || rsp->cc == IPMI_CC_UNSPECIFIED ||
        rsp->cc == IPMI_CC_REQUEST_FIELD_TOO_LONG) {
        if (f->chunk <= SDR_MIN_CHUNK) {
            fetch_fail(f, "Get SDR fails even for %u bytes: %s", f->chunk, ipmi_cc_text(rsp->cc));
            return;
        }
        f->chunk = (uint8_t)(f->chunk / 2 < SDR_MIN_CHUNK ? SDR_MIN_CHUNK : f->chunk / 2);
        f->st.chunk_shrinks++;
        send_get(f);
        return;
    }
    if (rsp->cc == IPMI_CC_NOT_PRESENT && !f->restarted) {
        restart_read(f); /* the record chain changed under us: start over once */
        return;
    }
    if (rsp->cc != 0) {
        fetch_fail(f, "Get SDR record %04Xh failed: %s (%02Xh)", f->rec_id, ipmi_cc_text(rsp->cc),
                   rsp->cc);
        return;
    }
    size_t want = f->rec_need - f->rec_have;
    if (rsp->len < 3 || rsp->len - 2 > want) {
        fetch_fail(f, "Get SDR record %04Xh: %zu data bytes for a request of %zu", f->rec_id,
                   rsp->len > 2 ? rsp->len - 2 : 0, want);
        return;
    }
    uint16_t next = le16(rsp->data);
    size_t got = rsp->len - 2;
    memcpy(f->rec + f->rec_have, rsp->data + 2, got);
    f->rec_have += got;
    if (f->rec_have < f->rec_need) {
        send_get(f);
        return;
    }
    if (f->rec_need == 5 && f->rec[4] > 0) {
        f->rec_need = 5 + (size_t)f->rec[4];
        send_get(f);
        return;
    }
    if (append_record(f) < 0) {
        fetch_fail(f, "more than %d records, or out of memory", SDR_REPO_MAX_RECORDS);
        return;
    }
    if (next == 0xffff) {
        fetch_done(f);
        return;
    }
    /* 0000h asks for the first record: its own ID is the one the chain may name */
    if (f->rec_id == 0x0000)
        visited_set(f, le16(f->rec));
    if (visited_get(f, next)) {
        /* A -> B -> A would be read until SDR_REPO_MAX_RECORDS, every poll:
         * the read fails here; the caller keeps what it had */
        fetch_fail(f, "record chain loops at ID %04Xh (after %zu records)", next, f->n);
        return;
    }
    start_record(f, next);
}

static void on_info(struct fetch *f, const struct bmc_rsp *rsp)
{
    if (rsp->cc != 0 || rsp->len < 13) {
        fetch_fail(f, "Get SDR Repository Info failed: %s",
                   rsp->cc ? ipmi_cc_text(rsp->cc) : "short response");
        return;
    }
    /* version(1) count(2) free(2) add_ts(4) erase_ts(4) support(1) */
    f->add_ts = le32(rsp->data + 5);
    f->erase_ts = le32(rsp->data + 9);
    if (f->have_current && f->add_ts == f->cur_add && f->erase_ts == f->cur_erase) {
        f->st.unchanged = true;
        f->cb(f->b, f->arg, 0, NULL, NULL, &f->st);
        fetch_free(f);
        return;
    }
    if (f->have_guid && f->cache_dir[0]) {
        char err[700] = "";
        struct sdr_repo *r =
            sdr_cache_load(f->cache_dir, f->key, f->guid, f->add_ts, f->erase_ts, err, sizeof(err));
        if (r) {
            f->st.from_cache = true;
            f->cb(f->b, f->arg, 0, NULL, r, &f->st);
            fetch_free(f);
            return;
        }
        if (err[0])
            log_warn("BMC %s (%s): %s", bmc_name(f->b), bmc_address(f->b), err);
    }
    send_reserve(f);
}

static void on_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct fetch *f = arg;
    if (rsp->err != BMC_E_NONE) {
        char text[700];
        snprintf(text, sizeof(text), "%s", bmc_error_text(f->b));
        f->cb(f->b, f->arg, -1, text, NULL, &f->st);
        fetch_free(f);
        return;
    }
    switch (f->state) {
    case F_INFO:
        on_info(f, rsp);
        return;
    case F_RESERVE:
        if (rsp->cc != 0 || rsp->len < 2) {
            fetch_fail(f, "Reserve SDR Repository failed: %s",
                       rsp->cc ? ipmi_cc_text(rsp->cc) : "short response");
            return;
        }
        f->resv = le16(rsp->data);
        if (f->rec_need == 0)
            start_record(f, 0x0000); /* first reservation, or a restart */
        else
            send_get(f); /* continue the record we were reading */
        return;
    case F_GET:
        on_get(f, rsp);
        return;
    }
}

int sdr_repo_fetch(struct bmc *b, const uint8_t *guid, const char *cache_dir,
                   const struct sdr_repo *current, sdr_repo_done_cb cb, void *arg)
{
    struct fetch *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->b = b;
    f->cb = cb;
    f->arg = arg;
    f->chunk = SDR_FIRST_CHUNK;
    if (guid) {
        memcpy(f->guid, guid, 16);
        f->have_guid = true;
    }
    if (cache_dir && f->have_guid) {
        snprintf(f->cache_dir, sizeof(f->cache_dir), "%s", cache_dir);
        char err[700];
        if (sdr_cache_key(bmc_name(b), bmc_address(b), f->guid, f->key) < 0) {
            f->cache_dir[0] = '\0';
        } else if (sdr_cache_dir_check(f->cache_dir, err, sizeof(err)) < 0) {
            /* the BMC is still read, only without the disk cache */
            uint32_t held = 0;
            if (log_rl_ok(&cache_dir_rl, ev_monotonic_ns(), SDR_CACHE_LOG_NS, &held))
                log_warn("BMC %s (%s): %s%s", bmc_name(b), bmc_address(b), err,
                         held ? " (the same for other BMCs not logged)" : "");
            f->st.cache_refused = true;
            f->cache_dir[0] = '\0';
        }
    }
    if (current) {
        f->have_current = true;
        f->cur_add = current->add_ts;
        f->cur_erase = current->erase_ts;
    }
    f->state = F_INFO;
    if (bmc_request(b, IPMI_NETFN_STORAGE, SDR_CMD_GET_REPO_INFO, NULL, 0, on_rsp, f) < 0) {
        free(f);
        return -1;
    }
    return 0;
}

/* ---- disk cache ---------------------------------------------------------------- */

/*
 * The cache is trusted no more than the BMC is.  A file is named by a hash
 * of the configured BMC name and address and the GUID the BMC reports, so
 * two BMCs that report the same GUID (or none: all zeros) never share a
 * file, and carries that key and the GUID inside, checked on load.  The
 * directory must be ours (or root's) and writable by nobody else, or it is
 * not used at all; files are created with O_EXCL|O_NOFOLLOW, mode 0600,
 * and renamed into place; files that are symbolic links, not regular or
 * not ours are refused.
 */

static _Thread_local struct log_rl cache_dir_rl;
static int cache_dir_open(const char *dir, bool create, char *err,
                          size_t errlen); /* one refused-directory line a minute for all BMCs */

int sdr_cache_key(const char *name, const char *address, const uint8_t guid[16],
                  uint8_t key[SDR_CACHE_KEY_LEN])
{
    static const char domain[] = "ipmi-snmp-bridge SDR cache key";
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int l = 0;
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(c, domain, sizeof(domain)) == 1 &&
             EVP_DigestUpdate(c, name, strlen(name) + 1) == 1 &&
             EVP_DigestUpdate(c, address, strlen(address) + 1) == 1 &&
             EVP_DigestUpdate(c, guid, 16) == 1 && EVP_DigestFinal_ex(c, key, &l) == 1 &&
             l == SDR_CACHE_KEY_LEN;
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

static int cache_name(const uint8_t key[SDR_CACHE_KEY_LEN], char *out, size_t len)
{
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    int n = snprintf(out, len, "%s.sdr", hex);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int sdr_cache_path(const char *dir, const uint8_t key[SDR_CACHE_KEY_LEN], char *out, size_t len)
{
    char name[64];
    cache_name(key, name, sizeof(name));
    int n = snprintf(out, len, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int sdr_cache_dir_check(const char *dir, char *err, size_t errlen)
{
    int fd = cache_dir_open(dir, false, err, errlen);
    if (fd >= 0)
        close(fd);
    return fd >= 0 || !err[0] ? 0 : -1;
}

/*
 * Opens the cache directory after checking that nobody but us (or root)
 * can change what is in it.  Returns a descriptor, or -1: with `err` set
 * when the directory is refused or broken, empty when it does not exist
 * and `create` is false.
 */
static int cache_dir_open(const char *dir, bool create, char *err, size_t errlen)
{
    err[0] = '\0';
    if (create && mkdir(dir, 0750) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "SDR cache: cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT || create)
            snprintf(err, errlen, "SDR cache: cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st) < 0)
        why = strerror(errno);
    else if (st.st_uid != geteuid() && st.st_uid != 0)
        why = "it is owned by another user (expected our user or root)";
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        why = "group or others may write to it (expected chmod go-w)";
    if (why) {
        snprintf(err, errlen,
                 "SDR cache directory %s refused: %s (mode %04o, owner %ld); not using the disk "
                 "cache",
                 dir, why, (unsigned)(st.st_mode & 07777), (long)st.st_uid);
        close(fd);
        return -1;
    }
    return fd;
}

static int digest(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned int l = 0;
    return EVP_Digest(p, n, out, &l, EVP_sha256(), NULL) == 1 && l == 32 ? 0 : -1;
}

/* Walk records; true if exactly `n` well-formed records fill `len` bytes. */
static bool records_valid(const uint8_t *data, size_t len, size_t n, uint32_t *off)
{
    size_t pos = 0, i = 0;
    while (pos < len && i < n) {
        if (len - pos < 5 || len - pos < 5 + (size_t)data[pos + 4])
            return false;
        if (off)
            off[i] = (uint32_t)pos;
        pos += 5 + (size_t)data[pos + 4];
        i++;
    }
    return pos == len && i == n;
}

int sdr_cache_save(const char *dir, const uint8_t key[SDR_CACHE_KEY_LEN], const struct sdr_repo *r,
                   char *err, size_t errlen)
{
    char name[64];
    cache_name(key, name, sizeof(name));
    int dfd = cache_dir_open(dir, true, err, errlen);
    if (dfd < 0)
        return -1;
    size_t total = SDR_CACHE_HDR + r->len + 32;
    uint8_t *buf = malloc(total);
    if (!buf) {
        close(dfd);
        snprintf(err, errlen, "SDR cache: out of memory");
        return -1;
    }
    memcpy(buf, SDR_CACHE_MAGIC, 8);
    memcpy(buf + 8, key, SDR_CACHE_KEY_LEN);
    memcpy(buf + 40, r->guid, 16);
    put_le32(buf + 56, r->add_ts);
    put_le32(buf + 60, r->erase_ts);
    put_le32(buf + 64, r->nrecords);
    put_le32(buf + 68, (uint32_t)r->len);
    memcpy(buf + SDR_CACHE_HDR, r->data, r->len);
    if (digest(buf, SDR_CACHE_HDR + r->len, buf + SDR_CACHE_HDR + r->len) < 0) {
        free(buf);
        close(dfd);
        snprintf(err, errlen, "SDR cache: digest failed");
        return -1;
    }
    /* a new file next to the target (O_EXCL|O_NOFOLLOW, mode 0600), renamed
     * into place, all through the directory's descriptor checked above; not
     * fsync'ed: a file torn by a crash fails its digest on load and the
     * repository is read again, while a flush per BMC held a worker's loop
     * about 1 ms a BMC in a cold start (50 s at 50,000 BMCs) */
    char why[400];
    int rc =
        atomic_file_writeat(dfd, name, buf, total, 0600, ATOMIC_FILE_NO_SYNC, why, sizeof(why));
    free(buf);
    close(dfd);
    if (rc < 0)
        snprintf(err, errlen, "SDR cache %s: %s", dir, why);
    return rc;
}

struct sdr_repo *sdr_cache_load(const char *dir, const uint8_t key[SDR_CACHE_KEY_LEN],
                                const uint8_t guid[16], uint32_t add_ts, uint32_t erase_ts,
                                char *err, size_t errlen)
{
    char name[64];
    err[0] = '\0';
    cache_name(key, name, sizeof(name));
    int dfd = cache_dir_open(dir, false, err, errlen);
    if (dfd < 0)
        return NULL; /* err says why, or there is no cache yet */
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            snprintf(err, errlen, "SDR cache %s/%s cannot be opened: %s; not used", dir, name,
                     errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        close(dfd);
        return NULL; /* ENOENT: no cache yet, not an error */
    }
    struct stat st;
    const char *why = NULL;
    uint8_t *buf = NULL;
    uint32_t *off = NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_uid != geteuid() && st.st_uid != 0)) {
        snprintf(err, errlen, "SDR cache %s/%s is not a regular file of our user or root; not used",
                 dir, name);
        close(fd);
        close(dfd);
        return NULL;
    }
    if (st.st_size < SDR_CACHE_HDR + 32 ||
        st.st_size > SDR_CACHE_HDR + 32 + SDR_REPO_MAX_RECORDS * 260) {
        why = "bad size";
        goto bad;
    }
    size_t total = (size_t)st.st_size;
    buf = malloc(total);
    if (!buf) {
        close(fd);
        close(dfd);
        return NULL;
    }
    size_t got = 0;
    while (got < total) {
        ssize_t r = read(fd, buf + got, total - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != total) {
        why = "short read";
        goto bad;
    }
    uint8_t sum[32];
    size_t dlen = le32(buf + 68);
    size_t n = le32(buf + 64);
    if (memcmp(buf, SDR_CACHE_MAGIC, 8) != 0) {
        why = "bad magic";
        goto bad;
    }
    if (dlen != total - SDR_CACHE_HDR - 32 || n > SDR_REPO_MAX_RECORDS) {
        why = "length fields disagree with the file size";
        goto bad;
    }
    if (digest(buf, SDR_CACHE_HDR + dlen, sum) < 0 ||
        memcmp(sum, buf + SDR_CACHE_HDR + dlen, 32) != 0) {
        why = "checksum mismatch";
        goto bad;
    }
    if (memcmp(buf + 8, key, SDR_CACHE_KEY_LEN) != 0) {
        why = "written for another BMC";
        goto bad;
    }
    off = malloc((n ? n : 1) * sizeof(*off));
    if (!off || !records_valid(buf + SDR_CACHE_HDR, dlen, n, off)) {
        why = "malformed records";
        goto bad;
    }
    close(fd);
    close(dfd);
    if (memcmp(buf + 40, guid, 16) != 0 || le32(buf + 56) != add_ts || le32(buf + 60) != erase_ts) {
        free(buf);
        free(off);
        return NULL; /* stale: the repository changed; it will be re-read */
    }
    uint8_t *data = malloc(dlen ? dlen : 1);
    if (!data) {
        free(buf);
        free(off);
        return NULL;
    }
    memcpy(data, buf + SDR_CACHE_HDR, dlen);
    free(buf);
    struct sdr_repo *r = repo_from(guid, true, add_ts, erase_ts, data, dlen, off, n);
    if (!r) {
        free(data);
        free(off);
    }
    return r;
bad:
    close(fd);
    free(buf);
    free(off);
    snprintf(err, errlen, "SDR cache %s/%s is corrupt (%s); discarded", dir, name, why);
    unlinkat(dfd, name, 0);
    close(dfd);
    return NULL;
}
