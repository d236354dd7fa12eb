#!/usr/bin/env bash
# once_failures.sh - how `ipmi-snmp-bridge --once` and `--check-config`
# report failures.
#
#   make check TESTS=tests/integration/once_failures.sh
#   bash tests/integration/once_failures.sh            (from the repo root)
#
#   wrong password     -> state auth_failed, exit != 0, ONE error line naming
#                         the BMC and its address; the password appears
#                         neither in stdout/stderr nor in `ps` output
#   closed port        -> state unreachable after the documented retransmit
#                         schedule: attempt k waits timeout * 2^k, at most
#                         4 * timeout, so the budget is the sum over the
#                         retries+1 attempts (asserted bound: budget * 3 + 2 s);
#                         and never later than session-timeout (a second run
#                         with a short session-timeout, bound: it + 2 s)
#   cipher suite 17    -> state cipher (ipmi_sim has no SHA-256); the error
#                         lists the suites the BMC offers (must mention 3)
#   password file 640/604 -> --check-config exit 1 naming the file with a
#                         "chmod 600"-style hint
#   syntax error       -> --check-config exit 1, "FILE:LINE:" with the right line
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

require_cmds ipmi_sim sdrcomp ss python3 timeout ps
require_bridge
make_rundir

SIMPORT=$(free_port 1 21100) || bail_out "no free port"
start_sims 1 "$SIMPORT"
CLOSED=$(free_port 1 21150) || bail_out "no free port"
note "ipmi_sim on udp 127.0.0.1:$SIMPORT; nothing on udp 127.0.0.1:$CLOSED"

TIMEOUT=0.5
RETRIES=2
# distinctive, so any appearance in output is a leak (checked with bash
# builtins only: the secret never becomes another process's argument)
WRONG_PW="Wr0ng-pw-7c1eQz"
write_secret "$RUNDIR/wrong.pw" "$WRONG_PW"
write_secret "$RUNDIR/admin.pw" password

# lines of TEXT that contain WORD (fixed string)
lines_with() {
    local line out=""
    while IFS= read -r line; do
        [[ $line == *"$2"* ]] && out+="$line"$'\n'
    done <<< "$1"
    printf '%s' "${out%$'\n'}"
}

# ---- wrong password ---------------------------------------------------------------
CFG=$RUNDIR/wrongpw.conf
write_config_head "$CFG" "$TIMEOUT" "$RETRIES"
write_bmc_block "$CFG" badpw "$SIMPORT" "$RUNDIR/wrong.pw" 3 admin admin

run_bridge wrongpw-json -c "$CFG" --once --json
J=$RUNDIR/wrongpw-json.out
assert_ne "$BR_RC" 0 "wrong password: --once --json exits non-zero"
assert_eq "$(jq_get "$J" bmcs.0.state)" auth_failed "wrong password: state is auth_failed"
err=$(jq_get "$J" bmcs.0.error)
assert_one_line "$err" "wrong password: JSON error is one line"
assert_contains "$err" badpw "wrong password: JSON error names the BMC (badpw)"
assert_contains "$err" "127.0.0.1:$SIMPORT" "wrong password: JSON error names the address (127.0.0.1:$SIMPORT)"
assert_not_contains "$BR_OUT$BR_ERR" "$WRONG_PW" "wrong password: the password is not in stdout/stderr (--json)"
[[ $(jq_get "$J" bmcs.0.state) == auth_failed ]] || show_bridge_run

run_bridge wrongpw-human -c "$CFG" --once
assert_ne "$BR_RC" 0 "wrong password: --once exits non-zero"
named=$(lines_with "$BR_ERR" badpw)
assert_one_line "$named" "wrong password: stderr has exactly one line naming the BMC"
assert_contains "$named" "127.0.0.1:$SIMPORT" "wrong password: that stderr line names the address"
assert_not_contains "$BR_OUT$BR_ERR" "$WRONG_PW" "wrong password: the password is not in stdout/stderr (human)"
[[ -n $named ]] || show_bridge_run

# ---- the password in `ps` while the bridge runs -------------------------------------
# A second, unreachable BMC keeps the process alive for about
# timeout * (retries + 1), so ps gets to see it.
CFG=$RUNDIR/ps.conf
write_config_head "$CFG" "$TIMEOUT" "$RETRIES"
write_bmc_block "$CFG" badpw "$SIMPORT" "$RUNDIR/wrong.pw" 3 admin admin
write_bmc_block "$CFG" slow "$CLOSED" "$RUNDIR/admin.pw" 3 admin admin
timeout -k 5 "$BRIDGE_GUARD_TIMEOUT" "$BRIDGE" -c "$CFG" --once \
    > "$RUNDIR/ps.out" 2> "$RUNDIR/ps.err" < /dev/null &
bpid=$!
track_pid "$bpid" "$BRIDGE"
# right after the fork the child is still a copy of this shell: wait for the exec
for ((t = 0; t < 200; t++)); do
    pid_matches "$bpid" "$BRIDGE" && break
    kill -0 "$bpid" 2> /dev/null || break
    sleep 0.01
done
samples=0 seen=0 leak=""
while pid_matches "$bpid" "$BRIDGE"; do
    snap=$(ps -ww -eo pid=,args= 2> /dev/null) || true
    samples=$((samples + 1))
    [[ $snap == *"$BRIDGE"*"$CFG"* ]] && seen=$((seen + 1))
    if [[ $snap == *"$WRONG_PW"* ]]; then
        leak=$(lines_with "$snap" "$WRONG_PW")
    fi
    sleep 0.02
done
rc=0
wait "$bpid" || rc=$?
note "ps sampled $samples times, saw the bridge in $seen of them (bridge exit $rc)"
assert_num ">=" "$seen" 1 "ps: at least one sample saw the bridge running"
if [[ -z $leak ]]; then
    pass "ps: the password never appears in any process's arguments"
else
    fail "ps: the password never appears in any process's arguments" "$leak"
fi
assert_not_contains "$(cat "$RUNDIR/ps.out" "$RUNDIR/ps.err")" "$WRONG_PW" "ps run: the password is not in stdout/stderr"

# ---- unreachable: nothing listens on the port -----------------------------------------
if ss -Huan "sport = :$CLOSED" | grep -q .; then
    bail_out "udp port $CLOSED was expected to be closed"
fi
CFG=$RUNDIR/closed.conf
write_config_head "$CFG" "$TIMEOUT" "$RETRIES"
write_bmc_block "$CFG" closed "$CLOSED" "$RUNDIR/admin.pw" 3 admin admin
# the retransmit schedule documented in ipmi-snmp-bridge.conf(5)
budget=$(awk -v t="$TIMEOUT" -v r="$RETRIES" 'BEGIN { s = 0; w = t; for (k = 0; k <= r; k++) { s += w; if (w < 4 * t) w *= 2; if (w > 4 * t) w = 4 * t } printf "%.2f", s }')
limit=$(awk -v b="$budget" 'BEGIN { printf "%.2f", b * 3 + 2 }')

run_bridge closed -c "$CFG" --once --json
J=$RUNDIR/closed.out
note "figure: unreachable BMC reported after ${BR_ELAPSED} s = $(awk -v e="$BR_ELAPSED" -v b="$budget" 'BEGIN { printf "%.1f", e / b }') x the retransmit budget = $budget s"
assert_ne "$BR_RC" 0 "closed port: --once --json exits non-zero"
assert_eq "$(jq_get "$J" bmcs.0.state)" unreachable "closed port: state is unreachable"
err=$(jq_get "$J" bmcs.0.error)
assert_one_line "$err" "closed port: JSON error is one line"
assert_contains "$err" closed "closed port: JSON error names the BMC (closed)"
assert_contains "$err" "127.0.0.1:$CLOSED" "closed port: JSON error names the address"
assert_num "<=" "$BR_ELAPSED" "$limit" "closed port: gives up within the timeout budget (${BR_ELAPSED}s <= ${limit}s)"
[[ $(jq_get "$J" bmcs.0.state) == unreachable ]] || show_bridge_run

# session-timeout caps session establishment whatever the retries
CFG=$RUNDIR/closed-st.conf
write_config_head "$CFG" 0.5 8
echo "session-timeout = 1.2" >> "$CFG"
write_bmc_block "$CFG" closed "$CLOSED" "$RUNDIR/admin.pw" 3 admin admin
run_bridge closed-st -c "$CFG" --once --json
J=$RUNDIR/closed-st.out
note "figure: unreachable with session-timeout 1.2 s (retries 8) reported after ${BR_ELAPSED} s"
assert_eq "$(jq_get "$J" bmcs.0.state)" unreachable "session-timeout: state is unreachable"
assert_contains "$(jq_get "$J" bmcs.0.error)" "session-timeout" "session-timeout: the error says the session-timeout was reached"
assert_num "<=" "$BR_ELAPSED" 3.2 "session-timeout: gives up by session-timeout + 2 s (${BR_ELAPSED}s <= 3.2s)"

# ---- cipher suite 17 (HMAC-SHA256): not implemented by ipmi_sim ---------------------------
CFG=$RUNDIR/cipher.conf
write_config_head "$CFG" "$TIMEOUT" "$RETRIES"
write_bmc_block "$CFG" sha256 "$SIMPORT" "$RUNDIR/admin.pw" 17 admin admin

run_bridge cipher -c "$CFG" --once --json
J=$RUNDIR/cipher.out
assert_ne "$BR_RC" 0 "cipher 17: --once --json exits non-zero"
assert_eq "$(jq_get "$J" bmcs.0.state)" cipher "cipher 17: state is cipher"
err=$(jq_get "$J" bmcs.0.error)
assert_one_line "$err" "cipher 17: JSON error is one line"
assert_contains "$err" sha256 "cipher 17: JSON error names the BMC (sha256)"
assert_contains "$err" "127.0.0.1:$SIMPORT" "cipher 17: JSON error names the address"
# the offered list must include suite 3; drop name and address first so a
# digit 3 in them cannot count
rest=${err//127.0.0.1:$SIMPORT/}
rest=${rest//sha256/}
assert_match "$rest" '(^|[^0-9])3([^0-9]|$)' "cipher 17: JSON error lists the offered suites (mentions 3)"
[[ $(jq_get "$J" bmcs.0.state) == cipher ]] || show_bridge_run

# ---- password file permissions --------------------------------------------------------------
write_secret "$RUNDIR/perm.pw" password
CFG=$RUNDIR/perm.conf
write_config_head "$CFG" "$TIMEOUT" "$RETRIES"
write_bmc_block "$CFG" perm "$SIMPORT" "$RUNDIR/perm.pw" 3 admin admin

run_bridge perm600 -c "$CFG" --check-config
assert_eq "$BR_RC" 0 "mode 600 password file: --check-config exits 0"
((BR_RC == 0)) || show_bridge_run

HINT='chmod[[:space:]]+(0?600|u=rw,go=|go-rwx|og-rwx|go=|g-rwx,o-rwx)'
for mode in 640 604; do
    chmod "$mode" "$RUNDIR/perm.pw"
    run_bridge "perm$mode" -c "$CFG" --check-config
    assert_eq "$BR_RC" 1 "mode $mode password file: --check-config exits 1"
    assert_contains "$BR_ERR" "$RUNDIR/perm.pw" "mode $mode: the error names the password file"
    assert_match "$BR_ERR" "$HINT" "mode $mode: the error gives a 'chmod 600' hint"
    ((BR_RC == 1)) || show_bridge_run
done
chmod 640 "$RUNDIR/perm.pw"
run_bridge perm640-once -c "$CFG" --once --json
assert_ne "$BR_RC" 0 "mode 640 password file: --once refuses to run too"
assert_contains "$BR_ERR" "$RUNDIR/perm.pw" "mode 640: --once names the password file"
chmod 600 "$RUNDIR/perm.pw"

# ---- syntax errors: FILE:LINE ------------------------------------------------------------------
# line 3 is broken
CFG=$RUNDIR/syntax1.conf
printf '%s\n' 'timeout = 0.5' 'retries = 2' 'retries = = 2' > "$CFG"
run_bridge syntax1 -c "$CFG" --check-config
assert_eq "$BR_RC" 1 "syntax error: --check-config exits 1"
assert_contains "$BR_ERR" "$CFG:3:" "syntax error on line 3: message starts with FILE:3:"

# the same in a file with comments, as real configs have; line 7 is broken
CFG=$RUNDIR/syntax2.conf
cat > "$CFG" << EOF
# bridge configuration
timeout = 0.5    # seconds per attempt
retries = 2
# the simulator
bmc "sim01" {
    address = "127.0.0.1"
    port = = $SIMPORT
    username = "admin"
    password-file = "$RUNDIR/admin.pw"
}
EOF
run_bridge syntax2 -c "$CFG" --check-config
assert_eq "$BR_RC" 1 "syntax error after comments: --check-config exits 1"
assert_contains "$BR_ERR" "$CFG:7:" "syntax error on line 7 after comment lines: message has FILE:7:"
[[ $BR_ERR == *"$CFG:7:"* ]] || show_bridge_run

# an unknown option is reported with its line too
CFG=$RUNDIR/unknown.conf
printf '%s\n' 'timeout = 0.5' '' 'no-such-option = 1' > "$CFG"
run_bridge unknown -c "$CFG" --check-config
assert_eq "$BR_RC" 1 "unknown option: --check-config exits 1"
assert_contains "$BR_ERR" "$CFG:3:" "unknown option on line 3: message has FILE:3:"

finish
