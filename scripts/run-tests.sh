#!/bin/sh
# Run test programs and print one closing line "N passed, N failed".
# Usage: run-tests.sh LABEL prog... [-- sanitizer-prog...]
# cmocka binaries report "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)";
# shell tests (*.sh) print TAP lines "ok ..." / "not ok ...".  Programs after
# "--" run under ASan/UBSan options.  A program that exits non-zero without
# reporting a failure counts as one failure, so a crash is never lost.
# Each program gets SL_TEST_TIMEOUT seconds (default 900); a hang is a failure.
label=$1; shift
pass=0; fail=0; san=0; failed=""
to=${SL_TEST_TIMEOUT:-900}
logdir=${TMPDIR:-/tmp}/suanli-tests.$$
mkdir -p "$logdir"
for t in "$@"; do
	if [ "$t" = "--" ]; then san=1; continue; fi
	log="$logdir/$(echo "$t" | tr '/' '_').log"
	case "$t" in
	*.sh) timeout "$to" sh "$t" >"$log" 2>&1; rc=$?
	      p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log");;
	*)    if [ $san = 1 ]; then
	          ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	              timeout "$to" "$t" >"$log" 2>&1; rc=$?
	      else timeout "$to" "$t" >"$log" 2>&1; rc=$?; fi
	      p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | head -1)
	      f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | head -1)
	      p=${p:-0}; f=${f:-0};;
	esac
	if [ "$rc" -eq 124 ]; then echo "TIMEOUT $t after ${to}s" >>"$log"; fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed="$failed $t"
		echo "FAIL $t ($p passed, $f failed)"; sed 's/^/    /' "$log" | tail -n 40
	else
		echo "ok   $t ($p passed)"
	fi
done
rm -rf "$logdir"
[ -n "$failed" ] && echo "failed:$failed"
echo "$label: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
