/* FLASH-1's transfer path: push over stdin, sha256 verified, sysupgrade -T, flash. */
#include "r4hil/sysupgrade.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/file.h"
#include "r4hil/scenario.h"
#include "r4hil/ssh.h"

char *hil_sysupgrade_image(const struct hil_scenario *sc, const struct hil_step *s, const char *image_override,
			   int *keep_settings)
{
	json_object *v;
	*keep_settings = !json_object_object_get_ex(s->params, "keep_settings", &v) || json_object_get_boolean(v);
	if (image_override)
		return strdup(image_override);
	return hil_scenario_path_of(sc, json_object_get_string(json_object_object_get(s->params, "image")));
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
	char *data = NULL;
	int ret = hil_file_read(image, &data, &len);
	if (ret < 0) {
		if (asprintf(err, "failed to read the image: %s: %s", image, strerror(-ret)) < 0)
			*err = NULL;
		return ret;
	}
	ret = hil_ssh_push(ssh, HIL_SYSUPGRADE_TARGET, data, len, timeout_ms, err);
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
