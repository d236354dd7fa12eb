#!/usr/bin/env bash
# sel_incremental.sh - the bridge reads the SEL incrementally: after N new
# events only those N records are fetched, and a cleared SEL is noticed and
# re-read without duplicates or stale rows.  ("FRU and SEL" acceptance 2.)
#
#   make check TESTS=tests/integration/sel_incremental.sh
#   top_builddir=/tmp/b top_srcdir=$PWD bash tests/integration/sel_incremental.sh
#
# Scenario, against one ipmi_sim (its SEL starts with $IPMISIM_SEL_INITIAL
# records):
#   A. poll 1 reads the whole SEL; between the polls 5 events are added
#      through the simulator's console (ipmisim_sel_add); poll 2 must read
#      exactly those 5 records (sel_stats.entries_read of poll 2 == 5) and the
#      bridge's SEL must then be what ipmitool/FreeIPMI list: the 26 records,
#      each once.
#   B. poll 1 reads the SEL; between the polls `ipmitool sel clear` erases it
#      and 2 new events are added; poll 2 must notice the clear
#      (sel_stats.clears_detected == 1) and the SEL must be exactly the 2 new
#      records: no stale rows from before the clear, no duplicates.
#
# The bridge side: `--once --json --polls 2 --step` polls twice in one
# process (sessions, SDRs and SEL position kept), waits for a line on stdin
# before poll 2 and prints one compact JSON document per poll, each with
# bmcs[].sel_stats {entries_read, new_entries, cleared, clears_detected,
# ...} of that poll (clears_detected counts over the process).  The test
# waits for poll 1's line, acts on the simulator, then lets poll 2 run: no
# timing assumptions.  Everything it assumes about the bridge is in
# bridge_supports_polls / bridge_two_polls / poll_doc below; without the
# mode the simulator side is still checked and the test exits 77 (SKIP).
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=tests/lib/oracle.sh
. "$TESTS_LIB_DIR/oracle.sh"

require_cmds ipmi_sim sdrcomp ipmitool ipmi-sel ipmi-sensors ss python3 timeout mkfifo
require_bridge
make_rundir

# ---- the bridge interface this test relies on ------------------------------------------

# true if the bridge has the two-poll mode
bridge_supports_polls() {
    "$BRIDGE" --help 2>&1 | grep -q -- '--step'
}

# _lines FILE: number of complete lines in FILE
_lines() {
    wc -l < "$1" 2> /dev/null || echo 0
}

# bridge_two_polls TAG CFG HOOK...: run the bridge for two polls and HOOK (a
# command) between them.  Poll 1's JSON goes to $RUNDIR/TAG.poll1.json, poll
# 2's to TAG.poll2.json; sets BR_RC/BR_OUT/BR_ERR/BR_ELAPSED like run_bridge.
bridge_two_polls() {
    local tag=$1 cfg=$2 pid fd t t0 out
    out=$RUNDIR/$tag.out
    shift 2
    t0=$(date +%s.%N)
    rm -f "$RUNDIR/$tag.fifo"
    mkfifo "$RUNDIR/$tag.fifo"
    timeout -k 5 "$BRIDGE_GUARD_TIMEOUT" "$BRIDGE" -c "$cfg" --once --json --polls 2 --step \
        > "$out" 2> "$RUNDIR/$tag.err" < "$RUNDIR/$tag.fifo" &
    pid=$!
    track_pid "$pid" timeout
    exec {fd}> "$RUNDIR/$tag.fifo"
    # poll 1 is done when its JSON line is out (or the bridge is gone)
    for ((t = 0; t < 200 && $(_lines "$out") < 1; t++)); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    if (($(_lines "$out") >= 1)); then
        "$@" || fail "$tag: the action between the polls failed: $*"
    else
        fail "$tag: poll 1 printed its JSON line within 20 s"
    fi
    echo next >&"$fd"
    exec {fd}>&-
    BR_RC=0
    wait "$pid" || BR_RC=$?
    sed -n 1p "$out" > "$RUNDIR/$tag.poll1.json"
    sed -n 2p "$out" > "$RUNDIR/$tag.poll2.json"
    BR_OUT=$(cat "$out")
    BR_ERR=$(cat "$RUNDIR/$tag.err")
    BR_ELAPSED=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
    assert_eq "$(_lines "$out")" 2 "$tag: one JSON document per poll"
}

# poll_doc FILE FIELD: bmcs[0].sel_stats.FIELD of one poll's document
poll_doc() {
    jq_get "$1" "bmcs.0.sel_stats.$2"
}

# ---- the simulator side --------------------------------------------------------------
PORT=$(free_port 1 21700) || bail_out "no free port"
start_sims 1 "$PORT"
NAME=$(ipmisim_name 1)
note "ipmi_sim $NAME on udp 127.0.0.1:$PORT (run dir $RUNDIR)"
write_secret "$RUNDIR/$NAME.pw" password
CFG=$RUNDIR/bridge.conf
write_config_head "$CFG" 1 2
write_bmc_block "$CFG" "$NAME" "$PORT" "$RUNDIR/$NAME.pw" 3 admin admin

assert_eq "$(ipmisim_sel_count "$PORT")" "$IPMISIM_SEL_INITIAL" "SEL starts with $IPMISIM_SEL_INITIAL records"

# records as the clients list them: "ID|direction|reading" per line (ipmitool)
sel_rows() {
    ipmisim_ipmitool "$PORT" sel elist | awk -F'|' 'NF >= 6 { gsub(/ /, "", $1); print $1 "|" $6 "|" $7 }'
}

if bridge_supports_polls; then
    HAVE_POLLS=1
else
    HAVE_POLLS=0
    note "needs bridge support: no two-poll mode (--polls N --step) yet; checking the simulator side only"
fi

# A. 5 new events between the polls
if ((HAVE_POLLS)); then
    bridge_two_polls inc-a "$CFG" ipmisim_sel_add "$PORT" 5
else
    ipmisim_sel_add "$PORT" 5 || fail "ipmisim_sel_add added 5 records"
fi
AFTER_A=$((IPMISIM_SEL_INITIAL + 5))
assert_eq "$(ipmisim_sel_count "$PORT")" "$AFTER_A" "ipmisim_sel_add: $AFTER_A records after adding 5"
rows=$(sel_rows)
assert_eq "$(printf '%s\n' "$rows" | tail -n 5 | cut -d'|' -f2 | tr -d ' ' | tr '\n' ' ')" \
    "Asserted Deasserted Asserted Deasserted Asserted " "the 5 new records alternate asserted/deasserted"
assert_eq "$(printf '%s\n' "$rows" | cut -d'|' -f1 | sort | uniq -d | wc -l)" 0 "record IDs are unique"
ORACLE_A=$RUNDIR/oracle-a
oracle_collect sel "$ORACLE_A" "$PORT" || fail "clients read the SEL after adding 5 records"
run_checks python3 "$TESTS_LIB_DIR/oracle_compare.py" sel "$ORACLE_A"
assert_eq "$(python3 "$JSONQ" --len "$ORACLE_A/expected-sel.json" . 2>&1)" "$AFTER_A" \
    "ipmitool and FreeIPMI agree on $AFTER_A records"

if ((HAVE_POLLS)); then
    P1=$RUNDIR/inc-a.poll1.json P2=$RUNDIR/inc-a.poll2.json
    assert_eq "$BR_RC/$(jq_get "$P2" bmcs.0.state)" 0/ok "A: two polls: exit 0, state ok"
    ((BR_RC == 0)) || show_bridge_run
    note "A: poll 1 sel_stats $(jq_get "$P1" bmcs.0.sel_stats)" "A: poll 2 sel_stats $(jq_get "$P2" bmcs.0.sel_stats)"
    assert_eq "$(poll_doc "$P1" entries_read)" "$IPMISIM_SEL_INITIAL" \
        "A: poll 1 read the $IPMISIM_SEL_INITIAL records that were there"
    assert_eq "$(poll_doc "$P2" entries_read)/$(poll_doc "$P2" new_entries)" 5/5 \
        "A: poll 2 read exactly the 5 new records (sel_stats.entries_read, new_entries)"
    assert_eq "$(poll_doc "$P2" cleared)/$(poll_doc "$P2" clears_detected)" false/0 "A: no clear detected"
    # the bridge's SEL after poll 2: all 26 records, each once, as the clients list them
    run_checks python3 "$TESTS_LIB_DIR/oracle_compare.py" sel "$ORACLE_A" "$P2" 0
fi

# B. clear + 2 new events between the polls
clear_and_add() {
    ipmisim_sel_clear "$PORT" && ipmisim_sel_add "$PORT" 2 100
}
if ((HAVE_POLLS)); then
    bridge_two_polls inc-b "$CFG" clear_and_add
else
    clear_and_add || fail "ipmitool sel clear + ipmisim_sel_add 2"
fi
assert_eq "$(ipmisim_sel_count "$PORT")" 2 "after sel clear + 2 events the SEL has 2 records"
rows=$(sel_rows)
first_id=$(printf '%s\n' "$rows" | head -n 1 | cut -d'|' -f1)
assert_num ">" "$((16#$first_id))" "$AFTER_A" "record IDs continue after the clear (first is $((16#$first_id)))"
ORACLE_B=$RUNDIR/oracle-b
oracle_collect sel "$ORACLE_B" "$PORT" || fail "clients read the SEL after the clear"
run_checks python3 "$TESTS_LIB_DIR/oracle_compare.py" sel "$ORACLE_B"
assert_eq "$(python3 "$JSONQ" --len "$ORACLE_B/expected-sel.json" . 2>&1)" 2 "ipmitool and FreeIPMI agree on 2 records"

if ((HAVE_POLLS)); then
    P1=$RUNDIR/inc-b.poll1.json P2=$RUNDIR/inc-b.poll2.json
    assert_eq "$BR_RC/$(jq_get "$P2" bmcs.0.state)" 0/ok "B: two polls: exit 0, state ok"
    ((BR_RC == 0)) || show_bridge_run
    note "B: poll 1 sel_stats $(jq_get "$P1" bmcs.0.sel_stats)" "B: poll 2 sel_stats $(jq_get "$P2" bmcs.0.sel_stats)"
    assert_eq "$(poll_doc "$P1" entries_read)/$(poll_doc "$P1" clears_detected)" "$AFTER_A/0" \
        "B: poll 1 (a new process) read the $AFTER_A records, no clear"
    assert_eq "$(poll_doc "$P2" cleared)/$(poll_doc "$P2" clears_detected)" true/1 \
        "B: poll 2 detected the clear (sel_stats.cleared, clears_detected)"
    assert_eq "$(poll_doc "$P2" entries_read)" 2 "B: poll 2 read exactly the 2 records written after the clear"
    assert_eq "$(poll_doc "$P2" entries_kept)" 2 "B: the bridge keeps 2 records (sel_stats.entries_kept)"
    # exactly the 2 new records: no stale rows, no duplicates
    run_checks python3 "$TESTS_LIB_DIR/oracle_compare.py" sel "$ORACLE_B" "$P2" 0
fi

if ((!HAVE_POLLS)); then
    echo "$T_PASSED passed, $T_FAILED failed"
    ((T_FAILED == 0)) || exit 1
    skip_all "needs bridge support: a two-poll run mode (--once --json --polls 2 --step) and sel_stats"
fi
finish
