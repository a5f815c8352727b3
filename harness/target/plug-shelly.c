#include "target/plug-internal.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* Gen2 RPC errors: {"code":-105,"message":"Argument 'id', value 1 not found!"}. */
static int gen2_error(struct hil_plug *p, struct json_object *j, const char *what, char **err)
{
	struct json_object *code, *msg;

	if (!json_object_object_get_ex(j, "code", &code))
		return 0;
	json_object_object_get_ex(j, "message", &msg);
	hil_transport_seterr(err, "failed to %s: shelly-gen2 %s id %s: error %d: %s", what,
			     p->base, p->id, json_object_get_int(code),
			     msg ? json_object_get_string(msg) : "(no message)");
	/* -105: invalid argument, which for us means no such switch id. */
	return json_object_get_int(code) == -105 ? -ENOENT : -EPROTO;
}

static int gen2_rpc(struct hil_plug *p, const char *method, const char *args,
		    const char *what, struct json_object **out, char **err)
{
	char *path, *id = hil_plug_escape(p->id);
	int ret;

	if (!id || asprintf(&path, "/rpc/%s?id=%s%s", method, id, args) < 0) {
		free(id);
		return -ENOMEM;
	}
	free(id);
	/* Error objects may come with a non-2xx status: read the body anyway. */
	ret = hil_plug_call(p, "GET", path, NULL, 1, what, out, err);
	free(path);
	if (ret)
		return ret;
	ret = gen2_error(p, *out, what, err);
	if (ret) {
		json_object_put(*out);
		*out = NULL;
	}
	return ret;
}

static int gen2_set(struct hil_plug *p, int on, char **err)
{
	struct json_object *j, *was;
	int ret = gen2_rpc(p, "Switch.Set", on ? "&on=true" : "&on=false", "switch plug", &j, err);

	if (ret)
		return ret;
	if (!json_object_object_get_ex(j, "was_on", &was)) {
		hil_transport_seterr(err, "failed to switch plug: shelly-gen2 %s id %s: no was_on in %.200s",
				     p->base, p->id, json_object_to_json_string(j));
		ret = -EPROTO;
	}
	json_object_put(j);
	return ret;
}

static int read_bool(struct hil_plug *p, struct json_object *j, const char *key, int *on,
		     char **err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(j, key, &v) || !json_object_is_type(v, json_type_boolean)) {
		hil_transport_seterr(err, "failed to read plug: %s %s id %s: no boolean \"%s\" in %.200s",
				     p->ops->type, p->base, p->id, key, json_object_to_json_string(j));
		return -EPROTO;
	}
	*on = json_object_get_boolean(v);
	return 0;
}

static int gen2_get(struct hil_plug *p, int *on, char **err)
{
	struct json_object *j;
	int ret = gen2_rpc(p, "Switch.GetStatus", "", "read plug", &j, err);

	if (ret)
		return ret;
	ret = read_bool(p, j, "output", on, err);
	json_object_put(j);
	return ret;
}

const struct hil_plug_ops hil_plug_shelly_gen2_ops = {
	.type = "shelly-gen2",
	.set = gen2_set,
	.get = gen2_get,
};

static int gen1_relay(struct hil_plug *p, const char *query, const char *what, int *on,
		      char **err)
{
	struct json_object *j;
	char *path, *id = hil_plug_escape(p->id);
	int ret;

	if (!id || asprintf(&path, "/relay/%s%s", id, query) < 0) {
		free(id);
		return -ENOMEM;
	}
	free(id);
	ret = hil_plug_call(p, "GET", path, NULL, 0, what, &j, err);
	free(path);
	if (ret)
		return ret;
	ret = read_bool(p, j, "ison", on, err);
	json_object_put(j);
	return ret;
}

static int gen1_set(struct hil_plug *p, int on, char **err)
{
	int now;

	return gen1_relay(p, on ? "?turn=on" : "?turn=off", "switch plug", &now, err);
}

static int gen1_get(struct hil_plug *p, int *on, char **err)
{
	return gen1_relay(p, "", "read plug", on, err);
}

const struct hil_plug_ops hil_plug_shelly_gen1_ops = {
	.type = "shelly-gen1",
	.set = gen1_set,
	.get = gen1_get,
};
