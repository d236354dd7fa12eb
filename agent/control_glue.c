/*
 * control_glue.c - between the subagent's control SETs, the control set of
 * the poller and the store (see control_glue.h).
 */
#include "control_glue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"

struct glue_state {
    bool have;
    struct control_state st;
    uint32_t index;      /* ipmiBmcIndex of this BMC */
    uint64_t info_ok_ns; /* the info task's completion last seen */
};

struct control_glue {
    struct store *store;
    struct control_set *cs;
    struct control_glue_ops ops;
    struct agentx_control ax;
    struct glue_state *st; /* by bmc_index() */
    size_t nst;
};

static struct glue_state *state_of(struct control_glue *g, const struct bmc *b)
{
    size_t i = bmc_index(b);
    if (i >= g->nst) {
        size_t n = i + 16;
        struct glue_state *v = realloc(g->st, n * sizeof(*v));
        if (!v)
            return NULL;
        memset(v + g->nst, 0, (n - g->nst) * sizeof(*v));
        g->st = v;
        g->nst = n;
    }
    return &g->st[i];
}

const struct store_control *control_glue_columns(struct control_glue *g, const struct bmc *b,
                                                 uint32_t index, struct control_glue_text *t)
{
    struct glue_state *s = state_of(g, b);
    if (s && s->index != index) { /* another BMC in this slot (reload): start afresh */
        memset(s, 0, sizeof(*s));
        s->index = index;
    }
    control_to_store(g->cs, b, s && s->have ? &s->st : NULL, &t->c, t->action, sizeof(t->action),
                     t->result, sizeof(t->result));
    return &t->c;
}

/* Republish b's current snapshot with its control columns. */
static void republish(struct control_glue *g, struct bmc *b, uint32_t index)
{
    const struct store_bmc *cur =
        g->ops.current ? g->ops.current(g->ops.ctx, index) : store_find(g->store, index);
    if (!cur)
        return; /* no snapshot yet: the first poll's carries the columns */
    struct control_glue_text t;
    const struct store_bmc *n = store_bmc_with_control(cur, control_glue_columns(g, b, index, &t));
    if (!n)
        return;
    if (g->ops.publish)
        g->ops.publish(g->ops.ctx, index, n);
    else if (store_publish(g->store, n) == 0)
        store_apply(g->store);
}

static void on_state(struct bmc *b, void *arg, const struct control_state *st)
{
    struct control_glue *g = arg;
    struct glue_state *s = state_of(g, b);
    if (!s)
        return;
    s->have = true;
    s->st = *st;
    republish(g, b, s->index);
}

void control_glue_read_back(struct control_glue *g, struct bmc *b, uint32_t index)
{
    struct glue_state *s = state_of(g, b);
    if (!s)
        return;
    if (s->index != index) {
        memset(s, 0, sizeof(*s));
        s->index = index;
    }
    if (control_read_state(g->cs, b, on_state, g) < 0)
        republish(g, b, index);
}

void control_glue_after_poll(struct control_glue *g, struct bmc *b, uint32_t index,
                             uint64_t info_ok_ns)
{
    struct glue_state *s = b ? state_of(g, b) : NULL;
    if (!s || bmc_state(b) != BMC_S_ACTIVE || (s->index == index && s->info_ok_ns == info_ok_ns))
        return;
    control_glue_read_back(g, b, index);
    s->info_ok_ns = info_ok_ns;
}

struct call {
    struct control_glue *g;
    uint32_t index;
    void (*done)(void *arg, const struct control_result *res);
    void *arg;
};

static void on_done(struct bmc *b, void *arg, const struct control_result *res)
{
    struct call *c = arg;
    struct control_glue *g = c->g;
    uint32_t index = c->index;
    republish(g, b, index); /* the outcome shows at once */
    c->done(c->arg, res);
    free(c);
    control_glue_read_back(g, b, index); /* and then the state the BMC reports */
}

enum control_status control_glue_refuse(struct control_result *now, uint32_t index)
{
    memset(now, 0, sizeof(*now));
    now->status = CONTROL_E_UNAVAILABLE;
    snprintf(now->text, sizeof(now->text), "no BMC with index %u, or out of memory",
             (unsigned)index);
    return now->status;
}

static enum control_status start(void *ctx, uint32_t index, const struct control_req *req,
                                 void (*done)(void *arg, const struct control_result *res),
                                 void *arg, struct control_result *now)
{
    struct control_glue *g = ctx;
    struct bmc *b = g->ops.bmc_of(g->ops.ctx, index);
    struct call *c = b ? calloc(1, sizeof(*c)) : NULL;
    if (!c)
        return control_glue_refuse(now, index);
    *c = (struct call){.g = g, .index = index, .done = done, .arg = arg};
    enum control_status st = control_start(g->cs, b, req, on_done, c, now);
    if (st != CONTROL_OK) {
        free(c);
        republish(g, b, index);
    }
    return st;
}

struct control_glue *control_glue_new(struct store *store, struct control_set *cs,
                                      const struct control_glue_ops *ops)
{
    struct control_glue *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->store = store;
    g->cs = cs;
    g->ops = *ops;
    g->ax = (struct agentx_control){.start = start, .ctx = g, .timeout_ms = ops->timeout_ms};
    return g;
}

const struct agentx_control *control_glue_agentx(struct control_glue *g)
{
    return &g->ax;
}

void control_glue_free(struct control_glue *g)
{
    if (!g)
        return;
    free(g->st);
    free(g);
}
