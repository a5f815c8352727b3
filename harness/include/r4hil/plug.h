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
	/*
	 * Read the relay into *on (0/1); 0 or -errno with a message in *err.
	 * NULL for plugs that cannot report their state (pdudaemon).
	 */
	int (*get)(struct hil_plug *p, int *on, char **err);
};

/* Everything a driver may need; unused members are NULL. */
struct hil_plug_config {
	const char *type;	   /* see hil_plug_new(), plus "ha-switch", "pdudaemon", "command" */
	const char *url;	   /* the plug's (or HA's, or pdudaemon's) base URL */
	const char *id;		   /* relay, light, PDU port; ha-switch: the switch entity */
	const char *user;	   /* HTTP user */
	const char *secret;	   /* password, Hue API username, HA token (ha-switch) */
	const char *pdu;	   /* pdudaemon: the PDU's hostname in its configuration */
	const char *const *argv;   /* command: program and arguments; the action is appended */
};

/**
 * hil_plug_open() - create a plug client from @cfg (copied); does not contact it.
 *
 * "ha-switch" calls switch.turn_on/turn_off and reads the entity's state via
 * HA; "pdudaemon" sends GET /power/control/{on,off}?hostname=&port= and cannot
 * read back; "command" runs argv + "on"|"off"|"status" with execve (no shell),
 * status printing "on" or "off".
 *
 * Return: as hil_plug_new().
 */
struct hil_plug *hil_plug_open(const struct hil_plug_config *cfg, char **err);

/* 1 if the plug can report its state (hil_plug_get() can work). */
int hil_plug_can_read(const struct hil_plug *p);

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
 * A plug that cannot report its state is only switched.
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
 * Return: 0, or the errors of hil_plug_set() except -EIO; -EOPNOTSUPP for a
 * plug that cannot report its state.
 */
int hil_plug_get(struct hil_plug *p, int *on, char **err);

/* Requests in a row without any HTTP answer after which a plug is broken. */
#define HIL_PLUG_BROKEN_AFTER 3

/**
 * hil_plug_broken() - 1 once HIL_PLUG_BROKEN_AFTER requests in a row (each with
 * its retries) got no answer. hil_plug_get() then fails at once with -EIO
 * instead of waiting out the timeouts again (a slow plug made every observer poll
 * wait about 9 s); hil_plug_set() still tries, so that teardown can restore
 * power. Any answer clears it.
 */
int hil_plug_broken(const struct hil_plug *p);

/**
 * hil_plug_type() - the driver's type name; valid while @p lives.
 */
const char *hil_plug_type(const struct hil_plug *p);

/**
 * hil_plug_describe() - the requests that switching to @on sends, for a
 * dry-run plan (secrets shown as placeholders). Malloc'd; NULL on ENOMEM.
 */
char *hil_plug_describe(const struct hil_plug *p, int on);

/**
 * hil_plug_free() - free the plug (secrets wiped). NULL-safe.
 */
void hil_plug_free(struct hil_plug *p);

#endif
