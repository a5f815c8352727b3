/*
 * The mutation catalogue (tests/mutants/<name>/mutant.json): broken variants of the
 * system under test, each naming the scenarios and requirement IDs that must catch
 * it. Read by `r4hil list --requirements` and by the mutation test.
 */
#ifndef R4HIL_MUTANTS_H
#define R4HIL_MUTANTS_H

#include <stddef.h>

struct hil_mutant_kill {
	char *scenario;    /* scenario name */
	char *requirement; /* requirement ID a failed check must cite */
};

/*
 * One change to a file of the reference system under test: @replace must occur
 * exactly once in fixtures/@file, and becomes @with. A mutant made of edits is the
 * reference plus its break, whatever else changes in the reference later.
 */
struct hil_mutant_edit {
	char *file;    /* relative to fixtures/: "overlay/usr/local/bin/x.sh", "ha/automations.yaml" */
	char *replace;
	char *with;
};

struct hil_mutant {
	char *name;        /* the directory's name */
	char *summary;
	char *overlay;     /* absolute path of the overlay layer, or NULL */
	char *automations; /* absolute path of the HA automations file, or NULL */
	struct hil_mutant_edit *edits;
	size_t n_edits;
	struct hil_mutant_kill *kills;
	size_t n_kills;
};

/*
 * Read every @dir/<name>/mutant.json, sorted by name. 0 with *@mutants (free with
 * hil_mutants_free) and *@n set, or -errno with *@err (malloc'd, caller frees)
 * naming the file: unreadable JSON, no "kills", a kill without scenario or
 * requirement, none of "overlay", "automations", "edits", a malformed edit.
 */
int hil_mutants_load(const char *dir, struct hil_mutant **mutants, size_t *n, char **err);

/*
 * Write the files @m's edits change, taken from @fixtures (the reference's
 * fixtures/ directory) with each edit applied, under @dest (created). *@overlay
 * is then @dest/overlay if an overlay file was edited, *@automations
 * @dest/ha/automations.yaml if that was (malloc'd, else NULL). -EINVAL with *@err
 * when an edit's text is not exactly once in the reference (it changed: the
 * mutant must be updated), -errno on I/O errors.
 */
int hil_mutant_materialize(const struct hil_mutant *m, const char *fixtures, const char *dest,
			   char **overlay, char **automations, char **err);

/* Frees @n mutants and the array; NULL-safe. */
void hil_mutants_free(struct hil_mutant *mutants, size_t n);

/* Number of kills in @mutants (@n) citing requirement @id. */
size_t hil_mutants_killing(const struct hil_mutant *mutants, size_t n, const char *id);

#endif
