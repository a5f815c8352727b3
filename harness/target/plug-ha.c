/* A plug that Home Assistant already switches: drive it through HA's switch services. */
#include "target/plug-internal.h"
#include "r4hil/ha.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* The base URL is HA's, the secret its token, the id the switch entity. */
static struct hil_ha *ha_client(struct hil_plug *p, char **err)
{
	struct hil_ha *ha = hil_ha_new(p->base, p->secret);

	if (!ha)
		hil_transport_seterr(err, "failed to reach plug: ha-switch %s: bad HA URL", p->base);
	return ha;
}

static int ha_switch_set(struct hil_plug *p, int on, char **err)
{
	struct hil_ha *ha = ha_client(p, err);
	json_object *body;
	char *e = NULL;
	int ret;

	if (!ha)
		return -EINVAL;
	body = json_object_new_object();
	json_object_object_add(body, "entity_id", json_object_new_string(p->id));
	ret = hil_ha_call_service(ha, "switch", on ? "turn_on" : "turn_off",
				  json_object_to_json_string(body), &e);
	if (ret)
		hil_transport_seterr(err, "failed to switch plug: ha-switch %s: %s", p->id, e ? e : "");
	json_object_put(body);
	free(e);
	hil_ha_free(ha);
	return ret;
}

static int ha_switch_get(struct hil_plug *p, int *on, char **err)
{
	struct hil_ha *ha = ha_client(p, err);
	char *state = NULL, *e = NULL;
	int ret;

	if (!ha)
		return -EINVAL;
	ret = hil_ha_get_state(ha, p->id, &state, &e);
	if (ret) {
		hil_transport_seterr(err, "failed to read plug: ha-switch %s: %s", p->id, e ? e : "");
	} else if (!strcmp(state, "on") || !strcmp(state, "off")) {
		*on = !strcmp(state, "on");
	} else {
		/* "unavailable": HA lost the plug; that is not a relay state */
		hil_transport_seterr(err, "failed to read plug: ha-switch %s is %s", p->id, state);
		ret = -EPROTO;
	}
	free(state);
	free(e);
	hil_ha_free(ha);
	return ret;
}

const struct hil_plug_ops hil_plug_ha_switch_ops = {
	.type = "ha-switch",
	.set = ha_switch_set,
	.get = ha_switch_get,
};
