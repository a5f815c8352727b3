/*
 * The fake lab's network namespace: the router sees no host interface, a listener
 * inside is not on the host, nothing outside the lab is reachable from inside, and
 * the lab's own paths (the harness's SSH to the router and the ONU, the router's
 * pushes to HA, the shims' hardware endpoint) still work.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "r4hil/fakelab.h"
#include "r4hil/ha.h"
#include "r4hil/lab.h"
#include "r4hil/ssh.h"
#include "testutil.h"

static char *tmp;
static struct hil_fakelab *lab;
static struct hil_lab *desc;
static struct hil_ssh *router;

static struct hil_ssh *ssh_to(const struct hil_lab_ssh *e)
{
	struct hil_ssh_config sc = { .host = e->host, .port = e->port, .user = e->user,
				     .key_path = e->key, .known_hosts = e->known_hosts };
	return hil_ssh_new(&sc);
}

static void setup(void)
{
	tmp = hil_test_tmpdir("netns");
	lab = hil_test_fakelab_start(tmp, &desc);
	router = ssh_to(&desc->router);
}

static void teardown(void)
{
	hil_ssh_free(router);
	hil_lab_free(desc);
	hil_fakelab_stop(lab);
	hil_test_remove_tree(tmp);
}

/* Run @cmd through @ssh with @input on stdin; its exit status, stdout in *@out (malloc'd) if @out. */
static int exec_on(struct hil_ssh *ssh, const char *cmd, const char *input, size_t input_len, char **out)
{
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	int ret = hil_ssh_exec(ssh, cmd, input, input_len, 15000, &res, &err);
	ck_assert_msg(ret == 0, "ssh %s: %s", cmd, err);
	int status = res.exit_status;
	if (out)
		*out = strdup(res.out);
	hil_ssh_result_free(&res);
	return status;
}

static int on_router(const char *cmd, char **out)
{
	return exec_on(router, cmd, NULL, 0, out);
}

/* A TCP port nothing listens on, on the host's 127.0.0.1, at the time of the call. */
static int free_host_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	ck_assert_int_eq(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ck_assert_int_eq(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	close(fd);
	return ntohs(sa.sin_port);
}

static int host_connects(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

START_TEST(test_netns_router_sees_only_loopback)
{
	/* busybox's applets, not the lab's ip shim (which prints the wan model) */
	char *out = NULL;
	ck_assert_int_eq(0, on_router("busybox ip -o link", &out));
	ck_assert_msg(strstr(out, ": lo:") != NULL, "%s", out);
	ck_assert_msg(strchr(strstr(out, ": lo:"), '\n')[1] == '\0', "interfaces beyond lo: %s", out);
	ck_assert_msg(strstr(out, "UP") != NULL, "lo is down: %s", out);
	free(out);
	/* lo's own IPv6 route aside */
	ck_assert_int_eq(0, on_router("{ busybox ip -4 route; busybox ip -6 route; } | grep -v ' dev lo '; true", &out));
	ck_assert_msg(strcmp("", out) == 0, "routes beyond loopback: %s", out);
	free(out);
	ck_assert_int_eq(0, on_router("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", &out));
	ck_assert_str_eq("lo\n", out);
	free(out);
}
END_TEST

START_TEST(test_netns_listener_inside_is_not_on_the_host)
{
	int port = free_host_port();
	char cmd[256], *out = NULL;
	snprintf(cmd, sizeof(cmd), "(busybox nc -l -p %d </dev/null >/dev/null 2>&1 &); "
		 "for i in 1 2 3 4 5 6 7 8 9 10; do busybox netstat -ltn | grep -q ':%d ' && exit 0; "
		 "sleep 0.1; done; exit 1", port, port);
	ck_assert_int_eq(0, on_router(cmd, NULL)); /* it listens inside */
	ck_assert_msg(!host_connects(port), "the router's listener on port %d is reachable from the host", port);
	/* and the inside sees it on its own loopback */
	snprintf(cmd, sizeof(cmd), "busybox nc -w 2 127.0.0.1 %d </dev/null && echo reached", port);
	ck_assert_int_eq(0, on_router(cmd, &out));
	ck_assert_str_eq("reached\n", out);
	free(out);
}
END_TEST

/* The host's first IPv4 address beyond loopback into @addr; 0 if it has none. */
static int host_address(struct in_addr *addr)
{
	struct ifaddrs *ifs = NULL;
	int found = 0;
	ck_assert_int_eq(0, getifaddrs(&ifs));
	for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		*addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		found = 1;
	}
	freeifaddrs(ifs);
	return found;
}

START_TEST(test_netns_nothing_outside_the_lab_is_reachable)
{
	char cmd[256], *out = NULL;
	/* no route inside: refused at once, no packet leaves (no -w wait either) */
	ck_assert_int_ne(0, on_router("busybox nc -w 2 10.255.255.1 80 </dev/null", NULL));
	ck_assert_int_eq(0, on_router("busybox nc -w 2 10.255.255.1 80 </dev/null 2>&1; true", &out));
	ck_assert_msg(strstr(out, "unreachable") != NULL, "%s", out);
	free(out);

	/* the host's own address, with a listener there: locally delivered on the host only */
	struct in_addr addr;
	if (!host_address(&addr))
		return;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = addr };
	socklen_t len = sizeof(sa);
	ck_assert_int_eq(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ck_assert_int_eq(0, listen(fd, 4));
	ck_assert_int_eq(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	snprintf(cmd, sizeof(cmd), "busybox nc -w 2 %s %d </dev/null && echo reached", ip, ntohs(sa.sin_port));
	ck_assert_int_ne(0, on_router(cmd, &out));
	ck_assert_msg(strstr(out, "reached") == NULL, "the host's %s is reachable from the router", ip);
	free(out);
	close(fd);
}
END_TEST

START_TEST(test_netns_lab_paths_still_work)
{
	char *out = NULL;
	/* the router's pushes to HA (HA_URL) and the shims' hardware endpoint (hw_url) */
	ck_assert_int_eq(0, on_router(". /etc/bpi-r4-ha.env; curl -s -o /dev/null -w '%{http_code}\\n' "
				      "-H \"Authorization: Bearer $HA_TOKEN\" \"$HA_URL/api/\"", &out));
	ck_assert_str_eq("200\n", out);
	free(out);
	ck_assert_int_eq(0, on_router("curl -s -o /dev/null -w '%{http_code}\\n' \"$(cat /r4hil/model/hw_url)/hw/reboot\"",
				      &out));
	ck_assert_str_eq("401\n", out); /* served (no token: refused, the router stays up) */
	free(out);

	/* the harness's SSH to the ONU, through the lab's forwarder: 1 MiB each way */
	size_t n = 1 << 20;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	struct hil_ssh *onu = ssh_to(&desc->onu);
	ck_assert_int_eq(0, exec_on(onu, "cat", big, n, &out));
	ck_assert_uint_eq(n, strlen(out));
	ck_assert(memcmp(big, out, n) == 0);
	free(out);
	ck_assert_int_eq(0, exec_on(onu, "busybox ip -o link | wc -l", NULL, 0, &out));
	ck_assert_str_eq("1\n", out); /* the ONU is in the lab's namespace too */
	free(out);
	hil_ssh_free(onu);
	free(big);

	/* HA's shell_command `ssh onu` (HA-ONU), from its sandbox in the lab's namespace */
	struct hil_ha *ha = hil_ha_new(desc->ha.url, desc->ha.token);
	char *err = NULL;
	ck_assert_msg(hil_ha_call_service(ha, "shell_command", "onu_pon_reboot", NULL, &err) == 0, "%s", err);
	hil_ha_free(ha);
	const char *done = "shell_command.onu_pon_reboot finished, wait status ";
	char *truth = NULL;
	for (int i = 0; i < 150; i++) {
		ck_assert_msg(hil_fakelab_truth(lab, &truth, &err) == 0, "%s", err);
		if (strstr(truth, done))
			break;
		free(truth);
		truth = NULL;
		usleep(100 * 1000);
	}
	ck_assert_msg(truth != NULL, "HA's shell command did not finish");
	ck_assert_msg(strstr(truth, done)[strlen(done)] == '0', "%s", strstr(truth, done));
	free(truth);
}
END_TEST

START_TEST(test_netns_router_ssh_after_a_reboot)
{
	/* the SSH relay reopens its port at each boot: on the host, not in the lab */
	int64_t now;
	char *err = NULL;
	ck_assert_msg(hil_fakelab_now(lab, &now, &err) == 0, "%s", err);
	struct hil_ssh_result res = { 0 };
	hil_ssh_exec(router, "reboot", NULL, 0, 5000, &res, &err);
	hil_ssh_result_free(&res);
	free(err);
	err = NULL;
	hil_ssh_disconnect(router);
	ck_assert_msg(hil_fakelab_advance(lab, now + 120 * 1000, &err) == 0, "%s", err);
	char *out = NULL;
	ck_assert_int_eq(0, on_router("cat /proc/sys/kernel/random/boot_id", &out));
	free(out);
	char *truth = NULL;
	ck_assert_int_eq(0, hil_fakelab_truth(lab, &truth, &err));
	ck_assert_ptr_nonnull(strstr(truth, "up: boot 2"));
	free(truth);
}
END_TEST

/* Processes whose command line mentions @text. */
static int processes_with(const char *text)
{
	int n = 0;
	DIR *d = opendir("/proc");
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
			continue;
		char path[300], buf[8192];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		for (size_t i = 0; i < len; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[len] = '\0';
		n += strstr(buf, text) != NULL;
	}
	closedir(d);
	return n;
}

START_TEST(test_netns_stop_leaves_no_process)
{
	ck_assert_int_gt(processes_with(tmp), 0); /* the fake lab, bwrap */
	hil_ssh_free(router);
	router = NULL;
	hil_fakelab_stop(lab);
	lab = NULL;
	ck_assert_int_eq(0, processes_with(tmp));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("lab");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_netns_router_sees_only_loopback);
	tcase_add_test(tc, test_netns_listener_inside_is_not_on_the_host);
	tcase_add_test(tc, test_netns_nothing_outside_the_lab_is_reachable);
	tcase_add_test(tc, test_netns_lab_paths_still_work);
	tcase_add_test(tc, test_netns_router_ssh_after_a_reboot);
	tcase_add_test(tc, test_netns_stop_leaves_no_process);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
