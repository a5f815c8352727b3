#include "r4hil/fip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char old_ramoops[4] = { 0x00, 0x00, 0xff, 0x42 };

static void note_hit(struct hil_fip_report *rep, uint64_t offset)
{
	if (rep->hits < HIL_FIP_MAX_OFFSETS)
		rep->offsets[rep->hits] = offset;
	rep->hits++;
}

/* Read in blocks; keep the last 3 bytes so that a pattern across two blocks is seen. */
static int scan_stream(FILE *f, struct hil_fip_report *rep, uint32_t *magic)
{
	unsigned char buf[3 + 65536];
	size_t carry = 0;
	for (;;) {
		size_t n = fread(buf + carry, 1, sizeof(buf) - carry, f);
		if (n == 0)
			return ferror(f) ? -EIO : 0;
		if (rep->size == 0 && n >= 4)
			*magic = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
				 (uint32_t)buf[3] << 24;
		uint64_t base = rep->size - carry;
		size_t len = carry + n;
		for (size_t i = 0; i + 4 <= len; i++)
			if (memcmp(buf + i, old_ramoops, 4) == 0)
				note_hit(rep, base + i);
		rep->size += n;
		carry = len < 3 ? len : 3;
		memmove(buf, buf + len - carry, carry);
	}
}

int hil_fip_scan(const char *path, struct hil_fip_report *rep, char **err)
{
	memset(rep, 0, sizeof(*rep));
	FILE *f = fopen(path, "rb");
	if (!f) {
		int ret = -errno;
		if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
			*err = NULL;
		return ret;
	}
	uint32_t magic = 0;
	int ret = scan_stream(f, rep, &magic);
	fclose(f);
	rep->toc_ok = magic == HIL_FIP_TOC_MAGIC;
	if (ret < 0 && asprintf(err, "%s: read error", path) < 0)
		*err = NULL;
	return ret;
}

int hil_fip_ok(const struct hil_fip_report *rep)
{
	return rep->size <= HIL_FIP_MAX_SIZE && rep->hits == 0;
}
