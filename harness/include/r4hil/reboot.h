/*
 * An expected reboot, measured: the board's SSH port stops accepting (down), then
 * accepts again and SSH answers with a new boot id (ssh back), then an optional
 * readiness command succeeds (services back). Each phase is a timeline event
 * "router.phase" with its measured time; the verdict is left to expectations.
 *
 * Timing uses TCP connects to the SSH port (precise to the probe period), not
 * SSH keepalives, which notice a dead link only after tens of seconds. Phase
 * durations ("after_ms") are measured on hil_clock_mono() (monotonic in a real
 * lab, virtual time in the fake lab); the events' timestamps stay on the
 * target's clock like the rest of the timeline. SSH after the port reopens is retried with backoff (dropbear may
 * accept before it can authenticate).
 */
#ifndef R4HIL_REBOOT_H
#define R4HIL_REBOOT_H

#include <stdint.h>

struct hil_target;
struct hil_timeline;

#define HIL_REBOOT_PROBE_MS 1000
#define HIL_REBOOT_BACKOFF_MAX_MS 8000
/* A new boot id is what tells a reboot from a dropped session. */
#define HIL_REBOOT_BOOT_ID_COMMAND "cat /proc/sys/kernel/random/boot_id"

struct hil_reboot_watch {
	struct hil_target *t;
	struct hil_timeline *tl;
	int64_t origin; /* epoch ms of the timeline's t = 0 */
	/* Let time pass until @until (epoch ms), observers polling; < 0 to stop (Ctrl-C). */
	int (*wait)(void *ctx, int64_t until);
	void *ctx;
};

/*
 * Watch one reboot until @deadline (epoch ms). @ready_command may be NULL.
 * Returns 0 when all phases were seen, 1 when the deadline passed first (the
 * phase reached is in the timeline as "no-reboot" or "not-back"), -EINTR when
 * @wait stopped it.
 */
int hil_expect_reboot(struct hil_reboot_watch *w, int64_t deadline, const char *ready_command);

#endif
