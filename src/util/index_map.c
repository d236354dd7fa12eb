/*
 * index_map.c - stable BMC indices kept in state-dir (see index_map.h).
 * Lookups are linear in the number of names: they happen at start-up and
 * on reload only, a few thousand at a time.
 */
#include "index_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

#define INDEX_FILE     "bmc-index"
#define INDEX_NAME_MAX 64

struct entry {
    uint32_t index; /* 0: released (taken by an explicit index of another name) */
    char name[INDEX_NAME_MAX];
};

struct index_map {
    char path[1024];
    char dir[1024];
    struct entry *e;
    size_t n, cap;
    uint32_t next; /* next index to hand out */
    bool dirty;
};

static struct entry *find_name(struct index_map *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->e[i].name, name) == 0)
            return &m->e[i];
    return NULL;
}

static struct entry *find_index(struct index_map *m, uint32_t index)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].index == index)
            return &m->e[i];
    return NULL;
}

static struct entry *append(struct index_map *m, const char *name, uint32_t index)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct entry *ne = realloc(m->e, cap * sizeof(*ne));
        if (!ne)
            return NULL;
        m->e = ne;
        m->cap = cap;
    }
    struct entry *x = &m->e[m->n++];
    snprintf(x->name, sizeof(x->name), "%s", name);
    x->index = index;
    if (index >= m->next)
        m->next = index < INDEX_MAP_MAX ? index + 1 : INDEX_MAP_MAX;
    return x;
}

struct index_map *index_map_load(const char *dir, char *err, size_t errlen)
{
    struct index_map *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->next = 1;
    snprintf(m->dir, sizeof(m->dir), "%s", dir);
    snprintf(m->path, sizeof(m->path), "%s/%s", dir, INDEX_FILE);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create the state directory: %s", dir, strerror(errno));
        free(m);
        return NULL;
    }
    int fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return m;
        snprintf(err, errlen, "%s: cannot open: %s", m->path, strerror(errno));
        free(m);
        return NULL;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
        free(m);
        return NULL;
    }
    char line[256];
    int ln = 0;
    while (fgets(line, sizeof(line), f)) {
        ln++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *end;
        errno = 0;
        unsigned long v = strtoul(line, &end, 10);
        if (errno || end == line || *end != ' ' || v < 1 || v > INDEX_MAP_MAX || end[1] == '\0' ||
            strlen(end + 1) >= INDEX_NAME_MAX) {
            snprintf(err, errlen, "%s:%d: expected INDEX NAME (index 1..%u, name 1..%d bytes)",
                     m->path, ln, INDEX_MAP_MAX, INDEX_NAME_MAX - 1);
            goto bad;
        }
        if (find_name(m, end + 1) || find_index(m, (uint32_t)v)) {
            snprintf(err, errlen, "%s:%d: name or index listed twice", m->path, ln);
            goto bad;
        }
        if (!append(m, end + 1, (uint32_t)v)) {
            snprintf(err, errlen, "out of memory");
            goto bad;
        }
    }
    fclose(f);
    return m;
bad:
    fclose(f);
    free(m->e);
    free(m);
    return NULL;
}

void index_map_free(struct index_map *m)
{
    if (!m)
        return;
    free(m->e);
    free(m);
}

size_t index_map_count(const struct index_map *m)
{
    return m->n;
}

static uint32_t fresh(struct index_map *m)
{
    while (m->next < INDEX_MAP_MAX && find_index(m, m->next))
        m->next++;
    return m->next++;
}

uint32_t index_map_get(struct index_map *m, const char *name, uint32_t want)
{
    struct entry *x = find_name(m, name);
    if (want) {
        if (x && x->index == want)
            return want;
        struct entry *o = find_index(m, want);
        if (o)
            o->index = 0; /* released: its name gets a new one when asked */
        m->dirty = true;
        if (x) {
            x->index = want;
            if (want >= m->next)
                m->next = want < INDEX_MAP_MAX ? want + 1 : INDEX_MAP_MAX;
            return want;
        }
        return append(m, name, want) ? want : 0;
    }
    if (x && x->index)
        return x->index;
    m->dirty = true;
    uint32_t v = fresh(m);
    if (x) {
        x->index = v;
        return v;
    }
    return append(m, name, v) ? v : 0;
}

int index_map_save(struct index_map *m, char *err, size_t errlen)
{
    if (!m->dirty)
        return 0;
    static const char head[] =
        "# ipmi-snmp-bridge: ipmiBmcIndex by BMC name; never reused for another name\n";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
        return -1;
    }
    fputs(head, f);
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].index)
            fprintf(f, "%u %s\n", m->e[i].index, m->e[i].name);
    if (fclose(f) != 0) {
        free(buf);
        snprintf(err, errlen, "%s: out of memory", m->path);
        return -1;
    }
    int rc = atomic_file_write(m->path, buf, len, 0600, err, errlen);
    free(buf);
    if (rc == 0)
        m->dirty = false;
    return rc;
}
