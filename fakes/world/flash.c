/*
 * The router's flash (FLASH-1, HEALTH-2): what `sysupgrade IMAGE` does to the
 * filesystem. The firmware image is the rootfs the lab assembled at start
 * (template, overlays, provisioning), kept pristine in cfg.image. A sysupgrade
 * reboots; at the SoC reset the rootfs is written back from the image, as the
 * real flash replaces squashfs and wipes the overlay, and the configuration
 * archive the sysupgrade shim saved (/sysupgrade.tgz: the files of
 * /etc/sysupgrade.conf and /lib/upgrade/keep.d/, unless -n) is unpacked over it,
 * as OpenWrt's first boot does. Anything else written since the last flash (a
 * ring not listed, a gate file, an edited init script) is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/beneath.h"
#include "sandbox/rootfs.h"
#include "core/util.h"
#include "core/httpd.h"
#include "world/model.h"
#include "core/truth.h"
#include "world/world.h"

#define KEEP_ARCHIVE "sysupgrade.tgz" /* at the rootfs' top, where the shim writes it */

struct flash {
	struct fl_world *w;
	int pending; /* a sysupgrade was accepted: re-image at the next SoC reset */
};

static int flash_init(struct fl_world *w, void **state, char **err)
{
	(void)err;
	struct flash *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->w = w;
	*state = f;
	return 0;
}

static void flash_free(void *state)
{
	free(state);
}

/* Run @argv to completion, stdin from @in_fd (-1: none); 0 if it exited 0, else -EIO with *@err naming it. */
static int run(char *const *argv, int in_fd, char **err)
{
	char *out = NULL;
	int ok = fl_util_exited_ok(fl_util_run_input(argv, in_fd, &out));
	if (!ok)
		fl_util_err(err, -EIO, "%s failed: %s", argv[0], out && *out ? out : "no output");
	free(out);
	return ok ? 0 : -EIO;
}

/*
 * Unpack the router's archive (on @archive_fd) over @rootfs with the image's own
 * busybox tar, in a sandbox whose root is the rootfs: whatever the archive holds
 * (links out, ../ names, devices), tar cannot write outside it. The host's tar
 * would follow the rootfs' own links and, as root, create devices.
 */
static int unpack(const char *rootfs, int archive_fd, char **err)
{
	char *argv[40] = { R4HIL_BWRAP, "--die-with-parent", "--unshare-pid", "--unshare-ipc",
			   "--unshare-uts", "--unshare-net", "--cap-drop", "ALL" };
	int n = 8;
	/* root's tar restores owners and modes, as on the board */
	static const char *const caps[] = { "CAP_CHOWN", "CAP_FOWNER", "CAP_FSETID", "CAP_DAC_OVERRIDE" };
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		argv[n++] = "--cap-add", argv[n++] = (char *)caps[i];
	argv[n++] = "--bind", argv[n++] = (char *)rootfs, argv[n++] = "/";
	/* the dynamic busybox's libraries, as the router sandbox binds them */
	argv[n++] = "--ro-bind", argv[n++] = "/usr/lib", argv[n++] = "/usr/lib";
	if (access("/usr/lib64", F_OK) == 0)
		argv[n++] = "--ro-bind", argv[n++] = "/usr/lib64", argv[n++] = "/usr/lib64";
	char *const rest[] = { "--clearenv", "--chdir", "/", "/bin/busybox", "tar", "-xzf", "-", "-C", "/", NULL };
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		argv[n++] = rest[i];
	return run(argv, archive_fd, err);
}

/* Write the image back over @rootfs, then the kept configuration if the shim saved one. */
static int reimage(const char *rootfs, const char *image, int *kept, char **err)
{
	/* the router's file: a link (to a host archive) or a FIFO is no configuration */
	int archive = fl_beneath_open_file_at(rootfs, "/" KEEP_ARCHIVE, O_RDONLY | O_NOFOLLOW, 0, NULL);
	*kept = archive >= 0;
	char *const wipe[] = { "/usr/bin/find", (char *)rootfs, "-mindepth", "1", "-maxdepth", "1",
			       "-exec", "rm", "-rf", "{}", "+", NULL };
	int ret = run(wipe, -1, err);
	if (ret == 0)
		ret = fl_rootfs_assemble(image, NULL, rootfs, err);
	if (ret == 0 && *kept)
		ret = unpack(rootfs, archive, err);
	if (archive >= 0)
		close(archive);
	return ret;
}

static void flash_reset(void *state)
{
	struct flash *f = state;
	const char *image = fl_world_cfg(f->w)->image;
	if (!f->pending || !image)
		return;
	f->pending = 0;
	char *err = NULL;
	int kept = 0;
	struct fl_truth *truth = fl_world_truth(f->w);
	if (reimage(fl_world_rootfs(f->w), image, &kept, &err) < 0) {
		fl_truth_log(truth, "lab.error", "flash: could not re-image the rootfs: %s", err ? err : "?");
		free(err);
		return;
	}
	fl_truth_log(truth, "flash", "rootfs written from the image%s",
		     kept ? ", the saved configuration restored" : ", no configuration kept");
}

static int flash_hw(void *state, const char *action, json_object *body, struct fl_http_resp *resp)
{
	struct flash *f = state;
	json_object *sum = NULL, *keep = NULL;
	if (strcmp(action, "sysupgrade") != 0) {
		fl_http_replyf(resp, 404, "{\"message\":\"no flash action %s\"}", action);
		return 0;
	}
	if (!body || !json_object_object_get_ex(body, "sha256", &sum)) {
		fl_http_reply(resp, 400, "{\"message\":\"sysupgrade needs the image's sha256\"}");
		return 0;
	}
	json_object_object_get_ex(body, "keep_settings", &keep);
	if (fl_world_router_request(f->w, "reboot") < 0) {
		fl_http_reply(resp, 409, "{\"message\":\"the router is already going down\"}");
		return 0;
	}
	f->pending = 1;
	fl_truth_log(fl_world_truth(f->w), "flash", "sysupgrade: image sha256 %s flashed, rebooting (%s)",
		     json_object_get_string(sum),
		     keep && !json_object_get_boolean(keep) ? "settings discarded" : "settings kept");
	fl_http_reply(resp, 200, "{\"flashing\":true}");
	return 0;
}

const struct fl_model_ops fl_flash_model = {
	.name = "flash",
	.init = flash_init,
	.free = flash_free,
	.reset = flash_reset,
	.hw = flash_hw,
};
