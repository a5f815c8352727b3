/*
 * The physical world of the fake lab, in virtual time: the "Internet" plug that
 * feeds the router and the ONU, the router's power and boot cycle, the ONU's PLOAM
 * registration, the SFP1 TX_FAULT line and its IRQ counter, and the files through
 * which the router's scripts see all this (/proc/interrupts, /sys/class/net/...).
 *
 * Numbers (boot times, rates) are documented in fakes/README.md.
 */
#ifndef FL_WORLD_H
#define FL_WORLD_H

#include <json-c/json.h>

#include "core/loop.h"

struct fl_truth;
struct fl_ha;

struct fl_world_config {
	struct fl_loop *loop;
	struct fl_truth *truth;
	struct fl_ha *ha;         /* told about plug changes; may be NULL */
	const char *rootfs;       /* the router's assembled root filesystem */
	const char *image;        /* its pristine copy: what a sysupgrade writes back (NULL: none) */
	const char *model_dir;    /* model files bound into the sandbox */
	const char *run_dir;      /* per-boot scratch of the sandbox */
	const char *routerd;      /* r4hil-routerd binary */
	int ssh_port;             /* the router's dropbear port on 127.0.0.1 */
	const char *plug_entity;  /* HA entity of the plug, e.g. "switch.internet" */
	/* The ONU's own Linux (world/onu.c); onu_rootfs NULL: no `ssh onu`, PLOAM only. */
	const char *onu_rootfs, *onu_model_dir, *onu_run_dir;
	int onu_ssh_port;
};

/* Timing of the models, in virtual milliseconds. */
#define FL_ROUTER_BOOT_MS (70 * FL_SECOND)     /* power on -> userland, SSH, cron */
#define FL_ROUTER_SHUTDOWN_MS (5 * FL_SECOND)  /* `reboot` -> reset */
#define FL_ONU_REGISTER_MS (240 * FL_SECOND)   /* power on -> PLOAM O5 (world/onu.h) */

/* The world in steady state at the loop's current time: plug on, router up, ONU in O5. */
struct fl_world *fl_world_new(const struct fl_world_config *cfg, char **err);
void fl_world_free(struct fl_world *world); /* powers the sandbox off; NULL-safe */

/* The plug's relay. Switching off powers off the router and the ONU at once. */
int fl_world_plug_set(struct fl_world *world, int on);
int fl_world_plug_get(const struct fl_world *world);

/*
 * A physical event from the control endpoint: "sfp.storm" (params rate_per_s,
 * carrier, duration_ms, cleared_by) or "sfp.storm-stop". 0, or -EINVAL with *err.
 */
int fl_world_inject(struct fl_world *world, const char *name, struct json_object *params, char **err);

/* The router asked to go down: "reboot", "poweroff" (from its shims). */
int fl_world_router_request(struct fl_world *world, const char *what);

/*
 * A shim inside the router asked for POST /hw/@model/@action: the model's hw hook
 * answers in @resp. -ENOENT if no model of that name handles hardware requests.
 */
struct fl_http_resp;
int fl_world_hw_request(struct fl_world *world, const char *model, const char *action,
			struct json_object *body, struct fl_http_resp *resp);

/* Current router state for the control endpoint: "off", "booting", "up". */
const char *fl_world_router_state(const struct fl_world *world);

#endif
