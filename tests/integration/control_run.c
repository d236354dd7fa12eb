/*
 * control_run - drive src/poll/control.c from the command line, for the
 * control integration tests:
 *
 *   control_run -c FILE [-r REQUESTER] [-t TIMEOUT_MS] [-v] SPEC...
 *
 * SPEC is BMC:power=powerOff|powerOn|powerCycle|hardReset|softShutdown,
 * BMC:identify=off|on[:SECONDS]|forceOn, BMC:boot=DEVICE[,once|always]
 * [,legacy|uefi], BMC:read (the read-back of the current states) or
 * BMC:wait (print "waiting" and read a line from stdin first).  The
 * specs run one after another; each BMC's session is established first
 * (as the daemon's would be).  One line per spec on stdout:
 *
 *   result BMC STATUS immediate|async cc=XX TEXT
 *   state BMC power=on(bmc) identify=off(bmc) boot=pxe,once,uefi(bmc)
 *
 * The control log lines go to stderr.  Exit status 0 if every action
 * succeeded, 1 otherwise, 2 on usage errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"
#include "cfg.h"
#include "control.h"
#include "ev.h"
#include "log.h"

struct waiter {
    bool done;
    struct control_result res;
    struct control_state st;
};

static void on_done(struct bmc *b, void *arg, const struct control_result *res)
{
    (void)b;
    struct waiter *w = arg;
    w->res = *res;
    w->done = true;
}

static void on_state(struct bmc *b, void *arg, const struct control_state *st)
{
    (void)b;
    struct waiter *w = arg;
    w->st = *st;
    w->done = true;
}

static void on_closed(struct bmc *b, void *arg)
{
    (void)b;
    *(bool *)arg = true;
}

static int parse_spec(char *action, struct control_req *req, bool *read)
{
    char *eq = strchr(action, '=');
    *read = false;
    if (!strcmp(action, "read")) {
        *read = true;
        return 0;
    }
    if (!eq)
        return -1;
    *eq = '\0';
    char *val = eq + 1;
    if (!strcmp(action, "power")) {
        req->kind = CONTROL_POWER;
        req->value = ctl_power_from_name(val);
        return req->value ? 0 : -1;
    }
    if (!strcmp(action, "identify")) {
        req->kind = CONTROL_IDENTIFY;
        char *colon = strchr(val, ':');
        if (colon) {
            *colon = '\0';
            req->seconds = (unsigned)strtoul(colon + 1, NULL, 10);
        }
        req->value = ctl_identify_from_name(val);
        return req->value ? 0 : -1;
    }
    if (!strcmp(action, "boot")) {
        req->kind = CONTROL_BOOT;
        req->boot.persist = CTL_BOOT_ONCE;
        req->boot.mode = CTL_BOOT_LEGACY;
        for (char *tok = strtok(val, ","); tok; tok = strtok(NULL, ",")) {
            unsigned v;
            if ((v = ctl_boot_persist_from_name(tok)))
                req->boot.persist = (uint8_t)v;
            else if ((v = ctl_boot_mode_from_name(tok)))
                req->boot.mode = (uint8_t)v;
            else if ((v = ctl_boot_dev_from_name(tok)))
                req->boot.device = (uint8_t)v;
            else
                return -1;
        }
        return req->boot.device ? 0 : -1;
    }
    return -1;
}

static const char *src_name(uint8_t s)
{
    return s == CONTROL_SRC_BMC ? "bmc" : s == CONTROL_SRC_LAST_ACTION ? "last" : "unknown";
}

int main(int argc, char **argv)
{
    const char *path = NULL, *requester = "control_run";
    uint32_t timeout_ms = 5000;
    int c, verbose = 0;
    while ((c = getopt(argc, argv, "c:r:t:v")) != -1) {
        switch (c) {
        case 'c':
            path = optarg;
            break;
        case 'r':
            requester = optarg;
            break;
        case 't':
            timeout_ms = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'v':
            verbose++;
            break;
        default:
            return 2;
        }
    }
    if (!path || optind >= argc) {
        fprintf(stderr, "usage: control_run -c FILE [-r REQUESTER] [-t MS] [-v] BMC:ACTION...\n");
        return 2;
    }
    log_init("control_run", 0, verbose ? LOG_LVL_INFO : LOG_LVL_NOTICE);
    char err[1024];
    struct cfg *cfg = cfg_load(path, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "control_run: %s\n", err);
        return 2;
    }
    struct poller_opts po;
    poller_opts_default(&po);
    po.timeout_ms = cfg->timeout_ms;
    po.retries = cfg->retries;
    po.session_timeout_ms = cfg->session_timeout_ms;
    struct ev_loop *loop = ev_new();
    struct poller *p = loop ? poller_new(loop, &po, err, sizeof(err)) : NULL;
    if (!p) {
        fprintf(stderr, "control_run: %s\n", loop ? err : "no event loop");
        return 2;
    }
    for (size_t i = 0; i < cfg->nbmcs; i++)
        if (!poller_add(p, &cfg->bmcs[i], err, sizeof(err))) {
            fprintf(stderr, "control_run: %s\n", err);
            return 2;
        }
    struct control_set *cs = control_set_new(p);
    int status = 0;
    for (int a = optind; a < argc; a++) {
        char spec[256];
        snprintf(spec, sizeof(spec), "%s", argv[a]);
        char *colon = strchr(spec, ':');
        struct bmc *b = NULL;
        if (colon) {
            *colon = '\0';
            for (size_t i = 0; i < poller_count(p); i++)
                if (!strcmp(bmc_name(poller_bmc(p, i)), spec))
                    b = poller_bmc(p, i);
        }
        struct control_req req = {.requester = requester, .timeout_ms = timeout_ms};
        bool read;
        if (b && !strcmp(colon + 1, "wait")) {
            /* a test changes something (a fault) while the session is up */
            char line[64];
            printf("waiting\n");
            fflush(stdout);
            if (!fgets(line, sizeof(line), stdin))
                break;
            continue;
        }
        if (!b || parse_spec(colon + 1, &req, &read) < 0) {
            fprintf(stderr, "control_run: bad spec '%s'\n", argv[a]);
            status = 2;
            break;
        }
        /* the daemon keeps sessions up; here the first action opens it */
        bmc_connect(b);
        while (bmc_state(b) != BMC_S_ACTIVE && bmc_state(b) != BMC_S_FAILED &&
               !(bmc_state(b) == BMC_S_IDLE && bmc_last_error(b) != BMC_E_NONE))
            ev_run_once(loop, 100);
        struct waiter w = {0};
        if (read) {
            if (control_read_state(cs, b, on_state, &w) < 0) {
                printf("state %s failed\n", bmc_name(b));
                status = 1;
                continue;
            }
            while (!w.done)
                ev_run_once(loop, 100);
            const struct control_state *st = &w.st;
            const char *dev = ctl_boot_dev_name(st->boot.device);
            printf("state %s power=%s(%s) identify=%s(%s) boot=%s,%s,%s,%s(%s)\n", bmc_name(b),
                   st->power_src ? (st->power_on ? "on" : "off") : "-", src_name(st->power_src),
                   st->identify_src ? ctl_identify_name(st->identify) : "-",
                   src_name(st->identify_src), dev ? dev : "other",
                   ctl_boot_persist_name(st->boot.persist) ? ctl_boot_persist_name(st->boot.persist)
                                                           : "-",
                   ctl_boot_mode_name(st->boot.mode) ? ctl_boot_mode_name(st->boot.mode) : "-",
                   st->boot.valid ? "valid" : "invalid", src_name(st->boot_src));
            continue;
        }
        struct control_result now;
        enum control_status s = control_start(cs, b, &req, on_done, &w, &now);
        bool immediate = s != CONTROL_OK;
        if (immediate) {
            w.res = now;
        } else {
            while (!w.done)
                ev_run_once(loop, 100);
        }
        /* the record says the same as the callback (a busy refusal leaves
         * the record to the action still in flight) */
        const struct control_record *rec = control_last(cs, b);
        if (w.res.status != CONTROL_E_BUSY &&
            (rec->in_progress || rec->result.status != w.res.status)) {
            fprintf(stderr, "control_run: the record disagrees with the result\n");
            status = 1;
        }
        printf("result %s %s %s cc=%02X %s\n", bmc_name(b), control_status_word(w.res.status),
               immediate ? "immediate" : "async", w.res.cc, w.res.text);
        fflush(stdout);
        if (w.res.status != CONTROL_OK)
            status = 1;
    }
    /* let a boot change release its lock before the sessions close */
    for (int i = 0; i < 50; i++)
        ev_run_once(loop, 20);
    bool closed = false;
    poller_close_all(p, on_closed, &closed);
    while (!closed)
        ev_run_once(loop, 100);
    control_set_free(cs);
    poller_free(p);
    ev_free(loop);
    cfg_unload(cfg);
    return status;
}
