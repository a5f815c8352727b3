/*
 * HA's shell_command in the fake lab: the command line runs as in HA's container
 * (/config is HA's configuration directory), in a sandbox whose ssh client config
 * maps the real lab's addresses (192.168.1.254, bpi-r4; onu) to the fake router's
 * and the fake ONU's loopback ports. Any other host is refused by ssh itself: no packet ever goes to
 * a real-lab address. The sandbox runs in the caller's network namespace: in the
 * fake lab, the lab's own (sandbox/netns.h), where those ports are.
 */
#ifndef FL_SHELLCMD_H
#define FL_SHELLCMD_H

#include "core/loop.h"

struct fl_shellcmd {
	struct fl_loop *loop;
	const char *config_dir;  /* bound at /config */
	const char *ssh_config;  /* bound at /etc/ssh/ssh_config */
	const char *known_hosts; /* the router's pinned host key, bound where ssh_config says */
	const char *log_path;    /* stdout and stderr of every command */
};

/* A host of the real lab as HA's ssh reaches it, and where it is in the fake lab. */
struct fl_ssh_host {
	const char *aliases; /* space-separated names, e.g. "192.168.1.254 bpi-r4" */
	int port;            /* on 127.0.0.1 */
};

/*
 * Write the ssh client config that maps each of @hosts (@n) to 127.0.0.1:port as
 * root, checking host keys against fl_shellcmd.known_hosts; every other host is
 * refused. 0 or -errno.
 */
int fl_shellcmd_write_ssh_config(const char *path, const struct fl_ssh_host *hosts, size_t n);

/* Matches fl_ha_config.run_shell: @ctx is a struct fl_shellcmd. */
int fl_shellcmd_run(void *ctx, const char *command, fl_child_done_fn done, void *done_arg);

#endif
