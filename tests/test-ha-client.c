#include "httpfixture.h"
#include "sshfixture.h"
#include "testutil.h"

#include "r4hil/ha.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#define TOKEN "llat-0123456789"

/* A fake HA: one switch, a services endpoint and a fixed history. */
struct fake_ha {
	char plug_state[32];
	int created;
};

static const char history_reply[] =
	"[[{\"entity_id\":\"switch.router_plug\",\"state\":\"on\","
	"\"attributes\":{\"friendly_name\":\"Router plug\"},"
	"\"last_changed\":\"2026-01-01T00:03:10.123456+00:00\","
	"\"last_updated\":\"2026-01-01T00:03:10.223456+00:00\"},"
	"{\"entity_id\":\"switch.router_plug\",\"state\":\"off\",\"attributes\":{},"
	"\"last_changed\":\"2026-01-01T02:04:11.5+02:00\","
	"\"last_updated\":\"2026-01-01T02:04:11.5+02:00\"}],"
	"[{\"entity_id\":\"binary_sensor.wan_up\",\"state\":\"off\","
	"\"last_changed\":\"2026-01-01T00:05:00Z\",\"last_updated\":\"2026-01-01T00:05:00Z\"}]]";

static int ha_api(void *arg, const struct hil_httpfix_req *req, char **body)
{
	struct fake_ha *ha = arg;

	if (!req->auth || strcmp(req->auth, "Bearer " TOKEN)) {
		*body = strdup("401: Unauthorized");
		return 401;
	}
	if (!strcmp(req->path, "/api/states/switch.router_plug")) {
		if (!strcmp(req->method, "POST")) {
			struct json_object *j = json_tokener_parse(req->body), *st;

			if (!j || !json_object_object_get_ex(j, "state", &st)) {
				json_object_put(j);
				*body = strdup("{\"message\":\"No state specified.\"}");
				return 400;
			}
			snprintf(ha->plug_state, sizeof(ha->plug_state), "%s",
				 json_object_get_string(st));
			json_object_put(j);
		}
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "entity_id", json_object_new_string("switch.router_plug"));
		json_object_object_add(o, "state", json_object_new_string(ha->plug_state[0] ?
									   ha->plug_state : "on"));
		json_object_object_add(o, "attributes", json_object_new_object());
		*body = strdup(json_object_to_json_string(o));
		json_object_put(o);
		return 200;
	}
	if (!strcmp(req->path, "/api/states/sensor.new") && !strcmp(req->method, "POST")) {
		ha->created = 1;
		*body = strdup("{\"entity_id\":\"sensor.new\",\"state\":\"25\"}");
		return 201;
	}
	if (!strncmp(req->path, "/api/states/", 12)) {
		*body = strdup("{\"message\":\"Entity not found.\"}");
		return 404;
	}
	if (!strcmp(req->path, "/api/services/switch/turn_off")) {
		*body = strdup("[]");
		return 200;
	}
	if (!strncmp(req->path, "/api/services/", 14)) {
		*body = strdup("{\"message\":\"Service not found.\"}");
		return 400;
	}
	if (!strncmp(req->path, "/api/history/period/", 20)) {
		const char *filter = hil_httpfix_arg(req, "filter_entity_id");

		if (!filter) {
			*body = strdup("{\"message\":\"filter_entity_id is missing\"}");
			return 400;
		}
		if (!strcmp(filter, "sensor.broken")) {
			*body = strdup("[[{\"entity_id\":\"sensor.broken\",\"state\":\"1\","
				       "\"last_changed\":\"yesterday\"}]]");
			return 200;
		}
		*body = strdup(history_reply);
		return 200;
	}
	*body = strdup("{\"message\":\"not here\"}");
	return 404;
}

START_TEST(test_ha_client_get_state_sends_token)
{
	struct fake_ha fake = { .created = 0 };
	struct hil_httpfix f;
	struct hil_ha *ha;
	char *state = NULL, *err = NULL, *s, base[80];

	hil_httpfix_start(&f, ha_api, &fake);
	snprintf(base, sizeof(base), "%s/", f.base);
	ha = hil_ha_new(base, TOKEN);
	ck_assert_ptr_nonnull(ha);
	ck_assert_int_eq(0, hil_ha_get_state(ha, "switch.router_plug", &state, &err));
	ck_assert_str_eq("on", state);
	free(state);
	s = hil_httpfix_last(&f, "auth");
	ck_assert_str_eq("Bearer " TOKEN, s);
	free(s);
	s = hil_httpfix_last(&f, "line");
	ck_assert_str_eq("GET /api/states/switch.router_plug", s);
	free(s);

	ck_assert_int_eq(-ENOENT, hil_ha_get_state(ha, "sensor.nope", &state, &err));
	ck_assert_ptr_null(state);
	ck_assert_ptr_nonnull(strstr(err, "Entity not found."));
	ck_assert_ptr_nonnull(strstr(err, "sensor.nope"));
	free(err);
	err = NULL;

	ck_assert_int_eq(-EINVAL, hil_ha_get_state(ha, "../config", &state, &err));
	free(err);
	hil_ha_free(ha);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_ha_client_unauthorized)
{
	struct fake_ha fake = { .created = 0 };
	struct hil_httpfix f;
	struct hil_ha *ha;
	char *state = NULL, *err = NULL;

	hil_httpfix_start(&f, ha_api, &fake);
	ha = hil_ha_new(f.base, "wrong-token-xyz");
	ck_assert_int_eq(-EACCES, hil_ha_get_state(ha, "switch.router_plug", &state, &err));
	ck_assert_ptr_nonnull(strstr(err, "401"));
	ck_assert_ptr_null(strstr(err, "wrong-token-xyz"));
	free(err);
	err = NULL;
	ck_assert_int_eq(-EACCES, hil_ha_call_service(ha, "switch", "turn_off", NULL, &err));
	free(err);
	/* A 401 is an answer, not a transport error: no retries. */
	ck_assert_int_eq(2, hil_httpfix_count(&f));
	hil_ha_free(ha);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_ha_client_set_state)
{
	struct fake_ha fake = { .created = 0 };
	struct hil_httpfix f;
	struct hil_ha *ha;
	char *state = NULL, *err = NULL, *s;

	hil_httpfix_start(&f, ha_api, &fake);
	ha = hil_ha_new(f.base, TOKEN);
	ck_assert_int_eq(0, hil_ha_set_state(ha, "switch.router_plug", "off \"quoted\"", &err));
	ck_assert_str_eq("off \"quoted\"", fake.plug_state);
	s = hil_httpfix_last(&f, "ctype");
	ck_assert_str_eq("application/json", s);
	free(s);
	ck_assert_int_eq(0, hil_ha_get_state(ha, "switch.router_plug", &state, &err));
	ck_assert_str_eq("off \"quoted\"", state);
	free(state);
	/* 201 Created is success too. */
	ck_assert_int_eq(0, hil_ha_set_state(ha, "sensor.new", "25", &err));
	ck_assert_int_eq(1, fake.created);
	hil_ha_free(ha);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_ha_client_call_service)
{
	struct fake_ha fake = { .created = 0 };
	struct hil_httpfix f;
	struct hil_ha *ha;
	char *err = NULL, *s;

	hil_httpfix_start(&f, ha_api, &fake);
	ha = hil_ha_new(f.base, TOKEN);
	ck_assert_int_eq(0, hil_ha_call_service(ha, "switch", "turn_off",
						"{\"entity_id\":\"switch.router_plug\"}", &err));
	s = hil_httpfix_last(&f, "line");
	ck_assert_str_eq("POST /api/services/switch/turn_off", s);
	free(s);
	s = hil_httpfix_last(&f, "body");
	ck_assert_str_eq("{\"entity_id\":\"switch.router_plug\"}", s);
	free(s);

	ck_assert_int_eq(-EPROTO, hil_ha_call_service(ha, "switch", "explode", NULL, &err));
	ck_assert_ptr_nonnull(strstr(err, "Service not found."));
	ck_assert_ptr_nonnull(strstr(err, "400"));
	free(err);
	hil_ha_free(ha);
	hil_httpfix_stop(&f);
}
END_TEST

struct rows {
	int n;
	char entity[8][64];
	char state[8][16];
	int64_t lc[8], lu[8];
	int has_attrs[8];
	char friendly[64];
};

static void collect(void *arg, const char *entity, const char *state, int64_t lc, int64_t lu,
		    struct json_object *attrs)
{
	struct rows *r = arg;
	struct json_object *fn;

	ck_assert_int_lt(r->n, 8);
	snprintf(r->entity[r->n], 64, "%s", entity);
	snprintf(r->state[r->n], 16, "%s", state);
	r->lc[r->n] = lc;
	r->lu[r->n] = lu;
	r->has_attrs[r->n] = attrs != NULL;
	if (attrs && json_object_object_get_ex(attrs, "friendly_name", &fn))
		snprintf(r->friendly, sizeof(r->friendly), "%s", json_object_get_string(fn));
	r->n++;
}

START_TEST(test_ha_client_history_parsed)
{
	const char *ents[] = { "switch.router_plug", "binary_sensor.wan_up" };
	const int64_t t0 = 1767225600000;	/* 2026-01-01T00:00:00Z */
	struct fake_ha fake = { .created = 0 };
	struct rows r = { 0 };
	struct hil_httpfix f;
	struct hil_ha *ha;
	char *err = NULL, *s;

	hil_httpfix_start(&f, ha_api, &fake);
	ha = hil_ha_new(f.base, TOKEN);
	ck_assert_int_eq(0, hil_ha_history(ha, ents, 2, t0 + 1500, t0 + 3600000, collect, &r, &err));
	s = hil_httpfix_last(&f, "line");
	/* MHD decodes %2B back to '+': the server saw a proper offset. */
	ck_assert_str_eq("GET /api/history/period/2026-01-01T00:00:01.500000+00:00"
			 "?filter_entity_id=switch.router_plug,binary_sensor.wan_up"
			 "&end_time=2026-01-01T01:00:00.000000+00:00", s);
	free(s);
	ck_assert_int_eq(3, r.n);
	ck_assert_str_eq("switch.router_plug", r.entity[0]);
	ck_assert_str_eq("on", r.state[0]);
	ck_assert_int_eq(t0 + 190123, r.lc[0]);
	ck_assert_int_eq(t0 + 190223, r.lu[0]);
	ck_assert_int_eq(1, r.has_attrs[0]);
	ck_assert_str_eq("Router plug", r.friendly);
	ck_assert_str_eq("off", r.state[1]);
	ck_assert_int_eq(t0 + 251500, r.lc[1]);	/* 02:04:11.5+02:00 */
	ck_assert_str_eq("binary_sensor.wan_up", r.entity[2]);
	ck_assert_int_eq(t0 + 300000, r.lc[2]);
	ck_assert_int_eq(0, r.has_attrs[2]);

	/* No end time: no end_time argument. */
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(0, hil_ha_history(ha, ents, 1, t0, 0, collect, &r, &err));
	s = hil_httpfix_last(&f, "line");
	ck_assert_ptr_null(strstr(s, "end_time"));
	free(s);
	hil_ha_free(ha);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_ha_client_history_errors)
{
	const char *broken[] = { "sensor.broken" };
	struct fake_ha fake = { .created = 0 };
	struct rows r = { 0 };
	struct hil_httpfix f;
	struct hil_ha *ha;
	char *err = NULL;

	hil_httpfix_start(&f, ha_api, &fake);
	ha = hil_ha_new(f.base, TOKEN);
	ck_assert_int_eq(-EPROTO, hil_ha_history(ha, broken, 1, 0, 0, collect, &r, &err));
	ck_assert_ptr_nonnull(strstr(err, "yesterday"));
	ck_assert_int_eq(0, r.n);
	free(err);
	err = NULL;
	ck_assert_int_eq(-EINVAL, hil_ha_history(ha, broken, 0, 0, 0, collect, &r, &err));
	free(err);
	hil_ha_free(ha);

	ha = hil_ha_new(f.base, "bad");
	ck_assert_int_eq(-EACCES, hil_ha_history(ha, broken, 1, 0, 0, collect, &r, &err));
	free(err);
	hil_ha_free(ha);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_ha_client_unreachable)
{
	char base[64], *state = NULL, *err = NULL;
	struct hil_ha *ha;

	snprintf(base, sizeof(base), "http://127.0.0.1:%d", hil_sshfix_free_port());
	ha = hil_ha_new(base, TOKEN);
	ck_assert_int_eq(-ECONNREFUSED, hil_ha_get_state(ha, "switch.router_plug", &state, &err));
	ck_assert_ptr_nonnull(strstr(err, "failed to get state: switch.router_plug"));
	ck_assert_ptr_null(strstr(err, TOKEN));
	free(err);
	hil_ha_free(ha);
	hil_ha_free(NULL);
	errno = 0;
	ck_assert_ptr_null(hil_ha_new(NULL, TOKEN));
	ck_assert_int_eq(EINVAL, errno);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ha-client");
	TCase *tc = tcase_create("fake-ha");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_ha_client_get_state_sends_token);
	tcase_add_test(tc, test_ha_client_unauthorized);
	tcase_add_test(tc, test_ha_client_set_state);
	tcase_add_test(tc, test_ha_client_call_service);
	tcase_add_test(tc, test_ha_client_history_parsed);
	tcase_add_test(tc, test_ha_client_history_errors);
	tcase_add_test(tc, test_ha_client_unreachable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
