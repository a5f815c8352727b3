#include "sshfixture.h"
#include "testutil.h"

#include "r4hil/ssh.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct hil_sshfix fx;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct hil_ssh *client(const char *known_hosts)
{
	struct hil_ssh_config cfg = {
		.host = "127.0.0.1", .port = fx.port, .user = "root",
		.key_path = fx.client_key, .known_hosts = known_hosts,
		.connect_timeout_ms = 5000,
	};
	struct hil_ssh *ssh = hil_ssh_new(&cfg);

	ck_assert_ptr_nonnull(ssh);
	return ssh;
}

static void setup(void)
{
	hil_sshfix_setup(&fx);
}

static void teardown(void)
{
	hil_sshfix_teardown(&fx);
}

START_TEST(test_ssh_exec_output_and_status)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;

	ck_assert_int_eq(0, hil_ssh_connected(ssh));
	ck_assert_int_eq(0, hil_ssh_exec(ssh, "echo out; echo err >&2; exit 3", NULL, 0,
					 5000, &res, &err));
	ck_assert_int_eq(3, res.exit_status);
	ck_assert_str_eq("out\n", res.out);
	ck_assert_uint_eq(4, res.out_len);
	ck_assert_str_eq("err\n", res.err);
	ck_assert_uint_eq(4, res.err_len);
	hil_ssh_result_free(&res);
	ck_assert_int_eq(1, hil_ssh_connected(ssh));

	/* The same session serves the next command. */
	ck_assert_int_eq(0, hil_ssh_exec(ssh, "id -u", NULL, 0, 5000, &res, &err));
	ck_assert_int_eq(0, res.exit_status);
	ck_assert_str_eq("0\n", res.out);
	ck_assert_uint_eq(0, res.err_len);
	ck_assert_str_eq("", res.err);
	hil_ssh_result_free(&res);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_exec_large_output)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;

	/* 200000 bytes on stdout and 100000 on stderr: more than one window. */
	ck_assert_int_eq(0, hil_ssh_exec(ssh,
		"head -c 200000 /dev/zero | tr '\\0' a; head -c 100000 /dev/zero | tr '\\0' b >&2",
		NULL, 0, 10000, &res, &err));
	ck_assert_int_eq(0, res.exit_status);
	ck_assert_uint_eq(200000, res.out_len);
	ck_assert_uint_eq(100000, res.err_len);
	ck_assert_int_eq('a', res.out[199999]);
	ck_assert_int_eq('b', res.err[0]);
	hil_ssh_result_free(&res);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_exec_stdin_delivered)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	const char input[] = "line one\nline two\n";
	char *err = NULL;

	ck_assert_int_eq(0, hil_ssh_exec(ssh, "wc -l; echo done", input, strlen(input),
					 5000, &res, &err));
	ck_assert_int_eq(0, res.exit_status);
	ck_assert_str_eq("2\ndone\n", res.out);
	hil_ssh_result_free(&res);

	/* No input at all: the command sees EOF at once instead of hanging. */
	ck_assert_int_eq(0, hil_ssh_exec(ssh, "cat; echo eof", NULL, 0, 5000, &res, &err));
	ck_assert_str_eq("eof\n", res.out);
	hil_ssh_result_free(&res);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_unknown_host_key_refused)
{
	struct hil_ssh *ssh = client(fx.empty_known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;

	ck_assert_int_eq(-EPERM, hil_ssh_connect(ssh, &err));
	ck_assert_ptr_nonnull(strstr(err, "not in"));
	ck_assert_ptr_nonnull(strstr(err, fx.empty_known_hosts));
	free(err);
	err = NULL;
	ck_assert_int_eq(0, hil_ssh_connected(ssh));
	ck_assert_int_eq(-EPERM, hil_ssh_exec(ssh, "true", NULL, 0, 5000, &res, &err));
	free(err);
	/* Nothing was learnt: the pinned file is still empty. */
	char *kh = hil_test_read_file(fx.empty_known_hosts);
	ck_assert_str_eq("", kh);
	free(kh);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_missing_known_hosts_refused)
{
	char *path;
	char *err = NULL;

	ck_assert_int_ge(asprintf(&path, "%s/nonexistent", fx.dir), 0);
	struct hil_ssh *ssh = client(path);

	ck_assert_int_eq(-EPERM, hil_ssh_connect(ssh, &err));
	ck_assert_ptr_nonnull(strstr(err, "not in"));
	free(err);
	ck_assert_int_ne(0, access(path, F_OK));
	hil_ssh_free(ssh);
	free(path);
}
END_TEST

START_TEST(test_ssh_changed_host_key_refused)
{
	struct hil_ssh *ssh = client(fx.other_known_hosts);
	char *err = NULL;

	ck_assert_int_eq(-EPERM, hil_ssh_connect(ssh, &err));
	ck_assert_ptr_nonnull(strstr(err, "CHANGED"));
	free(err);
	ck_assert_int_eq(0, hil_ssh_connected(ssh));
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_wrong_client_key_rejected)
{
	struct hil_ssh_config cfg = {
		.host = "127.0.0.1", .port = fx.port, .key_path = NULL,
		.known_hosts = fx.known_hosts, .connect_timeout_ms = 5000,
	};
	char *other, *cmd, *err = NULL;
	struct hil_ssh *ssh;

	ck_assert_int_ge(asprintf(&other, "%s/other_client", fx.dir), 0);
	ck_assert_int_ge(asprintf(&cmd, R4HIL_DROPBEARKEY " -t ed25519 -f %s.db >/dev/null 2>&1 && "
				  R4HIL_DROPBEARCONVERT " dropbear openssh %s.db %s >/dev/null 2>&1",
				  other, other, other), 0);
	ck_assert_int_eq(0, system(cmd));
	cfg.key_path = other;
	ssh = hil_ssh_new(&cfg);
	ck_assert_int_eq(-EACCES, hil_ssh_connect(ssh, &err));
	ck_assert_ptr_nonnull(strstr(err, "failed to authenticate"));
	free(err);
	hil_ssh_free(ssh);
	free(cmd);
	free(other);
}
END_TEST

/* A server that accepts and closes at once, counting the connections it saw. */
struct dropper {
	int fd, port, accepted;
};

static void *drop_connections(void *arg)
{
	struct dropper *d = arg;
	for (int c; (c = accept(d->fd, NULL, NULL)) >= 0;) {
		d->accepted++;
		close(c);
	}
	return NULL;
}

/* A handshake the server drops is tried once more, then reported as -EIO. */
START_TEST(test_ssh_dropped_handshake_is_retried_once)
{
	struct dropper d = { .fd = socket(AF_INET, SOCK_STREAM, 0) };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	ck_assert_int_eq(0, bind(d.fd, (struct sockaddr *)&a, sizeof(a)));
	ck_assert_int_eq(0, listen(d.fd, 8));
	ck_assert_int_eq(0, getsockname(d.fd, (struct sockaddr *)&a, &len));
	pthread_t th;
	ck_assert_int_eq(0, pthread_create(&th, NULL, drop_connections, &d));
	struct hil_ssh_config cfg = {
		.host = "127.0.0.1", .port = ntohs(a.sin_port), .user = "root",
		.key_path = fx.client_key, .known_hosts = fx.known_hosts, .connect_timeout_ms = 5000,
	};
	struct hil_ssh *ssh = hil_ssh_new(&cfg);
	char *err = NULL;
	int64_t t0 = mono_ms();
	ck_assert_int_eq(-EIO, hil_ssh_connect(ssh, &err));
	ck_assert_msg(mono_ms() - t0 >= 250, "no retry: %s", err ? err : "");
	ck_assert_msg(err && strstr(err, "failed to connect"), "%s", err ? err : "(no message)");
	shutdown(d.fd, SHUT_RDWR);
	close(d.fd);
	pthread_join(th, NULL);
	ck_assert_int_eq(2, d.accepted);
	free(err);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_connection_refused)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;

	hil_sshfix_stop(&fx);
	ck_assert_int_eq(-ECONNREFUSED, hil_ssh_exec(ssh, "true", NULL, 0, 5000, &res, &err));
	ck_assert_ptr_nonnull(strstr(err, "failed to connect"));
	ck_assert_ptr_null(res.out);
	free(err);
	hil_ssh_free(ssh);
}
END_TEST

/* The client's socket to the fixture, found by its peer port, or -1. */
static int session_fd(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);

		if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && peer.sin_family == AF_INET &&
		    ntohs(peer.sin_port) == fx.port)
			return fd;
	}
	return -1;
}

static int sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(0, getsockopt(fd, level, name, &v, &len));
	return v;
}

START_TEST(test_ssh_session_has_keepalive)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	char *err = NULL;

	ck_assert_int_eq(0, hil_ssh_connect(ssh, &err));
	int fd = session_fd();
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(1, sockopt(fd, SOL_SOCKET, SO_KEEPALIVE));
	ck_assert_int_eq(HIL_SSH_KEEPIDLE_S, sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE));
	ck_assert_int_eq(HIL_SSH_KEEPINTVL_S, sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL));
	ck_assert_int_eq(HIL_SSH_KEEPCNT, sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT));
	/* a dead board is noticed within about 30 s */
	ck_assert_int_le(HIL_SSH_KEEPIDLE_S + HIL_SSH_KEEPINTVL_S * HIL_SSH_KEEPCNT, 30);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_command_timeout)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;
	int64_t t0;

	ck_assert_int_eq(0, hil_ssh_connect(ssh, &err));
	t0 = mono_ms();
	ck_assert_int_eq(-ETIMEDOUT, hil_ssh_exec(ssh, "sleep 10", NULL, 0, 500, &res, &err));
	ck_assert_int_ge(mono_ms() - t0, 450);
	ck_assert_int_lt(mono_ms() - t0, 1500);
	ck_assert_ptr_nonnull(strstr(err, "500 ms"));
	free(err);
	err = NULL;
	ck_assert_int_eq(0, hil_ssh_connected(ssh));

	/* The dropped session is replaced on the next call. */
	ck_assert_int_eq(0, hil_ssh_exec(ssh, "echo back", NULL, 0, 5000, &res, &err));
	ck_assert_str_eq("back\n", res.out);
	hil_ssh_result_free(&res);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_silent_peer_times_out)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;
	int64_t t0;

	ck_assert_int_eq(0, hil_ssh_connect(ssh, &err));
	/* Like a cable pull: the server is frozen, no FIN, no RST. */
	hil_sshfix_signal_all(&fx, SIGSTOP);
	ck_assert_int_eq(0, system("sleep 0.1"));
	t0 = mono_ms();
	int ret = hil_ssh_exec(ssh, "true", NULL, 0, 700, &res, &err);
	int64_t took = mono_ms() - t0;

	hil_sshfix_signal_all(&fx, SIGCONT);
	free(err);
	hil_ssh_free(ssh);
	ck_assert_int_eq(-ETIMEDOUT, ret);
	ck_assert_int_lt(took, 1500);
}
END_TEST

static void *kill_later(void *arg)
{
	usleep(500 * 1000);
	hil_sshfix_stop(arg);
	return NULL;
}

START_TEST(test_ssh_reconnect_after_server_restart)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;
	pthread_t th;
	int ret;

	ck_assert_int_eq(0, hil_ssh_exec(ssh, "true", NULL, 0, 5000, &res, &err));
	hil_ssh_result_free(&res);

	ck_assert_int_eq(0, pthread_create(&th, NULL, kill_later, &fx));
	ret = hil_ssh_exec(ssh, "echo started; sleep 5; echo finished", NULL, 0, 8000, &res, &err);
	pthread_join(th, NULL);
	ck_assert_int_lt(ret, 0);
	ck_assert_int_ne(-ETIMEDOUT, ret);
	ck_assert_ptr_nonnull(err);
	free(err);
	err = NULL;
	ck_assert_int_eq(0, hil_ssh_connected(ssh));

	hil_sshfix_start(&fx);
	ck_assert_int_eq(0, hil_ssh_exec(ssh, "echo again", NULL, 0, 5000, &res, &err));
	ck_assert_str_eq("again\n", res.out);
	ck_assert_int_eq(0, res.exit_status);
	hil_ssh_result_free(&res);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_idle_session_survives_server_restart)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	struct hil_ssh_result res;
	char *err = NULL;

	ck_assert_int_eq(0, hil_ssh_connect(ssh, &err));
	hil_sshfix_stop(&fx);
	hil_sshfix_start(&fx);
	/* The stale session fails before anything runs, so exec retries once. */
	ck_assert_int_eq(0, hil_ssh_exec(ssh, "echo fresh", NULL, 0, 5000, &res, &err));
	ck_assert_str_eq("fresh\n", res.out);
	hil_ssh_result_free(&res);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_push_verified)
{
	struct hil_ssh *ssh = client(fx.known_hosts);
	size_t len = 300000;
	unsigned char *data = malloc(len);
	char *err = NULL, *path, *got;
	FILE *fp;

	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 8));
	ck_assert_int_eq(0, hil_ssh_push(ssh, "/tmp/pushed file.bin", data, len, 5000, &err));
	ck_assert_int_ge(asprintf(&path, "%s/tmp/pushed file.bin", fx.root), 0);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	got = malloc(len + 1);
	ck_assert_uint_eq(len, fread(got, 1, len + 1, fp));
	fclose(fp);
	ck_assert_int_eq(0, memcmp(data, got, len));

	/* A target that cannot be written is reported, with the shell's reason. */
	ck_assert_int_eq(-EIO, hil_ssh_push(ssh, "/nonexistent/dir/f", data, 10, 5000, &err));
	ck_assert_ptr_nonnull(strstr(err, "failed to push"));
	free(err);
	/* ... also when the shell gives up long before the input is all sent */
	size_t big = 8 << 20;
	unsigned char *lots = calloc(1, big);
	int big_ret = hil_ssh_push(ssh, "/nonexistent/dir/big", lots, big, 20000, &err);
	ck_assert_msg(big_ret == -EIO, "%d: %s", big_ret, err);
	ck_assert_msg(strstr(err, "exited with") != NULL, "%s", err);
	free(err);
	free(lots);
	free(got);
	free(path);
	free(data);
	hil_ssh_free(ssh);
}
END_TEST

START_TEST(test_ssh_tcp_probe)
{
	int64_t t0;

	ck_assert_int_eq(0, hil_tcp_probe("127.0.0.1", fx.port, 1000));
	hil_sshfix_stop(&fx);
	t0 = mono_ms();
	ck_assert_int_eq(-ECONNREFUSED, hil_tcp_probe("127.0.0.1", fx.port, 1000));
	ck_assert_int_lt(mono_ms() - t0, 500);
	ck_assert_int_eq(-EINVAL, hil_tcp_probe("not-an-address", fx.port, 100));
	ck_assert_int_eq(-EINVAL, hil_tcp_probe("127.0.0.1", 0, 100));
}
END_TEST

START_TEST(test_ssh_new_rejects_missing_known_hosts)
{
	struct hil_ssh_config cfg = { .host = "127.0.0.1", .port = 22 };

	errno = 0;
	ck_assert_ptr_null(hil_ssh_new(&cfg));
	ck_assert_int_eq(EINVAL, errno);
	hil_ssh_free(NULL);
	hil_ssh_result_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ssh");
	TCase *tc = tcase_create("dropbear");
	TCase *plain = tcase_create("plain");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ssh_exec_output_and_status);
	tcase_add_test(tc, test_ssh_exec_large_output);
	tcase_add_test(tc, test_ssh_exec_stdin_delivered);
	tcase_add_test(tc, test_ssh_unknown_host_key_refused);
	tcase_add_test(tc, test_ssh_missing_known_hosts_refused);
	tcase_add_test(tc, test_ssh_changed_host_key_refused);
	tcase_add_test(tc, test_ssh_wrong_client_key_rejected);
	tcase_add_test(tc, test_ssh_connection_refused);
	tcase_add_test(tc, test_ssh_session_has_keepalive);
	tcase_add_test(tc, test_ssh_command_timeout);
	tcase_add_test(tc, test_ssh_silent_peer_times_out);
	tcase_add_test(tc, test_ssh_reconnect_after_server_restart);
	tcase_add_test(tc, test_ssh_idle_session_survives_server_restart);
	tcase_add_test(tc, test_ssh_push_verified);
	tcase_add_test(tc, test_ssh_tcp_probe);
	tcase_add_test(tc, test_ssh_dropped_handshake_is_retried_once);
	suite_add_tcase(s, tc);

	tcase_set_timeout(plain, 5);
	tcase_add_test(plain, test_ssh_new_rejects_missing_known_hosts);
	suite_add_tcase(s, plain);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
