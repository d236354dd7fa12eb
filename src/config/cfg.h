/*
 * cfg.h - the daemon's configuration as a plain struct.
 *
 * cfg.c is the only file that includes <confuse.h>; everyone else sees
 * this struct.  Secrets (password, K_G) are read from their files at load
 * time, held only here and in the session layer, and never printed.
 */
#ifndef IPMI_BRIDGE_CFG_H
#define IPMI_BRIDGE_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define CFG_MAX_SUITES 8
#define CFG_NAME_MAX   64
#define CFG_USER_MAX   16 /* IPMI 2.0 user names are at most 16 bytes */
#define CFG_PASS_MAX   20 /* IPMI 2.0 passwords are at most 20 bytes */
#define CFG_KG_MAX     20 /* K_G is 20 bytes (IPMI 2.0 section 13.31) */

struct cfg_bmc {
    char name[CFG_NAME_MAX];
    char address[256]; /* host name or literal IPv4/IPv6 address */
    uint16_t port;     /* default 623 */
    char username[CFG_USER_MAX + 1];
    uint8_t password[CFG_PASS_MAX]; /* secret; zero padded */
    size_t password_len;
    uint8_t kg[CFG_KG_MAX];         /* secret; zero padded */
    size_t kg_len;                  /* 0 = no K_G: the password key is used */
    uint8_t suites[CFG_MAX_SUITES]; /* cipher suites in order of preference */
    size_t nsuites;
    bool allow_suite0;  /* cipher suite 0 explicitly allowed (warns) */
    bool allow_suite1;  /* cipher suite 1 explicitly allowed (warns) */
    uint8_t privilege;  /* IPMI privilege: 2 user, 3 operator, 4 admin */
    bool allow_control; /* chassis control (power, identify, boot device) allowed */
    const char *file;   /* config file this BMC came from (for messages) */
    int line;           /* line of its "bmc" (or "bmc-group") section */
    uint32_t index;     /* "index" key (ipmiBmcIndex); 0 = assigned and kept in state-dir */
    /* task intervals in seconds: the bmc's own, else defaults, else the global key */
    uint32_t sensor_interval_s;    /* readings and chassis status */
    uint32_t sel_interval_s;       /* new SEL entries */
    uint32_t sdr_check_interval_s; /* SDR repository timestamps (re-read only on change) */
    uint32_t fru_interval_s;       /* FRU inventory */
    uint32_t info_interval_s;      /* POH counter, SEL time, LAN configuration, DCMI power */
    /* requests in flight at a time (1 to 16): the bmc's own, else defaults, else the
     * global key; 0 (a cfg_bmc not built by cfg_load) = the poller's max_in_flight */
    uint32_t max_in_flight;
};

/* Daemon log destinations ("log" key). */
enum cfg_log { CFG_LOG_STDERR = 0, CFG_LOG_SYSLOG };

enum cfg_pet_ack { CFG_PET_ACK_SESSION = 0, CFG_PET_ACK_SESSIONLESS, CFG_PET_ACK_OFF };

/* worker-threads: the automatic choice is capped here; the key accepts up to the max. */
#define CFG_WORKERS_AUTO 16
#define CFG_WORKERS_MAX  64

struct cfg {
    /* global tuning; times in milliseconds */
    uint32_t timeout_ms;         /* one attempt of one request (default 1000) */
    uint32_t retries;            /* retransmissions after the first attempt (default 3) */
    uint32_t session_timeout_ms; /* whole session establishment budget (default 10000) */
    uint32_t idle_reopen_ms;     /* re-open a session idle this long (default 50000) */
    uint32_t max_in_flight;      /* default of cfg_bmc.max_in_flight (default 1) */
    uint32_t sockets;            /* shared UDP sockets (default 4) */
    uint32_t sel_entries;        /* newest SEL entries kept per BMC (default 256) */
    uint32_t fru_interval_s;     /* re-read FRU inventory this often (default 86400) */
    uint32_t sensor_interval_s;  /* global defaults of the per-BMC intervals (30, 60, 3600, 300) */
    uint32_t info_interval_s;
    uint32_t sel_interval_s;
    uint32_t sdr_check_interval_s;
    /* fleet-wide admission control */
    uint32_t max_logins;        /* session logins in flight (default 64) */
    uint32_t max_sdr_reads;     /* SDR repository reads in flight (default 32) */
    uint32_t socket_buffer;     /* SO_RCVBUF/SO_SNDBUF bytes per socket (default 4 MiB) */
    uint32_t auth_retry_s;      /* after an authentication failure (default 600) */
    uint32_t unreachable_max_s; /* cap of the unreachable backoff (default 300) */
    uint32_t reboot_grace_s;    /* a BMC lost while up: retried each half interval (600) */
    /* daemon */
    char sdr_cache_dir[512];      /* default /var/cache/ipmi-snmp-bridge */
    char state_dir[512];          /* default /var/lib/ipmi-snmp-bridge: the BMC index file */
    enum cfg_log log;             /* default stderr */
    char user[64];                /* run as this user (empty: do not change) */
    char agentx_socket[512];      /* empty: Net-SNMP's default */
    char pet_listen[256];         /* empty: PET reception off */
    char pet_community[128];      /* empty: any community */
    enum cfg_pet_ack pet_ack;     /* pet-acknowledge (default session) */
    uint32_t pet_dedupe_window_s; /* PET/SEL dedupe window (default 300) */
    bool notify_platform_event, notify_sensor_status, notify_bmc_state; /* default true */
    uint32_t notify_rate_per_bmc;    /* per interval per BMC (default 60; 0 unlimited) */
    uint32_t notify_rate_global;     /* per interval in all (default 1000; 0 unlimited) */
    uint32_t notify_rate_interval_s; /* default 10 */
    bool standard_mibs;              /* ENTITY(-SENSOR)-MIB per BMC context (default false) */
    char status_file[512];           /* empty: off; else JSON status written here */
    uint32_t status_interval_s;      /* and rewritten this often (0: on SIGUSR1 only) */
    uint32_t shard_k, shard_n;       /* this process owns shard K of N (N = 1: everything) */
    uint32_t worker_threads;         /* poller threads (0: one per CPU, at most CFG_WORKERS_AUTO) */
    bool allow_root;                 /* --allow-root (command line only): root without `user` */
    struct cfg_bmc *bmcs;
    size_t nbmcs;
    char *path;   /* the file that was loaded */
    char **files; /* files it included (cfg_bmc.file points here or at path) */
    size_t nfiles;
};

/*
 * Load and validate `path`.  On failure returns NULL and writes
 * "file:line: what was expected" into errbuf.  Password and K_G files must
 * not be accessible by group or others.  Start-up only: not thread-safe
 * (libconfuse's lexer is global).
 */
struct cfg *cfg_load(const char *path, char *errbuf, size_t errlen);

/*
 * Wipes the secrets and frees; cfg_unload(NULL) is a no-op.  (Not
 * cfg_free: libconfuse exports a function of that name.)
 */
void cfg_unload(struct cfg *cfg);

/*
 * True if two BMC configurations would poll the same way (everything but
 * the file and line they were written at).  A reload keeps the sessions of
 * the BMCs whose configuration is equal.
 */
bool cfg_bmc_equal(const struct cfg_bmc *a, const struct cfg_bmc *b);

/* "user" -> 2 etc.; returns 0 for an unknown name. */
uint8_t cfg_privilege_from_name(const char *name);
const char *cfg_privilege_name(uint8_t priv);

#endif
