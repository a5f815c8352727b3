/* HA's ping sensor of the router (see reach.h) and the LAN wedge that silences it. */
#include "world/reach.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/ha.h"
#include "world/model.h"
#include "core/truth.h"

struct reach {
	struct fl_world *w;
	int lan_wedged; /* the router runs but its LAN drops everything until the SoC resets */
	uint64_t poll_timer;
};

static int answers_ping(const struct reach *r)
{
	return fl_world_router(r->w) == FL_ROUTER_UP && !r->lan_wedged;
}

static void report(struct reach *r)
{
	struct fl_ha *ha = fl_world_ha(r->w);
	if (ha)
		fl_ha_set_state(ha, FL_REACH_SENSOR, answers_ping(r) ? "on" : "off",
				"{\"device_class\":\"connectivity\",\"friendly_name\":\"192.168.1.254\"}");
}

static void poll_tick(void *arg)
{
	struct reach *r = arg;
	struct fl_loop *loop = fl_world_loop(r->w);
	report(r);
	r->poll_timer = fl_timer_add(loop, fl_loop_now(loop) + FL_REACH_POLL_MS, poll_tick, r);
}

static int reach_init(struct fl_world *w, void **state, char **err)
{
	struct reach *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->w = w;
	*state = r;
	struct fl_loop *loop = fl_world_loop(w);
	fl_ms now = fl_loop_now(loop);
	/* the router is up at the steady state; the first poll says so */
	if (fl_world_ha(w))
		fl_ha_set_state(fl_world_ha(w), FL_REACH_SENSOR, "on",
				"{\"device_class\":\"connectivity\",\"friendly_name\":\"192.168.1.254\"}");
	r->poll_timer = fl_timer_add(loop, now - now % FL_REACH_POLL_MS + FL_REACH_POLL_MS, poll_tick, r);
	return 0;
}

static void reach_free(void *state)
{
	struct reach *r = state;
	if (r->poll_timer)
		fl_timer_cancel(fl_world_loop(r->w), r->poll_timer);
	free(r);
}

/* A SoC reset (reboot, watchdog, power) re-initialises the switch: the wedge is gone. */
static void reach_reset(void *state)
{
	struct reach *r = state;
	if (!r->lan_wedged)
		return;
	r->lan_wedged = 0;
	fl_truth_log(fl_world_truth(r->w), "reach", "SoC reset clears the LAN wedge");
}

static int reach_inject(void *state, const char *what, json_object *params, char **err)
{
	struct reach *r = state;
	if (strcmp(what, "lan-wedge") != 0) {
		if (asprintf(err, "unknown injection \"reach.%s\" (expected reach.lan-wedge)", what) < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (fl_world_router(r->w) != FL_ROUTER_UP) {
		*err = strdup("reach.lan-wedge: the router is not up");
		return -EINVAL;
	}
	r->lan_wedged = 1;
	fl_truth_log(fl_world_truth(r->w), "reach", "LAN wedged: 192.168.1.254 stops answering until a SoC reset");
	return 0;
}

const struct fl_model_ops fl_reach_model = {
	.name = "reach",
	.init = reach_init,
	.free = reach_free,
	.reset = reach_reset,
	.inject = reach_inject,
};
