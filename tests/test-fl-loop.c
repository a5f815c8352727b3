/* The fake lab's loop: virtual time, timer order, busy gating, HTTP serving. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/httpd.h"
#include "testutil.h"
#include "core/loop.h"

struct record {
	struct fl_loop *loop;
	char log[256];
};

static void note(struct record *r, const char *what)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s@%lld ", what, (long long)fl_loop_now(r->loop));
	strncat(r->log, buf, sizeof(r->log) - strlen(r->log) - 1);
}

static struct record rec;
static void tick_a(void *arg) { note(&rec, "a"); }
static void tick_b(void *arg) { note(&rec, "b"); }
static void tick_c(void *arg) { note(&rec, "c"); }

START_TEST(test_loop_timers_fire_in_time_then_insertion_order)
{
	struct fl_loop *loop = fl_loop_new(1000);
	memset(&rec, 0, sizeof(rec));
	rec.loop = loop;
	fl_timer_add(loop, 3000, tick_c, NULL);
	fl_timer_add(loop, 2000, tick_a, NULL);
	fl_timer_add(loop, 2000, tick_b, NULL);
	uint64_t gone = fl_timer_add(loop, 2500, tick_c, NULL);
	fl_timer_cancel(loop, gone);
	ck_assert_int_eq(0, fl_loop_advance_to(loop, 2500, 5000));
	ck_assert_str_eq("a@2000 b@2000 ", rec.log);
	ck_assert_int_eq(2500, fl_loop_now(loop));
	ck_assert_int_eq(-EINVAL, fl_loop_request_advance(loop, 100, NULL, NULL));
	ck_assert_int_eq(0, fl_loop_advance_to(loop, 5000, 5000));
	ck_assert_str_eq("a@2000 b@2000 c@3000 ", rec.log);
	fl_loop_free(loop);
}
END_TEST

static int child_status = -1;
static void child_done(void *arg, int status)
{
	child_status = status;
	note(&rec, "child");
}

static void spawn_sleeper(void *arg)
{
	static char *const argv[] = { "/bin/sh", "-c", "sleep 0.2; exit 7", NULL };
	struct fl_spawn spec = { .argv = argv };
	note(&rec, "spawn");
	ck_assert_int_gt(fl_child_spawn(rec.loop, &spec, child_done, NULL), 0);
}

START_TEST(test_loop_busy_child_holds_the_clock)
{
	struct fl_loop *loop = fl_loop_new(0);
	memset(&rec, 0, sizeof(rec));
	rec.loop = loop;
	fl_timer_add(loop, 1000, spawn_sleeper, NULL);
	fl_timer_add(loop, 1000, tick_a, NULL);
	fl_timer_add(loop, 2000, tick_b, NULL);
	ck_assert_int_eq(0, fl_loop_advance_to(loop, 3000, 5000));
	/* the second timer of the same instant waits for the child */
	ck_assert_str_eq("spawn@1000 child@1000 a@1000 b@2000 ", rec.log);
	ck_assert(WIFEXITED(child_status));
	ck_assert_int_eq(7, WEXITSTATUS(child_status));
	fl_loop_free(loop);
}
END_TEST

static struct fl_httpd *suspended_server;
static struct MHD_Connection *suspended_conn;

static int handler(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	if (strcmp(req->path, "/later") == 0) {
		suspended_conn = req->conn;
		resp->suspend = 1;
		return 0;
	}
	if (!fl_http_bearer_ok(req, "s3cret")) {
		fl_http_reply(resp, 401, "{\"message\":\"401: Unauthorized\"}");
		return 0;
	}
	const char *q = fl_http_query(req, "x");
	fl_http_replyf(resp, 200, "{\"method\":\"%s\",\"x\":\"%s\",\"body\":\"%s\"}", req->method,
		       q ? q : "", req->body);
	return 0;
}

static void resume_later(void *arg)
{
	struct fl_http_resp resp = { 0 };
	fl_http_reply(&resp, 200, "{\"late\":true}");
	fl_httpd_resume(suspended_server, suspended_conn, &resp);
}

static void run_curl(struct fl_loop *loop, const char *out, const char *const *args)
{
	char *argv[16] = { R4HIL_CURL, "-s", "-o", (char *)out, "-w", "%{http_code}" };
	int i = 6;
	for (; *args; args++)
		argv[i++] = (char *)*args;
	argv[i] = NULL;
	struct fl_spawn spec = { .argv = argv, .stdout_path = NULL };
	child_status = -1;
	ck_assert_int_gt(fl_child_spawn(loop, &spec, child_done, NULL), 0);
	ck_assert_int_eq(0, fl_loop_settle(loop, 10000));
	ck_assert(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);
}

START_TEST(test_httpd_serves_requests_from_children)
{
	char *dir = hil_test_tmpdir("httpd");
	char out[512], url[128];
	snprintf(out, sizeof(out), "%s/out", dir);
	struct fl_loop *loop = fl_loop_new(0);
	memset(&rec, 0, sizeof(rec));
	rec.loop = loop;
	struct fl_httpd *h = fl_httpd_start(loop, "test", 0, handler, NULL);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_gt(fl_httpd_port(h), 0);

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/p?x=a%%20b", fl_httpd_port(h));
	const char *authed[] = { "-H", "Authorization: Bearer s3cret", "-d", "hello", url, NULL };
	run_curl(loop, out, authed);
	char *body = hil_test_read_file(out);
	ck_assert_str_eq("{\"method\":\"POST\",\"x\":\"a b\",\"body\":\"hello\"}", body);
	free(body);

	unlink(out);
	const char *anon[] = { url, NULL };
	run_curl(loop, out, anon);
	body = hil_test_read_file(out);
	ck_assert_str_eq("{\"message\":\"401: Unauthorized\"}", body);
	free(body);

	/* a suspended request is answered once the loop resumes it */
	unlink(out);
	suspended_server = h;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/later", fl_httpd_port(h));
	fl_timer_add(loop, 500, resume_later, NULL);
	static char *argv[8];
	argv[0] = R4HIL_CURL, argv[1] = "-s", argv[2] = "-o", argv[3] = out, argv[4] = url, argv[5] = NULL;
	struct fl_spawn spec = { .argv = argv };
	ck_assert_int_gt(fl_child_spawn(loop, &spec, child_done, NULL), 0);
	/* the curl child keeps the loop busy, so release it by hand: resume first */
	for (int i = 0; i < 50 && !suspended_conn; i++)
		fl_loop_iterate(loop, 20);
	ck_assert_ptr_nonnull(suspended_conn);
	resume_later(NULL);
	ck_assert_int_eq(0, fl_loop_settle(loop, 10000));
	body = hil_test_read_file(out);
	ck_assert_str_eq("{\"late\":true}", body);
	free(body);

	fl_httpd_stop(h);
	fl_loop_free(loop);
	free(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fl_loop");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_loop_timers_fire_in_time_then_insertion_order);
	tcase_add_test(tc, test_loop_busy_child_holds_the_clock);
	tcase_add_test(tc, test_httpd_serves_requests_from_children);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
