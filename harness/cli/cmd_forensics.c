/* r4hil forensics: a router's health ring read as a timeline, judged by the harness (HEALTH-4). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	       "tz is the UTC offset of the last line (empty if it is malformed). RING may\n"
	       "be a file or a pipe (- is not special: use /dev/stdin); it is read as a\n"
	       "stream, lines over 64 KiB are malformed. Exit 0, 2 if RING cannot be read,\n"
	       "3 if the output cannot be written. The scenario observer observe.health_ring\n"
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
	/* O_NONBLOCK only for the open: a FIFO must not wait for its writer here */
	int fd = open(argv[1], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	const char *problem = fd < 0 ? strerror(errno) : fstat(fd, &st) < 0 ? strerror(errno)
			      : S_ISDIR(st.st_mode) ? "is a directory"
			      : !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) ? "is a device, not a file or pipe"
									: NULL;
	if (problem) {
		cli_error("failed to read the ring: %s: %s", argv[1], problem);
		if (fd >= 0)
			close(fd);
		return EXIT_USAGE;
	}
	fcntl(fd, F_SETFL, 0);
	struct hil_healthring *ring = hil_healthring_new();
	if (!ring) {
		cli_error("out of memory");
		close(fd);
		return EXIT_LAB;
	}
	int ret = hil_healthring_add_stream(ring, fd, print_minute, NULL);
	close(fd);
	struct hil_healthring_summary s;
	hil_healthring_summary(ring, &s);
	hil_healthring_free(ring);
	if (ret < 0) {
		cli_error("failed to read the ring: %s: %s", argv[1], strerror(-ret));
		return EXIT_USAGE;
	}
	printf("summary lines=%zu storms=%zu reboots=%zu malformed=%zu tz=%s\n", s.lines, s.storms,
	       s.reboots, s.malformed, s.tz);
	/* a timeline cut short by a full disk must not look complete */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("failed to write the timeline: %s", strerror(errno));
		return EXIT_LAB;
	}
	return EXIT_PASS;
}
