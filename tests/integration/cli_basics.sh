#!/bin/sh
# The suanli binary's dispatch: --help, --version, exit codes, every verb's --help.
S=${SUANLI:-build/suanli}
n=0
check() { # check DESC CMD...: ok if CMD succeeds
	n=$((n + 1)); d=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}
rc_is() { # rc_is WANT DESC CMD...
	n=$((n + 1)); want=$1; d=$2; shift 2
	"$@" >/dev/null 2>&1; rc=$?
	if [ "$rc" -eq "$want" ]; then echo "ok $n - $d"; else echo "not ok $n - $d (exit $rc, want $want)"; fi
}
check "--version prints the version" sh -c "'$S' --version | grep -q '^suanli [0-9]'"
check "--help lists verbs" sh -c "'$S' --help | grep -q 'scenario'"
rc_is 2 "no verb is a usage error" "$S"
rc_is 2 "unknown verb is a usage error" "$S" frobnicate
check "unknown verb names itself" sh -c "'$S' frobnicate 2>&1 | grep -q frobnicate"
for v in $("$S" --help | awk '/^verbs:/{f=1;next} f&&/^  [a-z]/{print $1} /^$/{if(f)exit}'); do
	rc_is 0 "$v --help exits 0" "$S" "$v" --help
	check "$v --help prints usage" sh -c "'$S' $v --help | grep -qi 'usage'"
done
