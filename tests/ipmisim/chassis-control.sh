#!/bin/sh
# chassis-control.sh - ipmi_sim `chassis_control` program for the test BMC.
#
#   chassis-control.sh STATE-DIR get PARM...          -> prints "PARM:VALUE" lines
#   chassis-control.sh STATE-DIR set PARM VALUE...    -> prints nothing on success
#
# ipmi_sim appends "get power" for Get Chassis Status and "set power 0|1",
# "set reset 1", "set boot X" for Chassis Control / boot options.  Errors
# go to stdout (ipmi_sim logs them) with a non-zero exit.
#
# State: STATE-DIR/power holds 0 or 1 (written by tests/lib/ipmisim.sh at
# start, so a test decides whether the chassis starts powered on);
# STATE-DIR/boot holds the boot device.  A test may also change the power
# state behind the BMC's back: echo 1 > RUNDIR/NAME/power
# Every "set" is appended, as received, to STATE-DIR/control.log (one line
# per call: "set PARM VALUE..."), so a test can tell what the BMC was asked.
set -u

dir=${1:-}
op=${2:-}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "chassis-control: no state directory given"
    exit 1
fi
shift 2 || exit 1

get() {
    # $1 = file, $2 = default
    if [ -r "$dir/$1" ]; then
        cat "$dir/$1"
    else
        echo "$2"
    fi
}

case $op in
    get)
        for parm in "$@"; do
            case $parm in
                power) echo "power:$(get power 0)" ;;
                boot) echo "boot:$(get boot default)" ;;
                *) echo "invalid parameter: $parm"; exit 1 ;;
            esac
        done
        ;;
    set)
        echo "set $*" >> "$dir/control.log"
        while [ $# -ge 2 ]; do
            parm=$1 val=$2
            shift 2
            case $parm in
                power)
                    case $val in
                        0|1) echo "$val" > "$dir/power" ;;
                        *) echo "invalid power value: $val"; exit 1 ;;
                    esac
                    ;;
                reset) ;;   # a pulse; nothing to remember
                boot)
                    case $val in
                        none|pxe|cdrom|bios|default) echo "$val" > "$dir/boot" ;;
                        *) echo "invalid boot value: $val"; exit 1 ;;
                    esac
                    ;;
                identify)
                    # "identify INTERVAL FORCE": one more argument
                    [ $# -ge 1 ] && shift
                    ;;
                *) echo "invalid parameter: $parm"; exit 1 ;;
            esac
        done
        if [ $# -ne 0 ]; then
            echo "missing value for $1"
            exit 1
        fi
        ;;
    check)
        exit 1   # "check" is not supported for chassis control
        ;;
    *)
        echo "unknown operation: $op"
        exit 1
        ;;
esac
exit 0
