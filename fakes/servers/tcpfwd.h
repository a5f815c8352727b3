/*
 * A TCP forwarder in the fake lab's loop, for a port the harness reaches on the
 * host but whose server (dropbear) runs in the lab's network namespace
 * (sandbox/netns.h): it listens on the host's 127.0.0.1 (fl_netns_host_socket) and, for each connection,
 * connects to 127.0.0.1:target in the namespace the process is in at that moment,
 * then copies bytes both ways. Non-blocking: a slow reader holds back only its own
 * connection. An end of stream on one side is passed on as a half-close
 * (shutdown(SHUT_WR)); a connection ends when both directions have, or at once on
 * an error. If the target refuses, the accepted connection is closed.
 */
#ifndef FL_TCPFWD_H
#define FL_TCPFWD_H

#include <stdint.h>

struct fl_loop;
struct fl_tcpfwd;

/*
 * Listen on a free port of 127.0.0.1 in the current network namespace and forward
 * to 127.0.0.1:@target_port (0: the same port number as the listener's). NULL with
 * errno set on failure. Stop with fl_tcpfwd_stop.
 */
struct fl_tcpfwd *fl_tcpfwd_start(struct fl_loop *loop, uint16_t target_port);

/* The port it listens on. */
uint16_t fl_tcpfwd_port(const struct fl_tcpfwd *fwd);

/* Close the listener and every connection, leave the loop, free. NULL-safe; not from a loop callback. */
void fl_tcpfwd_stop(struct fl_tcpfwd *fwd);

#endif
