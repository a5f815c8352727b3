#include "r4hil/reboot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/clock.h"
#include "r4hil/lab.h"
#include "r4hil/ssh.h"
#include "r4hil/target.h"
#include "r4hil/timeline.h"

#define PROBE_TIMEOUT_MS 1000
#define EXEC_TIMEOUT_MS 10000

static int64_t now(struct hil_reboot_watch *w)
{
	return hil_clock_now(w->t->clock);
}

/* Phase durations: a wall clock stepped mid-reboot must not distort them. */
static int64_t mono(struct hil_reboot_watch *w)
{
	return hil_clock_mono(w->t->clock);
}

static int port_open(struct hil_reboot_watch *w)
{
	const struct hil_lab *lab = w->t->lab;
	return hil_tcp_probe(lab->router.host, lab->router.port, PROBE_TIMEOUT_MS) == 0;
}

/* Run @cmd; 0 with its first output line in @out (may be NULL) when it exits 0. */
static int run(struct hil_reboot_watch *w, const char *cmd, char *out, size_t len)
{
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	int ret = hil_ssh_exec(w->t->router, cmd, NULL, 0, EXEC_TIMEOUT_MS, &res, &err);
	if (ret == 0 && res.exit_status != 0)
		ret = -EIO;
	if (ret == 0 && out) {
		res.out[strcspn(res.out, "\r\n")] = '\0';
		snprintf(out, len, "%s", res.out);
	}
	hil_ssh_result_free(&res);
	free(err);
	return ret;
}

/* A phase reached @since (on mono()) + after_ms, stamped on the engine's clock. */
static void phase(struct hil_reboot_watch *w, const char *value, int64_t since, const char *boot_id)
{
	char detail[160];
	long long after = (long long)(mono(w) - since);
	if (boot_id)
		snprintf(detail, sizeof(detail), "{\"after_ms\":%lld,\"boot_id\":\"%s\"}", after, boot_id);
	else
		snprintf(detail, sizeof(detail), "{\"after_ms\":%lld}", after);
	hil_timeline_add(w->tl, now(w) - w->origin, "router", "router.phase", value, detail);
}

/* Poll @until_true on the probe period until it holds or @deadline passes: 1, 0, or -EINTR. */
static int poll_until(struct hil_reboot_watch *w, int64_t deadline, int (*cond)(struct hil_reboot_watch *, void *),
		      void *arg, int64_t *period)
{
	for (;;) {
		if (cond(w, arg))
			return 1;
		if (now(w) >= deadline)
			return 0;
		int64_t next = now(w) + *period;
		if (w->wait(w->ctx, next < deadline ? next : deadline) < 0)
			return -EINTR;
	}
}

static int is_down(struct hil_reboot_watch *w, void *arg)
{
	(void)arg;
	return !port_open(w);
}

static int is_up(struct hil_reboot_watch *w, void *arg)
{
	(void)arg;
	return port_open(w);
}

struct ssh_back {
	const char *old_id;
	char id[64];
	int64_t *period;
};

/* A new boot id over SSH; between tries the period doubles up to the cap. */
static int new_boot(struct hil_reboot_watch *w, void *arg)
{
	struct ssh_back *b = arg;
	if (run(w, HIL_REBOOT_BOOT_ID_COMMAND, b->id, sizeof(b->id)) == 0 &&
	    strcmp(b->id, b->old_id) != 0)
		return 1;
	*b->period = *b->period * 2 > HIL_REBOOT_BACKOFF_MAX_MS ? HIL_REBOOT_BACKOFF_MAX_MS : *b->period * 2;
	return 0;
}

static int ready(struct hil_reboot_watch *w, void *arg)
{
	return run(w, arg, NULL, 0) == 0;
}

int hil_expect_reboot(struct hil_reboot_watch *w, int64_t deadline, const char *ready_command)
{
	int64_t start = mono(w), period = HIL_REBOOT_PROBE_MS;
	char old_id[64] = "";
	if (port_open(w))
		run(w, HIL_REBOOT_BOOT_ID_COMMAND, old_id, sizeof(old_id));
	hil_ssh_disconnect(w->t->router); /* the session dies with the board: drop it now */

	int ret = poll_until(w, deadline, is_down, NULL, &period);
	if (ret <= 0) {
		if (ret == 0)
			phase(w, "no-reboot", start, NULL);
		return ret < 0 ? ret : 1;
	}
	phase(w, "down", start, NULL);
	int64_t down = mono(w);
	ret = poll_until(w, deadline, is_up, NULL, &period);
	struct ssh_back b = { .old_id = old_id, .period = &period };
	if (ret > 0) {
		period = HIL_REBOOT_PROBE_MS;
		ret = poll_until(w, deadline, new_boot, &b, &period);
	}
	if (ret <= 0) {
		if (ret == 0)
			phase(w, "not-back", down, NULL);
		return ret < 0 ? ret : 1;
	}
	phase(w, "ssh-back", down, b.id);
	if (ready_command) {
		period = HIL_REBOOT_PROBE_MS;
		ret = poll_until(w, deadline, ready, (void *)ready_command, &period);
		if (ret <= 0) {
			if (ret == 0)
				phase(w, "services-not-back", down, NULL);
			return ret < 0 ? ret : 1;
		}
	}
	phase(w, "services-back", down, NULL);
	return 0;
}
