#!/usr/bin/env bash
# pet_vectors.sh - the PET codec (src/codec/pet.c, through tests/unit/petdecode)
# against FreeIPMI's ipmi-pet, field by field, on the vectors in
# tests/integration/pet_vectors.txt (threshold assert/deassert, signed and
# scaled readings, sensor-specific, generic discrete and OEM events, every
# severity, unspecified timestamps and UTC offset, shared sensors, unknown
# sensors, OEM custom fields), plus the PET Acknowledge request each one
# produces against the one `ipmi-pet --pet-acknowledge` sends.
#
#   make check TESTS=tests/integration/pet_vectors.sh
#
# ipmi-pet needs the SDR, so it opens a session to the ipmi_sim fixture; the
# codec gets the same SDR as a raw dump (`ipmitool sdr dump`).  The
# comparison and the documented disagreements (P1-P6: where ipmi-pet departs
# from the spec we follow the spec) are in pet_vectors.py.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

require_cmds ipmi_sim sdrcomp ipmitool ipmi-pet ss python3 timeout
PETDECODE=$top_builddir/tests/unit/petdecode
[[ -x $PETDECODE ]] || bail_out "$PETDECODE not built (make check builds it)"
VECTORS=$top_srcdir/tests/integration/pet_vectors.txt
make_rundir

PORT=$(free_port 1 21800) || bail_out "no free port"
start_sims 1 "$PORT"
note "ipmi_sim on udp 127.0.0.1:$PORT (run dir $RUNDIR)"

SDR=$RUNDIR/sdr.bin
assert_cmd "ipmitool dumps the fixture's SDR repository" \
    timeout 30 ipmitool -I lanplus -H 127.0.0.1 -p "$PORT" -U admin -P password -C 3 sdr dump "$SDR"
mkdir -p "$RUNDIR/cache"
ipmipet() {
    TZ=UTC timeout 30 ipmi-pet -D LAN_2_0 -h "127.0.0.1:$PORT" -u admin -p password -l ADMIN -I 3 \
        -W opensesspriv --sdr-cache-directory="$RUNDIR/cache" --quiet-cache "$@"
}

n=0
while read -r name specific payload; do
    [[ -z $name || $name == \#* ]] && continue
    n=$((n + 1))
    # ipmi-pet takes the payload as separate byte arguments
    # shellcheck disable=SC2001
    bytes=$(sed "s/../& /g" <<< "$payload")
    d=$RUNDIR/$name
    mkdir -p "$d"
    if ! "$PETDECODE" --sdr "$SDR" "0x$specific" "$payload" > "$d/ours.json" 2> "$d/ours.err"; then
        fail "$name: the codec decodes the vector" "$(cat "$d/ours.json" "$d/ours.err")"
        continue
    fi
    # shellcheck disable=SC2086
    if ! ipmipet -vv --comma-separated-output --no-header-output --output-event-state \
        $((16#$specific)) $bytes > "$d/ipmi-pet.txt" 2> "$d/ipmi-pet.err"; then
        fail "$name: ipmi-pet decodes the vector" "$(cat "$d/ipmi-pet.err")"
        continue
    fi
    # shellcheck disable=SC2086
    ipmipet --pet-acknowledge --debug $((16#$specific)) $bytes > "$d/ack.txt" 2>&1 || true
    run_checks python3 "$top_srcdir/tests/integration/pet_vectors.py" "$name" "$specific" "$payload" \
        "$d/ours.json" "$d/ipmi-pet.txt" "$d/ack.txt"
done < "$VECTORS"
assert_num ">=" "$n" 15 "at least 15 vectors compared"

# ---- refusals: each reason code from the codec, as the listener will count them
refuse() { # NAME WANT-REASON SPECIFIC PAYLOAD
    local out rc
    out=$("$PETDECODE" "0x$3" "$4" 2>&1) && rc=0 || rc=$?
    assert_eq "$rc:$(python3 "$JSONQ" - error <<< "$out" 2>&1)" "1:$2" "$1"
}
first=$(awk '!/^#/ && NF == 3 {print $3; exit}' "$VECTORS")
refuse "a 33-byte payload is truncated" truncated 010109 "${first:0:66}"
refuse "a 111-byte payload is oversize" oversize 010109 "${first:0:92}$(printf '00%.0s' $(seq 65))"
refuse "an OEM field running past the payload breaks the chain" bad_oem_fields 010109 "${first:0:92}c5414243"
refuse "reserved bits 6:4 of the specific trap" bad_field 010149 "$first"
finish
