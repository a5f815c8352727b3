/* r4hil forensics: a router's health ring read as a timeline, judged by the harness (HEALTH-4). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli/cli.h"
#include "r4hil/healthring.h"

static void help(void)
{
	printf("usage: r4hil forensics RING\n\n"
	       "Read a router's health ring (/etc/last_health.jsonl, copied off the router:\n"
	       "ssh root@router cat /etc/last_health.jsonl > ring.jsonl) and print one line\n"
	       "per minute:\n\n"
	       "  TS car=0|1 op=OPERSTATE sfp1tx=N delta=D [storm|reboot]\n\n"
	       "TS is as the ring has it: local time with its UTC offset (HA's logbook is\n"
	       "UTC). delta is the irq.sfp1tx increase since the previous well-formed line;\n"
	       "\"storm\" marks a delta of %d or more with car=0 (the SFP TX-fault storm\n"
	       "signature), \"reboot\" a counter that went down (the kernel rebooted that\n"
	       "minute; delta is then the new value). A line that is not a JSON object with\n"
	       "ts, wan.car, wan.op and irq.sfp1tx (HEALTH-1) prints as\n\n"
	       "  line N: malformed: WHY\n\n"
	       "and is skipped. Last, the counts:\n\n"
	       "  summary lines=N storms=S reboots=R malformed=M tz=OFFSET\n\n"
	       "tz is the UTC offset of the last line (empty if it is malformed). Exit 0,\n"
	       "2 if RING cannot be read. The scenario observer observe.health_ring\n"
	       "records the same counts as ring.* subjects.\n",
	       HIL_HEALTHRING_STORM_DELTA);
}

static void print_minute(const struct hil_healthring_minute *m)
{
	if (m->malformed) {
		printf("line %zu: malformed: %s\n", m->line, m->malformed);
		return;
	}
	printf("%s car=%d op=%s sfp1tx=%" PRId64 " delta=%" PRId64 "%s%s\n", m->ts, m->car, m->op,
	       m->sfp1tx, m->delta, m->flag ? " " : "", hil_healthring_flag_name(m->flag));
}

int forensics_main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help();
		return EXIT_PASS;
	}
	if (argc != 2) {
		cli_error("forensics needs exactly one RING file (see r4hil forensics --help)");
		return EXIT_USAGE;
	}
	int ret = EXIT_USAGE;
	char *line = NULL;
	size_t cap = 0;
	struct hil_healthring *ring = NULL;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		cli_error("failed to open the ring: %s: %s", argv[1], strerror(errno));
		goto out;
	}
	ring = hil_healthring_new();
	if (!ring) {
		cli_error("out of memory");
		ret = EXIT_LAB;
		goto out;
	}
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct hil_healthring_minute m;
		size_t len = (size_t)n;
		if (line[len - 1] == '\n')
			len--;
		hil_healthring_add_line(ring, line, len, &m);
		print_minute(&m);
	}
	if (ferror(f)) {
		/* a directory opens but does not read: unreadable all the same */
		cli_error("failed to read the ring: %s: %s", argv[1], strerror(errno));
		goto out;
	}
	struct hil_healthring_summary s;
	hil_healthring_summary(ring, &s);
	printf("summary lines=%zu storms=%zu reboots=%zu malformed=%zu tz=%s\n", s.lines, s.storms,
	       s.reboots, s.malformed, s.tz);
	ret = EXIT_PASS;
out:
	hil_healthring_free(ring);
	free(line);
	if (f)
		fclose(f);
	return ret;
}
