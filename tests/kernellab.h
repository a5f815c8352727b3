/*
 * A fake lab for the kernel slice's tests, driven only through its interfaces:
 * the control endpoint (virtual time, injections, ground truth), the router's
 * SSH, Home Assistant's REST API.
 */
#ifndef R4HIL_KERNELLAB_H
#define R4HIL_KERNELLAB_H

#include <stdint.h>

struct klab {
	char *tmp;
	struct hil_fakelab *lab;
	struct hil_lab *desc;
	struct hil_ssh *ssh;
	struct hil_ha *ha;
};

/* Start a fake lab (reference overlay, plus @extra_overlay if not NULL). */
void klab_start(struct klab *k, const char *tag, const char *extra_overlay);
/* The same without the reference overlay's cron jobs (tests/data/overlay-no-cron). */
void klab_start_without_cron(struct klab *k, const char *tag);
void klab_stop(struct klab *k);

/* Run @cmd on the router; its stdout (malloc'd), *status its exit status (may be NULL). */
char *klab_sh(struct klab *k, const char *cmd, int *status);
/* Run @cmd, which must exit 0; its stdout with trailing newlines removed. */
char *klab_ok(struct klab *k, const char *cmd);

/* Run @cmd, which must exit 0 and print @want (trailing newlines aside). */
void klab_assert_sh(struct klab *k, const char *cmd, const char *want);

/* Run @cmd that may take the router down with it (reboot, sysrq c): the session may be lost. */
void klab_fire(struct klab *k, const char *cmd);

int64_t klab_now(struct klab *k);
/* Let @ms of virtual time pass. */
void klab_advance(struct klab *k, int64_t ms);
/* Move to the next virtual minute plus @offset_ms (cron runs on whole minutes). */
void klab_align_minute(struct klab *k, int64_t offset_ms);
void klab_inject(struct klab *k, const char *name, const char *params_json);

/* The ground truth so far (malloc'd). */
char *klab_truth(struct klab *k);
/* The truth has a line {"t_ms":@at,"kind":"@kind","msg":"@msg... (prints the truth when not). */
int klab_truth_at(struct klab *k, int64_t at, const char *kind, const char *msg);
/* The truth contains @text. */
int klab_truth_has(struct klab *k, const char *text);
/* Wait (up to 5 s of wall time) until the truth contains @text: for what a router
 * process tells the model asynchronously, e.g. a signal to procd. */
void klab_wait_truth(struct klab *k, const char *text);
/* Occurrences of @needle in @hay. */
int klab_count(const char *hay, const char *needle);
/* HA's state of @entity (malloc'd), "" if unknown. */
char *klab_state(struct klab *k, const char *entity);
/* HA's state of @entity must be @want. */
void klab_assert_state(struct klab *k, const char *entity, const char *want);

#endif
