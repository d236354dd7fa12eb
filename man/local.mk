# fragment for man pages
dist_man_MANS += man/ipmi-snmp-bridge.conf.5
dist_man_MANS += man/ipmi-snmp-bridge.8
