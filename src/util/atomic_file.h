/*
 * atomic_file.h - replace a small file in one step: a new file next to it
 * (opened O_CREAT|O_EXCL|O_NOFOLLOW, so never an existing file or the target
 * of a symbolic link), written, fsync'ed and renamed over the old one.
 * Readers see the old or the new contents, never a mix.
 */
#ifndef IPMI_BRIDGE_ATOMIC_FILE_H
#define IPMI_BRIDGE_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* 0, or -1 with `err` naming the file and the reason (the temporary file is removed). */
int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err,
                      size_t errlen);

#endif
