#include "r4hil/ssh.h"
#include "transport/internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/libssh.h>

struct hil_ssh {
	char *host;
	char *user;
	char *key_path;
	char *known_hosts;
	int port;
	int connect_timeout_ms;
	ssh_session s;
};

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

static int buf_append(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static char *dup_or(const char *s, const char *def)
{
	return strdup(s ? s : def);
}

struct hil_ssh *hil_ssh_new(const struct hil_ssh_config *cfg)
{
	struct hil_ssh *ssh;

	if (!cfg || !cfg->host || !cfg->known_hosts) {
		errno = EINVAL;
		return NULL;
	}
	ssh = calloc(1, sizeof(*ssh));
	if (!ssh)
		return NULL;
	ssh->port = cfg->port ? cfg->port : 22;
	ssh->connect_timeout_ms = cfg->connect_timeout_ms > 0 ?
				  cfg->connect_timeout_ms : 10000;
	ssh->host = strdup(cfg->host);
	ssh->user = dup_or(cfg->user, "root");
	ssh->known_hosts = strdup(cfg->known_hosts);
	ssh->key_path = cfg->key_path ? strdup(cfg->key_path) : NULL;
	if (!ssh->host || !ssh->user || !ssh->known_hosts ||
	    (cfg->key_path && !ssh->key_path)) {
		hil_ssh_free(ssh);
		errno = ENOMEM;
		return NULL;
	}
	return ssh;
}

void hil_ssh_disconnect(struct hil_ssh *ssh)
{
	if (!ssh || !ssh->s)
		return;
	/* libssh cannot reconnect a used session: always start over with ssh_new(). */
	ssh_disconnect(ssh->s);
	ssh_free(ssh->s);
	ssh->s = NULL;
}

void hil_ssh_free(struct hil_ssh *ssh)
{
	if (!ssh)
		return;
	hil_ssh_disconnect(ssh);
	free(ssh->host);
	free(ssh->user);
	free(ssh->key_path);
	free(ssh->known_hosts);
	free(ssh);
}

int hil_ssh_connected(const struct hil_ssh *ssh)
{
	return ssh && ssh->s && ssh_is_connected(ssh->s);
}

/* Blocking libssh calls use the session timeout: bound each one by what is left. */
static void set_timeout(ssh_session s, int64_t ms)
{
	long sec = 0, usec;

	if (ms < 1)
		ms = 1;
	usec = (long)ms * 1000;
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

static int connect_errno(const char *msg)
{
	if (strcasestr(msg, "refused"))
		return -ECONNREFUSED;
	if (strcasestr(msg, "timeout") || strcasestr(msg, "timed out"))
		return -ETIMEDOUT;
	if (strcasestr(msg, "unreachable"))
		return -EHOSTUNREACH;
	if (strcasestr(msg, "disconnected") || strcasestr(msg, "reset by peer"))
		return -ECONNRESET; /* accepted, then closed during the handshake */
	if (strcasestr(msg, "resolve") || strcasestr(msg, "hostname"))
		return -EHOSTUNREACH;
	return -EIO;
}

static int check_host_key(struct hil_ssh *ssh, char **err)
{
	enum ssh_known_hosts_e kh = ssh_session_is_known_server(ssh->s);

	switch (kh) {
	case SSH_KNOWN_HOSTS_OK:
		return 0;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		hil_transport_seterr(err, "failed to verify host key: [%s]:%d: host key of [%s]:%d not in %s",
				     ssh->host, ssh->port, ssh->host, ssh->port, ssh->known_hosts);
		return -EPERM;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		hil_transport_seterr(err, "failed to verify host key: [%s]:%d: host key of [%s]:%d CHANGED (does not match %s)",
				     ssh->host, ssh->port, ssh->host, ssh->port, ssh->known_hosts);
		return -EPERM;
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		hil_transport_seterr(err, "failed to verify host key: [%s]:%d: %s",
				     ssh->host, ssh->port, ssh_get_error(ssh->s));
		return -EPERM;
	}
}

static int authenticate(struct hil_ssh *ssh, char **err)
{
	ssh_key key = NULL;
	int rc;

	if (!ssh->key_path) {
		rc = ssh_userauth_publickey_auto(ssh->s, NULL, NULL);
	} else {
		if (access(ssh->key_path, R_OK) < 0) {
			rc = -errno;
			hil_transport_seterr(err, "failed to read key: %s: %s",
					     ssh->key_path, strerror(errno));
			return rc;
		}
		if (ssh_pki_import_privkey_file(ssh->key_path, NULL, NULL, NULL, &key) != SSH_OK) {
			hil_transport_seterr(err, "failed to import key: %s: not a usable private key",
					     ssh->key_path);
			return -EINVAL;
		}
		rc = ssh_userauth_publickey(ssh->s, NULL, key);
		ssh_key_free(key);
	}
	if (rc == SSH_AUTH_SUCCESS)
		return 0;
	if (rc == SSH_AUTH_ERROR) {
		hil_transport_seterr(err, "failed to authenticate: %s@%s:%d: %s",
				     ssh->user, ssh->host, ssh->port, ssh_get_error(ssh->s));
		return connect_errno(ssh_get_error(ssh->s));
	}
	hil_transport_seterr(err, "failed to authenticate: %s@%s:%d: public key %s rejected",
			     ssh->user, ssh->host, ssh->port,
			     ssh->key_path ? ssh->key_path : "(default keys)");
	return -EACCES;
}

/* Settings and why in ssh.h: an idle session to a dead board must fail, not hang. */
static int set_keepalive(struct hil_ssh *ssh, char **err)
{
	const int opts[][3] = {
		{ SOL_SOCKET, SO_KEEPALIVE, 1 },
		{ IPPROTO_TCP, TCP_KEEPIDLE, HIL_SSH_KEEPIDLE_S },
		{ IPPROTO_TCP, TCP_KEEPINTVL, HIL_SSH_KEEPINTVL_S },
		{ IPPROTO_TCP, TCP_KEEPCNT, HIL_SSH_KEEPCNT },
	};
	int fd = ssh_get_fd(ssh->s);

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (setsockopt(fd, opts[i][0], opts[i][1], &opts[i][2], sizeof(int)) < 0) {
			int ret = -errno;

			hil_transport_seterr(err, "failed to enable TCP keepalive: %s:%d: %s",
					     ssh->host, ssh->port, strerror(errno));
			return ret;
		}
	}
	return 0;
}

static int connect_once(struct hil_ssh *ssh, char **err)
{
	long verbosity = SSH_LOG_NOLOG;
	int no = 0, yes = 1, ret;

	if (ssh->s)
		return 0;
	ssh->s = ssh_new();
	if (!ssh->s) {
		hil_transport_seterr(err, "failed to create session: %s: out of memory", ssh->host);
		return -ENOMEM;
	}
	/* Nothing from ~/.ssh or /etc/ssh may influence which host key is trusted. */
	if (ssh_options_set(ssh->s, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_options_set(ssh->s, SSH_OPTIONS_HOST, ssh->host) < 0 ||
	    ssh_options_set(ssh->s, SSH_OPTIONS_PORT, &ssh->port) < 0 ||
	    ssh_options_set(ssh->s, SSH_OPTIONS_USER, ssh->user) < 0 ||
	    ssh_options_set(ssh->s, SSH_OPTIONS_KNOWNHOSTS, ssh->known_hosts) < 0 ||
	    ssh_options_set(ssh->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(ssh->s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
	    /* a command is several small packets each way: no Nagle, no 40 ms stalls */
	    ssh_options_set(ssh->s, SSH_OPTIONS_NODELAY, &yes) < 0) {
		hil_transport_seterr(err, "failed to configure session: %s: %s",
				     ssh->host, ssh_get_error(ssh->s));
		ret = -EINVAL;
		goto err_free;
	}
	set_timeout(ssh->s, ssh->connect_timeout_ms);

	if (ssh_connect(ssh->s) != SSH_OK) {
		const char *msg = ssh_get_error(ssh->s);

		hil_transport_seterr(err, "failed to connect: %s@%s:%d: %s",
				     ssh->user, ssh->host, ssh->port, msg);
		ret = connect_errno(msg);
		goto err_free;
	}
	ret = set_keepalive(ssh, err);
	if (ret)
		goto err_free;
	ret = check_host_key(ssh, err);
	if (ret)
		goto err_free;
	ret = authenticate(ssh, err);
	if (ret)
		goto err_free;
	return 0;

err_free:
	hil_ssh_disconnect(ssh);
	return ret;
}

int hil_ssh_connect(struct hil_ssh *ssh, char **err)
{
	int ret = connect_once(ssh, err);
	if (ret != -ECONNRESET)
		return ret;
	/*
	 * A server that accepts and then drops the handshake is busy or starting
	 * (dropbear on a loaded host, a board mid-boot): one more try after a pause
	 * before the lab is reported as failing. Anything else (refused, a wrong
	 * host key, auth) is not retried here.
	 */
	struct timespec pause = { 0, 250 * 1000000L };
	nanosleep(&pause, NULL);
	if (err) {
		free(*err);
		*err = NULL;
	}
	ret = connect_once(ssh, err);
	return ret == -ECONNRESET ? -EIO : ret; /* as documented: not a reset of a command */
}

void hil_ssh_result_free(struct hil_ssh_result *res)
{
	if (!res)
		return;
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

/* Ends the exec after a transport failure: the session is of no further use. */
static int exec_fail(struct hil_ssh *ssh, ssh_channel ch, int ret)
{
	if (ch)
		ssh_channel_free(ch);
	hil_ssh_disconnect(ssh);
	return ret;
}

static int lost(struct hil_ssh *ssh, ssh_channel ch, const char *action,
		const char *command, char **err)
{
	hil_transport_seterr(err, "failed to %s: '%s' on %s:%d: %s", action, command,
			     ssh->host, ssh->port, ssh_get_error(ssh->s));
	return exec_fail(ssh, ch, -ECONNRESET);
}

static int timed_out(struct hil_ssh *ssh, ssh_channel ch, const char *command,
		     int timeout_ms, char **err)
{
	hil_transport_seterr(err, "failed to run: '%s' on %s:%d: no completion within %d ms",
			     command, ssh->host, ssh->port, timeout_ms);
	return exec_fail(ssh, ch, -ETIMEDOUT);
}

/* -EAGAIN: the channel could not be opened, so the command surely did not run. */
static int open_channel(struct hil_ssh *ssh, const char *command, ssh_channel *out,
			int last, char **err)
{
	ssh_channel ch = ssh_channel_new(ssh->s);

	if (!ch)
		return lost(ssh, NULL, "open channel for", command, err);
	if (ssh_channel_open_session(ch) != SSH_OK) {
		if (!last && !ssh_is_connected(ssh->s))
			return exec_fail(ssh, ch, -EAGAIN);
		return lost(ssh, ch, "open channel for", command, err);
	}
	if (ssh_channel_request_exec(ch, command) != SSH_OK)
		return lost(ssh, ch, "start", command, err);
	*out = ch;
	return 0;
}

static int run(struct hil_ssh *ssh, ssh_channel ch, const char *command,
	       const void *input, size_t input_len, int64_t deadline,
	       int timeout_ms, struct buf *out, struct buf *errb, char **err)
{
	char chunk[16384];
	int n;

	if (input && input_len) {
		const char *p = input;

		while (input_len) {
			uint32_t len = input_len > sizeof(chunk) ? sizeof(chunk) : input_len;

			if (hil_transport_now_ms() >= deadline)
				return timed_out(ssh, ch, command, timeout_ms, err);
			set_timeout(ssh->s, deadline - hil_transport_now_ms());
			n = ssh_channel_write(ch, p, len);
			if (n == SSH_ERROR)
				return lost(ssh, ch, "send input to", command, err);
			p += n;
			input_len -= n;
		}
	}
	if (ssh_channel_send_eof(ch) != SSH_OK)
		return lost(ssh, ch, "send EOF to", command, err);

	for (;;) {
		int64_t left = deadline - hil_transport_now_ms();
		int slice = left > 100 ? 100 : (int)left;

		if (left <= 0)
			return timed_out(ssh, ch, command, timeout_ms, err);
		/* A silent peer never errors here: the deadline above is what ends it. */
		n = ssh_channel_read_timeout(ch, chunk, sizeof(chunk), 0, slice);
		if (n == SSH_ERROR)
			return lost(ssh, ch, "read output of", command, err);
		if (n > 0 && buf_append(out, chunk, n) < 0)
			goto oom;
		while ((n = ssh_channel_read_nonblocking(ch, chunk, sizeof(chunk), 1)) > 0)
			if (buf_append(errb, chunk, n) < 0)
				goto oom;
		if (n == SSH_ERROR)
			return lost(ssh, ch, "read stderr of", command, err);
		if (ssh_channel_is_eof(ch) &&
		    ssh_channel_poll(ch, 0) <= 0 && ssh_channel_poll(ch, 1) <= 0)
			return 0;
	}
oom:
	hil_transport_seterr(err, "failed to read output of: '%s': out of memory", command);
	return exec_fail(ssh, ch, -ENOMEM);
}

int hil_ssh_exec(struct hil_ssh *ssh, const char *command, const void *input,
		 size_t input_len, int timeout_ms, struct hil_ssh_result *res,
		 char **err)
{
	struct buf out = { 0 }, errb = { 0 };
	ssh_channel ch = NULL;
	int64_t deadline;
	int reused, ret;

	memset(res, 0, sizeof(*res));
	if (timeout_ms <= 0)
		timeout_ms = 60000;
	deadline = hil_transport_now_ms() + timeout_ms;

	reused = ssh->s != NULL;
	ret = hil_ssh_connect(ssh, err);
	if (ret)
		return ret;
	set_timeout(ssh->s, deadline - hil_transport_now_ms());
	ret = open_channel(ssh, command, &ch, 0, err);
	if (ret == -EAGAIN && reused) {
		/* The peer went away while idle (e.g. rebooted); nothing ran yet. */
		ret = hil_ssh_connect(ssh, err);
		if (ret)
			return ret;
		set_timeout(ssh->s, deadline - hil_transport_now_ms());
		ret = open_channel(ssh, command, &ch, 1, err);
	}
	if (ret == -ECONNRESET && hil_transport_now_ms() >= deadline)
		ret = -ETIMEDOUT;	/* a silent peer let the blocking open run out */
	if (ret)
		return ret;
	ret = run(ssh, ch, command, input, input_len, deadline, timeout_ms, &out, &errb, err);
	if (ret)
		goto out_free;

	/* exit-status may trail the EOF; it blocks for at most what is left. */
	set_timeout(ssh->s, deadline - hil_transport_now_ms());
	res->exit_status = ssh_channel_get_exit_status(ch);
	ssh_channel_close(ch);
	ssh_channel_free(ch);
	if (!out.data && buf_append(&out, "", 0) < 0)
		ret = -ENOMEM;
	if (!errb.data && buf_append(&errb, "", 0) < 0)
		ret = -ENOMEM;
	if (ret) {
		hil_transport_seterr(err, "failed to run: '%s': out of memory", command);
		goto out_free;
	}
	res->out = out.data;
	res->out_len = out.len;
	res->err = errb.data;
	res->err_len = errb.len;
	return 0;

out_free:
	free(out.data);
	free(errb.data);
	memset(res, 0, sizeof(*res));
	return ret;
}
