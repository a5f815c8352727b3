/*
 * The fake router's root filesystem: the busybox template (built by mkrootfs.sh)
 * with a firmware overlay (a user's `files/` tree) on top, and lab provisioning of
 * the overlay's env files.
 */
#ifndef FL_ROOTFS_H
#define FL_ROOTFS_H

/*
 * Copy @template_dir (if not NULL) to @dest (created if needed), then @overlay_dir (NULL: none)
 * on top: overlay files win over template files and links, modes are kept,
 * symlinks are copied as links. The template's .stamp is skipped. An existing
 * @dest is updated in place (flash contents outside both trees survive).
 * Returns 0 or -errno; on error *@err (if @err) is a malloc'd message naming the
 * file, for the caller to free.
 */
int fl_rootfs_assemble(const char *template_dir, const char *overlay_dir, const char *dest,
		       char **err);

/*
 * Rewrite the shell-sourceable env file @rootfs/@relpath (e.g. "etc/bpi-r4-ha.env")
 * so that each "KEY=value" of @assignments (NULL-terminated) is set: lines assigning
 * KEY (optionally after "export ") are replaced, other lines and comments are kept,
 * keys not found are appended. The value is written as given (quote it yourself if
 * it needs quoting). The file is created (0644) if missing. 0 or -errno, *@err as above.
 */
int fl_rootfs_set_env_file(const char *rootfs, const char *relpath,
			   const char *const *assignments, char **err);

#endif
