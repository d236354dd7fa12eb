#!/usr/bin/env bash
# test_store_text.sh - texts from a BMC reach no output raw (issue 9, point 7).
#
# A bmcsim profile names a sensor with byte B0h (a Latin-1 degree sign, as
# BMC firmware writes "°C") and ESC (1Bh, the start of a terminal escape
# sequence), and puts ESC and B0h into FRU fields.  The bridge's snapshot
# builder cleans every text that comes from a BMC (src/store/text.h): the
# --once JSON must load with a strict UTF-8 JSON parser, B0h must arrive as
# U+00B0, and no ESC byte may appear in the JSON, the human table or the log.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3 timeout
bmcsim_setup
PORT=$(free_port 1 29700) || bail_out "no free port"

ESC=$'\x1b'
PROFILE=$RUNDIR/text.profile
# \xHH: a byte as the BMC sends it (tests/bmcsim/README.md, "Syntax")
cat > "$PROFILE" << 'P'
device product_id=0x0b02 manufacturer_id=32473 fw=1.05 name="SIM text" sel_capacity=16 sel_epoch=1700000000
sensor 0x01 "CPU \xb0C\x1b[2J" type=temperature threshold units=degrees_C nominal=50 drift=0 unc=85 uc=90 unr=95 hyst=2 entity=processor.1
sensor 0x02 "Plain Temp" type=temperature threshold units=degrees_C nominal=30 drift=0 unc=85 uc=90 hyst=1 entity=air_inlet.1
fru 0 "Main Board" entity=system_board.1
fru 0 product manufacturer="ACME\x1b]0;pwned\x07" name="Box \xb01" part="P1" version="1.0" serial="S\x1b1"
P

start_bmcsim text --count 1 --base-port "$PORT" --profile "$PROFILE" --seed 1 ||
    bail_out "bmcsim did not start with the profile: $(cat "$RUNDIR/text.err")"

CFG=$RUNDIR/bridge.conf
{
    echo "timeout = 0.5"
    echo "retries = 3"
    printf 'bmc "sim0" { address = "127.0.0.1"  port = %d  username = "admin"  password-file = "%s"  cipher-suites = {17} }\n' \
        "$PORT" "$RUNDIR/pw"
} > "$CFG"

rc=0
timeout 60 "$BRIDGE" -c "$CFG" --once --json -vv > "$RUNDIR/out.json" 2> "$RUNDIR/json.log" || rc=$?
assert_eq "$rc" 0 "--once --json exits 0"
rc=0
timeout 60 "$BRIDGE" -c "$CFG" --once -vv > "$RUNDIR/out.txt" 2> "$RUNDIR/human.log" || rc=$?
assert_eq "$rc" 0 "--once (table) exits 0"

# the raw SDR bytes did reach the bridge: the simulator serves them as given
if python3 - "$RUNDIR/out.json" > "$RUNDIR/check.txt" 2>&1 << 'PY'; then
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8", errors="strict")            # strict UTF-8
doc = json.loads(raw.decode("utf-8"))           # strict JSON
b = doc["bmcs"][0]
names = sorted(s["name"] for s in b["sensors"])
print("names:", names)
cpu = [s for s in b["sensors"] if s["number"] == 1][0]
assert cpu["name"].startswith("CPU \u00b0C"), cpu["name"]
assert "\x1b" not in cpu["name"] and "\ufffd" in cpu["name"], repr(cpu["name"])
prod = b["fru"][0]["product"]
assert prod["name"] == "Box \u00b01", repr(prod["name"])
assert "\x1b" not in prod["manufacturer"] and "\x1b" not in prod["serial_number"], repr(prod)
print("ok")
PY
    pass "JSON is strict UTF-8 JSON; B0h arrives as U+00B0, ESC as U+FFFD (SDR name and FRU fields)"
else
    fail "JSON is strict UTF-8 JSON; B0h arrives as U+00B0, ESC as U+FFFD (SDR name and FRU fields)" \
        "$(cat "$RUNDIR/check.txt")"
fi
for f in out.json out.txt json.log human.log; do
    assert_eq "$(grep -c "$ESC" "$RUNDIR/$f" || true)" 0 "no ESC byte in $f"
done
assert_num ">" "$(grep -c 'CPU °C' "$RUNDIR/out.txt" || true)" 0 "the table names the sensor 'CPU °C...'"

stop_bmcsim
finish
