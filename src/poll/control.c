/*
 * control.c - chassis control actions and the read-back of their states,
 * run as short request sequences on a BMC's session (see control.h).
 *
 * An action is an op with one request in flight at a time and a deadline
 * timer.  The caller hears of it exactly once: when the sequence ends or the
 * deadline passes, whichever comes first.  A boot device change holds the
 * BMC's set-in-progress lock (IPMI 2.0 section 28.12, parameter 0); once it
 * is taken, "set complete" is sent whatever happens next, even after the
 * caller has had its answer.  The op lives until its last request answers.
 * A lock held by someone else (81h) is never released by us; nor is one
 * whose "set in progress" the BMC took but whose answer was lost (we cannot
 * tell it from someone else's: the BMC's own timeout must clear it).
 */
#include "control.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"
#include "cfg.h"
#include "ev.h"
#include "ipmi_msg.h"
#include "log.h"

#define CONTROL_DEFAULT_TIMEOUT_MS 5000
#define IDENTIFY_DEFAULT_S         15 /* the spec's default interval (28.5) */

static const char *const kind_names[] = {
    [CONTROL_POWER] = "power",
    [CONTROL_IDENTIFY] = "identify",
    [CONTROL_BOOT] = "boot",
};

const char *control_kind_name(unsigned k)
{
    return k >= 1 && k <= CONTROL_KIND__MAX ? kind_names[k] : "unknown";
}

static const char *const status_words[CONTROL_STATUS__COUNT] = {
    [CONTROL_OK] = "ok",
    [CONTROL_E_DISABLED] = "disabled",
    [CONTROL_E_PRIVILEGE] = "privilege",
    [CONTROL_E_BAD_VALUE] = "bad_value",
    [CONTROL_E_UNAVAILABLE] = "unavailable",
    [CONTROL_E_BUSY] = "busy",
    [CONTROL_E_REFUSED] = "refused",
    [CONTROL_E_TIMEOUT] = "timeout",
};

const char *control_status_word(enum control_status s)
{
    return (unsigned)s < CONTROL_STATUS__COUNT ? status_words[s] : "unknown";
}

/* ---- per-BMC records ---------------------------------------------------- */

struct control_op;

struct control_slot {
    struct control_record last;
    struct control_record last_kind[CONTROL_KIND__MAX + 1];
    struct control_op *op; /* the action in flight, reported or not */
};

struct control_set {
    struct poller *p;
    struct ev_loop *loop;
    struct control_slot *slots;
    size_t nslots;
    struct control_op *ops; /* every op still alive */
};

enum op_step {
    STEP_POWER,
    STEP_IDENTIFY,
    STEP_BOOT_LOCK,
    STEP_BOOT_WRITE,
    STEP_BOOT_UNLOCK,
    STEP_DONE,
};

struct control_op {
    struct control_set *cs; /* NULL once the set is freed: the op only waits to die */
    struct control_op *next;
    struct bmc *b;
    size_t idx;
    control_done_cb cb;
    void *arg;
    struct ev_timer deadline;
    enum op_step step;
    bool in_flight, reported, locked;
    struct control_req req;    /* a copy: the record may move on to a later action */
    struct control_result res; /* the outcome so far (boot: of the write) */
};

static const struct control_record empty_record;

static struct control_slot *slot_get(struct control_set *cs, size_t idx)
{
    if (idx >= cs->nslots) {
        size_t n = cs->nslots ? cs->nslots : 16;
        while (n <= idx)
            n *= 2;
        struct control_slot *s = realloc(cs->slots, n * sizeof(*s));
        if (!s)
            return NULL;
        memset(s + cs->nslots, 0, (n - cs->nslots) * sizeof(*s));
        cs->slots = s;
        cs->nslots = n;
    }
    return &cs->slots[idx];
}

struct control_set *control_set_new(struct poller *p)
{
    struct control_set *cs = calloc(1, sizeof(*cs));
    if (!cs)
        return NULL;
    cs->p = p;
    cs->loop = poller_loop(p);
    return cs;
}

void control_set_free(struct control_set *cs)
{
    if (!cs)
        return;
    for (struct control_op *op = cs->ops, *next; op; op = next) {
        next = op->next;
        ev_timer_stop(cs->loop, &op->deadline);
        op->cs = NULL;
        op->next = NULL;
        if (!op->in_flight)
            free(op);
        /* else freed by its request's callback, which the engine still owes */
    }
    free(cs->slots);
    free(cs);
}

const struct control_record *control_last(const struct control_set *cs, const struct bmc *b)
{
    size_t i = bmc_index(b);
    return cs && i < cs->nslots ? &cs->slots[i].last : &empty_record;
}

const struct control_record *control_last_of(const struct control_set *cs, const struct bmc *b,
                                             enum control_kind kind)
{
    size_t i = bmc_index(b);
    if (!cs || i >= cs->nslots || kind < 1 || kind > CONTROL_KIND__MAX)
        return &empty_record;
    return &cs->slots[i].last_kind[kind];
}

/* ---- describing and checking a request ----------------------------------- */

void control_req_describe(const struct control_req *req, char *buf, size_t len)
{
    const char *v;
    switch (req->kind) {
    case CONTROL_POWER:
        v = ctl_power_name(req->value);
        snprintf(buf, len, "power %s", v ? v : "(invalid)");
        return;
    case CONTROL_IDENTIFY:
        v = ctl_identify_name(req->value);
        if (req->value == CTL_IDENTIFY_ON)
            snprintf(buf, len, "identify on %u s",
                     req->seconds ? req->seconds : (unsigned)IDENTIFY_DEFAULT_S);
        else
            snprintf(buf, len, "identify %s", v ? v : "(invalid)");
        return;
    case CONTROL_BOOT: {
        const char *d = ctl_boot_dev_name(req->boot.device);
        const char *p = ctl_boot_persist_name(req->boot.persist);
        const char *m = ctl_boot_mode_name(req->boot.mode);
        snprintf(buf, len, "boot device %s %s %s", d ? d : "(invalid)", p ? p : "(invalid)",
                 m ? m : "(invalid)");
        return;
    }
    }
    snprintf(buf, len, "(invalid action %u)", (unsigned)req->kind);
}

static bool req_valid(const struct control_req *req)
{
    uint8_t flags[IPMI_BOOT_FLAGS_LEN];
    switch (req->kind) {
    case CONTROL_POWER:
        return ctl_power_code(req->value) >= 0;
    case CONTROL_IDENTIFY:
        return ctl_identify_name(req->value) && req->seconds <= 255;
    case CONTROL_BOOT:
        return ctl_boot_flags_encode(&req->boot, flags) == 0;
    }
    return false;
}

static void timespec_now(struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
}

/* Log one line per action, when it has ended (or was refused). */
static void log_action(struct bmc *b, const struct control_record *r)
{
    enum log_level lvl = r->result.status == CONTROL_OK ? LOG_LVL_NOTICE : LOG_LVL_WARN;
    log_msg(lvl, "control: BMC %s (%s): %s requested by %s: %s [%s]", bmc_name(b), bmc_address(b),
            r->action, r->requester, r->result.text, control_status_word(r->result.status));
}

static void record_begin(struct control_record *r, const struct control_req *req)
{
    memset(r, 0, sizeof(*r));
    r->valid = true;
    r->in_progress = true;
    r->req = *req;
    snprintf(r->requester, sizeof(r->requester), "%s",
             req->requester && *req->requester ? req->requester : "(unknown)");
    r->req.requester = NULL; /* records are copied: the text is in r->requester */
    control_req_describe(req, r->action, sizeof(r->action));
    timespec_now(&r->started);
}

static void record_end(struct control_slot *s, struct control_record *r,
                       const struct control_result *res)
{
    r->in_progress = false;
    r->result = *res;
    timespec_now(&r->ended);
    if (r != &s->last_kind[r->req.kind])
        s->last_kind[r->req.kind] = *r;
}

static void set_result(struct control_result *res, enum control_status st, uint8_t cc,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_result(struct control_result *res, enum control_status st, uint8_t cc,
                       const char *fmt, ...)
{
    va_list ap;
    res->status = st;
    res->cc = cc;
    va_start(ap, fmt);
    vsnprintf(res->text, sizeof(res->text), fmt, ap);
    va_end(ap);
}

/* Why the session's privilege is not enough, naming what to change: the
 * privilege key when the config asks for less than OPERATOR, else the
 * user's level on the BMC. */
static void privilege_text(struct control_result *res, const struct bmc *b, uint8_t cc,
                           const char *why)
{
    const struct cfg_bmc *c = bmc_cfg(b);
    if (c->privilege < IPMI_PRIV_OPERATOR)
        set_result(res, CONTROL_E_PRIVILEGE, cc,
                   "%s; chassis control needs operator or admin: set privilege = \"operator\" "
                   "for bmc \"%s\" (%s:%d) and give its user that level on the BMC",
                   why, c->name, c->file ? c->file : "config", c->line);
    else
        set_result(res, CONTROL_E_PRIVILEGE, cc,
                   "%s; chassis control needs operator or admin: give user \"%s\" privilege "
                   "%s on the BMC (bmc \"%s\" has privilege = \"%s\", %s:%d)",
                   why, c->username, cfg_privilege_name(c->privilege), c->name,
                   cfg_privilege_name(c->privilege), c->file ? c->file : "config", c->line);
}

/* ---- completion codes and errors to a status ----------------------------- */

static void result_from_rsp(struct control_result *res, const struct bmc *b,
                            const struct bmc_rsp *rsp, const char *what)
{
    if (rsp->err != BMC_E_NONE) {
        enum control_status st;
        switch (rsp->err) {
        case BMC_E_TIMEOUT:
            st = CONTROL_E_TIMEOUT;
            break;
        case BMC_E_PRIVILEGE:
            privilege_text(res, b, 0, "the BMC refused the session privilege");
            return;
        default:
            st = CONTROL_E_UNAVAILABLE;
            break;
        }
        set_result(res, st, 0, "%s: no answer from the BMC (%s)", what, bmc_error_word(rsp->err));
        return;
    }
    if (rsp->cc == IPMI_CC_OK) {
        set_result(res, CONTROL_OK, 0, "ok");
        return;
    }
    char why[96];
    snprintf(why, sizeof(why), "%s: the BMC answered %02Xh (%s)", what, rsp->cc,
             ipmi_cc_text(rsp->cc));
    switch (rsp->cc) {
    case IPMI_CC_INSUFFICIENT_PRIVILEGE:
        privilege_text(res, b, rsp->cc, why);
        return;
    case IPMI_CC_NODE_BUSY:
    case IPMI_CC_TIMEOUT:
    case IPMI_CC_NO_RESPONSE:
    case IPMI_CC_INIT_IN_PROGRESS:
    case IPMI_CC_SDR_UPDATE_MODE:
    case IPMI_CC_FIRMWARE_UPDATE_MODE:
    case IPMI_CC_NOT_SUPPORTED_NOW:
        set_result(res, CONTROL_E_BUSY, rsp->cc, "%s, try again later", why);
        return;
    default:
        set_result(res, CONTROL_E_REFUSED, rsp->cc, "%s", why);
        return;
    }
}

/* ---- the op ---------------------------------------------------------------- */

static void op_unlink_free(struct control_op *op)
{
    struct control_set *cs = op->cs;
    if (cs) {
        ev_timer_stop(cs->loop, &op->deadline);
        for (struct control_op **pp = &cs->ops; *pp; pp = &(*pp)->next)
            if (*pp == op) {
                *pp = op->next;
                break;
            }
        if (op->idx < cs->nslots && cs->slots[op->idx].op == op)
            cs->slots[op->idx].op = NULL;
    }
    free(op);
}

/* Tell the caller (once), record and log. */
static void op_report(struct control_op *op, const struct control_result *res)
{
    if (op->reported || !op->cs)
        return;
    op->reported = true;
    struct control_set *cs = op->cs;
    ev_timer_stop(cs->loop, &op->deadline);
    struct control_slot *s = &cs->slots[op->idx];
    record_end(s, &s->last, res);
    log_action(op->b, &s->last);
    if (op->cb)
        op->cb(op->b, op->arg, res);
}

static void op_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp);

static int op_send(struct control_op *op, uint8_t cmd, const struct layout *l, const void *in)
{
    uint8_t buf[16];
    enum codec_err e;
    ssize_t n = layout_encode(l, in, buf, sizeof(buf), &e);
    if (n < 0)
        return -1;
    if (bmc_request(op->b, IPMI_NETFN_CHASSIS, cmd, buf, (size_t)n, op_rsp, op) < 0)
        return -1;
    op->in_flight = true;
    return 0;
}

static int send_set_in_progress(struct control_op *op, uint8_t value)
{
    struct ipmi_bootopt_set_req r = {.param = IPMI_BOOTPARAM_SET_IN_PROGRESS, .dlen = 1};
    r.data[0] = value;
    return op_send(op, IPMI_CMD_SET_BOOT_OPTIONS, &ipmi_bootopt_set_req_layout, &r);
}

/* Send the request of op->step.  Returns 0, or -1 when nothing could be queued. */
static int op_step_send(struct control_op *op, const struct control_req *req)
{
    switch (op->step) {
    case STEP_POWER: {
        struct ipmi_chassis_ctl_req r = {.control = (uint8_t)ctl_power_code(req->value)};
        return op_send(op, IPMI_CMD_CHASSIS_CONTROL, &ipmi_chassis_ctl_req_layout, &r);
    }
    case STEP_IDENTIFY: {
        struct ipmi_identify_req r = {0};
        if (req->value == CTL_IDENTIFY_FORCE) {
            r.force = 1;
            return op_send(op, IPMI_CMD_CHASSIS_IDENTIFY, &ipmi_identify_force_req_layout, &r);
        }
        if (req->value == CTL_IDENTIFY_ON)
            r.interval = (uint8_t)(req->seconds ? req->seconds : IDENTIFY_DEFAULT_S);
        return op_send(op, IPMI_CMD_CHASSIS_IDENTIFY, &ipmi_identify_req_layout, &r);
    }
    case STEP_BOOT_LOCK:
        return send_set_in_progress(op, IPMI_BOOT_SET_IN_PROGRESS);
    case STEP_BOOT_WRITE: {
        struct ipmi_bootopt_set_req r = {.param = IPMI_BOOTPARAM_BOOT_FLAGS,
                                         .dlen = IPMI_BOOT_FLAGS_LEN};
        if (ctl_boot_flags_encode(&req->boot, r.data) < 0)
            return -1;
        return op_send(op, IPMI_CMD_SET_BOOT_OPTIONS, &ipmi_bootopt_set_req_layout, &r);
    }
    case STEP_BOOT_UNLOCK:
        return send_set_in_progress(op, IPMI_BOOT_SET_COMPLETE);
    case STEP_DONE:
        break;
    }
    return -1;
}

static void op_rsp(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct control_op *op = arg;
    op->in_flight = false;
    if (!op->cs) { /* the set was freed: nothing more to do */
        free(op);
        return;
    }
    const struct control_req *req = &op->req;
    struct control_result r;
    switch (op->step) {
    case STEP_POWER:
        result_from_rsp(&r, op->b, rsp, "Chassis Control");
        op->res = r;
        op->step = STEP_DONE;
        break;
    case STEP_IDENTIFY:
        result_from_rsp(&r, op->b, rsp, "Chassis Identify");
        op->res = r;
        op->step = STEP_DONE;
        break;
    case STEP_BOOT_LOCK:
        if (rsp->err == BMC_E_NONE && rsp->cc == IPMI_CC_OK) {
            op->locked = true;
            op->step = STEP_BOOT_WRITE;
        } else if (rsp->err == BMC_E_NONE && rsp->cc == IPMI_CC_BOOTPARAM_UNSUPPORTED) {
            op->step = STEP_BOOT_WRITE; /* the lock is optional (Table 28-14) */
        } else if (rsp->err == BMC_E_NONE && rsp->cc == IPMI_CC_BOOTPARAM_SET_IN_PROGRESS) {
            /* someone else holds the lock: not ours to release */
            set_result(&op->res, CONTROL_E_BUSY, rsp->cc,
                       "Set System Boot Options: another client has a boot option change in "
                       "progress (81h), try again later");
            op->step = STEP_DONE;
        } else {
            result_from_rsp(&op->res, op->b, rsp, "Set System Boot Options (set in progress)");
            op->step = STEP_DONE;
        }
        break;
    case STEP_BOOT_WRITE:
        result_from_rsp(&op->res, op->b, rsp, "Set System Boot Options (boot flags)");
        op->step = op->locked ? STEP_BOOT_UNLOCK : STEP_DONE;
        break;
    case STEP_BOOT_UNLOCK:
        op->locked = false;
        result_from_rsp(&r, op->b, rsp, "Set System Boot Options (set complete)");
        if (r.status != CONTROL_OK && op->res.status == CONTROL_OK) {
            /* the flags are written; only the lock release failed */
            size_t n = strlen(op->res.text);
            snprintf(op->res.text + n, sizeof(op->res.text) - n, "; but %s", r.text);
        }
        op->step = STEP_DONE;
        break;
    case STEP_DONE:
        break;
    }
    /* Told "timeout" already: write nothing more, only release the lock. */
    if (op->reported && op->step == STEP_BOOT_WRITE)
        op->step = op->locked ? STEP_BOOT_UNLOCK : STEP_DONE;
    if (op->step == STEP_DONE)
        op_report(op, &op->res);
    if (op->step != STEP_DONE && op_step_send(op, req) < 0) {
        set_result(&r, CONTROL_E_UNAVAILABLE, 0, "cannot queue the next request (out of memory)");
        op->step = STEP_DONE;
        op_report(op, &r);
    }
    if (!op->in_flight)
        op_unlink_free(op);
}

static void op_deadline(struct ev_loop *loop, struct ev_timer *t, void *arg)
{
    (void)loop;
    (void)t;
    struct control_op *op = arg;
    struct control_result r;
    set_result(&r, CONTROL_E_TIMEOUT, 0, "no final answer from the BMC within the time allowed");
    op_report(op, &r);
    /* the op stays until its request answers (and set complete is sent) */
}

/* ---- start ---------------------------------------------------------------- */

static enum control_status refuse(struct control_slot *s, struct bmc *b, struct control_record *r,
                                  const struct control_result *res, struct control_result *now)
{
    record_end(s, r, res);
    log_action(b, r);
    if (now)
        *now = *res;
    return res->status;
}

enum control_status control_start(struct control_set *cs, struct bmc *b,
                                  const struct control_req *req, control_done_cb cb, void *arg,
                                  struct control_result *now)
{
    struct control_result res = {0};
    struct control_slot *s = slot_get(cs, bmc_index(b));
    if (!s) {
        set_result(&res, CONTROL_E_UNAVAILABLE, 0, "out of memory");
        if (now)
            *now = res;
        log_err("control: BMC %s (%s): out of memory", bmc_name(b), bmc_address(b));
        return res.status;
    }
    if (s->op) {
        /* Busy: logged, but the record keeps describing the action in flight. */
        struct control_record tmp;
        record_begin(&tmp, req);
        set_result(&res, CONTROL_E_BUSY, 0,
                   "refused: the previous action (%s) has not finished on the BMC yet",
                   s->last.action);
        struct control_slot scratch;
        return refuse(&scratch, b, &tmp, &res, now);
    }
    struct control_record *r = &s->last;
    record_begin(r, req);

    const struct cfg_bmc *c = bmc_cfg(b);
    if (!req_valid(req)) {
        set_result(&res, CONTROL_E_BAD_VALUE, 0, "refused: invalid request");
        return refuse(s, b, r, &res, now);
    }
    if (!c->allow_control) {
        set_result(&res, CONTROL_E_DISABLED, 0,
                   "refused: control is off for this BMC; set allow-control = true for bmc "
                   "\"%s\" (%s:%d) or in defaults",
                   c->name, c->file ? c->file : "config", c->line);
        return refuse(s, b, r, &res, now);
    }
    if (c->privilege < IPMI_PRIV_OPERATOR) {
        char why[64];
        snprintf(why, sizeof(why), "refused: the session privilege is %s",
                 cfg_privilege_name(c->privilege));
        privilege_text(&res, b, 0, why);
        return refuse(s, b, r, &res, now);
    }
    enum bmc_state st = bmc_state(b);
    if (st == BMC_S_FAILED || (st == BMC_S_IDLE && bmc_last_error(b) != BMC_E_NONE)) {
        const char *why = bmc_error_text(b);
        if (bmc_last_error(b) == BMC_E_PRIVILEGE) {
            privilege_text(&res, b, 0, "refused: the BMC did not grant the session privilege");
            return refuse(s, b, r, &res, now);
        }
        set_result(&res, CONTROL_E_UNAVAILABLE, 0, "refused: the BMC is down (%s)",
                   *why ? bmc_error_word(bmc_last_error(b)) : "no session");
        return refuse(s, b, r, &res, now);
    }

    struct control_op *op = calloc(1, sizeof(*op));
    if (!op) {
        set_result(&res, CONTROL_E_UNAVAILABLE, 0, "out of memory");
        return refuse(s, b, r, &res, now);
    }
    op->cs = cs;
    op->b = b;
    op->idx = bmc_index(b);
    op->cb = cb;
    op->arg = arg;
    op->req = r->req;
    op->step = req->kind == CONTROL_POWER      ? STEP_POWER
               : req->kind == CONTROL_IDENTIFY ? STEP_IDENTIFY
                                               : STEP_BOOT_LOCK;
    if (op_step_send(op, &op->req) < 0) {
        free(op);
        set_result(&res, CONTROL_E_UNAVAILABLE, 0, "cannot queue the request");
        return refuse(s, b, r, &res, now);
    }
    op->next = cs->ops;
    cs->ops = op;
    s->op = op;
    ev_timer_init(&op->deadline, op_deadline, op);
    uint32_t ms = req->timeout_ms ? req->timeout_ms : CONTROL_DEFAULT_TIMEOUT_MS;
    ev_timer_start(cs->loop, &op->deadline, (uint64_t)ms * EV_NS_PER_MS);
    if (now)
        set_result(now, CONTROL_OK, 0, "in progress");
    return CONTROL_OK;
}

/* ---- read-back --------------------------------------------------------------- */

struct readback {
    struct control_set *cs;
    struct bmc *b;
    control_state_cb cb;
    void *arg;
    struct control_state st;
};

static void readback_finish(struct readback *rb)
{
    const struct control_record *r;
    struct control_state *st = &rb->st;
    if (st->identify_src == CONTROL_SRC_UNKNOWN) {
        r = control_last_of(rb->cs, rb->b, CONTROL_IDENTIFY);
        if (r->valid && r->result.status == CONTROL_OK) {
            st->identify = (uint8_t)r->req.value;
            st->identify_src = CONTROL_SRC_LAST_ACTION;
        }
    }
    if (st->boot_src == CONTROL_SRC_UNKNOWN) {
        r = control_last_of(rb->cs, rb->b, CONTROL_BOOT);
        if (r->valid && r->result.status == CONTROL_OK) {
            st->boot = r->req.boot;
            st->boot.valid = true;
            st->boot_src = CONTROL_SRC_LAST_ACTION;
        }
    }
    if (st->power_src == CONTROL_SRC_UNKNOWN) {
        r = control_last_of(rb->cs, rb->b, CONTROL_POWER);
        if (r->valid && r->result.status == CONTROL_OK) {
            st->power_on = r->req.value != CTL_POWER_OFF && r->req.value != CTL_POWER_SOFT_SHUTDOWN;
            st->power_src = CONTROL_SRC_LAST_ACTION;
        }
    }
    rb->cb(rb->b, rb->arg, st);
    free(rb);
}

static void readback_boot(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    (void)b;
    struct readback *rb = arg;
    if (rsp->err == BMC_E_NONE && rsp->cc == IPMI_CC_OK) {
        uint8_t buf[20];
        struct ipmi_bootopt_get_rsp g;
        enum codec_err e;
        size_t len = rsp->len < sizeof(buf) - 1 ? rsp->len : sizeof(buf) - 1;
        buf[0] = rsp->cc;
        memcpy(buf + 1, rsp->data, len);
        if (layout_decode(&ipmi_bootopt_get_rsp_layout, buf, len + 1, &g, &e) >= 0 &&
            (g.param & 0x7f) == IPMI_BOOTPARAM_BOOT_FLAGS &&
            ctl_boot_flags_decode(g.data, g.dlen, &rb->st.boot) == 0)
            rb->st.boot_src = CONTROL_SRC_BMC;
    }
    readback_finish(rb);
}

static void readback_chassis(struct bmc *b, void *arg, const struct bmc_rsp *rsp)
{
    struct readback *rb = arg;
    if (rsp->err == BMC_E_NONE && rsp->cc == IPMI_CC_OK) {
        uint8_t buf[8];
        struct ipmi_chassis_rsp c;
        enum codec_err e;
        size_t len = rsp->len < sizeof(buf) - 1 ? rsp->len : sizeof(buf) - 1;
        buf[0] = rsp->cc;
        memcpy(buf + 1, rsp->data, len);
        if (len >= 3 && layout_decode(&ipmi_chassis_rsp_layout, buf, len + 1, &c, &e) >= 0) {
            rb->st.power_on = (c.power & 0x01) != 0;
            rb->st.power_src = CONTROL_SRC_BMC;
            unsigned id = ctl_identify_from_status(c.misc);
            if (id) {
                rb->st.identify = (uint8_t)id;
                rb->st.identify_src = CONTROL_SRC_BMC;
            }
        }
    }
    if (rsp->err != BMC_E_NONE) { /* no point asking the second question */
        readback_finish(rb);
        return;
    }
    struct ipmi_bootopt_get_req g = {.param = IPMI_BOOTPARAM_BOOT_FLAGS};
    uint8_t req[4];
    enum codec_err e;
    ssize_t n = layout_encode(&ipmi_bootopt_get_req_layout, &g, req, sizeof(req), &e);
    if (n < 0 || bmc_request(b, IPMI_NETFN_CHASSIS, IPMI_CMD_GET_BOOT_OPTIONS, req, (size_t)n,
                             readback_boot, rb) < 0)
        readback_finish(rb);
}

int control_read_state(struct control_set *cs, struct bmc *b, control_state_cb cb, void *arg)
{
    struct readback *rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -1;
    rb->cs = cs;
    rb->b = b;
    rb->cb = cb;
    rb->arg = arg;
    if (bmc_request(b, IPMI_NETFN_CHASSIS, IPMI_CMD_GET_CHASSIS_STATUS, NULL, 0, readback_chassis,
                    rb) < 0) {
        free(rb);
        return -1;
    }
    return 0;
}
