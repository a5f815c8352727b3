/*
 * The harness's side of r4hil-fakelab: start it, talk to its control endpoint
 * (virtual time, physical injections, ground truth), stop it.
 */
#ifndef R4HIL_FAKELAB_H
#define R4HIL_FAKELAB_H

#include <stdint.h>

struct hil_fakelab;

struct hil_fakelab_options {
	const char *binary;          /* NULL: r4hil-fakelab next to the running program */
	const char *dir;             /* its run directory (created) */
	const char *const *overlays; /* NULL-terminated; NULL: its default */
	const char *automations;     /* NULL: its default */
	const char *ha_config;       /* NULL: its default */
	const char *log_path;        /* its stdout/stderr; NULL: dir/fakelab.log */
	const char *plug;            /* its plug's API type (--plug); NULL: its default */
};

/*
 * Start the fake lab and wait (real time, at most 30 s) until it has written its
 * lab file. NULL with *err set if it did not come up (its log is quoted).
 */
struct hil_fakelab *hil_fakelab_start(const struct hil_fakelab_options *opt, char **err);

/*
 * Load @opt's automations and HA configuration (NULL: the defaults) as a start
 * would, without starting anything (r4hil-fakelab --check). 0, or -EINVAL with
 * *@err holding the first error (file:line:col: ...).
 */
int hil_fakelab_check_inputs(const struct hil_fakelab_options *opt, char **err);

/* Attach to an already running fake lab through its lab file's control section. */
struct hil_fakelab *hil_fakelab_attach(const char *control_url, const char *control_token);

/* Path of the lab file it wrote (valid while @lab lives). */
const char *hil_fakelab_lab_file(const struct hil_fakelab *lab);

/* Virtual now, in ms since the epoch; cached between advances. -errno on failure. */
int hil_fakelab_now(struct hil_fakelab *lab, int64_t *now, char **err);
int hil_fakelab_advance(struct hil_fakelab *lab, int64_t to_ms, char **err);
/* A physical injection; @params_json is a JSON object text. */
int hil_fakelab_inject(struct hil_fakelab *lab, const char *name, const char *params_json, char **err);
/*
 * A lab failure for robustness tests (fakes/servers/faults.h): @target "plug"
 * (mode "fail", "stuck", "ok"), "ssh" ("drop", "ok"), "ha" ("refuse-token", "ok").
 */
int hil_fakelab_fault(struct hil_fakelab *lab, const char *target, const char *mode, char **err);
/* The ground-truth log (JSON lines), malloc'd. */
int hil_fakelab_truth(struct hil_fakelab *lab, char **text, char **err);

/* Ask it to shut down and wait for it (kill after 10 s). NULL-safe. */
void hil_fakelab_stop(struct hil_fakelab *lab);

#endif
