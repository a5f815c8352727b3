#include "r4hil/fip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOC_HEADER 16   /* name, serial number, flags */
#define TOC_ENTRY 40    /* UUID, offset, size, flags */
#define TOC_MAX_ENTRIES 64 /* TF-A has about 30 image types */

static const unsigned char old_ramoops[4] = { 0x00, 0x00, 0xff, 0x42 };

static void note_hit(struct hil_fip_report *rep, uint64_t offset)
{
	if (rep->hits < HIL_FIP_MAX_OFFSETS)
		rep->offsets[rep->hits] = offset;
	rep->hits++;
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * TF-A's layout: the ToC header, entries until an all-zero UUID, each entry's
 * payload inside the file. A file that merely starts with the magic is no FIP.
 */
static const char *toc_problem(int fd, uint64_t size)
{
	unsigned char buf[TOC_HEADER + TOC_ENTRY * TOC_MAX_ENTRIES];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	if (n < 4)
		return "no ToC header";
	uint32_t magic = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
			 (uint32_t)buf[3] << 24;
	if (magic != HIL_FIP_TOC_MAGIC)
		return "no ToC header";
	static const unsigned char zero_uuid[16];
	for (size_t at = TOC_HEADER; at + TOC_ENTRY <= (size_t)n; at += TOC_ENTRY) {
		if (memcmp(buf + at, zero_uuid, 16) == 0)
			return NULL;
		uint64_t offset = le64(buf + at + 16), len = le64(buf + at + 24);
		if (offset > size || len > size - offset)
			return "a ToC entry points past the end of the file";
	}
	return "the ToC has no end marker";
}

/* Read in blocks up to @limit; keep the last 3 bytes so that a pattern across two blocks is seen. */
static int scan_stream(int fd, uint64_t limit, struct hil_fip_report *rep)
{
	unsigned char buf[3 + 65536];
	size_t carry = 0;
	while (rep->scanned < limit) {
		size_t want = sizeof(buf) - carry;
		if (want > limit - rep->scanned)
			want = (size_t)(limit - rep->scanned);
		ssize_t n = read(fd, buf + carry, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		uint64_t base = rep->scanned - carry;
		size_t len = carry + (size_t)n;
		for (size_t i = 0; i + 4 <= len; i++)
			if (memcmp(buf + i, old_ramoops, 4) == 0)
				note_hit(rep, base + i);
		rep->scanned += (uint64_t)n;
		carry = len < 3 ? len : 3;
		memmove(buf, buf + len - carry, carry);
	}
	return 0;
}

static int fail(char **err, int ret, const char *path, const char *what)
{
	if (asprintf(err, "%s: %s", path, what) < 0)
		*err = NULL;
	return ret;
}

int hil_fip_scan(const char *path, struct hil_fip_report *rep, char **err)
{
	memset(rep, 0, sizeof(*rep));
	/* O_NONBLOCK: a FIFO given by mistake must not hang the open */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(err, -errno, path, strerror(errno));
	struct stat st;
	int ret = 0;
	if (fstat(fd, &st) < 0)
		ret = fail(err, -errno, path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		ret = fail(err, -EISDIR, path, "is a directory, not a FIP image");
	else if (!S_ISREG(st.st_mode))
		ret = fail(err, -EINVAL, path, "is not a regular file (a FIP image is a file)");
	if (ret < 0) {
		close(fd);
		return ret;
	}
	rep->size = (uint64_t)st.st_size;
	rep->toc_problem = toc_problem(fd, rep->size);
	rep->toc_ok = !rep->toc_problem;
	/* Not a FIP, or too large anyway: the pattern in what fits the partition is enough. */
	if (rep->toc_ok) {
		uint64_t limit = rep->size < HIL_FIP_MAX_SIZE ? rep->size : HIL_FIP_MAX_SIZE;
		ret = scan_stream(fd, limit, rep);
		if (ret < 0)
			fail(err, ret, path, strerror(-ret));
	}
	close(fd);
	return ret;
}

int hil_fip_ok(const struct hil_fip_report *rep)
{
	return rep->size <= HIL_FIP_MAX_SIZE && rep->hits == 0;
}
