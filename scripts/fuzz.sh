#!/bin/sh
# Build the libFuzzer targets (tests/fuzz) with clang in build-fuzz and run each
# for a few seconds on a scratch copy of its seed corpus, so the tree is not
# changed; any crash, leak or broken property fails. Installs clang when root.
# Usage: scripts/fuzz.sh [SECONDS_EACH (default 5)]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build-fuzz
secs=${1:-5}

# libFuzzer's runtime is in libclang-rt-dev, only recommended by clang
if ! command -v clang >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "r4hil: installing: clang libclang-rt-dev"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null
	else
		echo "r4hil: clang or libFuzzer missing. Install them with:" >&2
		echo "  sudo apt-get install -y clang libclang-rt-dev" >&2
		exit 2
	fi
fi

cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER=clang -DR4HIL_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz-all -j"$(nproc)" >/dev/null

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for dir in "$top"/tests/fuzz/corpus/*/; do
	name=$(basename "$dir")
	cp -r "$dir" "$scratch/$name"
	mkdir "$scratch/$name-art"
	# -max_len: bounded inputs keep each run's cost predictable.
	if ! "$build/tests/fuzz/fuzz-$name" -max_total_time="$secs" -max_len=4096 \
		-artifact_prefix="$scratch/$name-art/" "$scratch/$name" >"$scratch/$name.log" 2>&1; then
		tail -n 40 "$scratch/$name.log" >&2
		mkdir -p "$build/fuzz-crashes"
		cp "$scratch/$name-art/"* "$build/fuzz-crashes/" 2>/dev/null || true
		echo "r4hil: fuzz-$name failed; the input is in $build/fuzz-crashes" >&2
		exit 1
	fi
	echo "r4hil: fuzz-$name: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$scratch/$name.log")"
done
