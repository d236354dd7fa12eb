#!/usr/bin/env bash
# test_daemon_security.sh - the running daemon's privileges and secrets
# (issue 8):
#
#  * as root without a `user` setting it refuses to start, with a message
#    that names the way out (user = or --allow-root); an unknown user is
#    refused too;
#  * with user = "nobody" it opens its sockets, then runs as nobody
#    (/proc/PID/status: every uid and gid, supplementary groups) and still
#    polls; a SIGHUP re-reads the configuration as nobody, so a password
#    file only root can read is refused (the old configuration stays), and
#    one owned by nobody is accepted (at start as root too; another owner
#    is refused);
#  * the configured password and K_G appear nowhere: stdout and stderr at
#    -vv, the status file, state-dir and the SDR cache, /proc/PID/cmdline and
#    /proc/PID/environ.
#
#   make check TESTS=tests/bmcsim/test_daemon_security.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$BMCSIM_DIR/daemonlib.sh"

require_bmcsim
require_bridge
require_cmds python3 xxd
SIM_PASSWORD="Zq7-sEcr3t-pw0"
KG="Kg-Sec-Zz91-abcdefgh"
bmcsim_setup
PORT=$(free_port 4 27900) || bail_out "no free ports"
start_bmcsim sim --count 3 --base-port "$PORT" --seed 2 --tick-ms 0 --profile "$BMCSIM_DIR/small.profile" ||
    bail_out "bmcsim did not start"
write_secret "$RUNDIR/kg" "$KG"
CLOSED=$((PORT + 3))

# write_cfg DIR USERLINE: status file, state and cache under DIR
write_cfg() {
    cat > "$RUNDIR/bridge.conf" << EOF
timeout = 0.3
retries = 2
$2
state-dir = "$1/state"
sdr-cache-dir = "$1/sdr"
status-file = "$1/status.json"
status-interval = 1
sensor-interval = 3
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc-group "sim" { addresses = "127.0.0.1:[$PORT-$((PORT + 2))]"  name-format = "s%d" }
bmc "withkg" { address = "127.0.0.1"  port = $CLOSED  kg-file = "$RUNDIR/kg" }
EOF
}

# ---- root without user ------------------------------------------------------------
if (($(id -u) == 0)); then
    write_cfg "$RUNDIR/r" ""
    run_bridge noroot -c "$RUNDIR/bridge.conf" --no-agentx
    assert_eq "$BR_RC" 1 "root without a user setting: refused (exit 1)"
    assert_contains "$BR_ERR" "refusing to run as root" "the refusal says why"
    assert_contains "$BR_ERR" "user = " "it names the user setting"
    assert_contains "$BR_ERR" "--allow-root" "it names --allow-root"
    assert_cmd "nothing was written before the refusal" test ! -e "$RUNDIR/r/status.json"

    write_cfg "$RUNDIR/r" 'user = "no-such-user-zz9"'
    run_bridge nouser -c "$RUNDIR/bridge.conf" --no-agentx
    assert_eq "$BR_RC" 1 "an unknown user: refused (exit 1)"
    assert_contains "$BR_ERR" 'user = "no-such-user-zz9"' "the message names the user"
else
    note "not root: the refusal of root is not tested"
fi

# ---- user = "nobody" ----------------------------------------------------------------
NOBODY_UID=$(id -u nobody 2> /dev/null || echo "")
D=$RUNDIR/run
mkdir -p "$D"
ST=$D/status.json
if (($(id -u) == 0)) && [[ -n $NOBODY_UID ]]; then
    NOBODY_GID=$(id -g nobody)
    chmod 711 "$RUNDIR" # nobody passes through to its own directory only
    chown nobody: "$D"
    write_cfg "$D" 'user = "nobody"'
    daemon_start drop "$RUNDIR/bridge.conf" -vv --no-agentx
    polling() { [[ $(sq "$ST" 'f["states"]["polling"]') == 3 ]]; }
    wait_for 30 polling || note "status: $(cat "$ST" 2> /dev/null)" "$(tail -5 "$RUNDIR/drop.err")"
    assert_eq "$(sq "$ST" 'f["states"]["polling"]')" 3 "running as nobody, the daemon polls its BMCs"
    uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$DPID/status")
    gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$DPID/status")
    groups=$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$DPID/status" | xargs)
    assert_eq "$uids" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "real, effective, saved and fs uid are nobody's"
    assert_eq "$gids" "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" "every gid is nobody's primary group"
    assert_eq "$groups" "$(id -G nobody | tr ' ' '\n' | sort -n | xargs)" "supplementary groups are nobody's (initgroups)"
    assert_contains "$(cat "$RUNDIR/drop.err")" "running as user nobody" "the change of user is logged"
    assert_eq "$(stat -c %U "$ST")" nobody "the status file is written as nobody"

    # SIGHUP: the configuration is read again as nobody
    r0=$(sq "$ST" 'd["reload_errors"]')
    kill -HUP "$DPID"
    wait_for 10 test "$(sq "$ST" 'd["reload_errors"]')" != "$r0" || true
    assert_eq "$(sq "$ST" 'd["reload_errors"]')" $((r0 + 1)) "SIGHUP as nobody: a password file only root can read is refused"
    assert_contains "$(cat "$RUNDIR/drop.err")" "reload refused" "the refused reload is logged"
    assert_cmd "the daemon runs on after the refused reload" kill -0 "$DPID"
    chown nobody "$RUNDIR/pw" "$RUNDIR/kg"
    kill -HUP "$DPID"
    wait_for 10 test "$(sq "$ST" 'd["reloads"]')" -ge 1 || true
    assert_num ">=" "$(sq "$ST" 'd["reloads"]')" 1 "with the secret files owned by nobody the reload is accepted"
    assert_eq "$(sq "$ST" 'f["states"]["polling"]')" 3 "and the BMCs keep polling"
    run_bridge recheck -c "$RUNDIR/bridge.conf" --check-config
    assert_eq "$BR_RC" 0 "as root, secret files owned by the configured user are accepted too (start and reload agree)"
    write_secret "$RUNDIR/other.pw" "x"
    chown 1234 "$RUNDIR/other.pw"
    sed 's#password-file = "[^"]*"#password-file = "'"$RUNDIR"'/other.pw"#' "$RUNDIR/bridge.conf" > "$RUNDIR/other.conf"
    run_bridge othercheck -c "$RUNDIR/other.conf" --check-config
    assert_eq "$BR_RC" 1 "a secret file owned by some other user is refused"
    assert_contains "$BR_ERR" "owned by uid 1234" "the refusal names the owner"
else
    note "not root, or no user nobody: the change of user is not tested"
    write_cfg "$D" ""
    daemon_start drop "$RUNDIR/bridge.conf" -vv --allow-root --no-agentx
    polling() { [[ $(sq "$ST" 'f["states"]["polling"]') == 3 ]]; }
    wait_for 30 polling || true
fi

# ---- secrets -----------------------------------------------------------------------
status_now "$ST" || true
sleep 1
pw_hex=$(printf '%s' "$SIM_PASSWORD" | xxd -p | tr -d '\n')
kg_hex=$(printf '%s' "$KG" | xxd -p | tr -d '\n')
check_secret_free() { # WHAT TEXT
    assert_not_contains "$2" "$SIM_PASSWORD" "$1: no password"
    assert_not_contains "$2" "$KG" "$1: no K_G"
    assert_not_contains "${2,,}" "$pw_hex" "$1: no password in hex"
    assert_not_contains "${2,,}" "$kg_hex" "$1: no K_G in hex"
}
assert_num ">" "$(wc -l < "$RUNDIR/drop.err")" 10 "the -vv log has lines to look at"
check_secret_free "stdout and stderr (-vv)" "$(cat "$RUNDIR/drop.out" "$RUNDIR/drop.err")"
check_secret_free "status file" "$(cat "$ST")"
check_secret_free "state-dir and SDR cache" "$(cat "$D"/state/* "$D"/sdr/* 2> /dev/null | xxd -p | tr -d '\n')$(cat "$D"/state/* 2> /dev/null)"
check_secret_free "/proc/PID/cmdline" "$(tr '\0' ' ' < "/proc/$DPID/cmdline")"
check_secret_free "/proc/PID/environ" "$(tr '\0' '\n' < "/proc/$DPID/environ")"
assert_num ">" "$(sq "$ST" 'len(bmcs)')" 3 "the status file lists the BMCs, K_G one included"

daemon_stop
assert_eq "$DSTOP_RC" 0 "SIGTERM: exit 0"
stop_bmcsim
finish
