# tap.sh — TAP helpers for the integration scripts, sourced from the
# repository root (`. tests/tap.sh`).  Counts in n; a failure
# sets tap_failed.  rc_is and err_has keep the command's output in $T/out
# and $T/err, so the sourcing script sets T (a temporary directory) first.
n=0
tap_failed=
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { # nok DESC [DETAIL]
	n=$((n + 1)); tap_failed=1; echo "not ok $n - $1"
	[ -n "$2" ] && echo "# $2"
	return 0
}
check() { # check DESC CMD...: ok if CMD succeeds
	d=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else nok "$d"; fi
}
is() { # is DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "got '$2', want '$3'"; fi
}
rc_is() { # rc_is WANT DESC CMD...
	want=$1; d=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else nok "$d (exit $rc, want $want)"; sed 's/^/# /' "$T/err"; fi
}
err_has() { # err_has DESC TEXT: the last rc_is printed TEXT on stderr
	if grep -q -- "$2" "$T/err"; then ok "$1"; else nok "$1"; sed 's/^/# /' "$T/err"; fi
}
