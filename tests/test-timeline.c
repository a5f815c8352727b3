#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/timeline.h"
#include "testutil.h"

START_TEST(test_timeline_orders_out_of_order_events_stably)
{
	struct hil_timeline *tl = hil_timeline_new();

	ck_assert_int_eq(0, hil_timeline_add(tl, 3000, "plug", "plug", "off", NULL));
	ck_assert_int_eq(0, hil_timeline_add(tl, 1000, "ha", "sensor.a", "1", NULL));
	ck_assert_int_eq(0, hil_timeline_add(tl, 3000, "ha", "sensor.a", "2", NULL));
	ck_assert_int_eq(0, hil_timeline_add(tl, 2000, "ha", "sensor.b", NULL, "{ \"x\" : [1, 2] }"));
	ck_assert_uint_eq(4, hil_timeline_count(tl));
	ck_assert_int_eq(1000, hil_timeline_get(tl, 0)->t_ms);
	ck_assert_str_eq("sensor.b", hil_timeline_get(tl, 1)->subject);
	ck_assert_str_eq("", hil_timeline_get(tl, 1)->value);
	ck_assert_str_eq("{\"x\":[1,2]}", hil_timeline_get(tl, 1)->detail);
	/* equal times keep arrival order */
	ck_assert_str_eq("plug", hil_timeline_get(tl, 2)->subject);
	ck_assert_str_eq("sensor.a", hil_timeline_get(tl, 3)->subject);
	ck_assert_ptr_null(hil_timeline_get(tl, 4));
	ck_assert_int_eq(-EINVAL, hil_timeline_add(tl, 0, "ha", "x", "1", "{not json"));
	ck_assert_int_eq(-EINVAL, hil_timeline_add(tl, 0, NULL, "x", "1", NULL));
	ck_assert_uint_eq(4, hil_timeline_count(tl));
	hil_timeline_free(tl);
	hil_timeline_free(NULL);
}
END_TEST

START_TEST(test_timeline_marks_are_events)
{
	struct hil_timeline *tl = hil_timeline_new();
	int64_t t = -1;

	ck_assert_int_eq(0, hil_timeline_mark(tl, "start", 0));
	ck_assert_int_eq(0, hil_timeline_mark(tl, "storm", 61000));
	ck_assert_int_eq(0, hil_timeline_mark(tl, "storm", 90000));
	ck_assert_int_eq(0, hil_timeline_mark_time(tl, "storm", &t));
	ck_assert_int_eq(61000, t);
	ck_assert_int_eq(-ENOENT, hil_timeline_mark_time(tl, "end", &t));
	ck_assert_int_eq(61000, t);
	ck_assert_str_eq("harness", hil_timeline_get(tl, 1)->source);
	ck_assert_str_eq("mark", hil_timeline_get(tl, 1)->subject);
	ck_assert_str_eq("storm", hil_timeline_get(tl, 1)->value);
	hil_timeline_free(tl);
}
END_TEST

START_TEST(test_timeline_gaps_overlap_closed_intervals)
{
	struct hil_timeline *tl = hil_timeline_new();
	int64_t f = 0, t = 0;

	ck_assert_int_eq(0, hil_timeline_add_gap(tl, "ha", 10000, 55000));
	ck_assert_int_eq(-EINVAL, hil_timeline_add_gap(tl, "ha", 5, 4));
	ck_assert_uint_eq(1, hil_timeline_count(tl));
	ck_assert_str_eq("gap", hil_timeline_get(tl, 0)->subject);
	ck_assert_str_eq("45s", hil_timeline_get(tl, 0)->value);
	ck_assert_int_eq(1, hil_timeline_gap_overlaps(tl, "ha", 55000, 60000, &f, &t));
	ck_assert_int_eq(10000, f);
	ck_assert_int_eq(55000, t);
	ck_assert_int_eq(1, hil_timeline_gap_overlaps(tl, "ha", 0, 10000, NULL, NULL));
	ck_assert_int_eq(0, hil_timeline_gap_overlaps(tl, "ha", 55001, 60000, NULL, NULL));
	ck_assert_int_eq(0, hil_timeline_gap_overlaps(tl, "plug", 0, 60000, NULL, NULL));
	hil_timeline_free(tl);
}
END_TEST

/* A poller failing again since its last good poll grows one gap, which keeps what the lab answered. */
START_TEST(test_timeline_gap_grows_and_says_why)
{
	struct hil_timeline *tl = hil_timeline_new();
	struct hil_gap g;
	size_t pos = 0;

	ck_assert_int_eq(0, hil_timeline_add_gap_why(tl, "ha", 10000, 20000, "HA answered 401"));
	ck_assert_int_eq(0, hil_timeline_add_gap_why(tl, "ha", 10000, 70000, "HA did not answer in time"));
	ck_assert_int_eq(0, hil_timeline_add_gap_why(tl, "plug", 10000, 30000, NULL));
	ck_assert_uint_eq(2, hil_timeline_count(tl));
	ck_assert_str_eq("1m", hil_timeline_get(tl, 0)->value);
	ck_assert_str_eq("{\"from\":10000,\"to\":70000,\"why\":\"HA answered 401\"}", hil_timeline_get(tl, 0)->detail);
	ck_assert_str_eq("{\"from\":10000,\"to\":30000}", hil_timeline_get(tl, 1)->detail);
	ck_assert_int_eq(1, hil_timeline_gap_next(tl, "ha", 65000, 90000, &pos, &g));
	ck_assert_int_eq(70000, g.to_ms);
	ck_assert_str_eq("HA answered 401", g.why);
	ck_assert_int_eq(0, hil_timeline_gap_next(tl, "ha", 65000, 90000, &pos, &g));
	pos = 0;
	ck_assert_int_eq(1, hil_timeline_gap_next(tl, "plug", 0, 10000, &pos, &g));
	ck_assert_ptr_null(g.why);
	hil_timeline_free(tl);
}
END_TEST

START_TEST(test_timeline_jsonl_round_trip)
{
	char *dir = hil_test_tmpdir("timeline"), *path, *text, *err = NULL;
	struct hil_timeline *tl = hil_timeline_new(), *back = NULL;
	FILE *f;

	ck_assert_int_eq(0, asprintf(&path, "%s/timeline.jsonl", dir) < 0);
	hil_timeline_mark(tl, "start", 0);
	hil_timeline_add(tl, 190000, "ha", "sensor.bpi_r4_sfp1_txfault_rate", "108000",
			 "{\"last_changed\":\"2026-01-01T00:03:10.123456+00:00\"}");
	hil_timeline_add(tl, 200000, "plug", "plug", "a \"quoted\"\nvalue", NULL);
	hil_timeline_add_gap(tl, "router", 100000, 130000);
	hil_timeline_add_gap_why(tl, "ha", 100000, 110000, "HA answered 401");
	f = fopen(path, "w");
	ck_assert_int_eq(0, hil_timeline_write_jsonl(tl, f, "storm-down", 1767225600000LL));
	/* a line of another scenario in the same file is filtered out */
	fputs("{\"t\":5,\"scenario\":\"other\",\"source\":\"ha\",\"subject\":\"x\",\"value\":\"1\"}\n", f);
	fclose(f);

	text = hil_test_read_file(path);
	ck_assert_ptr_nonnull(strstr(text, "{\"t\":190000,\"at\":\"2026-01-01T00:03:10.000Z\","
				     "\"scenario\":\"storm-down\",\"source\":\"ha\","
				     "\"subject\":\"sensor.bpi_r4_sfp1_txfault_rate\",\"value\":\"108000\","
				     "\"detail\":{\"last_changed\":\"2026-01-01T00:03:10.123456+00:00\"}}\n"));
	ck_assert_ptr_nonnull(strstr(text, "\"value\":\"a \\\"quoted\\\"\\nvalue\"}"));

	ck_assert_int_eq(0, hil_timeline_read_jsonl(path, "storm-down", &back, &err));
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(hil_timeline_count(tl), hil_timeline_count(back));
	for (size_t i = 0; i < hil_timeline_count(tl); i++) {
		const struct hil_event *a = hil_timeline_get(tl, i), *b = hil_timeline_get(back, i);

		ck_assert_int_eq(a->t_ms, b->t_ms);
		ck_assert_str_eq(a->source, b->source);
		ck_assert_str_eq(a->subject, b->subject);
		ck_assert_str_eq(a->value, b->value);
		ck_assert_str_eq(a->detail ? a->detail : "-", b->detail ? b->detail : "-");
	}
	ck_assert_int_eq(1, hil_timeline_gap_overlaps(back, "router", 120000, 120000, NULL, NULL));
	struct hil_gap g;
	size_t pos = 0;
	ck_assert_int_eq(1, hil_timeline_gap_next(back, "ha", 0, 200000, &pos, &g));
	ck_assert_str_eq("HA answered 401", g.why);
	hil_timeline_free(back);

	ck_assert_int_eq(0, hil_timeline_read_jsonl(path, NULL, &back, NULL));
	ck_assert_uint_eq(hil_timeline_count(tl) + 1, hil_timeline_count(back));
	hil_timeline_free(back);
	free(text);
	hil_timeline_free(tl);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_timeline_read_reports_bad_line)
{
	char *dir = hil_test_tmpdir("timeline"), *path, *err = NULL, *want;
	struct hil_timeline *tl = (void *)1;

	ck_assert_int_eq(0, asprintf(&path, "%s/bad.jsonl", dir) < 0);
	hil_test_write_file(path, "{\"t\":1,\"source\":\"ha\",\"subject\":\"x\",\"value\":\"1\"}\n\n"
				  "{\"t\":\"2\",\"source\":\"ha\",\"subject\":\"x\",\"value\":\"1\"}\n");
	ck_assert_int_eq(-EINVAL, hil_timeline_read_jsonl(path, NULL, &tl, &err));
	ck_assert_ptr_null(tl);
	ck_assert_int_eq(0, asprintf(&want, "%s:3: expected integer \"t\"", path) < 0);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "got: %s", err);
	free(err);
	free(want);
	ck_assert_int_eq(-ENOENT, hil_timeline_read_jsonl("/nonexistent/x.jsonl", NULL, &tl, &err));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	free(err);
	free(path);
	free(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("timeline");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_timeline_orders_out_of_order_events_stably);
	tcase_add_test(tc, test_timeline_marks_are_events);
	tcase_add_test(tc, test_timeline_gaps_overlap_closed_intervals);
	tcase_add_test(tc, test_timeline_gap_grows_and_says_why);
	tcase_add_test(tc, test_timeline_jsonl_round_trip);
	tcase_add_test(tc, test_timeline_read_reports_bad_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
