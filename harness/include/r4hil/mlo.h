/*
 * The harness's own model of 002's MLO compatibility table (MLO-SAFE): which
 * wireless combinations of the MT7996 are supported, which a guard must refuse
 * (MLO-2), and which lock the chip's patch semaphore when applied with
 * `wifi reload` (MLO-1), a lock that costs a >= 15 min power-off on real hardware.
 *
 * The scenario loader uses it for `act: "wifi"` steps: it builds the router
 * command from the step, refuses scenarios that would send a locking combination
 * without `needs: ["mlo-lock"]`, and appends the recovery power-off to their
 * teardown.
 */
#ifndef R4HIL_MLO_H
#define R4HIL_MLO_H

#include <stddef.h>

struct json_object;

#define HIL_MLO_RADIOS 3                       /* radio0 2.4 GHz, radio1 5 GHz, radio2 6 GHz */
#define HIL_MLO_MAX_NETS 16
#define HIL_MLO_RECOVERY_OFF_MS (16 * 60000LL) /* >= 15 min unpowered clears the lock */
#define HIL_MLO_RECOVERY_BOOT_MS (3 * 60000LL) /* then boot and probe */

enum hil_mlo_class {
	HIL_MLO_SUPPORTED, /* in 002's table as working */
	HIL_MLO_FORBIDDEN, /* a guard must refuse it; applying it does not lock the chip */
	HIL_MLO_LOCKS,     /* forbidden, and `wifi reload` of it locks the chip (EDCCA) */
};

/* One network of a scenario's `act: "wifi"` step. */
struct hil_mlo_net {
	char name[32];   /* UCI section, [a-z0-9_]+ */
	int sta;         /* mode sta (else ap) */
	int mlo;
	int wds;         /* 4-address WDS bridge (or "role": "relayd") */
	int repeater;    /* "role": "repeater" */
	unsigned radios; /* bit i: radio i */
};

/*
 * Parse a JSON array of networks: {"name", "mode": "ap"|"sta", "radios": ["radio0",
 * ...], "mlo": bool, "wds": bool, "role": "repeater"|"relayd"}. Appends to
 * @nets (capacity HIL_MLO_MAX_NETS) at *n. 0, or -EINVAL with *why (static text).
 */
int hil_mlo_nets_parse(struct json_object *arr, struct hil_mlo_net *nets, size_t *n, const char **why);

/* Classify @nets (the whole wireless configuration); *rule: the first rule broken, or NULL. */
enum hil_mlo_class hil_mlo_classify(const struct hil_mlo_net *nets, size_t n, const char **rule);

/*
 * The router command of an `act: "wifi"` step: if @n_base >= 0, /etc/config/wireless
 * is rewritten with the three radios and @base (and /root/wireless.base keeps a copy);
 * @add is staged with `uci batch`; then @apply: "guard" (/usr/local/bin/mlo-guard.sh
 * apply), "reload" (commit + wifi reload, the guard bypassed), "reboot" (commit +
 * reboot) or "stage" (leave it staged). malloc'd; NULL on ENOMEM.
 */
char *hil_mlo_command(const struct hil_mlo_net *base, int n_base, const struct hil_mlo_net *add,
		      size_t n_add, const char *apply);

#endif
