#!/usr/bin/env bash
# deb_install.sh - the Debian package, end to end: from the distribution
# tree (make distdir, so a file missing from EXTRA_DIST fails here too),
# dpkg-buildpackage -us -uc -b; lintian on the .deb (no errors; warnings
# are shown and explained in debian/README.source); dpkg -i; then what was
# installed: the system user, the binary in /usr/sbin, --version, the unit
# (systemd-analyze verify), the configuration's owner and mode, the MIB where
# Net-SNMP looks, the man pages, the snmpd snippet and templates.  Purges the
# package at the end.
#
# Root only (dpkg -i); skipped (77) otherwise or when the package is already
# installed (an operator's installation is never touched).  It rebuilds the
# whole project (a few minutes), so it is not part of `make check`: .ci/run
# runs it as its own step.
#
#   sudo tests/pkg/deb_install.sh        (from a configured build tree)
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

[[ $(id -u) == 0 ]] || skip_all "needs root (dpkg -i)"
require_cmds dpkg-buildpackage dh lintian fakeroot systemd-analyze make
if dpkg-query -W -f='${Status}' ipmi-snmp-bridge 2> /dev/null | grep -q 'installed'; then
    skip_all "ipmi-snmp-bridge is installed on this machine; not touching it"
fi
[[ -f $top_builddir/Makefile ]] || bail_out "run from a configured build tree ($top_builddir/Makefile missing)"
make_rundir
INSTALLED=0
purge() {
    if ((INSTALLED)); then
        dpkg --purge ipmi-snmp-bridge > "$RUNDIR/purge.log" 2>&1 || true
    fi
}
trap 'purge; _common_cleanup' EXIT

SRC=$RUNDIR/ipmi-snmp-bridge
make -s -C "$top_builddir" distdir distdir="$SRC" > "$RUNDIR/distdir.log" 2>&1 ||
    bail_out "make distdir failed: $(tail -5 "$RUNDIR/distdir.log")"
[[ -d $SRC/debian ]] || bail_out "debian/ is not in the distribution (EXTRA_DIST)"

note "dpkg-buildpackage -us -uc -b (log: $RUNDIR/build.log)"
if (cd "$SRC" && dpkg-buildpackage -us -uc -b) > "$RUNDIR/build.log" 2>&1; then
    pass "dpkg-buildpackage -us -uc -b"
else
    fail "dpkg-buildpackage failed" "$(tail -30 "$RUNDIR/build.log")"
    finish
fi
DEB=$(ls "$RUNDIR"/ipmi-snmp-bridge_*.deb 2> /dev/null | grep -v dbgsym | head -1)
[[ -n $DEB ]] || bail_out "no .deb produced"

contents=$(dpkg-deb -c "$DEB")
paths=$(dpkg-deb -c "$DEB" | awk '{ print $6 }')
for f in ./usr/sbin/ipmi-snmp-bridge ./lib/systemd/system/ipmi-snmp-bridge.service \
    ./etc/ipmi-snmp-bridge/ipmi-snmp-bridge.conf ./etc/ipmi-snmp-bridge/conf.d/ \
    ./usr/share/man/man8/ipmi-snmp-bridge.8.gz ./usr/share/man/man5/ipmi-snmp-bridge.conf.5.gz \
    ./usr/share/ipmi-snmp-bridge/snmpd.conf.d/ipmi-snmp-bridge.conf \
    ./usr/share/ipmi-snmp-bridge/zabbix/ipmi-snmp-bridge.yaml \
    ./usr/share/ipmi-snmp-bridge/nagios/ipmi-snmp-bridge.cfg \
    ./usr/share/snmp/mibs/IPMI-BRIDGE-MIB.txt; do
    assert_cmd "the package holds $f" grep -qxF "$f" <<< "$paths"
done
assert_no_match "$contents" "bmcsim" "the simulator is not packaged"
assert_match "$(dpkg-deb -f "$DEB" Depends)" "libsnmp40" "Depends from \${shlibs:Depends} (libsnmp40)"
assert_match "$(dpkg-deb -f "$DEB" Depends)" "libsystemd0" "Depends has libsystemd0 (sd_notify)"
assert_match "$(dpkg-deb -c "$DEB" | awk '$6 == "./etc/ipmi-snmp-bridge/ipmi-snmp-bridge.conf" { print $1 }')" \
    '^-rw-r-----$' "the configuration is mode 640 in the package"

lintian --tag-display-limit 0 "$DEB" > "$RUNDIR/lintian.log" 2>&1 || true
errors=$(grep -c '^E: ' "$RUNDIR/lintian.log" || true)
note "lintian:" "$(cat "$RUNDIR/lintian.log")"
assert_eq "$errors" 0 "lintian: no errors"

if dpkg -i "$DEB" > "$RUNDIR/dpkg.log" 2>&1; then
    INSTALLED=1
    pass "dpkg -i"
else
    INSTALLED=1
    fail "dpkg -i failed" "$(cat "$RUNDIR/dpkg.log")"
    finish
fi
note "postinst said:" "$(cat "$RUNDIR/dpkg.log")"
assert_contains "$(cat "$RUNDIR/dpkg.log")" "master agentx" "postinst prints the snmpd lines"
assert_cmd "system user ipmi-snmp-bridge exists" getent passwd ipmi-snmp-bridge
assert_eq "$(getent passwd ipmi-snmp-bridge | cut -d: -f7)" "/usr/sbin/nologin" "the user has no login shell"
assert_eq "$(/usr/sbin/ipmi-snmp-bridge --version | head -1)" \
    "ipmi-snmp-bridge $(sed -n 's/^ipmi-snmp-bridge (\([^)]*\)).*/\1/p' "$SRC/debian/changelog" | head -1)" \
    "ipmi-snmp-bridge --version gives the package version"
assert_eq "$(stat -c '%U:%G %a' /etc/ipmi-snmp-bridge/ipmi-snmp-bridge.conf)" "root:ipmi-snmp-bridge 640" \
    "the configuration: root:ipmi-snmp-bridge 640"
assert_eq "$(stat -c '%U:%G %a' /etc/ipmi-snmp-bridge/conf.d)" "root:ipmi-snmp-bridge 750" \
    "conf.d: root:ipmi-snmp-bridge 750"
if systemd-analyze verify /lib/systemd/system/ipmi-snmp-bridge.service > "$RUNDIR/verify.log" 2>&1; then
    pass "systemd-analyze verify ipmi-snmp-bridge.service"
else
    fail "systemd-analyze verify" "$(cat "$RUNDIR/verify.log")"
fi
systemd-analyze security --offline=true /lib/systemd/system/ipmi-snmp-bridge.service > "$RUNDIR/security.log" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$RUNDIR/security.log")
note "systemd-analyze security: exposure ${score:-?}"
assert_num "<" "${score:-10}" 2 "systemd-analyze security: exposure below 2 (OK)"
assert_cmd "the unit is enabled" test -L /etc/systemd/system/multi-user.target.wants/ipmi-snmp-bridge.service
# with the shipped configuration (no BMC in conf.d) the condition skips the start
assert_no_match "$(ls /etc/ipmi-snmp-bridge/conf.d)" '\.conf$' "conf.d is empty after install"
assert_match "$(grep -E '^ConditionPathExistsGlob=' /lib/systemd/system/ipmi-snmp-bridge.service)" \
    'conf\.d/\*\.conf' "the unit waits for conf.d/*.conf"
# the installed MIB loads with Net-SNMP's default search path
# (Debian's Net-SNMP lacks SNMPv2-SMI & co: the base modules of tests/mibs/base)
if command -v snmptranslate > /dev/null && [[ -s $top_srcdir/tests/mibs/base/SNMPv2-SMI.txt ]]; then
    assert_eq "$(MIBS="" snmptranslate -M "$top_srcdir/tests/mibs/base:/usr/share/snmp/mibs" -m IPMI-BRIDGE-MIB \
        -On IPMI-BRIDGE-MIB::ipmiBmcTable 2> "$RUNDIR/mib.err")" \
        ".1.3.6.1.4.1.8072.9999.9999.623.1.3" "snmptranslate finds the installed IPMI-BRIDGE-MIB in /usr/share/snmp/mibs"
fi
assert_cmd "man ipmi-snmp-bridge.conf(5) is installed" test -s /usr/share/man/man5/ipmi-snmp-bridge.conf.5.gz
# the shipped configuration parses (only the password file it names is missing)
out=$(/usr/sbin/ipmi-snmp-bridge -c /etc/ipmi-snmp-bridge/ipmi-snmp-bridge.conf --check-config 2>&1 || true)
note "check-config of the shipped file: $out"
assert_match "$out" 'ipmi-snmp-bridge.conf:[0-9]+: (no bmc section here nor in the files include|password-file)' \
    "the shipped configuration parses and asks for BMCs in conf.d (or the password file)"

dpkg --purge ipmi-snmp-bridge > "$RUNDIR/purge.log" 2>&1 && INSTALLED=0
assert_eq "$INSTALLED" 0 "dpkg --purge"
assert_cmd "purge removes /etc/ipmi-snmp-bridge" test ! -e /etc/ipmi-snmp-bridge/ipmi-snmp-bridge.conf
finish
