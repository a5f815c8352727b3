#include "r4hil/plan.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/backup.h"
#include "r4hil/duration.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/reboot.h"
#include "r4hil/scenario.h"
#include "r4hil/sysupgrade.h"
#include "r4hil/target.h"

struct plan {
	FILE *f;
	const struct hil_scenario *sc;
	const struct hil_target *t;
	const char *anchor; /* "t" before the steady state is known, "S" after */
	int64_t offset;     /* ms since the anchor */
};

static void at(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void at(struct plan *p, const char *fmt, ...)
{
	char d[32];
	va_list ap;
	fprintf(p->f, "  %s+%-10s ", p->anchor, hil_duration_format(p->offset, d, sizeof(d)));
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
	fputc('\n', p->f);
}

static const char *ssh_where(const struct plan *p, char *buf, size_t len)
{
	const struct hil_lab *lab = p->t->lab;
	snprintf(buf, len, "%s@%s:%d", lab->router.user, lab->router.host, lab->router.port);
	return buf;
}

/*
 * The probes of an expected reboot (reboot.h) and its deadline. How long the
 * board takes is not known in advance: later steps are timed from R, the
 * moment the watch ends.
 */
static void plan_reboot(struct plan *p, const struct hil_step *s)
{
	const struct hil_lab *lab = p->t->lab;
	json_object *v;
	int64_t within = 0;
	char where[160], w[32], dl[32], pr[32], bo[32];
	if (json_object_object_get_ex(s->params, "within", &v))
		hil_duration_parse(json_object_get_string(v), &within);
	ssh_where(p, where, sizeof(where));
	hil_duration_format(HIL_REBOOT_PROBE_MS, pr, sizeof(pr));
	at(p, "expect reboot within %s (deadline %s+%s); R = when the watch ends", hil_duration_format(within, w, sizeof(w)),
	   p->anchor, hil_duration_format(p->offset + within, dl, sizeof(dl)));
	fprintf(p->f, "%16s SSH %s: %s (the old boot id)\n", "", where, HIL_REBOOT_BOOT_ID_COMMAND);
	fprintf(p->f, "%16s down:          TCP connect %s:%d every %s until refused\n", "", lab->router.host,
		lab->router.port, pr);
	fprintf(p->f, "%16s ssh back:      TCP connect every %s until accepted, then SSH %s: %s until the boot id "
		"changes (retries %s doubling to %s)\n", "", pr, where, HIL_REBOOT_BOOT_ID_COMMAND, pr,
		hil_duration_format(HIL_REBOOT_BACKOFF_MAX_MS, bo, sizeof(bo)));
	if (json_object_object_get_ex(s->params, "ready_command", &v))
		fprintf(p->f, "%16s services back: SSH %s: %s every %s until it exits 0\n", "", where,
			json_object_get_string(v), pr);
	p->anchor = "R";
	p->offset = 0;
}

static void plan_act(struct plan *p, const struct hil_step *s)
{
	json_object *v;
	char where[160];
	if (strcmp(s->name, "expect-reboot") == 0) {
		plan_reboot(p, s);
		return;
	}
	if (strcmp(s->name, "plug") == 0) {
		int on = json_object_object_get_ex(s->params, "on", &v) && json_object_get_boolean(v);
		char *req = hil_plug_describe(p->t->plug, on);
		at(p, "plug %s %s: %s", hil_plug_type(p->t->plug), on ? "on" : "off", req ? req : "?");
		free(req);
		return;
	}
	if (strcmp(s->name, "flash") == 0) {
		int keep;
		char *image = hil_sysupgrade_image(p->sc, s, p->t->image, &keep);
		ssh_where(p, where, sizeof(where));
		at(p, "SSH %s: cat > %s < %s, then sha256sum (must match)", where, HIL_SYSUPGRADE_TARGET,
		   image ? image : "?");
		fprintf(p->f, "%16s SSH %s: sysupgrade -T %s; only if it exits 0: sysupgrade%s %s (the router reboots)\n",
			"", where, HIL_SYSUPGRADE_TARGET, keep ? "" : " -n", HIL_SYSUPGRADE_TARGET);
		free(image);
		return;
	}
	at(p, "SSH %s: %s", ssh_where(p, where, sizeof(where)),
	   json_object_object_get_ex(s->params, "command", &v) ? json_object_get_string(v) : "?");
}

/* What the GPIO rig of a real lab would do for an injection. */
static void plan_gpio(struct plan *p, const struct hil_step *s)
{
	const struct hil_lab *lab = p->t->lab;
	json_object *rate, *dur, *width, *carrier;
	if (!strcmp(s->name, "sfp.storm") && json_object_object_get_ex(s->params, "rate_per_s", &rate) &&
	    json_object_object_get_ex(s->params, "duration", &dur) &&
	    json_object_object_get_ex(s->params, "carrier", &carrier) && json_object_get_int(carrier) == 1)
		at(p, "GPIO %s: TX_FAULT (offset %u) pulse train %g/s for %s on absolute deadlines, line held throughout",
		   lab->gpio.chip, lab->gpio.tx_fault.offset, json_object_get_double(rate), json_object_get_string(dur));
	else if (!strcmp(s->name, "wifi.perst") && json_object_object_get_ex(s->params, "width_ms", &width))
		at(p, "GPIO %s: PERST# (offset %u) asserted for %lld ms", lab->gpio.chip, lab->gpio.perst.offset,
		   (long long)json_object_get_int64(width));
	else if (!strcmp(s->name, "sfp.storm-stop"))
		at(p, "GPIO %s: nothing (a pulse train ends by itself)", lab->gpio.chip);
	else
		at(p, "inject %s: not possible with the GPIO rig: the scenario is skipped", s->name);
}

static void plan_step(struct plan *p, const struct hil_step *s)
{
	char d[32], o[32];
	switch (s->kind) {
	case HIL_STEP_WAIT:
		at(p, "wait %s", hil_duration_format(s->duration_ms, d, sizeof(d)));
		p->offset += s->duration_ms;
		break;
	case HIL_STEP_ALIGN:
		at(p, "align to the next multiple of %s (+%s): up to %s later",
		   hil_duration_format(s->duration_ms, d, sizeof(d)),
		   hil_duration_format(s->offset_ms, o, sizeof(o)), d);
		break;
	case HIL_STEP_INJECT:
		if (!p->t->fakelab && p->t->lab->gpio.chip)
			plan_gpio(p, s);
		else if (p->t->fakelab)
			at(p, "inject %s: POST %s/control/%s %s", s->name, p->t->lab->control.url,
			   strcmp(s->name, "lab.fault") ? "inject" : "fault",
			   json_object_to_json_string_ext(s->params, JSON_C_TO_STRING_PLAIN));
		else
			at(p, "inject %s: not possible in this lab: the scenario is skipped", s->name);
		break;
	case HIL_STEP_ACT:
		plan_act(p, s);
		break;
	}
}

static void plan_steps(struct plan *p, const char *phase, const struct hil_step *steps, size_t n)
{
	if (n)
		fprintf(p->f, "  %s:\n", phase);
	for (size_t i = 0; i < n; i++)
		plan_step(p, &steps[i]);
}

static void plan_observers(struct plan *p)
{
	char d[32], where[160];
	size_t n = 0;
	char **entities = hil_scenario_ha_entities(p->sc, &n);
	fprintf(p->f, "  every %s: GET %s/api/history/period/<since>?filter_entity_id=",
		hil_duration_format(p->sc->observe_period_ms, d, sizeof(d)), p->t->lab->ha.url);
	for (size_t i = 0; i < n; i++) {
		fprintf(p->f, "%s%s", i ? "," : "", entities[i]);
		free(entities[i]);
	}
	free(entities);
	fprintf(p->f, "; plug %s read; SSH %s: %s\n", hil_plug_type(p->t->plug),
		ssh_where(p, where, sizeof(where)), HIL_REBOOT_BOOT_ID_COMMAND);
}

void hil_plan_print(FILE *f, const struct hil_scenario *sc, const struct hil_target *t)
{
	struct plan p = { .f = f, .sc = sc, .t = t, .anchor = "t" };
	char d[32], where[160];
	fprintf(f, "scenario %s (lab %s, %s clock)\n", sc->name, t->lab->name, t->fakelab ? "virtual" : "real");
	for (size_t i = 0; i < sc->n_needs; i++)
		if (!hil_lab_permits(t->lab, sc->needs[i]))
			fprintf(f, "  refused: the lab does not permit \"%s\"; nothing below would run\n", sc->needs[i]);
	plan_observers(&p);
	fprintf(f, "  setup:\n");
	at(&p, "SSH %s: back up %s", ssh_where(&p, where, sizeof(where)), hil_backup_paths(NULL));
	plan_steps(&p, "setup steps", sc->setup, sc->n_setup);
	if (sc->steady.present) {
		at(&p, "steady state: up to %s for %zu probe(s); S = when it holds",
		   hil_duration_format(sc->steady.settle_ms, d, sizeof(d)), sc->steady.n_probes);
		p.anchor = "S";
		p.offset = 0;
	}
	plan_steps(&p, "steps", sc->steps, sc->n_steps);
	if (sc->steady.present)
		at(&p, "recovery: up to %s for the steady state again", d);
	plan_steps(&p, "teardown", sc->teardown, sc->n_teardown);
	fprintf(f, "  teardown (always):\n");
	at(&p, "plug on if the harness switched it: %s", "read, then switch on if off");
	at(&p, "SSH %s: restore %s if changed (waits up to 5m for SSH)", where, hil_backup_paths(NULL));
}
