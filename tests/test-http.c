#include "httpfixture.h"
#include "sshfixture.h"
#include "testutil.h"

#include "r4hil/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Echo server: GET /status/<n> answers n, everything else echoes the body. */
static int echo(void *arg, const struct hil_httpfix_req *req, char **body)
{
	int *fail_first = arg;

	if (!strncmp(req->path, "/status/", 8)) {
		*body = strdup("{\"message\":\"as asked\"}");
		return atoi(req->path + 8);
	}
	if (!strcmp(req->path, "/flaky") && fail_first && *fail_first > 0) {
		(*fail_first)--;
		*body = strdup("busy");
		return 503;
	}
	if (asprintf(body, "{\"method\":\"%s\",\"body\":%s}", req->method,
		     req->body[0] ? req->body : "null") < 0)
		*body = NULL;
	return 200;
}

START_TEST(test_http_get_sends_bearer)
{
	struct hil_httpfix f;
	struct hil_http_resp resp;
	char url[128], *err = NULL, *s;

	hil_httpfix_start(&f, echo, NULL);
	snprintf(url, sizeof(url), "%s/api/x?a=1", f.base);
	ck_assert_int_eq(0, hil_http_request("GET", url, "tok123", NULL, 2000, &resp, &err));
	ck_assert_int_eq(200, resp.status);
	ck_assert_str_eq("{\"method\":\"GET\",\"body\":null}", resp.body);
	ck_assert_uint_eq(strlen(resp.body), resp.len);
	s = hil_httpfix_last(&f, "auth");
	ck_assert_str_eq("Bearer tok123", s);
	free(s);
	s = hil_httpfix_last(&f, "line");
	ck_assert_str_eq("GET /api/x?a=1", s);
	free(s);
	hil_http_resp_free(&resp);

	/* No token: no Authorization header at all. */
	ck_assert_int_eq(0, hil_http_request("GET", url, NULL, NULL, 2000, &resp, &err));
	s = hil_httpfix_last(&f, "auth");
	ck_assert_str_eq("", s);
	free(s);
	hil_http_resp_free(&resp);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_http_post_json_body)
{
	struct hil_httpfix f;
	struct hil_http_resp resp;
	char url[128], *err = NULL, *s;

	hil_httpfix_start(&f, echo, NULL);
	snprintf(url, sizeof(url), "%s/api/services/switch/turn_off", f.base);
	ck_assert_int_eq(0, hil_http_request("POST", url, "t", "{\"entity_id\":\"switch.p\"}",
					     2000, &resp, &err));
	ck_assert_int_eq(200, resp.status);
	ck_assert_str_eq("{\"method\":\"POST\",\"body\":{\"entity_id\":\"switch.p\"}}", resp.body);
	s = hil_httpfix_last(&f, "ctype");
	ck_assert_str_eq("application/json", s);
	free(s);
	hil_http_resp_free(&resp);

	ck_assert_int_eq(0, hil_http_request("PUT", url, NULL, "{\"on\":true}", 2000, &resp, &err));
	ck_assert_str_eq("{\"method\":\"PUT\",\"body\":{\"on\":true}}", resp.body);
	hil_http_resp_free(&resp);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_http_error_status_is_an_answer)
{
	struct hil_httpfix f;
	struct hil_http_resp resp;
	char url[128], *err = NULL;

	hil_httpfix_start(&f, echo, NULL);
	snprintf(url, sizeof(url), "%s/status/401", f.base);
	ck_assert_int_eq(0, hil_http_request("GET", url, "t", NULL, 2000, &resp, &err));
	ck_assert_int_eq(401, resp.status);
	ck_assert_str_eq("{\"message\":\"as asked\"}", resp.body);
	hil_http_resp_free(&resp);
	ck_assert_ptr_null(err);
	hil_httpfix_stop(&f);
}
END_TEST

START_TEST(test_http_connection_refused)
{
	struct hil_http_resp resp;
	char url[128], *err = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/", hil_sshfix_free_port());
	ck_assert_int_eq(-ECONNREFUSED, hil_http_request("GET", url, "secret-token", NULL,
							 2000, &resp, &err));
	ck_assert_ptr_nonnull(strstr(err, "failed to GET: "));
	ck_assert_ptr_nonnull(strstr(err, url));
	ck_assert_ptr_null(strstr(err, "secret-token"));
	ck_assert_ptr_null(resp.body);
	free(err);
}
END_TEST

START_TEST(test_http_timeout_silent_server)
{
	struct hil_http_resp resp;
	char url[128], *err = NULL;
	int port, fd = hil_httpfix_silent(&port);
	int64_t t0 = mono_ms();

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/", port);
	ck_assert_int_eq(-ETIMEDOUT, hil_http_request("POST", url, "secret-token", "{}",
						      300, &resp, &err));
	ck_assert_int_lt(mono_ms() - t0, 1500);
	ck_assert_int_ge(mono_ms() - t0, 250);
	ck_assert_ptr_nonnull(strstr(err, "failed to POST"));
	ck_assert_ptr_null(strstr(err, "secret-token"));
	free(err);
	close(fd);
}
END_TEST

START_TEST(test_http_password_redacted)
{
	struct hil_http_resp resp;
	char url[160], *err = NULL;

	snprintf(url, sizeof(url), "http://admin:pw1@127.0.0.1:%d/cm?cmnd=Power&password=hunter2&x=1",
		 hil_sshfix_free_port());
	ck_assert_int_lt(hil_http_request("GET", url, NULL, NULL, 1000, &resp, &err), 0);
	ck_assert_ptr_null(strstr(err, "hunter2"));
	ck_assert_ptr_null(strstr(err, "pw1"));
	ck_assert_ptr_nonnull(strstr(err, "password=***&x=1"));
	free(err);
}
END_TEST

START_TEST(test_http_retry_bounded)
{
	struct hil_httpfix f;
	struct hil_http_resp resp;
	int fail_first = 2;
	char url[128], *err = NULL;

	hil_httpfix_start(&f, echo, &fail_first);
	snprintf(url, sizeof(url), "%s/flaky", f.base);
	ck_assert_int_eq(0, hil_http_get_retry(url, NULL, 2000, 3, &resp, &err));
	ck_assert_int_eq(200, resp.status);
	ck_assert_int_eq(3, hil_httpfix_count(&f));
	hil_http_resp_free(&resp);

	/* Out of attempts: the last 503 is handed back, not hidden. */
	fail_first = 5;
	ck_assert_int_eq(0, hil_http_get_retry(url, NULL, 2000, 2, &resp, &err));
	ck_assert_int_eq(503, resp.status);
	ck_assert_int_eq(5, hil_httpfix_count(&f));
	hil_http_resp_free(&resp);

	/* 4xx is an answer: no retry. */
	snprintf(url, sizeof(url), "%s/status/404", f.base);
	ck_assert_int_eq(0, hil_http_get_retry(url, NULL, 2000, 3, &resp, &err));
	ck_assert_int_eq(404, resp.status);
	ck_assert_int_eq(6, hil_httpfix_count(&f));
	hil_http_resp_free(&resp);
	hil_httpfix_stop(&f);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", hil_sshfix_free_port());
	ck_assert_int_eq(-ECONNREFUSED, hil_http_get_retry(url, NULL, 500, 3, &resp, &err));
	ck_assert_ptr_nonnull(err);
	free(err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_http_get_sends_bearer);
	tcase_add_test(tc, test_http_post_json_body);
	tcase_add_test(tc, test_http_error_status_is_an_answer);
	tcase_add_test(tc, test_http_connection_refused);
	tcase_add_test(tc, test_http_timeout_silent_server);
	tcase_add_test(tc, test_http_password_redacted);
	tcase_add_test(tc, test_http_retry_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
