#include "r4hil/target.h"

#include <stdlib.h>
#include <string.h>

#include "r4hil/clock.h"
#include "r4hil/ha.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/ssh.h"

#define SSH_CONNECT_TIMEOUT_MS 5000

struct hil_plug *hil_target_plug(const struct hil_lab *lab, char **err)
{
	int ha_switch = strcmp(lab->plug.type, "ha-switch") == 0;
	/* ha-switch goes through the lab's HA, with its token */
	struct hil_plug_config pc = {
		.type = lab->plug.type,
		.url = ha_switch ? lab->ha.url : lab->plug.url,
		.id = ha_switch ? lab->plug.entity : lab->plug.id,
		.user = lab->plug.user,
		.secret = ha_switch ? lab->ha.token : lab->plug.secret,
		.pdu = lab->plug.pdu,
		.argv = (const char *const *)lab->plug.command,
	};
	return hil_plug_open(&pc, err);
}

struct hil_target *hil_target_open(struct hil_lab *lab, struct hil_fakelab *fakelab, char **err)
{
	struct hil_target *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->lab = lab;
	t->fakelab = fakelab;
	struct hil_ssh_config sc = {
		.host = lab->router.host,
		.port = lab->router.port,
		.user = lab->router.user,
		.key_path = lab->router.key,
		.known_hosts = lab->router.known_hosts,
		.connect_timeout_ms = SSH_CONNECT_TIMEOUT_MS,
	};
	t->router = hil_ssh_new(&sc);
	t->ha = hil_ha_new(lab->ha.url, lab->ha.token);
	t->plug = hil_target_plug(lab, err);
	t->clock = fakelab ? hil_clock_virtual_new(fakelab) : hil_clock_real_new();
	if (!t->router || !t->ha || !t->plug || !t->clock) {
		hil_target_close(t);
		return NULL;
	}
	return t;
}

void hil_target_close(struct hil_target *t)
{
	if (!t)
		return;
	hil_ssh_free(t->router);
	hil_ha_free(t->ha);
	hil_plug_free(t->plug);
	hil_clock_free(t->clock);
	hil_lab_free(t->lab);
	free(t);
}
