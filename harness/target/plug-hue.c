#include "target/plug-internal.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/*
 * The v1 bridge reports errors with HTTP 200 as [{"error":{"type":1,
 * "address":"/","description":"unauthorized user"}}]: look inside every reply.
 */
static int hue_error(struct hil_plug *p, struct json_object *j, const char *what, char **err)
{
	struct json_object *e, *type, *desc;

	if (!json_object_is_type(j, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(j); i++) {
		int t;

		if (!json_object_object_get_ex(json_object_array_get_idx(j, i), "error", &e))
			continue;
		json_object_object_get_ex(e, "type", &type);
		json_object_object_get_ex(e, "description", &desc);
		t = type ? json_object_get_int(type) : 0;
		hil_transport_seterr(err, "failed to %s: hue %s light %s: error %d: %s", what,
				     p->base, p->id, t, desc ? json_object_get_string(desc) : "");
		return t == 1 ? -EACCES : t == 3 ? -ENOENT : -EPROTO;
	}
	return 0;
}

static int hue_call(struct hil_plug *p, const char *method, const char *suffix,
		    const char *body, const char *what, struct json_object **out, char **err)
{
	char *path, *user = hil_plug_escape(p->secret), *id = hil_plug_escape(p->id);
	int ret = -ENOMEM;

	if (user && id && asprintf(&path, "/api/%s/lights/%s%s", user, id, suffix) >= 0) {
		ret = hil_plug_call(p, method, path, body, 0, what, out, err);
		free(path);
	}
	free(user);
	free(id);
	if (ret)
		return ret;
	ret = hue_error(p, *out, what, err);
	if (ret) {
		json_object_put(*out);
		*out = NULL;
	}
	return ret;
}

static int hue_set(struct hil_plug *p, int on, char **err)
{
	struct json_object *j, *ok;
	int ret = hue_call(p, "PUT", "/state", on ? "{\"on\":true}" : "{\"on\":false}",
			   "switch plug", &j, err);

	if (ret)
		return ret;
	if (!json_object_is_type(j, json_type_array) || !json_object_array_length(j) ||
	    !json_object_object_get_ex(json_object_array_get_idx(j, 0), "success", &ok)) {
		hil_transport_seterr(err, "failed to switch plug: hue %s light %s: no success in %.200s",
				     p->base, p->id, json_object_to_json_string(j));
		ret = -EPROTO;
	}
	json_object_put(j);
	return ret;
}

static int hue_get(struct hil_plug *p, int *on, char **err)
{
	struct json_object *j, *state, *v;
	int ret = hue_call(p, "GET", "", NULL, "read plug", &j, err);

	if (ret)
		return ret;
	if (json_object_object_get_ex(j, "state", &state) &&
	    json_object_object_get_ex(state, "on", &v) &&
	    json_object_is_type(v, json_type_boolean)) {
		*on = json_object_get_boolean(v);
	} else {
		hil_transport_seterr(err, "failed to read plug: hue %s light %s: no state.on in %.200s",
				     p->base, p->id, json_object_to_json_string(j));
		ret = -EPROTO;
	}
	json_object_put(j);
	return ret;
}

const struct hil_plug_ops hil_plug_hue_ops = {
	.type = "hue",
	.set = hue_set,
	.get = hue_get,
};
