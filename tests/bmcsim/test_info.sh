#!/usr/bin/env bash
# test_info.sh - POH counter, SEL clock offset, LAN configuration and DCMI
# power reading (issue 9, point 10): what `--once --json` reports equals
# what ipmitool prints (`chassis poh`, `sel time get`, `lan print`,
# `dcmi power reading`) for two simulated BMCs, and for an ipmi_sim BMC
# where ipmi_sim answers; what a BMC lacks reads "not_supported", and the
# BMC is still ok.
#
#   make check TESTS=tests/bmcsim/test_info.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds ipmitool python3 timeout
bmcsim_setup

PORT=$(free_port 2 26500) || bail_out "no free ports"
start_bmcsim sim --count 2 --base-port "$PORT" --seed 4 --tick-ms 0 || bail_out "bmcsim did not start"
note "$SIM_READY"

CFG=$RUNDIR/bridge.conf
cat > "$CFG" << EOF
timeout = 0.5
retries = 2
sdr-cache-dir = "$RUNDIR/sdr"
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc-group "sim" { addresses = "127.0.0.1:[$PORT-$((PORT + 1))]"  name-format = "sim%d" }
EOF

HAVE_IPMISIM=0
if command -v ipmi_sim > /dev/null && command -v sdrcomp > /dev/null; then
    SPORT=$(free_port 1 21600) || bail_out "no free port"
    start_sims 1 "$SPORT"
    write_secret "$RUNDIR/ipmisim.pw" password
    cat >> "$CFG" << EOF
bmc "ipmisim" { address = "127.0.0.1"  port = $SPORT  password-file = "$RUNDIR/ipmisim.pw"  cipher-suites = {3} }
EOF
    HAVE_IPMISIM=1
else
    note "ipmi_sim not installed: only bmcsim is compared"
fi

t_before=$(date +%s)
run_bridge once -c "$CFG" --once --json
t_after=$(date +%s)
[[ $BR_RC == 0 ]] || show_bridge_run
assert_eq "$BR_RC" 0 "--once --json exits 0"
JSON=$RUNDIR/once.out

# field NAME PATH: a value of one BMC from the bridge's JSON
field() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for b in d["bmcs"]:
    if b["name"] == sys.argv[2]:
        v = b
        for k in sys.argv[3].split("."):
            v = v[k] if isinstance(v, dict) else None
        print("null" if v is None else v); break
else:
    print("missing")' "$JSON" "$1" "$2"
}

# compare NAME PORT CIPHER USER PASSFILE-ARGS...: one BMC against ipmitool
compare() {
    local name=$1 port=$2 cipher=$3
    shift 3
    local IT=(timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$port" -U admin "$@" -C "$cipher")
    local out
    assert_eq "$(field "$name" state)" ok "$name: the BMC is ok"
    # chassis poh: "POH Counter  : 833 days, 8 hours" (or "... hours total (...)")
    if out=$("${IT[@]}" chassis poh 2>&1) && [[ $out == *"POH Counter"* ]]; then
        local hours
        hours=$(python3 -c 'import re,sys
t=sys.argv[1]
m=re.search(r"(\d+) days?, (\d+) hours?", t)
if m: print(int(m.group(1))*24+int(m.group(2)))
else:
    m=re.search(r"(\d+) hours total", t); print(m.group(1) if m else "?")' "$out")
        assert_eq "$(field "$name" poh_hours)" "$hours" "$name: poh_hours equals ipmitool chassis poh ($hours)"
    else
        assert_eq "$(field "$name" info_status.poh)" not_supported "$name: no POH counter: not_supported"
    fi
    # sel time get: "11/14/23 22:13:21 UTC" - the SEL clock; offset from ours
    if out=$("${IT[@]}" sel time get 2>&1) && [[ $out =~ ^[0-9]{2}/[0-9]{2}/[0-9]{2} ]]; then
        local now theirs
        now=$(date +%s)
        theirs=$(python3 -c 'import sys,calendar,time
t=time.strptime(" ".join(sys.argv[1].split()[:2]), "%m/%d/%y %H:%M:%S")
print(calendar.timegm(t) - int(sys.argv[2]))' "$out" "$now")
        local ours
        ours=$(field "$name" clock_offset_s)
        local diff=$((ours - theirs))
        ((diff < 0)) && diff=$((-diff))
        assert_num "<=" "$diff" $((5 + t_after - t_before)) "$name: clock_offset_s ($ours) matches ipmitool sel time get ($theirs)"
    else
        assert_match "$(field "$name" info_status.sel_time)" '^(not_supported|not_set)$' \
            "$name: no SEL time, or one counting from BMC init: not_supported or not_set (ipmitool: ${out%%$'\n'*})"
        assert_eq "$(field "$name" clock_offset_s)" null "$name: clock_offset_s is null"
    fi
    # lan print
    if out=$("${IT[@]}" lan print 2>&1) && [[ $out == *"IP Address  "* ]]; then
        assert_eq "$(field "$name" lan.ip)" "$(ipmitool_field "$out" "IP Address")" "$name: lan.ip equals ipmitool lan print"
        assert_eq "$(field "$name" lan.netmask)" "$(ipmitool_field "$out" "Subnet Mask")" "$name: lan.netmask"
        assert_eq "$(field "$name" lan.mac)" "$(ipmitool_field "$out" "MAC Address")" "$name: lan.mac"
        assert_eq "$(field "$name" lan.gateway)" "$(ipmitool_field "$out" "Default Gateway IP")" "$name: lan.gateway"
        local src vlan
        src=$(ipmitool_field "$out" "IP Address Source")
        case $src in
            "Static Address") src=static ;;
            "DHCP Address") src=dhcp ;;
            "BIOS Assigned Address") src=bios ;;
            *) src=other ;;
        esac
        [[ $(field "$name" lan.ip_source) == unspecified ]] && src=unspecified
        assert_eq "$(field "$name" lan.ip_source)" "$src" "$name: lan.ip_source"
        vlan=$(ipmitool_field "$out" "802.1q VLAN ID")
        [[ $vlan == Disabled || -z $vlan ]] && vlan=null
        assert_eq "$(field "$name" lan.vlan_id)" "$vlan" "$name: lan.vlan_id"
    else
        assert_eq "$(field "$name" info_status.lan)" not_supported "$name: no LAN parameters: not_supported"
    fi
    # dcmi power reading
    if out=$("${IT[@]}" dcmi power reading 2>&1) && [[ $out == *"Instantaneous power reading"* ]]; then
        local w
        for pair in "Instantaneous power reading:current_watts" "Minimum during sampling period:min_watts" \
            "Maximum during sampling period:max_watts" "Average power reading over sample period:average_watts"; do
            w=$(printf '%s\n' "$out" | awk -v k="${pair%%:*}" 'index($0, k) { for (i = 1; i <= NF; i++) if ($i == "Watts") print $(i - 1) }')
            assert_eq "$(field "$name" "dcmi_power.${pair##*:}")" "$w" "$name: dcmi_power.${pair##*:} equals ipmitool ($w W)"
        done
    else
        assert_eq "$(field "$name" info_status.dcmi)" not_supported "$name: no DCMI: not_supported (ipmitool: ${out%%$'\n'*})"
        assert_eq "$(field "$name" dcmi_power)" null "$name: dcmi_power is null"
    fi
}

compare "sim$PORT" "$PORT" 17 -f "$RUNDIR/pw"
compare "sim$((PORT + 1))" "$((PORT + 1))" 17 -f "$RUNDIR/pw"
assert_ne "$(field "sim$PORT" lan.mac)" "$(field "sim$((PORT + 1))" lan.mac)" "two BMCs, two MAC addresses"
if ((HAVE_IPMISIM)); then
    compare ipmisim "$SPORT" 3 -P password
fi
stop_bmcsim
finish
