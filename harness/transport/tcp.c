#include "r4hil/ssh.h"
#include "transport/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int hil_tcp_probe(const char *host, int port, int timeout_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	int64_t deadline = hil_transport_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	char service[16];
	int fd, ret;

	if (!host || port <= 0 || port > 65535)
		return -EINVAL;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &ai) != 0)
		return -EINVAL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		ret = 0;
		goto out_close;
	}
	if (errno != EINPROGRESS) {
		ret = -errno;
		goto out_close;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int64_t left = deadline - hil_transport_now_ms();
		socklen_t sl = sizeof(ret);
		int n;

		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			continue;	/* re-check the monotonic deadline */
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &ret, &sl) < 0)
			ret = errno;
		ret = -ret;
		break;
	}
out_close:
	close(fd);
out_free:
	freeaddrinfo(ai);
	return ret;
}
