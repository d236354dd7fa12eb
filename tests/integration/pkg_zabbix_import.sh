#!/usr/bin/env bash
# pkg_zabbix_import.sh - both Zabbix templates of conf/zabbix/ imported into a
# real Zabbix 6.0 (Debian 12's zabbix-frontend-php 6.0.14 and the schema of
# zabbix-server-pgsql): a private PostgreSQL cluster in the run dir (unix
# socket only), the Zabbix schema, images and data loaded, a private copy of
# the frontend served by `php -S` on a loopback port, and then
# tests/integration/zabbix_import.py: configuration.import of each template
# (what the web frontend's Import does), the objects Zabbix then holds
# compared with the file, and a broken copy refused.  About half a minute.
# Skips (77) when the Zabbix or PostgreSQL packages are not installed.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

FRONTEND=/usr/share/zabbix
SCHEMA=/usr/share/zabbix-server-pgsql
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)
[[ -f $FRONTEND/api_jsonrpc.php ]] || skip_all "zabbix-frontend-php missing (install-deps.sh)"
[[ -f $SCHEMA/schema.sql.gz ]] || skip_all "zabbix-server-pgsql missing (install-deps.sh)"
[[ -n $PGBIN && -x $PGBIN/initdb ]] || skip_all "postgresql missing (install-deps.sh)"
require_cmds php psql python3 zcat
php -m | grep -qi '^pgsql$' || skip_all "php-pgsql missing (install-deps.sh)"
python3 -c 'import yaml' 2> /dev/null || skip_all "python3-yaml missing"
make_rundir

# PostgreSQL refuses to run as root: then the cluster belongs to nobody
AS=()
if [[ $(id -u) == 0 ]]; then
    AS=(runuser -u nobody --)
fi
PG=$RUNDIR/pg
mkdir -p "$PG"
[[ ${#AS[@]} -eq 0 ]] || { chown nobody "$PG" && chmod 755 "$RUNDIR"; }
PGPORT=$(free_port 1 23400) || bail_out "no free port"
"${AS[@]}" "$PGBIN/initdb" -D "$PG/data" -U zabbix -A trust -E UTF8 --no-sync > "$RUNDIR/initdb.log" 2>&1 ||
    bail_out "initdb failed: $(tail -3 "$RUNDIR/initdb.log")"
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/log" -w -t 60 \
    -o "-k $PG -c listen_addresses= -p $PGPORT -c fsync=off" start > "$RUNDIR/pg_ctl.log" 2>&1 ||
    bail_out "postgres did not start: $(tail -3 "$PG/log")"
PGPID=$(head -1 "$PG/data/postmaster.pid")
track_pid "$PGPID" postgres
psql_z() { "${AS[@]}" psql -q -X -h "$PG" -p "$PGPORT" -U zabbix -v ON_ERROR_STOP=1 "$@"; }
"${AS[@]}" "$PGBIN/createdb" -h "$PG" -p "$PGPORT" -U zabbix zabbix || bail_out "createdb failed"
for f in schema images data; do
    zcat "$SCHEMA/$f.sql.gz" | psql_z zabbix > /dev/null 2> "$RUNDIR/$f.err" ||
        bail_out "loading $f.sql failed: $(tail -3 "$RUNDIR/$f.err")"
done
pass "Zabbix database created from $SCHEMA"

# the frontend, reading its configuration from the run dir
cp -a "$FRONTEND" "$RUNDIR/fe"
sed -i "s|const CONFIG_FILE_PATH = '[^']*';|const CONFIG_FILE_PATH = '$RUNDIR/zabbix.conf.php';|" \
    "$RUNDIR/fe/include/classes/core/CConfigFile.php"
grep -q "$RUNDIR/zabbix.conf.php" "$RUNDIR/fe/include/classes/core/CConfigFile.php" ||
    bail_out "cannot point the frontend at its configuration"
cat > "$RUNDIR/zabbix.conf.php" << EOF2
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '$PG';
\$DB['PORT'] = '$PGPORT';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '';
\$ZBX_SERVER_PORT = '';
\$ZBX_SERVER_NAME = '$TEST_NAME';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF2
WEBPORT=$(free_port 1 23410) || bail_out "no free port"
php -S "127.0.0.1:$WEBPORT" -t "$RUNDIR/fe" > "$RUNDIR/php.log" 2>&1 < /dev/null &
track_pid $! php
URL=http://127.0.0.1:$WEBPORT/api_jsonrpc.php
for ((t = 0; t < 100; t++)); do
    python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "http://127.0.0.1:$WEBPORT/" > /dev/null 2>&1 && break
    sleep 0.1
done

run_checks python3 "$top_srcdir/tests/integration/zabbix_import.py" "$URL" \
    "$top_srcdir/conf/zabbix/ipmi-snmp-bridge.yaml" "$top_srcdir/conf/zabbix/ipmi-snmp-bridge-host.yaml"

"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -m fast stop > /dev/null 2>&1 || true
finish
