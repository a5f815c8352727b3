/* r4hil forensics: a router's health ring read as a timeline, judged by the harness (HEALTH-4). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "r4hil/file.h"
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

static void print_minute(void *arg, const struct hil_healthring_minute *m)
{
	(void)arg;
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
	char *text = NULL;
	size_t len = 0;
	int ret = hil_file_read(argv[1], &text, &len);
	if (ret < 0) {
		cli_error("failed to read the ring: %s: %s", argv[1], strerror(-ret));
		return EXIT_USAGE;
	}
	struct hil_healthring *ring = hil_healthring_new();
	if (!ring) {
		cli_error("out of memory");
		free(text);
		return EXIT_LAB;
	}
	hil_healthring_add_text(ring, text, len, print_minute, NULL);
	struct hil_healthring_summary s;
	hil_healthring_summary(ring, &s);
	printf("summary lines=%zu storms=%zu reboots=%zu malformed=%zu tz=%s\n", s.lines, s.storms,
	       s.reboots, s.malformed, s.tz);
	hil_healthring_free(ring);
	free(text);
	return EXIT_PASS;
}
