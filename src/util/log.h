/*
 * log.h - logging to stderr or syslog, with a per-source rate limiter so
 * that a BMC failing every second does not flood the log.
 */
#ifndef IPMI_BRIDGE_LOG_H
#define IPMI_BRIDGE_LOG_H

#include <stdint.h>
#include <stdarg.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_NOTICE, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, int to_syslog, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Start-up only: print and exit(1). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_err(...)    log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/*
 * A "futile to repeat" limiter: allows one message per `interval_ns`, and
 * counts what it held back so the next message can say so.
 */
struct log_rl {
    uint64_t next_ns;
    uint32_t suppressed;
};
/* Returns 1 if a message may be logged now; *suppressed gets the held-back count. */
int log_rl_ok(struct log_rl *rl, uint64_t now_ns, uint64_t interval_ns, uint32_t *suppressed);

#endif
