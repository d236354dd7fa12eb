# shellcheck shell=bash
# common.sh - shared helpers for the integration tests (sourced).
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
#
# Paths: `make check` exports top_srcdir and top_builddir (absolute); run
# standalone, both default to the repository root.  The bridge under test is
# $BRIDGE (default $top_builddir/ipmi-snmp-bridge).
#
# Output: one "ok - ..." / "not ok - ..." line per assertion, diagnostics as
# "# ..." lines, and finally "N passed, N failed" from `finish`, which exits
# non-zero when anything failed (or nothing was checked at all).  Exit codes
# follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
#
# Processes: everything a test starts is stopped by PID from an EXIT trap:
# simulators via ipmisim_stop, others registered with track_pid.  The run dir
# is removed afterwards unless a check failed or KEEP_RUNDIR=1.

TESTS_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top_srcdir="${top_srcdir:-$(cd "$TESTS_LIB_DIR/../.." && pwd)}"
top_builddir="${top_builddir:-$top_srcdir}"
export top_srcdir top_builddir
BRIDGE="${BRIDGE:-$top_builddir/ipmi-snmp-bridge}"
JSONQ="$TESTS_LIB_DIR/jsonq.py"
# a hung bridge must not hang `make check`: every run gets this many seconds
BRIDGE_GUARD_TIMEOUT="${BRIDGE_GUARD_TIMEOUT:-60}"

# shellcheck source=tests/lib/ipmisim.sh
. "$TESTS_LIB_DIR/ipmisim.sh"

TEST_NAME="$(basename "${0%.sh}")"
T_PASSED=0
T_FAILED=0
T_INTERRUPTED=0
RUNDIR=""
SIM_RUNDIRS=()
TRACKED_PIDS=()

# ---- diagnostics and assertions ---------------------------------------------

note() {
    local line
    while IFS= read -r line; do printf '# %s\n' "$line"; done <<< "$*"
}

pass() {
    T_PASSED=$((T_PASSED + 1))
    printf 'ok - %s\n' "$1"
}

# fail MSG [DETAIL...]: each DETAIL is printed as "#   " lines
fail() {
    local d line
    T_FAILED=$((T_FAILED + 1))
    printf 'not ok - %s\n' "$1"
    shift
    for d in "$@"; do
        while IFS= read -r line; do printf '#   %s\n' "$line"; done <<< "$d"
    done
}

# assert_eq ACTUAL EXPECTED MSG
assert_eq() {
    if [[ $1 == "$2" ]]; then
        pass "$3"
    else
        fail "$3" "expected: '$2'" "     got: '$1'"
    fi
}

# assert_ne ACTUAL UNEXPECTED MSG
assert_ne() {
    if [[ $1 != "$2" ]]; then
        pass "$3"
    else
        fail "$3" "got the unexpected value '$1'"
    fi
}

# assert_match STRING ERE MSG
assert_match() {
    if [[ $1 =~ $2 ]]; then
        pass "$3"
    else
        fail "$3" "pattern: $2" "    text: $1"
    fi
}

# assert_no_match STRING ERE MSG
assert_no_match() {
    if [[ $1 =~ $2 ]]; then
        fail "$3" "pattern: $2" " matched: ${BASH_REMATCH[0]}" "    text: $1"
    else
        pass "$3"
    fi
}

# assert_contains HAYSTACK NEEDLE MSG   (fixed string; bash builtin only, so
# a secret used as NEEDLE never shows up in another process's arguments)
assert_contains() {
    if [[ $1 == *"$2"* ]]; then
        pass "$3"
    else
        fail "$3" "missing: $2" "   text: $1"
    fi
}

# assert_not_contains HAYSTACK NEEDLE MSG   (NEEDLE is not printed: may be secret)
assert_not_contains() {
    if [[ $1 == *"$2"* ]]; then
        fail "$3" "the text contains the forbidden string" "text: $1"
    else
        pass "$3"
    fi
}

# assert_num OP A B MSG - numeric (float) comparison, OP is one of < <= > >= ==
assert_num() {
    local op=$1 a=$2 b=$3 msg=$4
    if awk -v a="$a" -v b="$b" -v op="$op" 'BEGIN {
            if (a !~ /^-?[0-9]+(\.[0-9]+)?$/ || b !~ /^-?[0-9]+(\.[0-9]+)?$/) exit 2
            if (op == "<")  exit !(a + 0 <  b + 0)
            if (op == "<=") exit !(a + 0 <= b + 0)
            if (op == ">")  exit !(a + 0 >  b + 0)
            if (op == ">=") exit !(a + 0 >= b + 0)
            if (op == "==") exit !(a + 0 == b + 0)
            exit 2 }'; then
        pass "$msg"
    else
        fail "$msg" "expected $a $op $b"
    fi
}

# assert_cmd MSG CMD [ARG...]: passes if CMD exits 0 (its output is shown on failure)
assert_cmd() {
    local msg=$1 out rc=0
    shift
    out=$("$@" 2>&1) || rc=$?
    if ((rc == 0)); then
        pass "$msg"
    else
        fail "$msg" "command failed (exit $rc): $*" "$out"
    fi
}

# assert_one_line TEXT MSG: exactly one non-empty line
assert_one_line() {
    local n
    n=$(printf '%s\n' "$1" | grep -c .) || true
    if [[ -n $1 && $n == 1 && $1 != *$'\n'* ]]; then
        pass "$2"
    else
        fail "$2" "expected exactly one line, got $n:" "$1"
    fi
}

# run_checks CMD [ARG...]: run a checker that prints its own "ok - ..." /
# "not ok - ..." lines (e.g. tests/lib/oracle_compare.py); they are passed
# through and counted as if pass/fail had printed them.  A checker that exits
# non-zero (it could not read its input, or crashed) is one more failure.
run_checks() {
    local out rc=0 line
    out=$("$@" 2>&1) || rc=$?
    while IFS= read -r line; do
        case $line in
            "ok - "*) T_PASSED=$((T_PASSED + 1)) ;;
            "not ok - "*) T_FAILED=$((T_FAILED + 1)) ;;
        esac
        printf '%s\n' "$line"
    done <<< "$out"
    if ((rc != 0)); then
        fail "checker exited with status $rc: $*"
    fi
    return 0
}

# finish: summary line; exit 0 only if something was checked and all passed
finish() {
    echo "$T_PASSED passed, $T_FAILED failed"
    if ((T_FAILED > 0)); then
        exit 1
    fi
    if ((T_PASSED == 0)); then
        echo "# no checks ran"
        exit 1
    fi
    exit 0
}

# skip_all REASON: automake SKIP (exit 77)
skip_all() {
    echo "# SKIP $TEST_NAME: $*"
    exit 77
}

# bail_out REASON: automake hard ERROR (exit 99) - the test could not run
bail_out() {
    echo "Bail out! $*"
    T_FAILED=$((T_FAILED + 1))
    exit 99
}

# require_cmds CMD...: skip the test when a third-party tool is missing
require_cmds() {
    local c
    for c in "$@"; do
        command -v "$c" > /dev/null 2>&1 || skip_all "$c not found (see install-deps.sh)"
    done
}

# require_bridge: the binary under test must exist (a missing one is an
# error, not a skip: `make check` builds it first)
require_bridge() {
    [[ -x $BRIDGE ]] || bail_out "bridge binary not found: $BRIDGE (build it, or set top_builddir/BRIDGE)"
}

# ---- run dir, cleanup ---------------------------------------------------------

# make_rundir: RUNDIR=fresh private temp dir, cleaned up on exit
make_rundir() {
    RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/ipmi-bridge-$TEST_NAME.XXXXXX") || bail_out "mktemp failed"
    chmod 700 "$RUNDIR"
    trap _common_cleanup EXIT
    trap 'T_INTERRUPTED=1; exit 130' INT
    trap 'T_INTERRUPTED=1; exit 143' TERM
}

# track_pid PID NAME: stop PID on exit if /proc/PID/cmdline still contains NAME
track_pid() {
    TRACKED_PIDS+=("$1:$2")
}

# true if PID $1 is alive and its command line contains $2
pid_matches() {
    local cmd
    [[ -r /proc/$1/cmdline ]] || return 1
    { cmd=$(tr '\0' ' ' < "/proc/$1/cmdline"); } 2> /dev/null || return 1
    [[ -n $cmd && $cmd == *"$2"* ]]
}

# stop_pid PID NAME: TERM, wait up to 5 s, KILL; only if the PID is still NAME
stop_pid() {
    local pid=$1 name=$2 t
    pid_matches "$pid" "$name" || return 0
    kill -TERM "$pid" 2> /dev/null || return 0
    for ((t = 0; t < 100; t++)); do
        pid_matches "$pid" "$name" || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2> /dev/null || true
}

_common_cleanup() {
    local rc=$? e d
    for e in "${TRACKED_PIDS[@]}"; do
        stop_pid "${e%%:*}" "${e#*:}"
    done
    for d in "${SIM_RUNDIRS[@]}"; do
        ipmisim_stop "$d" || true
    done
    if [[ -n $RUNDIR && -d $RUNDIR ]]; then
        # kept for a look after a failure; a skip (77) is no failure
        if [[ ${KEEP_RUNDIR:-0} == 1 ]] || ((!T_INTERRUPTED && (T_FAILED > 0 || (rc != 0 && rc != 77)))); then
            echo "# run dir kept: $RUNDIR"
        else
            rm -rf "$RUNDIR"
        fi
    fi
    exit "$rc"
}

# start_sims N BASE [DIR]: ipmisim_start with cleanup registered; DIR
# defaults to $RUNDIR/sims.  Bails out if the simulators do not come up.
start_sims() {
    local dir=${3:-$RUNDIR/sims}
    SIM_RUNDIRS+=("$dir")
    ipmisim_start "$1" "$2" "$dir" || bail_out "could not start $1 ipmi_sim on ports $2.."
}

# ---- ports ------------------------------------------------------------------------

# free_port COUNT [START]: print a base port P such that udp P..P+COUNT-1 and
# tcp P+1000..P+COUNT-1+1000 (simulator consoles) are all unused.  Scans
# upwards from START in steps of COUNT; ports stay below 32768 (the start of
# Linux's ephemeral range).  Give each test file its own START so tests
# running in parallel (make -j) do not race for the same ports.
free_port() {
    local count=${1:-1} start=${2:-$((20000 + ($$ % 50) * 100))} base p ok
    local -A used_udp=() used_tcp=()
    for p in $(ipmisim_used_ports udp); do used_udp[$p]=1; done
    for p in $(ipmisim_used_ports tcp); do used_tcp[$p]=1; done
    for ((base = start; base + count - 1 + IPMISIM_CONSOLE_OFFSET < 32768; base += count)); do
        ok=1
        for ((p = base; p < base + count; p++)); do
            if [[ -n ${used_udp[$p]:-} || -n ${used_tcp[$((p + IPMISIM_CONSOLE_OFFSET))]:-} ]]; then
                ok=0
                break
            fi
        done
        if ((ok)); then
            echo "$base"
            return 0
        fi
    done
    echo "free_port: no free range of $count ports from $start" >&2
    return 1
}

# ---- files --------------------------------------------------------------------

# write_secret FILE CONTENT: CONTENT exactly (no newline added), mode 600,
# created with a private umask (never world-readable, not even briefly)
write_secret() {
    (umask 077 && printf '%s' "$2" > "$1") || bail_out "cannot write $1"
    chmod 600 "$1"
}

# ---- the bridge -----------------------------------------------------------------

# run_bridge TAG ARG...: run the bridge with a guard timeout.  Sets
#   BR_RC       exit status (124 = killed by the guard timeout)
#   BR_OUT      stdout (also in $RUNDIR/TAG.out)
#   BR_ERR      stderr (also in $RUNDIR/TAG.err)
#   BR_ELAPSED  wall clock seconds, e.g. 0.042
run_bridge() {
    local tag=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    BR_RC=0
    timeout -k 5 "$BRIDGE_GUARD_TIMEOUT" "$BRIDGE" "$@" \
        > "$RUNDIR/$tag.out" 2> "$RUNDIR/$tag.err" < /dev/null || BR_RC=$?
    t1=$(date +%s.%N)
    BR_ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    BR_OUT=$(cat "$RUNDIR/$tag.out")
    BR_ERR=$(cat "$RUNDIR/$tag.err")
    if ((BR_RC == 124 || BR_RC == 137)); then
        note "bridge run '$tag' was killed by the ${BRIDGE_GUARD_TIMEOUT}s guard timeout"
    elif ((BR_RC >= 128)); then
        note "bridge run '$tag' died from signal $((BR_RC - 128))"
    fi
}

# show_bridge_run: print the last run's output as diagnostics
show_bridge_run() {
    note "exit status $BR_RC after ${BR_ELAPSED}s"
    [[ -n $BR_OUT ]] && note "stdout:" "$BR_OUT"
    [[ -n $BR_ERR ]] && note "stderr:" "$BR_ERR"
    return 0
}

# jq_get FILE PATH: value at PATH in JSON FILE (see jsonq.py); "<missing>" if absent
jq_get() {
    python3 "$JSONQ" "$1" "$2" 2> /dev/null || true
}

# write_bmc_block FILE NAME PORT PASSWORD-FILE [SUITES] [USER] [PRIV]:
# append one bmc section to a bridge config file
write_bmc_block() {
    local file=$1 name=$2 port=$3 pwfile=$4 suites=${5:-3} user=${6:-admin} priv=${7:-admin}
    cat >> "$file" << EOF
bmc "$name" {
    address = "127.0.0.1"
    port = $port
    username = "$user"
    password-file = "$pwfile"
    cipher-suites = {$suites}
    privilege = "$priv"
}
EOF
}

# write_config_head FILE [TIMEOUT] [RETRIES]: start a bridge config file
write_config_head() {
    cat > "$1" << EOF
# written by $TEST_NAME
timeout = ${2:-0.5}
retries = ${3:-2}
EOF
}

# ---- ipmitool -------------------------------------------------------------------

# ipmitool_field TEXT LABEL: the value after "LABEL<blanks>:" in ipmitool's
# "Label   : value" output, trimmed
ipmitool_field() {
    printf '%s\n' "$1" | awk -v want="$2" '
        { i = index($0, ":"); if (i == 0) next
          label = substr($0, 1, i - 1); sub(/[ \t]+$/, "", label)
          if (label != want) next
          v = substr($0, i + 1); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
          print v; exit }'
}
