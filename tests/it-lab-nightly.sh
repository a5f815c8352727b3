#!/bin/sh
# lab/nightly.sh against a fake lab: exit codes 0 (pass), 2 (bad lab file),
# 3 (board locked; lab check failing), the kept run directory (absolute and
# relative RUNS_DIR), its latest link and junit.xml.
# Usage: it-lab-nightly.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd) # absolute: nightly runs from another directory
src=$(cd "$2" && pwd)
shellcheck -s sh "$src/lab/nightly.sh"
tmp=$(mktemp -d)
lab_pid=
cleanup() {
	if [ -n "$lab_pid" ]; then kill "$lab_pid" 2>/dev/null || true; wait "$lab_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

"$build/r4hil-fakelab" --dir "$tmp/lab" --quiet >"$tmp/lab.log" 2>&1 &
lab_pid=$!
i=0
while [ ! -f "$tmp/lab/lab.json" ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat "$tmp/lab.log"; echo "fake lab did not start" >&2; exit 1; }
	sleep 0.1
done

export R4HIL_BIN="$build/r4hil"
# nightly LAB_FILE [RUNS_DIR, relative to $tmp]
nightly() {
	set +e
	(cd "$tmp" && "$src/lab/nightly.sh" -l "$1" -o "${2:-$tmp/runs}" -k "$tmp/lock" -- \
		"$src/tests/data/lab/ssh-only.json") >"$tmp/out" 2>&1
	status=$?
	set -e
	echo "$status"
}
expect() {
	if [ "$1" != "$2" ]; then
		cat "$tmp/out"
		echo "FAIL: $3: exit $2, expected $1" >&2
		exit 1
	fi
	echo "ok: $3"
}

expect 0 "$(nightly "$tmp/lab/lab.json")" "a passing run"
[ -f "$tmp/runs/latest/results.json" ] || { echo "FAIL: no kept run directory" >&2; exit 1; }
[ -f "$tmp/runs/latest/lab-check.txt" ] || { echo "FAIL: no lab check in the run directory" >&2; exit 1; }
grep -q 'testsuite name="ssh-only"' "$tmp/runs/junit.xml" || { echo "FAIL: no junit.xml for CI" >&2; exit 1; }

# a relative RUNS_DIR: latest still resolves, from anywhere
expect 0 "$(nightly "$tmp/lab/lab.json" runs-rel)" "a passing run into a relative directory"
[ -f "$tmp/runs-rel/latest/results.json" ] || { echo "FAIL: runs-rel/latest is a broken link" >&2; exit 1; }

echo '{"name": "broken"}' >"$tmp/bad.json"
expect 2 "$(nightly "$tmp/bad.json")" "a bad lab file is a usage error"

# the lab down (SSH refused): the lab check stops the run before it starts
sed 's/"port":[0-9]*/"port":1/' "$tmp/lab/lab.json" >"$tmp/down.json"
expect 3 "$(nightly "$tmp/down.json")" "lab check failing"

# someone else holds the board
flock "$tmp/lock" sleep 5 &
holder=$!
sleep 0.5
expect 3 "$(nightly "$tmp/lab/lab.json")" "board locked"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
echo "nightly: all ok"
