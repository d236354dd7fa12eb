/*
 * replay.c - runs one fuzz harness over its committed corpus without
 * libFuzzer, so that `make check` replays every seed (the regress-* inputs
 * that once found a bug included) in the plain and the sanitizer builds.
 * The harness is linked in; FUZZ_NAME names its corpus directory
 * $top_srcdir/tests/fuzz/corpus/FUZZ_NAME.  A broken invariant aborts.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    /* a copy of exactly n bytes, so ASan sees a read past the input */
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return -1;
    memcpy(copy, buf, n);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
    return 0;
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", FUZZ_NAME);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return 1;
    }
    unsigned ok = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[8192];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (replay(path) < 0) {
            fprintf(stderr, "replay: cannot read %s\n", path);
            bad++;
        } else {
            ok++;
        }
    }
    closedir(d);
    printf("fuzz_%s: %u corpus inputs replayed\n", FUZZ_NAME, ok);
    printf("%u passed, %u failed\n", ok, bad);
    return ok && !bad ? 0 : 1;
}
