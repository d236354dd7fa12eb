#!/usr/bin/env bash
# build.sh [OUTDIR] - build every tests/fuzz/fuzz_*.c as a libFuzzer binary
# with AddressSanitizer and UndefinedBehaviorSanitizer, into OUTDIR
# (default tests/fuzz/bin).
#
# Each harness names the engine sources it needs on one line of its own:
#     // fuzz-sources: src/codec/sdr.c src/codec/sensor.c src/codec/ipmi_tables.c
# (paths relative to the top of the tree).  A harness without that line is
# an error.  Libraries beyond -lm go on an optional line of their own:
#     // fuzz-libs: -lcrypto -lconfuse  CC overrides the compiler (default clang; needs the libFuzzer
# runtime, Debian package libclang-rt-<version>-dev).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(realpath -m "${1:-$here/bin}")
cc=${CC:-clang}

command -v "$cc" >/dev/null || { echo "build.sh: $cc not found (apt-get install clang)" >&2; exit 1; }
mkdir -p "$out"

shopt -s nullglob
harnesses=("$here"/fuzz_*.c)
[ ${#harnesses[@]} -gt 0 ] || { echo "build.sh: no tests/fuzz/fuzz_*.c" >&2; exit 1; }

# every layer's folder, as the Makefile's SRC_INCLUDES
incs=$(cd "$top" && for d in src/*/; do printf -- '-I %s ' "${d%/}"; done)
# agent/mib_root.h (the harnesses of agent/ include it): made by its own rule
# of agent/local.mk, here, so that no configured tree is needed
mkdir -p "$out/gen"
if ! make -s -C "$out/gen" -f "$top/agent/local.mk" srcdir="$top" agent/mib_root.h; then
    echo "build.sh: cannot make agent/mib_root.h" >&2
    exit 1
fi
incs="$incs -I $out/gen/agent"

status=0
for h in "${harnesses[@]}"; do
    name=$(basename "$h" .c)
    sources=$(sed -n 's|^// fuzz-sources:[[:space:]]*||p' "$h" | head -n 1)
    if [ -z "$sources" ]; then
        echo "build.sh: $name: no '// fuzz-sources:' line" >&2
        status=1
        continue
    fi
    libs=$(sed -n 's|^// fuzz-libs:[[:space:]]*||p' "$h" | head -n 1)
    # shellcheck disable=SC2086 # the source and library lists are meant to split
    if ! (cd "$top" && "$cc" -g -O1 -fsanitize=fuzzer,address,undefined \
            -fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE \
            -Wall -Wextra $incs $sources "$h" -o "$out/$name" $libs -lm); then
        echo "build.sh: $name: build failed" >&2
        status=1
        continue
    fi
    echo "build.sh: $out/$name"
done
exit $status
