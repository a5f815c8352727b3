#include "sandbox/crontab.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct field {
	const char *name;
	int lo, hi;      /* values accepted */
	int star_hi;     /* what '*' covers (day of week: 0-6, not the alias 7) */
	const char *const *names; /* 3-letter names, names[0] is value lo_name */
	int names_lo;
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun",
					   "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct field fields[5] = {
	{ "minute", 0, 59, 59, NULL, 0 },
	{ "hour", 0, 23, 23, NULL, 0 },
	{ "day of month", 1, 31, 31, NULL, 0 },
	{ "month", 1, 12, 12, month_names, 1 },
	{ "day of week", 0, 7, 6, day_names, 0 },
};

/* A number or name at *@p; -1 if none. */
static int parse_value(const struct field *f, const char **p)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		long v = 0;
		while (isdigit((unsigned char)*s) && v < 1000)
			v = v * 10 + (*s++ - '0');
		*p = s;
		return (int)v;
	}
	if (f->names && isalpha((unsigned char)s[0])) {
		for (int i = 0; f->names[i]; i++) {
			if (!strncasecmp(s, f->names[i], 3)) {
				*p = s + 3;
				return f->names_lo + i;
			}
		}
	}
	return -1;
}

/* One field (no spaces) into @bits; NULL on success, else the reason. */
static const char *parse_field(const struct field *f, const char *text, uint64_t *bits)
{
	const char *p = text;
	*bits = 0;
	for (;;) {
		int from, to, step = 1;
		bool single = false;
		if (*p == '*') {
			from = f->lo;
			to = f->star_hi;
			p++;
		} else {
			from = parse_value(f, &p);
			if (from < 0)
				return "expected a number, name or '*'";
			to = from;
			single = *p != '-';
			if (*p == '-') {
				p++;
				to = parse_value(f, &p);
				if (to < 0)
					return "expected the end of a range";
			}
		}
		if (*p == '/') {
			p++;
			if (!isdigit((unsigned char)*p))
				return "expected a step";
			step = parse_value(f, &p);
			if (step < 1)
				return "step must be at least 1";
			if (single)
				to = f->star_hi; /* "a/N": from a to the end */
		}
		if (from < f->lo || from > f->hi || to < f->lo || to > f->hi)
			return "value out of range";
		/* crond walks a range upward and wraps, so "22-2" is 22,23,0,1,2 */
		for (int v = from, s = 1, guard = 0; guard <= f->hi - f->lo + 1; guard++) {
			if (--s == 0) {
				*bits |= 1ULL << v;
				s = step;
			}
			if (v == to)
				break;
			v = v == f->hi ? f->lo : v + 1;
		}
		if (*p == '\0')
			return NULL;
		if (*p != ',')
			return "unexpected character";
		p++;
	}
}

static bool is_env_line(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	while (isalnum((unsigned char)*s) || *s == '_')
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '=';
}

/* Parse one non-comment line into @e; NULL on success, else the reason. */
static const char *parse_line(char *line, struct fl_crontab_entry *e, char *msg, size_t size)
{
	uint64_t bits[5];
	char *p = line;
	for (int i = 0; i < 5; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return "too few fields";
		char *end = p + strcspn(p, " \t");
		if (!*end)
			return i < 4 ? "too few fields" : "no command";
		*end = '\0';
		const char *why = parse_field(&fields[i], p, &bits[i]);
		if (why) {
			snprintf(msg, size, "%s: %s", fields[i].name, why);
			return msg;
		}
		p = end + 1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return "no command";
	e->minutes = bits[0];
	e->hours = (uint32_t)bits[1];
	e->days = (uint32_t)bits[2];
	e->months = (uint16_t)bits[3];
	e->weekdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 is Sunday */
	/* crond: when only one of the two day fields is restricted, only it counts */
	bool days_used = e->days != 0xfffffffeU;
	bool week_used = e->weekdays != 0x7f;
	if (days_used && !week_used)
		e->weekdays = 0;
	else if (week_used && !days_used)
		e->days = 0;
	e->command = strdup(p);
	return e->command ? NULL : "out of memory";
}

int fl_crontab_parse(const char *text, struct fl_crontab **out, char **warnings)
{
	struct fl_crontab *tab = calloc(1, sizeof(*tab));
	char *copy = strdup(text ? text : "");
	char *warn = NULL;
	size_t warn_len = 0;
	FILE *w = open_memstream(&warn, &warn_len);
	*out = NULL;
	if (warnings)
		*warnings = NULL;
	if (!tab || !copy || !w)
		goto err;

	int lineno = 0;
	for (char *line = copy, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#' || is_env_line(s))
			continue;
		char *orig = strdup(s);
		if (!orig)
			goto err;
		struct fl_crontab_entry e = { .line = lineno };
		char msg[128];
		const char *why = parse_line(s, &e, msg, sizeof(msg));
		if (why) {
			fprintf(w, "line %d: %s: %s\n", lineno, why, orig);
			free(orig);
			continue;
		}
		free(orig);
		struct fl_crontab_entry *bigger = realloc(tab->entries, (tab->n + 1) * sizeof(e));
		if (!bigger) {
			free(e.command);
			goto err;
		}
		tab->entries = bigger;
		tab->entries[tab->n++] = e;
	}
	fclose(w);
	free(copy);
	if (warnings && warn_len)
		*warnings = warn;
	else
		free(warn);
	*out = tab;
	return 0;

err:
	if (w)
		fclose(w);
	free(warn);
	free(copy);
	fl_crontab_free(tab);
	return -ENOMEM;
}

bool fl_crontab_due(const struct fl_crontab *tab, size_t i, const struct tm *local)
{
	const struct fl_crontab_entry *e = &tab->entries[i];
	return (e->minutes >> local->tm_min & 1) && (e->hours >> local->tm_hour & 1) &&
	       (e->months >> (local->tm_mon + 1) & 1) &&
	       ((e->days >> local->tm_mday & 1) || (e->weekdays >> local->tm_wday & 1));
}

void fl_crontab_free(struct fl_crontab *tab)
{
	if (!tab)
		return;
	for (size_t i = 0; i < tab->n; i++)
		free(tab->entries[i].command);
	free(tab->entries);
	free(tab);
}
