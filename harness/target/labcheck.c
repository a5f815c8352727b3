#include "r4hil/labcheck.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/fakelab.h"
#include "r4hil/gpio.h"
#include "r4hil/ha.h"
#include "r4hil/http.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/ssh.h"
#include "r4hil/target.h"

#define CHECK_TIMEOUT_MS 5000

struct table {
	FILE *out;
	int failed;
};

static void row(struct table *t, const char *what, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void row(struct table *t, const char *what, const char *status, const char *fmt, ...)
{
	va_list ap;
	fprintf(t->out, "%-14s %-5s ", what, status);
	va_start(ap, fmt);
	vfprintf(t->out, fmt, ap);
	va_end(ap);
	fputc('\n', t->out);
	if (strcmp(status, "FAIL") == 0)
		t->failed++;
}

/* TCP first (a precise reason), then SSH with the pinned key, then what runs there. */
static void check_ssh(struct table *t, const char *what, const struct hil_lab_ssh *c)
{
	char name[32];
	int ret = hil_tcp_probe(c->host, c->port, CHECK_TIMEOUT_MS);
	snprintf(name, sizeof(name), "%s tcp", what);
	if (ret < 0) {
		row(t, name, "FAIL", "%s:%d: %s", c->host, c->port, strerror(-ret));
		return;
	}
	row(t, name, "ok", "%s:%d accepts", c->host, c->port);
	struct hil_ssh_config sc = { .host = c->host, .port = c->port, .user = c->user, .key_path = c->key,
				     .known_hosts = c->known_hosts, .connect_timeout_ms = CHECK_TIMEOUT_MS };
	struct hil_ssh *ssh = hil_ssh_new(&sc);
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	snprintf(name, sizeof(name), "%s ssh", what);
	ret = ssh ? hil_ssh_exec(ssh, "uname -sr; cat /proc/sys/kernel/random/boot_id", NULL, 0,
				  CHECK_TIMEOUT_MS, &res, &err) : -ENOMEM;
	if (ret < 0 || res.exit_status != 0) {
		row(t, name, "FAIL", "%s", ret == -EPERM ? "host key does not match the pinned known_hosts: refused"
				  : err ? err : res.err ? res.err : "command failed");
	} else {
		for (char *p = res.out; *p; p++)
			if (*p == '\n')
				*p = p[1] ? ';' : '\0';
		row(t, name, "ok", "%s@%s host key pinned; %s", c->user, c->host, res.out);
	}
	hil_ssh_result_free(&res);
	hil_ssh_free(ssh);
	free(err);
}

static void check_ha(struct table *t, const struct hil_lab *lab)
{
	char *url = NULL, *err = NULL;
	struct hil_http_resp resp = { 0 };
	if (asprintf(&url, "%s/api/", lab->ha.url) < 0)
		return;
	int ret = hil_http_request("GET", url, lab->ha.token, NULL, CHECK_TIMEOUT_MS, &resp, &err);
	if (ret < 0)
		row(t, "ha", "FAIL", "%s", err ? err : strerror(-ret));
	else if (resp.status == 401 || resp.status == 403)
		row(t, "ha", "FAIL", "%s: HTTP %ld: the token (%s) is refused", url, resp.status, lab->ha.token_source);
	else if (resp.status != 200)
		row(t, "ha", "FAIL", "%s: HTTP %ld", url, resp.status);
	else
		row(t, "ha", "ok", "%s: token (%s) accepted", url, lab->ha.token_source);
	hil_http_resp_free(&resp);
	free(url);
	free(err);
}

static void check_plug(struct table *t, const struct hil_lab *lab)
{
	char *err = NULL;
	struct hil_plug *plug = hil_target_plug(lab, &err);
	int on = 0, ret = plug ? hil_plug_get(plug, &on, &err) : -EINVAL;
	if (ret == -EOPNOTSUPP)
		row(t, "plug", "ok", "%s %s: configured (it cannot report its state)", lab->plug.type, lab->plug.url);
	else if (ret < 0)
		row(t, "plug", "FAIL", "%s", err ? err : strerror(-ret));
	else
		row(t, "plug", "ok", "%s: relay is %s", lab->plug.type, on ? "on" : "OFF");
	hil_plug_free(plug);
	free(err);
}

static void check_gpio(struct table *t, const struct hil_lab *lab, struct hil_fakelab *fake)
{
	char *err = NULL, *detail = NULL;
	if (!lab->gpio.chip && !fake) {
		row(t, "gpio", "skip", "no gpio section: GPIO scenarios are skipped");
		return;
	}
	struct hil_gpio *g = hil_gpio_open(lab, fake, &err);
	int ret = g ? g->ops->check(g, &detail, &err) : -EINVAL;
	if (ret < 0)
		row(t, "gpio", "FAIL", "%s", err ? err : strerror(-ret));
	else
		row(t, "gpio", "ok", "%s", detail ? detail : "");
	hil_gpio_free(g);
	free(err);
	free(detail);
}

int hil_lab_check(const struct hil_lab *lab, FILE *out)
{
	struct table t = { .out = out };
	struct hil_fakelab *fake = hil_lab_is_fake(lab) ? hil_fakelab_attach(lab->control.url, lab->control.token)
							 : NULL;
	fprintf(out, "%-14s %-5s %s\n", "CHECK", "STATE", "DETAIL");
	row(&t, "lab", "ok", "%s (%s): %s clock", lab->name, lab->path, fake ? "virtual" : "real");
	check_ssh(&t, "router", &lab->router);
	if (lab->onu.host)
		check_ssh(&t, "onu", &lab->onu);
	else
		row(&t, "onu", "skip", "no onu section");
	check_ha(&t, lab);
	check_plug(&t, lab);
	check_gpio(&t, lab, fake);
	if (fake) {
		int64_t now;
		char *err = NULL;
		if (hil_fakelab_now(fake, &now, &err) < 0)
			row(&t, "control", "FAIL", "%s", err ? err : "unreachable");
		else
			row(&t, "control", "ok", "%s: virtual time %lld", lab->control.url, (long long)now);
		free(err);
	}
	char permits[64] = "";
	for (int i = 0; i < lab->n_permits; i++)
		snprintf(permits + strlen(permits), sizeof(permits) - strlen(permits), "%s%s", i ? ", " : "",
			 lab->permits[i]);
	row(&t, "permits", "ok", "%s", lab->n_permits ? permits : "none: scenarios that need power, panic, mlo-lock or gpio are refused");
	hil_fakelab_stop(fake);
	return t.failed;
}
