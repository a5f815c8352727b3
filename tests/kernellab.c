#include "kernellab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "r4hil/fakelab.h"
#include "r4hil/ha.h"
#include "r4hil/lab.h"
#include "r4hil/ssh.h"
#include "testutil.h"

void klab_start(struct klab *k, const char *tag, const char *extra_overlay)
{
	memset(k, 0, sizeof(*k));
	k->tmp = hil_test_tmpdir(tag);
	char *dir, *bin, *ref, *err = NULL;
	if (asprintf(&dir, "%s/lab", k->tmp) < 0 || asprintf(&bin, "%s/r4hil-fakelab", hil_test_build_dir()) < 0 ||
	    asprintf(&ref, "%s/fixtures/overlay", hil_test_source_dir()) < 0)
		abort();
	const char *overlays[] = { ref, extra_overlay, NULL };
	struct hil_fakelab_options opt = { .dir = dir, .binary = bin, .overlays = overlays };
	k->lab = hil_fakelab_start(&opt, &err);
	ck_assert_msg(k->lab != NULL, "fake lab: %s", err);
	ck_assert_int_eq(0, hil_lab_load(hil_fakelab_lab_file(k->lab), &k->desc, &err));
	struct hil_ssh_config sc = {
		.host = k->desc->router.host, .port = k->desc->router.port, .user = k->desc->router.user,
		.key_path = k->desc->router.key, .known_hosts = k->desc->router.known_hosts,
	};
	k->ssh = hil_ssh_new(&sc);
	k->ha = hil_ha_new(k->desc->ha.url, k->desc->ha.token);
	free(dir);
	free(bin);
	free(ref);
}

void klab_start_without_cron(struct klab *k, const char *tag)
{
	char *overlay;
	if (asprintf(&overlay, "%s/tests/data/overlay-no-cron", hil_test_source_dir()) < 0)
		abort();
	klab_start(k, tag, overlay);
	free(overlay);
}

void klab_stop(struct klab *k)
{
	hil_ha_free(k->ha);
	hil_ssh_free(k->ssh);
	hil_lab_free(k->desc);
	hil_fakelab_stop(k->lab);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", k->tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", k->tmp);
	free(k->tmp);
}

char *klab_sh(struct klab *k, const char *cmd, int *status)
{
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	int ret = hil_ssh_exec(k->ssh, cmd, NULL, 0, 20000, &res, &err);
	ck_assert_msg(ret == 0, "ssh %s: %s", cmd, err ? err : "failed");
	if (status)
		*status = res.exit_status;
	char *out = res.out;
	res.out = NULL;
	hil_ssh_result_free(&res);
	return out;
}

char *klab_ok(struct klab *k, const char *cmd)
{
	int status;
	char *out = klab_sh(k, cmd, &status);
	ck_assert_msg(status == 0, "%s: exit %d", cmd, status);
	size_t n = strlen(out);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

void klab_assert_sh(struct klab *k, const char *cmd, const char *want)
{
	char *got = klab_ok(k, cmd);
	ck_assert_msg(strcmp(want, got) == 0, "%s: \"%s\", expected \"%s\"", cmd, got, want);
	free(got);
}

void klab_fire(struct klab *k, const char *cmd)
{
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	hil_ssh_exec(k->ssh, cmd, NULL, 0, 20000, &res, &err);
	hil_ssh_result_free(&res);
	free(err);
}

int64_t klab_now(struct klab *k)
{
	int64_t now;
	char *err = NULL;
	ck_assert_msg(hil_fakelab_now(k->lab, &now, &err) == 0, "time: %s", err);
	return now;
}

void klab_advance(struct klab *k, int64_t ms)
{
	char *err = NULL;
	ck_assert_msg(hil_fakelab_advance(k->lab, klab_now(k) + ms, &err) == 0, "advance: %s", err);
}

void klab_align_minute(struct klab *k, int64_t offset_ms)
{
	int64_t now = klab_now(k), next = (now / 60000 + 1) * 60000 + offset_ms;
	char *err = NULL;
	ck_assert_msg(hil_fakelab_advance(k->lab, next, &err) == 0, "advance: %s", err);
}

void klab_inject(struct klab *k, const char *name, const char *params_json)
{
	char *err = NULL;
	ck_assert_msg(hil_fakelab_inject(k->lab, name, params_json, &err) == 0, "%s: %s", name, err);
}

char *klab_truth(struct klab *k)
{
	char *text = NULL, *err = NULL;
	ck_assert_msg(hil_fakelab_truth(k->lab, &text, &err) == 0, "truth: %s", err);
	return text;
}

int klab_truth_at(struct klab *k, int64_t at, const char *kind, const char *msg)
{
	char *log = klab_truth(k), needle[512];
	snprintf(needle, sizeof(needle), "{\"t_ms\":%lld,\"kind\":\"%s\",\"msg\":\"%s", (long long)at, kind, msg);
	int found = strstr(log, needle) != NULL;
	if (!found)
		fprintf(stderr, "truth lacks %s; it has:\n%s\n", needle, log);
	free(log);
	return found;
}

int klab_truth_has(struct klab *k, const char *text)
{
	char *log = klab_truth(k);
	int found = strstr(log, text) != NULL;
	free(log);
	return found;
}

void klab_wait_truth(struct klab *k, const char *text)
{
	for (int i = 0; i < 500 && !klab_truth_has(k, text); i++)
		usleep(10000);
	ck_assert_msg(klab_truth_has(k, text), "truth never got \"%s\"", text);
}

int klab_count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

char *klab_state(struct klab *k, const char *entity)
{
	char *state = NULL, *err = NULL;
	if (hil_ha_get_state(k->ha, entity, &state, &err) < 0) {
		free(err);
		return strdup("");
	}
	return state;
}

void klab_assert_state(struct klab *k, const char *entity, const char *want)
{
	char *got = klab_state(k, entity);
	ck_assert_msg(strcmp(got, want) == 0, "%s is \"%s\", expected \"%s\"", entity, got, want);
	free(got);
}
