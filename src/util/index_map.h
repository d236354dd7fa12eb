/*
 * index_map.h - stable BMC indices (ipmiBmcIndex, 1..2^31-1) by BMC name,
 * kept in a small text file so that they survive restarts and reloads.
 *
 * An index once given to a name stays with that name: it is never given to
 * another one, even after the first BMC left the configuration.  The file
 * ("bmc-index" in state-dir) holds one "INDEX NAME" line per name ever seen
 * and is replaced atomically (a new file opened O_EXCL|O_NOFOLLOW, written,
 * fsync'ed, renamed over the old one).
 */
#ifndef IPMI_BRIDGE_INDEX_MAP_H
#define IPMI_BRIDGE_INDEX_MAP_H

#include <stddef.h>
#include <stdint.h>

#define INDEX_MAP_MAX 2147483647u

struct index_map;

/*
 * Load `dir`/bmc-index (a missing file is an empty map; the directory is
 * created, mode 700, if it does not exist).  NULL on error (err says why,
 * naming the file and line).
 */
struct index_map *index_map_load(const char *dir, char *err, size_t errlen);
void index_map_free(struct index_map *m); /* NULL is a no-op */

/*
 * The index of `name`: `want` when non-zero (an explicit "index" key; it is
 * taken from any other name that held it, which then gets a new one on its
 * next lookup), else the stored one, else the next unused one.  Returns 0
 * only when memory is short.
 */
uint32_t index_map_get(struct index_map *m, const char *name, uint32_t want);
/* Write the file if anything changed.  0 or -1 (err says why). */
int index_map_save(struct index_map *m, char *err, size_t errlen);
size_t index_map_count(const struct index_map *m);

#endif
