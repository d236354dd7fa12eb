#!/bin/sh
# Install every Debian 12 package that ipmi-snmp-bridge needs to build, test,
# benchmark and run its demo.  Idempotent: when everything is present it does
# nothing and touches no network.  Uses sudo only when not already root.
set -eu

PACKAGES="
  build-essential autoconf automake libtool pkg-config
  libsnmp-dev libssl-dev libconfuse-dev libcunit1-dev libjson-c-dev
  openssl python3 iproute2 procps
  openipmi ipmitool freeipmi-tools
  snmpd snmp snmptrapd smitools monitoring-plugins-standard
  clang libclang-rt-14-dev valgrind hyperfine
"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
# npm fetches the base MIB modules below; any npm will do (Debian's package,
# or the one that comes with a nodejs from elsewhere)
command -v npm >/dev/null 2>&1 || missing="$missing npm"

# The IETF base MIB modules for the tests (Debian ships none: they are in
# non-free snmp-mibs-downloader).  SNMPv2-SMI, SNMPv2-TC and SNMPv2-CONF come
# from the npm registry's net-snmp package (lib/mibs/*.mib), pinned, into
# tests/mibs/base.  No network when they are already there.
NET_SNMP_NPM="net-snmp@3.29.2"
TOP=$(cd "$(dirname "$0")" && pwd)
BASE_MIBS="$TOP/tests/mibs/base"
base_mibs() {
    have=1
    for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF; do
        [ -s "$BASE_MIBS/$m.txt" ] || have=0
    done
    if [ "$have" = 1 ]; then
        echo "install-deps: base MIB modules present in $BASE_MIBS"
        return 0
    fi
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$NET_SNMP_NPM" > pack.name) || {
        rm -rf "$tmp"; echo "install-deps: npm pack $NET_SNMP_NPM failed" >&2; return 1; }
    tar -xzf "$tmp/$(cat "$tmp/pack.name")" -C "$tmp" package/lib/mibs
    mkdir -p "$BASE_MIBS"
    for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF; do
        cp "$tmp/package/lib/mibs/$m.mib" "$BASE_MIBS/$m.txt.new"
        mv "$BASE_MIBS/$m.txt.new" "$BASE_MIBS/$m.txt"
    done
    rm -rf "$tmp"
    echo "install-deps: base MIB modules from $NET_SNMP_NPM in $BASE_MIBS"
}

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    base_mibs
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: not root and no sudo; please install:$missing" >&2
    exit 1
fi

echo "install-deps: installing$missing"
$SUDO apt-get update -qq
# snmpd's package starts a system snmpd on udp/161; our tests never use it.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
base_mibs
