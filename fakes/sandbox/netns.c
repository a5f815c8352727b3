#include "sandbox/netns.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/util.h"

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
	if (unshare(CLONE_NEWNET) < 0)
		return fl_util_err(err, -errno, "unshare(CLONE_NEWNET): %s (needs root, or CAP_SYS_ADMIN "
				   "and CAP_NET_ADMIN; the router never runs on the host's network)",
				   strerror(errno));
	int ret = loopback_up();
	if (ret < 0)
		return fl_util_err(err, ret, "bringing up lo: %s", strerror(-ret));
	return 0;
}
