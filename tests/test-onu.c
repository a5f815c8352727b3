/*
 * The ONU and reachability models through the lab's real interfaces: `ssh onu`
 * (libssh against the ONU's own dropbear), HA's REST API for
 * sensor.onu_ploam_state and binary_sensor.192_168_1_254, the plug's API and the
 * control endpoint's injections and virtual time.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/fakelab.h"
#include "r4hil/ha.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/ssh.h"
#include "testutil.h"

#define START_MS 1772442000000LL /* 2026-03-02T09:00:00Z, a whole 30 s: HA polls at +30 s, +60 s ... */

static char *tmp;
static struct hil_fakelab *lab;
static struct hil_lab *desc;
static struct hil_ha *ha;
static struct hil_ssh *onu;

/* The lab file's "onu" entry: the real lab's `ssh onu`. */
static struct hil_ssh *onu_ssh(void)
{
	json_object *o = json_object_from_file(hil_fakelab_lab_file(lab)), *e, *v;
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "onu", &e));
	static char host[64], user[16], key[4096], kh[4096];
	struct hil_ssh_config sc = { .host = host, .user = user, .key_path = key, .known_hosts = kh };
	json_object_object_get_ex(e, "host", &v), snprintf(host, sizeof(host), "%s", json_object_get_string(v));
	json_object_object_get_ex(e, "user", &v), snprintf(user, sizeof(user), "%s", json_object_get_string(v));
	json_object_object_get_ex(e, "key", &v), snprintf(key, sizeof(key), "%s", json_object_get_string(v));
	json_object_object_get_ex(e, "known_hosts", &v), snprintf(kh, sizeof(kh), "%s", json_object_get_string(v));
	json_object_object_get_ex(e, "port", &v), sc.port = json_object_get_int(v);
	ck_assert_int_ne(sc.port, desc->router.port);
	json_object_put(o);
	return hil_ssh_new(&sc);
}

static void setup(void)
{
	tmp = hil_test_tmpdir("onu");
	lab = hil_test_fakelab_start(tmp, &desc);
	ha = hil_ha_new(desc->ha.url, desc->ha.token);
	onu = onu_ssh();
}

static void teardown(void)
{
	hil_ssh_free(onu);
	hil_ha_free(ha);
	hil_lab_free(desc);
	hil_fakelab_stop(lab);
	hil_test_remove_tree(tmp);
}

static void advance(int64_t secs)
{
	char *err = NULL;
	ck_assert_msg(hil_fakelab_advance(lab, START_MS + secs * 1000, &err) == 0, "advance: %s", err);
}

/* @entity's state in HA, as the harness reads it. */
static void ha_is(const char *entity, const char *want)
{
	char *state = NULL, *err = NULL;
	ck_assert_msg(hil_ha_get_state(ha, entity, &state, &err) == 0, "HA: %s", err);
	ck_assert_msg(strcmp(want, state) == 0, "%s is %s, want %s", entity, state, want);
	free(state);
}

/* Run @cmd on the ONU; its exit status (-1: no SSH), stdout in *out if @out. */
static int on_onu(const char *cmd, char **out)
{
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	int ret = hil_ssh_exec(onu, cmd, NULL, 0, 5000, &res, &err);
	int status = ret == 0 ? res.exit_status : -1;
	if (out)
		*out = ret == 0 ? strdup(res.out) : NULL;
	if (ret < 0)
		hil_ssh_disconnect(onu); /* reconnect on the next command */
	hil_ssh_result_free(&res);
	free(err);
	return status;
}

static int ploam_over_ssh(void)
{
	char *out = NULL;
	ck_assert_int_eq(0, on_onu("ubus call gpon ploam_state", &out));
	const char *p = strstr(out, "\"curr_state\":");
	ck_assert_ptr_nonnull(p);
	int state = atoi(p + 13);
	free(out);
	return state;
}

static void inject(const char *name, const char *params)
{
	char *err = NULL;
	ck_assert_msg(hil_fakelab_inject(lab, name, params, &err) == 0, "%s: %s", name, err);
}

START_TEST(test_onu_ssh_and_soft_pon_reboot_clear_a_soft_wedge)
{
	char *out = NULL;
	ck_assert_int_eq(0, on_onu("hostname", &out));
	ck_assert_str_eq("onu\n", out);
	free(out);
	ck_assert_int_eq(51, ploam_over_ssh());
	ha_is("sensor.onu_ploam_state", "51");
	ck_assert_int_eq(4, on_onu("ubus call gpon frobnicate 2>/dev/null", NULL)); /* ubus: Not found */

	inject("onu.wedge", "{\"state\":23,\"cleared_by\":\"soft\"}");
	ck_assert_int_eq(23, ploam_over_ssh());
	advance(29);
	ha_is("sensor.onu_ploam_state", "51"); /* HA reads it every 30 s */
	advance(30);
	ha_is("sensor.onu_ploam_state", "23");
	advance(300);
	ck_assert_int_eq(23, ploam_over_ssh()); /* stuck */

	ck_assert_int_eq(0, on_onu("ubus call gpon reboot", NULL));
	ck_assert_int_eq(11, ploam_over_ssh()); /* PLOAM restarts in O1.1 */
	advance(300 + 59);
	ck_assert_int_eq(40, ploam_over_ssh());
	advance(360);
	ck_assert_int_eq(51, ploam_over_ssh()); /* 60 s from the soft reboot to O5 */
	advance(390);
	ha_is("sensor.onu_ploam_state", "51");
}
END_TEST

START_TEST(test_onu_power_wedge_needs_power_and_sensor_goes_unavailable)
{
	char *err = NULL;
	inject("onu.wedge", "{\"state\":40,\"cleared_by\":\"power\"}");
	ck_assert_int_eq(0, on_onu("ubus call gpon reboot", NULL));
	advance(60);
	ck_assert_int_eq(40, ploam_over_ssh()); /* a soft reboot does not clear it */

	struct hil_plug *plug = hil_plug_new(desc->plug.type, desc->plug.url, desc->plug.id, NULL, NULL, &err);
	ck_assert_int_eq(0, hil_plug_set(plug, 0, &err));
	ck_assert_int_eq(-1, on_onu("true", NULL)); /* no power, no SSH */
	advance(90);
	ha_is("sensor.onu_ploam_state", "unavailable");
	ck_assert_int_eq(0, hil_plug_set(plug, 1, &err)); /* power on at +90 s */
	advance(90 + 179);
	ck_assert_int_eq(-1, on_onu("true", NULL)); /* Linux still booting */
	ha_is("sensor.onu_ploam_state", "unavailable");
	advance(90 + 181);
	ck_assert_int_eq(11, ploam_over_ssh());
	advance(90 + 239);
	ck_assert_int_eq(40, ploam_over_ssh());
	advance(90 + 240);
	ck_assert_int_eq(51, ploam_over_ssh()); /* 240 s after power-on; the wedge is gone */
	advance(360);
	ha_is("sensor.onu_ploam_state", "51");
	/* injections the model cannot do are refused, not ignored */
	ck_assert_int_lt(hil_fakelab_inject(lab, "onu.wedge", "{\"state\":51}", &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "short of O5"));
	free(err);
	err = NULL;
	ck_assert_int_lt(hil_fakelab_inject(lab, "onu.melt", NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "onu.wedge"));
	free(err);
	hil_plug_free(plug);
}
END_TEST

START_TEST(test_onu_optical_storm_drops_o5_until_power_loss)
{
	inject("sfp.storm", "{\"rate_per_s\":1800,\"carrier\":0}");
	ck_assert_int_eq(11, ploam_over_ssh()); /* the OLT stops talking: O1.1 */
	ck_assert_int_eq(0, on_onu("ubus call gpon reboot", NULL));
	advance(120);
	ck_assert_int_eq(11, ploam_over_ssh()); /* a soft reboot cannot help while the laser storms */
	ha_is("sensor.onu_ploam_state", "11");
	inject("sfp.storm-stop", NULL);
	advance(180);
	ck_assert_int_eq(51, ploam_over_ssh());
}
END_TEST

START_TEST(test_reach_ping_follows_router_and_lan_wedge)
{
	struct hil_ssh_config sc = {
		.host = desc->router.host, .port = desc->router.port, .user = desc->router.user,
		.key_path = desc->router.key, .known_hosts = desc->router.known_hosts,
	};
	struct hil_ssh *router = hil_ssh_new(&sc);
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	ha_is("binary_sensor.192_168_1_254", "on");
	inject("reach.lan-wedge", NULL);
	advance(29);
	ha_is("binary_sensor.192_168_1_254", "on"); /* HA pings every 30 s */
	advance(30);
	ha_is("binary_sensor.192_168_1_254", "off");
	advance(600);
	ha_is("binary_sensor.192_168_1_254", "off"); /* stays wedged */
	/* a SoC reboot clears it: off while booting (5 s + 70 s), on at the first ping after */
	hil_ssh_exec(router, "reboot", NULL, 0, 5000, &res, &err); /* the session may die with the router */
	hil_ssh_result_free(&res);
	free(err);
	err = NULL;
	advance(600 + 60);
	ha_is("binary_sensor.192_168_1_254", "off");
	advance(600 + 90);
	ha_is("binary_sensor.192_168_1_254", "on");
	ck_assert_int_lt(hil_fakelab_inject(lab, "reach.cut", NULL, &err), 0);
	free(err);
	hil_ssh_free(router);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("onu");
	TCase *tc = tcase_create("models");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180); /* each test boots a lab; one took over 60 s on a loaded machine */
	tcase_add_test(tc, test_onu_ssh_and_soft_pon_reboot_clear_a_soft_wedge);
	tcase_add_test(tc, test_onu_power_wedge_needs_power_and_sensor_goes_unavailable);
	tcase_add_test(tc, test_onu_optical_storm_drops_o5_until_power_loss);
	tcase_add_test(tc, test_reach_ping_follows_router_and_lan_wedge);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
