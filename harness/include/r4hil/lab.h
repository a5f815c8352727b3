/*
 * A lab description: where the router, Home Assistant, the plug and (for the fake
 * lab) the control endpoint are, and what the lab permits. The fake lab writes one
 * pointing at loopback; a real lab has one in lab/.
 *
 * Secrets are never in the file itself: a token comes from a 0600 file
 * (`token_file`) or an environment variable (`token_env`).
 */
#ifndef R4HIL_LAB_H
#define R4HIL_LAB_H

struct hil_lab {
	char *name;
	struct {
		char *host;
		int port;
		char *user;
		char *key;
		char *known_hosts;
	} router;
	struct {
		char *url;
		char *token; /* loaded secret; never print it */
	} ha;
	struct {
		char *type;
		char *url;
		char *id;
		char *ha_entity; /* the plug's HA switch, e.g. "switch.internet"; may be NULL */
	} plug;
	struct {
		char *url; /* NULL in a real lab */
		char *token;
	} control;
	char **permits;
	int n_permits;
};

/*
 * Load @path. 0, or -errno with *err = "file: what is wrong" (malloc'd): a missing
 * key, a token file readable by others, an unset token variable.
 */
int hil_lab_load(const char *path, struct hil_lab **out, char **err);
void hil_lab_free(struct hil_lab *lab);

/* 1 if the lab permits @what ("power", "panic", "mlo-lock", "gpio"). */
int hil_lab_permits(const struct hil_lab *lab, const char *what);

/* Read a secret from a file that only its owner may read. 0 or -errno (*err set). */
int hil_secret_read_file(const char *path, char **secret, char **err);

#endif
