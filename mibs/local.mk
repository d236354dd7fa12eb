# IPMI-BRIDGE-MIB: installed where Net-SNMP's tools find it (configure
# --with-mibdir, default $(datadir)/snmp/mibs).  tests/integration/mib_check.sh
# lints it (smilint), loads it (snmptranslate) and checks a DESTDIR install.
dist_mib_DATA = mibs/IPMI-BRIDGE-MIB.txt
