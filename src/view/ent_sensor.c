/*
 * ent_sensor.c - IPMI units and readings as ENTITY-SENSOR-MIB numbers
 * (see ent_sensor.h for the rules).
 */
#include "ent_sensor.h"

#include <math.h>

/* IPMI 2.0 Table 43-15 unit codes that have an RFC 3433 data type */
enum {
    IPMI_UNIT_DEG_C = 1,
    IPMI_UNIT_VOLTS = 4,
    IPMI_UNIT_AMPS = 5,
    IPMI_UNIT_WATTS = 6,
    IPMI_UNIT_RPM = 18,
    IPMI_UNIT_HZ = 19,
    IPMI_UNIT_CUBIC_METER = 36,
};
/* SDR sensor units 1 [5:3] (IPMI 2.0 section 43.1, byte 21) */
enum { IPMI_RATE_NONE = 0, IPMI_RATE_PER_MINUTE = 4 };

/* Indexed by the IPMI unit code; 0: no RFC type (other). */
static const uint8_t unit_type[256] = {
    [IPMI_UNIT_DEG_C] = ENT_TYPE_CELSIUS,   [IPMI_UNIT_VOLTS] = ENT_TYPE_VOLTS_DC,
    [IPMI_UNIT_AMPS] = ENT_TYPE_AMPERES,    [IPMI_UNIT_WATTS] = ENT_TYPE_WATTS,
    [IPMI_UNIT_RPM] = ENT_TYPE_RPM,         [IPMI_UNIT_HZ] = ENT_TYPE_HERTZ,
    [IPMI_UNIT_CUBIC_METER] = ENT_TYPE_CMM,
};

/* The IPMI rate each RFC type implies: RPM and cmm are "per minute" (RPM
 * may say so or not), the rest has none. */
static bool rate_fits(uint8_t type, uint8_t base, uint8_t rate)
{
    if (type == ENT_TYPE_CMM)
        return rate == IPMI_RATE_PER_MINUTE;
    if (base == IPMI_UNIT_RPM)
        return rate == IPMI_RATE_NONE || rate == IPMI_RATE_PER_MINUTE;
    return rate == IPMI_RATE_NONE;
}

enum ent_sensor_type ent_sensor_type_of(uint8_t unit_base, uint8_t rate, uint8_t mod_rel,
                                        bool percent)
{
    uint8_t t = unit_type[unit_base];
    if (!t || percent || mod_rel != 0 || !rate_fits(t, unit_base, rate))
        return ENT_TYPE_OTHER;
    return (enum ent_sensor_type)t;
}

static bool fits(double v)
{
    return v >= -ENT_SENSOR_VALUE_MAX && v <= ENT_SENSOR_VALUE_MAX;
}

void ent_sensor_fit(double value, uint8_t precision, struct ent_sensor *o)
{
    int p = precision > 3 ? 3 : precision;
    double v = round(value * pow(10.0, p));
    while (!fits(v) && p > 0) { /* fewer decimal places first */
        p--;
        v = round(value * pow(10.0, p));
    }
    unsigned scale = ENT_SCALE_UNITS;
    while (!fits(v) && scale < ENT_SCALE_YOTTA) { /* then kilo, mega, ... */
        scale++;
        v = round(value / pow(10.0, 3.0 * (scale - ENT_SCALE_UNITS)));
    }
    if (!fits(v) || isnan(v)) /* beyond 10^33: the RFC cannot say it */
        v = v > 0 ? ENT_SENSOR_VALUE_MAX : -ENT_SENSOR_VALUE_MAX;
    o->value = (int32_t)v;
    o->precision = (int8_t)p;
    o->scale = (uint8_t)scale;
}

void ent_sensor_of(const struct store_sensor *s, struct ent_sensor *o)
{
    o->type =
        (uint8_t)ent_sensor_type_of(s->unit_base, s->unit_rate, s->unit_mod_rel, s->unit_percent);
    o->scale = ENT_SCALE_UNITS;
    o->precision = (int8_t)s->precision;
    o->value = 0;
    if (!s->has_value || s->status == STORE_STATUS_UNAVAILABLE) {
        o->oper = ENT_OPER_UNAVAILABLE;
        return;
    }
    o->oper = ENT_OPER_OK;
    if (s->scaled_ok && s->value_scaled >= -ENT_SENSOR_VALUE_MAX &&
        s->value_scaled <= ENT_SENSOR_VALUE_MAX)
        o->value = s->value_scaled; /* ipmiSensorValue, digit for digit */
    else
        ent_sensor_fit(s->value, s->precision, o);
}
