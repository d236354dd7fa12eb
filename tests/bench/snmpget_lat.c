/* snmpget_lat - latency of single SNMP GET requests, one after another, from
 * one long-lived Net-SNMP client session (no process start per request).
 *
 *   snmpget_lat TARGET COMMUNITY COUNT SEED < OIDS
 *
 * OIDS: numeric OIDs, one a line.  Each of COUNT requests GETs one of them,
 * picked at random (SEED), and is timed from send to answer.  Prints
 *   requests=N ok=N errors=N p50_ms=X p99_ms=X max_ms=X
 * A request is an error when it times out, the PDU has an error status, or
 * the varbind is noSuchObject/noSuchInstance/endOfMibView.  A benchmark
 * helper: it prints figures and judges nothing. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct oid_ent {
    oid name[MAX_OID_LEN];
    size_t len;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    size_t k = (size_t)(p * (double)(n - 1) + 0.5);
    return v[k < n ? k : n - 1];
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: snmpget_lat TARGET COMMUNITY COUNT SEED < OIDS\n");
        return 2;
    }
    long count = strtol(argv[3], NULL, 10);
    unsigned seed = (unsigned)strtoul(argv[4], NULL, 10);
    if (count <= 0) {
        fprintf(stderr, "snmpget_lat: bad COUNT %s\n", argv[3]);
        return 2;
    }
    init_snmp("snmpget_lat");

    size_t n_oids = 0, cap = 0;
    struct oid_ent *oids = NULL;
    char line[1024];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, " \r\n")] = '\0';
        if (line[0] == '\0')
            continue;
        if (n_oids == cap) {
            cap = cap ? cap * 2 : 1024;
            struct oid_ent *grown = realloc(oids, cap * sizeof(*oids));
            if (!grown) {
                fprintf(stderr, "snmpget_lat: out of memory\n");
                return 1;
            }
            oids = grown;
        }
        oids[n_oids].len = MAX_OID_LEN;
        if (!read_objid(line, oids[n_oids].name, &oids[n_oids].len)) {
            fprintf(stderr, "snmpget_lat: stdin: bad OID %s\n", line);
            return 2;
        }
        n_oids++;
    }
    if (n_oids == 0) {
        fprintf(stderr, "snmpget_lat: no OIDs on stdin\n");
        return 2;
    }

    netsnmp_session sess;
    snmp_sess_init(&sess);
    sess.peername = argv[1];
    sess.version = SNMP_VERSION_2c;
    sess.community = (u_char *)argv[2];
    sess.community_len = strlen(argv[2]);
    sess.timeout = 2000000; /* us */
    sess.retries = 0;
    netsnmp_session *ss = snmp_open(&sess);
    if (!ss) {
        snmp_sess_perror("snmpget_lat: snmp_open", &sess);
        return 1;
    }

    double *lat = calloc((size_t)count, sizeof(*lat));
    if (!lat) {
        fprintf(stderr, "snmpget_lat: out of memory\n");
        return 1;
    }
    size_t ok = 0, errors = 0;
    srand(seed);
    for (long i = 0; i < count; i++) {
        const struct oid_ent *o = &oids[(size_t)rand() % n_oids];
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
        snmp_add_null_var(pdu, o->name, o->len);
        netsnmp_pdu *resp = NULL;
        double t0 = now_ms();
        int st = snmp_synch_response(ss, pdu, &resp);
        double dt = now_ms() - t0;
        int good = st == STAT_SUCCESS && resp && resp->errstat == SNMP_ERR_NOERROR &&
                   resp->variables && resp->variables->type != SNMP_NOSUCHOBJECT &&
                   resp->variables->type != SNMP_NOSUCHINSTANCE &&
                   resp->variables->type != SNMP_ENDOFMIBVIEW;
        if (good)
            lat[ok++] = dt;
        else
            errors++;
        if (resp)
            snmp_free_pdu(resp);
    }
    snmp_close(ss);
    qsort(lat, ok, sizeof(*lat), cmp_double);
    printf("requests=%ld ok=%zu errors=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", count, ok,
           errors, pct(lat, ok, 0.50), pct(lat, ok, 0.99), ok ? lat[ok - 1] : 0.0);
    free(lat);
    free(oids);
    snmp_shutdown("snmpget_lat");
    return 0;
}
