#include "target/plug-internal.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* GET /cm?cmnd=Power<id>%20On[&user=..&password=..] -> {"POWER<id>":"ON"}. */
static int power(struct hil_plug *p, const char *arg, const char *what, int *on, char **err)
{
	struct json_object *j, *v = NULL;
	char *path = NULL, *id = hil_plug_escape(p->id), *u = NULL, *pw = NULL, key[32];
	int ret;

	if (p->user || p->secret) {
		u = hil_plug_escape(p->user ? p->user : "admin");
		pw = hil_plug_escape(p->secret ? p->secret : "");
	}
	if (!id || ((p->user || p->secret) && (!u || !pw)) ||
	    asprintf(&path, "/cm?cmnd=Power%s%s%s%s%s%s", id, arg,
		     u ? "&user=" : "", u ? u : "", pw ? "&password=" : "", pw ? pw : "") < 0) {
		path = NULL;
		ret = -ENOMEM;
		goto out;
	}
	ret = hil_plug_call(p, "GET", path, NULL, 1, what, &j, err);
	if (ret)
		goto out;
	snprintf(key, sizeof(key), "POWER%s", p->id);
	if (json_object_object_get_ex(j, "WARNING", &v)) {
		hil_transport_seterr(err, "failed to %s: tasmota %s: %s", what, p->base,
				     json_object_get_string(v));
		ret = -EACCES;
	} else if (json_object_object_get_ex(j, key, &v) ||
		   json_object_object_get_ex(j, "POWER", &v)) {
		const char *s = json_object_get_string(v);

		if (!strcmp(s, "ON") || !strcmp(s, "OFF")) {
			*on = !strcmp(s, "ON");
		} else {
			hil_transport_seterr(err, "failed to %s: tasmota %s: power is '%s'",
					     what, p->base, s);
			ret = -EPROTO;
		}
	} else {
		/* {"Command":"Unknown"} and anything else unexpected. */
		hil_transport_seterr(err, "failed to %s: tasmota %s relay %s: unexpected reply %.200s",
				     what, p->base, p->id, json_object_to_json_string(j));
		ret = json_object_object_get_ex(j, "Command", &v) ? -ENOENT : -EPROTO;
	}
	json_object_put(j);
out:
	if (path)
		explicit_bzero(path, strlen(path));
	if (pw)
		explicit_bzero(pw, strlen(pw));
	free(path);
	free(id);
	free(u);
	free(pw);
	return ret;
}

static int tasmota_set(struct hil_plug *p, int on, char **err)
{
	int now;

	return power(p, on ? "%20On" : "%20Off", "switch plug", &now, err);
}

static int tasmota_get(struct hil_plug *p, int *on, char **err)
{
	return power(p, "", "read plug", on, err);
}

const struct hil_plug_ops hil_plug_tasmota_ops = {
	.type = "tasmota",
	.set = tasmota_set,
	.get = tasmota_get,
};
