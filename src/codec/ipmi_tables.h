/*
 * ipmi_tables.h - IPMI constant tables, `static const` and indexed by the
 * IPMI value: built once, shared by every thread, no per-BMC cost.
 * Sensors, the SEL and PETs all use these; there is no second copy.
 */
#ifndef IPMI_BRIDGE_IPMI_TABLES_H
#define IPMI_BRIDGE_IPMI_TABLES_H

#include <stdint.h>

/* Sensor type (IPMI 2.0 Table 42-3), e.g. 01h -> "Temperature".  Never NULL. */
const char *ipmi_sensor_type_name(uint8_t type);

/* Sensor unit type code (Table 43-15), e.g. 01h -> "degrees C".  Never NULL. */
const char *ipmi_unit_name(uint8_t unit);

/* Entity ID (Table 43-13), e.g. 03h -> "Processor".  Never NULL. */
const char *ipmi_entity_name(uint8_t entity);

/* Event/reading type code class (Table 42-1): "threshold", "generic discrete",
 * "sensor-specific", "OEM", "unspecified". */
const char *ipmi_event_type_class(uint8_t event_type);

/*
 * Text of one event offset / discrete state (0..14):
 *   event_type 01h       threshold offsets (Table 42-2: "Lower Non-critical going low", ...)
 *   event_type 02h..0Ch  generic discrete (Table 42-2)
 *   event_type 6Fh       sensor-specific, by sensor_type (Table 42-3)
 * Returns NULL when the spec defines no text for that offset.
 */
const char *ipmi_event_offset_text(uint8_t event_type, uint8_t sensor_type, uint8_t offset);

/*
 * A refinement of a sensor-specific offset by event data 2, when event data 1
 * bits 7:6 say byte 2 is sensor-specific (IPMI 2.0 Table 42-3): e.g. System
 * Firmware Progress (0Fh) offset 02h with data 2 = 01h is "Memory
 * initialization", and Version Change (2Bh) offset 01h names what changed.
 * NULL when the spec defines no such refinement (or the code is reserved).
 */
const char *ipmi_event_data2_text(uint8_t sensor_type, uint8_t offset, uint8_t data2);

#endif
