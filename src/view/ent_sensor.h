/*
 * ent_sensor.h - a store sensor seen through ENTITY-SENSOR-MIB (RFC 3433):
 * its EntitySensorDataType, EntitySensorDataScale, EntitySensorPrecision,
 * EntitySensorValue and EntitySensorStatus.  No Net-SNMP here: the agent
 * (agent/entity.c) puts these numbers on the wire, tests check them.
 *
 * Units.  Each IPMI base unit (IPMI 2.0 Table 43-15) with an RFC 3433 data
 * type maps to it (one static table indexed by the unit code):
 *   degrees C -> celsius(8), Volts -> voltsDC(4) (IPMI does not say AC or
 *   DC; BMC voltage sensors are the board's DC rails), Amps -> amperes(5),
 *   Watts -> watts(6), Hz -> hertz(7), RPM -> rpm(10) (with no rate or
 *   "per minute"), cubic meter "per minute" -> cmm(11).
 * Every other unit, a unit with a modifier unit ("Watts*hour"), a rate the
 * RFC type does not have ("Watts per hour") or a percentage becomes
 * other(1); entPhySensorUnitsDisplay then carries the store's unit text.
 * degrees F and K are other(1) too: the RFC's celsius would need an offset,
 * and entPhySensorValue would no longer agree with ipmiSensorValue.  IPMI has
 * no relative humidity unit: percentRH(9) is never used.
 *
 * Numbers.  entPhySensorValue = the reading * 10^precision at scale units:
 * the store's ipmiSensorValue and ipmiSensorPrecision as they are (scale
 * units(9)), so the two MIBs agree digit for digit.  A reading beyond the
 * RFC's +-10^9 loses decimal places first, then goes to kilo, mega ...
 *
 * Discrete sensors (no units: states, not a number) are not ENTITY-SENSOR
 * rows: truthvalue(12) would keep one bit of up to 15 states.  Their states
 * stay in IPMI-BRIDGE-MIB's ipmiSensorStates.
 */
#ifndef IPMI_BRIDGE_ENT_SENSOR_H
#define IPMI_BRIDGE_ENT_SENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

enum ent_sensor_type { /* EntitySensorDataType */
                       ENT_TYPE_OTHER = 1,
                       ENT_TYPE_UNKNOWN = 2,
                       ENT_TYPE_VOLTS_AC = 3,
                       ENT_TYPE_VOLTS_DC = 4,
                       ENT_TYPE_AMPERES = 5,
                       ENT_TYPE_WATTS = 6,
                       ENT_TYPE_HERTZ = 7,
                       ENT_TYPE_CELSIUS = 8,
                       ENT_TYPE_PERCENT_RH = 9,
                       ENT_TYPE_RPM = 10,
                       ENT_TYPE_CMM = 11,
                       ENT_TYPE_TRUTHVALUE = 12
};

enum ent_sensor_scale { /* EntitySensorDataScale: 10^(3 * (scale - 9)) */
                        ENT_SCALE_YOCTO = 1,
                        ENT_SCALE_MILLI = 8,
                        ENT_SCALE_UNITS = 9,
                        ENT_SCALE_KILO = 10,
                        ENT_SCALE_YOTTA = 17
};

enum ent_sensor_oper { /* EntitySensorStatus */
                       ENT_OPER_OK = 1,
                       ENT_OPER_UNAVAILABLE = 2,
                       ENT_OPER_NONOPERATIONAL = 3
};

#define ENT_SENSOR_VALUE_MAX 1000000000 /* EntitySensorValue: -10^9 .. 10^9 */

struct ent_sensor {
    uint8_t type;     /* enum ent_sensor_type */
    uint8_t scale;    /* enum ent_sensor_scale */
    int8_t precision; /* 0..3 (the RFC allows -8..9) */
    uint8_t oper;     /* enum ent_sensor_oper */
    int32_t value;    /* 0 unless oper is ok */
};

/* The data type of an IPMI unit: base unit code, rate (SDR units 1 [5:3]),
 * modifier relation ([2:1]) and percentage flag ([0]). */
enum ent_sensor_type ent_sensor_type_of(uint8_t unit_base, uint8_t rate, uint8_t mod_rel,
                                        bool percent);

/* value * 10^precision, fitted into +-10^9 as said above (o->value,
 * o->precision, o->scale). */
void ent_sensor_fit(double value, uint8_t precision, struct ent_sensor *o);

/* Is the sensor an entPhySensorTable row (it has units)? */
static inline bool ent_sensor_served(const struct store_sensor *s)
{
    return s->analog && s->units;
}

/* The row of a served sensor.  O(1). */
void ent_sensor_of(const struct store_sensor *s, struct ent_sensor *o);

#endif
