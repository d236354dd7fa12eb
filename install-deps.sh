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

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
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
