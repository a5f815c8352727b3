#!/bin/sh
# mkrootfs.sh BUSYBOX SHIMS_DIR DEST: placeholder until the sandbox lands.
set -eu
mkdir -p "$3"
touch "$3/.stamp"
