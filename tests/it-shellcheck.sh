#!/bin/sh
# Every shell script the router runs (reference overlay, sandbox shims) and our own
# scripts pass shellcheck as POSIX sh. Usage: it-shellcheck.sh BUILD_DIR SOURCE_DIR
set -eu
src=$2
cd "$src"
files=$(find fixtures/overlay fakes/sandbox/shims fakes/sandbox/onu scripts tests/mutants -type f ! -name '*.conf' ! -path '*/keep.d/*' \
	\( -name '*.sh' -o -path '*/etc/rc.local' -o -path '*/shims/*' -o -path '*/sandbox/onu/*' -o -path '*/usr/local/bin/*' \) | sort)
[ -n "$files" ] || { echo "no scripts found" >&2; exit 1; }
# shellcheck disable=SC2086
shellcheck -s sh -x -P SCRIPTDIR -e SC1091 $files
echo "shellcheck: $(echo "$files" | wc -l) scripts clean"
