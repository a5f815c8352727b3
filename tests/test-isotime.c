#include <errno.h>
#include <stdint.h>

#include "r4hil/isotime.h"
#include "testutil.h"

/* 2026-01-01T00:00:00Z */
#define JAN1_2026 1767225600000LL

START_TEST(test_isotime_format_utc_millis)
{
	char buf[32];

	hil_iso_format(JAN1_2026 + 190000, buf);
	ck_assert_str_eq("2026-01-01T00:03:10.000Z", buf);
	hil_iso_format(0, buf);
	ck_assert_str_eq("1970-01-01T00:00:00.000Z", buf);
	hil_iso_format(JAN1_2026 - 1, buf);
	ck_assert_str_eq("2025-12-31T23:59:59.999Z", buf);
}
END_TEST

/* Every int64 has its own right date: no wrap of the year into 0000-9999, no gmtime failure. */
START_TEST(test_isotime_format_any_year)
{
	static const struct { int64_t ms; const char *text; } rows[] = {
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ -62167219200000LL, "0000-01-01T00:00:00.000Z" },
		{ -62167219200001LL, "-000001-12-31T23:59:59.999Z" },
		{ 253402300799999LL, "9999-12-31T23:59:59.999Z" },
		{ 253402300800000LL, "+010000-01-01T00:00:00.000Z" },
		{ INT64_MAX, "+292278994-08-17T07:12:55.807Z" },
		{ INT64_MIN, "-292275055-05-16T16:47:04.192Z" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		hil_iso_format(rows[i].ms, buf);
		ck_assert_str_eq(rows[i].text, buf);
	}
}
END_TEST

START_TEST(test_isotime_parse_forms)
{
	static const struct { const char *text; int64_t ms; } rows[] = {
		{ "2026-01-01T00:03:10.000Z", JAN1_2026 + 190000 },
		{ "2026-01-01T00:03:10Z", JAN1_2026 + 190000 },
		{ "2026-01-01T00:03:10.123456+00:00", JAN1_2026 + 190123 },
		{ "2026-01-01T01:03:10.5+01:00", JAN1_2026 + 190500 },
		{ "2025-12-31T23:03:10-01:00", JAN1_2026 + 190000 },
		{ "2026-01-01 00:03:10+00:00", JAN1_2026 + 190000 },
		{ "2024-02-29T12:00:00Z", 1709208000000LL },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t ms = 0;

		ck_assert_msg(hil_iso_parse(rows[i].text, &ms) == 0, "rejected %s", rows[i].text);
		ck_assert_msg(rows[i].ms == ms, "%s -> %lld", rows[i].text, (long long)ms);
	}
}
END_TEST

START_TEST(test_isotime_parse_rejects_bad_input)
{
	static const char *const bad[] = {
		"", "2026-01-01", "2026-01-01T00:03:10", "2026-01-01T00:03:10.1234567Z",
		"2026-13-01T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z",
		"2026-01-01T00:03:10.Z", "2026-01-01T00:03:10+0100", "2026-01-01T00:03:10Zjunk",
	};
	int64_t ms = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hil_iso_parse(bad[i], &ms) == -EINVAL, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(7, ms);
}
END_TEST

START_TEST(test_isotime_round_trip)
{
	char buf[32];
	int64_t back;

	for (int64_t t = JAN1_2026 - 86400000LL * 400; t < JAN1_2026 + 86400000LL * 400; t += 86400000LL / 7 + 13) {
		hil_iso_format(t, buf);
		ck_assert_int_eq(0, hil_iso_parse(buf, &back));
		ck_assert_int_eq(t, back);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("isotime");
	TCase *tc = tcase_create("isotime");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_isotime_format_utc_millis);
	tcase_add_test(tc, test_isotime_format_any_year);
	tcase_add_test(tc, test_isotime_parse_forms);
	tcase_add_test(tc, test_isotime_parse_rejects_bad_input);
	tcase_add_test(tc, test_isotime_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
