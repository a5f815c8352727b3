/*
 * Flashing the router (FLASH-1): dropbear has no sftp, so the image goes over SSH
 * standard input (`cat >`, sha256 read back), and `sysupgrade -T` must accept it
 * before anything is written to flash.
 */
#ifndef R4HIL_SYSUPGRADE_H
#define R4HIL_SYSUPGRADE_H

#include <stddef.h>

struct hil_ssh;
struct hil_scenario;
struct hil_step;

/* Where the image is written on the router: /tmp is RAM, as sysupgrade wants. */
#define HIL_SYSUPGRADE_TARGET "/tmp/r4hil-sysupgrade.img"

/* How a flash attempt ended, when the harness could do its part. */
enum hil_sysupgrade_outcome {
	HIL_SYSUPGRADE_FLASHING, /* validated, and sysupgrade started (the session may drop) */
	HIL_SYSUPGRADE_REFUSED,  /* `sysupgrade -T` rejected the image: nothing was flashed */
};

/*
 * Push the local file @image to the router, verify it, validate it with
 * `sysupgrade -T`, and only then run `sysupgrade` (with -n unless @keep_settings).
 * @timeout_ms bounds each remote command.
 *
 * Return: 0 with *@outcome set; on HIL_SYSUPGRADE_REFUSED *@why (malloc'd, caller
 * frees) holds what sysupgrade said. -errno when the harness could not do its part
 * (unreadable image, push or SSH failure), with *@err (malloc'd) saying why.
 */
int hil_sysupgrade(struct hil_ssh *ssh, const char *image, int keep_settings, int timeout_ms,
		   enum hil_sysupgrade_outcome *outcome, char **why, char **err);

/*
 * What act "flash" step @s of @sc writes: @image_override (run --image) if not
 * NULL, else the step's own image, relative to the scenario's file. Also sets
 * *@keep_settings (the step's keep_settings, default 1). malloc'd, NULL on OOM.
 */
char *hil_sysupgrade_image(const struct hil_scenario *sc, const struct hil_step *s, const char *image_override,
			   int *keep_settings);

#endif
