#include "httpfixture.h"
#include "sshfixture.h"
#include "testutil.h"

#include "r4hil/plug.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <microhttpd.h>

/* One fake device answering the API of whichever plug type asks. */
struct fake_plug {
	int on;
	int stuck;		/* ignore switch commands (relay refuses) */
	int sets;		/* switch commands seen */
	int fail_first;		/* answer this many requests with 503 first */
	int need_auth;		/* Gen1: require basic auth admin / "g1 p@ss" */
};

#define HUE_USER "hueuser0123456789"

static int bool_arg(const char *s)
{
	return s && (!strcmp(s, "true") || !strcmp(s, "on"));
}

static void apply(struct fake_plug *fp, int on)
{
	fp->sets++;
	if (!fp->stuck)
		fp->on = on;
}

static int shelly_gen2(struct fake_plug *fp, const struct hil_httpfix_req *req, char **body)
{
	const char *id = hil_httpfix_arg(req, "id");
	int was = fp->on;

	if (!id || strcmp(id, "0")) {
		*body = strdup("{\"code\":-105,\"message\":\"Argument 'id', value 1 not found!\"}");
		return 400;
	}
	if (!strcmp(req->path, "/rpc/Switch.Set")) {
		apply(fp, bool_arg(hil_httpfix_arg(req, "on")));
		return asprintf(body, "{\"was_on\":%s}", was ? "true" : "false") < 0 ? 500 : 200;
	}
	if (!strcmp(req->path, "/rpc/Switch.GetStatus"))
		return asprintf(body, "{\"id\":0,\"source\":\"HTTP_in\",\"output\":%s,"
				"\"apower\":3.5,\"voltage\":230.1}", fp->on ? "true" : "false") < 0 ? 500 : 200;
	*body = strdup("{\"code\":404,\"message\":\"No handler for method\"}");
	return 404;
}

static int shelly_gen1(struct fake_plug *fp, const struct hil_httpfix_req *req, char **body)
{
	const char *turn = hil_httpfix_arg(req, "turn");

	if (fp->need_auth) {
		char *pw = NULL, *user = MHD_basic_auth_get_username_password(req->conn, &pw);
		int ok = user && pw && !strcmp(user, "admin") && !strcmp(pw, "g1 p@ss");

		MHD_free(user);
		MHD_free(pw);
		if (!ok) {
			*body = strdup("401 Unauthorized");
			return 401;
		}
	}
	if (strcmp(req->path, "/relay/0")) {
		*body = strdup("Not found");
		return 404;
	}
	if (turn)
		apply(fp, !strcmp(turn, "on"));
	return asprintf(body, "{\"ison\":%s,\"has_timer\":false,\"timer_started\":0,"
			"\"overpower\":false,\"source\":\"http\"}", fp->on ? "true" : "false") < 0 ? 500 : 200;
}

static int tasmota(struct fake_plug *fp, const struct hil_httpfix_req *req, char **body)
{
	const char *cmnd = hil_httpfix_arg(req, "cmnd"), *pw = hil_httpfix_arg(req, "password");

	if (!pw || strcmp(pw, "tas&pw")) {
		*body = strdup("{\"WARNING\":\"Need user=<username>&password=<password>\"}");
		return 200;
	}
	if (!cmnd || strncmp(cmnd, "Power1", 6)) {
		*body = strdup("{\"Command\":\"Unknown\"}");
		return 200;
	}
	if (!strcmp(cmnd + 6, " On"))
		apply(fp, 1);
	else if (!strcmp(cmnd + 6, " Off"))
		apply(fp, 0);
	return asprintf(body, "{\"POWER1\":\"%s\"}", fp->on ? "ON" : "OFF") < 0 ? 500 : 200;
}

static int hue(struct fake_plug *fp, const struct hil_httpfix_req *req, char **body)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "/api/%s/", HUE_USER);
	if (strncmp(req->path, prefix, strlen(prefix))) {
		*body = strdup("[{\"error\":{\"type\":1,\"address\":\"/\","
			       "\"description\":\"unauthorized user\"}}]");
		return 200;
	}
	if (!strcmp(req->path + strlen(prefix), "lights/1/state") && !strcmp(req->method, "PUT")) {
		struct json_object *j = json_tokener_parse(req->body), *on;

		if (!j || !json_object_object_get_ex(j, "on", &on)) {
			json_object_put(j);
			*body = strdup("[{\"error\":{\"type\":2,\"address\":\"/lights/1/state\","
				       "\"description\":\"body contains invalid json\"}}]");
			return 200;
		}
		apply(fp, json_object_get_boolean(on));
		json_object_put(j);
		return asprintf(body, "[{\"success\":{\"/lights/1/state/on\":%s}}]",
				fp->on ? "true" : "false") < 0 ? 500 : 200;
	}
	if (!strcmp(req->path + strlen(prefix), "lights/1"))
		return asprintf(body, "{\"state\":{\"on\":%s,\"bri\":254,\"reachable\":true},"
				"\"type\":\"On/Off plug-in unit\",\"name\":\"router\"}",
				fp->on ? "true" : "false") < 0 ? 500 : 200;
	*body = strdup("[{\"error\":{\"type\":3,\"address\":\"/lights/7\","
		       "\"description\":\"resource, /lights/7, not available\"}}]");
	return 200;
}

static int device(void *arg, const struct hil_httpfix_req *req, char **body)
{
	struct fake_plug *fp = arg;

	if (fp->fail_first > 0) {
		fp->fail_first--;
		*body = strdup("busy");
		return 503;
	}
	if (!strncmp(req->path, "/rpc/", 5))
		return shelly_gen2(fp, req, body);
	if (!strncmp(req->path, "/relay/", 7))
		return shelly_gen1(fp, req, body);
	if (!strcmp(req->path, "/cm"))
		return tasmota(fp, req, body);
	return hue(fp, req, body);
}

static struct hil_httpfix srv;
static struct fake_plug fake;

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	hil_httpfix_start(&srv, device, &fake);
}

static void teardown(void)
{
	hil_httpfix_stop(&srv);
}

static struct hil_plug *plug(const char *type, const char *id, const char *user, const char *secret)
{
	char *err = NULL;
	struct hil_plug *p = hil_plug_new(type, srv.base, id, user, secret, &err);

	ck_assert_msg(p != NULL, "hil_plug_new: %s", err ? err : "");
	ck_assert_str_eq(type, hil_plug_type(p));
	return p;
}

START_TEST(test_plug_shelly_gen2_set_and_read_back)
{
	struct hil_plug *p = plug("shelly-gen2", NULL, NULL, NULL);
	char *err = NULL, *line;
	int on = -1;

	ck_assert_int_eq(0, hil_plug_set(p, 1, &err));
	ck_assert_int_eq(1, fake.on);
	line = hil_httpfix_last(&srv, "line");
	ck_assert_str_eq("GET /rpc/Switch.GetStatus?id=0", line);	/* read back after set */
	free(line);
	ck_assert_int_eq(0, hil_plug_get(p, &on, &err));
	ck_assert_int_eq(1, on);
	ck_assert_int_eq(0, hil_plug_set(p, 0, &err));
	ck_assert_int_eq(0, fake.on);
	ck_assert_int_eq(0, hil_plug_get(p, &on, &err));
	ck_assert_int_eq(0, on);
	ck_assert_int_eq(2, fake.sets);
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_shelly_gen2_error_object)
{
	struct hil_plug *p = plug("shelly-gen2", "1", NULL, NULL);
	char *err = NULL;
	int on;

	ck_assert_int_eq(-ENOENT, hil_plug_set(p, 1, &err));
	ck_assert_ptr_nonnull(strstr(err, "value 1 not found"));
	ck_assert_ptr_nonnull(strstr(err, "-105"));
	free(err);
	err = NULL;
	ck_assert_int_eq(-ENOENT, hil_plug_get(p, &on, &err));
	free(err);
	ck_assert_int_eq(0, fake.sets);
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_read_back_mismatch)
{
	struct hil_plug *p = plug("shelly-gen2", NULL, NULL, NULL);
	char *err = NULL;

	fake.stuck = 1;
	ck_assert_int_eq(-EIO, hil_plug_set(p, 1, &err));
	ck_assert_ptr_nonnull(strstr(err, "reads back off"));
	ck_assert_int_eq(1, fake.sets);
	free(err);
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_retries_transient_errors)
{
	struct hil_plug *p = plug("shelly-gen2", NULL, NULL, NULL);
	char *err = NULL;

	fake.fail_first = 2;
	ck_assert_int_eq(0, hil_plug_set(p, 1, &err));
	ck_assert_int_eq(1, fake.on);
	ck_assert_int_eq(4, hil_httpfix_count(&srv));	/* 2x 503, set, read back */
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_shelly_gen1)
{
	struct hil_plug *p = plug("shelly-gen1", NULL, NULL, NULL);
	char *err = NULL, *line;
	int on = -1;

	ck_assert_int_eq(0, hil_plug_set(p, 1, &err));
	ck_assert_int_eq(1, fake.on);
	ck_assert_int_eq(0, hil_plug_get(p, &on, &err));
	ck_assert_int_eq(1, on);
	ck_assert_int_eq(0, hil_plug_set(p, 0, &err));
	ck_assert_int_eq(0, fake.on);
	line = hil_httpfix_last(&srv, "line");
	ck_assert_str_eq("GET /relay/0", line);
	free(line);
	hil_plug_free(p);

	fake.need_auth = 1;
	p = plug("shelly-gen1", NULL, "admin", "g1 p@ss");
	ck_assert_int_eq(0, hil_plug_set(p, 1, &err));
	ck_assert_int_eq(1, fake.on);
	hil_plug_free(p);
	p = plug("shelly-gen1", NULL, "admin", "wrong-pw");
	ck_assert_int_eq(-EACCES, hil_plug_set(p, 0, &err));
	ck_assert_ptr_null(strstr(err, "wrong-pw"));
	free(err);
	err = NULL;
	ck_assert_int_eq(1, fake.on);
	hil_plug_free(p);
	fake.need_auth = 0;

	p = plug("shelly-gen1", "3", NULL, NULL);
	ck_assert_int_eq(-ENOENT, hil_plug_get(p, &on, &err));
	free(err);
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_tasmota)
{
	struct hil_plug *p = plug("tasmota", NULL, "admin", "tas&pw");
	char *err = NULL;
	int on = -1;

	ck_assert_int_eq(0, hil_plug_set(p, 1, &err));
	ck_assert_int_eq(1, fake.on);
	ck_assert_int_eq(0, hil_plug_get(p, &on, &err));
	ck_assert_int_eq(1, on);
	ck_assert_int_eq(0, hil_plug_set(p, 0, &err));
	ck_assert_int_eq(0, fake.on);
	hil_plug_free(p);

	/* Wrong password: Tasmota answers 200 with a WARNING. */
	p = plug("tasmota", NULL, "admin", "wrong-pass");
	ck_assert_int_eq(-EACCES, hil_plug_set(p, 1, &err));
	ck_assert_ptr_nonnull(strstr(err, "Need user="));
	ck_assert_ptr_null(strstr(err, "wrong-pass"));
	free(err);
	ck_assert_int_eq(0, fake.on);
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_hue)
{
	struct hil_plug *p = plug("hue", NULL, NULL, HUE_USER);
	char *err = NULL, *s;
	int on = -1;

	ck_assert_int_eq(0, hil_plug_set(p, 1, &err));
	ck_assert_int_eq(1, fake.on);
	s = hil_httpfix_last(&srv, "line");
	ck_assert_str_eq("GET /api/" HUE_USER "/lights/1", s);
	free(s);
	ck_assert_int_eq(0, hil_plug_get(p, &on, &err));
	ck_assert_int_eq(1, on);
	ck_assert_int_eq(0, hil_plug_set(p, 0, &err));
	ck_assert_int_eq(0, fake.on);
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_hue_error_in_200)
{
	struct hil_plug *p = plug("hue", NULL, NULL, "not-the-user");
	char *err = NULL;
	int on;

	ck_assert_int_eq(-EACCES, hil_plug_set(p, 1, &err));
	ck_assert_ptr_nonnull(strstr(err, "unauthorized user"));
	ck_assert_ptr_null(strstr(err, "not-the-user"));
	free(err);
	err = NULL;
	ck_assert_int_eq(-EACCES, hil_plug_get(p, &on, &err));
	free(err);
	err = NULL;
	ck_assert_int_eq(0, fake.sets);
	hil_plug_free(p);

	p = plug("hue", "7", NULL, HUE_USER);
	ck_assert_int_eq(-ENOENT, hil_plug_get(p, &on, &err));
	ck_assert_ptr_nonnull(strstr(err, "not available"));
	free(err);
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_unreachable_and_silent)
{
	char url[64], *err = NULL;
	struct hil_plug *p;
	int port, fd, on;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", hil_sshfix_free_port());
	p = hil_plug_new("shelly-gen2", url, NULL, NULL, NULL, &err);
	ck_assert_int_eq(-ECONNREFUSED, hil_plug_set(p, 1, &err));
	ck_assert_ptr_nonnull(strstr(err, "failed to switch plug"));
	free(err);
	err = NULL;
	hil_plug_free(p);

	fd = hil_httpfix_silent(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	p = hil_plug_new("hue", url, NULL, NULL, "secret-hue-user", &err);
	ck_assert_int_eq(-ETIMEDOUT, hil_plug_get(p, &on, &err));
	ck_assert_ptr_null(strstr(err, "secret-hue-user"));
	free(err);
	hil_plug_free(p);
	close(fd);
}
END_TEST

/* A plug that stops answering is broken after HIL_PLUG_BROKEN_AFTER calls: reads fail at
 * once without a request, a switch is still tried (teardown), an answer clears it. */
START_TEST(test_plug_broken_latch)
{
	char url[64], *err = NULL;
	int on, port = hil_sshfix_free_port();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	struct hil_plug *p = hil_plug_new("shelly-gen2", url, NULL, NULL, NULL, &err);
	for (int i = 0; i < HIL_PLUG_BROKEN_AFTER; i++) {
		ck_assert(!hil_plug_broken(p));
		ck_assert_int_eq(-ECONNREFUSED, hil_plug_get(p, &on, &err));
		free(err), err = NULL;
	}
	ck_assert(hil_plug_broken(p));
	ck_assert_int_eq(-EIO, hil_plug_get(p, &on, &err));
	ck_assert_ptr_nonnull(strstr(err, "plug broken: shelly-gen2 plug"));
	ck_assert_ptr_nonnull(strstr(err, "no answer to 3 requests in a row (last: "));
	free(err), err = NULL;
	ck_assert_int_eq(-ECONNREFUSED, hil_plug_set(p, 1, &err)); /* tried, not latched */
	free(err), err = NULL;
	hil_plug_free(p);

	/* a plug that answers, even with errors, is slow or unwell but not broken */
	p = plug("shelly-gen2", NULL, NULL, NULL);
	fake.fail_first = 100;
	for (int i = 0; i < 2 * HIL_PLUG_BROKEN_AFTER; i++) {
		ck_assert_int_lt(hil_plug_get(p, &on, &err), 0);
		free(err), err = NULL;
	}
	ck_assert(!hil_plug_broken(p));
	hil_plug_free(p);
}
END_TEST

START_TEST(test_plug_new_rejects_bad_input)
{
	char *err = NULL;

	errno = 0;
	ck_assert_ptr_null(hil_plug_new("zigbee", "http://127.0.0.1:1", NULL, NULL, NULL, &err));
	ck_assert_int_eq(EINVAL, errno);
	ck_assert_ptr_nonnull(strstr(err, "unknown plug type"));
	free(err);
	err = NULL;
	ck_assert_ptr_null(hil_plug_new("hue", "http://127.0.0.1:1", NULL, NULL, NULL, &err));
	free(err);
	hil_plug_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("plug");
	TCase *tc = tcase_create("fake-devices");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_plug_shelly_gen2_set_and_read_back);
	tcase_add_test(tc, test_plug_shelly_gen2_error_object);
	tcase_add_test(tc, test_plug_read_back_mismatch);
	tcase_add_test(tc, test_plug_retries_transient_errors);
	tcase_add_test(tc, test_plug_shelly_gen1);
	tcase_add_test(tc, test_plug_tasmota);
	tcase_add_test(tc, test_plug_hue);
	tcase_add_test(tc, test_plug_hue_error_in_200);
	tcase_add_test(tc, test_plug_unreachable_and_silent);
	tcase_add_test(tc, test_plug_broken_latch);
	tcase_add_test(tc, test_plug_new_rejects_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
