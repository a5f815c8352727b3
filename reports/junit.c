#include "r4hil/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writefile.h"

/* XML 1.0 cannot carry most control characters even escaped: replace them. */
static void xml_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\n': fputs("&#10;", f); break;
		case '\t': fputs("&#9;", f); break;
		case '\r': fputs("&#13;", f); break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
		}
	}
}

/* Element text may keep its newlines. */
static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputc('\n', f);
		else {
			char one[2] = { *s, 0 };

			xml_escape(f, one);
		}
	}
}

static void count(const struct hil_scenario_result *sr, size_t n[HIL_SKIPPED + 1])
{
	for (size_t i = 0; i < sr->n_checks; i++)
		n[sr->checks[i].status]++;
	if (sr->error)
		n[sr->status]++;
}

static void write_testcase(FILE *f, const char *scenario, const char *requirement, const char *id,
			   enum hil_status status, const char *message, const char *body)
{
	static const char *const tags[] = {
		[HIL_FAIL] = "failure", [HIL_ERROR] = "error", [HIL_SKIPPED] = "skipped",
	};

	fputs("    <testcase classname=\"r4hil.", f);
	xml_escape(f, scenario);
	fputs("\" name=\"[", f);
	xml_escape(f, requirement ? requirement : "-");
	fputs("] ", f);
	xml_escape(f, id);
	fputs("\" time=\"0\"", f);
	if (status == HIL_PASS) {
		fputs("/>\n", f);
		return;
	}
	fprintf(f, ">\n      <%s message=\"", tags[status]);
	xml_escape(f, message);
	if (status == HIL_SKIPPED || !body) {
		fputs("\"/>\n", f);
	} else {
		fprintf(f, "\" type=\"%s\">", hil_status_name(status));
		xml_text(f, message);
		fputs("\nevidence: ", f);
		xml_text(f, body);
		fprintf(f, "</%s>\n", tags[status]);
	}
	fputs("    </testcase>\n", f);
}

static void write_suite(FILE *f, const struct hil_scenario_result *sr)
{
	size_t n[HIL_SKIPPED + 1] = { 0 };
	const char *name = sr->name ? sr->name : "?";

	count(sr, n);
	fputs("  <testsuite name=\"", f);
	xml_escape(f, name);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		sr->n_checks + (sr->error ? 1 : 0), n[HIL_FAIL], n[HIL_ERROR], n[HIL_SKIPPED], sr->wall_s);
	fputs("    <properties>\n      <property name=\"requirements\" value=\"", f);
	for (size_t i = 0; i < sr->n_requirements; i++) {
		if (i)
			fputs(" ", f);
		xml_escape(f, sr->requirements[i]);
	}
	fputs("\"/>\n      <property name=\"summary\" value=\"", f);
	xml_escape(f, sr->summary);
	fprintf(f, "\"/>\n      <property name=\"virtual_ms\" value=\"%lld\"/>\n    </properties>\n",
		(long long)sr->virtual_ms);
	if (sr->error) {
		char *id;

		if (asprintf(&id, "scenario %s", name) >= 0) {
			write_testcase(f, name, "scenario", id, sr->status, sr->error, NULL);
			free(id);
		}
	}
	for (size_t i = 0; i < sr->n_checks; i++) {
		const struct hil_check_result *c = &sr->checks[i];

		write_testcase(f, name, c->requirement, c->id ? c->id : "?", c->status, c->message,
			       c->evidence_json);
	}
	fputs("  </testsuite>\n", f);
}

int hil_report_write_junit(const struct hil_run_result *run, const char *path)
{
	size_t total[HIL_SKIPPED + 1] = { 0 }, tests = 0, len = 0;
	double wall = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < run->n_scenarios; i++) {
		count(&run->scenarios[i], total);
		tests += run->scenarios[i].n_checks + (run->scenarios[i].error ? 1 : 0);
		wall += run->scenarios[i].wall_s;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"r4hil\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		tests, total[HIL_FAIL], total[HIL_ERROR], total[HIL_SKIPPED], wall);
	for (size_t i = 0; i < run->n_scenarios; i++)
		write_suite(f, &run->scenarios[i]);
	fputs("</testsuites>\n", f);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	ret = hil_report_write_file(path, text, len);
	free(text);
	return ret;
}
