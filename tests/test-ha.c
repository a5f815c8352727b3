/* The fake Home Assistant: REST API over real HTTP, automations in virtual time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "servers/ha.h"
#include "core/httpd.h"
#include "testutil.h"
#include "core/loop.h"

#define T0 ((fl_ms)1767225600000) /* 2026-01-01T00:00:00Z */

/* What the fake world saw: switch operations and shell commands, with virtual times. */
static struct world {
	struct fl_loop *loop;
	struct fl_ha *ha;
	char log[1024];
} w;

static void note(const char *fmt, const char *what, fl_ms at)
{
	char buf[128];
	snprintf(buf, sizeof(buf), fmt, what, (long long)(at - T0) / 1000);
	strncat(w.log, buf, sizeof(w.log) - strlen(w.log) - 1);
}

static int plug_set(void *ctx, const char *entity, int on)
{
	note("%s@%llds ", on ? "on" : "off", fl_loop_now(w.loop));
	return fl_ha_set_state(w.ha, entity, on ? "on" : "off", NULL);
}

static const struct fl_ha_switch_ops plug_ops = { .set = plug_set };

static int run_shell(void *ctx, const char *command, fl_child_done_fn done, void *arg)
{
	static char *const argv[] = { "/bin/sh", "-c", "exit 0", NULL };
	struct fl_spawn spec = { .argv = argv };
	note("shell[%s]@%llds ", command, fl_loop_now(w.loop));
	pid_t pid = fl_child_spawn(w.loop, &spec, done, arg);
	return pid < 0 ? (int)pid : 0;
}

static char *data_path(const char *name)
{
	char *p;
	ck_assert_int_ge(asprintf(&p, "%s/tests/data/ha/%s", hil_test_source_dir(), name), 0);
	return p;
}

/* A HA with @automations and @conf (paths); the plug bound. */
static void setup_ha_with(const char *automations, char *conf)
{
	char *err = NULL;
	memset(&w, 0, sizeof(w));
	w.loop = fl_loop_new(T0);
	struct fl_ha_config cfg = { .token = "tok", .automations_path = automations,
				    .configuration_path = conf, .run_shell = run_shell };
	w.ha = fl_ha_new(w.loop, &cfg, &err);
	ck_assert_msg(w.ha != NULL, "fl_ha_new: %s", err ? err : "?");
	ck_assert_int_eq(0, fl_ha_bind_switch(w.ha, "switch.internet", &plug_ops, NULL));
	ck_assert_int_eq(0, fl_ha_set_state(w.ha, "switch.internet", "on", NULL));
	free(conf);
}

/* A HA with @automations (a path) and the test configuration.yaml. */
static void setup_ha(const char *automations)
{
	setup_ha_with(automations, data_path("configuration.yaml"));
}

static void teardown_ha(void)
{
	ck_assert_int_eq(0, fl_loop_settle(w.loop, 10000));
	fl_ha_free(w.ha);
	fl_loop_free(w.loop);
}

static void at(fl_ms secs, const char *entity, const char *state)
{
	ck_assert_int_eq(0, fl_loop_advance_to(w.loop, T0 + secs * 1000, 10000));
	ck_assert_int_eq(0, fl_ha_set_state(w.ha, entity, state, NULL));
}

static void run_until(fl_ms secs)
{
	ck_assert_int_eq(0, fl_loop_advance_to(w.loop, T0 + secs * 1000, 10000));
}

/* ---------------------------------------------------------------- REST */

static char *dir;
static struct fl_httpd *httpd;

static int child_status;
static void child_done(void *arg, int status)
{
	child_status = status;
}

/* curl @method @path [-d @body] with @token (NULL: none); returns the HTTP code, *body the reply. */
static int curl(const char *method, const char *path, const char *data, const char *token, char **body)
{
	char out[512], codefile[512], url[512], auth[128];
	snprintf(out, sizeof(out), "%s/body", dir);
	snprintf(codefile, sizeof(codefile), "%s/code", dir);
	unlink(out);
	unlink(codefile);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", fl_httpd_port(httpd), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	char *argv[16] = { R4HIL_CURL, "-s", "-o", out, "-w", "%{http_code}", "-X", (char *)method, url };
	int i = 9;
	if (token)
		argv[i++] = "-H", argv[i++] = auth;
	if (data)
		argv[i++] = "-H", argv[i++] = "Content-Type: application/json", argv[i++] = "-d",
		argv[i++] = (char *)data;
	argv[i] = NULL;
	struct fl_spawn spec = { .argv = argv, .stdout_path = codefile };
	child_status = -1;
	ck_assert_int_gt(fl_child_spawn(w.loop, &spec, child_done, NULL), 0);
	ck_assert_int_eq(0, fl_loop_settle(w.loop, 10000));
	ck_assert(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);
	char *code = hil_test_read_file(codefile);
	int ret = atoi(code);
	free(code);
	*body = hil_test_read_file(out);
	ck_assert_ptr_nonnull(*body);
	return ret;
}

static void rest_setup(void)
{
	dir = hil_test_tmpdir("ha");
	char *none = data_path("none.yaml");
	setup_ha(none);
	free(none);
	httpd = fl_httpd_start(w.loop, "ha", 0, fl_ha_handle_http, w.ha);
	ck_assert_ptr_nonnull(httpd);
}

static void rest_teardown(void)
{
	fl_httpd_stop(httpd);
	teardown_ha();
	free(dir);
}

START_TEST(test_ha_api_auth)
{
	char *body;
	ck_assert_int_eq(401, curl("GET", "/api/", NULL, NULL, &body));
	ck_assert_str_eq("401: Unauthorized", body);
	free(body);
	ck_assert_int_eq(401, curl("GET", "/api/states", NULL, "wrong", &body));
	ck_assert_str_eq("401: Unauthorized", body);
	free(body);
	ck_assert_int_eq(200, curl("GET", "/api/", NULL, "tok", &body));
	ck_assert_str_eq("{\"message\":\"API running.\"}", body);
	free(body);
}
END_TEST

START_TEST(test_ha_api_states)
{
	char *body;
	run_until(190);
	ck_assert_int_eq(201, curl("POST", "/api/states/sensor.x", "{\"state\":\"25\",\"attributes\":{\"unit\":\"C\"}}",
				   "tok", &body));
	ck_assert_ptr_nonnull(strstr(body, "\"entity_id\":\"sensor.x\",\"state\":\"25\",\"attributes\":{\"unit\":\"C\"},"
					   "\"last_changed\":\"2026-01-01T00:03:10+00:00\","
					   "\"last_updated\":\"2026-01-01T00:03:10+00:00\""));
	free(body);
	ck_assert_int_eq(0, fl_loop_advance_to(w.loop, T0 + 200123, 10000));
	ck_assert_int_eq(200, curl("POST", "/api/states/sensor.x", "{\"state\":26}", "tok", &body));
	ck_assert_ptr_nonnull(strstr(body, "\"state\":\"26\",\"attributes\":{},"
					   "\"last_changed\":\"2026-01-01T00:03:20.123000+00:00\""));
	free(body);
	ck_assert_str_eq("26", fl_ha_get_state(w.ha, "sensor.x"));
	ck_assert_int_eq(404, curl("GET", "/api/states/sensor.nope", NULL, "tok", &body));
	ck_assert_str_eq("{\"message\":\"Entity not found.\"}", body);
	free(body);
	ck_assert_int_eq(400, curl("POST", "/api/states/sensor.x", "{\"state\":", "tok", &body));
	ck_assert_str_eq("{\"message\":\"Invalid JSON specified.\"}", body);
	free(body);
	ck_assert_int_eq(400, curl("POST", "/api/states/sensor.x", "{\"attributes\":{}}", "tok", &body));
	ck_assert_str_eq("{\"message\":\"No state specified.\"}", body);
	free(body);
	ck_assert_int_eq(400, curl("POST", "/api/states/Bad_Id", "{\"state\":\"1\"}", "tok", &body));
	ck_assert_str_eq("{\"message\":\"Invalid entity ID specified.\"}", body);
	free(body);
	/* a service call through REST reaches the bound plug and returns the changed state */
	ck_assert_int_eq(200, curl("POST", "/api/services/switch/turn_off", "{\"entity_id\":\"switch.internet\"}",
				   "tok", &body));
	ck_assert_ptr_nonnull(strstr(body, "\"entity_id\":\"switch.internet\",\"state\":\"off\""));
	free(body);
	ck_assert_str_eq("off@200s ", w.log);
	ck_assert_int_eq(400, curl("POST", "/api/services/light/turn_on", "{}", "tok", &body));
	free(body);
}
END_TEST

START_TEST(test_ha_api_history)
{
	char *body;
	at(1000, "sensor.h", "1");
	ck_assert_int_eq(0, fl_loop_advance_to(w.loop, T0 + 1010000, 10000));
	ck_assert_int_eq(0, fl_ha_set_state(w.ha, "sensor.h", "1", "{\"a\":1}"));
	/* identical state and attributes: no new row */
	ck_assert_int_eq(0, fl_ha_set_state(w.ha, "sensor.h", "1", "{\"a\":1}"));
	at(1020, "sensor.h", "2");
	run_until(1100);
	ck_assert_int_eq(400, curl("GET", "/api/history/period/2026-01-01T00:16:45%2B00:00", NULL, "tok", &body));
	ck_assert_str_eq("{\"message\":\"filter_entity_id is missing\"}", body);
	free(body);
	ck_assert_int_eq(200, curl("GET", "/api/history/period/2026-01-01T00:16:45%2B00:00?filter_entity_id=sensor.h",
				   NULL, "tok", &body));
	ck_assert_str_eq("[[{\"entity_id\":\"sensor.h\",\"state\":\"1\",\"attributes\":{},"
			 "\"last_changed\":\"2026-01-01T00:16:45+00:00\",\"last_updated\":\"2026-01-01T00:16:45+00:00\"},"
			 "{\"entity_id\":\"sensor.h\",\"state\":\"2\",\"attributes\":{\"a\":1},"
			 "\"last_changed\":\"2026-01-01T00:17:00+00:00\",\"last_updated\":\"2026-01-01T00:17:00+00:00\"}]]",
			 body);
	free(body);
	ck_assert_int_eq(200, curl("GET", "/api/history/period/2026-01-01T00:16:45Z?filter_entity_id=sensor.h"
				   "&significant_changes_only=0&no_attributes", NULL, "tok", &body));
	ck_assert_str_eq("[[{\"entity_id\":\"sensor.h\",\"state\":\"1\",\"attributes\":{},"
			 "\"last_changed\":\"2026-01-01T00:16:45+00:00\",\"last_updated\":\"2026-01-01T00:16:45+00:00\"},"
			 "{\"entity_id\":\"sensor.h\",\"state\":\"1\",\"attributes\":{},"
			 "\"last_changed\":\"2026-01-01T00:16:40+00:00\",\"last_updated\":\"2026-01-01T00:16:50+00:00\"},"
			 "{\"entity_id\":\"sensor.h\",\"state\":\"2\",\"attributes\":{},"
			 "\"last_changed\":\"2026-01-01T00:17:00+00:00\",\"last_updated\":\"2026-01-01T00:17:00+00:00\"}]]",
			 body);
	free(body);
}
END_TEST

/* ---------------------------------------------------------------- numeric_state + for */

static const char numeric_yaml[] =
	"- alias: Hot for two minutes\n"
	"  trigger:\n"
	"    - platform: numeric_state\n"
	"      entity_id: sensor.t\n"
	"      above: 100\n"
	"      for: \"00:02:00\"\n"
	"  action:\n"
	"    - service: switch.turn_off\n"
	"      entity_id: switch.internet\n";

static void numeric_setup(void)
{
	dir = hil_test_tmpdir("ha");
	char path[512];
	snprintf(path, sizeof(path), "%s/a.yaml", dir);
	hil_test_write_file(path, numeric_yaml);
	setup_ha(path);
}

static void numeric_teardown(void)
{
	teardown_ha();
	free(dir);
}

START_TEST(test_ha_numeric_for_fires_after_duration)
{
	at(10, "sensor.t", "50");
	at(60, "sensor.t", "150");
	at(90, "sensor.t", "160"); /* still above: the clock keeps running */
	run_until(179);
	ck_assert_str_eq("", w.log);
	run_until(400);
	ck_assert_str_eq("off@180s ", w.log);
	ck_assert_str_eq("on", fl_ha_get_state(w.ha, "automation.hot_for_two_minutes"));
	/* already above: no new crossing, no second run */
	fl_ha_set_state(w.ha, "switch.internet", "on", NULL);
	at(500, "sensor.t", "170");
	run_until(1000);
	ck_assert_str_eq("off@180s ", w.log);
}
END_TEST

START_TEST(test_ha_numeric_for_cancelled_by_drop)
{
	at(60, "sensor.t", "150");
	at(120, "sensor.t", "90");
	run_until(600);
	ck_assert_str_eq("", w.log);
	/* non-numeric states never match, and cancel a pending for */
	at(700, "sensor.t", "unavailable");
	at(710, "sensor.t", "150");
	at(740, "sensor.t", "unavailable");
	run_until(1000);
	ck_assert_str_eq("", w.log);
	/* from unavailable to above is a crossing */
	at(1010, "sensor.t", "150");
	run_until(1200);
	ck_assert_str_eq("off@1130s ", w.log);
}
END_TEST

/* ---------------------------------------------------------------- the storm automations */

static void storm_setup(void)
{
	char *p = data_path("storm.yaml");
	setup_ha(p);
	free(p);
}

START_TEST(test_ha_storm_down_power_cycles_plug)
{
	at(0, "sensor.bpi_r4_wan_carrier", "0");
	at(0, "sensor.bpi_r4_sfp1_txfault_rate", "2");
	at(60, "sensor.bpi_r4_sfp1_txfault_rate", "110000");
	at(120, "sensor.bpi_r4_sfp1_txfault_rate", "111000");
	run_until(200);
	ck_assert_str_eq("off@180s on@195s ", w.log);
	/* a retrigger during the 4-minute wait is ignored (mode single) */
	at(200, "sensor.bpi_r4_sfp1_txfault_rate", "5");
	at(210, "sensor.bpi_r4_sfp1_txfault_rate", "120000");
	run_until(1000);
	/* storm-up crossed too, but its carrier condition routes it away */
	ck_assert_str_eq("off@180s on@195s ", w.log);
	ck_assert_uint_eq(0, fl_ha_notification_count(w.ha));
}
END_TEST

START_TEST(test_ha_storm_up_reboots_over_ssh)
{
	at(0, "sensor.bpi_r4_wan_carrier", "1");
	at(0, "sensor.bpi_r4_sfp1_txfault_rate", "1");
	at(60, "sensor.bpi_r4_sfp1_txfault_rate", "5000");
	run_until(1000);
	ck_assert_str_eq("shell[ssh -i /config/.ssh/id root@192.168.1.1 reboot]@360s ", w.log);
	ck_assert_uint_eq(1, fl_ha_notification_count(w.ha));
	const struct fl_ha_notification *n = fl_ha_notification_get(w.ha, 0);
	ck_assert_int_eq(T0 + 360000, n->at);
	ck_assert_str_eq("notify.notify", n->service);
	ck_assert_str_eq("{\"message\":\"BPI-R4 rebooted by storm-up\"}", n->data);
}
END_TEST

/* ---------------------------------------------------------------- wait_for_trigger, choose, restart */

static const char flow_yaml[] =
	"- alias: ONU not O5\n"
	"  mode: restart\n"
	"  triggers:\n"
	"    - trigger: state\n"
	"      entity_id: sensor.onu_ploam_state\n"
	"      to: \"1\"\n"
	"  actions:\n"
	"    - wait_for_trigger:\n"
	"        - trigger: state\n"
	"          entity_id: sensor.onu_ploam_state\n"
	"          to: \"51\"\n"
	"      timeout: {minutes: 3}\n"
	"    - choose:\n"
	"        - conditions:\n"
	"            - condition: state\n"
	"              entity_id: sensor.onu_ploam_state\n"
	"              state: \"51\"\n"
	"          sequence:\n"
	"            - action: persistent_notification.dismiss\n"
	"              data: {notification_id: onu}\n"
	"      default:\n"
	"        - if:\n"
	"            - condition: not\n"
	"              conditions:\n"
	"                - condition: numeric_state\n"
	"                  entity_id: sensor.onu_ploam_state\n"
	"                  above: 50\n"
	"          then:\n"
	"            - action: switch.toggle\n"
	"              target: {entity_id: [switch.internet]}\n";

START_TEST(test_ha_wait_choose_restart)
{
	char *d = hil_test_tmpdir("ha"), path[512];
	snprintf(path, sizeof(path), "%s/a.yaml", d);
	hil_test_write_file(path, flow_yaml);
	setup_ha(path);
	at(0, "sensor.onu_ploam_state", "51");
	at(10, "sensor.onu_ploam_state", "1");
	at(70, "sensor.onu_ploam_state", "51"); /* recovered inside the wait: dismiss */
	run_until(400);
	ck_assert_str_eq("", w.log);
	ck_assert_uint_eq(1, fl_ha_notification_count(w.ha));
	ck_assert_int_eq(T0 + 70000, fl_ha_notification_get(w.ha, 0)->at);
	ck_assert_str_eq("persistent_notification.dismiss", fl_ha_notification_get(w.ha, 0)->service);
	/* no recovery: the wait times out 3 min after the last (restarting) trigger, then the plug toggles */
	at(500, "sensor.onu_ploam_state", "1");
	at(560, "sensor.onu_ploam_state", "2");
	at(600, "sensor.onu_ploam_state", "1");
	run_until(1000);
	ck_assert_str_eq("off@780s ", w.log);
	ck_assert_uint_eq(1, fl_ha_notification_count(w.ha));
	teardown_ha();
	free(d);
}
END_TEST

/* ---------------------------------------------------------------- loading */

static void expect_refusal(const char *yaml, const char *what, int line, int col)
{
	char *d = hil_test_tmpdir("ha"), path[512], want[600], *err = NULL;
	snprintf(path, sizeof(path), "%s/a.yaml", d);
	hil_test_write_file(path, yaml);
	struct fl_loop *loop = fl_loop_new(T0);
	struct fl_ha_config cfg = { .token = "t", .automations_path = path };
	ck_assert_ptr_null(fl_ha_new(loop, &cfg, &err));
	ck_assert_ptr_nonnull(err);
	snprintf(want, sizeof(want), "%s:%d:%d: %s", path, line, col, what);
	ck_assert_str_eq(want, err);
	free(err);
	fl_loop_free(loop);
	free(d);
}

#define HEAD "- alias: x\n  trigger:\n"
#define TRIG "    - platform: state\n      entity_id: sensor.a\n"

START_TEST(test_ha_load_refusals)
{
	expect_refusal(HEAD "    - platform: template\n      value_template: \"x\"\n  action: []\n",
		       "unsupported trigger platform 'template'", 3, 17);
	expect_refusal(HEAD TRIG "      to: \"{{ 1 }}\"\n  action: []\n", "templates are not supported: '{{ 1 }}'", 5,
		       11);
	expect_refusal(HEAD TRIG "  condition:\n    - condition: time\n  action: []\n",
		       "unsupported condition type 'time'", 6, 18);
	expect_refusal(HEAD TRIG "  action:\n    - repeat: {count: 2}\n", "unsupported action 'repeat'", 6, 7);
	expect_refusal(HEAD TRIG "  action:\n    - service: climate.turn_on\n", "unknown service 'climate.turn_on'",
		       6, 16);
	expect_refusal(HEAD TRIG "  action:\n    - action: notify.mobile\n      data: {title: t}\n",
		       "notify.mobile: data.message is required", 6, 7);
	expect_refusal(HEAD TRIG "  action:\n    - action: persistent_notification.dismiss\n",
		       "persistent_notification.dismiss: data.notification_id is required", 6, 7);
	expect_refusal(HEAD TRIG "  action:\n    - action: light.turn_on\n      area_id: hall\n",
		       "service call: unsupported key 'area_id'", 7, 7);
	/* in data, states('id') and state_attr('id', 'attr') render; nothing else does */
	expect_refusal(HEAD TRIG "  action:\n    - action: notify.x\n      data: {message: \"{{ now() }}\"}\n",
		       "templates are not supported: '{{ now() }}' (only states('id') and state_attr('id', 'attr'))",
		       7, 23);
	expect_refusal(HEAD TRIG "  action:\n    - wait_for_trigger: []\n      continue_on_timeout: maybe\n",
		       "continue_on_timeout: expected true or false", 7, 28);
	expect_refusal(HEAD TRIG "  mode: sometimes\n  action: []\n", "unsupported mode 'sometimes'", 5, 9);
	expect_refusal(HEAD TRIG "  condition:\n    - condition: or\n  action: []\n",
		       "or condition: missing conditions", 6, 7);
	expect_refusal(HEAD TRIG "  blueprint: x\n  action: []\n", "automation: unsupported key 'blueprint'", 5, 3);
	expect_refusal(HEAD "    - platform: numeric_state\n      entity_id: sensor.a\n  action: []\n",
		       "numeric_state trigger: above or below is required", 3, 7);
	expect_refusal(HEAD TRIG "      attribute: x\n  action: []\n", "state trigger: unsupported key 'attribute'",
		       5, 7);
	expect_refusal(HEAD TRIG "  action:\n    - delay: soon\n", "delay: invalid duration", 6, 14);
	/* negative, beyond a year, or digits that overflow an int: refused, never wrapped */
	expect_refusal(HEAD TRIG "      for: -5\n  action: []\n", "for: invalid duration (seconds, HH:MM[:SS] or a dict of days..milliseconds, 0 to 366 days)", 5, 12);
	expect_refusal(HEAD TRIG "      for: {days: 400}\n  action: []\n", "for: invalid duration (seconds, HH:MM[:SS] or a dict of days..milliseconds, 0 to 366 days)", 5, 12);
	expect_refusal(HEAD TRIG "      for: \"99999999999:00\"\n  action: []\n", "for: invalid duration (seconds, HH:MM[:SS] or a dict of days..milliseconds, 0 to 366 days)", 5, 12);
	expect_refusal(HEAD TRIG "  action:\n    - delay: 1e300\n", "delay: invalid duration", 6, 14);
	expect_refusal("- alias: x\n  trigger: [\n", "did not find expected node content", 3, 1);
	/* HA keeps one document per file and the last of two equal keys: both refused here */
	expect_refusal(HEAD TRIG "  action: []\n---\n- alias: y\n  trigger: [\n",
		       "a second YAML document: Home Assistant expects a single document in the stream", 6, 1);
	expect_refusal(HEAD TRIG "  action: []\n---\n[]\n",
		       "a second YAML document: Home Assistant expects a single document in the stream", 6, 1);
	expect_refusal(HEAD TRIG "  alias: y\n  action: []\n",
		       "duplicate key \"alias\" (first at line 1): Home Assistant would keep only the last one", 5, 3);
}
END_TEST

START_TEST(test_ha_load_both_spellings)
{
	storm_setup();
	ck_assert_str_eq("on", fl_ha_get_state(w.ha, "automation.bpi_r4_sfp_tx_fault_storm_carrier_down_onu_power_cycle"));
	ck_assert_str_eq("on", fl_ha_get_state(w.ha, "automation.bpi_r4_sfp_tx_fault_storm_carrier_up_soc_reboot"));
	teardown_ha();
}
END_TEST


/* ---------------------------------------------------------------- one test per engine feature */

static char *yaml_dir;

/* A HA running the automations in @yaml (written to a scratch file). */
static void setup_yaml(const char *yaml)
{
	char path[512];
	yaml_dir = hil_test_tmpdir("ha");
	snprintf(path, sizeof(path), "%s/a.yaml", yaml_dir);
	hil_test_write_file(path, yaml);
	setup_ha(path);
}

static void teardown_yaml(void)
{
	teardown_ha();
	free(yaml_dir);
}

START_TEST(test_ha_state_trigger_from_to_for)
{
	setup_yaml("- alias: a\n"
		   "  trigger:\n"
		   "    - platform: state\n"
		   "      entity_id: binary_sensor.192_168_1_254\n"
		   "      from: \"on\"\n"
		   "      to: \"off\"\n"
		   "      for: {minutes: 15}\n"
		   "  action:\n"
		   "    - service: switch.turn_off\n"
		   "      entity_id: switch.internet\n");
	at(0, "binary_sensor.192_168_1_254", "on");
	at(60, "binary_sensor.192_168_1_254", "off");
	at(900, "binary_sensor.192_168_1_254", "on"); /* back 1 s early: no run */
	at(1000, "binary_sensor.192_168_1_254", "unavailable");
	at(1010, "binary_sensor.192_168_1_254", "off"); /* from unavailable: not from on */
	run_until(2000);
	ck_assert_str_eq("", w.log);
	at(2000, "binary_sensor.192_168_1_254", "on");
	at(2030, "binary_sensor.192_168_1_254", "off");
	fl_ha_set_state(w.ha, "binary_sensor.192_168_1_254", "off", "{\"x\":1}"); /* attributes only */
	run_until(3000);
	ck_assert_str_eq("off@2930s ", w.log);
	teardown_yaml();
}
END_TEST

/* HA: a state trigger naming neither from: nor to: fires on attribute-only changes too. */
START_TEST(test_ha_state_trigger_attribute_changes)
{
	setup_yaml("- alias: any\n"
		   "  mode: queued\n"
		   "  triggers:\n"
		   "    - trigger: state\n"
		   "      entity_id: sensor.cause\n"
		   "  actions:\n"
		   "    - action: switch.turn_off\n"
		   "      entity_id: switch.internet\n"
		   "    - action: switch.turn_on\n"
		   "      entity_id: switch.internet\n"
		   "- alias: to\n"
		   "  triggers:\n"
		   "    - trigger: state\n"
		   "      entity_id: sensor.cause\n"
		   "      to: panic\n"
		   "  actions:\n"
		   "    - action: shell_command.bpi_r4_reboot\n");
	run_until(10);
	ck_assert_int_eq(0, fl_ha_set_state(w.ha, "sensor.cause", "panic", "{\"boot_id\":\"a\"}"));
	run_until(20);
	ck_assert_int_eq(0, fl_ha_set_state(w.ha, "sensor.cause", "panic", "{\"boot_id\":\"b\"}"));
	run_until(30);
	ck_assert_int_eq(0, fl_ha_set_state(w.ha, "sensor.cause", "panic", "{\"boot_id\":\"b\"}")); /* no change */
	run_until(40);
	ck_assert_str_eq("off@10s on@10s shell[ssh -i /config/.ssh/id root@192.168.1.1 reboot]@10s off@20s on@20s ", w.log);
	teardown_yaml();
}
END_TEST

/* HA-CRASH of the reference automations: a crash loop notifies once per crashed boot. */
START_TEST(test_ha_reference_crash_loop_notifies_every_crash)
{
	char *path, *conf;
	ck_assert_int_ge(asprintf(&path, "%s/fixtures/ha/automations.yaml", hil_test_source_dir()), 0);
	ck_assert_int_ge(asprintf(&conf, "%s/fixtures/ha/configuration.yaml", hil_test_source_dir()), 0);
	setup_ha_with(path, conf);
	static const char *const boots[][2] = {
		{ "power_on", "b0" }, { "panic", "b1" }, { "panic", "b2" }, { "reset_with_pstore", "b3" }, { "reboot", "b4" },
	};
	size_t expected[] = { 0, 1, 2, 3, 3 };
	for (size_t i = 0; i < sizeof(boots) / sizeof(boots[0]); i++) {
		char attrs[64];
		snprintf(attrs, sizeof(attrs), "{\"boot_id\":\"%s\"}", boots[i][1]);
		run_until(100 * (fl_ms)(i + 1));
		ck_assert_int_eq(0, fl_ha_set_state(w.ha, "sensor.bpi_r4_boot_cause", boots[i][0], attrs));
		run_until(100 * (fl_ms)(i + 1) + 10);
		ck_assert_msg(fl_ha_notification_count(w.ha) == expected[i], "boot %zu (%s): %zu notifications, expected %zu",
			      i, boots[i][0], fl_ha_notification_count(w.ha), expected[i]);
	}
	teardown_ha();
	free(path);
}
END_TEST

/* HA-PP of the reference automations: a clean cause left over from an earlier boot
 * is not taken for the recovery when the SSH reboot did nothing. */
static void page_pool_reboot_that_fails(const char *age_after, const char *expect_in_message)
{
	char *path, *conf;
	ck_assert_int_ge(asprintf(&path, "%s/fixtures/ha/automations.yaml", hil_test_source_dir()), 0);
	ck_assert_int_ge(asprintf(&conf, "%s/fixtures/ha/configuration.yaml", hil_test_source_dir()), 0);
	setup_ha_with(path, conf);
	at(0, "sensor.bpi_r4_boot_cause", "reboot"); /* an earlier, clean reboot */
	for (fl_ms m = 10; m <= 31; m++) /* the stall's age, one push a minute */
		at(m * 60, "sensor.bpi_r4_page_pool_age", m == 31 ? "1860" : (m < 11 ? "0" : "900"));
	ck_assert_msg(strstr(w.log, "reboot]@1860s") != NULL, "no SSH reboot at 31 min: %s", w.log);
	at(33 * 60, "sensor.bpi_r4_page_pool_age", age_after);
	run_until(36 * 60);
	const char *msg = fl_ha_persistent_message(w.ha, "bpi_r4_page_pool_stall");
	ck_assert_msg(msg && strstr(msg, expect_in_message), "message: %s", msg ? msg : "(none)");
	teardown_ha();
	free(path);
}

START_TEST(test_ha_reference_page_pool_reboot_confirmed_by_the_stall_ending)
{
	page_pool_reboot_that_fails("1980", "no clean boot 4 min later");
	page_pool_reboot_that_fails("0", "the new boot is clean");
}
END_TEST

static const char logic_yaml[] =
	"- alias: logic\n"
	"  mode: parallel\n"
	"  triggers:\n"
	"    - trigger: state\n"
	"      entity_id: sensor.go\n"
	"  conditions:\n"
	"    - condition: or\n"
	"      conditions:\n"
	"        - condition: state\n"
	"          entity_id: sensor.a\n"
	"          state: [\"1\", \"2\"]\n"
	"        - condition: numeric_state\n"
	"          entity_id: sensor.n\n"
	"          above: 10\n"
	"          below: 20\n"
	"    - condition: not\n"
	"      conditions:\n"
	"        - condition: state\n"
	"          entity_id: sensor.veto\n"
	"          state: \"on\"\n"
	"  actions:\n"
	"    - action: light.toggle\n"
	"      target: {entity_id: light.lamp}\n"
	"    - condition: and\n"
	"      conditions:\n"
	"        - condition: numeric_state\n"
	"          entity_id: sensor.n\n"
	"          below: 15\n"
	"    - action: light.turn_on\n"
	"      target: {entity_id: [light.second]}\n";

START_TEST(test_ha_conditions_and_or_not)
{
	setup_yaml(logic_yaml);
	at(0, "sensor.a", "3");
	at(0, "sensor.n", "25");
	at(10, "sensor.go", "x"); /* or: neither holds */
	ck_assert_ptr_null(fl_ha_get_state(w.ha, "light.lamp"));
	at(20, "sensor.a", "2");
	at(20, "sensor.veto", "on");
	at(30, "sensor.go", "y"); /* or holds, not fails */
	ck_assert_ptr_null(fl_ha_get_state(w.ha, "light.lamp"));
	at(40, "sensor.veto", "off");
	at(50, "sensor.go", "z"); /* runs; the action-step condition (n < 15) stops it */
	ck_assert_str_eq("on", fl_ha_get_state(w.ha, "light.lamp"));
	ck_assert_ptr_null(fl_ha_get_state(w.ha, "light.second"));
	at(60, "sensor.a", "9");
	at(60, "sensor.n", "12");
	at(70, "sensor.go", "w"); /* numeric between 10 and 20: toggles back, then passes the step */
	ck_assert_str_eq("off", fl_ha_get_state(w.ha, "light.lamp"));
	ck_assert_str_eq("on", fl_ha_get_state(w.ha, "light.second"));
	teardown_yaml();
}
END_TEST

START_TEST(test_ha_persistent_notifications)
{
	setup_yaml("- alias: notes\n"
		   "  mode: queued\n"
		   "  triggers:\n"
		   "    - trigger: state\n"
		   "      entity_id: sensor.s\n"
		   "      to: \"bad\"\n"
		   "  actions:\n"
		   "    - action: persistent_notification.create\n"
		   "      data: {notification_id: r4, title: Router, message: first}\n"
		   "    - action: persistent_notification.create\n"
		   "      data: {notification_id: r4, message: second}\n"
		   "    - action: notify.mobile_app\n"
		   "      data: {message: hello}\n"
		   "    - wait_for_trigger:\n"
		   "        - trigger: state\n"
		   "          entity_id: sensor.s\n"
		   "          to: \"good\"\n"
		   "    - action: persistent_notification.dismiss\n"
		   "      data: {notification_id: r4}\n");
	at(10, "sensor.s", "bad");
	ck_assert_uint_eq(1, fl_ha_persistent_count(w.ha));
	ck_assert_str_eq("second", fl_ha_persistent_message(w.ha, "r4"));
	ck_assert_uint_eq(3, fl_ha_notification_count(w.ha));
	ck_assert_str_eq("notify.mobile_app", fl_ha_notification_get(w.ha, 2)->service);
	/* as in HA since 2023.6: not an entity */
	ck_assert_ptr_null(fl_ha_get_state(w.ha, "persistent_notification.r4"));
	at(100, "sensor.s", "good");
	ck_assert_uint_eq(0, fl_ha_persistent_count(w.ha));
	ck_assert_ptr_null(fl_ha_persistent_message(w.ha, "r4"));
	teardown_yaml();
}
END_TEST

static const char wait_yaml[] =
	"- alias: wait strict\n"
	"  triggers:\n"
	"    - trigger: state\n"
	"      entity_id: sensor.s\n"
	"      to: \"down\"\n"
	"  actions:\n"
	"    - wait_for_trigger:\n"
	"        - trigger: numeric_state\n"
	"          entity_id: sensor.n\n"
	"          above: 5\n"
	"      timeout: \"00:01:00\"\n"
	"      continue_on_timeout: false\n"
	"    - if:\n"
	"        - condition: state\n"
	"          entity_id: sensor.s\n"
	"          state: \"down\"\n"
	"      then:\n"
	"        - action: switch.turn_off\n"
	"          target: {entity_id: switch.internet}\n"
	"        - stop: done\n"
	"      else:\n"
	"        - action: switch.toggle\n"
	"          target: {entity_id: switch.internet}\n"
	"    - action: switch.turn_on\n"
	"      target: {entity_id: switch.internet}\n";

START_TEST(test_ha_wait_timeout_stops_if_else_stop)
{
	setup_yaml(wait_yaml);
	at(0, "sensor.n", "0");
	at(10, "sensor.s", "down");
	at(80, "sensor.n", "9"); /* after the 60 s timeout: the run had stopped */
	run_until(200);
	ck_assert_str_eq("", w.log);
	at(200, "sensor.n", "0");
	at(210, "sensor.s", "up");
	at(220, "sensor.s", "down");
	at(250, "sensor.n", "9"); /* inside the wait: then-branch, stop before turn_on */
	ck_assert_str_eq("off@250s ", w.log);
	at(300, "sensor.n", "0");
	at(310, "sensor.s", "up");
	at(320, "sensor.s", "down");
	at(330, "sensor.s", "other");
	at(340, "sensor.n", "9"); /* else-branch: toggle (on), then turn_on (the device is asked again) */
	ck_assert_str_eq("off@250s on@340s on@340s ", w.log);
	teardown_yaml();
}
END_TEST

static const char modes_yaml[] =
	"- alias: single\n"
	"  triggers: [{trigger: state, entity_id: sensor.s}]\n"
	"  actions:\n"
	"    - action: notify.single\n"
	"      data: {message: s}\n"
	"    - delay: 100\n"
	"- alias: queued\n"
	"  mode: queued\n"
	"  max: 2\n"
	"  triggers: [{trigger: state, entity_id: sensor.s}]\n"
	"  actions:\n"
	"    - action: notify.queued\n"
	"      data: {message: q}\n"
	"    - delay: 100\n";

static size_t count_service(const char *service)
{
	size_t n = 0;
	for (size_t i = 0; i < fl_ha_notification_count(w.ha); i++)
		n += strcmp(fl_ha_notification_get(w.ha, i)->service, service) == 0;
	return n;
}

START_TEST(test_ha_modes_single_queued_max)
{
	setup_yaml(modes_yaml);
	at(0, "sensor.s", "1");
	at(10, "sensor.s", "2");
	at(20, "sensor.s", "3");
	at(30, "sensor.s", "4"); /* queued: 1 running + 1 waiting = max 2, this one is dropped */
	ck_assert_uint_eq(1, count_service("notify.single"));
	ck_assert_uint_eq(1, count_service("notify.queued"));
	run_until(100);
	ck_assert_uint_eq(2, count_service("notify.queued")); /* the queued run starts when the first ends */
	ck_assert_int_eq(T0 + 100000, fl_ha_notification_get(w.ha, 2)->at);
	run_until(500);
	ck_assert_uint_eq(2, count_service("notify.queued"));
	ck_assert_uint_eq(1, count_service("notify.single")); /* single ignored the triggers while running */
	at(500, "sensor.s", "5");
	ck_assert_uint_eq(2, count_service("notify.single"));
	teardown_yaml();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ha");
	TCase *tc = tcase_create("api");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, rest_setup, rest_teardown);
	tcase_add_test(tc, test_ha_api_auth);
	tcase_add_test(tc, test_ha_api_states);
	tcase_add_test(tc, test_ha_api_history);
	suite_add_tcase(s, tc);

	tc = tcase_create("numeric");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, numeric_setup, numeric_teardown);
	tcase_add_test(tc, test_ha_numeric_for_fires_after_duration);
	tcase_add_test(tc, test_ha_numeric_for_cancelled_by_drop);
	suite_add_tcase(s, tc);

	tc = tcase_create("storm");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, storm_setup, teardown_ha);
	tcase_add_test(tc, test_ha_storm_down_power_cycles_plug);
	tcase_add_test(tc, test_ha_storm_up_reboots_over_ssh);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ha_load_refusals);
	tcase_add_test(tc, test_ha_load_both_spellings);
	tcase_add_test(tc, test_ha_wait_choose_restart);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ha_state_trigger_from_to_for);
	tcase_add_test(tc, test_ha_state_trigger_attribute_changes);
	tcase_add_test(tc, test_ha_reference_crash_loop_notifies_every_crash);
	tcase_add_test(tc, test_ha_reference_page_pool_reboot_confirmed_by_the_stall_ending);
	tcase_add_test(tc, test_ha_conditions_and_or_not);
	tcase_add_test(tc, test_ha_persistent_notifications);
	tcase_add_test(tc, test_ha_wait_timeout_stops_if_else_stop);
	tcase_add_test(tc, test_ha_modes_single_queued_max);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
