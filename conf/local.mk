# fragment for conf/ (see Makefile.am): what `make install` puts outside the
# binary and the man pages.
#
#   $(sysconfdir)/ipmi-snmp-bridge/ipmi-snmp-bridge.conf   example, mode 640,
#                                   never overwritten (an existing file stays)
#   $(sysconfdir)/ipmi-snmp-bridge/conf.d/                  empty
#   $(systemdsystemunitdir)/ipmi-snmp-bridge.service        paths substituted
#   $(pkgdatadir)/snmpd.conf.d, zabbix, nagios, systemd     examples to copy
bridgeconfdir = $(sysconfdir)/ipmi-snmp-bridge

systemdsystemunit_DATA = conf/ipmi-snmp-bridge.service
CLEANFILES += conf/ipmi-snmp-bridge.service

conf/ipmi-snmp-bridge.service: $(srcdir)/conf/ipmi-snmp-bridge.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    -e 's|@pkgdatadir[@]|$(pkgdatadir)|g' $(srcdir)/conf/ipmi-snmp-bridge.service.in > $@.tmp && \
	mv $@.tmp $@

snmpdconfdir = $(pkgdatadir)/snmpd.conf.d
dist_snmpdconf_DATA = conf/snmpd.conf.d/ipmi-snmp-bridge.conf
zabbixdir = $(pkgdatadir)/zabbix
dist_zabbix_DATA = conf/zabbix/ipmi-snmp-bridge.yaml conf/zabbix/ipmi-snmp-bridge-host.yaml
nagiosdir = $(pkgdatadir)/nagios
dist_nagios_DATA = conf/nagios/ipmi-snmp-bridge.cfg
systemddropindir = $(pkgdatadir)/systemd
dist_systemddropin_DATA = conf/systemd/pet-listen-162.conf

EXTRA_DIST += conf/ipmi-snmp-bridge.service.in conf/README.md conf/zabbix/mktemplate.py

install-data-local: install-bridge-conf
uninstall-local: uninstall-bridge-conf
.PHONY: install-bridge-conf uninstall-bridge-conf
install-bridge-conf:
	$(MKDIR_P) '$(DESTDIR)$(bridgeconfdir)/conf.d'
	@if test -f '$(DESTDIR)$(bridgeconfdir)/ipmi-snmp-bridge.conf'; then \
	    echo "$(DESTDIR)$(bridgeconfdir)/ipmi-snmp-bridge.conf exists: kept (example not installed)"; \
	else \
	    echo " $(INSTALL) -m 640 conf/ipmi-snmp-bridge.conf $(DESTDIR)$(bridgeconfdir)/"; \
	    $(INSTALL) -m 640 '$(srcdir)/conf/ipmi-snmp-bridge.conf' \
	        '$(DESTDIR)$(bridgeconfdir)/ipmi-snmp-bridge.conf'; \
	fi
# Only what this tree installed and nobody changed goes; conf.d only if empty.
uninstall-bridge-conf:
	-cmp -s '$(srcdir)/conf/ipmi-snmp-bridge.conf' '$(DESTDIR)$(bridgeconfdir)/ipmi-snmp-bridge.conf' && \
	    rm -f '$(DESTDIR)$(bridgeconfdir)/ipmi-snmp-bridge.conf'
	-rmdir '$(DESTDIR)$(bridgeconfdir)/conf.d' '$(DESTDIR)$(bridgeconfdir)' 2> /dev/null

# Debian packaging (tests/pkg/deb_install.sh builds from the distribution tree).
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/ipmi-snmp-bridge.postinst debian/ipmi-snmp-bridge.postrm \
	debian/ipmi-snmp-bridge.dirs debian/ipmi-snmp-bridge.docs debian/README.source \
	tests/pkg/deb_install.sh
