#include "sandbox/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

static int copy_file(const char *src, const char *dst, mode_t mode, char **err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fl_util_err(err, -errno, "failed to read %s: %s", src, strerror(errno));
	/* never write through an applet link: replace whatever is there */
	if (unlink(dst) < 0 && errno != ENOENT) {
		int ret = -errno;
		close(in);
		return fl_util_err(err, ret, "failed to replace %s: %s", dst, strerror(-ret));
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
	if (out < 0) {
		int ret = -errno;
		close(in);
		return fl_util_err(err, ret, "failed to create %s: %s", dst, strerror(-ret));
	}
	char buf[65536];
	ssize_t n;
	int ret = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				ret = -errno;
				break;
			}
			off += w;
		}
		if (ret)
			break;
	}
	if (n < 0 && !ret)
		ret = -errno;
	/* open() applied the umask */
	if (!ret && fchmod(out, mode & 07777) < 0)
		ret = -errno;
	if (close(out) < 0 && !ret)
		ret = -errno;
	close(in);
	if (ret)
		return fl_util_err(err, ret, "failed to copy %s to %s: %s", src, dst, strerror(-ret));
	return 0;
}

static int copy_link(const char *src, const char *dst, char **err)
{
	char target[PATH_MAX];
	ssize_t n = readlink(src, target, sizeof(target) - 1);
	if (n < 0)
		return fl_util_err(err, -errno, "failed to read link %s: %s", src, strerror(errno));
	target[n] = '\0';
	if (unlink(dst) < 0 && errno != ENOENT && errno != EISDIR)
		return fl_util_err(err, -errno, "failed to replace %s: %s", dst, strerror(errno));
	if (symlink(target, dst) < 0)
		return fl_util_err(err, -errno, "failed to create link %s: %s", dst, strerror(errno));
	return 0;
}

static int copy_tree(const char *src, const char *dst, bool top, char **err)
{
	DIR *dir = opendir(src);
	if (!dir)
		return fl_util_err(err, -errno, "failed to open %s: %s", src, strerror(errno));
	int ret = 0;
	struct dirent *de;
	while (!ret && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (top && !strcmp(de->d_name, ".stamp"))
			continue;
		char *s = NULL, *d = NULL;
		if (asprintf(&s, "%s/%s", src, de->d_name) < 0 ||
		    asprintf(&d, "%s/%s", dst, de->d_name) < 0) {
			free(s);
			ret = -ENOMEM;
			break;
		}
		struct stat st, dt;
		if (lstat(s, &st) < 0) {
			ret = fl_util_err(err, -errno, "failed to stat %s: %s", s, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			bool exists = lstat(d, &dt) == 0;
			if (exists && !S_ISDIR(dt.st_mode)) {
				/* a link at a dir's place (e.g. an applet): the tree wins */
				if (unlink(d) < 0)
					ret = fl_util_err(err, -errno, "failed to replace %s: %s", d,
							  strerror(errno));
				exists = false;
			}
			if (!ret && !exists && mkdir(d, 0700) < 0)
				ret = fl_util_err(err, -errno, "failed to create %s: %s", d,
						  strerror(errno));
			if (!ret)
				ret = copy_tree(s, d, false, err);
			if (!ret && chmod(d, st.st_mode & 07777) < 0)
				ret = fl_util_err(err, -errno, "failed to chmod %s: %s", d,
						  strerror(errno));
		} else if (lstat(d, &dt) == 0 && S_ISDIR(dt.st_mode)) {
			ret = fl_util_err(err, -EISDIR, "cannot put %s over directory %s", s, d);
		} else if (S_ISLNK(st.st_mode)) {
			ret = copy_link(s, d, err);
		} else if (S_ISREG(st.st_mode)) {
			ret = copy_file(s, d, st.st_mode, err);
		} else {
			ret = fl_util_err(err, -EINVAL, "unsupported file type: %s", s);
		}
		free(s);
		free(d);
	}
	closedir(dir);
	return ret;
}

int fl_rootfs_assemble(const char *template_dir, const char *overlay_dir, const char *dest,
		       char **err)
{
	int ret = fl_util_mkdirs(dest, 0755);
	if (ret)
		return fl_util_err(err, ret, "failed to create %s: %s", dest, strerror(-ret));
	if (template_dir)
		ret = copy_tree(template_dir, dest, true, err);
	if (!ret && overlay_dir)
		ret = copy_tree(overlay_dir, dest, false, err);
	return ret;
}

/* The key a line assigns ("KEY=..." or "export KEY=..."), as a length; 0 if none. */
static size_t line_key(const char *line, const char **key)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (!strncmp(line, "export ", 7))
		line += 7;
	while (*line == ' ')
		line++;
	const char *p = line;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
	       *p == '_')
		p++;
	if (p == line || *p != '=')
		return 0;
	*key = line;
	return (size_t)(p - line);
}

static int assignment_index(const char *const *assignments, const char *key, size_t len)
{
	for (int i = 0; assignments[i]; i++)
		if (!strncmp(assignments[i], key, len) && assignments[i][len] == '=')
			return i;
	return -1;
}

int fl_rootfs_set_env_file(const char *rootfs, const char *relpath,
			   const char *const *assignments, char **err)
{
	size_t n = 0;
	for (; assignments[n]; n++)
		if (!strchr(assignments[n], '=') || assignments[n][0] == '=')
			return fl_util_err(err, -EINVAL, "not a KEY=value assignment: '%s'",
					   assignments[n]);
	char *path;
	if (asprintf(&path, "%s/%s", rootfs, relpath) < 0)
		return -ENOMEM;
	mode_t mode = 0644;
	struct stat st;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	char *old = fl_util_read_file(path, NULL);
	if (!old && errno != ENOENT) {
		int ret = fl_util_err(err, -errno, "failed to read %s: %s", path, strerror(errno));
		free(path);
		return ret;
	}
	bool *seen = calloc(n + 1, sizeof(*seen));
	char *out = NULL;
	size_t out_len = 0;
	FILE *mem = open_memstream(&out, &out_len);
	if (!seen || !mem) {
		free(seen);
		if (mem)
			fclose(mem);
		free(out);
		free(old);
		free(path);
		return -ENOMEM;
	}
	for (char *line = old, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		next = next ? next + 1 : line + len;
		const char *key;
		size_t klen = line_key(line, &key);
		int i = klen && (size_t)(key - line) < len ? assignment_index(assignments, key, klen) : -1;
		if (i >= 0) {
			fprintf(mem, "%s\n", assignments[i]);
			seen[i] = true;
		} else {
			fprintf(mem, "%.*s\n", (int)len, line);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			fprintf(mem, "%s\n", assignments[i]);
	fclose(mem);
	int ret = fl_util_write_file(path, out, out_len, mode);
	if (ret)
		fl_util_err(err, ret, "failed to write %s: %s", path, strerror(-ret));
	free(seen);
	free(out);
	free(old);
	free(path);
	return ret;
}
