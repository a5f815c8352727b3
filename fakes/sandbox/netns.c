#include "sandbox/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"

/* The namespaces the process started in and the lab's; close-on-exec: no sandbox gets a way out. */
static int host_ns = -1, lab_ns = -1;

/* A new namespace's lo is down: 127.0.0.1 does not even route until it is up. */
static int loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	int ret = 0;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int fl_netns_enter(char **err)
{
	if (host_ns < 0 && (host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return fl_util_err(err, -errno, "/proc/self/ns/net: %s", strerror(errno));
	if (unshare(CLONE_NEWNET) < 0)
		return fl_util_err(err, -errno, "unshare(CLONE_NEWNET): %s (needs root, or CAP_SYS_ADMIN "
				   "and CAP_NET_ADMIN; the router never runs on the host's network)",
				   strerror(errno));
	if (lab_ns >= 0)
		close(lab_ns);
	lab_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (lab_ns < 0)
		return fl_util_err(err, -errno, "/proc/self/ns/net: %s", strerror(errno));
	int ret = loopback_up();
	if (ret < 0)
		return fl_util_err(err, ret, "bringing up lo: %s", strerror(-ret));
	return 0;
}

int fl_netns_host_socket(int domain, int type, int protocol)
{
	if (lab_ns < 0)
		return socket(domain, type, protocol);
	if (setns(host_ns, CLONE_NEWNET) < 0)
		return -1;
	int fd = socket(domain, type, protocol);
	int e = errno;
	if (setns(lab_ns, CLONE_NEWNET) < 0)
		abort(); /* never go on with the router's world in the host's namespace */
	errno = e;
	return fd;
}
