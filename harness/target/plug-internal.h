/* Shared between plug.c and the plug drivers. */
#ifndef R4HIL_PLUG_INTERNAL_H
#define R4HIL_PLUG_INTERNAL_H

#include "r4hil/plug.h"

struct json_object;

#define PLUG_TIMEOUT_MS 3000
#define PLUG_ATTEMPTS 3

struct hil_plug {
	const struct hil_plug_ops *ops;
	char *base;	/* without trailing '/' */
	char *id;
	char *user;
	char *secret;
	int basic_auth;	/* send user:secret as HTTP basic auth in the URL */
	char *pdu;	/* pdudaemon */
	char **argv;	/* command, NULL-terminated */
	int unanswered;	/* requests in a row that got no HTTP answer at all */
	char *last_failure; /* the last one's message, for the broken latch */
};

extern const struct hil_plug_ops hil_plug_shelly_gen2_ops;
extern const struct hil_plug_ops hil_plug_shelly_gen1_ops;
extern const struct hil_plug_ops hil_plug_tasmota_ops;
extern const struct hil_plug_ops hil_plug_hue_ops;
extern const struct hil_plug_ops hil_plug_ha_switch_ops;
extern const struct hil_plug_ops hil_plug_pdudaemon_ops;
extern const struct hil_plug_ops hil_plug_command_ops;

/*
 * @method @p->base@path (retried on transport errors), then parse the JSON
 * reply into *out (caller puts it). 401/403 -> -EACCES; unless @any_status,
 * 404 -> -ENOENT and other non-2xx -> -EPROTO; non-JSON -> -EPROTO. @what names the action
 * for messages; secrets are scrubbed from *err.
 */
int hil_plug_call(struct hil_plug *p, const char *method, const char *path,
		  const char *body, int any_status, const char *what,
		  struct json_object **out, char **err);

/* Percent-encode @s for a URL component; malloc'd, NULL on ENOMEM. */
char *hil_plug_escape(const char *s);

#endif
