#!/bin/sh
# The test suite: set up, build, run every test with CTest; then again with
# AddressSanitizer and UBSan, after a few seconds of each libFuzzer target
# (scripts/fuzz.sh, clang). --quick skips the fuzzing and the sanitizer pass.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

"$top/scripts/bootstrap.sh" "$top/build"
(cd "$top/build" && ctest -j2 --output-on-failure --output-junit ctest-junit.xml)
[ $quick = 1 ] && exit 0
"$top/scripts/fuzz.sh"

"$top/scripts/bootstrap.sh" "$top/build-san" -DR4HIL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
(cd "$top/build-san" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest -j2 --output-on-failure --output-junit ctest-junit.xml)
