#include <errno.h>
#include <stdint.h>

#include "r4hil/duration.h"
#include "testutil.h"

START_TEST(test_duration_parse_units)
{
	static const struct { const char *text; int64_t ms; } rows[] = {
		{ "500ms", 500 }, { "15s", 15000 }, { "3m30s", 210000 }, { "1h", 3600000 },
		{ "0s", 0 }, { "1h2m3s4ms", 3723004 }, { "90s", 90000 }, { "2m2m", 240000 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t ms = -1;

		ck_assert_int_eq(0, hil_duration_parse(rows[i].text, &ms));
		ck_assert_msg(rows[i].ms == ms, "%s -> %lld", rows[i].text, (long long)ms);
	}
}
END_TEST

START_TEST(test_duration_parse_rejects_bad_input)
{
	static const char *const bad[] = {
		"", "-5s", "+5s", "15", "s", "15 s", " 15s", "15s ", "1.5s", "15x", "15S",
		"5ms3", "99999999999999999999s", "9223372036854775807h", "1m-1s",
	};
	int64_t ms = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hil_duration_parse(bad[i], &ms) == -EINVAL, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(-EINVAL, hil_duration_parse(NULL, &ms));
	ck_assert_int_eq(42, ms);
	/* in int64 but beyond a year: refused, so that no sum of waits can overflow */
	ck_assert_int_eq(-ERANGE, hil_duration_parse("8785h", &ms));
	ck_assert_int_eq(-ERANGE, hil_duration_parse("9223372036854775ms", &ms));
	ck_assert_int_eq(42, ms);
	ck_assert_int_eq(0, hil_duration_parse("8784h", &ms));
	ck_assert_int_eq(HIL_DURATION_MAX_MS, ms);
}
END_TEST

START_TEST(test_duration_format_shortest)
{
	static const struct { int64_t ms; const char *text; } rows[] = {
		{ 210000, "3m30s" }, { 15000, "15s" }, { 0, "0s" }, { 3720000, "1h2m" },
		{ 250, "250ms" }, { 1500, "1s500ms" }, { -10000, "-10s" }, { 3600000, "1h" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ck_assert_str_eq(rows[i].text, hil_duration_format(rows[i].ms, buf, sizeof(buf)));
}
END_TEST

START_TEST(test_duration_format_round_trips)
{
	char buf[32];
	int64_t back;

	for (int64_t ms = 0; ms < 4000000; ms += 12347) {
		ck_assert_int_eq(0, hil_duration_parse(hil_duration_format(ms, buf, sizeof(buf)), &back));
		ck_assert_int_eq(ms, back);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("duration");
	TCase *tc = tcase_create("duration");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_duration_parse_units);
	tcase_add_test(tc, test_duration_parse_rejects_bad_input);
	tcase_add_test(tc, test_duration_format_shortest);
	tcase_add_test(tc, test_duration_format_round_trips);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
