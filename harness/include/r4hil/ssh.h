/* SSH client for the router under test (libssh), and a plain TCP probe. */
#ifndef R4HIL_SSH_H
#define R4HIL_SSH_H

#include <stddef.h>

struct hil_ssh;

/*
 * TCP keepalive on every session's socket: idle 10 s, then 4 probes 5 s
 * apart, so a session to a board that died while it sat idle fails within
 * about 30 s instead of hanging until the kernel gives up (hours). This only
 * keeps idle sessions from hanging forever; it is far too coarse to time a
 * recovery. Reboot phases are measured by TCP-connect probes on the monotonic
 * clock (hil_tcp_probe()), and commands by their own deadlines.
 */
#define HIL_SSH_KEEPIDLE_S	10
#define HIL_SSH_KEEPINTVL_S	5
#define HIL_SSH_KEEPCNT		4

struct hil_ssh_config {
	const char *host;
	int port;			/* 0: 22 */
	const char *user;		/* NULL: "root" */
	const char *key_path;		/* private key file, OpenSSH format, no passphrase */
	const char *known_hosts;	/* pinned host keys; required */
	int connect_timeout_ms;		/* 0: 10000 */
};

struct hil_ssh_result {
	int exit_status;	/* -1 if the command reported none (e.g. killed by a signal) */
	char *out;		/* stdout, NUL-terminated (out_len excludes the NUL) */
	size_t out_len;
	char *err;		/* stderr, NUL-terminated */
	size_t err_len;
};

/**
 * hil_ssh_new() - create an SSH client; does not connect.
 * @cfg: copied; host and known_hosts are required.
 *
 * Return: a client to free with hil_ssh_free(), or NULL with errno set
 * (EINVAL for a missing host/known_hosts, ENOMEM).
 */
struct hil_ssh *hil_ssh_new(const struct hil_ssh_config *cfg);

/**
 * hil_ssh_free() - disconnect and free the client. NULL-safe.
 */
void hil_ssh_free(struct hil_ssh *ssh);

/**
 * hil_ssh_connect() - connect, check the host key, authenticate.
 * @err: if non-NULL, receives a malloc'd message on failure (caller frees).
 *
 * The host key must match the pinned known_hosts file exactly; an unknown or
 * changed key is never accepted. The socket gets TCP keepalive (see
 * HIL_SSH_KEEPIDLE_S). A server that accepts and then drops the handshake
 * (busy, or still starting) gets one more try 250 ms later. A no-op when
 * already connected.
 *
 * Return: 0; -EPERM for an unknown or changed host key, -ECONNREFUSED,
 * -ETIMEDOUT, -EACCES when authentication fails, -ENOENT when the key file
 * cannot be read, -EIO for other libssh errors.
 */
int hil_ssh_connect(struct hil_ssh *ssh, char **err);

/**
 * hil_ssh_exec() - run one command, connecting first if needed.
 * @command: shell command line for the remote user's shell.
 * @input: bytes written to the command's stdin before EOF; may be NULL.
 * @timeout_ms: wall-clock deadline for the whole command (<= 0: 60000).
 * @res: filled on success; release with hil_ssh_result_free().
 * @err: if non-NULL, receives a malloc'd message on failure (caller frees).
 *
 * A transport failure (connection lost, deadline passed) drops the session;
 * the next call reconnects with a fresh one. If a held session turns out dead
 * before the channel opened (peer rebooted while idle), exec reconnects once
 * by itself, since the command cannot have run. Connecting is bounded by
 * connect_timeout_ms, on top of @timeout_ms.
 *
 * Return: 0 when the command ran to completion (its status is in @res),
 * -ETIMEDOUT when the deadline passed, -ECONNRESET when the connection was
 * lost, or any hil_ssh_connect() error. @res is zeroed on failure.
 */
int hil_ssh_exec(struct hil_ssh *ssh, const char *command, const void *input,
		 size_t input_len, int timeout_ms, struct hil_ssh_result *res,
		 char **err);

/**
 * hil_ssh_result_free() - free the buffers of @res and zero it. NULL-safe.
 */
void hil_ssh_result_free(struct hil_ssh_result *res);

/**
 * hil_ssh_push() - write @data to @remote_path via `cat >` and verify it.
 * @timeout_ms: deadline for each of the two remote commands.
 *
 * The file is checked with the remote `sha256sum` against a local SHA-256.
 *
 * Return: 0; -EIO if the remote command failed or the digests differ
 * (message in @err), or any hil_ssh_exec() error.
 */
int hil_ssh_push(struct hil_ssh *ssh, const char *remote_path, const void *data,
		 size_t len, int timeout_ms, char **err);

/**
 * hil_ssh_connected() - whether a session is currently held.
 *
 * Return: 1 if a session is connected, else 0. A silent peer is only noticed
 * by the next hil_ssh_exec() deadline.
 */
int hil_ssh_connected(const struct hil_ssh *ssh);

/**
 * hil_ssh_disconnect() - drop the session, if any; the next exec reconnects.
 */
void hil_ssh_disconnect(struct hil_ssh *ssh);

/**
 * hil_tcp_probe() - try one TCP connect to @host:@port (numeric IPv4/IPv6).
 * @timeout_ms: upper bound, measured on the monotonic clock.
 *
 * Return: 0 if the connect succeeded in time, -ECONNREFUSED, -ETIMEDOUT,
 * -EINVAL for a bad address, or another -errno.
 */
int hil_tcp_probe(const char *host, int port, int timeout_ms);

#endif
