/*
 * The fake lab's own network namespace: one per fake lab, shared by everything it
 * starts (the router's and the ONU's sandboxes, HA's shell commands), so that a
 * firmware script can reach only the lab. It has a loopback and nothing else: no
 * host interface, no route, no address but 127.0.0.1 and ::1.
 *
 * A socket keeps the namespace it was created in. The fake lab creates what the
 * harness uses (its HTTP servers, the SSH relay and forwarder listeners) on the
 * host's 127.0.0.1 first, then enters the namespace; what it creates afterwards
 * (the same servers' inner listeners, the relay's connections to dropbear, the
 * sandboxes, which bwrap starts in the caller's namespace) lives inside, unless
 * made with fl_netns_host_socket.
 */
#ifndef FL_NETNS_H
#define FL_NETNS_H

/*
 * Move the calling process (single-threaded) into a new network namespace and
 * bring its loopback up. Needs CAP_SYS_ADMIN and CAP_NET_ADMIN (root). There is no
 * way back: the namespace ends with its last process. 0, or -errno with *@err (if
 * @err) a malloc'd message for the caller to free.
 */
int fl_netns_enter(char **err);

/*
 * socket(2) in the host's network namespace, for a harness-facing listener opened
 * after fl_netns_enter (the router's SSH relay reopens its port at every boot).
 * Before fl_netns_enter (or without it), a plain socket(2). -1 with errno.
 */
int fl_netns_host_socket(int domain, int type, int protocol);

#endif
