/* The r4hil command line: one <cmd>_main per subcommand behind a dispatch table. */
#ifndef R4HIL_CLI_H
#define R4HIL_CLI_H

#include <stddef.h>

/* Exit codes: the contract with CI jobs and schedulers. */
enum {
	EXIT_PASS = 0,     /* every scenario passed (skipped ones allowed) */
	EXIT_FAIL = 1,     /* a requirement failed */
	EXIT_USAGE = 2,    /* bad usage or bad input: nothing ran */
	EXIT_LAB = 3,      /* the harness or the lab could not do its part */
};

int run_main(int argc, char **argv);
int list_main(int argc, char **argv);
int validate_main(int argc, char **argv);
int check_fip_main(int argc, char **argv);
int lab_main(int argc, char **argv);
int gen_mlo_main(int argc, char **argv);
int forensics_main(int argc, char **argv);

/*
 * The scenario files named on the command line (a path, or a name looked up in the
 * catalogue), or the whole catalogue if none. NULL-terminated, caller frees.
 */
char **cli_scenario_paths(char **args, int n_args, const char *catalogue, size_t *n, int *bad);

/* The default catalogue directory: scenarios/ of the source tree. */
const char *cli_catalogue_dir(void);

/* printf-checked messages prefixed "r4hil: " on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct hil_progress;
/* A progress reporter for the terminal: one updating line on a TTY, changes only otherwise. */
struct hil_progress *cli_progress_new(void);
void cli_progress_done(struct hil_progress *p);

#endif
