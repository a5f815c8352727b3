#!/bin/sh
# Install what r4hil needs on Debian 12 (when root; otherwise print the exact
# apt-get line), then configure and build. Usage: scripts/bootstrap.sh [BUILD_DIR] [cmake args...]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ $# -gt 0 ] && shift

# Debian packages: compiler and build, the libraries, and the fake router's parts
# (dynamic busybox: the static one ignores command shims on PATH).
packages="build-essential cmake pkg-config libssh-dev libcurl4-openssl-dev libjson-c-dev
libgpiod-dev check libsubunit-dev libmicrohttpd-dev libyaml-dev libssl-dev dropbear-bin
busybox bubblewrap openssh-client curl shellcheck"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "r4hil: installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	else
		echo "r4hil: missing Debian packages. Install them with:" >&2
		echo "  sudo apt-get install -y$missing" >&2
		exit 2
	fi
fi

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
echo "r4hil: built in $build"
