#include "r4hil/ssh.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* 'path' for the remote shell; single quotes inside become '\''. */
static char *shell_quote(const char *s)
{
	size_t n = 3;
	char *q, *p;

	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	q = malloc(n);
	if (!q)
		return NULL;
	p = q;
	*p++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *s;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

static int sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -EIO;
	for (unsigned int i = 0; i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	return 0;
}

static int run_checked(struct hil_ssh *ssh, const char *cmd, const void *in,
		       size_t len, int timeout_ms, struct hil_ssh_result *res,
		       const char *path, char **err)
{
	int ret = hil_ssh_exec(ssh, cmd, in, len, timeout_ms, res, err);

	if (ret)
		return ret;
	if (res->exit_status != 0) {
		hil_transport_seterr(err, "failed to push: %s: '%s' exited with %d: %.*s",
				     path, cmd, res->exit_status, (int)res->err_len, res->err);
		hil_ssh_result_free(res);
		return -EIO;
	}
	return 0;
}

int hil_ssh_push(struct hil_ssh *ssh, const char *remote_path, const void *data,
		 size_t len, int timeout_ms, char **err)
{
	struct hil_ssh_result res;
	char want[65], *q, *cmd = NULL;
	int ret;

	if (sha256_hex(data, len, want) < 0) {
		hil_transport_seterr(err, "failed to push: %s: local SHA-256 failed", remote_path);
		return -EIO;
	}
	q = shell_quote(remote_path);
	if (!q)
		goto oom;
	/*
	 * A target that cannot be written must not end the command before its input
	 * is read: that turns the shell's reason into a lost channel (a race with
	 * our writes). Drain the input, then fail with the reason on stderr.
	 */
	if (asprintf(&cmd, "if ! cat > %s; then cat > /dev/null; exit 1; fi", q) < 0)
		goto oom;
	ret = run_checked(ssh, cmd, data, len, timeout_ms, &res, remote_path, err);
	if (ret)
		goto out;
	hil_ssh_result_free(&res);
	free(cmd);
	if (asprintf(&cmd, "sha256sum %s", q) < 0) {
		cmd = NULL;
		goto oom;
	}
	ret = run_checked(ssh, cmd, NULL, 0, timeout_ms, &res, remote_path, err);
	if (ret)
		goto out;
	if (res.out_len < 64 || strncmp(res.out, want, 64) != 0) {
		hil_transport_seterr(err, "failed to push: %s: remote sha256 %.64s, expected %s",
				     remote_path, res.out_len >= 64 ? res.out : "(none)", want);
		ret = -EIO;
	}
	hil_ssh_result_free(&res);
out:
	free(cmd);
	free(q);
	return ret;
oom:
	free(q);
	hil_transport_seterr(err, "failed to push: %s: out of memory", remote_path);
	return -ENOMEM;
}
