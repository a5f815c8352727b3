#include "world/sfp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/util.h"
#include "world/model.h"
#include "world/modelfs.h"
#include "core/truth.h"

#define DRIVER "sys/bus/platform/drivers/sfp"

/* Which recovery clears a wedged WAN module (REC-1); NONE: only losing power does. */
enum wedge { WEDGE_NONE_ACTIVE, WEDGE_LINK, WEDGE_IFUP, WEDGE_REBIND, WEDGE_FOREVER };

static const char *const wedge_names[] = { "", "link", "ifup", "rebind", "none" };

struct sfp {
	struct fl_world *w;
	const char *dir;
	int bound[3];          /* [1] sfp1 (WAN), [2] sfp2 (LAN) */
	enum wedge wedge;
	int lan_zero;          /* NET-2: GMAC1's data path corrupted (survives reboots: it is the firmware) */
	int watch;
};

static struct sfp *sfp_of(const struct fl_world *w)
{
	return fl_world_model_state(w, "sfp");
}

int fl_sfp_link_ok(const struct fl_world *w, int cage)
{
	const struct sfp *m = sfp_of(w);
	if (!m)
		return 1;
	return m->bound[cage] && !(cage == 1 && m->wedge != WEDGE_NONE_ACTIVE);
}

int fl_sfp_lan_zero_traffic(const struct fl_world *w)
{
	const struct sfp *m = sfp_of(w);
	return m && m->lan_zero;
}

static void unwedge(struct sfp *m, const char *how)
{
	fl_truth_log(fl_world_truth(m->w), "sfp.wedge", "sfp1 unwedged by %s", how);
	m->wedge = WEDGE_NONE_ACTIVE;
}

/* A recovery reaches the wedge when it is at least as strong as the wedge needs. */
static void try_unwedge(struct sfp *m, enum wedge strength, const char *how)
{
	if (m->wedge != WEDGE_NONE_ACTIVE && m->wedge != WEDGE_FOREVER && m->wedge <= strength)
		unwedge(m, how);
}

void fl_sfp_wan_action(struct fl_world *w, enum fl_sfp_action action)
{
	struct sfp *m = sfp_of(w);
	if (!m)
		return;
	static const enum wedge strength[] = { [FL_SFP_LINK_BOUNCE] = WEDGE_LINK,
					       [FL_SFP_IFUP] = WEDGE_IFUP, [FL_SFP_REBIND] = WEDGE_REBIND };
	static const char *const how[] = { [FL_SFP_LINK_BOUNCE] = "a link bounce",
					   [FL_SFP_IFUP] = "ifdown/ifup wan", [FL_SFP_REBIND] = "rebind" };
	try_unwedge(m, strength[action], how[action]);
}

/* The driver's directory shows one entry per bound device, as sysfs does. */
static void write_files(struct sfp *m)
{
	char path[4096];
	for (int cage = 1; cage <= 2; cage++) {
		snprintf(path, sizeof(path), "%s/" DRIVER "/sfp%d", m->dir, cage);
		if (m->bound[cage])
			fl_util_mkdirs(path, 0755);
		else
			rmdir(path);
	}
}

static int cage_of(const char *name)
{
	if (strcmp(name, "sfp1") == 0)
		return 1;
	if (strcmp(name, "sfp2") == 0)
		return 2;
	return 0;
}

static void bind_cage(struct sfp *m, int cage, int bind)
{
	if (m->bound[cage] == bind) {
		/* the kernel refuses: -EBUSY on bind, -ENODEV on unbind */
		fl_truth_log(fl_world_truth(m->w), "sfp.driver", "%s sfp%d refused: already %s",
			     bind ? "bind" : "unbind", cage, bind ? "bound" : "unbound");
		return;
	}
	m->bound[cage] = bind;
	fl_truth_log(fl_world_truth(m->w), "sfp.driver", "sfp%d %s", cage, bind ? "bound: module probed" : "unbound");
	if (bind && cage == 1)
		try_unwedge(m, WEDGE_REBIND, "rebind");
}

/* The requests written to unbind or bind (@text, tokenized here): each names a device. */
static void take_requests(struct sfp *m, char *text, int bind)
{
	for (char *save = NULL, *tok = text ? strtok_r(text, " \t\n", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		int cage = cage_of(tok);
		if (cage)
			bind_cage(m, cage, bind);
		else
			fl_truth_log(fl_world_truth(m->w), "sfp.driver", "%s \"%s\" refused: no such device",
				     bind ? "bind" : "unbind", tok);
	}
}

/*
 * Seen on every write (IN_MODIFY), emptied once the link and the models followed:
 * the writer's write() returns then (sandbox/procredir), as a sysfs write returns
 * after the driver core bound or unbound the device.
 */
static void on_driver_write(void *arg, int fd)
{
	struct sfp *m = arg;
	char ev[4096], path[2][4096];
	char *text[2];
	size_t len[2] = { 0, 0 };
	if (read(fd, ev, sizeof(ev)) <= 0)
		return;
	for (int k = 0; k < 2; k++) {
		snprintf(path[k], sizeof(path[k]), "%s/" DRIVER "/%s", m->dir, k ? "bind" : "unbind");
		text[k] = fl_util_read_file(path[k], &len[k]);
	}
	/* unbind before bind: a script writes them in that order, and one read may see both */
	take_requests(m, text[0], 0);
	take_requests(m, text[1], 1);
	write_files(m);
	fl_world_changed(m->w);
	for (int k = 0; k < 2; k++) {
		if (text[k] && len[k] > 0 && truncate(path[k], 0) < 0)
			fl_truth_log(fl_world_truth(m->w), "lab.error", "cannot empty %s", path[k]);
		free(text[k]);
	}
}

static int sfp_init(struct fl_world *w, void **state, char **err)
{
	struct sfp *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->w = w;
	m->dir = fl_world_model_dir(w);
	m->bound[1] = m->bound[2] = 1;
	m->watch = -1;
	char path[4096];
	int ret = fl_modelfs_writable(m->dir, DRIVER "/unbind");
	if (!ret)
		ret = fl_modelfs_writable(m->dir, DRIVER "/bind");
	if (!ret)
		ret = fl_modelfs_printf(m->dir, DRIVER "/uevent", "DRIVER=sfp\n");
	if (ret < 0) {
		free(m);
		return fl_util_err(err, ret, "failed to create the sfp driver files: %s", strerror(-ret));
	}
	m->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	for (int k = 0; k < 2 && m->watch >= 0; k++) {
		snprintf(path, sizeof(path), "%s/" DRIVER "/%s", m->dir, k ? "bind" : "unbind");
		if (inotify_add_watch(m->watch, path, IN_MODIFY) < 0) {
			close(m->watch);
			m->watch = -1;
		}
	}
	if (m->watch < 0) {
		free(m);
		return fl_util_err(err, -errno, "failed to watch the sfp driver files: %s", strerror(errno));
	}
	fl_fd_watch(fl_world_loop(w), m->watch, on_driver_write, m);
	write_files(m);
	*state = m;
	return 0;
}

static void sfp_free(void *state)
{
	struct sfp *m = state;
	fl_fd_unwatch(fl_world_loop(m->w), m->watch);
	close(m->watch);
	free(m);
}

/* A new kernel probes both cages again: a wedge a rebind clears is gone too. */
static void sfp_reset(void *state)
{
	struct sfp *m = state;
	m->bound[1] = m->bound[2] = 1;
	try_unwedge(m, WEDGE_REBIND, "the boot's probe");
	write_files(m);
}

static void sfp_power(void *state, int on)
{
	struct sfp *m = state;
	/* the module (the ONU stick) loses power: whatever wedged it is gone */
	if (!on && m->wedge != WEDGE_NONE_ACTIVE)
		unwedge(m, "power loss");
}

static int sfp_inject(void *state, const char *what, json_object *params, char **err)
{
	struct sfp *m = state;
	if (strcmp(what, "wedge") == 0) {
		json_object *v;
		const char *kind = params && json_object_object_get_ex(params, "clears_at", &v)
					   ? json_object_get_string(v) : "";
		for (int k = WEDGE_LINK; k <= WEDGE_FOREVER; k++) {
			if (strcmp(kind, wedge_names[k]) == 0) {
				m->wedge = (enum wedge)k;
				fl_truth_log(fl_world_truth(m->w), "sfp.wedge",
					     "sfp1 wedged: no carrier until %s", kind);
				fl_world_changed(m->w);
				return 0;
			}
		}
		return fl_util_err(err, -EINVAL,
				   "sfp.wedge needs clears_at \"link\", \"ifup\", \"rebind\" or \"none\"");
	}
	if (strcmp(what, "wedge-stop") == 0) {
		if (m->wedge != WEDGE_NONE_ACTIVE)
			unwedge(m, "the harness");
		fl_world_changed(m->w);
		return 0;
	}
	if (strcmp(what, "lan-zero-traffic") == 0 || strcmp(what, "lan-zero-traffic-stop") == 0) {
		m->lan_zero = strcmp(what, "lan-zero-traffic") == 0;
		fl_truth_log(fl_world_truth(m->w), "sfp.lan", "GMAC1 data path %s",
			     m->lan_zero ? "corrupted: sfp-lan up, zero bytes" : "healthy");
		fl_world_changed(m->w);
		return 0;
	}
	return fl_util_err(err, -EINVAL, "unknown injection \"sfp.%s\"", what);
}

const struct fl_model_ops fl_sfp_model = {
	.name = "sfp",
	.init = sfp_init,
	.free = sfp_free,
	.power = sfp_power,
	.reset = sfp_reset,
	.inject = sfp_inject,
};
