/*
 * The health ring judged by the harness (HEALTH-1, HEALTH-4): one line at a time
 * from a table, whole rings, `r4hil forensics`, observe.health_ring in the loader,
 * and the ring.* subjects recorded from the fake router.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clirun.h"
#include "r4hil/healthring.h"
#include "r4hil/observe.h"
#include "r4hil/scenario.h"
#include "testutil.h"

/* A well-formed line: car, op, sfp1tx. */
#define LINE(car, op, tx)                                                                  \
	"{\"ts\":\"2026-03-02T10:00:00+01:00\",\"up\":60,\"wan\":{\"car\":" #car ",\"op\":\"" op \
	"\",\"rxb\":0},\"irq\":{\"sfp1tx\":" #tx ",\"eth\":0},\"ct\":0}"

#define TS(ts) "{\"ts\":" ts ",\"wan\":{\"car\":1,\"op\":\"up\"},\"irq\":{\"sfp1tx\":5}}"
#define CAR(car) "{\"ts\":\"2026-03-02T10:00:00+01:00\",\"wan\":{\"car\":" car ",\"op\":\"up\"},\"irq\":{\"sfp1tx\":5}}"
#define OP(op) "{\"ts\":\"2026-03-02T10:00:00+01:00\",\"wan\":{\"car\":1" op "},\"irq\":{\"sfp1tx\":5}}"
#define TX(tx) "{\"ts\":\"2026-03-02T10:00:00+01:00\",\"wan\":{\"car\":1,\"op\":\"up\"}" tx "}"

static const char *const NOT_OBJECT = "not a JSON object";
static const char *const TWO = "more than one JSON value";
static const char *const BAD_TS = "ts is not";
static const char *const BAD_CAR = "wan.car is not";
static const char *const BAD_OP = "wan.op is not";
static const char *const BAD_TX = "irq.sfp1tx is not";

static const struct line_case {
	const char *name;
	const char *prev;      /* a line judged before, or NULL */
	const char *line;
	size_t len;            /* 0: strlen(line) */
	const char *malformed; /* NULL, or a part of the reason */
	long long delta;
	enum hil_healthring_flag flag;
} line_cases[] = {
	{ "well-formed first line", NULL, LINE(1, "up", 5), 0, NULL, 0, HIL_HEALTHRING_NONE },
	{ "blanks and CR around the object", NULL, " " LINE(1, "up", 5) " \r", 0, NULL, 0, HIL_HEALTHRING_NONE },
	{ "not JSON", NULL, "garbage", 0, NOT_OBJECT, 0, 0 },
	{ "empty line", NULL, "", 0, NOT_OBJECT, 0, 0 },
	{ "JSON array", NULL, "[1,2]", 0, NOT_OBJECT, 0, 0 },
	{ "JSON number", NULL, "42", 0, NOT_OBJECT, 0, 0 },
	{ "cut short (full disk)", NULL, "{\"ts\":\"2026-03-02T10:00:00+01:00\",\"wan\":{\"car\"", 0, NOT_OBJECT, 0, 0 },
	{ "single quotes (json-c dialect)", NULL, "{'ts':'2026-03-02T10:00:00+01:00'}", 0, NOT_OBJECT, 0, 0 },
	{ "NUL byte inside", NULL, LINE(1, "up", 5), 40, NOT_OBJECT, 0, 0 },
	{ "two objects on a line", NULL, LINE(1, "up", 5) LINE(1, "up", 6), 0, TWO, 0, 0 },
	{ "text after the object", NULL, LINE(1, "up", 5) " x", 0, TWO, 0, 0 },
	{ "ts missing", NULL, "{\"wan\":{\"car\":1,\"op\":\"up\"},\"irq\":{\"sfp1tx\":5}}", 0, BAD_TS, 0, 0 },
	{ "ts without offset", NULL, TS("\"2026-03-02T10:00:00\""), 0, BAD_TS, 0, 0 },
	{ "ts in UTC Z", NULL, TS("\"2026-03-02T09:00:00Z\""), 0, BAD_TS, 0, 0 },
	{ "ts offset without colon", NULL, TS("\"2026-03-02T10:00:00+0100\""), 0, BAD_TS, 0, 0 },
	{ "ts with a space", NULL, TS("\"2026-03-02 10:00:00+01:00\""), 0, BAD_TS, 0, 0 },
	{ "ts month 13", NULL, TS("\"2026-13-02T10:00:00+01:00\""), 0, BAD_TS, 0, 0 },
	{ "ts a number", NULL, TS("1772442000"), 0, BAD_TS, 0, 0 },
	{ "ts with an escaped NUL", NULL, TS("\"2026-03-02T10:00:00+01:00\\u0000\""), 0, BAD_TS, 0, 0 },
	{ "wan missing", NULL, "{\"ts\":\"2026-03-02T10:00:00+01:00\",\"irq\":{\"sfp1tx\":5}}", 0, BAD_CAR, 0, 0 },
	{ "car 2", NULL, CAR("2"), 0, BAD_CAR, 0, 0 },
	{ "car a string", NULL, CAR("\"1\""), 0, BAD_CAR, 0, 0 },
	{ "car a boolean", NULL, CAR("true"), 0, BAD_CAR, 0, 0 },
	{ "car a float", NULL, CAR("1.0"), 0, BAD_CAR, 0, 0 },
	{ "op missing", NULL, OP(""), 0, BAD_OP, 0, 0 },
	{ "op empty", NULL, OP(",\"op\":\"\""), 0, BAD_OP, 0, 0 },
	{ "op upper case", NULL, OP(",\"op\":\"UP\""), 0, BAD_OP, 0, 0 },
	{ "op a number", NULL, OP(",\"op\":6"), 0, BAD_OP, 0, 0 },
	{ "op with an escaped NUL", NULL, OP(",\"op\":\"up\\u0000x\""), 0, BAD_OP, 0, 0 },
	{ "op longer than 31", NULL, OP(",\"op\":\"abcdefghijklmnopqrstuvwxyzabcdef\""), 0, BAD_OP, 0, 0 },
	{ "irq missing", NULL, TX(""), 0, BAD_TX, 0, 0 },
	{ "sfp1tx missing", NULL, TX(",\"irq\":{\"eth\":0}"), 0, BAD_TX, 0, 0 },
	{ "sfp1tx negative", NULL, TX(",\"irq\":{\"sfp1tx\":-1}"), 0, BAD_TX, 0, 0 },
	{ "sfp1tx a float", NULL, TX(",\"irq\":{\"sfp1tx\":1.5}"), 0, BAD_TX, 0, 0 },
	{ "sfp1tx a string", NULL, TX(",\"irq\":{\"sfp1tx\":\"100\"}"), 0, BAD_TX, 0, 0 },
	{ "sfp1tx at top level", NULL, TX(",\"sfp1tx\":5"), 0, BAD_TX, 0, 0 },
	{ "quiet minute", LINE(1, "up", 1000), LINE(1, "up", 1030), 0, NULL, 30, HIL_HEALTHRING_NONE },
	{ "storm: 100 000 with car=0", LINE(1, "up", 1000), LINE(0, "down", 101000), 0, NULL, 100000,
	  HIL_HEALTHRING_STORM },
	{ "99 999 with car=0 is not a storm", LINE(1, "up", 1000), LINE(0, "down", 100999), 0, NULL, 99999,
	  HIL_HEALTHRING_NONE },
	{ "car=1 with a big delta is not a storm", LINE(1, "up", 0), LINE(1, "up", 5000000), 0, NULL, 5000000,
	  HIL_HEALTHRING_NONE },
	{ "counter reset: reboot, delta the new value", LINE(1, "up", 500000), LINE(1, "up", 42), 0, NULL, 42,
	  HIL_HEALTHRING_REBOOT },
	{ "reset to a storm-sized value is a reboot", LINE(0, "down", 5000000), LINE(0, "down", 200000), 0,
	  NULL, 200000, HIL_HEALTHRING_REBOOT },
	{ "counter unchanged", LINE(0, "down", 7), LINE(0, "down", 7), 0, NULL, 0, HIL_HEALTHRING_NONE },
	/* beyond int64, json-c clamps to INT64_MAX: malformed, so the next line is no false reboot */
	{ "sfp1tx beyond int64", NULL, TX(",\"irq\":{\"sfp1tx\":99999999999999999999}"), 0, BAD_TX, 0, 0 },
	{ "sfp1tx INT64_MAX", NULL, TX(",\"irq\":{\"sfp1tx\":9223372036854775807}"), 0, BAD_TX, 0, 0 },
};

START_TEST(test_healthring_line_table)
{
	const struct line_case *c = &line_cases[_i];
	struct hil_healthring *r = hil_healthring_new();
	struct hil_healthring_minute m;
	ck_assert_ptr_nonnull(r);
	if (c->prev)
		ck_assert_int_eq(0, hil_healthring_add_line(r, c->prev, strlen(c->prev), &m));
	size_t len = c->len ? c->len : strlen(c->line);
	char *line = strdup(c->line);
	if (c->len)
		line[len / 2] = '\0'; /* the NUL row: inside the given length */
	int ret = hil_healthring_add_line(r, line, len, &m);
	ck_assert_uint_eq(c->prev ? 2 : 1, m.line);
	if (c->malformed) {
		ck_assert_msg(ret == -EINVAL, "%s: want malformed, got %d", c->name, ret);
		ck_assert_ptr_nonnull(m.malformed);
		ck_assert_msg(strstr(m.malformed, c->malformed), "%s: want \"%s\" in \"%s\"", c->name,
			      c->malformed, m.malformed);
		ck_assert_str_eq("", m.ts);
		ck_assert_int_eq(HIL_HEALTHRING_NONE, m.flag);
	} else {
		ck_assert_msg(ret == 0, "%s: malformed: %s", c->name, m.malformed);
		ck_assert_str_eq("2026-03-02T10:00:00+01:00", m.ts);
		ck_assert_str_eq("+01:00", m.tz);
		ck_assert_msg(m.delta == c->delta, "%s: delta %lld, want %lld", c->name, (long long)m.delta,
			      c->delta);
		ck_assert_msg(m.flag == c->flag, "%s: flag \"%s\", want \"%s\"", c->name,
			      hil_healthring_flag_name(m.flag), hil_healthring_flag_name(c->flag));
	}
	struct hil_healthring_summary s;
	hil_healthring_summary(r, &s);
	ck_assert_uint_eq(c->malformed ? 1 : 0, s.malformed);
	ck_assert_uint_eq(c->flag == HIL_HEALTHRING_STORM, s.storms);
	ck_assert_uint_eq(c->flag == HIL_HEALTHRING_REBOOT, s.reboots);
	free(line);
	hil_healthring_free(r);
}
END_TEST

START_TEST(test_healthring_well_formed_fields)
{
	struct hil_healthring *r = hil_healthring_new();
	struct hil_healthring_minute m;
	const char *line = "{\"ct\":3,\"irq\":{\"sfp1tx\":123456789012},\"wan\":{\"op\":\"lowerlayerdown\",\"car\":0},"
			   "\"ts\":\"2026-07-01T23:59:60-09:30\"}";
	ck_assert_int_eq(0, hil_healthring_add_line(r, line, strlen(line), &m));
	ck_assert_ptr_null(m.malformed);
	ck_assert_str_eq("2026-07-01T23:59:60-09:30", m.ts);
	ck_assert_str_eq("-09:30", m.tz);
	ck_assert_int_eq(0, m.car);
	ck_assert_str_eq("lowerlayerdown", m.op);
	ck_assert(m.sfp1tx == 123456789012LL);
	ck_assert(m.delta == 0); /* the first line has nothing to compare with */
	hil_healthring_free(r);
}
END_TEST

struct collected {
	struct hil_healthring_minute m[8];
	size_t n;
};

static void collect(void *arg, const struct hil_healthring_minute *m)
{
	struct collected *c = arg;
	if (c->n < 8)
		c->m[c->n] = *m;
	c->n++;
}

/* A malformed line between two minutes is skipped: the delta spans it. */
START_TEST(test_healthring_malformed_is_not_previous)
{
	const char *text = LINE(1, "up", 100) "\n{\"ts\":\n" LINE(0, "down", 100100) "\n";
	struct hil_healthring *r = hil_healthring_new();
	struct collected c = { 0 };
	struct hil_healthring_summary s;
	hil_healthring_add_text(r, text, strlen(text), collect, &c);
	hil_healthring_summary(r, &s);
	ck_assert_uint_eq(3, c.n);
	ck_assert_ptr_nonnull(c.m[1].malformed);
	ck_assert_uint_eq(3, c.m[2].line);
	ck_assert(c.m[2].delta == 100000);
	ck_assert_int_eq(HIL_HEALTHRING_STORM, c.m[2].flag);
	ck_assert_uint_eq(3, s.lines);
	ck_assert_uint_eq(1, s.malformed);
	ck_assert_uint_eq(1, s.storms);
	ck_assert_uint_eq(0, s.reboots);
	ck_assert_str_eq("+01:00", s.tz);
	hil_healthring_free(r);
}
END_TEST

/* Lines are what '\n' ends, plus a last one without it; tz follows the last line. */
START_TEST(test_healthring_text_lines_and_tz)
{
	static const struct {
		const char *text;
		size_t lines, malformed;
		const char *tz;
	} rows[] = {
		{ "", 0, 0, "" },
		{ LINE(1, "up", 1) "\n", 1, 0, "+01:00" },
		{ LINE(1, "up", 1), 1, 0, "+01:00" },
		{ LINE(1, "up", 1) "\n\n", 2, 1, "" },
		{ LINE(1, "up", 1) "\nxx", 2, 1, "" },
		{ "xx\n" LINE(1, "up", 1) "\n", 2, 1, "+01:00" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct hil_healthring *r = hil_healthring_new();
		struct hil_healthring_summary s;
		hil_healthring_add_text(r, rows[i].text, strlen(rows[i].text), NULL, NULL);
		hil_healthring_summary(r, &s);
		ck_assert_msg(s.lines == rows[i].lines, "row %zu: %zu lines", i, s.lines);
		ck_assert_msg(s.malformed == rows[i].malformed, "row %zu: %zu malformed", i, s.malformed);
		ck_assert_str_eq(rows[i].tz, s.tz);
		hil_healthring_free(r);
	}
}
END_TEST

START_TEST(test_healthring_fields_as_recorded)
{
	struct hil_healthring_summary s = { .lines = 10080, .malformed = 1, .storms = 2, .reboots = 3, .tz = "+01:00" };
	const char *want[][2] = { { "lines", "10080" }, { "malformed", "1" }, { "storms", "2" },
				  { "reboots", "3" }, { "tz", "+01:00" } };
	char buf[32];
	for (size_t i = 0; i < HIL_HEALTHRING_N_FIELDS; i++) {
		ck_assert_str_eq(want[i][0], hil_healthring_field_name(i));
		ck_assert_str_eq(want[i][1], hil_healthring_field_value(&s, i, buf));
	}
	ck_assert_ptr_null(hil_healthring_field_name(HIL_HEALTHRING_N_FIELDS));
}
END_TEST

/* ---- r4hil forensics ---- */

static char *tmp;

static void setup(void)
{
	tmp = hil_test_tmpdir("healthring");
}

static void teardown(void)
{
	hil_test_remove_tree(tmp);
}

static char *at(const char *rel)
{
	return hil_test_join(tmp, rel);
}

START_TEST(test_healthring_cli)
{
	char *ring = at("ring.jsonl"), *log = at("log"), *out_path = at("log.out");
	hil_test_write_file(ring, LINE(1, "up", 1000) "\n" LINE(0, "down", 109000) "\nnot json\n"
			    LINE(1, "up", 12) "\n");
	const char *args[] = { "forensics", ring, NULL };
	ck_assert_int_eq(0, clirun(log, args));
	char *out = hil_test_read_file(out_path);
	ck_assert_str_eq("2026-03-02T10:00:00+01:00 car=1 op=up sfp1tx=1000 delta=0\n"
			 "2026-03-02T10:00:00+01:00 car=0 op=down sfp1tx=109000 delta=108000 storm\n"
			 "line 3: malformed: not a JSON object\n"
			 "2026-03-02T10:00:00+01:00 car=1 op=up sfp1tx=12 delta=12 reboot\n"
			 "summary lines=4 storms=1 reboots=1 malformed=1 tz=+01:00\n",
			 out);
	free(out);

	char *missing = at("missing.jsonl");
	const char *unreadable[] = { "forensics", missing, NULL };
	const char *dir[] = { "forensics", tmp, NULL };
	const char *none[] = { "forensics", NULL };
	const char *help[] = { "forensics", "--help", NULL };
	ck_assert_int_eq(2, clirun(log, unreadable));
	ck_assert_int_eq(2, clirun(log, dir));
	ck_assert_int_eq(2, clirun(log, none));
	ck_assert_int_eq(0, clirun(log, help));
	out = hil_test_read_file(out_path);
	ck_assert_ptr_nonnull(strstr(out, "usage: r4hil forensics RING"));
	ck_assert_ptr_nonnull(strstr(out, "100000 or more with car=0"));
	free(out);
	free(missing), free(ring), free(log), free(out_path);
}
END_TEST

/* A ring read from a file descriptor: bounded lines, same verdicts as the whole text. */
START_TEST(test_healthring_stream_bounded)
{
	char *ring = at("long.jsonl");
	FILE *f = fopen(ring, "w");
	ck_assert_ptr_nonnull(f);
	fputs(LINE(1, "up", 1000) "\n", f);
	for (int i = 0; i < 3 * HIL_HEALTHRING_MAX_LINE; i++)
		fputc('x', f); /* one line of 192 KiB: malformed, never held whole */
	fputs("\n" LINE(1, "up", 1030), f); /* and a last line without its newline */
	fclose(f);
	int fd = open(ring, O_RDONLY);
	struct hil_healthring *r = hil_healthring_new();
	struct collected c = { 0 };
	ck_assert_int_eq(0, hil_healthring_add_stream(r, fd, collect, &c));
	close(fd);
	ck_assert_uint_eq(3, c.n);
	ck_assert_str_eq("line longer than 64 KiB", c.m[1].malformed);
	ck_assert(c.m[2].delta == 30);
	hil_healthring_free(r);
	free(ring);
}
END_TEST

/* forensics reads a pipe, refuses a device (/dev/zero used to grow without end) */
START_TEST(test_healthring_cli_pipe_and_device)
{
	char *log = at("log"), *out_path = at("log.out"), *err_path = at("log.err"), *fifo = at("fifo");
	const char *zero[] = { "forensics", "/dev/zero", NULL };
	ck_assert_int_eq(2, clirun(log, zero));
	char *err = hil_test_read_file(err_path);
	ck_assert_ptr_nonnull(strstr(err, "/dev/zero: is a device, not a file or pipe"));
	free(err);
	ck_assert_int_eq(0, mkfifo(fifo, 0600));
	pid_t writer = fork();
	if (writer == 0) {
		int fd = open(fifo, O_WRONLY);
		const char text[] = LINE(1, "up", 1000) "\n" LINE(0, "down", 109000) "\n";
		_exit(fd >= 0 && write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1 ? 0 : 1);
	}
	const char *args[] = { "forensics", fifo, NULL };
	ck_assert_int_eq(0, clirun(log, args));
	int status;
	waitpid(writer, &status, 0);
	char *out = hil_test_read_file(out_path);
	ck_assert_ptr_nonnull(strstr(out, "summary lines=2 storms=1 reboots=0 malformed=0"));
	free(out), free(log), free(out_path), free(err_path), free(fifo);
}
END_TEST

/* ---- observe.health_ring in the loader ---- */

/* A scenario with @observe as its observe object and one expectation on @subject. */
static char *write_scenario(const char *name, const char *observe, const char *probe_subject,
			    const char *subject, const char *value)
{
	char *path = at(name), *text;
	char probes[256] = "";
	if (probe_subject)
		snprintf(probes, sizeof(probes),
			 "\"steady_state\": {\"settle\": \"1m\", \"requirement\": \"HEALTH-1\", \"probes\": "
			 "[{\"probe\": \"state\", \"subject\": \"%s\", \"equals\": \"0\"}]},\n",
			 probe_subject);
	ck_assert_int_ne(-1, asprintf(&text,
		"{\n"
		"\"format\": \"r4hil-scenario/1\", \"name\": \"ring\", \"summary\": \"The ring.\",\n"
		"\"requirements\": [\"HEALTH-1\"],\n"
		"\"observe\": %s,\n"
		"%s"
		"\"steps\": [{\"act\": \"ssh\", \"params\": {\"command\": \"printf '%%s\\\\nbad\\\\n' '%s' > /tmp/ring.jsonl\"}},\n"
		"          {\"wait\": \"20s\"}],\n"
		"\"expect\": [{\"id\": \"e\", \"requirement\": \"HEALTH-1\", \"kind\": \"value\", "
		"\"subject\": \"%s\", \"equals\": \"%s\"}]\n"
		"}\n", observe, probes, "{\\\"ts\\\":\\\"2026-03-02T10:00:00+01:00\\\",\\\"wan\\\":{\\\"car\\\":1,\\\"op\\\":\\\"up\\\"},\\\"irq\\\":{\\\"sfp1tx\\\":5}}",
		subject, value));
	hil_test_write_file(path, text);
	free(text);
	return path;
}

static void assert_load_error(const char *observe, const char *probe_subject, const char *subject,
			      const char *msg)
{
	char *path = write_scenario("bad.json", observe, probe_subject, subject, "1"), *errors = NULL;
	struct hil_scenario *s = NULL;
	ck_assert_int_eq(-EINVAL, hil_scenario_load(path, &s, &errors));
	ck_assert_ptr_null(s);
	ck_assert_msg(errors && strstr(errors, msg), "want \"%s\" in:\n%s", msg, errors);
	free(errors);
	free(path);
}

START_TEST(test_healthring_scenario_loader)
{
	const char *ring = "{\"health_ring\": \"/tmp/ring.jsonl\"}";
	char *path = write_scenario("good.json", "{\"period\": \"10s\", \"health_ring\": \"/tmp/ring.jsonl\", "
				    "\"commands\": [{\"name\": \"x\", \"command\": \"true\"}]}",
				    NULL, "ring.malformed", "1"), *errors = NULL;
	struct hil_scenario *s = NULL;
	ck_assert_msg(hil_scenario_load(path, &s, &errors) == 0, "%s", errors);
	ck_assert_str_eq("/tmp/ring.jsonl", s->health_ring);
	ck_assert_uint_eq(1, s->n_commands);
	ck_assert_str_eq("ring.malformed", s->expects[0].cond.subject);
	size_t n = 0;
	char **ents = hil_scenario_ha_entities(s, &n);
	ck_assert_uint_eq(0, n); /* ring.* is not asked of HA */
	free(ents);
	hil_scenario_free(s);
	free(path);

	assert_load_error(ring, NULL, "ring.storm", "unknown ring subject \"ring.storm\" (expected ring.lines");
	assert_load_error("{}", NULL, "ring.lines", "\"ring.lines\" needs observe.health_ring");
	assert_load_error("{\"health_ring\": \"etc/last_health.jsonl\"}", NULL, "plug",
			  "observe.health_ring: expected an absolute path");
	assert_load_error("{\"health_ring\": \"/etc/x;reboot\"}", NULL, "plug", "expected an absolute path");
	assert_load_error("{\"health_ring\": 5}", NULL, "plug", "observe.health_ring: expected a string");
	/* ring.* may be probed in steady_state too (the engine asks the observer) */
	path = write_scenario("probe.json", ring, "ring.malformed", "plug", "on");
	ck_assert_msg(hil_scenario_load(path, &s, &errors) == 0, "%s", errors);
	hil_scenario_free(s);
	free(path);
	assert_load_error(ring, NULL, "router.ring.*", "unknown router subject \"router.ring.*\"");
}
END_TEST

/* ---- ring.* recorded from the fake router ---- */

static json_object *run_scenario(const char *observe, const char *subject, const char *value, int want_rc)
{
	char *path = write_scenario("run.json", observe, NULL, subject, value);
	char *out = at("run"), *log = at("runlog");
	const char *args[] = { "run", "--out", out, path, NULL };
	ck_assert_int_eq(want_rc, clirun(log, args));
	json_object *r = clirun_results(out);
	hil_test_remove_tree(out);
	free(log), free(path);
	return r;
}

START_TEST(test_healthring_observed_on_router)
{
	const char *ring = "{\"period\": \"10s\", \"health_ring\": \"/tmp/ring.jsonl\"}";
	json_object_put(run_scenario(ring, "ring.malformed", "1", 0));
	json_object_put(run_scenario(ring, "ring.lines", "2", 0));
	json_object *r = run_scenario(ring, "ring.malformed", "0", 1);
	ck_assert(clirun_failed_requirement(r, "ring", "HEALTH-1"));
	json_object_put(r);
	/* no ring: each subject says how cat failed */
	json_object_put(run_scenario("{\"period\": \"10s\", \"health_ring\": \"/tmp/none.jsonl\"}",
				     "ring.lines", "exit 1", 0));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("healthring");
	TCase *tc = tcase_create("healthring");
	tcase_add_loop_test(tc, test_healthring_line_table, 0, sizeof(line_cases) / sizeof(line_cases[0]));
	tcase_add_test(tc, test_healthring_well_formed_fields);
	tcase_add_test(tc, test_healthring_malformed_is_not_previous);
	tcase_add_test(tc, test_healthring_text_lines_and_tz);
	tcase_add_test(tc, test_healthring_fields_as_recorded);
	suite_add_tcase(s, tc);
	TCase *files = tcase_create("files");
	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, test_healthring_cli);
	tcase_add_test(files, test_healthring_stream_bounded);
	tcase_add_test(files, test_healthring_cli_pipe_and_device);
	tcase_add_test(files, test_healthring_scenario_loader);
	tcase_add_test(files, test_healthring_observed_on_router);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
