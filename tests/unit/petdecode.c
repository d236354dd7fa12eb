/*
 * petdecode.c - decode one PET with the bridge's codec and print every field
 * and text as JSON, for tests/integration/pet_vectors.sh (which compares it
 * with FreeIPMI's ipmi-pet).
 *
 *   petdecode [--sdr DUMP] SPECIFIC-TRAP HEX-BYTES...
 *
 * DUMP is a raw SDR repository (`ipmitool sdr dump FILE`): the sensor is
 * looked up there by (sensor device, LUN 0, sensor number), shared records
 * by instance, as the listener will look it up in the BMC's snapshot.
 * Exit status 0 with the decoded PET, 1 with {"error": REASON} when the
 * codec refuses the input, 2 on usage errors.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pet.h"
#include "sdr.h"

#define SDR_DUMP_MAX 65536

static int find_sensor(const char *path, uint8_t owner, uint8_t number, struct sdr_sensor *out)
{
    static uint8_t dump[SDR_DUMP_MAX];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "petdecode: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t len = fread(dump, 1, sizeof(dump), f);
    fclose(f);
    size_t off = 0;
    while (off < len) {
        struct sdr_record r;
        enum codec_err err;
        ssize_t used = sdr_parse(dump + off, len - off, &r, &err);
        if (used <= 0)
            break;
        off += (size_t)used;
        if (r.kind != SDR_KIND_SENSOR)
            continue;
        const struct sdr_sensor *s = &r.u.sensor;
        if (s->owner_addr != owner || s->owner_lun != 0)
            continue;
        for (unsigned i = 0; i < s->share_count; i++) {
            struct sdr_sensor inst;
            if (sdr_compact_instance(s, i, &inst, &err) == 0 && inst.number == number) {
                *out = inst;
                return 1;
            }
        }
    }
    return 0;
}

static void add_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_int(json_object *o, const char *k, int64_t v)
{
    json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_bool(json_object *o, const char *k, bool v)
{
    json_object_object_add(o, k, json_object_new_boolean(v));
}

static void add_hex(json_object *o, const char *k, const uint8_t *p, size_t n)
{
    char buf[2 * PET_MAX_LEN + 1];
    for (size_t i = 0; i < n && i < PET_MAX_LEN; i++)
        snprintf(buf + 2 * i, 3, "%02x", p[i]);
    buf[2 * n] = '\0';
    add_str(o, k, buf);
}

int main(int argc, char **argv)
{
    const char *sdr_path = NULL;
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "--sdr") == 0) {
        sdr_path = argv[a + 1];
        a += 2;
    }
    if (a >= argc) {
        fprintf(stderr, "usage: petdecode [--sdr DUMP] SPECIFIC-TRAP HEX-BYTES...\n");
        return 2;
    }
    char *end;
    long specific = strtol(argv[a++], &end, 0);
    if (*end) {
        fprintf(stderr, "petdecode: bad specific trap number\n");
        return 2;
    }
    /* payload bytes: separate arguments, or one string; blanks ignored */
    uint8_t buf[512];
    size_t len = 0;
    for (; a < argc; a++) {
        for (const char *p = argv[a]; *p;) {
            if (*p == ' ' || *p == ':') {
                p++;
                continue;
            }
            unsigned v;
            if (sscanf(p, "%2x", &v) != 1 || len >= sizeof(buf)) {
                fprintf(stderr, "petdecode: bad hex at '%s'\n", p);
                return 2;
            }
            buf[len++] = (uint8_t)v;
            p += (p[1] && p[1] != ' ') ? 2 : 1;
        }
    }

    json_object *o = json_object_new_object();
    struct pet p;
    enum codec_err err;
    if (pet_decode_trap(pet_enterprise_oid, PET_ENTERPRISE_LEN, PET_GENERIC_TRAP, specific, buf,
                        len, &p, &err) < 0) {
        add_str(o, "error", codec_err_name(err));
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
        json_object_put(o);
        return 1;
    }
    struct sdr_sensor s;
    bool have_sdr = sdr_path && find_sensor(sdr_path, p.sensor_device, p.sensor_number, &s);
    struct pet_text t;
    pet_describe(&p, have_sdr ? &s : NULL, &t);

    add_int(o, "sensor_type", p.trap.sensor_type);
    add_int(o, "event_type", p.trap.event_type);
    add_bool(o, "deassertion", p.trap.deassertion);
    add_int(o, "offset", p.trap.offset);
    add_bool(o, "offset_mismatch", p.offset_mismatch);
    add_int(o, "present", p.present);
    add_hex(o, "guid_bytes", p.guid, 16);
    add_int(o, "sequence", p.sequence);
    add_int(o, "timestamp", p.timestamp);
    add_bool(o, "ts_specified", p.ts_specified);
    add_int(o, "utc_offset", p.utc_offset);
    add_bool(o, "utc_specified", p.utc_specified);
    add_int(o, "trap_source", p.trap_source);
    add_int(o, "event_source", p.event_source);
    add_int(o, "severity", p.severity);
    add_int(o, "sensor_device", p.sensor_device);
    add_int(o, "sensor_number", p.sensor_number);
    add_int(o, "entity", p.entity);
    add_int(o, "entity_instance", p.entity_instance);
    add_hex(o, "event_data", p.data, 8);
    add_int(o, "language", p.language);
    add_int(o, "manufacturer_id", p.manufacturer_id);
    add_int(o, "system_id", p.system_id);
    add_int(o, "oem_fields", p.noem);
    add_bool(o, "oem_terminated", p.oem_terminated);
    add_bool(o, "sdr_found", have_sdr);

    json_object *txt = json_object_new_object();
    add_str(txt, "guid", t.guid);
    add_str(txt, "utc_time", t.ev.timestamp);
    add_str(txt, "local_time", t.local_time);
    add_str(txt, "sensor_type", t.ev.sensor_type);
    add_str(txt, "sensor_name", t.ev.sensor_name);
    add_str(txt, "event_class", t.ev.event_class);
    add_str(txt, "event", t.ev.event);
    add_str(txt, "direction", t.ev.direction);
    add_str(txt, "reading", t.ev.reading);
    add_str(txt, "severity", t.severity);
    add_str(txt, "trap_source", t.trap_source);
    add_str(txt, "event_source", t.event_source);
    add_str(txt, "entity", t.entity_text);
    add_str(txt, "sensor_device", t.sensor_device);
    add_str(txt, "oem", t.oem);
    json_object_object_add(o, "text", txt);

    struct pet_ack ack;
    uint8_t req[PET_ACK_REQ_LEN];
    pet_ack_from(&p, &ack);
    if (pet_ack_encode(&ack, req, sizeof(req), &err) == PET_ACK_REQ_LEN)
        add_hex(o, "ack_request", req, sizeof(req));

    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
    json_object_put(o);
    return 0;
}
