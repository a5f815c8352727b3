#include <string.h>

#include "r4hil/expect.h"
#include "testutil.h"

#define S(x) ((x) * 1000LL)
#define M(x) ((x) * 60000LL)

static struct hil_timeline *tl;

/* start 0, storm at 1m, end at 20m; the storm-down story */
static void setup(void)
{
	tl = hil_timeline_new();
	hil_timeline_mark(tl, "start", 0);
	hil_timeline_mark(tl, "storm", M(1));
	hil_timeline_mark(tl, "end", M(20));
	hil_timeline_add(tl, S(30), "ha", "sensor.rate", "2", NULL);
	hil_timeline_add(tl, M(2), "ha", "sensor.rate", "10000", NULL);
	hil_timeline_add(tl, M(3), "ha", "sensor.rate", "108000", NULL);
	hil_timeline_add(tl, M(4), "ha", "sensor.rate", "unavailable", NULL);
	hil_timeline_add(tl, M(3) + S(50), "ha", "automation.storm_down", "triggered", NULL);
	hil_timeline_add(tl, 0, "plug", "plug", "on", NULL);
	hil_timeline_add(tl, M(3) + S(50), "plug", "plug", "off", NULL);
	hil_timeline_add(tl, M(4) + S(5), "plug", "plug", "on", NULL);
	hil_timeline_add(tl, 0, "ha", "sensor.carrier", "1", NULL);
	hil_timeline_add(tl, M(1), "ha", "sensor.carrier", "0", NULL);
	hil_timeline_add(tl, M(8) + S(50), "ha", "sensor.carrier", "1", NULL);
}

static void teardown(void)
{
	hil_timeline_free(tl);
}

static struct hil_expect expect(enum hil_expect_kind kind, const char *subject,
				enum hil_cond_op op, const char *text, double number)
{
	struct hil_expect e = { .id = "x", .requirement = "SFP-1", .kind = kind };

	e.window.from.anchor = "start";
	e.cond = (struct hil_cond){ (char *)subject, op, (char *)text, number };
	return e;
}

static struct hil_verdict run(const struct hil_expect *e)
{
	struct hil_verdict v;

	ck_assert_int_eq(0, hil_expect_eval(e, tl, &v));
	ck_assert_ptr_nonnull(v.message);
	return v;
}

#define ASSERT_VERDICT(v, st, text) do { \
	ck_assert_msg((v).status == (st), "status %s: %s", hil_status_name((v).status), (v).message); \
	ck_assert_str_eq(text, (v).message); \
} while (0)

START_TEST(test_expect_value_pass_and_bound)
{
	struct hil_expect e = expect(HIL_EXPECT_VALUE, "sensor.rate", HIL_COND_ABOVE, NULL, 100000);
	struct hil_verdict v = run(&e);

	ASSERT_VERDICT(v, HIL_PASS, "sensor.rate > 100000 held at start+3m (value 108000) in window start..end");
	ck_assert_uint_eq(1, v.n_evidence);
	ck_assert_str_eq("108000", hil_timeline_get(tl, v.evidence[0])->value);
	hil_verdict_clear(&v);

	/* exactly at the bound: above fails, at_least passes */
	e.window.to = (struct hil_timeref){ "storm", S(90) };
	e.window.has_to = 1;
	e.cond.number = 10000;
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "sensor.rate > 10000 never held in window start..storm+1m30s "
		       "(max seen 10000 at start+2m, 2 events)");
	hil_verdict_clear(&v);
	e.cond.op = HIL_COND_AT_LEAST;
	v = run(&e);
	ck_assert_int_eq(HIL_PASS, v.status);
	hil_verdict_clear(&v);
}
END_TEST

START_TEST(test_expect_event_window_with_offsets_is_closed)
{
	struct hil_expect e = expect(HIL_EXPECT_EVENT, "sensor.rate", HIL_COND_EQUALS, "108000", 0);
	struct hil_verdict v;

	e.window.from = (struct hil_timeref){ "storm", S(30) };
	e.window.has_for = 1;
	e.window.for_ms = S(90); /* storm+30s..storm+2m: the event at storm+2m is inside */
	v = run(&e);
	ASSERT_VERDICT(v, HIL_PASS, "sensor.rate == \"108000\" held at storm+2m (value 108000) in window storm+30s..storm+2m");
	hil_verdict_clear(&v);
	e.window.for_ms = S(90) - 1;
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "sensor.rate == \"108000\" never held in window storm+30s..storm+1m59s999ms "
		       "(last value \"10000\" at storm+1m, 1 event)");
	hil_verdict_clear(&v);
	e.window.from = (struct hil_timeref){ "storm", M(10) };
	e.window.for_ms = M(1);
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "sensor.rate == \"108000\" never held in window storm+10m..storm+11m "
		       "(no event of sensor.rate in the window)");
	ck_assert_uint_eq(0, v.n_evidence);
	hil_verdict_clear(&v);
}
END_TEST

START_TEST(test_expect_numeric_never_matches_unavailable)
{
	struct hil_expect e = expect(HIL_EXPECT_EVENT, "sensor.rate", HIL_COND_BELOW, NULL, 1);
	struct hil_verdict v;

	e.window.from = (struct hil_timeref){ "storm", M(3) };
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "sensor.rate < 1 never held in window storm+3m..end "
		       "(last value \"unavailable\" at storm+3m, 1 event)");
	hil_verdict_clear(&v);
}
END_TEST

START_TEST(test_expect_never_pass_and_fail)
{
	struct hil_expect e = expect(HIL_EXPECT_NEVER, "plug", HIL_COND_EQUALS, "off", 0);
	struct hil_verdict v;

	e.window.has_to = 1;
	e.window.to = (struct hil_timeref){ "storm", M(2) };
	v = run(&e);
	ASSERT_VERDICT(v, HIL_PASS, "plug == \"off\" never held in window start..storm+2m (1 event of plug seen)");
	hil_verdict_clear(&v);
	e.window.has_to = 0;
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "plug == \"off\" held at start+3m50s (value off), 1 time in window start..end "
		       "where it must never hold");
	ck_assert_uint_eq(1, v.n_evidence);
	ck_assert_int_eq(M(3) + S(50), hil_timeline_get(tl, v.evidence[0])->t_ms);
	hil_verdict_clear(&v);
}
END_TEST

START_TEST(test_expect_sustained_bounds)
{
	struct hil_expect e = expect(HIL_EXPECT_SUSTAINED, "plug", HIL_COND_EQUALS, "off", 0);
	struct hil_verdict v;

	e.window.from = (struct hil_timeref){ "storm", M(2) };
	e.has_min = e.has_max = 1;
	e.min_ms = S(10);
	e.max_ms = S(20);
	v = run(&e);
	ASSERT_VERDICT(v, HIL_PASS, "plug == \"off\" held for 15s (allowed 10s..20s) from storm+2m50s");
	ck_assert_uint_eq(2, v.n_evidence);
	hil_verdict_clear(&v);

	e.min_ms = S(15); /* exactly the bound */
	e.max_ms = S(15);
	v = run(&e);
	ck_assert_int_eq(HIL_PASS, v.status);
	hil_verdict_clear(&v);

	e.min_ms = S(16);
	e.max_ms = S(30);
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "plug == \"off\" held for only 15s (allowed 16s..30s) from storm+2m50s to storm+3m5s");
	hil_verdict_clear(&v);

	/* min only, and a stretch that is already holding when the window opens */
	e.cond.text = "on";
	e.has_max = 0;
	e.min_ms = M(2);
	e.window.from = (struct hil_timeref){ "start", 0 };
	v = run(&e);
	ASSERT_VERDICT(v, HIL_PASS, "plug == \"on\" held for 3m50s (required at least 2m) from start");
	hil_verdict_clear(&v);

	/* holding until the end of the recording */
	e.cond = (struct hil_cond){ "sensor.carrier", HIL_COND_EQUALS, "1", 0 };
	e.window.from = (struct hil_timeref){ "storm", M(5) };
	e.has_max = 1;
	e.max_ms = M(5);
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "sensor.carrier == \"1\" held for at least 11m10s (allowed 2m..5m) "
		       "from storm+7m50s to the end of the recording");
	hil_verdict_clear(&v);
}
END_TEST

START_TEST(test_expect_recovery_pass_slow_and_missing_anchor)
{
	struct hil_expect e = { .id = "recovered", .requirement = "HA-STORM-DOWN", .kind = HIL_EXPECT_RECOVERY };
	struct hil_verdict v;

	e.window.from.anchor = "storm";
	e.from = (struct hil_cond){ "automation.storm_down", HIL_COND_EQUALS, "triggered", 0 };
	e.to = (struct hil_cond){ "sensor.carrier", HIL_COND_EQUALS, "1", 0 };
	e.has_min = e.has_max = 1;
	e.min_ms = M(4);
	e.max_ms = M(6);
	v = run(&e);
	ASSERT_VERDICT(v, HIL_PASS, "sensor.carrier == \"1\" held 5m after automation.storm_down == \"triggered\" "
		       "at storm+2m50s (allowed 4m..6m)");
	ck_assert_uint_eq(2, v.n_evidence);
	hil_verdict_clear(&v);

	e.max_ms = M(5) - 1;
	v = run(&e);
	ck_assert_int_eq(HIL_FAIL, v.status);
	ck_assert_ptr_nonnull(strstr(v.message, "held 5m after"));
	ck_assert_ptr_nonnull(strstr(v.message, "(allowed 4m..4m59s999ms)"));
	hil_verdict_clear(&v);

	e.window.has_to = 1;
	e.window.to = (struct hil_timeref){ "storm", M(2) };
	v = run(&e);
	ASSERT_VERDICT(v, HIL_FAIL, "no event automation.storm_down == \"triggered\" in window storm..storm+2m: "
		       "nothing to measure recovery from (allowed 4m..4m59s999ms)");
	hil_verdict_clear(&v);
}
END_TEST

START_TEST(test_expect_gap_turns_fail_into_error)
{
	struct hil_expect e = expect(HIL_EXPECT_NEVER, "plug", HIL_COND_EQUALS, "off", 0);
	struct hil_verdict v;

	hil_timeline_add_gap(tl, "plug", M(5), M(6));
	hil_timeline_add_gap(tl, "ha", M(3), M(4));
	v = run(&e);
	ASSERT_VERDICT(v, HIL_ERROR, "plug was not observed from start+5m to start+6m; cannot tell whether "
		       "plug == \"off\" ever held in window start..end (what was seen: plug == \"off\" held at "
		       "start+3m50s (value off), 1 time in window start..end where it must never hold)");
	ck_assert_uint_eq(2, v.n_evidence);
	ck_assert_str_eq("gap", hil_timeline_get(tl, v.evidence[1])->subject);
	hil_verdict_clear(&v);

	/* a gap outside the window, or a value seen in its window, changes nothing */
	e.window.has_to = 1;
	e.window.to = (struct hil_timeref){ "storm", M(3) };
	v = run(&e);
	ck_assert_int_eq(HIL_FAIL, v.status);
	hil_verdict_clear(&v);
	e = expect(HIL_EXPECT_VALUE, "sensor.rate", HIL_COND_ABOVE, NULL, 1);
	v = run(&e);
	ck_assert_int_eq(HIL_PASS, v.status);
	hil_verdict_clear(&v);
}
END_TEST

/* Issue 17: HA refusing the token all along made a never check pass on "0 events seen". */
START_TEST(test_expect_never_over_a_gap_is_error)
{
	struct hil_expect e = expect(HIL_EXPECT_NEVER, "switch.internet", HIL_COND_EQUALS, "off", 0);
	struct hil_verdict v;

	e.window = (struct hil_window){ .from = { "storm", 0 }, .has_for = 1, .for_ms = M(2) };
	ck_assert_int_eq(0, hil_timeline_add_gap_why(tl, "ha", M(2), M(3), "HA answered 401"));
	ck_assert_int_eq(0, hil_timeline_add_gap_why(tl, "ha", M(2), M(14), "HA answered 401"));
	v = run(&e);
	ASSERT_VERDICT(v, HIL_ERROR, "HA answered 401 from storm+1m to storm+13m; cannot tell whether "
		       "switch.internet == \"off\" ever held in window storm..storm+2m (what was seen: "
		       "switch.internet == \"off\" never held in window storm..storm+2m (0 events of "
		       "switch.internet seen))");
	ck_assert_uint_eq(1, v.n_evidence);
	ck_assert_str_eq("gap", hil_timeline_get(tl, v.evidence[0])->subject);
	hil_verdict_clear(&v);
	/* the window before the gap was watched: a pass */
	e.window.for_ms = S(59);
	v = run(&e);
	ck_assert_int_eq(HIL_PASS, v.status);
	hil_verdict_clear(&v);
}
END_TEST

/* Every kind whose verdict hangs on what a gap hid is an error; an observed event before it is not. */
START_TEST(test_expect_gap_errors_every_kind_it_could_change)
{
	struct hil_expect e = expect(HIL_EXPECT_VALUE, "sensor.rate", HIL_COND_ABOVE, NULL, 100000);
	struct hil_verdict v;

	hil_timeline_add_gap_why(tl, "ha", M(5), M(7), "HA answered 401");
	/* seen at 3m, before the gap: decided */
	v = run(&e);
	ck_assert_int_eq(HIL_PASS, v.status);
	hil_verdict_clear(&v);
	/* never seen, and the gap could hide it */
	e.cond.number = 200000;
	v = run(&e);
	ck_assert_int_eq(HIL_ERROR, v.status);
	ck_assert_ptr_nonnull(strstr(v.message, "HA answered 401 from start+5m to start+7m; cannot tell whether "
					       "sensor.rate > 200000 held in window start..end"));
	hil_verdict_clear(&v);
	/* a stretch still open when the gap began: how long it held is unknown */
	e = expect(HIL_EXPECT_SUSTAINED, "sensor.carrier", HIL_COND_EQUALS, "0", 0);
	e.has_max = 1;
	e.max_ms = M(10);
	v = run(&e);
	ck_assert_int_eq(HIL_ERROR, v.status);
	ck_assert_ptr_nonnull(strstr(v.message, "cannot tell how long sensor.carrier == \"0\" held"));
	hil_verdict_clear(&v);
	/* a recovery whose end may hide in the gap */
	e = expect(HIL_EXPECT_RECOVERY, NULL, HIL_COND_EQUALS, NULL, 0);
	e.from = (struct hil_cond){ "automation.storm_down", HIL_COND_EQUALS, "triggered", 0 };
	e.to = (struct hil_cond){ "sensor.carrier", HIL_COND_EQUALS, "1", 0 };
	e.has_min = 1;
	e.min_ms = M(4);
	v = run(&e);
	ck_assert_int_eq(HIL_ERROR, v.status);
	ck_assert_ptr_nonnull(strstr(v.message, "cannot tell when sensor.carrier == \"1\" held after"));
	hil_verdict_clear(&v);
	/* a gap of another source changes nothing */
	e = expect(HIL_EXPECT_NEVER, "plug", HIL_COND_EQUALS, "unknown", 0);
	v = run(&e);
	ck_assert_int_eq(HIL_PASS, v.status);
	hil_verdict_clear(&v);
}
END_TEST

START_TEST(test_expect_unreached_anchor_is_error)
{
	struct hil_expect e = expect(HIL_EXPECT_VALUE, "sensor.rate", HIL_COND_ABOVE, NULL, 1);
	struct hil_verdict v;

	e.window.from.anchor = "storm-stop";
	v = run(&e);
	ASSERT_VERDICT(v, HIL_ERROR, "the window anchor \"storm-stop\" was never reached (no mark in the timeline)");
	hil_verdict_clear(&v);
	hil_verdict_clear(NULL);
	ck_assert_str_eq("skipped", hil_status_name(HIL_SKIPPED));
	ck_assert_str_eq("ha", hil_subject_source("sensor.x"));
	ck_assert_str_eq("router", hil_subject_source("router.boot"));
	ck_assert_str_eq("plug", hil_subject_source("plug"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("expect");
	TCase *tc = tcase_create("expect");

	tcase_set_timeout(tc, 10);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_expect_value_pass_and_bound);
	tcase_add_test(tc, test_expect_event_window_with_offsets_is_closed);
	tcase_add_test(tc, test_expect_numeric_never_matches_unavailable);
	tcase_add_test(tc, test_expect_never_pass_and_fail);
	tcase_add_test(tc, test_expect_sustained_bounds);
	tcase_add_test(tc, test_expect_recovery_pass_slow_and_missing_anchor);
	tcase_add_test(tc, test_expect_gap_turns_fail_into_error);
	tcase_add_test(tc, test_expect_never_over_a_gap_is_error);
	tcase_add_test(tc, test_expect_gap_errors_every_kind_it_could_change);
	tcase_add_test(tc, test_expect_unreached_anchor_is_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
