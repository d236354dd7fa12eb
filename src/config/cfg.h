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
    int line;           /* line of its "bmc" section */
};

struct cfg {
    /* global tuning; times in milliseconds */
    uint32_t timeout_ms;         /* one attempt of one request (default 1000) */
    uint32_t retries;            /* retransmissions after the first attempt (default 3) */
    uint32_t session_timeout_ms; /* whole session establishment budget (default 10000) */
    uint32_t idle_reopen_ms;     /* re-open a session idle this long (default 50000) */
    uint32_t max_in_flight;      /* requests in flight per BMC (default 1) */
    uint32_t sockets;            /* shared UDP sockets (default 4) */
    uint32_t sel_entries;        /* newest SEL entries kept per BMC (default 256) */
    uint32_t fru_interval_s;     /* re-read FRU inventory this often (default 86400) */
    char sdr_cache_dir[512];     /* default /var/cache/ipmi-snmp-bridge */
    struct cfg_bmc *bmcs;
    size_t nbmcs;
    char *path; /* the file that was loaded */
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

/* "user" -> 2 etc.; returns 0 for an unknown name. */
uint8_t cfg_privilege_from_name(const char *name);
const char *cfg_privilege_name(uint8_t priv);

#endif
