/*
 * ipmi_tables.c - IPMI 2.0 constant tables: sensor types, units, entity IDs
 * and event offset / discrete state texts.  Every table is `static const`
 * and indexed by the IPMI value itself.
 *
 * Text style.  The two reference tools word these tables differently:
 *   ipmitool (sdr elist, sel elist)     FreeIPMI (ipmi-sensors, ipmi-sel)
 *   "Upper Critical going high"         "Upper Critical - going high"
 *   "Failure detected"                  "Power Supply Failure detected"
 *   "Device Present"                    "Device Inserted/Device Present"
 *   "General Chassis intrusion"         "General Chassis Intrusion"
 * We follow ipmitool's (shorter) wording, without its trailing blanks, so
 * `ipmitool sdr elist` / `sel elist` output can be compared line by line.
 * Where ipmitool has no text (it lacks Session Audit 2Ah, offset 06h of
 * Event Logging Disabled 10h, Unspecified 0Dh of ACPI Power State 22h, and
 * it files Power Supply Inactive under offset 06h instead of 07h) the text
 * is the spec's, shortened the way ipmitool shortens its neighbours.
 * Offsets the spec leaves reserved have no text (NULL), even where ipmitool
 * prints "reserved" (Watchdog 2 offsets 04h-07h).
 *
 * Sensor type and unit names are ipmitool's too ("Watchdog2", "degrees C",
 * "Volts"); FreeIPMI differs in spelling only ("Watchdog 2", "kPA").
 * Entity IDs follow IPMI 2.0 Table 43-13 (plus its DCMI additions 40h-42h);
 * the ranges 90h-FFh get their range names where ipmitool prints PICMG
 * names for a few values.
 */
#include "ipmi_tables.h"

#include <stddef.h>

/* ---- sensor types (IPMI 2.0 Table 42-3) ------------------------------------ */

#define SENSOR_TYPE_MAX 0x2c

static const char *const sensor_type_names[SENSOR_TYPE_MAX + 1] = {
    [0x00] = "reserved",
    [0x01] = "Temperature",
    [0x02] = "Voltage",
    [0x03] = "Current",
    [0x04] = "Fan",
    [0x05] = "Physical Security",
    [0x06] = "Platform Security",
    [0x07] = "Processor",
    [0x08] = "Power Supply",
    [0x09] = "Power Unit",
    [0x0a] = "Cooling Device",
    [0x0b] = "Other",
    [0x0c] = "Memory",
    [0x0d] = "Drive Slot / Bay",
    [0x0e] = "POST Memory Resize",
    [0x0f] = "System Firmwares",
    [0x10] = "Event Logging Disabled",
    [0x11] = "Watchdog1",
    [0x12] = "System Event",
    [0x13] = "Critical Interrupt",
    [0x14] = "Button",
    [0x15] = "Module / Board",
    [0x16] = "Microcontroller",
    [0x17] = "Add-in Card",
    [0x18] = "Chassis",
    [0x19] = "Chip Set",
    [0x1a] = "Other FRU",
    [0x1b] = "Cable / Interconnect",
    [0x1c] = "Terminator",
    [0x1d] = "System Boot Initiated",
    [0x1e] = "Boot Error",
    [0x1f] = "OS Boot",
    [0x20] = "OS Critical Stop",
    [0x21] = "Slot / Connector",
    [0x22] = "System ACPI Power State",
    [0x23] = "Watchdog2",
    [0x24] = "Platform Alert",
    [0x25] = "Entity Presence",
    [0x26] = "Monitor ASIC",
    [0x27] = "LAN",
    [0x28] = "Management Subsys Health",
    [0x29] = "Battery",
    [0x2a] = "Session Audit",
    [0x2b] = "Version Change",
    [0x2c] = "FRU State",
};

const char *ipmi_sensor_type_name(uint8_t type)
{
    if (type <= SENSOR_TYPE_MAX)
        return sensor_type_names[type];
    if (type >= 0xc0)
        return "OEM reserved"; /* C0h-FFh: OEM (Table 42-3) */
    return "reserved";
}

/* ---- unit type codes (IPMI 2.0 Table 43-15) -------------------------------- */

#define UNIT_MAX 92 /* grams */

static const char *const unit_names[UNIT_MAX + 1] = {
    [0] = "unspecified",
    [1] = "degrees C",
    [2] = "degrees F",
    [3] = "degrees K",
    [4] = "Volts",
    [5] = "Amps",
    [6] = "Watts",
    [7] = "Joules",
    [8] = "Coulombs",
    [9] = "VA",
    [10] = "Nits",
    [11] = "lumen",
    [12] = "lux",
    [13] = "Candela",
    [14] = "kPa",
    [15] = "PSI",
    [16] = "Newton",
    [17] = "CFM",
    [18] = "RPM",
    [19] = "Hz",
    [20] = "microsecond",
    [21] = "millisecond",
    [22] = "second",
    [23] = "minute",
    [24] = "hour",
    [25] = "day",
    [26] = "week",
    [27] = "mil",
    [28] = "inches",
    [29] = "feet",
    [30] = "cu in",
    [31] = "cu feet",
    [32] = "mm",
    [33] = "cm",
    [34] = "m",
    [35] = "cu cm",
    [36] = "cu m",
    [37] = "liters",
    [38] = "fluid ounce",
    [39] = "radians",
    [40] = "steradians",
    [41] = "revolutions",
    [42] = "cycles",
    [43] = "gravities",
    [44] = "ounce",
    [45] = "pound",
    [46] = "ft-lb",
    [47] = "oz-in",
    [48] = "gauss",
    [49] = "gilberts",
    [50] = "henry",
    [51] = "millihenry",
    [52] = "farad",
    [53] = "microfarad",
    [54] = "ohms",
    [55] = "siemens",
    [56] = "mole",
    [57] = "becquerel",
    [58] = "PPM",
    [59] = "reserved",
    [60] = "Decibels",
    [61] = "DbA",
    [62] = "DbC",
    [63] = "gray",
    [64] = "sievert",
    [65] = "color temp deg K",
    [66] = "bit",
    [67] = "kilobit",
    [68] = "megabit",
    [69] = "gigabit",
    [70] = "byte",
    [71] = "kilobyte",
    [72] = "megabyte",
    [73] = "gigabyte",
    [74] = "word",
    [75] = "dword",
    [76] = "qword",
    [77] = "line",
    [78] = "hit",
    [79] = "miss",
    [80] = "retry",
    [81] = "reset",
    [82] = "overflow",
    [83] = "underrun",
    [84] = "collision",
    [85] = "packets",
    [86] = "messages",
    [87] = "characters",
    [88] = "error",
    [89] = "correctable error",
    [90] = "uncorrectable error",
    [91] = "fatal error",
    [92] = "grams",
};

const char *ipmi_unit_name(uint8_t unit)
{
    if (unit <= UNIT_MAX)
        return unit_names[unit];
    return "invalid"; /* ipmitool's word for codes past the table */
}

/* ---- entity IDs (IPMI 2.0 Table 43-13) ------------------------------------- */

#define ENTITY_MAX 0x42

static const char *const entity_names[ENTITY_MAX + 1] = {
    [0x00] = "Unspecified",
    [0x01] = "Other",
    [0x02] = "Unknown",
    [0x03] = "Processor",
    [0x04] = "Disk or Disk Bay",
    [0x05] = "Peripheral Bay",
    [0x06] = "System Management Module",
    [0x07] = "System Board",
    [0x08] = "Memory Module",
    [0x09] = "Processor Module",
    [0x0a] = "Power Supply",
    [0x0b] = "Add-in Card",
    [0x0c] = "Front Panel Board",
    [0x0d] = "Back Panel Board",
    [0x0e] = "Power System Board",
    [0x0f] = "Drive Backplane",
    [0x10] = "System Internal Expansion Board",
    [0x11] = "Other System Board",
    [0x12] = "Processor Board",
    [0x13] = "Power Unit",
    [0x14] = "Power Module",
    [0x15] = "Power Management",
    [0x16] = "Chassis Back Panel Board",
    [0x17] = "System Chassis",
    [0x18] = "Sub-Chassis",
    [0x19] = "Other Chassis Board",
    [0x1a] = "Disk Drive Bay",
    [0x1b] = "Peripheral Bay",
    [0x1c] = "Device Bay",
    [0x1d] = "Fan Device",
    [0x1e] = "Cooling Unit",
    [0x1f] = "Cable/Interconnect",
    [0x20] = "Memory Device",
    [0x21] = "System Management Software",
    [0x22] = "BIOS",
    [0x23] = "Operating System",
    [0x24] = "System Bus",
    [0x25] = "Group",
    [0x26] = "Remote Management Device",
    [0x27] = "External Environment",
    [0x28] = "Battery",
    [0x29] = "Processing Blade",
    [0x2a] = "Connectivity Switch",
    [0x2b] = "Processor/Memory Module",
    [0x2c] = "I/O Module",
    [0x2d] = "Processor/IO Module",
    [0x2e] = "Management Controller Firmware",
    [0x2f] = "IPMI Channel",
    [0x30] = "PCI Bus",
    [0x31] = "PCI Express Bus",
    [0x32] = "SCSI Bus (parallel)",
    [0x33] = "SATA/SAS Bus",
    [0x34] = "Processor/Front-Side Bus",
    [0x35] = "Real Time Clock (RTC)",
    [0x37] = "Air Inlet",
    /* 40h-42h: added by DCMI 1.0 */
    [0x40] = "Air Inlet",
    [0x41] = "Processor",
    [0x42] = "Baseboard/Main System Board",
};

const char *ipmi_entity_name(uint8_t entity)
{
    if (entity <= ENTITY_MAX && entity_names[entity])
        return entity_names[entity];
    if (entity >= 0x90 && entity <= 0xaf)
        return "Chassis-specific";
    if (entity >= 0xb0 && entity <= 0xcf)
        return "Board-set specific";
    if (entity >= 0xd0)
        return "OEM System Integrator defined";
    return "Reserved";
}

/* ---- event/reading type code classes (IPMI 2.0 Table 42-1) ----------------- */

const char *ipmi_event_type_class(uint8_t event_type)
{
    if (event_type == 0x01)
        return "threshold";
    if (event_type >= 0x02 && event_type <= 0x0c)
        return "generic discrete";
    if (event_type == 0x6f)
        return "sensor-specific";
    if (event_type >= 0x70 && event_type <= 0x7f)
        return "OEM";
    return "unspecified"; /* 00h, and the reserved 0Dh-6Eh, 80h-FFh */
}

/* ---- event offset / discrete state texts ---------------------------------- */

/* One type's offsets: texts[offset] for offset < count; NULL where reserved. */
struct offsets {
    const char *const *texts;
    uint8_t count;
};
#define OFFSETS(a)                                                                                 \
    {                                                                                              \
        (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))                                                 \
    }

/* Generic event/reading type codes 01h-0Ch (IPMI 2.0 Table 42-2) */

static const char *const generic_01[] = {
    "Lower Non-critical going low",    "Lower Non-critical going high",
    "Lower Critical going low",        "Lower Critical going high",
    "Lower Non-recoverable going low", "Lower Non-recoverable going high",
    "Upper Non-critical going low",    "Upper Non-critical going high",
    "Upper Critical going low",        "Upper Critical going high",
    "Upper Non-recoverable going low", "Upper Non-recoverable going high",
};

/* DMI-based usage state */
static const char *const generic_02[] = {
    "Transition to Idle",
    "Transition to Active",
    "Transition to Busy",
};

/* digital discrete */
static const char *const generic_03[] = {
    "State Deasserted",
    "State Asserted",
};

static const char *const generic_04[] = {
    "Predictive Failure Deasserted",
    "Predictive Failure Asserted",
};

static const char *const generic_05[] = {
    "Limit Not Exceeded",
    "Limit Exceeded",
};

static const char *const generic_06[] = {
    "Performance Met",
    "Performance Lags",
};

/* severity */
static const char *const generic_07[] = {
    "Transition to OK",
    "Transition to Non-critical from OK",
    "Transition to Critical from less severe",
    "Transition to Non-recoverable from less severe",
    "Transition to Non-critical from more severe",
    "Transition to Critical from Non-recoverable",
    "Transition to Non-recoverable",
    "Monitor",
    "Informational",
};

/* availability */
static const char *const generic_08[] = {
    "Device Absent",
    "Device Present",
};

static const char *const generic_09[] = {
    "Device Disabled",
    "Device Enabled",
};

static const char *const generic_0a[] = {
    "Transition to Running",  "Transition to In Test",    "Transition to Power Off",
    "Transition to On Line",  "Transition to Off Line",   "Transition to Off Duty",
    "Transition to Degraded", "Transition to Power Save", "Install Error",
};

/* redundancy */
static const char *const generic_0b[] = {
    "Fully Redundant",
    "Redundancy Lost",
    "Redundancy Degraded",
    "Non-Redundant: Sufficient from Redundant",
    "Non-Redundant: Sufficient from Insufficient",
    "Non-Redundant: Insufficient Resources",
    "Redundancy Degraded from Fully Redundant",
    "Redundancy Degraded from Non-Redundant",
};

/* ACPI device power states */
static const char *const generic_0c[] = {
    "D0 Power State",
    "D1 Power State",
    "D2 Power State",
    "D3 Power State",
};

#define GENERIC_MAX 0x0c

static const struct offsets generic_offsets[GENERIC_MAX + 1] = {
    [0x01] = OFFSETS(generic_01), [0x02] = OFFSETS(generic_02), [0x03] = OFFSETS(generic_03),
    [0x04] = OFFSETS(generic_04), [0x05] = OFFSETS(generic_05), [0x06] = OFFSETS(generic_06),
    [0x07] = OFFSETS(generic_07), [0x08] = OFFSETS(generic_08), [0x09] = OFFSETS(generic_09),
    [0x0a] = OFFSETS(generic_0a), [0x0b] = OFFSETS(generic_0b), [0x0c] = OFFSETS(generic_0c),
};

/* Sensor-specific offsets, event/reading type 6Fh, by sensor type (IPMI 2.0 Table 42-3) */

/* Physical Security (Chassis Intrusion) */
static const char *const specific_05[] = {
    "General Chassis intrusion", "Drive Bay intrusion",       "I/O Card area intrusion",
    "Processor area intrusion",  "System unplugged from LAN", "Unauthorized dock",
    "FAN area intrusion",
};

/* Platform Security Violation Attempt */
static const char *const specific_06[] = {
    "Front Panel Lockout violation attempted",
    "Pre-boot password violation - user password",
    "Pre-boot password violation - setup password",
    "Pre-boot password violation - network boot password",
    "Other pre-boot password violation",
    "Out-of-band access password violation",
};

/* Processor */
static const char *const specific_07[] = {
    "IERR",
    "Thermal Trip",
    "FRB1/BIST failure",
    "FRB2/Hang in POST failure",
    "FRB3/Processor startup/init failure",
    "Configuration Error",
    "SM BIOS Uncorrectable CPU-complex Error",
    "Presence detected",
    "Disabled",
    "Terminator presence detected",
    "Throttled",
    "Uncorrectable machine check exception",
    "Correctable machine check error",
};

/* Power Supply */
static const char *const specific_08[] = {
    "Presence detected",    "Failure detected",        "Predictive failure",
    "Power Supply AC lost", "AC lost or out-of-range", "AC out-of-range, but present",
    "Config Error",         "Power Supply Inactive",
};

/* Power Unit */
static const char *const specific_09[] = {
    "Power off/down",   "Power cycle",
    "240VA power down", "Interlock power down",
    "AC lost",          "Soft-power control failure",
    "Failure detected", "Predictive failure",
};

/* Memory */
static const char *const specific_0c[] = {
    "Correctable ECC",     "Uncorrectable ECC",        "Parity",
    "Memory Scrub Failed", "Memory Device Disabled",   "Correctable ECC logging limit reached",
    "Presence Detected",   "Configuration Error",      "Spare",
    "Throttled",           "Critical Overtemperature",
};

/* Drive Slot (Bay) */
static const char *const specific_0d[] = {
    "Drive Present",
    "Drive Fault",
    "Predictive Failure",
    "Hot Spare",
    "Parity Check In Progress",
    "In Critical Array",
    "In Failed Array",
    "Rebuild In Progress",
    "Rebuild Aborted",
};

/* System Firmware Progress; the detail is in event data 2 */
static const char *const specific_0f[] = {
    "System Firmware Error",
    "System Firmware Hang",
    "System Firmware Progress",
};

/* Event Logging Disabled */
static const char *const specific_10[] = {
    "Correctable memory error logging disabled",
    "Event logging disabled",
    "Log area reset/cleared",
    "All event logging disabled",
    "Log full",
    "Log almost full",
    "Correctable machine check error logging disabled",
};

/* Watchdog 1 */
static const char *const specific_11[] = {
    "BIOS Reset",     "OS Reset",
    "OS Shut Down",   "OS Power Down",
    "OS Power Cycle", "OS NMI/Diag Interrupt",
    "OS Expired",     "OS pre-timeout Interrupt",
};

/* System Event */
static const char *const specific_12[] = {
    "System Reconfigured",
    "OEM System boot event",
    "Undetermined system hardware failure",
    "Entry added to auxiliary log",
    "PEF Action",
    "Timestamp Clock Sync",
};

/* Critical Interrupt */
static const char *const specific_13[] = {
    "NMI/Diag Interrupt",
    "Bus Timeout",
    "I/O Channel check NMI",
    "Software NMI",
    "PCI PERR",
    "PCI SERR",
    "EISA failsafe timeout",
    "Bus Correctable error",
    "Bus Uncorrectable error",
    "Fatal NMI",
    "Bus Fatal Error",
    "Bus Degraded",
};

/* Button / Switch */
static const char *const specific_14[] = {
    "Power Button pressed", "Sleep Button pressed", "Reset Button pressed", "FRU Latch",
    "FRU Service",
};

/* Chip Set */
static const char *const specific_19[] = {
    "Soft Power Control Failure",
    "Thermal Trip",
};

/* Cable / Interconnect */
static const char *const specific_1b[] = {
    "Connected",
    "Config Error",
};

/* System Boot / Restart Initiated */
static const char *const specific_1d[] = {
    "Initiated by power up",        "Initiated by hard reset",
    "Initiated by warm reset",      "User requested PXE boot",
    "Automatic boot to diagnostic", "OS initiated hard reset",
    "OS initiated warm reset",      "System Restart",
};

/* Boot Error */
static const char *const specific_1e[] = {
    "No bootable media",   "Non-bootable disk in drive",    "PXE server not found",
    "Invalid boot sector", "Timeout waiting for selection",
};

/* Base OS Boot / Installation Status */
static const char *const specific_1f[] = {
    "A: boot completed",
    "C: boot completed",
    "PXE boot completed",
    "Diagnostic boot completed",
    "CD-ROM boot completed",
    "ROM boot completed",
    "boot completed - device not specified",
    "Installation started",
    "Installation completed",
    "Installation aborted",
    "Installation failed",
};

/* OS Stop / Shutdown */
static const char *const specific_20[] = {
    "Error during system startup", "Run-time critical stop",      "OS graceful stop",
    "OS graceful shutdown",        "PEF initiated soft shutdown", "Agent not responding",
};

/* Slot / Connector */
static const char *const specific_21[] = {
    "Fault Status",
    "Identify Status",
    "Device Installed",
    "Ready for Device Installation",
    "Ready for Device Removal",
    "Slot Power is Off",
    "Device Removal Request",
    "Interlock",
    "Slot is Disabled",
    "Spare Device",
};

/* System ACPI Power State */
static const char *const specific_22[] = {
    "S0/G0: working",
    "S1: sleeping with system hw & processor context maintained",
    "S2: sleeping, processor context lost",
    "S3: sleeping, processor & hw context lost, memory retained",
    "S4: non-volatile sleep/suspend-to-disk",
    "S5/G2: soft-off",
    "S4/S5: soft-off",
    "G3: mechanical off",
    "Sleeping in S1/S2/S3 state",
    "G1: sleeping",
    "S5: entered by override",
    "Legacy ON state",
    "Legacy OFF state",
    "Unspecified",
    "Unknown",
};

/* Watchdog 2; offsets 04h-07h are reserved */
static const char *const specific_23[] = {
    "Timer expired",   "Hard reset", "Power down", "Power cycle", NULL, NULL, NULL, NULL,
    "Timer interrupt",
};

/* Platform Alert */
static const char *const specific_24[] = {
    "Platform generated page",
    "Platform generated LAN alert",
    "Platform Event Trap generated",
    "Platform generated SNMP trap, OEM format",
};

/* Entity Presence */
static const char *const specific_25[] = {
    "Present",
    "Absent",
    "Disabled",
};

/* LAN */
static const char *const specific_27[] = {
    "Heartbeat Lost",
    "Heartbeat",
};

/* Management Subsystem Health */
static const char *const specific_28[] = {
    "Sensor access degraded or unavailable",
    "Controller access degraded or unavailable",
    "Management controller off-line",
    "Management controller unavailable",
    "Sensor failure",
    "FRU failure",
};

/* Battery */
static const char *const specific_29[] = {
    "Low",
    "Failed",
    "Presence Detected",
};

/* Session Audit */
static const char *const specific_2a[] = {
    "Session Activated",
    "Session Deactivated",
    "Invalid Username or Password",
    "Invalid password disable",
};

/* Version Change; event data 2 narrows offsets 01h and 07h */
static const char *const specific_2b[] = {
    "Hardware change detected",
    "Firmware or software change detected",
    "Hardware incompatibility detected",
    "Firmware or software incompatibility detected",
    "Invalid or unsupported hardware version",
    "Invalid or unsupported firmware or software version",
    "Hardware change success",
    "Firmware or software change success",
};

/* FRU State */
static const char *const specific_2c[] = {
    "Not Installed",
    "Inactive",
    "Activation Requested",
    "Activation in Progress",
    "Active",
    "Deactivation Requested",
    "Deactivation in Progress",
    "Communication lost",
};

static const struct offsets specific_offsets[SENSOR_TYPE_MAX + 1] = {
    [0x05] = OFFSETS(specific_05), [0x06] = OFFSETS(specific_06), [0x07] = OFFSETS(specific_07),
    [0x08] = OFFSETS(specific_08), [0x09] = OFFSETS(specific_09), [0x0c] = OFFSETS(specific_0c),
    [0x0d] = OFFSETS(specific_0d), [0x0f] = OFFSETS(specific_0f), [0x10] = OFFSETS(specific_10),
    [0x11] = OFFSETS(specific_11), [0x12] = OFFSETS(specific_12), [0x13] = OFFSETS(specific_13),
    [0x14] = OFFSETS(specific_14), [0x19] = OFFSETS(specific_19), [0x1b] = OFFSETS(specific_1b),
    [0x1d] = OFFSETS(specific_1d), [0x1e] = OFFSETS(specific_1e), [0x1f] = OFFSETS(specific_1f),
    [0x20] = OFFSETS(specific_20), [0x21] = OFFSETS(specific_21), [0x22] = OFFSETS(specific_22),
    [0x23] = OFFSETS(specific_23), [0x24] = OFFSETS(specific_24), [0x25] = OFFSETS(specific_25),
    [0x27] = OFFSETS(specific_27), [0x28] = OFFSETS(specific_28), [0x29] = OFFSETS(specific_29),
    [0x2a] = OFFSETS(specific_2a), [0x2b] = OFFSETS(specific_2b), [0x2c] = OFFSETS(specific_2c),
};

const char *ipmi_event_offset_text(uint8_t event_type, uint8_t sensor_type, uint8_t offset)
{
    const struct offsets *o;
    if (event_type >= 0x01 && event_type <= GENERIC_MAX)
        o = &generic_offsets[event_type];
    else if (event_type == 0x6f && sensor_type <= SENSOR_TYPE_MAX)
        o = &specific_offsets[sensor_type];
    else
        return NULL;
    /* a discrete sensor has 15 states (0..14); types without texts have count 0 */
    return offset < o->count ? o->texts[offset] : NULL;
}

/* ---- event data 2 refinements (IPMI 2.0 Table 42-3) ------------------------ */

/* System Firmware Error (0Fh, offset 00h): the POST error, by data 2. */
static const char *const fw_error_codes[] = {
    [0x00] = "Unspecified",
    [0x01] = "No system memory installed",
    [0x02] = "No usable system memory",
    [0x03] = "Unrecoverable IDE device failure",
    [0x04] = "Unrecoverable system-board failure",
    [0x05] = "Unrecoverable diskette failure",
    [0x06] = "Unrecoverable hard-disk controller failure",
    [0x07] = "Unrecoverable PS/2 or USB keyboard failure",
    [0x08] = "Removable boot media not found",
    [0x09] = "Unrecoverable video controller failure",
    [0x0a] = "No video device selected",
    [0x0b] = "BIOS corruption detected",
    [0x0c] = "CPU voltage mismatch",
    [0x0d] = "CPU speed mismatch failure",
};

/* System Firmware Hang / Progress (0Fh, offsets 01h and 02h): the step, by data 2. */
static const char *const fw_progress_codes[] = {
    [0x00] = "Unspecified",
    [0x01] = "Memory initialization",
    [0x02] = "Hard-disk initialization",
    [0x03] = "Secondary CPU Initialization",
    [0x04] = "User authentication",
    [0x05] = "User-initiated system setup",
    [0x06] = "USB resource configuration",
    [0x07] = "PCI resource configuration",
    [0x08] = "Option ROM initialization",
    [0x09] = "Video initialization",
    [0x0a] = "Cache initialization",
    [0x0b] = "SMBus initialization",
    [0x0c] = "Keyboard controller initialization",
    [0x0d] = "Management controller initialization",
    [0x0e] = "Docking station attachment",
    [0x0f] = "Enabling docking station",
    [0x10] = "Docking station ejection",
    [0x11] = "Disabling docking station",
    [0x12] = "Calling operating system wake-up vector",
    [0x13] = "System boot initiated",
    [0x14] = "Motherboard initialization",
    [0x16] = "Floppy initialization",
    [0x17] = "Keyboard test",
    [0x18] = "Pointing device test",
    [0x19] = "Primary CPU initialization",
};

/* Version Change (2Bh, offsets 01h and 07h): what changed, by data 2. */
static const char *const fw_change_detected[] = {
    [0x00] = "Firmware or software change detected",
    [0x01] = "Firmware or software change detected, Mngmt Ctrl Dev Id",
    [0x02] = "Firmware or software change detected, Mngmt Ctrl Firm Rev",
    [0x03] = "Firmware or software change detected, Mngmt Ctrl Dev Rev",
    [0x04] = "Firmware or software change detected, Mngmt Ctrl Manuf Id",
    [0x05] = "Firmware or software change detected, Mngmt Ctrl IPMI Vers",
    [0x06] = "Firmware or software change detected, Mngmt Ctrl Aux Firm Id",
    [0x07] = "Firmware or software change detected, Mngmt Ctrl Firm Boot Block",
    [0x08] = "Firmware or software change detected, Mngmt Ctrl Other",
    [0x09] = "Firmware or software change detected, BIOS/EFI change",
    [0x0a] = "Firmware or software change detected, SMBIOS change",
    [0x0b] = "Firmware or software change detected, O/S change",
    [0x0c] = "Firmware or software change detected, O/S loader change",
    [0x0d] = "Firmware or software change detected, Service Diag change",
    [0x0e] = "Firmware or software change detected, Mngmt SW agent change",
    [0x0f] = "Firmware or software change detected, Mngmt SW App change",
    [0x10] = "Firmware or software change detected, Mngmt SW Middle",
    [0x11] = "Firmware or software change detected, Prog HW Change (FPGA)",
    [0x12] = "Firmware or software change detected, board/FRU module change",
    [0x13] = "Firmware or software change detected, board/FRU component change",
    [0x14] = "Firmware or software change detected, board/FRU replace equ ver",
    [0x15] = "Firmware or software change detected, board/FRU replace new ver",
    [0x16] = "Firmware or software change detected, board/FRU replace old ver",
    [0x17] = "Firmware or software change detected, board/FRU HW conf change",
};
static const char *const fw_change_success[] = {
    [0x00] = "Firmware or software change success",
    [0x01] = "Firmware or software change success, Mngmt Ctrl Dev Id",
    [0x02] = "Firmware or software change success, Mngmt Ctrl Firm Rev",
    [0x03] = "Firmware or software change success, Mngmt Ctrl Dev Rev",
    [0x04] = "Firmware or software change success, Mngmt Ctrl Manuf Id",
    [0x05] = "Firmware or software change success, Mngmt Ctrl IPMI Vers",
    [0x06] = "Firmware or software change success, Mngmt Ctrl Aux Firm Id",
    [0x07] = "Firmware or software change success, Mngmt Ctrl Firm Boot Block",
    [0x08] = "Firmware or software change success, Mngmt Ctrl Other",
    [0x09] = "Firmware or software change success, BIOS/EFI change",
    [0x0a] = "Firmware or software change success, SMBIOS change",
    [0x0b] = "Firmware or software change success, O/S change",
    [0x0c] = "Firmware or software change success, O/S loader change",
    [0x0d] = "Firmware or software change success, Service Diag change",
    [0x0e] = "Firmware or software change success, Mngmt SW agent change",
    [0x0f] = "Firmware or software change success, Mngmt SW App change",
    [0x10] = "Firmware or software change success, Mngmt SW Middle",
    [0x11] = "Firmware or software change success, Prog HW Change (FPGA)",
    [0x12] = "Firmware or software change success, board/FRU module change",
    [0x13] = "Firmware or software change success, board/FRU component change",
    [0x14] = "Firmware or software change success, board/FRU replace equ ver",
    [0x15] = "Firmware or software change success, board/FRU replace new ver",
    [0x16] = "Firmware or software change success, board/FRU replace old ver",
    [0x17] = "Firmware or software change success, board/FRU HW conf change",
};

#define PICK(table, i) ((i) < sizeof(table) / sizeof((table)[0]) ? (table)[i] : NULL)

const char *ipmi_event_data2_text(uint8_t sensor_type, uint8_t offset, uint8_t data2)
{
    switch (sensor_type) {
    case 0x0f:
        if (offset == 0x00)
            return PICK(fw_error_codes, data2);
        if (offset == 0x01 || offset == 0x02)
            return PICK(fw_progress_codes, data2);
        return NULL;
    case 0x2b:
        if (offset == 0x01)
            return PICK(fw_change_detected, data2);
        if (offset == 0x07)
            return PICK(fw_change_success, data2);
        return NULL;
    default:
        return NULL;
    }
}
