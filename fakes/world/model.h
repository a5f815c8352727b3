/*
 * How a model of one part of the router or its surroundings (kernel, WAN, WiFi,
 * services, ONU, ...) plugs into the world. The world (world.c) owns power, the
 * SoC's reset and boot, the sandbox and the ONU's power; each model keeps its own
 * state and files and is told about those changes through the hooks below, all
 * optional, all called from the loop (single thread, virtual time).
 *
 * Register a model by adding its ops to fl_models[] in world/models.c.
 */
#ifndef FL_MODEL_H
#define FL_MODEL_H

#include <json-c/json.h>

#include "core/loop.h"

struct fl_world;
struct fl_http_resp;

/* Where the router is in its power cycle. */
enum fl_router_state { FL_ROUTER_OFF, FL_ROUTER_BOOTING, FL_ROUTER_UP };

struct fl_model_ops {
	/* Prefix of its injections ("<name>.<what>") and of its /hw/<name>/ requests. */
	const char *name;

	/* Create the state at the world's steady state; files written here. 0 or -errno, *err. */
	int (*init)(struct fl_world *w, void **state, char **err);
	void (*free)(void *state);

	void (*power)(void *state, int on);       /* the plug's relay changed */
	void (*reset)(void *state);               /* SoC reset: a new kernel starts booting */
	void (*userland)(void *state);            /* sandbox up, before rc.local and cron */
	void (*halt)(void *state);                /* userland is going away (any cause) */
	void (*panic)(void *state, const char *why); /* kernel panic, before the halt */
	void (*time)(void *state);                /* virtual time moved or the world changed: bring files up to now */

	/* "<name>.<what>" from the control endpoint. 0, or -EINVAL with *err. */
	int (*inject)(void *state, const char *what, json_object *params, char **err);

	/*
	 * A shim inside the router asked for POST /hw/<name>/<action> with @body (JSON,
	 * may be NULL). Fill @resp (fl_http_reply); return 0, or -errno for a 500.
	 */
	int (*hw)(void *state, const char *action, json_object *body, struct fl_http_resp *resp);

	/* Another model's event (see fl_world_emit): "<model>.<event>". */
	void (*event)(void *state, const char *event, json_object *params);
};

/* Why the SoC last reset: the kernel keeps an orderly reboot's console apart from a crash. */
enum fl_reset_cause { FL_RESET_POWER_ON, FL_RESET_REBOOT, FL_RESET_HARD };

/* The registry, NULL-terminated (world/models.c). */
extern const struct fl_model_ops *const fl_models[];

/* What models may use of the world. */
struct fl_loop *fl_world_loop(const struct fl_world *w);
struct fl_truth *fl_world_truth(const struct fl_world *w);
struct fl_ha *fl_world_ha(const struct fl_world *w);
struct fl_sandbox *fl_world_sandbox(const struct fl_world *w); /* NULL unless userland runs */
const char *fl_world_model_dir(const struct fl_world *w);
const char *fl_world_rootfs(const struct fl_world *w);
enum fl_router_state fl_world_router(const struct fl_world *w);
fl_ms fl_world_kernel_start(const struct fl_world *w);   /* virtual time of the last reset */
int fl_world_boot_count(const struct fl_world *w);
int fl_world_onu_powered(const struct fl_world *w);
/* The optical side lets the WAN SFP link up: router up, ONU in O5, no carrier-down storm. */
int fl_world_wan_signal(const struct fl_world *w);
enum fl_reset_cause fl_world_reset_cause(const struct fl_world *w);
int fl_world_plug_get(const struct fl_world *w);
void *fl_world_model_state(const struct fl_world *w, const char *name); /* NULL if absent */
struct fl_world_config;
const struct fl_world_config *fl_world_cfg(const struct fl_world *w); /* as given to fl_world_new */

/* The kernel panics (@why in the console); models see panic then halt; the kernel model resets the SoC after kernel.panic s. */
void fl_world_kernel_panic(struct fl_world *w, const char *why);
/* A hardware reset now (watchdog, PERST of the SoC...): halt and boot again; no panic. */
void fl_world_hard_reset(struct fl_world *w, const char *why);
/* Tell every other model about @event ("<model>.<event>"); @params may be NULL. */
void fl_world_emit(struct fl_world *w, const char *event, json_object *params);
/* The model files changed (carrier etc.): rewrite the world's own files. */
void fl_world_changed(struct fl_world *w);

#endif
