#include "r4hil/backup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/ssh.h"

#define BACKUP_SSH_TIMEOUT_MS 15000

static const char *const files[] = { "/etc/config/wireless", "/etc/sfp-storm-watch.reboot" };
#define N_FILES (sizeof(files) / sizeof(files[0]))

struct hil_backup {
	struct {
		int exists;
		char *data;
		size_t len;
	} f[N_FILES];
};

/* Exit 3 means "not there", so that a read error is not mistaken for absence. */
static int read_remote(struct hil_ssh *ssh, const char *path, char **data, size_t *len, int *exists,
		       char **err)
{
	char cmd[256];
	struct hil_ssh_result res = { 0 };
	snprintf(cmd, sizeof(cmd), "if [ -e %s ]; then cat %s; else exit 3; fi", path, path);
	int ret = hil_ssh_exec(ssh, cmd, NULL, 0, BACKUP_SSH_TIMEOUT_MS, &res, err);
	if (ret < 0)
		return ret;
	*exists = res.exit_status != 3;
	if (res.exit_status != 0 && res.exit_status != 3) {
		if (asprintf(err, "reading %s exited %d: %.200s", path, res.exit_status, res.err) < 0)
			*err = NULL;
		hil_ssh_result_free(&res);
		return -EIO;
	}
	*data = res.out;
	*len = res.out_len;
	res.out = NULL;
	hil_ssh_result_free(&res);
	return 0;
}

struct hil_backup *hil_backup_take(struct hil_ssh *ssh, char **err)
{
	struct hil_backup *b = calloc(1, sizeof(*b));
	for (size_t i = 0; b && i < N_FILES; i++) {
		if (read_remote(ssh, files[i], &b->f[i].data, &b->f[i].len, &b->f[i].exists, err) < 0) {
			hil_backup_free(b);
			return NULL;
		}
	}
	return b;
}

int hil_backup_needed(const struct hil_backup *b)
{
	return b != NULL;
}

static int restore_one(struct hil_backup *b, size_t i, struct hil_ssh *ssh, char **err)
{
	char *now = NULL;
	size_t len = 0;
	int exists = 0;
	int ret = read_remote(ssh, files[i], &now, &len, &exists, err);
	if (ret < 0)
		return ret;
	int same = exists == b->f[i].exists && len == b->f[i].len && memcmp(now, b->f[i].data, len) == 0;
	free(now);
	if (same)
		return 0;
	if (b->f[i].exists)
		return hil_ssh_push(ssh, files[i], b->f[i].data, b->f[i].len, BACKUP_SSH_TIMEOUT_MS, err);
	char cmd[128];
	struct hil_ssh_result res = { 0 };
	snprintf(cmd, sizeof(cmd), "rm -f %s", files[i]);
	ret = hil_ssh_exec(ssh, cmd, NULL, 0, BACKUP_SSH_TIMEOUT_MS, &res, err);
	if (ret == 0 && res.exit_status != 0) {
		if (asprintf(err, "%s exited %d", cmd, res.exit_status) < 0)
			*err = NULL;
		ret = -EIO;
	}
	hil_ssh_result_free(&res);
	return ret;
}

int hil_backup_restore(struct hil_backup *b, struct hil_ssh *ssh, char **err)
{
	for (size_t i = 0; i < N_FILES; i++) {
		int ret = restore_one(b, i, ssh, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

const char *hil_backup_paths(const struct hil_backup *b)
{
	(void)b;
	return "/etc/config/wireless, /etc/sfp-storm-watch.reboot";
}

void hil_backup_free(struct hil_backup *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < N_FILES; i++)
		free(b->f[i].data);
	free(b);
}
