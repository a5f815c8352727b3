#!/bin/sh
# mkrootfs.sh BUSYBOX SHIMS_DIR DEST
#
# Builds the fake router's root filesystem template: an OpenWrt-like busybox
# layout with the lab's command shims installed over the applet links. The
# sandbox binds the host's /usr/lib and /usr/lib64 (for the dynamic busybox,
# curl and dropbear), so only empty mount points are created for them here.
# Idempotent; DEST/.stamp is written last.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: mkrootfs.sh BUSYBOX SHIMS_DIR DEST" >&2
	exit 2
fi
busybox=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shims=$(cd "$2" && pwd)
dest=$3

rm -f "$dest/.stamp"
mkdir -p "$dest"
cd "$dest"

for d in bin sbin usr/bin usr/sbin usr/lib usr/lib64 usr/share proc sys dev tmp \
	root overlay mnt rom etc/crontabs etc/init.d etc/config etc/dropbear root/.ssh \
	r4hil/model r4hil/run; do
	mkdir -p "$d"
done
chmod 700 etc/dropbear root root/.ssh
chmod 1777 tmp

# OpenWrt: /lib and /lib64 live under /usr here, /var is volatile (/tmp).
for l in lib:usr/lib lib64:usr/lib64 var:tmp; do
	name=${l%%:*}
	target=${l#*:}
	if [ -d "$name" ] && [ ! -L "$name" ]; then
		rmdir "$name"
	fi
	ln -sfn "$target" "$name"
done

cp -f "$busybox" bin/busybox.new
chmod 755 bin/busybox.new
mv -f bin/busybox.new bin/busybox

# Recreate every applet link, so that a shim dropped from SHIMS_DIR goes away.
for applet in $(bin/busybox --list-full); do
	[ "$applet" = bin/busybox ] && continue
	ln -sfn /bin/busybox "$applet"
done

# Mount points for the host programs the sandbox binds in.
mkdir -p r4hil/lib
for f in usr/bin/curl usr/sbin/dropbear r4hil/routerd r4hil/lib/procredir.so; do
	[ -e "$f" ] || : >"$f"
done

# Shims replace applet links at their real paths (SHIMS_DIR mirrors the rootfs).
for f in $(cd "$shims" && find . ! -type d); do
	f=${f#./}
	mkdir -p "$(dirname "$f")"
	rm -f "$f"
	cp -P "$shims/$f" "$f"
	[ -L "$f" ] || chmod 755 "$f"
done

cat >etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/ash
daemon:*:1:1:daemon:/var:/bin/false
nobody:*:65534:65534:nobody:/var:/bin/false
PASSWD
cat >etc/group <<'GROUP'
root:x:0:
daemon:x:1:
nogroup:x:65534:
GROUP
cat >etc/shadow <<'SHADOW'
root:::0:99999:7:::
daemon:*:0:0:99999:7:::
nobody:*:0:0:99999:7:::
SHADOW
chmod 600 etc/shadow
printf '/bin/ash\n/bin/sh\n' >etc/shells
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >etc/nsswitch.conf
printf '127.0.0.1 localhost\n' >etc/hosts
printf 'OpenWrt\n' >etc/hostname
printf 'UTC\n' >etc/TZ
# The model's /proc files for every program (see sandbox/procredir/procredir.c).
printf '/r4hil/lib/procredir.so\n' >etc/ld.so.preload
: >etc/crontabs/root
chmod 600 etc/crontabs/root

touch .stamp
