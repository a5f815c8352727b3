/* FLASH-1's transfer path: push over stdin, sha256 verified, sysupgrade -T, flash. */
#include "r4hil/sysupgrade.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "r4hil/ssh.h"

/* The whole of the regular file @path; NULL with errno. */
static char *read_image(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *data = NULL;
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) < 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EISDIR;
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data && fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(data);
		data = NULL;
		errno = EIO;
	}
	*len = (size_t)st.st_size;
out:
	fclose(f);
	return data;
}

/* What a failed `sysupgrade -T` printed, trailing blanks trimmed. */
static char *refusal(const struct hil_ssh_result *res)
{
	const char *text = res->err_len ? res->err : res->out;
	size_t len = res->err_len ? res->err_len : res->out_len;
	while (len > 0 && strchr(" \t\r\n", text[len - 1]))
		len--;
	char *why = NULL;
	if (len > 0)
		why = strndup(text, len);
	else if (asprintf(&why, "sysupgrade -T exited %d", res->exit_status) < 0)
		why = NULL;
	return why;
}

int hil_sysupgrade(struct hil_ssh *ssh, const char *image, int keep_settings, int timeout_ms,
		   enum hil_sysupgrade_outcome *outcome, char **why, char **err)
{
	size_t len = 0;
	char *data = read_image(image, &len);
	if (!data) {
		int ret = -errno;
		if (asprintf(err, "failed to read the image: %s: %s", image, strerror(errno)) < 0)
			*err = NULL;
		return ret;
	}
	int ret = hil_ssh_push(ssh, HIL_SYSUPGRADE_TARGET, data, len, timeout_ms, err);
	free(data);
	if (ret < 0)
		return ret;

	struct hil_ssh_result res = { 0 };
	ret = hil_ssh_exec(ssh, "sysupgrade -T " HIL_SYSUPGRADE_TARGET, NULL, 0, timeout_ms, &res, err);
	if (ret < 0)
		return ret;
	if (res.exit_status != 0) {
		*outcome = HIL_SYSUPGRADE_REFUSED;
		*why = refusal(&res);
		hil_ssh_result_free(&res);
		return 0;
	}
	hil_ssh_result_free(&res);

	const char *flash = keep_settings ? "sysupgrade " HIL_SYSUPGRADE_TARGET
					  : "sysupgrade -n " HIL_SYSUPGRADE_TARGET;
	ret = hil_ssh_exec(ssh, flash, NULL, 0, timeout_ms, &res, err);
	if (ret == -ECONNRESET) { /* "Closing all shell sessions": as intended */
		free(*err);
		*err = NULL;
		ret = 0;
	} else if (ret == 0 && res.exit_status != 0) {
		if (asprintf(err, "sysupgrade accepted the image with -T, then exited %d", res.exit_status) < 0)
			*err = NULL;
		ret = -EIO;
	}
	hil_ssh_result_free(&res);
	if (ret == 0)
		*outcome = HIL_SYSUPGRADE_FLASHING;
	return ret;
}
