# bmcsim small profile: 11 sensor records (12 sensor numbers), for quick
# tests.  Small read limits make clients split every SDR and FRU read into
# 16-byte pieces.
# Format: tests/bmcsim/README.md, section "Profiles".

device product_id=0x0b02 manufacturer_id=32473 fw=1.05 name="SIM BMC small" fru_max_chunk=16 sdr_max_read=16 sel_capacity=32 sel_epoch=1700000000

sensor 0x01 "CPU Temp"    type=temperature threshold units=degrees_C nominal=50 drift=3 unc=85 uc=90 unr=95 hyst=2 entity=processor.1
sensor 0x02 "Inlet Temp"  type=temperature threshold units=degrees_C format=2s nominal=21 drift=1 lc=0 lnc=5 unc=40 uc=45 hyst=1 entity=air_inlet.1
sensor 0x10 "FAN1"        type=fan threshold units=rpm m=60 nominal=6000 drift=4 lc=900 lnc=1200 hyst=2 entity=fan.1
sensor 0x11 "FAN2"        type=fan threshold units=rpm m=60 nominal=6120 drift=4 lc=900 lnc=1200 hyst=2 entity=fan.2
sensor 0x20 "P12V"        type=voltage threshold units=volts m=6 rexp=-2 nominal=12.0 drift=1 lc=10.8 lnc=11.4 unc=12.6 uc=13.2 hyst=1 entity=system_board.1
sensor 0x21 "P3V3"        type=voltage threshold units=volts m=2 rexp=-2 nominal=3.3 drift=1 lc=2.98 lnc=3.14 unc=3.46 uc=3.62 hyst=1 entity=system_board.1
sensor 0x30 "Total Power" type=other_units threshold units=watts m=4 nominal=300 drift=2 unc=800 uc=900 hyst=2 entity=power_unit.1
sensor 0x40 "PSU1 Status" type=power_supply discrete=0x6f states=0x0001 entity=power_supply.1
sensor 0x50 "DIMM"        type=memory discrete=0x6f share=2 states=0x0040 entity=memory_device.1
sensor 0x60 "Intrusion"   type=physical_security discrete=0x6f states=0x0000 entity=system_chassis.1
sensor 0x70 "Watchdog"    type=watchdog2 discrete=0x6f record=event_only entity=management_controller_firmware.1

fru 0 "Main Board" entity=system_board.1
fru 0 board mfg_date="2024-01-10 12:00" manufacturer="Simulated Systems" product="SIM-MB-1S" serial="BSN1000001" part="MB-1S-100" custom="Rev A01"
fru 0 product manufacturer="Simulated Systems" name="SimServer 1S" part="SS1S-001" version="1.0" serial="PSN1000001" asset="" custom="Small"
fru 1 "PSU1 FRU" entity=power_supply.1
fru 1 product manufacturer="Simulated Power" name="SP-500W" part="SP500-AC" version="A1" serial="PSU1SN10001"
