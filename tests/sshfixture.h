/* A real dropbear in a busybox sandbox on 127.0.0.1, for SSH tests. */
#ifndef R4HIL_SSHFIXTURE_H
#define R4HIL_SSHFIXTURE_H

#include <sys/types.h>

struct hil_sshfix {
	char *dir;		/* scratch directory, removed by hil_sshfix_teardown() */
	char *root;		/* sandbox root filesystem */
	char *client_key;	/* OpenSSH-format private key accepted by the server */
	char *known_hosts;	/* pinned entry for [127.0.0.1]:port */
	char *other_known_hosts;/* same host, a different ed25519 key */
	char *empty_known_hosts;/* exists, no entries */
	int port;
	pid_t pid;		/* bwrap process, 0 when stopped */
};

/* Build keys and a rootfs, pick a free port, start dropbear; aborts the test on failure. */
void hil_sshfix_setup(struct hil_sshfix *f);

/* (Re)start dropbear on f->port and wait until it accepts connections. */
void hil_sshfix_start(struct hil_sshfix *f);

/* SIGKILL the sandbox (and with it every session) and reap it. */
void hil_sshfix_stop(struct hil_sshfix *f);

/* Send @sig to bwrap and all its descendants (SIGSTOP: a silent peer). */
void hil_sshfix_signal_all(struct hil_sshfix *f, int sig);

/* Stop the server and remove the scratch directory. */
void hil_sshfix_teardown(struct hil_sshfix *f);

/* A port on 127.0.0.1 that was free a moment ago (bind port 0, close). */
int hil_sshfix_free_port(void);

#endif
