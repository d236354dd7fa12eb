/*
 * test_sensor.c - reading conversion (IPMI 2.0 section 36.3), the Get
 * Sensor Reading / Thresholds / Reading Factors decoders, sensor status,
 * state names, units, and the constant tables behind them.
 *
 * Expected conversion results are worked out by hand from the spec formula
 *     y = L[(M*x + B*10^Bexp) * 10^Rexp]
 * with the arithmetic next to each value.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipmi_tables.h"
#include "sdr.h"
#include "sensor.h"
#include "unit.h"

/* Pack factors the way a full SDR (bytes 25-30) stores them, then unpack. */
static struct sdr_factors fac(int m, int b, int rexp, int bexp, uint8_t fmt, uint8_t lin)
{
    uint8_t p[6] = {
        (uint8_t)(m & 0xff),
        (uint8_t)((m & 0x300) >> 2), /* M: 10-bit two's complement */
        (uint8_t)(b & 0xff),
        (uint8_t)((b & 0x300) >> 2), /* B: 10-bit two's complement */
        0x00,
        (uint8_t)((rexp & 0x0f) << 4 | (bexp & 0x0f)), /* 4-bit two's complement each */
    };
    struct sdr_factors f;
    sdr_factors_unpack(p, fmt, lin, &f);
    return f;
}

#define EXPECT(f, raw, want)                                                                       \
    do {                                                                                           \
        double y_ = -12345.0, w_ = (want);                                                         \
        CU_ASSERT_EQUAL(sensor_convert(&(f), (raw), &y_), SENSOR_CONV_OK);                         \
        CU_ASSERT_DOUBLE_EQUAL(y_, w_, 1e-12 * (fabs(w_) > 1 ? fabs(w_) : 1));                     \
    } while (0)

#define EXPECT_FAIL(f, raw, why)                                                                   \
    do {                                                                                           \
        double y_ = -12345.0;                                                                      \
        CU_ASSERT_EQUAL(sensor_convert(&(f), (raw), &y_), (why));                                  \
        CU_ASSERT_EQUAL(y_, -12345.0);                                                             \
    } while (0)

static void test_convert_unsigned(void)
{
    struct sdr_factors f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR);
    EXPECT(f, 0, 0.0);     /* (1*0 + 0) * 1 */
    EXPECT(f, 255, 255.0); /* (1*255 + 0) * 1 */

    f = fac(6, 0, -2, 0, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR); /* the 12 V rail */
    EXPECT(f, 0, 0.0);                                      /* (6*0) * 10^-2 */
    EXPECT(f, 200, 12.0);                                   /* (6*200) * 10^-2 = 1200 / 100 */
    EXPECT(f, 255, 15.3);                                   /* (6*255) * 10^-2 = 1530 / 100 */

    f = fac(60, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR); /* a fan */
    EXPECT(f, 14, 840.0);                                   /* 60*14 */

    /* non-zero B with a negative Bexp */
    f = fac(2, -100, 0, -1, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR);
    EXPECT(f, 0, -10.0);   /* (2*0 + -100*10^-1) * 1 = -10 */
    EXPECT(f, 255, 500.0); /* (2*255 - 10) = 510 - 10 */

    /* exponents at both ends */
    f = fac(1, 0, -8, 0, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR);
    EXPECT(f, 255, 2.55e-6); /* 255 * 10^-8 */
    f = fac(5, 0, 7, 0, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR);
    EXPECT(f, 200, 1e10); /* 5*200 * 10^7 = 1000 * 10^7 */
    f = fac(0, 3, 0, 7, SDR_FMT_UNSIGNED, SDR_LIN_LINEAR);
    EXPECT(f, 9, 3e7); /* (0*9 + 3*10^7) * 1: M = 0 leaves the offset */
}

static void test_convert_ones(void)
{
    struct sdr_factors f = fac(1, 0, 0, 0, SDR_FMT_ONES, SDR_LIN_LINEAR);
    EXPECT(f, 0x00, 0.0);    /* +0 */
    EXPECT(f, 0x7f, 127.0);  /* the largest positive */
    EXPECT(f, 0x80, -127.0); /* 1000 0000b = -(0111 1111b) */
    EXPECT(f, 0xfe, -1.0);   /* 1111 1110b = -(0000 0001b) */
    EXPECT(f, 0xff, 0.0);    /* 1111 1111b = -0 */

    f = fac(2, 10, -1, 0, SDR_FMT_ONES, SDR_LIN_LINEAR);
    EXPECT(f, 0x80, -24.4); /* (2*-127 + 10*10^0) * 10^-1 = (-254 + 10) / 10 */
    EXPECT(f, 0x7f, 26.4);  /* (2*127 + 10) / 10 = 264 / 10 */
    EXPECT(f, 0xff, 1.0);   /* (2*0 + 10) / 10 */
}

static void test_convert_twos(void)
{
    struct sdr_factors f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_LINEAR);
    EXPECT(f, 0x00, 0.0);
    EXPECT(f, 0x7f, 127.0);
    EXPECT(f, 0x80, -128.0);
    EXPECT(f, 0xff, -1.0);

    /* negative M, B with a positive Bexp, negative Rexp */
    f = fac(-3, 5, -1, 1, SDR_FMT_TWOS, SDR_LIN_LINEAR);
    EXPECT(f, 0x80, 43.4);  /* (-3*-128 + 5*10^1) * 10^-1 = (384 + 50) / 10 */
    EXPECT(f, 0x7f, -33.1); /* (-3*127 + 50) / 10 = (-381 + 50) / 10 */
    EXPECT(f, 0x00, 5.0);   /* (0 + 50) / 10 */

    /* the largest |M| and |B| */
    f = fac(511, -512, -3, 2, SDR_FMT_TWOS, SDR_LIN_LINEAR);
    EXPECT(f, 0x7f, 13.697);   /* (511*127 - 512*10^2) * 10^-3 = (64897 - 51200) / 1000 */
    EXPECT(f, 0x80, -116.608); /* (511*-128 - 51200) / 1000 = (-65408 - 51200) / 1000 */
}

static void test_convert_linearizations(void)
{
    struct sdr_factors f;
    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_LN);
    EXPECT(f, 1, 0.0);                         /* ln 1 */
    EXPECT(f, 10, 2.302585092994046);          /* ln 10 */
    EXPECT_FAIL(f, 0, SENSOR_CONV_NOT_FINITE); /* ln 0 = -inf */

    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_LOG10);
    EXPECT(f, 100, 2.0); /* log10 100 */
    EXPECT(f, 1, 0.0);
    f = fac(1, 0, -2, 0, SDR_FMT_UNSIGNED, SDR_LIN_LOG10);
    EXPECT(f, 10, -1.0); /* log10(10 * 10^-2) = log10 0.1 */

    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_LOG2);
    EXPECT(f, 8, 3.0);   /* log2 8 */
    EXPECT(f, 128, 7.0); /* log2 128 */

    f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_E);
    EXPECT(f, 0x00, 1.0);                 /* e^0 */
    EXPECT(f, 0x01, 2.718281828459045);   /* e^1 */
    EXPECT(f, 0xff, 0.36787944117144233); /* e^-1 */

    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_EXP10);
    EXPECT(f, 2, 100.0); /* 10^2 */
    EXPECT(f, 0, 1.0);   /* 10^0 */
    f = fac(1, 0, -1, 0, SDR_FMT_UNSIGNED, SDR_LIN_EXP10);
    EXPECT(f, 5, 3.1622776601683795); /* 10^(5 * 10^-1) = 10^0.5 */

    f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_EXP2);
    EXPECT(f, 10, 1024.0); /* 2^10 */
    EXPECT(f, 0xfe, 0.25); /* 2^-2 */

    f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_INVERSE);
    EXPECT(f, 4, 0.25);                        /* 1/4 */
    EXPECT(f, 0xf8, -0.125);                   /* 1/-8 */
    EXPECT_FAIL(f, 0, SENSOR_CONV_NOT_FINITE); /* 1/0 */
    f = fac(1, 0, -2, 0, SDR_FMT_UNSIGNED, SDR_LIN_INVERSE);
    EXPECT(f, 50, 2.0); /* 1 / (50 * 10^-2) = 1 / 0.5 */

    f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_SQR);
    EXPECT(f, 12, 144.0);   /* 12^2 */
    EXPECT(f, 0xf6, 100.0); /* (-10)^2 */
    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_SQR);
    EXPECT(f, 255, 65025.0); /* 255^2 */

    f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_CUBE);
    EXPECT(f, 3, 27.0);    /* 3^3 */
    EXPECT(f, 0xfe, -8.0); /* (-2)^3 */

    f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_SQRT);
    EXPECT(f, 0x7f, 11.269427669584644);          /* sqrt 127 */
    EXPECT(f, 2, 1.4142135623730951);             /* sqrt 2 */
    EXPECT_FAIL(f, 0xff, SENSOR_CONV_NOT_FINITE); /* sqrt -1 */
    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, SDR_LIN_SQRT);
    EXPECT(f, 144, 12.0); /* sqrt 144 */

    f = fac(1, 0, 0, 0, SDR_FMT_TWOS, SDR_LIN_CBRT);
    EXPECT(f, 27, 3.0);    /* cube root 27 */
    EXPECT(f, 0xf8, -2.0); /* cube root -8 */
    EXPECT(f, 0, 0.0);

    /* linearization after the linear part: sqr((2*3 + 1*10^1) * 10^-1) = 1.6^2 */
    f = fac(2, 1, -1, 1, SDR_FMT_UNSIGNED, SDR_LIN_SQR);
    EXPECT(f, 3, 2.56);
}

static void test_convert_refused(void)
{
    struct sdr_factors f = fac(1, 0, 0, 0, SDR_FMT_NONE, SDR_LIN_LINEAR);
    EXPECT_FAIL(f, 10, SENSOR_CONV_NO_ANALOG);
    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, 0x70);
    EXPECT_FAIL(f, 10, SENSOR_CONV_NEEDS_FACTORS);
    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, 0x7f);
    EXPECT_FAIL(f, 10, SENSOR_CONV_NEEDS_FACTORS);
    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, 0x0c);
    EXPECT_FAIL(f, 10, SENSOR_CONV_BAD_LINEARIZATION);
    f = fac(1, 0, 0, 0, SDR_FMT_UNSIGNED, 0x6f);
    EXPECT_FAIL(f, 10, SENSOR_CONV_BAD_LINEARIZATION);
    CU_ASSERT_STRING_EQUAL(sensor_conv_name(SENSOR_CONV_NEEDS_FACTORS), "needs reading factors");
    CU_ASSERT_STRING_EQUAL(sensor_conv_name(SENSOR_CONV_NOT_FINITE), "not finite");
}

/*
 * The tools' formula, literally (ipmitool's sdr_convert_sensor_reading and
 * FreeIPMI's ipmi_sensor_decode_value compute it in this order): linear
 * readings must agree to the last bit for every raw byte and format.
 */
static void test_convert_agrees_with_tools(void)
{
    static const int ms[] = {1, 6, 2, -3, 511, -512, 13, 100};
    static const int bs[] = {0, -100, 5, 511, -512, 37};
    static const int rexps[] = {-8, -3, -2, -1, 0, 1, 7};
    static const int bexps[] = {-8, -1, 0, 1, 7};
    unsigned mismatches = 0, checked = 0;
    for (unsigned fmt = 0; fmt < 3; fmt++)
        for (size_t a = 0; a < sizeof(ms) / sizeof(ms[0]); a++)
            for (size_t b = 0; b < sizeof(bs) / sizeof(bs[0]); b++)
                for (size_t r = 0; r < sizeof(rexps) / sizeof(rexps[0]); r++)
                    for (size_t e = 0; e < sizeof(bexps) / sizeof(bexps[0]); e++) {
                        struct sdr_factors f =
                            fac(ms[a], bs[b], rexps[r], bexps[e], (uint8_t)fmt, SDR_LIN_LINEAR);
                        for (unsigned raw = 0; raw < 256; raw++) {
                            uint8_t v = (uint8_t)raw;
                            int x = v;
                            if (fmt == 1 && (v & 0x80))
                                v++;
                            if (fmt)
                                x = (int8_t)v;
                            double tool =
                                ((ms[a] * x) + (bs[b] * pow(10, bexps[e]))) * pow(10, rexps[r]);
                            double ours;
                            if (sensor_convert(&f, (uint8_t)raw, &ours) != SENSOR_CONV_OK ||
                                ours != tool)
                                mismatches++;
                            checked++;
                        }
                    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(checked, 3u * 8 * 6 * 7 * 5 * 256);
}

/* Get Sensor Reading (section 35.14); "byte n" counts after the completion code. */
static void test_reading_decode(void)
{
    struct sensor_reading r;
    enum codec_err err;
    uint8_t b[8];

    /* full answer: 45, events and scanning enabled, threshold byte with [7:6] = 11b */
    int n = unit_hex("00 2d c0 c0 80", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 5);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(r.cc, 0);
    CU_ASSERT_EQUAL(r.raw, 0x2d);
    CU_ASSERT_EQUAL(r.flags, 0);
    CU_ASSERT_TRUE(sensor_reading_ok(&r));
    CU_ASSERT_EQUAL(r.state_bytes, 2);
    CU_ASSERT_EQUAL(r.thr_bits, 0);    /* reserved [7:6] masked */
    CU_ASSERT_EQUAL(r.states, 0x00c0); /* byte 4 [7] is reserved */

    /* fan below lower critical: lc + lnc */
    n = unit_hex("00 0e c0 c3", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 4);
    CU_ASSERT_EQUAL(r.thr_bits, 0x03);
    CU_ASSERT_EQUAL(r.state_bytes, 1);

    /* discrete states 0-14 over two bytes */
    n = unit_hex("00 00 c0 81 ff", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 5);
    CU_ASSERT_EQUAL(r.states, 0x7f81);

    /* reading unavailable (bit 5) */
    n = unit_hex("00 00 e0", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 3);
    CU_ASSERT_EQUAL(r.flags, SENSOR_RF_UNAVAILABLE);
    CU_ASSERT_FALSE(sensor_reading_ok(&r));

    /* scanning disabled (bit 6 clear), events still enabled */
    n = unit_hex("00 10 80 00", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 4);
    CU_ASSERT_EQUAL(r.flags, SENSOR_RF_SCAN_DISABLED);
    CU_ASSERT_FALSE(sensor_reading_ok(&r));

    /* event messages disabled (bit 7 clear): the reading is still good */
    n = unit_hex("00 10 40 00", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 4);
    CU_ASSERT_EQUAL(r.flags, SENSOR_RF_EVENTS_DISABLED);
    CU_ASSERT_TRUE(sensor_reading_ok(&r));

    /* all three */
    n = unit_hex("00 10 20", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 3);
    CU_ASSERT_EQUAL(r.flags,
                    SENSOR_RF_UNAVAILABLE | SENSOR_RF_SCAN_DISABLED | SENSOR_RF_EVENTS_DISABLED);

    /* short answers: no state bytes, or only the first */
    n = unit_hex("00 10 c0", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 3);
    CU_ASSERT_EQUAL(r.state_bytes, 0);
    CU_ASSERT_EQUAL(r.states, 0);
    CU_ASSERT_TRUE(sensor_reading_ok(&r));
    n = unit_hex("00 00 c0 03", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 4);
    CU_ASSERT_EQUAL(r.states, 0x0003);
    CU_ASSERT_EQUAL(r.state_bytes, 1);

    /* extra bytes are not ours */
    n = unit_hex("00 10 c0 00 80 55", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 5);

    /* an error completion code: no reading, not a codec error */
    n = unit_hex("cb", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 1);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(r.cc, 0xcb);
    CU_ASSERT_FALSE(sensor_reading_ok(&r));
    n = unit_hex("d5 12 c0", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_reading_decode(b, (size_t)n, &r, &err), 1);
    CU_ASSERT_EQUAL(r.raw, 0);

    /* truncated */
    n = unit_hex("00 10 c0", b, sizeof(b));
    for (size_t len = 0; len < 3; len++) {
        err = CODEC_OK;
        CU_ASSERT_EQUAL(sensor_reading_decode(b, len, &r, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    }
}

/* Full record for the tests below; factors and types patched per test. */
static const uint8_t full_12v[] = {
    0x05, 0x00, 0x51, 0x01, 0x2e,       /* header: ID 5, full, 46 bytes */
    0x20, 0x00, 0x05, 0x07, 0x01,       /* owner 20h, LUN 0, #5, system board 1 */
    0x67, 0x44, 0x02, 0x01,             /* init, caps, voltage, threshold */
    0x95, 0x7a, 0x95, 0x7a,             /* masks */
    0x3f, 0x00,                         /* all thresholds readable */
    0x00, 0x04, 0x00, 0x00,             /* unsigned, Volts, linear */
    0x06, 0x00, 0x00, 0x01, 0x01, 0xe0, /* M 6, B 0, Rexp -2 */
    0x01, 0xc8, 0x00, 0x00, 0xff, 0x00, /* nominal 200, range 0-255 */
    0xe6, 0xdc, 0xd2,                   /* UNR 230, UC 220, UNC 210 */
    0xaa, 0xb4, 0xbe,                   /* LNR 170, LC 180, LNC 190 */
    0x02, 0x00,                         /* hysteresis +2, -0 */
    0x00, 0x00, 0x00, 0xc3, '1',  '2',  'V',
};

static struct sdr_sensor sensor_12v(void)
{
    struct sdr_record rec;
    CU_ASSERT_EQUAL(sdr_parse(full_12v, sizeof(full_12v), &rec, NULL), (ssize_t)sizeof(full_12v));
    return rec.u.sensor;
}

/* A discrete sensor: type `stype`, event/reading type `etype`, full record. */
static struct sdr_sensor sensor_discrete(uint8_t stype, uint8_t etype)
{
    uint8_t r[sizeof(full_12v)];
    struct sdr_record rec;
    memcpy(r, full_12v, sizeof(r));
    r[12] = stype;
    r[13] = etype;
    CU_ASSERT_TRUE(sdr_parse(r, sizeof(r), &rec, NULL) > 0);
    return rec.u.sensor;
}

static void test_sensor_value(void)
{
    struct sdr_sensor s = sensor_12v();
    struct sensor_reading r;
    uint8_t b[8];
    double v = 0;
    int n = unit_hex("00 c8 c0 c0", b, sizeof(b));
    CU_ASSERT_TRUE(sensor_reading_decode(b, (size_t)n, &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_value(&s, &r, &v), SENSOR_CONV_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 12.0, 1e-12); /* 6*200 * 10^-2 */
    CU_ASSERT_EQUAL(sensor_status(&s, &r), SENSOR_OK);

    n = unit_hex("00 c8 e0", b, sizeof(b)); /* unavailable */
    CU_ASSERT_TRUE(sensor_reading_decode(b, (size_t)n, &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_value(&s, &r, &v), SENSOR_CONV_UNAVAILABLE);
    CU_ASSERT_EQUAL(sensor_status(&s, &r), SENSOR_UNAVAILABLE);
    n = unit_hex("00 c8 80 00", b, sizeof(b)); /* scanning disabled */
    CU_ASSERT_TRUE(sensor_reading_decode(b, (size_t)n, &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_value(&s, &r, &v), SENSOR_CONV_UNAVAILABLE);
    CU_ASSERT_EQUAL(sensor_status(&s, &r), SENSOR_UNAVAILABLE);
    n = unit_hex("c3", b, sizeof(b)); /* timeout */
    CU_ASSERT_TRUE(sensor_reading_decode(b, (size_t)n, &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_status(&s, &r), SENSOR_UNAVAILABLE);
    CU_ASSERT_EQUAL(sensor_value(&s, NULL, &v), SENSOR_CONV_UNAVAILABLE);
    CU_ASSERT_EQUAL(sensor_status(&s, NULL), SENSOR_UNAVAILABLE);

    /* a discrete sensor has no value, whatever its factors say */
    struct sdr_sensor d = sensor_discrete(0x08, 0x6f);
    n = unit_hex("00 c8 c0 01 80", b, sizeof(b));
    CU_ASSERT_TRUE(sensor_reading_decode(b, (size_t)n, &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_value(&d, &r, &v), SENSOR_CONV_UNAVAILABLE);
}

/* Get Sensor Reading Factors (section 35.5): per-reading factors for non-linear sensors. */
static void test_factors_decode(void)
{
    struct sensor_factors_rsp fr;
    enum codec_err err;
    uint8_t b[10];
    /* next reading 40h; M = 10; B = 3FBh = -5; Rexp = -1, Bexp = 0 */
    int n = unit_hex("00 40 0a 00 fb c0 00 f0", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_factors_decode(b, (size_t)n, SDR_FMT_UNSIGNED, &fr, &err), 8);
    CU_ASSERT_EQUAL(err, CODEC_OK);
    CU_ASSERT_EQUAL(fr.cc, 0);
    CU_ASSERT_EQUAL(fr.next_reading, 0x40);
    CU_ASSERT_EQUAL(fr.f.m, 10);
    CU_ASSERT_EQUAL(fr.f.b, -5);
    CU_ASSERT_EQUAL(fr.f.rexp, -1);
    CU_ASSERT_EQUAL(fr.f.bexp, 0);
    CU_ASSERT_EQUAL(fr.f.linearization, SDR_LIN_LINEAR);
    EXPECT(fr.f, 0x30, 47.5); /* (10*48 + -5*10^0) * 10^-1 = 475 / 10 */

    /* a non-linear sensor: the SDR factors are refused, the per-reading ones work */
    uint8_t r[sizeof(full_12v)];
    struct sdr_record rec;
    memcpy(r, full_12v, sizeof(r));
    r[23] = 0x71;
    CU_ASSERT_TRUE_FATAL(sdr_parse(r, sizeof(r), &rec, NULL) > 0);
    CU_ASSERT_EQUAL(rec.u.sensor.value_kind, SDR_VALUE_NEEDS_FACTORS);
    double v = 0;
    CU_ASSERT_EQUAL(sensor_convert(&rec.u.sensor.conv, 0x30, &v), SENSOR_CONV_NEEDS_FACTORS);
    CU_ASSERT_EQUAL(sensor_factors_decode(b, (size_t)n, rec.u.sensor.conv.fmt, &fr, &err), 8);
    CU_ASSERT_EQUAL(sensor_convert(&fr.f, 0x30, &v), SENSOR_CONV_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 47.5, 1e-12);

    for (size_t len = 0; len < 8; len++) {
        CU_ASSERT_EQUAL(sensor_factors_decode(b, len, SDR_FMT_UNSIGNED, &fr, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    }
    n = unit_hex("cd", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_factors_decode(b, (size_t)n, SDR_FMT_UNSIGNED, &fr, &err), 1);
    CU_ASSERT_EQUAL(fr.cc, 0xcd);
}

static void test_thresholds(void)
{
    struct sdr_sensor s = sensor_12v();
    double v = 0;
    /* from the SDR */
    CU_ASSERT_EQUAL(sensor_threshold_value(&s, &s.thr, SDR_THR_UC, &v), SENSOR_CONV_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 13.2, 1e-12); /* 6*220 * 10^-2 */
    CU_ASSERT_EQUAL(sensor_threshold_value(&s, &s.thr, SDR_THR_LNR, &v), SENSOR_CONV_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 10.2, 1e-12); /* 6*170 * 10^-2 */
    CU_ASSERT_EQUAL(sensor_threshold_value(&s, &s.thr, 6, &v), SENSOR_CONV_UNAVAILABLE);

    /* from Get Sensor Thresholds (section 35.9): only LNC and UNR readable */
    struct sensor_thresholds_rsp tr;
    enum codec_err err;
    uint8_t b[10];
    int n = unit_hex("00 e1 be b4 aa d2 dc e6", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_thresholds_decode(b, (size_t)n, &tr, &err), 8);
    CU_ASSERT_EQUAL(tr.cc, 0);
    CU_ASSERT_EQUAL(tr.thr.readable, 0x21); /* [7:6] reserved */
    CU_ASSERT_EQUAL(tr.thr.settable, 0);
    CU_ASSERT_EQUAL(tr.thr.raw[SDR_THR_LNC], 0xbe);
    CU_ASSERT_EQUAL(tr.thr.raw[SDR_THR_LC], 0xb4);
    CU_ASSERT_EQUAL(tr.thr.raw[SDR_THR_LNR], 0xaa);
    CU_ASSERT_EQUAL(tr.thr.raw[SDR_THR_UNC], 0xd2);
    CU_ASSERT_EQUAL(tr.thr.raw[SDR_THR_UC], 0xdc);
    CU_ASSERT_EQUAL(tr.thr.raw[SDR_THR_UNR], 0xe6);
    CU_ASSERT_EQUAL(sensor_threshold_value(&s, &tr.thr, SDR_THR_LNC, &v), SENSOR_CONV_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 11.4, 1e-12); /* 6*190 * 10^-2 */
    CU_ASSERT_EQUAL(sensor_threshold_value(&s, &tr.thr, SDR_THR_UNR, &v), SENSOR_CONV_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 13.8, 1e-12); /* 6*230 * 10^-2 */
    CU_ASSERT_EQUAL(sensor_threshold_value(&s, &tr.thr, SDR_THR_UC, &v), SENSOR_CONV_UNAVAILABLE);
    for (size_t len = 0; len < 8; len++) {
        CU_ASSERT_EQUAL(sensor_thresholds_decode(b, len, &tr, &err), -1);
        CU_ASSERT_EQUAL(err, CODEC_E_TRUNCATED);
    }
    n = unit_hex("c1", b, sizeof(b));
    CU_ASSERT_EQUAL(sensor_thresholds_decode(b, (size_t)n, &tr, &err), 1);
    CU_ASSERT_EQUAL(tr.cc, 0xc1);

    /* hysteresis: counts * |M| * 10^Rexp */
    CU_ASSERT_EQUAL(sensor_hysteresis_value(&s, s.hyst_pos, &v), SENSOR_CONV_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.12, 1e-12); /* 2*6 * 10^-2 */
    CU_ASSERT_EQUAL(sensor_hysteresis_value(&s, 0x00, &v), SENSOR_CONV_UNAVAILABLE);
    CU_ASSERT_EQUAL(sensor_hysteresis_value(&s, 0xff, &v), SENSOR_CONV_UNAVAILABLE);
    CU_ASSERT_STRING_EQUAL(sdr_thr_name(SDR_THR_UC), "ucr");
}

static void test_threshold_status(void)
{
    static const struct {
        uint8_t bits;
        enum sensor_status want;
        int worst;
    } cases[] = {
        {0x00, SENSOR_OK, -1},
        {0xc0, SENSOR_OK, -1}, /* reserved bits */
        {0x01, SENSOR_WARNING, SDR_THR_LNC},
        {0x08, SENSOR_WARNING, SDR_THR_UNC},
        {0x02, SENSOR_CRITICAL, SDR_THR_LC},
        {0x03, SENSOR_CRITICAL, SDR_THR_LC}, /* at or below lc and lnc */
        {0x10, SENSOR_CRITICAL, SDR_THR_UC},
        {0x18, SENSOR_CRITICAL, SDR_THR_UC},
        {0x04, SENSOR_NONRECOVERABLE, SDR_THR_LNR},
        {0x07, SENSOR_NONRECOVERABLE, SDR_THR_LNR},
        {0x20, SENSOR_NONRECOVERABLE, SDR_THR_UNR},
        {0x38, SENSOR_NONRECOVERABLE, SDR_THR_UNR},
        {0x12, SENSOR_CRITICAL, SDR_THR_LC}, /* ipmitool looks at the lower side first */
        {0x24, SENSOR_NONRECOVERABLE, SDR_THR_LNR},
        {0x09, SENSOR_WARNING, SDR_THR_LNC},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CU_ASSERT_EQUAL(sensor_threshold_status(cases[i].bits), cases[i].want);
        CU_ASSERT_EQUAL(sensor_threshold_worst(cases[i].bits), cases[i].worst);
    }
    CU_ASSERT_STRING_EQUAL(sensor_status_name(SENSOR_OK), "ok");
    CU_ASSERT_STRING_EQUAL(sensor_status_name(SENSOR_WARNING), "warning");
    CU_ASSERT_STRING_EQUAL(sensor_status_name(SENSOR_CRITICAL), "critical");
    CU_ASSERT_STRING_EQUAL(sensor_status_name(SENSOR_NONRECOVERABLE), "nonrecoverable");
    CU_ASSERT_STRING_EQUAL(sensor_status_name(SENSOR_UNAVAILABLE), "unavailable");

    /* through a reading: the second fan of the test BMC at 840 RPM */
    struct sdr_sensor s = sensor_12v();
    struct sensor_reading r;
    uint8_t b[8];
    char text[64];
    int n = unit_hex("00 0e c0 c3", b, sizeof(b));
    CU_ASSERT_TRUE(sensor_reading_decode(b, (size_t)n, &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_status(&s, &r), SENSOR_CRITICAL);
    CU_ASSERT_EQUAL(sensor_state_text(&s, &r, text, sizeof(text)),
                    strlen("Lower Non-Critical, Lower Critical"));
    CU_ASSERT_STRING_EQUAL(text, "Lower Non-Critical, Lower Critical");
    /* a short buffer: cut, NUL-terminated, full length returned */
    CU_ASSERT_EQUAL(sensor_state_text(&s, &r, text, 10), 34);
    CU_ASSERT_STRING_EQUAL(text, "Lower Non");
    CU_ASSERT_EQUAL(sensor_state_text(&s, &r, NULL, 0), 34);
    const char *names[1];
    CU_ASSERT_EQUAL(sensor_state_names(&s, &r, names, 1), 2);
    CU_ASSERT_STRING_EQUAL(names[0], "Lower Non-Critical");

    /* no state byte at all: nothing crossed, as both tools read it */
    n = unit_hex("00 0e c0", b, sizeof(b));
    CU_ASSERT_TRUE(sensor_reading_decode(b, (size_t)n, &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_status(&s, &r), SENSOR_OK);
    CU_ASSERT_EQUAL(sensor_state_text(&s, &r, text, sizeof(text)), 0);
    CU_ASSERT_STRING_EQUAL(text, "");
}

static void test_discrete(void)
{
    static const struct {
        uint8_t stype, etype;
        uint16_t states;
        enum sensor_status want;
        const char *text;
    } cases[] = {
        /* power supply, sensor-specific */
        {0x08, 0x6f, 0x0001, SENSOR_OK, "Presence detected"},
        {0x08, 0x6f, 0x0003, SENSOR_CRITICAL, "Presence detected, Failure detected"},
        {0x08, 0x6f, 0x0005, SENSOR_WARNING, "Presence detected, Predictive failure"},
        {0x08, 0x6f, 0x0080, SENSOR_OK, "Power Supply Inactive"},
        {0x08, 0x6f, 0x0000, SENSOR_OK, ""},
        /* memory: offsets 8-10 come from the second state byte */
        {0x0c, 0x6f, 0x0100, SENSOR_OK, "Spare"},
        {0x0c, 0x6f, 0x0401, SENSOR_CRITICAL, "Correctable ECC, Critical Overtemperature"},
        {0x0c, 0x6f, 0x0001, SENSOR_WARNING, "Correctable ECC"},
        /* processor */
        {0x07, 0x6f, 0x0080, SENSOR_OK, "Presence detected"},
        {0x07, 0x6f, 0x0082, SENSOR_CRITICAL, "Thermal Trip, Presence detected"},
        {0x07, 0x6f, 0x0400, SENSOR_WARNING, "Throttled"},
        /* intrusion is a warning, a dead battery critical */
        {0x05, 0x6f, 0x0001, SENSOR_WARNING, "General Chassis intrusion"},
        {0x29, 0x6f, 0x0002, SENSOR_CRITICAL, "Failed"},
        {0x29, 0x6f, 0x0001, SENSOR_WARNING, "Low"},
        /* drive slot */
        {0x0d, 0x6f, 0x0001, SENSOR_OK, "Drive Present"},
        {0x0d, 0x6f, 0x0003, SENSOR_CRITICAL, "Drive Present, Drive Fault"},
        /* watchdog 2: 04h is reserved and has no text */
        {0x23, 0x6f, 0x0010, SENSOR_OK, "State 4"},
        {0x23, 0x6f, 0x0100, SENSOR_WARNING, "Timer interrupt"},
        /* session audit and FRU state, which ipmitool lacks */
        {0x2a, 0x6f, 0x0004, SENSOR_WARNING, "Invalid Username or Password"},
        {0x2c, 0x6f, 0x0010, SENSOR_OK, "Active"},
        /* generic: redundancy, presence, severity, limit, predictive, ACPI */
        {0x08, 0x0b, 0x0001, SENSOR_OK, "Fully Redundant"},
        {0x08, 0x0b, 0x0002, SENSOR_CRITICAL, "Redundancy Lost"},
        {0x04, 0x0b, 0x0004, SENSOR_WARNING, "Redundancy Degraded"},
        {0x0a, 0x08, 0x0002, SENSOR_OK, "Device Present"},
        {0x0a, 0x08, 0x0001, SENSOR_WARNING, "Device Absent"},
        {0x01, 0x07, 0x0040, SENSOR_NONRECOVERABLE, "Transition to Non-recoverable"},
        {0x01, 0x07, 0x0100, SENSOR_OK, "Informational"},
        {0x01, 0x05, 0x0002, SENSOR_CRITICAL, "Limit Exceeded"},
        {0x0d, 0x04, 0x0002, SENSOR_WARNING, "Predictive Failure Asserted"},
        {0x0b, 0x03, 0x0002, SENSOR_OK, "State Asserted"},
        {0x22, 0x0c, 0x0008, SENSOR_OK, "D3 Power State"},
        /* sensor-specific offsets of a type without any: no text, ok */
        {0x01, 0x6f, 0x0001, SENSOR_OK, "State 0"},
        /* OEM event/reading type: no text, ok */
        {0xc0, 0x70, 0x0201, SENSOR_OK, "State 0, State 9"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sdr_sensor s = sensor_discrete(cases[i].stype, cases[i].etype);
        struct sensor_reading r;
        uint8_t b[5] = {0x00, 0x00, 0xc0, (uint8_t)(cases[i].states & 0xff),
                        (uint8_t)(0x80 | cases[i].states >> 8)};
        char text[128];
        CU_ASSERT_TRUE(sensor_reading_decode(b, sizeof(b), &r, NULL) > 0);
        CU_ASSERT_EQUAL(sensor_discrete_status(cases[i].etype, cases[i].stype, cases[i].states),
                        cases[i].want);
        CU_ASSERT_EQUAL(sensor_status(&s, &r), cases[i].want);
        sensor_state_text(&s, &r, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, cases[i].text);
        if (strcmp(text, cases[i].text))
            fprintf(stderr, "\n  case %zu: got \"%s\"\n", i, text);
    }
    /* an unusable reading has no states */
    struct sdr_sensor s = sensor_discrete(0x08, 0x6f);
    struct sensor_reading r;
    uint8_t b[5] = {0x00, 0x00, 0xe0, 0x03, 0x80};
    CU_ASSERT_TRUE(sensor_reading_decode(b, sizeof(b), &r, NULL) > 0);
    const char *names[4];
    CU_ASSERT_EQUAL(sensor_state_names(&s, &r, names, 4), 0);
    CU_ASSERT_EQUAL(sensor_status(&s, &r), SENSOR_UNAVAILABLE);
}

/* Event-only and compact sensors: no value, but compact threshold bits still count. */
static void test_record_kinds(void)
{
    static const uint8_t evt[] = {0x0a, 0x00, 0x51, 0x03, 0x0c, 0x20, 0x00, 0x00, 0x06,
                                  0x01, 0x23, 0x6f, 0x00, 0x00, 0x00, 0x00, 0xc0};
    struct sdr_record rec;
    struct sensor_reading r;
    uint8_t b[5] = {0x00, 0x00, 0xc0, 0x01, 0x80};
    CU_ASSERT_TRUE_FATAL(sdr_parse(evt, sizeof(evt), &rec, NULL) > 0);
    CU_ASSERT_TRUE(sensor_reading_decode(b, sizeof(b), &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_status(&rec.u.sensor, &r), SENSOR_UNAVAILABLE);

    uint8_t c[32] = {0x07,
                     0x00,
                     0x51,
                     0x02,
                     0x1b,
                     0x20,
                     0x00,
                     0x09,
                     0x07,
                     0x01,
                     0x00,
                     0x44,
                     0x01 /* temperature */,
                     0x01 /* threshold */};
    c[31] = 0xc0;
    CU_ASSERT_TRUE_FATAL(sdr_parse(c, sizeof(c), &rec, NULL) > 0);
    CU_ASSERT_EQUAL(rec.u.sensor.value_kind, SDR_VALUE_NONE);
    b[3] = 0xd0; /* at or above upper critical */
    CU_ASSERT_TRUE(sensor_reading_decode(b, sizeof(b), &r, NULL) > 0);
    CU_ASSERT_EQUAL(sensor_status(&rec.u.sensor, &r), SENSOR_CRITICAL);
    double v;
    CU_ASSERT_EQUAL(sensor_value(&rec.u.sensor, &r, &v), SENSOR_CONV_UNAVAILABLE);
}

static void test_units(void)
{
    struct sdr_sensor s = sensor_12v();
    char buf[64];
    static const struct {
        uint8_t base, mod, mod_rel, rate, pct;
        const char *want;
    } cases[] = {
        {4, 0, 0, 0, 0, "Volts"},
        {1, 0, 0, 0, 0, "degrees C"},
        {18, 0, 0, 0, 0, "RPM"},
        {18, 0, 0, 4, 0, "RPM"}, /* RPM per minute is RPM */
        {18, 0, 0, 3, 0, "RPM per s"},
        {6, 0, 0, 5, 0, "Watts per hour"}, /* rate: FreeIPMI's wording */
        {6, 24, 1, 0, 0, "Watts/hour"},    /* modifier: ipmitool's */
        {5, 22, 2, 0, 0, "Amps*second"},
        {6, 0, 0, 0, 1, "% Watts"},
        {0, 0, 0, 0, 1, "percent"},
        {0, 0, 0, 0, 0, "unspecified"},
        {92, 0, 0, 1, 0, "grams per uS"},
        {93, 0, 0, 0, 0, "invalid"},
        {4, 0, 3, 7, 0, "Volts"}, /* reserved modifier and rate codes */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        s.unit_base = cases[i].base;
        s.unit_mod = cases[i].mod;
        s.mod_rel = cases[i].mod_rel;
        s.rate = cases[i].rate;
        s.flags = cases[i].pct ? SDR_SF_PERCENT : 0;
        CU_ASSERT_EQUAL(sensor_units_text(&s, buf, sizeof(buf)), strlen(cases[i].want));
        CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
    }
    s.unit_base = 4;
    s.mod_rel = 0;
    s.rate = 0;
    s.flags = 0;
    CU_ASSERT_EQUAL(sensor_units_text(&s, buf, 4), 5);
    CU_ASSERT_STRING_EQUAL(buf, "Vol");
}

/* Every text the SEL decoder may ask for exists; reserved offsets have none. */
static void test_tables(void)
{
    /* offsets per generic event/reading type (Table 42-2) */
    static const unsigned generic_count[0x0d] = {
        [0x01] = 12, [0x02] = 3, [0x03] = 2, [0x04] = 2, [0x05] = 2, [0x06] = 2,
        [0x07] = 9,  [0x08] = 2, [0x09] = 2, [0x0a] = 9, [0x0b] = 8, [0x0c] = 4,
    };
    for (unsigned et = 0; et < 0x0d; et++)
        for (unsigned o = 0; o < 15; o++) {
            const char *t = ipmi_event_offset_text((uint8_t)et, 0x01, (uint8_t)o);
            if (o < generic_count[et]) {
                CU_ASSERT_TRUE(t && *t);
            } else {
                CU_ASSERT_PTR_NULL(t);
            }
        }
    /* offsets per sensor type for event type 6Fh (Table 42-3), as bit masks */
    static const uint16_t specific[0x2d] = {
        [0x05] = 0x007f, [0x06] = 0x003f, [0x07] = 0x1fff, [0x08] = 0x00ff, [0x09] = 0x00ff,
        [0x0c] = 0x07ff, [0x0d] = 0x01ff, [0x0f] = 0x0007, [0x10] = 0x007f, [0x11] = 0x00ff,
        [0x12] = 0x003f, [0x13] = 0x0fff, [0x14] = 0x001f, [0x19] = 0x0003, [0x1b] = 0x0003,
        [0x1d] = 0x00ff, [0x1e] = 0x001f, [0x1f] = 0x07ff, [0x20] = 0x003f, [0x21] = 0x03ff,
        [0x22] = 0x7fff, [0x23] = 0x010f, [0x24] = 0x000f, [0x25] = 0x0007, [0x27] = 0x0003,
        [0x28] = 0x003f, [0x29] = 0x0007, [0x2a] = 0x000f, [0x2b] = 0x00ff, [0x2c] = 0x00ff,
    };
    for (unsigned st = 0; st < 0x100; st++)
        for (unsigned o = 0; o < 16; o++) {
            const char *t = ipmi_event_offset_text(0x6f, (uint8_t)st, (uint8_t)o);
            int want = st < 0x2d && o < 15 && (specific[st] >> o & 1);
            CU_ASSERT_EQUAL(t != NULL, want);
            if (want != (t != NULL))
                fprintf(stderr, "\n  sensor type %02Xh offset %u\n", st, o);
        }
    CU_ASSERT_STRING_EQUAL(ipmi_event_offset_text(0x01, 0, 9), "Upper Critical going high");
    CU_ASSERT_STRING_EQUAL(ipmi_event_offset_text(0x01, 0, 2), "Lower Critical going low");
    CU_ASSERT_STRING_EQUAL(ipmi_event_offset_text(0x6f, 0x08, 1), "Failure detected");
    CU_ASSERT_STRING_EQUAL(ipmi_event_offset_text(0x6f, 0x08, 0), "Presence detected");
    CU_ASSERT_STRING_EQUAL(ipmi_event_offset_text(0x6f, 0x08, 7), "Power Supply Inactive");
    CU_ASSERT_PTR_NULL(ipmi_event_offset_text(0x70, 0x08, 0));
    CU_ASSERT_PTR_NULL(ipmi_event_offset_text(0x00, 0x08, 0));
    CU_ASSERT_PTR_NULL(ipmi_event_offset_text(0x6f, 0xc0, 0));

    for (unsigned t = 0; t <= 0x2c; t++)
        CU_ASSERT_TRUE(*ipmi_sensor_type_name((uint8_t)t));
    CU_ASSERT_STRING_EQUAL(ipmi_sensor_type_name(0x01), "Temperature");
    CU_ASSERT_STRING_EQUAL(ipmi_sensor_type_name(0x08), "Power Supply");
    CU_ASSERT_STRING_EQUAL(ipmi_sensor_type_name(0x2c), "FRU State");
    CU_ASSERT_STRING_EQUAL(ipmi_sensor_type_name(0x2d), "reserved");
    CU_ASSERT_STRING_EQUAL(ipmi_sensor_type_name(0xc0), "OEM reserved");

    for (unsigned u = 0; u <= 92; u++)
        CU_ASSERT_TRUE(*ipmi_unit_name((uint8_t)u));
    CU_ASSERT_STRING_EQUAL(ipmi_unit_name(1), "degrees C");
    CU_ASSERT_STRING_EQUAL(ipmi_unit_name(4), "Volts");
    CU_ASSERT_STRING_EQUAL(ipmi_unit_name(5), "Amps");
    CU_ASSERT_STRING_EQUAL(ipmi_unit_name(6), "Watts");
    CU_ASSERT_STRING_EQUAL(ipmi_unit_name(18), "RPM");
    CU_ASSERT_STRING_EQUAL(ipmi_unit_name(92), "grams");
    CU_ASSERT_STRING_EQUAL(ipmi_unit_name(93), "invalid");

    for (unsigned e = 0; e < 0x100; e++)
        CU_ASSERT_TRUE(*ipmi_entity_name((uint8_t)e));
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0x03), "Processor");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0x07), "System Board");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0x0a), "Power Supply");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0x36), "Reserved");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0x37), "Air Inlet");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0x42), "Baseboard/Main System Board");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0x90), "Chassis-specific");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0xb0), "Board-set specific");
    CU_ASSERT_STRING_EQUAL(ipmi_entity_name(0xd0), "OEM System Integrator defined");

    CU_ASSERT_STRING_EQUAL(ipmi_event_type_class(0x01), "threshold");
    CU_ASSERT_STRING_EQUAL(ipmi_event_type_class(0x0c), "generic discrete");
    CU_ASSERT_STRING_EQUAL(ipmi_event_type_class(0x6f), "sensor-specific");
    CU_ASSERT_STRING_EQUAL(ipmi_event_type_class(0x7f), "OEM");
    CU_ASSERT_STRING_EQUAL(ipmi_event_type_class(0x00), "unspecified");
    CU_ASSERT_STRING_EQUAL(ipmi_event_type_class(0x0d), "unspecified");
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * Not a test of speed (timing is never asserted): prints what the poll path
 * costs per reading, decode + convert + status, and conversion alone.
 */
static void test_bench(void)
{
    struct sdr_sensor s = sensor_12v();
    enum { N = 2000000 };
    uint8_t b[5] = {0x00, 0x00, 0xc0, 0xc0, 0x80};
    volatile double sink = 0;
    unsigned bad = 0;
    double t0 = now_ns();
    for (unsigned i = 0; i < N; i++) {
        struct sensor_reading r;
        double v = 0;
        b[1] = (uint8_t)i;
        if (sensor_reading_decode(b, sizeof(b), &r, NULL) != 5 ||
            sensor_value(&s, &r, &v) != SENSOR_CONV_OK)
            bad++;
        sink += v + sensor_status(&s, &r);
    }
    double t1 = now_ns();
    for (unsigned i = 0; i < N; i++) {
        double v = 0;
        if (sensor_convert(&s.conv, (uint8_t)i, &v) != SENSOR_CONV_OK)
            bad++;
        sink += v;
    }
    double t2 = now_ns();
    CU_ASSERT_EQUAL(bad, 0);
    printf("\n  bench: decode+convert+status %.1f ns/reading, convert %.1f ns/reading ",
           (t1 - t0) / N, (t2 - t1) / N);
    (void)sink;
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"convert: unsigned", test_convert_unsigned},
        {"convert: 1's complement", test_convert_ones},
        {"convert: 2's complement", test_convert_twos},
        {"convert: every linearization", test_convert_linearizations},
        {"convert: refused", test_convert_refused},
        {"convert: bit-identical to the tools' formula", test_convert_agrees_with_tools},
        {"Get Sensor Reading decode", test_reading_decode},
        {"sensor value and availability", test_sensor_value},
        {"Get Sensor Reading Factors decode", test_factors_decode},
        {"thresholds: SDR, Get Sensor Thresholds, hysteresis", test_thresholds},
        {"threshold status", test_threshold_status},
        {"discrete states: names and status", test_discrete},
        {"event-only and compact sensors", test_record_kinds},
        {"units text", test_units},
        {"tables", test_tables},
        {"bench", test_bench},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"sensor", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return unit_run("test_sensor", suites);
}
