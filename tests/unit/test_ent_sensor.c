/*
 * test_ent_sensor.c - src/view/ent_sensor.c: IPMI units (IPMI 2.0 Table
 * 43-15) to ENTITY-SENSOR-MIB data types (RFC 3433 EntitySensorDataType),
 * and readings to entPhySensorValue / Precision / Scale / OperStatus.
 */
#include <string.h>

#include "ent_sensor.h"
#include "store.h"
#include "unit.h"

/* SDR sensor units 1 [5:3] rates and [2:1] modifier relations */
enum { RATE_NONE = 0, RATE_PER_S = 3, RATE_PER_MIN = 4, RATE_PER_HOUR = 5 };
enum { MOD_NONE = 0, MOD_DIV = 1, MOD_MUL = 2 };

static void test_units_with_a_type(void)
{
    CU_ASSERT_EQUAL(ent_sensor_type_of(1, RATE_NONE, MOD_NONE, false), ENT_TYPE_CELSIUS);
    CU_ASSERT_EQUAL(ent_sensor_type_of(4, RATE_NONE, MOD_NONE, false), ENT_TYPE_VOLTS_DC);
    CU_ASSERT_EQUAL(ent_sensor_type_of(5, RATE_NONE, MOD_NONE, false), ENT_TYPE_AMPERES);
    CU_ASSERT_EQUAL(ent_sensor_type_of(6, RATE_NONE, MOD_NONE, false), ENT_TYPE_WATTS);
    CU_ASSERT_EQUAL(ent_sensor_type_of(19, RATE_NONE, MOD_NONE, false), ENT_TYPE_HERTZ);
    /* RPM is per minute whether the SDR says so or not */
    CU_ASSERT_EQUAL(ent_sensor_type_of(18, RATE_NONE, MOD_NONE, false), ENT_TYPE_RPM);
    CU_ASSERT_EQUAL(ent_sensor_type_of(18, RATE_PER_MIN, MOD_NONE, false), ENT_TYPE_RPM);
    /* cubic meter per minute is cmm; a cubic meter alone is a volume */
    CU_ASSERT_EQUAL(ent_sensor_type_of(36, RATE_PER_MIN, MOD_NONE, false), ENT_TYPE_CMM);
    CU_ASSERT_EQUAL(ent_sensor_type_of(36, RATE_NONE, MOD_NONE, false), ENT_TYPE_OTHER);
}

static void test_units_without_a_type(void)
{
    /* degrees F and K: the RFC's celsius would need an offset */
    CU_ASSERT_EQUAL(ent_sensor_type_of(2, RATE_NONE, MOD_NONE, false), ENT_TYPE_OTHER);
    CU_ASSERT_EQUAL(ent_sensor_type_of(3, RATE_NONE, MOD_NONE, false), ENT_TYPE_OTHER);
    /* unspecified, Joules, CFM (not cmm), PSI, bytes, errors, grams */
    static const uint8_t other[] = {0, 7, 17, 15, 70, 88, 92, 255};
    for (size_t i = 0; i < sizeof(other); i++)
        CU_ASSERT_EQUAL(ent_sensor_type_of(other[i], RATE_NONE, MOD_NONE, false), ENT_TYPE_OTHER);
    /* a rate, a modifier unit or a percentage changes what is measured */
    CU_ASSERT_EQUAL(ent_sensor_type_of(6, RATE_PER_HOUR, MOD_NONE, false), ENT_TYPE_OTHER);
    CU_ASSERT_EQUAL(ent_sensor_type_of(4, RATE_PER_S, MOD_NONE, false), ENT_TYPE_OTHER);
    CU_ASSERT_EQUAL(ent_sensor_type_of(18, RATE_PER_S, MOD_NONE, false), ENT_TYPE_OTHER);
    CU_ASSERT_EQUAL(ent_sensor_type_of(6, RATE_NONE, MOD_MUL, false), ENT_TYPE_OTHER);
    CU_ASSERT_EQUAL(ent_sensor_type_of(4, RATE_NONE, MOD_DIV, false), ENT_TYPE_OTHER);
    CU_ASSERT_EQUAL(ent_sensor_type_of(1, RATE_NONE, MOD_NONE, true), ENT_TYPE_OTHER);
    CU_ASSERT_EQUAL(ent_sensor_type_of(0, RATE_NONE, MOD_NONE, true), ENT_TYPE_OTHER);
}

static struct store_sensor analog(uint8_t unit, double v, uint8_t precision, int32_t scaled)
{
    struct store_sensor s;
    memset(&s, 0, sizeof(s));
    s.analog = true;
    s.units = "units";
    s.unit_base = unit;
    s.has_value = true;
    s.value = v;
    s.precision = precision;
    s.scaled_ok = true;
    s.value_scaled = scaled;
    return s;
}

static void test_values(void)
{
    struct ent_sensor e;
    /* 3.30 V: ipmiSensorValue 330, precision 2, units */
    struct store_sensor s = analog(4, 3.30, 2, 330);
    ent_sensor_of(&s, &e);
    CU_ASSERT_EQUAL(e.type, ENT_TYPE_VOLTS_DC);
    CU_ASSERT_EQUAL(e.scale, ENT_SCALE_UNITS);
    CU_ASSERT_EQUAL(e.precision, 2);
    CU_ASSERT_EQUAL(e.value, 330);
    CU_ASSERT_EQUAL(e.oper, ENT_OPER_OK);
    /* negative readings keep their sign */
    s = analog(1, -12.5, 1, -125);
    ent_sensor_of(&s, &e);
    CU_ASSERT_EQUAL(e.type, ENT_TYPE_CELSIUS);
    CU_ASSERT_EQUAL(e.value, -125);
    CU_ASSERT_EQUAL(e.precision, 1);
    /* no reading: unavailable, value 0 */
    s = analog(18, 0, 0, 0);
    s.has_value = false;
    s.status = STORE_STATUS_UNAVAILABLE;
    ent_sensor_of(&s, &e);
    CU_ASSERT_EQUAL(e.type, ENT_TYPE_RPM);
    CU_ASSERT_EQUAL(e.oper, ENT_OPER_UNAVAILABLE);
    CU_ASSERT_EQUAL(e.value, 0);
    /* the RFC's +-10^9: decimals go first (5,000,000.123 with 3 decimals) */
    s = analog(6, 5000000.123, 3, 0);
    s.scaled_ok = false; /* 5000000123 does not fit Integer32 */
    ent_sensor_of(&s, &e);
    CU_ASSERT_EQUAL(e.value, 500000012);
    CU_ASSERT_EQUAL(e.precision, 2);
    CU_ASSERT_EQUAL(e.scale, ENT_SCALE_UNITS);
    /* fits Integer32 but not the RFC's range */
    s = analog(6, 1500000.5, 3, 1500000500);
    ent_sensor_of(&s, &e);
    CU_ASSERT_EQUAL(e.value, 150000050);
    CU_ASSERT_EQUAL(e.precision, 2);
}

static void test_fit(void)
{
    struct ent_sensor e;
    /* then kilo, mega: 3 * 10^12 at precision 0 is 3 * 10^9 kilo, 3 * 10^6 mega */
    ent_sensor_fit(3e12, 2, &e);
    CU_ASSERT_EQUAL(e.precision, 0);
    CU_ASSERT_EQUAL(e.scale, ENT_SCALE_KILO + 1);
    CU_ASSERT_EQUAL(e.value, 3000000);
    ent_sensor_fit(-2e9, 0, &e);
    CU_ASSERT_EQUAL(e.scale, ENT_SCALE_KILO);
    CU_ASSERT_EQUAL(e.value, -2000000);
    /* at the edge: 10^9 itself fits */
    ent_sensor_fit(1e9, 0, &e);
    CU_ASSERT_EQUAL(e.scale, ENT_SCALE_UNITS);
    CU_ASSERT_EQUAL(e.value, 1000000000);
    /* beyond yotta: clamped, never wrapped */
    ent_sensor_fit(1e40, 0, &e);
    CU_ASSERT_EQUAL(e.scale, ENT_SCALE_YOTTA);
    CU_ASSERT_EQUAL(e.value, ENT_SENSOR_VALUE_MAX);
}

static void test_served(void)
{
    struct store_sensor s = analog(4, 1, 0, 1);
    CU_ASSERT_TRUE(ent_sensor_served(&s));
    s.analog = false; /* a discrete sensor: states, no number */
    s.units = NULL;
    CU_ASSERT_FALSE(ent_sensor_served(&s));
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"IPMI units with an RFC 3433 type", test_units_with_a_type},
        {"IPMI units without one: other(1)", test_units_without_a_type},
        {"values, precision, oper status", test_values},
        {"fitting into +-10^9", test_fit},
        {"discrete sensors are not served", test_served},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"ENTITY-SENSOR-MIB view", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_ent_sensor", suites);
}
