/*
 * 002's compatibility table as test cases, and the catalogue scenarios generated
 * from them (`r4hil gen-mlo`): every supported combination (MLO-4) handed to the
 * router's MLO guard, which must accept it and reboot or reload as MLO-3 says;
 * every rule of the table broken at least once, which the guard must refuse with
 * nothing applied (MLO-2).
 *
 * The harness's model (r4hil/mlo.h) is the judge: generation fails if a case's
 * classification disagrees with what the table says about it, if a rule of the
 * model is never broken, or if a case would start from a configuration no earlier
 * case put on the router through the guard. The checked-in files must equal the
 * generated ones (tests/test-mlo-gen.c), so the catalogue cannot drift from the
 * model.
 */
#ifndef R4HIL_MLO_CASES_H
#define R4HIL_MLO_CASES_H

#include <stddef.h>

/*
 * One combination. Networks are written "name:kind@radios" separated by blanks,
 * kind one of ap, sta, mlo-ap, mlo-sta, wds (a 4-address WDS uplink), relayd,
 * rep-sta, rep-ap (the repeater wizard's uplink and AP), radios digits 0-2:
 * "ap_mld_1:mlo-ap@012 iot0:ap@0".
 */
struct hil_mlo_case {
	const char *id;   /* the step label, [a-z0-9-]+ */
	const char *row;  /* the row of 002's table it exercises */
	const char *base; /* running before it (for a forbidden case: its group's base) */
	const char *add;  /* staged and handed to the guard */
	int rule;         /* forbidden: the enum hil_mlo_rule it breaks first; -1 supported */
};

extern const struct hil_mlo_case hil_mlo_cases[];
extern const size_t hil_mlo_n_cases;

/* The generated scenario files: name (in scenarios/) and JSON text. */
struct hil_mlo_file {
	const char *name;
	char *text;
};

#define HIL_MLO_N_FILES 3

/*
 * Generate the scenario files from hil_mlo_cases. 0, or -EINVAL with *err
 * (malloc'd: which case disagrees with the model and how), or -ENOMEM.
 */
int hil_mlo_generate(struct hil_mlo_file files[HIL_MLO_N_FILES], char **err);

void hil_mlo_files_free(struct hil_mlo_file files[HIL_MLO_N_FILES]);

#endif
