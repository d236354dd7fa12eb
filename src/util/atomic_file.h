/*
 * atomic_file.h - replace a small file in one step: a new file next to it
 * (opened O_CREAT|O_EXCL|O_NOFOLLOW, so never an existing file or the target
 * of a symbolic link), written, fsync'ed and renamed over the old one.
 * Readers see the old or the new contents, never a mix.  The temporary file
 * is PATH.new.PID; one left by an earlier process with our PID is removed
 * (the name, never what a link there points at) and created anew.
 */
#ifndef IPMI_BRIDGE_ATOMIC_FILE_H
#define IPMI_BRIDGE_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* 0, or -1 with `err` naming the file and the reason (the temporary file is removed). */
int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err,
                      size_t errlen);

/* atomic_file_writeat() flags */
enum {
    /* no fsync before the rename: for a file that only speeds things up and
     * is checked when read (the SDR cache, with its digest), where a crash
     * may lose the new contents but must not cost a disk flush per file (at
     * 50,000 BMCs a cold start writes 50,000 of them) */
    ATOMIC_FILE_NO_SYNC = 1u << 0,
};

/*
 * The same, `name` relative to the directory open on `dfd` (or AT_FDCWD):
 * for a directory checked once (owner, mode) and then used only through
 * its descriptor, so that a rename of the path meanwhile cannot redirect
 * the write.  `err` names the file as `name`.  `flags`: 0 or
 * ATOMIC_FILE_NO_SYNC.
 */
int atomic_file_writeat(int dfd, const char *name, const void *data, size_t len, mode_t mode,
                        unsigned flags, char *err, size_t errlen);

#endif
