/*
 * A lab description (lab/README.md): where the router, the ONU, Home Assistant,
 * the plug, the GPIO rig and (for the fake lab) the control endpoint are, and
 * what the lab permits. The fake lab writes one pointing at loopback; a real lab
 * has one in lab/.
 *
 * Secrets are never in the file itself: a token or password comes from a 0600
 * file (`*_file`) or an environment variable (`*_env`).
 */
#ifndef R4HIL_LAB_H
#define R4HIL_LAB_H

struct hil_lab_ssh {
	char *host; /* NULL: not in this lab (ONU only) */
	int port;
	char *user;
	char *key;
	char *known_hosts;
};

struct hil_lab_gpio_line {
	int present;
	unsigned offset;
	int active_low;
};

struct hil_lab {
	char *path; /* the file it was loaded from */
	char *name;
	struct hil_lab_ssh router;
	struct hil_lab_ssh onu;
	struct {
		char *url;
		char *token;        /* loaded secret; never print it */
		char *token_source; /* "file /path" or "env NAME", for messages */
	} ha;
	struct {
		char *type;
		char *url;
		char *id;
		char *ha_entity; /* the plug's HA switch, e.g. "switch.internet"; may be NULL */
		char *user;      /* HTTP user (shelly-gen1, tasmota); may be NULL */
		char *secret;    /* password, or the Hue API username; loaded secret */
		char *pdu;       /* pdudaemon: the PDU's hostname in pdudaemon's config */
		char *entity;    /* ha-switch: the switch entity that powers the board */
		char **command;  /* command: argv, NULL-terminated; the action is appended */
	} plug;
	struct {
		char *chip; /* NULL: no GPIO rig */
		struct hil_lab_gpio_line perst, tx_fault, tx_disable;
	} gpio;
	struct {
		char *url; /* NULL in a real lab */
		char *token;
	} control;
	char **permits;
	int n_permits;
};

/*
 * Load @path. 0, or -errno with *err = "file:line:col: what is wrong" (malloc'd,
 * one line per problem): a missing or unknown key, a wrong type, a token file
 * readable by others, an unset token variable.
 */
int hil_lab_load(const char *path, struct hil_lab **out, char **err);
void hil_lab_free(struct hil_lab *lab);

/* 1 if the lab permits @what ("power", "panic", "mlo-lock", "gpio"). */
int hil_lab_permits(const struct hil_lab *lab, const char *what);

/* 1 if @lab is the fake lab (it has a control endpoint with virtual time). */
int hil_lab_is_fake(const struct hil_lab *lab);

/* Read a secret from a file that only its owner may read. 0 or -errno (*err set). */
int hil_secret_read_file(const char *path, char **secret, char **err);

#endif
