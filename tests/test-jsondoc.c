/* The strict JSON reader: what it builds, where it says things are, and every refusal with its position. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/jsondoc.h"
#include "testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct hil_jsondoc *parse(const char *text, struct hil_jsondoc_error *err)
{
	return hil_jsondoc_parse(text, strlen(text), err);
}

START_TEST(test_jsondoc_builds_json_c_values)
{
	struct hil_jsondoc_error err;
	struct hil_jsondoc *doc = parse(" {\"s\": \"a\\u00e9\\ud83d\\ude00\\n\", \"i\": -12, \"u\": 18446744073709551615,"
					" \"d\": 1.50, \"e\": 2E-3, \"t\": true, \"f\": false, \"n\": null,"
					" \"a\": [], \"o\": {}, \"\": 0} \n",
					&err);
	struct json_object *root, *v;

	ck_assert_msg(doc != NULL, "%d:%d: %s", err.line, err.col, err.msg);
	root = hil_jsondoc_root(doc);
	ck_assert_str_eq("a\xc3\xa9\xf0\x9f\x98\x80\n", json_object_get_string(json_object_object_get(root, "s")));
	ck_assert_int_eq(-12, json_object_get_int64(json_object_object_get(root, "i")));
	ck_assert(UINT64_MAX == json_object_get_uint64(json_object_object_get(root, "u")));
	v = json_object_object_get(root, "d");
	ck_assert(json_object_is_type(v, json_type_double));
	/* doubles keep their text, as json-c's own tokener does */
	ck_assert_str_eq("1.50", json_object_to_json_string(v));
	ck_assert_double_eq(0.002, json_object_get_double(json_object_object_get(root, "e")));
	ck_assert_int_eq(1, json_object_get_boolean(json_object_object_get(root, "t")));
	ck_assert_int_eq(0, json_object_get_boolean(json_object_object_get(root, "f")));
	ck_assert(json_object_object_get_ex(root, "n", &v) && v == NULL);
	ck_assert_uint_eq(0, json_object_array_length(json_object_object_get(root, "a")));
	ck_assert(json_object_object_get_ex(root, "", NULL));
	hil_jsondoc_free(doc);
	hil_jsondoc_free(NULL);
}
END_TEST

START_TEST(test_jsondoc_positions)
{
	const char *text = "{\n  \"a\": [1, {\"b\": null}],\n  \"c\": {\"d\": true}\n}";
	struct hil_jsonpos_seg root_a[] = { { "a", 0 } };
	struct hil_jsonpos_seg a1b[] = { { "a", 0 }, { NULL, 1 }, { "b", 0 } };
	struct hil_jsonpos_seg cd[] = { { "c", 0 }, { "d", 0 } };
	struct hil_jsonpos_seg missing[] = { { "a", 0 }, { NULL, 2 } };
	struct hil_jsonpos_seg through_scalar[] = { { "a", 0 }, { NULL, 0 }, { "x", 0 } };
	struct hil_jsondoc_error err;
	struct hil_jsondoc *doc = parse(text, &err);
	int line = 0, col = 0;

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(0, hil_jsondoc_find(doc, NULL, 0, HIL_JSONPOS_VALUE, &line, &col));
	ck_assert_int_eq(1, line);
	ck_assert_int_eq(1, col);
	ck_assert_int_eq(0, hil_jsondoc_find(doc, root_a, 1, HIL_JSONPOS_KEY, &line, &col));
	ck_assert_int_eq(2, line);
	ck_assert_int_eq(3, col);
	ck_assert_int_eq(0, hil_jsondoc_find(doc, root_a, 1, HIL_JSONPOS_VALUE, &line, &col));
	ck_assert_int_eq(8, col);
	/* null has no json_object of its own, and still a position */
	ck_assert_int_eq(0, hil_jsondoc_find(doc, a1b, 3, HIL_JSONPOS_VALUE, &line, &col));
	ck_assert_int_eq(2, line);
	ck_assert_int_eq(18, col);
	ck_assert_int_eq(0, hil_jsondoc_find(doc, cd, 2, HIL_JSONPOS_KEY, &line, &col));
	ck_assert_int_eq(3, line);
	ck_assert_int_eq(9, col);
	line = col = 0;
	ck_assert_int_eq(-ENOENT, hil_jsondoc_find(doc, missing, 2, HIL_JSONPOS_VALUE, &line, &col));
	ck_assert_int_eq(-ENOENT, hil_jsondoc_find(doc, through_scalar, 3, HIL_JSONPOS_VALUE, &line, &col));
	ck_assert_int_eq(-EINVAL, hil_jsondoc_find(doc, missing, 2, HIL_JSONPOS_KEY, &line, &col));
	ck_assert_int_eq(0, line);
	hil_jsondoc_free(doc);
}
END_TEST

/* A text and the error it must get; @where is "line:col". */
struct refusal {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *where, *msg;
};

static const struct refusal refusals[] = {
	{ "{\"a\": 1,\n \"b\": 2, \"a\": 3}", 0, "2:10", "duplicate key \"a\" (first at 1:2)" },
	{ "[{\"k\": {\"x\": 1, \"x\": {}}}]", 0, "1:17", "duplicate key \"x\" (first at 1:9)" },
	{ "{\"\\u0061\": 1, \"a\": 2}", 0, "1:15", "duplicate key \"a\" (first at 1:2)" },
	{ "[\"a\0b\"]", 7, "1:4", "the file contains a NUL byte" },
	{ "[1]\0", 4, "1:4", "the file contains a NUL byte" },
	{ "[\"a\\u0000\"]", 0, "1:4", "\\u0000 (NUL) is not allowed in a string" },
	{ "[\"\xe9t\xe9\"]", 0, "1:3", "invalid UTF-8 (byte 0xe9)" },
	{ "[\"\xc0\xaf\"]", 0, "1:3", "invalid UTF-8 (byte 0xc0)" },         /* overlong '/' */
	{ "[\"\xed\xa0\x80\"]", 0, "1:3", "invalid UTF-8 (byte 0xed)" },     /* a surrogate in UTF-8 */
	{ "[\"\xf4\x90\x80\x80\"]", 0, "1:3", "invalid UTF-8 (byte 0xf4)" }, /* above U+10FFFF */
	{ "[\"ab\xe2\x82\"]", 0, "1:5", "invalid UTF-8 (byte 0xe2)" },       /* cut short */
	{ "\xef\xbb\xbf{}", 0, "1:1", "JSON syntax error: unexpected byte 0xef" },
	{ "['a']", 0, "1:2", "JSON syntax error: strings take double quotes, not single quotes" },
	{ "{'a': 1}", 0, "1:2", "JSON syntax error: strings take double quotes, not single quotes" },
	{ "[Infinity]", 0, "1:2", "JSON syntax error: \"Infinity\" is not a JSON value" },
	{ "[-Infinity]", 0, "1:2", "JSON syntax error: invalid number" },
	{ "[NaN]", 0, "1:2", "JSON syntax error: \"NaN\" is not a JSON value" },
	{ "[True]", 0, "1:2", "JSON syntax error: \"True\" is not a JSON value" },
	{ "[1e999]", 0, "1:2", "number out of range: 1e999" },
	{ "[-1e999]", 0, "1:2", "number out of range: -1e999" },
	{ "[99999999999999999999]", 0, "1:2", "number out of range: 99999999999999999999" },
	{ "[-9223372036854775809]", 0, "1:2", "number out of range: -9223372036854775809" },
	{ "[01]", 0, "1:2", "JSON syntax error: invalid number" },
	{ "[1.]", 0, "1:2", "JSON syntax error: invalid number" },
	{ "[.5]", 0, "1:2", "JSON syntax error: unexpected character '.'" },
	{ "[+1]", 0, "1:2", "JSON syntax error: unexpected character '+'" },
	{ "[0x10]", 0, "1:2", "JSON syntax error: invalid number" },
	{ "[1e]", 0, "1:2", "JSON syntax error: invalid number" },
	{ "[1,]", 0, "1:3", "JSON syntax error: trailing comma before ']'" },
	{ "{\"a\": 1,\n}", 0, "1:8", "JSON syntax error: trailing comma before '}'" },
	{ "[1,,2]", 0, "1:4", "JSON syntax error: unexpected character ','" },
	{ "[1 2]", 0, "1:4", "JSON syntax error: array value separator ',' expected" },
	{ "{\"a\" 1}", 0, "1:6", "JSON syntax error: object property name separator ':' expected" },
	{ "{\"a\": 1 \"b\": 2}", 0, "1:9", "JSON syntax error: object value separator ',' expected" },
	{ "{a: 1}", 0, "1:2", "JSON syntax error: quoted object property name expected" },
	{ "[1] // x", 0, "1:5", "JSON syntax error: JSON has no comments" },
	{ "/* x */ [1]", 0, "1:1", "JSON syntax error: JSON has no comments" },
	{ "[1] [2]", 0, "1:5", "JSON syntax error: unexpected text after the top-level value" },
	{ "", 0, "1:1", "JSON syntax error: unexpected end of file" },
	{ "{\n  \"a\": [1,\n", 0, "3:1", "JSON syntax error: unexpected end of file" },
	{ "[\"abc", 0, "1:6", "JSON syntax error: unexpected end of file" },
	{ "[\"a\tb\"]", 0, "1:4", "JSON syntax error: control character 0x09 in a string (write it as an escape)" },
	{ "[\"a\nb\"]", 0, "1:4", "JSON syntax error: control character 0x0a in a string (write it as an escape)" },
	{ "[\"\\x41\"]", 0, "1:3", "JSON syntax error: invalid escape in a string" },
	{ "[\"\\u12\"]", 0, "1:3", "JSON syntax error: \\u needs four hex digits" },
	{ "[\"\\ud800\"]", 0, "1:3", "JSON syntax error: unpaired surrogate \\ud800" },
	{ "[\"\\ud800\\u0041\"]", 0, "1:3", "JSON syntax error: unpaired surrogate \\ud800" },
	{ "[\"\\udc00\\ud800\"]", 0, "1:3", "JSON syntax error: unpaired surrogate \\udc00" },
};

START_TEST(test_jsondoc_refusals)
{
	const struct refusal *r = &refusals[_i];
	struct hil_jsondoc_error err;
	struct hil_jsondoc *doc;
	char where[32];

	errno = 0;
	doc = hil_jsondoc_parse(r->text, r->len ? r->len : strlen(r->text), &err);
	ck_assert_msg(doc == NULL, "refusal %d was accepted", _i);
	ck_assert_int_eq(EINVAL, errno);
	snprintf(where, sizeof(where), "%d:%d", err.line, err.col);
	ck_assert_msg(strcmp(r->where, where) == 0 && strcmp(r->msg, err.msg) == 0,
		      "refusal %d: want %s: %s, got %s: %s", _i, r->where, r->msg, where, err.msg);
}
END_TEST

/* One level more than the cap is refused at its bracket; the cap itself is fine. */
START_TEST(test_jsondoc_depth_cap)
{
	char text[2 * HIL_JSONDOC_MAX_DEPTH + 3];
	struct hil_jsondoc_error err;
	struct hil_jsondoc *doc;

	memset(text, '[', HIL_JSONDOC_MAX_DEPTH);
	memset(text + HIL_JSONDOC_MAX_DEPTH, ']', HIL_JSONDOC_MAX_DEPTH);
	doc = hil_jsondoc_parse(text, 2 * HIL_JSONDOC_MAX_DEPTH, &err);
	ck_assert_ptr_nonnull(doc);
	hil_jsondoc_free(doc);

	memset(text, '[', HIL_JSONDOC_MAX_DEPTH + 1);
	memset(text + HIL_JSONDOC_MAX_DEPTH + 1, ']', HIL_JSONDOC_MAX_DEPTH + 1);
	ck_assert_ptr_null(hil_jsondoc_parse(text, 2 * HIL_JSONDOC_MAX_DEPTH + 2, &err));
	ck_assert_int_eq(1, err.line);
	ck_assert_int_eq(HIL_JSONDOC_MAX_DEPTH + 1, err.col);
	ck_assert_str_eq("JSON nested deeper than 32 levels", err.msg);
}
END_TEST

/* Many members and elements: the position table grows and every one is still found. */
START_TEST(test_jsondoc_many_positions)
{
	char *text = NULL, key[16];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct hil_jsondoc_error err;
	struct hil_jsondoc *doc;
	int line, col;

	fputs("{\"list\": [\n", f);
	for (int i = 0; i < 5000; i++)
		fprintf(f, "%s{\"k%d\": %d}\n", i ? "," : "", i, i);
	fputs("]}", f);
	fclose(f);
	doc = hil_jsondoc_parse(text, len, &err);
	ck_assert_ptr_nonnull(doc);
	for (size_t i = 0; i < 5000; i += 499) {
		snprintf(key, sizeof(key), "k%zu", i);
		struct hil_jsonpos_seg path[] = { { "list", 0 }, { NULL, i }, { key, 0 } };

		ck_assert_int_eq(0, hil_jsondoc_find(doc, path, 3, HIL_JSONPOS_KEY, &line, &col));
		ck_assert_int_eq((int)i + 2, line);
		ck_assert_int_eq(i ? 3 : 2, col);
	}
	hil_jsondoc_free(doc);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("jsondoc");
	TCase *tc = tcase_create("jsondoc");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_jsondoc_builds_json_c_values);
	tcase_add_test(tc, test_jsondoc_positions);
	tcase_add_loop_test(tc, test_jsondoc_refusals, 0, ARRAY_SIZE(refusals));
	tcase_add_test(tc, test_jsondoc_depth_cap);
	tcase_add_test(tc, test_jsondoc_many_positions);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
