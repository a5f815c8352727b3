/* Lab smart plugs that power the router: one API, one driver per plug type. */
#ifndef R4HIL_PLUG_H
#define R4HIL_PLUG_H

struct hil_plug;

/*
 * One driver per plug type. Drivers talk HTTP with bounded retries on
 * transport errors; they never read back (hil_plug_set() does that).
 */
struct hil_plug_ops {
	const char *type;	/* "shelly-gen2", ... as given to hil_plug_new() */
	/* Switch the relay; 0 or -errno with a message in *err. Must be idempotent. */
	int (*set)(struct hil_plug *p, int on, char **err);
	/* Read the relay into *on (0/1); 0 or -errno with a message in *err. */
	int (*get)(struct hil_plug *p, int *on, char **err);
};

/**
 * hil_plug_new() - create a plug client; does not contact the plug.
 * @type: "shelly-gen2", "shelly-gen1", "tasmota" or "hue".
 * @base_url: e.g. "http://192.168.1.50" (no trailing path).
 * @id: relay index (Shelly, Tasmota) or light id (Hue); NULL: "0" for
 *      Shelly, "1" for Tasmota and Hue.
 * @user: HTTP user (Shelly Gen1 basic auth, Tasmota user=); may be NULL.
 * @secret: password (Gen1, Tasmota) or the Hue API username; may be NULL
 *          (required for Hue). Never shown in messages.
 * @err: if non-NULL, receives a malloc'd message on failure (caller frees).
 *
 * Return: a plug to free with hil_plug_free(), or NULL with errno set
 * (EINVAL for an unknown type or missing argument, ENOMEM).
 */
struct hil_plug *hil_plug_new(const char *type, const char *base_url, const char *id,
			      const char *user, const char *secret, char **err);

/**
 * hil_plug_set() - switch the plug, then read it back.
 * @on: 1 on, 0 off.
 *
 * Return: 0 when the plug reports the wanted state; -EIO if it reads back
 * otherwise; -EACCES for rejected credentials; -ENOENT for an unknown relay
 * or light; -EPROTO for an unexpected or error reply (including Hue errors
 * sent with HTTP 200); or a transport error (-ECONNREFUSED, -ETIMEDOUT, ...).
 */
int hil_plug_set(struct hil_plug *p, int on, char **err);

/**
 * hil_plug_get() - read the relay state into *@on (0/1).
 *
 * Return: 0, or the errors of hil_plug_set() except -EIO.
 */
int hil_plug_get(struct hil_plug *p, int *on, char **err);

/**
 * hil_plug_type() - the driver's type name; valid while @p lives.
 */
const char *hil_plug_type(const struct hil_plug *p);

/**
 * hil_plug_free() - free the plug (secrets wiped). NULL-safe.
 */
void hil_plug_free(struct hil_plug *p);

#endif
