#include "sandbox/keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* The first "ssh-..." line of dropbearkey's output, malloc'd, without newline. */
static char *pubkey_from_output(const char *output)
{
	for (const char *line = output; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (!strncmp(line, "ssh-", 4))
			return strndup(line, len);
		line = end ? end + 1 : line + len;
	}
	return NULL;
}

int fl_keys_client(const char *priv_path, char **pubkey_line, char **err)
{
	char *db;
	*pubkey_line = NULL;
	if (asprintf(&db, "%s.dropbear", priv_path) < 0)
		return -ENOMEM;
	unlink(db);
	unlink(priv_path);
	char *out = NULL;
	char *gen[] = { R4HIL_DROPBEARKEY, "-t", "ed25519", "-f", db, NULL };
	int status = fl_util_run(gen, &out);
	int ret = 0;
	char *pub = fl_util_exited_ok(status) ? pubkey_from_output(out) : NULL;
	if (!pub) {
		ret = fl_util_err(err, -EIO, "failed to generate a key with dropbearkey: %s: %s", db,
				  out ? out : "cannot run");
		goto out;
	}
	free(out);
	out = NULL;
	char *conv[] = { R4HIL_DROPBEARCONVERT, "dropbear", "openssh", db, (char *)priv_path, NULL };
	status = fl_util_run(conv, &out);
	if (!fl_util_exited_ok(status)) {
		ret = fl_util_err(err, -EIO, "failed to convert %s to OpenSSH format: %s", priv_path,
				  out ? out : "cannot run");
		free(pub);
		goto out;
	}
	if (chmod(priv_path, 0600) < 0) {
		ret = fl_util_err(err, -errno, "failed to chmod %s: %s", priv_path, strerror(errno));
		free(pub);
		goto out;
	}
	*pubkey_line = pub;
out:
	unlink(db);
	free(db);
	free(out);
	return ret;
}

/* Replace or add the line for @host in @path, keeping the other lines. */
static int write_known_host(const char *path, const char *host, const char *line, char **err)
{
	char *old = fl_util_read_file(path, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		free(old);
		return -ENOMEM;
	}
	size_t hlen = strlen(host);
	for (char *p = old, *next; p && *p; p = next) {
		next = strchr(p, '\n');
		size_t l = next ? (size_t)(next - p) : strlen(p);
		next = next ? next + 1 : p + l;
		if (l > hlen && !strncmp(p, host, hlen) && p[hlen] == ' ')
			continue;
		fprintf(mem, "%.*s\n", (int)l, p);
	}
	fprintf(mem, "%s %s\n", host, line);
	fclose(mem);
	int ret = fl_util_write_file(path, buf, len, 0644);
	if (ret)
		fl_util_err(err, ret, "failed to write %s: %s", path, strerror(-ret));
	free(buf);
	free(old);
	return ret;
}

int fl_keys_host(const char *rootfs, int port, const char *known_hosts_path, char **err)
{
	char *dir = NULL, *key = NULL, *out = NULL, *pub = NULL;
	int ret;
	if (asprintf(&dir, "%s/etc/dropbear", rootfs) < 0 ||
	    asprintf(&key, "%s/dropbear_ed25519_host_key", dir) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	ret = fl_util_mkdirs(dir, 0700);
	if (ret) {
		fl_util_err(err, ret, "failed to create %s: %s", dir, strerror(-ret));
		goto out;
	}
	if (access(key, F_OK) < 0) {
		char *gen[] = { R4HIL_DROPBEARKEY, "-t", "ed25519", "-f", key, NULL };
		if (!fl_util_exited_ok(fl_util_run(gen, &out))) {
			ret = fl_util_err(err, -EIO, "failed to generate host key %s: %s", key,
					  out ? out : "cannot run");
			goto out;
		}
		free(out);
		out = NULL;
	}
	char *show[] = { R4HIL_DROPBEARKEY, "-y", "-f", key, NULL };
	if (!fl_util_exited_ok(fl_util_run(show, &out)) || !(pub = pubkey_from_output(out))) {
		ret = fl_util_err(err, -EIO, "failed to read host key %s: %s", key,
				  out ? out : "cannot run");
		goto out;
	}
	/* keep "type base64", drop dropbearkey's comment */
	char *sp = strchr(pub, ' ');
	if (sp && (sp = strchr(sp + 1, ' ')))
		*sp = '\0';
	char host[64];
	snprintf(host, sizeof(host), "[127.0.0.1]:%d", port);
	ret = write_known_host(known_hosts_path, host, pub, err);
out:
	free(pub);
	free(out);
	free(key);
	free(dir);
	return ret;
}

static int append_key(const char *rootfs, const char *dir_rel, const char *pubkey_line, char **err)
{
	char *dir = NULL, *file = NULL, *old = NULL;
	int ret;
	if (asprintf(&dir, "%s/%s", rootfs, dir_rel) < 0 ||
	    asprintf(&file, "%s/authorized_keys", dir) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	ret = fl_util_mkdirs(dir, 0700);
	if (!ret && chmod(dir, 0700) < 0)
		ret = -errno;
	if (ret) {
		fl_util_err(err, ret, "failed to create %s: %s", dir, strerror(-ret));
		goto out;
	}
	size_t len = 0;
	old = fl_util_read_file(file, &len);
	if (old && strstr(old, pubkey_line))
		goto out;
	FILE *f = fopen(file, "a");
	if (!f) {
		ret = fl_util_err(err, -errno, "failed to open %s: %s", file, strerror(errno));
		goto out;
	}
	if (len > 0 && old[len - 1] != '\n')
		fputc('\n', f);
	fprintf(f, "%s\n", pubkey_line);
	if (fclose(f) != 0) {
		ret = fl_util_err(err, -errno, "failed to write %s: %s", file, strerror(errno));
		goto out;
	}
	if (chmod(file, 0600) < 0)
		ret = fl_util_err(err, -errno, "failed to chmod %s: %s", file, strerror(errno));
out:
	free(old);
	free(file);
	free(dir);
	return ret;
}

int fl_keys_authorize(const char *rootfs, const char *pubkey_line, char **err)
{
	if (strchr(pubkey_line, '\n'))
		return fl_util_err(err, -EINVAL, "public key line contains a newline");
	int ret = append_key(rootfs, "etc/dropbear", pubkey_line, err);
	if (!ret) {
		char *root;
		if (asprintf(&root, "%s/root", rootfs) < 0)
			return -ENOMEM;
		/* dropbear refuses a group/other-writable home */
		if (fl_util_mkdirs(root, 0700) == 0)
			chmod(root, 0700);
		free(root);
		ret = append_key(rootfs, "root/.ssh", pubkey_line, err);
	}
	return ret;
}
