# shellcheck shell=bash
# oracle.sh - run the third-party IPMI clients against one ipmi_sim and keep
# their output, for tests/lib/oracle_compare.py (sourced after common.sh).
#
#   oracle_collect sensors|fru|sel DIR PORT
#
# writes DIR/<tool>-<what>.txt files (stdout; stderr goes to the same name
# with .err) and returns non-zero if a client failed.  Clients:
#   ipmitool  -I lanplus -H 127.0.0.1 -p PORT -U admin -P password -C 3
#   FreeIPMI  -D LAN_2_0 -h 127.0.0.1:PORT -u admin -p password -l ADMIN -I 3
#             -W opensesspriv (ipmi_sim echoes "highest privilege" back as 0),
#             with a private SDR cache in DIR/sdrcache (never $HOME)
# Every client run has a timeout, so a hung client cannot hang `make check`.

ORACLE_TIMEOUT=${ORACLE_TIMEOUT:-60}

# oracle_ipmitool PORT ARGS...: ipmitool against the simulator on PORT
oracle_ipmitool() {
    local port=$1
    shift
    timeout "$ORACLE_TIMEOUT" ipmitool -I lanplus -H 127.0.0.1 -p "$port" -U admin -P password -C 3 "$@"
}

# oracle_freeipmi DIR PORT TOOL ARGS...: a FreeIPMI tool against PORT
oracle_freeipmi() {
    local dir=$1 port=$2 tool=$3
    shift 3
    mkdir -p "$dir/sdrcache"
    timeout "$ORACLE_TIMEOUT" "$tool" -D LAN_2_0 -h "127.0.0.1:$port" -u admin -p password -l ADMIN -I 3 \
        -W opensesspriv --sdr-cache-directory="$dir/sdrcache" --quiet-cache "$@"
}

# _oracle_run DIR NAME [--ok1] CMD...: CMD's stdout to DIR/NAME.txt, stderr to
# DIR/NAME.err.  --ok1: exit status 1 with output is fine (ipmi-sensors exits
# 1 when one sensor fails, e.g. Get Sensor Thresholds of the fixture's
# deliberately absent sensor 49).
_oracle_run() {
    local dir=$1 name=$2 ok1=0 rc=0
    shift 2
    if [[ ${1:-} == --ok1 ]]; then
        ok1=1
        shift
    fi
    "$@" > "$dir/$name.txt" 2> "$dir/$name.err" || rc=$?
    if ((rc == 1 && ok1)) && [[ -s $dir/$name.txt ]]; then
        rc=0
    fi
    if ((rc != 0)); then
        echo "# oracle: '$*' failed (exit $rc): $(head -c 500 "$dir/$name.err")"
    fi
    return "$rc"
}

oracle_collect() {
    local what=$1 dir=$2 port=$3 rc=0
    mkdir -p "$dir"
    case $what in
        sensors)
            _oracle_run "$dir" ipmitool-sdr-elist oracle_ipmitool "$port" sdr elist all || rc=1
            _oracle_run "$dir" ipmitool-sensor oracle_ipmitool "$port" sensor || rc=1
            _oracle_run "$dir" ipmitool-sdr-verbose oracle_ipmitool "$port" -v sdr list all || rc=1
            # (no --output-sensor-thresholds here: ipmi-sensors stops at the
            # first sensor whose Get Sensor Thresholds fails; -vv has them all)
            local csv=(--no-header-output --comma-separated-output --non-abbreviated-units
                --output-sensor-state --shared-sensors)
            _oracle_run "$dir" freeipmi-sensors --ok1 oracle_freeipmi "$dir" "$port" ipmi-sensors "${csv[@]}" || rc=1
            _oracle_run "$dir" freeipmi-sensors-bitmask --ok1 oracle_freeipmi "$dir" "$port" ipmi-sensors "${csv[@]}" \
                --output-event-bitmask || rc=1
            # ipmi-sensors also stops -vv output at the first record whose
            # reading fails, so ask for one record at a time (ipmi_sim numbers
            # its SDRs 1..count)
            _oracle_run "$dir" freeipmi-sdr-info oracle_freeipmi "$dir" "$port" ipmi-sensors --sdr-info || rc=1
            local count id
            count=$(sed -n 's/^SDR record count *: *\([0-9]*\)$/\1/p' "$dir/freeipmi-sdr-info.txt")
            : > "$dir/freeipmi-sensors-verbose.txt"
            : > "$dir/freeipmi-sensors-verbose.err"
            for ((id = 1; id <= ${count:-0}; id++)); do
                oracle_freeipmi "$dir" "$port" ipmi-sensors -vv --shared-sensors -r "$id" \
                    >> "$dir/freeipmi-sensors-verbose.txt" 2>> "$dir/freeipmi-sensors-verbose.err" || true
                echo >> "$dir/freeipmi-sensors-verbose.txt"
            done
            [[ -s $dir/freeipmi-sensors-verbose.txt ]] || rc=1
            ;;
        fru)
            _oracle_run "$dir" ipmitool-fru oracle_ipmitool "$port" fru print || rc=1
            local id
            # multirecords are printed by `-v fru print ID` only; every device
            while read -r id; do
                _oracle_run "$dir" "ipmitool-fru-v-$id" oracle_ipmitool "$port" -v fru print "$id" || rc=1
            done < <(sed -n 's/^FRU Device Description : .* (ID \([0-9]*\))$/\1/p' "$dir/ipmitool-fru.txt")
            _oracle_run "$dir" freeipmi-fru oracle_freeipmi "$dir" "$port" ipmi-fru || rc=1
            ;;
        sel)
            _oracle_run "$dir" ipmitool-sel-list oracle_ipmitool "$port" sel list || rc=1
            _oracle_run "$dir" ipmitool-sel-elist oracle_ipmitool "$port" sel elist || rc=1
            _oracle_run "$dir" freeipmi-sel oracle_freeipmi "$dir" "$port" ipmi-sel -vv --comma-separated-output \
                --no-header-output --output-manufacturer-id --non-abbreviated-units || rc=1
            _oracle_run "$dir" freeipmi-sel-hex oracle_freeipmi "$dir" "$port" ipmi-sel --hex-dump || rc=1
            ;;
        *)
            echo "oracle_collect: unknown '$what'" >&2
            return 2
            ;;
    esac
    return "$rc"
}
