/*
 * sdr_share.c - identical SDR repositories held once (see sdr_share.h).
 */
#include "sdr_share.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sdr_repo.h"

#define BUCKETS 1024 /* distinct repositories are few: one per model and firmware */

struct sdr_content {
    struct sdr_content *next; /* hash chain */
    uint64_t hash;
    size_t refs;
    size_t len;
    uint16_t nrecords;
    uint8_t *data;
    uint32_t *offset;
    struct sensor_set *set;
    sdr_share_free_fn set_free;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct sdr_content *table[BUCKETS];
static size_t n_contents, n_refs, n_bytes;

static uint64_t content_hash(const struct sdr_repo *r)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits */
    for (size_t i = 0; i < r->len; i++)
        h = (h ^ r->data[i]) * 0x100000001b3ULL;
    return h ^ r->nrecords;
}

static bool same(const struct sdr_content *c, uint64_t h, const struct sdr_repo *r)
{
    return c->hash == h && c->len == r->len && c->nrecords == r->nrecords &&
           memcmp(c->data, r->data, r->len) == 0 &&
           memcmp(c->offset, r->offset, r->nrecords * sizeof(*r->offset)) == 0;
}

/* IPMI_BRIDGE_SDR_SHARE=0 in the environment: every BMC keeps its own
 * repository, as before sharing existed (tests/bench/bench_rss.sh measures
 * what sharing saves with it); read once. */
static bool off;
static pthread_once_t off_once = PTHREAD_ONCE_INIT;

static void read_off(void)
{
    const char *v = getenv("IPMI_BRIDGE_SDR_SHARE");
    off = v && strcmp(v, "0") == 0;
}

static bool sharing_off(void)
{
    pthread_once(&off_once, read_off); /* workers ask from their threads */
    return off;
}

const struct sensor_set *sdr_share_intern(struct sdr_repo *r, const char *label,
                                          sdr_share_build_fn build, sdr_share_free_fn release)
{
    if (!r || r->shared)
        return r && r->shared ? r->shared->set : NULL;
    if (sharing_off())
        return NULL;
    uint64_t h = content_hash(r);
    struct sdr_content **slot = &table[h % BUCKETS];
    pthread_mutex_lock(&mu);
    struct sdr_content *c = *slot;
    while (c && !same(c, h, r))
        c = c->next;
    if (c) {
        c->refs++;
        n_refs++;
        pthread_mutex_unlock(&mu);
        free(r->data);
        free(r->offset);
    } else {
        pthread_mutex_unlock(&mu);
        /* the first of its kind: it becomes the shared copy (built unlocked) */
        c = calloc(1, sizeof(*c));
        struct sensor_set *set = c ? build(r, label) : NULL;
        if (!set) {
            free(c);
            return NULL;
        }
        c->hash = h;
        c->refs = 1;
        c->len = r->len;
        c->nrecords = r->nrecords;
        c->data = r->data;
        c->offset = r->offset;
        c->set = set;
        c->set_free = release;
        pthread_mutex_lock(&mu);
        /* another thread may have added the same content meanwhile: both
         * stay correct (equal contents), the later one is found first */
        c->next = *slot;
        *slot = c;
        n_contents++;
        n_refs++;
        n_bytes += c->len;
        pthread_mutex_unlock(&mu);
    }
    r->data = c->data;
    r->offset = c->offset;
    r->shared = c;
    return c->set;
}

struct sdr_content *sdr_share_hold(struct sdr_content *c)
{
    if (c) {
        pthread_mutex_lock(&mu);
        c->refs++;
        pthread_mutex_unlock(&mu);
    }
    return c;
}

static void drop(struct sdr_content *c, bool holder)
{
    if (!c)
        return;
    pthread_mutex_lock(&mu);
    if (holder)
        n_refs--;
    if (--c->refs) {
        pthread_mutex_unlock(&mu);
        return;
    }
    struct sdr_content **p = &table[c->hash % BUCKETS];
    while (*p != c)
        p = &(*p)->next;
    *p = c->next;
    n_contents--;
    n_bytes -= c->len;
    pthread_mutex_unlock(&mu);
    c->set_free(c->set);
    free(c->data);
    free(c->offset);
    free(c);
}

void sdr_share_release(struct sdr_content *c)
{
    drop(c, true);
}

void sdr_share_unhold(struct sdr_content *c)
{
    drop(c, false);
}

void sdr_share_stats(struct sdr_share_stats *out)
{
    pthread_mutex_lock(&mu);
    out->contents = n_contents;
    out->refs = n_refs;
    out->bytes = n_bytes;
    pthread_mutex_unlock(&mu);
}
