/*
 * Everything a scenario talks to, opened from a lab description: the router over
 * SSH, Home Assistant and the plug over HTTP, the clock, and (fake lab only) the
 * control endpoint for injections.
 */
#ifndef R4HIL_TARGET_H
#define R4HIL_TARGET_H

struct hil_lab;
struct hil_clock;
struct hil_ssh;
struct hil_ha;
struct hil_plug;
struct hil_fakelab;

struct hil_target {
	struct hil_lab *lab;
	struct hil_clock *clock;
	struct hil_ssh *router;
	struct hil_ha *ha;
	struct hil_plug *plug;
	struct hil_fakelab *fakelab; /* NULL in a real lab */
	const char *image;           /* sysupgrade image for act flash (run --image); NULL: the scenario's */
};

/*
 * Open the transports of @lab (not connecting yet). With @fakelab, the clock is its
 * virtual time. Takes ownership of @lab, not of @fakelab. NULL with *err set.
 */
struct hil_target *hil_target_open(struct hil_lab *lab, struct hil_fakelab *fakelab, char **err);
void hil_target_close(struct hil_target *t); /* NULL-safe */

/* The plug driver the lab file describes. NULL with *err set. */
struct hil_plug *hil_target_plug(const struct hil_lab *lab, char **err);

#endif
