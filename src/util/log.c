#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

static const char *log_ident = "ipmi-snmp-bridge";
static int log_syslog;
static enum log_level log_level = LOG_LVL_NOTICE;

static const int syslog_prio[] = {
    [LOG_LVL_ERR] = LOG_ERR,   [LOG_LVL_WARN] = LOG_WARNING, [LOG_LVL_NOTICE] = LOG_NOTICE,
    [LOG_LVL_INFO] = LOG_INFO, [LOG_LVL_DEBUG] = LOG_DEBUG,
};
static const char *const level_name[] = {
    [LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warning", [LOG_LVL_NOTICE] = "notice",
    [LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
};

void log_init(const char *ident, int to_syslog, enum log_level level)
{
    if (ident)
        log_ident = ident;
    log_syslog = to_syslog;
    log_level = level;
    if (to_syslog)
        openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
    log_level = level;
}

enum log_level log_get_level(void)
{
    return log_level;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    if (level > log_level)
        return;
    if (log_syslog) {
        vsyslog(syslog_prio[level], fmt, ap);
        return;
    }
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
    fprintf(stderr, "%s: %s: %s\n", log_ident, level_name[level], line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_LVL_ERR, fmt, ap);
    va_end(ap);
    exit(1);
}

int log_rl_ok(struct log_rl *rl, uint64_t now_ns, uint64_t interval_ns, uint32_t *suppressed)
{
    if (now_ns < rl->next_ns) {
        rl->suppressed++;
        return 0;
    }
    if (suppressed)
        *suppressed = rl->suppressed;
    rl->suppressed = 0;
    rl->next_ns = now_ns + interval_ns;
    return 1;
}
