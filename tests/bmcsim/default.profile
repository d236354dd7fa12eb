# bmcsim default profile: a two-socket 2U server.
# Format: tests/bmcsim/README.md, section "Profiles".  bmcsim also builds this
# profile when no --profile is given (sim_default.c holds a copy of this file;
# test_simcontent checks that the two agree).

device product_id=0x0b01 manufacturer_id=32473 fw=1.23 aux=0x00010203 name="SIM BMC" fru_max_chunk=32 sdr_max_read=32 sel_capacity=128 sel_epoch=1700000000 sel_prefill=yes

# --- temperatures: degrees C, 1 degree per count ---------------------------
sensor 0x01 "CPU1 Temp"     type=temperature threshold units=degrees_C nominal=52 drift=3 unc=85 uc=90 unr=95 hyst=2 entity=processor.1
sensor 0x02 "CPU2 Temp"     type=temperature threshold units=degrees_C nominal=49 drift=3 unc=85 uc=90 unr=95 hyst=2 entity=processor.2
# signed: an inlet can be below freezing
sensor 0x03 "Inlet Temp"    type=temperature threshold units=degrees_C format=2s nominal=22 drift=1 lnr=-5 lc=0 lnc=5 unc=40 uc=45 unr=50 hyst=1 entity=air_inlet.1
sensor 0x04 "Exhaust Temp"  type=temperature threshold units=degrees_C nominal=38 drift=2 unc=70 uc=75 hyst=2 entity=system_board.1
sensor 0x05 "PCH Temp"      type=temperature threshold units=degrees_C nominal=55 drift=2 unc=90 uc=95 hyst=2 entity=system_board.2
sensor 0x06 "DIMM A1 Temp"  type=temperature threshold units=degrees_C nominal=40 drift=2 unc=80 uc=85 hyst=2 entity=memory_device.1
sensor 0x07 "DIMM B1 Temp"  type=temperature threshold units=degrees_C nominal=41 drift=2 unc=80 uc=85 hyst=2 entity=memory_device.2
sensor 0x08 "DIMM C1 Temp"  type=temperature threshold units=degrees_C nominal=39 drift=2 unc=80 uc=85 hyst=2 entity=memory_device.3
sensor 0x09 "DIMM D1 Temp"  type=temperature threshold units=degrees_C nominal=40 drift=2 unc=80 uc=85 hyst=2 entity=memory_device.4
sensor 0x0a "VR CPU1 Temp"  type=temperature threshold units=degrees_C nominal=45 drift=2 unc=100 uc=105 unr=115 hyst=2 entity=power_module.1
sensor 0x0b "VR CPU2 Temp"  type=temperature threshold units=degrees_C nominal=44 drift=2 unc=100 uc=105 unr=115 hyst=2 entity=power_module.2
sensor 0x0c "NIC Temp"      type=temperature threshold units=degrees_C nominal=60 drift=2 unc=95 uc=105 hyst=2 entity=add_in_card.1
sensor 0x0d "PSU1 Temp"     type=temperature threshold units=degrees_C nominal=35 drift=1 unc=60 uc=65 hyst=2 entity=power_supply.1
sensor 0x0e "PSU2 Temp"     type=temperature threshold units=degrees_C nominal=36 drift=1 unc=60 uc=65 hyst=2 entity=power_supply.2

# --- fans: 60 RPM per count, lower thresholds only --------------------------
sensor 0x20 "FAN1" type=fan threshold units=rpm m=60 nominal=7200 drift=4 lnr=600 lc=900 lnc=1200 hyst=2 entity=fan.1
sensor 0x21 "FAN2" type=fan threshold units=rpm m=60 nominal=7320 drift=4 lnr=600 lc=900 lnc=1200 hyst=2 entity=fan.2
sensor 0x22 "FAN3" type=fan threshold units=rpm m=60 nominal=7080 drift=4 lnr=600 lc=900 lnc=1200 hyst=2 entity=fan.3
sensor 0x23 "FAN4" type=fan threshold units=rpm m=60 nominal=7200 drift=4 lnr=600 lc=900 lnc=1200 hyst=2 entity=fan.4
sensor 0x24 "FAN5" type=fan threshold units=rpm m=60 nominal=6960 drift=4 lnr=600 lc=900 lnc=1200 hyst=2 entity=fan.5
sensor 0x25 "FAN6" type=fan threshold units=rpm m=60 nominal=7440 drift=4 lnr=600 lc=900 lnc=1200 hyst=2 entity=fan.6

# --- voltages ----------------------------------------------------------------
# 0.06 V per count
sensor 0x30 "P12V"        type=voltage threshold units=volts m=6 rexp=-2 nominal=12.0 drift=1 lnr=10.2 lc=10.8 lnc=11.4 unc=12.6 uc=13.2 unr=13.8 hyst=1 entity=system_board.1
# 0.03 V per count
sensor 0x31 "P5V"         type=voltage threshold units=volts m=3 rexp=-2 nominal=5.01 drift=1 lnr=4.26 lc=4.5 lnc=4.74 unc=5.25 uc=5.49 unr=5.73 hyst=1 entity=system_board.1
# 0.02 V per count
sensor 0x32 "P3V3"        type=voltage threshold units=volts m=2 rexp=-2 nominal=3.3 drift=1 lc=2.98 lnc=3.14 unc=3.46 uc=3.62 hyst=1 entity=system_board.1
sensor 0x33 "P5V_STBY"    type=voltage threshold units=volts m=3 rexp=-2 nominal=5.01 drift=1 lc=4.5 lnc=4.74 unc=5.25 uc=5.49 hyst=1 entity=system_board.1
sensor 0x34 "P3V3_STBY"   type=voltage threshold units=volts m=2 rexp=-2 nominal=3.3 drift=1 lc=2.98 lnc=3.14 unc=3.46 uc=3.62 hyst=1 entity=system_board.1
sensor 0x35 "VBAT"        type=voltage threshold units=volts m=2 rexp=-2 nominal=3.02 drift=1 lc=2.5 lnc=2.7 hyst=1 entity=battery.1
# 0.008 V per count
sensor 0x36 "CPU1 VCore"  type=voltage threshold units=volts m=8 rexp=-3 nominal=1.8 drift=2 lc=1.6 lnc=1.68 unc=1.92 uc=2.0 hyst=1 entity=processor.1
sensor 0x37 "CPU2 VCore"  type=voltage threshold units=volts m=8 rexp=-3 nominal=1.8 drift=2 lc=1.6 lnc=1.68 unc=1.92 uc=2.0 hyst=1 entity=processor.2
# with an offset: (3 x + 6*10^2) * 10^-3 V, 0.6 V at count 0
sensor 0x38 "DIMM VDDQ"   type=voltage threshold units=volts m=3 b=6 bexp=2 rexp=-3 nominal=1.2 drift=2 lc=1.08 lnc=1.14 unc=1.26 uc=1.32 hyst=1 entity=memory_module.1
# 0.005 V per count
sensor 0x39 "P1V05 PCH"   type=voltage threshold units=volts m=5 rexp=-3 nominal=1.05 drift=1 lc=0.95 lnc=1.0 unc=1.1 uc=1.15 hyst=1 entity=system_board.2

# --- currents: 0.1 A per count -------------------------------------------------
sensor 0x40 "PSU1 Current" type=current threshold units=amps m=1 rexp=-1 nominal=2.4 drift=2 unc=20 uc=22 hyst=2 entity=power_supply.1
sensor 0x41 "PSU2 Current" type=current threshold units=amps m=1 rexp=-1 nominal=2.2 drift=2 unc=20 uc=22 hyst=2 entity=power_supply.2
# signed: the backup battery discharges (negative) or charges
sensor 0x42 "BBU Current"  type=current threshold units=amps m=1 rexp=-1 format=2s nominal=-1.2 drift=1 lc=-5.0 lnc=-4.0 unc=4.0 uc=5.0 hyst=1 entity=battery.1

# --- power -------------------------------------------------------------------------
sensor 0x48 "PSU1 Input Power" type=power_supply threshold units=watts m=4 nominal=280 drift=2 unc=800 uc=900 hyst=2 entity=power_supply.1
sensor 0x49 "PSU2 Input Power" type=power_supply threshold units=watts m=4 nominal=268 drift=2 unc=800 uc=900 hyst=2 entity=power_supply.2
sensor 0x4a "Total Power"      type=other_units threshold units=watts m=5 nominal=540 drift=3 unc=1100 uc=1200 hyst=2 entity=power_unit.1
sensor 0x4b "CPU1 Power"       type=other_units threshold units=watts nominal=95 drift=4 unc=180 uc=200 hyst=2 entity=processor.1
sensor 0x4c "CPU2 Power"       type=other_units threshold units=watts nominal=90 drift=4 unc=180 uc=200 hyst=2 entity=processor.2

# --- discrete sensors (compact SDRs) ------------------------------------------
# power supply (Table 42-3, 08h): offset 0 presence detected
sensor 0x50 "PSU1 Status"    type=power_supply discrete=0x6f states=0x0001 entity=power_supply.1
sensor 0x51 "PSU2 Status"    type=power_supply discrete=0x6f states=0x0001 entity=power_supply.2
# generic redundancy (Table 42-2, 0Bh): offset 0 fully redundant
sensor 0x52 "PSU Redundancy" type=power_supply discrete=0x0b states=0x0001 entity=power_unit.1
# processor (07h): offset 7 presence detected
sensor 0x53 "CPU1 Status"    type=processor discrete=0x6f states=0x0080 entity=processor.1
sensor 0x54 "CPU2 Status"    type=processor discrete=0x6f states=0x0080 entity=processor.2
# generic digital (03h): offset 0 state deasserted
sensor 0x55 "CPU1 Prochot"   type=processor discrete=0x03 states=0x0001 entity=processor.1
# physical security (05h): offset 0 general chassis intrusion
sensor 0x56 "Intrusion"      type=physical_security discrete=0x6f states=0x0000 entity=system_chassis.1
# power unit (09h): no offset asserted while powered on
sensor 0x57 "Power Unit"     type=power_unit discrete=0x6f states=0x0000 entity=power_unit.1
# system ACPI power state (22h): offset 0 S0/G0 working
sensor 0x58 "ACPI State"     type=system_acpi_power_state discrete=0x6f states=0x0001 entity=system_board.1
# drive slot (0Dh): offset 0 drive presence
sensor 0x59 "Drive 0"        type=drive_slot discrete=0x6f states=0x0001 entity=disk_drive_bay.1
# memory (0Ch), one compact record shared by four DIMMs: DIMM1..DIMM4,
# sensor numbers 60h..63h, entity instances 1..4; offset 6 presence detected
sensor 0x60 "DIMM"           type=memory discrete=0x6f share=4 modifier=numeric modifier_offset=1 states=0x0040 entity=memory_device.1

# --- event-only sensors ---------------------------------------------------------
sensor 0x70 "Watchdog"  type=watchdog2 discrete=0x6f record=event_only entity=management_controller_firmware.1
sensor 0x71 "Event Log" type=event_logging_disabled discrete=0x6f record=event_only entity=system_management_software.1

# --- FRU inventory ---------------------------------------------------------------
fru 0 "Main Board" entity=system_board.1
fru 0 chassis type=0x17 part="CHS-2U-0001" serial="CSN0000001" custom="Rack R07"
fru 0 board mfg_date="2023-06-15 08:30" manufacturer="Simulated Systems" product="SIM-MB-2S" serial="BSN0000001" part="MB-2S-100" file_id="fru-v1" custom="Rev A02"
fru 0 product manufacturer="Simulated Systems" name="SimServer 2S" part="SS2S-001" version="1.0" serial="PSN0000001" asset="ASSET-0001" file_id="fru-v1" custom="Config 7"
fru 1 "PSU1 FRU" entity=power_supply.1
fru 1 product manufacturer="Simulated Power" name="SP-800W" part="SP800-AC" version="A1" serial="PSU1SN00001" asset="" custom="800 W 80+ Plat"
