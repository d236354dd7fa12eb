/*
 * sel_statefile.c - see sel_statefile.h.
 */
#include "sel_statefile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "hex.h"

#define MAGIC "# ipmi-snmp-bridge SEL state 2"

bool sel_statefile_path(const char *dir, uint32_t index, char *out, size_t cap)
{
    if (!dir || !dir[0])
        return false;
    return (size_t)snprintf(out, cap, "%s/sel-%" PRIu32 ".state", dir, index) < cap;
}

void sel_statefile_clear(struct sel_statefile *f)
{
    free(f->e);
    memset(f, 0, sizeof(*f));
}

static bool parse_raw(const char *s, uint8_t raw[SEL_RECORD_LEN])
{
    for (size_t i = 0; i < SEL_RECORD_LEN; i++) {
        int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        raw[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[2 * SEL_RECORD_LEN] == '\0' || s[2 * SEL_RECORD_LEN] == '\n';
}

static bool parse_line(struct sel_statefile *f, const char *line, bool first, bool *v2)
{
    unsigned rid;
    uint32_t seq;
    char hex[40];
    if (first && !strncmp(line, MAGIC, strlen(MAGIC))) {
        *v2 = true;
        return true;
    }
    if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
        return true;
    if (!*v2) { /* version 1: the mark alone */
        if (sscanf(line, "%" SCNu32 " %u %" SCNu32 " %" SCNx64, &f->mark_seq, &rid, &f->mark_time,
                   &f->mark_hash) != 4 ||
            rid > 0xFFFF)
            return false;
        f->mark_record_id = (uint16_t)rid;
        f->have_mark = true;
        return true;
    }
    if (!strncmp(line, "mark ", 5)) {
        if (sscanf(line + 5, "%" SCNu32 " %u %" SCNu32 " %" SCNx64, &f->mark_seq, &rid,
                   &f->mark_time, &f->mark_hash) != 4 ||
            rid > 0xFFFF)
            return false;
        f->mark_record_id = (uint16_t)rid;
        f->have_mark = true;
        return true;
    }
    if (!strncmp(line, "next ", 5))
        return sscanf(line + 5, "%" SCNu32, &f->next_seq) == 1;
    if (!strncmp(line, "e ", 2)) {
        if (sscanf(line + 2, "%" SCNu32 " %39s", &seq, hex) != 2 || !seq || f->n >= SEL_RING_MAX)
            return false;
        struct sel_seq_saved s = {.seq = seq};
        if (!parse_raw(hex, s.raw))
            return false;
        if ((f->n & (f->n - 1)) == 0) { /* grow at powers of two */
            struct sel_seq_saved *ne = realloc(f->e, (f->n ? 2 * f->n : 16) * sizeof(*ne));
            if (!ne)
                return false;
            f->e = ne;
        }
        f->e[f->n++] = s;
        return true;
    }
    return false;
}

int sel_statefile_load(const char *dir, uint32_t index, struct sel_statefile *f, char *err,
                       size_t errlen)
{
    memset(f, 0, sizeof(*f));
    char path[600];
    if (!sel_statefile_path(dir, index, path, sizeof(path)))
        return 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    bool v2 = false;
    int rc = 1;
    for (unsigned no = 1; fgets(line, sizeof(line), fp); no++) {
        if (!parse_line(f, line, no == 1, &v2)) {
            snprintf(err, errlen, "%s:%u: not a SEL state line: the rest is ignored", path, no);
            rc = -1;
            break;
        }
    }
    fclose(fp);
    return rc;
}

int sel_statefile_save(const char *dir, uint32_t index, const struct sel_statefile *f, char *err,
                       size_t errlen)
{
    char path[600];
    if (!sel_statefile_path(dir, index, path, sizeof(path))) {
        snprintf(err, errlen, "state-dir %s: path too long", dir ? dir : "");
        return -1;
    }
    size_t cap = 160 + f->n * 48;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t len = (size_t)snprintf(buf, cap, MAGIC "\n");
    if (f->have_mark)
        len += (size_t)snprintf(buf + len, cap - len,
                                "mark %" PRIu32 " %u %" PRIu32 " %016" PRIx64 "\n", f->mark_seq,
                                (unsigned)f->mark_record_id, f->mark_time, f->mark_hash);
    len += (size_t)snprintf(buf + len, cap - len, "next %" PRIu32 "\n", f->next_seq);
    for (size_t i = 0; i < f->n; i++) {
        len += (size_t)snprintf(buf + len, cap - len, "e %" PRIu32 " ", f->e[i].seq);
        for (size_t k = 0; k < SEL_RECORD_LEN; k++)
            len += (size_t)snprintf(buf + len, cap - len, "%02x", f->e[i].raw[k]);
        buf[len++] = '\n';
    }
    int rc = atomic_file_write(path, buf, len, 0600, err, errlen);
    free(buf);
    return rc;
}
