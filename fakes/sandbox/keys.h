/*
 * SSH keys for the fake router: the harness's client key, dropbear's host key and
 * the known_hosts line that pins it, and root's authorized_keys.
 */
#ifndef FL_KEYS_H
#define FL_KEYS_H

/*
 * Generate an ed25519 client key pair: @priv_path becomes an OpenSSH-format
 * private key (mode 0600, readable by libssh and ssh). *@pubkey_line gets the
 * malloc'd "ssh-ed25519 AAAA... comment" line (no newline), for the caller to free.
 * An existing @priv_path is replaced. 0 or -errno; *@err (if @err) malloc'd text.
 */
int fl_keys_client(const char *priv_path, char **pubkey_line, char **err);

/*
 * Create the dropbear host key @rootfs/etc/dropbear/dropbear_ed25519_host_key if it
 * does not exist (the router keeps it across boots), and write its known_hosts line
 * "[127.0.0.1]:@port ssh-ed25519 AAAA..." to @known_hosts_path, replacing an older
 * line for that host and port and keeping the others. 0 or -errno, *@err as above.
 */
int fl_keys_host(const char *rootfs, int port, const char *known_hosts_path, char **err);

/*
 * Let @pubkey_line log in as root: appended (once) to /etc/dropbear/authorized_keys,
 * where OpenWrt's dropbear looks for root, and to /root/.ssh/authorized_keys, where
 * Debian's dropbear (the one the fake lab runs) looks. Files 0600, dirs 0700.
 * 0 or -errno, *@err as above.
 */
int fl_keys_authorize(const char *rootfs, const char *pubkey_line, char **err);

#endif
