#include "r4hil/healthring.h"

#include <errno.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hil_healthring {
	struct json_tokener *tok;
	int have_prev;            /* a well-formed line was seen */
	int64_t prev;             /* its sfp1tx */
	struct hil_healthring_summary sum;
};

struct hil_healthring *hil_healthring_new(void)
{
	struct hil_healthring *r = calloc(1, sizeof(*r));
	if (!r)
		goto err;
	r->tok = json_tokener_new();
	if (!r->tok)
		goto err_free;
	/* strict: a ring line is JSON as health-snapshot.sh writes it, not json-c's dialect;
	 * trailing text is let through to be named in parse_object() */
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
						JSON_TOKENER_VALIDATE_UTF8);
	return r;
err_free:
	free(r);
err:
	errno = ENOMEM;
	return NULL;
}

void hil_healthring_free(struct hil_healthring *r)
{
	if (!r)
		return;
	json_tokener_free(r->tok);
	free(r);
}

const char *hil_healthring_flag_name(enum hil_healthring_flag flag)
{
	switch (flag) {
	case HIL_HEALTHRING_STORM:
		return "storm";
	case HIL_HEALTHRING_REBOOT:
		return "reboot";
	case HIL_HEALTHRING_NONE:
		break;
	}
	return "";
}

static const char *const field_names[HIL_HEALTHRING_N_FIELDS] = {
	"lines", "malformed", "storms", "reboots", "tz",
};

const char *hil_healthring_field_name(size_t i)
{
	return i < HIL_HEALTHRING_N_FIELDS ? field_names[i] : NULL;
}

const char *hil_healthring_field_value(const struct hil_healthring_summary *s, size_t i, char buf[32])
{
	const size_t counts[] = { s->lines, s->malformed, s->storms, s->reboots };
	if (i < 4)
		snprintf(buf, 32, "%zu", counts[i]);
	else
		snprintf(buf, 32, "%s", s->tz);
	return buf;
}

/* @n digits at @s in [@lo, @hi]. */
static int digits_in(const char *s, int n, int lo, int hi)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi;
}

/* "YYYY-MM-DDTHH:MM:SS+HH:MM" exactly: local time that says which offset it is in. */
static int ts_ok(struct json_object *v)
{
	const char *ts = json_object_get_string(v);
	/* the JSON length: "\u0000" inside would fool strlen() */
	if (json_object_get_string_len(v) != 25)
		return 0;
	return digits_in(ts, 4, 0, 9999) && ts[4] == '-' && digits_in(ts + 5, 2, 1, 12) &&
	       ts[7] == '-' && digits_in(ts + 8, 2, 1, 31) && ts[10] == 'T' &&
	       digits_in(ts + 11, 2, 0, 23) && ts[13] == ':' && digits_in(ts + 14, 2, 0, 59) &&
	       ts[16] == ':' && digits_in(ts + 17, 2, 0, 60) && (ts[19] == '+' || ts[19] == '-') &&
	       digits_in(ts + 20, 2, 0, 14) && ts[22] == ':' && digits_in(ts + 23, 2, 0, 59);
}

static int op_ok(struct json_object *v)
{
	size_t n = (size_t)json_object_get_string_len(v);
	return n > 0 && n < sizeof(((struct hil_healthring_minute *)0)->op) &&
	       strspn(json_object_get_string(v), "abcdefghijklmnopqrstuvwxyz") == n;
}

/* @obj.@key of @type, or NULL. */
static struct json_object *member(struct json_object *obj, const char *key, enum json_type type)
{
	struct json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* The HEALTH-1 fields of @obj into *@m; NULL, or why the line is malformed. */
static const char *read_fields(struct json_object *obj, struct hil_healthring_minute *m)
{
	struct json_object *ts = member(obj, "ts", json_type_string);
	if (!ts || !ts_ok(ts))
		return "ts is not local time with its UTC offset (YYYY-MM-DDTHH:MM:SS+HH:MM)";
	struct json_object *wan = member(obj, "wan", json_type_object);
	struct json_object *car = member(wan, "car", json_type_int);
	if (!car || (json_object_get_int64(car) != 0 && json_object_get_int64(car) != 1))
		return "wan.car is not the integer 0 or 1";
	struct json_object *op = member(wan, "op", json_type_string);
	if (!op || !op_ok(op))
		return "wan.op is not an operstate of [a-z]+";
	struct json_object *irq = member(obj, "irq", json_type_object);
	struct json_object *tx = member(irq, "sfp1tx", json_type_int);
	/* json-c clamps a number beyond int64 to INT64_MAX: refused, never read as a
	 * huge count that the next line's real value "goes down" from (a false reboot) */
	if (!tx || json_object_get_int64(tx) < 0 || json_object_get_int64(tx) == INT64_MAX)
		return "irq.sfp1tx is not an integer from 0 to 2^63-2";
	strcpy(m->ts, json_object_get_string(ts));
	strcpy(m->tz, m->ts + 19);
	m->car = (int)json_object_get_int64(car);
	strcpy(m->op, json_object_get_string(op));
	m->sfp1tx = json_object_get_int64(tx);
	return NULL;
}

/* The one JSON object of the line, or NULL with *why. Caller puts. */
static struct json_object *parse_object(struct hil_healthring *r, const char *line, size_t len,
					const char **why)
{
	*why = "not a JSON object";
	if (memchr(line, '\0', len))
		return NULL;
	json_tokener_reset(r->tok);
	struct json_object *obj = json_tokener_parse_ex(r->tok, line, (int)len);
	if (!obj || json_tokener_get_error(r->tok) != json_tokener_success) {
		json_object_put(obj);
		return NULL;
	}
	size_t end = json_tokener_get_parse_end(r->tok);
	if (end < len && strspn(line + end, " \t\r") < len - end) {
		*why = "more than one JSON value on the line";
		json_object_put(obj);
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int hil_healthring_add_line(struct hil_healthring *r, const char *line, size_t len,
			    struct hil_healthring_minute *m)
{
	memset(m, 0, sizeof(*m));
	m->line = ++r->sum.lines;
	r->sum.tz[0] = '\0';
	/* a ring line is a few hundred bytes; json-c takes an int length */
	if (len > HIL_HEALTHRING_MAX_LINE) {
		m->malformed = "line longer than 64 KiB";
	} else {
		struct json_object *obj = parse_object(r, line, len, &m->malformed);
		if (obj)
			m->malformed = read_fields(obj, m);
		json_object_put(obj);
	}
	if (m->malformed) {
		memset(m->ts, 0, sizeof(*m) - offsetof(struct hil_healthring_minute, ts));
		r->sum.malformed++;
		return -EINVAL;
	}
	if (r->have_prev && m->sfp1tx < r->prev) {
		m->flag = HIL_HEALTHRING_REBOOT;
		m->delta = m->sfp1tx;
		r->sum.reboots++;
	} else {
		m->delta = r->have_prev ? m->sfp1tx - r->prev : 0;
		if (m->delta >= HIL_HEALTHRING_STORM_DELTA && m->car == 0) {
			m->flag = HIL_HEALTHRING_STORM;
			r->sum.storms++;
		}
	}
	r->prev = m->sfp1tx;
	r->have_prev = 1;
	strcpy(r->sum.tz, m->tz);
	return 0;
}

void hil_healthring_add_text(struct hil_healthring *r, const char *text, size_t len,
			    void (*on_minute)(void *arg, const struct hil_healthring_minute *m),
			    void *arg)
{
	size_t at = 0;
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		struct hil_healthring_minute m;
		hil_healthring_add_line(r, text + at, n, &m);
		if (on_minute)
			on_minute(arg, &m);
		at += n + 1;
	}
}

void hil_healthring_summary(const struct hil_healthring *r, struct hil_healthring_summary *s)
{
	*s = r->sum;
}

/* The line being read by hil_healthring_add_stream: its start, and whether it got too long. */
struct stream_line {
	char *buf;
	size_t len;
	int overlong;
};

static void stream_emit(struct hil_healthring *r, struct stream_line *l,
			void (*on_minute)(void *arg, const struct hil_healthring_minute *m), void *arg)
{
	struct hil_healthring_minute m;
	/* an overlong line is judged by length only: its text was not kept */
	hil_healthring_add_line(r, l->buf, l->overlong ? HIL_HEALTHRING_MAX_LINE + 1 : l->len, &m);
	if (on_minute)
		on_minute(arg, &m);
	l->len = 0;
	l->overlong = 0;
}

int hil_healthring_add_stream(struct hil_healthring *r, int fd,
			      void (*on_minute)(void *arg, const struct hil_healthring_minute *m),
			      void *arg)
{
	struct stream_line l = { .buf = malloc(HIL_HEALTHRING_MAX_LINE) };
	char chunk[65536];
	int ret = l.buf ? 0 : -ENOMEM;
	ssize_t n;
	while (!ret && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno != EINTR)
				ret = -errno;
			continue;
		}
		for (size_t at = 0; at < (size_t)n;) {
			const char *nl = memchr(chunk + at, '\n', (size_t)n - at);
			size_t take = nl ? (size_t)(nl - (chunk + at)) : (size_t)n - at;
			if (!l.overlong && l.len + take <= HIL_HEALTHRING_MAX_LINE)
				memcpy(l.buf + l.len, chunk + at, take), l.len += take;
			else
				l.overlong = 1;
			at += take;
			if (nl) {
				stream_emit(r, &l, on_minute, arg);
				at++;
			}
		}
	}
	if (!ret && (l.len || l.overlong))
		stream_emit(r, &l, on_minute, arg); /* a last line without its newline */
	free(l.buf);
	return ret;
}
